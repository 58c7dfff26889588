//! Start-up: the first frame is drawn at once while the store's database opens and its
//! catalog loads on a thread. When the store has a cached outline (`outline.idx`, written
//! by the last session that changed it), that frame is already pane 1's tree: it can be
//! moved through, expanded, regrouped and filtered while the rest loads, and the panes that
//! need the whole catalog say how far loading has got. Without an outline the frame counts
//! the records loaded so far and every key but quit waits until the catalog is in.
//!
//! On demand (`load_catalog` in config.toml; by default for stores of
//! [`ON_DEMAND_FROM`] records or more) the database is opened but the catalog is not
//! loaded until something needs it: pane 1's tree and the detail of its selected record,
//! read from the store, cost a fraction of a loaded catalog's memory; so does pane 2 when
//! the store has its search index and element links cached (`search.idx`, `links.idx`),
//! pane 5 when it has its statistics cached (`stats.idx`), pane 3's list when it has its
//! lint counts cached (`lint.idx`; the forms come from the outline), and pane 3's designer,
//! which edits, binds and saves a form over the records near it ([`Loading::write_near`]).

use std::cell::OnceCell;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::engine::lint::LintCounts;
use crate::engine::stats::Stats;
use crate::i18n::Lang;
use crate::model::{Catalog, Outline};
use crate::store::{Batch, LockedStore, NearWritten, SledStore, Store, StoreError, UnloadedStore};

use super::action::Action;
use super::app::{App, AppEvent, Level, Pane};
use super::keymap::{Key, Lookup};
use super::panes::element_on_demand::{ElementShown, ElementsOnDemand};
use super::panes::element_uses::UsesView;

/// How often loading progress is reported.
const TICK: Duration = Duration::from_millis(100);

/// Stores of this many records or more load their catalog on demand unless config.toml
/// says otherwise (a million elements, loaded, hold about 670 MiB; 100,000 about 205 MiB).
pub const ON_DEMAND_FROM: usize = 500_000;

/// When the catalog is loaded (`load_catalog` in config.toml).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CatalogLoad {
    /// On demand for stores of [`ON_DEMAND_FROM`] records or more, else at start.
    #[default]
    Auto,
    /// At start, on a thread, while pane 1 shows the outline's tree.
    AtStart,
    /// When something first needs it (pane 1's tree and details work without it).
    OnDemand,
}

impl CatalogLoad {
    /// The setting's value by its config.toml name (`auto`, `at-start`, `on-demand`).
    pub fn from_name(name: &str) -> Option<CatalogLoad> {
        match name {
            "auto" => Some(CatalogLoad::Auto),
            "at-start" => Some(CatalogLoad::AtStart),
            "on-demand" => Some(CatalogLoad::OnDemand),
            _ => None,
        }
    }

    /// Whether a store of `records` records (from its outline) loads on demand.
    pub fn on_demand(self, records: usize) -> bool {
        match self {
            CatalogLoad::Auto => records >= ON_DEMAND_FROM,
            CatalogLoad::AtStart => false,
            CatalogLoad::OnDemand => true,
        }
    }
}

/// Where loading stands.
enum Phase {
    /// Opening and loading on a thread.
    Loading,
    /// Opening on a thread, then waiting to be wanted (`wanted`: it already is).
    Opening { wanted: bool },
    /// Open, the catalog not loaded until something needs it.
    Waiting(Box<UnloadedStore>),
    /// Open, lent to a worker that writes a merge in chunks or an import (see
    /// [`Loading::lend_for_merge`], [`Loading::lend_for_import`]; `wanted`: something asked
    /// for the catalog meanwhile).
    Lent { wanted: bool },
}

/// The open store lent to a worker that merges an element a chunk of records at a time
/// (see [`Loading::lend_for_merge`]), with what the merge reads and takes.
pub struct MergeLoan {
    /// The open store.
    pub store: Box<UnloadedStore>,
    /// Its outline, as the app draws from it meanwhile.
    pub outline: Arc<Outline>,
    /// Its element links, which the merge follows.
    pub links: crate::model::ElementLinks,
}

/// Which records read near a change a write goes over (see `Loading::near_write`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Near {
    /// Pane 3's form's ([`Loading::form_near`]).
    Form,
    /// The editor's record's ([`Loading::edit_near`]).
    Edit,
    /// Pane 4's open bundle's ([`Loading::bundle_near`]).
    Bundle,
    /// Pane 4's list's: every bundle with what it references ([`Loading::bundles_on_demand`]).
    List,
    /// An import's: what checking its file read of the store ([`Loading::import_near`]).
    Import,
}

/// Start-up state while the catalog loads.
pub struct Loading {
    /// The cached outline the tree is drawn from meanwhile.
    pub outline: Option<Arc<Outline>>,
    /// Records loaded so far.
    pub done: usize,
    /// Events that wait for the catalog (when there is no outline to work on).
    pub typed: Vec<AppEvent>,
    phase: Phase,
    /// What pane 2 read from the store while the catalog waits to be needed.
    elements: ElementsOnDemand,
    /// The statistics cached beside the open store, read once (it does not change while
    /// its catalog is not loaded).
    stats: OnceCell<Option<Stats>>,
    /// The lint counts cached beside the open store, read once likewise.
    lint: OnceCell<Option<LintCounts>>,
    /// The lint counts a worker counted from the open store's records, when none were
    /// cached (see [`Loading::forms_countable`]).
    pub counted: Option<LintCounts>,
    /// Whether that worker is under way.
    pub counting: bool,
    /// Whether a form was saved while it was: what it counts is stale, to be counted again.
    pub recount: bool,
    /// Whether a worker reads the element pool's covers for the designer's form.
    pub pool_reading: bool,
    /// How many changes were written over the records near them (before the catalog): a
    /// count of pane 5's statistics begun before the last one is stale.
    pub near_writes: u64,
    /// The bundles and what they reference, read from the open store once likewise.
    bundles: OnceCell<Option<Catalog>>,
    /// The records of the bundle pane 4 opened before the catalog: the bundle, its items,
    /// their forms and what those reference.
    pub bundle_near: Option<Catalog>,
    /// The records of the form pane 3's designer opened before the catalog: the form, what
    /// it references, the elements under its elements, the bundles that hold its item and,
    /// once a worker has read the pool, the elements that cover its labels.
    pub form_near: Option<Catalog>,
    /// The records of the record the editor edits before the catalog (pane 2's element, pane
    /// 1's item, material or bundle; or a record a step of whose workflow is taken, or the
    /// template pane 1 claims with its forms): the record, what it references, what it
    /// reaches along its acyclic relations, an item's child items.
    pub edit_near: Option<Catalog>,
    /// The records an import read of the store as it checked its file (those its records
    /// replace and reference, and what they reach), while it is written over them.
    import_near: Option<Catalog>,
    /// The forms pane 4 wrote over the records near its open bundle whose warnings are yet
    /// to be counted ([`Loading::lint_written_forms`]).
    forms_to_lint: Vec<String>,
    /// What the worker the store is lent to does (see [`Loading::lend_for_merge`]).
    lent_for: Option<String>,
    /// How far it has got: records staged, of how many.
    lent_progress: Option<(usize, usize)>,
}

impl Loading {
    /// Start-up state with the store's cached outline, if any.
    pub fn new(outline: Option<Outline>) -> Loading {
        Loading {
            outline: outline.filter(|o| !o.is_empty()).map(Arc::new),
            done: 0,
            typed: Vec::new(),
            phase: Phase::Loading,
            elements: ElementsOnDemand::default(),
            stats: OnceCell::new(),
            lint: OnceCell::new(),
            counted: None,
            counting: false,
            recount: false,
            pool_reading: false,
            near_writes: 0,
            bundles: OnceCell::new(),
            bundle_near: None,
            form_near: None,
            edit_near: None,
            import_near: None,
            forms_to_lint: Vec::new(),
            lent_for: None,
            lent_progress: None,
        }
    }

