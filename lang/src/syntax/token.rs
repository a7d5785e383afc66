//! Tokens: what the lexer produces and the parser consumes.

use crate::span::Span;
use crate::syntax::ast::Literal;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// Any identifier, reserved or contextual words included; the parser decides.
    Ident(String),
    /// A literal already converted to its stored form. An invalid literal has been
    /// reported by the lexer and stands here with a placeholder value, so parsing goes on.
    Literal(Literal),
    /// A string literal with at least one `{expr}`: its parts in order (a string
    /// without one is a [`Literal::String`]).
    Interpolated(Vec<StringPart>),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Colon,
    Dot,
    DotDot,
    Arrow,
    FatArrow,
    Question,
    QuestionQuestion,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Eq,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Pipe,
    PlusEq,
    MinusEq,
    StarEq,
    Eof,
}

impl TokenKind {
    /// How the token is named in "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Ident(name) => format!("`{name}`"),
            TokenKind::Literal(literal) => match literal {
                Literal::Bool(value) => format!("`{value}`"),
                Literal::Int(_) => "an integer literal".to_string(),
                Literal::Money(_) => "a money literal".to_string(),
                Literal::Percent(_) => "a percent literal".to_string(),
                Literal::Duration { .. } => "a duration literal".to_string(),
                Literal::Time { .. } => "a time literal".to_string(),
                Literal::Address(_) | Literal::Hash(_) | Literal::Bytes(_) => {
                    "a hex literal".to_string()
                }
                Literal::String(_) => "a string literal".to_string(),
            },
            TokenKind::Interpolated(_) => "an interpolated string".to_string(),
            TokenKind::Eof => "the end of the file".to_string(),
            other => format!("`{}`", other.punctuation()),
        }
    }

    /// The text of a punctuation token.
    pub fn punctuation(&self) -> &'static str {
        match self {
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::LBrace => "{",
            TokenKind::RBrace => "}",
            TokenKind::LBracket => "[",
            TokenKind::RBracket => "]",
            TokenKind::Comma => ",",
            TokenKind::Semi => ";",
            TokenKind::Colon => ":",
            TokenKind::Dot => ".",
            TokenKind::DotDot => "..",
            TokenKind::Arrow => "->",
            TokenKind::FatArrow => "=>",
            TokenKind::Question => "?",
            TokenKind::QuestionQuestion => "??",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::Bang => "!",
            TokenKind::Eq => "=",
            TokenKind::EqEq => "==",
            TokenKind::NotEq => "!=",
            TokenKind::Lt => "<",
            TokenKind::Le => "<=",
            TokenKind::Gt => ">",
            TokenKind::Ge => ">=",
            TokenKind::AndAnd => "&&",
            TokenKind::OrOr => "||",
            TokenKind::Pipe => "|",
            TokenKind::PlusEq => "+=",
            TokenKind::MinusEq => "-=",
            TokenKind::StarEq => "*=",
            TokenKind::Ident(_)
            | TokenKind::Literal(_)
            | TokenKind::Interpolated(_)
            | TokenKind::Eof => "",
        }
    }
}

/// A part of an interpolated string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StringPart {
    /// Text, escapes and `{{` `}}` resolved.
    Text(String),
    /// The tokens between `{` and `}`, ending with an [`TokenKind::Eof`] at the `}`.
    Expr(Vec<Token>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// The `///` lines directly before this token, joined with `\n`.
    pub doc: Option<String>,
    /// The token is the first on its line (item recovery restarts at such tokens).
    pub line_start: bool,
    /// A lexical error was reported at or just before this token.
    pub poisoned: bool,
}

/// Words that are never names (LANGUAGE.md §2).
pub const RESERVED: &[&str] = &[
    "let",
    "mut",
    "if",
    "else",
    "match",
    "for",
    "in",
    "return",
    "require",
    "abort",
    "authorize",
    "emit",
    "audit",
    "when",
    "unless",
    "true",
    "false",
    "some",
    "none",
    "caller",
    "origin",
    "now",
    "block",
    "self",
];

/// Words that begin an item; keywords only where an item can begin.
pub const ITEM_KEYWORDS: &[&str] = &[
    "contract", "import", "const", "enum", "record", "event", "state", "init", "action", "view",
    "policy", "fn", "property",
];

pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}
