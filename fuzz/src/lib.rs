//! The bodies of Assent's fuzz targets, one public function per target.
//!
//! Each function takes the fuzzer's bytes and panics exactly when it finds a bug: a panic
//! inside the code under test, or a broken property (a round trip that does not return
//! what went in). The binaries in `targets/` hand them to AFL++ (`cargo afl build
//! --features afl`); `tests/corpus.rs` runs the same functions over the committed seeds
//! and every crash ever found (`regressions/<target>/`), so a finding becomes a
//! regression test under plain `cargo test`.
//!
//! | target | what it feeds | properties |
//! |---|---|---|
//! | [`parse`] | source text to the lexer and parser | no panic; diagnostics inside the text |
//! | [`check`] | source text to parse, check and the formatter | no panic; formatted text parses |
//! | [`rlp`] | bytes to the RLP decoder | no panic; what decodes re-encodes to the same bytes |
//! | [`tx`] | bytes to the signed-transaction decoder and sender recovery | no panic; what decodes re-encodes to the same bytes |
//! | [`codec`] | a type and bytes to the canonical value codec | no panic; decode → encode and value → JSON → value round trips |
//! | [`json`] | a type and JSON text to the JSON value reader | no panic; JSON → value → JSON → value and value → bytes → value round trips |
//! | [`admission`] | a method and `args` text to the node's admission check | no panic; hex parameters strict |

mod admission;
mod types;

pub use admission::admission;

use assent_lang::check::{FileLoader, check_source};
use assent_lang::span::FileId;
use assent_stdlib::codec;
use assent_stdlib::json::{HexOnly, from_json, to_json};
use assent_stdlib::value::{Type, Value};
use assent_ledger::rlp::{self, Item, Kind};
use assent_ledger::tx::{SignedTransaction, verify_raw};

/// A target's body: panics exactly when it finds a bug.
pub type Target = fn(&[u8]);

/// Every target by name (`run.sh` lists the same names; `tests/corpus.rs` checks it).
pub const TARGETS: &[(&str, Target)] = &[
    ("parse", parse),
    ("check", check),
    ("rlp", rlp),
    ("tx", tx),
    ("codec", codec),
    ("json", json),
    ("admission", admission),
];

/// Arbitrary text through the lexer and parser: no panic, no hang, no stack overflow,
/// every diagnostic inside the text.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (_, diagnostics) = assent_lang::syntax::parse(FileId(0), &text);
    for diagnostic in &diagnostics {
        assert!(text.get(diagnostic.primary.span.range()).is_some());
    }
}

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _path: &str) -> Result<String, String> {
        Err("no files while fuzzing".to_string())
    }
}

/// Arbitrary text through the whole front end (parse, resolve, type-check) and the
/// formatter: no panic, and what the formatter prints parses again without an error.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = check_source("fuzz.assent", &text, &NoFiles);
    if let Ok(formatted) = assent_lang::format::format_source(FileId(0), &text) {
        // `format_source` formats contract files and library modules alike, so what it
        // prints is read back as it read the input: as a library unit.
        let (_, diagnostics) = assent_lang::syntax::parse_library(FileId(0), &formatted);
        assert!(
            diagnostics
                .iter()
                .all(|diagnostic| diagnostic.code.is_warning()),
            "the formatted text does not parse: {:?}\n{formatted}",
            diagnostics
                .iter()
                .map(|diagnostic| (&diagnostic.message, diagnostic.primary.span.range()))
                .collect::<Vec<_>>()
        );
    }
}

/// How deep [`rlp`] follows nested lists. The decoder itself never recurses (it frames
/// one level at a time); the bound only keeps the harness's own re-encoding off the
/// stack's end.
const RLP_MAX_DEPTH: usize = 256;

/// Arbitrary bytes through the RLP decoder (LEDGER.md §1): no panic; an accepted input
/// is canonical, so re-encoding its items gives back exactly the input; the integer
/// readers agree with the integer writers.
pub fn rlp(data: &[u8]) {
    let Ok(item) = rlp::decode(data) else {
        return;
    };
    if let Some(encoded) = reencode(&item, 0) {
        assert_eq!(encoded, data, "an accepted RLP item re-encodes differently");
    }
}

