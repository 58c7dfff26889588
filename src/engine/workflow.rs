//! Editing and workflow rules shared by every face: which attributes of a record an edit form
//! shows, how the form's text becomes a record again (with per-field errors), new children and
//! copies with fresh codes, and the status transitions submit / return / publish.

use std::collections::BTreeMap;

use compact_str::CompactString;

use crate::i18n::Lang;
use crate::model::invariants::{Changes, Overlay, check_records};
use crate::model::{
    Bundle, Catalog, Element, ElementKind, ElementOption, Item, ItemLevel, ItemType, Kind,
    Material, MaterialKind, Origin, Problem, Record, RecordRef, RefField, Share, SharedText,
    Status,
};

/// One attribute in an edit form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormField {
    /// The attribute (`name`, `parent`, ...); problem paths map onto it.
    pub key: &'static str,
    /// Chinese label.
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
    /// The current value as text.
    pub value: String,
    /// Edited with a multi-line editor.
    pub multiline: bool,
    /// False for attributes fixed once the record exists (the code).
    pub editable: bool,
    /// The values the attribute can take, when it is one of a fixed set (a kind, a level,
    /// yes/no): edited by choosing, not typing. Empty for free text.
    pub choices: Vec<Choice>,
}

/// One value of an attribute with a fixed set of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The value as stored and typed (`cn_id`, `01`, `yes`).
    pub value: &'static str,
    /// Its Chinese name (`身份证号码`).
    pub zh: &'static str,
}

/// The choices of an enumeration: its values and Chinese names.
fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&t| Choice {
            value: value(t),
            zh: zh(t),
        })
        .collect()
}

fn yes_no_choices() -> Vec<Choice> {
    vec![
        Choice {
            value: "yes",
            zh: "是",
        },
        Choice {
            value: "no",
            zh: "否",
        },
    ]
}

/// The choice `typed` picks: the first whose value starts with it (ignoring case), whose
/// Chinese name contains it, or whose name's pinyin (full or initials) starts with it.
pub fn matching_choice(choices: &[Choice], typed: &str) -> Option<usize> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return None;
    }
    let by_value = |c: &Choice| c.value.to_lowercase().starts_with(&typed);
    let by_name = |c: &Choice| c.zh.contains(typed.as_str());
    let by_pinyin = |c: &Choice| {
        crate::engine::search::readings(c.zh)
            .iter()
            .any(|(full, initials)| full.starts_with(&typed) || initials.starts_with(&typed))
    };
    choices
        .iter()
        .position(by_value)
        .or_else(|| choices.iter().position(by_name))
        .or_else(|| choices.iter().position(by_pinyin))
}

impl FormField {
    /// The label in a language.
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

/// A problem with one field of an edit form (`key` empty: the record as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's key, or empty.
    pub key: String,
    /// What is wrong, in the UI language.
    pub message: String,
}

/// A workflow step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// 提交: draft or returned → submitted.
    Submit,
    /// 退回: submitted → returned.
    Return,
    /// 发布: submitted → published, version + 1.
    Publish,
}

impl Transition {
    /// The Chinese verb.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Submit => "提交",
            Self::Return => "退回",
            Self::Publish => "发布",
        }
    }

    /// The English verb.
    pub fn en(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Publish => "publish",
        }
    }
}

/// Why a transition is not allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkflowError {
    /// The record kind has no workflow (materials, regions, agencies).
    NoWorkflow(Kind),
    /// The record's status does not allow the step.
    NotAllowed {
        /// The step.
        transition: Transition,
        /// The current status.
        from: Status,
    },
    /// A bundle cannot be published without these (citizens see a published bundle).
    Incomplete(Vec<Lack>),
}

/// What a bundle lacks to be published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lack {
    /// 牵头部门: who answers for the bundle.
    LeadAgency,
    /// Items: what it bundles.
    Items,
}

impl Lack {
    fn name(self, lang: Lang) -> &'static str {
        match self {
            Self::LeadAgency => lang.pick("牵头部门", "a lead agency"),
            Self::Items => lang.pick("事项", "items"),
        }
    }
}

/// What `bundle` lacks to be published (nothing when it can be).
pub fn bundle_lacks(bundle: &Bundle) -> Vec<Lack> {
    let mut out = Vec::new();
    if bundle
        .lead_agency
        .as_deref()
        .is_none_or(|a| a.trim().is_empty())
    {
        out.push(Lack::LeadAgency);
    }
    if bundle.items.is_empty() {
        out.push(Lack::Items);
    }
    out
}

impl WorkflowError {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::NoWorkflow(kind) => lang.pick(
                format!("{}没有审核流程", kind.zh()),
                format!("{} {} has no workflow", kind.zh(), kind.as_str()),
            ),
            Self::NotAllowed { transition, from } => lang.pick(
                format!("状态为{}时不能{}", from.zh(), transition.zh()),
                format!(
                    "cannot {} a record that is {} {}",
                    transition.en(),
                    from.zh(),
                    from.as_str()
                ),
            ),
            Self::Incomplete(lacks) => {
                let names = |lang: Lang| {
                    let sep = lang.pick("、", ", ");
                    lacks
                        .iter()
                        .map(|l| l.name(lang))
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                lang.pick(
                    format!("主题发布前须有{}（公众看得到已发布的主题）", names(lang)),
                    format!(
                        "a bundle needs {} before it is published (the public sees it)",
                        names(lang)
                    ),
                )
            }
        }
    }
}

/// The status after a step, or why the step is refused.
pub fn next_status(from: Status, transition: Transition) -> Result<Status, WorkflowError> {
    match (transition, from) {
        (Transition::Submit, Status::Draft | Status::Returned) => Ok(Status::Submitted),
        (Transition::Return, Status::Submitted) => Ok(Status::Returned),
        (Transition::Publish, Status::Submitted) => Ok(Status::Published),
        _ => Err(WorkflowError::NotAllowed { transition, from }),
    }
}

