//! The hexary Merkle Patricia trie of the Ethereum Yellow Paper, appendix D.
//!
//! A [`Trie`] is a working copy of one version of the trie. Nodes are read lazily from a
//! [`NodeStore`], where every node ever committed stays, addressed by its hash and the
//! version it was filed at (see [`filed`]), so that any past root can be read and proven.
//! Changes are made in memory; [`Trie::commit`] hashes only the nodes on changed paths (an
//! unchanged subtree keeps the reference it had) and hands back the new nodes for the
//! caller to persist — in the ledger, in the same write transaction as the block.
//!
//! Keys are bytes; the path of a key is its nibbles. The ledger's state uses the secure
//! form (path = `keccak256(raw_key)`, see [`secure_key`]); transaction and receipt tries
//! use plain keys.

pub mod filed;
mod nibbles;
mod node;
mod proof;
mod seek;

pub use filed::{Filed, Version};
pub use nibbles::Nibbles;
pub use node::{Node, NodeError, NodeRef};
pub use proof::{ProofError, prove, verify_proof, verify_value};

use crate::store::StoreError;
use assent_stdlib::primitives::{Hash, keccak256};
use std::collections::BTreeMap;
use std::fmt;

/// Longest key a trie accepts. Trie operations recurse once per nibble, so this bounds the
/// stack they use. Ledger keys are 32-byte hashes or short RLP integers.
pub const MAX_KEY_BYTES: usize = 256;

// The ordered index of iterated collections is a trie of plain keys up to this long.
const _: () = assert!(MAX_KEY_BYTES >= assent_stdlib::ordered::MAX_INDEX_KEY_BYTES);

/// Where committed trie nodes live, addressed by the Keccak-256 of their encoding and the
/// version the commit that made them filed them under.
pub trait NodeStore {
    /// The node with this hash filed at `version`, as filed (its encoding, then its
    /// children's versions: see [`filed`]), if stored. A store may ignore the version, since
    /// the hash alone decides the encoding.
    ///
    /// # Errors
    /// A fault of the underlying storage.
    fn node(&self, hash: &Hash, version: Version) -> Result<Option<Vec<u8>>, StoreError>;
}

/// An in-memory node store by hash alone: tests, benchmarks, tries built for one
/// computation.
impl NodeStore for BTreeMap<Hash, Vec<u8>> {
    fn node(&self, hash: &Hash, _version: Version) -> Result<Option<Vec<u8>>, StoreError> {
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
    /// Every new node whose encoding is 32 bytes or more, and the root node, by hash, as
    /// filed (see [`filed`]) at the trie's version.
    pub nodes: Vec<(Hash, Vec<u8>)>,
}

/// A working copy of one version of the trie.
#[derive(Clone, Debug)]
pub struct Trie {
    root: Slot,
    /// Keys inserted or removed since the last commit: the new nodes a commit will hand
    /// back are about twice as many for a large batch, so their list is sized from it
    /// instead of growing by copies.
    changes: usize,
    /// Subtrees [`Trie::insert_batch`] built whole, already hashed.
    built: Built,
    /// The version new nodes are filed under.
    version: Version,
}

/// The nodes of subtrees [`Trie::insert_batch`] built whole where the trie was empty:
/// encoded and hashed as they were built (never held as a tree in memory, the way a
/// streaming builder works), read like stored nodes until the next commit hands them
/// back.
///
/// A subtree's nodes are built children first, so they lie together in `nodes`, its root
/// last. Changing a built subtree before the commit means reading its root first; until
/// then every built node is part of the trie and a commit hands them all back as they
/// are. Once one has been read, a commit hands back only the subtrees the trie still
/// refers to.
#[derive(Clone, Debug, Default)]
struct Built {
    /// As filed.
    nodes: Vec<(Hash, Vec<u8>)>,
    /// Where each node's subtree starts in `nodes`.
    starts: Vec<usize>,
    /// Each node's subtree as a range of `nodes`, made the first time a built node is
    /// read; only looked up, never iterated.
    subtree: std::sync::OnceLock<std::collections::HashMap<Hash, (usize, usize)>>,
}

impl Built {
    fn add(&mut self, mut nodes: Vec<(Hash, Vec<u8>)>, mut starts: Vec<usize>) {
        if self.nodes.is_empty() {
            self.nodes = nodes;
            self.starts = starts;
        } else {
            let base = self.nodes.len();
            for start in &mut starts {
                *start += base;
            }
            self.nodes.append(&mut nodes);
            self.starts.append(&mut starts);
        }
        // The ranges are remade with the new nodes; once a built node has been read they
        // are kept, so that a commit still hands back only what the trie refers to.
        let was_read = self.subtree.get().is_some();
        self.subtree = std::sync::OnceLock::new();
        if was_read {
            self.subtrees();
        }
    }

