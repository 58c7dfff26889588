//! Scanning sled's records without leaving their pages in memory.
//!
//! sled 0.34 queues the accesses to its pages in 256 shards (a page's shard is its id modulo
//! 256) and applies them to its bounded cache, evicting the pages over the bound, only once
//! 64 accesses have queued in a shard (see `reopen`). A scan reaches each page once: the last
//! pages of every shard read, up to 63 each, stay in memory whatever the bound, until the
//! database is closed. After the forms of a million-element store that is 35 MB.
//!
//! So a scan looks the key it just read up again every [`TOUCH_EVERY`] records: the page
//! being read (and the index pages above it) are accessed again, their shards' queues fill
//! and are applied as the scan goes, and sled evicts the pages read before. The forms' scan
//! then leaves 7 MB, for 0.1–0.3 s more over a million records.
//!
//! Reads spread over a tree (the search rows of a chunk of elements across the store, one a
//! block) reach each leaf once and too few of them to fill the queues at all: reading the
//! rows of a chunk of 4,096 elements renamed across a million-element store grew the process
//! by 101 MB, most of it the search tree's leaves. So each such read (a row read, and each
//! block a write plans its rows over) looks its key up again [`SPREAD_TOUCHES`] times
//! ([`touch_spread`]), and the leaves go as the reads go: 47 MB with four touches. With
//! sixteen, an import of 20,000 elements (5,000 renamed across a million-element store) in
//! the TUI peaks at 249–255 MiB instead of 254–281, no slower.

use super::ReadTally;

/// A scan looks the key it read up again once every this many records.
pub(super) const TOUCH_EVERY: usize = 4;

/// How many times a read spread over a tree looks its key up again: a shard's queue then
/// fills every four leaves or so.
const SPREAD_TOUCHES: usize = 16;

/// Looks `key`, just read from `tree` by one of many reads spread over it, up again (see the
/// module documentation).
pub(super) fn touch_spread(tree: &sled::Tree, key: &[u8]) {
    for _ in 0..SPREAD_TOUCHES {
        // only the access matters: a key that cannot be read again is the read's to report
        let _ = tree.contains_key(key);
    }
}

/// Counts the records a scan reads ([`ReadTally`]) and has every [`TOUCH_EVERY`]th key
/// looked up again (see the module documentation).
pub(super) struct Scan<'s, T: FnMut(&[u8])> {
    reads: &'s ReadTally,
    touch: T,
    read: usize,
}

/// A scan of `tree` counted in `reads`, its keys looked up again in `tree`.
pub(super) fn of_tree<'s>(
    tree: &'s sled::Tree,
    reads: &'s ReadTally,
) -> Scan<'s, impl FnMut(&[u8]) + 's> {
    Scan::new(reads, move |key: &[u8]| {
        // only the access matters: a key that cannot be read again is the next read's to
        // report, if it fails too
        let _ = tree.contains_key(key);
    })
}

impl<'s, T: FnMut(&[u8])> Scan<'s, T> {
    /// A scan counted in `reads` that calls `touch` with every [`TOUCH_EVERY`]th key.
    fn new(reads: &'s ReadTally, touch: T) -> Self {
        Scan {
            reads,
            touch,
            read: 0,
        }
    }

    /// The scan read the record under `key`.
    pub(super) fn read(&mut self, key: &[u8]) {
        self.reads.add(1);
        self.read += 1;
        if self.read.is_multiple_of(TOUCH_EVERY) {
            (self.touch)(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fourth_key_read_is_touched_and_every_one_counted() {
        let reads = ReadTally::default();
        let mut touched: Vec<Vec<u8>> = Vec::new();
        {
            let mut scan = Scan::new(&reads, |key: &[u8]| touched.push(key.to_vec()));
            for i in 1..=10u8 {
                scan.read(&[i]);
            }
        }
        assert_eq!(touched, vec![vec![4], vec![8]]);
        assert_eq!(reads.read(), 10);
    }
}
