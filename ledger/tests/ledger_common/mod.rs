//! What the ledger's integration tests share: a trivial executor standing in for the
//! wasmtime host, and helpers to sign its transactions with development keys.
#![allow(dead_code)]

use assent_ledger::executor::{BlockEnv, ExecutionResult, Executor, Outcome, StateAccess};
use assent_ledger::keys::{dev_address, dev_key};
use assent_ledger::receipt::{Event, SourcePosition};
use assent_ledger::tx::{Transaction, TxError, VerifiedTransaction};
use assent_ledger::{Address, ChainConfig, LedgerError};

pub const CHAIN_ID: u64 = 7;

pub fn config() -> ChainConfig {
    ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: assent_ledger::DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: 1_767_225_600,
    }
}

/// A contract runtime with four actions, enough to exercise every ledger path:
/// - deployment writes `contract ‖ "init"`; a module starting with `bad` is refused;
/// - `set {"key", "value"}` writes `contract ‖ key = value` and emits `Set`;
/// - `fail` writes, emits `Noise` and audits `Attempt`, then aborts at 3:5;
/// - `burn` runs out of gas;
/// - `flood {"n"}` emits `n` `Tick` events (a log flood for the benchmarks);
/// - `index {"key", "value"}` writes `contract ‖ key = value` in the ordered index (an
///   empty value removes it).
///
/// Gas is 1,000 plus 10 per argument byte.
#[derive(Default)]
pub struct TestExecutor;

const ACTIONS: [&str; 5] = ["set", "fail", "burn", "flood", "index"];

fn contract_key(contract: &Address, key: &[u8]) -> Vec<u8> {
    let mut raw = contract.0.to_vec();
    raw.extend_from_slice(key);
    raw
}

impl TestExecutor {
    /// The verdict on a transaction: this executor never faults.
    pub fn verdict(tx: &VerifiedTransaction) -> Result<(), TxError> {
        let payload = tx.signed.tx();
        if payload.is_deployment() {
            if payload.code.starts_with(b"bad") {
                return Err(TxError::ModuleRefused(
                    "the module starts with `bad`".into(),
                ));
            }
            return Ok(());
        }
        if !ACTIONS.contains(&payload.method.as_str()) {
            return Err(TxError::NoSuchAction {
                contract: tx.contract,
                method: payload.method.clone(),
            });
        }
        let args = if payload.args.is_empty() {
            "{}"
        } else {
            &payload.args
        };
        match serde_json::from_str::<serde_json::Value>(args) {
            Ok(serde_json::Value::Object(_)) => Ok(()),
            _ => Err(TxError::ArgsMismatch("args must be a JSON object".into())),
        }
    }
}

impl Executor for TestExecutor {
    fn check(
        &mut self,
        _state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
    ) -> Result<Result<(), TxError>, LedgerError> {
        Ok(TestExecutor::verdict(tx))
    }

