//! The JSON-RPC envelope and every method's parameter readers under random input: a
//! node with a deployed contract, a grant and its event answers each request — a known
//! method or not, with parameters drawn from values that are almost right (hex of every
//! length, the real address and hash, block numbers and tags, the methods' own object
//! keys and stray ones, nested values) — with a result or an error of a stable code,
//! never a panic and never an internal error; and it still answers normally afterwards.
//!
//! A randomized stand-in for a fuzz target: the node lives in the binary crate, which
//! the AFL++ targets in `fuzz/` cannot link.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use assent_ledger::keys::{dev_address, dev_key};
use assent_ledger::primitives::encode_hex;
use assent_ledger::tx::Transaction;
use assent_ledger::{Address, Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, RedbStore};
use assent_vm::VmConfig;

use crate::executor::VmExecutor;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use super::mempool::SharedMempool;
use super::methods::{METHODS, Node, Worker};
use super::producer::{self, Command, Schedule};
use super::rpc::{self, Body, INTERNAL_ERROR};

const CHAIN_ID: u64 = 0x4153;
const GENESIS: u64 = 1_767_225_600;

/// Random requests per run.
const CASES: u32 = 1_000;

/// The codes an answer to a bad request may carry: the JSON-RPC ones, the failed view,
/// the ledger's refusals of a transaction (1000–1010) and "at capacity".
fn expected_code(code: i64) -> bool {
    matches!(
        code,
        -32700 | -32600 | -32601 | -32602 | -32000 | 1000..=1011
    )
}

/// A node's store with the consent sample deployed and one grant made, in a fresh
/// directory; the contract's address and the grant's transaction hash.
fn ledger(dir: &Path) -> (Chain<RedbStore>, VmExecutor, Address, String) {
    let store = RedbStore::open(&dir.join("ledger.redb")).unwrap();
    let config = ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: GENESIS,
    };
    let mut chain = Chain::open(store, config).unwrap();
    let mut executor = VmExecutor::new(VmConfig::default()).unwrap();
    let code = crate::pipeline::compile_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/patient_consent.assent"),
        false,
    )
    .unwrap()
    .compiled
    .wasm;
    let alice = dev_key("alice").unwrap();
    let transaction = |nonce, to, method: &str, args: Value, code| {
        Transaction {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 100_000_000,
            to,
            method: method.into(),
            args: if args.is_null() {
                String::new()
            } else {
                args.to_string()
            },
            code,
        }
        .sign(&alice)
        .unwrap()
    };
    let deploy = transaction(0, None, "", Value::Null, code);
    let block = chain
        .produce_block(&mut executor, GENESIS + 1, &[deploy.encoded().to_vec()])
        .unwrap();
    let contract = block.receipts[0].contract_address.unwrap();
    let bob = dev_address("dr_bob").unwrap();
    let grant = transaction(
        1,
        Some(contract),
        "grant",
        json!({"grantee": encode_hex(bob.as_bytes()), "purposes": ["TREAT"], "classes": ["Lab"],
               "until": GENESIS + 86_400}),
        Vec::new(),
    );
    let block = chain
        .produce_block(&mut executor, GENESIS + 2, &[grant.encoded().to_vec()])
        .unwrap();
    assert_eq!(block.receipts.len(), 1, "{:?}", block.rejected);
    (
        chain,
        executor,
        contract,
        encode_hex(grant.hash().as_bytes()),
    )
}

/// Values that are almost right for some parameter.
fn leaf(contract: String, tx_hash: String) -> BoxedStrategy<Value> {
    let hex = proptest::collection::vec(any::<u8>(), 0..40)
        .prop_map(|bytes| Value::String(encode_hex(&bytes)));
    let odd_hex = "0x[0-9a-fA-FxX+-]{0,70}".prop_map(Value::String);
    let names = prop::sample::select(vec![
        "latest",
        "earliest",
        "pending",
        "",
        "0x",
        "alice",
        "TREAT",
        "Lab",
        "grants",
        "guardians",
        "may_access",
        "grant",
        "ConsentGranted",
        "patient",
        "actor",
    ])
    .prop_map(|text| Value::String(text.into()));
    let real = prop::sample::select(vec![contract, tx_hash]).prop_map(Value::String);
    prop_oneof![
        hex,
        odd_hex,
        names,
        real,
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (0u64..8).prop_map(|n| json!(n)),
        Just(json!(1.5)),
        Just(json!(-0.0)),
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        "\\PC{0,12}".prop_map(Value::String),
    ]
    .boxed()
}

