//! Decisions that explain themselves. [`instrument`] makes a copy of a checked contract
//! whose policies *note*, as they run, the value of each `let`, each `when` and `unless`,
//! each condition joined by `&&`, `||` or `!`, and the operands and arguments that decided
//! them (a state read, a call, a local); [`explain`] turns the notes of one run into an
//! [`Explanation`]. The copy is compiled with [`crate::codegen::compile_explaining`] and
//! run only by a VM made for explaining: the deployed module is built from the contract
//! without notes, so explaining changes no byte and no gas on the ledger.

use std::collections::BTreeMap;
use std::fmt;

use assent_stdlib::value::Value;
use serde::Serialize;

use crate::span::SourceMap;
use crate::syntax::ast::Effect;
use crate::typed::{
    BinaryOp, Block, Body, Builtin, Contract, Expr, ExprKind, FunctionKind, LocalId, PolicyStep,
    Rule, Ty, UnaryOp,
};

/// What one note is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A policy's `let`.
    Let,
    /// A rule's whole `when` (`true` for a rule without one).
    When,
    /// A rule's whole `unless`.
    Unless,
    /// One condition of a `when` or `unless` joined by `&&`, `||` or `!`.
    Condition,
    /// An operand or argument of a condition: what decided it.
    Value,
}

/// Where a note comes from: note `n` is `sites[n]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The policy, or the `fn` its conditions call (an index in [`Contract::functions`]).
    pub function: usize,
    /// The rule, by its place in evaluation order; `None` for a `let`.
    pub rule: Option<usize>,
    pub part: Part,
    /// The expression as written (whitespace runs made one space); `name = value` for a
    /// `let`.
    pub text: String,
    /// A condition under an odd number of `!`: it stands in the way when it holds.
    pub negated: bool,
}

/// A rule as the explanation lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSite {
    pub effect: Effect,
    pub label: String,
}

/// One step of a policy in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A `let`: its note.
    Let(u32),
    /// A rule: its index in [`PolicySites::rules`].
    Rule(usize),
}

/// A policy's rules and steps in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySites {
    pub name: String,
    /// An entry point of the contract (not a policy only its code calls).
    pub exported: bool,
    pub steps: Vec<Step>,
    pub rules: Vec<RuleSite>,
    pub default: Effect,
}

/// What [`instrument`] returns besides the noted contract: what each note is of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sites {
    pub sites: Vec<Site>,
    /// By function index, for every policy of the contract.
    pub policies: BTreeMap<usize, PolicySites>,
    /// By function index, the names of the `fn`s whose conditions are noted too (those
    /// that give a `Bool`: what a condition calls to decide).
    pub functions: BTreeMap<usize, String>,
}

impl Sites {
    /// The exported policy called `name`: its function index.
    pub fn entry(&self, name: &str) -> Option<usize> {
        self.policies
            .iter()
            .find(|(_, policy)| policy.exported && policy.name == name)
            .map(|(index, _)| *index)
    }
}

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

// ---- the explanation ------------------------------------------------------------------

/// How the explained call ended on the ledger's terms (the run without notes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Ending {
    Decided { permitted: bool, rule: String },
    Aborted { message: String },
    OutOfGas,
}

/// How far evaluation got with a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reached {
    /// Evaluated, and it did not hold.
    Evaluated,
    /// It decided.
    Decided,
    /// Not evaluated by the policy (a rule decided before it): evaluated only for this
    /// explanation, to show what would have permitted.
    ForExplanation,
    /// Not evaluated at all.
    NotReached,
}

/// A condition's text and value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Noted {
    pub part: Part,
    pub text: String,
    pub value: String,
    /// A condition under an odd number of `!`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
    /// The `fn` it was noted in, when not the policy itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inside: Option<String>,
}

impl fmt::Display for Noted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(function) = &self.inside {
            write!(f, "in {function}: ")?;
        }
        write!(f, "{} → {}", self.text, self.value)
    }
}

/// One rule of the explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleExplained {
    pub effect: &'static str,
    pub label: String,
    pub reached: Reached,
    /// The `when` and its value (`always` for a rule without one), when evaluated.
    pub when: Option<Noted>,
    /// The `unless` and its value, when evaluated (only after its `when` held).
    pub unless: Option<Noted>,
    /// The conditions inside them and the values that decided them, in evaluation order.
    pub because: Vec<Noted>,
}

/// A permit rule that came closest to permitting a denied request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Closest {
    pub label: String,
    /// What stood in its way: each condition that was false, and an `unless` that held;
    /// empty for a permit rule that holds but comes after the `deny` that decided.
    pub failed: Vec<String>,
}

