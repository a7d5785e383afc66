//! Operators and built-ins, resolved for their operand types.

/// A unary operator. `Neg` applies to Int, Money, Percent and Duration (all `i64`; it
/// aborts on overflow of `-i64::MIN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

/// A binary operator with its operand types decided. Arithmetic aborts on overflow and
/// division by zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    IntAdd,
    IntSub,
    IntMul,
    /// Toward zero.
    IntDiv,
    /// Toward zero.
    IntRem,
    MoneyAdd,
    MoneySub,
    MoneyTimesInt,
    IntTimesMoney,
    /// Rounded half away from zero (host `div_round`).
    MoneyDivInt,
    /// Rounded half away from zero to the cent (host `mul_percent`).
    MoneyTimesPercent,
    /// Rounded half away from zero to the unit (host `mul_percent`).
    IntTimesPercent,
    PercentAdd,
    PercentSub,
    DurationAdd,
    DurationSub,
    DurationTimesInt,
    /// Toward zero, a Duration.
    DurationDivInt,
    /// How many whole `rhs` fit in `lhs`, toward zero: an Int.
    DurationDivDuration,
    /// The remainder of [`BinaryOp::DurationDivDuration`] (sign of `lhs`): a Duration.
    DurationRem,
    TimePlusDuration,
    TimeMinusDuration,
    /// A Duration, possibly negative.
    TimeMinusTime,
    StringConcat,
    /// `==` on operands of the left operand's type (scalars compare as `i64`, other
    /// values with the host's `val_eq`).
    Eq,
    Ne,
    /// Ordering on an ordered type (scalars as `i64`, others with `val_cmp`).
    Lt,
    Le,
    Gt,
    Ge,
    /// Short-circuit.
    And,
    Or,
    /// `x in list`: the element is the left operand.
    InList,
    /// `x in set`.
    InSet,
    /// `k in map` (a local map; persistent maps use [`PersistentOp::Contains`]).
    InMapKeys,
    /// `x in v` for enums: `v <= x < end(v)` (the right operand's subtree).
    InEnum,
    /// `a ?? b`: the option's value, or `b`. When `b` is itself an option the result is
    /// one (the expression's type says which).
    Default,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            IntAdd | MoneyAdd | PercentAdd | DurationAdd | TimePlusDuration | StringConcat => "+",
            IntSub | MoneySub | PercentSub | DurationSub | TimeMinusDuration | TimeMinusTime => "-",
            IntMul | MoneyTimesInt | IntTimesMoney | MoneyTimesPercent | IntTimesPercent
            | DurationTimesInt => "*",
            IntDiv | MoneyDivInt | DurationDivInt | DurationDivDuration => "/",
            IntRem | DurationRem => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "&&",
            Or => "||",
            InList | InSet | InMapKeys | InEnum => "in",
            Default => "??",
        }
    }
}

/// A built-in function or method of values (not of persistent state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `len(x)`, `x.len()`: `[collection]` (List, Set, Map, String characters, Bytes).
    Len,
    /// `min(a, b)`, on any ordered type.
    Min,
    Max,
    /// Int, Money, Percent, Duration.
    Abs,
    /// `sha3(a, …)`: one or more arguments, a Hash. One String or Bytes argument hashes
    /// its bytes; anything else the canonical encoding of the tuple of the arguments.
    Sha3,
    /// `sha3_packed(a, …)`, in the standard library only: the Keccak-256 of the
    /// arguments' bytes concatenated, a String or Bytes without its length (what
    /// `std.crypto.eth_signed` needs for EIP-191, whose prefix is not length-delimited).
    Sha3Packed,
    /// `recover(digest, signature)`: an `Address?`.
    Recover,
    /// `s.starts_with(t)`: `[s, t]`.
    StartsWith,
    /// `s.bytes()`: the UTF-8 bytes of a String.
    StrBytes,
    /// `b[i]`: `[bytes, index]`, a byte as Int; aborts when out of range.
    ByteAt,
    /// `l[i]`: `[list, index]`; aborts when out of range.
    ListAt,
    /// `m[k]` of a local map: `[map, key]`; aborts when absent.
    MapAt,
    /// `m.get(k)` of a local map: `[map, key]`, a `V?`.
    MapGet,
    /// `c.contains(x)` of a local List, Set or Map (key): `[collection, x]`.
    Contains,
    /// `seconds(n)`: an Int as a Duration of that many seconds (the same `i64`).
    Seconds,
    /// `d.seconds()`: a Duration as its Int number of seconds (the same `i64`).
    DurationSeconds,
    /// `t.day()`: 00:00:00 UTC of the day of a Time (rounded down, also before 1970).
    Day,
    /// `to_string(x)` and each `{x}` of a string interpolation: the value's JSON form
    /// with a top-level string unquoted and a top-level `none` as `none` (host `val_to_string`).
    ToString,
    /// Note `n` of an explanation: its one argument's value, recorded by a module built
    /// for explaining and given back unchanged (host `explain_note`). Never written in
    /// source: only [`crate::explain`] puts it into a copy of a policy.
    ExplainNote(u32),
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Len => "len",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Abs => "abs",
            Builtin::Sha3 => "sha3",
            Builtin::Sha3Packed => "sha3_packed",
            Builtin::Recover => "recover",
            Builtin::StartsWith => "starts_with",
            Builtin::StrBytes => "bytes",
            Builtin::ByteAt => "byte_at",
            Builtin::ListAt => "list_at",
            Builtin::MapAt => "map_at",
            Builtin::MapGet => "map_get",
            Builtin::Contains => "contains",
            Builtin::Seconds => "seconds",
            Builtin::DurationSeconds => "duration_seconds",
            Builtin::Day => "day",
            Builtin::ToString => "to_string",
            Builtin::ExplainNote(_) => "explain_note",
        }
    }
}

/// An operation on a persistent `Map`/`Set` state variable (one ledger entry per element).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersistentOp {
    /// `m.get(k)`: `[key]`, a `V?` (host `pmap_get`).
    MapGet,
    /// `m[k]`: `[key]`, the value; aborts when absent.
    MapAt,
    /// `m.contains(k)`, `k in m`, `s.contains(x)`, `x in s`: `[key]` (`pmap_contains`).
    Contains,
    /// `m.remove(k)`, `s.remove(x)`: `[key]` (`pmap_remove`). A write.
    Remove,
    /// `s.insert(x)`: `[element]` (`pset_insert`). A write.
    SetInsert,
    /// `len(m)`, `m.len()`, `len(s)`, `s.len()`: no arguments, an `Int` (`pmap_len`).
    Len,
}

impl PersistentOp {
    /// Whether the operation changes state.
    pub fn is_write(self) -> bool {
        matches!(self, PersistentOp::Remove | PersistentOp::SetInsert)
    }
}

/// A change to a collection held in a mutable local or in scalar state, in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MutateOp {
    /// `l.push(x)`
    ListPush,
    /// `s.insert(x)` (no-op when present)
    SetInsert,
    /// `l.remove(x)`: the first element equal to `x`.
    ListRemove,
    /// `s.remove(x)`
    SetRemove,
    /// `m.remove(k)`
    MapRemove,
}
