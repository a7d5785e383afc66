//! The wording of type errors (E02xx): mismatched types, operators applied to types they
//! do not take, and expressions without a value. Types arrive already written as source
//! (`Money`, `List<Int>`); the checker decides which error it is.

use super::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// The unit a bare `Int` literal `n` was probably meant in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralUnit {
    Money,
    Percent,
    Duration,
}

/// Advice for an `Int` literal `n` written where a `unit` was expected.
pub fn literal_help(n: i64, unit: LiteralUnit) -> String {
    match unit {
        LiteralUnit::Money => format!("write `${n}` for an amount of money"),
        LiteralUnit::Percent => format!("write `{n}%` for a percentage"),
        LiteralUnit::Duration => format!("write `{n}d`, `{n}h`, `{n}m` or `{n}s` for a duration"),
    }
}

/// What follows a mismatch: advice for a literal, or a note on the rule broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MismatchAdvice {
    /// An `Int` literal `n` that wanted a unit.
    Literal(i64, LiteralUnit),
    /// A condition that is not `Bool`.
    NoTruthiness,
    /// Any other type where a value type was expected.
    NoConversions,
    None,
}

/// E0201: a value of type `found` where `expected` was expected.
pub fn mismatch(
    file: FileId,
    span: Span,
    expected: &str,
    found: &str,
    advice: MismatchAdvice,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("mismatched types: expected `{expected}`, found `{found}`"),
    )
    .with_label(format!("expected `{expected}`, found `{found}`"));
    match advice {
        MismatchAdvice::Literal(n, unit) => diagnostic.with_help(literal_help(n, unit)),
        MismatchAdvice::NoTruthiness => {
            diagnostic.with_note("conditions must be `Bool`: there is no truthiness")
        }
        MismatchAdvice::NoConversions => {
            diagnostic.with_note("there are no implicit conversions between types")
        }
        MismatchAdvice::None => diagnostic,
    }
}

/// E0201: `none` where `expected`, not an option, was expected.
pub fn none_not_option(file: FileId, span: Span, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("mismatched types: expected `{expected}`, found `none`"),
    )
    .with_label(format!("`{expected}` is not an option"))
    .with_note(format!(
        "only an option type such as `{expected}?` has `none`"
    ))
}

/// E0201: a block that should end with a value of type `expected` but has no tail
/// (`end`: its closing brace).
pub fn block_without_value(file: FileId, end: Span, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        end,
        format!("mismatched types: expected `{expected}`, but this block has no value"),
    )
    .with_label(format!(
        "the block ends here without a value of type `{expected}`"
    ))
    .with_help("end the block with an expression (without `;`)")
}

/// E0201: the body of `role` (declared at `name_span` without a result type) ends with a
/// value of type `found`.
pub fn unused_tail_value(
    file: FileId,
    span: Span,
    role: &str,
    found: &str,
    name_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("{role} has no result type, but its body ends with a value of type `{found}`"),
    )
    .with_label("this value is not used")
    .with_secondary(file, name_span, "no `-> T` here")
    .with_help(format!(
        "end the line with `;` to discard the value, or declare `-> {found}`"
    ))
}

/// E0201: a `for` over something that is not a collection or range.
pub fn cannot_iterate(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("cannot iterate over `{found}`"),
    )
    .with_label("expected a `List`, `Set`, `Map` or a range `a..b`")
}

/// E0201: a built-in function named as a value.
pub fn builtin_not_value(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("`{name}` is a built-in function, not a value"),
    )
    .with_label("expected a value")
    .with_help(format!("call it: `{name}(…)`"))
}

/// What a name that is not a value declares, for [`declaration_not_value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotValue {
    Function,
    Record,
    Enum,
    Interface,
    Other,
}

