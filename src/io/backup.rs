//! Backups: an interchange export with a metadata header, as one JSON array
//! `[HEADER,\nPAYLOAD]\n`. The first line is `[` + the header object (compact) + `,`; the
//! payload is the exact text of `yibiao export` and ends the file, followed by `]` and a
//! newline. The header's `sha256` is the SHA-256 of the payload bytes, so a truncated or
//! edited backup is refused, and `jq '.[1]' backup.json` extracts a plain interchange file.
//!
//! Automatic backups (`auto-YYYYMMDDTHHMMSSZ.json`) go into the `backups/` directory inside the
//! store directory (mode 0700), newest `keep` kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::cell::Cell;

use crate::model::{Catalog, Kind, RecordRef, RecordSource};

use super::files::write_private_with;

/// The format tag of backup headers.
pub const BACKUP_FORMAT: &str = "yibiao-backup/1";

/// Directory of automatic backups inside the store directory.
pub const AUTO_DIR: &str = crate::store::BACKUPS_DIR;

/// Automatic backups kept when the config does not say.
pub const DEFAULT_KEEP: usize = 10;

/// The header of a backup.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Always [`BACKUP_FORMAT`].
    pub format: String,
    /// The yibiao that wrote it.
    pub yibiao_version: String,
    /// The record schema of that yibiao ([`RECORD_SCHEMA`]).
    pub schema_version: u32,
    /// UTC time, RFC 3339.
    pub created: String,
    /// OS user who made it.
    pub user: String,
    /// Records per kind (`regions`, `agencies`, ...).
    pub counts: BTreeMap<String, usize>,
    /// Hex SHA-256 of the payload bytes.
    pub sha256: String,
}

/// Why a file is not a usable backup.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file does not have the backup layout.
    #[error("not a yibiao backup ({0}); a plain interchange file is imported with `yibiao import`")]
    NotABackup(String),
    /// The payload does not match the header's digest.
    #[error(
        "the backup is damaged: its payload has SHA-256 {found}, the header says {expected}; nothing was restored (use another backup)"
    )]
    DigestMismatch {
        /// Digest in the header.
        expected: String,
        /// Digest of the payload as read.
        found: String,
    },
    /// The backup was made by a newer yibiao.
    #[error(
        "the backup was made by yibiao {version} (store schema {schema}); this yibiao reads schema {supported}: upgrade yibiao"
    )]
    Newer {
        /// The writer's version.
        version: String,
        /// Its schema version.
        schema: u32,
        /// This build's schema version.
        supported: u32,
    },
}

/// Hex SHA-256 of bytes.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The schema of the records a backup holds, written in its header: raised when records
/// gain what an older yibiao could not read back. It is not the store's layout
/// ([`crate::store::SCHEMA_VERSION`]): a backup holds records, not sled's trees, so a
/// backup made after the store layout changed still restores with the yibiao before.
pub const RECORD_SCHEMA: u32 = 1;

/// A backup of the catalog, made now by `user`.
pub fn create(catalog: &Catalog, user: &str, created: &str) -> Vec<u8> {
    let mut out = Vec::new();
    // writing to a Vec cannot fail
    let _ = write(catalog, user, created, &mut out);
    out
}

/// Digests what is written through it.
struct Digesting {
    sha: Sha256,
}

impl std::io::Write for Digesting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.sha.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Counts the records read from a source, by kind (in the order of [`Kind::ALL`]).
struct Counting<'s> {
    source: &'s dyn RecordSource,
    counts: [Cell<usize>; Kind::ALL.len()],
}

impl RecordSource for Counting<'_> {
    fn each_record(
        &self,
        kind: Kind,
        each: &mut dyn FnMut(RecordRef<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let at = Kind::ALL.iter().position(|k| *k == kind);
        let count = at.and_then(|at| self.counts.get(at));
        self.source.each_record(kind, &mut |record| {
            if let Some(count) = count {
                count.set(count.get() + 1);
            }
            each(record)
        })
    }
}

/// [`create`] from any record source, written to `out` as it is made: the export is made
/// twice, once for its digest and its counts (which the header, written first, holds) and
/// once to write it, so that a million-element backup never holds its gigabyte of text in
/// memory (it held it twice), nor, read from the store, the catalog. Returns how many
/// records of each kind it holds.
pub fn write(
    source: &dyn RecordSource,
    user: &str,
    created: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Vec<(Kind, usize)>> {
    let counting = Counting {
        source,
        counts: Default::default(),
    };
    let mut digest = Digesting { sha: Sha256::new() };
    super::json::export_to(&counting, &mut digest)?;
    let sha256: String = (digest.sha.finalize().iter())
        .map(|b| format!("{b:02x}"))
        .collect();
    let counts: Vec<(Kind, usize)> = Kind::ALL
        .into_iter()
        .zip(counting.counts.iter().map(Cell::get))
        .collect();
    let header = Header {
        format: BACKUP_FORMAT.into(),
        yibiao_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: RECORD_SCHEMA,
        created: created.into(),
        user: user.into(),
        counts: counts
            .iter()
            .map(|(k, n)| (k.plural().to_string(), *n))
            .collect(),
        sha256,
    };
    out.write_all(b"[")?;
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b",\n")?;
    super::json::export_to(source, out)?;
    out.write_all(b"]\n")?;
    Ok(counts)
}

