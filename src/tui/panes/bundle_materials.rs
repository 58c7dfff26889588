//! Pane 4's materials editor: the material rows of one item of the open bundle, general
//! (通用, always asked for) or special (特殊, under a condition). `w` (or `enter`) edits the
//! selected row's condition in place, `a` adds a row, `d` removes one; each change is one
//! transaction through `engine::bundle_edit` and the preview recomputes. The item's own
//! materials are listed too (they always apply) but belong to the item, edited in pane 1.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::action::Action;
use super::super::app::{App, Level};
use super::super::text::fit;
use super::super::theme::Slot;
use super::super::view::{centered, key_of};
use super::bundles::{BundlesPane, PromptKind, Say, movement, say};
use super::merge_view::fitted_popup;
use crate::display::{inert, pad, width};
use crate::engine::bundle_edit::{self, BundleEdit, MaterialRow};
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog};

/// The open materials editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaterialsEditor {
    /// The item whose rows are listed.
    pub item: String,
    /// The selected row.
    pub selected: usize,
}

/// The rows the editor lists for `item` of `bundle`.
fn rows(catalog: &Catalog, bundle: Option<&Bundle>, item: &str) -> Vec<MaterialRow> {
    bundle.map_or_else(Vec::new, |b| bundle_edit::material_rows(catalog, b, item))
}

/// The name of an item (its code when it is gone).
pub(super) fn item_name<'c>(catalog: &'c Catalog, code: &'c str) -> &'c str {
    catalog.items.get(code).map_or(code, |i| i.name.as_str())
}

impl BundlesPane {
    /// Opens the editor on `item`.
    pub(super) fn open_materials(&mut self, item: String) {
        self.materials = Some(MaterialsEditor { item, selected: 0 });
    }

    /// An action while the editor is open.
    pub(super) fn materials_action(
        &mut self,
        action: Action,
        store: &mut dyn super::bundles::BundleStore,
        lang: Lang,
        page: usize,
    ) -> Say {
        let code = self.work.as_ref()?.code.clone();
        let catalog = store.catalog();
        let bundle = catalog.bundles.get(code.as_str());
        let editor = self.materials.as_mut()?;
        let rows = rows(catalog, bundle, &editor.item);
        if let Some(step) = movement(action, page) {
            editor.selected = step.apply(editor.selected, rows.len());
            return None;
        }
        let own = || {
            say(
                Level::Info,
                lang.pick(
                    "事项自带的材料总是需要，请在事项目录（窗格 1）中编辑",
                    "the item's own materials always apply; edit them with the item (pane 1)",
                )
                .into(),
            )
        };
        match action {
            Action::Back => self.materials = None,
            Action::BundleAdd => {
                let item = editor.item.clone();
                self.open_prompt(PromptKind::Material(item), String::new());
            }
            Action::BundleCondition | Action::BundleOpen | Action::MergeToggle => {
                let row = rows.get(editor.selected)?;
                if row.own {
                    return own();
                }
                let kind = PromptKind::MaterialCondition {
                    item: editor.item.clone(),
                    material: row.material.clone(),
                };
                self.open_prompt(kind, bundle_edit::when_text(row.when.as_ref()));
            }
            Action::BundleRemove => {
                let row = rows.get(editor.selected)?;
                if row.own {
                    return own();
                }
                let mut bundle = bundle?.clone();
                let text = format!("-{}", row.material);
                let item = editor.item.clone();
                if let Err(e) = bundle_edit::edit_material(&mut bundle, &item, &text, lang) {
                    return say(Level::Warn, e.0);
                }
                let removed = inert(&row.material).into_owned();
                if let Err(m) = self.save(
                    store,
                    bundle,
                    BundleEdit::RemoveMaterial.audit_action(),
                    lang,
                ) {
                    return Some(m);
                }
                return say(
                    Level::Ok,
                    lang.pick(
                        format!("已删除材料 {removed}"),
                        format!("material {removed} removed"),
                    ),
                );
            }
            _ => {}
        }
        None
    }

    /// Keeps the editor's selection on a row after the bundle changed.
    pub(super) fn clamp_materials(&mut self, catalog: &Catalog) {
        let bundle = self
            .work
            .as_ref()
            .and_then(|w| catalog.bundles.get(w.code.as_str()));
        if let Some(editor) = &mut self.materials {
            let n = rows(catalog, bundle, &editor.item).len();
            editor.selected = editor.selected.min(n.saturating_sub(1));
        }
    }
}

