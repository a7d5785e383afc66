//! Tokens to syntax tree: a recursive-descent parser with precedence climbing.
//!
//! Every parse function either returns its node or reports a diagnostic and returns
//! [`Failed`]; the callers that own a boundary (items, statements, policy rules)
//! recover by skipping to the next boundary, so one run reports every syntax error.
//! Recursion is bounded by [`MAX_DEPTH`]: deeper input is an error, never a stack
//! overflow.

mod expr;
mod items;
mod pattern;
mod stmt;

use crate::diagnostics::{Diagnostic, syntax_errors};
use crate::span::{FileId, Span};
use crate::syntax::ast::{Ident, LetStmt, SourceUnit};
use crate::syntax::token::{ITEM_KEYWORDS, Token, TokenKind, is_reserved};

/// How deeply expressions, blocks, types and patterns may nest. Binary operator chains
/// and postfix chains count one level per operator, so this bounds the depth of the
/// tree every later pass walks.
pub const MAX_DEPTH: usize = 128;

/// The error has been reported; the caller recovers.
#[derive(Debug)]
pub(crate) struct Failed;

pub(crate) type PResult<T> = Result<T, Failed>;

pub(crate) struct Parser {
    file: FileId,
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    depth: usize,
    depth_reported: bool,
    /// In the head of `if`, `match` and `for`, `Name {` opens the block.
    no_struct: bool,
    /// In the body of a `property`, where `assume` and `assert` begin statements.
    in_property: bool,
    /// A `let` whose name was read before its value or `;` failed: kept, with an error
    /// for a value it could not read, so that the name stays bound after recovery and
    /// its uses report nothing more.
    failed_let: Option<LetStmt>,
}

/// Parses the tokens of one file. `require_contract`: the file must start with
/// `contract Name;` (standard-library modules have none).
pub(crate) fn parse_tokens(
    file: FileId,
    tokens: Vec<Token>,
    require_contract: bool,
) -> (SourceUnit, Vec<Diagnostic>) {
    let mut parser = Parser {
        file,
        tokens,
        pos: 0,
        diagnostics: Vec::new(),
        depth: 0,
        depth_reported: false,
        no_struct: false,
        in_property: false,
        failed_let: None,
    };
    let unit = parser.source_unit(require_contract);
    (unit, parser.diagnostics)
}

impl Parser {
    // ---- the token cursor ----------------------------------------------------------

    fn token(&self) -> &Token {
        self.token_at(0)
    }

    fn token_at(&self, ahead: usize) -> &Token {
        let index = (self.pos + ahead).min(self.tokens.len().saturating_sub(1));
        // The lexer always ends the stream with `Eof`, so the stream is never empty.
        match self.tokens.get(index) {
            Some(token) => token,
            None => &EOF_TOKEN,
        }
    }

    fn peek(&self) -> &TokenKind {
        &self.token().kind
    }

    fn peek_at(&self, ahead: usize) -> &TokenKind {
        &self.token_at(ahead).kind
    }

    fn span(&self) -> Span {
        self.token().span
    }

    /// The end of the last consumed token.
    fn prev_end(&self) -> u32 {
        match self
            .pos
            .checked_sub(1)
            .and_then(|index| self.tokens.get(index))
        {
            Some(token) => token.span.end,
            None => 0,
        }
    }

    /// A span from `start` to the end of the last consumed token.
    fn since(&self, start: Span) -> Span {
        Span::new(start.start, self.prev_end().max(start.start))
    }

