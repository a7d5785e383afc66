//! Assent values and their types, as the VM and the ABI see them.
//!
//! The order of [`Value`] (derived) is the language's order (LANGUAGE.md §3): numbers
//! numerically, strings, bytes, hashes and addresses bytewise, enums in declaration
//! order (depth first), tuples and records field by field, options `none` first. It is
//! only meaningful between values of one type, which is all a set or map ever holds.

use std::sync::Arc;

/// A type, with enough of its declaration to encode values and map them to JSON.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Int,
    Money,
    Percent,
    Time,
    Duration,
    Address,
    Hash,
    Bytes,
    String,
    Enum(Arc<EnumType>),
    Record(Arc<RecordType>),
    Option(Box<Type>),
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>, Box<Type>),
    Tuple(Vec<Type>),
    /// A policy's result: `{ permitted: Bool, rule: String }`.
    Decision,
}

impl Type {
    /// The type without its arguments, for [`crate::abi::TypeKind::repr`].
    pub fn kind(&self) -> crate::abi::TypeKind {
        use crate::abi::TypeKind;
        match self {
            Type::Bool => TypeKind::Bool,
            Type::Int => TypeKind::Int,
            Type::Money => TypeKind::Money,
            Type::Percent => TypeKind::Percent,
            Type::Time => TypeKind::Time,
            Type::Duration => TypeKind::Duration,
            Type::Address => TypeKind::Address,
            Type::Hash => TypeKind::Hash,
            Type::Bytes => TypeKind::Bytes,
            Type::String => TypeKind::String,
            Type::Enum(_) => TypeKind::Enum,
            Type::Record(_) => TypeKind::Record,
            Type::Option(_) => TypeKind::Option,
            Type::List(_) => TypeKind::List,
            Type::Set(_) => TypeKind::Set,
            Type::Map(..) => TypeKind::Map,
            Type::Tuple(_) => TypeKind::Tuple,
            Type::Decision => TypeKind::Decision,
        }
    }
}

/// An enum: its name and its variants flattened in depth-first declaration order, so a
/// variant's ordinal is its index here.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumType {
    pub name: String,
    pub variants: Vec<String>,
}

/// A record: its name and fields in declaration order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordType {
    pub name: String,
    pub fields: Vec<(String, Type)>,
}

impl Type {
    /// The type as written in Assent source: `Map<Address, Grant?>`.
    pub fn display(&self) -> String {
        match self {
            Type::Bool => "Bool".into(),
            Type::Int => "Int".into(),
            Type::Money => "Money".into(),
            Type::Percent => "Percent".into(),
            Type::Time => "Time".into(),
            Type::Duration => "Duration".into(),
            Type::Address => "Address".into(),
            Type::Hash => "Hash".into(),
            Type::Bytes => "Bytes".into(),
            Type::String => "String".into(),
            Type::Enum(e) => e.name.clone(),
            Type::Record(r) => r.name.clone(),
            Type::Option(t) => format!("{}?", t.display()),
            Type::List(t) => format!("List<{}>", t.display()),
            Type::Set(t) => format!("Set<{}>", t.display()),
            Type::Map(k, v) => format!("Map<{}, {}>", k.display(), v.display()),
            Type::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(Type::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Type::Decision => "Decision".into(),
        }
    }
}

/// A value. Collections keep their canonical form: a `Set` sorted without duplicates, a
/// `Map` sorted by key without repeated keys (the constructors below ensure it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Money(i64),
    Percent(i64),
    Time(i64),
    Duration(i64),
    Address([u8; 20]),
    Hash([u8; 32]),
    Bytes(Vec<u8>),
    String(String),
    /// The variant's ordinal (depth-first declaration order).
    Enum(u32),
    /// Fields in declaration order; also tuples and `Decision` (`permitted`, `rule`).
    Record(Vec<Value>),
    /// Shared, so that unwrapping an option (as contracts do with every map read) hands
    /// out its value without copying it.
    Option(Option<Arc<Value>>),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The 64 bits a scalar value travels as between a contract and the host (a Bool as
    /// 0 or 1, an enum as its ordinal); `None` for a value passed as a handle. With
    /// [`crate::abi::TypeKind::repr`] for types, the one statement of which values are
    /// scalars.
    #[inline]
    pub fn scalar_bits(&self) -> Option<i64> {
        match self {
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Int(n)
            | Value::Money(n)
            | Value::Percent(n)
            | Value::Time(n)
            | Value::Duration(n) => Some(*n),
            Value::Enum(ordinal) => Some(i64::from(*ordinal)),
            _ => None,
        }
    }

    /// `some(value)`.
    pub fn some(value: Value) -> Value {
        Value::Option(Some(Arc::new(value)))
    }

    /// A set from elements in any order; duplicates are merged.
    pub fn set_from(mut elements: Vec<Value>) -> Value {
        elements.sort();
        elements.dedup();
        Value::Set(elements)
    }

    /// A map from entries in any order; `Err` with the first repeated key.
    pub fn map_from(mut entries: Vec<(Value, Value)>) -> Result<Value, Value> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for pair in entries.windows(2) {
            if let [a, b] = pair
                && a.0 == b.0
            {
                return Err(a.0.clone());
            }
        }
        Ok(Value::Map(entries))
    }

