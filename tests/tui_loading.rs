//! Start-up while the catalog loads: with a cached outline pane 1's tree works at once and
//! everything that needs the whole catalog says how far loading has got; without one every
//! key waits and is handled once the catalog is in.

mod tui_support;

use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_support::on_demand::*;
use tui_support::{press, screen, type_text};
use yibiao::i18n::Lang;
use yibiao::model::Outline;
use yibiao::store::{Batch, SledStore, Store, StoreError};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};
use yibiao::tui::loading::Loading;
use yibiao::tui::panes::elements::Focus;

fn key(app: &mut App, c: char) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    ))));
}

#[test]
fn the_outlines_tree_moves_before_the_catalog_is_in_and_stays_put_after() {
    let (mut app, store, _dir) = starting(true);
    let total = store.catalog().len();
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("食品经营许可"), "{s}");
    assert!(
        s.contains(&format!("正在载入目录……0 / {total} 条记录")),
        "{s}"
    );

    // the tree expands, moves and regroups on the outline
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("2/8"), "{s}");
    let selected = app.selected_id().expect("a row is selected");

    // a key that needs the catalog waits for it, with every key after it; esc drops them
    press(&mut app, "edit");
    assert!(app.editor.is_none());
    assert!(
        message(&app).contains("1 个按键在等待目录"),
        "{}",
        message(&app)
    );
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    assert!(
        message(&app).contains("已取消等待目录的 1 个按键"),
        "{}",
        message(&app)
    );
    press(&mut app, "select_next");
    press(&mut app, "select_prev");
    assert_eq!(app.selected_id(), Some(selected.clone()), "keys act again");

    // pane 2 says how far loading has got; a search typed now runs once the catalog is in
    press(&mut app, "pane_elements");
    app.handle(AppEvent::LoadProgress(12));
    let s = screen(&mut app, 100, 24);
    assert!(s.contains(&format!("12 / {total} 条记录")), "{s}");
    press(&mut app, "element_search");
    for c in "sfzhm".chars() {
        key(&mut app, c);
    }
    assert!(!app.elements.typing, "pane 2 waits for the catalog");
    assert!(
        message(&app).contains("6 个按键在等待目录"),
        "{}",
        message(&app)
    );

    // the catalog arrives: the keys run in order, pane 1 kept its row
    app.handle(AppEvent::Loaded(Box::new(Ok(store))));
    assert!(app.loading.is_none() && app.store().is_some());
    assert!(app.elements.typing);
    assert_eq!(app.elements.search.query(), "sfzhm");
    assert_eq!(app.selected_id(), Some(selected));
    assert!(!message(&app).contains("正在载入目录"), "{}", message(&app));
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    press(&mut app, "pane_catalog");
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("2/8") && !s.contains("正在载入目录"), "{s}");
    press(&mut app, "edit");
    assert!(app.editor.is_some(), "{}", message(&app));
}

#[test]
fn without_an_outline_keys_wait_for_the_catalog_and_q_still_quits() {
    let (mut app, store, _dir) = starting(false);
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("正在载入目录……已载入 0 条记录"), "{s}");
    assert!(!s.contains("食品经营许可"), "{s}");
    // typed now, handled in order once the catalog is in
    for c in ['+', 'j', 'j'] {
        key(&mut app, c);
    }
    assert_eq!(app.catalog.selected, 0);
    app.handle(AppEvent::Loaded(Box::new(Ok(store))));
    assert_eq!(app.catalog.selected, 2);
    assert!(screen(&mut app, 100, 24).contains("3/8"));

    let (mut app, _store, _dir) = starting(false);
    key(&mut app, 'q');
    assert!(app.quit);
}

/// Asserts the app ends its session naming the reason for `failed` (made of an error).
fn ends_with_the_reason(mut app: App, dir: &std::path::Path, failed: fn(StoreError) -> AppEvent) {
    let failure = StoreError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other("disk gone"),
    };
    app.handle(failed(failure));
    assert!(app.quit);
    let reason = app.failure.as_ref().map(ToString::to_string);
    assert!(reason.is_some_and(|r| r.contains("disk gone")));
}

#[test]
fn a_store_that_fails_to_load_ends_the_session_with_the_reason() {
    let (app, store, dir) = starting(true);
    drop(store);
    ends_with_the_reason(app, dir.path(), |e| AppEvent::Loaded(Box::new(Err(e))));
}

#[test]
fn on_demand_the_detail_is_read_from_the_store_until_another_pane_needs_the_catalog() {
    let (mut app, path, _dir) = starting_on_demand();
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("3/8") && s.contains("目录未载入"), "{s}");
    assert!(!s.contains("广安区市场监督管理局"), "not open yet: {s}");

    opened(&mut app, &path);
    assert!(deferred(&app) && app.store().is_none());
    let item_on_demand = screen(&mut app, 110, 40);
    let s = &item_on_demand;
    // the item, the names of what it references, and who references it (from the outline)
    assert!(s.contains("广安区食品经营许可（新办）实施清单"), "{s}");
    assert!(s.contains("广安区市场监督管理局"), "{s}");
    assert!(s.contains("广安区 (511602)"), "{s}");
    assert!(s.contains("CL001 营业执照"), "{s}");
    assert!(s.contains("BD001 食品经营许可申请书"), "its form: {s}");
    assert!(s.contains("ZT001 我要开餐馆"), "its bundle: {s}");
    // moving on reads the next record; the catalog still waits
    press(&mut app, "select_prev");
    let s = screen(&mut app, 110, 40);
    assert!(
        s.contains("食品经营许可 (SX001)"),
        "the parent by name: {s}"
    );
    press(&mut app, "select_next");
    assert!(deferred(&app), "pane 1 does not need the catalog");

    // nor does the selected record's history: the audit log is read from the store
    press(&mut app, "history");
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("SX001-01-01") && s.contains("新建"), "{s}");
    assert!(deferred(&app), "{}", message(&app));
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    assert!(app.overlay.is_none());

    // a material's detail, with who uses it (in the outline too)
    press(&mut app, "next_list");
    let material_on_demand = screen(&mut app, 110, 40);
    let s = &material_on_demand;
    assert!(s.contains("营业执照"), "{s}");
    assert!(
        s.contains("SX001-01-01 广安区食品经营许可（新办）实施清单"),
        "{s}"
    );
    press(&mut app, "prev_list");
    assert!(deferred(&app));

    // the filter finds items by pinyin from the outline's names (the index built from it)
    press(&mut app, "filter");
    for c in "gcgh".chars() {
        key(&mut app, c);
    }
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    app.settle(std::time::Duration::from_secs(20));
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("建设工程规划许可证核发"), "{s}");
    assert!(!s.contains("食品经营许可（新办）"), "{s}");
    assert!(deferred(&app), "filtering does not need the catalog");
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    press(&mut app, "select_first");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("3/8") && s.contains("CL001 营业执照"), "{s}");

    // pane 2 does: it loads on a thread, and the full detail follows
    press(&mut app, "pane_elements");
    assert!(!deferred(&app) && app.loading.is_some());
    until_loaded(&mut app);
    assert!(app.store().is_some());
    press(&mut app, "pane_catalog");
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("3/8") && s.contains("BD001"), "{s}");
    // the item's and the material's details read on demand were the loaded catalog's, line
    // for line (the status bar aside)
    assert_eq!(above_status(&s), above_status(&item_on_demand));
    assert!(!s.contains("目录未载入"), "{s}");
    press(&mut app, "next_list");
    let s = screen(&mut app, 110, 40);
    assert_eq!(above_status(&s), above_status(&material_on_demand));
    assert!(app.take_unloaded().is_none());
}

#[test]
fn on_demand_pane_1_edits_an_item_and_a_material_over_the_records_near_them() {
    let (mut app, path, _dir) = starting_on_demand();
    opened(&mut app, &path);
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    assert!(screen(&mut app, 110, 40).contains("广安区食品经营许可（新办）实施清单"));
    // the pinyin index of the items' names, built before the edit
    press(&mut app, "filter");
    type_text(&mut app, "spjy");
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    press(&mut app, "filter");
    key_ctrl(&mut app, 'u');
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    press(&mut app, "select_first");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let selected = format!("{:?}", app.selected_id());
    assert!(selected.contains("\"SX001-01-01\""), "{selected}");
    press(&mut app, "edit");
    assert!(app.editor.is_some(), "{}", message(&app));
    assert!(deferred(&app), "the editor over the item's records");
    // a parent the store lacks is flagged where it is typed
    parent_flagged_then_taken(&mut app, "SX999", "SX001-01");
    focus_field(&mut app, "name");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "广安区食品经营许可（新办）清单甲");
    press(&mut app, "save");
    assert!(app.editor.is_none(), "{}", message(&app));
    assert!(deferred(&app), "saved without the catalog");
    // the tree, drawn from the outline, shows the new name, and the pinyin filter finds it
    let s = screen(&mut app, 110, 40);
    assert!(
        s.contains("清单甲") && s.contains("已保存 SX001-01-01"),
        "{s}"
    );
    // a step of its workflow, over its records too
    press(&mut app, "submit");
    assert!(message(&app).contains("待审核"), "{}", message(&app));
    assert!(deferred(&app));
    press(&mut app, "filter");
    type_text(&mut app, "qdj");
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("清单甲"), "{s}");
    // a material's name too
    press(&mut app, "filter");
    key_ctrl(&mut app, 'u');
    enter(&mut app);
    press(&mut app, "next_list");
    press(&mut app, "select_first");
    press(&mut app, "edit");
    assert!(deferred(&app) && app.editor.is_some(), "{}", message(&app));
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "营业执照（副本）");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    assert!(screen(&mut app, 110, 40).contains("营业执照（副本）"));
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let catalog = store.catalog().clone();
    let item = catalog
        .items
        .values()
        .find(|i| i.name.ends_with("清单甲"))
        .expect("saved");
    assert_eq!(item.parent.as_deref(), Some("SX001-01"));
    assert_eq!(item.status, yibiao::model::Status::Submitted);
    assert!(
        catalog
            .materials
            .values()
            .any(|m| m.name == "营业执照（副本）")
    );
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    drop(store);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
}

#[test]
fn on_demand_pane_1_adds_child_and_main_items_copies_and_materials_as_once_loaded() {
    use yibiao::engine::workflow;
    use yibiao::model::{ItemLevel, Kind, Record};
    use yibiao::tui::tree::NodeId;
    let (mut app, path, _dir) = starting_on_demand();
    let before = SledStore::open(&path).expect("open").catalog().clone();
    opened(&mut app, &path);
    let original = |app: &App| app.editor.as_ref().map(|e| e.original.clone());
    let save_named = |app: &mut App, name: &str| {
        focus_field(app, "name");
        key_ctrl(app, 'u');
        type_text(app, name);
        press(app, "save");
        assert!(app.editor.is_none(), "{}", message(app));
        assert!(deferred(app), "saved without the catalog");
    };
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    let selected = app.selected_id();
    assert_eq!(
        selected,
        Some(NodeId::Record(Kind::Item, "SX001-01".into()))
    );
    // a child of the selected item, coded as the loaded catalog codes it
    press(&mut app, "add");
    let child = workflow::new_child(&before, &before.items["SX001-01"]).map(Record::Item);
    assert_eq!(original(&app), child, "{}", message(&app));
    assert!(deferred(&app), "the editor over the records near it");
    save_named(&mut app, "新增的实施清单甲");
    let code = child.map(|c| c.code().to_string()).unwrap_or_default();
    let s = screen(&mut app, 110, 40);
    assert!(
        s.contains("新增的实施清单甲") && s.contains(&format!("已保存 {code}")),
        "{s}"
    );
    // the new item (a 实施清单) is selected: a 办理项 under it, which has no child
    assert_eq!(
        app.selected_id(),
        Some(NodeId::Record(Kind::Item, code.clone()))
    );
    press(&mut app, "add");
    let handling = format!("{code}-01");
    assert!(
        matches!(original(&app), Some(Record::Item(i)) if i.code == handling && i.level == ItemLevel::Handling),
        "{}",
        message(&app)
    );
    save_named(&mut app, "新增的办理项乙");
    press(&mut app, "add");
    assert!(app.editor.is_none() && message(&app).contains("最低层级"));
    assert!(deferred(&app));
    // a copy of it, named and coded as the loaded catalog would
    press(&mut app, "copy");
    let copied = app.editor.as_ref().map(|e| e.original.clone());
    let Some(Record::Item(copy)) = copied else {
        panic!("{}", message(&app));
    };
    assert_eq!(copy.code.as_str(), format!("{handling}-copy"));
    assert_eq!(copy.name.as_str(), "新增的办理项乙（副本）");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    // a new main item from a heading (items grouped by agency), and a new material
    press(&mut app, "cycle_grouping");
    press(&mut app, "select_first");
    assert!(
        matches!(app.selected_id(), Some(NodeId::Group(_))),
        "{:?}",
        app.selected_id()
    );
    press(&mut app, "add");
    let main = workflow::new_record(&before, Kind::Item);
    assert_eq!(original(&app), main, "{}", message(&app));
    save_named(&mut app, "新增的主项");
    press(&mut app, "next_list");
    press(&mut app, "add");
    let material = workflow::new_record(&before, Kind::Material);
    assert_eq!(original(&app), material, "{}", message(&app));
    // a code the store holds already is refused, not written over the stored record
    let taken = before.materials.keys().next().cloned().unwrap_or_default();
    focus_field(&mut app, "name");
    type_text(&mut app, "重名的材料");
    focus_field(&mut app, "code");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, &taken);
    press(&mut app, "save");
    assert!(app.editor.is_some(), "{}", message(&app));
    assert!(message(&app).contains("未保存"), "{}", message(&app));
    focus_field(&mut app, "code");
    key_ctrl(&mut app, 'u');
    let fresh = material.as_ref().map(|m| m.code().to_string());
    type_text(&mut app, &fresh.unwrap_or_default());
    save_named(&mut app, "新增的材料");
    assert!(screen(&mut app, 110, 40).contains("新增的材料"));
    drop(app);
    // the store and its outline hold them, as the loaded catalog would
    let store = SledStore::open(&path).expect("open");
    let catalog = store.catalog().clone();
    let new_item = &catalog.items[code.as_str()];
    assert_eq!(new_item.parent.as_deref(), Some("SX001-01"));
    assert_eq!(new_item.name.as_str(), "新增的实施清单甲");
    assert_eq!(
        catalog.items[handling.as_str()].parent.as_deref(),
        Some(code.as_str())
    );
    assert!(
        catalog
            .items
            .contains_key(format!("{handling}-copy").as_str())
    );
    let main = main.map(|m| m.code().to_string()).unwrap_or_default();
    assert_eq!(catalog.items[main.as_str()].name, "新增的主项");
    let material = material.map(|m| m.code().to_string()).unwrap_or_default();
    assert_eq!(catalog.materials[material.as_str()].name, "新增的材料");
    assert_eq!(
        catalog.materials[taken.as_str()],
        before.materials[taken.as_str()]
    );
    assert_eq!(catalog.len(), before.len() + 5, "each saved once");
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    drop(store);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
}

