//! Gas calibration (LEDGER.md §5: gas bounds time): nanoseconds per unit of gas of every
//! host function at small and large sizes and of common instruction patterns, beside a
//! plain WebAssembly loop measured in the same run, with each row's ratio to the loop.
//! Every row must be at most [`MAX_RATIO`]; the schedule (`stdlib/src/gas.rs`) is
//! repriced until it is.
//!
//! `cargo bench -p assent-vm --bench calibration` prints the table (a row over the bound
//! is marked `OVER`). A case repeats its step `n` times inside one call, `n` doubling
//! until the call takes [`TARGET`] (or the call's memory budget or the step's own limit
//! ends it); a terminal case (`abort`) is measured per call against a call doing nothing.
//!
//! Time is this thread's CPU time (the VM runs the call on the calling thread), so other
//! load on the machine does not count against a row the way it would in wall time; the
//! fastest of [`REPEATS`] calls counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "calibration/cases.rs"]
mod cases;
#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;

/// The allocator the `assent` binary ships with: host functions allocate per call, so
/// their prices are measured with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use assent_stdlib::value::Value;
use assent_vm::{Call, MemoryStore, Outcome, Vm, VmConfig};
use cases::{CALLEE, CALLEE_FIELDS, Case, PLAIN_LOOP};

/// The most a row's nanoseconds per gas may be, as a multiple of the plain loop's.
const MAX_RATIO: f64 = 4.0;
/// How long one measured call should take.
const TARGET: Duration = Duration::from_millis(20);
/// Measured calls per case (the fastest counts).
const REPEATS: usize = 3;
const CONTRACT: assent_vm::Address = assent_vm::Address([0xc0; 20]);
const ALICE: assent_vm::Address = assent_vm::Address([0xa1; 20]);

/// A calibration module: every host import, 16 pages of memory, the case's functions.
fn module(abi: &serde_json::Value, fields: &str) -> Vec<u8> {
    common::module_with_memory(abi, "(memory (export \"memory\") 16 16)", fields)
}

struct Bench {
    vm: Vm,
    store: Arc<MemoryStore>,
}

/// One measured call: its time, gas and whether it ended well.
struct Run {
    time: Duration,
    gas: u64,
    ok: bool,
    outcome: String,
}

impl Bench {
    fn new() -> Bench {
        let vm = Vm::new(VmConfig {
            pool_instances: 16,
            ..VmConfig::default()
        })
        .unwrap();
        let store = Arc::new(MemoryStore::new());
        let callee = module(&cases::callee_abi(), CALLEE_FIELDS);
        vm.load(&callee).unwrap();
        store.deploy(CALLEE, &callee);
        Bench { vm, store }
    }

    fn deploy(&self, case: &Case) {
        let wasm = case.wasm();
        self.vm
            .load(&wasm)
            .unwrap_or_else(|error| panic!("{}: {error}", case.name));
        self.store.deploy(CONTRACT, &wasm);
    }

    fn run(&self, operands: &(Value, Value), entry: &str, n: u64) -> Run {
        let args = vec![Value::Int(n as i64), operands.0.clone(), operands.1.clone()];
        let call = Call {
            contract: CONTRACT,
            entry: entry.into(),
            args,
            caller: ALICE,
            origin: ALICE,
            now: 1_767_225_600,
            block_height: 42,
            gas_limit: 1_000_000_000_000,
        };
        let started = ThreadTime::now();
        let execution = self
            .vm
            .execute(self.store.clone(), call)
            .unwrap_or_else(|error| panic!("host fault {error}"));
        let time = started.elapsed();
        let (ok, outcome) = match &execution.outcome {
            Outcome::Ok(_) => (true, "ok".to_string()),
            Outcome::Aborted { message, .. } => (false, format!("aborted: {message}")),
            Outcome::OutOfGas => (false, "out of gas".to_string()),
        };
        Run {
            time,
            gas: execution.gas_used,
            ok,
            outcome,
        }
    }
}

/// A row of the table.
struct Row {
    name: String,
    steps: u64,
    gas_per_step: f64,
    ns_per_gas: f64,
    note: String,
}

