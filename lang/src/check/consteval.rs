//! Compile-time constants: `const` values and state initialisers, evaluated once.
//!
//! A constant is built from literals, operators, other constants, enum variants,
//! `some`/`none`, records, tuples and collection literals; anything that needs a
//! transaction (`now`, state, calls) is E0212. Arithmetic follows the run-time rules
//! exactly, and an overflow or a division by zero here is an error too.

use assent_stdlib::value::Value;

use super::body;
use super::program::{ConstValue, ModuleId, Program};
use crate::diagnostics::syntax_errors;
use crate::diagnostics::type_errors::{self, NotConstant};
use crate::span::{FileId, Span};
use crate::syntax::ast;
use crate::typed::{BinaryOp, ConstId, Expr, ExprKind, Ty, UnaryOp};

/// Constants defined through more constants than this are reported (E0012).
const MAX_CONST_DEPTH: u32 = 64;

/// Evaluates constant `id` unless already done.
pub(super) fn ensure(program: &mut Program, id: ConstId, depth: u32) {
    let Some(info) = program.consts.get(id.index()) else {
        return;
    };
    if !matches!(info.value, ConstValue::Pending) {
        return;
    }
    let (module, item, ty, file, span) = (
        info.module,
        info.item,
        info.ty.clone(),
        info.file,
        info.span,
    );
    if depth > MAX_CONST_DEPTH {
        program.report(syntax_errors::constants_too_deep(
            file,
            span,
            MAX_CONST_DEPTH,
        ));
        set(program, id, ConstValue::Failed);
        return;
    }
    let Some(expr) = program.module(module).and_then(|m| {
        m.ast.items.get(item).and_then(|item| match &item.kind {
            ast::ItemKind::Const(c) => Some(c.value.clone()),
            _ => None,
        })
    }) else {
        return;
    };
    set(program, id, ConstValue::InProgress);
    let typed = body::check_const(program, module, &expr, &ty);
    let value = Evaluator {
        program,
        file,
        depth,
        reported: false,
    }
    .eval(&typed);
    set(
        program,
        id,
        value.map_or(ConstValue::Failed, ConstValue::Done),
    );
}

fn set(program: &mut Program, id: ConstId, value: ConstValue) {
    if let Some(info) = program.consts.get_mut(id.index()) {
        info.value = value;
    }
}

/// Checks and evaluates `expr` (of type `ty`) as a compile-time constant; `None` after
/// an error (reported).
pub(super) fn evaluate(
    program: &mut Program,
    module: ModuleId,
    expr: &ast::Expr,
    ty: &Ty,
) -> Option<Value> {
    let typed = body::check_const(program, module, expr, ty);
    let file = program.file_of(module);
    Evaluator {
        program,
        file,
        depth: 0,
        reported: false,
    }
    .eval(&typed)
}

struct Evaluator<'p> {
    program: &'p mut Program,
    file: FileId,
    depth: u32,
    /// One report per constant is enough.
    reported: bool,
}

type Eval = Result<Value, ()>;

