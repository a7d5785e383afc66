//! Declarations: names in module scope, enum variants, record and event fields, the
//! types of constants and state, function signatures, constant values.

use std::collections::BTreeMap;

use super::consteval;
use super::program::{
    ConstInfo, ConstValue, Decl, EnumInfo, EventInfo, FnInfo, ModuleId, ModuleKind, ParamSig,
    Program, RecordInfo, ScopeEntry, StateInfo,
};
use super::types::{self, BUILTIN_TYPES, MAX_DEPTH};
use crate::diagnostics::{effect_errors, name_errors, policy_errors, syntax_errors};
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, Ident, ItemKind};
use crate::typed::{
    self, ConstId, EnumId, EventId, FunctionId, FunctionKind, RecordId, StateId, Ty,
};

/// Gives every item of `module` an id and a name in its scope.
pub(super) fn declare(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let ast = m.ast.clone();
    let file = m.file;
    let module_name = m.name.clone();
    for (index, item) in ast.items.iter().enumerate() {
        match &item.kind {
            ItemKind::Import(_) => {}
            ItemKind::Const(c) => {
                let id = ConstId(count(program.consts.len()));
                program.consts.push(ConstInfo {
                    name: c.name.name.clone(),
                    ty: Ty::Error,
                    file,
                    span: c.name.span,
                    module,
                    item: index,
                    value: ConstValue::Pending,
                });
                set_item_decl(program, module, index, Decl::Const(id));
                define(program, module, &c.name, Decl::Const(id));
            }
            ItemKind::Enum(e) => {
                let id = EnumId(count(program.enums.len()));
                let variants = flatten_variants(program, file, e);
                program.enums.push(EnumInfo {
                    def: typed::EnumDef {
                        name: e.name.name.clone(),
                        doc: item.doc.clone(),
                        module: module_name.clone(),
                        variants,
                    },
                    file,
                    span: e.name.span,
                });
                check_type_name(program, file, &e.name);
                set_item_decl(program, module, index, Decl::Enum(id));
                define(program, module, &e.name, Decl::Enum(id));
            }
            ItemKind::Record(r) => {
                let id = RecordId(count(program.records.len()));
                program.records.push(RecordInfo {
                    def: typed::RecordDef {
                        name: r.name.name.clone(),
                        doc: item.doc.clone(),
                        module: module_name.clone(),
                        fields: Vec::new(),
                    },
                    file,
                    span: r.name.span,
                    module,
                });
                check_type_name(program, file, &r.name);
                set_item_decl(program, module, index, Decl::Record(id));
                define(program, module, &r.name, Decl::Record(id));
            }
            ItemKind::Event(e) => {
                let id = EventId(count(program.events.len()));
                program.events.push(EventInfo {
                    def: typed::EventDef {
                        name: e.name.name.clone(),
                        doc: item.doc.clone(),
                        module: module_name.clone(),
                        fields: Vec::new(),
                    },
                    file,
                    span: e.name.span,
                });
                set_item_decl(program, module, index, Decl::Event(id));
                define(program, module, &e.name, Decl::Event(id));
            }
            ItemKind::State(s) => {
                let Some(m) = program.modules.get_mut(module) else {
                    return;
                };
                let id = StateId(count(m.states.len()));
                m.states.push(StateInfo {
                    name: s.name.name.clone(),
                    doc: item.doc.clone(),
                    ty: Ty::Error,
                    span: s.name.span,
                    persistent: false,
                    iterated: false,
                    has_init: s.init.is_some(),
                    init: None,
                });
                set_item_decl(program, module, index, Decl::State(module, id));
                define(program, module, &s.name, Decl::State(module, id));
            }
            ItemKind::Function(f) => {
                let kind = match f.kind {
                    ast::FunctionKind::Init => FunctionKind::Init,
                    ast::FunctionKind::Action => FunctionKind::Action,
                    ast::FunctionKind::View => FunctionKind::View,
                    ast::FunctionKind::Fn => FunctionKind::Fn,
                    ast::FunctionKind::Property => FunctionKind::Property,
                };
                let id = new_function(program, module, file, index, &f.name, kind, &item.doc);
                if kind == FunctionKind::Init {
                    declare_init(program, module, file, f.keyword, id);
                } else {
                    define(program, module, &f.name, Decl::Function(id));
                }
            }
            ItemKind::Policy(p) => {
                let id = new_function(
                    program,
                    module,
                    file,
                    index,
                    &p.name,
                    FunctionKind::Policy,
                    &item.doc,
                );
                define(program, module, &p.name, Decl::Function(id));
            }
        }
    }
}

fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn new_function(
    program: &mut Program,
    module: ModuleId,
    file: FileId,
    item: usize,
    name: &Ident,
    kind: FunctionKind,
    doc: &Option<String>,
) -> FunctionId {
    let id = FunctionId(count(program.functions.len()));
    program.functions.push(FnInfo {
        name: name.name.clone(),
        kind,
        doc: doc.clone(),
        file,
        module,
        name_span: name.span,
        item,
        params: Vec::new(),
        ret: Ty::Unit,
        ret_span: None,
        body: None,
        locals: Vec::new(),
        calls: Vec::new(),
    });
    if let Some(m) = program.modules.get_mut(module) {
        m.functions.push(id);
    }
    set_item_decl(program, module, item, Decl::Function(id));
    id
}

/// Remembers which declaration item `index` of the module made.
fn set_item_decl(program: &mut Program, module: ModuleId, index: usize, decl: Decl) {
    if let Some(m) = program.modules.get_mut(module) {
        if m.item_decls.len() <= index {
            m.item_decls.resize(index + 1, None);
        }
        if let Some(slot) = m.item_decls.get_mut(index) {
            *slot = Some(decl);
        }
    }
}

fn declare_init(
    program: &mut Program,
    module: ModuleId,
    file: FileId,
    keyword: Span,
    id: FunctionId,
) {
    let previous = program.module(module).and_then(|m| m.init);
    match previous.and_then(|p| program.function(p)) {
        Some(first) => {
            let first_span = first.name_span;
            program.report(effect_errors::duplicate_init(file, keyword, first_span));
        }
        None => {
            if let Some(m) = program.modules.get_mut(module) {
                m.init = Some(id);
            }
        }
    }
}

/// Adds `name` to the module's own declarations; E0102 when it is already there.
fn define(program: &mut Program, module: ModuleId, name: &Ident, decl: Decl) {
    let file = program.file_of(module);
    let existing = program
        .module(module)
        .and_then(|m| m.decls.get(&name.name))
        .copied();
    if let Some(first) = existing {
        let first = program.decl_site(first);
        program.report(name_errors::defined_twice(
            file, name.span, &name.name, first,
        ));
        return;
    }
    if let Some(m) = program.modules.get_mut(module) {
        m.decls.insert(name.name.clone(), decl);
    }
}

fn check_type_name(program: &mut Program, file: FileId, name: &Ident) {
    if BUILTIN_TYPES.iter().any(|(n, _)| *n == name.name) {
        program.report(name_errors::builtin_type_name(file, name.span, &name.name));
    }
}

/// Variants in depth-first declaration order, each with its parent and subtree end.
fn flatten_variants(
    program: &mut Program,
    file: FileId,
    e: &ast::EnumDecl,
) -> Vec<typed::VariantDef> {
    let mut out: Vec<typed::VariantDef> = Vec::new();
    let mut spans: BTreeMap<String, Span> = BTreeMap::new();
    // (variant, parent ordinal); children are pushed in reverse so they pop in order.
    let mut stack: Vec<(&ast::Variant, Option<u32>, u32)> =
        e.variants.iter().rev().map(|v| (v, None, 0)).collect();
    // Ordinals whose subtree is still open, with their depth.
    let mut open: Vec<(u32, u32)> = Vec::new();
    while let Some((variant, parent, depth)) = stack.pop() {
        let ordinal = count(out.len());
        // Close every open variant that is not an ancestor of this one.
        while let Some(&(open_ordinal, open_depth)) = open.last() {
            if open_depth >= depth {
                if let Some(v) = out.get_mut(open_ordinal as usize) {
                    v.end = ordinal;
                }
                open.pop();
            } else {
                break;
            }
        }
        if depth > MAX_DEPTH {
            program.report(syntax_errors::variants_too_deep(
                file,
                variant.span,
                MAX_DEPTH,
            ));
            continue;
        }
        if let Some(first) = spans.get(&variant.name.name) {
            program.report(name_errors::variant_defined_twice(
                file,
                variant.name.span,
                &variant.name.name,
                &e.name.name,
                *first,
            ));
        } else {
            spans.insert(variant.name.name.clone(), variant.name.span);
        }
        out.push(typed::VariantDef {
            name: variant.name.name.clone(),
            doc: variant.doc.clone(),
            parent,
            end: ordinal + 1,
        });
        open.push((ordinal, depth));
        for child in variant.children.iter().rev() {
            stack.push((child, Some(ordinal), depth + 1));
        }
    }
    let end = count(out.len());
    for (open_ordinal, _) in open {
        if let Some(v) = out.get_mut(open_ordinal as usize) {
            v.end = end;
        }
    }
    out
}

