//! JSON-RPC 2.0 over the wire (LEDGER.md §6): request envelopes, batches, responses, and
//! the error object with its stable codes.

use assent_ledger::tx::TxError;
use serde_json::{Map, Value, json};

/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 256;

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

/// -32700: the body is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// -32600: JSON, but not a request.
pub const INVALID_REQUEST: i64 = -32600;
/// -32601
pub const METHOD_NOT_FOUND: i64 = -32601;
/// -32602
pub const INVALID_PARAMS: i64 = -32602;
/// -32603: a fault of the node itself (storage, a stopped block producer).
pub const INTERNAL_ERROR: i64 = -32603;
/// -32000: `assent_call` ran the view or policy and it aborted or ran out of gas.
pub const VIEW_FAILED: i64 = -32000;
/// 1011: the node is at capacity (its mempool is full, overall or for the sender, or the
/// block producer did not get to the transaction in time); the transaction was not
/// admitted, and may be sent again later.
pub const AT_CAPACITY: i64 = 1011;

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn parse(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(
            PARSE_ERROR,
            format!("parse error: the body is not JSON ({detail})"),
        )
    }

    pub fn invalid_request(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(INVALID_REQUEST, format!("invalid request: {detail}"))
    }

    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(
            METHOD_NOT_FOUND,
            format!(
                "unknown method `{method}`; the methods are {}",
                super::methods::METHODS.join(", ")
            ),
        )
    }

    pub fn invalid_params(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(INVALID_PARAMS, format!("invalid params: {detail}"))
    }

    pub fn internal(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(INTERNAL_ERROR, format!("node fault: {detail}"))
    }

    /// A refused transaction: its code of 1001–1010 and the rule's message.
    pub fn refused(error: &TxError) -> RpcError {
        RpcError::new(error.code(), error.to_string())
    }

    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }

    fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("code".into(), json!(self.code));
        object.insert("message".into(), json!(self.message));
        if let Some(data) = &self.data {
            object.insert("data".into(), data.clone());
        }
        Value::Object(object)
    }
}

/// One well-formed request.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// `None` for a notification (no `id` member): it gets no response.
    pub id: Option<Value>,
    pub method: String,
    /// Always an array: positional params as given; by-name params as a one-element
    /// array holding the object (every method whose params are named takes one object).
    pub params: Vec<Value>,
}

/// An entry that is not a request, and the id to answer it with (`null` if unreadable).
#[derive(Debug)]
pub struct Invalid {
    pub id: Value,
    pub error: RpcError,
}

/// One entry of a body: a request, or the error that answers it at once.
pub type Entry = Result<Request, Box<Invalid>>;

/// What a body holds: one request or a batch.
#[derive(Debug)]
pub enum Body {
    Single(Entry),
    Batch(Vec<Entry>),
}

/// Parses a request body.
///
/// # Errors
/// The error response for a body that is not JSON or an empty batch.
pub fn parse_body(bytes: &[u8]) -> Result<Body, RpcError> {
    let value: Value = serde_json::from_slice(bytes).map_err(RpcError::parse)?;
    match value {
        Value::Array(entries) if entries.is_empty() => {
            Err(RpcError::invalid_request("an empty batch"))
        }
        Value::Array(entries) if entries.len() > MAX_BATCH => Err(RpcError::invalid_request(
            format!("a batch holds at most {MAX_BATCH} requests"),
        )),
        Value::Array(entries) => Ok(Body::Batch(entries.into_iter().map(request).collect())),
        other => Ok(Body::Single(request(other))),
    }
}

/// Reads one request object; on failure the id to answer with (if it could be read).
fn request(value: Value) -> Entry {
    let invalid = |id: Value, message: &str| {
        Box::new(Invalid {
            id,
            error: RpcError::invalid_request(message),
        })
    };
    let Value::Object(mut object) = value else {
        return Err(invalid(Value::Null, "a request is a JSON object"));
    };
    let id = match object.remove("id") {
        None => None,
        Some(id @ (Value::Null | Value::Number(_) | Value::String(_))) => Some(id),
        Some(_) => {
            return Err(invalid(
                Value::Null,
                "`id` must be a number, a string or null",
            ));
        }
    };
    let answer_id = id.clone().unwrap_or(Value::Null);
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(invalid(answer_id, "`jsonrpc` must be \"2.0\""));
    }
    let method = match object.remove("method") {
        Some(Value::String(method)) => method,
        _ => {
            return Err(invalid(answer_id, "`method` must be a string"));
        }
    };
    let params = match object.remove("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(params)) => params,
        Some(object @ Value::Object(_)) => vec![object],
        Some(_) => {
            return Err(invalid(answer_id, "`params` must be an array or an object"));
        }
    };
    Ok(Request { id, method, params })
}

/// A response object.
pub fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(text: &str) -> Entry {
        match parse_body(text.as_bytes()) {
            Ok(Body::Single(request)) => request,
            other => panic!("not a single request: {other:?}"),
        }
    }

    #[test]
    fn envelopes_are_checked() {
        let cases: &[(&str, Option<i64>)] = &[
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"assent_chainId"}"#,
                None,
            ),
            (
                r#"{"jsonrpc":"1.0","id":1,"method":"assent_chainId"}"#,
                Some(INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":7}"#,
                Some(INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#,
                Some(INVALID_REQUEST),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#,
                Some(INVALID_REQUEST),
            ),
            ("17", Some(INVALID_REQUEST)),
        ];
        for (text, code) in cases {
            let got = single(text).err().map(|invalid| invalid.error.code);
            assert_eq!(got, *code, "{text}");
        }
        assert_eq!(
            parse_body(b"{").err().map(|error| error.code),
            Some(PARSE_ERROR)
        );
        assert_eq!(
            parse_body(b"[]").err().map(|error| error.code),
            Some(INVALID_REQUEST)
        );
    }

    #[test]
    fn named_params_become_one_object() {
        let request =
            single(r#"{"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}}"#).unwrap();
        assert_eq!(request.params, vec![json!({"x": 1})]);
        assert_eq!(request.id, Some(json!("a")));
        let notification = single(r#"{"jsonrpc":"2.0","method":"m"}"#).unwrap();
        assert_eq!(notification.id, None);
    }
}
