//! `assent lsp` driven over its stdio transport as an editor drives it: one case per file
//! of `tests/lsp/` — initialize, open the file, then its diagnostics, symbols and
//! formatting edits, a change that breaks it and one that fixes it, then the requests its
//! `.requests` file lists (hover, definition, references, completion — after typing some
//! text, if given — and rename), shutdown and exit — snapshotted with the input
//! (`tests/snapshots/lsp__*.snap`). A `.requests` file without an `.assent` of its name
//! names its contract with a `file:` line (`contracts/claims.assent`).
//!
//! A request line is `method line:character [argument]`, the position counted as the
//! protocol counts it (from 0): `hover 24:4`, `completion 25:20 "grants[caller]."` (the
//! text is typed at the position first, the completion asked after it, then the text
//! restored), `rename 24:4 new_name`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
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
            // `std` sources are copied here for definitions into them; gas hovers read
            // the fixture table rather than whatever `assent test --gas-report` ran last.
            .env("XDG_CACHE_HOME", cache_dir())
            .env(
                "ASSENT_GAS_REPORT",
                repo().join("tests/lsp/gas-report.json"),
            )
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

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-cache")
}

/// One case: the contract, and the requests to make about positions in it.
struct Case {
    name: String,
    source: PathBuf,
    requests: Vec<String>,
}

/// The cases of `tests/lsp/`, by name.
fn cases() -> Vec<Case> {
    let dir = repo().join("tests/lsp");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    let mut cases = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let extension = path.extension().unwrap_or_default();
        let requests_path = dir.join(format!("{name}.requests"));
        let lines = std::fs::read_to_string(&requests_path).unwrap_or_default();
        let mut source = None;
        let mut requests = Vec::new();
        for line in lines.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.strip_prefix("file: ") {
                Some(file) => source = Some(dir.join(file)),
                None => requests.push(line.to_owned()),
            }
        }
        let source = if extension == "assent" {
            path.clone()
        } else if extension == "requests" && !dir.join(format!("{name}.assent")).exists() {
            source.unwrap_or_else(|| panic!("{}: no `file:` line", path.display()))
        } else {
            continue;
        };
        cases.push(Case {
            name,
            source,
            requests,
        });
    }
    assert!(!cases.is_empty());
    cases
}

/// The identifier (or character) at byte `offset` of `text`, for the snapshot's headings.
fn word_at(text: &str, offset: usize) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let before = text[..offset]
        .chars()
        .rev()
        .take_while(|c| is_word(*c))
        .count();
    let after = text[offset..].chars().take_while(|c| is_word(*c)).count();
    text[offset - before..offset + after].to_owned()
}

/// The byte offset of a protocol position (ASCII sources: characters are bytes).
fn offset_of(text: &str, line: usize, character: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + character
}

/// Makes one request of a `.requests` file: its heading and its answer.
fn make_request(server: &mut Server, uri: &str, text: &str, request: &str) -> (String, Value) {
    let mut parts = request.splitn(3, ' ');
    let method = parts.next().unwrap();
    let (line, character) = parts.next().unwrap().split_once(':').unwrap();
    let (line, character): (usize, usize) = (line.parse().unwrap(), character.parse().unwrap());
    let argument = parts.next().map(str::trim);
    let position = json!({"line": line, "character": character});
    let document = json!({"uri": uri});
    let heading = format!(
        "{request}  at `{}`",
        word_at(text, offset_of(text, line, character))
    );
    let answer = match method {
        "hover" | "definition" => server.request(
            &format!("textDocument/{method}"),
            json!({"textDocument": document, "position": position}),
        ),
        "references" => server.request(
            "textDocument/references",
            json!({"textDocument": document, "position": position,
                   "context": {"includeDeclaration": true}}),
        ),
        "rename" => server.request(
            "textDocument/rename",
            json!({"textDocument": document, "position": position,
                   "newName": argument.unwrap()}),
        ),
        "completion" => {
            let Some(typed) = argument else {
                let answer = server.request(
                    "textDocument/completion",
                    json!({"textDocument": document, "position": position}),
                );
                return (heading, compact_completions(answer));
            };
            let typed: String = serde_json::from_str(typed).unwrap();
            let at = offset_of(text, line, character);
            let changed = format!("{}{typed}{}", &text[..at], &text[at..]);
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": 10},
                       "contentChanges": [{"text": changed}]}),
            );
            server.diagnostics(uri);
            let typed_end = &changed[..at + typed.len()];
            let end = json!({
                "line": typed_end.matches('\n').count(),
                "character": typed_end.len() - typed_end.rfind('\n').map_or(0, |i| i + 1),
            });
            let answer = server.request(
                "textDocument/completion",
                json!({"textDocument": document, "position": end}),
            );
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": 11},
                       "contentChanges": [{"text": text}]}),
            );
            server.diagnostics(uri);
            let before = changed[..at + typed.len()]
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start();
            return (
                format!("{heading}, after typing: {before}"),
                compact_completions(answer),
            );
        }
        other => panic!("unknown request `{other}`"),
    };
    (heading, answer)
}

