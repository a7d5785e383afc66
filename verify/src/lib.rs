//! The Assent prover: `property` items of a checked contract proven, or refuted with a
//! counterexample, by an SMT solver.
//!
//! Reads as its steps: [`encode`] (a property and everything it calls, as SMT-LIB terms
//! over free parameters, context and state; every abort a failure) → [`solver`] (Z3 as
//! a subprocess, its answer read without trusting it) → [`model`] (the solver's model
//! back into Assent values and literals). [`compare`] asks, of two versions of a policy,
//! for a request one permits and the other denies.
//!
//! ```no_run
//! use assent_lang::check;
//! # struct Disk;
//! # impl check::FileLoader for Disk {
//! #     fn load(&self, path: &str) -> Result<String, String> {
//! #         std::fs::read_to_string(path).map_err(|e| e.to_string())
//! #     }
//! # }
//! let checked = check::check_file("contracts/patient_consent.assent", &Disk);
//! let contract = checked.contract.expect("the contract checks");
//! let results = assent_verify::verify_contract(&contract, &assent_verify::Solver::default())
//!     .expect("z3 is installed");
//! for result in &results {
//!     println!("{}", result.line());
//! }
//! ```

pub mod compare;
mod encode;
mod model;
mod reach;
mod script;
mod sexpr;
mod solver;

pub use reach::{Accounts, Reproduction, Setup, action_named, reproduce};
pub use solver::{Answer, Solver, SolverError};

use assent_lang::typed::{Contract, Function, Ty};
use assent_stdlib::value::Value;

use encode::{Encoder, Failure, FailureKind};
use script::Script;
use sexpr::Sexpr;

/// What `assent verify` found for one property.
#[derive(Clone, Debug)]
pub struct PropertyResult {
    pub property: String,
    /// `file:line:col` of the property.
    pub position: String,
    pub status: Status,
}

#[derive(Clone, Debug)]
pub enum Status {
    Proven,
    Counterexample(Counterexample),
    /// Outside what the prover decides, with the reason (and the construct's position).
    Unknown(String),
}

/// Values under which a property fails.
#[derive(Clone, Debug, Default)]
pub struct Counterexample {
    /// What fails, with its position: an assertion, or an abort.
    pub failure: String,
    /// Parameters, then `now`, `block`, `caller` and scalar state, as used.
    pub values: Vec<Shown>,
    /// The state entries read: `grants[(0x…, 0x…)] = Grant { … }`, or `absent`.
    pub entries: Vec<Entry>,
}

impl Counterexample {
    /// The values (by name) and the state entries, as `--format json` prints them.
    pub fn bindings_json(
        &self,
    ) -> (
        serde_json::Map<String, serde_json::Value>,
        Vec<serde_json::Value>,
    ) {
        let values = self
            .values
            .iter()
            .map(|v| (v.name.clone(), v.literal.clone().into()))
            .collect();
        let entries = self
            .entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "state": e.state,
                    "key": e.key.literal,
                    "value": e.value.as_ref().map(|v| v.literal.clone()),
                })
            })
            .collect();
        (values, entries)
    }

    /// Appends the values and the state entries, one a line, indented.
    pub fn write_bindings(&self, out: &mut String) {
        for value in &self.values {
            out.push_str(&format!("    {} = {}\n", value.name, value.literal));
        }
        for entry in &self.entries {
            match &entry.value {
                Some(value) => out.push_str(&format!(
                    "    {}[{}] = {}\n",
                    entry.state, entry.key.literal, value.literal
                )),
                None => out.push_str(&format!(
                    "    {}[{}] is absent\n",
                    entry.state, entry.key.literal
                )),
            }
        }
    }
}

/// One named value of a counterexample.
#[derive(Clone, Debug)]
pub struct Shown {
    pub name: String,
    /// In Assent literal syntax (or the solver's text when it cannot be read back).
    pub literal: String,
    /// The value, when read back, with its type.
    pub value: Option<(Value, Ty)>,
}

/// One entry of persistent state a counterexample needs.
#[derive(Clone, Debug)]
pub struct Entry {
    pub state: String,
    pub key: Shown,
    /// `None` when the entry is absent (a map without the key, a set without the element).
    pub value: Option<Shown>,
}

impl PropertyResult {
    /// `name  proven` — the one line `assent verify` prints per property.
    pub fn line(&self) -> String {
        let status = match &self.status {
            Status::Proven => "proven".to_string(),
            Status::Counterexample(_) => "counterexample".to_string(),
            Status::Unknown(reason) => format!("unknown: {reason}"),
        };
        format!("{} {}: {status}", self.position, self.property)
    }

