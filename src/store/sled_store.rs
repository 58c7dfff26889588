//! The sled implementation of [`Store`].

use std::collections::{BTreeMap, BTreeSet};
use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::engine::dups::{CodeShapes, Covers};
use crate::engine::lint::LintCounts;
use crate::engine::merge::unbound_labels;
use crate::engine::search::{self, SearchData, SearchRow};
use crate::engine::stats::Stats;
use crate::engine::usage::usage_outline_linked;
use crate::model::invariants::{Changes, Overlay, check_records};
use crate::model::{
    Catalog, CatalogBuilder, ElementLinks, Issue, Kind, Outline, Problem, Record, RecordRef,
    Referrer, Sharing,
};

use super::audit::{
    AuditBlock, AuditChange, AuditOp, LoggedEntry, os_user, record_digest, utc_now,
};
use super::cache_file::{
    self, read_links, read_lint, read_outline, read_stats, write_links, write_lint, write_outline,
    write_stats,
};
use super::codec::{
    CodecError, decode_audit, decode_journal, decode_record, encode_audit, encode_deflated,
    encode_journal, encode_record, inflate,
};
use super::error::StoreError;
use super::keys::{kind_of_tag, record_key, tag};
use super::layout::{self, Found, IfMissing};
use super::lock::{LOCK_FILE, StoreLock};
use super::roles::{Deed, Principal, Role, Roles, role_for};
use super::search_file::{self, read_search, write_search};
use super::search_tree;
use super::sled_files;
use super::snapshot::{CachedSearch, Snapshot};
use super::watermark;
use super::{Applied, Batch, Command, Store};
pub(super) use reopen::ReadTally;

/// Schema version this build writes and the newest it reads. Version 2 keeps no reference
/// index and writes the audit log one block a write (see `keys`); opening a version 1 store
/// raises it to 2, so that an older yibiao, which would miss the index, refuses it.
pub const SCHEMA_VERSION: u32 = 2;

/// Version of the search tree's layout; a store without it (or older) rebuilds it on load.
/// Version 3 has blocks of [`search_tree::BLOCK_ROWS`] rows, small enough for sled to keep
/// them in its log (version 2's blocks of 512 rows were blob files, rewritten whole).
const SEARCH_VERSION: u32 = 3;

/// sled's page cache bound. The catalog lives in memory, so the cache mostly speeds full
/// scans (`check`); a larger one fills with the pages that loading reads once and keeps them.
/// sled holds more than its bound: after a scan of a million elements (the pool's covers of
/// a form opened on demand) 32 MiB kept 60 MB, 8 MiB 24 MB, 2 MiB keeps 16 MB, at the same
/// speed (2.9 s; reading a record on demand takes as long too: the system caches the file);
/// `sample --scale 161` and `check` took as long with 8 MiB as with 32 MiB.
const CACHE_BYTES: u64 = 2 << 20;

/// Records per transaction: a batch larger than this (a big import, the scaled sample) is
/// validated as a whole, then written in transactions of this many records, because sled
/// holds a whole transaction in memory. Such a batch goes through the journal first, so a
/// crash never leaves part of it (see [`SledStore::apply_journaled`]).
const CHUNK_RECORDS: usize = 4096;

/// Audit entries a stored value holds at most (about 3 KB): small enough that a leaf of
/// sled's tree stays in its log rather than a blob file of its own (see
/// `search_tree::BLOCK_ROWS`), large enough that a big import writes a few thousand keys, not
/// a million.
const AUDIT_BLOCK_ENTRIES: usize = 64;

/// At most this many changed search rows are kept for [`Store::take_search_changes`]; a
/// bigger change (an import) is reported as too big, and the index is read again.
const SEARCH_CHANGES_KEPT: usize = 8192;

/// The `meta` key present while a journaled batch is committed but not wholly applied.
const JOURNAL_MARK: &str = "journal";

/// How many referrers a refused delete names.
const REFERRERS_SHOWN: usize = 5;

/// A store in a local directory: `yibiao.lock` and sled's files under `db/`.
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    records: sled::Tree,
    audit: sled::Tree,
    /// The number the next audit entry gets: one past the last entry stored.
    next_audit: AtomicU64,
    meta: sled::Tree,
    /// The chunks of a batch too big for one transaction, staged before any is applied.
    journal: sled::Tree,
    /// Every element's [`SearchRow`] in blocks: element search without loading the catalog.
    search: sled::Tree,
    /// What the handles that read the database on other threads read, shared with each of
    /// them (see `reopen`).
    reads: Arc<ReadTally>,
    /// Counts writes to the records and search trees, shared with every [`Snapshot`].
    writes: Arc<WriteCount>,
    /// The search rows written since [`Store::take_search_changes`] last took them; `None`
    /// when more were written than are kept. A mutex only because writing takes `&self`.
    search_changes: Mutex<Option<SearchRows>>,
    /// Shared with the workers that read it ([`Store::shared_catalog`]); a write to it while
    /// one still holds it copies it first.
    catalog: Arc<Catalog>,
    /// During a write near its records: the elements each agency it renames sources (as the
    /// search index's file names them, checked against their records), by element code,
    /// whose search rows are the stored rows naming the agency anew (see `near_write`).
    sourced: BTreeMap<String, String>,
    roles: Roles,
    principal: Principal,
    changed: usize,
    /// Whether this handle has removed the search cache file (once, before its first write).
    cache_removed: bool,
    _lock: StoreLock,
}

/// One pending write: key and new value (`None` removes).
type Write = (Vec<u8>, Option<Vec<u8>>);

/// The most records, or search rows, one transaction of a staged chunk writes (see
/// [`SledStore::write_parts`]).
const WRITES_AT_ONCE: usize = 256;

/// Search rows by element code; `None`: the element's row is removed.
pub type SearchRows = BTreeMap<String, Option<SearchRow>>;

/// Everything one transaction writes, prepared before it; also what the journal holds of a
/// chunk. Search rows are kept as rows, not block writes: the blocks a chunk rewrites depend
/// on the chunks before it, so they are read when the chunk is written.
#[derive(Serialize, Deserialize)]
struct ChunkWrites {
    records: Vec<Write>,
    search: SearchRows,
    /// Audit values, each with the number of entries it holds.
    audit: Vec<(Vec<u8>, u64)>,
}

impl ChunkWrites {
    /// Whether one transaction writes it: not more than [`WRITES_AT_ONCE`] records and
    /// search rows (see [`SledStore::write`]).
    fn fits_one_transaction(&self) -> bool {
        self.records.len() + self.search.len() <= WRITES_AT_ONCE
    }
}

/// A failure to write a committed batch: the journal holds the rest.
fn unfinished(e: StoreError) -> StoreError {
    match e {
        StoreError::Write(source) => StoreError::Unfinished(source),
        other => other,
    }
}

/// A chunk as version 1 staged it: with the reference index's writes (no longer kept) and
/// one audit value a record. Frozen: a journal left by version 1 is replayed from it.
#[derive(Serialize, Deserialize)]
struct ChunkWritesV1 {
    records: Vec<Write>,
    index: Vec<Write>,
    search: BTreeMap<String, Option<SearchRow>>,
    audit: Vec<Vec<u8>>,
}

impl ChunkWritesV1 {
    /// The same writes without the index's.
    fn upgrade(self) -> ChunkWrites {
        ChunkWrites {
            records: self.records,
            search: self.search,
            audit: self.audit.into_iter().map(|value| (value, 1)).collect(),
        }
    }
}

/// A journal entry, in a version envelope like every stored value.
#[derive(Serialize, Deserialize)]
enum StagedChunk {
    V1(ChunkWritesV1),
    V2(ChunkWrites),
    /// A chunk's writes, encoded and deflated: sled holds every staged chunk in memory until
    /// the batch is written (about 700 MiB of them restoring a million elements, before they
    /// were deflated), and writes each twice.
    V3(Vec<u8>),
}

impl StagedChunk {
    /// What a chunk's writes are staged as.
    fn staged(writes: &ChunkWrites) -> Result<StagedChunk, CodecError> {
        Ok(StagedChunk::V3(encode_deflated(writes)?))
    }

    fn into_writes(self) -> Result<ChunkWrites, CodecError> {
        Ok(match self {
            StagedChunk::V1(old) => old.upgrade(),
            StagedChunk::V2(writes) => writes,
            StagedChunk::V3(deflated) => decode_journal(&inflate(&deflated)?)?,
        })
    }
}

/// Where a write makes the search rows of the elements it changes from.
#[derive(Clone, Copy)]
enum RowsFrom<'a> {
    /// The catalog in memory, which holds every record.
    Catalog,
    /// The rows in the search tree, their use counts moved by the forms changed: the catalog
    /// in memory holds only the records near the change (see `near_write`); or the rows the
    /// chunks staged before this one wrote, where they wrote one (see `merge_in_chunks`).
    Tree(Option<&'a SearchRows>),
}

/// A chunk's writes and what they change.
struct Planned {
    writes: ChunkWrites,
    applied: Applied,
}

impl SledStore {
    /// Opens (creating if needed) the store in `dir`, taking its lock and loading the catalog.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_unloaded(dir)?.load()
    }

    /// Opens (creating if needed) the store in `dir` and takes its lock without loading the
    /// catalog: what a search or the first frame of the TUI needs is read from the search
    /// tree, and the catalog is loaded later (see [`UnloadedStore`]).
    pub fn open_unloaded(dir: &Path) -> Result<UnloadedStore, StoreError> {
        Self::lock(dir, IfMissing::Create)?.open()
    }

    /// Takes the store's lock without opening the database yet: a second instance is refused
    /// at once, and the (slower) opening can happen on another thread while the TUI draws its
    /// first frame. A directory that holds no store is created (mode 0700) or refused, as
    /// `if_missing` says; one that holds other files is always refused, and left untouched.
    pub fn lock(dir: &Path, if_missing: IfMissing) -> Result<LockedStore, StoreError> {
        let no_store = || StoreError::NoStore {
            path: dir.to_path_buf(),
        };
        let found = layout::inspect(dir)?;
        match (found, if_missing) {
            (Found::Nothing, IfMissing::Create) => DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|source| StoreError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?,
            // without a lock file nobody is creating one (a store's lock comes before `db/`)
            (Found::Nothing, IfMissing::Refuse) if !dir.join(LOCK_FILE).is_file() => {
                return Err(no_store());
            }
            _ => {}
        }
        // a store another yibiao is creating: refused as in use, or there once it is released
        let lock = StoreLock::acquire(dir)?;
        if found == Found::Nothing
            && if_missing == IfMissing::Refuse
            && layout::inspect(dir)? != Found::Store
        {
            return Err(no_store());
        }
        Ok(LockedStore {
            dir: dir.to_path_buf(),
            lock,
        })
    }
}

/// The sled database of a store and its trees, as opened.
struct Trees {
    db: sled::Db,
    records: sled::Tree,
    audit: sled::Tree,
    meta: sled::Tree,
    journal: sled::Tree,
    search: sled::Tree,
}

impl Trees {
    /// Opens the database under the store directory `dir` and its trees.
    fn open(dir: &Path) -> Result<Trees, StoreError> {
        let open_err = |source| StoreError::Open {
            path: dir.to_path_buf(),
            source,
        };
        let db =
            sled_files::open_db(&dir.join(layout::DB_DIR), Some(CACHE_BYTES)).map_err(open_err)?;
        let tree = |name: &str| db.open_tree(name).map_err(open_err);
        Ok(Trees {
            records: tree("records")?,
            audit: tree("audit")?,
            meta: tree("meta")?,
            journal: tree("journal")?,
            search: tree("search")?,
            db,
        })
    }
}

/// A store directory whose lock is held but whose database is not open yet.
pub struct LockedStore {
    dir: PathBuf,
    lock: StoreLock,
}

impl LockedStore {
    /// The store directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The catalog's outline cached beside the store, read without opening the database;
    /// `None` when there is no sound one (see `cache_file`).
    pub fn outline(&self) -> Option<Outline> {
        read_outline(&self.dir)
    }

    /// Opens the database (without loading the catalog).
    pub fn open(self) -> Result<UnloadedStore, StoreError> {
        let LockedStore { dir, lock } = self;
        let dir = dir.as_path();
        let Trees {
            db,
            records,
            audit,
            meta,
            journal,
            search,
        } = Trees::open(dir)?;
        layout::restrict(dir);
        SledStore::check_schema(dir, &db, &meta)?;
        let next_audit = AtomicU64::new(next_audit_number(&audit)?);
        let roles = Roles::load(super::roles::config_dir().as_deref(), dir)?;
        UnloadedStore(SledStore {
            path: dir.to_path_buf(),
            db,
            records,
            audit,
            next_audit,
            meta,
            journal,
            search,
            reads: Arc::default(),
            writes: Arc::default(),
            search_changes: Mutex::new(Some(SearchRows::new())),
            catalog: Arc::default(),
            roles,
            principal: Principal::current(),
            changed: 0,
            cache_removed: false,
            sourced: BTreeMap::new(),
            _lock: lock,
        })
        .finish_journal()?
        .check_watermark()
    }
}

impl SledStore {
    /// Ends the use of the store by a process that is about to exit: flushes it, then
    /// leaves its memory, files and lock to the operating system, which releases them at exit
    /// (freeing a large catalog and sled's page cache piece by piece takes longer than
    /// everything else a command does). Every apply has already flushed, so this is as safe
    /// as a drop; do not call it in a process that goes on using the store's directory.
    pub fn close_for_exit(self) {
        let _ = self.db.flush();
        std::mem::forget(self);
    }

    /// Caches the catalog's outline unless `cached` (the one the TUI started from) already
    /// is it, so that a stale outline — left by a version that did not know the file — is
    /// put right by the next load. Returns whether it wrote.
    /// The element links are written too when they are not there yet.
    pub fn refresh_outline(&mut self, cached: Option<&Outline>) -> bool {
        let outline = Outline::of(&self.catalog);
        let stale = cached != Some(&outline);
        if stale {
            write_outline(&self.path, &outline);
        }
        if stale || !cache_file::has_links(&self.path) {
            write_links(&self.path, &ElementLinks::of(&self.catalog));
        }
        // the next write must remove them again
        self.cache_removed = false;
        stale
    }

