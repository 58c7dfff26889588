//! Pane 4 (主题) on the sample catalog, driven by action names through the default keymap.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::model::{Catalog, Record};
use yibiao::tui::app::{App, Pane};
use yibiao::tui::panes::bundles::{Focus, Mark, RightView};

/// The sample with one legacy label changed, so 我要开餐馆 has a label conflict: a field bound
/// to the element of 法定代表人姓名 in BD000029 prints 法人姓名.
fn sample_records() -> Vec<Record> {
    let mut catalog: Catalog = yibiao::sample::generate(1);
    let mut form = catalog.forms["BD000029"].clone();
    let field = form
        .sections
        .iter_mut()
        .flat_map(|s| s.fields.iter_mut())
        .find(|f| f.label == "法定代表人姓名")
        .expect("a 法定代表人姓名 field");
    field.label = "法人姓名".into();
    catalog.insert(Record::Form(form));
    catalog.into_records().collect()
}

/// Focuses the right view and selects the first merged field with `mark`.
fn select_marked(app: &mut App, mark: Mark) {
    let i = app
        .bundles
        .work
        .as_ref()
        .expect("workspace")
        .marks
        .iter()
        .position(|m| *m == mark)
        .expect("a marked field");
    while app.bundles.work.as_ref().map(|w| w.focus) != Some(Focus::Right) {
        press(app, "merge_focus_next");
    }
    press(app, "select_first");
    for _ in 0..i {
        press(app, "select_next");
    }
}

fn stats(app: &App) -> (usize, usize) {
    let m = &app.bundles.work.as_ref().expect("workspace").merge.stats;
    (m.fields_before, m.fields_after)
}

/// Opens 我要开餐馆 (ZT001, the first bundle) in pane 4.
fn restaurant(lang: Lang) -> (App, tempfile::TempDir) {
    let (mut app, dir) = app_with(sample_records(), lang);
    press(&mut app, "pane_bundles");
    assert_eq!(app.pane, Pane::Bundles);
    assert!(screen(&mut app, 120, 36).contains("我要开餐馆"));
    press(&mut app, "bundle_open");
    assert_eq!(
        app.bundles.work.as_ref().map(|w| w.code.as_str()),
        Some("ZT001")
    );
    (app, dir)
}

/// Answers every question with its last option (ge500, no → yes… as the sample orders them):
/// cycles question `i` `n` times.
fn answer(app: &mut App, i: usize, n: usize) {
    press(app, "select_first");
    for _ in 0..i {
        press(app, "select_next");
    }
    for _ in 0..n {
        press(app, "merge_toggle");
    }
}

/// Answers area=ge500, signboard=yes, tobacco=yes.
fn answer_all_yes(app: &mut App) {
    answer(app, 0, 2);
    answer(app, 1, 1);
    answer(app, 2, 1);
    let w = app.bundles.work.as_ref().expect("workspace");
    assert_eq!(w.answers.get("area").map(String::as_str), Some("ge500"));
}

#[test]
fn answers_recompute_the_merge_live() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    // nothing answered: only the items without a condition
    assert_eq!(stats(&app), (54, 35));
    assert!(screen(&mut app, 120, 36).contains("字段 54 → 35"));
    answer_all_yes(&mut app);
    assert_eq!(stats(&app), (100, 51));
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("字段 100 → 51 -49%"), "{s}");
    assert!(s.contains("时限 24 → 10 天"), "{s}");
    // cycling past the last option (yes → no → unanswered) un-answers the question
    answer(&mut app, 2, 2);
    assert_eq!(app.bundles.work.as_ref().unwrap().answers.len(), 2);
    assert!(stats(&app).0 < 100);
    assert!(screen(&mut app, 120, 36).contains("[未答]"));
}

#[test]
fn toggling_an_item_form_out_and_back() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "merge_focus_next");
    assert_eq!(app.bundles.work.as_ref().unwrap().focus, Focus::Items);
    press(&mut app, "select_first");
    press(&mut app, "merge_toggle");
    let (before, after) = stats(&app);
    assert!(before < 100 && after < 51, "{before} {after}");
    assert!(screen(&mut app, 120, 36).contains("[ ]"));
    press(&mut app, "merge_toggle");
    assert_eq!(stats(&app), (100, 51));
}

#[test]
fn diff_marks_every_source_field_and_the_flow_marks_the_critical_path() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "merge_view");
    let w = app.bundles.work.as_ref().unwrap();
    assert_eq!(w.view, RightView::Diff);
    assert_eq!(w.diff.len(), 100, "one diff row per source field");
    for mark in Mark::ALL {
        assert!(w.diff.iter().any(|d| d.mark == mark), "{mark:?}");
    }
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("< BD"), "{s}");
    assert!(s.contains("! BD"), "{s}");
    assert!(s.contains("= 保留  < 合并  ! 冲突  ? 疑似重复"), "{s}");
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    assert_eq!(app.bundles.work.as_ref().unwrap().view, RightView::Flow);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("关键路径"), "{s}");
    assert!(s.lines().any(|l| l.contains("│*")), "{s}");
}

