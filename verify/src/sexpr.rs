//! A reader for the solver's answers: S-expressions, never trusted, never panicking.

/// One S-expression of the solver's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sexpr {
    /// A symbol or a numeral, `#x…`/`#b…` literal, keyword: anything that is not a string.
    Atom(String),
    /// A string literal, its `""` escapes resolved.
    Str(String),
    List(Vec<Sexpr>),
}

impl Sexpr {
    pub fn atom(&self) -> Option<&str> {
        match self {
            Sexpr::Atom(text) => Some(text),
            _ => None,
        }
    }

    pub fn list(&self) -> Option<&[Sexpr]> {
        match self {
            Sexpr::List(items) => Some(items),
            _ => None,
        }
    }

    /// The head symbol of a list `(head …)`.
    pub fn head(&self) -> Option<&str> {
        self.list()
            .and_then(|items| items.first())
            .and_then(Sexpr::atom)
    }
}

/// How deeply the reader follows nested lists: deeper output is refused, not followed.
const MAX_DEPTH: usize = 512;

/// Reads every S-expression of `text`, in order. Text that does not read (an unbalanced
/// parenthesis, an unterminated string, nesting deeper than [`MAX_DEPTH`]) ends the list
/// where it starts.
pub fn parse_all(text: &str) -> Vec<Sexpr> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        pos: 0,
    };
    let mut out = Vec::new();
    loop {
        reader.skip_space();
        if reader.pos >= reader.chars.len() {
            break;
        }
        match reader.read(0) {
            Some(expr) => out.push(expr),
            None => break,
        }
    }
    out
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += 1;
            } else if c == ';' {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn read(&mut self, depth: usize) -> Option<Sexpr> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            '(' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek()? {
                        ')' => {
                            self.pos += 1;
                            return Some(Sexpr::List(items));
                        }
                        _ => items.push(self.read(depth + 1)?),
                    }
                }
            }
            ')' => None,
            '"' => {
                self.pos += 1;
                let mut text = String::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    if c == '"' {
                        if self.peek() == Some('"') {
                            self.pos += 1;
                            text.push('"');
                        } else {
                            return Some(Sexpr::Str(text));
                        }
                    } else {
                        text.push(c);
                    }
                }
            }
            '|' => {
                self.pos += 1;
                let mut text = String::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    if c == '|' {
                        return Some(Sexpr::Atom(text));
                    }
                    text.push(c);
                }
            }
            _ => {
                let mut text = String::new();
                while let Some(c) = self.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
                        break;
                    }
                    text.push(c);
                    self.pos += 1;
                }
                Some(Sexpr::Atom(text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lists_strings_and_atoms() {
        let parsed = parse_all("sat\n((x #x01) (s \"a\"\"b\"))");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0], Sexpr::Atom("sat".into()));
        let pairs = parsed[1].list().unwrap();
        assert_eq!(pairs[1].list().unwrap()[1], Sexpr::Str("a\"b".into()));
    }

    #[test]
    fn odd_output_never_panics() {
        for text in ["(", ")", "((((", "\"open", "|open", "(a (b", ")))(((", ""] {
            let _ = parse_all(text);
        }
        let deep = "(".repeat(10_000);
        assert!(parse_all(&deep).is_empty());
    }
}
