//! Store errors: each names the cause and, where there is one, the next step.

use std::path::PathBuf;

use crate::model::Problem;

/// What can go wrong with a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("store {} is in use by another yibiao (pid {pid}, user {user}, since {since})", path.display())]
    Locked {
        /// The store directory.
        path: PathBuf,
        /// The holder's pid.
        pid: String,
        /// The holder's OS user.
        user: String,
        /// When the holder opened the store.
        since: String,
    },
    /// A file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// sled could not open the database.
    #[error("cannot open store {}: {source} (check that the directory is on a local disk and readable; `yibiao check` reports damage)", path.display())]
    Open {
        /// The store directory.
        path: PathBuf,
        /// sled's error.
        source: sled::Error,
    },
    /// The store was written by a newer yibiao.
    #[error("store {} has schema version {found}, newer than this yibiao supports ({supported}); upgrade yibiao", path.display())]
    NewerSchema {
        /// The store directory.
        path: PathBuf,
        /// The store's schema version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A stored value does not decode.
    #[error(
        "stored {what} is damaged: {reason} (the store cannot be loaded; restore its directory from a backup)"
    )]
    Corrupt {
        /// Which value (`element DE000001`, `audit entry 17`).
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A write would break invariants; nothing was written.
    #[error("{} problem(s); nothing was saved", .0.len())]
    Invalid(Vec<Problem>),
    /// sled failed while writing; nothing was acknowledged.
    #[error("store write failed: {0}; the change was not saved")]
    Write(sled::Error),
    /// A value could not be encoded.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// Which value.
        what: String,
        /// The encoding error.
        source: super::codec::CodecError,
    },
}
