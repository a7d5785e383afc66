//! Persistent collections in key order: the *ordered form* of a key, and the walk that
//! finds the next entry of an ordered index through layers of pending writes.
//!
//! A `Map` or `Set` state that a contract iterates has, besides its elements, an ordered
//! index: one entry per element under `contract ‖ state ‖ ordered(key)`, holding the
//! key's canonical encoding. The ordered form ([`ordered_key`]) sorts bytewise exactly as
//! the language orders the values (numbers by value, strings and bytes
//! lexicographically, records field by field, `none` first, lists element by element),
//! and no ordered form is a prefix of another of the same type, so the entries whose
//! key starts with given tuple components are one contiguous range.

use std::collections::BTreeMap;

use crate::value::Value;

/// Appends the ordered form of `value` to `out`.
pub fn ordered_key_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::Int(n)
        | Value::Money(n)
        | Value::Percent(n)
        | Value::Time(n)
        | Value::Duration(n) => {
            // The sign bit flipped: negative numbers first, then bytewise is numeric.
            out.extend_from_slice(&((*n as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::Address(bytes) => out.extend_from_slice(bytes),
        Value::Hash(bytes) => out.extend_from_slice(bytes),
        Value::Bytes(bytes) => escaped(bytes, out),
        Value::String(text) => escaped(text.as_bytes(), out),
        Value::Enum(ordinal) => out.extend_from_slice(&ordinal.to_be_bytes()),
        Value::Record(fields) => fields.iter().for_each(|field| ordered_key_into(field, out)),
        Value::Option(None) => out.push(0),
        Value::Option(Some(inner)) => {
            out.push(1);
            ordered_key_into(inner, out);
        }
        Value::List(items) | Value::Set(items) => {
            for item in items {
                out.push(1);
                ordered_key_into(item, out);
            }
            out.push(0);
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                out.push(1);
                ordered_key_into(key, out);
                ordered_key_into(value, out);
            }
            out.push(0);
        }
    }
}

/// The ordered form of `value`.
pub fn ordered_key(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ordered_key_into(value, &mut out);
    out
}

/// Bytes with every `0x00` written `0x00 0xff`, then the end mark `0x00 0x00`: bytewise
/// order is kept, and the end mark makes a shorter string sort first and never leaves
/// one string's form a prefix of another's.
fn escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for byte in bytes {
        out.push(*byte);
        if *byte == 0 {
            out.push(0xff);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// The longest key of the ordered index: the ledger's bound on a trie key, so that
/// walking one stays shallow.
pub const MAX_INDEX_KEY_BYTES: usize = 256;

/// The smallest key after `key` and after every key that starts with it — the next key
/// of an index in which no key is a prefix of another (as ordered forms are not): the
/// last byte below `0xff` counted up, the `0xff`s after it dropped. `None` when every
/// byte is `0xff` (nothing comes after). Never longer than `key`, so it stays within
/// [`MAX_INDEX_KEY_BYTES`].
pub fn successor(key: &[u8]) -> Option<Vec<u8>> {
    let mut next = key.to_vec();
    while let Some(last) = next.pop() {
        if last < 0xff {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}

/// Writes pending over an ordered base: key → new value, or `None` for a removal.
pub type Layer = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A found entry: key and value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The first entry at or after `from`, if its key starts with `prefix` (which `from`
/// starts with, so the keys with the prefix after it are one range), as the `layers`
/// (whose keys, with the base's, are prefix-free: see [`successor`])
/// (oldest first, each over the ones before it) leave the `base`. `base(from)` answers
/// the same question for the base alone. Entries the layers removed but the walk passed
/// over on the way are counted in `skipped`, so that whoever pays for the walk pays for
/// them too.
///
/// # Errors
/// Whatever `base` fails with.
pub fn next_entry<E>(
    layers: &[&Layer],
    mut base: impl FnMut(&[u8]) -> Result<Option<Entry>, E>,
    from: &[u8],
    prefix: &[u8],
    skipped: &mut u64,
) -> Result<Option<Entry>, E> {
    let within = |key: &Vec<u8>| key.starts_with(prefix);
    let mut from = from.to_vec();
    let mut below: Option<Option<Entry>> = None;
    loop {
        // The base's next entry, asked again only once the walk has passed it.
        let below_entry = match below.take() {
            Some(entry) if entry.as_ref().is_none_or(|(key, _)| *key >= from) => entry,
            _ => base(&from)?.filter(|(key, _)| within(key)),
        };
        // The layers' next key: the smallest any of them has at or after `from`.
        let layered = layers
            .iter()
            .filter_map(|layer| layer.range(from.clone()..).next().map(|(key, _)| key))
            .filter(|key| within(key))
            .min()
            .cloned();
        match (layered, below_entry) {
            (None, below_entry) => return Ok(below_entry),
            (Some(key), Some(entry)) if entry.0 < key => return Ok(Some(entry)),
            (Some(key), below_entry) => {
                // The newest layer that has the key decides it.
                let value = layers
                    .iter()
                    .rev()
                    .find_map(|layer| layer.get(&key))
                    .cloned()
                    .flatten();
                if let Some(value) = value {
                    return Ok(Some((key, value)));
                }
                *skipped = skipped.saturating_add(1);
                let Some(next) = successor(&key) else {
                    return Ok(None);
                };
                from = next;
                below = Some(below_entry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            prop::collection::vec(
                prop_oneof![Just(0u8), Just(1), Just(0xff), any::<u8>()],
                0..5
            )
            .prop_map(Value::Bytes),
            "[a-c\\x00]{0,4}".prop_map(Value::String),
            (0u32..5).prop_map(Value::Enum),
        ]
    }

    /// Values of one shape, so that any two are of the same type.
    fn shaped(shape: u8) -> BoxedStrategy<Value> {
        match shape {
            0 => any::<i64>().prop_map(Value::Int).boxed(),
            1 => "[a-c\\x00]{0,4}".prop_map(Value::String).boxed(),
            2 => (any::<i64>(), "[ab]{0,3}")
                .prop_map(|(n, s)| Value::Record(vec![Value::Int(n), Value::String(s)]))
                .boxed(),
            3 => prop::option::of(any::<i64>())
                .prop_map(|o| Value::Option(o.map(|n| Arc::new(Value::Int(n)))))
                .boxed(),
            _ => prop::collection::vec((0u32..3).prop_map(Value::Enum), 0..4)
                .prop_map(Value::List)
                .boxed(),
        }
    }

    proptest! {
        #[test]
        fn the_ordered_form_sorts_as_the_values_do(
            (a, b) in (0u8..5).prop_flat_map(|shape| (shaped(shape), shaped(shape)))
        ) {
            let (ka, kb) = (ordered_key(&a), ordered_key(&b));
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            if a != b {
                prop_assert!(!ka.starts_with(&kb) && !kb.starts_with(&ka));
            }
        }

        #[test]
        fn a_tuple_prefix_is_a_prefix_of_its_keys(first in leaf(), second in leaf()) {
            let key = ordered_key(&Value::Record(vec![first.clone(), second]));
            prop_assert!(key.starts_with(&ordered_key(&first)));
        }

        #[test]
        fn the_walk_through_layers_agrees_with_the_merged_map(
            // Keys of one length: no key is a prefix of another, as in the index.
            base in prop::collection::btree_map(prop::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xff)], 3), Just(vec![1u8]), 0..12),
            layers in prop::collection::vec(
                prop::collection::btree_map(prop::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xff)], 3), prop::option::of(Just(vec![2u8])), 0..6),
                0..3,
            ),
            prefix in prop::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xff)], 0..2),
            rest in prop::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xff)], 0..2),
        ) {
            let mut merged = base.clone();
            for layer in &layers {
                for (key, value) in layer {
                    match value {
                        Some(value) => merged.insert(key.clone(), value.clone()),
                        None => merged.remove(key),
                    };
                }
            }
            // As the host asks: from a key that starts with the prefix.
            let from: Vec<u8> = prefix.iter().chain(&rest).copied().collect();
            let expected = merged
                .range(from.clone()..)
                .next()
                .filter(|(key, _)| key.starts_with(&prefix))
                .map(|(k, v)| (k.clone(), v.clone()));
            let refs: Vec<&Layer> = layers.iter().collect();
            let mut skipped = 0;
            let found = next_entry::<()>(
                &refs,
                |from| Ok(base.range(from.to_vec()..).next().map(|(k, v)| (k.clone(), v.clone()))),
                &from,
                &prefix,
                &mut skipped,
            )
            .unwrap();
            prop_assert_eq!(found, expected);
        }
    }
}
