//! Items, materials and bundles before the catalog is loaded (on demand), beside the same
//! keys on the same store with the catalog loaded: pane 1's workflow of materials and
//! bundles, a bundle's editor, new bundles and copies, the 模板库's comparisons and claims,
//! and pane 4's history, comparison and flow exports, each read and written over the
//! records near it. Every step leaves the same screen and message, and the stores agree.

mod tui_support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::on_demand::*;
use tui_support::twins::Twins;
use tui_support::{key, press, screen, type_text};
use yibiao::model::Kind;
use yibiao::tui::app::{App, Pane};
use yibiao::tui::tree::NodeId;

const GUANGAN_COMPANY: &str = "0100001001-511602000000-000-11511602299513299M-1-00";
const TEMPLATE_COMPANY: &str = "0100001001-510104000000-000-1151010431236097XB-1-00";

#[test]
fn on_demand_pane_1_steps_materials_and_bundles_through_their_workflow_as_once_loaded() {
    let mut twins = Twins::new();
    // materials have none: said as the loaded catalog says it
    twins.press(&["next_list", "select_first", "submit"]);
    assert!(
        twins.said().contains("材料没有审核流程"),
        "{}",
        twins.said()
    );
    // ZT012 waits for review
    twins.press(&["next_list", "select_last", "return"]);
    assert!(twins.said().contains("已退回 ZT012"), "{}", twins.said());
    twins.press(&["submit", "publish"]);
    assert!(twins.said().contains("已发布 ZT"), "{}", twins.said());
    // a step that does not apply is refused with the same words
    twins.press(&["publish"]);
    assert!(twins.said().contains("不能发布"), "{}", twins.said());
    twins.stores_agree();
}

#[test]
fn on_demand_pane_1_edits_adds_and_copies_bundles_as_once_loaded() {
    let mut twins = Twins::new();
    twins.press(&["next_list", "next_list", "select_first", "edit"]);
    let original = |app: &App| app.editor.as_ref().map(|e| e.original.clone());
    assert!(original(&twins.on_demand).is_some(), "{}", twins.said());
    assert_eq!(original(&twins.on_demand), original(&twins.loaded));
    let rename = |twins: &mut Twins, name: &str| {
        twins.act("name", |app| focus_field(app, "name"));
        twins.act("ctrl-u", |app| key_ctrl(app, 'u'));
        twins.type_text(name);
        twins.press(&["save"]);
        assert!(twins.on_demand.editor.is_none(), "{}", twins.said());
    };
    rename(&mut twins, "我要开餐馆（改）");
    assert!(twins.said().contains("已保存 ZT001"), "{}", twins.said());
    // a new bundle, coded as the loaded catalog codes it
    twins.press(&["add"]);
    assert_eq!(original(&twins.on_demand), original(&twins.loaded));
    rename(&mut twins, "新的主题");
    // a copy of the selected one
    twins.press(&["select_first", "copy"]);
    assert_eq!(original(&twins.on_demand), original(&twins.loaded));
    let copy = original(&twins.on_demand).map(|r| r.code().to_string());
    assert_eq!(copy.as_deref(), Some("ZT001-copy"));
    twins.press(&["save"]);
    // pane 4's list, read from the store before the edits, follows them
    twins.press(&["pane_bundles", "select_last"]);
    let catalog = twins.stores_agree();
    assert_eq!(catalog.bundles["ZT001"].name, "我要开餐馆（改）");
    assert!(catalog.bundles.values().any(|b| b.name == "新的主题"));
    assert!(catalog.bundles.contains_key("ZT001-copy"));
}

