//! Blocks and statements.

use super::{Failed, PResult, Parser};
use crate::diagnostics::syntax_errors;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind;

/// What a statement position held: a statement, or the block's final expression.
enum Parsed {
    Stmt(Stmt),
    Tail(Expr),
}

impl Parser {
    /// `{ stmt* [tail] }`, recovering at statement boundaries.
    pub(super) fn block(&mut self) -> PResult<Block> {
        self.nested(|p| p.with_no_struct(false, Parser::block_inner))
    }

    fn block_inner(&mut self) -> PResult<Block> {
        let open = self.expect(&TokenKind::LBrace)?;
        let mut stmts = Vec::new();
        let mut tail: Option<Box<Expr>> = None;
        loop {
            if self.eat(&TokenKind::RBrace).is_some() {
                return Ok(Block {
                    stmts,
                    tail,
                    span: self.since(open),
                });
            }
            if self.at_eof() || self.at_item_start() {
                let diagnostic = syntax_errors::unclosed(self.file, self.span(), "the block", open);
                self.report(diagnostic);
                return Ok(Block {
                    stmts,
                    tail,
                    span: self.since(open),
                });
            }
            if let Some(previous) = tail.take() {
                // A tail was followed by more statements: it was a statement missing `;`.
                let diagnostic = syntax_errors::tail_not_last(self.file, self.span());
                self.report(diagnostic);
                let span = previous.span;
                stmts.push(Stmt {
                    kind: StmtKind::Expr(*previous),
                    span,
                });
            }
            let start = self.pos;
            match self.stmt() {
                Ok(Parsed::Stmt(stmt)) => stmts.push(stmt),
                Ok(Parsed::Tail(expr)) => tail = Some(Box::new(expr)),
                Err(Failed) => {
                    self.recover_stmt(start);
                    if let Some(partial) = self.failed_let.take() {
                        let span = partial.span;
                        stmts.push(Stmt {
                            kind: StmtKind::Let(partial),
                            span,
                        });
                    }
                }
            }
        }
    }

