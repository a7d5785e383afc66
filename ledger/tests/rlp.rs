//! RLP: the strict decoder's verdict on malformed input, and agreement with `alloy-rlp`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use alloy_rlp::Encodable;
use assent_ledger::primitives::{decode_hex, encode_hex};
use assent_ledger::rlp::{self, Item, Kind, ListBuilder};
use proptest::prelude::*;
use std::fmt::Write;

/// Decodes `hex` as one item and describes it the way the snapshot shows it.
fn describe(hex: &str) -> String {
    let bytes = decode_hex(hex).unwrap();
    match rlp::decode(&bytes) {
        Ok(item) => describe_item(&item),
        Err(error) => format!("error: {error}"),
    }
}

fn describe_item(item: &Item<'_>) -> String {
    match item.kind() {
        Kind::Bytes => format!("bytes {}", encode_hex(item.bytes().unwrap())),
        Kind::List => match item.items() {
            Ok(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(describe_item)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(error) => format!("error: {error}"),
        },
    }
}

#[test]
fn decoder_verdicts() {
    let long_string = format!("0xb838{}", "61".repeat(56));
    let cases = [
        "0x00",
        "0x7f",
        "0x80",
        "0x8180",
        "0x8100",
        "0x817f",
        "0x83646f67",
        "0xc0",
        "0xc3010203",
        "0xc88363617483646f67",
        "0xc2c0c0",
        long_string.as_str(),
        "0xb80161",
        "0xb900380000",
        "0xb8",
        "0x8361",
        "0x0000",
        "0xc3010203ff",
        "0xc4010203",
        "0xc2820101",
        "0xf800",
        "0xbfffffffffffffffff",
        "0x",
    ];
    let mut out = String::new();
    for case in cases {
        writeln!(out, "{case}\n  => {}", describe(case)).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn integers_are_strict() {
    let cases: [(&str, Result<u64, &str>); 6] = [
        ("0x80", Ok(0)),
        ("0x01", Ok(1)),
        ("0x820400", Ok(1024)),
        ("0x00", Err("leading zero")),
        ("0x820004", Err("leading zero")),
        ("0x89010000000000000000", Err("longer than 8 bytes")),
    ];
    for (hex, expected) in cases {
        let bytes = decode_hex(hex).unwrap();
        let got = rlp::decode(&bytes).and_then(|item| item.u64());
        match expected {
            Ok(value) => assert_eq!(got, Ok(value), "{hex}"),
            Err(fragment) => {
                let message = got.unwrap_err().to_string();
                assert!(message.contains(fragment), "{hex}: {message}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn byte_strings_match_alloy_and_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let ours = rlp::bytes_item(&bytes);
        let mut theirs = Vec::new();
        bytes.as_slice().encode(&mut theirs);
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(rlp::decode(&ours).unwrap().bytes().unwrap(), bytes.as_slice());
    }

    #[test]
    fn integers_match_alloy_and_round_trip(value in any::<u64>()) {
        let ours = rlp::u64_item(value);
        let mut theirs = Vec::new();
        value.encode(&mut theirs);
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(rlp::decode(&ours).unwrap().u64().unwrap(), value);
    }

    #[test]
    fn lists_match_alloy_and_round_trip(items in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..20)) {
        let ours = items.iter().fold(ListBuilder::new(), |list, item| list.bytes(item)).finish();
        let mut theirs = Vec::new();
        let slices: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        alloy_rlp::encode_list::<_, [u8]>(&slices, &mut theirs);
        prop_assert_eq!(&ours, &theirs);
        let decoded = rlp::decode(&ours).unwrap().items().unwrap();
        let decoded: Vec<Vec<u8>> = decoded.iter().map(|item| item.bytes().unwrap().to_vec()).collect();
        prop_assert_eq!(decoded, items);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_accepted_input_reencodes_identically(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        // Lists decode lazily, so an item is accepted in full only if all its children are.
        if let Some(encoding) = rlp::decode(&bytes).ok().and_then(|item| reencode(&item)) {
            prop_assert_eq!(encoding, bytes);
        }
    }
}

/// Re-encodes a decoded item from its parts (`None` if a nested item is malformed);
/// canonical input comes back byte for byte.
fn reencode(item: &Item<'_>) -> Option<Vec<u8>> {
    match item.kind() {
        Kind::Bytes => Some(rlp::bytes_item(item.bytes().ok()?)),
        Kind::List => {
            let mut payload = Vec::new();
            for child in item.list().ok()? {
                payload.extend(reencode(&child.ok()?)?);
            }
            let mut out = Vec::new();
            rlp::encode_list(&mut out, &payload);
            Some(out)
        }
    }
}
