//! Resolving one file's names: first the types its declarations write (so that every
//! file's fields, states and results are known), then its bodies, scope by scope.

use super::{DECISION_FIELDS, Index, Lite, Occurrence, Symbol, SymbolId, SymbolKind, Visible};
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, ExprKind, StmtKind};

/// Resolves the declared types of one file: fields, states, constants, parameters and
/// results. Parameters become symbols here, children of their function.
pub(super) fn declarations(index: &mut Index, file: FileId, unit: &ast::SourceUnit) {
    let mut walker = Walker::new(index, file);
    for item in &unit.items {
        match &item.kind {
            ast::ItemKind::Import(ast::Import::Std { path }) => {
                let name = path
                    .iter()
                    .map(|segment| segment.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                if let (Some(module), Some(last)) =
                    (walker.index.modules.get(&name).copied(), path.last())
                {
                    walker.occur(last.span, module);
                }
            }
            ast::ItemKind::Import(ast::Import::File { .. }) => {}
            ast::ItemKind::Const(decl) => {
                let ty = walker.lite(&decl.ty);
                walker.set_type(decl.name.span, ty);
            }
            ast::ItemKind::State(decl) => {
                let ty = walker.lite(&decl.ty);
                walker.set_type(decl.name.span, ty);
            }
            ast::ItemKind::Enum(_) => {}
            ast::ItemKind::Record(ast::RecordDecl { fields, .. })
            | ast::ItemKind::Event(ast::EventDecl { fields, .. }) => {
                for field in fields {
                    let ty = walker.lite(&field.ty);
                    walker.set_type(field.name.span, ty);
                }
            }
            ast::ItemKind::Function(decl) => {
                let ret = decl.ret.as_ref().and_then(|ret| walker.lite(ret));
                walker.set_type(decl.name.span, ret);
                walker.params(decl.name.span, &decl.params);
            }
            ast::ItemKind::Policy(decl) => {
                walker.set_type(decl.name.span, Some(Lite::Builtin("Decision")));
                walker.params(decl.name.span, &decl.params);
            }
        }
    }
}

/// Resolves the bodies of one file: constant and state initialisers, functions,
/// policies.
pub(super) fn bodies(index: &mut Index, file: FileId, unit: &ast::SourceUnit) {
    let mut walker = Walker::new(index, file);
    for item in &unit.items {
        match &item.kind {
            ast::ItemKind::Const(decl) => {
                walker.expr(&decl.value);
            }
            ast::ItemKind::State(decl) => {
                if let Some(init) = &decl.init {
                    walker.expr(init);
                }
            }
            ast::ItemKind::Function(decl) => {
                walker.enter_function(decl.name.span, item.span);
                walker.block(&decl.body);
                walker.leave();
            }
            ast::ItemKind::Policy(decl) => {
                walker.enter_function(decl.name.span, item.span);
                for statement in &decl.body {
                    match statement {
                        ast::PolicyStmt::Default { .. } => {}
                        ast::PolicyStmt::Let(stmt) => walker.let_stmt(stmt),
                        ast::PolicyStmt::Rule(rule) => {
                            if let Some(when) = &rule.when {
                                walker.expr(when);
                            }
                            if let Some(unless) = &rule.unless {
                                walker.expr(unless);
                            }
                        }
                    }
                }
                walker.leave();
            }
            ast::ItemKind::Import(_)
            | ast::ItemKind::Enum(_)
            | ast::ItemKind::Record(_)
            | ast::ItemKind::Event(_) => {}
        }
    }
}

/// What an expression is, as far as the index follows it: the type of its value, and
/// the item it names (an enum, a variant, a module, a function, a contract).
#[derive(Default)]
struct Res {
    ty: Option<Lite>,
    item: Option<SymbolId>,
}

impl Res {
    fn ty(ty: Option<Lite>) -> Res {
        Res { ty, item: None }
    }
}

struct Walker<'a> {
    index: &'a mut Index,
    file: FileId,
    /// Locals and parameters in scope, innermost last.
    locals: Vec<(String, SymbolId)>,
    /// Where each open scope ends.
    ends: Vec<u32>,
    function: Option<SymbolId>,
}