/// E0201: `name`, a declaration of `kind` (as a phrase: "record", "event", …), used as a
/// value.
pub fn declaration_not_value(
    file: FileId,
    span: Span,
    kind: &str,
    name: &str,
    what: NotValue,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("expected a value, found {kind} `{name}`"),
    )
    .with_label(format!("`{name}` is a {kind}"));
    match what {
        NotValue::Function => diagnostic.with_help(format!("call it: `{name}(…)`")),
        NotValue::Record => {
            diagnostic.with_help(format!("construct a value: `{name} {{ field: value, … }}`"))
        }
        NotValue::Enum => diagnostic.with_help(format!("name a variant: `{name}.Variant`")),
        NotValue::Interface => diagnostic.with_help(format!(
            "call one of its entry points: `{name}(address).entry(…)`"
        )),
        NotValue::Other => diagnostic,
    }
}

/// E0201: `base?.field` where `base` (written `written`, when short) is a `found`, not
/// an option.
pub fn optional_field_of_non_option(
    file: FileId,
    span: Span,
    found: &str,
    written: Option<&str>,
    field: &str,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("`?.` needs an option, found `{found}`"),
    )
    .with_label(format!("a `{found}`, never `none`"));
    match written {
        Some(written) => {
            diagnostic.with_help(format!("read the field with `.`: `{written}.{field}`"))
        }
        None => diagnostic,
    }
}

/// E0201: `[]` where a map is expected.
pub fn empty_list_for_map(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        "`[]` is an empty list, but a map is expected",
    )
    .with_label("expected a map")
    .with_help("write `[:]` for an empty map")
}

/// E0201: `abs` of a `found`.
pub fn abs_argument(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("`abs` takes an `Int`, `Money`, `Percent` or `Duration`, found `{found}`"),
    )
    .with_label(format!("`{found}`"))
}

/// E0201: `len` of a `found`.
pub fn len_argument(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        file,
        span,
        format!("`len` takes a `List`, `Set`, `Map`, `String` or `Bytes`, found `{found}`"),
    )
    .with_label(format!("`{found}` has no length"))
}

/// E0202: `-x` of a `found`.
pub fn cannot_negate(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("cannot negate `{found}`"),
    )
    .with_label(format!("`-` applied to `{found}`"))
    .with_note("`-x` applies to `Int`, `Money`, `Percent` and `Duration`")
}

/// E0202: `!x` of a `found`.
pub fn not_of_non_bool(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("`!` takes a `Bool`, found `{found}`"),
    )
    .with_label(format!("`!` applied to `{found}`"))
    .with_note("there is no truthiness: compare explicitly, e.g. `x == 0`")
}

/// E0202: an operand of `&&` or `||` (`op`, at `op_span`) of type `found`.
pub fn logic_of_non_bool(
    file: FileId,
    span: Span,
    op: &str,
    found: &str,
    op_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("`{op}` takes `Bool` operands, found `{found}`"),
    )
    .with_label(format!("this is `{found}`"))
    .with_secondary(file, op_span, format!("`{op}` needs `Bool` on both sides"))
    .with_note("there is no truthiness: compare explicitly, e.g. `x != 0`")
}

/// E0202: `left op right` compares two different types.
pub fn cannot_compare(
    file: FileId,
    op_span: Span,
    op: &str,
    left: &str,
    right: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        op_span,
        format!("cannot compare `{left}` with `{right}`"),
    )
    .with_label(format!("`{left} {op} {right}`"))
    .with_note("both sides of a comparison have the same type")
}

/// E0202: `<`, `<=`, `>` or `>=` (`op`) of a type `ty` without order.
pub fn not_ordered(file: FileId, op_span: Span, op: &str, ty: &str, is_bool: bool) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::InvalidOperands,
        file,
        op_span,
        format!("`{op}` cannot compare `{ty}` values: `{ty}` has no order"),
    )
    .with_label(format!("`{ty}` is not ordered"));
    if is_bool {
        diagnostic.with_note("only `==` and `!=` compare `Bool` values")
    } else {
        diagnostic.with_note(
            "ordered types are numbers, money, percent, time, duration, strings, bytes, \
             hashes, addresses, enums, and options, tuples and records of ordered types",
        )
    }
}

/// E0202: `a ?? b` where `a` is a `found`, not an option.
pub fn default_of_non_option(file: FileId, span: Span, found: &str, op_span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("`??` needs an option on its left, found `{found}`"),
    )
    .with_label(format!("`{found}` is not an option"))
    .with_secondary(
        file,
        op_span,
        "`a ?? b` is the value of `a`, or `b` when `a` is `none`",
    )
}

