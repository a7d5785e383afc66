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

/// E0302: `keyword` (`emit`, `audit`) in `role`, which is read-only.
pub fn emit_outside_action(file: FileId, span: Span, keyword: &str, role: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EmitOutsideAction,
        file,
        span,
        format!("`{keyword}` in {role}"),
    )
    .with_label(format!("`{keyword}` is only allowed in `init` and actions"))
    .with_note("views, policies and functions are read-only")
}

/// E0305: persistent collection `name` written (at `span`) inside a `for` loop over it.
pub fn write_inside_its_loop(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WriteInsideItsLoop,
        file,
        span,
        format!("`{name}` is written inside a loop over it"),
    )
    .with_label("written here")
    .with_note("a loop over persistent state walks it as it was when the loop began")
    .with_help("collect the keys to change in a `List` inside the loop, then write them after it")
}

/// E0308: the body of `role`, returning `ty` (declared at `declared`, when known), can
/// reach its end (`end`) without a value.
pub fn missing_return(
    file: FileId,
    end: Span,
    role: &str,
    ty: &str,
    declared: Option<Span>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::MissingReturn,
        file,
        end,
        format!("{role} can end without returning a value of type `{ty}`"),
    )
    .with_label("the body can reach its end here without a value");
    let diagnostic = match declared {
        Some(declared) => {
            diagnostic.with_secondary(file, declared, format!("the result type is `{ty}`"))
        }
        None => diagnostic,
    };
    diagnostic.with_help("end the body with a value, or `return` one on every path")
}

/// E0312: `keyword` (`break`, `continue`) outside a loop; `in_function` adds how to
/// leave a function.
pub fn jump_outside_loop(file: FileId, span: Span, keyword: &str, in_function: bool) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::JumpOutsideLoop,
        file,
        span,
        format!("`{keyword}` outside a `for` loop"),
    )
    .with_label(format!("`{keyword}` belongs in the body of a `for` loop"));
    if in_function {
        diagnostic
            .with_help("to leave the function, write `return`; to stop the transaction, `abort`")
    } else {
        diagnostic
    }
}

/// W0003: the local `name` is never read.
pub fn unused_variable(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnusedVariable,
        file,
        span,
        format!("unused variable `{name}`"),
    )
    .with_label("never read")
    .with_help(format!(
        "if this is intentional, prefix it with an underscore: `_{name}`"
    ))
}

/// E0311: a second `init` (`first`: the first).
pub fn duplicate_init(file: FileId, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateInit,
        file,
        span,
        "a contract has at most one `init`",
    )
    .with_label("second `init`")
    .with_secondary(file, first, "first `init` here")
    .with_help("merge the two into one `init`")
}

/// E0301: state `name` changed in `role`, which is read-only.
pub fn write_outside_action(file: FileId, span: Span, name: &str, role: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WriteOutsideAction,
        file,
        span,
        format!("state `{name}` is changed in {role}"),
    )
    .with_label("state can only be changed in `init` and actions")
    .with_note("views, policies and functions are read-only")
    .with_help("do the change in an action")
}

/// E0306: action `name` (declared at `declared`) called from contract code.
pub fn action_called_internally(
    file: FileId,
    span: Span,
    name: &str,
    declared: (FileId, Span),
) -> Diagnostic {
    Diagnostic::new(
        Code::ActionCalledInternally,
        file,
        span,
        format!("action `{name}` cannot be called from contract code"),
    )
    .with_label("actions are entry points for transactions")
    .with_secondary(
        declared.0,
        declared.1,
        format!("`{name}` is declared as an action here"),
    )
    .with_help("move the shared code into a `fn` and call that from both actions")
}

/// E0307: `role` (read-only) calls action `action` (declared at `declared`) of
/// `contract`.
pub fn cross_action_from_read_only(
    file: FileId,
    span: Span,
    role: &str,
    action: &str,
    contract: &str,
    declared: (FileId, Span),
) -> Diagnostic {
    Diagnostic::new(
        Code::CrossActionFromReadOnly,
        file,
        span,
        format!("{role} calls action `{action}` of `{contract}`"),
    )
    .with_label("an action may change the other contract's state")
    .with_secondary(declared.0, declared.1, format!("`{action}` is an action"))
    .with_note(
        "views, policies and functions are read-only, so they can only call views and policies",
    )
    .with_help("make the call from an action")
}

/// E0309: the functions `cycle` (names, each calling the next and the last the first)
/// form a cycle; `calls` are the spans of the calls after the first, in order.
pub fn recursion(file: FileId, first_call: Span, cycle: &[String], calls: &[Span]) -> Diagnostic {
    let first = cycle.first().map_or("", String::as_str);
    let diagnostic = if cycle.len() == 1 {
        Diagnostic::new(
            Code::Recursion,
            file,
            first_call,
            format!("`{first}` calls itself"),
        )
        .with_label("recursive call")
    } else {
        let mut names: Vec<String> = cycle.iter().map(|name| format!("`{name}`")).collect();
        names.push(format!("`{first}`"));
        let next = cycle.get(1).map_or("", String::as_str);
        let mut diagnostic = Diagnostic::new(
            Code::Recursion,
            file,
            first_call,
            format!("recursion: {}", names.join(" calls ")),
        )
        .with_label(format!("`{first}` calls `{next}` here"));
        for (i, span) in calls.iter().enumerate() {
            let caller = cycle.get(i + 1).map_or("", String::as_str);
            let callee = cycle.get(i + 2).map_or(first, String::as_str);
            diagnostic =
                diagnostic.with_secondary(file, *span, format!("`{caller}` calls `{callee}` here"));
        }
        diagnostic
    };
    diagnostic
        .with_note("the call graph must be acyclic, so that every call terminates")
        .with_help("compute the result with a `for` loop over a range or a collection")
}

/// What a property body held that it may not: the case decides the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyMisuse {
    /// A statement other than `let`, `assume` and `assert` (`what`: "`require`").
    Statement(&'static str),
    /// A final expression without `;`.
    Tail,
    /// `-> T` after the parameters.
    ResultType,
}

/// E0313: something other than `let`, `assume` and `assert` in property `name`.
pub fn property_statement(
    file: FileId,
    span: Span,
    name: &str,
    misuse: PropertyMisuse,
) -> Diagnostic {
    let (message, help) = match misuse {
        PropertyMisuse::Statement(what) => (
            format!("{what} is not allowed in property `{name}`"),
            "a property states what must hold: write `assume cond;` for what it takes as given and `assert cond;` for what it guarantees",
        ),
        PropertyMisuse::Tail => (
            format!("property `{name}` has no value"),
            "write the condition as `assert cond;`",
        ),
        PropertyMisuse::ResultType => (
            format!("property `{name}` has no result type"),
            "remove `-> T`: a property is proven, never called",
        ),
    };
    Diagnostic::new(Code::PropertyStatement, file, span, message)
        .with_label("a property body holds only `let`, `assume` and `assert`")
        .with_help(help)
}

/// E0314: property `name` (declared at `declared`) called from code.
pub fn property_called(
    file: FileId,
    span: Span,
    name: &str,
    declared: (FileId, Span),
) -> Diagnostic {
    Diagnostic::new(
        Code::PropertyCalled,
        file,
        span,
        format!("property `{name}` cannot be called"),
    )
    .with_label("properties are proven by `assent verify`, never run")
    .with_secondary(
        declared.0,
        declared.1,
        format!("`{name}` is declared as a property here"),
    )
    .with_help("move the shared condition into a `fn` and call that from both")
}
