//! Positions and URIs as the protocol counts them: lines from 0, and characters in UTF-16
//! code units (the protocol's default encoding), against byte offsets in the text.

use serde_json::{Value, json};

/// The protocol position (`{line, character}`) of byte `offset` in `text`. An offset past
/// the end, or inside a character, is taken at the end or at that character's start.
pub fn position(text: &str, offset: usize) -> Value {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let line = before.matches('\n').count();
    let character: usize = before
        .get(line_start..)
        .unwrap_or_default()
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({ "line": line, "character": character })
}

/// The byte offset of protocol position `line`/`character` in `text`: a line past the
/// end is the end of the text, a character past the end of its line is the line's end.
pub fn offset(text: &str, line: u64, character: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
    }
    let line_text = text.get(start..).unwrap_or_default();
    let line_text = line_text.split('\n').next().unwrap_or_default();
    let mut units = 0u64;
    for (index, c) in line_text.char_indices() {
        if units >= character {
            return start + index;
        }
        units += c.len_utf16() as u64;
    }
    start + line_text.len()
}

/// The protocol range of bytes `start..end` of `text`.
pub fn range(text: &str, start: usize, end: usize) -> Value {
    json!({ "start": position(text, start), "end": position(text, end.max(start)) })
}

/// The range of the whole of `text`.
pub fn whole(text: &str) -> Value {
    range(text, 0, text.len())
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The file path a `file://` URI names (percent-escapes decoded); `None` for any other
/// scheme or a malformed escape.
pub fn path_of(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("file://")?;
    let mut bytes = Vec::with_capacity(rest.len());
    let mut input = rest.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let high = char::from(input.next()?).to_digit(16)?;
            let low = char::from(input.next()?).to_digit(16)?;
            bytes.push(u8::try_from(high * 16 + low).ok()?);
        } else {
            bytes.push(byte);
        }
    }
    String::from_utf8(bytes).ok()
}

/// The `file://` URI of an absolute path, percent-escaping what a URI cannot hold.
pub fn uri_of(path: &str) -> String {
    let mut uri = String::from("file://");
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(byte));
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_in_utf16_code_units() {
        let text = "a\nné😀x\n";
        assert_eq!(position(text, 0), json!({"line": 0, "character": 0}));
        assert_eq!(position(text, 2), json!({"line": 1, "character": 0}));
        // `n`, `é` (2 bytes, 1 unit), `😀` (4 bytes, 2 units).
        let x = text.find('x').unwrap_or_default();
        assert_eq!(position(text, x), json!({"line": 1, "character": 4}));
        // Inside a character, and past the end.
        assert_eq!(position(text, 4), json!({"line": 1, "character": 1}));
        assert_eq!(position(text, 99), json!({"line": 2, "character": 0}));
    }

    #[test]
    fn offsets_invert_positions() {
        let text = "a\nné😀x\n";
        for offset in [0, 2, 3, 5, 9, 10, 11] {
            let p = position(text, offset);
            let back = super::offset(
                text,
                p["line"].as_u64().unwrap_or(0),
                p["character"].as_u64().unwrap_or(0),
            );
            assert_eq!(back, offset);
        }
        assert_eq!(super::offset(text, 9, 0), text.len());
        assert_eq!(super::offset(text, 0, 99), 1);
    }

    #[test]
    fn uris_round_trip_and_other_schemes_are_refused() {
        let path = "/home/a b/consent #2.assent";
        assert_eq!(uri_of(path), "file:///home/a%20b/consent%20%232.assent");
        assert_eq!(path_of(&uri_of(path)).as_deref(), Some(path));
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(path_of("file:///bad%2"), None);
    }
}
