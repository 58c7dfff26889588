//! The element search shared by pane 2 and the element picker: a query line, a search on a
//! worker thread that a newer keystroke cancels, and a results list of which only the visible
//! window is drawn. The [`Picker`] overlay wraps it with a short detail and hands the chosen
//! element code back to whoever opened it (the parent field of the element editor, a merge,
//! and later the form designer's "add a field").

use crate::tui::hints::Hint;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossterm::event::{Event, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Scope};
use super::app::{App, AppEvent, Overlay};
use super::keymap::{Key, Lookup};
use super::panes::elements::ElementsEvent;
use super::text::{border_set, fit, select};
use super::theme::Slot;
use super::view::line_view;
use crate::display::{inert, pad, width};
use crate::engine::search::{Hit, Query, QueryError, SearchIndex, Searcher};
use crate::i18n::Lang;
use crate::model::{Catalog, ElementKind};

/// Which search a result belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Pane 2's search.
    Pane,
    /// The open picker's search.
    Picker,
}

/// A search ready to run on a worker thread.
pub struct SearchJob {
    index: Arc<SearchIndex>,
    query: Query,
    searcher: Arc<Mutex<Searcher>>,
    cancel: Arc<AtomicBool>,
    limit: usize,
    /// The generation the results belong to.
    pub generation: u64,
}

impl SearchJob {
    /// Runs the search; `None` when a newer query cancelled it.
    pub fn run(self) -> Option<Vec<Hit>> {
        // a poisoned lock only means an earlier search panicked; its state is still usable
        let mut searcher = self
            .searcher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        searcher.search(&self.index, &self.query, self.limit, &self.cancel)
    }
}

/// How many hits a new query asks for; scrolling near the end of them asks for
/// [`GROWTH`] times more. Ranking a million hits on every key would cost a frame many times.
pub const FIRST_HITS: usize = 200;
/// How much more a capped list asks for when the selection nears its end.
pub const GROWTH: usize = 8;
/// How many hits a search that must find an element to select asks for at most.
pub const WANTED_HITS: usize = FIRST_HITS * GROWTH * GROWTH * 2;

/// A query line with its results.
pub struct ElementSearch {
    /// The query as typed.
    pub input: Input,
    /// The results of the last finished search, best first.
    pub hits: Vec<Hit>,
    /// The selected result.
    pub selected: usize,
    /// The first result drawn.
    pub offset: usize,
    /// The query's parse error, shown inline.
    pub error: Option<QueryError>,
    /// A search is running.
    pub searching: bool,
    /// Results have arrived at least once.
    pub ready: bool,
    generation: u64,
    cancel: Arc<AtomicBool>,
    searcher: Arc<Mutex<Searcher>>,
    /// How many hits the search asks for, and the query text that limit belongs to.
    limit: (usize, String),
    /// The running search asks for more hits of the same query (keep the selection).
    growing: bool,
}

impl Default for ElementSearch {
    fn default() -> Self {
        ElementSearch {
            input: Input::default(),
            hits: Vec::new(),
            selected: 0,
            offset: 0,
            error: None,
            searching: false,
            ready: false,
            generation: 0,
            cancel: Arc::new(AtomicBool::new(false)),
            searcher: Arc::new(Mutex::new(Searcher::new())),
            limit: (FIRST_HITS, String::new()),
            growing: false,
        }
    }
}

impl ElementSearch {
    /// The query text.
    pub fn query(&self) -> &str {
        self.input.value()
    }

