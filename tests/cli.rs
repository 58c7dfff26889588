//! The command line, end to end on real stores.

mod common;

use common::{export, fixture, ok, run, yibiao, yibiao_zh};
use serde_json::Value;

#[test]
fn export_import_export_is_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    ok(yibiao(a.path()).arg("import").arg(fixture("small.json")));
    let first = export(a.path());
    let file = a.path().join("export.json");
    std::fs::write(&file, &first).unwrap();
    ok(yibiao(b.path()).arg("import").arg(&file));
    assert_eq!(export(b.path()), first);
    // the export holds every record of the fixture
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["format"], "yibiao/1");
    assert_eq!(doc["elements"].as_array().unwrap().len(), 10);
    assert_eq!(
        doc["forms"][0]["sections"][0]["fields"][0]["element"],
        "DE0001"
    );
}

#[test]
fn reimport_writes_no_audit_record() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let log = |db| ok(yibiao(db).args(["log", "--json"]));
    let before: Vec<Value> = serde_json::from_str(&log(db.path())).unwrap();
    assert_eq!(before.len(), 27, "one audit record per created record");
    let (code, _, stderr) = run(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("0 created, 0 updated, 27 unchanged"),
        "{stderr}"
    );
    let after: Vec<Value> = serde_json::from_str(&log(db.path())).unwrap();
    assert_eq!(after, before);
    // each entry names time, user, action, kind, code
    let first = &before[0];
    assert_eq!(first["action"], "import");
    assert_eq!(first["op"], "create");
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert!(!first["user"].as_str().unwrap().is_empty());
}

/// `log` prints the audit log as it reads it: the text (its action column as wide as the
/// longest action) and the JSON list have an entry each, an empty log is an empty list, and
/// an entry that cannot be read stops it with exit 1, naming the entry.
#[test]
fn log_prints_each_entry_of_the_audit_log() {
    let (db, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let empty = files.path().join("empty.json");
    std::fs::write(&empty, r#"{"format":"yibiao/1"}"#).unwrap();
    ok(yibiao(db.path()).arg("import").arg(&empty));
    assert_eq!(ok(yibiao(db.path()).args(["log", "--json"])), "[]\n");
    assert_eq!(ok(yibiao(db.path()).arg("log")), "");
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    ok(yibiao(db.path()).args(["bundle", "list"]));
    let json: Vec<Value> =
        serde_json::from_str(&ok(yibiao(db.path()).args(["log", "--json"]))).unwrap();
    let text = ok(yibiao(db.path()).arg("log"));
    assert_eq!(text.lines().count(), json.len());
    assert_eq!(json.len(), 27);
    for (line, entry) in text.lines().zip(&json) {
        assert!(line.contains(entry["code"].as_str().unwrap()), "{line}");
        // the action padded to 8 columns
        assert!(line.contains("  import   create "), "{line}");
    }
    // one record's entries
    let one = ok(yibiao(db.path()).args(["log", "DE0001", "--json"]));
    let one: Vec<Value> = serde_json::from_str(&one).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(
        one[0],
        json.iter().find(|e| e["code"] == "DE0001").unwrap().clone()
    );
    // a damaged entry
    {
        let sled_db = common::raw_sled(db.path());
        let audit = sled_db.open_tree("audit").unwrap();
        let (key, _) = audit.first().unwrap().unwrap();
        audit.insert(key, b"garbage".as_slice()).unwrap();
        sled_db.flush().unwrap();
    }
    for args in [&["log"][..], &["log", "--json"], &["log", "DE0001"]] {
        let (code, _, stderr) = run(yibiao(db.path()).args(args));
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains("audit entry 1"), "{args:?}: {stderr}");
    }
}

#[test]
fn three_planted_errors_give_three_messages_and_change_nothing() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let before = export(db.path());
    let (code, stdout, stderr) = run(yibiao(db.path())
        .arg("import")
        .arg(fixture("three_errors.json")));
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("three_errors.json: "))
        .collect();
    assert_eq!(problems.len(), 3, "{stderr}");
    assert!(
        problems
            .iter()
            .any(|l| l.ends_with("forms[0].sections[0].fields[1].element: unknown element DE9999")),
        "{stderr}"
    );
    assert!(
        problems
            .iter()
            .any(|l| l.ends_with("elements[1].code: duplicate code DE0100 (first at elements[0])")),
        "{stderr}"
    );
    assert!(
        problems
            .iter()
            .any(|l| l.contains("items[0].depends_on: cycle I100 → I101 → I100")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"));
    assert_eq!(export(db.path()), before, "the store must be unchanged");
}

#[test]
fn malformed_files_are_reported_not_panicked_on() {
    let db = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 6] = [
        ("truncated.json", b"{\"format\": \"yibiao/1\", \"elements\": [", "not valid JSON (line 1"),
        ("gbk.json", &[0x7b, 0xd0, 0xd5, 0xc3, 0xfb, 0x7d], "not UTF-8 (byte 1)"),
        ("array.json", b"[]", "the top level must be an object"),
        ("format.json", b"{\"format\": \"yibiao/9\"}", "format: unsupported format"),
        (
            "kind.json",
            "{\"format\":\"yibiao/1\",\"elements\":[{\"code\":\"E1\",\"name\":\"甲\",\"kind\":\"身分证\"}]}".as_bytes(),
            "elements[0].kind: unknown variant `身分证`",
        ),
        (
            "field.json",
            b"{\"format\":\"yibiao/1\",\"materials\":[{\"code\":\"M\",\"name\":\"x\",\"kind\":\"form\",\"requird\":true}]}",
            "materials[0].requird: unknown field `requird`, expected one of",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let (code, _, stderr) = run(yibiao(db.path()).arg("import").arg(&file));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    // nothing was written by any bad file: not even a store was created
    assert_eq!(std::fs::read_dir(db.path()).unwrap().count(), 0);
}

#[test]
fn dry_run_writes_nothing() {
    let db = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"format":"yibiao/1"}"#).unwrap();
    ok(yibiao(db.path()).arg("import").arg(&empty));
    let (code, _, stderr) = run(yibiao(db.path())
        .arg("import")
        .arg("--dry-run")
        .arg(fixture("small.json")));
    assert_eq!(code, 0);
    assert!(stderr.contains("27 records valid"), "{stderr}");
    let stats: Value =
        serde_json::from_str(&ok(yibiao(db.path()).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["elements"], 0);
}

#[test]
fn show_search_list_and_stats() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));

    let stats: Value =
        serde_json::from_str(&ok(yibiao(db.path()).args(["stats", "--json"]))).unwrap();
    for (key, n) in [
        ("regions", 3),
        ("agencies", 2),
        ("elements", 10),
        ("items", 6),
        ("materials", 3),
        ("forms", 2),
        ("bundles", 1),
    ] {
        assert_eq!(stats[key], n, "{key}");
    }
    assert_eq!(stats["unbound_fields"], 1);

    let element: Value = serde_json::from_str(&ok(
        yibiao(db.path()).args(["element", "show", "DE0002", "--json"])
    ))
    .unwrap();
    assert_eq!(element["name"], "身份证号码");
    assert_eq!(element["kind"], "cn_id");
    assert_eq!(element["uses"], 2);

    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "show", "DE9999"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown element DE9999"));

    let hits: Vec<Value> = serde_json::from_str(&ok(yibiao(db.path()).args([
        "element",
        "search",
        "证件号码",
        "--json",
    ])))
    .unwrap();
    assert_eq!(
        hits[0]["code"], "DE0002",
        "a synonym finds its element first"
    );
    let hits: Vec<Value> = serde_json::from_str(&ok(
        yibiao(db.path()).args(["element", "search", "de0012", "--json", "--limit", "1"])
    ))
    .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["name"], "详细地址");

    let form: Value = serde_json::from_str(&ok(
        yibiao(db.path()).args(["form", "show", "F001", "--json"])
    ))
    .unwrap();
    assert_eq!(form["sections"][1]["fields"][1]["when"]["size"][0], "large");
    let text = ok(yibiao(db.path()).args(["form", "show", "F001"]));
    assert!(
        text.contains("联系人姓名") && text.contains("(unbound)"),
        "{text}"
    );
    assert_eq!(run(yibiao(db.path()).args(["form", "show", "NOPE"])).0, 1);

    let bundles: Vec<Value> =
        serde_json::from_str(&ok(yibiao(db.path()).args(["bundle", "list", "--json"]))).unwrap();
    assert_eq!(bundles.len(), 1);
    assert_eq!(bundles[0]["name"], "我要开餐馆");
    assert_eq!(bundles[0]["items"], 2);

    assert!(ok(yibiao(db.path()).arg("check")).contains("ok: 27 records"));
}