    /// As [`Loading::new`], with the catalog loaded only once something needs it; without
    /// an outline to show meanwhile everything needs it, so it loads at once.
    pub fn on_demand(outline: Option<Outline>) -> Loading {
        let mut loading = Loading::new(outline);
        if loading.outline.is_some() {
            loading.phase = Phase::Opening { wanted: false };
        }
        loading
    }

    /// Start-up state for a store with this outline, by the `load_catalog` setting: on
    /// demand unless the store has a draft to restore (the editor needs the catalog at once).
    pub fn starting(outline: Option<Outline>, when: CatalogLoad, draft: bool) -> Loading {
        let records = outline.as_ref().map_or(0, |o| o.records);
        if !draft && when.on_demand(records) {
            Loading::on_demand(outline)
        } else {
            Loading::new(outline)
        }
    }

    /// Whether the catalog waits to be needed (nothing has asked for it yet).
    pub fn deferred(&self) -> bool {
        matches!(
            self.phase,
            Phase::Opening { wanted: false } | Phase::Waiting(_) | Phase::Lent { .. }
        )
    }

    /// The open store while its catalog waits to be needed.
    pub fn unloaded(&self) -> Option<&UnloadedStore> {
        match &self.phase {
            Phase::Waiting(store) => Some(store),
            _ => None,
        }
    }

    /// Whether pane 2 works before the catalog is loaded: the open store waits for something
    /// to need its catalog and has its search index and element links cached beside it
    /// (`sample`, `import` and `restore` leave both). Pane 2 then searches the cached index
    /// and reads the selected element's uses from the store.
    pub fn elements_on_demand(&self) -> bool {
        match (self.outline.as_deref(), self.unloaded()) {
            (Some(_), Some(store)) => self.elements.available(store),
            _ => false,
        }
    }

    /// The statistics pane 5 shows before the catalog is loaded: those cached beside the open
    /// store while it waits for something to need its catalog (`sample`, `import`, `restore`,
    /// `stats` and a session that counted them leave them). `None`: the store is not open on
    /// demand, or has none cached.
    pub fn stats_on_demand(&self) -> Option<&Stats> {
        let store = self.unloaded()?;
        self.stats.get_or_init(|| store.stats()).as_ref()
    }

    /// Whether pane 5 can count the statistics before the catalog is loaded, when none are
    /// cached: from the open store's records, on a worker, with its cached outline and
    /// element links (see `store::stats_count`).
    pub fn stats_countable(&self) -> bool {
        self.outline.is_some() && self.element_links().is_some()
    }

    /// Takes statistics a worker counted from the open store's records (see
    /// [`Loading::stats_countable`]), begun when [`Loading::near_writes`] was `at`: cached
    /// beside the store and shown from then on, unless a change was written since. Whether
    /// they were taken.
    pub fn stats_counted(&mut self, stats: &Stats, at: u64) -> bool {
        if at != self.near_writes {
            return false;
        }
        let Some(store) = self.unloaded() else {
            return false;
        };
        store.save_stats(stats);
        self.stats = OnceCell::from(Some(stats.clone()));
        true
    }

    /// The lint counts pane 3's list shows before the catalog is loaded: those cached beside
    /// the open store while it waits for something to need its catalog (its forms come from
    /// the outline), or counted from its records. `None`: the store is not open on demand, or
    /// has none cached and none counted yet.
    pub fn forms_on_demand(&self) -> Option<&LintCounts> {
        let store = self.unloaded()?;
        self.outline.as_ref()?;
        let cached = self.lint.get_or_init(|| store.lint_counts()).as_ref();
        cached.or(self.counted.as_ref())
    }

    /// Writes `batch` (pane 3 saving a form: the designer's, or a step of the workflow from
    /// the list) over the records near the form (`form_near`) without loading the catalog
    /// (see [`UnloadedStore::apply_near`]); what the panes on demand read follows (see
    /// `Loading::near_write`), the lint counts with the form's `warnings` (`None`: not
    /// known yet, so counted again), and an open bundle's copy of the form. `Ok(None)`: the
    /// batch needs the catalog, nothing done.
    pub fn write_near(
        &mut self,
        batch: Batch,
        warnings: Option<usize>,
    ) -> Result<Option<NearWritten>, StoreError> {
        // the cached lint counts, read before the write removes their file
        if let Some(store) = self.unloaded() {
            self.lint.get_or_init(|| store.lint_counts());
        }
        let codes: Vec<String> = batch.upserted().into_iter().map(|(_, c)| c).collect();
        let Some(written) = self.near_write(batch, Near::Form)? else {
            return Ok(None);
        };
        if written.applied.is_noop() {
            return Ok(Some(written));
        }
        let counts = self.lint.take().flatten().or(self.counted.take());
        let counts = counts.zip(warnings).map(|(mut counts, n)| {
            for code in &codes {
                if n == 0 {
                    counts.remove(code);
                } else {
                    counts.insert(code.clone(), n);
                }
            }
            counts
        });
        if let (Some(counts), Some(store)) = (&counts, self.unloaded()) {
            store.save_lint(counts);
        }
        self.lint = OnceCell::from(counts);
        if let (Some(bundle), Some(near)) = (self.bundle_near.as_mut(), self.form_near.as_ref()) {
            for form in codes.iter().filter_map(|c| near.forms.get(c.as_str())) {
                if bundle.forms.contains_key(form.code.as_str()) {
                    bundle.insert(crate::model::Record::Form(form.clone()));
                }
            }
        }
        Ok(Some(written))
    }

    /// Writes `batch` (the editor's change to an element, an item or a material, or a step
    /// of a workflow) over the records near it ([`Loading::edit_near`]), without the
    /// catalog: what the panes on demand read follows (see `Loading::near_write`; the tree
    /// is drawn from the outline, which follows an item or a material), the lint counts are
    /// no longer cached after an element's change (its names and state move any form's
    /// warnings: pane 3 counts them again; an item's or a material's moves none), and the
    /// open designer's and bundle's copies of the record follow. `Ok(None)`: the batch needs
    /// the catalog, nothing done.
    pub fn write_edit_near(&mut self, batch: Batch) -> Result<Option<NearWritten>, StoreError> {
        let changed = batch.upserted();
        let deleted = batch.deleted();
        let Some(written) = self.near_write(batch, Near::Edit)? else {
            return Ok(None);
        };
        if !written.applied.is_noop() {
            self.records_follow(&changed, &deleted, Near::Edit)?;
        }
        Ok(Some(written))
    }

    /// After a write over the records `near` names that upserted `changed` and deleted
    /// `deleted` (any records): the copies the other panes hold follow (see
    /// `Loading::copies_follow`), and the lint counts are no longer cached unless only
    /// records that move no form's warnings changed (`engine::lint::moves_no_warning`: the
    /// store kept the counts of an item's or an agency's change, which moves none; a
    /// bundle's it followed, read again).
    fn records_follow(
        &mut self,
        changed: &[(crate::model::Kind, String)],
        deleted: &[(crate::model::Kind, String)],
        near: Near,
    ) -> Result<(), StoreError> {
        self.copies_follow(changed, deleted, near)?;
        if !changed
            .iter()
            .chain(deleted)
            .all(|(kind, _)| crate::engine::lint::moves_no_warning(*kind))
        {
            self.lint = OnceCell::from(None);
            self.counted = None;
        }
        Ok(())
    }