    fn subtrees(&self) -> &std::collections::HashMap<Hash, (usize, usize)> {
        self.subtree.get_or_init(|| {
            self.nodes
                .iter()
                .zip(&self.starts)
                .enumerate()
                .map(|(at, ((hash, _), start))| (*hash, (*start, at + 1)))
                .collect()
        })
    }

    /// The node with this hash, as filed, if built.
    fn node(&self, hash: &Hash) -> Option<&Vec<u8>> {
        if self.nodes.is_empty() {
            return None;
        }
        let (_, end) = self.subtrees().get(hash)?;
        self.nodes
            .get(end.checked_sub(1)?)
            .map(|(_, encoding)| encoding)
    }

    /// The built subtree a reference points to, when a built node has been read.
    fn reached(&self, reference: &NodeRef) -> Option<(usize, usize)> {
        match (reference, self.subtree.get()) {
            (NodeRef::Hash(hash), Some(subtrees)) => subtrees.get(hash).copied(),
            _ => None,
        }
    }

    /// The nodes a commit hands back: all of them when none was read, else those of the
    /// subtrees in `reached` (each once), in build order.
    fn take(self, reached: &[(usize, usize)]) -> Vec<(Hash, Vec<u8>)> {
        if self.subtree.get().is_none() {
            return self.nodes;
        }
        let mut taken: Vec<Option<(Hash, Vec<u8>)>> = self.nodes.into_iter().map(Some).collect();
        let mut out = Vec::new();
        for (start, end) in reached {
            for node in taken.get_mut(*start..*end).unwrap_or_default() {
                out.extend(node.take());
            }
        }
        out
    }
}

/// Where a commit puts what it finds: the new nodes, and the built subtrees it reaches.
struct Sink<'a> {
    nodes: Vec<(Hash, Vec<u8>)>,
    built: &'a Built,
    reached: Vec<(usize, usize)>,
    /// The version the new nodes are filed under.
    version: Version,
}

impl Sink<'_> {
    fn reference(&mut self, filed: &Filed) -> Filed {
        if let Some(range) = self.built.reached(&filed.reference) {
            self.reached.push(range);
        }
        filed.clone()
    }
}

/// The node store seen through the built nodes not yet committed.
struct WithBuilt<'a> {
    built: &'a Built,
    store: &'a dyn NodeStore,
}

impl NodeStore for WithBuilt<'_> {
    fn node(&self, hash: &Hash, version: Version) -> Result<Option<Vec<u8>>, StoreError> {
        match self.built.node(hash) {
            Some(filed) => Ok(Some(filed.clone())),
            None => self.store.node(hash, version),
        }
    }
}

/// A child position: empty, a reference not yet read from the store, or a node in memory.
#[derive(Clone, Debug)]
enum Slot {
    Empty,
    /// Boxed, so that a slot is two words and a branch's sixteen children take 256 bytes.
    Ref(Box<Filed>),
    Loaded(Box<Loaded>),
}

#[derive(Clone, Debug)]
struct Loaded {
    node: MemNode,
    /// The node's reference (and version) as last committed; `None` once it changed (it
    /// is dirty).
    committed: Option<Filed>,
}