#[test]
fn on_demand_an_items_save_keeps_the_warning_counts() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let counts = |app: &App| {
        app.loading
            .as_ref()
            .and_then(|l| l.forms_on_demand().cloned())
    };
    let before = counts(&app).expect("lint.idx");
    press(&mut app, "edit");
    assert!(app.editor.is_some(), "{}", message(&app));
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "改名的主项");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    assert_eq!(
        counts(&app),
        Some(before.clone()),
        "kept, not counted again"
    );
    drop(app);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    assert_eq!(unloaded.lint_counts(), Some(before));
}

#[test]
fn on_demand_a_key_that_needs_the_catalog_before_the_store_is_open_loads_it_once_open() {
    let (mut app, path, _dir) = starting_on_demand();
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    // a new form for the item needs the catalog
    press(&mut app, "form_for_item");
    assert!(
        deferred(&app),
        "waits for the store, not yet for the catalog"
    );
    assert!(app.forms.designer.is_none());
    assert!(
        message(&app).contains("1 个按键在等待"),
        "{}",
        message(&app)
    );
    opened(&mut app, &path);
    assert!(app.take_unloaded().is_none(), "loading, not waiting");
    until_loaded(&mut app);
    assert!(
        app.forms.designer.is_some(),
        "the waiting key ran: {}",
        message(&app)
    );

    // keys typed while the store opens that work from the caches beside it do so once it
    // is open (pane 2's search, then its editor), without the catalog
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    press(&mut app, "pane_elements");
    press(&mut app, "element_search");
    for c in "sfzhm".chars() {
        key(&mut app, c);
    }
    enter(&mut app);
    assert!(
        app.elements.search.selected_hit().is_none(),
        "waits for the store"
    );
    opened(&mut app, &path);
    app.settle(Duration::from_secs(20));
    assert!(deferred(&app), "{}", message(&app));
    assert_eq!(app.selected_element().as_deref(), Some("DE000005"));
    press(&mut app, "element_edit");
    assert!(deferred(&app) && app.editor.is_some(), "{}", message(&app));

    // never wanted: the open store is handed back at exit, unloaded
    let (mut app, path, _dir) = starting_on_demand();
    opened(&mut app, &path);
    let unloaded = app.take_unloaded().expect("the open store");
    assert!(app.take_unloaded().is_none());
    drop(unloaded);
}

#[test]
fn on_demand_a_store_that_fails_to_open_ends_the_session_with_the_reason() {
    let (app, _path, dir) = starting_on_demand();
    ends_with_the_reason(app, dir.path(), |e| AppEvent::Opened(Box::new(Err(e))));
}

/// The screens (but the status bar) after each of `keys`.
fn screens_after(app: &mut App, keys: &[&str]) -> Vec<Vec<String>> {
    keys.iter()
        .map(|k| {
            press(app, k);
            above_status(&screen(app, 120, 40))
        })
        .collect()
}

/// Opens a form in pane 3 (on demand, from its records) and edits it; the catalog is then
/// loaded (as for what still needs it), the edit kept; takes the edit back and closes the
/// designer.
fn load_by_opening_a_form(app: &mut App) {
    press(app, "pane_forms");
    press(app, "form_open");
    assert!(deferred(app), "{}", message(app));
    press(app, "select_next");
    press(app, "select_next");
    press(app, "form_required");
    assert!(deferred(app), "{}", message(app));
    press(app, "pane_catalog");
    app.want_catalog();
    assert!(!deferred(app) && app.loading.is_some(), "{}", message(app));
    until_loaded(app);
    app.settle(Duration::from_secs(20));
    press(app, "pane_forms");
    let d = app.forms.designer.as_ref().expect("open");
    assert!(d.design.is_dirty(), "the edit made before the catalog");
    press(app, "form_required");
    press(app, "back");
    assert!(app.forms.designer.is_none(), "{}", message(app));
}

#[test]
fn on_demand_pane_2_searches_the_cached_index_and_reads_an_elements_uses_from_the_store() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    assert!(deferred(&app), "pane 2 works from the caches");
    app.settle(Duration::from_secs(20));
    assert!(app.elements.index.is_some(), "read from search.idx");
    press(&mut app, "element_search");
    for c in "sfzhm".chars() {
        key(&mut app, c);
    }
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    assert!(deferred(&app), "searching does not need the catalog");
    let on_demand = screen(&mut app, 120, 40);
    let s = &on_demand;
    // the hit with its status (from the index), the detail and the uses (from the store)
    let row = s.lines().find(|l| l.contains("DE000005")).unwrap_or("");
    assert!(
        row.contains("身份证号码") && row.contains("14") && row.contains("已发布"),
        "{s}"
    );
    assert!(s.contains("公民身份号码、证件号码"), "the synonyms: {s}");
    assert!(s.contains("BD000006"), "a use: {s}");
    assert!(s.contains("目录未载入"), "{s}");

    // the uses list opens and moves; its rows are read from the store too
    press(&mut app, "element_open");
    assert_eq!(app.elements.focus, Focus::Uses, "{}", message(&app));
    // its end: the items of the forms that use the element, by name
    press(&mut app, "select_last");
    let uses_end_on_demand = screen(&mut app, 120, 40);
    assert!(uses_end_on_demand.contains("事项"), "{uses_end_on_demand}");
    press(&mut app, "select_first");
    press(&mut app, "select_next");
    assert_eq!(app.elements.use_selected, 1);
    press(&mut app, "element_detail_down");
    assert!(deferred(&app), "{}", message(&app));
    let uses_on_demand = screen(&mut app, 120, 40);

    // opening a form needs the catalog: once it is in, pane 2 shows the same, line for line
    load_by_opening_a_form(&mut app);
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("目录未载入"), "{s}");
    assert_eq!(above_status(&s), above_status(&uses_on_demand));
    press(&mut app, "select_last");
    let s = screen(&mut app, 120, 40);
    assert_eq!(above_status(&s), above_status(&uses_end_on_demand));
    press(&mut app, "select_first");
    press(&mut app, "select_next");
    press(&mut app, "back");
    let s = screen(&mut app, 120, 40);
    assert_eq!(above_status(&s), above_status(&on_demand));
}

#[test]
fn on_demand_pane_2_without_its_caches_loads_the_catalog_once_open() {
    // a store without the search index or the element links: pane 2 needs the catalog
    let (mut app, path, _dir) = starting_on_demand();
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    assert!(!deferred(&app), "no caches: the catalog loads");
    until_loaded(&mut app);

    // nor when pane 2 was entered while the store opened: once open it is found out
    let (mut app, path, _dir) = starting_on_demand();
    press(&mut app, "pane_elements");
    assert!(deferred(&app), "not known yet");
    opened(&mut app, &path);
    assert!(!deferred(&app), "no caches: the catalog loads");
    until_loaded(&mut app);

    // nor with element links that do not read (another layout's)
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    std::fs::write(path.join("links.idx"), b"yibiao element links 1\n").expect("write");
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    assert!(
        !deferred(&app),
        "links of another layout: the catalog loads"
    );
    until_loaded(&mut app);

    // with them, pane 2 entered while the store opened works once it is open
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    press(&mut app, "pane_elements");
    opened(&mut app, &path);
    app.settle(Duration::from_secs(20));
    assert!(deferred(&app), "{}", message(&app));
    assert!(app.elements.index.is_some(), "read once the store was open");

    // and a new element in the duplicates view is made without it (the duplicates are
    // found again, a record at a time, once it is saved)
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    select_de000005(&mut app);
    press(&mut app, "element_dups");
    app.settle(Duration::from_secs(20));
    assert!(deferred(&app), "{}", message(&app));
    press(&mut app, "element_add");
    assert!(deferred(&app), "{}", message(&app));
    assert!(app.editor.is_some(), "{}", message(&app));
}

#[test]
fn on_demand_a_jump_from_an_elements_use_goes_where_the_loaded_catalogs_goes() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    select_de000005(&mut app);
    let (mut once_loaded, _path, _dir) = loaded_with_caches();
    select_de000005(&mut once_loaded);
    press(&mut app, "element_open");
    press(&mut once_loaded, "element_open");
    assert_eq!(app.elements.focus, Focus::Uses, "{}", message(&app));
    // every use row: a field (its form's item), an item, a bundle, a child element
    let mut went = Vec::new();
    for row in 0..15 {
        for app in [&mut app, &mut once_loaded] {
            press(app, "pane_elements");
            app.elements.focus = Focus::Uses;
            app.elements.use_selected = row;
            press(app, "element_open");
        }
        assert!(deferred(&app), "row {row}: {}", message(&app));
        let (a, b) = (app.pane, once_loaded.pane);
        assert_eq!((a, message(&app)), (b, message(&once_loaded)), "row {row}");
        assert_eq!(app.selected_id(), once_loaded.selected_id(), "row {row}");
        let s = above_status(&screen(&mut app, 120, 40));
        assert_eq!(
            s,
            above_status(&screen(&mut once_loaded, 120, 40)),
            "row {row}"
        );
        went.push(app.selected_id());
    }
    assert!(went.iter().flatten().count() >= 10, "{went:?}");
    went.dedup();
    assert!(went.len() > 3, "uses lead to several records: {went:?}");
}

/// Pane 2 on demand with DE000005 (身份证号码) found and selected, the store opened without
/// the cache files `without`.
fn on_demand_pane_2_at_de000005(without: &[&str]) -> (App, std::path::PathBuf, tempfile::TempDir) {
    let (mut app, path, dir) = starting_on_demand_with_caches();
    for file in without {
        std::fs::remove_file(path.join(file)).expect("remove");
    }
    opened(&mut app, &path);
    select_de000005(&mut app);
    (app, path, dir)
}

/// Goes to pane 2 and selects DE000005 (身份证号码), found by its pinyin initials.
fn select_de000005(app: &mut App) {
    press(app, "pane_elements");
    app.settle(Duration::from_secs(20));
    press(app, "element_search");
    type_text(app, "sfzhm");
    enter(app);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.selected_element().as_deref(), Some("DE000005"));
}

/// In the editor, types `unknown` as the parent (read from the store as it is typed: no
/// such record, one error) and then `known` (none).
fn parent_flagged_then_taken(app: &mut App, unknown: &str, known: &str) {
    let errors = |app: &App| app.editor.as_ref().map(|e| e.errors.len());
    focus_field(app, "parent");
    key_ctrl(app, 'u');
    type_text(app, unknown);
    let shown = app.editor.as_ref().map(|e| e.errors.clone());
    assert_eq!(errors(app), Some(1), "{shown:?}");
    key_ctrl(app, 'u');
    type_text(app, known);
    assert_eq!(errors(app), Some(0));
}

/// The store at `path`, loaded, once its caches (outline, element links, lint counts) are
/// asserted to be what its catalog makes, and its check clean.
fn loaded_as_its_caches_say(path: &std::path::Path) -> SledStore {
    let unloaded = SledStore::open_unloaded(path).expect("open");
    let (outline, links, lint) = (
        unloaded.outline(),
        unloaded.element_links(),
        unloaded.lint_counts(),
    );
    drop(unloaded);
    let store = SledStore::open(path).expect("open");
    let catalog = store.catalog();
    assert_eq!(outline, Some(Outline::of(catalog)));
    assert_eq!(links, Some(yibiao::model::ElementLinks::of(catalog)));
    assert_eq!(lint, Some(yibiao::engine::lint::counts(catalog)));
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    store
}

/// Asserts the store at `path` and the caches beside it are what the loaded catalog makes:
/// its outline, element links and search index; `check` clean.
fn caches_are_the_catalogs(path: &std::path::Path) {
    written_store(path);
}

