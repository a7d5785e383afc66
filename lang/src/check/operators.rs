//! Unary and binary operators: the typing table of LANGUAGE.md §4 and its diagnostics.

use super::body::{Cx, Expect};
use super::coerce::{int_literal, literal_unit};
use super::program::{Decl, ScopeEntry};
use crate::diagnostics::type_errors::{self, ArithmeticAdvice};
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp as Op};
use crate::typed::{BinaryOp, Expr, ExprKind, PersistentOp, Ty, UnaryOp};

/// The arithmetic table: the typed operator and result type of `l op r`, if defined.
pub(super) fn arithmetic(op: Op, l: &Ty, r: &Ty) -> Option<(BinaryOp, Ty)> {
    use Ty::*;
    let (typed, result) = match (op, l, r) {
        (Op::Add, Int, Int) => (BinaryOp::IntAdd, Int),
        (Op::Sub, Int, Int) => (BinaryOp::IntSub, Int),
        (Op::Mul, Int, Int) => (BinaryOp::IntMul, Int),
        (Op::Div, Int, Int) => (BinaryOp::IntDiv, Int),
        (Op::Rem, Int, Int) => (BinaryOp::IntRem, Int),
        (Op::Add, Money, Money) => (BinaryOp::MoneyAdd, Money),
        (Op::Sub, Money, Money) => (BinaryOp::MoneySub, Money),
        (Op::Mul, Money, Int) => (BinaryOp::MoneyTimesInt, Money),
        (Op::Mul, Int, Money) => (BinaryOp::IntTimesMoney, Money),
        (Op::Div, Money, Int) => (BinaryOp::MoneyDivInt, Money),
        (Op::Mul, Money, Percent) => (BinaryOp::MoneyTimesPercent, Money),
        (Op::Mul, Int, Percent) => (BinaryOp::IntTimesPercent, Int),
        (Op::Add, Percent, Percent) => (BinaryOp::PercentAdd, Percent),
        (Op::Sub, Percent, Percent) => (BinaryOp::PercentSub, Percent),
        (Op::Add, Duration, Duration) => (BinaryOp::DurationAdd, Duration),
        (Op::Sub, Duration, Duration) => (BinaryOp::DurationSub, Duration),
        (Op::Mul, Duration, Int) => (BinaryOp::DurationTimesInt, Duration),
        (Op::Div, Duration, Int) => (BinaryOp::DurationDivInt, Duration),
        (Op::Div, Duration, Duration) => (BinaryOp::DurationDivDuration, Int),
        (Op::Rem, Duration, Duration) => (BinaryOp::DurationRem, Duration),
        (Op::Add, Time, Duration) => (BinaryOp::TimePlusDuration, Time),
        (Op::Sub, Time, Duration) => (BinaryOp::TimeMinusDuration, Time),
        (Op::Sub, Time, Time) => (BinaryOp::TimeMinusTime, Duration),
        (Op::Add, String, String) => (BinaryOp::StringConcat, String),
        _ => return None,
    };
    Some((typed, result))
}

/// Every operand type pair the arithmetic table takes for `op` with left type `l`.
fn accepted_with(op: Op, l: &Ty) -> Vec<(Ty, Ty)> {
    const TYPES: [Ty; 10] = [
        Ty::Int,
        Ty::Money,
        Ty::Percent,
        Ty::Duration,
        Ty::Time,
        Ty::String,
        Ty::Bool,
        Ty::Address,
        Ty::Hash,
        Ty::Bytes,
    ];
    TYPES
        .iter()
        .filter_map(|r| arithmetic(op, l, r).map(|(_, result)| (r.clone(), result)))
        .collect()
}

fn is_negatable(ty: &Ty) -> bool {
    matches!(ty, Ty::Int | Ty::Money | Ty::Percent | Ty::Duration)
}

