//! The hexary Merkle Patricia trie of the Ethereum Yellow Paper, appendix D.
//!
//! A [`Trie`] is a working copy of one version of the trie. Nodes are read lazily from a
//! [`NodeStore`], where every node ever committed stays, addressed by its hash, so that any
//! past root can be read and proven. Changes are made in memory; [`Trie::commit`] hashes only
//! the nodes on changed paths (an unchanged subtree keeps the reference it had) and hands back
//! the new nodes for the caller to persist — in the ledger, in the same write transaction as
//! the block.
//!
//! Keys are bytes; the path of a key is its nibbles. The ledger's state uses the secure
//! form (path = `keccak256(raw_key)`, see [`secure_key`]); transaction and receipt tries
//! use plain keys.

mod nibbles;
mod node;
mod proof;

pub use nibbles::Nibbles;
pub use node::{Node, NodeError, NodeRef};
pub use proof::{ProofError, prove, verify_proof, verify_value};

use crate::ledger::primitives::{Hash, keccak256};
use crate::ledger::store::StoreError;
use std::collections::BTreeMap;
use std::fmt;

/// Longest key a trie accepts. Trie operations recurse once per nibble, so this bounds the
/// stack they use. Ledger keys are 32-byte hashes or short RLP integers.
pub const MAX_KEY_BYTES: usize = 256;

/// Where committed trie nodes live, addressed by the Keccak-256 of their encoding.
pub trait NodeStore {
    /// The encoding of the node with this hash, if stored.
    ///
    /// # Errors
    /// A fault of the underlying storage.
    fn node(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError>;
}

/// An in-memory node store: tests, benchmarks, tries built for one computation.
impl NodeStore for BTreeMap<Hash, Vec<u8>> {
    fn node(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(hash).cloned())
    }
}

/// The trie path of a raw state key: its Keccak-256 hash ("secure" keying, LEDGER.md §3).
pub fn secure_key(raw_key: &[u8]) -> Hash {
    keccak256(raw_key)
}

/// What can go wrong reading or changing a trie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrieError {
    /// A node the trie refers to is not in the store.
    MissingNode(Hash),
    /// A stored node does not decode.
    CorruptNode {
        hash: Option<Hash>,
        error: NodeError,
    },
    /// A key longer than [`MAX_KEY_BYTES`].
    KeyTooLong(usize),
    /// The empty value: the trie cannot hold one (removing is how a key is cleared).
    EmptyValue,
    /// The node store failed.
    Store(StoreError),
}

impl fmt::Display for TrieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrieError::MissingNode(hash) => write!(f, "trie node {hash} is not in the store"),
            TrieError::CorruptNode {
                hash: Some(hash),
                error,
            } => write!(f, "trie node {hash} is corrupt: {error}"),
            TrieError::CorruptNode { hash: None, error } => {
                write!(f, "an embedded trie node is corrupt: {error}")
            }
            TrieError::KeyTooLong(len) => write!(
                f,
                "trie key of {len} bytes is longer than the limit of {MAX_KEY_BYTES}"
            ),
            TrieError::EmptyValue => f.write_str("the trie cannot hold an empty value"),
            TrieError::Store(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for TrieError {}

impl From<StoreError> for TrieError {
    fn from(error: StoreError) -> Self {
        TrieError::Store(error)
    }
}

/// The result of [`Trie::commit`]: the new root and the nodes created since the last commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    pub root: Hash,
    /// Every new node whose encoding is 32 bytes or more, and the root node, by hash.
    pub nodes: Vec<(Hash, Vec<u8>)>,
}

/// A working copy of one version of the trie.
#[derive(Debug)]
pub struct Trie {
    root: Slot,
}

/// A child position: empty, a reference not yet read from the store, or a node in memory.
#[derive(Debug)]
enum Slot {
    Empty,
    Ref(NodeRef),
    Loaded(Box<Loaded>),
}

#[derive(Debug)]
struct Loaded {
    node: MemNode,
    /// The node's reference as last committed; `None` once it changed (it is dirty).
    committed: Option<NodeRef>,
}

#[derive(Debug)]
enum MemNode {
    Leaf {
        path: Nibbles,
        value: Vec<u8>,
    },
    Extension {
        path: Nibbles,
        child: Slot,
    },
    Branch {
        children: Box<[Slot; 16]>,
        value: Option<Vec<u8>>,
    },
}

impl Default for Trie {
    fn default() -> Self {
        Trie::new()
    }
}

