//! A module's type table as the host uses it: the ABI's `types`, resolved, plus the few
//! types the host hands out itself (the `String` of a `Decision`'s rule, the `Address` of
//! `caller`, `V?` of a map lookup, the `(K, V)` entry of a map, …), appended after the
//! module's own.

use std::collections::BTreeMap;
use std::sync::Arc;

use assent_stdlib::value::{Type, Value};

/// An index into a [`TypeTable`]: below the ABI's type count, the module's own ids.
pub(crate) type TypeId = u32;

/// What an `i64` of a given type is at the boundary (see `assent_stdlib::abi`).
pub(crate) use assent_stdlib::abi::Repr;

#[derive(Debug)]
pub(crate) struct TypeTable {
    types: Vec<Type>,
    /// The first id of a structurally equal type, so handles of equal types compare by id.
    canonical: Vec<TypeId>,
    by_type: BTreeMap<Type, TypeId>,
    /// `T?` for `T`, and the `(K, V)` entry tuple of a map, where a map or state needs it.
    option_of: BTreeMap<TypeId, TypeId>,
    entry_of: BTreeMap<TypeId, TypeId>,
    /// The ids of each type's components: record fields, tuple items, `Decision`'s
    /// `(Bool, String)`, the element of an option, list or set, a map's key and value.
    children: Vec<Vec<TypeId>>,
    pub(crate) builtin: Builtins,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Builtins {
    pub(crate) string: TypeId,
    pub(crate) bytes: TypeId,
    pub(crate) address: TypeId,
    pub(crate) hash: TypeId,
    pub(crate) option_address: TypeId,
}

impl TypeTable {
    /// The table of a module whose ABI types resolved to `types`.
    pub(crate) fn new(types: Vec<Type>) -> Arc<TypeTable> {
        let mut table = TypeTable {
            canonical: Vec::with_capacity(types.len()),
            types: Vec::with_capacity(types.len()),
            by_type: BTreeMap::new(),
            option_of: BTreeMap::new(),
            entry_of: BTreeMap::new(),
            children: Vec::new(),
            builtin: Builtins {
                string: 0,
                bytes: 0,
                address: 0,
                hash: 0,
                option_address: 0,
            },
        };
        for ty in types {
            table.push(ty);
        }
        // `Decision`'s components.
        table.intern(Type::Bool);
        let string = table.intern(Type::String);
        table.builtin = Builtins {
            string,
            bytes: table.intern(Type::Bytes),
            address: table.intern(Type::Address),
            hash: table.intern(Type::Hash),
            option_address: table.intern(Type::Option(Box::new(Type::Address))),
        };
        table
            .option_of
            .insert(table.builtin.address, table.builtin.option_address);
        // Every map needs `V?` (`get`) and `(K, V)` (`coll_at`); both only refer to types
        // already in the table, so this one pass is enough.
        let maps: Vec<(TypeId, Type, Type)> = table
            .types
            .iter()
            .enumerate()
            .filter_map(|(id, ty)| match ty {
                Type::Map(key, value) => Some((id as TypeId, (**key).clone(), (**value).clone())),
                _ => None,
            })
            .collect();
        for (map, key, value) in maps {
            let value_id = table.intern(value.clone());
            let option = table.intern(Type::Option(Box::new(value.clone())));
            table.option_of.insert(value_id, option);
            let entry = table.intern(Type::Tuple(vec![key, value]));
            table.entry_of.insert(map, entry);
        }
        // `T?` for every type that already has its option in the table.
        let options: Vec<(TypeId, TypeId)> = table
            .types
            .iter()
            .enumerate()
            .filter_map(|(id, ty)| match ty {
                Type::Option(inner) => table
                    .by_type
                    .get(&**inner)
                    .map(|inner_id| (*inner_id, id as TypeId)),
                _ => None,
            })
            .collect();
        for (inner, option) in options {
            table.option_of.entry(inner).or_insert(option);
        }
        // Every component of every type is in the table by now: the module's types refer
        // to earlier ones, `Decision` to the builtins, derived types to existing ones.
        let children: Vec<Vec<TypeId>> = table
            .types
            .iter()
            .map(|ty| {
                let parts: Vec<&Type> = match ty {
                    Type::Record(record) => record.fields.iter().map(|(_, ty)| ty).collect(),
                    Type::Tuple(items) => items.iter().collect(),
                    Type::Decision => vec![&Type::Bool, &Type::String],
                    Type::Option(inner) | Type::List(inner) | Type::Set(inner) => vec![&**inner],
                    Type::Map(key, value) => vec![&**key, &**value],
                    _ => vec![],
                };
                parts
                    .into_iter()
                    .map(|part| table.find(part).unwrap_or(TypeId::MAX))
                    .collect()
            })
            .collect();
        table.children = children;
        Arc::new(table)
    }

    fn push(&mut self, ty: Type) -> TypeId {
        let id = self.types.len() as TypeId;
        let canonical = *self.by_type.entry(ty.clone()).or_insert(id);
        self.canonical.push(canonical);
        self.types.push(ty);
        id
    }

    fn intern(&mut self, ty: Type) -> TypeId {
        match self.by_type.get(&ty) {
            Some(id) => *id,
            None => self.push(ty),
        }
    }

    pub(crate) fn get(&self, id: TypeId) -> Option<&Type> {
        self.types.get(id as usize)
    }

