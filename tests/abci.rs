//! `assent abci` driven as CometBFT drives an application, through `tendermint-abci`'s own
//! client (and, for `PrepareProposal` and `ProcessProposal`, which that client does not
//! send, the same wire framing: varint-length-delimited protobuf `Request`s): several full heights (`CheckTx`, `PrepareProposal`, `ProcessProposal`,
//! `FinalizeBlock`, `Commit`, `Query`) against a real process on loopback, checked block by
//! block against the embedded path (the single node's [`App::produce`]) on the same
//! transactions at the same times: the same header hash (the app hash), state root and
//! receipts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use assent_ledger::tx::create_address;
use assent_ledger::{Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, MemoryStore};
use assent_node::app::App;
use assent_node::executor::VmExecutor;
use assent_node::server::mempool::SharedMempool;
use assent_vm::VmConfig;
use bytes::Bytes;
use node_support::{Account, BIN, Call, counter_wasm, temp_dir};
use prost::Message;
use serde_json::{Value, json};
use tendermint_abci::{Client, ClientBuilder};
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci::{
    Request, RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain,
    RequestPrepareProposal, RequestProcessProposal, RequestQuery, Response,
    ResponsePrepareProposal, ResponseProcessProposal, request, response,
    response_process_proposal::ProposalStatus,
};

const CHAIN_ID: u64 = 7;
const GENESIS_TIME: u64 = 1_767_225_600;

/// A running `assent abci`, killed when dropped.
struct Abci {
    child: Child,
    address: String,
}

impl Abci {
    fn start(data: &std::path::Path) -> Abci {
        let mut child = Command::new(BIN)
            .args(["abci", "--addr", "127.0.0.1:0", "--chain-id"])
            .arg(CHAIN_ID.to_string())
            .arg("--genesis-time")
            .arg(GENESIS_TIME.to_string())
            .arg("--data")
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("assent abci exited").unwrap();
            if let Some(address) = line.strip_prefix("listening on ") {
                break address.to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Abci { child, address }
    }

    fn client(&self) -> Client {
        ClientBuilder::default().connect(&self.address).unwrap()
    }

    fn proposals(&self) -> Proposals {
        Proposals(TcpStream::connect(&self.address).unwrap())
    }
}

/// `PrepareProposal` and `ProcessProposal`, which `tendermint-abci` 0.41's client lacks,
/// on a connection of their own, framed as that client frames every request.
struct Proposals(TcpStream);

impl Proposals {
    fn perform(&mut self, value: request::Value) -> response::Value {
        let request = Request { value: Some(value) };
        self.exchange(&request.encode_length_delimited_to_vec())
            .value
            .unwrap()
    }

    /// Sends `bytes` as they are and reads one framed response.
    fn exchange(&mut self, bytes: &[u8]) -> Response {
        self.0.write_all(bytes).unwrap();
        let mut length = 0u64;
        for shift in (0..64).step_by(7) {
            let mut byte = [0u8];
            self.0.read_exact(&mut byte).unwrap();
            length |= u64::from(byte[0] & 0x7f) << shift;
            if byte[0] & 0x80 == 0 {
                break;
            }
        }
        let mut body = vec![0u8; usize::try_from(length).unwrap()];
        self.0.read_exact(&mut body).unwrap();
        Response::decode(body.as_slice()).unwrap()
    }

    fn prepare_proposal(&mut self, request: RequestPrepareProposal) -> ResponsePrepareProposal {
        match self.perform(request::Value::PrepareProposal(request)) {
            response::Value::PrepareProposal(response) => response,
            other => panic!("{other:?}"),
        }
    }

