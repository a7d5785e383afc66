//! Crash safety: a child process commits blocks to a redb store in a loop and is killed
//! with SIGKILL at random moments; after every kill the store opens, its head is a block
//! committed in full, nothing of the next block is visible, and replay reproduces every
//! root.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod ledger_common;
use ledger_common as common;

use assent_ledger::tx::create_address;
use assent_ledger::{Chain, RedbStore, Store, replay};
use common::{TestExecutor, address, call, config, deploy};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Set in the child's environment to the data directory it commits to.
const CHILD_ENV: &str = "ASSENT_LEDGER_CRASH_CHILD";
const KILLS: usize = 24;

/// The transactions of block `number`, given the chain at its parent: a deployment first,
/// then calls from a varying number of accounts, some blocks large, so that a kill often
/// lands inside a commit.
fn block_transactions<S: Store>(chain: &Chain<S>, number: u64) -> Vec<Vec<u8>> {
    if number == 1 {
        return vec![deploy("deployer", 0)];
    }
    let contract = create_address(&address("deployer"), 0);
    let count = if number.is_multiple_of(5) {
        80
    } else {
        1 + number % 17
    };
    (0..count)
        .map(|j| {
            let user = format!("user{j}");
            let nonce = chain.nonce(&address(&user)).unwrap();
            let args = format!(r#"{{"key":"k{j}","value":"block {number}"}}"#);
            call(&user, nonce, contract, "set", &args)
        })
        .collect()
}

fn open_chain(dir: &Path) -> Chain<RedbStore> {
    Chain::open(RedbStore::open(&dir.join("ledger.redb")).unwrap(), config()).unwrap()
}

/// Commits blocks until stopped (in the child) or `limit` blocks (in a plain test run).
fn commit_blocks(dir: &Path, limit: Option<u64>) -> u64 {
    let mut chain = open_chain(dir);
    let mut committed = 0;
    while limit.is_none_or(|limit| committed < limit) {
        let number = chain.head().number + 1;
        let txs = block_transactions(&chain, number);
        let time = config().genesis_time + number;
        let result = chain.produce_block(&mut TestExecutor, time, &txs).unwrap();
        assert!(result.rejected.is_empty(), "{:?}", result.rejected);
        committed += 1;
        // Tell the parent, which kills at a random moment after a commit it has seen.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "committed {number}").unwrap();
        stdout.flush().unwrap();
    }
    chain.head().number
}

/// In the child (re-invoked by [`sigkill_during_commits_never_leaves_a_partial_block`]) this
/// commits blocks forever; run as a plain test it commits a few and checks the head.
#[test]
fn crash_child() {
    match std::env::var_os(CHILD_ENV) {
        Some(dir) => {
            commit_blocks(Path::new(&dir), None);
        }
        None => {
            let dir = scratch_dir("child-plain");
            assert_eq!(commit_blocks(&dir, Some(6)), 6);
            assert_eq!(commit_blocks(&dir, Some(2)), 8);
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("assent-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small deterministic generator for the kill delays.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_during_commits_never_leaves_a_partial_block() {
    let dir = scratch_dir("kill");
    let exe = std::env::current_exe().unwrap();
    let mut random = XorShift(0x5eed_1234_abcd_0001);
    let mut previous_head = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child has committed a block of its own, then let it run on for a
        // random 0–300 ms, so that the kill lands anywhere in building or committing the
        // next blocks, and the test does not depend on how loaded the machine is.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("round {round}: the child stopped without committing"))
                .unwrap();
            if let Some(number) = line.strip_prefix("committed ") {
                assert!(number.parse::<u64>().unwrap() > previous_head);
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(random.next() % 300));
        // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no clean close.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child exited on its own"
        );
        drop(lines);

        let chain = Chain::open_existing(RedbStore::open(&dir.join("ledger.redb")).unwrap())
            .unwrap_or_else(|error| panic!("round {round}: the store does not open: {error}"));
        let head = chain.head().number;
        // The child reported a commit past the previous head, so the head moved on.
        assert!(
            head > previous_head,
            "round {round}: a reported commit was lost"
        );
        let store = chain.store();
        // Every block up to the head is complete.
        for number in previous_head.max(1)..=head {
            let header = store.header(number).unwrap().unwrap();
            assert_eq!(header.number, number);
            let hashes = store.block_transactions(number).unwrap();
            assert!(
                !hashes.is_empty(),
                "round {round}: block {number} lost its transactions"
            );
            for hash in hashes {
                let tx = store.transaction(&hash).unwrap().unwrap();
                assert_eq!(tx.block, number);
                assert!(store.receipt(&hash).unwrap().is_some());
            }
        }
        // Nothing of the next block is visible: not its header, nor any of the exact
        // transactions the child was committing.
        let next = head + 1;
        assert_eq!(store.header(next).unwrap(), None, "round {round}");
        assert!(
            store.block_transactions(next).unwrap().is_empty(),
            "round {round}"
        );
        for raw in block_transactions(&chain, next) {
            let hash = assent_ledger::keccak256(&raw);
            assert_eq!(store.transaction(&hash).unwrap(), None, "round {round}");
            assert_eq!(store.receipt(&hash).unwrap(), None, "round {round}");
        }
        // Replay from genesis reproduces every root of every committed block.
        assert_eq!(replay(store, &mut TestExecutor, |_, _| {}).unwrap(), head);
        eprintln!("round {round}: head {head}");
        previous_head = head;
    }
    std::fs::remove_dir_all(dir).unwrap();
}
