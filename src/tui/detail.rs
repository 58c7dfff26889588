//! The detail of the selected node: every attribute of the record, and what it is tied to
//! (an item's forms, materials and bundles; who uses a material; a bundle's items).

use std::collections::BTreeSet;

use ratatui::text::{Line, Span};

use super::text::wrap_lines;
use super::theme::{Slot, Theme};
use crate::display::{inert, pad, width};
use crate::i18n::Lang;
use crate::model::{
    Bundle, Catalog, Item, Kind, Material, Outline, OutlineSource, RecordRef, SharedCode,
};

/// Width of the attribute-name column (English labels keep the Chinese term first).
fn label_width(lang: Lang) -> usize {
    lang.pick(14, 22)
}

struct Out<'t> {
    lines: Vec<Line<'static>>,
    theme: &'t Theme,
    lang: Lang,
    width: usize,
}

impl Out<'_> {
    fn title(&mut self, text: &str) {
        self.lines.push(Line::from(Span::styled(
            inert(text).into_owned(),
            self.theme.get(Slot::Title),
        )));
    }

    fn attr(&mut self, zh: &str, en: &str, value: &str) {
        let label = self.lang.pick(zh, en);
        let columns = label_width(self.lang);
        let label = if width(label) >= columns {
            format!("{label} ")
        } else {
            pad(label, columns)
        };
        let indent = width(&label);
        let columns = u16::try_from(self.width.saturating_sub(indent)).unwrap_or(u16::MAX);
        let text = self.theme.get(Slot::Text);
        // each line of a multi-line value (CRLF, LF or a lone CR) on lines of its own; other
        // control characters stay visible placeholders
        let value = if value.is_empty() { "-" } else { value };
        let value = value.replace("\r\n", "\n");
        let rows: Vec<Line<'static>> = value
            .split(['\n', '\r'])
            .flat_map(|row| {
                wrap_lines(
                    &[Line::from(Span::styled(inert(row).into_owned(), text))],
                    columns,
                )
            })
            .collect();
        for (i, row) in rows.into_iter().enumerate() {
            let head = if i == 0 {
                Span::styled(label.clone(), self.theme.get(Slot::Label))
            } else {
                Span::raw(" ".repeat(indent))
            };
            let mut spans = vec![head];
            spans.extend(row.spans);
            self.lines.push(Line::from(spans));
        }
    }

    fn section(&mut self, zh: &str, en: &str, count: usize) {
        self.lines.push(Line::default());
        let text = format!("{} ({count})", self.lang.pick(zh, en));
        self.lines
            .push(Line::from(Span::styled(text, self.theme.get(Slot::Group))));
    }

    fn entry(&mut self, code: &str, name: &str, note: &str) {
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(inert(code).into_owned(), self.theme.get(Slot::Dim)),
            Span::raw(" "),
            Span::styled(inert(name).into_owned(), self.theme.get(Slot::Text)),
        ];
        if !note.is_empty() {
            spans.push(Span::styled(format!("  {note}"), self.theme.get(Slot::Dim)));
        }
        self.lines.push(Line::from(spans));
    }

    fn none(&mut self) {
        let text = self.lang.pick("  （无）", "  (none)");
        self.lines
            .push(Line::from(Span::styled(text, self.theme.get(Slot::Dim))));
    }
}

/// `name (code)` of a referenced record, or the bare code when it is missing.
pub(crate) fn named(catalog: &Catalog, kind: Kind, code: &Option<impl AsRef<str>>) -> String {
    match code.as_ref().map(AsRef::as_ref) {
        Some(code) => match catalog.get(kind, code) {
            Some(r) => format!("{} ({code})", r.name()),
            None => code.to_string(),
        },
        None => String::new(),
    }
}

