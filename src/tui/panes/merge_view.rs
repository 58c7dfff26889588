//! Drawing pane 4: the bundle list, or the workspace (questions, items, the merged form /
//! source diff / materials / flow, the stats strip and the before→after bars), plus the
//! pane's prompt and chooser. Reads state only; every store string goes through `fit`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::super::action::Action;
use super::super::app::{App, AppEvent, Level};
use super::super::detail;
use super::super::hints::{Hint, border_hints, hint_line};
use super::super::text::fit;
use super::super::theme::{Slot, Theme};
use super::super::view::{block, centered, key_of, popup};
use super::bundle_materials::item_name;
use super::bundles::{BundlesPane, Focus, Mark, RightView, Workspace};
use crate::display::{inert, pad, width};
use crate::engine::bundle_edit;
use crate::engine::dups::Covers;
use crate::engine::merge::{ConflictKind, Merge, MergeStats, MergedField, SourceRef, flow};
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Origin, RecordRef};

/// The slot a mark is drawn in.
fn mark_slot(mark: Mark) -> Slot {
    match mark {
        Mark::Kept => Slot::Dim,
        Mark::Merged => Slot::Sub,
        Mark::Conflict => Slot::Error,
        Mark::Suggested => Slot::Match,
    }
}

fn arrow(ascii: bool) -> &'static str {
    if ascii { "->" } else { "→" }
}

/// A workspace column's block. The focused one says so without colour too: its title
/// starts with `▶` (`>` with `--ascii`) and is drawn reversed, besides the focus border.
fn column_block<'a>(app: &App, title: &str, focused: bool) -> Block<'a> {
    let theme = &app.config.theme;
    let b = Block::bordered()
        .border_set(crate::tui::text::border_set(app.config.ascii))
        .border_style(theme.get(if focused {
            Slot::BorderFocus
        } else {
            Slot::Border
        }));
    if focused {
        let mark = if app.config.ascii { ">" } else { "▶" };
        b.title(Span::styled(
            format!(" {mark}{title}"),
            theme.get(Slot::Title).add_modifier(Modifier::REVERSED),
        ))
    } else {
        b.title(Span::styled(title.to_string(), theme.get(Slot::Title)))
    }
}

/// What conflicts among the sources of merged field `i`: `标签、必填不一` (empty: nothing).
fn conflict_kinds(w: &Workspace, i: usize, lang: Lang) -> String {
    let Some(element) = w.merge.fields.get(i).and_then(|f| f.element.as_ref()) else {
        return String::new();
    };
    let kinds: Vec<&str> = w
        .merge
        .conflicts
        .iter()
        .filter(|c| c.element == *element)
        .map(|c| c.kind.describe(lang))
        .collect();
    if kinds.is_empty() {
        return String::new();
    }
    lang.pick(
        format!(" {}不一 ", kinds.join("、")),
        format!(" {} differ ", kinds.join(", ")),
    )
}

