//! Answers about a position: go to definition, find references, hover, completion and
//! rename, from the index of the document's last check ([`crate::analysis`]).

use assent_lang::query::{Completion, CompletionKind, SymbolId, SymbolKind};
use assent_lang::span::FileId;
use assent_lang::syntax::token::{ITEM_KEYWORDS, RESERVED};
use serde_json::{Value, json};

use crate::analysis::{Analyses, Analysis, gas};
use crate::text::{offset, range};

/// Why a request has no answer: the protocol's error code and a message.
pub type Refusal = (i32, String);

const INVALID_PARAMS: i32 = -32602;
/// The protocol's `RequestFailed`: the request was valid, but cannot be carried out.
const REQUEST_FAILED: i32 = -32803;

/// The document and byte offset a request's `textDocument` and `position` name.
fn target<'a>(analyses: &'a Analyses, params: &Value) -> Result<(&'a Analysis, u32), Refusal> {
    let uri = params
        .get("textDocument")
        .and_then(|document| document.get("uri"))
        .and_then(Value::as_str)
        .ok_or((INVALID_PARAMS, "no `textDocument.uri`".to_owned()))?;
    let analysis = analyses
        .latest(uri)
        .ok_or((INVALID_PARAMS, "the document is not open".to_owned()))?;
    let position = params
        .get("position")
        .ok_or((INVALID_PARAMS, "no `position`".to_owned()))?;
    let line = position.get("line").and_then(Value::as_u64);
    let character = position.get("character").and_then(Value::as_u64);
    let (Some(line), Some(character)) = (line, character) else {
        return Err((
            INVALID_PARAMS,
            "a position needs `line` and `character`".to_owned(),
        ));
    };
    let at = offset(&analysis.text, line, character);
    Ok((analysis, u32::try_from(at).unwrap_or(u32::MAX)))
}

/// `textDocument/definition`: where the name under the cursor is declared.
pub fn definition(analyses: &Analyses, params: &Value) -> Result<Value, Refusal> {
    let (analysis, at) = target(analyses, params)?;
    let index = &analysis.index;
    let Some(symbol) = index.at(FileId(0), at).and_then(|o| index.symbol(o.symbol)) else {
        return Ok(Value::Null);
    };
    Ok(analysis
        .location(symbol.file, symbol.span)
        .unwrap_or(Value::Null))
}

