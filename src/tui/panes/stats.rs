//! Pane 5 (统计): the catalog's statistics, computed on a worker thread each time the pane is
//! entered (and on `stats_refresh`), drawn section by section with width-aware bars; `x`
//! exports every table (`stats --export`) as an XLSX workbook. Drawing only reads the last
//! figures; every store string goes through `fit`.

use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::display::{inert, pad, width};
use crate::engine::stats::{Count, Reduction, Stats};
use crate::i18n::Lang;
use crate::model::{ElementKind, ItemLevel, ItemType, Kind, Status};
use crate::tui::action::Action;
use crate::tui::app::{App, AppEvent, Level};
use crate::tui::hints::{Hint, border_hints};
use crate::tui::loading::Loading;
use crate::tui::text::fit;
use crate::tui::theme::{Slot, Theme};
use crate::tui::view::{block, key_of};

/// The sections of pane 5, in key order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    /// Records per kind, fields, binding.
    #[default]
    Overview,
    /// Items per level.
    Level,
    /// Items per type.
    Type,
    /// Records per status.
    Status,
    /// Items per region.
    Region,
    /// Items per agency.
    Agency,
    /// Elements per kind.
    ElementKind,
    /// Element reuse: most reused, never used, unbound fields per agency.
    Reuse,
    /// Per-bundle reduction, typical and worst answer sets.
    Bundles,
}

impl Section {
    /// Every section, in key order.
    pub const ALL: [Section; 9] = [
        Section::Overview,
        Section::Level,
        Section::Type,
        Section::Status,
        Section::Region,
        Section::Agency,
        Section::ElementKind,
        Section::Reuse,
        Section::Bundles,
    ];