    pub fn decision(permitted: bool, rule: impl Into<String>) -> Value {
        Value::Record(vec![Value::Bool(permitted), Value::String(rule.into())])
    }
}

/// The bytes one value takes in the host's memory in place (inside a collection, a record
/// or an option): a bound on the size of the host's value type, fixed here so that gas
/// and the memory budget are the same on every platform (a test checks the bound).
pub const VALUE_BYTES: u64 = 40;

/// The bytes of a shared allocation's header (its reference counts): every value behind
/// a handle or inside an option is one.
pub const SHARED_BYTES: u64 = 16;

/// The bytes `value` occupies in the host's memory: [`VALUE_BYTES`] plus what it owns
/// (the bytes of a String or Bytes, the elements of a collection or record, the shared
/// value of an option), so an empty option, a Hash or an element count what they occupy
/// and not what they encode to. Value operations are charged by it and values built
/// count it against the memory budget ([`crate::abi::MAX_VALUE_BYTES`]).
pub fn footprint(value: &Value) -> u64 {
    VALUE_BYTES.saturating_add(owned_bytes(value))
}

/// The bytes `value` owns outside its own [`VALUE_BYTES`].
fn owned_bytes(value: &Value) -> u64 {
    let many = |items: &[Value]| {
        items
            .iter()
            .fold(0u64, |total, item| total.saturating_add(footprint(item)))
    };
    match value {
        Value::Bool(_)
        | Value::Int(_)
        | Value::Money(_)
        | Value::Percent(_)
        | Value::Time(_)
        | Value::Duration(_)
        | Value::Address(_)
        | Value::Hash(_)
        | Value::Enum(_)
        | Value::Option(None) => 0,
        Value::Bytes(bytes) => bytes.len() as u64,
        Value::String(text) => text.len() as u64,
        Value::Record(items) | Value::List(items) | Value::Set(items) => many(items),
        Value::Option(Some(inner)) => SHARED_BYTES.saturating_add(footprint(inner)),
        Value::Map(entries) => entries.iter().fold(0u64, |total, (key, value)| {
            total
                .saturating_add(footprint(key))
                .saturating_add(footprint(value))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_bytes_bounds_the_host_value() {
        assert!(std::mem::size_of::<Value>() as u64 <= VALUE_BYTES);
        assert!(std::mem::size_of::<std::sync::Arc<Value>>() as u64 * 2 <= SHARED_BYTES);
    }

    #[test]
    fn footprint_counts_what_values_occupy() {
        assert_eq!(footprint(&Value::Option(None)), VALUE_BYTES);
        assert_eq!(footprint(&Value::String("abc".into())), VALUE_BYTES + 3);
        assert_eq!(
            footprint(&Value::List(vec![Value::Int(1), Value::Int(2)])),
            3 * VALUE_BYTES
        );
        assert_eq!(
            footprint(&Value::some(Value::Int(1))),
            2 * VALUE_BYTES + SHARED_BYTES
        );
    }
}