impl<'a> Walker<'a> {
    fn new(index: &'a mut Index, file: FileId) -> Walker<'a> {
        Walker {
            index,
            file,
            locals: Vec::new(),
            ends: Vec::new(),
            function: None,
        }
    }

    fn occur(&mut self, span: Span, symbol: SymbolId) {
        self.index.occurrences.push(Occurrence {
            file: self.file,
            span,
            symbol,
            declaration: false,
            shorthand: false,
        });
    }

    /// The item declared in this file with its name at `span`.
    fn declared(&self, span: Span) -> Option<SymbolId> {
        self.index
            .symbols
            .iter()
            .position(|s| s.file == self.file && s.span == span && s.kind.is_item())
            .and_then(|index| u32::try_from(index).ok())
            .map(SymbolId)
    }

    fn set_type(&mut self, span: Span, ty: Option<Lite>) {
        let id = self.declared(span).or_else(|| {
            // A field: not an item.
            self.index
                .symbols
                .iter()
                .position(|s| s.file == self.file && s.span == span)
                .and_then(|index| u32::try_from(index).ok())
                .map(SymbolId)
        });
        if let Some(symbol) = id.and_then(|id| self.index.symbol_mut(id)) {
            symbol.ty = ty;
        }
    }

    fn params(&mut self, name: Span, params: &[ast::Param]) {
        let Some(function) = self.declared(name) else {
            return;
        };
        for param in params {
            let ty = self.lite(&param.ty);
            let id = self.index.add(Symbol {
                name: param.name.name.clone(),
                kind: SymbolKind::Param,
                file: self.file,
                span: param.name.span,
                decl: param.span,
                doc: None,
                keyword: "",
                ty,
                parent: Some(function),
                children: Vec::new(),
            });
            if let Some(symbol) = self.index.symbol_mut(function) {
                symbol.children.push(id);
            }
        }
    }

    fn enter_function(&mut self, name: Span, item: Span) {
        self.function = self.declared(name);
        self.locals.clear();
        self.ends = vec![item.end];
        let params = self
            .function
            .and_then(|f| self.index.symbol(f))
            .map(|f| f.children.clone())
            .unwrap_or_default();
        for param in params {
            if let Some(symbol) = self.index.symbol(param) {
                self.locals.push((symbol.name.clone(), param));
            }
            self.index.visible.push(Visible {
                file: self.file,
                from: item.start,
                to: item.end,
                symbol: param,
            });
        }
    }

    fn leave(&mut self) {
        self.function = None;
        self.locals.clear();
        self.ends.clear();
    }

    /// Binds a local over the rest of the innermost scope.
    fn bind(&mut self, name: &ast::Ident, decl: Span, ty: Option<Lite>) {
        if name.name == "_" {
            return;
        }
        let id = self.index.add(Symbol {
            name: name.name.clone(),
            kind: SymbolKind::Local,
            file: self.file,
            span: name.span,
            decl,
            doc: None,
            keyword: "",
            ty,
            parent: self.function,
            children: Vec::new(),
        });
        self.locals.push((name.name.clone(), id));
        let to = self.ends.last().copied().unwrap_or(decl.end);
        self.index.visible.push(Visible {
            file: self.file,
            from: decl.end.min(to),
            to,
            symbol: id,
        });
    }

    fn lookup(&self, name: &str) -> Option<SymbolId> {
        self.locals
            .iter()
            .rev()
            .find(|(local, _)| local == name)
            .map(|(_, id)| *id)
            .or_else(|| {
                self.index
                    .scopes
                    .get(&self.file)
                    .and_then(|scope| scope.get(name))
                    .copied()
            })
    }

    fn kind(&self, id: SymbolId) -> Option<SymbolKind> {
        self.index.symbol(id).map(|s| s.kind)
    }

    /// The type a type expression writes, its names resolved.
    fn lite(&mut self, ty: &ast::TypeExpr) -> Option<Lite> {
        match &ty.kind {
            ast::TypeExprKind::Option(inner) => Some(Lite::Option(Box::new(self.lite(inner)?))),
            ast::TypeExprKind::Tuple(items) => {
                let items: Vec<Option<Lite>> = items.iter().map(|item| self.lite(item)).collect();
                Some(Lite::Tuple(items.into_iter().collect::<Option<Vec<_>>>()?))
            }
            ast::TypeExprKind::Named { name, args } => {
                let mut args: Vec<Option<Lite>> = args.iter().map(|arg| self.lite(arg)).collect();
                let mut next = || args.drain(..1.min(args.len())).next().flatten();
                let builtin = match name.name.as_str() {
                    "Bool" => "Bool",
                    "Int" => "Int",
                    "Money" => "Money",
                    "Percent" => "Percent",
                    "Time" => "Time",
                    "Duration" => "Duration",
                    "Address" => "Address",
                    "Hash" => "Hash",
                    "Bytes" => "Bytes",
                    "String" => "String",
                    "Decision" => "Decision",
                    "List" => return Some(Lite::List(Box::new(next()?))),
                    "Set" => return Some(Lite::Set(Box::new(next()?))),
                    "Map" => {
                        let key = next();
                        let value = next();
                        return Some(Lite::Map(Box::new(key?), Box::new(value?)));
                    }
                    other => {
                        let id = self.lookup_global(other)?;
                        self.occur(name.span, id);
                        return match self.kind(id) {
                            Some(SymbolKind::Contract) => Some(Lite::Interface(id)),
                            _ => Some(Lite::Named(id)),
                        };
                    }
                };
                Some(Lite::Builtin(builtin))
            }
        }
    }

    fn lookup_global(&self, name: &str) -> Option<SymbolId> {
        self.index
            .scopes
            .get(&self.file)
            .and_then(|scope| scope.get(name))
            .copied()
    }

    /// The item named `name` declared in the file of `module`.
    fn item_of(&self, module: SymbolId, name: &str) -> Option<SymbolId> {
        let file = self.index.symbol(module)?.file;
        self.index
            .symbols
            .iter()
            .position(|s| {
                s.file == file
                    && s.name == name
                    && s.kind.is_item()
                    && !matches!(s.kind, SymbolKind::Module | SymbolKind::Contract)
            })
            .and_then(|index| u32::try_from(index).ok())
            .map(SymbolId)
    }

    /// The variant `name` under an enum or variant: a direct child first, else any
    /// descendant.
    fn variant_of(&self, parent: SymbolId, name: &str) -> Option<SymbolId> {
        let children = self.index.symbol(parent)?.children.clone();
        if let Some(found) = children
            .iter()
            .find(|c| self.index.symbol(**c).is_some_and(|s| s.name == name))
        {
            return Some(*found);
        }
        children.iter().find_map(|c| self.variant_of(*c, name))
    }

    /// The enum a variant belongs to.
    fn enum_of(&self, mut id: SymbolId) -> SymbolId {
        while let Some(symbol) = self.index.symbol(id) {
            match (symbol.kind, symbol.parent) {
                (SymbolKind::Variant, Some(parent)) => id = parent,
                _ => break,
            }
        }
        id
    }

    /// A field of the record or event `owner`.
    fn field_of(&self, owner: &Lite, name: &str) -> Option<SymbolId> {
        let Lite::Named(owner) = owner else {
            return None;
        };
        let symbol = self.index.symbol(*owner)?;
        if !matches!(symbol.kind, SymbolKind::Record | SymbolKind::Event) {
            return None;
        }
        symbol
            .children
            .iter()
            .find(|c| self.index.symbol(**c).is_some_and(|s| s.name == name))
            .copied()
    }

    fn type_of(&self, id: SymbolId) -> Option<Lite> {
        self.index.symbol(id).and_then(|s| s.ty.clone())
    }

    fn block(&mut self, block: &ast::Block) -> Option<Lite> {
        let saved = self.locals.len();
        self.ends.push(block.span.end);
        for statement in &block.stmts {
            self.stmt(statement);
        }
        let ty = block.tail.as_ref().and_then(|tail| self.expr(tail).ty);
        self.ends.pop();
        self.locals.truncate(saved);
        ty
    }

    fn let_stmt(&mut self, stmt: &ast::LetStmt) {
        let value = self.expr(&stmt.value).ty;
        let ty = match &stmt.ty {
            Some(ty) => self.lite(ty),
            None => value,
        };
        self.bind(&stmt.name, stmt.span, ty);
    }

    fn stmt(&mut self, stmt: &ast::Stmt) {
        match &stmt.kind {
            StmtKind::Let(stmt) => self.let_stmt(stmt),
            StmtKind::LetTuple(stmt) => {
                let value = self.expr(&stmt.value).ty;
                let ty = match &stmt.ty {
                    Some(ty) => self.lite(ty),
                    None => value,
                };
                for (position, name) in stmt.names.iter().enumerate() {
                    let element = match &ty {
                        Some(Lite::Tuple(items)) => items.get(position).cloned(),
                        _ => None,
                    };
                    self.bind(name, stmt.span, element);
                }
            }
            StmtKind::Assign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::Expr(expr)
            | StmtKind::Abort(expr)
            | StmtKind::Authorize(expr)
            | StmtKind::Assume(expr) => {
                self.expr(expr);
            }
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    self.expr(value);
                }
            }
            StmtKind::Require { cond, message } => {
                self.expr(cond);
                self.expr(message);
            }
            StmtKind::Assert { cond, message } => {
                self.expr(cond);
                if let Some(message) = message {
                    self.expr(message);
                }
            }
            StmtKind::For {
                pattern,
                iter,
                body,
            } => {
                let iterated = self.expr(iter).ty;
                let element = match (&iter.kind, iterated) {
                    (
                        ExprKind::Binary {
                            op: ast::BinaryOp::Range,
                            ..
                        },
                        _,
                    ) => Some(Lite::Builtin("Int")),
                    (_, Some(Lite::List(t) | Lite::Set(t))) => Some(*t),
                    (_, Some(Lite::Map(k, v))) => Some(Lite::Tuple(vec![*k, *v])),
                    _ => None,
                };
                let saved = self.locals.len();
                self.ends.push(body.span.end);
                match pattern {
                    ast::ForPattern::Name(name) => self.bind(name, name.span, element),
                    ast::ForPattern::Tuple(names, _) => {
                        for (position, name) in names.iter().enumerate() {
                            let ty = match &element {
                                Some(Lite::Tuple(items)) => items.get(position).cloned(),
                                _ => None,
                            };
                            self.bind(name, name.span, ty);
                        }
                    }
                }
                self.block(body);
                self.ends.pop();
                self.locals.truncate(saved);
            }
            StmtKind::Emit { event, fields, .. } => {
                let owner = self.lookup_global(&event.name);
                if let Some(owner) = owner {
                    self.occur(event.span, owner);
                }
                self.field_inits(owner.map(Lite::Named), fields);
            }
            StmtKind::Break | StmtKind::Continue => {}
        }
    }

    fn field_inits(&mut self, owner: Option<Lite>, fields: &[ast::FieldInit]) {
        for field in fields {
            if let Some(id) = owner
                .as_ref()
                .and_then(|o| self.field_of(o, &field.name.name))
            {
                self.occur(field.name.span, id);
            }
            let before = self.index.occurrences.len();
            self.expr(&field.value);
            if field.shorthand {
                // The field's occurrence and the value's, both at the one name.
                let span = field.name.span;
                for occurrence in self
                    .index
                    .occurrences
                    .iter_mut()
                    .skip(before.saturating_sub(1))
                {
                    if occurrence.span == span && occurrence.file == self.file {
                        occurrence.shorthand = true;
                    }
                }
            }
        }
    }

    /// Resolves a name used as a value or a path root.
    fn name(&mut self, name: &ast::Ident) -> Res {
        let Some(id) = self.lookup(&name.name) else {
            return Res::default();
        };
        self.occur(name.span, id);
        match self.kind(id) {
            Some(SymbolKind::Local | SymbolKind::Param | SymbolKind::State | SymbolKind::Const) => {
                Res::ty(self.type_of(id))
            }
            _ => Res {
                ty: None,
                item: Some(id),
            },
        }
    }

    fn expr(&mut self, expr: &ast::Expr) -> Res {
        match &expr.kind {
            ExprKind::Error | ExprKind::None => Res::default(),
            ExprKind::Literal(literal) => Res::ty(Some(Lite::Builtin(match literal {
                ast::Literal::Bool(_) => "Bool",
                ast::Literal::Int(_) => "Int",
                ast::Literal::Money(_) => "Money",
                ast::Literal::Percent(_) => "Percent",
                ast::Literal::Duration { .. } => "Duration",
                ast::Literal::Time { .. } => "Time",
                ast::Literal::Address(_) => "Address",
                ast::Literal::Hash(_) => "Hash",
                ast::Literal::Bytes(_) => "Bytes",
                ast::Literal::String(_) => "String",
            }))),
            ExprKind::Name(name) => self.name(name),
            ExprKind::Context(var) => Res::ty(Some(Lite::Builtin(match var {
                ast::ContextVar::Caller
                | ast::ContextVar::Origin
                | ast::ContextVar::SelfAddress => "Address",
                ast::ContextVar::Now => "Time",
                ast::ContextVar::Block => "Int",
            }))),
            ExprKind::Some(inner) => {
                let inner = self.expr(inner).ty;
                Res::ty(inner.map(|t| Lite::Option(Box::new(t))))
            }
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Field { base, name } => self.field(base, name),
            ExprKind::OptionalField { base, name } => {
                let base = self.expr(base).ty;
                let inner = match base {
                    Some(Lite::Option(inner)) => Some(*inner),
                    other => other,
                };
                let field = inner.and_then(|owner| self.field_of(&owner, &name.name));
                let Some(field) = field else {
                    return Res::default();
                };
                self.occur(name.span, field);
                let ty = self.type_of(field).map(|t| match t {
                    Lite::Option(_) => t,
                    t => Lite::Option(Box::new(t)),
                });
                Res::ty(ty)
            }
            ExprKind::Call { callee, args } => {
                let callee = self.expr(callee);
                for arg in args {
                    self.expr(arg);
                }
                match callee.item {
                    Some(id) => match self.kind(id) {
                        Some(SymbolKind::Function) => Res::ty(self.type_of(id)),
                        Some(SymbolKind::Contract) => Res::ty(Some(Lite::Interface(id))),
                        _ => Res::default(),
                    },
                    None => Res::default(),
                }
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                let receiver = self.expr(receiver);
                for arg in args {
                    self.expr(arg);
                }
                self.method(receiver, method)
            }
            ExprKind::Index { base, index } => {
                let base = self.expr(base).ty;
                self.expr(index);
                Res::ty(match base {
                    Some(Lite::Map(_, value)) => Some(*value),
                    Some(Lite::List(element)) => Some(*element),
                    _ => None,
                })
            }
            ExprKind::Unary { op, operand } => {
                let operand = self.expr(operand).ty;
                Res::ty(match op {
                    ast::UnaryOp::Not => Some(Lite::Builtin("Bool")),
                    ast::UnaryOp::Neg => operand,
                })
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let lhs = self.expr(lhs).ty;
                let rhs = self.expr(rhs).ty;
                Res::ty(match op {
                    ast::BinaryOp::Eq
                    | ast::BinaryOp::Ne
                    | ast::BinaryOp::Lt
                    | ast::BinaryOp::Le
                    | ast::BinaryOp::Gt
                    | ast::BinaryOp::Ge
                    | ast::BinaryOp::In
                    | ast::BinaryOp::And
                    | ast::BinaryOp::Or => Some(Lite::Builtin("Bool")),
                    ast::BinaryOp::Default => rhs,
                    ast::BinaryOp::Range => None,
                    ast::BinaryOp::Mul
                    | ast::BinaryOp::Div
                    | ast::BinaryOp::Rem
                    | ast::BinaryOp::Add
                    | ast::BinaryOp::Sub => lhs,
                })
            }
            ExprKind::Interpolated(parts) => {
                for part in parts {
                    if let ast::StringPart::Expr(inner) = part {
                        self.expr(inner);
                    }
                }
                Res::ty(Some(Lite::Builtin("String")))
            }
            ExprKind::Tuple(items) => {
                let items: Vec<Option<Lite>> = items.iter().map(|i| self.expr(i).ty).collect();
                Res::ty(
                    items
                        .into_iter()
                        .collect::<Option<Vec<_>>>()
                        .map(Lite::Tuple),
                )
            }
            ExprKind::List(items) => {
                let mut first = None;
                for item in items {
                    let ty = self.expr(item).ty;
                    first = first.or(ty);
                }
                Res::ty(first.map(|t| Lite::List(Box::new(t))))
            }
            ExprKind::MapLit(entries) => {
                let mut first = None;
                for (key, value) in entries {
                    let key = self.expr(key).ty;
                    let value = self.expr(value).ty;
                    if first.is_none()
                        && let (Some(key), Some(value)) = (key, value)
                    {
                        first = Some(Lite::Map(Box::new(key), Box::new(value)));
                    }
                }
                Res::ty(first)
            }
            ExprKind::Record { name, fields, base } => {
                let owner = self.lookup_global(&name.name);
                if let Some(owner) = owner {
                    self.occur(name.span, owner);
                }
                self.field_inits(owner.map(Lite::Named), fields);
                if let Some(base) = base {
                    self.expr(base);
                }
                Res::ty(owner.map(Lite::Named))
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                let ty = self.block(then);
                self.otherwise(otherwise.as_ref());
                Res::ty(ty)
            }
            ExprKind::IfLet {
                pattern,
                value,
                then,
                otherwise,
            } => {
                let value = self.expr(value).ty;
                let saved = self.locals.len();
                self.ends.push(then.span.end);
                self.pattern(pattern, value);
                let ty = self.block(then);
                self.ends.pop();
                self.locals.truncate(saved);
                self.otherwise(otherwise.as_ref());
                Res::ty(ty)
            }
            ExprKind::Match { scrutinee, arms } => {
                let scrutinee = self.expr(scrutinee).ty;
                let mut result = None;
                for arm in arms {
                    let saved = self.locals.len();
                    self.ends.push(arm.span.end);
                    self.pattern(&arm.pattern, scrutinee.clone());
                    let ty = match &arm.body {
                        ast::ArmBody::Expr(body) => self.expr(body).ty,
                        ast::ArmBody::Block(body) => self.block(body),
                    };
                    result = result.or(ty);
                    self.ends.pop();
                    self.locals.truncate(saved);
                }
                Res::ty(result)
            }
        }
    }

    fn otherwise(&mut self, otherwise: Option<&ast::Else>) {
        match otherwise {
            Some(ast::Else::Block(block)) => {
                self.block(block);
            }
            Some(ast::Else::If(expr)) => {
                self.expr(expr);
            }
            None => {}
        }
    }

    /// `base.name`: a module's item, an enum's variant, or a field.
    fn field(&mut self, base: &ast::Expr, name: &ast::Ident) -> Res {
        if let ExprKind::Name(root) = &base.kind
            && root.name == "std"
            && self.lookup(&root.name).is_none()
        {
            let path = format!("std.{}", name.name);
            let Some(module) = self.index.modules.get(&path).copied() else {
                return Res::default();
            };
            self.occur(name.span, module);
            return Res {
                ty: None,
                item: Some(module),
            };
        }
        let base = self.expr(base);
        if let Some(item) = base.item {
            match self.kind(item) {
                Some(SymbolKind::Module) => {
                    let Some(found) = self.item_of(item, &name.name) else {
                        return Res::default();
                    };
                    self.occur(name.span, found);
                    return match self.kind(found) {
                        Some(SymbolKind::State | SymbolKind::Const) => Res::ty(self.type_of(found)),
                        _ => Res {
                            ty: None,
                            item: Some(found),
                        },
                    };
                }
                Some(SymbolKind::Enum | SymbolKind::Variant) => {
                    let Some(variant) = self.variant_of(item, &name.name) else {
                        return Res::default();
                    };
                    self.occur(name.span, variant);
                    return Res {
                        ty: Some(Lite::Named(self.enum_of(variant))),
                        item: Some(variant),
                    };
                }
                _ => {}
            }
        }
        if base.ty == Some(Lite::Builtin("Decision"))
            && let Some((_, ty)) = DECISION_FIELDS.iter().find(|(n, _)| *n == name.name)
        {
            return Res::ty(Some(Lite::Builtin(ty)));
        }
        let Some(field) = base.ty.and_then(|owner| self.field_of(&owner, &name.name)) else {
            return Res::default();
        };
        self.occur(name.span, field);
        Res::ty(self.type_of(field))
    }

    /// `receiver.method(…)`: an entry point of another contract, a module's function, or
    /// a built-in method.
    fn method(&mut self, receiver: Res, method: &ast::Ident) -> Res {
        if let Some(Lite::Interface(contract)) = &receiver.ty {
            let entry = self
                .index
                .symbol(*contract)
                .map(|c| c.file)
                .and_then(|file| {
                    self.index
                        .symbols
                        .iter()
                        .position(|s| {
                            s.file == file
                                && s.kind == SymbolKind::Function
                                && s.name == method.name
                        })
                        .and_then(|index| u32::try_from(index).ok())
                        .map(SymbolId)
                });
            if let Some(entry) = entry {
                self.occur(method.span, entry);
                return Res::ty(self.type_of(entry));
            }
            return Res::default();
        }
        if let Some(module) = receiver.item
            && self.kind(module) == Some(SymbolKind::Module)
        {
            if let Some(function) = self.item_of(module, &method.name) {
                self.occur(method.span, function);
                return Res::ty(self.type_of(function));
            }
            return Res::default();
        }
        let bool = Some(Lite::Builtin("Bool"));
        Res::ty(match (method.name.as_str(), receiver.ty) {
            ("get", Some(Lite::Map(_, value))) => Some(Lite::Option(value)),
            ("get", Some(Lite::List(element))) => Some(Lite::Option(element)),
            ("contains" | "contains_key" | "is_some" | "is_none" | "is_empty", _) => bool,
            ("len", _) => Some(Lite::Builtin("Int")),
            ("unwrap_or", Some(Lite::Option(inner))) => Some(*inner),
            ("keys", Some(Lite::Map(key, _))) => Some(Lite::List(key)),
            ("values", Some(Lite::Map(_, value))) => Some(Lite::List(value)),
            _ => None,
        })
    }

    /// Resolves a pattern matched against a value of type `scrutinee`, binding its names.
    fn pattern(&mut self, pattern: &ast::Pattern, scrutinee: Option<Lite>) {
        match &pattern.kind {
            ast::PatternKind::Wildcard | ast::PatternKind::Literal(_) | ast::PatternKind::None => {}
            ast::PatternKind::Name(name) => {
                if let Some(Lite::Named(owner)) = &scrutinee
                    && self.kind(*owner) == Some(SymbolKind::Enum)
                    && let Some(variant) = self.variant_of(*owner, &name.name)
                {
                    self.occur(name.span, variant);
                    return;
                }
                self.bind(name, pattern.span, scrutinee);
            }
            ast::PatternKind::Variant(path) => {
                let mut segments = path.iter();
                let Some(first) = segments.next() else {
                    return;
                };
                let Some(mut current) = self.lookup_global(&first.name) else {
                    return;
                };
                self.occur(first.span, current);
                for segment in segments {
                    let Some(next) = self.variant_of(current, &segment.name) else {
                        return;
                    };
                    self.occur(segment.span, next);
                    current = next;
                }
            }
            ast::PatternKind::Some(inner) => {
                let inner_ty = match scrutinee {
                    Some(Lite::Option(inner)) => Some(*inner),
                    _ => None,
                };
                self.pattern(inner, inner_ty);
            }
            ast::PatternKind::Tuple(items) => {
                for (position, item) in items.iter().enumerate() {
                    let ty = match &scrutinee {
                        Some(Lite::Tuple(types)) => types.get(position).cloned(),
                        _ => None,
                    };
                    self.pattern(item, ty);
                }
            }
            ast::PatternKind::Or(alternatives) => {
                for alternative in alternatives {
                    self.pattern(alternative, scrutinee.clone());
                }
            }
        }
    }
}
