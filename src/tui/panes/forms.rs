//! Pane 3 (表单): the list of forms (filtered by item, agency, status and lint warnings) and
//! the form designer with its live applicant preview. State and update only: drawing is in
//! [`super::form_view`]; the design rules in `engine::design`, the preview and its
//! validation in `engine::preview`, the warnings in `engine::lint`.

use std::collections::HashMap;
use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::action::{Action, Scope};
use super::super::app::{App, AppEvent, BindAsk, Confirm, Level, Overlay, Pane};
use super::super::detail::DetailScroll;
use super::super::keymap::{Key, Lookup};
use super::super::picker::{PickPurpose, Target};
use super::bundle_picker::{IndexState, ItemPicker};
use super::form_on_demand::designer_catalog;
use super::form_view;
use crate::display::inert;
use crate::engine::design::{Design, Pos};
use crate::engine::dups::Covers;
use crate::engine::form_filter::{self, FormFilter, FormIndex, FormRow, Readings};
use crate::engine::lint::{self, LintCounts, Warning};
use crate::engine::one_per_form;
use crate::engine::preview::{Preview, Values};
use crate::engine::workflow::{self, Transition};
use crate::i18n::Lang;
use crate::model::{
    Catalog, Form, Kind, Outline, OutlineSource, Record, RecordRef, Section, Status, When,
};

/// A line of the designer: the form itself, a section or a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The form's name line.
    Header,
    /// A section title.
    Section(usize),
    /// A field.
    Field(usize, usize),
}

/// What the prompt line is asking for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// The list filter.
    Filter,
    /// A field's label (empty = the element's name), or a section title, or the form name.
    Label,
    /// A field's help text.
    Help,
    /// The label of a new unbound field.
    Unbound,
    /// The title of a new section.
    Section,
}

impl PromptKind {
    /// The prompt's title.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Self::Filter => lang.pick(
                "筛选（文字或拼音 item: agency: status: warn）",
                "filter (text or pinyin, item: agency: status: warn)",
            ),
            Self::Label => lang.pick(
                "字段标签（留空 = 数据元名称）",
                "field label (empty = the element's name)",
            ),
            Self::Help => lang.pick("填写说明", "help text"),
            Self::Unbound => lang.pick("未绑定字段的标签", "label of the unbound field"),
            Self::Section => lang.pick("新分节标题", "new section title"),
        }
    }
}

impl PromptKind {
    /// The prompt's title for the designer line it edits: `e` on the form's line asks for the
    /// form's name, on a section for its title, on a field for its label.
    pub fn title_at(self, entry: Option<Entry>, lang: Lang) -> &'static str {
        match (self, entry) {
            (Self::Label, Some(Entry::Header)) => lang.pick("表单名称", "form name"),
            (Self::Label, Some(Entry::Section(_))) => lang.pick("分节标题", "section title"),
            _ => self.title(lang),
        }
    }
}

/// The condition chooser: every question/option of the bundles holding the form's item.
pub struct Chooser {
    /// (question key, question text, option key, option text).
    pub choices: Vec<(String, String, String, String)>,
    /// Which are ticked.
    pub ticked: Vec<bool>,
    /// The selected row.
    pub selected: usize,
}

/// An open design session.
pub struct Designer {
    /// The session (working form, undo/redo).
    pub design: Design,
    /// The selected line.
    pub cursor: usize,
    /// The lines, rebuilt after every change.
    pub entries: Vec<Entry>,
    /// The preview of the working form.
    pub preview: Preview,
    /// Sample values typed into the preview.
    pub values: Values,
    /// The preview row in focus.
    pub row: usize,
    /// Whether keys go to the preview.
    pub in_preview: bool,
    /// The value being typed into the focused preview row.
    pub input: Input,
    /// The lint warnings of the working form.
    pub warnings: Vec<Warning>,
    /// The condition chooser, when open.
    pub chooser: Option<Chooser>,
    /// How far the warnings box is scrolled, and for which line's warnings.
    pub warn_scroll: DetailScroll,
    /// The duplicate finder's index for the working form's labels (see [`FormCovers`]).
    covers: Option<FormCovers>,
    /// Before the catalog is loaded: the covers are read from the store's element pool on a
    /// worker (`None` until they come), never built from the catalog in memory, which holds
    /// only the records near the form.
    from_pool: bool,
}

/// The duplicate finder's index for the labels of a form, kept while neither the elements
/// nor the labels change: indexing every element took 90 ms at 99k elements and 1.9 s at a
/// million, on every change of the design; only the labels' covers take 34 ms / 0.7 s, and
/// most changes (a move, `required`, a help text, saving the form) keep them.
struct FormCovers {
    /// The catalog's elements revision it was built for.
    revision: u64,
    /// The labels it indexes, sorted, without repeats.
    labels: Vec<String>,
    covers: Covers,
}

impl FormCovers {
    /// The covers for `form`'s labels in `catalog`, built again only when stale.
    fn of<'a>(slot: &'a mut Option<FormCovers>, catalog: &Catalog, form: &Form) -> &'a Covers {
        let labels = Self::labels(form);
        let fresh = slot
            .as_ref()
            .is_some_and(|c| c.revision == catalog.elements_revision() && c.labels == labels);
        if !fresh {
            *slot = None;
        }
        let revision = catalog.elements_revision();
        &slot
            .get_or_insert_with(|| FormCovers {
                covers: Covers::for_labels(catalog, labels.iter().map(String::as_str)),
                revision,
                labels,
            })
            .covers
    }

    /// The covers the warnings and the binding picker's suggestion come from:
    /// [`FormCovers::of`], or when they come `from_pool` (before the catalog is loaded) the
    /// pool's as read (none until they come).
    fn suggesting<'a>(
        slot: &'a mut Option<FormCovers>,
        from_pool: bool,
        catalog: &Catalog,
        form: &Form,
    ) -> &'a Covers {
        static NONE: std::sync::OnceLock<Covers> = std::sync::OnceLock::new();
        if from_pool {
            return slot
                .as_ref()
                .map_or_else(|| NONE.get_or_init(Covers::default), |c| &c.covers);
        }
        Self::of(slot, catalog, form)
    }

    /// `covers`, read elsewhere for `form`'s labels in `catalog` (see
    /// [`RecordReader::form_covers`](crate::store::RecordReader::form_covers)).
    fn read(covers: Covers, catalog: &Catalog, form: &Form) -> FormCovers {
        FormCovers {
            revision: catalog.elements_revision(),
            labels: Self::labels(form),
            covers,
        }
    }

    /// `form`'s labels, sorted, without repeats.
    fn labels(form: &Form) -> Vec<String> {
        let mut labels: Vec<String> = form
            .sections
            .iter()
            .flat_map(|s| s.fields.iter().map(|f| f.label.to_string()))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        labels
    }
}

impl Designer {
    fn new(form: Form, catalog: &Catalog) -> Designer {
        Self::new_with(form, catalog, None, false)
    }

    /// A designer on `catalog`, the records near `form` before the whole catalog is loaded:
    /// its covers are read from the store's pool ([`Designer::read_covers`]); until they
    /// come, nothing is suggested.
    pub(super) fn on_demand(form: Form, catalog: &Catalog) -> Designer {
        Self::new_with(form, catalog, None, true)
    }

    /// A designer on the new form `form` (`on_demand`: over the records near it, see
    /// [`Designer::on_demand`]), unsaved until the first save: its working form holds its
    /// sections, the form it started from none.
    pub(super) fn new_form(form: &Form, catalog: &Catalog, on_demand: bool) -> Designer {
        let mut designer = Self::new_with(form.clone(), catalog, None, on_demand);
        designer.design = Design::new(Form {
            sections: Vec::new(),
            ..form.clone()
        });
        for section in &form.sections {
            let _ = designer.design.add_section(None, &section.title);
        }
        designer.refresh(catalog);
        designer
    }

