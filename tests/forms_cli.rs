//! `form lint` and `form export` on the sample store.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use calamine::{Reader, Xlsx, open_workbook};
use common::{ok, run, yibiao, yibiao_zh};
use serde_json::Value;

/// The store takes one process at a time: the tests take turns.
fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One sample store shared by the tests (read only), and its export. It is made afresh under
/// cargo's temporary directory for integration tests (a static is never dropped, so a
/// `TempDir` here would be left in the system's temporary directory by every run).
fn sample() -> &'static (PathBuf, Value) {
    static STORE: OnceLock<(PathBuf, Value)> = OnceLock::new();
    STORE.get_or_init(|| {
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forms_cli-sample");
        if db.exists() {
            std::fs::remove_dir_all(&db).unwrap();
        }
        ok(yibiao(&db).arg("sample"));
        let doc = serde_json::from_str(&ok(yibiao(&db).args(["export", "-"]))).unwrap();
        (db, doc)
    })
}

fn form_code(doc: &Value, name: &str) -> String {
    doc["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no form {name}"))["code"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn lint_on_the_sample_finds_one_of_each_planted_problem_and_exits_1() {
    let _turn = turn();
    let (db, _) = sample();
    let (code, stdout, _) = run(yibiao(db).args(["form", "lint", "--json"]));
    assert_eq!(code, 1);
    let warnings: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let mut kinds: Vec<&str> = warnings
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "bad_condition",
            "double_bound",
            "empty_section",
            "label_drift",
            "label_drift",
            "label_drift",
            "label_drift",
            "likely_duplicate",
            "unpublished",
        ]
    );
    let (code, text, _) = run(yibiao(db).args(["form", "lint"]));
    assert_eq!(code, 1);
    assert!(text.ends_with("9 warning(s)\n"), "{text}");
    assert!(text.contains("label drift"), "{text}");
    assert!(text.contains("\"手机号码\""), "{text}");
}

/// The sample's 户外招牌设施设置申请表 binds 移动电话 (f05) and has an unbound 手机号码 (f13),
/// a synonym of 移动电话: lint does not offer to bind it to 移动电话 (that would bind the
/// element twice on one form) but says it looks like a duplicate of f05, in both languages,
/// with the kind named whole.
#[test]
fn lint_calls_an_unbound_field_beside_its_bound_element_a_likely_duplicate() {
    let _turn = turn();
    let (db, doc) = sample();
    let code = form_code(doc, "户外招牌设施设置申请表");
    let (status, json, _) = run(yibiao(db).args(["form", "lint", &code, "--json"]));
    assert_eq!(status, 1);
    let warnings: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(warnings.len(), 1, "{json}");
    let w = &warnings[0];
    assert_eq!(w["kind"], "likely_duplicate");
    assert_eq!(w["field"], "f13");
    assert_eq!(w["other"], "f05");
    let element = w["element"].as_str().unwrap();
    let mobile = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == element)
        .unwrap();
    assert_eq!(mobile["name"], "移动电话");
    let (_, en, _) = run(yibiao(db).args(["form", "lint", &code]));
    assert!(en.contains("likely duplicate  "), "{en}");
    assert!(
        en.contains("unbound field \"手机号码\" looks like a duplicate of \"移动电话\" (f05)"),
        "{en}"
    );
    assert!(!en.contains("bindable"), "{en}");
    let (_, zh, _) = run(yibiao_zh(db).args(["form", "lint", &code]));
    assert!(zh.contains("疑似重复字段"), "{zh}");
    assert!(
        zh.contains("未绑定字段「手机号码」疑似与「移动电话」(f05) 重复"),
        "{zh}"
    );
}

#[test]
fn lint_of_one_form() {
    let _turn = turn();
    let (db, doc) = sample();
    let clean = form_code(doc, "食品经营许可申请书");
    let (code, text, _) = run(yibiao(db).args(["form", "lint", &clean]));
    assert_eq!(code, 0, "{text}");
    assert_eq!(text, "0 warning(s)\n");
    let planted = form_code(doc, "养老机构备案书");
    let (code, text, _) = run(yibiao(db).args(["form", "lint", &planted, "--json"]));
    assert_eq!(code, 1);
    let warnings: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["kind"], "empty_section");
    assert_eq!(warnings[0]["section_title"], "其他需要说明的情况");
    assert_eq!(run(yibiao(db).args(["form", "lint", "NOPE"])).0, 1);
}

