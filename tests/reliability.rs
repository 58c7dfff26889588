//! Backups, restore, salvage of a damaged store, roles, audit digests and file modes, with
//! the real binary.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::{export, fixture, ok, run, yibiao};
use serde_json::Value;
use yibiao::store::{SledStore, Store};

/// A `yibiao` command whose config directory is `config/yibiao` under `home`.
fn with_config(db: &Path, home: &Path) -> std::process::Command {
    let mut cmd = yibiao(db);
    cmd.env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home);
    cmd
}

fn write_roles(home: &Path, text: &str) {
    let dir = home.join("config/yibiao");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("roles.toml"), text).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o777
}

#[test]
fn backup_restore_export_is_byte_identical_and_a_damaged_backup_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ok(yibiao(&a).arg("import").arg(fixture("small.json")));
    let file = tmp.path().join("backup.json");
    ok(yibiao(&a).arg("backup").arg(&file));
    assert_eq!(mode(&file), 0o600);
    ok(yibiao(&b).arg("restore").arg(&file));
    assert_eq!(export(&a), export(&b));

    // a payload that does not match the header's digest
    let text = std::fs::read_to_string(&file).unwrap();
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(&tampered, text.replacen("姓名", "名字", 1)).unwrap();
    let c = tmp.path().join("c");
    let (code, _, stderr) = run(yibiao(&c).arg("restore").arg(&tampered));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the backup is damaged"), "{stderr}");
    assert!(!c.exists(), "a refused restore leaves no store directory");
    // a file that is not a backup, and one that does not exist: no directory either
    let missing = tmp.path().join("missing.json");
    for bad in [fixture("small.json"), missing] {
        let (code, _, stderr) = run(yibiao(&c).arg("restore").arg(&bad));
        assert_eq!(code, 2, "{stderr}");
        assert!(!c.exists(), "{}: {stderr}", bad.display());
    }
}

#[test]
fn restore_into_a_store_with_records_needs_force_and_confirmation() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ok(yibiao(&a).arg("import").arg(fixture("small.json")));
    let file = tmp.path().join("backup.json");
    ok(yibiao(&a).arg("backup").arg(&file));
    ok(yibiao(&b).args(["sample"]));
    // a refused change: exit 1, as the README's exit codes say
    let (code, _, stderr) = run(yibiao(&b).arg("restore").arg(&file));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("is not empty") && stderr.contains("--force"),
        "{stderr}"
    );
    let (code, _, stderr) = run(common::yibiao_zh(&b).arg("restore").arg(&file));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("不是空的") && stderr.contains("--force"),
        "{stderr}"
    );
    // without a terminal to ask on, `--force` needs `--yes`: a usage error
    let (code, _, stderr) = run(yibiao(&b)
        .args(["restore", "--force"])
        .arg(&file)
        .stdin(std::process::Stdio::null()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    ok(yibiao(&b).args(["restore", "--force", "--yes"]).arg(&file));
    assert_eq!(export(&a), export(&b));
    ok(yibiao(&b).arg("check"));
}

#[test]
fn recover_saves_every_readable_record_of_a_damaged_store() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    // damage a record nothing refers to, so the rest imports on its own
    let victim = {
        let store = SledStore::open(&db).unwrap();
        let catalog = store.catalog();
        catalog
            .elements
            .keys()
            .find(|code| {
                catalog
                    .referrers(yibiao::model::Kind::Element, code)
                    .next()
                    .is_none()
            })
            .expect("an unused element")
            .clone()
    };
    {
        let sled_db = common::raw_sled(&db);
        let records = sled_db.open_tree("records").unwrap();
        let key = format!("E{victim}");
        let mut value = records.get(&key).unwrap().unwrap().to_vec();
        value.truncate(value.len() / 2);
        records.insert(key.as_bytes(), value).unwrap();
        sled_db.flush().unwrap();
    }
    let (code, _, stderr) = run(yibiao(&db).arg("check"));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!("stored element {victim} is damaged"))
            && stderr.contains("yibiao recover"),
        "{stderr}"
    );

    let out = tmp.path().join("recovered.json");
    let (code, _, stderr) = run(yibiao(&db).arg("recover").arg(&db).arg(&out));
    assert_eq!(code, 1, "something was lost: {stderr}");
    assert!(
        stderr.contains(&format!("lost: element {victim}")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(mode(&out), 0o600);

    let fresh = tmp.path().join("fresh");
    ok(yibiao(&fresh).arg("import").arg(&out));
    ok(yibiao(&fresh).arg("check"));
    let mut expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("small.json")).unwrap()).unwrap();
    let elements = expected["elements"].as_array_mut().unwrap();
    elements.retain(|e| e["code"] != victim.as_str());
    let got: serde_json::Value = serde_json::from_str(&export(&fresh)).unwrap();
    let codes = |v: &serde_json::Value, kind: &str| -> Vec<String> {
        let mut c: Vec<String> = v[kind]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["code"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        c.sort();
        c
    };
    for kind in [
        "regions",
        "agencies",
        "elements",
        "items",
        "materials",
        "forms",
        "bundles",
    ] {
        assert_eq!(codes(&got, kind), codes(&expected, kind), "{kind}");
    }
}

