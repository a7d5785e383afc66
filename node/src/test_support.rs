//! What the library's unit tests share.

use assent_ledger::keys::dev_key;
use assent_ledger::tx::Transaction;

/// `from`'s deployment of the test counter (`tests/node_support/counter.assent`) with this
/// nonce and gas limit, signed (chain id 7).
pub fn counter_deployment(from: &str, nonce: u64, gas_limit: u64) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/node_support/counter.assent");
    let code = crate::pipeline::compile_file(&path, false)
        .unwrap()
        .compiled
        .wasm;
    let tx = Transaction {
        chain_id: 7,
        nonce,
        gas_limit,
        to: None,
        method: String::new(),
        args: String::new(),
        code,
    };
    tx.sign(&dev_key(from).unwrap()).unwrap().encoded().to_vec()
}
