//! The validator every module passes before it runs, whoever produced it (LANGUAGE.md §9).
//!
//! On top of WebAssembly validation (with only the features of
//! [`abi::WASM_FEATURES`](assent_stdlib::abi::WASM_FEATURES): no floats, no SIMD, no
//! threads, …) it checks that:
//! - every import is a host function of the ABI table, with its exact signature;
//! - there is exactly one memory, defined (not imported), exported as
//!   [`MEMORY_EXPORT`], with a declared maximum of at most [`MAX_MEMORY_PAGES`];
//! - functions, globals and table elements stay within the ABI's limits (so the module
//!   can always be instantiated), and the one table, if any, declares a maximum;
//! - there is no `start` function and nothing is exported but the memory and the entry
//!   points of the ABI section, each with the signature its parameters and result imply;
//! - the `assent.abi` section is present once and parses, and its types, states, events
//!   and entries are consistent;
//! - the call graph has no cycle — direct recursion, mutual recursion, or a cycle through
//!   `call_indirect` (which may reach any function of the table with a matching type) —
//!   and its deepest chain stays within [`MAX_STACK_ESTIMATE`].

use std::collections::{BTreeMap, BTreeSet};

use assent_stdlib::abi::{
    ABI_SECTION, ContractAbi, EntryKind, HOST_MODULE, HostFn, MAX_FUNCTIONS, MAX_GLOBALS,
    MAX_MEMORY_PAGES, MAX_STACK_ESTIMATE, MAX_TABLE_ELEMENTS, MEMORY_EXPORT, TypeDesc, WasmType,
};
use assent_stdlib::value::Type;
use wasmparser::{
    CompositeInnerType, ElementItems, ExternalKind, FuncType, FuncValidatorAllocations, Operator,
    Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

use crate::error::ValidationError;

/// What the validator learnt about an accepted module.
#[derive(Clone, Debug)]
pub struct ValidatedModule {
    pub abi: ContractAbi,
    /// `abi.types`, resolved.
    pub types: Vec<Type>,
    /// The deepest chain of calls, as estimated in bytes of native stack.
    pub stack_estimate: u64,
}

/// The WebAssembly features a module may use.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
}

/// Checks `bytes` against every rule above.
///
/// # Errors
/// The first rule the module breaks, with the byte offset where it applies.
pub fn validate(bytes: &[u8]) -> Result<ValidatedModule, ValidationError> {
    validate_module(bytes, false)
}

/// [`validate`] for a module built for explaining, which may also import `explain_note`
/// (only a VM made with [`crate::Vm::explaining`] runs such a module).
///
/// # Errors
/// As [`validate`].
pub fn validate_explaining(bytes: &[u8]) -> Result<ValidatedModule, ValidationError> {
    validate_module(bytes, true)
}

fn validate_module(bytes: &[u8], explaining: bool) -> Result<ValidatedModule, ValidationError> {
    let mut module = ModuleFacts {
        explaining,
        ..ModuleFacts::default()
    };
    let mut validator = Validator::new_with_features(features());
    let mut allocations = FuncValidatorAllocations::default();

    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(wasm_error)?;
        let valid = validator.payload(&payload).map_err(wasm_error)?;
        match &payload {
            Payload::TypeSection(reader) => module.read_types(reader)?,
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports_with_offsets() {
                    let (offset, import) = import.map_err(wasm_error)?;
                    module.check_import(offset, import.module, import.name, import.ty)?;
                }
            }
            Payload::FunctionSection(reader) => module.read_functions(reader)?,
            Payload::GlobalSection(reader) if reader.count() > MAX_GLOBALS => {
                return Err(ValidationError::at(
                    reader.range().start,
                    format!("{} globals (at most {MAX_GLOBALS})", reader.count()),
                ));
            }
            Payload::TableSection(reader) => check_tables(reader)?,
            Payload::MemorySection(reader) => module.read_memories(reader)?,
            Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export.map_err(wasm_error)?;
                    module
                        .exports
                        .push((export.name.to_owned(), export.kind, export.index));
                }
            }
            Payload::StartSection { range, .. } => {
                return Err(ValidationError::at(
                    range.start,
                    "a start function is not allowed",
                ));
            }
            Payload::ElementSection(reader) => module.read_elements(reader)?,
            Payload::CodeSectionEntry(body) => {
                if let wasmparser::ValidPayload::Func(to_validate, _) = valid {
                    let func = to_validate.into_validator(std::mem::take(&mut allocations));
                    allocations = module.read_body(func, body)?;
                }
            }
            Payload::CustomSection(reader) if reader.name() == ABI_SECTION => {
                module.read_abi(reader)?;
            }
            _ => {}
        }
    }

    module.finish()
}

