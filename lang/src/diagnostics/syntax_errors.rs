//! The wording of syntax errors (E00xx) the parser reports, and of every "nested too
//! deep" limit (E0012) the parser and checker enforce.

use std::fmt::Display;

use super::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// E0011 at the token that is not `what`.
pub fn expected(file: FileId, span: Span, what: &str, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        format!("expected {what}, found {found}"),
    )
    .with_label(format!("expected {what}"))
}

/// E0011 where an item was expected.
pub fn expected_item(file: FileId, span: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        format!("expected an item, found {found}"),
    )
    .with_label("expected an item")
    .with_help(
        "items are `import`, `const`, `enum`, `record`, `event`, `state`, `init`, \
         `action`, `view`, `policy` and `fn`",
    )
}

/// E0011: a tuple pattern `(a, b)` where only a name is allowed, and `why`.
pub fn tuple_pattern_not_here(file: FileId, span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        format!("expected a name, found a tuple pattern: {why}"),
    )
    .with_label("a tuple pattern is not allowed here")
    .with_help(
        "a tuple pattern `(a, b)` may follow a function body's `let`, `for`, \
         and stand in `if let` and `match` patterns; elsewhere bind one name and \
         read its elements with `.0`, `.1`, …",
    )
}

/// E0011: a missing `;`, pointed at just after the previous token.
pub fn missing_semicolon(file: FileId, at: Span, found: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        at,
        format!("expected `;`, found {found}"),
    )
    .with_label("add `;` here")
}

/// E0011: `thing` ("the block", "the policy") opened at `open` is never closed.
pub fn unclosed(file: FileId, span: Span, thing: &str, open: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        format!("expected `}}` to close {thing}"),
    )
    .with_label("expected `}`")
    .with_secondary(file, open, format!("{thing} opens here"))
}

/// E0011: a `match` opened at `open` is never closed.
pub fn unclosed_match(file: FileId, span: Span, open: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        "expected `}` to close the `match`",
    )
    .with_secondary(file, open, "the `match` opens here")
}

/// E0011: the braces of record fields opened at `open` are never closed.
pub fn unclosed_fields(file: FileId, span: Span, open: Span) -> Diagnostic {
    Diagnostic::new(Code::UnexpectedToken, file, span, "expected `}`").with_secondary(
        file,
        open,
        "opened here",
    )
}

/// E0011: a block's tail expression followed by more statements.
pub fn tail_not_last(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        "expected `;` or `}` after an expression",
    )
    .with_label("expected `;` or `}`")
}

/// E0011: `emit E { ..base }`.
pub fn event_update(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        "an event has no `..base` update",
    )
    .with_label("not allowed in `emit`")
}

/// E0011: `let mut (a, b) = t;`.
pub fn mut_tuple_let(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        "the names of `let (a, b) = t;` cannot be `mut`",
    )
    .with_label("not allowed before a tuple pattern")
    .with_help("bind the element to a mutable local: `let mut x = t.0;`")
}

/// E0011: `a?.name(…)`.
pub fn call_after_optional_field(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        format!("`?.` reads a field, so `{name}` cannot be called"),
    )
    .with_label("a call after `?.`")
    .with_help(format!(
        "unwrap the option first: `if let some(x) = … {{ x.{name}(…) }}`"
    ))
}

/// E0012 from the parser: syntax nested deeper than `limit` levels.
pub fn syntax_too_deep(file: FileId, span: Span, limit: impl Display) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        file,
        span,
        format!("nesting deeper than {limit} levels"),
    )
    .with_label("too deep")
    .with_help("split the expression with `let` bindings or helper functions")
}

/// E0012 from the checker: expressions nested deeper than `limit` levels.
pub fn expressions_too_deep(file: FileId, span: Span, limit: impl Display) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        file,
        span,
        format!("expressions nested more than {limit} levels deep"),
    )
    .with_label("nesting too deep")
    .with_help("split the expression with `let` bindings or helper functions")
}

/// E0012: a type nested deeper than `limit` levels.
pub fn type_too_deep(file: FileId, span: Span, limit: impl Display) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        file,
        span,
        format!("type nested more than {limit} levels deep"),
    )
    .with_label("nesting too deep")
}

/// E0012: enum variants nested deeper than `limit` levels.
pub fn variants_too_deep(file: FileId, span: Span, limit: impl Display) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        file,
        span,
        format!("variants nested more than {limit} levels deep"),
    )
    .with_label("nesting too deep")
}

/// E0012: a constant defined through more than `limit` other constants.
pub fn constants_too_deep(file: FileId, span: Span, limit: impl Display) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        file,
        span,
        format!("constants defined through more than {limit} other constants"),
    )
    .with_label("nesting too deep")
}

/// E0015: comparison `op` following comparison `inner` without parentheses.
pub fn chained_comparison(file: FileId, span: Span, op: &str, inner: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ChainedComparison,
        file,
        span,
        format!("`{op}` cannot follow `{inner}` without parentheses"),
    )
    .with_label("comparison operators do not chain")
    .with_help("write `a < b && b < c`, or add parentheses")
}

/// E0016: `word` (`and`, `or`, `not`) written for `operator`.
pub fn word_operator(file: FileId, span: Span, word: &str, operator: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WordOperator,
        file,
        span,
        format!("`{word}` is not an operator: write `{operator}`"),
    )
    .with_label(format!("replace `{word}` with `{operator}`"))
    .with_help("the logical operators are `&&` (and), `||` (or) and `!` (not)")
}

/// E0017: `{}` with nothing between the braces.
pub fn empty_interpolation(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidInterpolation,
        file,
        span,
        "empty interpolation `{}` in a string",
    )
    .with_label("an expression goes between the braces")
    .with_help("write `{{}}` for literal braces")
}

/// E0013: a second `contract` declaration in one file.
pub fn second_contract(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::MissingContract,
        file,
        span,
        "a file holds one contract",
    )
    .with_label("second contract declaration")
    .with_help("move this contract into its own file")
}

/// E0013: `contract Name;` after other items.
pub fn misplaced_contract(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::MissingContract,
        file,
        span,
        "`contract` must be the first item of the file",
    )
    .with_label("declared after other items")
    .with_help("move this declaration to the top of the file")
}

/// E0013: a contract file without `contract Name;` (`span`: its first item).
pub fn missing_contract(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::MissingContract,
        file,
        span,
        "a contract file must start with `contract Name;`",
    )
    .with_label("expected `contract Name;` before this")
    .with_help("add `contract Name;` as the first line")
}

/// E0014: the reserved word `name` used as a name.
pub fn reserved_word(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ReservedWord,
        file,
        span,
        format!("`{name}` is a reserved word and cannot be used as a name"),
    )
    .with_label("reserved word")
    .with_help(format!("choose another name, such as `{name}_`"))
}
