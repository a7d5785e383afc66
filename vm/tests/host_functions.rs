//! Every host function, through hand-written modules, with exact expected values; the
//! gas of every case is in one snapshot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use assent_stdlib::abi::{HOST_FUNCTIONS, HostFn};
use assent_stdlib::json::hex;
use assent_vm::keccak256;
use common::{ALICE, BOB, CONTRACT, run, trace, wat_bytes};
use k256::ecdsa::SigningKey;

/// A case: name, entry kind, result type id, the module's fields, the expected trace's
/// first line (the outcome).
struct Case {
    name: &'static str,
    kind: &'static str,
    returns: Option<u32>,
    fields: String,
    expected: String,
}

fn case(
    name: &'static str,
    returns: Option<u32>,
    fields: impl Into<String>,
    expected: impl Into<String>,
) -> Case {
    Case {
        name,
        kind: "action",
        returns,
        fields: fields.into(),
        expected: expected.into(),
    }
}

/// `run` returning one `i64` computed by `body`, with `data` at offset 0.
fn returning(data: &str, body: &str) -> String {
    format!("  (data (i32.const 0) {data})\n  (func (export \"run\") (result i64)\n    {body})")
}

/// A constant of type `ty` from `len` bytes at `ptr`.
fn constant(ty: u32, ptr: u32, len: u32) -> String {
    format!("(call $val_const (i32.const {ty}) (i32.const {ptr}) (i32.const {len}))")
}

/// Stores `value` (an i64 expression) in slot `index` of the slot area at 1024.
fn slot(index: u32, value: &str) -> String {
    format!("(i64.store (i32.const {}) {value})", 1024 + 8 * index)
}

fn address(bytes: &[u8; 20]) -> String {
    hex(bytes)
}

fn signature_cases() -> Vec<Case> {
    let key = SigningKey::from_slice(keccak256(b"assent dev account:alice").as_bytes()).unwrap();
    let signer = {
        let point = key.verifying_key().to_encoded_point(false);
        let hash = keccak256(&point.as_bytes()[1..]);
        let mut address = [0u8; 20];
        address.copy_from_slice(&hash.0[12..]);
        address
    };
    let digest = keccak256(b"consent to share Lab results").0;
    let (signature, recovery) = key.sign_prehash_recoverable(&digest).unwrap();
    let mut low = signature.to_bytes().to_vec();
    low.push(recovery.to_byte() + 27);
    // The same signature with s replaced by n - s: valid mathematically, refused.
    let high = {
        let (r, s) = signature.split_scalars();
        let flipped = k256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        let mut bytes = flipped.to_bytes().to_vec();
        bytes.push(recovery.to_byte() ^ 1);
        bytes
    };
    let mut bad_v = low.clone();
    bad_v[64] = 5;
    let recover = |sig: &[u8]| {
        let mut data = digest.to_vec();
        data.extend_from_slice(sig);
        returning(
            &wat_bytes(&data),
            &format!(
                "(call $recover {} {})",
                constant(7, 0, 32),
                constant(8, 32, 65)
            ),
        )
    };
    vec![
        case(
            "recover: wallet signature, v = 27/28",
            Some(18),
            recover(&low),
            format!("ok some({})", hex(&signer)),
        ),
        case(
            "recover: high-s signature is none",
            Some(18),
            recover(&high),
            "ok none",
        ),
        case(
            "recover: v = 5 is none",
            Some(18),
            recover(&bad_v),
            "ok none",
        ),
    ]
}

