//! The explanation of one decision: a run's notes read, in order, against the [`Sites`]
//! of the noted build, with the closest permit rules of a denial, printed or serialised.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{Part, Sites, Step};
use crate::syntax::ast::Effect;

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
