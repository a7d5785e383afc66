//! Source text to tokens, with nom combinators for each lexical form.
//!
//! The lexer never fails: an invalid literal is reported (with the code of its form)
//! and stands in the token stream with a placeholder value, an unexpected character is
//! reported and skipped, and an unterminated string or comment is reported where it
//! opens. Doc comments (`///`) are attached to the token that follows them.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::combinator::recognize;
use nom::sequence::pair;
use nom::{IResult, Parser};

use crate::diagnostics::Diagnostic;
use crate::diagnostics::syntax_errors::{self, DecimalError};
use crate::span::{FileId, Span};
use crate::syntax::ast::Literal;
use crate::syntax::token::{StringPart, Token, TokenKind};

/// Splits `text` into tokens, ending with [`TokenKind::Eof`].
pub fn lex(file: FileId, text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        file,
        text,
        tokens: Vec::new(),
        diagnostics: Vec::new(),
        pending_doc: Vec::new(),
        line_start: true,
        reported: 0,
    };
    lexer.run();
    (lexer.tokens, lexer.diagnostics)
}

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    tokens: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
    pending_doc: Vec<String>,
    line_start: bool,
    /// Diagnostics already accounted for by a pushed token.
    reported: usize,
}

fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn identifier(input: &str) -> IResult<&str, &str> {
    recognize(pair(take_while1(is_ident_start), take_while(is_ident_char))).parse(input)
}

fn digits(input: &str) -> IResult<&str, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_ascii_digit()),
        take_while(|c: char| c.is_ascii_digit() || c == '_'),
    ))
    .parse(input)
}

/// `.` followed by digits: the fraction of a money or percent literal.
fn fraction(input: &str) -> IResult<&str, &str> {
    recognize(pair(tag("."), digits)).parse(input)
}

fn punctuation(input: &str) -> IResult<&str, TokenKind> {
    // Longest first, so `..` wins over `.` and `=>` over `=`.
    let two = alt((
        tag("..").map(|_| TokenKind::DotDot),
        tag("->").map(|_| TokenKind::Arrow),
        tag("=>").map(|_| TokenKind::FatArrow),
        tag("??").map(|_| TokenKind::QuestionQuestion),
        tag("==").map(|_| TokenKind::EqEq),
        tag("!=").map(|_| TokenKind::NotEq),
        tag("<=").map(|_| TokenKind::Le),
        tag(">=").map(|_| TokenKind::Ge),
        tag("&&").map(|_| TokenKind::AndAnd),
        tag("||").map(|_| TokenKind::OrOr),
        tag("+=").map(|_| TokenKind::PlusEq),
        tag("-=").map(|_| TokenKind::MinusEq),
        tag("*=").map(|_| TokenKind::StarEq),
    ));
    let one_a = alt((
        tag("(").map(|_| TokenKind::LParen),
        tag(")").map(|_| TokenKind::RParen),
        tag("{").map(|_| TokenKind::LBrace),
        tag("}").map(|_| TokenKind::RBrace),
        tag("[").map(|_| TokenKind::LBracket),
        tag("]").map(|_| TokenKind::RBracket),
        tag(",").map(|_| TokenKind::Comma),
        tag(";").map(|_| TokenKind::Semi),
        tag(":").map(|_| TokenKind::Colon),
        tag(".").map(|_| TokenKind::Dot),
        tag("?").map(|_| TokenKind::Question),
    ));
    let one_b = alt((
        tag("+").map(|_| TokenKind::Plus),
        tag("-").map(|_| TokenKind::Minus),
        tag("*").map(|_| TokenKind::Star),
        tag("/").map(|_| TokenKind::Slash),
        tag("%").map(|_| TokenKind::Percent),
        tag("!").map(|_| TokenKind::Bang),
        tag("=").map(|_| TokenKind::Eq),
        tag("<").map(|_| TokenKind::Lt),
        tag(">").map(|_| TokenKind::Gt),
        tag("|").map(|_| TokenKind::Pipe),
    ));
    alt((two, one_a, one_b)).parse(input)
}

