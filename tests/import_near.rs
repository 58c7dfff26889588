//! `yibiao import` into a store whose outline is cached checks the file against the records
//! it touches, read as they are looked up, and writes it over the records near it, without
//! loading the catalog: each case here is imported so into one copy of the sample store and
//! over the loaded catalog into another (its outline removed), and the two must say the same
//! and hold the same records, the first with its caches (outline, element links, search
//! index) what its catalog makes.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_store, export, ok, run, yibiao};
use serde_json::{Value, json};
use yibiao::model::{ElementLinks, Outline};
use yibiao::store::{SledStore, Store};

/// Two copies of the sample store: `near` with its caches, `loaded` without its outline
/// (so an import into it loads the catalog), and the sample's export.
struct Pair {
    dir: tempfile::TempDir,
    near: PathBuf,
    loaded: PathBuf,
    sample: Value,
}

/// What an import said: its exit code and standard error.
type Said = (i32, String);

impl Pair {
    fn new() -> Pair {
        let dir = tempfile::tempdir().expect("tempdir");
        let near = dir.path().join("near");
        let loaded = dir.path().join("loaded");
        ok(yibiao(&near).arg("sample"));
        copy_store(&near, &loaded);
        std::fs::remove_file(loaded.join("outline.idx")).expect("an outline to remove");
        let sample = serde_json::from_str(&export(&near)).expect("the export parses");
        Pair {
            dir,
            near,
            loaded,
            sample,
        }
    }

    /// A file in the pair's directory holding `doc` (an interchange document).
    fn file(&self, name: &str, doc: &Value) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, doc.to_string()).expect("write");
        path
    }

    /// Imports `file` (with `args`) into both stores; asserts they said the same, and
    /// returns it.
    fn import(&self, file: &Path, args: &[&str]) -> Said {
        let said = |db: &Path| -> Said {
            let (code, _, stderr) = run(yibiao(db).arg("import").arg(file).args(args));
            (code, stderr)
        };
        let (near, loaded) = (said(&self.near), said(&self.loaded));
        assert_eq!(
            near, loaded,
            "the store written near its records said otherwise"
        );
        near
    }

    /// Asserts both stores hold the same records, each checks clean, and the near one's
    /// caches are what its catalog makes.
    fn agree(&self) {
        assert!(
            export(&self.near) == export(&self.loaded),
            "the stores differ"
        );
        let store = SledStore::open(&self.near).expect("open");
        assert_eq!(store.check().expect("check"), Vec::<String>::new());
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(&self.near).expect("open");
        assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
        assert_eq!(unloaded.element_links(), Some(ElementLinks::of(&catalog)));
        // the lint counts, when kept, are the catalog's
        if let Some(lint) = unloaded.lint_counts() {
            assert_eq!(lint, yibiao::engine::lint::counts(&catalog));
        }
        drop(unloaded);
        // (the rows written beside a set-aside index patched in: in entry order, the same)
        let search = SledStore::cached_search(&self.near).expect("read");
        let search = search.map(|d| d.in_entry_order().expect("readable").into_owned());
        assert_eq!(search, Some(yibiao::engine::search::data_of(&catalog)));
    }

    /// Whether the near store was written over the records near the import (a write near
    /// them drops the cached statistics; the loaded store's import counts them again).
    fn written_near(&self) -> bool {
        !self.near.join("stats.idx").exists()
    }

    /// The sample's record of `kind` (a plural: `items`) at `i`.
    fn record(&self, kind: &str, i: usize) -> Value {
        self.sample[kind][i].clone()
    }
}

/// An interchange document of `lists` (plural kind → records).
fn doc(lists: &[(&str, Vec<Value>)]) -> Value {
    let mut doc = json!({"format": "yibiao/1"});
    for (kind, records) in lists {
        doc[*kind] = Value::Array(records.clone());
    }
    doc
}

/// The first of the sample's `list` that `matches`.
fn first(sample: &Value, list: &str, matches: impl Fn(&Value) -> bool) -> Value {
    sample[list]
        .as_array()
        .and_then(|l| l.iter().find(|r| matches(r)))
        .cloned()
        .unwrap_or_else(|| panic!("the sample has such a record in {list}"))
}

