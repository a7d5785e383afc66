//! Expressions: precedence climbing over the table of LANGUAGE.md §4.

use super::{Failed, PResult, Parser};
use crate::diagnostics::syntax_errors;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::token::{self, Token, TokenKind, is_reserved};

fn binary_op(kind: &TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Star => BinaryOp::Mul,
        TokenKind::Slash => BinaryOp::Div,
        TokenKind::Percent => BinaryOp::Rem,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::DotDot => BinaryOp::Range,
        TokenKind::EqEq => BinaryOp::Eq,
        TokenKind::NotEq => BinaryOp::Ne,
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::Ident(word) if word == "in" => BinaryOp::In,
        TokenKind::AndAnd => BinaryOp::And,
        TokenKind::OrOr => BinaryOp::Or,
        TokenKind::QuestionQuestion => BinaryOp::Default,
        _ => return None,
    })
}

/// A name, literal, `!` or expression keyword: what can follow `and`, `or` or `not` used
/// as an operator (besides brackets), and never follows an operand in valid code.
fn starts_operand(kind: &TokenKind) -> bool {
    match kind {
        TokenKind::Ident(word) => {
            !is_reserved(word)
                || matches!(
                    word.as_str(),
                    "if" | "match"
                        | "some"
                        | "none"
                        | "caller"
                        | "origin"
                        | "now"
                        | "block"
                        | "self"
                )
        }
        TokenKind::Literal(_) | TokenKind::Bang => true,
        _ => false,
    }
}

/// Comparisons (and `..`) do not associate: `a < b < c` is an error.
fn is_non_associative(op: BinaryOp) -> bool {
    op.precedence() == BinaryOp::Eq.precedence() || op == BinaryOp::Range
}

