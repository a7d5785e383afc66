//! The wasmtime engine, configured for deterministic, metered execution.
//!
//! Determinism: fuel metering on (one unit per executed instruction, more for a
//! division or a call, see [`operator_costs`]; bulk-memory copies and fills per byte), NaN canonicalisation (belt and braces: the validator refuses
//! floats), and every non-deterministic or unneeded proposal off — threads, SIMD and
//! relaxed SIMD, multi-memory, memory64, reference types, tail calls, exceptions, GC.
//! Instances come from the pooling allocator, each with one memory of at most
//! [`MAX_MEMORY_PAGES`].

use assent_stdlib::abi::{
    MAX_CALL_DEPTH, MAX_MEMORY_PAGES, MAX_STACK_ESTIMATE, MAX_TABLE_ELEMENTS,
};
use assent_stdlib::gas::{OPERATOR_CALL, OPERATOR_DIVISION};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, OperatorCost, OptLevel, PoolingAllocationConfig,
};

use crate::error::{VmError, engine_error};

/// Bytes of a WebAssembly page.
pub(crate) const PAGE_SIZE: u64 = 65_536;

/// How large the VM's instance pool is; everything else is fixed by the ABI.
#[derive(Clone, Debug)]
pub struct VmConfig {
    /// Instances alive at once across all concurrent executions (each needs a memory).
    pub pool_instances: u32,
    /// Distinct contracts one transaction may touch (its own and every callee).
    pub max_contracts_per_transaction: usize,
    /// Compile with several threads (the compiled code is the same either way).
    pub parallel_compilation: bool,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            pool_instances: 256,
            max_contracts_per_transaction: 32,
            parallel_compilation: true,
        }
    }
}

/// The stack wasm code may use within one transaction: every call frame of the deepest
/// allowed chain of contracts at the validator's bound, doubled for the host's own frames
/// and the trampolines between them. A thread running the VM needs this much stack plus
/// its own (Rust's default of 2 MiB for spawned threads is enough).
pub const MAX_WASM_STACK: usize = 2 * MAX_CALL_DEPTH * MAX_STACK_ESTIMATE as usize;

/// Fuel per WebAssembly operator: wasmtime's defaults (one unit; nothing for `nop`,
/// `drop` and structured control), with integer division and calls priced by the gas
/// schedule ([`OPERATOR_DIVISION`], [`OPERATOR_CALL`]) because they take far longer than
/// an addition.
pub(crate) fn operator_costs() -> OperatorCost {
    let mut cost = OperatorCost::new();
    cost.I32DivS = OPERATOR_DIVISION;
    cost.I32DivU = OPERATOR_DIVISION;
    cost.I32RemS = OPERATOR_DIVISION;
    cost.I32RemU = OPERATOR_DIVISION;
    cost.I64DivS = OPERATOR_DIVISION;
    cost.I64DivU = OPERATOR_DIVISION;
    cost.I64RemS = OPERATOR_DIVISION;
    cost.I64RemU = OPERATOR_DIVISION;
    cost.Call = OPERATOR_CALL;
    cost.CallIndirect = OPERATOR_CALL;
    cost
}

pub(crate) fn build_engine(config: &VmConfig) -> Result<Engine, VmError> {
    let memory_bytes = u64::from(MAX_MEMORY_PAGES) * PAGE_SIZE;
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(config.pool_instances)
        .total_memories(config.pool_instances)
        .total_tables(config.pool_instances)
        .max_memories_per_module(1)
        .max_tables_per_module(1)
        .table_elements(MAX_TABLE_ELEMENTS as usize)
        .max_memory_size(memory_bytes as usize)
        // Room for the vmctx of MAX_FUNCTIONS functions and MAX_GLOBALS globals.
        .max_core_instance_size(4 << 20)
        .linear_memory_keep_resident(PAGE_SIZE as usize)
        .max_unused_warm_slots(config.pool_instances.min(64));

    let mut wasm = Config::new();
    wasm.consume_fuel(true)
        .operator_cost(operator_costs())
        .cranelift_nan_canonicalization(true)
        .cranelift_opt_level(OptLevel::Speed)
        .parallel_compilation(config.parallel_compilation)
        .wasm_backtrace_max_frames(None)
        .max_wasm_stack(MAX_WASM_STACK)
        .wasm_simd(false)
        .wasm_relaxed_simd(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_tail_call(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .wasm_extended_const(false)
        .wasm_bulk_memory(true)
        .wasm_multi_value(true)
        .wasm_features(
            wasmparser::WasmFeatures::REFERENCE_TYPES
                | wasmparser::WasmFeatures::FUNCTION_REFERENCES
                | wasmparser::WasmFeatures::GC
                | wasmparser::WasmFeatures::THREADS
                | wasmparser::WasmFeatures::EXCEPTIONS
                | wasmparser::WasmFeatures::STACK_SWITCHING,
            false,
        )
        // Small, explicitly bounds-checked memories: the pool reserves only what a
        // module may use, instead of 4 GiB of address space per slot.
        .memory_reservation(memory_bytes)
        .memory_reservation_for_growth(0)
        .memory_guard_size(PAGE_SIZE)
        .memory_may_move(false)
        // Contracts' data segments are small: copying them beats mapping an image.
        .memory_init_cow(false)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&wasm).map_err(engine_error)
}