#[test]
fn export_writes_a_blank_form_as_json() {
    let _turn = turn();
    let (db, doc) = sample();
    let code = form_code(doc, "社会保障卡申领登记表");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blank.json");
    ok(yibiao(db).args(["form", "export", &code]).arg(&file));
    let blank: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(blank["format"], "yibiao/blank-form/1");
    assert_eq!(blank["form"], code.as_str());
    let fields: Vec<&Value> = blank["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .collect();
    let by_label = |label: &str| {
        *fields
            .iter()
            .find(|f| f["label"] == label)
            .unwrap_or_else(|| panic!("no {label}"))
    };
    let id_type = by_label("证件类型");
    assert_eq!(id_type["kind"], "id_type_linked");
    assert!(!id_type["options"].as_array().unwrap().is_empty());
    let name = by_label("姓名");
    assert_eq!(name["required"], true);
    assert_eq!(name["value"], "");
    let mobile = by_label("移动电话");
    assert_eq!(mobile["example"], "13800138000");
    assert!(mobile["hint"].as_str().unwrap().contains("mobile"));
    assert!(mobile["element"].as_str().unwrap().starts_with("DE"));
}

#[test]
fn export_shows_sub_fields_and_writes_xlsx() {
    let _turn = turn();
    let (db, doc) = sample();
    // a form with 地址 (a parent element): its children come as sub-fields
    let form = doc["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["sections"].as_array().unwrap().iter().any(|s| {
                s["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["label"] == "地址")
            })
        })
        .unwrap();
    let code = form["code"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("blank.json");
    ok(yibiao(db).args(["form", "export", code]).arg(&json));
    let blank: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let subs: Vec<&str> = blank["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .filter(|f| f.get("sub_field_of").is_some())
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(subs.contains(&"详细地址"), "{subs:?}");

    let xlsx = dir.path().join("blank.xlsx");
    ok(yibiao(db).args(["form", "export", code]).arg(&xlsx));
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["form", "options"]);
    let sheet = book.worksheet_range("form").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[1], "key");
    assert_eq!(header[11], "value");
    assert!(sheet.rows().any(|r| r[2] == "详细地址"));

    assert_eq!(
        run(yibiao(db)
            .args(["form", "export", code])
            .arg(dir.path().join("x.txt")))
        .0,
        2
    );
    assert_eq!(
        run(yibiao(db).args(["form", "export", "NOPE"]).arg(&json)).0,
        1
    );
}

/// `form list` keeps what pane 3's filter keeps: pinyin (full or initials) of the names,
/// words apart, `warn` with the lint's counts, and every form with no query.
#[test]
fn list_finds_forms_by_text_pinyin_and_warnings() {
    let _turn = turn();
    let (db, doc) = sample();
    let forms = doc["forms"].as_array().unwrap();
    let list = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["form", "list", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(yibiao(db).args(&all))).unwrap()
    };
    let codes = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let named = |part: &str| -> Vec<String> {
        forms
            .iter()
            .filter(|f| f["name"].as_str().unwrap().contains(part))
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(list(&[]).len(), forms.len());
    let food = named("食品经营");
    assert!(!food.is_empty());
    assert_eq!(codes(&list(&["spjy"])), food);
    assert_eq!(codes(&list(&["shipinjingying"])), food);
    assert_eq!(codes(&list(&["食品经营"])), food);
    let both: Vec<String> = food
        .iter()
        .filter(|c| named("申请书").contains(c))
        .cloned()
        .collect();
    assert!(!both.is_empty() && both.len() < food.len());
    assert_eq!(codes(&list(&["spjy", "sqs"])), both);
    // warnings: the forms `form lint` names, with its counts
    let (_, lint, _) = run(yibiao(db).args(["form", "lint", "--json"]));
    let lint: Vec<Value> = serde_json::from_str(&lint).unwrap();
    let warned = list(&["warn"]);
    assert!(!warned.is_empty());
    for f in &warned {
        let n = lint.iter().filter(|w| w["form"] == f["code"]).count();
        assert_eq!(f["warnings"], n, "{f}");
    }
    assert_eq!(
        warned.len(),
        lint.iter()
            .map(|w| w["form"].as_str().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    // the text lists one line per form, the name and its item's name on it
    let text = ok(yibiao_zh(db).args(["form", "list", "spjy"]));
    assert_eq!(text.lines().count(), food.len());
    assert!(
        text.contains("食品经营许可申请书") && text.contains("食品经营许可证核发"),
        "{text}"
    );
    assert!(ok(yibiao(db).args(["form", "list", "zzqqx"])).is_empty());
}