    /// Whether pane 4's `action` (`bundles`) is written over the records it read before the
    /// catalog is loaded: the open bundle's (see [`edits_bundle_near`]), or from the list
    /// the bundles'.
    pub fn edits_bundles_near(
        &self,
        action: Action,
        bundles: &super::panes::bundles::BundlesPane,
    ) -> bool {
        let read = match bundles.work {
            Some(_) => self.bundle_near.is_some(),
            None => self.bundles_on_demand().is_some(),
        };
        read && edits_bundle_near(action, bundles)
    }

    /// Writes `batch` (pane 4's new or claimed bundle, from its list) over the bundles read
    /// before the catalog is loaded ([`Loading::bundles_on_demand`]), as
    /// [`Loading::write_bundle_near`] writes over the open bundle's records.
    pub fn write_bundle_list(&mut self, batch: Batch) -> Result<Option<NearWritten>, StoreError> {
        let (changed, deleted) = (batch.upserted(), batch.deleted());
        let Some(written) = self.near_write(batch, Near::List)? else {
            return Ok(None);
        };
        if !written.applied.is_noop() {
            self.copies_follow(&changed, &deleted, Near::List)?;
        }
        Ok(Some(written))
    }

    /// Writes `batch` (pane 4's change to its open bundle) over the records near it
    /// ([`Loading::bundle_near`]), without the catalog: what the panes on demand read
    /// follows (see `Loading::near_write`, `Loading::copies_follow`). `Ok(None)`: the batch
    /// needs the catalog, nothing done.
    pub fn write_bundle_near(&mut self, batch: Batch) -> Result<Option<NearWritten>, StoreError> {
        use crate::model::Kind;
        // the cached lint counts, read before the write removes their file
        if let Some(store) = self.unloaded() {
            self.lint.get_or_init(|| store.lint_counts());
        }
        let (changed, deleted) = (batch.upserted(), batch.deleted());
        let Some(written) = self.near_write(batch, Near::Bundle)? else {
            return Ok(None);
        };
        if written.applied.is_noop() {
            return Ok(Some(written));
        }
        self.copies_follow(&changed, &deleted, Near::Bundle)?;
        for (kind, code) in &changed {
            match kind {
                // a new element may cover any form's unbound labels: counted again
                Kind::Element => {
                    self.lint = OnceCell::from(None);
                    self.counted = None;
                }
                Kind::Form => self.forms_to_lint.push(code.clone()),
                _ => {}
            }
        }
        Ok(Some(written))
    }

    /// After pane 4 wrote forms over the records near its open bundle (a fix of the merge):
    /// their warnings, counted with `covers` (the element pool's, read for the bundle's
    /// labels), replace theirs in the lint counts, saved beside the store again. Without
    /// the covers (not read yet), or when the counts went (an element was written too), the
    /// counts are counted again from the store.
    pub fn lint_written_forms(&mut self, covers: Option<&crate::engine::dups::Covers>) {
        use crate::engine::lint::{bundles_of_item, lint_form};
        let codes = std::mem::take(&mut self.forms_to_lint);
        if codes.is_empty() {
            return;
        }
        let counts = self.lint.take().flatten().or(self.counted.take());
        let (Some(mut counts), Some(covers), Some(near)) = (counts, covers, &self.bundle_near)
        else {
            self.lint = OnceCell::from(None);
            return;
        };
        let list = self.bundles.get().and_then(Option::as_ref);
        for form in codes.iter().filter_map(|c| near.forms.get(c.as_str())) {
            // the form with what it binds, and every bundle holding its item
            let mut read = near.clone();
            if let (Some(list), Some(item)) = (list, form.item.as_deref()) {
                for b in bundles_of_item(list, item) {
                    read.insert(crate::model::Record::Bundle(b.clone()));
                }
            }
            match lint_form(&read, covers, form).len() {
                0 => counts.remove(form.code.as_str()),
                n => counts.insert(form.code.to_string(), n),
            };
        }
        if let Some(store) = self.unloaded() {
            store.save_lint(&counts);
        }
        self.lint = OnceCell::from(Some(counts));
    }

    /// Lends the open store out to a worker that merges an element a chunk of records at a
    /// time (see [`UnloadedStore::merge_in_chunks_leaving_outline`]), with the outline it
    /// reads and the element links, which the merge takes (none left behind: they are read
    /// again if it fails); `doing` says what it does meanwhile. `None`: the store is not
    /// open on demand, or has no element links. Until [`Loading::merge_returned`] the
    /// catalog waits, as before, and nothing reads the store.
    pub fn lend_for_merge(&mut self, doing: String) -> Option<MergeLoan> {
        let outline = Arc::clone(self.outline.as_ref()?);
        let Phase::Waiting(store) = &self.phase else {
            return None;
        };
        let links = self
            .elements
            .take_links()
            .or_else(|| store.element_links())?;
        let store = self.lend(doing)?;
        Some(MergeLoan {
            store,
            outline,
            links,
        })
    }

    /// Lends the open store out to a worker (`doing` says what it does meanwhile): the
    /// catalog waits and nothing reads the store until [`Loading::take_back`]. `None`: not
    /// open on demand.
    fn lend(&mut self, doing: String) -> Option<Box<UnloadedStore>> {
        if !matches!(self.phase, Phase::Waiting(_)) {
            return None;
        }
        let Phase::Waiting(store) =
            std::mem::replace(&mut self.phase, Phase::Lent { wanted: false })
        else {
            return None;
        };
        self.lent_for = Some(doing);
        self.lent_progress = None;
        Some(store)
    }

    /// The store back from the worker it was lent to ([`Loading::lend`]); returns whether
    /// something asked for the catalog meanwhile.
    fn take_back(&mut self, store: Box<UnloadedStore>) -> bool {
        let wanted = matches!(self.phase, Phase::Lent { wanted: true });
        self.phase = Phase::Waiting(store);
        self.lent_for = None;
        self.lent_progress = None;
        wanted
    }

    /// The worker the store is lent to has staged `done` of the `total` records its merge
    /// changes (said with what it does).
    pub fn merge_progress(&mut self, done: usize, total: usize) {
        if self.lent() {
            self.lent_progress = Some((done, total));
        }
    }

    /// Whether the open store is lent to a worker (see [`Loading::lend_for_merge`]).
    pub fn lent(&self) -> bool {
        matches!(self.phase, Phase::Lent { .. })
    }

    /// The store back from the worker that merged `merge` into `keep` in chunks, with what
    /// it did: the outline follows (one record fewer, cached again), what the panes on
    /// demand read follows as after a write near its records (see `Loading::near_write`),
    /// the lint counts are counted again (an element's change moves any form's warnings),
    /// and the copies the other panes hold of the records it rebound are read again.
    /// `Ok(None)`: the store could not merge it so, nothing done. With whether something
    /// asked for the catalog meanwhile.
    pub fn merge_returned(
        &mut self,
        store: Box<UnloadedStore>,
        keep: &str,
        merge: &str,
        result: Result<Option<NearWritten>, StoreError>,
    ) -> (Result<Option<NearWritten>, StoreError>, bool) {
        let wanted = self.take_back(store);
        let mut written = match result {
            Ok(Some(written)) => written,
            other => return (other, wanted),
        };
        if let (Phase::Waiting(store), Some(outline)) = (&self.phase, self.outline.as_mut()) {
            store.outline_follows_merge(Arc::make_mut(outline), &written);
        }
        self.elements = ElementsOnDemand::after_write(std::mem::take(&mut written.links));
        self.stats = OnceCell::new();
        self.recount |= self.counting;
        self.near_writes += 1;
        self.lint = OnceCell::from(None);
        self.counted = None;
        let followed = self.copies_follow_merge(keep, merge);
        (followed.map(|()| Some(written)), wanted)
    }

