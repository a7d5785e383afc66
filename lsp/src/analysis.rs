//! What the server knows of each open document between messages: the index of its last
//! check (every name of the file, its imports and the `std` modules it reads, resolved),
//! and the index of the last text that parsed, for completion while a line is half-typed.
//! Also where answers point outside the document: imported files, `std` sources written
//! to a cache directory, and the gas table `assent test --gas-report` left behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assent_lang::check::Checked;
use assent_lang::query::Index;
use assent_lang::span::{FileId, Span};
use assent_lang::syntax::parse;
use serde_json::{Value, json};

use crate::text::{path_of, range, uri_of};

/// One check of one document, indexed.
#[derive(Debug)]
pub struct Analysis {
    /// The document's URI.
    pub uri: String,
    /// The text that was checked.
    pub text: String,
    pub index: Index,
    /// File names by id, as the check read them (`std.consent`, `/abs/other.assent`).
    names: BTreeMap<FileId, String>,
    /// The text parsed without a syntax error.
    pub parsed: bool,
    /// The checker's types of the document's locals, by function and local name, where
    /// the names are unambiguous: for hovers on locals whose type the index cannot
    /// follow from declarations. Empty when the check found errors.
    local_types: BTreeMap<(String, String), String>,
}

impl Analysis {
    /// Indexes a finished check of `text`, the document at `uri`.
    pub fn new(uri: &str, text: &str, checked: &Checked) -> Analysis {
        let names = checked
            .sources
            .files()
            .map(|(file, source)| (file, source.name.clone()))
            .collect();
        Analysis {
            uri: uri.to_owned(),
            text: text.to_owned(),
            index: Index::build(&checked.sources),
            names,
            parsed: parse(FileId(0), text).1.is_empty(),
            local_types: local_types(checked),
        }
    }

    /// The checker's type of local `name` of function `function`, if known.
    pub fn local_type(&self, function: &str, name: &str) -> Option<&str> {
        self.local_types
            .get(&(function.to_owned(), name.to_owned()))
            .map(String::as_str)
    }

    /// The URI an editor can open for `file`: the document itself, an imported file, or
    /// the cached copy of a `std` module; `None` for anything else (an import relative to
    /// an unsaved buffer).
    pub fn uri_of(&self, file: FileId) -> Option<String> {
        if file == FileId(0) {
            return Some(self.uri.clone());
        }
        let name = self.names.get(&file)?;
        if name.starts_with('/') {
            return Some(uri_of(name));
        }
        if name.starts_with("std.") {
            return std_copy(name, self.index.text(file)).map(|path| uri_of(&path));
        }
        None
    }

    /// The protocol location of `span` in `file`.
    pub fn location(&self, file: FileId, span: Span) -> Option<Value> {
        let uri = self.uri_of(file)?;
        let text = self.index.text(file);
        Some(json!({
            "uri": uri,
            "range": range(text, span.start as usize, span.end as usize),
        }))
    }

    /// The path on disk of `file`, when it has one.
    pub fn path(&self, file: FileId) -> Option<PathBuf> {
        if file == FileId(0) {
            return path_of(&self.uri).map(PathBuf::from);
        }
        let name = self.names.get(&file)?;
        name.starts_with('/').then(|| PathBuf::from(name))
    }
}

/// The types the checker gave the locals of the checked file's functions; a name bound
/// twice in one function with different types is left out.
fn local_types(checked: &Checked) -> BTreeMap<(String, String), String> {
    let mut types: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    let Some(contract) = &checked.contract else {
        return BTreeMap::new();
    };
    let functions = contract.functions.iter().chain(&contract.properties);
    for function in functions.filter(|f| f.module == contract.module) {
        for local in &function.locals {
            let ty = contract.type_name(&local.ty);
            types
                .entry((function.name.clone(), local.name.clone()))
                .and_modify(|known| {
                    if known.as_deref() != Some(ty.as_str()) {
                        *known = None;
                    }
                })
                .or_insert(Some(ty));
        }
    }
    types
        .into_iter()
        .filter_map(|(key, ty)| Some((key, ty?)))
        .collect()
}

/// The analyses of open documents: the latest, and the latest whose text parsed.
#[derive(Debug, Default)]
pub struct Analyses {
    latest: BTreeMap<String, Analysis>,
    parsed: BTreeMap<String, Analysis>,
}

impl Analyses {
    /// Keeps `analysis` as the latest of its document; the previous one is kept too if
    /// it parsed and this one does not.
    pub fn store(&mut self, analysis: Analysis) {
        let uri = analysis.uri.clone();
        if analysis.parsed {
            self.parsed.remove(&uri);
        } else if let Some(previous) = self.latest.remove(&uri)
            && previous.parsed
        {
            self.parsed.insert(uri.clone(), previous);
        }
        self.latest.insert(uri, analysis);
    }

    pub fn forget(&mut self, uri: &str) {
        self.latest.remove(uri);
        self.parsed.remove(uri);
    }

    /// The latest analysis of `uri`.
    pub fn latest(&self, uri: &str) -> Option<&Analysis> {
        self.latest.get(uri)
    }

    /// The latest analysis of `uri` whose text parsed (the latest itself if it did).
    pub fn parsed(&self, uri: &str) -> Option<&Analysis> {
        match self.latest.get(uri) {
            Some(latest) if latest.parsed => Some(latest),
            _ => self.parsed.get(uri).or_else(|| self.latest.get(uri)),
        }
    }
}

/// The directory `std` sources are copied to, for an editor to open:
/// `$XDG_CACHE_HOME/assent/std-VERSION` (or `~/.cache/…`).
fn std_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
    Some(
        base.join("assent")
            .join(format!("std-{}", env!("CARGO_PKG_VERSION"))),
    )
}

/// The path of the cached copy of `std` module `name` holding `text`, written if missing
/// or different; `None` when it cannot be written.
fn std_copy(name: &str, text: &str) -> Option<String> {
    let dir = std_dir()?;
    let path = dir.join(format!("{name}.assent"));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(&dir).ok()?;
        let partial = path.with_extension(format!("assent.{}", std::process::id()));
        std::fs::write(&partial, text).ok()?;
        std::fs::rename(&partial, &path).ok()?;
    }
    let path = path.to_str()?.to_owned();
    path.starts_with('/').then_some(path)
}

/// Where `assent test --gas-report` leaves its table, under the directory it ran in.
const GAS_CACHE: &str = assent_lang::GAS_REPORT_CACHE;

/// The gas `Contract.entry` used in the last `assent test --gas-report` run:
/// `(calls, min, mean, max)`, from the table named by `$ASSENT_GAS_REPORT` if set, else
/// the first `.assent/gas-report.json` in the directory of `file` or an ancestor.
pub fn gas(file: &Path, contract: &str, entry: &str) -> Option<(u64, u64, u64, u64)> {
    let key = format!("{contract}.{entry}");
    let named = std::env::var_os("ASSENT_GAS_REPORT").map(PathBuf::from);
    let candidates: Vec<PathBuf> = match named {
        Some(path) => vec![path],
        None => file
            .ancestors()
            .skip(1)
            .map(|dir| dir.join(GAS_CACHE))
            .collect(),
    };
    for candidate in candidates {
        let Ok(text) = std::fs::read_to_string(candidate) else {
            continue;
        };
        let table: Value = serde_json::from_str(&text).ok()?;
        let row = table.get(&key)?;
        let number = |field: &str| row.get(field).and_then(Value::as_u64);
        return Some((
            number("calls")?,
            number("min")?,
            number("mean")?,
            number("max")?,
        ));
    }
    None
}
