//! Plain-text renderings for the CLI: aligned by display width, data made inert.

use crate::display::{inert, pad, pad_code, width};
use crate::engine::dups::Duplicates;
use crate::engine::search::Hit;
use crate::engine::stats::Stats;
use crate::engine::usage::Usage;
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Element, Form, ItemLevel, ItemType, Kind};
use crate::store::LoggedEntry;

/// Search results, one per line.
pub fn hits(hits: &[Hit]) -> String {
    hits.iter()
        .map(|h| {
            format!(
                "{}  {}  {}  {}\n",
                pad_code(&inert(&h.code), 10),
                pad(&inert(&h.name), 24),
                pad(h.kind, 16),
                h.uses
            )
        })
        .collect()
}

/// An ASCII bar of `n` against `max`, at most `width` columns (ASCII, so it never turns
/// double-width on terminals that draw ambiguous characters wide).
fn bar(n: usize, max: usize, width: usize) -> String {
    let len = if max == 0 {
        0
    } else {
        (n * width).div_ceil(max)
    };
    "#".repeat(len.min(width))
}

/// Record counts and breakdowns, with bars.
pub fn stats(s: &Stats, lang: Lang) -> String {
    let rows = [
        (Kind::Region, s.regions),
        (Kind::Agency, s.agencies),
        (Kind::Element, s.elements),
        (Kind::Item, s.items),
        (Kind::Material, s.materials),
        (Kind::Form, s.forms),
        (Kind::Bundle, s.bundles),
    ];
    let mut out: String = rows
        .iter()
        .map(|(kind, n)| {
            let label = lang.pick(
                kind.zh().to_string(),
                format!("{} {}", kind.zh(), kind.plural()),
            );
            format!("{} {n:>8}\n", pad(&label, 22))
        })
        .collect();
    let bound = s.fields - s.unbound_fields.min(s.fields);
    let share = match crate::display::percent(bound as u64, s.fields as u64) {
        None => lang.pick("没有字段", "no fields").to_string(),
        Some(share) => format!("{share} {}", lang.pick("已绑定数据元", "bound to elements")),
    };
    out.push_str(&format!(
        "{} {:>8}\n{} {:>8}  ({share})\n",
        pad(lang.pick("表单字段", "fields"), 22),
        s.fields,
        pad(lang.pick("未绑定字段", "unbound fields"), 22),
        s.unbound_fields,
    ));
    let section = |out: &mut String, title: &str, rows: Vec<(String, usize)>| {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
        out.push_str(&format!("\n{title}\n"));
        for (label, n) in rows {
            out.push_str(&format!(
                "  {} {n:>6} {}\n",
                pad(&inert(&label), 24),
                bar(n, max, 30)
            ));
        }
    };
    section(
        &mut out,
        lang.pick("事项层级", "items by level"),
        ItemLevel::ALL
            .iter()
            .map(|l| {
                (
                    l.zh().to_string(),
                    s.items_by_level.get(l.as_str()).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    section(
        &mut out,
        lang.pick("事项类型", "items by type"),
        ItemType::ALL
            .iter()
            .map(|t| {
                (
                    format!("{} {}", t.code(), t.zh()),
                    s.items_by_type.get(t.code()).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    let top = |list: &[crate::engine::stats::Count]| -> Vec<(String, usize)> {
        list.iter()
            .take(10)
            .map(|c| (c.name.clone(), c.count))
            .collect()
    };
    section(
        &mut out,
        lang.pick("事项最多的区划", "regions with most items"),
        top(&s.items_by_region),
    );
    section(
        &mut out,
        lang.pick("事项最多的部门", "agencies with most items"),
        top(&s.items_by_agency),
    );
    section(
        &mut out,
        lang.pick("复用最多的数据元", "most reused elements"),
        top(&s.reuse.most_reused),
    );
    out.push_str(&format!(
        "  {} {}\n",
        lang.pick("从未使用的数据元", "elements never used:"),
        s.reuse.never_used
    ));
    if !s.reuse.unbound_by_agency.is_empty() {
        section(
            &mut out,
            lang.pick("未绑定字段（按部门）", "unbound fields by agency"),
            top(&s.reuse.unbound_by_agency),
        );
    }
    if !s.bundle_reduction.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            lang.pick(
                "主题减免（常见回答 / 最多情形）：字段、材料、时限 前→后",
                "bundle reduction (typical / worst answers): fields, materials, days before→after"
            )
        ));
        for b in &s.bundle_reduction {
            let r = |r: &crate::engine::stats::Reduction| {
                format!(
                    "{:>3}→{:<3} {:>2}→{:<2} {:>3}→{:<3}",
                    r.fields_before,
                    r.fields_after,
                    r.materials_before,
                    r.materials_after,
                    r.days_before,
                    r.days_after
                )
            };
            out.push_str(&format!(
                "  {} {}   {}\n",
                pad(&inert(&b.name), 20),
                r(&b.typical),
                r(&b.worst)
            ));
        }
    }
    out
}

/// One element in detail; `uses` is how many form fields are bound to it.
pub fn element(e: &Element, uses: usize, lang: Lang) -> String {
    let mut out = format!("{}  {}\n", inert(&e.code), inert(&e.name));
    let mut line = |label_zh: &str, label_en: &str, value: String| {
        if !value.is_empty() {
            out.push_str(&format!(
                "  {} {}\n",
                pad(lang.pick(label_zh, label_en), 10),
                inert(&value)
            ));
        }
    };
    line(
        "类型",
        "kind",
        format!("{} ({})", e.kind.as_str(), e.kind.zh()),
    );
    line("同义词", "synonyms", e.synonyms.join("、"));
    line("定义", "definition", e.definition.to_string());
    line(
        "格式",
        "pattern",
        e.pattern.as_deref().unwrap_or_default().to_string(),
    );
    line(
        "可选值",
        "options",
        e.options
            .iter()
            .map(|o| format!("{} {}", o.code, o.label))
            .collect::<Vec<_>>()
            .join("、"),
    );
    line(
        "上级",
        "parent",
        e.parent.clone().unwrap_or_default().to_string(),
    );
    line(
        "单位",
        "unit",
        e.unit.clone().unwrap_or_default().to_string(),
    );
    line(
        "数源部门",
        "source",
        e.source_agency.clone().unwrap_or_default().to_string(),
    );
    line("共享", "share", e.share.as_str().to_string());
    line("安全级别", "security", e.security_level.to_string());
    line(
        "状态",
        "status",
        format!("{} V{}", e.status.zh(), e.version),
    );
    line(
        "引用",
        "uses",
        lang.pick(format!("{uses} 个字段"), format!("{uses} fields")),
    );
    out
}

/// Where an element is used.
pub fn usage(catalog: &Catalog, u: &Usage, lang: Lang) -> String {
    let name = catalog
        .elements
        .get(u.element.as_str())
        .map(|e| e.name.as_str())
        .unwrap_or("");
    let mut out = format!(
        "{}  {}  {}\n",
        inert(&u.element),
        inert(name),
        lang.pick(
            format!(
                "{} 个字段 · {} 张表 · {} 个事项 · {} 个主题",
                u.fields.len(),
                u.forms.len(),
                u.items.len(),
                u.bundles.len()
            ),
            format!(
                "{} fields · {} forms · {} items · {} bundles",
                u.fields.len(),
                u.forms.len(),
                u.items.len(),
                u.bundles.len()
            ),
        )
    );
    for f in &u.fields {
        let form = catalog
            .forms
            .get(f.form.as_str())
            .map(|x| x.name.as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "  {} {} {} {}  {}\n",
            if f.required { "*" } else { " " },
            pad_code(&inert(&f.form), 10),
            pad(&inert(form), 24),
            pad_code(&inert(&f.field), 10),
            inert(&f.label)
        ));
    }
    for b in &u.bundles {
        let name = catalog
            .bundles
            .get(b.as_str())
            .map(|x| x.name.as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "  {} {} {}\n",
            lang.pick("主题", "bundle"),
            inert(b),
            inert(name)
        ));
    }
    out
}

/// Duplicate candidates.
pub fn dups(catalog: &Catalog, d: &Duplicates, lang: Lang) -> String {
    let name = |code: &str| {
        catalog
            .elements
            .get(code)
            .map(|e| e.name.as_str())
            .unwrap_or("")
    };
    let reasons = |rs: &[crate::engine::dups::Reason]| {
        rs.iter()
            .map(|r| r.describe(lang))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    let mut out = format!(
        "{}\n",
        lang.pick("数据元（保留 ← 合并）", "elements (keep ← merge)")
    );
    if d.elements_found > d.elements.len() {
        let (found, n) = (d.elements_found, d.elements.len());
        out.push_str(&format!(
            "  {}\n",
            lang.pick(
                format!("（找到 {found} 对，列出最像的 {n} 对）"),
                format!("({found} pairs found, the likeliest {n} listed)")
            )
        ));
    }
    for p in &d.elements {
        out.push_str(&format!(
            "  {:>3}  {} {} ← {} {}  {}\n",
            p.score,
            inert(&p.keep),
            inert(name(&p.keep)),
            inert(&p.merge),
            inert(name(&p.merge)),
            reasons(&p.reasons)
        ));
    }
    out.push_str(&format!("{}\n", lang.pick("未绑定字段", "unbound fields")));
    for g in &d.fields {
        let element = g
            .element
            .as_deref()
            .map(|c| format!("→ {} {}", inert(c), inert(name(c))))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:>3}  {} ×{} {}  {}\n",
            g.score,
            inert(&g.label),
            g.fields.len(),
            element,
            reasons(&g.reasons)
        ));
    }
    out
}

/// One form with its sections and fields, and the name of its item when there is one.
pub fn form(f: &Form, item_name: Option<&str>, lang: Lang) -> String {
    let mut out = format!(
        "{}  {}  ({} V{})\n",
        inert(&f.code),
        inert(&f.name),
        f.status.zh(),
        f.version
    );
    if let Some(item) = &f.item {
        let name = item_name.unwrap_or("");
        out.push_str(&format!(
            "  {} {} {}\n",
            lang.pick("事项", "item"),
            inert(item),
            inert(name)
        ));
    }
    for section in &f.sections {
        out.push_str(&format!("  [{}]\n", inert(&section.title)));
        for field in &section.fields {
            let element = field
                .element
                .as_deref()
                .unwrap_or(lang.pick("(未绑定)", "(unbound)"));
            out.push_str(&format!(
                "    {} {} {} {}\n",
                if field.required { "*" } else { " " },
                pad_code(&inert(&field.key), 12),
                pad(&inert(&field.label), 20),
                inert(element)
            ));
        }
    }
    out
}

/// Every bundle on a line.
pub fn bundles(bundles: &[Bundle], lang: Lang) -> String {
    bundles
        .iter()
        .map(|b| {
            format!(
                "{}  {}  {} {}  {} {}  {} V{}\n",
                pad_code(&inert(&b.code), 10),
                pad(&inert(&b.name), 20),
                b.items.len(),
                lang.pick("项", "items"),
                b.questions.len(),
                lang.pick("问", "questions"),
                b.status.zh(),
                b.version
            )
        })
        .collect()
}

/// The width of `log`'s action column for entries of these actions: the longest one's (at
/// least 8), so that rows stay aligned.
pub fn log_action_width<'a>(actions: impl Iterator<Item = &'a str>) -> usize {
    actions.map(|a| width(&inert(a))).max().unwrap_or(0).max(8)
}

