//! Drawing pane 3 (表单): the form list, the designer with its warning markers, and the
//! live applicant preview beside it. Reads state only; every store string goes through
//! `inert` (via `fit`), widths through the display helpers.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::super::action::{Action, Scope};
use super::super::app::App;
use super::super::detail;
use super::super::hints::{Hint, border_hints};
use super::super::text::{fit, fold_char, highlighted_words, wrap_columns, wrap_lines};
use super::super::theme::Slot;
use super::super::view::{block, detail_hint, key_of, line_view};
use super::bundle_picker::{ItemPicker, Look, draw_picker};
use super::forms::{Designer, Entry, FormsPane, ItemFor};
use crate::display::{inert, pad, width};
use crate::engine::form_filter::FormFilter;
use crate::engine::preview::Check;
use crate::engine::validate::levels_left_message;
use crate::model::{Catalog, OutlineSource};

/// Draws pane 3 in `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let p = &app.forms;
    let Some(store) = app.store() else {
        // before the catalog is loaded: a form opened on demand, from the records near it
        let near = app.loading.as_ref().and_then(|l| l.form_near.as_ref());
        if let (Some(d), Some(near)) = (&p.designer, near) {
            draw_designer(frame, app, near, d, area);
            return;
        }
        // else the list, from the store's outline
        if let Some(outline) = app.loading.as_ref().and_then(|l| l.outline.as_deref()) {
            draw_list(frame, app, outline, true, p, area);
        }
        return;
    };
    let catalog = store.catalog();
    let (main, prompt) = if p.prompt.is_some() {
        let [m, q] = Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(area);
        (m, Some(q))
    } else {
        (area, None)
    };
    match &p.designer {
        Some(d) => draw_designer(frame, app, catalog, d, main),
        None => draw_list(frame, app, catalog, p.lint_current(catalog), p, main),
    }
    if let Some((purpose, picker)) = &p.item_picker {
        draw_item_picker(frame, app, *purpose, picker);
    }
    if let (Some(q), Some((kind, input))) = (prompt, &p.prompt) {
        let entry = p.designer.as_ref().map(Designer::entry);
        let b = block(app, format!(" {} ", kind.title_at(entry, app.lang)), true);
        let inner = b.inner(q);
        frame.render_widget(b, q);
        let (shown, cursor) = line_view(input.value(), input.cursor(), usize::from(inner.width));
        frame.render_widget(
            Paragraph::new(Span::styled(shown, app.config.theme.get(Slot::InputFocus))),
            inner,
        );
        let x = inner.x + (cursor as u16).min(inner.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}

/// Draws the list of forms from `source` (`lint_current`: the warnings shown are its own).
fn draw_list(
    frame: &mut Frame<'_>,
    app: &App,
    source: &impl OutlineSource,
    lint_current: bool,
    p: &FormsPane,
    area: Rect,
) {
    let lang = app.lang;
    let theme = &app.config.theme;
    let n = p.codes.len();
    let mut title = format!(" {} ", lang.pick("申请表", "申请表 Forms"));
    if n > 0 {
        title.push_str(&format!("{}/{n} ", p.selected + 1));
    }
    if !p.query.is_empty() {
        title.push_str(&format!("[{}] ", fit(&p.query, 30, app.config.ascii)));
    }
    if p.reading_pending() {
        title.push_str(lang.pick("拼音索引中… ", "indexing pinyin… "));
    }
    if !lint_current {
        title.push_str(lang.pick("检查警告中… ", "checking warnings… "));
    }
    let hint = border_hints(
        &[
            Hint::new(key_of(app, Action::FormFilter), lang.pick("筛选", "filter")),
            Hint::new(key_of(app, Action::FormOpen), lang.pick("设计", "design")),
            Hint::new(key_of(app, Action::FormNew), lang.pick("新建", "new")),
            Hint::new(
                key_of(app, Action::FormHistory),
                lang.pick("历史", "history"),
            )
            .rank(1),
        ],
        area.width,
    );
    let b = block(app, title, true).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let w = usize::from(inner.width);
    let ascii = app.config.ascii;
    let filter = FormFilter::parse(&p.query);
    let folded: Vec<Vec<char>> = filter
        .words()
        .iter()
        .map(|word| word.chars().map(fold_char).collect())
        .collect();
    let words: Vec<&[char]> = folded.iter().map(Vec::as_slice).collect();
    let (base, hit) = (Style::default(), theme.get(Slot::Match));
    let rows: Vec<Line> = p
        .codes
        .iter()
        .enumerate()
        .skip(p.offset)
        .take(usize::from(inner.height))
        .filter_map(|(i, code)| {
            let f = source.form(code)?;
            let item = f.item.and_then(|c| source.item(c)).map_or("", |i| i.name);
            let warns = p.warned.get(code).copied().unwrap_or(0);
            let warn = if warns > 0 {
                format!("!{warns}")
            } else {
                String::new()
            };
            let status = format!("{} V{}", f.status.zh(), f.version);
            let fixed = 10 + 4 + 4 + 12;
            let name_w = (w.saturating_sub(fixed) * 3 / 5).max(4);
            let item_w = w.saturating_sub(fixed + name_w).max(1);
            let rest = format!(
                " {} {:>3} {}",
                pad(&fit(item, item_w, ascii), item_w),
                f.fields,
                pad(&status, 10),
            );
            // the code and the name with the filter's words highlighted
            let mut spans = highlighted_words(pad(&fit(code, 9, ascii), 9), &words, base, hit);
            spans.push(Span::raw(" "));
            spans.extend(highlighted_words(
                pad(&fit(f.name, name_w, ascii), name_w),
                &words,
                base,
                hit,
            ));
            let used = 9 + 1 + name_w + width(&rest);
            spans.push(Span::raw(rest));
            spans.push(Span::raw(
                " ".repeat(w.saturating_sub(4).saturating_sub(used)),
            ));
            spans.push(Span::styled(pad(&warn, 4), theme.get(Slot::Error)));
            let line = Line::from(spans);
            Some(if i == p.selected {
                line.style(theme.get(Slot::Selection))
            } else {
                line
            })
        })
        .collect();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("没有符合条件的表单", "no form matches"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
    } else {
        frame.render_widget(Paragraph::new(rows), inner);
    }
}

/// The designer's line naming the form's item: `事项  户口迁移审批 SX001-01  (I 更改)`, or
/// that it has none and how to set it.
fn item_line(app: &App, catalog: &Catalog, item: Option<&str>, w: usize) -> Line<'static> {
    let lang = app.lang;
    let theme = &app.config.theme;
    let ascii = app.config.ascii;
    let key = key_of(app, Action::FormItem);
    let label = lang.pick("   所属事项 ", "   item ");
    let (text, slot, hint) = match item {
        Some(code) => {
            let name = catalog.items.get(code).map_or("?", |i| i.name.as_str());
            (
                format!("{name} {code}"),
                Slot::Text,
                lang.pick(format!("  {key} 更改"), format!("  {key} changes")),
            )
        }
        None => (
            lang.pick("（无）", "(none)").to_string(),
            Slot::Error,
            lang.pick(format!("  {key} 选择事项"), format!("  {key} chooses one")),
        ),
    };
    let room = w.saturating_sub(width(label) + width(&hint)).max(4);
    let text = fit(&text, room, ascii);
    let hint = fit(&hint, w.saturating_sub(width(label) + width(&text)), ascii);
    Line::from(vec![
        Span::styled(label.to_string(), theme.get(Slot::Label)),
        Span::styled(text, theme.get(slot)),
        Span::styled(hint, theme.get(Slot::Dim)),
    ])
}

