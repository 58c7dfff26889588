//! Drawing: reads the app state, never changes it. Only the visible window of the tree is
//! turned into widgets; every store string is made inert and fitted by display width.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::action::Action;
use super::app::{App, BindAsk, Confirm, FixAsk, Level, Overlay, Pane, RemoveAsk};
use super::detail;
use super::editor::{Editor, Widget};
use super::help;
use super::hints::{Hint, border_hints, hint_line};
use super::text::{border_set, fit, fit_apart, highlighted, select};
use super::theme::Slot;
use super::tree::{ListKind, NodeKey, Tree};
use crate::display::{inert, pad, width};
use crate::engine::bundle_edit::RemoveTarget;
use crate::i18n::Lang;
use crate::model::{ItemLevel, Kind, RecordRef};

/// The screen's regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// The pane bar (top line).
    pub bar: Rect,
    /// Everything between the bar and the status line.
    pub main: Rect,
    /// The status bar (bottom line).
    pub status: Rect,
    /// The tree or list block.
    pub tree: Rect,
    /// The detail block, when there is room for it.
    pub detail: Option<Rect>,
}

/// Splits the screen; the app uses the same split to know the tree's height.
pub fn areas(area: Rect) -> Areas {
    let [bar, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let (tree, detail) = if main.width >= 72 {
        let [tree, detail] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(main);
        (tree, Some(detail))
    } else {
        (main, None)
    };
    Areas {
        bar,
        main,
        status,
        tree,
        detail,
    }
}

/// `待审核 V0` for records with a workflow, empty otherwise.
pub fn status_text(record: RecordRef<'_>, lang: Lang) -> String {
    match record {
        RecordRef::Item(i) => detail::status_text(i.status, i.version, lang),
        RecordRef::Bundle(b) => detail::status_text(b.status, b.version, lang),
        RecordRef::Element(e) => detail::status_text(e.status, e.version, lang),
        RecordRef::Form(f) => detail::status_text(f.status, f.version, lang),
        _ => String::new(),
    }
}

pub(crate) fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
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

/// The key that fires an action where the app is now (one no other action shadows), for
/// hints; `:name` (the palette) when there is none.
pub(crate) fn key_of(app: &App, action: Action) -> String {
    app.config
        .keymap
        .key_in(action, app.scopes())
        .unwrap_or_else(|| format!(":{}", action.name()))
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let a = areas(area);
    draw_bar(frame, app, a.bar);
    let loading = app.loading.as_ref();
    match app.pane {
        Pane::Catalog => {
            if let Some(editor) = &app.editor {
                draw_editor(frame, app, editor, a.main);
            } else if app.busy.is_some() || app.is_empty_store() {
                draw_welcome(frame, app, a.main);
            } else if let Some(l) = loading.filter(|l| l.outline.is_none()) {
                super::loading::draw(frame, a.main, &app.store_path, l, app.lang);
            } else {
                draw_tree(frame, app, a.tree);
                if let Some(d) = a.detail {
                    draw_detail(frame, app, d);
                }
            }
        }
        _ if let Some(l) = loading.filter(|_| !app.pane_works_unloaded()) => {
            super::loading::draw(frame, a.main, &app.store_path, l, app.lang);
        }
        Pane::Elements => match &app.editor {
            Some(editor) => draw_editor(frame, app, editor, a.main),
            None => super::panes::elements::draw(frame, app, a.main),
        },
        Pane::Bundles => super::panes::merge_view::draw(frame, app, a.main),
        Pane::Forms => super::panes::form_view::draw(frame, app, a.main),
        Pane::Stats => super::panes::stats::draw(frame, app, a.main),
    }
    draw_status(frame, app, a.status);
    draw_long_message(frame, app, a.main);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => draw_help(frame, app, *scroll),
        Some(Overlay::Palette(p)) => draw_palette(frame, app, p),
        Some(Overlay::Confirm(c)) => draw_confirm(frame, app, c),
        Some(Overlay::History {
            code,
            lines,
            scroll,
        }) => draw_history(frame, app, code, lines, *scroll),
        Some(Overlay::Picker(p)) => super::picker::draw(frame, app, p),
        Some(Overlay::Transfer(t)) => super::transfer::draw(frame, app, t),
        Some(Overlay::Template(t)) => super::templates::draw(frame, app, t),
        None => {}
    }
    if app.config.ascii {
        ascii_marks(frame.buffer_mut());
    }
}

/// With `--ascii`, the marks the panes draw in ambiguous-width characters become ASCII:
/// `…` (text cut) `~`, `—` (no value) `-`, `→` `>`, `·` `.`, so a terminal whose font lacks them
/// shows no gaps or misaligned columns.
fn ascii_marks(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        let ascii = match cell.symbol() {
            "…" => "~",
            "—" => "-",
            "→" => ">",
            "·" => ".",
            _ => continue,
        };
        cell.set_symbol(ascii);
    }
}

/// How a pane bar tab is spelled.
#[derive(Clone, Copy)]
enum TabForm {
    /// ` 1 事项 Items ` (the label as the language has it).
    Spaced(Lang),
    /// `1事项`.
    Packed,
    /// `1`, the open pane's still `1事项`.
    Number,
}

/// The pane bar's tabs, the widest that fit in `room` columns (each followed by a space):
/// the labels as the language has them (`1 事项 Items`), then the Chinese terms alone
/// (`1 事项`), then packed (`1事项`), then numbers with the open pane's term.
fn bar_tabs(lang: Lang, open: Pane, room: usize) -> Vec<String> {
    let tabs = |form: TabForm| -> Vec<String> {
        (1..)
            .zip(Pane::ALL)
            .map(|(n, pane)| match form {
                TabForm::Spaced(lang) => format!(" {n} {} ", pane.label(lang)),
                TabForm::Number if pane != open => n.to_string(),
                TabForm::Packed | TabForm::Number => format!("{n}{}", pane.label(Lang::Zh)),
            })
            .collect()
    };
    let fits = |tabs: &Vec<String>| tabs.iter().map(|t| width(t) + 1).sum::<usize>() <= room;
    [
        TabForm::Spaced(lang),
        TabForm::Spaced(Lang::Zh),
        TabForm::Packed,
    ]
    .into_iter()
    .map(tabs)
    .find(fits)
    .unwrap_or_else(|| tabs(TabForm::Number))
}

