//! Shared helpers for the TUI tests: an app on a store seeded from a fixture, keys pressed by
//! action name through the keymap in force, and rendering on a TestBackend.
#![allow(dead_code)] // each test file uses a different subset

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use yibiao::i18n::Lang;
use yibiao::model::{Catalog, Record};
use yibiao::store::{Batch, SledStore, Store};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};
use yibiao::tui::keymap::Key;

/// The small CJK fixture shipped with the tests.
pub const FIXTURE: &str = include_str!("../fixtures/tui_small.json");

/// An app on a fresh store holding `records`, with the default configuration.
pub fn app_with(records: Vec<Record>, lang: Lang) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open store");
    if !records.is_empty() {
        store.apply(Batch::upserts("test", records)).expect("seed");
    }
    let config = config::load(None, &ConfigFlags::default(), false);
    assert!(config.problems.is_empty(), "{:?}", config.problems);
    let mut app = App::new(Box::new(store), lang, config);
    app.resize(100, 24);
    (app, dir)
}

/// The fixture's records.
pub fn fixture_records() -> Vec<Record> {
    yibiao::io::json::parse_import(FIXTURE, &Catalog::default(), Lang::En).expect("fixture parses")
}

/// An app on the fixture.
pub fn fixture_app(lang: Lang) -> (App, tempfile::TempDir) {
    app_with(fixture_records(), lang)
}

fn send_key(app: &mut App, key: Key) {
    let mut mods = key.mods;
    if let KeyCode::Char(c) = key.code
        && c.is_uppercase()
    {
        mods |= KeyModifiers::SHIFT;
    }
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(key.code, mods))));
}

/// Presses the keys bound to an action (by name) in the scopes in force right now.
pub fn press(app: &mut App, name: &str) {
    let action =
        yibiao::tui::action::Action::parse(name).unwrap_or_else(|| panic!("no action {name}"));
    let scopes = app.scopes();
    let binding = app
        .config
        .keymap
        .bindings()
        .iter()
        .filter(|b| b.action == action)
        .find(|b| scopes.contains(&b.scope) && (app.editor.is_none() || !b.keys[0].is_text()))
        .unwrap_or_else(|| panic!("{name} has no usable key in {scopes:?}"))
        .clone();
    for key in binding.keys {
        send_key(app, key);
    }
    app.settle(Duration::from_secs(10));
}

/// Presses a raw key.
pub fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(code, mods))));
    app.settle(Duration::from_secs(10));
}

/// Types text, one key per character.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        ))));
    }
    app.settle(Duration::from_secs(10));
}

/// Pastes text as a terminal with bracketed paste sends it.
pub fn paste(app: &mut App, text: &str) {
    app.handle(AppEvent::Term(Event::Paste(text.to_string())));
    app.settle(Duration::from_secs(10));
}

/// Draws the app at a size, the frame made showable on a terminal as the app's are (see
/// `backend::showable`); returns the terminal (buffer and cursor).
pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.resize(w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| {
            yibiao::tui::view::draw(f, app);
            yibiao::tui::backend::showable(f.buffer_mut());
        })
        .expect("draw");
    terminal
}

/// The buffer as lines of text (wide characters once, no trailing spaces).
pub fn text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buffer.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = yibiao::display::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The screen text of the app at a size.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    text(render(app, w, h).backend().buffer())
}

/// Asserts nothing on screen has a colour (the NO_COLOR theme).
pub fn assert_no_colour(buffer: &Buffer) {
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset),
        "NO_COLOR draws no colour"
    );
}

/// Asserts every wide character of the buffer has its right half inside the buffer on a
/// blank cell: nothing drawn runs into a border or off the screen.
pub fn assert_wide_characters_fit(buffer: &Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let symbol = buffer[(x, y)].symbol();
            if yibiao::display::width(symbol) == 2 {
                assert!(
                    x + 1 < area.right() && buffer[(x + 1, y)].symbol() == " ",
                    "{symbol} at ({x},{y}) covers {:?}:\n{}",
                    buffer.cell((x + 1, y)).map(|c| c.symbol()),
                    text(buffer)
                );
            }
        }
    }
}

pub mod on_demand;
pub mod twins;
