//! Form lint (`form lint`, and the warnings of the form designer): problems a person should
//! look at while designing a form. Each warning names its form, section and field and says
//! what is wrong in Chinese and English.
//!
//! The rules:
//! - two fields of one form bound to the same element ([`WarningKind::DoubleBound`]);
//! - a bound field whose label is not its element's name ([`WarningKind::LabelDrift`]);
//! - an unbound field that an existing element probably covers, found the way the duplicate
//!   finder finds it ([`WarningKind::CoveredUnbound`]);
//! - a field bound to an element that is not published ([`WarningKind::Unpublished`]);
//! - a section without fields ([`WarningKind::EmptySection`]);
//! - a condition naming a question or option that no bundle containing the form's item has
//!   ([`WarningKind::BadCondition`]).

use std::collections::HashMap;

use serde::Serialize;

use super::dups::Covers;
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Form, Kind, SharedCode, Status, When};

/// What kind of problem a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Two fields bound to the same element.
    DoubleBound,
    /// A label that differs from its element's name.
    LabelDrift,
    /// An unbound field that an element probably covers.
    CoveredUnbound,
    /// A field bound to an element that is not published.
    Unpublished,
    /// A section without fields.
    EmptySection,
    /// A condition naming a question or option no bundle of the item has.
    BadCondition,
}

impl WarningKind {
    /// Every kind, in report order.
    pub const ALL: [WarningKind; 6] = [
        Self::DoubleBound,
        Self::LabelDrift,
        Self::CoveredUnbound,
        Self::Unpublished,
        Self::EmptySection,
        Self::BadCondition,
    ];

    /// The snake_case name (`double_bound`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DoubleBound => "double_bound",
            Self::LabelDrift => "label_drift",
            Self::CoveredUnbound => "covered_unbound",
            Self::Unpublished => "unpublished",
            Self::EmptySection => "empty_section",
            Self::BadCondition => "bad_condition",
        }
    }

    /// A short name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::DoubleBound => lang.pick("重复绑定", "bound twice"),
            Self::LabelDrift => lang.pick("标签偏离", "label drift"),
            Self::CoveredUnbound => lang.pick("可绑定", "bindable"),
            Self::Unpublished => lang.pick("未发布数据元", "unpublished element"),
            Self::EmptySection => lang.pick("空分节", "empty section"),
            Self::BadCondition => lang.pick("条件无效", "bad condition"),
        }
    }
}

/// One problem of a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What kind of problem.
    pub kind: WarningKind,
    /// Form code.
    pub form: String,
    /// Index of the section (from 0).
    pub section: usize,
    /// The section's title.
    pub section_title: String,
    /// Field key, unless the warning is about the section.
    pub field: Option<String>,
    /// The element concerned (bound, or suggested for an unbound field).
    pub element: Option<String>,
    /// What is wrong, in Chinese.
    pub zh: String,
    /// What is wrong, in English.
    pub en: String,
}

impl Warning {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// Lints every form of the catalog, in code order.
pub fn lint(catalog: &Catalog) -> Vec<Warning> {
    let covers = Covers::new(catalog);
    catalog
        .forms
        .values()
        .flat_map(|form| lint_form(catalog, &covers, form))
        .collect()
}

/// The bundles whose item list holds `item`.
pub fn bundles_of_item<'c>(catalog: &'c Catalog, item: &str) -> Vec<&'c Bundle> {
    let mut codes: Vec<SharedCode> = catalog
        .referrers(Kind::Item, item)
        .filter(|r| r.kind == Kind::Bundle)
        .map(|r| r.code)
        .collect();
    codes.dedup();
    codes
        .iter()
        .filter_map(|code| catalog.bundles.get(code.as_str()))
        .filter(|b| b.items.iter().any(|i| i == item))
        .collect()
}

/// The questions and options of `when` that no bundle in `bundles` has, as `q` or `q=o`.
pub fn missing_answers(when: &When, bundles: &[&Bundle]) -> Vec<String> {
    let mut missing = Vec::new();
    for (question, options) in when {
        let asked: Vec<_> = bundles
            .iter()
            .flat_map(|b| &b.questions)
            .filter(|q| &q.key == question)
            .collect();
        if asked.is_empty() {
            missing.push(question.clone());
            continue;
        }
        for option in options {
            if !asked
                .iter()
                .any(|q| q.options.iter().any(|o| &o.key == option))
            {
                missing.push(format!("{question}={option}"));
            }
        }
    }
    missing
}

