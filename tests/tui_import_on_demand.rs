//! The import dialog before the catalog is loaded (on demand): the file is checked on a
//! worker against the records it touches, read from the store, and written over them, beside
//! the same keys on the same store with the catalog loaded. Every step leaves the same screen
//! and message, the panes show what was imported alike, and the stores agree; an import the
//! records near it cannot answer for loads the catalog and is written over it.

mod tui_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};
use tui_support::on_demand::*;
use tui_support::twins::Twins;
use tui_support::{key, press, type_text};
use yibiao::model::Kind;
use yibiao::store::{SledStore, Store};
use yibiao::tui::app::AppEvent;

/// The sample's records as interchange JSON.
fn sample() -> Value {
    let catalog = yibiao::sample::generate(1);
    serde_json::from_str(&yibiao::io::json::export(&catalog)).expect("the export parses")
}

/// Writes `lists` (plural kind → records) as an interchange file named `name` in `dir`.
fn import_file(dir: &Path, name: &str, lists: &[(&str, Vec<Value>)]) -> PathBuf {
    let mut doc = json!({"format": "yibiao/1"});
    for (kind, records) in lists {
        doc[*kind] = Value::Array(records.clone());
    }
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).expect("write");
    path
}

/// Imports `file` through the dialog in both apps, each step alike; returns what the one on
/// demand said.
fn import(twins: &mut Twins, file: &Path) -> String {
    twins.press(&["import_file"]);
    twins.act("ctrl-u", |app| key_ctrl(app, 'u'));
    twins.type_text(&file.display().to_string());
    twins.enter();
    twins.said()
}

#[test]
fn on_demand_an_import_is_written_over_the_records_it_touches_as_once_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    // an element renamed (pane 2 finds it by its new name), an item renamed and a sub-item
    // under it (pane 1's tree), a form relabelled (pane 3), a new material, a bundle renamed
    // (pane 4)
    let mut element = s["elements"][4].clone();
    element["name"] = json!("居民身份证件号码");
    let code = element["code"].as_str().unwrap_or_default().to_string();
    let mut main = s["items"][0].clone();
    main["name"] = json!("企业开办登记");
    let mut sub = s["items"][1].clone();
    assert_eq!(sub["parent"], main["code"], "the sample's first sub-item");
    sub["code"] = json!(format!("{}-9", sub["code"].as_str().unwrap_or_default()));
    sub["name"] = json!("企业开办登记（新办）");
    let mut form = s["forms"][0].clone();
    form["name"] = json!("公司登记申请书（新）");
    let mut material = s["materials"][0].clone();
    material["code"] = json!("CL990001");
    material["name"] = json!("营业执照（电子）");
    let mut bundle = s["bundles"][0].clone();
    bundle["name"] = json!("我要开饭店");
    let file = import_file(
        dir.path(),
        "changes.json",
        &[
            ("elements", vec![element]),
            ("items", vec![main.clone(), sub]),
            ("materials", vec![material]),
            ("forms", vec![form]),
            ("bundles", vec![bundle]),
        ],
    );
    let mut twins = Twins::new();
    // a dry run checks it and writes nothing
    twins.press(&["import_file"]);
    let plain = KeyModifiers::NONE;
    twins.act("to dry run", |app| key(app, KeyCode::Up, plain));
    twins.act("dry run", |app| key(app, KeyCode::Char(' '), plain));
    twins.act("to the path", |app| key(app, KeyCode::Down, plain));
    twins.type_text(&file.display().to_string());
    twins.enter();
    assert!(twins.said().contains("6 条记录有效"), "{}", twins.said());
    twins.press(&["back"]);
    let said = import(&mut twins, &file);
    assert!(said.contains("已导入：新建 2，更新 4，未变 0"), "{said}");
    // the panes show it alike
    twins.enter();
    twins.select(Kind::Item, main["code"].as_str().unwrap_or_default());
    twins.press(&["expand", "select_next", "pane_elements", "element_search"]);
    twins.type_text("jmsfzj");
    twins.enter();
    assert_eq!(twins.on_demand.selected_element(), Some(code));
    twins.press(&["pane_forms", "pane_bundles", "pane_catalog"]);
    let catalog = twins.stores_agree();
    assert_eq!(catalog.bundles["ZT001"].name, "我要开饭店");
    assert!(catalog.materials.contains_key("CL990001"));
}