/// Parses digits with `_` separators to an unsigned value.
fn digit_value(text: &str) -> Option<i64> {
    let mut value: i64 = 0;
    for c in text.chars().filter(|c| *c != '_') {
        let digit = i64::from(c.to_digit(10)?);
        value = value.checked_mul(10)?.checked_add(digit)?;
    }
    Some(value)
}

/// `int` and `.frac` (with at most `places` fraction digits) scaled by 10^places.
fn scaled(int: &str, frac: Option<&str>, places: u32) -> Result<i64, DecimalError> {
    let whole = digit_value(int).ok_or(DecimalError::Range)?;
    let frac_digits: String = frac.unwrap_or("").chars().filter(|c| *c != '_').collect();
    let count = u32::try_from(frac_digits.len()).map_err(|_| DecimalError::Decimals)?;
    if count > places {
        return Err(DecimalError::Decimals);
    }
    let frac_value = if frac_digits.is_empty() {
        0
    } else {
        digit_value(&frac_digits).ok_or(DecimalError::Range)?
    };
    let scale = 10_i64.pow(places);
    let frac_scaled = frac_value * 10_i64.pow(places - count);
    whole
        .checked_mul(scale)
        .and_then(|value| value.checked_add(frac_scaled))
        .ok_or(DecimalError::Range)
}