/// Pane 3's item picker over the screen: the item of a new form, or of the designer's form.
fn draw_item_picker(frame: &mut Frame<'_>, app: &App, purpose: ItemFor, picker: &ItemPicker) {
    let lang = app.lang;
    let current = match purpose {
        ItemFor::Designer => app
            .forms
            .designer
            .as_ref()
            .and_then(|d| d.design.form().item.clone()),
        ItemFor::NewForm => None,
    };
    let title = match purpose {
        ItemFor::NewForm => lang.pick(" 新表单：选择所属事项 ", " New form: choose its item "),
        ItemFor::Designer => lang.pick(" 表单所属事项 ", " The form's item "),
    };
    let choose = key_of(app, Action::PickerChoose);
    let back = key_of(app, Action::Back);
    let search = Hint::text(lang.pick("名称 / 编码 / 拼音首字母", "name / code / pinyin initials"))
        .short(lang.pick("名称/编码/拼音", "name/code/pinyin"))
        .rank(2);
    let hint = match purpose {
        ItemFor::NewForm => vec![
            Hint::new(choose, lang.pick("选定", "chooses")),
            Hint::new(
                back,
                lang.pick(
                    format!("不选事项（以后用 {} 设置）", key_of_forms(app)),
                    format!("no item (set it later with {})", key_of_forms(app)),
                ),
            )
            .short(lang.pick("不选事项", "no item")),
            search,
        ],
        ItemFor::Designer => vec![
            Hint::new(choose, lang.pick("选定", "chooses")),
            Hint::new(back, lang.pick("取消", "cancels")),
            search,
        ],
    };
    let is_current = |code: &str| current.as_deref() == Some(code);
    draw_picker(
        frame,
        app,
        picker,
        &Look {
            title,
            hint: &hint,
            is_in: &is_current,
            in_note: lang.pick("当前", "current"),
            marks: false,
        },
    );
}

