//! Mempool dissemination: each validator forwards every transaction a client sent it to
//! all its peers' JSON-RPC (`assent_relayRawTransaction`, in batches), where the admission
//! checks run again. A relayed transaction is not forwarded again: the validators are
//! fully meshed (each lists all the others as peers), so every transaction reaches every
//! validator — and so every proposer — once, whichever validator a client sent it to.
//! (Forwarding what peers relay too made each validator receive and recover every
//! transaction up to three times more, only to refuse the copies.)

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender, channel};

use assent_ledger::primitives::encode_hex;
use assent_node::client::Client;
use serde_json::{Value, json};

/// The most transactions one forwarded batch holds (a node's batch limit).
const MAX_BATCH: usize = 256;

/// The forwarding queues, one per peer.
#[derive(Clone)]
pub struct Gossip {
    peers: Vec<Sender<Vec<u8>>>,
}

impl Gossip {
    /// Starts one forwarding thread per peer.
    ///
    /// # Errors
    /// A thread cannot be started.
    pub fn start(peers: &[SocketAddr]) -> std::io::Result<Gossip> {
        let mut queues = Vec::with_capacity(peers.len());
        for peer in peers {
            let (queue, received) = channel();
            let url = format!("http://{peer}");
            std::thread::Builder::new()
                .name("assent-gossip".into())
                .spawn(move || forward(&Client::new(&url), &received))?;
            queues.push(queue);
        }
        Ok(Gossip { peers: queues })
    }

    /// Queues an admitted transaction for every peer.
    pub fn send(&self, raw: &[u8]) {
        for peer in &self.peers {
            let _ = peer.send(raw.to_vec());
        }
    }
}

/// Sends what the queue holds, in order, a batch at a time, until the validator stops. A
/// peer that cannot be reached misses those transactions; it takes them from the blocks.
fn forward(peer: &Client, queue: &Receiver<Vec<u8>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(raw) => batch.push(raw),
                Err(_) => break,
            }
        }
        let requests: Vec<Value> = batch
            .iter()
            .enumerate()
            .map(|(id, raw)| {
                json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "method": "assent_relayRawTransaction",
                    "params": [encode_hex(raw)],
                })
            })
            .collect();
        let _ = peer.batch(&Value::Array(requests));
    }
}
