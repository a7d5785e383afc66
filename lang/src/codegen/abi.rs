//! The [`ContractAbi`] a module carries in its `assent.abi` section.

use assent_stdlib::abi::{
    ABI_VERSION, ContractAbi, EntryAbi, EntryKind, EventAbi, FieldAbi, InterfaceAbi, StateAbi,
};

use super::CodegenError;
use super::types::TypeTable;
use crate::typed::{Contract, FunctionKind, Param, Ty};

/// The export name of an entry point. The prefix keeps entries apart from `memory`.
pub fn export_name(name: &str) -> String {
    format!("entry.{name}")
}

pub fn build(
    contract: &Contract,
    types: &mut TypeTable<'_>,
    source_hash: [u8; 32],
    synthetic_init: bool,
) -> Result<ContractAbi, CodegenError> {
    let mut entries = Vec::new();
    if synthetic_init {
        entries.push(EntryAbi {
            name: "init".to_string(),
            kind: EntryKind::Init,
            export: export_name("init"),
            params: Vec::new(),
            returns: None,
            doc: None,
        });
    }
    for function in contract.functions.iter().filter(|f| f.exported) {
        let Some(kind) = entry_kind(function.kind) else {
            continue;
        };
        entries.push(entry(
            types,
            &function.name,
            kind,
            &function.params,
            &function.ret,
            function.doc.clone(),
        ));
    }
    let states = contract
        .states
        .iter()
        .map(|state| StateAbi {
            name: state.name.clone(),
            ty: types.id(&state.ty),
            persistent: state.persistent,
            iterated: state.iterated,
            doc: state.doc.clone(),
        })
        .collect();
    let events = contract
        .events
        .iter()
        .map(|event| EventAbi {
            name: event.name.clone(),
            fields: event
                .fields
                .iter()
                .map(|f| FieldAbi {
                    name: f.name.clone(),
                    ty: types.id(&f.ty),
                    indexed: f.indexed,
                    doc: f.doc.clone(),
                })
                .collect(),
            doc: event.doc.clone(),
        })
        .collect();
    let interfaces = contract
        .interfaces
        .iter()
        .map(|interface| InterfaceAbi {
            contract: interface.contract.clone(),
            entries: interface
                .entries
                .iter()
                .filter_map(|e| {
                    let kind = entry_kind(e.kind)?;
                    Some(entry(types, &e.name, kind, &e.params, &e.ret, None))
                })
                .collect(),
        })
        .collect();
    let hex: String = source_hash.iter().map(|b| format!("{b:02x}")).collect();
    Ok(ContractAbi {
        abi_version: ABI_VERSION,
        contract: contract.name.clone(),
        source_hash: format!("0x{hex}"),
        doc: contract.doc.clone(),
        types: types.descs().to_vec(),
        entries,
        states,
        events,
        interfaces,
    })
}

fn entry_kind(kind: FunctionKind) -> Option<EntryKind> {
    match kind {
        FunctionKind::Init => Some(EntryKind::Init),
        FunctionKind::Action => Some(EntryKind::Action),
        FunctionKind::View => Some(EntryKind::View),
        FunctionKind::Policy => Some(EntryKind::Policy),
        FunctionKind::Fn | FunctionKind::Property => None,
    }
}

fn entry(
    types: &mut TypeTable<'_>,
    name: &str,
    kind: EntryKind,
    params: &[Param],
    ret: &Ty,
    doc: Option<String>,
) -> EntryAbi {
    EntryAbi {
        name: name.to_string(),
        kind,
        export: export_name(name),
        params: params
            .iter()
            .map(|p| FieldAbi {
                name: p.name.clone(),
                ty: types.id(&p.ty),
                indexed: false,
                doc: None,
            })
            .collect(),
        returns: match ret {
            Ty::Unit | Ty::Never => None,
            other => Some(types.id(other)),
        },
        doc,
    }
}
