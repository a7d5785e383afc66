//! The ledger with the real executor: compiled contracts deployed and called through
//! signed transactions, receipts, gas, views at past blocks, rejections, artefacts that
//! survive a restart, and replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use assent_lang::check::FileLoader;
use assent_ledger::executor::Outcome;
use assent_ledger::keys::{dev_address, dev_key};
use assent_ledger::receipt::{Receipt, SourcePosition, Status};
use assent_ledger::tx::{Transaction, TxError, create_address};
use assent_ledger::{Address, Chain, ChainConfig, MemoryStore, RedbStore, Store, replay};
use assent_node::executor::{MAX_CACHED_MODULES, ViewRequest, VmExecutor};
use assent_stdlib::gas;
use assent_stdlib::json::HexOnly;
use assent_vm::VmConfig;
use serde_json::{Value as Json, json};

const CHAIN_ID: u64 = 7;
const GENESIS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        Err(format!("no file `{path}`"))
    }
}

const COUNTER: &str = r#"contract Counter;

state total: Int = 0;
state owner: Address;
state notes: Map<Address, String>;

event Added { indexed by: Address, amount: Int }
event Tried { by: Address }

init(start: Int) {
    total = start;
    owner = caller;
}

action add(amount: Int) -> Int {
    require amount > 0, "amount must be positive";
    total = total + amount;
    emit Added { by: caller, amount };
    total
}

action note(text: String) {
    notes[caller] = text;
}

action risky(amount: Int) {
    total = total + amount;
    emit Added { by: caller, amount };
    audit Tried { by: caller };
    require amount < 10, "too much";
}

action spin(n: Int) {
    let mut x = 0;
    for i in 0..n {
        x = x + i;
    }
    total = x;
}

view get() -> Int { total }

view checked(n: Int) -> Int {
    require n > 0, "n must be positive";
    n
}

view note_of(who: Address) -> String? { notes.get(who) }

policy is_owner(who: Address) {
    permit "owner" when who == owner;
}
"#;

const PLAIN: &str = "contract Plain;\nview one() -> Int { 1 }\n";

fn compile(source: &str) -> Vec<u8> {
    assent_lang::compile("test.assent", source, &NoFiles)
        .expect("the test contract compiles")
        .compiled
        .wasm
}

fn config() -> ChainConfig {
    ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: gas::DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: GENESIS,
    }
}

fn executor() -> VmExecutor {
    VmExecutor::new(VmConfig {
        pool_instances: 8,
        ..VmConfig::default()
    })
    .unwrap()
}

fn address(name: &str) -> Address {
    dev_address(name).unwrap()
}

fn sign(from: &str, tx: Transaction) -> Vec<u8> {
    tx.sign(&dev_key(from).unwrap()).unwrap().encoded().to_vec()
}

fn deploy_tx(from: &str, nonce: u64, code: &[u8], args: &str) -> Vec<u8> {
    sign(
        from,
        Transaction {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 50_000_000,
            to: None,
            method: String::new(),
            args: args.into(),
            code: code.to_vec(),
        },
    )
}

fn call_tx(from: &str, nonce: u64, to: Address, method: &str, args: &str, gas: u64) -> Vec<u8> {
    sign(
        from,
        Transaction {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: gas,
            to: Some(to),
            method: method.into(),
            args: args.into(),
            code: Vec::new(),
        },
    )
}

/// A chain with `Counter` deployed by alice with `start = 5` in block 1.
struct Fixture<S: Store> {
    chain: Chain<S>,
    executor: VmExecutor,
    counter: Address,
    time: u64,
}