#[test]
fn damaged_database_files_point_to_the_newest_backup_not_back_to_recover() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    // opening the store again writes sled's snapshot, which then refers to the damaged bytes
    ok(yibiao(&db).arg("check"));
    let backup = db.join("backups/auto-20260101T000000Z.json");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    ok(yibiao(&db).arg("backup").arg(&backup));
    {
        let file = db.join("db/db");
        let mut bytes = std::fs::read(&file).unwrap();
        for b in &mut bytes[2000..2008] {
            *b ^= 0x55;
        }
        std::fs::write(&file, bytes).unwrap();
    }
    let restore = format!("`yibiao --db NEW_DIR restore {}`", backup.display());
    let (code, _, stderr) = run(yibiao(&db).arg("check"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("are damaged") && stderr.contains(&restore),
        "{stderr}"
    );
    assert!(
        !stderr.contains("OUT.json"),
        "recover cannot help: {stderr}"
    );

    let out = tmp.path().join("recovered.json");
    let (code, _, stderr) = run(yibiao(&db).arg("recover").arg(&db).arg(&out));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`yibiao recover` cannot read them either") && stderr.contains(&restore),
        "{stderr}"
    );
    assert!(
        !stderr.contains("OUT.json") && !stderr.contains("backtrace"),
        "no loop back to recover, no raw sled text: {stderr}"
    );
    assert!(!out.exists());

    // the step the message names works
    let fresh = tmp.path().join("fresh");
    ok(yibiao(&fresh).arg("restore").arg(&backup));
    let original = tmp.path().join("original");
    ok(yibiao(&original).arg("import").arg(fixture("small.json")));
    assert_eq!(export(&fresh), export(&original));
}

#[test]
fn changes_sled_drops_after_damaged_bytes_are_reported_not_silently_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    ok(yibiao(&db).arg("check"));
    let file = db.join("db/db");
    let before = std::fs::read(&file).unwrap();
    // a second import: its records are written to the log after what `before` holds
    let more = tmp.path().join("more.json");
    let elements: Vec<Value> = (0..40)
        .map(|j| serde_json::json!({"code": format!("X{j:03}"), "name": format!("新数据元{j}"), "kind": "text"}))
        .collect();
    std::fs::write(
        &more,
        serde_json::json!({"format": "yibiao/1", "elements": elements}).to_string(),
    )
    .unwrap();
    ok(yibiao(&db).arg("import").arg(&more));
    let mut after = std::fs::read(&file).unwrap();
    let changed: Vec<usize> = (0..after.len())
        .filter(|&i| before.get(i) != Some(&after[i]))
        .collect();
    // damage the middle of what the second import wrote
    let at = changed[changed.len() / 2];
    for b in &mut after[at..at + 8] {
        *b ^= 0x55;
    }
    std::fs::write(&file, after).unwrap();

    let (code, _, stderr) = run(yibiao(&db).arg("stats"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("has lost changes"), "{stderr}");
    assert!(stderr.contains("recover"), "{stderr}");
    // what is left can be saved, and kept by removing the watermark
    let out = tmp.path().join("left.json");
    ok(yibiao(&db).arg("recover").arg(&db).arg(&out));
    std::fs::remove_file(db.join("watermark")).unwrap();
    let stats: Value = serde_json::from_str(&ok(yibiao(&db).args(["stats", "--json"]))).unwrap();
    assert!(stats["elements"].as_u64().unwrap() < 10 + 40, "{stats}");
    ok(yibiao(&db).arg("check"));
}

