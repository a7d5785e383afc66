//! How the VM reads the state the ledger lends the executor.
//!
//! The VM reads state through an owned, thread-safe [`StateStore`] (wasmtime keeps the host
//! state in a `'static` store), while the ledger lends the executor a borrowed
//! `&mut dyn StateAccess` for one transaction. Two routes bridge them without copying the
//! state:
//!
//! - **In place**, when the lending thread has the stack the VM needs (see
//!   [`MIN_THREAD_STACK`]): the VM runs on that thread and reads through a [`Lent`] handle
//!   to the borrowed state, revoked before [`Bridge::run`] returns. No thread switch per
//!   read — on a busy machine, each switch cost more than the read.
//! - **On the VM thread** otherwise: a worker thread with a large stack runs the VM, and
//!   each read travels to the lending thread over a channel and is answered there.
//!
//! Compiled artefacts travel the same routes into the ledger's store, so a node that
//! restarts loads them instead of compiling again.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use assent_ledger::error::LedgerError;
use assent_ledger::executor::StateAccess;
use assent_ledger::primitives::{Address, Hash};
use assent_ledger::state::code_hash_key;
use assent_vm::MAX_WASM_STACK;
use assent_vm::{ArtefactCache, Call, Execution};
use assent_vm::{CodeHash, StateStore, StoreError};
use assent_vm::{Vm, VmError};

/// The stack a thread must have left to run the VM in place: the wasm frames plus Rust's
/// default thread stack for the host's own frames, which is what every spawned thread
/// running the VM directly (the VM's own tests, for one) has always had.
const MIN_THREAD_STACK: usize = MAX_WASM_STACK + (2 << 20);

/// Stack of the VM thread: ample room beyond [`MIN_THREAD_STACK`]. Threads that run the
/// executor are spawned with it too, so that they run the VM in place.
pub(super) const VM_THREAD_STACK: usize = MAX_WASM_STACK + (8 << 20);

/// Whether the current thread has the stack to run the VM in place.
pub(super) fn runs_in_place() -> bool {
    stacker::remaining_stack().is_some_and(|left| left >= MIN_THREAD_STACK)
}

/// Runs the VM for the executor, on whichever route the current thread allows.
pub(super) struct Bridge {
    vm: Vm,
    artefacts: Arc<ArtefactBridge>,
    /// Started on first use by a thread without the stack to run the VM in place.
    worker: Option<Worker>,
}

impl Bridge {
    /// A bridge with its own VM.
    ///
    /// # Errors
    /// When wasmtime refuses the configuration.
    pub(super) fn new(config: assent_vm::VmConfig) -> Result<Bridge, VmError> {
        let artefacts = Arc::new(ArtefactBridge::default());
        let vm = Vm::with_artefacts(config, artefacts.clone())?;
        Ok(Bridge {
            vm,
            artefacts,
            worker: None,
        })
    }

    pub(super) fn vm(&self) -> &Vm {
        &self.vm
    }

