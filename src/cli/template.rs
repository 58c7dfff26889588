//! `template list|claim|compare`: the 模板库 on the command line.

use serde_json::json;

use super::commands::{pretty, print_out};
use super::{EXIT_FAILURE, Failure, TemplateCommand};
use crate::display::{inert, pad, pad_code, width};
use crate::engine::template::{self, Comparison, FieldIssue, SetDiff};
use crate::i18n::Lang;
use crate::model::{Catalog, RecordSource};
use crate::store::{IfMissing, SledStore, Store};
use std::path::PathBuf;

/// Runs a `template` subcommand.
pub(super) fn run(
    store: &mut SledStore,
    command: TemplateCommand,
    lang: Lang,
) -> Result<u8, Failure> {
    match command {
        TemplateCommand::List { json } => list(store.catalog(), json, lang),
        TemplateCommand::Claim { code, new_code } => {
            let batch = template::claim(store.catalog(), &code, &new_code)
                .map_err(|e| Failure::new(e.message(lang)))?;
            let forms = batch.commands.len().saturating_sub(1);
            store.apply(batch).map_err(|e| Failure::store(e, lang))?;
            eprintln_lossy!("{}", claimed(&code, &new_code, forms, lang));
            Ok(0)
        }
        TemplateCommand::Compare { code, json } => compare(store.catalog(), &code, json, lang),
    }
}

/// `template claim` over the records near the claim, without loading the catalog: the
/// template and its forms read as the cached outline lists them, the codes checked against
/// the store's keys, the claim written over them (see `UnloadedStore::claim_records`).
/// `Ok(None)`: the store cannot answer it so (no cached outline, a write the records near
/// it cannot answer for), nothing written: the loaded store claims.
pub(super) fn claim_near(
    db: &Option<PathBuf>,
    code: &str,
    new_code: &str,
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    let store = super::open_unloaded(db.clone(), IfMissing::Refuse, lang)?;
    let Some(mut outline) = store.outline() else {
        return Ok(None);
    };
    let failed = |e| Failure::store(e, lang);
    // (none when no template has the code: said as the loaded catalog says it)
    let found = store.claim_records(code, &outline).map_err(failed)?;
    let mut near = found.unwrap_or_default();
    let batch = template::claim_among(&near, code, new_code, |kind, c| store.holds(kind, c))
        .map_err(|e| Failure::new(e.message(lang)))?;
    let said = claimed(code, new_code, batch.commands.len().saturating_sub(1), lang);
    super::write_near(store, batch, &mut near, &mut outline, None, &said, lang)
}

/// What `template claim` says once `code` is claimed as `new_code`, `forms` forms copied.
fn claimed(code: &str, new_code: &str, forms: usize, lang: Lang) -> String {
    let (code, new_code) = (inert(code), inert(new_code));
    lang.pick(
        format!("已从模板 {code} 认领为 {new_code}（待提交 V0，复制申请表 {forms} 张）"),
        format!("claimed template {code} as {new_code} (draft V0, {forms} form(s) copied)"),
    )
}

/// `template compare`: the entry `code` beside its template, from `catalog` (the loaded
/// one, or just the records comparing reads: see `UnloadedStore::template_neighbourhood`);
/// exit 1 when it does not conform.
pub fn compare(catalog: &Catalog, code: &str, json: bool, lang: Lang) -> Result<u8, Failure> {
    let c = template::compare(catalog, code).map_err(|e| Failure::new(e.message(lang)))?;
    print_out(&if json {
        pretty(&c)
    } else {
        text(&c, catalog, lang)
    })?;
    Ok(if c.conforms { 0 } else { EXIT_FAILURE })
}

/// `template list`: every template with how many records were claimed from it, read from
/// `source` (the loaded catalog, or the store a record at a time without loading it).
pub fn list(source: &dyn RecordSource, json: bool, lang: Lang) -> Result<u8, Failure> {
    let rows = template::listed(source).map_err(|e| Failure::new(e.to_string()))?;
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|t| {
                json!({"kind": t.kind.as_str(), "code": t.code, "name": t.name, "claimed": t.claimed})
            })
            .collect();
        return print_out(&pretty(&list));
    }
    // the code column is as wide as the widest code: codes are never cut
    let code_width = rows
        .iter()
        .map(|t| width(&inert(&t.code)))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for t in &rows {
        let n = t.claimed;
        out.push_str(&format!(
            "{} {} {}  {}\n",
            pad(t.kind.zh(), 4),
            pad_code(&inert(&t.code), code_width),
            pad(&inert(&t.name), 24),
            lang.pick(format!("认领 {n}"), format!("claimed {n}"))
        ));
    }
    out.push_str(&lang.pick(
        format!("共 {} 个模板\n", rows.len()),
        format!("{} template(s)\n", rows.len()),
    ));
    print_out(&out)
}

/// A set's lines; `text(code, in_entry)` adds what the code stands for (a question's text),
/// if anything.
fn set_lines(
    out: &mut String,
    title: &str,
    d: &SetDiff,
    text: impl Fn(&str, bool) -> Option<String>,
    lang: Lang,
) {
    if d.missing.is_empty() && d.extra.is_empty() {
        return;
    }
    out.push_str(&format!("{title}\n"));
    let shown = |c: &str, in_entry: bool| match text(c, in_entry) {
        Some(t) => format!("{} {}", inert(c), inert(&t)),
        None => inert(c).into_owned(),
    };
    for c in &d.missing {
        out.push_str(&format!(
            "  ! {} {}\n",
            lang.pick("缺少", "missing"),
            shown(c, false)
        ));
    }
    for c in &d.extra {
        out.push_str(&format!(
            "  + {} {}\n",
            lang.pick("多出", "extra"),
            shown(c, true)
        ));
    }
}