    /// A designer that starts with `covers` (kept if still fresh: a saved form's), read
    /// `from_pool` or built from `catalog` (see [`Designer::from_pool`]).
    fn new_with(
        form: Form,
        catalog: &Catalog,
        covers: Option<FormCovers>,
        from_pool: bool,
    ) -> Designer {
        let mut d = Designer {
            design: Design::new(form),
            cursor: 0,
            entries: Vec::new(),
            preview: Preview::default(),
            values: Values::new(),
            row: 0,
            in_preview: false,
            input: Input::default(),
            warnings: Vec::new(),
            chooser: None,
            warn_scroll: DetailScroll::default(),
            covers,
            from_pool,
        };
        d.refresh(catalog);
        d
    }

    /// Starts again on `form` (the working form as the workflow stored it), keeping the
    /// covers while they fit its labels.
    fn restart(&mut self, form: Form, catalog: &Catalog) {
        *self = Designer::new_with(form, catalog, self.covers.take(), self.from_pool);
    }

    /// Takes `covers`, read from the pool for the labels of `read_for` (the working form
    /// when the read began) with `catalog` (the records near the form, before the whole
    /// catalog is loaded), and rebuilds from them.
    pub(super) fn read_covers(&mut self, covers: Covers, read_for: &Form, catalog: &Catalog) {
        self.covers = Some(FormCovers::read(covers, catalog, read_for));
        self.refresh(catalog);
    }

    /// Whether the pool's covers are wanted (before the catalog is loaded): none read yet
    /// for this form, or read for other labels than the working form's (a label edited since).
    pub(super) fn pool_covers_wanted(&self) -> bool {
        self.from_pool
            && self
                .covers
                .as_ref()
                .is_none_or(|c| c.labels != FormCovers::labels(self.design.form()))
    }

    /// Whether the warnings are the whole catalog's: built from it, or from the pool's covers
    /// for the working form's labels (a form with no field needs none).
    pub(super) fn warnings_complete(&self) -> bool {
        let labels = FormCovers::labels(self.design.form());
        !self.from_pool
            || labels.is_empty()
            || self.covers.as_ref().is_some_and(|c| c.labels == labels)
    }

    /// The catalog is in: the covers are built from it from now on.
    pub(super) fn loaded(&mut self, catalog: &Catalog) {
        self.from_pool = false;
        self.refresh(catalog);
    }

    /// Rebuilds lines, preview and warnings from the working form.
    pub fn refresh(&mut self, catalog: &Catalog) {
        let form = self.design.form();
        self.entries = std::iter::once(Entry::Header)
            .chain(form.sections.iter().enumerate().flat_map(|(s, sec)| {
                std::iter::once(Entry::Section(s))
                    .chain((0..sec.fields.len()).map(move |f| Entry::Field(s, f)))
            }))
            .collect();
        self.cursor = self.cursor.min(self.entries.len().saturating_sub(1));
        self.preview = Preview::build(catalog, form);
        self.row = self.row.min(self.preview.rows.len().saturating_sub(1));
        let covers = FormCovers::suggesting(&mut self.covers, self.from_pool, catalog, form);
        self.warnings = lint::lint_form(catalog, covers, form);
    }

    /// The selected line.
    pub fn entry(&self) -> Entry {
        self.entries
            .get(self.cursor)
            .copied()
            .unwrap_or(Entry::Header)
    }

    /// The selected field's position.
    pub fn pos(&self) -> Option<Pos> {
        match self.entry() {
            Entry::Field(s, f) => Some((s, f)),
            _ => None,
        }
    }

    /// The section the selection is in (for adding fields).
    pub fn section(&self) -> usize {
        match self.entry() {
            Entry::Section(s) | Entry::Field(s, _) => s,
            Entry::Header => 0,
        }
    }

    fn select_pos(&mut self, pos: Pos) {
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| *e == Entry::Field(pos.0, pos.1))
        {
            self.cursor = i;
        }
    }

    /// The warnings of a line.
    pub fn warnings_of(&self, entry: Entry) -> Vec<&Warning> {
        let form = self.design.form();
        self.warnings
            .iter()
            .filter(|w| match entry {
                Entry::Header => false,
                Entry::Section(s) => w.section == s && w.field.is_none(),
                Entry::Field(s, f) => {
                    w.section == s
                        && w.field.as_deref()
                            == form
                                .sections
                                .get(s)
                                .and_then(|x| x.fields.get(f))
                                .map(|x| x.key.as_str())
                }
            })
            .collect()
    }

    /// Puts the focused preview row's value into the input line.
    fn load_input(&mut self) {
        let key = self.preview.rows.get(self.row).map(|r| r.key.clone());
        let value = key
            .and_then(|k| self.values.get(&k).cloned())
            .unwrap_or_default();
        self.input = Input::new(value);
    }
}

/// What pane 3's item picker chooses the item for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemFor {
    /// A new form (`n`): `enter` starts it with the chosen item, `esc` with none.
    NewForm,
    /// The form in the designer (`I`): `enter` sets its item, `esc` leaves it.
    Designer,
}

/// Pane 3's state.
#[derive(Default)]
pub struct FormsPane {
    /// The filter in force.
    pub query: String,
    /// Codes of the forms shown, in code order.
    pub codes: Vec<String>,
    /// Forms with lint warnings (code → count), as of the catalog revision `warned_at`:
    /// computed on a worker thread (linting every form took 160 ms at 99k elements and
    /// 2.4 s at a million, and ran on every key typed into the filter).
    pub warned: HashMap<String, usize>,
    /// The catalog revision `warned` is for (`None`: not computed yet).
    pub warned_at: Option<u64>,
    /// Whether a lint job is running (one at a time: a change meanwhile starts the next one
    /// when it ends).
    pub linting: bool,
    /// Selected row of the list.
    pub selected: usize,
    /// First row drawn.
    pub offset: usize,
    /// The prompt line, when open.
    pub prompt: Option<(PromptKind, Input)>,
    /// The open designer.
    pub designer: Option<Designer>,
    /// The item picker, when open, and what it chooses for.
    pub item_picker: Option<(ItemFor, ItemPicker)>,
    /// The list was built for the catalog as of this many records (rebuilt when stale).
    pub stale: bool,
    /// The pinyin index of the forms' names, for a filter word in Latin letters (built on a
    /// worker thread the first time one is typed, and again when a form's name changes).
    pub readings: IndexState<FormRow>,
    /// What the list shows was filtered for.
    shown_for: Option<Shown>,
    built: bool,
    /// The fingerprint of the outline's forms (one outline per session: the one shown while
    /// the catalog waits to be needed).
    outline_fingerprint: Option<u64>,
}

/// The revision the outline's forms count as (no catalog has it: revisions count up from 1),
/// so that a list or lint counts of the outline are never taken for the catalog's.
pub const OUTLINE_REVISION: u64 = u64::MAX;

/// What pane 3's list was filtered for: a query that narrows it, for the same catalog,
/// warnings and index, keeps a subset of what it shows.
struct Shown {
    /// The catalog revision, `warned_at`, and which pinyin index served (its address).
    at: (u64, Option<u64>, Option<usize>),
    /// The query.
    query: String,
    /// Which of its words only rare readings held (see [`Readings::rare`]).
    rare: Vec<bool>,
}

impl FormsPane {
    /// Whether keys go to a text line (prompt or preview) rather than the keymap.
    pub fn wants_text(&self) -> bool {
        self.prompt.is_some()
            || self.item_picker.is_some()
            || self
                .designer
                .as_ref()
                .is_some_and(|d| d.in_preview && d.chooser.is_none())
    }

