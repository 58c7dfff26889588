//! The item picker: fuzzy search over item code, name and pinyin (`engine::item_search`).
//! Pane 4 adds items to the open bundle with it, several at once: `space` marks, `enter`
//! inserts every marked item (or the selected one) after the selected item, in one
//! transaction. Pane 3 chooses the item of a form with it (one item, `enter`).
//!
//! The index is built on a worker thread the first time a picker opens and again when the
//! catalog's items changed (their fingerprint differs); the search itself runs on each key.
//! One item index serves every item picker (and pane 1's pinyin filter); the lead-agency
//! picker ([`super::lead_picker`]) reuses the index state, the job and the query line over the
//! agencies.

use crate::tui::hints::{Hint, hint_line};
use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::action::Action;
use super::super::app::{App, Level};
use super::super::text::{fit, fit_apart};
use super::super::theme::Slot;
use super::super::view::{centered, key_of, line_view};
use super::bundles::{BundlesPane, Say, StoreRef, say};
use super::merge_view::fitted_popup;
use crate::display::{pad, width};
use crate::engine::bundle_edit;
use crate::engine::item_search::{
    self, AgencyIndex, AgencyRow, Found, Index, ItemIndex, ItemRow, ItemSearch, Row,
};
use crate::i18n::Lang;
use crate::model::{Catalog, Outline};

/// At most this many results are listed (the count says how many matched).
const LIMIT: usize = 500;

/// The open picker.
pub struct ItemPicker {
    /// The query.
    pub input: Input,
    /// The results of the query.
    pub found: Found,
    /// The highlighted result.
    pub selected: usize,
    /// Marked item codes, in the order they were marked (and will be inserted).
    pub marked: Vec<String>,
    /// Insert after this position of the bundle's items (`None`: at the front).
    pub after: Option<usize>,
}

impl ItemPicker {
    /// An empty picker; pane 4 inserts after `after` (`None`: at the front).
    pub fn new(after: Option<usize>) -> Self {
        ItemPicker {
            input: Input::default(),
            found: Found::default(),
            selected: 0,
            marked: Vec::new(),
            after,
        }
    }

    /// The code of the highlighted result.
    pub fn selected_code(&self) -> Option<&str> {
        self.found
            .hits
            .get(self.selected)
            .map(|h| h.row.code.as_str())
    }

    /// A key every picker treats alike: moving through the results and editing the query
    /// (searching again in `items`). Returns the action left for the caller (choose, mark,
    /// back, quit), if any.
    pub fn step(
        &mut self,
        event: KeyEvent,
        action: Option<Action>,
        items: &mut ItemIndexState,
        page: usize,
    ) -> Option<Action> {
        if move_selection(&mut self.selected, action, self.found.hits.len(), page) {
            return None;
        }
        match action {
            Some(other) => return Some(other),
            None => {
                let before = self.input.value().to_string();
                self.input.handle_event(&Event::Key(event));
                if self.input.value() != before {
                    items.refill(self);
                }
            }
        }
        None
    }

    /// Pasted text goes into the query (one line: [`crate::tui::text::paste_line`]).
    pub fn paste(&mut self, text: &str, items: &mut ItemIndexState) {
        crate::tui::text::paste_into(&mut self.input, text);
        items.refill(self);
    }
}

/// Moves a picker's highlighted row for the moving actions (next, previous, page down and
/// up) within `rows` rows, `page` rows a page; `false` for any other action.
pub(super) fn move_selection(
    selected: &mut usize,
    action: Option<Action>,
    rows: usize,
    page: usize,
) -> bool {
    let last = rows.saturating_sub(1);
    *selected = match action {
        Some(Action::PickerNext) => (*selected + 1).min(last),
        Some(Action::PickerPrev) => selected.saturating_sub(1),
        Some(Action::PickerPageDown) => (*selected + page.max(1)).min(last),
        Some(Action::PickerPageUp) => selected.saturating_sub(page.max(1)),
        _ => return false,
    };
    true
}

/// Building an index: taken by the app and run on a worker thread.
pub struct IndexJob<R> {
    rows: Vec<R>,
    fingerprint: u64,
}

/// An index build pane 4 wants run.
pub enum PaneJob {
    /// The items' (the item picker).
    Items(IndexJob<ItemRow>),
    /// The agencies' (the lead-agency picker).
    Agencies(IndexJob<AgencyRow>),
}