/// E0202: `a in b` where `b` is a `found`, with no elements.
pub fn in_of_non_collection(file: FileId, span: Span, found: &str, op_span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("`in` needs a `List`, `Set`, `Map` or enum value on its right, found `{found}`"),
    )
    .with_label(format!("`{found}` has no elements"))
    .with_secondary(file, op_span, "membership test")
}

/// E0202: `a in b` where `a` (a `left`, at `left_span`) is not an `element`; `among`
/// says what `b` holds ("`Role` values", "elements of `Set<Int>`").
pub fn in_element_mismatch(
    file: FileId,
    op_span: Span,
    left: &str,
    among: &str,
    element: &str,
    left_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        op_span,
        format!("cannot look for `{left}` among {among}"),
    )
    .with_label(format!("expected `{element}` on the left"))
    .with_secondary(file, left_span, format!("`{left}`"))
}

/// Why an expression has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Valueless<'a> {
    /// A call of the function named, which has no result type.
    Call(&'a str),
    /// A method that changes its receiver.
    Mutation,
    Other,
}

fn valueless_label(why: Valueless<'_>) -> String {
    match why {
        Valueless::Call(function) => format!("`{function}` has no result type"),
        Valueless::Mutation => "changes its receiver and has no value".to_string(),
        Valueless::Other => "no value".to_string(),
    }
}

/// E0210: an expression without a value where a value is needed.
pub fn no_value(file: FileId, span: Span, why: Valueless<'_>) -> Diagnostic {
    Diagnostic::new(Code::NoValue, file, span, "this expression has no value")
        .with_label(valueless_label(why))
}

/// E0210: an expression without a value where a value of type `expected` is needed.
pub fn no_value_for(file: FileId, span: Span, expected: &str, why: Valueless<'_>) -> Diagnostic {
    Diagnostic::new(
        Code::NoValue,
        file,
        span,
        format!("expected a value of type `{expected}`, but this has no value"),
    )
    .with_label(valueless_label(why))
}

/// E0206: a call of an expression of type `found`.
pub fn value_not_callable(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(Code::NotCallable, file, span, "this is not a function")
        .with_label(format!("a value of type `{found}` cannot be called"))
}

/// E0206: a call of `name`, which is `what` ("a parameter", "a local variable") of type
/// `ty`.
pub fn local_not_callable(
    file: FileId,
    span: Span,
    name: &str,
    what: &str,
    ty: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::NotCallable,
        file,
        span,
        format!("`{name}` is not a function"),
    )
    .with_label(format!("`{name}` is {what} of type `{ty}`"))
    .with_note("only functions, views, policies and built-ins can be called")
}

/// E0206: `Name(…)` where `Name` is a contract interface.
pub fn interface_not_callable(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NotCallable,
        file,
        span,
        format!("`{name}(…)` names a contract; call one of its entry points"),
    )
    .with_label("a contract at an address, not a call")
    .with_help(format!("write `{name}(address).entry(…)`"))
}

/// E0206: a call of `name`, a declaration of `kind` that is not a function.
pub fn declaration_not_callable(
    file: FileId,
    span: Span,
    kind: &str,
    name: &str,
    is_record: bool,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::NotCallable,
        file,
        span,
        format!("`{name}` is a {kind}, not a function"),
    )
    .with_label("not callable");
    if is_record {
        diagnostic.with_help(format!(
            "construct a record with `{name} {{ field: value, … }}`"
        ))
    } else {
        diagnostic
    }
}

/// E0213: `name`, bound in the first alternative of `p | q`, is missing from `alternative`.
pub fn unbound_in_alternative(file: FileId, alternative: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::PatternMismatch,
        file,
        alternative,
        format!("`{name}` is not bound in every alternative"),
    )
    .with_label(format!("this alternative does not bind `{name}`"))
    .with_note("every alternative of `p | q` binds the same names")
}

