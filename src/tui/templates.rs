//! 模板库 in the TUI: the side-by-side comparison of a claimed entry with its template
//! (`T` in pane 1 on an item, material or bundle, `T` in pane 4 on a bundle) and claiming a
//! template as a new entry (`C` in pane 1). The engine is [`crate::engine::template`], the
//! one `yibiao template compare|claim` prints.
//!
//! Every row carries a mark as well as a colour, so the view reads the same under NO_COLOR
//! and `--ascii`: `=` agrees, `!` attribute differs, `-` missing, `+` extra, `#` different
//! element kind, `?` different element, `~` label drift, `*` required flag differs.

use crate::tui::hints::Hint;
use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Scope};
use super::app::{App, Level, Overlay, Pane};
use super::keymap::{Key, Lookup};
use super::panes::bundles::BundlesPane;
use super::text::{border_set, fit, wrap_lines};
use super::theme::Slot;
use super::tree::NodeId;
use super::view::centered;
use crate::display::{inert, pad, width};
use crate::engine::template::{self, Comparison, FieldIssue, SetDiff};
use crate::engine::workflow::unique_code;
use crate::i18n::Lang;
use crate::model::{Catalog, Kind};

/// How a row compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A section heading.
    Heading,
    /// The entry has it as the template does.
    Agrees,
    /// An attribute with another value.
    Differs,
    /// In the template, not in the entry (element, field, form, material, item, question).
    Missing,
    /// In the entry, not in the template.
    Extra,
    /// A field bound to an element of another kind.
    Kind,
    /// A field bound to another element.
    Element,
    /// A field with another label.
    Label,
    /// A field with another required flag.
    Required,
}

impl Mark {
    /// The symbol drawn before the row (ASCII, readable without colour).
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Heading => " ",
            Mark::Agrees => "=",
            Mark::Differs => "!",
            Mark::Missing => "-",
            Mark::Extra => "+",
            Mark::Kind => "#",
            Mark::Element => "?",
            Mark::Label => "~",
            Mark::Required => "*",
        }
    }

    /// What the mark says, for the note column and the legend.
    fn words(self, lang: Lang) -> &'static str {
        match self {
            Mark::Heading => "",
            Mark::Agrees => lang.pick("一致", "agrees"),
            Mark::Differs => lang.pick("不同", "differs"),
            Mark::Missing => lang.pick("缺少", "missing"),
            Mark::Extra => lang.pick("多出", "extra"),
            Mark::Kind => lang.pick("类型不同", "other kind"),
            Mark::Element => lang.pick("数据元不同", "other element"),
            Mark::Label => lang.pick("标签不同", "label drift"),
            Mark::Required => lang.pick("必填不同", "required differs"),
        }
    }

    fn slot(self) -> Slot {
        match self {
            Mark::Heading => Slot::Title,
            Mark::Agrees => Slot::Dim,
            Mark::Extra | Mark::Label => Slot::StatusWarn,
            _ => Slot::Error,
        }
    }
}

/// One row of the view: what, the entry's side, the template's side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// How it compares.
    pub mark: Mark,
    /// What the row is about (an attribute, a field, a code).
    pub what: String,
    /// The entry's side.
    pub entry: String,
    /// The template's side.
    pub template: String,
}

impl Row {
    fn new(
        mark: Mark,
        what: impl Into<String>,
        entry: impl Into<String>,
        template: impl Into<String>,
    ) -> Self {
        Self {
            mark,
            what: what.into(),
            entry: entry.into(),
            template: template.into(),
        }
    }

    fn heading(title: impl Into<String>) -> Self {
        Self::new(Mark::Heading, title, "", "")
    }
}

/// The comparison view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareView {
    /// The entry's code and name.
    pub entry: (String, String),
    /// The template's code and name.
    pub template: (String, String),
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
    /// How many departures.
    pub departures: usize,
    /// First row shown.
    pub scroll: usize,
}

