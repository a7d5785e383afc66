//! Where a validator keeps the commit certificate of each block it committed: a small redb
//! file of its own beside the ledger (`DIR/commits.redb`, height → certificate JSON).
//!
//! A certificate is written right after its block is committed. A crash between the two
//! leaves a block without its certificate on this node; the node takes it again from its
//! peers (they serve every decided block with its certificate) or, for a block it decided
//! itself, the engine's own record of the decision.

use std::path::Path;
use std::sync::Arc;

use redb::{ReadableDatabase, TableDefinition};

use super::certificate::Certificate;

const COMMITS: TableDefinition<u64, &[u8]> = TableDefinition::new("commits");

/// The certificates of committed blocks; cheap to clone, readers beside one writer.
#[derive(Clone)]
pub struct CommitStore {
    db: Arc<redb::Database>,
}

impl std::fmt::Debug for CommitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommitStore")
    }
}

fn message(path: &Path) -> impl Fn(redb::Error) -> String + '_ {
    move |error| format!("`{}`: {error}", path.display())
}

impl CommitStore {
    /// Opens (or creates) `path`.
    ///
    /// # Errors
    /// The file cannot be opened or is not a commit store.
    pub fn open(path: &Path) -> Result<CommitStore, String> {
        let fail = message(path);
        let db = redb::Database::create(path).map_err(|error| fail(error.into()))?;
        let txn = db.begin_write().map_err(|error| fail(error.into()))?;
        txn.open_table(COMMITS)
            .map_err(|error| fail(error.into()))?;
        txn.commit().map_err(|error| fail(error.into()))?;
        Ok(CommitStore { db: Arc::new(db) })
    }

    /// Stores the certificate of a committed block, durably.
    ///
    /// # Errors
    /// A storage fault.
    pub fn put(&self, certificate: &Certificate) -> Result<(), String> {
        let bytes = certificate.to_json().to_string();
        let txn = self.db.begin_write().map_err(|error| error.to_string())?;
        {
            let mut table = txn.open_table(COMMITS).map_err(|error| error.to_string())?;
            table
                .insert(certificate.height, bytes.as_bytes())
                .map_err(|error| error.to_string())?;
        }
        txn.commit().map_err(|error| error.to_string())
    }

    /// The certificate of block `height`, if this node has it.
    ///
    /// # Errors
    /// A storage fault, or a stored certificate that does not decode.
    pub fn get(&self, height: u64) -> Result<Option<Certificate>, String> {
        let txn = self.db.begin_read().map_err(|error| error.to_string())?;
        let table = txn.open_table(COMMITS).map_err(|error| error.to_string())?;
        let Some(bytes) = table.get(height).map_err(|error| error.to_string())? else {
            return Ok(None);
        };
        let json: serde_json::Value = serde_json::from_slice(bytes.value())
            .map_err(|error| format!("the certificate of block {height} is corrupt: {error}"))?;
        Certificate::from_json(&json)
            .map(Some)
            .map_err(|error| format!("the certificate of block {height} is corrupt: {error}"))
    }
}
