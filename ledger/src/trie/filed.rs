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
use crate::rlp::{self, ListBuilder};

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

/// A node as filed: `encoding` followed by the versions of its children referenced by
/// hash, in child order (embedded children are skipped).
pub fn file<'a>(encoding: Vec<u8>, children: impl IntoIterator<Item = &'a Filed>) -> Vec<u8> {
    let mut versions = ListBuilder::new();
    for child in children {
        if matches!(child.reference, NodeRef::Hash(_)) {
            versions = versions.u64(child.version);
        }
    }
    let mut filed = encoding;
    filed.extend_from_slice(&versions.finish());
    filed
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