impl PaneJob {
    /// Builds the index.
    pub fn run(self) -> BundlesEvent {
        match self {
            PaneJob::Items(job) => {
                let (index, fingerprint) = job.build();
                BundlesEvent::Index(index, fingerprint)
            }
            PaneJob::Agencies(job) => {
                let (index, fingerprint) = job.build();
                BundlesEvent::Agencies(index, fingerprint)
            }
        }
    }
}

/// A finished pane-4 job.
pub enum BundlesEvent {
    /// The item index, with the fingerprint of the items it was built from.
    Index(Arc<ItemIndex>, u64),
    /// The agency index, with the fingerprint of the agencies it was built from.
    Agencies(Arc<AgencyIndex>, u64),
}

/// An index (of items, by default) and its state, kept across pickers.
pub struct IndexState<R = ItemRow> {
    /// The last index built.
    pub index: Option<Arc<Index<R>>>,
    fingerprint: u64,
    /// A build is running.
    pub building: bool,
    job: Option<IndexJob<R>>,
    /// The picker's search session (narrows while the query grows).
    search: ItemSearch,
    /// The items' fingerprint remembered under the catalog's revision, so asking again for
    /// an unchanged catalog hashes nothing.
    memo: Option<(u64, u64)>,
    /// The fingerprint of the outline's items (one outline per session: the one shown while
    /// the catalog loads).
    outline_memo: Option<u64>,
}

impl<R> Default for IndexState<R> {
    fn default() -> Self {
        IndexState {
            index: None,
            fingerprint: 0,
            building: false,
            job: None,
            search: ItemSearch::default(),
            memo: None,
            outline_memo: None,
        }
    }
}

/// The item picker's index state.
pub type ItemIndexState = IndexState<ItemRow>;

impl<R: Row> IndexState<R> {
    /// Asks for a build (of `rows()`) unless one runs or the last one has `fingerprint`.
    pub(super) fn want_rows(&mut self, fingerprint: u64, rows: impl FnOnce() -> Vec<R>) {
        if !self.building && (self.index.is_none() || self.fingerprint != fingerprint) {
            self.building = true;
            self.job = Some(IndexJob {
                rows: rows(),
                fingerprint,
            });
        }
    }

    /// Lets the index go (built again when next wanted); a build under way still arrives.
    pub(crate) fn release(&mut self) {
        self.index = None;
        self.search.reset();
    }

    /// Lets the index go as [`IndexState::release`] does, freed on a thread of its own (at
    /// a million elements freeing an item index takes the better part of a second), which
    /// then gives the memory back to the system.
    pub(crate) fn let_go(&mut self) {
        if let Some(old) = self.index.take() {
            self.search.reset();
            std::thread::spawn(move || {
                drop(old);
                crate::memory::give_back();
            });
        }
    }

    /// A finished build.
    pub(crate) fn arrived(&mut self, index: Arc<Index<R>>, fingerprint: u64) {
        self.building = false;
        self.index = Some(index);
        self.fingerprint = fingerprint;
        self.search.reset();
    }

    /// The best `limit` rows for `query`; `None` while there is no index.
    pub(super) fn search(&mut self, query: &str, limit: usize) -> Option<Found<R>> {
        let index = self.index.as_ref()?;
        Some(self.search.search(index, query, limit))
    }
}

impl<R: Row> IndexState<R> {
    /// The fingerprint of what the index is built from (`of`), remembered under the catalog's
    /// revision so asking again for an unchanged catalog hashes nothing.
    fn fingerprint_with(&mut self, catalog: &Catalog, of: fn(&Catalog) -> u64) -> u64 {
        match self.memo {
            Some((revision, fingerprint)) if revision == catalog.revision() => fingerprint,
            _ => {
                let fingerprint = of(catalog);
                self.memo = Some((catalog.revision(), fingerprint));
                fingerprint
            }
        }
    }

    /// The index if it was built from the catalog as it is (by the fingerprint `of`); else
    /// asks for a build of `rows` and gives `None`.
    pub fn ready_with(
        &mut self,
        catalog: &Catalog,
        of: fn(&Catalog) -> u64,
        rows: fn(&Catalog) -> Vec<R>,
    ) -> Option<Arc<Index<R>>> {
        let fingerprint = self.fingerprint_with(catalog, of);
        self.ready_for(fingerprint, || rows(catalog))
    }

