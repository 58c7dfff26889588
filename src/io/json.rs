//! Interchange format v1: `{"format": "yibiao/1", "regions": [...], ..., "bundles": [...]}`.
//!
//! Export is deterministic (kinds in a fixed order, records by code, fields in declaration
//! order, two-space indentation), so export → import → export is byte-identical. Import
//! is all-or-nothing: every problem is reported with its JSON path and nothing is
//! written unless the whole file is valid.

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::i18n::Lang;
use crate::model::invariants::{Changes, Overlay, check_records};
use crate::model::{
    Agency, Bundle, Catalog, Element, Form, Item, Kind, Material, Record, RecordRef, Region,
};

/// The format tag of version 1.
pub const FORMAT: &str = "yibiao/1";

/// A problem in an interchange file, at a JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// `forms[3].sections[0].fields[2].element`, or empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    regions: Vec<&'a Region>,
    agencies: Vec<&'a Agency>,
    elements: Vec<&'a Element>,
    items: Vec<&'a Item>,
    materials: Vec<&'a Material>,
    forms: Vec<&'a Form>,
    bundles: Vec<&'a Bundle>,
}

/// The whole catalog as interchange JSON (ends with a newline).
pub fn export(catalog: &Catalog) -> String {
    let doc = Document {
        format: FORMAT,
        regions: catalog.regions.values().collect(),
        agencies: catalog.agencies.values().collect(),
        elements: catalog.elements.values().collect(),
        items: catalog.items.values().collect(),
        materials: catalog.materials.values().collect(),
        forms: catalog.forms.values().collect(),
        bundles: catalog.bundles.values().collect(),
    };
    // serializing plain data structs to a String cannot fail
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses an interchange file and checks it against `catalog` as if it were imported.
/// Returns the records in file order, or every problem found.
pub fn parse_import(
    text: &str,
    catalog: &Catalog,
    lang: Lang,
) -> Result<Vec<Record>, Vec<FileProblem>> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: String::new(),
            message: lang.pick(
                format!(
                    "不是有效的 JSON（第 {} 行第 {} 列）：{e}",
                    e.line(),
                    e.column()
                ),
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            ),
        }]
    })?;
    let mut problems = Vec::new();
    let Value::Object(mut top) = root else {
        return Err(vec![FileProblem {
            path: String::new(),
            message: lang
                .pick("顶层应为对象", "the top level must be an object")
                .into(),
        }]);
    };
    match top.remove("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(other) => problems.push(FileProblem {
            path: "format".into(),
            message: lang.pick(
                format!("不支持的格式 {other}，应为 \"{FORMAT}\""),
                format!("unsupported format {other}, expected \"{FORMAT}\""),
            ),
        }),
        None => problems.push(FileProblem {
            path: "format".into(),
            message: lang.pick(
                format!("缺少 format（应为 \"{FORMAT}\"）"),
                format!("missing (expected \"{FORMAT}\")"),
            ),
        }),
    }
    // (path, record) in file order
    let mut records: Vec<(String, Record)> = Vec::new();
    for kind in Kind::ALL {
        let Some(list) = top.remove(kind.plural()) else {
            continue;
        };
        let Value::Array(list) = list else {
            problems.push(FileProblem {
                path: kind.plural().into(),
                message: lang.pick("应为数组", "must be an array").into(),
            });
            continue;
        };
        for (i, value) in list.into_iter().enumerate() {
            let path = format!("{}[{i}]", kind.plural());
            match decode_record(kind, value) {
                Ok(record) => records.push((path, record)),
                Err((inner, message)) => problems.push(FileProblem {
                    path: join_path(&path, &inner),
                    message,
                }),
            }
        }
    }
    let mut unknown: Vec<String> = top.keys().cloned().collect();
    unknown.sort();
    for key in unknown {
        problems.push(FileProblem {
            path: key,
            message: lang.pick("未知的顶层键", "unknown top-level key").into(),
        });
    }
    problems.extend(check_import(&mut records, catalog, lang));
    if problems.is_empty() {
        Ok(records.into_iter().map(|(_, r)| r).collect())
    } else {
        Err(problems)
    }
}

/// Drops duplicate codes (reporting them) and checks the rest against the catalog.
fn check_import(
    records: &mut Vec<(String, Record)>,
    catalog: &Catalog,
    lang: Lang,
) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    let mut first_at: HashMap<(Kind, String), String> = HashMap::new();
    records.retain(|(path, record)| {
        let key = (record.kind(), record.code().to_string());
        if let Some(first) = first_at.get(&key) {
            let issue = crate::model::Issue::DuplicateCode {
                code: key.1.clone(),
                first: first.clone(),
            };
            problems.push(FileProblem {
                path: format!("{path}.code"),
                message: issue.message(lang),
            });
            false
        } else {
            first_at.insert(key, path.clone());
            true
        }
    });
    let changes: Changes = records
        .iter()
        .map(|(_, r)| ((r.kind(), r.code().to_string()), Some(r.clone())))
        .collect();
    let view = Overlay {
        base: catalog,
        changes: &changes,
    };
    for problem in check_records(&view, records.iter().map(|(_, r)| r.as_ref())) {
        let key = (problem.kind, problem.code.clone());
        let base = first_at
            .get(&key)
            .cloned()
            .unwrap_or_else(|| format!("{} {}", problem.kind.as_str(), problem.code));
        problems.push(FileProblem {
            path: join_path(&base, &problem.path),
            message: problem.issue.message(lang),
        });
    }
    problems
}

fn join_path(base: &str, inner: &str) -> String {
    if inner.is_empty() || inner == "." {
        base.to_string()
    } else if inner.starts_with('[') {
        format!("{base}{inner}")
    } else {
        format!("{base}.{inner}")
    }
}

/// Decodes one record; on failure returns the path inside it and the message.
fn decode_record(kind: Kind, value: Value) -> Result<Record, (String, String)> {
    fn typed<T: DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            (path, e.into_inner().to_string())
        })
    }
    Ok(match kind {
        Kind::Region => Record::Region(typed(value)?),
        Kind::Agency => Record::Agency(typed(value)?),
        Kind::Element => Record::Element(typed(value)?),
        Kind::Item => Record::Item(typed(value)?),
        Kind::Material => Record::Material(typed(value)?),
        Kind::Form => Record::Form(typed(value)?),
        Kind::Bundle => Record::Bundle(typed(value)?),
    })
}

/// One record as pretty JSON (for `show --json`).
pub fn record_json(record: RecordRef<'_>) -> Value {
    let value = match record {
        RecordRef::Region(r) => serde_json::to_value(r),
        RecordRef::Agency(r) => serde_json::to_value(r),
        RecordRef::Element(r) => serde_json::to_value(r),
        RecordRef::Item(r) => serde_json::to_value(r),
        RecordRef::Material(r) => serde_json::to_value(r),
        RecordRef::Form(r) => serde_json::to_value(r),
        RecordRef::Bundle(r) => serde_json::to_value(r),
    };
    value.unwrap_or(Value::Null)
}