/// The key of `form_item` in pane 3 (the picker's scopes do not hold it).
fn key_of_forms(app: &App) -> String {
    app.config
        .keymap
        .key_in(Action::FormItem, &[Scope::Forms])
        .unwrap_or_else(|| format!(":{}", Action::FormItem.name()))
}

/// Width of the designer's mark column.
const MARKS: usize = 3;

/// The marks of a designer line, every one that applies in its own place (so none hides
/// another): `!` a lint warning, `~` an unbound field, `?` a field with a condition.
fn marks(d: &Designer, entry: Entry) -> String {
    let warned = !d.warnings_of(entry).is_empty();
    let field = match entry {
        Entry::Field(s, f) => d.design.field((s, f)),
        _ => None,
    };
    let unbound = field.is_some_and(|x| x.element.is_none());
    let conditional = field.is_some_and(|x| x.when.as_ref().is_some_and(|w| !w.is_empty()));
    [(warned, '!'), (unbound, '~'), (conditional, '?')]
        .iter()
        .map(|&(on, c)| if on { c } else { ' ' })
        .collect()
}

/// Columns the preview keeps for a value beside a long label.
const PREVIEW_VALUE: usize = 12;

/// Fewest and most text rows of the designer's warnings box.
const WARNING_ROWS: (usize, usize) = (3, 7);

/// The designer's two columns in pane 3's `area`: the designer (with its warnings box) and
/// the preview.
pub(crate) fn designer_columns(area: Rect) -> (Rect, Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    (left, right)
}

/// The designer's warnings box in its column `left`: the warnings of the selected line (or
/// every warning, on the form's line), wrapped to the box, and how many text rows the box
/// has (it grows with them up to a cap: at most half the column, so the fields stay in
/// sight).
pub(crate) fn warning_lines(app: &App, d: &Designer, left: Rect) -> (Vec<Line<'static>>, usize) {
    let lang = app.lang;
    let entry = d.entry();
    let ww = left.width.saturating_sub(2);
    let texts: Vec<String> = match d.warnings_of(entry) {
        list if list.is_empty() && entry == Entry::Header => d
            .warnings
            .iter()
            .map(|x| format!("{} {}", x.kind.label(lang), x.message(lang)))
            .collect(),
        list => list.iter().map(|x| x.message(lang).to_string()).collect(),
    };
    let styled: Vec<Line> = texts
        .iter()
        .map(|t| {
            Line::from(Span::styled(
                inert(t).into_owned(),
                app.config.theme.get(Slot::Error),
            ))
        })
        .collect();
    let wlines = wrap_lines(&styled, ww);
    let most = (usize::from(left.height) / 2)
        .saturating_sub(2)
        .clamp(WARNING_ROWS.0, WARNING_ROWS.1);
    let rows = wlines.len().clamp(WARNING_ROWS.0, most);
    (wlines, rows)
}

/// Which warnings the box shows (its scroll belongs to them): the selected line's.
pub(crate) fn warnings_of_key(d: &Designer) -> String {
    format!("{:?}", d.entry())
}

