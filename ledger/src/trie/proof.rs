//! Inclusion and absence proofs in the form of `eth_getProof`: the encodings of the nodes
//! from the root to the entry (or to where its absence shows), root first; a node embedded
//! in its parent is not listed separately.

use super::filed::{self, Filed, Version};
use super::nibbles::Nibbles;
use super::node::{Node, NodeError, NodeRef};
use super::{NodeStore, TrieError, check_key};
use assent_stdlib::primitives::{Hash, keccak256};
use std::fmt;

/// The proof of `key` (a trie path as bytes; for the state, `keccak256(raw_key)`) in the
/// trie with this root, filed at `version`, read from the store. Works at any root the
/// store holds.
///
/// # Errors
/// A node missing from the store or corrupt, or a key that is too long.
pub fn prove(
    store: &dyn NodeStore,
    root: Hash,
    version: Version,
    key: &[u8],
) -> Result<Vec<Vec<u8>>, TrieError> {
    check_key(key)?;
    let mut proof = Vec::new();
    if root == Hash::EMPTY_ROOT {
        return Ok(proof);
    }
    let path = Nibbles::from_bytes(key);
    let mut rest = path.as_slice();
    let mut next = Filed::new(NodeRef::Hash(root), version);
    loop {
        let corrupt = |hash: Option<Hash>| move |error| TrieError::CorruptNode { hash, error };
        let (node, versions) = match next.reference {
            NodeRef::Hash(hash) => {
                let stored = store
                    .node(&hash, next.version)?
                    .ok_or(TrieError::MissingNode(hash))?;
                let (encoding, versions) = filed::unfile(&stored).map_err(corrupt(Some(hash)))?;
                proof.push(encoding.to_vec());
                (
                    Node::decode(encoding).map_err(corrupt(Some(hash)))?,
                    versions,
                )
            }
            NodeRef::Inline(encoding) => {
                (Node::decode(&encoding).map_err(corrupt(None))?, Vec::new())
            }
        };
        let child = match node {
            Node::Leaf { .. } => return Ok(proof),
            Node::Extension { path, child } => match rest.strip_prefix(path.as_slice()) {
                Some(after) => {
                    rest = after;
                    filed::pair([Some(child)], &versions).pop().flatten()
                }
                None => return Ok(proof),
            },
            Node::Branch { children, .. } => {
                let Some((nibble, after)) = rest.split_first() else {
                    return Ok(proof);
                };
                rest = after;
                filed::pair(*children, &versions)
                    .into_iter()
                    .nth(usize::from(*nibble))
                    .flatten()
            }
        };
        match child {
            Some(child) => next = child,
            None => return Ok(proof),
        }
    }
}

/// Why a proof does not check out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// The node at `index` does not hash to the reference its parent (or the root) gives.
    HashMismatch {
        index: usize,
        expected: Hash,
        got: Hash,
    },
    /// The proof ends before the walk does.
    MissingNode { index: usize },
    /// A node in the proof does not decode.
    BadNode { index: usize, error: NodeError },
    /// Nodes left over after the walk ended.
    UnusedNodes { count: usize },
    /// The proven value differs from the one claimed.
    ValueMismatch {
        expected: Option<Vec<u8>>,
        got: Option<Vec<u8>>,
    },
    /// A key longer than the trie allows.
    KeyTooLong(usize),
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::HashMismatch {
                index,
                expected,
                got,
            } => write!(
                f,
                "proof node {index} hashes to {got}, but its parent refers to {expected}"
            ),
            ProofError::MissingNode { index } => {
                write!(f, "the proof ends at node {index} before reaching the key")
            }
            ProofError::BadNode { index, error } => write!(f, "proof node {index}: {error}"),
            ProofError::UnusedNodes { count } => {
                write!(f, "{count} proof nodes are not on the key's path")
            }
            ProofError::ValueMismatch { expected, got } => write!(
                f,
                "the proof shows {}, not {}",
                describe(got.as_deref()),
                describe(expected.as_deref())
            ),
            ProofError::KeyTooLong(len) => write!(f, "proof key of {len} bytes is too long"),
        }
    }
}

fn describe(value: Option<&[u8]>) -> String {
    match value {
        Some(value) => format!("the value {}", assent_stdlib::primitives::encode_hex(value)),
        None => "absence".to_owned(),
    }
}

impl std::error::Error for ProofError {}

/// Checks a proof of `key` against `root` and returns what it proves: the value, or `None`
/// for absence. Works on untrusted proofs: every node is hash-checked before it is read,
/// and the walk is a loop, not recursion.
///
/// # Errors
/// A [`ProofError`] when the proof does not connect `root` to the key's value or absence.
pub fn verify_proof(
    root: Hash,
    key: &[u8],
    proof: &[Vec<u8>],
) -> Result<Option<Vec<u8>>, ProofError> {
    if key.len() > super::MAX_KEY_BYTES {
        return Err(ProofError::KeyTooLong(key.len()));
    }
    if root == Hash::EMPTY_ROOT && proof.is_empty() {
        return Ok(None);
    }
    let path = Nibbles::from_bytes(key);
    let mut rest = path.as_slice();
    let mut next = NodeRef::Hash(root);
    let mut used = 0;
    let value = loop {
        let encoding: &[u8] = match &next {
            NodeRef::Hash(expected) => {
                let encoding = proof
                    .get(used)
                    .ok_or(ProofError::MissingNode { index: used })?;
                let got = keccak256(encoding);
                if got != *expected {
                    return Err(ProofError::HashMismatch {
                        index: used,
                        expected: *expected,
                        got,
                    });
                }
                used += 1;
                encoding
            }
            NodeRef::Inline(encoding) => encoding,
        };
        let node = Node::decode(encoding).map_err(|error| ProofError::BadNode {
            index: used.saturating_sub(1),
            error,
        })?;
        next = match node {
            Node::Leaf { path, value } => break (path.as_slice() == rest).then_some(value),
            Node::Extension { path, child } => match rest.strip_prefix(path.as_slice()) {
                Some(after) => {
                    rest = after;
                    child
                }
                None => break None,
            },
            Node::Branch { children, value } => match rest.split_first() {
                None => break value,
                Some((nibble, after)) => {
                    rest = after;
                    match children.get(usize::from(*nibble)).cloned().flatten() {
                        Some(child) => child,
                        None => break None,
                    }
                }
            },
        };
    };
    if used != proof.len() {
        return Err(ProofError::UnusedNodes {
            count: proof.len() - used,
        });
    }
    Ok(value)
}

/// Checks that a proof shows exactly `expected` (a value, or `None` for absence) at `key`.
///
/// # Errors
/// As [`verify_proof`], or [`ProofError::ValueMismatch`].
pub fn verify_value(
    root: Hash,
    key: &[u8],
    expected: Option<&[u8]>,
    proof: &[Vec<u8>],
) -> Result<(), ProofError> {
    let got = verify_proof(root, key, proof)?;
    if got.as_deref() == expected {
        Ok(())
    } else {
        Err(ProofError::ValueMismatch {
            expected: expected.map(<[u8]>::to_vec),
            got,
        })
    }
}
