//! The application state and its one way to change: events become actions, actions change
//! state. Drawing (in `view`) only reads what is here. Slow work runs on worker threads and
//! comes back as [`AppEvent`]s.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Scope};
use super::config::Config;
use super::editor::Editor;
use super::keymap::{Key, Lookup};
use super::palette::Palette;
use super::panes::bundle_picker::{BundlesEvent, PaneJob};
use super::panes::bundles::{self, BundlesPane, Fix};
use super::panes::elements::{ElementsEvent, ElementsPane};
use super::panes::forms::{FormsLintEvent, FormsPane};
use super::panes::stats::{self, StatsEvent, StatsPane};
use super::picker::Picker;
use super::tree::{Filtered, Grouping, ListKind, NodeId, Tree};
use super::tree_match::{MatchJob, Narrowing};
use super::{text, view};
use crate::engine::bundle_edit::{Removal, RemoveTarget};
use crate::engine::form_filter::FormIndex;
use crate::engine::workflow::{self, Transition};
use crate::i18n::Lang;
use crate::model::{Kind, RecordRef};
use crate::store::{Applied, Batch, Command, Store, StoreError};

/// A store the TUI can hand to a worker thread and get back.
pub type BoxStore = Box<dyn Store + Send>;

/// The five panes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// 1 事项 catalog trees.
    Catalog,
    /// 2 数据元 elements.
    Elements,
    /// 3 表单 forms.
    Forms,
    /// 4 主题 bundles & merge.
    Bundles,
    /// 5 统计 statistics.
    Stats,
}

impl Pane {
    /// In bar order.
    pub const ALL: [Pane; 5] = [
        Pane::Catalog,
        Pane::Elements,
        Pane::Forms,
        Pane::Bundles,
        Pane::Stats,
    ];

    /// The label in the pane bar (domain term in Chinese in both languages).
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Pane::Catalog => lang.pick("事项", "事项 Items"),
            Pane::Elements => lang.pick("数据元", "数据元 Elements"),
            Pane::Forms => lang.pick("表单", "表单 Forms"),
            Pane::Bundles => lang.pick("主题", "主题 Bundles"),
            Pane::Stats => lang.pick("统计", "统计 Stats"),
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// How a status message looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Neutral.
    Info,
    /// Something was done (saved).
    Ok,
    /// Attention.
    Warn,
    /// Something failed.
    Error,
}

/// A status-bar message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text (already in the UI language).
    pub text: String,
    /// How it looks.
    pub level: Level,
}

/// A question the user must answer before something happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Delete a record: `y` deletes, anything else keeps it.
    Delete {
        /// Kind of the record.
        kind: Kind,
        /// Its code.
        code: String,
        /// Its name.
        name: String,
    },
    /// The edit form has unsaved changes: `s` saves, `d` discards, Esc keeps editing;
    /// then `then` runs.
    Unsaved {
        /// What the user asked for.
        then: Action,
    },
    /// Remove a question or an item from the open bundle: `y` removes, anything else keeps it.
    BundleRemove(RemoveAsk),
    /// Apply a 多表合一 fix that returns published forms to draft: `y` applies it, anything
    /// else leaves the fix dialog open.
    MergeFix(FixAsk),
    /// Bind a field of the form in pane 3's designer (or add one) to an element another field
    /// of the form binds already (form lint's 重复绑定): `y` binds anyway, anything else
    /// leaves the form as it was.
    BindTwice(BindAsk),
    /// Merge element `merge` into `keep`: `y` merges, anything else keeps both.
    MergeElements {
        /// The element that stays.
        keep: String,
        /// Its name.
        keep_name: String,
        /// The element that disappears.
        merge: String,
        /// Its name.
        merge_name: String,
        /// Fields that move to `keep`.
        fields: usize,
        /// Child elements that move to `keep`.
        children: usize,
    },
}

/// Removing a row of the open bundle, as asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoveAsk {
    /// The bundle's code.
    pub bundle: String,
    /// The row.
    pub target: RemoveTarget,
    /// What goes with it.
    pub removal: Removal,
    /// The question's text or the item's name.
    pub name: String,
    /// What goes with it, in words ([`Removal::describe`]).
    pub details: String,
}

/// A binding in pane 3's designer that would give the form two fields on one element, as
/// asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindAsk {
    /// What the element was picked for: a new field (`FormField`) or the selected field
    /// (`FormBind`).
    pub purpose: super::picker::PickPurpose,
    /// The element.
    pub element: String,
    /// Its name.
    pub element_name: String,
    /// The field being bound: its label and key (`None` for a new field).
    pub field: Option<(String, String)>,
    /// The form's field bound to the element already: its label and key.
    pub by: (String, String),
}

/// A fix of the merged form that rewrites published forms, as asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixAsk {
    /// The merged field's label.
    pub field: String,
    /// The fix, in words (the dialog's line).
    pub choice: String,
    /// The fix.
    pub fix: Fix,
    /// How many forms it rewrites.
    pub forms: usize,
    /// The published ones among them, which return to draft (待提交).
    pub published: Vec<String>,
}

/// A window over the panes.
pub enum Overlay {
    /// The key help; the first line shown.
    Help {
        /// Scroll position.
        scroll: usize,
    },
    /// The command palette.
    Palette(Palette),
    /// A question.
    Confirm(Confirm),
    /// A record's audit history.
    History {
        /// The record's code.
        code: String,
        /// One line per audit entry, newest first.
        lines: Vec<String>,
        /// Scroll position.
        scroll: usize,
    },
    /// The element picker.
    Picker(Box<Picker>),
    /// The import or export dialog.
    Transfer(Box<super::transfer::Transfer>),
    /// 模板库: an entry beside its template, or claiming a template.
    Template(Box<super::templates::TemplateOverlay>),
}

/// Something that happened: a terminal event, a finished job, a signal.
pub enum AppEvent {
    /// Key, mouse, paste or resize.
    Term(Event),
    /// A filter match finished.
    Matched {
        /// The generation it was started in (stale results are dropped).
        generation: u64,
        /// The folded query.
        query: String,
        /// What the filter shows; `None` when it gave up for a newer query.
        filtered: Option<Filtered>,
        /// What the match kept, for the next key (see [`CatalogState::narrowing`]); `None`
        /// when it gave up for a newer query.
        narrowing: Option<Narrowing>,
    },
    /// A store job (loading the sample) finished and hands the store back.
    StoreBack {
        /// The store.
        store: BoxStore,
        /// What was applied, or the error text.
        result: Result<Applied, String>,
    },
    /// A worker merged an element a chunk of records at a time before the catalog was
    /// loaded, and hands the open store back (see `tui::merge_on_demand`).
    MergedInChunks(Box<super::merge_on_demand::MergedInChunks>),
    /// How far that worker has got: records staged, of how many.
    MergeProgress(usize, usize),
    /// SIGTERM or SIGHUP: quit now (the store is flushed on drop).
    Signal(i32),
    /// A pane-2 job finished (index, search, duplicates).
    Elements(ElementsEvent),
    /// Pane 5's statistics were computed.
    Stats(StatsEvent),
    /// Pane 5's statistics were counted from the open store's records before the catalog
    /// was loaded, or why they could not be.
    StatsCounted {
        /// The job's number (see [`StatsEvent`]).
        generation: u64,
        /// How many changes had been written near their records when it began (see
        /// [`crate::tui::loading::Loading::near_writes`]).
        at: u64,
        /// The statistics, or why they could not be counted.
        counted: Result<Box<crate::engine::stats::Stats>, String>,
    },
    /// Pane 3's lint warnings of every form were computed.
    FormsLint(FormsLintEvent),
    /// Pane 3's pinyin index of the forms' names was built (with the fingerprint of the
    /// forms it was built from).
    FormsReadings(Arc<FormIndex>, u64),
    /// A pane-4 job finished (the item picker's index).
    Bundles(BundlesEvent),
    /// The element pool's covers for a bundle opened before the catalog (on demand), or why
    /// they could not be read.
    BundlePool {
        /// The bundle.
        code: String,
        /// What was read.
        read: Result<crate::engine::dups::Covers, String>,
    },
    /// Every form's lint warnings counted from the open store's records (pane 3 before the
    /// catalog, without cached counts), or why they could not be.
    FormsCounted(Result<crate::engine::lint::LintCounts, String>),
    /// The element pool's covers for a form pane 3's designer opened before the catalog (on
    /// demand), with the records near it, or why they could not be read.
    FormPool {
        /// The form.
        code: String,
        /// What was read.
        read: super::panes::form_on_demand::PoolRead,
    },
    /// The store finished opening and loading at start-up (see `tui::loading`).
    Loaded(Box<Result<crate::store::SledStore, crate::store::StoreError>>),
    /// The store finished opening at start-up, its catalog left to load on demand.
    Opened(Box<Result<Box<crate::store::UnloadedStore>, crate::store::StoreError>>),
    /// How many records are loaded so far at start-up.
    LoadProgress(usize),
    /// An import or export reports progress or its end.
    Transfer(super::transfer::TransferEvent),
}

