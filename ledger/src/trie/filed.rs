//! How a node is filed in a [`NodeStore`](super::NodeStore): its encoding, then the
//! versions its hashed children were filed at.
//!
//! A store files a node under the version of the commit that made it (in the ledger, the
//! block number) as well as its hash, so that the nodes of one block lie together and a
//! block's commit appends instead of landing on random pages of an ever larger index. To
//! find a child, a reader needs its version as well as its hash: the parent carries it,
//! after its own encoding, as an RLP list of integers, one per child referenced by hash,
//! in child order. The encoding is what is hashed and proven; the versions never are.

use super::node::{NodeError, NodeRef};
use crate::rlp;

/// The version a commit files its new nodes under (the ledger: the block number).
pub type Version = u64;

/// A reference to a child together with the version it is filed at (`0`, unused, for a
/// child embedded in its parent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filed {
    pub reference: NodeRef,
    pub version: Version,
}

impl Filed {
    pub fn new(reference: NodeRef, version: Version) -> Filed {
        Filed { reference, version }
    }
}

/// The versions of a node's children referenced by hash, in child order (at most 16),
/// gathered without allocating.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChildVersions {
    versions: [Version; 16],
    len: usize,
}

impl ChildVersions {
    /// Adds the version of `child` if it is referenced by hash.
    pub fn push(&mut self, child: &NodeRef, version: Version) {
        if matches!(child, NodeRef::Hash(_))
            && let Some(slot) = self.versions.get_mut(self.len)
        {
            *slot = version;
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[Version] {
        self.versions.get(..self.len).unwrap_or_default()
    }
}

/// A node as filed: `encoding` followed by the versions of its children referenced by
/// hash, as an RLP list of integers.
pub fn file(mut encoding: Vec<u8>, versions: &ChildVersions) -> Vec<u8> {
    // Each version takes at most 9 bytes; written on the stack, then appended once.
    let mut payload = [0u8; 16 * 9];
    let mut len = 0;
    for version in versions.as_slice() {
        let bytes = version.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        let item: &[u8] = match significant {
            [] => &[0x80],
            [single] if *single < 0x80 => significant,
            _ => {
                // INVARIANT: at most 8 significant bytes, so the prefix is 0x81..=0x88.
                if let Some(prefix) = payload.get_mut(len) {
                    *prefix = 0x80 + significant.len() as u8;
                    len += 1;
                }
                significant
            }
        };
        if let Some(out) = payload.get_mut(len..len + item.len()) {
            out.copy_from_slice(item);
            len += item.len();
        }
    }
    rlp::encode_list(&mut encoding, payload.get(..len).unwrap_or_default());
    encoding
}

/// Pairs a decoded node's children with the versions [`unfile`] read, in order: each child
/// referenced by hash takes the next version (`0` when the list is short).
pub fn pair(
    children: impl IntoIterator<Item = Option<NodeRef>>,
    versions: &[Version],
) -> Vec<Option<Filed>> {
    let mut versions = versions.iter().copied();
    children
        .into_iter()
        .map(|child| {
            child.map(|reference| {
                let version = match reference {
                    NodeRef::Hash(_) => versions.next().unwrap_or(0),
                    NodeRef::Inline(_) => 0,
                };
                Filed::new(reference, version)
            })
        })
        .collect()
}

/// Splits a filed node into its encoding and its hashed children's versions, in order.
/// Bytes with nothing after the encoding (a node filed by a store that keeps no
/// versions, such as a test's map) read as children all at version 0.
///
/// # Errors
/// Bytes that are neither.
pub fn unfile(filed: &[u8]) -> Result<(&[u8], Vec<Version>), NodeError> {
    let (node, rest) = rlp::decode_first(filed).map_err(NodeError::Rlp)?;
    if rest.is_empty() {
        return Ok((node.raw(), Vec::new()));
    }
    let versions = rlp::decode(rest)
        .and_then(|list| list.items())
        .and_then(|items| items.iter().map(rlp::Item::u64).collect())
        .map_err(NodeError::Rlp)?;
    Ok((node.raw(), versions))
}
