//! Reporting from the body checker: diagnostics into the program, the typed nodes'
//! locations and builders, and the nesting limit.

use assent_stdlib::value::Value;

use super::body::Cx;
use super::types::MAX_DEPTH;
use crate::diagnostics::{Diagnostic, syntax_errors};
use crate::span::Span;
use crate::typed::{Block, Expr, ExprKind, Loc, Ty};

impl Cx<'_> {
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.program.report(diagnostic);
    }

    pub fn loc(&self, span: Span) -> Loc {
        self.program.loc(self.file, span)
    }

    pub fn show(&self, ty: &Ty) -> String {
        self.program.show(ty)
    }

    pub fn expr(&self, kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr {
            kind,
            ty,
            loc: self.loc(span),
        }
    }

    /// A placeholder after an error: its type silences follow-up errors.
    pub fn error_expr(&self, span: Span) -> Expr {
        self.expr(ExprKind::Literal(Value::Bool(false)), Ty::Error, span)
    }

    pub fn empty_block(&self, span: Span) -> Block {
        Block {
            stmts: Vec::new(),
            tail: None,
            ty: Ty::Unit,
            loc: self.loc(span),
        }
    }

    /// Enters one level of nesting; false (after reporting E0012 once) when too deep.
    pub fn enter(&mut self, span: Span) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let diagnostic = syntax_errors::expressions_too_deep(self.file, span, MAX_DEPTH);
                self.report(diagnostic);
            }
            return false;
        }
        true
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
