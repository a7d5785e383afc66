//! The syntax tree to a [`Doc`], with every comment put back in its place.
//!
//! The tree holds no comments, so they come from [`comments::scan`] and are attached by
//! position while the tree is walked in source order. A cursor marks the first comment
//! not yet printed. Lists (items, statements, fields, arguments, arms, …) are where
//! comments attach: a comment before an element's first token is a *leading* comment,
//! printed on its own line above it (or inline, for a `/* … */` on the element's line);
//! a comment after an element on the same line is *trailing* and stays at the end of
//! that line (so does one after a block's `{`). A `/* … */` just before an expression
//! stays inline before it. A comment inside an element that nothing inside claimed is
//! printed after the element, and whatever is left before a list's closing bracket
//! stays inside the list. So every comment is printed exactly once, in source order
//! (except that a block comment may precede a line comment that ends the same line).
//!
//! Doc comments (`///`) are comments like the others here: printed verbatim where they
//! were, they attach to the same item when the output is parsed again.

use super::comments::{Comment, CommentKind};
use super::doc::Doc;
use crate::span::Span;

/// One line-level part of a list: an element, or a comment on its own line.
pub(super) struct Entry {
    /// The source had a blank line before it.
    pub(super) blank_before: bool,
    pub(super) doc: Doc,
    /// `,` after an element of a comma list.
    pub(super) separator: Doc,
    /// Comments after the element on its line.
    pub(super) trailing: Doc,
}

impl Entry {
    fn into_doc(self) -> Doc {
        Doc::concat(vec![self.doc, self.separator, self.trailing])
    }
}

/// How a bracketed list is printed when it may stay on one line.
#[derive(Clone, Copy)]
pub(super) struct ListStyle {
    pub(super) open: &'static str,
    pub(super) close: &'static str,
    /// `{ a, b }` rather than `(a, b)`.
    pub(super) spaced: bool,
    /// Keep one blank line where the source had blank lines (when broken).
    pub(super) keep_blank_lines: bool,
    /// Broken even if it fits (the author broke a declaration's braces).
    pub(super) force_break: bool,
    /// When broken, pack elements on each line rather than one per line. Only for
    /// lists without comments.
    pub(super) fill: bool,
}

impl ListStyle {
    pub(super) const fn parens(open: &'static str, close: &'static str) -> ListStyle {
        ListStyle {
            open,
            close,
            spaced: false,
            keep_blank_lines: false,
            force_break: false,
            fill: false,
        }
    }

    pub(super) const fn braces() -> ListStyle {
        ListStyle {
            open: "{",
            close: "}",
            spaced: true,
            keep_blank_lines: false,
            force_break: false,
            fill: false,
        }
    }
}

pub(super) struct Layout<'a> {
    pub(super) source: &'a str,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
}

impl<'a> Layout<'a> {
    pub(super) fn new(source: &'a str, comments: Vec<Comment>) -> Layout<'a> {
        Layout {
            source,
            comments,
            next: 0,
        }
    }

    /// The source text of `span`, if it is a valid range of the source.
    pub(super) fn slice(&self, span: Span) -> Option<&'a str> {
        let source: &'a str = self.source;
        source.get(span.range())
    }

    /// Whether a comment not printed yet lies inside `span`.
    pub(super) fn comment_within(&self, span: Span) -> bool {
        self.comments
            .iter()
            .skip(self.next)
            .take_while(|comment| comment.start < span.end)
            .any(|comment| comment.start >= span.start)
    }

    /// The comments not printed yet that start before `offset`, marked printed.
    pub(super) fn take_before(&mut self, offset: u32) -> Vec<Comment> {
        let mut taken = Vec::new();
        while let Some(&comment) = self.comments.get(self.next) {
            if comment.start >= offset {
                break;
            }
            taken.push(comment);
            self.next += 1;
        }
        taken
    }

