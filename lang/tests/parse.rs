//! The parser on its own: every valid program in the repository parses without a
//! diagnostic, every syntax-error case reports its code, small programs parse to the
//! trees in their snapshots, and no input — random bytes, mutated programs, absurd
//! nesting — makes it panic or overflow the stack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assent_lang::span::FileId;
use assent_lang::syntax::{parse, parse_library};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn assent_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "assent"))
        .collect();
    files.sort();
    files
}

/// Every `.assent` file that must be valid: contracts and spec examples.
fn valid_programs() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["contracts", "lang/tests/spec_examples"] {
        files.extend(assent_files(&root.join(dir)));
    }
    files
}

#[test]
fn valid_programs_parse_cleanly() {
    let files = valid_programs();
    assert!(files.len() >= 5, "found only {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, diagnostics) = parse(FileId(0), &text);
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:#?}",
            path.display()
        );
    }
}

#[test]
fn standard_library_parses_cleanly() {
    for module in assent_stdlib::MODULES {
        let (name, text) = (module.path, module.source);
        let (unit, diagnostics) = parse_library(FileId(0), text);
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
        assert!(!unit.items.is_empty(), "{name}");
    }
}

/// The code a diagnostics case demonstrates, from its file name (`E0011_missing_semicolon`).
fn expected_code(path: &Path) -> String {
    let name = path.file_stem().unwrap().to_str().unwrap();
    name.split('_').next().unwrap().to_string()
}

#[test]
fn syntax_error_cases_report_their_code() {
    let cases: Vec<PathBuf> = assent_files(&repo_root().join("lang/tests/diagnostics"))
        .into_iter()
        .filter(|path| expected_code(path).starts_with("E00"))
        .collect();
    assert!(cases.len() >= 15);
    for path in cases {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, diagnostics) = parse(FileId(0), &text);
        let code = expected_code(&path);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.contains(&code.as_str()),
            "{}: expected {code}, got {diagnostics:#?}",
            path.display()
        );
    }
}

