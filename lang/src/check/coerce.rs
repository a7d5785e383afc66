//! What the context expects of an expression and the one conversion there is: a value
//! wrapped in `some` to fit an option; otherwise E0201 or E0210.

use assent_stdlib::value::Value;

use super::body::{Cx, Expect};
use super::program::Program;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::type_errors::{self, LiteralUnit, MismatchAdvice, Valueless};
use crate::syntax::ast;
use crate::typed::{Expr, ExprKind, Ty};

impl Cx<'_> {
    /// Checks `expr` as a value of type `ty`.
    pub fn check_as(&mut self, expr: &ast::Expr, ty: &Ty) -> Expr {
        let checked = self.check_expr(expr, Expect::Type(ty));
        self.coerce(checked, ty)
    }

    /// Checks `expr` as a value of a type the context does not fix.
    pub fn check_value(&mut self, expr: &ast::Expr) -> Expr {
        let checked = self.check_expr(expr, Expect::Value);
        self.require_value(checked)
    }

    /// Reports E0210 for an expression without a value.
    pub fn require_value(&mut self, expr: Expr) -> Expr {
        if expr.ty == Ty::Unit {
            let diagnostic =
                type_errors::no_value(self.file, expr.loc.span, valueless(&expr, self.program));
            self.report(diagnostic);
            return Expr {
                ty: Ty::Error,
                ..expr
            };
        }
        expr
    }

    /// Converts `expr` to `target`: unchanged when the types agree, wrapped in `some`
    /// when `target` is its option; otherwise E0201 (or E0210 for no value).
    pub fn coerce(&mut self, expr: Expr, target: &Ty) -> Expr {
        if expr.ty == *target || expr.ty.has_error() || target.has_error() || expr.ty == Ty::Never {
            return expr;
        }
        if let Some(wrapped) = wrap_to(expr.clone(), target) {
            return wrapped;
        }
        if expr.ty == Ty::Unit {
            let diagnostic = type_errors::no_value_for(
                self.file,
                expr.loc.span,
                &self.show(target),
                valueless(&expr, self.program),
            );
            self.report(diagnostic);
            return Expr {
                ty: Ty::Error,
                ..expr
            };
        }
        let diagnostic = self.mismatch(&expr, target);
        self.report(diagnostic);
        Expr {
            ty: Ty::Error,
            ..expr
        }
    }

    /// E0201 for `expr` where `target` was expected, with advice for literals.
    pub fn mismatch(&self, expr: &Expr, target: &Ty) -> Diagnostic {
        let advice = if let Some((n, unit)) = int_literal(expr).zip(literal_unit(target)) {
            MismatchAdvice::Literal(n, unit)
        } else if *target == Ty::Bool {
            MismatchAdvice::NoTruthiness
        } else if target != &Ty::Unit && !matches!(target, Ty::Option(_)) {
            MismatchAdvice::NoConversions
        } else {
            MismatchAdvice::None
        };
        type_errors::mismatch(
            self.file,
            expr.loc.span,
            &self.show(target),
            &self.show(&expr.ty),
            advice,
        )
    }
}

/// `expr` wrapped in as many `some` as make it a `target`, if that works.
fn wrap_to(expr: Expr, target: &Ty) -> Option<Expr> {
    let Ty::Option(inner) = target else {
        return None;
    };
    let inner_expr = if expr.ty == **inner {
        expr
    } else {
        wrap_to(expr, inner)?
    };
    let loc = inner_expr.loc;
    Some(Expr {
        kind: ExprKind::Some(Box::new(inner_expr)),
        ty: target.clone(),
        loc,
    })
}

fn valueless<'p>(expr: &Expr, program: &'p Program) -> Valueless<'p> {
    match &expr.kind {
        ExprKind::Call { function, .. } => program
            .function(*function)
            .map_or(Valueless::Other, |f| Valueless::Call(&f.name)),
        ExprKind::Mutate { .. } => Valueless::Mutation,
        _ => Valueless::Other,
    }
}

/// The number of an `Int` literal, for advice when a unit was meant.
pub(super) fn int_literal(expr: &Expr) -> Option<i64> {
    match &expr.kind {
        ExprKind::Literal(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

/// The unit an `Int` literal is written in for `target`, when it has one.
pub(super) fn literal_unit(target: &Ty) -> Option<LiteralUnit> {
    match target {
        Ty::Money => Some(LiteralUnit::Money),
        Ty::Percent => Some(LiteralUnit::Percent),
        Ty::Duration => Some(LiteralUnit::Duration),
        _ => None,
    }
}