#[test]
fn recover_on_a_directory_without_a_store_names_the_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(yibiao(tmp.path())
        .arg("recover")
        .arg(tmp.path().join("nothing"))
        .arg(tmp.path().join("out.json")));
    assert_eq!(code, 1);
    assert!(stderr.contains("no yibiao store here"), "{stderr}");
    assert!(
        !tmp.path().join("nothing").exists(),
        "recover must not create a store"
    );
}

/// An interchange file with one element in `status`.
fn element_file(dir: &Path, status: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{status}.json"));
    let doc = serde_json::json!({
        "format": "yibiao/1",
        "elements": [{"code": "DE7001", "name": "测试", "kind": "text", "status": status}],
    });
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

#[test]
fn publishing_needs_the_reviewer_role_and_the_refusal_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, home) = (tmp.path().join("db"), tmp.path().join("home"));
    let me = yibiao::store::audit::os_user();
    write_roles(
        &home,
        "[roles]\nreviewer = [\"somebody-else\"]\nadmin = [\"@no-such-group\"]\n",
    );
    // everyone is an editor without an editor list: a draft imports
    ok(with_config(&db, &home)
        .arg("import")
        .arg(element_file(tmp.path(), "draft")));
    let published = element_file(tmp.path(), "published");
    let (code, _, stderr) = run(with_config(&db, &home).arg("import").arg(&published));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "user {me} does not have the reviewer role needed to publish element DE7001"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("roles.toml"), "{stderr}");
    assert!(export(&db).contains("\"draft\""), "nothing was written");

    // an editor list without us: no change at all
    write_roles(&home, "[roles]\neditor = [\"somebody-else\"]\n");
    let submitted = element_file(tmp.path(), "submitted");
    let (code, _, stderr) = run(with_config(&db, &home).arg("import").arg(&submitted));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the editor role needed to change element DE7001"),
        "{stderr}"
    );
    // in Chinese with `--lang zh`, its advice included
    let mut zh = common::yibiao_zh(&db);
    zh.env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", &home);
    let (code, _, stderr) = run(zh.arg("import").arg(&submitted));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("没有修改数据元 DE7001所需的 editor 角色")
            && stderr.contains("请管理员在 roles.toml 的 `editor` 中加入"),
        "{stderr}"
    );

    // every command that writes says it in Chinese, not only import (a tester's report)
    let other = tmp.path().join("other");
    ok(yibiao(&other).arg("import").arg(fixture("small.json")));
    let backup = tmp.path().join("backup.json");
    ok(yibiao(&other).arg("backup").arg(&backup));
    let zh = |args: &[&str]| {
        let mut cmd = common::yibiao_zh(&db);
        cmd.env("XDG_CONFIG_HOME", home.join("config"))
            .env("HOME", &home)
            .args(args);
        run(&mut cmd)
    };
    let backup = backup.to_str().expect("a UTF-8 path");
    for args in [&["sample"][..], &["restore", "--force", "--yes", backup]] {
        let (code, _, stderr) = zh(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("所需的")
                && stderr.contains("请管理员在 roles.toml")
                && !stderr.contains("does not have"),
            "{args:?}: {stderr}"
        );
    }

    // a group we are in grants it
    let group = nix::unistd::Group::from_gid(nix::unistd::getgid())
        .unwrap()
        .unwrap()
        .name;
    write_roles(&home, &format!("[roles]\nreviewer = [\"@{group}\"]\n"));
    ok(with_config(&db, &home).arg("import").arg(&published));

    // a roles file with a typo is an error, not a silent grant
    write_roles(&home, "[roles]\nreveiwer = [\"x\"]\n");
    let (code, _, stderr) = run(with_config(&db, &home).arg("stats"));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("roles file") && stderr.contains("reveiwer"),
        "{stderr}"
    );
}

#[test]
fn without_a_roles_file_the_store_owner_is_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, home) = (tmp.path().join("db"), tmp.path().join("home"));
    ok(with_config(&db, &home)
        .arg("import")
        .arg(element_file(tmp.path(), "draft")));
    ok(with_config(&db, &home)
        .arg("import")
        .arg(element_file(tmp.path(), "published")));
}

