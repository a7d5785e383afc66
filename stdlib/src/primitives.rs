//! Hashes, addresses and Keccak-256: the fixed-size values every crate shares.

use sha3::{Digest, Keccak256};
use std::fmt;

/// A Keccak-256 digest: a trie node reference, a state root, a block or transaction hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

/// The 20-byte Ethereum-style account or contract address (LEDGER.md §1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Address(pub [u8; 20]);

/// Keccak-256 of `bytes`.
pub fn keccak256(bytes: &[u8]) -> Hash {
    Hash(Keccak256::digest(bytes).into())
}

/// Keccak-256 of the concatenation of `parts`, without copying them together first.
pub fn keccak256_concat(parts: &[&[u8]]) -> Hash {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    Hash(hasher.finalize().into())
}

impl Hash {
    /// The root of the empty trie: `keccak256(rlp(""))`.
    pub const EMPTY_ROOT: Hash = Hash([
        0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8,
        0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63,
        0xb4, 0x21,
    ]);

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a hash from exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        <[u8; 32]>::try_from(bytes).ok().map(Hash)
    }
}

impl Address {
    /// The reserved address under which system entries live; no contract can have it.
    pub const ZERO: Address = Address([0; 20]);

    /// The address's bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Reads an address from exactly 20 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Address> {
        <[u8; 20]>::try_from(bytes).ok().map(Address)
    }

    /// Parses `0x` followed by 40 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Address> {
        let bytes = decode_hex(text)?;
        Address::from_slice(&bytes)
    }
}

impl Hash {
    /// Parses `0x` followed by 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Hash> {
        let bytes = decode_hex(text)?;
        Hash::from_slice(&bytes)
    }
}

/// Lowercase hex with a `0x` prefix, the form used over RPC and in JSON.
pub fn encode_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("0x");
    for byte in bytes {
        text.push(hex_digit(byte >> 4));
        text.push(hex_digit(byte & 0x0f));
    }
    text
}

fn hex_digit(value: u8) -> char {
    char::from_digit(u32::from(value), 16).unwrap_or('0')
}

/// Decodes hex with an optional `0x` prefix; `None` on an odd length or a non-hex digit.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Some((hex_value(*high)? << 4) | hex_value(*low)?),
            _ => None,
        })
        .collect()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_keccak_of_the_empty_rlp_string() {
        assert_eq!(keccak256(&[0x80]), Hash::EMPTY_ROOT);
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_digits() {
        assert_eq!(encode_hex(&[0x00, 0xab, 0xff]), "0x00abff");
        assert_eq!(decode_hex("0x00ABff"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(decode_hex("0x0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("0x+1+1"), None);
    }

    /// The reference: an optional `0x`, then pairs of `[0-9a-fA-F]` and nothing else.
    fn reference_hex(text: &str) -> Option<Vec<u8>> {
        let digits: Vec<char> = text.strip_prefix("0x").unwrap_or(text).chars().collect();
        if !digits.len().is_multiple_of(2) || !digits.iter().all(char::is_ascii_hexdigit) {
            return None;
        }
        digits
            .chunks(2)
            .map(|pair| u8::try_from(pair[0].to_digit(16)? * 16 + pair[1].to_digit(16)?).ok())
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn hex_is_parsed_strictly(text in "(0x|0X|0|x|)[0-9a-fA-F+\\- _xgG]{0,12}") {
            proptest::prop_assert_eq!(decode_hex(&text), reference_hex(&text));
        }
    }
}
