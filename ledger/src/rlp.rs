//! Recursive Length Prefix encoding, hand-written, with a strict decoder.
//!
//! Written by hand rather than taken from a crate because the ledger needs a decoder that
//! rejects every non-canonical form with an error naming the offending byte offset
//! (LEDGER.md §2: minimal integers, minimal length prefixes, no trailing bytes), and
//! because the whole codec is small. `alloy-rlp` checks it in the tests.
//!
//! Decoding is lazy: [`decode`] reads one item's header and hands back its payload; a list's
//! items are read only when iterated. Nothing recurses, so no input can exhaust the stack.

use std::fmt;

/// Why bytes are not canonical RLP. Every offset counts from the start of the outermost input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RlpError {
    /// The input ends inside an item.
    UnexpectedEnd { offset: usize },
    /// A single byte below `0x80` written with a length prefix instead of as itself.
    NonCanonicalSingleByte { offset: usize },
    /// The long form used for a payload shorter than 56 bytes.
    NonCanonicalLength { offset: usize },
    /// A long-form length with a leading zero byte.
    LeadingZeroInLength { offset: usize },
    /// A length that does not fit in memory addresses.
    LengthOverflow { offset: usize },
    /// Bytes left over after the item (or after a list's last item, inside the list).
    TrailingBytes { offset: usize },
    /// A byte string where a list is required.
    ExpectedList { offset: usize },
    /// A list where a byte string is required.
    ExpectedBytes { offset: usize },
    /// An integer with a leading zero byte (zero itself is the empty string).
    IntegerLeadingZero { offset: usize },
    /// An integer longer than its type allows.
    IntegerTooLarge { offset: usize, max_bytes: usize },
    /// A byte string of the wrong fixed length (a hash, an address).
    WrongLength {
        offset: usize,
        expected: usize,
        got: usize,
    },
    /// A list with the wrong number of items.
    WrongItemCount {
        offset: usize,
        expected: usize,
        got: usize,
    },
}

impl fmt::Display for RlpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RlpError::UnexpectedEnd { offset } => {
                write!(f, "input ends inside the item at byte {offset}")
            }
            RlpError::NonCanonicalSingleByte { offset } => write!(
                f,
                "non-canonical RLP at byte {offset}: a single byte below 0x80 must be encoded as itself"
            ),
            RlpError::NonCanonicalLength { offset } => write!(
                f,
                "non-canonical RLP at byte {offset}: long length form used for fewer than 56 bytes"
            ),
            RlpError::LeadingZeroInLength { offset } => write!(
                f,
                "non-canonical RLP at byte {offset}: length has a leading zero byte"
            ),
            RlpError::LengthOverflow { offset } => {
                write!(f, "RLP length at byte {offset} is too large")
            }
            RlpError::TrailingBytes { offset } => {
                write!(f, "unexpected bytes after the RLP item, from byte {offset}")
            }
            RlpError::ExpectedList { offset } => {
                write!(
                    f,
                    "expected an RLP list at byte {offset}, found a byte string"
                )
            }
            RlpError::ExpectedBytes { offset } => {
                write!(
                    f,
                    "expected an RLP byte string at byte {offset}, found a list"
                )
            }
            RlpError::IntegerLeadingZero { offset } => write!(
                f,
                "non-canonical integer at byte {offset}: leading zero byte (zero is the empty string)"
            ),
            RlpError::IntegerTooLarge { offset, max_bytes } => write!(
                f,
                "integer at byte {offset} is longer than {max_bytes} bytes"
            ),
            RlpError::WrongLength {
                offset,
                expected,
                got,
            } => write!(
                f,
                "byte string at byte {offset} has {got} bytes, expected {expected}"
            ),
            RlpError::WrongItemCount {
                offset,
                expected,
                got,
            } => write!(
                f,
                "list at byte {offset} has {got} items, expected {expected}"
            ),
        }
    }
}

impl std::error::Error for RlpError {}

/// Whether an item is a byte string or a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bytes,
    List,
}

/// One decoded item: its kind and payload, not yet interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item<'a> {
    kind: Kind,
    payload: &'a [u8],
    /// Offset of the item's first byte in the outermost input.
    offset: usize,
    /// Offset of the payload's first byte in the outermost input.
    payload_offset: usize,
    /// The whole encoding, header included.
    raw: &'a [u8],
}

/// Decodes exactly one item spanning all of `input`.
///
/// # Errors
/// Any [`RlpError`] for malformed or non-canonical input, including trailing bytes.
pub fn decode(input: &[u8]) -> Result<Item<'_>, RlpError> {
    let (item, consumed) = decode_at(input, 0)?;
    if consumed != input.len() {
        return Err(RlpError::TrailingBytes { offset: consumed });
    }
    Ok(item)
}

/// Decodes the one item at the start of `input`; returns it and the bytes after it.
///
/// # Errors
/// Any [`RlpError`] for a malformed or non-canonical item.
pub fn decode_first(input: &[u8]) -> Result<(Item<'_>, &[u8]), RlpError> {
    let (item, consumed) = decode_at(input, 0)?;
    Ok((item, input.get(consumed..).unwrap_or_default()))
}