/// `textDocument/references`: every use of the name under the cursor in the document,
/// its imports and the `std` modules they read (the declaration too when asked).
pub fn references(analyses: &Analyses, params: &Value) -> Result<Value, Refusal> {
    let (analysis, at) = target(analyses, params)?;
    let index = &analysis.index;
    let Some(occurrence) = index.at(FileId(0), at) else {
        return Ok(Value::Null);
    };
    let declaration = params
        .get("context")
        .and_then(|context| context.get("includeDeclaration"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let locations: Vec<Value> = index
        .references(occurrence.symbol)
        .into_iter()
        .filter(|o| declaration || !o.declaration)
        .filter_map(|o| analysis.location(o.file, o.span))
        .collect();
    Ok(Value::Array(locations))
}

/// `textDocument/hover`: the declaration of the name under the cursor with its type, its
/// `///` documentation, and for an entry point its parameters and the gas it used in the
/// last `assent test --gas-report` run, when that run left its table.
pub fn hover(analyses: &Analyses, params: &Value) -> Result<Value, Refusal> {
    let (analysis, at) = target(analyses, params)?;
    let index = &analysis.index;
    let Some(occurrence) = index.at(FileId(0), at) else {
        return Ok(Value::Null);
    };
    let Some(symbol) = index.symbol(occurrence.symbol) else {
        return Ok(Value::Null);
    };
    let mut signature = index.signature(occurrence.symbol);
    if symbol.kind == SymbolKind::Local && symbol.ty.is_none() {
        // A type the declarations do not give: the checker's, from the last clean check.
        let function = symbol.parent.and_then(|f| index.symbol(f));
        let checked = [analysis].into_iter().chain(analyses.parsed(&analysis.uri));
        let ty = checked
            .filter_map(|a| a.local_type(&function?.name, &symbol.name))
            .next();
        if let Some(ty) = ty {
            signature.push_str(&format!(": {ty}"));
        }
    }
    let mut text = format!("```assent\n{signature}\n```");
    if symbol.kind == SymbolKind::Variant {
        text.push_str(&format!("\n\n{}", index.hierarchy(occurrence.symbol)));
    }
    if let Some(doc) = &symbol.doc {
        text.push_str(&format!("\n\n{doc}"));
    }
    let entry = matches!(symbol.keyword, "init" | "action" | "view" | "policy");
    if symbol.kind == SymbolKind::Function && entry {
        text.push_str(&entry_point(analysis, occurrence.symbol));
    }
    Ok(json!({
        "contents": { "kind": "markdown", "value": text },
        "range": range(
            &analysis.text,
            occurrence.span.start as usize,
            occurrence.span.end as usize,
        ),
    }))
}

/// An entry point's parameters, and its gas from the cached report.
fn entry_point(analysis: &Analysis, function: SymbolId) -> String {
    let index = &analysis.index;
    let Some(symbol) = index.symbol(function) else {
        return String::new();
    };
    let mut text = String::new();
    if symbol.children.is_empty() {
        text.push_str("\n\nno parameters");
    } else {
        text.push_str("\n\nparameters:");
        for param in &symbol.children {
            text.push_str(&format!("\n- `{}`", index.signature(*param)));
        }
    }
    let contract = index
        .contract(symbol.file)
        .and_then(|id| index.symbol(id))
        .map(|contract| contract.name.clone());
    if let (Some(path), Some(contract)) = (analysis.path(symbol.file), contract)
        && let Some((calls, min, mean, max)) = gas(&path, &contract, &symbol.name)
    {
        text.push_str(&format!(
            "\n\ngas in the last `assent test --gas-report`: {calls} calls, \
             min {min}, mean {mean}, max {max}"
        ));
    }
    text
}

/// `textDocument/completion`: what may be written at the cursor. On a text that does
/// not parse, names come from the last text that did, at the same place.
pub fn completion(analyses: &Analyses, params: &Value) -> Result<Value, Refusal> {
    let (latest, at) = target(analyses, params)?;
    let before = latest.text.get(..at as usize).unwrap_or_default();
    let uri = latest.uri.as_str();
    let (analysis, anchor) = match analyses.parsed(uri) {
        Some(parsed) if !latest.parsed => {
            // The place in the parsed text: where the two texts start to differ, if the
            // cursor is past that.
            let common = parsed
                .text
                .bytes()
                .zip(latest.text.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            (parsed, at.min(u32::try_from(common).unwrap_or(u32::MAX)))
        }
        _ => (latest, at),
    };
    let items: Vec<Value> = analysis
        .index
        .complete(FileId(0), before, anchor)
        .into_iter()
        .map(completion_item)
        .collect();
    Ok(json!({ "isIncomplete": false, "items": items }))
}

fn completion_item(completion: Completion) -> Value {
    // The protocol's CompletionItemKind numbers.
    let kind = match completion.kind {
        CompletionKind::Keyword => 14,
        CompletionKind::Module => 9,
        CompletionKind::Contract => 7,
        CompletionKind::Const => 21,
        CompletionKind::Enum => 13,
        CompletionKind::Variant => 20,
        CompletionKind::Record => 22,
        CompletionKind::Event => 23,
        CompletionKind::Field => 5,
        CompletionKind::State | CompletionKind::Param | CompletionKind::Local => 6,
        CompletionKind::Function => 3,
        CompletionKind::Type => 25,
    };
    let mut item = json!({
        "label": completion.label,
        "kind": kind,
        "detail": completion.detail,
    });
    if let Some(doc) = completion.doc
        && let Value::Object(map) = &mut item
    {
        map.insert(
            "documentation".into(),
            json!({ "kind": "markdown", "value": doc }),
        );
    }
    item
}

/// `textDocument/rename`: the edits renaming a local, parameter, state, item, field or
/// variant declared in this document, at every use in it. Names from `std` or from
/// another file, and new names that are not identifiers, are refused.
pub fn rename(analyses: &Analyses, params: &Value) -> Result<Value, Refusal> {
    let (analysis, at) = target(analyses, params)?;
    let new_name = params
        .get("newName")
        .and_then(Value::as_str)
        .ok_or((INVALID_PARAMS, "no `newName`".to_owned()))?;
    let index = &analysis.index;
    let Some(occurrence) = index.at(FileId(0), at) else {
        return Err((REQUEST_FAILED, "there is no name to rename here".to_owned()));
    };
    let Some(symbol) = index.symbol(occurrence.symbol) else {
        return Err((REQUEST_FAILED, "there is no name to rename here".to_owned()));
    };
    if symbol.file != FileId(0) {
        // Only `std` modules have no path.
        let origin = match analysis.path(symbol.file) {
            Some(path) => format!("`{}`", path.display()),
            None => "the standard library".to_owned(),
        };
        return Err((
            REQUEST_FAILED,
            format!(
                "`{}` is declared in {origin}: it cannot be renamed here",
                symbol.name
            ),
        ));
    }
    if symbol.kind == SymbolKind::Function && symbol.keyword == "init" {
        return Err((REQUEST_FAILED, "`init` cannot be renamed".to_owned()));
    }
    if !is_name(new_name) {
        return Err((
            INVALID_PARAMS,
            format!(
                "`{new_name}` is not a valid name: a name is a letter or `_` followed by letters, digits and `_`, and not a keyword"
            ),
        ));
    }
    let edits: Vec<Value> = index
        .references(occurrence.symbol)
        .into_iter()
        .filter(|o| o.file == FileId(0))
        .map(|o| {
            // `Grant { purpose }` keeps its meaning: `purpose: renamed` for the value,
            // `renamed: purpose` for the field.
            let text = match (o.shorthand, symbol.kind) {
                (false, _) => new_name.to_owned(),
                (true, SymbolKind::Field) => format!("{new_name}: {}", symbol.name),
                (true, _) => format!("{}: {new_name}", symbol.name),
            };
            json!({
                "range": range(&analysis.text, o.span.start as usize, o.span.end as usize),
                "newText": text,
            })
        })
        .collect();
    Ok(json!({ "changes": { analysis.uri.clone(): edits } }))
}

/// A name the lexer reads as an identifier, not a keyword.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !RESERVED.contains(&name)
        && !ITEM_KEYWORDS.contains(&name)
}