    /// The counterexample in words, indented, or an empty string.
    pub fn details(&self) -> String {
        let Status::Counterexample(c) = &self.status else {
            return String::new();
        };
        let mut out = format!("counterexample for `{}`: {}\n", self.property, c.failure);
        c.write_bindings(&mut out);
        out
    }

    /// `{"file", "property", "status", "counterexample"?, "reason"?}`.
    pub fn to_json(&self, file: &str) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("file".into(), file.into());
        object.insert("property".into(), self.property.clone().into());
        object.insert("position".into(), self.position.clone().into());
        match &self.status {
            Status::Proven => {
                object.insert("status".into(), "proven".into());
            }
            Status::Unknown(reason) => {
                object.insert("status".into(), "unknown".into());
                object.insert("reason".into(), reason.clone().into());
            }
            Status::Counterexample(c) => {
                object.insert("status".into(), "counterexample".into());
                let (values, entries) = c.bindings_json();
                object.insert(
                    "counterexample".into(),
                    serde_json::json!({
                        "failure": c.failure,
                        "values": values,
                        "entries": entries,
                    }),
                );
            }
        }
        serde_json::Value::Object(object)
    }
}

/// Proves every property of `contract`, in declaration order.
///
/// # Errors
/// [`SolverError::NotFound`] when the solver cannot be started; any other solver trouble
/// makes the property concerned `unknown`.
pub fn verify_contract(
    contract: &Contract,
    solver: &Solver,
) -> Result<Vec<PropertyResult>, SolverError> {
    let mut results = Vec::new();
    for property in &contract.properties {
        let status = prove(contract, property, solver)?;
        results.push(PropertyResult {
            property: property.name.clone(),
            position: contract.position(property.loc),
            status,
        });
    }
    Ok(results)
}

/// One property: its failures as a query; unsatisfiable means proven. A property with a
/// percentage is first tried with percentages abstracted to what holds of them (a proof
/// there is a proof), then, if that finds no proof, exactly.
fn prove(contract: &Contract, property: &Function, solver: &Solver) -> Result<Status, SolverError> {
    if uses_percent(property, contract)
        && let Status::Proven = prove_with(contract, property, solver, true)?
    {
        return Ok(Status::Proven);
    }
    prove_with(contract, property, solver, false)
}

/// Whether evaluating `property` may multiply by a percentage.
fn uses_percent(property: &Function, contract: &Contract) -> bool {
    let mut found = false;
    let mut seen = vec![false; contract.functions.len()];
    let mut bodies = vec![property.body.clone()];
    while let Some(mut body) = bodies.pop() {
        assent_lang::typed::visit::exprs_mut(&mut body, &mut |e| match &e.kind {
            assent_lang::typed::ExprKind::Binary {
                op:
                    assent_lang::typed::BinaryOp::MoneyTimesPercent
                    | assent_lang::typed::BinaryOp::IntTimesPercent,
                ..
            } => found = true,
            assent_lang::typed::ExprKind::Call { function, .. } => {
                if let Some(slot) = seen.get_mut(function.index())
                    && !*slot
                {
                    *slot = true;
                    if let Some(f) = contract.function(*function) {
                        bodies.push(f.body.clone());
                    }
                }
            }
            _ => {}
        });
    }
    found
}

fn prove_with(
    contract: &Contract,
    property: &Function,
    solver: &Solver,
    abstract_percent: bool,
) -> Result<Status, SolverError> {
    let mut script = Script::default();
    let mut encoder = Encoder::new(contract, &mut script);
    encoder.abstract_percent = abstract_percent;
    let failures = match encoder.property(property) {
        Ok(failures) => failures,
        Err(unsupported) => {
            return Ok(Status::Unknown(format!(
                "{} at {}",
                unsupported.reason,
                contract.position(unsupported.loc)
            )));
        }
    };
    if failures.is_empty() {
        return Ok(Status::Proven);
    }
    let facts = std::mem::take(&mut encoder.facts);
    let inputs = std::mem::take(&mut encoder.inputs);
    let reads = std::mem::take(&mut encoder.reads);
    encode::assert_some_failure(&mut script, &facts, &failures);
    let query = Query {
        contract,
        failures: &failures,
        inputs: &inputs,
        reads: &reads,
    };
    let wanted = query.wanted();
    match solver.check(script.text(), &wanted) {
        Ok(Answer::Unsat) => Ok(Status::Proven),
        Ok(Answer::Unknown(reason)) => Ok(Status::Unknown(reason)),
        Ok(Answer::Sat(values)) => Ok(Status::Counterexample(query.counterexample(&values))),
        Err(SolverError::Failed(message)) => Ok(Status::Unknown(message)),
        Err(error) => Err(error),
    }
}