/// E0213: `name` bound only in a later alternative of `p | q`.
pub fn bound_only_here(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::PatternMismatch,
        file,
        span,
        format!("`{name}` is not bound in every alternative"),
    )
    .with_label("only this alternative binds it")
    .with_note("every alternative of `p | q` binds the same names")
}

/// E0213: `name` bound with type `here` in this alternative and `first` in the first.
pub fn alternative_type_differs(
    file: FileId,
    span: Span,
    name: &str,
    first: &str,
    here: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::PatternMismatch,
        file,
        span,
        format!("`{name}` has type `{here}` here but `{first}` in the first alternative"),
    )
    .with_label(format!("of type `{here}`"))
}

/// What a pattern that does not fit its value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternShape<'a> {
    /// A literal of the type shown.
    Literal(&'a str),
    Some,
    None,
    /// A tuple of this many items.
    Tuple(usize),
    /// A variant of the enum shown.
    Variant(&'a str),
}

/// E0213: a pattern of `shape` that cannot match a value of type `found`.
pub fn pattern_mismatch(
    file: FileId,
    span: Span,
    shape: PatternShape<'_>,
    found: &str,
) -> Diagnostic {
    let what = match shape {
        PatternShape::Literal(ty) => format!("this pattern is a literal of type `{ty}`"),
        PatternShape::Some => "`some(…)` matches an option".to_string(),
        PatternShape::None => "`none` matches an option".to_string(),
        PatternShape::Tuple(len) => format!("this pattern is a tuple of {len}"),
        PatternShape::Variant(ty) => format!("this pattern is a variant of `{ty}`"),
    };
    Diagnostic::new(
        Code::PatternMismatch,
        file,
        span,
        format!("mismatched pattern: {what}, but the matched value has type `{found}`"),
    )
    .with_label(format!("does not fit `{found}`"))
}

/// E0213: `for (a, b, …) in` over elements of type `element`, which are not tuples of
/// `count` items.
pub fn loop_destructure(file: FileId, span: Span, element: &str, count: usize) -> Diagnostic {
    Diagnostic::new(
        Code::PatternMismatch,
        file,
        span,
        format!("cannot destructure `{element}` into {count} names"),
    )
    .with_label(format!("each element has type `{element}`"))
    .with_note("`for (k, v) in m` takes the entries of a `Map`, or tuples of that size")
}

/// E0215: `target[k] = …` where the target is a `found`; `is_bytes` adds why.
pub fn element_not_assignable(file: FileId, span: Span, found: &str, is_bytes: bool) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::InvalidAssignTarget,
        file,
        span,
        format!("cannot assign to an element of `{found}`"),
    )
    .with_label("not a list or map element");
    if is_bytes {
        diagnostic.with_note("`Bytes` cannot be changed in place")
    } else {
        diagnostic
    }
}

/// E0215: a mutating method `.method()` called on something that is not a variable.
pub fn mutation_of_non_place(file: FileId, span: Span, method: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidAssignTarget,
        file,
        span,
        format!("`.{method}()` changes its receiver, which must be a variable"),
    )
    .with_label("not a variable, field or element")
    .with_help("store the value in a `let mut` variable first")
}

/// E0215: `… = value` where the left side is not a place.
pub fn assignment_to_non_place(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidAssignTarget,
        file,
        span,
        "cannot assign to this expression",
    )
    .with_label("not a variable, field or element")
    .with_help("the left side of `=` is a variable, a field of one, or an element `m[k]`")
}

/// E0215: a change (`changes`: "assign to", …) of `name`, a declaration of `kind`.
pub fn declaration_not_assignable(
    file: FileId,
    span: Span,
    changes: &str,
    kind: &str,
    name: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidAssignTarget,
        file,
        span,
        format!("cannot {changes} {kind} `{name}`"),
    )
    .with_label("not a variable")
}

/// E0202: `min`/`max` (`function`) of a type `ty` without order.
pub fn unordered_argument(file: FileId, span: Span, function: &str, ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("`{function}` needs an ordered type; `{ty}` has no order"),
    )
    .with_label(format!("`{ty}` values cannot be ordered"))
}