    /// The comments not printed yet before `end` (inside the element ending there), then
    /// those after it on the same line.
    fn take_trailing(&mut self, end: u32) -> Vec<Comment> {
        let mut taken = self.take_before(end);
        let cursor = taken.last().map_or(end, |comment| comment.end.max(end));
        taken.extend(self.take_same_line(cursor));
        taken
    }

    /// The comments not printed yet that follow `offset` on its line, separated from it
    /// only by spaces, `,` or `;`.
    pub(super) fn take_same_line(&mut self, offset: u32) -> Vec<Comment> {
        let mut taken = Vec::new();
        let mut cursor = offset;
        while let Some(&comment) = self.comments.get(self.next) {
            let same_line = comment.start >= cursor
                && self
                    .source
                    .get(cursor as usize..comment.start as usize)
                    .is_some_and(|gap| gap.chars().all(|c| matches!(c, ' ' | '\t' | ',' | ';')));
            if !same_line {
                break;
            }
            taken.push(comment);
            self.next += 1;
            cursor = comment.end;
            if comment.kind == CommentKind::Line {
                break;
            }
        }
        taken
    }

    /// The comments after a block's `{` (at `brace`) on its line, which stay there.
    pub(super) fn after_open_brace(&mut self, brace: Option<u32>) -> Doc {
        match brace {
            Some(brace) => {
                let comments = self.take_same_line(brace + 1);
                self.trailing_doc(comments)
            }
            None => Doc::Nil,
        }
    }

    /// Block comments before `offset` (an expression's start), printed inline before it.
    /// A line comment stops them: it is printed after the element instead.
    pub(super) fn take_inline_before(&mut self, offset: u32) -> Doc {
        let mut parts = Vec::new();
        while let Some(&comment) = self.comments.get(self.next) {
            if comment.start >= offset || comment.kind == CommentKind::Line {
                break;
            }
            self.next += 1;
            parts.push(inline_comment(format!("{} ", self.comment_text(comment))));
        }
        Doc::concat(parts)
    }

    /// The first offset at or after `offset` that is neither whitespace nor a comment:
    /// where an element's code starts, after its doc comments.
    pub(super) fn code_start(&self, offset: u32) -> u32 {
        let mut offset = offset;
        loop {
            // Whitespace as the lexer reads it (Unicode), not only ASCII.
            let rest = self.source.get(offset as usize..).unwrap_or_default();
            let trimmed = rest.trim_start();
            offset += u32::try_from(rest.len() - trimmed.len()).unwrap_or(0);
            match self
                .comments
                .binary_search_by_key(&offset, |comment| comment.start)
            {
                Ok(index) => match self.comments.get(index) {
                    Some(comment) if comment.end > offset => offset = comment.end,
                    _ => return offset,
                },
                Err(_) => return offset,
            }
        }
    }

    /// The first occurrence of `byte` at or after `offset` outside comments.
    pub(super) fn find_byte(&self, offset: u32, byte: u8) -> Option<u32> {
        let bytes = self.source.as_bytes();
        let mut offset = offset;
        loop {
            offset = self.code_start(offset);
            match bytes.get(offset as usize) {
                Some(&found) if found == byte => return Some(offset),
                Some(_) => offset += 1,
                None => return None,
            }
        }
    }

    /// Whether the whitespace just before `offset` holds a blank line.
    pub(super) fn blank_line_before(&self, offset: u32) -> bool {
        let Some(before) = self.source.get(..offset as usize) else {
            return false;
        };
        let whitespace = before.len() - before.trim_end().len();
        let gap = before.get(before.len() - whitespace..).unwrap_or_default();
        gap.matches('\n').count() >= 2
    }

    /// Whether the source has a line break between `start` and `end`.
    pub(super) fn newline_between(&self, start: u32, end: u32) -> bool {
        self.source
            .get(start as usize..end as usize)
            .is_some_and(|text| text.contains('\n'))
    }