/// The lines describing a record, attribute values wrapped to `width` under their column.
pub fn lines(
    catalog: &Catalog,
    record: RecordRef<'_>,
    theme: &Theme,
    lang: Lang,
    width: usize,
) -> Vec<Line<'static>> {
    let mut out = Out {
        lines: Vec::new(),
        theme,
        lang,
        width,
    };
    match record {
        RecordRef::Item(i) => item(&mut out, catalog, i),
        RecordRef::Material(m) => {
            let users = |kind: Kind| -> Vec<(String, String)> {
                let codes: BTreeSet<SharedCode> = catalog
                    .referrers(Kind::Material, &m.code)
                    .filter(|r| r.kind == kind)
                    .map(|r| r.code)
                    .collect();
                let name = |code: &str| catalog.get(kind, code).map_or("", |r| r.name());
                let named = codes.iter().map(|c| (c.to_string(), name(c).to_string()));
                named.collect()
            };
            material(&mut out, catalog, m, &users);
        }
        RecordRef::Bundle(b) => bundle(&mut out, catalog, b),
        other => {
            out.title(other.name());
            out.attr("编码", "code", other.code());
        }
    }
    out.lines
}

/// [`lines`] wrapped to a panel `width` columns wide (no line runs into the border): the
/// lines a detail panel shows, and scrolls through.
pub fn panel_lines(
    catalog: &Catalog,
    record: RecordRef<'_>,
    theme: &Theme,
    lang: Lang,
    width: u16,
) -> Vec<Line<'static>> {
    let lines = lines(catalog, record, theme, lang, usize::from(width));
    wrap_lines(&lines, width)
}

/// How far a detail panel is scrolled, and whose detail that is: the detail of another
/// record (or group) starts at its top again, so no change of selection has to reset it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetailScroll {
    of: String,
    by: usize,
}

impl DetailScroll {
    /// The first line shown of `of`'s detail.
    pub fn offset(&self, of: &str) -> usize {
        if self.of == of { self.by } else { 0 }
    }

    /// Scrolls `of`'s detail of `lines` lines, in a panel `height` rows high, `by` lines
    /// (down when positive); it stops where the last line is on the last row.
    pub fn scroll(&mut self, of: &str, by: isize, lines: usize, height: usize) {
        let last = lines.saturating_sub(height);
        let at = self.offset(of).min(last);
        self.of = of.to_string();
        self.by = at.saturating_add_signed(by).min(last);
    }
}

/// What a detail panel `height` rows high shows of `lines` from line `offset` on (at most
/// so far that the last page is full): when lines are out of sight below, the last row
/// counts them, `more(hidden, first_hidden)` says how. Returns the rows and how many lines
/// are out of sight above.
pub fn window(
    mut lines: Vec<Line<'static>>,
    height: usize,
    offset: usize,
    more: impl FnOnce(usize, usize) -> Line<'static>,
) -> (Vec<Line<'static>>, usize) {
    let offset = offset.min(lines.len().saturating_sub(height));
    lines.drain(..offset);
    if lines.len() > height && height > 0 {
        let keep = height - 1;
        let hidden = lines.len() - keep;
        lines.truncate(keep);
        lines.push(more(hidden, offset + keep));
    }
    (lines, offset)
}

/// The last row of a detail with lines out of sight below: `… 还有 3 行` (`~` with `ascii`).
pub fn more_lines(hidden: usize, lang: Lang, ascii: bool, theme: &Theme) -> Line<'static> {
    let dots = if ascii { "~" } else { "…" };
    let text = format!(
        "{dots} {}",
        lang.count(
            hidden,
            format!("还有 {hidden} 行"),
            "more line",
            "more lines"
        )
    );
    Line::from(Span::styled(text, theme.get(Slot::Dim)))
}

/// The lines describing a group heading.
pub fn group_lines(name: &str, children: usize, theme: &Theme, lang: Lang) -> Vec<Line<'static>> {
    let mut out = Out {
        lines: Vec::new(),
        theme,
        lang,
        width: usize::MAX,
    };
    out.title(name);
    out.attr("下级", "children", &children.to_string());
    out.lines
}

