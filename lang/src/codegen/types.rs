//! The ABI's type table: every type a module refers to, by id.

use std::collections::BTreeMap;

use assent_stdlib::abi::{FieldAbi, TypeDesc, VariantAbi};

use crate::typed::{Contract, Ty};

/// Interns [`Ty`]s as [`TypeDesc`]s; the index of a type is its type id, used by host
/// calls (`record_new`, `opt_none`, `coll_new`, …) and throughout the ABI.
pub struct TypeTable<'c> {
    contract: &'c Contract,
    ids: BTreeMap<Ty, u32>,
    descs: Vec<TypeDesc>,
}

impl<'c> TypeTable<'c> {
    pub fn new(contract: &'c Contract) -> TypeTable<'c> {
        TypeTable {
            contract,
            ids: BTreeMap::new(),
            descs: Vec::new(),
        }
    }

    /// The id of `ty`, adding it (and the types inside it) on first use.
    pub fn id(&mut self, ty: &Ty) -> u32 {
        if let Some(id) = self.ids.get(ty) {
            return *id;
        }
        let desc = match ty {
            Ty::Bool => TypeDesc::Bool,
            Ty::Int => TypeDesc::Int,
            Ty::Money => TypeDesc::Money,
            Ty::Percent => TypeDesc::Percent,
            Ty::Time => TypeDesc::Time,
            Ty::Duration => TypeDesc::Duration,
            Ty::Address => TypeDesc::Address,
            Ty::Hash => TypeDesc::Hash,
            Ty::Bytes => TypeDesc::Bytes,
            // Unit, Never and Error never reach code generation; String is a safe stand-in.
            Ty::String | Ty::Unit | Ty::Never | Ty::Error => TypeDesc::String,
            Ty::Decision => TypeDesc::Decision,
            Ty::Enum(id) => {
                let def = self.contract.enum_def(*id);
                // INVARIANT: a checked contract defines every type it uses.
                debug_assert!(def.is_some(), "an enum the contract does not define");
                TypeDesc::Enum {
                    name: def.map_or_else(String::new, |d| d.name.clone()),
                    variants: def
                        .map(|d| {
                            d.variants
                                .iter()
                                .map(|v| VariantAbi {
                                    name: v.name.clone(),
                                    parent: v.parent,
                                    end: v.end,
                                    doc: v.doc.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    doc: def.and_then(|d| d.doc.clone()),
                }
            }
            Ty::Record(id) => {
                let def = self.contract.record_def(*id);
                debug_assert!(def.is_some(), "a record the contract does not define");
                let name = def.map_or_else(String::new, |d| d.name.clone());
                let doc = def.and_then(|d| d.doc.clone());
                let fields = def.map(|d| d.fields.clone()).unwrap_or_default();
                let fields = fields
                    .iter()
                    .map(|f| FieldAbi {
                        name: f.name.clone(),
                        ty: self.id(&f.ty),
                        indexed: false,
                        doc: f.doc.clone(),
                    })
                    .collect();
                TypeDesc::Record { name, fields, doc }
            }
            Ty::Option(t) => TypeDesc::Option { of: self.id(t) },
            Ty::List(t) => TypeDesc::List { of: self.id(t) },
            Ty::Set(t) => TypeDesc::Set { of: self.id(t) },
            Ty::Map(k, v) => TypeDesc::Map {
                key: self.id(k),
                value: self.id(v),
            },
            Ty::Tuple(items) => TypeDesc::Tuple {
                of: items.iter().map(|t| self.id(t)).collect(),
            },
        };
        // Inner types were interned first; a recursive record cannot exist (E0114).
        if let Some(id) = self.ids.get(ty) {
            return *id;
        }
        let id = self.descs.len() as u32;
        self.ids.insert(ty.clone(), id);
        self.descs.push(desc);
        id
    }

    pub fn descs(&self) -> &[TypeDesc] {
        &self.descs
    }
}
