//! Warm instances: a read-only call (a view or a policy) may run in an instance an
//! earlier read-only call of the same code left behind, reset to exactly the state a
//! fresh instantiation gives, instead of paying for instantiation and teardown again.
//!
//! A WebAssembly instance's state is its memories, globals and tables and which passive
//! segments were dropped. Only modules where the memory is all of it are reused: no
//! mutable globals, no tables, no passive data segments, no start function, one memory
//! whose initial contents are its active data segments at constant offsets ([`Image`]).
//! Resetting zeroes the memory and copies the segments back; an instance whose memory
//! grew, or whose store holds a callee's instance too, is not kept. Gas is the same as
//! for a fresh instance: the fuel wasmtime counted while instantiating (data segments)
//! and the initial pages are charged on every use.

use std::collections::BTreeMap;
use std::sync::Mutex;

use wasmparser::{DataKind, Operator, Parser, Payload};
use wasmtime::Store;

use crate::host::{EntryFunc, HostState, Live};
use crate::state::{Address, CodeHash};

/// What a fresh instance's memory holds: `pages` pages, zero but for `segments`.
#[derive(Clone, Debug)]
pub(crate) struct Image {
    pages: u64,
    segments: Vec<(usize, Vec<u8>)>,
    /// Bytes from address 0 that the module's code can write, when every write is a
    /// store to a constant address (as generated code's scratch slots are); `None`:
    /// anywhere. The host only ever reads an instance's memory.
    written: Option<usize>,
}