/// The claim prompt: the template and the new entry's code.
#[derive(Debug)]
pub struct ClaimPrompt {
    /// The template's kind.
    pub kind: Kind,
    /// The template's code.
    pub template: String,
    /// The new code.
    pub input: Input,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// The 模板库 overlay.
#[derive(Debug)]
pub enum TemplateOverlay {
    /// An entry beside its template.
    Compare(CompareView),
    /// Claiming a template.
    Claim(ClaimPrompt),
}

/// `CODE name`, the name looked up.
fn named(catalog: &Catalog, kind: Kind, code: &str) -> String {
    match catalog.get(kind, code) {
        Some(r) => format!("{code} {}", r.name()),
        None => code.to_string(),
    }
}

/// A set's rows: each code missing from the entry, then each extra one; `shown(code, in_entry)`
/// is how a side shows it (`CODE name`, a question's `KEY text` from its own bundle).
fn set_rows(
    rows: &mut Vec<Row>,
    title: &str,
    d: &SetDiff,
    shown: impl Fn(&str, bool) -> String,
    lang: Lang,
) {
    rows.push(Row::heading(title));
    for c in &d.missing {
        rows.push(Row::new(Mark::Missing, c.clone(), "—", shown(c, false)));
    }
    for c in &d.extra {
        rows.push(Row::new(Mark::Extra, c.clone(), shown(c, true), "—"));
    }
    if d.missing.is_empty() && d.extra.is_empty() {
        rows.push(Row::new(
            Mark::Agrees,
            lang.pick("与模板一致", "as the template"),
            "",
            "",
        ));
    }
}

impl CompareView {
    /// The rows of a comparison: attributes (equal ones too), forms with their departing
    /// fields, then materials, items and questions.
    pub fn new(c: &Comparison, catalog: &Catalog, lang: Lang) -> Self {
        let kind = c.record_kind();
        let mut rows = Vec::new();
        if !c.attributes.is_empty() || !c.agreeing.is_empty() {
            rows.push(Row::heading(lang.pick("属性", "attributes")));
            let mut attrs: Vec<(Mark, _)> = c
                .attributes
                .iter()
                .map(|a| (Mark::Differs, a))
                .chain(c.agreeing.iter().map(|a| (Mark::Agrees, a)))
                .collect();
            attrs.sort_by_key(|(mark, _)| *mark == Mark::Agrees);
            for (mark, a) in attrs {
                rows.push(Row::new(
                    mark,
                    a.name(kind, lang),
                    a.shown(&a.entry, lang),
                    a.shown(&a.template, lang),
                ));
            }
        }
        for f in &c.forms {
            let side = |code: &Option<String>| match code {
                Some(code) => named(catalog, Kind::Form, code),
                None => "—".to_string(),
            };
            let mark = match (&f.entry, &f.template) {
                (None, _) => Mark::Missing,
                (_, None) => Mark::Extra,
                _ => Mark::Heading,
            };
            let title = lang.pick("申请表", "form");
            if mark == Mark::Heading {
                rows.push(Row::new(mark, title, side(&f.entry), side(&f.template)));
            } else {
                rows.push(Row::heading(title));
                rows.push(Row::new(mark, title, side(&f.entry), side(&f.template)));
            }
            for d in &f.fields {
                let element = d
                    .element
                    .as_deref()
                    .map_or(String::new(), |e| format!(" ({e})"));
                let what = format!("{} {}{element}", d.key, d.label);
                let yes_no = |b: bool| {
                    lang.pick(
                        if b { "必填" } else { "选填" },
                        if b { "required" } else { "optional" },
                    )
                };
                // the field is named once, in the first column; its sides say where it is
                let here = lang.pick("有", "present").to_string();
                let (mark, entry, template) = match &d.issue {
                    FieldIssue::Missing => (Mark::Missing, "—".to_string(), here),
                    FieldIssue::Extra => (Mark::Extra, here, "—".to_string()),
                    FieldIssue::DifferentKind { entry, template } => {
                        (Mark::Kind, entry.clone(), template.clone())
                    }
                    FieldIssue::DifferentElement { entry, template } => {
                        let show = |e: &Option<String>| match e {
                            Some(e) => named(catalog, Kind::Element, e),
                            None => lang.pick("未绑定", "unbound").to_string(),
                        };
                        (Mark::Element, show(entry), show(template))
                    }
                    FieldIssue::LabelDrift { entry, template } => {
                        (Mark::Label, entry.clone(), template.clone())
                    }
                    FieldIssue::Required { entry, template } => (
                        Mark::Required,
                        yes_no(*entry).to_string(),
                        yes_no(*template).to_string(),
                    ),
                };
                rows.push(Row::new(mark, what, entry, template));
            }
            if f.entry.is_some() && f.template.is_some() {
                rows.push(Row::new(
                    Mark::Agrees,
                    lang.pick(
                        format!("{} 个字段与模板一致", f.agreeing),
                        format!("{} field(s) as the template", f.agreeing),
                    ),
                    "",
                    "",
                ));
            }
        }
        let materials = |code: &str, _| named(catalog, Kind::Material, code);
        let items = |code: &str, _| named(catalog, Kind::Item, code);
        // a question by its key and text, from the bundle that has it
        let questions = |key: &str, in_entry: bool| {
            let bundle = if in_entry { &c.code } else { &c.template };
            catalog
                .bundles
                .get(bundle.as_str())
                .and_then(|b| b.questions.iter().find(|q| q.key == key))
                .map_or_else(|| key.to_string(), |q| format!("{key} {}", q.text))
        };
        match kind {
            Kind::Item => set_rows(
                &mut rows,
                lang.pick("材料", "materials"),
                &c.materials,
                materials,
                lang,
            ),
            Kind::Bundle => {
                set_rows(&mut rows, lang.pick("事项", "items"), &c.items, items, lang);
                set_rows(
                    &mut rows,
                    lang.pick("材料", "materials"),
                    &c.materials,
                    materials,
                    lang,
                );
                set_rows(
                    &mut rows,
                    lang.pick("判断项", "questions"),
                    &c.questions,
                    questions,
                    lang,
                );
                if !c.changes.is_empty() {
                    rows.push(Row::heading(
                        lang.pick("条件与判断项", "conditions and questions"),
                    ));
                    for ch in &c.changes {
                        rows.push(Row::new(
                            Mark::Differs,
                            format!("{} {}", ch.what.label(lang), ch.subject),
                            ch.what.shown(&ch.entry, lang),
                            ch.what.shown(&ch.template, lang),
                        ));
                    }
                }
            }
            _ => {}
        }
        Self {
            entry: (c.code.clone(), c.name.clone()),
            template: (c.template.clone(), c.template_name.clone()),
            rows,
            departures: c.departures(),
            scroll: 0,
        }
    }
}

impl App {
    /// `T` in pane 1: the selected record beside its template.
    pub(crate) fn compare_selected(&mut self) {
        let code = match (self.selected_record(), self.selected_id()) {
            (Some(record), _) => record.code().to_string(),
            // before the catalog is loaded the tree's row names the record
            (None, Some(NodeId::Record(_, code))) if self.store.is_none() => code,
            _ => {
                let text = self.lang.pick("请选择一条记录", "select a record");
                self.say(Level::Info, text.into());
                return;
            }
        };
        self.open_compare(&code);
    }