#[test]
fn hostile_names_print_inert() {
    let db = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.json");
    std::fs::write(
        &file,
        r#"{"format":"yibiao/1","elements":[{"code":"E1","name":"坏\u001b[2J名\u202e","kind":"text"}]}"#,
    )
    .unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    let text = ok(yibiao(db.path()).args(["element", "show", "E1"]));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("坏␛[2J名<U+202E>"), "{text}");
    // JSON output escapes instead
    let json = ok(yibiao(db.path()).args(["element", "search", "E1", "--json"]));
    assert!(json.contains("\\u001b[2J"), "{json}");
}

#[test]
fn usage_errors_exit_2() {
    let db = tempfile::tempdir().unwrap();
    assert_eq!(run(yibiao(db.path()).arg("frobnicate")).0, 2);
    assert_eq!(run(yibiao(db.path()).args(["sample", "--scale", "0"])).0, 2);
}

#[test]
fn stats_export_writes_every_table_as_xlsx_or_csv() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let stats: Value =
        serde_json::from_str(&ok(yibiao(db.path()).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["bundle_reduction"].as_array().unwrap().len(), 12);
    assert!(stats["reuse"]["most_reused"][0]["count"].as_u64().unwrap() > 100);

    let dir = db.path().join("report/");
    let (code, _, stderr) = run(yibiao(db.path())
        .args(["stats", "--export"])
        .arg(&dir)
        .args(["--encoding", "gb18030"]));
    assert_eq!(code, 0, "{stderr}");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 10, "{files:?}");
    let overview = std::fs::read(dir.join("overview.csv")).unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&overview);
    assert!(!bad);
    assert!(text.contains("elements,数据元,624"), "{text}");
    // what pane 5's 概况 shows below the counts: elements never used, the bound share
    let never_used = stats["reuse"]["never_used"].as_u64().unwrap();
    let share = stats["reuse"]["bound_share"].as_f64().unwrap() * 100.0;
    assert!(
        text.contains(&format!("never_used,从未使用的数据元,{never_used}\r\n"))
            || text.contains(&format!("never_used,从未使用的数据元,{never_used}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("bound_share,字段绑定率,{share:.1}%")),
        "{text}"
    );

    let xlsx = db.path().join("stats.xlsx");
    ok(yibiao(db.path()).args(["stats", "--export"]).arg(&xlsx));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let (code, _, stderr) = run(yibiao(db.path()).args(["stats", "--export", "stats.txt"]));
    assert_eq!(code, 2, "{stderr}");
    // an encoding for a workbook is a mistake, not ignored
    let (code, _, stderr) = run(yibiao(db.path())
        .args(["stats", "--export"])
        .arg(&xlsx)
        .args(["--encoding", "gb18030"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--encoding applies to a CSV directory export only"),
        "{stderr}"
    );
}

#[test]
fn completions_and_man_page_need_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never-created");
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(yibiao(&db).args(["completions", shell]));
        assert!(
            script.contains("yibiao") && script.contains("merge"),
            "{shell}"
        );
    }
    let man = ok(yibiao(&db).arg("man"));
    assert!(
        man.starts_with(".ie") || man.contains(".TH yibiao"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains(".SH \"EXIT STATUS\""), "{man}");
    // every page the top one refers to can be written
    let pages = dir.path().join("man1");
    ok(yibiao(&db).args(["man", "--dir"]).arg(&pages));
    for see in man.lines().filter_map(|l| l.strip_suffix("(1)")) {
        let page = pages.join(format!("{}.1", see.replace("\\-", "-")));
        assert!(page.exists(), "{} is referred to", page.display());
    }
    assert!(pages.join("yibiao-element-merge.1").exists());
    assert!(
        !man.contains("yibiao\\-help(1)"),
        "no help page is referred to"
    );
    assert!(
        !db.exists(),
        "no store is created for completions or the man page"
    );
}

#[test]
fn the_sample_fills_every_kind_checks_clean_and_round_trips() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    ok(yibiao(a.path()).arg("sample"));
    let stats: Value =
        serde_json::from_str(&ok(yibiao(a.path()).args(["stats", "--json"]))).unwrap();
    for key in [
        "regions",
        "agencies",
        "elements",
        "items",
        "materials",
        "forms",
        "bundles",
    ] {
        assert!(stats[key].as_u64().unwrap() > 0, "{key} is empty");
    }
    assert!(ok(yibiao(a.path()).arg("check")).starts_with("ok: 1372 records"));
    // the sample again changes nothing
    let (_, _, stderr) = run(yibiao(a.path()).arg("sample"));
    assert!(stderr.contains("0 created, 0 updated"), "{stderr}");
    let first = export(a.path());
    let file = b.path().join("sample.json");
    std::fs::write(&file, &first).unwrap();
    ok(yibiao(&b.path().join("store")).arg("import").arg(&file));
    assert_eq!(export(&b.path().join("store")), first);
}

/// 我要开餐馆 with every question answered: 500 m² or more, a signboard, tobacco.
const RESTAURANT_ALL_YES: [&str; 6] = [
    "--answer",
    "area=ge500",
    "--answer",
    "signboard=yes",
    "--answer",
    "tobacco=yes",
];

#[test]
fn merge_exports_the_merged_form_and_its_provenance() {
    use calamine::{Reader, Xlsx, open_workbook};
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let answers = RESTAURANT_ALL_YES;
    let merged: Value = serde_json::from_str(&ok(yibiao(db.path())
        .args(["merge", "ZT001", "--json"])
        .args(answers)))
    .unwrap();
    let before = merged["stats"]["fields_before"].as_u64().unwrap() as usize;
    let after = merged["stats"]["fields_after"].as_u64().unwrap() as usize;
    assert!(
        after * 10 <= before * 6,
        "我要开餐馆 reaches at least 40%: {before} → {after}"
    );

    let file = db.path().join("merged.xlsx");
    ok(yibiao(db.path())
        .args(["merge", "ZT001", "--export"])
        .arg(&file)
        .args(answers));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(book.sheet_names(), ["merged form", "provenance"]);
    let fields = book.worksheet_range("merged form").unwrap();
    assert_eq!(
        fields.height(),
        after + 1,
        "a header and one row per merged field"
    );
    let provenance = book.worksheet_range("provenance").unwrap();
    assert_eq!(
        provenance.height(),
        before + 1,
        "a header and one row per source field"
    );

    let json_file = db.path().join("merged.json");
    ok(yibiao(db.path())
        .args(["merge", "ZT001", "--export"])
        .arg(&json_file)
        .args(answers));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(doc["provenance"].as_array().unwrap().len(), before);
}

#[test]
fn merge_prints_the_flow_as_text_dot_or_mermaid() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let flow = |format: &str| {
        ok(yibiao(db.path())
            .args(["merge", "ZT001", "--flow", format])
            .args(RESTAURANT_ALL_YES))
    };
    let text = flow("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    // the critical path by symbol: `*` and a solid bar, the others a light one
    let critical: Vec<&&str> = lines.iter().filter(|l| l.starts_with('*')).collect();
    assert_eq!(critical.len(), 2, "{text}");
    assert!(critical.iter().all(|l| l.contains('█') && !l.contains('░')));
    assert!(critical[1].contains("2–10") && critical[1].contains("← 公司设立登记"));
    // needs are named, not given by their 50-character codes
    assert!(!text.contains("0100001001-"), "{text}");
    let dot = flow("dot");
    assert!(dot.starts_with("digraph flow {"), "{dot}");
    assert!(dot.contains("style=bold, color=red"), "{dot}");
    let mermaid = flow("mermaid");
    assert!(mermaid.starts_with("flowchart LR"), "{mermaid}");
    assert!(mermaid.contains("class n0,n4 critical"), "{mermaid}");
}

#[test]
fn element_search_reads_a_cache_that_every_write_removes_first() {
    let db = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = db.path().join("search.idx");
    let names = |query: &str| -> Vec<String> {
        let hits: Vec<Value> = serde_json::from_str(&ok(
            yibiao(db.path()).args(["element", "search", query, "--json"])
        ))
        .unwrap();
        hits.iter()
            .map(|h| h["name"].as_str().unwrap().to_string())
            .collect()
    };
    ok(yibiao(db.path())
        .arg("import")
        .arg(common::fixture("small.json")));
    // an import leaves the index (pane 2 searches a big store from it before its catalog
    // is loaded); without it the first search reads the search tree
    assert!(cache.exists(), "an import leaves the index");
    std::fs::remove_file(&cache).unwrap();
    assert!(names("详细地址").contains(&"详细地址".to_string()));
    assert!(cache.exists(), "the first search writes the cache");
    // a cached answer equals a fresh one
    let cached = names("dz");
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(names("dz"), cached);

    // an import renames an element: the next search sees the new name
    let file = dir.path().join("rename.json");
    std::fs::write(
        &file,
        r#"{"format":"yibiao/1","elements":[{"code":"E900","name":"全新的测试数据元","kind":"text"}]}"#,
    )
    .unwrap();
    // (written near its record: the cache is set aside as search.base, the element's new
    // row written beside it as search.add)
    let (base, added) = (db.path().join("search.base"), db.path().join("search.add"));
    let before = std::fs::read(&cache).unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    assert!(
        !cache.exists() && added.exists(),
        "its row beside the index"
    );
    assert_eq!(std::fs::read(&base).unwrap(), before, "the index set aside");
    assert_eq!(names("qxdcssjy"), vec!["全新的测试数据元".to_string()]);
    // a merge is written over the records near it: its rows follow beside the index, and
    // the next search sees them (the merged element's name is now a synonym of the one it
    // went into)
    let rows = std::fs::read(&added).unwrap();
    ok(yibiao(db.path()).args(["element", "merge", "E900", "--into", "DE0010"]));
    assert_ne!(std::fs::read(&added).unwrap(), rows, "rows written since");
    assert_eq!(
        std::fs::read(&base).unwrap(),
        before,
        "the index still aside"
    );
    assert_eq!(names("qxdcssjy"), vec!["地址".to_string()]);
    // another write that loads the catalog (a merge without the element links cached)
    // removes it, and the next search sees the write
    std::fs::remove_file(db.path().join("links.idx")).unwrap();
    ok(yibiao(db.path()).args(["element", "merge", "DE0012", "--into", "DE0011"]));
    assert!(
        !cache.exists() && !added.exists(),
        "a write removes the cache"
    );
    assert_eq!(names("xxdz"), vec!["省".to_string()]);
    // (the search wrote the cache anew: the set-aside one goes)
    assert!(cache.exists() && !base.exists());

    // a damaged cache is not trusted
    std::fs::write(&cache, b"yibiao search index 1\n\x07garbage").unwrap();
    assert_eq!(names("qxdcssjy"), vec!["地址".to_string()]);
    assert!(ok(yibiao(db.path()).arg("check")).starts_with("ok:"));
}

/// `stats` reads the statistics a filling command or the last count left beside the store
/// (at a million elements counting takes seconds and the whole catalog); every write removes
/// them first.
#[test]
fn stats_read_a_cache_that_every_write_removes_first() {
    let db = tempfile::tempdir().unwrap();
    let cache = db.path().join("stats.idx");
    let stats = || ok(yibiao(db.path()).args(["stats", "--json"]));
    ok(yibiao(db.path())
        .arg("import")
        .arg(common::fixture("small.json")));
    assert!(cache.exists(), "an import leaves the statistics");
    let cached = stats();
    // counted from the records a kind at a time (the outline and the element links are
    // cached), or without the links from the loaded catalog: the same
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(stats(), cached, "counted afresh: the same");
    assert!(cache.exists(), "a count is left for the next time");
    let links = db.path().join("links.idx");
    let kept = std::fs::read(&links).unwrap();
    std::fs::remove_file(&cache).unwrap();
    std::fs::remove_file(&links).unwrap();
    assert_eq!(stats(), cached, "counted from the loaded catalog: the same");
    std::fs::write(&links, kept).unwrap();

    // a write removes them, and the next count sees it
    ok(yibiao(db.path()).args(["element", "merge", "DE0012", "--into", "DE0011"]));
    assert!(!cache.exists(), "a write removes the statistics");
    let merged: Value = serde_json::from_str(&stats()).unwrap();
    let before: Value = serde_json::from_str(&cached).unwrap();
    assert_eq!(merged["elements"], before["elements"].as_u64().unwrap() - 1);
    assert!(cache.exists());

    // a damaged file is not trusted
    let counted = stats();
    let text = ok(yibiao(db.path()).arg("stats"));
    std::fs::write(&cache, b"yibiao stats 1\n\x07garbage").unwrap();
    assert_eq!(stats(), counted);

    // answered without loading the catalog: a damaged record, which stops a load, does not
    // stop them (and an export works from them too)
    let templates = ok(yibiao(db.path()).args(["template", "list"]));
    damage_record(db.path(), "EDE0002");
    // the templates are read from the items, materials and bundles alone
    assert_eq!(ok(yibiao(db.path()).args(["template", "list"])), templates);
    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "dups"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("element DE0002 is damaged"), "{stderr}");
    assert_eq!(stats(), counted);
    assert_eq!(ok(yibiao(db.path()).arg("stats")), text);
    let out = tempfile::tempdir().unwrap();
    let xlsx = out.path().join("stats.xlsx");
    ok(yibiao(db.path()).arg("stats").arg("--export").arg(&xlsx));
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);
}