/// Brings imported names into the module's scope. Own declarations shadow imported
/// ones; two imports of different declarations under one name make it ambiguous.
pub(super) fn build_scope(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let mut scope: BTreeMap<String, ScopeEntry> = m
        .decls
        .iter()
        .map(|(name, decl)| (name.clone(), ScopeEntry::One(*decl)))
        .collect();
    let own = m.decls.clone();
    for (imported, _) in m.imports.clone() {
        let Some(source) = program.module(imported) else {
            continue;
        };
        let mut names: Vec<(String, Decl)> = match source.kind {
            ModuleKind::Std => source.decls.iter().map(|(n, d)| (n.clone(), *d)).collect(),
            ModuleKind::File | ModuleKind::Root => source
                .decls
                .iter()
                .filter(|(_, d)| matches!(d, Decl::Enum(_) | Decl::Record(_) | Decl::Event(_)))
                .map(|(n, d)| (n.clone(), *d))
                .collect(),
        };
        if source.kind != ModuleKind::Std
            && let Some(contract) = &source.contract
        {
            names.push((contract.name.clone(), Decl::Interface(imported)));
        }
        for (name, decl) in names {
            if own.contains_key(&name) {
                continue;
            }
            match scope.get_mut(&name) {
                None => {
                    scope.insert(name, ScopeEntry::One(decl));
                }
                Some(ScopeEntry::One(existing)) => {
                    if *existing != decl {
                        let first = *existing;
                        scope.insert(name, ScopeEntry::Ambiguous(vec![first, decl]));
                    }
                }
                Some(ScopeEntry::Ambiguous(decls)) => {
                    if !decls.contains(&decl) {
                        decls.push(decl);
                    }
                }
            }
        }
    }
    if let Some(m) = program.modules.get_mut(module) {
        m.scope = scope;
    }
}

/// Resolves the types of every declaration of `module`, function signatures, and the
/// values of constants and state initialisers.
pub(super) fn resolve(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let ast = m.ast.clone();
    let file = m.file;
    let item_decls = m.item_decls.clone();
    let decl_at = |index: usize| item_decls.get(index).copied().flatten();
    for (index, item) in ast.items.iter().enumerate() {
        match (&item.kind, decl_at(index)) {
            (ItemKind::Record(r), Some(Decl::Record(id))) => {
                let fields = resolve_fields(program, module, file, &r.fields, false);
                if let Some(info) = program.records.get_mut(id.index()) {
                    info.def.fields = fields;
                }
            }
            (ItemKind::Event(e), Some(Decl::Event(id))) => {
                let fields = resolve_fields(program, module, file, &e.fields, true);
                check_indexed_count(program, file, e);
                if let Some(info) = program.events.get_mut(id.index()) {
                    info.def.fields = fields;
                }
            }
            _ => {}
        }
    }
    check_record_cycles(program, module);
    for (index, item) in ast.items.iter().enumerate() {
        match (&item.kind, decl_at(index)) {
            (ItemKind::Const(c), Some(Decl::Const(id))) => {
                let ty = types::resolve(program, module, &c.ty);
                if let Some(info) = program.consts.get_mut(id.index()) {
                    info.ty = ty;
                }
            }
            (ItemKind::State(s), Some(Decl::State(_, id))) => {
                let ty = types::resolve(program, module, &s.ty);
                let persistent = matches!(ty, Ty::Map(..) | Ty::Set(_));
                if let Some(state) = program
                    .modules
                    .get_mut(module)
                    .and_then(|m| m.states.get_mut(id.index()))
                {
                    state.ty = ty;
                    state.persistent = persistent;
                }
            }
            (ItemKind::Function(f), Some(Decl::Function(id))) => {
                let params = resolve_params(program, module, file, &f.params);
                let ret = f
                    .ret
                    .as_ref()
                    .map_or(Ty::Unit, |ty| types::resolve(program, module, ty));
                if let Some(info) = program.functions.get_mut(id.index()) {
                    info.params = params;
                    info.ret = ret;
                    info.ret_span = f.ret.as_ref().map(|t| t.span);
                }
            }
            (ItemKind::Policy(p), Some(Decl::Function(id))) => {
                let params = resolve_params(program, module, file, &p.params);
                if let Some(info) = program.functions.get_mut(id.index()) {
                    info.params = params;
                    info.ret = Ty::Decision;
                }
            }
            _ => {}
        }
    }
    // Constants, then state initialisers (which may use constants).
    for index in 0..ast.items.len() {
        if let Some(Decl::Const(id)) = decl_at(index) {
            consteval::ensure(program, id, 0);
        }
    }
    for (index, item) in ast.items.iter().enumerate() {
        if let (ItemKind::State(s), Some(Decl::State(_, id))) = (&item.kind, decl_at(index))
            && let Some(init) = &s.init
        {
            let Some(ty) = program.state(module, id).map(|s| s.ty.clone()) else {
                continue;
            };
            let value = consteval::evaluate(program, module, init, &ty);
            if let Some(state) = program
                .modules
                .get_mut(module)
                .and_then(|m| m.states.get_mut(id.index()))
            {
                state.init = value;
            }
        }
    }
}