/// The record after a workflow step: new status, and on publish the version bumped.
pub fn transition(record: RecordRef<'_>, step: Transition) -> Result<Record, WorkflowError> {
    let kind = record.kind();
    if let (RecordRef::Bundle(b), Transition::Publish) = (record, step) {
        let lacks = bundle_lacks(b);
        if !lacks.is_empty() && next_status(b.status, step).is_ok() {
            return Err(WorkflowError::Incomplete(lacks));
        }
    }
    let mut record = record.to_record();
    let (status, version) = status_mut(&mut record).ok_or(WorkflowError::NoWorkflow(kind))?;
    *status = next_status(*status, step)?;
    if step == Transition::Publish {
        *version += 1;
    }
    Ok(record)
}

/// The status and version of records that have a workflow.
fn status_mut(record: &mut Record) -> Option<(&mut Status, &mut u32)> {
    match record {
        Record::Item(r) => Some((&mut r.status, &mut r.version)),
        Record::Element(r) => Some((&mut r.status, &mut r.version)),
        Record::Form(r) => Some((&mut r.status, &mut r.version)),
        Record::Bundle(r) => Some((&mut r.status, &mut r.version)),
        Record::Region(_) | Record::Agency(_) | Record::Material(_) => None,
    }
}

/// The fields an edit form shows for a record; `new` makes the code editable.
/// Regions, agencies and forms are edited in their own panes and get name only.
pub fn edit_fields(record: RecordRef<'_>, new: bool) -> Vec<FormField> {
    let f = |key, zh, en, value: String| FormField {
        key,
        zh,
        en,
        value,
        multiline: false,
        editable: true,
        choices: Vec::new(),
    };
    // an attribute chosen from a fixed set
    let pick = |key, zh, en, value: String, choices: Vec<Choice>| FormField {
        choices,
        ..f(key, zh, en, value)
    };
    // a field holding other records' codes: keyed and labelled as the reference it holds
    let reference = |field: RefField, owner: Kind, value: String| {
        f(field.as_str(), field.zh(owner), field.as_str(), value)
    };
    let code = FormField {
        editable: new,
        ..f("code", "编码", "code", record.code().to_string())
    };
    let mut fields = vec![code, f("name", "名称", "name", record.name().to_string())];
    match record {
        RecordRef::Item(i) => fields.extend([
            pick(
                "level",
                "层级",
                "level",
                i.level.as_str().into(),
                choices(&ItemLevel::ALL, ItemLevel::as_str, ItemLevel::zh),
            ),
            reference(RefField::Parent, Kind::Item, text_of(&i.parent)),
            pick(
                "item_type",
                "事项类型",
                "item_type",
                i.item_type.code().into(),
                choices(&ItemType::ALL, ItemType::code, ItemType::zh),
            ),
            reference(RefField::Agency, Kind::Item, text_of(&i.agency)),
            reference(RefField::Region, Kind::Item, text_of(&i.region)),
            FormField {
                multiline: true,
                ..f("basis", "设定依据", "basis", i.basis.to_string())
            },
            f(
                "time_limit_days",
                "承诺时限(工作日)",
                "time_limit_days",
                i.time_limit_days.to_string(),
            ),
            f(
                "legal_limit_days",
                "法定时限(工作日)",
                "legal_limit_days",
                i.legal_limit_days.to_string(),
            ),
            f("fee", "收费", "fee", i.fee.to_string()),
            f(
                "online_depth",
                "网办深度(0-4)",
                "online_depth",
                i.online_depth.to_string(),
            ),
            reference(RefField::DependsOn, Kind::Item, i.depends_on.join(", ")),
            reference(RefField::Materials, Kind::Item, i.materials.join(", ")),
        ]),
        RecordRef::Material(m) => fields.extend([
            pick(
                "kind",
                "材料类型",
                "kind",
                m.kind.as_str().into(),
                choices(&MaterialKind::ALL, MaterialKind::as_str, MaterialKind::zh),
            ),
            f("source", "来源渠道", "source", m.source.clone()),
            reference(
                RefField::IssuingAgency,
                Kind::Material,
                text_of(&m.issuing_agency),
            ),
            f(
                "licence_code",
                "证照目录编码",
                "licence_code",
                text_of(&m.licence_code),
            ),
            pick(
                "shareable",
                "免提交(共享)",
                "shareable",
                yes_no(m.shareable),
                yes_no_choices(),
            ),
            f("copies", "份数", "copies", m.copies.to_string()),
            pick(
                "required",
                "是否必要",
                "required",
                yes_no(m.required),
                yes_no_choices(),
            ),
        ]),
        RecordRef::Bundle(b) => fields.extend([
            reference(RefField::LeadAgency, Kind::Bundle, text_of(&b.lead_agency)),
            reference(RefField::Items, Kind::Bundle, b.items.join(", ")),
        ]),
        RecordRef::Element(e) => fields.extend([
            f("synonyms", "同义词", "synonyms", e.synonyms.join("; ")),
            pick(
                "kind",
                "类型",
                "kind",
                e.kind.as_str().into(),
                choices(&ElementKind::ALL, ElementKind::as_str, ElementKind::zh),
            ),
            FormField {
                multiline: true,
                ..f("definition", "定义", "definition", e.definition.to_string())
            },
            f("pattern", "正则表达式", "pattern", text_of(&e.pattern)),
            f("unit", "单位", "unit", text_of(&e.unit)),
            reference(RefField::Parent, Kind::Element, text_of(&e.parent)),
            reference(
                RefField::SourceAgency,
                Kind::Element,
                text_of(&e.source_agency),
            ),
            pick(
                "share",
                "共享属性",
                "share",
                e.share.as_str().into(),
                choices(&Share::ALL, Share::as_str, Share::zh),
            ),
            f(
                "security_level",
                "安全级别(1-4)",
                "security_level",
                e.security_level.to_string(),
            ),
            FormField {
                multiline: true,
                ..f("options", "可选值", "options", options_text(&e.options))
            },
        ]),
        _ => {}
    }
    fields
}