/// `export` to CSV and XLSX reads the records of its tables a record at a time instead of
/// loading the catalog: a damaged element does not stop the forms' table, which is written
/// as before, and stops the element tables, named, with no file left behind, not even the
/// tables of a directory export written before it.
#[test]
fn table_exports_read_the_records_of_their_tables_from_the_store() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let out = tempfile::tempdir().unwrap();
    let export = |args: &[&str]| {
        run(yibiao(db.path())
            .current_dir(out.path())
            .arg("export")
            .args(args))
    };
    let read = |name: &str| std::fs::read(out.path().join(name)).unwrap();
    for args in [
        &["forms.csv", "--kind", "form"][..],
        &["forms-gb.csv", "--kind", "form", "--encoding", "gb18030"],
        &["all/"],
        &["all.xlsx"],
    ] {
        assert_eq!(export(args).0, 0, "{args:?}");
    }
    let (forms, forms_gb) = (read("forms.csv"), read("forms-gb.csv"));
    assert!(String::from_utf8_lossy(&forms).contains("F001"));
    assert_eq!(read("all/申请表.csv"), forms);
    let (code, printed, _) = export(&["-", "--kind", "form", "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(printed.as_bytes(), forms);

    damage_record(db.path(), "EDE0002");
    assert_eq!(export(&["forms-after.csv", "--kind", "form"]).0, 0);
    assert_eq!(read("forms-after.csv"), forms);
    assert_eq!(
        export(&["gb-after.csv", "--kind", "form", "--encoding", "gb18030"]).0,
        0
    );
    assert_eq!(read("gb-after.csv"), forms_gb);
    for args in [
        &["elements.csv", "--kind", "element"][..],
        &["damaged/"],
        &["damaged.xlsx"],
    ] {
        let (code, _, stderr) = export(args);
        assert_ne!(code, 0, "{args:?}");
        assert!(
            stderr.contains("element DE0002 is damaged"),
            "{args:?}: {stderr}"
        );
        assert!(!out.path().join(args[0]).exists(), "{args:?}");
    }
    let left: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.iter()
            .all(|name| !name.to_string_lossy().starts_with('.')),
        "no temporary file left: {left:?}"
    );
    // a Big5 file with Chinese headers (编 of 编码 is not in Big5) is refused before writing
    let (code, _, stderr) = export(&["big5.csv", "--kind", "form", "--encoding", "big5"]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("big5.csv line 1") && stderr.contains("--headers en"),
        "{stderr}"
    );
    assert!(!out.path().join("big5.csv").exists());
}