    /// `T` in pane 4: the selected (or open) bundle beside its template.
    pub(crate) fn compare_bundle(&mut self) {
        // (before the catalog is loaded, the bundles pane 4 read)
        let Some(catalog) = self.bundles_catalog() else {
            return;
        };
        let code = match &self.bundles.work {
            Some(w) => Some(w.code.clone()),
            None => BundlesPane::codes(catalog)
                .get(self.bundles.selected)
                .map(|c| c.to_string()),
        };
        match code {
            Some(code) => self.open_compare(&code),
            None => {
                let text = self.lang.pick("没有主题", "no bundle");
                self.say(Level::Info, text.into());
            }
        }
    }

    fn open_compare(&mut self, code: &str) {
        let lang = self.lang;
        // before the catalog is loaded: the records comparing reads
        let near = match self.compare_near(code) {
            Some(Ok(near)) => Some(near),
            Some(Err(text)) => return self.say(Level::Error, text),
            None => None,
        };
        let catalog = match (&near, self.store()) {
            (Some(near), _) => near,
            (None, Some(store)) => store.catalog(),
            (None, None) => return,
        };
        match template::compare(catalog, code) {
            Ok(c) => {
                let view = CompareView::new(&c, catalog, lang);
                self.overlay = Some(Overlay::Template(Box::new(TemplateOverlay::Compare(view))));
            }
            Err(e) => self.say(Level::Warn, e.message(lang)),
        }
    }