/// A policy decision explained: every step in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub policy: String,
    /// The arguments as the request gave them, name and JSON text (see
    /// [`Explanation::with_args`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
    pub ending: Ending,
    /// Each `let` with its value, when evaluated.
    pub lets: Vec<Noted>,
    pub rules: Vec<RuleExplained>,
    /// For a denial: the permit rules with the fewest failed conditions.
    pub closest: Vec<Closest>,
    /// The run with notes stopped early (a condition evaluated only for the explanation
    /// aborted, say): what it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

/// The explanation of a call of the policy `policy` (a function index with sites) from
/// the `notes` its noted run made, given how the plain run ended and, when the noted run
/// stopped short, why.
pub fn explain(
    sites: &Sites,
    policy: usize,
    notes: &[(u32, String)],
    ending: Ending,
    incomplete: Option<String>,
) -> Option<Explanation> {
    let policy_sites = sites.policies.get(&policy)?;
    // In run order: a `fn`'s notes come before the note of the condition that called it,
    // so they are kept until that note says which rule they belong to.
    let mut values: BTreeMap<u32, &str> = BTreeMap::new();
    let mut inside: BTreeMap<u32, Vec<Noted>> = BTreeMap::new();
    let mut pending: Vec<Noted> = Vec::new();
    for (note, value) in notes {
        let Some(site) = sites.sites.get(*note as usize) else {
            continue;
        };
        if site.function == policy {
            // A policy the conditions call again notes again: the first call is this one.
            if values.contains_key(note) {
                continue;
            }
            values.insert(*note, value.as_str());
            if site.rule.is_some() && !pending.is_empty() {
                inside.insert(*note, std::mem::take(&mut pending));
            }
            pending.clear();
        } else if let Some(name) = sites.functions.get(&site.function) {
            pending.push(Noted {
                part: site.part,
                text: site.text.clone(),
                value: value.clone(),
                negated: site.negated,
                inside: Some(name.clone()),
            });
        }
    }
    let noted = |code: usize| -> Option<Noted> {
        let site = sites.sites.get(code)?;
        let value = values.get(&(code as u32))?;
        Some(Noted {
            part: site.part,
            text: site.text.clone(),
            value: (*value).to_owned(),
            negated: site.negated,
            inside: None,
        })
    };
    let deciding = match &ending {
        Ending::Decided { rule, .. } => policy_sites.rules.iter().position(|r| r.label == *rule),
        _ => None,
    };
    let mut lets = Vec::new();
    for step in &policy_sites.steps {
        if let Step::Let(code) = step
            && let Some(noted) = noted(*code as usize)
        {
            lets.push(noted);
        }
    }
    let mut rules = Vec::new();
    for (index, rule) in policy_sites.rules.iter().enumerate() {
        let mut when = None;
        let mut unless = None;
        let mut because = Vec::new();
        for (code, site) in sites.sites.iter().enumerate() {
            if site.function != policy || site.rule != Some(index) {
                continue;
            }
            let Some(value) = noted(code) else { continue };
            if let Some(called) = inside.get(&(code as u32)) {
                because.extend(called.iter().cloned());
            }
            match site.part {
                Part::When => when = Some(value),
                Part::Unless => unless = Some(value),
                Part::Condition | Part::Value => because.push(value),
                Part::Let => {}
            }
        }
        let reached = match deciding {
            Some(decided) if decided == index => Reached::Decided,
            _ if when.is_none() => Reached::NotReached,
            Some(decided) if index > decided => Reached::ForExplanation,
            _ => Reached::Evaluated,
        };
        rules.push(RuleExplained {
            effect: match rule.effect {
                Effect::Permit => "permit",
                Effect::Deny => "deny",
            },
            label: rule.label.clone(),
            reached,
            when,
            unless,
            because,
        });
    }
    let denied = matches!(
        ending,
        Ending::Decided {
            permitted: false,
            ..
        }
    );
    let closest = if denied { closest(&rules) } else { Vec::new() };
    Some(Explanation {
        policy: policy_sites.name.clone(),
        args: Vec::new(),
        ending,
        lets,
        rules,
        closest,
        incomplete,
    })
}