fn measure(bench: &Bench, case: &Case) -> Row {
    bench.deploy(case);
    let operands = ((case.a.1)(), (case.b.1)());
    let operands = &operands;
    if case.terminal {
        let fastest = |entry: &str| {
            let mut best: Option<Run> = None;
            for _ in 0..200 {
                let run = bench.run(operands, entry, 0);
                if best.as_ref().is_none_or(|best| run.time < best.time) {
                    best = Some(run);
                }
            }
            best.unwrap()
        };
        let (step, base) = (fastest("run"), fastest("base"));
        let gas = step.gas.saturating_sub(base.gas).max(1);
        let time = step.time.saturating_sub(base.time);
        return Row {
            name: case.name.clone(),
            steps: 1,
            gas_per_step: gas as f64,
            ns_per_gas: time.as_nanos() as f64 / gas as f64,
            note: brief(&step.outcome),
        };
    }
    // The call's floor (instantiation, the operands) is charged and timed too: measured
    // first, and subtracted so that a row is its steps alone.
    let floor = (0..REPEATS)
        .map(|_| bench.run(operands, "run", 0))
        .min_by_key(|run| run.time)
        .unwrap();
    // Double the steps until they take TARGET beyond the floor or can take no more.
    let mut n = 1u64;
    let mut last = bench.run(operands, "run", n);
    let mut note = String::new();
    if !last.ok {
        return Row {
            name: case.name.clone(),
            steps: 0,
            gas_per_step: 0.0,
            ns_per_gas: 0.0,
            note: format!("FAILS: {}", brief(&last.outcome)),
        };
    }
    while last.time.saturating_sub(floor.time) < TARGET && n < 1 << 26 {
        let next = bench.run(operands, "run", n * 2);
        if !next.ok {
            note = format!("steps bounded: {}", brief(&next.outcome));
            break;
        }
        n *= 2;
        last = next;
    }
    let best = (0..REPEATS)
        .map(|_| bench.run(operands, "run", n))
        .min_by_key(|run| run.time)
        .unwrap();
    let gas = best.gas.saturating_sub(floor.gas).max(1);
    let time = best.time.saturating_sub(floor.time);
    Row {
        name: case.name.clone(),
        steps: n,
        gas_per_step: gas as f64 / n as f64,
        ns_per_gas: time.as_nanos() as f64 / gas as f64,
        note,
    }
}

/// The floor every case's calls stand on: instantiating the module (16 pages of memory,
/// each charged as memory growth) and entering it, with the operands.
fn measure_floor(bench: &Bench, case: &Case) -> Row {
    bench.deploy(case);
    let operands = ((case.a.1)(), (case.b.1)());
    let best = (0..50)
        .map(|_| bench.run(&operands, "run", 0))
        .min_by_key(|run| run.time)
        .unwrap();
    Row {
        name: "instantiate a module of 16 pages and call it (every call's floor)".into(),
        steps: 1,
        gas_per_step: best.gas as f64,
        ns_per_gas: best.time.as_nanos() as f64 / best.gas as f64,
        note: String::new(),
    }
}

/// The first words of an outcome, for a note.
fn brief(outcome: &str) -> String {
    outcome.chars().take(60).collect()
}

fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks cases by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let started = Instant::now();
    let bench = Bench::new();
    let cases = cases::cases();
    println!(
        "gas calibration: {} (`uname -m`), {} cores (`nproc`), {}; load {}",
        command("uname", &["-m"]),
        command("nproc", &[]),
        command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        command("uptime", &[])
    );
    let mut rows = Vec::new();
    for case in &cases {
        if !filter.is_empty()
            && case.name != PLAIN_LOOP
            && !filter.iter().any(|f| case.name.contains(f.as_str()))
        {
            continue;
        }
        rows.push((case.function, measure(&bench, case)));
        if case.name == PLAIN_LOOP {
            rows.push(("instance", measure_floor(&bench, case)));
        }
    }
    let Some(plain) = rows
        .iter()
        .find(|(_, row)| row.name == PLAIN_LOOP)
        .map(|(_, row)| row.ns_per_gas)
    else {
        panic!("no plain loop row");
    };
    println!();
    println!("| host function / pattern | case | steps | gas per step | ns per gas | x loop |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut over = 0;
    for (function, row) in &rows {
        let ratio = row.ns_per_gas / plain;
        let flag = if ratio > MAX_RATIO {
            over += 1;
            " OVER"
        } else {
            ""
        };
        let note = if row.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", row.note)
        };
        println!(
            "| {function} | {}{note} | {} | {:.0} | {:.3} | {:.2}{flag} |",
            row.name, row.steps, row.gas_per_step, row.ns_per_gas, ratio
        );
    }
    println!();
    println!(
        "{} rows, {over} over {MAX_RATIO}x the plain loop ({plain:.3} ns per gas); {:.0} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
}
