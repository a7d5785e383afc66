//! The typed tree: what the checker produces and code generation consumes.
//!
//! It is a tree of its own, distinct from [`crate::syntax::ast`], built only from code
//! that checked clean, and shaped for lowering to WebAssembly:
//!
//! - every [`Expr`] carries its resolved [`Ty`] and a [`Loc`] (`file:line:col` for aborts);
//! - every name is resolved to what it is: [`ExprKind::Param`], [`ExprKind::Local`],
//!   [`ExprKind::State`], [`ExprKind::Const`], [`ExprKind::Variant`] (with the subtree
//!   range `in` needs), [`ExprKind::Context`], a [`FunctionId`] or an [`InterfaceId`];
//! - every operator and built-in is resolved for its operand types ([`BinaryOp`],
//!   [`Builtin`]); operations on persistent `Map`/`Set` state ([`PersistentOp`]) are
//!   distinct from those on local collections ([`MutateOp`], [`Builtin`]);
//! - the implicit `T` → `T?` conversion is an explicit [`ExprKind::Some`];
//! - policies are rule lists ([`PolicyBody`]); functions come callees first.
//!
//! Ids index the tables of [`Contract`]: `contract.enums[id.0]` and so on.

mod dump;
mod expr;
mod ops;
mod ty;
pub mod visit;

pub use expr::{
    Arm, Block, Expr, ExprKind, ForBinding, ForIter, Pattern, Place, PlaceRoot, Projection, Stmt,
    StmtKind,
};
pub use ops::{BinaryOp, Builtin, MutateOp, PersistentOp, UnaryOp};
pub use ty::Ty;

use crate::span::{FileId, Span};
pub use crate::syntax::ast::{ContextVar, Effect};
use assent_stdlib::value::{EnumType, RecordType, Type, Value};
use std::sync::Arc;

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the table this id refers to.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

ids! {
    /// An enum of [`Contract::enums`].
    EnumId;
    /// A record of [`Contract::records`].
    RecordId;
    /// An event of [`Contract::events`]: also its index in the ABI's `events` table.
    EventId;
    /// A constant of [`Contract::consts`].
    ConstId;
    /// A state variable of [`Contract::states`]: also the `state` index of the host ABI.
    StateId;
    /// A function (or policy) of [`Contract::functions`].
    FunctionId;
    /// A local of the enclosing [`Function::locals`] (parameters are not locals).
    LocalId;
    /// Another contract this one calls: [`Contract::interfaces`].
    InterfaceId;
}

/// A source position: the file, the span, and the one-based line and column of its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
    pub line: u32,
    pub col: u32,
}

/// A checked contract with everything it imports resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    pub name: String,
    pub doc: Option<String>,
    /// The contract's file, as [`Function::module`] and friends name it.
    pub module: String,
    /// File names by [`FileId`], for [`Contract::position`].
    pub files: Vec<String>,
    /// Every enum of the contract and its imports.
    pub enums: Vec<EnumDef>,
    /// Every record of the contract and its imports.
    pub records: Vec<RecordDef>,
    /// Every event the contract declares or imports.
    pub events: Vec<EventDef>,
    /// Every constant of the contract and its imports, evaluated.
    pub consts: Vec<ConstDef>,
    /// This contract's state, in declaration order.
    pub states: Vec<StateDef>,
    /// This contract's `init`, actions, views, policies and functions, and the functions of
    /// the standard-library modules it imports, ordered so that a function comes after
    /// every function it calls.
    pub functions: Vec<Function>,
    /// The other contracts this one calls, with the entry points it uses of each.
    pub interfaces: Vec<Interface>,
    /// The contract's properties, in declaration order: checked like views, their
    /// calls numbered as in [`Contract::functions`], never compiled. A cross-contract call
    /// made only by a property names an interface past the end of
    /// [`Contract::interfaces`] (which lists only what the compiled code calls).
    pub properties: Vec<Function>,
}

