//! The message loop: the initialize handshake, then each request answered and each
//! notification acted on in the order they arrive, until `shutdown` and `exit`.

use std::collections::VecDeque;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::{Value, json};

use crate::analysis::Analyses;
use crate::answers;
use crate::documents::Documents;
use crate::features;

/// Serves the protocol on stdin and stdout until the client says `exit`.
///
/// # Errors
/// The client broke the protocol (no `initialize` first, say) or stdio failed.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|error| error.to_string())
}

/// What the server can do, as `initialize` answers.
fn capabilities() -> Value {
    json!({
        // Full text on open and on every change.
        "textDocumentSync": { "openClose": true, "change": 1 },
        "documentSymbolProvider": true,
        "documentFormattingProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "hoverProvider": true,
        "completionProvider": { "triggerCharacters": ["."] },
        "renameProvider": true,
    })
}

/// Runs the handshake and the loop on `connection`.
///
/// # Errors
/// As [`run_stdio`].
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, _params) = connection
        .initialize_start()
        .map_err(|error| error.to_string())?;
    connection
        .initialize_finish(
            id,
            json!({
                "capabilities": capabilities(),
                "serverInfo": { "name": "assent", "version": env!("CARGO_PKG_VERSION") },
            }),
        )
        .map_err(|error| error.to_string())?;
    let mut documents = Documents::default();
    let mut analyses = Analyses::default();
    // Messages already received, in order: a change followed at once by another change of
    // the same document is superseded (full sync) and not checked, so a burst of typing
    // costs one check, and requests never wait behind checks of text already replaced.
    let mut pending: VecDeque<Message> = VecDeque::new();
    let mut shutting_down = false;
    loop {
        pending.extend(connection.receiver.try_iter());
        let message = match pending.pop_front() {
            Some(message) => message,
            None => match connection.receiver.recv() {
                Ok(message) => message,
                Err(_) => break,
            },
        };
        match message {
            Message::Request(request) => {
                // `shutdown` is answered here (not by `lsp-server`, which would wait for
                // `exit` on the channel, where it may already have been taken from).
                if request.method == "shutdown" {
                    shutting_down = true;
                    let response = Response::new_ok(request.id, Value::Null);
                    send(connection, Message::Response(response))?;
                    continue;
                }
                if shutting_down {
                    let response = Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".to_owned(),
                    );
                    send(connection, Message::Response(response))?;
                    continue;
                }
                let response = answer(&documents, &analyses, request);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    return Ok(());
                }
                if superseded(&notification, pending.front()) {
                    continue;
                }
                for (uri, diagnostics) in act(&mut documents, &mut analyses, notification) {
                    let publish = Notification::new(
                        "textDocument/publishDiagnostics".into(),
                        json!({ "uri": uri, "diagnostics": diagnostics }),
                    );
                    send(connection, Message::Notification(publish))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// A change whose text the next message, a change of the same document, replaces.
fn superseded(notification: &Notification, next: Option<&Message>) -> bool {
    let Some(Message::Notification(next)) = next else {
        return false;
    };
    notification.method == "textDocument/didChange"
        && next.method == "textDocument/didChange"
        && document_uri(&notification.params).is_some()
        && document_uri(&notification.params) == document_uri(&next.params)
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection
        .sender
        .send(message)
        .map_err(|_| "the client's connection is closed".to_owned())
}

/// The URI a request or notification is about.
fn document_uri(params: &Value) -> Option<&str> {
    params.get("textDocument")?.get("uri")?.as_str()
}

/// The answer to a request: a result, or an error saying why there is none.
fn answer(documents: &Documents, analyses: &Analyses, request: Request) -> Response {
    let params = &request.params;
    let about_position = match request.method.as_str() {
        "textDocument/definition" => Some(answers::definition(analyses, params)),
        "textDocument/references" => Some(answers::references(analyses, params)),
        "textDocument/hover" => Some(answers::hover(analyses, params)),
        "textDocument/completion" => Some(answers::completion(analyses, params)),
        "textDocument/rename" => Some(answers::rename(analyses, params)),
        _ => None,
    };
    if let Some(result) = about_position {
        return match result {
            Ok(value) => Response::new_ok(request.id, value),
            Err((code, message)) => Response::new_err(request.id, code, message),
        };
    }
    let text = document_uri(&request.params).and_then(|uri| documents.text(uri));
    let result = match (request.method.as_str(), text) {
        ("textDocument/documentSymbol", Some(text)) => Ok(features::symbols(text)),
        // A file that does not parse is not rewritten: no edits (the diagnostics say why).
        ("textDocument/formatting", Some(text)) => {
            Ok(features::formatting(text).unwrap_or(Value::Null))
        }
        ("textDocument/documentSymbol" | "textDocument/formatting", None) => Err((
            ErrorCode::InvalidParams,
            "the document is not open".to_owned(),
        )),
        (method, _) => Err((
            ErrorCode::MethodNotFound,
            format!("`{method}` is not supported"),
        )),
    };
    match result {
        Ok(value) => Response::new_ok(request.id, value),
        Err((code, message)) => Response::new_err(request.id, code as i32, message),
    }
}

/// Acts on a notification; the diagnostics to publish, if it changed a document.
fn act(
    documents: &mut Documents,
    analyses: &mut Analyses,
    notification: Notification,
) -> Vec<(String, Value)> {
    let params = &notification.params;
    let Some(uri) = document_uri(params).map(str::to_owned) else {
        return Vec::new();
    };
    match notification.method.as_str() {
        "textDocument/didOpen" => {
            let Some(text) = params
                .get("textDocument")
                .and_then(|document| document.get("text"))
                .and_then(Value::as_str)
            else {
                return Vec::new();
            };
            documents.open(&uri, text.to_owned());
        }
        "textDocument/didChange" => {
            // Full sync: the last change holds the whole text.
            let Some(text) = params
                .get("contentChanges")
                .and_then(Value::as_array)
                .and_then(|changes| changes.last())
                .and_then(|change| change.get("text"))
                .and_then(Value::as_str)
            else {
                return Vec::new();
            };
            documents.open(&uri, text.to_owned());
        }
        "textDocument/didClose" => {
            documents.close(&uri);
            analyses.forget(&uri);
            return vec![(uri, json!([]))];
        }
        _ => return Vec::new(),
    }
    let (published, analysis) = features::diagnostics(documents, &uri);
    if let Some(analysis) = analysis {
        analyses.store(analysis);
    }
    published
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_server::RequestId;

    /// Messages sent before the server reads any: the three changes in a row are checked
    /// once, for the last text.
    #[test]
    fn a_burst_of_changes_is_checked_once() {
        let (server, client) = Connection::memory();
        let uri = "file:///burst.assent";
        let notify = |method: &str, params: Value| {
            let message = Notification::new(method.to_owned(), params);
            client.sender.send(Message::Notification(message)).ok();
        };
        let request = |id: i32, method: &str, params: Value| {
            let message = Request::new(RequestId::from(id), method.to_owned(), params);
            client.sender.send(Message::Request(message)).ok();
        };
        request(1, "initialize", json!({"capabilities": {}}));
        notify("initialized", json!({}));
        let open = json!({"uri": uri, "languageId": "assent", "version": 1, "text": "contract A;"});
        notify("textDocument/didOpen", json!({"textDocument": open}));
        for (version, text) in [(2, "contract"), (3, "contract B"), (4, "contract C;")] {
            notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"text": text}]}),
            );
        }
        request(2, "shutdown", Value::Null);
        notify("exit", Value::Null);
        assert_eq!(serve(&server), Ok(()));
        let published: Vec<Value> = client
            .receiver
            .try_iter()
            .filter_map(|message| match message {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    Some(n.params["diagnostics"].clone())
                }
                _ => None,
            })
            .collect();
        // Once on open, once for the last change: both clean.
        assert_eq!(published, vec![json!([]), json!([])]);
    }
}