    /// The section's title.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Section::Overview => lang.pick("概况", "Overview"),
            Section::Level => lang.pick("事项层级", "Items by level"),
            Section::Type => lang.pick("事项类型", "Items by type"),
            Section::Status => lang.pick("状态", "Status"),
            Section::Region => lang.pick("按区划", "Items by region"),
            Section::Agency => lang.pick("按部门", "Items by agency"),
            Section::ElementKind => lang.pick("数据元类型", "Elements by kind"),
            Section::Reuse => lang.pick("数据元复用", "Element reuse"),
            Section::Bundles => lang.pick("主题减免", "Bundle reduction"),
        }
    }

    fn step(self, forward: bool) -> Section {
        let n = Self::ALL.len();
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// A finished statistics job.
pub struct StatsEvent {
    generation: u64,
    stats: Box<Stats>,
    /// The store's write count the figures describe when they were counted from the catalog
    /// (worth caching), see [`CacheRead::cacheable_at`](crate::store::CacheRead::cacheable_at).
    cacheable_at: Option<u64>,
}

/// The export path prompt.
pub struct ExportPrompt {
    /// The path being typed.
    pub input: Input,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// Pane 5's state.
#[derive(Default)]
pub struct StatsPane {
    /// The section shown.
    pub section: Section,
    /// The last figures computed (kept on screen while newer ones are computed).
    pub stats: Option<Stats>,
    /// A computation is running.
    pub computing: bool,
    /// The first row of the section drawn.
    pub scroll: usize,
    /// The open export prompt.
    pub prompt: Option<ExportPrompt>,
    generation: u64,
}

/// Whether an action belongs to pane 5.
pub fn handles(action: Action) -> bool {
    matches!(
        action,
        Action::StatsNextSection
            | Action::StatsPrevSection
            | Action::StatsRefresh
            | Action::StatsExport
    )
}

/// One row of a section, independent of the width it is drawn at.
#[derive(Clone, Debug, PartialEq)]
enum Row {
    Heading(String),
    /// A label, a count, the largest count of its group (for the bar) and a note after it.
    Bar {
        label: String,
        count: usize,
        max: usize,
        note: String,
    },
    /// A bundle's answer set: tag, figures, the largest `fields_before` of all bundles.
    Reduction {
        tag: &'static str,
        r: Reduction,
        max: usize,
    },
    Text(String),
    Blank,
}

fn bars(rows: impl IntoIterator<Item = (String, usize)>) -> Vec<Row> {
    let rows: Vec<(String, usize)> = rows.into_iter().collect();
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    rows.into_iter()
        .map(|(label, count)| Row::Bar {
            label,
            count,
            max,
            note: String::new(),
        })
        .collect()
}

fn counted(list: &[Count], lang: Lang) -> Vec<Row> {
    if list.is_empty() {
        return vec![Row::Text(lang.pick("（无）", "(none)").into())];
    }
    bars(list.iter().map(|c| {
        let label = if c.name.is_empty() {
            c.code.clone()
        } else {
            c.name.clone()
        };
        (label, c.count)
    }))
}

/// `part` of `whole` as [`crate::display::percent`] shows it (never `100.0%` short of the
/// whole); empty when `whole` is zero.
fn percent(part: usize, whole: usize) -> String {
    crate::display::percent(part as u64, whole as u64).unwrap_or_default()
}

/// The share of fields bound to an element, as [`crate::display::percent`] shows it; `None`
/// without fields.
fn bound_share(s: &Stats) -> Option<String> {
    let bound = s.fields - s.unbound_fields.min(s.fields);
    crate::display::percent(bound as u64, s.fields as u64)
}

/// The rows of a section.
fn rows(s: &Stats, section: Section, lang: Lang) -> Vec<Row> {
    match section {
        Section::Overview => {
            let kinds = Kind::ALL.iter().zip([
                s.regions,
                s.agencies,
                s.elements,
                s.items,
                s.materials,
                s.forms,
                s.bundles,
            ]);
            let mut out = vec![Row::Heading(lang.pick("记录", "Records").into())];
            out.extend(bars(kinds.map(|(k, n)| {
                (
                    lang.pick(k.zh().to_string(), format!("{} {}", k.zh(), k.plural())),
                    n,
                )
            })));
            let bound = s.fields - s.unbound_fields.min(s.fields);
            out.push(Row::Blank);
            out.push(Row::Heading(lang.pick("表单字段", "Form fields").into()));
            out.push(Row::Bar {
                label: lang.pick("已绑定数据元", "bound").into(),
                count: bound,
                max: s.fields,
                note: percent(bound, s.fields),
            });
            out.push(Row::Bar {
                label: lang.pick("未绑定", "unbound").into(),
                count: s.unbound_fields,
                max: s.fields,
                note: percent(s.unbound_fields, s.fields),
            });
            out.push(Row::Bar {
                label: lang.pick("合计", "all").into(),
                count: s.fields,
                max: s.fields,
                note: String::new(),
            });
            out.push(Row::Blank);
            out.push(Row::Text(lang.pick(
                format!("从未使用的数据元 {} 个", s.reuse.never_used),
                format!("elements never used: {}", s.reuse.never_used),
            )));
            out
        }
        Section::Level => bars(ItemLevel::ALL.iter().map(|l| {
            (
                lang.pick(l.zh().to_string(), format!("{} {}", l.zh(), l.as_str())),
                s.items_by_level.get(l.as_str()).copied().unwrap_or(0),
            )
        })),
        Section::Type => bars(ItemType::ALL.iter().map(|t| {
            (
                format!("{} {}", t.code(), t.zh()),
                s.items_by_type.get(t.code()).copied().unwrap_or(0),
            )
        })),
        Section::Status => {
            let mut out = Vec::new();
            for (kind, statuses) in &s.by_status {
                let title = Kind::parse(kind).map_or_else(
                    || (*kind).to_string(),
                    |k| lang.pick(k.zh().to_string(), format!("{} {}", k.zh(), k.plural())),
                );
                if !out.is_empty() {
                    out.push(Row::Blank);
                }
                out.push(Row::Heading(title));
                out.extend(bars(Status::ALL.iter().map(|st| {
                    (
                        lang.pick(st.zh().to_string(), format!("{} {}", st.zh(), st.as_str())),
                        statuses.get(st.as_str()).copied().unwrap_or(0),
                    )
                })));
            }
            out
        }
        Section::Region => counted(&s.items_by_region, lang),
        Section::Agency => counted(&s.items_by_agency, lang),
        Section::ElementKind => bars(ElementKind::ALL.iter().map(|k| {
            (
                lang.pick(k.zh().to_string(), format!("{} {}", k.zh(), k.as_str())),
                s.elements_by_kind.get(k.as_str()).copied().unwrap_or(0),
            )
        })),
        Section::Reuse => {
            let mut out = vec![Row::Heading(
                lang.pick(
                    "复用最多的数据元（字段数）",
                    "Most reused elements (fields)",
                )
                .into(),
            )];
            out.extend(counted(&s.reuse.most_reused, lang));
            out.push(Row::Blank);
            let share = bound_share(s).unwrap_or_else(|| lang.pick("没有字段", "no fields").into());
            out.push(Row::Text(lang.pick(
                format!(
                    "从未使用的数据元 {} 个；字段绑定率 {share}",
                    s.reuse.never_used
                ),
                format!(
                    "elements never used: {}; fields bound: {share}",
                    s.reuse.never_used
                ),
            )));
            out.push(Row::Blank);
            out.push(Row::Heading(
                lang.pick("未绑定字段（按部门）", "Unbound fields by agency")
                    .into(),
            ));
            out.extend(counted(&s.reuse.unbound_by_agency, lang));
            out
        }
        Section::Bundles => {
            if s.bundle_reduction.is_empty() {
                return vec![Row::Text(lang.pick("（没有主题）", "(no bundles)").into())];
            }
            let max = s
                .bundle_reduction
                .iter()
                .flat_map(|b| [b.typical.fields_before, b.worst.fields_before])
                .max()
                .unwrap_or(0);
            let mut out = Vec::new();
            for b in &s.bundle_reduction {
                if !out.is_empty() {
                    out.push(Row::Blank);
                }
                out.push(Row::Heading(lang.pick(
                    format!("{} {}（{} 种情形）", b.code, b.name, b.answer_sets),
                    format!("{} {} ({} answer sets)", b.code, b.name, b.answer_sets),
                )));
                out.push(Row::Reduction {
                    tag: lang.pick("常见", "typical"),
                    r: b.typical.clone(),
                    max,
                });
                out.push(Row::Reduction {
                    tag: lang.pick("最多", "worst"),
                    r: b.worst.clone(),
                    max,
                });
            }
            out
        }
    }
}

/// The lines of a section drawn `w` columns wide: a row that does not fit on one line (a
/// long heading, a bundle's figures beside their bar) takes more than one.
fn body_lines(
    s: &Stats,
    section: Section,
    w: usize,
    ascii: bool,
    theme: &Theme,
    lang: Lang,
) -> Vec<Line<'static>> {
    rows(s, section, lang)
        .iter()
        .flat_map(|row| row_lines(row, w, ascii, theme, lang))
        .collect()
}

/// The body's inner width and height on a screen of `size`, as [`draw`] lays it out.
fn body_size(size: (u16, u16)) -> (usize, usize) {
    let main = crate::tui::view::areas(Rect::new(0, 0, size.0, size.1)).main;
    let menu = if main.width >= MENU_FROM {
        MENU_WIDTH
    } else {
        0
    };
    (
        usize::from(main.width.saturating_sub(menu).saturating_sub(2)),
        usize::from(main.height.saturating_sub(2)),
    )
}

/// The default export file: beside the store directory.
fn default_export(store_path: &Path) -> PathBuf {
    store_path
        .parent()
        .unwrap_or(store_path)
        .join("yibiao-stats.xlsx")
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // the temporary file is only ours; a failure to remove it changes nothing
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl App {
    /// Starts reading the statistics on a worker thread: those cached beside the store, else
    /// counted from the catalog (a newer start drops the older result). Before the catalog is
    /// loaded, those cached beside the store, at once.
    pub(crate) fn stats_start(&mut self) {
        self.stats.generation += 1;
        let generation = self.stats.generation;
        if let Some(cached) = self.loading.as_ref().and_then(Loading::stats_on_demand) {
            let stats = Box::new(cached.clone());
            self.stats_event(StatsEvent {
                generation,
                stats,
                cacheable_at: None,
            });
            return;
        }
        let Some(store) = self.store() else {
            self.stats_count_on_demand(generation);
            return;
        };
        // the catalog shared, not copied: a copy of a million-element catalog took seconds
        // on this thread and left half a gigabyte with the allocator
        let snapshot = store.snapshot();
        self.stats.computing = true;
        self.spawn_job(move || {
            let read = snapshot.stats();
            AppEvent::Stats(StatsEvent {
                generation,
                stats: Box::new(read.data),
                cacheable_at: read.cacheable_at,
            })
        });
    }

    /// Before the catalog is loaded, with no statistics cached: counts them from the open
    /// store's records on a worker (see `store::stats_count`; about 2.5 s at a million
    /// elements), for the job `generation`.
    fn stats_count_on_demand(&mut self, generation: u64) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (Some(reader), Some(outline)) = (
            loading.unloaded().map(crate::store::UnloadedStore::reader),
            loading.outline.clone(),
        ) else {
            return;
        };
        if !loading.stats_countable() {
            return;
        }
        let links = loading.shared_element_links();
        let at = loading.near_writes;
        self.make_room_for_count();
        self.stats.computing = true;
        self.spawn_job(move || {
            let links = links.ok_or_else(|| "links.idx".to_string());
            let counted = links.and_then(|links| {
                reader
                    .count_stats(&outline, &links)
                    .map_err(|e| e.to_string())
            });
            AppEvent::StatsCounted {
                generation,
                at,
                counted: counted.map(Box::new),
            }
        });
    }

    /// Statistics a worker counted from the open store's records (see
    /// [`App::stats_count_on_demand`]), or why it could not: shown and cached when the store
    /// was not written meanwhile, else counted again.
    pub(crate) fn stats_counted(
        &mut self,
        generation: u64,
        at: u64,
        counted: Result<Box<Stats>, String>,
    ) {
        let Some(loading) = self.loading.as_mut() else {
            // the catalog came meanwhile: counted from it
            self.stats.computing = false;
            if generation == self.stats.generation && self.pane == crate::tui::app::Pane::Stats {
                self.stats_start();
            }
            return;
        };
        match counted {
            Ok(stats) => {
                if !loading.stats_counted(&stats, at) {
                    // written meanwhile: counted again
                    self.stats.computing = false;
                    if generation == self.stats.generation
                        && self.pane == crate::tui::app::Pane::Stats
                    {
                        self.stats_start();
                    }
                    return;
                }
                self.stats_event(StatsEvent {
                    generation,
                    stats,
                    cacheable_at: None,
                });
            }
            Err(text) => {
                self.stats.computing = false;
                self.say(Level::Error, crate::display::inert(&text).into_owned());
            }
        }
    }

    /// A finished statistics job. Figures counted from the catalog are cached beside the
    /// store if it has not been written since, for the next visit and the next `stats`.
    pub(crate) fn stats_event(&mut self, event: StatsEvent) {
        if event.generation != self.stats.generation {
            return;
        }
        if let (Some(at), Some(store)) = (event.cacheable_at, self.store.as_deref_mut()) {
            store.save_stats(&event.stats, at);
        }
        self.stats.stats = Some(*event.stats);
        self.stats.computing = false;
        self.stats.scroll = self
            .stats
            .scroll
            .min(self.stats_lines().saturating_sub(self.stats_page()));
        self.dirty = true;
    }

    fn stats_page(&self) -> usize {
        body_size(self.size).1.max(1)
    }

    /// How many lines the section shown takes at the present width (for scrolling).
    fn stats_lines(&self) -> usize {
        let (w, _) = body_size(self.size);
        self.stats.stats.as_ref().map_or(0, |s| {
            body_lines(
                s,
                self.stats.section,
                w,
                self.config.ascii,
                &self.config.theme,
                self.lang,
            )
            .len()
        })
    }

    /// Performs an action while pane 5 shows (its own, list moves, back); returns whether it
    /// was taken.
    pub(crate) fn stats_update(&mut self, action: Action) -> bool {
        let lang = self.lang;
        let page = self.stats_page();
        // the last page stays full: no scrolling past the end
        let last = self.stats_lines().saturating_sub(page);
        let p = &mut self.stats;
        match action {
            Action::StatsNextSection | Action::StatsPrevSection => {
                p.section = p.section.step(action == Action::StatsNextSection);
                p.scroll = 0;
            }
            Action::StatsRefresh => self.stats_start(),
            Action::StatsExport => {
                if p.stats.is_none() {
                    let text = lang.pick("统计尚在计算，请稍候", "still computing; a moment");
                    self.say(Level::Warn, text.into());
                    return true;
                }
                let dir = match (
                    self.store(),
                    self.loading.as_ref().and_then(Loading::unloaded),
                ) {
                    (Some(store), _) => store.path(),
                    (None, Some(unloaded)) => unloaded.path(),
                    (None, None) => return true,
                };
                let path = default_export(dir).display().to_string();
                self.stats.prompt = Some(ExportPrompt {
                    input: Input::new(path),
                    error: None,
                });
            }
            Action::SelectNext => p.scroll = (p.scroll + 1).min(last),
            Action::SelectPrev => p.scroll = p.scroll.saturating_sub(1),
            Action::PageDown => p.scroll = (p.scroll + page).min(last),
            Action::PageUp => p.scroll = p.scroll.saturating_sub(page),
            Action::SelectFirst => p.scroll = 0,
            Action::SelectLast => p.scroll = last,
            // back goes to the top; it is never handed on (it would clear pane 1's filter)
            Action::Back => p.scroll = 0,
            _ => return false,
        }
        true
    }

    /// A key while the export prompt is open: Enter writes, Esc cancels, anything else edits.
    pub(crate) fn stats_prompt_key(&mut self, event: KeyEvent) {
        let Some(prompt) = &mut self.stats.prompt else {
            return;
        };
        match event.code {
            KeyCode::Esc => self.stats.prompt = None,
            KeyCode::Enter => {
                let text = prompt.input.value().trim().to_string();
                match self.stats_export(&text) {
                    Ok(message) => {
                        self.stats.prompt = None;
                        self.say(Level::Ok, message);
                    }
                    Err(error) => {
                        if let Some(p) = &mut self.stats.prompt {
                            p.error = Some(error);
                        }
                    }
                }
            }
            _ => {
                prompt.input.handle_event(&Event::Key(event));
                prompt.error = None;
            }
        }
    }

    /// Pasted text goes into the export prompt (one line: [`crate::tui::text::paste_line`]).
    pub(crate) fn stats_paste(&mut self, text: &str) {
        if let Some(p) = &mut self.stats.prompt {
            crate::tui::text::paste_into(&mut p.input, text);
        }
    }

    /// Writes every table to `path` (an `.xlsx` file); the message names the file.
    fn stats_export(&self, path: &str) -> Result<String, String> {
        let lang = self.lang;
        let Some(s) = &self.stats.stats else {
            return Err(lang.pick("统计尚在计算", "still computing").into());
        };
        if path.is_empty() {
            return Err(lang.pick("请输入文件路径", "type a file path").into());
        }
        let path = PathBuf::from(path);
        if !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        {
            return Err(lang
                .pick(
                    "须为 .xlsx 文件（CSV 请用 yibiao stats --export DIR/）",
                    "must be a .xlsx file (for CSV: yibiao stats --export DIR/)",
                )
                .into());
        }
        let tables = crate::io::report::tables(s, lang);
        let bytes = crate::io::report::xlsx(&tables, lang).map_err(|e| inert(&e).into_owned())?;
        write_atomically(&path, &bytes)
            .map_err(|e| inert(&format!("{}: {e}", path.display())).into_owned())?;
        let shown = inert(&path.display().to_string()).into_owned();
        Ok(lang.pick(
            format!("已导出 {} 张统计表到 {shown}", tables.len()),
            format!("wrote {} tables to {shown}", tables.len()),
        ))
    }
}

/// Draws pane 5 into `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let pane = &app.stats;
    let (menu, body) = if area.width >= MENU_FROM {
        let [m, b] =
            Layout::horizontal([Constraint::Length(MENU_WIDTH), Constraint::Min(0)]).areas(area);
        (Some(m), b)
    } else {
        (None, area)
    };
    if let Some(menu) = menu {
        draw_menu(frame, app, menu);
    }
    draw_body(frame, app, body);
    if let Some(prompt) = &pane.prompt {
        draw_prompt(frame, app, prompt, area);
    }
}

