//! The store directory: what a store puts in it, how a directory is recognised as a store, and
//! the only entries whose permissions opening a store tightens.
//!
//! A store is a directory with sled's files under `db/`; beside it the lock, the cache files
//! (and their temporary files), a recovery draft and `backups/`. A directory without `db/` that
//! holds anything else is somebody else's: it is refused rather than filled with a store, and
//! nothing in it is ever touched.

use std::path::{Path, PathBuf};

use super::cache_file;
use super::error::StoreError;
use super::lock::LOCK_FILE;
use super::watermark::WATERMARK_FILE;

/// sled's directory inside the store directory: its presence makes a directory a store.
pub const DB_DIR: &str = "db";

/// The recovery draft of an edit form (written when a signal stops the TUI).
pub const DRAFT_FILE: &str = "draft.json";

/// The directory of automatic backups inside the store directory.
pub const BACKUPS_DIR: &str = "backups";

/// The automatic backups (`auto-*.json`) in the backups directory `dir`, oldest first (their
/// names sort by time).
pub fn auto_backups(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut autos: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("auto-") && n.ends_with(".json"))
        })
        .collect();
    autos.sort();
    Ok(autos)
}

/// How many of a foreign directory's entries a refusal names.
const NAMES_SHOWN: usize = 3;

/// What opening does with a directory that holds no store yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfMissing {
    /// Create the store (commands that write, the TUI).
    Create,
    /// Refuse with [`StoreError::NoStore`] and create nothing (commands that only read).
    Refuse,
}

/// What a directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A store (`db/` is there).
    Store,
    /// No store yet: the directory is missing, empty, or holds only what a store leaves
    /// before its database exists (the lock).
    Nothing,
}

/// Whether `name`, at the top of a store directory, is something the store creates.
fn is_owned(name: &str) -> bool {
    // a cache file, its temporary file, and the search index's staged entries (see
    // `search_file`)
    let cache = cache_file::ALL.iter().any(|f| {
        name.strip_prefix(f.name)
            .is_some_and(|t| t.is_empty() || t == ".tmp" || t == ".entries.tmp")
    });
    // write_private's temporary files of the draft and the watermark: `.draft.json.tmp-PID`
    let private_tmp = [DRAFT_FILE, WATERMARK_FILE].iter().any(|file| {
        name.strip_prefix('.')
            .and_then(|n| n.strip_prefix(file))
            .is_some_and(|t| t.starts_with(".tmp-"))
    });
    // cache files set aside by a write
    let aside = [
        cache_file::SEARCH_BASE,
        cache_file::LINKS_BASE,
        cache_file::OUTLINE_BASE,
    ]
    .contains(&name);
    cache
        || aside
        || private_tmp
        || [DB_DIR, LOCK_FILE, DRAFT_FILE, BACKUPS_DIR, WATERMARK_FILE].contains(&name)
}

/// Whether `dir` holds a store, nothing yet, or (an error) other files.
pub fn inspect(dir: &Path) -> Result<Found, StoreError> {
    if dir.join(DB_DIR).is_dir() {
        return Ok(Found::Store);
    }
    let io = |source| StoreError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(io(e)),
    };
    let mut foreign = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(io)?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !is_owned(&name) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(Found::Nothing);
    }
    foreign.sort();
    let total = foreign.len();
    foreign.truncate(NAMES_SHOWN);
    Err(StoreError::NotAStore {
        path: dir.to_path_buf(),
        names: foreign,
        total,
    })
}

