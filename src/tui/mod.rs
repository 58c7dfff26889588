//! The terminal UI: a pane bar, the catalog trees with detail and an edit form, a status bar,
//! key help, a command palette — all driven by one action registry and configurable keymaps
//! and themes.
//!
//! Architecture: terminal input (parsed from the raw bytes by [`input`], with an escape
//! timeout), signals and worker results arrive as [`app::AppEvent`]s on one channel; the loop
//! drains them all, lets [`app::App`] turn them into state changes, then draws one frame (only
//! if something changed) in one write (inside synchronized output unless it is short); the
//! [`backend::LeanBackend`] writes only the cells that changed, in as few bytes as it can.

pub mod action;
pub mod app;
pub mod backend;
pub mod bundle_on_demand;
pub mod config;
pub mod delete_on_demand;
pub mod detail;
pub mod draft;
pub mod edit_on_demand;
pub mod editor;
pub mod help;
pub mod hints;
pub mod import_on_demand;
pub mod index_budget;
pub mod input;
pub mod keymap;
pub mod loading;
pub mod merge_on_demand;
pub mod palette;
pub mod panes;
pub mod picker;
pub mod templates;
pub mod templates_on_demand;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod transfer;
pub mod tree;
pub mod tree_match;
pub mod view;

use crate::i18n::Lang;
use crate::store::LockedStore;

pub use config::ConfigFlags;

/// How the TUI is started.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// UI language.
    pub lang: Lang,
    /// `--keymap`, `--theme`, `--ascii`.
    pub flags: ConfigFlags,
}

/// Whether the locale (LC_ALL, LC_CTYPE, LANG, first set wins) says UTF-8.
pub fn locale_is_utf8(get: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .filter_map(get)
        .find(|v| !v.is_empty())
        .is_none_or(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

/// Runs the TUI on a locked store until the user quits (or SIGTERM / SIGHUP). The first
/// frame is drawn before the database is opened and the catalog loaded (see [`loading`]).
pub fn run(store: LockedStore, options: Options) -> anyhow::Result<()> {
    use loading::Loading;
    let lang = options.lang;
    let config = config::load(
        config::config_dir().as_deref(),
        &options.flags,
        config::no_color_from_env(),
    );
    let auto_backups = config.auto_backups;
    let mut guard = terminal::TerminalGuard::enter()?;
    let (tx, rx) = std::sync::mpsc::channel();
    terminal::forward_signals(tx.clone())?;
    terminal::forward_input(tx.clone(), config.escape_timeout)?;
    let path = store.path().display().to_string();
    // a frame at once, then the outline's tree as soon as it is read
    guard.draw(|frame| loading::draw(frame, frame.area(), &path, &Loading::new(None), lang))?;
    let outline = store.outline();
    // a draft to restore needs the catalog at once
    let draft = draft::path(store.path()).exists();
    let loading = Loading::starting(outline, config.load_catalog, draft);
    let shown = loading.outline.clone();
    let deferred = loading.deferred();
    let mut app = app::App::while_loading(path, loading, lang, config, (tx, rx));
    if !locale_is_utf8(|name| std::env::var(name).ok()) {
        app.say(
            app::Level::Warn,
            lang.pick(
                "终端区域设置不是 UTF-8：中文可能显示为乱码（不支持 GBK 终端），请设置 LANG=zh_CN.UTF-8",
                "the terminal locale is not UTF-8: Chinese may be garbled (GBK terminals are not supported); set LANG=en_US.UTF-8",
            )
            .into(),
        );
    }
    let size = guard.terminal().size()?;
    app.resize(size.width, size.height);
    // the first frame (the outline's tree) before the loader competes for the cores
    guard.draw(|frame| view::draw(frame, &app))?;
    app.dirty = false;
    loading::spawn(store, app.sender(), shown, deferred);
    let result = test_exit().unwrap_or_else(|| event_loop(&mut app, &mut guard));
    // a job holding the store (an import's write) hands it back first
    app.wait_for_store(std::time::Duration::from_secs(120));
    let result = match app.failure.take() {
        Some(e) => Err(e.into()),
        None => result,
    };
    // the store is backed up and flushed before the terminal is restored; a session that
    // changed it leaves its outline for the next start's first frame, and one that read pane
    // 2's index from the search tree leaves the index
    let mut store = app.take_store();
    if let Some(store) = store.as_deref_mut() {
        if store.changed_since_open() > 0 {
            store.save_outline();
        }
        app.cache_search_index(store);
    }
    let backup_failed = store
        .as_deref()
        .and_then(|s| crate::io::backup::on_exit(s, auto_backups));
    // flushed, then left to the operating system: freeing a million-element catalog piece
    // by piece held the shell prompt back for half a second
    if let Some(store) = store {
        store.close_at_exit();
    }
    if let Some(unloaded) = app.take_unloaded() {
        unloaded.close_for_exit();
    }
    drop(guard);
    if let Some(warning) = backup_failed {
        eprintln_lossy!("yibiao: warning: {warning}");
    }
    result
}

/// Debug builds only: `YIBIAO_TEST_EXIT=panic` or `=error` ends the session that way once the
/// terminal is set up, so the tests can check that both exits restore it.
#[cfg(debug_assertions)]
fn test_exit() -> Option<anyhow::Result<()>> {
    match std::env::var("YIBIAO_TEST_EXIT").as_deref() {
        Ok("panic") => panic!("YIBIAO_TEST_EXIT=panic"),
        Ok("error") => Some(Err(anyhow::anyhow!("YIBIAO_TEST_EXIT=error"))),
        _ => None,
    }
}

/// Release builds: no test exits.
#[cfg(not(debug_assertions))]
fn test_exit() -> Option<anyhow::Result<()>> {
    None
}

fn event_loop(app: &mut app::App, guard: &mut terminal::TerminalGuard) -> anyhow::Result<()> {
    let mut idle = crate::memory::IdleGiveBack::default();
    loop {
        if app.dirty {
            // the backend writes only what changed, in one write
            guard.draw(|frame| view::draw(frame, app))?;
            app.dirty = false;
        }
        let event = match idle.wait() {
            None => app.next_event(),
            Some(wait) => match app.event_within(wait) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    // what a save, a count or a search freed goes back to the system,
                    // and what sled kept of a scan with it
                    app.reopen_store_if_worth_it();
                    idle.idle();
                    if app.quit {
                        return Ok(());
                    }
                    continue;
                }
                received => received.ok(),
            },
        };
        let Some(event) = event else {
            return Ok(());
        };
        idle.handled();
        app.handle(event);
        while let Some(event) = app.try_event() {
            app.handle(event);
        }
        if app.quit {
            return Ok(());
        }
    }
}
