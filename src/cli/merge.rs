//! `yibiao merge`: the merged form of a bundle, its table over all answers, its flow, its
//! export with provenance, and distribution of a filled merged form.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::Command;
use crate::display::{inert, pad, pad_code};
use crate::engine::dups::Covers;
use crate::engine::merge::distribute::{Filled, distribute};
use crate::engine::merge::flow::{to_dot, to_mermaid, to_text};
use crate::engine::merge::situation::Answers;
use crate::engine::merge::suggest::{covers_text, reason_text};
use crate::engine::merge::{ConflictKind, Merge, all_answer_sets, item_forms, merge, merge_with};
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Kind};

use super::commands::{pretty, print_out, read_input, unknown, write_output};
use super::{EXIT_INVALID, Failure, FlowFormat};

/// The merge command's arguments.
pub struct Request {
    pub(super) bundle: String,
    pub(super) answers: Vec<String>,
    pub(super) excluded: Vec<String>,
    pub(super) all_answers: bool,
    pub(super) flow: Option<FlowFormat>,
    pub(super) export: Option<PathBuf>,
    pub(super) distribute: Option<PathBuf>,
    pub(super) json: bool,
}

impl Request {
    /// What a `merge` command asks (`None` for any other command).
    pub(super) fn of(command: &Command) -> Option<Request> {
        let Command::Merge {
            bundle,
            answers,
            excluded,
            all_answers,
            flow,
            export,
            distribute,
            json,
        } = command
        else {
            return None;
        };
        Some(Request {
            bundle: bundle.clone(),
            answers: answers.clone(),
            excluded: excluded.clone(),
            all_answers: *all_answers,
            flow: *flow,
            export: export.clone(),
            distribute: distribute.clone(),
            json: *json,
        })
    }
}

fn invalid(message: String) -> Failure {
    Failure {
        code: EXIT_INVALID,
        message,
    }
}

/// Checks that question `q` of the bundle has option `o`.
fn check_answer(bundle: &Bundle, q: &str, o: &str) -> Result<(), String> {
    let question = bundle
        .questions
        .iter()
        .find(|x| x.key == q)
        .ok_or_else(|| {
            let keys: Vec<&str> = bundle.questions.iter().map(|x| x.key.as_str()).collect();
            format!(
                "bundle {} has no question {} (questions: {})",
                bundle.code,
                inert(q),
                keys.join(", ")
            )
        })?;
    if !question.options.iter().any(|x| x.key == o) {
        let keys: Vec<&str> = question.options.iter().map(|x| x.key.as_str()).collect();
        return Err(format!(
            "question {} has no option {} (options: {})",
            inert(q),
            inert(o),
            keys.join(", ")
        ));
    }
    Ok(())
}

/// Parses `QKEY=OPTKEY` answers against the bundle's questions, over `base` (later answers
/// to a question replace earlier ones).
fn parse_answers(bundle: &Bundle, base: Answers, raw: &[String]) -> Result<Answers, Failure> {
    let mut answers = base;
    for a in raw {
        let (q, o) = a
            .split_once('=')
            .ok_or_else(|| invalid(format!("answer {} is not QUESTION=OPTION", inert(a))))?;
        check_answer(bundle, q, o).map_err(invalid)?;
        answers.insert(q.to_string(), o.to_string());
    }
    Ok(answers)
}

/// Reads a filled merged form for `bundle`, its answers checked against the bundle's
/// questions.
fn read_filled(bundle: &Bundle, file: &Path) -> Result<Filled, Failure> {
    let bytes = read_input(file)?;
    let filled: Filled = serde_json::from_slice(crate::io::json::without_bom(&bytes))
        .map_err(|e| invalid(format!("{}: {e}", file.display())))?;
    if filled.bundle != bundle.code {
        return Err(invalid(format!(
            "{} was filled for bundle {}, not {}",
            file.display(),
            inert(&filled.bundle),
            bundle.code
        )));
    }
    for (q, o) in &filled.answers {
        check_answer(bundle, q, o)
            .map_err(|e| invalid(format!("{}: answers: {e}", file.display())))?;
    }
    Ok(filled)
}

