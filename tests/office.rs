//! Office interchange end to end: XLSX and CSV round trips, malformed inputs, and the real
//! county catalog.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{export, fixture, ok, run, yibiao, yibiao_zh};
use serde_json::{Value, json};
use yibiao::i18n::Lang;
use yibiao::io::xlsx;

/// Imports `catalog_json` into a fresh store, exports it as `office` (a file or a directory
/// ending in `/`, with `extra` export arguments), imports that into another fresh store and
/// asserts both stores export identical JSON. Works on any catalog file.
fn assert_round_trip(catalog_json: &Path, office: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    ok(yibiao(&a).arg("import").arg(catalog_json));
    let original = export(&a);
    let target = format!("{}/{office}", dir.path().display());
    ok(yibiao(&a).arg("export").arg(&target).args(extra));
    let mut import = yibiao(&b);
    import.arg("import").arg(&target);
    if let Some(i) = extra.iter().position(|a| *a == "--encoding") {
        import.args(&extra[i..i + 2]);
    }
    ok(&mut import);
    assert_eq!(
        export(&b),
        original,
        "round trip through {office} changed the catalog"
    );
}

/// `small.json` with values that stress cell encodings: separators, escapes, new lines,
/// spaces, formula-like text, empty conditions.
fn tricky_catalog(dir: &Path) -> PathBuf {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("small.json")).unwrap()).unwrap();
    doc["elements"].as_array_mut().unwrap().push(json!({
        "code": "DE9001", "name": " =SUM(A1) 名称;含分号 ", "kind": "pattern",
        "synonyms": ["a;b", "c\\d", "e；f", "x=y,z", "逗号,"],
        "definition": "第一行\n第二行, \"引号\"\t制表",
        "pattern": "^[0-9]{3};\\d+$", "unit": "元", "share": "conditional",
        "security_level": 4, "status": "returned", "version": 7
    }));
    doc["elements"].as_array_mut().unwrap().push(json!({
        "code": "DE9002", "name": "选项", "kind": "dropdown",
        "options": [{"code": "a;1", "label": "甲,乙"}, {"code": "b", "label": "=1+1", "parent": "a;1"}]
    }));
    let material = doc["materials"][0]["code"].clone();
    let bundle = &mut doc["bundles"][0];
    let first_item = bundle["items"][0].clone();
    let question = bundle["questions"][0].clone();
    let q = question["key"].as_str().unwrap().to_string();
    let o = question["options"][0]["key"].as_str().unwrap().to_string();
    bundle["item_when"][first_item.as_str().unwrap()] = json!({});
    bundle["materials"].as_array_mut().unwrap().push(json!({
        "material": material, "item": first_item, "when": {q: [o]}
    }));
    let path = dir.join("tricky.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

#[test]
fn json_to_xlsx_to_json_is_lossless() {
    assert_round_trip(&fixture("small.json"), "catalog.xlsx", &[]);
    assert_round_trip(
        &fixture("small.json"),
        "catalog-en.xlsx",
        &["--headers", "en"],
    );
    let dir = tempfile::tempdir().unwrap();
    assert_round_trip(&tricky_catalog(dir.path()), "tricky.xlsx", &[]);
}

#[test]
fn json_to_gb18030_csv_to_json_is_lossless() {
    assert_round_trip(&fixture("small.json"), "csv/", &["--encoding", "gb18030"]);
    assert_round_trip(&fixture("small.json"), "csv-utf8/", &[]);
    let dir = tempfile::tempdir().unwrap();
    assert_round_trip(
        &tricky_catalog(dir.path()),
        "csv/",
        &["--encoding", "gb18030"],
    );
}

#[test]
fn csv_exports_are_gb18030_or_utf8_with_bom() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    let gb = dir.path().join("elements.csv");
    ok(yibiao(&db)
        .args(["export", "--kind", "element", "--encoding", "gb18030"])
        .arg(&gb));
    let bytes = std::fs::read(&gb).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "GB18030 is not UTF-8");
    let (text, _, errors) = encoding_rs::GB18030.decode(&bytes);
    assert!(!errors);
    assert!(text.starts_with("编码,名称,同义词,类型"), "{text}");
    assert!(text.contains("DE0002,身份证号码,公民身份号码;证件号码,身份证号码"));
    // standard output gets the same bytes, not text made of them
    let out = yibiao(&db)
        .args(["export", "-", "--format", "csv", "--kind", "element"])
        .args(["--encoding", "gb18030"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, bytes);
    let utf8 = dir.path().join("数据元.csv");
    ok(yibiao(&db).args(["export", "--kind", "element"]).arg(&utf8));
    assert!(std::fs::read(&utf8).unwrap().starts_with(b"\xEF\xBB\xBF"));
    // a single CSV without --kind is refused
    let (code, _, stderr) = run(yibiao(&db).arg("export").arg(dir.path().join("x.csv")));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--kind"), "{stderr}");
}

