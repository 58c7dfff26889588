//! Store errors: each names the cause and, where there is one, the next step.

use std::path::PathBuf;

use crate::i18n::Lang;
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
    /// The directory holds no store, and the command only reads one: nothing was created.
    #[error("no store at {}; `yibiao --db {} sample` or `import` creates one, the TUI offers the sample", path.display(), path.display())]
    NoStore {
        /// The directory.
        path: PathBuf,
    },
    /// The directory holds other files and no store: it is not used, and nothing in it changed.
    #[error("{} holds other files ({}) and is not a yibiao store: pick an empty or new directory", path.display(), shown_names(names, *total))]
    NotAStore {
        /// The directory.
        path: PathBuf,
        /// Some of its entries, sorted.
        names: Vec<String>,
        /// How many entries are not a store's.
        total: usize,
    },
    /// The database ends before the last change a save reported: sled dropped damaged data.
    #[error("store {} has lost changes: its last save was change {expected}, but its database ends at change {found} (damaged bytes in sled's log, after which sled drops everything); `yibiao recover {} OUT.json` saves what is left, then {}; to go on with what is left instead, remove {}", path.display(), path.display(), restore_step(path), path.join(super::watermark::WATERMARK_FILE).display())]
    Lost {
        /// The store directory.
        path: PathBuf,
        /// The audit number of the last change saved.
        expected: u64,
        /// The last audit number the database holds (0: none).
        found: u64,
    },
    /// A file operation failed.
    #[error("{}: {}", path.display(), io_hint(source, path))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file outside the store (the roles file) cannot be read.
    #[error("{}: {}", path.display(), crate::io::files::file_hint(source, path, crate::i18n::Lang::En))]
    File {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// sled could not open the database.
    #[error("cannot open store {}: {}", path.display(), sled_hint(source, path))]
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
        "stored {what} is damaged: {reason} (the store cannot be loaded; `yibiao recover STORE_DIR OUT.json` saves the readable records, or restore a backup)"
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
    #[error("store write failed: {}; the change was not saved", sled_hint(.0, std::path::Path::new("the store directory")))]
    Write(sled::Error),
    /// Writing a committed batch failed part-way: the journal still holds the rest.
    #[error("store write failed: {}; the change is kept in the store's journal and completed the next time the store is opened", sled_hint(.0, std::path::Path::new("the store directory")))]
    Unfinished(sled::Error),
    /// The user lacks the role a change needs; nothing was written.
    #[error(
        "user {user} does not have the {role} role needed to {} ({}); ask an admin to add {user} to `{role}` in roles.toml",
        deed.describe(Lang::En),
        roles.describe(Lang::En)
    )]
    Forbidden {
        /// The OS user.
        user: String,
        /// The missing role.
        role: &'static str,
        /// What the role was needed for (`publish item SX001`).
        deed: super::roles::Deed,
        /// Where the roles came from.
        roles: super::roles::Source,
    },
    /// The roles file cannot be read.
    #[error("roles file {}: {message}; fix it (the README's Roles section shows the format) or remove it", place(path, *line, *column))]
    Roles {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem; 0 when the problem is the file as a whole.
        line: usize,
        /// 1-based column (in characters) of the problem; 0 with `line` 0.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A change written over the records near it, before the catalog is loaded, needs the
    /// whole catalog (see `UnloadedStore::apply_near`): nothing was written.
    #[error(
        "this change needs the whole catalog: nothing was written; it is loading, try again once it is in"
    )]
    NeedsCatalog,
    /// A value could not be encoded.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// Which value.
        what: String,
        /// The encoding error.
        source: super::codec::CodecError,
    },
}

impl StoreError {
    /// The message in `lang`, for both the CLI and the TUI: a held store, a refused change and a
    /// roles file that does not parse read in Chinese when `lang` is; the other errors keep
    /// their English text.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                Self::Locked {
                    path,
                    pid,
                    user,
                    since,
                },
                Lang::Zh,
            ) => format!(
                "库 {} 正被另一个 yibiao 使用（进程 {pid}，用户 {user}，{since} 打开）",
                path.display()
            ),
            (
                Self::Forbidden {
                    user,
                    role,
                    deed,
                    roles,
                },
                Lang::Zh,
            ) => format!(
                "用户 {user} 没有{}所需的 {role} 角色（{}）；请管理员在 roles.toml 的 `{role}` 中加入 {user}",
                deed.describe(Lang::Zh),
                roles.describe(Lang::Zh)
            ),
            (
                Self::Roles {
                    path,
                    line,
                    column,
                    message,
                },
                Lang::Zh,
            ) => format!(
                "角色文件 {}：{}；请按 README 的 Roles 一节修正它，或删除它",
                place(path, *line, *column),
                crate::i18n::serde_message(message, Lang::Zh)
            ),
            (Self::Invalid(problems), lang) => problems
                .iter()
                .map(|p| p.describe(lang))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => self.to_string(),
        }
    }
}

/// `FILE:LINE:COLUMN`, or `FILE` for the file as a whole (line 0).
fn place(path: &std::path::Path, line: usize, column: usize) -> String {
    if line == 0 {
        path.display().to_string()
    } else {
        format!("{}:{line}:{column}", path.display())
    }
}