impl Parser {
    /// A whole expression.
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.nested(|p| p.binary(0))
    }

    /// Operators binding at least as tightly as `min_precedence`. Each operator of a
    /// chain counts one nesting level, so the tree depth stays bounded.
    fn binary(&mut self, min_precedence: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        let mut levels = 0;
        let result = loop {
            let word = self.word_operator();
            let Some(op) = binary_op(self.peek()).or(word) else {
                break Ok(lhs);
            };
            let precedence = op.precedence();
            if precedence < min_precedence {
                break Ok(lhs);
            }
            if let Err(failed) = self.enter() {
                break Err(failed);
            }
            levels += 1;
            let op_span = self.advance();
            if word.is_some() {
                self.report_word_operator(op_span, op.as_str());
            }
            // `??` associates to the right; everything else to the left.
            let next = if op == BinaryOp::Default {
                precedence
            } else {
                precedence + 1
            };
            let rhs = match crate::stack::guarded(|| self.binary(next)) {
                Ok(rhs) => rhs,
                Err(failed) => break Err(failed),
            };
            if let ExprKind::Binary { op: inner, .. } = &lhs.kind
                && is_non_associative(op)
                && is_non_associative(*inner)
            {
                let diagnostic = syntax_errors::chained_comparison(
                    self.file,
                    op_span,
                    op.as_str(),
                    inner.as_str(),
                );
                self.report(diagnostic);
            }
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        };
        self.leave(levels);
        result
    }

    /// `and` or `or` written between two operands, as other languages spell `&&` and
    /// `||`: reported, then parsed as the operator meant, so one slip is one error.
    /// Only where an operand follows: elsewhere the words are ordinary names.
    fn word_operator(&self) -> Option<BinaryOp> {
        let TokenKind::Ident(word) = self.peek() else {
            return None;
        };
        let op = match word.as_str() {
            "and" => BinaryOp::And,
            "or" => BinaryOp::Or,
            _ => return None,
        };
        let operand_follows = match self.peek_at(1) {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::Minus => true,
            next => starts_operand(next),
        };
        operand_follows.then_some(op)
    }

    /// `not x`: like [`Parser::word_operator`], for `!`. `not(…)` and `not[…]` stay a
    /// call or index of something named `not`.
    fn at_word_not(&self) -> bool {
        self.at_word("not") && starts_operand(self.peek_at(1))
    }

    fn report_word_operator(&mut self, span: Span, operator: &str) {
        let word = match operator {
            "&&" => "and",
            "||" => "or",
            _ => "not",
        };
        let diagnostic = syntax_errors::word_operator(self.file, span, word, operator);
        self.report(diagnostic);
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            _ if self.at_word_not() => {
                let span = self.span();
                self.report_word_operator(span, "!");
                UnaryOp::Not
            }
            _ => return self.postfix(),
        };
        let start = self.advance();
        let operand = self.nested(Parser::unary)?;
        let span = start.to(operand.span);
        Ok(Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span,
        })
    }

    /// `.field`, `.method(args)`, `(args)`, `[index]` after a primary expression.
    fn postfix(&mut self) -> PResult<Expr> {
        let mut expr = self.primary()?;
        let mut levels = 0;
        let result = loop {
            let step = match self.peek() {
                TokenKind::Dot | TokenKind::LParen | TokenKind::LBracket => self.enter(),
                TokenKind::Question if self.peek_at(1) == &TokenKind::Dot => self.enter(),
                _ => break Ok(expr),
            };
            if let Err(failed) = step {
                break Err(failed);
            }
            levels += 1;
            match self.postfix_step(expr) {
                Ok(next) => expr = next,
                Err(failed) => break Err(failed),
            }
        };
        self.leave(levels);
        result
    }

    fn postfix_step(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span;
        let kind = self.peek().clone();
        self.advance();
        match kind {
            TokenKind::Dot => {
                let name = self.member_name()?;
                if self.at(&TokenKind::LParen) {
                    let args = self.args()?;
                    Ok(Expr {
                        kind: ExprKind::MethodCall {
                            receiver: Box::new(base),
                            method: name,
                            args,
                        },
                        span: self.since(start),
                    })
                } else {
                    Ok(Expr {
                        kind: ExprKind::Field {
                            base: Box::new(base),
                            name,
                        },
                        span: self.since(start),
                    })
                }
            }
            TokenKind::Question => self.optional_field(base),
            TokenKind::LParen => {
                let args = self.args_after_open()?;
                Ok(Expr {
                    kind: ExprKind::Call {
                        callee: Box::new(base),
                        args,
                    },
                    span: self.since(start),
                })
            }
            _ => {
                let index = self.with_no_struct(false, Parser::expr)?;
                self.expect(&TokenKind::RBracket)?;
                Ok(Expr {
                    kind: ExprKind::Index {
                        base: Box::new(base),
                        index: Box::new(index),
                    },
                    span: self.since(start),
                })
            }
        }
    }

    /// `base?.name`, after the `?`. Only a field may follow: a method call through an
    /// option has no single meaning (`none` or an abort), so it is an error.
    fn optional_field(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span;
        self.expect(&TokenKind::Dot)?;
        let name = self.member_name()?;
        if self.at(&TokenKind::LParen) {
            let diagnostic =
                syntax_errors::call_after_optional_field(self.file, self.span(), &name.name);
            self.report(diagnostic);
            return Err(Failed);
        }
        Ok(Expr {
            kind: ExprKind::OptionalField {
                base: Box::new(base),
                name,
            },
            span: self.since(start),
        })
    }

    /// A field or method name after `.`: any identifier (contextual words included).
    fn member_name(&mut self) -> PResult<Ident> {
        match self.peek().clone() {
            TokenKind::Ident(name) if !is_reserved(&name) => {
                let span = self.advance();
                Ok(Ident { name, span })
            }
            // `t.0`: a tuple position, kept as a name of digits for the checker.
            TokenKind::Literal(Literal::Int(position)) => {
                let span = self.advance();
                Ok(Ident {
                    name: position.to_string(),
                    span,
                })
            }
            _ => Err(self.expected("a field or method name")),
        }
    }

    /// `(a, b, …)`
    fn args(&mut self) -> PResult<Vec<Expr>> {
        self.expect(&TokenKind::LParen)?;
        self.args_after_open()
    }

    fn args_after_open(&mut self) -> PResult<Vec<Expr>> {
        self.with_no_struct(false, |p| {
            let mut args = Vec::new();
            while !p.at(&TokenKind::RParen) {
                args.push(p.expr()?);
                if p.eat(&TokenKind::Comma).is_none() {
                    break;
                }
            }
            p.expect(&TokenKind::RParen)?;
            Ok(args)
        })
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.span();
        match self.peek().clone() {
            TokenKind::Literal(literal) => {
                self.advance();
                Ok(Expr {
                    kind: ExprKind::Literal(literal),
                    span: start,
                })
            }
            TokenKind::Interpolated(parts) => {
                self.advance();
                let mut parsed = Vec::new();
                for part in parts {
                    parsed.push(match part {
                        token::StringPart::Text(text) => StringPart::Text(text),
                        // A part that does not parse is reported and left out, so the
                        // string still stands and nothing follows from the error.
                        token::StringPart::Expr(tokens) => match self.interpolated_expr(tokens) {
                            Ok(expr) => StringPart::Expr(expr),
                            Err(Failed) => StringPart::Text(String::new()),
                        },
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Interpolated(parsed),
                    span: start,
                })
            }
            TokenKind::LParen => self.paren_or_tuple(),
            TokenKind::LBracket => self.collection(),
            TokenKind::Ident(word) => self.word_expr(&word),
            _ => Err(self.expected("an expression")),
        }
    }

    /// The expression of one `{…}` of a string: its own token stream (ending at the
    /// `}`), parsed in place of the file's and then given back.
    fn interpolated_expr(&mut self, tokens: Vec<Token>) -> PResult<Expr> {
        let outer_tokens = std::mem::replace(&mut self.tokens, tokens);
        let outer_pos = std::mem::replace(&mut self.pos, 0);
        let outer_no_struct = std::mem::replace(&mut self.no_struct, false);
        let result = if self.at_eof() {
            if !self.token().poisoned {
                let diagnostic = syntax_errors::empty_interpolation(self.file, self.span());
                self.report(diagnostic);
            }
            Err(Failed)
        } else {
            self.expr().and_then(|expr| {
                if self.at_eof() {
                    Ok(expr)
                } else {
                    Err(self.expected("`}` closing the interpolation"))
                }
            })
        };
        self.tokens = outer_tokens;
        self.pos = outer_pos;
        self.no_struct = outer_no_struct;
        result
    }

    fn word_expr(&mut self, word: &str) -> PResult<Expr> {
        let start = self.span();
        let context = match word {
            "caller" => Some(ContextVar::Caller),
            "origin" => Some(ContextVar::Origin),
            "now" => Some(ContextVar::Now),
            "block" => Some(ContextVar::Block),
            "self" => Some(ContextVar::SelfAddress),
            _ => None,
        };
        if let Some(context) = context {
            self.advance();
            return Ok(Expr {
                kind: ExprKind::Context(context),
                span: start,
            });
        }
        match word {
            "none" => {
                self.advance();
                Ok(Expr {
                    kind: ExprKind::None,
                    span: start,
                })
            }
            "some" => {
                self.advance();
                self.expect(&TokenKind::LParen)?;
                let inner = self.with_no_struct(false, Parser::expr)?;
                self.expect(&TokenKind::RParen)?;
                Ok(Expr {
                    kind: ExprKind::Some(Box::new(inner)),
                    span: self.since(start),
                })
            }
            "if" | "match" => self.block_like(),
            "abort" => Err(self.abort_as_value()),
            _ if is_reserved(word) => Err(self.expected("an expression")),
            _ => {
                let name = self.ident("a name")?;
                if self.at(&TokenKind::LBrace) && !self.no_struct {
                    let open = self.advance();
                    let (fields, base) = self.field_inits(open)?;
                    return Ok(Expr {
                        kind: ExprKind::Record { name, fields, base },
                        span: self.since(start),
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Name(name),
                    span: start,
                })
            }
        }
    }

    /// The fields of a record literal or an `emit`, after `{`: `name: e`, `name`,
    /// `..base`, up to and including `}`.
    pub(super) fn field_inits(
        &mut self,
        open: Span,
    ) -> PResult<(Vec<FieldInit>, Option<Box<Expr>>)> {
        self.nested(|p| {
            p.with_no_struct(false, |p| {
                let mut fields = Vec::new();
                let mut base = None;
                while !p.at(&TokenKind::RBrace) {
                    if p.at_eof() {
                        let diagnostic = syntax_errors::unclosed_fields(p.file, p.span(), open);
                        p.report(diagnostic);
                        return Err(Failed);
                    }
                    if p.eat(&TokenKind::DotDot).is_some() {
                        base = Some(Box::new(p.expr()?));
                    } else {
                        let start = p.span();
                        let name = p.ident("a field name")?;
                        let (value, shorthand) = if p.eat(&TokenKind::Colon).is_some() {
                            (p.expr()?, false)
                        } else {
                            let value = Expr {
                                kind: ExprKind::Name(name.clone()),
                                span: name.span,
                            };
                            (value, true)
                        };
                        fields.push(FieldInit {
                            name,
                            value,
                            shorthand,
                            span: p.since(start),
                        });
                    }
                    if p.eat(&TokenKind::Comma).is_none() {
                        break;
                    }
                }
                p.expect(&TokenKind::RBrace)?;
                Ok((fields, base))
            })
        })
    }

    /// `(e)` or `(a, b, …)`.
    fn paren_or_tuple(&mut self) -> PResult<Expr> {
        let p = self;
        {
            p.with_no_struct(false, |p| {
                let open = p.advance();
                if p.at(&TokenKind::RParen) {
                    return Err(p.expected("an expression (there is no empty tuple)"));
                }
                let first = p.expr()?;
                if p.eat(&TokenKind::Comma).is_none() {
                    p.expect(&TokenKind::RParen)?;
                    return Ok(Expr {
                        kind: ExprKind::Paren(Box::new(first)),
                        span: p.since(open),
                    });
                }
                let mut elements = vec![first];
                while !p.at(&TokenKind::RParen) {
                    elements.push(p.expr()?);
                    if p.eat(&TokenKind::Comma).is_none() {
                        break;
                    }
                }
                p.expect(&TokenKind::RParen)?;
                if elements.len() == 1 {
                    // `(e,)` is the grouping of one expression.
                    let first = elements.pop().ok_or(Failed)?;
                    return Ok(Expr {
                        kind: ExprKind::Paren(Box::new(first)),
                        span: p.since(open),
                    });
                }
                Ok(Expr {
                    kind: ExprKind::Tuple(elements),
                    span: p.since(open),
                })
            })
        }
    }

    /// `[a, b]`, `[k: v, …]`, `[:]`, `[]`.
    fn collection(&mut self) -> PResult<Expr> {
        let p = self;
        {
            p.with_no_struct(false, |p| {
                let open = p.advance();
                if p.eat(&TokenKind::Colon).is_some() {
                    p.expect(&TokenKind::RBracket)?;
                    return Ok(Expr {
                        kind: ExprKind::MapLit(Vec::new()),
                        span: p.since(open),
                    });
                }
                if p.eat(&TokenKind::RBracket).is_some() {
                    return Ok(Expr {
                        kind: ExprKind::List(Vec::new()),
                        span: p.since(open),
                    });
                }
                let first = p.expr()?;
                if p.eat(&TokenKind::Colon).is_some() {
                    let value = p.expr()?;
                    let mut entries = vec![(first, value)];
                    while p.eat(&TokenKind::Comma).is_some() && !p.at(&TokenKind::RBracket) {
                        let key = p.expr()?;
                        p.expect(&TokenKind::Colon)?;
                        let value = p.expr()?;
                        entries.push((key, value));
                    }
                    p.expect(&TokenKind::RBracket)?;
                    return Ok(Expr {
                        kind: ExprKind::MapLit(entries),
                        span: p.since(open),
                    });
                }
                let mut elements = vec![first];
                while p.eat(&TokenKind::Comma).is_some() && !p.at(&TokenKind::RBracket) {
                    elements.push(p.expr()?);
                }
                p.expect(&TokenKind::RBracket)?;
                Ok(Expr {
                    kind: ExprKind::List(elements),
                    span: p.since(open),
                })
            })
        }
    }

    /// `if …`, `if let …` or `match …` (the current token is `if` or `match`).
    pub(super) fn block_like(&mut self) -> PResult<Expr> {
        if self.at_word("match") {
            self.match_expr()
        } else {
            self.if_expr()
        }
    }

    fn if_expr(&mut self) -> PResult<Expr> {
        let start = self.advance();
        if self.eat_word("let").is_some() {
            let pattern = self.pattern()?;
            self.expect(&TokenKind::Eq)?;
            let value = self.with_no_struct(true, Parser::expr)?;
            let then = self.block()?;
            let otherwise = self.else_branch()?;
            return Ok(Expr {
                kind: ExprKind::IfLet {
                    pattern,
                    value: Box::new(value),
                    then,
                    otherwise,
                },
                span: self.since(start),
            });
        }
        let cond = self.with_no_struct(true, Parser::expr)?;
        let then = self.block()?;
        let otherwise = self.else_branch()?;
        Ok(Expr {
            kind: ExprKind::If {
                cond: Box::new(cond),
                then,
                otherwise,
            },
            span: self.since(start),
        })
    }

    fn else_branch(&mut self) -> PResult<Option<Else>> {
        if self.eat_word("else").is_none() {
            return Ok(None);
        }
        if self.at_word("if") {
            let nested = self.nested(Parser::if_expr)?;
            return Ok(Some(Else::If(Box::new(nested))));
        }
        Ok(Some(Else::Block(self.block()?)))
    }

    fn match_expr(&mut self) -> PResult<Expr> {
        let start = self.advance();
        let scrutinee = self.with_no_struct(true, Parser::expr)?;
        let open = self.expect(&TokenKind::LBrace)?;
        let arms = self.with_no_struct(false, |p| {
            let mut arms = Vec::new();
            while !p.at(&TokenKind::RBrace) {
                if p.at_eof() {
                    let diagnostic = syntax_errors::unclosed_match(p.file, p.span(), open);
                    p.report(diagnostic);
                    return Err(Failed);
                }
                let arm_start = p.span();
                let pattern = p.pattern()?;
                p.expect(&TokenKind::FatArrow)?;
                let body = if p.at(&TokenKind::LBrace) {
                    let block = p.block()?;
                    p.eat(&TokenKind::Comma);
                    ArmBody::Block(block)
                } else {
                    let expr = p.expr()?;
                    if p.eat(&TokenKind::Comma).is_none() && !p.at(&TokenKind::RBrace) {
                        return Err(p.expected("`,` or `}` after a match arm"));
                    }
                    ArmBody::Expr(expr)
                };
                arms.push(MatchArm {
                    pattern,
                    body,
                    span: p.since(arm_start),
                });
            }
            Ok(arms)
        })?;
        self.expect(&TokenKind::RBrace)?;
        Ok(Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(scrutinee),
                arms,
            },
            span: self.since(start),
        })
    }
}