    fn process_proposal(&mut self, request: RequestProcessProposal) -> ResponseProcessProposal {
        match self.perform(request::Value::ProcessProposal(request)) {
            response::Value::ProcessProposal(response) => response,
            other => panic!("{other:?}"),
        }
    }
}

impl Drop for Abci {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The embedded path: the application the single node drives, on a memory store.
fn embedded() -> App<MemoryStore> {
    let config = ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: GENESIS_TIME,
    };
    App::new(
        Chain::open(MemoryStore::new(), config).unwrap(),
        VmExecutor::new(VmConfig::default()).unwrap(),
        Arc::new(SharedMempool::new(0)),
    )
}

fn time(seconds: u64) -> Option<Timestamp> {
    Some(Timestamp {
        seconds: i64::try_from(seconds).unwrap(),
        nanos: 0,
    })
}

fn query(client: &mut Client, path: &str, data: &str) -> Value {
    let answer = client
        .query(RequestQuery {
            data: Bytes::from(data.to_owned()),
            path: path.into(),
            height: 0,
            prove: false,
        })
        .unwrap();
    assert_eq!(answer.code, 0, "{}", answer.log);
    serde_json::from_slice(&answer.value).unwrap()
}

/// One height through ABCI and through the embedded path: every transaction checked, the
/// proposal prepared, processed, finalized and committed. Returns the ABCI results.
fn height(
    client: &mut Client,
    proposals: &mut Proposals,
    app: &mut App<MemoryStore>,
    number: u64,
    transactions: &[Vec<u8>],
) -> Vec<Value> {
    let seconds = GENESIS_TIME + 10 * number;
    for tx in transactions {
        let checked = client
            .check_tx(RequestCheckTx {
                tx: Bytes::from(tx.clone()),
                r#type: 0,
            })
            .unwrap();
        assert_eq!(checked.code, 0, "{}", checked.log);
        app.check_raw(tx).unwrap();
    }
    let prepared = proposals.prepare_proposal(RequestPrepareProposal {
        max_tx_bytes: 1 << 20,
        txs: transactions.iter().cloned().map(Bytes::from).collect(),
        height: number as i64,
        time: time(seconds),
        ..RequestPrepareProposal::default()
    });
    assert_eq!(prepared.txs.len(), transactions.len());
    let processed = proposals.process_proposal(RequestProcessProposal {
        txs: prepared.txs.clone(),
        height: number as i64,
        time: time(seconds),
        ..RequestProcessProposal::default()
    });
    assert_eq!(processed.status, ProposalStatus::Accept as i32);
    let finalized = client
        .finalize_block(RequestFinalizeBlock {
            txs: prepared.txs,
            height: number as i64,
            time: time(seconds),
            ..RequestFinalizeBlock::default()
        })
        .unwrap();
    client.commit().unwrap();

    let committed = app.produce(seconds, usize::MAX).unwrap();
    assert_eq!(committed.header().number, number);
    assert_eq!(
        finalized.app_hash.as_ref(),
        committed.result.hash.0.as_slice(),
        "block {number}: the app hash is the embedded block's header hash"
    );
    let block = query(client, "block", &number.to_string());
    assert_eq!(
        block["state_root"],
        json!(committed.header().state_root.to_string())
    );
    let results: Vec<Value> = finalized
        .tx_results
        .iter()
        .map(|result| serde_json::from_slice(&result.data).unwrap())
        .collect();
    let embedded: Vec<Value> = committed.receipts().iter().map(|r| r.to_json()).collect();
    assert_eq!(results, embedded, "block {number}: receipts");
    for receipt in &results {
        let hash = receipt["tx_hash"].as_str().unwrap();
        assert_eq!(&query(client, "receipt", hash), receipt);
    }
    results
}

#[test]
fn abci_heights_reach_the_embedded_state_root_and_receipts() {
    let dir = temp_dir("abci");
    let abci = Abci::start(&dir);
    let mut client = abci.client();
    let mut proposals = abci.proposals();
    let mut app = embedded();

    let info = client.info(RequestInfo::default()).unwrap();
    assert_eq!(info.last_block_height, 0);
    let init = client.init_chain(RequestInitChain::default()).unwrap();
    assert_eq!(init.app_hash, info.last_block_app_hash);
    assert_eq!(
        init.app_hash.as_ref(),
        app.chain().head().hash().0.as_slice()
    );

    let mut accounts: Vec<Account> = ["alice", "bob", "carol"]
        .into_iter()
        .map(Account::dev)
        .collect();
    let counter = create_address(&accounts[0].address, 0);
    let deploy = accounts[0]
        .signed(CHAIN_ID, &Call::deploy(counter_wasm()))
        .encoded()
        .to_vec();
    let deployed = height(&mut client, &mut proposals, &mut app, 1, &[deploy]);
    assert_eq!(deployed[0]["contract_address"], json!(counter.to_string()));

    for number in 2..=4 {
        let bumps: Vec<Vec<u8>> = accounts
            .iter_mut()
            .map(|account| {
                account
                    .signed(CHAIN_ID, &Call::action(counter, "bump", json!({})))
                    .encoded()
                    .to_vec()
            })
            .collect();
        let results = height(&mut client, &mut proposals, &mut app, number, &bumps);
        assert!(results.iter().all(|receipt| receipt["status"] == "ok"));
    }
    let nonce = query(&mut client, "nonce", &accounts[0].address.to_string());
    assert_eq!(nonce, json!(4));
    let info = client.info(RequestInfo::default()).unwrap();
    assert_eq!(info.last_block_height, 4);
    assert_eq!(
        info.last_block_app_hash.as_ref(),
        app.chain().head().hash().0.as_slice()
    );
}

#[test]
fn abci_refuses_invalid_transactions_and_proposals() {
    let dir = temp_dir("abci-invalid");
    let abci = Abci::start(&dir);
    let mut client = abci.client();
    client.init_chain(RequestInitChain::default()).unwrap();
    let mut alice = Account::dev("alice");
    let deploy = alice
        .signed(CHAIN_ID, &Call::deploy(counter_wasm()))
        .encoded()
        .to_vec();
    let ahead = alice
        .signed(
            CHAIN_ID,
            &Call {
                nonce: Some(5),
                ..Call::deploy(counter_wasm())
            },
        )
        .encoded()
        .to_vec();
    let foreign = alice
        .signed(
            CHAIN_ID,
            &Call {
                chain_id: Some(CHAIN_ID + 1),
                ..Call::deploy(counter_wasm())
            },
        )
        .encoded()
        .to_vec();
    let check = |client: &mut Client, tx: &[u8]| {
        client
            .check_tx(RequestCheckTx {
                tx: Bytes::from(tx.to_vec()),
                r#type: 0,
            })
            .unwrap()
            .code
    };
    // The codes are the JSON-RPC refusal codes: does not decode, wrong chain, nonce.
    assert_eq!(check(&mut client, b"\x01\x02"), 1001);
    assert_eq!(check(&mut client, &foreign), 1002);
    assert_eq!(check(&mut client, &ahead), 1004);
    assert_eq!(check(&mut client, &deploy), 0);

    let seconds = GENESIS_TIME + 10;
    let mut proposals = abci.proposals();
    let mut process = |txs: Vec<Vec<u8>>, seconds: u64| {
        proposals
            .process_proposal(RequestProcessProposal {
                txs: txs.into_iter().map(Bytes::from).collect(),
                height: 1,
                time: time(seconds),
                ..RequestProcessProposal::default()
            })
            .status
    };
    let reject = ProposalStatus::Reject as i32;
    let accept = ProposalStatus::Accept as i32;
    // Undecodable, of another chain, a nonce ahead, a time far ahead of the clock:
    // rejected; the valid block: accepted.
    assert_eq!(process(vec![b"junk".to_vec()], seconds), reject);
    assert_eq!(process(vec![foreign], seconds), reject);
    assert_eq!(process(vec![ahead], seconds), reject);
    // CometBFT's time not after the parent's is taken as one second after it (the same
    // block on every validator); a time far ahead of the clock is refused.
    assert_eq!(process(vec![deploy.clone()], GENESIS_TIME), accept);
    assert_eq!(process(vec![deploy.clone()], u64::from(u32::MAX)), reject);
    // Two transactions whose gas limits add up past the block gas limit.
    let (mut carol, mut dave) = (Account::dev("carol"), Account::dev("dave"));
    let heavy = |account: &mut Account| {
        account
            .signed(
                CHAIN_ID,
                &Call {
                    gas_limit: Some(DEFAULT_BLOCK_GAS_LIMIT / 2 + 1),
                    ..Call::deploy(counter_wasm())
                },
            )
            .encoded()
            .to_vec()
    };
    let (first, second) = (heavy(&mut carol), heavy(&mut dave));
    assert_eq!(process(vec![first, second], seconds), reject);
    assert_eq!(process(vec![deploy], seconds), accept);

    let unknown = client
        .query(RequestQuery {
            path: "nothing".into(),
            ..RequestQuery::default()
        })
        .unwrap();
    assert_ne!(unknown.code, 0);
    let receipt = client
        .query(RequestQuery {
            path: "receipt".into(),
            data: Bytes::from(format!("0x{}", "00".repeat(32))),
            ..RequestQuery::default()
        })
        .unwrap();
    assert_eq!(receipt.code, 0);
    assert_eq!(receipt.value.as_ref(), b"null");
}

#[test]
fn a_malformed_request_gets_an_exception_and_the_connection_goes_on() {
    let data = temp_dir("abci-malformed");
    let abci = Abci::start(&data);
    let mut wire = abci.proposals();
    let exception = |response: Response| match response.value {
        Some(response::Value::Exception(exception)) => exception.error,
        other => panic!("not an exception: {other:?}"),
    };
    // A request with no value (tendermint-abci's own server panicked on it), then bytes
    // that are no request at all.
    let no_value = Request { value: None }.encode_length_delimited_to_vec();
    assert_eq!(
        exception(wire.exchange(&no_value)),
        "a request with no value"
    );
    let error = exception(wire.exchange(&[3, 0xff, 0xff, 0xff]));
    assert!(error.starts_with("an undecodable request"), "{error}");
    // The same connection still answers.
    match wire.perform(request::Value::Info(RequestInfo::default())) {
        response::Value::Info(info) => assert_eq!(info.last_block_height, 0),
        other => panic!("{other:?}"),
    }
    // A length over the limit is refused before anything is read, and that connection
    // closes; the server goes on with the others.
    let mut huge = Vec::new();
    let mut length = assent_node::abci::wire::MAX_REQUEST_BYTES + 1;
    while length >= 0x80 {
        huge.push((length as u8 & 0x7f) | 0x80);
        length >>= 7;
    }
    huge.push(length as u8);
    let error = exception(wire.exchange(&huge));
    assert!(error.contains("over the limit"), "{error}");
    let info = abci.client().info(RequestInfo::default()).unwrap();
    assert_eq!(info.last_block_height, 0);
    drop(abci);
    let _ = std::fs::remove_dir_all(data);
}