fn cases() -> Vec<Case> {
    let hello = "\"hello\"";
    let mut cases = vec![
        // ---- context ----
        case(
            "now",
            Some(4),
            returning("\"\"", "(call $now)"),
            "ok @1767225600",
        ),
        case(
            "block_height",
            Some(1),
            returning("\"\"", "(call $block_height)"),
            "ok 42",
        ),
        case(
            "caller",
            Some(6),
            returning("\"\"", "(call $caller)"),
            format!("ok {}", address(ALICE.as_bytes())),
        ),
        case(
            "origin",
            Some(6),
            returning("\"\"", "(call $origin)"),
            format!("ok {}", address(ALICE.as_bytes())),
        ),
        case(
            "self_address",
            Some(6),
            returning("\"\"", "(call $self_address)"),
            format!("ok {}", address(CONTRACT.as_bytes())),
        ),
        // ---- constants and generic operations ----
        case(
            "val_const: String",
            Some(9),
            returning(hello, &constant(9, 0, 5)),
            "ok \"hello\"",
        ),
        case(
            "val_const: Bytes",
            Some(8),
            returning("\"\\de\\ad\"", &constant(8, 0, 2)),
            "ok 0xdead",
        ),
        case(
            "val_const: Hash",
            Some(7),
            returning(&wat_bytes(&[0x11; 32]), &constant(7, 0, 32)),
            format!("ok 0x{}", "11".repeat(32)),
        ),
        case(
            "val_const: an Address must have 20 bytes",
            Some(6),
            returning("\"abc\"", &constant(6, 0, 3)),
            "aborted \"an Address constant has 3 bytes, not 20\"",
        ),
        case(
            "val_const: a String must be UTF-8",
            Some(9),
            returning("\"\\ff\"", &constant(9, 0, 1)),
            "aborted \"a String constant is not UTF-8\"",
        ),
        case(
            "val_const: Int has no constant form",
            Some(1),
            returning("\"\"", &constant(1, 0, 0)),
            "aborted \"`Int` has no constant form\"",
        ),
        case(
            "val_copy",
            Some(9),
            returning(hello, &format!("(call $val_copy {})", constant(9, 0, 5))),
            "ok \"hello\"",
        ),
        case(
            "val_eq: equal strings",
            Some(0),
            returning(
                "\"abab\"",
                &format!(
                    "(i64.extend_i32_u (call $val_eq {} {}))",
                    constant(9, 0, 2),
                    constant(9, 2, 2)
                ),
            ),
            "ok true",
        ),
        case(
            "val_eq: different strings",
            Some(0),
            returning(
                "\"abba\"",
                &format!(
                    "(i64.extend_i32_u (call $val_eq {} {}))",
                    constant(9, 0, 2),
                    constant(9, 2, 2)
                ),
            ),
            "ok false",
        ),
        case(
            "val_cmp: bytewise order",
            Some(1),
            returning(
                "\"abb\"",
                &format!(
                    "(i64.extend_i32_s (call $val_cmp {} {}))",
                    constant(9, 0, 2),
                    constant(9, 2, 1)
                ),
            ),
            "ok -1",
        ),
        case(
            "val_cmp: equal",
            Some(1),
            returning(
                "\"aa\"",
                &format!(
                    "(i64.extend_i32_s (call $val_cmp {} {}))",
                    constant(9, 0, 1),
                    constant(9, 1, 1)
                ),
            ),
            "ok 0",
        ),
        case(
            "val_to_string: Money unquoted",
            Some(9),
            returning(
                "\"\"",
                "(call $val_to_string (i32.const 2) (i64.const -1250))",
            ),
            "ok \"-12.50\"",
        ),
        case(
            "val_to_string: Duration",
            Some(9),
            returning(
                "\"\"",
                "(call $val_to_string (i32.const 5) (i64.const 2592000))",
            ),
            "ok \"30d\"",
        ),
        case(
            "val_to_string: Int? none",
            Some(9),
            returning(
                "\"\"",
                "(call $val_to_string (i32.const 12) (call $opt_none (i32.const 12)))",
            ),
            "ok \"none\"",
        ),
        case(
            "val_to_string: a tuple as its JSON text",
            Some(9),
            returning(
                "\"ab\"",
                &format!(
                    "{} {} (call $val_to_string (i32.const 16) (call $record_new (i32.const 16) (i32.const 1024)))",
                    slot(0, "(i64.const 7)"),
                    slot(1, &constant(9, 0, 2)),
                ),
            ),
            "ok \"[7,\\\"ab\\\"]\"",
        ),
        case(
            "val_to_string: a handle of another type is refused",
            Some(9),
            returning(
                "\"ab\"",
                &format!("(call $val_to_string (i32.const 13) {})", constant(9, 0, 2)),
            ),
            "aborted \"handle 0 holds a `String`, where a `List<Int>` is expected\"",
        ),
        // ---- strings and bytes ----
        case(
            "str_concat",
            Some(9),
            returning(
                "\"abcd\"",
                &format!(
                    "(call $str_concat {} {})",
                    constant(9, 0, 2),
                    constant(9, 2, 2)
                ),
            ),
            "ok \"abcd\"",
        ),
        case(
            "str_concat: Bytes are refused",
            Some(9),
            returning(
                "\"abcd\"",
                &format!(
                    "(call $str_concat {} {})",
                    constant(8, 0, 2),
                    constant(9, 2, 2)
                ),
            ),
            "aborted \"`+` joins two Strings\"",
        ),
        case(
            "str_starts_with: yes",
            Some(0),
            returning(
                hello,
                &format!(
                    "(i64.extend_i32_u (call $str_starts_with {} {}))",
                    constant(9, 0, 5),
                    constant(9, 0, 2)
                ),
            ),
            "ok true",
        ),
        case(
            "str_starts_with: no",
            Some(0),
            returning(
                hello,
                &format!(
                    "(i64.extend_i32_u (call $str_starts_with {} {}))",
                    constant(9, 0, 2),
                    constant(9, 0, 5)
                ),
            ),
            "ok false",
        ),
        case(
            "str_bytes",
            Some(8),
            returning(
                "\"hi\"",
                &format!("(call $str_bytes {})", constant(9, 0, 2)),
            ),
            "ok 0x6869",
        ),
        case(
            "bytes_at",
            Some(1),
            returning(
                "\"\\de\\ad\"",
                &format!("(call $bytes_at {} (i64.const 1))", constant(8, 0, 2)),
            ),
            "ok 173",
        ),
        case(
            "bytes_at: out of range",
            Some(1),
            returning(
                "\"\\de\\ad\"",
                &format!("(call $bytes_at {} (i64.const 2))", constant(8, 0, 2)),
            ),
            "aborted \"byte index 2 is out of range for 2 bytes\"",
        ),
        case(
            "bytes_at: negative index",
            Some(1),
            returning(
                "\"\\de\\ad\"",
                &format!("(call $bytes_at {} (i64.const -1))", constant(8, 0, 2)),
            ),
            "aborted \"byte index -1 is out of range for 2 bytes\"",
        ),
        case(
            "coll_len: characters of a String",
            Some(1),
            returning(
                "\"h\\c3\\a9llo\"",
                &format!("(call $coll_len {})", constant(9, 0, 6)),
            ),
            "ok 5",
        ),
        case(
            "coll_len: bytes of Bytes",
            Some(1),
            returning(
                "\"h\\c3\\a9llo\"",
                &format!("(call $coll_len {})", constant(8, 0, 6)),
            ),
            "ok 6",
        ),
        // ---- records, tuples, options ----
        case(
            "record_new: tuple",
            Some(16),
            returning(
                "\"hi\"",
                &format!(
                    "{} {} (call $record_new (i32.const 16) (i32.const 1024))",
                    slot(0, "(i64.const 7)"),
                    slot(1, &constant(9, 0, 2))
                ),
            ),
            "ok (7, \"hi\")",
        ),
        case(
            "record_new: Decision",
            Some(10),
            returning(
                "\"consent\"",
                &format!(
                    "{} {} (call $record_new (i32.const 10) (i32.const 1024))",
                    slot(0, "(i64.const 1)"),
                    slot(1, &constant(9, 0, 7))
                ),
            ),
            "ok (true, \"consent\")",
        ),
        case(
            "record_new: a Bool slot must be 0 or 1",
            Some(10),
            returning(
                "\"consent\"",
                &format!(
                    "{} {} (call $record_new (i32.const 10) (i32.const 1024))",
                    slot(0, "(i64.const 2)"),
                    slot(1, &constant(9, 0, 7))
                ),
            ),
            "aborted \"2 is not a Bool (0 or 1)\"",
        ),
        case(
            "record_new: not a record type",
            Some(16),
            returning("\"\"", "(call $record_new (i32.const 1) (i32.const 1024))"),
            "aborted \"type 1 is not a record, tuple or Decision\"",
        ),
        case(
            "record_get",
            Some(9),
            returning(
                "\"hi\"",
                &format!(
                    "{} {} (call $record_get (call $record_new (i32.const 16) (i32.const 1024)) (i32.const 1))",
                    slot(0, "(i64.const 7)"),
                    slot(1, &constant(9, 0, 2))
                ),
            ),
            "ok \"hi\"",
        ),
        case(
            "record_get: no such field",
            Some(9),
            returning(
                "\"hi\"",
                &format!(
                    "{} {} (call $record_get (call $record_new (i32.const 16) (i32.const 1024)) (i32.const 5))",
                    slot(0, "(i64.const 7)"),
                    slot(1, &constant(9, 0, 2))
                ),
            ),
            "aborted \"field 5 does not exist (the value has 2)\"",
        ),
        case(
            "record_set_mut changes one handle, not its copy",
            Some(17),
            returning(
                "\"hi\"",
                &format!(
                    "(local $g i64) (local $copy i64) {} {} (local.set $g (call $record_new (i32.const 17) (i32.const 1024))) (local.set $copy (call $val_copy (local.get $g))) (call $record_set_mut (local.get $g) (i32.const 0) (i64.const 99)) (local.get $copy)",
                    slot(0, "(i64.const 5)"),
                    slot(1, &constant(9, 0, 2))
                ),
            ),
            "ok (@5, \"hi\")",
        ),
        case(
            "record_set_mut",
            Some(17),
            returning(
                "\"hi\"",
                &format!(
                    "(local $g i64) {} {} (local.set $g (call $record_new (i32.const 17) (i32.const 1024))) (call $record_set_mut (local.get $g) (i32.const 0) (i64.const 99)) (local.get $g)",
                    slot(0, "(i64.const 5)"),
                    slot(1, &constant(9, 0, 2))
                ),
            ),
            "ok (@99, \"hi\")",
        ),
        case(
            "opt_some",
            Some(12),
            returning("\"\"", "(call $opt_some (i32.const 12) (i64.const 5))"),
            "ok some(5)",
        ),
        case(
            "opt_some: a handle of the wrong type",
            Some(21),
            returning(
                "\"ab\"",
                &format!("(call $opt_some (i32.const 21) {})", constant(8, 0, 2)),
            ),
            "aborted \"handle 0 holds a `Bytes`, where a `String` is expected\"",
        ),
        case(
            "opt_unwrap",
            Some(1),
            returning(
                "\"\"",
                "(call $opt_unwrap (call $opt_some (i32.const 12) (i64.const 5)))",
            ),
            "ok 5",
        ),
        case(
            "opt_unwrap: none aborts",
            Some(1),
            returning("\"\"", "(call $opt_unwrap (call $opt_none (i32.const 12)))"),
            "aborted \"unwrapped `none`\"",
        ),
        case(
            "opt_none",
            Some(12),
            returning("\"\"", "(call $opt_none (i32.const 12))"),
            "ok none",
        ),
        case(
            "opt_none: not an option type",
            Some(12),
            returning("\"\"", "(call $opt_none (i32.const 13))"),
            "aborted \"`List<Int>` is not an option type\"",
        ),
        case(
            "opt_is_some",
            Some(0),
            returning(
                "\"\"",
                "(i64.extend_i32_u (call $opt_is_some (call $opt_none (i32.const 12))))",
            ),
            "ok false",
        ),
        // ---- local collections ----
        case(
            "list: push keeps order and duplicates",
            Some(13),
            returning(
                "\"\"",
                "(local $l i64) (local.set $l (call $coll_new (i32.const 13))) (call $list_push_mut (local.get $l) (i64.const 3)) (call $list_push_mut (local.get $l) (i64.const 1)) (call $list_push_mut (local.get $l) (i64.const 3)) (local.get $l)",
            ),
            "ok [3, 1, 3]",
        ),
        case(
            "list: l[i] = v",
            Some(13),
            returning(
                "\"\"",
                "(local $l i64) (local.set $l (call $coll_new (i32.const 13))) (call $list_push_mut (local.get $l) (i64.const 3)) (call $list_push_mut (local.get $l) (i64.const 1)) (call $map_set_mut (local.get $l) (i64.const 1) (i64.const 9)) (local.get $l)",
            ),
            "ok [3, 9]",
        ),
        case(
            "list: remove takes the first equal element",
            Some(13),
            returning(
                "\"\"",
                "(local $l i64) (local.set $l (call $coll_new (i32.const 13))) (call $list_push_mut (local.get $l) (i64.const 3)) (call $list_push_mut (local.get $l) (i64.const 1)) (call $list_push_mut (local.get $l) (i64.const 3)) (call $coll_remove_mut (local.get $l) (i64.const 3)) (local.get $l)",
            ),
            "ok [1, 3]",
        ),
        case(
            "list: coll_at",
            Some(1),
            returning(
                "\"\"",
                "(local $l i64) (local.set $l (call $coll_new (i32.const 13))) (call $list_push_mut (local.get $l) (i64.const 3)) (call $list_push_mut (local.get $l) (i64.const 8)) (call $coll_at (local.get $l) (i64.const 1))",
            ),
            "ok 8",
        ),
        case(
            "list: coll_at out of range",
            Some(1),
            returning(
                "\"\"",
                "(local $l i64) (local.set $l (call $coll_new (i32.const 13))) (call $coll_at (local.get $l) (i64.const 0))",
            ),
            "aborted \"index 0 is out of range for 0 elements\"",
        ),
        case(
            "list: len of an empty list",
            Some(1),
            returning("\"\"", "(call $coll_len (call $coll_new (i32.const 13)))"),
            "ok 0",
        ),
        case(
            "set: sorted, duplicates merged",
            Some(14),
            returning(
                "\"\"",
                "(local $s i64) (local.set $s (call $coll_new (i32.const 14))) (call $coll_insert_mut (local.get $s) (i64.const 3)) (call $coll_insert_mut (local.get $s) (i64.const 1)) (call $coll_insert_mut (local.get $s) (i64.const 3)) (call $coll_insert_mut (local.get $s) (i64.const 2)) (local.get $s)",
            ),
            "ok {1, 2, 3}",
        ),
        case(
            "set: contains",
            Some(0),
            returning(
                "\"\"",
                "(local $s i64) (local.set $s (call $coll_new (i32.const 14))) (call $coll_insert_mut (local.get $s) (i64.const 3)) (i64.extend_i32_u (call $coll_contains (local.get $s) (i64.const 3)))",
            ),
            "ok true",
        ),
        case(
            "set: remove",
            Some(14),
            returning(
                "\"\"",
                "(local $s i64) (local.set $s (call $coll_new (i32.const 14))) (call $coll_insert_mut (local.get $s) (i64.const 3)) (call $coll_insert_mut (local.get $s) (i64.const 4)) (call $coll_remove_mut (local.get $s) (i64.const 3)) (call $coll_remove_mut (local.get $s) (i64.const 7)) (local.get $s)",
            ),
            "ok {4}",
        ),
        case(
            "set: insert into a list is refused",
            Some(14),
            returning(
                "\"\"",
                "(call $coll_insert_mut (call $coll_new (i32.const 13)) (i64.const 1)) (i64.const 0)",
            ),
            "aborted \"`insert` on a value that is not a set\"",
        ),
        case(
            "map: sorted by key, a key set twice keeps the last value",
            Some(15),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (call $map_set_mut (local.get $m) {} (i64.const 1)) (call $map_set_mut (local.get $m) {} (i64.const 3)) (local.get $m)",
                    constant(9, 0, 1),
                    constant(9, 1, 1),
                    constant(9, 0, 1)
                ),
            ),
            "ok [\"a\": 1, \"b\": 3]",
        ),
        case(
            "map: get",
            Some(12),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (call $map_get (local.get $m) {})",
                    constant(9, 0, 1),
                    constant(9, 0, 1)
                ),
            ),
            "ok some(2)",
        ),
        case(
            "map: get of a missing key",
            Some(12),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (call $map_get (local.get $m) {})",
                    constant(9, 0, 1),
                    constant(9, 1, 1)
                ),
            ),
            "ok none",
        ),
        case(
            "map: contains a key",
            Some(0),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (i64.extend_i32_u (call $coll_contains (local.get $m) {}))",
                    constant(9, 0, 1),
                    constant(9, 0, 1)
                ),
            ),
            "ok true",
        ),
        case(
            "map: coll_at gives the entry in key order",
            Some(9),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (call $map_set_mut (local.get $m) {} (i64.const 1)) (call $record_get (call $coll_at (local.get $m) (i64.const 0)) (i32.const 0))",
                    constant(9, 0, 1),
                    constant(9, 1, 1)
                ),
            ),
            "ok \"a\"",
        ),
        case(
            "map: remove",
            Some(15),
            returning(
                "\"ba\"",
                &format!(
                    "(local $m i64) (local.set $m (call $coll_new (i32.const 15))) (call $map_set_mut (local.get $m) {} (i64.const 2)) (call $map_set_mut (local.get $m) {} (i64.const 1)) (call $coll_remove_mut (local.get $m) {}) (local.get $m)",
                    constant(9, 0, 1),
                    constant(9, 1, 1),
                    constant(9, 1, 1)
                ),
            ),
            "ok [\"b\": 2]",
        ),
        // ---- arithmetic ----
        case(
            "mul_percent: $0.05 * 10% rounds half away from zero",
            Some(2),
            returning("\"\"", "(call $mul_percent (i64.const 5) (i64.const 1000))"),
            "ok $1c",
        ),
        case(
            "mul_percent: -$0.05 * 10%",
            Some(2),
            returning(
                "\"\"",
                "(call $mul_percent (i64.const -5) (i64.const 1000))",
            ),
            "ok $-1c",
        ),
        case(
            "mul_percent: $1250.00 * 20%",
            Some(2),
            returning(
                "\"\"",
                "(call $mul_percent (i64.const 125000) (i64.const 2000))",
            ),
            "ok $25000c",
        ),
        case(
            "mul_percent: overflow aborts",
            Some(2),
            returning(
                "\"\"",
                "(call $mul_percent (i64.const 9223372036854775807) (i64.const 20000))",
            ),
            "aborted \"arithmetic overflow\"",
        ),
        case(
            "div_round: $10.00 / 3",
            Some(2),
            returning("\"\"", "(call $div_round (i64.const 1000) (i64.const 3))"),
            "ok $333c",
        ),
        case(
            "div_round: $0.05 / 2",
            Some(2),
            returning("\"\"", "(call $div_round (i64.const 5) (i64.const 2))"),
            "ok $3c",
        ),
        case(
            "div_round: by zero aborts",
            Some(2),
            returning("\"\"", "(call $div_round (i64.const 5) (i64.const 0))"),
            "aborted \"division by zero\"",
        ),
        case(
            "div_round: overflow aborts",
            Some(2),
            returning(
                "\"\"",
                "(call $div_round (i64.const -9223372036854775808) (i64.const -1))",
            ),
            "aborted \"arithmetic overflow\"",
        ),
        // ---- hashing ----
        case(
            "sha3: one String hashes its raw bytes",
            Some(7),
            returning(
                "\"abc\"",
                &format!("(call $sha3 {} (i32.const 1))", constant(9, 0, 3)),
            ),
            format!("ok {}", keccak256(b"abc")),
        ),
        case(
            "sha3: several arguments, their tuple encoding (a String with its length)",
            Some(7),
            returning(
                "\"a\"",
                &format!(
                    "{} {} (call $sha3 (call $record_new (i32.const 16) (i32.const 1024)) (i32.const 2))",
                    slot(0, "(i64.const 1)"),
                    slot(1, &constant(9, 0, 1))
                ),
            ),
            format!(
                "ok {}",
                keccak256(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, b'a'])
            ),
        ),
        case(
            "sha3: a negative count hashes packed (the standard library's sha3_packed)",
            Some(7),
            returning(
                "\"a\"",
                &format!(
                    "{} {} (call $sha3 (call $record_new (i32.const 16) (i32.const 1024)) (i32.const -2))",
                    slot(0, "(i64.const 1)"),
                    slot(1, &constant(9, 0, 1))
                ),
            ),
            format!("ok {}", keccak256(&[0, 0, 0, 0, 0, 0, 0, 1, b'a'])),
        ),
        case(
            "sha3: count must match the tuple",
            Some(7),
            returning(
                "\"a\"",
                &format!(
                    "{} {} (call $sha3 (call $record_new (i32.const 16) (i32.const 1024)) (i32.const 3))",
                    slot(0, "(i64.const 1)"),
                    slot(1, &constant(9, 0, 1))
                ),
            ),
            "aborted \"`sha3` expected a tuple of 3 arguments\"",
        ),
        case(
            "sha3_scalar",
            Some(7),
            returning("\"\"", "(call $sha3_scalar (i32.const 1) (i64.const 1))"),
            format!("ok {}", keccak256(&1i64.to_be_bytes())),
        ),
        case(
            "sha3_scalar: Bool is one byte",
            Some(7),
            returning("\"\"", "(call $sha3_scalar (i32.const 0) (i64.const 1))"),
            format!("ok {}", keccak256(&[1])),
        ),
        // ---- persistent state ----
        case(
            "state_store then state_load",
            Some(1),
            returning(
                "\"\"",
                "(call $state_store (i32.const 0) (i64.const 7)) (call $state_load (i32.const 0))",
            ),
            "ok 7",
        ),
        case(
            "state_load: never stored",
            Some(1),
            returning("\"\"", "(call $state_load (i32.const 0))"),
            "aborted \"state `count` has no value yet\"",
        ),
        case(
            "state_load: a persistent map is not loaded whole",
            Some(1),
            returning("\"\"", "(call $state_load (i32.const 1))"),
            "aborted \"state `balances` is a persistent collection\"",
        ),
        case(
            "state_store: no such state",
            Some(1),
            returning(
                "\"\"",
                "(call $state_store (i32.const 9) (i64.const 7)) (i64.const 0)",
            ),
            "aborted \"state 9 does not exist\"",
        ),
        case(
            "pmap_set then pmap_get",
            Some(12),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pmap_set (i32.const 1) {} (i64.const 5)) (call $pmap_get (i32.const 1) {})",
                    constant(6, 0, 20),
                    constant(6, 0, 20)
                ),
            ),
            "ok some(5)",
        ),
        case(
            "pmap_get: missing",
            Some(12),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!("(call $pmap_get (i32.const 1) {})", constant(6, 0, 20)),
            ),
            "ok none",
        ),
        case(
            "pmap_remove then pmap_contains",
            Some(0),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pmap_set (i32.const 1) {} (i64.const 5)) (call $pmap_remove (i32.const 1) {}) (i64.extend_i32_u (call $pmap_contains (i32.const 1) {}))",
                    constant(6, 0, 20),
                    constant(6, 0, 20),
                    constant(6, 0, 20)
                ),
            ),
            "ok false",
        ),
        case(
            "pset_insert then pmap_contains",
            Some(0),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pset_insert (i32.const 2) {}) (i64.extend_i32_u (call $pmap_contains (i32.const 2) {}))",
                    constant(6, 0, 20),
                    constant(6, 0, 20)
                ),
            ),
            "ok true",
        ),
        case(
            "pmap_next: the first key in order, whatever the order of writing",
            Some(18),
            returning(
                &format!(
                    "{} {}",
                    wat_bytes(BOB.as_bytes()),
                    wat_bytes(ALICE.as_bytes())
                ),
                &format!(
                    "(call $pmap_set (i32.const 4) {bob} (i64.const 5)) (call $pmap_set (i32.const 4) {alice} (i64.const 7)) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18)))",
                    bob = constant(6, 0, 20),
                    alice = constant(6, 20, 20)
                ),
            ),
            format!("ok some({})", address(ALICE.as_bytes())),
        ),
        case(
            "pmap_next: after the first key, the next",
            Some(18),
            returning(
                &format!(
                    "{} {}",
                    wat_bytes(BOB.as_bytes()),
                    wat_bytes(ALICE.as_bytes())
                ),
                &format!(
                    "(call $pmap_set (i32.const 4) {bob} (i64.const 5)) (call $pmap_set (i32.const 4) {alice} (i64.const 7)) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18))))",
                    bob = constant(6, 0, 20),
                    alice = constant(6, 20, 20)
                ),
            ),
            format!("ok some({})", address(BOB.as_bytes())),
        ),
        case(
            "pmap_next: none after the last key",
            Some(18),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pmap_set (i32.const 4) {bob} (i64.const 5)) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18))))",
                    bob = constant(6, 0, 20)
                ),
            ),
            "ok none",
        ),
        case(
            "pmap_next: a key removed earlier in the transaction is passed over",
            Some(18),
            returning(
                &format!(
                    "{} {}",
                    wat_bytes(BOB.as_bytes()),
                    wat_bytes(ALICE.as_bytes())
                ),
                &format!(
                    "(call $pmap_set (i32.const 4) {bob} (i64.const 5)) (call $pmap_set (i32.const 4) {alice} (i64.const 7)) (call $pmap_remove (i32.const 4) {alice}) (call $pmap_next (i32.const 4) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18)))",
                    bob = constant(6, 0, 20),
                    alice = constant(6, 20, 20)
                ),
            ),
            format!("ok some({})", address(BOB.as_bytes())),
        ),
        case(
            "pmap_next: a collection the module does not iterate has no index",
            Some(18),
            returning(
                "\"\"",
                "(call $pmap_next (i32.const 1) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18)))",
            ),
            "aborted \"state `balances` is not iterated by this contract\"",
        ),
        case(
            "pmap_len: an empty collection has no count entry",
            Some(1),
            returning("\"\"", "(call $pmap_len (i32.const 1))"),
            "ok 0",
        ),
        case(
            "pmap_len: a key written twice counts once",
            Some(1),
            returning(
                &format!(
                    "{} {}",
                    wat_bytes(BOB.as_bytes()),
                    wat_bytes(ALICE.as_bytes())
                ),
                &format!(
                    "(call $pmap_set (i32.const 1) {bob} (i64.const 5)) (call $pmap_set (i32.const 1) {bob} (i64.const 6)) (call $pmap_set (i32.const 1) {alice} (i64.const 7)) (call $pmap_len (i32.const 1))",
                    bob = constant(6, 0, 20),
                    alice = constant(6, 20, 20)
                ),
            ),
            "ok 2",
        ),
        case(
            "pmap_len: removing a present key uncounts it, an absent one changes nothing",
            Some(1),
            returning(
                &format!(
                    "{} {}",
                    wat_bytes(BOB.as_bytes()),
                    wat_bytes(ALICE.as_bytes())
                ),
                &format!(
                    "(call $pmap_set (i32.const 1) {bob} (i64.const 5)) (call $pmap_set (i32.const 1) {alice} (i64.const 7)) (call $pmap_remove (i32.const 1) {bob}) (call $pmap_remove (i32.const 1) {bob}) (call $pmap_len (i32.const 1))",
                    bob = constant(6, 0, 20),
                    alice = constant(6, 20, 20)
                ),
            ),
            "ok 1",
        ),
        case(
            "pmap_len: removing the last entry removes the count entry",
            Some(1),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pset_insert (i32.const 2) {bob}) (call $pset_insert (i32.const 2) {bob}) (call $pmap_remove (i32.const 2) {bob}) (call $pmap_len (i32.const 2))",
                    bob = constant(6, 0, 20)
                ),
            ),
            "ok 0",
        ),
        case(
            "pmap_len: each collection has its own count",
            Some(1),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pset_insert (i32.const 2) {bob}) (call $pmap_len (i32.const 1))",
                    bob = constant(6, 0, 20)
                ),
            ),
            "ok 0",
        ),
        case(
            "pmap_len: an aborted insert writes neither the element nor the count",
            Some(1),
            returning(
                &format!("{} \"stopc.assent:1:1\"", wat_bytes(BOB.as_bytes())),
                &format!(
                    "(call $pset_insert (i32.const 2) {bob}) (call $abort_static (i32.const 20) (i32.const 4) (i32.const 24) (i32.const 12)) (i64.const 0)",
                    bob = constant(6, 0, 20)
                ),
            ),
            "aborted \"stop\" at c.assent:1:1",
        ),
        case(
            "pmap_len of a single-value state is refused",
            Some(1),
            returning("\"\"", "(call $pmap_len (i32.const 0))"),
            "aborted \"state `count` is not a persistent Map or Set\"",
        ),
        case(
            "pmap_get of a set is refused",
            Some(12),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!("(call $pmap_get (i32.const 2) {})", constant(6, 0, 20)),
            ),
            "aborted \"state `members` is a set: use `contains`\"",
        ),
        case(
            "pset_insert into a map is refused",
            Some(0),
            returning(
                &wat_bytes(BOB.as_bytes()),
                &format!(
                    "(call $pset_insert (i32.const 1) {}) (i64.const 0)",
                    constant(6, 0, 20)
                ),
            ),
            "aborted \"state `balances` is a map: use `m[k] = v`\"",
        ),
        case(
            "pmap_set: the key must be an Address",
            Some(0),
            returning(
                "\"ab\"",
                &format!(
                    "(call $pmap_set (i32.const 1) {} (i64.const 5)) (i64.const 0)",
                    constant(9, 0, 2)
                ),
            ),
            "aborted \"handle 0 holds a `String`, where a `Address` is expected\"",
        ),
        // ---- events ----
        case(
            "emit",
            Some(0),
            returning(
                "\"\"",
                &format!(
                    "{} {} (call $emit (i32.const 0) (i32.const 1024) (i32.const 0)) (i64.const 1)",
                    slot(0, "(call $caller)"),
                    slot(1, "(i64.const 7)")
                ),
            ),
            "ok true",
        ),
        case(
            "emit: no such event",
            Some(0),
            returning(
                "\"\"",
                "(call $emit (i32.const 3) (i32.const 1024) (i32.const 0)) (i64.const 1)",
            ),
            "aborted \"event 3 does not exist\"",
        ),
        // ---- aborting ----
        case(
            "abort: message and position",
            Some(0),
            returning(
                "\"deniedc.assent:3:5\"",
                &format!(
                    "(call $abort {} (i32.const 6) (i32.const 12)) (i64.const 0)",
                    constant(9, 0, 6)
                ),
            ),
            "aborted \"denied\" at c.assent:3:5",
        ),
        case(
            "abort_static",
            Some(0),
            returning(
                "\"overflowc.assent:9:14\"",
                "(call $abort_static (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 13)) (i64.const 0)",
            ),
            "aborted \"overflow\" at c.assent:9:14",
        ),
        // ---- boundary checks ----
        case(
            "an invalid handle aborts",
            Some(9),
            returning("\"\"", "(call $val_copy (i64.const 99))"),
            "aborted \"invalid handle 99\"",
        ),
        case(
            "a negative handle aborts",
            Some(9),
            returning("\"\"", "(call $val_copy (i64.const -1))"),
            "aborted \"invalid handle -1\"",
        ),
        case(
            "an unknown type id aborts",
            Some(9),
            returning("\"\"", "(call $coll_new (i32.const 999))"),
            "aborted \"type id 999 does not exist\"",
        ),
        case(
            "a result that is not a Bool aborts",
            Some(0),
            returning("\"\"", "(i64.const 2)"),
            "aborted \"2 is not a Bool (0 or 1)\"",
        ),
        case(
            "a result that is not a variant aborts",
            Some(11),
            returning("\"\"", "(i64.const 3)"),
            "aborted \"3 is not a variant of `Purpose`\"",
        ),
        case(
            "a variant result",
            Some(11),
            returning("\"\"", "(i64.const 1)"),
            "ok #1",
        ),
    ];
    cases.push(Case {
        name: "a view cannot write state",
        kind: "view",
        returns: Some(1),
        fields: returning(
            "\"\"",
            "(call $state_store (i32.const 0) (i64.const 7)) (i64.const 0)",
        ),
        expected: "aborted \"writing state is not allowed in a view or policy\"".into(),
    });
    cases.push(Case {
        name: "a view cannot emit",
        kind: "view",
        returns: Some(1),
        fields: returning(
            "\"\"",
            &format!(
                "{} {} (call $emit (i32.const 0) (i32.const 1024) (i32.const 1)) (i64.const 0)",
                slot(0, "(call $caller)"),
                slot(1, "(i64.const 7)")
            ),
        ),
        expected: "aborted \"`audit` is not allowed in a view or policy\"".into(),
    });
    cases.extend(signature_cases());
    cases
}

