//! The audit log: one entry per changed record, written in the same transaction.

use serde::{Deserialize, Serialize};

use crate::model::Kind;

/// What happened to a record.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditOp {
    /// The record did not exist before.
    Create,
    /// The record changed.
    Update,
    /// The record was removed.
    Delete,
}

/// One audit record.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// UTC time, RFC 3339 (`2026-11-22T03:55:12Z`).
    pub time: String,
    /// OS user of the real uid.
    pub user: String,
    /// The action that caused the change (`import`, `sample`, `edit`, ...).
    pub action: String,
    /// Kind of the record.
    pub kind: Kind,
    /// Code of the record.
    pub code: String,
    /// What happened.
    pub op: AuditOp,
    /// Digest of the record before the change ([`record_digest`]); `None` when it did not
    /// exist, or for entries written before digests were recorded.
    pub before: Option<String>,
    /// Digest of the record after the change; `None` when it was removed, or for entries
    /// written before digests were recorded.
    pub after: Option<String>,
}

/// The audit entry layout of schema version 1, without digests. Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuditEntryV1 {
    pub(crate) time: String,
    pub(crate) user: String,
    pub(crate) action: String,
    pub(crate) kind: Kind,
    pub(crate) code: String,
    pub(crate) op: AuditOp,
}

impl AuditEntryV1 {
    /// Upgrades to the current layout: the digests are unknown.
    pub(crate) fn upgrade(self) -> AuditEntry {
        AuditEntry {
            time: self.time,
            user: self.user,
            action: self.action,
            kind: self.kind,
            code: self.code,
            op: self.op,
            before: None,
            after: None,
        }
    }
}

/// The first 16 hex digits of the SHA-256 of a record's encoded bytes: enough to tell two
/// versions of a record apart in the audit log, short enough to read.
pub fn record_digest(encoded: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(encoded);
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// An audit entry with its position in the log.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LoggedEntry {
    /// Monotonic sequence number (not contiguous).
    pub seq: u64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// The OS user behind the real uid, or `uid N` when it has no passwd entry.
pub fn os_user() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// Now, in UTC, as RFC 3339 with seconds.
pub fn utc_now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