#[test]
fn a_table_without_its_nested_table_keeps_the_stored_lists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    let before = export(&db);
    let elements = dir.path().join("elements.csv");
    ok(yibiao(&db)
        .args(["export", "--kind", "element"])
        .arg(&elements));
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&elements));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("0 created, 0 updated, 10 unchanged"),
        "{stderr}"
    );
    assert_eq!(export(&db), before);
}

/// The store's export before and after a failing import are equal; returns stderr.
fn assert_refused(db: &Path, import: &mut Command) -> String {
    let before = export(db);
    let (code, stdout, stderr) = run(import);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(export(db), before, "a refused import changed the store");
    stderr
}

fn store_with_small(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    ok(yibiao(&db).arg("import").arg(fixture("small.json")));
    db
}

#[test]
fn truncated_and_random_xlsx_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let book = dir.path().join("book.xlsx");
    ok(yibiao(&db).arg("export").arg(&book));
    let bytes = std::fs::read(&book).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 30, 100] {
        let truncated = dir.path().join("truncated.xlsx");
        std::fs::write(&truncated, &bytes[..cut]).unwrap();
        let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&truncated));
        assert!(stderr.contains("truncated.xlsx"), "{stderr}");
        assert!(stderr.contains("not a valid XLSX file"), "{stderr}");
    }
    let random = dir.path().join("random.xlsx");
    let mut rng = fastrand::Rng::with_seed(7);
    let noise: Vec<u8> = std::iter::repeat_with(|| rng.u8(..)).take(4096).collect();
    std::fs::write(&random, noise).unwrap();
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&random));
    assert!(
        stderr.contains("random.xlsx: not a valid XLSX file"),
        "{stderr}"
    );
}

#[test]
fn csv_forced_to_the_wrong_encoding_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let gb = dir.path().join("elements.csv");
    ok(yibiao(&db)
        .args(["export", "--kind", "element", "--encoding", "gb18030"])
        .arg(&gb));
    let stderr = assert_refused(
        &db,
        yibiao(&db)
            .arg("import")
            .arg(&gb)
            .args(["--encoding", "utf-8"]),
    );
    assert!(stderr.contains("elements.csv: not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("--encoding gb18030"), "{stderr}");
    // and the other way round: UTF-8 read as GB18030 would be mojibake
    let utf8 = dir.path().join("utf8").join("elements.csv");
    std::fs::create_dir_all(utf8.parent().unwrap()).unwrap();
    std::fs::write(&utf8, "code,name,kind\nDE0001,姓名,text\n".as_bytes()).unwrap();
    let stderr = assert_refused(
        &db,
        yibiao(&db)
            .arg("import")
            .arg(&utf8)
            .args(["--encoding", "gb18030"]),
    );
    assert!(stderr.contains("mojibake"), "{stderr}");
    // detected without --encoding, the GB18030 file imports
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&gb));
    assert_eq!(code, 0, "{stderr}");
}