fn run_case(case: &Case) -> String {
    let execution = run(case.kind, case.returns, &case.fields);
    trace(&execution)
}

#[test]
fn every_host_function_gives_its_exact_value() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut report = String::new();
    for case in &cases {
        let trace = run_case(case);
        let outcome = trace.lines().next().unwrap_or_default();
        if outcome != case.expected {
            failures.push(format!(
                "{}:\n  expected {}\n  got      {}",
                case.name, case.expected, outcome
            ));
        }
        writeln!(
            report,
            "== {} ({} -> {:?})\n{trace}",
            case.name, case.kind, case.returns
        )
        .unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!("host_functions", report);
}

#[test]
fn every_host_function_has_a_case() {
    let used: BTreeSet<&str> = HOST_FUNCTIONS
        .iter()
        .filter(|function| {
            let call = format!("(call ${} ", function.name);
            let bare = format!("(call ${})", function.name);
            cases()
                .iter()
                .any(|case| case.fields.contains(&call) || case.fields.contains(&bare))
        })
        .map(|function| function.name)
        .collect();
    let missing: Vec<&str> = HOST_FUNCTIONS
        .iter()
        .map(|function| function.name)
        .filter(|name| {
            !used.contains(name)
                && *name != HostFn::CallContract.function().name
                && HostFn::by_name(name).is_some_and(HostFn::deployable)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "no case for {missing:?} (call_contract is in calls.rs, explain_note in explain.rs)"
    );
}

#[test]
fn emitted_events_carry_their_fields() {
    let case = cases()
        .into_iter()
        .find(|case| case.name == "emit")
        .unwrap();
    let execution = run(case.kind, case.returns, &case.fields);
    assert_eq!(execution.events.len(), 1);
    let event = &execution.events[0];
    assert_eq!(event.name, "Ping");
    assert_eq!(event.contract, CONTRACT);
    assert!(!event.audit);
    assert_eq!(
        event.fields[0].value,
        assent_stdlib::value::Value::Address(ALICE.0)
    );
    assert!(event.fields[0].indexed);
    assert_eq!(event.fields[1].value, assent_stdlib::value::Value::Int(7));
}

// ---- costs that grow with the work ------------------------------------------------------

/// A module whose `run` does `setup` once, then `step` `n` times (locals `$i`, `$j`, `$x`,
/// `$y`; `$x`/`$y` are free), with a gas limit of 2e9; the execution.
fn looped(setup: &str, step: &str, n: u64) -> assent_vm::Execution {
    let mut chain = common::Chain::new();
    // Enough for the memory budget to end a loop of hashes (about 6,000 gas each) first.
    chain.gas_limit = 20_000_000_000;
    let fields = format!(
        r#"  (func (export "run") (result i64) (local $i i64) (local $j i64) (local $x i64) (local $y i64)
    {setup}
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (i64.const {n})))
      {step}
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i64.const 0))"#
    );
    let wasm = common::module(
        &common::abi(
            "Test",
            vec![common::entry("run", "action", &[], Some(1))],
            serde_json::json!([]),
        ),
        &fields,
    );
    chain.deploy(CONTRACT, &wasm);
    chain.call(CONTRACT, "run", vec![])
}