fn draw_bar(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let mut spans = Vec::new();
    for (pane, tab) in Pane::ALL
        .iter()
        .zip(bar_tabs(app.lang, app.pane, usize::from(area.width)))
    {
        let style = theme.get(if *pane == app.pane {
            Slot::PaneActive
        } else {
            Slot::PaneInactive
        });
        spans.push(Span::styled(tab, style));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let brand = "一表 yibiao ";
    if usize::from(area.width) >= used + width(brand) {
        spans.push(Span::raw(
            " ".repeat(usize::from(area.width) - used - width(brand)),
        ));
        spans.push(Span::styled(brand, theme.get(Slot::Dim)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn level_slot(level: Option<ItemLevel>) -> Slot {
    match level {
        Some(ItemLevel::Main) => Slot::Main,
        Some(ItemLevel::Sub) => Slot::Sub,
        Some(ItemLevel::Impl) => Slot::Impl,
        Some(ItemLevel::Handling) => Slot::Handling,
        None => Slot::Text,
    }
}

fn draw_tree(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let c = &app.catalog;
    let tree = &c.tree;
    let rows = tree.rows();
    let mut title = format!(" {} ", c.list.title(app.lang));
    if c.list == ListKind::Items {
        title.push_str(&format!("[{}] ", c.grouping.label(app.lang)));
    }
    if !rows.is_empty() {
        title.push_str(&format!("{}/{} ", c.selected + 1, rows.len()));
    }
    let mut b = block(app, title, true);
    if tree.query().is_some() {
        let text = app.lang.pick(
            format!(
                " 筛选 /{} 匹配 {} ",
                fit(&c.query, 20, app.config.ascii),
                tree.match_count()
            ),
            format!(
                " filter /{} {} matches ",
                fit(&c.query, 20, app.config.ascii),
                tree.match_count()
            ),
        );
        b = b.title_bottom(Span::styled(text, theme.get(Slot::Match)));
    } else {
        let lang = app.lang;
        let hint = border_hints(
            &[
                Hint::new(key_of(app, Action::Help), lang.pick("帮助", "help")),
                Hint::new(key_of(app, Action::Palette), lang.pick("命令", "palette")).rank(1),
                Hint::new(key_of(app, Action::Filter), lang.pick("筛选", "filter")),
                Hint::new(key_of(app, Action::Edit), lang.pick("编辑", "edit")),
                Hint::new(
                    key_of(app, Action::CycleGrouping),
                    lang.pick("分组", "group"),
                )
                .rank(2),
                Hint::new(key_of(app, Action::NextList), lang.pick("列表", "list")).rank(1),
            ],
            area.width,
        );
        b = b.title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    }
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if rows.is_empty() {
        let text = if tree.query().is_some() {
            app.lang.pick(
                "没有匹配项（Esc 清除筛选）",
                "no matches (Esc clears the filter)",
            )
        } else {
            app.lang.pick("（空）", "(empty)")
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.get(Slot::Dim))),
            inner,
        );
        return;
    }
    let w = usize::from(inner.width);
    let ascii = app.config.ascii;
    let query = tree.query().unwrap_or(&[]);
    let hit = theme.get(Slot::Match);
    let end = (c.offset + usize::from(inner.height)).min(rows.len());
    let start = c.offset.min(end);
    let mut lines = Vec::with_capacity(end - start);
    for (row, &id) in rows[start..end].iter().enumerate() {
        let node = tree.node(id);
        let selected = start + row == c.selected;
        let indent = (usize::from(node.depth) * 2).min(w / 2);
        let open = node.expanded || tree.query().is_some();
        let marker = match (node.children.is_empty(), open, ascii) {
            (true, _, _) => "  ",
            (false, true, false) => "▾ ",
            (false, false, false) => "▸ ",
            (false, true, true) => "- ",
            (false, false, true) => "+ ",
        };
        let base = if matches!(node.id, NodeKey::Group(_)) {
            theme.get(Slot::Group)
        } else {
            theme.get(level_slot(node.level))
        };
        let mut spans = vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(marker, theme.get(Slot::Dim)),
        ];
        let room = w.saturating_sub(indent + 2);
        let full = inert(node.code());
        // a code too long for the row keeps its tail, enough to tell rows of one name apart
        // (a 实施清单 code ends in its agency's code): a third of the row, at most 16 columns
        let code_room = if room >= width(&full) + 2 + 8 {
            width(&full)
        } else {
            (room / 3).min(16)
        };
        let code = if full.is_empty() || (code_room < width(&full) && code_room < 6) {
            String::new()
        } else {
            fit_apart(
                &full,
                &sibling_codes(tree, rows, start + row),
                code_room,
                ascii,
            )
        };
        let code_w = width(&code);
        let name_room = if code.is_empty() {
            room
        } else {
            room.saturating_sub(code_room + 2)
        };
        let name = fit(node.name, name_room, ascii);
        let name_w = width(&name);
        spans.extend(highlighted(name, query, base, hit));
        if selected {
            // the name, not the whole row (see backend.rs)
            select(&mut spans[2..], theme.get(Slot::Selection));
        }
        let mut used = indent + 2 + name_w;
        if name_room < room {
            let gap = room - name_w - code_w;
            spans.push(Span::raw(" ".repeat(gap)));
            spans.extend(highlighted(code, query, theme.get(Slot::Dim), hit));
            used = w;
        }
        if used < w {
            spans.push(Span::raw(" ".repeat(w - used)));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The codes of the nearest rows before and after visible row `at` that share its parent
/// (its siblings, looked for among a few rows either way): what its code must stay apart from.
fn sibling_codes<'t>(tree: &'t Tree, rows: &[u32], at: usize) -> Vec<&'t str> {
    const LOOK: usize = 64;
    let Some(node) = rows.get(at).map(|id| tree.node(*id)) else {
        return Vec::new();
    };
    let sibling = |id: &u32| {
        let other = tree.node(*id);
        (other.parent == node.parent && !other.code().is_empty()).then(|| other.code())
    };
    // stop at the first row above this one's depth: the parent, or another subtree
    let shallower = |id: &u32| tree.node(*id).depth < node.depth;
    let before = rows[at.saturating_sub(LOOK)..at]
        .iter()
        .rev()
        .take_while(|id| !shallower(id))
        .find_map(sibling);
    let after = rows
        .iter()
        .skip(at + 1)
        .take(LOOK)
        .take_while(|id| !shallower(id))
        .find_map(sibling);
    before.into_iter().chain(after).collect()
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let title = format!(" {} ", app.lang.pick("详情", "Detail"));
    let b = block(app, title, false);
    let inner = b.inner(area);
    let unloaded = app.loading.as_ref().and_then(|l| l.unloaded());
    if app.store().is_none() && unloaded.is_none() {
        frame.render_widget(b, area);
        if let Some(l) = &app.loading {
            let text = Span::styled(l.progress_text(app.lang), theme.get(Slot::Dim));
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        return;
    }
    let (of, lines) = catalog_detail(app, inner.width).unwrap_or_default();
    let height = usize::from(inner.height);
    let overflows = lines.len() > height;
    let (lines, above) = detail::window(lines, height, app.catalog.detail.offset(&of), |n, _| {
        detail::more_lines(n, app.lang, app.config.ascii, theme)
    });
    let b = match detail_hint(app, above, overflows, Action::DetailUp, Action::DetailDown) {
        Some(hint) => b.title_bottom(Span::styled(hint, theme.get(Slot::Dim))),
        None => b,
    };
    frame.render_widget(b, area);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Whose detail pane 1 shows (the selected node) and its lines, wrapped to `width` columns
/// so that no line runs into the border (a wide character at the edge).
/// Before the catalog is loaded (on demand) the record is read from the store with what it
/// references and what references it, as the outline lists them: the same lines.
pub(crate) fn catalog_detail(app: &App, width: u16) -> Option<(String, Vec<Line<'static>>)> {
    let node = app.catalog.tree.row_node(app.catalog.selected)?;
    let theme = &app.config.theme;
    let lines = match node.id {
        NodeKey::Record(kind, code) => match app.store() {
            Some(store) => {
                let record = store.catalog().get(kind, code)?;
                detail::panel_lines(store.catalog(), record, theme, app.lang, width)
            }
            None => {
                let loading = app.loading.as_ref()?;
                let unloaded = loading.unloaded()?;
                let outline = loading.outline.as_deref();
                // the outline knows who references an item or a material: the records whose
                // detail lists that (a bundle's lists what it holds); a material's lists only
                // their names, which the outline has
                let referrers = match kind {
                    Kind::Material => None,
                    _ => outline.and_then(|outline| outline.referrers(kind, code)),
                };
                let given = referrers.as_deref().unwrap_or_default();
                match unloaded.neighbourhood(kind, code, given) {
                    Ok(near) => {
                        let near = near?;
                        match (near.get(kind, code)?, outline) {
                            (RecordRef::Material(m), Some(outline)) => {
                                detail::material_panel_lines(
                                    &near, m, outline, theme, app.lang, width,
                                )
                            }
                            (record, _) => {
                                detail::panel_lines(&near, record, theme, app.lang, width)
                            }
                        }
                    }
                    Err(e) => super::text::wrap_lines(
                        &[Line::from(Span::styled(
                            inert(&e.to_string()).into_owned(),
                            theme.get(Slot::StatusError),
                        ))],
                        width,
                    ),
                }
            }
        },
        NodeKey::Group(_) => super::text::wrap_lines(
            &detail::group_lines(node.name, node.children.len(), theme, app.lang),
            width,
        ),
    };
    Some((format!("{:?}", node.id), lines))
}

/// The bottom title of a detail panel longer than it is high: the lines out of sight above
/// and the keys that scroll it (` ↑3 K/J 滚动 `); `None` when the detail fits.
pub(crate) fn detail_hint(
    app: &App,
    above: usize,
    overflows: bool,
    up: Action,
    down: Action,
) -> Option<String> {
    if !overflows {
        return None;
    }
    let above = more_rows(above, 0, app.config.ascii);
    let keys = format!("{}/{}", key_of(app, up), key_of(app, down));
    let hint = app
        .lang
        .pick(format!("{keys} 滚动"), format!("{keys} scroll"));
    Some(if above.is_empty() {
        format!(" {hint} ")
    } else {
        format!(" {above} {hint} ")
    })
}

pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_welcome(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let b = block(app, format!(" {} ", lang.pick("欢迎", "Welcome")), true);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let keys = app
        .config
        .keymap
        .keys_of(Action::LoadSample)
        .join(lang.pick(" 或 ", " or "));
    let path = fit(
        &app.store_path,
        usize::from(inner.width).saturating_sub(4),
        app.config.ascii,
    );
    let mut lines = vec![
        Line::from(Span::styled("一表 yibiao", theme.get(Slot::Title))),
        Line::default(),
    ];
    if let Some(busy) = &app.busy {
        lines.push(Line::from(Span::styled(
            busy.clone(),
            theme.get(Slot::StatusWarn),
        )));
    } else {
        lines.extend([
            Line::from(lang.pick("这个库还是空的：", "This store is empty:")),
            Line::from(Span::styled(path, theme.get(Slot::Dim))),
            Line::default(),
            Line::from(vec![
                Span::styled(keys, theme.get(Slot::Key)),
                Span::raw(lang.pick("  载入示例数据", "  load the sample catalog")),
            ]),
            Line::default(),
            Line::from(lang.pick(
                "或退出后导入交换文件（yibiao/1 JSON）：",
                "or quit and import an interchange file (yibiao/1 JSON):",
            )),
            Line::from(Span::styled(
                "  yibiao import FILE.json",
                theme.get(Slot::Key),
            )),
            Line::default(),
            Line::from(vec![
                Span::styled(key_of(app, Action::Help), theme.get(Slot::Key)),
                Span::raw(lang.pick(" 按键帮助   ", " key help   ")),
                Span::styled(key_of(app, Action::Quit), theme.get(Slot::Key)),
                Span::raw(lang.pick(" 退出", " quit")),
            ]),
        ]);
    }
    let h = (lines.len() as u16).min(inner.height);
    let body = centered(inner, inner.width.min(64), h);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

/// The visible part of a single-line value and the cursor column in it. The value is made
/// inert first, so the cursor column counts the columns actually drawn.
pub(crate) fn line_view(value: &str, cursor_chars: usize, columns: usize) -> (String, usize) {
    let before: String = value.chars().take(cursor_chars).collect();
    let cursor = width(&inert(&before));
    let shown = inert(value).into_owned();
    let skip = (cursor + 1).saturating_sub(columns.max(1));
    let mut out = String::new();
    let mut col = 0;
    let mut first = None;
    for ch in shown.chars() {
        if col >= skip {
            first.get_or_insert(col);
            out.push(ch);
        }
        col += width(ch.encode_utf8(&mut [0; 4]));
    }
    let first = first.unwrap_or(col);
    let out = crate::display::truncate(&out, columns).into_owned();
    (out, cursor.saturating_sub(first))
}

/// Rows each field takes in the form (input rows plus one per error).
/// Fewest and most rows of a multi-line field's box in the edit form.
const AREA_ROWS: (usize, usize) = (4, 10);

/// The rows a multi-line field's text wants: its lines as wrapped at `width` columns, and a
/// row to type on; `None` for a one-line field.
fn area_need(editor: &Editor, i: usize, width: u16) -> Option<usize> {
    let Widget::Area(area) = &editor.fields.get(i)?.widget else {
        return None;
    };
    let w = usize::from(width).max(1);
    let rows: usize = area
        .lines()
        .iter()
        .map(|l| crate::display::width(l).div_ceil(w).max(1))
        .sum();
    Some(rows + 1)
}

/// Rows each field takes in the edit form: a multi-line field's box grows with its text
/// from 4 to 10 rows, and the focused one further into rows the form leaves empty in
/// `room`; then a row per problem.
fn field_rows(editor: &Editor, width: u16, room: u16) -> Vec<u16> {
    let boxes: Vec<usize> = (0..editor.fields.len())
        .map(|i| area_need(editor, i, width).map_or(1, |n| n.clamp(AREA_ROWS.0, AREA_ROWS.1)))
        .collect();
    let errors = |i: usize| editor.errors_of(editor.fields[i].spec.key).count();
    let total: usize = (0..boxes.len()).map(|i| boxes[i] + errors(i)).sum();
    let spare = usize::from(room).saturating_sub(total);
    (0..boxes.len())
        .map(|i| {
            let mut rows = boxes[i];
            if i == editor.focus
                && let Some(need) = area_need(editor, i, width)
            {
                rows = need.max(rows).min(rows + spare);
            }
            u16::try_from(rows + errors(i)).unwrap_or(u16::MAX)
        })
        .collect()
}

/// How many display rows a text area's text takes at the width it was last drawn at: the
/// first row that maps to where the last one does (rows past the end map there too).
fn display_rows(area: &ratatui_textarea::TextArea<'_>) -> usize {
    let last = area.screen_to_data(usize::MAX, 0);
    let (mut lo, mut hi) = (
        0usize,
        area.lines()
            .iter()
            .map(|l| l.chars().count() + 1)
            .sum::<usize>(),
    );
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if area.screen_to_data(mid, 0) == last {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo + 1
}

/// What a scrolled box says of the rows out of sight: `↑2 ↓3` (`^2 v3` in ASCII).
pub(crate) fn more_rows(above: usize, below: usize, ascii: bool) -> String {
    let (up, down) = if ascii { ('^', 'v') } else { ('↑', '↓') };
    let mut out = Vec::new();
    if above > 0 {
        out.push(format!("{up}{above}"));
    }
    if below > 0 {
        out.push(format!("{down}{below}"));
    }
    out.join(" ")
}

fn draw_editor(frame: &mut Frame<'_>, app: &App, editor: &Editor, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let verb = match editor.action {
        "add" => lang.pick("新增", "Add"),
        "copy" => lang.pick("复制", "Copy"),
        _ => lang.pick("编辑", "Edit"),
    };
    let kind = editor.original.kind();
    let title = format!(
        " {verb} {}{} {} ",
        kind.zh(),
        lang.pick("", &format!(" {}", kind.as_str())),
        fit(editor.original.code(), 30, app.config.ascii)
    );
    let hint = hint_line(
        &[
            Hint::new(key_of(app, Action::Save), lang.pick("保存", "save")),
            Hint::new(
                key_of(app, Action::NextField),
                lang.pick("下一项", "next field"),
            )
            .short(lang.pick("下一项", "next")),
            Hint::new(key_of(app, Action::Back), lang.pick("取消", "cancel")),
        ],
        "  ",
        true,
        usize::from(area.width.saturating_sub(2)),
    );
    let b = block(app, title, true).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if inner.width < 4 || inner.height == 0 {
        return;
    }
    let label_w = editor
        .fields
        .iter()
        .map(|f| width(f.spec.label(lang)))
        .max()
        .unwrap_or(0)
        .min(usize::from(inner.width) / 3)
        + 2;
    let input_x = inner.x + label_w as u16;
    let input_w = inner.width.saturating_sub(label_w as u16);
    // general errors first, then the fields, scrolled so the focused one is visible
    let general: Vec<_> = editor.general_errors().collect();
    let mut y = inner.y;
    for e in &general {
        if y >= inner.bottom() {
            break;
        }
        let text = fit(
            &format!("! {}", e.message),
            usize::from(inner.width),
            app.config.ascii,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.get(Slot::Error))),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    let room = inner.bottom().saturating_sub(y);
    let all_rows = field_rows(editor, input_w, room);
    let before: u16 = all_rows.iter().take(editor.focus).sum();
    let focus_rows = all_rows.get(editor.focus).copied().unwrap_or(1);
    let skip = (before + focus_rows).saturating_sub(room);
    let mut row: u16 = 0;
    for (i, field) in editor.fields.iter().enumerate() {
        let rows = all_rows.get(i).copied().unwrap_or(1);
        if row + rows <= skip {
            row += rows;
            continue;
        }
        if y >= inner.bottom() {
            break;
        }
        let focused = i == editor.focus;
        let label_style = if focused {
            theme.get(Slot::Title)
        } else {
            theme.get(Slot::Label)
        };
        let label = pad(
            &fit(
                field.spec.label(lang),
                label_w.saturating_sub(2),
                app.config.ascii,
            ),
            label_w,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(label, label_style)),
            Rect::new(inner.x, y, label_w as u16, 1).intersection(inner),
        );
        let input_style = if !field.spec.editable {
            theme.get(Slot::Dim)
        } else if focused {
            theme.get(Slot::InputFocus)
        } else {
            theme.get(Slot::Input)
        };
        match &field.widget {
            Widget::Line(input) => {
                let r = Rect::new(input_x, y, input_w, 1).intersection(inner);
                let (text, cursor) = line_view(input.value(), input.cursor(), usize::from(r.width));
                let text = pad(&text, usize::from(r.width));
                frame.render_widget(Paragraph::new(Span::styled(text, input_style)), r);
                if focused && field.spec.editable && r.width > 0 {
                    let x = r.x + (cursor as u16).min(r.width.saturating_sub(1));
                    frame.set_cursor_position(Position::new(x, r.y));
                }
                y += 1;
            }
            Widget::Area(textarea) => {
                let box_rows = rows.saturating_sub(editor.errors_of(field.spec.key).count() as u16);
                let h = box_rows.min(inner.bottom().saturating_sub(y));
                let r = Rect::new(input_x, y, input_w, h).intersection(inner);
                frame.render_widget(Block::new().style(input_style), r);
                frame.render_widget(textarea.as_ref(), r);
                // rows scrolled out of the box are counted under the label
                let top = usize::from(textarea.scroll_offset().0);
                let below = display_rows(textarea).saturating_sub(top + usize::from(r.height));
                let more = more_rows(top, below, app.config.ascii);
                if !more.is_empty() && r.height > 1 {
                    frame.render_widget(
                        Paragraph::new(Span::styled(
                            fit(&more, label_w.saturating_sub(1), app.config.ascii),
                            theme.get(Slot::Dim),
                        )),
                        Rect::new(inner.x, r.bottom() - 1, label_w as u16, 1).intersection(inner),
                    );
                }
                if focused && r.width > 0 && r.height > 0 {
                    let cursor = textarea.screen_cursor();
                    let (top, left) = textarea.scroll_offset();
                    let cy = cursor.row.saturating_sub(usize::from(top)) as u16;
                    let cx = cursor.col.saturating_sub(usize::from(left)) as u16;
                    frame.set_cursor_position(Position::new(
                        r.x + cx.min(r.width - 1),
                        r.y + cy.min(r.height - 1),
                    ));
                }
                y += h;
            }
            Widget::Choice(choice) => {
                let r = Rect::new(input_x, y, input_w, 1).intersection(inner);
                let text = choice_text(choice, focused, lang);
                let text = pad(
                    &fit(&text, usize::from(r.width), app.config.ascii),
                    usize::from(r.width),
                );
                frame.render_widget(Paragraph::new(Span::styled(text, input_style)), r);
                y += 1;
            }
        }
        for e in editor.errors_of(field.spec.key) {
            if y >= inner.bottom() {
                break;
            }
            let text = fit(
                &format!("! {}", e.message),
                usize::from(input_w),
                app.config.ascii,
            );
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.get(Slot::Error))),
                Rect::new(input_x, y, input_w, 1).intersection(inner),
            );
            y += 1;
        }
        row += rows;
    }
}

/// A choice field as drawn: `< 身份证号码 cn_id >  5/21`, and when focused what was typed
/// and how to choose.
fn choice_text(choice: &super::editor::ChoiceState, focused: bool, lang: Lang) -> String {
    let n = choice.choices.len();
    let mut text = match (&choice.other, choice.choices.get(choice.selected)) {
        (Some(other), _) => format!("< ? {} >", crate::display::inert(other)),
        (None, Some(c)) if c.zh == c.value => format!("< {} >  {}/{n}", c.zh, choice.selected + 1),
        (None, Some(c)) => format!("< {} {} >  {}/{n}", c.zh, c.value, choice.selected + 1),
        (None, None) => String::new(),
    };
    if focused {
        if !choice.typed.is_empty() {
            text.push_str(&format!("  \"{}\"", crate::display::inert(&choice.typed)));
        }
        text.push_str(lang.pick(
            "  ←/→ 选择，或输入拼音/编码",
            "  ←/→ choose, or type pinyin/value",
        ));
    }
    text
}

fn mode_label(app: &App) -> &'static str {
    let lang = app.lang;
    match &app.overlay {
        Some(Overlay::Help { .. }) => return lang.pick("帮助", "HELP"),
        Some(Overlay::Palette(_)) => return lang.pick("命令", "PALETTE"),
        Some(Overlay::Confirm(_)) => return lang.pick("确认", "CONFIRM"),
        Some(Overlay::History { .. }) => return lang.pick("历史", "HISTORY"),
        Some(Overlay::Picker(_)) => return lang.pick("选择", "PICK"),
        Some(Overlay::Transfer(_)) => return lang.pick("传输", "TRANSFER"),
        Some(Overlay::Template(_)) => return lang.pick("模板", "TEMPLATE"),
        None => {}
    }
    if app.pane == Pane::Elements && app.editor.is_none() && app.elements.typing {
        lang.pick("搜索", "SEARCH")
    } else if (app.pane == Pane::Bundles && app.bundles.prompt.is_some())
        || (app.pane == Pane::Forms && app.forms.prompt.is_some())
        || (app.pane == Pane::Stats && app.stats.prompt.is_some())
    {
        lang.pick("输入", "INPUT")
    } else if app.pane == Pane::Bundles && app.bundles.picking() {
        lang.pick("选择", "PICK")
    } else if app.pane == Pane::Forms && app.forms.wants_text() {
        lang.pick("预览", "PREVIEW")
    } else if app.catalog.filter_input.is_some() {
        lang.pick("筛选", "FILTER")
    } else if app.editor.is_some() {
        lang.pick("编辑", "EDIT")
    } else {
        lang.pick("浏览", "NORMAL")
    }
}

/// The status message, wrapped over the bottom rows of `main`, when it is too long for the
/// status bar: a refusal's advice comes at its end and must not be cut off.
fn draw_long_message(frame: &mut Frame<'_>, app: &App, main: Rect) {
    let Some(m) = &app.message else { return };
    let text = inert(&m.text);
    if width(&text) <= status_message_room(app) || main.height == 0 {
        return;
    }
    let theme = &app.config.theme;
    let slot = match m.level {
        Level::Info => Slot::Status,
        Level::Ok => Slot::StatusOk,
        Level::Warn => Slot::StatusWarn,
        Level::Error => Slot::StatusError,
    };
    let lines: Vec<Line<'static>> = m
        .text
        .split('\n')
        .flat_map(|row| {
            super::text::wrap_lines(
                &[Line::from(format!(" {}", inert(row)))],
                main.width.saturating_sub(1),
            )
        })
        .collect();
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .min(main.height);
    let area = Rect::new(main.x, main.bottom() - height, main.width, height);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).style(theme.get(slot)), area);
}

