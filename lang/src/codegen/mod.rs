//! Code generation: a checked contract to one WebAssembly module.
//!
//! The module, in section order:
//! - **imports**: the host functions of [`assent_stdlib::abi::HOST_FUNCTIONS`] the module
//!   calls, in table order (see [`imports`]: every import costs each instantiation);
//! - **functions**: every function of the typed contract (callees first), then the
//!   synthetic `init` when the contract has state initialisers but no `init`, then the
//!   checked-arithmetic helpers of [`runtime`];
//! - **memory** `memory`: [`layout::SCRATCH_SIZE`] bytes of slots at address 0 (record
//!   fields, event fields and call arguments are stored there right before the host call
//!   that reads them), then static data: string literals, abort messages, source
//!   positions and the `end` table of every enum;
//! - **exports**: `memory`, and one function per entry point named by its
//!   [`assent_stdlib::abi::EntryAbi::export`];
//! - the custom section [`assent_stdlib::abi::ABI_SECTION`] with the [`ContractAbi`] as JSON.
//!
//! Every value is one `i64`: scalars are the number, everything else is a handle into the
//! host's arena (see [`assent_stdlib::abi`]). Integer arithmetic is checked inline;
//! rounding arithmetic and every operation on compound values are host calls.

mod abi;
mod data;
mod expr;
mod function;
mod imports;
mod layout;
mod pattern;
mod place;
mod runtime;
mod stmt;
mod types;

use assent_stdlib::abi::{ABI_SECTION, ContractAbi, HOST_MODULE, MEMORY_EXPORT, WasmType};
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind, ExportSection,
    FunctionSection, ImportSection, MemorySection, MemoryType, Module, TypeSection, ValType,
};

use crate::typed::{self, Contract};
use data::StaticData;
use function::FunctionCompiler;
use imports::{Emitted, Imports};
use types::TypeTable;

/// A compiled contract: the module's bytes and the ABI it carries.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub wasm: Vec<u8>,
    pub abi: ContractAbi,
}

/// Something code generation cannot do (a limit of the module format, never a panic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodegenError {
    pub message: String,
}

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CodegenError {}

pub(crate) fn error(message: impl Into<String>) -> CodegenError {
    CodegenError {
        message: message.into(),
    }
}

/// The largest memory a module declares, in 64 KiB pages.
const MAX_PAGES: u64 = 16;

/// Compiles a checked contract. `source_hash` is Keccak-256 of the contract's source
/// file, recorded in the ABI.
pub fn compile(contract: &Contract, source_hash: [u8; 32]) -> Result<Compiled, CodegenError> {
    compile_module(contract, source_hash, false)
}

/// Compiles a contract for explaining (never for deploying): its policies, as
/// [`crate::explain`] noted them, go on past a deciding `deny` through their permit
/// rules. Only a VM made for explaining runs the module.
pub fn compile_explaining(
    contract: &Contract,
    source_hash: [u8; 32],
) -> Result<Compiled, CodegenError> {
    compile_module(contract, source_hash, true)
}

fn compile_module(
    contract: &Contract,
    source_hash: [u8; 32],
    explaining: bool,
) -> Result<Compiled, CodegenError> {
    let mut types = TypeTable::new(contract);
    let mut data = StaticData::new();
    let plan = Plan::of(contract)?;
    // Bodies first: they intern types and static data the later sections need.
    let bodies = compile_bodies(contract, &plan, &mut types, &mut data, explaining)?;
    let abi = abi::build(contract, &mut types, source_hash, plan.synthetic_init)?;
    let imported = Imports::called_by(bodies.iter().map(|(_, body)| body));
    let (type_section, imports, functions) = signature_sections(&imported, &bodies);
    let exports = export_section(contract, &plan, &abi, &imported)?;
    let (memory, data_section) = memory_and_data(data)?;
    let mut code = CodeSection::new();
    for (_, body) in &bodies {
        code.function(&body.encode(&imported));
    }
    let abi_json =
        serde_json::to_vec(&abi).map_err(|e| error(format!("cannot encode the ABI: {e}")))?;

    let mut module = Module::new();
    module.section(&type_section);
    module.section(&imports);
    module.section(&functions);
    module.section(&memory);
    module.section(&exports);
    module.section(&code);
    module.section(&data_section);
    module.section(&CustomSection {
        name: ABI_SECTION.into(),
        data: abi_json.into(),
    });
    Ok(Compiled {
        wasm: module.finish(),
        abi,
    })
}

/// Where each function goes in the module's index space: host imports first, then the
/// contract's functions, the synthetic `init` when the contract needs one, then the
/// runtime helpers.
struct Plan {
    import_count: u32,
    user_count: u32,
    /// No `init` of its own but states with initial values: one is generated.
    synthetic_init: bool,
    indices: function::Indices,
}