/// The gas of one `step` after `setup`.
fn step_gas(setup: &str, step: &str) -> u64 {
    let once = looped(setup, step, 1);
    assert!(
        matches!(once.outcome, assent_vm::Outcome::Ok(_)),
        "{:?}",
        once.outcome
    );
    once.gas_used - looped(setup, step, 0).gas_used
}

/// WAT making `local` a `List<Int>` (or a `Set<Int>` with `set`) of `0..len`.
fn collection_of(local: &str, len: u64, set: bool) -> String {
    let (ty, add) = if set {
        (14, "coll_insert_mut")
    } else {
        (13, "list_push_mut")
    };
    format!(
        "(local.set ${local} (call $coll_new (i32.const {ty}))) (local.set $j (i64.const 0))
     (block $made_{local} (loop $make_{local}
       (br_if $made_{local} (i64.ge_u (local.get $j) (i64.const {len})))
       (call ${add} (local.get ${local}) (local.get $j))
       (local.set $j (i64.add (local.get $j) (i64.const 1)))
       (br $make_{local})))"
    )
}

/// Gas per element (40 bytes in place, at one gas per 8 bytes).
const PER_ELEMENT: u64 = 5;

#[test]
fn comparing_pays_for_the_smaller_operand_without_walking_the_larger() {
    let equal = |len: u64| {
        step_gas(
            &format!(
                "{} {}",
                collection_of("x", len, false),
                collection_of("y", len, false)
            ),
            "(drop (call $val_eq (local.get $x) (local.get $y)))",
        )
    };
    let (small, large) = (equal(10), equal(1_000));
    assert!(
        large - small >= 990 * PER_ELEMENT,
        "equal lists: 10 elements {small} gas, 1,000 elements {large} gas"
    );
    // A 1,000-element list against `[1]` is one element's work, as `[1]` against `[1]`.
    let lopsided = step_gas(
        &format!(
            "{} {}",
            collection_of("x", 1_000, false),
            collection_of("y", 1, false)
        ),
        "(drop (call $val_cmp (local.get $x) (local.get $y)))",
    );
    assert!(lopsided < small, "1,000 vs [1]: {lopsided} gas");
}