/// Inputs nested far past [`MAX_DEPTH`] in every way the grammar nests: each is an
/// error (E0012), never a stack overflow, in a thread with the default 2 MiB stack.
#[test]
fn absurd_nesting_is_an_error_not_a_stack_overflow() {
    let n = 20_000;
    let cases: Vec<(&str, String)> = vec![
        (
            "parentheses",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("brackets", format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        ("negations", format!("{}1", "-".repeat(n))),
        ("nots", format!("{}true", "!".repeat(n))),
        ("additions", vec!["1"; n].join(" + ")),
        ("defaults", vec!["a"; n].join(" ?? ")),
        ("fields", format!("a{}", ".b".repeat(n))),
        ("calls", format!("f{}", "()".repeat(n))),
        ("indexes", format!("m{}", "[0]".repeat(n))),
        (
            "ifs",
            format!("{}1{}", "if c { ".repeat(n), " } else { 2 }".repeat(n)),
        ),
        ("somes", format!("{}1{}", "some(".repeat(n), ")".repeat(n))),
        (
            "records",
            format!("{}1{}", "R { f: ".repeat(n), " }".repeat(n)),
        ),
    ];
    for (name, expr) in cases {
        let text = format!("contract C;\nconst X: Int = {expr};\nconst Y: Int = 2;\n");
        let (unit, diagnostics) = parse(FileId(0), &text);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["E0012"], "{name}");
        // Recovery continues after the bad part: `Y` is there.
        assert!(
            matches!(&unit.items.last().unwrap().kind,
            assent_lang::syntax::ast::ItemKind::Const(c) if c.name.name == "Y"),
            "{name}"
        );
    }
    let deep_items: Vec<(&str, String)> = vec![
        (
            "types",
            format!("state s: {}Int{};", "List<".repeat(n), ">".repeat(n)),
        ),
        ("options", format!("state s: Int{};", "?".repeat(n))),
        (
            "variants",
            format!("enum E {{ {}A{} }}", "A { ".repeat(n), " }".repeat(n)),
        ),
        (
            "blocks",
            format!("fn f() {{ {}1{} }}", "if c { ".repeat(n), " }".repeat(n)),
        ),
        (
            "patterns",
            format!(
                "fn f() {{ match x {{ {}_{} => 1 }} }}",
                "some(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ];
    for (name, item) in deep_items {
        let text = format!("contract C;\n{item}\nconst Y: Int = 2;\n");
        let (unit, diagnostics) = parse(FileId(0), &text);
        assert!(
            diagnostics.iter().any(|d| d.code.as_str() == "E0012"),
            "{name}: {diagnostics:?}"
        );
        assert!(!unit.items.is_empty(), "{name}");
    }
}

/// Nesting just inside the bound parses.
#[test]
fn nesting_within_the_bound_parses() {
    let n = 100;
    let text = format!(
        "contract C;\nconst X: Int = {}1{};\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let (_, diagnostics) = parse(FileId(0), &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

/// Every diagnostic points inside the text, on character boundaries.
fn assert_spans_in_bounds(text: &str, diagnostics: &[assent_lang::diagnostics::Diagnostic]) {
    for diagnostic in diagnostics {
        let span = diagnostic.primary.span;
        assert!(span.start <= span.end, "{diagnostic:?}");
        assert!(
            text.get(span.range()).is_some(),
            "{diagnostic:?} in {text:?}"
        );
    }
}

/// Characters that matter to the lexer and parser, for mutations.
const INTERESTING: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "/*",
    "*/",
    "//",
    "///",
    "\\",
    "@",
    "$",
    "%",
    "0x",
    ";",
    ",",
    ".",
    "..",
    ":",
    "?",
    "??",
    "=>",
    "->",
    "|",
    "<",
    ">",
    ">=",
    "-",
    "!",
    "_",
    "\n",
    " ",
    "é",
    "\u{1F600}",
    "if",
    "match",
    "let",
    "contract",
    "fn",
    "policy",
    "else",
    "some",
    "none",
    "1.5",
    "9",
    "@2026-01-01",
    "indexed",
];

static CORPUS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    let mut texts: Vec<String> = valid_programs()
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    texts.extend(
        assent_stdlib::MODULES
            .iter()
            .map(|module| module.source.to_string()),
    );
    texts
});

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, what: usize },
    Duplicate { at: usize, len: usize },
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for mutation in mutations {
        let n = chars.len().max(1);
        match *mutation {
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(chars.len());
                chars.drain(at.min(chars.len())..end);
            }
            Mutation::Insert { at, what } => {
                let at = at % (chars.len() + 1);
                let piece = INTERESTING[what % INTERESTING.len()];
                for (offset, c) in piece.chars().enumerate() {
                    chars.insert(at + offset, c);
                }
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let end = (at + len).min(chars.len());
                let piece: Vec<char> = chars.get(at..end).unwrap_or(&[]).to_vec();
                for (offset, c) in piece.into_iter().enumerate() {
                    chars.insert(at + offset, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
            (any::<usize>(), any::<usize>()).prop_map(|(at, what)| Mutation::Insert { at, what }),
            (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        ]
    }

    proptest! {
        // The issue asks for at least 10,000 cases in CI; they take a few seconds.
        #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

        /// Mutated valid programs: never a panic, every span in bounds, and the same
        /// text always gives the same result.
        #[test]
        fn mutated_programs_never_panic(
            which in any::<usize>(),
            mutations in proptest::collection::vec(mutation(), 1..8),
        ) {
            let corpus = &*CORPUS;
            let original = &corpus[which % corpus.len()];
            let text = apply(original, &mutations);
            let (unit, diagnostics) = parse(FileId(0), &text);
            assert_spans_in_bounds(&text, &diagnostics);
            let (again, diagnostics_again) = parse(FileId(0), &text);
            prop_assert_eq!(unit, again);
            prop_assert_eq!(diagnostics, diagnostics_again);
        }

        /// Arbitrary text, including any Unicode: never a panic, spans in bounds.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            let (_, diagnostics) = parse(FileId(0), &text);
            assert_spans_in_bounds(&text, &diagnostics);
        }

        /// Arbitrary bytes read as the CLI would (lossy UTF-8).
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let text = String::from_utf8_lossy(&bytes);
            let (_, diagnostics) = parse(FileId(0), &text);
            assert_spans_in_bounds(&text, &diagnostics);
        }
    }
}

/// An expression as an S-expression, showing exactly how it grouped.
fn sexpr(expr: &assent_lang::syntax::ast::Expr) -> String {
    use assent_lang::syntax::ast::{ExprKind, Literal, StringPart, UnaryOp};
    let list = |items: &[assent_lang::syntax::ast::Expr]| {
        items.iter().map(sexpr).collect::<Vec<_>>().join(" ")
    };
    match &expr.kind {
        ExprKind::Error => "<error>".to_string(),
        ExprKind::Literal(Literal::Int(value)) => value.to_string(),
        ExprKind::Literal(literal) => format!("{literal:?}"),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Context(context) => format!("{context:?}"),
        ExprKind::None => "none".to_string(),
        ExprKind::Some(inner) => format!("(some {})", sexpr(inner)),
        ExprKind::Field { base, name } => format!("(. {} {})", sexpr(base), name.name),
        ExprKind::OptionalField { base, name } => format!("(?. {} {})", sexpr(base), name.name),
        ExprKind::Call { callee, args } => format!("(call {} {})", sexpr(callee), list(args)),
        ExprKind::MethodCall {
            receiver,
            method,
            args,
        } => {
            format!("(.{} {} {})", method.name, sexpr(receiver), list(args))
        }
        ExprKind::Index { base, index } => format!("([] {} {})", sexpr(base), sexpr(index)),
        ExprKind::Unary { op, operand } => {
            let op = if *op == UnaryOp::Neg { "-" } else { "!" };
            format!("({op} {})", sexpr(operand))
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            format!("({} {} {})", op.as_str(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Tuple(items) => format!("(tuple {})", list(items)),
        ExprKind::Interpolated(parts) => {
            let parts: Vec<String> = parts
                .iter()
                .map(|part| match part {
                    StringPart::Text(text) => format!("{text:?}"),
                    StringPart::Expr(e) => sexpr(e),
                })
                .collect();
            format!("(str {})", parts.join(" "))
        }
        ExprKind::Paren(inner) => format!("(paren {})", sexpr(inner)),
        ExprKind::List(items) => format!("(list {})", list(items)),
        ExprKind::MapLit(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}:{}", sexpr(k), sexpr(v)))
                .collect();
            format!("(map {})", entries.join(" "))
        }
        ExprKind::Record { name, fields, base } => {
            let mut parts: Vec<String> = fields
                .iter()
                .map(|f| format!("{}={}", f.name.name, sexpr(&f.value)))
                .collect();
            if let Some(base) = base {
                parts.push(format!("..{}", sexpr(base)));
            }
            format!("({} {})", name.name, parts.join(" "))
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => format!(
            "(if {} {} {})",
            sexpr(cond),
            then.stmts.len() + usize::from(then.tail.is_some()),
            otherwise.is_some()
        ),
        ExprKind::IfLet { .. } => "(if-let)".to_string(),
        ExprKind::Match { scrutinee, arms } => {
            format!("(match {} {})", sexpr(scrutinee), arms.len())
        }
    }
}

/// Precedence and associativity of LANGUAGE.md §4, one expression per row.
#[test]
fn expressions_group_by_precedence() {
    let table = [
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("-a * b", "(* (- a) b)"),
        ("-a.b", "(- (. a b))"),
        ("!a && b", "(&& (! a) b)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a ?? b ?? c", "(?? a (?? b c))"),
        ("a ?? b || c", "(?? a (|| b c))"),
        ("x in S && y in T", "(&& (in x S) (in y T))"),
        ("a + 1 .. b", "(.. (+ a 1) b)"),
        ("a == b && c != d", "(&& (== a b) (!= c d))"),
        ("10 % 3", "(% 10 3)"),
        ("m[k].f(1, 2)", "(.f ([] m k) 1 2)"),
        ("r.a.b", "(. (. r a) b)"),
        ("o?.a?.b", "(?. (?. o a) b)"),
        ("o?.a.b", "(. (?. o a) b)"),
        ("o?.f ?? d", "(?? (?. o f) d)"),
        ("!o?.f", "(! (?. o f))"),
        ("m[k]?.f", "(?. ([] m k) f)"),
        ("P(addr).may_access(x)", "(.may_access (call P addr) x)"),
        ("(a, b)", "(tuple a b)"),
        ("(a)", "(paren a)"),
        ("[1, 2,]", "(list 1 2)"),
        ("[k: 1, j: 2]", "(map k:1 j:2)"),
        ("[:]", "(map )"),
        ("[]", "(list )"),
        ("some(x) == none", "(== (some x) none)"),
        ("G { a, b: 1, ..g }", "(G a=a b=1 ..g)"),
        ("g && match e { _ => true }", "(&& g (match e 1))"),
        ("caller == self", "(== Caller SelfAddress)"),
        ("if c { 1 } else { 2 }", "(if c 1 true)"),
        ("t.0.1 + t.2", "(+ (. (. t 0) 1) (. t 2))"),
        ("m[k].0", "(. ([] m k) 0)"),
        (
            r#""a {x + 1} {{b}} {f("c{d}")}""#,
            r#"(str "a " (+ x 1) " {b} " (call f (str "c" d)))"#,
        ),
        (r#""{a}{b.c}""#, "(str a (. b c))"),
        (
            r#""x {G { a: 1 }.a} \t""#,
            r#"(str "x " (. (G a=1) a) " \t")"#,
        ),
    ];
    for (source, expected) in table {
        let text = format!("contract C;\nconst X: Int = {source};\n");
        let (unit, diagnostics) = parse(FileId(0), &text);
        assert!(diagnostics.is_empty(), "{source}: {diagnostics:?}");
        let assent_lang::syntax::ast::ItemKind::Const(decl) = &unit.items[0].kind else {
            panic!("{source}");
        };
        assert_eq!(sexpr(&decl.value), expected, "{source}");
    }
}

/// `and`, `or` and `not` between operands are reported (E0016) and parsed as the
/// operator meant, so one slip is one error; elsewhere they are ordinary names.
#[test]
fn word_operators_are_reported_and_read_as_meant() {
    let table = [
        ("a and b", "(&& a b)", 1),
        ("a or b and c", "(|| a (&& b c))", 2),
        ("not a && b", "(&& (! a) b)", 1),
        ("x > 1 and not y", "(&& (> x 1) (! y))", 2),
        ("not(a)", "(call not a)", 0),
        ("and + or", "(+ and or)", 0),
        ("f(and, or, not)", "(call f and or not)", 0),
    ];
    for (source, expected, errors) in table {
        let text = format!("contract C;\nconst X: Int = {source};\n");
        let (unit, diagnostics) = parse(FileId(0), &text);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, vec!["E0016"; errors], "{source}");
        let assent_lang::syntax::ast::ItemKind::Const(decl) = &unit.items[0].kind else {
            panic!("{source}");
        };
        assert_eq!(sexpr(&decl.value), expected, "{source}");
    }
}

/// `break` and `continue` are statements at the start of a statement, and names where
/// a place or a call follows them.
#[test]
fn break_and_continue_are_keywords_only_as_statements() {
    use assent_lang::syntax::ast::{ItemKind, StmtKind};
    let text = "contract C;\nfn f() {\n    for x in xs {\n        break;\n        continue;\n        \
                continue = 1;\n        break.f = 2;\n        continue(1);\n        break * 2;\n    }\n}\n";
    let (unit, diagnostics) = parse(FileId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let ItemKind::Function(decl) = &unit.items[0].kind else {
        panic!("not a function");
    };
    let StmtKind::For { body, .. } = &decl.body.stmts[0].kind else {
        panic!("not a loop");
    };
    let kinds: Vec<&str> = body
        .stmts
        .iter()
        .map(|stmt| match &stmt.kind {
            StmtKind::Break => "break",
            StmtKind::Continue => "continue",
            StmtKind::Assign { .. } => "assign",
            StmtKind::Expr(_) => "expr",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["break", "continue", "assign", "assign", "expr", "expr"]
    );
}

/// In the head of `if`, `match` and `for`, `Name {` opens the block.
#[test]
fn name_brace_in_a_head_opens_the_block() {
    let text = "contract C;\nfn f(x: Int) -> Int {\n    if x == y { 1 } else { 2 }\n}\n\
                fn g() { for i in xs { h(i); } }\n";
    let (_, diagnostics) = parse(FileId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}