impl Trie {
    /// The empty trie.
    pub fn new() -> Trie {
        Trie { root: Slot::Empty }
    }

    /// The trie with this root, read from the node store as needed.
    pub fn at(root: Hash) -> Trie {
        if root == Hash::EMPTY_ROOT {
            Trie::new()
        } else {
            Trie {
                root: Slot::Ref(NodeRef::Hash(root)),
            }
        }
    }

    /// The value at `key`.
    ///
    /// # Errors
    /// A missing or corrupt node, a store fault, or a key that is too long.
    pub fn get(&self, store: &dyn NodeStore, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        check_key(key)?;
        let path = Nibbles::from_bytes(key);
        let mut rest = path.as_slice();
        let mut slot = &self.root;
        loop {
            let node = match slot {
                Slot::Empty => return Ok(None),
                Slot::Loaded(loaded) => &loaded.node,
                Slot::Ref(reference) => {
                    // Nodes read from the store are not cached in the trie, so that reading
                    // needs only `&self`; the walk goes on in owned nodes.
                    return get_in_owned(store, resolve(store, reference)?, rest);
                }
            };
            match node {
                MemNode::Leaf { path, value } => {
                    return Ok((path.as_slice() == rest).then(|| value.clone()));
                }
                MemNode::Extension { path, child } => match rest.strip_prefix(path.as_slice()) {
                    Some(after) => {
                        rest = after;
                        slot = child;
                    }
                    None => return Ok(None),
                },
                MemNode::Branch { children, value } => match rest.split_first() {
                    None => return Ok(value.clone()),
                    Some((nibble, after)) => {
                        rest = after;
                        match children.get(usize::from(*nibble)) {
                            Some(child) => slot = child,
                            None => return Ok(None),
                        }
                    }
                },
            }
        }
    }

    /// Sets `key` to `value`.
    ///
    /// # Errors
    /// An empty value, a key that is too long, or a fault reading nodes.
    pub fn insert(
        &mut self,
        store: &dyn NodeStore,
        key: &[u8],
        value: Vec<u8>,
    ) -> Result<(), TrieError> {
        check_key(key)?;
        if value.is_empty() {
            return Err(TrieError::EmptyValue);
        }
        let path = Nibbles::from_bytes(key);
        insert_at(store, &mut self.root, path.as_slice(), value)
    }

    /// Removes `key`; returns whether it was present.
    ///
    /// # Errors
    /// A key that is too long, or a fault reading nodes.
    pub fn remove(&mut self, store: &dyn NodeStore, key: &[u8]) -> Result<bool, TrieError> {
        check_key(key)?;
        let path = Nibbles::from_bytes(key);
        remove_at(store, &mut self.root, path.as_slice())
    }

    /// Hashes every changed node, bottom-up, and returns the root with the new nodes.
    /// Unchanged subtrees are not visited.
    pub fn commit(&mut self) -> Committed {
        self.commit_with(0)
    }

    /// As [`Trie::commit`], hashing the subtrees under the top branch on all cores. Worth
    /// it for large commits (a new trie, a block with many thousands of writes); the root
    /// and nodes are the same as [`Trie::commit`]'s, only their order in
    /// [`Committed::nodes`] differs.
    pub fn commit_parallel(&mut self) -> Committed {
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1);
        // One split in two per doubling of the cores.
        let splits = usize::BITS - threads.saturating_sub(1).leading_zeros();
        self.commit_with(splits)
    }

    fn commit_with(&mut self, splits: u32) -> Committed {
        let mut nodes = Vec::new();
        let root = match commit_slot_split(&mut self.root, &mut nodes, splits) {
            None => Hash::EMPTY_ROOT,
            Some(NodeRef::Hash(hash)) => hash,
            Some(NodeRef::Inline(encoding)) => {
                // The root is always addressed by hash, even when shorter than 32 bytes.
                let hash = keccak256(&encoding);
                nodes.push((hash, encoding));
                hash
            }
        };
        Committed { root, nodes }
    }

    /// Commits, then forgets the nodes held in memory, keeping only the root reference.
    /// Later reads go to the store; use it to bound memory between blocks.
    pub fn commit_and_unload(&mut self) -> Committed {
        let committed = self.commit();
        *self = Trie::at(committed.root);
        committed
    }
}

fn check_key(key: &[u8]) -> Result<(), TrieError> {
    if key.len() > MAX_KEY_BYTES {
        Err(TrieError::KeyTooLong(key.len()))
    } else {
        Ok(())
    }
}