fn draw_menu(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let b = block(app, format!(" {} ", lang.pick("统计", "Statistics")), false);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let w = usize::from(inner.width);
    let lines: Vec<Line> = Section::ALL
        .iter()
        .map(|s| {
            let selected = *s == app.stats.section;
            let marker = match (selected, app.config.ascii) {
                (false, _) => " ",
                (true, false) => "▸",
                (true, true) => ">",
            };
            let text = pad(
                &fit(&format!("{marker}{}", s.title(lang)), w, app.config.ascii),
                w,
            );
            if selected {
                Line::from(Span::styled(text, theme.get(Slot::Selection)))
            } else {
                Line::from(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_body(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let pane = &app.stats;
    let inner = block(app, String::new(), true).inner(area);
    let (w, h) = (usize::from(inner.width), usize::from(inner.height));
    let lines = match &pane.stats {
        Some(s) if w > 0 => body_lines(s, pane.section, w, app.config.ascii, theme, lang),
        _ => Vec::new(),
    };
    // (a terminal grown taller since the last scroll shows a full last page too)
    let scroll = pane.scroll.min(lines.len().saturating_sub(h));
    let below = lines.len().saturating_sub(scroll + h);
    let mut title = format!(" {} ", pane.section.title(lang));
    if pane.computing {
        title.push_str(lang.pick("（计算中…） ", "(computing…) "));
    }
    // a section longer than the body says so, and how it scrolls
    let more = crate::tui::view::more_rows(scroll, below, app.config.ascii);
    let mut hints = Vec::new();
    if !more.is_empty() {
        title.push_str(&format!("{more} "));
        let keys = format!(
            "{}/{}",
            key_of(app, Action::SelectNext),
            key_of(app, Action::SelectPrev)
        );
        hints.push(Hint::new(keys, lang.pick("滚动", "scroll")));
    }
    hints.push(
        Hint::new(
            key_of(app, Action::StatsNextSection),
            lang.pick("下一部分", "next section"),
        )
        .short(lang.pick("下一部分", "next")),
    );
    hints.push(Hint::new(
        key_of(app, Action::StatsExport),
        lang.pick("导出", "export"),
    ));
    hints.push(
        Hint::new(
            key_of(app, Action::StatsRefresh),
            lang.pick("重算", "recompute"),
        )
        .rank(1),
    );
    let hint = border_hints(&hints, area.width);
    let b = block(app, title, true).title_bottom(Span::styled(hint, theme.get(Slot::Dim)));
    frame.render_widget(b, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if pane.stats.is_none() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                lang.pick("正在计算统计…", "computing the statistics…"),
                theme.get(Slot::Dim),
            )),
            inner,
        );
        return;
    }
    let lines: Vec<Line> = lines.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The pane is this wide or wider: the section menu shows on the left.
const MENU_FROM: u16 = 60;
/// The section menu's width.
const MENU_WIDTH: u16 = 20;
/// A bundle's figures share their line with a bar of at least this many columns; with less
/// room the bar goes on a line of its own.
const MIN_BAR: usize = 10;

/// `n` of `max` as a bar of at most `room` columns (at least one column when `n > 0`).
fn bar_len(n: usize, max: usize, room: usize) -> usize {
    if max == 0 {
        0
    } else {
        (n * room).div_ceil(max).min(room)
    }
}

fn row_lines(row: &Row, w: usize, ascii: bool, theme: &Theme, lang: Lang) -> Vec<Line<'static>> {
    let glyph = if ascii { "#" } else { "█" };
    // a heading or a note too long for the line goes on under itself
    let wrapped = |text: &str, slot: Slot| -> Vec<Line<'static>> {
        crate::tui::text::wrap_columns(&inert(text), w)
            .into_iter()
            .map(|piece| Line::from(Span::styled(fit(&piece, w, ascii), theme.get(slot))))
            .collect()
    };
    match row {
        Row::Heading(text) => wrapped(text, Slot::Group),
        Row::Text(text) => wrapped(text, Slot::Dim),
        Row::Blank => vec![Line::default()],
        Row::Bar {
            label,
            count,
            max,
            note,
        } => {
            // (half the width in a narrow body: a label matters more than a long bar)
            let label_w = 26.min(w / 2);
            let num = format!("{count:>7} ");
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" {note}")
            };
            let room = w.saturating_sub(label_w + width(&num) + width(&note) + 1);
            // a label longer than its column (an agency's full name) gets lines of its own
            // above the figures, so that it is read whole
            let label = format!("  {}", inert(label));
            let (mut out, label) = if width(&label) > label_w {
                let above = vec![Line::from(Span::styled(label, theme.get(Slot::Label)))];
                let above =
                    crate::tui::text::wrap_lines(&above, u16::try_from(w).unwrap_or(u16::MAX));
                let above = above.into_iter().map(|l| clip(l.spans, w)).collect();
                (above, " ".repeat(label_w))
            } else {
                (Vec::new(), pad(&label, label_w))
            };
            let mut spans = vec![
                Span::styled(label, theme.get(Slot::Label)),
                Span::raw(num),
                Span::styled(
                    glyph.repeat(bar_len(*count, *max, room)),
                    theme.get(Slot::Sub),
                ),
            ];
            if !note.is_empty() {
                spans.push(Span::styled(note, theme.get(Slot::Dim)));
            }
            out.push(clip(spans, w));
            out
        }
        Row::Reduction { tag, r, max } => reduction_lines(tag, r, *max, w, ascii, theme, lang),
    }
}