    /// The index if it was built from what has `fingerprint`; else asks for a build of
    /// `rows()` and gives `None`.
    pub(super) fn ready_for(
        &mut self,
        fingerprint: u64,
        rows: impl FnOnce() -> Vec<R>,
    ) -> Option<Arc<Index<R>>> {
        match &self.index {
            Some(index) if self.fingerprint == fingerprint && !self.building => {
                Some(Arc::clone(index))
            }
            _ => {
                self.want_rows(fingerprint, rows);
                None
            }
        }
    }

    /// The build asked for, if any, for the app to run on a worker thread.
    pub fn take_job(&mut self) -> Option<IndexJob<R>> {
        self.job.take()
    }
}

impl<R: Row> IndexJob<R> {
    /// Builds the index; with the fingerprint of what it was built from.
    pub fn build(self) -> (Arc<Index<R>>, u64) {
        (Arc::new(Index::build(self.rows)), self.fingerprint)
    }
}

impl IndexState<ItemRow> {
    /// Asks for an index build if there is none or the items changed since the last one
    /// (the app takes the job and runs it on a worker thread).
    pub fn want(&mut self, catalog: &Catalog) {
        let fingerprint = self.fingerprint_with(catalog, item_search::fingerprint);
        self.want_rows(fingerprint, || item_search::rows(catalog));
    }

    /// The index if it was built for the catalog's items as they are; else asks for a build
    /// (see [`IndexState::want`]) and gives `None`.
    pub fn ready(&mut self, catalog: &Catalog) -> Option<Arc<ItemIndex>> {
        self.ready_with(catalog, item_search::fingerprint, item_search::rows)
    }

    /// The outline changed (an item saved before the catalog is loaded): its index is
    /// built again when next wanted.
    pub fn outline_changed(&mut self) {
        self.outline_memo = None;
    }

    /// As [`ItemIndexState::ready`] before the catalog is loaded, from its outline: the same
    /// index, kept once the catalog is in.
    pub fn ready_from_outline(&mut self, outline: &Outline) -> Option<Arc<ItemIndex>> {
        let fingerprint = *self
            .outline_memo
            .get_or_insert_with(|| item_search::fingerprint(outline));
        self.ready_for(fingerprint, || item_search::rows(outline))
    }

    /// Runs the picker's query again (no results until the index is there).
    pub fn refill(&mut self, p: &mut ItemPicker) {
        if let Some(found) = self.search(p.input.value(), LIMIT) {
            p.found = found;
        }
        p.selected = 0;
    }
}

impl BundlesPane {
    /// Opens the picker, inserting after `after`; asks for an index build if the items
    /// changed since the last one (of the store's catalog, or before it is loaded of its
    /// outline).
    pub(super) fn open_picker(
        &mut self,
        store: &dyn super::bundles::BundleStore,
        after: Option<usize>,
    ) {
        match store.outline() {
            Some(outline) => {
                self.items.ready_from_outline(outline);
            }
            None => self.items.want(store.catalog()),
        }
        self.picker = Some(ItemPicker::new(after));
        self.research();
    }

    /// An index build the pane wants run, if any (call until `None`).
    pub fn take_job(&mut self) -> Option<PaneJob> {
        self.items
            .job
            .take()
            .map(PaneJob::Items)
            .or_else(|| self.agencies.job.take().map(PaneJob::Agencies))
    }

    /// A finished job.
    pub fn event(&mut self, event: BundlesEvent) {
        match event {
            BundlesEvent::Index(index, fingerprint) => {
                self.items.arrived(index, fingerprint);
                self.research();
            }
            BundlesEvent::Agencies(index, fingerprint) => {
                self.agencies.arrived(index, fingerprint);
                self.lead_research();
            }
        }
    }

    /// Runs the picker's query again.
    fn research(&mut self) {
        if let Some(p) = &mut self.picker {
            self.items.refill(p);
        }
    }