/// Lints one form (which need not be stored yet: the designer lints its working copy).
pub fn lint_form(catalog: &Catalog, covers: &Covers, form: &Form) -> Vec<Warning> {
    let bundles = form
        .item
        .as_deref()
        .map(|item| bundles_of_item(catalog, item))
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut first_of: HashMap<&str, (&str, &str)> = HashMap::new();
    for (s, section) in form.sections.iter().enumerate() {
        let warn =
            |kind, field: Option<&str>, element: Option<&str>, zh: String, en: String| Warning {
                kind,
                form: form.code.to_string(),
                section: s,
                section_title: section.title.to_string(),
                field: field.map(Into::into),
                element: element.map(Into::into),
                zh,
                en,
            };
        if section.fields.is_empty() {
            out.push(warn(
                WarningKind::EmptySection,
                None,
                None,
                format!("分节「{}」没有字段", section.title),
                format!("section \"{}\" has no fields", section.title),
            ));
        }
        for field in &section.fields {
            let key = Some(field.key.as_str());
            match field.element.as_deref() {
                Some(code) => {
                    if let Some(&(first_key, first_label)) = first_of.get(code) {
                        out.push(warn(
                            WarningKind::DoubleBound,
                            key,
                            Some(code),
                            format!(
                                "「{}」与「{first_label}」({first_key}) 绑定同一数据元 {code}",
                                field.label
                            ),
                            format!(
                                "\"{}\" and \"{first_label}\" ({first_key}) are bound to the same element {code}",
                                field.label
                            ),
                        ));
                    } else {
                        first_of.insert(code, (&field.key, &field.label));
                    }
                    if let Some(element) = catalog.elements.get(code) {
                        if field.label != element.name {
                            out.push(warn(
                                WarningKind::LabelDrift,
                                key,
                                Some(code),
                                format!(
                                    "标签「{}」与数据元名称「{}」不同",
                                    field.label, element.name
                                ),
                                format!(
                                    "label \"{}\" differs from the element name \"{}\"",
                                    field.label, element.name
                                ),
                            ));
                        }
                        if element.status != Status::Published {
                            out.push(warn(
                                WarningKind::Unpublished,
                                key,
                                Some(code),
                                format!(
                                    "数据元「{}」({code}) 尚未发布（{}）",
                                    element.name,
                                    element.status.zh()
                                ),
                                format!(
                                    "element \"{}\" ({code}) is not published ({})",
                                    element.name,
                                    element.status.as_str()
                                ),
                            ));
                        }
                    }
                }
                None => {
                    if let Some(cover) = covers.cover(&field.label) {
                        let name = catalog
                            .elements
                            .get(cover.element)
                            .map_or("", |e| e.name.as_str());
                        out.push(warn(
                            WarningKind::CoveredUnbound,
                            key,
                            Some(cover.element),
                            format!(
                                "未绑定字段「{}」可绑定数据元「{name}」({})：{}",
                                field.label,
                                cover.element,
                                cover.reason.zh()
                            ),
                            format!(
                                "unbound field \"{}\" is probably element \"{name}\" ({})",
                                field.label, cover.element
                            ),
                        ));
                    }
                }
            }
            if let Some(when) = &field.when {
                let missing = missing_answers(when, &bundles);
                if !missing.is_empty() {
                    let list = missing.join(", ");
                    out.push(warn(
                        WarningKind::BadCondition,
                        key,
                        field.element.as_deref(),
                        format!("「{}」的显示条件引用了不存在的判断项或选项：{list}", field.label),
                        format!(
                            "the condition of \"{}\" names questions or options no bundle of its item has: {list}",
                            field.label
                        ),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        AnswerOption, Element, ElementKind, Field, Item, ItemLevel, ItemType, Origin, Question,
        Record, Section, Share,
    };

    fn element(code: &str, name: &str, synonyms: &[&str], status: Status) -> Record {
        Record::Element(Element {
            code: code.into(),
            name: name.into(),
            synonyms: synonyms.iter().map(|&s| s.into()).collect(),
            kind: ElementKind::Text,
            definition: Default::default(),
            pattern: None,
            options: vec![].into(),
            parent: None,
            unit: None,
            source_agency: None,
            share: Share::Open,
            security_level: 1,
            status,
            version: 1,
        })
    }

    fn field(key: &str, label: &str, element: Option<&str>) -> Field {
        Field {
            key: key.into(),
            label: label.into(),
            element: element.map(Into::into),
            required: false,
            help: None,
            when: None,
        }
    }

    fn catalog(form: Form) -> Catalog {
        let item = Item {
            code: "I1".into(),
            name: "事项".into(),
            level: ItemLevel::Sub,
            parent: None,
            item_type: ItemType::Licensing,
            agency: None,
            region: None,
            basis: Default::default(),
            time_limit_days: 0,
            legal_limit_days: 0,
            fee: Default::default(),
            online_depth: 0,
            depends_on: vec![],
            materials: vec![],
            status: Status::Published,
            version: 1,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        };
        let bundle = Bundle {
            code: "B1".into(),
            name: "主题".into(),
            lead_agency: None,
            items: vec!["I1".into()],
            questions: vec![Question {
                key: "agent".into(),
                text: "是否委托？".into(),
                options: vec![AnswerOption {
                    key: "yes".into(),
                    text: "是".into(),
                }],
            }],
            item_when: Default::default(),
            materials: vec![],
            status: Status::Published,
            version: 1,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        };
        Catalog::from_records([
            element("E1", "姓名", &[], Status::Published),
            element("E2", "移动电话", &["手机号码"], Status::Published),
            element("E3", "邮寄地址", &[], Status::Draft),
            Record::Item(item),
            Record::Bundle(bundle),
            Record::Form(form),
        ])
    }

    fn when(q: &str, o: &str) -> Option<Box<When>> {
        Some(Box::new([(q.to_string(), vec![o.to_string()])].into()))
    }

    #[test]
    fn every_rule_fires_once_and_a_clean_form_is_clean() {
        let mut agent = field("f6", "姓名", Some("E1"));
        agent.when = when("agent", "yes");
        let mut bad = field("f7", "备注", None);
        bad.when = when("agent", "maybe");
        let form = Form {
            code: "F1".into(),
            name: "表".into(),
            item: Some("I1".into()),
            material: None,
            sections: vec![
                Section {
                    title: "申请人".into(),
                    fields: vec![
                        field("f1", "姓名", Some("E1")),
                        field("f2", "联系电话", Some("E2")),
                        field("f3", "手机号码", None),
                        field("f4", "邮寄地址", Some("E3")),
                        agent,
                        bad,
                    ],
                },
                Section {
                    title: "其他".into(),
                    fields: vec![],
                },
            ],
            status: Status::Draft,
            version: 0,
        };
        let c = catalog(form);
        let found: Vec<_> = lint(&c)
            .into_iter()
            .map(|w| (w.kind, w.field, w.element))
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            found,
            [
                (WarningKind::LabelDrift, s("f2"), s("E2")),
                (WarningKind::CoveredUnbound, s("f3"), s("E2")),
                (WarningKind::Unpublished, s("f4"), s("E3")),
                (WarningKind::DoubleBound, s("f6"), s("E1")),
                (WarningKind::BadCondition, s("f7"), None),
                (WarningKind::EmptySection, None, None),
            ]
        );
        let w = lint(&c);
        assert!(w[0].message(Lang::Zh).contains("联系电话"));
        assert!(w[0].message(Lang::Zh).contains("移动电话"));
        assert!(w[4].message(Lang::En).contains("agent=maybe"));
    }

    #[test]
    fn a_condition_on_a_form_of_no_bundle_names_a_missing_question() {
        let mut f = field("f1", "姓名", Some("E1"));
        f.when = when("agent", "yes");
        let form = Form {
            code: "F2".into(),
            name: "表".into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "申请人".into(),
                fields: vec![f],
            }],
            status: Status::Draft,
            version: 0,
        };
        let c = catalog(form);
        let w = lint(&c);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].kind, WarningKind::BadCondition);
        assert!(w[0].en.ends_with(": agent"), "{}", w[0].en);
    }
}