/// Checks that every excluded form is one of the bundle's items' forms.
fn check_excluded(
    catalog: &Catalog,
    bundle: &Bundle,
    excluded: &[String],
    lang: Lang,
) -> Result<(), Failure> {
    let forms: BTreeSet<&str> = bundle
        .items
        .iter()
        .flat_map(|item| item_forms(catalog, item))
        .map(|f| f.code.as_str())
        .collect();
    let unknown: Vec<&str> = excluded
        .iter()
        .map(String::as_str)
        .filter(|f| !forms.contains(f))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let (unknown, forms) = (
        inert(&unknown.join(", ")).into_owned(),
        forms.into_iter().collect::<Vec<_>>().join(", "),
    );
    Err(invalid(lang.pick(
        format!(
            "--exclude {unknown}：不是主题 {} 的申请表（其申请表：{forms}）",
            bundle.code
        ),
        format!(
            "--exclude {unknown}: not a form of bundle {} (its forms: {forms})",
            bundle.code
        ),
    )))
}

/// Runs `merge`.
/// `yibiao merge`, on the whole catalog or on a catalog of just the records the merge reads
/// (see `UnloadedStore::bundle_neighbourhood`) with the element pool's covers given as
/// `pool` (`None`: indexed from `catalog`, which must then hold the whole pool).
pub fn run(
    catalog: &Catalog,
    pool: Option<&Covers>,
    request: &Request,
    lang: Lang,
) -> Result<u8, Failure> {
    let bundle = catalog
        .bundles
        .get(request.bundle.as_str())
        .ok_or_else(|| unknown(Kind::Bundle, &request.bundle, lang))?;
    check_excluded(catalog, bundle, &request.excluded, lang)?;
    let excluded: BTreeSet<String> = request.excluded.iter().cloned().collect();
    if request.all_answers {
        let merges: Vec<Merge> = all_answer_sets(bundle)
            .iter()
            // stats only: suggestions (and the element pool) change no figure
            .map(|answers| merge_with(catalog, bundle, answers, &excluded, None))
            .collect();
        return print_out(&if request.json {
            pretty(
                &merges
                    .iter()
                    .map(|m| json!({"answers": m.answers, "stats": m.stats}))
                    .collect::<Vec<_>>(),
            )
        } else {
            table(&merges, lang)
        });
    }
    let filled = match &request.distribute {
        Some(file) => Some((file, read_filled(bundle, file)?)),
        None => None,
    };
    // a filled form's answers count; `--answer` replaces them question by question
    let base = filled
        .as_ref()
        .map(|(_, f)| f.answers.clone())
        .unwrap_or_default();
    let answers = parse_answers(bundle, base, &request.answers)?;
    let merged = match pool {
        Some(pool) => merge_with(catalog, bundle, &answers, &excluded, Some(pool)),
        None => merge(catalog, bundle, &answers, &excluded),
    };
    if let Some(format) = request.flow {
        return print_out(&match format {
            FlowFormat::Text => to_text(catalog, &merged.flow, false, 32),
            FlowFormat::Dot => to_dot(catalog, &merged.flow),
            FlowFormat::Mermaid => to_mermaid(catalog, &merged.flow),
        });
    }
    if let Some(file) = &request.export {
        let provenance: Vec<_> = merged
            .fields
            .iter()
            .flat_map(|f| f.sources.iter().map(move |s| json!({"merged": f.key(), "label": f.label, "form": s.form, "field": s.field})))
            .collect();
        let is_xlsx = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if is_xlsx {
            write_output(file, &merge_workbook(catalog, &merged, lang)?)?;
        } else {
            let doc = json!({"merge": merged, "provenance": provenance});
            write_output(file, pretty(&doc).as_bytes())?;
        }
        return Ok(0);
    }
    if let Some((file, filled)) = &filled {
        let forms = distribute(catalog, &merged, filled)
            .map_err(|e| invalid(format!("{}: {}", file.display(), e.message(lang))))?;
        return print_out(&pretty(
            &json!({"bundle": bundle.code, "answers": merged.answers, "forms": forms}),
        ));
    }
    print_out(&if request.json {
        pretty(&merged)
    } else {
        text(catalog, bundle, &merged, lang)
    })
}

