//! A counterexample reproduced through the contract's actions: bounded model checking from
//! deployment, and the `*.scenario.json` file that replays the run found.
//!
//! The query is the contract deployed (state as `init` leaves it), then exactly `k`
//! transactions, each any action the prover translates with free arguments, a caller
//! among the scenario's accounts and a later time, none aborting (an aborted transaction
//! changes no state, so leaving it out loses nothing), then the property evaluated on the
//! state reached and failing. `k` goes from 0 up to the depth asked for; the first run
//! found is the shortest. The property's own calls of the contract's views and policies
//! become the scenario's `view` steps, expecting the values under which it fails.
//!
//! A run too long to search whole starts with a prefix the user names: those actions,
//! in that order (their arguments, callers and times still free), then the `k` free
//! transactions. Each fixed step adds one action to the query where a free one adds
//! every action, so a state four actions deep is found by a query the size of one free
//! step.

use assent_lang::typed::{ContextVar, Contract, Function, FunctionId, FunctionKind, Ty};
use assent_stdlib::json::to_json;
use assent_stdlib::time::format_time;
use assent_stdlib::value::{Type, Value};
use serde_json::{Map as JsonMap, Value as Json, json};

use crate::encode::{Encoder, Failure, Observed};
use crate::script::{self, Script, Term, WORD, int};
use crate::sexpr::Sexpr;
use crate::solver::{Answer, Solver, SolverError};

/// The latest time a scenario can write: 9999-12-31T23:59:59Z.
const LATEST_TIME: i64 = 253_402_300_799;

/// Who acts in a reproducing scenario.
#[derive(Clone, Debug)]
pub struct Accounts {
    /// Development account names and their addresses; the first deploys the contract.
    pub parties: Vec<(String, [u8; 20])>,
    /// The contract's address when the first party deploys it in its first transaction.
    pub contract: [u8; 20],
}

/// What a reproducing scenario is made of, besides the property.
#[derive(Clone, Debug)]
pub struct Setup {
    pub accounts: Accounts,
    /// The actions every run starts with, in order (arguments, callers and times free).
    pub prefix: Vec<FunctionId>,
    /// The most actions after deployment (and the prefix) a run may take.
    pub depth: usize,
    /// The contract's name in the scenario (`"contracts": {name: file}`).
    pub name: String,
    /// The contract's file, as the scenario names it (relative to the scenario file).
    pub file: String,
}

/// What the search from deployment found.
#[derive(Clone, Debug)]
pub enum Reproduction {
    /// A run of `actions` actions after deployment that fails the property; `views` is the
    /// number of `view` steps checking the values it fails with.
    Reached {
        actions: usize,
        views: usize,
        failure: String,
        scenario: Json,
    },
    /// No run of at most `depth` actions (of those translated), after the prefix's,
    /// fails the property.
    NotReached {
        /// The prefix's action names.
        prefix: Vec<String>,
        depth: usize,
        /// Actions outside what the prover translates, with the reason: runs using
        /// them were not searched.
        left_out: Vec<String>,
    },
    /// The solver could not decide, or the property or `init` is outside the prover.
    Unknown(String),
}

impl Reproduction {
    /// One line for `assent verify`.
    pub fn describe(&self, property: &str) -> String {
        match self {
            Reproduction::Reached { actions, views, .. } => {
                let runs = match actions {
                    0 => "deployment alone".to_string(),
                    1 => "deployment and 1 action".to_string(),
                    n => format!("deployment and {n} actions"),
                };
                let checked = if *views == 0 {
                    "; the property reads the state directly, so no view step checks it"
                } else {
                    ""
                };
                format!("`{property}` fails after {runs}{checked}")
            }
            Reproduction::NotReached {
                prefix,
                depth,
                left_out,
            } => {
                let actions = if *depth == 1 { "action" } else { "actions" };
                let run = if prefix.is_empty() {
                    format!("deployment and at most {depth} {actions}")
                } else {
                    let named: Vec<String> = prefix.iter().map(|n| format!("`{n}`")).collect();
                    format!(
                        "deployment, {} and at most {depth} more {actions}",
                        named.join(", ")
                    )
                };
                let mut line = format!(
                    "`{property}`: no run of {run} reaches a state that fails it; the counterexample's state was not reached"
                );
                if !left_out.is_empty() {
                    line.push_str(&format!(
                        " (actions left out of the search: {})",
                        left_out.join("; ")
                    ));
                }
                line
            }
            Reproduction::Unknown(reason) => {
                format!("`{property}`: no scenario: {reason}")
            }
        }
    }
}