    /// After the element `merge` was merged into `keep` in chunks: the copies of records
    /// the panes hold (pane 4's list of bundles, its open bundle's records, the designer's)
    /// lose `merge`, and read again the records of theirs that referenced it, and `keep`.
    fn copies_follow_merge(&mut self, keep: &str, merge: &str) -> Result<(), StoreError> {
        use crate::model::Kind;
        let Phase::Waiting(store) = &self.phase else {
            return Ok(());
        };
        let list = self.bundles.get_mut().and_then(Option::as_mut);
        let copies = [list, self.bundle_near.as_mut(), self.form_near.as_mut()];
        for copy in copies.into_iter().flatten() {
            let mut stale: Vec<(Kind, String)> = (copy.referrers(Kind::Element, merge))
                .map(|r| (r.kind, r.code.to_string()))
                .collect();
            stale.dedup();
            if copy.get(Kind::Element, keep).is_some() {
                stale.push((Kind::Element, keep.to_string()));
            }
            copy.remove(Kind::Element, merge);
            for (kind, code) in stale {
                if let Some(record) = store.record(kind, &code)? {
                    copy.insert(record);
                }
            }
        }
        Ok(())
    }

    /// After a write over the records `near` names that upserted `changed` and deleted
    /// `deleted`: pane 4's list of bundles (with what they reference) and the other panes'
    /// copies (the open bundle's records, the designer's) follow the records changed (a
    /// deleted one leaves them; a changed one they hold is replaced, a bundle bringing what
    /// it references, read from the store where they lack it; a new bundle joins the list);
    /// after a bundle's change the lint counts are read again (the store followed its items'
    /// forms' conditions in its file; counts made here without one are counted again).
    fn copies_follow(
        &mut self,
        changed: &[(crate::model::Kind, String)],
        deleted: &[(crate::model::Kind, String)],
        near: Near,
    ) -> Result<(), StoreError> {
        use crate::model::{Kind, RecordRef};
        let Phase::Waiting(store) = &self.phase else {
            return Ok(());
        };
        let written = match near {
            Near::Form => self.form_near.as_ref(),
            Near::Edit => self.edit_near.as_ref(),
            Near::Bundle => self.bundle_near.as_ref(),
            Near::List => self.bundles.get().and_then(Option::as_ref),
            Near::Import => self.import_near.as_ref(),
        };
        let records: Vec<crate::model::Record> = changed
            .iter()
            .filter_map(|(kind, code)| written?.get(*kind, code))
            .map(RecordRef::to_record)
            .collect();
        let list = (self.bundles.get_mut().and_then(Option::as_mut)).filter(|_| near != Near::List);
        // (the records written over follow by themselves)
        let open = self.bundle_near.as_mut().filter(|_| near != Near::Bundle);
        let designed = self.form_near.as_mut().filter(|_| near != Near::Form);
        for (copy, is_list) in [(list, true), (open, false), (designed, false)] {
            let Some(copy) = copy else { continue };
            for (kind, code) in deleted {
                copy.remove(*kind, code);
            }
            for record in &records {
                let (kind, code) = (record.kind(), record.code());
                let listed = is_list && kind == Kind::Bundle;
                if listed || copy.get(kind, code).is_some() {
                    if kind == Kind::Bundle {
                        store.add_near(copy, record.as_ref(), None)?;
                    }
                    copy.insert(record.clone());
                }
            }
        }
        let bundles = changed.iter().chain(deleted);
        if bundles.into_iter().any(|(kind, _)| *kind == Kind::Bundle) {
            self.lint = OnceCell::new();
            self.counted = None;
        }
        Ok(())
    }

    /// Writes `batch` over the records `near` names, without the catalog (see
    /// [`UnloadedStore::apply_near`]): the outline and the element links follow in place,
    /// pane 2's other readings (the search index) and the statistics are read again (the
    /// statistics are no longer cached), and a count of warnings under way, which read
    /// the forms before the change, is counted again. `Ok(None)`: nothing done.
    fn near_write(&mut self, batch: Batch, near: Near) -> Result<Option<NearWritten>, StoreError> {
        let Some((store, near, outline, held)) = self.near_parts(near) else {
            return Ok(None);
        };
        let Some(mut written) =
            store.apply_near_holding(batch, near, outline, held, &mut |_, _| {})?
        else {
            return Ok(None);
        };
        self.near_written(&mut written);
        Ok(Some(written))
    }

    /// What a write over the records `near` names goes through: the open store, those
    /// records, the outline and the element links held, which the write takes (none left
    /// behind: they are read again if it fails). `None`: not open on demand.
    fn near_parts(
        &mut self,
        near: Near,
    ) -> Option<(
        &mut UnloadedStore,
        &mut Catalog,
        &mut Outline,
        Option<crate::model::ElementLinks>,
    )> {
        let near = match near {
            Near::Form => self.form_near.as_mut(),
            Near::Edit => self.edit_near.as_mut(),
            Near::Bundle => self.bundle_near.as_mut(),
            Near::List => self.bundles.get_mut().and_then(Option::as_mut),
            Near::Import => self.import_near.as_mut(),
        };
        let (Phase::Waiting(store), Some(near), Some(outline)) =
            (&mut self.phase, near, self.outline.as_mut())
        else {
            return None;
        };
        Some((
            store,
            near,
            Arc::make_mut(outline),
            self.elements.take_links(),
        ))
    }

    /// After a write through [`Loading::near_parts`]: the element links it followed are
    /// held again, and what it changed is read again (see [`Loading::near_write`]).
    fn near_written(&mut self, written: &mut NearWritten) {
        if written.applied.is_noop() {
            self.elements
                .put_back_links(std::mem::take(&mut written.links).held());
        } else {
            self.elements = ElementsOnDemand::after_write(std::mem::take(&mut written.links));
            self.stats = OnceCell::new();
            self.recount |= self.counting;
            self.near_writes += 1;
        }
    }

    /// The records near the record the editor edits ([`Loading::edit_near`]) with what
    /// `record` (the editor's draft) reads when it is checked, read from the open store
    /// where they lack it (see [`UnloadedStore::add_near`]): what the editor validates
    /// with before the catalog. `Ok(None)`: no record is edited so.
    pub fn edit_near_with(
        &mut self,
        record: crate::model::RecordRef<'_>,
    ) -> Result<Option<&Catalog>, StoreError> {
        let (Phase::Waiting(store), Some(near)) = (&self.phase, self.edit_near.as_mut()) else {
            return Ok(None);
        };
        store.add_near(near, record, self.outline.as_deref())?;
        // a new record's code, as typed, is checked against the store's
        if near.get(record.kind(), record.code()).is_none()
            && let Some(found) = store.record(record.kind(), record.code())?
        {
            near.insert(found);
        }
        Ok(Some(near))
    }

    /// Whether pane 3's list works before the catalog is loaded: with lint counts, or with
    /// none yet, to be counted from the open store's records on a worker (a form at a time:
    /// 4.9 s at a million elements, within the memory the list takes).
    pub fn forms_countable(&self) -> bool {
        self.unloaded().is_some() && self.outline.is_some()
    }

    /// Whether pane 3's designer can open a form before the catalog is loaded: its list
    /// works on demand (its warnings counted or being counted), and the store's element
    /// links are cached (what finds the elements under the form's elements, which its
    /// preview shows).
    pub fn forms_open_on_demand(&self) -> bool {
        self.forms_countable() && self.element_links().is_some()
    }

    /// The open store's cached element links, read once (`None`: the store is not open on
    /// demand, or has no sound links cached).
    pub fn element_links(&self) -> Option<&crate::model::ElementLinks> {
        self.elements.links(self.unloaded()?)
    }

    /// Whether the element links are held in memory (read, and not let go since).
    pub fn holds_element_links(&self) -> bool {
        self.elements.holds_links()
    }

