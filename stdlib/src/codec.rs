//! The canonical byte encoding of Assent values: used for arguments and results crossing
//! the host boundary, storage keys and values, event data, and `sha3` input.
//!
//! | type | bytes |
//! |---|---|
//! | `Bool` | one byte, `0` or `1` |
//! | `Int`, `Money`, `Percent`, `Time`, `Duration` | 8 bytes, big-endian two's complement |
//! | `Address`, `Hash` | the 20 or 32 bytes |
//! | `Bytes`, `String` | length as 4 bytes big-endian, then the bytes (UTF-8) |
//! | enum | the variant's ordinal, 4 bytes big-endian |
//! | record, tuple, `Decision` | the fields in order, concatenated |
//! | record or tuple with no fields | one byte, `0` |
//! | `T?` | `0` for none; `1` then the value |
//! | `List<T>`, `Set<T>` | count as 4 bytes big-endian, then the elements (a set sorted) |
//! | `Map<K, V>` | count, then key and value of each entry, sorted by key |
//!
//! Decoding is strict: exactly one encoding is accepted for each value (sets strictly
//! increasing, map keys strictly increasing, tags 0 or 1, valid UTF-8, no trailing bytes),
//! so equal values have equal bytes and equal hashes.
//!
//! No value encodes to zero bytes (LEDGER.md: a stored value is never empty): every leaf
//! takes at least one byte, and a record or tuple with no fields, the only value with
//! nothing to write, is written as [`EMPTY_RECORD`]. By induction every encoding is at
//! least one byte long.

use std::fmt;

use crate::value::{Type, Value};

/// The one byte a record or tuple with no fields encodes to, so that no value's encoding is
/// empty (the store refuses an empty value, and `state e: Empty = Empty {}` must deploy).
pub const EMPTY_RECORD: u8 = 0;

/// Appends the canonical encoding of `value` to `out`.
pub fn encode_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Record(fields) if fields.is_empty() => out.push(EMPTY_RECORD),
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::Int(n)
        | Value::Money(n)
        | Value::Percent(n)
        | Value::Time(n)
        | Value::Duration(n) => out.extend_from_slice(&n.to_be_bytes()),
        Value::Address(bytes) => out.extend_from_slice(bytes),
        Value::Hash(bytes) => out.extend_from_slice(bytes),
        Value::Bytes(bytes) => encode_bytes(bytes, out),
        Value::String(text) => encode_bytes(text.as_bytes(), out),
        Value::Enum(ordinal) => out.extend_from_slice(&ordinal.to_be_bytes()),
        Value::Record(fields) => fields.iter().for_each(|field| encode_into(field, out)),
        Value::Option(None) => out.push(0),
        Value::Option(Some(inner)) => {
            out.push(1);
            encode_into(inner, out);
        }
        Value::List(items) | Value::Set(items) => {
            encode_len(items.len(), out);
            items.iter().for_each(|item| encode_into(item, out));
        }
        Value::Map(entries) => {
            encode_len(entries.len(), out);
            for (key, value) in entries {
                encode_into(key, out);
                encode_into(value, out);
            }
        }
    }
}

/// The canonical encoding of `value`.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

/// The length of the canonical encoding of `value`, without building it (so a cost can
/// be charged before the bytes are made).
pub fn encoded_len(value: &Value) -> usize {
    match value {
        Value::Bool(_) => 1,
        Value::Int(_)
        | Value::Money(_)
        | Value::Percent(_)
        | Value::Time(_)
        | Value::Duration(_) => 8,
        Value::Address(_) => 20,
        Value::Hash(_) => 32,
        Value::Bytes(bytes) => 4 + bytes.len(),
        Value::String(text) => 4 + text.len(),
        Value::Enum(_) => 4,
        Value::Record(fields) if fields.is_empty() => 1,
        Value::Record(fields) => fields.iter().map(encoded_len).sum(),
        Value::Option(None) => 1,
        Value::Option(Some(inner)) => 1 + encoded_len(inner),
        Value::List(items) | Value::Set(items) => 4 + items.iter().map(encoded_len).sum::<usize>(),
        Value::Map(entries) => {
            4 + entries
                .iter()
                .map(|(key, value)| encoded_len(key) + encoded_len(value))
                .sum::<usize>()
        }
    }
}

/// The bytes `sha3(a, b, …)` hashes: with one `String` or `Bytes` argument, its bytes
/// (so `sha3(document)` is the Keccak-256 any tool computes for them); otherwise the
/// canonical encoding of the tuple of the arguments, in which every String, Bytes and
/// collection carries its length, so `sha3("ab", "c") != sha3("a", "bc")` (unlike
/// Solidity's `abi.encodePacked`).
pub fn encode_for_hash(arguments: &[Value]) -> Vec<u8> {
    match arguments {
        [Value::Bytes(bytes)] => bytes.clone(),
        [Value::String(text)] => text.as_bytes().to_vec(),
        _ => {
            let mut out = Vec::new();
            arguments
                .iter()
                .for_each(|argument| encode_into(argument, &mut out));
            out
        }
    }
}

/// The bytes the standard library's `sha3_packed(a, b, …)` hashes: each argument's
/// canonical encoding, except that a `String` or `Bytes` contributes its bytes without
/// their length. Ambiguous in general; `std.crypto.eth_signed` uses it for the EIP-191
/// prefix, whose form is fixed.
pub fn encode_packed(arguments: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for argument in arguments {
        match argument {
            Value::Bytes(bytes) => out.extend_from_slice(bytes),
            Value::String(text) => out.extend_from_slice(text.as_bytes()),
            other => encode_into(other, &mut out),
        }
    }
    out
}