    /// `C` in pane 1: claims the selected template; asks for the new entry's code.
    pub(crate) fn open_claim(&mut self) {
        let lang = self.lang;
        // before the catalog is loaded the tree's row names the record, read from the store
        let read = match self.selected_id() {
            Some(NodeId::Record(kind, code)) => self.stored_record(kind, &code),
            _ => None,
        };
        let stored = match read {
            Some(Ok(record)) => record,
            Some(Err(text)) => return self.say(Level::Error, text),
            None => None,
        };
        let Some(record) = stored
            .as_ref()
            .map(|r| r.as_ref())
            .or(self.selected_record())
        else {
            let text = lang.pick("请选择一个模板", "select a template");
            self.say(Level::Info, text.into());
            return;
        };
        let (kind, code) = (record.kind(), record.code().to_string());
        if !record.is_template() {
            let text = template::TemplateError::NotATemplate(code).message(lang);
            self.say(Level::Warn, text);
            return;
        }
        let base = format!("{code}-RL");
        let suggested = match (self.claim_code_near(kind, &code), self.store()) {
            (Some(suggested), _) => suggested,
            (None, Some(store)) => unique_code(store.catalog(), kind, &base),
            (None, None) => return,
        };
        self.overlay = Some(Overlay::Template(Box::new(TemplateOverlay::Claim(
            ClaimPrompt {
                kind,
                template: code,
                input: Input::new(suggested),
                error: None,
            },
        ))));
    }

    /// A key while the 模板库 overlay is open.
    pub(crate) fn template_key(&mut self, event: KeyEvent) {
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let key = Key::from_event(&event);
        let lookup = self
            .config
            .keymap
            .lookup(&[key], &[Scope::List, Scope::Global]);
        if let Some(Overlay::Template(overlay)) = &self.overlay
            && let TemplateOverlay::Compare(view) = overlay.as_ref()
        {
            match lookup {
                Lookup::Action(
                    a @ (Action::SelectNext
                    | Action::SelectPrev
                    | Action::PageDown
                    | Action::PageUp
                    | Action::SelectFirst
                    | Action::SelectLast),
                ) => {
                    // (measured on the view as it is, then the view scrolls)
                    let (height, lines) = body_size(self, view, screen);
                    if let Some(Overlay::Template(overlay)) = &mut self.overlay
                        && let TemplateOverlay::Compare(view) = overlay.as_mut()
                    {
                        view.scroll_by(a, height, lines);
                    }
                }
                Lookup::Action(Action::Back | Action::Quit) => self.overlay = None,
                _ if event.code == KeyCode::Enter => self.overlay = None,
                _ => {}
            }
            return;
        }
        let Some(Overlay::Template(overlay)) = &mut self.overlay else {
            return;
        };
        match overlay.as_mut() {
            // (taken above)
            TemplateOverlay::Compare(_) => {}
            TemplateOverlay::Claim(prompt) => match event.code {
                KeyCode::Esc => self.overlay = None,
                KeyCode::Enter => {
                    let new_code = prompt.input.value().to_string();
                    let (kind, from) = (prompt.kind, prompt.template.clone());
                    self.claim(kind, &from, &new_code);
                }
                _ => {
                    prompt.input.handle_event(&Event::Key(event));
                    prompt.error = None;
                }
            },
        }
    }

    /// Pasted text goes into the claim prompt (one line: [`crate::tui::text::paste_line`]).
    pub(crate) fn template_paste(&mut self, text: &str) {
        if let Some(Overlay::Template(overlay)) = &mut self.overlay
            && let TemplateOverlay::Claim(prompt) = overlay.as_mut()
        {
            crate::tui::text::paste_into(&mut prompt.input, text);
        }
    }