/// wasmparser's error, at its offset.
fn wasm_error(error: wasmparser::BinaryReaderError) -> ValidationError {
    ValidationError::at(error.offset(), error.message())
}

/// Every table must declare a maximum, of at most [`MAX_TABLE_ELEMENTS`].
fn check_tables(reader: &wasmparser::TableSectionReader<'_>) -> Result<(), ValidationError> {
    for table in reader.clone() {
        let table = table.map_err(wasm_error)?;
        let size = table
            .ty
            .maximum
            .unwrap_or(table.ty.initial)
            .max(table.ty.initial);
        if table.ty.maximum.is_none() || size > MAX_TABLE_ELEMENTS {
            return Err(ValidationError::at(
                reader.range().start,
                format!(
                    "the table must declare a maximum of at most {MAX_TABLE_ELEMENTS} elements"
                ),
            ));
        }
    }
    Ok(())
}

/// The passes over each section, in the order a module lays them out.
impl ModuleFacts {
    /// Function types only.
    fn read_types(
        &mut self,
        reader: &wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), ValidationError> {
        for group in reader.clone() {
            for sub_type in group.map_err(wasm_error)?.into_types() {
                match sub_type.composite_type.inner {
                    CompositeInnerType::Func(func_type) => self.types.push(func_type),
                    _ => {
                        return Err(ValidationError::at(
                            reader.range().start,
                            "only function types are allowed",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// At most [`MAX_FUNCTIONS`] functions; their types.
    fn read_functions(
        &mut self,
        reader: &wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), ValidationError> {
        if reader.count() > MAX_FUNCTIONS {
            return Err(ValidationError::at(
                reader.range().start,
                format!("{} functions (at most {MAX_FUNCTIONS})", reader.count()),
            ));
        }
        for type_index in reader.clone() {
            self.functions.push(type_index.map_err(wasm_error)?);
        }
        Ok(())
    }

    /// Every memory must declare a maximum, of at most [`MAX_MEMORY_PAGES`].
    fn read_memories(
        &mut self,
        reader: &wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), ValidationError> {
        for memory in reader.clone() {
            let memory = memory.map_err(wasm_error)?;
            self.memories += 1;
            match memory.maximum {
                Some(maximum) if maximum <= u64::from(MAX_MEMORY_PAGES) => {}
                Some(maximum) => {
                    return Err(ValidationError::at(
                        reader.range().start,
                        format!(
                            "the memory's maximum is {maximum} pages (at most {MAX_MEMORY_PAGES})"
                        ),
                    ));
                }
                None => {
                    return Err(ValidationError::at(
                        reader.range().start,
                        format!(
                            "the memory must declare a maximum (at most {MAX_MEMORY_PAGES} pages)"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The functions a table holds (for the call graph); no element expressions.
    fn read_elements(
        &mut self,
        reader: &wasmparser::ElementSectionReader<'_>,
    ) -> Result<(), ValidationError> {
        for element in reader.clone() {
            let element = element.map_err(wasm_error)?;
            match element.items {
                ElementItems::Functions(functions) => {
                    for function in functions {
                        self.in_table.insert(function.map_err(wasm_error)?);
                    }
                }
                ElementItems::Expressions(..) => {
                    return Err(ValidationError::at(
                        element.range.start,
                        "element expressions are not allowed",
                    ));
                }
            }
        }
        Ok(())
    }

    /// One function body: validated operator by operator, its frame estimated from its
    /// locals and deepest operand stack, its calls recorded for the call graph. Hands the
    /// validator's allocations back for the next body.
    fn read_body(
        &mut self,
        mut func: wasmparser::FuncValidator<wasmparser::ValidatorResources>,
        body: &wasmparser::FunctionBody<'_>,
    ) -> Result<FuncValidatorAllocations, ValidationError> {
        let mut reader = body.get_binary_reader();
        func.read_locals(&mut reader).map_err(wasm_error)?;
        let slots = u64::from(func.len_locals());
        let mut operators = body.get_operators_reader().map_err(wasm_error)?;
        let mut calls = BTreeSet::new();
        let mut indirect = BTreeSet::new();
        let mut max_height = 0u32;
        while !operators.eof() {
            let (operator, offset) = operators.read_with_offset().map_err(wasm_error)?;
            func.op(offset, &operator).map_err(wasm_error)?;
            max_height = max_height.max(func.operand_stack_height());
            match operator {
                Operator::Call { function_index } => {
                    calls.insert(function_index);
                }
                Operator::CallIndirect { type_index, .. } => {
                    indirect.insert(type_index);
                }
                _ => {}
            }
        }
        operators.finish().map_err(wasm_error)?;
        self.bodies.push(Body {
            frame: 128 + 16 * (slots + u64::from(max_height)),
            calls,
            indirect,
        });
        Ok(func.into_allocations())
    }

    /// The ABI section, once.
    fn read_abi(
        &mut self,
        reader: &wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), ValidationError> {
        if self.abi.is_some() {
            return Err(ValidationError::at(
                reader.range().start,
                format!("the `{ABI_SECTION}` section appears twice"),
            ));
        }
        let abi = ContractAbi::from_json_bytes(reader.data())
            .map_err(|error| ValidationError::at(reader.data_offset(), error.message))?;
        self.abi = Some(abi);
        Ok(())
    }
}

#[derive(Default)]
struct ModuleFacts {
    types: Vec<FuncType>,
    /// Number of imported functions: they come first in the function index space.
    imports: u32,
    /// Type index of each defined function.
    functions: Vec<u32>,
    memories: u32,
    exports: Vec<(String, ExternalKind, u32)>,
    /// Functions an element segment puts in a table: what `call_indirect` may reach.
    in_table: BTreeSet<u32>,
    bodies: Vec<Body>,
    abi: Option<ContractAbi>,
    /// Whether `explain_note` may be imported (a module built for explaining).
    explaining: bool,
}

struct Body {
    /// Estimated native stack of one activation, in bytes.
    frame: u64,
    calls: BTreeSet<u32>,
    /// Type indices of the `call_indirect`s in the body.
    indirect: BTreeSet<u32>,
}

fn wasm_type(ty: WasmType) -> ValType {
    match ty {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
    }
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

impl ModuleFacts {
    fn check_import(
        &mut self,
        offset: usize,
        module: &str,
        name: &str,
        ty: TypeRef,
    ) -> Result<(), ValidationError> {
        let TypeRef::Func(type_index) = ty else {
            return Err(ValidationError::at(
                offset,
                format!(
                    "import `{module}.{name}` is not a function; only host functions may be imported"
                ),
            ));
        };
        let host = (module == HOST_MODULE)
            .then(|| HostFn::by_name(name))
            .flatten()
            .filter(|id| id.deployable() || self.explaining)
            .map(HostFn::function)
            .ok_or_else(|| {
                ValidationError::at(
                    offset,
                    format!("unknown import `{module}.{name}`: only the host functions of module `{HOST_MODULE}` may be imported"),
                )
            })?;
        let expected_params: Vec<ValType> = host.params.iter().copied().map(wasm_type).collect();
        let expected_results: Vec<ValType> = host.results.iter().copied().map(wasm_type).collect();
        let actual = self.types.get(type_index as usize).ok_or_else(|| {
            ValidationError::at(offset, format!("import `{module}.{name}` has no type"))
        })?;
        if actual.params() != expected_params.as_slice()
            || actual.results() != expected_results.as_slice()
        {
            return Err(ValidationError::at(
                offset,
                format!(
                    "import `{module}.{name}` has signature {}, the host function has {}",
                    signature(actual.params(), actual.results()),
                    signature(&expected_params, &expected_results)
                ),
            ));
        }
        self.imports += 1;
        Ok(())
    }

    fn function_type(&self, function: u32) -> Option<&FuncType> {
        let type_index = if function < self.imports {
            // Imported functions are host functions, checked one by one; their type
            // index is not kept, and they are never called indirectly in a cycle.
            return None;
        } else {
            *self.functions.get((function - self.imports) as usize)?
        };
        self.types.get(type_index as usize)
    }

    fn finish(mut self) -> Result<ValidatedModule, ValidationError> {
        let abi = self.abi.take().ok_or_else(|| {
            ValidationError::new(format!("the `{ABI_SECTION}` section is missing"))
        })?;
        let types = abi
            .resolve_types()
            .map_err(|error| ValidationError::new(error.message))?;
        check_abi(&abi, &types)?;
        self.check_memory_and_exports(&abi)?;
        let stack_estimate = self.check_call_graph()?;
        Ok(ValidatedModule {
            abi,
            types,
            stack_estimate,
        })
    }

    fn check_memory_and_exports(&self, abi: &ContractAbi) -> Result<(), ValidationError> {
        if self.memories != 1 {
            return Err(ValidationError::new(
                "the module must define exactly one memory (imported memories are not allowed)",
            ));
        }
        let mut entry_exports: BTreeMap<&str, &assent_stdlib::abi::EntryAbi> = BTreeMap::new();
        for entry in &abi.entries {
            if entry_exports.insert(entry.export.as_str(), entry).is_some() {
                return Err(ValidationError::new(format!(
                    "two entry points of the ABI use the export `{}`",
                    entry.export
                )));
            }
        }
        let mut memory_exported = false;
        for (name, kind, index) in &self.exports {
            match kind {
                ExternalKind::Memory if name == MEMORY_EXPORT => memory_exported = true,
                ExternalKind::Func => {
                    let entry = entry_exports.remove(name.as_str()).ok_or_else(|| {
                        ValidationError::new(format!(
                            "export `{name}` is not an entry point of the ABI section"
                        ))
                    })?;
                    let expected_params = vec![ValType::I64; entry.params.len()];
                    let expected_results: Vec<ValType> = match entry.returns {
                        Some(_) => vec![ValType::I64],
                        None => vec![],
                    };
                    let actual = self.function_type(*index).ok_or_else(|| {
                        ValidationError::new(format!(
                            "export `{name}` must be a function defined by the module"
                        ))
                    })?;
                    if actual.params() != expected_params.as_slice()
                        || actual.results() != expected_results.as_slice()
                    {
                        return Err(ValidationError::new(format!(
                            "export `{name}` has signature {}, its entry point needs {}",
                            signature(actual.params(), actual.results()),
                            signature(&expected_params, &expected_results)
                        )));
                    }
                }
                _ => {
                    return Err(ValidationError::new(format!(
                        "export `{name}` is not allowed: only `{MEMORY_EXPORT}` and the entry points are exported"
                    )));
                }
            }
        }
        if !memory_exported {
            return Err(ValidationError::new(format!(
                "the memory must be exported as `{MEMORY_EXPORT}`"
            )));
        }
        if let Some(name) = entry_exports.keys().next() {
            return Err(ValidationError::new(format!(
                "the ABI's entry point export `{name}` is missing"
            )));
        }
        Ok(())
    }

    /// Refuses any cycle of calls and returns the deepest chain's stack estimate.
    ///
    /// Nodes are the defined functions, then one node per `call_indirect` type: a
    /// function using `call_indirect` of type `t` calls node `t`, which calls every
    /// function of the table whose type equals `t`. Imported (host) functions are leaves
    /// and left out. The walk is iterative (Kahn's algorithm from the leaves), so a huge
    /// module cannot overflow the validator's own stack.
    fn check_call_graph(&self) -> Result<u64, ValidationError> {
        let defined = self.bodies.len();
        let indirect_types: BTreeSet<u32> = self
            .bodies
            .iter()
            .flat_map(|body| body.indirect.iter().copied())
            .collect();
        let indirect_node: BTreeMap<u32, usize> = indirect_types
            .iter()
            .enumerate()
            .map(|(position, type_index)| (*type_index, defined + position))
            .collect();
        let nodes = defined + indirect_node.len();
        let mut callees: Vec<Vec<usize>> = vec![Vec::new(); nodes];
        let mut frames: Vec<u64> = vec![0; nodes];
        let local = |function: u32| -> Option<usize> {
            function
                .checked_sub(self.imports)
                .map(|index| index as usize)
                .filter(|index| *index < defined)
        };
        for (node, body) in self.bodies.iter().enumerate() {
            if let Some(frame) = frames.get_mut(node) {
                *frame = body.frame;
            }
            let list = callees.get_mut(node);
            if let Some(list) = list {
                list.extend(body.calls.iter().filter_map(|f| local(*f)));
                list.extend(
                    body.indirect
                        .iter()
                        .filter_map(|t| indirect_node.get(t).copied()),
                );
            }
        }
        for (type_index, node) in &indirect_node {
            let wanted = self.types.get(*type_index as usize);
            let targets: Vec<usize> = self
                .in_table
                .iter()
                .filter(|function| wanted.is_some() && self.function_type(**function) == wanted)
                .filter_map(|function| local(*function))
                .collect();
            if let Some(list) = callees.get_mut(*node) {
                list.extend(targets);
            }
        }

        let mut callers: Vec<Vec<usize>> = vec![Vec::new(); nodes];
        let mut pending: Vec<usize> = vec![0; nodes];
        for (node, list) in callees.iter().enumerate() {
            if let Some(count) = pending.get_mut(node) {
                *count = list.len();
            }
            for callee in list {
                if let Some(callers_of) = callers.get_mut(*callee) {
                    callers_of.push(node);
                }
            }
        }
        let mut ready: Vec<usize> = (0..nodes)
            .filter(|node| pending.get(*node) == Some(&0))
            .collect();
        let mut stack: Vec<u64> = vec![0; nodes];
        let mut done = 0usize;
        while let Some(node) = ready.pop() {
            done += 1;
            let deepest_callee = callees
                .get(node)
                .into_iter()
                .flatten()
                .filter_map(|callee| stack.get(*callee).copied())
                .max()
                .unwrap_or(0);
            let own = frames.get(node).copied().unwrap_or(0);
            if let Some(slot) = stack.get_mut(node) {
                *slot = own.saturating_add(deepest_callee);
            }
            for caller in callers.get(node).into_iter().flatten() {
                if let Some(count) = pending.get_mut(*caller) {
                    *count -= 1;
                    if *count == 0 {
                        ready.push(*caller);
                    }
                }
            }
        }
        if done < nodes {
            return Err(ValidationError::new(
                self.describe_cycle(&callees, &pending, defined),
            ));
        }
        let deepest = stack.iter().copied().max().unwrap_or(0);
        if deepest > MAX_STACK_ESTIMATE {
            return Err(ValidationError::new(format!(
                "the deepest chain of calls needs about {deepest} bytes of stack (at most {MAX_STACK_ESTIMATE})"
            )));
        }
        Ok(deepest)
    }

    /// Names one cycle among the nodes Kahn's algorithm could not finish: each of them
    /// still has an unfinished callee, so following those must come back round.
    fn describe_cycle(&self, callees: &[Vec<usize>], pending: &[usize], defined: usize) -> String {
        let unfinished = |node: usize| pending.get(node).is_some_and(|count| *count > 0);
        let Some(start) = (0..pending.len()).find(|node| unfinished(*node)) else {
            return "the call graph has a cycle".into();
        };
        let mut path = vec![start];
        let mut seen = BTreeMap::from([(start, 0usize)]);
        let mut node = start;
        let cycle_start = loop {
            let Some(next) = callees
                .get(node)
                .into_iter()
                .flatten()
                .copied()
                .find(|callee| unfinished(*callee))
            else {
                break 0;
            };
            if let Some(position) = seen.get(&next) {
                path.push(next);
                break *position;
            }
            seen.insert(next, path.len());
            path.push(next);
            node = next;
        };
        let cycle = path.get(cycle_start..).unwrap_or_default();
        let describe = |node: &usize| {
            if *node < defined {
                let index = self.imports + *node as u32;
                match self
                    .exports
                    .iter()
                    .find(|(_, kind, i)| *kind == ExternalKind::Func && *i == index)
                {
                    Some((name, ..)) => format!("function {index} (`{name}`)"),
                    None => format!("function {index}"),
                }
            } else {
                "call_indirect".to_owned()
            }
        };
        if cycle.len() == 2
            && let Some(first) = cycle.first()
        {
            return format!("recursion is not allowed: {} calls itself", describe(first));
        }
        let names: Vec<String> = cycle.iter().map(describe).collect();
        format!(
            "recursion is not allowed: the calls {} form a cycle",
            names.join(" → ")
        )
    }
}

/// The ABI section's own consistency: every type id exists, states and entries have
/// sensible types, names are unique.
fn check_abi(abi: &ContractAbi, types: &[Type]) -> Result<(), ValidationError> {
    let type_of = |id: u32, what: &str| -> Result<&Type, ValidationError> {
        types.get(id as usize).ok_or_else(|| {
            ValidationError::new(format!("{what} refers to type {id}, which does not exist"))
        })
    };
    let mut names = BTreeSet::new();
    let mut inits = 0;
    for entry in &abi.entries {
        if !names.insert(entry.name.as_str()) {
            return Err(ValidationError::new(format!(
                "the ABI lists entry point `{}` twice",
                entry.name
            )));
        }
        for param in &entry.params {
            type_of(
                param.ty,
                &format!("parameter `{}` of `{}`", param.name, entry.name),
            )?;
        }
        let returns = entry
            .returns
            .map(|id| type_of(id, &format!("the result of `{}`", entry.name)))
            .transpose()?;
        match entry.kind {
            EntryKind::Init => inits += 1,
            EntryKind::Policy if returns != Some(&Type::Decision) => {
                return Err(ValidationError::new(format!(
                    "policy `{}` must return a Decision",
                    entry.name
                )));
            }
            EntryKind::View | EntryKind::Policy if returns.is_none() => {
                return Err(ValidationError::new(format!(
                    "view `{}` must return a value",
                    entry.name
                )));
            }
            _ => {}
        }
    }
    if inits > 1 {
        return Err(ValidationError::new("the ABI lists more than one `init`"));
    }
    for state in &abi.states {
        let ty = type_of(state.ty, &format!("state `{}`", state.name))?;
        let collection = matches!(ty, Type::Map(..) | Type::Set(..));
        if state.persistent != collection {
            return Err(ValidationError::new(format!(
                "state `{}` must be persistent exactly when it is a Map or a Set",
                state.name
            )));
        }
        if state.iterated && !state.persistent {
            return Err(ValidationError::new(format!(
                "state `{}` is iterated but not a persistent Map or Set",
                state.name
            )));
        }
    }
    for event in &abi.events {
        for field in &event.fields {
            type_of(
                field.ty,
                &format!("field `{}` of event `{}`", field.name, event.name),
            )?;
        }
        if event.fields.iter().filter(|field| field.indexed).count() > 3 {
            return Err(ValidationError::new(format!(
                "event `{}` has more than 3 indexed fields",
                event.name
            )));
        }
    }
    for interface in &abi.interfaces {
        for entry in &interface.entries {
            for param in &entry.params {
                type_of(
                    param.ty,
                    &format!(
                        "parameter `{}` of `{}.{}`",
                        param.name, interface.contract, entry.name
                    ),
                )?;
            }
            if let Some(id) = entry.returns {
                type_of(
                    id,
                    &format!("the result of `{}.{}`", interface.contract, entry.name),
                )?;
            }
        }
    }
    // Every enum variant's `end` must be consistent, or `in` would misbehave.
    for (index, desc) in abi.types.iter().enumerate() {
        if let TypeDesc::Enum { name, variants, .. } = desc {
            for (ordinal, variant) in variants.iter().enumerate() {
                let end = variant.end as usize;
                if end <= ordinal || end > variants.len() {
                    return Err(ValidationError::new(format!(
                        "type {index}: variant `{}` of enum `{name}` has an invalid `end`",
                        variant.name
                    )));
                }
            }
        }
    }
    Ok(())
}
