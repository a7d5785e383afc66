//! The HTTP side: hyper's HTTP/1.1 server on tokio, one task per connection, with a bound
//! on connections overall and per client address, request headers that must arrive in
//! time, a body size limit and a body that must keep arriving at a minimum rate. Each
//! JSON-RPC request (or run of consecutive transaction sends in a batch) becomes a job for
//! the RPC worker threads; the async side only moves bytes, so a slow or broken client
//! holds one task and nothing else, and one client's idle or slow connections cannot keep
//! another client out. A GET or HEAD is answered
//! from the portal's embedded files, under the same connection limits.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue,
    REFERRER_POLICY, TRANSFER_ENCODING, X_CONTENT_TYPE_OPTIONS,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use super::methods::{Node, Worker};
use super::portal;
use super::rpc::{self, Body, RpcError};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The most connections served at once; more wait to be accepted.
pub const MAX_CONNECTIONS: usize = 512;
/// The most connections one client holds at once; more are answered 429 and closed at
/// once. A client is an IPv4 address, or an IPv6 /64 (what one host is usually given).
/// Well under [`MAX_CONNECTIONS`], so one client's connections, however slow, leave
/// room for others.
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 32;
/// Time a client has to send a request's headers, from the moment the connection is
/// ready for one: a new connection, or an idle kept-alive one, is closed after this long
/// without a complete request head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The slowest a request body may arrive, after [`BODY_GRACE`]: a client that falls
/// behind is answered 408 and cut off.
pub const MIN_BODY_RATE: u64 = 64 << 10;
/// Time a body may take before [`MIN_BODY_RATE`] applies (a small body's round trip).
pub const BODY_GRACE: Duration = Duration::from_secs(2);
/// The longest any body may take: [`BODY_GRACE`] plus [`MAX_BODY_BYTES`] at
/// [`MIN_BODY_RATE`] (16 s), rounded up.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);
/// Jobs waiting for a worker before the node answers "busy".
const QUEUE: usize = 4_096;

/// The methods whose consecutive requests in a batch are submitted as one run: a client's
/// transactions, and those another validator forwards.
const SEND: &str = "assent_sendRawTransaction";
const RELAY: &str = "assent_relayRawTransaction";

/// What a worker thread is asked to do.
enum Work {
    /// One method call.
    Call { method: String, params: Vec<Value> },
    /// The params of consecutive [`SEND`] (or [`RELAY`]) requests of one batch, submitted
    /// together and answered in order ([`Worker::send_raw_transactions`]): one hand-over
    /// to a worker and one wake-up of the block producer per run rather than per
    /// transaction.
    Sends { run: Vec<Vec<Value>>, relayed: bool },
}

impl Work {
    /// How many answers it gives.
    fn answers(&self) -> usize {
        match self {
            Work::Call { .. } => 1,
            Work::Sends { run, .. } => run.len(),
        }
    }

    fn method(&self) -> &str {
        match self {
            Work::Call { method, .. } => method,
            Work::Sends { relayed: false, .. } => SEND,
            Work::Sends { relayed: true, .. } => RELAY,
        }
    }
}

/// Work for a worker thread, and where its answers go (one per request, in order).
struct Job {
    work: Work,
    reply: oneshot::Sender<Vec<Result<Value, RpcError>>>,
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
                let mut entries = entries.into_iter().peekable();
                while let Some(entry) = entries.next() {
                    let Some(method) = send_method(&entry) else {
                        responses.extend(self.answer_one(entry).await);
                        continue;
                    };
                    let mut run = vec![entry];
                    while let Some(next) = entries.next_if(|next| send_method(next) == Some(method))
                    {
                        run.push(next);
                    }
                    let (ids, params): (Vec<_>, Vec<_>) = run
                        .into_iter()
                        .flatten()
                        .map(|request| (request.id, request.params))
                        .unzip();
                    let work = Work::Sends {
                        run: params,
                        relayed: method == RELAY,
                    };
                    let results = self.run(work).await;
                    for (id, result) in ids.into_iter().zip(results) {
                        responses.extend(id.map(|id| rpc::response(id, result)));
                    }
                }
                (!responses.is_empty()).then_some(Value::Array(responses))
            }
        }
    }

    async fn answer_one(&self, entry: rpc::Entry) -> Option<Value> {
        match entry {
            Err(invalid) => Some(rpc::response(invalid.id, Err(invalid.error))),
            Ok(request) => {
                let work = Work::Call {
                    method: request.method,
                    params: request.params,
                };
                let result = self
                    .run(work)
                    .await
                    .pop()
                    .unwrap_or_else(|| Err(RpcError::internal("the request was dropped")));
                request.id.map(|id| rpc::response(id, result))
            }
        }
    }

    /// Hands `work` to a worker thread; its answers, one per request, in order.
    async fn run(&self, work: Work) -> Vec<Result<Value, RpcError>> {
        let answers = work.answers();
        let all = |error: RpcError| vec![Err(error); answers];
        let (reply, answer) = oneshot::channel();
        match self.jobs.try_send(Job { work, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return all(RpcError::internal("the node is busy; retry shortly"));
            }
            Err(TrySendError::Disconnected(_)) => {
                return all(RpcError::internal("the node is stopping"));
            }
        }
        match answer.await {
            Ok(results) if results.len() == answers => results,
            _ => all(RpcError::internal("the request was dropped")),
        }
    }
}

