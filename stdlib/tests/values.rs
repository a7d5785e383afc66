//! The canonical codec and the JSON form: round trips over arbitrary typed values, the
//! exact forms of LANGUAGE.md §3, and strict rejection of non-canonical input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use assent_stdlib::codec::{self, decode, encode};
use assent_stdlib::json::{self, AddressNames, HexOnly, args_from_json, from_json, to_json};
use assent_stdlib::value::{EnumType, RecordType, Type, Value};
use proptest::prelude::*;
use serde_json::json;

fn purpose() -> Type {
    Type::Enum(Arc::new(EnumType {
        name: "PurposeOfUse".into(),
        variants: ["TREAT", "ETREAT", "HPAYMT", "HMARKT"]
            .map(String::from)
            .to_vec(),
    }))
}

fn period() -> Type {
    Type::Record(Arc::new(RecordType {
        name: "Period".into(),
        fields: vec![
            ("start".into(), Type::Time),
            ("end".into(), Type::Option(Box::new(Type::Time))),
        ],
    }))
}

/// `record Empty {}`: the one kind of value with nothing to write.
fn empty() -> Type {
    Type::Record(Arc::new(RecordType {
        name: "Empty".into(),
        fields: Vec::new(),
    }))
}

/// A type of bounded depth, and a strategy for its values.
fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Int),
        Just(Type::Money),
        Just(Type::Percent),
        Just(Type::Time),
        Just(Type::Duration),
        Just(Type::Address),
        Just(Type::Hash),
        Just(Type::Bytes),
        Just(Type::String),
        Just(purpose()),
        Just(period()),
        Just(Type::Decision),
        Just(empty()),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::Option(Box::new(t))),
            inner.clone().prop_map(|t| Type::List(Box::new(t))),
            inner.clone().prop_map(|t| Type::Set(Box::new(t))),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| Type::Map(Box::new(k), Box::new(v))),
            proptest::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

fn arb_value(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => any::<i64>().prop_map(Value::Int).boxed(),
        Type::Money => any::<i64>().prop_map(Value::Money).boxed(),
        Type::Percent => any::<i64>().prop_map(Value::Percent).boxed(),
        Type::Time => any::<i64>().prop_map(Value::Time).boxed(),
        Type::Duration => any::<i64>().prop_map(Value::Duration).boxed(),
        Type::Address => any::<[u8; 20]>().prop_map(Value::Address).boxed(),
        Type::Hash => any::<[u8; 32]>().prop_map(Value::Hash).boxed(),
        Type::Bytes => proptest::collection::vec(any::<u8>(), 0..8)
            .prop_map(Value::Bytes)
            .boxed(),
        Type::String => ".{0,6}".prop_map(Value::String).boxed(),
        Type::Enum(e) => (0..e.variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Record(r) => r
            .fields
            .iter()
            .map(|(_, t)| arb_value(t))
            .collect::<Vec<_>>()
            .prop_map(Value::Record)
            .boxed(),
        Type::Tuple(items) => items
            .iter()
            .map(arb_value)
            .collect::<Vec<_>>()
            .prop_map(Value::Record)
            .boxed(),
        Type::Decision => (any::<bool>(), "[a-z-]{0,8}")
            .prop_map(|(p, r)| Value::decision(p, r))
            .boxed(),
        Type::Option(inner) => proptest::option::of(arb_value(inner))
            .prop_map(|v| Value::Option(v.map(std::sync::Arc::new)))
            .boxed(),
        Type::List(inner) => proptest::collection::vec(arb_value(inner), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(inner) => proptest::collection::vec(arb_value(inner), 0..4)
            .prop_map(Value::set_from)
            .boxed(),
        Type::Map(k, v) => proptest::collection::vec((arb_value(k), arb_value(v)), 0..4)
            .prop_map(|mut entries| {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.dedup_by(|a, b| a.0 == b.0);
                Value::Map(entries)
            })
            .boxed(),
    }
}

fn arb_typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|ty| {
        let values = arb_value(&ty);
        (Just(ty), values)
    })
}