/// Pane 1's state.
pub struct CatalogState {
    /// Items, materials or bundles.
    pub list: ListKind,
    /// How items are grouped.
    pub grouping: Grouping,
    /// The tree and its visible rows.
    pub tree: Tree,
    /// The selected visible row.
    pub selected: usize,
    /// The first visible row drawn.
    pub offset: usize,
    /// The filter being typed (`/`), if the prompt is open.
    pub filter_input: Option<Input>,
    /// The filter text in force (raw, as typed).
    pub query: String,
    /// Each list's expanded nodes and selection as it was left (`]` / `[` come back to it).
    pub left: HashMap<ListKind, (HashSet<NodeId>, Option<NodeId>)>,
    /// The filter ran without pinyin while the item index was being built: it runs again
    /// when the index is there.
    pub pinyin_pending: bool,
    /// What the last complete filter match kept: a query that extends it tests only that.
    pub narrowing: Option<Narrowing>,
    /// How far the detail is scrolled (`detail_down` / `detail_up`).
    pub detail: super::detail::DetailScroll,
    /// The node to keep selected when the running match arrives: a rebuilt tree (another
    /// grouping, an edit) runs the filter again, and that must not move the selection.
    pub reselect: Option<NodeId>,
}

/// The whole application state.
pub struct App {
    pub(crate) store: Option<BoxStore>,
    /// The store directory, for the status bar.
    pub store_path: String,
    /// UI language.
    pub lang: Lang,
    /// Keymap, theme, border set and configuration problems.
    pub config: Config,
    /// The current pane.
    pub pane: Pane,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Pane 1.
    pub catalog: CatalogState,
    /// Pane 2.
    pub elements: ElementsPane,
    /// The open edit form.
    pub editor: Option<Editor>,
    /// Pane 4 (主题).
    pub bundles: BundlesPane,
    /// Pane 3 (表单).
    pub forms: FormsPane,
    /// Pane 5 (统计).
    pub stats: StatsPane,
    /// The open overlay.
    pub overlay: Option<Overlay>,
    /// The status message.
    pub message: Option<Message>,
    /// Keys of a chord typed so far.
    pub pending: Vec<Key>,
    /// What a background job is doing (the store is away meanwhile).
    pub busy: Option<String>,
    /// Set while the catalog is still loading at start-up (see `tui::loading`).
    pub loading: Option<super::loading::Loading>,
    /// Why the session has to end (the store could not be opened or loaded).
    pub failure: Option<StoreError>,
    /// Set when the app should exit.
    pub quit: bool,
    /// Set when state changed since the last frame.
    pub dirty: bool,
    /// The path the import and the export dialog each had last (for this session).
    pub transfer_paths: super::transfer::LastPaths,
    /// Key presses so far (a chord counts once, a paste or a wheel step is a press too).
    presses: u64,
    /// The action whose unsaved-changes warning the press numbered here gave: only the
    /// same action on the very next press goes ahead and discards.
    warned: Option<(Action, u64)>,
    tx: Sender<AppEvent>,
    rx: Receiver<AppEvent>,
    generation: Arc<AtomicU64>,
    pub(crate) jobs: usize,
}

impl App {
    /// A new app on an open store.
    pub fn new(store: BoxStore, lang: Lang, config: Config) -> App {
        let (tx, rx) = channel();
        Self::with_channel(store, lang, config, (tx, rx))
    }

    /// A new app on an open store, taking over an event channel whose senders (terminal
    /// input, signals) are already running.
    pub fn with_channel(
        store: BoxStore,
        lang: Lang,
        config: Config,
        channel: (Sender<AppEvent>, Receiver<AppEvent>),
    ) -> App {
        let tree = Tree::build(
            store.catalog(),
            ListKind::Items,
            Grouping::Level,
            &HashSet::new(),
            lang,
        );
        let path = store.path().display().to_string();
        let mut app = Self::assemble(path, tree, lang, config, channel);
        app.store = Some(store);
        app
    }

    /// A new app whose store is still opening and loading on another thread: pane 1 shows
    /// the tree of the cached outline meanwhile, if there is one (see `tui::loading`).
    pub fn while_loading(
        path: String,
        loading: super::loading::Loading,
        lang: Lang,
        config: Config,
        channel: (Sender<AppEvent>, Receiver<AppEvent>),
    ) -> App {
        let empty = crate::model::Outline::default();
        let outline = loading.outline.as_deref().unwrap_or(&empty);
        let tree = Tree::build(
            outline,
            ListKind::Items,
            Grouping::Level,
            &HashSet::new(),
            lang,
        );
        let mut app = Self::assemble(path, tree, lang, config, channel);
        app.loading = Some(loading);
        app
    }

    fn assemble(
        store_path: String,
        tree: Tree,
        lang: Lang,
        config: Config,
        (tx, rx): (Sender<AppEvent>, Receiver<AppEvent>),
    ) -> App {
        let message = config.problems.first().map(|p| Message {
            text: lang.pick(
                format!("配置问题（共 {} 处，已忽略）：{p}", config.problems.len()),
                format!(
                    "config problem ({} in all, ignored): {p}",
                    config.problems.len()
                ),
            ),
            level: Level::Warn,
        });
        App {
            store_path,
            store: None,
            lang,
            config,
            pane: Pane::Catalog,
            size: (80, 24),
            catalog: CatalogState {
                list: ListKind::Items,
                grouping: Grouping::Level,
                tree,
                selected: 0,
                offset: 0,
                filter_input: None,
                query: String::new(),
                left: HashMap::new(),
                pinyin_pending: false,
                narrowing: None,
                detail: Default::default(),
                reselect: None,
            },
            elements: ElementsPane::default(),
            editor: None,
            bundles: BundlesPane::default(),
            forms: FormsPane::default(),
            stats: StatsPane::default(),
            overlay: None,
            message,
            pending: Vec::new(),
            busy: None,
            loading: None,
            failure: None,
            quit: false,
            dirty: true,
            transfer_paths: Default::default(),
            presses: 0,
            warned: None,
            tx,
            rx,
            generation: Arc::new(AtomicU64::new(0)),
            jobs: 0,
        }
    }

    /// A sender for threads that report events (terminal input, signals).
    pub fn sender(&self) -> Sender<AppEvent> {
        self.tx.clone()
    }

    /// Waits for the next event (blocking); `None` if every sender is gone.
    pub fn next_event(&self) -> Option<AppEvent> {
        self.rx.recv().ok()
    }

    /// The next event, waiting at most `wait` for it.
    pub fn event_within(&self, wait: Duration) -> Result<AppEvent, RecvTimeoutError> {
        self.rx.recv_timeout(wait)
    }

    /// The next event if one is waiting.
    pub fn try_event(&self) -> Option<AppEvent> {
        self.rx.try_recv().ok()
    }

    /// How many background jobs are running.
    pub fn jobs_running(&self) -> usize {
        self.jobs
    }