impl Plan {
    fn of(contract: &Contract) -> Result<Plan, CodegenError> {
        let import_count = imports::provisional_count();
        let user_count =
            u32::try_from(contract.functions.len()).map_err(|_| error("too many functions"))?;
        let synthetic_init = !contract
            .functions
            .iter()
            .any(|f| f.kind == typed::FunctionKind::Init)
            && contract.states.iter().any(|s| s.init.is_some());
        let runtime_base = import_count + user_count + u32::from(synthetic_init);
        Ok(Plan {
            import_count,
            user_count,
            synthetic_init,
            indices: function::Indices {
                import_count,
                runtime_base,
            },
        })
    }
}

/// A compiled body with its `(parameter count, has a result)` signature.
type Body = ((u32, bool), Emitted);

/// Pass 1: every function body — the contract's, the synthetic `init`, the runtime
/// helpers — in index order.
fn compile_bodies<'c>(
    contract: &'c Contract,
    plan: &Plan,
    types: &mut TypeTable<'c>,
    data: &mut StaticData,
    explaining: bool,
) -> Result<Vec<Body>, CodegenError> {
    let enum_tables = data.enum_tables(contract);
    let mut bodies = Vec::new();
    for (index, function) in contract.functions.iter().enumerate() {
        let compiler = FunctionCompiler::new(
            contract,
            types,
            data,
            &enum_tables,
            plan.indices,
            Some(index),
        )
        .explaining(explaining);
        bodies.push((
            signature(function.params.len(), &function.ret),
            compiler.compile()?,
        ));
    }
    if plan.synthetic_init {
        let compiler =
            FunctionCompiler::new(contract, types, data, &enum_tables, plan.indices, None);
        bodies.push(((0, false), compiler.compile_synthetic_init()?));
    }
    for helper in runtime::HELPERS {
        bodies.push(((helper.params, true), runtime::body(*helper, data)));
    }
    Ok(bodies)
}

/// Pass 2: the type section (one type per distinct signature, host functions first), the
/// imports of the host functions the bodies call, and each body's type.
fn signature_sections(
    imported: &Imports,
    bodies: &[Body],
) -> (TypeSection, ImportSection, FunctionSection) {
    let mut signatures: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut type_index = |params: Vec<ValType>, results: Vec<ValType>| -> u32 {
        let key = (params, results);
        if let Some(found) = signatures.iter().position(|s| *s == key) {
            return found as u32;
        }
        signatures.push(key);
        (signatures.len() - 1) as u32
    };
    let mut imports = ImportSection::new();
    for host in imported.host_functions() {
        let params = host.params.iter().map(|t| val_type(*t)).collect();
        let results = host.results.iter().map(|t| val_type(*t)).collect();
        let index = type_index(params, results);
        imports.import(HOST_MODULE, host.name, EntityType::Function(index));
    }
    let mut functions = FunctionSection::new();
    for ((params, has_result), _) in bodies {
        let results = if *has_result {
            vec![ValType::I64]
        } else {
            vec![]
        };
        let index = type_index(vec![ValType::I64; *params as usize], results);
        functions.function(index);
    }
    let mut type_section = TypeSection::new();
    for (params, results) in &signatures {
        type_section
            .ty()
            .function(params.iter().copied(), results.iter().copied());
    }
    (type_section, imports, functions)
}

/// Pass 3: the memory and one export per ABI entry point.
fn export_section(
    contract: &Contract,
    plan: &Plan,
    abi: &ContractAbi,
    imported: &Imports,
) -> Result<ExportSection, CodegenError> {
    let mut exports = ExportSection::new();
    exports.export(MEMORY_EXPORT, ExportKind::Memory, 0);
    for entry in &abi.entries {
        let index = if entry.kind == assent_stdlib::abi::EntryKind::Init && plan.synthetic_init {
            plan.import_count + plan.user_count
        } else {
            let position = contract
                .functions
                .iter()
                .position(|f| f.exported && f.name == entry.name)
                .ok_or_else(|| error(format!("entry `{}` has no function", entry.name)))?;
            plan.import_count + position as u32
        };
        exports.export(
            &entry.export,
            ExportKind::Func,
            imported.function_index(index),
        );
    }
    Ok(exports)
}

/// Pass 4: the memory, sized to the static data, and the data segment holding it.
fn memory_and_data(data: StaticData) -> Result<(MemorySection, DataSection), CodegenError> {
    let data_bytes = data.into_bytes();
    let total = layout::DATA_START as u64 + data_bytes.len() as u64;
    let pages = total.div_ceil(65_536).max(1);
    if pages > MAX_PAGES {
        return Err(error("the contract's static data does not fit in memory"));
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: pages,
        maximum: Some(MAX_PAGES),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut data_section = DataSection::new();
    if !data_bytes.is_empty() {
        data_section.active(
            0,
            &ConstExpr::i32_const(layout::DATA_START as i32),
            data_bytes.iter().copied(),
        );
    }
    Ok((memory, data_section))
}

/// `(parameter count, has a result)` of a function.
fn signature(params: usize, ret: &typed::Ty) -> (u32, bool) {
    (
        params as u32,
        !matches!(ret, typed::Ty::Unit | typed::Ty::Never),
    )
}

fn val_type(t: WasmType) -> ValType {
    match t {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
    }
}