#[test]
fn on_demand_pane_2_edits_an_element_over_the_records_near_it() {
    let (mut app, path, _dir) = on_demand_pane_2_at_de000005(&[]);
    // (where pane 2's index lies: patched in place, it stays there)
    let at = |app: &App| app.elements.index.as_ref().map(|i| Arc::as_ptr(i) as usize);
    let before = at(&app).expect("pane 2's index read");
    press(&mut app, "element_edit");
    assert!(app.editor.is_some(), "{}", message(&app));
    assert!(deferred(&app), "the editor over the element's records");
    // a new name, and a parent: one the store lacks is refused where it is typed, read
    // from the store as it is typed
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "居民身份证件号码");
    parent_flagged_then_taken(&mut app, "DE999", "DE000001");
    press(&mut app, "save");
    assert!(app.editor.is_none(), "{}", message(&app));
    assert!(message(&app).contains("DE000005"), "{}", message(&app));
    assert!(deferred(&app), "saved without the catalog");
    // pane 2's index is patched with the element's new row, not read again (its text
    // stays in the file it was read from): the new name's pinyin finds it
    assert_eq!(at(&app), Some(before), "patched in place, not read again");
    let patched = app.elements.index.clone().expect("pane 2's index kept");
    assert!(!patched.data().is_held(), "its text left in its file");
    assert!(
        patched.data().appended_bytes() > 0,
        "the new row's after it"
    );
    drop(patched);
    app.settle(Duration::from_secs(20));
    press(&mut app, "element_search");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "jmsfzj");
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.selected_element().as_deref(), Some("DE000005"));
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("居民身份证件号码") && s.contains("目录未载入"),
        "{s}"
    );
    // a step of its workflow too
    press(&mut app, "element_submit");
    assert!(deferred(&app), "{}", message(&app));
    assert!(message(&app).contains("待审核"), "{}", message(&app));
    // a new element, coded from the store's keys; a code the store holds is flagged
    press(&mut app, "element_add");
    let code = app.editor.as_ref().map(|e| e.original.code().to_string());
    assert_eq!(code.as_deref(), Some("DE000625"), "{}", message(&app));
    focus_field(&mut app, "code");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "DE000001");
    let flagged = app
        .editor
        .as_ref()
        .is_some_and(|e| e.errors_of("code").count() == 1);
    assert!(flagged, "{:?}", app.editor.as_ref().map(|e| &e.errors));
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "DE000625");
    focus_field(&mut app, "name");
    type_text(&mut app, "港澳台居民居住证号码");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    let held = app.elements.index.clone().expect("pane 2's index kept");
    drop(app);
    // pane 2's index, patched by each save, is the rewritten file's
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    let file = unloaded.cached_search().read().expect("search.idx");
    drop(unloaded);
    assert_eq!(spelled(held.data()), spelled(&file));
    let store = SledStore::open(&path).expect("open");
    assert_eq!(
        store.catalog().elements["DE000625"].name.as_str(),
        "港澳台居民居住证号码"
    );
    let e = &store.catalog().elements["DE000005"];
    assert_eq!(
        (e.name.as_str(), e.parent.as_deref(), e.status),
        (
            "居民身份证件号码",
            Some("DE000001"),
            yibiao::model::Status::Submitted
        )
    );
    let catalog = store.catalog().clone();
    drop(store);
    caches_are_the_catalogs(&path);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    assert_eq!(
        unloaded.lint_counts(),
        None,
        "an element's change moves any form's warnings"
    );
    drop(unloaded);
    search_file_is_the_catalogs(&path, &catalog);
}

/// Asserts `search.idx` beside the store at `path` holds the entries `catalog` makes: their
/// use counts, states, codes, names and agencies, in order.
fn search_file_is_the_catalogs(path: &std::path::Path, catalog: &yibiao::model::Catalog) {
    let data = yibiao::engine::search::data_of(catalog);
    let unloaded = SledStore::open_unloaded(path).expect("open");
    let found = unloaded.cached_search().read().expect("search.idx");
    assert_eq!(spelled(&found), spelled(&data));
}

/// What an index's entries say, in order: use count, state, code, names, agency.
fn spelled(
    d: &yibiao::engine::search::SearchData,
) -> Vec<(u32, yibiao::model::Status, String, String, Option<String>)> {
    let mut buf = Vec::new();
    d.entries()
        .iter()
        .map(|e| {
            let s = d.strings(e, &mut buf);
            (
                e.uses,
                e.status,
                s.code().to_string(),
                s.names().to_string(),
                d.agency(e).map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn on_demand_pane_5_shows_the_cached_statistics_the_same_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_stats");
    assert!(deferred(&app), "pane 5 works from stats.idx");
    assert!(!app.stats.computing, "read at once");
    let overview = screen(&mut app, 120, 40);
    assert!(overview.contains("目录未载入"), "{overview}");
    assert!(overview.contains("624"), "the elements: {overview}");
    // its sections, scrolling and export work without the catalog
    for _ in 0..8 {
        press(&mut app, "stats_next_section");
    }
    press(&mut app, "select_last");
    assert!(app.stats.scroll > 0);
    let reduction = screen(&mut app, 120, 40);
    assert!(
        reduction.contains("主题减免") && reduction.contains("我要开药店"),
        "{reduction}"
    );
    press(&mut app, "stats_export");
    assert!(app.stats.prompt.is_some(), "{}", message(&app));
    let shown = app
        .stats
        .prompt
        .as_ref()
        .map(|p| p.input.value().to_string());
    assert!(
        shown.is_some_and(|p| p.ends_with("yibiao-stats.xlsx")),
        "beside the store"
    );
    app.stats.prompt = None;
    press(&mut app, "stats_refresh");
    assert!(deferred(&app), "{}", message(&app));

    // another pane needs the catalog; pane 5 then counts it (the cached figures removed, so
    // they are counted), shows the same, line for line, and caches them again
    std::fs::remove_file(path.join("stats.idx")).expect("remove");
    load_by_opening_a_form(&mut app);
    assert!(!path.join("stats.idx").exists());
    press(&mut app, "pane_stats");
    app.settle(Duration::from_secs(20));
    assert!(!app.stats.computing);
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("目录未载入"), "{s}");
    assert_eq!(above_status(&s), above_status(&reduction));
    assert!(path.join("stats.idx").exists(), "counted, then cached");
}

/// Pane 5's screen (but the status bar) with the sample's statistics cached, for comparison.
fn cached_statistics_screen() -> Vec<String> {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_stats");
    above_status(&screen(&mut app, 120, 40))
}

#[test]
fn on_demand_pane_5_without_cached_statistics_counts_them_from_the_store() {
    // without them: counted from the store's records on a worker, the same, line for line,
    // and cached
    let cached = cached_statistics_screen();
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    std::fs::remove_file(path.join("stats.idx")).expect("remove");
    opened(&mut app, &path);
    press(&mut app, "pane_stats");
    assert!(deferred(&app), "counted without the catalog");
    app.settle(Duration::from_secs(20));
    assert!(app.stats.stats.is_some() && !app.stats.computing);
    assert_eq!(above_status(&screen(&mut app, 120, 40)), cached);
    assert!(path.join("stats.idx").exists(), "counted, then cached");
    let first = app.stats.stats.clone();

    // a change saved before the catalog removes them: pane 5 counts them again
    select_de000005(&mut app);
    press(&mut app, "element_edit");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "居民身份证件号码");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    assert!(!path.join("stats.idx").exists());
    press(&mut app, "pane_stats");
    app.settle(Duration::from_secs(20));
    assert_ne!(
        app.stats.stats, first,
        "an element renamed, to be published again"
    );
    assert!(deferred(&app) && path.join("stats.idx").exists());
    shown_and_cached_are_the_catalogs(app, &path);

    // nor, without the element links, before the catalog
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    std::fs::remove_file(path.join("stats.idx")).expect("remove");
    std::fs::remove_file(path.join("links.idx")).expect("remove");
    opened(&mut app, &path);
    press(&mut app, "pane_stats");
    assert!(
        !deferred(&app),
        "no statistics and no links: the catalog loads"
    );
    until_loaded(&mut app);
    app.settle(Duration::from_secs(20));
    assert!(app.stats.stats.is_some());

    // entered while the store opened: decided once it is open
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    std::fs::remove_file(path.join("stats.idx")).expect("remove");
    press(&mut app, "pane_stats");
    assert!(deferred(&app), "not known yet");
    opened(&mut app, &path);
    app.settle(Duration::from_secs(20));
    assert!(deferred(&app), "{}", message(&app));
    assert_eq!(above_status(&screen(&mut app, 120, 40)), cached);
}

#[test]
fn on_demand_statistics_counted_before_a_change_was_saved_are_not_taken() {
    use yibiao::tui::action::Action;
    let (mut app, path, _dir) = on_demand_pane_2_at_de000005(&["stats.idx"]);
    // pane 5 starts counting; before its count is handled, an element is saved
    app.update(Action::Pane5);
    assert!(app.stats.computing);
    app.update(Action::Pane2);
    app.update(Action::ElementEdit);
    key_ctrl(&mut app, 'u');
    for c in "居民身份证件号码".chars() {
        key(&mut app, c);
    }
    app.update(Action::Save);
    assert!(app.editor.is_none() && deferred(&app), "{}", message(&app));
    // the count begun before it is dropped; pane 5 counts again
    app.settle(Duration::from_secs(20));
    press(&mut app, "pane_stats");
    app.settle(Duration::from_secs(20));
    shown_and_cached_are_the_catalogs(app, &path);
}

/// Asserts the statistics pane 5 shows and those cached beside the store at `path` are
/// those the loaded catalog counts (the app is closed first).
fn shown_and_cached_are_the_catalogs(app: App, path: &std::path::Path) {
    let shown = app.stats.stats.clone();
    drop(app);
    let store = SledStore::open(path).expect("open");
    let expected = yibiao::engine::stats::stats(store.catalog());
    drop(store);
    assert_eq!(shown.as_ref(), Some(&expected));
    let unloaded = SledStore::open_unloaded(path).expect("open");
    assert_eq!(unloaded.stats(), Some(expected));
}

#[test]
fn on_demand_pane_3_lists_and_filters_the_outlines_forms_the_same_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    assert!(
        deferred(&app),
        "pane 3's list works from the outline and lint.idx"
    );
    let all = app.forms.codes.len();
    assert!(all > 100, "{all}");
    press(&mut app, "select_last");
    press(&mut app, "page_up");
    let list = screen(&mut app, 120, 40);
    assert!(list.contains("目录未载入"), "{list}");
    // filtered by pinyin (the index built from the outline's names) and by warnings
    press(&mut app, "form_filter");
    for c in "sqb warn".chars() {
        key(&mut app, c);
    }
    app.settle(Duration::from_secs(20));
    enter(&mut app);
    let filtered = app.forms.codes.clone();
    assert!(
        !filtered.is_empty() && filtered.len() < all,
        "{}",
        filtered.len()
    );
    assert!(deferred(&app), "{}", message(&app));
    let filtered_screen = screen(&mut app, 120, 40);
    assert!(
        filtered_screen.contains('!'),
        "the warnings: {filtered_screen}"
    );

    // an edit in the designer needs the catalog: once in, the list is the same, line for
    // line; the lint counts, removed meanwhile, are counted and cached again
    std::fs::remove_file(path.join("lint.idx")).expect("remove");
    let selected = app.forms.selected;
    load_by_opening_a_form(&mut app);
    assert_eq!(app.forms.selected, selected);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.forms.codes, filtered);
    let s = screen(&mut app, 120, 40);
    assert_eq!(above_status(&s), above_status(&filtered_screen));
    assert!(path.join("lint.idx").exists(), "counted, then cached");
    press(&mut app, "form_filter");
    for _ in 0.."sqb warn".chars().count() {
        app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
            KeyCode::Backspace,
            KeyModifiers::NONE,
        ))));
    }
    enter(&mut app);
    press(&mut app, "select_last");
    press(&mut app, "page_up");
    let s = screen(&mut app, 120, 40);
    assert_eq!(above_status(&s), above_status(&list));
}

#[test]
fn on_demand_pane_4_lists_the_bundles_read_from_the_store_the_same_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    assert!(deferred(&app), "{}", message(&app));
    press(&mut app, "select_next");
    press(&mut app, "bundle_detail_down");
    let list = screen(&mut app, 120, 40);
    assert!(
        list.contains("目录未载入") && list.contains("ZT002"),
        "{list}"
    );
    assert_eq!(app.bundles.selected, 1);

    // once the catalog is in, the list is the same, line for line
    load_by_opening_a_form(&mut app);
    press(&mut app, "pane_bundles");
    let s = screen(&mut app, 120, 40);
    assert_eq!(above_status(&s), above_status(&list));
}