/// `待审核 V0` (zh) or `submitted 待审核 V0` (en).
pub fn status_text(status: crate::model::Status, version: u32, lang: Lang) -> String {
    lang.pick(
        format!("{} V{version}", status.zh()),
        format!("{} {} V{version}", status.as_str(), status.zh()),
    )
}

fn item(out: &mut Out<'_>, catalog: &Catalog, i: &Item) {
    let lang = out.lang;
    out.title(&i.name);
    out.attr("编码", "code", &i.code);
    out.attr(
        "层级",
        "level",
        &lang.pick(
            i.level.zh().to_string(),
            format!("{} {}", i.level.as_str(), i.level.zh()),
        ),
    );
    out.attr(
        "上级事项",
        "上级事项 parent",
        &named(catalog, Kind::Item, &i.parent),
    );
    out.attr(
        "事项类型",
        "事项类型 type",
        &format!("{} {}", i.item_type.code(), i.item_type.zh()),
    );
    out.attr(
        "实施主体",
        "实施主体 agency",
        &named(catalog, Kind::Agency, &i.agency),
    );
    out.attr(
        "行政区划",
        "行政区划 region",
        &named(catalog, Kind::Region, &i.region),
    );
    out.attr("设定依据", "设定依据 basis", &i.basis);
    let days = |n: u32| {
        let plural = if n == 1 { "" } else { "s" };
        lang.pick(format!("{n} 个工作日"), format!("{n} working day{plural}"))
    };
    out.attr("承诺时限", "time limit", &days(i.time_limit_days));
    out.attr("法定时限", "legal limit", &days(i.legal_limit_days));
    out.attr("收费", "fee", &i.fee);
    out.attr("网办深度", "online depth", &i.online_depth.to_string());
    let deps: Vec<String> = i
        .depends_on
        .iter()
        .map(|d| named(catalog, Kind::Item, &Some(d)))
        .collect();
    out.attr("前置事项", "前置事项 depends on", &deps.join(", "));
    out.attr("状态", "status", &status_text(i.status, i.version, lang));
    let origin = match i.origin {
        crate::model::Origin::Claimed => lang.pick("认领", "claimed 认领"),
        crate::model::Origin::SelfBuilt => lang.pick("自建", "self-built 自建"),
    };
    out.attr("来源", "origin", origin);
    // 模板库: shown only for templates and entries claimed from one
    if i.template {
        out.attr(
            "模板",
            "template",
            lang.pick("是（模板库）", "yes (模板库)"),
        );
    }
    if i.template_of.is_some() {
        out.attr(
            "认领自模板",
            "claimed from",
            &named(catalog, Kind::Item, &i.template_of),
        );
    }
    let children = catalog
        .referrers(Kind::Item, &i.code)
        .filter(|r| r.kind == Kind::Item && r.path == "parent")
        .count();
    out.attr("下级事项", "children", &children.to_string());

    let forms: Vec<&crate::model::Form> = catalog
        .referrers(Kind::Item, &i.code)
        .filter(|r| r.kind == Kind::Form)
        .filter_map(|r| catalog.forms.get(r.code.as_str()))
        .collect();
    out.section("申请表", "申请表 forms", forms.len());
    if forms.is_empty() {
        out.none();
    }
    for f in &forms {
        let note = lang.pick(
            format!("{} 个字段", f.field_count()),
            format!("{} fields", f.field_count()),
        );
        out.entry(&f.code, &f.name, &note);
    }

    let mut materials: Vec<&str> = i.materials.iter().map(|s| s.as_str()).collect();
    for f in &forms {
        if let Some(m) = &f.material
            && !materials.contains(&m.as_str())
        {
            materials.push(m);
        }
    }
    out.section("申请材料", "材料 materials", materials.len());
    if materials.is_empty() {
        out.none();
    }
    for code in materials {
        match catalog.materials.get(code) {
            Some(m) => {
                let mut note = m.kind.zh().to_string();
                if m.shareable {
                    note.push_str(lang.pick(" 免提交", " 免提交 shareable"));
                }
                out.entry(code, &m.name, &note);
            }
            None => out.entry(code, lang.pick("（不存在）", "(missing)"), ""),
        }
    }

    let bundles: BTreeSet<SharedCode> = catalog
        .referrers(Kind::Item, &i.code)
        .filter(|r| r.kind == Kind::Bundle)
        .map(|r| r.code)
        .collect();
    out.section("所属主题", "主题 bundles using it", bundles.len());
    if bundles.is_empty() {
        out.none();
    }
    for code in bundles {
        let name = catalog
            .bundles
            .get(code.as_str())
            .map_or("", |b| b.name.as_str());
        out.entry(&code, name, "");
    }
}