    /// Whether a comment not printed yet starts before `end`.
    pub(super) fn has_comment_before(&self, end: u32) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|comment| comment.start < end)
    }

    fn comment_text(&self, comment: Comment) -> String {
        comment.text(self.source).to_string()
    }

    fn comment_entry(&self, comment: Comment) -> Entry {
        Entry {
            blank_before: self.blank_line_before(comment.start),
            // `BreakParent` first: a group fits when its text up to the first newline
            // fits, and a multi-line block comment holds one.
            doc: Doc::concat(vec![
                Doc::BreakParent,
                Doc::text(self.comment_text(comment)),
            ]),
            separator: Doc::Nil,
            trailing: Doc::Nil,
        }
    }

    /// Comments printed after some code on its line: a block comment inline, the first
    /// line comment at the end of the line, anything after a line comment on lines of
    /// its own. What follows must start a new line (the caller's separator does).
    pub(super) fn trailing_doc(&self, comments: Vec<Comment>) -> Doc {
        self.comments_to_line_end(comments, true)
    }

    /// Comments waiting before a string, moved after it: as [`Layout::trailing_doc`], but
    /// a single line comment does not break the enclosing groups, so the layout is the one
    /// the comment gets when it already stands after the statement (formatting twice gives
    /// the same text). Line comments after the first go on lines of their own, and the
    /// string on the next line when the last of them is a line comment.
    pub(super) fn moved_before_string(&self, comments: Vec<Comment>) -> Doc {
        let own_line = comments
            .last()
            .is_some_and(|last| last.kind == CommentKind::Line)
            && comments
                .iter()
                .rev()
                .skip(1)
                .any(|comment| comment.kind == CommentKind::Line);
        let moved = self.comments_to_line_end(comments, false);
        if own_line {
            Doc::concat(vec![moved, Doc::HardLine])
        } else {
            moved
        }
    }

    fn comments_to_line_end(&self, comments: Vec<Comment>, break_groups: bool) -> Doc {
        let mut parts = Vec::new();
        let mut after_line_comment = false;
        for comment in comments {
            let text = self.comment_text(comment);
            if after_line_comment {
                parts.push(Doc::HardLine);
                parts.push(Doc::text(text));
            } else if comment.kind == CommentKind::Line {
                // The enclosing groups break, so a newline follows; `BreakParent` comes
                // first, before any newline ends the measuring of a group.
                if break_groups {
                    parts.push(Doc::BreakParent);
                }
                parts.push(Doc::line_suffix(format!(" {text}")));
                after_line_comment = true;
            } else {
                parts.push(inline_comment(format!(" {text}")));
            }
        }
        Doc::concat(parts)
    }

    /// Prints one list element, its leading comments before it and its trailing
    /// comments after `separator`, into `entries`.
    pub(super) fn element(
        &mut self,
        span: Span,
        separator: Doc,
        entries: &mut Vec<Entry>,
        print: impl FnOnce(&mut Self) -> Doc,
    ) {
        let start = self.code_start(span.start);
        let mut prefix = Vec::new();
        let mut inline_start = None;
        for comment in self.take_before(start) {
            let inline =
                comment.kind == CommentKind::Block && !self.newline_between(comment.end, start);
            if inline {
                inline_start.get_or_insert(comment.start);
                prefix.push(inline_comment(format!("{} ", self.comment_text(comment))));
            } else {
                entries.push(self.comment_entry(comment));
            }
        }
        let blank_before = self.blank_line_before(inline_start.unwrap_or(start));
        let doc = print(self);
        let trailing = self.take_trailing(span.end.max(start));
        let trailing = self.trailing_doc(trailing);
        prefix.push(doc);
        entries.push(Entry {
            blank_before,
            doc: Doc::concat(prefix),
            separator,
            trailing,
        });
    }

    /// The comments left before `end` (a list's closing bracket), on lines of their own.
    pub(super) fn dangling(&mut self, end: u32, entries: &mut Vec<Entry>) {
        for comment in self.take_before(end) {
            entries.push(self.comment_entry(comment));
        }
    }

    /// The elements of a comma-separated list, a trailing comma when it is broken.
    pub(super) fn comma_list<T>(
        &mut self,
        items: &[T],
        span: impl Fn(&T) -> Span,
        trailing_comma: bool,
        close: u32,
        mut print: impl FnMut(&mut Self, &T) -> Doc,
    ) -> Vec<Entry> {
        let mut entries = Vec::new();
        let count = items.len();
        for (index, item) in items.iter().enumerate() {
            let separator = if index + 1 < count {
                Doc::text(",")
            } else if trailing_comma {
                Doc::if_break(Doc::text(","), Doc::Nil)
            } else {
                Doc::Nil
            };
            self.element(span(item), separator, &mut entries, |this| {
                print(this, item)
            });
        }
        self.dangling(close, &mut entries);
        entries
    }
}