/// Reads one item at the start of `input` (which begins at `base` in the outermost input);
/// returns it and the number of bytes it occupies.
fn decode_at(input: &[u8], base: usize) -> Result<(Item<'_>, usize), RlpError> {
    let end = RlpError::UnexpectedEnd { offset: base };
    let first = *input.first().ok_or_else(|| end.clone())?;
    let (kind, header_len, payload_len) = match first {
        0x00..=0x7f => {
            let raw = input.get(..1).ok_or(end)?;
            let item = Item {
                kind: Kind::Bytes,
                payload: raw,
                offset: base,
                payload_offset: base,
                raw,
            };
            return Ok((item, 1));
        }
        0x80..=0xb7 => (Kind::Bytes, 1, usize::from(first - 0x80)),
        0xb8..=0xbf => {
            let len = read_long_length(input, usize::from(first - 0xb7), base)?;
            (Kind::Bytes, 1 + usize::from(first - 0xb7), len)
        }
        0xc0..=0xf7 => (Kind::List, 1, usize::from(first - 0xc0)),
        0xf8..=0xff => {
            let len = read_long_length(input, usize::from(first - 0xf7), base)?;
            (Kind::List, 1 + usize::from(first - 0xf7), len)
        }
    };
    let total = header_len
        .checked_add(payload_len)
        .ok_or(RlpError::LengthOverflow { offset: base })?;
    let raw = input.get(..total).ok_or(end)?;
    let payload = raw.get(header_len..).unwrap_or_default();
    if kind == Kind::Bytes && payload_len == 1 && payload.first().is_some_and(|b| *b < 0x80) {
        return Err(RlpError::NonCanonicalSingleByte { offset: base });
    }
    let item = Item {
        kind,
        payload,
        offset: base,
        payload_offset: base + header_len,
        raw,
    };
    Ok((item, total))
}

/// Reads the `len_of_len`-byte big-endian length after a long-form prefix.
fn read_long_length(input: &[u8], len_of_len: usize, base: usize) -> Result<usize, RlpError> {
    let bytes = input
        .get(1..1 + len_of_len)
        .ok_or(RlpError::UnexpectedEnd { offset: base })?;
    if bytes.first() == Some(&0) {
        return Err(RlpError::LeadingZeroInLength { offset: base + 1 });
    }
    let mut len: usize = 0;
    for byte in bytes {
        len = len
            .checked_mul(256)
            .and_then(|l| l.checked_add(usize::from(*byte)))
            .ok_or(RlpError::LengthOverflow { offset: base })?;
    }
    if len < 56 {
        return Err(RlpError::NonCanonicalLength { offset: base });
    }
    Ok(len)
}

impl<'a> Item<'a> {
    /// Whether this is a byte string or a list.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Offset of the item in the outermost input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The item's complete encoding, header included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The payload of a byte string.
    ///
    /// # Errors
    /// [`RlpError::ExpectedBytes`] for a list.
    pub fn bytes(&self) -> Result<&'a [u8], RlpError> {
        match self.kind {
            Kind::Bytes => Ok(self.payload),
            Kind::List => Err(RlpError::ExpectedBytes {
                offset: self.offset,
            }),
        }
    }

    /// A byte string of exactly `N` bytes.
    ///
    /// # Errors
    /// Not a byte string, or another length.
    pub fn fixed<const N: usize>(&self) -> Result<[u8; N], RlpError> {
        let bytes = self.bytes()?;
        <[u8; N]>::try_from(bytes).map_err(|_| RlpError::WrongLength {
            offset: self.offset,
            expected: N,
            got: bytes.len(),
        })
    }

    /// A minimal big-endian unsigned integer of at most `max_bytes` bytes, as its bytes.
    ///
    /// # Errors
    /// Not a byte string, a leading zero, or too long.
    pub fn uint_bytes(&self, max_bytes: usize) -> Result<&'a [u8], RlpError> {
        let bytes = self.bytes()?;
        if bytes.first() == Some(&0) {
            return Err(RlpError::IntegerLeadingZero {
                offset: self.offset,
            });
        }
        if bytes.len() > max_bytes {
            return Err(RlpError::IntegerTooLarge {
                offset: self.offset,
                max_bytes,
            });
        }
        Ok(bytes)
    }

    /// A minimal unsigned integer that fits in 64 bits.
    ///
    /// # Errors
    /// As [`Item::uint_bytes`].
    pub fn u64(&self) -> Result<u64, RlpError> {
        let bytes = self.uint_bytes(8)?;
        Ok(bytes
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)))
    }

    /// A minimal unsigned integer of at most 256 bits, left-padded to 32 bytes.
    ///
    /// # Errors
    /// As [`Item::uint_bytes`].
    pub fn u256(&self) -> Result<[u8; 32], RlpError> {
        let bytes = self.uint_bytes(32)?;
        let mut out = [0u8; 32];
        let start = 32 - bytes.len();
        if let Some(tail) = out.get_mut(start..) {
            tail.copy_from_slice(bytes);
        }
        Ok(out)
    }

    /// Iterates over the items of a list.
    ///
    /// # Errors
    /// [`RlpError::ExpectedList`] for a byte string.
    pub fn list(&self) -> Result<ListIter<'a>, RlpError> {
        match self.kind {
            Kind::List => Ok(ListIter {
                rest: self.payload,
                offset: self.payload_offset,
            }),
            Kind::Bytes => Err(RlpError::ExpectedList {
                offset: self.offset,
            }),
        }
    }

    /// All items of a list.
    ///
    /// # Errors
    /// Not a list, or a malformed item in it.
    pub fn items(&self) -> Result<Vec<Item<'a>>, RlpError> {
        self.list()?.collect()
    }

    /// Exactly `N` items of a list.
    ///
    /// # Errors
    /// Not a list, a malformed item, or another count.
    pub fn items_exact<const N: usize>(&self) -> Result<[Item<'a>; N], RlpError> {
        let items = self.items()?;
        let got = items.len();
        <[Item<'a>; N]>::try_from(items).map_err(|_| RlpError::WrongItemCount {
            offset: self.offset,
            expected: N,
            got,
        })
    }
}

