//! Literals back to text.
//!
//! The tree stores most literals by value (`$12.5` as 1250 cents), so each has a
//! canonical form: decimal integers, money with no or two decimals, percent with the
//! fewest decimals, lowercase hex, strings with the minimal escapes. A literal is printed
//! as written when its source text is that canonical form up to `_` digit separators (so
//! `1_000_000` keeps its separators), and a string when its source text denotes the same
//! string. Durations and times keep their text in the tree and are printed as written.

use crate::syntax::ast::Literal;

/// The text of `literal`; `written` is its source text, when known.
pub(crate) fn literal_text(literal: &Literal, written: Option<&str>) -> String {
    let canonical = canonical(literal);
    let Some(written) = written else {
        return canonical;
    };
    let keeps_written = match literal {
        Literal::String(value) => decode_string(written).as_deref() == Some(value.as_str()),
        Literal::Duration { .. } | Literal::Time { .. } => false,
        _ => written.replace('_', "") == canonical,
    };
    if keeps_written {
        written.to_string()
    } else {
        canonical
    }
}

/// A string literal with its quotes, from its value.
pub(crate) fn string_text(value: &str, written: Option<&str>) -> String {
    match written {
        Some(written) if decode_string(written).as_deref() == Some(value) => written.to_string(),
        _ => quote(value),
    }
}

fn canonical(literal: &Literal) -> String {
    match literal {
        Literal::Bool(value) => value.to_string(),
        Literal::Int(value) => value.to_string(),
        Literal::Money(cents) => money(*cents),
        Literal::Percent(basis_points) => percent(*basis_points),
        Literal::Duration { text, .. } => text.clone(),
        Literal::Time { text, .. } => format!("@{text}"),
        Literal::Address(bytes) => hex(bytes),
        Literal::Hash(bytes) => hex(bytes),
        Literal::Bytes(bytes) => hex(bytes),
        Literal::String(value) => quote(value),
    }
}

/// `$12.50`, `$1250` (whole amounts without decimals), `-$5` in patterns.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    let (dollars, rest) = (magnitude / 100, magnitude % 100);
    if rest == 0 {
        format!("{sign}${dollars}")
    } else {
        format!("{sign}${dollars}.{rest:02}")
    }
}

/// `20%`, `12.5%`, `0.01%`: the fewest decimals that state the basis points exactly.
fn percent(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let magnitude = basis_points.unsigned_abs();
    let (whole, rest) = (magnitude / 100, magnitude % 100);
    if rest == 0 {
        format!("{sign}{whole}%")
    } else if rest % 10 == 0 {
        format!("{sign}{whole}.{}%", rest / 10)
    } else {
        format!("{sign}{whole}.{rest:02}%")
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("0x");
    for byte in bytes {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// `value` as a string literal: `\\`, `\"`, `\n`, `\t`, `\r` escaped, other control
/// characters as `\u{…}`, braces doubled (a single one would interpolate).
fn quote(value: &str) -> String {
    format!("\"{}\"", string_body(value))
}

/// The text of a string literal between its quotes, escaped as [`quote`] says (also the
/// text parts of an interpolated string).
pub(crate) fn string_body(value: &str) -> String {
    let mut text = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '{' => text.push_str("{{"),
            '}' => text.push_str("}}"),
            '\\' => text.push_str("\\\\"),
            '"' => text.push_str("\\\""),
            '\n' => text.push_str("\\n"),
            '\t' => text.push_str("\\t"),
            '\r' => text.push_str("\\r"),
            c if c.is_control() => text.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => text.push(c),
        }
    }
    text
}

/// The value of a string literal's source text (with its quotes), or `None` when the
/// text is not exactly one well-formed literal.
fn decode_string(written: &str) -> Option<String> {
    let body = written.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(character) = chars.next() {
        match character {
            '"' | '\n' => return None,
            // `{{` and `}}` are literal braces; a single one would interpolate.
            '{' | '}' => {
                if chars.next()? != character {
                    return None;
                }
                value.push(character);
            }
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                '\\' => value.push('\\'),
                '"' => value.push('"'),
                'u' => {
                    if chars.next()? != '{' {
                        return None;
                    }
                    let mut digits = String::new();
                    loop {
                        match chars.next()? {
                            '}' => break,
                            digit => digits.push(digit),
                        }
                    }
                    // Hex digits only: `from_str_radix` would also take a sign.
                    if digits.is_empty()
                        || digits.len() > 6
                        || !digits.chars().all(|digit| digit.is_ascii_hexdigit())
                    {
                        return None;
                    }
                    let code = u32::from_str_radix(&digits, 16).ok()?;
                    value.push(char::from_u32(code)?);
                }
                _ => return None,
            },
            c => value.push(c),
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical_text(literal: Literal) -> String {
        literal_text(&literal, None)
    }

    #[test]
    fn money_has_no_or_two_decimals() {
        assert_eq!(canonical_text(Literal::Money(1250)), "$12.50");
        assert_eq!(canonical_text(Literal::Money(125_000)), "$1250");
        assert_eq!(canonical_text(Literal::Money(5)), "$0.05");
        assert_eq!(canonical_text(Literal::Money(-500)), "-$5");
        assert_eq!(
            canonical_text(Literal::Money(i64::MIN)),
            "-$92233720368547758.08"
        );
    }

    #[test]
    fn percent_has_the_fewest_decimals() {
        assert_eq!(canonical_text(Literal::Percent(2000)), "20%");
        assert_eq!(canonical_text(Literal::Percent(1250)), "12.5%");
        assert_eq!(canonical_text(Literal::Percent(1)), "0.01%");
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(canonical_text(Literal::Bytes(vec![0xab, 0x01])), "0xab01");
        assert_eq!(canonical_text(Literal::Bytes(vec![])), "0x");
        assert_eq!(
            literal_text(&Literal::Bytes(vec![0xab]), Some("0xAB")),
            "0xab"
        );
    }

    #[test]
    fn durations_and_times_keep_their_text() {
        let duration = Literal::Duration {
            seconds: 86_400 * 14,
            text: "2w".into(),
        };
        assert_eq!(literal_text(&duration, Some("2w")), "2w");
        let time = Literal::Time {
            seconds: 0,
            text: "1970-01-01".into(),
        };
        assert_eq!(canonical_text(time), "@1970-01-01");
    }

    #[test]
    fn written_text_is_kept_when_canonical_up_to_separators() {
        assert_eq!(
            literal_text(&Literal::Int(1_000_000), Some("1_000_000")),
            "1_000_000"
        );
        assert_eq!(literal_text(&Literal::Money(1250), Some("$12.5")), "$12.50");
        assert_eq!(
            literal_text(&Literal::Money(100_000), Some("$1_000")),
            "$1_000"
        );
        assert_eq!(literal_text(&Literal::Int(7), Some("garbage")), "7");
    }

    #[test]
    fn strings_keep_their_escapes_when_the_text_matches() {
        let value = Literal::String("a😀\"b".into());
        assert_eq!(
            literal_text(&value, Some(r#""a\u{1F600}\"b""#)),
            r#""a\u{1F600}\"b""#
        );
        assert_eq!(literal_text(&value, Some(r#""other""#)), r#""a😀\"b""#);
        assert_eq!(
            canonical_text(Literal::String("tab\there\n\u{7}\\".into())),
            r#""tab\there\n\u{7}\\""#
        );
    }
}
