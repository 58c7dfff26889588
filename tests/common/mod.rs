//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

/// A `yibiao` command on the store in `db`, in English, with no config from the host.
pub fn yibiao(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yibiao"));
    cmd.arg("--db")
        .arg(db)
        .arg("--lang")
        .arg("en")
        .env_remove("YIBIAO_DB")
        .env("NO_COLOR", "1");
    cmd
}

/// As [`yibiao`], in Chinese.
pub fn yibiao_zh(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yibiao"));
    cmd.arg("--db")
        .arg(db)
        .args(["--lang", "zh"])
        .env_remove("YIBIAO_DB")
        .env("NO_COLOR", "1");
    cmd
}

/// Path of a committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs a command, returning (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("spawn yibiao");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs and asserts exit 0; returns stdout.
pub fn ok(cmd: &mut Command) -> String {
    let (code, stdout, stderr) = run(cmd);
    assert_eq!(
        code, 0,
        "expected success\nstdout: {stdout}\nstderr: {stderr}"
    );
    stdout
}

/// The store's export as text.
pub fn export(db: &Path) -> String {
    ok(yibiao(db).args(["export", "-"]))
}

/// sled opened directly on the store in `db` (to plant damage), retrying while the flusher
/// thread of a store dropped a moment ago in this process still holds sled's file lock.
pub fn raw_sled(db: &Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(raw) = sled::open(db.join("db")) {
            return raw;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("sled stayed locked");
}

/// Copies a store directory (its database and the files beside it) to `to`.
pub fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

/// `dir` and everything under it.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