/// What a query asks the solver for, and how its answer reads back.
struct Query<'a> {
    contract: &'a Contract,
    failures: &'a [Failure],
    inputs: &'a [encode::Input],
    reads: &'a [encode::Read],
}

impl Query<'_> {
    /// The terms whose values the counterexample shows, in a fixed order: failures,
    /// inputs, then each read's key and entry.
    fn wanted(&self) -> Vec<String> {
        let mut wanted: Vec<String> = self.failures.iter().map(|f| f.term.clone()).collect();
        wanted.extend(self.inputs.iter().map(|i| i.term.clone()));
        for read in self.reads {
            wanted.push(read.key.clone());
            wanted.push(format!("(select {} {})", read.array, read.key));
        }
        wanted
    }

    fn counterexample(&self, values: &[(Sexpr, Sexpr)]) -> Counterexample {
        let mut answers = values.iter().map(|(_, v)| v);
        let mut failure = None;
        for f in self.failures {
            let holds = answers.next().and_then(Sexpr::atom) == Some("true");
            if holds && failure.is_none() {
                failure = Some(describe_failure(self.contract, f));
            }
        }
        let mut shown_values = Vec::new();
        for input in self.inputs {
            let Some(answer) = answers.next() else { break };
            shown_values.push(shown(self.contract, &input.label, answer, &input.ty));
        }
        let mut entries: Vec<Entry> = Vec::new();
        for read in self.reads {
            let (Some(key), Some(entry)) = (answers.next(), answers.next()) else {
                break;
            };
            let Some(def) = self.contract.states.get(read.state.index()) else {
                continue;
            };
            let (key_ty, value) = match &def.ty {
                Ty::Map(k, v) => {
                    let option = Ty::Option(v.clone());
                    let value = match model::decode(self.contract, entry, &option) {
                        Some(Value::Option(None)) => None,
                        Some(Value::Option(Some(inner))) => Some(Shown {
                            name: def.name.clone(),
                            literal: model::show(self.contract, &inner, v),
                            value: Some(((*inner).clone(), (**v).clone())),
                        }),
                        _ => Some(Shown {
                            name: def.name.clone(),
                            literal: raw(entry),
                            value: None,
                        }),
                    };
                    ((**k).clone(), value)
                }
                Ty::Set(k) => {
                    let present = entry.atom() == Some("true");
                    let value = present.then(|| Shown {
                        name: def.name.clone(),
                        literal: "present".to_string(),
                        value: None,
                    });
                    ((**k).clone(), value)
                }
                _ => continue,
            };
            let key = shown(self.contract, "key", key, &key_ty);
            if entries
                .iter()
                .any(|e| e.state == def.name && e.key.literal == key.literal)
            {
                continue;
            }
            entries.push(Entry {
                state: def.name.clone(),
                key,
                value,
            });
        }
        Counterexample {
            failure: failure.unwrap_or_else(|| "the property fails".to_string()),
            values: shown_values,
            entries,
        }
    }
}

fn describe_failure(contract: &Contract, failure: &Failure) -> String {
    let position = contract.position(failure.loc);
    match &failure.kind {
        FailureKind::Assert { message: Some(m) } => {
            format!("the assertion at {position} does not hold ({m})")
        }
        FailureKind::Assert { message: None } => {
            format!("the assertion at {position} does not hold")
        }
        FailureKind::Abort { what } => format!("the evaluation aborts at {position}: {what}"),
    }
}

fn shown(contract: &Contract, name: &str, answer: &Sexpr, ty: &Ty) -> Shown {
    match model::decode(contract, answer, ty) {
        Some(value) => Shown {
            name: name.to_string(),
            literal: model::show(contract, &value, ty),
            value: Some((value, ty.clone())),
        },
        None => Shown {
            name: name.to_string(),
            literal: raw(answer),
            value: None,
        },
    }
}

/// The solver's text of a value, for one the model reader does not know.
fn raw(s: &Sexpr) -> String {
    match s {
        Sexpr::Atom(a) => a.clone(),
        Sexpr::Str(text) => format!("{text:?}"),
        Sexpr::List(items) => format!("({})", items.iter().map(raw).collect::<Vec<_>>().join(" ")),
    }
}
