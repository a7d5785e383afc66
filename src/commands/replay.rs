//! `assent replay --data DIR`: re-executes every block stored in a data directory from
//! genesis and checks each block's state, transactions and receipts roots and its hash.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use assent_ledger::{RedbStore, replay};
use assent_node::executor::VmExecutor;
use assent_vm::VmConfig;

use assent_node::wording::count;

#[derive(clap::Args)]
pub struct Args {
    /// The node's data directory (holding `ledger.redb`)
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
}

/// Exit status 1 at the first block that differs (or any fault), 0 when all match.
pub fn run(args: &Args) -> ExitCode {
    let path = args.data.join("ledger.redb");
    if !path.exists() {
        eprintln!(
            "error: `{}` holds no ledger (no `ledger.redb`); give the data directory of a node or of `assent test --data`",
            args.data.display()
        );
        return ExitCode::FAILURE;
    }
    let store = match RedbStore::open(&path) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: cannot open `{}`: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut executor = match VmExecutor::new(VmConfig::default()) {
        Ok(executor) => executor,
        Err(error) => {
            eprintln!("error: cannot start the VM: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut bar = Progress::new();
    let result = replay(&store, &mut executor, |done, total| bar.show(done, total));
    bar.finish();
    match result {
        Ok(blocks) => {
            println!(
                "replayed {} in {:.2} s: every state root matches",
                count(blocks, "block", "blocks"),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Progress on standard error: on a terminal, a bar redrawn at most once per percent;
/// otherwise (a log file, a pipe, CI) a plain line at every tenth of the way, so a log
/// holds at most eleven lines and no carriage returns.
struct Progress {
    terminal: bool,
    /// The percentage (terminal) or tenth (otherwise) last shown.
    drawn: Option<u64>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            drawn: None,
        }
    }

    fn show(&mut self, done: u64, total: u64) {
        let percent = done.saturating_mul(100) / total.max(1);
        if self.terminal {
            self.draw_bar(percent, done, total);
        } else {
            self.write_line(percent, done, total);
        }
    }

    fn draw_bar(&mut self, percent: u64, done: u64, total: u64) {
        if self.drawn == Some(percent) && done != total {
            return;
        }
        self.drawn = Some(percent);
        let width = 40u64;
        let filled = usize::try_from(percent * width / 100).unwrap_or(0);
        let empty = usize::try_from(width).unwrap_or(0).saturating_sub(filled);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\rreplaying [{}{}] {done}/{total} blocks",
            "#".repeat(filled),
            "-".repeat(empty)
        );
        let _ = stderr.flush();
    }

    fn write_line(&mut self, percent: u64, done: u64, total: u64) {
        let tenth = percent / 10;
        if self.drawn == Some(tenth) && done != total {
            return;
        }
        self.drawn = Some(tenth);
        eprintln!("replaying: {done}/{total} blocks ({percent}%)");
    }

    fn finish(&self) {
        if self.terminal && self.drawn.is_some() {
            eprintln!();
        }
    }
}