#[test]
fn changes_to_every_kind_near_their_records_are_written_as_over_the_catalog() {
    let pair = Pair::new();
    let s = &pair.sample;
    // elements: a rename, a new one under it, another moved under a new parent
    let mut renamed = pair.record("elements", 0);
    renamed["name"] = json!("居民姓名");
    let code = renamed["code"].as_str().unwrap_or_default().to_string();
    let mut child = renamed.clone();
    child["code"] = json!("DE990001");
    child["name"] = json!("曾用名");
    child["synonyms"] = json!(["曾用姓名"]);
    child["parent"] = json!(code);
    let mut moved = first(s, "elements", |e| !e["parent"].is_null());
    moved["parent"] = json!("DE990001");
    // items: a main item renamed, a new sub-item under it
    let mut main = first(s, "items", |i| i["level"] == "main");
    main["name"] = json!("企业开办登记");
    let mut sub = first(s, "items", |i| i["parent"] == main["code"]);
    sub["code"] = json!(format!("{}-9", sub["code"].as_str().unwrap_or_default()));
    sub["name"] = json!("企业开办登记（新）");
    // a form: a field relabelled and made optional, bound to the new element; a new form
    let mut form = pair.record("forms", 0);
    form["name"] = json!("公司登记申请书");
    form["sections"][0]["fields"][0]["label"] = json!("名称（新）");
    form["sections"][0]["fields"][0]["required"] = json!(false);
    form["sections"][0]["fields"][0]["element"] = json!("DE990001");
    let mut new_form = pair.record("forms", 1);
    new_form["code"] = json!("BD990001");
    new_form["item"] = sub["code"].clone();
    // a material renamed, a new one; a bundle renamed
    let mut material = pair.record("materials", 0);
    material["name"] = json!("营业执照（副本）");
    let mut new_material = material.clone();
    new_material["code"] = json!("CL990001");
    let mut bundle = pair.record("bundles", 0);
    bundle["name"] = json!("我要开饭店");
    let file = pair.file(
        "changes.json",
        &doc(&[
            ("elements", vec![renamed, child, moved]),
            ("items", vec![main, sub]),
            ("materials", vec![material, new_material]),
            ("forms", vec![form, new_form]),
            ("bundles", vec![bundle]),
        ]),
    );
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 4 created, 6 updated, 0 unchanged\n".into())
    );
    assert!(pair.written_near());
    pair.agree();
    // the same again changes nothing
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 0 created, 0 updated, 10 unchanged\n".into())
    );
    pair.agree();
}

#[test]
fn a_csv_table_and_a_dry_run_are_read_against_the_stores_records() {
    let pair = Pair::new();
    let csv = pair.dir.path().join("elements.csv");
    ok(yibiao(&pair.near)
        .arg("export")
        .arg(&csv)
        .args(["--kind", "elements"]));
    let name = pair.sample["elements"][1]["name"]
        .as_str()
        .unwrap_or_default();
    let text = std::fs::read_to_string(&csv).expect("read");
    let changed = text.replacen(&format!(",{name},"), ",性别（新）,", 1);
    assert_ne!(changed, text, "the element's name is in the table");
    std::fs::write(&csv, changed).expect("write");
    let said = pair.import(&csv, &["--dry-run"]);
    assert_eq!(
        said,
        (0, "624 records valid (dry run, nothing written)\n".into())
    );
    pair.agree();
    let said = pair.import(&csv, &[]);
    assert_eq!(
        said,
        (0, "imported: 0 created, 1 updated, 623 unchanged\n".into())
    );
    assert!(pair.written_near());
    pair.agree();
}

#[test]
fn an_import_the_records_near_it_cannot_answer_for_goes_on_over_the_catalog() {
    let pair = Pair::new();
    // a form given another material (what the material's forms are is the catalog's)
    let mut form = pair.record("forms", 0);
    form["material"] = json!("CL000001");
    updated_over_the_catalog(&pair, "forms", form);
}

/// An agency renamed goes in near its records: the search rows of the elements it sources
/// (read by the search index's file) name it anew, in the search tree and in the file.
#[test]
fn an_agency_renamed_is_written_near_its_records_and_the_elements_it_sources() {
    let pair = Pair::new();
    // the two that source the most elements, read in one pass over the file
    let renamed: Vec<Value> = ["1151000090108861XJ", "1151000046205285X9"]
        .iter()
        .map(|code| {
            let mut agency = first(&pair.sample, "agencies", |a| a["code"] == *code);
            agency["name"] = json!(format!("{}（新）", agency["name"].as_str().unwrap_or("")));
            let sourced = (pair.sample["elements"].as_array().into_iter().flatten())
                .filter(|e| e["source_agency"] == agency["code"])
                .count();
            assert!(sourced > 40, "{code}: {sourced}");
            agency
        })
        .collect();
    let file = pair.file("agency.json", &doc(&[("agencies", renamed)]));
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 0 created, 2 updated, 0 unchanged\n".into())
    );
    assert!(pair.written_near());
    assert!(
        pair.near.join("lint.idx").exists(),
        "no form's warnings moved"
    );
    pair.agree();
}

