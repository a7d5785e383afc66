//! What the server answers: diagnostics for a document (and the files it imports), its
//! symbols, and its canonical layout.

use assent_lang::check::check_source;
use assent_lang::diagnostics::{Diagnostic, Severity};
use assent_lang::format::format_source;
use assent_lang::span::{FileId, SourceMap, Span};
use assent_lang::syntax::ast::{FunctionKind, ItemKind};
use assent_lang::syntax::parse;
use serde_json::{Value, json};

use crate::analysis::Analysis;
use crate::documents::Documents;
use crate::text::{path_of, range, uri_of, whole};

/// Diagnostics to publish after `uri` changed: for it and for every file on disk it
/// imports (each URI with its full list, empty when clean, so stale ones clear); and the
/// check, indexed for the requests about positions.
pub fn diagnostics(documents: &Documents, uri: &str) -> (Vec<(String, Value)>, Option<Analysis>) {
    let Some(text) = documents.text(uri) else {
        return (Vec::new(), None);
    };
    // An unsaved buffer has no path; it is checked under its URI, and imports relative to
    // it cannot be found (the diagnostics say so).
    let name = path_of(uri).unwrap_or_else(|| uri.to_owned());
    let checked = check_source(&name, text, documents);
    let mut published = Vec::new();
    for (file, source) in checked.sources.files() {
        let file_uri = if file == FileId(0) {
            uri.to_owned()
        } else if source.name.starts_with('/') {
            uri_of(&source.name)
        } else {
            // A standard-library module: not a file an editor can open.
            continue;
        };
        let list: Vec<Value> = checked
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.primary.file == file)
            .map(|diagnostic| to_lsp(&checked.sources, diagnostic))
            .collect();
        published.push((file_uri, Value::Array(list)));
    }
    let analysis = Analysis::new(uri, text, &checked);
    (published, Some(analysis))
}