    /// Whether the search tree holds the current layout for every element.
    fn search_is_current(&self) -> Result<bool, StoreError> {
        let found = self.meta.get("search").map_err(StoreError::Write)?;
        Ok(found.as_deref() == Some(SEARCH_VERSION.to_be_bytes().as_slice()))
    }

    /// See [`UnloadedStore::each_logged`]; the log's pages are let go as it is read
    /// (see `scan`).
    fn each_logged<E: From<StoreError>>(
        &self,
        code: Option<&str>,
        mut each: impl FnMut(LoggedEntry) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut scan = scan::of_tree(&self.audit, &self.reads);
        for item in self.audit.iter() {
            let (key, value) = item.map_err(StoreError::Write)?;
            scan.read(&key);
            let seq = <[u8; 8]>::try_from(key.as_ref())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            let entries = decode_audit(&value).map_err(|e| StoreError::Corrupt {
                what: format!("audit entry {seq}"),
                reason: e.to_string(),
            })?;
            for (seq, entry) in (seq..).zip(entries) {
                if code.is_none_or(|c| c == entry.code) {
                    each(LoggedEntry { seq, entry })?;
                }
            }
        }
        Ok(())
    }

    /// Writes a cache file with `write` if the store's write count is still `at` (what the
    /// file holds was made from the store as it is). Returns whether it wrote.
    fn save_if_current(&mut self, at: u64, write: impl FnOnce(&Path)) -> bool {
        if at != self.writes.now() {
            return false;
        }
        write(&self.path);
        // the next write must remove it again
        self.cache_removed = false;
        true
    }

    /// Removes the cache files before this handle's first write (see `cache_file`); the
    /// search index's is set aside, for a write made near its records to follow (see
    /// `search_file`).
    fn remove_caches(&mut self) -> Result<(), StoreError> {
        if !self.cache_removed {
            for file in cache_file::ALL {
                let removed = match file.name {
                    name if name == cache_file::SEARCH.name => search_file::set_aside(&self.path),
                    name if name == cache_file::LINKS.name => {
                        self.set_aside(file, cache_file::LINKS_BASE)
                    }
                    name if name == cache_file::OUTLINE.name => {
                        self.set_aside(file, cache_file::OUTLINE_BASE)
                    }
                    _ => file.invalidate(&self.path),
                };
                removed.map_err(|source| StoreError::Io {
                    path: self.path.join(file.name),
                    source,
                })?;
            }
            self.cache_removed = true;
        }
        Ok(())
    }

