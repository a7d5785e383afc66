//! One helper for whole-pipeline tests: source text → check → codegen → VM.
#![allow(dead_code)]

use std::sync::Arc;

use assent_lang::check::FileLoader;
use assent_lang::{Compilation, CompileError, diagnostics};
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
    expect_compiled(
        "test.assent",
        assent_lang::compile("test.assent", source, &NoFiles),
    )
    .compiled
}

/// Compiles the contract file at `path` (relative to the package root, imports read from
/// disk), panicking with the rendered diagnostics unless it checks clean: no error and no
/// warning.
pub fn compile_file(path: &str) -> assent_lang::codegen::Compiled {
    let compilation = expect_compiled(path, assent_lang::compile_file(path, &DiskFiles));
    assert!(
        compilation.warnings.is_empty(),
        "`{path}` does not check clean:\n{}",
        diagnostics::render(&compilation.sources, &compilation.warnings, false)
    );
    compilation.compiled
}

/// The compiled contract, or a panic with the rendered diagnostics or the code generator's
/// error.
fn expect_compiled(name: &str, result: Result<Compilation, CompileError>) -> Compilation {
    match result {
        Ok(compilation) => compilation,
        Err(CompileError::Diagnostics {
            sources,
            diagnostics,
        }) => panic!(
            "`{name}` does not check:\n{}",
            diagnostics::render(&sources, &diagnostics, false)
        ),
        Err(CompileError::Codegen(error)) => panic!("code generation: {error}"),
    }
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