/// The contract's own action called `name`.
pub fn action_named(contract: &Contract, name: &str) -> Option<FunctionId> {
    entries(contract, FunctionKind::Action)
        .into_iter()
        .find(|id| contract.function(*id).is_some_and(|f| f.name == name))
}

/// Searches runs of deployment, `setup.prefix` and at most `setup.depth` actions for one
/// that fails `property`, shortest first.
///
/// # Errors
/// [`SolverError::NotFound`] when the solver cannot be started.
pub fn reproduce(
    contract: &Contract,
    property: &Function,
    solver: &Solver,
    setup: &Setup,
) -> Result<Reproduction, SolverError> {
    if setup.accounts.parties.is_empty() {
        return Ok(Reproduction::Unknown("no accounts to act".to_string()));
    }
    let init = entries(contract, FunctionKind::Init).into_iter().next();
    let mut actions = Vec::new();
    let mut left_out = Vec::new();
    for id in entries(contract, FunctionKind::Action) {
        let Some(function) = contract.function(id) else {
            continue;
        };
        match translates(contract, id, setup) {
            Ok(()) => actions.push(id),
            Err(reason) => left_out.push(format!("`{}`: {reason}", function.name)),
        }
    }
    let mut prefix = Vec::new();
    for id in &setup.prefix {
        let Some(function) = contract.function(*id) else {
            return Ok(Reproduction::Unknown("an unknown action".to_string()));
        };
        if let Err(reason) = translates(contract, *id, setup) {
            return Ok(Reproduction::Unknown(format!(
                "the prefix's `{}` is outside the prover: {reason}",
                function.name
            )));
        }
        prefix.push(function.name.clone());
    }
    let mut unknown = None;
    for k in 0..=setup.depth {
        if k > 0 && actions.is_empty() {
            break;
        }
        let run = Run {
            contract,
            setup,
            init,
            actions: &actions,
            length: setup.prefix.len() + k,
        };
        let mut script = Script::default();
        let query = match run.encode(property, &mut script) {
            Ok(query) => query,
            Err(reason) => return Ok(Reproduction::Unknown(reason)),
        };
        match solver.check(script.text(), &query.wanted()) {
            Ok(Answer::Sat(values)) => {
                let answers: Vec<Sexpr> = values.into_iter().map(|(_, v)| v).collect();
                return Ok(match run.scenario(property, &query, &answers) {
                    Ok(found) => found,
                    Err(reason) => Reproduction::Unknown(reason),
                });
            }
            Ok(Answer::Unsat) => {}
            Ok(Answer::Unknown(reason)) | Err(SolverError::Failed(reason)) => {
                unknown.get_or_insert(format!("with {k} actions: {reason}"));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(match unknown {
        Some(reason) => Reproduction::Unknown(format!("the solver could not decide {reason}")),
        None => Reproduction::NotReached {
            prefix,
            depth: setup.depth,
            left_out,
        },
    })
}

/// The contract's own entry points of `kind`, in declaration order.
fn entries(contract: &Contract, kind: FunctionKind) -> Vec<FunctionId> {
    contract
        .functions
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == kind && f.module == contract.module)
        .filter_map(|(index, _)| u32::try_from(index).ok().map(FunctionId))
        .collect()
}

/// Whether action `id` is inside what the prover translates; the reason when not.
fn translates(contract: &Contract, id: FunctionId, setup: &Setup) -> Result<(), String> {
    let mut script = Script::default();
    let mut encoder = Encoder::new(contract, &mut script);
    encoder.from_deployment = true;
    let context = Context::free(&mut encoder, "probe", &setup.accounts);
    encoder.fixed_context = context.terms(&setup.accounts, "1");
    let Some(function) = contract.function(id) else {
        return Err("an unknown action".to_string());
    };
    let params = params(&mut encoder, function, "probe").map_err(|u| reason(contract, &u))?;
    encoder
        .call(id, params, "true", function.loc)
        .map(|_| ())
        .map_err(|u| reason(contract, &u))
}

fn reason(contract: &Contract, unsupported: &crate::encode::Unsupported) -> String {
    format!(
        "{} at {}",
        unsupported.reason,
        contract.position(unsupported.loc)
    )
}

/// Free parameters of `function`, named `<prefix>.<name>`.
fn params(
    encoder: &mut Encoder<'_, '_>,
    function: &Function,
    prefix: &str,
) -> Result<Vec<Term>, crate::encode::Unsupported> {
    let mut terms = Vec::new();
    for p in &function.params {
        terms.push(encoder.free(
            &format!("{prefix}.{}", p.name),
            &p.name,
            &p.ty,
            function.loc,
        )?);
    }
    Ok(terms)
}

/// The caller and time of one transaction (or of the final views).
struct Context {
    caller: Term,
    now: Term,
}

impl Context {
    /// A caller among the accounts and a time a scenario can write, both free.
    fn free(encoder: &mut Encoder<'_, '_>, prefix: &str, accounts: &Accounts) -> Context {
        let caller = encoder
            .script
            .declare(&format!("{prefix}.caller"), "(_ BitVec 160)");
        let among = accounts
            .parties
            .iter()
            .map(|(_, address)| format!("(= {caller} #x{})", hex(address)))
            .collect::<Vec<_>>()
            .join(" ");
        encoder.facts.push(format!("(or false {among})"));
        let now = encoder.script.declare(&format!("{prefix}.now"), WORD);
        encoder.facts.push(format!(
            "(and (<= 1 {now}) (<= {now} {}))",
            int(LATEST_TIME)
        ));
        Context { caller, now }
    }

    fn terms(&self, accounts: &Accounts, block: &str) -> Vec<(ContextVar, Term)> {
        vec![
            (ContextVar::Caller, self.caller.clone()),
            (ContextVar::Origin, self.caller.clone()),
            (ContextVar::Now, self.now.clone()),
            (ContextVar::Block, block.to_string()),
            (
                ContextVar::SelfAddress,
                format!("#x{}", hex(&accounts.contract)),
            ),
        ]
    }
}

/// One transaction of the run: its context, and the arguments of each action it may be.
struct Step {
    context: Context,
    /// The index of the action taken (an Int term), when there is a choice.
    choice: Option<Term>,
    candidates: Vec<(FunctionId, Vec<Term>)>,
}

/// A query: the run's steps, the final views' context, and the property's failures.
struct Query {
    steps: Vec<Step>,
    last: Context,
    failures: Vec<Failure>,
    observed: Vec<Observed>,
}

impl Query {
    /// Terms asked of the model, in the order [`Run::scenario`] reads them.
    fn wanted(&self) -> Vec<Term> {
        let mut wanted: Vec<Term> = self.failures.iter().map(|f| f.term.clone()).collect();
        for step in &self.steps {
            wanted.push(step.context.caller.clone());
            wanted.push(step.context.now.clone());
            if let Some(choice) = &step.choice {
                wanted.push(choice.clone());
            }
            for (_, params) in &step.candidates {
                wanted.extend(params.iter().cloned());
            }
        }
        wanted.push(self.last.caller.clone());
        wanted.push(self.last.now.clone());
        for call in &self.observed {
            wanted.push(call.reached.clone());
            wanted.push(call.aborts.clone());
            wanted.extend(call.args.iter().cloned());
            wanted.push(call.result.clone());
        }
        wanted
    }
}

/// A run of a given length from deployment: the prefix's actions, then free steps.
struct Run<'a> {
    contract: &'a Contract,
    setup: &'a Setup,
    init: Option<FunctionId>,
    actions: &'a [FunctionId],
    length: usize,
}

impl Run<'_> {
    fn encode(&self, property: &Function, script: &mut Script) -> Result<Query, String> {
        let contract = self.contract;
        let accounts = &self.setup.accounts;
        let mut encoder = Encoder::new(contract, script);
        encoder.from_deployment = true;
        let mut steps = Vec::new();
        // Deployment: the first account, `init` with free arguments.
        let context = Context::free(&mut encoder, "tx0", accounts);
        let deployer = accounts
            .parties
            .first()
            .map(|(_, address)| format!("#x{}", hex(address)))
            .unwrap_or_default();
        encoder
            .facts
            .push(format!("(= {} {deployer})", context.caller));
        encoder.fixed_context = context.terms(accounts, "1");
        let mut candidates = Vec::new();
        if let Some(id) = self.init
            && let Some(function) = contract.function(id)
        {
            let params =
                params(&mut encoder, function, "tx0.init").map_err(|u| reason(contract, &u))?;
            encoder
                .call(id, params.clone(), "true", function.loc)
                .map_err(|u| format!("`init` is outside the prover: {}", reason(contract, &u)))?;
            candidates.push((id, params));
        }
        no_aborts(&mut encoder);
        steps.push(Step {
            context,
            choice: None,
            candidates,
        });
        for i in 1..=self.length {
            let prefix = format!("tx{i}");
            let context = Context::free(&mut encoder, &prefix, accounts);
            if let Some(previous) = steps.last() {
                encoder
                    .facts
                    .push(format!("(< {} {})", previous.context.now, context.now));
            }
            encoder.fixed_context = context.terms(accounts, &(i + 1).to_string());
            // A step of the prefix is its one action; a free step, any of them.
            let fixed = self.setup.prefix.get(i - 1).copied();
            let choice = match fixed {
                Some(_) => None,
                None => {
                    let choice = encoder.script.declare(&format!("{prefix}.action"), WORD);
                    encoder.facts.push(format!(
                        "(and (<= 0 {choice}) (< {choice} {}))",
                        self.actions.len()
                    ));
                    Some(choice)
                }
            };
            let taken: Vec<FunctionId> = match fixed {
                Some(id) => vec![id],
                None => self.actions.to_vec(),
            };
            let mut candidates = Vec::new();
            for (j, id) in taken.iter().enumerate() {
                let Some(function) = contract.function(*id) else {
                    continue;
                };
                let params = params(
                    &mut encoder,
                    function,
                    &format!("{prefix}.{}", function.name),
                )
                .map_err(|u| reason(contract, &u))?;
                let guard = match &choice {
                    Some(choice) => format!("(= {choice} {j})"),
                    None => "true".to_string(),
                };
                encoder
                    .call(*id, params.clone(), &guard, function.loc)
                    .map_err(|u| reason(contract, &u))?;
                candidates.push((*id, params));
            }
            no_aborts(&mut encoder);
            steps.push(Step {
                context,
                choice,
                candidates,
            });
        }
        // The views: at the last block's time, or after an empty block later.
        let last = Context::free(&mut encoder, "views", accounts);
        let blocks = self.length + 1;
        let mut block = int(i64::try_from(blocks).unwrap_or(i64::MAX));
        if let Some(previous) = steps.last() {
            let previous_now = &previous.context.now;
            encoder
                .facts
                .push(format!("(<= {previous_now} {})", last.now));
            block = script::ite(
                &format!("(< {previous_now} {})", last.now),
                &int(i64::try_from(blocks + 1).unwrap_or(i64::MAX)),
                &block,
            );
        }
        encoder.fixed_context = last.terms(accounts, &block);
        encoder.reads.clear();
        encoder.observed = Some(Vec::new());
        let failures = encoder.property(property).map_err(|u| {
            format!(
                "the property is outside the prover: {}",
                reason(contract, &u)
            )
        })?;
        let observed = encoder.observed.take().unwrap_or_default();
        let facts = std::mem::take(&mut encoder.facts);
        crate::encode::assert_some_failure(script, &facts, &failures);
        Ok(Query {
            steps,
            last,
            failures,
            observed,
        })
    }

    /// The scenario of the model's run.
    fn scenario(
        &self,
        property: &Function,
        query: &Query,
        answers: &[Sexpr],
    ) -> Result<Reproduction, String> {
        let contract = self.contract;
        let mut model = Model {
            contract,
            answers: answers.iter(),
            names: self.names(),
        };
        let mut failure = None;
        for f in &query.failures {
            if model.next_bool()? && failure.is_none() {
                failure = Some(crate::describe_failure(contract, f));
            }
        }
        let failure = failure.unwrap_or_else(|| "the property fails".to_string());
        let name = &self.setup.name;
        let mut steps = Vec::new();
        let mut genesis = 0;
        let mut last_now = 0;
        for (i, step) in query.steps.iter().enumerate() {
            let from = model.account()?;
            let now = model.int()?;
            let choice = match &step.choice {
                Some(_) => usize::try_from(model.int()?).map_err(|e| e.to_string())?,
                None => 0,
            };
            let mut taken = None;
            for (j, (id, params)) in step.candidates.iter().enumerate() {
                if j != choice {
                    model.skip(params.len())?;
                    continue;
                }
                let function = contract.function(*id).ok_or("an unknown action")?;
                let mut args = JsonMap::new();
                for param in &function.params {
                    args.insert(param.name.clone(), model.value(&param.ty)?);
                }
                taken = Some((function, args));
            }
            let mut object = JsonMap::new();
            let args = match (i, taken) {
                (0, taken) => {
                    genesis = now - 1;
                    object.insert("deploy".into(), name.clone().into());
                    taken.map(|(_, args)| args).unwrap_or_default()
                }
                (_, Some((function, args))) => {
                    object.insert("call".into(), format!("{name}.{}", function.name).into());
                    args
                }
                (_, None) => return Err("the model names no action".to_string()),
            };
            object.insert("from".into(), from.into());
            object.insert("at".into(), format_time(now).into());
            if !args.is_empty() {
                object.insert("args".into(), Json::Object(args));
            }
            object.insert("expect".into(), json!({ "status": "ok" }));
            steps.push(Json::Object(object));
            last_now = now;
        }
        let from = model.account()?;
        let now = model.int()?;
        if now > last_now {
            steps.push(json!({ "advance": now - last_now }));
        }
        let mut views = 0;
        let mut seen = Vec::new();
        for call in &query.observed {
            let reached = model.next_bool()?;
            let aborts = model.next_bool()?;
            let function = contract.function(call.function).ok_or("an unknown view")?;
            if !reached {
                model.skip(call.args.len() + 1)?;
                continue;
            }
            let mut args = JsonMap::new();
            for param in &function.params {
                args.insert(param.name.clone(), model.value(&param.ty)?);
            }
            let result = if aborts {
                model.skip(1)?;
                Json::Null
            } else {
                model.value(&function.ret)?
            };
            let key = (function.name.clone(), args.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let expect = if aborts {
                json!({ "status": "aborted" })
            } else {
                json!({ "returns": result })
            };
            let mut object = JsonMap::new();
            object.insert("view".into(), format!("{name}.{}", function.name).into());
            object.insert("from".into(), from.clone().into());
            if !args.is_empty() {
                object.insert("args".into(), Json::Object(args));
            }
            object.insert("expect".into(), expect);
            steps.push(Json::Object(object));
            views += 1;
        }
        let mut contracts = JsonMap::new();
        contracts.insert(name.clone(), self.setup.file.clone().into());
        let scenario = json!({
            "description": format!(
                "`assent verify` found this run: property `{}` fails ({failure})",
                property.name
            ),
            "time": format_time(genesis),
            "contracts": contracts,
            "steps": steps,
        });
        Ok(Reproduction::Reached {
            actions: self.length,
            views,
            failure,
            scenario,
        })
    }

    /// Addresses the scenario writes by name: the accounts, then the contract.
    fn names(&self) -> Vec<([u8; 20], String)> {
        let mut names: Vec<([u8; 20], String)> = self
            .setup
            .accounts
            .parties
            .iter()
            .map(|(name, address)| (*address, name.clone()))
            .collect();
        names.push((self.setup.accounts.contract, self.setup.name.clone()));
        names
    }
}

/// Every abort of the transaction just encoded ruled out.
fn no_aborts(encoder: &mut Encoder<'_, '_>) {
    for site in std::mem::take(&mut encoder.aborts) {
        encoder.facts.push(script::not(&site.cond));
    }
}

/// The model's answers, read in the order they were asked.
struct Model<'a, 'c> {
    contract: &'c Contract,
    answers: std::slice::Iter<'a, Sexpr>,
    names: Vec<([u8; 20], String)>,
}

impl Model<'_, '_> {
    fn next(&mut self) -> Result<&Sexpr, String> {
        self.answers
            .next()
            .ok_or_else(|| "the solver's model is missing values".to_string())
    }

    fn skip(&mut self, count: usize) -> Result<(), String> {
        for _ in 0..count {
            self.next()?;
        }
        Ok(())
    }

    fn decode(&mut self, ty: &Ty) -> Result<Value, String> {
        let contract = self.contract;
        let answer = self.next()?;
        crate::model::decode(contract, answer, ty)
            .ok_or_else(|| format!("the solver's value `{}` is unreadable", crate::raw(answer)))
    }

    fn next_bool(&mut self) -> Result<bool, String> {
        Ok(matches!(self.decode(&Ty::Bool)?, Value::Bool(true)))
    }

    fn int(&mut self) -> Result<i64, String> {
        match self.decode(&Ty::Int)? {
            Value::Int(n) => Ok(n),
            other => Err(format!("the solver gave `{other:?}` for a number")),
        }
    }

    /// A caller: one of the accounts, by name.
    fn account(&mut self) -> Result<String, String> {
        match self.decode(&Ty::Address)? {
            Value::Address(bytes) => self
                .names
                .iter()
                .find(|(address, _)| address.as_slice() == bytes.as_slice())
                .map(|(_, name)| name.clone())
                .ok_or_else(|| "the solver chose a caller outside the accounts".to_string()),
            other => Err(format!("the solver gave `{other:?}` for an address")),
        }
    }

    /// A value in its JSON form, known addresses by name.
    fn value(&mut self, ty: &Ty) -> Result<Json, String> {
        let value = self.decode(ty)?;
        let value_type = self
            .contract
            .value_type(ty)
            .ok_or_else(|| format!("a value of type `{}`", self.contract.type_name(ty)))?;
        let json = to_json(&value, &value_type);
        Ok(named(json, &value_type, &self.names))
    }
}

/// `json`, of type `ty`, with each address that has a name replaced by the name.
fn named(json: Json, ty: &Type, names: &[([u8; 20], String)]) -> Json {
    match (json, ty) {
        (Json::String(text), Type::Address) => names
            .iter()
            .find(|(address, _)| text == format!("0x{}", hex(address)))
            .map_or(Json::String(text.clone()), |(_, name)| {
                Json::String(name.clone())
            }),
        (Json::Object(fields), Type::Record(record)) => Json::Object(
            fields
                .into_iter()
                .map(|(name, value)| {
                    let value = match record.fields.iter().find(|(n, _)| *n == name) {
                        Some((_, field_ty)) => named(value, field_ty, names),
                        None => value,
                    };
                    (name, value)
                })
                .collect(),
        ),
        (Json::Array(items), Type::Tuple(types)) => Json::Array(
            items
                .into_iter()
                .zip(types)
                .map(|(item, item_ty)| named(item, item_ty, names))
                .collect(),
        ),
        (Json::Array(items), Type::List(element) | Type::Set(element)) => Json::Array(
            items
                .into_iter()
                .map(|item| named(item, element, names))
                .collect(),
        ),
        (Json::Array(items), Type::Map(key, value)) => Json::Array(
            items
                .into_iter()
                .map(|pair| match pair {
                    Json::Array(kv) => {
                        let mut kv = kv.into_iter();
                        let k = kv.next().map(|k| named(k, key, names));
                        let v = kv.next().map(|v| named(v, value, names));
                        Json::Array(k.into_iter().chain(v).collect())
                    }
                    other => other,
                })
                .collect(),
        ),
        (Json::Null, Type::Option(_)) => Json::Null,
        (Json::Array(items), Type::Option(inner)) if matches!(**inner, Type::Option(_)) => {
            Json::Array(items.into_iter().map(|i| named(i, inner, names)).collect())
        }
        (json, Type::Option(inner)) => named(json, inner, names),
        (json, _) => json,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