/// `export` to JSON and `backup` read the store a record at a time instead of loading the
/// catalog: what they write restores the same catalog, and a damaged record stops them,
/// named, with no file left behind.
#[test]
fn json_exports_and_backups_read_the_records_from_the_store() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let out = tempfile::tempdir().unwrap();
    let (export, backup) = (out.path().join("all.json"), out.path().join("backup.json"));
    ok(yibiao(db.path()).arg("export").arg(&export));
    let printed = ok(yibiao(db.path()).args(["export", "-"]));
    assert_eq!(printed.as_bytes(), std::fs::read(&export).unwrap());
    let (code, _, stderr) = run(yibiao(db.path()).arg("backup").arg(&backup));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("elements 10, items 6"), "{stderr}");
    let restored = tempfile::tempdir().unwrap();
    ok(yibiao(restored.path()).arg("restore").arg(&backup));
    let again = out.path().join("again.json");
    ok(yibiao(restored.path()).arg("export").arg(&again));
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&export).unwrap()
    );

    damage_record(db.path(), "EDE0002");
    for (args, file) in [
        (["export", "damaged.json"], "damaged.json"),
        (["backup", "damaged-backup.json"], "damaged-backup.json"),
    ] {
        let (code, _, stderr) = run(yibiao(db.path()).current_dir(out.path()).args(args));
        assert_ne!(code, 0, "{args:?}");
        assert!(
            stderr.contains("element DE0002 is damaged"),
            "{args:?}: {stderr}"
        );
        assert!(!out.path().join(file).exists(), "{args:?}");
    }
}

#[test]
fn the_tui_without_a_terminal_says_so_and_how_to_get_one() {
    let db = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(yibiao(db.path()).stdin(std::process::Stdio::null()));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(stderr.contains("ssh -t"), "{stderr}");
}

/// Runs `cmd`, asserting exit code 1 and `expected` on standard error.
fn fails_with(cmd: &mut std::process::Command, expected: &str) {
    let (code, _, stderr) = run(cmd);
    assert_eq!(code, 1, "{cmd:?}: {stderr}");
    assert!(stderr.contains(expected), "{cmd:?}: {stderr}");
}

#[test]
fn read_only_commands_and_dry_runs_on_a_missing_store_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("a/b/typo");
    let out = tmp.path().join("out.json");
    let out = out.to_str().unwrap();
    let small = fixture("small.json");
    let small = small.to_str().unwrap();
    let commands: [&[&str]; 17] = [
        &["check"],
        &["stats"],
        &["stats", "--json"],
        &["export", out],
        &["log"],
        &["element", "search", "姓名"],
        &["element", "show", "DE000001"],
        &["element", "uses", "DE000001"],
        &["element", "dups"],
        &["element", "merge", "DE000001", "--into", "DE000002"],
        &["form", "lint"],
        &["bundle", "list"],
        &["template", "list"],
        &["merge", "ZT001"],
        &["validate", "DE000002", "1"],
        &["backup", out],
        &["import", "--dry-run", small],
    ];
    let no_store = format!(
        "no store at {0}; `yibiao --db {0} sample` or `import` creates one, the TUI offers the sample",
        typo.display()
    );
    for args in commands {
        fails_with(yibiao(&typo).args(args), &no_store);
        assert!(!tmp.path().join("a").exists(), "{args:?} created the store");
    }
    // an empty directory stays empty
    fails_with(yibiao(tmp.path()).arg("stats"), "no store at");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    // QA round 6: an import whose file is missing or does not check creates no store either
    // (as a refused restore): the file is read and checked before the store is created
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{bad").unwrap();
    let missing = tmp.path().join("missing.json");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (file, said) in [(&missing, "cannot read"), (&bad, "nothing was written")] {
        for db in [&typo, &empty] {
            let (code, _, stderr) = run(yibiao(db).arg("import").arg(file));
            assert_eq!(code, 2, "{stderr}");
            assert!(stderr.contains(said), "{stderr}");
        }
        assert!(!typo.exists(), "{} created the store", file.display());
        assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    }
    std::fs::remove_file(&bad).unwrap();
    // a file from standard input is read once, before the store is created
    let piped = tmp.path().join("piped");
    let mut child = yibiao(&piped)
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(small).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    assert!(child.wait().unwrap().success());
    let stats: Value = serde_json::from_str(&ok(yibiao(&piped).args(["stats", "--json"]))).unwrap();
    assert!(stats["elements"].as_u64().unwrap() > 0, "{stats}");
    std::fs::remove_dir_all(&piped).unwrap();
    // commands that write create it
    ok(yibiao(&typo).args(["import", small]));
    assert!(typo.join("db").is_dir());
    ok(yibiao(&tmp.path().join("s")).arg("sample"));
    ok(yibiao(&tmp.path().join("s")).arg("check"));
}

#[test]
fn a_directory_holding_other_files_is_refused_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let (home, outside) = (tmp.path().join("home"), tmp.path().join("outside"));
    std::fs::create_dir_all(home.join("sub")).unwrap();
    std::fs::create_dir_all(outside.join("d")).unwrap();
    std::fs::write(home.join("notes.txt"), "x").unwrap();
    std::fs::write(home.join("sub/f"), "y").unwrap();
    std::fs::write(outside.join("t.txt"), "z").unwrap();
    std::os::unix::fs::symlink(outside.join("t.txt"), home.join("link")).unwrap();
    std::os::unix::fs::symlink(outside.join("d"), home.join("dlink")).unwrap();
    let all = [
        home.join("notes.txt"),
        home.join("sub"),
        home.join("sub/f"),
        outside.join("t.txt"),
        outside.join("d"),
    ];
    for path in &all {
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let modes = || -> Vec<u32> {
        all.iter()
            .map(|p| std::fs::metadata(p).unwrap().permissions().mode() & 0o777)
            .collect()
    };
    let before = modes();
    let names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&home)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let listing = names();
    let refused = format!(
        "{} holds other files (dlink, link, notes.txt and 1 more) and is not a yibiao store: pick an empty or new directory",
        home.display()
    );
    for args in [&["stats"][..], &["check"], &["sample"], &["import", "-"]] {
        fails_with(
            yibiao(&home).args(args).stdin(std::process::Stdio::null()),
            &refused,
        );
    }
    assert_eq!(
        modes(),
        before,
        "nothing was chmod-ed, in the directory or through links"
    );
    assert_eq!(names(), listing, "nothing was created");

    // a store with a file of someone else's beside it opens; only the store's files change
    let store = tmp.path().join("store");
    ok(yibiao(&store).arg("sample"));
    std::fs::write(store.join("README.txt"), "mine").unwrap();
    std::fs::set_permissions(
        store.join("README.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("t.txt"), store.join("db/link")).unwrap();
    ok(yibiao(&store).arg("check"));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&store.join("README.txt")), 0o644);
    assert_eq!(mode(&outside.join("t.txt")), 0o644);
    assert_eq!(mode(&store.join("db/conf")), 0o600);
}

/// Runs `args` with standard error (and standard output) a pipe whose reading end is already
/// closed, as in `yibiao … 2>&1 | head -1` once head has exited; returns the exit code.
fn with_closed_pipes(db: &std::path::Path, args: &[&str]) -> i32 {
    let mut child = yibiao(db)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the child has not started writing yet: every write it makes finds the pipe closed
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn a_closed_standard_error_is_no_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    // problems, the summary of a sample, a failure and a listing
    assert_eq!(
        with_closed_pipes(
            &db,
            &["import", fixture("three_errors.json").to_str().unwrap()]
        ),
        2
    );
    assert_eq!(with_closed_pipes(&db, &["sample"]), 0);
    assert_eq!(with_closed_pipes(&db, &["element", "show", "NOPE"]), 1);
    assert_eq!(with_closed_pipes(&db, &["check"]), 0);
    assert_eq!(with_closed_pipes(&tmp.path().join("typo"), &["stats"]), 1);
}