fn draw_designer(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, d: &Designer, area: Rect) {
    let lang = app.lang;
    let theme = &app.config.theme;
    let ascii = app.config.ascii;
    let (left, right) = designer_columns(area);
    // the warnings of the selected line (or every warning, for the form), wrapped to the
    // box; when they are longer than it, the last row counts the lines below and the keys
    // of `form_warnings_down` / `form_warnings_up` scroll it
    let (wlines, rows) = warning_lines(app, d, left);
    let overflows = wlines.len() > rows;
    let (wlines, above) = detail::window(
        wlines,
        rows,
        d.warn_scroll.offset(&warnings_of_key(d)),
        |n, _| detail::more_lines(n, lang, ascii, theme),
    );
    let wb = block(
        app,
        format!(" {} {} ", lang.pick("警告", "Warnings"), d.warnings.len()),
        false,
    );
    let wb = match detail_hint(
        app,
        above,
        overflows,
        Action::FormWarningsUp,
        Action::FormWarningsDown,
    ) {
        Some(hint) => wb.title_bottom(Span::styled(hint, theme.get(Slot::Dim))),
        None => wb,
    };
    let [fields_area, warn_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(rows as u16 + 2)]).areas(left);
    let form = d.design.form();
    let dirty = if d.design.is_dirty() {
        lang.pick(" [未保存]", " [unsaved]")
    } else {
        ""
    };
    let title = format!(
        " {} {}{} ",
        fit(&form.code, 12, ascii),
        lang.pick("设计", "design"),
        dirty
    );
    let hint = border_hints(
        &[
            Hint::new(key_of(app, Action::FormAddField), lang.pick("添加", "add")),
            Hint::new(
                format!(
                    "{}/{}",
                    key_of(app, Action::FormMoveUp),
                    key_of(app, Action::FormMoveDown)
                ),
                lang.pick("移动", "move"),
            )
            .rank(2),
            Hint::new(
                key_of(app, Action::FormRequired),
                lang.pick("必填", "required"),
            )
            .short(lang.pick("必填", "req.")),
            Hint::new(key_of(app, Action::FormLabel), lang.pick("标签", "label")).rank(1),
            Hint::new(
                key_of(app, Action::FormCondition),
                lang.pick("条件", "when"),
            )
            .rank(2),
            Hint::new(key_of(app, Action::FormUndo), lang.pick("撤销", "undo")).rank(1),
            Hint::new(key_of(app, Action::FormSave), lang.pick("保存", "save")),
        ],
        fields_area.width,
    );
    let b = block(app, title, !d.in_preview).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let boxed = b.inner(fields_area);
    frame.render_widget(b, fields_area);
    // the form's item (事项) on a line of its own above the fields
    let item_line = item_line(app, catalog, form.item.as_deref(), usize::from(boxed.width));
    frame.render_widget(
        Paragraph::new(item_line),
        Rect::new(boxed.x, boxed.y, boxed.width, boxed.height.min(1)),
    );
    let inner = Rect::new(
        boxed.x,
        boxed.y.saturating_add(1).min(boxed.bottom()),
        boxed.width,
        boxed.height.saturating_sub(1),
    );
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    let offset = d.cursor.saturating_sub(h.saturating_sub(1));
    let lines: Vec<Line> = d
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, &entry)| {
            let mark = marks(d, entry);
            let (text, slot) = match entry {
                Entry::Header => {
                    let status = format!("{} V{}", form.status.zh(), form.version);
                    let name_w = w.saturating_sub(MARKS + 2 + width(&status)).max(2);
                    (
                        format!("{}  {status}", fit(&form.name, name_w, ascii)),
                        Slot::Title,
                    )
                }
                Entry::Section(s) => (
                    format!(
                        "[{}]",
                        fit(&form.sections[s].title, w.saturating_sub(MARKS + 2), ascii)
                    ),
                    Slot::Group,
                ),
                Entry::Field(s, f) => {
                    let field = &form.sections[s].fields[f];
                    let req = if field.required { "*" } else { " " };
                    let element = field.element.as_deref().unwrap_or("");
                    let kind = field
                        .element
                        .as_deref()
                        .and_then(|c| catalog.elements.get(c))
                        .map_or(lang.pick("未绑定", "unbound"), |e| {
                            lang.pick(e.kind.zh(), e.kind.as_str())
                        });
                    let label_w = w.saturating_sub(MARKS + 3 + 10 + 11).max(4);
                    (
                        format!(
                            " {req} {} {} {}",
                            pad(&fit(&field.label, label_w, ascii), label_w),
                            pad(&fit(element, 9, ascii), 9),
                            fit(kind, 10, ascii)
                        ),
                        Slot::Text,
                    )
                }
            };
            let line = Line::from(vec![
                Span::styled(mark, theme.get(Slot::Error)),
                Span::styled(pad(&text, w.saturating_sub(MARKS)), theme.get(slot)),
            ]);
            if i == d.cursor {
                line.style(theme.get(Slot::Selection))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);

    let winner = wb.inner(warn_area);
    frame.render_widget(wb, warn_area);
    frame.render_widget(Paragraph::new(wlines), winner);

    draw_preview(frame, app, catalog, d, right);
    if let Some(ch) = &d.chooser {
        draw_chooser(frame, app, ch, area);
    }
}

