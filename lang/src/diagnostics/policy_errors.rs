//! The wording of policy errors (E04xx) and of the policy warning W0001.

use super::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// E0404: a second `default` in a policy (`first`: the first).
pub fn duplicate_default(file: FileId, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefault,
        file,
        span,
        "a policy has at most one `default`",
    )
    .with_label("second `default`")
    .with_secondary(file, first, "first `default` here")
    .with_help("keep one: `default deny;` (the default) or `default permit;`")
}

/// E0401: rule label `label` used twice in policy `policy` (`first`: the first).
pub fn duplicate_rule_label(
    file: FileId,
    span: Span,
    label: &str,
    policy: &str,
    first: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateRuleLabel,
        file,
        span,
        format!("rule label \"{label}\" is used twice in policy `{policy}`"),
    )
    .with_label("second rule with this label")
    .with_secondary(file, first, "first rule with this label")
    .with_note("a Decision names the rule that decided, so labels are unique within a policy")
}

/// W0001: rule `label` is shadowed by the unconditional `kind` ("deny", "permit") rule
/// at `by`; `deny_first` when a deny shadows a permit.
pub fn rule_shadowed(
    file: FileId,
    span: Span,
    label: &str,
    kind: &str,
    by: Span,
    deny_first: bool,
) -> Diagnostic {
    let reason = if deny_first {
        "denies are decided before permits, and this deny always holds"
    } else {
        "rules of one kind are tried in order, and this one always holds"
    };
    Diagnostic::new(
        Code::RuleNeverDecides,
        file,
        span,
        format!("rule \"{label}\" can never decide"),
    )
    .with_label("never reached")
    .with_secondary(
        file,
        by,
        format!("this {kind} without `when` decides first"),
    )
    .with_note(reason)
}

/// W0001: rule `label` whose condition is never true.
pub fn rule_never_true(file: FileId, span: Span, label: &str) -> Diagnostic {
    Diagnostic::new(
        Code::RuleNeverDecides,
        file,
        span,
        format!("rule \"{label}\" can never decide"),
    )
    .with_label("its condition is never true")
}