/// A block comment printed among code. One that spans lines breaks the enclosing
/// groups: a group is measured up to its first newline, and a declaration whose braces
/// hold a newline is kept broken the next time, so the layout is the same both times.
fn inline_comment(text: String) -> Doc {
    if text.contains('\n') {
        Doc::concat(vec![Doc::BreakParent, Doc::text(text)])
    } else {
        Doc::text(text)
    }
}

/// Entries one per line, with one blank line where the source had any.
pub(super) fn vertical(entries: Vec<Entry>) -> Doc {
    let mut parts = Vec::with_capacity(entries.len() * 2);
    for (index, entry) in entries.into_iter().enumerate() {
        if index > 0 {
            parts.push(Doc::HardLine);
            if entry.blank_before {
                parts.push(Doc::HardLine);
            }
        }
        parts.push(entry.into_doc());
    }
    Doc::concat(parts)
}

/// `{`, the entries one per line one level deeper, `}`; `{}` when empty. `open` is
/// what follows the `{` on its line (comments).
pub(super) fn block(open: Doc, entries: Vec<Entry>) -> Doc {
    if entries.is_empty() && open.is_empty() {
        return Doc::text("{}");
    }
    Doc::concat(vec![
        Doc::text("{"),
        open,
        Doc::indent(Doc::concat(vec![Doc::HardLine, vertical(entries)])),
        Doc::HardLine,
        Doc::text("}"),
    ])
}

/// A bracketed list: on one line when it fits, else one element per line (or packed,
/// for [`ListStyle::fill`]) one level deeper.
pub(super) fn group_list(entries: Vec<Entry>, style: ListStyle) -> Doc {
    if entries.is_empty() {
        return Doc::text(format!("{}{}", style.open, style.close));
    }
    let edge = if style.spaced {
        Doc::Line
    } else {
        Doc::SoftLine
    };
    let count = entries.len();
    let mut inner = Vec::with_capacity(count * 3);
    let mut last_separator = Doc::Nil;
    for (index, entry) in entries.into_iter().enumerate() {
        if index > 0 {
            if style.keep_blank_lines && entry.blank_before && !style.fill {
                inner.push(Doc::if_break(Doc::HardLine, Doc::Nil));
            }
            inner.push(Doc::Line);
        }
        if style.fill && index + 1 == count {
            // A fill prints each content in its own mode, so the trailing comma goes
            // after the fill, where the list's mode decides it.
            inner.push(Doc::concat(vec![entry.doc, entry.trailing]));
            last_separator = entry.separator;
        } else {
            inner.push(entry.into_doc());
        }
    }
    let body = if style.fill {
        Doc::Fill(inner)
    } else {
        Doc::concat(inner)
    };
    let mut parts = Vec::with_capacity(6);
    if style.force_break {
        parts.push(Doc::BreakParent);
    }
    parts.extend([
        Doc::text(style.open),
        Doc::indent_if_broken(Doc::concat(vec![edge.clone(), body, last_separator])),
        edge,
        Doc::text(style.close),
    ]);
    Doc::group(Doc::concat(parts))
}
