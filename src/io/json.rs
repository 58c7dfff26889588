//! Interchange format v1: `{"format": "yibiao/1", "regions": [...], ..., "bundles": [...]}`.
//!
//! Export is deterministic (kinds in a fixed order, records by code, fields in declaration
//! order, two-space indentation), so export → import → export is byte-identical. Import
//! is all-or-nothing: every problem is reported with its JSON path and nothing is
//! written unless the whole file is valid.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::check::check_import;
use super::progress::{Control, Phase, Stop, Unit};
use crate::i18n::Lang;
use crate::model::{
    Agency, Bundle, Catalog, Element, Form, Item, Kind, Material, Record, RecordRef, Region,
};

/// The format tag of version 1.
pub const FORMAT: &str = "yibiao/1";

pub use super::check::FileProblem;

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
    import_value(parse_json(text, lang)?, catalog, lang, &Control::none())
        .map_err(Stop::into_problems)
}

/// The UTF-8 byte order mark, which Windows Notepad puts before the text it saves.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// JSON bytes without a leading byte order mark, which JSON does not allow but editors write.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Parses JSON text (a leading byte order mark skipped), reporting a syntax error with its
/// line and column.
pub fn parse_json(text: &str, lang: Lang) -> Result<Value, Vec<FileProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
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
    })
}

/// As [`parse_import`], on JSON already parsed; reports the records decoded and then
/// validated, and stops when cancelled.
pub fn import_value(
    root: Value,
    catalog: &Catalog,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Vec<Record>, Stop> {
    let mut problems = Vec::new();
    let Value::Object(mut top) = root else {
        return Err(Stop::Problems(vec![FileProblem {
            path: String::new(),
            message: lang
                .pick("顶层应为对象", "the top level must be an object")
                .into(),
        }]));
    };
    let total: u64 = Kind::ALL
        .iter()
        .filter_map(|k| top.get(k.plural()).and_then(Value::as_array))
        .map(|a| a.len() as u64)
        .sum();
    let mut done = 0;
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
            done += 1;
            control.step(Phase::Parsing, Unit::Records, done, total)?;
            let path = format!("{}[{i}]", kind.plural());
            let versioned = value.get("version").is_some();
            match decode_record(kind, value) {
                Ok(mut record) => {
                    if !versioned {
                        crate::engine::workflow::published_without_version(&mut record);
                    }
                    records.push((path, record));
                }
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
    let count = records.len() as u64;
    control.step(Phase::Validating, Unit::Records, 0, count)?;
    let (records, found) =
        check_import(records, catalog, lang, |path, inner| join_path(path, inner));
    control.step(Phase::Validating, Unit::Records, count, count)?;
    problems.extend(found);
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(Stop::Problems(problems))
    }
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