/// The keys the methods' parameter objects know, and a stray one.
const KEYS: &[&str] = &[
    "to",
    "method",
    "args",
    "from",
    "contract",
    "state",
    "key",
    "event",
    "where",
    "from_block",
    "to_block",
    "limit",
    "resume",
    "block",
    "tx_index",
    "event_index",
    "grantee",
    "patient",
    "actor",
    "purpose",
    "class",
    "stray",
];

/// A parameter: a leaf, or arrays and objects of them (objects keyed mostly by
/// [`KEYS`]), two levels deep.
fn parameter(contract: String, tx_hash: String) -> BoxedStrategy<Value> {
    leaf(contract, tx_hash)
        .prop_recursive(2, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(
                    |entries| {
                        Value::Object(
                            entries
                                .into_iter()
                                .map(|(key, value)| (key.to_string(), value))
                                .collect::<Map<_, _>>(),
                        )
                    }
                ),
            ]
        })
        .boxed()
}

/// An object with some of `keys`, each value from `value`.
fn object_of(keys: &'static [&'static str], value: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    proptest::collection::vec((prop::sample::select(keys), value), 0..keys.len() + 1)
        .prop_map(|entries| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.to_string(), value))
                    .collect::<Map<_, _>>(),
            )
        })
        .boxed()
}

/// A value that is one of `texts` or anything else.
fn one_of(texts: &'static [&'static str], other: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => prop::sample::select(texts).prop_map(|text| Value::String(text.into())),
        1 => other,
    ]
    .boxed()
}

/// Requests shaped like each method's real ones, with some part wrong: they get past
/// the first checks into the deeper readers (a view's args, a state key, a log filter).
fn shaped(contract: String, tx_hash: String) -> BoxedStrategy<(String, Value)> {
    let leaf = leaf(contract.clone(), tx_hash);
    let any_param = || parameter(contract.clone(), String::new());
    let real = Just(Value::String(contract.clone())).boxed();
    let target = prop_oneof![3 => real.clone(), 1 => leaf.clone()].boxed();
    let args = object_of(
        &[
            "patient", "actor", "purpose", "class", "who", "case_id", "stray",
        ],
        prop_oneof![
            2 => prop::sample::select(vec![
                Value::String(contract.clone()),
                json!("TREAT"), json!("Lab"), json!("ETREAT"), json!(3), json!("alice"),
            ]),
            1 => any_param(),
        ]
        .boxed(),
    );
    let call = (
        target.clone(),
        one_of(
            &[
                "may_access",
                "is_officer",
                "pending_reviews",
                "break_glass_case",
                "grant",
                "nope",
            ],
            leaf.clone(),
        ),
        args,
        proptest::option::of(leaf.clone()),
    )
        .prop_map(|(to, method, args, block)| {
            let mut params = vec![json!({"to": to, "method": method, "args": args})];
            params.extend(block);
            ("assent_call".to_string(), Value::Array(params))
        });
    let proof = (
        target.clone(),
        one_of(
            &[
                "grants",
                "guardians",
                "officers",
                "cases",
                "case_count",
                "unreviewed",
                "nope",
            ],
            leaf.clone(),
        ),
        proptest::option::of(any_param()),
        proptest::option::of(leaf.clone()),
    )
        .prop_map(|(contract, state, key, block)| {
            let mut filter = json!({"contract": contract, "state": state});
            if let Some(key) = key {
                filter["key"] = key;
            }
            let mut params = vec![filter];
            params.extend(block);
            ("assent_getProof".to_string(), Value::Array(params))
        });
    let logs = (
        proptest::option::of(target.clone()),
        proptest::option::of(one_of(
            &["ConsentGranted", "Accessed", "OfficerAdded", "nope"],
            leaf.clone(),
        )),
        proptest::option::of(object_of(
            &["patient", "grantee", "until", "stray"],
            leaf.clone(),
        )),
        object_of(&["from_block", "to_block", "limit", "resume"], leaf.clone()),
    )
        .prop_map(|(contract, event, filter, mut rest)| {
            if let Some(contract) = contract {
                rest["contract"] = contract;
            }
            if let Some(event) = event {
                rest["event"] = event;
            }
            if let Some(filter) = filter {
                rest["where"] = filter;
            }
            ("assent_getLogs".to_string(), json!([rest]))
        });
    let single = (
        prop::sample::select(vec![
            "assent_getAbi",
            "assent_getTransactionCount",
            "assent_getTransactionReceipt",
            "assent_getBlockByNumber",
            "assent_sendRawTransaction",
        ]),
        prop_oneof![target, leaf],
    )
        .prop_map(|(method, param)| (method.to_string(), json!([param])));
    prop_oneof![call, proof, logs, single].boxed()
}

