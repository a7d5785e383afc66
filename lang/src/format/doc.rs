//! The document algebra the layout is built from (Wadler's "prettier printer").
//!
//! A [`Doc`] describes text with optional line breaks. A [`Doc::Group`] is printed on one
//! line when it fits in the remaining width ("flat"), otherwise its [`Doc::Line`]s become
//! newlines ("broken"). The printer ([`super::printer`]) decides, outermost group first.

use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Doc {
    Nil,
    /// Text printed as is. Only verbatim comments contain newlines.
    Text(Cow<'static, str>),
    Concat(Vec<Doc>),
    /// The content one level (4 spaces) deeper, whatever the mode of the enclosing group.
    Indent(Box<Doc>),
    /// The content one level deeper only when the enclosing group is broken, so that a
    /// flat group ending in a block (`f(a, match x {`) does not indent the block twice.
    IndentIfBroken(Box<Doc>),
    Group(Box<Doc>),
    /// A space when flat, a newline when broken.
    Line,
    /// Nothing when flat, a newline when broken.
    SoftLine,
    /// Always a newline. It does not break the enclosing group by itself: a group fits
    /// when its text up to the first newline fits.
    HardLine,
    /// Forces every enclosing group to break (a line comment inside a list).
    BreakParent,
    /// Text printed just before the next newline and not counted in the width: a trailing
    /// `// comment` stays at the end of its line.
    LineSuffix(Cow<'static, str>),
    /// `broken` when the enclosing group is broken, else `flat` (trailing commas).
    IfBreak {
        broken: Box<Doc>,
        flat: Box<Doc>,
    },
    /// Wadler's `fillSep`: `[content, separator, content, separator, …]`, each separator
    /// broken only when the next content does not fit on the current line.
    Fill(Vec<Doc>),
}

impl Doc {
    pub(crate) fn text(text: impl Into<Cow<'static, str>>) -> Doc {
        Doc::Text(text.into())
    }

    pub(crate) fn concat(parts: Vec<Doc>) -> Doc {
        Doc::Concat(parts)
    }

    pub(crate) fn group(content: Doc) -> Doc {
        Doc::Group(Box::new(content))
    }

    pub(crate) fn indent(content: Doc) -> Doc {
        Doc::Indent(Box::new(content))
    }

    pub(crate) fn indent_if_broken(content: Doc) -> Doc {
        Doc::IndentIfBroken(Box::new(content))
    }

    pub(crate) fn if_break(broken: Doc, flat: Doc) -> Doc {
        Doc::IfBreak {
            broken: Box::new(broken),
            flat: Box::new(flat),
        }
    }

    pub(crate) fn line_suffix(text: impl Into<Cow<'static, str>>) -> Doc {
        Doc::LineSuffix(text.into())
    }

    /// Whether the document prints nothing (as built here: `Nil` or an empty concat).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Doc::Nil => true,
            Doc::Concat(parts) => parts.iter().all(Doc::is_empty),
            _ => false,
        }
    }

    /// `parts` joined by `separator`.
    pub(crate) fn join(parts: Vec<Doc>, separator: &Doc) -> Doc {
        let mut joined = Vec::with_capacity(parts.len() * 2);
        for (index, part) in parts.into_iter().enumerate() {
            if index > 0 {
                joined.push(separator.clone());
            }
            joined.push(part);
        }
        Doc::Concat(joined)
    }
}
