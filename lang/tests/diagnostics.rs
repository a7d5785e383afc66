//! Snapshot tests of rendered diagnostics, and the error-code reference generated from them.
//!
//! Every file in `tests/diagnostics/` is an invalid (or warned-about) program named after
//! the code it demonstrates (`E0201_money_is_not_int.assent`). Its leading `//` lines
//! explain the rule; `//- other.assent` lines start further in-memory files it imports.
//! Each snapshot holds the source and the rendered diagnostics together, and
//! `docs/errors.md` is generated from the same files, so the reference always shows real
//! output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assent_lang::check::{self, FileLoader};
use assent_lang::diagnostics::{self, Code};

/// A test program: the root file and the files it may import.
struct Fixture {
    name: String,
    root: String,
    others: BTreeMap<String, String>,
}

impl Fixture {
    fn read(path: &Path) -> Fixture {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let mut sections = text.split("\n//- ");
        let root = sections.next().unwrap().to_string();
        let others = sections
            .map(|section| {
                let (file, body) = section.split_once('\n').unwrap_or((section, ""));
                (file.trim().to_string(), body.to_string())
            })
            .collect();
        Fixture { name, root, others }
    }

    /// The explanation: the root's leading `//` comment lines.
    fn explanation(&self) -> String {
        self.root
            .lines()
            .map_while(|line| line.strip_prefix("//"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn check(&self) -> (String, Vec<Code>) {
        let checked = check::check_source(&self.name, &self.root, self);
        let rendered = diagnostics::render(&checked.sources, &checked.diagnostics, false);
        let codes = checked.diagnostics.iter().map(|d| d.code).collect();
        (rendered, codes)
    }

    fn source_listing(&self) -> String {
        let mut listing = self.root.trim_end().to_string();
        for (file, body) in &self.others {
            write!(listing, "\n\n//- {file}\n{}", body.trim_end()).unwrap();
        }
        listing
    }
}

impl FileLoader for Fixture {
    fn load(&self, path: &str) -> Result<String, String> {
        self.others
            .get(path)
            .cloned()
            .ok_or_else(|| "no such file".to_string())
    }
}

fn cases() -> Vec<(PathBuf, Fixture)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "assent"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let fixture = Fixture::read(&path);
            (path, fixture)
        })
        .collect()
}

/// The code a case demonstrates, from its file name.
fn code_of(fixture: &Fixture) -> Code {
    let prefix = fixture.name.split('_').next().unwrap();
    *Code::ALL
        .iter()
        .find(|code| code.as_str() == prefix)
        .unwrap_or_else(|| panic!("{}: no code `{prefix}`", fixture.name))
}

#[test]
fn rendered_diagnostics() {
    insta::glob!("diagnostics/*.assent", |path| {
        let fixture = Fixture::read(path);
        let (rendered, _) = fixture.check();
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{}\n\n----- DIAGNOSTICS\n{}",
            fixture.source_listing(),
            rendered.trim_end()
        ));
    });
}

#[test]
fn every_case_reports_the_code_it_is_named_after() {
    let mut failures = Vec::new();
    for (_, fixture) in cases() {
        let expected = code_of(&fixture);
        let (rendered, codes) = fixture.check();
        if !codes.contains(&expected) {
            failures.push(format!(
                "{}: expected {expected}, got:\n{rendered}",
                fixture.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_case() {
    let covered: Vec<Code> = cases().iter().map(|(_, f)| code_of(f)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !covered.contains(code))
        .map(|code| code.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a case in tests/diagnostics: {missing:?}"
    );
}

/// `docs/errors.md` is generated from the cases; set `ASSENT_UPDATE_DOCS=1` to rewrite it.
#[test]
fn error_reference_is_current() {
    let mut by_code: BTreeMap<Code, Vec<Fixture>> = BTreeMap::new();
    for (_, fixture) in cases() {
        by_code.entry(code_of(&fixture)).or_default().push(fixture);
    }
    let mut doc = String::from(
        "# Assent error codes\n\n\
         <!-- Generated by `lang/tests/diagnostics.rs` from `lang/tests/diagnostics/`; \
         do not edit. Regenerate with `ASSENT_UPDATE_DOCS=1 cargo test -p assent-lang --test diagnostics`. -->\n\n\
         Every diagnostic has a stable code: `E` + four digits for errors (the build fails), \
         `W` + four digits for warnings (exit status stays 0). Codes are never renumbered or \
         reused. Each entry shows a program and exactly what `assent check` prints for it.\n\n",
    );
    for code in Code::ALL {
        let Some(fixtures) = by_code.get(code) else {
            continue;
        };
        write!(doc, "## {code}: {}\n\n", code.summary()).unwrap();
        for fixture in fixtures {
            let (rendered, _) = fixture.check();
            write!(
                doc,
                "{}\n\n```assent\n{}\n```\n\n```text\n{}\n```\n\n",
                fixture.explanation(),
                fixture.source_listing(),
                rendered.trim_end()
            )
            .unwrap();
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
    if std::env::var_os("ASSENT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == doc,
            "docs/errors.md is out of date: run `ASSENT_UPDATE_DOCS=1 cargo test -p assent-lang --test diagnostics`"
        );
    }
}