/// One source's own value of every attribute its merged field's sources disagree on:
/// `标签「法人姓名」 选填 选项 餐饮/零售`.
fn source_values(w: &Workspace, into: &MergedField, source: &SourceRef, lang: Lang) -> String {
    w.merge
        .conflicts
        .iter()
        .filter(|c| Some(&c.element) == into.element.as_ref())
        .filter_map(|c| {
            let v = c.value_text(c.value_of_source(source)?, lang);
            Some(match c.kind {
                ConflictKind::Required => v,
                _ => format!("{}{v}", c.kind.describe(lang)),
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Draws pane 4 into `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let Some(catalog) = app.bundles_catalog() else {
        return;
    };
    if area.width < 4 || area.height < 3 {
        return;
    }
    let pane = &app.bundles;
    match pane.work.as_ref() {
        Some(w) => match catalog.bundles.get(w.code.as_str()) {
            Some(b) => draw_workspace(frame, app, catalog, b, w, area),
            None => draw_list(frame, app, catalog, pane, area),
        },
        None => draw_list(frame, app, catalog, pane, area),
    }
    if let Some(editor) = &pane.materials {
        super::bundle_materials::draw(frame, app, catalog, editor);
    }
    if let Some(prompt) = &pane.prompt {
        let bundle = pane
            .work
            .as_ref()
            .and_then(|w| catalog.bundles.get(w.code.as_str()));
        draw_prompt(
            frame,
            app,
            prompt,
            &prompt.kind.context(catalog, bundle),
            area,
        );
        if let Some(bundle) = bundle.filter(|_| prompt.kind.is_condition()) {
            draw_condition_checklist(frame, app, prompt, bundle, area);
        }
    }
    if let Some(chooser) = &pane.chooser {
        draw_chooser(frame, app, chooser);
    }
    if let Some(picker) = &pane.picker {
        super::bundle_picker::draw(frame, app, catalog, picker);
    }
    if let Some(lead) = &pane.lead {
        super::lead_picker::draw(frame, app, catalog, lead);
    }
}

/// The window of `len` rows of height `h` that shows `selected`.
fn window(len: usize, selected: usize, h: usize) -> std::ops::Range<usize> {
    let start = (selected + 1).saturating_sub(h.max(1));
    start..len.min(start + h)
}

fn row_line(spans: Vec<Span<'static>>, w: usize, selected: bool, theme: &Theme) -> Line<'static> {
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let mut spans = spans;
    if used < w {
        spans.push(Span::raw(" ".repeat(w - used)));
    }
    let line = Line::from(spans);
    if selected {
        line.style(theme.get(Slot::Selection))
    } else {
        line
    }
}

fn draw_list(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, pane: &BundlesPane, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let codes = BundlesPane::codes(catalog);
    let (left, right) = list_areas(area);
    let title = format!(
        " {} {}/{} ",
        lang.pick("主题", "主题 Bundles"),
        (pane.selected + 1).min(codes.len()),
        codes.len()
    );
    let hint = border_hints(
        &[
            Hint::new(key_of(app, Action::BundleOpen), lang.pick("打开", "open")),
            Hint::new(key_of(app, Action::BundleNew), lang.pick("新建", "new")),
            Hint::new(key_of(app, Action::BundleClaim), lang.pick("认领", "claim")),
        ],
        left.width,
    );
    let b = block(app, title, true).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(left);
    frame.render_widget(b, left);
    let w = usize::from(inner.width);
    if codes.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("（没有主题：按 n 新建）", "(no bundles: n makes one)"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
    }
    let mut lines = Vec::new();
    for i in window(codes.len(), pane.selected, usize::from(inner.height)) {
        let Some(b) = catalog.bundles.get(codes[i]) else {
            continue;
        };
        let status = detail::status_text(b.status, b.version, lang);
        let code = fit(&b.code, 12, ascii);
        let room = w.saturating_sub(width(&code) + width(&status) + 3);
        let name = pad(&fit(&b.name, room, ascii), room);
        lines.push(row_line(
            vec![
                Span::styled(format!("{code} "), theme.get(Slot::Dim)),
                Span::styled(name, theme.get(Slot::Main)),
                Span::raw(" "),
                Span::styled(status, theme.get(Slot::Dim)),
            ],
            w,
            i == pane.selected,
            theme,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let (Some(r), Some(b)) = (
        right,
        codes
            .get(pane.selected)
            .and_then(|c| catalog.bundles.get(*c)),
    ) {
        let bl = block(app, format!(" {} ", lang.pick("详情", "Detail")), false);
        let inner = bl.inner(r);
        let lines = detail::panel_lines(catalog, RecordRef::Bundle(b), theme, lang, inner.width);
        let height = usize::from(inner.height);
        let overflows = lines.len() > height;
        let (lines, above) = detail::window(lines, height, pane.detail.offset(&b.code), |n, _| {
            detail::more_lines(n, lang, ascii, theme)
        });
        let hint = crate::tui::view::detail_hint(
            app,
            above,
            overflows,
            Action::BundleDetailUp,
            Action::BundleDetailDown,
        );
        let bl = match hint {
            Some(hint) => bl.title_bottom(Span::styled(hint, theme.get(Slot::Dim))),
            None => bl,
        };
        frame.render_widget(bl, r);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// What the status bar says while the element pool is read for a bundle opened on demand.
fn pool_reading(lang: Lang) -> &'static str {
    lang.pick(
        "正在读取数据元池，以给出绑定建议…",
        "reading the element pool for the suggestions…",
    )
}

/// The bundle list's columns in pane 4's `area`: the list, and the detail when there is
/// room for it.
fn list_areas(area: Rect) -> (Rect, Option<Rect>) {
    if area.width >= 72 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(area);
        (l, Some(r))
    } else {
        (area, None)
    }
}

impl App {
    /// What pane 4 shows: the store's catalog, or before it is loaded (on demand) the
    /// bundles with what they reference, read from the store.
    pub(crate) fn bundles_catalog(&self) -> Option<&Catalog> {
        if let Some(store) = self.store() {
            return Some(store.catalog());
        }
        let open = self.bundles.work.is_some();
        self.loading.as_ref()?.bundles_shown(open)
    }

    /// Opens the selected bundle before the catalog is loaded (on demand): its records are
    /// read from the store at once (the bundle, its items, their forms and what those
    /// reference), the merge shown from them, and the element pool read on a worker for the
    /// suggestions, which the merge then makes (a million elements take a few seconds).
    pub(crate) fn open_bundle_on_demand(&mut self) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let code = loading.bundles_on_demand().and_then(|list| {
            BundlesPane::codes(list)
                .get(self.bundles.selected)
                .map(|c| c.to_string())
        });
        if let Some(code) = code {
            self.read_bundle_on_demand(&code, false);
        }
    }

    /// Reads the records of the bundle `code` from the store (on demand), with the agencies
    /// and regions, and shows its merge from them, the element pool then read on a worker
    /// for the suggestions: when it is opened, and (`again`) after items were put in it, the
    /// workspace kept as it is.
    pub(crate) fn read_bundle_on_demand(&mut self, code: &str, again: bool) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (Some(store), Some(outline)) = (loading.unloaded(), loading.outline.clone()) else {
            return;
        };
        let code = code.to_string();
        // the bundle's records, and every agency and region (a few dozen: the lead agency
        // is chosen among them)
        let read = store
            .bundle_neighbourhood(&code, &outline, false)
            .and_then(|near| {
                let Some((mut near, _)) = near else {
                    return Ok(None);
                };
                for kind in [crate::model::Kind::Agency, crate::model::Kind::Region] {
                    for record in store.records_of(kind)? {
                        near.insert(record);
                    }
                }
                Ok(Some(near))
            });
        let near = match read {
            Ok(Some(near)) => near,
            Ok(None) => return,
            Err(e) => {
                let text = e.to_string();
                self.say(Level::Error, text);
                return;
            }
        };
        let reader = store.reader();
        match again {
            true => self.bundles.read_again_on_demand(&near),
            false => self.bundles.open_on_demand(&near, &code),
        }
        let bundle = near.bundles.get(code.as_str()).cloned();
        if let Some(loading) = self.loading.as_mut() {
            loading.bundle_near = Some(near.clone());
        }
        // (said unless something else is: a new bundle's, an item's put in)
        if self.message.is_none() {
            self.say(Level::Info, pool_reading(self.lang).into());
        }
        let Some(bundle) = bundle else {
            return;
        };
        self.spawn_job(move || {
            // (the elements the merge suggests are read once the covers are in)
            let labels = crate::engine::merge::unbound_labels(&near, &bundle);
            let read = reader.covers(labels).map_err(|e| e.to_string());
            AppEvent::BundlePool { code, read }
        });
    }

    /// The element pool's covers a worker read for the bundle opened on demand; the
    /// elements its merge then suggests (a few dozen) are read into the bundle's records,
    /// for the fix dialog to name them and bind to them.
    pub(crate) fn bundle_pool_read(&mut self, code: &str, read: Result<Covers, String>) {
        let Some(near) = self.loading.as_ref().and_then(|l| l.bundle_near.as_ref()) else {
            return;
        };
        let covers = match read {
            Ok(covers) => covers,
            Err(text) => return self.say(Level::Error, text),
        };
        self.bundles.pool_read(code, covers, near);
        let reading = pool_reading(self.lang);
        if self.message.as_ref().is_some_and(|m| m.text == reading) {
            self.message = None;
        }
        let suggested: Vec<String> = self
            .bundles
            .work
            .iter()
            .flat_map(|w| {
                w.merge
                    .suggestions
                    .iter()
                    .flat_map(|s| s.candidates())
                    .filter_map(|c| c.element.map(|e| e.to_string()))
            })
            .collect();
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (Some(store), Some(near)) = (loading.unloaded(), loading.bundle_near.as_ref()) else {
            return;
        };
        let mut read = Vec::new();
        for element in suggested
            .iter()
            .filter(|e| !near.elements.contains_key(e.as_str()))
        {
            match store.record(crate::model::Kind::Element, element) {
                Ok(found) => read.extend(found),
                Err(e) => return self.say(Level::Error, e.to_string()),
            }
        }
        if let Some(near) = loading.bundle_near.as_mut() {
            for record in read {
                near.insert(record);
            }
        }
    }

    /// Scrolls the bundle list's detail `by` lines, as far as its last line on the last row
    /// (nothing while a bundle is open: the workspace has no detail).
    pub(crate) fn scroll_bundle_detail(&mut self, by: isize) {
        if self.bundles.work.is_some() {
            return;
        }
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let Some(area) = list_areas(crate::tui::view::areas(screen).main).1 else {
            return;
        };
        let Some(catalog) = self.bundles_catalog() else {
            return;
        };
        let Some(b) = BundlesPane::codes(catalog)
            .get(self.bundles.selected)
            .and_then(|c| catalog.bundles.get(*c))
        else {
            return;
        };
        let (w, h) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
        let n = detail::panel_lines(
            catalog,
            RecordRef::Bundle(b),
            &self.config.theme,
            self.lang,
            w,
        )
        .len();
        let code = b.code.to_string();
        self.bundles.detail.scroll(&code, by, n, usize::from(h));
    }
}

/// The share of fields the merge saves (` -49%`); nothing for a share of nothing (no fields
/// yet, or none merged away).
fn reduction(m: &Merge) -> String {
    let s = &m.stats;
    if s.fields_before.saturating_sub(s.fields_after) == 0 {
        String::new()
    } else {
        format!(" -{}%", (m.field_reduction() * 100.0).round())
    }
}

/// `字段 100 → 51 -49%  材料 34 → 29（免提交 2）  时限 24 → 10 天  事项 6`, or where that does
/// not fit in `width` columns the same figures closer together, without the exempt count
/// (`字段 100→51 -49% 材料 34→29 时限 24→10天 事项 6`).
pub fn stats_line(m: &Merge, lang: Lang, ascii: bool, width: usize) -> String {
    let full = stats_text(m, lang, ascii, false);
    if crate::display::width(&full) <= width {
        full
    } else {
        stats_text(m, lang, ascii, true)
    }
}

/// The workspace's figures, spaced out or (`close`) close together without the exempt count.
fn stats_text(m: &Merge, lang: Lang, ascii: bool, close: bool) -> String {
    let a = arrow(ascii);
    let s = &m.stats;
    let pct = reduction(m);
    let (gap, to) = if close {
        (" ", a.to_string())
    } else {
        ("   ", format!(" {a} "))
    };
    let (fields, materials, days) = (
        format!("{}{to}{}{pct}", s.fields_before, s.fields_after),
        format!("{}{to}{}", s.materials_before, s.materials_after),
        format!("{}{to}{}", s.time_sum_days, s.time_critical_days),
    );
    let exempt = s.materials_exempt;
    let items = s.items_visible;
    if lang == Lang::Zh {
        let exempt = if close {
            String::new()
        } else {
            format!("（免提交 {exempt}）")
        };
        let day = if close { "天" } else { " 天" };
        format!("字段 {fields}{gap}材料 {materials}{exempt}{gap}时限 {days}{day}{gap}事项 {items}")
    } else {
        let exempt = if close {
            String::new()
        } else {
            format!(" ({exempt} 免提交 exempt)")
        };
        format!(
            "fields {fields}{gap}materials {materials}{exempt}{gap}days {days}{gap}items {items}"
        )
    }
}

fn draw_workspace(
    frame: &mut Frame<'_>,
    app: &App,
    catalog: &Catalog,
    b: &Bundle,
    w: &Workspace,
    area: Rect,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let [head, stats, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let origin = match b.origin {
        Origin::Claimed => lang.pick("认领", "认领 claimed"),
        Origin::SelfBuilt => lang.pick("自建", "自建 self-built"),
    };
    let lead = b
        .lead_agency
        .as_ref()
        .map(|a| {
            catalog
                .agencies
                .get(a.as_str())
                .map_or(a.as_str(), |x| x.name.as_str())
        })
        .unwrap_or("-");
    let answered = w.answers.len();
    let head_text = format!(
        " {}  {}  {}  {}  {} {}  {} {answered}/{}",
        b.code,
        b.name,
        detail::status_text(b.status, b.version, lang),
        origin,
        lang.pick("牵头", "lead"),
        lead,
        lang.pick("已答", "answered"),
        b.questions.len()
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            fit(&head_text, usize::from(head.width), ascii),
            theme.get(Slot::Title),
        )),
        head,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            fit(
                &format!(
                    " {}",
                    stats_line(
                        &w.merge,
                        lang,
                        ascii,
                        usize::from(stats.width).saturating_sub(1)
                    )
                ),
                usize::from(stats.width),
                ascii,
            ),
            theme.get(Slot::Key),
        )),
        stats,
    );
    if body.height < 3 {
        return;
    }
    let left_w = (body.width * 2 / 5).max(20).min(body.width);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    let q_h = (b.questions.len() as u16 + 2).clamp(3, (left.height / 2).max(3));
    let [qa, ia] = Layout::vertical([Constraint::Length(q_h), Constraint::Min(0)]).areas(left);
    draw_questions(frame, app, b, w, qa);
    draw_items(frame, app, catalog, b, w, ia);
    if right.width < 8 {
        return;
    }
    let chart_h = if right.height >= 16 { 8 } else { 0 };
    let [view, chart] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(chart_h)]).areas(right);
    draw_right(frame, app, catalog, w, view);
    if chart_h > 0 {
        draw_chart(frame, app, &w.merge.stats, chart);
    }
}

fn draw_questions(frame: &mut Frame<'_>, app: &App, b: &Bundle, w: &Workspace, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let focused = w.focus == Focus::Questions;
    let title = format!(" {} ", lang.pick("判断项", "判断项 Questions"));
    let hint = border_hints(
        &[Hint::new(
            key_of(app, Action::MergeToggle),
            lang.pick("切换答案", "cycles the answer"),
        )
        .short(lang.pick("切换", "answer"))],
        area.width,
    );
    let bl =
        column_block(app, &title, focused).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = bl.inner(area);
    frame.render_widget(bl, area);
    let iw = usize::from(inner.width);
    if b.questions.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("（没有判断项：a 新增）", "(no questions: a adds one)"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
        return;
    }
    let mut lines = Vec::new();
    for i in window(b.questions.len(), w.selected[0], usize::from(inner.height)) {
        let q = &b.questions[i];
        let answer = w
            .answers
            .get(&q.key)
            .and_then(|a| q.options.iter().find(|o| &o.key == a));
        let (text, slot) = match answer {
            Some(o) => (format!("[{}]", fit(&o.text, 12, ascii)), Slot::Key),
            None => (format!("[{}]", lang.pick("未答", "unanswered")), Slot::Dim),
        };
        let room = iw.saturating_sub(width(&text) + 1);
        lines.push(row_line(
            vec![
                Span::raw(pad(&fit(&q.text, room, ascii), room)),
                Span::raw(" "),
                Span::styled(text, theme.get(slot)),
            ],
            iw,
            focused && i == w.selected[0],
            theme,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_items(
    frame: &mut Frame<'_>,
    app: &App,
    catalog: &Catalog,
    b: &Bundle,
    w: &Workspace,
    area: Rect,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let focused = w.focus == Focus::Items;
    let title = format!(
        " {} {}/{} ",
        lang.pick("事项", "事项 Items"),
        w.merge.items.len(),
        b.items.len()
    );
    let hint = border_hints(
        &[Hint::new(
            key_of(app, Action::MergeToggle),
            lang.pick("纳入/排除表单", "includes/excludes forms"),
        )
        .short(lang.pick("纳入/排除", "in/out"))],
        area.width,
    );
    let bl =
        column_block(app, &title, focused).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = bl.inner(area);
    frame.render_widget(bl, area);
    let iw = usize::from(inner.width);
    if b.items.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("（没有事项：a 新增）", "(no items: a adds one)"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
        return;
    }
    let focused_here = focused;
    let row = |i: usize, full: bool| -> Vec<Span<'static>> {
        let code = &b.items[i];
        let visible = w.merge.items.iter().any(|x| x == code);
        let forms = crate::engine::merge::item_forms(catalog, code);
        let boxed = if forms.is_empty() {
            "[-]"
        } else if forms.iter().all(|f| w.excluded.contains(f.code.as_str())) {
            "[ ]"
        } else {
            "[x]"
        };
        let item = catalog.items.get(code.as_str());
        let name = item.map_or("", |x| x.name.as_str());
        let days = item.map_or(0, |x| x.time_limit_days);
        let mut note = lang.pick(format!("{days}天"), format!("{days}d"));
        if !visible {
            note = lang.pick("不适用", "n/a").to_string();
        } else if w.merge.flow.critical_path.iter().any(|c| c == code) {
            note = format!("*{note}");
        }
        let room = iw.saturating_sub(4 + width(&note) + 1);
        let style = theme.get(if visible { Slot::Text } else { Slot::Dim });
        let name = if full {
            inert(name).into_owned()
        } else {
            pad(&fit(name, room, ascii), room)
        };
        vec![
            Span::styled(format!("{boxed} "), theme.get(Slot::Key)),
            Span::styled(name, style),
            Span::raw(" "),
            Span::styled(note, theme.get(Slot::Dim)),
        ]
    };
    let lines = list_lines(
        b.items.len(),
        w.selected[1],
        usize::from(inner.height),
        iw,
        focused_here,
        row,
        theme,
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The lines of a list `h` rows high that shows row `selected` of `n`: `row(i, false)` cut to
/// the width `w`; with `focused`, the selected row is highlighted and drawn whole from
/// `row(i, true)` when the cut one leaves something out, wrapped over as many lines as it
/// needs, so the cursor reads any row in full.
fn list_lines(
    n: usize,
    selected: usize,
    h: usize,
    w: usize,
    focused: bool,
    row: impl Fn(usize, bool) -> Vec<Span<'static>>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if n == 0 || h == 0 {
        return Vec::new();
    }
    let selected = selected.min(n - 1);
    // (a row shown whole already keeps its columns)
    let text = |spans: &[Span<'_>]| -> String {
        spans
            .iter()
            .flat_map(|s| s.content.chars())
            .filter(|c| *c != ' ')
            .collect()
    };
    let whole: Option<Vec<Line<'static>>> = focused
        .then(|| row(selected, true))
        .filter(|spans| text(spans) != text(&row(selected, false)))
        .map(|spans| {
            let columns = u16::try_from(w).unwrap_or(u16::MAX);
            let mut wrapped = crate::tui::text::wrap_lines(&[Line::from(spans)], columns);
            wrapped.truncate(h);
            wrapped
                .into_iter()
                .map(|l| row_line(l.spans, w, true, theme))
                .collect()
        });
    let extra = whole.as_ref().map_or(0, |l| l.len().saturating_sub(1));
    let mut lines = Vec::new();
    for i in window(n, selected, h.saturating_sub(extra).max(1)) {
        match &whole {
            Some(whole) if i == selected => lines.extend(whole.iter().cloned()),
            _ => lines.push(row_line(row(i, false), w, focused && i == selected, theme)),
        }
    }
    lines
}

/// The flow view's footer in `columns`: the critical path's days and items, then the export
/// keys. The keys stay whole; where the rest does not fit, the path keeps the names that fit
/// (see [`path_in`]), then the days are said shorter (`* 9 天`), then the path goes, then
/// the days.
fn flow_footer(app: &App, catalog: &Catalog, w: &Workspace, columns: usize) -> String {
    let lang = app.lang;
    let ascii = app.config.ascii;
    let days = w.merge.flow.time_critical_days;
    let keys = hint_line(
        &[
            Hint::new(key_of(app, Action::FlowExportDot), "DOT"),
            Hint::new(key_of(app, Action::FlowExportMermaid), "Mermaid"),
        ],
        " ",
        false,
        columns.saturating_sub(2),
    );
    let names: Vec<String> = (w.merge.flow.critical_path.iter())
        .map(|c| inert(item_name(catalog, c)).into_owned())
        .collect();
    let full = format!(
        "* {} {}",
        lang.pick("关键路径", "critical path"),
        lang.pick(format!("{days} 天"), format!("{days} days"))
    );
    let short = lang.pick(format!("* {days} 天"), format!("* {days} days"));
    // ` head path keys `: blanks at either end and between the parts
    let room = |head: &str| columns.saturating_sub(width(head) + width(&keys) + 4);
    for head in [&full, &short] {
        if let Some(path) = path_in(&names, arrow(ascii), room(head)) {
            return format!(" {head} {path} {keys} ");
        }
    }
    [full, short]
        .into_iter()
        .map(|head| format!(" {head} {keys} "))
        .find(|line| width(line) <= columns)
        .unwrap_or_else(|| format!(" {keys} "))
}

/// As many whole names of a path as fit in `room` columns, `arrow` between them, then how
/// many are left out (`公司设立登记 → 食品经营许可 +2`); `None` if not even one fits.
fn path_in(names: &[String], arrow: &str, room: usize) -> Option<String> {
    (1..=names.len()).rev().find_map(|shown| {
        let mut path = names[..shown].join(arrow);
        if shown < names.len() {
            path.push_str(&format!(" +{}", names.len() - shown));
        }
        (width(&path) <= room).then_some(path)
    })
}

fn draw_right(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, w: &Workspace, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let focused = w.focus == Focus::Right;
    let n = w.right_len();
    let title = format!(
        " {} {} [{} {}] ",
        w.view.title(lang),
        n,
        key_of(app, Action::MergeView),
        lang.pick("切换视图", "view")
    );
    let bottom = match w.view {
        RightView::Merged | RightView::Diff => {
            // the symbols' legend, then the key that deals with the selected field; where
            // they do not all fit, the legend's last entries go first
            let mut hints: Vec<Hint> = Mark::ALL
                .iter()
                .map(|m| Hint::new(m.symbol(), m.label(lang)).rank(1))
                .collect();
            hints.push(Hint::new(
                key_of(app, Action::MergeFix),
                lang.pick("处理", "fix"),
            ));
            hint_line(
                &hints,
                "  ",
                true,
                usize::from(area.width.saturating_sub(2)),
            )
        }
        RightView::Materials => border_hints(
            &[Hint::text(lang.pick(
                "免 = 免提交（数据共享获取）",
                "免 = exempt (fetched by data sharing)",
            ))
            .short(lang.pick("免 = 免提交", "免 = exempt"))],
            area.width,
        ),
        RightView::Flow => flow_footer(app, catalog, w, usize::from(area.width.saturating_sub(2))),
    };
    let bl = column_block(app, &title, focused).title_bottom(Span::styled(
        fit(&bottom, usize::from(area.width.saturating_sub(2)), ascii),
        theme.get(Slot::Dim),
    ));
    let inner = bl.inner(area);
    frame.render_widget(bl, area);
    let iw = usize::from(inner.width);
    // the bar gets a fifth of the width: the names matter more
    let flow_text = match w.view {
        RightView::Flow => flow::to_text(catalog, &w.merge.flow, ascii, (iw / 5).clamp(6, 32)),
        _ => String::new(),
    };
    let flow_lines: Vec<&str> = flow_text.lines().collect();
    // row `i`, cut to the width, or whole (`full`: the selected row, wrapped)
    let row = |i: usize, full: bool| -> Vec<Span<'static>> {
        let cut = |text: &str, room: usize| {
            if full {
                inert(text).into_owned()
            } else {
                pad(&fit(text, room, ascii), room)
            }
        };
        match w.view {
            RightView::Merged => {
                let f = &w.merge.fields[i];
                let mark = w.marks.get(i).copied().unwrap_or(Mark::Kept);
                let code = f
                    .element
                    .clone()
                    .unwrap_or_else(|| lang.pick("未绑定", "unbound").into());
                let tail = format!(
                    " {} {:>2}{} {}",
                    fit(&code, 10, ascii),
                    f.sources.len(),
                    lang.pick("源", "src"),
                    if f.required { "*" } else { " " }
                );
                // what conflicts, after the label: `标签≠ 必填≠`
                let differs = conflict_kinds(w, i, lang);
                let differs = if full {
                    differs
                } else {
                    fit(&differs, iw / 3, ascii)
                };
                let room = iw.saturating_sub(2 + width(&tail) + width(&differs));
                vec![
                    Span::styled(format!("{} ", mark.symbol()), theme.get(mark_slot(mark))),
                    Span::raw(cut(&f.label, room)),
                    Span::styled(differs, theme.get(Slot::Error)),
                    Span::styled(tail, theme.get(Slot::Dim)),
                ]
            }
            RightView::Diff => {
                let d = &w.diff[i];
                let into = &w.merge.fields[d.into];
                let source = &into.sources[d.entry];
                let label = catalog
                    .forms
                    .get(source.form.as_str())
                    .and_then(|f| f.fields().find(|(_, _, x)| x.key == source.field))
                    .map_or("", |(_, _, x)| x.label.as_str());
                let src = format!("{}/{}", source.form, source.field);
                let src = if full { src } else { fit(&src, 16, ascii) };
                let what = match d.mark {
                    Mark::Kept => lang.pick("保留", "kept").to_string(),
                    Mark::Merged => lang.pick(
                        format!(
                            "并入 {}（另 {} 源）",
                            into.element.as_deref().unwrap_or(""),
                            into.sources.len() - 1
                        ),
                        format!(
                            "into {} (+{} sources)",
                            into.element.as_deref().unwrap_or(""),
                            into.sources.len() - 1
                        ),
                    ),
                    Mark::Conflict => {
                        // this source's value of each differing attribute
                        let own = source_values(w, into, source, lang);
                        lang.pick(
                            format!("冲突 {} {}", into.element.as_deref().unwrap_or(""), own),
                            format!("conflict {} {}", into.element.as_deref().unwrap_or(""), own),
                        )
                    }
                    Mark::Suggested => {
                        let target = w
                            .merge
                            .suggestions
                            .iter()
                            .find(|s| s.fields.iter().any(|x| x == source))
                            .and_then(|s| s.element.clone())
                            .unwrap_or_else(|| lang.pick("新数据元", "new element").into());
                        lang.pick(format!("建议 {target}"), format!("suggest {target}"))
                    }
                };
                // a conflict names its values: give it more of the row
                let most = if d.mark == Mark::Conflict {
                    iw * 2 / 3
                } else {
                    iw / 2
                };
                let what = if full { what } else { fit(&what, most, ascii) };
                let room = iw.saturating_sub(2 + width(&src) + 1 + width(&what) + 1);
                vec![
                    Span::styled(
                        format!("{} ", d.mark.symbol()),
                        theme.get(mark_slot(d.mark)),
                    ),
                    Span::styled(format!("{src} "), theme.get(Slot::Dim)),
                    Span::raw(cut(label, room)),
                    Span::raw(" "),
                    Span::styled(what, theme.get(mark_slot(d.mark))),
                ]
            }
            RightView::Materials => {
                let m = &w.merge.materials[i];
                let flag = if m.exempt { "免 " } else { "   " };
                let tail = format!(" {} ", m.items.len());
                let code = fit(&m.material, 10, ascii);
                let room = iw.saturating_sub(3 + width(&code) + 1 + width(&tail));
                vec![
                    Span::styled(flag, theme.get(Slot::Sub)),
                    Span::styled(format!("{code} "), theme.get(Slot::Dim)),
                    Span::raw(cut(&m.name, room)),
                    Span::styled(tail, theme.get(Slot::Dim)),
                ]
            }
            RightView::Flow => {
                let text = flow_lines.get(i).copied().unwrap_or("");
                let critical = text.starts_with('*');
                let style = if critical {
                    theme.get(Slot::Error)
                } else {
                    theme.get(Slot::Text)
                };
                let text = if full {
                    text.to_string()
                } else {
                    fit(text, iw, ascii)
                };
                vec![Span::styled(text, style)]
            }
        }
    };
    let mut lines = list_lines(
        n,
        w.selected[2],
        usize::from(inner.height),
        iw,
        focused,
        row,
        theme,
    );
    if n == 0 {
        lines.push(Line::from(Span::styled(
            empty_text(w, lang),
            theme.get(Slot::Dim),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Why the right view has no rows: no item applies, the applicable items have no forms (or
/// they are all left out), or no materials.
fn empty_text(w: &Workspace, lang: Lang) -> &'static str {
    let m = &w.merge;
    if m.items.is_empty() {
        return lang.pick("（空：没有适用的事项）", "(empty: no item applies)");
    }
    match w.view {
        RightView::Materials => lang.pick(
            "（空：适用的事项没有材料）",
            "(empty: the applicable items ask for no materials)",
        ),
        RightView::Merged | RightView::Diff if m.forms.is_empty() => lang.pick(
            "（空：适用的事项没有纳入的申请表）",
            "(empty: the applicable items have no included forms)",
        ),
        RightView::Merged | RightView::Diff => lang.pick(
            "（空：适用的申请表没有可见字段）",
            "(empty: the applicable forms show no fields)",
        ),
        RightView::Flow => lang.pick("（空：没有适用的事项）", "(empty: no item applies)"),
    }
}

fn draw_chart(frame: &mut Frame<'_>, app: &App, s: &MergeStats, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let bl = block(
        app,
        format!(" {} ", lang.pick("合并前后", "Before / after")),
        false,
    );
    let inner = bl.inner(area);
    frame.render_widget(bl, area);
    let rows = [
        (lang.pick("字段", "fields"), s.fields_before, s.fields_after),
        (
            lang.pick("材料", "materials"),
            s.materials_before,
            s.materials_after,
        ),
        (
            lang.pick("时限", "days"),
            s.time_sum_days as usize,
            s.time_critical_days as usize,
        ),
    ];
    let label_w = 12;
    let num_w = 5;
    let bar_room = usize::from(inner.width).saturating_sub(label_w + num_w + 1);
    let (glyph_before, glyph_after) = if ascii { ("-", "#") } else { ("░", "█") };
    let mut lines = Vec::new();
    for (name, before, after) in rows {
        let max = before.max(after).max(1);
        let bar = |n: usize| (n * bar_room).div_ceil(max).min(bar_room);
        for (i, (tag, n, glyph, slot)) in [
            (lang.pick("前", "before"), before, glyph_before, Slot::Dim),
            (lang.pick("后", "after"), after, glyph_after, Slot::Sub),
        ]
        .into_iter()
        .enumerate()
        {
            let label = if i == 0 {
                format!("{name} {tag}")
            } else {
                format!("{} {tag}", " ".repeat(width(name)))
            };
            lines.push(Line::from(vec![
                Span::styled(
                    pad(&fit(&label, label_w - 1, ascii), label_w),
                    theme.get(Slot::Label),
                ),
                Span::styled(glyph.repeat(bar(n)), theme.get(slot)),
                Span::raw(format!(" {n}")),
            ]));
        }
    }
    let h = usize::from(inner.height);
    frame.render_widget(
        Paragraph::new(lines.into_iter().take(h).collect::<Vec<_>>()),
        inner,
    );
}

/// A popup whose title is fitted to its width; returns the inner area.
pub(super) fn fitted_popup(frame: &mut Frame<'_>, app: &App, area: Rect, title: &str) -> Rect {
    let room = usize::from(area.width.saturating_sub(2));
    popup(frame, app, area, fit(title, room, app.config.ascii))
}

fn draw_prompt(
    frame: &mut Frame<'_>,
    app: &App,
    prompt: &super::bundles::Prompt,
    context: &str,
    area: Rect,
) {
    let title = if context.is_empty() {
        format!(" {} (Enter / Esc) ", prompt.kind.title(app.lang))
    } else {
        format!(
            " {} (Enter / Esc) · {} ",
            prompt.kind.title(app.lang),
            context
        )
    };
    crate::tui::view::draw_input_prompt(
        frame,
        app,
        &title,
        &prompt.input,
        prompt.error.as_deref(),
        area,
    );
}

/// Above a condition prompt: every question's options, `[x]` where the typed condition
/// names them; ↑/↓ move, Tab names or drops the selected one.
fn draw_condition_checklist(
    frame: &mut Frame<'_>,
    app: &App,
    prompt: &super::bundles::Prompt,
    bundle: &Bundle,
    area: Rect,
) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let choices = bundle_edit::condition_choices(bundle);
    let prompt_h = if prompt.error.is_some() { 4 } else { 3 };
    let room = area.height.saturating_sub(prompt_h);
    if choices.is_empty() || room < 3 || area.width < 12 {
        return;
    }
    let h = (choices.len() as u16 + 2).min(room);
    let r = Rect::new(area.x, area.bottom() - prompt_h - h, area.width, h);
    let title = lang.pick(
        " 问题与选项：↑/↓ 选择 · Tab 勾选/取消 ",
        " questions and options: ↑/↓ move · Tab names / drops ",
    );
    let inner = fitted_popup(frame, app, r, title);
    let rows = usize::from(inner.height);
    if rows == 0 {
        return;
    }
    let selected = prompt.choice.min(choices.len() - 1);
    let start = (selected + 1).saturating_sub(rows);
    let text = prompt.input.value();
    let w = usize::from(inner.width);
    let lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, c)| {
            let mark = if bundle_edit::condition_names(text, &c.question, &c.option) {
                "[x]"
            } else {
                "[ ]"
            };
            let row = format!(
                "{mark} {}={}  {} · {}",
                c.question, c.option, c.question_text, c.option_text
            );
            let style = if i == selected {
                theme.get(Slot::Selection)
            } else {
                theme.get(Slot::Text)
            };
            Line::from(Span::styled(pad(&fit(&row, w, app.config.ascii), w), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_chooser(frame: &mut Frame<'_>, app: &App, chooser: &super::bundles::Chooser) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let screen = frame.area();
    let w = screen.width.saturating_sub(4).min(80);
    let wrap = |texts: &[String], slot: Slot| {
        let lines: Vec<Line<'static>> = texts
            .iter()
            .map(|d| Line::from(Span::styled(inert(d).into_owned(), theme.get(slot))))
            .collect();
        crate::tui::text::wrap_lines(&lines, w.saturating_sub(2))
    };
    // what conflicts (each source's value), wrapped under the warning line
    let details = wrap(&chooser.details, Slot::Error);
    let hint = wrap(chooser.hint.as_slice(), Slot::Dim);
    // under the list: what the highlighted choice leaves out, and why
    let notes = chooser
        .choices
        .get(chooser.selected)
        .map(|c| wrap(&c.notes, Slot::Dim))
        .unwrap_or_default();
    // the dialog keeps its height while the highlight moves: room for the longest notes
    let most_notes = chooser
        .choices
        .iter()
        .map(|c| wrap(&c.notes, Slot::Dim).len())
        .max()
        .unwrap_or(0);
    let count = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let h = (count(chooser.choices.len()) + 3)
        .saturating_add(count(details.len() + hint.len() + most_notes))
        .min(screen.height);
    let area = centered(screen, w, h);
    if area.height < 3 || area.width < 6 {
        return;
    }
    let title = lang.pick(
        format!(" 处理「{}」（Enter 确定，Esc 取消） ", chooser.title),
        format!(" Fix \"{}\" (Enter applies, Esc cancels) ", chooser.title),
    );
    let inner = fitted_popup(frame, app, area, &title);
    let iw = usize::from(inner.width);
    let mut lines = vec![Line::from(Span::styled(
        fit(
            lang.pick(
                "一次事务改写所有来源表单；已发布的表单回到待提交",
                "rewrites every source form in one transaction; published forms return to draft",
            ),
            iw,
            ascii,
        ),
        theme.get(Slot::Dim),
    ))];
    lines.extend(details);
    lines.extend(hint);
    // the choices that fit, the highlighted one among them
    let rows = usize::from(inner.height)
        .saturating_sub(lines.len() + notes.len())
        .max(1);
    for i in window(chooser.choices.len(), chooser.selected, rows) {
        lines.push(row_line(
            vec![Span::raw(fit(
                &format!(" {}", chooser.choices[i].text),
                iw,
                ascii,
            ))],
            iw,
            i == chooser.selected,
            theme,
        ));
    }
    lines.extend(notes);
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_keeps_whole_names_and_counts_the_rest() {
        let names = ["公司设立登记", "食品经营许可", "卫生许可"].map(String::from);
        let whole = "公司设立登记 → 食品经营许可 → 卫生许可";
        assert_eq!(path_in(&names, " → ", 80).as_deref(), Some(whole));
        assert_eq!(path_in(&names, " → ", width(whole)).as_deref(), Some(whole));
        assert_eq!(
            path_in(&names, " → ", width(whole) - 1).as_deref(),
            Some("公司设立登记 → 食品经营许可 +1")
        );
        assert_eq!(
            path_in(&names, " → ", 15).as_deref(),
            Some("公司设立登记 +2")
        );
        assert_eq!(path_in(&names, " → ", 14), None);
        assert_eq!(path_in(&[], " → ", 14), None);
    }
}