/// Continues a read inside a node that was just read from the store.
fn get_in_owned(
    store: &dyn NodeStore,
    mut node: MemNode,
    mut rest: &[u8],
) -> Result<Option<Vec<u8>>, TrieError> {
    loop {
        let next = match node {
            MemNode::Leaf { path, value } => {
                return Ok((path.as_slice() == rest).then_some(value));
            }
            MemNode::Extension { path, child } => match rest.strip_prefix(path.as_slice()) {
                Some(after) => {
                    rest = after;
                    child
                }
                None => return Ok(None),
            },
            MemNode::Branch {
                mut children,
                value,
            } => match rest.split_first() {
                None => return Ok(value),
                Some((nibble, after)) => {
                    rest = after;
                    match children.get_mut(usize::from(*nibble)) {
                        Some(child) => std::mem::replace(child, Slot::Empty),
                        None => return Ok(None),
                    }
                }
            },
        };
        node = match next {
            Slot::Empty => return Ok(None),
            Slot::Ref(reference) => resolve(store, &reference)?,
            Slot::Loaded(loaded) => loaded.node,
        };
    }
}

/// Reads and decodes the node a reference points to.
fn resolve(store: &dyn NodeStore, reference: &NodeRef) -> Result<MemNode, TrieError> {
    let (node, hash) = match reference {
        NodeRef::Hash(hash) => {
            let encoding = store.node(hash)?.ok_or(TrieError::MissingNode(*hash))?;
            (Node::decode(&encoding), Some(*hash))
        }
        NodeRef::Inline(encoding) => (Node::decode(encoding), None),
    };
    let node = node.map_err(|error| TrieError::CorruptNode { hash, error })?;
    Ok(match node {
        Node::Leaf { path, value } => MemNode::Leaf { path, value },
        Node::Extension { path, child } => MemNode::Extension {
            path,
            child: Slot::Ref(child),
        },
        Node::Branch { children, value } => MemNode::Branch {
            children: Box::new((*children).map(|child| child.map_or(Slot::Empty, Slot::Ref))),
            value,
        },
    })
}

/// Makes sure the slot's node is in memory (a no-op for empty and loaded slots).
fn load(store: &dyn NodeStore, slot: &mut Slot) -> Result<(), TrieError> {
    if let Slot::Ref(reference) = slot {
        let node = resolve(store, reference)?;
        let committed = Some(reference.clone());
        *slot = Slot::Loaded(Box::new(Loaded { node, committed }));
    }
    Ok(())
}

fn dirty(node: MemNode) -> Slot {
    Slot::Loaded(Box::new(Loaded {
        node,
        committed: None,
    }))
}

fn empty_children() -> Box<[Slot; 16]> {
    Box::new(std::array::from_fn(|_| Slot::Empty))
}

/// A new leaf for `path` (non-empty) under a branch: the first nibble picks the child.
fn place_in_branch(children: &mut [Slot; 16], path: &[u8], slot: Slot) {
    if let Some((nibble, _)) = path.split_first()
        && let Some(child) = children.get_mut(usize::from(*nibble))
    {
        *child = slot;
    }
}

fn leaf(path: &[u8], value: Vec<u8>) -> Slot {
    dirty(MemNode::Leaf {
        path: Nibbles::from_nibbles(path).unwrap_or_default(),
        value,
    })
}