#[test]
fn json_files_starting_with_a_byte_order_mark_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, bom) = (tmp.path().join("plain"), tmp.path().join("bom"));
    let with_bom = |name: &str, bytes: &[u8]| {
        let file = tmp.path().join(name);
        std::fs::write(&file, [b"\xEF\xBB\xBF".as_slice(), bytes].concat()).unwrap();
        file
    };
    // an interchange file
    let small = with_bom("small.json", &std::fs::read(fixture("small.json")).unwrap());
    ok(yibiao(&plain).arg("import").arg(fixture("small.json")));
    ok(yibiao(&bom).arg("import").arg(&small));
    assert_eq!(export(&bom), export(&plain));
    // a county catalog
    let county = with_bom(
        "county.json",
        &std::fs::read(fixture("guangan-item-catalog.json")).unwrap(),
    );
    let (code, _, stderr) = run(yibiao(&tmp.path().join("county"))
        .arg("import")
        .arg(&county));
    assert_eq!(code, 0, "{stderr}");
    // a backup
    let backup = tmp.path().join("backup.json");
    ok(yibiao(&plain).arg("backup").arg(&backup));
    let backup = with_bom("backup-bom.json", &std::fs::read(&backup).unwrap());
    let restored = tmp.path().join("restored");
    ok(yibiao(&restored).arg("restore").arg(&backup));
    assert_eq!(export(&restored), export(&plain));
    // a filled merged form
    let sample = tmp.path().join("sample");
    ok(yibiao(&sample).arg("sample"));
    let filled = with_bom(
        "filled.json",
        br#"{"bundle":"ZT001","values":{"DE000030":"z"}}"#,
    );
    let out: Value = serde_json::from_str(&ok(yibiao(&sample)
        .args(["merge", "ZT001", "--distribute"])
        .arg(&filled)))
    .unwrap();
    assert_eq!(out["bundle"], "ZT001");
}

#[test]
fn element_merge_refuses_another_kind_unless_forced() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    // 电子邮箱 (email) into 出生日期 (date)
    let merge = ["element", "merge", "DE000008", "--into", "DE000004"];
    let (code, _, stderr) = run(yibiao(db.path()).args(merge));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot merge DE000008 (email) into DE000004 (date)"),
        "{stderr}"
    );
    let (_, _, stderr) = run(yibiao_zh(db.path()).args(merge));
    assert!(stderr.contains("类型不同"), "{stderr}");
    ok(yibiao(db.path()).args(["element", "show", "DE000008"]));
    let (code, _, stderr) = run(yibiao(db.path()).args(merge).arg("--force"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("fields now use DE000004"), "{stderr}");
}

#[test]
fn distribute_uses_the_files_answers_and_refuses_unknown_keys() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let file = db.path().join("filled.json");
    let distribute = |json: &str, args: &[&str]| {
        std::fs::write(&file, json).unwrap();
        run(yibiao(db.path())
            .args(["merge", "ZT001", "--distribute"])
            .arg(&file)
            .args(args))
    };
    // the file's answers make all six items visible; --answer replaces one of them
    let filled = r#"{"bundle": "ZT001", "answers": {"area": "ge500", "signboard": "yes", "tobacco": "yes"},
        "values": {"DE000030": "甲公司", "BD000003/f01": "甲有限公司"}}"#;
    let (code, stdout, stderr) = distribute(filled, &[]);
    assert_eq!(code, 0, "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    let forms = out["forms"].as_object().unwrap();
    assert_eq!(forms.len(), 6, "{stdout}");
    // a FORM/FIELD key gives that source its own value, the others keep the element's
    assert_eq!(out["forms"]["BD000003"]["f01"], "甲有限公司");
    assert_eq!(out["forms"]["BD000029"]["f01"], "甲公司");
    let (code, stdout, _) = distribute(filled, &["--answer", "tobacco=no"]);
    assert_eq!(code, 0);
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["answers"]["tobacco"], "no");
    assert_eq!(out["forms"].as_object().unwrap().len(), 5, "{stdout}");
    // keys that match no field: exit 2, every one named
    let (code, _, stderr) = distribute(
        r#"{"bundle": "ZT001", "values": {"DE999999": "x", "BD000003/zz": "y"}}"#,
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("2 value(s) match no field of the merged form: BD000003/zz, DE999999"),
        "{stderr}"
    );
    // a value the form's own validator rejects: exit 2, key and value named, nothing out
    let (code, stdout, stderr) = distribute(
        r#"{"bundle": "ZT001", "values": {"DE000030": "甲公司", "DE000045": "2024-02-30"}}"#,
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("1 value(s) fail validation: DE000045 = \"2024-02-30\" (BD000003/f18: ")
            && stderr.contains("nothing was distributed"),
        "{stderr}"
    );
    // an answer the bundle does not have
    let (code, _, stderr) = distribute(
        r#"{"bundle": "ZT001", "answers": {"area": "huge"}, "values": {}}"#,
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("question area has no option huge"),
        "{stderr}"
    );
    // an unknown --exclude is an error too
    let (code, _, stderr) = run(yibiao(db.path()).args(["merge", "ZT001", "--exclude", "NOFORM"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--exclude NOFORM: not a form of bundle ZT001"),
        "{stderr}"
    );
}

#[test]
fn unreadable_inputs_exit_2_and_an_unknown_log_code_exits_1() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let missing = db.path().join("no-such-file.json");
    let dir = db.path().join("dir.json");
    std::fs::create_dir(&dir).unwrap();
    // a missing input, a directory, as invalid as a file that does not parse
    for args in [
        vec!["import".as_ref(), missing.as_os_str()],
        vec![
            "import".as_ref(),
            dir.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        vec!["restore".as_ref(), missing.as_os_str()],
    ] {
        let (code, _, stderr) = run(yibiao(db.path()).args(&args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("cannot read"), "{args:?}: {stderr}");
    }
    // a record's history, and a code that names nothing
    assert!(ok(yibiao(db.path()).args(["log", "DE0001"])).contains("DE0001"));
    let (code, stdout, stderr) = run(yibiao(db.path()).args(["log", "NOPE"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("no record NOPE"), "{stderr}");
}

#[test]
fn messages_read_as_text_in_either_language() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    // duplicate reasons are words, not enum names
    let dups = ok(yibiao(db.path()).args(["element", "dups"]));
    assert!(dups.contains("one character apart, same kind"), "{dups}");
    assert!(!dups.contains("OneEditApart"), "{dups}");
    // unknown codes in Chinese
    for (args, expected) in [
        (&["element", "show", "NOPE"][..], "未知数据元 NOPE"),
        (&["form", "show", "NOPE"][..], "未知申请表 NOPE"),
        (&["merge", "NOPE"][..], "未知主题 NOPE"),
    ] {
        let (code, _, stderr) = run(yibiao_zh(db.path()).args(args));
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // a store without fields has no bound share
    let empty = tempfile::tempdir().unwrap();
    let file = empty.path().join("region.json");
    std::fs::write(
        &file,
        r#"{"format": "yibiao/1", "regions": [{"code": "510000", "name": "四川省"}]}"#,
    )
    .unwrap();
    let store = empty.path().join("store");
    ok(yibiao(&store).arg("import").arg(&file));
    let stats = ok(yibiao(&store).arg("stats"));
    assert!(stats.contains("(no fields)"), "{stats}");
    assert!(!stats.contains('%'), "{stats}");
}

#[test]
fn a_bad_output_or_input_path_is_blamed_on_that_file_not_on_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    let nodir = tmp.path().join("nodir");
    let out = nodir.join("a.json");
    let code = "F001".to_string(); // a form of small.json
    let missing_dir = format!("the directory {} does not exist", nodir.display());
    for args in [
        vec!["export".into(), out.display().to_string()],
        vec![
            "form".into(),
            "export".into(),
            code,
            out.display().to_string(),
        ],
        vec![
            "recover".into(),
            db.display().to_string(),
            out.display().to_string(),
        ],
    ] {
        let (status, _, stderr) = run(yibiao(&db).args(&args));
        assert_ne!(status, 0, "{args:?}");
        assert!(
            stderr.contains(&missing_dir) && !stderr.contains("--db"),
            "{args:?}: {stderr}"
        );
    }
    let (_, _, stderr) = run(yibiao_zh(&db).arg("export").arg(&out));
    assert!(
        stderr.contains("不存在") && !stderr.contains("--db"),
        "{stderr}"
    );
    let (status, _, stderr) = run(yibiao(&db)
        .arg("import")
        .arg(tmp.path().join("missing.json")));
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("there is no file") && !stderr.contains("--db"),
        "{stderr}"
    );
}

#[test]
fn merge_suggests_pool_elements_and_says_when_there_are_no_materials() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    // the sample's unbound 手机号码 (BD000055/f13) is a synonym of 移动电话, which BD000055
    // binds already (f05): not suggested (it would be bound twice), and the text says why
    let answers = [
        "--answer",
        "area=ge500",
        "--answer",
        "signboard=yes",
        "--answer",
        "tobacco=yes",
    ];
    let text = ok(yibiao(db.path()).arg("merge").arg("ZT001").args(answers));
    assert!(
        text.contains(
            "likely duplicate unbound fields\n  BD000055/f13 left out: f05 of the same form is bound to DE000006 already (two fields of one form cannot share an element)\n"
        ),
        "{text}"
    );
    assert!(!text.contains("→ DE000006"), "{text}");
    // an element no form of ZT001 uses lists the labels of two new unbound fields
    let item = "0100001001-511602000000-000-11511602299513299M-1-00";
    let file = db.path().join("pool.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"format": "yibiao/1",
            "elements": [{{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                          "synonyms": ["紧急联系电话", "紧急联络电话"]}},
                         {{"code": "DE999998", "name": "紧急联系电话号", "kind": "mobile"}}],
            "forms": [{{"code": "BD999999", "name": "补充表", "item": "{item}",
                       "sections": [{{"title": "联系", "fields": [{{"key": "f1", "label": "紧急联系电话"}},
                                                                {{"key": "f2", "label": "紧急联络电话"}}]}}]}}]}}"#
        ),
    )
    .unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    let out: Value =
        serde_json::from_str(&ok(yibiao(db.path()).args(["merge", "ZT001", "--json"]))).unwrap();
    let suggestion = out["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["element"] == "DE999999")
        .expect("the pool element is suggested");
    assert_eq!(suggestion["reason"], "pool_synonym");
    // QA session 8 #1: both fields are on BD999999; binding both would bind DE999999 twice
    // on one form, so the second is left out, and the suggestion says why
    assert_eq!(
        suggestion["fields"],
        serde_json::json!([{"form": "BD999999", "field": "f1"}])
    );
    assert_eq!(
        suggestion["left_out"],
        serde_json::json!([{"field": {"form": "BD999999", "field": "f2"}, "element": "DE999999",
                            "reason": {"why": "taken", "by": "f1"}}])
    );
    assert_eq!(suggestion["covers"], 2);
    // the text names the reason, the alternatives (here one character longer) and why f2
    // is left out
    let text = ok(yibiao(db.path()).args(["merge", "ZT001"]));
    assert!(
        text.contains(
            "   90 BD999999/f1 → DE999999 紧急联系人电话  (a synonym, covers 2 of the bundle's labels)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "      or: DE999998 紧急联系电话号 (name one character apart 55, 1 field(s))\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("      BD999999/f2 left out: f1 of the same form goes to DE999999 here\n"),
        "{text}"
    );
    let text = ok(yibiao_zh(db.path()).args(["merge", "ZT001"]));
    assert!(
        text.contains("      BD999999/f2 未纳入：同表的 f1 已在此建议中绑定 DE999999\n"),
        "{text}"
    );
    // merged from the records the merge reads (by `outline.idx`, the pool an element at a
    // time), or from the loaded catalog without the outline: the same answers
    let filled = db.path().join("filled.json");
    std::fs::write(
        &filled,
        r#"{"bundle": "ZT001", "values": {"DE000030": "某某餐饮有限公司", "DE000010": "四川省广安市"}}"#,
    )
    .unwrap();
    let outputs = || {
        let merged = |args: &[&str]| ok(yibiao(db.path()).args(["merge", "ZT001"]).args(args));
        let linted = |args: &[&str]| {
            let (code, stdout, stderr) = run(yibiao(db.path()).args(["form", "lint"]).args(args));
            format!("{code}\n{stdout}\n{stderr}")
        };
        [
            merged(&[]),
            merged(&["--json"]),
            merged(&answers),
            merged(&["--all-answers"]),
            merged(&["--flow", "text"]),
            {
                let file = db.path().join("merged.json");
                merged(&["--export", file.to_str().unwrap()]);
                std::fs::read_to_string(&file).unwrap()
            },
            // one form's lint, its offers from the pool too
            linted(&["BD999999"]),
            linted(&["BD999999", "--json"]),
            linted(&["BD000055"]),
            // conditions a bundle of its item answers (BD000083's `nature`)
            linted(&["BD000083"]),
            // values spread over the source forms, an address's parts among them
            {
                let (code, stdout, stderr) = run(yibiao(db.path())
                    .args(["merge", "ZT001", "--distribute"])
                    .arg(&filled));
                format!("{code}\n{stdout}\n{stderr}")
            },
            linted(&["BD-NONE"]),
        ]
    };
    let outline = db.path().join("outline.idx");
    assert!(outline.exists());
    let unloaded = outputs();
    std::fs::remove_file(&outline).unwrap();
    assert_eq!(unloaded, outputs());
    // a bundle whose item asks for no material says so under its heading
    let file = db.path().join("bare.json");
    std::fs::write(
        &file,
        r#"{"format": "yibiao/1",
            "items": [{"code": "I-BARE", "name": "无材料事项", "level": "main", "item_type": "01"}],
            "bundles": [{"code": "ZT-BARE", "name": "空主题", "items": ["I-BARE"]}]}"#,
    )
    .unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    let text = ok(yibiao(db.path()).args(["merge", "ZT-BARE"]));
    assert!(
        text.ends_with("materials\n  none (the applicable items ask for none)\n"),
        "{text}"
    );
    let text = ok(yibiao_zh(db.path()).args(["merge", "ZT-BARE"]));
    assert!(
        text.ends_with("材料\n  无（适用的事项没有材料）\n"),
        "{text}"
    );
}