/// E0202: `s[x]` of a persistent `Set`; `help` says what to write instead.
fn persistent_set_indexed(file: FileId, span: Span, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        "a persistent `Set` cannot be indexed",
    )
    .with_label("not a map")
    .with_help(help)
}

/// E0202: `s[x]` read from a persistent `Set`.
pub fn persistent_set_read_by_index(file: FileId, span: Span) -> Diagnostic {
    persistent_set_indexed(
        file,
        span,
        "test membership with `s.contains(x)` or `x in s`",
    )
}

/// E0202: `s[x] = …` on a persistent `Set`.
pub fn persistent_set_written_by_index(file: FileId, span: Span) -> Diagnostic {
    persistent_set_indexed(file, span, "add an element with `s.insert(x)`")
}

/// E0202: `v[i]` of a `found` that has no elements to index; `is_string` adds advice.
pub fn cannot_index(file: FileId, span: Span, found: &str, is_string: bool) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("cannot index a value of type `{found}`"),
    )
    .with_label(format!("`{found}` cannot be indexed"))
    .with_note("`[…]` indexes a `List`, a `Map` or `Bytes`");
    if is_string {
        diagnostic.with_help("index its bytes: `s.bytes()[i]`")
    } else {
        diagnostic
    }
}

/// E0202: `place symbol= value` (`binary`: the operator it stands for) whose result is
/// not of the place's type `place`.
pub fn compound_assignment(
    file: FileId,
    span: Span,
    symbol: &str,
    binary: &str,
    place: &str,
    value: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidOperands,
        file,
        span,
        format!("cannot apply `{symbol}` to `{place}` and `{value}`"),
    )
    .with_label(format!(
        "`{place} {binary} {value}` does not give a value of type `{place}`"
    ))
}

/// E0208: `none` whose option type nothing fixes.
pub fn untyped_none(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::CannotInferType,
        file,
        span,
        "the type of this `none` cannot be known here",
    )
    .with_label("`none` of which option type?")
    .with_help("give the binding a type: `let x: Int? = none;`")
}

/// E0208: `[]` whose element type nothing fixes.
pub fn untyped_empty_list(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::CannotInferType,
        file,
        span,
        "the element type of this empty list cannot be known here",
    )
    .with_label("a list of what?")
    .with_help("give the binding a type: `let xs: List<Int> = [];`")
}

/// E0208: `[:]` whose key and value types nothing fixes.
pub fn untyped_empty_map(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::CannotInferType,
        file,
        span,
        "the types of this empty map cannot be known here",
    )
    .with_label("a map from what to what?")
    .with_help("give the binding a type: `let m: Map<String, Int> = [:];`")
}

/// E0204: the `missing` fields not given to `what` (`record`, `event`) `owner`.
pub fn missing_fields(
    file: FileId,
    span: Span,
    what: &str,
    owner: &str,
    missing: &[&str],
) -> Diagnostic {
    let plural = if missing.len() == 1 {
        "field"
    } else {
        "fields"
    };
    let quoted: Vec<String> = missing.iter().map(|name| format!("`{name}`")).collect();
    let list = super::join_words(&quoted);
    let diagnostic = Diagnostic::new(
        Code::MissingField,
        file,
        span,
        format!("missing {plural} {list} in {what} `{owner}`"),
    )
    .with_label(format!("missing {list}"))
    .with_note(format!("every field of a {what} must be given"));
    if what == "record" {
        diagnostic.with_help(format!(
            "give every field, or copy the rest from another value: `{owner} {{ ..other, … }}`"
        ))
    } else {
        diagnostic
    }
}

/// E0205: field `field` given twice (`first`: the first).
pub fn field_given_twice(file: FileId, span: Span, field: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateField,
        file,
        span,
        format!("field `{field}` is given twice"),
    )
    .with_label("given again here")
    .with_secondary(file, first, "first given here")
}

/// E0207: a map whose keys are maps.
pub fn map_as_key(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(Code::MapAsKey, file, span, "a `Map` cannot be a map key")
        .with_label("the keys of this map are maps")
        .with_note("map keys and set elements may be any type except `Map`")
}