#[test]
fn on_demand_pane_4_opens_a_bundle_from_its_records_the_same_as_once_loaded() {
    // answered, a form left out, the next view; the answers the sample's ZT001 asks for
    // show a form whose unbound 手机号码 only the element pool can place
    let keys = [
        "merge_toggle",
        "select_next",
        "merge_toggle",
        "merge_toggle",
        "select_next",
        "merge_toggle",
        "merge_focus_next",
        "select_next",
        "merge_toggle",
        "merge_focus_next",
        "merge_view",
    ];
    // an element of the pool that no form of ZT001 binds, and a form of its first item with
    // two unbound fields it covers
    let item = "0100001001-511602000000-000-11511602299513299M-1-00";
    let pool = format!(
        r#"{{"format": "yibiao/1",
        "elements": [{{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                      "synonyms": ["紧急联系电话", "紧急联络电话"]}}],
        "forms": [{{"code": "BD999999", "name": "补充表", "item": "{item}",
                   "sections": [{{"title": "联系", "fields": [{{"key": "f1", "label": "紧急联系电话"}},
                                                            {{"key": "f2", "label": "紧急联络电话"}}]}}]}}]}}"#
    );
    let sample = yibiao::sample::generate(1);
    let extra = yibiao::io::json::parse_import(&pool, &sample, Lang::En).expect("parses");
    let (mut app, path, _dir) = starting_on_demand_with(extra);
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    assert!(deferred(&app), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    let work = app.bundles.work.as_ref().expect("open");
    let suggests = |element: &str| {
        work.merge
            .suggestions
            .iter()
            .any(|s| s.element.as_deref() == Some(element))
    };
    assert!(suggests("DE999999"), "the pool's covers are in");
    let on_demand = screens_after(&mut app, &keys);
    assert!(deferred(&app), "{}", message(&app));

    // a session with the catalog loaded, the same keys: the same screens, line for line
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    assert_eq!(on_demand, screens_after(&mut app, &keys));

    // a new bundle needs the catalog: it loads, and the open merge stays
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    press(&mut app, "bundle_new");
    assert!(!deferred(&app));
    until_loaded(&mut app);
    app.settle(Duration::from_secs(20));
    assert!(app.store().is_some() && app.bundles.work.is_some());
}

/// The sample and a form of its first item with a composite element (children and a
/// grandchild, which the preview shows as sub-fields) and two unbound fields that only an
/// element of the pool covers (the warnings suggest it).
fn designer_records() -> Vec<yibiao::model::Record> {
    let item = "0100001001-511602000000-000-11511602299513299M-1-00";
    let json = format!(
        r#"{{"format": "yibiao/1",
        "elements": [{{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                      "synonyms": ["紧急联系电话", "紧急联络电话"]}},
                     {{"code": "DE999990", "name": "紧急联系人", "kind": "text"}},
                     {{"code": "DE999991", "name": "紧急联系人姓名", "kind": "text", "parent": "DE999990"}},
                     {{"code": "DE999992", "name": "紧急联系人住址", "kind": "text", "parent": "DE999990"}},
                     {{"code": "DE999993", "name": "住址邮编", "kind": "postcode", "parent": "DE999992"}}],
        "forms": [{{"code": "BD999999", "name": "补充表", "item": "{item}",
                   "sections": [{{"title": "联系", "fields": [{{"key": "f0", "label": "紧急联系人", "element": "DE999990"}},
                                                            {{"key": "f1", "label": "紧急联系电话"}},
                                                            {{"key": "f2", "label": "紧急联络电话"}}]}}]}}]}}"#
    );
    let sample = yibiao::sample::generate(1);
    yibiao::io::json::parse_import(&json, &sample, Lang::En).expect("parses")
}

#[test]
fn on_demand_pane_3_opens_a_form_from_its_records_the_same_as_once_loaded() {
    // through the form, its warnings, the preview with a value typed into a sub-field, the
    // history, and back to the list
    let keys = [
        "select_next",
        "select_next",
        "form_warnings_down",
        "select_next",
        "select_last",
        "form_preview",
        "preview_next",
        "preview_next",
        "back",
        "select_first",
        "page_down",
        "form_history",
        "back",
        "back",
    ];
    let typed = "10001x";
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    let last = |app: &mut App| {
        press(app, "select_last");
        assert_eq!(app.forms.codes.last().map(String::as_str), Some("BD999999"));
    };
    last(&mut app);
    press(&mut app, "form_open");
    assert!(deferred(&app), "{}", message(&app));
    let opened_screen = screen(&mut app, 120, 40);
    assert!(opened_screen.contains("补充表"), "{opened_screen}");
    app.settle(Duration::from_secs(20));
    let d = app.forms.designer.as_ref().expect("open");
    let suggests = d
        .warnings
        .iter()
        .any(|w| w.message(Lang::En).contains("DE999999"));
    assert!(suggests, "the pool's covers are in: {:?}", d.warnings);
    let run = |app: &mut App| {
        let mut screens = screens_after(app, &keys[..7]);
        for c in typed.chars() {
            key(app, c);
        }
        screens.push(above_status(&screen(app, 120, 40)));
        screens.extend(screens_after(app, &keys[7..]));
        screens
    };
    let on_demand = run(&mut app);
    assert!(deferred(&app), "{}", message(&app));
    assert!(
        app.forms.designer.is_none() && app.loading.as_ref().is_some_and(|l| l.form_near.is_none())
    );
    let preview = on_demand[7].join("\n");
    assert!(
        preview.contains("紧急联系人姓名")
            && preview.contains("住址邮编")
            && preview.contains(typed),
        "the sub-fields, read by the element links: {preview}"
    );

    // a session with the catalog loaded, the same keys: the same screens, line for line
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    app.resize(120, 40);
    press(&mut app, "pane_forms");
    app.settle(Duration::from_secs(20));
    last(&mut app);
    press(&mut app, "form_open");
    let loaded = run(&mut app);
    for (i, (a, b)) in on_demand.iter().zip(&loaded).enumerate() {
        let differ: Vec<_> = a.iter().zip(b).filter(|(x, y)| x != y).collect();
        assert!(differ.is_empty(), "screen {i} differs: {differ:#?}");
    }
    assert_eq!(on_demand.len(), loaded.len());
}

fn backspace(app: &mut App, times: usize) {
    for _ in 0..times {
        app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
            KeyCode::Backspace,
            KeyModifiers::NONE,
        ))));
    }
}

#[test]
fn on_demand_the_designer_saves_a_forms_fields_over_the_records_near_it() {
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    press(&mut app, "select_last");
    assert_eq!(app.forms.codes.last().map(String::as_str), Some("BD999999"));
    press(&mut app, "form_open");
    app.settle(Duration::from_secs(20));
    // edits and saving them need no other record: the catalog is not loaded
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    press(&mut app, "form_unbind");
    press(&mut app, "select_next");
    press(&mut app, "form_required");
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    let d = app.forms.designer.as_ref().expect("still open");
    assert!(!d.design.is_dirty(), "saved: {}", message(&app));
    // a label edited: the pool is read again for its covers, which suggest an element the
    // records near the form do not hold
    press(&mut app, "select_prev");
    press(&mut app, "form_label");
    backspace(&mut app, 10);
    for c in "企业名称".chars() {
        key(&mut app, c);
    }
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    let d = app.forms.designer.as_ref().expect("still open");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message(Lang::En).contains("DE000030")),
        "{:?}",
        d.warnings
    );
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    // binding: the picker searches pane 2's index (read from the store's), pre-filled with
    // the pool's suggestion; an element added is read from the store
    press(&mut app, "select_next");
    press(&mut app, "form_bind");
    app.settle(Duration::from_secs(20));
    press(&mut app, "picker_choose");
    press(&mut app, "form_add_field");
    for c in "DE000143".chars() {
        key(&mut app, c);
    }
    app.settle(Duration::from_secs(20));
    press(&mut app, "picker_choose");
    assert!(deferred(&app), "{}", message(&app));
    let d = app.forms.designer.as_ref().expect("still open");
    let bound: Vec<_> = d.design.form().sections[0]
        .fields
        .iter()
        .map(|f| f.element.as_deref().unwrap_or("").to_string())
        .collect();
    assert_eq!(bound, ["", "DE999999", "DE000143", ""], "{}", message(&app));
    // the new label's covers, read from the pool again
    app.settle(Duration::from_secs(20));
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    // the workflow too: submitted for review
    press(&mut app, "form_submit");
    assert!(deferred(&app), "{}", message(&app));
    // pane 2 searches the store's search rows (its cache file went with the write): the
    // unbound element's uses are one fewer
    press(&mut app, "pane_elements");
    assert!(deferred(&app), "{}", message(&app));
    drop(app);

    // what the store holds, and the caches beside it, are what a loaded session makes
    let store = loaded_as_its_caches_say(&path);
    let catalog = store.catalog();
    let form = &catalog.forms["BD999999"];
    let fields = &form.sections[0].fields;
    assert_eq!(fields[0].element, None, "unbound");
    assert_eq!(fields[0].label.as_str(), "企业名称");
    assert!(fields[1].required && !fields[0].required && !fields[3].required);
    assert_eq!(fields[1].element.as_deref(), Some("DE999999"));
    assert_eq!(fields[2].element.as_deref(), Some("DE000143"));
    assert_eq!(form.status, yibiao::model::Status::Submitted, "{form:?}");
    assert_eq!(yibiao::engine::search::uses(catalog, "DE999990"), 0);
}

#[test]
fn on_demand_new_forms_are_made_and_saved_over_the_records_near_them() {
    use yibiao::engine::workflow;
    use yibiao::model::Kind;
    use yibiao::tui::tree::NodeId;
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    let before = SledStore::open_unloaded(&path)
        .expect("open")
        .outline()
        .expect("outline");
    opened(&mut app, &path);
    let working = |app: &App| app.forms.designer.as_ref().map(|d| d.design.form().clone());
    // pane 3 `n`: the item chosen from the outline's, the code the next free one
    press(&mut app, "pane_forms");
    press(&mut app, "form_new");
    assert!(app.forms.item_picker.is_some(), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    press(&mut app, "picker_choose");
    assert!(deferred(&app), "{}", message(&app));
    let first = working(&app).expect("the designer on the new form");
    let codes = before.codes_with_prefix(Kind::Form, workflow::FORM_PREFIX);
    let expected = workflow::next_code_among(codes, "BD", 6, |_| false);
    assert_eq!(first.code.as_str(), expected);
    let item = first.item.clone().expect("the item chosen");
    // a field bound to an element read from the store, and an unbound one; saved
    press(&mut app, "form_add_field");
    for c in "DE000143".chars() {
        key(&mut app, c);
    }
    app.settle(Duration::from_secs(20));
    press(&mut app, "picker_choose");
    press(&mut app, "form_add_unbound");
    for c in "补充说明".chars() {
        key(&mut app, c);
    }
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    let d = app.forms.designer.as_ref().expect("still open");
    assert!(!d.design.is_dirty(), "saved: {}", message(&app));
    // saved again, as a stored form now
    press(&mut app, "form_required");
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    press(&mut app, "back");
    assert!(app.forms.designer.is_none(), "{}", message(&app));
    let s = screen(&mut app, 120, 40);
    assert!(
        app.forms.codes.contains(&first.code.to_string()),
        "the list shows it: {s}"
    );
    // pane 1 `F`: a new form for the selected item, coded after the first
    press(&mut app, "pane_catalog");
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    let Some(NodeId::Record(Kind::Item, selected)) = app.selected_id() else {
        panic!("{:?}", app.selected_id());
    };
    press(&mut app, "form_for_item");
    assert!(deferred(&app), "{}", message(&app));
    let second = working(&app).expect("the designer on the new form");
    assert!(
        second.code > first.code,
        "{} after {}",
        second.code,
        first.code
    );
    assert_eq!(second.item.as_deref(), Some(selected.as_str()));
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    drop(app);

    // what the store holds, and the caches beside it, are what a loaded session makes
    let store = loaded_as_its_caches_say(&path);
    let catalog = store.catalog();
    let saved = &catalog.forms[first.code.as_str()];
    assert_eq!(saved.item.as_deref(), Some(item.as_str()));
    let fields: Vec<_> = saved.fields().map(|(_, _, f)| f.clone()).collect();
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert_eq!(fields[0].element.as_deref(), Some("DE000143"));
    assert_eq!(fields[1].label.as_str(), "补充说明");
    assert_eq!(
        catalog.forms[second.code.as_str()].item.as_deref(),
        Some(selected.as_str())
    );
}

#[test]
fn on_demand_a_form_opened_while_anothers_pool_is_read_has_its_own_read() {
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    // the first form's pool read is under way when it is closed and another opened (keys
    // handled without waiting for the workers)
    enter(&mut app);
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    key(&mut app, 'G');
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    let d = app.forms.designer.as_ref().expect("open");
    assert_eq!(d.design.form().code.as_str(), "BD999999");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message(Lang::En).contains("DE999999")),
        "{:?}",
        d.warnings
    );
    assert!(deferred(&app), "{}", message(&app));
}

#[test]
fn on_demand_the_workflow_from_pane_3s_list_saves_over_the_forms_records() {
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    press(&mut app, "select_last");
    press(&mut app, "form_submit");
    assert!(deferred(&app), "{}", message(&app));
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("待审核"), "{shown}");
    let read = app.loading.as_ref().map(|l| l.form_near.is_none());
    assert_eq!(
        read,
        Some(true),
        "the records read for the step are dropped"
    );
    drop(app);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    let (outline, lint) = (unloaded.outline(), unloaded.lint_counts());
    drop(unloaded);
    let store = SledStore::open(&path).expect("open");
    let catalog = store.catalog();
    assert_eq!(
        catalog.forms["BD999999"].status,
        yibiao::model::Status::Submitted
    );
    assert_eq!(outline, Some(Outline::of(catalog)));
    assert_eq!(
        lint,
        Some(yibiao::engine::lint::counts(catalog)),
        "counts kept"
    );
}