/// The reference for hex input: `0x`/`0X`, then pairs of `[0-9a-fA-F]` and nothing else.
fn reference_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))?;
    let digits: Vec<char> = digits.chars().collect();
    if !digits.len().is_multiple_of(2) || !digits.iter().all(char::is_ascii_hexdigit) {
        return None;
    }
    Some(
        digits
            .chunks(2)
            .map(|pair| (pair[0].to_digit(16).unwrap() * 16 + pair[1].to_digit(16).unwrap()) as u8)
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn hex_is_parsed_strictly(text in "(0x|0X|0|x|)[0-9a-fA-F+\\- _xgG]{0,12}") {
        prop_assert_eq!(json::parse_hex(&text), reference_hex(&text));
    }

    #[test]
    fn bytes_round_trip((ty, value) in arb_typed_value()) {
        let bytes = encode(&value);
        prop_assert!(!bytes.is_empty(), "a stored value is never empty");
        prop_assert_eq!(assent_stdlib::codec::encoded_len(&value), bytes.len());
        prop_assert_eq!(decode(&bytes, &ty), Ok(value));
    }

    #[test]
    fn json_round_trip((ty, value) in arb_typed_value()) {
        let json = to_json(&value, &ty);
        prop_assert_eq!(from_json(&json, &ty, &HexOnly), Ok(value));
    }

    #[test]
    fn every_i64_round_trips_through_the_json_form_of_scalars(number in any::<i64>()) {
        for (ty, value) in scalar_values(number) {
            let json = to_json(&value, &ty);
            prop_assert_eq!(from_json(&json, &ty, &HexOnly), Ok(value), "{}", json);
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(ty in arb_type(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(value) = decode(&bytes, &ty) {
            prop_assert_eq!(encode(&value), bytes, "only the canonical encoding decodes");
        }
    }
}

/// The Money, Percent, Time and Duration holding `number`.
fn scalar_values(number: i64) -> [(Type, Value); 4] {
    [
        (Type::Money, Value::Money(number)),
        (Type::Percent, Value::Percent(number)),
        (Type::Time, Value::Time(number)),
        (Type::Duration, Value::Duration(number)),
    ]
}

#[test]
fn the_extremes_of_every_scalar_round_trip_through_json() {
    let edges = [
        i64::MIN,
        i64::MIN + 1,
        -100,
        -1,
        0,
        1,
        99,
        i64::MAX - 1,
        i64::MAX,
    ];
    for number in edges {
        for (ty, value) in scalar_values(number) {
            let json = to_json(&value, &ty);
            assert_eq!(from_json(&json, &ty, &HexOnly), Ok(value), "{json}");
        }
    }
    assert_eq!(
        to_json(&Value::Money(i64::MIN), &Type::Money),
        json!("-92233720368547758.08")
    );
    assert_eq!(
        to_json(&Value::Time(i64::MIN), &Type::Time),
        json!("-292277022657-01-27T08:29:52Z")
    );
    assert_eq!(
        to_json(&Value::Time(i64::MAX), &Type::Time),
        json!("+292277026596-12-04T15:30:07Z")
    );
}

#[test]
fn scalars_out_of_range_are_refused_as_out_of_range() {
    let cases: Vec<(Type, serde_json::Value, &str)> = vec![
        (
            Type::Money,
            json!("92233720368547758.08"),
            "`92233720368547758.08` is not money: it is out of range (from -92233720368547758.08 to 92233720368547758.07)",
        ),
        (Type::Money, json!("-92233720368547758.09"), "out of range"),
        (Type::Money, json!("1.234"), "more than 2 decimals"),
        (
            Type::Money,
            json!("1."),
            "write digits with at most 2 decimals",
        ),
        (
            Type::Percent,
            json!("92233720368547758.08%"),
            "`92233720368547758.08%` is not a percentage: it is out of range",
        ),
        (Type::Percent, json!("12.5"), "and `%`"),
        (
            Type::Duration,
            json!("-9223372036854775809s"),
            "it is out of range",
        ),
        (Type::Duration, json!("300000000000y"), "it is out of range"),
        (
            Type::Duration,
            json!(9_223_372_036_854_775_808_u64),
            "`9223372036854775808` is not a duration: seconds are a whole number",
        ),
        (Type::Time, json!(1.5), "`1.5` is not a time"),
        (Type::Time, json!("-000000-01-01"), "is not a time"),
    ];
    for (ty, input, expected) in cases {
        let error = from_json(&input, &ty, &HexOnly).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{input}: got `{error}`, expected `{expected}`"
        );
    }
}

#[test]
fn json_forms_match_the_language_reference() {
    let cases: Vec<(Type, Value, serde_json::Value)> = vec![
        (Type::Bool, Value::Bool(true), json!(true)),
        (Type::Int, Value::Int(42), json!(42)),
        (Type::Money, Value::Money(125_000), json!("1250.00")),
        (Type::Money, Value::Money(-5), json!("-0.05")),
        (Type::Percent, Value::Percent(1250), json!("12.5%")),
        (Type::Percent, Value::Percent(2000), json!("20%")),
        (Type::Percent, Value::Percent(1), json!("0.01%")),
        (
            Type::Time,
            Value::Time(1_769_848_200),
            json!("2026-01-31T08:30:00Z"),
        ),
        (Type::Duration, Value::Duration(2_592_000), json!("30d")),
        (Type::Duration, Value::Duration(5400), json!("90m")),
        (
            Type::Address,
            Value::Address([0xab; 20]),
            json!(format!("0x{}", "ab".repeat(20))),
        ),
        (Type::Bytes, Value::Bytes(vec![1, 2]), json!("0x0102")),
        (Type::String, Value::String("text".into()), json!("text")),
        (purpose(), Value::Enum(1), json!("ETREAT")),
        (
            period(),
            Value::Record(vec![Value::Time(0), Value::Option(None)]),
            json!({"start": "1970-01-01T00:00:00Z", "end": null}),
        ),
        (
            Type::Option(Box::new(Type::Int)),
            Value::Option(None),
            json!(null),
        ),
        (
            Type::Set(Box::new(Type::Int)),
            Value::set_from(vec![Value::Int(3), Value::Int(1)]),
            json!([1, 3]),
        ),
        (
            Type::Map(Box::new(Type::String), Box::new(Type::Int)),
            Value::map_from(vec![
                (Value::String("b".into()), Value::Int(2)),
                (Value::String("a".into()), Value::Int(1)),
            ])
            .unwrap(),
            json!([["a", 1], ["b", 2]]),
        ),
        (
            Type::Tuple(vec![Type::Int, Type::Bool]),
            Value::Record(vec![Value::Int(1), Value::Bool(false)]),
            json!([1, false]),
        ),
        (
            Type::Decision,
            Value::decision(true, "consent"),
            json!({"permitted": true, "rule": "consent"}),
        ),
    ];
    for (ty, value, expected) in cases {
        assert_eq!(to_json(&value, &ty), expected, "{}", ty.display());
        assert_eq!(
            from_json(&expected, &ty, &HexOnly),
            Ok(value),
            "{}",
            ty.display()
        );
    }
}

#[test]
fn lenient_inputs_are_accepted() {
    let cases: Vec<(Type, serde_json::Value, Value)> = vec![
        (Type::Money, json!("12.5"), Value::Money(1250)),
        (Type::Money, json!("7"), Value::Money(700)),
        (Type::Time, json!(1_769_848_200), Value::Time(1_769_848_200)),
        (Type::Time, json!("2026-01-31"), Value::Time(1_769_817_600)),
        (Type::Duration, json!(60), Value::Duration(60)),
        (Type::Duration, json!("1y"), Value::Duration(31_536_000)),
        (
            Type::Address,
            json!(format!("0x{}", "AB".repeat(20))),
            Value::Address([0xab; 20]),
        ),
        (
            Type::Set(Box::new(Type::Int)),
            json!([2, 1, 2]),
            Value::Set(vec![Value::Int(1), Value::Int(2)]),
        ),
        (
            Type::Option(Box::new(Type::Int)),
            json!(5),
            Value::some(Value::Int(5)),
        ),
    ];
    for (ty, input, expected) in cases {
        assert_eq!(from_json(&input, &ty, &HexOnly), Ok(expected), "{input}");
    }
}

#[test]
fn bad_json_is_rejected_with_the_path_of_the_problem() {
    let grant = Type::Record(Arc::new(RecordType {
        name: "Grant".into(),
        fields: vec![
            ("purposes".into(), Type::Set(Box::new(purpose()))),
            ("period".into(), period()),
        ],
    }));
    let cases: Vec<(Type, serde_json::Value, &str)> = vec![
        (Type::Money, json!("1.234"), "`1.234` is not money"),
        (Type::Money, json!(12), "expected money"),
        (Type::Int, json!(1.5), "expected an integer"),
        (Type::Percent, json!("12.345%"), "is not a percentage"),
        (Type::Time, json!("2026-02-30"), "is not a time"),
        (Type::Address, json!("0x12"), "an address has 20 bytes"),
        (Type::Address, json!("alice"), "nor a known name"),
        (
            purpose(),
            json!("TREATMENT"),
            "`TREATMENT` is not a variant of PurposeOfUse",
        ),
        (
            grant.clone(),
            json!({"purposes": ["TREAT", 3], "period": {"start": 0}}),
            "`purposes[1]`: expected a PurposeOfUse variant name",
        ),
        (
            grant.clone(),
            json!({"purposes": [], "period": {"start": 0, "until": 5}}),
            "`period`: unknown field `until`",
        ),
        (grant, json!({"purposes": []}), "`period`: missing"),
        (
            Type::Map(Box::new(Type::Int), Box::new(Type::Int)),
            json!([[1, 2], [1, 3]]),
            "the key 1 appears twice",
        ),
        (
            Type::Tuple(vec![Type::Int, Type::Int]),
            json!([1]),
            "expected 2 elements",
        ),
    ];
    for (ty, input, expected) in cases {
        let error = from_json(&input, &ty, &HexOnly).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{input}: got `{error}`, expected `{expected}`"
        );
    }
}

#[test]
fn args_need_every_parameter_but_options_and_no_unknown_keys() {
    let params = vec![
        ("who".to_string(), Type::Address),
        ("note".to_string(), Type::Option(Box::new(Type::String))),
    ];
    struct Names;
    impl AddressNames for Names {
        fn address_of(&self, name: &str) -> Option<[u8; 20]> {
            (name == "alice").then_some([1; 20])
        }
    }
    assert_eq!(
        args_from_json(&json!({"who": "alice"}), &params, &Names),
        Ok(vec![Value::Address([1; 20]), Value::Option(None)])
    );
    let missing = args_from_json(&json!({}), &params, &Names).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "`who`: missing (a Address is required)"
    );
    let unknown =
        args_from_json(&json!({"who": "alice", "extra": 1}), &params, &Names).unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `extra`"),
        "{unknown}"
    );
    let not_object = args_from_json(&json!([1]), &params, &Names).unwrap_err();
    assert!(not_object.to_string().contains("must be a JSON object"));
}

