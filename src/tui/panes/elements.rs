//! Pane 2, 数据元: the element pool. A query line on top (searched on a worker thread, a newer
//! keystroke cancels the older search), the results (code, name, kind, use count, status),
//! the selected element's detail and its where-used list (Enter on a use jumps there), the
//! duplicates view (清洗比对) with a confirmed merge, and add / edit / workflow keys.
//!
//! The search index is built off the UI thread when the pane is first opened and rebuilt
//! after a change to elements; results and indexes come back as [`ElementsEvent`]s.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::display::{inert, pad, width};
use crate::engine::dups::{self, ElementPair};
use crate::engine::search::{Hit, SearchIndex};
use crate::engine::usage::usage;
use crate::engine::validate;
use crate::engine::workflow::{self, Transition};
use crate::i18n::Lang;
use crate::model::{Catalog, Element, ElementKind, Kind, Record, RecordRef};
use crate::store::{Batch, SearchRows, Store};
use crate::tui::action::{Action, Scope};
use crate::tui::app::{App, AppEvent, Confirm, Level, Overlay, Pane};
use crate::tui::detail::named;
use crate::tui::hints::{Hint, border_hints};
use crate::tui::keymap::{Key, Lookup};
use crate::tui::picker::{self, ElementSearch, PickPurpose, Target};
use crate::tui::text::{border_set, fit, wrap_columns};
use crate::tui::theme::Slot;
use crate::tui::view::key_of;

use super::element_uses::{Jump, UsesMemo, UsesView};

/// A write that changed more search rows than this (an import) has pane 2's index read
/// again rather than patched: each row patched reads a few codes from the index's file to
/// find its rank.
const PATCH_AT_MOST: usize = 8192;

/// Pane 2's index whose text is left in its file keeps the strings of the rows patched in
/// memory, after it; past this many bytes the next write has it read again instead.
const APPENDED_AT_MOST: usize = 16 << 20;

/// A finished job of pane 2.
pub enum ElementsEvent {
    /// The search index was read or built, with its
    /// [`CacheRead::cacheable_at`](crate::store::CacheRead::cacheable_at).
    Index(Arc<SearchIndex>, Option<u64>),
    /// Before the catalog was loaded, the cached search index could not be read: the
    /// catalog is loaded to build it.
    NoCachedIndex,
    /// A search finished (`hits` is `None` when a newer query cancelled it).
    Hits {
        /// Whose search.
        target: Target,
        /// The generation it was started in.
        generation: u64,
        /// Best first.
        hits: Option<Vec<Hit>>,
    },
    /// The duplicate finder finished (`Err`: the store could not be read, and why).
    Dups(Result<FoundPairs, String>),
}

/// What the duplicate finder found.
pub struct FoundPairs {
    /// The best pairs, best first.
    pairs: Vec<ElementPair>,
    /// How many pairs were found.
    found: usize,
    /// Before the catalog is loaded: the elements the pairs name, read from the store.
    named: Option<Arc<Catalog>>,
}

/// Which list of pane 2 has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The results (or the duplicate pairs).
    Results,
    /// The selected element's where-used list.
    Uses,
}

/// The duplicates view.
#[derive(Default)]
pub struct DupsView {
    /// The pairs, best first; `None` while the finder runs.
    pub pairs: Option<Vec<ElementPair>>,
    /// How many pairs the finder found (it keeps the best [`dups::PAIRS_KEPT`]).
    pub found: usize,
    /// The selected pair.
    pub selected: usize,
    /// The first pair drawn.
    pub offset: usize,
    /// Before the catalog is loaded: the elements the pairs name, read from the store (what
    /// the list and the comparison show them from).
    pub named: Option<Arc<Catalog>>,
}

impl DupsView {
    /// Drops the pairs that name `code` (merged away), keeping the selection on the pair
    /// after the one dropped: the list goes on while the finder runs again.
    pub(crate) fn forget(&mut self, code: &str) {
        let Some(pairs) = &mut self.pairs else { return };
        let before = pairs.len();
        let above = (pairs.iter().take(self.selected))
            .filter(|p| p.keep == code || p.merge == code)
            .count();
        pairs.retain(|p| p.keep != code && p.merge != code);
        self.found = self.found.saturating_sub(before - pairs.len());
        self.selected = (self.selected - above).min(pairs.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }
}

/// Pane 2's state.
pub struct ElementsPane {
    /// The search index, once built.
    pub index: Option<Arc<SearchIndex>>,
    /// The query line and results.
    pub search: ElementSearch,
    /// Keys go to the query line.
    pub typing: bool,
    /// Which list has the keys.
    pub focus: Focus,
    /// The selected use in the where-used list.
    pub use_selected: usize,
    /// The duplicates view, when open.
    pub dups: Option<DupsView>,
    /// The selected element's where-used rows, remembered.
    pub uses: UsesMemo,
    indexing: bool,
    stale: bool,
    /// The duplicate finder is running (one at a time: at a million elements a run takes most
    /// of a minute, and each merge in the view asks for another).
    dups_running: bool,
    /// The catalog changed (or the view reopened) while it ran: run it again when it ends.
    dups_again: bool,
    /// When the index was read from the search tree with no write during the reading: the
    /// store's write count then, to cache it beside the store at exit.
    cacheable_at: Option<u64>,
    /// The element to select when the next results arrive.
    pub(crate) want: Option<String>,
    /// How far the detail is scrolled (`element_detail_down` / `element_detail_up`).
    pub detail: crate::tui::detail::DetailScroll,
}

impl Default for ElementsPane {
    fn default() -> Self {
        ElementsPane {
            index: None,
            search: ElementSearch::default(),
            typing: false,
            focus: Focus::Results,
            use_selected: 0,
            dups: None,
            uses: UsesMemo::default(),
            indexing: false,
            stale: false,
            dups_running: false,
            dups_again: false,
            cacheable_at: None,
            want: None,
            detail: Default::default(),
        }
    }
}

impl ElementsPane {
    /// Lets the index go (read again when pane 2 or the binding picker next needs it),
    /// unless a reading is under way.
    pub(crate) fn release_index(&mut self) {
        if !self.indexing {
            self.index = None;
            self.cacheable_at = None;
        }
    }

    /// Lets the index go before a write over the records near its change, after which it is
    /// read again from the rewritten `search.idx` (see [`App::elements_rewritten_near`]):
    /// whether it went (`false`: there is none, or one is being read, which the write marks
    /// stale).
    pub(crate) fn release_index_for_rewrite(&mut self) -> bool {
        if self.indexing || self.index.is_none() {
            return false;
        }
        self.release_index();
        self.stale = true;
        true
    }

    /// The index, when it is the store's as it stands (not being read again).
    pub(crate) fn current_index(&self) -> Option<Arc<SearchIndex>> {
        self.index.clone().filter(|_| !self.stale && !self.indexing)
    }

    /// Whether the index is being built (first time or after a change).
    pub fn is_indexing(&self) -> bool {
        self.indexing
    }
}

/// The regions of pane 2 inside the main area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaneAreas {
    /// The query block.
    pub query: Rect,
    /// The results (or pairs) block.
    pub list: Rect,
    /// The detail block, when there is room.
    pub detail: Option<Rect>,
    /// The where-used block, when there is room.
    pub uses: Option<Rect>,
}