/// The merged form and its provenance as a workbook: one sheet of merged fields (with the
/// element's kind and format hint), one row per source field.
fn merge_workbook(catalog: &Catalog, m: &Merge, lang: Lang) -> Result<Vec<u8>, Failure> {
    use crate::io::table::Cell;
    use crate::io::xlsx::{NamedSheet, write_named};
    let text = |s: &str| Cell::Text(s.to_string());
    let header = |cols: &[(&str, &str)]| -> Vec<String> {
        cols.iter()
            .map(|(zh, en)| lang.pick(*zh, *en).to_string())
            .collect()
    };
    let fields_header = header(&[
        ("序号", "no."),
        ("字段键", "key"),
        ("标签", "label"),
        ("必填", "required"),
        ("数据元", "element"),
        ("类型", "kind"),
        ("示例", "example"),
        ("来源数", "sources"),
    ]);
    let fields: Vec<Vec<Cell>> = m
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let element = f.element.as_deref().and_then(|e| catalog.elements.get(e));
            vec![
                Cell::Number(i as u64 + 1),
                text(&f.key()),
                text(&f.label),
                text(lang.pick(
                    if f.required { "是" } else { "否" },
                    if f.required { "yes" } else { "no" },
                )),
                text(f.element.as_deref().unwrap_or("")),
                text(element.map_or("", |e| e.kind.zh())),
                text(element.map_or("", |e| crate::engine::validate::example(e.kind))),
                Cell::Number(f.sources.len() as u64),
            ]
        })
        .collect();
    let provenance_header = header(&[
        ("合并字段", "merged field"),
        ("合并标签", "merged label"),
        ("来源表单", "source form"),
        ("表单名称", "form name"),
        ("来源字段", "source field"),
        ("来源标签", "source label"),
    ]);
    let provenance: Vec<Vec<Cell>> = m
        .fields
        .iter()
        .flat_map(|f| {
            f.sources.iter().map(move |s| {
                let form = catalog.forms.get(s.form.as_str());
                let label = form
                    .and_then(|x| x.fields().find(|(_, _, y)| y.key == s.field))
                    .map_or("", |(_, _, y)| y.label.as_str());
                vec![
                    text(&f.key()),
                    text(&f.label),
                    text(&s.form),
                    text(form.map_or("", |x| x.name.as_str())),
                    text(&s.field),
                    text(label),
                ]
            })
        })
        .collect();
    let sheets = [
        NamedSheet {
            name: lang.pick("合并表单", "merged form"),
            header: &fields_header,
            rows: &fields,
        },
        NamedSheet {
            name: lang.pick("来源对照", "provenance"),
            header: &provenance_header,
            rows: &provenance,
        },
    ];
    write_named(&sheets, lang).map_err(Failure::new)
}

fn percent(before: usize, after: usize) -> String {
    if before == 0 {
        "0%".into()
    } else {
        format!(
            "-{:.0}%",
            100.0 * (before - after.min(before)) as f64 / before as f64
        )
    }
}

