//! ABCI's wire: varint-length-delimited protobuf `Request`s and `Response`s over TCP, one
//! thread per connection (CometBFT opens four), framed exactly as `tendermint-abci`'s own
//! server frames them. Its server is not used because its dispatcher unwraps a request
//! with no value, so one malformed message panicked a connection's thread. Here a
//! malformed request gets an `Exception` response naming what is wrong and the connection
//! goes on; a length over the limit is refused before anything is allocated, and then the
//! connection closes (the stream cannot be resynchronised).

use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use prost::Message;
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{Request, Response, ResponseException, request, response};

/// The largest request read: a `PrepareProposal` carries a block's transactions, and
/// CometBFT's default block is 21 MiB.
pub const MAX_REQUEST_BYTES: u64 = 64 << 20;

/// Serves `app` on `address` until accepting fails; `ready` gets the address bound (port
/// 0 picks a free one).
///
/// # Errors
/// The address cannot be bound, or accepting a connection fails.
pub fn serve<A: Application>(
    app: A,
    address: SocketAddr,
    ready: impl FnOnce(&str),
) -> Result<(), String> {
    let listener = TcpListener::bind(address)
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    let bound = listener
        .local_addr()
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    ready(&bound.to_string());
    loop {
        let (stream, _) = listener
            .accept()
            .map_err(|error| format!("the ABCI server stopped: {error}"))?;
        let app = app.clone();
        std::thread::Builder::new()
            .name("assent-abci".into())
            .spawn(move || connection(stream, &app))
            .map_err(|error| format!("the ABCI server stopped: {error}"))?;
    }
}

/// Answers one connection's requests in order until it closes or breaks.
fn connection<A: Application>(stream: TcpStream, app: &A) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = BufWriter::new(stream);
    loop {
        let length = match read_length(&mut reader) {
            Ok(Some(length)) => length,
            Ok(None) | Err(_) => return,
        };
        if length > MAX_REQUEST_BYTES {
            let _ = send(
                &mut writer,
                &exception(format!(
                    "a request of {length} bytes is over the limit of {MAX_REQUEST_BYTES}"
                )),
            );
            return;
        }
        // INVARIANT: at most MAX_REQUEST_BYTES, which fits a usize.
        let mut body = vec![0; usize::try_from(length).unwrap_or(0)];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let response = match Request::decode(body.as_slice()) {
            Ok(Request { value: Some(value) }) => dispatch(app, value),
            Ok(Request { value: None }) => exception("a request with no value".into()),
            Err(error) => exception(format!("an undecodable request: {error}")),
        };
        if send(&mut writer, &response).is_err() {
            return;
        }
    }
}

/// The varint length before a message; `None` at the end of the stream.
fn read_length(reader: &mut impl Read) -> std::io::Result<Option<u64>> {
    let mut length = 0u64;
    for (index, shift) in (0..64).step_by(7).enumerate() {
        let mut byte = [0u8];
        match reader.read_exact(&mut byte) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof && index == 0 => {
                return Ok(None);
            }
            Err(error) => return Err(error),
        }
        length |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(Some(length));
        }
    }
    Err(std::io::Error::new(
        ErrorKind::InvalidData,
        "a length prefix longer than ten bytes",
    ))
}

fn send(writer: &mut impl Write, response: &Response) -> std::io::Result<()> {
    writer.write_all(&response.encode_length_delimited_to_vec())?;
    writer.flush()
}

fn exception(error: String) -> Response {
    Response {
        value: Some(response::Value::Exception(ResponseException { error })),
    }
}

/// Each request to the application method that answers it.
fn dispatch<A: Application>(app: &A, value: request::Value) -> Response {
    use request::Value as Ask;
    use response::Value as Answer;
    let answer = match value {
        Ask::Echo(request) => Answer::Echo(app.echo(request)),
        Ask::Flush(_) => Answer::Flush(app.flush()),
        Ask::Info(request) => Answer::Info(app.info(request)),
        Ask::InitChain(request) => Answer::InitChain(app.init_chain(request)),
        Ask::Query(request) => Answer::Query(app.query(request)),
        Ask::CheckTx(request) => Answer::CheckTx(app.check_tx(request)),
        Ask::Commit(_) => Answer::Commit(app.commit()),
        Ask::ListSnapshots(_) => Answer::ListSnapshots(app.list_snapshots()),
        Ask::OfferSnapshot(request) => Answer::OfferSnapshot(app.offer_snapshot(request)),
        Ask::LoadSnapshotChunk(request) => {
            Answer::LoadSnapshotChunk(app.load_snapshot_chunk(request))
        }
        Ask::ApplySnapshotChunk(request) => {
            Answer::ApplySnapshotChunk(app.apply_snapshot_chunk(request))
        }
        Ask::PrepareProposal(request) => Answer::PrepareProposal(app.prepare_proposal(request)),
        Ask::ProcessProposal(request) => Answer::ProcessProposal(app.process_proposal(request)),
        Ask::ExtendVote(request) => Answer::ExtendVote(app.extend_vote(request)),
        Ask::VerifyVoteExtension(request) => {
            Answer::VerifyVoteExtension(app.verify_vote_extension(request))
        }
        Ask::FinalizeBlock(request) => Answer::FinalizeBlock(app.finalize_block(request)),
    };
    Response {
        value: Some(answer),
    }
}