#[test]
fn on_demand_an_imports_problems_are_the_loaded_catalogs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    // a field bound to no element, and a cycle through a stored element
    let mut form = s["forms"][0].clone();
    form["sections"][0]["fields"][1]["element"] = json!("DE999999");
    let elements = s["elements"].as_array().cloned().unwrap_or_default();
    let child = elements.iter().find(|e| !e["parent"].is_null()).cloned();
    let child = child.expect("the sample has an element under another");
    let parent = elements
        .iter()
        .find(|e| e["code"] == child["parent"])
        .cloned();
    let mut parent = parent.expect("its parent");
    parent["parent"] = child["code"].clone();
    let file = import_file(
        dir.path(),
        "bad.json",
        &[("elements", vec![parent]), ("forms", vec![form])],
    );
    let mut twins = Twins::new();
    let said = import(&mut twins, &file);
    assert!(said.contains("2 个问题，未写入任何数据"), "{said}");
    twins.enter();
    twins.stores_agree();
}

#[test]
fn on_demand_an_import_the_records_near_it_cannot_answer_for_loads_the_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    // a form given another material (what the material's forms are is the catalog's)
    let mut form = sample()["forms"][0].clone();
    form["material"] = json!("CL000001");
    let code = form["code"].as_str().unwrap_or_default().to_string();
    let file = import_file(dir.path(), "material.json", &[("forms", vec![form])]);
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "import_file");
    assert!(deferred(&app), "the dialog opens before the catalog");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, &file.display().to_string());
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    until_loaded(&mut app);
    app.settle(Duration::from_secs(20));
    assert!(
        message(&app).contains("已导入：新建 0，更新 1，未变 0"),
        "{}",
        message(&app)
    );
    drop(app);
    let store = SledStore::open(&path).expect("open");
    assert_eq!(
        store.catalog().forms[code.as_str()].material.as_deref(),
        Some("CL000001")
    );
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
}

/// `n` new elements like the sample's first, coded `DE8…`.
fn new_elements(n: usize) -> Vec<Value> {
    let template = sample()["elements"][0].clone();
    (0..n)
        .map(|i| {
            let mut e = template.clone();
            e["code"] = json!(format!("DE8{i:05}"));
            e["name"] = json!(format!("批量导入的数据元{i}"));
            e["synonyms"] = json!([]);
            e
        })
        .collect()
}

#[test]
fn on_demand_an_import_of_more_records_than_one_transaction_goes_in_near_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = import_file(dir.path(), "many.json", &[("elements", new_elements(4200))]);
    let mut twins = Twins::new();
    let said = import(&mut twins, &file);
    assert!(said.contains("已导入：新建 4200，更新 0，未变 0"), "{said}");
    assert!(deferred(&twins.on_demand), "the catalog stays unloaded");
    twins.enter();
    twins.press(&["pane_elements", "element_search"]);
    twins.type_text("批量导入的数据元4199");
    twins.enter();
    assert_eq!(
        twins.on_demand.selected_element().as_deref(),
        Some("DE804199")
    );
    let catalog = twins.stores_agree();
    assert_eq!(catalog.elements.len(), 624 + 4200);
}

/// Whether the open store is lent to a worker.
fn lent(app: &yibiao::tui::app::App) -> bool {
    app.loading.as_ref().is_some_and(|l| l.lent())
}

/// Imports `file` through the dialog of a session on demand, until the store is lent to
/// the worker that writes it.
fn until_written_by_a_worker(app: &mut yibiao::tui::app::App, file: &Path) {
    press(app, "import_file");
    key_ctrl(app, 'u');
    type_text(app, &file.display().to_string());
    enter(app);
    // the check's worker reports; the store is lent to the one that writes
    while !lent(app) {
        let event = app.next_event().expect("the check reports");
        app.handle(event);
        assert!(app.jobs_running() > 0, "ended without lending the store");
    }
}

