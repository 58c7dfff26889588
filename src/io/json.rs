//! Interchange format v1: `{"format": "yibiao/1", "regions": [...], ..., "bundles": [...]}`.
//!
//! Export is deterministic (kinds in a fixed order, records by code, fields in declaration
//! order, two-space indentation), so export → import → export is byte-identical. Import
//! is all-or-nothing: every problem is reported with its JSON path and nothing is
//! written unless the whole file is valid.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::check::{Rejected, check_import};
use super::progress::{Control, Phase, Stop, Unit};
use crate::i18n::Lang;
use crate::model::invariants::Lookup;
use crate::model::{Catalog, Kind, Record, RecordRef, RecordSource, Sharing};

/// The format tag of version 1.
pub const FORMAT: &str = "yibiao/1";

pub use super::check::FileProblem;

/// One kind's records as a JSON array, read from the source as they are written.
struct Records<'s> {
    source: &'s dyn RecordSource,
    kind: Kind,
}

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(None)?;
        let mut failed = None;
        let read = self.source.each_record(self.kind, &mut |record| {
            let written = match record {
                RecordRef::Region(r) => seq.serialize_element(r),
                RecordRef::Agency(r) => seq.serialize_element(r),
                RecordRef::Element(r) => seq.serialize_element(r),
                RecordRef::Item(r) => seq.serialize_element(r),
                RecordRef::Material(r) => seq.serialize_element(r),
                RecordRef::Form(r) => seq.serialize_element(r),
                RecordRef::Bundle(r) => seq.serialize_element(r),
            };
            written.map_err(|e| {
                failed = Some(e);
                std::io::Error::other("the export stopped")
            })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        read.map_err(S::Error::custom)?;
        seq.end()
    }
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    regions: Records<'a>,
    agencies: Records<'a>,
    elements: Records<'a>,
    items: Records<'a>,
    materials: Records<'a>,
    forms: Records<'a>,
    bundles: Records<'a>,
}

/// The whole catalog as interchange JSON (ends with a newline).
pub fn export(catalog: &Catalog) -> String {
    let mut bytes = Vec::new();
    // writing plain data structs to a Vec cannot fail
    let _ = export_to(catalog, &mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`export`] of the records of `source`, written to `out` as they are read.
pub fn export_to(source: &dyn RecordSource, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let records = |kind| Records { source, kind };
    let doc = Document {
        format: FORMAT,
        regions: records(Kind::Region),
        agencies: records(Kind::Agency),
        elements: records(Kind::Element),
        items: records(Kind::Item),
        materials: records(Kind::Material),
        forms: records(Kind::Form),
        bundles: records(Kind::Bundle),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// Parses an interchange file and checks it against the `stored` records (a loaded catalog,
/// or a store's read as looked up) as if it were imported.
/// Returns the records in file order, or every problem found.
pub fn parse_import(
    text: &str,
    stored: &dyn Lookup,
    lang: Lang,
) -> Result<Vec<Record>, Vec<FileProblem>> {
    let control = Control::none();
    let found = match import_text(text, stored, lang, &control) {
        Some(found) => found,
        // not an object: the whole parse says why, with its line and column
        None => import_value(parse_json(text, lang)?, stored, lang, &control),
    };
    found.map_err(Stop::into_problems)
}

/// Imports interchange text a record at a time (see `Node`); `None` when the text is not
/// a JSON object, or is a county catalog (`departments` without `format`): parse it whole.
pub fn import_text(
    text: &str,
    stored: &dyn Lookup,
    lang: Lang,
    control: &Control<'_>,
) -> Option<Result<Vec<Record>, Stop>> {
    let top = top_level(text)?;
    Some(import_top(top, stored, lang, control))
}

/// The top level of interchange text, its values left as text; `None` as for
/// [`import_text`].
fn top_level(text: &str) -> Option<BTreeMap<String, Node<'_>>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let top = serde_json::from_str::<BTreeMap<String, &RawValue>>(text).ok()?;
    if top.contains_key("departments") && !top.contains_key("format") {
        return None;
    }
    Some(top.into_iter().map(|(k, v)| (k, Node::Raw(v))).collect())
}

/// A value of an interchange file's top level: parsed, or left as its text until it is
/// decoded, so that a large file is parsed a record at a time (a million-element backup as
/// one `Value` took about six times its size: 7.5 GB for its 1.1 GB).
enum Node<'a> {
    /// Parsed already.
    Parsed(Value),
    /// Its JSON text, checked for syntax.
    Raw(&'a RawValue),
}

impl<'a> Node<'a> {
    fn into_value(self) -> Value {
        match self {
            Node::Parsed(value) => value,
            // checked when the top level was read
            Node::Raw(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }

    /// The entries of an array; `None` for anything else.
    fn into_list(self) -> Option<Vec<Node<'a>>> {
        match self {
            Node::Parsed(Value::Array(list)) => Some(list.into_iter().map(Node::Parsed).collect()),
            Node::Parsed(_) => None,
            Node::Raw(raw) => serde_json::from_str::<Vec<&RawValue>>(raw.get())
                .ok()
                .map(|list| list.into_iter().map(Node::Raw).collect()),
        }
    }
}

fn not_an_object(lang: Lang) -> FileProblem {
    FileProblem {
        path: String::new(),
        message: lang
            .pick("顶层应为对象", "the top level must be an object")
            .into(),
    }
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
            message: syntax_message(&e, lang),
        }]
    })
}