/// The canonical encoding of `item` rebuilt from its parts; `None` when a nested item
/// does not decode (lists are framed lazily) or the nesting is deeper than the bound.
fn reencode(item: &Item<'_>, depth: usize) -> Option<Vec<u8>> {
    if depth > RLP_MAX_DEPTH {
        return None;
    }
    let mut out = Vec::new();
    match item.kind() {
        Kind::Bytes => {
            let bytes = item.bytes().ok()?;
            rlp::encode_bytes(&mut out, bytes);
            if let Ok(value) = item.u64() {
                let mut integer = Vec::new();
                rlp::encode_u64(&mut integer, value);
                assert_eq!(integer, item.raw(), "u64 {value} re-encodes differently");
            }
            if let Ok(value) = item.u256() {
                let mut integer = Vec::new();
                rlp::encode_uint(&mut integer, &value);
                assert_eq!(integer, item.raw(), "a u256 re-encodes differently");
            }
        }
        Kind::List => {
            let mut payload = Vec::new();
            for inner in item.list().ok()? {
                payload.extend(reencode(&inner.ok()?, depth + 1)?);
            }
            rlp::encode_list(&mut out, &payload);
        }
    }
    Some(out)
}

/// Arbitrary bytes as `assent_sendRawTransaction` receives them: decoding, the shape
/// rule and sender recovery never panic, and a transaction that decodes re-encodes to
/// exactly its bytes (one encoding per transaction, so one hash).
pub fn tx(data: &[u8]) {
    let signed = match SignedTransaction::decode(data) {
        Ok(signed) => signed,
        Err(error) => {
            let _ = (error.code(), error.to_string());
            return;
        }
    };
    let again = SignedTransaction::new(signed.tx().clone(), *signed.signature());
    assert_eq!(
        again.encoded(),
        data,
        "a decoded transaction re-encodes differently"
    );
    assert_eq!(again.hash(), signed.hash());
    let _ = signed.tx().check_shape();
    if let Err(error) = verify_raw(data, signed.tx().chain_id) {
        let _ = (error.code(), error.to_string());
    }
}

/// A type (see [`types`]) and bytes through the canonical value codec: no panic; what
/// decodes is canonical (encodes back to the same bytes, of the announced length), and
/// its JSON form reads back as the same value.
pub fn codec(data: &[u8]) {
    let (ty, bytes) = types::split(data);
    let Ok(value) = codec::decode(bytes, &ty) else {
        return;
    };
    assert_eq!(
        codec::encode(&value),
        bytes,
        "a decoded value re-encodes differently"
    );
    assert_eq!(codec::encoded_len(&value), bytes.len());
    json_round_trip(&value, &ty);
}

/// A type (see [`types`]) and JSON text through the JSON value reader, as arguments
/// and scenario values arrive: no panic; a value read encodes and decodes to itself,
/// and its JSON form reads back as the same value.
pub fn json(data: &[u8]) {
    let (ty, text) = types::split(data);
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(text) else {
        return;
    };
    let Ok(value) = from_json(&json, &ty, &HexOnly) else {
        return;
    };
    let bytes = codec::encode(&value);
    assert_eq!(codec::encoded_len(&value), bytes.len());
    assert_eq!(
        codec::decode(&bytes, &ty).as_ref(),
        Ok(&value),
        "a value read from JSON does not decode from its own encoding"
    );
    json_round_trip(&value, &ty);
}

/// `value`, written as JSON and read back, is `value`.
fn json_round_trip(value: &Value, ty: &Type) {
    let json = to_json(value, ty);
    match from_json(&json, ty, &HexOnly) {
        Ok(back) => assert_eq!(&back, value, "JSON {json} reads back as another value"),
        Err(error) => panic!("the JSON form {json} of a value is refused: {error}"),
    }
}