    fn stmt(&mut self) -> PResult<Parsed> {
        let start = self.span();
        let word = match self.peek() {
            TokenKind::Ident(word) => word.clone(),
            _ => String::new(),
        };
        let kind = match word.as_str() {
            "let"
                if matches!(self.peek_at(1), TokenKind::LParen)
                    || (matches!(self.peek_at(1), TokenKind::Ident(w) if w == "mut")
                        && matches!(self.peek_at(2), TokenKind::LParen)) =>
            {
                StmtKind::LetTuple(self.let_tuple_stmt()?)
            }
            "let" => StmtKind::Let(self.let_stmt()?),
            "return" => {
                self.advance();
                let value = if self.at(&TokenKind::Semi) || self.at(&TokenKind::RBrace) {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect_semi()?;
                StmtKind::Return(value)
            }
            "require" => {
                self.advance();
                let cond = self.expr()?;
                self.expect(&TokenKind::Comma)?;
                let message = self.expr()?;
                self.expect_semi()?;
                StmtKind::Require { cond, message }
            }
            "abort" => {
                self.advance();
                let message = self.expr()?;
                self.expect_semi()?;
                StmtKind::Abort(message)
            }
            "authorize" => {
                self.advance();
                let call = self.expr()?;
                self.expect_semi()?;
                StmtKind::Authorize(call)
            }
            "emit" | "audit" => {
                self.advance();
                let event = self.ident("an event name")?;
                let open = self.expect(&TokenKind::LBrace)?;
                let (fields, base) = self.field_inits(open)?;
                if let Some(base) = base {
                    let diagnostic = syntax_errors::event_update(self.file, base.span);
                    self.report(diagnostic);
                }
                self.expect_semi()?;
                StmtKind::Emit {
                    audit: word == "audit",
                    event,
                    fields,
                }
            }
            "for" => self.for_stmt()?,
            "assume" | "assert" if self.at_property_statement() => {
                self.advance();
                let cond = self.expr()?;
                if word == "assume" {
                    self.expect_semi()?;
                    StmtKind::Assume(cond)
                } else {
                    let message = if self.eat(&TokenKind::Comma).is_some() {
                        Some(self.expr()?)
                    } else {
                        None
                    };
                    self.expect_semi()?;
                    StmtKind::Assert { cond, message }
                }
            }
            "break" | "continue" if self.at_loop_jump() => {
                self.advance();
                self.expect_semi()?;
                if word == "break" {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            "if" | "match" => {
                // A block-like expression stands as a statement without `;`.
                let expr = self.block_like()?;
                if self.at(&TokenKind::RBrace) {
                    return Ok(Parsed::Tail(expr));
                }
                self.eat(&TokenKind::Semi);
                StmtKind::Expr(expr)
            }
            _ => {
                let target = self.expr()?;
                let op = match self.peek() {
                    TokenKind::Eq => Some(AssignOp::Set),
                    TokenKind::PlusEq => Some(AssignOp::Add),
                    TokenKind::MinusEq => Some(AssignOp::Sub),
                    TokenKind::StarEq => Some(AssignOp::Mul),
                    _ => None,
                };
                match op {
                    Some(op) => {
                        self.advance();
                        let value = self.expr()?;
                        self.expect_semi()?;
                        StmtKind::Assign { target, op, value }
                    }
                    None if self.at(&TokenKind::RBrace) => return Ok(Parsed::Tail(target)),
                    None => {
                        self.expect_semi()?;
                        StmtKind::Expr(target)
                    }
                }
            }
        };
        Ok(Parsed::Stmt(Stmt {
            kind,
            span: self.since(start),
        }))
    }

    /// `assume` and `assert` are keywords only at the start of a statement of a property
    /// body, and not where they begin an assignment (`assert = true;`) or a path
    /// (`assert.x`): elsewhere they are names.
    fn at_property_statement(&self) -> bool {
        self.in_property
            && !matches!(
                self.peek_at(1),
                TokenKind::Eq
                    | TokenKind::PlusEq
                    | TokenKind::MinusEq
                    | TokenKind::StarEq
                    | TokenKind::Dot
                    | TokenKind::Semi
                    | TokenKind::Question
                    | TokenKind::QuestionQuestion
                    | TokenKind::RBrace
            )
    }

    /// `break` and `continue` are keywords only as statements of their own: followed by
    /// `;` (or, a slip reported as a missing `;`, by `}` or a new line). Elsewhere they
    /// are names: `continue = true;`, `continue * 2`.
    fn at_loop_jump(&self) -> bool {
        matches!(
            self.peek_at(1),
            TokenKind::Semi | TokenKind::RBrace | TokenKind::Eof
        ) || self.token_at(1).line_start
    }

    /// `let (a, b) [: T] = value;` — each element a name or `_`.
    fn let_tuple_stmt(&mut self) -> PResult<LetTupleStmt> {
        let start = self.advance();
        if self.at_word("mut") {
            // Reported, then read as if without `mut`: the names are still bound.
            let diagnostic = syntax_errors::mut_tuple_let(self.file, self.span());
            self.report(diagnostic);
            self.advance();
        }
        let open = self.span();
        let names = self.tuple_names()?;
        let pattern_span = self.since(open);
        let ty = if self.eat(&TokenKind::Colon).is_some() {
            Some(self.type_expr()?)
        } else {
            None
        };
        self.expect(&TokenKind::Eq)?;
        let value = self.expr()?;
        self.expect_semi()?;
        Ok(LetTupleStmt {
            names,
            pattern_span,
            ty,
            value,
            span: self.since(start),
        })
    }

    /// `(a, b, …)`: the names of a tuple pattern in `let` and `for`.
    fn tuple_names(&mut self) -> PResult<Vec<Ident>> {
        self.expect(&TokenKind::LParen)?;
        let mut names = Vec::new();
        loop {
            names.push(self.ident("a name or `_`")?);
            if self.eat(&TokenKind::Comma).is_none() || self.at(&TokenKind::RParen) {
                break;
            }
        }
        self.expect(&TokenKind::RParen)?;
        Ok(names)
    }

    /// `let [mut] name [: T] = value;`
    pub(super) fn let_stmt(&mut self) -> PResult<LetStmt> {
        let start = self.advance();
        let mutable = self.eat_word("mut").is_some();
        if self.at(&TokenKind::LParen) {
            return Err(self.tuple_pattern_not_here("a policy's `let` binds one name"));
        }
        let name = self.ident("a name")?;
        let ty = if self.eat(&TokenKind::Colon).is_some() {
            Some(self.type_expr()?)
        } else {
            None
        };
        self.expect(&TokenKind::Eq)?;
        let value = match self.expr() {
            Ok(value) => value,
            Err(Failed) => {
                let value = Expr {
                    kind: ExprKind::Error,
                    span: self.since(start),
                };
                return Err(self.let_failed(mutable, name, ty, value, start));
            }
        };
        if let Err(Failed) = self.expect_semi() {
            return Err(self.let_failed(mutable, name, ty, value, start));
        }
        Ok(LetStmt {
            mutable,
            name,
            ty,
            value,
            span: self.since(start),
        })
    }

    /// Keeps a `let` that failed after its name (see `Parser::failed_let`).
    fn let_failed(
        &mut self,
        mutable: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
        start: Span,
    ) -> Failed {
        self.failed_let = Some(LetStmt {
            mutable,
            name,
            ty,
            value,
            span: self.since(start),
        });
        Failed
    }

    /// `for x in e { … }`, `for (k, v) in e { … }`
    fn for_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let pattern = if self.at(&TokenKind::LParen) {
            let open = self.span();
            let names = self.tuple_names()?;
            ForPattern::Tuple(names, self.since(open))
        } else {
            ForPattern::Name(self.ident("a name or `(k, v)`")?)
        };
        if self.eat_word("in").is_none() {
            return Err(self.expected("`in`"));
        }
        let iter = self.with_no_struct(true, Parser::expr)?;
        let body = self.block()?;
        Ok(StmtKind::For {
            pattern,
            iter,
            body,
        })
    }
}