/// Traditional region names in a Big5 file (what `iconv -t big5` makes of them).
const BIG5_REGIONS: &str =
    "code,name,parent\n510000,四川省,\n510100,四川省成都市區域,510000\n510104,錦江區,510100\n";

#[test]
fn a_big5_csv_is_detected_and_the_encoding_is_always_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let big5 = dir.path().join("big5").join("regions.csv");
    std::fs::create_dir_all(big5.parent().unwrap()).unwrap();
    let bytes = yibiao::io::csv::encode(BIG5_REGIONS, yibiao::io::csv::Encoding::Big5)
        .expect("traditional text has Big5 codes");
    // the bytes GB18030 reads without an error, as mojibake
    assert!(
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .is_some()
    );
    std::fs::write(&big5, &bytes).unwrap();
    // a dry run names the encoding too, and writes nothing
    let before = export(&db);
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&big5).arg("--dry-run"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("regions.csv: read as Big5 (detected)"),
        "{stderr}"
    );
    assert_eq!(export(&db), before);
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&big5));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("regions.csv: read as Big5 (detected)"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    let stored = export(&db);
    assert!(
        stored.contains("四川省成都市區域") && stored.contains("錦江區"),
        "{stored}"
    );
    // in Chinese, and when asked for with --encoding
    let (code, _, stderr) = run(yibiao_zh(&db).arg("import").arg(&big5));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("regions.csv：按 Big5 读取（自动检测）"),
        "{stderr}"
    );
    let (code, _, stderr) = run(yibiao(&db)
        .arg("import")
        .arg(&big5)
        .args(["--encoding", "big5"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("regions.csv: read as Big5 (--encoding)"),
        "{stderr}"
    );
    // a GB18030 file is GB18030, and says so
    let gb = dir.path().join("gb").join("regions.csv");
    std::fs::create_dir_all(gb.parent().unwrap()).unwrap();
    let simplified =
        "code,name,parent\n510000,四川省,\n510100,四川省成都市,510000\n510104,锦江区,510100\n";
    std::fs::write(
        &gb,
        yibiao::io::csv::encode(simplified, yibiao::io::csv::Encoding::Gb18030).unwrap(),
    )
    .unwrap();
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&gb));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("regions.csv: read as GB18030 (detected)"),
        "{stderr}"
    );
    assert!(export(&db).contains("锦江区"));
    // too little text to tell: GB18030, with a warning naming the way out
    let short = dir.path().join("short").join("regions.csv");
    std::fs::create_dir_all(short.parent().unwrap()).unwrap();
    std::fs::write(
        &short,
        yibiao::io::csv::encode("code,name\n510000,川\n", yibiao::io::csv::Encoding::Gb18030)
            .unwrap(),
    )
    .unwrap();
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&short).arg("--dry-run"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("warning: ")
            && stderr.contains(
                "regions.csv: the encoding is uncertain: read as GB18030, but it may be Big5; if the text looks garbled, import again with --encoding big5"
            ),
        "{stderr}"
    );
    // problems come after the encoding: a wrong one explains them
    let ragged = dir.path().join("ragged").join("regions.csv");
    std::fs::create_dir_all(ragged.parent().unwrap()).unwrap();
    let text = format!("{BIG5_REGIONS}510105,青羊區\n");
    std::fs::write(
        &ragged,
        yibiao::io::csv::encode(&text, yibiao::io::csv::Encoding::Big5).unwrap(),
    )
    .unwrap();
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&ragged));
    let note = stderr.find("regions.csv: read as Big5 (detected)");
    let problem = stderr.find("regions.csv row 5: has 2 cells, the header has 3");
    assert!(
        note.is_some() && problem.is_some() && note < problem,
        "{stderr}"
    );
}

