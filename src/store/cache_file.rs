//! Cache files beside the store: `search.idx` (the search index, so `element search`
//! answers without opening the database), `outline.idx` (what the tree shows, so the TUI
//! draws it before the catalog is loaded), `links.idx` (who references each element, so
//! `element uses` and pane 2 answer without loading the catalog), `stats.idx` (the
//! catalog's statistics, so `stats` and pane 5 answer without it) and `lint.idx` (how many
//! lint warnings each form has, so `form list` and pane 3's list answer without it). All
//! keep one rule that
//! keeps them honest: every write to the store removes them first (and syncs the directory)
//! before anything changes, and only a process holding the store's lock writes them, from
//! what the store holds. So a file that exists describes the store as it is; a missing or
//! unreadable one is rebuilt. `search.idx` is set aside instead (renamed `search.base`), for
//! the rows a write changes to follow beside it (`search.add`, which is removed): the
//! set-aside file is read only through a current `search.add` (see `search_file`).
//! `links.idx` is set aside too (renamed `links.base`): a write over the records near it
//! that moved no reference puts it back, named anew, without reading or writing it (see
//! [`CacheFile::put_back`]); any other write leaves it aside, never read, and the next one
//! removes it. `outline.idx` likewise (`outline.base`), put back with its count of records
//! set anew by a write that changed nothing else of it.
//!
//! A yibiao older than a cache file does not know to remove it, so each file also names the
//! store's watermark when it was written (the audit number of the last save, which every
//! save since the watermark came raises): a file naming another is not taken.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::lint::LintCounts;
use crate::engine::stats::Stats;
use crate::model::{ElementLinks, Outline};

/// Largest file read (a million elements take about 170 MB of search index).
const MAX_BYTES: usize = 1 << 30;
/// Bytes read or written at a time.
const BUFFER_BYTES: usize = 1 << 20;

/// One kind of cache file.
pub struct CacheFile {
    /// The file name in the store directory.
    pub name: &'static str,
    /// First bytes of the file: a name and the layout version.
    pub(super) magic: &'static [u8],
}

/// The search index (its layout: `search_file::layout`).
pub const SEARCH: CacheFile = CacheFile {
    name: "search.idx",
    magic: b"yibiao search index 10\n",
};

/// The search rows written since `search.idx` was set aside as [`SEARCH_BASE`] (see
/// `search_file`): a small write's rows, without the whole index written again.
pub const SEARCH_ADDED: CacheFile = CacheFile {
    name: "search.add",
    magic: b"yibiao search rows 1\n",
};

/// A `search.idx` set aside before a write made near its records: current only with a
/// current [`SEARCH_ADDED`] that names its watermark.
pub const SEARCH_BASE: &str = "search.base";

/// A `links.idx` set aside before a write: put back, naming the store's watermark anew, when
/// the write moved no reference ([`CacheFile::put_back`]), so that it is neither read nor
/// written again; otherwise removed by the next write.
pub const LINKS_BASE: &str = "links.base";

/// An `outline.idx` set aside before a write: put back, naming the store's watermark and
/// record count anew, when the write changed nothing else of the outline (a write of
/// elements: see [`CacheFile::put_back_counted`]); otherwise removed by the next write.
pub const OUTLINE_BASE: &str = "outline.base";

/// The catalog's outline.
pub const OUTLINE: CacheFile = CacheFile {
    name: "outline.idx",
    magic: b"yibiao outline 5\n",
};

/// Who references each element.
pub const LINKS: CacheFile = CacheFile {
    name: "links.idx",
    magic: b"yibiao element links 3\n",
};

/// The catalog's statistics.
pub const STATS: CacheFile = CacheFile {
    name: "stats.idx",
    magic: b"yibiao stats 2\n",
};

/// How many lint warnings each form has.
pub const LINT: CacheFile = CacheFile {
    name: "lint.idx",
    magic: b"yibiao lint counts 1\n",
};

/// Every cache file, to remove before a write (`search.idx` set aside).
pub const ALL: [&CacheFile; 6] = [&SEARCH, &SEARCH_ADDED, &OUTLINE, &LINKS, &STATS, &LINT];

/// Bytes of the watermark a file names.
pub(super) const STAMP_BYTES: usize = 8;