    /// The selected hit.
    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
    }

    /// Forgets the narrowing history (the index was rebuilt).
    pub fn reset(&mut self) {
        let mut searcher = self
            .searcher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        searcher.reset();
    }

    /// Cancels the running search and prepares one for the current query; `None` (with
    /// `error` set) when the query does not parse: the results are then emptied, so a list
    /// never looks filtered by a filter that was refused.
    pub fn prepare(&mut self, index: &Arc<SearchIndex>) -> Option<SearchJob> {
        self.cancel.store(true, Ordering::SeqCst);
        self.generation += 1;
        let query = match Query::parse(self.input.value()) {
            Ok(q) => q,
            Err(e) => {
                self.error = Some(e);
                self.searching = false;
                self.hits.clear();
                self.selected = 0;
                self.offset = 0;
                return None;
            }
        };
        self.error = None;
        self.searching = true;
        self.cancel = Arc::new(AtomicBool::new(false));
        if self.limit.1 != self.input.value() {
            self.limit = (FIRST_HITS, self.input.value().to_string());
            self.growing = false;
        }
        Some(SearchJob {
            index: Arc::clone(index),
            query,
            searcher: Arc::clone(&self.searcher),
            cancel: Arc::clone(&self.cancel),
            limit: self.limit.0,
            generation: self.generation,
        })
    }

    /// Whether the hits stop at the limit (there may be more).
    pub fn is_capped(&self) -> bool {
        self.hits.len() >= self.limit.0
    }

    /// Asks the next search of this query for hits enough to find a selection by code:
    /// every hit, up to [`WANTED_HITS`] (an empty query at a million elements would list a
    /// million, some 200 MB of them; an element ranked beyond is not selected).
    pub fn want_hits_to_find(&mut self) {
        let limit = self.limit.0.max(WANTED_HITS);
        self.limit = (limit, self.input.value().to_string());
    }

    /// When the list is capped and the selection is within `height` rows of its end, raises
    /// the limit for the current query; returns whether a search should run again.
    pub fn wants_more(&mut self, height: usize) -> bool {
        if self.searching
            || !self.ready
            || !self.is_capped()
            || self.selected + 2 * height.max(1) < self.hits.len()
            || self.limit.1 != self.input.value()
        {
            return false;
        }
        self.limit.0 = self.limit.0.saturating_mul(GROWTH);
        self.growing = true;
        true
    }

    /// Takes finished results unless they are stale; selects `want` if present, else the
    /// first. Returns whether they were taken.
    pub fn receive(&mut self, generation: u64, hits: Option<Vec<Hit>>, want: Option<&str>) -> bool {
        if generation != self.generation {
            return false;
        }
        self.searching = false;
        let growing = std::mem::take(&mut self.growing);
        let Some(hits) = hits else { return false };
        let kept = self.selected_hit().map(|h| h.code.clone());
        self.hits = hits;
        self.ready = true;
        if growing && want.is_none() {
            // more of the same list: the selected element stays selected
            self.selected = kept
                .and_then(|w| self.hits.iter().position(|h| h.code == w))
                .unwrap_or(self.selected)
                .min(self.hits.len().saturating_sub(1));
            return true;
        }
        self.selected = want
            .and_then(|w| self.hits.iter().position(|h| h.code == w))
            .unwrap_or(0);
        self.offset = 0;
        true
    }

    /// Moves the selection (clamped) and keeps it in a window of `height` rows.
    pub fn select(&mut self, row: usize, height: usize) {
        self.selected = row.min(self.hits.len().saturating_sub(1));
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }

    /// Feeds a key to the query line; returns whether the text changed.
    pub fn input_key(&mut self, event: KeyEvent) -> bool {
        let before = self.input.value().to_string();
        self.input.handle_event(&Event::Key(event));
        self.input.value() != before
    }

    /// Inserts pasted text (one line: [`crate::tui::text::paste_line`]); returns whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let before = self.input.value().to_string();
        crate::tui::text::paste_into(&mut self.input, text);
        self.input.value() != before
    }
}

/// What the chosen element is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickPurpose {
    /// The focused field of the open edit form (an element's parent).
    EditorField,
    /// Merge element `merge` into the chosen one.
    MergeInto {
        /// The element that disappears.
        merge: String,
    },
    /// Pane 3: add a field bound to the chosen element after the selection.
    FormField,
    /// Pane 3: bind the selected field to the chosen element.
    FormBind,
}

/// The element picker overlay.
pub struct Picker {
    /// Its search.
    pub search: ElementSearch,
    /// What the choice is for.
    pub purpose: PickPurpose,
    /// The title.
    pub title: String,
}

