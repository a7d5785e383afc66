//! Expressions, statements and constant values to instructions.
//!
//! Every expression leaves exactly one `i64` on the stack when its type has a value
//! ([`has_value`]) and nothing otherwise.

use assent_stdlib::abi::HostFn;
use assent_stdlib::value::Value;
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

use super::function::{FunctionCompiler, block_type, has_value};
use super::runtime::{self, Helper};
use super::{CodegenError, error};
use crate::typed::{
    BinaryOp, Block, Builtin, ContextVar, Expr, ExprKind, ForBinding, ForIter, Loc, MutateOp,
    PersistentOp, Place, PlaceRoot, Projection, Stmt, StmtKind, Ty, UnaryOp,
};

type Result<T = ()> = std::result::Result<T, CodegenError>;

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    // ---- constants ---------------------------------------------------------------------

    /// A constant value of type `ty`.
    pub(super) fn value(&mut self, value: &Value, ty: &Ty) -> Result {
        crate::stack::guarded(|| self.value_inner(value, ty))
    }

    fn value_inner(&mut self, value: &Value, ty: &Ty) -> Result {
        match value {
            Value::Bool(b) => self.emit(I::I64Const(i64::from(*b))),
            Value::Int(n)
            | Value::Money(n)
            | Value::Percent(n)
            | Value::Time(n)
            | Value::Duration(n) => self.emit(I::I64Const(*n)),
            Value::Enum(ordinal) => self.emit(I::I64Const(i64::from(*ordinal))),
            Value::Address(bytes) => self.raw_constant(&Ty::Address, bytes),
            Value::Hash(bytes) => self.raw_constant(&Ty::Hash, bytes),
            Value::Bytes(bytes) => self.raw_constant(&Ty::Bytes, bytes),
            Value::String(text) => self.raw_constant(&Ty::String, text.as_bytes()),
            Value::Option(None) => {
                let id = self.types.id(ty);
                self.i32_const(id);
                self.host(HostFn::OptNone);
            }
            Value::Option(Some(inner)) => {
                let inner_ty = match ty {
                    Ty::Option(t) => (**t).clone(),
                    _ => return Err(error("an option constant of a non-option type")),
                };
                let id = self.types.id(ty);
                self.i32_const(id);
                self.value(inner, &inner_ty)?;
                self.host(HostFn::OptSome);
            }
            Value::Record(fields) => {
                let field_types = self.field_types(ty)?;
                let mut locals = Vec::new();
                for (field, field_ty) in fields.iter().zip(field_types.iter()) {
                    self.value(field, field_ty)?;
                    let local = self.temp();
                    self.emit(I::LocalSet(local));
                    locals.push(local);
                }
                self.store_slots(&locals)?;
                let id = self.types.id(ty);
                self.i32_const(id);
                self.i32_const(0);
                self.host(HostFn::RecordNew);
            }
            Value::List(items) | Value::Set(items) => {
                let (element, add) = match ty {
                    Ty::List(t) => ((**t).clone(), HostFn::ListPushMut),
                    Ty::Set(t) => ((**t).clone(), HostFn::CollInsertMut),
                    _ => return Err(error("a collection constant of another type")),
                };
                let collection = self.new_collection(ty);
                for item in items {
                    self.emit(I::LocalGet(collection));
                    self.value(item, &element)?;
                    self.host(add);
                }
                self.emit(I::LocalGet(collection));
            }
            Value::Map(entries) => {
                let (key_ty, value_ty) = match ty {
                    Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
                    _ => return Err(error("a map constant of another type")),
                };
                let map = self.new_collection(ty);
                for (key, value) in entries {
                    self.emit(I::LocalGet(map));
                    self.value(key, &key_ty)?;
                    self.value(value, &value_ty)?;
                    self.host(HostFn::MapSetMut);
                }
                self.emit(I::LocalGet(map));
            }
        }
        Ok(())
    }

    /// An empty collection of type `ty` in a new local.
    fn new_collection(&mut self, ty: &Ty) -> u32 {
        let id = self.types.id(ty);
        self.i32_const(id);
        self.host(HostFn::CollNew);
        let local = self.temp();
        self.emit(I::LocalSet(local));
        local
    }

    /// The field types of a record, tuple or Decision.
    fn field_types(&self, ty: &Ty) -> Result<Vec<Ty>> {
        match ty {
            Ty::Tuple(items) => Ok(items.clone()),
            Ty::Decision => Ok(vec![Ty::Bool, Ty::String]),
            Ty::Record(id) => self
                .contract
                .record_def(*id)
                .map(|def| def.fields.iter().map(|f| f.ty.clone()).collect())
                .ok_or_else(|| error("unknown record")),
            _ => Err(error("fields of a type without fields")),
        }
    }

    // ---- expressions -------------------------------------------------------------------

    pub(super) fn expr(&mut self, expr: &'c Expr) -> Result {
        crate::stack::guarded(|| self.expr_inner(expr))
    }

    /// Evaluates into a new local.
    fn expr_to_local(&mut self, expr: &'c Expr) -> Result<u32> {
        self.expr(expr)?;
        let local = self.temp();
        self.emit(I::LocalSet(local));
        Ok(local)
    }

    fn expr_inner(&mut self, expr: &'c Expr) -> Result {
        match &expr.kind {
            ExprKind::Literal(value) => self.value(value, &expr.ty)?,
            ExprKind::Param(index) => self.emit(I::LocalGet(*index)),
            ExprKind::Local(id) => {
                let local = self.local(*id);
                self.emit(I::LocalGet(local));
                // A mutable local owns its handle: whoever reads it gets a copy.
                if self.local_def(*id).is_some_and(|d| d.mutable) && !expr.ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
            }
            ExprKind::Const(id) => {
                let def = self
                    .contract
                    .consts
                    .get(id.index())
                    .ok_or_else(|| error("unknown constant"))?;
                self.value(&def.value, &def.ty)?;
            }
            ExprKind::State(id) => {
                self.i32_const(id.0);
                self.host(HostFn::StateLoad);
            }
            ExprKind::Context(context) => self.host(match context {
                ContextVar::Caller => HostFn::Caller,
                ContextVar::Origin => HostFn::Origin,
                ContextVar::Now => HostFn::Now,
                ContextVar::Block => HostFn::BlockHeight,
                ContextVar::SelfAddress => HostFn::SelfAddress,
            }),
            ExprKind::Variant { ordinal, .. } => self.emit(I::I64Const(i64::from(*ordinal))),
            ExprKind::Some(inner) => {
                let id = self.types.id(&expr.ty);
                self.i32_const(id);
                self.expr(inner)?;
                self.host(HostFn::OptSome);
            }
            ExprKind::None => {
                let id = self.types.id(&expr.ty);
                self.i32_const(id);
                self.host(HostFn::OptNone);
            }
            ExprKind::Tuple(items) | ExprKind::Record { fields: items, .. } => {
                let mut locals = Vec::new();
                for item in items {
                    locals.push(self.expr_to_local(item)?);
                }
                self.store_slots(&locals)?;
                let id = self.types.id(&expr.ty);
                self.i32_const(id);
                self.i32_const(0);
                self.host(HostFn::RecordNew);
            }
            ExprKind::RecordUpdate { base, fields } => {
                self.expr(base)?;
                self.host(HostFn::ValCopy);
                let record = self.temp();
                self.emit(I::LocalSet(record));
                for (index, value) in fields {
                    self.emit(I::LocalGet(record));
                    self.i32_const(*index);
                    self.expr(value)?;
                    self.host(HostFn::RecordSetMut);
                }
                self.emit(I::LocalGet(record));
            }
            ExprKind::Field { base, index } => {
                self.expr(base)?;
                self.i32_const(*index);
                self.host(HostFn::RecordGet);
            }
            ExprKind::List(items) | ExprKind::Set(items) => {
                let add = if matches!(expr.kind, ExprKind::List(_)) {
                    HostFn::ListPushMut
                } else {
                    HostFn::CollInsertMut
                };
                let collection = self.new_collection(&expr.ty);
                for item in items {
                    self.emit(I::LocalGet(collection));
                    self.expr(item)?;
                    self.host(add);
                }
                self.emit(I::LocalGet(collection));
            }
            ExprKind::Map(entries) => {
                let map = self.new_collection(&expr.ty);
                for (key, value) in entries {
                    self.emit(I::LocalGet(map));
                    self.expr(key)?;
                    self.expr(value)?;
                    self.host(HostFn::MapSetMut);
                }
                self.emit(I::LocalGet(map));
            }
            ExprKind::Unary { op, operand } => match op {
                UnaryOp::Neg => {
                    self.expr(operand)?;
                    self.emit(I::I64Const(0));
                    self.checked(Helper::Neg, expr.loc);
                }
                UnaryOp::Not => {
                    self.expr(operand)?;
                    self.emit(I::I64Eqz);
                    self.bool_from_i32();
                }
            },
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, expr)?,
            ExprKind::Builtin { builtin, args } => self.builtin(*builtin, args, expr)?,
            ExprKind::Persistent { state, op, args } => {
                self.persistent(state.0, *op, args, expr.loc)?;
            }
            ExprKind::Mutate { place, op, arg } => {
                let host = match op {
                    MutateOp::ListPush => HostFn::ListPushMut,
                    MutateOp::SetInsert => HostFn::CollInsertMut,
                    MutateOp::ListRemove | MutateOp::SetRemove | MutateOp::MapRemove => {
                        HostFn::CollRemoveMut
                    }
                };
                self.change_place(place, expr.loc, true, &mut |this, target| {
                    this.emit(I::LocalGet(target));
                    this.expr(arg)?;
                    this.host(host);
                    Ok(())
                })?;
            }
            ExprKind::Call { function, args } => {
                for arg in args {
                    self.expr(arg)?;
                }
                self.emit(I::Call(self.indices.import_count + function.0));
            }
            ExprKind::CrossCall {
                interface,
                entry,
                address,
                args,
            } => {
                let address = self.expr_to_local(address)?;
                let mut locals = Vec::new();
                for arg in args {
                    locals.push(self.expr_to_local(arg)?);
                }
                self.store_slots(&locals)?;
                self.i32_const(interface.0);
                self.i32_const(*entry);
                self.emit(I::LocalGet(address));
                self.i32_const(0);
                self.host(HostFn::CallContract);
                if !has_value(&expr.ty) {
                    self.emit(I::Drop);
                }
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let wants = has_value(&expr.ty);
                self.expr(cond)?;
                self.condition();
                self.emit(I::If(block_type(&expr.ty)));
                self.block(then, wants)?;
                if let Some(otherwise) = otherwise {
                    self.emit(I::Else);
                    self.block(otherwise, wants)?;
                }
                self.emit(I::End);
                if expr.ty == Ty::Never {
                    self.emit(I::Unreachable);
                }
            }
            ExprKind::IfLet {
                pattern,
                value,
                then,
                otherwise,
            } => {
                let wants = has_value(&expr.ty);
                let scrutinee = self.expr_to_local(value)?;
                self.test_pattern(pattern, scrutinee, &value.ty)?;
                self.emit(I::If(block_type(&expr.ty)));
                self.block(then, wants)?;
                if let Some(otherwise) = otherwise {
                    self.emit(I::Else);
                    self.block(otherwise, wants)?;
                }
                self.emit(I::End);
                if expr.ty == Ty::Never {
                    self.emit(I::Unreachable);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                let wants = has_value(&expr.ty);
                let value = self.expr_to_local(scrutinee)?;
                self.emit(I::Block(block_type(&expr.ty)));
                for arm in arms {
                    self.emit(I::Block(BlockType::Empty));
                    self.test_pattern(&arm.pattern, value, &scrutinee.ty)?;
                    self.emit(I::I32Eqz);
                    self.emit(I::BrIf(0));
                    self.block(&arm.body, wants)?;
                    self.emit(I::Br(1));
                    self.emit(I::End);
                }
                // The checker proved the arms exhaustive.
                self.emit(I::Unreachable);
                self.emit(I::End);
            }
            ExprKind::Block(block) => self.block(block, has_value(&expr.ty))?,
        }
        Ok(())
    }

    /// Calls a checked-arithmetic helper on the two operands on the stack.
    fn checked(&mut self, helper: Helper, loc: Loc) {
        let position = self.packed_position(loc);
        self.emit(I::I64Const(position));
        self.emit(I::Call(runtime::index(helper, self.indices)));
    }

    fn binary(&mut self, op: BinaryOp, lhs: &'c Expr, rhs: &'c Expr, expr: &'c Expr) -> Result {
        use BinaryOp::*;
        match op {
            And | Or => {
                self.expr(lhs)?;
                self.condition();
                self.emit(I::If(BlockType::Result(ValType::I64)));
                if op == And {
                    self.expr(rhs)?;
                    self.emit(I::Else);
                    self.emit(I::I64Const(0));
                } else {
                    self.emit(I::I64Const(1));
                    self.emit(I::Else);
                    self.expr(rhs)?;
                }
                self.emit(I::End);
                return Ok(());
            }
            Default => {
                let option = self.expr_to_local(lhs)?;
                self.emit(I::LocalGet(option));
                self.host(HostFn::OptIsSome);
                self.emit(I::If(BlockType::Result(ValType::I64)));
                self.emit(I::LocalGet(option));
                if expr.ty != lhs.ty {
                    self.host(HostFn::OptUnwrap);
                }
                self.emit(I::Else);
                self.expr(rhs)?;
                self.emit(I::End);
                return Ok(());
            }
            InEnum => {
                let value = self.expr_to_local(lhs)?;
                let (low, high) = match &rhs.kind {
                    ExprKind::Variant { ordinal, end, .. } => {
                        (Bound::Const(*ordinal), Bound::Const(*end))
                    }
                    _ => {
                        let Ty::Enum(enum_id) = &rhs.ty else {
                            return Err(error("`in` on an enum of no enum type"));
                        };
                        let table = self
                            .enum_tables
                            .get(enum_id.index())
                            .copied()
                            .ok_or_else(|| error("unknown enum"))?;
                        let variant = self.expr_to_local(rhs)?;
                        (Bound::Local(variant), Bound::Table(table, variant))
                    }
                };
                // low <= value && value < high
                self.emit(I::LocalGet(value));
                self.bound(low);
                self.emit(I::I64GeS);
                self.emit(I::LocalGet(value));
                self.bound(high);
                self.emit(I::I64LtS);
                self.emit(I::I32And);
                self.bool_from_i32();
                return Ok(());
            }
            InList | InSet | InMapKeys => {
                let element = self.expr_to_local(lhs)?;
                self.expr(rhs)?;
                self.emit(I::LocalGet(element));
                self.host(HostFn::CollContains);
                self.bool_from_i32();
                return Ok(());
            }
            _ => {}
        }
        self.expr(lhs)?;
        self.expr(rhs)?;
        match op {
            IntAdd | MoneyAdd | PercentAdd | DurationAdd | TimePlusDuration => {
                self.checked(Helper::Add, expr.loc);
            }
            IntSub | MoneySub | PercentSub | DurationSub | TimeMinusDuration | TimeMinusTime => {
                self.checked(Helper::Sub, expr.loc);
            }
            IntMul | MoneyTimesInt | IntTimesMoney | DurationTimesInt => {
                self.checked(Helper::Mul, expr.loc);
            }
            IntDiv => self.checked(Helper::Div, expr.loc),
            IntRem => self.checked(Helper::Rem, expr.loc),
            MoneyDivInt => self.host(HostFn::DivRound),
            MoneyTimesPercent | IntTimesPercent => self.host(HostFn::MulPercent),
            StringConcat => self.host(HostFn::StrConcat),
            Eq | Ne => {
                if lhs.ty.is_scalar() {
                    self.emit(if op == Eq { I::I64Eq } else { I::I64Ne });
                } else {
                    self.host(HostFn::ValEq);
                    if op == Ne {
                        self.emit(I::I32Eqz);
                    }
                }
                self.bool_from_i32();
            }
            Lt | Le | Gt | Ge => {
                if lhs.ty.is_scalar() {
                    self.emit(match op {
                        Lt => I::I64LtS,
                        Le => I::I64LeS,
                        Gt => I::I64GtS,
                        _ => I::I64GeS,
                    });
                } else {
                    self.host(HostFn::ValCmp);
                    self.i32_const(0);
                    self.emit(match op {
                        Lt => I::I32LtS,
                        Le => I::I32LeS,
                        Gt => I::I32GtS,
                        _ => I::I32GeS,
                    });
                }
                self.bool_from_i32();
            }
            And | Or | Default | InEnum | InList | InSet | InMapKeys => {
                return Err(error("operator lowered twice"));
            }
        }
        Ok(())
    }

    fn bound(&mut self, bound: Bound) {
        match bound {
            Bound::Const(value) => self.emit(I::I64Const(i64::from(value))),
            Bound::Local(local) => self.emit(I::LocalGet(local)),
            Bound::Table(table, variant) => {
                // table[variant] as u32; the variant is a valid ordinal of its enum.
                self.emit(I::LocalGet(variant));
                self.emit(I::I32WrapI64);
                self.i32_const(4);
                self.emit(I::I32Mul);
                self.emit(I::I32Load(MemArg {
                    offset: u64::from(table),
                    align: 2,
                    target: wasm_encoder::MemArgTarget::Memory(0),
                    ordering: None,
                }));
                self.emit(I::I64ExtendI32U);
            }
        }
    }

    fn builtin(&mut self, builtin: Builtin, args: &'c [Expr], expr: &'c Expr) -> Result {
        let arg = |index: usize| args.get(index).ok_or_else(|| error("missing argument"));
        match builtin {
            Builtin::Len => {
                self.expr(arg(0)?)?;
                self.host(HostFn::CollLen);
            }
            Builtin::Min | Builtin::Max => {
                let a = self.expr_to_local(arg(0)?)?;
                let b = self.expr_to_local(arg(1)?)?;
                // min: a when a <= b; max: a when a >= b (the first on ties).
                self.emit(I::LocalGet(a));
                self.emit(I::LocalGet(b));
                self.emit(I::LocalGet(a));
                self.emit(I::LocalGet(b));
                if expr.ty.is_scalar() {
                    self.emit(if builtin == Builtin::Min {
                        I::I64LeS
                    } else {
                        I::I64GeS
                    });
                } else {
                    self.host(HostFn::ValCmp);
                    self.i32_const(0);
                    self.emit(if builtin == Builtin::Min {
                        I::I32LeS
                    } else {
                        I::I32GeS
                    });
                }
                self.emit(I::Select);
            }
            Builtin::Abs => {
                let value = self.expr_to_local(arg(0)?)?;
                self.emit(I::LocalGet(value));
                self.emit(I::I64Const(0));
                self.emit(I::I64LtS);
                self.emit(I::If(BlockType::Result(ValType::I64)));
                self.emit(I::LocalGet(value));
                self.emit(I::I64Const(0));
                self.checked(Helper::Neg, expr.loc);
                self.emit(I::Else);
                self.emit(I::LocalGet(value));
                self.emit(I::End);
            }
            Builtin::Sha3 => {
                if let [single] = args {
                    if single.ty.is_scalar() {
                        let id = self.types.id(&single.ty);
                        self.i32_const(id);
                        self.expr(single)?;
                        self.host(HostFn::Sha3Scalar);
                    } else {
                        self.expr(single)?;
                        self.i32_const(1);
                        self.host(HostFn::Sha3);
                    }
                } else {
                    let mut locals = Vec::new();
                    for item in args {
                        locals.push(self.expr_to_local(item)?);
                    }
                    self.store_slots(&locals)?;
                    let tuple = Ty::Tuple(args.iter().map(|a| a.ty.clone()).collect());
                    let id = self.types.id(&tuple);
                    self.i32_const(id);
                    self.i32_const(0);
                    self.host(HostFn::RecordNew);
                    self.i32_const(args.len() as u32);
                    self.host(HostFn::Sha3);
                }
            }
            Builtin::Recover => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::Recover);
            }
            Builtin::StartsWith => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::StrStartsWith);
                self.bool_from_i32();
            }
            Builtin::StrBytes => {
                self.expr(arg(0)?)?;
                self.host(HostFn::StrBytes);
            }
            Builtin::ByteAt => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::BytesAt);
            }
            Builtin::ListAt => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::CollAt);
            }
            Builtin::MapAt => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::MapGet);
                self.unwrap_or_abort("no entry for this key", expr.loc);
            }
            Builtin::MapGet => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::MapGet);
            }
            Builtin::Contains => {
                self.expr(arg(0)?)?;
                self.expr(arg(1)?)?;
                self.host(HostFn::CollContains);
                self.bool_from_i32();
            }
        }
        Ok(())
    }

    /// The option handle on the stack: its value, or an abort with `message`.
    fn unwrap_or_abort(&mut self, message: &str, loc: Loc) {
        let option = self.temp();
        self.emit(I::LocalTee(option));
        self.host(HostFn::OptIsSome);
        self.emit(I::I32Eqz);
        self.emit(I::If(BlockType::Empty));
        self.abort_static(message, loc);
        self.emit(I::End);
        self.emit(I::LocalGet(option));
        self.host(HostFn::OptUnwrap);
    }

    fn persistent(&mut self, state: u32, op: PersistentOp, args: &'c [Expr], loc: Loc) -> Result {
        let key = args.first().ok_or_else(|| error("missing key"))?;
        self.i32_const(state);
        self.expr(key)?;
        match op {
            PersistentOp::MapGet => self.host(HostFn::PmapGet),
            PersistentOp::MapAt => {
                self.host(HostFn::PmapGet);
                self.unwrap_or_abort("no entry for this key", loc);
            }
            PersistentOp::Contains => {
                self.host(HostFn::PmapContains);
                self.bool_from_i32();
            }
            PersistentOp::Remove => self.host(HostFn::PmapRemove),
            PersistentOp::SetInsert => self.host(HostFn::PsetInsert),
        }
        Ok(())
    }

    // ---- places ------------------------------------------------------------------------

    /// Runs `change` on a local holding the part of `place` that changes (its handle,
    /// or its value for scalars), then writes the changed part back up to the root.
    /// `change` either mutates the handle in place or stores a new value in the local.
    /// `reads_current`: `change` needs the part's current value (a compound assignment or
    /// an in-place change, which abort on an absent map key); a plain `=` does not.
    fn change_place(
        &mut self,
        place: &'c Place,
        loc: Loc,
        reads_current: bool,
        change: &mut dyn FnMut(&mut Self, u32) -> Result,
    ) -> Result {
        // The root value.
        let root = match &place.root {
            PlaceRoot::Local(id) => {
                let local = self.local(*id);
                if place.path.is_empty() {
                    return change(self, local);
                }
                local
            }
            PlaceRoot::State(id) => {
                self.i32_const(id.0);
                self.host(HostFn::StateLoad);
                let local = self.temp();
                self.emit(I::LocalSet(local));
                local
            }
            PlaceRoot::StateEntry { state, key } => {
                let key_local = self.expr_to_local(key)?;
                if place.path.is_empty() {
                    // `m[k] op= v` reads the entry (aborting when absent); `m[k] = v`
                    // does not, so `change` is given the key's slot to fill.
                    let value = self.temp();
                    if reads_current {
                        self.persistent_entry(state.0, key_local, value, loc);
                    }
                    change(self, value)?;
                    self.i32_const(state.0);
                    self.emit(I::LocalGet(key_local));
                    self.emit(I::LocalGet(value));
                    self.host(HostFn::PmapSet);
                    return Ok(());
                }
                let local = self.temp();
                self.persistent_entry(state.0, key_local, local, loc);
                // Written back at the end.
                let root = root_entry(local, key_local, state.0);
                return self.place_chain(place, root, loc, reads_current, change);
            }
        };
        let root_kind = match &place.root {
            PlaceRoot::State(id) => Root::State(id.0, root),
            _ => Root::Local(root),
        };
        self.place_chain(place, root_kind, loc, reads_current, change)
    }

    /// Loads the entry `key` of persistent map `state` into `target`, aborting when absent.
    fn persistent_entry(&mut self, state: u32, key: u32, target: u32, loc: Loc) {
        self.i32_const(state);
        self.emit(I::LocalGet(key));
        self.host(HostFn::PmapGet);
        self.unwrap_or_abort("no entry for this key", loc);
        self.emit(I::LocalSet(target));
    }

    fn place_chain(
        &mut self,
        place: &'c Place,
        root: Root,
        loc: Loc,
        reads_current: bool,
        change: &mut dyn FnMut(&mut Self, u32) -> Result,
    ) -> Result {
        let root_local = match root {
            Root::Local(local) | Root::State(_, local) | Root::Entry { local, .. } => local,
        };
        if place.path.is_empty() {
            change(self, root_local)?;
        } else {
            // containers[i] holds the value the i-th projection applies to.
            let mut containers = vec![root_local];
            let mut keys = Vec::new();
            for (index, projection) in place.path.iter().enumerate() {
                let key = match projection {
                    Projection::Field(field) => Key::Field(*field),
                    Projection::ListIndex(e) => Key::Index(self.expr_to_local(e)?),
                    Projection::MapKey(e) => Key::Entry(self.expr_to_local(e)?),
                };
                keys.push(key);
                if index + 1 == place.path.len() {
                    break;
                }
                let container = *containers.last().ok_or_else(|| error("empty place"))?;
                self.emit(I::LocalGet(container));
                self.get_part(key, loc);
                self.host(HostFn::ValCopy);
                let part = self.temp();
                self.emit(I::LocalSet(part));
                containers.push(part);
            }
            // The changed part itself.
            let last_key = *keys.last().ok_or_else(|| error("empty place"))?;
            let last_container = *containers.last().ok_or_else(|| error("empty place"))?;
            let part = self.temp();
            if reads_current {
                self.emit(I::LocalGet(last_container));
                self.get_part(last_key, loc);
                if !place.ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
                self.emit(I::LocalSet(part));
            }
            change(self, part)?;
            // Write back, innermost first.
            let mut value = part;
            for (container, key) in containers.iter().zip(keys.iter()).rev() {
                self.emit(I::LocalGet(*container));
                match key {
                    Key::Field(field) => {
                        self.i32_const(*field);
                        self.emit(I::LocalGet(value));
                        self.host(HostFn::RecordSetMut);
                    }
                    Key::Index(local) | Key::Entry(local) => {
                        self.emit(I::LocalGet(*local));
                        self.emit(I::LocalGet(value));
                        self.host(HostFn::MapSetMut);
                    }
                }
                value = *container;
            }
        }
        match root {
            Root::Local(_) => {}
            Root::State(state, local) => {
                self.i32_const(state);
                self.emit(I::LocalGet(local));
                self.host(HostFn::StateStore);
            }
            Root::Entry { state, key, local } => {
                self.i32_const(state);
                self.emit(I::LocalGet(key));
                self.emit(I::LocalGet(local));
                self.host(HostFn::PmapSet);
            }
        }
        Ok(())
    }

    /// `container` on the stack → its part at `key`.
    fn get_part(&mut self, key: Key, loc: Loc) {
        match key {
            Key::Field(field) => {
                self.i32_const(field);
                self.host(HostFn::RecordGet);
            }
            Key::Index(index) => {
                self.emit(I::LocalGet(index));
                self.host(HostFn::CollAt);
            }
            Key::Entry(key) => {
                self.emit(I::LocalGet(key));
                self.host(HostFn::MapGet);
                self.unwrap_or_abort("no entry for this key", loc);
            }
        }
    }

    // ---- blocks and statements ---------------------------------------------------------

    /// A block; leaves a value exactly when `wants_value`.
    pub(super) fn block(&mut self, block: &'c Block, wants_value: bool) -> Result {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        match &block.tail {
            Some(tail) => {
                self.expr(tail)?;
                if has_value(&tail.ty) && !wants_value {
                    self.emit(I::Drop);
                }
                if wants_value && !has_value(&tail.ty) {
                    self.emit(I::Unreachable);
                }
            }
            None => {
                if wants_value {
                    // The block ends in `return` or `abort` on every path.
                    self.emit(I::Unreachable);
                }
            }
        }
        Ok(())
    }

    fn stmt(&mut self, stmt: &'c Stmt) -> Result {
        crate::stack::guarded(|| self.stmt_inner(stmt))
    }

    fn stmt_inner(&mut self, stmt: &'c Stmt) -> Result {
        match &stmt.kind {
            StmtKind::Let { local, value } => {
                self.expr(value)?;
                if self.local_def(*local).is_some_and(|d| d.mutable) && !value.ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
                let target = self.local(*local);
                self.emit(I::LocalSet(target));
            }
            StmtKind::Assign { place, op, value } => {
                let op = *op;
                let scalar = place.ty.is_scalar();
                let loc = stmt.loc;
                self.change_place(place, stmt.loc, op.is_some(), &mut |this, target| {
                    match op {
                        None => {
                            this.expr(value)?;
                            if !scalar {
                                this.host(HostFn::ValCopy);
                            }
                        }
                        Some(op) => {
                            this.emit(I::LocalGet(target));
                            this.expr(value)?;
                            this.apply_compound(op, loc)?;
                        }
                    }
                    this.emit(I::LocalSet(target));
                    Ok(())
                })?;
            }
            StmtKind::Expr(expr) => {
                self.expr(expr)?;
                if has_value(&expr.ty) {
                    self.emit(I::Drop);
                }
            }
            StmtKind::For {
                binding,
                iter,
                body,
            } => self.for_loop(binding, iter, body)?,
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    self.expr(value)?;
                }
                self.emit(I::Return);
            }
            StmtKind::Require { cond, message } => {
                self.expr(cond)?;
                self.condition();
                self.emit(I::I32Eqz);
                self.emit(I::If(BlockType::Empty));
                self.expr(message)?;
                self.abort_with_message_on_stack(stmt.loc);
                self.emit(I::End);
            }
            StmtKind::Abort(message) => {
                self.expr(message)?;
                self.abort_with_message_on_stack(stmt.loc);
            }
            StmtKind::Authorize(call) => {
                let decision = self.expr_to_local(call)?;
                self.emit(I::LocalGet(decision));
                self.i32_const(0);
                self.host(HostFn::RecordGet);
                self.emit(I::I64Eqz);
                self.emit(I::If(BlockType::Empty));
                self.raw_constant(&Ty::String, b"denied by rule ");
                self.emit(I::LocalGet(decision));
                self.i32_const(1);
                self.host(HostFn::RecordGet);
                self.host(HostFn::StrConcat);
                self.abort_with_message_on_stack(stmt.loc);
                self.emit(I::End);
            }
            StmtKind::Emit {
                event,
                audit,
                fields,
            } => {
                let mut locals = Vec::new();
                for field in fields {
                    locals.push(self.expr_to_local(field)?);
                }
                self.store_slots(&locals)?;
                self.i32_const(event.0);
                self.i32_const(0);
                self.i32_const(u32::from(*audit));
                self.host(HostFn::Emit);
            }
        }
        Ok(())
    }

    /// `current op value` for `+=`, `-=`, `*=` (both operands on the stack).
    fn apply_compound(&mut self, op: BinaryOp, loc: Loc) -> Result {
        use BinaryOp::*;
        match op {
            IntAdd | MoneyAdd | PercentAdd | DurationAdd | TimePlusDuration => {
                self.checked(Helper::Add, loc);
            }
            IntSub | MoneySub | PercentSub | DurationSub | TimeMinusDuration | TimeMinusTime => {
                self.checked(Helper::Sub, loc);
            }
            IntMul | MoneyTimesInt | IntTimesMoney | DurationTimesInt => {
                self.checked(Helper::Mul, loc);
            }
            IntDiv => self.checked(Helper::Div, loc),
            IntRem => self.checked(Helper::Rem, loc),
            MoneyDivInt => self.host(HostFn::DivRound),
            MoneyTimesPercent | IntTimesPercent => self.host(HostFn::MulPercent),
            StringConcat => self.host(HostFn::StrConcat),
            other => return Err(error(format!("`{}=` is not an assignment", other.symbol()))),
        }
        Ok(())
    }

    fn for_loop(&mut self, binding: &ForBinding, iter: &'c ForIter, body: &'c Block) -> Result {
        match iter {
            ForIter::Range { start, end } => {
                let counter = self.expr_to_local(start)?;
                let limit = self.expr_to_local(end)?;
                self.emit(I::Block(BlockType::Empty));
                self.emit(I::Loop(BlockType::Empty));
                self.emit(I::LocalGet(counter));
                self.emit(I::LocalGet(limit));
                self.emit(I::I64GeS);
                self.emit(I::BrIf(1));
                if let ForBinding::Name(Some(id)) = binding {
                    let local = self.local(*id);
                    self.emit(I::LocalGet(counter));
                    self.emit(I::LocalSet(local));
                }
                self.block(body, false)?;
                // counter < limit <= i64::MAX, so the increment cannot overflow.
                self.emit(I::LocalGet(counter));
                self.emit(I::I64Const(1));
                self.emit(I::I64Add);
                self.emit(I::LocalSet(counter));
                self.emit(I::Br(0));
                self.emit(I::End);
                self.emit(I::End);
            }
            ForIter::List(collection) | ForIter::Set(collection) | ForIter::Map(collection) => {
                // Iterate over a snapshot: the body may change the collection's local.
                self.expr(collection)?;
                self.host(HostFn::ValCopy);
                let items = self.temp();
                self.emit(I::LocalTee(items));
                self.host(HostFn::CollLen);
                let count = self.temp();
                self.emit(I::LocalSet(count));
                let index = self.temp();
                self.emit(I::I64Const(0));
                self.emit(I::LocalSet(index));
                self.emit(I::Block(BlockType::Empty));
                self.emit(I::Loop(BlockType::Empty));
                self.emit(I::LocalGet(index));
                self.emit(I::LocalGet(count));
                self.emit(I::I64GeS);
                self.emit(I::BrIf(1));
                self.emit(I::LocalGet(items));
                self.emit(I::LocalGet(index));
                self.host(HostFn::CollAt);
                let element = self.temp();
                self.emit(I::LocalSet(element));
                match binding {
                    ForBinding::Name(Some(id)) => {
                        let local = self.local(*id);
                        self.emit(I::LocalGet(element));
                        self.emit(I::LocalSet(local));
                    }
                    ForBinding::Name(None) => {}
                    ForBinding::Tuple(parts) => {
                        for (position, part) in parts.iter().enumerate() {
                            if let Some(id) = part {
                                let local = self.local(*id);
                                self.emit(I::LocalGet(element));
                                self.i32_const(position as u32);
                                self.host(HostFn::RecordGet);
                                self.emit(I::LocalSet(local));
                            }
                        }
                    }
                }
                self.block(body, false)?;
                self.emit(I::LocalGet(index));
                self.emit(I::I64Const(1));
                self.emit(I::I64Add);
                self.emit(I::LocalSet(index));
                self.emit(I::Br(0));
                self.emit(I::End);
                self.emit(I::End);
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Const(u32),
    Local(u32),
    /// `table[variant]`: a `u32` at `table + 4 * variant`.
    Table(u32, u32),
}

#[derive(Clone, Copy)]
enum Key {
    Field(u32),
    Index(u32),
    Entry(u32),
}

#[derive(Clone, Copy)]
enum Root {
    Local(u32),
    State(u32, u32),
    Entry { state: u32, key: u32, local: u32 },
}

fn root_entry(local: u32, key: u32, state: u32) -> Root {
    Root::Entry { state, key, local }
}