fn encode_len(len: usize, out: &mut Vec<u8>) {
    // INVARIANT: values are built from inputs bounded far below 4 GiB (gas, memory limits).
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    encode_len(bytes.len(), out);
    out.extend_from_slice(bytes);
}

/// Why bytes are not the canonical encoding of a value of the expected type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset where decoding failed.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes exactly one value of type `ty` from `bytes`.
///
/// # Errors
/// When the bytes are truncated, have trailing bytes, or are not the canonical encoding.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut reader = Reader { bytes, offset: 0 };
    let value = reader.value(ty)?;
    if reader.offset != bytes.len() {
        return Err(reader.error(format!("{} trailing bytes", bytes.len() - reader.offset)));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl Reader<'_> {
    fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.offset,
            message: message.into(),
        }
    }

    fn take(&mut self, len: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .offset
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.error(format!("expected {len} more bytes, the input ends")))?;
        let slice = self.bytes.get(self.offset..end).unwrap_or_default();
        self.offset = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let slice = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A length or count; never more than the bytes left, so a forged count cannot make
    /// the decoder allocate or loop beyond the input's size.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let start = self.offset;
        let count = self.u32()? as usize;
        if count > self.bytes.len() - self.offset {
            return Err(DecodeError {
                offset: start,
                message: format!("length {count} exceeds the remaining input"),
            });
        }
        Ok(count)
    }

    fn tag(&mut self, what: &str) -> Result<bool, DecodeError> {
        match self.take(1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => {
                self.offset -= 1;
                Err(self.error(format!("{what} must be 0 or 1")))
            }
        }
    }

    /// A record or tuple with no fields: exactly the byte [`EMPTY_RECORD`].
    fn empty_record(&mut self) -> Result<Value, DecodeError> {
        match self.take(1)? {
            [EMPTY_RECORD] => Ok(Value::Record(Vec::new())),
            _ => {
                self.offset -= 1;
                Err(self.error(format!("a record with no fields must be {EMPTY_RECORD}")))
            }
        }
    }

    /// One value of each type, in order (allocated once: decoding stored records is on
    /// the path of every persistent-map read).
    fn values<'t>(
        &mut self,
        types: impl ExactSizeIterator<Item = &'t Type>,
    ) -> Result<Vec<Value>, DecodeError> {
        let mut values = Vec::with_capacity(types.len());
        for ty in types {
            values.push(self.value(ty)?);
        }
        Ok(values)
    }

    fn value(&mut self, ty: &Type) -> Result<Value, DecodeError> {
        Ok(match ty {
            Type::Bool => Value::Bool(self.tag("a Bool")?),
            Type::Int => Value::Int(self.i64()?),
            Type::Money => Value::Money(self.i64()?),
            Type::Percent => Value::Percent(self.i64()?),
            Type::Time => Value::Time(self.i64()?),
            Type::Duration => Value::Duration(self.i64()?),
            Type::Address => Value::Address(self.array()?),
            Type::Hash => Value::Hash(self.array()?),
            Type::Bytes => {
                let len = self.count()?;
                Value::Bytes(self.take(len)?.to_vec())
            }
            Type::String => {
                let len = self.count()?;
                let start = self.offset;
                let bytes = self.take(len)?.to_vec();
                Value::String(String::from_utf8(bytes).map_err(|_| DecodeError {
                    offset: start,
                    message: "a String is not valid UTF-8".into(),
                })?)
            }
            Type::Enum(enumeration) => {
                let start = self.offset;
                let ordinal = self.u32()?;
                if ordinal as usize >= enumeration.variants.len() {
                    return Err(DecodeError {
                        offset: start,
                        message: format!("{} has no variant {ordinal}", enumeration.name),
                    });
                }
                Value::Enum(ordinal)
            }
            Type::Record(record) if record.fields.is_empty() => self.empty_record()?,
            Type::Tuple(items) if items.is_empty() => self.empty_record()?,
            Type::Record(record) => {
                Value::Record(self.values(record.fields.iter().map(|(_, field)| field))?)
            }
            Type::Tuple(items) => Value::Record(self.values(items.iter())?),
            Type::Decision => {
                Value::Record(vec![self.value(&Type::Bool)?, self.value(&Type::String)?])
            }
            Type::Option(inner) => {
                if self.tag("an option tag")? {
                    Value::some(self.value(inner)?)
                } else {
                    Value::Option(None)
                }
            }
            Type::List(element) => {
                let count = self.count()?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.value(element)?);
                }
                Value::List(items)
            }
            Type::Set(element) => {
                let count = self.count()?;
                let mut items: Vec<Value> = Vec::with_capacity(count);
                for _ in 0..count {
                    let start = self.offset;
                    let item = self.value(element)?;
                    if items.last().is_some_and(|last| *last >= item) {
                        return Err(DecodeError {
                            offset: start,
                            message: "set elements are not strictly increasing".into(),
                        });
                    }
                    items.push(item);
                }
                Value::Set(items)
            }
            Type::Map(key_type, value_type) => {
                let count = self.count()?;
                let mut entries: Vec<(Value, Value)> = Vec::with_capacity(count);
                for _ in 0..count {
                    let start = self.offset;
                    let key = self.value(key_type)?;
                    if entries.last().is_some_and(|(last, _)| *last >= key) {
                        return Err(DecodeError {
                            offset: start,
                            message: "map keys are not strictly increasing".into(),
                        });
                    }
                    let value = self.value(value_type)?;
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
        })
    }
}
