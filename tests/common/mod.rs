//! One helper for whole-pipeline tests: source text → check → codegen → VM.
#![allow(dead_code)]

use std::sync::Arc;

use assent_lang::check::{FileLoader, check_source};
use assent_lang::diagnostics;
use assent_stdlib::value::Value;
use assent_vm::{Address, Call, Execution, MemoryStore, Outcome, StateStore, Vm, VmConfig};

/// Imports are not used by these tests (the standard library is built in).
pub struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        Err(format!("no file `{path}` in this test"))
    }
}

/// Reads imports from disk, relative to the package root (the checker has already
/// resolved each import against the importing file's path).
pub struct DiskFiles;

impl FileLoader for DiskFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&full).map_err(|error| format!("cannot read `{path}`: {error}"))
    }
}

pub const CONTRACT: Address = Address([0xc0; 20]);
pub const ALICE: Address = Address([0xa1; 20]);
pub const BOB: Address = Address([0xb0; 20]);

/// A deployed contract on an in-memory store.
pub struct Deployed {
    pub vm: Vm,
    pub store: Arc<MemoryStore>,
    pub wasm: Vec<u8>,
    pub now: i64,
}

/// Compiles `source`, panicking with the rendered diagnostics when it does not check.
pub fn compile(source: &str) -> assent_lang::codegen::Compiled {
    let checked = check_source("test.assent", source, &NoFiles);
    let Some(contract) = checked.contract else {
        panic!(
            "does not check:\n{}",
            diagnostics::render(&checked.sources, &checked.diagnostics, false)
        );
    };
    let hash = assent_vm::keccak256(source.as_bytes()).0;
    assent_lang::codegen::compile(&contract, hash).expect("code generation")
}

/// Compiles the contract file at `path` (relative to the package root, imports read from
/// disk), panicking with the rendered diagnostics unless it checks clean: no error and no
/// warning.
pub fn compile_file(path: &str) -> assent_lang::codegen::Compiled {
    let source = DiskFiles
        .load(path)
        .unwrap_or_else(|error| panic!("{error}"));
    let checked = check_source(path, &source, &DiskFiles);
    let (Some(contract), true) = (checked.contract, checked.diagnostics.is_empty()) else {
        panic!(
            "`{path}` does not check:\n{}",
            diagnostics::render(&checked.sources, &checked.diagnostics, false)
        );
    };
    let hash = assent_vm::keccak256(source.as_bytes()).0;
    assent_lang::codegen::compile(&contract, hash).expect("code generation")
}

/// A VM as the tests use it.
pub fn new_vm() -> Vm {
    Vm::new(VmConfig {
        pool_instances: 8,
        ..VmConfig::default()
    })
    .expect("vm")
}

pub fn deploy(source: &str, init_args: Vec<Value>) -> Deployed {
    let compiled = compile(source);
    let vm = new_vm();
    vm.load(&compiled.wasm).expect("the VM accepts the module");
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &compiled.wasm);
    let deployed = Deployed {
        vm,
        store,
        wasm: compiled.wasm.clone(),
        now: 1_767_225_600, // 2026-01-01T00:00:00Z
    };
    if compiled.abi.entries.iter().any(|e| e.name == "init") {
        let execution = deployed.call_as(ALICE, "init", init_args);
        assert_eq!(execution.outcome, Outcome::Ok(None), "init");
    }
    deployed
}

impl Deployed {
    pub fn call(&self, entry: &str, args: Vec<Value>) -> Execution {
        self.call_as(ALICE, entry, args)
    }

    /// Runs an entry point and commits its writes when it succeeds.
    pub fn call_as(&self, caller: Address, entry: &str, args: Vec<Value>) -> Execution {
        let state: Arc<dyn StateStore> = self.store.clone();
        let execution = self
            .vm
            .execute(
                state,
                Call {
                    contract: CONTRACT,
                    entry: entry.to_string(),
                    args,
                    caller,
                    origin: caller,
                    now: self.now,
                    block_height: 7,
                    gas_limit: 10_000_000,
                },
            )
            .expect("no host fault");
        if matches!(execution.outcome, Outcome::Ok(_)) {
            self.store.apply(&execution.writes);
        }
        execution
    }
}