#[cfg(test)]
mod sample_tests {
    use super::*;

    /// `lint` on the sample finds exactly the problems the sample plants (see the module doc
    /// of `sample`), and the copies of a larger scale are clean.
    #[test]
    fn lint_finds_exactly_the_planted_problems() {
        let expected: Vec<(WarningKind, &str, &str)> = vec![
            (
                WarningKind::DoubleBound,
                "临时救助申请审批表",
                "备用联系电话",
            ),
            (WarningKind::LabelDrift, "残疾人证申请表", "申请人姓名"),
            (WarningKind::LabelDrift, "残疾人证申请表", "公民身份号码"),
            (WarningKind::LabelDrift, "教师资格认定申请表", "手机号码"),
            (
                WarningKind::LabelDrift,
                "临时救助申请审批表",
                "备用联系电话",
            ),
            (
                WarningKind::CoveredUnbound,
                "户外招牌设施设置申请表",
                "手机号码",
            ),
            (
                WarningKind::Unpublished,
                "社会保障卡申领登记表",
                "社会保障卡邮寄地址",
            ),
            (
                WarningKind::EmptySection,
                "养老机构备案书",
                "其他需要说明的情况",
            ),
            (WarningKind::BadCondition, "教师资格认定申请表", ""),
        ];
        for scale in [1, 2] {
            let c = crate::sample::generate(scale);
            let mut found: Vec<(WarningKind, String, String)> = lint(&c)
                .into_iter()
                .map(|w| {
                    let form = &c.forms[w.form.as_str()];
                    let label = match &w.field {
                        Some(key) if w.kind != WarningKind::BadCondition => form
                            .fields()
                            .find(|(_, _, f)| f.key == key)
                            .map(|(_, _, f)| f.label.to_string())
                            .unwrap_or_default(),
                        Some(_) => String::new(),
                        None => w.section_title.clone(),
                    };
                    (w.kind, form.name.to_string(), label)
                })
                .collect();
            found.sort();
            let mut want: Vec<_> = expected
                .iter()
                .map(|(k, f, l)| (*k, f.to_string(), l.to_string()))
                .collect();
            want.sort();
            assert_eq!(found, want, "scale {scale}");
        }
    }
}
