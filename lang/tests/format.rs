//! The formatter end to end: source text in, canonical text out.
//!
//! - Every `tests/format/*.assent` input (messy layouts, comments everywhere, long
//!   expressions, every item and statement kind) is snapshotted with its output.
//! - Every `.assent` file of the repository that parses is formatted, and the output must
//!   parse to the same tree (spans aside) and format to itself.
//! - The sample contracts, the standard library and the spec examples are canonical
//!   already (`assent fmt --check` passes on them).
//! - Re-spacing a canonical file (different whitespace between tokens), or inserting
//!   comments anywhere, keeps both properties, and every comment is kept (property
//!   tests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assent_lang::diagnostics::{self, Diagnostic};
use assent_lang::format::format_source;
use assent_lang::span::{FileId, SourceMap};
use assent_lang::syntax;
use proptest::prelude::*;

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn render(name: &str, text: &str, errors: &[Diagnostic]) -> String {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    diagnostics::render(&sources, errors, false)
}

fn parses(text: &str) -> bool {
    let (_, diagnostics) = syntax::parse_library(FileId(0), text);
    diagnostics.iter().all(|d| d.code.is_warning())
}

/// The parsed tree's `Debug` form with every span (`start..end`) replaced by `_`;
/// `pretty` for a message (the compact form is much smaller for deep trees).
fn tree_without_spans(text: &str, pretty: bool) -> String {
    let (unit, _) = syntax::parse_library(FileId(0), text);
    if pretty {
        strip_spans(&format!("{unit:#?}"))
    } else {
        strip_spans(&format!("{unit:?}"))
    }
}

fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(first) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..first]);
        rest = &rest[first..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let start = digits(rest);
        let after = &rest[start..];
        let end = after.strip_prefix("..").map_or(0, digits);
        if end > 0 {
            out.push('_');
            rest = &after[2 + end..];
        } else {
            out.push_str(&rest[..start]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Formats `text`, checks that the output parses to the same tree and is a fixed point,
/// and returns it.
fn format_checked(name: &str, text: &str) -> String {
    let once = format_source(FileId(0), text)
        .unwrap_or_else(|errors| panic!("{name} does not parse:\n{}", render(name, text, &errors)));
    let twice = format_source(FileId(0), &once).unwrap_or_else(|errors| {
        panic!(
            "{name}: the output does not parse:\n{}\n{once}",
            render(name, &once, &errors)
        )
    });
    assert!(
        once == twice,
        "{name}: formatting is not idempotent\n----- ONCE\n{once}\n----- TWICE\n{twice}"
    );
    if tree_without_spans(text, false) != tree_without_spans(&once, false) {
        panic!(
            "{name}: the output parses to another tree\n----- OUTPUT\n{once}\n----- TREE BEFORE\n{}\n----- TREE AFTER\n{}",
            tree_without_spans(text, true),
            tree_without_spans(&once, true),
        );
    }
    once
}

fn assent_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            assent_files(&path, found);
        } else if name.ends_with(".assent") {
            found.push(path);
        }
    }
}

#[test]
fn format_inputs_snapshot() {
    insta::glob!("format/*.assent", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let output = format_checked(&name, &text);
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("----- INPUT\n{text}----- OUTPUT\n{output}"));
        });
    });
}

#[test]
fn every_parsing_file_of_the_repository_round_trips() {
    let mut files = Vec::new();
    assent_files(&repository_root(), &mut files);
    let mut formatted = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        if parses(&text) {
            format_checked(&path.to_string_lossy(), &text);
            formatted += 1;
        }
    }
    // contracts/, stdlib/std/, tests/spec_examples/, tests/format/ and the diagnostics
    // corpus's programs that parse (their errors are found by the checker).
    assert!(
        formatted >= 20,
        "only {formatted} of {} files parse",
        files.len()
    );
}

#[test]
fn repository_sources_are_canonical() {
    let root = repository_root();
    let mut checked = 0;
    for dir in ["contracts", "stdlib/std", "lang/tests/spec_examples"] {
        let mut files = Vec::new();
        assent_files(&root.join(dir), &mut files);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.to_string_lossy();
            let formatted = format_checked(&name, &text);
            assert!(
                formatted == text,
                "{name} is not formatted (run `assent fmt {name}`):\n{formatted}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} files checked");
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_errors() {
    let errors = format_source(FileId(0), "contract C; action a( {").unwrap_err();
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|d| d.primary.file == FileId(0)));
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format_source(FileId(0), "").unwrap(), "");
    assert_eq!(format_source(FileId(0), " \n\n").unwrap(), "");
    assert_eq!(
        format_source(FileId(0), "\n// only\n\n\n/* comments */\n").unwrap(),
        "// only\n\n/* comments */\n"
    );
    assert_eq!(
        format_source(FileId(0), "contract C;").unwrap(),
        "contract C;\n"
    );
    assert_eq!(
        format_source(FileId(0), "\n\ncontract C;\n\n\n// end\n\n").unwrap(),
        "contract C;\n\n// end\n"
    );
}