    /// Lets the element links read so far go (read again from `links.idx` when next
    /// needed), unless a worker shares them: room for an index.
    pub fn release_element_links(&mut self) {
        drop(self.elements.take_links());
    }

    /// The same links, shared with a worker.
    pub fn shared_element_links(&self) -> Option<Arc<crate::model::ElementLinks>> {
        self.elements.shared_links(self.unloaded()?)
    }

    /// The bundles pane 4's list shows before the catalog is loaded: every bundle with what
    /// it references, read from the open store while it waits for something to need its
    /// catalog (a few records a bundle). `None`: the store is not open on demand, or could
    /// not be read (the catalog's load then says why).
    pub fn bundles_on_demand(&self) -> Option<&Catalog> {
        let store = self.unloaded()?;
        self.outline.as_ref()?;
        self.bundles
            .get_or_init(|| store.bundles_catalog().ok())
            .as_ref()
    }

    /// What pane 4 shows before the catalog is loaded: the records of the bundle `open`
    /// (see [`Loading::bundle_near`]), else the bundles with what they reference.
    pub fn bundles_shown(&self, open: bool) -> Option<&Catalog> {
        if open {
            self.bundle_near.as_ref()
        } else {
            self.bundles_on_demand()
        }
    }

    /// The element `code` as pane 2 shows it, read from the open store while the catalog
    /// waits to be needed (see [`ElementsOnDemand::element`]). `None`: the store is not open
    /// on demand, or has no such element. `Err`: the store could not be read.
    pub fn element_shown(&self, code: &str, lang: Lang) -> Option<Result<ElementShown, String>> {
        let store = self.unloaded()?;
        self.elements
            .element(store, self.outline.as_deref()?, code, lang)
    }

    /// The records uses rows `range` of `view` are formatted from, read from the open store
    /// while the catalog waits to be needed (`None`: it is not open on demand).
    pub fn uses_rows(
        &self,
        view: &UsesView,
        range: std::ops::Range<usize>,
    ) -> Option<Result<Arc<Catalog>, String>> {
        Some(self.elements.rows(self.unloaded()?, view, range))
    }

    /// "Loading… N of M records", or, while the catalog waits to be needed, that it does.
    pub fn progress_text(&self, lang: Lang) -> String {
        if let Some(doing) = &self.lent_for {
            return match self.lent_progress {
                None => doing.clone(),
                Some((done, total)) if done < total => lang.pick(
                    format!("{doing}（已暂存 {done} / {total} 条记录）"),
                    format!("{doing} ({done} of {total} records staged)"),
                ),
                Some((_, total)) => lang.pick(
                    format!("{doing}（{total} 条记录已暂存，正在写入）"),
                    format!("{doing} (all {total} records staged; writing)"),
                ),
            };
        }
        let done = self.done;
        if self.deferred() {
            let total = self.outline.as_ref().map_or(0, |o| o.records);
            return lang.pick(
                format!("目录未载入（{total} 条记录），需要时载入"),
                format!("catalog not loaded ({total} records): it loads when needed"),
            );
        }
        match self.outline.as_ref().map(|o| o.records) {
            Some(total) if total > 0 => {
                let percent = (done.min(total) * 100) / total;
                lang.pick(
                    format!("正在载入目录……{done} / {total} 条记录（{percent}%）"),
                    format!("loading the catalog… {done} of {total} records ({percent}%)"),
                )
            }
            _ => lang.pick(
                format!("正在载入目录……已载入 {done} 条记录"),
                format!("loading the catalog… {done} records so far"),
            ),
        }
    }

    /// What an action that needs the whole catalog is told meanwhile.
    pub fn wait_text(&self, lang: Lang) -> String {
        format!(
            "{}{}",
            self.progress_text(lang),
            lang.pick("：此操作需要整个目录", ": this needs the whole catalog")
        )
    }
}

/// Whether an event asks to leave while loading.
fn is_quit(event: &AppEvent) -> bool {
    match event {
        AppEvent::Signal(_) => true,
        AppEvent::Term(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
                || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL))
        }
        _ => false,
    }
}

/// Whether `action`, in pane 4 (`bundles`) before the catalog is loaded, changes the open
/// bundle alone, so that it is written over the records read near it (see
/// `tui::bundle_on_demand`): its name, its lead agency, a question added, edited or
/// removed, an item's order, condition or materials (in the materials editor, every key),
/// items put in (the picker) or taken out, the steps of its workflow, and a fix of the merge
/// (in the fix dialog, every key); and from the list, a new or claimed bundle.
pub fn edits_bundle_near(action: Action, bundles: &super::panes::bundles::BundlesPane) -> bool {
    use super::panes::bundles::Focus;
    use Action::*;
    // from the list: a new bundle, or one claimed from the selected template (coded among
    // the bundles the list read)
    let Some(work) = &bundles.work else {
        return matches!(action, BundleNew | BundleClaim);
    };
    // the materials editor and the fix dialog take every key
    if bundles.materials.is_some() || bundles.chooser.is_some() {
        return true;
    }
    match action {
        // a question, or items (the picker searches the outline's; their records are read
        // once they are in)
        BundleAdd => work.focus != Focus::Right,
        // the fix dialog of the selected field (a fix binds, relabels or marks its forms)
        BundleOpen => work.focus == Focus::Right,
        MergeFix => true,
        BundleRename | BundleLead | BundleRemove | BundleMoveUp | BundleMoveDown
        | BundleCondition | BundleMaterials | BundleSubmit | BundleReturn | BundlePublish => true,
        // the flow's exports, written from the open bundle's records (a file, no record)
        FlowExportDot | FlowExportMermaid => true,
        _ => false,
    }
}

/// Whether an action can run before the catalog is in: leaving, help, switching panes, and
/// in pane 1 moving through the outline's tree (grouping, lists, filter) and scrolling the
/// detail (read from the store when the catalog loads on demand).
pub fn works_while_loading(action: Action, pane: Pane) -> bool {
    use Action::*;
    let anywhere = matches!(
        action,
        Quit | Help | Palette | PaneNext | PanePrev | Pane1 | Pane2 | Pane3 | Pane4 | Pane5 | Back
    );
    let tree = matches!(
        action,
        SelectNext
            | SelectPrev
            | PageDown
            | PageUp
            | SelectFirst
            | SelectLast
            | Open
            | Expand
            | Collapse
            | ExpandAll
            | CollapseAll
            | Parent
            | CycleGrouping
            | NextList
            | PrevList
            | Filter
            | NextMatch
            | PrevMatch
            | DetailDown
            | DetailUp
    );
    anywhere || (pane == Pane::Catalog && tree)
}

/// Opens the store and loads its catalog on a thread, reporting progress and then the
/// store (or why it failed) to the app. The loaded catalog's outline is cached for the next
/// start unless `shown` (the cached outline the tree was drawn from) already is it.
/// When the catalog is `deferred` (see [`Loading::deferred`]), the thread only opens the
/// store and hands it over ([`AppEvent::Opened`]); `App::want_catalog` loads it later.
pub fn spawn(
    locked: LockedStore,
    tx: Sender<AppEvent>,
    shown: Option<Arc<Outline>>,
    deferred: bool,
) {
    std::thread::spawn(move || {
        test_delay();
        if deferred {
            let opened = locked.open().map(Box::new);
            let _ = tx.send(AppEvent::Opened(Box::new(opened)));
            return;
        }
        let result = locked
            .open()
            .and_then(|unloaded| load(unloaded, &tx, shown));
        // the app may have quit meanwhile; nobody is left to tell
        let _ = tx.send(AppEvent::Loaded(Box::new(result)));
    });
}