#[test]
fn a_big5_export_writes_traditional_text_and_refuses_what_big5_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("in").join("regions.csv");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, BIG5_REGIONS).unwrap();
    ok(yibiao(&db).arg("import").arg(&file));
    let out = dir.path().join("out.csv");
    ok(yibiao(&db)
        .args([
            "export",
            "--kind",
            "regions",
            "--headers",
            "en",
            "--encoding",
            "big5",
        ])
        .arg(&out));
    let bytes = std::fs::read(&out).unwrap();
    let (text, _, bad) = encoding_rs::BIG5.decode(&bytes);
    assert!(!bad);
    assert!(text.contains("510100,四川省成都市區域,510000"), "{text}");
    // the sample is simplified Chinese: Big5 has no code for most of it
    let sample = dir.path().join("sample");
    ok(yibiao(&sample).arg("sample"));
    let target = dir.path().join("big5/");
    let (code, _, stderr) = run(yibiao(&sample)
        .arg("export")
        .arg(&target)
        .args(["--encoding", "big5"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot be written in Big5; export as UTF-8 or GB18030"),
        "{stderr}"
    );
    assert!(!target.exists(), "nothing is written");
    let (code, _, stderr) = run(yibiao(&sample)
        .args(["stats", "--export"])
        .arg(dir.path().join("stats/"))
        .args(["--encoding", "big5"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be written in Big5"), "{stderr}");
    assert!(!dir.path().join("stats").exists());
}

#[test]
fn ragged_csv_rows_are_reported_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let file = dir.path().join("regions.csv");
    std::fs::write(
        &file,
        "code,name,parent\n510000,四川省,\n511600,广安市\n511602,广安区,511600,x\n",
    )
    .unwrap();
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&file));
    assert!(
        stderr.contains("regions.csv row 3: has 2 cells, the header has 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("regions.csv row 4: has 4 cells, the header has 3"),
        "{stderr}"
    );
}

#[test]
fn a_csv_quote_never_closed_is_refused_not_swallowing_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(yibiao(&db).arg("sample"));
    let text = "数据元,编码,显示值\nDE000002,1,\"男\nDE000002,2,女\nDE000002,9,未说明\n";
    let utf8 = dir.path().join("utf8").join("数据元选项.csv");
    let gb = dir.path().join("gb").join("数据元选项.csv");
    for (file, bytes) in [
        (
            &utf8,
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        (
            &gb,
            yibiao::io::csv::encode(text, yibiao::io::csv::Encoding::Gb18030).expect("GB18030"),
        ),
    ] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
        let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(file));
        assert!(
            stderr.contains(
                "数据元选项.csv C2: a quote opened here (line 2) is never closed; the rest of the file would become one cell"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn unknown_headers_and_bad_cells_are_reported_at_their_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let file = dir.path().join("数据元.csv");
    std::fs::write(&file, "编码,名称,类型,颜色\nDE0100,甲,文本,红\n").unwrap();
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&file));
    assert!(
        stderr.contains("数据元.csv D1: unknown column \"颜色\""),
        "{stderr}"
    );
    // the same in a workbook, in Chinese: FILE!SHEET C17: message
    let book = dir.path().join("数据元.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("数据元").unwrap();
    for (c, h) in ["编码", "名称", "类型", "上级"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..16u32 {
        ws.write_string(r, 0, format!("DE1{r:03}")).unwrap();
        ws.write_string(r, 1, format!("甲{r}")).unwrap();
        ws.write_string(r, 2, "文本").unwrap();
    }
    ws.write_string(16, 0, "DE1016").unwrap();
    ws.write_string(16, 1, "乙").unwrap();
    ws.write_string(16, 2, "身分证").unwrap();
    ws.write_string(16, 3, "DE9999").unwrap();
    wb.save(&book).unwrap();
    let mut zh = Command::new(env!("CARGO_BIN_EXE_yibiao"));
    zh.arg("--db")
        .arg(&db)
        .args(["--lang", "zh"])
        .env_remove("YIBIAO_DB")
        .arg("import")
        .arg(&book);
    let before = export(&db);
    let (code, _, stderr) = run(&mut zh);
    assert_eq!(code, 2, "{stderr}");
    let book_name = book.display();
    assert!(
        stderr.contains(&format!("{book_name}!数据元 C17: 未知类型 \"身分证\"")),
        "{stderr}"
    );
    assert!(stderr.contains("未写入任何数据"), "{stderr}");
    assert_eq!(export(&db), before);
    // a reference that does not resolve points at its cell too
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("elements").unwrap();
    for (c, h) in ["code", "name", "kind", "parent"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["DE1001", "甲", "text", "DE9999"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let en_book = dir.path().join("en.xlsx");
    wb.save(&en_book).unwrap();
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&en_book));
    assert!(
        stderr.contains("en.xlsx!elements D2: unknown element DE9999"),
        "{stderr}"
    );
}

#[test]
fn one_bad_cell_is_one_problem_not_one_per_reference_to_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let csv = dir.path().join("csv");
    ok(yibiao(&db)
        .arg("export")
        .arg(format!("{}/", csv.display()))
        .args(["--encoding", "utf-8"]));
    // DE0001 is bound by two form fields: its row is rejected for its kind
    let elements = csv.join("数据元.csv");
    let text = std::fs::read_to_string(&elements).unwrap();
    let bad = text.replacen("DE0001,姓名,,文本,", "DE0001,姓名,,文木,", 1);
    assert_ne!(bad, text, "the fixture's DE0001 row");
    std::fs::write(&elements, bad.as_bytes()).unwrap();
    let fresh = dir.path().join("fresh");
    let (code, _, stderr) = run(yibiao(&fresh).arg("import").arg(&csv));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("数据元.csv D2: unknown kind \"文木\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("数据元.csv row 2: and 2 references to DE0001 fail because of it"),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown element"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    let (code, _, stderr) = run(common::yibiao_zh(&fresh).arg("import").arg(&csv));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("数据元.csv 第 2 行: 另有 2 处引用 DE0001 因此无法导入"),
        "{stderr}"
    );
}

#[test]
fn a_lone_sheet_takes_its_table_from_the_file_name_or_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let write = |path: &Path, sheet: &str| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name(sheet).unwrap();
        for (c, v) in ["code", "name", "kind"].iter().enumerate() {
            ws.write_string(0, c as u16, *v).unwrap();
        }
        for (c, v) in ["DE8001", "新数据元", "邮箱"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        wb.save(path).unwrap();
    };
    let named = dir.path().join("数据元.xlsx");
    write(&named, "Sheet1");
    let (code, _, stderr) = run(yibiao(&db).arg("import").arg(&named).arg("--dry-run"));
    assert_eq!(code, 0, "{stderr}");
    let other = dir.path().join("book.xlsx");
    write(&other, "Sheet1");
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&other));
    assert!(
        stderr.contains("book.xlsx!Sheet1: unknown sheet \"Sheet1\""),
        "{stderr}"
    );
    ok(yibiao(&db)
        .arg("import")
        .arg(&other)
        .args(["--kind", "element"]));
    let doc: Value = serde_json::from_str(&export(&db)).unwrap();
    assert!(
        doc["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "DE8001" && e["kind"] == "email")
    );
    // a kind the workbook does not hold is nothing to import
    let elements = dir.path().join("elements.xlsx");
    write(&elements, "数据元");
    let stderr = assert_refused(
        &db,
        yibiao(&db)
            .arg("import")
            .arg(&elements)
            .args(["--kind", "item"]),
    );
    assert!(stderr.contains("no table to import"), "{stderr}");
}

