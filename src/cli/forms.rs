//! `form lint` and `form export`: the form lint rules, and a blank form an agency can
//! circulate (sections, field keys, labels, required flags, element codes, kinds, format
//! hints, examples and options) as JSON or XLSX.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::display::{inert, pad, pad_code};
use crate::engine::dups::Covers;
use crate::engine::form_filter::{self, FormFilter, FormIndex, Readings};
use crate::engine::lint::{self, Warning};
use crate::engine::preview::{self, Preview};
use crate::i18n::Lang;
use crate::io::table::Cell;
use crate::io::table::cells::join_when;
use crate::io::xlsx::{NamedSheet, write_named};
use crate::model::{Catalog, ElementOption, Form, FormView, Kind, OutlineSource};
use crate::store::RecordReader;

use super::commands::{pretty, print_out, unknown, write_output};
use super::{EXIT_FAILURE, EXIT_INVALID, Failure};

/// `form list [QUERY…] [--json]`: the forms the query keeps, in code order, as pane 3's
/// filter keeps them, with their item, field count, state and lint warnings (`warned`: the
/// count of each form that has any), from the loaded catalog or the store's outline.
pub fn list(
    source: &impl OutlineSource,
    warned: &HashMap<String, usize>,
    query: &[String],
    json: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    let filter = FormFilter::parse(&query.join(" "));
    let index = filter
        .wants_readings()
        .then(|| FormIndex::build(form_filter::rows(source)));
    let readings = index.as_ref().map(|i| Readings::find(i, &filter));
    let forms = filter.kept(source, |c| warned.contains_key(c), readings.as_ref(), None);
    let item_name = |f: &FormView<'_>| f.item.and_then(|c| source.item(c)).map(|i| i.name);
    let warnings = |f: &FormView<'_>| warned.get(f.code).copied().unwrap_or(0);
    if json {
        let list: Vec<_> = forms
            .iter()
            .map(|f| {
                serde_json::json!({"code": f.code, "name": f.name, "item": f.item,
                    "item_name": item_name(f), "fields": f.fields,
                    "status": f.status.as_str(), "version": f.version,
                    "warnings": warnings(f)})
            })
            .collect();
        return print_out(&pretty(&list));
    }
    let text: String = forms
        .iter()
        .map(|f| {
            let warns = match warnings(f) {
                0 => String::new(),
                n => format!("  !{n}"),
            };
            format!(
                "{}  {}  {}  {:>3} {}  {} V{}{}\n",
                pad_code(&inert(f.code), 10),
                pad(&inert(f.name), 24),
                pad(&inert(item_name(f).unwrap_or("")), 20),
                f.fields,
                lang.pick("字段", "fields"),
                f.status.zh(),
                f.version,
                warns
            )
        })
        .collect();
    print_out(&text)
}

/// `form lint [CODE] [--json]`: exit 1 when there are warnings.
///
/// With `pool`, `catalog` holds just the records linting form `code` reads and `pool` the
/// element pool's covers for its labels (see `UnloadedStore::form_neighbourhood`); without,
/// they are indexed from `catalog`.
pub fn lint(
    catalog: &Catalog,
    pool: Option<&Covers>,
    code: Option<&str>,
    json: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    let warnings: Vec<Warning> = match code {
        Some(code) => {
            let form = catalog
                .forms
                .get(code)
                .ok_or_else(|| unknown(Kind::Form, code, lang))?;
            match pool {
                Some(pool) => lint::lint_form(catalog, pool, form),
                None => {
                    let labels = form.fields().map(|(_, _, f)| f.label.as_str());
                    lint::lint_form(catalog, &Covers::for_labels(catalog, labels), form)
                }
            }
        }
        None => lint::lint(catalog),
    };
    let names: HashMap<String, String> = warnings
        .iter()
        .filter_map(|w| catalog.forms.get(w.form.as_str()))
        .map(|f| (f.code.to_string(), f.name.to_string()))
        .collect();
    print_lint(&warnings, &names, json, lang)
}