/// E0209: an `if` without `else` used as a value.
pub fn if_without_else(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::IfWithoutElse,
        file,
        span,
        "an `if` without `else` has no value",
    )
    .with_label("this `if` is used as a value but has no `else`")
    .with_help("add an `else` branch with a value of the same type")
}

/// E0214: persistent state `name` of type `ty` (a `Set` when `is_set`, else a `Map`)
/// used as a value.
pub fn persistent_as_value(
    file: FileId,
    span: Span,
    ty: &str,
    name: &str,
    is_set: bool,
) -> Diagnostic {
    Diagnostic::new(
        Code::PersistentAsValue,
        file,
        span,
        format!("persistent `{ty}` state `{name}` cannot be used as a value"),
    )
    .with_label("one ledger entry per element: it cannot be copied, passed or returned")
    .with_help(if is_set {
        "use its operations: `s.contains(x)`, `x in s`, `s.insert(x)`, `s.remove(x)`, `len(s)`"
    } else {
        "use its operations: `m[k]`, `m.get(k)`, `m.contains(k)`, `k in m`, `m[k] = v`, `m.remove(k)`, `len(m)`"
    })
}

/// E0214: persistent state `name` of type `ty` assigned as a whole.
pub fn persistent_assigned(
    file: FileId,
    span: Span,
    ty: &str,
    name: &str,
    is_set: bool,
) -> Diagnostic {
    Diagnostic::new(
        Code::PersistentAsValue,
        file,
        span,
        format!("persistent `{ty}` state `{name}` cannot be assigned as a whole"),
    )
    .with_label("one ledger entry per element")
    .with_help(if is_set {
        "change elements with `s.insert(x)` and `s.remove(x)`"
    } else {
        "change entries with `m[k] = v` and `m.remove(k)`"
    })
}

/// E0211: a range `a..b` used as a value.
pub fn range_outside_for(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RangeOutsideFor,
        file,
        span,
        "a range `a..b` can only be iterated by a `for` loop",
    )
    .with_label("a range is not a value")
    .with_help("write `for i in a..b { … }`; for a collection of numbers, build a `List`")
}

/// E0211: `m.prefix(…)` outside the head of a `for` loop.
pub fn prefix_outside_for(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RangeOutsideFor,
        file,
        span,
        "a key prefix `m.prefix(…)` can only be iterated by a `for` loop",
    )
    .with_label("a key prefix is not a value")
    .with_help("write `for (key, value) in m.prefix(first) { … }`")
}

/// E0217: `m.prefix(…)` with `given` components, for persistent `ty` state whose key has
/// `components` (0 when it is not a tuple).
pub fn prefix_mismatch(
    file: FileId,
    span: Span,
    ty: &str,
    components: usize,
    given: usize,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::PrefixMismatch,
        file,
        span,
        if components == 0 {
            format!("the key of persistent `{ty}` state is not a tuple: it has no prefix")
        } else if given == 0 {
            "a key prefix needs at least its first component".to_string()
        } else {
            format!(
                "a key prefix of {} for a key of {}",
                plural(given, "component"),
                plural(components, "component")
            )
        },
    );
    if components == 0 {
        diagnostic
            .with_label("keys of one part")
            .with_help("iterate the whole collection with `for … in m`")
    } else {
        diagnostic
            .with_label(format!("expected 1 to {components} leading components"))
            .with_help("give the key's first components, in order")
    }
}

/// E0207: a `Map` as `role` ("a map key", "a set element") in a type.
pub fn map_in_key_type(file: FileId, span: Span, role: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MapAsKey,
        file,
        span,
        format!("a `Map` cannot be {role}"),
    )
    .with_label("this is a `Map`")
    .with_note("map keys and set elements may be any type except `Map`")
    .with_help("use a `List` of `(key, value)` tuples, or a record")
}

/// "1 argument", "2 arguments".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "1 was", "2 were".
fn given(n: usize) -> String {
    match n {
        1 => "1 was".to_string(),
        n => format!("{n} were"),
    }
}