/// A bundle's answer set: its figures and a bar, on one line when they fit beside a bar of
/// [`MIN_BAR`] columns; else the figures (on as many lines as they need, each part whole)
/// and the bar on a line of its own below them, so that no figure is ever cut off.
fn reduction_lines(
    tag: &str,
    r: &Reduction,
    max: usize,
    w: usize,
    ascii: bool,
    theme: &Theme,
    lang: Lang,
) -> Vec<Line<'static>> {
    let arrow = if ascii { "->" } else { "→" };
    let saved = percent(
        r.fields_before.saturating_sub(r.fields_after),
        r.fields_before,
    );
    let fields = format!(
        "{} {:>4}{arrow}{:<4} -{:<6}",
        lang.pick("字段", "fields"),
        r.fields_before,
        r.fields_after,
        saved
    );
    let materials = format!(
        "{} {:>3}{arrow}{:<3}",
        lang.pick("材料", "materials"),
        r.materials_before,
        r.materials_after
    );
    let days = format!(
        "{} {:>3}{arrow}{:<3}",
        lang.pick("时限", "days"),
        r.days_before,
        r.days_after
    );
    let (kept, dropped) = if ascii { ("#", "-") } else { ("█", "░") };
    let bar = |room: usize| {
        let before = bar_len(r.fields_before, max, room);
        let after = bar_len(r.fields_after, max, room).min(before);
        vec![
            Span::styled(kept.repeat(after), theme.get(Slot::Sub)),
            Span::styled(dropped.repeat(before - after), theme.get(Slot::Dim)),
        ]
    };
    let figures = format!("  {} {fields} {materials} {days} ", pad(tag, 8));
    if width(&figures) + MIN_BAR <= w {
        let room = w - width(&figures);
        let mut spans = vec![Span::styled(figures, theme.get(Slot::Label))];
        spans.extend(bar(room));
        return vec![clip(spans, w)];
    }
    // narrower: the tags padded only as far as the longest, the parts flowed onto lines
    let tag_w = lang.pick(4, 7);
    let indent = "    ";
    let mut texts = vec![format!("  {} {fields}", pad(tag, tag_w))];
    for part in [materials, days] {
        let last = texts
            .last_mut()
            .filter(|t| width(t) + 1 + width(&part) <= w);
        match last {
            Some(t) => {
                t.push(' ');
                t.push_str(&part);
            }
            None => texts.push(format!("{indent}{part}")),
        }
    }
    // the bar after the last part when that is a line of its own with room for one, else
    // on a line of its own
    let last = texts.last().map_or(0, |t| width(t));
    let beside = texts.len() > 1 && last + 2 + MIN_BAR <= w;
    let mut out: Vec<Line<'static>> = texts
        .into_iter()
        .map(|t| Line::from(Span::styled(t, theme.get(Slot::Label))))
        .collect();
    if beside {
        if let Some(line) = out.last_mut() {
            line.spans.push(Span::raw("  "));
            line.spans.extend(bar(w - last - 2));
        }
    } else if w > width(indent) {
        let mut spans = vec![Span::raw(indent)];
        spans.extend(bar(w - width(indent)));
        out.push(Line::from(spans));
    }
    out.into_iter().map(|l| clip(l.spans, w)).collect()
}

