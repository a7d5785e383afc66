//! Finds the comments of a source text, which the syntax tree does not hold.
//!
//! The scanner knows just enough of the lexical rules to skip string literals (a `//`
//! inside `"…"` is not a comment) and nested block comments. Doc comments (`///`) are
//! line comments here: the formatter prints every comment verbatim where it was.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommentKind {
    /// `// …` or `/// …`, up to the end of the line.
    Line,
    /// `/* … */`, possibly nested and spanning lines.
    Block,
}

/// A comment's byte range in the source. For a line comment the range ends before
/// trailing whitespace and the newline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    pub(crate) kind: CommentKind,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Comment {
    /// The comment's text in `source`.
    pub(crate) fn text(self, source: &str) -> &str {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// Every comment of `source`, in source order. Never fails: an unterminated string or
/// comment simply runs to the end of its line or of the text.
pub(crate) fn scan(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut comments = Vec::new();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match (byte, bytes.get(index + 1).copied()) {
            (b'"', _) => index = skip_string(bytes, index + 1),
            (b'/', Some(b'/')) => {
                let end = bytes
                    .get(index..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                    .map_or(bytes.len(), |offset| index + offset);
                let text = source.get(index..end).unwrap_or_default();
                let trimmed_end = index + text.trim_end().len();
                comments.push(comment(CommentKind::Line, index, trimmed_end));
                index = end;
            }
            (b'/', Some(b'*')) => {
                let end = skip_block_comment(bytes, index + 2);
                comments.push(comment(CommentKind::Block, index, end));
                index = end;
            }
            _ => index += 1,
        }
    }
    comments
}

fn comment(kind: CommentKind, start: usize, end: usize) -> Comment {
    Comment {
        kind,
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end).unwrap_or(u32::MAX),
    }
}

/// The offset just past the string literal whose contents start at `index`. A string
/// cannot hold a raw newline, so an unterminated one ends at its line.
fn skip_string(bytes: &[u8], mut index: usize) -> usize {
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return index + 1,
            b'\n' => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// The offset just past the block comment whose body starts at `index` (after `/*`).
fn skip_block_comment(bytes: &[u8], mut index: usize) -> usize {
    let mut depth = 1usize;
    while let Some(&byte) = bytes.get(index) {
        match (byte, bytes.get(index + 1).copied()) {
            (b'/', Some(b'*')) => {
                depth += 1;
                index += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                index += 2;
                if depth == 0 {
                    return index;
                }
            }
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<(CommentKind, &str)> {
        scan(source)
            .into_iter()
            .map(|c| (c.kind, c.text(source)))
            .collect()
    }

    #[test]
    fn finds_line_doc_and_block_comments() {
        let source = "/// doc\ncontract C; // trailing   \n/* block */ state x: Int;";
        assert_eq!(
            texts(source),
            vec![
                (CommentKind::Line, "/// doc"),
                (CommentKind::Line, "// trailing"),
                (CommentKind::Block, "/* block */"),
            ]
        );
    }

    #[test]
    fn skips_comment_markers_inside_strings() {
        let source = r#"let s = "http://x /* y */ \" // z"; // real"#;
        assert_eq!(texts(source), vec![(CommentKind::Line, "// real")]);
    }

    #[test]
    fn block_comments_nest() {
        let source = "a /* outer /* inner */ still outer */ b";
        assert_eq!(
            texts(source),
            vec![(CommentKind::Block, "/* outer /* inner */ still outer */")]
        );
    }

    #[test]
    fn string_markers_inside_comments_are_ignored() {
        let source = "// a \"quote\nx /* \" */ y";
        assert_eq!(
            texts(source),
            vec![
                (CommentKind::Line, "// a \"quote"),
                (CommentKind::Block, "/* \" */")
            ]
        );
    }

    #[test]
    fn unterminated_input_never_fails() {
        assert_eq!(texts("/* open"), vec![(CommentKind::Block, "/* open")]);
        assert_eq!(texts("\"open\n// c"), vec![(CommentKind::Line, "// c")]);
        assert_eq!(texts("\"\\"), vec![]);
    }

    #[test]
    fn crlf_line_endings_are_not_part_of_a_comment() {
        assert_eq!(texts("// c\r\nx"), vec![(CommentKind::Line, "// c")]);
    }
}