#[test]
fn non_canonical_bytes_are_rejected() {
    let set = Type::Set(Box::new(Type::Bool));
    let cases: Vec<(Type, Vec<u8>, &str)> = vec![
        (Type::Bool, vec![2], "must be 0 or 1"),
        (Type::Int, vec![0; 7], "the input ends"),
        (Type::Int, vec![0; 9], "1 trailing bytes"),
        (
            set.clone(),
            vec![0, 0, 0, 2, 1, 0],
            "not strictly increasing",
        ),
        (set, vec![0, 0, 0, 2, 1, 1], "not strictly increasing"),
        (Type::String, vec![0, 0, 0, 1, 0xff], "not valid UTF-8"),
        (
            Type::Bytes,
            vec![0xff, 0xff, 0xff, 0xff],
            "exceeds the remaining input",
        ),
        (purpose(), vec![0, 0, 0, 9], "PurposeOfUse has no variant 9"),
        (
            Type::Option(Box::new(Type::Int)),
            vec![2],
            "an option tag must be 0 or 1",
        ),
        (empty(), vec![], "the input ends"),
        (empty(), vec![1], "a record with no fields must be 0"),
        (Type::Tuple(Vec::new()), vec![0, 0], "1 trailing bytes"),
    ];
    for (ty, bytes, expected) in cases {
        let error = decode(&bytes, &ty).unwrap_err().to_string();
        assert!(error.contains(expected), "{bytes:?}: got `{error}`");
    }
}