/// Columns the status bar has for a message: its width less the mode label before it.
pub(crate) fn status_message_room(app: &App) -> usize {
    usize::from(app.size.0).saturating_sub(width(mode_label(app)) + 3)
}

fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    frame.render_widget(Block::new().style(theme.get(Slot::Status)), area);
    let mut spans = vec![
        Span::styled(format!(" {} ", mode_label(app)), theme.get(Slot::Mode)),
        Span::raw(" "),
    ];
    let w = usize::from(area.width);
    if let Some(input) = &app.catalog.filter_input {
        let used = width(mode_label(app)) + 3;
        let room = w.saturating_sub(used + 1);
        let (text, cursor) = line_view(input.value(), input.cursor(), room);
        spans.push(Span::styled("/", theme.get(Slot::Key)));
        spans.push(Span::styled(text, theme.get(Slot::Status)));
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(theme.get(Slot::Status)),
            area,
        );
        let x = area.x.saturating_add((used + 1 + cursor) as u16);
        if x < area.right() {
            frame.set_cursor_position(Position::new(x, area.y));
        }
        return;
    }
    let mut left: Vec<Span<'static>> = Vec::new();
    match &app.message {
        // shown whole above the status bar (see `draw_long_message`)
        Some(m) if width(&inert(&m.text)) > status_message_room(app) => {}
        Some(m) => {
            let slot = match m.level {
                Level::Info => Slot::Status,
                Level::Ok => Slot::StatusOk,
                Level::Warn => Slot::StatusWarn,
                Level::Error => Slot::StatusError,
            };
            left.push(Span::styled(inert(&m.text).into_owned(), theme.get(slot)));
        }
        None if !app.config.problems.is_empty() => {
            let n = app.config.problems.len();
            left.push(Span::styled(
                lang.pick(
                    format!("配置问题 {n} 处（yibiao config check）"),
                    format!("{n} config problem(s) (yibiao config check)"),
                ),
                theme.get(Slot::StatusWarn),
            ));
        }
        None if app.loading.is_some() => {
            if let Some(l) = &app.loading {
                left.push(Span::styled(
                    l.progress_text(lang),
                    theme.get(Slot::StatusWarn),
                ));
            }
        }
        None => {
            if let Some(store) = app.store() {
                let c = store.catalog();
                let (items, materials, bundles) =
                    (c.items.len(), c.materials.len(), c.bundles.len());
                // where the glossed counts do not fit, the Chinese terms alone, closer
                // together: never a count cut short
                let room = w.saturating_sub(width(mode_label(app)) + 3);
                let counts = [
                    lang.pick(
                        format!("事项 {items}  材料 {materials}  主题 {bundles}"),
                        format!(
                            "事项 items {items}  材料 materials {materials}  主题 bundles {bundles}"
                        ),
                    ),
                    format!("事项 {items}  材料 {materials}  主题 {bundles}"),
                    format!("事项 {items} 材料 {materials} 主题 {bundles}"),
                    format!("事项 {items} 材料 {materials}"),
                    format!("事项 {items}"),
                ]
                .into_iter()
                .find(|t| width(t) <= room)
                .unwrap_or_default();
                left.push(Span::styled(counts, theme.get(Slot::Status)));
            }
        }
    }
    spans.extend(left);
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let mut right = String::new();
    if !app.pending.is_empty() {
        right.push_str(&format!("{} ... ", super::keymap::chord_name(&app.pending)));
    }
    let path_room = w.saturating_sub(used + width(&right) + 2);
    if path_room >= 12 {
        right.push_str(&fit(&app.store_path, path_room.min(40), app.config.ascii));
        right.push(' ');
    }
    if used + width(&right) < w {
        spans.push(Span::raw(" ".repeat(w - used - width(&right))));
        spans.push(Span::styled(
            right,
            theme
                .get(Slot::Dim)
                .patch(Style::default().bg(theme.get(Slot::Status).bg.unwrap_or_default())),
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.get(Slot::Status)),
        area,
    );
}

