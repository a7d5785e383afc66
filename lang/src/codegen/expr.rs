//! Expressions and constant values to instructions.
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
    BinaryOp, Builtin, ContextVar, Expr, ExprKind, Loc, MutateOp, PersistentOp, Ty, UnaryOp,
};

type Result<T = ()> = std::result::Result<T, CodegenError>;

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    // ---- constants ---------------------------------------------------------------------

    /// A constant value of type `ty`.
    pub(super) fn value(&mut self, value: &Value, ty: &Ty) -> Result {
        crate::stack::guarded(|| self.value_inner(value, ty))
    }

    pub(super) fn value_inner(&mut self, value: &Value, ty: &Ty) -> Result {
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
    pub(super) fn new_collection(&mut self, ty: &Ty) -> u32 {
        let id = self.types.id(ty);
        self.i32_const(id);
        self.host(HostFn::CollNew);
        let local = self.temp();
        self.emit(I::LocalSet(local));
        local
    }

    /// The field types of a record, tuple or Decision.
    pub(super) fn field_types(&self, ty: &Ty) -> Result<Vec<Ty>> {
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
    pub(super) fn expr_to_local(&mut self, expr: &'c Expr) -> Result<u32> {
        self.expr(expr)?;
        let local = self.temp();
        self.emit(I::LocalSet(local));
        Ok(local)
    }

    pub(super) fn expr_inner(&mut self, expr: &'c Expr) -> Result {
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
            ExprKind::OptionalField { base, index } => self.optional_field(base, *index, expr)?,
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

    /// `base?.f`: `none` of the result's type when `base` is `none`, else the field of
    /// the record inside, wrapped in `some` unless the field is an option already.
    fn optional_field(&mut self, base: &'c Expr, index: u32, expr: &'c Expr) -> Result {
        let Ty::Option(record) = &base.ty else {
            return Err(error("`?.` on a value that is not an option"));
        };
        let field = self
            .field_types(record)?
            .get(index as usize)
            .cloned()
            .ok_or_else(|| error("`?.` of an unknown field"))?;
        let wrap = field != expr.ty;
        let result_type = self.types.id(&expr.ty);
        let option = self.expr_to_local(base)?;
        self.emit(I::LocalGet(option));
        self.host(HostFn::OptIsSome);
        self.emit(I::If(BlockType::Result(ValType::I64)));
        if wrap {
            self.i32_const(result_type);
        }
        self.emit(I::LocalGet(option));
        self.host(HostFn::OptUnwrap);
        self.i32_const(index);
        self.host(HostFn::RecordGet);
        if wrap {
            self.host(HostFn::OptSome);
        }
        self.emit(I::Else);
        self.i32_const(result_type);
        self.host(HostFn::OptNone);
        self.emit(I::End);
        Ok(())
    }

    /// Whether `base?.f ?? d` (as `expr`) has the field's own type: then no option of the
    /// field need be built and unwrapped again.
    fn reads_field_as_is(&self, base: &Expr, index: u32, expr: &Expr) -> Result<bool> {
        let Ty::Option(record) = &base.ty else {
            return Ok(false);
        };
        let field = self.field_types(record)?;
        Ok(field.get(index as usize) == Some(&expr.ty))
    }

    /// `base?.f ?? d` for a field that is not an option: the field when `base` is `some`,
    /// else `d` (evaluated only then), as `??` of `?.` gives, without the option between.
    fn field_or_default(&mut self, base: &'c Expr, index: u32, default: &'c Expr) -> Result {
        let option = self.expr_to_local(base)?;
        self.emit(I::LocalGet(option));
        self.host(HostFn::OptIsSome);
        self.emit(I::If(BlockType::Result(ValType::I64)));
        self.emit(I::LocalGet(option));
        self.host(HostFn::OptUnwrap);
        self.i32_const(index);
        self.host(HostFn::RecordGet);
        self.emit(I::Else);
        self.expr(default)?;
        self.emit(I::End);
        Ok(())
    }

    /// Calls a checked-arithmetic helper on the two operands on the stack.
    pub(super) fn checked(&mut self, helper: Helper, loc: Loc) {
        let position = self.packed_position(loc);
        self.emit(I::I64Const(position));
        self.emit(I::Call(runtime::index(helper, self.indices)));
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &'c Expr,
        rhs: &'c Expr,
        expr: &'c Expr,
    ) -> Result {
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
                if let ExprKind::OptionalField { base, index } = &lhs.kind
                    && self.reads_field_as_is(base, *index, expr)?
                {
                    return self.field_or_default(base, *index, rhs);
                }
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
        if self.arithmetic(op, expr.loc) {
            return Ok(());
        }
        match op {
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
            And | Or | Default | InEnum | InList | InSet | InMapKeys | IntAdd | MoneyAdd
            | PercentAdd | DurationAdd | TimePlusDuration | IntSub | MoneySub | PercentSub
            | DurationSub | TimeMinusDuration | TimeMinusTime | IntMul | MoneyTimesInt
            | IntTimesMoney | DurationTimesInt | IntDiv | IntRem | MoneyDivInt | DurationDivInt
            | DurationDivDuration | DurationRem | MoneyTimesPercent | IntTimesPercent
            | StringConcat => {
                return Err(error("operator lowered twice"));
            }
        }
        Ok(())
    }

    /// An arithmetic operator (or `+` on strings) on the two operands on the stack, as
    /// both `a op b` and `x op= b` use it; `false` for any other operator.
    pub(super) fn arithmetic(&mut self, op: BinaryOp, loc: Loc) -> bool {
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
            IntDiv | DurationDivInt | DurationDivDuration => self.checked(Helper::Div, loc),
            IntRem | DurationRem => self.checked(Helper::Rem, loc),
            MoneyDivInt => self.host(HostFn::DivRound),
            MoneyTimesPercent | IntTimesPercent => self.host(HostFn::MulPercent),
            StringConcat => self.host(HostFn::StrConcat),
            _ => return false,
        }
        true
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

    pub(super) fn builtin(&mut self, builtin: Builtin, args: &'c [Expr], expr: &'c Expr) -> Result {
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
            Builtin::Sha3Packed => {
                // The tuple of the arguments, hashed packed: a negative count.
                self.args_tuple(args)?;
                self.emit(I::I32Const(-(args.len() as i32)));
                self.host(HostFn::Sha3);
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
                    self.args_tuple(args)?;
                    self.i32_const(args.len() as u32);
                    self.host(HostFn::Sha3);
                }
            }
            Builtin::Recover => {
                self.two_args_then(args, HostFn::Recover)?;
            }
            Builtin::StartsWith => {
                self.two_args_then(args, HostFn::StrStartsWith)?;
                self.bool_from_i32();
            }
            Builtin::StrBytes => {
                self.expr(arg(0)?)?;
                self.host(HostFn::StrBytes);
            }
            Builtin::ByteAt => {
                self.two_args_then(args, HostFn::BytesAt)?;
            }
            Builtin::ListAt => {
                self.two_args_then(args, HostFn::CollAt)?;
            }
            Builtin::MapAt => {
                self.two_args_then(args, HostFn::MapGet)?;
                self.unwrap_or_abort("no entry for this key", expr.loc);
            }
            Builtin::MapGet => {
                self.two_args_then(args, HostFn::MapGet)?;
            }
            Builtin::Contains => {
                self.two_args_then(args, HostFn::CollContains)?;
                self.bool_from_i32();
            }
            // A Duration is its number of seconds: the conversions change only the type.
            Builtin::Seconds | Builtin::DurationSeconds => self.expr(arg(0)?)?,
            Builtin::Day => self.day(arg(0)?, expr.loc)?,
            Builtin::ToString => {
                let value = arg(0)?;
                let id = self.types.id(&value.ty);
                self.i32_const(id);
                self.expr(value)?;
                self.host(HostFn::ValToString);
            }
            Builtin::ExplainNote(note) => {
                let value = arg(0)?;
                let id = self.types.id(&value.ty);
                self.expr(value)?;
                self.i32_const(note);
                self.i32_const(id);
                self.host(HostFn::ExplainNote);
            }
        }
        Ok(())
    }

    /// `t.day()`: `t - t.rem_euclid(86400)`, the remainder made non-negative so a time
    /// before 1970 rounds down to its own day's start too. Only the subtraction can
    /// overflow (for a time within a day of the smallest `i64`).
    fn day(&mut self, time: &'c Expr, loc: Loc) -> Result {
        const DAY: i64 = 86_400;
        let t = self.expr_to_local(time)?;
        let remainder = self.temp();
        self.emit(I::LocalGet(t));
        self.emit(I::I64Const(DAY));
        self.emit(I::I64RemS);
        self.emit(I::LocalTee(remainder));
        self.emit(I::I64Const(0));
        self.emit(I::I64LtS);
        self.emit(I::If(BlockType::Empty));
        self.emit(I::LocalGet(remainder));
        self.emit(I::I64Const(DAY));
        self.emit(I::I64Add);
        self.emit(I::LocalSet(remainder));
        self.emit(I::End);
        self.emit(I::LocalGet(t));
        self.emit(I::LocalGet(remainder));
        self.checked(Helper::Sub, loc);
        Ok(())
    }

    /// A tuple of `args` (for `sha3` of several arguments, a key prefix): each evaluated
    /// into the scratch slots in order, then one `record_new` of the tuple's type.
    pub(super) fn args_tuple(&mut self, args: &'c [Expr]) -> Result {
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
        Ok(())
    }

    /// Both arguments of a two-argument built-in, then its host function.
    fn two_args_then(&mut self, args: &'c [Expr], host: HostFn) -> Result {
        let [first, second] = args else {
            return Err(error("a built-in given the wrong number of arguments"));
        };
        self.expr(first)?;
        self.expr(second)?;
        self.host(host);
        Ok(())
    }

    /// The option handle on the stack: its value, or an abort with `message`.
    pub(super) fn unwrap_or_abort(&mut self, message: &str, loc: Loc) {
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

    pub(super) fn persistent(
        &mut self,
        state: u32,
        op: PersistentOp,
        args: &'c [Expr],
        loc: Loc,
    ) -> Result {
        if op == PersistentOp::Len {
            self.i32_const(state);
            self.host(HostFn::PmapLen);
            return Ok(());
        }
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
            PersistentOp::Len => self.host(HostFn::PmapLen),
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