/// Splits the main area; updates use it to know the lists' heights.
pub fn layout(main: Rect) -> PaneAreas {
    let [query, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(main);
    if body.width >= 72 {
        let [list, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let [detail, uses] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        PaneAreas {
            query,
            list,
            detail: Some(detail),
            uses: Some(uses),
        }
    } else {
        PaneAreas {
            query,
            list: body,
            detail: None,
            uses: None,
        }
    }
}

/// The Chinese name of a share attribute.
/// What a value of a kind looks like.
fn format_hint(kind: ElementKind, lang: Lang) -> &'static str {
    use ElementKind as K;
    match kind {
        K::Email => lang.pick("电子邮箱地址", "an e-mail address"),
        K::Postcode => lang.pick("6 位数字", "6 digits"),
        K::Landline => lang.pick("区号-号码", "area code-number"),
        K::Mobile => lang.pick("11 位，1 开头", "11 digits starting with 1"),
        K::CnId => lang.pick(
            "18 位，末位校验码（GB 11643）",
            "18 characters, check digit (GB 11643)",
        ),
        K::HkId => lang.pick(
            "字母 + 6 位数字 + (校验位)",
            "letter(s), 6 digits, (check digit)",
        ),
        K::MoId => lang.pick("7 位数字 + (校验位)", "7 digits, (check digit)"),
        K::TwId => lang.pick("字母 + 9 位数字，含校验", "letter + 9 digits with check"),
        K::PassportForeign => lang.pick("外国护照号码", "a foreign passport number"),
        K::PassportOther => lang.pick("E/G 等字母 + 8 位数字", "E/G letter + 8 digits"),
        K::Uscc => lang.pick(
            "18 位，末位校验码（GB 32100）",
            "18 characters, check digit (GB 32100)",
        ),
        K::Text => lang.pick("文本", "text"),
        K::SingleChoice | K::Dropdown => lang.pick("一个可选值编码", "one option code"),
        K::MultiChoice => lang.pick("逗号分隔的可选值编码", "option codes, comma-separated"),
        K::Number => lang.pick("数字", "a number"),
        K::Date => lang.pick("YYYY-MM-DD", "YYYY-MM-DD"),
        K::DateRange => lang.pick("YYYY-MM-DD~YYYY-MM-DD", "YYYY-MM-DD~YYYY-MM-DD"),
        K::IdTypeLinked => lang.pick(
            "证件类型编码，决定配对号码的校验",
            "a document type; it picks the paired number's validator",
        ),
        K::LinkedDropdown => lang.pick(
            "逐级编码或名称，/ 分隔",
            "codes or labels level by level, /-separated",
        ),
        K::Pattern => lang.pick("符合正则表达式", "matches the pattern"),
    }
}

/// An example value that the element itself accepts.
fn example(e: &Element) -> Option<String> {
    let candidate = if e.kind.has_options() {
        match e.kind {
            ElementKind::LinkedDropdown => {
                // a path from a root option down to a leaf
                let mut path = Vec::new();
                let mut parent: Option<&str> = None;
                while let Some(o) = e.options.iter().find(|o| o.parent.as_deref() == parent) {
                    path.push(o.code.as_str());
                    parent = Some(o.code.as_str());
                    if path.len() > 8 {
                        break;
                    }
                }
                path.join("/")
            }
            _ => e.options.first().map(|o| o.code.clone())?.to_string(),
        }
    } else {
        validate::example(e.kind).to_string()
    };
    validate::validate_element(e, &candidate)
        .is_ok()
        .then_some(candidate)
}

/// Options as lines, cascade children indented under their parent.
fn option_lines(e: &Element) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let known: std::collections::HashSet<&str> =
        e.options.iter().map(|o| o.code.as_str()).collect();
    let mut stack: Vec<(usize, &crate::model::ElementOption)> = e
        .options
        .iter()
        .filter(|o| o.parent.as_deref().is_none_or(|p| !known.contains(p)))
        .rev()
        .map(|o| (0, o))
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((depth, o)) = stack.pop() {
        if !seen.insert(o.code.as_str()) {
            continue;
        }
        let mut text = format!("{} {}", o.code, o.label);
        if let Some(k) = o.kind {
            text.push_str(&format!(" -> {}", k.zh()));
        }
        out.push((depth, text));
        stack.extend(
            e.options
                .iter()
                .filter(|c| c.parent.as_deref() == Some(o.code.as_str()))
                .rev()
                .map(|c| (depth + 1, c)),
        );
    }
    out
}

impl App {
    fn elements_areas(&self) -> PaneAreas {
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        layout(crate::tui::view::areas(screen).main)
    }

    fn list_height(&self) -> usize {
        usize::from(self.elements_areas().list.height.saturating_sub(2)).max(1)
    }

    fn uses_height(&self) -> usize {
        let a = self.elements_areas();
        usize::from(a.uses.unwrap_or(a.list).height.saturating_sub(2)).max(1)
    }

    /// The code of the element the keys act on.
    pub fn selected_element(&self) -> Option<String> {
        match &self.elements.dups {
            Some(d) => d
                .pairs
                .as_ref()
                .and_then(|p| p.get(d.selected))
                .map(|p| p.keep.clone()),
            None => self.elements.search.selected_hit().map(|h| h.code.clone()),
        }
    }

    /// The catalog pane 2 describes the selected element from: the loaded one, or before it
    /// is loaded (on demand) the element and everything that uses it, read from the store.
    /// `Err`: the store could not be read (the message says why).
    pub(crate) fn elements_catalog(&self) -> Option<Result<Arc<Catalog>, String>> {
        if let Some(store) = self.store() {
            return Some(Ok(store.shared_catalog()));
        }
        // the duplicates view: the elements its pairs name
        if let Some(named) = self.elements.dups.as_ref().and_then(|d| d.named.clone()) {
            return Some(Ok(named));
        }
        let loading = self.loading.as_ref()?;
        let shown = loading.element_shown(&self.selected_element()?, self.lang)?;
        Some(shown.map(|shown| shown.near))
    }

    /// Where the element `code` of `catalog` (see [`App::elements_catalog`]) is used: worked
    /// out from the loaded catalog, or before it is loaded, from the store's caches.
    fn uses_view(&self, catalog: &Catalog, code: &str) -> Arc<UsesView> {
        if self.store().is_none()
            && let Some(Ok(shown)) = self
                .loading
                .as_ref()
                .and_then(|l| l.element_shown(code, self.lang))
        {
            return shown.uses;
        }
        self.elements.uses.get(catalog, code, self.lang)
    }

    /// How many rows the uses list of the selected element has.
    fn selected_uses(&self) -> usize {
        let catalog = self.elements_catalog().and_then(Result::ok);
        match (catalog, self.selected_element()) {
            (Some(catalog), Some(code)) => self.uses_view(&catalog, &code).len(),
            _ => 0,
        }
    }

    /// Builds (or rebuilds, after a change) the search index on a worker thread.
    pub(crate) fn elements_ensure_index(&mut self) {
        let e = &self.elements;
        if e.indexing || (e.index.is_some() && !e.stale) {
            return;
        }
        if e.dups_running && self.index_waits_for_dups() {
            return;
        }
        let Some(store) = self.store() else {
            // before the catalog is loaded (on demand): the cache file, or the catalog is needed
            let cached = self
                .loading
                .as_ref()
                .filter(|l| l.elements_on_demand())
                .and_then(|l| l.unloaded())
                .map(crate::store::UnloadedStore::cached_search);
            if let Some(cached) = cached {
                self.make_room_for_elements();
                self.elements.indexing = true;
                self.elements.stale = false;
                self.spawn_job(move || {
                    AppEvent::Elements(match cached.read() {
                        Some(data) => {
                            ElementsEvent::Index(Arc::new(SearchIndex::from_data(data)), None)
                        }
                        None => ElementsEvent::NoCachedIndex,
                    })
                });
            }
            return;
        };
        // the cache file the last session left, else built from the catalog in memory
        let source = store.snapshot();
        self.elements.indexing = true;
        self.elements.stale = false;
        self.spawn_job(move || {
            let read = source.search();
            AppEvent::Elements(ElementsEvent::Index(
                Arc::new(SearchIndex::from_data(read.data)),
                read.cacheable_at,
            ))
        });
    }

