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

/// E0011: `abort` where a value is expected, as in `x ?? abort "…"`.
pub fn abort_as_value(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnexpectedToken,
        file,
        span,
        "expected an expression, found `abort`",
    )
    .with_label("`abort` is a statement, not a value")
    .with_help(
        "to stop when an option is `none`, match it: \
         `match x { some(v) => v, none => { abort \"…\"; } }`; \
         or check first: `require x != none, \"…\";`",
    )
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

/// A lexical error: its label follows from the code.
fn lexical(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
    let label = match code {
        Code::UnterminatedString | Code::UnterminatedComment => "opened here, never closed",
        Code::InvalidEscape => "invalid escape",
        Code::UnexpectedCharacter => "not part of any token",
        Code::UnexpectedToken => "not a number",
        Code::InvalidInterpolation => "no interpolation opens or closes here",
        _ => "invalid literal",
    };
    Diagnostic::new(code, file, span, message).with_label(label)
}

/// E0010: a character that starts no token.
pub fn unexpected_character(file: FileId, span: Span, character: char) -> Diagnostic {
    lexical(
        Code::UnexpectedCharacter,
        file,
        span,
        format!("unexpected character `{}`", character.escape_debug()),
    )
}

/// E0002: `/*` never closed.
pub fn unterminated_comment(file: FileId, span: Span) -> Diagnostic {
    lexical(
        Code::UnterminatedComment,
        file,
        span,
        "unterminated block comment",
    )
}

/// E0001: `"` never closed on its line.
pub fn unterminated_string(file: FileId, span: Span) -> Diagnostic {
    lexical(
        Code::UnterminatedString,
        file,
        span,
        "unterminated string literal",
    )
    .with_help("a string closes with `\"` on the line it opens")
}

/// Why a decimal literal (money, percent) cannot be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalError {
    /// More than 2 decimals.
    Decimals,
    /// Outside the 64-bit range.
    Range,
}

/// E0006: a percent literal that is not a whole number of basis points.
pub fn invalid_percent(file: FileId, span: Span, error: DecimalError) -> Diagnostic {
    let why = match error {
        DecimalError::Decimals => "a percent has at most 2 decimals",
        DecimalError::Range => "a percent literal is out of range",
    };
    lexical(Code::InvalidPercentLiteral, file, span, why)
        .with_help("percent is stored in basis points: `12.34%` at most")
}

/// E0005: money literal `text` that is not a whole number of cents.
pub fn invalid_money(file: FileId, span: Span, text: &str, error: DecimalError) -> Diagnostic {
    let (message, help) = match error {
        DecimalError::Decimals => (
            format!("money literal `{text}` has more than 2 decimals"),
            "money is counted in whole cents",
        ),
        DecimalError::Range => (
            format!("money literal `{text}` is out of range"),
            "money is a signed 64-bit number of cents",
        ),
    };
    lexical(Code::InvalidMoneyLiteral, file, span, message).with_help(help)
}

/// E0005: `$` without an amount.
pub fn money_without_amount(file: FileId, span: Span) -> Diagnostic {
    lexical(
        Code::InvalidMoneyLiteral,
        file,
        span,
        "`$` must be followed by an amount, as in `$12.50`",
    )
}

/// E0011 from the lexer: `text`, a number with decimals but no unit.
pub fn not_a_number(file: FileId, span: Span, text: &str) -> Diagnostic {
    lexical(
        Code::UnexpectedToken,
        file,
        span,
        format!("`{text}` is not a number Assent has"),
    )
    .with_help("an Int has no decimals; write money as `$12.50` and percent as `12.5%`")
}

/// E0004: integer literal `text` beyond 64 bits.
pub fn int_out_of_range(file: FileId, span: Span, text: &str) -> Diagnostic {
    lexical(
        Code::IntLiteralOutOfRange,
        file,
        span,
        format!("integer literal `{text}` does not fit in 64 bits"),
    )
    .with_help("the largest Int is 9223372036854775807")
}

/// E0004: tuple position `digits` beyond 64 bits.
pub fn position_out_of_range(file: FileId, span: Span, digits: &str) -> Diagnostic {
    lexical(
        Code::IntLiteralOutOfRange,
        file,
        span,
        format!("tuple position `{digits}` does not fit in 64 bits"),
    )
}

/// E0007: duration `text` beyond 64 bits of seconds.
pub fn duration_out_of_range(file: FileId, span: Span, text: &str) -> Diagnostic {
    lexical(
        Code::InvalidDurationLiteral,
        file,
        span,
        format!("duration `{text}` does not fit in 64 bits of seconds"),
    )
    .with_help("a duration is a signed 64-bit number of seconds")
}

/// E0007: a number followed by `suffix`, which is no duration unit.
pub fn unknown_duration_unit(file: FileId, span: Span, suffix: &str) -> Diagnostic {
    lexical(
        Code::InvalidDurationLiteral,
        file,
        span,
        format!("`{suffix}` is not a duration unit"),
    )
    .with_help("the units are s, m, h, d, w and y (365 days)")
}

/// E0008: `@text` that is no time.
pub fn invalid_time(file: FileId, span: Span, text: &str) -> Diagnostic {
    lexical(
        Code::InvalidTimeLiteral,
        file,
        span,
        format!("`@{text}` is not a valid time"),
    )
    .with_help("write a UTC calendar date `@2026-01-31` or `@2026-01-31T08:30:00Z`")
}

/// E0009: a hex literal of `count` digits, an odd number.
pub fn odd_hex_digits(file: FileId, span: Span, count: usize) -> Diagnostic {
    lexical(
        Code::InvalidHexLiteral,
        file,
        span,
        format!("hex literal with an odd number of digits ({count})"),
    )
    .with_help("each byte is two hex digits; add a leading `0`")
}

/// E0009: `digits` after `0x` that are not hexadecimal.
pub fn not_hexadecimal(file: FileId, span: Span, digits: &str) -> Diagnostic {
    lexical(
        Code::InvalidHexLiteral,
        file,
        span,
        format!("`{digits}` is not hexadecimal"),
    )
}

/// E0017: `{` in a string never closed.
pub fn unclosed_interpolation(file: FileId, span: Span) -> Diagnostic {
    lexical(
        Code::InvalidInterpolation,
        file,
        span,
        "`{` in a string is never closed",
    )
    .with_help(
        "close the interpolation with `}` before the string ends, or write `{{` for a literal `{`",
    )
}

/// E0017: `}` in a string that closes nothing.
pub fn unmatched_close_brace(file: FileId, span: Span) -> Diagnostic {
    lexical(
        Code::InvalidInterpolation,
        file,
        span,
        "`}` without a matching `{` in a string",
    )
    .with_help("write `}}` for a literal `}`")
}

/// E0003: `\u{…}` that is no Unicode scalar value.
pub fn invalid_unicode_escape(file: FileId, span: Span) -> Diagnostic {
    lexical(Code::InvalidEscape, file, span, "invalid unicode escape")
        .with_help("write `\\u{…}` with 1 to 6 hex digits of a Unicode scalar value")
}

/// E0003: `\escape`, which is no escape.
pub fn unknown_escape(file: FileId, span: Span, escape: char) -> Diagnostic {
    lexical(
        Code::InvalidEscape,
        file,
        span,
        format!("unknown escape `\\{}`", escape.escape_debug()),
    )
    .with_help("the escapes are \\n \\t \\r \\\\ \\\" and \\u{…}")
}