    /// Sets `file` aside as `base` (see [`cache_file::LINKS_BASE`]); a file left aside by an
    /// earlier write goes when there is none.
    fn set_aside(&self, file: &cache_file::CacheFile, base: &str) -> std::io::Result<()> {
        if !file.set_aside(&self.path, base)? {
            match std::fs::remove_file(self.path.join(base)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// The search index cached beside the store in `dir`, read under the store's lock without
    /// opening the database; `None` when there is no sound cache (or no store).
    pub fn cached_search(dir: &Path) -> Result<Option<SearchData>, StoreError> {
        if layout::inspect(dir)? != Found::Store {
            return Ok(None);
        }
        let _lock = StoreLock::acquire(dir)?;
        Ok(read_search(dir))
    }

    /// Rewrites the search tree from the catalog (a store written before it existed).
    fn rebuild_search(&mut self) -> Result<(), StoreError> {
        self.remove_caches()?;
        let _writing = self.writes.begin();
        self.note_search_changes(None);
        self.meta.remove("search").map_err(StoreError::Write)?;
        self.search.clear().map_err(StoreError::Write)?;
        let rows: Vec<SearchRow> = search::rows(&self.catalog).collect();
        let mut batch = sled::Batch::default();
        for (key, value) in search_tree::layout(&rows)? {
            if let Some(value) = value {
                batch.insert(key, value);
            }
        }
        self.search.apply_batch(batch).map_err(StoreError::Write)?;
        self.meta
            .insert("search", &SEARCH_VERSION.to_be_bytes())
            .map_err(StoreError::Write)?;
        self.db.flush().map_err(StoreError::Write)?;
        Ok(())
    }

    fn check_schema(dir: &Path, db: &sled::Db, meta: &sled::Tree) -> Result<(), StoreError> {
        let found = meta.get("schema").map_err(StoreError::Write)?;
        match found {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .unwrap_or(u32::MAX);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        path: dir.to_path_buf(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                if found < SCHEMA_VERSION {
                    // what version 1 wrote reads as it is; from now on it is written as 2
                    meta.insert("schema", &SCHEMA_VERSION.to_be_bytes())
                        .map_err(StoreError::Write)?;
                    db.flush().map_err(StoreError::Write)?;
                }
            }
            None => {
                meta.insert("schema", &SCHEMA_VERSION.to_be_bytes())
                    .map_err(StoreError::Write)?;
                meta.insert("created", utc_now().as_bytes())
                    .map_err(StoreError::Write)?;
                db.flush().map_err(StoreError::Write)?;
            }
        }
        Ok(())
    }

    /// Collapses a batch into net changes, dropping upserts equal to what is stored (a
    /// published record given at V0 counts as V1: [`Record::published_at_least_v1`]).
    fn net_changes(&self, batch: Batch) -> (Vec<(Kind, String)>, Changes, Vec<Problem>) {
        let mut order = Vec::new();
        let mut changes = Changes::new();
        let mut problems = Vec::new();
        for command in batch.commands {
            let (key, value) = match command {
                Command::Upsert(mut record) => {
                    // published is V1 at least, whatever a file or an old backup says
                    record.published_at_least_v1();
                    ((record.kind(), record.code().to_string()), Some(record))
                }
                Command::Delete { kind, code } => ((kind, code), None),
            };
            if !changes.contains_key(&key) {
                order.push(key.clone());
            }
            changes.insert(key, value);
        }
        order.retain(|key| {
            let current = self.catalog.get(key.0, &key.1);
            let keep = match (&changes[key], current) {
                (Some(new), Some(old)) => new.as_ref() != old,
                (Some(_), None) => true,
                (None, Some(_)) => true,
                (None, None) => {
                    problems.push(Problem::new(
                        key.0,
                        &key.1,
                        "",
                        Issue::Unknown {
                            target: key.0,
                            code: key.1.clone(),
                        },
                    ));
                    false
                }
            };
            if !keep {
                changes.remove(key);
            }
            keep
        });
        (order, changes, problems)
    }

    /// Every problem the changes would cause.
    fn validate(&self, order: &[(Kind, String)], changes: &Changes) -> Vec<Problem> {
        let view = Overlay {
            base: &*self.catalog,
            changes,
        };
        let upserts = order
            .iter()
            .filter_map(|key| changes[key].as_ref().map(Record::as_ref));
        // children of a changed item must still sit one level below it
        let children: Vec<RecordRef<'_>> = order
            .iter()
            .filter(|(kind, _)| *kind == Kind::Item)
            .flat_map(|(kind, code)| self.catalog.referrers(*kind, code))
            .filter(|r| r.kind == Kind::Item && r.path == "parent")
            .filter(|r| !changes.contains_key(&(r.kind, r.code.to_string())))
            .filter_map(|r| self.catalog.get(r.kind, &r.code))
            .collect();
        let mut problems = check_records(&view, upserts.chain(children));
        for key in order.iter().filter(|key| changes[*key].is_none()) {
            let still: Vec<Referrer> = self
                .catalog
                .referrers(key.0, &key.1)
                .filter(|r| !changes.contains_key(&(r.kind, r.code.to_string())))
                .collect();
            if !still.is_empty() {
                problems.push(Problem::new(
                    key.0,
                    &key.1,
                    "",
                    Issue::ReferencedBy {
                        total: still.len(),
                        referrers: still.into_iter().take(REFERRERS_SHOWN).collect(),
                    },
                ));
            }
        }
        problems
    }

    /// Refuses the change, naming the missing role, unless the user may make all of it.
    fn authorize(&self, order: &[(Kind, String)], changes: &Changes) -> Result<(), StoreError> {
        let mut needs_editor = None;
        for key in order {
            let old = self.catalog.get(key.0, &key.1);
            let new = changes[key].as_ref().map(|r| r.as_ref());
            let (role, verb) = role_for(old, new);
            let what = Deed {
                verb,
                kind: key.0,
                code: key.1.clone(),
            };
            if role == Role::Editor {
                needs_editor.get_or_insert(what);
            } else {
                self.roles.require(&self.principal, role, what)?;
            }
        }
        match needs_editor {
            Some(what) => self.roles.require(&self.principal, Role::Editor, what),
            None => Ok(()),
        }
    }

    /// The writes to the search tree's blocks that apply `changes` (see
    /// [`search_tree::plan`]), each block read looked up again as reads spread over a tree
    /// are (see `scan`), so that sled lets its pages go as they are read.
    fn plan_search(
        &self,
        changes: BTreeMap<String, Option<SearchRow>>,
    ) -> Result<Vec<search_tree::Write>, StoreError> {
        search_tree::plan(&self.search, changes, |key| {
            scan::touch_spread(&self.search, key);
        })
    }

    /// Writes one chunk; `staged` names its journal entry, removed with its last write. A
    /// chunk not staged goes in one transaction across the records, search and audit trees;
    /// a staged one in parts (see [`SledStore::write_parts`]).
    fn write(&self, chunk: &ChunkWrites, staged: Option<&[u8]>) -> Result<(), StoreError> {
        let _writing = self.writes.begin();
        let first = self.next_audit.load(Ordering::Relaxed);
        let written = match staged {
            None => self.plan_search(chunk.search.clone()).and_then(|blocks| {
                self.transact(&chunk.records, &blocks, &chunk.audit, first, None)
            }),
            Some(key) => self.write_parts(chunk, first, key, usize::MAX),
        };
        if let Err(e) = written {
            // the index is read again rather than trusted
            self.note_search_changes(None);
            return Err(e);
        }
        let entries: u64 = chunk.audit.iter().map(|(_, n)| n).sum();
        self.next_audit.store(first + entries, Ordering::Relaxed);
        self.note_search_changes(Some(&chunk.search));
        Ok(())
    }

    /// Writes the staged chunk `key`, at most `parts` transactions of it (all of them but
    /// in tests, which stop part way): its records [`WRITES_AT_ONCE`] at a time, then its
    /// search rows as many at a time, each part's blocks planned over the tree as the parts
    /// before left it, the last part with the chunk's audit (numbered from `first`) and the
    /// removal of its journal entry. A committed batch's chunk is written again whole when
    /// the process stops before it leaves the journal, and each part sets keys to values (the
    /// rows planned again over the tree as left: a block is rewritten whole, in one part), so
    /// writing some of the parts changes nothing the replay does not write again. In parts,
    /// because sled holds what a transaction reads and replaces until it ends (every page it
    /// reaches, read by the transaction and again as it commits, under one pin of its memory
    /// reclamation) and a plan holds every block its rows touch: at a million elements one
    /// transaction of the rows of the 12,984 elements a renamed agency sources held 360 MB.
    fn write_parts(
        &self,
        chunk: &ChunkWrites,
        first: u64,
        key: &[u8],
        parts: usize,
    ) -> Result<(), StoreError> {
        let mut parts = (0..parts).peekable();
        for records in chunk.records.chunks(WRITES_AT_ONCE) {
            if parts.next().is_none() {
                return Ok(());
            }
            self.transact(records, &[], &[], first, None)?;
        }
        let rows: Vec<_> = chunk.search.iter().collect();
        let mut groups = rows.chunks(WRITES_AT_ONCE).peekable();
        while parts.peek().is_some() {
            let group = groups.next().unwrap_or_default();
            let changes = (group.iter()).map(|(code, row)| ((*code).clone(), (*row).clone()));
            let blocks = self.plan_search(changes.collect())?;
            if groups.peek().is_some() {
                self.transact(&[], &blocks, &[], first, None)?;
                parts.next();
            } else {
                return self.transact(&[], &blocks, &chunk.audit, first, Some(key));
            }
        }
        Ok(())
    }

    /// Writes `records`, the search `blocks`, the `audit` values (numbered from `first`) and
    /// the removal of the journal entry `staged` in one transaction.
    fn transact(
        &self,
        records: &[Write],
        blocks: &[Write],
        audit: &[(Vec<u8>, u64)],
        first: u64,
        staged: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        // no I/O and no fallible work but sled's inside the closure: it may run more than once
        (&self.records, &self.audit, &self.search, &self.journal)
            .transaction(|(records_tree, audit_tree, search, journal)| {
                for (key, value) in records {
                    match value {
                        Some(v) => records_tree.insert(key.as_slice(), v.as_slice())?,
                        None => records_tree.remove(key.as_slice())?,
                    };
                }
                for (key, value) in blocks {
                    match value {
                        Some(v) => search.insert(key.as_slice(), v.as_slice())?,
                        None => search.remove(key.as_slice())?,
                    };
                }
                let mut number = first;
                for (value, entries) in audit {
                    audit_tree.insert(&number.to_be_bytes(), value.as_slice())?;
                    number += entries;
                }
                if let Some(key) = staged {
                    journal.remove(key)?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => StoreError::Write(e),
                TransactionError::Abort(()) => StoreError::Write(sled::Error::ReportableBug(
                    "transaction aborted without a reason".into(),
                )),
            })
    }

    /// Adds the rows a write changed to those kept for [`Store::take_search_changes`];
    /// `None` (a change not counted row by row), or too many rows, drops them all.
    fn note_search_changes(&self, rows: Option<&SearchRows>) {
        let mut kept = self
            .search_changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *kept = match (kept.take(), rows) {
            (Some(mut kept), Some(rows)) if kept.len() + rows.len() <= SEARCH_CHANGES_KEPT => {
                kept.extend(rows.iter().map(|(code, row)| (code.clone(), row.clone())));
                Some(kept)
            }
            _ => None,
        };
    }

    /// The elements whose search rows a chunk changes, each with how its forms move its use
    /// count: its elements, the elements whose use count its forms move, and the elements
    /// of the agencies it changes (their names are in the rows), as the catalog in memory
    /// holds them (the whole one, or the records near the chunk, a renamed agency's
    /// elements read beside it).
    fn rows_touched(&self, chunk: &[(Kind, String)], changes: &Changes) -> BTreeMap<String, i64> {
        let mut delta = self.use_deltas(chunk, changes);
        for (kind, code) in chunk {
            match kind {
                Kind::Element => {
                    delta.entry(code.clone()).or_default();
                }
                Kind::Agency => {
                    for r in self.catalog.referrers(Kind::Agency, code) {
                        if r.kind == Kind::Element {
                            delta.entry(r.code.to_string()).or_default();
                        }
                    }
                    for (element, _) in self.sourced.iter().filter(|(_, a)| *a == code) {
                        delta.entry(element.clone()).or_default();
                    }
                }
                _ => {}
            }
        }
        delta
    }

    /// The search rows a chunk changes: its elements, the elements whose use count its forms
    /// change, and the elements whose source agency it renames. The catalog holds the state
    /// before the chunk; `changes` the new records of the whole batch.
    fn search_rows(
        &self,
        chunk: &[(Kind, String)],
        changes: &Changes,
    ) -> BTreeMap<String, Option<SearchRow>> {
        let mut rows = BTreeMap::new();
        for (code, change) in self.rows_touched(chunk, changes) {
            let element = match changes.get(&(Kind::Element, code.clone())) {
                Some(Some(Record::Element(e))) => Some(e),
                Some(_) => None,
                None => self.catalog.elements.get(code.as_str()),
            };
            let row = element.map(|e| {
                let before = i64::try_from(search::uses(&self.catalog, &code)).unwrap_or(0);
                let uses = usize::try_from(before + change).unwrap_or(0);
                let agency = e
                    .source_agency
                    .as_deref()
                    .and_then(|a| self.agency_name(a, changes));
                SearchRow::of(e, agency.as_deref(), uses)
            });
            rows.insert(code, row);
        }
        rows
    }

    /// The name of the agency `code` as `changes` leave it (`None`: there is none).
    fn agency_name(&self, code: &str, changes: &Changes) -> Option<String> {
        match changes.get(&(Kind::Agency, code.to_string())) {
            Some(Some(Record::Agency(a))) => Some(a.name.to_string()),
            Some(_) => None,
            None => self.catalog.agencies.get(code).map(|a| a.name.to_string()),
        }
    }

    /// Validates and writes `batch` over the catalog in memory (the whole one, or the records
    /// near the batch: see `near_write`), the changed elements' search rows made as `rows`
    /// says; the catalog follows the change. Over the records near it ([`RowsFrom::Tree`])
    /// the search rows it wrote come back too, every one (those kept for
    /// [`Store::take_search_changes`] are dropped past a bound), for the caches to follow.
    fn apply_with(
        &mut self,
        batch: Batch,
        rows: RowsFrom<'_>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(Applied, SearchRows), StoreError> {
        let action = batch.action.clone();
        let (order, mut changes, mut problems) = self.net_changes(batch);
        problems.extend(self.validate(&order, &changes));
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        if order.is_empty() {
            return Ok(Default::default());
        }
        self.authorize(&order, &changes)?;
        self.remove_caches()?;
        let near = matches!(rows, RowsFrom::Tree(_));
        let (applied, written) = if order.len() <= CHUNK_RECORDS {
            let planned = self.plan_writes(&action, &order, &changes, rows)?;
            match planned.writes.fits_one_transaction() {
                true => self.write(&planned.writes, None)?,
                false => self.write_through_journal(&planned.writes)?,
            }
            self.mirror(&order, &mut changes);
            self.db.flush().map_err(StoreError::Write)?;
            let written = match near {
                true => planned.writes.search,
                false => SearchRows::new(),
            };
            (planned.applied, written)
        } else {
            self.apply_journaled(&action, &order, changes, near, progress)?
        };
        self.changed += applied.created + applied.updated + applied.deleted;
        // flushed: from now on the database must hold this change when the store is opened
        watermark::write(&self.path, self.last_change());
        Ok((applied, written))
    }

    /// How the forms of a chunk move each element's use count: its bindings in the form as
    /// the catalog in memory holds it (before the chunk) are taken off, those of the new form
    /// added; an element bound as before, moved by 0, is left out (its row stays as it is: a
    /// merge that rebinds one field of each of 700 forms would otherwise write the rows of
    /// every element they bind, and read them first when the catalog is not loaded).
    fn use_deltas(&self, chunk: &[(Kind, String)], changes: &Changes) -> BTreeMap<String, i64> {
        let mut delta: BTreeMap<String, i64> = BTreeMap::new();
        let mut count = |record: Option<RecordRef<'_>>, by: i64| {
            for r in record.map(|r| r.references()).unwrap_or_default() {
                if r.target == Kind::Element {
                    *delta.entry(r.code.to_string()).or_default() += by;
                }
            }
        };
        for (kind, code) in chunk {
            if *kind == Kind::Form {
                count(self.catalog.get(Kind::Form, code), -1);
                let new = changes
                    .get(&(Kind::Form, code.clone()))
                    .and_then(Option::as_ref);
                count(new.map(Record::as_ref), 1);
            }
        }
        delta.retain(|_, moved| *moved != 0);
        delta
    }

    /// The audit number of the last change the database holds (0: none yet).
    fn last_change(&self) -> u64 {
        self.next_audit.load(Ordering::Relaxed).saturating_sub(1)
    }

    /// Applies changes written (or staged) to the catalog in memory, taking them out of
    /// `changes`.
    fn mirror(&mut self, keys: &[(Kind, String)], changes: &mut Changes) {
        let catalog = Arc::make_mut(&mut self.catalog);
        catalog.apply_changes(keys.iter().map(|key| {
            let record = changes.remove(key).flatten();
            (key.clone(), record)
        }));
    }

    /// Writes a batch too big for one transaction so that a crash leaves all of it or none.
    /// Every chunk is planned and staged in the journal, the catalog in memory following
    /// (a chunk is planned on top of the ones before it); one flushed mark then commits the
    /// batch, and each chunk is written in a transaction that also takes it out of the
    /// journal. Opening a store finishes a committed batch and drops an uncommitted one
    /// ([`UnloadedStore::finish_journal`]). `near`: the catalog in memory holds only the
    /// records near the batch; each chunk's search rows are made from the search tree and
    /// the rows the chunks before it staged, and come back, all of them. `progress` is told
    /// of each chunk staged, then of each written (see [`Store::apply_reporting`]).
    fn apply_journaled(
        &mut self,
        action: &str,
        order: &[(Kind, String)],
        mut changes: Changes,
        near: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(Applied, SearchRows), StoreError> {
        let chunks = order.len().div_ceil(CHUNK_RECORDS) as u64;
        let staged = self.stage(action, order, &mut changes, near, &mut |n| {
            progress(n, 2 * chunks);
        });
        // every record has moved to the catalog; the emptied table keeps its allocation (about
        // 400 MiB at a million records) until it is dropped
        drop(changes);
        let staged = staged.and_then(|applied| self.commit_journal().map(|()| applied));
        let applied = match staged {
            Ok(applied) => applied,
            Err(e) => {
                // nothing was applied: drop what was staged, and reread the catalog, which
                // already holds the staged chunks (the records near the batch, each)
                self.drop_staged();
                self.catalog = Arc::new(match near {
                    true => self.reread(&self.catalog)?,
                    false => load_catalog(&self.records, |_| {})?,
                });
                return Err(e);
            }
        };
        self.replay_journal(&mut |n| progress(chunks + n, 2 * chunks))?;
        Ok(applied)
    }

    /// Writes one chunk too big for one of sled's transactions (see [`SledStore::write`]) as
    /// a batch of one chunk: staged in the journal and committed, then written in parts;
    /// should the process stop meanwhile, the next opening writes the rest.
    /// The chunk is written from `writes`, not decoded again from the journal (an agency
    /// renamed that sources 86,019 elements stages their 86,019 rows).
    fn write_through_journal(&self, writes: &ChunkWrites) -> Result<(), StoreError> {
        self.journal.clear().map_err(StoreError::Write)?;
        let committed = (self.stage_writes(0, writes)).and_then(|()| self.commit_journal());
        if let Err(e) = committed {
            self.drop_staged();
            return Err(e);
        }
        let key = 0u64.to_be_bytes();
        self.write(writes, Some(&key)).map_err(unfinished)?;
        self.db.flush().map_err(StoreError::Unfinished)?;
        self.end_journal()
    }

    /// Plans every chunk of `order` and stores it in the journal, uncommitted, telling
    /// `staged` how many chunks are; `near`: the search rows are made from the tree and the
    /// chunks staged before, and come back.
    fn stage(
        &mut self,
        action: &str,
        order: &[(Kind, String)],
        changes: &mut Changes,
        near: bool,
        staged: &mut dyn FnMut(u64),
    ) -> Result<(Applied, SearchRows), StoreError> {
        self.journal.clear().map_err(StoreError::Write)?;
        let mut applied = Applied::default();
        let mut rows = SearchRows::new();
        for (seq, chunk) in (0u64..).zip(order.chunks(CHUNK_RECORDS)) {
            let from = match near {
                true => RowsFrom::Tree(Some(&rows)),
                false => RowsFrom::Catalog,
            };
            let planned = self.plan_writes(action, chunk, changes, from)?;
            self.stage_writes(seq, &planned.writes)?;
            self.mirror(chunk, changes);
            applied.add(&planned.applied);
            if near {
                rows.extend(planned.writes.search);
                // (sled holds the staged chunks in memory until they are flushed)
                self.db.flush().map_err(StoreError::Write)?;
                crate::memory::give_back();
            }
            staged(seq + 1);
        }
        Ok((applied, rows))
    }

    /// The records of `catalog` as the store holds them: each read again, those it does not
    /// hold left out.
    fn reread(&self, catalog: &Catalog) -> Result<Catalog, StoreError> {
        let mut again = Catalog::default();
        for record in catalog.records() {
            let key = record_key(record.kind(), record.code());
            if let Some(value) = self.records.get(&key).map_err(StoreError::Write)? {
                again.insert(decode_stored(&key, &value)?);
            }
        }
        Ok(again)
    }

    /// Stores a chunk's writes in the journal as its entry `seq`, uncommitted.
    fn stage_writes(&self, seq: u64, writes: &ChunkWrites) -> Result<(), StoreError> {
        let value = StagedChunk::staged(writes)
            .and_then(|chunk| encode_journal(&chunk))
            .map_err(|source| StoreError::Encode {
                what: format!("journal entry {seq}"),
                source,
            })?;
        self.journal
            .insert(seq.to_be_bytes(), value)
            .map_err(StoreError::Write)?;
        Ok(())
    }

    /// Drops what was staged of a batch that is not to be applied (a failure of its own
    /// before it was committed): a failure here leaves the journal uncommitted, which the
    /// next opening drops.
    fn drop_staged(&self) {
        let _ = self.meta.remove(JOURNAL_MARK);
        let _ = self.journal.clear();
        let _ = self.db.flush();
    }

    /// Commits the staged batch: from here on it is applied whole, if need be by the next
    /// process to open the store. The journal is on disk before the mark is.
    fn commit_journal(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(StoreError::Write)?;
        self.meta
            .insert(JOURNAL_MARK, &[])
            .map_err(StoreError::Write)?;
        self.db.flush().map_err(StoreError::Write)?;
        Ok(())
    }

    /// Writes every chunk left in the journal of a committed batch, in order, each flushed,
    /// then removes the mark. A chunk leaves the journal in the transaction that writes it,
    /// so running this again after a crash writes each chunk once. `written` is told how many
    /// chunks are.
    fn replay_journal(&self, written: &mut dyn FnMut(u64)) -> Result<(), StoreError> {
        let keys = self
            .journal
            .iter()
            .keys()
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::Unfinished)?;
        for (n, key) in (1u64..).zip(keys) {
            let Some(value) = self.journal.get(&key).map_err(StoreError::Unfinished)? else {
                continue;
            };
            let chunk = decode_journal::<StagedChunk>(&value)
                .and_then(StagedChunk::into_writes)
                .map_err(|e| StoreError::Corrupt {
                    what: format!("journal entry {}", String::from_utf8_lossy(&key)),
                    reason: e.to_string(),
                })?;
            self.write(&chunk, Some(&key)).map_err(unfinished)?;
            // each chunk on disk before the next: sled holds what is not flushed yet (merging
            // an element bound in 97,921 forms peaked 35 MB lower so, `sample --scale 161`
            // 30 MB lower for 4% more time)
            self.db.flush().map_err(StoreError::Unfinished)?;
            crate::memory::give_back();
            written(n);
        }
        self.end_journal()
    }

    /// Removes the mark of a committed batch whose every chunk is written, flushed.
    fn end_journal(&self) -> Result<(), StoreError> {
        self.meta
            .remove(JOURNAL_MARK)
            .map_err(StoreError::Unfinished)?;
        self.db.flush().map_err(StoreError::Unfinished)?;
        Ok(())
    }

    /// The writes to each tree for the changes.
    fn plan_writes(
        &self,
        action: &str,
        order: &[(Kind, String)],
        changes: &Changes,
        rows: RowsFrom<'_>,
    ) -> Result<Planned, StoreError> {
        let mut record_writes = Vec::with_capacity(order.len());
        let mut changes_audited = Vec::with_capacity(order.len());
        let mut applied = Applied::default();
        for key in order {
            let (kind, code) = key;
            let new = changes[key].as_ref();
            let old = self.catalog.get(*kind, code).map(RecordRef::to_record);
            let before = match &old {
                Some(record) => Some(record_digest(&encode_record(record).map_err(|source| {
                    StoreError::Encode {
                        what: format!("{} {code}", kind.as_str()),
                        source,
                    }
                })?)),
                None => None,
            };
            let value = match new {
                Some(record) => {
                    Some(encode_record(record).map_err(|source| StoreError::Encode {
                        what: format!("{} {code}", kind.as_str()),
                        source,
                    })?)
                }
                None => None,
            };
            let after = value.as_deref().map(record_digest);
            record_writes.push((record_key(*kind, code), value));
            let op = match (&old, new) {
                (None, _) => {
                    applied.created += 1;
                    AuditOp::Create
                }
                (Some(_), Some(_)) => {
                    applied.updated += 1;
                    AuditOp::Update
                }
                (Some(_), None) => {
                    applied.deleted += 1;
                    AuditOp::Delete
                }
            };
            changes_audited.push(AuditChange {
                kind: *kind,
                code: code.clone(),
                op,
                before,
                after,
            });
        }
        let (time, user) = (utc_now(), os_user());
        let audit = changes_audited
            .chunks(AUDIT_BLOCK_ENTRIES)
            .map(|part| {
                let block = AuditBlock {
                    time: time.clone(),
                    user: user.clone(),
                    action: action.to_string(),
                    changes: part.to_vec(),
                };
                let value = encode_audit(&block).map_err(|source| StoreError::Encode {
                    what: "audit entries".into(),
                    source,
                })?;
                Ok((value, part.len() as u64))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Planned {
            writes: ChunkWrites {
                records: record_writes,
                search: match rows {
                    RowsFrom::Catalog => self.search_rows(order, changes),
                    RowsFrom::Tree(staged) => self.search_rows_from_tree(order, changes, staged)?,
                },
                audit,
            },
            applied,
        })
    }
}

/// A store opened and locked whose catalog is not loaded yet: the search rows can be read at
/// once, and the catalog loaded (here or by a [`CatalogLoader`] on another thread) to give
/// the full [`SledStore`].
pub struct UnloadedStore(SledStore);

/// Counts the writes to a store's records and search trees, seqlock fashion: odd while one
/// is under way. A reader on another thread that sees the same even count before and after
/// reading saw no write, so what it read is the store as it stands at that count.
#[derive(Debug, Default)]
struct WriteCount(AtomicU64);

impl WriteCount {
    /// Marks a write under way until the returned guard is dropped (on every exit path).
    fn begin(&self) -> WriteSpan<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        WriteSpan(self)
    }

    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A write under way (see [`WriteCount::begin`]).
struct WriteSpan<'a>(&'a WriteCount);

impl Drop for WriteSpan<'_> {
    fn drop(&mut self) {
        self.0.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The search rows written since they were last taken ([`Store::take_search_changes`]).
pub struct SearchChanges {
    /// The rows by code (`None`: removed), or `None` when the change was too big to keep row
    /// by row: then read the index again.
    pub rows: Option<SearchRows>,
    /// The store's write count when they were taken: an index that was cacheable
    /// ([`CacheRead::cacheable_at`](super::CacheRead::cacheable_at)) and has had every change since applied describes the
    /// store at this count.
    pub at: u64,
}

/// Loads a store's catalog, on any thread.
pub struct CatalogLoader {
    records: sled::Tree,
    /// Held only so that the database is not reopened under it (see `reopen`).
    _reads: Arc<ReadTally>,
}

impl CatalogLoader {
    /// Decodes every record; `progress` is told how many records are done so far.
    pub fn load(&self, progress: impl FnMut(usize)) -> Result<Catalog, StoreError> {
        load_catalog(&self.records, progress)
    }
}

/// The records a record references, as `(kind, code)` pairs.
fn references(record: RecordRef<'_>) -> Vec<(Kind, String)> {
    record
        .references()
        .into_iter()
        .map(|r| (r.target, r.code.to_string()))
        .collect()
}

/// The records of `kind` that reference `item`, as the outline lists them.
fn item_referrers(outline: &Outline, item: &str, kind: Kind) -> Vec<(Kind, String)> {
    let referrers = outline.referrers(Kind::Item, item).unwrap_or_default();
    referrers
        .into_iter()
        .filter(|(k, _)| *k == kind)
        .map(|(k, code)| (k, code.to_string()))
        .collect()
}

/// `(kind, code)` pairs as borrowed ones.
fn borrowed(pairs: &[(Kind, String)]) -> Vec<(Kind, &str)> {
    pairs.iter().map(|(k, c)| (*k, c.as_str())).collect()
}

/// The records of an open store, readable on any thread while it stays open (sled's trees
/// are shared handles): what a worker reads the element pool from, and what `export` and
/// `backup` write, a record at a time, without loading the catalog.
#[derive(Clone)]
pub struct RecordReader {
    records: sled::Tree,
    path: PathBuf,
    reads: Arc<ReadTally>,
}

/// The store's records read one at a time, in code order (a million elements' JSON is made
/// at about a tenth of the loaded catalog's memory). A record that cannot be read stops the
/// pass, naming it.
impl crate::model::RecordSource for RecordReader {
    fn each_record(
        &self,
        kind: Kind,
        each: &mut dyn FnMut(RecordRef<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut scan = scan::of_tree(&self.records, &self.reads);
        for item in self.records.scan_prefix([tag(kind)]) {
            let (key, value) = item.map_err(|e| std::io::Error::other(StoreError::Write(e)))?;
            scan.read(&key);
            let record = decode_stored(&key, &value).map_err(std::io::Error::other)?;
            each(record.as_ref())?;
        }
        Ok(())
    }
}

impl crate::model::RecordSource for UnloadedStore {
    fn each_record(
        &self,
        kind: Kind,
        each: &mut dyn FnMut(RecordRef<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.reader().each_record(kind, each)
    }
}

impl RecordReader {
    /// The shapes of every element code, read from the keys a code at a time without
    /// decoding a record.
    pub fn code_shapes(&self) -> Result<CodeShapes<'static>, StoreError> {
        self.with_codes(&[tag(Kind::Element)], |codes| CodeShapes::of_codes(codes))
    }

    /// `f` over the codes of the records whose keys start with `key_prefix` (a kind's tag
    /// and the start of a code), read from the keys in order without decoding a record; a
    /// key that cannot be read ends them, and is the error.
    fn with_codes<T>(
        &self,
        key_prefix: &[u8],
        f: impl FnOnce(&mut dyn Iterator<Item = String>) -> T,
    ) -> Result<T, StoreError> {
        let mut failed = None;
        let mut scan = scan::of_tree(&self.records, &self.reads);
        let mut codes = self
            .records
            .scan_prefix(key_prefix)
            .keys()
            .map_while(|key| match key {
                Ok(key) => {
                    scan.read(&key);
                    Some(String::from_utf8_lossy(key.get(1..).unwrap_or_default()).into_owned())
                }
                Err(e) => {
                    failed = Some(e);
                    None
                }
            });
        let out = f(&mut codes);
        drop(codes);
        match failed {
            Some(e) => Err(StoreError::Write(e)),
            None => Ok(out),
        }
    }

    /// The code for a new top-level record of `kind` (see `engine::workflow::new_record`),
    /// worked out from the store's keys a key at a time, without decoding a record: what a
    /// new element before the catalog is loaded is coded. `Ok(None)`: the kind has no new
    /// record.
    pub fn next_code(&self, kind: Kind) -> Result<Option<String>, StoreError> {
        let Some((prefix, width)) = crate::engine::workflow::new_code_shape(kind) else {
            return Ok(None);
        };
        // a key that cannot be read counts as taken: the code gets a suffix instead
        let taken = |code: &str| {
            self.records
                .contains_key(record_key(kind, code))
                .unwrap_or(true)
        };
        self.with_codes(&record_key(kind, prefix), |codes| {
            Some(crate::engine::workflow::next_code_among(
                codes, prefix, width, taken,
            ))
        })
    }

    /// The element pool's covers for `labels` (a bundle's unbound labels, a form's), read an
    /// element at a time: what `engine::merge` and `engine::lint` suggest from.
    pub fn covers<'l>(
        &self,
        labels: impl IntoIterator<Item = &'l str>,
    ) -> Result<Covers, StoreError> {
        let shapes = self.code_shapes()?;
        Covers::for_labels_from(self, &shapes, labels).map_err(|e| self.read_error(e))
    }

    /// The likely duplicates among the elements, the best `most` pairs, and the unbound
    /// fields' groups (see [`crate::engine::dups::find_from`]), read a record at a time:
    /// `element dups` and pane 2's duplicates without the catalog.
    pub fn duplicates(&self, most: usize) -> Result<crate::engine::dups::Duplicates, StoreError> {
        let shapes = self.code_shapes()?;
        crate::engine::dups::find_from(self, &shapes, most).map_err(|e| self.read_error(e))
    }

    /// The element records `covers` names that `near` lacks: what a catalog of just the
    /// records a merge or a lint reads needs besides them to name its suggestions.
    pub fn named(&self, covers: &Covers, near: &Catalog) -> Result<Vec<Record>, StoreError> {
        let mut named: Vec<&str> = covers
            .elements()
            .filter(|c| !near.elements.contains_key(*c))
            .collect();
        named.sort_unstable();
        named.dedup();
        let mut elements = Vec::with_capacity(named.len());
        for code in named {
            elements.extend(self.record(Kind::Element, code)?);
        }
        Ok(elements)
    }

    /// The element pool's covers for the labels of the form `code` in `near` (a catalog of
    /// the records near it, see [`UnloadedStore::form_records`]), read an element at a time,
    /// with the elements they name added to `near`: enough for `engine::lint` to answer on
    /// `near` as on the whole catalog. No such form: no covers.
    pub fn form_covers(&self, code: &str, near: &mut Catalog) -> Result<Covers, StoreError> {
        let Some(f) = near.forms.get(code) else {
            return Ok(Covers::default());
        };
        let covers = self.covers(f.fields().map(|(_, _, field)| field.label.as_str()))?;
        for element in self.named(&covers, near)? {
            near.insert(element);
        }
        Ok(covers)
    }

    /// A record, if the store has it.
    pub fn record(&self, kind: Kind, code: &str) -> Result<Option<Record>, StoreError> {
        let key = record_key(kind, code);
        self.records
            .get(&key)
            .map_err(StoreError::Write)?
            .map(|value| decode_stored(&key, &value))
            .transpose()
    }

    /// Who references each element, cached beside the store (`links.idx`; `None`: not
    /// cached, or unsound).
    pub fn element_links(&self) -> Option<ElementLinks> {
        read_links(&self.path)
    }

    /// A bundle with what merging it reads, as a catalog of just those records: its items,
    /// their forms (by the cached `outline`), and what those reference. `Ok(None)`: there is
    /// no such bundle.
    pub fn bundle_records(
        &self,
        code: &str,
        outline: &Outline,
    ) -> Result<Option<Catalog>, StoreError> {
        let Some(bundle) = self.record(Kind::Bundle, code)? else {
            return Ok(None);
        };
        let mut wanted = references(bundle.as_ref());
        if let Record::Bundle(b) = &bundle {
            for item in &b.items {
                wanted.extend(item_referrers(outline, item, Kind::Form));
            }
        }
        let mut records = self.records_and_theirs(&wanted)?;
        records.push(bundle);
        Ok(Some(Catalog::from_records(records)))
    }

    /// The records `wanted` names that exist, and what they reference in turn (each read
    /// once): the records near a bundle's or a template's forms.
    fn records_and_theirs(&self, wanted: &[(Kind, String)]) -> Result<Vec<Record>, StoreError> {
        let mut records = self.records_of_codes(&borrowed(wanted))?;
        let read: BTreeSet<(Kind, &str)> = records.iter().map(|r| (r.kind(), r.code())).collect();
        let further: Vec<(Kind, String)> = records
            .iter()
            .flat_map(|r| references(r.as_ref()))
            .filter(|(kind, code)| !read.contains(&(*kind, code.as_str())))
            .collect();
        records.extend(self.records_of_codes(&borrowed(&further))?);
        Ok(records)
    }

    /// The records named that exist, read without loading the catalog, as a catalog of just
    /// those.
    pub fn records_as_catalog(&self, wanted: &[(Kind, &str)]) -> Result<Catalog, StoreError> {
        Ok(Catalog::from_records(self.records_of_codes(wanted)?))
    }

    /// The records named that exist, read without loading the catalog, each once, in kind
    /// and code order.
    fn records_of_codes(&self, wanted: &[(Kind, &str)]) -> Result<Vec<Record>, StoreError> {
        let mut wanted = wanted.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut records = Vec::with_capacity(wanted.len());
        for (kind, code) in wanted {
            records.extend(self.record(kind, code)?);
        }
        Ok(records)
    }

    /// A read that failed inside a [`RecordSource`](crate::model::RecordSource) pass, as
    /// the store's error again.
    pub(super) fn read_error(&self, e: std::io::Error) -> StoreError {
        match e.downcast::<StoreError>() {
            Ok(e) => e,
            Err(source) => StoreError::Io {
                path: self.path.clone(),
                source,
            },
        }
    }
}

impl UnloadedStore {
    /// The most records one write over the records near them changes (see
    /// [`UnloadedStore::apply_near`]): a bigger batch needs the catalog. One of more than a
    /// transaction's records is staged in the journal in chunks, as the loaded store writes
    /// it, each chunk's search rows made from the tree and the chunks before it.
    pub const MOST_NEAR: usize = 16 * CHUNK_RECORDS;

    /// Finishes what a process killed in the middle of a big batch left: a committed batch
    /// is written to its end, an uncommitted one dropped, so the store holds all of the
    /// batch or none of it. Nothing to do after a clean exit.
    fn finish_journal(mut self) -> Result<Self, StoreError> {
        let store = &mut self.0;
        if store
            .meta
            .contains_key(JOURNAL_MARK)
            .map_err(StoreError::Write)?
        {
            store.remove_caches()?;
            store.replay_journal(&mut |_| {})?;
        } else if !store.journal.is_empty() {
            store.journal.clear().map_err(StoreError::Write)?;
            store.db.flush().map_err(StoreError::Write)?;
        }
        Ok(self)
    }

    /// Refuses a store whose database ends before the last change a save reported (see
    /// `watermark`), and raises the watermark to what the database holds.
    fn check_watermark(self) -> Result<Self, StoreError> {
        let found = self.0.last_change();
        match watermark::read(&self.0.path) {
            Some(expected) if found < expected => Err(StoreError::Lost {
                path: self.0.path.clone(),
                expected,
                found,
            }),
            Some(expected) if found == expected => Ok(self),
            _ => {
                watermark::write(&self.0.path, found);
                Ok(self)
            }
        }
    }

    /// The directory the store lives in.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// The search index's data: from the cache file when it is sound, else from the search
    /// tree (then cached for the next search); `None` when the store predates the tree.
    pub fn search_data(&self) -> Result<Option<SearchData>, StoreError> {
        if let Some(data) = read_search(&self.0.path) {
            return Ok(Some(data));
        }
        if !self.0.search_is_current()? {
            return Ok(None);
        }
        let data = search_tree::read_data(&self.0.search)?;
        write_search(&self.0.path, &data);
        Ok(Some(data))
    }

    /// One record read from the database, without loading the catalog (`None`: there is no
    /// such record).
    pub fn record(&self, kind: Kind, code: &str) -> Result<Option<Record>, StoreError> {
        self.reader().record(kind, code)
    }

    /// A record, every record it references and the `referrers` given (who references it,
    /// as far as the caller knows: the outline knows an item's), read without loading the
    /// catalog, as a catalog of just those (`None`: there is no such record). Enough to
    /// describe the record with the names of what it points to and what points to it.
    pub fn neighbourhood(
        &self,
        kind: Kind,
        code: &str,
        referrers: &[(Kind, &str)],
    ) -> Result<Option<Catalog>, StoreError> {
        let Some(record) = self.record(kind, code)? else {
            return Ok(None);
        };
        let targets: Vec<(Kind, &str)> = record
            .as_ref()
            .references()
            .into_iter()
            .map(|r| (r.target, r.code))
            .chain(referrers.iter().copied())
            .collect();
        let mut near = self.records_as_catalog(&targets)?;
        near.insert(record);
        Ok(Some(near))
    }

    /// A bundle with what merging it reads, as a catalog of just those records: its items,
    /// their forms (by the cached `outline`), and what those reference (the forms' elements,
    /// the items' materials and the items they depend on). With `pool`, also the element
    /// pool's covers for the forms' unbound labels, read an element at a time, and the
    /// elements they name: enough for `engine::merge` to answer as on the whole catalog.
    /// `Ok(None)`: there is no such bundle.
    pub fn bundle_neighbourhood(
        &self,
        code: &str,
        outline: &Outline,
        pool: bool,
    ) -> Result<Option<(Catalog, Option<Covers>)>, StoreError> {
        let Some(mut near) = self.reader().bundle_records(code, outline)? else {
            return Ok(None);
        };
        if !pool {
            return Ok(Some((near, None)));
        }
        let Some(b) = near.bundles.get(code) else {
            return Ok(None);
        };
        let reader = self.reader();
        let covers = reader.covers(unbound_labels(&near, b))?;
        for element in reader.named(&covers, &near)? {
            near.insert(element);
        }
        Ok(Some((near, Some(covers))))
    }

    /// A form with what linting it reads, as a catalog of just those records: what it
    /// references (its item, material and bound elements), the bundles that hold its item
    /// (by the cached `outline`), and the elements the pool's covers for its labels name,
    /// with those covers (read an element at a time): enough for `engine::lint` to answer
    /// as on the whole catalog. `Ok(None)`: there is no such form.
    pub fn form_neighbourhood(
        &self,
        code: &str,
        outline: &Outline,
    ) -> Result<Option<(Catalog, Covers)>, StoreError> {
        let Some(mut near) = self.form_records(code, outline)? else {
            return Ok(None);
        };
        let covers = self.reader().form_covers(code, &mut near)?;
        Ok(Some((near, covers)))
    }

    /// [`form_neighbourhood`](Self::form_neighbourhood) without the element pool: the form,
    /// what it references and the bundles that hold its item, read at once (a few records);
    /// [`RecordReader::form_covers`] reads the pool's covers later, on any thread.
    pub fn form_records(
        &self,
        code: &str,
        outline: &Outline,
    ) -> Result<Option<Catalog>, StoreError> {
        let Some(Record::Form(form)) = self.record(Kind::Form, code)? else {
            return Ok(None);
        };
        let mut near = self.records_near_form(&form, outline)?;
        near.insert(Record::Form(form));
        Ok(Some(near))
    }

    /// What [`form_records`](Self::form_records) reads for the form `form` but the form
    /// itself: what it references and the bundles that hold its item (a new form's, not
    /// stored yet, are read so).
    pub fn records_near_form(
        &self,
        form: &crate::model::Form,
        outline: &Outline,
    ) -> Result<Catalog, StoreError> {
        let mut wanted = references(RecordRef::Form(form));
        if let Some(item) = &form.item {
            wanted.extend(item_referrers(outline, item, Kind::Bundle));
        }
        self.records_as_catalog(&borrowed(&wanted))
    }

    /// An item, material or bundle with what comparing it with its template reads, as a
    /// catalog of just those records: the entry and its template, what they reference, the
    /// forms of each (an item's or a material's, by the cached `outline`) and what those
    /// reference: enough for `engine::template::compare` to answer as on the whole catalog.
    /// `Ok(None)`: no item, material or bundle has the code.
    pub fn template_neighbourhood(
        &self,
        code: &str,
        outline: &Outline,
    ) -> Result<Option<Catalog>, StoreError> {
        let Some(entry) = self.find_entry(code)? else {
            return Ok(None);
        };
        let kind = entry.kind();
        let template = crate::engine::template::template_of(entry.as_ref()).map(str::to_string);
        let mut wanted = references(entry.as_ref());
        wanted.extend(template.iter().map(|t| (kind, t.clone())));
        if matches!(kind, Kind::Item | Kind::Material) {
            for of in std::iter::once(code).chain(template.as_deref()) {
                let forms = outline.referrers(kind, of).unwrap_or_default();
                wanted.extend(
                    forms
                        .into_iter()
                        .filter(|(k, _)| *k == Kind::Form)
                        .map(|(k, c)| (k, c.to_string())),
                );
            }
        }
        let mut records = self.records_and_theirs(&wanted)?;
        records.push(entry);
        Ok(Some(Catalog::from_records(records)))
    }

    /// Adds to `near` every element under one it holds (their children, theirs, …), read
    /// from the store by the cached element `links`: what a form's preview shows as
    /// sub-fields (the blank form of `form export`, the forms `merge --distribute` fills).
    pub fn add_element_children(
        &self,
        near: &mut Catalog,
        links: &ElementLinks,
    ) -> Result<(), StoreError> {
        let mut under: Vec<String> = near.elements.keys().map(|c| c.to_string()).collect();
        while !under.is_empty() {
            let children: Vec<(Kind, String)> = under
                .iter()
                .flat_map(|code| links.references(code))
                .filter(|r| r.parent && r.kind == Kind::Element)
                .filter(|r| !near.elements.contains_key(r.code))
                .map(|r| (Kind::Element, r.code.to_string()))
                .collect();
            let read = self.records_of_codes(&borrowed(&children))?;
            under = read.iter().map(|r| r.code().to_string()).collect();
            for record in read {
                near.insert(record);
            }
        }
        Ok(())
    }

    /// Every bundle with the records it references (its items, materials, the agency that
    /// leads it), read without loading the catalog: what pane 4's list and its detail show.
    pub fn bundles_catalog(&self) -> Result<Catalog, StoreError> {
        let bundles = self.records_of(Kind::Bundle)?;
        let wanted: Vec<(Kind, String)> = bundles
            .iter()
            .flat_map(|b| references(b.as_ref()))
            .collect();
        let mut near = Catalog::from_records(self.records_of_codes(&borrowed(&wanted))?);
        for bundle in bundles {
            near.insert(bundle);
        }
        Ok(near)
    }

    /// The store's records, to read on another thread while the store stays open.
    pub fn reader(&self) -> RecordReader {
        RecordReader {
            records: self.0.records.clone(),
            path: self.0.path.clone(),
            reads: Arc::clone(&self.0.reads),
        }
    }

    /// The records named that exist, read without loading the catalog, as a catalog of just
    /// those.
    pub fn records_as_catalog(&self, wanted: &[(Kind, &str)]) -> Result<Catalog, StoreError> {
        self.reader().records_as_catalog(wanted)
    }

    /// The records `wanted` names that exist, and what they reference in turn (see
    /// [`RecordReader::records_and_theirs`]).
    fn records_and_theirs(&self, wanted: &[(Kind, String)]) -> Result<Vec<Record>, StoreError> {
        self.reader().records_and_theirs(wanted)
    }

    /// The records named that exist, each once, in kind and code order.
    fn records_of_codes(&self, wanted: &[(Kind, &str)]) -> Result<Vec<Record>, StoreError> {
        self.reader().records_of_codes(wanted)
    }

    /// Who references each element, cached beside the store (`links.idx`; `None`: not
    /// cached, or unsound).
    pub fn element_links(&self) -> Option<ElementLinks> {
        read_links(&self.0.path)
    }

    /// Whether the element links are cached beside the store in this layout, by the file's
    /// first bytes (`links.idx`): read only when wanted.
    pub fn has_element_links(&self) -> bool {
        cache_file::has_links(&self.0.path)
    }

    /// Whether the search index can be read without the catalog (see
    /// [`cached_search`](Self::cached_search)): it is cached beside the store, or the search
    /// tree is current (then read from it).
    pub fn has_cached_search(&self) -> bool {
        cache_file::has_search(&self.0.path) || matches!(self.0.search_is_current(), Ok(true))
    }

    /// The search index, to read on any thread without the catalog: its cache file, else the
    /// search tree when it is current.
    pub fn cached_search(&self) -> CachedSearch {
        let current = matches!(self.0.search_is_current(), Ok(true));
        CachedSearch {
            dir: self.0.path.clone(),
            tree: current.then(|| self.0.search.clone()),
            reads: Arc::clone(&self.0.reads),
        }
    }

    /// The catalog's outline cached beside the store (`None`: not cached, or unsound).
    pub fn outline(&self) -> Option<Outline> {
        read_outline(&self.0.path)
    }

    /// The catalog's statistics cached beside the store (`None`: not cached, or unsound).
    pub fn stats(&self) -> Option<Stats> {
        read_stats(&self.0.path)
    }

    /// How many lint warnings each form has, cached beside the store (`None`: not cached,
    /// or unsound).
    pub fn lint_counts(&self) -> Option<LintCounts> {
        read_lint(&self.0.path)
    }

    /// Where the element `code` is used, read without loading the catalog: its
    /// [`neighbourhood`](Self::neighbourhood) with who references it (by the store's cached
    /// element `links`) and the bundles that hold the items of the forms that bind it (by
    /// its cached `outline`), as a catalog of just those — enough for `engine::usage` to
    /// answer as it does on the whole catalog. `Ok(None)`: there is no such element.
    pub fn element_uses(
        &self,
        code: &str,
        links: &ElementLinks,
        outline: &Outline,
    ) -> Result<Option<Catalog>, StoreError> {
        // who references it, and the bundles that hold the items of the forms that bind it
        let bundles = usage_outline_linked(links, outline, code).bundles;
        let mut wanted = links.referrers(code);
        wanted.extend(bundles.iter().map(|b| (Kind::Bundle, b.as_str())));
        self.neighbourhood(Kind::Element, code, &wanted)
    }

    /// Every record of one kind, in code order, read without loading the catalog.
    pub fn records_of(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        let mut scan = scan::of_tree(&self.0.records, &self.0.reads);
        self.0
            .records
            .scan_prefix([tag(kind)])
            .map(|item| {
                let (key, value) = item.map_err(StoreError::Write)?;
                scan.read(&key);
                decode_stored(&key, &value)
            })
            .collect()
    }

    /// An element's search row (its use count among the rest) read from the search tree,
    /// without loading the catalog. `None` when the element has no row, or when the store
    /// predates the search tree: then the catalog knows.
    pub fn search_row(&self, code: &str) -> Result<Option<SearchRow>, StoreError> {
        if !self.0.search_is_current()? {
            return Ok(None);
        }
        search_tree::row(&self.0.search, code)
    }

    /// The audit log, or the entries of one record, read without loading the catalog (as
    /// [`Store::history`]).
    pub fn history(&self, code: Option<&str>) -> Result<Vec<LoggedEntry>, StoreError> {
        self.0.history(code)
    }

    /// `each` over the audit log's entries, oldest first, or those of one record, as they are
    /// read (the whole log of a million records is a million entries: `log` prints them as
    /// it reads them instead of holding them). What `each` fails with ends them.
    pub fn each_logged<E: From<StoreError>>(
        &self,
        code: Option<&str>,
        each: impl FnMut(LoggedEntry) -> Result<(), E>,
    ) -> Result<(), E> {
        self.0.each_logged(code, each)
    }

    /// Caches `counts`, every form's lint warnings counted from this store's records (see
    /// [`RecordReader::lint_forms`]), beside it for the next `form list` and pane 3 (best
    /// effort). The store cannot change while its catalog is not loaded, so they describe it.
    pub fn save_lint(&self, counts: &LintCounts) {
        write_lint(&self.0.path, counts);
    }

    /// Caches `stats` beside the store as its statistics as it stands (counted from its
    /// records since the last write: see [`UnloadedStore::count_stats`]).
    pub fn save_stats(&self, stats: &Stats) {
        write_stats(&self.0.path, stats);
    }

    /// A loader for this store's catalog.
    pub fn loader(&self) -> CatalogLoader {
        CatalogLoader {
            records: self.0.records.clone(),
            _reads: Arc::clone(&self.0.reads),
        }
    }

    /// As [`SledStore::close_for_exit`].
    pub fn close_for_exit(self) {
        self.0.close_for_exit();
    }

    /// Loads the catalog here and now.
    pub fn load(self) -> Result<SledStore, StoreError> {
        let catalog = self.loader().load(|_| {})?;
        self.with_catalog(catalog)
    }

    /// The full store, given the catalog its [`CatalogLoader`] loaded; builds the search
    /// tree if the store predates it.
    pub fn with_catalog(self, catalog: Catalog) -> Result<SledStore, StoreError> {
        let mut store = self.0;
        store.catalog = Arc::new(catalog);
        if !store.search_is_current()? {
            store.rebuild_search()?;
        }
        Ok(store)
    }
}

impl Store for SledStore {
    fn path(&self) -> &Path {
        &self.path
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn shared_catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog)
    }

    fn apply_reporting(
        &mut self,
        batch: Batch,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Applied, StoreError> {
        self.apply_with(batch, RowsFrom::Catalog, progress)
            .map(|(applied, _)| applied)
    }

    fn history(&self, code: Option<&str>) -> Result<Vec<LoggedEntry>, StoreError> {
        let mut out = Vec::new();
        self.each_logged(code, |entry| {
            out.push(entry);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    fn changed_since_open(&self) -> usize {
        self.changed
    }

    fn save_outline(&mut self) {
        write_outline(&self.path, &Outline::of(&self.catalog));
        write_links(&self.path, &ElementLinks::of(&self.catalog));
        // the next write must remove them again
        self.cache_removed = false;
    }

    fn snapshot(&self) -> Snapshot {
        let at = self.writes.now();
        Snapshot {
            dir: self.path.clone(),
            catalog: Arc::clone(&self.catalog),
            at: at.is_multiple_of(2).then_some(at),
        }
    }

    fn save_search(&mut self, data: &SearchData, at: u64) -> bool {
        if at != self.writes.now() {
            return false;
        }
        if !matches!(self.search_is_current(), Ok(true)) {
            return false;
        }
        write_search(&self.path, data);
        // the next write must remove it again
        self.cache_removed = false;
        true
    }

    fn save_stats(&mut self, stats: &Stats, at: u64) -> bool {
        self.save_if_current(at, |dir| write_stats(dir, stats))
    }

    fn save_lint(&mut self, counts: &LintCounts, at: u64) -> bool {
        self.save_if_current(at, |dir| write_lint(dir, counts))
    }

    fn take_search_changes(&mut self) -> SearchChanges {
        let kept = self
            .search_changes
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let rows = kept.replace(SearchRows::new());
        SearchChanges {
            rows,
            at: self.writes.now(),
        }
    }

    fn close_at_exit(self: Box<Self>) {
        self.close_for_exit();
    }

    fn check(&self) -> Result<Vec<String>, StoreError> {
        self.check_loaded()
    }
}

/// The number the next audit entry gets: one past the last entry of the last value (1 for
/// an empty log). Version 1 numbered each entry with sled's `generate_id`; a block is numbered
/// by its first entry, and its others take the numbers after it.
fn next_audit_number(audit: &sled::Tree) -> Result<u64, StoreError> {
    let Some((key, value)) = audit.last().map_err(StoreError::Write)? else {
        return Ok(1);
    };
    let first = <[u8; 8]>::try_from(key.as_ref())
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            what: format!("audit key {key:?}"),
            reason: "not an 8-byte number".into(),
        })?;
    let entries = decode_audit(&value).map_err(|e| StoreError::Corrupt {
        what: format!("audit entry {first}"),
        reason: e.to_string(),
    })?;
    Ok(first + entries.len() as u64)
}

/// How often (in records) loading reports progress.
const PROGRESS_EVERY: usize = 8192;

/// Decodes every record into a catalog, telling `progress` how many are done now and then.
fn load_catalog(
    records: &sled::Tree,
    mut progress: impl FnMut(usize),
) -> Result<Catalog, StoreError> {
    // two stages on two threads: reading and decoding the records, and indexing them
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Record>, StoreError>>(4);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // equal definitions, legal bases and help lines decoded here share one copy
            let _sharing = Sharing::start();
            let mut chunk = Vec::with_capacity(PROGRESS_EVERY);
            for item in records.iter() {
                let record = item.map_err(StoreError::Write);
                match record.and_then(|(key, value)| decode_stored(&key, &value)) {
                    Ok(record) => chunk.push(record),
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
                if chunk.len() == PROGRESS_EVERY {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(PROGRESS_EVERY));
                    // the loader gave up (an error): nothing more to read
                    if tx.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
            let _ = tx.send(Ok(chunk));
        });
        let mut catalog = CatalogBuilder::default();
        let mut done = 0;
        progress(done);
        for chunk in rx {
            let chunk = chunk?;
            done += chunk.len();
            for record in chunk {
                catalog.push(record);
            }
            progress(done);
        }
        Ok(catalog.finish())
    })
}

/// A stored record from its key and value.
fn decode_stored(key: &[u8], value: &[u8]) -> Result<Record, StoreError> {
    let code = || String::from_utf8_lossy(key.get(1..).unwrap_or_default()).into_owned();
    let Some(kind) = key.first().copied().and_then(kind_of_tag) else {
        return Err(StoreError::Corrupt {
            what: format!("record key {}", code()),
            reason: "unknown kind tag".into(),
        });
    };
    decode_record(kind, value).map_err(|e| StoreError::Corrupt {
        what: format!("{} {}", kind.as_str(), code()),
        reason: e.to_string(),
    })
}

mod check;
mod in_order;
mod merge_in_chunks;
mod near_claim;
mod near_conditions;
mod near_merge;
mod near_referrers;
mod near_write;
mod reopen;
mod scan;
mod stored_lookup;

pub use check::Checked;
pub use near_write::{NearWritten, WrittenLinks};
pub use stored_lookup::StoredLookup;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::io::json::parse_import;
    use crate::store::codec::encode_search_block;

    /// `n` new elements, E00000 on, as interchange JSON.
    fn elements_json(n: usize) -> Vec<serde_json::Value> {
        (0..n)
            .map(|i| serde_json::json!({"code": format!("E{i:05}"), "name": format!("数据元{i}"), "kind": "text"}))
            .collect()
    }

    /// More elements than one transaction takes, and a form using the first and the last.
    fn big_batch() -> Batch {
        let n = CHUNK_RECORDS + 100;
        let elements = elements_json(n);
        let fields = serde_json::json!([
            {"key": "a", "label": "甲", "element": "E00000"},
            {"key": "b", "label": "乙", "element": format!("E{:05}", n - 1)},
        ]);
        let doc = serde_json::json!({
            "format": "yibiao/1",
            "elements": elements,
            "forms": [{"code": "F1", "name": "表", "sections": [{"title": "信息", "fields": fields}]}],
        });
        let records = parse_import(&doc.to_string(), &Catalog::default(), Lang::En).unwrap();
        Batch::upserts("import", records)
    }

    /// A store in `dir` with the big batch staged in its journal, not committed.
    fn staged(dir: &Path) -> SledStore {
        let mut store = SledStore::open(dir).unwrap();
        let (order, mut changes, problems) = store.net_changes(big_batch());
        assert!(problems.is_empty() && order.len() > CHUNK_RECORDS);
        store.remove_caches().unwrap();
        store
            .stage("import", &order, &mut changes, false, &mut |_| {})
            .unwrap();
        assert_eq!(store.journal.len(), 2);
        store
    }

    /// Gives an element of the store a new name, in one write.
    fn rename_element(store: &mut SledStore, code: &str, name: &str) {
        let mut element = store.catalog.elements[code].clone();
        element.name = name.into();
        store
            .apply(Batch::upserts("edit", vec![Record::Element(element)]))
            .unwrap();
    }

    fn uses(store: &SledStore, code: &str) -> u32 {
        let rows = search_tree::read_all(&store.search).unwrap();
        rows.iter().find(|r| r.code == code).unwrap().uses
    }

    /// The key and the writes of the first chunk staged in `store`'s journal.
    fn first_staged(store: &SledStore) -> (sled::IVec, ChunkWrites) {
        let (key, value) = store.journal.first().unwrap().unwrap();
        let chunk = decode_journal::<StagedChunk>(&value).unwrap();
        (key, chunk.into_writes().unwrap())
    }

    /// Checks that `store` holds no journal: nothing staged, no batch committed.
    fn assert_journal_done(store: &SledStore) {
        assert!(store.journal.is_empty());
        assert!(!store.meta.contains_key(JOURNAL_MARK).unwrap());
    }

    /// Reopens the store in `dir` and checks that it holds the whole big batch, once.
    fn assert_whole(dir: &Path) {
        let store = SledStore::open(dir).unwrap();
        assert_eq!(store.catalog().count(Kind::Element), CHUNK_RECORDS + 100);
        assert_eq!(store.catalog().count(Kind::Form), 1);
        // every record audited once: no chunk was written twice
        let numbers: Vec<u64> = store.history(None).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(
            numbers,
            (1..=CHUNK_RECORDS as u64 + 101).collect::<Vec<_>>()
        );
        assert_journal_done(&store);
        // the form is in the second chunk: the first chunk's elements' rows count its use
        assert_eq!(uses(&store, "E00000"), 1);
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_big_batch_tells_how_far_it_has_come_over_the_catalog_or_near_its_records() {
        // two chunks: each staged, then each written
        let steps = vec![(1, 4), (2, 4), (3, 4), (4, 4)];
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        let mut seen = Vec::new();
        (store.apply_reporting(big_batch(), &mut |done, of| seen.push((done, of)))).unwrap();
        assert_eq!(seen, steps);
        // one chunk, one transaction: nothing to tell
        let mut seen = Vec::new();
        let mut one = store.catalog().elements["E00001"].clone();
        one.name = "改了名".into();
        let one = Batch::upserts("edit", vec![Record::Element(one)]);
        let applied = store.apply_reporting(one, &mut |done, of| seen.push((done, of)));
        assert_eq!(applied.unwrap().updated, 1);
        assert_eq!(seen, vec![]);
        drop(store);
        let dir = tempfile::tempdir().unwrap();
        drop(SledStore::open(dir.path()).unwrap());
        let mut unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let (mut near, mut outline) = (Catalog::default(), Outline::of(&Catalog::default()));
        let mut seen = Vec::new();
        let written = unloaded
            .apply_near_holding(
                big_batch(),
                &mut near,
                &mut outline,
                None,
                &mut |done, of| {
                    seen.push((done, of));
                },
            )
            .unwrap();
        assert!(written.is_some(), "written near its records");
        assert_eq!(seen, steps);
    }

    #[test]
    fn a_big_batch_is_written_whole_and_leaves_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        let applied = store.apply(big_batch()).unwrap();
        assert_eq!(applied.created, CHUNK_RECORDS + 101);
        assert_journal_done(&store);
        drop(store);
        assert_whole(dir.path());
    }

    #[test]
    fn a_write_is_audited_in_blocks_not_one_key_a_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();
        // two chunks of 4096 and 101 records: blocks of 64 entries, not one key a record
        let blocks =
            CHUNK_RECORDS.div_ceil(AUDIT_BLOCK_ENTRIES) + 101usize.div_ceil(AUDIT_BLOCK_ENTRIES);
        assert_eq!(store.audit.len(), blocks);
        let mut form = store.catalog().forms["F1"].clone();
        form.name = "新表".into();
        store
            .apply(Batch::upserts("edit", [Record::Form(form)]))
            .unwrap();
        assert_eq!(store.audit.len(), blocks + 1);
        // a leaf of 16 values stays under sled's blob threshold (a quarter of a 512 KiB segment)
        for value in store.audit.iter().values() {
            assert!(16 * value.unwrap().len() < (512 << 10) / 4);
        }
        let log = store.history(Some("F1")).unwrap();
        let seen: Vec<(u64, &str)> = log
            .iter()
            .map(|e| (e.seq, e.entry.action.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (CHUNK_RECORDS as u64 + 101, "import"),
                (CHUNK_RECORDS as u64 + 102, "edit")
            ]
        );
        assert_eq!(
            watermark::read(dir.path()),
            Some(CHUNK_RECORDS as u64 + 102)
        );
    }

    /// An audit value as version 1 wrote it (one entry, of `DE000101`).
    const AUDIT_V2: &[u8] = include_bytes!("../../tests/fixtures/audit_v2.bin");

    #[test]
    fn a_version_1_store_opens_checks_clean_and_numbers_its_log_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();
        // what version 1 left: schema 1, a reference index (one key stale) with a name index,
        // and one audit value a record numbered by sled's generate_id
        store.meta.insert("schema", &1u32.to_be_bytes()).unwrap();
        let index = store.db.open_tree("index").unwrap();
        for key in [
            &b"rEE00000\0FF1\0sections[0].fields[0].element"[..],
            b"rEZZZ\0",
            b"nE\xe6\x95\xb0\0E00000",
        ] {
            index.insert(key, &[]).unwrap();
        }
        store.audit.clear().unwrap();
        for number in [5u64, 9] {
            store.audit.insert(number.to_be_bytes(), AUDIT_V2).unwrap();
        }
        store.db.flush().unwrap();
        watermark::write(dir.path(), 9);
        drop((index, store));

        let mut store = SledStore::open(dir.path()).unwrap();
        let schema = store.meta.get("schema").unwrap().unwrap();
        assert_eq!(schema.as_ref(), SCHEMA_VERSION.to_be_bytes());
        // the index tree is left as it is, and neither read nor checked
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
        assert_eq!(store.db.open_tree("index").unwrap().len(), 3);
        let mut form = store.catalog().forms["F1"].clone();
        form.sections[0].fields.pop();
        store
            .apply(Batch::upserts("edit", [Record::Form(form)]))
            .unwrap();
        let numbers: Vec<(u64, String)> = store
            .history(None)
            .unwrap()
            .into_iter()
            .map(|e| (e.seq, e.entry.code))
            .collect();
        assert_eq!(
            numbers,
            [
                (5, "DE000101".into()),
                (9, "DE000101".into()),
                (10, "F1".into())
            ]
        );
        // where-used follows the edit without the index
        let last = format!("E{:05}", CHUNK_RECORDS + 99);
        assert_eq!(store.catalog().referrers(Kind::Element, &last).count(), 0);
        drop(store);
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.last_change(), 10);
        assert_eq!(
            store.catalog().referrers(Kind::Element, "E00000").count(),
            1
        );
    }

    /// Replaces every staged chunk of `store`'s journal with what `rewrite` makes of it.
    fn restage(store: &SledStore, rewrite: impl Fn(&[u8]) -> Vec<u8>) {
        let entries: Vec<(sled::IVec, sled::IVec)> =
            store.journal.iter().collect::<Result<_, _>>().unwrap();
        for (key, value) in entries {
            store.journal.insert(key, rewrite(&value)).unwrap();
        }
    }

    #[test]
    fn chunks_are_staged_deflated_and_a_journal_version_2_left_staged_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        restage(&store, |value| {
            let staged = decode_journal::<StagedChunk>(value).unwrap();
            assert!(matches!(staged, StagedChunk::V3(_)), "staged deflated");
            // the journal as version 2 staged it, plain
            let plain = encode_journal(&StagedChunk::V2(staged.into_writes().unwrap())).unwrap();
            assert!(
                value.len() * 2 < plain.len(),
                "deflated {} bytes, plain {}",
                value.len(),
                plain.len()
            );
            plain
        });
        store.commit_journal().unwrap();
        drop(store);
        assert_whole(dir.path());
    }

    #[test]
    fn a_journal_version_1_staged_is_finished_without_its_index_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        // the journal as version 1 staged it: index writes, one audit value a record
        restage(&store, |value| {
            let chunk = decode_journal::<StagedChunk>(value)
                .unwrap()
                .into_writes()
                .unwrap();
            let old = ChunkWritesV1 {
                index: vec![(b"rEE00000\0FF1\0x".to_vec(), Some(Vec::new()))],
                audit: vec![AUDIT_V2.to_vec(); chunk.records.len()],
                records: chunk.records,
                search: chunk.search,
            };
            encode_journal(&StagedChunk::V1(old)).unwrap()
        });
        store.commit_journal().unwrap();
        drop(store);
        assert_whole(dir.path());
        let store = SledStore::open(dir.path()).unwrap();
        assert!(store.db.open_tree("index").unwrap().is_empty());
    }

    /// A record, the records of a kind and an element's use count read without loading the
    /// catalog are what the loaded catalog holds, after a write that moved a use from one
    /// element to another too.
    #[test]
    fn records_and_use_counts_read_unloaded_are_the_loaded_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();
        let mut form = store.catalog.forms["F1"].clone();
        form.sections[0].fields[0].element = Some("E00007".into());
        store
            .apply(Batch::upserts("rebind", vec![Record::Form(form)]))
            .unwrap();
        let catalog = store.catalog().clone();
        drop(store);

        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        for kind in Kind::ALL {
            let all: Vec<Record> = catalog.records_of(kind).map(RecordRef::to_record).collect();
            assert_eq!(unloaded.records_of(kind).unwrap(), all, "{kind:?}");
            for record in all {
                let read = unloaded.record(kind, record.code()).unwrap();
                assert_eq!(read.as_ref(), Some(&record), "{kind:?} {}", record.code());
            }
        }
        let mut used = 0;
        for code in catalog.elements.keys() {
            let row = unloaded.search_row(code).unwrap().expect(code);
            assert_eq!(row.uses as usize, search::uses(&catalog, code), "{code}");
            used += row.uses;
        }
        assert_eq!(used, 2);
        assert_eq!(unloaded.search_row("E00007").unwrap().unwrap().uses, 1);
        assert_eq!(unloaded.search_row("E00000").unwrap().unwrap().uses, 0);
        for missing in ["", "A", "E00000x", "ZZZ"] {
            assert_eq!(unloaded.search_row(missing).unwrap(), None, "{missing}");
            assert_eq!(unloaded.record(Kind::Element, missing).unwrap(), None);
        }
        assert_eq!(unloaded.record(Kind::Form, "E00007").unwrap(), None);

        // a store older than the search tree has no row to read: the catalog is asked
        unloaded.0.meta.remove("search").unwrap();
        assert_eq!(unloaded.search_row("E00007").unwrap(), None);
    }

    #[test]
    fn duplicates_read_a_record_at_a_time_are_the_loaded_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        // a synonym that is a code, and one that pairs two elements
        let mut elements = store.catalog().elements.values();
        let (mut a, mut b) = (
            elements.next().unwrap().clone(),
            elements.nth(40).unwrap().clone(),
        );
        a.synonyms = ["DE000777".into(), "办事人手机".into()]
            .into_iter()
            .collect();
        b.synonyms = ["办事人手机".into()].into_iter().collect();
        let batch = Batch::upserts("test", [Record::Element(a), Record::Element(b)]);
        store.apply(batch).unwrap();
        let loaded = crate::engine::dups::find_best(store.catalog(), 20);
        assert!(
            loaded.elements_found > 20 && !loaded.fields.is_empty(),
            "{loaded:?}"
        );
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        assert_eq!(unloaded.reader().duplicates(20).unwrap(), loaded);
    }

    /// A store in `dir` holding the sample at scale 1.
    pub(crate) fn sample_store(dir: &Path) -> SledStore {
        let mut store = SledStore::open(dir).unwrap();
        let sample = crate::sample::generate(1);
        let records: Vec<Record> = Kind::ALL
            .into_iter()
            .flat_map(|k| sample.records_of(k).map(RecordRef::to_record))
            .collect();
        store.apply(Batch::upserts("sample", records)).unwrap();
        store
    }

    #[test]
    fn new_codes_read_from_the_keys_are_the_loaded_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        // a number skipped, and codes of the prefix that are no number
        let mut e = store.catalog().elements.values().next().unwrap().clone();
        e.code = "DE000900".into();
        let mut odd = e.clone();
        odd.code = "DE-X".into();
        let records = [Record::Element(e), Record::Element(odd)];
        store.apply(Batch::upserts("test", records)).unwrap();
        let catalog = store.catalog().clone();
        drop(store);
        let reader = SledStore::open_unloaded(dir.path()).unwrap().reader();
        for kind in Kind::ALL {
            let expected =
                crate::engine::workflow::new_record(&catalog, kind).map(|r| r.code().to_string());
            assert_eq!(reader.next_code(kind).unwrap(), expected, "{kind:?}");
        }
        assert_eq!(
            reader.next_code(Kind::Element).unwrap().as_deref(),
            Some("DE000901")
        );
    }

    #[test]
    fn a_records_neighbourhood_read_unloaded_is_it_and_what_it_references() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = sample_store(dir.path()).catalog().clone();

        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let mut pointing = 0;
        for kind in [Kind::Item, Kind::Material, Kind::Bundle, Kind::Form] {
            for record in catalog.records_of(kind) {
                let near = unloaded.neighbourhood(kind, record.code(), &[]).unwrap();
                let near = near.expect("the record is there");
                assert_eq!(near.get(kind, record.code()), Some(record));
                let mut expected: Vec<(Kind, &str)> = vec![(kind, record.code())];
                for r in record.references() {
                    let target = catalog.get(r.target, r.code);
                    assert_eq!(near.get(r.target, r.code), target, "{}", record.code());
                    if target.is_some() {
                        pointing += 1;
                        expected.push((r.target, r.code));
                    }
                }
                expected.sort_unstable();
                expected.dedup();
                assert_eq!(
                    near.len(),
                    expected.len(),
                    "nothing else: {}",
                    record.code()
                );
            }
        }
        assert!(pointing > 1000, "{pointing}");
        assert!(
            unloaded
                .neighbourhood(Kind::Item, "nothing", &[])
                .unwrap()
                .is_none()
        );
        // with the referrers its outline knows, an item's or a material's referrers are the
        // catalog's
        let outline = crate::model::Outline::of(&catalog);
        let mut referenced = 0;
        for (kind, record) in [Kind::Item, Kind::Material]
            .into_iter()
            .flat_map(|k| catalog.records_of(k).map(move |r| (k, r)))
        {
            let code = record.code();
            let referrers = outline
                .referrers(kind, code)
                .expect("the outline knows them");
            let near = unloaded
                .neighbourhood(kind, code, &referrers)
                .unwrap()
                .expect("the record is there");
            let expected: Vec<_> = catalog.referrers(kind, code).collect();
            let found: Vec<_> = near.referrers(kind, code).collect();
            assert_eq!(found, expected, "{code}");
            referenced += usize::from(!expected.is_empty());
        }
        assert!(referenced > 100, "{referenced}");
        assert!(outline.referrers(Kind::Form, "BD000001").is_none());
    }

    #[test]
    fn an_entry_compared_from_its_neighbourhood_is_the_loaded_catalogs_comparison() {
        use crate::engine::template::{KINDS, compare, template_of};
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        // a claim of each kind (conforming: forms copied), beside the sample's own claims (which
        // depart)
        let templates = [
            "0100006001-511603000000-000-11511603359813382X-1-00",
            "CL000001",
            "ZT001",
        ];
        for code in templates {
            let batch = crate::engine::template::claim(store.catalog(), code, &format!("{code}-C"));
            store.apply(batch.expect("a template")).unwrap();
        }
        let claimed = templates.len();
        store.save_outline();
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let outline = unloaded.outline().expect("cached");
        let json = |c: &Result<_, _>| match c {
            Ok(c) => serde_json::to_string(c).unwrap(),
            Err(e) => format!("{e:?}"),
        };
        let mut compared = 0;
        let codes = KINDS.iter().flat_map(|k| {
            catalog
                .records_of(*k)
                .map(|r| (r.code().to_string(), template_of(r).is_some()))
        });
        for (code, of_template) in codes.collect::<Vec<_>>() {
            let near = unloaded
                .template_neighbourhood(&code, &outline)
                .unwrap()
                .expect("the entry is there");
            assert_eq!(
                json(&compare(&near, &code)),
                json(&compare(&catalog, &code)),
                "{code}"
            );
            compared += usize::from(of_template);
        }
        assert!(
            compared >= 3 + claimed,
            "{compared} claimed entries compared"
        );
        assert!(
            unloaded
                .template_neighbourhood("NOPE", &outline)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_bundle_merged_from_its_neighbourhood_is_the_loaded_catalogs_merge() {
        use crate::engine::merge::{all_answer_sets, merge, merge_with};
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        // fields left unbound, for the pool to suggest elements for
        let forms: Vec<Record> = store
            .catalog()
            .forms
            .values()
            .map(|form| {
                let mut form = form.clone();
                for section in &mut form.sections {
                    for field in section.fields.iter_mut().step_by(3) {
                        field.element = None;
                    }
                }
                Record::Form(form)
            })
            .collect();
        store.apply(Batch::upserts("unbind", forms)).unwrap();
        store.save_outline();
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let outline = unloaded.outline().expect("cached");
        let none = Default::default();
        let (mut suggested, mut sets) = (0, 0);
        for bundle in catalog.bundles.values() {
            let code = bundle.code.as_str();
            let (near, pool) = unloaded
                .bundle_neighbourhood(code, &outline, true)
                .unwrap()
                .expect("the bundle is there");
            let pool = pool.expect("asked for");
            assert!(near.elements.len() < catalog.elements.len() / 2, "{code}");
            for answers in all_answer_sets(bundle) {
                let whole = merge(&catalog, bundle, &answers, &none);
                let from_near = merge_with(&near, bundle, &answers, &none, Some(&pool));
                let json = |m| serde_json::to_string(m).unwrap();
                assert_eq!(json(&from_near), json(&whole), "{code} {answers:?}");
                let counts = merge_with(&catalog, bundle, &answers, &none, None);
                let (near, _) = unloaded
                    .bundle_neighbourhood(code, &outline, false)
                    .unwrap()
                    .unwrap();
                let counted = merge_with(&near, bundle, &answers, &none, None);
                assert_eq!(json(&counted), json(&counts), "{code} {answers:?}");
                suggested += whole.suggestions.len();
                sets += 1;
            }
        }
        assert!(
            suggested > 0 && sets > catalog.bundles.len(),
            "{suggested} {sets}"
        );
        assert!(
            unloaded
                .bundle_neighbourhood("ZT-NONE", &outline, true)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_forms_preview_from_its_records_and_the_elements_under_them_is_the_loaded_catalogs() {
        use crate::engine::preview::Preview;
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        store.save_outline();
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let links = unloaded.element_links().expect("cached with the outline");
        let mut with_children = 0;
        for form in catalog.forms.values() {
            let mut near = unloaded
                .neighbourhood(Kind::Form, &form.code, &[])
                .unwrap()
                .expect("the form is there");
            let bound = near.elements.len();
            unloaded.add_element_children(&mut near, &links).unwrap();
            with_children += usize::from(near.elements.len() > bound);
            assert_eq!(
                Preview::build(&near, form),
                Preview::build(&catalog, form),
                "{}",
                form.code
            );
        }
        assert!(with_children > 10, "{with_children}");
    }

    #[test]
    fn an_export_or_a_backup_read_from_the_store_is_the_loaded_catalogs_byte_for_byte() {
        use crate::io::{backup, json};
        let dir = tempfile::tempdir().unwrap();
        let store = sample_store(dir.path());
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let mut streamed = Vec::new();
        json::export_to(&unloaded, &mut streamed).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), json::export(&catalog));
        let mut streamed = Vec::new();
        let counts = backup::write(&unloaded, "u", "2026-11-23T00:00:00Z", &mut streamed).unwrap();
        assert_eq!(
            streamed,
            backup::create(&catalog, "u", "2026-11-23T00:00:00Z")
        );
        assert_eq!(counts, Kind::ALL.map(|k| (k, catalog.count(k))));
        assert!(counts.iter().all(|(_, n)| *n > 0), "{counts:?}");
    }

    #[test]
    fn an_elements_uses_read_unloaded_are_the_catalogs_while_the_links_are_cached() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(dir.path());
        let catalog = store.catalog().clone();
        let some = catalog.elements.keys().next().unwrap().to_string();
        store.save_outline();
        assert!(cache_file::has_links(dir.path()));
        drop(store);

        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let links = unloaded.element_links().expect("cached with the outline");
        let outline = unloaded.outline().expect("cached");
        let (mut bundled, mut nested) = (0, 0);
        for code in catalog.elements.keys() {
            let near = unloaded.element_uses(code, &links, &outline).unwrap();
            let near = near.expect("the element is there");
            let used = crate::engine::usage::usage(&near, code);
            assert_eq!(used, crate::engine::usage::usage(&catalog, code), "{code}");
            // with the bundles it names
            for bundle in &used.bundles {
                assert!(near.bundles.contains_key(bundle.as_str()), "{bundle}");
            }
            bundled += usize::from(!used.bundles.is_empty());
            nested += usize::from(!used.children.is_empty());
        }
        assert!(bundled > 10 && nested > 0, "{bundled} {nested}");
        assert!(
            unloaded
                .element_uses("nothing", &links, &outline)
                .unwrap()
                .is_none()
        );
        drop(unloaded);

        // a write removes the links with the other caches: then the catalog must answer
        let mut store = SledStore::open(dir.path()).unwrap();
        let mut element = catalog.elements[some.as_str()].clone();
        element.definition = "changed".into();
        store
            .apply(Batch::upserts("edit", [Record::Element(element)]))
            .unwrap();
        assert!(!cache_file::has_links(dir.path()));
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        assert!(!cache_file::has_links(dir.path()));
        assert!(unloaded.element_links().is_none());
        assert!(unloaded.outline().is_none());
    }

    #[test]
    fn a_search_index_built_from_the_catalog_is_the_trees_and_cached_only_while_current() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(cache_file::SEARCH.name);
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();

        // a source made while a write is under way may see the store before or after it
        let writing = store.writes.begin();
        let source = store.snapshot();
        drop(writing);
        assert_eq!(source.search().cacheable_at, None);

        // built from the catalog: what the store's search tree holds
        let source = store.snapshot();
        let read = source.search();
        assert_eq!(read.data, search_tree::read_data(&store.search).unwrap());
        let at = read.cacheable_at.expect("no write was under way");

        // read, then written: the reading no longer describes the store
        let mut form = store.catalog.forms["F1"].clone();
        form.name = "另一张表".into();
        store
            .apply(Batch::upserts("edit", vec![Record::Form(form)]))
            .unwrap();
        assert!(!store.save_search(&read.data, at));
        assert!(!cache.exists());

        // made again with nothing written since: cached, and read back from the cache
        let read = store.snapshot().search();
        let at = read.cacheable_at.unwrap();
        assert!(store.save_search(&read.data, at));
        let again = store.snapshot().search();
        assert_eq!(again.data, read.data);
        assert_eq!(
            again.cacheable_at, None,
            "read from the cache: nothing to cache"
        );

        // the next write removes the cache before it changes anything
        rename_element(&mut store, "E00003", "改过的数据元");
        assert!(!cache.exists());
        let fresh = store.snapshot().search();
        assert!(fresh.cacheable_at.is_some());
        assert_ne!(fresh.data, read.data);
        assert_eq!(fresh.data, search_tree::read_data(&store.search).unwrap());
    }

    #[test]
    fn statistics_and_lint_counts_made_from_the_catalog_are_cached_only_while_current() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(cache_file::STATS.name);
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();

        // counted from the catalog, then written: the counts no longer describe the store
        // (E00000 is the most reused element, named in the statistics)
        let read = store.snapshot().stats();
        assert_eq!(read.data, crate::engine::stats::stats(&store.catalog));
        let at = read.cacheable_at.expect("no write was under way");
        rename_element(&mut store, "E00000", "改过的数据元");
        assert!(!store.save_stats(&read.data, at));
        assert!(!cache.exists());

        // counted again with nothing written since: cached, and read back from the cache
        let read = store.snapshot().stats();
        assert_eq!(read.data.reuse.most_reused[0].name, "改过的数据元");
        assert!(store.save_stats(&read.data, read.cacheable_at.unwrap()));
        let again = store.snapshot().stats();
        assert_eq!(again.data, read.data);
        assert_eq!(again.cacheable_at, None, "read from the cache");
        // the lint counts likewise
        let lint = store.snapshot().lint();
        assert_eq!(lint.data, crate::engine::lint::counts(&store.catalog));
        assert!(store.save_lint(&lint.data, lint.cacheable_at.unwrap()));
        assert_eq!(
            store.snapshot().lint().cacheable_at,
            None,
            "read from the cache"
        );

        // the next write of this handle removes them before it changes anything
        rename_element(&mut store, "E00000", "又改过的数据元");
        assert!(!cache.exists());
        assert!(!dir.path().join(cache_file::LINT.name).exists());
        let read = store.snapshot().stats();
        assert!(store.save_stats(&read.data, read.cacheable_at.unwrap()));
        drop(store);

        // read by the next process from the store opened without its catalog
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        assert_eq!(unloaded.stats().as_ref(), Some(&read.data));
        let mut store = unloaded.load().unwrap();
        rename_element(&mut store, "E00001", "再改过的数据元");
        assert!(!cache.exists());
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        assert_eq!(unloaded.stats(), None);
    }

    #[test]
    fn the_search_rows_every_write_changes_are_kept_until_taken() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        // a new store's search tree is built whole, not row by row
        assert_eq!(store.take_search_changes().rows, None);
        store.apply(big_batch()).unwrap();
        let first = store.take_search_changes();
        assert_eq!(first.rows.map(|r| r.len()), Some(CHUNK_RECORDS + 100));
        let none = store.take_search_changes();
        assert_eq!(none.rows, Some(SearchRows::new()), "taken");
        assert_eq!(none.at, first.at);

        // an element renamed, then a form binding another field: the element's new row,
        // and the rows of the elements whose use counts moved, kept across both writes
        rename_element(&mut store, "E00007", "改过的数据元");
        let mut form = store.catalog.forms["F1"].clone();
        form.sections[0].fields[0].element = Some("E00009".into());
        store
            .apply(Batch::upserts("edit", vec![Record::Form(form)]))
            .unwrap();
        let taken = store.take_search_changes();
        let rows = taken.rows.expect("a small change is kept");
        let codes: Vec<&str> = rows.keys().map(String::as_str).collect();
        // (the form's other bound element, E04195, is left as it was: its count is unchanged)
        assert_eq!(codes, ["E00000", "E00007", "E00009"]);
        let row = |code: &str| rows[code].as_ref().expect("a row");
        assert_eq!(row("E00007").name, "改过的数据元");
        let uses = ["E00000", "E00009"].map(|code| row(code).uses);
        assert_eq!(uses, [0, 1]);
        assert!(taken.at > first.at);
        assert_eq!(taken.at, store.writes.now());

        // more rows than are kept: the index is to be read again
        let many: SearchRows = (0..=SEARCH_CHANGES_KEPT)
            .map(|i| (format!("X{i:05}"), None))
            .collect();
        store.note_search_changes(Some(&many));
        assert_eq!(store.take_search_changes().rows, None);
        assert_eq!(store.take_search_changes().rows, Some(SearchRows::new()));
    }

    #[test]
    fn a_shared_catalog_is_not_copied_and_keeps_its_state_through_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();
        let held = store.shared_catalog();
        assert!(
            Arc::ptr_eq(&held, &store.shared_catalog()),
            "shared, not copied"
        );
        rename_element(&mut store, "E00003", "改过的数据元");
        // the worker's catalog is as it was; the store's has the change
        assert_eq!(held.elements["E00003"].name, "数据元3");
        assert_eq!(store.catalog().elements["E00003"].name, "改过的数据元");
        drop(held);
        let before = store.shared_catalog();
        let ptr = Arc::as_ptr(&before);
        drop(before);
        rename_element(&mut store, "E00004", "也改过");
        assert_eq!(
            Arc::as_ptr(&store.shared_catalog()),
            ptr,
            "written in place when unshared"
        );
    }

    #[test]
    fn check_finds_missing_out_of_date_stale_and_disordered_search_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(big_batch()).unwrap();
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
        let rows = search_tree::read_all(&store.search).unwrap();
        let mut changed = rows[2].clone();
        changed.uses += 5;
        let mut stale = rows[0].clone();
        stale.code = "E99999".into();
        let changes = BTreeMap::from([
            ("E00001".to_string(), None),
            ("E00002".to_string(), Some(changed)),
            ("E99999".to_string(), Some(stale.clone())),
        ]);
        for (key, value) in search_tree::plan(&store.search, changes, |_| {}).unwrap() {
            match value {
                Some(v) => store.search.insert(key, v).unwrap(),
                None => store.search.remove(key).unwrap(),
            };
        }
        assert_eq!(
            store.check().unwrap(),
            [
                "search: missing row E00001",
                "search: row E00002 is out of date",
                "search: stale row E99999",
            ]
        );
        // a block whose rows are out of order cannot be paired row by row
        let disordered = encode_search_block(&[stale, rows[0].clone()]).unwrap();
        store.search.insert(b"E99999", disordered).unwrap();
        assert!(
            store
                .check()
                .unwrap()
                .contains(&"search: rows are out of order".to_string())
        );
    }

    #[test]
    fn a_batch_staged_but_not_committed_is_dropped_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        // the catalog in memory followed the staged chunks; the trees did not
        assert_eq!(store.catalog.count(Kind::Element), CHUNK_RECORDS + 100);
        assert!(store.records.is_empty());
        drop(store); // the process dies before the commit mark
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.catalog().count(Kind::Element), 0);
        assert!(store.journal.is_empty());
        assert!(store.history(None).unwrap().is_empty());
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_committed_batch_is_finished_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        store.commit_journal().unwrap();
        // the process dies after writing the first chunk
        let (key, chunk) = first_staged(&store);
        store.write(&chunk, Some(&key)).unwrap();
        store.db.flush().unwrap();
        assert_eq!(store.journal.len(), 1);
        assert_eq!(store.records.len(), CHUNK_RECORDS);
        drop(store);
        assert_whole(dir.path());
    }

    /// The process dies part way through a chunk of a committed batch (its records and its
    /// search rows are written a part at a time): opening the store writes the chunk again
    /// whole, once, and the batch's other chunk after it.
    #[test]
    fn a_chunk_written_part_way_is_written_whole_when_the_store_opens() {
        // 16 parts of records, then 16 of search rows, the last with the audit
        for parts in [1, 16, 17, 31] {
            let dir = tempfile::tempdir().unwrap();
            let store = staged(dir.path());
            store.commit_journal().unwrap();
            let (key, chunk) = first_staged(&store);
            let first = store.next_audit.load(Ordering::Relaxed);
            store.write_parts(&chunk, first, &key, parts).unwrap();
            store.db.flush().unwrap();
            assert_eq!(store.journal.len(), 2, "the chunk is still staged");
            assert_eq!(store.records.len(), parts.min(16) * WRITES_AT_ONCE);
            assert!(store.audit.is_empty());
            drop(store);
            assert_whole(dir.path());
        }
    }

    /// A chunk of one write with more records and search rows than one transaction takes is
    /// staged in the journal and written from it in parts, whole.
    #[test]
    fn a_write_too_big_for_one_transaction_goes_through_the_journal_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        let n = WRITES_AT_ONCE + 10;
        let doc = serde_json::json!({"format": "yibiao/1", "elements": elements_json(n)});
        let records = parse_import(&doc.to_string(), &Catalog::default(), Lang::En).unwrap();
        let applied = store.apply(Batch::upserts("import", records)).unwrap();
        assert_eq!(applied.created, n);
        assert_journal_done(&store);
        let numbers: Vec<u64> = store.history(None).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(numbers, (1..=n as u64).collect::<Vec<_>>());
        assert_eq!(search_tree::read_all(&store.search).unwrap().len(), n);
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
        drop(store);
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.catalog().count(Kind::Element), n);
        assert_eq!(store.catalog().elements["E00007"].name, "数据元7");
    }

    #[test]
    fn a_loaded_catalog_holds_one_copy_of_a_repeated_text() {
        let dir = tempfile::tempdir().unwrap();
        let element = |code: &str| {
            serde_json::json!({"code": code, "name": code, "kind": "number", "unit": "平方米",
                "definition": "申请人有效身份证件上的号码"})
        };
        let field = |key: &str| {
            serde_json::json!({"key": key, "label": key, "element": "E1",
                "help": "18位公民身份号码，末位为X的请大写"})
        };
        let doc = serde_json::json!({
            "format": "yibiao/1",
            "elements": [element("E1"), element("E2")],
            "forms": [{"code": "F1", "name": "表",
                "sections": [{"title": "信息", "fields": [field("a"), field("b")]}]}],
        });
        let records = parse_import(&doc.to_string(), &Catalog::default(), Lang::En).unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        store.apply(Batch::upserts("import", records)).unwrap();
        drop(store);
        let store = SledStore::open(dir.path()).unwrap();
        let catalog = store.catalog();
        let (e1, e2) = (&catalog.elements["E1"], &catalog.elements["E2"]);
        assert_eq!(e1.definition, "申请人有效身份证件上的号码");
        assert!(e1.definition.shares(&e2.definition));
        assert!(
            e1.unit
                .as_ref()
                .zip(e2.unit.as_ref())
                .is_some_and(|(a, b)| a.shares(b))
        );
        let fields = &catalog.forms["F1"].sections[0].fields;
        let (a, b) = (fields[0].help.as_ref(), fields[1].help.as_ref());
        assert!(a.zip(b).is_some_and(|(a, b)| a.shares(b)));
    }

    #[test]
    fn a_damaged_journal_entry_is_reported_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        store.commit_journal().unwrap();
        store
            .journal
            .insert(0u64.to_be_bytes(), &[7, 7, 7])
            .unwrap();
        store.db.flush().unwrap();
        drop(store);
        let Err(e) = SledStore::open(dir.path()) else {
            panic!("a damaged journal opened");
        };
        assert!(e.to_string().contains("journal entry"), "{e}");
    }

    #[test]
    fn a_staged_chunk_whose_deflated_bytes_are_damaged_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = staged(dir.path());
        store.commit_journal().unwrap();
        let damaged = encode_journal(&StagedChunk::V3(vec![0xff; 64])).unwrap();
        store.journal.insert(0u64.to_be_bytes(), damaged).unwrap();
        store.db.flush().unwrap();
        drop(store);
        let Err(e) = SledStore::open(dir.path()) else {
            panic!("a damaged journal opened");
        };
        let message = e.to_string();
        assert!(message.contains("journal entry"), "{message}");
        assert!(message.contains("inflate"), "{message}");
    }
}