#[derive(Clone, Debug)]
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
        Trie {
            root: Slot::Empty,
            changes: 0,
            built: Built::default(),
            version: 0,
        }
    }

    /// The trie with this root, filed at `version`, read from the node store as needed.
    /// Its new nodes are filed under the same version until [`Trie::set_version`].
    pub fn at(root: Hash, version: Version) -> Trie {
        if root == Hash::EMPTY_ROOT {
            Trie {
                version,
                ..Trie::new()
            }
        } else {
            Trie {
                root: Slot::Ref(Box::new(Filed::new(NodeRef::Hash(root), version))),
                changes: 0,
                built: Built::default(),
                version,
            }
        }
    }

    /// Files the nodes that later changes make, and the next commit hands back, under
    /// `version` (the ledger: the number of the block being made). Set it before changing
    /// the trie.
    pub fn set_version(&mut self, version: Version) {
        self.version = version;
    }

    /// The value at `key`.
    ///
    /// # Errors
    /// A missing or corrupt node, a store fault, or a key that is too long.
    pub fn get(&self, store: &dyn NodeStore, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        check_key(key)?;
        let store = &WithBuilt {
            built: &self.built,
            store,
        };
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
        self.changes = self.changes.saturating_add(1);
        let store = &WithBuilt {
            built: &self.built,
            store,
        };
        insert_at(store, &mut self.root, path.as_slice(), value)
    }

    /// Sets every key of `entries` to its value, as [`Trie::insert`] one by one in order
    /// would (a later entry for the same key wins), and gives the same trie. The batch is
    /// sorted by key and applied in one descent: each changed subtree is visited once
    /// however many keys land in it, and subtrees that are new are built directly from
    /// their sorted keys, as a block's writes and a new trie need.
    ///
    /// # Errors
    /// An empty value, a key that is too long (nothing is changed then), or a fault
    /// reading nodes.
    pub fn insert_batch<K: AsRef<[u8]>>(
        &mut self,
        store: &dyn NodeStore,
        entries: impl IntoIterator<Item = (K, Vec<u8>)>,
    ) -> Result<(), TrieError> {
        let mut batch = Vec::new();
        for (key, value) in entries {
            check_key(key.as_ref())?;
            if value.is_empty() {
                return Err(TrieError::EmptyValue);
            }
            batch.push((key, value));
        }
        // By key bytes, which is the paths' order (and cheaper to compare); stable, so
        // equal keys keep their order and the last of each run wins.
        batch.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let mut unique: Vec<(Nibbles, Vec<u8>)> = Vec::with_capacity(batch.len());
        let mut last_key: Option<K> = None;
        for (key, value) in batch {
            if last_key
                .as_ref()
                .is_some_and(|last| last.as_ref() == key.as_ref())
            {
                if let Some(last) = unique.last_mut() {
                    last.1 = value;
                }
                continue;
            }
            unique.push((Nibbles::from_bytes(key.as_ref()), value));
            last_key = Some(key);
        }
        self.changes = self.changes.saturating_add(unique.len());
        let mut fresh = Fresh {
            nodes: Vec::with_capacity(unique.len().saturating_mul(2)),
            starts: Vec::with_capacity(unique.len().saturating_mul(2)),
            version: self.version,
        };
        let inserted = insert_sorted_at(
            &WithBuilt {
                built: &self.built,
                store,
            },
            &mut self.root,
            &mut unique,
            0,
            &mut fresh,
        );
        // Kept even after a fault part-way: the slots already refer to them.
        self.built.add(fresh.nodes, fresh.starts);
        inserted
    }

    /// Removes `key`; returns whether it was present.
    ///
    /// # Errors
    /// A key that is too long, or a fault reading nodes.
    pub fn remove(&mut self, store: &dyn NodeStore, key: &[u8]) -> Result<bool, TrieError> {
        check_key(key)?;
        let path = Nibbles::from_bytes(key);
        self.changes = self.changes.saturating_add(1);
        let store = &WithBuilt {
            built: &self.built,
            store,
        };
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
        let built = std::mem::take(&mut self.built);
        let capacity = std::mem::take(&mut self.changes).saturating_mul(2);
        let mut sink = Sink {
            nodes: Vec::with_capacity(capacity.min(1 << 20)),
            built: &built,
            reached: Vec::new(),
            version: self.version,
        };
        let root = commit_slot_split(&mut self.root, &mut sink, splits);
        let Sink {
            nodes: mut above,
            reached,
            ..
        } = sink;
        // The built nodes first (moved, not copied), then those hashed above them.
        let mut nodes = built.take(&reached);
        nodes.append(&mut above);
        let root = match root.map(|filed| filed.reference) {
            None => Hash::EMPTY_ROOT,
            Some(NodeRef::Hash(hash)) => hash,
            Some(NodeRef::Inline(encoding)) => {
                // The root is always addressed by hash, even when shorter than 32 bytes
                // (and then has no child referenced by hash).
                let hash = keccak256(&encoding);
                nodes.push((
                    hash,
                    filed::file(encoding, &filed::ChildVersions::default()),
                ));
                hash
            }
        };
        Committed { root, nodes }
    }

    /// Commits, then forgets the nodes held in memory, keeping only the root reference.
    /// Later reads go to the store; use it to bound memory between blocks.
    pub fn commit_and_unload(&mut self) -> Committed {
        let committed = self.commit();
        // A root the commit left as it was is filed where it was; a new one (and one
        // embedded, which a commit always hands back) at this version.
        let root_version = match &self.root {
            Slot::Ref(filed) => Some(&**filed),
            Slot::Loaded(loaded) => loaded.committed.as_ref(),
            Slot::Empty => None,
        }
        .filter(|filed| matches!(filed.reference, NodeRef::Hash(_)))
        .map_or(self.version, |filed| filed.version);
        let version = self.version;
        *self = Trie::at(committed.root, root_version);
        self.version = version;
        committed
    }
}