    /// Caches pane 2's index beside the store when the store is as it was read (at exit: the
    /// next session's pane 2, and `yibiao element search`, read it instead of the search tree).
    /// Returns whether it wrote.
    pub(crate) fn cache_search_index(&self, store: &mut dyn Store) -> bool {
        match (&self.elements.index, self.elements.cacheable_at) {
            (Some(index), Some(at)) => store.save_search(index.data(), at),
            _ => false,
        }
    }

    /// After a change to elements: the index follows it, and `code` is selected when the
    /// results are back; the duplicates view shows `code` as it is now and finds its pairs
    /// again (its list stays meanwhile).
    pub(crate) fn elements_changed(&mut self, code: Option<String>) {
        if let Some(code) = &code {
            self.dups_named_follow(code);
        }
        if code.is_some() {
            self.elements.want = code;
        }
        self.follow_search_changes();
        if self.elements.dups.is_some() {
            self.start_dups();
        }
    }

    /// Before the catalog is loaded the duplicates view shows its pairs' elements from the
    /// records read when they were found: the element `code`, changed since, is read again
    /// (its name, kind and state as saved; the pairs follow once the finder, run again, is
    /// done).
    fn dups_named_follow(&mut self, code: &str) {
        let Some(store) = self.loading.as_ref().and_then(|l| l.unloaded()) else {
            return;
        };
        let named = (self.elements.dups.as_mut()).and_then(|d| d.named.as_mut());
        let Some(named) = named.filter(|n| n.elements.contains_key(code)) else {
            return;
        };
        match store.record(Kind::Element, code) {
            Ok(Some(record)) => _ = Arc::make_mut(named).insert(record),
            Ok(None) => _ = Arc::make_mut(named).remove(Kind::Element, code),
            // (the finder, run again, reads it)
            Err(_) => {}
        }
    }

    /// Brings pane 2's index up to date with the search rows the store wrote since the last
    /// call (after every event, so any write is followed): patched in place when the store
    /// kept the rows and no search is using the index, else read again. At a million
    /// elements reading it again took seconds and a second index's memory for every save.
    pub(crate) fn follow_search_changes(&mut self) {
        let Some(store) = self.store.as_deref_mut() else {
            // a job has the store: its writes are taken when it is back
            return;
        };
        let changes = store.take_search_changes();
        self.patch_search_index(changes.rows, changes.at);
    }

    /// After a save made before the catalog was loaded (on demand, see
    /// [`Loading::write_near`](crate::tui::loading::Loading::write_near)): pane 2's index
    /// follows the search rows it wrote.
    pub(crate) fn elements_written_near(&mut self, rows: SearchRows) {
        // only use counts move: set in place, the index's text left in its file
        let uses = rows
            .iter()
            .filter_map(|(code, row)| Some((code.clone(), row.as_ref()?.uses)))
            .collect();
        let e = &mut self.elements;
        if e.indexing {
            // the reading under way may have missed the change
            e.stale = true;
            return;
        }
        let set = match e.index.as_mut().map(Arc::get_mut) {
            Some(Some(index)) => {
                index.set_uses(&uses);
                true
            }
            // a search holds the index: read again
            Some(None) => false,
            None => return,
        };
        if set {
            self.index_replaced();
        } else {
            e.stale = true;
            self.elements_ensure_index();
        }
    }

    /// After a change to elements saved before the catalog was loaded (see
    /// [`App::save_near`]): their strings changed, so pane 2's index is patched with the
    /// search `rows` the write changed (their strings kept in memory, the text of the others
    /// left in the file it was read from, which the store's rewrite replaced and the index
    /// still holds open; see [`App::index_patched`]); or else read again from the store's,
    /// rewritten (its entries only: the text stays in the file).
    pub(crate) fn elements_rewritten_near(&mut self, rows: &SearchRows) {
        let e = &self.elements;
        if e.index.is_none() && !e.indexing {
            return;
        }
        if self.index_patched(rows) {
            self.index_replaced();
            return;
        }
        let e = &mut self.elements;
        // the old index goes first: at a million elements two would hold 40 MB more
        e.index = None;
        e.stale = true;
        // (with the duplicates view open the finder runs again first)
        if !self.index_waits_for_dups() {
            self.elements_ensure_index();
        }
    }

    /// Whether pane 2's index waits for the duplicates finder: before the catalog is loaded
    /// it reads the store a record at a time, 100 MB more at a million elements, and the
    /// index (40 MB more) is read once it is done (see `index_after_dups`).
    fn index_waits_for_dups(&self) -> bool {
        self.store().is_none() && self.elements.dups.is_some()
    }

    /// Patches pane 2's index with the search rows a write changed (`None`: too many to
    /// patch, read again), the store's write count being `at` since.
    fn patch_search_index(&mut self, rows: Option<SearchRows>, at: u64) {
        if rows.as_ref().is_some_and(|rows| rows.is_empty()) {
            return;
        }
        let e = &mut self.elements;
        if e.indexing {
            // the reading under way may have missed the change
            e.stale = true;
            return;
        }
        if e.index.is_none() {
            // the index is read when pane 2 needs it, after this change
            return;
        }
        if rows.is_some_and(|rows| self.index_patched(&rows)) {
            let e = &mut self.elements;
            e.cacheable_at = e.cacheable_at.map(|_| at);
            self.index_replaced();
        } else {
            self.elements.stale = true;
            self.elements_ensure_index();
        }
    }

    /// Whether pane 2's index was patched in place with the search `rows` a write changed:
    /// not while it is being read, past [`PATCH_AT_MOST`] rows or [`APPENDED_AT_MOST`] bytes
    /// appended to a text left in its file, when a search holds it, or when its file cannot
    /// be read (then it is as it was).
    fn index_patched(&mut self, rows: &SearchRows) -> bool {
        let e = &mut self.elements;
        !e.indexing
            && rows.len() <= PATCH_AT_MOST
            && e.index
                .as_mut()
                .and_then(Arc::get_mut)
                .is_some_and(|index| {
                    index.data().appended_bytes() <= APPENDED_AT_MOST && index.patch(rows).is_ok()
                })
    }

    /// The searches start again on a new or changed index (hits name entries by position).
    fn index_replaced(&mut self) {
        self.elements.search.reset();
        if let Some(Overlay::Picker(p)) = &mut self.overlay {
            p.search.reset();
        }
        self.start_search(Target::Pane);
        self.start_search(Target::Picker);
    }

    /// A finished pane-2 job.
    pub(crate) fn elements_event(&mut self, event: ElementsEvent) {
        self.dirty = true;
        match event {
            ElementsEvent::Index(index, cacheable_at) => {
                self.elements.indexing = false;
                self.elements.index = Some(index);
                self.elements.cacheable_at = cacheable_at;
                self.index_replaced();
                if self.elements.stale {
                    self.elements_ensure_index();
                }
            }
            ElementsEvent::NoCachedIndex => {
                self.elements.indexing = false;
                self.want_catalog();
            }
            ElementsEvent::Hits {
                target: Target::Pane,
                generation,
                hits,
            } => {
                let want = self.elements.want.clone();
                if self
                    .elements
                    .search
                    .receive(generation, hits, want.as_deref())
                {
                    self.elements.want = None;
                    self.elements.use_selected = 0;
                    let h = self.list_height();
                    let s = &mut self.elements.search;
                    s.select(s.selected, h);
                }
            }
            ElementsEvent::Hits {
                target: Target::Picker,
                generation,
                hits,
            } => {
                if let Some(Overlay::Picker(p)) = &mut self.overlay {
                    p.search.receive(generation, hits, None);
                }
            }
            ElementsEvent::Dups(Err(text)) => {
                self.elements.dups_running = false;
                self.elements.dups_again = false;
                if self.elements.dups.take().is_some() {
                    self.say(Level::Error, text);
                }
                self.index_after_dups();
            }
            ElementsEvent::Dups(Ok(FoundPairs {
                pairs,
                found,
                named,
            })) => {
                self.elements.dups_running = false;
                if let Some(d) = &mut self.elements.dups {
                    d.found = found;
                    d.selected = d.selected.min(pairs.len().saturating_sub(1));
                    d.offset = d.offset.min(d.selected);
                    d.pairs = Some(pairs);
                    d.named = named;
                }
                if std::mem::take(&mut self.elements.dups_again) && self.elements.dups.is_some() {
                    self.start_dups();
                } else {
                    self.index_after_dups();
                }
            }
        }
    }