#[test]
fn on_demand_a_large_import_lets_pane_2s_index_go_while_it_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let few = import_file(dir.path(), "few.json", &[("elements", new_elements(300))]);
    let renamed = |mut e: Value| {
        let name = e["name"]
            .as_str()
            .unwrap_or_default()
            .replace("批量", "大批");
        e["name"] = json!(name);
        e
    };
    let many: Vec<Value> = new_elements(1100).into_iter().map(renamed).collect();
    let many = import_file(dir.path(), "many.json", &[("elements", many)]);
    let (mut app, path, _store_dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    // (where pane 2's index lies: patched in place, it stays there)
    let at = |app: &yibiao::tui::app::App| {
        (app.elements.index.as_ref()).map(|i| std::sync::Arc::as_ptr(i) as usize)
    };
    let read = at(&app).expect("pane 2's index read from search.idx");
    // a few hundred records: the index stays while they are written, then is patched
    until_written_by_a_worker(&mut app, &few);
    assert_eq!(at(&app), Some(read), "kept while a small import is written");
    app.settle(Duration::from_secs(20));
    assert!(message(&app).contains("新建 300"), "{}", message(&app));
    assert_eq!(at(&app), Some(read), "patched in place");
    enter(&mut app);
    // more than a patch takes: the index goes before the write, read again after it
    until_written_by_a_worker(&mut app, &many);
    assert_eq!(at(&app), None, "let go while a large import is written");
    app.settle(Duration::from_secs(20));
    assert!(
        message(&app).contains("新建 800，更新 300"),
        "{}",
        message(&app)
    );
    assert!(!lent(&app) && deferred(&app), "the store is back, unloaded");
    assert!(at(&app).is_some(), "read again");
    enter(&mut app);
    press(&mut app, "element_search");
    type_text(&mut app, "大批导入的数据元1099");
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.selected_element().as_deref(), Some("DE801099"));
}

/// A session on demand whose import dialog is writing 300 new elements on a worker the
/// store is lent to, the store's directory, and the directories to keep.
fn importing() -> (yibiao::tui::app::App, PathBuf, [tempfile::TempDir; 2]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = import_file(dir.path(), "many.json", &[("elements", new_elements(300))]);
    let (mut app, path, store_dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    until_written_by_a_worker(&mut app, &file);
    assert!(app.store().is_none() && deferred(&app));
    (app, path, [dir, store_dir])
}

#[test]
fn on_demand_the_import_dialog_takes_its_keys_while_a_worker_writes() {
    let (mut app, path, _dirs) = importing();
    // the screen is drawn from the outline meanwhile, the dialog over it
    let shown = tui_support::screen(&mut app, 120, 40);
    assert!(shown.contains("many.json"), "{shown}");
    // esc goes to the dialog: it cancels, or says the write cannot be
    let esc = crossterm::event::KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    app.handle(AppEvent::Term(crossterm::event::Event::Key(esc)));
    let shown = tui_support::screen(&mut app, 120, 40);
    let cancelling = shown.contains("正在取消");
    assert!(
        cancelling || shown.contains("正在写入，不能取消"),
        "{shown}"
    );
    app.settle(Duration::from_secs(20));
    assert!(!lent(&app) && deferred(&app), "the store is back");
    let said = tui_support::screen(&mut app, 120, 40);
    match cancelling {
        true => assert!(said.contains("已取消"), "{said}"),
        false => assert!(said.contains("已导入：新建 300"), "{said}"),
    }
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let written = store.catalog().elements.contains_key("DE800299");
    assert_eq!(written, !cancelling);
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
}

#[test]
fn ctrl_c_while_an_import_runs_cancels_it_or_quits_once_it_is_written() {
    let (mut app, path, _dirs) = importing();
    key_ctrl(&mut app, 'c');
    let shown = tui_support::screen(&mut app, 120, 40);
    let cancelling = shown.contains("正在取消，随后退出");
    assert!(
        cancelling || shown.contains("写完全部记录后退出"),
        "{shown}"
    );
    assert!(!app.quit, "not before the worker ends");
    app.settle(Duration::from_secs(20));
    assert!(!lent(&app), "the store is back");
    assert!(app.quit, "quits once the import is over");
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let written = store.catalog().elements.contains_key("DE800299");
    assert_eq!(written, !cancelling);
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
}