    /// The outline's forms changed (a form saved before the catalog is loaded): their
    /// fingerprint is taken again, so that a pinyin index of other names is not used, and
    /// the list is built anew, not narrowed from the one shown (a new form is not in it).
    pub(crate) fn outline_changed(&mut self) {
        self.outline_fingerprint = None;
        self.shown_for = None;
        self.stale = true;
    }

    /// Whether the warnings shown are the catalog's as it stands.
    pub fn lint_current(&self, catalog: &Catalog) -> bool {
        self.warned_at == Some(catalog.revision())
    }

    /// Rebuilds the list for the filter (with the warnings known so far: see `warned`; and
    /// the pinyin index when a word is in Latin letters: asked for if it is not there, and the
    /// list is rebuilt when it comes): from the forms shown when the filter only narrows what
    /// they were shown for.
    pub fn rebuild(&mut self, catalog: &Catalog) {
        let filter = FormFilter::parse(&self.query);
        let ready = filter.wants_readings().then(|| {
            self.readings
                .ready_with(catalog, form_filter::fingerprint, form_filter::rows)
        });
        self.rebuild_from(catalog, catalog.revision(), filter, ready);
    }

    /// As [`FormsPane::rebuild`], before the catalog is loaded: from the store's outline,
    /// with the lint counts cached beside the store (see `tui::loading`).
    pub fn rebuild_from_outline(&mut self, outline: &Outline, counts: &LintCounts) {
        if self.warned_at != Some(OUTLINE_REVISION) {
            self.warned = counts.clone();
            self.warned_at = Some(OUTLINE_REVISION);
        }
        let filter = FormFilter::parse(&self.query);
        let ready = filter.wants_readings().then(|| {
            let fingerprint = *self
                .outline_fingerprint
                .get_or_insert_with(|| form_filter::fingerprint(outline));
            self.readings
                .ready_for(fingerprint, || form_filter::rows(outline))
        });
        self.rebuild_from(outline, OUTLINE_REVISION, filter, ready);
    }

    /// Rebuilds the list from `source` at `revision` (`ready`: the pinyin index if it is
    /// built from the forms as they are, when the filter wants it).
    fn rebuild_from(
        &mut self,
        source: &impl OutlineSource,
        revision: u64,
        filter: FormFilter,
        ready: Option<Option<Arc<FormIndex>>>,
    ) {
        // while a new index is built, the last one (of the forms as they were) serves
        let (index, current) = match ready {
            Some(Some(index)) => (Some(index), true),
            Some(None) => (self.readings.index.clone(), false),
            None => (None, true),
        };
        let readings = index.as_deref().map(|i| {
            let found = Readings::find(i, &filter);
            if current {
                found
            } else {
                found.of_earlier_forms()
            }
        });
        let rare = readings.as_ref().map(Readings::rare).unwrap_or_default();
        let shown_for = (
            revision,
            self.warned_at,
            index.as_ref().map(|i| Arc::as_ptr(i) as usize),
        );
        let narrowing = self.shown_for.as_ref().is_some_and(|old| {
            old.at == shown_for && filter.narrows(&FormFilter::parse(&old.query), &rare, &old.rare)
        });
        let within = narrowing.then(|| std::mem::take(&mut self.codes));
        self.codes = filter
            .kept(
                source,
                |c| self.warned.contains_key(c),
                readings.as_ref(),
                within.as_deref(),
            )
            .into_iter()
            .map(|f| f.code.to_string())
            .collect();
        self.shown_for = Some(Shown {
            at: shown_for,
            query: self.query.clone(),
            rare,
        });
        self.selected = self.selected.min(self.codes.len().saturating_sub(1));
        // a shorter list scrolled past its end would show no row
        self.offset = self.offset.min(self.selected);
        self.built = true;
        self.stale = false;
    }

    /// Whether the list must be built again: it is stale, was never built, or was built from
    /// the outline (`true`) where it is now to be built from the catalog (`false`), or the
    /// other way round.
    fn wants_rebuild(&self, from_outline: bool) -> bool {
        let shows_outline = self
            .shown_for
            .as_ref()
            .is_some_and(|s| s.at.0 == OUTLINE_REVISION);
        self.stale || !self.built || shows_outline != from_outline
    }

    /// Whether the filter waits for the pinyin index (the title says so).
    pub fn reading_pending(&self) -> bool {
        self.readings.building && FormFilter::parse(&self.query).wants_readings()
    }
}

/// Whether pane 3 handles `action` (its own scope, list moves and back).
pub fn handles(action: Action) -> bool {
    matches!(action.def().scope, Scope::Forms | Scope::List) || action == Action::Back
}

/// The lint warnings of every form, counted by form, for a catalog revision.
pub struct FormsLintEvent {
    revision: u64,
    warned: HashMap<String, usize>,
    /// The store's write count the counts describe when they were made from the catalog
    /// (worth caching for the next `form list`), see
    /// [`CacheRead::cacheable_at`](crate::store::CacheRead::cacheable_at).
    cacheable_at: Option<u64>,
}

impl App {
    fn forms_catalog_ready(&mut self) {
        if self.store.is_none() {
            self.forms_outline_ready();
            return;
        }
        if self.forms.wants_rebuild(false)
            && let Some(store) = self.store.as_deref()
        {
            self.forms.rebuild(store.catalog());
        }
        if let Some(job) = self.forms.readings.take_job() {
            self.spawn_job(move || {
                let (index, fingerprint) = job.build();
                AppEvent::FormsReadings(index, fingerprint)
            });
        }
        self.forms_lint_start();
    }

    /// Before the catalog is loaded: the list from the outline and the lint counts, cached
    /// beside the store or, when it has none, counted from its records on a worker first (see
    /// [`Loading::forms_on_demand`](crate::tui::loading::Loading::forms_on_demand)).
    fn forms_outline_ready(&mut self) {
        self.forms_count_start();
        let Some(loading) = &self.loading else {
            return;
        };
        if let (Some(outline), Some(counts)) = (&loading.outline, loading.forms_on_demand())
            && self.forms.wants_rebuild(true)
        {
            self.forms.rebuild_from_outline(outline, counts);
        }
        if let Some(job) = self.forms.readings.take_job() {
            self.make_room_for_form_names();
            self.spawn_job(move || {
                let (index, fingerprint) = job.build();
                AppEvent::FormsReadings(index, fingerprint)
            });
        }
    }