    /// Pane 2's index, let go while the duplicates were found before the catalog was
    /// loaded, is read again once pane 2 shows it (its results behind the duplicates).
    fn index_after_dups(&mut self) {
        if self.pane == Pane::Elements && !self.elements.dups_running {
            self.elements_ensure_index();
        }
    }

    fn start_dups(&mut self) {
        if self.elements.dups_running {
            self.elements.dups_again = true;
            return;
        }
        let Some(store) = self.store() else {
            // before the catalog is loaded: read from the store a record at a time
            let lang = self.lang;
            let Some(reader) = self
                .loading
                .as_ref()
                .and_then(|l| Some(l.unloaded()?.reader()))
            else {
                return;
            };
            // the index goes while the finder reads (at a million elements 45 MB: the
            // finder holds 100 MB more), read again when it is done or the view is closed
            self.elements.release_index_for_rewrite();
            self.make_room_for_dups();
            self.elements.dups_running = true;
            self.spawn_job(move || {
                let found = reader.duplicates(dups::PAIRS_KEPT).and_then(|found| {
                    let named = found.elements_named().map(|c| (Kind::Element, c));
                    let named = reader.records_as_catalog(&named.collect::<Vec<_>>())?;
                    Ok(FoundPairs {
                        pairs: found.elements,
                        found: found.elements_found,
                        named: Some(Arc::new(named)),
                    })
                });
                AppEvent::Elements(ElementsEvent::Dups(found.map_err(|e| e.describe(lang))))
            });
            return;
        };
        let catalog = store.shared_catalog();
        self.elements.dups_running = true;
        self.spawn_job(move || {
            let found = dups::find(&catalog);
            AppEvent::Elements(ElementsEvent::Dups(Ok(FoundPairs {
                pairs: found.elements,
                found: found.elements_found,
                named: None,
            })))
        });
    }

    /// A key while the query line has focus.
    pub(crate) fn elements_query_key(&mut self, event: KeyEvent) {
        let key = Key::from_event(&event);
        let h = self.list_height();
        match event.code {
            KeyCode::Enter | KeyCode::Esc => self.elements.typing = false,
            KeyCode::Down => self.move_results(1, h),
            KeyCode::Up => self.move_results(-1, h),
            KeyCode::PageDown => self.move_results(h as isize, h),
            KeyCode::PageUp => self.move_results(-(h as isize), h),
            _ => {
                let global = matches!(key.code, KeyCode::Tab | KeyCode::BackTab | KeyCode::F(_))
                    || key
                        .mods
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if global
                    && let Lookup::Action(a) = self.config.keymap.lookup(&[key], &[Scope::Global])
                {
                    self.update(a);
                    return;
                }
                if self.elements.search.input_key(event) {
                    self.elements.focus = Focus::Results;
                    self.start_search(Target::Pane);
                }
            }
        }
    }

    /// Pasted text while the query line has focus.
    pub(crate) fn elements_paste(&mut self, text: &str) {
        if self.elements.search.paste(text) {
            self.start_search(Target::Pane);
        }
    }

    fn move_results(&mut self, by: isize, h: usize) {
        let s = &mut self.elements.search;
        let row = s.selected.saturating_add_signed(by);
        s.select(row, h);
        self.elements.use_selected = 0;
    }

    fn move_list(&mut self, action: Action) {
        let h = match self.elements.focus {
            Focus::Uses => self.uses_height(),
            Focus::Results => self.list_height(),
        };
        let step = |at: usize, n: usize| -> usize {
            let at = match action {
                Action::SelectNext => at.saturating_add(1),
                Action::SelectPrev => at.saturating_sub(1),
                Action::PageDown => at.saturating_add(h),
                Action::PageUp => at.saturating_sub(h),
                Action::SelectFirst => 0,
                _ => usize::MAX,
            };
            at.min(n.saturating_sub(1))
        };
        if self.elements.focus == Focus::Uses {
            let n = self.selected_uses();
            self.elements.use_selected = step(self.elements.use_selected, n);
        } else if let Some(d) = &mut self.elements.dups {
            let n = d.pairs.as_ref().map_or(0, Vec::len);
            d.selected = step(d.selected, n);
            if d.selected < d.offset {
                d.offset = d.selected;
            } else if d.selected >= d.offset + h {
                d.offset = d.selected + 1 - h;
            }
        } else {
            let n = self.elements.search.hits.len();
            let row = step(self.elements.search.selected, n);
            self.elements.search.select(row, h);
            self.elements.use_selected = 0;
            self.search_more_if_near_end(Target::Pane, h);
        }
    }

    /// Performs an action in pane 2; returns whether it was one of pane 2's.
    pub(crate) fn elements_update(&mut self, action: Action) -> bool {
        let lang = self.lang;
        match action {
            Action::SelectNext
            | Action::SelectPrev
            | Action::PageDown
            | Action::PageUp
            | Action::SelectFirst
            | Action::SelectLast => self.move_list(action),
            Action::Back => {
                if !self.pending.is_empty() {
                    self.pending.clear();
                } else if self.elements.focus == Focus::Uses {
                    self.elements.focus = Focus::Results;
                } else if self.elements.dups.is_some() {
                    self.elements.dups = None;
                    self.index_after_dups();
                } else if !self.elements.search.query().is_empty() {
                    self.elements.want = self.selected_element();
                    self.elements.search.input = tui_input::Input::default();
                    self.start_search(Target::Pane);
                }
            }
            Action::ElementSearch => {
                if self.elements.dups.take().is_some() {
                    self.index_after_dups();
                }
                self.elements.focus = Focus::Results;
                self.elements.typing = true;
            }
            Action::ElementOpen => match self.elements.focus {
                Focus::Results => {
                    if self.selected_element().is_none() {
                        return true;
                    }
                    if self.selected_uses() == 0 {
                        let text =
                            lang.pick("这个数据元还没有被使用", "this element is not used yet");
                        self.say(Level::Info, text.into());
                    } else {
                        self.elements.focus = Focus::Uses;
                        self.elements.use_selected = 0;
                    }
                }
                Focus::Uses => self.jump_to_use(),
            },
            Action::ElementAdd => {
                let record = match self.store() {
                    Some(store) => workflow::new_record(store.catalog(), Kind::Element),
                    // before the catalog is loaded, coded from the store's keys
                    None => self.new_record_near(Kind::Element),
                };
                if let Some(record) = record {
                    self.open_editor_for(record, "add");
                }
            }
            Action::ElementEdit => {
                let record = self.selected_element().and_then(|code| match self.store() {
                    Some(store) => store
                        .catalog()
                        .elements
                        .get(code.as_str())
                        .map(|e| Record::Element(e.clone())),
                    // before the catalog is loaded, over the records near the element
                    None => self.record_near_for_edit(Kind::Element, &code),
                });
                match record {
                    Some(record) => self.open_editor_for(record, "edit"),
                    None => {
                        let text = lang.pick("请选择一个数据元", "select an element");
                        self.say(Level::Info, text.into());
                    }
                }
            }
            Action::ElementDups => {
                if self.elements.dups.is_some() {
                    self.elements.dups = None;
                    self.index_after_dups();
                } else {
                    self.elements.dups = Some(DupsView::default());
                    self.elements.focus = Focus::Results;
                    self.start_dups();
                }
            }
            Action::ElementMerge => self.ask_merge(),
            Action::ElementSwap => {
                if let Some(pair) = self
                    .elements
                    .dups
                    .as_mut()
                    .and_then(|d| d.pairs.as_mut()?.get_mut(d.selected))
                {
                    pair.swap();
                }
            }
            Action::ElementSubmit => self.element_workflow(Transition::Submit),
            Action::ElementReturn => self.element_workflow(Transition::Return),
            Action::ElementPublish => self.element_workflow(Transition::Publish),
            Action::ElementHistory => {
                if let Some(code) = self.selected_element() {
                    self.show_history_of(code);
                }
            }
            Action::ElementDetailDown => self.scroll_element_detail(1),
            Action::ElementDetailUp => self.scroll_element_detail(-1),
            _ => return false,
        }
        true
    }