    /// Claims `from` as `new_code` and shows the new entry; a refusal stays in the prompt.
    fn claim(&mut self, kind: Kind, from: &str, new_code: &str) {
        let lang = self.lang;
        let refused = |app: &mut App, text: String| {
            if let Some(Overlay::Template(overlay)) = &mut app.overlay
                && let TemplateOverlay::Claim(prompt) = overlay.as_mut()
            {
                prompt.error = Some(text);
            }
        };
        let forms = match self.claim_near(from, new_code) {
            // before the catalog is loaded, over the template's records (a write that needs
            // the catalog waits for it, the prompt open)
            Some(Ok(Some(forms))) => {
                self.overlay = None;
                self.record_changed_near(kind, new_code);
                forms
            }
            Some(Ok(None)) => return,
            Some(Err(text)) => return refused(self, text),
            None => {
                let Some(store) = self.store() else { return };
                let batch = match template::claim(store.catalog(), from, new_code) {
                    Ok(batch) => batch,
                    Err(e) => return refused(self, e.message(lang)),
                };
                let forms = batch.commands.len().saturating_sub(1);
                self.overlay = None;
                if !self.apply_batch(batch) {
                    return;
                }
                self.store_changed();
                forms
            }
        };
        self.show_in_catalog(kind, new_code);
        self.pane = Pane::Catalog;
        let (from, code) = (inert(from), inert(new_code));
        self.say(
            Level::Ok,
            lang.pick(
                format!("已从模板 {from} 认领为 {code}（待提交 V0，复制申请表 {forms} 张）"),
                format!("claimed template {from} as {code} (draft V0, {forms} form(s) copied)"),
            ),
        );
    }
}

/// Draws the overlay.
pub(crate) fn draw(frame: &mut Frame<'_>, app: &App, overlay: &TemplateOverlay) {
    match overlay {
        TemplateOverlay::Compare(view) => draw_compare(frame, app, view),
        TemplateOverlay::Claim(prompt) => {
            let lang = app.lang;
            let title = lang.pick(
                format!(
                    " 从模板 {} 认领：新编码（enter 认领，esc 取消） ",
                    prompt.template
                ),
                format!(
                    " claim template {}: new code (enter claims, esc cancels) ",
                    prompt.template
                ),
            );
            let area = super::view::areas(frame.area()).main;
            super::view::draw_input_prompt(
                frame,
                app,
                &title,
                &prompt.input,
                prompt.error.as_deref(),
                area,
            );
        }
    }
}

/// The comparison's frame on `screen`: the whole width between the tab bar and the status
/// bar (a margin of one column would leave slivers of the panes' frames, `┌│`, beside it),
/// and inside its border.
fn compare_areas(screen: Rect) -> (Rect, Rect) {
    let area = centered(screen, screen.width, screen.height.saturating_sub(2));
    let inner = Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    (area, inner)
}

/// The columns' widths in `w`: what, each side, the note.
fn columns(w: usize) -> (usize, usize, usize) {
    let what_w = (w / 4).clamp(10, 28);
    let note_w = 10;
    let side_w = w.saturating_sub(2 + what_w + 3 + note_w + 1) / 2;
    (what_w, side_w, note_w)
}

/// The legend, `w` columns wide: each mark whole, on as many lines as they need.
fn legend_lines(lang: Lang, w: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in [
        Mark::Agrees,
        Mark::Differs,
        Mark::Missing,
        Mark::Extra,
        Mark::Kind,
        Mark::Element,
        Mark::Label,
        Mark::Required,
    ] {
        let entry = format!("{} {}", m.symbol(), m.words(lang));
        match out.last_mut() {
            Some(line) if width(line) + 2 + width(&entry) <= w => {
                line.push_str("  ");
                line.push_str(&entry);
            }
            _ => out.push(entry),
        }
    }
    out
}

/// One row of the comparison, every cell wrapped in its column (nothing is cut off): as many
/// lines as its longest cell needs.
fn row_lines(
    app: &App,
    (mark, what, entry, template, note): (Mark, &str, &str, &str, &str),
    w: usize,
) -> Vec<Line<'static>> {
    let theme = &app.config.theme;
    let (what_w, side_w, note_w) = columns(w);
    let slot = mark.slot();
    // broken between words where they can be (a code longer than its column is cut up)
    let cells = |text: &str, columns: usize| -> Vec<String> {
        let line = Line::raw(inert(text).into_owned());
        wrap_lines(&[line], u16::try_from(columns).unwrap_or(u16::MAX))
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    };
    let (what, entry, template, note) = (
        cells(what, what_w),
        cells(entry, side_w),
        cells(template, side_w),
        cells(note, note_w),
    );
    let n = [what.len(), entry.len(), template.len(), note.len()]
        .into_iter()
        .max()
        .unwrap_or(1);
    let piece = |cell: &[String], i: usize, columns: usize| {
        pad(cell.get(i).map_or("", String::as_str), columns)
    };
    let sep = if app.config.ascii { " | " } else { " │ " };
    (0..n)
        .map(|i| {
            let symbol = if i == 0 { mark.symbol() } else { " " };
            Line::from(vec![
                Span::styled(format!("{symbol} "), theme.get(slot)),
                Span::styled(
                    piece(&what, i, what_w),
                    theme.get(if mark == Mark::Heading {
                        Slot::Title
                    } else {
                        Slot::Label
                    }),
                ),
                Span::raw(" "),
                Span::styled(piece(&entry, i, side_w), theme.get(Slot::Text)),
                Span::styled(sep, theme.get(Slot::Border)),
                Span::styled(piece(&template, i, side_w), theme.get(Slot::Text)),
                Span::raw(" "),
                Span::styled(note.get(i).cloned().unwrap_or_default(), theme.get(slot)),
            ])
        })
        .collect()
}

