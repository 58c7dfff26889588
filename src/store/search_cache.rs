//! `search.idx`: the search index as one flat file beside the store, so `element search`
//! answers without opening the database. It is a cache with one rule that keeps it honest:
//! every write to the store removes it first (and syncs the directory) before anything
//! changes, and only a process holding the store's lock writes it, from the search tree.
//! So a file that exists describes the store as it is; a missing or unreadable one is
//! rebuilt by the next search.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::engine::search::SearchData;

/// The cache's file name in the store directory.
pub const CACHE_FILE: &str = "search.idx";

/// First bytes of the file: a name and the layout version.
const MAGIC: &[u8] = b"yibiao search index 2\n";

/// Largest file read (a million elements take about 330 MB).
const MAX_BYTES: usize = 1 << 30;

fn path(dir: &Path) -> PathBuf {
    dir.join(CACHE_FILE)
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_BYTES>()
}

/// The cached index, if there is a sound one.
pub fn read(dir: &Path) -> Option<SearchData> {
    let mut file = File::open(path(dir)).ok()?;
    let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
    if len > MAX_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(len);
    file.read_to_end(&mut bytes).ok()?;
    let body = bytes.strip_prefix(MAGIC)?;
    let (data, used): (SearchData, usize) =
        bincode::serde::decode_from_slice(body, config()).ok()?;
    (used == body.len() && data.is_sound()).then_some(data)
}

/// Writes the cache atomically (a temporary file, synced, renamed over the old one).
/// Best effort: a cache that cannot be written is simply rebuilt next time.
pub fn write(dir: &Path, data: &SearchData) {
    let Ok(body) = bincode::serde::encode_to_vec(data, config()) else {
        return;
    };
    let tmp = dir.join(format!("{CACHE_FILE}.tmp"));
    let written = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(MAGIC)?;
            f.write_all(&body)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path(dir)))
        .and_then(|()| sync_dir(dir));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Removes the cache before the store changes; the removal is durable when this returns.
pub fn invalidate(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path(dir)) {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
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
        assert_eq!(read(dir.path()), None);
        let data = data();
        write(dir.path(), &data);
        assert_eq!(read(dir.path()), Some(data));
        invalidate(dir.path()).unwrap();
        assert_eq!(read(dir.path()), None);
        invalidate(dir.path()).unwrap();
    }

    #[test]
    fn damaged_files_are_ignored_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &data());
        let good = std::fs::read(path(dir.path())).unwrap();
        for bad in [
            good[..good.len() / 2].to_vec(),
            [good.as_slice(), b"x"].concat(),
            b"something else entirely".to_vec(),
            [&good[..MAGIC.len()], &[0xff; 64][..]].concat(),
        ] {
            std::fs::write(path(dir.path()), &bad).unwrap();
            assert_eq!(read(dir.path()), None);
        }
    }
}