    /// Scrolls the selected element's detail `by` lines, as far as its last line on the
    /// last row (the duplicates view's comparison is not scrolled).
    fn scroll_element_detail(&mut self, by: isize) {
        let Some(area) = self.elements_areas().detail else {
            return;
        };
        if self.elements.dups.is_some() {
            return;
        }
        let catalog = self.elements_catalog().and_then(Result::ok);
        let (Some(code), Some(catalog)) = (self.selected_element(), catalog) else {
            return;
        };
        let (w, h) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
        let n = detail_lines(self, &catalog, &code, w).map_or(0, |(l, _)| l.len());
        self.elements.detail.scroll(&code, by, n, usize::from(h));
    }

    fn jump_to_use(&mut self) {
        let lang = self.lang;
        let Some(code) = self.selected_element() else {
            return;
        };
        let catalog = match self.elements_catalog() {
            Some(Ok(catalog)) => catalog,
            Some(Err(text)) => return self.say(Level::Error, text),
            None => return,
        };
        let view = self.uses_view(&catalog, &code);
        let at = self.elements.use_selected;
        // before the catalog is loaded, the row's records are read from the store (its form
        // names the item or material to go to)
        let catalog = match self
            .loading
            .as_ref()
            .and_then(|l| l.uses_rows(&view, at..at + 1))
        {
            _ if self.store().is_some() => catalog,
            Some(Ok(rows)) => rows,
            Some(Err(text)) => return self.say(Level::Error, text),
            None => return,
        };
        let Some(row) = view.row(&catalog, at) else {
            return;
        };
        let target = match &row.jump {
            Jump::Item(c) => Some((Kind::Item, c.clone())),
            Jump::Bundle(c) => Some((Kind::Bundle, c.clone())),
            Jump::Form(f) => catalog.forms.get(f.as_str()).and_then(|form| {
                form.item
                    .as_deref()
                    .map(|i| (Kind::Item, i.to_string()))
                    .or_else(|| {
                        form.material
                            .as_deref()
                            .map(|m| (Kind::Material, m.to_string()))
                    })
            }),
            Jump::Element(c) => {
                let c = c.clone();
                self.elements.focus = Focus::Results;
                let h = self.list_height();
                match self.elements.search.hits.iter().position(|h| h.code == c) {
                    Some(row) => self.elements.search.select(row, h),
                    None => {
                        self.elements.want = Some(c);
                        self.elements.search.input = tui_input::Input::default();
                        self.start_search(Target::Pane);
                    }
                }
                return;
            }
        };
        match target {
            Some((kind, c)) if self.show_in_catalog(kind, &c) => {}
            _ => {
                let text = lang.pick(
                    format!("{} 不属于任何事项或材料", inert(&row.code)),
                    format!("{} belongs to no item or material", inert(&row.code)),
                );
                self.say(Level::Warn, text);
            }
        }
    }

    fn ask_merge(&mut self) {
        let lang = self.lang;
        if let Some(d) = &self.elements.dups {
            if let Some(pair) = d.pairs.as_ref().and_then(|p| p.get(d.selected)) {
                let (keep, merge) = (pair.keep.clone(), pair.merge.clone());
                self.confirm_merge(keep, merge);
            }
            return;
        }
        let Some(merge) = self.selected_element() else {
            return;
        };
        let title = lang.pick(
            format!("将 {} 并入…", inert(&merge)),
            format!("Merge {} into…", inert(&merge)),
        );
        self.open_picker(PickPurpose::MergeInto { merge }, title);
    }

    fn confirm_merge(&mut self, keep: String, merge: String) {
        let lang = self.lang;
        // before the catalog is loaded: the two elements read, the moves counted from the links
        let near = match self.merge_pair_near(&keep, &merge) {
            Some(Ok(near)) => Some(near),
            Some(Err(text)) => return self.say(Level::Error, text),
            None => None,
        };
        let (catalog, moves) = match &near {
            Some((pair, moves)) => (pair, (moves.fields, moves.children)),
            None => {
                let Some(store) = self.store() else { return };
                let u = usage(store.catalog(), &merge);
                (store.catalog(), (u.fields.len(), u.children.len()))
            }
        };
        if let Err(e) = dups::merge_check(catalog, &keep, &merge) {
            self.say(Level::Warn, e.message(lang));
            return;
        }
        let name =
            |c: &str| (catalog.elements.get(c)).map_or(String::new(), |e| e.name.to_string());
        self.overlay = Some(Overlay::Confirm(Confirm::MergeElements {
            keep_name: name(&keep),
            merge_name: name(&merge),
            keep,
            merge,
            fields: moves.0,
            children: moves.1,
        }));
    }

    /// Merges element `merge` into `keep` in one store transaction (after the confirmation).
    pub(crate) fn merge_elements(&mut self, keep: &str, merge: &str) {
        let lang = self.lang;
        if let Some(merged) = self.merge_elements_near(keep, merge) {
            if let (true, Some(d)) = (merged, &mut self.elements.dups) {
                d.forget(merge);
            }
            return;
        }
        let Some(store) = self.store() else { return };
        let fields = usage(store.catalog(), merge).fields.len();
        let batch = match dups::merge_batch(store.catalog(), keep, merge, false) {
            Ok(b) => b,
            Err(e) => {
                self.say(Level::Error, e.message(lang));
                return;
            }
        };
        let (k, m) = (inert(keep).into_owned(), inert(merge).into_owned());
        if self.apply_batch(batch) {
            self.say(
                Level::Ok,
                lang.pick(
                    format!("已合并 {m} 到 {k}：{fields} 个字段改指向 {k}，{m} 保留为同义词"),
                    format!("merged {m} into {k}: {fields} field(s) now point to {k}; {m} kept as a synonym"),
                ),
            );
            if let Some(d) = &mut self.elements.dups {
                d.forget(merge);
            }
            self.elements_changed(Some(keep.to_string()));
        }
    }