impl Cx<'_> {
    pub fn check_unary(&mut self, op: ast::UnaryOp, operand: &ast::Expr, span: Span) -> Expr {
        let value = self.check_value(operand);
        let ty = value.ty.clone();
        if matches!(ty, Ty::Error | Ty::Never) {
            return self.error_expr(span);
        }
        let (typed, ok) = match op {
            ast::UnaryOp::Neg => (UnaryOp::Neg, is_negatable(&ty)),
            ast::UnaryOp::Not => (UnaryOp::Not, ty == Ty::Bool),
        };
        if !ok {
            let shown = self.show(&ty);
            let diagnostic = match op {
                ast::UnaryOp::Neg => type_errors::cannot_negate(self.file, span, &shown),
                ast::UnaryOp::Not => type_errors::not_of_non_bool(self.file, span, &shown),
            };
            self.report(diagnostic);
            return self.error_expr(span);
        }
        self.expr(
            ExprKind::Unary {
                op: typed,
                operand: Box::new(value),
            },
            ty,
            span,
        )
    }

    pub fn check_binary(
        &mut self,
        op: Op,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        match op {
            Op::Range => {
                self.check_as(lhs, &Ty::Int);
                self.check_as(rhs, &Ty::Int);
                let diagnostic = type_errors::range_outside_for(self.file, span);
                self.report(diagnostic);
                self.error_expr(span)
            }
            Op::And | Op::Or => self.check_logic(op, op_span, lhs, rhs, span),
            Op::Default => self.check_default(op_span, lhs, rhs, span),
            Op::In => self.check_in(op_span, lhs, rhs, span),
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                self.check_comparison(op, op_span, lhs, rhs, span)
            }
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem => {
                self.check_arithmetic(op, op_span, lhs, rhs, span)
            }
        }
    }

    fn check_logic(
        &mut self,
        op: Op,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        let l = self.check_value(lhs);
        let r = self.check_value(rhs);
        for operand in [&l, &r] {
            if !matches!(operand.ty, Ty::Bool | Ty::Error | Ty::Never) {
                let shown = self.show(&operand.ty);
                let diagnostic = type_errors::logic_of_non_bool(
                    self.file,
                    operand.loc.span,
                    op.as_str(),
                    &shown,
                    op_span,
                );
                self.report(diagnostic);
                return self.error_expr(span);
            }
        }
        let typed = if op == Op::And {
            BinaryOp::And
        } else {
            BinaryOp::Or
        };
        self.binary(typed, l, r, Ty::Bool, span)
    }

    fn binary(&self, op: BinaryOp, lhs: Expr, rhs: Expr, ty: Ty, span: Span) -> Expr {
        if lhs.ty.has_error() || rhs.ty.has_error() {
            return self.error_expr(span);
        }
        self.expr(
            ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            ty,
            span,
        )
    }

    /// Whether an operand needs the other side's type to be checked (`none`, `[]`, `[:]`,
    /// or a bare name that may be a variant).
    fn needs_hint(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::None => true,
            ast::ExprKind::List(items) => items.is_empty(),
            ast::ExprKind::MapLit(entries) => entries.is_empty(),
            ast::ExprKind::Paren(inner) => self.needs_hint(inner),
            ast::ExprKind::Name(name) => {
                self.lookup_local(&name.name).is_none()
                    && self.program.lookup(self.module, &name.name).is_none()
            }
            _ => false,
        }
    }

    /// Both operands of a symmetric operator, each side's type hinting the other, with
    /// the implicit `T` → `T?` conversion applied to whichever side needs it.
    fn check_pair(&mut self, lhs: &ast::Expr, rhs: &ast::Expr) -> (Expr, Expr) {
        let (l, r) = if self.needs_hint(lhs) && !self.needs_hint(rhs) {
            let r = self.check_value(rhs);
            let hint = r.ty.clone();
            let l = self.check_expr(lhs, Expect::Type(&hint));
            (self.require_value(l), r)
        } else {
            let l = self.check_value(lhs);
            let hint = l.ty.clone();
            let r = self.check_expr(rhs, Expect::Type(&hint));
            (l, self.require_value(r))
        };
        if l.ty == r.ty {
            return (l, r);
        }
        match (&l.ty, &r.ty) {
            (Ty::Option(inner), _) if **inner == r.ty || matches!(**inner, Ty::Option(_)) => {
                let target = l.ty.clone();
                let r = self.try_wrap(r, &target);
                (l, r)
            }
            (_, Ty::Option(_)) => {
                let target = r.ty.clone();
                let l = self.try_wrap(l, &target);
                (l, r)
            }
            _ => (l, r),
        }
    }

    /// `expr` converted to the option type `target` when it is its content; unchanged
    /// otherwise (the caller reports the mismatch).
    fn try_wrap(&mut self, expr: Expr, target: &Ty) -> Expr {
        let mut inner = target;
        while let Ty::Option(next) = inner {
            inner = next;
            if expr.ty == **next {
                return self.coerce(expr, target);
            }
        }
        expr
    }

    fn check_comparison(
        &mut self,
        op: Op,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        let (l, r) = self.check_pair(lhs, rhs);
        if l.ty.has_error() || r.ty.has_error() {
            return self.error_expr(span);
        }
        let (lt, rt) = (self.show(&l.ty), self.show(&r.ty));
        if l.ty != r.ty && l.ty != Ty::Never && r.ty != Ty::Never {
            let diagnostic = type_errors::cannot_compare(self.file, op_span, op.as_str(), &lt, &rt);
            self.report(diagnostic);
            return self.error_expr(span);
        }
        let typed = match op {
            Op::Eq => BinaryOp::Eq,
            Op::Ne => BinaryOp::Ne,
            Op::Lt => BinaryOp::Lt,
            Op::Le => BinaryOp::Le,
            Op::Gt => BinaryOp::Gt,
            _ => BinaryOp::Ge,
        };
        let ordering = !matches!(op, Op::Eq | Op::Ne);
        if ordering && !self.program.is_ordered(&l.ty) {
            let diagnostic =
                type_errors::not_ordered(self.file, op_span, op.as_str(), &lt, l.ty == Ty::Bool);
            self.report(diagnostic);
            return self.error_expr(span);
        }
        self.binary(typed, l, r, Ty::Bool, span)
    }

    fn check_arithmetic(
        &mut self,
        op: Op,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        let l = self.check_value(lhs);
        let r = self.check_value(rhs);
        if matches!(l.ty, Ty::Error | Ty::Never) || matches!(r.ty, Ty::Error | Ty::Never) {
            return self.error_expr(span);
        }
        if let Some((typed, ty)) = arithmetic(op, &l.ty, &r.ty) {
            return self.binary(typed, l, r, ty, span);
        }
        let (lt, rt) = (self.show(&l.ty), self.show(&r.ty));
        let literal_fix = |e: &Expr, as_ty: &Ty| int_literal(e).zip(literal_unit(as_ty));
        let wanted_right: Vec<(Ty, Ty)> = accepted_with(op, &l.ty);
        let literal = if r.ty == Ty::Int {
            wanted_right.iter().find_map(|(t, _)| literal_fix(&r, t))
        } else if l.ty == Ty::Int {
            arithmetic(op, &r.ty, &r.ty).and_then(|_| literal_fix(&l, &r.ty))
        } else {
            None
        };
        let advice = if let Some((n, unit)) = literal {
            ArithmeticAdvice::Literal(n, unit)
        } else if let Some((_, result)) = arithmetic(op, &r.ty, &l.ty) {
            ArithmeticAdvice::Swapped(self.show(&result))
        } else if l.ty == Ty::Time && r.ty == Ty::Time && op == Op::Add {
            ArithmeticAdvice::TimePlusTime
        } else if !wanted_right.is_empty() {
            ArithmeticAdvice::Forms(
                wanted_right
                    .iter()
                    .map(|(right, result)| (self.show(right), self.show(result)))
                    .collect(),
            )
        } else {
            ArithmeticAdvice::DoesNotApply
        };
        let diagnostic =
            type_errors::invalid_arithmetic(self.file, op_span, op.as_str(), &lt, &rt, advice);
        self.report(diagnostic);
        self.error_expr(span)
    }

    fn check_default(
        &mut self,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        let l = self.check_value(lhs);
        let inner = match &l.ty {
            Ty::Option(inner) => (**inner).clone(),
            Ty::Error | Ty::Never => {
                self.check_value(rhs);
                return self.error_expr(span);
            }
            other => {
                let shown = self.show(other);
                let diagnostic =
                    type_errors::default_of_non_option(self.file, l.loc.span, &shown, op_span);
                self.report(diagnostic);
                self.check_value(rhs);
                return self.error_expr(span);
            }
        };
        let r = self.check_expr(rhs, Expect::Type(&inner));
        let (r, ty) = if r.ty == inner || r.ty == Ty::Never {
            (r, inner)
        } else if r.ty == l.ty {
            let ty = l.ty.clone();
            (r, ty)
        } else {
            let r = self.coerce(r, &inner);
            (r, inner)
        };
        self.binary(BinaryOp::Default, l, r, ty, span)
    }

    fn check_in(&mut self, op_span: Span, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> Expr {
        // `k in m` of a persistent map or set state.
        if let Some((state, ty)) = self.persistent_state(rhs) {
            let key_ty = match &ty {
                Ty::Map(k, _) => (**k).clone(),
                Ty::Set(t) => (**t).clone(),
                _ => Ty::Error,
            };
            let key = self.check_as(lhs, &key_ty);
            return self.expr(
                ExprKind::Persistent {
                    state,
                    op: PersistentOp::Contains,
                    args: vec![key],
                },
                Ty::Bool,
                span,
            );
        }
        let lhs_first = !self.needs_hint(lhs);
        let (mut l, r) = if lhs_first {
            let l = self.check_value(lhs);
            let hint = l.ty.clone();
            let r = match hint {
                Ty::Enum(_) => self.check_expr(rhs, Expect::Type(&hint)),
                _ => self.check_expr(rhs, Expect::Value),
            };
            (Some(l), self.require_value(r))
        } else {
            (None, self.check_value(rhs))
        };
        let (typed, element) = match &r.ty {
            Ty::List(t) => (BinaryOp::InList, (**t).clone()),
            Ty::Set(t) => (BinaryOp::InSet, (**t).clone()),
            Ty::Map(k, _) => (BinaryOp::InMapKeys, (**k).clone()),
            Ty::Enum(_) => (BinaryOp::InEnum, r.ty.clone()),
            Ty::Error | Ty::Never => {
                if l.is_none() {
                    self.check_value(lhs);
                }
                return self.error_expr(span);
            }
            other => {
                let shown = self.show(other);
                let diagnostic =
                    type_errors::in_of_non_collection(self.file, r.loc.span, &shown, op_span);
                self.report(diagnostic);
                if l.is_none() {
                    self.check_value(lhs);
                }
                return self.error_expr(span);
            }
        };
        let l = match l.take() {
            Some(l) => self.coerce_operand(l, &element, op_span, &r),
            None => self.check_as(lhs, &element),
        };
        self.binary(typed, l, r, Ty::Bool, span)
    }

    /// The left side of `in` converted to the element type, with an `in`-specific message.
    fn coerce_operand(&mut self, l: Expr, element: &Ty, op_span: Span, r: &Expr) -> Expr {
        if l.ty == *element || l.ty.has_error() || element.has_error() {
            return l;
        }
        if let Ty::Option(_) = element {
            let wrapped = self.try_wrap(l, element);
            if wrapped.ty == *element {
                return wrapped;
            }
            return self.report_in_mismatch(wrapped, element, op_span, r);
        }
        self.report_in_mismatch(l, element, op_span, r)
    }

    fn report_in_mismatch(&mut self, l: Expr, element: &Ty, op_span: Span, r: &Expr) -> Expr {
        let (lt, et, rt) = (self.show(&l.ty), self.show(element), self.show(&r.ty));
        let what = if matches!(r.ty, Ty::Enum(_)) {
            format!("`{rt}` values")
        } else {
            format!("elements of `{rt}`")
        };
        let diagnostic =
            type_errors::in_element_mismatch(self.file, op_span, &lt, &what, &et, l.loc.span);
        self.report(diagnostic);
        Expr { ty: Ty::Error, ..l }
    }

    /// The state id and type when `e` names a persistent `Map`/`Set` state variable.
    pub fn persistent_state(&self, e: &ast::Expr) -> Option<(crate::typed::StateId, Ty)> {
        let name = match &e.kind {
            ast::ExprKind::Name(name) => name,
            ast::ExprKind::Paren(inner) => return self.persistent_state(inner),
            _ => return None,
        };
        if self.lookup_local(&name.name).is_some() {
            return None;
        }
        match self.program.lookup(self.module, &name.name)? {
            ScopeEntry::One(Decl::State(module, id)) => {
                let state = self.program.state(*module, *id)?;
                state.persistent.then(|| (*id, state.ty.clone()))
            }
            _ => None,
        }
    }
}