fn hex_value(digit: char) -> Option<u8> {
    digit
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut rest = self.text;
        loop {
            rest = self.skip_trivia(rest);
            let start = self.text.len() - rest.len();
            let Some(first) = rest.chars().next() else {
                self.push(TokenKind::Eof, start, start);
                return;
            };
            rest = self.one_token(rest, first);
        }
    }

    /// Lexes the token that starts with `first`, the first character of `rest`.
    fn one_token(&mut self, rest: &'a str, first: char) -> &'a str {
        let start = self.offset(rest);
        if first.is_ascii_digit() {
            self.number(rest)
        } else if is_ident_start(first) {
            self.word(rest)
        } else if first == '"' {
            self.string(rest)
        } else if first == '$' {
            self.money(rest)
        } else if first == '@' {
            self.time(rest)
        } else if let Ok((after, kind)) = punctuation(rest) {
            let end = self.text.len() - after.len();
            self.push(kind, start, end);
            after
        } else {
            let end = start + first.len_utf8();
            self.report(syntax_errors::unexpected_character(
                self.file,
                Self::at(start, end),
                first,
            ));
            rest.get(first.len_utf8()..).unwrap_or("")
        }
    }

    fn offset(&self, rest: &str) -> usize {
        self.text.len() - rest.len()
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        let doc = if self.pending_doc.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.pending_doc).join("\n"))
        };
        // A token right after a lexical error: the parser does not pile a syntax error on it.
        let poisoned = self.diagnostics.len() > self.reported;
        self.reported = self.diagnostics.len();
        self.tokens.push(Token {
            kind,
            span: Span::new(offset_u32(start), offset_u32(end)),
            doc,
            line_start: self.line_start,
            poisoned,
        });
        self.line_start = false;
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The span from byte offset `start` to `end`.
    fn at(start: usize, end: usize) -> Span {
        Span::new(offset_u32(start), offset_u32(end))
    }

    /// Skips whitespace and comments, collecting `///` doc lines.
    fn skip_trivia(&mut self, mut rest: &'a str) -> &'a str {
        loop {
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace());
            if trimmed.len() != rest.len() {
                let skipped = rest.get(..rest.len() - trimmed.len()).unwrap_or("");
                if skipped.contains('\n') {
                    self.line_start = true;
                }
                rest = trimmed;
            }
            if let Some(comment) = rest.strip_prefix("//") {
                let line_end = comment.find('\n').unwrap_or(comment.len());
                let body = comment.get(..line_end).unwrap_or("");
                if let Some(doc) = body.strip_prefix('/').filter(|doc| !doc.starts_with('/')) {
                    let doc = doc.strip_prefix(' ').unwrap_or(doc);
                    self.pending_doc.push(doc.trim_end().to_string());
                }
                rest = comment.get(line_end..).unwrap_or("");
            } else if rest.starts_with("/*") {
                rest = self.block_comment(rest);
            } else {
                return rest;
            }
        }
    }

    /// A block comment, nesting; unterminated is reported at its opening `/*`.
    fn block_comment(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let mut depth = 0usize;
        let mut chars = rest.char_indices().peekable();
        while let Some((index, c)) = chars.next() {
            match (c, chars.peek().map(|(_, next)| *next)) {
                ('/', Some('*')) => {
                    chars.next();
                    depth += 1;
                }
                ('*', Some('/')) => {
                    chars.next();
                    depth -= 1;
                    if depth == 0 {
                        return rest.get(index + 2..).unwrap_or("");
                    }
                }
                ('\n', _) => self.line_start = true,
                _ => {}
            }
        }
        self.report(syntax_errors::unterminated_comment(
            self.file,
            Self::at(start, start + 2),
        ));
        ""
    }

    fn word(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let Ok((after, name)) = identifier(rest) else {
            return rest.get(1..).unwrap_or("");
        };
        let kind = match name {
            "true" => TokenKind::Literal(Literal::Bool(true)),
            "false" => TokenKind::Literal(Literal::Bool(false)),
            _ => TokenKind::Ident(name.to_string()),
        };
        self.push(kind, start, self.offset(after));
        after
    }

    /// Int, Percent, Duration and hex literals: everything that starts with a digit.
    fn number(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        if rest.starts_with("0x") || rest.starts_with("0X") {
            return self.hex(rest);
        }
        if self.tokens.last().is_some_and(|t| t.kind == TokenKind::Dot) {
            return self.position(rest);
        }
        let Ok((after_int, int)) = digits(rest) else {
            return rest.get(1..).unwrap_or("");
        };
        let (after_frac, frac) = match fraction(after_int) {
            Ok((after, frac)) => (after, Some(frac.get(1..).unwrap_or(""))),
            Err(_) => (after_int, None),
        };
        if let Some(after) = after_frac.strip_prefix('%') {
            let end = self.offset(after);
            let value = match scaled(int, frac, 2) {
                Ok(value) => value,
                Err(error) => {
                    self.report(syntax_errors::invalid_percent(
                        self.file,
                        Self::at(start, end),
                        error,
                    ));
                    0
                }
            };
            self.push(TokenKind::Literal(Literal::Percent(value)), start, end);
            return after;
        }
        let (after_suffix, suffix) = take_while::<_, &str, nom::error::Error<&str>>(is_ident_char)
            .parse(after_frac)
            .unwrap_or((after_frac, ""));
        let end = self.offset(after_suffix);
        let text = self.text.get(start..end).unwrap_or("");
        if frac.is_some() {
            self.report(syntax_errors::not_a_number(
                self.file,
                Self::at(start, end),
                text,
            ));
            self.push(TokenKind::Literal(Literal::Int(0)), start, end);
            return after_suffix;
        }
        if suffix.is_empty() {
            let value = digit_value(int).unwrap_or_else(|| {
                self.report(syntax_errors::int_out_of_range(
                    self.file,
                    Self::at(start, end),
                    text,
                ));
                0
            });
            self.push(TokenKind::Literal(Literal::Int(value)), start, end);
            return after_suffix;
        }
        let seconds = if suffix.len() == 1
            && assent_stdlib::time::DURATION_UNITS
                .iter()
                .any(|(unit, _)| suffix.starts_with(*unit))
        {
            assent_stdlib::time::parse_duration(text).unwrap_or_else(|| {
                self.report(syntax_errors::duration_out_of_range(
                    self.file,
                    Self::at(start, end),
                    text,
                ));
                0
            })
        } else {
            self.report(syntax_errors::unknown_duration_unit(
                self.file,
                Self::at(start, end),
                suffix,
            ));
            0
        };
        let literal = Literal::Duration {
            seconds,
            text: text.to_string(),
        };
        self.push(TokenKind::Literal(literal), start, end);
        after_suffix
    }

    /// The digits of a tuple position after `.` (`t.0`, and `t.0.1`, which is no
    /// fraction): an Int, with no fraction or unit.
    fn position(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let Ok((after, digits)) =
            take_while1::<_, &str, nom::error::Error<&str>>(|c: char| c.is_ascii_digit())
                .parse(rest)
        else {
            return rest.get(1..).unwrap_or("");
        };
        let end = self.offset(after);
        let value = digit_value(digits).unwrap_or_else(|| {
            self.report(syntax_errors::position_out_of_range(
                self.file,
                Self::at(start, end),
                digits,
            ));
            0
        });
        self.push(TokenKind::Literal(Literal::Int(value)), start, end);
        after
    }

    /// The expression of `{expr}` in a string whose `{` is at `open`: its tokens (ending
    /// with an `Eof` at the closing `}`), and the offset just after that `}`. `None` when
    /// the line ends first (reported at the `{`): a string never spans lines.
    fn interpolation(&mut self, open: usize) -> (Vec<Token>, Option<usize>) {
        let after_open = open + 1;
        let line_end = self
            .text
            .get(after_open..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |i| after_open + i);
        let mut inner = Lexer {
            file: self.file,
            text: self.text.get(..line_end).unwrap_or(""),
            tokens: Vec::new(),
            diagnostics: Vec::new(),
            pending_doc: Vec::new(),
            line_start: false,
            reported: 0,
        };
        let mut close = inner.run_until_close(after_open);
        if close.is_none() {
            // Unclosed: the string most likely ends at the next `"` of the line, so the
            // expression is what comes before it.
            let quote = self
                .text
                .get(after_open..line_end)
                .and_then(|rest| rest.find('"'))
                .map(|i| after_open + i);
            if let Some(quote) = quote {
                inner = Lexer {
                    file: self.file,
                    text: self.text.get(..quote).unwrap_or(""),
                    tokens: Vec::new(),
                    diagnostics: Vec::new(),
                    pending_doc: Vec::new(),
                    line_start: false,
                    reported: 0,
                };
                close = inner.run_until_close(after_open);
                if close.is_none() {
                    self.unclosed_interpolation(open);
                    let mut tokens = inner.tokens;
                    tokens.push(Token {
                        kind: TokenKind::Eof,
                        span: Span::new(offset_u32(quote), offset_u32(quote)),
                        doc: None,
                        line_start: false,
                        poisoned: true,
                    });
                    // The string resumes at its closing quote.
                    return (tokens, Some(quote));
                }
            }
        }
        let mut tokens = inner.tokens;
        if close.is_some() {
            self.diagnostics.append(&mut inner.diagnostics);
        }
        // Unclosed, the rest of the line was lexed as code: its own errors (the string's
        // closing quote read as an opening one) would only repeat this one.
        match close {
            Some(close) => {
                tokens.push(Token {
                    kind: TokenKind::Eof,
                    span: Span::new(offset_u32(close), offset_u32(close)),
                    doc: None,
                    line_start: false,
                    poisoned: false,
                });
                (tokens, Some(close + 1))
            }
            None => {
                self.unclosed_interpolation(open);
                let end = offset_u32(line_end);
                tokens.push(Token {
                    kind: TokenKind::Eof,
                    span: Span::new(end, end),
                    doc: None,
                    line_start: false,
                    poisoned: true,
                });
                (tokens, None)
            }
        }
    }

    fn unclosed_interpolation(&mut self, open: usize) {
        self.report(syntax_errors::unclosed_interpolation(
            self.file,
            Self::at(open, open + 1),
        ));
    }

    /// Lexes from `from` up to the `}` that closes an interpolation (braces opened
    /// inside are matched); its offset, or `None` at the end of the text.
    fn run_until_close(&mut self, from: usize) -> Option<usize> {
        let mut rest = self.text.get(from..).unwrap_or("");
        let mut depth = 0usize;
        loop {
            rest = self.skip_trivia(rest);
            let start = self.offset(rest);
            let first = rest.chars().next()?;
            if first == '}' {
                if depth == 0 {
                    return Some(start);
                }
                depth -= 1;
            } else if first == '{' {
                depth += 1;
            }
            rest = self.one_token(rest, first);
        }
    }

    fn hex(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let body = rest.get(2..).unwrap_or("");
        let (after, digits) = take_while::<_, &str, nom::error::Error<&str>>(is_ident_char)
            .parse(body)
            .unwrap_or((body, ""));
        let end = self.offset(after);
        let nibbles: Option<Vec<u8>> = digits.chars().map(hex_value).collect();
        let literal = match nibbles {
            Some(nibbles) if nibbles.len() % 2 == 0 => {
                let bytes: Vec<u8> = nibbles
                    .chunks(2)
                    .map(|pair| pair.iter().fold(0u8, |acc, nibble| (acc << 4) | nibble))
                    .collect();
                if let Ok(address) = <[u8; 20]>::try_from(bytes.as_slice()) {
                    Literal::Address(address)
                } else if let Ok(hash) = <[u8; 32]>::try_from(bytes.as_slice()) {
                    Literal::Hash(hash)
                } else {
                    Literal::Bytes(bytes)
                }
            }
            Some(_) => {
                self.report(syntax_errors::odd_hex_digits(
                    self.file,
                    Self::at(start, end),
                    digits.len(),
                ));
                Literal::Bytes(Vec::new())
            }
            None => {
                self.report(syntax_errors::not_hexadecimal(
                    self.file,
                    Self::at(start, end),
                    digits,
                ));
                Literal::Bytes(Vec::new())
            }
        };
        self.push(TokenKind::Literal(literal), start, end);
        after
    }

    fn money(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let body = rest.get(1..).unwrap_or("");
        let Ok((after_int, int)) = digits(body) else {
            self.report(syntax_errors::money_without_amount(
                self.file,
                Self::at(start, start + 1),
            ));
            return body;
        };
        let (after, frac) = match fraction(after_int) {
            Ok((after, frac)) => (after, Some(frac.get(1..).unwrap_or(""))),
            Err(_) => (after_int, None),
        };
        let end = self.offset(after);
        let value = match scaled(int, frac, 2) {
            Ok(value) => value,
            Err(error) => {
                let text = self.text.get(start..end).unwrap_or("");
                let diagnostic =
                    syntax_errors::invalid_money(self.file, Self::at(start, end), text, error);
                self.report(diagnostic);
                0
            }
        };
        self.push(TokenKind::Literal(Literal::Money(value)), start, end);
        after
    }

    fn time(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let body = rest.get(1..).unwrap_or("");
        let (after, text) = take_while::<_, &str, nom::error::Error<&str>>(|c: char| {
            c.is_ascii_alphanumeric() || c == '-' || c == ':'
        })
        .parse(body)
        .unwrap_or((body, ""));
        let end = self.offset(after);
        let seconds = assent_stdlib::time::parse_time(text).unwrap_or_else(|| {
            self.report(syntax_errors::invalid_time(
                self.file,
                Self::at(start, end),
                text,
            ));
            0
        });
        let literal = Literal::Time {
            seconds,
            text: text.to_string(),
        };
        self.push(TokenKind::Literal(literal), start, end);
        after
    }

    /// A string literal; escapes resolved. A raw newline or the end of the file
    /// before the closing quote is reported at the opening quote.
    fn string(&mut self, rest: &'a str) -> &'a str {
        let start = self.offset(rest);
        let mut value = String::new();
        let mut parts: Vec<StringPart> = Vec::new();
        let mut chars = rest.char_indices().skip(1).peekable();
        while let Some((index, c)) = chars.next() {
            match c {
                '"' => {
                    let end = start + index + 1;
                    let kind = if parts.is_empty() {
                        TokenKind::Literal(Literal::String(value))
                    } else {
                        if !value.is_empty() {
                            parts.push(StringPart::Text(value));
                        }
                        TokenKind::Interpolated(parts)
                    };
                    self.push(kind, start, end);
                    return rest.get(index + 1..).unwrap_or("");
                }
                '\n' => break,
                '{' | '}' if chars.peek().is_some_and(|(_, next)| *next == c) => {
                    chars.next();
                    value.push(c);
                }
                '}' => {
                    self.report(syntax_errors::unmatched_close_brace(
                        self.file,
                        Self::at(start + index, start + index + 1),
                    ));
                }
                '{' => {
                    let open = start + index;
                    let (tokens, resume) = self.interpolation(open);
                    if !value.is_empty() {
                        parts.push(StringPart::Text(std::mem::take(&mut value)));
                    }
                    parts.push(StringPart::Expr(tokens));
                    let Some(resume) = resume else {
                        // Reported at the `{`; the string ends with its line.
                        let line_end = rest.find('\n').unwrap_or(rest.len());
                        self.push(TokenKind::Interpolated(parts), start, start + line_end);
                        return rest.get(line_end..).unwrap_or("");
                    };
                    while chars.peek().is_some_and(|(i, _)| start + *i < resume) {
                        chars.next();
                    }
                }
                '\\' => {
                    let escape_start = start + index;
                    match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, 'r')) => value.push('\r'),
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'u')) => {
                            let mut code = String::new();
                            let mut closed = false;
                            let mut end = escape_start + 2;
                            if chars.peek().is_some_and(|(_, c)| *c == '{') {
                                chars.next();
                                end += 1;
                                while let Some((i, c)) = chars.peek().copied() {
                                    if c == '}' {
                                        chars.next();
                                        closed = true;
                                        end = start + i + 1;
                                        break;
                                    }
                                    if !c.is_ascii_hexdigit() || code.len() >= 6 {
                                        end = start + i;
                                        break;
                                    }
                                    code.push(c);
                                    chars.next();
                                }
                            }
                            let decoded = u32::from_str_radix(&code, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .filter(|_| closed);
                            match decoded {
                                Some(c) => value.push(c),
                                None => {
                                    self.report(syntax_errors::invalid_unicode_escape(
                                        self.file,
                                        Self::at(escape_start, end),
                                    ));
                                }
                            }
                        }
                        Some((i, other)) if other != '\n' => {
                            self.report(syntax_errors::unknown_escape(
                                self.file,
                                Self::at(escape_start, start + i + other.len_utf8()),
                                other,
                            ));
                        }
                        _ => break,
                    }
                }
                other => value.push(other),
            }
        }
        // Unterminated: the token runs to the end of the line.
        let line_end = rest.find('\n').unwrap_or(rest.len());
        self.report(syntax_errors::unterminated_string(
            self.file,
            Self::at(start, start + 1),
        ));
        self.push(
            TokenKind::Literal(Literal::String(value)),
            start,
            start + line_end,
        );
        rest.get(line_end..).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let (tokens, diagnostics) = lex(FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        tokens.into_iter().map(|token| token.kind).collect()
    }

    fn codes(text: &str) -> Vec<&'static str> {
        let (_, diagnostics) = lex(FileId(0), text);
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn literal_forms() {
        use Literal::*;
        let table: &[(&str, Literal)] = &[
            ("42", Int(42)),
            ("1_000", Int(1000)),
            ("9223372036854775807", Int(i64::MAX)),
            ("$1250", Money(125_000)),
            ("$12.5", Money(1250)),
            ("$12.50", Money(1250)),
            ("$0.05", Money(5)),
            ("20%", Percent(2000)),
            ("12.5%", Percent(1250)),
            ("0.01%", Percent(1)),
            (
                "45s",
                Duration {
                    seconds: 45,
                    text: "45s".into(),
                },
            ),
            (
                "15m",
                Duration {
                    seconds: 900,
                    text: "15m".into(),
                },
            ),
            (
                "2w",
                Duration {
                    seconds: 1_209_600,
                    text: "2w".into(),
                },
            ),
            (
                "1y",
                Duration {
                    seconds: 31_536_000,
                    text: "1y".into(),
                },
            ),
            (
                "@1970-01-02",
                Time {
                    seconds: 86_400,
                    text: "1970-01-02".into(),
                },
            ),
            (
                "@1970-01-01T00:01:40Z",
                Time {
                    seconds: 100,
                    text: "1970-01-01T00:01:40Z".into(),
                },
            ),
            ("0x", Bytes(vec![])),
            ("0xABcd", Bytes(vec![0xab, 0xcd])),
            (
                "0x0000000000000000000000000000000000000001",
                Address(
                    [0; 19]
                        .iter()
                        .copied()
                        .chain([1])
                        .collect::<Vec<_>>()
                        .try_into()
                        .unwrap(),
                ),
            ),
            (
                "\"a\\n\\t\\r\\\\\\\"\\u{1F600}\"",
                String("a\n\t\r\\\"\u{1F600}".into()),
            ),
            ("true", Bool(true)),
        ];
        for (text, expected) in table {
            assert_eq!(
                kinds(text),
                vec![TokenKind::Literal(expected.clone()), TokenKind::Eof],
                "{text}"
            );
        }
    }

    #[test]
    fn invalid_literals_report_their_code() {
        let table: &[(&str, &str)] = &[
            ("\"open", "E0001"),
            ("/* a /* b */", "E0002"),
            ("\"\\q\"", "E0003"),
            ("\"\\u{110000}\"", "E0003"),
            ("9223372036854775808", "E0004"),
            ("$1.234", "E0005"),
            ("$", "E0005"),
            ("1.234%", "E0006"),
            ("5x", "E0007"),
            ("99999999999999999999d", "E0007"),
            ("@2026-02-29", "E0008"),
            ("@2026-01-01T24:00:00Z", "E0008"),
            ("0xabc", "E0009"),
            ("0xzz", "E0009"),
            ("#", "E0010"),
            ("1.5", "E0011"),
        ];
        for (text, code) in table {
            assert_eq!(codes(text), vec![*code], "{text}");
        }
    }

    #[test]
    fn operators_and_ranges() {
        use TokenKind::*;
        assert_eq!(
            kinds("0..10 a??b x += 1 10 % 3 => -> ||"),
            vec![
                Literal(self::Literal::Int(0)),
                DotDot,
                Literal(self::Literal::Int(10)),
                Ident("a".into()),
                QuestionQuestion,
                Ident("b".into()),
                Ident("x".into()),
                PlusEq,
                Literal(self::Literal::Int(1)),
                Literal(self::Literal::Int(10)),
                Percent,
                Literal(self::Literal::Int(3)),
                FatArrow,
                Arrow,
                OrOr,
                Eof
            ]
        );
    }

    #[test]
    fn doc_comments_attach_to_the_next_token() {
        let (tokens, _) = lex(
            FileId(0),
            "/// one\n///two\n//// not doc\n/* x /* y */ */ item",
        );
        let item = tokens.first().unwrap();
        assert_eq!(item.kind, TokenKind::Ident("item".into()));
        assert_eq!(item.doc.as_deref(), Some("one\ntwo"));
    }
}
