//! Layout of expressions and patterns.
//!
//! Parentheses are printed exactly where the author wrote them ([`ExprKind::Paren`]), so
//! no precedence reasoning is needed. Postfix, unary and same-precedence operator chains
//! are walked with loops, not recursion, so a long chain costs no stack.

use super::doc::Doc;
use super::layout::{Entry, Layout, ListStyle, block, group_list};
use super::literals::{literal_text, string_body};
use crate::span::Span;
use crate::syntax::ast::{
    ArmBody, BinaryOp, Block, ContextVar, Else, Expr, ExprKind, FieldInit, Ident, MatchArm,
    Pattern, PatternKind, StringPart, UnaryOp,
};

/// One postfix operation, innermost first once reversed.
enum Postfix<'e> {
    Field(&'e Ident),
    OptionalField(&'e Ident),
    Call(&'e [Expr], u32),
    Method(&'e Ident, &'e [Expr], u32),
    Index(&'e Expr),
}

/// A part of a record literal, in source order.
enum RecordPart<'e> {
    Base(&'e Expr),
    Field(&'e FieldInit),
}

impl RecordPart<'_> {
    fn span(&self) -> Span {
        match self {
            RecordPart::Base(base) => base.span,
            RecordPart::Field(field) => field.span,
        }
    }
}

impl Layout<'_> {
    /// `"text {expr} text"` on one line: a string never spans lines, so each expression
    /// is printed flat (as written, if it cannot be: a block inside). A string with a
    /// comment (or a comment marker) inside is printed exactly as written, so a comment
    /// inside one of its expressions is never lost.
    fn interpolated(&mut self, parts: &[StringPart], span: Span) -> Doc {
        // Comments inside the string's braces are printed with it, as written.
        let inside = self.comment_within(span);
        if let Some(written) = self.slice(span)
            && (inside || written.contains("//") || written.contains("/*"))
        {
            let before = self.take_inline_before(span.start);
            self.take_before(span.end);
            return Doc::concat(vec![before, Doc::text(written.to_string())]);
        }
        // Comments still waiting before the string are printed here, none inside it: its
        // expressions must not take (and print inside the braces) a comment from outside.
        // A block comment stays before the string; a line comment moves to the end of
        // the line, since a string never spans lines.
        let inline = self.take_inline_before(span.start);
        let waiting = self.take_before(span.start);
        let before = Doc::concat(vec![inline, self.moved_before_string(waiting)]);
        let mut text = String::from("\"");
        for part in parts {
            match part {
                StringPart::Text(value) => text.push_str(&string_body(value)),
                StringPart::Expr(e) => {
                    let doc = self.expr(e);
                    let flat = super::printer::render(&doc, usize::MAX / 4);
                    let flat = flat.trim_end();
                    text.push('{');
                    match self.slice(e.span) {
                        Some(written) if flat.contains('\n') => text.push_str(written),
                        _ => text.push_str(flat),
                    }
                    text.push('}');
                }
            }
        }
        text.push('"');
        Doc::concat(vec![before, Doc::text(text)])
    }

    pub(super) fn expr(&mut self, expr: &Expr) -> Doc {
        let start = self.code_start(expr.span.start);
        let comments = self.take_inline_before(start);
        let doc = self.expr_kind(expr);
        if comments.is_empty() {
            doc
        } else {
            Doc::concat(vec![comments, doc])
        }
    }

    fn expr_kind(&mut self, expr: &Expr) -> Doc {
        match &expr.kind {
            // Never met: a file with a syntax error is not formatted.
            ExprKind::Error => Doc::text(self.slice(expr.span).unwrap_or_default().to_owned()),
            ExprKind::Literal(literal) => Doc::text(literal_text(literal, self.slice(expr.span))),
            ExprKind::Name(name) => Doc::text(name.name.clone()),
            ExprKind::Context(var) => Doc::text(context_keyword(*var)),
            ExprKind::None => Doc::text("none"),
            ExprKind::Some(inner) => {
                Doc::concat(vec![Doc::text("some("), self.expr(inner), Doc::text(")")])
            }
            ExprKind::Field { .. }
            | ExprKind::OptionalField { .. }
            | ExprKind::Call { .. }
            | ExprKind::MethodCall { .. }
            | ExprKind::Index { .. } => self.postfix(expr),
            ExprKind::Unary { .. } => self.unary(expr),
            ExprKind::Binary { .. } => self.binary(expr),
            ExprKind::Interpolated(parts) => self.interpolated(parts, expr.span),
            ExprKind::Tuple(elements) => {
                let entries = self.comma_list(
                    elements,
                    |e| e.span,
                    true,
                    expr.span.end,
                    |this, e| this.expr(e),
                );
                group_list(entries, ListStyle::parens("(", ")"))
            }
            ExprKind::Paren(inner) => {
                Doc::concat(vec![Doc::text("("), self.expr(inner), Doc::text(")")])
            }
            ExprKind::List(elements) => {
                let entries = self.comma_list(
                    elements,
                    |e| e.span,
                    true,
                    expr.span.end,
                    |this, e| this.expr(e),
                );
                group_list(entries, ListStyle::parens("[", "]"))
            }
            ExprKind::MapLit(pairs) => {
                let entries = self.comma_list(
                    pairs,
                    |(key, value)| key.span.to(value.span),
                    true,
                    expr.span.end,
                    |this, (key, value)| {
                        Doc::concat(vec![this.expr(key), Doc::text(": "), this.expr(value)])
                    },
                );
                // The empty map is `[:]`, also when it holds comments.
                let open = if pairs.is_empty() { "[:" } else { "[" };
                group_list(entries, ListStyle::parens(open, "]"))
            }
            ExprKind::Record { name, fields, base } => {
                self.record_literal(name, fields, base.as_deref(), expr.span.end)
            }
            ExprKind::If { .. } | ExprKind::IfLet { .. } => match self.flat_if(expr) {
                Some(doc) => doc,
                None => self.if_chain(expr),
            },
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, expr.span.end),
        }
    }

    /// `base.f`, `base?.f`, `f(args)`, `r.m(args)`, `b[i]` chains.
    fn postfix(&mut self, expr: &Expr) -> Doc {
        let mut operations = Vec::new();
        let mut current = expr;
        loop {
            match &current.kind {
                ExprKind::Field { base, name } => {
                    operations.push(Postfix::Field(name));
                    current = base;
                }
                ExprKind::OptionalField { base, name } => {
                    operations.push(Postfix::OptionalField(name));
                    current = base;
                }
                ExprKind::Call { callee, args } => {
                    operations.push(Postfix::Call(args, current.span.end));
                    current = callee;
                }
                ExprKind::MethodCall {
                    receiver,
                    method,
                    args,
                } => {
                    operations.push(Postfix::Method(method, args, current.span.end));
                    current = receiver;
                }
                ExprKind::Index { base, index } => {
                    operations.push(Postfix::Index(index));
                    current = base;
                }
                _ => break,
            }
        }
        let mut parts = vec![self.expr(current)];
        for operation in operations.into_iter().rev() {
            match operation {
                Postfix::Field(name) => parts.push(Doc::text(format!(".{}", name.name))),
                Postfix::OptionalField(name) => {
                    parts.push(Doc::text(format!("?.{}", name.name)));
                }
                Postfix::Call(args, close) => parts.push(self.arguments(args, close)),
                Postfix::Method(method, args, close) => {
                    parts.push(Doc::text(format!(".{}", method.name)));
                    parts.push(self.arguments(args, close));
                }
                Postfix::Index(index) => {
                    parts.push(Doc::text("["));
                    parts.push(self.expr(index));
                    parts.push(Doc::text("]"));
                }
            }
        }
        Doc::concat(parts)
    }

    /// `(a, b, …)` of a call; `close` is the end of the call.
    fn arguments(&mut self, args: &[Expr], close: u32) -> Doc {
        let entries = self.comma_list(
            args,
            |arg| arg.span,
            true,
            close,
            |this, arg| this.expr(arg),
        );
        group_list(entries, ListStyle::parens("(", ")"))
    }

    fn unary(&mut self, expr: &Expr) -> Doc {
        let mut operators = String::new();
        let mut current = expr;
        while let ExprKind::Unary { op, operand } = &current.kind {
            operators.push(match op {
                UnaryOp::Neg => '-',
                UnaryOp::Not => '!',
            });
            current = operand;
        }
        Doc::concat(vec![Doc::text(operators), self.expr(current)])
    }

    /// `a + b - c`: one group; when broken, every operator starts a line one level
    /// deeper. A chain is the operators of one precedence level (comparisons and ranges
    /// do not chain).
    fn binary(&mut self, expr: &Expr) -> Doc {
        if let ExprKind::Binary {
            op: BinaryOp::Range,
            lhs,
            rhs,
            ..
        } = &expr.kind
        {
            // `a..b`, as the spec writes ranges.
            return Doc::concat(vec![self.expr(lhs), Doc::text(".."), self.expr(rhs)]);
        }
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        let mut current = expr;
        let mut level = None;
        while let ExprKind::Binary { op, lhs, rhs, .. } = &current.kind {
            let precedence = op.precedence();
            if level.is_some_and(|level| level != precedence) {
                break;
            }
            operators.push(*op);
            operands.push(rhs.as_ref());
            current = lhs;
            if !chains(*op) {
                break;
            }
            level = Some(precedence);
        }
        operands.push(current);
        operands.reverse();
        operators.reverse();
        let mut operands = operands.into_iter();
        let first = match operands.next() {
            Some(first) => self.expr(first),
            None => Doc::Nil,
        };
        let mut rest = Vec::with_capacity(operators.len() * 4);
        for (op, operand) in operators.into_iter().zip(operands) {
            // Comments around the operator stay at the end of the previous operand's line.
            let start = self.code_start(operand.span.start);
            let comments = self.take_before(start);
            rest.push(self.trailing_doc(comments));
            rest.push(Doc::Line);
            rest.push(Doc::text(format!("{} ", op.as_str())));
            rest.push(self.expr(operand));
        }
        Doc::group(Doc::concat(vec![
            first,
            Doc::indent_if_broken(Doc::concat(rest)),
        ]))
    }

    /// `Name { field: e, short, ..base }`; `close` is the end of the literal.
    pub(super) fn record_literal(
        &mut self,
        name: &Ident,
        fields: &[FieldInit],
        base: Option<&Expr>,
        close: u32,
    ) -> Doc {
        let mut parts: Vec<RecordPart<'_>> = fields.iter().map(RecordPart::Field).collect();
        if let Some(base) = base {
            let position = parts
                .iter()
                .position(|part| part.span().start >= base.span.start)
                .unwrap_or(parts.len());
            parts.insert(position, RecordPart::Base(base));
        }
        // No comma after `..base`: it ends the literal when it is last.
        let trailing_comma = matches!(parts.last(), Some(RecordPart::Field(_)));
        let entries = self.comma_list(
            &parts,
            RecordPart::span,
            trailing_comma,
            close,
            |this, part| match part {
                RecordPart::Base(base) => Doc::concat(vec![Doc::text(".."), this.expr(base)]),
                RecordPart::Field(field) if field.shorthand => Doc::text(field.name.name.clone()),
                RecordPart::Field(field) => Doc::concat(vec![
                    Doc::text(format!("{}: ", field.name.name)),
                    this.expr(&field.value),
                ]),
            },
        );
        Doc::concat(vec![
            Doc::text(format!("{} ", name.name)),
            group_list(entries, ListStyle::braces()),
        ])
    }

    /// `if c { a } else { b }` on one line when it fits: only in an expression, with a
    /// value and nothing else in each branch, and no comment inside.
    fn flat_if(&mut self, expr: &Expr) -> Option<Doc> {
        let (head, then, otherwise) = match &expr.kind {
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => (vec![(None, cond.as_ref())], then, otherwise),
            ExprKind::IfLet {
                pattern,
                value,
                then,
                otherwise,
            } => (vec![(Some(pattern), value.as_ref())], then, otherwise),
            _ => return None,
        };
        let Some(Else::Block(otherwise)) = otherwise else {
            return None;
        };
        let then_value = only_value(then)?;
        let else_value = only_value(otherwise)?;
        if self.has_comment_before(expr.span.end) {
            return None;
        }
        let mut parts = Vec::new();
        for (pattern, value) in head {
            match pattern {
                Some(pattern) => {
                    parts.push(Doc::text("if let "));
                    parts.push(self.pattern(pattern));
                    parts.push(Doc::text(" = "));
                }
                None => parts.push(Doc::text("if ")),
            }
            parts.push(self.expr(value));
        }
        parts.push(Doc::text(" {"));
        parts.push(Doc::indent_if_broken(Doc::concat(vec![
            Doc::Line,
            self.expr(then_value),
        ])));
        parts.push(Doc::Line);
        parts.push(Doc::text("} else {"));
        parts.push(Doc::indent_if_broken(Doc::concat(vec![
            Doc::Line,
            self.expr(else_value),
        ])));
        parts.push(Doc::Line);
        parts.push(Doc::text("}"));
        Some(Doc::group(Doc::concat(parts)))
    }

    /// `if c { … } else if d { … } else { … }` with broken blocks; the chain of
    /// `else if` is walked with a loop.
    pub(super) fn if_chain(&mut self, expr: &Expr) -> Doc {
        let mut parts = Vec::new();
        let mut current = expr;
        loop {
            let (then, otherwise) = match &current.kind {
                ExprKind::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let head = vec![Doc::text("if "), self.expr(cond)];
                    parts.push(self.head(head));
                    (then, otherwise)
                }
                ExprKind::IfLet {
                    pattern,
                    value,
                    then,
                    otherwise,
                } => {
                    let head = vec![
                        Doc::text("if let "),
                        self.pattern(pattern),
                        Doc::text(" = "),
                        self.expr(value),
                    ];
                    parts.push(self.head(head));
                    (then, otherwise)
                }
                _ => {
                    parts.push(self.expr(current));
                    break;
                }
            };
            parts.push(self.block(then));
            match otherwise {
                None => break,
                Some(Else::Block(otherwise)) => {
                    parts.push(Doc::text(" else "));
                    parts.push(self.block(otherwise));
                    break;
                }
                Some(Else::If(next)) => {
                    parts.push(Doc::text(" else "));
                    current = next;
                }
            }
        }
        Doc::concat(parts)
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], close: u32) -> Doc {
        let head = vec![Doc::text("match "), self.expr(scrutinee)];
        let head = self.head(head);
        let brace = self.find_byte(scrutinee.span.end, b'{');
        let open = self.after_open_brace(brace);
        let mut entries: Vec<Entry> = Vec::new();
        for arm in arms {
            let separator = match arm.body {
                ArmBody::Expr(_) => Doc::text(","),
                ArmBody::Block(_) => Doc::Nil,
            };
            self.element(arm.span, separator, &mut entries, |this| {
                let pattern = this.pattern(&arm.pattern);
                let body = match &arm.body {
                    ArmBody::Expr(body) => this.expr(body),
                    ArmBody::Block(body) => this.block(body),
                };
                Doc::concat(vec![pattern, Doc::text(" => "), body])
            });
        }
        self.dangling(close, &mut entries);
        Doc::concat(vec![head, block(open, entries)])
    }

    pub(super) fn pattern(&mut self, pattern: &Pattern) -> Doc {
        match &pattern.kind {
            PatternKind::Wildcard => Doc::text("_"),
            PatternKind::Name(name) => Doc::text(name.name.clone()),
            PatternKind::Variant(path) => {
                let path: Vec<&str> = path.iter().map(|segment| segment.name.as_str()).collect();
                Doc::text(path.join("."))
            }
            PatternKind::Literal(literal) => {
                Doc::text(literal_text(literal, self.slice(pattern.span)))
            }
            PatternKind::Some(inner) => Doc::concat(vec![
                Doc::text("some("),
                self.pattern(inner),
                Doc::text(")"),
            ]),
            PatternKind::None => Doc::text("none"),
            PatternKind::Tuple(elements) => {
                let elements = elements.iter().map(|e| self.pattern(e)).collect();
                Doc::concat(vec![
                    Doc::text("("),
                    Doc::join(elements, &Doc::text(", ")),
                    Doc::text(")"),
                ])
            }
            PatternKind::Or(alternatives) => {
                let mut alternatives = alternatives.iter();
                let first = match alternatives.next() {
                    Some(first) => self.or_alternative(first),
                    None => Doc::Nil,
                };
                let mut rest = Vec::new();
                for alternative in alternatives {
                    rest.push(Doc::Line);
                    rest.push(Doc::text("| "));
                    rest.push(self.or_alternative(alternative));
                }
                Doc::group(Doc::concat(vec![
                    first,
                    Doc::indent_if_broken(Doc::concat(rest)),
                ]))
            }
        }
    }
}

impl Layout<'_> {
    /// An alternative of an or-pattern: an or-pattern inside one keeps its parentheses
    /// (the tree has no parenthesised pattern, and `a | (b | c)` is another tree).
    fn or_alternative(&mut self, pattern: &Pattern) -> Doc {
        let doc = self.pattern(pattern);
        if matches!(pattern.kind, PatternKind::Or(_)) {
            Doc::concat(vec![Doc::text("("), doc, Doc::text(")")])
        } else {
            doc
        }
    }
}

/// Whether operators of `op`'s level chain: comparisons and ranges do not associate.
fn chains(op: BinaryOp) -> bool {
    !matches!(
        op,
        BinaryOp::Range
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
    )
}

/// The value of a block that holds nothing but a value.
fn only_value(body: &Block) -> Option<&Expr> {
    match (&body.stmts[..], &body.tail) {
        ([], Some(tail)) => Some(tail),
        _ => None,
    }
}

fn context_keyword(var: ContextVar) -> &'static str {
    match var {
        ContextVar::Caller => "caller",
        ContextVar::Origin => "origin",
        ContextVar::Now => "now",
        ContextVar::Block => "block",
        ContextVar::SelfAddress => "self",
    }
}