#[test]
fn resolving_a_conflict_rewrites_the_forms_and_the_preview() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    select_marked(&mut app, Mark::Conflict);
    assert_eq!(app.bundles.work.as_ref().unwrap().focus, Focus::Right);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("chooser");
    assert_eq!(chooser.choices[0].0, "标签统一为「法定代表人姓名」");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("处理「法定代表人姓名」"), "{s}");
    press(&mut app, "bundle_open");
    assert!(app.bundles.chooser.is_none());
    let w = app.bundles.work.as_ref().unwrap();
    assert!(w.merge.conflicts.is_empty(), "{:?}", w.merge.conflicts);
    assert!(!w.marks.contains(&Mark::Conflict));
    let catalog = app.store().unwrap().catalog();
    assert!(
        catalog.forms["BD000029"]
            .fields()
            .any(|(_, _, f)| f.label == "法定代表人姓名")
    );
    assert!(
        !catalog.forms["BD000029"]
            .fields()
            .any(|(_, _, f)| f.label == "法人姓名")
    );
    assert!(screen(&mut app, 120, 36).contains("一次事务"));
}

#[test]
fn accepting_a_suggestion_binds_the_field() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    select_marked(&mut app, Mark::Suggested);
    press(&mut app, "merge_fix");
    press(&mut app, "bundle_open");
    let w = app.bundles.work.as_ref().unwrap();
    assert!(w.merge.suggestions.is_empty());
    assert_eq!(stats(&app), (100, 50));
}

#[test]
fn pane_snapshot_zh() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!("bundles_zh", s.replace(&app.store_path, "[STORE]"));
}

#[test]
fn no_color_keeps_the_marks_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = yibiao::store::SledStore::open(&dir.path().join("store")).expect("open");
    yibiao::store::Store::apply(
        &mut store,
        yibiao::store::Batch::upserts("test", sample_records()),
    )
    .expect("seed");
    let config = yibiao::tui::config::load(None, &Default::default(), true);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    answer_all_yes(&mut app);
    press(&mut app, "merge_view");
    let terminal = render(&mut app, 120, 36);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    let s = text(buffer);
    insta::assert_snapshot!(
        "bundles_diff_no_color",
        s.replace(&app.store_path, "[STORE]")
    );
    for symbol in ["= BD", "< BD", "! BD", "? 疑似重复"] {
        assert!(s.contains(symbol), "{symbol}: {s}");
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let (mut app, _dir) = restaurant(Lang::En);
    answer_all_yes(&mut app);
    press(&mut app, "merge_fix");
    for (w, h) in [(1, 1), (2, 3), (10, 5), (30, 10), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    select_marked(&mut app, Mark::Conflict);
    press(&mut app, "merge_fix");
    assert!(app.bundles.chooser.is_some());
    for (w, h) in [(1, 1), (6, 4), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    press(&mut app, "back");
    press(&mut app, "flow_export_dot");
    for (w, h) in [(1, 1), (5, 4), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.bundles.prompt.is_none());
    assert!(screen(&mut app, 120, 36).contains("fields 100 → 51"));
}

#[test]
fn flow_exports_to_a_file_beside_the_store() {
    let (mut app, dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "flow_export_dot");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("ZT001-flow.dot"), "{s}");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let dot = std::fs::read_to_string(dir.path().join("ZT001-flow.dot")).expect("dot file");
    assert!(dot.starts_with("digraph flow"));
    assert!(dot.contains("color=red"));
    press(&mut app, "flow_export_mermaid");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let mmd = std::fs::read_to_string(dir.path().join("ZT001-flow.mmd")).expect("mermaid file");
    assert!(mmd.starts_with("flowchart LR"));
    assert!(screen(&mut app, 120, 36).contains("流程已导出到"));
}

#[test]
fn editing_a_bundle_new_items_questions_conditions_and_workflow() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_new");
    type_text(&mut app, "我要开书店");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let code = app.bundles.work.as_ref().expect("opened").code.clone();
    // a question with two options
    press(&mut app, "bundle_add");
    type_text(&mut app, "big 面积是否超过500平方米？ | yes 是 | no 否");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    // two items by name search
    press(&mut app, "merge_focus_next");
    for name in ["食品经营许可", "户外招牌"] {
        press(&mut app, "bundle_add");
        type_text(&mut app, name);
        key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    }
    let b = app.store().unwrap().catalog().bundles[&code].clone();
    assert_eq!(b.items.len(), 2, "{b:?}");
    assert_eq!(b.origin, yibiao::model::Origin::SelfBuilt);
    // the second item applies only to big shops; a bad condition is refused inline
    press(&mut app, "bundle_condition");
    type_text(&mut app, "big=maybe");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        app.bundles
            .prompt
            .as_ref()
            .and_then(|p| p.error.as_ref())
            .is_some()
    );
    assert!(screen(&mut app, 120, 36).contains("maybe"));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, "bundle_condition");
    type_text(&mut app, "big=yes");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.bundles.work.as_ref().unwrap().merge.items.len(), 1);
    // reorder, then the workflow
    press(&mut app, "bundle_move_up");
    let b = app.store().unwrap().catalog().bundles[&code].clone();
    assert!(b.item_when.contains_key(&b.items[0]));
    press(&mut app, "bundle_submit");
    press(&mut app, "bundle_publish");
    let b = app.store().unwrap().catalog().bundles[&code].clone();
    assert_eq!((b.status, b.version), (yibiao::model::Status::Published, 1));
    // claiming makes a claimed draft copy
    press(&mut app, "back");
    press(&mut app, "bundle_claim");
    let catalog = app.store().unwrap().catalog();
    assert!(
        catalog
            .bundles
            .values()
            .any(|x| x.origin == yibiao::model::Origin::Claimed && x.name == "我要开书店")
    );
}
