//! The store lock: one yibiao process per store, and a clear message for the second.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::error::StoreError;

/// Name of the lock file inside the store directory.
pub const LOCK_FILE: &str = "yibiao.lock";

/// How many times a lock this process holds is waited for (see [`StoreLock::acquire`]).
const OWN_LOCK_WAITS: u32 = 50;

/// How long one wait for it lasts: a second in all.
const OWN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// Holds the store's advisory lock until dropped (the OS releases it if the process dies).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the lock on `dir`, recording pid, user and time in the file. Another process's
    /// lock is not waited for; one this process holds is, a second at most (a store it just
    /// dropped, whose lock a child that another thread forked meanwhile shares until it
    /// runs its program; a second opening that is not let go is refused then).
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
        let mut waits = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            let mut holder = String::new();
            // best effort: the holder may be writing it right now
            let _ = file.seek(SeekFrom::Start(0));
            let _ = file.read_to_string(&mut holder);
            // this process holds it: a store it just dropped, whose lock a child process
            // forked meanwhile (by another thread) still shares until it runs its program
            let ours = holder
                .lines()
                .any(|l| l == format!("pid={}", std::process::id()));
            if ours && waits < OWN_LOCK_WAITS {
                waits += 1;
                std::thread::sleep(OWN_LOCK_WAIT);
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_this_process_lets_go_meanwhile_is_taken_one_it_keeps_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let held = StoreLock::acquire(dir.path()).unwrap();
        // let go while the second waits for it (as a forked child lets go when it runs its
        // program): taken
        let letting_go = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(held);
        });
        let taken = StoreLock::acquire(dir.path());
        assert!(taken.is_ok(), "{taken:?}");
        letting_go.join().unwrap();
        // kept: refused, naming this process
        let again = StoreLock::acquire(dir.path());
        let Err(StoreError::Locked { pid, .. }) = again else {
            panic!("{again:?}");
        };
        assert_eq!(pid, std::process::id().to_string());
    }
}