/// A minimal workbook whose one sheet, 数据元, declares `dimension` and holds `rows`.
fn crafted_xlsx(path: &Path, dimension: &str, rows: &str) {
    crafted_workbook(path, dimension, rows, None);
}

/// As [`crafted_xlsx`], with a shared strings part (deflated, like a real workbook's) when
/// `shared` is given.
fn crafted_workbook(path: &Path, dimension: &str, rows: &str, shared: Option<&str>) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let shared_rel = if shared.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据元" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{shared_rel}</Relationships>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
            ),
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    if let Some(strings) = shared {
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/sharedStrings.xml", deflated).unwrap();
        zip.write_all(strings.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// Shared strings: the `<sst>` start with `unique` declared, then `items`.
fn sst(unique: u64, items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{unique}" uniqueCount="{unique}">{items}</sst>"#
    )
}

fn inline_row(r: u32, cells: &[(&str, &str)]) -> String {
    let cells: String = cells
        .iter()
        .map(|(at, v)| format!(r#"<c r="{at}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#))
        .collect();
    format!(r#"<row r="{r}">{cells}</row>"#)
}

#[test]
fn sheets_with_absurd_dimensions_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let header = inline_row(1, &[("A", "编码"), ("B", "名称"), ("C", "类型")]);
    let row = inline_row(2, &[("A", "DE7001"), ("B", "甲"), ("C", "文本")]);
    // the crafted workbook is readable when its dimension is honest
    let honest = dir.path().join("honest.xlsx");
    crafted_xlsx(&honest, "A1:C2", &format!("{header}{row}"));
    ok(yibiao(&db).arg("import").arg(&honest).arg("--dry-run"));
    // a million rows declared
    let million = dir.path().join("million.xlsx");
    crafted_xlsx(&million, "A1:H1000000", &format!("{header}{row}"));
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&million));
    assert!(
        stderr.contains("million.xlsx!数据元: the sheet declares 1000000 rows × 8 columns"),
        "{stderr}"
    );
    // the whole sheet declared
    let whole = dir.path().join("whole.xlsx");
    crafted_xlsx(&whole, "A1:XFD1048576", &format!("{header}{row}"));
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&whole));
    assert!(stderr.contains("16384 columns"), "{stderr}");
    // an honest dimension but a cell far away: no dense grid is built
    let far = dir.path().join("far.xlsx");
    let far_row = inline_row(1_000_000, &[("XFD", "x")]);
    crafted_xlsx(&far, "A1:C2", &format!("{header}{row}{far_row}"));
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&far));
    assert!(stderr.contains("a cell lies at"), "{stderr}");
}