    fn element_workflow(&mut self, step: Transition) {
        let lang = self.lang;
        let Some(code) = self.selected_element() else {
            return;
        };
        let next = match self.store() {
            Some(store) => {
                let Some(element) = store.catalog().elements.get(code.as_str()) else {
                    return;
                };
                workflow::transition(RecordRef::Element(element), step).map_err(|e| e.message(lang))
            }
            // before the catalog is loaded, over the element's records
            None => match self.workflow_near(Kind::Element, &code, step) {
                Some(next) => next,
                None => return,
            },
        };
        let next = match next {
            Ok(next) => next,
            Err(text) => {
                self.say(Level::Warn, text);
                return;
            }
        };
        let status = match &next {
            Record::Element(e) => crate::tui::detail::status_text(e.status, e.version, lang),
            _ => String::new(),
        };
        let batch = Batch {
            action: step.en().into(),
            commands: vec![crate::store::Command::Upsert(next)],
        };
        let saved = match self.save_near(&batch) {
            Some(saved) => saved,
            None => self.apply_batch(batch),
        };
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        if saved {
            let c = inert(&code).into_owned();
            self.say(
                Level::Ok,
                lang.pick(
                    format!("已{} {c}：{status}", step.zh()),
                    format!("{} {c}: {status}", step.en()),
                ),
            );
            self.elements_changed(Some(code));
        }
    }

    /// The picker chose `code` for `purpose`.
    pub(crate) fn picked(&mut self, purpose: PickPurpose, code: String) {
        match purpose {
            PickPurpose::EditorField => {
                if let Some(editor) = &mut self.editor {
                    editor.set_focused_text(&code);
                    self.validate_editor();
                }
            }
            PickPurpose::MergeInto { merge } => self.confirm_merge(code, merge),
            // pane 3 (表单): the designer adds or binds a field
            PickPurpose::FormField | PickPurpose::FormBind => self.forms_picked(&purpose, &code),
        }
    }

    /// `pick_element` in the edit form: the picker fills an element's parent field.
    pub(crate) fn pick_for_editor(&mut self) {
        let lang = self.lang;
        let fits = self.editor.as_ref().is_some_and(|e| {
            e.original.kind() == Kind::Element
                && e.fields
                    .get(e.focus)
                    .is_some_and(|f| f.spec.key == "parent")
        });
        if fits {
            let title = lang
                .pick("选择上级数据元", "Choose the parent element")
                .to_string();
            self.open_picker(PickPurpose::EditorField, title);
        } else {
            let text = lang.pick(
                "数据元选择器用于数据元的“上级数据元”字段",
                "the element picker fills an element's parent field",
            );
            self.say(Level::Info, text.into());
        }
    }
}

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    let theme = &app.config.theme;
    Block::bordered()
        .border_set(border_set(app.config.ascii))
        .border_style(theme.get(if focused {
            Slot::BorderFocus
        } else {
            Slot::Border
        }))
        .title(Span::styled(title, theme.get(Slot::Title)))
}

/// Draws pane 2.
pub fn draw(frame: &mut Frame<'_>, app: &App, main: Rect) {
    let lang = app.lang;
    let e = &app.elements;
    let a = layout(main);
    let qb = block(
        app,
        format!(" {} ", lang.pick("数据元 搜索", "数据元 search")),
        e.typing,
    );
    let qi = qb.inner(a.query);
    frame.render_widget(qb, a.query);
    picker::draw_query(frame, app, qi, &e.search, e.typing, e.index.is_none());
    let shown = app.elements_catalog();
    let catalog = match &shown {
        Some(Ok(catalog)) => Some(catalog.as_ref()),
        _ => None,
    };
    match &e.dups {
        Some(d) => draw_pairs(frame, app, a.list, catalog, d),
        None => {
            let n = e.search.hits.len();
            let mut title = format!(" {} ", lang.pick("数据元", "数据元 elements"));
            if n > 0 {
                title.push_str(&format!("{}/{n} ", e.search.selected + 1));
            }
            let hint = border_hints(
                &[
                    Hint::new(
                        key_of(app, Action::ElementSearch),
                        lang.pick("搜索", "search"),
                    ),
                    Hint::new(key_of(app, Action::ElementOpen), lang.pick("引用", "uses")),
                    Hint::new(key_of(app, Action::ElementAdd), lang.pick("新增", "add")),
                    Hint::new(key_of(app, Action::ElementEdit), lang.pick("编辑", "edit")),
                    Hint::new(key_of(app, Action::ElementDups), lang.pick("重复", "dups")).rank(1),
                ],
                a.list.width,
            );
            let b = block(app, title, !e.typing && e.focus == Focus::Results)
                .title_bottom(Span::styled(hint, app.config.theme.get(Slot::Dim)));
            let inner = b.inner(a.list);
            frame.render_widget(b, a.list);
            picker::draw_results(frame, app, inner, &e.search, e.focus == Focus::Results);
        }
    }
    let code = app.selected_element();
    let (Some(catalog), Some(code)) = (catalog, code) else {
        for r in [a.detail, a.uses].into_iter().flatten() {
            frame.render_widget(block(app, String::new(), false), r);
        }
        // the selected element could not be read from the store: say why
        if let (Some(Err(e)), Some(r)) = (&shown, a.detail) {
            let b = block(app, String::new(), false);
            let inner = b.inner(r);
            let line = Line::from(Span::styled(
                inert(e).into_owned(),
                app.config.theme.get(Slot::StatusError),
            ));
            frame.render_widget(
                Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: false }),
                inner,
            );
        }
        return;
    };
    if let Some(r) = a.detail {
        match &e.dups {
            Some(d) => {
                let pair = d.pairs.as_ref().and_then(|p| p.get(d.selected));
                draw_pair_detail(frame, app, r, catalog, pair);
            }
            None => draw_detail(frame, app, r, catalog, &code),
        }
    }
    // in the duplicates view the uses are those of the element that would be merged
    let uses_of = match &e.dups {
        Some(d) => d
            .pairs
            .as_ref()
            .and_then(|p| p.get(d.selected))
            .map(|p| p.merge.clone()),
        None => Some(code),
    };
    let uses_area = match (a.uses, e.focus) {
        (Some(r), _) => Some(r),
        (None, Focus::Uses) => {
            // drawn where the results were: a leftover of theirs under the right half of a
            // wide character would make the terminal lose that character
            frame.render_widget(ratatui::widgets::Clear, a.list);
            Some(a.list)
        }
        (None, Focus::Results) => None,
    };
    if let (Some(r), Some(c)) = (uses_area, uses_of) {
        draw_uses(frame, app, r, catalog, &c);
    }
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, area: Rect, catalog: &Catalog, code: &str) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let b = block(app, format!(" {} ", lang.pick("详情", "Detail")), false);
    let inner = b.inner(area);
    let Some((lines, options_from)) = detail_lines(app, catalog, code, inner.width) else {
        frame.render_widget(b, area);
        return;
    };
    let height = usize::from(inner.height);
    let overflows = lines.len() > height;
    let offset = app.elements.detail.offset(code);
    // what does not fit is counted on the last row: options by number, anything else by rows
    let (lines, above) = crate::tui::detail::window(lines, height, offset, |hidden, first| {
        if first >= options_from {
            let dots = if app.config.ascii { "~" } else { "…" };
            let text = lang.pick(
                format!("  {dots} 另有 {hidden} 项"),
                format!("  {dots} {hidden} more"),
            );
            Line::from(Span::styled(text, theme.get(Slot::Dim)))
        } else {
            crate::tui::detail::more_lines(hidden, lang, app.config.ascii, theme)
        }
    });
    let hint = crate::tui::view::detail_hint(
        app,
        above,
        overflows,
        Action::ElementDetailUp,
        Action::ElementDetailDown,
    );
    let b = match hint {
        Some(hint) => b.title_bottom(Span::styled(hint, theme.get(Slot::Dim))),
        None => b,
    };
    frame.render_widget(b, area);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The lines of an element's detail `width` columns wide, and the index of its first
