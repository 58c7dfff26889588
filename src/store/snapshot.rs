//! The store as it stood at one moment, for a worker thread: its catalog (shared, not
//! copied) and the cache files beside it. What a worker makes from it — the search index,
//! the statistics, the lint counts — comes from the cache file when there is one (it
//! describes the store as it is, see `cache_file`), else from the catalog; a value made from
//! the catalog can be handed back to the store to cache
//! ([`Store::save_search`](super::Store::save_search),
//! [`Store::save_stats`](super::Store::save_stats),
//! [`Store::save_lint`](super::Store::save_lint)), which it does only if nothing was written
//! since.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::lint::{self, LintCounts};
use crate::engine::search::{self, SearchData};
use crate::engine::stats::{self, Stats};
use crate::model::Catalog;

use super::cache_file::{read_lint, read_stats, stamp};
use super::search_file::{read_search, write_search_stamped};
use super::search_tree;
use super::sled_store::ReadTally;

/// The store's catalog and directory as they stood when the snapshot was taken
/// ([`Store::snapshot`](super::Store::snapshot)).
pub struct Snapshot {
    pub(super) dir: PathBuf,
    pub(super) catalog: Arc<Catalog>,
    /// The store's write count the catalog describes (`None`: a write was under way).
    pub(super) at: Option<u64>,
}

/// A value as a [`Snapshot`] found it.
pub struct CacheRead<T> {
    /// The value.
    pub data: T,
    /// When the value is worth caching: the store's write count it describes. `None` when
    /// it came from the cache file (or a write was under way when the snapshot was taken).
    pub cacheable_at: Option<u64>,
}

impl Snapshot {
    /// The cache file's value if `cached` finds a sound one, else `make`'s from the catalog.
    fn read<T>(
        &self,
        cached: impl FnOnce(&Path) -> Option<T>,
        make: impl FnOnce(&Catalog) -> T,
    ) -> CacheRead<T> {
        match cached(&self.dir) {
            Some(data) => CacheRead {
                data,
                cacheable_at: None,
            },
            None => CacheRead {
                data: make(&self.catalog),
                cacheable_at: self.at,
            },
        }
    }

    /// The search index's data. The search tree is not read: sled keeps about 300 MiB of a
    /// million-element tree's pages after reading it, for the rest of the session.
    pub fn search(&self) -> CacheRead<SearchData> {
        self.read(read_search, search::data_of)
    }

    /// The catalog's statistics (a million elements take seconds to count).
    pub fn stats(&self) -> CacheRead<Stats> {
        self.read(read_stats, stats::stats)
    }

    /// How many lint warnings each form has (0.7 s at a million elements).
    pub fn lint(&self) -> CacheRead<LintCounts> {
        self.read(read_lint, lint::counts)
    }
}

/// A store's search index, to read on any thread without the catalog (see
/// [`UnloadedStore::cached_search`](super::UnloadedStore::cached_search)): its cache file
/// (`search.idx`), else its search tree (a write made before the catalog was loaded removes
/// the file; the tree has the change).
pub struct CachedSearch {
    pub(super) dir: PathBuf,
    /// The store's search tree, when it is current.
    pub(super) tree: Option<sled::Tree>,
    /// What the store's handles read (the tree's rows, when read).
    pub(super) reads: Arc<ReadTally>,
}

impl CachedSearch {
    /// The index data: the cache file's if it is there and sound, else the search tree's,
    /// cached then for the next reading (named with the watermark read before the tree, so
    /// that a write meanwhile leaves the file untaken), its text left in the file as the
    /// cache file's is (`None`: neither, or the tree could not be read).
    pub fn read(&self) -> Option<SearchData> {
        if let Some(data) = read_search(&self.dir) {
            return Some(data);
        }
        let stamp = stamp(&self.dir);
        let data = search_tree::read_data(self.tree.as_ref()?).ok()?;
        self.reads.add(data.entries().len());
        write_search_stamped(&self.dir, &data, stamp);
        read_search(&self.dir).or(Some(data))
    }
}