/// The comparison as text: the entry and its template side by side, `!` marking departures;
/// two long attribute values show the part around their first difference.
pub(super) fn text(c: &Comparison, catalog: &Catalog, lang: Lang) -> String {
    let mut out = format!(
        "{} {}  <-  {} {} {}\n",
        inert(&c.code),
        inert(&c.name),
        lang.pick("模板", "template"),
        inert(&c.template),
        inert(&c.template_name)
    );
    if !c.attributes.is_empty() {
        out.push_str(&format!(
            "{}\n  {} {} {}\n",
            lang.pick("属性", "attributes"),
            pad("", 18),
            pad(lang.pick("本事项", "entry"), 30),
            lang.pick("模板", "template")
        ));
        for a in &c.attributes {
            let (entry, template) = crate::display::around_difference(
                &inert(&a.shown(&a.entry, lang)),
                &inert(&a.shown(&a.template, lang)),
                30,
                '…',
            );
            out.push_str(&format!(
                "  ! {} {} {template}\n",
                pad(a.name(c.record_kind(), lang), 16),
                pad(&entry, 30),
            ));
        }
    }
    for f in &c.forms {
        let name = |code: &Option<String>| {
            code.as_deref()
                .map_or("-".into(), |s| inert(s).into_owned())
        };
        out.push_str(&format!(
            "{} {}  <->  {}\n",
            lang.pick("申请表", "form"),
            name(&f.entry),
            name(&f.template)
        ));
        if f.entry.is_none() {
            out.push_str(&format!(
                "  ! {}\n",
                lang.pick("缺少申请表", "form missing")
            ));
        } else if f.template.is_none() {
            out.push_str(&format!("  + {}\n", lang.pick("多出申请表", "extra form")));
        }
        for d in &f.fields {
            let element = d
                .element
                .as_deref()
                .map_or(String::new(), |e| format!(" ({})", inert(e)));
            let what = match &d.issue {
                FieldIssue::Missing => lang.pick("缺少字段".to_string(), "missing field".into()),
                FieldIssue::Extra => lang.pick("多出字段".to_string(), "extra field".into()),
                FieldIssue::DifferentKind { entry, template } => lang.pick(
                    format!("类型不同 {entry} ≠ 模板 {template}"),
                    format!("different kind {entry} ≠ template {template}"),
                ),
                FieldIssue::DifferentElement { entry, template } => {
                    let show = |e: &Option<String>| {
                        e.as_deref().map_or("-".into(), |s| inert(s).into_owned())
                    };
                    lang.pick(
                        format!("数据元不同 {} ≠ 模板 {}", show(entry), show(template)),
                        format!(
                            "different element {} ≠ template {}",
                            show(entry),
                            show(template)
                        ),
                    )
                }
                FieldIssue::LabelDrift { entry, template } => lang.pick(
                    format!("标签不同 {} ≠ 模板 {}", inert(entry), inert(template)),
                    format!(
                        "label drift {} ≠ template {}",
                        inert(entry),
                        inert(template)
                    ),
                ),
                FieldIssue::Required { entry, template } => lang.pick(
                    format!("必填不同 {entry} ≠ 模板 {template}"),
                    format!("required {entry} ≠ template {template}"),
                ),
            };
            let mark = if d.issue == FieldIssue::Extra {
                "+"
            } else {
                "!"
            };
            out.push_str(&format!(
                "  {mark} {} {}{element}: {what}\n",
                inert(&d.key),
                inert(&d.label)
            ));
        }
    }
    let none = |_: &str, _: bool| None;
    set_lines(
        &mut out,
        lang.pick("材料", "materials"),
        &c.materials,
        none,
        lang,
    );
    set_lines(&mut out, lang.pick("事项", "items"), &c.items, none, lang);
    // a question by its key and text, from the bundle that has it
    let question = |key: &str, in_entry: bool| {
        let bundle = if in_entry { &c.code } else { &c.template };
        catalog
            .bundles
            .get(bundle.as_str())
            .and_then(|b| b.questions.iter().find(|q| q.key == key))
            .map(|q| q.text.clone())
    };
    set_lines(
        &mut out,
        lang.pick("判断项", "questions"),
        &c.questions,
        question,
        lang,
    );
    if !c.changes.is_empty() {
        out.push_str(lang.pick("条件与判断项\n", "conditions and questions\n"));
        for ch in &c.changes {
            out.push_str(&format!(
                "  ! {} {}: {} ≠ {} {}\n",
                ch.what.label(lang),
                inert(&ch.subject),
                ch.what.shown(&ch.entry, lang),
                lang.pick("模板", "template"),
                ch.what.shown(&ch.template, lang)
            ));
        }
    }
    let n = c.departures();
    out.push_str(&if c.conforms {
        lang.pick(
            "符合模板\n".to_string(),
            "conforms to the template\n".into(),
        )
    } else {
        lang.pick(
            format!("不符合模板：{n} 处\n"),
            format!("does not conform: {n} departure(s)\n"),
        )
    });
    out
}
