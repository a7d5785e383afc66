//! Transactions: a signature vector published with EIP-155, cross-checks against alloy,
//! the encoding fixed in a snapshot, round trips, and every rejection rule with its code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod ledger_common;
use ledger_common as common;

use alloy_primitives::{U256, keccak256 as alloy_keccak};
use alloy_rlp::Encodable;
use assent_ledger::keys::{address_of, dev_key};
use assent_ledger::primitives::{Address, Hash, decode_hex, encode_hex};
use assent_ledger::rlp::ListBuilder;
use assent_ledger::tx::{
    Signature, SignedTransaction, Transaction, TxError, create_address, recover_prehash,
    recover_prehash_k256, sign_prehash,
};
use assent_ledger::{Chain, MemoryStore};
use common::{TestExecutor, address, call, deploy};
use k256::ecdsa::SigningKey;
use proptest::prelude::*;
use std::fmt::Write;

fn u256_bytes(decimal: &str) -> [u8; 32] {
    U256::from_str_radix(decimal, 10).unwrap().to_be_bytes()
}

/// EIP-155's worked example: private key 0x4646…46 signs the given hash with
/// v = 37 (chain 1, y parity 0) and these r and s. Any Ethereum library reproduces it.
#[test]
fn eip155_published_signature_is_reproduced() {
    let key = SigningKey::from_bytes((&[0x46u8; 32]).into()).unwrap();
    let prehash =
        Hash::from_hex("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
            .unwrap();
    let signature = sign_prehash(&key, &prehash).unwrap();
    let expected = Signature {
        y_parity: 0,
        r: u256_bytes(
            "18515461264373351373200002665853028612451056578545711640558177340181847433846",
        ),
        s: u256_bytes(
            "46948507304638947509940763649030358759909902576025900602547168820602576006531",
        ),
    };
    assert_eq!(signature, expected);
    let sender = Address::from_hex("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f").unwrap();
    assert_eq!(address_of(key.verifying_key()), sender);
    assert_eq!(recover_prehash(&prehash, &signature), Ok(sender));
}

/// A complete transaction of ours, fixed byte for byte: payload, signing hash, signature,
/// signed form, hash, sender and CREATE address.
#[test]
fn known_transaction_encoding() {
    let key = dev_key("alice").unwrap();
    let mut out = String::new();
    for tx in [
        Transaction {
            chain_id: 1,
            nonce: 0,
            gas_limit: 1_000_000,
            to: None,
            method: String::new(),
            args: String::new(),
            code: b"\0asm\x01\0\0\0".to_vec(),
        },
        Transaction {
            chain_id: 1,
            nonce: 1,
            gas_limit: 1_000_000,
            to: Some(Address([0x11; 20])),
            method: "grant".into(),
            args: r#"{"grantee":"0x2222222222222222222222222222222222222222"}"#.into(),
            code: Vec::new(),
        },
    ] {
        let signed = tx.clone().sign(&key).unwrap();
        let sender = signed.recover_sender().unwrap();
        writeln!(out, "tx:             {tx:?}").unwrap();
        writeln!(out, "payload:        {}", encode_hex(&tx.payload_rlp())).unwrap();
        writeln!(out, "signing hash:   {}", tx.signing_hash()).unwrap();
        writeln!(out, "y_parity:       {}", signed.signature().y_parity).unwrap();
        writeln!(out, "r:              {}", encode_hex(&signed.signature().r)).unwrap();
        writeln!(out, "s:              {}", encode_hex(&signed.signature().s)).unwrap();
        writeln!(out, "signed_tx:      {}", encode_hex(signed.encoded())).unwrap();
        writeln!(out, "tx hash:        {}", signed.hash()).unwrap();
        writeln!(out, "sender:         {sender}").unwrap();
        writeln!(
            out,
            "create address: {}\n",
            create_address(&sender, tx.nonce)
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}

/// The same transaction, encoded and checked with alloy: the payload RLP, the signing
/// hash, the recovered signer and the CREATE address agree.
#[test]
fn alloy_agrees_on_encoding_signature_and_create_address() {
    let key = dev_key("bob").unwrap();
    let tx = Transaction {
        chain_id: 31337,
        nonce: 300,
        gas_limit: 5_000_000,
        to: Some(Address([0xab; 20])),
        method: "revoke".into(),
        args: r#"{"grantee":"x"}"#.into(),
        code: Vec::new(),
    };
    let mut payload = Vec::new();
    tx.chain_id.encode(&mut payload);
    tx.nonce.encode(&mut payload);
    tx.gas_limit.encode(&mut payload);
    tx.to.unwrap().0.as_slice().encode(&mut payload);
    tx.method.as_bytes().encode(&mut payload);
    tx.args.as_bytes().encode(&mut payload);
    tx.code.as_slice().encode(&mut payload);
    let mut theirs = Vec::new();
    alloy_rlp::Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut theirs);
    theirs.extend_from_slice(&payload);
    assert_eq!(tx.payload_rlp(), theirs);

    let mut prefixed = vec![0x41];
    prefixed.extend_from_slice(&theirs);
    let alloy_hash = alloy_keccak(&prefixed);
    assert_eq!(tx.signing_hash().0, alloy_hash.0);

    let signed = tx.sign(&key).unwrap();
    let signature = alloy_primitives::Signature::from_scalars_and_parity(
        signed.signature().r.into(),
        signed.signature().s.into(),
        signed.signature().y_parity == 1,
    );
    let alloy_signer = signature.recover_address_from_prehash(&alloy_hash).unwrap();
    let sender = signed.recover_sender().unwrap();
    assert_eq!(alloy_signer.0.0, sender.0);
    let alloy_public = alloy_primitives::Address::from_private_key(&key);
    assert_eq!(alloy_public.0.0, sender.0);
    for nonce in [0, 1, 127, 128, 255, 256, u64::MAX] {
        assert_eq!(
            alloy_signer.create(nonce).0.0,
            create_address(&sender, nonce).0
        );
    }
}

/// `n - s` with the other parity is the same signature mathematically; it must be refused.
#[test]
fn high_s_is_rejected() {
    const ORDER: &str =
        "115792089237316195423570985008687907852837564279074904382605163141518161494337";
    let key = dev_key("carol").unwrap();
    let signed = Transaction {
        chain_id: 1,
        nonce: 0,
        gas_limit: 1,
        to: Some(Address([1; 20])),
        method: "m".into(),
        ..Transaction::default()
    }
    .sign(&key)
    .unwrap();
    let s = U256::from_be_bytes(signed.signature().s);
    let high = U256::from_str_radix(ORDER, 10).unwrap() - s;
    let flipped = Signature {
        y_parity: 1 - signed.signature().y_parity,
        r: signed.signature().r,
        s: high.to_be_bytes(),
    };
    let forged = SignedTransaction::new(signed.tx().clone(), flipped);
    let decoded = SignedTransaction::decode(forged.encoded()).unwrap();
    assert_eq!(decoded.recover_sender(), Err(TxError::HighS));
    // alloy, which accepts high-s, recovers the same signer: only the rule refuses it.
    let alloy = alloy_primitives::Signature::from_scalars_and_parity(
        flipped.r.into(),
        flipped.s.into(),
        flipped.y_parity == 1,
    );
    let recovered = alloy
        .recover_address_from_prehash(&signed.tx().signing_hash().0.into())
        .unwrap();
    assert_eq!(recovered.0.0, signed.recover_sender().unwrap().0);
}

fn transaction() -> impl Strategy<Value = Transaction> {
    (
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        proptest::option::of(any::<[u8; 20]>()),
        "[a-z_]{0,12}",
        ".{0,40}",
        proptest::collection::vec(any::<u8>(), 0..100),
    )
        .prop_map(
            |(chain_id, nonce, gas_limit, to, method, args, code)| Transaction {
                chain_id,
                nonce,
                gas_limit,
                to: to.map(Address),
                method,
                args,
                code,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn recovery_agrees_with_k256_on_valid_and_arbitrary_signatures(
        seed in any::<[u8; 32]>(),
        prehash in any::<[u8; 32]>(),
        r in any::<[u8; 32]>(),
        s in any::<[u8; 32]>(),
        y_parity in 0u8..3,
    ) {
        let prehash = Hash(prehash);
        if let Ok(key) = SigningKey::from_bytes((&seed).into()) {
            let signature = sign_prehash(&key, &prehash).unwrap();
            let ours = recover_prehash(&prehash, &signature);
            prop_assert_eq!(&ours, &Ok(address_of(key.verifying_key())));
            prop_assert_eq!(ours, recover_prehash_k256(&prehash, &signature));
        }
        // Arbitrary r and s (with s forced low half or not): same verdict, same address.
        let arbitrary = Signature { y_parity, r, s };
        prop_assert_eq!(
            recover_prehash(&prehash, &arbitrary),
            recover_prehash_k256(&prehash, &arbitrary)
        );
        let mut low = s;
        low[0] &= 0x7f;
        let arbitrary = Signature { y_parity, r, s: low };
        prop_assert_eq!(
            recover_prehash(&prehash, &arbitrary),
            recover_prehash_k256(&prehash, &arbitrary)
        );
    }

    #[test]
    fn mutated_transactions_never_panic_and_accepted_ones_are_canonical(
        seed in any::<[u8; 32]>(),
        tx in transaction(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let Ok(key) = SigningKey::from_bytes((&seed).into()) else { return Ok(()); };
        let mut bytes = tx.sign(&key).unwrap().encoded().to_vec();
        for (position, value) in flips {
            let position = position % bytes.len();
            bytes[position] = value;
        }
        bytes.truncate(bytes.len() - cut % 3);
        if let Ok(decoded) = SignedTransaction::decode(&bytes) {
            let reencoded = SignedTransaction::new(decoded.tx().clone(), *decoded.signature());
            prop_assert_eq!(reencoded.encoded(), bytes.as_slice());
            let _ = decoded.recover_sender();
        }
    }

    #[test]
    fn signed_transactions_round_trip(tx in transaction(), seed in any::<[u8; 32]>()) {
        let Ok(key) = SigningKey::from_bytes((&seed).into()) else { return Ok(()); };
        let signed = tx.clone().sign(&key).unwrap();
        let decoded = SignedTransaction::decode(signed.encoded()).unwrap();
        prop_assert_eq!(decoded.tx(), &tx);
        prop_assert_eq!(decoded.hash(), signed.hash());
        prop_assert_eq!(decoded.encoded(), signed.encoded());
        prop_assert_eq!(decoded.recover_sender().unwrap(), address_of(key.verifying_key()));
    }
}

/// Submits `raw` to a chain where `alice` has deployed a contract at nonce 0, and reports
/// the refusal as `code: message`.
fn refusal(raw: &[u8]) -> String {
    let mut chain = Chain::open(MemoryStore::new(), common::config()).unwrap();
    let block = chain
        .produce_block(
            &mut TestExecutor,
            chain.head().time + 1,
            &[deploy("alice", 0)],
        )
        .unwrap();
    assert!(block.rejected.is_empty());
    match chain.check_transaction(&mut TestExecutor, raw, 0).unwrap() {
        Ok(_) => "accepted".into(),
        Err(error) => format!("{}: {error}", error.code()),
    }
}

#[test]
fn each_rejection_rule_has_its_own_error() {
    let contract = create_address(&address("alice"), 0);
    let good = Transaction {
        chain_id: common::CHAIN_ID,
        nonce: 1,
        gas_limit: 1_000_000,
        to: Some(contract),
        method: "set".into(),
        args: r#"{"key":"k","value":"v"}"#.into(),
        code: Vec::new(),
    };
    let signed = |tx: Transaction| common::sign("alice", tx);
    let good_raw = signed(good.clone());
    let mut trailing = good_raw.clone();
    trailing.push(0);
    let eleven_items = {
        let decoded = SignedTransaction::decode(&good_raw).unwrap();
        let items = assent_ledger::rlp::decode(decoded.encoded())
            .unwrap()
            .items()
            .unwrap();
        items
            .iter()
            .fold(ListBuilder::new(), |list, item| list.raw(item.raw()))
            .u64(0)
            .finish()
    };
    let leading_zero_nonce = {
        // The nonce 1 written as the two bytes 0x0001.
        let hex = encode_hex(&good_raw);
        let position = hex.find("01830f4240").unwrap();
        let patched = format!("{}820001{}", &hex[..position], &hex[position + 2..]);
        let mut bytes = decode_hex(&patched).unwrap();
        // Fix the outer list length (one byte longer).
        bytes[1] += 2;
        bytes
    };
    let zero_r = {
        let decoded = SignedTransaction::decode(&good_raw).unwrap();
        let mut signature = *decoded.signature();
        signature.r = [0; 32];
        SignedTransaction::new(decoded.tx().clone(), signature)
            .encoded()
            .to_vec()
    };
    let wrong_signer = {
        // Bob signs, but claims the payload that only alice's nonce matches: recovery
        // succeeds and yields bob, whose nonce is 0.
        common::sign("bob", good.clone())
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("valid call", good_raw.clone()),
        ("not RLP", b"hello".to_vec()),
        ("trailing byte", trailing),
        ("eleven items", eleven_items),
        ("nonce with a leading zero", leading_zero_nonce),
        (
            "wrong chain id",
            signed(Transaction {
                chain_id: 8,
                ..good.clone()
            }),
        ),
        ("r is zero", zero_r),
        ("nonce of another sender", wrong_signer),
        (
            "nonce replayed",
            signed(Transaction {
                nonce: 0,
                ..good.clone()
            }),
        ),
        (
            "nonce ahead",
            signed(Transaction {
                nonce: 2,
                ..good.clone()
            }),
        ),
        (
            "gas over the block limit",
            signed(Transaction {
                gas_limit: 1_000_000_001,
                ..good.clone()
            }),
        ),
        (
            "call with code",
            signed(Transaction {
                code: vec![1],
                ..good.clone()
            }),
        ),
        (
            "call without method",
            signed(Transaction {
                method: String::new(),
                ..good.clone()
            }),
        ),
        (
            "deployment with method",
            signed(Transaction {
                to: None,
                code: vec![1],
                ..good.clone()
            }),
        ),
        (
            "deployment without code",
            signed(Transaction {
                to: None,
                method: String::new(),
                ..good.clone()
            }),
        ),
        (
            "no contract at to",
            signed(Transaction {
                to: Some(Address([9; 20])),
                ..good.clone()
            }),
        ),
        (
            "no such action",
            signed(Transaction {
                method: "steal".into(),
                ..good.clone()
            }),
        ),
        (
            "args not an object",
            signed(Transaction {
                args: "[1]".into(),
                ..good.clone()
            }),
        ),
        (
            "module refused",
            signed(Transaction {
                to: None,
                method: String::new(),
                args: String::new(),
                code: b"bad module".to_vec(),
                ..good.clone()
            }),
        ),
    ];
    let mut out = String::new();
    for (name, raw) in cases {
        writeln!(out, "{name}\n  => {}", refusal(&raw)).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn recovering_in_parallel_keeps_order_and_results() {
    let raws: Vec<Vec<u8>> = (0..50)
        .map(|i| {
            if i % 7 == 3 {
                b"junk".to_vec()
            } else {
                call(&format!("user{i}"), 0, Address([1; 20]), "set", "{}")
            }
        })
        .collect();
    let parallel = assent_ledger::tx::recover_all(&raws, common::CHAIN_ID);
    assert_eq!(parallel.len(), raws.len());
    for (i, (raw, result)) in raws.iter().zip(parallel).enumerate() {
        let sequential = SignedTransaction::decode(raw).and_then(SignedTransaction::recover);
        assert_eq!(result, sequential, "transaction {i}");
        if i % 7 != 3 {
            assert_eq!(result.unwrap().sender, address(&format!("user{i}")));
        }
    }
}

#[test]
fn streamed_recovery_hands_results_over_in_order_and_stops_on_request() {
    let raws: Vec<Vec<u8>> = (0..300)
        .map(|i| {
            if i % 11 == 5 {
                b"junk".to_vec()
            } else {
                call(&format!("user{}", i % 40), i, Address([1; 20]), "set", "{}")
            }
        })
        .collect();
    let mut seen = Vec::new();
    assent_ledger::tx::recover_each(&raws, common::CHAIN_ID, |index, result| {
        let expected = SignedTransaction::decode(&raws[index]).and_then(SignedTransaction::recover);
        assert_eq!(result, expected, "transaction {index}");
        seen.push(index);
        Ok::<(), ()>(())
    })
    .unwrap();
    assert_eq!(seen, (0..300).collect::<Vec<_>>());

    let mut count = 0;
    let stopped = assent_ledger::tx::recover_each(&raws, common::CHAIN_ID, |index, _| {
        count += 1;
        if index == 150 { Err(index) } else { Ok(()) }
    });
    assert_eq!(stopped, Err(150));
    assert_eq!(count, 151);
}