/// A program nesting one construct `n` levels deep.
type Construct = Box<dyn Fn(usize) -> String>;

/// Input as deep as the parser allows (it bounds nesting by `syntax::MAX_DEPTH`)
/// formats on a test thread's small stack, and round-trips.
#[test]
fn the_deepest_input_the_parser_accepts_formats() {
    let in_body =
        |body: String| format!("contract C;\nfn f() -> Int {{\n    let x = {body};\n    x\n}}\n");
    let constructs: Vec<(&str, Construct)> = vec![
        (
            "parentheses",
            Box::new(move |n| in_body(format!("{}1{}", "(".repeat(n), ")".repeat(n)))),
        ),
        (
            "lists",
            Box::new(move |n| in_body(format!("{}1{}", "[".repeat(n), "]".repeat(n)))),
        ),
        (
            "calls",
            Box::new(move |n| in_body(format!("{}1{}", "f(".repeat(n), ")".repeat(n)))),
        ),
        (
            "sums",
            Box::new(move |n| in_body(vec!["1"; n + 1].join(" + "))),
        ),
        (
            "fields",
            Box::new(move |n| in_body(format!("x{}", ".f".repeat(n)))),
        ),
        (
            "unary",
            Box::new(move |n| in_body(format!("{}x", "!".repeat(n)))),
        ),
        (
            "ifs",
            Box::new(move |n| {
                let mut body = String::from("1");
                for _ in 0..n {
                    body = format!("if c {{ {body} }} else {{ 2 }}");
                }
                in_body(body)
            }),
        ),
        (
            "matches",
            Box::new(move |n| {
                let mut body = String::from("1");
                for _ in 0..n {
                    body = format!("match c {{ true => {body}, false => 2 }}");
                }
                in_body(body)
            }),
        ),
        (
            "types",
            Box::new(|n| {
                format!(
                    "contract C;\nstate s: {}Int{};\n",
                    "List<".repeat(n),
                    ">".repeat(n)
                )
            }),
        ),
        (
            "patterns",
            Box::new(|n| {
                let pattern = format!("{}x{}", "some(".repeat(n), ")".repeat(n));
                format!(
                    "contract C;\nfn f(v: Int?) {{\n    match v {{\n        {pattern} => 1,\n    }};\n}}\n"
                )
            }),
        ),
        (
            "enums",
            Box::new(|n| {
                format!(
                    "contract C;\nenum E {{ {}A{} }}\n",
                    "A {".repeat(n),
                    "}".repeat(n)
                )
            }),
        ),
    ];
    for (name, construct) in constructs {
        // The deepest that parses, by bisection (deeper input fails from some depth on).
        let (mut deepest, mut too_deep) = (0, syntax::MAX_DEPTH + 1);
        while too_deep - deepest > 1 {
            let middle = (deepest + too_deep) / 2;
            if parses(&construct(middle)) {
                deepest = middle;
            } else {
                too_deep = middle;
            }
        }
        assert!(
            deepest >= syntax::MAX_DEPTH / 4,
            "{name}: only {deepest} levels parse"
        );
        format_checked(name, &construct(deepest));
    }
}