pub(crate) fn popup(frame: &mut Frame<'_>, app: &App, area: Rect, title: String) -> Rect {
    frame.render_widget(Clear, area);
    let b = block(app, title, true).style(app.config.theme.get(Slot::Popup));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    inner
}

fn draw_help(frame: &mut Frame<'_>, app: &App, scroll: usize) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2),
    );
    let (close, palette) = (key_of(app, Action::Back), key_of(app, Action::Palette));
    let title = lang.pick(
        format!(" 按键帮助（{close} 关闭，{palette} 命令面板查找动作）"),
        format!(" Keys ({close} closes, {palette} the palette finds actions) "),
    );
    let inner = popup(frame, app, area, title);
    let key_w = 22.min(usize::from(inner.width) / 2);
    let mut lines = Vec::new();
    for (scope, rows) in help::groups(&app.config.keymap, lang) {
        lines.push(Line::from(Span::styled(
            scope.title(lang),
            theme.get(Slot::Group),
        )));
        for row in rows {
            let keys = if row.keys.is_empty() {
                format!(":{}", row.name)
            } else {
                row.keys.clone()
            };
            // a long description wraps under itself rather than being cut
            let doc_w = usize::from(inner.width).saturating_sub(key_w).max(1);
            let doc = super::text::wrap_lines(&[Line::raw(row.doc)], doc_w as u16);
            for (i, part) in doc.into_iter().enumerate() {
                let lead = if i == 0 {
                    Span::styled(
                        format!("  {}", pad(&keys, key_w.saturating_sub(2))),
                        theme.get(Slot::Key),
                    )
                } else {
                    Span::raw(" ".repeat(key_w))
                };
                let mut spans = vec![lead];
                spans.extend(part.spans);
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::default());
    }
    let max = lines.len().saturating_sub(usize::from(inner.height));
    let skip = scroll.min(max);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(skip)
        .take(usize::from(inner.height))
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn draw_palette(frame: &mut Frame<'_>, app: &App, palette: &super::palette::Palette) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let screen = frame.area();
    let w = screen.width.saturating_sub(4).min(90);
    let h = screen.height.saturating_sub(2).min(18);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + 1.min(screen.height),
        w,
        h,
    )
    .intersection(screen);
    let inner = popup(
        frame,
        app,
        area,
        format!(" {} ", lang.pick("命令面板", "Command palette")),
    );
    if inner.height == 0 || inner.width < 3 {
        return;
    }
    let (text, cursor) = line_view(
        palette.input.value(),
        palette.input.cursor(),
        usize::from(inner.width) - 2,
    );
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(": ", theme.get(Slot::Key)),
            Span::raw(text),
        ])),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    frame.set_cursor_position(Position::new(
        inner.x + 2 + (cursor as u16).min(inner.width - 3),
        inner.y,
    ));
    let matches = palette.matches(lang);
    let list_h = usize::from(inner.height.saturating_sub(1));
    let selected = palette.selected.min(matches.len().saturating_sub(1));
    let skip = (selected + 1).saturating_sub(list_h);
    let name_w = 16;
    let lines: Vec<Line> = matches
        .iter()
        .enumerate()
        .skip(skip)
        .take(list_h)
        .map(|(i, d)| {
            let keys = app.config.keymap.keys_of(d.action).join(" ");
            let doc_w = usize::from(inner.width).saturating_sub(name_w + 2 + width(&keys) + 1);
            let mut line = Line::from(vec![
                Span::styled(pad(d.name, name_w), theme.get(Slot::Title)),
                Span::raw("  "),
                Span::raw(pad(&fit(d.doc(lang), doc_w, app.config.ascii), doc_w)),
                Span::raw(" "),
                Span::styled(keys, theme.get(Slot::Key)),
            ]);
            if i == selected {
                line = line.style(theme.get(Slot::Selection));
            }
            line
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1),
    );
}

