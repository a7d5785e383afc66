//! The HTTP side: hyper's HTTP/1.1 server on tokio, one task per connection, with a bound
//! on connections, request headers that must arrive in time, a body size limit and a body
//! timeout. Each JSON-RPC request becomes a job for the RPC worker threads; the async side
//! only moves bytes, so a slow or broken client holds one task and nothing else.

use std::convert::Infallible;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use super::methods::{Node, Worker};
use super::rpc::{self, Body, RpcError};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The most connections served at once; more wait to be accepted.
pub const MAX_CONNECTIONS: usize = 512;
/// Time a client has to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Jobs waiting for a worker before the node answers "busy".
const QUEUE: usize = 4_096;

/// One method call for a worker thread.
struct Job {
    method: String,
    params: Vec<Value>,
    reply: oneshot::Sender<Result<Value, RpcError>>,
}

/// Hands JSON-RPC requests to the worker threads.
pub struct Dispatcher {
    jobs: SyncSender<Job>,
}

impl Dispatcher {
    /// Starts `workers` RPC worker threads over `node`.
    ///
    /// # Errors
    /// A thread cannot be started.
    pub fn start(node: &Arc<Node>, workers: usize) -> std::io::Result<Dispatcher> {
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..workers.max(1) {
            let queue = queue.clone();
            let node = node.clone();
            std::thread::Builder::new()
                .name(format!("assent-rpc-{index}"))
                // Views run the VM, whose guest stack is bounded; this is the host's.
                .stack_size(16 << 20)
                .spawn(move || work(&node, &queue))?;
        }
        Ok(Dispatcher { jobs })
    }

    /// The response to a request body; `None` when it held notifications only.
    pub async fn answer(&self, body: &[u8]) -> Option<Value> {
        match rpc::parse_body(body) {
            Err(error) => Some(rpc::response(Value::Null, Err(error))),
            Ok(Body::Single(entry)) => self.answer_one(entry).await,
            Ok(Body::Batch(entries)) => {
                let mut responses = Vec::new();
                for entry in entries {
                    responses.extend(self.answer_one(entry).await);
                }
                (!responses.is_empty()).then_some(Value::Array(responses))
            }
        }
    }

    async fn answer_one(&self, entry: rpc::Entry) -> Option<Value> {
        match entry {
            Err(invalid) => Some(rpc::response(invalid.id, Err(invalid.error))),
            Ok(request) => {
                let result = self.run(request.method, request.params).await;
                request.id.map(|id| rpc::response(id, result))
            }
        }
    }

    async fn run(&self, method: String, params: Vec<Value>) -> Result<Value, RpcError> {
        let (reply, answer) = oneshot::channel();
        match self.jobs.try_send(Job {
            method,
            params,
            reply,
        }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(RpcError::internal("the node is busy; retry shortly"));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(RpcError::internal("the node is stopping"));
            }
        }
        answer
            .await
            .unwrap_or_else(|_| Err(RpcError::internal("the request was dropped")))
    }
}

/// A worker thread: takes jobs until the dispatcher is dropped.
fn work(node: &Arc<Node>, queue: &Mutex<Receiver<Job>>) {
    let mut worker = Worker::new(node.clone());
    loop {
        let job = {
            let queue = queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            queue.recv()
        };
        let Ok(job) = job else { break };
        let result = catch_unwind(AssertUnwindSafe(|| {
            worker.dispatch(&job.method, &job.params)
        }))
        .unwrap_or_else(|_| {
            // A bug, not an input the node refuses: answer it and start afresh.
            worker = Worker::new(node.clone());
            Err(RpcError::internal(format!(
                "`{}` failed unexpectedly; please report it",
                job.method
            )))
        });
        let _ = job.reply.send(result);
    }
}

/// Serves until `shutdown` completes; then stops accepting (connections under way are
/// dropped with the runtime).
pub async fn serve(
    listener: TcpListener,
    dispatcher: Arc<Dispatcher>,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, say: wait a little rather than spin.
                eprintln!("assent node: cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let dispatcher = dispatcher.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = service_fn(move |request| {
                let dispatcher = dispatcher.clone();
                async move { Ok::<_, Infallible>(handle(request, &dispatcher).await) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(64 << 10)
                // A client that sends its request and shuts its side still gets the answer.
                .half_close(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Response = hyper::Response<Full<Bytes>>;

/// One HTTP request: a POST whose body is JSON-RPC.
async fn handle(request: hyper::Request<Incoming>, dispatcher: &Dispatcher) -> Response {
    if request.method() != Method::POST {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            RpcError::invalid_request("send JSON-RPC requests with POST"),
        );
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let body = Limited::new(request.into_body(), MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, body.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large();
        }
        Ok(Err(error)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                RpcError::invalid_request(format!("the body could not be read: {error}")),
            );
        }
        Err(_) => {
            return error_response(
                StatusCode::REQUEST_TIMEOUT,
                RpcError::invalid_request(format!(
                    "the body did not arrive within {} s",
                    BODY_TIMEOUT.as_secs()
                )),
            );
        }
    };
    match dispatcher.answer(&bytes).await {
        Some(answer) => json_response(StatusCode::OK, &answer),
        None => {
            let mut response = hyper::Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
    }
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        RpcError::invalid_request(format!("the body is over {} bytes", MAX_BODY_BYTES)),
    )
}

fn error_response(status: StatusCode, error: RpcError) -> Response {
    json_response(status, &rpc::response(Value::Null, Err(error)))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_vec(body).unwrap_or_default();
    let mut response = hyper::Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