/// Why a text is not JSON, with the line and column: serde_json's English text in English; in
/// Chinese what kind of error it is (the text ends too soon, a syntax error, a value of the
/// wrong type) and what was expected, in Chinese.
fn syntax_message(e: &serde_json::Error, lang: Lang) -> String {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    if lang == Lang::En {
        return format!("not valid JSON (line {line}, column {column}): {e}");
    }
    let full = e.to_string();
    let text = full
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&full);
    let detail = match text {
        "EOF while parsing a list" => "数组没有结束，缺少 ]".to_string(),
        "EOF while parsing an object" => "对象没有结束，缺少 }".into(),
        "EOF while parsing a string" => "字符串没有结束，缺少 \"".into(),
        "EOF while parsing a value" => "缺少值".into(),
        "expected `:`" => "应为 :".into(),
        "expected `,` or `]`" => "应为 , 或 ]".into(),
        "expected `,` or `}`" => "应为 , 或 }".into(),
        "expected ident" => "无法识别的词，应为 true、false 或 null".into(),
        "expected value" => "应为一个值".into(),
        "expected `\"`" => "应为 \"".into(),
        "invalid escape" => "无效的转义".into(),
        "invalid number" => "无效的数字".into(),
        "number out of range" => "数字超出范围".into(),
        "invalid unicode code point"
        | "lone leading surrogate in hex escape"
        | "unexpected end of hex escape" => "无效的 \\u 转义".into(),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "字符串中有控制字符（U+0000–U+001F，应写成转义）".into()
        }
        "key must be a string" => "对象的键必须是字符串".into(),
        "trailing comma" => "多余的逗号".into(),
        "trailing characters" => "JSON 结束后还有多余的字符".into(),
        "recursion limit exceeded" => "嵌套层数太多".into(),
        other => crate::i18n::serde_message(other, lang),
    };
    let what = match e.classify() {
        Category::Eof => "文件意外结束",
        Category::Syntax => "语法错误",
        Category::Data => "数据类型不对",
        Category::Io => "读取出错",
    };
    format!("不是有效的 JSON：第 {line} 行第 {column} 列{what}（{detail}）")
}