/// The lines of a material's detail panel (see [`panel_lines`]) before the catalog is
/// loaded: `catalog` holds the material and what it references, and the records that use it
/// come from the `outline` (their codes and names), none of them read: the material most
/// items list is listed by a hundred thousand of them at a million elements.
pub fn material_panel_lines(
    catalog: &Catalog,
    m: &Material,
    outline: &Outline,
    theme: &Theme,
    lang: Lang,
    width: u16,
) -> Vec<Line<'static>> {
    let mut out = Out {
        lines: Vec::new(),
        theme,
        lang,
        width: usize::from(width),
    };
    let users = |kind: Kind| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = outline
            .referrers(Kind::Material, &m.code)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, code)| {
                let name = match kind {
                    Kind::Item => outline.item(code).map(|i| i.name),
                    Kind::Form => outline.form(code).map(|f| f.name),
                    _ => outline.bundle_name(code),
                };
                (code.to_string(), name.unwrap_or_default().to_string())
            })
            .collect();
        found.sort_unstable();
        found
    };
    material(&mut out, catalog, m, &users);
    wrap_lines(&out.lines, width)
}

/// A material's detail: its attributes, then the records of each kind that use it, as
/// `users` lists them (code and name, in code order).
fn material(
    out: &mut Out<'_>,
    catalog: &Catalog,
    m: &Material,
    users: &dyn Fn(Kind) -> Vec<(String, String)>,
) {
    let lang = out.lang;
    let yes = |b: bool| {
        if b {
            lang.pick("是", "yes")
        } else {
            lang.pick("否", "no")
        }
    };
    out.title(&m.name);
    out.attr("编码", "code", &m.code);
    out.attr("材料类型", "材料类型 kind", m.kind.zh());
    out.attr("来源渠道", "source", &m.source);
    out.attr(
        "发证部门",
        "发证部门 issuer",
        &named(catalog, Kind::Agency, &m.issuing_agency),
    );
    out.attr(
        "证照目录编码",
        "licence code",
        m.licence_code.as_deref().unwrap_or(""),
    );
    out.attr("免提交", "shareable", yes(m.shareable));
    out.attr("份数", "copies", &m.copies.to_string());
    out.attr("是否必要", "required", yes(m.required));
    let mut by_kind = |kind: Kind, zh: &str, en: &str| {
        let users = users(kind);
        out.section(zh, en, users.len());
        if users.is_empty() {
            out.none();
        }
        for (code, name) in users {
            out.entry(&code, &name, "");
        }
    };
    by_kind(Kind::Item, "使用它的事项", "事项 items using it");
    by_kind(Kind::Form, "对应申请表", "申请表 forms");
    by_kind(Kind::Bundle, "使用它的主题", "主题 bundles using it");
}

