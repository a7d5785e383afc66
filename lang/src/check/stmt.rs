//! Blocks and statements: `let`, assignment and places, loops, `return`, `require`,
//! `abort`, `authorize`, `emit`; function bodies and their results.

use super::body::{Binding, Cx, Expect, Role};
use super::operators::arithmetic;
use super::program::{Decl, ScopeEntry, suggest};
use super::types;
use crate::diagnostics::{effect_errors, name_errors, type_errors};
use crate::span::Span;
use crate::syntax::ast::{self, AssignOp, BinaryOp as Op, ForPattern};
use crate::typed::{
    Block, Expr, ExprKind, FieldDef, ForBinding, ForIter, FunctionKind, LocalId, Place, PlaceRoot,
    Projection, Stmt, StmtKind, Ty,
};

/// Whether a statement ends every path through it (to the rest of its block: `break`
/// and `continue` go on after the loop or with its next round).
fn diverges(stmt: &Stmt) -> bool {
    match &stmt.kind {
        StmtKind::Return(_) | StmtKind::Abort(_) | StmtKind::Break | StmtKind::Continue => true,
        StmtKind::Expr(e)
        | StmtKind::Let { value: e, .. }
        | StmtKind::LetTuple { value: e, .. } => e.ty == Ty::Never,
        _ => false,
    }
}

/// `if` / `if let` without `else`: a statement even in tail position.
fn is_statement_if(e: &ast::Expr) -> bool {
    matches!(
        &e.kind,
        ast::ExprKind::If {
            otherwise: None,
            ..
        } | ast::ExprKind::IfLet {
            otherwise: None,
            ..
        }
    )
}