/// `form lint` of every form, read from the store a form at a time
/// (see [`RecordReader::lint_forms`]): the same output as from the loaded catalog.
pub fn lint_read(reader: &RecordReader, json: bool, lang: Lang) -> Result<u8, Failure> {
    let mut warnings = Vec::new();
    let mut names = HashMap::new();
    reader
        .lint_forms(&mut |form, found| {
            if !found.is_empty() {
                names.insert(form.code.to_string(), form.name.to_string());
            }
            warnings.extend(found);
        })
        .map_err(|e| Failure::store(e, lang))?;
    print_lint(&warnings, &names, json, lang)
}

/// Prints `warnings` (`names`: the names of their forms by code); exit 1 when there are any.
fn print_lint(
    warnings: &[Warning],
    names: &HashMap<String, String>,
    json: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    if json {
        print_out(&pretty(&warnings))?;
    } else {
        let mut text = String::new();
        // the kind column as wide as its longest name, so none is cut
        let kinds = lint::WarningKind::ALL
            .iter()
            .map(|k| crate::display::width(k.label(lang)))
            .max()
            .unwrap_or(12);
        for w in warnings {
            let name = names.get(w.form.as_str()).map_or("", String::as_str);
            let place = match &w.field {
                Some(key) => format!("{} / {}", inert(&w.section_title), inert(key)),
                None => inert(&w.section_title).into_owned(),
            };
            text.push_str(&format!(
                "{}  {}  {}  {}  {}\n",
                pad_code(&inert(&w.form), 10),
                pad(&inert(name), 24),
                pad(&place, 24),
                pad(w.kind.label(lang), kinds),
                inert(w.message(lang))
            ));
        }
        text.push_str(&lang.pick(
            format!("{} 个警告\n", warnings.len()),
            format!("{} warning(s)\n", warnings.len()),
        ));
        print_out(&text)?;
    }
    Ok(if warnings.is_empty() { 0 } else { EXIT_FAILURE })
}

/// One row of a blank form.
#[derive(Serialize)]
struct BlankField {
    key: String,
    label: String,
    required: bool,
    /// The field this sub-field belongs to (a parent element's child).
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_field_of: Option<String>,
    element: Option<String>,
    kind: Option<&'static str>,
    hint: String,
    example: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<BlankOption>,
    /// Left empty for the applicant.
    value: String,
}

#[derive(Serialize)]
struct BlankOption {
    code: String,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
}

#[derive(Serialize)]
struct BlankSection {
    title: String,
    fields: Vec<BlankField>,
}

#[derive(Serialize)]
struct Blank {
    format: &'static str,
    form: String,
    name: String,
    item: Option<String>,
    status: &'static str,
    version: u32,
    sections: Vec<BlankSection>,
}

fn blank(catalog: &Catalog, form: &Form, lang: Lang) -> Blank {
    let preview = Preview::build(catalog, form);
    let mut sections: Vec<BlankSection> = preview
        .titles
        .iter()
        .map(|t| BlankSection {
            title: t.clone(),
            fields: Vec::new(),
        })
        .collect();
    for row in &preview.rows {
        let (s, f) = row.field;
        let field = &form.sections[s].fields[f];
        let element = row.element.as_deref().and_then(|c| catalog.elements.get(c));
        let options: &[ElementOption] = element.map_or(&[], |e| &e.options);
        let blank = BlankField {
            key: row.key.clone(),
            label: row.label.clone(),
            required: row.required,
            sub_field_of: (row.depth > 0).then(|| field.key.to_string()),
            element: row.element.clone(),
            kind: row.kind.map(|k| k.as_str()),
            hint: element.map_or_else(
                || lang.pick("自由填写", "free text").to_string(),
                |e| preview::hint(e, lang),
            ),
            example: element.map_or_else(String::new, preview::example),
            help: if row.depth == 0 {
                row.help.clone()
            } else {
                None
            },
            when: field
                .when
                .as_deref()
                .filter(|_| row.depth == 0)
                .map(join_when),
            options: options
                .iter()
                .map(|o| BlankOption {
                    code: o.code.to_string(),
                    label: o.label.to_string(),
                    parent: o.parent.as_deref().map(str::to_string),
                })
                .collect(),
            value: String::new(),
        };
        if let Some(section) = sections.get_mut(row.section) {
            section.fields.push(blank);
        }
    }
    Blank {
        format: "yibiao/blank-form/1",
        form: form.code.to_string(),
        name: form.name.to_string(),
        item: form.item.as_deref().map(str::to_string),
        status: form.status.as_str(),
        version: form.version,
        sections,
    }
}

