//! Pane 4's lead-agency picker (`o`): choose the bundle's 牵头部门 among the agencies by a
//! fuzzy search over name, code and pinyin (`engine::item_search` over [`AgencyRow`]s, the
//! index state, job and query line of the item picker). `enter` sets the selected agency;
//! with nothing typed the first row clears the lead agency and the current one is selected.
//! An exact name or code typed before the index is ready is resolved by
//! [`bundle_edit::resolve_agency`].

use crate::tui::hints::{Hint, hint_line};
use crossterm::event::{Event, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::action::Action;
use super::super::app::{App, Level};
use super::super::text::fit;
use super::super::theme::Slot;
use super::super::view::key_of;
use super::bundle_picker::{move_selection, picker_popup};
use super::bundles::{BundlesPane, Say, StoreRef, say};
use crate::display::{inert, pad, width};
use crate::engine::bundle_edit::{self, BundleEdit};
use crate::engine::item_search::{self, AgencyRow, Found};
use crate::i18n::Lang;
use crate::model::Catalog;

/// The open lead-agency picker.
pub struct LeadPicker {
    /// The query.
    pub input: Input,
    /// The agencies matching it, best first (every agency when nothing is typed).
    pub found: Found<AgencyRow>,
    /// The highlighted row (the clear row first when it is offered).
    pub selected: usize,
    /// The bundle whose lead agency is chosen.
    pub bundle: String,
    /// Its lead agency when the picker opened.
    pub current: Option<String>,
    /// Why the last choice was refused.
    pub error: Option<String>,
}

/// What a row of the picker stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeadChoice {
    /// No lead agency.
    Clear,
    /// The agency with this code.
    Agency(String),
}

impl LeadPicker {
    /// Whether the first row clears the lead agency: nothing typed, and one is set.
    pub fn offers_clear(&self) -> bool {
        self.input.value().trim().is_empty() && self.current.is_some()
    }

    /// Rows listed.
    pub fn rows(&self) -> usize {
        self.found.hits.len() + usize::from(self.offers_clear())
    }

    /// What row `row` stands for.
    pub fn choice(&self, row: usize) -> Option<LeadChoice> {
        match (self.offers_clear(), row) {
            (true, 0) => Some(LeadChoice::Clear),
            (true, r) => self.hit_choice(r - 1),
            (false, r) => self.hit_choice(r),
        }
    }

    fn hit_choice(&self, i: usize) -> Option<LeadChoice> {
        self.found
            .hits
            .get(i)
            .map(|h| LeadChoice::Agency(h.row.code.clone()))
    }
}

impl BundlesPane {
    /// Opens the lead-agency picker for the open (or selected) bundle; asks for an index
    /// build when the agencies changed since the last one.
    pub(super) fn open_lead(&mut self, catalog: &Catalog, bundle: &str) {
        let current = catalog
            .bundles
            .get(bundle)
            .and_then(|b| b.lead_agency.clone());
        self.agencies
            .want_rows(item_search::agency_fingerprint(catalog), || {
                item_search::agency_rows(catalog)
            });
        self.lead = Some(LeadPicker {
            input: Input::default(),
            found: Found::default(),
            selected: 0,
            bundle: bundle.to_string(),
            current,
            error: None,
        });
        self.lead_research();
    }

    /// Runs the lead picker's query again; with nothing typed the current lead agency is
    /// selected.
    pub(super) fn lead_research(&mut self) {
        let Some(p) = &mut self.lead else {
            return;
        };
        let Some(found) = self.agencies.search(p.input.value(), usize::MAX) else {
            return;
        };
        p.found = found;
        p.selected = 0;
        if p.offers_clear()
            && let Some(i) = p
                .found
                .hits
                .iter()
                .position(|h| Some(&h.row.code) == p.current.as_ref())
        {
            p.selected = i + 1;
        }
    }

