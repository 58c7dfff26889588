//! Keystroke to frame: one key handled by the app and the whole 120×40 screen drawn (on
//! ratatui's `TestBackend`), in the catalog tree (pane 1) and the element list (pane 2).
//!
//! `cargo bench --bench keys` runs on a generated store (`sample --scale 10`); set
//! `YIBIAO_BENCH_STORE` to a store directory (a copy: the bench takes its lock) to measure a
//! bigger one, as `scripts/bench.sh` does.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use yibiao::i18n::Lang;
use yibiao::store::{Batch, SledStore, Store};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// The app on the store named by `YIBIAO_BENCH_STORE`, or on a generated one.
fn app() -> (App, Option<tempfile::TempDir>) {
    let (store, temp) = match std::env::var_os("YIBIAO_BENCH_STORE") {
        Some(dir) => (
            SledStore::open(std::path::Path::new(&dir)).expect("open the bench store"),
            None,
        ),
        None => {
            let temp = tempfile::tempdir().expect("tempdir");
            let mut store = SledStore::open(&temp.path().join("store")).expect("open store");
            let records = yibiao::sample::generate(10).into_records();
            store.apply(Batch::upserts("bench", records)).expect("seed");
            (store, Some(temp))
        }
    };
    let config = config::load(None, &ConfigFlags::default(), false);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    app.resize(WIDTH, HEIGHT);
    app.settle(Duration::from_secs(60));
    (app, temp)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(AppEvent::Term(Event::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

/// Keys in one direction before turning back: every key lands on a row that was not the
/// last one selected, and the cursor stays in the same region of a long list.
const RUN: u32 = 200;

/// Benchmarks `forward` [`RUN`] times then `back` as often, and so on, each key followed by
/// a full frame.
fn bench_pair(c: &mut Criterion, name: &str, app: &mut App, forward: KeyCode, back: KeyCode) {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let mut n = 0u32;
    c.bench_function(name, |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            press(
                app,
                if (n / RUN).is_multiple_of(2) {
                    forward
                } else {
                    back
                },
            );
            terminal
                .draw(|f| yibiao::tui::view::draw(f, app))
                .expect("draw");
            black_box(terminal.backend().buffer().area);
        })
    });
}

/// Benchmarks typing `text` into an open filter and deleting it again, key by key: each
/// key is handled, its matches (found on a worker) awaited and a frame drawn.
fn bench_typing(c: &mut Criterion, name: &str, app: &mut App, text: &str) {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let keys: Vec<KeyCode> = text
        .chars()
        .map(KeyCode::Char)
        .chain(text.chars().map(|_| KeyCode::Backspace))
        .collect();
    let mut n = 0usize;
    c.bench_function(name, |b| {
        b.iter(|| {
            press(app, keys[n % keys.len()]);
            n += 1;
            app.settle(Duration::from_secs(10));
            terminal
                .draw(|f| yibiao::tui::view::draw(f, app))
                .expect("draw");
        })
    });
}

fn bench_keys(c: &mut Criterion) {
    let (mut app, _temp) = app();
    let count = app.store().map_or(0, |s| s.catalog().len());
    eprintln!("keys bench on {count} records");
    // start a little way into the tree so that Up has somewhere to go
    for _ in 0..50 {
        press(&mut app, KeyCode::Down);
    }
    bench_pair(c, "tree_cursor_move", &mut app, KeyCode::Down, KeyCode::Up);
    bench_pair(c, "tree_page", &mut app, KeyCode::PageDown, KeyCode::PageUp);
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.catalog.query, "s", "typing goes to the tree's filter");
    press(&mut app, KeyCode::Backspace);
    bench_typing(c, "tree_filter_key", &mut app, "shipin");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    app.settle(Duration::from_secs(10));
    press(&mut app, KeyCode::Char('3'));
    app.settle(Duration::from_secs(60));
    assert_eq!(
        app.pane,
        yibiao::tui::app::Pane::Forms,
        "the filter was closed"
    );
    for _ in 0..50 {
        press(&mut app, KeyCode::Down);
    }
    bench_pair(
        c,
        "form_list_cursor_move",
        &mut app,
        KeyCode::Down,
        KeyCode::Up,
    );
    press(&mut app, KeyCode::Char('2'));
    app.settle(Duration::from_secs(120));
    for _ in 0..50 {
        press(&mut app, KeyCode::Down);
    }
    app.settle(Duration::from_secs(10));
    bench_pair(
        c,
        "element_list_cursor_move",
        &mut app,
        KeyCode::Down,
        KeyCode::Up,
    );
    bench_pair(
        c,
        "element_list_page",
        &mut app,
        KeyCode::PageDown,
        KeyCode::PageUp,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench_keys
}
criterion_main!(benches);