fn bundle(out: &mut Out<'_>, catalog: &Catalog, b: &Bundle) {
    let lang = out.lang;
    out.title(&b.name);
    out.attr("编码", "code", &b.code);
    out.attr(
        "牵头部门",
        "牵头部门 lead",
        &named(catalog, Kind::Agency, &b.lead_agency),
    );
    out.attr("状态", "status", &status_text(b.status, b.version, lang));
    out.attr("判断项", "判断项 questions", &b.questions.len().to_string());
    out.attr("材料", "materials", &b.materials.len().to_string());
    out.section("包含事项", "事项 items", b.items.len());
    if b.items.is_empty() {
        out.none();
    }
    for code in &b.items {
        let name = catalog
            .items
            .get(code.as_str())
            .map_or("", |i| i.name.as_str());
        let note = if b.item_when.contains_key(code) {
            lang.pick("按情形", "conditional")
        } else {
            ""
        };
        out.entry(code, name, note);
    }
    out.section("判断项", "判断项 questions", b.questions.len());
    for q in &b.questions {
        let options: Vec<&str> = q.options.iter().map(|o| o.text.as_str()).collect();
        out.entry(&q.key, &q.text, &inert(&options.join(" / ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_out_of_sight_are_counted_in_the_ui_language() {
        let theme = Theme::load(
            &crate::tui::config::Source {
                file: "t.toml".into(),
                text: String::new(),
            },
            None,
            &mut Vec::new(),
        );
        let more = |n, lang| more_lines(n, lang, false, &theme).to_string();
        assert_eq!(more(1, Lang::En), "… 1 more line");
        assert_eq!(more(3, Lang::En), "… 3 more lines");
        assert_eq!(more(1, Lang::Zh), "… 还有 1 行");
        assert_eq!(more(12, Lang::Zh), "… 还有 12 行");
        assert_eq!(
            more_lines(2, Lang::En, true, &theme).to_string(),
            "~ 2 more lines"
        );
    }

    fn numbered(n: usize) -> Vec<Line<'static>> {
        (0..n).map(|i| Line::raw(i.to_string())).collect()
    }

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_window_counts_what_is_below_and_stops_at_a_full_last_page() {
        let more = |n: usize, first: usize| Line::raw(format!("+{n}@{first}"));
        // everything fits: no count
        let (rows, above) = window(numbered(3), 5, 2, more);
        assert_eq!(
            (texts(&rows), above),
            (vec!["0".into(), "1".into(), "2".into()], 0)
        );
        // from the top: four lines and the count of the six below them
        let (rows, above) = window(numbered(10), 5, 0, more);
        assert_eq!(texts(&rows), ["0", "1", "2", "3", "+6@4"]);
        assert_eq!(above, 0);
        // scrolled: two above, the count from the first hidden line
        let (rows, above) = window(numbered(10), 5, 2, more);
        assert_eq!(texts(&rows), ["2", "3", "4", "5", "+4@6"]);
        assert_eq!(above, 2);
        // past the end: the last page, full, without a count
        let (rows, above) = window(numbered(10), 5, 99, more);
        assert_eq!(texts(&rows), ["5", "6", "7", "8", "9"]);
        assert_eq!(above, 5);
        // no room at all
        let (rows, _) = window(numbered(10), 0, 0, more);
        assert!(rows.len() <= 10);
    }

    #[test]
    fn a_scroll_belongs_to_one_detail_and_stays_in_its_lines() {
        let mut s = DetailScroll::default();
        s.scroll("a", 3, 10, 4);
        assert_eq!(s.offset("a"), 3);
        assert_eq!(s.offset("b"), 0, "another record starts at its top");
        s.scroll("a", 100, 10, 4);
        assert_eq!(s.offset("a"), 6, "the last line on the last row");
        s.scroll("a", -2, 10, 4);
        assert_eq!(s.offset("a"), 4);
        s.scroll("b", -1, 10, 4);
        assert_eq!((s.offset("a"), s.offset("b")), (0, 0));
        // a detail that fits does not move
        s.scroll("c", 1, 3, 4);
        assert_eq!(s.offset("c"), 0);
    }
}