/// An element's options as edited: one per line, `code=label`, then `|parent=CODE` (the
/// option of the level above in a cascade) and `|kind=cn_id` (the validator a document-type
/// choice selects).
pub fn options_text(options: &[ElementOption]) -> String {
    options
        .iter()
        .map(|o| {
            let mut line = format!("{}={}", o.code, o.label);
            if let Some(p) = &o.parent {
                line.push_str(&format!("|parent={p}"));
            }
            if let Some(k) = o.kind {
                line.push_str(&format!("|kind={}", k.as_str()));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses [`options_text`]; an error names the first bad line (1-based).
pub fn parse_options(text: &str, lang: Lang) -> Result<Vec<ElementOption>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            lang.pick(
                format!("第 {} 行：{why}（格式 code=label|parent=P|kind=K）", n + 1),
                format!("line {}: {why} (write code=label|parent=P|kind=K)", n + 1),
            )
        };
        let mut parts = line.split('|');
        let head = parts.next().unwrap_or("");
        let Some((code, label)) = head.split_once('=') else {
            return Err(bad(lang.pick("缺少 =", "no =")));
        };
        let mut option = ElementOption {
            code: code.trim().into(),
            label: label.trim().into(),
            parent: None,
            kind: None,
        };
        for part in parts {
            match part.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("parent", v)) if !v.is_empty() => option.parent = Some(v.into()),
                Some(("kind", v)) => match parse_kind(v) {
                    Some(k) => option.kind = Some(k),
                    None => return Err(bad(lang.pick("未知的类型", "unknown kind"))),
                },
                _ => return Err(bad(lang.pick("无法识别", "not understood"))),
            }
        }
        out.push(option);
    }
    Ok(out)
}

/// An element kind from its interchange spelling or its Chinese name.
pub fn parse_kind(s: &str) -> Option<ElementKind> {
    let s = s.trim();
    ElementKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s || k.zh() == s)
}

/// A share attribute from `open` / `conditional` / `none` or 无条件 / 有条件 / 不予共享.
fn parse_share(s: &str) -> Option<Share> {
    match s.trim() {
        "open" | "无条件" | "无条件共享" => Some(Share::Open),
        "conditional" | "有条件" | "有条件共享" => Some(Share::Conditional),
        "none" | "不共享" | "不予共享" => Some(Share::None),
        _ => None,
    }
}

/// Splits synonyms typed as `A; B，C` (spaces stay inside a synonym).
fn parse_synonyms(s: &str) -> Vec<CompactString> {
    s.split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(CompactString::from)
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// Parses a boolean as typed in a form: yes/no, true/false, 是/否, 1/0.
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" => Some(true),
        "no" | "n" | "false" | "0" | "否" | "" => Some(false),
        _ => None,
    }
}