/// QA round 6 #1 and #3: per form the field labelled with the element's name is bound (not
/// a synonym or a typo that reads the same), the suggestion gives the strongest reason, and
/// an element named as the label ranks above one that has it as a synonym.
#[test]
fn merge_binds_the_field_named_after_the_element_under_the_strongest_reason() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let mut doc: Value = serde_json::from_str(&export(db.path())).unwrap();
    // (form, its new fields as (key, label, element))
    type Added<'a> = (&'a str, &'a [(&'a str, &'a str, Option<&'a str>)]);
    let added: [Added<'_>; 6] = [
        (
            "BD000003",
            &[("f90", "邮编", None), ("f91", "邮政编码", None)],
        ),
        ("BD000029", &[("f90", "邮政编码", None)]),
        (
            "BD000058",
            &[("f90", "邮政编码", None), ("f92", "邮征编码", None)],
        ),
        (
            "BD000051",
            &[("f90", "邮政编码", Some("DE000009")), ("f91", "邮编", None)],
        ),
        ("BD000052", &[("f91", "证件号码", None)]),
        ("BD000055", &[("f91", "证件号码", None)]),
    ];
    let forms: Vec<Value> = doc["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|form| {
            let (_, fields) = added.iter().find(|(code, _)| form["code"] == *code)?;
            let mut form = form.clone();
            let section = form["sections"][0]["fields"].as_array_mut().unwrap();
            for (key, label, element) in fields.iter() {
                section.push(serde_json::json!({"key": key, "label": label, "element": element}));
            }
            Some(form)
        })
        .collect();
    assert_eq!(forms.len(), added.len());
    doc = serde_json::json!({"format": "yibiao/1", "forms": forms});
    let file = db.path().join("forms.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    let args = [
        "merge",
        "ZT001",
        "--answer",
        "area=ge500",
        "--answer",
        "signboard=yes",
        "--answer",
        "tobacco=yes",
    ];
    let text = ok(yibiao(db.path()).args(args));
    assert!(
        text.contains(
            "   90 BD000003/f91, BD000029/f90, BD000058/f90 → DE000009 邮政编码  (on the merged form, same name, covers 3 of the bundle's labels)\n\
             \x20     BD000003/f90 left out: f91 of the same form goes to DE000009 here\n\
             \x20     BD000058/f92 left out: f90 of the same form goes to DE000009 here\n\
             \x20     BD000051/f91 left out: f90 of the same form is bound to DE000009 already"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "   90 BD000052/f91, BD000055/f91 → DE000017 证件号码  (same name)\n\
             \x20     or: DE000005 身份证号码 (a synonym 90, 2 field(s))\n"
        ),
        "{text}"
    );
    // the element named 证件号码 comes before the synonym among suggestions of one score
    let at = |needle: &str| text.find(needle).unwrap_or(usize::MAX);
    assert!(at("→ DE000017") < at("→ DE000007"), "{text}");
    let out: Value = serde_json::from_str(&ok(yibiao(db.path()).args(args).arg("--json"))).unwrap();
    let post = out["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["element"] == "DE000009")
        .expect("DE000009 is suggested");
    assert_eq!(post["reason"], "element_name");
    let text = ok(yibiao_zh(db.path()).args(args));
    assert!(
        text.contains("→ DE000009 邮政编码  （合并表单已用，名称相同，覆盖本主题 3 个标签）\n"),
        "{text}"
    );
}