    /// A key while the picker is open; `action` is what the key means in the picker scope.
    pub(super) fn picker_key(
        &mut self,
        event: KeyEvent,
        action: Option<Action>,
        store: StoreRef<'_>,
        lang: Lang,
        page: usize,
    ) -> Say {
        let p = self.picker.as_mut()?;
        let last = p.found.hits.len().saturating_sub(1);
        match p.step(event, action, &mut self.items, page) {
            Some(Action::Back | Action::Quit) => self.picker = None,
            Some(Action::PickerMark) => {
                let code = p.found.hits.get(p.selected)?.row.code.clone();
                if self.in_bundle(store.as_deref().map(|s| s.catalog()), &code) {
                    return say(
                        Level::Info,
                        lang.pick("该事项已在主题中", "that item is in the bundle already")
                            .into(),
                    );
                }
                let p = self.picker.as_mut()?;
                match p.marked.iter().position(|c| *c == code) {
                    Some(i) => {
                        p.marked.remove(i);
                    }
                    None => p.marked.push(code),
                }
                p.selected = (p.selected + 1).min(last);
            }
            Some(Action::PickerChoose) => return self.add_picked(store, lang),
            _ => {}
        }
        None
    }

    /// Pasted text goes into the query (one line: [`crate::tui::text::paste_line`]).
    pub(super) fn picker_paste(&mut self, text: &str) {
        if let Some(p) = &mut self.picker {
            p.paste(text, &mut self.items);
        }
    }

    fn in_bundle(&self, catalog: Option<&Catalog>, code: &str) -> bool {
        let bundle = self
            .work
            .as_ref()
            .and_then(|w| catalog?.bundles.get(w.code.as_str()));
        bundle.is_some_and(|b| b.items.iter().any(|i| i == code))
    }

    /// Inserts the marked items (or the highlighted one) and closes the picker.
    fn add_picked(&mut self, store: StoreRef<'_>, lang: Lang) -> Say {
        let Some(store) = store else {
            return say(
                Level::Warn,
                lang.pick("请稍候：正在处理", "please wait: busy").into(),
            );
        };
        let p = self.picker.as_ref()?;
        let codes: Vec<String> = if p.marked.is_empty() {
            p.found
                .hits
                .get(p.selected)
                .map(|h| vec![h.row.code.clone()])
                .unwrap_or_default()
        } else {
            p.marked.clone()
        };
        let after = p.after;
        let w = self.work.as_ref()?;
        let mut bundle = store.catalog().bundles.get(w.code.as_str())?.clone();
        let added = bundle_edit::insert_items(&mut bundle, after, &codes);
        if added.is_empty() {
            return say(
                Level::Info,
                lang.pick(
                    "没有新增：所选事项已在主题中",
                    "nothing added: the items are in the bundle already",
                )
                .into(),
            );
        }
        let n = added.len();
        let code = crate::display::inert(&bundle.code).into_owned();
        // before the catalog is loaded the index lets its memory go for the write and the
        // reading of the new items' records (built again, from the outline, when next wanted)
        if store.is_near() {
            self.items.release();
        }
        if let Err(m) = self.save(
            store,
            bundle,
            bundle_edit::BundleEdit::AddItems.audit_action(),
            lang,
        ) {
            return Some(m);
        }
        self.picker = None;
        if let Some(w) = &mut self.work {
            // select the last item inserted
            w.selected[1] = after.map_or(0, |i| i + 1) + n - 1;
            w.focus = super::bundles::Focus::Items;
        }
        say(
            Level::Ok,
            lang.pick(
                format!("已向 {code} 加入 {n} 个事项（一次事务），预览已更新"),
                format!("{n} item(s) added to {code} in one transaction; preview updated"),
            ),
        )
    }
}

/// A picker's query line: `/ query`, the cursor, and `status` on the right.
fn draw_query_line(frame: &mut Frame<'_>, app: &App, area: Rect, input: &Input, status: &str) {
    let theme = &app.config.theme;
    let iw = usize::from(area.width);
    let status = fit(status, iw / 2, app.config.ascii);
    let room = iw.saturating_sub(2 + width(&status) + 1);
    let (text, cursor) = line_view(input.value(), input.cursor(), room);
    let gap = iw.saturating_sub(2 + width(&text) + width(&status));
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("/ ", theme.get(Slot::Key)),
            Span::styled(text, theme.get(Slot::InputFocus)),
            Span::raw(" ".repeat(gap)),
            Span::styled(status, theme.get(Slot::Dim)),
        ])),
        area,
    );
    let x = area.x + (2 + cursor).min(iw.saturating_sub(1)) as u16;
    frame.set_cursor_position(Position::new(x, area.y));
}