fn insert_at(
    store: &dyn NodeStore,
    slot: &mut Slot,
    path: &[u8],
    value: Vec<u8>,
) -> Result<(), TrieError> {
    load(store, slot)?;
    let loaded = match slot {
        Slot::Empty => {
            *slot = leaf(path, value);
            return Ok(());
        }
        Slot::Loaded(loaded) => loaded,
        Slot::Ref(_) => return Ok(()),
    };
    let replacement = match &mut loaded.node {
        MemNode::Leaf {
            path: leaf_path,
            value: leaf_value,
        } => {
            if leaf_path.as_slice() == path {
                if *leaf_value != value {
                    *leaf_value = value;
                    loaded.committed = None;
                }
                return Ok(());
            }
            let common = Nibbles::common_prefix(leaf_path.as_slice(), path);
            let mut children = empty_children();
            let mut branch_value = None;
            let old_rest = leaf_path.as_slice().get(common..).unwrap_or_default();
            let old_value = std::mem::take(leaf_value);
            match old_rest.split_first() {
                None => branch_value = Some(old_value),
                Some((_, after)) => {
                    place_in_branch(&mut children, old_rest, leaf(after, old_value))
                }
            }
            let new_rest = path.get(common..).unwrap_or_default();
            match new_rest.split_first() {
                None => branch_value = Some(value),
                Some((_, after)) => place_in_branch(&mut children, new_rest, leaf(after, value)),
            }
            let branch = dirty(MemNode::Branch {
                children,
                value: branch_value,
            });
            wrap_in_extension(path.get(..common).unwrap_or_default(), branch)
        }
        MemNode::Extension {
            path: extension_path,
            child,
        } => {
            let common = Nibbles::common_prefix(extension_path.as_slice(), path);
            if common == extension_path.len() {
                insert_at(store, child, path.get(common..).unwrap_or_default(), value)?;
                loaded.committed = None;
                return Ok(());
            }
            // The new key leaves the extension part-way: split it at a branch.
            let mut children = empty_children();
            let old_rest = extension_path.as_slice().get(common..).unwrap_or_default();
            let old_child = std::mem::replace(child, Slot::Empty);
            if let Some((_, after)) = old_rest.split_first() {
                let moved = if after.is_empty() {
                    old_child
                } else {
                    dirty(MemNode::Extension {
                        path: Nibbles::from_nibbles(after).unwrap_or_default(),
                        child: old_child,
                    })
                };
                place_in_branch(&mut children, old_rest, moved);
            }
            let mut branch_value = None;
            let new_rest = path.get(common..).unwrap_or_default();
            match new_rest.split_first() {
                None => branch_value = Some(value),
                Some((_, after)) => place_in_branch(&mut children, new_rest, leaf(after, value)),
            }
            let branch = dirty(MemNode::Branch {
                children,
                value: branch_value,
            });
            wrap_in_extension(path.get(..common).unwrap_or_default(), branch)
        }
        MemNode::Branch {
            children,
            value: branch_value,
        } => {
            match path.split_first() {
                None => *branch_value = Some(value),
                Some((nibble, after)) => {
                    if let Some(child) = children.get_mut(usize::from(*nibble)) {
                        insert_at(store, child, after, value)?;
                    }
                }
            }
            loaded.committed = None;
            return Ok(());
        }
    };
    *slot = replacement;
    Ok(())
}

fn wrap_in_extension(prefix: &[u8], child: Slot) -> Slot {
    if prefix.is_empty() {
        child
    } else {
        dirty(MemNode::Extension {
            path: Nibbles::from_nibbles(prefix).unwrap_or_default(),
            child,
        })
    }
}

fn remove_at(store: &dyn NodeStore, slot: &mut Slot, path: &[u8]) -> Result<bool, TrieError> {
    load(store, slot)?;
    let Slot::Loaded(loaded) = slot else {
        return Ok(false);
    };
    match &mut loaded.node {
        MemNode::Leaf {
            path: leaf_path, ..
        } => {
            if leaf_path.as_slice() != path {
                return Ok(false);
            }
            *slot = Slot::Empty;
            Ok(true)
        }
        MemNode::Extension {
            path: extension_path,
            child,
        } => {
            let Some(after) = path.strip_prefix(extension_path.as_slice()) else {
                return Ok(false);
            };
            if !remove_at(store, child, after)? {
                return Ok(false);
            }
            loaded.committed = None;
            let prefix = std::mem::take(extension_path);
            let child = std::mem::replace(child, Slot::Empty);
            *slot = prepend(store, prefix.as_slice(), child)?;
            Ok(true)
        }
        MemNode::Branch {
            children,
            value: branch_value,
        } => {
            match path.split_first() {
                None => {
                    if branch_value.take().is_none() {
                        return Ok(false);
                    }
                }
                Some((nibble, after)) => {
                    let Some(child) = children.get_mut(usize::from(*nibble)) else {
                        return Ok(false);
                    };
                    if !remove_at(store, child, after)? {
                        return Ok(false);
                    }
                }
            }
            loaded.committed = None;
            let mut remaining = children
                .iter()
                .enumerate()
                .filter(|(_, child)| !matches!(child, Slot::Empty));
            let only_child = match (remaining.next(), remaining.next()) {
                (None, _) => None,
                (Some((index, _)), None) => Some(index),
                (Some(_), Some(_)) => return Ok(true),
            };
            // A branch left with fewer than two entries collapses into its one survivor.
            match (only_child, branch_value.take()) {
                (None, Some(value)) => {
                    *slot = dirty(MemNode::Leaf {
                        path: Nibbles::new(),
                        value,
                    });
                }
                (None, None) => *slot = Slot::Empty,
                (Some(index), None) => {
                    let child = children
                        .get_mut(index)
                        .map(|child| std::mem::replace(child, Slot::Empty))
                        .unwrap_or(Slot::Empty);
                    // INVARIANT: index < 16, so the cast is lossless.
                    *slot = prepend(store, &[index as u8], child)?;
                }
                (Some(_), Some(value)) => *branch_value = Some(value),
            }
            Ok(true)
        }
    }
}

