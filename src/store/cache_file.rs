//! Cache files beside the store: `search.idx` (the search index, so `element search`
//! answers without opening the database), `outline.idx` (what the tree shows, so the TUI
//! draws it before the catalog is loaded) and `links.idx` (who references each element, so
//! `element uses` and pane 2 answer without loading the catalog). All keep one rule that
//! keeps them honest: every write to the store removes them first (and syncs the directory)
//! before anything changes, and only a process holding the store's lock writes them, from
//! what the store holds. So a file that exists describes the store as it is; a missing or
//! unreadable one is rebuilt.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::search::SearchData;
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
    magic: &'static [u8],
}

/// The search index.
pub const SEARCH: CacheFile = CacheFile {
    name: "search.idx",
    magic: b"yibiao search index 5\n",
};

/// The catalog's outline.
pub const OUTLINE: CacheFile = CacheFile {
    name: "outline.idx",
    magic: b"yibiao outline 3\n",
};

/// Who references each element.
pub const LINKS: CacheFile = CacheFile {
    name: "links.idx",
    magic: b"yibiao element links 2\n",
};

/// Every cache file, to remove before a write.
pub const ALL: [&CacheFile; 3] = [&SEARCH, &OUTLINE, &LINKS];

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_BYTES>()
}

impl CacheFile {
    /// The cached value, if the file is there, whole and of this layout. It is decoded as it
    /// is read, so the file's bytes are never held whole beside the value (a million
    /// elements' search index is about 170 MB: reading it whole held twice that at the peak).
    fn read<T: DeserializeOwned>(&self, dir: &Path) -> Option<T> {
        let file = File::open(dir.join(self.name)).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len > MAX_BYTES {
            return None;
        }
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, file);
        let mut magic = vec![0; self.magic.len()];
        reader.read_exact(&mut magic).ok()?;
        if magic != self.magic {
            return None;
        }
        let value: T = bincode::serde::decode_from_std_read(&mut reader, config()).ok()?;
        // whole: nothing may follow the value
        let mut rest = [0u8; 1];
        (reader.read(&mut rest).ok()? == 0).then_some(value)
    }

    /// Writes the file atomically (a temporary file, synced, renamed over the old one),
    /// encoding the value as it is written. Best effort: a cache that cannot be written is
    /// simply rebuilt next time.
    fn write<T: Serialize>(&self, dir: &Path, value: &T) {
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
                bincode::serde::encode_into_std_write(value, &mut writer, config())
                    .map_err(std::io::Error::other)?;
                writer.into_inner().map_err(|e| e.into_error())?.sync_all()
            })
            .and_then(|()| std::fs::rename(&tmp, dir.join(self.name)))
            .and_then(|()| sync_dir(dir));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Whether the file is there in this layout (its first bytes are this layout's magic),
    /// without reading the rest.
    fn is_there(&self, dir: &Path) -> bool {
        let mut magic = vec![0; self.magic.len()];
        File::open(dir.join(self.name))
            .and_then(|mut file| file.read_exact(&mut magic))
            .is_ok_and(|()| magic == self.magic)
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

/// The cached search index, if there is a sound one.
pub fn read_search(dir: &Path) -> Option<SearchData> {
    SEARCH.read::<SearchData>(dir).filter(SearchData::is_sound)
}

/// Caches the search index.
pub fn write_search(dir: &Path, data: &SearchData) {
    SEARCH.write(dir, data);
}

/// The cached outline, if there is a sound one.
pub fn read_outline(dir: &Path) -> Option<Outline> {
    OUTLINE.read::<Outline>(dir).filter(Outline::is_sound)
}

/// Caches the outline.
pub fn write_outline(dir: &Path, outline: &Outline) {
    OUTLINE.write(dir, outline);
}

/// The cached element links, if there is a sound file.
pub fn read_links(dir: &Path) -> Option<ElementLinks> {
    LINKS
        .read::<ElementLinks>(dir)
        .filter(ElementLinks::is_sound)
}

/// Caches the element links.
pub fn write_links(dir: &Path, links: &ElementLinks) {
    LINKS.write(dir, links);
}

/// Whether the element links are cached in this layout (a file that is there describes the
/// store as it is, see the module's rule; one of another layout is rebuilt), by the file's
/// first bytes.
pub fn has_links(dir: &Path) -> bool {
    LINKS.is_there(dir)
}

/// Whether the search index is cached in this layout (as [`has_links`]).
pub fn has_search(dir: &Path) -> bool {
    SEARCH.is_there(dir)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn damaged_files_are_ignored_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        write_search(dir.path(), &data());
        write_outline(dir.path(), &Outline::of(&crate::sample::generate(1)));
        write_links(dir.path(), &ElementLinks::of(&crate::sample::generate(1)));
        for file in ALL {
            let path = dir.path().join(file.name);
            let good = std::fs::read(&path).unwrap();
            for bad in [
                good[..good.len() / 2].to_vec(),
                [good.as_slice(), b"x"].concat(),
                b"something else entirely".to_vec(),
                [&good[..file.magic.len()], &[0xff; 64][..]].concat(),
            ] {
                std::fs::write(&path, &bad).unwrap();
                match file.name {
                    "search.idx" => assert_eq!(read_search(dir.path()), None),
                    "outline.idx" => assert_eq!(read_outline(dir.path()), None),
                    _ => assert_eq!(read_links(dir.path()), None),
                }
            }
            std::fs::write(&path, &good).unwrap();
        }
    }
}
