//! `assent verify --compare OLD NEW POLICY`: the requests and states one version of a
//! policy permits and the other denies.
//!
//! Both versions are encoded into one query over the same parameters, context and state
//! (a state of the same name and type is one state), and the solver is asked, each way,
//! for a request the old version denies and the new one permits. Requests on which
//! either version aborts are left out: a policy that aborts decides nothing.

use assent_lang::typed::{Body, Contract, FunctionKind};

use crate::encode::{Encoder, Input, Read};
use crate::script::{self, Script, Term, and, not, or};
use crate::sexpr::Sexpr;
use crate::{Answer, Counterexample, Query, Solver, SolverError};

/// What the comparison found.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// No request and state is decided differently.
    Equivalent,
    /// One or two differences: one example per direction that has one.
    Differences(Vec<Difference>),
    /// The prover could not decide (with the reason).
    Unknown(String),
}

/// A request (and state) the two versions decide differently.
#[derive(Clone, Debug)]
pub struct Difference {
    /// `true`: the new version permits what the old one denies.
    pub newly_permitted: bool,
    pub old_rule: String,
    pub new_rule: String,
    pub example: Counterexample,
}

impl Difference {
    /// The difference in words, over several lines.
    pub fn describe(&self) -> String {
        let (old, new) = if self.newly_permitted {
            ("denies", "permits")
        } else {
            ("permits", "denies")
        };
        let mut out = format!(
            "the old version {old} (rule {}) and the new one {new} (rule {}):\n",
            self.old_rule, self.new_rule
        );
        self.example.write_bindings(&mut out);
        out
    }
}

/// One version, encoded.
struct Side {
    decision: Term,
    aborts: Term,
    facts: Vec<Term>,
    inputs: Vec<Input>,
    reads: Vec<Read>,
}