/// Splits a list typed as `A, B C；D` into codes.
fn parse_list<T: for<'s> From<&'s str>, L: FromIterator<T>>(s: &str) -> L {
    s.split(|c: char| c == ',' || c == '，' || c == '；' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(T::from)
        .collect()
}

fn parse_opt<T: for<'s> From<&'s str>>(s: &str) -> Option<T> {
    let s = s.trim();
    (!s.is_empty()).then(|| T::from(s))
}

/// The form's value of attribute `key` parsed, or `current` when the form does not hold it.
fn edited<T: Clone>(
    values: &BTreeMap<String, String>,
    key: &str,
    current: &T,
    parse: impl FnOnce(&str) -> T,
) -> T {
    values
        .get(key)
        .map_or_else(|| current.clone(), |v| parse(v))
}

/// An optional attribute as form text (empty when unset).
fn text_of<S: AsRef<str>>(v: &Option<S>) -> String {
    v.as_ref()
        .map(|s| s.as_ref().to_string())
        .unwrap_or_default()
}

/// Collects per-field parse errors while a record is rebuilt.
struct Parser<'a> {
    values: &'a BTreeMap<String, String>,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl Parser<'_> {
    fn text(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    fn number<T: std::str::FromStr>(&mut self, key: &str, current: T, max: &str) -> T {
        let Some(text) = self.text(key) else {
            return current;
        };
        match text.trim().parse() {
            Ok(n) => n,
            Err(_) => {
                let message = self.lang.pick(
                    format!("应为 0 到 {max} 的整数"),
                    format!("must be a whole number from 0 to {max}"),
                );
                self.error(key, message);
                current
            }
        }
    }

    fn boolean(&mut self, key: &str, current: bool) -> bool {
        let Some(text) = self.text(key) else {
            return current;
        };
        parse_bool(text).unwrap_or_else(|| {
            let message = self.lang.pick("应为 是/否 (yes/no)", "must be yes or no");
            self.error(key, message.into());
            current
        })
    }

    fn error(&mut self, key: &str, message: String) {
        self.errors.push(FieldError {
            key: key.into(),
            message,
        });
    }
}

/// Rebuilds a record from `base` and the form's values (field key → text). Attributes not in
/// the form keep their values; a published record becomes a draft again (the published
/// version stays until the next publish). Returns every field that does not parse.
pub fn build_record(
    base: RecordRef<'_>,
    values: &BTreeMap<String, String>,
    lang: Lang,
) -> Result<Record, Vec<FieldError>> {
    let mut p = Parser {
        values,
        errors: Vec::new(),
        lang,
    };
    let text = |key: &str, current: &str| {
        values
            .get(key)
            .map_or(current.to_string(), |v| v.trim().to_string())
    };
    let code = text("code", base.code());
    let name = text("name", base.name());
    let mut record = match base {
        RecordRef::Item(i) => {
            let level = match p.text("level").map(str::trim) {
                None => i.level,
                Some(s) => ItemLevel::ALL
                    .into_iter()
                    .find(|l| l.as_str() == s || l.zh() == s)
                    .unwrap_or_else(|| {
                        let message = lang.pick(
                            "应为 main 主项 / sub 子项 / impl 实施清单 / handling 办理项",
                            "must be main, sub, impl or handling",
                        );
                        p.error("level", message.into());
                        i.level
                    }),
            };
            let item_type = match p.text("item_type").map(str::trim) {
                None => i.item_type,
                Some(s) => ItemType::from_code(s)
                    .or_else(|| ItemType::ALL.into_iter().find(|t| t.zh() == s))
                    .unwrap_or_else(|| {
                        let message = lang.pick(
                            "应为事项类型代码 01–10 或 20（如 01 行政许可）",
                            "must be an item type code 01-10 or 20 (01 行政许可)",
                        );
                        p.error("item_type", message.into());
                        i.item_type
                    }),
            };
            let online_depth = p.number("online_depth", i.online_depth, "4");
            if online_depth > 4 {
                let message = lang.pick("应为 0 到 4", "must be 0 to 4");
                p.error("online_depth", message.into());
            }
            Record::Item(Item {
                code: code.into(),
                name: name.into(),
                level,
                parent: edited(values, "parent", &i.parent, parse_opt),
                item_type,
                agency: edited(values, "agency", &i.agency, parse_opt),
                region: edited(values, "region", &i.region, parse_opt),
                basis: values
                    .get("basis")
                    .map_or(i.basis.clone(), |v| v.trim_end().into()),
                time_limit_days: p.number("time_limit_days", i.time_limit_days, "4294967295"),
                legal_limit_days: p.number("legal_limit_days", i.legal_limit_days, "4294967295"),
                fee: text("fee", &i.fee).into(),
                online_depth,
                depends_on: edited(values, "depends_on", &i.depends_on, parse_list),
                materials: edited(values, "materials", &i.materials, parse_list),
                status: i.status,
                version: i.version,
                origin: i.origin,
                template: i.template,
                template_of: i.template_of.clone(),
            })
        }
        RecordRef::Material(m) => {
            let kind = match p.text("kind").map(str::trim) {
                None => m.kind,
                Some(s) => MaterialKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == s || k.zh() == s)
                    .unwrap_or_else(|| {
                        let message = lang.pick(
                            "应为 form 申请表单 / approval 批文 / licence 证照 / general 一般材料 / certificate 证明材料",
                            "must be form, approval, licence, general or certificate",
                        );
                        p.error("kind", message.into());
                        m.kind
                    }),
            };
            Record::Material(Material {
                code: code.into(),
                name: name.into(),
                kind,
                source: text("source", &m.source),
                issuing_agency: edited(values, "issuing_agency", &m.issuing_agency, parse_opt),
                licence_code: edited(values, "licence_code", &m.licence_code, parse_opt),
                shareable: p.boolean("shareable", m.shareable),
                copies: p.number("copies", m.copies, "4294967295"),
                required: p.boolean("required", m.required),
                template: m.template,
                template_of: m.template_of.clone(),
            })
        }
        RecordRef::Bundle(b) => {
            let mut b = b.clone();
            b.code = code.into();
            b.name = name.into();
            if let Some(v) = values.get("lead_agency") {
                b.lead_agency = parse_opt(v);
            }
            if let Some(v) = values.get("items") {
                b.items = parse_list(v);
            }
            Record::Bundle(b)
        }
        RecordRef::Element(e) => {
            let kind = match p.text("kind") {
                None => e.kind,
                Some(s) => parse_kind(s).unwrap_or_else(|| {
                    let names: Vec<String> = ElementKind::ALL
                        .iter()
                        .map(|k| format!("{} {}", k.as_str(), k.zh()))
                        .collect();
                    let message = lang.pick(
                        format!("应为以下类型之一：{}", names.join("、")),
                        format!("must be one of: {}", names.join(", ")),
                    );
                    p.error("kind", message);
                    e.kind
                }),
            };
            let share = match p.text("share") {
                None => e.share,
                Some(s) => parse_share(s).unwrap_or_else(|| {
                    let message = lang.pick(
                        "应为 open 无条件共享 / conditional 有条件共享 / none 不予共享",
                        "must be open, conditional or none",
                    );
                    p.error("share", message.into());
                    e.share
                }),
            };
            let security_level = p.number("security_level", e.security_level, "4");
            if !(1..=4).contains(&security_level) {
                let message = lang.pick("应为 1 到 4", "must be 1 to 4");
                p.error("security_level", message.into());
            }
            let options = match values.get("options") {
                None => e.options.clone(),
                Some(text) => parse_options(text, lang).map_or_else(
                    |message| {
                        p.error("options", message);
                        e.options.clone()
                    },
                    Into::into,
                ),
            };
            Record::Element(Element {
                code: code.into(),
                name: name.into(),
                synonyms: values
                    .get("synonyms")
                    .map_or(e.synonyms.clone(), |v| parse_synonyms(v).into()),
                kind,
                definition: values
                    .get("definition")
                    .map_or(e.definition.clone(), |v| v.trim_end().into()),
                pattern: edited(values, "pattern", &e.pattern, parse_opt),
                options,
                parent: edited(values, "parent", &e.parent, parse_opt),
                unit: edited(values, "unit", &e.unit, parse_opt),
                source_agency: edited(values, "source_agency", &e.source_agency, parse_opt),
                share,
                security_level,
                status: e.status,
                version: e.version,
            })
        }
        other => {
            let mut record = other.to_record();
            rename(&mut record, code, name);
            record
        }
    };
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    let changed = record.as_ref() != base;
    if let Some((status, _)) = status_mut(&mut record)
        && *status == Status::Published
        && changed
    {
        *status = Status::Draft;
    }
    Ok(record)
}

fn rename(record: &mut Record, code: String, name: String) {
    let (c, n) = match record {
        Record::Region(r) => (&mut r.code, &mut r.name),
        Record::Agency(r) => (&mut r.code, &mut r.name),
        Record::Element(r) => (&mut r.code, &mut r.name),
        Record::Item(r) => (&mut r.code, &mut r.name),
        Record::Material(r) => (&mut r.code, &mut r.name),
        Record::Form(r) => (&mut r.code, &mut r.name),
        Record::Bundle(r) => (&mut r.code, &mut r.name),
    };
    *c = code.into();
    *n = name.into();
}

/// Every invariant problem the record would have if saved (`new`: it must not exist yet),
/// mapped onto the form's fields by the first segment of the problem's path.
pub fn check(catalog: &Catalog, record: &Record, new: bool, lang: Lang) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if new && catalog.get(record.kind(), record.code()).is_some() {
        errors.push(FieldError {
            key: "code".into(),
            message: lang.pick(
                format!("编码 {} 已存在", record.code()),
                format!("code {} already exists", record.code()),
            ),
        });
    }
    let mut changes = Changes::new();
    changes.insert(
        (record.kind(), record.code().to_string()),
        Some(record.clone()),
    );
    let view = Overlay {
        base: catalog,
        changes: &changes,
    };
    // an item's children must still sit one level below it (as the store checks on save)
    let children = catalog
        .referrers(record.kind(), record.code())
        .filter(|r| record.kind() == Kind::Item && r.kind == Kind::Item && r.path == "parent")
        .filter_map(|r| catalog.get(r.kind, &r.code));
    let problems = check_records(&view, std::iter::once(record.as_ref()).chain(children));
    errors.extend(form_errors(catalog, record.as_ref(), &problems, lang));
    errors
}