    /// How many modules the VM compiled with wasmtime (rather than loading an artefact).
    pub(super) fn compilations(&self) -> u64 {
        self.artefacts
            .compilations
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Executes `call` with its reads answered from `state`.
    pub(super) fn run(
        &mut self,
        state: &mut dyn StateAccess,
        call: Call,
    ) -> Result<Execution, VmError> {
        if runs_in_place() {
            self.run_in_place(state, call)
        } else {
            self.run_on_vm_thread(state, call)
        }
    }

    fn run_in_place(
        &mut self,
        state: &mut dyn StateAccess,
        call: Call,
    ) -> Result<Execution, VmError> {
        let (vm, artefacts) = (&self.vm, &self.artefacts);
        Lent::lend(state, |lent| {
            let route = Route::Lent(lent.clone());
            artefacts.install(Some(route.clone()));
            let _uninstall = Uninstall(artefacts);
            vm.execute(Arc::new(BridgedState { route }), call)
        })
    }

    /// Executes `call` on the VM thread while this thread answers its reads from `state`.
    fn run_on_vm_thread(
        &mut self,
        state: &mut dyn StateAccess,
        call: Call,
    ) -> Result<Execution, VmError> {
        let (request_tx, request_rx) = channel::<Message>();
        let (reply_tx, reply_rx) = channel::<Reply>();
        let mut job = Box::new(Job {
            call,
            link: Link {
                requests: request_tx,
                replies: Arc::new(Mutex::new(reply_rx)),
            },
        });
        // A thread that died (a panic in the host) is replaced once.
        for _ in 0..2 {
            if self.worker.is_none() {
                self.worker = Some(Worker::spawn(self.vm.clone(), self.artefacts.clone())?);
            }
            match self.worker.as_ref().map(|worker| worker.send(job)) {
                Some(Ok(())) => return serve(state, &request_rx, &reply_tx),
                Some(Err(returned)) => {
                    job = returned;
                    self.worker = None;
                }
                None => return Err(VmError::Engine("no VM thread".into())),
            }
        }
        Err(VmError::Engine("the VM thread cannot be started".into()))
    }
}

// ---- Requests and their answers ----------------------------------------------------------

/// A read the VM asks of the lending thread.
enum Request {
    Get(Vec<u8>),
    CodeHash(assent_vm::Address),
    Code(CodeHash),
    Artefact(CodeHash),
    PutArtefact(CodeHash, Vec<u8>),
}

enum Reply {
    Value(Result<Option<Vec<u8>>, StoreError>),
    CodeHash(Result<Option<CodeHash>, StoreError>),
    Code(Result<Option<Arc<[u8]>>, StoreError>),
    Artefact(Option<Vec<u8>>),
}

/// Answers one request from the lent state; `None` for a request that wants no answer.
/// `code_owner` remembers which address each code hash came from: the VM asks for code by
/// hash after asking for the hash by address, and the ledger serves code by address.
fn answer(
    state: &mut dyn StateAccess,
    code_owner: &mut BTreeMap<CodeHash, Address>,
    request: Request,
) -> Option<Reply> {
    let fault = |error: LedgerError| StoreError {
        message: error.to_string(),
    };
    Some(match request {
        Request::Get(key) => Reply::Value(state.get(&key).map_err(fault)),
        Request::CodeHash(address) => {
            let hash = state
                .get(&code_hash_key(&address))
                .map_err(fault)
                .and_then(|value| match value {
                    None => Ok(None),
                    Some(bytes) => Hash::from_slice(&bytes)
                        .map(Some)
                        .ok_or_else(|| StoreError {
                            message: format!("the code hash of {address} is malformed"),
                        }),
                });
            if let Ok(Some(hash)) = &hash {
                code_owner.insert(*hash, address);
            }
            Reply::CodeHash(hash)
        }
        Request::Code(hash) => Reply::Code(match code_owner.get(&hash) {
            Some(address) => state
                .code(address)
                .map(|code| code.map(Arc::from))
                .map_err(fault),
            None => Ok(None),
        }),
        Request::Artefact(hash) => Reply::Artefact(state.artefact(&hash).ok().flatten()),
        Request::PutArtefact(hash, artefact) => {
            state.put_artefact(hash, artefact);
            return None;
        }
    })
}

fn gone() -> StoreError {
    StoreError {
        message: "the ledger stopped answering the VM".into(),
    }
}

/// Where the VM's requests go during one execution.
#[derive(Clone)]
enum Route {
    Lent(Arc<Lent>),
    Thread(Link),
}

impl Route {
    fn ask(&self, request: Request) -> Option<Reply> {
        match self {
            Route::Lent(lent) => lent.ask(request),
            Route::Thread(link) => link.ask(request),
        }
    }