fn resolve_params(
    program: &mut Program,
    module: ModuleId,
    file: FileId,
    params: &[ast::Param],
) -> Vec<ParamSig> {
    let mut out: Vec<ParamSig> = Vec::new();
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for param in params {
        let ty = types::resolve(program, module, &param.ty);
        if let Some(&first_span) = seen.get(param.name.name.as_str()) {
            program.report(name_errors::parameter_defined_twice(
                file,
                param.name.span,
                &param.name.name,
                first_span,
            ));
        }
        seen.entry(&param.name.name).or_insert(param.name.span);
        out.push(ParamSig {
            name: param.name.name.clone(),
            ty,
        });
    }
    out
}

fn resolve_fields(
    program: &mut Program,
    module: ModuleId,
    file: FileId,
    fields: &[ast::FieldDecl],
    event: bool,
) -> Vec<typed::FieldDef> {
    let mut out: Vec<typed::FieldDef> = Vec::new();
    let mut spans: BTreeMap<&str, Span> = BTreeMap::new();
    for field in fields {
        if let (Some(indexed), false) = (field.indexed, event) {
            program.report(policy_errors::indexed_in_record(file, indexed));
        }
        let ty = types::resolve(program, module, &field.ty);
        if let Some(first) = spans.get(field.name.name.as_str()) {
            program.report(name_errors::field_declared_twice(
                file,
                field.name.span,
                &field.name.name,
                *first,
            ));
            continue;
        }
        spans.insert(&field.name.name, field.name.span);
        out.push(typed::FieldDef {
            name: field.name.name.clone(),
            ty,
            doc: field.doc.clone(),
            indexed: event && field.indexed.is_some(),
        });
    }
    out
}

fn check_indexed_count(program: &mut Program, file: FileId, event: &ast::EventDecl) {
    let indexed: Vec<Span> = event.fields.iter().filter_map(|f| f.indexed).collect();
    if indexed.len() <= 3 {
        return;
    }
    program.report(policy_errors::too_many_indexed(
        file,
        event.name.span,
        &event.name.name,
        &indexed,
    ));
}

/// A record that contains itself (through fields, options, collections or other
/// records) has no finite layout for the ABI: E0114.
fn check_record_cycles(program: &mut Program, module: ModuleId) {
    let ids: Vec<RecordId> = (0..program.records.len())
        .filter(|&i| program.records.get(i).is_some_and(|r| r.module == module))
        .map(|i| RecordId(count(i)))
        .collect();
    for id in ids {
        // Depth-first over the records reachable from `id`, with an explicit stack.
        let mut seen: Vec<RecordId> = Vec::new();
        let mut stack: Vec<RecordId> = direct_records(program, id);
        let mut found = false;
        while let Some(next) = stack.pop() {
            if next == id {
                found = true;
                break;
            }
            if seen.contains(&next) {
                continue;
            }
            seen.push(next);
            stack.extend(direct_records(program, next));
        }
        if found && let Some(info) = program.record_info(id) {
            let (file, span, name) = (info.file, info.span, info.def.name.clone());
            program.report(name_errors::recursive_record(file, span, &name));
            // Break the cycle so later passes terminate on this type.
            if let Some(info) = program.records.get_mut(id.index()) {
                for field in &mut info.def.fields {
                    if mentions_record(&field.ty) {
                        field.ty = Ty::Error;
                    }
                }
            }
        }
    }
}

fn direct_records(program: &Program, id: RecordId) -> Vec<RecordId> {
    let mut out = Vec::new();
    if let Some(info) = program.record_info(id) {
        for field in &info.def.fields {
            collect_records(&field.ty, &mut out);
        }
    }
    out
}

fn collect_records(ty: &Ty, out: &mut Vec<RecordId>) {
    match ty {
        Ty::Record(id) => out.push(*id),
        Ty::Option(t) | Ty::List(t) | Ty::Set(t) => collect_records(t, out),
        Ty::Map(k, v) => {
            collect_records(k, out);
            collect_records(v, out);
        }
        Ty::Tuple(items) => items.iter().for_each(|t| collect_records(t, out)),
        _ => {}
    }
}

/// Whether a record type occurs in `ty` (cycles are broken at such fields).
fn mentions_record(ty: &Ty) -> bool {
    let mut out = Vec::new();
    collect_records(ty, &mut out);
    !out.is_empty()
}