fn draw_confirm(frame: &mut Frame<'_>, app: &App, confirm: &Confirm) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let (title, text, keys) = match confirm {
        Confirm::Delete { kind, code, name } => (
            lang.pick(" 确认删除 ", " Delete? "),
            lang.pick(
                format!(
                    "删除{} {} {}？此操作写入审计日志。",
                    kind.zh(),
                    inert(code),
                    inert(name)
                ),
                format!(
                    "Delete {} {} {} {}? The audit log records it.",
                    kind.zh(),
                    kind.as_str(),
                    inert(code),
                    inert(name)
                ),
            ),
            lang.pick("y 删除    n / Esc 取消", "y delete    n / Esc cancel"),
        ),
        Confirm::BundleRemove(RemoveAsk {
            bundle,
            target,
            removal,
            name,
            details,
        }) => {
            let (zh, en) = match target {
                RemoveTarget::Question(_) => ("问题", "question"),
                RemoveTarget::Item(_) => ("事项", "item"),
            };
            (
                lang.pick(" 确认移除 ", " Remove? "),
                lang.pick(
                    format!(
                        "从主题 {} 移除{zh} {} {}？{}。",
                        inert(bundle),
                        inert(name),
                        inert(&removal.what),
                        inert(details)
                    ),
                    format!(
                        "Remove {en} {} {} from bundle {}? {}.",
                        inert(name),
                        inert(&removal.what),
                        inert(bundle),
                        inert(details)
                    ),
                ),
                lang.pick("y 移除    n / Esc 取消", "y remove    n / Esc cancel"),
            )
        }
        Confirm::MergeFix(FixAsk {
            field,
            choice,
            forms,
            published,
            ..
        }) => (
            lang.pick(" 确认改写已发布的表单 ", " Rewrite published forms? "),
            lang.pick(
                format!(
                    "处理「{}」：{}。将改写 {forms} 张申请表（一次事务），其中 {} 张已发布的表单回到待提交：{}。",
                    inert(field),
                    inert(choice),
                    published.len(),
                    inert(&published.join("、"))
                ),
                format!(
                    "Fix \"{}\": {}. This rewrites {forms} form(s) in one transaction; {} published form(s) return to draft: {}.",
                    inert(field),
                    inert(choice),
                    published.len(),
                    inert(&published.join(", "))
                ),
            ),
            lang.pick("y 改写    n / Esc 取消", "y rewrite    n / Esc cancel"),
        ),
        Confirm::BindTwice(BindAsk {
            element,
            element_name,
            field,
            by,
            ..
        }) => {
            let (by_label, by_key) = (inert(&by.0), inert(&by.1));
            let (zh_what, en_what) = match field {
                Some((label, key)) => (
                    format!("再把「{}」({}) 绑定到它", inert(label), inert(key)),
                    format!("Binding \"{}\" ({}) to it too", inert(label), inert(key)),
                ),
                None => (
                    "再添加一个绑定它的字段".to_string(),
                    "Adding another field for it".to_string(),
                ),
            };
            (
                lang.pick(" 重复绑定？ ", " Bind twice? "),
                lang.pick(
                    format!(
                        "本表的「{by_label}」({by_key}) 已绑定数据元 {} {}。{zh_what}，表单将有两个字段绑定同一数据元：表单检查报告“重复绑定”，多表合一时两者也不会合并。",
                        inert(element),
                        inert(element_name)
                    ),
                    format!(
                        "\"{by_label}\" ({by_key}) of this form is bound to element {} {} already. {en_what} gives the form two fields on one element: form lint reports it as bound twice, and a merge keeps both.",
                        inert(element),
                        inert(element_name)
                    ),
                ),
                lang.pick(
                    "y 仍然绑定    n / Esc 取消",
                    "y bind anyway    n / Esc cancel",
                ),
            )
        }
        Confirm::MergeElements {
            keep,
            keep_name,
            merge,
            merge_name,
            fields,
            children,
        } => (
            lang.pick(" 确认合并数据元 ", " Merge elements? "),
            lang.pick(
                format!(
                    "将 {} {} 并入 {} {}：{fields} 个字段、{children} 个下级数据元改指向 {}，{} 的编码和名称保留为同义词，{} 被删除。",
                    inert(merge),
                    inert(merge_name),
                    inert(keep),
                    inert(keep_name),
                    inert(keep),
                    inert(merge),
                    inert(merge)
                ),
                format!(
                    "Merge {} {} into {} {}: {fields} field(s) and {children} child element(s) move to {}; {}'s code and name become synonyms and {} is deleted.",
                    inert(merge),
                    inert(merge_name),
                    inert(keep),
                    inert(keep_name),
                    inert(keep),
                    inert(merge),
                    inert(merge)
                ),
            ),
            lang.pick("y 合并    n / Esc 取消", "y merge    n / Esc cancel"),
        ),
        Confirm::Unsaved { .. } => (
            lang.pick(" 有未保存的修改 ", " Unsaved changes "),
            lang.pick(
                "编辑表单中有未保存的修改。".to_string(),
                "The edit form has unsaved changes.".to_string(),
            ),
            lang.pick(
                "s 保存    d 放弃修改    Esc 继续编辑",
                "s save    d discard    Esc keep editing",
            ),
        ),
    };
    let screen = frame.area();
    let w = screen.width.saturating_sub(4).min(60);
    // the text wrapped inside the borders, a blank line and the keys
    let mut lines = super::text::wrap_lines(&[Line::from(text)], w.saturating_sub(2));
    let least = if matches!(confirm, Confirm::MergeElements { .. }) {
        9
    } else {
        6
    };
    let h = u16::try_from(lines.len() + 4)
        .unwrap_or(u16::MAX)
        .max(least);
    let area = centered(screen, w, h);
    let inner = popup(frame, app, area, title.to_string());
    // the keys stay on the last row however short the screen: the text gives way (its last
    // row counting the lines cut), then the blank line between them
    let room = usize::from(inner.height);
    let text_rows = room.saturating_sub(if room > lines.len() + 1 { 2 } else { 1 });
    if lines.len() > text_rows {
        let keep = text_rows.saturating_sub(1);
        let hidden = lines.len() - keep;
        lines.truncate(keep);
        if text_rows > 0 {
            lines.push(detail::more_lines(hidden, lang, app.config.ascii, theme));
        }
    }
    if room > lines.len() + 1 {
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(keys, theme.get(Slot::Key))));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn draw_history(frame: &mut Frame<'_>, app: &App, code: &str, lines: &[String], scroll: usize) {
    let lang = app.lang;
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(4).min(90),
        screen.height.saturating_sub(2),
    );
    let title = lang.pick(
        format!(" 修改历史 {} ", inert(code)),
        format!(" History of {} ", inert(code)),
    );
    let inner = popup(frame, app, area, title);
    let h = usize::from(inner.height);
    let skip = scroll.min(lines.len().saturating_sub(h));
    let mut shown: Vec<Line> = lines
        .iter()
        .skip(skip)
        .take(h)
        .map(|l| Line::from(fit(l, usize::from(inner.width), app.config.ascii)))
        .collect();
    if lines.is_empty() {
        shown.push(Line::from(
            lang.pick("（审计日志中没有记录）", "(no audit entries)"),
        ));
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

/// A one-line input popup at the bottom of `area`: title, the text with the cursor at its
/// display column, and the reason the last Enter was refused.
pub(crate) fn draw_input_prompt(
    frame: &mut Frame<'_>,
    app: &App,
    title: &str,
    input: &tui_input::Input,
    error: Option<&str>,
    area: Rect,
) {
    let theme = &app.config.theme;
    let h = if error.is_some() { 4 } else { 3 };
    if area.height < h || area.width < 8 {
        return;
    }
    let r = Rect::new(area.x, area.bottom() - h, area.width, h);
    let inner = popup(
        frame,
        app,
        r,
        fit(
            title,
            usize::from(r.width.saturating_sub(2)),
            app.config.ascii,
        ),
    );
    if inner.width < 2 || inner.height == 0 {
        return;
    }
    let (text, cursor) = line_view(input.value(), input.cursor(), usize::from(inner.width) - 1);
    frame.render_widget(
        Paragraph::new(Span::styled(text, theme.get(Slot::InputFocus))),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    frame.set_cursor_position(Position::new(
        inner.x + (cursor as u16).min(inner.width - 1),
        inner.y,
    ));
    if let (Some(e), true) = (error, inner.height > 1) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(
                    &format!("! {e}"),
                    usize::from(inner.width),
                    app.config.ascii,
                ),
                theme.get(Slot::Error),
            )),
            Rect::new(inner.x, inner.y + 1, inner.width, 1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_view_scrolls_by_display_width() {
        assert_eq!(line_view("食品经营许可", 2, 20), ("食品经营许可".into(), 4));
        let (text, cursor) = line_view("食品经营许可", 6, 7);
        assert_eq!(cursor, 6);
        assert!(width(&text) <= 7);
        assert_eq!(line_view("a\u{1b}b", 3, 10), ("a␛b".into(), 3));
    }
}