impl Image {
    /// The image of `code`, when instances of it may be reused (see the module docs).
    /// `code` has passed the validator.
    pub(crate) fn of(code: &[u8]) -> Option<Image> {
        let mut pages = None;
        let mut segments = Vec::new();
        let mut written = Some(0);
        for payload in Parser::new(0).parse_all(code) {
            match payload.ok()? {
                Payload::GlobalSection(globals) => {
                    for global in globals {
                        if global.ok()?.ty.mutable {
                            return None;
                        }
                    }
                }
                Payload::TableSection(tables) if tables.count() > 0 => return None,
                Payload::StartSection { .. } | Payload::ElementSection(_) => return None,
                Payload::MemorySection(memories) => {
                    let mut memories = memories.into_iter();
                    let memory = memories.next()?.ok()?;
                    if memories.next().is_some() {
                        return None;
                    }
                    pages = Some(memory.initial);
                }
                Payload::DataSection(data) => {
                    for segment in data {
                        let segment = segment.ok()?;
                        let DataKind::Active {
                            memory_index: 0,
                            offset_expr,
                        } = segment.kind
                        else {
                            return None;
                        };
                        let mut operators = offset_expr.get_operators_reader();
                        let Operator::I32Const { value } = operators.read().ok()? else {
                            return None;
                        };
                        let offset =
                            usize::try_from(u32::from_ne_bytes(value.to_ne_bytes())).ok()?;
                        segments.push((offset, segment.data.to_vec()));
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    written = match (written, writes_of(&body)) {
                        (Some(so_far), Some(this)) => Some(so_far.max(this)),
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        Some(Image {
            pages: pages?,
            segments,
            written,
        })
    }

    pub(crate) fn pages(&self) -> u64 {
        self.pages
    }

    /// Puts `memory` back as a fresh instantiation leaves it; false when it cannot be
    /// (it grew), and the instance must not be used.
    fn reset(&self, store: &mut Store<HostState>, live: &Live) -> bool {
        if live.memory.size(&*store) != self.pages {
            return false;
        }
        let memory = live.memory.data_mut(&mut *store);
        let dirty = self
            .written
            .map_or(memory.len(), |written| written.min(memory.len()));
        let Some(dirty_bytes) = memory.get_mut(..dirty) else {
            return false;
        };
        dirty_bytes.fill(0);
        // In segment order, as instantiation writes them (a later one may overlap an
        // earlier one), and only below `dirty`: beyond it nothing changed.
        for (offset, bytes) in &self.segments {
            let end = offset.saturating_add(bytes.len()).min(dirty);
            let (Some(target), Some(source)) = (
                memory.get_mut(*offset..end.max(*offset)),
                bytes.get(..end.saturating_sub(*offset)),
            ) else {
                return false;
            };
            target.copy_from_slice(source);
        }
        true
    }
}

/// How far from address 0 `body` can write memory: `Some(end)` when every write is a
/// store whose address is an `i32.const` pushed right before the stored value (a
/// `local.get`, `global.get` or constant), so the address is known; `None` otherwise.
fn writes_of(body: &wasmparser::FunctionBody<'_>) -> Option<usize> {
    let mut end = 0usize;
    let mut before: [Option<Operator<'_>>; 2] = [None, None];
    let mut reader = body.get_operators_reader().ok()?;
    while !reader.eof() {
        let operator = reader.read().ok()?;
        let width = match &operator {
            Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => Some((memarg, 1)),
            Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => Some((memarg, 2)),
            Operator::I32Store { memarg } | Operator::I64Store32 { memarg } => Some((memarg, 4)),
            Operator::I64Store { memarg } => Some((memarg, 8)),
            Operator::MemoryFill { .. }
            | Operator::MemoryCopy { .. }
            | Operator::MemoryInit { .. } => return None,
            _ => None,
        };
        if let Some((memarg, width)) = width {
            let address = match &before {
                [
                    Some(Operator::I32Const { value }),
                    Some(
                        Operator::LocalGet { .. }
                        | Operator::GlobalGet { .. }
                        | Operator::I32Const { .. }
                        | Operator::I64Const { .. },
                    ),
                ] => u64::from(u32::from_ne_bytes(value.to_ne_bytes())),
                _ => return None,
            };
            let store_end = address.checked_add(memarg.offset)?.checked_add(width)?;
            end = end.max(usize::try_from(store_end).ok()?);
        }
        let [_, last] = before;
        before = [last, Some(operator)];
    }
    Some(end)
}

/// A store holding one instance, idle between read-only calls.
pub(crate) struct Warm {
    pub(crate) store: Store<HostState>,
    pub(crate) live: Live,
    /// Fuel instantiating this instance consumed, charged again on every reuse.
    pub(crate) instantiation_fuel: u64,
    /// Its entry points already looked up (see [`HostState::funcs`]).
    pub(crate) funcs: BTreeMap<(Address, usize), EntryFunc>,
    pub(crate) uses: u32,
}

/// A store is dropped after this many uses, so nothing a store accumulates per call
/// (wasmtime's bookkeeping of the functions handed out) grows without bound.
const MAX_USES: u32 = 10_000;

/// Idle warm instances by code hash.
pub(crate) struct WarmPool {
    idle: Mutex<BTreeMap<CodeHash, Vec<Warm>>>,
    /// At most this many idle instances in all: each holds a slot of the instance pool.
    capacity: usize,
}

impl WarmPool {
    pub(crate) fn new(capacity: usize) -> Self {
        WarmPool {
            idle: Mutex::new(BTreeMap::new()),
            capacity,
        }
    }

    /// An idle instance of `code_hash`, reset; `None` when there is none.
    pub(crate) fn take(&self, code_hash: &CodeHash, image: &Image) -> Option<Warm> {
        loop {
            let mut warm = self.idle.lock().ok()?.get_mut(code_hash)?.pop()?;
            if image.reset(&mut warm.store, &warm.live) {
                warm.uses += 1;
                return Some(warm);
            }
        }
    }

    /// Keeps `warm` (whose store holds only its instance) for the next read-only call,
    /// if there is room.
    pub(crate) fn give_back(&self, code_hash: CodeHash, warm: Warm) {
        if warm.uses >= MAX_USES {
            return;
        }
        let Ok(mut idle) = self.idle.lock() else {
            return;
        };
        let total: usize = idle.values().map(Vec::len).sum();
        if total < self.capacity {
            idle.entry(code_hash).or_default().push(warm);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.idle
            .lock()
            .map_or(0, |idle| idle.values().map(Vec::len).sum())
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}