#[test]
fn on_demand_templates_are_compared_and_claimed_as_once_loaded() {
    let mut twins = Twins::new();
    twins.select(Kind::Item, GUANGAN_COMPANY);
    twins.press(&["template_compare", "page_down", "back"]);
    // a template itself was not claimed from one
    twins.select(Kind::Item, TEMPLATE_COMPANY);
    twins.press(&["template_compare"]);
    assert!(twins.said().contains("不是从模板认领"), "{}", twins.said());
    twins.press(&["template_claim"]);
    let s = screen(&mut twins.on_demand, 120, 40);
    assert!(s.contains(&format!("{TEMPLATE_COMPANY}-RL")), "{s}");
    // a taken code is refused in the prompt
    twins.act("ctrl-u", |app| {
        key(app, KeyCode::Char('u'), KeyModifiers::CONTROL)
    });
    twins.type_text(GUANGAN_COMPANY);
    twins.enter();
    assert!(twins.on_demand.overlay.is_some());
    twins.act("ctrl-u", |app| {
        key(app, KeyCode::Char('u'), KeyModifiers::CONTROL)
    });
    twins.type_text("SX-NEW");
    twins.enter();
    assert!(twins.on_demand.overlay.is_none(), "{}", twins.said());
    assert_eq!(twins.on_demand.pane, Pane::Catalog);
    assert!(twins.said().contains("复制申请表 1 张"), "{}", twins.said());
    let claimed = Some(NodeId::Record(Kind::Item, "SX-NEW".to_string()));
    assert_eq!(twins.on_demand.selected_id(), claimed);
    // the claimed draft conforms
    twins.press(&["template_compare", "back"]);
    // a material's and a bundle's claims
    twins.press(&["next_list"]);
    twins.select(Kind::Material, "CL000001");
    twins.press(&["template_claim"]);
    twins.enter();
    twins.press(&["next_list"]);
    twins.select(Kind::Bundle, "ZT001");
    twins.press(&["template_claim"]);
    twins.enter();
    assert!(twins.said().contains("ZT001-RL"), "{}", twins.said());
    twins.press(&["template_compare"]);
    let s = screen(&mut twins.on_demand, 120, 40);
    assert!(s.contains("ZT001-RL"), "{s}");
    twins.press(&["back"]);
    let catalog = twins.stores_agree();
    let forms_of = |item: &str| {
        catalog
            .forms
            .values()
            .filter(|f| f.item.as_deref() == Some(item))
            .count()
    };
    assert_eq!(forms_of("SX-NEW"), forms_of(TEMPLATE_COMPANY));
    assert!(catalog.materials.contains_key("CL000001-RL"));
    assert!(catalog.bundles.contains_key("ZT001-RL"));
}

#[test]
fn on_demand_pane_4_shows_a_bundles_history_and_comparison_and_exports_its_flow() {
    let mut twins = Twins::new();
    twins.press(&["pane_bundles", "select_first"]);
    // ZT010 was claimed from a template
    for _ in 1..10 {
        twins.press(&["select_next"]);
    }
    let s = screen(&mut twins.on_demand, 120, 40);
    assert!(s.contains("主题 10/12"), "{s}");
    // from the list, then from the open bundle
    let looks = [
        "bundle_history",
        "back",
        "bundle_compare",
        "page_down",
        "back",
    ];
    twins.press(&looks);
    twins.press(&["bundle_open"]);
    assert!(twins.on_demand.bundles.work.is_some(), "{}", twins.said());
    twins.press(&looks);
    assert!(twins.on_demand.bundles.work.is_some(), "{}", twins.said());
    // the flow's exports, written where each store's directory is
    for (action, ext) in [("flow_export_dot", "dot"), ("flow_export_mermaid", "mmd")] {
        for app in [&mut twins.on_demand, &mut twins.loaded] {
            press(app, action);
            enter(app);
            assert!(message(app).contains("流程已导出"), "{}", message(app));
        }
        assert!(deferred(&twins.on_demand));
        let [a, b] = twins.paths.clone().map(|p| {
            let file = p.with_file_name(format!("ZT010-flow.{ext}"));
            std::fs::read_to_string(file).expect("exported")
        });
        assert!(a.contains("旅馆业特种行业许可证核发"), "{a}");
        assert_eq!(a, b);
    }
    twins.stores_agree();
}