/// [`SEND`] or [`RELAY`] when a batch entry is such a request (run with its neighbours
/// of the same method).
fn send_method(entry: &rpc::Entry) -> Option<&'static str> {
    match entry.as_ref().ok()?.method.as_str() {
        SEND => Some(SEND),
        RELAY => Some(RELAY),
        _ => None,
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
        let results = catch_unwind(AssertUnwindSafe(|| match &job.work {
            Work::Call { method, params } => vec![worker.dispatch(method, params)],
            Work::Sends { run, relayed } => worker.send_raw_transactions(run, *relayed),
        }))
        .unwrap_or_else(|_| {
            // A bug, not an input the node refuses: answer it and start afresh.
            worker = Worker::new(node.clone());
            let error = RpcError::internal(format!(
                "`{}` failed unexpectedly; please report it",
                job.work.method()
            ));
            vec![Err(error); job.work.answers()]
        });
        let _ = job.reply.send(results);
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
    let clients = Arc::new(Clients::default());
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
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait a little rather than spin.
                eprintln!("assent node: cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(client) = clients.admit(peer.ip()) else {
            // Over its share: say so if the socket takes it without waiting, and close.
            let _ = stream.try_write(TOO_MANY_CONNECTIONS.as_bytes());
            continue;
        };
        let _ = stream.set_nodelay(true);
        let dispatcher = dispatcher.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _client = client;
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

/// The answer to a connection over [`MAX_CONNECTIONS_PER_CLIENT`].
const TOO_MANY_CONNECTIONS: &str = "HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: 45\r\n\r\ntoo many connections from this client address\n";

/// Open connections per client.
#[derive(Default)]
struct Clients {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection of a client; released when dropped.
struct ClientSlot {
    clients: Arc<Clients>,
    client: IpAddr,
}

impl Clients {
    /// A slot for a new connection from `address`, unless its client is at its cap.
    fn admit(self: &Arc<Clients>, address: IpAddr) -> Option<ClientSlot> {
        let client = client_of(address);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= MAX_CONNECTIONS_PER_CLIENT {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: self.clone(),
            client,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// The client an address belongs to: an IPv4 address (an IPv4-mapped IPv6 address is
/// one), or the /64 network of an IPv6 address.
fn client_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

type Response = hyper::Response<Full<Bytes>>;

/// One HTTP request: a POST whose body is JSON-RPC, or a GET of a portal file.
async fn handle(request: hyper::Request<Incoming>, dispatcher: &Dispatcher) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return portal_file(&request);
    }
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
    let bytes = match read_body(request.into_body()).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
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

/// A portal file ([`portal::asset`]), or `404`. A GET never has its body read: one that
/// declares a body is answered and its connection closed.
fn portal_file(request: &hyper::Request<Incoming>) -> Response {
    let mut response = match portal::asset(request.uri().path()) {
        Some(asset) => {
            let mut response = hyper::Response::new(Full::new(Bytes::from_static(asset.bytes)));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            headers.insert(
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(portal::CONTENT_SECURITY_POLICY),
            );
            // The files change only with the binary; a browser asks again each time.
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => {
            let mut response = hyper::Response::new(Full::new(Bytes::from_static(
                b"not found: the node serves its portal at / and JSON-RPC on POST\n",
            )));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
    };
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let has_body = request.headers().contains_key(TRANSFER_ENCODING)
        || request
            .headers()
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    if has_body {
        return closing(response);
    }
    response
}

/// The body, if it arrives whole, within [`MAX_BODY_BYTES`] and fast enough: each part
/// must come before [`BODY_GRACE`] plus what has come so far at [`MIN_BODY_RATE`] has
/// passed since the body began, and all of it within [`BODY_TIMEOUT`].
async fn read_body(body: Incoming) -> Result<Vec<u8>, Response> {
    let started = tokio::time::Instant::now();
    let mut body = Limited::new(body, MAX_BODY_BYTES);
    let mut bytes = Vec::new();
    loop {
        let earned = Duration::from_millis(
            u64::try_from(bytes.len())
                .unwrap_or(u64::MAX)
                .saturating_mul(1_000)
                / MIN_BODY_RATE,
        );
        let deadline = started + (BODY_GRACE + earned).min(BODY_TIMEOUT);
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None) => return Ok(bytes),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    bytes.extend_from_slice(&data);
                }
            }
            Ok(Some(Err(error))) if error.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(closing(too_large()));
            }
            Ok(Some(Err(error))) => {
                return Err(closing(error_response(
                    StatusCode::BAD_REQUEST,
                    RpcError::invalid_request(format!("the body could not be read: {error}")),
                )));
            }
            Err(_) => {
                return Err(closing(error_response(
                    StatusCode::REQUEST_TIMEOUT,
                    RpcError::invalid_request(format!(
                        "the body arrived too slowly (at least {} KiB/s after {} s, all of it \
                         within {} s)",
                        MIN_BODY_RATE >> 10,
                        BODY_GRACE.as_secs(),
                        BODY_TIMEOUT.as_secs()
                    )),
                )));
            }
        }
    }
}

/// `response` with `connection: close`: the rest of the request was not read, so the
/// connection cannot serve another one.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
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