fn answers_text(answers: &Answers) -> String {
    if answers.is_empty() {
        "—".into()
    } else {
        answers
            .iter()
            .map(|(q, o)| format!("{q}={o}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The merged form as text: stats, fields with their sources, conflicts, suggestions, materials.
fn text(catalog: &Catalog, bundle: &Bundle, m: &Merge, lang: Lang) -> String {
    let s = &m.stats;
    let mut out = format!(
        "{}  {}   {}\n",
        inert(&bundle.code),
        inert(&bundle.name),
        answers_text(&m.answers)
    );
    out.push_str(&format!(
        "{} {} → {} ({})   {} {} → {} ({} {})   {} {} → {}   {} {}\n\n",
        lang.pick("字段", "fields"),
        s.fields_before,
        s.fields_after,
        percent(s.fields_before, s.fields_after),
        lang.pick("材料", "materials"),
        s.materials_before,
        s.materials_after,
        s.materials_exempt,
        lang.pick("免提交", "exempt"),
        lang.pick("时限(天)", "days"),
        s.time_sum_days,
        s.time_critical_days,
        lang.pick("事项", "items"),
        s.items_visible
    ));
    for f in &m.fields {
        let conflict = m
            .conflicts
            .iter()
            .filter(|c| Some(&c.element) == f.element.as_ref())
            .map(|c| match c.kind {
                ConflictKind::Required => "!required",
                ConflictKind::Options => "!options",
                ConflictKind::Label => "!label",
            })
            .collect::<Vec<_>>()
            .join(" ");
        let sources: Vec<String> = f
            .sources
            .iter()
            .map(|s| format!("{}/{}", s.form, s.field))
            .collect();
        out.push_str(&format!(
            "{} {} {} ×{} {}  {}\n",
            if f.required { "*" } else { " " },
            pad_code(
                &inert(
                    f.element
                        .as_deref()
                        .unwrap_or(lang.pick("(未绑定)", "(unbound)"))
                ),
                10
            ),
            pad(&inert(&f.label), 20),
            f.sources.len(),
            conflict,
            inert(&sources.join(", "))
        ));
    }
    if !m.suggestions.is_empty() || !m.left_out.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            lang.pick("疑似重复的未绑定字段", "likely duplicate unbound fields")
        ));
        // an element as `DE000006 移动电话`, a new one as 新数据元
        let element = |e: Option<&str>| match e {
            Some(e) => format!(
                "{e} {}",
                catalog.elements.get(e).map_or("", |x| x.name.as_str())
            ),
            None => lang.pick("新数据元", "a new element").to_string(),
        };
        for sug in &m.suggestions {
            let fields: Vec<String> = sug
                .fields
                .iter()
                .map(|s| format!("{}/{}", s.form, s.field))
                .collect();
            let why = format!(
                "{}{}",
                reason_text(sug.reason, lang),
                covers_text(sug.covers, lang)
            );
            out.push_str(&format!(
                "  {:>3} {} → {}  {}\n",
                sug.score,
                inert(&fields.join(", ")),
                inert(&element(sug.element.as_deref())),
                lang.pick(format!("（{why}）"), format!("({why})"))
            ));
            // the alternatives on one line: `或：DE000007 固定电话（同义词 90，1 个字段）；…`
            if !sug.alternatives.is_empty() {
                let alternatives: Vec<String> = sug
                    .alternatives
                    .iter()
                    .map(|c| {
                        let n = c.fields.len();
                        lang.pick(
                            format!(
                                "{}（{}，{n} 个字段）",
                                element(c.element.as_deref()),
                                c.why(lang)
                            ),
                            format!(
                                "{} ({}, {n} field(s))",
                                element(c.element.as_deref()),
                                c.why(lang)
                            ),
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "      {}{}\n",
                    lang.pick("或：", "or: "),
                    inert(&alternatives.join(lang.pick("；", "; ")))
                ));
            }
            for left in &sug.left_out {
                out.push_str(&format!("      {}\n", inert(&left.describe(lang))));
            }
        }
    }
    for left in &m.left_out {
        out.push_str(&format!("  {}\n", inert(&left.describe(lang))));
    }
    out.push_str(&format!("\n{}\n", lang.pick("材料", "materials")));
    if m.materials.is_empty() {
        let none = if m.items.is_empty() {
            lang.pick("无（没有适用的事项）", "none (no item applies)")
        } else {
            lang.pick(
                "无（适用的事项没有材料）",
                "none (the applicable items ask for none)",
            )
        };
        out.push_str(&format!("  {none}\n"));
    }
    for mat in &m.materials {
        out.push_str(&format!(
            "  {} {} {}\n",
            if mat.exempt {
                lang.pick("免提交", "exempt")
            } else {
                "      "
            },
            pad_code(&inert(&mat.material), 10),
            inert(&mat.name)
        ));
    }
    out
}

/// One line per answer set.
fn table(merges: &[Merge], lang: Lang) -> String {
    let mut out = format!(
        "{}  {:>13}  {:>13}  {:>9}  {:>7}\n",
        pad(lang.pick("回答", "answers"), 40),
        lang.pick("字段", "fields"),
        lang.pick("材料", "materials"),
        lang.pick("天", "days"),
        lang.pick("事项", "items")
    );
    for m in merges {
        let s = &m.stats;
        out.push_str(&format!(
            "{}  {:>5} → {:<5}  {:>5} → {:<5}  {:>3} → {:<3}  {:>7}\n",
            pad(&inert(&answers_text(&m.answers)), 40),
            s.fields_before,
            s.fields_after,
            s.materials_before,
            s.materials_after,
            s.time_sum_days,
            s.time_critical_days,
            s.items_visible
        ));
    }
    out
}