/// Makes what the store created in `dir` private (directories 0700, files 0600): everything
/// under `db/` (sled creates its files with the umask's mode) and the store's own entries
/// beside it. Symbolic links are neither followed nor changed, and nothing else in `dir` is
/// touched. Best effort: a file that cannot be changed is left as it is.
pub fn restrict(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let owned: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| is_owned(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    for path in owned {
        restrict_tree(&path);
    }
}

/// Makes `path` private, and everything under it if it is a directory; never through a link.
fn restrict_tree(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    let private = if meta.is_dir() {
        0o700
    } else if meta.is_file() {
        0o600
    } else {
        // a symbolic link (to be left alone), a socket, a fifo
        return;
    };
    if meta.permissions().mode() & 0o077 != 0 {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(private));
    }
    if meta.is_dir()
        && let Ok(entries) = std::fs::read_dir(path)
    {
        for entry in entries.flatten() {
            restrict_tree(&entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_directory_is_a_store_nothing_yet_or_someone_elses() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        assert_eq!(inspect(&dir).unwrap(), Found::Nothing, "missing");
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(inspect(&dir).unwrap(), Found::Nothing, "empty");
        std::fs::write(dir.join(LOCK_FILE), "pid=1\n").unwrap();
        assert_eq!(inspect(&dir).unwrap(), Found::Nothing, "only a lock");
        // what a crash while the caches were written leaves, or while the store was written
        for name in [
            "outline.idx.tmp",
            "search.idx.entries.tmp",
            "search.base",
            "links.base",
            "outline.base",
        ] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        assert_eq!(
            inspect(&dir).unwrap(),
            Found::Nothing,
            "a cache's leftovers"
        );
        std::fs::create_dir(dir.join(DB_DIR)).unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        assert_eq!(inspect(&dir).unwrap(), Found::Store, "db/ makes a store");

        let home = tmp.path().join("home");
        std::fs::create_dir(&home).unwrap();
        for name in ["notes.txt", "a", "b", "c"] {
            std::fs::write(home.join(name), "x").unwrap();
        }
        std::fs::write(home.join(LOCK_FILE), "").unwrap();
        let e = inspect(&home).unwrap_err();
        assert!(
            matches!(&e, StoreError::NotAStore { total: 4, .. }),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(
            message.starts_with(&format!(
                "{} holds other files (a, b, c and 1 more) and is not a yibiao store",
                home.display()
            )),
            "{message}"
        );
        assert!(
            message.contains("pick an empty or new directory"),
            "{message}"
        );
    }

    #[test]
    fn only_the_stores_own_entries_are_made_private_and_links_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, outside) = (tmp.path().join("store"), tmp.path().join("outside"));
        std::fs::create_dir_all(dir.join("db/blobs")).unwrap();
        std::fs::create_dir_all(dir.join(BACKUPS_DIR)).unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(outside.join("d")).unwrap();
        for file in [
            "db/conf",
            "db/blobs/1",
            "backups/auto-1.json",
            "yibiao.lock",
        ] {
            std::fs::write(dir.join(file), "x").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        std::fs::write(dir.join("sub/f"), "x").unwrap();
        std::fs::write(outside.join("t.txt"), "x").unwrap();
        std::os::unix::fs::symlink(outside.join("t.txt"), dir.join("db/link")).unwrap();
        std::os::unix::fs::symlink(outside.join("d"), dir.join("db/dlink")).unwrap();
        std::os::unix::fs::symlink(outside.join("d"), dir.join(DRAFT_FILE)).unwrap();
        for path in [
            dir.join("db"),
            dir.join("db/blobs"),
            dir.join(BACKUPS_DIR),
            dir.join("sub"),
            outside.join("d"),
        ] {
            chmod(&path, 0o755);
        }
        for path in [
            dir.join("db/conf"),
            dir.join("db/blobs/1"),
            dir.join("backups/auto-1.json"),
            dir.join("yibiao.lock"),
            dir.join("notes.txt"),
            dir.join("sub/f"),
            outside.join("t.txt"),
        ] {
            chmod(&path, 0o644);
        }

        restrict(&dir);

        for private_dir in ["db", "db/blobs", BACKUPS_DIR] {
            assert_eq!(mode(&dir.join(private_dir)), 0o700, "{private_dir}");
        }
        for private in [
            "db/conf",
            "db/blobs/1",
            "backups/auto-1.json",
            "yibiao.lock",
        ] {
            assert_eq!(mode(&dir.join(private)), 0o600, "{private}");
        }
        // not the store's: untouched, and neither are the targets of links
        assert_eq!(mode(&dir.join("notes.txt")), 0o644);
        assert_eq!(mode(&dir.join("sub")), 0o755);
        assert_eq!(mode(&dir.join("sub/f")), 0o644);
        assert_eq!(mode(&outside.join("t.txt")), 0o644);
        assert_eq!(mode(&outside.join("d")), 0o755);
        assert_eq!(
            mode(&dir.join("db/link")),
            0o777,
            "a link keeps its own mode"
        );
    }
}
