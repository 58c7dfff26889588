//! The store lock: one yibiao process per store, and a clear message for the second.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::error::StoreError;

/// Name of the lock file inside the store directory.
pub const LOCK_FILE: &str = "yibiao.lock";

/// Holds the store's advisory lock until dropped (the OS releases it if the process dies).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the lock on `dir` without waiting, recording pid, user and time in the file.
    pub fn acquire(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // best effort: the holder may be writing it right now
                let _ = file.read_to_string(&mut holder);
                let field = |name: &str| {
                    holder
                        .lines()
                        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                        .unwrap_or("?")
                        .to_string()
                };
                return Err(StoreError::Locked {
                    path: dir.to_path_buf(),
                    pid: field("pid"),
                    user: field("user"),
                    since: field("since"),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let holder = format!(
            "pid={}\nuser={}\nsince={}\n",
            std::process::id(),
            super::audit::os_user(),
            super::audit::utc_now()
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(holder.as_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(Self { _file: file })
    }
}