#[test]
fn on_demand_a_renamed_form_is_saved_and_found_by_its_new_names_pinyin() {
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    // the list's pinyin index, built from the outline's names before the rename
    press(&mut app, "form_filter");
    for c in "bcb".chars() {
        key(&mut app, c);
    }
    app.settle(Duration::from_secs(20));
    enter(&mut app);
    assert_eq!(app.forms.codes, ["BD999999"], "{}", message(&app));
    press(&mut app, "form_open");
    press(&mut app, "form_label");
    for c in "甲".chars() {
        key(&mut app, c);
    }
    enter(&mut app);
    press(&mut app, "form_save");
    assert!(deferred(&app), "{}", message(&app));
    press(&mut app, "back");
    assert!(app.forms.designer.is_none(), "{}", message(&app));
    // the list shows the new name, and its pinyin finds it
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("补充表甲"), "{shown}");
    press(&mut app, "form_filter");
    for c in "j".chars() {
        key(&mut app, c);
    }
    app.settle(Duration::from_secs(20));
    enter(&mut app);
    assert_eq!(app.forms.codes, ["BD999999"], "{}", message(&app));
    assert!(deferred(&app), "{}", message(&app));
    drop(app);
    let store = SledStore::open(&path).expect("open");
    assert_eq!(store.catalog().forms["BD999999"].name.as_str(), "补充表甲");
}

#[test]
fn on_demand_pane_3_without_cached_lint_counts_counts_them_from_the_store() {
    // the list with the cached counts, for comparison
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    press(&mut app, "select_last");
    let cached = above_status(&screen(&mut app, 120, 40));
    let outline = app
        .loading
        .as_ref()
        .and_then(|l| l.outline.as_deref().cloned());
    drop(app);
    let cache = path.join("lint.idx");
    let counted = || {
        let store = SledStore::open_unloaded(&path).expect("open");
        store.lint_counts().expect("cached")
    };
    let counts = counted();
    assert!(!counts.is_empty());
    std::fs::remove_file(&cache).expect("remove");
    let config = config::load(None, &ConfigFlags::default(), false);
    let loading = Loading::on_demand(outline);
    let mut app = App::while_loading(String::new(), loading, Lang::Zh, config, channel());
    app.resize(120, 40);
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    assert!(deferred(&app), "no lint counts: counted from the store");
    app.settle(Duration::from_secs(20));
    press(&mut app, "select_last");
    assert!(deferred(&app), "{}", message(&app));
    assert_eq!(above_status(&screen(&mut app, 120, 40)), cached);
    drop(app);
    assert_eq!(counted(), counts, "cached again");
    // entered while the store opened: decided once it is open
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    press(&mut app, "pane_forms");
    opened(&mut app, &path);
    assert!(deferred(&app), "{}", message(&app));
    assert!(
        !app.forms.codes.is_empty(),
        "listed once the store was open"
    );
}

/// The files under `dir`, by name, with their bytes.
fn files_in(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("a directory")
        .map(|e| {
            let e = e.expect("an entry");
            let bytes = std::fs::read(e.path()).expect("a file");
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn on_demand_an_export_reads_the_store_a_record_at_a_time() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let out = tempfile::tempdir().expect("tempdir");
    for target in ["csv/", "all.json"] {
        press(&mut app, "export_file");
        let Some(yibiao::tui::app::Overlay::Transfer(t)) = &mut app.overlay else {
            panic!(
                "the export dialog opens before the catalog: {}",
                message(&app)
            );
        };
        t.cwd = out.path().to_path_buf();
        t.path = tui_input::Input::new(target.into());
        t.refresh_sniff();
        enter(&mut app);
        app.settle(Duration::from_secs(20));
        let s = screen(&mut app, 120, 40);
        assert!(s.contains(&format!("已导出到 {target}")), "{s}");
        assert!(deferred(&app), "{}", message(&app));
        press(&mut app, "back");
        assert!(app.overlay.is_none());
    }
    // the store stays open for what needs it next
    press(&mut app, "pane_elements");
    assert!(deferred(&app), "{}", message(&app));

    // the same files as the loaded catalog's export
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let control = yibiao::io::progress::Control::none();
    for target in ["loaded/", "loaded.json"] {
        let request = yibiao::io::transfer::ExportRequest {
            file: out.path().join(target),
            format: None,
            kind: None,
            encoding: None,
            headers: None,
            caller: yibiao::io::transfer::Caller::Tui,
        };
        let export = yibiao::io::transfer::build(store.catalog(), &request, &control, Lang::Zh)
            .expect("builds");
        yibiao::io::transfer::save(&export, &control, Lang::Zh).expect("saves");
    }
    let on_demand = files_in(&out.path().join("csv"));
    assert_eq!(on_demand.len(), 14, "a file per table");
    assert_eq!(on_demand, files_in(&out.path().join("loaded")));
    let json = |name: &str| std::fs::read(out.path().join(name)).expect("written");
    assert_eq!(json("all.json"), json("loaded.json"));
}

/// A filter typed anew: its line opened by `action`, `erase` characters taken back, `text`
/// typed, `enter`; settled.
fn retyped(app: &mut App, action: &str, erase: usize, text: &str) {
    press(app, action);
    for _ in 0..erase {
        app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
            KeyCode::Backspace,
            KeyModifiers::NONE,
        ))));
    }
    for c in text.chars() {
        key(app, c);
    }
    enter(app);
    app.settle(Duration::from_secs(20));
}

#[test]
fn on_demand_one_big_index_is_kept_at_a_time_and_each_pane_still_finds_with_its_own() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    // pane 1's filter builds the item index from the outline
    retyped(&mut app, "filter", 0, "spjy");
    let s = screen(&mut app, 110, 40);
    assert!(s.contains("食品经营许可"), "{s}");
    assert!(app.bundles.items.index.is_some());
    assert!(app.forms.readings.index.is_none());
    // pane 2 reads its index: the item index goes (pane 1 is not on screen)
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    assert!(app.elements.index.is_some());
    assert!(app.bundles.items.index.is_none(), "the item index let go");
    assert!(app.catalog.narrowing.is_none());
    press(&mut app, "pane_catalog");
    retyped(&mut app, "filter", 4, "spjy");
    assert_eq!(above_status(&screen(&mut app, 110, 40)), above_status(&s));
    assert!(app.bundles.items.index.is_some());
    assert!(app.elements.index.is_none(), "pane 2's index let go");
    // pane 3's filter builds the index of the forms' names: the item index goes, and what
    // pane 1's filter kept of it for its next key too
    press(&mut app, "pane_forms");
    let all = app.forms.codes.len();
    retyped(&mut app, "form_filter", 0, "sqb");
    let by_pinyin = app.forms.codes.clone();
    assert!(
        !by_pinyin.is_empty() && by_pinyin.len() < all,
        "{by_pinyin:?}"
    );
    assert!(app.forms.readings.index.is_some());
    assert!(app.bundles.items.index.is_none(), "the item index let go");
    assert!(app.catalog.narrowing.is_none());
    assert!(deferred(&app), "{}", message(&app));
    // pane 2 reads its index again and finds as before; pane 3's goes once it is left
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    assert!(app.elements.index.is_some());
    assert!(
        app.forms.readings.index.is_none(),
        "the names' index let go"
    );
    press(&mut app, "pane_forms");
    app.settle(Duration::from_secs(20));
    assert_eq!(app.forms.codes, by_pinyin);
    assert!(app.elements.index.is_none(), "pane 2's index let go");
    // pane 1's filter, typed again, builds the item index again and finds the same; pane
    // 3's index goes
    press(&mut app, "pane_catalog");
    retyped(&mut app, "filter", 4, "spjy");
    let again = screen(&mut app, 110, 40);
    assert_eq!(above_status(&again), above_status(&s));
    assert!(app.bundles.items.index.is_some());
    assert!(
        app.forms.readings.index.is_none(),
        "the names' index let go"
    );
    // back in pane 3, its list (still filtered by pinyin) builds its index again, which
    // lets the item index go; an item picker opened over it wants the item index, built
    // while the list's is kept (pane 3 shows both)
    press(&mut app, "pane_forms");
    app.settle(Duration::from_secs(20));
    assert_eq!(app.forms.codes, by_pinyin, "the same forms found by pinyin");
    assert!(app.forms.readings.index.is_some());
    assert!(app.bundles.items.index.is_none());
    press(&mut app, "form_new");
    assert!(app.forms.item_picker.is_some(), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    assert!(app.bundles.items.index.is_some());
    assert!(app.forms.readings.index.is_some());
    assert!(deferred(&app), "{}", message(&app));
}

/// Whether the app's store, open on demand, would close and open its database again now.
fn worth_reopening(app: &App) -> bool {
    app.loading
        .as_ref()
        .and_then(Loading::unloaded)
        .is_some_and(yibiao::store::UnloadedStore::worth_reopening)
}

#[test]
fn on_demand_pane_5s_count_lets_the_indexes_go_and_the_store_reopens_after_the_reads() {
    let cached = cached_statistics_screen();
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    std::fs::remove_file(path.join("stats.idx")).expect("remove");
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    assert!(app.elements.index.is_some());
    // counted from the records, pane 2's index let go (the figures the same)
    press(&mut app, "pane_stats");
    assert!(app.elements.index.is_none(), "pane 2's index let go");
    app.settle(Duration::from_secs(20));
    assert_eq!(above_status(&screen(&mut app, 120, 40)), cached);
    // the store's records read on, as workers do, until a scan's worth: the database is
    // closed and opened again, once no reader holds it, and works as before
    let reader = |app: &App| {
        app.loading
            .as_ref()
            .and_then(Loading::unloaded)
            .map(yibiao::store::UnloadedStore::reader)
            .expect("open on demand")
    };
    let mut scans = 0;
    while !worth_reopening(&app) && scans < 100 {
        let elements = yibiao::model::Kind::Element;
        yibiao::model::RecordSource::each_record(&reader(&app), elements, &mut |_| Ok(()))
            .expect("read");
        scans += 1;
    }
    let held = reader(&app);
    assert!(!worth_reopening(&app), "not while a reader holds it");
    app.reopen_store_if_worth_it();
    drop(held);
    assert!(worth_reopening(&app), "after {scans} scans");
    app.reopen_store_if_worth_it();
    assert!(!worth_reopening(&app) && !app.quit, "{}", message(&app));
    assert!(deferred(&app), "{}", message(&app));
    press(&mut app, "stats_refresh");
    app.settle(Duration::from_secs(20));
    assert_eq!(above_status(&screen(&mut app, 120, 40)), cached);
    select_de000005(&mut app);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("身份证号码"), "{s}");
    assert!(deferred(&app), "{}", message(&app));
}

/// What pane 1's delete does on each item and material of the tree (every node expanded,
/// the items' list then the materials'): the refusal said, or the confirmation asked for
/// (then declined).
fn deletes_asked(app: &mut App) -> Vec<(String, String)> {
    use yibiao::model::Kind;
    use yibiao::tui::app::Overlay;
    use yibiao::tui::tree::NodeId;
    let mut out = Vec::new();
    for list in 0..3 {
        if list > 0 {
            press(app, "next_list");
        }
        press(app, "expand_all");
        press(app, "select_first");
        loop {
            let id = app.selected_id();
            if let Some(NodeId::Record(Kind::Item | Kind::Material | Kind::Bundle, code)) = &id {
                app.message = None;
                press(app, "delete");
                let asked = matches!(app.overlay, Some(Overlay::Confirm(_)));
                if asked {
                    key(app, 'n');
                }
                let outcome = if asked { "asked".into() } else { message(app) };
                out.push((code.clone(), outcome));
            }
            press(app, "select_next");
            if app.selected_id() == id {
                break;
            }
        }
    }
    out
}

/// Deletes the record selected in pane 1, `code`, answering yes: deleted without the catalog,
/// and gone from the tree.
fn deleted_on_demand(app: &mut App, code: &str) {
    press(app, "delete");
    key(app, 'y');
    assert_eq!(message(app), format!("已删除 {code}"));
    assert!(deferred(app), "deleted without the catalog");
    let tree = above_status(&screen(app, 110, 30)).join("\n");
    assert!(!tree.contains(code), "{tree}");
}