/// The lines that scroll, `w` columns wide: the codes and names, then every row.
fn body_lines(app: &App, view: &CompareView, w: usize) -> Vec<Line<'static>> {
    let lang = app.lang;
    let mut lines = row_lines(
        app,
        (Mark::Heading, "", &view.entry.0, &view.template.0, ""),
        w,
    );
    lines.extend(row_lines(
        app,
        (Mark::Heading, "", &view.entry.1, &view.template.1, ""),
        w,
    ));
    for r in &view.rows {
        lines.extend(row_lines(
            app,
            (r.mark, &r.what, &r.entry, &r.template, r.mark.words(lang)),
            w,
        ));
    }
    lines
}

/// How many lines of the body the comparison shows on `screen`, and how many there are.
fn body_size(app: &App, view: &CompareView, screen: Rect) -> (usize, usize) {
    let (_, inner) = compare_areas(screen);
    let w = usize::from(inner.width);
    // the column titles above; the verdict and the legend below
    let fixed = 2 + legend_lines(app.lang, w).len();
    let height = usize::from(inner.height).saturating_sub(fixed);
    (height, body_lines(app, view, w).len())
}

impl CompareView {
    /// Scrolls by `action` (a line, a page, to either end) a body of `lines` lines shown
    /// `height` rows high, as far as the last line on the last row.
    fn scroll_by(&mut self, action: Action, height: usize, lines: usize) {
        let last = lines.saturating_sub(height);
        let page = height.max(1);
        self.scroll = match action {
            Action::SelectNext => self.scroll.saturating_add(1),
            Action::SelectPrev => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll.saturating_add(page),
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::SelectFirst => 0,
            _ => last,
        }
        .min(last);
    }
}

