//! Runs one scenario on the real ledger (LEDGER.md §7): a genesis block at `time`, one
//! block per `deploy` or `call` one second after the previous block, an empty block per
//! `advance`, views against the latest block.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assent_lang::codegen::Compiled;
use assent_ledger::executor::Outcome;
use assent_ledger::receipt::{Receipt, Status};
use assent_ledger::tx::Transaction;
use assent_ledger::{
    Address, Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, MemoryStore, RedbStore, Store,
};
use assent_stdlib::abi::{EntryAbi, EntryKind};
use assent_stdlib::json::{AddressNames, args_from_json, from_json, to_json};
use assent_stdlib::value::Type;
use assent_vm::VmConfig;

use crate::executor::{ViewRequest, VmExecutor};
use serde_json::{Value as Json, json};

use super::accounts::{Names, Resolver};
use super::expect::{self, Canonical, Observed, ObservedEvent};
use super::file::{self, Action, EventFields, ExpectedEvent, Step};

/// The chain id of scenario ledgers (`0x4153`, "AS").
pub const SCENARIO_CHAIN_ID: u64 = 0x4153;

/// How to run scenarios.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Keep the ledger in `DIR/ledger.redb` instead of memory.
    pub data: Option<PathBuf>,
    /// Explain every `view` step of a policy, not only those with `"explain": true`.
    pub explain: bool,
}

/// A `view` step's decision explained.
#[derive(Debug)]
pub struct StepExplanation {
    /// 1-based.
    pub index: usize,
    pub description: String,
    /// The explanation's text, or why there is none.
    pub text: String,
}

/// A step that did not do what it expects.
#[derive(Debug)]
pub struct StepFailure {
    /// 1-based.
    pub index: usize,
    pub description: String,
    pub note: Option<String>,
    pub problems: Vec<String>,
}

/// Gas used by one entry point once.
#[derive(Clone, Debug)]
pub struct GasSample {
    /// The contract's declared name (`PatientConsent`).
    pub contract: String,
    pub entry: String,
    pub gas: u64,
}

/// What running a scenario gave.
#[derive(Debug, Default)]
pub struct Report {
    /// The file could not be run at all (bad JSON, a contract that does not compile, …).
    pub error: Option<String>,
    pub steps: usize,
    pub failures: Vec<StepFailure>,
    pub gas: Vec<GasSample>,
    /// Per step: the block it made (number, hash, state root) and its receipt, or the
    /// view's result. Deterministic: the same scenario gives the same trace everywhere.
    pub trace: Vec<Json>,
    /// The decisions explained, in step order.
    pub explanations: Vec<StepExplanation>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }
}

/// A contract of the scenario, compiled.
struct Contract {
    compiled: Compiled,
    types: Vec<Type>,
    /// Its source file, to build it for explaining when a step asks.
    source: PathBuf,
    /// Built for explaining, once a step asked (or why it could not be).
    explaining: Option<Result<assent_lang::Explaining, String>>,
}

impl Contract {
    fn entry(&self, name: &str) -> Option<&EntryAbi> {
        self.compiled.abi.entries.iter().find(|e| e.name == name)
    }

    fn params(&self, entry: &EntryAbi) -> Option<Vec<(String, Type)>> {
        entry
            .params
            .iter()
            .map(|param| {
                Some((
                    param.name.clone(),
                    self.types.get(param.ty as usize)?.clone(),
                ))
            })
            .collect()
    }