/// Completion items as `label (kind): detail` lines.
fn compact_completions(answer: Value) -> Value {
    let Some(items) = answer.get("items").and_then(Value::as_array) else {
        return answer;
    };
    Value::Array(
        items
            .iter()
            .map(|item| {
                let documented = if item.get("documentation").is_some() {
                    " [documented]"
                } else {
                    ""
                };
                Value::String(format!(
                    "{} ({}): {}{documented}",
                    item["label"].as_str().unwrap(),
                    item["kind"],
                    item["detail"].as_str().unwrap_or_default()
                ))
            })
            .collect(),
    )
}

/// What an editor sees for one case, as a snapshot.
fn session(case: &Case) -> String {
    let path = &case.source;
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
    let unknown = server.request("textDocument/codeLens", document);
    let answers: Vec<(String, Value)> = case
        .requests
        .iter()
        .map(|request| make_request(&mut server, &uri, &text, request))
        .collect();
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
    let mut out = format!(
        "{text}\n----\n{}",
        serde_json::to_string_pretty(&compact_ranges(shown)).unwrap()
    );
    for (heading, answer) in answers {
        out.push_str(&format!(
            "\n---- {heading}\n{}",
            serde_json::to_string_pretty(&compact_ranges(answer)).unwrap()
        ));
    }
    let std_dir = cache_dir().join(format!("assent/std-{}", env!("CARGO_PKG_VERSION")));
    out.replace(&uri, "file://<case>")
        .replace(&std_dir.display().to_string(), "<std>")
        .replace(&repo().display().to_string(), "<repo>")
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
    for case in cases() {
        insta::assert_snapshot!(case.name.clone(), session(&case));
    }
}

/// Half-typed code: every sample contract cut at many points, and at positions all over
/// each cut, hover, definition, references and completion always get an answer (a
/// result or an error), and the server stays up to the end.
#[test]
fn every_truncation_of_every_sample_gets_an_answer() {
    let mut samples: Vec<PathBuf> = std::fs::read_dir(repo().join("contracts"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "assent"))
        .collect();
    samples.sort();
    assert!(!samples.is_empty());
    for path in samples {
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = format!("file://{}", path.display());
        let mut server = Server::start();
        server.request("initialize", json!({"capabilities": {}}));
        server.notify("initialized", json!({}));
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "assent", "version": 1, "text": text}}),
        );
        server.diagnostics(&uri);
        // About 60 cuts per file, each asked at about 12 places.
        let step = (text.len() / 60).max(1);
        let mut version = 1;
        for cut in (0..=text.len()).step_by(step) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let prefix = &text[..cut];
            version += 1;
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"text": prefix}]}),
            );
            server.diagnostics(&uri);
            let lines = prefix.lines().count().max(1);
            for probe in 0..12 {
                let line = probe * lines / 12;
                let character = (probe * 7) % 40;
                let position = json!({"line": line, "character": character});
                for method in ["hover", "definition", "references", "completion"] {
                    let answer = server.request(
                        &format!("textDocument/{method}"),
                        json!({"textDocument": {"uri": uri}, "position": position,
                               "context": {"includeDeclaration": true}}),
                    );
                    assert!(
                        answer.get("code").is_none(),
                        "{method} at {position} of {} cut at {cut}: {answer}",
                        path.display()
                    );
                }
            }
        }
        server.stop();
    }
}

/// `assent test --gas-report` leaves the table it prints in `.assent/gas-report.json` of
/// the directory it ran in, for hovers: the same rows and figures.
#[test]
fn the_gas_report_is_cached_for_hovers() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gas-run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = repo().join("contracts/patient_consent.scenario.json");
    let output = Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(["test", "--gas-report"])
        .arg(&scenario)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let cached: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".assent/gas-report.json")).unwrap(),
    )
    .unwrap();
    let cached = cached.as_object().unwrap();
    assert!(!cached.is_empty());
    // Each printed row `  Contract.entry  calls  min  mean  max` is a cached row.
    let rows: Vec<Vec<&str>> = printed
        .lines()
        .skip_while(|line| *line != "gas report")
        .skip(2)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|cells| cells.len() == 5)
        .collect();
    assert_eq!(rows.len(), cached.len(), "{printed}");
    for cells in rows {
        let row = &cached[cells[0]];
        let figures = ["calls", "min", "mean", "max"].map(|key| row[key].to_string());
        assert_eq!(figures.as_slice(), &cells[1..], "{}", cells[0]);
    }
}