impl Trie {
    /// Forgets the nodes held in memory `levels` or more nodes below the root, keeping
    /// their references, so that a trie kept across blocks holds a bounded part of itself
    /// (its upper levels, which every block's paths cross) and reads the rest from the
    /// store. Only committed nodes are forgotten: call it once the commit's nodes are
    /// stored.
    pub fn unload_below(&mut self, levels: usize) {
        unload_slot(&mut self.root, levels);
    }
}

fn unload_slot(slot: &mut Slot, levels: usize) {
    let Slot::Loaded(loaded) = slot else {
        return;
    };
    match levels.checked_sub(1) {
        None => {
            if let Some(filed) = loaded.committed.take() {
                *slot = Slot::Ref(Box::new(filed));
            }
        }
        Some(below) => match &mut loaded.node {
            MemNode::Leaf { .. } => {}
            MemNode::Extension { child, .. } => unload_slot(child, below),
            MemNode::Branch { children, .. } => {
                children
                    .iter_mut()
                    .for_each(|child| unload_slot(child, below));
            }
        },
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

/// Reads and decodes the node a reference points to, with its children's versions.
fn resolve(store: &dyn NodeStore, filed: &Filed) -> Result<MemNode, TrieError> {
    let corrupt = |hash: Option<Hash>| move |error| TrieError::CorruptNode { hash, error };
    let (node, versions) = match &filed.reference {
        NodeRef::Hash(hash) => {
            let stored = store
                .node(hash, filed.version)?
                .ok_or(TrieError::MissingNode(*hash))?;
            let (encoding, versions) = filed::unfile(&stored).map_err(corrupt(Some(*hash)))?;
            (
                Node::decode(encoding).map_err(corrupt(Some(*hash)))?,
                versions,
            )
        }
        // An embedded node is under 32 bytes: no child of it is referenced by hash.
        NodeRef::Inline(encoding) => (Node::decode(encoding).map_err(corrupt(None))?, Vec::new()),
    };
    let slot = |child: Option<Filed>| child.map_or(Slot::Empty, |child| Slot::Ref(Box::new(child)));
    Ok(match node {
        Node::Leaf { path, value } => MemNode::Leaf { path, value },
        Node::Extension { path, child } => MemNode::Extension {
            path,
            child: slot(filed::pair([Some(child)], &versions).pop().flatten()),
        },
        Node::Branch { children, value } => {
            let mut paired = filed::pair(*children, &versions).into_iter();
            MemNode::Branch {
                children: Box::new(std::array::from_fn(|_| slot(paired.next().flatten()))),
                value,
            }
        }
    })
}

/// Makes sure the slot's node is in memory (a no-op for empty and loaded slots).
fn load(store: &dyn NodeStore, slot: &mut Slot) -> Result<(), TrieError> {
    if let Slot::Ref(reference) = slot {
        let node = resolve(store, reference)?;
        let committed = Some(Filed::clone(reference));
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
        path: nibbles(path),
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
            let old_rest = after(leaf_path.as_slice(), common);
            let old_value = std::mem::take(leaf_value);
            match old_rest.split_first() {
                None => branch_value = Some(old_value),
                Some((_, after)) => {
                    place_in_branch(&mut children, old_rest, leaf(after, old_value))
                }
            }
            let new_rest = after(path, common);
            match new_rest.split_first() {
                None => branch_value = Some(value),
                Some((_, after)) => place_in_branch(&mut children, new_rest, leaf(after, value)),
            }
            let branch = dirty(MemNode::Branch {
                children,
                value: branch_value,
            });
            wrap_in_extension(before(path, common), branch)
        }
        MemNode::Extension {
            path: extension_path,
            child,
        } => {
            let common = Nibbles::common_prefix(extension_path.as_slice(), path);
            if common == extension_path.len() {
                insert_at(store, child, after(path, common), value)?;
                loaded.committed = None;
                return Ok(());
            }
            // The new key leaves the extension part-way: split it at a branch.
            let mut children = empty_children();
            let old_rest = after(extension_path.as_slice(), common);
            let old_child = std::mem::replace(child, Slot::Empty);
            if let Some((_, beyond)) = old_rest.split_first() {
                let moved = if beyond.is_empty() {
                    old_child
                } else {
                    dirty(MemNode::Extension {
                        path: nibbles(beyond),
                        child: old_child,
                    })
                };
                place_in_branch(&mut children, old_rest, moved);
            }
            let mut branch_value = None;
            let new_rest = after(path, common);
            match new_rest.split_first() {
                None => branch_value = Some(value),
                Some((_, after)) => place_in_branch(&mut children, new_rest, leaf(after, value)),
            }
            let branch = dirty(MemNode::Branch {
                children,
                value: branch_value,
            });
            wrap_in_extension(before(path, common), branch)
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

/// The nibbles of `entry`'s path from `depth` on.
fn rest(entry: &(Nibbles, Vec<u8>), depth: usize) -> &[u8] {
    after(entry.0.as_slice(), depth)
}

/// Inserts a sorted batch of distinct paths, all of which start with the `depth` nibbles
/// that lead to `slot`. Each recursion either descends one node or takes one entry off
/// the batch, and descends at most once per nibble of the longest path.
fn insert_sorted_at(
    store: &dyn NodeStore,
    slot: &mut Slot,
    batch: &mut [(Nibbles, Vec<u8>)],
    depth: usize,
    fresh: &mut Fresh,
) -> Result<(), TrieError> {
    if let [entry] = batch {
        let value = std::mem::take(&mut entry.1);
        return insert_at(store, slot, rest(entry, depth), value);
    }
    if batch.is_empty() {
        return Ok(());
    }
    load(store, slot)?;
    let loaded = match slot {
        Slot::Empty => {
            *slot = match build_hashed(batch, depth, fresh) {
                Some(reference) => Slot::Ref(Box::new(Filed::new(reference, fresh.version))),
                None => Slot::Empty,
            };
            return Ok(());
        }
        Slot::Ref(_) => return Ok(()),
        Slot::Loaded(loaded) => loaded,
    };
    match &mut loaded.node {
        MemNode::Branch { children, value } => {
            loaded.committed = None;
            // Sorted, so only the first path can end at this branch.
            let batch = take_ending(batch, depth, value);
            for (nibble, group) in by_nibble(batch, depth) {
                if let Some(child) = children.get_mut(usize::from(nibble)) {
                    insert_sorted_at(store, child, group, depth + 1, fresh)?;
                }
            }
            Ok(())
        }
        MemNode::Extension { path, child } => {
            let length = path.len();
            let diverging = batch
                .iter()
                .position(|entry| !rest(entry, depth).starts_with(path.as_slice()));
            match diverging {
                None => {
                    loaded.committed = None;
                    insert_sorted_at(store, child, batch, depth + length, fresh)
                }
                // One key that leaves the extension splits it at a branch; the rest then
                // go down the new shape.
                Some(at) => {
                    batch.swap(0, at);
                    let (first, others) = batch.split_at_mut(1);
                    if let Some(first) = first.first_mut() {
                        let value = std::mem::take(&mut first.1);
                        insert_at(store, slot, rest(first, depth), value)?;
                    }
                    others.sort_by(|a, b| a.0.cmp(&b.0));
                    insert_sorted_at(store, slot, others, depth, fresh)
                }
            }
        }
        // A leaf becomes a branch (or stays, for its own key) with the first entry.
        MemNode::Leaf { .. } => {
            let (first, others) = batch.split_at_mut(1);
            if let Some(first) = first.first_mut() {
                let value = std::mem::take(&mut first.1);
                insert_at(store, slot, rest(first, depth), value)?;
            }
            insert_sorted_at(store, slot, others, depth, fresh)
        }
    }
}

/// Paths with their values, as a batch is applied.
type Entry = (Nibbles, Vec<u8>);

/// Moves the value of the batch's first path into `value` when that path ends at
/// `depth` (in a sorted batch only the first can), and returns the others.
fn take_ending<'a>(
    batch: &'a mut [(Nibbles, Vec<u8>)],
    depth: usize,
    value: &mut Option<Vec<u8>>,
) -> &'a mut [(Nibbles, Vec<u8>)] {
    if !batch
        .first()
        .is_some_and(|entry| rest(entry, depth).is_empty())
    {
        return batch;
    }
    let (first, others) = batch.split_at_mut(1);
    if let Some(first) = first.first_mut() {
        *value = Some(std::mem::take(&mut first.1));
    }
    others
}

/// The runs of a sorted batch that share the nibble at `depth` (every path is longer).
fn by_nibble(mut batch: &mut [(Nibbles, Vec<u8>)], depth: usize) -> Vec<(u8, &mut [Entry])> {
    let mut groups = Vec::new();
    while let Some(nibble) = batch.first().and_then(|entry| entry.0.at(depth)) {
        let length = batch
            .iter()
            .position(|entry| entry.0.at(depth) != Some(nibble))
            .unwrap_or(batch.len());
        let (group, tail) = std::mem::take(&mut batch).split_at_mut(length);
        groups.push((nibble, group));
        batch = tail;
    }
    groups
}

/// The nodes [`build_hashed`] makes (as filed), each with where its subtree starts among
/// them.
struct Fresh {
    nodes: Vec<(Hash, Vec<u8>)>,
    starts: Vec<usize>,
    /// The version they are filed under, which their children (all built with them) share.
    version: Version,
}

/// The subtree of a sorted batch of distinct paths from `depth` on, encoded and hashed
/// bottom-up as it is built (its nodes of 32 bytes or more go to `out`): an extension
/// over the paths' common prefix (if any) to a branch, or a leaf for one path. `None`
/// for an empty batch.
fn build_hashed(
    batch: &mut [(Nibbles, Vec<u8>)],
    depth: usize,
    out: &mut Fresh,
) -> Option<NodeRef> {
    let start = out.nodes.len();
    if let [entry] = batch {
        let path = nibbles(rest(entry, depth));
        return Some(hashed(node::encode_leaf(&path, &entry.1), &[], start, out));
    }
    let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
        return None;
    };
    // Sorted: the common prefix of the first and last paths is everyone's.
    let common = Nibbles::common_prefix(rest(first, depth), rest(last, depth));
    let prefix = nibbles(before(rest(first, depth), common));
    let at = depth + common;
    let mut value = None;
    let batch = take_ending(batch, at, &mut value);
    let mut children: [Option<NodeRef>; 16] = Default::default();
    for (nibble, group) in by_nibble(batch, at) {
        if let Some(child) = children.get_mut(usize::from(nibble)) {
            *child = build_hashed(group, at + 1, out);
        }
    }
    let encoding = node::encode_branch(&children, value.as_deref());
    let branch = hashed(encoding, &children, start, out);
    Some(if prefix.is_empty() {
        branch
    } else {
        let encoding = node::encode_extension(&prefix, &branch);
        hashed(encoding, &[Some(branch)], start, out)
    })
}

/// The reference to a node with this encoding and these (built) children; a node of 32
/// bytes or more goes to `out`, filed, with `start`, where its subtree's nodes begin there.
fn hashed(
    encoding: Vec<u8>,
    children: &[Option<NodeRef>],
    start: usize,
    out: &mut Fresh,
) -> NodeRef {
    if encoding.len() >= 32 {
        let hash = keccak256(&encoding);
        let mut versions = filed::ChildVersions::default();
        for child in children.iter().flatten() {
            versions.push(child, out.version);
        }
        out.nodes.push((hash, filed::file(encoding, &versions)));
        out.starts.push(start);
        NodeRef::Hash(hash)
    } else {
        NodeRef::Inline(encoding)
    }
}

fn wrap_in_extension(prefix: &[u8], child: Slot) -> Slot {
    if prefix.is_empty() {
        child
    } else {
        dirty(MemNode::Extension {
            path: nibbles(prefix),
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
            path: nibbles(prefix).join(path.as_slice()),
            value,
        }),
        MemNode::Extension { path, child } => dirty(MemNode::Extension {
            path: nibbles(prefix).join(path.as_slice()),
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
fn commit_slot_split(slot: &mut Slot, sink: &mut Sink<'_>, splits: u32) -> Option<Filed> {
    if splits == 0 {
        return commit_slot(slot, sink);
    }
    let Slot::Loaded(loaded) = slot else {
        return commit_slot(slot, sink);
    };
    if loaded.committed.is_some() {
        return commit_slot(slot, sink);
    }
    match &mut loaded.node {
        MemNode::Extension { child, .. } => {
            // Hash below the extension in parallel; the extension itself follows.
            commit_slot_split(child, sink, splits);
        }
        MemNode::Branch { children, .. } => {
            let (first, second) = children.split_at_mut(8);
            let built = sink.built;
            let version = sink.version;
            let mut first_sink = std::thread::scope(|scope| {
                let worker = scope.spawn(move || {
                    let mut local = Sink {
                        nodes: Vec::new(),
                        built,
                        reached: Vec::new(),
                        version,
                    };
                    for child in first.iter_mut() {
                        commit_slot_split(child, &mut local, splits - 1);
                    }
                    local
                });
                for child in second.iter_mut() {
                    commit_slot_split(child, sink, splits - 1);
                }
                // A panic in the worker would be a bug in this module; it is carried over to
                // the caller exactly as the sequential commit would raise it, since the
                // worker's new nodes are lost with it.
                worker
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            });
            sink.nodes.append(&mut first_sink.nodes);
            sink.reached.append(&mut first_sink.reached);
        }
        MemNode::Leaf { .. } => {}
    }
    // The children are hashed (their references cached); this finishes the node itself.
    commit_slot(slot, sink)
}

/// Hashes a slot's dirty nodes bottom-up; returns its reference and version (`None` when
/// empty).
fn commit_slot(slot: &mut Slot, sink: &mut Sink<'_>) -> Option<Filed> {
    match slot {
        Slot::Empty => None,
        Slot::Ref(reference) => Some(sink.reference(reference)),
        Slot::Loaded(loaded) => {
            if let Some(reference) = &loaded.committed {
                return Some(sink.reference(reference));
            }
            let mut versions = filed::ChildVersions::default();
            let encoding = match &mut loaded.node {
                MemNode::Leaf { path, value } => node::encode_leaf(path, value),
                MemNode::Extension { path, child } => {
                    // INVARIANT: an extension's child is never empty.
                    let child = commit_slot(child, sink)
                        .unwrap_or(Filed::new(NodeRef::Inline(vec![0x80]), 0));
                    versions.push(&child.reference, child.version);
                    node::encode_extension(path, &child.reference)
                }
                MemNode::Branch { children, value } => {
                    let mut refs: [Option<NodeRef>; 16] = Default::default();
                    for (reference, child) in refs.iter_mut().zip(children.iter_mut()) {
                        if let Some(child) = commit_slot(child, sink) {
                            versions.push(&child.reference, child.version);
                            *reference = Some(child.reference);
                        }
                    }
                    node::encode_branch(&refs, value.as_deref())
                }
            };
            let reference = if encoding.len() >= 32 {
                let hash = keccak256(&encoding);
                sink.nodes.push((hash, filed::file(encoding, &versions)));
                Filed::new(NodeRef::Hash(hash), sink.version)
            } else {
                Filed::new(NodeRef::Inline(encoding), 0)
            };
            loaded.committed = Some(reference.clone());
            Some(reference)
        }
    }
}

/// `path` from `at` on; `at` is a depth or a common-prefix length within `path`.
///
/// # Panics
/// In debug builds, when `at` is past the end of `path` (a broken invariant of the
/// caller); a release build goes on with the empty path.
fn after(path: &[u8], at: usize) -> &[u8] {
    debug_assert!(at <= path.len(), "{at} is past a path of {}", path.len());
    path.get(at..).unwrap_or_default()
}

/// The first `at` nibbles of `path`; see [`after`].
///
/// # Panics
/// In debug builds, when `at` is past the end of `path`.
fn before(path: &[u8], at: usize) -> &[u8] {
    debug_assert!(at <= path.len(), "{at} is past a path of {}", path.len());
    path.get(..at).unwrap_or_default()
}

/// A trie path as [`Nibbles`]: every element of a path the trie built is a nibble.
///
/// # Panics
/// In debug builds, when an element is not a nibble.
fn nibbles(path: &[u8]) -> Nibbles {
    let nibbles = Nibbles::from_nibbles(path);
    debug_assert!(nibbles.is_some(), "a trie path holds a value above 15");
    nibbles.unwrap_or_default()
}