/// The items of an RLP list, decoded one at a time.
#[derive(Clone, Debug)]
pub struct ListIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for ListIter<'a> {
    type Item = Result<Item<'a>, RlpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match decode_at(self.rest, self.offset) {
            Ok((item, consumed)) => {
                self.rest = self.rest.get(consumed..).unwrap_or_default();
                self.offset += consumed;
                Some(Ok(item))
            }
            Err(error) => {
                // Stop after the first error: the rest cannot be framed.
                self.rest = &[];
                Some(Err(error))
            }
        }
    }
}

/// Appends the encoding of the byte string `bytes`.
pub fn encode_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    match bytes {
        [single] if *single < 0x80 => out.push(*single),
        _ => {
            encode_header(out, 0x80, bytes.len());
            out.extend_from_slice(bytes);
        }
    }
}

/// Appends the encoding of an unsigned integer (minimal big-endian; zero is the empty string).
pub fn encode_u64(out: &mut Vec<u8>, value: u64) {
    encode_uint(out, &value.to_be_bytes());
}

/// Appends the encoding of a big-endian unsigned integer, stripping its leading zeros.
pub fn encode_uint(out: &mut Vec<u8>, big_endian: &[u8]) {
    let start = big_endian
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(big_endian.len());
    encode_bytes(out, big_endian.get(start..).unwrap_or_default());
}

/// Appends a list whose items' encodings, concatenated, are `payload`.
pub fn encode_list(out: &mut Vec<u8>, payload: &[u8]) {
    encode_header(out, 0xc0, payload.len());
    out.extend_from_slice(payload);
}

/// Appends a list header for a payload of `len` bytes.
pub fn encode_list_header(out: &mut Vec<u8>, len: usize) {
    encode_header(out, 0xc0, len);
}

fn encode_header(out: &mut Vec<u8>, short_base: u8, len: usize) {
    if len < 56 {
        // INVARIANT: len < 56, so the cast is lossless and the sum stays in u8.
        out.push(short_base + len as u8);
    } else {
        let be = len.to_be_bytes();
        let start = be.iter().position(|b| *b != 0).unwrap_or(be.len() - 1);
        let digits = be.get(start..).unwrap_or_default();
        // INVARIANT: at most 8 length bytes, so the sum stays in u8.
        out.push(short_base + 55 + digits.len() as u8);
        out.extend_from_slice(digits);
    }
}

/// Builds a list item by item: `ListBuilder::new().u64(1).bytes(b"x").finish()`.
#[derive(Clone, Debug, Default)]
pub struct ListBuilder {
    payload: Vec<u8>,
}

impl ListBuilder {
    /// An empty list.
    pub fn new() -> ListBuilder {
        ListBuilder::default()
    }

    /// Appends a byte string.
    pub fn bytes(mut self, bytes: &[u8]) -> ListBuilder {
        encode_bytes(&mut self.payload, bytes);
        self
    }

    /// Appends an unsigned integer.
    pub fn u64(mut self, value: u64) -> ListBuilder {
        encode_u64(&mut self.payload, value);
        self
    }

    /// Appends a big-endian unsigned integer, leading zeros stripped.
    pub fn uint(mut self, big_endian: &[u8]) -> ListBuilder {
        encode_uint(&mut self.payload, big_endian);
        self
    }

    /// Appends an already-encoded item.
    pub fn raw(mut self, encoded: &[u8]) -> ListBuilder {
        self.payload.extend_from_slice(encoded);
        self
    }

    /// The finished list's encoding.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload.len() + 9);
        encode_list(&mut out, &self.payload);
        out
    }
}

/// The encoding of one byte string.
pub fn bytes_item(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 9);
    encode_bytes(&mut out, bytes);
    out
}

/// The encoding of one unsigned integer.
pub fn u64_item(value: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(9);
    encode_u64(&mut out, value);
    out
}
