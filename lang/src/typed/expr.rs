//! Expressions, statements and patterns of the typed tree.

use assent_stdlib::value::Value;

use super::{
    BinaryOp, Builtin, ConstId, ContextVar, EnumId, EventId, FunctionId, InterfaceId, Loc, LocalId,
    MutateOp, PersistentOp, RecordId, StateId, Ty, UnaryOp,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal, already in its stored form (cents, basis points, seconds, …).
    Literal(Value),
    /// A parameter of the enclosing function, by position.
    Param(u32),
    Local(LocalId),
    /// A constant; its value is in [`super::Contract::consts`].
    Const(ConstId),
    /// The value of a scalar (non-`Map`/`Set`) state variable.
    State(StateId),
    Context(ContextVar),
    /// An enum variant: its ordinal, and `end` (one past its last descendant) for `in`.
    Variant {
        enum_id: EnumId,
        ordinal: u32,
        end: u32,
    },
    /// `some(e)`, written or implicit (`T` accepted where `T?` is expected).
    Some(Box<Expr>),
    /// `none` of the expression's option type.
    None,
    Tuple(Vec<Expr>),
    /// Record construction, fields in declaration order.
    Record {
        record: RecordId,
        fields: Vec<Expr>,
    },
    /// `R { ..base, f: e }`: `base` with the given fields (by index) replaced.
    RecordUpdate {
        base: Box<Expr>,
        fields: Vec<(u32, Expr)>,
    },
    /// Field `index` of a record, tuple or Decision (`permitted` 0, `rule` 1).
    Field {
        base: Box<Expr>,
        index: u32,
    },
    /// `base?.f`: field `index` of the record inside the option `base`, as an option
    /// (the expression's type): `none` when `base` is `none`. A field that is itself an
    /// option is not wrapped again.
    OptionalField {
        base: Box<Expr>,
        index: u32,
    },
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Builtin {
        builtin: Builtin,
        args: Vec<Expr>,
    },
    /// An operation on a persistent `Map`/`Set` state variable.
    Persistent {
        state: StateId,
        op: PersistentOp,
        args: Vec<Expr>,
    },
    /// An in-place change of a collection held in a mutable local or scalar state.
    Mutate {
        place: Box<Place>,
        op: MutateOp,
        arg: Box<Expr>,
    },
    /// A call of a function or policy of this contract or of the standard library.
    Call {
        function: FunctionId,
        args: Vec<Expr>,
    },
    /// `Name(address).entry(args)`: entry `entry` of [`super::Interface::entries`].
    CrossCall {
        interface: InterfaceId,
        entry: u32,
        address: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `if` (an `else if` is an `otherwise` block whose tail is the next `if`).
    If {
        cond: Box<Expr>,
        then: Box<Block>,
        otherwise: Option<Box<Block>>,
    },
    /// `if let pattern = value { then } else { otherwise }`.
    IfLet {
        pattern: Box<Pattern>,
        value: Box<Expr>,
        then: Box<Block>,
        otherwise: Option<Box<Block>>,
    },
    /// Arms are tried in order; the checker proved that one always matches.
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<Arm>,
    },
    Block(Box<Block>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub pattern: Pattern,
    pub body: Block,
    pub loc: Loc,
}

/// `{ stmts; tail }`; `ty` is the tail's type, [`Ty::Unit`] without a tail, or
/// [`Ty::Never`] when every path ends in `return` or `abort`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub ty: Ty,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let {
        local: LocalId,
        value: Expr,
    },
    /// `let (a, b) = value;`: one local per element of the tuple (none for `_`).
    LetTuple {
        locals: Vec<Option<LocalId>>,
        value: Expr,
    },
    /// `place = value`, or `place op= value` with the arithmetic operator resolved.
    Assign {
        place: Place,
        op: Option<BinaryOp>,
        value: Expr,
    },
    /// An expression evaluated for its effect; its value is dropped.
    Expr(Expr),
    For {
        binding: ForBinding,
        iter: ForIter,
        body: Block,
    },
    Return(Option<Expr>),
    /// Leaves the innermost `for` loop.
    Break,
    /// Goes on with the next round of the innermost `for` loop.
    Continue,
    /// Aborts with `message` unless `cond` holds.
    Require {
        cond: Expr,
        message: Expr,
    },
    Abort(Expr),
    /// A [`ExprKind::Call`] of a policy or a [`ExprKind::CrossCall`] of a policy entry;
    /// aborts with `denied by rule <label>` unless the Decision permits.
    Authorize(Expr),
    /// Fields in declaration order.
    Emit {
        event: EventId,
        audit: bool,
        fields: Vec<Expr>,
    },
    /// `assume cond;` — properties only.
    Assume(Expr),
    /// `assert cond[, msg];` — properties only.
    Assert {
        cond: Expr,
        message: Option<Expr>,
    },
}

/// What a `for` loop iterates over.
#[derive(Clone, Debug, PartialEq)]
pub enum ForIter {
    /// `a..b` over Ints, half-open.
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
    },
    List(Expr),
    Set(Expr),
    /// Entries in key order, each a `(key, value)` tuple.
    Map(Expr),
    /// A persistent `Map` or `Set` state, in key order, read one entry at a time: a map's
    /// entries as `(key, value)` tuples, a set's elements. With `prefix`, only the keys
    /// (tuples) whose leading components are those values.
    Persistent {
        state: StateId,
        prefix: Vec<Expr>,
        map: bool,
    },
}

/// The loop variable(s): a name, or a tuple destructured (a map entry is `(key, value)`).
/// `None` for `_`.
#[derive(Clone, Debug, PartialEq)]
pub enum ForBinding {
    Name(Option<LocalId>),
    Tuple(Vec<Option<LocalId>>),
}

/// Something that can be assigned or changed in place.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub root: PlaceRoot,
    /// Fields and indexes from the root to the changed part.
    pub path: Vec<Projection>,
    /// The type of the changed part.
    pub ty: Ty,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlaceRoot {
    /// A `let mut` local.
    Local(LocalId),
    /// A scalar state variable (read, changed, written back).
    State(StateId),
    /// The entry `key` of a persistent map state (`m[k] = v` is `pmap_set`; with a path,
    /// the entry is read, changed and written back, and aborts when absent).
    StateEntry { state: StateId, key: Box<Expr> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Projection {
    /// Field of a record or tuple.
    Field(u32),
    /// `l[i]` of a list (aborts when out of range).
    ListIndex(Expr),
    /// `m[k]` of a local map (inserts or replaces; aborts when absent with a path after it).
    MapKey(Expr),
}

/// A checked pattern (its type is the matched value's).
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Wildcard,
    Bind(LocalId),
    /// Equal to a literal.
    Literal(Value),
    /// A variant or any of its descendants: `ordinal <= x < end`.
    Variant {
        enum_id: EnumId,
        ordinal: u32,
        end: u32,
    },
    Some(Box<Pattern>),
    None,
    Tuple(Vec<Pattern>),
    /// Any of the alternatives (which bind the same locals).
    Or(Vec<Pattern>),
}