    /// Handles events until no background job is running (tests; at most `timeout` each).
    pub fn settle(&mut self, timeout: Duration) {
        while self.jobs > 0 {
            match self.rx.recv_timeout(timeout) {
                Ok(event) => self.handle(event),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    /// On the way out: handles events until a job that has the store hands it back (an
    /// import's write runs to its end), or, before the catalog is loaded, until an export
    /// reading the open store ends; at most `timeout` between two events. Other jobs only
    /// read, and are not waited for.
    pub fn wait_for_store(&mut self, timeout: Duration) {
        let held = |app: &App| app.store.is_none() && (app.loading.is_none() || app.busy.is_some());
        while held(self) && self.jobs > 0 {
            match self.rx.recv_timeout(timeout) {
                Ok(event) => self.handle(event),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    /// The store, unless a job has it.
    pub fn store(&self) -> Option<&dyn Store> {
        self.store.as_deref().map(|s| s as &dyn Store)
    }

    /// Takes the store out (on exit, to drop and flush it before the terminal is restored).
    pub fn take_store(&mut self) -> Option<BoxStore> {
        self.store.take()
    }

    /// Sets the status message.
    pub fn say(&mut self, level: Level, text: String) {
        self.message = Some(Message { text, level });
        self.dirty = true;
    }

    /// Whether this press of `action` follows, with no other press between, the press that
    /// gave `action`'s unsaved-changes warning: only then may the action discard.
    pub(crate) fn warned_for(&self, action: Action) -> bool {
        self.warned == Some((action, self.presses.wrapping_sub(1)))
    }

    /// Gives the unsaved-changes warning for `action` (armed for the next press of it only).
    pub(crate) fn warn_unsaved(&mut self, action: Action, text: String) {
        self.warned = Some((action, self.presses));
        self.say(Level::Warn, text);
    }

    /// Whether the catalog is empty (the welcome screen shows).
    pub fn is_empty_store(&self) -> bool {
        self.store().is_some_and(|s| s.catalog().is_empty())
    }

    /// The scopes keys are looked up in right now, first first.
    pub fn scopes(&self) -> &'static [Scope] {
        if matches!(self.overlay, Some(Overlay::Picker(_)))
            || (self.pane == Pane::Bundles && self.bundles.picking())
            || (self.pane == Pane::Forms && self.forms.item_picker.is_some())
        {
            return &[Scope::Picker, Scope::Global];
        }
        if self.editor.is_some() {
            return &[Scope::Editor, Scope::Global];
        }
        match self.pane {
            Pane::Catalog
                if self.is_empty_store() || (self.store.is_none() && self.loading.is_none()) =>
            {
                &[Scope::Welcome, Scope::Global]
            }
            Pane::Catalog => &[Scope::Catalog, Scope::List, Scope::Global],
            Pane::Elements => &[Scope::Elements, Scope::List, Scope::Global],
            Pane::Bundles => &[Scope::Bundles, Scope::List, Scope::Global],
            Pane::Forms if self.forms.prompt.is_none() && self.forms.wants_text() => {
                &[Scope::Preview, Scope::Global]
            }
            Pane::Forms => &[Scope::Forms, Scope::List, Scope::Global],
            Pane::Stats => &[Scope::Stats, Scope::List, Scope::Global],
        }
    }

    /// Handles one event.
    pub fn handle(&mut self, event: AppEvent) {
        let Some(event) = self.hold_while_loading(event) else {
            return;
        };
        self.handle_now(event);
        // a pane that does not work without the catalog wants it loaded (not while a worker
        // has the open store: the pane waits for it)
        let waiting = self
            .loading
            .as_ref()
            .is_some_and(|l| l.deferred() && !l.lent());
        if !self.pane_works_unloaded() && waiting {
            self.want_catalog();
        }
    }

    fn handle_now(&mut self, event: AppEvent) {
        match event {
            AppEvent::Term(Event::Key(key)) => {
                if key.kind != KeyEventKind::Release {
                    self.dirty = true;
                    if self.pending.is_empty() {
                        self.presses += 1;
                    }
                    self.key(key);
                }
            }
            AppEvent::Term(Event::Paste(text)) => {
                self.presses += 1;
                self.paste(&text);
            }
            AppEvent::Term(Event::Resize(w, h)) => self.resize(w, h),
            AppEvent::Term(Event::Mouse(m)) => match m.kind {
                MouseEventKind::ScrollDown => {
                    self.presses += 1;
                    self.update(Action::SelectNext);
                }
                MouseEventKind::ScrollUp => {
                    self.presses += 1;
                    self.update(Action::SelectPrev);
                }
                _ => {}
            },
            AppEvent::Term(_) => {}
            AppEvent::Loaded(result) => self.loaded(*result),
            AppEvent::Opened(result) => self.opened(*result),
            AppEvent::LoadProgress(done) => {
                if let Some(loading) = &mut self.loading {
                    loading.done = done;
                    self.dirty = true;
                }
            }
            AppEvent::Matched {
                generation,
                query,
                filtered,
                narrowing,
            } => {
                self.jobs = self.jobs.saturating_sub(1);
                if narrowing.is_some() {
                    self.catalog.narrowing = narrowing;
                }
                let current = generation == self.generation.load(Ordering::SeqCst);
                if let Some(filtered) = filtered.filter(|_| current)
                    && self.catalog.tree.apply_filter(&query, filtered)
                {
                    let tree = &self.catalog.tree;
                    let kept = self.catalog.reselect.take();
                    let row = kept.and_then(|id| tree.row_of(&id));
                    let row = row.or_else(|| tree.first_match());
                    // the rows changed wholly: show the selection with what leads to it
                    self.catalog.offset = 0;
                    self.select(row.unwrap_or(0));
                    self.dirty = true;
                }
            }
            AppEvent::MergedInChunks(done) => self.merged_in_chunks(*done),
            AppEvent::MergeProgress(done, total) => {
                if let Some(loading) = &mut self.loading {
                    loading.merge_progress(done, total);
                    self.dirty = true;
                }
            }
            AppEvent::StoreBack { store, result } => {
                self.jobs = self.jobs.saturating_sub(1);
                self.store = Some(store);
                self.busy = None;
                match result {
                    Ok(applied) => {
                        let text = self.lang.pick(
                            format!(
                                "已载入示例：新增 {} 条，更新 {} 条",
                                applied.created, applied.updated
                            ),
                            format!(
                                "sample loaded: {} created, {} updated",
                                applied.created, applied.updated
                            ),
                        );
                        self.say(Level::Ok, text);
                    }
                    Err(e) => self.say(Level::Error, e),
                }
                self.store_changed();
            }
            AppEvent::Signal(_) => {
                // an unsaved form goes to a recovery draft, never half into the store
                if let (Some(editor), Some(store)) = (&self.editor, &self.store)
                    && let Err(e) = super::draft::save(store.path(), editor)
                {
                    eprintln_lossy!("yibiao: the unsaved edit could not be kept as a draft: {e}");
                }
                // an import not yet writing stops; one writing runs to its end
                self.transfer_cancel();
                self.quit = true;
            }
            AppEvent::Elements(event) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.elements_event(event);
            }
            AppEvent::Stats(event) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.stats_event(event);
            }
            AppEvent::StatsCounted {
                generation,
                at,
                counted,
            } => {
                self.jobs = self.jobs.saturating_sub(1);
                self.stats_counted(generation, at, counted);
            }
            AppEvent::FormsLint(event) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.forms_lint_event(event);
            }
            AppEvent::FormsReadings(index, fingerprint) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.forms_readings_event(index, fingerprint);
            }
            AppEvent::Bundles(event) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.dirty = true;
                self.bundles.event(event);
                self.forms_items_ready();
                if std::mem::take(&mut self.catalog.pinyin_pending)
                    && !self.catalog.query.is_empty()
                {
                    let query = self.catalog.query.clone();
                    self.start_match(&query);
                }
            }
            AppEvent::BundlePool { code, read } => {
                self.jobs = self.jobs.saturating_sub(1);
                self.dirty = true;
                self.bundle_pool_read(&code, read);
            }
            AppEvent::FormsCounted(read) => {
                self.jobs = self.jobs.saturating_sub(1);
                self.dirty = true;
                self.forms_counted(read);
            }
            AppEvent::FormPool { code, read } => {
                self.jobs = self.jobs.saturating_sub(1);
                self.dirty = true;
                self.form_pool_read(&code, read);
            }
            AppEvent::Transfer(event) => {
                if event.is_done() {
                    self.jobs = self.jobs.saturating_sub(1);
                }
                self.transfer_event(event);
            }
        }
        self.follow_search_changes();
    }

    /// The store changed under the panes (a sample load, an import): they show it afresh.
    pub(crate) fn store_changed(&mut self) {
        self.rebuild_tree(None);
        self.elements_changed(None);
        self.forms_stale();
        if let Some(store) = &self.store {
            self.bundles.refresh(store.catalog());
        }
        if self.pane == Pane::Stats {
            self.stats_start();
        }
    }