/// The node for `prefix` followed by `child`: merged into a leaf or extension child, or an
/// extension over a branch child.
fn prepend(store: &dyn NodeStore, prefix: &[u8], mut child: Slot) -> Result<Slot, TrieError> {
    load(store, &mut child)?;
    let Slot::Loaded(loaded) = child else {
        return Ok(Slot::Empty);
    };
    let loaded = *loaded;
    Ok(match loaded.node {
        MemNode::Leaf { path, value } => dirty(MemNode::Leaf {
            path: Nibbles::from_nibbles(prefix)
                .unwrap_or_default()
                .join(path.as_slice()),
            value,
        }),
        MemNode::Extension { path, child } => dirty(MemNode::Extension {
            path: Nibbles::from_nibbles(prefix)
                .unwrap_or_default()
                .join(path.as_slice()),
            child,
        }),
        node @ MemNode::Branch { .. } => wrap_in_extension(
            prefix,
            Slot::Loaded(Box::new(Loaded {
                node,
                committed: loaded.committed,
            })),
        ),
    })
}

/// [`commit_slot`], except that the first `splits` dirty branches on the way down hash
/// their first eight children on a second thread.
fn commit_slot_split(
    slot: &mut Slot,
    nodes: &mut Vec<(Hash, Vec<u8>)>,
    splits: u32,
) -> Option<NodeRef> {
    if splits == 0 {
        return commit_slot(slot, nodes);
    }
    let Slot::Loaded(loaded) = slot else {
        return commit_slot(slot, nodes);
    };
    if loaded.committed.is_some() {
        return commit_slot(slot, nodes);
    }
    match &mut loaded.node {
        MemNode::Extension { child, .. } => {
            // Hash below the extension in parallel; the extension itself follows.
            commit_slot_split(child, nodes, splits);
        }
        MemNode::Branch { children, .. } => {
            let (first, second) = children.split_at_mut(8);
            let mut first_nodes = std::thread::scope(|scope| {
                let worker = scope.spawn(|| {
                    let mut local = Vec::new();
                    for child in first.iter_mut() {
                        commit_slot_split(child, &mut local, splits - 1);
                    }
                    local
                });
                for child in second.iter_mut() {
                    commit_slot_split(child, nodes, splits - 1);
                }
                // A panic in the worker would be a bug in this module; it is carried over to
                // the caller exactly as the sequential commit would raise it, since the
                // worker's new nodes are lost with it.
                worker
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            });
            nodes.append(&mut first_nodes);
        }
        MemNode::Leaf { .. } => {}
    }
    // The children are hashed (their references cached); this finishes the node itself.
    commit_slot(slot, nodes)
}

/// Hashes a slot's dirty nodes bottom-up; returns its reference (`None` when empty).
fn commit_slot(slot: &mut Slot, nodes: &mut Vec<(Hash, Vec<u8>)>) -> Option<NodeRef> {
    match slot {
        Slot::Empty => None,
        Slot::Ref(reference) => Some(reference.clone()),
        Slot::Loaded(loaded) => {
            if let Some(reference) = &loaded.committed {
                return Some(reference.clone());
            }
            let encoding = match &mut loaded.node {
                MemNode::Leaf { path, value } => node::encode_leaf(path, value),
                MemNode::Extension { path, child } => {
                    // INVARIANT: an extension's child is never empty.
                    let child = commit_slot(child, nodes).unwrap_or(NodeRef::Inline(vec![0x80]));
                    node::encode_extension(path, &child)
                }
                MemNode::Branch { children, value } => {
                    let mut refs: [Option<NodeRef>; 16] = Default::default();
                    for (reference, child) in refs.iter_mut().zip(children.iter_mut()) {
                        *reference = commit_slot(child, nodes);
                    }
                    node::encode_branch(&refs, value.as_deref())
                }
            };
            let reference = if encoding.len() >= 32 {
                let hash = keccak256(&encoding);
                nodes.push((hash, encoding));
                NodeRef::Hash(hash)
            } else {
                NodeRef::Inline(encoding)
            };
            loaded.committed = Some(reference.clone());
            Some(reference)
        }
    }
}
