//! The wording of effect, mutability and control-flow errors (E03xx).

use super::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// E0310: `return` in a policy.
pub fn return_in_policy(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ReturnOutsideFunction,
        file,
        span,
        "`return` is not allowed in a policy",
    )
    .with_label("a policy decides through its rules")
    .with_help("compute the value with `let` and use it in a rule's `when`")
}

/// E0310: `return value` in `role`, which has no result type; `found` is the value's type.
pub fn return_value_without_result(
    file: FileId,
    span: Span,
    role: &str,
    found: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::ReturnOutsideFunction,
        file,
        span,
        format!("{role} has no result type, so `return` takes no value"),
    )
    .with_label(format!("a value of type `{found}` is returned here"))
    .with_help(format!(
        "write `return;`, or declare the result type: `-> {found}`"
    ))
}

/// E0310: `return;` in `role`, which returns `expected` (declared at `declared`, when known).
pub fn return_without_value(
    file: FileId,
    span: Span,
    role: &str,
    expected: &str,
    declared: Option<Span>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::ReturnOutsideFunction,
        file,
        span,
        format!("`return` needs a value of type `{expected}`"),
    )
    .with_label("no value returned");
    match declared {
        Some(declared) => {
            diagnostic.with_secondary(file, declared, format!("{role} returns `{expected}`"))
        }
        None => diagnostic,
    }
}

/// E0303: a change (`changes`: "assign to", "call `.push()` on") of parameter `name`.
pub fn parameter_changed(file: FileId, span: Span, changes: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AssignToImmutable,
        file,
        span,
        format!("cannot {changes} parameter `{name}`"),
    )
    .with_label("parameters are immutable")
    .with_help(format!(
        "copy it into a mutable local: `let mut {name} = {name};`"
    ))
}

/// E0303: a change of the immutable local `name`, declared at `declared`.
pub fn immutable_local_changed(
    file: FileId,
    span: Span,
    changes: &str,
    name: &str,
    declared: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::AssignToImmutable,
        file,
        span,
        format!("cannot {changes} immutable variable `{name}`"),
    )
    .with_label("cannot change an immutable variable")
    .with_secondary(
        file,
        declared,
        format!("`{name}` is declared without `mut` here"),
    )
    .with_help(format!("make it mutable: `let mut {name}`"))
}

/// E0303: a change of the constant `name`.
pub fn constant_changed(file: FileId, span: Span, changes: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AssignToImmutable,
        file,
        span,
        format!("cannot {changes} constant `{name}`"),
    )
    .with_label("constants never change")
    .with_help("use a `state` variable for a value that changes")
}

/// E0304: state `name` has no initial value and the contract no `init`.
pub fn state_without_init(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::StateNotInitialised,
        file,
        span,
        format!("state `{name}` has no initial value and there is no `init`"),
    )
    .with_label("declared without `= value`")
    .with_help(format!(
        "give it an initial value (`state {name}: … = …;`), or assign it in `init`"
    ))
}

/// E0304: `init` can return at `exit` before state `name` is assigned.
pub fn state_unassigned_at_return(file: FileId, span: Span, name: &str, exit: Span) -> Diagnostic {
    Diagnostic::new(
        Code::StateNotInitialised,
        file,
        span,
        format!("state `{name}` is not assigned on every path of `init`"),
    )
    .with_label("declared without `= value`")
    .with_secondary(
        file,
        exit,
        format!("`init` can return here before `{name}` is assigned"),
    )
    .with_help(format!(
        "assign `{name}` before this `return`, or give it an initial value"
    ))
}

/// E0304: `init` (at `init_span`) can finish without assigning state `name`.
pub fn state_unassigned_at_end(
    file: FileId,
    span: Span,
    name: &str,
    init_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::StateNotInitialised,
        file,
        span,
        format!("state `{name}` is not assigned on every path of `init`"),
    )
    .with_label("declared without `= value`")
    .with_secondary(
        file,
        init_span,
        format!("`init` can finish without assigning `{name}`"),
    )
    .with_help(format!(
        "assign `{name}` on every path of `init` (in both branches of an `if`), or give it an initial value"
    ))
}