/// option line (`usize::MAX` without options).
fn detail_lines(
    app: &App,
    catalog: &Catalog,
    code: &str,
    width: u16,
) -> Option<(Vec<Line<'static>>, usize)> {
    let theme = &app.config.theme;
    let lang = app.lang;
    let el = catalog.elements.get(code)?;
    let w = usize::from(width);
    let label_w = lang.pick(10, 12);
    let mut lines: Vec<Line<'static>> = vec![Line::from(Span::styled(
        fit(&el.name, w, app.config.ascii),
        theme.get(Slot::Title),
    ))];
    let mut attr = |label: &str, value: &str| {
        let value = if value.is_empty() {
            "-".to_string()
        } else {
            inert(value).into_owned()
        };
        let label = pad(label, label_w);
        for (i, piece) in wrap_columns(&value, w.saturating_sub(label_w))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                Span::styled(label.clone(), theme.get(Slot::Label))
            } else {
                Span::raw(" ".repeat(label_w))
            };
            lines.push(Line::from(vec![
                head,
                Span::styled(piece, theme.get(Slot::Text)),
            ]));
        }
    };
    attr(lang.pick("编码", "code"), &el.code);
    attr(
        lang.pick("类型", "kind"),
        &lang.pick(
            el.kind.zh().to_string(),
            format!("{} {}", el.kind.as_str(), el.kind.zh()),
        ),
    );
    attr(
        lang.pick("状态", "status"),
        &crate::tui::detail::status_text(el.status, el.version, lang),
    );
    let format = match &el.pattern {
        Some(p) => p.to_string(),
        None => format_hint(el.kind, lang).to_string(),
    };
    attr(lang.pick("格式", "format"), &format);
    attr(
        lang.pick("示例", "example"),
        &example(el).unwrap_or_default(),
    );
    if let Some(unit) = &el.unit {
        attr(lang.pick("单位", "unit"), unit);
    }
    attr(lang.pick("定义", "definition"), &el.definition);
    attr(lang.pick("同义词", "synonyms"), &el.synonyms.join("、"));
    attr(
        lang.pick("上级", "parent"),
        &named(catalog, Kind::Element, &el.parent),
    );
    let children = app.uses_view(catalog, code).outline.children.clone();
    attr(lang.pick("下级", "children"), &children.join("、"));
    attr(
        lang.pick("共享", "share"),
        &format!(
            "{} / {}{}",
            el.share.zh(),
            lang.pick("安全级别 ", "security level "),
            el.security_level
        ),
    );
    attr(
        lang.pick("数源部门", "source"),
        &named(catalog, Kind::Agency, &el.source_agency),
    );
    let mut options_from = usize::MAX;
    if !el.options.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("{} ({})", lang.pick("可选值", "options"), el.options.len()),
            theme.get(Slot::Group),
        )));
        options_from = lines.len();
        for (depth, text) in option_lines(el) {
            let indent = 2 + 2 * depth.min(8);
            lines.push(Line::from(Span::styled(
                format!(
                    "{}{}",
                    " ".repeat(indent),
                    fit(&text, w.saturating_sub(indent), app.config.ascii)
                ),
                theme.get(Slot::Text),
            )));
        }
    }
    Some((lines, options_from))
}