    fn event_types(&self, name: &str) -> BTreeMap<String, Type> {
        self.compiled
            .abi
            .events
            .iter()
            .find(|event| event.name == name)
            .map(|event| {
                event
                    .fields
                    .iter()
                    .filter_map(|field| {
                        Some((
                            field.name.clone(),
                            self.types.get(field.ty as usize)?.clone(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs the scenario in `path`.
pub fn run(path: &Path, options: &Options) -> Report {
    let parsed = match file::read(path) {
        Ok(parsed) => parsed,
        Err(error) => return failed_setup(error),
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut contracts = BTreeMap::new();
    for (name, source) in &parsed.contracts {
        let source_path = base.join(source);
        match crate::pipeline::compile_file(&source_path, false) {
            Ok(built) => {
                let types = match built.compiled.abi.resolve_types() {
                    Ok(types) => types,
                    Err(error) => return failed_setup(format!("contract `{name}`: {error}")),
                };
                contracts.insert(
                    name.clone(),
                    Contract {
                        compiled: built.compiled,
                        types,
                        source: source_path.clone(),
                        explaining: None,
                    },
                );
            }
            Err(diagnostics) => {
                return failed_setup(format!(
                    "contract `{name}` (`{}`) does not compile:\n{}",
                    source_path.display(),
                    diagnostics.trim_end()
                ));
            }
        }
    }
    if let Err(error) = check_event_fields(&parsed.steps, &contracts) {
        return failed_setup(error);
    }
    let config = ChainConfig {
        chain_id: SCENARIO_CHAIN_ID,
        block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: parsed.genesis,
    };
    let executor = match VmExecutor::new(VmConfig::default()) {
        Ok(executor) => executor,
        Err(error) => return failed_setup(format!("cannot start the VM: {error}")),
    };
    match &options.data {
        None => match Chain::open(MemoryStore::new(), config) {
            Ok(chain) => Runner::new(chain, executor, contracts, options.explain).run(parsed.steps),
            Err(error) => failed_setup(format!("cannot open the ledger: {error}")),
        },
        Some(dir) => {
            let opened = std::fs::create_dir_all(dir)
                .map_err(|error| error.to_string())
                .and_then(|()| {
                    RedbStore::open(&dir.join("ledger.redb")).map_err(|error| error.to_string())
                })
                .and_then(|store| Chain::open(store, config).map_err(|error| error.to_string()));
            match opened {
                Ok(chain) => {
                    Runner::new(chain, executor, contracts, options.explain).run(parsed.steps)
                }
                Err(error) => failed_setup(format!(
                    "cannot open the ledger in `{}`: {error}",
                    dir.display()
                )),
            }
        }
    }
}

fn failed_setup(error: String) -> Report {
    Report {
        error: Some(error),
        ..Report::default()
    }
}

struct Runner<S: Store> {
    chain: Chain<S>,
    executor: VmExecutor,
    contracts: BTreeMap<String, Contract>,
    names: Names,
    /// Deployed address → the scenario's contract key.
    deployed: BTreeMap<Address, String>,
    report: Report,
    /// Explain every `view` step of a policy.
    explain_all: bool,
    /// The step running (1-based), for its explanation.
    current: usize,
}

/// What a step ran, before it is compared with its expectation.
struct Ran {
    observed: Observed,
    /// The contract key and entry point, for return types and the gas report.
    contract: Option<String>,
    entry: Option<String>,
}

impl<S: Store> Runner<S> {
    fn new(
        chain: Chain<S>,
        executor: VmExecutor,
        contracts: BTreeMap<String, Contract>,
        explain_all: bool,
    ) -> Self {
        Runner {
            chain,
            executor,
            contracts,
            names: Names::default(),
            deployed: BTreeMap::new(),
            report: Report::default(),
            explain_all,
            current: 0,
        }
    }

    fn run(mut self, steps: Vec<Step>) -> Report {
        self.report.steps = steps.len();
        for (index, step) in steps.iter().enumerate() {
            self.current = index + 1;
            let problems = match self.step(step) {
                Ok(problems) => problems,
                Err(problem) => vec![problem],
            };
            if !problems.is_empty() {
                self.report.failures.push(StepFailure {
                    index: index + 1,
                    description: step.describe(),
                    note: step.note.clone(),
                    problems,
                });
            }
        }
        self.report
    }

    /// Runs one step; the differences from its expectation.
    fn step(&mut self, step: &Step) -> Result<Vec<String>, String> {
        let ran = match &step.action {
            Action::Advance(seconds) => {
                let time = self.next_time(u64::try_from(*seconds).unwrap_or(u64::MAX));
                let block = self
                    .chain
                    .produce_block(&mut self.executor, time, &[])
                    .map_err(|error| format!("the ledger failed: {error}"))?;
                self.report.trace.push(json!({
                    "advance": assent_stdlib::time::format_duration(*seconds),
                    "block": block.header.number,
                    "state_root": block.header.state_root.to_string(),
                }));
                return Ok(Vec::new());
            }
            Action::Deploy { contract } => self.deploy(step, contract)?,
            Action::Call { contract, method } => self.call(step, contract, method)?,
            Action::View { contract, method } => self.view(step, contract, method)?,
        };
        if let (Some(contract), Some(entry), Some(gas)) =
            (&ran.contract, &ran.entry, ran.observed.gas_used)
        {
            self.report.gas.push(GasSample {
                contract: self
                    .contracts
                    .get(contract)
                    .map_or_else(|| contract.clone(), |c| c.compiled.abi.contract.clone()),
                entry: entry.clone(),
                gas,
            });
        }
        let canonical = self.canonical(step, &ran)?;
        Ok(expect::compare(
            &step.expect,
            &canonical,
            &ran.observed,
            &self.names,
        ))
    }

    fn next_time(&self, after: u64) -> u64 {
        self.chain.head().time.saturating_add(after)
    }

    fn contract(&self, name: &str) -> Result<&Contract, String> {
        self.contracts
            .get(name)
            .ok_or_else(|| format!("no contract `{name}` in the file's `contracts`"))
    }

    /// `args` with names replaced by addresses and every value in canonical JSON, when
    /// they match the entry point's parameters; as given otherwise (the ledger then
    /// rejects them with its reason).
    fn canonical_args(&mut self, contract: &str, entry: Option<&str>, args: &Json) -> String {
        let params = self.contract(contract).ok().and_then(|c| {
            let entry = match entry {
                Some(name) => c.entry(name),
                None => c
                    .compiled
                    .abi
                    .entries
                    .iter()
                    .find(|e| e.kind == EntryKind::Init),
            }?;
            c.params(entry)
        });
        let Some(params) = params else {
            return args.to_string();
        };
        let resolver = Resolver(RefCell::new(&mut self.names));
        match args_from_json(args, &params, &resolver) {
            Ok(values) => Json::Object(
                params
                    .iter()
                    .zip(&values)
                    .map(|((name, ty), value)| (name.clone(), to_json(value, ty)))
                    .collect(),
            )
            .to_string(),
            Err(_) => args.to_string(),
        }
    }

    fn deploy(&mut self, step: &Step, name: &str) -> Result<Ran, String> {
        let code = self.contract(name)?.compiled.wasm.clone();
        let args = self.canonical_args(name, None, &step.args);
        let (observed, receipt) = self.transact(step, None, String::new(), args, code)?;
        if let Some(address) = receipt.as_ref().and_then(|r| r.contract_address) {
            self.names.deployed(name, address)?;
            self.deployed.insert(address, name.to_owned());
        }
        Ok(Ran {
            observed,
            contract: Some(name.to_owned()),
            entry: Some("deploy".into()),
        })
    }

    fn call(&mut self, step: &Step, name: &str, method: &str) -> Result<Ran, String> {
        let address = self
            .names
            .contract(name)
            .ok_or_else(|| format!("contract `{name}` is not deployed (yet)"))?;
        let args = self.canonical_args(name, Some(method), &step.args);
        let (observed, _) =
            self.transact(step, Some(address), method.to_owned(), args, Vec::new())?;
        Ok(Ran {
            observed,
            contract: Some(name.to_owned()),
            entry: Some(method.to_owned()),
        })
    }

    /// Signs and runs one transaction in a new block 1 s after the previous one, or at the
    /// step's `at`.
    fn transact(
        &mut self,
        step: &Step,
        to: Option<Address>,
        method: String,
        args: String,
        code: Vec<u8>,
    ) -> Result<(Observed, Option<Receipt>), String> {
        let from = step.from.as_deref().unwrap_or_default();
        let (key, sender) = self.names.account(from)?;
        let nonce = self
            .chain
            .nonce(&sender)
            .map_err(|error| format!("the ledger failed: {error}"))?;
        let tx = Transaction {
            chain_id: SCENARIO_CHAIN_ID,
            nonce,
            gas_limit: step.gas_limit,
            to,
            method,
            args,
            code,
        };
        let raw = tx
            .sign(&key)
            .map_err(|error| format!("cannot sign: {error}"))?
            .encoded()
            .to_vec();
        let head = self.chain.head().time;
        let time = match step.at {
            None => self.next_time(1),
            Some(at) if at > head => at,
            Some(at) => {
                return Err(format!(
                    "`at` {} is not after the previous block's time {}",
                    assent_stdlib::time::format_time(i64::try_from(at).unwrap_or(i64::MAX)),
                    assent_stdlib::time::format_time(i64::try_from(head).unwrap_or(i64::MAX))
                ));
            }
        };
        let block = self
            .chain
            .produce_block(&mut self.executor, time, &[raw])
            .map_err(|error| format!("the ledger failed: {error}"))?;
        let mut entry = json!({
            "block": block.header.number,
            "state_root": block.header.state_root.to_string(),
        });
        if let Some(rejected) = block.rejected.first() {
            expect::set_field(&mut entry, "rejected", json!(rejected.error.to_string()));
            self.report.trace.push(entry);
            return Ok((
                Observed {
                    status: "rejected",
                    message: Some(rejected.error.to_string()),
                    position: None,
                    returns: Json::Null,
                    events: Vec::new(),
                    gas_used: None,
                },
                None,
            ));
        }
        let receipt = block
            .receipts
            .into_iter()
            .next()
            .ok_or("the block holds neither the transaction nor its rejection")?;
        expect::set_field(&mut entry, "receipt", receipt.to_json());
        self.report.trace.push(entry);
        let observed = Observed {
            status: match receipt.status {
                Status::Ok => "ok",
                Status::Aborted => "aborted",
                Status::OutOfGas => "out_of_gas",
            },
            message: receipt.message.clone(),
            position: receipt.position.clone(),
            returns: receipt
                .return_value
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or(Json::Null),
            events: receipt
                .events
                .iter()
                .map(|event| ObservedEvent {
                    name: event.name.clone(),
                    fields: serde_json::from_str(&event.fields).unwrap_or(Json::Null),
                    contract: event.contract,
                    audit: event.audit,
                })
                .collect(),
            gas_used: Some(receipt.gas_used),
        };
        Ok((observed, Some(receipt)))
    }

    fn view(&mut self, step: &Step, name: &str, method: &str) -> Result<Ran, String> {
        let contract = self
            .names
            .contract(name)
            .ok_or_else(|| format!("contract `{name}` is not deployed (yet)"))?;
        let caller = match &step.from {
            Some(from) => self.names.account(from)?.1,
            None => Address::ZERO,
        };
        let request = ViewRequest {
            contract,
            method,
            args: &step.args,
            caller,
            block: None,
        };
        let key = self.deployed.get(&contract).cloned();
        let explaining = match key.as_deref().and_then(|key| self.contracts.get_mut(key)) {
            Some(compiled) if step.explain || self.explain_all => {
                let built = compiled.explaining.get_or_insert_with(|| {
                    crate::pipeline::compile_explaining_file(&compiled.source)
                });
                match built {
                    Ok(explaining) if crate::explain::is_policy(explaining, method) => {
                        Some(Ok(&*explaining))
                    }
                    // `--explain` explains the policies among the views; a step that
                    // asks for a view that is no policy is told.
                    Ok(_) if !step.explain => None,
                    Ok(_) => Some(Err(format!(
                        "`{method}` is not a policy: only a policy's decision is explained"
                    ))),
                    Err(error) => Some(Err(format!("cannot build it for explaining: {error}"))),
                }
            }
            _ => None,
        };
        let resolver = Resolver(RefCell::new(&mut self.names));
        let (result, explanation) = match explaining {
            Some(Ok(explaining)) => {
                match self
                    .executor
                    .explain(&self.chain, &request, &resolver, &explaining.wasm)
                {
                    Ok((result, explained)) => {
                        let text =
                            crate::explain::explanation(explaining, method, &result, &explained)
                                .map_or_else(
                                    |error| error,
                                    |explanation| explanation.with_args(&step.args).to_string(),
                                );
                        (Ok(result), Some(text))
                    }
                    Err(error) => (Err(error), None),
                }
            }
            Some(Err(error)) => (
                self.executor.view(&self.chain, &request, &resolver),
                Some(error),
            ),
            None => (self.executor.view(&self.chain, &request, &resolver), None),
        };
        if let Some(text) = explanation {
            // Addresses by the names the scenario knows them by, as its diffs show them.
            self.report.explanations.push(StepExplanation {
                index: self.current,
                description: step.describe(),
                text: self.names.rename_text(&text),
            });
        }
        let observed = match result {
            Ok(result) => {
                let (status, message, position) = match result.outcome {
                    Outcome::Ok => ("ok", None, None),
                    Outcome::Aborted { message, position } => ("aborted", Some(message), position),
                    Outcome::OutOfGas { .. } => ("out_of_gas", Some("out of gas".into()), None),
                };
                Observed {
                    status,
                    message,
                    position,
                    returns: result.return_value,
                    events: Vec::new(),
                    gas_used: Some(result.gas_used),
                }
            }
            Err(error) => Observed {
                status: "rejected",
                message: Some(error.to_string()),
                position: None,
                returns: Json::Null,
                events: Vec::new(),
                gas_used: None,
            },
        };
        self.report.trace.push(json!({
            "view": format!("{name}.{method}"),
            "status": observed.status,
            "message": observed.message,
            "return": observed.returns,
            "gas_used": observed.gas_used,
        }));
        Ok(Ran {
            observed,
            contract: Some(name.to_owned()),
            entry: Some(method.to_owned()),
        })
    }

    /// The step's expected values in canonical JSON: names become addresses, and every
    /// value takes the form the ledger writes (`"12.50"`, `"30d"`, …), using the types of
    /// the ABI. A value that does not fit its type is compared as written (and differs).
    ///
    /// # Errors
    /// An expected event's `contract` that is neither a deployed contract nor an address.
    fn canonical(&mut self, step: &Step, ran: &Ran) -> Result<Canonical, String> {
        let event_contracts = step
            .expect
            .events
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, wanted)| match wanted {
                ExpectedEvent::Fields(EventFields {
                    contract: Some(contract),
                    name,
                    ..
                }) => self
                    .names
                    .contract(contract)
                    .or_else(|| Address::from_hex(contract))
                    .map(Some)
                    .ok_or_else(|| {
                        format!(
                            "expected event {} (`{name}`): `contract` `{contract}` is neither a \
                             deployed contract's name nor an address",
                            index + 1
                        )
                    }),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let resolver = Resolver(RefCell::new(&mut self.names));
        let contract = ran
            .contract
            .as_ref()
            .and_then(|name| self.contracts.get(name));
        let return_type = contract.and_then(|c| {
            let entry = c.entry(ran.entry.as_deref()?)?;
            c.types.get(entry.returns? as usize)
        });
        let returns = step
            .expect
            .returns
            .as_ref()
            .map(|wanted| normalize(wanted, return_type, &resolver));
        let returns_match = step
            .expect
            .returns_match
            .as_ref()
            .map(|wanted| normalize_partial(wanted, return_type, &resolver));
        let event_fields = step
            .expect
            .events
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, wanted)| {
                let ExpectedEvent::Fields(EventFields { name, fields, .. }) = wanted else {
                    return serde_json::Map::new();
                };
                // The types of the event the contract that emitted it declares (the
                // event at the same place), else those of the step's own contract.
                let emitter = self
                    .report
                    .trace
                    .last()
                    .and_then(|entry| entry.get("receipt")?.get("events")?.get(index))
                    .and_then(|event| event.get("contract")?.as_str())
                    .and_then(Address::from_hex)
                    .and_then(|address| self.deployed.get(&address))
                    .and_then(|key| self.contracts.get(key))
                    .or(contract);
                let types = emitter.map(|c| c.event_types(name)).unwrap_or_default();
                fields
                    .iter()
                    .map(|(field, value)| {
                        (field.clone(), normalize(value, types.get(field), &resolver))
                    })
                    .collect()
            })
            .collect();
        Ok(Canonical {
            returns,
            returns_match,
            event_fields,
            event_contracts,
        })
    }
}

/// A partial expected value (`returns_match`) in canonical JSON: the keys an object gives
/// are read with their fields' types, array elements with their element type, and every
/// other value in full as [`normalize`] does.
fn normalize_partial(json: &Json, ty: Option<&Type>, names: &dyn AddressNames) -> Json {
    let Some(ty) = ty else {
        return json.clone();
    };
    match (ty, json) {
        (Type::Record(record), Json::Object(object)) => Json::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let field_type = record
                        .fields
                        .iter()
                        .find(|(name, _)| name == key)
                        .map(|(_, field_type)| field_type);
                    (key.clone(), normalize_partial(value, field_type, names))
                })
                .collect(),
        ),
        (Type::List(element) | Type::Set(element), Json::Array(items)) => Json::Array(
            items
                .iter()
                .map(|item| normalize_partial(item, Some(element), names))
                .collect(),
        ),
        (Type::Tuple(types), Json::Array(items)) if items.len() == types.len() => Json::Array(
            items
                .iter()
                .zip(types)
                .map(|(item, item_type)| normalize_partial(item, Some(item_type), names))
                .collect(),
        ),
        (Type::Map(key_type, value_type), Json::Array(entries)) => Json::Array(
            entries
                .iter()
                .map(|entry| match entry.as_array().map(Vec::as_slice) {
                    Some([key, value]) => Json::Array(vec![
                        normalize_partial(key, Some(key_type), names),
                        normalize_partial(value, Some(value_type), names),
                    ]),
                    _ => entry.clone(),
                })
                .collect(),
        ),
        (Type::Option(inner), json) if !json.is_null() && !matches!(**inner, Type::Option(_)) => {
            normalize_partial(json, Some(inner), names)
        }
        _ => normalize(json, Some(ty), names),
    }
}

/// Every expected event's field names against the events the scenario's contracts
/// declare: a field no declaration of that event has is an error in the file (it would
/// otherwise show as a confusing diff), naming the step, the event and its fields.
fn check_event_fields(
    steps: &[Step],
    contracts: &BTreeMap<String, Contract>,
) -> Result<(), String> {
    for (index, step) in steps.iter().enumerate() {
        for wanted in step.expect.events.iter().flatten() {
            let ExpectedEvent::Fields(EventFields { name, fields, .. }) = wanted else {
                continue;
            };
            let declared: Vec<Vec<&str>> = contracts
                .values()
                .flat_map(|contract| &contract.compiled.abi.events)
                .filter(|event| event.name == *name)
                .map(|event| {
                    event
                        .fields
                        .iter()
                        .map(|field| field.name.as_str())
                        .collect()
                })
                .collect();
            if declared.is_empty() {
                continue;
            }
            for field in fields.keys() {
                if declared.iter().any(|names| names.contains(&field.as_str())) {
                    continue;
                }
                let mut has: Vec<&str> = declared.iter().flatten().copied().collect();
                has.dedup();
                let has = if has.is_empty() {
                    "it has no fields".to_owned()
                } else {
                    format!(
                        "its fields are {}",
                        has.iter()
                            .map(|field| format!("`{field}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return Err(format!(
                    "step {} ({}): event `{name}` has no field `{field}`; {has}",
                    index + 1,
                    step.describe()
                ));
            }
        }
    }
    Ok(())
}

fn normalize(json: &Json, ty: Option<&Type>, names: &dyn AddressNames) -> Json {
    match ty {
        Some(ty) => from_json(json, ty, names)
            .map(|value| to_json(&value, ty))
            .unwrap_or_else(|_| json.clone()),
        None => json.clone(),
    }
}
