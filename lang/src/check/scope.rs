//! Scopes and locals of the body being checked: declaring, looking up, reading, and the
//! unused-variable warning when a scope ends.

use super::body::{Binding, Cx, LocalInfo};
use crate::diagnostics::effect_errors;
use crate::span::Span;
use crate::syntax::ast;
use crate::typed::{Expr, ExprKind, LocalId, Ty};

impl Cx<'_> {
    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Leaves a scope, warning about locals of it that were never read.
    pub fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for (_, binding) in scope {
            if let Binding::Local(id) = binding
                && let Some(local) = self.locals.get(id.index())
                && !local.read
                && !local.name.starts_with('_')
                && !local.ty.has_error()
            {
                let (name, span) = (local.name.clone(), local.span);
                let diagnostic = effect_errors::unused_variable(self.file, span, &name);
                self.report(diagnostic);
            }
        }
    }

    /// Declares a local in the innermost scope; `None` for `_`.
    pub fn declare_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> Option<LocalId> {
        if name.name == "_" {
            return None;
        }
        let id = LocalId(u32::try_from(self.locals.len()).unwrap_or(u32::MAX));
        self.locals.push(LocalInfo {
            name: name.name.clone(),
            ty,
            mutable,
            span: name.span,
            read: false,
        });
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.name.clone(), Binding::Local(id)));
        }
        Some(id)
    }

    pub fn lookup_local(&self, name: &str) -> Option<Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.iter().rev().find(|(n, _)| n == name).map(|(_, b)| *b))
    }

    pub fn mark_read(&mut self, binding: Binding) {
        if let Binding::Local(id) = binding
            && let Some(local) = self.locals.get_mut(id.index())
        {
            local.read = true;
        }
    }

    pub fn binding_ty(&self, binding: Binding) -> Ty {
        match binding {
            Binding::Param(i) => self
                .params
                .get(i as usize)
                .map_or(Ty::Error, |p| p.ty.clone()),
            Binding::Local(id) => self
                .locals
                .get(id.index())
                .map_or(Ty::Error, |l| l.ty.clone()),
        }
    }

    pub fn binding_expr(&mut self, binding: Binding, span: Span) -> Expr {
        self.mark_read(binding);
        let ty = self.binding_ty(binding);
        let kind = match binding {
            Binding::Param(i) => ExprKind::Param(i),
            Binding::Local(id) => ExprKind::Local(id),
        };
        self.expr(kind, ty, span)
    }

    /// Every name visible from here, for "did you mean" help.
    pub fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .scopes
            .iter()
            .flat_map(|scope| scope.iter().map(|(n, _)| n.clone()))
            .collect();
        if let Some(m) = self.program.module(self.module) {
            names.extend(m.scope.keys().cloned());
        }
        names
    }
}