#[test]
fn shared_strings_bombs_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    // shared-string cells: header 编码 名称 类型, one row
    let cell = |at: &str, i: u32| format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#);
    let rows = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        cell("A1", 0),
        cell("B1", 1),
        cell("C1", 2),
        cell("A2", 3),
        cell("B2", 4),
        cell("C2", 5)
    );
    let strings: String = ["编码", "名称", "类型", "DE7001", "甲", "文本"]
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let honest = dir.path().join("honest.xlsx");
    crafted_workbook(&honest, "A1:C2", &rows, Some(&sst(6, &strings)));
    ok(yibiao(&db).arg("import").arg(&honest).arg("--dry-run"));

    // four trillion strings declared: calamine would reserve them and abort the process
    let declared = dir.path().join("declared.xlsx");
    crafted_workbook(
        &declared,
        "A1:C2",
        &rows,
        Some(&sst(4_000_000_000_000, &strings)),
    );
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&declared));
    assert!(
        stderr.contains(
            "declared.xlsx: the shared strings declare 4000000000000 strings, beyond the limit of 5000000; refused"
        ),
        "{stderr}"
    );

    // five million and one empty strings in a 60 KB file (25 MB unpacked)
    let many = dir.path().join("many.xlsx");
    let empties = "<si/>".repeat(5_000_001);
    crafted_workbook(
        &many,
        "A1:C2",
        &rows,
        Some(&sst(6, &format!("{strings}{empties}"))),
    );
    assert!(std::fs::metadata(&many).unwrap().len() < 200_000);
    let stderr = assert_refused(&db, yibiao(&db).arg("import").arg(&many));
    assert!(
        stderr.contains("the shared strings hold more than 5000000 strings"),
        "{stderr}"
    );

    // one huge string: refused past the part limit (a small limit here, 256 MiB in imports)
    let huge = dir.path().join("huge.xlsx");
    let long = format!("<si><t>{}</t></si>", "a".repeat(2 << 20));
    crafted_workbook(
        &huge,
        "A1:C2",
        &rows,
        Some(&sst(7, &format!("{strings}{long}"))),
    );
    let bytes = std::fs::read(&huge).unwrap();
    let small = xlsx::Limits {
        part_bytes: 1 << 20,
        strings: 100,
    };
    let problems = xlsx::check_archive(&bytes, "huge.xlsx", small, Lang::En).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "huge.xlsx: xl/sharedStrings.xml unpacks to more than 1 MiB (a zip bomb?); refused"
    );
    assert!(xlsx::check_archive(&bytes, "huge.xlsx", xlsx::Limits::DEFAULT, Lang::En).is_ok());
    let honest = std::fs::read(&honest).unwrap();
    assert!(xlsx::check_archive(&honest, "honest.xlsx", small, Lang::En).is_ok());
}

