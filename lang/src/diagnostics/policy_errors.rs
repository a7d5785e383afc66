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

/// E0402: a `match` whose exhaustiveness check ran out of budget.
pub fn match_too_complex(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NonExhaustiveMatch,
        file,
        span,
        "this `match` is too complex to check for exhaustiveness",
    )
    .with_label("add a `_` arm")
    .with_help("split the match, or end it with `_ => …`")
}

/// W0002: an arm that can never be reached; `catch_all` is an earlier arm matching
/// every value, when there is one.
pub fn unreachable_arm(file: FileId, span: Span, catch_all: Option<Span>) -> Diagnostic {
    let diagnostic = Diagnostic::new(Code::UnreachableArm, file, span, "unreachable match arm")
        .with_label("this arm can never be reached");
    match catch_all {
        Some(catch_all) => {
            diagnostic.with_secondary(file, catch_all, "this earlier arm matches every value")
        }
        None => diagnostic.with_note("the arms before it already match every value it matches"),
    }
}

/// E0403: event `name` with more than 3 `indexed` fields (`indexed`: all of them).
pub fn too_many_indexed(file: FileId, span: Span, name: &str, indexed: &[Span]) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::TooManyIndexed,
        file,
        span,
        format!(
            "event `{name}` has {} indexed fields; at most 3 are allowed",
            indexed.len()
        ),
    )
    .with_label("too many indexed fields");
    for extra in indexed.iter().skip(3) {
        diagnostic = diagnostic.with_secondary(file, *extra, "one indexed field too many");
    }
    diagnostic.with_help("remove `indexed` from the fields logs are not filtered on")
}

/// E0405: `indexed` on a record field.
pub fn indexed_in_record(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::IndexedInRecord,
        file,
        span,
        "`indexed` is only for event fields",
    )
    .with_label("not allowed on a record field")
    .with_note("event logs can be filtered on indexed fields; records have no logs")
    .with_help("remove `indexed`")
}

/// E0402: a `match` that misses the `missing` cases (each with whether it has nested
/// variants); at most 5 are named.
pub fn non_exhaustive_match(file: FileId, span: Span, missing: &[(String, bool)]) -> Diagnostic {
    let shown: Vec<String> = missing
        .iter()
        .take(5)
        .map(|(w, _)| format!("`{w}`"))
        .collect();
    let list = if missing.len() > 5 {
        format!("{}, … and {} more", shown.join(", "), missing.len() - 5)
    } else {
        super::join_words(&shown)
    };
    let label = if missing.len() > 5 {
        format!("{} cases not covered", missing.len())
    } else {
        format!("{list} not covered")
    };
    let verb = if missing.len() == 1 { "is" } else { "are" };
    let diagnostic = Diagnostic::new(
        Code::NonExhaustiveMatch,
        file,
        span,
        format!("non-exhaustive match: {list} {verb} not covered"),
    )
    .with_label(label)
    .with_help("add arms for the missing cases, or a `_` arm");
    if missing.iter().any(|(_, has_children)| *has_children) {
        diagnostic.with_note(
            "a variant with nested variants is a value too: it needs an arm of its own or of an ancestor",
        )
    } else {
        diagnostic
    }
}