impl Picker {
    /// A picker with an empty query.
    pub fn new(purpose: PickPurpose, title: String) -> Picker {
        Picker {
            search: ElementSearch::default(),
            purpose,
            title,
        }
    }

    /// The code of the selected element.
    pub fn chosen(&self) -> Option<String> {
        self.search.selected_hit().map(|h| h.code.clone())
    }
}

/// Height of the picker's results list, from the same layout it is drawn with.
fn picker_list_height(size: (u16, u16)) -> usize {
    let area = picker_area(Rect::new(0, 0, size.0, size.1));
    usize::from(area.height.saturating_sub(3))
}

fn picker_area(screen: Rect) -> Rect {
    let w = screen.width.saturating_sub(4).min(110);
    let h = screen.height.saturating_sub(2).min(26);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

impl App {
    /// Opens the element picker for `purpose`; results come as the user types.
    pub fn open_picker(&mut self, purpose: PickPurpose, title: String) {
        self.overlay = Some(Overlay::Picker(Box::new(Picker::new(purpose, title))));
        self.elements_ensure_index();
        self.start_search(Target::Picker);
    }

    /// Starts the search of `target` for its current query on a worker thread.
    pub(crate) fn start_search(&mut self, target: Target) {
        let Some(index) = self.elements.index.clone() else {
            return;
        };
        if target == Target::Pane && self.elements.want.is_some() {
            // the element to select must be among the hits (if it ranks within reach)
            self.elements.search.want_hits_to_find();
        }
        let Some(job) = self.search_of(target).and_then(|s| s.prepare(&index)) else {
            return;
        };
        self.spawn_job(move || {
            let generation = job.generation;
            let hits = job.run();
            AppEvent::Elements(ElementsEvent::Hits {
                target,
                generation,
                hits,
            })
        });
    }

    fn search_of(&mut self, target: Target) -> Option<&mut ElementSearch> {
        match target {
            Target::Pane => Some(&mut self.elements.search),
            Target::Picker => match &mut self.overlay {
                Some(Overlay::Picker(p)) => Some(&mut p.search),
                _ => None,
            },
        }
    }

    /// After a move: a capped list whose selection nears its end asks for more hits.
    pub(crate) fn search_more_if_near_end(&mut self, target: Target, height: usize) {
        if self.search_of(target).is_some_and(|s| s.wants_more(height)) {
            self.start_search(target);
        }
    }

    /// What a key means in a picker: a picker action, or Back / Quit on a non-text key;
    /// `None` for a key that edits the query.
    pub(crate) fn picker_action(&self, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        match self
            .config
            .keymap
            .lookup(&[key], &[Scope::Picker, Scope::Global])
        {
            Lookup::Action(a) if a.def().scope == Scope::Picker => Some(a),
            Lookup::Action(a @ (Action::Back | Action::Quit)) if !key.is_text() => Some(a),
            _ => None,
        }
    }

    /// A key while the picker is open.
    pub(crate) fn picker_key(&mut self, event: KeyEvent) {
        let action = self.picker_action(&event);
        let height = picker_list_height(self.size);
        let Some(Overlay::Picker(picker)) = &mut self.overlay else {
            return;
        };
        let s = &mut picker.search;
        match action {
            Some(Action::PickerNext) => s.select(s.selected.saturating_add(1), height),
            Some(Action::PickerPrev) => s.select(s.selected.saturating_sub(1), height),
            Some(Action::PickerPageDown) => s.select(s.selected.saturating_add(height), height),
            Some(Action::PickerPageUp) => s.select(s.selected.saturating_sub(height), height),
            Some(Action::Back | Action::Quit) => self.overlay = None,
            Some(Action::PickerChoose) => {
                let chosen = picker.chosen();
                let purpose = picker.purpose.clone();
                if let Some(code) = chosen {
                    self.overlay = None;
                    self.picked(purpose, code);
                }
            }
            _ => {
                if s.input_key(event) {
                    self.start_search(Target::Picker);
                }
                return;
            }
        }
        self.search_more_if_near_end(Target::Picker, height);
    }

    /// Pasted text while the picker is open.
    pub(crate) fn picker_paste(&mut self, text: &str) {
        if let Some(Overlay::Picker(p)) = &mut self.overlay
            && p.search.paste(text)
        {
            self.start_search(Target::Picker);
        }
    }
}

/// The query box: `/ query`, the parse error or the result count, the cursor when typing.
pub fn draw_query(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    search: &ElementSearch,
    typing: bool,
    building: bool,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    if area.width < 3 || area.height == 0 {
        return;
    }
    let w = usize::from(area.width);
    let status = if building {
        (
            lang.pick("正在建立索引…", "indexing…").to_string(),
            Slot::StatusWarn,
        )
    } else if let Some(e) = &search.error {
        (format!("! {}", e.describe(lang)), Slot::Error)
    } else if search.searching {
        (lang.pick("搜索中…", "searching…").to_string(), Slot::Dim)
    } else {
        (
            {
                // an empty query lists every element: the count is the index's
                let every = app.elements.index.as_ref().map(|i| i.len());
                let (n, more) = match (search.is_capped(), every) {
                    (true, Some(all)) if search.query().trim().is_empty() => (all, ""),
                    (true, _) => (search.hits.len(), "+"),
                    (false, _) => (search.hits.len(), ""),
                };
                let noun = if n == 1 && more.is_empty() {
                    "result"
                } else {
                    "results"
                };
                lang.pick(format!("{n}{more} 个结果"), format!("{n}{more} {noun}"))
            },
            Slot::Dim,
        )
    };
    let status_text = fit(&status.0, w / 2, app.config.ascii);
    let room = w.saturating_sub(2 + width(&status_text) + 2);
    let (text, cursor) = line_view(search.query(), search.input.cursor(), room);
    let placeholder = search.query().is_empty() && !typing;
    let shown = if placeholder {
        fit(
            lang.pick(
                "名称 / 同义词 / 编码 / 拼音首字母（sfzhm），kind:cn_id status:published agency:市场",
                "name / synonym / code / pinyin initials (sfzhm), kind:cn_id status:published agency:市场",
            ),
            room,
            app.config.ascii,
        )
    } else {
        text
    };
    let used = 2 + width(&shown);
    let gap = w.saturating_sub(used + width(&status_text));
    let line = Line::from(vec![
        Span::styled("/ ", theme.get(Slot::Key)),
        Span::styled(
            shown,
            theme.get(if placeholder {
                Slot::Dim
            } else if typing {
                Slot::InputFocus
            } else {
                Slot::Input
            }),
        ),
        Span::raw(" ".repeat(gap)),
        Span::styled(status_text, theme.get(status.1)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    if typing {
        let x = area.x + (2 + cursor).min(w.saturating_sub(1)) as u16;
        frame.set_cursor_position(Position::new(x, area.y));
    }
}

/// The results: code, name, kind (Chinese), use count and status; only the visible window
/// is turned into lines.
pub fn draw_results(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    search: &ElementSearch,
    focused: bool,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    if area.width == 0 || area.height == 0 {
        return;
    }
    if search.hits.is_empty() {
        let text = if !search.ready {
            lang.pick("（正在加载）", "(loading)")
        } else if search.query().is_empty() {
            lang.pick("（数据元池为空：a 新增）", "(the pool is empty: a adds)")
        } else {
            lang.pick("没有匹配的数据元", "no matching elements")
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.get(Slot::Dim))),
            area,
        );
        return;
    }
    let w = usize::from(area.width);
    let h = usize::from(area.height);
    let end = (search.offset + h).min(search.hits.len());
    let start = search.offset.min(end);
    let window = &search.hits[start..end];
    let code_w = window
        .iter()
        .map(|hit| width(&inert(&hit.code)))
        .max()
        .unwrap_or(0)
        .min(12);
    let wide = w >= 44;
    let kind_w = if wide { 8 } else { 0 };
    let status_w = if wide { 6 } else { 0 };
    // one space from the kind, then the widest count in view (at least 3 digits)
    let uses_w = 1 + window
        .iter()
        .map(|hit| hit.uses.to_string().len())
        .max()
        .unwrap_or(0)
        .max(3);
    let fixed = 1 + code_w + 1 + 1 + kind_w + uses_w + 1 + status_w + usize::from(wide);
    let name_w = w.saturating_sub(fixed).max(1);
    let ascii = app.config.ascii;
    let lines: Vec<Line> = window
        .iter()
        .enumerate()
        .map(|(i, hit)| {
            let kind = ElementKind::parse(hit.kind).map_or(hit.kind, |k| k.zh());
            let status = hit.status.zh();
            let name = fit(&hit.name, name_w, ascii);
            let name_pad = name_w.saturating_sub(width(&name));
            let mut spans = vec![
                Span::raw(" "),
                Span::styled(
                    pad(&fit(&hit.code, code_w, ascii), code_w),
                    theme.get(Slot::Dim),
                ),
                Span::raw(" "),
                Span::styled(name, theme.get(Slot::Text)),
            ];
            if start + i == search.selected {
                // the name, not the whole row nor the code: a move restyles only the two
                // names (see backend.rs), as in pane 1
                let slot = if focused { Slot::Selection } else { Slot::Dim };
                select(&mut spans[3..], theme.get(slot));
            }
            spans.push(Span::raw(" ".repeat(name_pad + 1)));
            if wide {
                spans.push(Span::styled(
                    pad(&fit(kind, kind_w, ascii), kind_w),
                    theme.get(Slot::Label),
                ));
            }
            spans.push(Span::styled(
                format!("{:>uses_w$}", hit.uses),
                theme.get(Slot::Text),
            ));
            if wide {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(pad(status, status_w), theme.get(Slot::Dim)));
            }
            let used: usize = spans.iter().map(|s| width(&s.content)).sum();
            if used < w {
                spans.push(Span::raw(" ".repeat(w - used)));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// A few lines about an element for the picker: name, kind, definition, synonyms, and
/// how many fields use it (`uses`, from its search row).
fn short_detail(catalog: &Catalog, code: &str, uses: usize, lang: Lang) -> Vec<Line<'static>> {
    let Some(e) = catalog.elements.get(code) else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::from(inert(&e.name).into_owned()),
        Line::from(format!("{}  {}", inert(&e.code), e.kind.zh())),
    ];
    if !e.synonyms.is_empty() {
        lines.push(Line::from(format!(
            "{}{}",
            lang.pick("同义词：", "synonyms: "),
            inert(&e.synonyms.join("、"))
        )));
    }
    if !e.definition.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(inert(&e.definition).into_owned()));
    }
    lines.push(Line::default());
    lines.push(Line::from(lang.pick(
        format!("被 {uses} 个字段使用"),
        format!("used by {uses} fields"),
    )));
    lines
}

/// Draws the picker overlay.
pub fn draw(frame: &mut Frame<'_>, app: &App, picker: &Picker) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let screen = frame.area();
    let area = picker_area(screen);
    if area.width < 4 || area.height < 3 {
        return;
    }
    frame.render_widget(Clear, area);
    let keys = |a: Action| {
        app.config
            .keymap
            .keys_of(a)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!(":{}", a.name()))
    };
    let hint = crate::tui::hints::hint_line(
        &[
            Hint::new(keys(Action::PickerChoose), lang.pick("选定", "choose")),
            Hint::new(keys(Action::Back), lang.pick("取消", "cancel")),
        ],
        "  ",
        true,
        usize::from(area.width.saturating_sub(2)),
    );
    let b = Block::bordered()
        .border_set(border_set(app.config.ascii))
        .border_style(theme.get(Slot::BorderFocus))
        .style(theme.get(Slot::Popup))
        .title(Span::styled(
            format!(
                " {} ",
                fit(&picker.title, usize::from(area.width) / 2, app.config.ascii)
            ),
            theme.get(Slot::Title),
        ))
        .title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let [query, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let building = app.elements.index.is_none();
    draw_query(frame, app, query, &picker.search, true, building);
    if rest.width >= 70 {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(rest);
        draw_results(frame, app, list, &picker.search, true);
        // the element: the catalog's, or before it is loaded read from the store (on demand)
        let hit = picker.search.selected_hit();
        let shown = match (app.store(), hit) {
            (None, Some(hit)) => app
                .loading
                .as_ref()
                .and_then(|l| l.element_shown(&hit.code, lang))
                .and_then(Result::ok),
            _ => None,
        };
        let catalog = match &shown {
            Some(shown) => Some(&*shown.near),
            None => app.store().map(|s| s.catalog()),
        };
        if let (Some(catalog), Some(hit)) = (catalog, hit) {
            let (code, uses) = (hit.code.clone(), hit.uses);
            let detail = Rect::new(
                detail.x + 1,
                detail.y,
                detail.width.saturating_sub(1),
                detail.height,
            );
            frame.render_widget(
                Paragraph::new(short_detail(catalog, &code, uses, lang)).wrap(Wrap { trim: false }),
                detail,
            );
        }
    } else {
        draw_results(frame, app, rest, &picker.search, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_is_capped_grows_near_its_end_and_a_new_query_starts_small() {
        let index = Arc::new(SearchIndex::build(&crate::sample::elements_only(30)));
        assert!(index.len() > FIRST_HITS * 2, "{} elements", index.len());
        let run = |search: &mut ElementSearch| {
            let job = search.prepare(&index).expect("parses");
            let generation = job.generation;
            let hits = job.run();
            assert!(search.receive(generation, hits, None));
        };
        let mut search = ElementSearch::default();
        run(&mut search);
        assert_eq!(search.hits.len(), FIRST_HITS);
        assert!(search.is_capped());
        let everything = {
            let mut all = ElementSearch::default();
            all.want_hits_to_find();
            run(&mut all);
            all.hits
        };
        assert!(index.len() < WANTED_HITS);
        assert_eq!(everything.len(), index.len(), "asked for every hit");
        assert_eq!(
            search.hits[..],
            everything[..FIRST_HITS],
            "the best, in order"
        );
        // far from the end nothing more is asked for; near it, more
        search.select(10, 20);
        assert!(!search.wants_more(20));
        search.select(FIRST_HITS - 5, 20);
        let selected = search.selected_hit().expect("selected").code.clone();
        assert!(search.wants_more(20));
        run(&mut search);
        assert_eq!(search.hits.len(), (FIRST_HITS * GROWTH).min(index.len()));
        assert_eq!(
            search.selected_hit().map(|h| h.code.as_str()),
            Some(selected.as_str())
        );
        // a new query asks for the first few again
        search.input = Input::new("s".into());
        run(&mut search);
        assert!(search.hits.len() <= FIRST_HITS);
        assert_eq!(search.selected, 0);
    }

    #[test]
    fn the_search_runs_narrows_and_drops_stale_results() {
        let catalog = crate::sample::generate(1);
        let index = Arc::new(SearchIndex::build(&catalog));
        let mut search = ElementSearch {
            input: Input::new("sfz".into()),
            ..Default::default()
        };
        let stale = search.prepare(&index).expect("parses");
        search.input = Input::new("sfzhm".into());
        let job = search.prepare(&index).expect("parses");
        let generation = job.generation;
        let hits = job.run();
        // the older search's results arrive late and are dropped
        assert!(!search.receive(stale.generation, stale.run(), None));
        assert!(search.receive(generation, hits, None));
        assert_eq!(search.hits[0].code, "DE000005");
        let picker = Picker {
            search,
            purpose: PickPurpose::EditorField,
            title: String::new(),
        };
        assert_eq!(picker.chosen().as_deref(), Some("DE000005"));
        let mut bad = ElementSearch {
            input: Input::new("kind:idcard".into()),
            ..Default::default()
        };
        assert!(bad.prepare(&index).is_none());
        assert_eq!(bad.error, Some(QueryError::Kind("idcard".into())));
    }
}