#[test]
fn on_demand_pane_1s_keys_on_a_heading_say_so_without_the_catalog() {
    let mut twins = Twins::new();
    // items grouped by agency: the first row is a heading
    twins.press(&["cycle_grouping", "select_first"]);
    assert!(matches!(
        twins.on_demand.selected_id(),
        Some(NodeId::Group(_))
    ));
    twins.press(&["edit"]);
    assert!(
        twins.said().contains("分组标题不能编辑"),
        "{}",
        twins.said()
    );
    twins.press(&["copy"]);
    assert!(
        twins.said().contains("请选择要复制的记录"),
        "{}",
        twins.said()
    );
    twins.press(&["template_compare"]);
    assert!(twins.said().contains("请选择一条记录"), "{}", twins.said());
    twins.press(&["template_claim"]);
    assert!(twins.said().contains("请选择一个模板"), "{}", twins.said());
    // nothing to delete or step
    twins.press(&["delete", "submit", "publish"]);
    assert!(twins.on_demand.overlay.is_none());
    twins.stores_agree();
}

/// The item index pane 1's pinyin filter `query` (typed into the app on demand at `path`)
/// built, as a weak reference: whether something still holds it.
fn filtered(app: &mut App, query: &str) -> std::sync::Weak<yibiao::engine::item_search::ItemIndex> {
    press(app, "filter");
    key_ctrl(app, 'u');
    type_text(app, query);
    enter(app);
    app.settle(Duration::from_secs(20));
    let index = app
        .bundles
        .items
        .index
        .as_ref()
        .expect("built for the filter");
    std::sync::Arc::downgrade(index)
}

/// Whether `stale` is let go (on a thread of its own) within five seconds.
fn let_go(stale: &std::sync::Weak<yibiao::engine::item_search::ItemIndex>) -> bool {
    (0..500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        stale.upgrade().is_none()
    })
}

#[test]
fn on_demand_writes_under_a_pinyin_filter_let_the_stale_item_index_go() {
    let (mut app, path, _dir) = starting_on_demand();
    opened(&mut app, &path);
    let stale = filtered(&mut app, "spjy");
    assert!(matches!(
        app.selected_id(),
        Some(NodeId::Record(Kind::Item, _))
    ));
    // a step of the workflow moves nothing the index holds: it is kept
    press(&mut app, "submit");
    assert!(message(&app).contains("已提交"), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    let kept = app.bundles.items.index.as_ref().map(std::sync::Arc::as_ptr);
    assert_eq!(kept, Some(stale.as_ptr()));
    press(&mut app, "edit");
    key_ctrl(&mut app, 'u');
    type_text(&mut app, "食品经营许可甲");
    press(&mut app, "save");
    assert!(deferred(&app) && app.editor.is_none(), "{}", message(&app));
    app.settle(Duration::from_secs(20));
    // the filter runs on an index of the names as they are now; the old one is let go
    let fresh = app.bundles.items.index.as_ref().expect("built again");
    assert!(!std::ptr::eq(fresh.as_ref(), stale.as_ptr()));
    assert!(let_go(&stale), "the stale index is still held");
    assert!(screen(&mut app, 110, 40).contains("食品经营许可甲"));

    // a claim shows the new item with the filter cleared: what the last match kept (with
    // the index it ran on) goes too
    let (mut app, path, _dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    let stale = filtered(&mut app, "gssldj");
    press(&mut app, "select_next");
    let template = Some(NodeId::Record(Kind::Item, TEMPLATE_COMPANY.to_string()));
    assert_eq!(app.selected_id(), template);
    press(&mut app, "template_claim");
    enter(&mut app);
    assert!(
        message(&app).contains("复制申请表 1 张"),
        "{}",
        message(&app)
    );
    app.settle(Duration::from_secs(20));
    assert!(let_go(&stale), "the stale index is still held");
}
