//! Layout of blocks and statements.

use super::doc::Doc;
use super::layout::{Layout, block};
use crate::syntax::ast::{
    AssignOp, Block, Expr, ExprKind, ForPattern, LetStmt, LetTupleStmt, Stmt, StmtKind,
};

impl Layout<'_> {
    /// `{ statements tail }`, one statement per line; `{}` when empty.
    pub(super) fn block(&mut self, body: &Block) -> Doc {
        let open = self.after_open_brace(Some(body.span.start));
        let mut entries = Vec::new();
        let count = body.stmts.len();
        for (index, statement) in body.stmts.iter().enumerate() {
            // An `if` or `match` statement needs its `;` when it is last: without one it
            // would be the block's value.
            let needs_semicolon = index + 1 == count
                && body.tail.is_none()
                && matches!(&statement.kind, StmtKind::Expr(expr) if is_block_like(expr));
            let separator = if needs_semicolon {
                Doc::text(";")
            } else {
                Doc::Nil
            };
            self.element(statement.span, separator, &mut entries, |this| {
                this.statement(statement)
            });
        }
        if let Some(tail) = &body.tail {
            self.element(tail.span, Doc::Nil, &mut entries, |this| {
                this.statement_expr(tail)
            });
        }
        self.dangling(body.span.end, &mut entries);
        block(open, entries)
    }

    /// The head of a block statement (`if c`, `for x in e`, `match e`) and the space
    /// before its `{`, which goes on a line of its own when the head does not fit.
    pub(super) fn head(&mut self, head: Vec<Doc>) -> Doc {
        let mut parts = head;
        parts.push(Doc::Line);
        Doc::group(Doc::concat(parts))
    }

    fn statement(&mut self, statement: &Stmt) -> Doc {
        match &statement.kind {
            StmtKind::Let(binding) => self.let_statement(binding),
            StmtKind::LetTuple(binding) => self.let_tuple_statement(binding),
            StmtKind::Assign { target, op, value } => Doc::concat(vec![
                self.expr(target),
                Doc::text(format!(" {} ", assign_operator(*op))),
                self.expr(value),
                Doc::text(";"),
            ]),
            StmtKind::Expr(expr) => {
                if is_block_like(expr) {
                    self.statement_expr(expr)
                } else {
                    Doc::concat(vec![self.expr(expr), Doc::text(";")])
                }
            }
            StmtKind::For {
                pattern,
                iter,
                body,
            } => {
                let pattern = match pattern {
                    ForPattern::Name(name) => name.name.clone(),
                    ForPattern::Tuple(names, _) => {
                        let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                        format!("({})", names.join(", "))
                    }
                };
                let head = vec![Doc::text(format!("for {pattern} in ")), self.expr(iter)];
                Doc::concat(vec![self.head(head), self.block(body)])
            }
            StmtKind::Return(None) => Doc::text("return;"),
            StmtKind::Break => Doc::text("break;"),
            StmtKind::Continue => Doc::text("continue;"),
            StmtKind::Return(Some(value)) => {
                Doc::concat(vec![Doc::text("return "), self.expr(value), Doc::text(";")])
            }
            StmtKind::Require { cond, message } => Doc::group(Doc::concat(vec![
                Doc::text("require "),
                self.expr(cond),
                Doc::text(","),
                Doc::indent_if_broken(Doc::concat(vec![Doc::Line, self.expr(message)])),
                Doc::text(";"),
            ])),
            StmtKind::Assume(cond) => {
                Doc::concat(vec![Doc::text("assume "), self.expr(cond), Doc::text(";")])
            }
            StmtKind::Assert {
                cond,
                message: None,
            } => Doc::concat(vec![Doc::text("assert "), self.expr(cond), Doc::text(";")]),
            StmtKind::Assert {
                cond,
                message: Some(message),
            } => Doc::group(Doc::concat(vec![
                Doc::text("assert "),
                self.expr(cond),
                Doc::text(","),
                Doc::indent_if_broken(Doc::concat(vec![Doc::Line, self.expr(message)])),
                Doc::text(";"),
            ])),
            StmtKind::Abort(message) => Doc::concat(vec![
                Doc::text("abort "),
                self.expr(message),
                Doc::text(";"),
            ]),
            StmtKind::Authorize(call) => Doc::concat(vec![
                Doc::text("authorize "),
                self.expr(call),
                Doc::text(";"),
            ]),
            StmtKind::Emit {
                audit,
                event,
                fields,
            } => Doc::concat(vec![
                Doc::text(if *audit { "audit " } else { "emit " }),
                self.record_literal(event, fields, None, statement.span.end),
                Doc::text(";"),
            ]),
        }
    }

    pub(super) fn let_statement(&mut self, binding: &LetStmt) -> Doc {
        let mutable = if binding.mutable { "mut " } else { "" };
        let mut parts = vec![Doc::text(format!("let {mutable}{}", binding.name.name))];
        if let Some(ty) = &binding.ty {
            parts.push(Doc::text(": "));
            parts.push(self.type_expr(ty));
        }
        parts.push(Doc::text(" = "));
        parts.push(self.expr(&binding.value));
        parts.push(Doc::text(";"));
        Doc::concat(parts)
    }

    fn let_tuple_statement(&mut self, binding: &LetTupleStmt) -> Doc {
        let names: Vec<&str> = binding.names.iter().map(|n| n.name.as_str()).collect();
        let mut parts = vec![Doc::text(format!("let ({})", names.join(", ")))];
        if let Some(ty) = &binding.ty {
            parts.push(Doc::text(": "));
            parts.push(self.type_expr(ty));
        }
        parts.push(Doc::text(" = "));
        parts.push(self.expr(&binding.value));
        parts.push(Doc::text(";"));
        Doc::concat(parts)
    }

    /// An expression standing as a statement or a block's tail: `if` and `match` are
    /// always broken there.
    fn statement_expr(&mut self, expr: &Expr) -> Doc {
        match &expr.kind {
            ExprKind::If { .. } | ExprKind::IfLet { .. } => self.if_chain(expr),
            _ => self.expr(expr),
        }
    }
}

/// `if`, `if let` and `match`: a statement without `;`.
pub(super) fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::If { .. } | ExprKind::IfLet { .. } | ExprKind::Match { .. }
    )
}

fn assign_operator(op: AssignOp) -> &'static str {
    match op {
        AssignOp::Set => "=",
        AssignOp::Add => "+=",
        AssignOp::Sub => "-=",
        AssignOp::Mul => "*=",
    }
}