/// One diagnostic in the protocol's form: the code and message as `assent check` gives
/// them, help and notes appended, related places as related information.
fn to_lsp(sources: &SourceMap, diagnostic: &Diagnostic) -> Value {
    let text_of = |file: FileId| sources.get(file).map_or("", |source| source.text.as_str());
    let span_range = |file: FileId, span: Span| {
        let range_bytes = span.range();
        range(text_of(file), range_bytes.start, range_bytes.end)
    };
    let mut message = diagnostic.message.clone();
    // The label under the snippet, unless the message says it already.
    if let Some(label) = &diagnostic.primary.message
        && !message.contains(label.as_str())
    {
        message.push_str(&format!(": {label}"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<Value> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            let source = sources.get(label.file)?;
            let uri = if label.file == diagnostic.primary.file || source.name.starts_with('/') {
                uri_of(&source.name)
            } else {
                return None;
            };
            Some(json!({
                "location": { "uri": uri, "range": span_range(label.file, label.span) },
                "message": label.message.clone().unwrap_or_default(),
            }))
        })
        .collect();
    let severity = match diagnostic.severity() {
        Severity::Error => 1,
        Severity::Warning => 2,
    };
    let mut value = json!({
        "range": span_range(diagnostic.primary.file, diagnostic.primary.span),
        "severity": severity,
        "code": diagnostic.code.as_str(),
        "source": "assent",
        "message": message,
    });
    if !related.is_empty()
        && let Value::Object(map) = &mut value
    {
        map.insert("relatedInformation".into(), Value::Array(related));
    }
    value
}

/// The document's items as protocol symbols (`DocumentSymbol[]`): the contract, then
/// each constant, type, event, state, entry point and policy, records and events with
/// their fields, enums with their variants.
pub fn symbols(text: &str) -> Value {
    let (unit, _) = parse(FileId(0), text);
    let span_range = |span: Span| {
        let bytes = span.range();
        range(text, bytes.start, bytes.end)
    };
    let symbol =
        |name: &str, detail: &str, kind: u8, span: Span, selection: Span, children: Vec<Value>| {
            let mut value = json!({
                "name": name,
                "detail": detail,
                "kind": kind,
                "range": span_range(span),
                "selectionRange": span_range(selection),
            });
            if !children.is_empty()
                && let Value::Object(map) = &mut value
            {
                map.insert("children".into(), Value::Array(children));
            }
            value
        };
    // The protocol's SymbolKind numbers.
    const MODULE: u8 = 2;
    const FIELD: u8 = 8;
    const ENUM: u8 = 10;
    const FUNCTION: u8 = 12;
    const VARIABLE: u8 = 13;
    const CONSTANT: u8 = 14;
    const STRUCT: u8 = 23;
    const EVENT: u8 = 24;
    const METHOD: u8 = 6;
    let mut symbols = Vec::new();
    if let Some(contract) = &unit.contract {
        symbols.push(symbol(
            &contract.name.name,
            "contract",
            MODULE,
            contract.span,
            contract.name.span,
            Vec::new(),
        ));
    }
    for item in &unit.items {
        let fields = |fields: &[assent_lang::syntax::ast::FieldDecl]| {
            fields
                .iter()
                .map(|field| {
                    symbol(
                        &field.name.name,
                        "field",
                        FIELD,
                        field.span,
                        field.name.span,
                        Vec::new(),
                    )
                })
                .collect()
        };
        let entry = match &item.kind {
            ItemKind::Import(_) => continue,
            ItemKind::Const(decl) => (&decl.name, "const", CONSTANT, Vec::new()),
            ItemKind::Enum(decl) => (&decl.name, "enum", ENUM, variants(&decl.variants, &symbol)),
            ItemKind::Record(decl) => (&decl.name, "record", STRUCT, fields(&decl.fields)),
            ItemKind::Event(decl) => (&decl.name, "event", EVENT, fields(&decl.fields)),
            ItemKind::State(decl) => (&decl.name, "state", VARIABLE, Vec::new()),
            ItemKind::Function(decl) => {
                let (detail, kind) = match decl.kind {
                    FunctionKind::Init => ("init", METHOD),
                    FunctionKind::Action => ("action", METHOD),
                    FunctionKind::View => ("view", METHOD),
                    FunctionKind::Fn => ("fn", FUNCTION),
                    FunctionKind::Property => ("property", FUNCTION),
                };
                (&decl.name, detail, kind, Vec::new())
            }
            ItemKind::Policy(decl) => (&decl.name, "policy", METHOD, Vec::new()),
        };
        let (name, detail, kind, children) = entry;
        symbols.push(symbol(
            &name.name, detail, kind, item.span, name.span, children,
        ));
    }
    Value::Array(symbols)
}

/// The protocol's SymbolKind of an enum variant.
const ENUM_MEMBER: u8 = 22;

/// Builds one symbol: name, detail, kind, range, selection range, children.
type MakeSymbol<'a> = &'a dyn Fn(&str, &str, u8, Span, Span, Vec<Value>) -> Value;

/// Enum variants as symbols, each with the variants under it in the hierarchy.
fn variants(variants: &[assent_lang::syntax::ast::Variant], symbol: MakeSymbol<'_>) -> Vec<Value> {
    variants
        .iter()
        .map(|variant| {
            symbol(
                &variant.name.name,
                "variant",
                ENUM_MEMBER,
                variant.span,
                variant.name.span,
                self::variants(&variant.children, symbol),
            )
        })
        .collect()
}

/// The edits that give the document its canonical layout: one edit replacing the whole
/// text, none when it is already canonical, `None` when it does not parse (`fmt` never
/// rewrites such a file).
pub fn formatting(text: &str) -> Option<Value> {
    let formatted = format_source(FileId(0), text).ok()?;
    if formatted == text {
        return Some(json!([]));
    }
    Some(json!([{ "range": whole(text), "newText": formatted }]))
}
