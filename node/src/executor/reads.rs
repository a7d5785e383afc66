//! How the VM reads the ledger's state: a [`StateView`] — an owned handle the ledger gives
//! for each call — behind the VM's [`StateStore`] trait; the artefacts the VM compiles are
//! collected for the ledger to store with the block.

use assent_stdlib::ordered::Entry;
use std::sync::{Arc, Mutex, PoisonError};

use assent_ledger::primitives::{Address, Hash};
use assent_ledger::state::code_hash_key;
use assent_ledger::{LedgerError, StateAccess, StateView};
use assent_vm::{ArtefactCache, Call, CodeHash, Execution, MAX_WASM_STACK, StateStore, StoreError};
use assent_vm::{Vm, VmError};

/// The stack a thread must have left to run the VM on its own stack: the wasm frames plus
/// Rust's default thread stack for the host's own frames.
const MIN_THREAD_STACK: usize = MAX_WASM_STACK + (2 << 20);

/// The stack a call gets on a thread with less than [`MIN_THREAD_STACK`] left (a fresh
/// segment, as `stacker` grows it), and the stack to give a thread that runs the executor
/// so that it never needs one.
pub(super) const VM_THREAD_STACK: usize = MAX_WASM_STACK + (8 << 20);

/// Whether the current thread has the stack to run the VM without growing it.
pub(super) fn runs_in_place() -> bool {
    stacker::remaining_stack().is_some_and(|left| left >= MIN_THREAD_STACK)
}

/// Executes `call` on `vm` against `state`, on this thread (on a grown stack if it has too
/// little left), and hands the artefacts compiled meanwhile to `state`. Returns how many
/// modules were compiled with it.
pub(super) fn run(
    vm: &Vm,
    state: &mut dyn StateAccess,
    call: Call,
) -> (Result<Execution, VmError>, u64) {
    let reads = Arc::new(LedgerReads {
        view: state.view(),
        compiled: Mutex::default(),
    });
    let execution = {
        let reads: Arc<dyn StateStore> = reads.clone();
        stacker::maybe_grow(MIN_THREAD_STACK, VM_THREAD_STACK, || {
            vm.execute(reads, call)
        })
    };
    let compiled = std::mem::take(
        &mut *reads
            .compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    let count = compiled.len() as u64;
    for (hash, artefact) in compiled {
        state.put_artefact(hash, artefact);
    }
    (execution, count)
}

/// Executes `call` with `code` — not the contract's deployed module, the same contract
/// built otherwise (for explaining) — against `view`, read-only; what it compiles is not
/// kept.
pub(super) fn run_code(
    vm: &Vm,
    view: StateView,
    code: &[u8],
    call: Call,
) -> Result<Execution, VmError> {
    let contract = vm.load(code)?;
    let reads: Arc<dyn StateStore> = Arc::new(LedgerReads {
        view,
        compiled: Mutex::default(),
    });
    stacker::maybe_grow(MIN_THREAD_STACK, VM_THREAD_STACK, || {
        vm.execute_loaded(reads, contract, call)
    })
}

/// The VM's [`StateStore`] for one call.
struct LedgerReads {
    view: StateView,
    /// Artefacts the VM compiled during the call.
    compiled: Mutex<Vec<(Hash, Vec<u8>)>>,
}

fn fault(error: LedgerError) -> StoreError {
    StoreError {
        message: error.to_string(),
    }
}

impl StateStore for LedgerReads {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.view.get(key).map_err(fault)
    }

    fn code_hash(&self, address: &Address) -> Result<Option<CodeHash>, StoreError> {
        match self.view.get(&code_hash_key(address)).map_err(fault)? {
            None => Ok(None),
            Some(bytes) => Hash::from_slice(&bytes)
                .map(Some)
                .ok_or_else(|| StoreError {
                    message: format!("the code hash of {address} is malformed"),
                }),
        }
    }

    fn code(&self, code_hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        Ok(self.view.code(code_hash).map_err(fault)?.map(Arc::from))
    }

    fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        skipped: &mut u64,
    ) -> Result<Option<Entry>, StoreError> {
        self.view.next_ordered(from, prefix, skipped).map_err(fault)
    }

    fn artefact(&self, code_hash: &CodeHash) -> Option<Vec<u8>> {
        // An artefact that cannot be read is compiled again: never a fault.
        self.view.artefact(code_hash).ok().flatten()
    }

    fn put_artefact(&self, code_hash: &CodeHash, artefact: &[u8]) {
        self.compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((*code_hash, artefact.to_vec()));
    }
}

/// The VM's own artefact cache, left empty: the ledger keeps the artefacts, and a VM that
/// kept copies too would hold every compiled module twice.
pub(super) struct LedgerKeepsArtefacts;

impl ArtefactCache for LedgerKeepsArtefacts {
    fn get(&self, _code_hash: &CodeHash) -> Option<Vec<u8>> {
        None
    }

    fn put(&self, _code_hash: &CodeHash, _artefact: Vec<u8>) {}
}
