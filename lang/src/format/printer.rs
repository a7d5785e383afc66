//! Renders a [`Doc`] to text within a maximum width.
//!
//! Iterative (an explicit stack of commands), so the depth of a document never reaches
//! the call stack. A group is printed flat when everything up to the next possible line
//! break after it fits in the remaining width (Wadler's `fits`, as in prettier), unless
//! it holds a [`Doc::BreakParent`] anywhere: such groups are found first, in one pass.

use std::collections::BTreeSet;

use super::doc::Doc;

/// Spaces per indentation level.
pub(crate) const INDENT: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

#[derive(Clone, Copy)]
enum Part<'d> {
    Doc(&'d Doc),
    /// The rest of a [`Doc::Fill`], from some content on.
    Fill(&'d [Doc]),
}

#[derive(Clone, Copy)]
struct Command<'d> {
    indent: usize,
    mode: Mode,
    part: Part<'d>,
}

impl<'d> Command<'d> {
    fn new(indent: usize, mode: Mode, doc: &'d Doc) -> Command<'d> {
        Command {
            indent,
            mode,
            part: Part::Doc(doc),
        }
    }
}

/// Prints `doc` in lines of at most `width` characters where the layout allows it.
/// Trailing spaces are never printed.
pub(crate) fn render(doc: &Doc, width: usize) -> String {
    let broken = broken_groups(doc);
    let mut out = Output::default();
    let mut stack = vec![Command::new(0, Mode::Break, doc)];
    while let Some(command) = stack.pop() {
        let Command { indent, mode, part } = command;
        let doc = match part {
            Part::Doc(doc) => doc,
            Part::Fill(parts) => {
                print_fill(indent, mode, parts, width, &out, &mut stack, &broken);
                continue;
            }
        };
        match doc {
            Doc::Nil | Doc::BreakParent => {}
            Doc::Text(text) => out.push_text(text),
            Doc::Concat(parts) => {
                for part in parts.iter().rev() {
                    stack.push(Command::new(indent, mode, part));
                }
            }
            Doc::Indent(content) => stack.push(Command::new(indent + INDENT, mode, content)),
            Doc::IndentIfBroken(content) => {
                let deeper = if mode == Mode::Break { INDENT } else { 0 };
                stack.push(Command::new(indent + deeper, mode, content));
            }
            Doc::Group(content) => {
                let group_mode = if broken.contains(&address(doc)) {
                    Mode::Break
                } else if mode == Mode::Flat
                    || fits(
                        Command::new(indent, Mode::Flat, content),
                        &stack,
                        out.remaining(width),
                        &broken,
                    )
                {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                stack.push(Command::new(indent, group_mode, content));
            }
            Doc::Line => match mode {
                Mode::Flat => out.push_text(" "),
                Mode::Break => out.newline(indent),
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    out.newline(indent);
                }
            }
            Doc::HardLine => out.newline(indent),
            Doc::LineSuffix(text) => out.suffix.push_str(text),
            Doc::IfBreak { broken, flat } => {
                let chosen = if mode == Mode::Break { broken } else { flat };
                stack.push(Command::new(indent, mode, chosen));
            }
            Doc::Fill(parts) => stack.push(Command {
                indent,
                mode,
                part: Part::Fill(parts),
            }),
        }
    }
    out.finish()
}

fn address(doc: &Doc) -> usize {
    std::ptr::from_ref(doc).addr()
}

/// The groups (by address) that hold a [`Doc::BreakParent`], at any depth: they are
/// broken whatever their width. (The flat branch of an [`Doc::IfBreak`] is what counts.)
fn broken_groups(doc: &Doc) -> BTreeSet<usize> {
    enum Visit<'d> {
        Enter(&'d Doc),
        LeaveGroup(&'d Doc),
    }
    let mut broken = BTreeSet::new();
    // For each group being visited: whether a `BreakParent` was seen inside so far.
    let mut open_groups: Vec<bool> = Vec::new();
    let mut stack = vec![Visit::Enter(doc)];
    while let Some(visit) = stack.pop() {
        match visit {
            Visit::Enter(doc) => match doc {
                Doc::Group(content) => {
                    open_groups.push(false);
                    stack.push(Visit::LeaveGroup(doc));
                    stack.push(Visit::Enter(content));
                }
                Doc::BreakParent => {
                    if let Some(innermost) = open_groups.last_mut() {
                        *innermost = true;
                    }
                }
                Doc::Concat(parts) | Doc::Fill(parts) => {
                    stack.extend(parts.iter().map(Visit::Enter));
                }
                Doc::Indent(content) | Doc::IndentIfBroken(content) => {
                    stack.push(Visit::Enter(content));
                }
                Doc::IfBreak { flat, .. } => stack.push(Visit::Enter(flat)),
                Doc::Nil
                | Doc::Text(_)
                | Doc::Line
                | Doc::SoftLine
                | Doc::HardLine
                | Doc::LineSuffix(_) => {}
            },
            Visit::LeaveGroup(group) => {
                if open_groups.pop() == Some(true) {
                    broken.insert(address(group));
                    if let Some(parent) = open_groups.last_mut() {
                        *parent = true;
                    }
                }
            }
        }
    }
    broken
}

/// One step of a fill: prints its first content flat if it fits, and breaks the following
/// separator unless the next content fits on the same line too.
fn print_fill<'d>(
    indent: usize,
    mode: Mode,
    parts: &'d [Doc],
    width: usize,
    out: &Output,
    stack: &mut Vec<Command<'d>>,
    broken: &BTreeSet<usize>,
) {
    let Some(content) = parts.first() else {
        return;
    };
    let remaining = out.remaining(width);
    let content_fits = fits(
        Command::new(indent, Mode::Flat, content),
        &[],
        remaining,
        broken,
    );
    let content_mode = if content_fits {
        Mode::Flat
    } else {
        Mode::Break
    };
    let Some(separator) = parts.get(1) else {
        stack.push(Command::new(indent, content_mode, content));
        return;
    };
    let Some(next) = parts.get(2) else {
        stack.push(Command::new(indent, content_mode, separator));
        stack.push(Command::new(indent, content_mode, content));
        return;
    };
    let pair_fits = content_fits
        && fits(
            Command::new(indent, Mode::Flat, content),
            &[
                Command::new(indent, Mode::Flat, next),
                Command::new(indent, Mode::Flat, separator),
            ],
            remaining,
            broken,
        );
    stack.push(Command {
        indent,
        mode,
        part: Part::Fill(parts.get(2..).unwrap_or_default()),
    });
    let separator_mode = if pair_fits { Mode::Flat } else { Mode::Break };
    stack.push(Command::new(indent, separator_mode, separator));
    stack.push(Command::new(indent, content_mode, content));
}

/// Whether `next`, followed by the commands of `rest` (popped from the end), fits in
/// `width` columns up to the first newline.
fn fits(next: Command<'_>, rest: &[Command<'_>], width: isize, broken: &BTreeSet<usize>) -> bool {
    let mut width = width;
    let mut stack = vec![next];
    let mut rest_index = rest.len();
    loop {
        if width < 0 {
            return false;
        }
        let command = match stack.pop() {
            Some(command) => command,
            None => {
                let Some(index) = rest_index.checked_sub(1) else {
                    return true;
                };
                rest_index = index;
                match rest.get(index) {
                    Some(command) => *command,
                    None => return true,
                }
            }
        };
        let mode = command.mode;
        let doc = match command.part {
            Part::Doc(doc) => doc,
            Part::Fill(parts) => {
                for part in parts.iter().rev() {
                    stack.push(Command::new(command.indent, mode, part));
                }
                continue;
            }
        };
        match doc {
            Doc::Nil | Doc::LineSuffix(_) => {}
            Doc::BreakParent => {
                if mode == Mode::Flat {
                    return false;
                }
            }
            Doc::Text(text) => match text.split_once('\n') {
                Some((first_line, _)) => return width >= display_width(first_line),
                None => width -= display_width(text),
            },
            Doc::Concat(parts) | Doc::Fill(parts) => {
                for part in parts.iter().rev() {
                    stack.push(Command::new(command.indent, mode, part));
                }
            }
            Doc::Indent(content) | Doc::IndentIfBroken(content) => {
                stack.push(Command::new(command.indent, mode, content));
            }
            Doc::Group(content) => {
                let mode = if broken.contains(&address(doc)) {
                    Mode::Break
                } else {
                    mode
                };
                stack.push(Command::new(command.indent, mode, content));
            }
            Doc::Line => match mode {
                Mode::Flat => width -= 1,
                Mode::Break => return true,
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::HardLine => return true,
            Doc::IfBreak { broken, flat } => {
                let chosen = if mode == Mode::Break { broken } else { flat };
                stack.push(Command::new(command.indent, mode, chosen));
            }
        }
    }
}

fn display_width(text: &str) -> isize {
    isize::try_from(text.chars().count()).unwrap_or(isize::MAX)
}

#[derive(Default)]
struct Output {
    text: String,
    /// Characters on the current line.
    column: usize,
    /// Trailing comments waiting for the end of the line.
    suffix: String,
}

impl Output {
    fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
        match text.rsplit_once('\n') {
            Some((_, last_line)) => self.column = last_line.chars().count(),
            None => self.column += text.chars().count(),
        }
    }

    fn remaining(&self, width: usize) -> isize {
        display_width_of(width).saturating_sub(display_width_of(self.column))
    }

    fn newline(&mut self, indent: usize) {
        self.flush_suffix();
        self.trim_trailing_spaces();
        self.text.push('\n');
        self.text.extend(std::iter::repeat_n(' ', indent));
        self.column = indent;
    }

    fn flush_suffix(&mut self) {
        if !self.suffix.is_empty() {
            let suffix = std::mem::take(&mut self.suffix);
            self.push_text(&suffix);
        }
    }

    fn trim_trailing_spaces(&mut self) {
        let trimmed = self.text.trim_end_matches(' ').len();
        self.text.truncate(trimmed);
    }

    fn finish(mut self) -> String {
        self.flush_suffix();
        self.trim_trailing_spaces();
        self.text
    }
}

