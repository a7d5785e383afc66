//! The body checker's state: the function being checked, its locals and scopes, what is
//! expected of each expression, and the conversions between types.

use assent_stdlib::value::Value;

use super::program::{ModuleId, ParamSig, Program};
use super::types::MAX_DEPTH;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::{FileId, Span};
use crate::syntax::ast;
use crate::typed::{
    self, Block, Expr, ExprKind, FunctionId, FunctionKind, Loc, LocalDef, LocalId, Ty,
};

/// What the checked code may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Function(FunctionKind),
    /// A constant or state initialiser.
    Const,
}

/// What the context wants of an expression.
#[derive(Clone, Copy, Debug)]
pub(super) enum Expect<'t> {
    /// A statement: the value, if any, is dropped.
    Discard,
    /// A value of a type the context does not know (`let x = …`).
    Value,
    /// A value of this type (or one that converts to it).
    Type(&'t Ty),
}

impl<'t> Expect<'t> {
    pub fn ty(self) -> Option<&'t Ty> {
        match self {
            Expect::Type(ty) => Some(ty),
            _ => None,
        }
    }

    pub fn wants_value(self) -> bool {
        match self {
            Expect::Discard => false,
            Expect::Value => true,
            Expect::Type(ty) => *ty != Ty::Unit,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Binding {
    Param(u32),
    Local(LocalId),
}

pub(super) struct LocalInfo {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
    pub read: bool,
}

pub(super) struct Cx<'p> {
    pub p: &'p mut Program,
    pub module: ModuleId,
    pub file: FileId,
    pub role: Role,
    pub fn_name: String,
    pub ret: Ty,
    pub ret_span: Option<Span>,
    pub params: Vec<ParamSig>,
    pub locals: Vec<LocalInfo>,
    pub scopes: Vec<Vec<(String, Binding)>>,
    depth: u32,
    too_deep: bool,
    pub calls: Vec<(FunctionId, Span)>,
    /// How many `for` loops enclose the code being checked (`break` needs one).
    pub loops: u32,
}

/// Checks every function and policy body of `module`.
pub(super) fn check_module(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let ast = m.ast.clone();
    let functions = m.functions.clone();
    for id in functions {
        let Some(info) = program.function(id) else {
            continue;
        };
        let item = info.item;
        let Some(item) = ast.items.get(item) else {
            continue;
        };
        let (body, cx_parts) = match &item.kind {
            ast::ItemKind::Function(decl) => {
                let mut cx = Cx::for_function(program, id);
                let body = cx.check_function_body(&decl.body, decl);
                (typed::Body::Block(body), cx.finish())
            }
            ast::ItemKind::Policy(decl) => {
                let mut cx = Cx::for_function(program, id);
                let body = cx.check_policy(decl);
                (typed::Body::Policy(body), cx.finish())
            }
            _ => continue,
        };
        if let Some(info) = program.functions.get_mut(id.index()) {
            info.body = Some(body);
            info.locals = cx_parts.0;
            info.calls = cx_parts.1;
        }
    }
}

/// Checks a constant or state initialiser expression of type `ty`.
pub(super) fn check_const(
    program: &mut Program,
    module: ModuleId,
    expr: &ast::Expr,
    ty: &Ty,
) -> Expr {
    let file = program.file_of(module);
    let mut cx = Cx {
        p: program,
        module,
        file,
        role: Role::Const,
        fn_name: String::new(),
        ret: Ty::Unit,
        ret_span: None,
        params: Vec::new(),
        locals: Vec::new(),
        scopes: vec![Vec::new()],
        depth: 0,
        too_deep: false,
        calls: Vec::new(),
        loops: 0,
    };
    cx.check_as(expr, ty)
}

impl<'p> Cx<'p> {
    fn for_function(program: &'p mut Program, id: FunctionId) -> Cx<'p> {
        let (module, file, kind, name, ret, ret_span, params) = match program.function(id) {
            Some(f) => (
                f.module,
                f.file,
                f.kind,
                f.name.clone(),
                f.ret.clone(),
                f.ret_span,
                f.params.clone(),
            ),
            None => (
                0,
                FileId(0),
                FunctionKind::Fn,
                String::new(),
                Ty::Unit,
                None,
                Vec::new(),
            ),
        };
        let scope = params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    p.name.clone(),
                    Binding::Param(u32::try_from(i).unwrap_or(0)),
                )
            })
            .collect();
        Cx {
            p: program,
            module,
            file,
            role: Role::Function(kind),
            fn_name: name,
            ret,
            ret_span,
            params,
            locals: Vec::new(),
            scopes: vec![scope],
            depth: 0,
            too_deep: false,
            calls: Vec::new(),
            loops: 0,
        }
    }

    fn finish(self) -> (Vec<LocalDef>, Vec<(FunctionId, Span)>) {
        let locals = self
            .locals
            .into_iter()
            .map(|l| LocalDef {
                name: l.name,
                ty: l.ty,
                mutable: l.mutable,
            })
            .collect();
        (locals, self.calls)
    }

    // ---- diagnostics and locations ------------------------------------------------------

    pub fn diag(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.file, span, message)
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.p.report(diagnostic);
    }

    pub fn loc(&self, span: Span) -> Loc {
        self.p.loc(self.file, span)
    }

    pub fn show(&self, ty: &Ty) -> String {
        self.p.show(ty)
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
                let diagnostic = self
                    .diag(
                        Code::NestingTooDeep,
                        span,
                        format!("expressions nested more than {MAX_DEPTH} levels deep"),
                    )
                    .with_label("nesting too deep")
                    .with_help("split the expression with `let` bindings or helper functions");
                self.report(diagnostic);
            }
            return false;
        }
        true
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- what the code may do ------------------------------------------------------------

    /// `init` and actions may write state and emit events.
    pub fn may_write(&self) -> bool {
        matches!(self.role, Role::Function(kind) if kind.may_write())
    }

    /// "a view", "a policy", "a constant", for messages.
    pub fn role_phrase(&self) -> String {
        match self.role {
            Role::Function(FunctionKind::View) => format!("view `{}`", self.fn_name),
            Role::Function(FunctionKind::Policy) => format!("policy `{}`", self.fn_name),
            Role::Function(FunctionKind::Fn) => format!("fn `{}`", self.fn_name),
            Role::Function(FunctionKind::Action) => format!("action `{}`", self.fn_name),
            Role::Function(FunctionKind::Init) => "`init`".to_string(),
            Role::Const => "a constant".to_string(),
        }
    }

    // ---- scopes and locals ------------------------------------------------------------------

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
                let diagnostic = self
                    .diag(
                        Code::UnusedVariable,
                        span,
                        format!("unused variable `{name}`"),
                    )
                    .with_label("never read")
                    .with_help(format!(
                        "if this is intentional, prefix it with an underscore: `_{name}`"
                    ));
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
        if let Some(m) = self.p.module(self.module) {
            names.extend(m.scope.keys().cloned());
        }
        names
    }

    // ---- conversions ------------------------------------------------------------------------

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
            let diagnostic = self
                .diag(Code::NoValue, expr.loc.span, "this expression has no value")
                .with_label(no_value_label(&expr, self.p));
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
            let diagnostic = self
                .diag(
                    Code::NoValue,
                    expr.loc.span,
                    format!(
                        "expected a value of type `{}`, but this has no value",
                        self.show(target)
                    ),
                )
                .with_label(no_value_label(&expr, self.p));
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
        let (expected, found) = (self.show(target), self.show(&expr.ty));
        let mut diagnostic = self
            .diag(
                Code::TypeMismatch,
                expr.loc.span,
                format!("mismatched types: expected `{expected}`, found `{found}`"),
            )
            .with_label(format!("expected `{expected}`, found `{found}`"));
        if let Some(help) = literal_help(expr, target) {
            diagnostic = diagnostic.with_help(help);
        } else if *target == Ty::Bool {
            diagnostic = diagnostic.with_note("conditions must be `Bool`: there is no truthiness");
        } else if target != &Ty::Unit && !matches!(target, Ty::Option(_)) {
            diagnostic = diagnostic.with_note("there are no implicit conversions between types");
        }
        diagnostic
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

fn no_value_label(expr: &Expr, program: &Program) -> String {
    match &expr.kind {
        ExprKind::Call { function, .. } => program.function(*function).map_or_else(
            || "no value".to_string(),
            |f| format!("`{}` has no result type", f.name),
        ),
        ExprKind::Mutate { .. } => "changes its receiver and has no value".to_string(),
        _ => "no value".to_string(),
    }
}

/// Advice when a literal of one kind was written where another was expected.
fn literal_help(expr: &Expr, target: &Ty) -> Option<String> {
    let ExprKind::Literal(value) = &expr.kind else {
        return None;
    };
    let n = match value {
        Value::Int(n) => *n,
        _ => return None,
    };
    match target {
        Ty::Money => Some(format!("write `${n}` for an amount of money")),
        Ty::Percent => Some(format!("write `{n}%` for a percentage")),
        Ty::Duration => Some(format!(
            "write `{n}d`, `{n}h`, `{n}m` or `{n}s` for a duration"
        )),
        _ => None,
    }
}