/// An enum, its variants flattened in depth-first declaration order: a variant's ordinal
/// is its index, and a variant's descendants are the ordinals `ordinal + 1 .. end`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub doc: Option<String>,
    /// The module that declares it (`std.consent`, or a contract file name).
    pub module: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantDef {
    pub name: String,
    pub doc: Option<String>,
    /// The ordinal of the parent variant, for nested variants.
    pub parent: Option<u32>,
    /// One past the last descendant: `x in V` is `V <= x < end`.
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordDef {
    pub name: String,
    pub doc: Option<String>,
    pub module: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub doc: Option<String>,
    /// Events only.
    pub indexed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventDef {
    pub name: String,
    pub doc: Option<String>,
    pub module: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstDef {
    pub name: String,
    pub ty: Ty,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateDef {
    pub name: String,
    pub doc: Option<String>,
    pub ty: Ty,
    /// `Map`/`Set` state: one ledger entry per element, only [`PersistentOp`]s apply.
    pub persistent: bool,
    /// A persistent state some compiled code walks with `for`: the host keeps an ordered
    /// index of its keys.
    pub iterated: bool,
    /// The initial value (`state x: T = value;`), written at deployment.
    pub init: Option<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Init,
    Action,
    View,
    Policy,
    Fn,
    /// A `property`: checked like a view, proven by `assent verify`, never compiled.
    Property,
}

impl FunctionKind {
    /// Entry points the host may call (`fn`s are internal; properties are not code).
    pub fn is_entry(self) -> bool {
        !matches!(self, FunctionKind::Fn | FunctionKind::Property)
    }

    /// `init` and actions may write state and emit events.
    pub fn may_write(self) -> bool {
        matches!(self, FunctionKind::Init | FunctionKind::Action)
    }

    pub fn keyword(self) -> &'static str {
        match self {
            FunctionKind::Init => "init",
            FunctionKind::Action => "action",
            FunctionKind::View => "view",
            FunctionKind::Policy => "policy",
            FunctionKind::Fn => "fn",
            FunctionKind::Property => "property",
        }
    }
}

/// An `init`, action, view, policy or `fn`.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub kind: FunctionKind,
    pub doc: Option<String>,
    /// The module that declares it: the contract file, or `std.consent` etc.
    pub module: String,
    /// True for `init`, actions, views and policies of this contract (exported entries).
    pub exported: bool,
    pub params: Vec<Param>,
    /// [`Ty::Unit`] when there is no result; [`Ty::Decision`] for a policy.
    pub ret: Ty,
    /// Every `let`, pattern and loop binding of the body, by [`LocalId`].
    pub locals: Vec<LocalDef>,
    pub body: Body,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LocalDef {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Block(Block),
    Policy(PolicyBody),
}

/// A policy, in evaluation order: `deny_pass` holds its `let`s and `deny` rules in source
/// order (the first deny that holds decides); then `permits` in source order (the first
/// that holds decides); else `default` with rule `"default"`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyBody {
    pub deny_pass: Vec<PolicyStep>,
    pub permits: Vec<Rule>,
    pub default: Effect,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyStep {
    Let { local: LocalId, value: Expr },
    Deny(Box<Rule>),
}

/// A rule holds when `when` holds (or is absent) and `unless` does not.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub effect: Effect,
    pub label: String,
    pub when: Option<Expr>,
    pub unless: Option<Expr>,
    pub loc: Loc,
}

/// Another contract called through `Name(address).entry(…)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    /// The callee's contract name.
    pub contract: String,
    /// The file it was imported from.
    pub module: String,
    /// The entry points used, in order of first use.
    pub entries: Vec<InterfaceEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceEntry {
    pub name: String,
    pub kind: FunctionKind,
    pub params: Vec<Param>,
    pub ret: Ty,
}

impl Contract {
    /// `file:line:col` of a location, as aborts report it.
    pub fn position(&self, loc: Loc) -> String {
        let file = self
            .files
            .get(loc.file.0 as usize)
            .map_or("?", String::as_str);
        format!("{file}:{}:{}", loc.line, loc.col)
    }

    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.index())
    }

    pub fn record_def(&self, id: RecordId) -> Option<&RecordDef> {
        self.records.get(id.index())
    }

    pub fn function(&self, id: FunctionId) -> Option<&Function> {
        self.functions.get(id.index())
    }

    /// The function named `name` (the first, if a standard-library module has one too).
    pub fn function_named(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The type as written in source: `Map<Address, Grant?>`.
    pub fn type_name(&self, ty: &Ty) -> String {
        ty.display(
            &|id| {
                self.enum_def(id)
                    .map_or("?", |e| e.name.as_str())
                    .to_string()
            },
            &|id| {
                self.record_def(id)
                    .map_or("?", |r| r.name.as_str())
                    .to_string()
            },
        )
    }

    /// The type as the VM, codec and ABI see it; `None` for [`Ty::Unit`] and the
    /// checker-only types.
    pub fn value_type(&self, ty: &Ty) -> Option<Type> {
        Some(match ty {
            Ty::Bool => Type::Bool,
            Ty::Int => Type::Int,
            Ty::Money => Type::Money,
            Ty::Percent => Type::Percent,
            Ty::Time => Type::Time,
            Ty::Duration => Type::Duration,
            Ty::Address => Type::Address,
            Ty::Hash => Type::Hash,
            Ty::Bytes => Type::Bytes,
            Ty::String => Type::String,
            Ty::Decision => Type::Decision,
            Ty::Enum(id) => {
                let def = self.enum_def(*id)?;
                Type::Enum(Arc::new(EnumType {
                    name: def.name.clone(),
                    variants: def.variants.iter().map(|v| v.name.clone()).collect(),
                }))
            }
            Ty::Record(id) => {
                let def = self.record_def(*id)?;
                let fields = def
                    .fields
                    .iter()
                    .map(|f| Some((f.name.clone(), self.value_type(&f.ty)?)))
                    .collect::<Option<Vec<_>>>()?;
                Type::Record(Arc::new(RecordType {
                    name: def.name.clone(),
                    fields,
                }))
            }
            Ty::Option(t) => Type::Option(Box::new(self.value_type(t)?)),
            Ty::List(t) => Type::List(Box::new(self.value_type(t)?)),
            Ty::Set(t) => Type::Set(Box::new(self.value_type(t)?)),
            Ty::Map(k, v) => {
                Type::Map(Box::new(self.value_type(k)?), Box::new(self.value_type(v)?))
            }
            Ty::Tuple(items) => Type::Tuple(
                items
                    .iter()
                    .map(|t| self.value_type(t))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Ty::Unit | Ty::Never | Ty::Error => return None,
        })
    }

    /// A readable dump of the whole tree with every type, for tests and debugging.
    pub fn dump(&self) -> String {
        dump::contract(self)
    }
}