#[test]
fn a_roles_file_that_configures_no_roles_counts_as_none_and_errors_give_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, home) = (tmp.path().join("db"), tmp.path().join("home"));
    // an empty file, only comments, an empty [roles]: the owner is admin, as without a file
    for (i, text) in ["", "# filled in later\n", "[roles]\n"]
        .into_iter()
        .enumerate()
    {
        write_roles(&home, text);
        let draft = element_file(tmp.path(), "draft");
        ok(with_config(&db, &home).arg("import").arg(&draft));
        let published = element_file(tmp.path(), "published");
        let (code, _, stderr) = run(with_config(&db, &home).arg("import").arg(&published));
        assert_eq!(code, 0, "{i}: {text:?}: {stderr}");
    }
    // a roles file that does not parse: file:line:column, in either language
    write_roles(&home, "[roles]\nadmin = [\"li\"]\nreveiwer = [\"x\"]\n");
    let roles = home.join("config/yibiao/roles.toml");
    let (code, _, stderr) = run(with_config(&db, &home).arg("stats"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "roles file {}:3:1: unknown field `reveiwer`",
            roles.display()
        )),
        "{stderr}"
    );
    let mut zh = common::yibiao_zh(&db);
    zh.env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", &home);
    let (code, _, stderr) = run(zh.arg("stats"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "角色文件 {}:3:1：未知字段 reveiwer",
            roles.display()
        )),
        "{stderr}"
    );
}

#[test]
fn the_log_shows_digests_before_and_after() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db)
        .arg("import")
        .arg(element_file(tmp.path(), "draft")));
    ok(yibiao(&db)
        .arg("import")
        .arg(element_file(tmp.path(), "submitted")));
    let log: serde_json::Value =
        serde_json::from_str(&ok(yibiao(&db).args(["log", "DE7001", "--json"]))).unwrap();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["before"], serde_json::Value::Null);
    let created = entries[0]["after"].as_str().unwrap();
    assert_eq!(created.len(), 16);
    assert_eq!(entries[1]["before"].as_str(), Some(created));
    assert_ne!(entries[1]["after"].as_str(), Some(created));
    let text = ok(yibiao(&db).args(["log", "DE7001"]));
    assert!(text.contains(&format!("- → {created}")), "{text}");
    assert!(text.contains(&format!("{created} → ")), "{text}");
}

#[test]
fn store_files_are_private_and_writable_config_files_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, home) = (tmp.path().join("db"), tmp.path().join("home"));
    ok(with_config(&db, &home).arg("sample"));
    assert_eq!(mode(&db), 0o700);
    assert_eq!(mode(&db.join("yibiao.lock")), 0o600);
    assert_eq!(mode(&db.join("db")), 0o700);
    let out = tmp.path().join("export.json");
    ok(with_config(&db, &home).arg("export").arg(&out));
    assert_eq!(mode(&out), 0o600);

    write_roles(&home, "[roles]\n");
    let roles = home.join("config/yibiao/roles.toml");
    std::fs::set_permissions(&roles, std::fs::Permissions::from_mode(0o664)).unwrap();
    let (code, _, stderr) = run(with_config(&db, &home).arg("stats"));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("roles.toml: writable by its group") && stderr.contains("chmod go-w"),
        "{stderr}"
    );
}

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// `None` (the test is skipped) when mounting is not allowed here.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(Tmpfs(dir))
    }

    fn remount(&self, options: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.0.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
#[ignore = "mounts a tmpfs (needs root): cargo test --test reliability -- --ignored"]
fn a_full_disk_and_a_read_only_file_system_get_a_cause_and_a_next_step() {
    let Some(fs) = Tmpfs::mount("600k") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)");
        return;
    };
    let db = fs.0.path().join("store");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    let (code, _, stderr) = run(yibiao(&db).arg("sample"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no space left on the device") && stderr.contains("free some space"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // with space again, everything acknowledged before is there
    fs.remount("size=20m");
    assert!(ok(yibiao(&db).arg("check")).contains("27 records"));

    fs.remount("ro");
    let (code, _, stderr) = run(yibiao(&db).arg("stats"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("read-only file system"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_number_of_automatic_backups_comes_from_config_toml() {
    use yibiao::tui::config::{ConfigFlags, load};
    let dir = tempfile::tempdir().unwrap();
    let flags = ConfigFlags::default();
    assert_eq!(load(Some(dir.path()), &flags, false).auto_backups, 10);
    std::fs::write(dir.path().join("config.toml"), "auto_backups = 3\n").unwrap();
    assert_eq!(load(Some(dir.path()), &flags, false).auto_backups, 3);
    std::fs::write(dir.path().join("config.toml"), "auto_backups = -1\n").unwrap();
    let config = load(Some(dir.path()), &flags, false);
    assert_eq!(config.auto_backups, 10);
    assert!(
        config.problems[0].message.contains("auto_backups"),
        "{:?}",
        config.problems
    );
}