fn draw_preview(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, d: &Designer, area: Rect) {
    let lang = app.lang;
    let theme = &app.config.theme;
    let ascii = app.config.ascii;
    let hint = if d.in_preview {
        vec![
            Hint::new(
                key_of(app, Action::PreviewNext),
                lang.pick("下一项", "next"),
            ),
            Hint::new(
                key_of(app, Action::PreviewOptionNext),
                lang.pick("选项", "option"),
            ),
            Hint::new(
                key_of(app, Action::PreviewDescend),
                lang.pick("下一级", "level down"),
            )
            .short(lang.pick("下级", "down"))
            .rank(1),
            Hint::new("esc", lang.pick("返回", "back")),
        ]
    } else {
        vec![
            Hint::new(
                key_of(app, Action::FormPreview),
                lang.pick("填写示例值", "type sample values"),
            )
            .short(lang.pick("预览", "preview")),
        ]
    };
    let hint = border_hints(&hint, area.width);
    let b = block(
        app,
        format!(
            " {} ",
            lang.pick("预览（申请人视角）", "Preview (applicant)")
        ),
        d.in_preview,
    )
    .title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = None;
    let mut last_section = None;
    // a label takes what it needs of the width, leaving a value room for a dozen columns
    let label_w = w.saturating_sub(PREVIEW_VALUE + 3).max(4);
    for (i, row) in d.preview.rows.iter().enumerate() {
        if last_section != Some(row.section) {
            last_section = Some(row.section);
            let title = d.preview.titles.get(row.section).map_or("", String::as_str);
            lines.push(Line::from(Span::styled(
                fit(title, w, ascii),
                theme.get(Slot::Group),
            )));
        }
        let indent = "  ".repeat(row.depth);
        let req = if row.required && !row.group { "*" } else { " " };
        let label = format!("{indent}{req}{}", fit(&row.label, label_w, ascii));
        let focused = d.in_preview && i == d.row;
        if row.group {
            lines.push(Line::from(Span::styled(
                pad(&label, w),
                theme.get(Slot::Label),
            )));
            continue;
        }
        let value = d.values.get(&row.key).map_or("", String::as_str);
        let value_w = w.saturating_sub(width(&label) + 3).max(1);
        let (shown, cursor) = if focused {
            line_view(d.input.value(), d.input.cursor(), value_w)
        } else {
            let shown = d
                .preview
                .chosen_labels(catalog, &d.values, i)
                .unwrap_or_else(|| value.to_string());
            (fit(&shown, value_w, ascii), 0)
        };
        let label_cols = width(&label);
        if focused {
            focus_line = Some((lines.len(), label_cols + 1 + cursor));
        }
        lines.push(Line::from(vec![
            Span::styled(label, theme.get(Slot::Label)),
            Span::raw(" "),
            Span::styled(
                pad(&shown, value_w),
                theme.get(if focused {
                    Slot::InputFocus
                } else {
                    Slot::Input
                }),
            ),
        ]));
        // the validator's verdict, choices offered, help
        let check = d.preview.check(catalog, &d.values, i);
        // a cascade stopped above its last level is valid but not finished: not a ✓
        let left = match check {
            Check::Valid => d.preview.levels_left(catalog, &d.values, i),
            _ => None,
        };
        let (mark, slot) = match &check {
            Check::Invalid(_) => (if ascii { "x " } else { "✗ " }, Slot::Error),
            Check::Valid if left.is_some() => (if ascii { "~ " } else { "… " }, Slot::Dim),
            Check::Valid => (if ascii { "v " } else { "✓ " }, Slot::StatusOk),
            Check::Missing => ("* ", Slot::Dim),
            Check::Empty => ("", Slot::Dim),
        };
        if !matches!(check, Check::Empty) {
            // kept in another spelling (a 身份证号码's x as X, a choice typed by label as its
            // code): say which
            let kept = match check {
                Check::Valid => d.preview.normalized(catalog, &d.values, i),
                _ => None,
            };
            let verdict = match (&check, d.preview.chosen_labels(catalog, &d.values, i), kept) {
                (Check::Valid, Some(labels), Some(kept)) => lang.pick(
                    format!("{labels}，规范写法 {kept}"),
                    format!("{labels}, normalized: {kept}"),
                ),
                (Check::Valid, Some(labels), None) => labels,
                (Check::Valid, None, Some(kept)) => lang.pick(
                    format!("有效，规范写法 {kept}"),
                    format!("valid, normalized: {kept}"),
                ),
                _ => check.message(lang),
            };
            // (an unfinished path: what is chosen and what is left, not yet how it is kept)
            let verdict = match left {
                Some(n) => {
                    let chosen = d
                        .preview
                        .chosen_labels(catalog, &d.values, i)
                        .unwrap_or_else(|| value.to_string());
                    let left = levels_left_message(n, lang);
                    lang.pick(format!("{chosen}，{left}"), format!("{chosen}, {left}"))
                }
                None => verdict,
            };
            // wrapped, not cut: the end of a reason or of a kept spelling is what matters
            let room = w.saturating_sub(width(&indent) + 2).max(1);
            let text = crate::display::inert(&format!("{mark}{verdict}")).into_owned();
            for piece in wrap_columns(&text, room) {
                lines.push(Line::from(Span::styled(
                    format!("{indent}  {piece}"),
                    theme.get(slot),
                )));
            }
        }
        if focused {
            let offered = d.preview.offered(catalog, &d.values, i);
            if !offered.is_empty() {
                let list: Vec<String> = offered
                    .iter()
                    .take(12)
                    .map(|o| format!("{} {}", o.code, o.label))
                    .collect();
                lines.push(Line::from(Span::styled(
                    fit(
                        &format!(
                            "{indent}  {} {}",
                            lang.pick("可选：", "choose:"),
                            list.join(" | ")
                        ),
                        w,
                        ascii,
                    ),
                    theme.get(Slot::Dim),
                )));
            }
            if let Some(help) = &row.help {
                lines.push(Line::from(Span::styled(
                    fit(&format!("{indent}  {help}"), w, ascii),
                    theme.get(Slot::Dim),
                )));
            }
        }
    }
    // keep the focused row in view
    let skip = focus_line.map_or(0, |(l, _)| (l + 3).saturating_sub(h));
    let shown: Vec<Line> = lines.into_iter().skip(skip).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if let Some((l, col)) = focus_line
        && l >= skip
        && l - skip < h
    {
        let x = inner.x + (col as u16).min(inner.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y + (l - skip) as u16));
    }
}