#[test]
fn the_guangan_county_catalog_lands_with_its_counts_and_names_bad_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (code, _, stderr) = run(yibiao(&db)
        .arg("import")
        .arg(fixture("guangan-item-catalog.json")));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("county catalog: 34 agencies, 166 main items, 1135 sub-items"),
        "{stderr}"
    );
    let stats: Value = serde_json::from_str(&ok(yibiao(&db).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["regions"], 3);
    assert_eq!(stats["agencies"], 34);
    assert_eq!(stats["items_by_level"]["main"], 166);
    assert_eq!(stats["items_by_level"]["sub"], 1135);
    // sub-items keep their published codes and types; main items get generated codes
    let doc: Value = serde_json::from_str(&export(&db)).unwrap();
    let items = doc["items"].as_array().unwrap();
    let find = |code: &str| items.iter().find(|i| i["code"] == code).cloned();
    let sub = find("511A0138000000-511602000000-000-115113010833722043-1-00").unwrap();
    assert_eq!(sub["item_type"], "01");
    assert_eq!(sub["level"], "sub");
    assert_eq!(sub["agency"], "083372204");
    assert_eq!(sub["region"], "511602");
    assert_eq!(sub["parent"], "511602-M02-001");
    let main = find("511602-M02-001").unwrap();
    assert_eq!(main["level"], "main");
    assert_eq!(main["agency"], "083372204");
    // published there, so V1 here (publishing bumps V0 to V1), not 已发布 V0
    for item in [&sub, &main] {
        assert_eq!(
            (&item["status"], &item["version"]),
            (&json!("published"), &json!(1))
        );
    }
    // every invalid department code is named with the validator's reason
    let invalid: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("is not a valid unified social credit code"))
        .collect();
    assert_eq!(invalid.len(), 30, "{stderr}");
    for expected in [
        "区教科体局: department code 083372204 is not a valid unified social credit code: this looks like a 9-character organisation code (组织机构代码, GB 11714), not an 18-character unified social credit code",
        "区残联: department code 11511301452259996u is not a valid unified social credit code: character 'u' at position 18 should be upper case",
        "区司法局: department code 00877868-5 is not a valid unified social credit code: this looks like a 9-character organisation code (组织机构代码, GB 11714), not an 18-character unified social credit code",
        "区交通运输局: department code 11736 is not a valid",
        "区人社局: department code 1151130108778239R_5143 is not a valid",
    ] {
        assert!(
            invalid.iter().any(|l| l.contains(expected)),
            "{expected}\n{stderr}"
        );
    }
    // valid codes are not named
    assert!(
        !stderr.contains("department code 11511301008778183N"),
        "{stderr}"
    );
    // importing again changes nothing
    let (code, _, stderr) = run(yibiao(&db)
        .arg("import")
        .arg(fixture("guangan-item-catalog.json")));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("0 created, 0 updated, 1338 unchanged"),
        "{stderr}"
    );
}