/// Draws the editor over the workspace.
pub fn draw(frame: &mut Frame<'_>, app: &App, catalog: &Catalog, editor: &MaterialsEditor) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let bundle = app
        .bundles
        .work
        .as_ref()
        .and_then(|w| catalog.bundles.get(w.code.as_str()));
    let rows = rows(catalog, bundle, &editor.item);
    let screen = frame.area();
    let h = (rows.len() as u16 + 4).max(6);
    let area = centered(
        screen,
        screen.width.saturating_sub(4).min(100),
        h.min(screen.height.saturating_sub(2)),
    );
    if area.width < 8 || area.height < 4 {
        return;
    }
    let title = lang.pick(
        format!(" 材料：{} ", item_name(catalog, &editor.item)),
        format!(" Materials of {} ", item_name(catalog, &editor.item)),
    );
    let inner = fitted_popup(frame, app, area, &title);
    let iw = usize::from(inner.width);
    if inner.height < 3 || iw < 4 {
        return;
    }
    let hint = bundle.map(bundle_edit::condition_hint).unwrap_or_default();
    let head = lang.pick(
        format!("通用 = 总是需要；特殊 = 满足条件时需要（{hint}）"),
        format!("通用 general = always; 特殊 special = under a condition ({hint})"),
    );
    let mut lines = vec![Line::from(Span::styled(
        fit(&head, iw, ascii),
        theme.get(Slot::Dim),
    ))];
    let list_h = usize::from(inner.height).saturating_sub(2);
    let start = (editor.selected + 1).saturating_sub(list_h.max(1));
    for (i, row) in rows.iter().enumerate().skip(start).take(list_h) {
        let (kind, slot) = match &row.when {
            None => (lang.pick("通用", "通用 general"), Slot::Text),
            Some(_) => (lang.pick("特殊", "特殊 special"), Slot::Key),
        };
        let shadowed = !row.own && rows.iter().any(|r| r.own && r.material == row.material);
        let source = if row.own {
            lang.pick("事项自带", "the item's")
        } else if shadowed {
            // the item asks for it anyway: this row's condition changes nothing
            lang.pick("主题=自带", "bundle=item's")
        } else {
            lang.pick("主题", "bundle")
        };
        let name = catalog
            .materials
            .get(row.material.as_str())
            .map_or("?", |m| m.name.as_str());
        let when = bundle_edit::when_text(row.when.as_ref());
        let kind_w = width(kind).max(4);
        let code = fit(&row.material, 10, ascii);
        let tail_w = 12;
        let when_w = (iw / 3).min(width(&when));
        let room = iw.saturating_sub(kind_w + 1 + width(&code) + 1 + 1 + when_w + 1 + tail_w);
        let spans = vec![
            Span::styled(format!("{} ", pad(kind, kind_w)), theme.get(slot)),
            Span::styled(format!("{code} "), theme.get(Slot::Dim)),
            Span::raw(pad(&fit(name, room, ascii), room)),
            Span::raw(" "),
            Span::styled(
                pad(&fit(&when, when_w, ascii), when_w),
                theme.get(Slot::Key),
            ),
            Span::raw(" "),
            Span::styled(
                pad(&fit(source, tail_w, ascii), tail_w),
                theme.get(Slot::Dim),
            ),
        ];
        let mut line = Line::from(spans);
        if i == editor.selected {
            line = line.style(theme.get(Slot::Selection));
        }
        lines.push(line);
    }
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            lang.pick("（没有材料：a 新增）", "(no materials: a adds one)"),
            theme.get(Slot::Dim),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let keys = lang.pick(
        format!(
            "{} 新增  {} 修改条件  {} 删除  {} 关闭",
            key_of(app, Action::BundleAdd),
            key_of(app, Action::BundleCondition),
            key_of(app, Action::BundleRemove),
            key_of(app, Action::Back)
        ),
        format!(
            "{} adds  {} edits the condition  {} removes  {} closes",
            key_of(app, Action::BundleAdd),
            key_of(app, Action::BundleCondition),
            key_of(app, Action::BundleRemove),
            key_of(app, Action::Back)
        ),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(fit(&keys, iw, ascii), theme.get(Slot::Dim))),
        Rect::new(inner.x, inner.bottom() - 1, inner.width, 1),
    );
}