#[test]
fn on_demand_pane_1_deletes_an_item_or_material_nothing_references_as_once_loaded() {
    use yibiao::model::Kind;
    use yibiao::tui::tree::NodeId;
    // every delete refused or asked for as with the catalog loaded, the same words
    let (mut loaded, _loaded_dir) = tui_support::fixture_app(Lang::Zh);
    loaded.resize(110, 30);
    let expected = deletes_asked(&mut loaded);
    let (mut app, path, _dir) = starting_on_demand();
    opened(&mut app, &path);
    assert_eq!(deletes_asked(&mut app), expected);
    assert!(deferred(&app), "{}", message(&app));
    let refused = expected
        .iter()
        .filter(|(_, o)| o.contains("不能删除"))
        .count();
    assert!(refused > 0 && refused < expected.len(), "{expected:?}");

    // an item nothing references, and a new material, deleted without the catalog; the
    // tree drawn from the outline loses them
    let free = |kind: &str| {
        let found = expected
            .iter()
            .find(|(c, o)| o == "asked" && c.starts_with(kind));
        found
            .map(|(c, _)| c.clone())
            .expect("one nothing references")
    };
    let item = free("SX");
    // (the materials' list on screen)
    for _ in 0..8 {
        if app.catalog.list.kind() != Kind::Material {
            press(&mut app, "next_list");
        }
    }
    press(&mut app, "add");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "待删除的材料");
    press(&mut app, "save");
    let Some(NodeId::Record(Kind::Material, material)) = app.selected_id() else {
        panic!("{}", message(&app));
    };
    assert!(screen(&mut app, 110, 30).contains("待删除的材料"));
    deleted_on_demand(&mut app, &material);
    assert!(!screen(&mut app, 110, 30).contains("待删除的材料"));
    for _ in 0..8 {
        if app.catalog.list.kind() != Kind::Item {
            press(&mut app, "next_list");
        }
    }
    press(&mut app, "expand_all");
    press(&mut app, "select_first");
    let wanted = Some(NodeId::Record(Kind::Item, item.clone()));
    for _ in 0..40 {
        if app.selected_id() != wanted {
            press(&mut app, "select_next");
        }
    }
    assert_eq!(app.selected_id(), wanted);
    deleted_on_demand(&mut app, &item);
    drop(app);
    let store = SledStore::open(&path).expect("open");
    let catalog = store.catalog().clone();
    assert!(!catalog.materials.contains_key(material.as_str()));
    assert!(!catalog.items.contains_key(item.as_str()));
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    drop(store);
    let unloaded = SledStore::open_unloaded(&path).expect("open");
    assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
}

/// The store at `path` as written on demand, read whole: `check` finds nothing, and the
/// cached outline and element links are the catalog's. The catalog, and the lint counts
/// cached beside the store.
fn written_store(
    path: &std::path::Path,
) -> (
    yibiao::model::Catalog,
    Option<yibiao::engine::lint::LintCounts>,
) {
    let store = SledStore::open(path).expect("open");
    let catalog = store.catalog().clone();
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    drop(store);
    let unloaded = SledStore::open_unloaded(path).expect("open");
    assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
    assert_eq!(
        unloaded.element_links(),
        Some(yibiao::model::ElementLinks::of(&catalog))
    );
    (catalog, unloaded.lint_counts())
}

#[test]
fn on_demand_pane_1_deletes_a_bundle_nothing_claims_from_and_the_panes_follow() {
    use yibiao::model::Kind;
    use yibiao::tui::tree::NodeId;
    let sample = yibiao::sample::generate(1);
    let (mut loaded, _loaded_dir) =
        tui_support::app_with(sample.clone().into_records().collect(), Lang::Zh);
    loaded.resize(110, 30);
    let of_bundles = |asked: Vec<(String, String)>| -> Vec<(String, String)> {
        asked
            .into_iter()
            .filter(|(c, _)| c.starts_with("ZT"))
            .collect()
    };
    let bundles = of_bundles(deletes_asked(&mut loaded));
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    app.resize(110, 30);
    assert_eq!(of_bundles(deletes_asked(&mut app)), bundles);
    assert!(deferred(&app), "{}", message(&app));
    assert!(
        bundles.iter().any(|(_, o)| o == "asked") && bundles.iter().any(|(_, o)| o != "asked"),
        "a bundle to delete, a template claimed from refused: {bundles:?}"
    );
    // one whose going moves the warnings of its items' forms' conditions
    let counts = yibiao::engine::lint::counts(&sample);
    let moves = |code: &str| {
        let mut without = sample.clone();
        without.remove(Kind::Bundle, code);
        yibiao::engine::lint::counts(&without) != counts
    };
    let bundle = bundles
        .iter()
        .find(|(c, o)| o == "asked" && moves(c))
        .map(|(c, _)| c.clone())
        .expect("a bundle answering a condition");
    // open in pane 4: the workspace closes, the list loses it
    press(&mut app, "pane_bundles");
    press(&mut app, "select_first");
    let at = bundles
        .iter()
        .position(|(c, _)| *c == bundle)
        .expect("listed");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    press(&mut app, "bundle_open");
    let open = app.bundles.work.as_ref().map(|w| w.code.to_string());
    assert_eq!(open, Some(bundle.clone()), "{}", message(&app));
    press(&mut app, "pane_catalog");
    for _ in 0..8 {
        if app.catalog.list.kind() != Kind::Bundle {
            press(&mut app, "next_list");
        }
    }
    let wanted = Some(NodeId::Record(Kind::Bundle, bundle.clone()));
    press(&mut app, "select_first");
    for _ in 0..20 {
        if app.selected_id() != wanted {
            press(&mut app, "select_next");
        }
    }
    assert_eq!(app.selected_id(), wanted);
    deleted_on_demand(&mut app, &bundle);
    assert!(
        app.bundles.work.is_none(),
        "the deleted bundle's workspace closed"
    );
    press(&mut app, "pane_bundles");
    let list = screen(&mut app, 110, 30);
    assert!(!list.contains(&bundle) && list.contains("ZT"), "{list}");
    assert!(deferred(&app));
    drop(app);
    let (catalog, cached) = written_store(&path);
    assert!(!catalog.bundles.contains_key(bundle.as_str()));
    let lint = yibiao::engine::lint::counts(&catalog);
    assert_ne!(lint, counts);
    assert_eq!(cached, Some(lint), "the warnings followed");
}

/// Pane 1's screen (but the status bar) on each row of the materials' list, tall enough
/// for the longest detail of the sample's.
fn material_screens(app: &mut App) -> Vec<Vec<String>> {
    press(app, "next_list");
    press(app, "select_first");
    let mut out = Vec::new();
    loop {
        let id = app.selected_id();
        out.push(above_status(&screen(app, 120, 800)));
        press(app, "select_next");
        if app.selected_id() == id {
            return out;
        }
    }
}

#[test]
fn on_demand_every_materials_detail_names_its_users_from_the_outline_as_once_loaded() {
    let records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    let (mut loaded, _loaded_dir) = tui_support::app_with(records, Lang::Zh);
    loaded.resize(120, 40);
    let expected = material_screens(&mut loaded);
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let shown = material_screens(&mut app);
    assert!(deferred(&app), "{}", message(&app));
    assert!(expected.len() > 20, "{}", expected.len());
    let used = expected
        .iter()
        .filter(|s| {
            s.iter()
                .any(|l| l.contains("对应申请表 (") && !l.contains("(0)"))
        })
        .count();
    assert!(used > 20, "materials forms use: {used}");
    let whole = expected
        .iter()
        .all(|s| !s.iter().any(|l| l.contains("… 还有")));
    assert!(whole, "every detail whole on screen");
    for (shown, expected) in shown.iter().zip(&expected) {
        assert_eq!(shown, expected);
    }
    assert_eq!(shown.len(), expected.len());
}

/// An app with the catalog loaded, 120 × 40, on a store of the sample and `extra`, pane 4
/// open on its first bundle.
fn loaded_bundle(extra: Vec<yibiao::model::Record>) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    let records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    store.apply(Batch::upserts("test", records)).expect("seed");
    store.apply(Batch::upserts("extra", extra)).expect("extra");
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    app.resize(120, 40);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    (app, dir)
}

/// A step of pane 4's edits: an action, typed text, a key.
enum Step {
    Press(&'static str),
    Type(&'static str),
    Key(char),
    Enter,
    Clear,
}

/// The screens (but the status bar) after each of `steps`, and the status bar after the
/// last.
fn screens_of_steps(app: &mut App, steps: &[Step]) -> (Vec<Vec<String>>, String) {
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::Press(action) => press(app, action),
            Step::Type(text) => type_text(app, text),
            Step::Key(c) => key(app, *c),
            Step::Enter => enter(app),
            Step::Clear => key_ctrl(app, 'u'),
        }
        out.push(above_status(&screen(app, 120, 40)));
    }
    (out, message(app))
}

#[test]
fn on_demand_pane_4_edits_the_open_bundle_over_its_records_as_once_loaded() {
    use Step::*;
    let sample = yibiao::sample::generate(1);
    let zt = &sample.bundles["ZT001"];
    // a material none of its items asks for, added to its first item's
    let material = sample
        .materials
        .keys()
        .rev()
        .find(|m| {
            zt.items
                .iter()
                .all(|i| !sample.items[i.as_str()].materials.contains(m))
        })
        .expect("a material")
        .to_string();
    let adds = format!("{material} big=yes");
    let adds: &'static str = Box::leak(adds.into_boxed_str());
    let steps = [
        Press("bundle_rename"),
        Clear,
        Type("我要开餐馆（改）"),
        Enter,
        Press("bundle_add"),
        Type("big 面积是否超过500平方米？ | yes 是 | no 否"),
        Enter,
        Press("select_last"),
        Press("bundle_move_up"),
        Press("bundle_condition"),
        Clear,
        Type("big 面积是否超过1000平方米？ | yes 是 | no 否"),
        Enter,
        Press("merge_focus_next"),
        Press("select_next"),
        Press("bundle_condition"),
        Type("big=yes"),
        Enter,
        Press("bundle_move_up"),
        Press("bundle_materials"),
        Press("bundle_add"),
        Type(adds),
        Enter,
        Press("select_last"),
        Press("bundle_remove"),
        Press("back"),
        Press("select_last"),
        Press("bundle_remove"),
        Key('y'),
        Press("merge_focus_prev"),
        Press("select_first"),
        Press("bundle_remove"),
        Key('y'),
        Press("bundle_submit"),
        Press("bundle_return"),
    ];
    // an element of the pool no form of ZT001 binds, which only the pool's covers suggest
    // for a form of its first item: the covers read for its records stay after its edits
    let pool = format!(
        r#"{{"format": "yibiao/1",
        "elements": [{{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                      "synonyms": ["紧急联系电话"]}}],
        "forms": [{{"code": "BD999999", "name": "补充表", "item": "{}",
                   "sections": [{{"title": "联系", "fields": [{{"key": "f1", "label": "紧急联系电话"}}]}}]}}]}}"#,
        zt.items[0]
    );
    let extra = yibiao::io::json::parse_import(&pool, &sample, Lang::En).expect("parses");
    let (mut app, path, _dir) = starting_on_demand_with(extra.clone());
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    app.settle(Duration::from_secs(20));
    let (on_demand, said) = screens_of_steps(&mut app, &steps);
    assert!(deferred(&app), "{said}");
    let work = app.bundles.work.as_ref().expect("open");
    let suggests = |work: &yibiao::tui::panes::bundles::Workspace| {
        let found = work.merge.suggestions.iter();
        found
            .clone()
            .any(|s| s.element.as_deref() == Some("DE999999"))
    };
    assert!(suggests(work), "the pool's covers kept");
    press(&mut app, "pane_catalog");
    for _ in 0..8 {
        if app.catalog.list.kind() != yibiao::model::Kind::Bundle {
            press(&mut app, "next_list");
        }
    }
    let tree = screen(&mut app, 120, 40);
    assert!(tree.contains("我要开餐馆（改）"), "pane 1 follows: {tree}");
    assert!(deferred(&app));
    drop(app);

    // the store as written over the records near the bundle, and read whole
    let (catalog, cached) = written_store(&path);
    let lint = yibiao::engine::lint::counts(&catalog);
    assert_eq!(cached, Some(lint), "the warnings followed");

    // a session with the catalog loaded, the same steps: the same screens and bundle
    let (mut loaded, _loaded_dir) = loaded_bundle(extra);
    let (expected, said_loaded) = screens_of_steps(&mut loaded, &steps);
    assert_eq!(said, said_loaded);
    for (n, (a, b)) in on_demand.iter().zip(&expected).enumerate() {
        assert_eq!(a, b, "step {n}");
    }
    let bundle = loaded.store().expect("loaded").catalog().bundles["ZT001"].clone();
    assert_eq!(catalog.bundles["ZT001"], bundle);
    assert_ne!(bundle, *zt, "changed");
    assert!(bundle.name.contains("（改）") && bundle.status == yibiao::model::Status::Returned);
}

#[test]
fn on_demand_the_open_designer_names_its_item_as_pane_1_renamed_it() {
    use yibiao::model::Kind;
    use yibiao::tui::tree::NodeId;
    let item = "0100001001-511602000000-000-11511602299513299M-1-00";
    let (mut app, path, _dir) = starting_on_demand_with(designer_records());
    opened(&mut app, &path);
    press(&mut app, "pane_forms");
    press(&mut app, "select_last");
    press(&mut app, "form_open");
    app.settle(Duration::from_secs(20));
    assert!(
        app.forms.designer.is_some() && deferred(&app),
        "{}",
        message(&app)
    );
    // the form's item renamed in pane 1's editor, without the catalog
    press(&mut app, "pane_catalog");
    press(&mut app, "expand_all");
    press(&mut app, "select_first");
    let wanted = Some(NodeId::Record(Kind::Item, item.to_string()));
    for _ in 0..400 {
        if app.selected_id() != wanted {
            press(&mut app, "select_next");
        }
    }
    assert_eq!(app.selected_id(), wanted);
    press(&mut app, "edit");
    focus_field(&mut app, "name");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "改名事项乙");
    press(&mut app, "save");
    assert!(app.editor.is_none() && deferred(&app), "{}", message(&app));
    // the designer, still open on the form, names its item anew
    press(&mut app, "pane_forms");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("所属事项 改名事项乙 0100001001-"), "{s}");
    assert!(deferred(&app));
}

