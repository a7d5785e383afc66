//! Trie nodes as the Yellow Paper encodes them: leaf, extension and branch, and the
//! reference a parent holds to a child (its hash, or the child itself when shorter than 32
//! bytes).

use super::nibbles::Nibbles;
use crate::rlp::{self, Item, Kind};
use assent_stdlib::primitives::{Hash, keccak256};
use std::fmt;

/// How a parent refers to a child node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// The Keccak-256 of a node whose encoding is 32 bytes or longer.
    Hash(Hash),
    /// The complete encoding of a node shorter than 32 bytes, embedded in its parent.
    Inline(Vec<u8>),
}

impl NodeRef {
    /// The reference to a node with this encoding.
    pub fn for_encoding(encoding: Vec<u8>) -> NodeRef {
        if encoding.len() >= 32 {
            NodeRef::Hash(keccak256(&encoding))
        } else {
            NodeRef::Inline(encoding)
        }
    }

    /// Appends the reference as an item of the parent's list.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            NodeRef::Hash(hash) => rlp::encode_bytes(out, hash.as_bytes()),
            NodeRef::Inline(encoding) => out.extend_from_slice(encoding),
        }
    }

    /// Reads a child reference out of a parent's item; `None` for the empty string.
    fn decode(item: &Item<'_>) -> Result<Option<NodeRef>, NodeError> {
        match item.kind() {
            Kind::Bytes => {
                let bytes = item.bytes().map_err(NodeError::Rlp)?;
                if bytes.is_empty() {
                    Ok(None)
                } else {
                    Hash::from_slice(bytes)
                        .map(|hash| Some(NodeRef::Hash(hash)))
                        .ok_or(NodeError::BadChildReference)
                }
            }
            Kind::List => {
                let raw = item.raw();
                if raw.len() >= 32 {
                    return Err(NodeError::BadChildReference);
                }
                Ok(Some(NodeRef::Inline(raw.to_vec())))
            }
        }
    }
}

/// A decoded trie node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Leaf {
        path: Nibbles,
        value: Vec<u8>,
    },
    Extension {
        path: Nibbles,
        child: NodeRef,
    },
    Branch {
        children: Box<[Option<NodeRef>; 16]>,
        value: Option<Vec<u8>>,
    },
}

/// Why bytes are not a trie node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeError {
    Rlp(rlp::RlpError),
    /// A list of neither 2 nor 17 items.
    WrongItemCount(usize),
    /// A hex-prefix path with a bad flag or padding.
    BadPath,
    /// A child that is neither empty, a 32-byte hash, nor an embedded node under 32 bytes.
    BadChildReference,
    /// An extension with an empty path or no child, or a leaf with an empty value.
    Degenerate,
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::Rlp(error) => write!(f, "{error}"),
            NodeError::WrongItemCount(count) => {
                write!(f, "a trie node has 2 or 17 items, not {count}")
            }
            NodeError::BadPath => f.write_str("bad hex-prefix path in a trie node"),
            NodeError::BadChildReference => f.write_str("bad child reference in a trie node"),
            NodeError::Degenerate => f.write_str("degenerate trie node"),
        }
    }
}

impl Node {
    /// The node's RLP encoding.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Node::Leaf { path, value } => encode_leaf(path, value),
            Node::Extension { path, child } => encode_extension(path, child),
            Node::Branch { children, value } => encode_branch(children, value.as_deref()),
        }
    }

    /// Decodes a node's encoding.
    ///
    /// # Errors
    /// Malformed RLP or a shape no trie node has.
    pub fn decode(encoding: &[u8]) -> Result<Node, NodeError> {
        let item = rlp::decode(encoding).map_err(NodeError::Rlp)?;
        let items = item.items().map_err(NodeError::Rlp)?;
        match items.as_slice() {
            [path, second] => {
                let compact = path.bytes().map_err(NodeError::Rlp)?;
                let (path, is_leaf) = Nibbles::decode_compact(compact).ok_or(NodeError::BadPath)?;
                if is_leaf {
                    let value = second.bytes().map_err(NodeError::Rlp)?;
                    if value.is_empty() {
                        return Err(NodeError::Degenerate);
                    }
                    Ok(Node::Leaf {
                        path,
                        value: value.to_vec(),
                    })
                } else {
                    let child = NodeRef::decode(second)?.ok_or(NodeError::Degenerate)?;
                    if path.is_empty() {
                        return Err(NodeError::Degenerate);
                    }
                    Ok(Node::Extension { path, child })
                }
            }
            [rest @ .., value] if rest.len() == 16 => {
                let mut children: Box<[Option<NodeRef>; 16]> = Box::default();
                for (slot, item) in children.iter_mut().zip(rest) {
                    *slot = NodeRef::decode(item)?;
                }
                let value = value.bytes().map_err(NodeError::Rlp)?;
                Ok(Node::Branch {
                    children,
                    value: (!value.is_empty()).then(|| value.to_vec()),
                })
            }
            other => Err(NodeError::WrongItemCount(other.len())),
        }
    }
}

/// The encoding of a leaf node.
pub fn encode_leaf(path: &Nibbles, value: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(value.len() + path.len() / 2 + 8);
    rlp::encode_bytes(&mut payload, &path.encode_compact(true));
    rlp::encode_bytes(&mut payload, value);
    finish(&payload)
}

/// The encoding of an extension node.
pub fn encode_extension(path: &Nibbles, child: &NodeRef) -> Vec<u8> {
    let mut payload = Vec::with_capacity(path.len() / 2 + 40);
    rlp::encode_bytes(&mut payload, &path.encode_compact(false));
    child.encode_into(&mut payload);
    finish(&payload)
}

/// The encoding of a branch node.
pub fn encode_branch(children: &[Option<NodeRef>; 16], value: Option<&[u8]>) -> Vec<u8> {
    let mut payload = Vec::with_capacity(16 * 33 + 1);
    for child in children {
        match child {
            Some(child) => child.encode_into(&mut payload),
            None => payload.push(0x80),
        }
    }
    rlp::encode_bytes(&mut payload, value.unwrap_or_default());
    finish(&payload)
}

/// Room after a node's encoding for the versions a store files with it (see
/// [`super::filed`]): a list header and sixteen versions of up to four bytes.
const FILING_ROOM: usize = 3 + 16 * 4;

fn finish(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 3 + FILING_ROOM);
    rlp::encode_list(&mut out, payload);
    out
}
