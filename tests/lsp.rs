//! `assent lsp` driven over its stdio transport as an editor drives it: one case per file
//! of `tests/lsp/` — initialize, open the file, then its diagnostics, symbols and
//! formatting edits, a change that breaks it and one that fixes it, shutdown and exit —
//! snapshotted with the input (`tests/snapshots/lsp__*.snap`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

/// A running `assent lsp` and the messages it sent that were not answers.
struct Server {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: i64,
    notifications: Vec<Value>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_assent"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Server {
            child,
            input,
            output,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    fn write(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut length = None;
        loop {
            let mut line = String::new();
            self.output.read_line(&mut line).unwrap();
            assert!(!line.is_empty(), "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = Some(value.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.unwrap()];
        self.output.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// Sends a request and returns its answer (`result` or `error`); notifications that
    /// arrive meanwhile are kept.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.read();
            if message.get("id") == Some(&json!(id)) {
                return message
                    .get("result")
                    .or_else(|| message.get("error"))
                    .cloned()
                    .unwrap_or(Value::Null);
            }
            self.notifications.push(message);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next `publishDiagnostics` for `uri`, its diagnostics.
    fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let position = self.notifications.iter().position(|message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
            });
            if let Some(position) = position {
                return self.notifications.remove(position)["params"]["diagnostics"].clone();
            }
            let message = self.read();
            self.notifications.push(message);
        }
    }

    fn stop(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "assent lsp exited with {status}");
    }
}

/// What an editor sees for one file, as a snapshot.
fn session(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let uri = format!("file://{}", path.display());
    let mut server = Server::start();
    let initialized = server.request("initialize", json!({"capabilities": {}}));
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "assent", "version": 1, "text": text}}),
    );
    let opened = server.diagnostics(&uri);
    let document = json!({"textDocument": {"uri": uri}});
    let symbols = server.request("textDocument/documentSymbol", document.clone());
    let formatting = server.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    // Half-typed: the text cut in the middle, then restored.
    let half = &text[..text.len() / 2];
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": half}]}),
    );
    let half_typed = server.diagnostics(&uri);
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let restored = server.diagnostics(&uri);
    let unknown = server.request("textDocument/hover", document);
    server.stop();

    let shown = json!({
        "capabilities": initialized["capabilities"],
        "diagnostics on open": opened,
        "symbols": symbols,
        "formatting": formatting,
        "diagnostics of the first half": half_typed,
        "diagnostics once restored": restored,
        "an unsupported request": unknown,
    });
    format!(
        "{text}\n----\n{}",
        serde_json::to_string_pretty(&compact_ranges(shown))
            .unwrap()
            .replace(&uri, "file://<case>")
    )
}

/// Ranges written `line:character-line:character` (the protocol's 0-based numbers), so
/// the snapshot reads as a list of findings rather than of braces.
fn compact_ranges(value: Value) -> Value {
    let position = |position: &Value| {
        Some(format!(
            "{}:{}",
            position.get("line")?.as_u64()?,
            position.get("character")?.as_u64()?
        ))
    };
    match value {
        Value::Object(map) => {
            if let (Some(start), Some(end), 2) = (map.get("start"), map.get("end"), map.len())
                && let (Some(start), Some(end)) = (position(start), position(end))
            {
                return Value::String(format!("{start}-{end}"));
            }
            Value::Object(
                map.into_iter()
                    .map(|(key, value)| (key, compact_ranges(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(compact_ranges).collect()),
        other => other,
    }
}

#[test]
fn every_case_gives_the_editor_what_assent_check_gives() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "assent"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, session(&case));
    }
}