fn draw_uses(frame: &mut Frame<'_>, app: &App, area: Rect, catalog: &Catalog, code: &str) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let view = app.uses_view(catalog, code);
    let u = &view.outline;
    let focused = app.elements.focus == Focus::Uses && app.elements.dups.is_none();
    let counts = [u.fields.len(), u.forms, u.items.len(), u.bundles.len()];
    let title = uses_title(counts, lang, usize::from(area.width.saturating_sub(2)));
    let b = block(app, title, focused);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if view.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("（未被使用）", "(not used)"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
        return;
    }
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let selected = app.elements.use_selected.min(view.len() - 1);
    let start = (selected + 1).saturating_sub(h);
    let range = start..view.len().min(start + h);
    // before the catalog is loaded, the records of the rows on screen are read from the store
    let read = match app.store() {
        Some(_) => None,
        None => app
            .loading
            .as_ref()
            .and_then(|l| l.uses_rows(&view, range.clone())),
    };
    let rows = match &read {
        Some(Ok(rows)) => rows.as_ref(),
        Some(Err(e)) => {
            let line = Line::from(Span::styled(
                inert(e).into_owned(),
                theme.get(Slot::StatusError),
            ));
            frame.render_widget(
                Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: false }),
                inner,
            );
            return;
        }
        None => catalog,
    };
    let ascii = app.config.ascii;
    let lines: Vec<Line> = range
        .filter_map(|i| Some((i, view.row(rows, i)?)))
        .map(|(i, r)| {
            let tag = pad(r.tag, lang.pick(4, 6));
            let code = fit(&r.code, 16, ascii);
            let used = width(&tag) + 1 + width(&code) + 1;
            let note = fit(&r.note, w.saturating_sub(used) / 3, ascii);
            let text_w = w.saturating_sub(used + width(&note) + 1);
            let mut spans = vec![
                Span::styled(tag, theme.get(Slot::Label)),
                Span::raw(" "),
                Span::styled(code, theme.get(Slot::Dim)),
                Span::raw(" "),
                Span::styled(
                    pad(&fit(&r.text, text_w, ascii), text_w),
                    theme.get(Slot::Text),
                ),
                Span::raw(" "),
                Span::styled(note, theme.get(Slot::Dim)),
            ];
            let total: usize = spans.iter().map(|s| width(&s.content)).sum();
            if total < w {
                spans.push(Span::raw(" ".repeat(w - total)));
            }
            let mut line = Line::from(spans);
            if i == selected && focused {
                line = line.style(theme.get(Slot::Selection));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The where-used block's title, `room` columns at most: the four counts with their names
/// (` 引用：字段 145 · 申请表 144 · 事项 144 · 主题 0 `), shorter names when that does not fit
/// (` 引用 字段145 表144 事项144 主题0 `), and at the narrowest as many whole counts as fit: a
/// number is never cut (`事项 14…` read as 14 uses).
fn uses_title(counts: [usize; 4], lang: Lang, room: usize) -> String {
    let [fields, forms, items, bundles] = counts;
    let full = lang.pick(
        format!(" 引用：字段 {fields} · 申请表 {forms} · 事项 {items} · 主题 {bundles} "),
        format!(" Uses: {fields} fields · {forms} forms · {items} items · {bundles} bundles "),
    );
    if width(&full) <= room {
        return full;
    }
    let parts = lang.pick(
        [
            format!("字段{fields}"),
            format!("表{forms}"),
            format!("事项{items}"),
            format!("主题{bundles}"),
        ],
        [
            format!("{fields} fields"),
            format!("{forms} forms"),
            format!("{items} items"),
            format!("{bundles} bundles"),
        ],
    );
    let mut title = format!(" {}", lang.pick("引用", "Uses"));
    for (i, part) in parts.into_iter().enumerate() {
        // room for the part and the closing blank, and for ` …` unless it is the last
        let tail = if i == 3 { 1 } else { 3 };
        if width(&title) + 1 + width(&part) + tail > room {
            title.push_str(" …");
            break;
        }
        title.push(' ');
        title.push_str(&part);
    }
    title.push(' ');
    title
}

fn draw_pairs(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    catalog: Option<&Catalog>,
    d: &DupsView,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let n = d.pairs.as_ref().map_or(0, Vec::len);
    let title = if d.pairs.is_none() {
        lang.pick(" 疑似重复 ".to_string(), " Likely duplicates ".to_string())
    } else if app.elements.dups_running {
        // (found again after a change: the list as it was until then)
        lang.pick(
            format!(" 疑似重复 {n} 对（重新比对中…） "),
            format!(" Likely duplicates: {n} pairs (comparing again…) "),
        )
    } else if d.found > n {
        let found = d.found;
        lang.pick(
            format!(" 疑似重复 {found} 对，列出最像的 {n} 对 "),
            format!(" Likely duplicates: the best {n} of {found} pairs "),
        )
    } else {
        lang.pick(
            format!(" 疑似重复 {n} 对 "),
            format!(" Likely duplicates: {n} pairs "),
        )
    };
    let hint = border_hints(
        &[
            Hint::new(
                key_of(app, Action::ElementMerge),
                lang.pick("合并", "merge"),
            ),
            Hint::new(key_of(app, Action::ElementSwap), lang.pick("交换", "swap")).rank(1),
            Hint::new(key_of(app, Action::Back), lang.pick("返回", "back")),
        ],
        area.width,
    );
    let b = block(app, title, true).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let Some(pairs) = &d.pairs else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("正在比对…", "comparing…"),
                theme.get(Slot::StatusWarn),
            )),
            inner,
        );
        return;
    };
    if pairs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("没有疑似重复的数据元", "no likely duplicates"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
        return;
    }
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let selected = d.selected.min(pairs.len() - 1);
    let offset = if selected >= d.offset + h {
        selected + 1 - h
    } else {
        d.offset.min(selected)
    };
    let name = |c: &str| {
        catalog
            .and_then(|cat| cat.elements.get(c))
            .map_or(String::new(), |e| e.name.to_string())
    };
    let ascii = app.config.ascii;
    let lines: Vec<Line> = pairs
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, p)| {
            let half = w.saturating_sub(8) / 2;
            let keep = fit(&format!("{} {}", name(&p.keep), p.keep), half, ascii);
            let merge = fit(&format!("{} {}", name(&p.merge), p.merge), half, ascii);
            let text = format!(" {:>3}  {} <- {}", p.score, pad(&keep, half), merge);
            let mut line = Line::from(Span::styled(pad(&text, w), theme.get(Slot::Text)));
            if i == selected {
                line = line.style(theme.get(Slot::Selection));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_pair_detail(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    catalog: &Catalog,
    pair: Option<&ElementPair>,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let b = block(app, format!(" {} ", lang.pick("比对", "Compare")), false);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(pair) = pair else { return };
    let w = usize::from(inner.width);
    let ascii = app.config.ascii;
    let mut lines = Vec::new();
    // the uses as the finder counted them (before the catalog is loaded, `catalog` holds
    // just the elements)
    for (label, code, uses) in [
        (lang.pick("保留", "keep"), &pair.keep, pair.keep_uses),
        (lang.pick("并入", "merge"), &pair.merge, pair.merge_uses),
    ] {
        let Some(e) = catalog.elements.get(code.as_str()) else {
            continue;
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{label} "), theme.get(Slot::Label)),
            Span::styled(
                fit(
                    &format!(
                        "{} {}  {}  {}",
                        e.code,
                        e.name,
                        e.kind.zh(),
                        lang.pick(format!("{uses} 处使用"), format!("{uses} uses"))
                    ),
                    w.saturating_sub(5),
                    ascii,
                ),
                theme.get(Slot::Text),
            ),
        ]));
        if !e.synonyms.is_empty() {
            lines.push(Line::from(Span::styled(
                format!(
                    "     {}",
                    fit(&e.synonyms.join("、"), w.saturating_sub(5), ascii)
                ),
                theme.get(Slot::Dim),
            )));
        }
    }
    let reasons: Vec<&str> = pair.reasons.iter().map(|r| r.describe(lang)).collect();
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} ", lang.pick("理由", "why ")),
            theme.get(Slot::Label),
        ),
        Span::raw(format!(
            "{} {}",
            pair.score,
            reasons.join(lang.pick("、", ", "))
        )),
    ]));
    let fields = pair.merge_uses;
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        fit(
            &lang.pick(
                format!(
                    "合并后 {fields} 个字段改指向 {}，{} 的编码和名称保留为同义词",
                    pair.keep, pair.merge
                ),
                format!(
                    "merging re-points {fields} field(s) to {}; {}'s code and name become synonyms",
                    pair.keep, pair.merge
                ),
            ),
            w * 2,
            ascii,
        ),
        theme.get(Slot::Dim),
    )));
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ElementOption;

    #[test]
    fn a_merged_elements_pairs_leave_the_list_and_the_selection_stays_in_place() {
        let pair = |keep: &str, merge: &str| ElementPair {
            keep: keep.into(),
            merge: merge.into(),
            keep_uses: 0,
            merge_uses: 0,
            score: 50,
            reasons: Vec::new(),
        };
        let mut view = DupsView {
            pairs: Some(vec![
                pair("A", "B"),
                pair("C", "B"),
                pair("C", "D"),
                pair("E", "F"),
            ]),
            found: 10,
            selected: 2,
            offset: 1,
            named: None,
        };
        view.forget("B");
        let codes = |v: &DupsView| {
            (v.pairs.iter().flatten())
                .map(|p| format!("{}{}", p.keep, p.merge))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&view), ["CD", "EF"]);
        assert_eq!((view.found, view.selected, view.offset), (8, 0, 0));
        view.selected = 1;
        view.forget("F");
        assert_eq!(codes(&view), ["CD"]);
        assert_eq!((view.found, view.selected), (7, 0));
    }

    fn option(code: &str, parent: Option<&str>) -> ElementOption {
        ElementOption {
            code: code.into(),
            label: format!("L{code}").into(),
            parent: parent.map(Into::into),
            kind: None,
        }
    }

    #[test]
    fn the_uses_title_never_cuts_a_count() {
        let counts = [145, 144, 144, 0];
        assert_eq!(
            uses_title(counts, Lang::Zh, 60),
            " 引用：字段 145 · 申请表 144 · 事项 144 · 主题 0 "
        );
        assert_eq!(
            uses_title(counts, Lang::Zh, 38),
            " 引用 字段145 表144 事项144 主题0 "
        );
        assert_eq!(uses_title(counts, Lang::Zh, 26), " 引用 字段145 表144 … ");
        assert_eq!(
            uses_title(counts, Lang::En, 38),
            " Uses 145 fields 144 forms … "
        );
        for room in 0..60 {
            for lang in [Lang::Zh, Lang::En] {
                let title = uses_title(counts, lang, room);
                assert!(!title.contains("14…") && !title.contains("1…"), "{title}");
                assert!(room < 8 || width(&title) <= room, "{room}: {title}");
            }
        }
    }

    #[test]
    fn cascade_options_indent_under_their_parent_and_examples_are_valid() {
        let catalog = crate::sample::generate(1);
        let e = catalog
            .elements
            .values()
            .find(|e| e.kind == ElementKind::LinkedDropdown && !e.options.is_empty())
            .expect("a cascade in the sample");
        let lines = option_lines(e);
        assert_eq!(lines.len(), e.options.len());
        assert_eq!(lines[0].0, 0);
        assert!(lines.iter().any(|(d, _)| *d > 0));
        assert!(
            example(e).is_some_and(|x| x.contains('/')),
            "{:?}",
            example(e)
        );
        let mut flat = e.clone();
        flat.options = vec![
            option("b", Some("a")),
            option("a", None),
            option("c", Some("zz")),
        ]
        .into();
        let depths: Vec<(usize, String)> = option_lines(&flat);
        assert_eq!(
            depths,
            [(0, "a La".into()), (1, "b Lb".into()), (0, "c Lc".into())]
        );
        let id = &catalog.elements["DE000005"];
        assert_eq!(
            example(id).as_deref(),
            Some(validate::example(ElementKind::CnId))
        );
    }
}