fn draw_compare(frame: &mut Frame<'_>, app: &App, view: &CompareView) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let (area, inner) = compare_areas(frame.area());
    let keys = |action: Action| {
        app.config
            .keymap
            .key_in(action, &[Scope::List, Scope::Global])
            .unwrap_or_else(|| format!(":{}", action.name()))
    };
    let w = usize::from(inner.width);
    let legend = legend_lines(lang, w);
    let height = usize::from(inner.height).saturating_sub(2 + legend.len());
    let lines = body_lines(app, view, w);
    let scroll = view.scroll.min(lines.len().saturating_sub(height));
    let overflows = lines.len() > height;
    // the keys that scroll (when there is more than fits) and close, on the bottom border
    let mut hints = Vec::new();
    if overflows {
        hints.push(Hint::new(
            format!("{}/{}", keys(Action::SelectNext), keys(Action::SelectPrev)),
            lang.pick("滚动", "scroll"),
        ));
        hints.push(
            Hint::new(
                format!("{}/{}", keys(Action::PageDown), keys(Action::PageUp)),
                lang.pick("翻页", "page"),
            )
            .rank(1),
        );
    }
    hints.push(Hint::new(keys(Action::Back), lang.pick("关闭", "close")));
    let hint = crate::tui::hints::hint_line(
        &hints,
        "  ",
        true,
        usize::from(area.width.saturating_sub(2)),
    );
    frame.render_widget(Clear, area);
    let b = Block::bordered()
        .border_set(border_set(ascii))
        .border_style(theme.get(Slot::BorderFocus))
        .title(Span::styled(
            lang.pick(" 模板对照 ", " Template comparison "),
            theme.get(Slot::Title),
        ))
        .title_bottom(Span::styled(hint, theme.get(Slot::Dim)))
        .style(theme.get(Slot::Popup));
    frame.render_widget(b, area);
    if inner.width < 30 || inner.height < 4 {
        return;
    }
    let mut shown = row_lines(
        app,
        (
            Mark::Heading,
            "",
            lang.pick("本记录", "entry"),
            lang.pick("模板", "template"),
            "",
        ),
        w,
    );
    shown.truncate(1);
    shown.extend(lines.iter().skip(scroll).take(height).cloned());
    frame.render_widget(
        Paragraph::new(shown),
        Rect::new(inner.x, inner.y, inner.width, 1 + height as u16),
    );
    let verdict = if view.departures == 0 {
        Span::styled(
            lang.pick("= 符合模板", "= conforms to the template"),
            theme.get(Slot::StatusOk),
        )
    } else {
        Span::styled(
            lang.pick(
                format!("! 不符合模板：{} 处", view.departures),
                format!("! does not conform: {} departure(s)", view.departures),
            ),
            theme.get(Slot::Error),
        )
    };
    let more = if overflows {
        let (first, last) = (scroll + 1, (scroll + height).min(lines.len()));
        let n = lines.len();
        lang.pick(
            format!("  （第 {first}-{last} 行，共 {n} 行）"),
            format!("  (lines {first}-{last} of {n})"),
        )
    } else {
        String::new()
    };
    let y = inner.y + 1 + height as u16;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            verdict,
            Span::styled(more, theme.get(Slot::Dim)),
        ])),
        Rect::new(inner.x, y, inner.width, 1),
    );
    let legend: Vec<Line> = legend
        .iter()
        .map(|l| Line::from(Span::styled(fit(l, w, ascii), theme.get(Slot::Dim))))
        .collect();
    frame.render_widget(
        Paragraph::new(legend),
        Rect::new(
            inner.x,
            y + 1,
            inner.width,
            inner.bottom().saturating_sub(y + 1),
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_departure_gets_a_row_with_its_mark() {
        let catalog = crate::sample::generate(1);
        let entry = "0100001001-511602000000-000-11511602299513299M-1-00";
        let c = template::compare(&catalog, entry).expect("claimed entry");
        let view = CompareView::new(&c, &catalog, Lang::En);
        let marked = view
            .rows
            .iter()
            .filter(|r| !matches!(r.mark, Mark::Heading | Mark::Agrees))
            .count();
        assert_eq!(marked, c.departures());
        assert!(view.rows.iter().any(|r| r.mark == Mark::Kind));
        assert!(view.rows.iter().any(|r| r.mark == Mark::Required));
        assert!(
            view.rows
                .iter()
                .any(|r| r.mark == Mark::Missing && r.template.starts_with("CL000001 ")),
            "the missing material is named: {:?}",
            view.rows
        );
        assert!(
            view.rows
                .iter()
                .any(|r| r.mark == Mark::Agrees && r.what == "level")
        );
    }
}