/// `form export CODE FILE.xlsx|FILE.json`: a blank form.
pub fn export(catalog: &Catalog, code: &str, file: &Path, lang: Lang) -> Result<u8, Failure> {
    let form = catalog
        .forms
        .get(code)
        .ok_or_else(|| unknown(Kind::Form, code, lang))?;
    let blank = blank(catalog, form, lang);
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("json") => pretty(&blank).into_bytes(),
        Some("xlsx") => xlsx(&blank, lang)?,
        _ => {
            return Err(Failure {
                code: EXIT_INVALID,
                message: lang
                    .pick(
                        "导出文件须为 .xlsx 或 .json",
                        "the export file must end in .xlsx or .json",
                    )
                    .into(),
            });
        }
    };
    write_output(file, &bytes)?;
    if file != Path::new("-") {
        eprintln_lossy!(
            "{}",
            lang.pick(
                format!("已导出空白表单 {} 到 {}", inert(code), file.display()),
                format!("wrote the blank form {} to {}", inert(code), file.display()),
            )
        );
    }
    Ok(0)
}

fn xlsx(blank: &Blank, lang: Lang) -> Result<Vec<u8>, Failure> {
    let header: Vec<String> = [
        ("分节", "section"),
        ("字段键", "key"),
        ("标签", "label"),
        ("必填", "required"),
        ("数据元", "element"),
        ("类型", "kind"),
        ("格式提示", "hint"),
        ("示例", "example"),
        ("填写说明", "help"),
        ("显示条件", "when"),
        ("可选值", "options"),
        ("填写内容", "value"),
    ]
    .iter()
    .map(|(zh, en)| lang.pick(*zh, *en).to_string())
    .collect();
    let text = |s: &str| Cell::Text(s.to_string());
    let mut rows = Vec::new();
    let mut option_rows = Vec::new();
    for section in &blank.sections {
        for f in &section.fields {
            let options = if f.options.len() <= 20 {
                f.options
                    .iter()
                    .map(|o| format!("{}={}", o.code, o.label))
                    .collect::<Vec<_>>()
                    .join(";")
            } else {
                lang.pick(
                    format!("共 {} 项，见「选项」表", f.options.len()),
                    format!("{} options, see the options sheet", f.options.len()),
                )
            };
            for o in &f.options {
                option_rows.push(vec![
                    text(&f.key),
                    text(f.element.as_deref().unwrap_or("")),
                    text(&o.code),
                    text(&o.label),
                    text(o.parent.as_deref().unwrap_or("")),
                ]);
            }
            rows.push(vec![
                text(&section.title),
                text(&f.key),
                text(&f.label),
                text(if f.required {
                    lang.pick("是", "true")
                } else {
                    lang.pick("否", "false")
                }),
                text(f.element.as_deref().unwrap_or("")),
                text(f.kind.unwrap_or("")),
                text(&f.hint),
                text(&f.example),
                text(f.help.as_deref().unwrap_or("")),
                text(f.when.as_deref().unwrap_or("")),
                text(&options),
                text(""),
            ]);
        }
    }
    let option_header: Vec<String> = [
        ("字段键", "key"),
        ("数据元", "element"),
        ("编码", "code"),
        ("显示值", "label"),
        ("上级选项", "parent"),
    ]
    .iter()
    .map(|(zh, en)| lang.pick(*zh, *en).to_string())
    .collect();
    let sheets = [
        NamedSheet {
            name: lang.pick("申请表", "form"),
            header: &header,
            rows: &rows,
        },
        NamedSheet {
            name: lang.pick("选项", "options"),
            header: &option_header,
            rows: &option_rows,
        },
    ];
    write_named(&sheets, lang).map_err(Failure::new)
}
