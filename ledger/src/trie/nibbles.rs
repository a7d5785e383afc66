//! Nibble paths and their hex-prefix ("compact") encoding, Yellow Paper appendix C.

/// A path of 4-bit nibbles, one per byte, each below 16.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Nibbles(Vec<u8>);

impl Nibbles {
    /// The empty path.
    pub fn new() -> Nibbles {
        Nibbles(Vec::new())
    }

    /// The path of `bytes`: each byte becomes its high nibble, then its low one.
    pub fn from_bytes(bytes: &[u8]) -> Nibbles {
        let mut nibbles = Vec::with_capacity(bytes.len() * 2);
        for byte in bytes {
            nibbles.push(byte >> 4);
            nibbles.push(byte & 0x0f);
        }
        Nibbles(nibbles)
    }

    /// A path from nibble values; `None` if one is 16 or more.
    pub fn from_nibbles(nibbles: &[u8]) -> Option<Nibbles> {
        nibbles
            .iter()
            .all(|n| *n < 16)
            .then(|| Nibbles(nibbles.to_vec()))
    }

    /// The nibbles.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The number of nibbles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the path is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The path from nibble `start` on.
    pub fn slice_from(&self, start: usize) -> Nibbles {
        Nibbles(self.0.get(start..).unwrap_or_default().to_vec())
    }

    /// The first `end` nibbles.
    pub fn slice_to(&self, end: usize) -> Nibbles {
        Nibbles(self.0.get(..end).unwrap_or(&self.0).to_vec())
    }

    /// The nibble at `index`.
    pub fn at(&self, index: usize) -> Option<u8> {
        self.0.get(index).copied()
    }

    /// `self` followed by `other`.
    pub fn join(&self, other: &[u8]) -> Nibbles {
        let mut nibbles = Vec::with_capacity(self.0.len() + other.len());
        nibbles.extend_from_slice(&self.0);
        nibbles.extend_from_slice(other);
        Nibbles(nibbles)
    }

    /// `self` followed by one nibble, then `other`.
    pub fn join_with(&self, nibble: u8, other: &[u8]) -> Nibbles {
        let mut nibbles = Vec::with_capacity(self.0.len() + 1 + other.len());
        nibbles.extend_from_slice(&self.0);
        nibbles.push(nibble);
        nibbles.extend_from_slice(other);
        Nibbles(nibbles)
    }

    /// The hex-prefix encoding, with the leaf flag for a leaf's path.
    pub fn encode_compact(&self, is_leaf: bool) -> Vec<u8> {
        let flag: u8 = if is_leaf { 2 } else { 0 };
        let mut out = Vec::with_capacity(self.0.len() / 2 + 1);
        let rest = if self.0.len() % 2 == 1 {
            let first = self.0.first().copied().unwrap_or(0);
            out.push(((flag + 1) << 4) | first);
            self.0.get(1..).unwrap_or_default()
        } else {
            out.push(flag << 4);
            &self.0[..]
        };
        for pair in rest.chunks_exact(2) {
            if let [high, low] = pair {
                out.push((high << 4) | low);
            }
        }
        out
    }

    /// Decodes a hex-prefix encoding into the path and the leaf flag. Strict: the flag
    /// nibble is 0–3 and the padding nibble of an even path is zero.
    pub fn decode_compact(encoded: &[u8]) -> Option<(Nibbles, bool)> {
        let (first, rest) = encoded.split_first()?;
        let flag = first >> 4;
        let is_leaf = match flag {
            0 | 1 => false,
            2 | 3 => true,
            _ => return None,
        };
        let mut nibbles = Vec::with_capacity(rest.len() * 2 + 1);
        if flag % 2 == 1 {
            nibbles.push(first & 0x0f);
        } else if first & 0x0f != 0 {
            return None;
        }
        for byte in rest {
            nibbles.push(byte >> 4);
            nibbles.push(byte & 0x0f);
        }
        Some((Nibbles(nibbles), is_leaf))
    }

    /// The length of the longest common prefix of two nibble slices.
    pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
        a.iter().zip(b).take_while(|(x, y)| x == y).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_encoding_matches_the_yellow_paper_examples() {
        let cases: [(&[u8], bool, &[u8]); 4] = [
            (&[1, 2, 3, 4, 5], false, &[0x11, 0x23, 0x45]),
            (&[0, 1, 2, 3, 4, 5], false, &[0x00, 0x01, 0x23, 0x45]),
            (&[0, 15, 1, 12, 11, 8], true, &[0x20, 0x0f, 0x1c, 0xb8]),
            (&[15, 1, 12, 11, 8], true, &[0x3f, 0x1c, 0xb8]),
        ];
        for (path, leaf, encoded) in cases {
            let nibbles = Nibbles::from_nibbles(path).unwrap();
            assert_eq!(nibbles.encode_compact(leaf), encoded);
            assert_eq!(Nibbles::decode_compact(encoded), Some((nibbles, leaf)));
        }
    }

    #[test]
    fn compact_decoding_rejects_bad_flags_and_padding() {
        assert_eq!(Nibbles::decode_compact(&[0x40]), None);
        assert_eq!(Nibbles::decode_compact(&[0x01]), None);
        assert_eq!(Nibbles::decode_compact(&[]), None);
    }
}