#[test]
fn the_county_catalog_format_can_be_forced_and_round_trips_through_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("catalog.data");
    std::fs::copy(fixture("guangan-item-catalog.json"), &copy).unwrap();
    let db = dir.path().join("db");
    ok(yibiao(&db).arg("sample"));
    let before = export(&db);
    ok(yibiao(&db)
        .arg("import")
        .arg(&copy)
        .args(["--format", "dept-tree", "--dry-run"]));
    assert_eq!(export(&db), before, "a dry run writes nothing");
    // the imported county catalog survives XLSX and GB18030 CSV
    let db = dir.path().join("county");
    let json = dir.path().join("county.json");
    ok(yibiao(&db)
        .arg("import")
        .arg(&copy)
        .args(["--format", "dept-tree"]));
    std::fs::write(&json, export(&db)).unwrap();
    assert_round_trip(&json, "county.xlsx", &[]);
    assert_round_trip(&json, "county/", &["--encoding", "gb18030"]);
}

#[test]
fn a_record_imported_published_without_a_version_or_at_v0_is_at_v1_another_version_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("published.json");
    let element = |code: &str, extra: Value| {
        let mut e = json!({"code": code, "name": format!("名称{code}"), "kind": "text"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            e[k] = v.clone();
        }
        e
    };
    let doc = json!({"format": "yibiao/1", "elements": [
        element("DE7001", json!({"status": "published"})),
        element("DE7002", json!({"status": "published", "version": 0})),
        element("DE7003", json!({"status": "published", "version": 4})),
        element("DE7004", json!({})),
    ]});
    std::fs::write(&file, doc.to_string()).unwrap();
    let db = dir.path().join("db");
    ok(yibiao(&db).arg("import").arg(&file));
    let versions = |db: &Path| -> Vec<(String, u64)> {
        let doc: Value = serde_json::from_str(&export(db)).unwrap();
        doc["elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["status"].as_str().unwrap_or_default().to_string(),
                    e["version"].as_u64().unwrap_or(99),
                )
            })
            .collect()
    };
    let published = |v: u64| ("published".to_string(), v);
    assert_eq!(
        versions(&db),
        [
            // published is V1 at least (QA session 8: no 已发布 V0 anywhere)
            published(1),
            published(1),
            published(4),
            ("draft".to_string(), 0),
        ]
    );
    // what export wrote carries every version: it reads back unchanged, also as tables
    let exported = dir.path().join("exported.json");
    std::fs::write(&exported, export(&db)).unwrap();
    assert_round_trip(&exported, "published.xlsx", &[]);
    assert_round_trip(&exported, "csv/", &[]);
    // a table whose version cell is empty or 0 is read like JSON
    let csv = dir.path().join("elements.csv");
    std::fs::write(
        &csv,
        "code,name,kind,status,version\nDE7101,甲,text,published,\nDE7102,乙,text,published,0\n",
    )
    .unwrap();
    let db = dir.path().join("csv-db");
    ok(yibiao(&db).arg("import").arg(&csv));
    assert_eq!(versions(&db), [published(1), published(1)]);
}

/// The generated sample, exported as interchange JSON.
fn sample_json(dir: &Path) -> PathBuf {
    let db = dir.join("sample-store");
    ok(yibiao(&db).arg("sample"));
    let file = dir.join("sample.json");
    std::fs::write(&file, export(&db)).unwrap();
    file
}

#[test]
fn the_sample_round_trips_through_xlsx_and_gb18030_csv() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_json(dir.path());
    assert_round_trip(&sample, "sample.xlsx", &[]);
    assert_round_trip(&sample, "csv/", &["--encoding", "gb18030"]);
}

#[test]
fn the_command_line_export_overwrites_without_asking() {
    // scripts rely on it; the TUI asks instead
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_small(dir.path());
    let book = dir.path().join("catalog.xlsx");
    std::fs::write(&book, "mine").unwrap();
    ok(yibiao(&db).arg("export").arg(&book));
    assert!(std::fs::read(&book).unwrap().starts_with(b"PK"));
}