/// A request body: a request shaped like a method's real ones with some part wrong, or
/// a known or unknown method with random parameters (positional, by name, or none).
fn body(contract: String, tx_hash: String) -> impl Strategy<Value = Vec<u8>> {
    let mut methods: Vec<String> = METHODS.iter().map(|method| method.to_string()).collect();
    methods.push("assent_nope".into());
    methods.push("eth_call".into());
    let param = parameter(contract.clone(), tx_hash.clone());
    let random = (
        prop::sample::select(methods),
        prop_oneof![
            proptest::collection::vec(param.clone(), 0..4).prop_map(Value::Array),
            param,
        ],
        any::<bool>(),
    )
        .prop_map(|(method, params, with_params)| (method, with_params.then_some(params)));
    let shaped = shaped(contract, tx_hash).prop_map(|(method, params)| (method, Some(params)));
    prop_oneof![2 => shaped, 1 => random].prop_map(|(method, params)| {
        let mut request = json!({"jsonrpc": "2.0", "id": 7, "method": method});
        if let Some(params) = params {
            request["params"] = params;
        }
        request.to_string().into_bytes()
    })
}

/// Runs every request of `body` on `worker` and checks each answer's code.
fn answer(worker: &mut Worker, body: &[u8]) -> Result<(), TestCaseError> {
    let entries = match rpc::parse_body(body) {
        Ok(Body::Single(entry)) => vec![entry],
        Ok(Body::Batch(entries)) => entries,
        Err(error) => {
            prop_assert!(expected_code(error.code), "{error:?}");
            return Ok(());
        }
    };
    for entry in entries {
        let Ok(request) = entry else { continue };
        match worker.dispatch(&request.method, &request.params) {
            Ok(_) => {}
            Err(error) => {
                prop_assert!(
                    error.code != INTERNAL_ERROR && expected_code(error.code),
                    "{} {:?}: {error:?}",
                    request.method,
                    request.params
                );
                prop_assert!(!error.message.is_empty());
            }
        }
    }
    Ok(())
}

#[test]
fn random_parameters_get_an_answer_with_a_stable_code() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("assent-rpc-robustness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (chain, executor, contract, tx_hash) = ledger(&dir);
    let store = chain.store().clone();
    let mempool = Arc::new(SharedMempool::new(chain.head().number));
    let schedule = Schedule {
        block_time: Duration::ZERO,
        verbose: false,
    };
    let (commands, producer_thread) =
        producer::spawn(chain, executor, mempool.clone(), schedule).unwrap();
    let node = Arc::new(Node {
        store,
        mempool,
        producer: commands.clone(),
        chain_id: CHAIN_ID,
        view_gas: super::DEFAULT_VIEW_GAS,
        commits: None,
        sources: Arc::default(),
    });
    // `TestRunner::run` takes a `Fn`; the worker is borrowed once per case.
    let worker = std::cell::RefCell::new(Worker::new(node));

    // The same seed every run: a failure is reproduced by running the test again.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let contract_hex = encode_hex(contract.as_bytes());
    let result = runner.run(&body(contract_hex.clone(), tx_hash), |body| {
        answer(&mut worker.borrow_mut(), &body)
    });

    // Still a working node: the head, the contract's ABI and a view answer as before.
    let mut worker = worker.into_inner();
    let head = worker.dispatch("assent_blockNumber", &[]);
    let abi = worker.dispatch("assent_getAbi", &[json!(contract_hex)]);
    let _ = commands.send(Command::Stop);
    let _ = producer_thread.join();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(matches!(head, Ok(Value::Number(_))), "{head:?}");
    assert!(abi.is_ok(), "{abi:?}");
}
