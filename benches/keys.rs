//! Keystroke to frame: one key handled by the app and the whole 120×40 screen drawn (on
//! ratatui's `TestBackend`), in the catalog tree (pane 1) and the element list (pane 2).
//!
//! `cargo bench --bench keys` runs on a generated store (`sample --scale 10`); set
//! `YIBIAO_BENCH_STORE` to a store directory (a copy: the bench takes its lock) to measure a
//! bigger one, as `scripts/bench.sh` does. The tree is measured twice: before the catalog
//! is loaded (on demand: each row's detail read from the store) and with it loaded; so is
//! the element list (on demand when the store has its search index and element links).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use yibiao::i18n::Lang;
use yibiao::model::Outline;
use yibiao::store::{Batch, IfMissing, SledStore, Store};
use yibiao::tui::app::{App, AppEvent};
use yibiao::tui::config::{self, ConfigFlags};
use yibiao::tui::loading::Loading;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// Opens a store, waiting up to five seconds for sled's flusher to let go of a database
/// dropped a moment before (the on-demand bench's).
fn retrying<T>(mut open: impl FnMut() -> Result<T, yibiao::store::StoreError>) -> T {
    let mut tries = 0;
    loop {
        match open() {
            Ok(store) => return store,
            Err(_) if tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("open the bench store: {e}"),
        }
    }
}

/// The app on the store named by `YIBIAO_BENCH_STORE`, or on a generated one.
fn app() -> (App, Option<tempfile::TempDir>) {
    let (store, temp) = match std::env::var_os("YIBIAO_BENCH_STORE") {
        Some(dir) => (
            retrying(|| SledStore::open(std::path::Path::new(&dir))),
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

/// The app on the same store before its catalog is loaded (on demand): the tree from the
/// store's outline, the detail read from the store. The store is left closed at the end.
fn bench_on_demand(c: &mut Criterion) {
    let (dir, outline, _temp) = match std::env::var_os("YIBIAO_BENCH_STORE") {
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let locked = SledStore::lock(&dir, IfMissing::Refuse).expect("lock the bench store");
            let outline = locked.outline().expect("the bench store has an outline");
            drop(locked);
            (dir, outline, None)
        }
        None => {
            let temp = tempfile::tempdir().expect("tempdir");
            let dir = temp.path().join("store");
            let catalog = yibiao::sample::generate(10);
            let outline = Outline::of(&catalog);
            let mut store = SledStore::open(&dir).expect("open store");
            store
                .apply(Batch::upserts("bench", catalog.into_records()))
                .expect("seed");
            // the caches a session that loaded the catalog leaves, which pane 2 works from
            store.save_outline();
            let read = store.snapshot().search();
            if let Some(at) = read.cacheable_at {
                store.save_search(&read.data, at);
            }
            drop(store);
            (dir, outline, Some(temp))
        }
    };
    let unloaded = retrying(|| SledStore::open_unloaded(&dir));
    let config = config::load(None, &ConfigFlags::default(), false);
    let loading = Loading::on_demand(Some(outline));
    let path = dir.display().to_string();
    let mut app = App::while_loading(path, loading, Lang::Zh, config, std::sync::mpsc::channel());
    app.resize(WIDTH, HEIGHT);
    app.handle(AppEvent::Opened(Box::new(Ok(Box::new(unloaded)))));
    for _ in 0..50 {
        press(&mut app, KeyCode::Down);
    }
    bench_pair(
        c,
        "tree_on_demand_cursor_move",
        &mut app,
        KeyCode::Down,
        KeyCode::Up,
    );
    bench_pair(
        c,
        "tree_on_demand_page",
        &mut app,
        KeyCode::PageDown,
        KeyCode::PageUp,
    );
    assert!(
        app.loading.as_ref().is_some_and(Loading::deferred),
        "the tree did not need the catalog"
    );
    // pane 2, when the store has the caches it works from: each move reads the element and
    // the records of the uses rows on screen from the store
    press(&mut app, KeyCode::Char('2'));
    app.settle(Duration::from_secs(60));
    if app.loading.as_ref().is_some_and(Loading::deferred) {
        bench_pair(
            c,
            "elements_on_demand_cursor_move",
            &mut app,
            KeyCode::Down,
            KeyCode::Up,
        );
        assert!(
            app.loading.as_ref().is_some_and(Loading::deferred),
            "pane 2 did not need the catalog"
        );
    } else {
        eprintln!("elements_on_demand_cursor_move: the store has no search.idx or links.idx");
    }
    if let Some(unloaded) = app.take_unloaded() {
        drop(unloaded);
    }
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

/// Benchmarks typing into an open query line: each round types `prefix` (untimed), then
/// `text` key by key (timed: the key handled, its results, found on a worker, awaited and a
/// frame drawn), then clears the line again (untimed).
fn bench_typing(c: &mut Criterion, name: &str, app: &mut App, prefix: &str, text: &str) {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    let timed: Vec<char> = text.chars().collect();
    let mut typed = 0usize;
    let step = |app: &mut App, code: KeyCode, terminal: &mut Terminal<TestBackend>| {
        press(app, code);
        app.settle(Duration::from_secs(30));
        terminal
            .draw(|f| yibiao::tui::view::draw(f, app))
            .expect("draw");
    };
    let clear = |app: &mut App, terminal: &mut Terminal<TestBackend>| {
        while !app.elements.search.query().is_empty()
            || !app.catalog.query.is_empty()
            || !app.forms.query.is_empty()
        {
            step(app, KeyCode::Backspace, terminal);
        }
    };
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if typed == timed.len() {
                    clear(app, &mut terminal);
                    typed = 0;
                }
                if typed == 0 {
                    for ch in prefix.chars() {
                        step(app, KeyCode::Char(ch), &mut terminal);
                    }
                }
                let start = Instant::now();
                step(app, KeyCode::Char(timed[typed]), &mut terminal);
                total += start.elapsed();
                typed += 1;
            }
            total
        })
    });
    clear(app, &mut terminal);
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
    bench_typing(c, "tree_filter_first_key", &mut app, "", "s");
    bench_typing(c, "tree_filter_following_key", &mut app, "s", "hipin");
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
    // the list's filter: the first Latin letter builds the pinyin index (untimed here)
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('s'));
    app.settle(Duration::from_secs(60));
    assert_eq!(app.forms.query, "s", "typing goes to the forms' filter");
    press(&mut app, KeyCode::Backspace);
    bench_typing(c, "form_filter_first_key", &mut app, "", "s");
    bench_typing(c, "form_filter_following_key", &mut app, "s", "hipin");
    press(&mut app, KeyCode::Esc);
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
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('s'));
    app.settle(Duration::from_secs(30));
    assert_eq!(
        app.elements.search.query(),
        "s",
        "typing goes to the element search"
    );
    press(&mut app, KeyCode::Backspace);
    app.settle(Duration::from_secs(30));
    bench_typing(c, "element_search_first_key", &mut app, "", "s");
    bench_typing(c, "element_search_following_key", &mut app, "s", "fzhm");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench_on_demand, bench_keys
}
criterion_main!(benches);