/// Renames the sample's first record of `list` (a plural kind) to `name` by an import into
/// both stores, and asserts it went over the catalog (one record updated) and they agree.
fn renamed_over_the_catalog(pair: &Pair, list: &str, name: &str) {
    let mut record = pair.record(list, 0);
    record["name"] = json!(name);
    updated_over_the_catalog(pair, list, record);
}

/// Imports `record` of `list` (a plural kind) into both stores, and asserts it went over
/// the catalog (one record updated) and they agree.
fn updated_over_the_catalog(pair: &Pair, list: &str, record: Value) {
    let file = pair.file("updated.json", &doc(&[(list, vec![record])]));
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 0 created, 1 updated, 0 unchanged\n".into())
    );
    assert!(!pair.written_near());
    pair.agree();
}

#[test]
fn new_agencies_and_agencies_that_keep_their_names_are_written_near_their_records() {
    let pair = Pair::new();
    let mut moved = pair.record("agencies", 1);
    let regions = pair.sample["regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let other = regions
        .iter()
        .find(|r| r["code"] != moved["region"])
        .cloned();
    moved["region"] = other.expect("another region")["code"].clone();
    let mut new = pair.record("agencies", 0);
    new["code"] = json!("11511602MB9999999X");
    new["name"] = json!("广安区数据局");
    let mut item = first(&pair.sample, "items", |i| i["level"] == "main");
    item["agency"] = new["code"].clone();
    let file = pair.file(
        "agencies.json",
        &doc(&[("agencies", vec![moved, new]), ("items", vec![item])]),
    );
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 1 created, 2 updated, 0 unchanged\n".into())
    );
    assert!(pair.written_near());
    assert!(
        pair.near.join("lint.idx").exists(),
        "no form's warnings moved"
    );
    pair.agree();
}

/// The sample's region `code`.
fn region(pair: &Pair, code: &str) -> Value {
    first(&pair.sample, "regions", |r| r["code"] == code)
}

#[test]
fn regions_renamed_moved_and_new_are_written_near_their_records() {
    let pair = Pair::new();
    // a cycle through stored regions: 广安市 placed under its own 广安区
    let mut city = region(&pair, "511600");
    city["parent"] = json!("511602");
    let file = pair.file("cycle.json", &doc(&[("regions", vec![city])]));
    let (code, said) = pair.import(&file, &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("cycle"), "{said}");
    pair.agree();
    // 广安区 renamed, 前锋区 moved to 绵阳市, a new 广安新区 with an agency in it
    let mut renamed = region(&pair, "511602");
    renamed["name"] = json!("广安区（新）");
    let mut moved = region(&pair, "511603");
    moved["parent"] = json!("510700");
    let mut new = region(&pair, "511602");
    new["code"] = json!("511699");
    new["name"] = json!("广安新区");
    let mut agency = pair.record("agencies", 0);
    agency["region"] = json!("511699");
    let file = pair.file(
        "regions.json",
        &doc(&[
            ("regions", vec![renamed, moved, new]),
            ("agencies", vec![agency]),
        ]),
    );
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (0, "imported: 1 created, 3 updated, 0 unchanged\n".into())
    );
    assert!(pair.written_near());
    assert!(
        pair.near.join("lint.idx").exists(),
        "no form's warnings moved"
    );
    pair.agree();
}

#[test]
fn a_county_catalog_is_written_near_its_records() {
    let pair = Pair::new();
    let county = common::fixture("guangan-item-catalog.json");
    let (code, said) = pair.import(&county, &[]);
    assert_eq!(code, 0, "{said}");
    assert!(
        said.ends_with("imported: 1335 created, 0 updated, 3 unchanged\n"),
        "{said}"
    );
    assert!(pair.written_near());
    pair.agree();
    // again: its region and agencies named as they are stored
    let (code, said) = pair.import(&county, &[]);
    assert_eq!(code, 0, "{said}");
    assert!(
        said.ends_with("imported: 0 created, 0 updated, 1338 unchanged\n"),
        "{said}"
    );
    pair.agree();
}