/// The header and the payload (interchange JSON text) of a backup, after checking its layout,
/// its digest and its version.
pub fn open(bytes: &[u8]) -> Result<(Header, &str), BackupError> {
    let not = |why: &str| BackupError::NotABackup(why.into());
    let rest = super::json::without_bom(bytes)
        .strip_prefix(b"[")
        .ok_or_else(|| not("no `[` at the start"))?;
    let newline = rest
        .iter()
        .position(|b| *b == b'\n')
        .ok_or_else(|| not("no header line"))?;
    let header = rest[..newline]
        .strip_suffix(b",")
        .ok_or_else(|| not("the header line does not end with `,`"))?;
    let header: Header =
        serde_json::from_slice(header).map_err(|e| not(&format!("header: {e}")))?;
    if header.format != BACKUP_FORMAT {
        return Err(not(&format!("format {:?}", header.format)));
    }
    let payload = rest[newline + 1..]
        .strip_suffix(b"]\n")
        .ok_or_else(|| not("it does not end with `]`; truncated?"))?;
    let found = sha256_hex(payload);
    if found != header.sha256 {
        return Err(BackupError::DigestMismatch {
            expected: header.sha256,
            found,
        });
    }
    if header.schema_version > RECORD_SCHEMA {
        return Err(BackupError::Newer {
            version: header.yibiao_version,
            schema: header.schema_version,
            supported: RECORD_SCHEMA,
        });
    }
    let payload = std::str::from_utf8(payload).map_err(|_| not("the payload is not UTF-8"))?;
    Ok((header, payload))
}

/// Writes an automatic backup of `catalog` into `store_dir/backups/` and removes all but the
/// newest `keep` automatic backups. Returns the new file.
pub fn write_auto(store_dir: &Path, catalog: &Catalog, keep: usize) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = store_dir.join(AUTO_DIR);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let now = crate::store::audit::utc_now();
    // 2026-11-22T03:55:12Z → 20261122T035512Z
    let stamp: String = now.chars().filter(|c| *c != '-' && *c != ':').collect();
    let path = dir.join(format!("auto-{stamp}.json"));
    let user = crate::store::audit::os_user();
    write_private_with(&path, |out| write(catalog, &user, &now, out).map(drop))?;
    rotate(&dir, keep.max(1))?;
    Ok(path)
}

/// The TUI's exit hook: an automatic backup of `store` if this session changed it and `keep`
/// is not 0. Returns a warning to print when the backup could not be written.
pub fn on_exit(store: &dyn crate::store::Store, keep: usize) -> Option<String> {
    if keep == 0 || store.changed_since_open() == 0 {
        return None;
    }
    write_auto(store.path(), store.catalog(), keep)
        .err()
        .map(|e| {
            format!(
                "automatic backup in {} failed: {}",
                store.path().join(AUTO_DIR).display(),
                crate::store::io_hint(&e, &store.path().join(AUTO_DIR))
            )
        })
}

/// Removes all but the newest `keep` `auto-*.json` files of `dir` (names sort by time).
pub fn rotate(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let autos = crate::store::auto_backups(dir)?;
    let excess = autos.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = autos.into_iter().take(excess).collect();
    for path in &removed {
        std::fs::remove_file(path)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let text = include_str!("../../tests/fixtures/small.json");
        let records =
            super::super::json::parse_import(text, &Catalog::default(), crate::i18n::Lang::En)
                .expect("fixture imports");
        Catalog::from_records(records)
    }

    #[test]
    fn a_backup_opens_to_the_exact_export_and_is_valid_json() {
        let c = catalog();
        let bytes = create(&c, "li", "2026-11-22T03:55:12Z");
        let (header, payload) = open(&bytes).expect("opens");
        assert_eq!(payload, super::super::json::export(&c));
        assert_eq!(header.user, "li");
        assert_eq!(header.counts["elements"], c.count(Kind::Element));
        let whole: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(whole[0]["format"], BACKUP_FORMAT);
        assert_eq!(whole[1]["format"], super::super::json::FORMAT);
    }

    #[test]
    fn a_changed_or_truncated_backup_is_refused() {
        let bytes = create(&catalog(), "li", "2026-11-22T03:55:12Z");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        let edited = text.replacen("\"name\": \"", "\"name\": \"X", 1);
        assert!(matches!(
            open(edited.as_bytes()),
            Err(BackupError::DigestMismatch { .. })
        ));
        assert!(matches!(
            open(&bytes[..bytes.len() / 2]),
            Err(BackupError::NotABackup(_))
        ));
        assert!(matches!(open(b"{}"), Err(BackupError::NotABackup(_))));
    }

    #[test]
    fn rotation_keeps_the_newest() {
        let dir = tempfile::tempdir().expect("tempdir");
        for stamp in ["20260101T000000Z", "20260103T000000Z", "20260102T000000Z"] {
            std::fs::write(dir.path().join(format!("auto-{stamp}.json")), "").expect("write");
        }
        std::fs::write(dir.path().join("manual.json"), "").expect("write");
        let removed = rotate(dir.path(), 2).expect("rotate");
        assert_eq!(removed, vec![dir.path().join("auto-20260101T000000Z.json")]);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "auto-20260102T000000Z.json",
                "auto-20260103T000000Z.json",
                "manual.json"
            ]
        );
    }

    #[test]
    fn automatic_backups_are_private_and_rotated() {
        use std::os::unix::fs::MetadataExt;
        let store = tempfile::tempdir().expect("tempdir");
        let path = write_auto(store.path(), &catalog(), 3).expect("backup");
        assert_eq!(
            std::fs::metadata(&path).expect("stat").mode() & 0o777,
            0o600
        );
        let bytes = std::fs::read(&path).expect("read");
        // written as it was made: the same bytes as one made in memory, whole
        let (header, payload) = open(&bytes).expect("a valid backup");
        assert_eq!(payload, super::super::json::export(&catalog()));
        assert_eq!(bytes, create(&catalog(), &header.user, &header.created));
    }
}
