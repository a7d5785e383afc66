//! The noted copy of a contract: what its policies (and the `Bool` fns their conditions
//! call) evaluate, wrapped in `Builtin::ExplainNote(n)`, with what each note is of.

use assent_stdlib::value::Value;

use super::{Part, PolicySites, RuleSite, Site, Sites, Step};
use crate::span::SourceMap;
use crate::typed::{
    BinaryOp, Block, Body, Builtin, Contract, Expr, ExprKind, FunctionKind, LocalId, PolicyStep,
    Rule, Ty, UnaryOp,
};

/// A copy of `contract` whose policies note what they evaluate, and what each note is of.
/// Expression texts come from `sources`.
pub fn instrument(contract: &Contract, sources: &SourceMap) -> (Contract, Sites) {
    let mut noted = contract.clone();
    let mut sites = Sites::default();
    for (index, function) in noted.functions.iter_mut().enumerate() {
        if function.kind == FunctionKind::Fn && function.ret == Ty::Bool {
            // A `fn` a condition calls: what decided its result is noted too.
            if let Body::Block(block) = &mut function.body {
                let mut noter = Noter {
                    sources,
                    function: index,
                    negated: false,
                    sites: &mut sites.sites,
                    lets: Vec::new(),
                };
                // The result itself is the call's note: only what decided it.
                if let Some(tail) = &mut block.tail {
                    noter.condition(tail, None, true);
                }
                sites.functions.insert(index, function.name.clone());
            }
            continue;
        }
        if function.kind != FunctionKind::Policy {
            continue;
        }
        let Body::Policy(policy) = &mut function.body else {
            continue;
        };
        let lets = policy
            .deny_pass
            .iter()
            .filter_map(|step| match step {
                PolicyStep::Let { local, .. } => Some(*local),
                PolicyStep::Deny(_) => None,
            })
            .collect();
        let mut noter = Noter {
            sources,
            function: index,
            negated: false,
            sites: &mut sites.sites,
            lets,
        };
        let mut steps = Vec::new();
        let mut rules = Vec::new();
        for step in &mut policy.deny_pass {
            match step {
                PolicyStep::Let { local, value } => {
                    let name = function
                        .locals
                        .get(local.0 as usize)
                        .map_or("_", |local| local.name.as_str());
                    let text = format!("{name} = {}", noter.text(value));
                    let code = noter.site(None, Part::Let, text);
                    wrap(value, code);
                    steps.push(Step::Let(code));
                }
                PolicyStep::Deny(rule) => {
                    steps.push(Step::Rule(rules.len()));
                    noter.rule(rule, rules.len());
                    rules.push(RuleSite {
                        effect: rule.effect,
                        label: rule.label.clone(),
                    });
                }
            }
        }
        for rule in &mut policy.permits {
            steps.push(Step::Rule(rules.len()));
            noter.rule(rule, rules.len());
            rules.push(RuleSite {
                effect: rule.effect,
                label: rule.label.clone(),
            });
        }
        sites.policies.insert(
            index,
            PolicySites {
                name: function.name.clone(),
                exported: function.exported,
                steps,
                rules,
                default: policy.default,
            },
        );
    }
    (noted, sites)
}

struct Noter<'a> {
    sources: &'a SourceMap,
    function: usize,
    /// Under an odd number of `!` (see [`Site::negated`]).
    negated: bool,
    sites: &'a mut Vec<Site>,
    /// The policy's `let`s: their values are noted once, where they are bound.
    lets: Vec<LocalId>,
}