/// E0203: `what` (a function or method, as written) takes `expected` arguments but was
/// given `found`; `declared` is where, with its parameters written `name: Type`.
pub fn wrong_argument_count(
    file: FileId,
    span: Span,
    what: &str,
    expected: usize,
    found: usize,
    declared: Option<(FileId, Span, &[String])>,
) -> Diagnostic {
    let takes = plural(expected, "argument");
    let diagnostic = Diagnostic::new(
        Code::WrongArgumentCount,
        file,
        span,
        format!("{what} takes {takes} but {} given", given(found)),
    )
    .with_label(format!("expected {takes}"));
    match declared {
        Some((decl_file, decl_span, params)) => diagnostic.with_secondary(
            decl_file,
            decl_span,
            format!("declared here as `({})`", params.join(", ")),
        ),
        None => diagnostic,
    }
}

/// E0203: the built-in `name` given `found` arguments; it takes `expected` (`None`: at
/// least 1).
pub fn builtin_argument_count(
    file: FileId,
    span: Span,
    name: &str,
    expected: Option<usize>,
    found: usize,
) -> Diagnostic {
    let takes = match expected {
        None => "at least 1 argument".to_string(),
        Some(expected) => plural(expected, "argument"),
    };
    Diagnostic::new(
        Code::WrongArgumentCount,
        file,
        span,
        format!("`{name}` takes {takes} but {} given", given(found)),
    )
    .with_label(format!("expected {takes}"))
}

/// E0203: `Contract(…)` given `found` arguments instead of one address.
pub fn interface_address_count(
    file: FileId,
    span: Span,
    contract: &str,
    found: usize,
) -> Diagnostic {
    Diagnostic::new(
        Code::WrongArgumentCount,
        file,
        span,
        format!(
            "`{contract}(…)` takes the contract's address, but {} given",
            given(found)
        ),
    )
    .with_label("expected 1 argument, an `Address`")
}

/// E0213: `let (a, b, …) = value` with `count` names where the value is a `found`
/// (`tuple_len`: its element count, when it is a tuple).
pub fn let_destructure(
    file: FileId,
    span: Span,
    count: usize,
    found: &str,
    tuple_len: Option<usize>,
) -> Diagnostic {
    let (message, note) = match tuple_len {
        Some(len) => (
            format!("a pattern of {count} names cannot destructure a tuple of {len} elements"),
            format!("write one name (or `_`) per element of `{found}`"),
        ),
        None => (
            format!("cannot destructure `{found}`: it is not a tuple"),
            "`let (a, b) = t;` takes a tuple; bind a record with one name and \
             read its fields"
                .to_string(),
        ),
    };
    Diagnostic::new(Code::PatternMismatch, file, span, message)
        .with_label(format!("the value has type `{found}`"))
        .with_note(note)
}

/// E0216: `authorize` of something that is not a policy call; `label` says what it
/// is, `condition` is the source text when it is a `Bool`.
pub fn not_a_policy(file: FileId, span: Span, label: &str, condition: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::NotAPolicy,
        file,
        span,
        "`authorize` takes a call of a policy",
    )
    .with_label(label)
    .with_note("`authorize p(…);` aborts unless the policy's Decision permits");
    match condition {
        Some(text) => diagnostic.with_help(format!(
            "to require a condition, write `require {text}, \"…\";`"
        )),
        None => diagnostic,
    }
}

/// What `authorize` was given instead of a policy call: the function `name` of
/// `keyword` kind, or not a call.
pub fn not_a_policy_label(function: Option<(&str, &str)>, is_call: bool) -> String {
    match (function, is_call) {
        (Some((name, keyword)), _) => format!("`{name}` is a {keyword}, not a policy"),
        (None, true) => "not a policy".to_string(),
        (None, false) => "not a policy call".to_string(),
    }
}