/// Compares policy `policy` of `old` and `new`.
///
/// # Errors
/// `Ok(Err(message))` when the policy is missing from a version or its parameters differ;
/// [`SolverError::NotFound`] when the solver cannot be started.
pub fn compare(
    old: &Contract,
    new: &Contract,
    policy: &str,
    solver: &Solver,
) -> Result<Result<Verdict, String>, SolverError> {
    let find = |contract: &Contract, which: &str| {
        contract
            .functions
            .iter()
            .enumerate()
            .find(|(_, f)| {
                f.name == policy
                    && f.kind == FunctionKind::Policy
                    && matches!(f.body, Body::Policy(_))
            })
            .map(|(i, _)| i)
            .ok_or_else(|| format!("the {which} version has no policy `{policy}`"))
    };
    let (old_index, new_index) = match (find(old, "old"), find(new, "new")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    let (Some(old_fn), Some(new_fn)) = (old.functions.get(old_index), new.functions.get(new_index))
    else {
        return Ok(Err(format!("no policy `{policy}`")));
    };
    let same_params = old_fn.params.len() == new_fn.params.len()
        && old_fn
            .params
            .iter()
            .zip(&new_fn.params)
            .all(|(a, b)| script::shape(old, &a.ty) == script::shape(new, &b.ty));
    if !same_params {
        return Ok(Err(format!(
            "the two versions of `{policy}` take different parameters"
        )));
    }
    let mut script = Script::default();
    let old_side = match encode_side(old, old_index, &mut script) {
        Ok(side) => side,
        Err(reason) => return Ok(Ok(Verdict::Unknown(reason))),
    };
    let new_side = match encode_side(new, new_index, &mut script) {
        Ok(side) => side,
        Err(reason) => return Ok(Ok(Verdict::Unknown(reason))),
    };
    for fact in old_side.facts.iter().chain(&new_side.facts) {
        script.assert(fact);
    }
    script.assert(&not(&or(&old_side.aborts, &new_side.aborts)));
    let mut differences = Vec::new();
    for newly_permitted in [true, false] {
        let old_permitted = format!("(Decision.permitted {})", old_side.decision);
        let new_permitted = format!("(Decision.permitted {})", new_side.decision);
        let differs = if newly_permitted {
            and(&not(&old_permitted), &new_permitted)
        } else {
            and(&old_permitted, &not(&new_permitted))
        };
        let mut text = script.text().to_string();
        text.push_str(&format!("(push 1)\n(assert {differs})\n"));
        let new_inputs: Vec<Input> = new_side
            .inputs
            .iter()
            .filter(|i| !old_side.inputs.iter().any(|o| o.term == i.term))
            .cloned()
            .collect();
        let old_query = Query {
            contract: old,
            failures: &[],
            inputs: &old_side.inputs,
            reads: &old_side.reads,
        };
        let new_query = Query {
            contract: new,
            failures: &[],
            inputs: &new_inputs,
            reads: &new_side.reads,
        };
        let mut wanted = old_query.wanted();
        let old_count = wanted.len();
        wanted.extend(new_query.wanted());
        wanted.push(format!("(Decision.rule {})", old_side.decision));
        wanted.push(format!("(Decision.rule {})", new_side.decision));
        match solver.check(&text, &wanted) {
            Ok(Answer::Unsat) => {}
            Ok(Answer::Unknown(reason)) => return Ok(Ok(Verdict::Unknown(reason))),
            Err(SolverError::Failed(message)) => return Ok(Ok(Verdict::Unknown(message))),
            Err(error) => return Err(error),
            Ok(Answer::Sat(values)) => {
                let (old_values, rest) = values.split_at(old_count.min(values.len()));
                let new_count = rest.len().saturating_sub(2);
                let (new_values, rules) = rest.split_at(new_count);
                let mut example = old_query.counterexample(old_values);
                let new_example = new_query.counterexample(new_values);
                example.values.extend(new_example.values);
                for entry in new_example.entries {
                    if !example
                        .entries
                        .iter()
                        .any(|e| e.state == entry.state && e.key.literal == entry.key.literal)
                    {
                        example.entries.push(entry);
                    }
                }
                example.failure = String::new();
                let rule = |i: usize| match rules.get(i).map(|(_, v)| v) {
                    Some(Sexpr::Str(text)) => text.clone(),
                    Some(other) => format!("{other:?}"),
                    None => "?".to_string(),
                };
                differences.push(Difference {
                    newly_permitted,
                    old_rule: rule(0),
                    new_rule: rule(1),
                    example,
                });
            }
        }
    }
    Ok(Ok(if differences.is_empty() {
        Verdict::Equivalent
    } else {
        Verdict::Differences(differences)
    }))
}

fn encode_side(contract: &Contract, index: usize, script: &mut Script) -> Result<Side, String> {
    let Some(function) = contract.functions.get(index) else {
        return Err("no such policy".to_string());
    };
    let mut encoder = Encoder::new(contract, script);
    let unsupported =
        |u: crate::encode::Unsupported| format!("{} at {}", u.reason, contract.position(u.loc));
    let mut params = Vec::new();
    for p in &function.params {
        params.push(
            encoder
                .free(&format!("p.{}", p.name), &p.name, &p.ty, function.loc)
                .map_err(unsupported)?,
        );
    }
    let id = assent_lang::typed::FunctionId(u32::try_from(index).unwrap_or(u32::MAX));
    let decision = encoder
        .call(id, params, "true", function.loc)
        .map_err(unsupported)?;
    let aborts = encoder
        .aborts
        .iter()
        .fold("false".to_string(), |acc, a| or(&acc, &a.cond));
    Ok(Side {
        decision,
        aborts,
        facts: std::mem::take(&mut encoder.facts),
        inputs: std::mem::take(&mut encoder.inputs),
        reads: std::mem::take(&mut encoder.reads),
    })
}

/// `{"policy", "status": "equivalent"|"different"|"unknown", "differences"?, "reason"?}`.
pub fn to_json(policy: &str, verdict: &Verdict) -> serde_json::Value {
    match verdict {
        Verdict::Equivalent => serde_json::json!({ "policy": policy, "status": "equivalent" }),
        Verdict::Unknown(reason) => {
            serde_json::json!({ "policy": policy, "status": "unknown", "reason": reason })
        }
        Verdict::Differences(differences) => {
            let items: Vec<serde_json::Value> = differences
                .iter()
                .map(|d| {
                    let (values, entries) = d.example.bindings_json();
                    serde_json::json!({
                        "newly": if d.newly_permitted { "permitted" } else { "denied" },
                        "old_rule": d.old_rule,
                        "new_rule": d.new_rule,
                        "values": values,
                        "entries": entries,
                    })
                })
                .collect();
            serde_json::json!({ "policy": policy, "status": "different", "differences": items })
        }
    }
}
