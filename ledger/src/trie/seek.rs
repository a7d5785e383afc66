//! Ordered reads: the first entry at or after a key, in byte order of the keys.
//!
//! A trie with plain keys (not the state's secure ones) keeps its entries in key order:
//! a branch's children are in nibble order, and a branch's own value (a key that ends
//! there) comes before every key that goes on below it. [`Trie::seek`] walks down
//! along the bound, and where the bound's path leaves the trie it takes the leftmost
//! entry of the next subtree to the right, so a seek reads about one path of nodes.

use super::{MemNode, NodeStore, Slot, Trie, TrieError, WithBuilt, check_key, resolve};
use std::cmp::Ordering;

/// An entry found by a seek: its key (as bytes) and value.
type Found = (Vec<u8>, Vec<u8>);

impl Trie {
    /// The entry with the smallest key at or after `from`, in byte order of the keys.
    ///
    /// # Errors
    /// A missing or corrupt node, a store fault, or a bound that is too long.
    pub fn seek(&self, store: &dyn NodeStore, from: &[u8]) -> Result<Option<Found>, TrieError> {
        check_key(from)?;
        let store = &WithBuilt {
            built: &self.built,
            store,
        };
        let bound = super::Nibbles::from_bytes(from);
        let mut path = Vec::new();
        let found = seek_slot(store, &self.root, &mut path, Some(bound.as_slice()))?;
        Ok(found.map(|value| (bytes_of(&path), value)))
    }
}

/// Seeks below `slot`, whose path from the root is `path`; on success `path` is the
/// found key's whole path. `bound` is what is left of the bound's path (`None`: no bound,
/// the leftmost entry).
fn seek_slot(
    store: &dyn NodeStore,
    slot: &Slot,
    path: &mut Vec<u8>,
    bound: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, TrieError> {
    match slot {
        Slot::Empty => Ok(None),
        Slot::Loaded(loaded) => seek_node(store, &loaded.node, path, bound),
        Slot::Ref(reference) => seek_node(store, &resolve(store, reference)?, path, bound),
    }
}

fn seek_node(
    store: &dyn NodeStore,
    node: &MemNode,
    path: &mut Vec<u8>,
    bound: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, TrieError> {
    let depth = path.len();
    match node {
        MemNode::Leaf { path: rest, value } => {
            if bound.is_none_or(|bound| rest.as_slice() >= bound) {
                path.extend_from_slice(rest.as_slice());
                return Ok(Some(value.clone()));
            }
            Ok(None)
        }
        MemNode::Extension { path: rest, child } => {
            let rest = rest.as_slice();
            let below = match bound {
                None => None,
                Some(bound) => {
                    let shared = rest.len().min(bound.len());
                    match rest.get(..shared).cmp(&bound.get(..shared)) {
                        // Every key below is after the bound.
                        Ordering::Greater => None,
                        Ordering::Less => return Ok(None),
                        // The bound goes on below (or ends inside the extension, when
                        // every key below is at or after it).
                        Ordering::Equal => Some(bound.get(shared..).unwrap_or_default()),
                    }
                }
            };
            path.extend_from_slice(rest);
            let found = seek_slot(store, child, path, below)?;
            if found.is_none() {
                path.truncate(depth);
            }
            Ok(found)
        }
        MemNode::Branch { children, value } => {
            let (first, below) = match bound {
                None | Some([]) => {
                    // The branch's own key is the smallest below it, and at or after
                    // the bound.
                    if let Some(value) = value {
                        return Ok(Some(value.clone()));
                    }
                    (0, None)
                }
                // The branch's own key is before the bound: start at the bound's nibble.
                Some([nibble, rest @ ..]) => (usize::from(*nibble), Some(rest)),
            };
            for (index, child) in children.iter().enumerate().skip(first) {
                let bound = if index == first { below } else { None };
                // INVARIANT: index < 16, a nibble.
                path.push(index as u8);
                if let Some(found) = seek_slot(store, child, path, bound)? {
                    return Ok(Some(found));
                }
                path.truncate(depth);
            }
            Ok(None)
        }
    }
}

/// The bytes of a path of an even number of nibbles.
fn bytes_of(path: &[u8]) -> Vec<u8> {
    path.chunks(2)
        .map(|pair| match pair {
            [high, low] => (high << 4) | low,
            [high] => high << 4,
            _ => 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_stdlib::primitives::Hash;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Every seek of a trie built from `entries` (some committed and unloaded, some in
    /// memory) agrees with a `BTreeMap`'s range.
    fn check(
        entries: &BTreeMap<Vec<u8>, Vec<u8>>,
        later: &BTreeMap<Vec<u8>, Vec<u8>>,
        bounds: &[Vec<u8>],
    ) {
        let mut nodes: BTreeMap<Hash, Vec<u8>> = BTreeMap::new();
        let mut trie = Trie::new();
        for (key, value) in entries {
            trie.insert(&nodes, key, value.clone()).unwrap();
        }
        let committed = trie.commit_and_unload();
        nodes.extend(committed.nodes);
        for (key, value) in later {
            trie.insert(&nodes, key, value.clone()).unwrap();
        }
        let mut all = entries.clone();
        all.extend(later.clone());
        for bound in bounds.iter().chain(all.keys()) {
            let expected = all
                .range(bound.clone()..)
                .next()
                .map(|(k, v)| (k.clone(), v.clone()));
            assert_eq!(
                trie.seek(&nodes, bound).unwrap(),
                expected,
                "seek {bound:x?}"
            );
        }
    }

    #[test]
    fn seeks_find_the_next_key_with_prefixes_and_branch_values() {
        let entries: BTreeMap<Vec<u8>, Vec<u8>> = [
            (vec![1, 2, 3], vec![1]),
            (vec![1, 2], vec![2]),
            (vec![1, 2, 3, 4], vec![3]),
            (vec![1, 0x20], vec![4]),
            (vec![0xff], vec![5]),
            (vec![0x10; 40], vec![6; 40]),
        ]
        .into_iter()
        .collect();
        check(
            &entries,
            &BTreeMap::new(),
            &[
                vec![],
                vec![0],
                vec![1],
                vec![1, 2, 3, 5],
                vec![1, 0x21],
                vec![0xff, 0],
                vec![0x10; 41],
            ],
        );
    }

    proptest! {
        #[test]
        fn seeks_agree_with_an_ordered_map(
            entries in prop::collection::btree_map(prop::collection::vec(0u8..4, 0..6), prop::collection::vec(any::<u8>(), 1..40), 0..40),
            later in prop::collection::btree_map(prop::collection::vec(0u8..4, 0..6), prop::collection::vec(any::<u8>(), 1..40), 0..10),
            bounds in prop::collection::vec(prop::collection::vec(0u8..5, 0..7), 0..20),
        ) {
            check(&entries, &later, &bounds);
        }
    }
}