/// Draws the picker over the screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, p: &ItemPicker) {
    let lang = app.lang;
    let bundle = app
        .bundles
        .work
        .as_ref()
        .and_then(|w| catalog.bundles.get(w.code.as_str()));
    let title = lang.pick(
        format!(
            " 加入事项到 {} ",
            bundle.map_or(String::new(), |b| format!("{} {}", b.code, b.name))
        ),
        format!(
            " Add items to {} ",
            bundle.map_or(String::new(), |b| format!("{} {}", b.code, b.name))
        ),
    );
    let in_bundle = |code: &str| bundle.is_some_and(|b| b.items.iter().any(|i| i == code));
    let hint = [
        Hint::new(key_of(app, Action::PickerMark), lang.pick("标记", "marks")),
        Hint::new(
            key_of(app, Action::PickerChoose),
            lang.pick(
                "加入已标记（无标记时加入所选）",
                "adds the marked (else the selected)",
            ),
        )
        .short(lang.pick("加入", "adds")),
        Hint::new(key_of(app, Action::Back), lang.pick("取消", "cancels")),
        Hint::text(lang.pick("名称 / 编码 / 拼音首字母", "name / code / pinyin initials"))
            .short(lang.pick("名称/编码/拼音", "name/code/pinyin"))
            .rank(2),
    ];
    draw_picker(
        frame,
        app,
        p,
        &Look {
            title: &title,
            hint: &hint,
            is_in: &in_bundle,
            in_note: lang.pick("已在主题", "in bundle"),
            marks: true,
        },
    );
}

/// What a face shows around the results of its item picker.
pub struct Look<'a> {
    /// The popup's title.
    pub title: &'a str,
    /// The hints under the results (as many as fit, see [`hint_line`]).
    pub hint: &'a [Hint],
    /// Items to show as already taken (` = ` and `in_note` instead of their level).
    pub is_in: &'a dyn Fn(&str) -> bool,
    /// What a taken item says in the level column.
    pub in_note: &'a str,
    /// Whether results have mark boxes (several can be chosen).
    pub marks: bool,
}

/// Opens a picker's popup in the middle of the screen, at most `max` (width, height) cells,
/// and draws its query line (`/ query`, the cursor, `status` on the right). Gives the popup's
/// inner area, or `None` when the screen leaves fewer than `min_rows` rows inside it.
pub(super) fn picker_popup(
    frame: &mut Frame<'_>,
    app: &App,
    max: (u16, u16),
    title: &str,
    input: &Input,
    status: &str,
    min_rows: u16,
) -> Option<Rect> {
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(4).min(max.0),
        screen.height.saturating_sub(2).min(max.1),
    );
    if area.width < 8 || area.height < min_rows + 2 {
        return None;
    }
    let inner = fitted_popup(frame, app, area, title);
    if inner.height < min_rows || inner.width < 4 {
        return None;
    }
    draw_query_line(
        frame,
        app,
        Rect::new(inner.x, inner.y, inner.width, 1),
        input,
        status,
    );
    Some(inner)
}