/// Edit-form errors for the problems found with saving `record`: its own go under the field
/// their path names; another record's (a child item its new level leaves one level off, …)
/// are errors of the record as a whole (empty key) that name that record.
pub fn form_errors(
    catalog: &Catalog,
    record: RecordRef<'_>,
    problems: &[Problem],
    lang: Lang,
) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| {
            let message = p.issue.message(lang);
            if p.kind == record.kind() && p.code == record.code() {
                return FieldError {
                    key: field_of_path(&p.path).to_string(),
                    message,
                };
            }
            let other = catalog.get(p.kind, &p.code);
            let child = other.is_some_and(|o| match o {
                RecordRef::Item(i) => i.parent.as_deref() == Some(record.code()),
                _ => false,
            });
            let kind = match (lang, child) {
                (Lang::Zh, true) => format!("下级{}", p.kind.zh()),
                (Lang::Zh, false) => p.kind.zh().to_string(),
                (Lang::En, true) => format!("child {}", p.kind.as_str()),
                (Lang::En, false) => p.kind.as_str().to_string(),
            };
            let name = other.map_or("", |o| o.name());
            let who = [kind.as_str(), p.code.as_str(), name]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let message = lang.pick(format!("{who}：{message}"), format!("{who}: {message}"));
            FieldError {
                key: String::new(),
                message,
            }
        })
        .collect()
}

/// The form field a problem path belongs to: `depends_on[2]` → `depends_on`.
pub fn field_of_path(path: &str) -> &str {
    path.split(['[', '.']).next().unwrap_or("")
}

/// A code of `kind` starting with `base` that no record has yet (`base`, `base-2`, ...).
pub fn unique_code(catalog: &Catalog, kind: Kind, base: &str) -> String {
    unique_among(base, |code| catalog.get(kind, code).is_some())
}

/// `base`, or with the first suffix `-2`, `-3`, … that no code `taken` says is taken has.
pub fn unique_among(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .unwrap_or_else(|| base.to_string())
}

/// How new form codes are spelled (`BD000001`): pane 3's designer proposes them.
pub const FORM_PREFIX: &str = "BD";
/// Digits of a new form code.
pub const FORM_DIGITS: usize = 6;

/// How new bundle codes are spelled (`ZT001`): pane 1 and pane 4 propose the same.
pub const BUNDLE_PREFIX: &str = "ZT";
/// Digits of a new bundle code.
pub const BUNDLE_DIGITS: usize = 3;

/// The codes of `kind` that start with `prefix`, in code order.
fn codes_with_prefix<'a>(
    catalog: &'a Catalog,
    kind: Kind,
    prefix: &'a str,
) -> Box<dyn Iterator<Item = &'a str> + 'a> {
    fn from<'a, V>(
        map: &'a BTreeMap<CompactString, V>,
        prefix: &'a str,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        Box::new(
            map.range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .map(|(code, _)| code.as_str())
            .take_while(move |code| code.starts_with(prefix)),
        )
    }
    match kind {
        Kind::Region => from(&catalog.regions, prefix),
        Kind::Agency => from(&catalog.agencies, prefix),
        Kind::Element => from(&catalog.elements, prefix),
        Kind::Item => from(&catalog.items, prefix),
        Kind::Material => from(&catalog.materials, prefix),
        Kind::Form => from(&catalog.forms, prefix),
        Kind::Bundle => from(&catalog.bundles, prefix),
    }
}

/// The code for a new record of `kind`: `prefix` and the number one past the highest that
/// any code of that kind spelled `prefix` + digits carries, zero-padded to `width` digits
/// (`DE000001`–`DE000004` and `DE000009` give `DE000010`). Numbers freed by a delete or a
/// merge, or skipped, are never reused and no suffix is needed; with no such code the
/// number is 1. Every face that proposes a new code (pane 1 `a`, pane 2 `a`, pane 3 `n`,
/// pane 4 `n`, a new element from a merge suggestion) asks this one function.
pub fn next_code(catalog: &Catalog, kind: Kind, prefix: &str, width: usize) -> String {
    let codes = codes_with_prefix(catalog, kind, prefix);
    next_code_among(codes, prefix, width, |code| {
        catalog.get(kind, code).is_some()
    })
}

/// [`next_code`] over `codes` (those of the kind that start with `prefix`, in any order),
/// `taken` saying whether a code is one of the kind's: what a store read a key at a time
/// answers with before its catalog is loaded.
pub fn next_code_among<S: AsRef<str>>(
    codes: impl IntoIterator<Item = S>,
    prefix: &str,
    width: usize,
    taken: impl Fn(&str) -> bool,
) -> String {
    let highest = codes
        .into_iter()
        .filter_map(|code| code_number(code.as_ref(), prefix))
        .max()
        .unwrap_or(0);
    code_after(highest, prefix, width, taken)
}

/// The number a code spelled `prefix` + digits carries (`None`: another code).
pub fn code_number(code: &str, prefix: &str) -> Option<u64> {
    let digits = code.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()
}

/// The code one past `highest` (see [`next_code`]), `taken` saying whether a code is taken.
pub fn code_after(
    highest: u64,
    prefix: &str,
    width: usize,
    taken: impl Fn(&str) -> bool,
) -> String {
    let code = format!("{prefix}{:0width$}", highest.saturating_add(1));
    // a number too large to parse is skipped; the suffix keeps even that case unique
    unique_among(&code, taken)
}

/// How a new top-level record of `kind` is coded: its prefix and digits (`None`: the kind
/// has no new record, see [`new_record`]).
pub fn new_code_shape(kind: Kind) -> Option<(&'static str, usize)> {
    match kind {
        Kind::Item => Some(("SX", 5)),
        Kind::Material => Some(("CL", 6)),
        Kind::Element => Some(("DE", 6)),
        Kind::Bundle => Some((BUNDLE_PREFIX, BUNDLE_DIGITS)),
        _ => None,
    }
}

