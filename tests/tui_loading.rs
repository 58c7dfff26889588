//! Start-up while the catalog loads: with a cached outline pane 1's tree works at once and
//! everything that needs the whole catalog says how far loading has got; without one every
//! key waits and is handled once the catalog is in.

mod tui_support;

use std::sync::mpsc::channel;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_support::{fixture_records, press, screen};
use yibiao::i18n::Lang;
use yibiao::model::Outline;
use yibiao::store::{Batch, SledStore, Store, StoreError};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};
use yibiao::tui::loading::Loading;

/// A store holding the fixture and an app started on its outline (or none) that has not
/// been given the store yet.
fn starting(with_outline: bool) -> (App, SledStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    store
        .apply(Batch::upserts("test", fixture_records()))
        .expect("seed");
    let outline = with_outline.then(|| Outline::of(store.catalog()));
    let config = config::load(None, &ConfigFlags::default(), false);
    let path = store.path().display().to_string();
    let mut app = App::while_loading(path, Loading::new(outline), Lang::Zh, config, channel());
    app.resize(100, 24);
    (app, store, dir)
}

fn key(app: &mut App, c: char) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    ))));
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
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

#[test]
fn a_store_that_fails_to_load_ends_the_session_with_the_reason() {
    let (mut app, store, dir) = starting(true);
    drop(store);
    let failure = StoreError::Io {
        path: dir.path().to_path_buf(),
        source: std::io::Error::other("disk gone"),
    };
    app.handle(AppEvent::Loaded(Box::new(Err(failure))));
    assert!(app.quit);
    let reason = app.failure.as_ref().map(ToString::to_string);
    assert!(reason.is_some_and(|r| r.contains("disk gone")));
}