impl Cx<'_> {
    // ---- blocks --------------------------------------------------------------------------

    /// A block in its own scope. With `Expect::Type`, the tail is converted to the type;
    /// the block's type is the tail's, `Unit` without one, or `Never` if it cannot end.
    pub fn check_block(&mut self, block: &ast::Block, expect: Expect<'_>) -> Block {
        if !self.enter(block.span) {
            self.leave();
            return self.empty_block(block.span);
        }
        crate::stack::guarded(|| self.check_block_inner(block, expect))
    }

    fn check_block_inner(&mut self, block: &ast::Block, expect: Expect<'_>) -> Block {
        self.push_scope();
        let mut stmts = Vec::with_capacity(block.stmts.len());
        let mut ends = false;
        for stmt in &block.stmts {
            let checked = self.check_stmt(stmt);
            ends |= diverges(&checked);
            stmts.push(checked);
        }
        let (tail, ty) = match block.tail.as_deref() {
            Some(tail) if is_statement_if(tail) => {
                let e = self.check_expr(tail, Expect::Discard);
                ends |= e.ty == Ty::Never;
                let loc = e.loc;
                stmts.push(Stmt {
                    kind: StmtKind::Expr(e),
                    loc,
                });
                (None, if ends { Ty::Never } else { Ty::Unit })
            }
            Some(tail) => {
                let e = match expect {
                    Expect::Type(ty) if *ty != Ty::Unit => self.check_as(tail, ty),
                    Expect::Type(_) | Expect::Discard => self.check_expr(tail, Expect::Discard),
                    Expect::Value => self.check_expr(tail, Expect::Value),
                };
                let ty = if ends { Ty::Never } else { e.ty.clone() };
                (Some(Box::new(e)), ty)
            }
            None => (None, if ends { Ty::Never } else { Ty::Unit }),
        };
        self.pop_scope();
        self.leave();
        Block {
            stmts,
            tail,
            ty,
            loc: self.loc(block.span),
        }
    }

    /// A block whose value is wanted: E0201 when it has none but a type is expected.
    pub fn check_block_as(&mut self, block: &ast::Block, expect: Expect<'_>) -> Block {
        let checked = self.check_block(block, expect);
        if let Expect::Type(ty) = expect
            && *ty != Ty::Unit
            && checked.ty == Ty::Unit
            && !ty.has_error()
        {
            let shown = self.show(ty);
            let end = Span::new(block.span.end.saturating_sub(1), block.span.end);
            let diagnostic = type_errors::block_without_value(self.file, end, &shown);
            self.report(diagnostic);
        }
        checked
    }

    /// The body of an `init`, action, view or `fn`.
    pub fn check_function_body(&mut self, body: &ast::Block, decl: &ast::FunctionDecl) -> Block {
        if decl.kind == ast::FunctionKind::Property {
            return self.check_property_body(body, decl);
        }
        let ret = self.ret.clone();
        if ret == Ty::Unit {
            let checked = self.check_block(body, Expect::Discard);
            if let Some(tail) = &checked.tail
                && !matches!(tail.ty, Ty::Unit | Ty::Never | Ty::Error)
            {
                let shown = self.show(&tail.ty);
                let diagnostic = type_errors::unused_tail_value(
                    self.file,
                    tail.loc.span,
                    &self.role_phrase(),
                    &shown,
                    decl.name.span,
                );
                self.report(diagnostic);
            }
            return checked;
        }
        let checked = self.check_block(body, Expect::Type(&ret));
        if checked.tail.is_none() && checked.ty != Ty::Never && !ret.has_error() {
            let shown = self.show(&ret);
            let end = Span::new(body.span.end.saturating_sub(1), body.span.end);
            let diagnostic = effect_errors::missing_return(
                self.file,
                end,
                &self.role_phrase(),
                &shown,
                self.ret_span,
            );
            self.report(diagnostic);
        }
        checked
    }

    /// The body of a property: `let`, `assume` and `assert` only (E0313 for anything else,
    /// a result type or a final expression).
    fn check_property_body(&mut self, body: &ast::Block, decl: &ast::FunctionDecl) -> Block {
        if let Some(ret) = &decl.ret {
            let diagnostic = effect_errors::property_statement(
                self.file,
                ret.span,
                &decl.name.name,
                effect_errors::PropertyMisuse::ResultType,
            );
            self.report(diagnostic);
        }
        if let Some(tail) = &body.tail {
            let diagnostic = effect_errors::property_statement(
                self.file,
                tail.span,
                &decl.name.name,
                effect_errors::PropertyMisuse::Tail,
            );
            self.report(diagnostic);
        }
        self.check_block(body, Expect::Discard)
    }

    // ---- statements ----------------------------------------------------------------------

    fn check_stmt(&mut self, stmt: &ast::Stmt) -> Stmt {
        let span = stmt.span;
        if self.role == Role::Function(FunctionKind::Property) {
            self.check_property_statement(stmt);
        }
        let kind = match &stmt.kind {
            ast::StmtKind::Let(l) => match self.check_let(l) {
                (Some(local), value) => StmtKind::Let { local, value },
                (None, value) => StmtKind::Expr(value),
            },
            ast::StmtKind::LetTuple(l) => self.check_let_tuple(l),
            ast::StmtKind::Assign { target, op, value } => {
                self.check_assign(target, *op, value, span)
            }
            ast::StmtKind::Expr(e) => StmtKind::Expr(self.check_expr(e, Expect::Discard)),
            ast::StmtKind::For {
                pattern,
                iter,
                body,
            } => self.check_for(pattern, iter, body),
            ast::StmtKind::Return(value) => self.check_return(value.as_ref(), span),
            ast::StmtKind::Break => self.check_loop_jump(StmtKind::Break, "break", span),
            ast::StmtKind::Continue => self.check_loop_jump(StmtKind::Continue, "continue", span),
            ast::StmtKind::Require { cond, message } => StmtKind::Require {
                cond: self.check_condition(cond),
                message: self.check_as(message, &Ty::String),
            },
            ast::StmtKind::Assume(cond) => StmtKind::Assume(self.check_condition(cond)),
            ast::StmtKind::Assert { cond, message } => StmtKind::Assert {
                cond: self.check_condition(cond),
                message: message.as_ref().map(|m| self.check_as(m, &Ty::String)),
            },
            ast::StmtKind::Abort(message) => StmtKind::Abort(self.check_as(message, &Ty::String)),
            ast::StmtKind::Authorize(call) => self.check_authorize(call),
            ast::StmtKind::Emit {
                audit,
                event,
                fields,
            } => self.check_emit(*audit, event, fields, span),
        };
        Stmt {
            kind,
            loc: self.loc(span),
        }
    }

    /// E0313 for a statement of a property body other than `let`, `assume` and `assert`.
    fn check_property_statement(&mut self, stmt: &ast::Stmt) {
        let what = match &stmt.kind {
            ast::StmtKind::Let(_)
            | ast::StmtKind::LetTuple(_)
            | ast::StmtKind::Assume(_)
            | ast::StmtKind::Assert { .. } => return,
            ast::StmtKind::Assign { .. } => "an assignment",
            ast::StmtKind::Expr(_) => "an expression statement",
            ast::StmtKind::For { .. } => "a `for` loop",
            ast::StmtKind::Return(_) => "`return`",
            ast::StmtKind::Break => "`break`",
            ast::StmtKind::Continue => "`continue`",
            ast::StmtKind::Require { .. } => "`require`",
            ast::StmtKind::Abort(_) => "`abort`",
            ast::StmtKind::Authorize(_) => "`authorize`",
            ast::StmtKind::Emit { audit: false, .. } => "`emit`",
            ast::StmtKind::Emit { audit: true, .. } => "`audit`",
        };
        let diagnostic = effect_errors::property_statement(
            self.file,
            stmt.span,
            &self.fn_name,
            effect_errors::PropertyMisuse::Statement(what),
        );
        self.report(diagnostic);
    }

    /// `let [mut] x [: T] = e;` — the local (none for `_`) and its value.
    pub fn check_let(&mut self, l: &ast::LetStmt) -> (Option<LocalId>, Expr) {
        let declared =
            l.ty.as_ref()
                .map(|t| types::resolve(self.program, self.module, t));
        let value = match &declared {
            Some(ty) => self.check_as(&l.value, ty),
            None => self.check_value(&l.value),
        };
        let ty = declared.unwrap_or_else(|| value.ty.clone());
        let local = self.declare_local(&l.name, ty, l.mutable);
        if value.ty.has_error()
            && let Some(id) = local
        {
            // The value's error is reported; "unused" on top of it would be noise.
            self.mark_read(super::body::Binding::Local(id));
        }
        (local, value)
    }

    /// `break;` or `continue;`: E0312 outside a `for` loop.
    fn check_loop_jump(&mut self, jump: StmtKind, keyword: &str, span: Span) -> StmtKind {
        if self.loops == 0 {
            let in_function = match self.role {
                Role::Function(FunctionKind::Policy) | Role::Const => false,
                Role::Function(_) => true,
            };
            let diagnostic =
                effect_errors::jump_outside_loop(self.file, span, keyword, in_function);
            self.report(diagnostic);
        }
        jump
    }

    /// The names of a tuple pattern (`let (a, b)`, `for (k, v)`) as locals of `types`:
    /// none for `_`, E0102 for a name bound twice in the `what`. A name whose type is an
    /// error counts as read (its error is reported; "unused" on top would be noise).
    fn declare_names(
        &mut self,
        names: &[ast::Ident],
        types: Vec<Ty>,
        what: &str,
    ) -> Vec<Option<LocalId>> {
        let mut seen: Vec<&ast::Ident> = Vec::new();
        let mut locals = Vec::new();
        for (name, ty) in names.iter().zip(types) {
            if name.name != "_"
                && let Some(first) = seen.iter().find(|n| n.name == name.name)
            {
                let diagnostic =
                    name_errors::bound_twice(self.file, name.span, &name.name, what, first.span);
                self.report(diagnostic);
            }
            seen.push(name);
            let failed = ty.has_error();
            let local = self.declare_local(name, ty, false);
            if failed && let Some(id) = local {
                self.mark_read(super::body::Binding::Local(id));
            }
            locals.push(local);
        }
        locals
    }

    /// `let (a, b) [: T] = e;` — one local per name (none for `_`), each an element of
    /// the tuple.
    fn check_let_tuple(&mut self, l: &ast::LetTupleStmt) -> StmtKind {
        let declared =
            l.ty.as_ref()
                .map(|t| types::resolve(self.program, self.module, t));
        let value = match &declared {
            Some(ty) => self.check_as(&l.value, ty),
            None => self.check_value(&l.value),
        };
        let ty = declared.unwrap_or_else(|| value.ty.clone());
        let count = l.names.len();
        let types: Vec<Ty> = match &ty {
            Ty::Tuple(items) if items.len() == count => items.clone(),
            Ty::Error | Ty::Never => vec![Ty::Error; count],
            other => {
                let shown = self.show(other);
                let tuple_len = match other {
                    Ty::Tuple(items) => Some(items.len()),
                    _ => None,
                };
                let diagnostic = type_errors::let_destructure(
                    self.file,
                    l.pattern_span,
                    count,
                    &shown,
                    tuple_len,
                );
                self.report(diagnostic);
                vec![Ty::Error; count]
            }
        };
        let locals = self.declare_names(&l.names, types, "pattern");
        if value.ty.has_error() {
            return StmtKind::Expr(value);
        }
        StmtKind::LetTuple { locals, value }
    }

    fn check_return(&mut self, value: Option<&ast::Expr>, span: Span) -> StmtKind {
        if matches!(
            self.role,
            Role::Function(FunctionKind::Policy) | Role::Const
        ) {
            let diagnostic = effect_errors::return_in_policy(self.file, span);
            self.report(diagnostic);
            if let Some(value) = value {
                self.check_value(value);
            }
            return StmtKind::Return(None);
        }
        let ret = self.ret.clone();
        match (value, ret == Ty::Unit) {
            (Some(value), true) => {
                let checked = self.check_value(value);
                let shown = self.show(&checked.ty);
                let diagnostic = effect_errors::return_value_without_result(
                    self.file,
                    checked.loc.span,
                    &self.role_phrase(),
                    &shown,
                );
                self.report(diagnostic);
                StmtKind::Return(None)
            }
            (None, false) => {
                let shown = self.show(&ret);
                let diagnostic = effect_errors::return_without_value(
                    self.file,
                    span,
                    &self.role_phrase(),
                    &shown,
                    self.ret_span,
                );
                self.report(diagnostic);
                StmtKind::Return(None)
            }
            (Some(value), false) => StmtKind::Return(Some(self.check_as(value, &ret))),
            (None, true) => StmtKind::Return(None),
        }
    }

    fn check_authorize(&mut self, call: &ast::Expr) -> StmtKind {
        let checked = self.check_value(call);
        let is_policy = match &checked.kind {
            ExprKind::Call { function, .. } => self
                .program
                .function(*function)
                .is_some_and(|f| f.kind == FunctionKind::Policy),
            ExprKind::CrossCall {
                interface, entry, ..
            } => self
                .program
                .module(self.module)
                .and_then(|m| m.interfaces.get(interface.index()))
                .and_then(|i| i.entries.get(*entry as usize))
                .is_some_and(|e| e.kind == FunctionKind::Policy),
            _ => checked.ty.has_error(),
        };
        if !is_policy {
            let label = match &checked.kind {
                ExprKind::Call { function, .. } => type_errors::not_a_policy_label(
                    self.program
                        .function(*function)
                        .map(|f| (f.name.as_str(), f.kind.keyword())),
                    true,
                ),
                _ => type_errors::not_a_policy_label(None, false),
            };
            let condition = (checked.ty == Ty::Bool).then(|| {
                self.program
                    .sources
                    .get(self.file)
                    .and_then(|f| f.text.get(call.span.range()))
                    .unwrap_or("condition")
                    .to_string()
            });
            let diagnostic =
                type_errors::not_a_policy(self.file, call.span, &label, condition.as_deref());
            self.report(diagnostic);
        }
        StmtKind::Authorize(checked)
    }

    fn check_emit(
        &mut self,
        audit: bool,
        event: &ast::Ident,
        fields: &[ast::FieldInit],
        span: Span,
    ) -> StmtKind {
        let keyword = if audit { "audit" } else { "emit" };
        if !self.may_write() {
            let role = self.role_phrase();
            let diagnostic = effect_errors::emit_outside_action(self.file, span, keyword, &role);
            self.report(diagnostic);
        }
        let id = match self.program.lookup(self.module, &event.name).cloned() {
            Some(ScopeEntry::One(Decl::Event(id))) => Some(id),
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.program
                    .report_ambiguous(self.file, event.span, &event.name, &decls);
                None
            }
            other => {
                let events: Vec<String> =
                    self.program.module(self.module).map_or(Vec::new(), |m| {
                        m.scope
                            .iter()
                            .filter(|(_, e)| matches!(e, ScopeEntry::One(Decl::Event(_))))
                            .map(|(n, _)| n.clone())
                            .collect()
                    });
                let kind = match other {
                    Some(ScopeEntry::One(decl)) => Some(self.program.decl_kind(decl)),
                    _ => None,
                };
                let close = suggest(&event.name, events.iter().map(String::as_str));
                let diagnostic =
                    name_errors::not_an_event(self.file, event.span, &event.name, kind, close);
                self.report(diagnostic);
                None
            }
        };
        let Some(id) = id else {
            for field in fields {
                self.check_value(&field.value);
            }
            return StmtKind::Expr(self.error_expr(span));
        };
        let defs: Vec<FieldDef> = self
            .program
            .event_info(id)
            .map_or(Vec::new(), |e| e.def.fields.clone());
        let values = self.match_fields(&event.name, event.span, &defs, fields, true, "event");
        let fields = values
            .into_iter()
            .map(|v| v.unwrap_or_else(|| self.error_expr(span)))
            .collect();
        StmtKind::Emit {
            event: id,
            audit,
            fields,
        }
    }

    // ---- loops ---------------------------------------------------------------------------

    fn check_for(&mut self, pattern: &ForPattern, iter: &ast::Expr, body: &ast::Block) -> StmtKind {
        let (iter, element) = self.check_iterable(iter);
        self.push_scope();
        let binding = match pattern {
            ForPattern::Name(name) => ForBinding::Name(self.declare_local(name, element, false)),
            ForPattern::Tuple(names, span) => {
                let types: Vec<Ty> = match &element {
                    Ty::Tuple(items) if items.len() == names.len() => items.clone(),
                    Ty::Error => vec![Ty::Error; names.len()],
                    other => {
                        let shown = self.show(other);
                        let diagnostic =
                            type_errors::loop_destructure(self.file, *span, &shown, names.len());
                        self.report(diagnostic);
                        vec![Ty::Error; names.len()]
                    }
                };
                ForBinding::Tuple(self.declare_names(names, types, "loop"))
            }
        };
        let walked = match &iter {
            Some(ForIter::Persistent { state, .. }) => self
                .program
                .state(self.module, *state)
                .map(|info| info.name.clone()),
            _ => None,
        };
        self.walking.extend(walked.clone());
        self.loops += 1;
        let body = self.check_block(body, Expect::Discard);
        self.loops -= 1;
        if walked.is_some() {
            self.walking.pop();
        }
        self.pop_scope();
        match iter {
            Some(iter) => StmtKind::For {
                binding,
                iter,
                body,
            },
            None => StmtKind::Expr(Expr {
                kind: ExprKind::Block(Box::new(body)),
                ty: Ty::Error,
                loc: self.loc(Span::default()),
            }),
        }
    }

    /// What a `for` iterates over, and the type of each element.
    fn check_iterable(&mut self, iter: &ast::Expr) -> (Option<ForIter>, Ty) {
        if let ast::ExprKind::Binary {
            op: Op::Range,
            lhs,
            rhs,
            ..
        } = &iter.kind
        {
            let start = self.check_as(lhs, &Ty::Int);
            let end = self.check_as(rhs, &Ty::Int);
            return (
                Some(ForIter::Range {
                    start: Box::new(start),
                    end: Box::new(end),
                }),
                Ty::Int,
            );
        }
        if let ast::ExprKind::MethodCall {
            receiver,
            method,
            args,
        } = &iter.kind
            && method.name == "prefix"
            && let Some((state, ty)) = self.persistent_state(receiver)
        {
            return self.persistent_iterable(state, &ty, Some(args), iter.span);
        }
        if let Some((state, ty)) = self.persistent_state(iter) {
            return self.persistent_iterable(state, &ty, None, iter.span);
        }
        let value = self.check_value(iter);
        match value.ty.clone() {
            Ty::List(t) => (Some(ForIter::List(value)), *t),
            Ty::Set(t) => (Some(ForIter::Set(value)), *t),
            Ty::Map(k, v) => (Some(ForIter::Map(value)), Ty::Tuple(vec![*k, *v])),
            Ty::Error | Ty::Never => (None, Ty::Error),
            other => {
                let shown = self.show(&other);
                let diagnostic = type_errors::cannot_iterate(self.file, iter.span, &shown);
                self.report(diagnostic);
                (None, Ty::Error)
            }
        }
    }

    /// A `for` over persistent collection `state` of type `ty`, or over the keys with a
    /// given prefix (`m.prefix(a, …)`, the leading components of a tuple key). Marks the
    /// state as iterated, so that the host keeps its ordered index — unless only a
    /// property walks it (properties are never compiled).
    fn persistent_iterable(
        &mut self,
        state: crate::typed::StateId,
        ty: &Ty,
        prefix: Option<&[ast::Expr]>,
        span: Span,
    ) -> (Option<ForIter>, Ty) {
        let (key, element, map) = match ty {
            Ty::Map(k, v) => (
                (**k).clone(),
                Ty::Tuple(vec![(**k).clone(), (**v).clone()]),
                true,
            ),
            Ty::Set(t) => ((**t).clone(), (**t).clone(), false),
            _ => return (None, Ty::Error),
        };
        let mut components = Vec::new();
        if let Some(args) = prefix {
            let parts = match &key {
                Ty::Tuple(items) => items.clone(),
                _ => Vec::new(),
            };
            if parts.is_empty() || args.is_empty() || args.len() > parts.len() {
                let shown = self.show(ty);
                let diagnostic =
                    type_errors::prefix_mismatch(self.file, span, &shown, parts.len(), args.len());
                self.report(diagnostic);
                self.check_args_loosely(args);
                return (None, Ty::Error);
            }
            for (arg, part) in args.iter().zip(&parts) {
                components.push(self.check_as(arg, part));
            }
            if components.iter().any(|c| c.ty.has_error()) {
                return (None, Ty::Error);
            }
        }
        if self.role != Role::Function(FunctionKind::Property)
            && let Some(info) = self.program.state_mut(self.module, state)
        {
            info.iterated = true;
        }
        (
            Some(ForIter::Persistent {
                state,
                prefix: components,
                map,
            }),
            element,
        )
    }

    // ---- assignment ----------------------------------------------------------------------

    fn check_assign(
        &mut self,
        target: &ast::Expr,
        op: AssignOp,
        value: &ast::Expr,
        span: Span,
    ) -> StmtKind {
        let place = self.check_place_for(target, None, op != AssignOp::Set);
        let Some(place) = place else {
            let checked = self.check_value(value);
            return StmtKind::Expr(Expr {
                ty: Ty::Error,
                ..checked
            });
        };
        let place_ty = place.ty.clone();
        let (op, value) = match op {
            AssignOp::Set => (None, self.check_as(value, &place_ty)),
            compound => {
                let binary = match compound {
                    AssignOp::Add => Op::Add,
                    AssignOp::Sub => Op::Sub,
                    _ => Op::Mul,
                };
                let value = self.check_value(value);
                if place_ty.has_error() || value.ty.has_error() {
                    (None, value)
                } else {
                    match arithmetic(binary, &place_ty, &value.ty) {
                        Some((typed, result)) if result == place_ty => (Some(typed), value),
                        _ => {
                            let (pt, vt) = (self.show(&place_ty), self.show(&value.ty));
                            let symbol = match compound {
                                AssignOp::Add => "+=",
                                AssignOp::Sub => "-=",
                                _ => "*=",
                            };
                            let diagnostic = type_errors::compound_assignment(
                                self.file,
                                span,
                                symbol,
                                binary.as_str(),
                                &pt,
                                &vt,
                            );
                            self.report(diagnostic);
                            (
                                None,
                                Expr {
                                    ty: Ty::Error,
                                    ..value
                                },
                            )
                        }
                    }
                }
            }
        };
        StmtKind::Assign { place, op, value }
    }

    /// A place changed by a method (`xs.push(…)`); `method` names it for messages.
    pub fn check_place(&mut self, target: &ast::Expr, method: Option<&str>) -> Option<Place> {
        self.check_place_for(target, method, true)
    }

    /// Resolves the left side of an assignment (or the receiver of a changing method).
    /// `reads` is true when the old value is used (`+=`, a method, a field of it).
    fn check_place_for(
        &mut self,
        target: &ast::Expr,
        method: Option<&str>,
        reads: bool,
    ) -> Option<Place> {
        match &target.kind {
            ast::ExprKind::Paren(inner) => self.check_place_for(inner, method, reads),
            ast::ExprKind::Name(name) => self.place_root(name, method, reads),
            ast::ExprKind::Field { base, name } => {
                if super::expr::path_segments(target)
                    .is_some_and(|s| self.check_variant_path_silently(&s))
                {
                    self.report_not_place(target, method);
                    return None;
                }
                let mut place = self.check_place_for(base, method, true)?;
                let field = match &place.ty {
                    Ty::Record(id) => self.record_field(*id, &name.name),
                    Ty::Error => return None,
                    _ => None,
                };
                let Some((index, ty)) = field else {
                    let ty = place.ty.clone();
                    self.report_unknown_field(&ty, name, name.span);
                    return None;
                };
                place.path.push(Projection::Field(index));
                place.ty = ty;
                Some(place)
            }
            ast::ExprKind::Index { base, index } => {
                if let Some((state, ty)) = self.persistent_state(base) {
                    let Ty::Map(key_ty, value_ty) = ty else {
                        let diagnostic =
                            type_errors::persistent_set_written_by_index(self.file, target.span);
                        self.report(diagnostic);
                        return None;
                    };
                    self.check_state_write(base.span, &name_of(base));
                    let key = self.check_as(index, &key_ty);
                    return Some(Place {
                        root: PlaceRoot::StateEntry {
                            state,
                            key: Box::new(key),
                        },
                        path: Vec::new(),
                        ty: *value_ty,
                    });
                }
                let mut place = self.check_place_for(base, method, true)?;
                let (projection, ty) = match place.ty.clone() {
                    Ty::List(t) => (Projection::ListIndex(self.check_as(index, &Ty::Int)), *t),
                    Ty::Map(k, v) => (Projection::MapKey(self.check_as(index, &k)), *v),
                    Ty::Error => return None,
                    other => {
                        let shown = self.show(&other);
                        let diagnostic = type_errors::element_not_assignable(
                            self.file,
                            target.span,
                            &shown,
                            other == Ty::Bytes,
                        );
                        self.report(diagnostic);
                        return None;
                    }
                };
                place.path.push(projection);
                place.ty = ty;
                Some(place)
            }
            _ => {
                self.check_value(target);
                self.report_not_place(target, method);
                None
            }
        }
    }

    fn check_variant_path_silently(&self, segments: &[&ast::Ident]) -> bool {
        let Some(first) = segments.first() else {
            return false;
        };
        segments.len() > 1
            && self.lookup_local(&first.name).is_none()
            && matches!(
                self.program.lookup(self.module, &first.name),
                Some(ScopeEntry::One(Decl::Enum(_)))
            )
    }

    fn report_not_place(&mut self, target: &ast::Expr, method: Option<&str>) {
        let diagnostic = match method {
            Some(method) => type_errors::mutation_of_non_place(self.file, target.span, method),
            None => type_errors::assignment_to_non_place(self.file, target.span),
        };
        self.report(diagnostic);
    }

    fn place_root(
        &mut self,
        name: &ast::Ident,
        method: Option<&str>,
        reads: bool,
    ) -> Option<Place> {
        let changes = method.map_or("assign to".to_string(), |m| format!("call `.{m}()` on"));
        if let Some(binding) = self.lookup_local(&name.name) {
            let ty = self.binding_ty(binding);
            match binding {
                Binding::Param(_) => {
                    let diagnostic = effect_errors::parameter_changed(
                        self.file, name.span, &changes, &name.name,
                    );
                    self.report(diagnostic);
                    Some(error_place(ty))
                }
                Binding::Local(id) => {
                    if reads {
                        self.mark_read(binding);
                    }
                    let local = self.locals.get(id.index())?;
                    if !local.mutable {
                        let declared = local.span;
                        let diagnostic = effect_errors::immutable_local_changed(
                            self.file, name.span, &changes, &name.name, declared,
                        );
                        self.report(diagnostic);
                        return Some(error_place(ty));
                    }
                    Some(Place {
                        root: PlaceRoot::Local(id),
                        path: Vec::new(),
                        ty,
                    })
                }
            }
        } else {
            match self.program.lookup(self.module, &name.name).cloned() {
                Some(ScopeEntry::One(Decl::State(module, id))) => {
                    let state = self.program.state(module, id)?;
                    let (persistent, ty) = (state.persistent, state.ty.clone());
                    if persistent {
                        let shown = self.show(&ty);
                        let diagnostic = type_errors::persistent_assigned(
                            self.file,
                            name.span,
                            &shown,
                            &name.name,
                            matches!(ty, Ty::Set(_)),
                        );
                        self.report(diagnostic);
                        return Some(error_place(ty));
                    }
                    self.check_state_write(name.span, &name.name);
                    Some(Place {
                        root: PlaceRoot::State(id),
                        path: Vec::new(),
                        ty,
                    })
                }
                Some(ScopeEntry::One(Decl::Const(_))) => {
                    let diagnostic =
                        effect_errors::constant_changed(self.file, name.span, &changes, &name.name);
                    self.report(diagnostic);
                    None
                }
                Some(ScopeEntry::One(decl)) => {
                    let kind = self.program.decl_kind(decl);
                    let diagnostic = type_errors::declaration_not_assignable(
                        self.file, name.span, &changes, kind, &name.name,
                    );
                    self.report(diagnostic);
                    None
                }
                Some(ScopeEntry::Ambiguous(decls)) => {
                    self.program
                        .report_ambiguous(self.file, name.span, &name.name, &decls);
                    None
                }
                None => {
                    self.report_unknown_name(name);
                    None
                }
            }
        }
    }
}

/// A place whose error is reported: it keeps its type, so the value assigned to it is
/// still checked against that type, and is never lowered (the contract has an error).
fn error_place(ty: Ty) -> Place {
    Place {
        root: PlaceRoot::Local(LocalId(u32::MAX)),
        path: Vec::new(),
        ty,
    }
}

fn name_of(e: &ast::Expr) -> String {
    match &e.kind {
        ast::ExprKind::Name(name) => name.name.clone(),
        ast::ExprKind::Paren(inner) => name_of(inner),
        _ => String::new(),
    }
}