fn draw_chooser(frame: &mut Frame<'_>, app: &App, ch: &super::forms::Chooser, area: Rect) {
    let lang = app.lang;
    let theme = &app.config.theme;
    let ascii = app.config.ascii;
    let h = (ch.choices.len() as u16 + 2)
        .min(area.height.saturating_sub(2))
        .max(3);
    let w = area.width.saturating_sub(8).min(70);
    let popup = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, popup);
    let hint = border_hints(
        &[
            Hint::new(key_of(app, Action::FormRequired), lang.pick("勾选", "tick")),
            Hint::new(key_of(app, Action::FormOpen), lang.pick("确定", "apply")),
            Hint::new("esc", lang.pick("取消", "cancel")),
        ],
        popup.width,
    );
    let b = block(
        app,
        format!(" {} ", lang.pick("显示条件", "Condition")),
        true,
    )
    .title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    let inner = b.inner(popup);
    frame.render_widget(b, popup);
    let iw = usize::from(inner.width);
    let ih = usize::from(inner.height);
    let offset = ch.selected.saturating_sub(ih.saturating_sub(1));
    let lines: Vec<Line> = ch
        .choices
        .iter()
        .enumerate()
        .skip(offset)
        .take(ih)
        .map(|(i, (q, qt, o, ot))| {
            let tick = if ch.ticked[i] { "[x]" } else { "[ ]" };
            let text = format!("{tick} {q}={o}  {qt} {ot}");
            let line = Line::from(Span::raw(fit(&text, iw, ascii)));
            if i == ch.selected {
                line.style(theme.get(Slot::Selection))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