/// Draws an item picker over the screen: the query line with the counts, the results
/// (name, level, agency and code in columns of fixed width, so a long name is cut rather
/// than pushing the other columns aside), and the hint line.
pub fn draw_picker(frame: &mut Frame<'_>, app: &App, p: &ItemPicker, look: &Look<'_>) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    // the query line: `/ query` and, on the right, the counts
    let items = &app.bundles.items;
    let building = items.building;
    let status = if building && items.index.is_none() {
        lang.pick("正在建立索引…", "indexing…").to_string()
    } else if look.marks {
        let m = p.marked.len();
        let marked = lang.pick(format!("已标记 {m}"), format!("{m} marked"));
        format!("{}  {marked}", results(p.found.total, lang))
    } else {
        results(p.found.total, lang)
    };
    let Some(inner) = picker_popup(frame, app, (110, 28), look.title, &p.input, &status, 2) else {
        return;
    };
    let iw = usize::from(inner.width);
    // the results, then the hint line
    let list_h = usize::from(inner.height).saturating_sub(2);
    let start = (p.selected + 1).saturating_sub(list_h.max(1));
    let shown: Vec<(usize, &ItemRow)> = p
        .found
        .hits
        .iter()
        .enumerate()
        .skip(start)
        .take(list_h)
        .map(|(i, h)| (i, &h.row))
        .collect();
    // columns of fixed width: mark, name (what is left), level, agency, code
    let level_w = 9;
    let room = iw.saturating_sub(4 + 1 + level_w);
    let agency_w = (room / 3).min(28);
    let name_w = (room * 2 / 5)
        .max(24)
        .min(room.saturating_sub(agency_w + 1));
    let code_w = room.saturating_sub(name_w + 1 + agency_w + 1);
    let code_w = if code_w >= 8 { code_w } else { 0 };
    // the codes listed next to hit `i`: what its code must stay apart from
    let neighbours = |i: usize| -> Vec<&str> {
        let hits = &p.found.hits;
        let before = i.checked_sub(1).and_then(|b| hits.get(b));
        before
            .into_iter()
            .chain(hits.get(i + 1))
            .map(|h| h.row.code.as_str())
            .collect()
    };
    let mut lines = Vec::new();
    for (i, row) in shown {
        let taken = (look.is_in)(&row.code);
        let (boxed, slot) = if taken {
            (" = ", Slot::Dim)
        } else if p.marked.contains(&row.code) {
            ("[x]", Slot::Key)
        } else if look.marks {
            ("[ ]", Slot::Dim)
        } else {
            ("   ", Slot::Dim)
        };
        let note = if taken { look.in_note } else { row.level.zh() };
        let mut spans = vec![
            Span::styled(format!("{boxed} "), theme.get(slot)),
            Span::styled(
                pad(&fit(&row.name, name_w, ascii), name_w),
                theme.get(Slot::Text),
            ),
            Span::raw(" "),
            Span::styled(
                pad(&fit(note, level_w, ascii), level_w),
                theme.get(Slot::Label),
            ),
        ];
        if agency_w > 0 {
            let agency = row.agency.as_deref().unwrap_or("-");
            spans.push(Span::styled(
                format!(" {}", pad(&fit(agency, agency_w, ascii), agency_w)),
                theme.get(Slot::Dim),
            ));
        }
        if code_w > 0 {
            spans.push(Span::styled(
                format!(" {}", fit_apart(&row.code, &neighbours(i), code_w, ascii)),
                theme.get(Slot::Dim),
            ));
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        spans.push(Span::raw(" ".repeat(iw.saturating_sub(used))));
        let mut line = Line::from(spans);
        if i == p.selected {
            line = line.style(theme.get(Slot::Selection));
        }
        lines.push(line);
    }
    if p.found.hits.is_empty() && !building {
        lines.push(Line::from(Span::styled(
            lang.pick("没有匹配的事项", "no matching items"),
            theme.get(Slot::Dim),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 2),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            hint_line(look.hint, "  ", false, iw),
            theme.get(Slot::Dim),
        )),
        Rect::new(inner.x, inner.bottom() - 1, inner.width, 1),
    );
}

/// `12 个结果` / `12 results` (`1 result`).
fn results(n: usize, lang: Lang) -> String {
    lang.count(n, format!("{n} 个结果"), "result", "results")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_let_go_is_freed_and_built_again_when_next_wanted() {
        let catalog = Catalog::from_records(crate::sample::generate(1).into_records());
        let outline = Outline::of(&catalog);
        let mut state = ItemIndexState::default();
        assert!(state.ready_from_outline(&outline).is_none());
        let (index, fingerprint) = state.take_job().expect("a build asked for").build();
        let old = Arc::downgrade(&index);
        state.arrived(index, fingerprint);
        assert!(
            state.ready_from_outline(&outline).is_some(),
            "the same items"
        );
        assert!(state.take_job().is_none());
        state.let_go();
        assert!(state.index.is_none());
        let gone = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            old.upgrade().is_none()
        });
        assert!(gone, "the index is still held");
        assert!(state.ready_from_outline(&outline).is_none());
        let (index, again) = state.take_job().expect("built again").build();
        assert_eq!(again, fingerprint);
        state.arrived(index, again);
        assert!(state.ready_from_outline(&outline).is_some());
    }
}