    /// A key while the lead picker is open; `action` is what the key means in the picker
    /// scope.
    pub(super) fn lead_key(
        &mut self,
        event: KeyEvent,
        action: Option<Action>,
        store: StoreRef<'_>,
        lang: Lang,
        page: usize,
    ) -> Say {
        let p = self.lead.as_mut()?;
        let rows = p.rows();
        if move_selection(&mut p.selected, action, rows, page) {
            return None;
        }
        match action {
            Some(Action::Back | Action::Quit) => self.lead = None,
            Some(Action::PickerChoose) => return self.choose_lead(store, lang),
            // marking is for the item picker: one lead agency
            Some(Action::PickerMark) => {}
            _ => {
                let before = p.input.value().to_string();
                p.input.handle_event(&Event::Key(event));
                if p.input.value() != before {
                    p.error = None;
                    self.lead_research();
                }
            }
        }
        None
    }

    /// Pasted text goes into the lead picker's query (one line).
    pub(super) fn lead_paste(&mut self, text: &str) {
        if let Some(p) = &mut self.lead {
            crate::tui::text::paste_into(&mut p.input, text);
            p.error = None;
            self.lead_research();
        }
    }

    /// Sets the chosen lead agency (the selected row, else the exact code or name typed)
    /// and closes the picker; a refusal keeps it open and says why.
    fn choose_lead(&mut self, store: StoreRef<'_>, lang: Lang) -> Say {
        let Some(store) = store else {
            return say(
                Level::Warn,
                lang.pick("请稍候：正在处理", "please wait: busy").into(),
            );
        };
        let p = self.lead.as_mut()?;
        let catalog = store.catalog();
        let code = match p.choice(p.selected) {
            Some(LeadChoice::Clear) => None,
            Some(LeadChoice::Agency(code)) => Some(code),
            None => match bundle_edit::resolve_agency(catalog, p.input.value(), lang) {
                Ok(code) => code,
                Err(e) => {
                    p.error = Some(e.0);
                    return None;
                }
            },
        };
        let Some(mut bundle) = catalog.bundles.get(p.bundle.as_str()).cloned() else {
            self.lead = None;
            return None;
        };
        let name = code.as_ref().map(|c| {
            catalog
                .agencies
                .get(c.as_str())
                .map_or(c.as_str(), |a| a.name.as_str())
                .to_string()
        });
        bundle.lead_agency = code;
        let shown = inert(&bundle.code).into_owned();
        match self.save(store, bundle, BundleEdit::Lead.audit_action(), lang) {
            Ok(changed) => {
                self.lead = None;
                let text = match (changed, name) {
                    (false, _) => lang.pick(
                        format!("没有修改 {shown}"),
                        format!("no changes to {shown}"),
                    ),
                    (true, Some(name)) => lang.pick(
                        format!("已将 {shown} 的牵头部门设为 {}", inert(&name)),
                        format!("lead agency of {shown} set to {}", inert(&name)),
                    ),
                    (true, None) => lang.pick(
                        format!("已清除 {shown} 的牵头部门"),
                        format!("lead agency of {shown} cleared"),
                    ),
                };
                say(if changed { Level::Ok } else { Level::Info }, text)
            }
            Err(m) => {
                if let Some(p) = &mut self.lead {
                    p.error = Some(m.text);
                }
                None
            }
        }
    }
}