impl Evaluator<'_> {
    fn fail(&mut self, span: Span, why: NotConstant<'_>) -> Eval {
        if !self.reported {
            self.reported = true;
            self.program
                .report(type_errors::not_constant(self.file, span, why));
        }
        Err(())
    }

    fn eval(mut self, expr: &Expr) -> Option<Value> {
        if expr.ty.has_error() {
            return None;
        }
        self.value(expr).ok()
    }

    fn value(&mut self, expr: &Expr) -> Eval {
        crate::stack::guarded(|| self.value_guarded(expr))
    }

    fn value_guarded(&mut self, expr: &Expr) -> Eval {
        let span = expr.loc.span;
        match &expr.kind {
            ExprKind::Literal(v) => Ok(v.clone()),
            ExprKind::Const(id) => {
                ensure(self.program, *id, self.depth + 1);
                match self.program.consts.get(id.index()).map(|c| &c.value) {
                    Some(ConstValue::Done(v)) => Ok(v.clone()),
                    Some(ConstValue::InProgress) => {
                        let name = self
                            .program
                            .consts
                            .get(id.index())
                            .map_or(String::new(), |c| c.name.clone());
                        self.fail(span, NotConstant::SelfReference(&name))
                    }
                    _ => Err(()),
                }
            }
            ExprKind::Variant { ordinal, .. } => Ok(Value::Enum(*ordinal)),
            ExprKind::Some(inner) => Ok(Value::some(self.value(inner)?)),
            ExprKind::None => Ok(Value::Option(None)),
            ExprKind::Tuple(items) | ExprKind::Record { fields: items, .. } => {
                Ok(Value::Record(self.values(items)?))
            }
            ExprKind::RecordUpdate { base, fields } => {
                let Value::Record(mut values) = self.value(base)? else {
                    return Err(());
                };
                for (index, field) in fields {
                    let v = self.value(field)?;
                    if let Some(slot) = values.get_mut(*index as usize) {
                        *slot = v;
                    }
                }
                Ok(Value::Record(values))
            }
            ExprKind::Field { base, index } => match self.value(base)? {
                Value::Record(values) => values.get(*index as usize).cloned().ok_or(()),
                _ => Err(()),
            },
            ExprKind::OptionalField { base, index } => match self.value(base)? {
                Value::Option(None) => Ok(Value::Option(None)),
                Value::Option(Some(inner)) => match &*inner {
                    Value::Record(values) => match values.get(*index as usize).cloned() {
                        // A field that is an option is the result as it is.
                        Some(field @ Value::Option(_)) => Ok(field),
                        Some(field) => Ok(Value::some(field)),
                        None => Err(()),
                    },
                    _ => Err(()),
                },
                _ => Err(()),
            },
            ExprKind::List(items) => Ok(Value::List(self.values(items)?)),
            ExprKind::Set(items) => Ok(Value::set_from(self.values(items)?)),
            ExprKind::Map(entries) => {
                let mut pairs = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    pairs.push((self.value(k)?, self.value(v)?));
                }
                match Value::map_from(pairs) {
                    Ok(map) => Ok(map),
                    Err(_) => self.fail(span, NotConstant::DuplicateKey),
                }
            }
            ExprKind::Unary { op, operand } => {
                let v = self.value(operand)?;
                match (op, v) {
                    (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                    (UnaryOp::Neg, v) => match scalar(&v).and_then(i64::checked_neg) {
                        Some(n) => Ok(rebuild(&v, n)),
                        None => self.overflow(span),
                    },
                    _ => Err(()),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span),
            ExprKind::Context(var) => {
                let word = match var {
                    ast::ContextVar::Caller => "caller",
                    ast::ContextVar::Origin => "origin",
                    ast::ContextVar::Now => "now",
                    ast::ContextVar::Block => "block",
                    ast::ContextVar::SelfAddress => "self",
                };
                self.fail(span, NotConstant::ContextWord(word))
            }
            ExprKind::State(_) | ExprKind::Persistent { .. } => self.fail(span, NotConstant::State),
            ExprKind::Call { .. } | ExprKind::CrossCall { .. } | ExprKind::Builtin { .. } => {
                self.fail(span, NotConstant::Call)
            }
            ExprKind::If { .. }
            | ExprKind::IfLet { .. }
            | ExprKind::Match { .. }
            | ExprKind::Block(_) => self.fail(span, NotConstant::ControlFlow),
            ExprKind::Param(_) | ExprKind::Local(_) | ExprKind::Mutate { .. } => Err(()),
        }
    }

    fn values(&mut self, items: &[Expr]) -> Result<Vec<Value>, ()> {
        items.iter().map(|item| self.value(item)).collect()
    }

    fn overflow(&mut self, span: Span) -> Eval {
        self.fail(span, NotConstant::Overflow)
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> Eval {
        use BinaryOp::*;
        let a = self.value(lhs)?;
        match op {
            And => {
                return match a {
                    Value::Bool(false) => Ok(Value::Bool(false)),
                    _ => self.value(rhs),
                };
            }
            Or => {
                return match a {
                    Value::Bool(true) => Ok(Value::Bool(true)),
                    _ => self.value(rhs),
                };
            }
            Default => {
                return match a {
                    Value::Option(Some(inner)) => {
                        if matches!(rhs.ty, Ty::Option(_)) {
                            Ok(Value::Option(Some(inner)))
                        } else {
                            Ok(std::sync::Arc::unwrap_or_clone(inner))
                        }
                    }
                    _ => self.value(rhs),
                };
            }
            _ => {}
        }
        let b = self.value(rhs)?;
        let result = match op {
            Eq => Some(Value::Bool(a == b)),
            Ne => Some(Value::Bool(a != b)),
            Lt => Some(Value::Bool(a < b)),
            Le => Some(Value::Bool(a <= b)),
            Gt => Some(Value::Bool(a > b)),
            Ge => Some(Value::Bool(a >= b)),
            InList | InSet => match &b {
                Value::List(items) | Value::Set(items) => Some(Value::Bool(items.contains(&a))),
                _ => None,
            },
            InMapKeys => match &b {
                Value::Map(entries) => Some(Value::Bool(entries.iter().any(|(k, _)| *k == a))),
                _ => None,
            },
            InEnum => match (&a, &b, &rhs.ty) {
                (Value::Enum(x), Value::Enum(v), Ty::Enum(id)) => {
                    let end = self
                        .program
                        .enum_info(*id)
                        .and_then(|e| e.def.variants.get(*v as usize))
                        .map_or(*v + 1, |variant| variant.end);
                    Some(Value::Bool(v <= x && *x < end))
                }
                _ => None,
            },
            StringConcat => match (&a, &b) {
                (Value::String(x), Value::String(y)) => Some(Value::String(format!("{x}{y}"))),
                _ => None,
            },
            _ => {
                let (Some(x), Some(y)) = (scalar(&a), scalar(&b)) else {
                    return Err(());
                };
                if matches!(
                    op,
                    IntDiv
                        | IntRem
                        | MoneyDivInt
                        | DurationDivInt
                        | DurationDivDuration
                        | DurationRem
                ) && y == 0
                {
                    return self.fail(span, NotConstant::DivisionByZero);
                }
                let n = match op {
                    IntAdd | MoneyAdd | PercentAdd | DurationAdd | TimePlusDuration => {
                        x.checked_add(y)
                    }
                    IntSub | MoneySub | PercentSub | DurationSub | TimeMinusDuration
                    | TimeMinusTime => x.checked_sub(y),
                    IntMul | MoneyTimesInt | IntTimesMoney | DurationTimesInt => x.checked_mul(y),
                    IntDiv | DurationDivInt | DurationDivDuration => x.checked_div(y),
                    IntRem | DurationRem => x.checked_rem(y),
                    MoneyDivInt => div_round(x, y),
                    MoneyTimesPercent | IntTimesPercent => mul_percent(x, y),
                    _ => return Err(()),
                };
                let Some(n) = n else {
                    return self.overflow(span);
                };
                Some(match expr_scalar_kind(&lhs.ty, &rhs.ty, op) {
                    Ty::Money => Value::Money(n),
                    Ty::Percent => Value::Percent(n),
                    Ty::Time => Value::Time(n),
                    Ty::Duration => Value::Duration(n),
                    _ => Value::Int(n),
                })
            }
        };
        result.ok_or(())
    }
}

/// The result type of a scalar arithmetic operator.
fn expr_scalar_kind(lhs: &Ty, rhs: &Ty, op: BinaryOp) -> Ty {
    use BinaryOp::*;
    match op {
        TimeMinusTime => Ty::Duration,
        DurationDivDuration => Ty::Int,
        IntTimesMoney => Ty::Money,
        IntTimesPercent => Ty::Int,
        _ => {
            let _ = rhs;
            lhs.clone()
        }
    }
}

fn scalar(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n)
        | Value::Money(n)
        | Value::Percent(n)
        | Value::Time(n)
        | Value::Duration(n) => Some(*n),
        _ => None,
    }
}

