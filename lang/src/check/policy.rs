//! Policies: rules, labels, `default`, and rules that can never decide.

use super::body::Cx;
use crate::diagnostics::policy_errors;
use crate::span::Span;
use crate::syntax::ast::{self, Effect, PolicyStmt};
use crate::typed::{ExprKind, LocalId, PolicyBody, PolicyStep, Rule, Ty};
use assent_stdlib::value::Value;

impl Cx<'_> {
    pub fn check_policy(&mut self, decl: &ast::PolicyDecl) -> PolicyBody {
        self.push_scope();
        let mut default: Option<(Effect, Span)> = None;
        let mut labels: Vec<(String, Span)> = Vec::new();
        let mut deny_pass = Vec::new();
        let mut permits = Vec::new();
        // Each rule with its span, for the "never decides" analysis.
        let mut rules: Vec<(&ast::Rule, bool)> = Vec::new();
        for stmt in &decl.body {
            match stmt {
                PolicyStmt::Default { effect, span } => {
                    if let Some((_, first)) = default {
                        let diagnostic = policy_errors::duplicate_default(self.file, *span, first);
                        self.report(diagnostic);
                    } else {
                        default = Some((*effect, *span));
                    }
                }
                PolicyStmt::Let(l) => {
                    let (local, value) = self.check_let(l);
                    let local = local.unwrap_or_else(|| self.hidden_local(value.ty.clone()));
                    deny_pass.push(PolicyStep::Let { local, value });
                }
                PolicyStmt::Rule(rule) => {
                    if let Some((_, first)) = labels.iter().find(|(l, _)| *l == rule.label) {
                        let diagnostic = policy_errors::duplicate_rule_label(
                            self.file,
                            rule.label_span,
                            &rule.label,
                            &decl.name.name,
                            *first,
                        );
                        self.report(diagnostic);
                    } else {
                        labels.push((rule.label.clone(), rule.label_span));
                    }
                    let when = rule.when.as_ref().map(|e| self.check_condition(e));
                    let unless = rule.unless.as_ref().map(|e| self.check_condition(e));
                    let never = when.as_ref().is_some_and(|e| is_bool(e, false))
                        || unless.as_ref().is_some_and(|e| is_bool(e, true));
                    rules.push((rule, never));
                    let checked = Rule {
                        effect: rule.effect,
                        label: rule.label.clone(),
                        when,
                        unless,
                        loc: self.loc(rule.span),
                    };
                    match rule.effect {
                        Effect::Deny => deny_pass.push(PolicyStep::Deny(Box::new(checked))),
                        Effect::Permit => permits.push(checked),
                    }
                }
            }
        }
        self.pop_scope();
        self.warn_undecidable(&rules);
        PolicyBody {
            deny_pass,
            permits,
            default: default.map_or(Effect::Deny, |(effect, _)| effect),
        }
    }

    /// A local for `let _ = …;` in a policy (its value is still computed, in order).
    fn hidden_local(&mut self, ty: Ty) -> LocalId {
        let id = LocalId(u32::try_from(self.locals.len()).unwrap_or(u32::MAX));
        self.locals.push(super::body::LocalInfo {
            name: "_".to_string(),
            ty,
            mutable: false,
            span: Span::default(),
            read: true,
        });
        id
    }

    /// W0001: rules after an unconditional deny (every permit, and later denies), rules
    /// after an unconditional permit (later permits), and rules whose condition is
    /// literally never true.
    fn warn_undecidable(&mut self, rules: &[(&ast::Rule, bool)]) {
        let unconditional = |r: &ast::Rule| r.when.is_none() && r.unless.is_none();
        let first_deny = rules
            .iter()
            .position(|(r, _)| r.effect == Effect::Deny && unconditional(r));
        let first_permit = rules
            .iter()
            .position(|(r, _)| r.effect == Effect::Permit && unconditional(r));
        for (i, (rule, never)) in rules.iter().enumerate() {
            let shadowed_by = match rule.effect {
                Effect::Deny => first_deny.filter(|&d| d < i),
                Effect::Permit => first_deny.or(first_permit.filter(|&p| p < i)),
            };
            let diagnostic = if let Some(by) = shadowed_by.and_then(|j| rules.get(j)) {
                let by_rule = by.0;
                let kind = match by_rule.effect {
                    Effect::Deny => "deny",
                    Effect::Permit => "permit",
                };
                policy_errors::rule_shadowed(
                    self.file,
                    rule.span,
                    &rule.label,
                    kind,
                    by_rule.span,
                    rule.effect == Effect::Permit && by_rule.effect == Effect::Deny,
                )
            } else if *never {
                policy_errors::rule_never_true(self.file, rule.span, &rule.label)
            } else {
                continue;
            };
            self.report(diagnostic);
        }
    }
}

/// The literal `value`. An expression whose error is reported stands as a `false`
/// literal of the error type: it is not one, so no warning follows the error.
fn is_bool(e: &crate::typed::Expr, value: bool) -> bool {
    e.ty == Ty::Bool && matches!(&e.kind, ExprKind::Literal(Value::Bool(b)) if *b == value)
}