/// Loads an open store's catalog on a thread (as [`spawn`] does after opening).
fn spawn_load(unloaded: UnloadedStore, tx: Sender<AppEvent>, shown: Option<Arc<Outline>>) {
    std::thread::spawn(move || {
        let result = load(unloaded, &tx, shown);
        let _ = tx.send(AppEvent::Loaded(Box::new(result)));
    });
}

/// Debug builds only: `YIBIAO_TEST_LOAD_DELAY_MS=N` holds the loader back N ms (at most a
/// minute), so the tests see the outline's tree while the catalog loads.
#[cfg(debug_assertions)]
fn test_delay() {
    let ms = std::env::var("YIBIAO_TEST_LOAD_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = ms {
        std::thread::sleep(Duration::from_millis(ms.min(60_000)));
    }
}

/// Release builds: no test delay.
#[cfg(not(debug_assertions))]
fn test_delay() {}

fn load(
    unloaded: UnloadedStore,
    tx: &Sender<AppEvent>,
    shown: Option<Arc<Outline>>,
) -> Result<SledStore, StoreError> {
    let mut reported = Instant::now();
    let catalog = unloaded.loader().load(|n| {
        if reported.elapsed() >= TICK {
            reported = Instant::now();
            let _ = tx.send(AppEvent::LoadProgress(n));
        }
    })?;
    let mut store = unloaded.with_catalog(catalog)?;
    store.refresh_outline(shown.as_deref());
    Ok(store)
}

/// Draws the loading panel: the title, the store and the progress.
pub fn draw(frame: &mut Frame<'_>, area: Rect, path: &str, loading: &Loading, lang: Lang) {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Fill(1),
    ])
    .areas(area);
    let lines = vec![
        Line::from("yibiao 一表"),
        Line::from(crate::display::inert(path)),
        Line::from(loading.progress_text(lang)),
        Line::from(match loading.lent() {
            // (keys wait for the worker; ctrl-c quits once it is done)
            true => lang.pick(
                "完成后可继续操作；ctrl-c 完成后退出",
                "keys wait until it is done; ctrl-c quits then",
            ),
            false => lang.pick("q 退出", "q quits"),
        }),
    ];
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), middle);
}

impl App {
    /// Decides whether an event is handled now or waits for the catalog; returns it when it
    /// is to be handled now. Without an outline every key waits (`q`, Esc and Ctrl-C leave).
    /// With one, a key whose action needs the catalog waits, and so does every key after it
    /// (typed ahead, handled in order once the catalog is in; Esc drops them, Ctrl-C leaves).
    pub(crate) fn hold_while_loading(&mut self, event: AppEvent) -> Option<AppEvent> {
        let Some(loading) = &self.loading else {
            return Some(event);
        };
        let key = match &event {
            AppEvent::Term(Event::Key(key)) => Some(*key),
            AppEvent::Term(Event::Paste(_)) => None,
            _ => return Some(event),
        };
        let ctrl_c = key.is_some_and(|k| {
            k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
        });
        // the open store is lent to a worker (a merge in chunks): every key waits for it, and
        // is handled once it is back; ctrl-c quits then (the exit waits for the worker). An
        // import's dialog, which reads no store, takes its keys (esc says whether it cancels)
        let importing = matches!(self.overlay, Some(super::app::Overlay::Transfer(_)));
        if loading.lent() && !importing {
            let esc = key.is_some_and(|k| k.code == KeyCode::Esc);
            let loading = self.loading.as_mut()?;
            match (ctrl_c, esc) {
                (true, _) => self.quit = true,
                (_, true) => loading.typed.clear(),
                _ => loading.typed.push(event),
            }
            let n = loading.typed.len();
            let text = self.lang.pick(
                format!("合并完成前不能操作：{n} 个按键在等待（esc 取消）"),
                format!("busy merging: {n} key(s) wait for it (esc drops them)"),
            );
            self.say(Level::Info, text);
            return None;
        }
        if loading.outline.is_none() {
            if is_quit(&event) {
                self.quit = true;
            } else {
                self.wait_for_catalog(event);
            }
            return None;
        }
        if loading.typed.is_empty() && !self.needs_catalog(key) {
            return Some(event);
        }
        if ctrl_c {
            self.quit = true;
        } else if key.is_some_and(|k| k.code == KeyCode::Esc) {
            let dropped = self.loading.as_mut().map_or(0, |l| {
                let n = l.typed.len();
                l.typed.clear();
                n
            });
            let text = self.lang.pick(
                format!("已取消等待目录的 {dropped} 个按键"),
                format!("dropped {dropped} key(s) waiting for the catalog"),
            );
            self.say(Level::Info, text);
        } else {
            self.wait_for_catalog(event);
        }
        None
    }

    /// Whether a key, handled now, would run an action that needs the whole catalog (a key
    /// typed into an open prompt or overlay never does: those work on what is there).
    fn needs_catalog(&self, key: Option<crossterm::event::KeyEvent>) -> bool {
        let Some(key) = key else {
            return false;
        };
        let typing = match self.pane {
            Pane::Catalog => self.catalog.filter_input.is_some(),
            Pane::Elements => self.elements.typing,
            // a prompt, or sample values typed into the designer's preview
            Pane::Forms => self.forms.wants_text(),
            // a prompt or a picker of pane 4 (its picker opens only with the catalog)
            Pane::Bundles => self.bundles.wants_text(),
            _ => false,
        };
        if self.overlay.is_some() || typing {
            return false;
        }
        let mut pending = self.pending.clone();
        pending.push(Key::from_event(&key));
        match self.config.keymap.lookup(&pending, self.scopes()) {
            Lookup::Action(action) => !self.works_before_the_catalog(action),
            _ => false,
        }
    }