impl<S: Store> Fixture<S> {
    fn new(store: S) -> Fixture<S> {
        let mut chain = Chain::open(store, config()).unwrap();
        let mut executor = executor();
        let code = compile(COUNTER);
        let block = chain
            .produce_block(
                &mut executor,
                GENESIS + 1,
                &[deploy_tx("alice", 0, &code, r#"{"start": 5}"#)],
            )
            .unwrap();
        assert!(block.rejected.is_empty(), "{:?}", block.rejected);
        let receipt = &block.receipts[0];
        assert_eq!(receipt.status, Status::Ok, "{receipt:?}");
        let counter = create_address(&address("alice"), 0);
        assert_eq!(receipt.contract_address, Some(counter));
        Fixture {
            chain,
            executor,
            counter,
            time: GENESIS + 1,
        }
    }

    /// One block holding `raw`; its receipts.
    fn block(&mut self, raw: &[Vec<u8>]) -> Vec<Receipt> {
        self.time += 1;
        let block = self
            .chain
            .produce_block(&mut self.executor, self.time, raw)
            .unwrap();
        assert!(block.rejected.is_empty(), "{:?}", block.rejected);
        block.receipts
    }

    fn view(&mut self, method: &str, args: Json, block: Option<u64>) -> Json {
        let result = self
            .executor
            .view(
                &self.chain,
                &ViewRequest {
                    contract: self.counter,
                    method,
                    args: &args,
                    caller: Address::ZERO,
                    block,
                },
                &HexOnly,
            )
            .unwrap();
        assert_eq!(result.outcome, Outcome::Ok, "{result:?}");
        result.return_value
    }

    fn rejection(&mut self, raw: Vec<u8>) -> TxError {
        self.time += 1;
        let block = self
            .chain
            .produce_block(&mut self.executor, self.time, &[raw])
            .unwrap();
        assert!(block.receipts.is_empty());
        block.rejected.into_iter().next().unwrap().error
    }
}

fn memory() -> Fixture<MemoryStore> {
    Fixture::new(MemoryStore::new())
}

#[test]
fn deployment_runs_init_and_calls_commit_their_writes() {
    let mut f = memory();
    assert_eq!(f.view("get", json!({}), None), json!(5));
    let receipts = f.block(&[call_tx(
        "bob",
        0,
        f.counter,
        "add",
        r#"{"amount": 3}"#,
        1_000_000,
    )]);
    let receipt = receipts[0].to_json();
    assert_eq!(receipt["status"], "ok");
    assert_eq!(receipt["return"], json!(8));
    assert_eq!(
        receipt["events"],
        json!([{
            "contract": f.counter.to_string(),
            "name": "Added",
            "fields": { "by": address("bob").to_string(), "amount": 3 },
            "indexed": ["by"],
            "audit": false,
        }])
    );
    assert_eq!(f.view("get", json!({}), None), json!(8));
    // Views see any past block's state.
    assert_eq!(f.view("get", json!({}), Some(1)), json!(5));
    // An Option result and an address argument.
    f.block(&[call_tx(
        "bob",
        1,
        f.counter,
        "note",
        r#"{"text": "hi"}"#,
        1_000_000,
    )]);
    let bob = json!({ "who": address("bob").to_string() });
    assert_eq!(f.view("note_of", bob, None), json!("hi"));
    let carol = json!({ "who": address("carol").to_string() });
    assert_eq!(f.view("note_of", carol, None), Json::Null);
    // A policy is a view returning a decision; `owner` was set from the deployer.
    let alice = json!({ "who": address("alice").to_string() });
    assert_eq!(
        f.view("is_owner", alice, None),
        json!({ "permitted": true, "rule": "owner" })
    );
}

#[test]
fn an_abort_discards_writes_and_emits_but_keeps_audit_events_and_the_nonce() {
    let mut f = memory();
    let receipts = f.block(&[call_tx(
        "bob",
        0,
        f.counter,
        "risky",
        r#"{"amount": 50}"#,
        1_000_000,
    )]);
    let receipt = &receipts[0];
    assert_eq!(receipt.status, Status::Aborted);
    assert_eq!(receipt.message.as_deref(), Some("too much"));
    assert_eq!(
        receipt.position,
        Some(SourcePosition {
            file: "test.assent".into(),
            line: 30,
            column: 5
        })
    );
    assert_eq!(receipt.return_value, None);
    let names: Vec<(&str, bool)> = receipt
        .events
        .iter()
        .map(|event| (event.name.as_str(), event.audit))
        .collect();
    assert_eq!(names, [("Tried", true)]);
    assert_eq!(f.view("get", json!({}), None), json!(5));
    assert_eq!(f.chain.nonce(&address("bob")).unwrap(), 1);
    // Under the limit the same action succeeds and keeps both events.
    let receipts = f.block(&[call_tx(
        "bob",
        1,
        f.counter,
        "risky",
        r#"{"amount": 2}"#,
        1_000_000,
    )]);
    let names: Vec<(&str, bool)> = receipts[0]
        .events
        .iter()
        .map(|event| (event.name.as_str(), event.audit))
        .collect();
    assert_eq!(names, [("Added", false), ("Tried", true)]);
    assert_eq!(f.view("get", json!({}), None), json!(7));
}

#[test]
fn gas_includes_the_transaction_base_and_running_out_uses_the_whole_limit() {
    let mut f = memory();
    let cheap = f.block(&[call_tx(
        "bob",
        0,
        f.counter,
        "spin",
        r#"{"n": 0}"#,
        1_000_000,
    )]);
    let costly = f.block(&[call_tx(
        "bob",
        1,
        f.counter,
        "spin",
        r#"{"n": 100}"#,
        1_000_000,
    )]);
    assert!(cheap[0].gas_used > gas::TRANSACTION, "{:?}", cheap[0]);
    assert!(costly[0].gas_used > cheap[0].gas_used + 100);
    let out = f.block(&[call_tx(
        "bob",
        2,
        f.counter,
        "spin",
        r#"{"n": 1000000000}"#,
        1_000_000,
    )]);
    assert_eq!(out[0].status, Status::OutOfGas);
    assert_eq!(out[0].gas_used, 1_000_000);
    assert_eq!(out[0].message.as_deref(), Some("out of gas"));
    // A limit below the base gas and the transaction's bytes: refused before it runs.
    let starved = f.rejection(call_tx(
        "bob",
        3,
        f.counter,
        "add",
        r#"{"amount": 1}"#,
        gas::TRANSACTION,
    ));
    assert_eq!(starved.code(), 1005, "{starved}");
    assert!(
        starved.to_string().contains("base and byte cost"),
        "{starved}"
    );
    assert_eq!(f.view("get", json!({}), None), json!(4950));
    assert_eq!(f.chain.nonce(&address("bob")).unwrap(), 3);
}

#[test]
fn every_byte_of_a_transaction_is_paid_for_before_it_runs() {
    // The same call, once with 10,000 spaces in its JSON args: the same work, more bytes.
    let mut f = memory();
    let short = call_tx("bob", 0, f.counter, "spin", r#"{"n": 0}"#, 10_000_000);
    let padded = format!(r#"{{"n":{}0}}"#, " ".repeat(10_000));
    let long = call_tx("bob", 1, f.counter, "spin", &padded, 10_000_000);
    let extra = (long.len() - short.len()) as u64;
    let receipts = f.block(&[short, long]);
    assert_eq!(receipts[0].status, Status::Ok, "{:?}", receipts[0]);
    assert_eq!(receipts[1].status, Status::Ok, "{:?}", receipts[1]);
    assert_eq!(
        receipts[1].gas_used - receipts[0].gas_used,
        gas::TRANSACTION_PER_BYTE * extra
    );
}

#[test]
fn refused_deployments_leave_no_module_in_the_cache() {
    let mut f = memory();
    let before = f.executor.cached_modules();
    // Each module is new (its source differs), and each is refused for its args.
    for n in 0..600 {
        let source = format!("contract Refused{n};\naction a() {{ }}\n");
        let refused = f.rejection(deploy_tx("mallory", 0, &compile(&source), r#"{"x": 1}"#));
        assert_eq!(refused.code(), 1008, "{refused}");
    }
    assert_eq!(f.executor.cached_modules(), before);
}

#[test]
fn the_module_cache_is_bounded() {
    let mut f = memory();
    let count = MAX_CACHED_MODULES + 10;
    let deployments: Vec<Vec<u8>> = (0..count)
        .map(|n| {
            let source = format!("contract Many{n};\naction a() {{ }}\n");
            deploy_tx("mallory", n as u64, &compile(&source), "")
        })
        .collect();
    // Sixteen 50M-gas deployments a block fit the block gas limit.
    for block in deployments.chunks(16) {
        for receipt in f.block(block) {
            assert_eq!(receipt.status, Status::Ok, "{receipt:?}");
        }
    }
    assert_eq!(f.executor.cached_modules(), MAX_CACHED_MODULES);
}

#[test]
fn each_refusal_of_the_executor_has_its_code() {
    let mut f = memory();
    let counter = f.counter;
    let no_action = f.rejection(call_tx("bob", 0, counter, "nope", "", 1_000_000));
    assert_eq!(no_action.code(), 1007, "{no_action}");
    let view_by_tx = f.rejection(call_tx("bob", 0, counter, "get", "", 1_000_000));
    assert_eq!(view_by_tx.code(), 1007, "{view_by_tx}");
    let missing = f.rejection(call_tx("bob", 0, counter, "add", "{}", 1_000_000));
    assert_eq!(missing.code(), 1008);
    assert_eq!(
        missing.to_string(),
        "arguments do not match the ABI: `amount`: missing (a Int is required)"
    );
    let wrong = f.rejection(call_tx(
        "bob",
        0,
        counter,
        "add",
        r#"{"amount": "x"}"#,
        1_000_000,
    ));
    assert_eq!(wrong.code(), 1008, "{wrong}");
    let unknown = f.rejection(call_tx(
        "bob",
        0,
        counter,
        "add",
        r#"{"amount": 1, "extra": 2}"#,
        1_000_000,
    ));
    assert_eq!(unknown.code(), 1008, "{unknown}");
    let not_json = f.rejection(call_tx("bob", 0, counter, "add", "[1]", 1_000_000));
    assert_eq!(not_json.code(), 1008, "{not_json}");
    let bad_module = f.rejection(deploy_tx("bob", 0, b"\0asm\x01\0\0\0", ""));
    assert_eq!(bad_module.code(), 1010, "{bad_module}");
    let no_init = f.rejection(deploy_tx("bob", 0, &compile(PLAIN), r#"{"x": 1}"#));
    assert_eq!(no_init.code(), 1008, "{no_init}");
    // Nothing above changed the state or bob's nonce.
    assert_eq!(f.chain.nonce(&address("bob")).unwrap(), 0);
    assert_eq!(f.view("get", json!({}), None), json!(5));
}

#[test]
fn a_contract_without_init_deploys_and_its_abi_is_in_the_state() {
    let mut f = memory();
    let deployment = deploy_tx("carol", 0, &compile(PLAIN), "");
    let signed_len = deployment.len() as u64;
    let receipts = f.block(&[deployment]);
    assert_eq!(receipts[0].status, Status::Ok);
    // With no `init` to run, only what is paid before running: the base, every byte of
    // the signed transaction, and the module's bytes again.
    assert_eq!(
        receipts[0].gas_used,
        gas::TRANSACTION
            + gas::TRANSACTION_PER_BYTE * signed_len
            + gas::DEPLOY_PER_BYTE * compile(PLAIN).len() as u64
    );
    let plain = create_address(&address("carol"), 0);
    let abi = f
        .chain
        .get(&assent_ledger::state::abi_key(&plain), None)
        .unwrap()
        .unwrap();
    let abi: Json = serde_json::from_slice(&abi).unwrap();
    assert_eq!(abi["contract"], "Plain");
}

#[test]
fn views_report_aborts_and_refuse_unknown_entries() {
    let mut f = memory();
    assert_eq!(f.view("checked", json!({"n": 3}), None), json!(3));
    let args = json!({"n": 0});
    let aborted = f
        .executor
        .view(
            &f.chain,
            &ViewRequest {
                contract: f.counter,
                method: "checked",
                args: &args,
                caller: Address::ZERO,
                block: None,
            },
            &HexOnly,
        )
        .unwrap();
    assert_eq!(
        aborted.outcome,
        Outcome::Aborted {
            message: "n must be positive".into(),
            position: Some(SourcePosition {
                file: "test.assent".into(),
                line: 44,
                column: 5
            }),
        }
    );
    assert_eq!(aborted.return_value, Json::Null);
    let bad = f.executor.view(
        &f.chain,
        &ViewRequest {
            contract: f.counter,
            method: "checked",
            args: &json!({"n": "three"}),
            caller: Address::ZERO,
            block: None,
        },
        &HexOnly,
    );
    assert_eq!(
        bad.unwrap_err().to_string(),
        "arguments do not match the ABI: `n`: expected an integer, found a string"
    );
    let args = json!({});
    let missing = f.executor.view(
        &f.chain,
        &ViewRequest {
            contract: f.counter,
            method: "add",
            args: &args,
            caller: Address::ZERO,
            block: None,
        },
        &HexOnly,
    );
    assert_eq!(
        missing.unwrap_err().to_string(),
        format!("contract `{}` has no view or policy `add`", f.counter)
    );
    let nobody = f.executor.view(
        &f.chain,
        &ViewRequest {
            contract: address("nobody"),
            method: "get",
            args: &args,
            caller: Address::ZERO,
            block: None,
        },
        &HexOnly,
    );
    assert!(nobody.is_err());
}

fn run_script<S: Store>(store: S) -> (Vec<Json>, Chain<S>) {
    let mut f = Fixture::new(store);
    let mut receipts = Vec::new();
    for (nonce, amount) in [3, 50, 4].into_iter().enumerate() {
        receipts.extend(f.block(&[
            call_tx(
                "bob",
                nonce as u64,
                f.counter,
                "risky",
                &format!(r#"{{"amount": {amount}}}"#),
                1_000_000,
            ),
            call_tx(
                "dave",
                nonce as u64,
                f.counter,
                "note",
                &format!(r#"{{"text": "n{nonce}"}}"#),
                1_000_000,
            ),
        ]));
    }
    (receipts.iter().map(Receipt::to_json).collect(), f.chain)
}

#[test]
fn the_same_transactions_give_the_same_receipts_and_roots() {
    let (first, chain_a) = run_script(MemoryStore::new());
    let (second, chain_b) = run_script(MemoryStore::new());
    assert_eq!(first, second);
    assert_eq!(chain_a.head(), chain_b.head());
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("assent-vmexec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_restarted_node_loads_stored_artefacts_instead_of_compiling_and_replays() {
    let dir = temp_dir("restart");
    let path = dir.join("ledger.redb");
    let (receipts, chain) = run_script(RedbStore::open(&path).unwrap());
    let head = chain.head().clone();
    drop(chain);

    let store = RedbStore::open(&path).unwrap();
    let mut chain = Chain::open_existing(store).unwrap();
    assert_eq!(chain.head(), &head);
    let mut executor = executor();
    let counter = create_address(&address("alice"), 0);
    let block = chain
        .produce_block(
            &mut executor,
            head.time + 1,
            &[call_tx(
                "bob",
                3,
                counter,
                "add",
                r#"{"amount": 1}"#,
                1_000_000,
            )],
        )
        .unwrap();
    assert_eq!(block.receipts[0].status, Status::Ok, "{:?}", block.receipts);
    assert_eq!(executor.compilations(), 0);

    // Replay with a fresh executor reproduces every root, and the receipts match.
    let mut replayer = executor_with_fresh_vm();
    let replayed = replay(chain.store(), &mut replayer, |_, _| {}).unwrap();
    assert_eq!(replayed, head.number + 1);
    let stored: Vec<Json> = (1..=head.number)
        .flat_map(|number| chain.store().block_transactions(number).unwrap())
        .map(|hash| chain.store().receipt(&hash).unwrap().unwrap().to_json())
        .collect();
    assert_eq!(stored[1..], receipts[..]);
    let _ = std::fs::remove_dir_all(&dir);
}

fn executor_with_fresh_vm() -> VmExecutor {
    executor()
}

/// Runs `work` on a new thread with `stack` bytes of stack.
fn on_thread<T: Send + 'static>(stack: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(work)
        .unwrap()
        .join()
        .unwrap()
}

/// What a run of the script shows: receipts, the head, and views at the head and at
/// block 2, and whether the VM ran in place.
fn script_on_thread(stack: usize, path: std::path::PathBuf) -> (bool, Vec<Json>, Json) {
    on_thread(stack, move || {
        let in_place = VmExecutor::runs_in_place();
        let (receipts, chain) = run_script(RedbStore::open(&path).unwrap());
        let mut executor = executor();
        let counter = create_address(&address("alice"), 0);
        let views: Vec<Json> = [None, Some(2)]
            .into_iter()
            .map(|block| {
                let request = ViewRequest {
                    contract: counter,
                    method: "note_of",
                    args: &json!({ "who": address("dave").to_string() }),
                    caller: Address::ZERO,
                    block,
                };
                let result = executor.view(&chain, &request, &HexOnly).unwrap();
                json!([
                    format!("{:?}", result.outcome),
                    result.gas_used,
                    result.return_value
                ])
            })
            .collect();
        // The artefact compiled during the run went to the store: a restart compiles none.
        let head = chain.head().clone();
        drop(chain);
        let chain = Chain::open_existing(RedbStore::open(&path).unwrap()).unwrap();
        let mut restarted = executor_with_fresh_vm();
        let request = ViewRequest {
            contract: counter,
            method: "get",
            args: &json!({}),
            caller: Address::ZERO,
            block: None,
        };
        let total = restarted.view(&chain, &request, &HexOnly).unwrap();
        assert_eq!(restarted.compilations(), 0);
        let summary = json!({
            "head": format!("{head:?}"),
            "views": views,
            "total": total.return_value,
        });
        (in_place, receipts, summary)
    })
}

#[test]
fn the_vm_in_place_and_on_its_own_thread_give_the_same_receipts_roots_and_views() {
    let dir = temp_dir("routes");
    let (small_in_place, small_receipts, small_summary) =
        script_on_thread(2 << 20, dir.join("small.redb"));
    let (large_in_place, large_receipts, large_summary) =
        script_on_thread(VmExecutor::THREAD_STACK, dir.join("large.redb"));
    assert!(
        !small_in_place,
        "a 2 MiB thread hands the VM to its own thread"
    );
    assert!(
        large_in_place,
        "a thread of THREAD_STACK runs the VM in place"
    );
    assert_eq!(small_receipts, large_receipts);
    assert_eq!(small_summary, large_summary);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `record Empty {}` as a state value: the poison deployment of the reliability review,
/// which the store once refused, halting the chain.
const EMPTY_STATE: &str = "contract Poison;\nrecord Empty {}\nstate e: Empty = Empty {};\n";

#[test]
fn a_state_value_of_a_record_with_no_fields_deploys_and_the_chain_goes_on() {
    let mut f = memory();
    let receipts = f.block(&[
        deploy_tx("mallory", 0, &compile(EMPTY_STATE), ""),
        call_tx("bob", 0, f.counter, "add", r#"{"amount": 1}"#, 1_000_000),
    ]);
    assert_eq!(receipts[0].status, Status::Ok, "{:?}", receipts[0]);
    assert_eq!(receipts[1].status, Status::Ok, "{:?}", receipts[1]);
    assert_eq!(f.chain.head().number, 2);
}

/// A hand-written module whose `init` stores a record with no fields (type 0) in its
/// one state variable: the host encodes it, and the store must be able to hold it.
fn empty_record_module() -> Vec<u8> {
    let abi = json!({
        "abi_version": 1,
        "contract": "Hand",
        "source_hash": "0x00",
        "types": [{"kind": "Record", "name": "Empty", "fields": []}],
        "entries": [{"name": "init", "kind": "init", "export": "init", "params": []}],
        "states": [{"name": "e", "type": 0, "persistent": false}],
        "events": [],
        "interfaces": []
    });
    let host = assent_stdlib::abi::HOST_MODULE;
    let text = format!(
        r#"(module
  (import "{host}" "record_new" (func $record_new (param i32 i32) (result i64)))
  (import "{host}" "state_store" (func $state_store (param i32 i64)))
  (memory (export "memory") 1 16)
  (func (export "init")
    (call $state_store (i32.const 0) (call $record_new (i32.const 0) (i32.const 1024)))))"#
    );
    let mut wasm = wat::parse_str(&text).unwrap();
    // The ABI as a custom section: id 0, size, name, payload.
    let abi = abi.to_string();
    let name = b"assent.abi";
    let mut section = vec![u8::try_from(name.len()).unwrap()];
    section.extend_from_slice(name);
    section.extend_from_slice(abi.as_bytes());
    wasm.push(0);
    let mut size = section.len();
    loop {
        let byte = u8::try_from(size & 0x7f).unwrap();
        size >>= 7;
        if size == 0 {
            wasm.push(byte);
            break;
        }
        wasm.push(byte | 0x80);
    }
    wasm.extend_from_slice(&section);
    wasm
}

#[test]
fn a_hand_written_module_storing_an_empty_record_does_not_halt_the_chain() {
    let mut f = memory();
    let receipts = f.block(&[
        deploy_tx("mallory", 0, &empty_record_module(), ""),
        call_tx("bob", 0, f.counter, "add", r#"{"amount": 1}"#, 1_000_000),
    ]);
    assert_eq!(receipts[0].status, Status::Ok, "{:?}", receipts[0]);
    assert_eq!(receipts[1].status, Status::Ok, "{:?}", receipts[1]);
    let hand = create_address(&address("mallory"), 0);
    let raw_key = assent_vm::contract_key(&hand, 0, &[]);
    assert_eq!(f.chain.get(&raw_key, None).unwrap(), Some(vec![0]));
}