/// Draws the lead-agency picker over the screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, p: &LeadPicker) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let named = catalog
        .bundles
        .get(p.bundle.as_str())
        .map_or(p.bundle.clone(), |b| format!("{} {}", b.code, b.name));
    let title = lang.pick(
        format!(" 牵头部门：{} ", inert(&named)),
        format!(" Lead agency of {} ", inert(&named)),
    );
    let state = &app.bundles.agencies;
    let status = if state.building && state.index.is_none() {
        lang.pick("正在建立索引…", "indexing…").to_string()
    } else {
        lang.pick(
            format!("{} 个实施主体", p.found.total),
            format!("{} agencies", p.found.total),
        )
    };
    let Some(inner) = picker_popup(frame, app, (100, 24), &title, &p.input, &status, 3) else {
        return;
    };
    let iw = usize::from(inner.width);
    // the rows, a line for a refusal, then the hint
    let list_h = usize::from(inner.height).saturating_sub(3).max(1);
    let start = (p.selected + 1).saturating_sub(list_h);
    let rows: Vec<(usize, Option<&AgencyRow>)> = (start..p.rows().min(start + list_h))
        .map(|r| {
            let hit = match (p.offers_clear(), r) {
                (true, 0) => None,
                (true, r) => p.found.hits.get(r - 1).map(|h| &h.row),
                (false, r) => p.found.hits.get(r).map(|h| &h.row),
            };
            (r, hit)
        })
        .collect();
    // columns: mark, name (as wide as the widest shown), region, then the code
    let room = iw.saturating_sub(4);
    let name_w = rows
        .iter()
        .filter_map(|(_, a)| a.map(|a| width(&inert(&a.name))))
        .max()
        .unwrap_or(0)
        .min(room);
    let region_w = room.saturating_sub(name_w + 1).min(12);
    let code_w = room.saturating_sub(name_w + 1 + region_w + 1);
    let mut lines = Vec::new();
    for (r, agency) in rows {
        let mut spans = match agency {
            None => vec![
                Span::styled("    ", theme.get(Slot::Dim)),
                Span::styled(
                    lang.pick("（清除牵头部门）", "(no lead agency: clear it)"),
                    theme.get(Slot::Label),
                ),
            ],
            Some(a) => {
                let current = p.current.as_deref() == Some(a.code.as_str());
                let mut spans = vec![
                    Span::styled(if current { " =  " } else { "    " }, theme.get(Slot::Key)),
                    Span::styled(
                        pad(&fit(&inert(&a.name), name_w, ascii), name_w),
                        theme.get(Slot::Text),
                    ),
                ];
                if region_w > 0 {
                    let region = a.region.as_deref().map_or("-".into(), inert);
                    spans.push(Span::styled(
                        format!(" {}", pad(&fit(&region, region_w, ascii), region_w)),
                        theme.get(Slot::Label),
                    ));
                }
                if code_w > 4 {
                    spans.push(Span::styled(
                        format!(" {}", fit(&inert(&a.code), code_w, ascii)),
                        theme.get(Slot::Dim),
                    ));
                }
                spans
            }
        };
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        spans.push(Span::raw(" ".repeat(iw.saturating_sub(used))));
        let mut line = Line::from(spans);
        if r == p.selected {
            line = line.style(theme.get(Slot::Selection));
        }
        lines.push(line);
    }
    if p.rows() == 0 && state.index.is_some() {
        lines.push(Line::from(Span::styled(
            lang.pick("没有匹配的实施主体", "no matching agencies"),
            theme.get(Slot::Dim),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y + 1, inner.width, list_h as u16),
    );
    if let Some(e) = &p.error {
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(&format!("! {}", inert(e)), iw, ascii),
                theme.get(Slot::Error),
            )),
            Rect::new(inner.x, inner.bottom() - 2, inner.width, 1),
        );
    }
    let hint = hint_line(
        &[
            Hint::new(
                key_of(app, Action::PickerChoose),
                lang.pick("选定", "chooses"),
            ),
            Hint::new(key_of(app, Action::Back), lang.pick("取消", "cancels")),
            Hint::text(lang.pick("名称 / 编码 / 拼音首字母", "name / code / pinyin initials"))
                .short(lang.pick("名称/编码/拼音", "name/code/pinyin"))
                .rank(2),
            Hint::text(lang.pick("= 当前牵头部门", "= the current lead"))
                .short(lang.pick("= 当前", "= current"))
                .rank(1),
        ],
        "  ",
        false,
        iw,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(hint, theme.get(Slot::Dim))),
        Rect::new(inner.x, inner.bottom() - 1, inner.width, 1),
    );
}
