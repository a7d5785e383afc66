//! Types of the typed tree.

use assent_stdlib::abi::{Repr, TypeKind};

use super::{EnumId, RecordId};

/// A resolved type. Enums and records are nominal: an id into the contract's tables, so
/// a module reached twice gives the same type, and two declarations with one name do not.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
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
    /// A policy's result: `{ permitted: Bool, rule: String }` (fields 0 and 1).
    Decision,
    Enum(EnumId),
    Record(RecordId),
    Option(Box<Ty>),
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    /// No value: a statement, a call of a function without result, a block without tail.
    Unit,
    /// An expression that never produces a value (a block ending in `return` or `abort`).
    Never,
    /// Only while checking, after an error; never in a checked [`super::Contract`].
    Error,
}

impl Ty {
    /// Scalars are one `i64` in WebAssembly (the value itself); every other value is a
    /// handle into the host's value arena ([`TypeKind::repr`] decides).
    pub fn is_scalar(&self) -> bool {
        self.kind().is_some_and(|kind| kind.repr() == Repr::Scalar)
    }

    /// The type without its arguments; `None` for `Unit`, `Never` and `Error`, which no
    /// value has.
    pub fn kind(&self) -> Option<TypeKind> {
        Some(match self {
            Ty::Bool => TypeKind::Bool,
            Ty::Int => TypeKind::Int,
            Ty::Money => TypeKind::Money,
            Ty::Percent => TypeKind::Percent,
            Ty::Time => TypeKind::Time,
            Ty::Duration => TypeKind::Duration,
            Ty::Address => TypeKind::Address,
            Ty::Hash => TypeKind::Hash,
            Ty::Bytes => TypeKind::Bytes,
            Ty::String => TypeKind::String,
            Ty::Decision => TypeKind::Decision,
            Ty::Enum(_) => TypeKind::Enum,
            Ty::Record(_) => TypeKind::Record,
            Ty::Option(_) => TypeKind::Option,
            Ty::List(_) => TypeKind::List,
            Ty::Set(_) => TypeKind::Set,
            Ty::Map(..) => TypeKind::Map,
            Ty::Tuple(_) => TypeKind::Tuple,
            Ty::Unit | Ty::Never | Ty::Error => return None,
        })
    }

    /// Whether an error type occurs anywhere inside (the checker stays quiet about those).
    pub fn has_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Option(t) | Ty::List(t) | Ty::Set(t) => t.has_error(),
            Ty::Map(k, v) => k.has_error() || v.has_error(),
            Ty::Tuple(items) => items.iter().any(Ty::has_error),
            _ => false,
        }
    }

    /// The type as written in source, with enum and record names from the callbacks.
    pub fn display(
        &self,
        enum_name: &dyn Fn(EnumId) -> String,
        record_name: &dyn Fn(RecordId) -> String,
    ) -> String {
        let show = |t: &Ty| t.display(enum_name, record_name);
        match self {
            Ty::Bool => "Bool".into(),
            Ty::Int => "Int".into(),
            Ty::Money => "Money".into(),
            Ty::Percent => "Percent".into(),
            Ty::Time => "Time".into(),
            Ty::Duration => "Duration".into(),
            Ty::Address => "Address".into(),
            Ty::Hash => "Hash".into(),
            Ty::Bytes => "Bytes".into(),
            Ty::String => "String".into(),
            Ty::Decision => "Decision".into(),
            Ty::Enum(id) => enum_name(*id),
            Ty::Record(id) => record_name(*id),
            Ty::Option(t) => format!("{}?", show(t)),
            Ty::List(t) => format!("List<{}>", show(t)),
            Ty::Set(t) => format!("Set<{}>", show(t)),
            Ty::Map(k, v) => format!("Map<{}, {}>", show(k), show(v)),
            Ty::Tuple(items) => format!(
                "({})",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Ty::Unit => "no value".into(),
            Ty::Never => "!".into(),
            Ty::Error => "{unknown}".into(),
        }
    }
}
