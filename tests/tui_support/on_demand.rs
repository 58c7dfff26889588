//! Helpers for the tests of a store open on demand (its catalog loaded only when something
//! needs it): apps started on a store's outline, the store handed over unloaded as the
//! start-up thread hands it, and apps with the catalog loaded to compare them with.

use std::sync::mpsc::channel;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use yibiao::i18n::Lang;
use yibiao::model::Outline;
use yibiao::store::{Batch, SledStore, Store};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};
use yibiao::tui::loading::Loading;

use super::fixture_records;

/// A store holding the fixture and an app started on its outline (or none) that has not
/// been given the store yet.
pub fn starting(with_outline: bool) -> (App, SledStore, tempfile::TempDir) {
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

pub fn key_ctrl(app: &mut App, c: char) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    ))));
}

pub fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// An app started on demand on the fixture's outline: the store is closed again, to be
/// opened (unloaded) as the start-up thread would.
pub fn starting_on_demand() -> (App, std::path::PathBuf, tempfile::TempDir) {
    let (_, store, dir) = starting(true);
    let path = store.path().to_path_buf();
    (on_demand_app(store, 110, 30), path, dir)
}

/// An app started on demand on `store`'s outline, `width` × `height`: the store is closed, to
/// be opened (unloaded) as the start-up thread would.
pub fn on_demand_app(store: SledStore, width: u16, height: u16) -> App {
    let outline = Outline::of(store.catalog());
    let shown = store.path().display().to_string();
    drop(store);
    let config = config::load(None, &ConfigFlags::default(), false);
    let loading = Loading::on_demand(Some(outline));
    let mut app = App::while_loading(shown, loading, Lang::Zh, config, channel());
    app.resize(width, height);
    app
}

/// Opens the store at `path` unloaded and hands it to the app, as the start-up thread does.
pub fn opened(app: &mut App, path: &std::path::Path) {
    app.handle(AppEvent::Opened(Box::new(
        SledStore::open_unloaded(path).map(Box::new),
    )));
}

/// Handles the app's own events (the loader's) until the catalog is in.
pub fn until_loaded(app: &mut App) {
    while app.loading.is_some() {
        let event = app.next_event().expect("the loader reports");
        app.handle(event);
    }
}

/// A screen's lines but the status bar's (which says whether the catalog is loaded).
pub fn above_status(s: &str) -> Vec<String> {
    s.lines().rev().skip(1).map(str::to_string).collect()
}

pub fn deferred(app: &App) -> bool {
    app.loading.as_ref().is_some_and(Loading::deferred)
}

/// An app started on demand on a store of the sample (624 elements; DE000005 身份证号码 has 14
/// uses) with the caches a session that loaded it leaves: its outline, its element links,
/// pane 2's search index, pane 5's statistics and pane 3's lint counts.
pub fn starting_on_demand_with_caches() -> (App, std::path::PathBuf, tempfile::TempDir) {
    starting_on_demand_with(Vec::new())
}

/// [`starting_on_demand_with_caches`] on the sample and `extra` records.
pub fn starting_on_demand_with(
    extra: Vec<yibiao::model::Record>,
) -> (App, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let mut store = SledStore::open(&path).expect("open");
    let records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    store.apply(Batch::upserts("test", records)).expect("seed");
    if !extra.is_empty() {
        store.apply(Batch::upserts("extra", extra)).expect("extra");
    }
    store.save_outline();
    let read = store.snapshot().search();
    let at = read.cacheable_at.expect("no write under way");
    assert!(store.save_search(&read.data, at));
    let read = store.snapshot().stats();
    assert!(store.save_stats(&read.data, at));
    let read = store.snapshot().lint();
    assert!(store.save_lint(&read.data, at));
    (on_demand_app(store, 120, 40), path, dir)
}

pub fn enter(app: &mut App) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
}

/// An app on a store as [`starting_on_demand_with_caches`] makes, with its catalog loaded
/// (asked for at once).
pub fn loaded_with_caches() -> (App, std::path::PathBuf, tempfile::TempDir) {
    let (mut app, path, dir) = starting_on_demand_with_caches();
    opened(&mut app, &path);
    app.want_catalog();
    until_loaded(&mut app);
    app.settle(Duration::from_secs(20));
    assert!(app.overlay.is_none() && app.store().is_some());
    (app, path, dir)
}

/// Focuses the editor's field `key`.
pub fn focus_field(app: &mut App, key: &str) {
    let editor = app.editor.as_mut().expect("the editor");
    editor.focus = editor
        .fields
        .iter()
        .position(|f| f.spec.key == key)
        .expect("the field");
}
