//! Opening sled's files under a store's `db/`, including the one repair sled 0.34 needs after
//! a process was killed while it wrote a snapshot.
//!
//! sled writes a snapshot to `snap.<lsn>.generating`, syncs it and renames it to
//! `snap.<lsn>`. Opening picks the last `snap.*` file by name, and sled 0.34.7 does not skip
//! the `.generating` ones (spacejam/sled#1527). So a kill between creating the file and the
//! rename leaves a store that sled refuses as corrupted, though nothing of the data is
//! damaged: a snapshot is only a shortcut over the log, and an unfinished one was never used.
//! When sled reports corruption and such files exist, they are removed and the open is tried
//! once more.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many times a sled lock still held by this process is waited for: 5 s in all (a
/// store just dropped lets its lock go when its last flush is done, which a loaded machine
/// delays; the store's own lock keeps other processes out before sled is opened).
const LOCK_ATTEMPTS: u32 = 200;

/// How long one wait for that lock lasts.
const LOCK_WAIT: Duration = Duration::from_millis(25);

/// Opens the sled database in `db_dir` with `cache_bytes` of page cache (sled's default when
/// `None`).
///
/// Our own lock file is already held, so a sled lock that is still taken can only belong to
/// this process: sled's flusher thread of a store dropped a moment ago. That is waited for
/// briefly instead of failing. Unfinished snapshots are removed when sled refuses them (see the
/// module documentation).
pub fn open_db(db_dir: &Path, cache_bytes: Option<u64>) -> Result<sled::Db, sled::Error> {
    let mut config = sled::Config::new().path(db_dir);
    if let Some(bytes) = cache_bytes {
        config = config.cache_capacity(bytes);
    }
    match open_waiting_for_lock(&config) {
        Err(sled::Error::Corruption { .. }) if !unfinished_snapshots(db_dir)?.is_empty() => {
            for path in unfinished_snapshots(db_dir)? {
                std::fs::remove_file(&path)?;
            }
            open_waiting_for_lock(&config)
        }
        other => other,
    }
}

/// Opens `config`, retrying while sled's lock is held by a flusher thread of this process.
fn open_waiting_for_lock(config: &sled::Config) -> Result<sled::Db, sled::Error> {
    let mut attempts = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock") =>
            {
                attempts += 1;
                if attempts >= LOCK_ATTEMPTS {
                    return Err(sled::Error::Io(e));
                }
                std::thread::sleep(LOCK_WAIT);
            }
            other => return other,
        }
    }
}

/// The snapshot files sled started but never finished (`snap.*.generating`) in `db_dir`.
fn unfinished_snapshots(db_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(db_dir)? {
        let path = entry?.path();
        let unfinished = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("snap.") && n.ends_with(".generating"));
        if unfinished && path.is_file() {
            found.push(path);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with one key, closed, whose directory is returned.
    fn written_db() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let db = open_db(dir.path(), None).unwrap();
        db.insert("k", "v").unwrap();
        db.flush().unwrap();
        drop(db);
        dir
    }

    /// Half of a snapshot's bytes: what a kill leaves in a file sled was writing.
    const TORN: &[u8] = b"\x01\x00\x00\x00\x00\x00\x00\x00snapshot bytes cut short";

    #[test]
    fn a_snapshot_left_unfinished_by_a_kill_is_discarded_and_the_data_opens() {
        let dir = written_db();
        let unfinished = dir.path().join("snap.7FFFFFFFFFFFFFFF.generating");
        std::fs::write(&unfinished, TORN).unwrap();
        // sled alone (waiting, as the store does, for the closed database's flusher thread
        // to let go of its lock: under load it can still hold it here)
        assert!(
            matches!(
                open_waiting_for_lock(&sled::Config::new().path(dir.path())),
                Err(sled::Error::Corruption { .. })
            ),
            "sled itself refuses such a directory"
        );

        let db = open_db(dir.path(), None).unwrap();
        assert_eq!(db.get("k").unwrap().as_deref(), Some(&b"v"[..]));
        assert!(!unfinished.exists());
    }

    #[test]
    fn a_damaged_finished_snapshot_is_still_refused_and_kept() {
        let dir = written_db();
        let finished = dir.path().join("snap.7FFFFFFFFFFFFFFF");
        std::fs::write(&finished, TORN).unwrap();

        assert!(matches!(
            open_db(dir.path(), None),
            Err(sled::Error::Corruption { .. })
        ));
        assert_eq!(std::fs::read(&finished).unwrap(), TORN);
    }
}