/// Walks pane 4's merged form of the open bundle from its first row, opening each row's fix
/// dialog and applying its first fix (answering yes where it asks), up to `most` fixes: the
/// dialog's screen (but the status bar) and what the status bar said after each.
fn fixes_applied(app: &mut App, most: usize) -> Vec<(Vec<String>, String)> {
    use yibiao::tui::app::Overlay;
    press(app, "merge_focus_next");
    press(app, "merge_focus_next");
    press(app, "select_first");
    let mut out = Vec::new();
    for _ in 0..150 {
        if out.len() >= most {
            break;
        }
        app.message = None;
        press(app, "merge_fix");
        if app.bundles.chooser.is_some() {
            let shown = above_status(&screen(app, 120, 40));
            press(app, "bundle_open");
            if matches!(app.overlay, Some(Overlay::Confirm(_))) {
                key(app, 'y');
            }
            out.push((shown, message(app)));
        }
        press(app, "select_next");
    }
    out
}

#[test]
fn on_demand_pane_4_fixes_the_merge_over_the_bundles_records_as_once_loaded() {
    let sample = yibiao::sample::generate(1);
    let zt = &sample.bundles["ZT001"];
    // a pool element only the pool's covers suggest, and a label two forms of the bundle
    // share that no element has (a new element, coded from the store's keys)
    let json = format!(
        r#"{{"format": "yibiao/1",
        "elements": [{{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                      "synonyms": ["紧急联系电话"]}}],
        "forms": [{{"code": "BD999999", "name": "补充表", "item": "{}",
                   "sections": [{{"title": "联系", "fields": [{{"key": "f1", "label": "紧急联系电话"}},
                                                            {{"key": "f2", "label": "紧急联系人单位"}}]}}]}},
                  {{"code": "BD999998", "name": "补充表二", "item": "{}",
                   "sections": [{{"title": "联系", "fields": [{{"key": "g1", "label": "紧急联系人单位"}}]}}]}}]}}"#,
        zt.items[0], zt.items[1]
    );
    let extra = yibiao::io::json::parse_import(&json, &sample, Lang::En).expect("parses");
    let (mut app, path, _dir) = starting_on_demand_with(extra.clone());
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    app.settle(Duration::from_secs(20));
    // a binding to the pool's element first (its forms' warnings counted anew), then the rest
    let mut on_demand = fixes_applied(&mut app, 1);
    let lint_after_one = app
        .loading
        .as_ref()
        .and_then(|l| l.forms_on_demand().cloned());
    on_demand.extend(fixes_applied(&mut app, 8));
    assert!(deferred(&app), "{on_demand:?}");
    let dialogs: String = on_demand
        .iter()
        .flat_map(|(s, _)| s.iter())
        .cloned()
        .collect();
    assert!(
        dialogs.contains("DE999999 紧急联系人电话"),
        "the pool's element, named"
    );
    assert!(dialogs.contains("新数据元"), "a new element offered");
    assert!(on_demand.len() >= 2, "{on_demand:?}");
    drop(app);
    let (catalog, cached) = written_store(&path);
    // (a new element may cover any form's labels: the counts went, to be counted again)
    assert_eq!(cached, None);

    // the same fixes with the catalog loaded: the same dialogs, words and records
    let (mut loaded, _loaded_dir) = loaded_bundle(extra);
    let mut expected = fixes_applied(&mut loaded, 1);
    let catalog_after_one = loaded.store().expect("loaded").catalog().clone();
    assert_eq!(
        lint_after_one,
        Some(yibiao::engine::lint::counts(&catalog_after_one)),
        "the fixed forms' warnings counted with the pool's covers"
    );
    expected.extend(fixes_applied(&mut loaded, 8));
    assert_eq!(on_demand.len(), expected.len());
    for (n, (a, b)) in on_demand.iter().zip(&expected).enumerate() {
        assert_eq!(a, b, "fix {n}");
    }
    let after = loaded.store().expect("loaded").catalog();
    let records = |c: &yibiao::model::Catalog| {
        let forms = c
            .forms
            .values()
            .map(|f| yibiao::model::Record::Form(f.clone()));
        let elements = c
            .elements
            .values()
            .map(|e| yibiao::model::Record::Element(e.clone()));
        forms.chain(elements).collect::<Vec<_>>()
    };
    assert!(
        records(after) == records(&catalog),
        "the same forms and elements"
    );
}

/// Puts the item named `name` into the bundle open in pane 4 through the item picker,
/// waiting for its index and then for the element pool's covers, and makes `lead` its lead
/// agency through the lead picker; the screens (but the status bar) after each.
fn item_put_in(app: &mut App, name: &str, lead: &str) -> Vec<Vec<String>> {
    press(app, "merge_focus_next");
    press(app, "select_last");
    picked(app, "bundle_add", name);
    let put_in = above_status(&screen(app, 120, 40));
    picked(app, "bundle_lead", lead);
    vec![put_in, above_status(&screen(app, 120, 40))]
}

/// Opens a picker of pane 4 with `opener`, types `query` and chooses what it finds first,
/// waiting for the picker's index and for what the choice reads.
fn picked(app: &mut App, opener: &str, query: &str) {
    press(app, opener);
    app.settle(Duration::from_secs(20));
    type_text(app, query);
    app.settle(Duration::from_secs(20));
    press(app, "picker_choose");
    app.settle(Duration::from_secs(20));
}

#[test]
fn on_demand_pane_4_puts_items_in_the_open_bundle_and_chooses_its_lead_agency() {
    let sample = yibiao::sample::generate(1);
    let zt = &sample.bundles["ZT001"];
    // an item of another bundle, with forms, that ZT001 lacks
    let item = sample
        .bundles
        .values()
        .flat_map(|b| b.items.iter())
        .find(|i| {
            !zt.items.contains(i)
                && sample
                    .forms
                    .values()
                    .any(|f| f.item.as_deref() == Some(i.as_str()))
        })
        .expect("an item to put in");
    // (typed by its code: several items share a name)
    let name = item.clone();
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    app.settle(Duration::from_secs(20));
    let fields = |app: &App| {
        app.bundles
            .work
            .as_ref()
            .map(|w| w.merge.stats.fields_before)
    };
    let before = fields(&app);
    // and a lead agency other than its own, chosen among the agencies read with it
    let lead = sample
        .agencies
        .values()
        .find(|a| Some(a.code.as_str()) != zt.lead_agency.as_deref())
        .map(|a| a.name.to_string())
        .expect("another agency");
    let on_demand = item_put_in(&mut app, &name, &lead);
    assert!(deferred(&app), "{}", message(&app));
    assert!(fields(&app) > before, "the item's forms are in the merge");
    drop(app);
    let (catalog, cached) = written_store(&path);
    assert!(catalog.bundles["ZT001"].items.contains(item));
    assert_eq!(cached, Some(yibiao::engine::lint::counts(&catalog)));

    let (mut loaded, _loaded_dir) = loaded_bundle(Vec::new());
    assert_eq!(item_put_in(&mut loaded, &name, &lead), on_demand);
    let bundle = &loaded.store().expect("loaded").catalog().bundles["ZT001"];
    assert_eq!(*bundle, catalog.bundles["ZT001"]);
    assert_ne!(bundle.lead_agency, zt.lead_agency, "a new lead agency");
}

/// From pane 4's list (its first bundle selected): a new bundle named `name`, one item put
/// in by its code `item`, then back to the list, the first bundle claimed; the screens (but
/// the status bar) after each, with what the status bar said.
fn bundle_made_and_claimed(app: &mut App, name: &str, item: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let shown = |app: &mut App| (above_status(&screen(app, 120, 40)), message(app));
    press(app, "bundle_new");
    type_text(app, name);
    enter(app);
    app.settle(Duration::from_secs(20));
    out.push(shown(app));
    picked(app, "bundle_add", item);
    out.push((shown(app).0, String::new()));
    press(app, "back");
    press(app, "select_first");
    press(app, "bundle_claim");
    out.push(shown(app));
    out
}

#[test]
fn on_demand_pane_4_makes_and_claims_bundles_from_its_list_as_once_loaded() {
    let sample = yibiao::sample::generate(1);
    let item = sample.bundles["ZT002"].items[0].clone();
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    press(&mut app, "pane_bundles");
    let on_demand = bundle_made_and_claimed(&mut app, "我要开茶馆", &item);
    assert!(deferred(&app), "{on_demand:?}");
    drop(app);
    let (catalog, cached) = written_store(&path);
    assert_eq!(cached, Some(yibiao::engine::lint::counts(&catalog)));
    let made: Vec<_> = catalog
        .bundles
        .keys()
        .filter(|c| !sample.bundles.contains_key(*c))
        .collect();
    assert_eq!(made.len(), 2, "{made:?}");

    let (mut loaded, _loaded_dir) = loaded_bundle(Vec::new());
    press(&mut loaded, "back");
    let expected = bundle_made_and_claimed(&mut loaded, "我要开茶馆", &item);
    assert_eq!(on_demand, expected);
    let after = &loaded.store().expect("loaded").catalog().bundles;
    for code in made {
        assert_eq!(
            after.get(code.as_str()),
            catalog.bundles.get(code.as_str()),
            "{code}"
        );
    }
}

/// In pane 3, the last form (BD999999) opened in the designer and given the item `item`
/// through the item picker, then saved; the designer's screen (but the status bar) after
/// the item is set and after the save, with what the status bar said.
fn form_moved(app: &mut App, item: &str) -> Vec<(Vec<String>, String)> {
    press(app, "pane_forms");
    press(app, "select_last");
    press(app, "form_open");
    app.settle(Duration::from_secs(20));
    let mut out = Vec::new();
    // on demand the item index lets the element links go (21 MB at a million elements),
    // read again for the save
    let held = |app: &App| app.loading.as_ref().map(Loading::holds_element_links);
    let on_demand = app.loading.is_some();
    assert_eq!(
        held(app),
        on_demand.then_some(true),
        "the designer read them"
    );
    press(app, "form_item");
    app.settle(Duration::from_secs(20));
    assert_eq!(
        held(app),
        on_demand.then_some(false),
        "let go for the index"
    );
    type_text(app, item);
    app.settle(Duration::from_secs(20));
    press(app, "picker_choose");
    out.push((above_status(&screen(app, 120, 40)), message(app)));
    press(app, "form_save");
    out.push((above_status(&screen(app, 120, 40)), message(app)));
    assert_eq!(held(app), on_demand.then_some(true), "followed by the save");
    out
}

#[test]
fn on_demand_the_designer_moves_its_form_to_another_item_as_once_loaded() {
    let sample = yibiao::sample::generate(1);
    // the form's first field shown on an answer ZT001 asks for, and an item of no bundle
    // put in a new one that asks it too: the condition holds there only if that bundle,
    // which does not hold the form's item, is read
    let zt = &sample.bundles["ZT001"];
    let question = &zt.questions[0];
    let item = sample
        .items
        .keys()
        .find(|i| {
            sample
                .bundles
                .values()
                .all(|b| !b.items.contains(&i.to_string()))
        })
        .expect("an item of no bundle")
        .to_string();
    let mut asking = zt.clone();
    asking.code = "ZT999".into();
    asking.items = vec![item.clone()];
    asking.questions = vec![question.clone()];
    asking.item_when.clear();
    asking.materials.clear();
    asking.template = false;
    asking.template_of = None;
    let when =
        yibiao::model::When::from([(question.key.clone(), vec![question.options[0].key.clone()])]);
    let mut records = designer_records();
    records.push(yibiao::model::Record::Bundle(asking));
    for record in &mut records {
        if let yibiao::model::Record::Form(form) = record
            && form.code == "BD999999"
        {
            form.sections[0].fields[0].when = Some(Box::new(when.clone()));
        }
    }
    let (mut app, path, _dir) = starting_on_demand_with(records.clone());
    opened(&mut app, &path);
    let on_demand = form_moved(&mut app, &item);
    let conditions = on_demand[1].0.join("\n");
    assert!(!conditions.contains("条件无效"), "{conditions}");
    assert!(deferred(&app), "{on_demand:?}");
    assert!(on_demand[1].1.contains("已保存"), "{on_demand:?}");
    drop(app);
    let (catalog, cached) = written_store(&path);
    assert_eq!(
        catalog.forms["BD999999"].item.as_deref(),
        Some(item.as_str())
    );
    assert_eq!(cached, Some(yibiao::engine::lint::counts(&catalog)));

    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    let seed: Vec<_> = sample.into_records().collect();
    store.apply(Batch::upserts("test", seed)).expect("seed");
    store
        .apply(Batch::upserts("extra", records))
        .expect("extra");
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut loaded = App::new(Box::new(store), Lang::Zh, config);
    loaded.resize(120, 40);
    assert_eq!(form_moved(&mut loaded, &item), on_demand);
}

/// An app on a store of the sample, loaded (in `store` under the directory returned).
fn loaded_sample_app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    let seed: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    store.apply(Batch::upserts("test", seed)).expect("seed");
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut loaded = App::new(Box::new(store), Lang::Zh, config);
    loaded.resize(120, 40);
    (loaded, dir)
}

/// The screen (but the status bar) and the message once the app's work is done.
fn settled_screen(app: &mut App) -> (Vec<String>, String) {
    app.settle(Duration::from_secs(20));
    (above_status(&screen(app, 120, 40)), message(app))
}