fn rebuild(like: &Value, n: i64) -> Value {
    match like {
        Value::Money(_) => Value::Money(n),
        Value::Percent(_) => Value::Percent(n),
        Value::Time(_) => Value::Time(n),
        Value::Duration(_) => Value::Duration(n),
        _ => Value::Int(n),
    }
}

/// `amount * percent` (basis points), rounded half away from zero; `None` on overflow.
pub(crate) fn mul_percent(amount: i64, basis_points: i64) -> Option<i64> {
    let product = i128::from(amount) * i128::from(basis_points);
    let quotient = product / 10_000;
    let remainder = product % 10_000;
    let rounded = if remainder.abs() * 2 >= 10_000 {
        quotient + product.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

/// `amount / divisor`, rounded half away from zero; `None` on division by zero or overflow.
pub(crate) fn div_round(amount: i64, divisor: i64) -> Option<i64> {
    if divisor == 0 {
        return None;
    }
    let (a, b) = (i128::from(amount), i128::from(divisor));
    let quotient = a / b;
    let remainder = a % b;
    let rounded = if remainder.abs() * 2 >= b.abs() {
        quotient + a.signum() * b.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

#[cfg(test)]
mod tests {
    use super::{div_round, mul_percent};

    #[test]
    fn percent_and_division_round_half_away_from_zero() {
        assert_eq!(mul_percent(1000, 2000), Some(200));
        assert_eq!(mul_percent(5, 5000), Some(3));
        assert_eq!(mul_percent(-5, 5000), Some(-3));
        assert_eq!(mul_percent(4, 5000), Some(2));
        assert_eq!(mul_percent(1, 4999), Some(0));
        assert_eq!(mul_percent(i64::MAX, 20_000), None);
        assert_eq!(div_round(5, 2), Some(3));
        assert_eq!(div_round(-5, 2), Some(-3));
        assert_eq!(div_round(5, -2), Some(-3));
        assert_eq!(div_round(7, 3), Some(2));
        assert_eq!(div_round(1, 0), None);
        assert_eq!(div_round(i64::MIN, -1), None);
    }
}