/// Spans cut to `w` columns.
fn clip(spans: Vec<Span<'static>>, w: usize) -> Line<'static> {
    let mut used = 0;
    let mut out = Vec::new();
    for span in spans {
        let sw = width(&span.content);
        if used + sw <= w {
            used += sw;
            out.push(span);
        } else {
            let cut = crate::display::truncate(&span.content, w - used).into_owned();
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    Line::from(out)
}

fn draw_prompt(frame: &mut Frame<'_>, app: &App, prompt: &ExportPrompt, area: Rect) {
    let title = app.lang.pick(
        " 导出全部统计表到 XLSX (Enter / Esc) ",
        " export every table to XLSX (Enter / Esc) ",
    );
    crate::tui::view::draw_input_prompt(
        frame,
        app,
        title,
        &prompt.input,
        prompt.error.as_deref(),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stats;

    #[test]
    fn one_unbound_field_of_3799_is_not_shown_as_all_bound() {
        let s = Stats {
            fields: 3799,
            unbound_fields: 1,
            ..Stats::default()
        };
        let notes: Vec<String> = rows(&s, Section::Overview, Lang::Zh)
            .into_iter()
            .filter_map(|r| match r {
                Row::Bar { note, .. } => Some(note),
                _ => None,
            })
            .collect();
        // after the record counts: bound, unbound, all
        assert!(
            notes.ends_with(&["99.97%".into(), "0.03%".into(), String::new()]),
            "{notes:?}"
        );
        let texts: Vec<String> = rows(&s, Section::Reuse, Lang::Zh)
            .into_iter()
            .filter_map(|r| match r {
                Row::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        assert!(
            texts.iter().any(|t| t.ends_with("字段绑定率 99.97%")),
            "{texts:?}"
        );
    }

    #[test]
    fn every_section_has_rows_on_the_sample() {
        let s = stats::stats(&crate::sample::generate(1));
        for section in Section::ALL {
            for lang in [Lang::Zh, Lang::En] {
                assert!(!rows(&s, section, lang).is_empty(), "{section:?}");
            }
        }
        assert_eq!(Section::Bundles.step(true), Section::Overview);
        assert_eq!(Section::Overview.step(false), Section::Bundles);
    }

    #[test]
    fn a_bundles_figures_are_never_cut_however_narrow_the_body() {
        let s = stats::stats(&crate::sample::generate(1));
        let theme = Theme::load(
            &crate::tui::config::Source {
                file: "t".into(),
                text: String::new(),
            },
            None,
            &mut Vec::new(),
        );
        let b = &s.bundle_reduction[0];
        for lang in [Lang::Zh, Lang::En] {
            let days = format!(
                "{} {:>3}→{:<3}",
                lang.pick("时限", "days"),
                b.typical.days_before,
                b.typical.days_after
            );
            for w in [40, 58, 60, 70, 98] {
                let row = Row::Reduction {
                    tag: lang.pick("常见", "typical"),
                    r: b.typical.clone(),
                    max: 100,
                };
                let lines = row_lines(&row, w, false, &theme, lang);
                let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
                assert!(lines.iter().all(|l| l.width() <= w), "{w}: {text:?}");
                assert!(text.iter().any(|l| l.contains(&days)), "{w}: {text:?}");
                assert!(text.iter().all(|l| !l.contains('…')), "{w}: {text:?}");
                assert!(text.iter().any(|l| l.contains('█')), "{w}: {text:?}");
            }
            // wide enough: figures and bar on one line, as before
            let row = Row::Reduction {
                tag: lang.pick("常见", "typical"),
                r: b.typical.clone(),
                max: 100,
            };
            assert_eq!(row_lines(&row, 98, false, &theme, lang).len(), 1);
        }
    }

    #[test]
    fn bars_are_width_aware() {
        assert_eq!(bar_len(0, 10, 20), 0);
        assert_eq!(bar_len(1, 1000, 20), 1);
        assert_eq!(bar_len(10, 10, 20), 20);
        assert_eq!(bar_len(5, 0, 20), 0);
        let theme = Theme::load(
            &crate::tui::config::Source {
                file: "t".into(),
                text: String::new(),
            },
            None,
            &mut Vec::new(),
        );
        let row = Row::Bar {
            label: "广安市广安区行政审批局".into(),
            count: 33,
            max: 33,
            note: "99.8%".into(),
        };
        for w in [0, 1, 5, 30, 80] {
            for line in row_lines(&row, w, false, &theme, Lang::Zh) {
                assert!(line.width() <= w, "{w}: {line:?}");
            }
        }
    }
}
