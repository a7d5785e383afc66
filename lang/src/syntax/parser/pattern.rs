//! Patterns (`match` arms, `if let`) and types.

use super::{PResult, Parser};
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::token::{Token, TokenKind, is_reserved};

impl Parser {
    /// `p | q | …`
    pub(super) fn pattern(&mut self) -> PResult<Pattern> {
        self.nested(|p| {
            let first = p.single_pattern()?;
            if !p.at(&TokenKind::Pipe) {
                return Ok(first);
            }
            let start = first.span;
            let mut alternatives = vec![first];
            while p.eat(&TokenKind::Pipe).is_some() {
                alternatives.push(p.single_pattern()?);
            }
            Ok(Pattern {
                kind: PatternKind::Or(alternatives),
                span: p.since(start),
            })
        })
    }

    fn single_pattern(&mut self) -> PResult<Pattern> {
        let start = self.span();
        let kind = match self.peek().clone() {
            TokenKind::Literal(literal) => {
                self.advance();
                PatternKind::Literal(literal)
            }
            TokenKind::Minus => {
                self.advance();
                let negated = match self.peek().clone() {
                    TokenKind::Literal(Literal::Int(value)) => Some(Literal::Int(-value)),
                    TokenKind::Literal(Literal::Money(value)) => Some(Literal::Money(-value)),
                    TokenKind::Literal(Literal::Percent(value)) => Some(Literal::Percent(-value)),
                    TokenKind::Literal(Literal::Duration { seconds, text }) => {
                        Some(Literal::Duration {
                            seconds: -seconds,
                            text: format!("-{text}"),
                        })
                    }
                    _ => None,
                };
                match negated {
                    Some(literal) => {
                        self.advance();
                        PatternKind::Literal(literal)
                    }
                    None => return Err(self.expected("a number after `-` in a pattern")),
                }
            }
            TokenKind::LParen => {
                self.advance();
                let mut elements = Vec::new();
                while !self.at(&TokenKind::RParen) {
                    elements.push(self.pattern()?);
                    if self.eat(&TokenKind::Comma).is_none() {
                        break;
                    }
                }
                self.expect(&TokenKind::RParen)?;
                if elements.len() == 1
                    && let Some(inner) = elements.pop()
                {
                    return Ok(inner);
                }
                if elements.is_empty() {
                    return Err(self.expected("a pattern"));
                }
                PatternKind::Tuple(elements)
            }
            TokenKind::Ident(word) if word == "_" => {
                self.advance();
                PatternKind::Wildcard
            }
            TokenKind::Ident(word) if word == "none" => {
                self.advance();
                PatternKind::None
            }
            TokenKind::Ident(word) if word == "some" => {
                self.advance();
                self.expect(&TokenKind::LParen)?;
                let inner = self.pattern()?;
                self.expect(&TokenKind::RParen)?;
                PatternKind::Some(Box::new(inner))
            }
            TokenKind::Ident(word) if !is_reserved(&word) => {
                let first = self.ident("a pattern")?;
                if !self.at(&TokenKind::Dot) {
                    PatternKind::Name(first)
                } else {
                    let mut path = vec![first];
                    while self.eat(&TokenKind::Dot).is_some() {
                        path.push(self.ident("a variant name")?);
                    }
                    PatternKind::Variant(path)
                }
            }
            _ => return Err(self.expected("a pattern")),
        };
        Ok(Pattern {
            kind,
            span: self.since(start),
        })
    }

    /// `Name`, `Name<A, B>`, `(A, B)`, each optionally followed by `?`s.
    pub(super) fn type_expr(&mut self) -> PResult<TypeExpr> {
        self.nested(|p| {
            let start = p.span();
            let mut ty = if p.eat(&TokenKind::LParen).is_some() {
                let mut elements = Vec::new();
                while !p.at(&TokenKind::RParen) {
                    elements.push(p.type_expr()?);
                    if p.eat(&TokenKind::Comma).is_none() {
                        break;
                    }
                }
                p.expect(&TokenKind::RParen)?;
                match elements.len() {
                    0 => return Err(p.expected("a type (there is no empty tuple)")),
                    1 => elements.pop().ok_or(super::Failed)?,
                    _ => TypeExpr {
                        kind: TypeExprKind::Tuple(elements),
                        span: p.since(start),
                    },
                }
            } else {
                let name = p.ident("a type")?;
                let mut args = Vec::new();
                if p.eat(&TokenKind::Lt).is_some() {
                    loop {
                        args.push(p.type_expr()?);
                        if p.eat(&TokenKind::Comma).is_none() {
                            break;
                        }
                    }
                    p.close_angle()?;
                }
                TypeExpr {
                    kind: TypeExprKind::Named { name, args },
                    span: p.since(start),
                }
            };
            // Each `?` is one level deeper, like any other nesting.
            let mut levels = 0;
            let result = loop {
                let questions = match p.peek() {
                    TokenKind::Question => 1,
                    TokenKind::QuestionQuestion => 2,
                    _ => break Ok(()),
                };
                p.advance();
                for _ in 0..questions {
                    if let Err(failed) = p.enter() {
                        p.leave(levels);
                        return Err(failed);
                    }
                    levels += 1;
                    ty = TypeExpr {
                        kind: TypeExprKind::Option(Box::new(ty)),
                        span: p.since(start),
                    };
                }
            };
            p.leave(levels);
            result?;
            Ok(ty)
        })
    }

    /// `>` closing type arguments; splits `>=` (as in `Map<K, V>= [:]`).
    fn close_angle(&mut self) -> PResult<()> {
        if self.eat(&TokenKind::Gt).is_some() {
            return Ok(());
        }
        if self.at(&TokenKind::Ge) {
            let span = self.span();
            let split = span.start.saturating_add(1);
            if let Some(token) = self.tokens.get_mut(self.pos) {
                *token = Token {
                    kind: TokenKind::Eq,
                    span: Span::new(split, span.end),
                    doc: None,
                    line_start: false,
                    poisoned: false,
                };
            }
            return Ok(());
        }
        Err(self.expected("`>` or `,`"))
    }
}
