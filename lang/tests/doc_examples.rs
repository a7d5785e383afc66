//! Every ```assent block of the user documentation (`README.md`, `docs/*.md`) is checked, so
//! an example that stops compiling fails the build.
//!
//! The fence's info string says what a block is:
//! - ```` ```assent ```` — a whole contract: it checks with no error and no warning;
//! - ```` ```assent,fragment ```` — items without the `contract` line: `contract Example;`
//!   is put in front, then the same rule;
//! - ```` ```assent,file=NAME.assent ```` — a whole contract other blocks may `import "NAME.assent";`
//!   (checked like any block);
//! - ```` ```assent,error=E0201 ```` — must fail, and every error it reports is `E0201`;
//! - ```` ```assent,warning=W0001 ```` — must check, and every warning it reports is `W0001`.
//!
//! Attributes combine (`assent,fragment,error=E0107`); an unknown one is a failure, so a
//! misspelt marker never lets a block through unchecked. `docs/errors.md` is skipped: it is
//! generated from `tests/diagnostics/` and checked by `tests/diagnostics.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assent_lang::check::{self, FileLoader};
use assent_lang::diagnostics;

/// One ```assent block: where it is, what its fence says, its text.
#[derive(Debug)]
struct Block {
    /// `docs/language.md:123` (the line of the opening fence).
    place: String,
    info: String,
    text: String,
}

/// What a block's fence asks for.
#[derive(Debug, Default)]
struct Marker {
    fragment: bool,
    file: Option<String>,
    error: Option<String>,
    warning: Option<String>,
}

impl Marker {
    fn parse(info: &str) -> Result<Marker, String> {
        let mut marker = Marker::default();
        for attribute in info.split(',').skip(1).map(str::trim) {
            match attribute.split_once('=') {
                None if attribute == "fragment" => marker.fragment = true,
                Some(("file", name)) => marker.file = Some(name.to_owned()),
                Some(("error", code)) if code.starts_with('E') => {
                    marker.error = Some(code.to_owned());
                }
                Some(("warning", code)) if code.starts_with('W') => {
                    marker.warning = Some(code.to_owned());
                }
                _ => return Err(format!("unknown fence attribute `{attribute}`")),
            }
        }
        Ok(marker)
    }
}

/// The ```assent blocks of a Markdown text (`name` is how its places are reported).
fn blocks(name: &str, markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        let mut body = Vec::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim() == "```" {
                break;
            }
            body.push(inner.get(indent..).unwrap_or(inner.trim_start()));
        }
        let language = info.split(',').next().unwrap_or_default().trim();
        if language == "assent" {
            found.push(Block {
                place: format!("{name}:{}", number + 1),
                info: info.trim().to_owned(),
                text: body.join("\n") + "\n",
            });
        }
    }
    found
}

/// Serves the blocks marked `file=NAME` to `import "NAME";`, whatever directory the
/// importing block's name implies.
struct Files(BTreeMap<String, String>);

impl FileLoader for Files {
    fn load(&self, path: &str) -> Result<String, String> {
        let name = Path::new(path)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.0
            .get(&name)
            .cloned()
            .ok_or_else(|| format!("no documentation block is marked `file={name}`"))
    }
}