/// Pane 2's duplicates (`D`): the list, a pair of different kinds whose merge is refused, the
/// first pair swapped and back, merged (DE000133 排放口数量 into DE000070 排水口数量), and the
/// list found again: the screens (but the status bar) and the messages after each step.
fn dups_merged_in_pane_2(app: &mut App) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut shown = |app: &mut App| out.push(settled_screen(app));
    press(app, "pane_elements");
    app.settle(Duration::from_secs(20));
    // on demand the finder lets the element links go (it counts the uses itself: 21 MB at
    // a million elements), read again when pane 2 next shows where an element is used
    let held = |app: &App| app.loading.as_ref().map(Loading::holds_element_links);
    let on_demand = app.loading.is_some();
    assert_eq!(held(app), on_demand.then_some(true), "the where-used list");
    press(app, "element_dups");
    assert_eq!(
        held(app),
        on_demand.then_some(false),
        "let go for the finder"
    );
    shown(app);
    press(app, "select_next");
    shown(app);
    press(app, "element_merge");
    shown(app);
    press(app, "select_first");
    press(app, "element_swap");
    shown(app);
    press(app, "element_swap");
    press(app, "element_merge");
    shown(app);
    key(app, 'y');
    shown(app);
    press(app, "back");
    shown(app);
    assert_eq!(held(app), on_demand.then_some(true), "read again");
    out
}

#[test]
fn on_demand_pane_2_finds_the_duplicates_and_merges_a_pair_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let on_demand = dups_merged_in_pane_2(&mut app);
    assert!(
        deferred(&app),
        "found and merged without the catalog: {on_demand:?}"
    );
    let list = on_demand[0].0.join("\n");
    assert!(
        list.contains("疑似重复") && list.contains("排放口数量"),
        "{list}"
    );
    // the pair's comparison: both elements, their uses, the reasons
    assert!(
        list.contains("DE000070 排水口数量") && list.contains("处使用"),
        "{list}"
    );
    assert!(
        on_demand[2].1.contains("类型不同"),
        "refused: {on_demand:?}"
    );
    let swapped = on_demand[3].0.join("\n");
    assert!(swapped.contains("保留 DE000133"), "{swapped}");
    let confirm = on_demand[4].0.join("\n");
    assert!(
        confirm.contains("DE000133") && confirm.contains("DE000070"),
        "{confirm}"
    );
    assert!(on_demand[5].1.contains("已合并"), "{on_demand:?}");
    let after = on_demand[5].0.join("\n");
    assert!(
        !after.contains("DE000133"),
        "the merged pair is gone: {after}"
    );
    drop(app);
    let (catalog, _) = written_store(&path);
    assert!(!catalog.elements.contains_key("DE000133"));

    let (mut loaded, _dir) = loaded_sample_app();
    assert_eq!(dups_merged_in_pane_2(&mut loaded), on_demand);
}

/// Pane 2's duplicates (`D`): the first pair's element kept, edited from the view (renamed
/// to `name`), and the list found again: the screens (but the status bar) and the messages,
/// found, just saved (the list as it was, the element as saved, found again meanwhile), and
/// found again.
fn dups_edited_in_pane_2(app: &mut App, name: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    press(app, "pane_elements");
    press(app, "element_dups");
    out.push(settled_screen(app));
    press(app, "element_edit");
    assert!(app.editor.is_some(), "{}", message(app));
    key_ctrl(app, 'u');
    type_text(app, name);
    // saved, the finder not waited for
    let save = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    app.handle(AppEvent::Term(Event::Key(save)));
    assert!(app.editor.is_none(), "{}", message(app));
    out.push((above_status(&screen(app, 120, 40)), message(app)));
    out.push(settled_screen(app));
    out
}

#[test]
fn on_demand_pane_2_edits_an_element_from_the_duplicates_view_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let name = "项目编号（甲）";
    let on_demand = dups_edited_in_pane_2(&mut app, name);
    assert!(deferred(&app), "edited without the catalog: {on_demand:?}");
    let (found, saved, again) = (&on_demand[0].0, &on_demand[1].0, &on_demand[2].0);
    assert!(!found.join("\n").contains(name), "{found:?}");
    let saved = saved.join("\n");
    assert!(
        saved.contains(name) && saved.contains("重新比对中"),
        "{saved}"
    );
    assert!(!again.join("\n").contains("重新比对中"), "{again:?}");
    drop(app);
    let (catalog, _) = written_store(&path);
    assert!(catalog.elements.values().any(|e| e.name == name));

    // alike, but for what the query line says of pane 2's index just after the save: on
    // demand it was let go for the finder ("正在建立索引…"), loaded it searches ("搜索中…")
    let (mut loaded, _dir) = loaded_sample_app();
    let query_line = |(lines, said): &(Vec<String>, String)| {
        let lines = lines.iter().filter(|l| !l.contains("/ 名称 / 同义词"));
        (lines.cloned().collect::<Vec<_>>(), said.clone())
    };
    let loaded = dups_edited_in_pane_2(&mut loaded, name);
    assert_eq!(loaded.len(), on_demand.len());
    for (l, d) in loaded.iter().zip(&on_demand) {
        assert_eq!(query_line(l), query_line(d));
    }
    assert_eq!(
        (loaded[0].clone(), loaded[2].clone()),
        (on_demand[0].clone(), on_demand[2].clone())
    );
}

/// Pane 2 merges DE000133 (排放口数量, bound in forms) into DE000070 (排水口数量), chosen in
/// the picker by its code, and searches the merged name again: the screens (but the status
/// bar) and the messages after each step.
fn merged_in_pane_2(app: &mut App) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut shown = |app: &mut App| out.push(settled_screen(app));
    press(app, "pane_elements");
    press(app, "element_search");
    type_text(app, "pfksl");
    enter(app);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.selected_element().as_deref(), Some("DE000133"));
    shown(app);
    press(app, "element_merge");
    shown(app);
    type_text(app, "DE000070");
    shown(app);
    enter(app);
    shown(app);
    key(app, 'y');
    shown(app);
    // found by the merged name, kept as a synonym
    press(app, "element_search");
    key_ctrl(app, 'u');
    type_text(app, "pfksl");
    enter(app);
    shown(app);
    out
}

#[test]
fn on_demand_pane_2_merges_an_element_over_the_records_that_reference_it_as_once_loaded() {
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let on_demand = merged_in_pane_2(&mut app);
    assert!(deferred(&app), "merged without the catalog: {on_demand:?}");
    let confirm = on_demand[3].0.join("\n");
    assert!(
        confirm.contains("DE000133") && confirm.contains("DE000070"),
        "{confirm}"
    );
    assert!(on_demand[4].1.contains("已合并"), "{on_demand:?}");
    drop(app);
    let (catalog, cached) = written_store(&path);
    assert!(!catalog.elements.contains_key("DE000133"));
    let kept = &catalog.elements["DE000070"];
    assert!(
        kept.synonyms.iter().any(|s| s.as_str() == "排放口数量"),
        "{kept:?}"
    );
    assert!(
        yibiao::engine::usage::usage(&catalog, "DE000070")
            .fields
            .len()
            > 1
    );
    assert_eq!(
        cached, None,
        "an element's change moves any form's warnings"
    );
    search_file_is_the_catalogs(&path, &catalog);

    let (mut loaded, dir) = loaded_sample_app();
    assert_eq!(merged_in_pane_2(&mut loaded), on_demand);
    drop(loaded);
    let store = SledStore::open(&dir.path().join("store")).expect("open");
    let records = |c: &yibiao::model::Catalog| {
        c.records()
            .map(yibiao::model::RecordRef::to_record)
            .collect::<Vec<_>>()
    };
    assert_eq!(records(store.catalog()), records(&catalog));
}

/// Pane 2 on demand merges an element bound in more forms than one write near them takes
/// (4,100 forms more bind DE000133 排放口数量): the status says the merge is under way on
/// the frame drawn before it is made, a chunk of records at a time, without the catalog;
/// then every form binds the element kept and the caches follow.
/// `n` more forms, each binding DE000133 (排放口数量, which the sample binds in a few).
fn forms_binding_de000133(n: usize) -> Vec<yibiao::model::Record> {
    use yibiao::model::{Field, Form, Record, Section, Status};
    let form = |n: usize| {
        let field = Field {
            key: "a".into(),
            label: "排放口数量".into(),
            element: Some("DE000133".into()),
            required: false,
            help: None,
            when: None,
        };
        Record::Form(Form {
            code: format!("FX{n:05}").into(),
            name: format!("附加表{n}").into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "信息".into(),
                fields: vec![field],
            }],
            status: Status::Draft,
            version: 0,
        })
    };
    (0..n).map(form).collect()
}

#[test]
fn on_demand_keys_typed_during_a_merge_in_chunks_are_handled_after_it() {
    let (mut app, path, _dir) = starting_on_demand_with(forms_binding_de000133(4100));
    opened(&mut app, &path);
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    press(&mut app, "element_search");
    type_text(&mut app, "DE000133");
    enter(&mut app);
    app.settle(Duration::from_secs(20));
    assert_eq!(app.selected_element().as_deref(), Some("DE000133"));
    press(&mut app, "element_merge");
    type_text(&mut app, "DE000070");
    app.settle(Duration::from_secs(20));
    enter(&mut app);
    key(&mut app, 'y');
    assert!(
        app.loading.as_ref().is_some_and(Loading::lent),
        "{}",
        message(&app)
    );
    // the key help, handled (not settled): it waits, then runs
    key(&mut app, '?');
    assert!(app.overlay.is_none(), "the key waits");
    app.settle(Duration::from_secs(20));
    assert!(app.overlay.is_some(), "the key that waited ran");
    assert!(!app.loading.as_ref().is_some_and(Loading::lent) && deferred(&app));
    drop(app);
    let (catalog, _) = written_store(&path);
    assert!(!catalog.elements.contains_key("DE000133"));
}

#[test]
fn on_demand_pane_2_merges_an_element_bound_in_thousands_of_forms_in_chunks() {
    let (mut app, path, _dir) = starting_on_demand_with(forms_binding_de000133(4100));
    opened(&mut app, &path);
    // the sample's form binding DE000133, open in pane 3's designer meanwhile
    press(&mut app, "pane_forms");
    press(&mut app, "form_filter");
    type_text(&mut app, "BD000145");
    app.settle(Duration::from_secs(20));
    enter(&mut app);
    assert_eq!(app.forms.codes, ["BD000145"], "{}", message(&app));
    press(&mut app, "form_open");
    app.settle(Duration::from_secs(20));
    assert!(app.forms.designer.is_some(), "{}", message(&app));
    let designed = |app: &App, element: &str| {
        let near = app.loading.as_ref().and_then(|l| l.form_near.as_ref());
        let form = near
            .and_then(|n| n.forms.get("BD000145"))
            .expect("the designer's copy");
        form.fields()
            .any(|(_, _, f)| f.element.as_deref() == Some(element))
    };
    assert!(designed(&app, "DE000133"));
    // (the designer stays open)
    press(&mut app, "pane_elements");
    app.settle(Duration::from_secs(20));
    press(&mut app, "element_dups");
    app.settle(Duration::from_secs(20));
    // the finder keeps the busier element: swapped, DE000133 is merged away
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("保留 DE000133"), "{s}");
    press(&mut app, "element_swap");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("保留 DE000070"), "{s}");
    press(&mut app, "element_merge");
    key(&mut app, 'y');
    // on a worker, the open store lent to it: the screen says so, and keys wait for it
    assert!(app.loading.as_ref().is_some_and(Loading::lent));
    let under_way = screen(&mut app, 120, 40);
    assert!(
        under_way.contains("正在合并 DE000133 到 DE000070"),
        "{under_way}"
    );
    assert!(under_way.contains("ctrl-c 完成后退出"), "{under_way}");
    // how far it has got, as the worker tells it
    app.handle(AppEvent::MergeProgress(4096, 4102));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("（已暂存 4096 / 4102 条记录）"), "{s}");
    app.handle(AppEvent::MergeProgress(4102, 4102));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("（4102 条记录已暂存，正在写入）"), "{s}");
    // (`?`, the key help, handled and not settled: it waits; esc drops it)
    key(&mut app, '?');
    assert!(
        message(&app).contains("1 个按键在等待"),
        "{}",
        message(&app)
    );
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    let (after, said) = settled_screen(&mut app);
    assert!(app.overlay.is_none(), "the key dropped did not run");
    assert!(said.contains("已合并 DE000133 到 DE000070"), "{said}");
    assert!(said.contains("4101 个字段"), "{said}");
    assert!(deferred(&app), "merged without the catalog");
    let after = after.join("\n");
    assert!(
        !after.contains("DE000133"),
        "the merged pair is gone: {after}"
    );
    // the designer's copy follows
    assert!(designed(&app, "DE000070") && !designed(&app, "DE000133"));
    let near = app
        .loading
        .as_ref()
        .and_then(|l| l.form_near.as_ref())
        .unwrap();
    assert!(!near.elements.contains_key("DE000133"));
    drop(app);
    // (the outline and the links as the catalog's, and a sound store)
    let (catalog, _) = written_store(&path);
    assert!(!catalog.elements.contains_key("DE000133"));
    let bound = |code: &str| catalog.referrer_count(yibiao::model::Kind::Element, code);
    assert!(bound("DE000070") > 4100, "{}", bound("DE000070"));
}
