//! The `admission` target: what a call transaction's parameters go through when
//! `assent_sendRawTransaction` admits it, short of the signature.
//!
//! The node's RPC layer (the request envelope, `params` arrays, `assent_call`'s
//! `{to, method, args, from}` object, state keys of `assent_getProof`) lives in the
//! binary crate (`src/node/`), which a fuzz crate cannot depend on. What the node does
//! with a transaction's parameters once the bytes are decoded is in the library:
//! [`Chain::check_verified`] reads the contract's ABI from the state, finds the action,
//! parses `args` as JSON and decodes every argument against its declared type
//! (`args_from_json`) — the same decoder `assent_call` uses for a view's arguments. This
//! target drives that path on a chain with one contract whose actions take every kind
//! of parameter. The signature check is the `tx` target's; here the transaction comes
//! already verified, as the node's admission hands it on.
//!
//! An input is `method ‖ '\n' ‖ args`. The method line is also parsed as the node parses
//! an address or hash parameter (`Address::from_hex`, `Hash::from_hex`), which must
//! accept only `0x` and exactly 40 or 64 hex digits.

use std::cell::RefCell;

use assent_vm::VmConfig;
use assent_ledger::keys::{dev_address, dev_key};
use assent_ledger::tx::{Signature, SignedTransaction, Transaction, VerifiedTransaction};
use assent_ledger::{Address, Chain, ChainConfig, Hash, MemoryStore};
use assent_node::executor::VmExecutor;

use crate::NoFiles;

const CHAIN_ID: u64 = 7;
const GENESIS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const SENDER: &str = "fuzz";

/// The contract whose actions take one of each kind of parameter.
const CONTRACT: &str = r#"contract Admission;

enum Kind { Consent, Claim, Audit }

record Entry {
    who: Address,
    kind: Kind,
    amount: Money,
    note: String?,
    tags: Set<String>,
}

state count: Int = 0;

action scalars(flag: Bool, n: Int, m: Money, p: Percent, t: Time, d: Duration) {
    count = count + 1;
}

action ids(who: Address, h: Hash, b: Bytes, s: String) {
    count = count + 1;
}

action shapes(kind: Kind, entry: Entry, maybe: Int?, nested: Int??) {
    count = count + 1;
}

action collections(xs: List<Int>, members: Set<Address>, book: Map<String, Entry>, times: Map<Time, List<Duration>>) {
    count = count + 1;
}

action touch() {
    count = count + 1;
}

view total() -> Int { count }
"#;

/// A chain with [`CONTRACT`] deployed, the executor, and the contract's address.
struct Fixture {
    chain: Chain<MemoryStore>,
    executor: VmExecutor,
    contract: Address,
}

thread_local! {
    static FIXTURE: RefCell<Fixture> = RefCell::new(fixture());
}

/// Builds the fixture. It runs once per process, not per input, and any failure here is
/// a broken harness rather than a finding, hence the `expect`s.
#[allow(clippy::expect_used)]
fn fixture() -> Fixture {
    let checked = assent_lang::check::check_source("admission.assent", CONTRACT, &NoFiles);
    let Some(contract) = checked.contract else {
        let rendered =
            assent_lang::diagnostics::render(&checked.sources, &checked.diagnostics, false);
        panic!("the admission contract does not check:\n{rendered}");
    };
    let compiled = assent_lang::codegen::compile(&contract, [0; 32]).expect("code generation");
    let config = ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: assent_stdlib::gas::DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: GENESIS,
    };
    let mut chain = Chain::open(MemoryStore::new(), config).expect("a chain in memory");
    let mut executor = VmExecutor::new(VmConfig {
        pool_instances: 4,
        parallel_compilation: false,
        ..VmConfig::default()
    })
    .expect("an executor");
    let key = dev_key(SENDER).expect("a dev key");
    let deploy = Transaction {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 50_000_000,
        to: None,
        method: String::new(),
        args: String::new(),
        code: compiled.wasm,
    }
    .sign(&key)
    .expect("signing");
    let block = chain
        .produce_block(&mut executor, GENESIS + 1, &[deploy.encoded().to_vec()])
        .expect("the deployment block");
    assert!(block.rejected.is_empty(), "{:?}", block.rejected);
    let sender = dev_address(SENDER).expect("a dev address");
    Fixture {
        chain,
        executor,
        contract: assent_ledger::tx::create_address(&sender, 0),
    }
}

/// See the module documentation.
pub fn admission(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (method, args) = text.split_once('\n').unwrap_or((&text, ""));
    hex_parameters(method);
    FIXTURE.with(|fixture| {
        let fixture = &mut *fixture.borrow_mut();
        let Ok(sender) = dev_address(SENDER) else {
            return;
        };
        let tx = Transaction {
            chain_id: CHAIN_ID,
            nonce: 1,
            gas_limit: 1_000_000,
            to: Some(fixture.contract),
            method: method.to_owned(),
            args: args.to_owned(),
            code: Vec::new(),
        };
        let signature = Signature {
            y_parity: 0,
            r: [1; 32],
            s: [1; 32],
        };
        let verified = VerifiedTransaction {
            signed: SignedTransaction::new(tx, signature),
            sender,
            contract: fixture.contract,
        };
        match fixture
            .chain
            .check_verified(&mut fixture.executor, &verified, 0)
        {
            Ok(Ok(())) => {}
            Ok(Err(refused)) => {
                let _ = (refused.code(), refused.to_string());
            }
            Err(fault) => panic!("a storage fault on a chain in memory: {fault}"),
        }
    });
}

/// `text` as an address or hash parameter: accepted only as `0x` and exactly 40 or 64
/// hex digits.
fn hex_parameters(text: &str) {
    if !text.starts_with("0x") {
        return;
    }
    let strict = |digits: usize| {
        text.len() == 2 + digits && text.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
    };
    if Address::from_hex(text).is_some() {
        assert!(strict(40), "`{text}` is accepted as an address");
    }
    if Hash::from_hex(text).is_some() {
        assert!(strict(64), "`{text}` is accepted as a hash");
    }
}
