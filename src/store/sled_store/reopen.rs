//! Closing the database of a store whose catalog is not loaded and opening it again, to let
//! go of what sled 0.34 keeps of its last reads.
//!
//! sled bounds its page cache, but takes the accesses to its pages 64 at a time in each of
//! its 256 shards: the pages of a shard's last reads (up to 63) stay in memory whatever the
//! bound until more come. After a scan of a million elements' forms (pane 5's count, pane 3's
//! index of the forms' names) that was up to 80 MB, kept for as long as the database is open;
//! since the scans look their keys up again as they go (`scan`) it is a fraction of that,
//! but writes keep their pages too.
//! So the store counts the records its handles read ([`ReadTally`]); once they have read a
//! scan's worth ([`REOPEN_AFTER_READS`]) and none of them holds the database any longer, the
//! TUI closes and opens it again when the user pauses: about 0.1 s at a million elements
//! (40 ms to close, 40–60 ms to open), the memory of what was read given back.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::super::error::StoreError;
use super::{Trees, UnloadedStore};

/// How many records read make a reopening worth its tenth of a second: a scan of one kind at
/// a hundred thousand elements, whose pages sled keeps come to tens of megabytes at most.
pub const REOPEN_AFTER_READS: usize = 20_000;

/// How many records the handles of a store read since its database was opened, shared by the
/// store and every handle that reads its database on another thread
/// ([`RecordReader`](super::RecordReader), [`CatalogLoader`](super::CatalogLoader),
/// [`CachedSearch`](crate::store::CachedSearch)): while one of them is alive (the count of
/// holders above one) the database cannot be closed.
#[derive(Debug, Default)]
pub struct ReadTally(AtomicUsize);

/// How many records written make a reopening worth it: sled keeps a written record's page
/// as it keeps one read, and its new version beside the old until its log is compacted (a
/// merge of an element bound in 680 forms of a million-element store kept 53 MB, given back
/// by a reopening); each record written counts as this many read.
const WRITTEN_AS_READS: usize = REOPEN_AFTER_READS / 500;

impl ReadTally {
    /// Counts `n` more records read.
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts `n` more records written (see [`WRITTEN_AS_READS`]).
    pub fn add_written(&self, n: usize) {
        self.add(n.saturating_mul(WRITTEN_AS_READS));
    }

    pub(super) fn read(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

impl UnloadedStore {
    /// Whether closing the database and opening it again ([`UnloadedStore::reopened`]) is
    /// worth it and can be done now: a scan's worth of records were read since it was opened,
    /// and no handle that reads it is left.
    pub fn worth_reopening(&self) -> bool {
        Arc::strong_count(&self.0.reads) == 1 && self.0.reads.read() >= REOPEN_AFTER_READS
    }

    /// The store with its database closed and opened again (see the module documentation),
    /// everything else kept: its lock, its roles, where its audit log and its search changes
    /// stand. Only for a store no handle reads ([`UnloadedStore::worth_reopening`]): sled
    /// refuses a second opening while one holds the first. Every write has already been
    /// flushed, so closing loses nothing; an error opening again leaves the store closed (its
    /// lock released), to be opened anew. `meanwhile` runs between the closing and the
    /// opening: where the caller gives the freed memory back to the system, so that the
    /// opening takes it again (with glibc, the memory a worker thread allocated, as sled's
    /// page table opened on one, is not reused by another thread's allocations until then).
    pub fn reopened(self, meanwhile: impl FnOnce()) -> Result<UnloadedStore, StoreError> {
        let UnloadedStore(mut store) = self;
        // every handle first: the last one closes the database and releases sled's lock
        drop((
            store.records,
            store.audit,
            store.meta,
            store.journal,
            store.search,
        ));
        drop(store.db);
        meanwhile();
        let trees = Trees::open(&store.path)?;
        (store.db, store.records, store.audit) = (trees.db, trees.records, trees.audit);
        (store.meta, store.journal, store.search) = (trees.meta, trees.journal, trees.search);
        store.reads = Arc::default();
        Ok(UnloadedStore(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Record, RecordSource};
    use crate::store::{Batch, SledStore, Store};

    /// The sample store at scale 1 in `dir`, its catalog not loaded, and how many elements
    /// it holds.
    fn unloaded_sample(dir: &std::path::Path) -> (UnloadedStore, usize) {
        let store = super::super::tests::sample_store(dir);
        let elements = store.catalog().elements.len();
        drop(store);
        (SledStore::open_unloaded(dir).unwrap(), elements)
    }

    /// Reads every element of `store` through a reader, as a worker does; how many.
    fn scan_elements(store: &UnloadedStore) -> usize {
        let mut n = 0;
        store
            .reader()
            .each_record(Kind::Element, &mut |_| {
                n += 1;
                Ok(())
            })
            .unwrap();
        n
    }

    #[test]
    fn a_store_is_reopened_after_a_scans_worth_of_reads_once_no_reader_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let (store, elements) = unloaded_sample(dir.path());
        let scans = REOPEN_AFTER_READS.div_ceil(elements);
        for _ in 1..scans {
            assert_eq!(scan_elements(&store), elements);
        }
        assert!(!store.worth_reopening(), "not a scan's worth yet");
        let reader = store.reader();
        assert_eq!(scan_elements(&store), elements);
        assert!(!store.worth_reopening(), "a reader holds the database");
        let search = store.cached_search();
        drop(reader);
        assert!(!store.worth_reopening(), "the search index's reader too");
        drop(search);
        assert!(store.worth_reopening());

        let mut closed = false;
        let store = store.reopened(|| closed = true).unwrap();
        assert!(closed);
        assert!(!store.worth_reopening(), "counted again from the reopening");
        assert_eq!(scan_elements(&store), elements, "read as before");
        assert!(
            SledStore::open_unloaded(dir.path()).is_err(),
            "its lock still held"
        );
        // what the reopened database holds loads, takes a write and numbers its audit on
        let mut store = store.load().unwrap();
        let before = store.history(None).unwrap().len() as u64;
        let mut element = store.catalog().elements.values().next().unwrap().clone();
        element.name = "改过的名称".into();
        let code = element.code.clone();
        store
            .apply(Batch::upserts("rename", [Record::Element(element)]))
            .unwrap();
        let last = store.history(None).unwrap().last().unwrap().seq;
        assert_eq!(last, before + 1);
        drop(store);
        let loaded = SledStore::open(dir.path()).unwrap();
        assert_eq!(loaded.catalog().elements[code.as_str()].name, "改过的名称");
    }
}