    /// Whether values of `a` may stand where `b` is expected (the same type).
    pub(crate) fn same(&self, a: TypeId, b: TypeId) -> bool {
        a == b
            || matches!(
                (self.canonical.get(a as usize), self.canonical.get(b as usize)),
                (Some(x), Some(y)) if x == y
            )
    }

    /// The id of an existing type equal to `ty` (for values arriving from another
    /// contract, whose ids mean nothing here).
    pub(crate) fn find(&self, ty: &Type) -> Option<TypeId> {
        self.by_type.get(ty).copied()
    }

    /// The ids of the components of `id` (empty for a scalar, string, bytes, …).
    pub(crate) fn children(&self, id: TypeId) -> &[TypeId] {
        self.children
            .get(id as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Component `index` of type `id`.
    pub(crate) fn child(&self, id: TypeId, index: usize) -> Option<TypeId> {
        self.children(id).get(index).copied()
    }

    pub(crate) fn option_of(&self, id: TypeId) -> Option<TypeId> {
        self.option_of
            .get(&id)
            .or_else(|| {
                self.canonical
                    .get(id as usize)
                    .and_then(|canonical| self.option_of.get(canonical))
            })
            .copied()
    }

    pub(crate) fn entry_of(&self, map: TypeId) -> Option<TypeId> {
        self.entry_of
            .get(&map)
            .or_else(|| {
                self.canonical
                    .get(map as usize)
                    .and_then(|canonical| self.entry_of.get(canonical))
            })
            .copied()
    }
}

pub(crate) fn repr_of(ty: &Type) -> Repr {
    ty.kind().repr()
}

/// The scalar value of type `ty` that `bits` stands for; `Err` with the reason when the
/// bits are not a value of the type (a Bool other than 0 or 1, an unknown variant).
pub(crate) fn scalar_value(ty: &Type, bits: i64) -> Result<Value, String> {
    Ok(match ty {
        Type::Bool => match bits {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            _ => return Err(format!("{bits} is not a Bool (0 or 1)")),
        },
        Type::Int => Value::Int(bits),
        Type::Money => Value::Money(bits),
        Type::Percent => Value::Percent(bits),
        Type::Time => Value::Time(bits),
        Type::Duration => Value::Duration(bits),
        Type::Enum(enumeration) => match u32::try_from(bits) {
            Ok(ordinal) if (ordinal as usize) < enumeration.variants.len() => Value::Enum(ordinal),
            _ => return Err(format!("{bits} is not a variant of `{}`", enumeration.name)),
        },
        other => return Err(format!("`{}` is not passed as a number", other.display())),
    })
}

/// [`conforms`] for a value that is not a record, option or collection; `None` for one
/// that is.
fn conforms_scalar(value: &Value, ty: &Type) -> Option<bool> {
    Some(match (value, ty) {
        (
            Value::Record(_) | Value::Option(_) | Value::List(_) | Value::Set(_) | Value::Map(_),
            _,
        ) => return None,
        (Value::Bool(_), Type::Bool)
        | (Value::Int(_), Type::Int)
        | (Value::Money(_), Type::Money)
        | (Value::Percent(_), Type::Percent)
        | (Value::Time(_), Type::Time)
        | (Value::Duration(_), Type::Duration)
        | (Value::Address(_), Type::Address)
        | (Value::Hash(_), Type::Hash)
        | (Value::Bytes(_), Type::Bytes)
        | (Value::String(_), Type::String) => true,
        (Value::Enum(ordinal), Type::Enum(enumeration)) => {
            (*ordinal as usize) < enumeration.variants.len()
        }
        _ => false,
    })
}

/// Whether `value` is a value of `ty` (for arguments handed to the VM from outside).
/// Iterative, so a deeply nested value cannot overflow the stack.
pub(crate) fn conforms(value: &Value, ty: &Type) -> bool {
    // Most arguments are scalars: decide those without the work list.
    if let Some(scalar) = conforms_scalar(value, ty) {
        return scalar;
    }
    let mut work = vec![(value, ty)];
    while let Some((value, ty)) = work.pop() {
        if let Some(scalar) = conforms_scalar(value, ty) {
            if !scalar {
                return false;
            }
            continue;
        }
        let ok = match (value, ty) {
            (Value::Record(fields), Type::Record(record))
                if fields.len() == record.fields.len() =>
            {
                work.extend(fields.iter().zip(record.fields.iter().map(|(_, ty)| ty)));
                true
            }
            (Value::Record(fields), Type::Tuple(items)) if fields.len() == items.len() => {
                work.extend(fields.iter().zip(items.iter()));
                true
            }
            (Value::Record(fields), Type::Decision) => {
                matches!(fields.as_slice(), [Value::Bool(_), Value::String(_)])
            }
            (Value::Option(None), Type::Option(_)) => true,
            (Value::Option(Some(inner)), Type::Option(inner_ty)) => {
                work.push((inner, inner_ty));
                true
            }
            (Value::List(items), Type::List(element)) => {
                work.extend(items.iter().map(|item| (item, &**element)));
                true
            }
            (Value::Set(items), Type::Set(element)) => {
                work.extend(items.iter().map(|item| (item, &**element)));
                items.windows(2).all(|pair| matches!(pair, [a, b] if a < b))
            }
            (Value::Map(entries), Type::Map(key, value_ty)) => {
                for (k, v) in entries {
                    work.push((k, key));
                    work.push((v, value_ty));
                }
                entries
                    .windows(2)
                    .all(|pair| matches!(pair, [a, b] if a.0 < b.0))
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}