#[test]
fn records_with_no_fields_encode_to_one_byte() {
    // `record Empty {}` as a state value, nested, and as a map key: never zero bytes.
    let nested = Type::Record(Arc::new(RecordType {
        name: "Outer".into(),
        fields: vec![("inner".into(), empty())],
    }));
    let cases = [
        (empty(), Value::Record(Vec::new()), vec![0]),
        (
            nested,
            Value::Record(vec![Value::Record(Vec::new())]),
            vec![0],
        ),
        (
            Type::Map(Box::new(empty()), Box::new(Type::Bool)),
            Value::Map(vec![(Value::Record(Vec::new()), Value::Bool(true))]),
            vec![0, 0, 0, 1, 0, 1],
        ),
    ];
    for (ty, value, bytes) in cases {
        assert_eq!(encode(&value), bytes);
        assert_eq!(codec::encoded_len(&value), bytes.len());
        assert_eq!(decode(&bytes, &ty), Ok(value));
    }
}

#[test]
fn signs_and_spaces_are_not_hex() {
    for text in ["0x+1+1", "0x-1", "0x+f", "0x 1", "0x1 ", "0x_1"] {
        assert_eq!(json::parse_hex(text), None, "{text}");
    }
    let address = format!("0x{}", "+1".repeat(20));
    let error = from_json(&json!(address), &Type::Address, &HexOnly).unwrap_err();
    assert!(error.to_string().contains("hex"), "{error}");
}