    /// Moves past the current token (never past `Eof`); returns its span.
    fn advance(&mut self) -> Span {
        let span = self.span();
        if self.pos < self.tokens.len().saturating_sub(1) {
            self.pos += 1;
        }
        span
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_eof(&self) -> bool {
        self.at(&TokenKind::Eof)
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), TokenKind::Ident(name) if name == word)
    }

    fn eat(&mut self, kind: &TokenKind) -> Option<Span> {
        if self.at(kind) {
            Some(self.advance())
        } else {
            None
        }
    }

    fn eat_word(&mut self, word: &str) -> Option<Span> {
        if self.at_word(word) {
            Some(self.advance())
        } else {
            None
        }
    }

    // ---- errors ----------------------------------------------------------------------

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A lexical error was just reported here: a syntax error would only repeat it.
    fn after_lexical_error(&self) -> bool {
        let previous = self
            .pos
            .checked_sub(1)
            .and_then(|index| self.tokens.get(index));
        self.token().poisoned || previous.is_some_and(|token| token.poisoned)
    }

    /// "expected X, found Y" at the current token.
    fn expected(&mut self, what: &str) -> Failed {
        if self.after_lexical_error() {
            return Failed;
        }
        let found = self.peek().describe();
        let diagnostic = syntax_errors::expected(self.file, self.span(), what, &found);
        self.report(diagnostic);
        Failed
    }

    /// `abort` where a value is expected (`x ?? abort "…"`): says how to write it.
    fn abort_as_value(&mut self) -> Failed {
        if self.after_lexical_error() {
            return Failed;
        }
        let diagnostic = syntax_errors::abort_as_value(self.file, self.span());
        self.report(diagnostic);
        Failed
    }

    /// A tuple pattern `(a, b)` where none is allowed: says why, and where one is.
    fn tuple_pattern_not_here(&mut self, why: &str) -> Failed {
        if self.after_lexical_error() {
            return Failed;
        }
        let diagnostic = syntax_errors::tuple_pattern_not_here(self.file, self.span(), why);
        self.report(diagnostic);
        Failed
    }

    fn expect(&mut self, kind: &TokenKind) -> PResult<Span> {
        match self.eat(kind) {
            Some(span) => Ok(span),
            None => Err(self.expected(&format!("`{}`", kind.punctuation()))),
        }
    }

    /// Expects `;`. When it is missing before a new line or a `}`, the error points just
    /// after the previous token and parsing goes on as if it were there.
    fn expect_semi(&mut self) -> PResult<()> {
        if self.eat(&TokenKind::Semi).is_some() {
            return Ok(());
        }
        let continues = self.token().line_start || self.at(&TokenKind::RBrace);
        if self.after_lexical_error() {
            return if continues { Ok(()) } else { Err(Failed) };
        }
        let found = self.peek().describe();
        let at = Span::point(self.prev_end());
        let diagnostic = syntax_errors::missing_semicolon(self.file, at, &found);
        self.report(diagnostic);
        if continues { Ok(()) } else { Err(Failed) }
    }

    /// A name. A reserved word is reported (E0014) but accepted, so parsing goes on.
    fn ident(&mut self, what: &str) -> PResult<Ident> {
        let TokenKind::Ident(name) = self.peek().clone() else {
            return Err(self.expected(what));
        };
        let span = self.advance();
        if is_reserved(&name) {
            let diagnostic = syntax_errors::reserved_word(self.file, span, &name);
            self.report(diagnostic);
        }
        Ok(Ident { name, span })
    }

    // ---- depth -----------------------------------------------------------------------

    /// Enters one level of nesting; fails (reporting E0012 once per file) past [`MAX_DEPTH`].
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                let diagnostic = syntax_errors::syntax_too_deep(self.file, self.span(), MAX_DEPTH);
                self.report(diagnostic);
            }
            return Err(Failed);
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self, levels: usize) {
        self.depth = self.depth.saturating_sub(levels);
    }

    /// Runs `f` one level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Parser) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let result = crate::stack::guarded(|| f(self));
        self.leave(1);
        result
    }

    /// Runs `f` with the `Name {` rule of `if`/`match`/`for` heads set to `no_struct`.
    fn with_no_struct<T>(
        &mut self,
        no_struct: bool,
        f: impl FnOnce(&mut Parser) -> PResult<T>,
    ) -> PResult<T> {
        let saved = std::mem::replace(&mut self.no_struct, no_struct);
        let result = f(self);
        self.no_struct = saved;
        result
    }

    // ---- recovery --------------------------------------------------------------------

    /// A token that can only start an item: an item keyword at the start of a line,
    /// followed by what that item needs. Statement recovery stops there.
    fn at_item_start(&self) -> bool {
        let token = self.token();
        let TokenKind::Ident(word) = &token.kind else {
            return false;
        };
        if !token.line_start || !ITEM_KEYWORDS.contains(&word.as_str()) {
            return false;
        }
        match word.as_str() {
            "init" => {
                matches!(self.peek_at(1), TokenKind::LParen)
                    && matches!(self.peek_at(2), TokenKind::RParen | TokenKind::Ident(_))
                    && self.rest_of_line_has_brace()
            }
            "import" => matches!(
                self.peek_at(1),
                TokenKind::Ident(_) | TokenKind::Literal(crate::syntax::ast::Literal::String(_))
            ),
            _ => matches!(self.peek_at(1), TokenKind::Ident(_)),
        }
    }

    /// `init(…) {` on one line, telling an `init` item from a call of a function `init`.
    fn rest_of_line_has_brace(&self) -> bool {
        let mut ahead = 1;
        loop {
            let token = self.token_at(ahead);
            if token.line_start || token.kind == TokenKind::Eof {
                return false;
            }
            match token.kind {
                TokenKind::LBrace => return true,
                TokenKind::Semi => return false,
                _ => ahead += 1,
            }
        }
    }

    /// After a failed item: skips to the next item keyword at the start of a line,
    /// outside any braces.
    fn recover_item(&mut self, start_pos: usize) {
        self.failed_let = None;
        if self.pos == start_pos {
            self.advance();
        }
        let mut depth: usize = 0;
        loop {
            match self.peek() {
                TokenKind::Eof => return,
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth = depth.saturating_sub(1),
                TokenKind::Ident(word)
                    if depth == 0
                        && self.token().line_start
                        && ITEM_KEYWORDS.contains(&word.as_str()) =>
                {
                    return;
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// After a failed statement: skips past the next `;` or up to the `}` that closes
    /// the enclosing block, whichever comes first outside nested brackets.
    fn recover_stmt(&mut self, start_pos: usize) {
        let mut depth: usize = 0;
        loop {
            match self.peek() {
                TokenKind::Eof => return,
                TokenKind::Semi if depth == 0 => {
                    self.advance();
                    return;
                }
                // The `}` closing the enclosing block: let the block close.
                TokenKind::RBrace if depth == 0 => return,
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    depth = depth.saturating_sub(1);
                }
                _ if depth == 0 && self.pos != start_pos && self.at_item_start() => return,
                _ => {}
            }
            self.advance();
        }
    }
}

static EOF_TOKEN: Token = Token {
    kind: TokenKind::Eof,
    span: Span::new(0, 0),
    doc: None,
    line_start: true,
    poisoned: false,
};