/// One line of `log`: an audit entry, its action padded to `action_w`.
pub fn log_line(e: &LoggedEntry, action_w: usize) -> String {
    use crate::store::AuditOp;
    let digest = |d: &Option<String>, absent: bool| match d {
        Some(d) => inert(d).into_owned(),
        None if absent => "-".to_string(),
        None => "?".to_string(),
    };
    let before = digest(&e.entry.before, e.entry.op == AuditOp::Create);
    let after = digest(&e.entry.after, e.entry.op == AuditOp::Delete);
    format!(
        "{:>6}  {}  {}  {} {:<7} {} {}  {before} → {after}\n",
        e.seq,
        e.entry.time,
        inert(&e.entry.user),
        pad_code(&inert(&e.entry.action), action_w),
        format!("{:?}", e.entry.op).to_lowercase(),
        e.entry.kind.as_str(),
        inert(&e.entry.code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::store::{AuditEntry, AuditOp, LoggedEntry};

    #[test]
    fn one_unbound_field_of_3799_is_not_printed_as_all_bound() {
        let s = Stats {
            fields: 3799,
            unbound_fields: 1,
            ..Stats::default()
        };
        let text = stats(&s, Lang::Zh);
        assert!(text.contains("(99.97% 已绑定数据元)"), "{text}");
        assert!(!text.contains("100.0%"), "{text}");
    }

    /// The log of `entries`, as `log` prints it.
    fn log(entries: &[LoggedEntry]) -> String {
        let w = log_action_width(entries.iter().map(|e| e.entry.action.as_str()));
        entries.iter().map(|e| log_line(e, w)).collect()
    }

    #[test]
    fn log_rows_stay_aligned_when_an_action_is_long() {
        let entry = |seq, action: &str, op| LoggedEntry {
            seq,
            entry: AuditEntry {
                time: "2026-11-22T03:55:12Z".into(),
                user: "li".into(),
                action: action.into(),
                kind: Kind::Bundle,
                code: "ZT001".into(),
                op,
                before: None,
                after: Some("abc".into()),
            },
        };
        let text = log(&[
            entry(1, "edit", AuditOp::Update),
            entry(2, "bundle_add_items", AuditOp::Update),
        ]);
        let columns: Vec<usize> = text.lines().map(|l| l.find(" update").unwrap()).collect();
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0], columns[1], "{text}");
    }
}
