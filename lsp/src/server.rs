//! The message loop: the initialize handshake, then each request answered and each
//! notification acted on in the order they arrive, until `shutdown` and `exit`.

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
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|error| error.to_string())?
                {
                    return Ok(());
                }
                let response = answer(&documents, &analyses, request);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(notification) => {
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