fn display_width_of(count: usize) -> isize {
    isize::try_from(count).unwrap_or(isize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &'static str) -> Doc {
        Doc::text(text)
    }

    /// `name(arg, arg, …)` with a trailing comma when broken.
    fn call(name: &'static str, args: Vec<Doc>) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        let count = args.len();
        for (index, arg) in args.into_iter().enumerate() {
            inner.push(arg);
            if index + 1 < count {
                inner.push(t(","));
                inner.push(Doc::Line);
            }
        }
        inner.push(Doc::if_break(t(","), Doc::Nil));
        Doc::group(Doc::concat(vec![
            t(name),
            t("("),
            Doc::indent_if_broken(Doc::concat(inner)),
            Doc::SoftLine,
            t(")"),
        ]))
    }

    #[test]
    fn a_group_that_fits_stays_on_one_line() {
        let doc = call("f", vec![t("a"), t("b")]);
        assert_eq!(render(&doc, 100), "f(a, b)");
    }

    #[test]
    fn a_group_that_does_not_fit_breaks_with_a_trailing_comma() {
        let doc = call("f", vec![t("alpha"), t("beta")]);
        assert_eq!(render(&doc, 10), "f(\n    alpha,\n    beta,\n)");
    }

    #[test]
    fn outer_groups_break_before_inner_ones() {
        let doc = call("f", vec![call("g", vec![t("x"), t("y")]), t("zzzz")]);
        assert_eq!(render(&doc, 14), "f(\n    g(x, y),\n    zzzz,\n)");
    }

    #[test]
    fn text_after_a_group_counts_toward_its_width() {
        let doc = Doc::concat(vec![call("f", vec![t("a")]), t(" + something")]);
        assert_eq!(render(&doc, 12), "f(\n    a,\n) + something");
    }

    #[test]
    fn break_parent_forces_the_enclosing_groups_to_break() {
        let doc = call("f", vec![Doc::concat(vec![t("a"), Doc::BreakParent])]);
        assert_eq!(render(&doc, 100), "f(\n    a,\n)");
    }

    #[test]
    fn a_line_suffix_waits_for_the_end_of_the_line_and_is_not_measured() {
        let doc = Doc::concat(vec![
            t("x"),
            Doc::line_suffix(" // a long comment that does not fit"),
            t(";"),
            Doc::HardLine,
            t("y"),
        ]);
        assert_eq!(
            render(&doc, 10),
            "x; // a long comment that does not fit\ny"
        );
    }

    #[test]
    fn a_flat_group_ending_in_a_block_does_not_indent_the_block_twice() {
        let block = Doc::concat(vec![
            t("{"),
            Doc::indent(Doc::concat(vec![Doc::HardLine, t("body")])),
            Doc::HardLine,
            t("}"),
        ]);
        let doc = call("f", vec![t("a"), block]);
        assert_eq!(render(&doc, 100), "f(a, {\n    body\n})");
    }

    #[test]
    fn fill_packs_as_many_contents_per_line_as_fit() {
        let words = ["one,", "two,", "three,", "four,", "five"];
        let mut parts = Vec::new();
        for (index, word) in words.iter().enumerate() {
            if index > 0 {
                parts.push(Doc::Line);
            }
            parts.push(t(word));
        }
        assert_eq!(
            render(&Doc::Fill(parts), 16),
            "one, two, three,\nfour, five"
        );
    }

    #[test]
    fn blank_lines_carry_no_indentation() {
        let doc = Doc::indent(Doc::concat(vec![
            t("a"),
            Doc::HardLine,
            Doc::HardLine,
            t("b"),
        ]));
        assert_eq!(render(&doc, 100), "a\n\n    b");
    }
}