/// As [`parse_import`], on JSON already parsed; reports the records decoded and then
/// validated, and stops when cancelled.
pub fn import_value(
    root: Value,
    stored: &dyn Lookup,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Vec<Record>, Stop> {
    let Value::Object(top) = root else {
        return Err(Stop::Problems(vec![not_an_object(lang)]));
    };
    let top = top.into_iter().map(|(k, v)| (k, Node::Parsed(v))).collect();
    import_top(top, stored, lang, control)
}

/// [`import_value`] of a top level whose values may still be text.
fn import_top(
    top: BTreeMap<String, Node<'_>>,
    stored: &dyn Lookup,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Vec<Record>, Stop> {
    decode_top(top, lang, control)?.check(stored, lang, control)
}

/// The records of an interchange file, decoded but not yet checked against a catalog: they
/// no longer borrow the file's text, which can be dropped before they are checked.
pub struct Decoded {
    /// (kind and place in its list, record) in file order.
    records: Vec<((Kind, usize), Record)>,
    /// Problems found while decoding.
    problems: Vec<FileProblem>,
    /// Records that did not decode.
    rejected: Rejected,
}

impl Decoded {
    /// Checks the records against the `stored` records as if they were imported: the records in file
    /// order, or every problem found (those of decoding first).
    pub fn check(
        self,
        stored: &dyn Lookup,
        lang: Lang,
        control: &Control<'_>,
    ) -> Result<Vec<Record>, Stop> {
        let Decoded {
            records,
            mut problems,
            rejected,
        } = self;
        let count = records.len() as u64;
        control.step(Phase::Validating, Unit::Records, 0, count)?;
        let (records, found) =
            check_import(records, stored, lang, rejected, |&(kind, i), inner| {
                join_path(&list_path(kind, i), inner)
            });
        control.step(Phase::Validating, Unit::Records, count, count)?;
        problems.extend(found);
        if problems.is_empty() {
            Ok(records)
        } else {
            Err(Stop::Problems(problems))
        }
    }
}

/// Interchange text decoded a record at a time, not yet checked ([`Decoded::check`]); `None`
/// as for [`import_text`].
pub fn decode_text(text: &str, lang: Lang, control: &Control<'_>) -> Option<Result<Decoded, Stop>> {
    let top = top_level(text)?;
    Some(decode_top(top, lang, control))
}

/// The records of a top level, decoded.
fn decode_top(
    mut top: BTreeMap<String, Node<'_>>,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Decoded, Stop> {
    // equal texts decoded here (field keys and labels, definitions, agency codes) share one
    // copy, as the store's loader shares them: a restore holds every record of its file
    let _sharing = Sharing::start();
    let mut problems = Vec::new();
    let lists: Vec<(Kind, Option<Vec<Node<'_>>>)> = Kind::ALL
        .into_iter()
        .filter_map(|kind| top.remove(kind.plural()).map(|n| (kind, n.into_list())))
        .collect();
    let total: u64 = lists
        .iter()
        .filter_map(|(_, list)| list.as_ref())
        .map(|a| a.len() as u64)
        .sum();
    let mut done = 0;
    match top.remove("format").map(Node::into_value) {
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
    // (kind and place in its list, record) in file order
    let mut records: Vec<((Kind, usize), Record)> =
        Vec::with_capacity(usize::try_from(total).unwrap_or_default());
    // records that do not decode: references to them are counted, not reported each
    let mut rejected = Rejected::default();
    for (kind, list) in lists {
        let Some(list) = list else {
            problems.push(FileProblem {
                path: kind.plural().into(),
                message: lang.pick("应为数组", "must be an array").into(),
            });
            continue;
        };
        for (i, node) in list.into_iter().enumerate() {
            let value = node.into_value();
            done += 1;
            control.step(Phase::Parsing, Unit::Records, done, total)?;
            let code = value
                .get("code")
                .and_then(Value::as_str)
                .map(str::to_string);
            match decode_record(kind, value, lang) {
                Ok(mut record) => {
                    // published without a version, or at version 0: V1, as publishing
                    // here would make it (the store keeps the same rule)
                    record.published_at_least_v1();
                    records.push(((kind, i), record));
                }
                Err((inner, message)) => {
                    let path = list_path(kind, i);
                    problems.push(FileProblem {
                        path: join_path(&path, &inner),
                        message,
                    });
                    rejected.add(kind, code.as_deref().unwrap_or_default(), path);
                }
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
    Ok(Decoded {
        records,
        problems,
        rejected,
    })
}

/// The path of entry `i` of the list of `kind` records (`elements[3]`).
fn list_path(kind: Kind, i: usize) -> String {
    format!("{}[{i}]", kind.plural())
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

/// Decodes one record; on failure returns the path inside it and the message in `lang`.
fn decode_record(kind: Kind, value: Value, lang: Lang) -> Result<Record, (String, String)> {
    fn typed<T: DeserializeOwned>(value: Value, lang: Lang) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let message = crate::i18n::serde_message(&e.into_inner().to_string(), lang);
            (path, message)
        })
    }
    Ok(match kind {
        Kind::Region => Record::Region(typed(value, lang)?),
        Kind::Agency => Record::Agency(typed(value, lang)?),
        Kind::Element => Record::Element(typed(value, lang)?),
        Kind::Item => Record::Item(typed(value, lang)?),
        Kind::Material => Record::Material(typed(value, lang)?),
        Kind::Form => Record::Form(typed(value, lang)?),
        Kind::Bundle => Record::Bundle(typed(value, lang)?),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str, lang: Lang) -> Vec<String> {
        parse_import(text, &Catalog::default(), lang)
            .expect_err("problems")
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    }

    #[test]
    fn a_file_read_a_record_at_a_time_gives_what_a_whole_parse_gives() {
        let whole = |text: &str| {
            let value = parse_json(text, Lang::En).expect("JSON");
            import_value(value, &Catalog::default(), Lang::En, &Control::none())
                .map_err(Stop::into_problems)
        };
        let lazy = |text: &str| {
            import_text(text, &Catalog::default(), Lang::En, &Control::none())
                .expect("an object")
                .map_err(Stop::into_problems)
        };
        let good = include_str!("../../tests/fixtures/small.json");
        let records = lazy(good).expect("imports");
        assert!(records.len() > 10);
        assert_eq!(records, whole(good).expect("imports"));
        let bad = [
            r#"{"format": "yibiao/2", "elements": {}, "extra": 1}"#,
            r#"{"elements": [{"code": "E1", "name": "甲", "kind": "nope"}, 7]}"#,
            r#"{"format": "yibiao/1", "forms": [{"code": "F1", "name": "表", "sections": [{"title": "一", "fields": [{"key": "a", "label": "甲", "element": "E9"}]}]}]}"#,
        ];
        for text in bad {
            let problems = lazy(text).expect_err("problems");
            assert!(!problems.is_empty());
            assert_eq!(problems, whole(text).expect_err("problems"), "{text}");
        }
        // not an object, or a county catalog: parsed whole
        assert!(import_text("[1]", &Catalog::default(), Lang::En, &Control::none()).is_none());
        let county = r#"{"departments": []}"#;
        assert!(import_text(county, &Catalog::default(), Lang::En, &Control::none()).is_none());
    }

    #[test]
    fn a_json_syntax_error_reads_in_chinese_with_its_line_and_column() {
        let cases = [
            (
                "{\"format\": \"yibiao/1\"\n",
                "不是有效的 JSON：第 2 行第 0 列文件意外结束（对象没有结束，缺少 }）",
                "not valid JSON (line 2, column 0): EOF while parsing an object at line 2 column 0",
            ),
            (
                "{\"format\": \"yibiao/1\", \"elements\": [",
                "不是有效的 JSON：第 1 行第 36 列文件意外结束（数组没有结束，缺少 ]）",
                "not valid JSON (line 1, column 36): EOF while parsing a list at line 1 column 36",
            ),
            (
                "{\"format\": \"yibiao/1\", \"elements\": [1 2]}",
                "不是有效的 JSON：第 1 行第 39 列语法错误（应为 , 或 ]）",
                "not valid JSON (line 1, column 39): expected `,` or `]` at line 1 column 39",
            ),
            (
                "{\"format\": \"yibiao/1\",}",
                "不是有效的 JSON：第 1 行第 23 列语法错误（多余的逗号）",
                "not valid JSON (line 1, column 23): trailing comma at line 1 column 23",
            ),
            (
                "{\"format\": nope}",
                "不是有效的 JSON：第 1 行第 13 列语法错误（无法识别的词，应为 true、false 或 null）",
                "not valid JSON (line 1, column 13): expected ident at line 1 column 13",
            ),
        ];
        for (text, zh, en) in cases {
            assert_eq!(problems(text, Lang::Zh), [format!(": {zh}")], "{text}");
            assert_eq!(problems(text, Lang::En), [format!(": {en}")], "{text}");
        }
    }

    #[test]
    fn a_record_that_does_not_decode_reads_in_chinese() {
        let text = r#"{"format": "yibiao/1", "elements": [
            {"code": "DE1", "name": "甲", "kind": "bogus"},
            {"name": "乙", "kind": "text"},
            {"code": "DE3", "name": "丙", "kind": "text", "security_level": "high"}]}"#;
        let zh = problems(text, Lang::Zh);
        assert!(
            zh[0].starts_with("elements[0].kind: 未知的取值 bogus（可用：email、"),
            "{zh:?}"
        );
        assert_eq!(zh[1], "elements[1]: 缺少字段 code");
        assert_eq!(
            zh[2],
            "elements[2].security_level: 类型不对：字符串 \"high\"，应为非负整数"
        );
        let en = problems(text, Lang::En);
        assert!(en[0].contains("unknown variant `bogus`"), "{en:?}");
        assert_eq!(en[1], "elements[1]: missing field `code`");
    }

    #[test]
    fn references_to_a_record_that_does_not_decode_are_counted_in_one_line() {
        let fixture = include_str!("../../tests/fixtures/small.json");
        let mut doc: Value = serde_json::from_str(fixture).expect("fixture");
        let elements = doc["elements"].as_array_mut().expect("elements");
        let at = elements
            .iter()
            .position(|e| e["code"] == "DE0001")
            .expect("DE0001");
        elements[at]["kind"] = "bogus".into();
        let text = doc.to_string();
        let en = problems(&text, Lang::En);
        assert!(!en.iter().any(|p| p.contains("unknown element")), "{en:#?}");
        assert_eq!(en.len(), 2, "{en:#?}");
        assert!(en[0].starts_with(&format!("elements[{at}].kind: unknown variant `bogus`")));
        assert_eq!(
            en[1],
            format!("elements[{at}]: and 2 references to DE0001 fail because of it")
        );
        let zh = problems(&text, Lang::Zh);
        assert_eq!(
            zh[1],
            format!("elements[{at}]: 另有 2 处引用 DE0001 因此无法导入")
        );
    }
}