#[test]
fn sha3_input_of_one_string_or_bytes_is_its_bytes() {
    assert_eq!(
        codec::encode_for_hash(&[Value::String("ab".into())]),
        b"ab".to_vec()
    );
    assert_eq!(
        codec::encode_for_hash(&[Value::Bytes(vec![0xde, 0xad])]),
        vec![0xde, 0xad]
    );
    assert_eq!(json::hex(&[0xde, 0xad]), "0xdead");
}

#[test]
fn sha3_input_of_several_arguments_is_the_tuple_encoding() {
    let tuple = [
        Value::String("ab".into()),
        Value::Hash([7; 32]),
        Value::Int(1),
    ];
    let mut expected = 2u32.to_be_bytes().to_vec();
    expected.extend(b"ab");
    expected.extend([7; 32]);
    expected.extend(1i64.to_be_bytes());
    assert_eq!(codec::encode_for_hash(&tuple), expected);
    // Where one String ends is part of what is hashed.
    assert_ne!(
        codec::encode_for_hash(&[Value::String("ab".into()), Value::String("c".into())]),
        codec::encode_for_hash(&[Value::String("a".into()), Value::String("bc".into())]),
    );
}

#[test]
fn packed_sha3_input_concatenates_strings_and_bytes_raw() {
    let packed = codec::encode_packed(&[
        Value::String("ab".into()),
        Value::Hash([7; 32]),
        Value::Int(1),
    ]);
    let mut expected = b"ab".to_vec();
    expected.extend([7; 32]);
    expected.extend(1i64.to_be_bytes());
    assert_eq!(packed, expected);
}