/// QA round 5 §9: empty standard input is an error, an unknown element code is named as
/// such, and the CLI shares the validators' open-ended 日期段 and spaced landlines.
#[test]
fn validate_refuses_no_values_and_names_a_missing_element() {
    let db = tempfile::tempdir().unwrap();
    let out = yibiao(db.path())
        .args(["validate", "cn_id", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no values to validate"), "{stderr}");
    assert!(out.stdout.is_empty());
    let out = yibiao_zh(db.path())
        .args(["validate", "cn_id", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有要检查的值"));

    let stdout =
        ok(yibiao(db.path()).args(["validate", "date_range", "2024-01-01~长期", "2024-01-01~"]));
    assert_eq!(stdout, "✓ 2024-01-01~长期\n✓ 2024-01-01~\n");
    ok(yibiao(db.path()).args(["validate", "landline", "028 86123456", "+86-28-86123456"]));

    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let (code, _, stderr) = run(yibiao(db.path()).args(["validate", "DE9999", "1"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no element DE9999"), "{stderr}");
    let (_, _, stderr) = run(yibiao_zh(db.path()).args(["validate", "DE9999", "1"]));
    assert!(stderr.contains("没有数据元 DE9999"), "{stderr}");
    let (code, _, stderr) = run(yibiao(db.path()).args(["validate", "phone", "1"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("phone is neither a kind"), "{stderr}");
}

/// QA session 8: `validate` takes a cascade's label path as it takes its code path (and
/// `validate --help` shows the syntax), and refuses a negative amount of money.
#[test]
fn validate_takes_cascade_labels_and_refuses_a_negative_amount() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let stdout = ok(yibiao(db.path()).args([
        "validate",
        "DE000018",
        "510000/511600/511602",
        "四川省/广安市/广安区",
        "四川省/511600/广安区",
    ]));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('✓')).count(),
        3,
        "{stdout}"
    );
    let (code, stdout, _) =
        run(yibiao(db.path()).args(["validate", "DE000018", "四川省/成都市/广安区"]));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("level 3: '广安区' is not under '成都市'"),
        "{stdout}"
    );
    let help = ok(yibiao(db.path()).args(["validate", "--help"]));
    assert!(help.contains("四川省/广安市/广安区"), "{help}");

    // 注册资本 (万元) is not negative; a plain number may be
    let (code, stdout, _) = run(yibiao_zh(db.path()).args(["validate", "DE000034", "--", "-5"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("以「万元」计的数量不能为负数"), "{stdout}");
    ok(yibiao(db.path()).args(["validate", "DE000034", "0", "12.5"]));
    ok(yibiao(db.path()).args(["validate", "number", "--", "-5"]));
}

/// QA round 6: choices and cascades are kept as option codes, reported as the x → X
/// respelling is; cascade messages name the parent by label and the number of levels; a
/// refused number gets an example that fits.
#[test]
fn validate_keeps_choices_as_codes_and_explains_cascades_and_numbers() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let stdout = ok(yibiao(db.path()).args([
        "validate",
        "DE000018",
        "四川省/广安市/广安区",
        "四川省/511600/广安区",
        "510000/511600/511602",
        "四川省/广安市/",
    ]));
    assert_eq!(
        stdout,
        "✓ 四川省/广安市/广安区 → 510000/511600/511602\n\
         ✓ 四川省/511600/广安区 → 510000/511600/511602\n\
         ✓ 510000/511600/511602\n\
         ✓ 四川省/广安市/ → 510000/511600  (needs 1 more level)\n"
    );
    // valid but not finished, as the form preview says it
    let stdout = ok(yibiao_zh(db.path()).args(["validate", "DE000018", "四川省", "--json"]));
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(json[0]["valid"], true, "{stdout}");
    assert_eq!(json[0]["levels_left"], 2, "{stdout}");
    let stdout = ok(yibiao_zh(db.path()).args(["validate", "DE000018", "四川省"]));
    assert_eq!(stdout, "✓ 四川省 → 510000  (还需选择下 2 级)\n");
    let stdout = ok(yibiao(db.path()).args(["validate", "DE000032", "有限责任公司", "--json"]));
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(json[0]["normalized"], "1100", "{stdout}");
    let stdout =
        ok(yibiao(db.path()).args(["validate", "DE000018", "四川省/广安市/广安区", "--json"]));
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(json[0]["normalized"], "510000/511600/511602", "{stdout}");

    let (code, stdout, _) =
        run(yibiao_zh(db.path()).args(["validate", "DE000018", "四川省/广安市/广安区/", "广安区"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("只有 3 级：「广安区」已是最后一级"),
        "{stdout}"
    );
    assert!(stdout.contains("（其上级为 广安市 511600）"), "{stdout}");

    let (code, stdout, _) = run(yibiao_zh(db.path()).args([
        "validate", "DE000034", "--", "－5", "abc", "1,000", ".5", "1e3",
    ]));
    assert_eq!(code, 1, "{stdout}");
    for said in [
        "「－5」不是数字：「－」不是半角负号，请用「-」；且以「万元」计的数量不能为负数",
        "「abc」不是数字（应如 12.5）",
        "「1,000」不是数字：不要用千位分隔符（应如 1000）",
        "「.5」不是数字：小数点前应有数字（应如 0.5）",
        "「1e3」不是数字：不要用科学计数法（应如 1000）",
    ] {
        assert!(stdout.contains(said), "{said}\n{stdout}");
    }
    assert!(!stdout.contains("-12.5"), "{stdout}");
}

/// QA session 8: applicants type a 身份证号码's check character as x; it is valid, and the
/// spelling it is kept in (X) is reported.
#[test]
fn validate_accepts_a_lower_case_x_and_reports_it_upper_case() {
    let db = tempfile::tempdir().unwrap();
    let stdout = ok(yibiao(db.path()).args([
        "validate",
        "cn_id",
        "11010519491231002x",
        "11010519491231002X",
    ]));
    assert_eq!(
        stdout,
        "✓ 11010519491231002x → 11010519491231002X\n✓ 11010519491231002X\n"
    );
    let (code, stdout, _) = run(yibiao(db.path()).args([
        "validate",
        "cn_id",
        "11010519491231002x",
        "110105194912310021",
        "--json",
    ]));
    assert_eq!(code, 1, "one is not valid");
    let json: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(json[0]["valid"], true);
    assert_eq!(json[0]["normalized"], "11010519491231002X");
    assert_eq!(json[1]["valid"], false);
    assert_eq!(json[1]["normalized"], Value::Null);
}

/// Damages a stored record in place (half its bytes), as a failing disk might.
fn damage_record(db: &std::path::Path, key: &str) {
    let sled_db = common::raw_sled(db);
    let records = sled_db.open_tree("records").unwrap();
    let mut value = records.get(key).unwrap().unwrap().to_vec();
    value.truncate(value.len() / 2);
    records.insert(key, value).unwrap();
    sled_db.flush().unwrap();
}

/// `element show`, `element uses`, `form show`, `log` of a code, `validate` against an
/// element and `bundle list` read the records they need without loading the catalog (at a
/// million elements a load takes seconds): with another record damaged, which stops a load, they still answer as before,
/// while a command that loads the catalog reports the damage.
#[test]
fn one_records_commands_answer_without_loading_the_catalog() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let shown = |args: &[&str]| ok(yibiao(db.path()).args(args));
    let element = shown(&["element", "show", "DE0002", "--json"]);
    let form = shown(&["form", "show", "F001"]);
    let history = shown(&["log", "DE0002"]);
    let bundles = shown(&["bundle", "list", "--json"]);
    let uses = shown(&["element", "uses", "DE0002"]);
    let uses_json = shown(&["element", "uses", "DE0002", "--json"]);
    let forms = shown(&["form", "list", "--json"]);
    let food = shown(&["form", "list", "spjy"]);
    let out = tempfile::tempdir().unwrap();
    let blank = |name: &str| {
        let file = out.path().join(name);
        ok(yibiao(db.path())
            .args(["form", "export", "F002"])
            .arg(&file));
        std::fs::read_to_string(&file).unwrap()
    };
    let blank_before = blank("before.json");
    // the import left the element links beside the store with its outline, and the lint
    // counts
    assert!(db.path().join("links.idx").exists());
    assert!(db.path().join("lint.idx").exists());
    assert!(forms.contains("\"warnings\": 4"), "{forms}");

    damage_record(db.path(), "EDE0010");
    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "dups"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("element DE0010 is damaged"), "{stderr}");

    assert_eq!(shown(&["element", "show", "DE0002", "--json"]), element);
    assert!(element.contains("\"uses\": 2"), "{element}");
    assert_eq!(shown(&["form", "show", "F001"]), form);
    // a blank form reads the form and the elements it binds (not DE0010)
    assert_eq!(blank("after.json"), blank_before);
    assert!(blank_before.contains("DE0002"), "{blank_before}");
    assert_eq!(shown(&["log", "DE0002"]), history);
    assert_eq!(shown(&["bundle", "list", "--json"]), bundles);
    assert!(bundles.contains("我要开餐馆"), "{bundles}");
    let verdicts = shown(&["validate", "DE0002", "110101199003078515"]);
    assert!(verdicts.contains("✓ 110101199003078515"), "{verdicts}");
    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "show", "DE9999"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown element DE9999"), "{stderr}");
    // where an element is used comes from the cached element links and the outline
    assert_eq!(shown(&["element", "uses", "DE0002"]), uses);
    assert_eq!(shown(&["element", "uses", "DE0002", "--json"]), uses_json);
    assert_eq!(uses_json.matches("\"label\":").count(), 2, "{uses_json}");
    assert!(uses.contains("F001"), "{uses}");
    // the forms as the outline lists them, with the cached lint counts
    assert_eq!(shown(&["form", "list", "--json"]), forms);
    assert_eq!(shown(&["form", "list", "spjy"]), food);
    assert!(food.contains("F001"), "{food}");
    // without the counts they are counted from the records, the pool read whole (the
    // damage stops it); without the links the catalog is loaded, and the damage stops it
    std::fs::remove_file(db.path().join("lint.idx")).unwrap();
    let (code, _, stderr) = run(yibiao(db.path()).args(["form", "list"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("element DE0010 is damaged"), "{stderr}");
    std::fs::remove_file(db.path().join("links.idx")).unwrap();
    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "uses", "DE0002"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("element DE0010 is damaged"), "{stderr}");
}

/// `element merge` is written over the records near the merge when the store has its element
/// links cached (at a million elements the catalog takes 670 MiB): with a record it does not
/// read damaged, which stops a load, the merge is made, its fields moved and the caches kept.
#[test]
fn element_merge_writes_over_the_records_near_it_without_loading_the_catalog() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let file = db.path().join("extra.json");
    std::fs::write(
        &file,
        r#"{"format":"yibiao/1","elements":[{"code":"DE0099","name":"人员姓名","kind":"text"}]}"#,
    )
    .unwrap();
    ok(yibiao(db.path()).arg("import").arg(&file));
    damage_record(db.path(), "A11511602MB7654321Y");
    let (code, _, stderr) = run(yibiao(db.path()).arg("check"));
    assert_ne!(code, 0, "a load stops at the damage");
    assert!(stderr.contains("11511602MB7654321Y"), "{stderr}");

    let (code, _, stderr) =
        run(yibiao(db.path()).args(["element", "merge", "DE0001", "--into", "DE0099"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("merged DE0001 into DE0099: 2 fields"),
        "{stderr}"
    );
    // the fields moved, the merged element gone, its name a synonym the search finds
    let uses = ok(yibiao(db.path()).args(["element", "uses", "DE0099", "--json"]));
    assert_eq!(uses.matches("\"label\":").count(), 2, "{uses}");
    let (code, _, stderr) = run(yibiao(db.path()).args(["element", "show", "DE0001"]));
    assert_eq!(code, 1, "{stderr}");
    let hits = ok(yibiao(db.path()).args(["element", "search", "xm", "--json"]));
    assert!(
        hits.contains("DE0099") && !hits.contains("\"DE0001\""),
        "{hits}"
    );
    // refused as over the loaded catalog: another kind
    let (code, _, stderr) =
        run(yibiao(db.path()).args(["element", "merge", "DE0002", "--into", "DE0099"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("kinds differ"), "{stderr}");
}

/// `template claim` is written over the records near the claim (the template and its forms,
/// read as the cached outline lists them; the new codes checked against the store's keys):
/// with a record it does not read damaged, which stops a load, the claim is made, and a code
/// the store holds is refused.
#[test]
fn template_claim_writes_over_the_records_near_it_without_loading_the_catalog() {
    const TEMPLATE: &str = "0100001001-510104000000-000-1151010431236097XB-1-00";
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    damage_record(db.path(), "BZT005");
    let (code, _, stderr) = run(yibiao(db.path()).arg("check"));
    assert_ne!(code, 0, "a load stops at the damage");
    assert!(stderr.contains("ZT005"), "{stderr}");

    let claim =
        |new: &str| run(yibiao(db.path()).args(["template", "claim", TEMPLATE, "--as", new]));
    let (code, _, stderr) = claim("SX-NEW");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("claimed template") && stderr.contains("1 form(s) copied"),
        "{stderr}"
    );
    let compared = ok(yibiao(db.path()).args(["template", "compare", "SX-NEW"]));
    assert!(compared.contains("conforms to the template"), "{compared}");
    let (code, _, stderr) = claim("SX-NEW");
    assert_eq!(code, 1);
    assert!(stderr.contains("item SX-NEW exists"), "{stderr}");
    // a material's code is another kind's: an item may take it
    let (code, _, stderr) = claim("CL000001");
    assert_eq!(code, 0, "{stderr}");
}

/// `form list` without cached lint counts counts them from the records, a form at a time,
/// and caches them again: the same list; `form lint` reads the same way, and its warnings
/// are the counts.
#[test]
fn form_list_counts_the_warnings_from_the_records_when_they_are_not_cached() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let cache = db.path().join("lint.idx");
    let listed = ok(yibiao(db.path()).args(["form", "list", "--json"]));
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(
        ok(yibiao(db.path()).args(["form", "list", "--json"])),
        listed
    );
    assert!(cache.exists(), "counted, then cached");
    let forms: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let (code, linted, _) = run(yibiao(db.path()).args(["form", "lint", "--json"]));
    assert_eq!(code, 1);
    let warnings: Vec<serde_json::Value> = serde_json::from_str(&linted).unwrap();
    for form in &forms {
        let of = warnings
            .iter()
            .filter(|w| w["form"] == form["code"])
            .count();
        assert_eq!(form["warnings"].as_u64(), Some(of as u64), "{form}");
    }
    assert!(warnings.len() >= 4, "{linted}");
}

/// A store older than the search tree, which holds each element's use count, answers
/// `element show` from the loaded catalog, with the same count.
#[test]
fn element_show_on_a_store_without_a_search_tree_counts_from_the_catalog() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("import").arg(fixture("small.json")));
    let element = ok(yibiao(db.path()).args(["element", "show", "DE0002", "--json"]));
    {
        let sled_db = common::raw_sled(db.path());
        sled_db.open_tree("meta").unwrap().remove("search").unwrap();
        sled_db.drop_tree("search").unwrap();
        sled_db.flush().unwrap();
    }
    let again = ok(yibiao(db.path()).args(["element", "show", "DE0002", "--json"]));
    assert_eq!(again, element);
    assert!(again.contains("\"uses\": 2"), "{again}");
}
