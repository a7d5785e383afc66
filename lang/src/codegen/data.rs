//! Static data: string and byte literals, abort messages, source positions, enum tables.

use std::collections::BTreeMap;

use super::layout::DATA_START;
use crate::typed::Contract;

/// The bytes placed at [`DATA_START`], each distinct piece once.
pub struct StaticData {
    bytes: Vec<u8>,
    pieces: BTreeMap<Vec<u8>, u32>,
}

/// The address and length of a piece of static data.
#[derive(Clone, Copy, Debug)]
pub struct Piece {
    pub address: u32,
    pub len: u32,
}

impl StaticData {
    pub fn new() -> StaticData {
        StaticData {
            bytes: Vec::new(),
            pieces: BTreeMap::new(),
        }
    }

    /// The address of `bytes` in memory, adding them on first use.
    pub fn intern(&mut self, bytes: &[u8]) -> Piece {
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        if let Some(address) = self.pieces.get(bytes) {
            return Piece {
                address: *address,
                len,
            };
        }
        // Keep every piece 8-byte aligned so tables can be loaded with aligned reads.
        while !self.bytes.len().is_multiple_of(8) {
            self.bytes.push(0);
        }
        let address =
            DATA_START.saturating_add(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
        self.bytes.extend_from_slice(bytes);
        self.pieces.insert(bytes.to_vec(), address);
        Piece { address, len }
    }

    pub fn string(&mut self, text: &str) -> Piece {
        self.intern(text.as_bytes())
    }

    /// For every enum, a table of `u32` little-endian: entry `i` is one past the last
    /// descendant of variant `i` (what `x in v` compares against when `v` is not a literal).
    pub fn enum_tables(&mut self, contract: &Contract) -> Vec<u32> {
        contract
            .enums
            .iter()
            .map(|def| {
                let table: Vec<u8> = def
                    .variants
                    .iter()
                    .flat_map(|variant| variant.end.to_le_bytes())
                    .collect();
                // A distinct prefix keeps equal tables of two enums apart (harmless either way).
                self.intern(&table).address
            })
            .collect()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}
