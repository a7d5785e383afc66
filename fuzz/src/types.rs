//! Value types drawn from fuzzer bytes, for the `codec` and `json` targets.
//!
//! An input is framed as `n ‖ descriptor (n bytes) ‖ payload`: the descriptor spells a
//! type in prefix form, one byte per node (the byte modulo 18 picks the kind, see
//! [`read_type`]), and the payload is what the target decodes against it. Framing the
//! descriptor by its length keeps a mutation of the type from shifting the payload.

use std::sync::Arc;

use assent_stdlib::value::{EnumType, RecordType, Type};

/// How many nodes deep a drawn type may nest; deeper, every node is a scalar. Types in
/// contracts are bounded too (`MAX_TYPE_DEPTH` in the ABI), and shallow types keep the
/// fuzzer on the codec rather than on type shapes.
const MAX_DEPTH: u32 = 5;

/// Splits an input into its type and its payload.
pub fn split(data: &[u8]) -> (Type, &[u8]) {
    let (len, rest) = match data.split_first() {
        Some((len, rest)) => (usize::from(*len).min(rest.len()), rest),
        None => (0, data),
    };
    let (descriptor, payload) = rest.split_at(len);
    let mut reader = Reader {
        bytes: descriptor,
        position: 0,
    };
    (read_type(&mut reader, 0), payload)
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Reader<'_> {
    /// The next byte; zero once the descriptor is exhausted (so every descriptor spells
    /// a finite type).
    fn next(&mut self) -> u8 {
        let byte = self.bytes.get(self.position).copied().unwrap_or(0);
        self.position += 1;
        byte
    }
}

/// One type in prefix form: 0 `Bool`, 1 `Int`, 2 `Money`, 3 `Percent`, 4 `Time`,
/// 5 `Duration`, 6 `Address`, 7 `Hash`, 8 `Bytes`, 9 `String`, 10 an enum (next byte:
/// 1–4 variants), 11 a record (next byte: 0–3 fields, then each field's type),
/// 12 `T?`, 13 `List<T>`, 14 `Set<T>`, 15 `Map<K, V>`, 16 a tuple (next byte: 2–3 items, then each item's type),
/// 17 `Decision`.
fn read_type(reader: &mut Reader<'_>, depth: u32) -> Type {
    let kind = reader.next() % 18;
    let kind = if depth >= MAX_DEPTH { kind % 10 } else { kind };
    let inner = |reader: &mut Reader<'_>| Box::new(read_type(reader, depth + 1));
    match kind {
        0 => Type::Bool,
        1 => Type::Int,
        2 => Type::Money,
        3 => Type::Percent,
        4 => Type::Time,
        5 => Type::Duration,
        6 => Type::Address,
        7 => Type::Hash,
        8 => Type::Bytes,
        9 => Type::String,
        10 => {
            let count = usize::from(reader.next() % 4) + 1;
            Type::Enum(Arc::new(EnumType {
                name: "E".into(),
                variants: (0..count).map(|index| format!("V{index}")).collect(),
            }))
        }
        11 => {
            let count = reader.next() % 4;
            let fields = (0..count)
                .map(|index| (format!("f{index}"), read_type(reader, depth + 1)))
                .collect();
            Type::Record(Arc::new(RecordType {
                name: "R".into(),
                fields,
            }))
        }
        12 => Type::Option(inner(reader)),
        13 => Type::List(inner(reader)),
        14 => Type::Set(inner(reader)),
        15 => {
            let key = inner(reader);
            // A map key is never a map (the checker's rule, and the ABI's).
            let key = match *key {
                Type::Map(..) => Box::new(Type::Int),
                key => Box::new(key),
            };
            Type::Map(key, inner(reader))
        }
        16 => {
            let count = reader.next() % 2 + 2;
            Type::Tuple((0..count).map(|_| read_type(reader, depth + 1)).collect())
        }
        _ => Type::Decision,
    }
}