/// The store's watermark as a cache file names it (`u64::MAX`: the store has none).
pub(super) fn stamp(dir: &Path) -> [u8; STAMP_BYTES] {
    super::watermark::read(dir)
        .unwrap_or(u64::MAX)
        .to_be_bytes()
}

pub(super) fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_BYTES>()
}

impl CacheFile {
    /// The cached value, if the file is there, whole, of this layout and of the store's
    /// watermark. It is decoded as it is read, so the file's bytes are never held whole
    /// beside the value (a million elements' search index is about 170 MB: reading it whole
    /// held twice that at the peak).
    pub(super) fn read<T: DeserializeOwned>(&self, dir: &Path) -> Option<T> {
        let file = File::open(dir.join(self.name)).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len > MAX_BYTES {
            return None;
        }
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, file);
        if !self.is_current(&mut reader, dir) {
            return None;
        }
        let value: T = bincode::serde::decode_from_std_read(&mut reader, config()).ok()?;
        // whole: nothing may follow the value
        let mut rest = [0u8; 1];
        (reader.read(&mut rest).ok()? == 0).then_some(value)
    }

    /// Writes the file atomically (a temporary file, synced, renamed over the old one),
    /// encoding the value as it is written. Best effort: a cache that cannot be written is
    /// simply rebuilt next time. Returns whether it wrote.
    pub(super) fn write<T: Serialize>(&self, dir: &Path, value: &T) -> bool {
        self.write_stamped(dir, value, stamp(dir))
    }

    /// [`CacheFile::write`] naming the watermark `stamp` (read before the value was made
    /// from the store: a write since raised the watermark, so the file is not taken).
    fn write_stamped<T: Serialize>(&self, dir: &Path, value: &T, stamp: [u8; STAMP_BYTES]) -> bool {
        let tmp = dir.join(format!("{}.tmp", self.name));
        let written = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|file| {
                let mut writer = BufWriter::with_capacity(BUFFER_BYTES, file);
                writer.write_all(self.magic)?;
                writer.write_all(&stamp)?;
                bincode::serde::encode_into_std_write(value, &mut writer, config())
                    .map_err(std::io::Error::other)?;
                writer.into_inner().map_err(|e| e.into_error())?.sync_all()
            })
            .and_then(|()| std::fs::rename(&tmp, dir.join(self.name)))
            .and_then(|()| sync_dir(dir));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.is_ok()
    }

    /// Whether the file is there in this layout and of the store's watermark, by its first
    /// bytes, without reading the rest.
    fn is_there(&self, dir: &Path) -> bool {
        File::open(dir.join(self.name)).is_ok_and(|mut file| self.is_current(&mut file, dir))
    }

    /// Whether a file's first bytes, read from `from`, are this layout's magic and the
    /// store's watermark.
    pub(super) fn is_current(&self, from: &mut impl Read, dir: &Path) -> bool {
        self.is_stamped(from, stamp(dir))
    }

    /// Whether a file's first bytes, read from `from`, are this layout's magic and `stamp`.
    pub(super) fn is_stamped(&self, from: &mut impl Read, stamp: [u8; STAMP_BYTES]) -> bool {
        let mut head = vec![0; self.magic.len() + STAMP_BYTES];
        from.read_exact(&mut head).is_ok()
            && head[..self.magic.len()] == *self.magic
            && head[self.magic.len()..] == stamp
    }

    /// Sets the file aside as `base` before the store changes: renamed, the rename durable
    /// when this returns. Whether there was a file to set aside.
    pub(super) fn set_aside(&self, dir: &Path, base: &str) -> std::io::Result<bool> {
        match std::fs::rename(dir.join(self.name), dir.join(base)) {
            Ok(()) => sync_dir(dir).map(|()| true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// After a write that left what the file holds as it was: the file set aside as `base`
    /// ([`CacheFile::set_aside`]), if it is of this layout and names `before` (the store's
    /// watermark before the write, when it was current), is stamped with the store's
    /// watermark now in place, synced and renamed back. Best effort, like every cache file:
    /// otherwise it stays aside, never read. Returns whether it was put back.
    pub(super) fn put_back(&self, dir: &Path, base: &str, before: [u8; STAMP_BYTES]) -> bool {
        self.put_back_with(dir, base, before, |_| Ok(()))
    }

    /// [`CacheFile::put_back`] of a file whose value ends with a count (the outline's of
    /// records), `was` when the file was set aside and `now` after the write: the count's
    /// bytes at the end are checked to be `was`'s and replaced by `now`'s.
    pub(super) fn put_back_counted(
        &self,
        dir: &Path,
        base: &str,
        before: [u8; STAMP_BYTES],
        (was, now): (usize, usize),
    ) -> bool {
        let encoded = |n: usize| bincode::serde::encode_to_vec(n, config());
        let (Ok(was), Ok(now)) = (encoded(was), encoded(now)) else {
            return false;
        };
        self.put_back_with(dir, base, before, |file| {
            let len = file.seek(SeekFrom::End(0))?;
            let at = len
                .checked_sub(was.len() as u64)
                .ok_or_else(|| std::io::Error::other("shorter than its count"))?;
            let mut held = vec![0; was.len()];
            file.seek(SeekFrom::Start(at))?;
            file.read_exact(&mut held)?;
            if held != was {
                return Err(std::io::Error::other("another count"));
            }
            file.set_len(at)?;
            file.seek(SeekFrom::Start(at))?;
            file.write_all(&now)
        })
    }

    /// [`CacheFile::put_back`], `change` making what else changes in the file first.
    fn put_back_with(
        &self,
        dir: &Path,
        base: &str,
        before: [u8; STAMP_BYTES],
        change: impl FnOnce(&mut File) -> std::io::Result<()>,
    ) -> bool {
        let path = dir.join(base);
        let put = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .and_then(|mut file| {
                if !self.is_stamped(&mut file, before) {
                    return Err(std::io::Error::other("not the file set aside"));
                }
                change(&mut file)?;
                file.seek(SeekFrom::Start(self.magic.len() as u64))?;
                file.write_all(&stamp(dir))?;
                file.sync_all()
            })
            .and_then(|()| std::fs::rename(&path, dir.join(self.name)))
            .and_then(|()| sync_dir(dir));
        put.is_ok()
    }

    /// Removes the file before the store changes; the removal is durable when this returns.
    pub fn invalidate(&self, dir: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(dir.join(self.name)) {
            Ok(()) => sync_dir(dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The cached outline, if there is a sound one.
pub fn read_outline(dir: &Path) -> Option<Outline> {
    OUTLINE.read::<Outline>(dir).filter(Outline::is_sound)
}

/// Caches the outline (a file set aside before, [`OUTLINE_BASE`], goes).
pub fn write_outline(dir: &Path, outline: &Outline) {
    if OUTLINE.write(dir, outline) {
        let _ = std::fs::remove_file(dir.join(OUTLINE_BASE));
    }
}

/// The cached element links, if there is a sound file.
pub fn read_links(dir: &Path) -> Option<ElementLinks> {
    LINKS
        .read::<ElementLinks>(dir)
        .filter(ElementLinks::is_sound)
}

/// Caches the element links (a file set aside before, [`LINKS_BASE`], goes).
pub fn write_links(dir: &Path, links: &ElementLinks) {
    if LINKS.write(dir, links) {
        let _ = std::fs::remove_file(dir.join(LINKS_BASE));
    }
}

/// The cached statistics, if there is a sound one.
pub fn read_stats(dir: &Path) -> Option<Stats> {
    STATS.read::<Stats>(dir).filter(Stats::is_sound)
}

/// Caches the statistics.
pub fn write_stats(dir: &Path, stats: &Stats) {
    STATS.write(dir, stats);
}

/// The cached lint counts (form code → warnings, for each form with any), if there is a
/// sound file (every count above zero).
pub fn read_lint(dir: &Path) -> Option<LintCounts> {
    LINT.read::<LintCounts>(dir)
        .filter(|counts| counts.values().all(|&n| n > 0))
}

/// Caches the lint counts.
pub fn write_lint(dir: &Path, counts: &LintCounts) {
    LINT.write(dir, counts);
}

/// Whether the element links are cached in this layout (a file that is there describes the
/// store as it is, see the module's rule; one of another layout is rebuilt), by the file's
/// first bytes.
pub fn has_links(dir: &Path) -> bool {
    LINKS.is_there(dir)
}

/// Whether the search index is cached in this layout (as [`has_links`]).
pub fn has_search(dir: &Path) -> bool {
    SEARCH.is_there(dir) || super::search_file::has_parts(dir)
}

pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::super::search_file::{read_search, write_search};
    use super::*;
    use crate::engine::search::SearchData;

    fn data() -> SearchData {
        SearchData::from_rows(crate::engine::search::rows(&crate::sample::generate(1)))
    }

    #[test]
    fn written_data_reads_back_and_invalidate_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_search(dir.path()), None);
        assert_eq!(read_outline(dir.path()), None);
        let data = data();
        write_search(dir.path(), &data);
        let outline = Outline::of(&crate::sample::generate(1));
        write_outline(dir.path(), &outline);
        assert_eq!(read_search(dir.path()), Some(data));
        assert_eq!(read_outline(dir.path()), Some(outline));
        SEARCH.invalidate(dir.path()).unwrap();
        assert_eq!(read_search(dir.path()), None);
        assert!(read_outline(dir.path()).is_some());
        OUTLINE.invalidate(dir.path()).unwrap();
        assert_eq!(read_outline(dir.path()), None);
        SEARCH.invalidate(dir.path()).unwrap();
        assert!(!has_links(dir.path()));
        let links = ElementLinks::of(&crate::sample::generate(1));
        write_links(dir.path(), &links);
        assert!(has_links(dir.path()));
        assert_eq!(read_links(dir.path()), Some(links));
        // a file of another layout is not taken for the links
        let path = dir.path().join(LINKS.name);
        let good = std::fs::read(&path).unwrap();
        std::fs::write(&path, b"yibiao element links 1\n").unwrap();
        assert!(!has_links(dir.path()));
        std::fs::write(&path, &good).unwrap();
        assert!(has_links(dir.path()));
        LINKS.invalidate(dir.path()).unwrap();
        assert!(!has_links(dir.path()));
        assert_eq!(read_links(dir.path()), None);
        assert!(!has_search(dir.path()));
        write_search(dir.path(), &SearchData::default());
        assert!(has_search(dir.path()));
        // the statistics, with the rest
        let stats = crate::engine::stats::stats(&crate::sample::generate(1));
        write_stats(dir.path(), &stats);
        assert_eq!(read_stats(dir.path()), Some(stats));
        for file in ALL {
            file.invalidate(dir.path()).unwrap();
        }
        assert_eq!(read_stats(dir.path()), None);
        let counts = LintCounts::from([("F1".to_string(), 2)]);
        write_lint(dir.path(), &counts);
        assert_eq!(read_lint(dir.path()), Some(counts));
        write_lint(dir.path(), &LintCounts::from([("F1".to_string(), 0)]));
        assert_eq!(
            read_lint(dir.path()),
            None,
            "a form with no warnings is not listed"
        );
    }

    #[test]
    fn a_file_written_at_another_watermark_is_not_taken() {
        // a yibiao that does not know a cache file saves (raising the watermark) and leaves it
        let dir = tempfile::tempdir().unwrap();
        let catalog = crate::sample::generate(1);
        let stats = crate::engine::stats::stats(&catalog);
        let write_all = || {
            write_search(dir.path(), &data());
            write_outline(dir.path(), &Outline::of(&catalog));
            write_links(dir.path(), &ElementLinks::of(&catalog));
            write_stats(dir.path(), &stats);
        };
        let taken = || {
            [
                read_search(dir.path()).is_some() && has_search(dir.path()),
                read_outline(dir.path()).is_some(),
                read_links(dir.path()).is_some() && has_links(dir.path()),
                read_stats(dir.path()).is_some(),
            ]
        };
        write_all();
        assert_eq!(taken(), [true; 4], "no watermark when written, none now");
        super::super::watermark::write(dir.path(), 7);
        assert_eq!(taken(), [false; 4], "the store was saved since");
        write_all();
        assert_eq!(taken(), [true; 4]);
        super::super::watermark::write(dir.path(), 8);
        assert_eq!(taken(), [false; 4]);
    }

    #[test]
    fn a_file_set_aside_is_put_back_only_as_it_was_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        let links = ElementLinks::of(&crate::sample::generate(1));
        super::super::watermark::write(path, 7);
        write_links(path, &links);
        let before = stamp(path);
        assert!(LINKS.set_aside(path, LINKS_BASE).unwrap());
        assert!(!has_links(path) && read_links(path).is_none());
        assert!(!LINKS.set_aside(path, LINKS_BASE).unwrap(), "none left");
        // the write raises the watermark
        super::super::watermark::write(path, 8);
        let other = 6u64.to_be_bytes();
        assert!(!LINKS.put_back(path, LINKS_BASE, other), "set aside at 7");
        assert!(read_links(path).is_none());
        assert!(LINKS.put_back(path, LINKS_BASE, before));
        assert_eq!(read_links(path), Some(links.clone()));
        assert!(!path.join(LINKS_BASE).exists());
        assert!(!LINKS.put_back(path, LINKS_BASE, stamp(path)), "none aside");
        // a file of another layout is not put back
        let now = stamp(path);
        LINKS.set_aside(path, LINKS_BASE).unwrap();
        let mut bytes = std::fs::read(path.join(LINKS_BASE)).unwrap();
        bytes[..LINKS.magic.len()].copy_from_slice(b"yibiao element links 9\n");
        std::fs::write(path.join(LINKS_BASE), bytes).unwrap();
        super::super::watermark::write(path, 9);
        assert!(!LINKS.put_back(path, LINKS_BASE, now));
        assert!(read_links(path).is_none());
        // links written anew take the place of one set aside
        write_links(path, &links);
        assert!(!path.join(LINKS_BASE).exists());
        assert_eq!(read_links(path), Some(links));
    }

    #[test]
    fn an_outline_set_aside_is_put_back_with_its_count_of_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        let mut outline = Outline::of(&crate::sample::generate(1));
        let was = outline.records;
        for (watermark, now) in [(7, was + 5), (8, 70_000), (9, 70_001)] {
            super::super::watermark::write(path, watermark);
            write_outline(path, &outline);
            let before = stamp(path);
            assert!(OUTLINE.set_aside(path, OUTLINE_BASE).unwrap());
            super::super::watermark::write(path, watermark + 100);
            // the count held is checked first
            let wrong = (outline.records + 1, now);
            assert!(!OUTLINE.put_back_counted(path, OUTLINE_BASE, before, wrong));
            assert!(read_outline(path).is_none());
            let counts = (outline.records, now);
            assert!(OUTLINE.put_back_counted(path, OUTLINE_BASE, before, counts));
            outline.records = now;
            assert_eq!(read_outline(path), Some(outline.clone()), "{now}");
            assert!(!path.join(OUTLINE_BASE).exists());
        }
    }

    #[test]
    fn damaged_files_are_ignored_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        write_search(dir.path(), &data());
        write_outline(dir.path(), &Outline::of(&crate::sample::generate(1)));
        write_links(dir.path(), &ElementLinks::of(&crate::sample::generate(1)));
        write_stats(
            dir.path(),
            &crate::engine::stats::stats(&crate::sample::generate(1)),
        );
        write_lint(dir.path(), &LintCounts::from([("F1".to_string(), 2)]));
        // (`search.add` damaged: see `search_file`'s tests)
        for file in ALL.into_iter().filter(|f| f.name != SEARCH_ADDED.name) {
            let path = dir.path().join(file.name);
            let good = std::fs::read(&path).unwrap();
            for bad in [
                good[..good.len() / 2].to_vec(),
                [good.as_slice(), b"x"].concat(),
                b"something else entirely".to_vec(),
                [&good[..file.magic.len() + STAMP_BYTES], &[0xff; 64][..]].concat(),
            ] {
                std::fs::write(&path, &bad).unwrap();
                match file.name {
                    "search.idx" => assert_eq!(read_search(dir.path()), None),
                    "outline.idx" => assert_eq!(read_outline(dir.path()), None),
                    "stats.idx" => assert_eq!(read_stats(dir.path()), None),
                    "lint.idx" => assert_eq!(read_lint(dir.path()), None),
                    _ => assert_eq!(read_links(dir.path()), None),
                }
            }
            std::fs::write(&path, &good).unwrap();
        }
    }
}