/// `a, b, c and 2 more`: the names of some of `total` entries.
fn shown_names(names: &[String], total: usize) -> String {
    let shown: Vec<String> = names
        .iter()
        .map(|n| crate::display::inert(n).into_owned())
        .collect();
    let mut text = shown.join(", ");
    if total > names.len() {
        text.push_str(&format!(" and {} more", total - names.len()));
    }
    text
}

/// An OS error about one of the store's own paths, with what it means for the store and the next
/// step; other files get [`crate::io::files::file_hint`].
pub fn io_hint(e: &std::io::Error, path: &std::path::Path) -> String {
    use std::io::ErrorKind;
    let next = match e.kind() {
        ErrorKind::PermissionDenied => format!(
            "the store directory must belong to the user running yibiao, who must be able to write to it (mode 0700); check `ls -ld {}`",
            path.display()
        ),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            // sled shows this error in its Debug form; the kind says it all
            return "no space left on the device — the disk is full (or your quota is used up): free some space, then retry; what was saved before is intact".into();
        }
        ErrorKind::ReadOnlyFilesystem => format!(
            "{} is on a read-only file system: copy the store directory to a writable disk (`cp -a`) and open the copy",
            path.display()
        ),
        ErrorKind::NotFound => "not found: check the path (`--db DIR` or YIBIAO_DB)".into(),
        _ => return e.to_string(),
    };
    format!("{e} — {next}")
}

/// A sled error with what it means and the next step; never just sled's text.
pub fn sled_hint(e: &sled::Error, path: &std::path::Path) -> String {
    match e {
        sled::Error::Io(io) => io_hint(io, path),
        sled::Error::Corruption { .. } => format!(
            "the database files under {}/db are damaged: sled finds corrupted data in them and cannot open them, so `yibiao recover` cannot read them either; if the disk is full, free some space and retry first; otherwise keep this directory as it is and {}",
            path.display(),
            restore_step(path)
        ),
        other => format!(
            "{other} (check that the store is on a local disk, not NFS or SMB; `yibiao check` reports damage)"
        ),
    }
}

/// What sled reports, in words: its corruption text (`Read corrupted data at file offset None
/// backtrace ()`) means nothing to a user.
pub(super) fn sled_cause(e: &sled::Error) -> String {
    match e {
        sled::Error::Corruption { .. } => "sled finds corrupted data".into(),
        sled::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// The way back when the database files of the store in `dir` cannot be read: its newest
/// automatic backup, named when there is one, restored into a new store.
fn restore_step(dir: &std::path::Path) -> String {
    let backups = dir.join(super::layout::BACKUPS_DIR);
    match super::layout::auto_backups(&backups)
        .ok()
        .and_then(|mut all| all.pop())
    {
        Some(newest) => format!(
            "restore its newest automatic backup into a new store: `yibiao --db NEW_DIR restore {}`, or import an export or a backup of your own",
            newest.display()
        ),
        None => format!(
            "restore a backup into a new store: `yibiao --db NEW_DIR restore FILE` with the newest automatic backup (`{}/auto-*.json`, none found now) or a backup of your own, or import an export",
            backups.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_store_is_described_in_either_language() {
        let e = StoreError::Locked {
            path: PathBuf::from("/tmp/db"),
            pid: "17968".into(),
            user: "root".into(),
            since: "2024-05-01T08:00:00Z".into(),
        };
        assert_eq!(
            e.describe(Lang::En),
            "store /tmp/db is in use by another yibiao (pid 17968, user root, since 2024-05-01T08:00:00Z)"
        );
        assert_eq!(e.describe(Lang::En), e.to_string());
        assert_eq!(
            e.describe(Lang::Zh),
            "库 /tmp/db 正被另一个 yibiao 使用（进程 17968，用户 root，2024-05-01T08:00:00Z 打开）"
        );
    }

    fn corruption() -> sled::Error {
        sled::Error::Corruption {
            at: None,
            bt: Default::default(),
        }
    }

    #[test]
    fn damaged_database_files_point_to_the_newest_automatic_backup_not_to_recover() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hint = sled_hint(&corruption(), dir.path());
        assert!(
            !hint.contains("OUT.json"),
            "no loop back to recover: {hint}"
        );
        assert!(!hint.contains("backtrace"), "{hint}");
        assert!(hint.contains("none found now"), "{hint}");

        let backups = dir.path().join(super::super::layout::BACKUPS_DIR);
        std::fs::create_dir_all(&backups).expect("backups dir");
        for stamp in ["20260101T000000Z", "20260103T000000Z", "20260102T000000Z"] {
            std::fs::write(backups.join(format!("auto-{stamp}.json")), "").expect("write");
        }
        let hint = sled_hint(&corruption(), dir.path());
        let newest = backups.join("auto-20260103T000000Z.json");
        assert!(
            hint.contains(&format!(
                "`yibiao --db NEW_DIR restore {}`",
                newest.display()
            )),
            "{hint}"
        );
        assert_eq!(sled_cause(&corruption()), "sled finds corrupted data");
    }
}
