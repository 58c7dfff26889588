//! Locking and crash safety, with real processes.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{copy_store, export, ok, run, yibiao, yibiao_zh};
use serde_json::Value;

/// Waits for a child to exit, failing the test if it takes longer than `limit`.
fn wait_with_limit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn second_process_on_a_locked_store_exits_3_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    // an empty store: an import into a directory without one reads its input before it
    // creates the store
    let empty = tmp.path().join("empty.json");
    std::fs::write(&empty, r#"{"format": "yibiao/1"}"#).unwrap();
    let db = tmp.path().join("store");
    ok(yibiao(&db).arg("import").arg(&empty));
    // `import -` opens the existing store, then waits on standard input: it holds the lock
    let mut holder = yibiao(&db)
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock_file = db.as_path().join("yibiao.lock");
    let pid_line = format!("pid={}", holder.id());
    let start = Instant::now();
    while !std::fs::read_to_string(&lock_file).is_ok_and(|s| s.contains(&pid_line)) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // a second process's exit code and standard error
    let second = |mut command: std::process::Command| {
        let mut second = command
            .args(["stats"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_with_limit(&mut second, Duration::from_secs(10));
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
        (status.code(), stderr)
    };
    let (code, stderr) = second(yibiao(db.as_path()));
    assert_eq!(code, Some(3), "{stderr}");
    let expected = format!(
        "store {} is in use by another yibiao (pid {}, user ",
        db.as_path().display(),
        holder.id()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains(", since 20"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("sled"),
        "{stderr}"
    );
    // in Chinese when asked for (report #5), the same exit code
    let (code, stderr) = second(yibiao_zh(db.as_path()));
    assert_eq!(code, Some(3), "{stderr}");
    let expected = format!(
        "库 {} 正被另一个 yibiao 使用（进程 {}，用户 ",
        db.as_path().display(),
        holder.id()
    );
    assert!(stderr.contains(&expected), "{stderr}");

    // the holder gets an empty input, reports it and releases the store
    holder.stdin.take().unwrap().write_all(b"").unwrap();
    let status = wait_with_limit(&mut holder, Duration::from_secs(20));
    assert_eq!(status.code(), Some(2));
    ok(yibiao(db.as_path()).arg("stats"));
}

/// An import file adding `n` elements and a form that uses them, all tagged `k`.
fn batch_file(dir: &std::path::Path, k: usize, n: usize) -> std::path::PathBuf {
    let elements: Vec<Value> = (0..n)
        .map(|j| serde_json::json!({"code": format!("E{k:03}-{j:02}"), "name": format!("数据元{k}-{j}"), "kind": "text"}))
        .collect();
    let fields: Vec<Value> = (0..n)
        .map(|j| serde_json::json!({"key": format!("f{j}"), "label": format!("字段{j}"), "element": format!("E{k:03}-{j:02}")}))
        .collect();
    let doc = serde_json::json!({
        "format": "yibiao/1",
        "elements": elements,
        "forms": [{"code": format!("F{k:03}"), "name": format!("表{k}"), "sections": [{"title": "信息", "fields": fields}]}]
    });
    let path = dir.join(format!("batch{k}.json"));
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

/// Runs `import FILE`, sends SIGKILL after `delay` (harmless if it has exited by then) and
/// tells whether the import reported success.
fn import_killed_after(db: &std::path::Path, file: &std::path::Path, delay: Duration) -> bool {
    let mut child = yibiao(db)
        .arg("import")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    child.wait().unwrap().success()
}

fn kill_imports_at_random(cycles: usize, seed: u64) {
    let db = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    // calibrate: kill somewhere within twice the time an uninterrupted import takes here
    let start = Instant::now();
    ok(yibiao(db.path())
        .arg("import")
        .arg(batch_file(files.path(), cycles, 20)));
    let mut window = (start.elapsed() * 2).as_micros() as u64;
    let mut acknowledged = BTreeSet::new();
    for k in 0..cycles {
        let file = batch_file(files.path(), k, 20);
        let delay = Duration::from_micros(rng.u64(0..window));
        if import_killed_after(db.path(), &file, delay) {
            acknowledged.insert(k);
        } else {
            // a busy machine slows imports down: widen the window so that some still finish
            window += window / 8;
        }
    }
    let doc: Value = serde_json::from_str(&export(db.path())).unwrap();
    let codes: BTreeSet<String> = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect();
    let forms: BTreeSet<String> = doc["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    for k in 0..cycles {
        let present = (0..20)
            .filter(|j| codes.contains(&format!("E{k:03}-{j:02}")))
            .count();
        let form = forms.contains(&format!("F{k:03}"));
        if acknowledged.contains(&k) {
            assert!(
                present == 20 && form,
                "acknowledged import {k} lost records"
            );
        } else {
            assert!(
                (present == 20 && form) || (present == 0 && !form),
                "import {k} half-applied: {present} of 20 elements, form {form}"
            );
        }
    }
    eprintln!("{} of {cycles} imports acknowledged", acknowledged.len());
    // the search index the cache files give (search.idx, or the one set aside with the rows
    // written since) is the search tree's: a kill never left one that looks current but is not
    let search = |db: &std::path::Path| {
        ok(yibiao(db).args(["element", "search", "数据元", "--limit", "5000", "--json"]))
    };
    let cached = search(db.path());
    let fresh = tempfile::tempdir().unwrap();
    copy_store(db.path(), fresh.path());
    for name in ["search.idx", "search.base", "search.add"] {
        let _ = std::fs::remove_file(fresh.path().join(name));
    }
    assert_eq!(cached, search(fresh.path()), "the cached index differs");
    let (code, stdout, stderr) = run(yibiao(db.path()).arg("check"));
    assert_eq!(code, 0, "check failed after kills:\n{stdout}{stderr}");
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < cycles,
        "the kill timing should both interrupt and spare some imports ({} of {cycles} acknowledged)",
        acknowledged.len()
    );
}

#[test]
fn acknowledged_imports_survive_kill_9() {
    kill_imports_at_random(30, 7);
}

/// The long version (`cargo test --release -- --ignored`).
#[test]
#[ignore]
fn acknowledged_imports_survive_kill_9_long() {
    kill_imports_at_random(200, 11);
}

/// An import bigger than one transaction (the store writes 4096 records per transaction),
/// killed at random moments: each time the store holds all of it or none of it.
#[test]
fn a_big_import_killed_midway_is_all_or_nothing() {
    let files = tempfile::tempdir().unwrap();
    let n = 6000;
    let elements: Vec<Value> = (0..n)
        .map(|j| serde_json::json!({"code": format!("E{j:05}"), "name": format!("数据元{j}"), "kind": "text"}))
        .collect();
    let fields = serde_json::json!([{"key": "a", "label": "甲", "element": "E00000"},
        {"key": "b", "label": "乙", "element": format!("E{:05}", n - 1)}]);
    let doc = serde_json::json!({"format": "yibiao/1", "elements": elements,
        "forms": [{"code": "F1", "name": "表", "sections": [{"title": "信息", "fields": fields}]}]});
    let file = files.path().join("big.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let counts = |db: &std::path::Path| {
        let stats: Value = serde_json::from_str(&ok(yibiao(db).args(["stats", "--json"]))).unwrap();
        (
            stats["elements"].as_u64().unwrap(),
            stats["forms"].as_u64().unwrap(),
        )
    };

    let timing = tempfile::tempdir().unwrap();
    let start = Instant::now();
    ok(yibiao(timing.path()).arg("import").arg(&file));
    let window = (start.elapsed() * 3 / 2).as_micros() as u64;
    let mut rng = fastrand::Rng::with_seed(5);
    let (mut none, mut all) = (0, 0);
    for _ in 0..8 {
        let db = tempfile::tempdir().unwrap();
        let delay = Duration::from_micros(rng.u64(window / 4..window));
        let acknowledged = import_killed_after(db.path(), &file, delay);
        match counts(db.path()) {
            (0, 0) => {
                assert!(!acknowledged, "an acknowledged import was lost");
                none += 1;
            }
            (e, 1) if e == n => all += 1,
            (e, f) => panic!("half an import after kill: {e} of {n} elements, {f} forms"),
        }
        let (code, stdout, stderr) = run(yibiao(db.path()).arg("check"));
        assert_eq!(code, 0, "check failed after a kill:\n{stdout}{stderr}");
    }
    eprintln!("{none} imports left nothing, {all} were whole");
}

/// A merge of an element bound in more forms than one transaction takes (4,200: written a
/// chunk at a time through the journal, without the catalog), killed at random moments:
/// each time the store holds all of it or none of it, and what its caches say is its state.
#[test]
fn a_merge_in_chunks_killed_midway_is_all_or_nothing() {
    let template = tempfile::tempdir().unwrap();
    let n = 4200;
    duplicate_store(template.path(), n, false);
    // the caches the merge without the catalog reads
    ok(yibiao(template.path()).args(["element", "uses", "DE_B"]));
    let merge = ["element", "merge", "DE_B", "--into", "DE_A"];
    let timing = tempfile::tempdir().unwrap();
    copy_store(template.path(), timing.path());
    let start = Instant::now();
    let said = ok(yibiao(timing.path()).args(merge));
    let window = (start.elapsed() * 3 / 2).as_micros() as u64;
    let state = |db: &std::path::Path| {
        let doc: Value = serde_json::from_str(&export(db)).unwrap();
        let has_b = (doc["elements"].as_array().unwrap().iter()).any(|e| e["code"] == "DE_B");
        let on_b = (doc["forms"].as_array().unwrap().iter())
            .filter(|f| f["sections"][0]["fields"][0]["element"] == "DE_B")
            .count();
        (has_b, on_b)
    };
    assert_eq!(state(timing.path()), (false, 0), "{said}");
    let mut rng = fastrand::Rng::with_seed(9);
    let (mut before, mut after) = (0, 0);
    for _ in 0..6 {
        let db = tempfile::tempdir().unwrap();
        copy_store(template.path(), db.path());
        let mut child = yibiao(db.path())
            .args(merge)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.u64(window / 8..window)));
        let _ = child.kill();
        let acknowledged = child.wait().unwrap().success();
        let (has_b, on_b) = state(db.path());
        match (has_b, on_b) {
            (true, on_b) if on_b == n => {
                assert!(!acknowledged, "an acknowledged merge was lost");
                before += 1;
            }
            (false, 0) => after += 1,
            state => panic!(
                "half a merge after kill: DE_B present {}, {} forms bind it",
                state.0, state.1
            ),
        }
        assert_eq!(run(yibiao(db.path()).arg("check")).0, 0);
        let uses = ok(yibiao(db.path()).args(["element", "uses", "DE_A", "--json"]));
        let bound = uses.matches("\"label\":").count();
        assert_eq!(bound, if has_b { 0 } else { n }, "{uses}");
    }
    eprintln!("{before} stores before the merge in chunks, {after} after");
}

/// Imports into `db` two elements, DE_A 姓名 and its duplicate DE_B, and `forms` forms
/// each with a field bound to DE_B (after one bound to DE_A when `bind_a`).
fn duplicate_store(db: &std::path::Path, forms: usize, bind_a: bool) {
    let files = tempfile::tempdir().unwrap();
    let a = serde_json::json!({"key": "a", "label": "姓名", "element": "DE_A"});
    let b = serde_json::json!({"key": "b", "label": "申请人姓名", "element": "DE_B"});
    let fields = if bind_a { vec![a, b] } else { vec![b] };
    let forms: Vec<Value> = (0..forms)
        .map(|k| {
            serde_json::json!({"code": format!("F{k:04}"), "name": format!("申请表{k}"),
            "sections": [{"title": "申请人", "fields": fields}]})
        })
        .collect();
    let doc = serde_json::json!({"format": "yibiao/1", "elements": [
        {"code": "DE_A", "name": "姓名", "kind": "text"}, {"code": "DE_B", "name": "姓名 ", "kind": "text"}], "forms": forms});
    let file = files.path().join("dup.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    ok(yibiao(db).arg("import").arg(&file));
}

/// A merge of DE_B, bound in 300 forms, into DE_A, killed at random moments: each time the
/// store holds all of it or none of it.
#[test]
fn a_duplicate_merge_killed_midway_is_all_or_nothing() {
    let template = tempfile::tempdir().unwrap();
    duplicate_store(template.path(), 300, true);

    let mut rng = fastrand::Rng::with_seed(3);
    let timing = tempfile::tempdir().unwrap();
    copy_store(template.path(), timing.path());
    let start = Instant::now();
    ok(yibiao(timing.path()).args(["element", "merge", "DE_B", "--into", "DE_A"]));
    let window = (start.elapsed() * 2).as_micros() as u64;
    let (mut before, mut after) = (0, 0);
    for _ in 0..12 {
        let db = tempfile::tempdir().unwrap();
        copy_store(template.path(), db.path());
        let mut child = yibiao(db.path())
            .args(["element", "merge", "DE_B", "--into", "DE_A"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.u64(0..window)));
        let _ = child.kill();
        let acknowledged = child.wait().unwrap().success();
        let doc: Value = serde_json::from_str(&export(db.path())).unwrap();
        let has_b = doc["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "DE_B");
        let on_b = doc["forms"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["sections"][0]["fields"][1]["element"] == "DE_B")
            .count();
        let synonyms = doc["elements"][0]["synonyms"]
            .as_array()
            .map_or(0, Vec::len);
        match (has_b, on_b, synonyms) {
            (true, 300, 0) => {
                assert!(!acknowledged, "an acknowledged merge was lost");
                before += 1;
            }
            (false, 0, 2) => after += 1,
            state => panic!(
                "mixed state after kill: DE_B present {}, {} fields on DE_B, {} synonyms",
                state.0, state.1, state.2
            ),
        }
        assert_eq!(run(yibiao(db.path()).arg("check")).0, 0);
        // the merge is written over the records near it, its caches carried through: what
        // is read from them (the uses from `links.idx`, the search from `search.idx`, each
        // or the store when the kill left it out) is the store's state
        let uses = ok(yibiao(db.path()).args(["element", "uses", "DE_A", "--json"]));
        let bound = uses.matches("\"label\":").count();
        assert_eq!(bound, if has_b { 300 } else { 600 }, "{uses}");
        let hits = ok(yibiao(db.path()).args(["element", "search", "DE_B", "--json"]));
        assert_eq!(hits.contains("\"code\": \"DE_B\""), has_b, "{hits}");
    }
    eprintln!("{before} stores before the merge, {after} after");
}