/// More records than one transaction holds, and more search rows than a store keeps for its
/// index to follow: staged in the journal in chunks near their records, each chunk's rows
/// made from the tree and the chunks before it (forms, written after the elements, bind new
/// elements of earlier chunks), as the loaded store writes them.
#[test]
fn more_records_than_one_transaction_holds_are_written_near_them_in_chunks() {
    let pair = Pair::new();
    let template = pair.record("elements", 0);
    let mut many: Vec<Value> = (0..8300)
        .map(|i| {
            let mut e = template.clone();
            e["code"] = json!(format!("DE9{i:06}"));
            e["name"] = json!(format!("批量数据元{i}"));
            e
        })
        .collect();
    let mut renamed = pair.record("elements", 5);
    renamed["name"] = json!("批量改名的数据元");
    many.push(renamed);
    let forms: Vec<Value> = (0..3)
        .map(|f| {
            let mut form = pair.record("forms", f);
            let fields = form["sections"][0]["fields"].as_array_mut();
            for (n, field) in fields.into_iter().flatten().enumerate() {
                field["element"] = json!(format!("DE9{:06}", f * 2000 + n * 7));
            }
            form
        })
        .collect();
    let n = many.len();
    let file = pair.file("many.json", &doc(&[("elements", many), ("forms", forms)]));
    let said = pair.import(&file, &[]);
    assert_eq!(
        said,
        (
            0,
            format!("imported: {} created, 4 updated, 0 unchanged\n", n - 1)
        )
    );
    assert!(pair.written_near());
    pair.agree();
}

#[test]
fn problems_found_against_the_stores_records_are_the_catalogs() {
    let pair = Pair::new();
    let s = &pair.sample;
    // a reference to nothing, and a cycle through a stored record: an element's parent made
    // its child
    let mut form = pair.record("forms", 0);
    form["sections"][0]["fields"][1]["element"] = json!("DE999999");
    let child = first(s, "elements", |e| !e["parent"].is_null());
    let mut parent = first(s, "elements", |e| e["code"] == child["parent"]);
    parent["parent"] = child["code"].clone();
    let file = pair.file(
        "bad.json",
        &doc(&[("elements", vec![parent]), ("forms", vec![form])]),
    );
    let (code, said) = pair.import(&file, &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("DE999999"), "{said}");
    assert!(said.contains("cycle"), "{said}");
    assert!(
        said.ends_with("2 problem(s); nothing was written\n"),
        "{said}"
    );
    // a main item made a sub-item of another while its own sub-items stay under it (found
    // by the write, which checks an item's children)
    let main = first(s, "items", |i| {
        i["level"] == "main"
            && s["items"]
                .as_array()
                .is_some_and(|l| l.iter().any(|c| c["parent"] == i["code"]))
    });
    let other = first(s, "items", |i| {
        i["level"] == "main" && i["code"] != main["code"]
    });
    let mut demoted = main.clone();
    demoted["level"] = json!("sub");
    demoted["parent"] = other["code"].clone();
    let file = pair.file("demoted.json", &doc(&[("items", vec![demoted])]));
    let (code, said) = pair.import(&file, &[]);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains(main["code"].as_str().unwrap_or_default()),
        "{said}"
    );
    pair.agree();
}

#[test]
fn new_and_renamed_elements_take_their_places_in_the_search_index_as_over_the_catalog() {
    let pair = Pair::new();
    // new elements whose codes fall between the stored ones' (most of which no form binds:
    // they tie on their use counts, ranked by code), renamed ones, and a form whose fields
    // are bound to some of the new ones (their counts move, and the old elements')
    let template = pair.record("elements", 0);
    let mut elements: Vec<Value> = (1..=60)
        .map(|i| {
            let mut e = template.clone();
            e["code"] = json!(format!("DE{:06}A", i * 10));
            e["name"] = json!(format!("插入的数据元{i}"));
            e["synonyms"] = json!([]);
            e
        })
        .collect();
    for i in [2, 50, 300, 620] {
        let mut e = pair.record("elements", i);
        e["name"] = json!(format!("改名的数据元{i}"));
        elements.push(e);
    }
    let mut form = pair.record("forms", 3);
    for (n, field) in form["sections"][0]["fields"]
        .as_array_mut()
        .map(|f| f.iter_mut())
        .into_iter()
        .flatten()
        .enumerate()
    {
        field["element"] = json!(format!("DE{:06}A", (n + 1) * 10));
    }
    let file = pair.file(
        "ties.json",
        &doc(&[("elements", elements), ("forms", vec![form])]),
    );
    let (code, said) = pair.import(&file, &[]);
    assert_eq!(code, 0, "{said}");
    assert!(pair.written_near());
    pair.agree();
}

#[test]
fn a_store_without_its_element_links_has_them_made_again_by_an_import_over_the_catalog() {
    let pair = Pair::new();
    std::fs::remove_file(pair.near.join("links.idx")).expect("links to remove");
    renamed_over_the_catalog(&pair, "elements", "居民姓名");
}