    fn tell(&self, request: Request) {
        match self {
            Route::Lent(lent) => {
                lent.ask(request);
            }
            Route::Thread(link) => {
                let _ = link.requests.send(Message::Request(request));
            }
        }
    }
}

// ---- In place ----------------------------------------------------------------------------

/// The lending thread's state, lent to the VM running on that same thread for the length
/// of one [`Lent::lend`].
struct Lent {
    /// The lending thread: the only one that may use the state.
    thread: std::thread::ThreadId,
    /// `None` once the lend is over.
    lending: Mutex<Option<Lending>>,
}

struct Lending {
    /// The borrowed state with its lifetime erased; see the safety argument on [`Lent`].
    state: *mut (dyn StateAccess + 'static),
    code_owner: BTreeMap<CodeHash, Address>,
}

// SAFETY: the raw pointer is the only non-thread-safe part, and it is dereferenced only
// in `Lent::ask`, on the lending thread (checked there), under the mutex, and only while
// `Lent::lend` — which holds the `&mut` borrow it came from — has not returned: `lend`
// clears it under the same mutex before returning or unwinding. A handle that outlives the
// lend (a wasmtime store kept for reuse, say) finds `None` and reports the state gone.
#[allow(unsafe_code)]
unsafe impl Send for Lent {}
#[allow(unsafe_code)]
unsafe impl Sync for Lent {}

impl Lent {
    /// Lends `state` to `run` through a handle that is void once `lend` returns.
    fn lend<R>(state: &mut dyn StateAccess, run: impl FnOnce(&Arc<Lent>) -> R) -> R {
        let borrowed: *mut (dyn StateAccess + '_) = state;
        // SAFETY: only the lifetime changes (same fat pointer layout); the pointer is never
        // used after this function returns (see the impl of `Send` above).
        #[allow(unsafe_code)]
        let erased: *mut (dyn StateAccess + 'static) = unsafe { std::mem::transmute(borrowed) };
        let lent = Arc::new(Lent {
            thread: std::thread::current().id(),
            lending: Mutex::new(Some(Lending {
                state: erased,
                code_owner: BTreeMap::new(),
            })),
        });
        let _revoke = Revoke(&lent);
        run(&lent)
    }

    fn ask(&self, request: Request) -> Option<Reply> {
        if std::thread::current().id() != self.thread {
            return None;
        }
        // A poisoned lock means an earlier read panicked; the state may be mid-change.
        let mut lending = self.lending.lock().ok()?;
        let Lending { state, code_owner } = lending.as_mut()?;
        // SAFETY: on the lending thread, under the lock, and the lend is in force (the
        // slot is `Some`); `StateAccess` never calls back into the VM, so no second
        // reference to the state exists while this one is used.
        #[allow(unsafe_code)]
        let state = unsafe { &mut **state };
        answer(state, code_owner, request)
    }
}

/// Ends a lend, also when unwinding.
struct Revoke<'a>(&'a Lent);

impl Drop for Revoke<'_> {
    fn drop(&mut self) {
        *self
            .0
            .lending
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }
}

// ---- On the VM thread --------------------------------------------------------------------

/// Messages to the lending thread: a request, or the VM's final answer.
enum Message {
    Request(Request),
    Done(Result<Execution, VmError>),
}

/// The VM thread's end of the channel pair.
#[derive(Clone)]
struct Link {
    requests: Sender<Message>,
    replies: Arc<Mutex<Receiver<Reply>>>,
}

impl Link {
    fn ask(&self, request: Request) -> Option<Reply> {
        let replies = self.replies.lock().ok()?;
        self.requests.send(Message::Request(request)).ok()?;
        replies.recv().ok()
    }
}

/// A job for the VM thread: a call, and the link to the thread lending the state.
struct Job {
    call: Call,
    link: Link,
}

/// The thread the VM runs on, kept for the executor's lifetime (starting a thread per
/// transaction would cost more than many a transaction).
struct Worker {
    jobs: Option<Sender<Box<Job>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    fn spawn(vm: Vm, artefacts: Arc<ArtefactBridge>) -> Result<Worker, VmError> {
        let (jobs, received) = channel::<Box<Job>>();
        let thread = std::thread::Builder::new()
            .name("assent-vm".into())
            .stack_size(VM_THREAD_STACK)
            .spawn(move || {
                for job in received {
                    let Job { call, link } = *job;
                    let done = link.requests.clone();
                    let route = Route::Thread(link);
                    artefacts.install(Some(route.clone()));
                    let uninstall = Uninstall(&artefacts);
                    let result = vm.execute(Arc::new(BridgedState { route }), call);
                    drop(uninstall);
                    let _ = done.send(Message::Done(result));
                }
            })
            .map_err(|error| VmError::Engine(format!("cannot start the VM thread: {error}")))?;
        Ok(Worker {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Hands `job` to the thread; gives it back when the thread has died.
    fn send(&self, job: Box<Job>) -> Result<(), Box<Job>> {
        match &self.jobs {
            Some(jobs) => jobs.send(job).map_err(|error| error.0),
            None => Err(job),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the job channel ends the thread's loop.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers the VM thread's reads until it is done.
fn serve(
    state: &mut dyn StateAccess,
    requests: &Receiver<Message>,
    replies: &Sender<Reply>,
) -> Result<Execution, VmError> {
    let mut code_owner = BTreeMap::new();
    while let Ok(message) = requests.recv() {
        let request = match message {
            Message::Done(result) => return result,
            Message::Request(request) => request,
        };
        if let Some(reply) = answer(state, &mut code_owner, request)
            && replies.send(reply).is_err()
        {
            break;
        }
    }
    Err(VmError::Engine(
        "the VM thread ended without an answer".into(),
    ))
}

// ---- What the VM sees --------------------------------------------------------------------

/// The VM's [`StateStore`] for one bridged execution.
struct BridgedState {
    route: Route,
}

impl StateStore for BridgedState {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.route.ask(Request::Get(key.to_vec())) {
            Some(Reply::Value(value)) => value,
            _ => Err(gone()),
        }
    }

    fn code_hash(&self, address: &assent_vm::Address) -> Result<Option<CodeHash>, StoreError> {
        match self.route.ask(Request::CodeHash(*address)) {
            Some(Reply::CodeHash(hash)) => hash,
            _ => Err(gone()),
        }
    }

    fn code(&self, code_hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        match self.route.ask(Request::Code(*code_hash)) {
            Some(Reply::Code(code)) => code,
            _ => Err(gone()),
        }
    }
}

/// The VM's [`ArtefactCache`]: forwards to the ledger's store through the route of the
/// execution under way (outside one it has nothing, and the VM compiles).
#[derive(Default)]
struct ArtefactBridge {
    route: Mutex<Option<Route>>,
    compilations: std::sync::atomic::AtomicU64,
}

impl ArtefactBridge {
    fn current(&self) -> Option<Route> {
        self.route.lock().ok()?.clone()
    }

    fn install(&self, route: Option<Route>) {
        if let Ok(mut slot) = self.route.lock() {
            *slot = route;
        }
    }
}

impl ArtefactCache for ArtefactBridge {
    fn get(&self, code_hash: &CodeHash) -> Option<Vec<u8>> {
        match self.current()?.ask(Request::Artefact(*code_hash)) {
            Some(Reply::Artefact(artefact)) => artefact,
            _ => None,
        }
    }

    fn put(&self, code_hash: &CodeHash, artefact: Vec<u8>) {
        self.compilations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(route) = self.current() {
            route.tell(Request::PutArtefact(*code_hash, artefact));
        }
    }
}

/// Uninstalls the bridge's route when a job ends, even by unwinding, so that the
/// lending thread sees the channel close instead of waiting forever.
struct Uninstall<'a>(&'a ArtefactBridge);

impl Drop for Uninstall<'_> {
    fn drop(&mut self) {
        self.0.install(None);
    }
}