#[test]
fn searching_shifting_and_copying_on_write_grow_with_the_collection() {
    let cases: [(&str, &str, bool); 4] = [
        (
            "contains, absent, in a list",
            "(drop (call $coll_contains (local.get $x) (i64.const -1)))",
            false,
        ),
        (
            "insert at the front of a set",
            "(call $coll_insert_mut (local.get $x) (i64.const -1))",
            true,
        ),
        (
            "remove the front of a list",
            "(call $coll_remove_mut (local.get $x) (i64.const 0))",
            false,
        ),
        (
            "push onto a shared list (copy on write)",
            "(local.set $y (call $val_copy (local.get $x))) (call $list_push_mut (local.get $y) (i64.const 7))",
            false,
        ),
    ];
    for (name, step, set) in cases {
        let gas = |len: u64| step_gas(&collection_of("x", len, set), step);
        let (small, large) = (gas(10), gas(1_000));
        assert!(
            large - small >= 990 * PER_ELEMENT,
            "{name}: 10 elements {small} gas, 1,000 elements {large} gas"
        );
    }
}

#[test]
fn recover_is_priced_for_its_time() {
    let case = signature_cases().remove(0);
    let execution = run(case.kind, case.returns, &case.fields);
    assert!(
        execution.gas_used >= assent_stdlib::gas::RECOVER,
        "{}",
        execution.gas_used
    );
    const { assert!(assent_stdlib::gas::RECOVER >= 150_000) };
}

#[test]
fn every_handle_counts_against_the_memory_budget() {
    // Each step makes a handle and nothing else the old count saw: a copied handle, an
    // empty option (counted 1 byte before), a hash, an address.
    let cases = [
        ("a copied handle", "(drop (call $val_copy (local.get $x)))"),
        ("an empty option", "(drop (call $opt_none (i32.const 12)))"),
        (
            "a sha3 result",
            "(drop (call $sha3_scalar (i32.const 1) (local.get $i)))",
        ),
        ("an address", "(drop (call $caller))"),
    ];
    for (name, step) in cases {
        let execution = looped(&collection_of("x", 1, false), step, 2_000_000);
        let outcome = common::outcome(&execution);
        assert!(
            outcome.contains("its memory budget"),
            "{name}: 2,000,000 of them ended {outcome}"
        );
    }
}
