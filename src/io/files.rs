//! Private files: everything yibiao writes from a store (exports, backups, drafts) is created
//! with mode 0600 and replaced atomically, and config files others can write are reported.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Mode of files yibiao creates: read and write for the owner only.
pub const FILE_MODE: u32 = 0o600;

/// Writes `bytes` to `path` atomically: a temporary file beside it (mode 0600), fsync, rename,
/// fsync of the directory. A crash leaves either the old file or the new one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_private_with(path, |f| f.write_all(bytes))
}

/// As [`write_private`], the contents written by `write` as they are made (through a buffer),
/// so that a large file is never held in memory whole.
pub fn write_private_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    stage_private_with(path, write)?.commit()
}

/// A file written whole under a temporary name beside its path (mode 0600, synced), put in
/// place by [`Staged::commit`]; dropped uncommitted, it is removed. An export of several
/// files stages them all before it puts any in place, so a failure leaves none.
#[must_use = "a staged file is removed unless committed"]
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

/// Writes the contents `write` makes to a temporary file beside `path` (see [`Staged`]).
pub fn stage_private_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staged = Staged {
        tmp: path.with_file_name(format!(".{name}.tmp-{}", std::process::id())),
        path: path.to_path_buf(),
        committed: false,
    };
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(&staged.tmp)?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut f);
    write(&mut buffered)?;
    buffered.flush()?;
    drop(buffered);
    f.sync_all()?;
    Ok(staged)
}

impl Staged {
    /// Puts the file in place (rename, then a sync of its directory).
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // a directory fsync makes the rename durable; some filesystems refuse it, harmlessly
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// An OS error about a file that is not part of the store (an export, an import, a backup
/// file, a config file) with the next step about that file and its directory; the store's
/// own paths get [`crate::store::io_hint`], which talks about the store directory instead.
pub fn file_hint(e: &std::io::Error, path: &Path, lang: crate::i18n::Lang) -> String {
    use std::io::ErrorKind;
    let shown = |p: &Path| crate::display::inert(&p.display().to_string()).into_owned();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (file, parent) = (shown(path), shown(dir));
    let next = match e.kind() {
        ErrorKind::NotFound if !dir.is_dir() => lang.pick(
            format!("目录 {parent} 不存在：先创建它，或换一个路径"),
            format!("the directory {parent} does not exist: create it or pick another path"),
        ),
        ErrorKind::NotFound => lang.pick(
            format!("没有文件 {file}：请检查文件名"),
            format!("there is no file {file}: check the name"),
        ),
        ErrorKind::PermissionDenied => lang.pick(
            format!(
                "当前用户不能读写 {file}，或不能写入目录 {parent}：用 `ls -ld {parent}` 查看属主与权限，或换一个路径"
            ),
            format!(
                "the user running yibiao may not use {file} or may not write to its directory {parent}: check their owner and mode (`ls -ld {parent}`), or pick another path"
            ),
        ),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => lang.pick(
            "磁盘已满（或配额已用完）：腾出空间后重试".to_string(),
            "no space left on the device (or your quota is used up): free some space, then retry"
                .to_string(),
        ),
        ErrorKind::ReadOnlyFilesystem => lang.pick(
            format!("{parent} 在只读文件系统上：换一个可写磁盘上的路径"),
            format!("{parent} is on a read-only file system: pick a path on a writable disk"),
        ),
        ErrorKind::IsADirectory => lang.pick(
            format!("{file} 是目录：请给出文件名"),
            format!("{file} is a directory: give a file name"),
        ),
        ErrorKind::NotADirectory => lang.pick(
            format!("{parent} 中有一段是文件而不是目录：换一个路径"),
            format!("part of {parent} is a file, not a directory: pick another path"),
        ),
        _ => return e.to_string(),
    };
    format!("{e} — {next}")
}

/// The files among `paths` that exist and that the group or others may write, each with a
/// warning naming the fix.
pub fn writable_by_others(paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    paths
        .iter()
        .filter_map(|p| {
            let mode = std::fs::metadata(p).ok()?.mode();
            (mode & 0o022 != 0).then(|| {
                let message = format!(
                    "writable by {} (mode {:o}): whoever can change it can change what yibiao allows; run `chmod go-w {}`",
                    if mode & 0o002 != 0 { "everyone" } else { "its group" },
                    mode & 0o777,
                    p.display()
                );
                (p.clone(), message)
            })
        })
        .collect()
}

/// The config files yibiao reads from `dir` (settings, keymap, theme, roles).
pub fn config_files(dir: &Path) -> Vec<PathBuf> {
    ["config.toml", "keymap.toml", "theme.toml", "roles.toml"]
        .into_iter()
        .map(|f| dir.join(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_about_other_files_name_the_file_and_its_directory_not_the_store() {
        use crate::i18n::Lang;
        use std::io::{Error, ErrorKind};
        let dir = tempfile::tempdir().expect("temp dir");
        let missing_dir = dir.path().join("nodir/a.json");
        let hint = file_hint(&Error::from(ErrorKind::NotFound), &missing_dir, Lang::En);
        assert!(
            hint.contains(&format!(
                "the directory {} does not exist",
                dir.path().join("nodir").display()
            )),
            "{hint}"
        );
        let zh = file_hint(&Error::from(ErrorKind::NotFound), &missing_dir, Lang::Zh);
        assert!(zh.contains("不存在"), "{zh}");
        let missing_file = dir.path().join("in.json");
        let hint = file_hint(&Error::from(ErrorKind::NotFound), &missing_file, Lang::En);
        assert!(hint.contains("there is no file"), "{hint}");
        let hint = file_hint(
            &Error::from(ErrorKind::PermissionDenied),
            &missing_file,
            Lang::En,
        );
        assert!(
            hint.contains(&format!("`ls -ld {}`", dir.path().display())),
            "{hint}"
        );
        for kind in [ErrorKind::NotFound, ErrorKind::PermissionDenied] {
            let hint = file_hint(&Error::from(kind), &missing_dir, Lang::En);
            assert!(
                !hint.contains("--db") && !hint.contains("store directory"),
                "{hint}"
            );
        }
    }

    #[test]
    fn files_are_created_0600_and_replaced_atomically() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.json");
        write_private(&path, b"one").expect("write");
        write_private(&path, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let mode = std::fs::metadata(&path).expect("stat").mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn group_or_world_writable_files_are_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = dir.path().join("ok.toml");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&ok, "").expect("write");
        std::fs::write(&bad, "").expect("write");
        std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let missing = dir.path().join("missing.toml");
        let warnings = writable_by_others(&[ok, bad.clone(), missing]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].0, bad);
        assert!(warnings[0].1.contains("everyone") && warnings[0].1.contains("chmod go-w"));
    }
}