/// How a new child of `parent` is coded: its prefix (`parent` + `-`) and digits.
pub fn child_code_shape(parent: &Item) -> (String, usize) {
    (format!("{}-", parent.code), 2)
}

/// A new item one level below `parent` (same type, agency and region), with a fresh code and
/// an empty name for the user to fill; `None` under a 办理项, the lowest level.
pub fn new_child(catalog: &Catalog, parent: &Item) -> Option<Item> {
    let (prefix, width) = child_code_shape(parent);
    new_child_coded(parent, || next_code(catalog, Kind::Item, &prefix, width))
}

/// [`new_child`] coded by `code` (asked only when `parent` may have a child), as a store
/// read before its catalog is loaded codes it (see [`next_code_among`]).
pub fn new_child_coded(parent: &Item, code: impl FnOnce() -> String) -> Option<Item> {
    let level = ItemLevel::ALL
        .into_iter()
        .find(|l| l.parent_level() == Some(parent.level))?;
    Some(Item {
        code: code().into(),
        name: String::new().into(),
        level,
        parent: Some(parent.code.as_str().into()),
        item_type: parent.item_type,
        agency: parent.agency.clone(),
        region: parent.region.clone(),
        basis: SharedText::default(),
        time_limit_days: 0,
        legal_limit_days: 0,
        fee: SharedText::default(),
        online_depth: 0,
        depends_on: Default::default(),
        materials: Default::default(),
        status: Status::Draft,
        version: 0,
        origin: Origin::SelfBuilt,
        template: false,
        template_of: None,
    })
}

/// A new top-level record of `kind` (main item, material, element, bundle) with a fresh code.
pub fn new_record(catalog: &Catalog, kind: Kind) -> Option<Record> {
    let (prefix, width) = new_code_shape(kind)?;
    new_record_coded(kind, next_code(catalog, kind, prefix, width))
}