    /// Counts every form's lint warnings from the open store's records on a worker, when it
    /// has none cached and no count is under way.
    fn forms_count_start(&mut self) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        if loading.counting || !loading.forms_countable() || loading.forms_on_demand().is_some() {
            return;
        }
        let Some(reader) = loading.unloaded().map(|store| store.reader()) else {
            return;
        };
        loading.counting = true;
        let text = self.lang.pick(
            "正在统计各表单的警告（逐张读取）…",
            "counting the forms' warnings (a form at a time)…",
        );
        self.say(Level::Info, text.into());
        self.spawn_job(move || {
            let mut counts = LintCounts::new();
            let read = reader
                .lint_forms(&mut |form, found| {
                    if !found.is_empty() {
                        counts.insert(form.code.to_string(), found.len());
                    }
                })
                .map(|()| counts)
                .map_err(|e| e.to_string());
            AppEvent::FormsCounted(read)
        });
    }

    /// The worker counted the lint warnings: the list shows them (and they are cached beside
    /// the store for the next session and `form list`).
    pub(crate) fn forms_counted(&mut self, read: Result<LintCounts, String>) {
        let Some(loading) = self.loading.as_mut() else {
            // the catalog came first: pane 3 counts from it
            return;
        };
        loading.counting = false;
        if std::mem::take(&mut loading.recount) {
            // a form was saved while they were counted: counted again
            self.forms_count_start();
            return;
        }
        match read {
            Ok(counts) => {
                if let Some(store) = loading.unloaded() {
                    store.save_lint(&counts);
                }
                loading.counted = Some(counts);
                self.message = None;
                self.forms.stale = true;
                self.forms_outline_ready();
            }
            Err(text) => self.say(Level::Error, text),
        }
    }

    /// The pinyin index of the forms' names was built: a filter that wants it runs again.
    pub(crate) fn forms_readings_event(&mut self, index: Arc<FormIndex>, fingerprint: u64) {
        self.forms.readings.arrived(index, fingerprint);
        if FormFilter::parse(&self.forms.query).wants_readings() {
            self.forms.stale = true;
            self.forms_catalog_ready();
        }
        self.dirty = true;
    }

    /// Starts linting every form on a worker (or reading the counts cached beside the
    /// store), unless the warnings are current or a run is under way.
    fn forms_lint_start(&mut self) {
        let Some(store) = self.store.as_deref() else {
            return;
        };
        if self.forms.linting || self.forms.lint_current(store.catalog()) {
            return;
        }
        let revision = store.catalog().revision();
        let snapshot = store.snapshot();
        self.forms.linting = true;
        self.spawn_job(move || {
            let read = snapshot.lint();
            AppEvent::FormsLint(FormsLintEvent {
                revision,
                warned: read.data,
                cacheable_at: read.cacheable_at,
            })
        });
    }

    /// A finished lint job: its warnings replace older ones; the list is filtered again when
    /// it keeps only forms with warnings; a change made meanwhile starts the next run.
    pub(crate) fn forms_lint_event(&mut self, event: FormsLintEvent) {
        if let (Some(at), Some(store)) = (event.cacheable_at, self.store.as_deref_mut()) {
            store.save_lint(&event.warned, at);
        }
        self.forms.linting = false;
        self.forms.warned = event.warned;
        self.forms.warned_at = Some(event.revision);
        if let Some(store) = self.store.as_deref()
            && FormFilter::parse(&self.forms.query).warn()
        {
            self.forms.rebuild(store.catalog());
        }
        self.dirty = true;
        if self.pane == Pane::Forms {
            self.forms_lint_start();
        }
    }

    /// Pane 3 was shown: builds the list the first time (and after writes elsewhere).
    pub(crate) fn forms_shown(&mut self) {
        self.forms_catalog_ready();
    }

    /// Marks pane 3's list as stale (records changed elsewhere).
    pub(crate) fn forms_stale(&mut self) {
        self.forms.stale = true;
    }

    /// An action while pane 3 shows; returns whether it was handled.
    pub(crate) fn forms_update(&mut self, action: Action) -> bool {
        if !handles(action) {
            if action == Action::Quit
                && !self.warned_for(action)
                && self
                    .forms
                    .designer
                    .as_ref()
                    .is_some_and(|d| d.design.is_dirty())
            {
                let text = self.lang.pick(
                    "表单有未保存的修改：ctrl-s 保存；紧接着再按一次退出则放弃",
                    "the form has unsaved changes: ctrl-s saves; quit again right away to discard them",
                );
                self.warn_unsaved(action, text.into());
                return true;
            }
            return false;
        }
        self.forms_catalog_ready();
        let lang = self.lang;
        if self.forms.designer.is_some() {
            match action {
                Action::FormWarningsDown => self.scroll_form_warnings(1),
                Action::FormWarningsUp => self.scroll_form_warnings(-1),
                _ => self.designer_update(action),
            }
            self.designer_follow_pool();
            return true;
        }
        let page = usize::from(self.size.1.saturating_sub(6)).max(1);
        let n = self.forms.codes.len();
        let p = &mut self.forms;
        match action {
            Action::SelectNext => p.selected = (p.selected + 1).min(n.saturating_sub(1)),
            Action::SelectPrev => p.selected = p.selected.saturating_sub(1),
            Action::PageDown => p.selected = (p.selected + page).min(n.saturating_sub(1)),
            Action::PageUp => p.selected = p.selected.saturating_sub(page),
            Action::SelectFirst => p.selected = 0,
            Action::SelectLast => p.selected = n.saturating_sub(1),
            Action::FormFilter => {
                p.prompt = Some((PromptKind::Filter, Input::new(p.query.clone())));
            }
            Action::Back => {
                if !p.query.is_empty() {
                    p.query.clear();
                    p.stale = true;
                    self.forms_catalog_ready();
                }
            }
            Action::FormOpen => {
                let code = p.codes.get(p.selected).cloned();
                if let Some(code) = code {
                    self.open_designer(&code);
                }
            }
            Action::FormNew => self.open_item_picker(ItemFor::NewForm),
            Action::FormHistory => {
                if let Some(code) = p.codes.get(p.selected).cloned() {
                    self.show_history_of(code);
                }
            }
            Action::FormSubmit | Action::FormReturn | Action::FormPublish => {
                if let Some(code) = p.codes.get(p.selected).cloned() {
                    // before the catalog is loaded, over the form's own records
                    let read = self.form_records_for_list(&code);
                    self.form_workflow(&code, action);
                    if read && let Some(loading) = self.loading.as_mut() {
                        loading.form_near = None;
                    }
                }
            }
            _ => {
                self.say(
                    Level::Info,
                    lang.pick("先按 enter 打开一张表单", "open a form first (enter)")
                        .into(),
                );
            }
        }
        let p = &mut self.forms;
        let height = usize::from(self.size.1.saturating_sub(6)).max(1);
        if p.selected < p.offset {
            p.offset = p.selected;
        } else if p.selected >= p.offset + height {
            p.offset = p.selected + 1 - height;
        }
        true
    }

    /// Scrolls the designer's warnings box `by` lines, as far as its last line on its last
    /// row (the box is measured as it is drawn, from the screen's size).
    fn scroll_form_warnings(&mut self, by: isize) {
        let Some(d) = &self.forms.designer else {
            return;
        };
        let screen = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let (left, _) = form_view::designer_columns(super::super::view::areas(screen).main);
        let (lines, rows) = form_view::warning_lines(self, d, left);
        let of = form_view::warnings_of_key(d);
        let n = lines.len();
        if let Some(d) = &mut self.forms.designer {
            d.warn_scroll.scroll(&of, by, n, rows);
        }
    }

    fn open_designer(&mut self, code: &str) {
        let Some(store) = self.store() else {
            self.open_form_on_demand(code);
            return;
        };
        let catalog = store.catalog();
        let Some(form) = catalog.forms.get(code) else {
            return;
        };
        self.forms.designer = Some(Designer::new(form.clone(), catalog));
    }

    /// Opens the item picker for a new form or the designer's form; the index is built on a
    /// worker thread if the items changed since it was last built.
    fn open_item_picker(&mut self, purpose: ItemFor) {
        match (self.store.as_deref(), self.loading.as_ref()) {
            (Some(store), _) => self.bundles.items.want(store.catalog()),
            // before the catalog is loaded (a new form, or the designer's form on demand):
            // the items are the outline's
            (None, Some(loading)) if purpose == ItemFor::NewForm || loading.form_near.is_some() => {
                let Some(outline) = loading.outline.clone() else {
                    return;
                };
                self.bundles.items.ready_from_outline(&outline);
            }
            _ => return,
        }
        let mut picker = ItemPicker::new(None);
        self.bundles.items.refill(&mut picker);
        self.forms.item_picker = Some((purpose, picker));
        self.bundles_jobs();
    }

    /// The item index was (re)built: the open item picker searches again.
    pub(crate) fn forms_items_ready(&mut self) {
        if let Some((_, p)) = &mut self.forms.item_picker {
            self.bundles.items.refill(p);
        }
    }

    /// A key while pane 3's item picker is open.
    fn forms_item_key(&mut self, event: KeyEvent) {
        let action = self.picker_action(&event);
        let page = usize::from(self.size.1.saturating_sub(8)).max(1);
        let Some((purpose, p)) = &mut self.forms.item_picker else {
            return;
        };
        let purpose = *purpose;
        let chosen = match p.step(event, action, &mut self.bundles.items, page) {
            Some(Action::PickerChoose) => match p.selected_code() {
                Some(code) => Some(code.to_string()),
                None => return,
            },
            Some(Action::Back) => None,
            Some(Action::Quit) => {
                self.forms.item_picker = None;
                return;
            }
            _ => return,
        };
        self.forms.item_picker = None;
        // before the catalog is loaded the index lets its memory go once an item is chosen
        // (built again, from the outline, when next wanted)
        if self.store.is_none() {
            self.bundles.items.release();
        }
        match purpose {
            ItemFor::NewForm => self.new_form(chosen),
            ItemFor::Designer => {
                if let Some(code) = chosen {
                    self.set_form_item(&code);
                }
            }
        }
    }

    /// Sets the designer's form's item (undoable, saved with `ctrl-s`). Before the catalog is
    /// loaded the item and the bundles holding it are read into the records near the form
    /// first (its warnings' conditions are checked against those bundles).
    fn set_form_item(&mut self, code: &str) {
        let lang = self.lang;
        if let Err(e) = self.read_item_near_form(code) {
            let text = e.describe(lang);
            self.say(Level::Error, text);
            return;
        }
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let Some(d) = &mut self.forms.designer else {
            return;
        };
        let result = d.design.set_item(Some(code));
        d.refresh(catalog);
        match result {
            Ok(()) => {
                let name = catalog.items.get(code).map_or("", |i| i.name.as_str());
                let text = format!("{} {}", inert(name), inert(code));
                self.say(
                    Level::Ok,
                    lang.pick(
                        format!("表单所属事项：{text}（ctrl-s 保存）"),
                        format!("the form's item: {text} (ctrl-s saves)"),
                    ),
                );
            }
            Err(e) => {
                let text = e.message(lang).to_string();
                self.say(Level::Warn, text);
            }
        }
    }

    /// A new self-built draft form coded `code`, of `item`, with one empty section.
    pub(super) fn new_form_record(&self, code: String, item: Option<String>) -> Form {
        Form {
            code: code.into(),
            name: self.lang.pick("新申请表", "New form").into(),
            item: item.map(Into::into),
            material: None,
            sections: vec![Section {
                title: self.lang.pick("基本信息", "基本信息 Basics").into(),
                fields: Vec::new(),
            }],
            status: Status::Draft,
            version: 0,
        }
    }

    /// Pane 1 `F`: a new form for the selected item, in pane 3's designer.
    pub(crate) fn new_form_for_selected_item(&mut self) {
        let lang = self.lang;
        let item = match self.selected_id() {
            Some(super::super::tree::NodeId::Record(Kind::Item, code)) => code,
            _ => {
                self.say(
                    Level::Info,
                    lang.pick(
                        "先在事项树中选中一个事项",
                        "select an item in the tree first",
                    )
                    .into(),
                );
                return;
            }
        };
        self.pane = super::super::app::Pane::Forms;
        self.forms_shown();
        if self
            .forms
            .designer
            .as_ref()
            .is_some_and(|d| d.design.is_dirty())
        {
            self.say(
                Level::Warn,
                lang.pick(
                    "设计中的表单有未保存的修改：先保存（ctrl-s）或关闭（esc）",
                    "the form in the designer has unsaved changes: save (ctrl-s) or close it (esc) first",
                )
                .into(),
            );
            return;
        }
        self.new_form(Some(item));
    }

    /// Starts a new self-built draft form for `item` (none: no item) in the designer; before
    /// the catalog is loaded over the records near it, when the designer works so (see
    /// `form_on_demand`).
    pub(crate) fn new_form(&mut self, item: Option<String>) {
        let (form, designer) = match self.store() {
            Some(store) => {
                let catalog = store.catalog();
                let code = workflow::next_code(
                    catalog,
                    Kind::Form,
                    workflow::FORM_PREFIX,
                    workflow::FORM_DIGITS,
                );
                let form = self.new_form_record(code, item);
                let designer = Designer::new_form(&form, catalog, false);
                (form, designer)
            }
            None => match self.new_form_on_demand(item) {
                Some(made) => made,
                None => return,
            },
        };
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let item = match form.item.as_deref() {
            Some(i) => {
                let name = catalog.items.get(i).map_or("", |x| x.name.as_str());
                format!("{} {}", inert(name), inert(i))
            }
            None => self.lang.pick("无", "none").to_string(),
        };
        let code = inert(&form.code).into_owned();
        let set = super::super::view::key_of(self, Action::FormItem);
        let text = self.lang.pick(
            format!("新表单 {code}，所属事项：{item}（{set} 更改）；ctrl-s 保存"),
            format!("new form {code}, item: {item} ({set} changes it); ctrl-s saves"),
        );
        self.forms.designer = Some(designer);
        self.say(Level::Info, text);
    }

    fn designer_update(&mut self, action: Action) {
        let lang = self.lang;
        let warned = self.warned_for(action);
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let Some(d) = &mut self.forms.designer else {
            return;
        };
        if let Some(ch) = &mut d.chooser {
            match action {
                Action::SelectNext => {
                    ch.selected = (ch.selected + 1).min(ch.choices.len().saturating_sub(1))
                }
                Action::SelectPrev => ch.selected = ch.selected.saturating_sub(1),
                Action::FormRequired => {
                    if let Some(t) = ch.ticked.get_mut(ch.selected) {
                        *t = !*t;
                    }
                }
                Action::FormOpen | Action::FormCondition => {
                    let mut when = When::new();
                    for (i, (q, _, o, _)) in ch.choices.iter().enumerate() {
                        if ch.ticked[i] {
                            when.entry(q.clone()).or_default().push(o.clone());
                        }
                    }
                    d.chooser = None;
                    if let Some(pos) = d.pos() {
                        let result = d.design.set_when(pos, Some(when));
                        d.refresh(catalog);
                        if let Err(e) = result {
                            let text = e.message(lang).to_string();
                            self.say(Level::Warn, text);
                        }
                    }
                }
                Action::Back => d.chooser = None,
                _ => {}
            }
            return;
        }
        let mut result: Result<(), String> = Ok(());
        let err = |e: crate::engine::design::DesignError| e.message(lang).to_string();
        match action {
            Action::SelectNext => d.cursor = (d.cursor + 1).min(d.entries.len().saturating_sub(1)),
            Action::SelectPrev => d.cursor = d.cursor.saturating_sub(1),
            Action::PageDown => d.cursor = (d.cursor + 10).min(d.entries.len().saturating_sub(1)),
            Action::PageUp => d.cursor = d.cursor.saturating_sub(10),
            Action::SelectFirst => d.cursor = 0,
            Action::SelectLast => d.cursor = d.entries.len().saturating_sub(1),
            Action::Back => {
                if d.design.is_dirty() && !warned {
                    let text = lang.pick(
                        "有未保存的修改：ctrl-s 保存；紧接着再按 esc 放弃并关闭",
                        "unsaved changes: ctrl-s saves; esc again right away discards them and closes",
                    );
                    self.warn_unsaved(action, text.into());
                    return;
                } else {
                    self.forms.designer = None;
                    if let Some(loading) = &mut self.loading {
                        loading.form_near = None;
                    }
                    self.forms.stale = true;
                    self.forms_catalog_ready();
                    return;
                }
            }
            Action::FormMoveUp | Action::FormMoveDown => {
                if let Some(pos) = d.pos() {
                    let moved = if action == Action::FormMoveUp {
                        d.design.move_up(pos)
                    } else {
                        d.design.move_down(pos)
                    };
                    match moved {
                        Ok(p) => {
                            d.refresh(catalog);
                            d.select_pos(p);
                        }
                        Err(e) => result = Err(err(e)),
                    }
                }
            }
            Action::FormMoveSection => {
                if let Some(pos) = d.pos() {
                    let n = d.design.form().sections.len();
                    let target = (pos.0 + 1) % n.max(1);
                    match d.design.move_to_section(pos, target) {
                        Ok(p) => {
                            d.refresh(catalog);
                            d.select_pos(p);
                        }
                        Err(e) => result = Err(err(e)),
                    }
                }
            }
            Action::FormRequired => {
                if let Some(pos) = d.pos() {
                    let now = d.design.field(pos).is_some_and(|f| f.required);
                    result = d.design.set_required(pos, !now).map_err(err);
                    d.refresh(catalog);
                }
            }
            Action::FormUnbind => {
                if let Some(pos) = d.pos() {
                    result = d.design.unbind(pos).map_err(err);
                    d.refresh(catalog);
                }
            }
            Action::FormRemove => {
                result = match d.entry() {
                    Entry::Field(s, f) => d.design.remove_field((s, f)).map_err(err),
                    Entry::Section(s) => d.design.remove_section(s).map_err(err),
                    Entry::Header => Ok(()),
                };
                d.refresh(catalog);
            }
            Action::FormUndo | Action::FormRedo => {
                let done = if action == Action::FormUndo {
                    d.design.undo()
                } else {
                    d.design.redo()
                };
                d.refresh(catalog);
                if !done {
                    result = Err(lang
                        .pick("没有可撤销/重做的修改", "nothing to undo/redo")
                        .into());
                }
            }
            Action::FormLabel => {
                let value = match d.entry() {
                    Entry::Header => d.design.form().name.as_str(),
                    Entry::Section(s) => d.design.form().sections[s].title.as_str(),
                    Entry::Field(s, f) => d.design.form().sections[s].fields[f].label.as_str(),
                };
                self.forms.prompt = Some((PromptKind::Label, Input::new(value.to_string())));
            }
            Action::FormHelp => {
                if let Some(pos) = d.pos() {
                    let value = d
                        .design
                        .field(pos)
                        .and_then(|f| f.help.as_deref().map(str::to_string))
                        .unwrap_or_default();
                    self.forms.prompt = Some((PromptKind::Help, Input::new(value)));
                }
            }
            Action::FormAddUnbound => {
                self.forms.prompt = Some((PromptKind::Unbound, Input::default()));
            }
            Action::FormAddSection => {
                self.forms.prompt = Some((PromptKind::Section, Input::default()));
            }
            Action::FormCondition => {
                if let Some(pos) = d.pos() {
                    let form = d.design.form();
                    let bundles = form
                        .item
                        .as_deref()
                        .map(|i| lint::bundles_of_item(catalog, i))
                        .unwrap_or_default();
                    let mut choices = Vec::new();
                    for b in bundles {
                        for q in &b.questions {
                            for o in &q.options {
                                let c =
                                    (q.key.clone(), q.text.clone(), o.key.clone(), o.text.clone());
                                if !choices.contains(&c) {
                                    choices.push(c);
                                }
                            }
                        }
                    }
                    let when = d
                        .design
                        .field(pos)
                        .and_then(|f| f.when.as_deref().cloned())
                        .unwrap_or_default();
                    // options the condition names that no bundle has stay, to be unticked
                    for (q, os) in &when {
                        for o in os {
                            if !choices.iter().any(|c| &c.0 == q && &c.2 == o) {
                                choices.push((q.clone(), "?".into(), o.clone(), "?".into()));
                            }
                        }
                    }
                    let ticked = choices
                        .iter()
                        .map(|(q, _, o, _)| when.get(q).is_some_and(|os| os.contains(o)))
                        .collect();
                    if choices.is_empty() {
                        result = Err(lang
                            .pick(
                                "没有包含本事项的主题，无判断项可选",
                                "no bundle holds this form's item: no questions to choose from",
                            )
                            .into());
                    } else {
                        d.chooser = Some(Chooser {
                            choices,
                            ticked,
                            selected: 0,
                        });
                    }
                }
            }
            Action::FormPreview => {
                d.in_preview = true;
                if let Some(r) = d
                    .pos()
                    .and_then(|p| d.preview.rows.iter().position(|r| r.field == p))
                {
                    d.row = r;
                }
                if let Some(r) = d.preview.input_row(d.row, true) {
                    d.row = r;
                }
                d.load_input();
            }
            Action::FormAddField | Action::FormBind => {
                let purpose = if action == Action::FormAddField {
                    PickPurpose::FormField
                } else {
                    PickPurpose::FormBind
                };
                // the duplicate finder's suggestion first: the element covering the label,
                // but none another field of the form binds (form lint's rule)
                let mut note = None;
                let suggestion = match d.pos().filter(|_| action == Action::FormBind) {
                    Some(pos) => {
                        let covers = FormCovers::suggesting(
                            &mut d.covers,
                            d.from_pool,
                            catalog,
                            d.design.form(),
                        );
                        match lint::offer_for(covers, d.design.form(), pos) {
                            Some(lint::Offer::Element { cover, passed }) => {
                                note = passed.map(|(held, by)| {
                                    lang.pick(
                                        format!(
                                            "已预填 {}：{} 已由本表的「{}」({}) 绑定",
                                            inert(cover.element),
                                            inert(held.element),
                                            inert(&by.label),
                                            inert(&by.key)
                                        ),
                                        format!(
                                            "{} pre-filled: {} is bound by \"{}\" ({}) of this form",
                                            inert(cover.element),
                                            inert(held.element),
                                            inert(&by.label),
                                            inert(&by.key)
                                        ),
                                    )
                                });
                                Some(cover.element.to_string())
                            }
                            Some(lint::Offer::Duplicate { cover, of }) => {
                                let label = d.design.field(pos).map_or("", |f| f.label.as_str());
                                note = Some(lang.pick(
                                    format!(
                                        "未预填：「{}」疑似与本表的「{}」({}) 重复，它已绑定 {}",
                                        inert(label),
                                        inert(&of.label),
                                        inert(&of.key),
                                        inert(cover.element)
                                    ),
                                    format!(
                                        "nothing pre-filled: \"{}\" looks like a duplicate of \"{}\" ({}) of this form, which binds {}",
                                        inert(label),
                                        inert(&of.label),
                                        inert(&of.key),
                                        inert(cover.element)
                                    ),
                                ));
                                None
                            }
                            None => None,
                        }
                    }
                    None => None,
                };
                if action == Action::FormBind && d.pos().is_none() {
                    return;
                }
                let title = if action == Action::FormAddField {
                    lang.pick("添加字段：选择数据元", "Add a field: choose an element")
                } else {
                    lang.pick("绑定数据元", "Bind to an element")
                };
                self.open_picker(purpose, title.into());
                if let Some(code) = suggestion
                    && let Some(super::super::app::Overlay::Picker(p)) = &mut self.overlay
                {
                    p.search.input = Input::new(code);
                    self.start_search(Target::Picker);
                }
                if let Some(note) = note {
                    self.say(Level::Info, note);
                }
                return;
            }
            Action::FormItem => {
                self.open_item_picker(ItemFor::Designer);
                return;
            }
            Action::FormSave => {
                self.form_save();
                return;
            }
            Action::FormHistory => {
                let code = d.design.form().code.clone();
                self.show_history_of(code.to_string());
                return;
            }
            Action::FormSubmit | Action::FormReturn | Action::FormPublish => {
                if d.design.is_dirty() {
                    result = Err(lang
                        .pick("先保存（ctrl-s）再提交/退回/发布", "save first (ctrl-s)")
                        .into());
                } else {
                    let code = d.design.form().code.clone();
                    self.form_workflow(&code, action);
                    return;
                }
            }
            Action::FormOpen | Action::FormNew | Action::FormFilter => {}
            _ => {}
        }
        if let Err(text) = result {
            self.say(Level::Warn, text);
        }
    }

    fn form_save(&mut self) {
        let lang = self.lang;
        let Some(d) = &self.forms.designer else {
            return;
        };
        if !d.design.is_dirty() {
            self.say(Level::Info, lang.pick("没有修改", "nothing to save").into());
            return;
        }
        let batch = d.design.to_batch();
        // before the catalog is loaded, over the records near the form if they answer for it
        let saved = match self.form_save_on_demand(&batch) {
            Some(saved) => saved,
            None => self.apply_batch(batch),
        };
        if saved {
            let catalog = designer_catalog(&self.store, &self.loading);
            if let (Some(d), Some(catalog)) = (&mut self.forms.designer, catalog) {
                d.design.saved();
                d.refresh(catalog);
            }
            self.forms.stale = true;
            self.say(Level::Ok, lang.pick("已保存", "saved").into());
            self.elements_changed(None);
        }
    }

    fn form_workflow(&mut self, code: &str, action: Action) {
        let lang = self.lang;
        let step = match action {
            Action::FormSubmit => Transition::Submit,
            Action::FormReturn => Transition::Return,
            _ => Transition::Publish,
        };
        // the catalog's form, or before it is loaded the designer's, as stored
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let Some(form) = catalog.forms.get(code) else {
            return;
        };
        let next = match workflow::transition(RecordRef::Form(form), step) {
            Ok(next) => next,
            Err(e) => {
                self.say(Level::Warn, e.message(lang));
                return;
            }
        };
        let status = match &next {
            Record::Form(f) => format!("{} V{}", f.status.zh(), f.version),
            _ => String::new(),
        };
        let batch = crate::store::Batch {
            action: step.en().into(),
            commands: vec![crate::store::Command::Upsert(next)],
        };
        let saved = match self.form_save_on_demand(&batch) {
            Some(saved) => saved,
            None => self.apply_batch(batch),
        };
        if saved {
            let catalog = designer_catalog(&self.store, &self.loading);
            if let (Some(d), Some(catalog)) = (&mut self.forms.designer, catalog)
                && let Some(f) = catalog.forms.get(code)
            {
                d.restart(f.clone(), catalog);
            }
            self.forms.stale = true;
            self.forms_catalog_ready();
            let c = inert(code).into_owned();
            self.say(
                Level::Ok,
                lang.pick(
                    format!("已{} {c}：{status}", step.zh()),
                    format!("{} {c}: {status}", step.en()),
                ),
            );
        }
    }

    /// The picker chose `code` for the designer. An element another field of the form binds
    /// already is asked about first ([`Confirm::BindTwice`]): two fields of one form on one
    /// element are form lint's 重复绑定.
    pub(crate) fn forms_picked(&mut self, purpose: &PickPurpose, code: &str) {
        // before the catalog is loaded, the element joins the records near the form
        self.element_near_form(code);
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let (Some(d), Some(element)) = (&self.forms.designer, catalog.elements.get(code)) else {
            return;
        };
        let field = match purpose {
            PickPurpose::FormField => None,
            _ => match d.pos().and_then(|p| d.design.field(p)) {
                Some(f) => Some(f),
                None => return,
            },
        };
        let form = d.design.form();
        let except = field.map(|f| f.key.as_str());
        if let Some(by) = one_per_form::bound_by(form, code, except) {
            let ask = BindAsk {
                purpose: purpose.clone(),
                element: code.to_string(),
                element_name: element.name.to_string(),
                field: field.map(|f| (f.label.to_string(), f.key.to_string())),
                by: (by.label.to_string(), by.key.to_string()),
            };
            self.overlay = Some(Overlay::Confirm(Confirm::BindTwice(ask)));
            return;
        }
        self.forms_bind(purpose, code);
    }

    /// Binds the selected field to `code`, or adds a field for it (`purpose`), as chosen.
    pub(crate) fn forms_bind(&mut self, purpose: &PickPurpose, code: &str) {
        let lang = self.lang;
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let (Some(d), Some(element)) = (&mut self.forms.designer, catalog.elements.get(code))
        else {
            return;
        };
        let result = match purpose {
            PickPurpose::FormField => {
                let at = match d.entry() {
                    Entry::Field(_, f) => Some(f + 1),
                    _ => None,
                };
                d.design.add_bound_field(d.section(), at, element).map(Some)
            }
            _ => match d.pos() {
                Some(pos) => {
                    let old = d
                        .design
                        .field(pos)
                        .and_then(|f| f.element.as_deref())
                        .and_then(|c| catalog.elements.get(c))
                        .map(|e| e.name.clone());
                    d.design
                        .bind(pos, element, old.as_deref())
                        .map(|()| Some(pos))
                }
                None => Ok(None),
            },
        };
        d.refresh(catalog);
        match result {
            Ok(Some(pos)) => d.select_pos(pos),
            Ok(None) => {}
            Err(e) => {
                let text = e.message(lang).to_string();
                self.say(Level::Warn, text);
            }
        }
        // a field added with its element's name for a label: its covers are read
        self.designer_follow_pool();
    }

    /// A key while pane 3 takes text (the item picker, the prompt or the preview).
    pub(crate) fn forms_text_key(&mut self, event: KeyEvent) {
        if self.forms.item_picker.is_some() {
            self.forms_item_key(event);
            return;
        }
        let key = Key::from_event(&event);
        if let Some((kind, input)) = &mut self.forms.prompt {
            let kind = *kind;
            match event.code {
                crossterm::event::KeyCode::Esc => self.forms.prompt = None,
                crossterm::event::KeyCode::Enter => {
                    let value = input.value().to_string();
                    self.forms.prompt = None;
                    self.prompt_done(kind, &value);
                }
                _ => {
                    input.handle_event(&Event::Key(event));
                    if kind == PromptKind::Filter {
                        self.forms.query = input.value().to_string();
                        self.forms.stale = true;
                        self.forms.selected = 0;
                        self.forms_catalog_ready();
                    }
                }
            }
            return;
        }
        let action = match self
            .config
            .keymap
            .lookup(&[key], &[Scope::Preview, Scope::Global])
        {
            Lookup::Action(a) if a.def().scope == Scope::Preview => Some(a),
            Lookup::Action(a @ (Action::Back | Action::Quit)) if !key.is_text() => Some(a),
            _ => None,
        };
        if action == Some(Action::Quit) {
            // quitting asks first about an unsaved design, as from the designer
            self.update(Action::Quit);
            return;
        }
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        let Some(d) = &mut self.forms.designer else {
            return;
        };
        let n = d.preview.rows.len();
        match action {
            Some(Action::Back) => d.in_preview = false,
            Some(Action::PreviewNext) => {
                if let Some(r) = d.preview.input_row((d.row + 1).min(n), true) {
                    d.row = r;
                }
                d.load_input();
            }
            Some(Action::PreviewPrev) => {
                if let Some(r) = d.preview.input_row(d.row.saturating_sub(1), false) {
                    d.row = r;
                }
                d.load_input();
            }
            Some(Action::PreviewOptionNext | Action::PreviewOptionPrev) => {
                let forward = action == Some(Action::PreviewOptionNext);
                d.preview
                    .step_option(catalog, &mut d.values, d.row, forward);
                d.load_input();
            }
            Some(Action::PreviewDescend) => {
                d.preview.descend(catalog, &mut d.values, d.row);
                d.load_input();
            }
            _ => {
                d.input.handle_event(&Event::Key(event));
                if let Some(row) = d.preview.rows.get(d.row) {
                    d.values
                        .insert(row.key.clone(), d.input.value().to_string());
                }
            }
        }
    }

    /// Pasted text in pane 3.
    pub(crate) fn forms_paste(&mut self, text: &str) {
        if let Some((_, p)) = &mut self.forms.item_picker {
            p.paste(text, &mut self.bundles.items);
        } else if let Some((_, input)) = &mut self.forms.prompt {
            crate::tui::text::paste_into(input, text);
        } else if let Some(d) = &mut self.forms.designer
            && d.in_preview
        {
            crate::tui::text::paste_into(&mut d.input, text);
            if let Some(row) = d.preview.rows.get(d.row) {
                d.values
                    .insert(row.key.clone(), d.input.value().to_string());
            }
        }
    }

    fn prompt_done(&mut self, kind: PromptKind, value: &str) {
        let lang = self.lang;
        let Some(catalog) = designer_catalog(&self.store, &self.loading) else {
            return;
        };
        if kind == PromptKind::Filter {
            return;
        }
        let Some(d) = &mut self.forms.designer else {
            return;
        };
        let result = match (kind, d.entry()) {
            (PromptKind::Label, Entry::Header) => d.design.rename_form(value),
            (PromptKind::Label, Entry::Section(s)) => d.design.rename_section(s, value),
            (PromptKind::Label, Entry::Field(s, f)) => {
                let name = d
                    .design
                    .field((s, f))
                    .and_then(|x| x.element.as_deref())
                    .and_then(|c| catalog.elements.get(c))
                    .map(|e| e.name.clone());
                d.design.set_label((s, f), value, name.as_deref())
            }
            (PromptKind::Help, Entry::Field(s, f)) => d.design.set_help((s, f), value),
            (PromptKind::Unbound, entry) => {
                let at = match entry {
                    Entry::Field(_, f) => Some(f + 1),
                    _ => None,
                };
                d.design.add_unbound(d.section(), at, value).map(|p| {
                    d.refresh(catalog);
                    d.select_pos(p);
                })
            }
            (PromptKind::Section, _) => {
                let after = match d.entry() {
                    Entry::Header => None,
                    _ => Some(d.section()),
                };
                d.design.add_section(after, value).map(|_| ())
            }
            _ => Ok(()),
        };
        d.refresh(catalog);
        if let Err(e) = result {
            let text = e.message(lang).to_string();
            self.say(Level::Warn, text);
        }
        self.designer_follow_pool();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query typed a key at a time lists what it lists typed at once, whether each key
    /// narrows the list shown (a longer word, one more word) or filters every form again.
    #[test]
    fn a_filter_typed_key_by_key_lists_what_it_lists_at_once() {
        let catalog = crate::sample::generate(1);
        let queries = [
            "申请表 社会",
            "warn 表",
            "BD 00",
            "item:营业 表",
            "status:published 申",
            "食品经营许可证核发",
            "shipin 申请",
            "spjy",
            "sqb shi",
            "warn sq",
        ];
        // as if a lint had found warnings in every third form
        let warned: HashMap<String, usize> = catalog
            .forms
            .keys()
            .step_by(3)
            .map(|c| (c.to_string(), 1))
            .collect();
        let index = Arc::new(FormIndex::build(form_filter::rows(&catalog)));
        let fingerprint = form_filter::fingerprint(&catalog);
        let pane = || {
            let mut pane = FormsPane {
                warned: warned.clone(),
                warned_at: Some(1),
                ..FormsPane::default()
            };
            pane.readings.arrived(Arc::clone(&index), fingerprint);
            pane
        };
        for query in queries {
            let mut typed = pane();
            let mut so_far = String::new();
            let mut most = 0;
            for c in query.chars().chain("\u{8}".chars()) {
                if c == '\u{8}' {
                    so_far.pop();
                } else {
                    so_far.push(c);
                }
                typed.query = so_far.clone();
                typed.rebuild(&catalog);
                let mut fresh = FormsPane {
                    query: so_far.clone(),
                    ..pane()
                };
                fresh.rebuild(&catalog);
                assert_eq!(typed.codes, fresh.codes, "{so_far:?}");
                most = most.max(typed.codes.len());
            }
            assert!(most > 0, "{query}");
        }
    }

    /// After a form's name changes the index is built again; meanwhile the last one serves,
    /// so the pinyin matches stay on the list instead of leaving it for a moment.
    #[test]
    fn while_a_new_pinyin_index_builds_the_last_one_serves() {
        let mut catalog = crate::sample::generate(1);
        let index = Arc::new(FormIndex::build(form_filter::rows(&catalog)));
        let mut pane = FormsPane {
            query: "spjy".into(),
            ..FormsPane::default()
        };
        pane.readings
            .arrived(index, form_filter::fingerprint(&catalog));
        pane.rebuild(&catalog);
        let before = pane.codes.clone();
        assert!(!before.is_empty());
        let other = catalog
            .forms
            .keys()
            .find(|c| !before.iter().any(|b| b == c.as_str()))
            .cloned()
            .expect("a form not listed");
        let mut renamed = catalog.forms[other.as_str()].clone();
        renamed.name.push_str("（改）");
        catalog.insert(Record::Form(renamed));
        pane.rebuild(&catalog);
        assert!(pane.readings.building, "a new index is asked for");
        assert_eq!(pane.codes, before);
    }

    /// The designer's covers answer as the whole pool's, and are built again only when the
    /// labels or the elements change.
    #[test]
    fn form_covers_are_kept_until_the_labels_or_the_elements_change() {
        let mut catalog = crate::sample::generate(1);
        let whole = Covers::new(&catalog);
        let mut slot = None;
        for form in catalog.forms.values() {
            let covers = FormCovers::of(&mut slot, &catalog, form);
            assert_eq!(
                lint::lint_form(&catalog, covers, form),
                lint::lint_form(&catalog, &whole, form),
                "{}",
                form.code
            );
        }
        let mut form = catalog.forms.values().next().cloned().expect("a form");
        let first: *const Covers = FormCovers::of(&mut slot, &catalog, &form);
        // the same labels in another order, another form record: kept
        form.sections.reverse();
        form.code = "BD-OTHER".into();
        let again: *const Covers = FormCovers::of(&mut slot, &catalog, &form);
        assert!(std::ptr::eq(first, again));
        // a form saved (not an element): kept
        catalog.insert(Record::Form(form.clone()));
        assert!(std::ptr::eq(
            first,
            FormCovers::of(&mut slot, &catalog, &form)
        ));
        // a new label: built again, for the new labels
        form.sections[0].fields[0].label = "邮政编码".into();
        FormCovers::of(&mut slot, &catalog, &form);
        assert!(
            slot.as_ref()
                .is_some_and(|c| c.labels.iter().any(|l| l == "邮政编码"))
        );
        // an element changed: built again
        let built_for = slot.as_ref().map(|c| c.revision);
        let element = catalog
            .elements
            .values()
            .next()
            .cloned()
            .expect("an element");
        catalog.insert(Record::Element(element));
        FormCovers::of(&mut slot, &catalog, &form);
        assert_ne!(slot.as_ref().map(|c| c.revision), built_for);
    }
}
