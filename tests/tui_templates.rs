//! 模板库 in the TUI: an entry beside its template (pane 1 and pane 4, marks readable under
//! NO_COLOR) and claiming a template from pane 1.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::model::Kind;
use yibiao::store::{Batch, SledStore, Store};
use yibiao::tui::app::{App, Overlay, Pane};

const GUANGAN_COMPANY: &str = "0100001001-511602000000-000-11511602299513299M-1-00";
const TEMPLATE_COMPANY: &str = "0100001001-510104000000-000-1151010431236097XB-1-00";

/// An app on the sample, optionally with the NO_COLOR theme.
fn sample_app(lang: Lang, no_color: bool) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    let records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    store.apply(Batch::upserts("test", records)).expect("seed");
    let config = yibiao::tui::config::load(None, &Default::default(), no_color);
    let mut app = App::new(Box::new(store), lang, config);
    app.resize(120, 40);
    (app, dir)
}

/// Selects the record with `code` in pane 1 through the filter.
fn select(app: &mut App, code: &str) {
    press(app, "filter");
    type_text(app, code);
    key(app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        app.selected_record().map(|r| r.code().to_string()),
        Some(code.to_string())
    );
}

#[test]
fn a_claimed_item_shows_beside_its_template_with_marks_readable_without_colour() {
    let (mut app, _dir) = sample_app(Lang::Zh, true);
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    assert!(matches!(app.overlay, Some(Overlay::Template(_))));
    let terminal = render(&mut app, 120, 40);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    let s = text(buffer).replace(&app.store_path, "[STORE]");
    insta::assert_snapshot!("template_compare_no_color", s);
    for symbol in [
        "! 承诺时限",
        "= 层级",
        "# f18",
        "* f13",
        "- CL000001",
        "不符合模板：5 处",
    ] {
        assert!(s.contains(symbol), "{symbol}: {s}");
    }
    press(&mut app, "back");
    assert!(app.overlay.is_none());
}

#[test]
fn pane_4_compares_the_selected_bundle_and_uncompared_records_say_why() {
    let (mut app, _dir) = sample_app(Lang::En, false);
    press(&mut app, "pane_bundles");
    let codes: Vec<String> = app
        .store()
        .unwrap()
        .catalog()
        .bundles
        .keys()
        .map(ToString::to_string)
        .collect();
    let at = codes.iter().position(|c| c == "ZT010").expect("ZT010");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    press(&mut app, "bundle_compare");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("ZT010"), "{s}");
    assert!(s.contains("questions") && s.contains("- area"), "{s}");
    press(&mut app, "back");

    // a template itself was not claimed from one
    press(&mut app, "pane_catalog");
    select(&mut app, TEMPLATE_COMPANY);
    press(&mut app, "template_compare");
    assert!(app.overlay.is_none());
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("was not claimed from a template"), "{s}");
}

#[test]
fn claiming_a_template_from_pane_1_makes_a_conforming_draft() {
    let (mut app, _dir) = sample_app(Lang::En, false);
    select(&mut app, TEMPLATE_COMPANY);
    press(&mut app, "template_claim");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains(&format!("{TEMPLATE_COMPANY}-RL")), "{s}");
    // a taken code is refused in the prompt
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, GUANGAN_COMPANY);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("exists"), "{s}");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "SX-NEW");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert_eq!(app.pane, Pane::Catalog);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("1 form(s) copied"), "{s}");
    let catalog = app.store().unwrap().catalog();
    assert!(catalog.get(Kind::Item, "SX-NEW").is_some());
    assert_eq!(
        app.selected_record().map(|r| r.code().to_string()),
        Some("SX-NEW".to_string())
    );
    // the claimed draft conforms
    press(&mut app, "template_compare");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("= conforms to the template"), "{s}");
}