/// A new top-level record of `kind` coded `code` (see [`new_record`]).
pub fn new_record_coded(kind: Kind, code: String) -> Option<Record> {
    match kind {
        Kind::Item => Some(Record::Item(Item {
            code: code.into(),
            name: String::new().into(),
            level: ItemLevel::Main,
            parent: None,
            item_type: ItemType::Licensing,
            agency: None,
            region: None,
            basis: SharedText::default(),
            time_limit_days: 0,
            legal_limit_days: 0,
            fee: SharedText::default(),
            online_depth: 0,
            depends_on: Default::default(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        })),
        Kind::Material => Some(Record::Material(Material {
            code: code.into(),
            name: String::new().into(),
            kind: MaterialKind::General,
            source: String::new(),
            issuing_agency: None,
            licence_code: None,
            shareable: false,
            copies: 1,
            required: true,
            template: false,
            template_of: None,
        })),
        Kind::Element => Some(Record::Element(Element {
            code: code.into(),
            name: String::new().into(),
            synonyms: Default::default(),
            kind: ElementKind::Text,
            definition: SharedText::default(),
            pattern: None,
            options: Vec::new().into(),
            parent: None,
            unit: None,
            source_agency: None,
            share: Share::Open,
            security_level: 1,
            status: Status::Draft,
            version: 0,
        })),
        Kind::Bundle => Some(Record::Bundle(crate::model::Bundle {
            code: code.into(),
            name: String::new().into(),
            lead_agency: None,
            items: Vec::new(),
            questions: Vec::new(),
            item_when: BTreeMap::new(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        })),
        _ => None,
    }
}

/// A copy of a record under a fresh code (`code-copy`), named `name（副本）`, back at draft V0.
pub fn copy_of(catalog: &Catalog, record: RecordRef<'_>, lang: Lang) -> Record {
    copy_of_among(record, lang, |code| {
        catalog.get(record.kind(), code).is_some()
    })
}

/// [`copy_of`], `taken` saying whether a code is one of the kind's (a store read before its
/// catalog is loaded answers).
pub fn copy_of_among(record: RecordRef<'_>, lang: Lang, taken: impl Fn(&str) -> bool) -> Record {
    let mut copy = record.to_record();
    let code = unique_among(&format!("{}-copy", record.code()), taken);
    let name = format!("{}{}", record.name(), lang.pick("（副本）", " (copy)"));
    rename(&mut copy, code, name);
    if let Some((status, version)) = status_mut(&mut copy) {
        *status = Status::Draft;
        *version = 0;
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Issue;

    #[test]
    fn a_choice_is_found_by_value_name_or_pinyin() {
        let kinds = choices(&ElementKind::ALL, ElementKind::as_str, ElementKind::zh);
        let found = |typed: &str| matching_choice(&kinds, typed).map(|i| kinds[i].value);
        assert_eq!(found("cn"), Some("cn_id"), "value prefix");
        assert_eq!(found("CN_ID"), Some("cn_id"), "case ignored");
        assert_eq!(
            found("护照"),
            Some("passport_foreign"),
            "the first name containing it"
        );
        assert_eq!(
            found("sfzhm"),
            Some("cn_id"),
            "pinyin initials of 身份证号码"
        );
        assert_eq!(found("twsf"), Some("tw_id"));
        assert_eq!(found("youbian"), Some("postcode"), "full pinyin of 邮编");
        assert_eq!(found("zzz"), None);
        assert_eq!(found(" "), None);
        let types = choices(&ItemType::ALL, ItemType::code, ItemType::zh);
        assert_eq!(
            matching_choice(&types, "01").map(|i| types[i].value),
            Some("01")
        );
        assert_eq!(matching_choice(&yes_no_choices(), "是"), Some(0));
    }

    #[test]
    fn enumerated_attributes_offer_every_value_and_free_text_none() {
        let sample = crate::sample::generate(1);
        let element = sample.elements.values().next().expect("an element");
        let fields = edit_fields(RecordRef::Element(element), false);
        let by_key = |k: &str| fields.iter().find(|f| f.key == k).expect(k);
        assert_eq!(by_key("kind").choices.len(), ElementKind::ALL.len());
        assert!(
            by_key("kind")
                .choices
                .iter()
                .any(|c| c.value == by_key("kind").value)
        );
        assert_eq!(by_key("share").choices.len(), 3);
        assert!(by_key("name").choices.is_empty());
        let item = sample.items.values().next().expect("an item");
        let fields = edit_fields(RecordRef::Item(item), false);
        let level = fields.iter().find(|f| f.key == "level").expect("level");
        assert_eq!(level.choices.len(), ItemLevel::ALL.len());
    }

    fn item(code: &str, level: ItemLevel, parent: Option<&str>) -> Item {
        Item {
            code: code.into(),
            name: format!("事项{code}").into(),
            level,
            parent: parent.map(Into::into),
            item_type: ItemType::Licensing,
            agency: None,
            region: None,
            basis: Default::default(),
            time_limit_days: 5,
            legal_limit_days: 20,
            fee: "不收费".into(),
            online_depth: 2,
            depends_on: Default::default(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn workflow_submits_returns_and_publishes_with_a_version_bump() {
        let i = item("A", ItemLevel::Main, None);
        let submitted = transition(RecordRef::Item(&i), Transition::Submit).unwrap();
        let Record::Item(s) = &submitted else {
            panic!()
        };
        assert_eq!((s.status, s.version), (Status::Submitted, 0));
        let Record::Item(p) = transition(RecordRef::Item(s), Transition::Publish).unwrap() else {
            panic!()
        };
        assert_eq!((p.status, p.version), (Status::Published, 1));
        let err = transition(RecordRef::Item(&p), Transition::Return).unwrap_err();
        assert!(err.message(Lang::Zh).contains("已发布"));
        let Record::Item(r) = transition(RecordRef::Item(s), Transition::Return).unwrap() else {
            panic!()
        };
        assert_eq!(r.status, Status::Returned);
        assert_eq!(
            next_status(Status::Returned, Transition::Submit),
            Ok(Status::Submitted)
        );
        assert!(next_status(Status::Draft, Transition::Publish).is_err());
    }

    #[test]
    fn a_bundle_is_published_only_with_a_lead_agency_and_items() {
        let Some(Record::Bundle(mut b)) = new_record(&Catalog::default(), Kind::Bundle) else {
            panic!()
        };
        b.status = Status::Submitted;
        b.lead_agency = None;
        b.items.clear();
        let err = transition(RecordRef::Bundle(&b), Transition::Publish).unwrap_err();
        assert_eq!(
            err,
            WorkflowError::Incomplete(vec![Lack::LeadAgency, Lack::Items])
        );
        assert!(err.message(Lang::Zh).contains("牵头部门、事项"), "{err:?}");
        assert!(err.message(Lang::En).contains("a lead agency, items"));
        // submitting an unfinished bundle for review is still allowed
        b.status = Status::Draft;
        assert!(transition(RecordRef::Bundle(&b), Transition::Submit).is_ok());
        b.status = Status::Submitted;
        b.lead_agency = Some("A1".into());
        assert_eq!(
            transition(RecordRef::Bundle(&b), Transition::Publish).unwrap_err(),
            WorkflowError::Incomplete(vec![Lack::Items])
        );
        b.items.push("I1".into());
        let Record::Bundle(p) = transition(RecordRef::Bundle(&b), Transition::Publish).unwrap()
        else {
            panic!()
        };
        assert_eq!(p.status, Status::Published);
        // a status that cannot be published says so, whatever the bundle lacks
        b.status = Status::Draft;
        b.items.clear();
        assert!(matches!(
            transition(RecordRef::Bundle(&b), Transition::Publish),
            Err(WorkflowError::NotAllowed { .. })
        ));
    }

    #[test]
    fn materials_have_no_workflow() {
        let Some(Record::Material(m)) = new_record(&Catalog::default(), Kind::Material) else {
            panic!()
        };
        let err = transition(RecordRef::Material(&m), Transition::Submit).unwrap_err();
        assert_eq!(err, WorkflowError::NoWorkflow(Kind::Material));
    }

    #[test]
    fn building_from_the_form_parses_and_reports_each_bad_field() {
        let i = item("A", ItemLevel::Main, None);
        let ok = build_record(
            RecordRef::Item(&i),
            &values(&[
                ("name", " 食品经营许可 "),
                ("time_limit_days", "7"),
                ("depends_on", "B，C D"),
            ]),
            Lang::Zh,
        )
        .unwrap();
        let Record::Item(ok) = ok else { panic!() };
        assert_eq!(ok.name, "食品经营许可");
        assert_eq!(ok.time_limit_days, 7);
        assert_eq!(ok.depends_on, ["B", "C", "D"]);

        let errors = build_record(
            RecordRef::Item(&i),
            &values(&[
                ("time_limit_days", "七"),
                ("level", "top"),
                ("online_depth", "9"),
            ]),
            Lang::En,
        )
        .unwrap_err();
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["level", "online_depth", "time_limit_days"]);
    }

    #[test]
    fn editing_a_published_record_makes_it_a_draft_again() {
        let mut i = item("A", ItemLevel::Main, None);
        i.status = Status::Published;
        i.version = 3;
        let Record::Item(same) =
            build_record(RecordRef::Item(&i), &values(&[("name", "事项A")]), Lang::Zh).unwrap()
        else {
            panic!()
        };
        assert_eq!(same.status, Status::Published);
        let Record::Item(changed) = build_record(
            RecordRef::Item(&i),
            &values(&[("name", "新名称")]),
            Lang::Zh,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!((changed.status, changed.version), (Status::Draft, 3));
    }

    #[test]
    fn check_maps_invariant_problems_onto_fields() {
        let mut catalog = Catalog::default();
        catalog.insert(Record::Item(item("A", ItemLevel::Main, None)));
        let mut child = new_child(&catalog, &catalog.items["A"]).unwrap();
        assert_eq!((child.code.as_str(), child.level), ("A-01", ItemLevel::Sub));
        child.depends_on = vec!["NOPE".into()].into();
        let errors = check(&catalog, &Record::Item(child.clone()), true, Lang::Zh);
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["name", "depends_on"]);
        child.code = "A".into();
        let errors = check(&catalog, &Record::Item(child), true, Lang::Zh);
        assert_eq!(errors[0].key, "code");
    }

    #[test]
    fn a_childs_problem_names_the_child_and_stays_off_the_fields() {
        let mut catalog = Catalog::default();
        catalog.insert(Record::Item(item("A", ItemLevel::Main, None)));
        let child = new_child(&catalog, &catalog.items["A"]).unwrap();
        let child = Item {
            name: "公司设立登记".into(),
            ..child
        };
        catalog.insert(Record::Item(child));
        // A becomes a sub item: its child A-01 would sit two levels below a 主项's place
        let mut a = catalog.items["A"].clone();
        a.level = ItemLevel::Sub;
        let errors = check(&catalog, &Record::Item(a.clone()), false, Lang::Zh);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key, "", "not under this record's parent field");
        assert_eq!(
            errors[0].message,
            "下级事项 A-01 公司设立登记：上级 A 是子项，应为主项"
        );
        // the record's own problems still go under their fields
        let own = Problem::new(Kind::Item, "A", "parent", Issue::MainWithParent);
        let other = Problem::new(Kind::Bundle, "ZT001", "items[0]", Issue::SelfReference);
        let errors = form_errors(&catalog, RecordRef::Item(&a), &[own, other], Lang::En);
        assert_eq!(errors[0].key, "parent");
        assert_eq!(errors[1].key, "");
        assert_eq!(errors[1].message, "bundle ZT001: refers to itself");
    }

    #[test]
    fn elements_round_trip_through_the_form_with_options_and_kind_names() {
        let Some(Record::Element(mut e)) = new_record(&Catalog::default(), Kind::Element) else {
            panic!()
        };
        assert_eq!(e.code, "DE000001");
        e.name = "证件类型".into();
        let fields = edit_fields(RecordRef::Element(&e), true);
        let keys: Vec<_> = fields.iter().map(|f| f.key).collect();
        assert!(keys.contains(&"synonyms") && keys.contains(&"options"));
        let Record::Element(built) = build_record(
            RecordRef::Element(&e),
            &values(&[
                ("kind", "联动证件类型"),
                ("synonyms", "证件种类； 证件 类别,"),
                ("share", "有条件共享"),
                ("security_level", "3"),
                (
                    "options",
                    "111=居民身份证|kind=cn_id\n\n414=护照|kind=passport_other",
                ),
            ]),
            Lang::Zh,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(built.kind, ElementKind::IdTypeLinked);
        assert_eq!(built.synonyms, ["证件种类", "证件 类别"]);
        assert_eq!((built.share, built.security_level), (Share::Conditional, 3));
        assert_eq!(built.options[0].kind, Some(ElementKind::CnId));
        assert_eq!(
            options_text(&built.options),
            "111=居民身份证|kind=cn_id\n414=护照|kind=passport_other"
        );
        let errors = build_record(
            RecordRef::Element(&e),
            &values(&[
                ("kind", "idcard"),
                ("security_level", "5"),
                ("options", "a=b|parent=x\nnope"),
            ]),
            Lang::En,
        )
        .unwrap_err();
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["kind", "security_level", "options"]);
        assert!(errors[2].message.contains("line 2"), "{errors:?}");
    }

    #[test]
    fn new_codes_follow_the_highest_number_not_the_count() {
        let mut catalog = crate::sample::generate(1);
        let code = |r: Option<Record>| r.map(|r| r.code().to_string()).unwrap_or_default();
        // gaps (merges deleted DE000002 and DE000003) and a stray code with a suffix
        let elements = catalog.elements.len();
        assert!(catalog.remove(Kind::Element, "DE000002").is_some());
        assert!(catalog.remove(Kind::Element, "DE000003").is_some());
        let mut stray = catalog.elements.values().next().cloned().expect("elements");
        stray.code = "DE000999-2".into();
        catalog.insert(Record::Element(stray));
        assert_eq!(
            code(new_record(&catalog, Kind::Element)),
            format!("DE{:06}", elements + 1),
            "one past the highest, never count + 1 with a suffix"
        );
        // forms BD000001, BD000003, BD000004 → BD000005
        let mut forms = Catalog::default();
        for c in ["BD000001", "BD000003", "BD000004"] {
            let mut f = catalog.forms.values().next().cloned().expect("forms");
            f.code = c.into();
            forms.insert(Record::Form(f));
        }
        assert_eq!(next_code(&forms, Kind::Form, "BD", 6), "BD000005");
        assert_eq!(
            next_code(&Catalog::default(), Kind::Form, "BD", 6),
            "BD000001"
        );
        // bundles: pane 1 and pane 4 propose the same code
        let bundles = catalog.bundles.len();
        let expected = format!("ZT{:03}", bundles + 1);
        assert_eq!(code(new_record(&catalog, Kind::Bundle)), expected);
        assert_eq!(
            crate::engine::bundle_edit::new_bundle(&catalog, "x").code,
            expected
        );
        // a child: after -01 and -03, -04 (grandchildren -01-01 do not count)
        let mut items = Catalog::default();
        items.insert(Record::Item(item("A", ItemLevel::Main, None)));
        for c in ["A-01", "A-03"] {
            items.insert(Record::Item(item(c, ItemLevel::Sub, Some("A"))));
        }
        items.insert(Record::Item(item("A-03-07", ItemLevel::Impl, Some("A-03"))));
        let parent = items.items.get("A").cloned().expect("A");
        assert_eq!(
            new_child(&items, &parent).map(|i| i.code.to_string()),
            Some("A-04".to_string())
        );
    }

    #[test]
    fn copies_get_fresh_codes_and_start_over() {
        let mut catalog = Catalog::default();
        let mut a = item("A", ItemLevel::Main, None);
        a.status = Status::Published;
        a.version = 2;
        catalog.insert(Record::Item(a.clone()));
        catalog.insert(Record::Item(item("A-copy", ItemLevel::Main, None)));
        let Record::Item(copy) = copy_of(&catalog, RecordRef::Item(&a), Lang::Zh) else {
            panic!()
        };
        assert_eq!(copy.code, "A-copy-2");
        assert_eq!(copy.name, "事项A（副本）");
        assert_eq!((copy.status, copy.version), (Status::Draft, 0));
        assert_eq!(field_of_path("sections[0].fields[1].element"), "sections");
    }
}