    /// Records a new terminal size.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.scroll_into_view();
        self.dirty = true;
    }

    /// Height of the tree's visible window, from the same layout the view draws.
    pub fn tree_height(&self) -> usize {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        view::areas(area).tree.height.saturating_sub(2) as usize
    }

    fn key(&mut self, event: KeyEvent) {
        let key = Key::from_event(&event);
        if !matches!(self.overlay, Some(Overlay::Confirm(_))) {
            self.message = None;
        }
        match &mut self.overlay {
            Some(Overlay::Confirm(c)) => {
                let c = c.clone();
                self.confirm_key(c, key);
                return;
            }
            Some(Overlay::Palette(p)) => {
                match (event.code, event.modifiers) {
                    (KeyCode::Esc, _) => self.overlay = None,
                    (KeyCode::Enter, _) => {
                        let action = p.chosen(self.lang);
                        self.overlay = None;
                        if let Some(action) = action {
                            self.update(action);
                        }
                    }
                    (KeyCode::Down, _) | (KeyCode::Tab, _) => p.step(true),
                    (KeyCode::Char('n'), KeyModifiers::CONTROL) => p.step(true),
                    (KeyCode::Up, _) | (KeyCode::BackTab, _) => p.step(false),
                    (KeyCode::Char('p'), KeyModifiers::CONTROL) => p.step(false),
                    _ => {
                        if p.input.handle_event(&Event::Key(event)).is_some() {
                            p.selected = 0;
                        }
                    }
                }
                return;
            }
            Some(Overlay::Picker(_)) => {
                self.picker_key(event);
                return;
            }
            Some(Overlay::Transfer(_)) => {
                self.transfer_key(event);
                return;
            }
            Some(Overlay::Template(_)) => {
                self.template_key(event);
                return;
            }
            Some(Overlay::Help { .. } | Overlay::History { .. }) => {
                match self
                    .config
                    .keymap
                    .lookup(&[key], &[Scope::List, Scope::Global])
                {
                    Lookup::Action(
                        a @ (Action::SelectNext
                        | Action::SelectPrev
                        | Action::PageDown
                        | Action::PageUp
                        | Action::SelectFirst
                        | Action::SelectLast),
                    ) => self.scroll_overlay(a),
                    Lookup::Action(
                        Action::Back | Action::Quit | Action::Help | Action::History,
                    ) => self.overlay = None,
                    // the palette (the help's title offers it) takes the overlay's place
                    Lookup::Action(Action::Palette) => {
                        self.overlay = Some(Overlay::Palette(Palette::default()));
                    }
                    _ => {}
                }
                return;
            }
            None => {}
        }
        if self.pane == Pane::Elements && self.editor.is_none() && self.elements.typing {
            self.elements_query_key(event);
            return;
        }
        // pane 4: an open prompt or the item picker takes every key
        if self.pane == Pane::Bundles && self.bundles.wants_text() {
            let action = self.picker_action(&event);
            let (page, lang) = (self.bundles_page(), self.lang);
            self.with_bundle_store(|b, store| b.prompt_key(event, action, store, lang, page));
            self.bundles_jobs();
            return;
        }
        // pane 3: its prompt and the preview take every key
        if self.pane == Pane::Forms && self.editor.is_none() && self.forms.wants_text() {
            self.forms_text_key(event);
            return;
        }
        // pane 5: the export prompt takes every key
        if self.pane == Pane::Stats && self.stats.prompt.is_some() {
            self.stats_prompt_key(event);
            return;
        }
        if let Some(input) = &mut self.catalog.filter_input {
            match event.code {
                KeyCode::Enter => {
                    self.catalog.filter_input = None;
                    if self.catalog.query.is_empty() {
                        self.clear_filter();
                    }
                }
                KeyCode::Esc => {
                    self.catalog.filter_input = None;
                    self.clear_filter();
                }
                _ => {
                    if input.handle_event(&Event::Key(event)).is_some() {
                        let query = input.value().to_string();
                        self.set_query(query);
                    }
                }
            }
            return;
        }
        if self.editor.is_some() {
            self.editor_key(event, key);
            return;
        }
        self.pending.push(key);
        match self.config.keymap.lookup(&self.pending, self.scopes()) {
            Lookup::Action(a) => {
                self.pending.clear();
                self.update(a);
            }
            Lookup::Pending => {}
            Lookup::Unbound => {
                let retry = self.pending.len() > 1;
                self.pending.clear();
                if retry {
                    self.pending.push(key);
                    match self.config.keymap.lookup(&self.pending, self.scopes()) {
                        Lookup::Action(a) => {
                            self.pending.clear();
                            self.update(a);
                        }
                        Lookup::Pending => {}
                        Lookup::Unbound => self.pending.clear(),
                    }
                }
            }
        }
    }

    fn editor_key(&mut self, event: KeyEvent, key: Key) {
        let multiline = self.editor.as_ref().is_some_and(Editor::focus_is_multiline);
        let arrow = matches!(key.code, KeyCode::Up | KeyCode::Down) && key.mods.is_empty();
        if !(multiline && arrow)
            && let Lookup::Action(a) = self.config.keymap.lookup(&[key], &[Scope::Editor])
        {
            self.update(a);
            return;
        }
        if !key.is_text()
            && let Lookup::Action(a) = self.config.keymap.lookup(&[key], &[Scope::Global])
        {
            self.update(a);
            return;
        }
        if let Some(editor) = &mut self.editor
            && editor.input_key(event)
        {
            self.validate_editor();
        }
    }

    pub(crate) fn validate_editor(&mut self) {
        let lang = self.lang;
        if let (Some(editor), Some(store)) = (&mut self.editor, &self.store) {
            editor.validate(store.catalog(), lang);
        } else {
            self.validate_editor_near();
        }
    }

    fn paste(&mut self, text: &str) {
        self.dirty = true;
        if let Some(Overlay::Palette(p)) = &mut self.overlay {
            text::paste_into(&mut p.input, text);
        } else if matches!(self.overlay, Some(Overlay::Picker(_))) {
            self.picker_paste(text);
        } else if matches!(self.overlay, Some(Overlay::Transfer(_))) {
            self.transfer_paste(text);
        } else if matches!(self.overlay, Some(Overlay::Template(_))) {
            self.template_paste(text);
        } else if self.pane == Pane::Elements && self.editor.is_none() && self.elements.typing {
            self.elements_paste(text);
        } else if let Some(input) = &mut self.catalog.filter_input {
            text::paste_into(input, text);
            let query = input.value().to_string();
            self.set_query(query);
        } else if let Some(editor) = &mut self.editor {
            editor.paste(text);
            self.validate_editor();
        } else if self.pane == Pane::Bundles {
            self.bundles.paste(text);
        } else if self.pane == Pane::Forms {
            self.forms_paste(text);
        } else if self.pane == Pane::Stats {
            self.stats_paste(text);
        }
    }

    fn confirm_key(&mut self, confirm: Confirm, key: Key) {
        let c = match key.code {
            KeyCode::Char(c) if key.mods.is_empty() => Some(c),
            _ => None,
        };
        match (confirm, c) {
            (Confirm::Delete { kind, code, .. }, Some('y' | 'Y')) => {
                self.overlay = None;
                self.delete(kind, &code);
            }
            (Confirm::Unsaved { then }, Some('s' | 'S')) => {
                self.overlay = None;
                // leaving the form (back) is done once it is saved or discarded
                if self.save() && then != Action::Back {
                    self.update(then);
                }
            }
            (Confirm::BundleRemove(ask), Some('y' | 'Y')) => {
                self.overlay = None;
                let lang = self.lang;
                self.with_bundle_store(|b, store| b.remove(store, &ask, lang));
            }
            (Confirm::MergeFix(ask), Some('y' | 'Y')) => {
                self.overlay = None;
                let lang = self.lang;
                self.with_bundle_store(|b, store| b.apply_fix(store, &ask.fix, lang));
            }
            (Confirm::BindTwice(ask), Some('y' | 'Y')) => {
                self.overlay = None;
                self.forms_bind(&ask.purpose, &ask.element);
            }
            (Confirm::MergeElements { keep, merge, .. }, Some('y' | 'Y')) => {
                self.overlay = None;
                self.merge_elements(&keep, &merge);
            }
            (Confirm::Unsaved { then }, Some('d' | 'D')) => {
                self.overlay = None;
                self.editor = None;
                if then != Action::Back {
                    self.update(then);
                }
            }
            (_, Some('n' | 'N' | 'c' | 'C')) => self.overlay = None,
            (_, _) if key.code == KeyCode::Esc => self.overlay = None,
            _ => {}
        }
        self.dirty = true;
    }

    fn scroll_overlay(&mut self, action: Action) {
        let page = self.size.1.saturating_sub(6).max(1) as usize;
        let scroll = match &mut self.overlay {
            Some(Overlay::Help { scroll } | Overlay::History { scroll, .. }) => scroll,
            _ => return,
        };
        *scroll = match action {
            Action::SelectNext => scroll.saturating_add(1),
            Action::SelectPrev => scroll.saturating_sub(1),
            Action::PageDown => scroll.saturating_add(page),
            Action::PageUp => scroll.saturating_sub(page),
            Action::SelectFirst => 0,
            _ => usize::MAX / 2,
        };
    }

    /// Performs an action.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        if self.loading.is_some() && !self.works_before_the_catalog(action) {
            self.want_catalog();
            if let Some(loading) = &self.loading {
                let text = loading.wait_text(self.lang);
                self.say(Level::Warn, text);
            }
            return;
        }
        let guarded = matches!(
            action,
            Action::Quit
                | Action::PaneNext
                | Action::PanePrev
                | Action::Pane1
                | Action::Pane2
                | Action::Pane3
                | Action::Pane4
                | Action::Pane5
        );
        if guarded && let Some(editor) = &self.editor {
            if editor.is_dirty() {
                self.overlay = Some(Overlay::Confirm(Confirm::Unsaved { then: action }));
                return;
            }
            self.editor = None;
        }
        if self.pane == Pane::Elements && self.editor.is_none() && self.elements_update(action) {
            return;
        }
        // quitting from any pane with an unsaved form design: show it and ask first
        if action == Action::Quit
            && self.pane != Pane::Forms
            && !self.warned_for(Action::Quit)
            && self
                .forms
                .designer
                .as_ref()
                .is_some_and(|d| d.design.is_dirty())
        {
            self.pane = Pane::Forms;
        }
        // pane 3 (表单): its own actions, list moves and back while it shows
        if self.pane == Pane::Forms && self.editor.is_none() && self.forms_update(action) {
            return;
        }
        // the bundle list's detail scrolls (it is drawn from the screen's size, which pane 4's
        // own update does not know)
        if matches!(action, Action::BundleDetailDown | Action::BundleDetailUp) {
            self.pane = Pane::Bundles;
            self.scroll_bundle_detail(if action == Action::BundleDetailDown {
                1
            } else {
                -1
            });
            return;
        }
        // 模板库: the bundle beside its template (an overlay over pane 4)
        if action == Action::BundleCompare {
            self.pane = Pane::Bundles;
            self.compare_bundle();
            return;
        }
        // pane 4 (主题): its own actions from anywhere, list moves and back while it shows
        if bundles::handles(action)
            && (self.pane == Pane::Bundles || action.def().scope == Scope::Bundles)
        {
            self.pane = Pane::Bundles;
            if action == Action::BundleHistory && self.bundles.chooser.is_none() {
                // (before the catalog is loaded, among the bundles pane 4 read)
                let code = self
                    .bundles_catalog()
                    .and_then(|c| self.bundles.current_code(c));
                if let Some(code) = code {
                    self.show_history_of(code);
                }
                return;
            }
            // pane 4 on demand: what reads the list or the open bundle comes this far before
            // the catalog (see `works_before_the_catalog`), and the edits of the open bundle
            // alone, written over its records below
            let edits_near = self
                .loading
                .as_ref()
                .is_some_and(|l| l.edits_bundles_near(action, &self.bundles));
            if self.store.is_none() && !edits_near {
                if action == Action::BundleOpen && self.bundles.work.is_none() {
                    self.open_bundle_on_demand();
                    return;
                }
                let (page, lang, open) =
                    (self.bundles_page(), self.lang, self.bundles.work.is_some());
                let catalog = self.loading.as_ref().and_then(|l| l.bundles_shown(open));
                if let Some(catalog) = catalog {
                    let said = self.bundles.update_on_demand(action, page, catalog, lang);
                    self.message = said.or(self.message.take());
                }
                return;
            }
            // a fix that returns published forms to draft asks first, naming them
            if let Some(confirm) = self
                .bundles_catalog()
                .and_then(|c| self.bundles.ask_fix(action, c))
            {
                self.overlay = Some(Overlay::Confirm(confirm));
                return;
            }
            // removing a question or an item asks first, saying what goes with it
            if action == Action::BundleRemove
                && let Some(confirm) = self
                    .bundles_catalog()
                    .and_then(|c| self.bundles.ask_remove(c, self.lang))
            {
                self.overlay = Some(Overlay::Confirm(confirm));
                return;
            }
            let (page, lang) = (self.bundles_page(), self.lang);
            self.with_bundle_store(|b, store| b.update(action, store, lang, page));
            self.bundles_jobs();
            return;
        }
        // pane 5 (统计): its own actions from anywhere, list moves and back while it shows;
        // the figures are computed afresh each time the pane is entered
        let entering_stats = self.pane != Pane::Stats;
        if (self.pane == Pane::Stats || stats::handles(action)) && self.editor.is_none() {
            self.pane = Pane::Stats;
            if entering_stats {
                self.stats_start();
            }
            if self.stats_update(action) {
                return;
            }
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                }
            }
            Action::Palette => self.overlay = Some(Overlay::Palette(Palette::default())),
            Action::PaneNext => self.pane = Pane::ALL[(self.pane.index() + 1) % 5],
            Action::PanePrev => self.pane = Pane::ALL[(self.pane.index() + 4) % 5],
            Action::Pane1 => self.pane = Pane::Catalog,
            Action::Pane2 => self.pane = Pane::Elements,
            Action::Pane3 => self.pane = Pane::Forms,
            Action::Pane4 => self.pane = Pane::Bundles,
            Action::Pane5 => self.pane = Pane::Stats,
            Action::Back => self.back(),
            Action::SelectNext => self.select(self.catalog.selected.saturating_add(1)),
            Action::SelectPrev => self.select(self.catalog.selected.saturating_sub(1)),
            Action::PageDown => self.select(
                self.catalog
                    .selected
                    .saturating_add(self.tree_height().max(1)),
            ),
            Action::PageUp => self.select(
                self.catalog
                    .selected
                    .saturating_sub(self.tree_height().max(1)),
            ),
            Action::SelectFirst => self.select(0),
            Action::SelectLast => self.select(usize::MAX),
            Action::Open => {
                let row = self.catalog.selected;
                let open = self.catalog.tree.row_node(row).is_some_and(|n| n.expanded);
                self.set_expanded(!open);
            }
            Action::Expand => {
                let row = self.catalog.selected;
                match self.catalog.tree.row_node(row) {
                    Some(n)
                        if !n.children.is_empty()
                            && (n.expanded || self.catalog.tree.query().is_some()) =>
                    {
                        self.select(row + 1)
                    }
                    Some(_) => self.set_expanded(true),
                    None => {}
                }
            }
            Action::Collapse => {
                let row = self.catalog.selected;
                match self.catalog.tree.row_node(row) {
                    Some(n)
                        if n.expanded
                            && !n.children.is_empty()
                            && self.catalog.tree.query().is_none() =>
                    {
                        self.set_expanded(false)
                    }
                    Some(_) => self.select_parent(),
                    None => {}
                }
            }
            Action::ExpandAll | Action::CollapseAll => {
                let id = self.selected_id();
                self.catalog
                    .tree
                    .set_all_expanded(action == Action::ExpandAll);
                let row = id.and_then(|id| self.catalog.tree.row_of(&id));
                let row = row.unwrap_or_else(|| self.root_row_of_selection());
                self.select(row);
            }
            Action::Parent => self.select_parent(),
            Action::CycleGrouping => {
                if self.catalog.list == ListKind::Items {
                    self.catalog.grouping = self.catalog.grouping.next();
                    let id = self.selected_id();
                    self.catalog.tree = self.build_tree(&HashSet::new());
                    self.after_rebuild(id);
                    let text = format!(
                        "{} {}",
                        self.catalog.list.title(self.lang),
                        self.catalog.grouping.label(self.lang)
                    );
                    self.say(Level::Info, text);
                }
            }
            Action::NextList | Action::PrevList => {
                let i = ListKind::ALL
                    .iter()
                    .position(|l| *l == self.catalog.list)
                    .unwrap_or(0);
                let step = if action == Action::NextList { 1 } else { 2 };
                let leaving = (self.catalog.tree.expanded_ids(), self.selected_id());
                self.catalog.left.insert(self.catalog.list, leaving);
                self.catalog.list = ListKind::ALL[(i + step) % 3];
                let (expanded, selected) = self
                    .catalog
                    .left
                    .remove(&self.catalog.list)
                    .unwrap_or_default();
                self.catalog.tree = self.build_tree(&expanded);
                self.catalog.selected = 0;
                self.after_rebuild(selected);
            }
            Action::Filter => {
                self.catalog.filter_input = Some(Input::new(self.catalog.query.clone()));
            }
            Action::NextMatch | Action::PrevMatch => {
                if self.catalog.tree.query().is_none() {
                    self.say(
                        Level::Info,
                        self.lang
                            .pick("没有筛选条件：按 / 输入", "no filter: press / to type one")
                            .into(),
                    );
                } else if let Some(row) = self
                    .catalog
                    .tree
                    .next_match(self.catalog.selected, action == Action::NextMatch)
                {
                    self.select(row);
                } else {
                    self.say(
                        Level::Warn,
                        self.lang.pick("没有匹配项", "no matches").into(),
                    );
                }
            }
            Action::Edit => self.open_editor(EditStart::Edit),
            Action::Add => self.open_editor(EditStart::Add),
            Action::Copy => self.open_editor(EditStart::Copy),
            Action::Delete => self.ask_delete(),
            Action::Submit => self.workflow(Transition::Submit),
            Action::Return => self.workflow(Transition::Return),
            Action::Publish => self.workflow(Transition::Publish),
            Action::History => self.show_history(),
            Action::LoadSample => self.load_sample(),
            Action::ImportFile => self.open_transfer(super::transfer::Direction::Import),
            Action::ExportFile => self.open_transfer(super::transfer::Direction::Export),
            Action::TemplateCompare => self.compare_selected(),
            Action::TemplateClaim => self.open_claim(),
            Action::FormForItem => self.new_form_for_selected_item(),
            Action::DetailDown => self.scroll_catalog_detail(1),
            Action::DetailUp => self.scroll_catalog_detail(-1),
            Action::Save => {
                self.save();
            }
            Action::NextField | Action::PrevField => {
                if let Some(editor) = &mut self.editor {
                    editor.move_focus(action == Action::NextField);
                }
            }
            Action::PickElement => self.pick_for_editor(),
            // pane 2's actions are done by `elements_update` above; elsewhere they do nothing
            Action::ElementSearch
            | Action::ElementOpen
            | Action::ElementAdd
            | Action::ElementEdit
            | Action::ElementDups
            | Action::ElementMerge
            | Action::ElementSwap
            | Action::ElementSubmit
            | Action::ElementReturn
            | Action::ElementPublish
            | Action::ElementHistory
            | Action::ElementDetailDown
            | Action::ElementDetailUp => {}
            // the picker's actions are done by `picker_key` while it is open
            Action::PickerChoose
            | Action::PickerNext
            | Action::PickerPrev
            | Action::PickerPageDown
            | Action::PickerPageUp
            | Action::PickerMark => {}
            // pane 4's actions were handed to it above
            Action::BundleOpen
            | Action::MergeToggle
            | Action::MergeFocusNext
            | Action::MergeFocusPrev
            | Action::MergeView
            | Action::MergeFix
            | Action::FlowExportDot
            | Action::FlowExportMermaid
            | Action::BundleNew
            | Action::BundleClaim
            | Action::BundleCompare
            | Action::BundleRename
            | Action::BundleLead
            | Action::BundleAdd
            | Action::BundleRemove
            | Action::BundleMoveUp
            | Action::BundleMoveDown
            | Action::BundleDetailDown
            | Action::BundleDetailUp
            | Action::BundleCondition
            | Action::BundleMaterials
            | Action::BundleSubmit
            | Action::BundleReturn
            | Action::BundlePublish
            | Action::BundleHistory => {}
            // pane 3's actions were handed to it above (or do nothing elsewhere)
            Action::FormOpen
            | Action::FormFilter
            | Action::FormNew
            | Action::FormItem
            | Action::FormAddField
            | Action::FormAddUnbound
            | Action::FormAddSection
            | Action::FormMoveUp
            | Action::FormMoveDown
            | Action::FormMoveSection
            | Action::FormLabel
            | Action::FormHelp
            | Action::FormRequired
            | Action::FormCondition
            | Action::FormBind
            | Action::FormUnbind
            | Action::FormRemove
            | Action::FormUndo
            | Action::FormRedo
            | Action::FormSave
            | Action::FormPreview
            | Action::FormSubmit
            | Action::FormReturn
            | Action::FormPublish
            | Action::FormHistory
            | Action::FormWarningsDown
            | Action::FormWarningsUp
            | Action::PreviewNext
            | Action::PreviewPrev
            | Action::PreviewOptionNext
            | Action::PreviewOptionPrev
            | Action::PreviewDescend => {}
            // pane 5's actions were handed to it above
            Action::StatsNextSection
            | Action::StatsPrevSection
            | Action::StatsRefresh
            | Action::StatsExport => {}
        }
        self.refresh_pane(entering_stats);
    }

    /// Brings the pane on screen up to date with the store (after an action, or once the
    /// catalog is loaded); `entering_stats` starts pane 5's figures afresh.
    pub(crate) fn refresh_pane(&mut self, entering_stats: bool) {
        // pane 4 shows what the store holds now (it may have changed in another pane)
        if self.pane == Pane::Bundles
            && let Some(store) = &self.store
        {
            self.bundles.refresh(store.catalog());
        }
        if self.pane == Pane::Elements {
            self.elements_ensure_index();
        }
        // pane 3 shows what the store holds now (it may have changed in another pane)
        if self.pane == Pane::Forms {
            self.forms_stale();
            self.forms_shown();
        }
        if self.pane == Pane::Stats && entering_stats {
            self.stats_start();
        }
    }

    fn back(&mut self) {
        if !self.pending.is_empty() {
            self.pending.clear();
        } else if let Some(editor) = &self.editor {
            if editor.is_dirty() {
                self.overlay = Some(Overlay::Confirm(Confirm::Unsaved { then: Action::Back }));
            } else {
                self.editor = None;
            }
        } else if self.catalog.tree.query().is_some() || !self.catalog.query.is_empty() {
            self.clear_filter();
        }
    }

    /// Scrolls pane 1's detail `by` lines, as far as its last line on the last row.
    fn scroll_catalog_detail(&mut self, by: isize) {
        let screen = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let Some(area) = view::areas(screen).detail else {
            return;
        };
        let (w, h) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
        if let Some((of, lines)) = view::catalog_detail(self, w) {
            self.catalog
                .detail
                .scroll(&of, by, lines.len(), usize::from(h));
        }
    }

    /// Moves the selection to a row (clamped) and scrolls it into view.
    pub(crate) fn select(&mut self, row: usize) {
        let n = self.catalog.tree.rows().len();
        self.catalog.selected = row.min(n.saturating_sub(1));
        self.scroll_into_view();
    }

    fn scroll_into_view(&mut self) {
        let height = self.tree_height().max(1);
        let c = &mut self.catalog;
        let n = c.tree.rows().len();
        c.selected = c.selected.min(n.saturating_sub(1));
        if c.selected < c.offset {
            c.offset = c.selected;
        } else if c.selected >= c.offset + height {
            c.offset = c.selected + 1 - height;
        }
        c.offset = c.offset.min(n.saturating_sub(height));
    }

    fn set_expanded(&mut self, expanded: bool) {
        if self.catalog.tree.query().is_some() {
            return;
        }
        if self
            .catalog
            .tree
            .set_expanded(self.catalog.selected, expanded)
        {
            self.scroll_into_view();
        }
    }

    fn select_parent(&mut self) {
        let parent = self
            .catalog
            .tree
            .row_node(self.catalog.selected)
            .and_then(|n| n.parent)
            .map(|p| self.catalog.tree.node(p).id.to_id());
        if let Some(row) = parent.and_then(|id| self.catalog.tree.row_of(&id)) {
            self.select(row);
        }
    }

    fn root_row_of_selection(&self) -> usize {
        let tree = &self.catalog.tree;
        let Some(mut id) = tree.rows().get(self.catalog.selected).copied() else {
            return 0;
        };
        while let Some(p) = tree.node(id).parent {
            id = p;
        }
        let root = tree.node(id).id.to_id();
        tree.row_of(&root).unwrap_or(0)
    }

    /// The node id of the selected row.
    pub fn selected_id(&self) -> Option<NodeId> {
        self.catalog
            .tree
            .row_node(self.catalog.selected)
            .map(|n| n.id.to_id())
    }

    /// The selected record, if the selected row is one.
    pub fn selected_record(&self) -> Option<RecordRef<'_>> {
        let NodeId::Record(kind, code) = self.selected_id()? else {
            return None;
        };
        self.store()?.catalog().get(kind, &code)
    }

    fn build_tree(&self, expanded: &HashSet<NodeId>) -> Tree {
        let (list, grouping, lang) = (self.catalog.list, self.catalog.grouping, self.lang);
        if let Some(store) = self.store() {
            return Tree::build(store.catalog(), list, grouping, expanded, lang);
        }
        match self.loading.as_ref().and_then(|l| l.outline.as_deref()) {
            Some(outline) => Tree::build(outline, list, grouping, expanded, lang),
            None => self.catalog.tree.clone(),
        }
    }

    /// Rebuilds the tree after the store changed, keeping expansion, the filter and the
    /// selection (or selecting `select`).
    pub(crate) fn rebuild_tree(&mut self, select: Option<NodeId>) {
        let expanded = self.catalog.tree.expanded_ids();
        let keep = select.or_else(|| self.selected_id());
        self.catalog.tree = self.build_tree(&expanded);
        self.after_rebuild(keep);
    }

    fn after_rebuild(&mut self, select: Option<NodeId>) {
        // results computed for the old tree no longer apply; nor does what the last match
        // kept (which holds the item index it ran on: at a million elements some 100 MB, kept
        // beside the index built again after a change)
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.catalog.narrowing = None;
        let row = select.as_ref().and_then(|id| self.catalog.tree.reveal(id));
        self.select(row.unwrap_or(self.catalog.selected));
        if !self.catalog.query.is_empty() {
            let query = self.catalog.query.clone();
            self.catalog.reselect = select;
            self.start_match(&query);
        }
    }

    fn set_query(&mut self, query: String) {
        self.catalog.query = query.clone();
        self.catalog.reselect = None;
        if query.is_empty() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            self.catalog.narrowing = None;
            self.catalog.tree.clear_filter();
            self.select(self.catalog.selected);
        } else {
            self.start_match(&query);
        }
    }

    fn clear_filter(&mut self) {
        let id = self.selected_id();
        self.catalog.query.clear();
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.catalog.tree.clear_filter();
        let row = id.and_then(|id| self.catalog.tree.reveal(&id));
        self.select(row.unwrap_or(0));
    }

    /// Starts matching on a worker thread; a newer query makes it stop early.
    fn start_match(&mut self, query: &str) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let current = Arc::clone(&self.generation);
        let folded = super::text::fold(query);
        // items are found by the pinyin of their names too, as in pane 4's item picker: the
        // same item index, built on a worker thread the first time (the filter runs again
        // when it is there)
        let pinyin = self.catalog.list == ListKind::Items
            && query.split_whitespace().any(super::tree_match::by_pinyin);
        // before the catalog is in, the same index is built from the outline the tree shows
        let outline = self.loading.as_ref().and_then(|l| l.outline.clone());
        let index = match (self.store.as_deref(), &outline) {
            (Some(store), _) if pinyin => self.bundles.items.ready(store.catalog()),
            (None, Some(outline)) if pinyin => self.bundles.items.ready_from_outline(outline),
            _ => None,
        };
        self.catalog.pinyin_pending =
            pinyin && index.is_none() && (self.store.is_some() || outline.is_some());
        if self.catalog.pinyin_pending {
            self.bundles_jobs();
        }
        let job = MatchJob {
            haystacks: self.catalog.tree.haystacks(),
            item_nodes: self.catalog.tree.item_nodes(),
            shape: self.catalog.tree.shape(),
            query: query.to_string(),
            index,
            previous: self.catalog.narrowing.clone(),
        };
        let tx = self.tx.clone();
        self.jobs += 1;
        std::thread::spawn(move || {
            let stale = || current.load(Ordering::SeqCst) != generation;
            let (filtered, narrowing) = job.run(stale).unzip();
            // a closed channel means the app is gone; nothing to report to
            let _ = tx.send(AppEvent::Matched {
                generation,
                query: folded,
                filtered,
                narrowing,
            });
        });
    }

    fn need_store(&mut self) -> bool {
        if self.store.is_some() {
            return true;
        }
        let text = self.lang.pick("请稍候：正在处理", "please wait: busy");
        self.say(Level::Warn, text.into());
        false
    }

    fn open_editor(&mut self, start: EditStart) {
        // a heading, or no row: said at once (before the catalog is loaded too)
        if start != EditStart::Add && !matches!(self.selected_id(), Some(NodeId::Record(..))) {
            return self.say_select_a_record(start == EditStart::Copy);
        }
        // an item, a material or a bundle before the catalog is loaded, over the records
        // near it
        if self.store.is_none()
            && start == EditStart::Edit
            && let Some(NodeId::Record(kind @ (Kind::Item | Kind::Material | Kind::Bundle), code)) =
                self.selected_id()
        {
            if let Some(record) = self.record_near_for_edit(kind, &code) {
                self.open_editor_for(record, "edit");
            }
            return;
        }
        // a new item, material or bundle, or a copy of one, before the catalog is loaded
        if start != EditStart::Edit
            && let Some(started) = self.start_near(start == EditStart::Copy)
        {
            let action = if start == EditStart::Copy {
                "copy"
            } else {
                "add"
            };
            if let Some(record) = started {
                self.open_editor_for(record, action);
            }
            return;
        }
        if !self.need_store() {
            return;
        }
        let lang = self.lang;
        let Some(store) = self.store() else { return };
        let catalog = store.catalog();
        let selected = self.selected_record();
        let kind = self.catalog.list.kind();
        let (record, action) = match start {
            EditStart::Edit => match selected {
                Some(r) => (r.to_record(), "edit"),
                None => return self.say_select_a_record(false),
            },
            EditStart::Copy => match selected {
                Some(r) => (workflow::copy_of(catalog, r, lang), "copy"),
                None => return self.say_select_a_record(true),
            },
            EditStart::Add => {
                let child = match selected {
                    Some(RecordRef::Item(parent)) => match workflow::new_child(catalog, parent) {
                        Some(child) => Some(crate::model::Record::Item(child)),
                        None => {
                            let text = lang.pick(
                                "办理项是最低层级，不能再新增下级",
                                "a 办理项 is the lowest level; it has no children",
                            );
                            self.say(Level::Warn, text.into());
                            return;
                        }
                    },
                    _ => None,
                };
                match child.or_else(|| workflow::new_record(catalog, kind)) {
                    Some(record) => (record, "add"),
                    None => return,
                }
            }
        };
        self.open_editor_for(record, action);
    }

    /// Says that pane 1's edit (or `copy`) needs a record selected, not a heading.
    fn say_select_a_record(&mut self, copy: bool) {
        let text = match copy {
            true => self
                .lang
                .pick("请选择要复制的记录", "select a record to copy"),
            false => self.lang.pick(
                "请选择一条记录（分组标题不能编辑）",
                "select a record (group headings cannot be edited)",
            ),
        };
        self.say(Level::Info, text.into());
    }

    /// Opens the edit form on `record` (`edit` an existing one, `add` / `copy` a new one).
    pub(crate) fn open_editor_for(&mut self, record: crate::model::Record, action: &'static str) {
        let lang = self.lang;
        let mut editor = Editor::new(record, action);
        match (
            self.store(),
            self.loading.as_ref().and_then(|l| l.edit_near.as_ref()),
        ) {
            (Some(store), _) => editor.validate(store.catalog(), lang),
            // an element or an item before the catalog is loaded (see `record_near_for_edit`)
            (None, Some(near)) => editor.validate(near, lang),
            (None, None) => return,
        }
        // a fresh form does not shout about the name not typed yet
        if editor.new {
            editor.errors.clear();
        }
        self.editor = Some(editor);
    }

    /// Saves the edit form; returns whether it was saved.
    pub fn save(&mut self) -> bool {
        // an element edited before the catalog is loaded, over the records near it
        if let Some(saved) = self.save_editor_near() {
            return saved;
        }
        let lang = self.lang;
        let (Some(editor), Some(store)) = (&mut self.editor, &mut self.store) else {
            return false;
        };
        let record = match editor.build(store.catalog(), lang) {
            Ok(record) => record,
            Err(errors) => {
                let n = errors.len();
                editor.errors = errors;
                self.say(
                    Level::Error,
                    lang.pick(
                        format!("有 {n} 处错误，未保存"),
                        format!("{n} problem(s); not saved"),
                    ),
                );
                return false;
            }
        };
        let id = NodeId::Record(record.kind(), record.code().to_string());
        let saved = record.clone();
        let batch = Batch {
            action: editor.action.to_string(),
            commands: vec![Command::Upsert(record)],
        };
        match store.apply(batch) {
            Ok(applied) => {
                self.editor = None;
                let text = if applied.is_noop() {
                    lang.pick("没有修改", "no changes").to_string()
                } else {
                    let code = match &id {
                        NodeId::Record(_, code) => crate::display::inert(code).into_owned(),
                        NodeId::Group(_) => String::new(),
                    };
                    lang.pick(format!("已保存 {code}"), format!("saved {code}"))
                };
                if let NodeId::Record(Kind::Element, code) = &id {
                    self.elements_changed(Some(code.clone()));
                }
                self.rebuild_tree(Some(id));
                self.say(Level::Ok, text);
                true
            }
            Err(StoreError::Invalid(problems)) => {
                // problems of other records (its children) name them instead of landing on
                // this form's fields
                editor.errors =
                    workflow::form_errors(store.catalog(), saved.as_ref(), &problems, lang);
                let text = lang.pick("校验未通过，未保存", "invalid; not saved");
                self.say(Level::Error, text.into());
                false
            }
            Err(e) => {
                self.say(Level::Error, e.describe(self.lang));
                false
            }
        }
    }

    fn ask_delete(&mut self) {
        // (a heading, or no row: nothing to delete, before the catalog is loaded too)
        if !matches!(self.selected_id(), Some(NodeId::Record(..))) {
            return;
        }
        // an item or a material before the catalog is loaded, over its own record
        if self.ask_delete_near() || !self.need_store() {
            return;
        }
        let lang = self.lang;
        let Some(record) = self.selected_record() else {
            return;
        };
        let (kind, code, name) = (
            record.kind(),
            record.code().to_string(),
            record.name().to_string(),
        );
        let Some(store) = self.store() else { return };
        let room = view::status_message_room(self);
        match crate::engine::usage::delete_refusal(store.catalog(), kind, &code, room, lang) {
            None => self.overlay = Some(Overlay::Confirm(Confirm::Delete { kind, code, name })),
            Some(text) => self.say(Level::Error, text),
        }
    }

    fn delete(&mut self, kind: Kind, code: &str) {
        if self.delete_near(kind, code) {
            return;
        }
        let lang = self.lang;
        let Some(store) = &mut self.store else { return };
        let batch = Batch {
            action: "delete".into(),
            commands: vec![Command::Delete {
                kind,
                code: code.to_string(),
            }],
        };
        let inert = crate::display::inert(code).into_owned();
        match store.apply(batch) {
            Ok(_) => {
                let row = self.catalog.selected;
                self.rebuild_tree(None);
                self.select(row);
                self.say(
                    Level::Ok,
                    lang.pick(format!("已删除 {inert}"), format!("deleted {inert}")),
                );
            }
            Err(StoreError::Invalid(problems)) => {
                let text = problems
                    .iter()
                    .map(|p| p.issue.message(lang))
                    .collect::<Vec<_>>()
                    .join("; ");
                self.say(Level::Error, crate::display::inert(&text).into_owned());
            }
            Err(e) => self.say(Level::Error, e.describe(self.lang)),
        }
    }

    fn workflow(&mut self, step: Transition) {
        // an item, a material or a bundle before the catalog is loaded, over its records (a
        // heading, or no row: nothing to step)
        if self.store.is_none()
            && self
                .loading
                .as_ref()
                .is_some_and(|l| l.unloaded().is_some())
        {
            if let Some(NodeId::Record(kind, code)) = self.selected_id() {
                self.record_workflow_near(kind, &code, step);
            }
            return;
        }
        if !self.need_store() {
            return;
        }
        let lang = self.lang;
        let Some(record) = self.selected_record() else {
            return;
        };
        let next = match workflow::transition(record, step) {
            Ok(next) => next,
            Err(e) => {
                self.say(Level::Warn, e.message(lang));
                return;
            }
        };
        let code = crate::display::inert(next.code()).into_owned();
        let Some(store) = &mut self.store else { return };
        let batch = Batch {
            action: step.en().into(),
            commands: vec![Command::Upsert(next)],
        };
        match store.apply(batch) {
            Ok(_) => {
                self.rebuild_tree(None);
                let status = self
                    .selected_record()
                    .map(|r| view::status_text(r, lang))
                    .unwrap_or_default();
                self.say(
                    Level::Ok,
                    lang.pick(
                        format!("已{} {code}：{status}", step.zh()),
                        format!("{} {code}: {status}", step.en()),
                    ),
                );
            }
            Err(StoreError::Invalid(problems)) => {
                let text = problems
                    .iter()
                    .map(|p| p.describe(lang))
                    .collect::<Vec<_>>()
                    .join("; ");
                self.say(Level::Error, crate::display::inert(&text).into_owned());
            }
            Err(e) => self.say(Level::Error, e.describe(self.lang)),
        }
    }

    fn show_history(&mut self) {
        // before the catalog is loaded (on demand) the tree's row names the record
        let Some(NodeId::Record(_, code)) = self.selected_id() else {
            return;
        };
        if self.store().is_some() && self.selected_record().is_none() {
            return;
        }
        self.show_history_of(code);
    }

    /// Shows the audit history of the record with `code` (read from the open store while
    /// its catalog waits to be needed).
    pub(crate) fn show_history_of(&mut self, code: String) {
        let lang = self.lang;
        let history = match (
            self.store(),
            self.loading.as_ref().and_then(|l| l.unloaded()),
        ) {
            (Some(store), _) => store.history(Some(&code)),
            (None, Some(unloaded)) => unloaded.history(Some(&code)),
            (None, None) => return,
        };
        match history {
            Ok(entries) => {
                let lines = entries
                    .iter()
                    .rev()
                    .map(|e| {
                        let op = match e.entry.op {
                            crate::store::AuditOp::Create => lang.pick("新建", "create"),
                            crate::store::AuditOp::Update => lang.pick("修改", "update"),
                            crate::store::AuditOp::Delete => lang.pick("删除", "delete"),
                        };
                        let action = crate::store::audit::action_label(&e.entry.action, lang);
                        // padded to 8 columns, never cut (a Chinese label counts double)
                        let fill = 8usize.saturating_sub(crate::display::width(action));
                        format!(
                            "{}  {:<8} {action}{} {}",
                            e.entry.time,
                            e.entry.user,
                            " ".repeat(fill),
                            op
                        )
                    })
                    .collect();
                self.overlay = Some(Overlay::History {
                    code,
                    lines,
                    scroll: 0,
                });
            }
            Err(e) => self.say(Level::Error, e.describe(self.lang)),
        }
    }

    /// Rows in a page of pane 4's lists.
    fn bundles_page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(10)).max(1)
    }

    /// Starts the jobs pane 4 asked for (building the item or agency picker's index).
    pub(crate) fn bundles_jobs(&mut self) {
        while let Some(job) = self.bundles.take_job() {
            if matches!(job, PaneJob::Items(_)) {
                self.make_room_for_items();
            }
            self.spawn_job(move || AppEvent::Bundles(job.run()));
        }
    }

    /// Runs `job` on a worker thread; its event comes back through the channel (tests wait
    /// for it with [`App::settle`]).
    pub(crate) fn spawn_job(&mut self, job: impl FnOnce() -> AppEvent + Send + 'static) {
        let tx = self.tx.clone();
        self.jobs += 1;
        std::thread::spawn(move || {
            // a closed channel means the app is gone; nothing to report to
            let _ = tx.send(job());
        });
    }

    /// Applies a batch from a pane; problems go to the status bar. Returns whether it was
    /// written (and flushed).
    pub(crate) fn apply_batch(&mut self, batch: Batch) -> bool {
        if !self.need_store() {
            return false;
        }
        let Some(store) = &mut self.store else {
            return false;
        };
        match store.apply(batch) {
            Ok(_) => true,
            Err(e) => {
                self.say_write_error(e);
                false
            }
        }
    }

    /// Says why a write was refused or failed: every problem of a change refused as invalid,
    /// else the error.
    pub(crate) fn say_write_error(&mut self, e: StoreError) {
        let text = match e {
            StoreError::Invalid(problems) => {
                let text = problems
                    .iter()
                    .map(|p| p.describe(self.lang))
                    .collect::<Vec<_>>()
                    .join("; ");
                crate::display::inert(&text).into_owned()
            }
            e => e.describe(self.lang),
        };
        self.say(Level::Error, text);
    }

    /// Shows a record of pane 1 (an item, material or bundle): switches to its list, clears
    /// the filter, reveals and selects it. Returns whether it was found.
    pub(crate) fn show_in_catalog(&mut self, kind: Kind, code: &str) -> bool {
        let list = match kind {
            Kind::Item => ListKind::Items,
            Kind::Material => ListKind::Materials,
            Kind::Bundle => ListKind::Bundles,
            _ => return false,
        };
        if self.catalog.list != list {
            self.catalog.list = list;
            self.catalog.tree = self.build_tree(&HashSet::new());
            self.catalog.selected = 0;
        }
        self.catalog.filter_input = None;
        self.catalog.query.clear();
        self.catalog.tree.clear_filter();
        let id = NodeId::Record(kind, code.to_string());
        if self.catalog.tree.reveal(&id).is_none() {
            return false;
        }
        self.after_rebuild(Some(id));
        self.pane = Pane::Catalog;
        true
    }

    fn load_sample(&mut self) {
        if !self.is_empty_store() {
            let text = self.lang.pick(
                "示例只能载入空库；在命令行运行 yibiao sample 可合并载入",
                "the sample loads into an empty store only; run `yibiao sample` to merge it",
            );
            self.say(Level::Warn, text.into());
            return;
        }
        let Some(mut store) = self.store.take() else {
            return;
        };
        let tx = self.tx.clone();
        self.busy = Some(
            self.lang
                .pick("正在载入示例…", "loading the sample…")
                .into(),
        );
        self.jobs += 1;
        std::thread::spawn(move || {
            let records = crate::sample::generate(1).into_records();
            let result = store
                .apply(Batch::upserts("sample", records))
                .map_err(|e| e.to_string());
            // a closed channel means the app is gone; the store is dropped (and flushed) here
            let _ = tx.send(AppEvent::StoreBack { store, result });
        });
    }
}

/// How an edit form is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EditStart {
    Edit,
    Add,
    Copy,
}