/// Checks one block; a description of what is wrong, if anything.
fn check_block(block: &Block, files: &Files) -> Option<String> {
    let marker = match Marker::parse(&block.info) {
        Ok(marker) => marker,
        Err(problem) => return Some(format!("{}: {problem}", block.place)),
    };
    let source = if marker.fragment {
        format!("contract Example;\n\n{}", block.text)
    } else {
        block.text.clone()
    };
    let name = marker
        .file
        .clone()
        .unwrap_or_else(|| "example.assent".to_owned());
    let checked = check::check_source(&name, &source, files);
    let rendered = || diagnostics::render(&checked.sources, &checked.diagnostics, false);
    let codes = |errors: bool| -> Vec<&'static str> {
        checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .filter(|code| code.starts_with('E') == errors)
            .collect()
    };
    let (errors, warnings) = (codes(true), codes(false));
    let problem = match (&marker.error, &marker.warning) {
        (Some(wanted), _) if errors.is_empty() => {
            Some(format!("expected error {wanted}, but it checks"))
        }
        (Some(wanted), _) if errors.iter().any(|code| code != wanted) => {
            Some(format!("expected only error {wanted}, got {errors:?}"))
        }
        (Some(_), _) => None,
        (None, _) if !errors.is_empty() => Some(format!("errors {errors:?}")),
        (None, Some(wanted)) if warnings.is_empty() => {
            Some(format!("expected warning {wanted}, got none"))
        }
        (None, Some(wanted)) if warnings.iter().any(|code| code != wanted) => {
            Some(format!("expected only warning {wanted}, got {warnings:?}"))
        }
        (None, None) if !warnings.is_empty() => Some(format!("warnings {warnings:?}")),
        _ => None,
    };
    problem.map(|problem| {
        format!(
            "{} ({}): {problem}\n{}",
            block.place,
            block.info,
            rendered()
        )
    })
}

/// Checks every block of the given Markdown files; the problems found.
fn check_documents(documents: &[(String, String)]) -> (usize, Vec<String>) {
    let all: Vec<Block> = documents
        .iter()
        .flat_map(|(name, text)| blocks(name, text))
        .collect();
    let files = Files(
        all.iter()
            .filter_map(|block| {
                let marker = Marker::parse(&block.info).ok()?;
                Some((marker.file?, block.text.clone()))
            })
            .collect(),
    );
    let problems = all
        .iter()
        .filter_map(|block| check_block(block, &files))
        .collect();
    (all.len(), problems)
}

/// `README.md` and `docs/*.md` except the generated error index.
fn user_documents() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter(|path| !path.ends_with("errors.md"))
        .collect();
    paths.sort();
    paths.insert(0, root.join("README.md"));
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            (name, text)
        })
        .collect()
}

#[test]
fn every_documentation_example_checks_as_marked() {
    let (count, problems) = check_documents(&user_documents());
    assert!(
        count >= 25,
        "only {count} ```assent blocks found in the docs"
    );
    assert!(
        problems.is_empty(),
        "{} of {count} documentation examples are wrong:\n\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The harness itself: each way an example can be wrong is caught.
#[test]
fn a_broken_example_is_reported() {
    let cases = [
        // A whole contract with a type error.
        "```assent\ncontract C;\nconst X: Int = $1;\n```\n",
        // A fragment with a type error.
        "```assent,fragment\nconst X: Int = $1;\n```\n",
        // A block marked to fail that checks.
        "```assent,fragment,error=E0201\nconst X: Int = 1;\n```\n",
        // A block that fails with another code than the one marked.
        "```assent,fragment,error=E0001\nconst X: Int = $1;\n```\n",
        // A warning where none is expected.
        "```assent,fragment\nfn f() -> Int { let unused = 1; 2 }\n```\n",
        // An import of a block that does not exist.
        "```assent\ncontract C;\nimport \"missing.assent\";\n```\n",
        // A misspelt marker.
        "```assent,fragmnet\nconst X: Int = 1;\n```\n",
    ];
    for case in cases {
        let (count, problems) = check_documents(&[("case.md".to_owned(), case.to_owned())]);
        assert_eq!((count, problems.len()), (1, 1), "not reported:\n{case}");
    }
    let good = "```assent,file=other.assent\ncontract Other;\nview v() -> Int { 1 }\n```\n\
                ```assent,fragment\nimport \"other.assent\";\nconst X: Int = 1;\n```\n\
                ```assent,fragment,error=E0201\nconst X: Int = $1;\n```\n";
    let (count, problems) = check_documents(&[("good.md".to_owned(), good.to_owned())]);
    assert_eq!(count, 3);
    assert!(problems.is_empty(), "{problems:?}");
}