/// The evaluated permit rules with the fewest failed conditions of their own, and what
/// failed: those conditions (false, or true under a `!`), then, for each, the conditions
/// inside the `fn`s it called that gave the same value.
fn closest(rules: &[RuleExplained]) -> Vec<Closest> {
    let mut candidates: Vec<(usize, Closest)> = Vec::new();
    for rule in rules {
        if rule.effect != "permit" {
            continue;
        }
        let Some(when) = &rule.when else { continue };
        let mut failed = Vec::new();
        let mut inner_reasons = Vec::new();
        if when.value == "false" {
            // A `fn`'s notes come just before the note of the condition that called it.
            let mut called: Vec<&Noted> = Vec::new();
            for noted in &rule.because {
                if noted.inside.is_some() {
                    if noted.part == Part::Condition {
                        called.push(noted);
                    }
                    continue;
                }
                if noted.part != Part::Condition {
                    continue;
                }
                if (noted.value == "true") == noted.negated {
                    failed.push(format!("{} is {}", noted.text, noted.value));
                    for inner in called.iter().filter(|inner| inner.value == noted.value) {
                        let function = inner.inside.as_deref().unwrap_or_default();
                        inner_reasons
                            .push(format!("{} is {} (in {function})", inner.text, inner.value));
                    }
                }
                called.clear();
            }
            if failed.is_empty() {
                failed.push(format!("{} is false", when.text));
                inner_reasons.extend(
                    rule.because
                        .iter()
                        .filter(|noted| {
                            noted.inside.is_some()
                                && noted.part == Part::Condition
                                && noted.value == "false"
                        })
                        .map(|noted| {
                            let function = noted.inside.as_deref().unwrap_or_default();
                            format!("{} is false (in {function})", noted.text)
                        }),
                );
            }
        }
        if let Some(unless) = &rule.unless
            && unless.value == "true"
        {
            failed.push(format!("its unless {} holds", unless.text));
        }
        let rank = failed.len();
        failed.extend(inner_reasons);
        candidates.push((
            rank,
            Closest {
                label: rule.label.clone(),
                failed,
            },
        ));
    }
    let fewest = candidates.iter().map(|(rank, _)| *rank).min().unwrap_or(0);
    candidates
        .into_iter()
        .filter(|(rank, _)| *rank == fewest)
        .map(|(_, closest)| closest)
        .collect()
}

impl Explanation {
    /// The explanation with the request's arguments (a JSON object, as given), shown in
    /// its first line.
    #[must_use]
    pub fn with_args(mut self, args: &serde_json::Value) -> Self {
        if let Some(args) = args.as_object() {
            self.args = args
                .iter()
                .map(|(name, value)| (name.clone(), value.to_string()))
                .collect();
        }
        self
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        let call = format!("{}({})", self.policy, args.join(", "));
        match &self.ending {
            Ending::Decided { permitted, rule } => writeln!(
                f,
                "{call}: {} by rule \"{rule}\"",
                if *permitted { "permitted" } else { "denied" }
            )?,
            Ending::Aborted { message } => writeln!(f, "{call}: aborted: {message}")?,
            Ending::OutOfGas => writeln!(f, "{call}: ran out of gas")?,
        }
        for noted in &self.lets {
            writeln!(f, "  let {noted}")?;
        }
        let width = self
            .rules
            .iter()
            .map(|rule| rule.label.len())
            .max()
            .unwrap_or(0)
            + 2;
        for rule in &self.rules {
            let label = format!("\"{}\"", rule.label);
            let head = format!("  {:<6} {label:<width$}", rule.effect);
            let Some(when) = &rule.when else {
                writeln!(f, "{head} not evaluated")?;
                continue;
            };
            let mut line = if when.text == "always" {
                format!("{head} always")
            } else {
                format!("{head} when {} → {}", when.text, when.value)
            };
            if let Some(unless) = &rule.unless {
                line.push_str(&format!(", unless {} → {}", unless.text, unless.value));
            }
            match rule.reached {
                Reached::Decided => line.push_str("   ← decides"),
                Reached::ForExplanation => line.push_str("   (evaluated only to explain)"),
                Reached::Evaluated | Reached::NotReached => {}
            }
            writeln!(f, "{line}")?;
            for noted in &rule.because {
                writeln!(f, "  {:width$}        {noted}", "")?;
            }
        }
        if let Ending::Decided { rule, .. } = &self.ending
            && rule == "default"
        {
            writeln!(f, "  no rule held: the default decides")?;
        }
        if !self.closest.is_empty() {
            writeln!(f, "closest to permitting:")?;
            for closest in &self.closest {
                if closest.failed.is_empty() {
                    let deny = match &self.ending {
                        Ending::Decided { rule, .. } => rule.as_str(),
                        _ => "",
                    };
                    writeln!(
                        f,
                        "  \"{}\" holds, but deny \"{deny}\" comes first",
                        closest.label
                    )?;
                } else {
                    writeln!(f, "  \"{}\": {}", closest.label, closest.failed.join("; "))?;
                }
            }
        }
        if let Some(why) = &self.incomplete {
            writeln!(f, "(the explanation stops here: {why})")?;
        }
        Ok(())
    }
}
