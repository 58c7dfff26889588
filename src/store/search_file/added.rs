//! The search rows written since `search.idx` was set aside (`search.add`, see
//! [`SEARCH_ADDED`]). A write made near its records used to write the whole index again
//! (175 MB at a million elements, 140 ms of a one-record save); it now renames the file
//! `search.base` and writes the rows it changed, with those of the writes before it since
//! the file was set aside, beside it: the index is the set-aside file with those rows patched
//! in. Past [`FOLD_AT`] rows the index is written whole again.
//!
//! `search.base` is never read alone: only through a current `search.add` (of the store's
//! watermark) that names the watermark the base file was written at. Every write removes
//! `search.add` first (it is among the cache files), so a crash between a write and the rows
//! that follow it leaves no index that looks current.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::search::SearchData;

use super::super::cache_file::{SEARCH_ADDED, SEARCH_BASE, STAMP_BYTES};
use super::Rows;
use super::layout::{Header, open_stamped};

/// Rows past which the index is written whole again instead of beside the set-aside file
/// (reading the index patches them in: about 40 ms at a million elements). Small in tests.
pub(super) const FOLD_AT: usize = if cfg!(test) { 64 } else { 1024 };

/// What `search.add` holds.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// The watermark the set-aside index was written at.
    pub(super) base: [u8; STAMP_BYTES],
    /// The search rows written since, by element code (`None`: deleted).
    pub(super) rows: Rows,
    /// Agencies renamed since, as a row names one (code and name, lower-cased): as they were
    /// → as they are.
    pub(super) renamed: BTreeMap<String, String>,
}

impl Added {
    /// Nothing written yet over an index of watermark `base`.
    pub(super) fn over(base: [u8; STAMP_BYTES]) -> Self {
        Added {
            base,
            ..Added::default()
        }
    }

    /// The current `search.add` beside the store in `dir` and the set-aside index it goes
    /// over, opened (`None`: either is missing, of another layout or another watermark).
    pub(super) fn read_current(dir: &Path) -> Option<(Added, (File, Header))> {
        let added: Added = SEARCH_ADDED.read(dir)?;
        let base = open_stamped(&dir.join(SEARCH_BASE), added.base)?;
        Some((added, base))
    }

    /// Brings an index read from the set-aside file up to date: its agencies renamed, the
    /// rows patched in (their strings in memory).
    pub(super) fn apply(&self, data: &mut SearchData) -> io::Result<()> {
        data.rename_agencies(&self.renamed);
        data.patch(&self.rows)
    }

    /// These rows, then `rows` and `renamed` written after them.
    pub(super) fn then(mut self, rows: &Rows, renamed: &BTreeMap<String, String>) -> Added {
        // what was renamed before, and the rows written before, name agencies as they are
        for now in self.renamed.values_mut() {
            if let Some(later) = renamed.get(now.as_str()) {
                now.clone_from(later);
            }
        }
        for row in self.rows.values_mut().flatten() {
            if let Some(agency) = &mut row.agency
                && let Some(now) = renamed.get(agency.as_str())
            {
                agency.clone_from(now);
            }
        }
        for (old, new) in renamed {
            self.renamed
                .entry(old.clone())
                .or_insert_with(|| new.clone());
        }
        self.rows
            .extend(rows.iter().map(|(code, row)| (code.clone(), row.clone())));
        self
    }

    /// Writes `search.add` beside the store in `dir`, of the store's watermark; whether it
    /// wrote.
    pub(super) fn write(&self, dir: &Path) -> bool {
        SEARCH_ADDED.write(dir, self)
    }
}

/// Whether the index is cached as a set-aside file and the rows written since (see
/// [`super::super::cache_file::has_search`]).
pub fn has_parts(dir: &Path) -> bool {
    Added::read_current(dir).is_some()
}

/// Removes the set-aside index (written whole again, or of no use).
pub(super) fn remove_base(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(SEARCH_BASE));
}