/// Why an initialiser is not a compile-time constant (E0212).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotConstant<'a> {
    /// The constant named refers back to itself.
    SelfReference(&'a str),
    /// A map literal with a key twice.
    DuplicateKey,
    /// A context word (`caller`, `now`, …) known only when a transaction runs.
    ContextWord(&'a str),
    State,
    Call,
    /// `if`, `match` or a block.
    ControlFlow,
    Overflow,
    DivisionByZero,
}

/// E0212: a constant or state initialiser that is not a compile-time constant.
pub fn not_constant(file: FileId, span: Span, why: NotConstant<'_>) -> Diagnostic {
    let (message, label, help): (String, String, Option<&str>) = match why {
        NotConstant::SelfReference(name) => (
            format!("constant `{name}` is defined in terms of itself"),
            "this refers back to the constant being defined".into(),
            None,
        ),
        NotConstant::DuplicateKey => (
            "a key appears twice in this map".into(),
            "repeated key".into(),
            Some("give each key once"),
        ),
        NotConstant::ContextWord(word) => (
            format!("`{word}` is not a compile-time constant"),
            format!("`{word}` is only known when a transaction runs"),
            Some("assign it in `init` instead"),
        ),
        NotConstant::State => (
            "state is not a compile-time constant".into(),
            "state is only known when a transaction runs".into(),
            Some("assign it in `init` instead"),
        ),
        NotConstant::Call => (
            "a call is not a compile-time constant".into(),
            "calls run only in transactions".into(),
            Some("write the value itself, or compute it in `init`"),
        ),
        NotConstant::ControlFlow => (
            "`if`, `match` and blocks are not allowed in a constant".into(),
            "not a compile-time constant".into(),
            None,
        ),
        NotConstant::Overflow => (
            "this constant expression overflows".into(),
            "the result does not fit in 64 bits".into(),
            None,
        ),
        NotConstant::DivisionByZero => (
            "division by zero in a constant".into(),
            "the divisor is zero".into(),
            None,
        ),
    };
    let diagnostic = Diagnostic::new(Code::NotConstant, file, span, message)
        .with_label(label)
        .with_note(
            "constants and state initialisers are built from literals, operators, \
             other constants, enum variants, records, tuples and collection literals",
        );
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// What follows an arithmetic operator applied to types it does not take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArithmeticAdvice {
    /// An `Int` literal that wanted a unit.
    Literal(i64, LiteralUnit),
    /// The operands the other way round work, giving this type.
    Swapped(String),
    /// `Time + Time`.
    TimePlusTime,
    /// The right operands the left one takes, each with its result type.
    Forms(Vec<(String, String)>),
    /// The operator takes no operand of the left type.
    DoesNotApply,
}

/// E0202: `left op right` for an arithmetic `op` (`+`, `-`, `*`, `/`, `%`).
pub fn invalid_arithmetic(
    file: FileId,
    op_span: Span,
    op: &str,
    left: &str,
    right: &str,
    advice: ArithmeticAdvice,
) -> Diagnostic {
    let message = match op {
        "+" => format!("cannot add `{right}` to `{left}`"),
        "-" => format!("cannot subtract `{right}` from `{left}`"),
        "*" => format!("cannot multiply `{left}` by `{right}`"),
        "/" => format!("cannot divide `{left}` by `{right}`"),
        _ => format!("cannot take the remainder of `{left}` divided by `{right}`"),
    };
    let diagnostic = Diagnostic::new(Code::InvalidOperands, file, op_span, message)
        .with_label(format!("`{left} {op} {right}` is not defined"));
    match advice {
        ArithmeticAdvice::Literal(n, unit) => diagnostic.with_help(literal_help(n, unit)),
        ArithmeticAdvice::Swapped(result) => diagnostic.with_help(format!(
            "write the operands the other way round: `{right} {op} {left}` gives `{result}`"
        )),
        ArithmeticAdvice::TimePlusTime => diagnostic.with_help(
            "add a `Duration` to a `Time` (`t + 30d`); `a - b` of two times is the `Duration` between them",
        ),
        ArithmeticAdvice::Forms(forms) => {
            let forms: Vec<String> = forms
                .iter()
                .map(|(other, result)| format!("`{left} {op} {other}` gives `{result}`"))
                .collect();
            diagnostic.with_note(super::join_words(&forms))
        }
        ArithmeticAdvice::DoesNotApply => {
            diagnostic.with_note(format!("`{op}` does not apply to `{left}`"))
        }
    }
}