impl Noter<'_> {
    fn site(&mut self, rule: Option<usize>, part: Part, text: String) -> u32 {
        self.sites.push(Site {
            function: self.function,
            rule,
            part,
            text,
            negated: part == Part::Condition && self.negated,
        });
        (self.sites.len() - 1) as u32
    }

    /// The source text of `expr`, on one line.
    fn text(&self, expr: &Expr) -> String {
        let text = self
            .sources
            .get(expr.loc.file)
            .and_then(|source| source.text.get(expr.loc.span.range()))
            .unwrap_or("?");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Notes a rule's `when` (a rule without one gets `when true`, the same rule) and
    /// `unless`, and inside them each condition and what decided it.
    fn rule(&mut self, rule: &mut Rule, index: usize) {
        let when = rule.when.get_or_insert(Expr {
            kind: ExprKind::Literal(Value::Bool(true)),
            ty: Ty::Bool,
            loc: rule.loc,
        });
        let text = if matches!(when.kind, ExprKind::Literal(Value::Bool(true))) {
            "always".to_owned()
        } else {
            self.text(when)
        };
        self.condition(when, Some(index), true);
        let code = self.site(Some(index), Part::When, text);
        wrap(when, code);
        if let Some(unless) = &mut rule.unless {
            let text = self.text(unless);
            self.condition(unless, Some(index), true);
            let code = self.site(Some(index), Part::Unless, text);
            wrap(unless, code);
        }
    }

    /// Notes the conditions of a `&&`/`||`/`!` tree and what decided each; the root is
    /// noted by the caller.
    fn condition(&mut self, expr: &mut Expr, rule: Option<usize>, root: bool) {
        match &mut expr.kind {
            ExprKind::Binary {
                op: BinaryOp::And | BinaryOp::Or,
                lhs,
                rhs,
            } => {
                self.condition(lhs, rule, false);
                self.condition(rhs, rule, false);
                return;
            }
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                self.negated = !self.negated;
                self.condition(operand, rule, false);
                self.negated = !self.negated;
                return;
            }
            // The branch taken decides: its result is a condition too.
            ExprKind::Match { arms, .. } => {
                for arm in arms {
                    self.tail(&mut arm.body, rule);
                }
            }
            ExprKind::If {
                then, otherwise, ..
            } => {
                self.tail(then, rule);
                if let Some(otherwise) = otherwise {
                    self.tail(otherwise, rule);
                }
            }
            ExprKind::Block(block) => self.tail(block, rule),
            _ => {}
        }
        let text = self.text(expr);
        self.operands(expr, rule);
        if !root {
            let code = self.site(rule, Part::Condition, text);
            wrap(expr, code);
        }
    }

    /// Notes the Bool result of a branch as a condition (when it is one).
    fn tail(&mut self, block: &mut Block, rule: Option<usize>) {
        if let Some(tail) = &mut block.tail
            && tail.ty == Ty::Bool
            && !matches!(tail.kind, ExprKind::Literal(_))
        {
            self.condition(tail, rule, false);
        }
    }

    /// Notes the operands or arguments of a condition that are not known without running
    /// it (literals, constants, variants and parameters are).
    fn operands(&mut self, expr: &mut Expr, rule: Option<usize>) {
        let operands: Vec<&mut Expr> = match &mut expr.kind {
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs.as_mut(), rhs.as_mut()],
            ExprKind::Builtin { args, .. }
            | ExprKind::Call { args, .. }
            | ExprKind::Persistent { args, .. } => args.iter_mut().collect(),
            ExprKind::CrossCall { address, args, .. } => {
                let mut all = vec![address.as_mut()];
                all.extend(args.iter_mut());
                all
            }
            ExprKind::Field { base, .. } | ExprKind::OptionalField { base, .. } => {
                vec![base.as_mut()]
            }
            ExprKind::Local(_) | ExprKind::State(_) | ExprKind::Context(_) => {
                // The condition is the value itself: its own note says it.
                Vec::new()
            }
            _ => Vec::new(),
        };
        for operand in operands {
            let bound_by_let =
                matches!(operand.kind, ExprKind::Local(local) if self.lets.contains(&local));
            if known(operand) || bound_by_let || !has_value(&operand.ty) {
                continue;
            }
            let text = self.text(operand);
            let code = self.site(rule, Part::Value, text);
            wrap(operand, code);
        }
    }
}

/// Whether an expression's value is known without running it: a literal, constant,
/// variant, parameter, `none`, or `some`/tuple of such.
fn known(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Const(_)
        | ExprKind::Variant { .. }
        | ExprKind::Param(_)
        | ExprKind::None => true,
        ExprKind::Some(inner) => known(inner),
        ExprKind::Tuple(items) => items.iter().all(known),
        _ => false,
    }
}

fn has_value(ty: &Ty) -> bool {
    !matches!(ty, Ty::Unit | Ty::Never)
}

/// Replaces `expr` with `explain_note(expr)` as note `code`.
fn wrap(expr: &mut Expr, code: u32) {
    let placeholder = Expr {
        kind: ExprKind::None,
        ty: expr.ty.clone(),
        loc: expr.loc,
    };
    let inner = std::mem::replace(expr, placeholder);
    *expr = Expr {
        ty: inner.ty.clone(),
        loc: inner.loc,
        kind: ExprKind::Builtin {
            builtin: Builtin::ExplainNote(code),
            args: vec![inner],
        },
    };
}
