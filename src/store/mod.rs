//! Persistence. Every write goes through [`Store::apply`], which validates the whole change,
//! writes records, indexes and audit entries in one transaction and flushes before it
//! reports success. The trait keeps the engines and faces independent of sled.

pub mod audit;
mod cache_file;
pub mod codec;
mod error;
mod form_lint;
pub mod keys;
mod layout;
mod lock;
pub mod recover;
pub mod roles;
mod search_file;
mod search_tree;
mod sled_files;
mod sled_store;
mod snapshot;
mod stats_count;
mod watermark;

use std::path::Path;
use std::sync::Arc;

pub use audit::{AuditEntry, AuditOp, LoggedEntry};
pub use error::{StoreError, io_hint, sled_hint};
pub use layout::{BACKUPS_DIR, DRAFT_FILE, Found, IfMissing, auto_backups, inspect};
pub use lock::LOCK_FILE;
pub use sled_store::{
    CatalogLoader, Checked, LockedStore, NearWritten, RecordReader, SCHEMA_VERSION, SearchChanges,
    SearchRows, SledStore, StoredLookup, UnloadedStore, WrittenLinks,
};
pub use snapshot::{CacheRead, CachedSearch, Snapshot};

use crate::engine::lint::LintCounts;
use crate::engine::search::SearchData;
use crate::engine::stats::Stats;
use crate::model::{Catalog, Kind, Record};

/// One change to the catalog.
// commands are short-lived and few; boxing every record would only add noise
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Create or replace a record.
    Upsert(Record),
    /// Remove a record (refused while others reference it).
    Delete {
        /// Kind of the record.
        kind: Kind,
        /// Its code.
        code: String,
    },
}

impl Command {
    /// The kind and code of the record the command changes.
    pub fn key(&self) -> (Kind, &str) {
        match self {
            Command::Upsert(r) => (r.kind(), r.code()),
            Command::Delete { kind, code } => (*kind, code),
        }
    }
}

/// Commands applied together: all or none.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// What the user did (`import`, `edit`, `sample`): recorded in the audit log.
    pub action: String,
    /// The changes, in order; a later command on the same record wins.
    pub commands: Vec<Command>,
}

impl Batch {
    /// A batch of upserts.
    pub fn upserts(action: &str, records: impl IntoIterator<Item = Record>) -> Self {
        Self {
            action: action.to_string(),
            commands: records.into_iter().map(Command::Upsert).collect(),
        }
    }

    /// The kind and code of every record the batch upserts, in order.
    pub fn upserted(&self) -> Vec<(Kind, String)> {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Upsert(r) => Some((r.kind(), r.code().to_string())),
                Command::Delete { .. } => None,
            })
            .collect()
    }

    /// The kind and code of each record the batch deletes, in order.
    pub fn deleted(&self) -> Vec<(Kind, String)> {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Delete { kind, code } => Some((*kind, code.clone())),
                Command::Upsert(_) => None,
            })
            .collect()
    }
}

/// What a successful apply changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Records that did not exist.
    pub created: usize,
    /// Records that changed.
    pub updated: usize,
    /// Records removed.
    pub deleted: usize,
}

impl Applied {
    /// Adds what another write (a chunk of the same batch) did.
    pub fn add(&mut self, other: &Applied) {
        self.created += other.created;
        self.updated += other.updated;
        self.deleted += other.deleted;
    }

    /// Whether anything changed.
    pub fn is_noop(&self) -> bool {
        self.created + self.updated + self.deleted == 0
    }
}

/// A catalog store.
pub trait Store {
    /// The directory the store lives in.
    fn path(&self) -> &Path;

    /// Every record, as of the last successful apply.
    fn catalog(&self) -> &Catalog;

    /// The catalog as it stands, for a worker thread to read while the store goes on: no
    /// copy is made unless the store is written while the worker still holds it.
    fn shared_catalog(&self) -> Arc<Catalog>;

    /// Validates and applies a batch atomically; returns only after the change is durable.
    /// Records equal to what is stored are skipped, so an unchanged batch writes nothing.
    fn apply(&mut self, batch: Batch) -> Result<Applied, StoreError> {
        self.apply_reporting(batch, &mut |_, _| {})
    }

    /// [`Store::apply`], telling `progress` how far a batch written in chunks has come, as
    /// steps done of all: each chunk staged in the journal, then each written to its end (a
    /// batch of one chunk, one transaction, tells nothing).
    fn apply_reporting(
        &mut self,
        batch: Batch,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Applied, StoreError>;

    /// Audit entries, oldest first, optionally only those of one record code.
    fn history(&self, code: Option<&str>) -> Result<Vec<LoggedEntry>, StoreError>;

    /// How many records this handle has changed since it was opened (0: nothing new to back up).
    fn changed_since_open(&self) -> usize;

    /// Caches the catalog's outline beside the store (best effort), so that the next TUI
    /// start draws the tree before the catalog is loaded. The next write removes it again.
    fn save_outline(&mut self);

    /// The store as it stands now, for a worker thread to make the search index or the
    /// statistics from (the cache file, or the catalog).
    fn snapshot(&self) -> Snapshot;

    /// Caches the search index `data` beside the store (best effort), so that the next
    /// search or TUI session reads it instead of the search tree. `at` is the
    /// [`CacheRead::cacheable_at`] of its reading: nothing is written if the store was
    /// written since. The next write removes it again. Returns whether it wrote.
    fn save_search(&mut self, data: &SearchData, at: u64) -> bool;

    /// Caches the statistics beside the store (best effort), so that the next `stats` or
    /// visit to pane 5 reads them instead of counting the catalog again. `at` as for
    /// [`Store::save_search`]. Returns whether it wrote.
    fn save_stats(&mut self, stats: &Stats, at: u64) -> bool;

    /// Caches the lint counts beside the store (best effort), for the next `form list` and
    /// pane 3's list before the catalog is loaded. `at` as for [`Store::save_search`].
    /// Returns whether it wrote.
    fn save_lint(&mut self, counts: &LintCounts, at: u64) -> bool;

    /// The search rows written since the last call (every write's, whatever its kind: a
    /// form's change moves its elements' use counts), to bring an index read before them up
    /// to date without reading it again.
    fn take_search_changes(&mut self) -> SearchChanges;

    /// Ends the use of the store by a process about to exit: flushed, then left to the
    /// operating system to release (see [`SledStore::close_for_exit`]).
    fn close_at_exit(self: Box<Self>);

    /// Checks every record's invariants and that the stored indexes match the records.
    /// Returns one line per problem.
    fn check(&self) -> Result<Vec<String>, StoreError>;
}