    /// Whether `action` can run now, before the catalog is in: as [`works_while_loading`]
    /// says, and, while the open store waits for something to need its catalog, pane 1's
    /// history of the selected record (read from the store's audit log).
    pub(crate) fn works_before_the_catalog(&self, action: Action) -> bool {
        use Action::*;
        let Some(loading) = &self.loading else {
            return true;
        };
        if works_while_loading(action, self.pane) {
            return true;
        }
        // an export reads the open store a record at a time, an import is checked against
        // the records it touches and written over them (see `App::transfer_start`)
        if matches!(action, ExportFile | ImportFile) && loading.unloaded().is_some() {
            return true;
        }
        // a pane on demand is read: moving in its list and going back work
        let reading = matches!(
            action,
            SelectNext | SelectPrev | PageDown | PageUp | SelectFirst | SelectLast | Back
        );
        // pane 5 on demand: its own actions from anywhere, and reading it
        if loading.stats_on_demand().is_some() || loading.stats_countable() {
            if super::panes::stats::handles(action) {
                return true;
            }
            if self.pane == Pane::Stats {
                return reading;
            }
        }
        // the editor over the records near its record: moving through it and saving
        if self.editor.is_some() && loading.edit_near.is_some() {
            return matches!(action, Save | NextField | PrevField | PickElement);
        }
        match self.pane {
            // pane 1 on demand: the selected record's history (read from the audit log), its
            // editor, a new one, a copy or a delete, its workflow, its comparison with its
            // template and a claim of it (over the records near it)
            Pane::Catalog => {
                use crate::model::Kind;
                let kind = match self.selected_id() {
                    Some(super::tree::NodeId::Record(kind, _)) => Some(kind),
                    _ => None,
                };
                // (on a heading, or no row, each says so or does nothing)
                let edits = matches!(
                    action,
                    Edit | Copy | Delete | Submit | Return | Publish | TemplateClaim
                ) && kind
                    .is_none_or(|k| matches!(k, Kind::Item | Kind::Material | Kind::Bundle));
                // under an item, or one of the list's kind
                let adds = action == Add;
                // (a record the outline lists, or the message that it is none)
                let compares = action == TemplateCompare;
                // a new form for the item, in pane 3's designer over the records near it
                let form = action == FormForItem
                    && kind == Some(Kind::Item)
                    && loading.forms_open_on_demand();
                let near = matches!(action, Add | Copy | TemplateCompare | TemplateClaim);
                (action == History || edits || adds || compares || form)
                    && loading.unloaded().is_some()
                    && (!near || loading.outline.is_some())
            }
            // pane 3 on demand: the list, moving and filtering it, a form's history (read from
            // the audit log) and opening a form (when the element links are cached): moving in
            // the designer, its warnings, its preview, the edits that need no other record and
            // saving them (a new name and item too), binding and the workflow (see
            // `form_on_demand`)
            Pane::Forms if loading.forms_countable() => match &self.forms.designer {
                None => {
                    reading
                        || matches!(action, FormFilter | FormHistory)
                        // opening a form, or a new one (its item chosen from the outline's)
                        || (matches!(action, FormOpen | FormNew) && loading.forms_open_on_demand())
                        // the workflow, over the selected form's own records
                        || (matches!(action, FormSubmit | FormReturn | FormPublish)
                            && loading.forms_on_demand().is_some())
                }
                Some(d) => {
                    let Some(near) = loading.form_near.as_ref() else {
                        return false;
                    };
                    match &d.chooser {
                        // the condition chooser: ticking and taking the answers
                        Some(_) => {
                            reading || matches!(action, FormRequired | FormOpen | FormCondition)
                        }
                        None => {
                            reading
                                || matches!(
                                    action,
                                    FormWarningsDown
                                        | FormWarningsUp
                                        | FormPreview
                                        | FormHistory
                                        | FormMoveUp
                                        | FormMoveDown
                                        | FormMoveSection
                                        | FormRequired
                                        | FormUnbind
                                        | FormRemove
                                        | FormUndo
                                        | FormRedo
                                        | FormLabel
                                        | FormHelp
                                        | FormAddUnbound
                                        | FormAddSection
                                        | FormCondition
                                        | FormItem
                                        | FormSubmit
                                        | FormReturn
                                        | FormPublish
                                )
                                || (action == FormSave
                                    && super::panes::form_on_demand::saves_near(d, near))
                                // binding: the picker searches pane 2's index, read from
                                // the store's
                                || (matches!(action, FormBind | FormAddField)
                                    && loading.elements_on_demand())
                        }
                    }
                }
            },
            // pane 4 on demand: the list, moving in it and scrolling its detail, and opening
            // a bundle: its answers, the forms left out, the focus and the views; a new
            // bundle, claiming a template and whatever edits the open one need the catalog
            Pane::Bundles if loading.bundles_on_demand().is_some() => {
                let b = &self.bundles;
                // the edits of the open bundle alone, over its records
                if b.prompt.is_none() && loading.edits_bundles_near(action, b) {
                    return true;
                }
                let overlay = b.prompt.is_some()
                    || b.chooser.is_some()
                    || b.picker.is_some()
                    || b.lead.is_some()
                    || b.materials.is_some();
                // the history (read from the audit log) and the comparison with the
                // template (over the records it reads), of the selected or the open bundle
                if matches!(action, BundleHistory | BundleCompare)
                    && (b.work.is_none() || loading.bundle_near.is_some())
                    && (action == BundleHistory || loading.outline.is_some())
                {
                    return true;
                }
                let open = match &b.work {
                    None => matches!(action, BundleDetailDown | BundleDetailUp | BundleOpen),
                    Some(w) => {
                        loading.bundle_near.is_some()
                            && match action {
                                BundleOpen => w.focus != super::panes::bundles::Focus::Right,
                                MergeToggle | MergeFocusNext | MergeFocusPrev | MergeView => true,
                                _ => false,
                            }
                    }
                };
                !overlay && (reading || open)
            }
            // pane 2 on demand: searching, moving and reading; the list of an element's uses
            // and a jump from it; an element's history, its workflow, the editor over the records near it, the duplicates and
            // a merge into another
            Pane::Elements if loading.elements_on_demand() => match action {
                _ if self.editor.is_some() => false,
                // the uses open, and a use goes to its item, material or bundle in pane 1's
                // tree (drawn from the outline) or to its element
                ElementOpen => true,
                ElementSearch | ElementDetailDown | ElementDetailUp | ElementHistory => true,
                // (from the duplicates view too: it is found again, on demand, once saved)
                ElementAdd | ElementEdit | ElementSubmit | ElementReturn | ElementPublish => true,
                // the duplicates, read from the store a record at a time
                ElementDups | ElementSwap => true,
                // a merge of the selected element into one the picker finds, or of the
                // selected pair, over the records that reference the one merged (unless
                // they are too many)
                ElementMerge => {
                    let merged = match &self.elements.dups {
                        None => self.selected_element(),
                        Some(d) => (d.pairs.as_ref())
                            .and_then(|p| p.get(d.selected))
                            .map(|p| p.merge.clone()),
                    };
                    merged.is_some() && self.merges_on_demand()
                }
                _ => reading,
            },
            _ => false,
        }
    }

    /// Whether the pane on screen works before the catalog is loaded: pane 1 always (from
    /// the outline), panes 2, 3 and 5 when the store is open on demand with their caches (or,
    /// while it opens, may be: [`App::opened`] decides).
    pub(crate) fn pane_works_unloaded(&self) -> bool {
        let Some(loading) = &self.loading else {
            return false;
        };
        let opening = matches!(loading.phase, Phase::Opening { wanted: false });
        match self.pane {
            Pane::Catalog => true,
            Pane::Elements => loading.elements_on_demand() || opening,
            Pane::Stats => {
                loading.stats_on_demand().is_some() || loading.stats_countable() || opening
            }
            Pane::Forms => {
                let open = self.forms.designer.is_some();
                (loading.forms_countable() && (!open || loading.form_near.is_some())) || opening
            }
            Pane::Bundles => {
                let open = self.bundles.work.is_some();
                (loading.bundles_on_demand().is_some() && (!open || loading.bundle_near.is_some()))
                    || opening
            }
        }
    }

    /// Starts loading the catalog if it waits to be needed (see [`Loading::on_demand`]);
    /// if the store is still opening, it loads as soon as it is open.
    pub fn want_catalog(&mut self) {
        let tx = self.sender();
        let Some(loading) = &mut self.loading else {
            return;
        };
        match std::mem::replace(&mut loading.phase, Phase::Loading) {
            Phase::Waiting(unloaded) => {
                spawn_load(*unloaded, tx, loading.outline.clone());
                self.dirty = true;
            }
            Phase::Opening { .. } => loading.phase = Phase::Opening { wanted: true },
            // (it loads once the worker has given the store back)
            Phase::Lent { .. } => loading.phase = Phase::Lent { wanted: true },
            Phase::Loading => {}
        }
    }