/// `text` with each whitespace run outside strings and comments replaced by
/// `replace(run)`.
fn rewrite_whitespace(text: &str, mut replace: impl FnMut(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() * 2);
    let mut index = 0;
    while index < bytes.len() {
        let rest = &text[index..];
        let token = token_length(rest);
        if token > 0 {
            out.push_str(&rest[..token]);
            index += token;
            continue;
        }
        if bytes[index].is_ascii_whitespace() {
            let run = rest
                .find(|c: char| !c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            out.push_str(&replace(&rest[..run]));
            index += run;
            continue;
        }
        let len = rest.chars().next().map_or(1, char::len_utf8);
        out.push_str(&rest[..len]);
        index += len;
    }
    out
}

/// The length of the string literal or comment at the start of `rest`, or 0.
fn token_length(rest: &str) -> usize {
    if rest.starts_with('"') {
        string_length(rest.as_bytes())
    } else if rest.starts_with("//") {
        rest.find('\n').unwrap_or(rest.len())
    } else if rest.starts_with("/*") {
        block_comment_length(rest.as_bytes())
    } else {
        0
    }
}

/// The comments of `text`, sorted (line comments without trailing whitespace).
fn comments_of(text: &str) -> Vec<String> {
    let mut comments = Vec::new();
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let token = token_length(rest);
        if token > 0 {
            if !rest.starts_with('"') {
                comments.push(rest[..token].trim_end().to_string());
            }
            index += token;
        } else {
            index += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    comments.sort();
    comments
}

/// Each whitespace run replaced by one of a few others (a run with a newline keeps
/// one, since a line comment must end its line).
fn respaced(text: &str, choices: &[u8]) -> String {
    const INLINE: [&str; 3] = [" ", "   ", "\t"];
    const BREAKING: [&str; 5] = ["\n", "\n\n", "\n\n\n    ", " \n  ", "\r\n"];
    let mut choice = choices.iter().cycle();
    rewrite_whitespace(text, |run| {
        let pick = usize::from(*choice.next().unwrap_or(&0));
        if run.contains('\n') {
            BREAKING[pick % BREAKING.len()].to_string()
        } else {
            INLINE[pick % INLINE.len()].to_string()
        }
    })
}

/// A numbered comment inserted at some whitespace runs: a block comment inline, or on
/// a line of its own, or a line comment. An inserted comment starts on a new line
/// where the run had one, so it never extends a line comment before it.
fn commented(text: &str, choices: &[u8]) -> String {
    let mut choice = choices.iter().cycle();
    let mut number = 0;
    rewrite_whitespace(text, |run| {
        let pick = *choice.next().unwrap_or(&0) % 8;
        number += 1;
        match (pick, run.contains('\n')) {
            (0, false) => format!(" /* c{number} */ "),
            (0, true) => format!("\n/* c{number} */\n"),
            (1, _) => format!("\n// c{number}\n"),
            (2, _) => format!("\n/* c{number}\n   second line */ "),
            _ => run.to_string(),
        }
    })
}

/// The length of the string literal at the start of `bytes`, quotes included: its
/// interpolations (`{…}`, which may hold strings of their own) are part of it, and `{{`
/// and `}}` are literal braces.
fn string_length(bytes: &[u8]) -> usize {
    let mut at = 1;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' => return at,
            b'{' if bytes.get(at + 1) == Some(&b'{') => at += 2,
            b'}' if bytes.get(at + 1) == Some(&b'}') => at += 2,
            b'{' => at += interpolation_length(&bytes[at..]),
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The length of the interpolation `{…}` at the start of `bytes`, braces included
/// (nested braces and strings inside it are skipped whole).
fn interpolation_length(bytes: &[u8]) -> usize {
    let mut depth = 0;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at += string_length(&bytes[at..]);
                continue;
            }
            b'\n' => return at,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// The length of the (nested) block comment at the start of `bytes`.
fn block_comment_length(bytes: &[u8]) -> usize {
    let mut depth = 0;
    let mut at = 0;
    while at + 1 < bytes.len() {
        match &bytes[at..at + 2] {
            b"/*" => {
                depth += 1;
                at += 2;
            }
            b"*/" => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

fn canonical_corpus() -> Vec<(String, String)> {
    let root = repository_root();
    let mut files = Vec::new();
    for dir in [
        "contracts",
        "stdlib/std",
        "lang/tests/spec_examples",
        "lang/tests/format",
    ] {
        assent_files(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.to_string_lossy().into_owned(), text)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn respaced_sources_round_trip_and_format_idempotently(
        file in any::<prop::sample::Index>(),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let corpus = canonical_corpus();
        let (name, text) = file.get(&corpus);
        let input = respaced(text, &choices);
        prop_assume!(parses(&input));
        format_checked(name, &input);
    }

    #[test]
    fn comments_inserted_anywhere_are_all_kept(
        file in any::<prop::sample::Index>(),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let corpus = canonical_corpus();
        let (name, text) = file.get(&corpus);
        let input = commented(text, &choices);
        prop_assume!(parses(&input));
        let output = format_checked(name, &input);
        prop_assert_eq!(comments_of(&output), comments_of(&input), "{}", output);
    }
}