    fn apply(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
        _env: &BlockEnv,
    ) -> Result<ExecutionResult, LedgerError> {
        let payload = tx.signed.tx();
        let gas_used = 1_000 + 10 * payload.args.len() as u64;
        let ok = |events| ExecutionResult {
            outcome: Outcome::Ok,
            gas_used,
            return_value: Some("null".into()),
            events,
        };
        if payload.is_deployment() {
            assert!(state.code(&tx.contract)?.is_some());
            state.set(&contract_key(&tx.contract, b"init"), b"1".to_vec())?;
            return Ok(ok(Vec::new()));
        }
        let args: serde_json::Value = serde_json::from_str(if payload.args.is_empty() {
            "{}"
        } else {
            &payload.args
        })
        .unwrap();
        match payload.method.as_str() {
            "set" => {
                let key = args["key"].as_str().unwrap_or("");
                let value = args["value"].as_str().unwrap_or("");
                state.set(
                    &contract_key(&tx.contract, key.as_bytes()),
                    value.as_bytes().to_vec(),
                )?;
                Ok(ok(vec![Event {
                    contract: tx.contract,
                    name: "Set".into(),
                    fields: payload.args.clone(),
                    indexed: vec!["key".into()],
                    audit: false,
                }]))
            }
            "fail" => {
                state.set(&contract_key(&tx.contract, b"failed"), b"yes".to_vec())?;
                Ok(ExecutionResult {
                    outcome: Outcome::Aborted {
                        message: "failed on purpose".into(),
                        position: Some(SourcePosition {
                            file: "fail.assent".into(),
                            line: 3,
                            column: 5,
                        }),
                    },
                    gas_used,
                    return_value: None,
                    events: vec![
                        Event {
                            contract: tx.contract,
                            name: "Noise".into(),
                            fields: "{}".into(),
                            indexed: vec![],
                            audit: false,
                        },
                        Event {
                            contract: tx.contract,
                            name: "Attempt".into(),
                            fields: "{}".into(),
                            indexed: vec![],
                            audit: true,
                        },
                    ],
                })
            }
            "index" => {
                let key = args["key"].as_str().unwrap_or("");
                let value = args["value"].as_str().unwrap_or("");
                state.set_ordered(
                    &contract_key(&tx.contract, key.as_bytes()),
                    (!value.is_empty()).then(|| value.as_bytes().to_vec()),
                )?;
                Ok(ok(Vec::new()))
            }
            "flood" => Ok(ok((0..args["n"].as_u64().unwrap_or(0))
                .map(|n| Event {
                    contract: tx.contract,
                    name: "Tick".into(),
                    fields: format!(r#"{{"n":{n}}}"#),
                    indexed: vec!["n".into()],
                    audit: false,
                })
                .collect())),
            _ => Ok(ExecutionResult {
                outcome: Outcome::OutOfGas { position: None },
                gas_used: payload.gas_limit,
                return_value: None,
                events: vec![],
            }),
        }
    }
}

/// The raw key `contract ‖ key` the test executor's `set` writes.
pub fn entry_key(contract: &Address, key: &str) -> Vec<u8> {
    contract_key(contract, key.as_bytes())
}

/// A deployment by the development account `from`.
pub fn deploy(from: &str, nonce: u64) -> Vec<u8> {
    sign(
        from,
        Transaction {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 1_000_000,
            to: None,
            method: String::new(),
            args: String::new(),
            code: b"\0asm test module".to_vec(),
        },
    )
}

/// A call of `method` with JSON `args` by the development account `from`.
pub fn call(from: &str, nonce: u64, to: Address, method: &str, args: &str) -> Vec<u8> {
    sign(
        from,
        Transaction {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 1_000_000,
            to: Some(to),
            method: method.into(),
            args: args.into(),
            code: Vec::new(),
        },
    )
}

/// Signs with the development key of `from` and encodes.
pub fn sign(from: &str, tx: Transaction) -> Vec<u8> {
    tx.sign(&dev_key(from).unwrap()).unwrap().encoded().to_vec()
}

pub fn address(name: &str) -> Address {
    dev_address(name).unwrap()
}

/// A store that fails the commit of any block holding the transaction `poison` (an
/// injected storage fault tied to one transaction), and otherwise is a [`MemoryStore`].
pub struct FaultyStore {
    pub inner: assent_ledger::MemoryStore,
    pub poison: assent_ledger::Hash,
    /// How many commits it failed.
    pub failed: u32,
}

impl assent_ledger::trie::NodeStore for FaultyStore {
    fn node(
        &self,
        hash: &assent_ledger::Hash,
        version: assent_ledger::trie::Version,
    ) -> Result<Option<Vec<u8>>, assent_ledger::store::StoreError> {
        self.inner.node(hash, version)
    }
}

impl assent_ledger::Store for FaultyStore {
    fn config(&self) -> Result<Option<ChainConfig>, assent_ledger::store::StoreError> {
        self.inner.config()
    }
    fn head_number(&self) -> Result<Option<u64>, assent_ledger::store::StoreError> {
        self.inner.head_number()
    }
    fn header(
        &self,
        number: u64,
    ) -> Result<Option<assent_ledger::block::Header>, assent_ledger::store::StoreError> {
        self.inner.header(number)
    }
    fn block_transactions(
        &self,
        number: u64,
    ) -> Result<Vec<assent_ledger::Hash>, assent_ledger::store::StoreError> {
        self.inner.block_transactions(number)
    }
    fn transaction(
        &self,
        hash: &assent_ledger::Hash,
    ) -> Result<Option<assent_ledger::store::StoredTransaction>, assent_ledger::store::StoreError>
    {
        self.inner.transaction(hash)
    }
    fn receipt(
        &self,
        tx_hash: &assent_ledger::Hash,
    ) -> Result<Option<assent_ledger::receipt::Receipt>, assent_ledger::store::StoreError> {
        self.inner.receipt(tx_hash)
    }
    fn code(
        &self,
        hash: &assent_ledger::Hash,
    ) -> Result<Option<Vec<u8>>, assent_ledger::store::StoreError> {
        self.inner.code(hash)
    }
    fn artefact(
        &self,
        code_hash: &assent_ledger::Hash,
    ) -> Result<Option<Vec<u8>>, assent_ledger::store::StoreError> {
        self.inner.artefact(code_hash)
    }
    fn events(
        &self,
        contract: &Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<assent_ledger::store::EventLocation>, assent_ledger::store::StoreError> {
        self.inner.events(contract, from, to)
    }
    fn order_root(
        &self,
        number: u64,
    ) -> Result<Option<(u64, assent_ledger::Hash)>, assent_ledger::store::StoreError> {
        self.inner.order_root(number)
    }
    fn commit_block(
        &mut self,
        commit: assent_ledger::store::BlockCommit,
    ) -> Result<(), assent_ledger::store::StoreError> {
        if commit
            .transactions
            .iter()
            .any(|(hash, _)| *hash == self.poison)
        {
            self.failed += 1;
            return Err(assent_ledger::store::StoreError::Backend(
                "injected fault".into(),
            ));
        }
        self.inner.commit_block(commit)
    }
}