    /// The store opened for an on-demand session: it waits for something to need its
    /// catalog, unless something already did; the keys typed while it opened are handled
    /// then, in order (each loads the catalog only if it needs it).
    pub(crate) fn opened(&mut self, result: Result<Box<UnloadedStore>, StoreError>) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        match result {
            Ok(unloaded) => {
                let wanted = matches!(loading.phase, Phase::Opening { wanted: true });
                loading.phase = Phase::Waiting(unloaded);
                let typed = std::mem::take(&mut loading.typed);
                if wanted || !self.pane_works_unloaded() {
                    self.want_catalog();
                } else {
                    // pane 2, 3 or 5, entered while the store opened, works from its caches
                    self.refresh_pane(self.pane == Pane::Stats);
                }
                if !typed.is_empty() {
                    self.message = None;
                }
                for event in typed {
                    self.handle(event);
                }
                self.dirty = true;
            }
            Err(e) => {
                self.failure = Some(e);
                self.quit = true;
            }
        }
    }

    /// The user paused: the open store whose catalog waits to be needed closes its database
    /// and opens it again if its handles read a scan's worth since it was opened and none
    /// holds it any longer (a tenth of a second at a million elements; see
    /// `store::sled_store::reopen`): what sled kept of the pages read is given back. An
    /// error opening it again ends the session as one opening it at the start does.
    pub fn reopen_store_if_worth_it(&mut self) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        if !loading
            .unloaded()
            .is_some_and(UnloadedStore::worth_reopening)
        {
            return;
        }
        if let Phase::Waiting(store) = std::mem::replace(&mut loading.phase, Phase::Loading) {
            match store.reopened(crate::memory::give_back) {
                Ok(store) => loading.phase = Phase::Waiting(Box::new(store)),
                Err(e) => {
                    self.failure = Some(e);
                    self.quit = true;
                }
            }
        }
    }

    /// The open store whose catalog was never loaded, taken out at exit to be closed.
    pub fn take_unloaded(&mut self) -> Option<UnloadedStore> {
        let loading = self.loading.as_mut()?;
        match std::mem::replace(&mut loading.phase, Phase::Loading) {
            Phase::Waiting(unloaded) => Some(*unloaded),
            other => {
                loading.phase = other;
                None
            }
        }
    }

    /// Holds `event` (and, from then on, every key after it) for the catalog. Before the
    /// store is open whether it needs the catalog is not known yet (panes 2–5 work from the
    /// caches beside the store once it is open): it waits for the store instead, and is
    /// handled, or waits for the catalog, once the store is open (see [`App::opened`]).
    fn wait_for_catalog(&mut self, event: AppEvent) {
        let opening = self
            .loading
            .as_ref()
            .is_some_and(|l| matches!(l.phase, Phase::Opening { .. }));
        if !opening {
            self.want_catalog();
        }
        let Some(loading) = &mut self.loading else {
            return;
        };
        loading.typed.push(event);
        if loading.outline.is_some() {
            let n = loading.typed.len();
            let text = if opening {
                self.lang.pick(
                    format!("正在打开存储：{n} 个按键在等待（esc 取消）"),
                    format!("opening the store: {n} key(s) wait for it (esc drops them)"),
                )
            } else {
                format!(
                    "{}{}",
                    loading.progress_text(self.lang),
                    self.lang.pick(
                        format!("：{n} 个按键在等待目录（esc 取消）"),
                        format!(": {n} key(s) wait for it (esc drops them)"),
                    )
                )
            };
            self.say(Level::Info, text);
        }
    }

    /// The store is open and loaded (or failed to): the full app takes over, with the
    /// tree rebuilt from the catalog keeping what was done to the outline's meanwhile, and
    /// the events that waited handled in order.
    pub(crate) fn loaded(&mut self, result: Result<SledStore, StoreError>) {
        let Some(loading) = self.loading.take() else {
            return;
        };
        match result {
            Ok(store) => {
                self.store_path = store.path().display().to_string();
                self.store = Some(Box::new(store));
                self.rebuild_tree(None);
                self.forms_loaded();
                self.refresh_pane(true);
                // a "loading…, this needs the whole catalog" message no longer holds
                let prefix = self.lang.pick("正在载入目录", "loading the catalog");
                if self
                    .message
                    .as_ref()
                    .is_some_and(|m| m.text.starts_with(prefix))
                {
                    self.message = None;
                }
                super::draft::offer(self);
                self.dirty = true;
                // an import that waited for the catalog is written over it
                self.import_after_load();
                for event in loading.typed {
                    self.handle(event);
                }
            }
            Err(e) => {
                self.failure = Some(e);
                self.quit = true;
            }
        }
    }
}

mod import_near;
pub use import_near::{ImportLoan, ImportWritten};

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn loading(records: usize, done: usize) -> Loading {
        let mut outline = Outline::default();
        outline.records = records;
        let mut loading = Loading::new(Some(outline));
        loading.done = done;
        loading
    }

    #[test]
    fn the_loading_panel_names_the_store_and_the_count_even_when_tiny() {
        let mut terminal = Terminal::new(TestBackend::new(60, 8)).unwrap();
        let without = loading(0, 40960);
        assert!(without.outline.is_none(), "an empty outline is no outline");
        terminal
            .draw(|f| draw(f, f.area(), "/data/省级目录", &without, Lang::Zh))
            .unwrap();
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .filter(|s| *s != " ")
            .collect();
        assert!(text.contains("已载入40960条记录"), "{text}");
        assert!(text.contains("省级目录"), "{text}");
        let mut tiny = Terminal::new(TestBackend::new(1, 1)).unwrap();
        tiny.draw(|f| draw(f, f.area(), "/x", &without, Lang::En))
            .unwrap();
    }

    #[test]
    fn the_catalog_waits_to_be_needed_only_in_a_big_store_with_an_outline_and_no_draft() {
        let sample = Outline::of(&crate::sample::generate(1));
        let outline = |records| {
            let mut o = sample.clone();
            o.records = records;
            Some(o)
        };
        let big = ON_DEMAND_FROM;
        assert!(Loading::starting(outline(big), CatalogLoad::Auto, false).deferred());
        assert!(!Loading::starting(outline(big - 1), CatalogLoad::Auto, false).deferred());
        assert!(!Loading::starting(outline(big), CatalogLoad::Auto, true).deferred());
        assert!(!Loading::starting(outline(big), CatalogLoad::AtStart, false).deferred());
        assert!(Loading::starting(outline(3), CatalogLoad::OnDemand, false).deferred());
        assert!(!Loading::starting(None, CatalogLoad::OnDemand, false).deferred());
        let waiting = Loading::starting(outline(big), CatalogLoad::Auto, false);
        assert_eq!(
            waiting.progress_text(Lang::En),
            format!("catalog not loaded ({big} records): it loads when needed")
        );
        assert!(waiting.unloaded().is_none(), "not open yet");
    }

    #[test]
    fn progress_counts_against_the_outlined_total() {
        let l = loading(1_306_074, 653_037);
        assert_eq!(
            l.progress_text(Lang::En),
            "loading the catalog… 653037 of 1306074 records (50%)"
        );
        assert!(l.wait_text(Lang::Zh).ends_with("此操作需要整个目录"));
    }

    #[test]
    fn quit_keys_and_signals_end_loading_other_keys_wait() {
        use crossterm::event::KeyEvent;
        let key = |code, modifiers| AppEvent::Term(Event::Key(KeyEvent::new(code, modifiers)));
        assert!(is_quit(&key(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(is_quit(&key(KeyCode::Esc, KeyModifiers::NONE)));
        assert!(is_quit(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(is_quit(&AppEvent::Signal(15)));
        assert!(!is_quit(&key(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(!is_quit(&key(KeyCode::Down, KeyModifiers::NONE)));
    }

    #[test]
    fn the_tree_moves_while_loading_but_nothing_that_needs_the_catalog() {
        for a in [Action::SelectNext, Action::CycleGrouping, Action::Filter] {
            assert!(works_while_loading(a, Pane::Catalog), "{a:?}");
            assert!(!works_while_loading(a, Pane::Elements), "{a:?}");
        }
        for a in [
            Action::Edit,
            Action::Delete,
            Action::History,
            Action::ImportFile,
        ] {
            assert!(!works_while_loading(a, Pane::Catalog), "{a:?}");
        }
        for pane in [Pane::Catalog, Pane::Stats] {
            assert!(works_while_loading(Action::Pane2, pane));
            assert!(works_while_loading(Action::Quit, pane));
        }
    }
}
