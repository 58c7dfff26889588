//! Form lint (`form lint`, and the warnings of the form designer): problems a person should
//! look at while designing a form. Each warning names its form, section and field and says
//! what is wrong in Chinese and English.
//!
//! The rules:
//! - two fields of one form bound to the same element ([`WarningKind::DoubleBound`]);
//! - a bound field whose label is not its element's name ([`WarningKind::LabelDrift`]);
//! - an unbound field that an existing element probably covers, found the way the duplicate
//!   finder finds it ([`WarningKind::CoveredUnbound`]), unless another field of the form holds
//!   that element: one form binds an element once, and of two unbound fields that could take
//!   it the stronger match gets it ([`super::one_per_form::assign`], the one rule the merge's
//!   suggestions follow too), so the next element that has the label as its name or a
//!   synonym is offered instead, and when there is none the field is reported as a likely
//!   duplicate of that other field ([`WarningKind::LikelyDuplicate`]);
//! - a field bound to an element that is not published ([`WarningKind::Unpublished`]);
//! - a section without fields ([`WarningKind::EmptySection`]);
//! - a condition naming a question or option that no bundle containing the form's item has
//!   ([`WarningKind::BadCondition`]).

use std::collections::HashMap;

use serde::Serialize;

use super::dups::{Cover, Covers, Reason, normalise};
use super::one_per_form::{Held, HeldBy, Match, Unbound, assign, same_label};
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Field, Form, Kind, SharedCode, Status, When};

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
    /// An unbound field whose covering element another field of the form holds (binds, or
    /// is offered): probably a duplicate of that field.
    LikelyDuplicate,
    /// A field bound to an element that is not published.
    Unpublished,
    /// A section without fields.
    EmptySection,
    /// A condition naming a question or option no bundle of the item has.
    BadCondition,
}

impl WarningKind {
    /// Every kind, in report order.
    pub const ALL: [WarningKind; 7] = [
        Self::DoubleBound,
        Self::LabelDrift,
        Self::CoveredUnbound,
        Self::LikelyDuplicate,
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
            Self::LikelyDuplicate => "likely_duplicate",
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
            Self::LikelyDuplicate => lang.pick("疑似重复字段", "likely duplicate"),
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
    /// The element concerned (bound, or suggested for an unbound field, or the one covering a
    /// likely duplicate).
    pub element: Option<String>,
    /// The other field concerned: the first field bound to the element (bound twice), or the
    /// field an unbound one is a likely duplicate of.
    pub other: Option<String>,
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

/// How many warnings each form with any has (form code → count).
pub type LintCounts = HashMap<String, usize>;

/// How many warnings each form with any has (form code → count): what lists of forms show
/// (pane 3, `form list`).
pub fn counts(catalog: &Catalog) -> LintCounts {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in lint(catalog) {
        *counts.entry(w.form).or_default() += 1;
    }
    counts
}

/// Lints every form of the catalog, in code order. Only unbound fields ask what covers their
/// labels, so only those labels are indexed (the whole pool's index took 1.9 s and a few
/// hundred MiB at a million elements).
pub fn lint(catalog: &Catalog) -> Vec<Warning> {
    let unbound = catalog
        .forms
        .values()
        .flat_map(|form| form.fields())
        .filter(|(_, _, field)| field.element.is_none())
        .map(|(_, _, field)| field.label.as_str());
    let covers = Covers::for_labels(catalog, unbound);
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

/// The warnings of `form` whose condition names a question or option none of `bundles`
/// (those holding its item, [`bundles_of_item`]) has: how many of its fields [`lint_form`]
/// warns about so. What a change to a bundle moves in the forms of its items.
pub fn unanswered_conditions(form: &Form, bundles: &[&Bundle]) -> usize {
    form.fields()
        .filter(|(_, _, field)| {
            field
                .when
                .as_ref()
                .is_some_and(|when| !missing_answers(when, bundles).is_empty())
        })
        .count()
}

/// The other field of a form that holds an element an unbound field could be bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// Its key.
    pub key: String,
    /// Its label.
    pub label: String,
    /// Whether it is bound to the element (else it is unbound and offered the element).
    pub bound: bool,
}

impl Holder {
    fn of(field: &Field, bound: bool) -> Holder {
        Holder {
            key: field.key.to_string(),
            label: field.label.to_string(),
            bound,
        }
    }
}

/// What form lint offers an unbound field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offer<'c> {
    /// An element to bind it to; `passed`: a better covering element skipped because
    /// another field of the form holds it, and that field.
    Element {
        /// The element and why it covers the label.
        cover: Cover<'c>,
        /// The element passed over, and who holds it.
        passed: Option<(Cover<'c>, Holder)>,
    },
    /// Every element covering the label is held by another field of the form: the field is
    /// probably a duplicate of `of`.
    Duplicate {
        /// The (first) covering element.
        cover: Cover<'c>,
        /// The field holding it.
        of: Holder,
    },
}

impl<'c> Offer<'c> {
    /// The element offered, if any.
    pub fn element(&self) -> Option<&'c str> {
        match self {
            Offer::Element { cover, .. } => Some(cover.element),
            Offer::Duplicate { .. } => None,
        }
    }
}

impl<'c> Match for Cover<'c> {
    type Key = &'c str;

    fn key(&self) -> &&'c str {
        &self.element
    }

    /// The label is the element's name, then a synonym, then a reading.
    fn rank(&self) -> u8 {
        match self.reason {
            Reason::SameName => 0,
            Reason::SynonymOfOther => 1,
            Reason::SamePinyin => 2,
            _ => 3,
        }
    }

    /// The label is its name or a synonym.
    fn strong(&self) -> bool {
        matches!(self.reason, Reason::SameName | Reason::SynonymOfOther)
    }
}

/// The first field of `form` bound to each element, but for the field at `except`.
fn bindings(form: &Form, except: Option<(usize, usize)>) -> HashMap<&str, &Field> {
    let mut bound: HashMap<&str, &Field> = HashMap::new();
    for (s, section) in form.sections.iter().enumerate() {
        for (i, field) in section.fields.iter().enumerate() {
            if let Some(e) = field.element.as_deref()
                && except != Some((s, i))
            {
                bound.entry(e).or_insert(field);
            }
        }
    }
    bound
}

/// An unbound field with its place in the form and the elements covering its label.
type Wanting<'f, 'c> = ((usize, usize), &'f Field, Vec<Cover<'c>>);

/// The offers for `unbound` (in form order), by [`assign`]: an element another field binds
/// (`bound`) is passed over, and of two unbound fields that want one element the stronger
/// match gets it.
fn choose<'c>(
    unbound: Vec<Wanting<'_, 'c>>,
    bound: &HashMap<&str, &Field>,
) -> Vec<((usize, usize), Offer<'c>)> {
    let labels: Vec<String> = unbound
        .iter()
        .map(|(_, field, _)| normalise(&field.label))
        .collect();
    let fields: Vec<Unbound<'_, Cover<'c>>> = unbound
        .iter()
        .zip(&labels)
        .map(|((_, _, cands), label)| Unbound {
            label,
            candidates: cands,
        })
        .collect();
    let mut buffer = String::new();
    let assigned = assign(&fields, |i, c| {
        let other = *bound.get(c.element)?;
        Some(Held {
            by: Holder::of(other, true),
            same_label: same_label(&other.label, &unbound[i].1.label, &mut buffer),
        })
    });
    let holder = |by: HeldBy<Holder>| match by {
        HeldBy::Bound(h) => h,
        HeldBy::Field(j) => Holder::of(unbound[j].1, false),
    };
    let mut out = Vec::new();
    for ((pos, _, cands), a) in unbound.iter().zip(assigned) {
        let passed = a.passed.map(|(c, by)| (cands[c], holder(by)));
        let offer = match (a.offered, passed) {
            (Some(c), passed) => Offer::Element {
                cover: cands[c],
                passed,
            },
            (None, Some((cover, of))) => Offer::Duplicate { cover, of },
            (None, None) => continue,
        };
        out.push((*pos, offer));
    }
    out
}

/// What lint offers each unbound field of `form` (by section and field index), by the rule of
/// [`super::one_per_form`]: the strongest match among the elements covering its label (its
/// name, then a synonym, then a reading) that no other field of the form binds or gets. Of
/// two unbound fields that could take one element, the stronger match gets it, then the one
/// with fewer elements that have its label as name or synonym (the other has a second
/// choice), then the earlier field; the other is offered its next element that has its label
/// as name or synonym, or is a likely duplicate. Fields no element covers are not listed.
pub fn offers<'c>(covers: &'c Covers, form: &Form) -> Vec<((usize, usize), Offer<'c>)> {
    let bound = bindings(form, None);
    let mut unbound: Vec<Wanting<'_, 'c>> = Vec::new();
    for (s, section) in form.sections.iter().enumerate() {
        for (i, field) in section.fields.iter().enumerate() {
            if field.element.is_none() {
                let cands = covers.candidates(&field.label);
                if !cands.is_empty() {
                    unbound.push(((s, i), field, cands));
                }
            }
        }
    }
    choose(unbound, &bound)
}

/// The element to offer the field at `pos` of `form` when it is being bound now (the
/// designer's bind picker starts from it), as [`offers`] would offer it unbound, but passing
/// over only elements other fields of the form bind (binding this field to one merely offered
/// to another unbound field binds nothing twice). `None` when no element covers its label, or
/// there is no such field.
pub fn offer_for<'c>(covers: &'c Covers, form: &Form, pos: (usize, usize)) -> Option<Offer<'c>> {
    let field = form.sections.get(pos.0)?.fields.get(pos.1)?;
    let bound = bindings(form, Some(pos));
    let cands = covers.candidates(&field.label);
    choose(vec![(pos, field, cands)], &bound)
        .pop()
        .map(|(_, offer)| offer)
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
    let offers: HashMap<(usize, usize), Offer<'_>> = offers(covers, form).into_iter().collect();
    let name_of = |code: &str| catalog.elements.get(code).map_or("", |e| e.name.as_str());
    for (s, section) in form.sections.iter().enumerate() {
        let warn =
            |kind, field: Option<&str>, element: Option<&str>, zh: String, en: String| Warning {
                kind,
                form: form.code.to_string(),
                section: s,
                section_title: section.title.to_string(),
                field: field.map(Into::into),
                element: element.map(Into::into),
                other: None,
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
        for (i, field) in section.fields.iter().enumerate() {
            let key = Some(field.key.as_str());
            match field.element.as_deref() {
                Some(code) => {
                    if let Some(&(first_key, first_label)) = first_of.get(code) {
                        out.push(Warning {
                            other: Some(first_key.to_string()),
                            ..warn(
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
                            )
                        });
                    } else {
                        first_of.insert(code, (&field.key, &field.label));
                    }
                    if let Some(element) = catalog.elements.get(code) {
                        if field.label.as_str() != element.name {
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
                None => match offers.get(&(s, i)) {
                    Some(Offer::Element { cover, passed }) => {
                        let name = name_of(cover.element);
                        // the better element another field holds, said after the reason
                        let (zh_note, en_note) = match passed {
                            Some((held, by)) => (
                                format!(
                                    "（数据元「{}」({}) 已由本表的「{}」({}) {}）",
                                    name_of(held.element),
                                    held.element,
                                    by.label,
                                    by.key,
                                    if by.bound { "绑定" } else { "占用" }
                                ),
                                format!(
                                    " (element \"{}\" ({}) is {} \"{}\" ({}) of this form)",
                                    name_of(held.element),
                                    held.element,
                                    if by.bound { "bound by" } else { "offered to" },
                                    by.label,
                                    by.key
                                ),
                            ),
                            None => (String::new(), String::new()),
                        };
                        out.push(warn(
                            WarningKind::CoveredUnbound,
                            key,
                            Some(cover.element),
                            format!(
                                "未绑定字段「{}」可绑定数据元「{name}」({})：{}{zh_note}",
                                field.label,
                                cover.element,
                                cover.reason.zh()
                            ),
                            format!(
                                "unbound field \"{}\" is probably element \"{name}\" ({}){en_note}",
                                field.label, cover.element
                            ),
                        ));
                    }
                    Some(Offer::Duplicate { cover, of }) => {
                        let name = name_of(cover.element);
                        let code = cover.element;
                        let (zh, en) = if of.bound {
                            (
                                format!(
                                    "未绑定字段「{}」疑似与「{}」({}) 重复：覆盖它的数据元「{name}」({code}) 已由 {} 绑定，一张表单的两个字段不能绑定同一数据元",
                                    field.label, of.label, of.key, of.key
                                ),
                                format!(
                                    "unbound field \"{}\" looks like a duplicate of \"{}\" ({}): the element that covers it, \"{name}\" ({code}), is bound by {} already, and two fields of one form cannot share an element",
                                    field.label, of.label, of.key, of.key
                                ),
                            )
                        } else {
                            (
                                format!(
                                    "未绑定字段「{}」疑似与未绑定字段「{}」({}) 重复：二者都由数据元「{name}」({code}) 覆盖，一张表单的两个字段不能绑定同一数据元",
                                    field.label, of.label, of.key
                                ),
                                format!(
                                    "unbound field \"{}\" looks like a duplicate of the unbound field \"{}\" ({}): element \"{name}\" ({code}) covers both, and two fields of one form cannot share an element",
                                    field.label, of.label, of.key
                                ),
                            )
                        };
                        out.push(Warning {
                            other: Some(of.key.clone()),
                            ..warn(WarningKind::LikelyDuplicate, key, Some(code), zh, en)
                        });
                    }
                    None => {}
                },
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

/// Whether a change to a record of `kind` leaves every form's warnings as they were, but for
/// a bundle's, which moves those of its items' forms' conditions only (what a write keeps of
/// the cached counts: an element's or a form's change may move any form's).
pub fn moves_no_warning(kind: crate::model::Kind) -> bool {
    use crate::model::Kind;
    matches!(
        kind,
        Kind::Item | Kind::Material | Kind::Bundle | Kind::Agency | Kind::Region
    )
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
            depends_on: Default::default(),
            materials: Default::default(),
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
            materials: Default::default(),
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
            element("E4", "电子邮箱", &["邮箱"], Status::Published),
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
                        field("f3", "邮箱", None),
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
                (WarningKind::CoveredUnbound, s("f3"), s("E4")),
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
        assert_eq!(
            w[3].other.as_deref(),
            Some("f1"),
            "bound twice names the first"
        );
    }

    /// A form of one section with `fields`, in a catalog with `more` elements besides E1–E4.
    fn one_form(fields: Vec<Field>, more: &[Record]) -> Catalog {
        let form = Form {
            code: "F1".into(),
            name: "表".into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "申请人".into(),
                fields,
            }],
            status: Status::Draft,
            version: 0,
        };
        let mut c = catalog(form);
        for r in more {
            c.insert(r.clone());
        }
        c
    }

    /// (kind, field, element, other field) of every warning about a field's binding.
    fn bindings_of(c: &Catalog) -> Vec<(WarningKind, String, String, Option<String>)> {
        lint(c)
            .into_iter()
            .filter(|w| w.kind != WarningKind::LabelDrift)
            .map(|w| {
                (
                    w.kind,
                    w.field.unwrap_or_default(),
                    w.element.unwrap_or_default(),
                    w.other,
                )
            })
            .collect()
    }

    #[test]
    fn an_unbound_field_whose_element_the_form_binds_is_a_likely_duplicate() {
        // the sample's BD000055: 移动电话 bound (f05), 手机号码 (its synonym) unbound (f13);
        // wherever the bound one stands
        for fields in [
            vec![
                field("f05", "移动电话", Some("E2")),
                field("f13", "手机号码", None),
            ],
            vec![
                field("f13", "手机号码", None),
                field("f05", "移动电话", Some("E2")),
            ],
        ] {
            let c = one_form(fields, &[]);
            assert_eq!(
                bindings_of(&c),
                [(
                    WarningKind::LikelyDuplicate,
                    "f13".into(),
                    "E2".into(),
                    Some("f05".into())
                )]
            );
            let w = &lint(&c)[0];
            assert_eq!(
                w.message(Lang::Zh),
                "未绑定字段「手机号码」疑似与「移动电话」(f05) 重复：覆盖它的数据元「移动电话」(E2) 已由 f05 绑定，一张表单的两个字段不能绑定同一数据元"
            );
            assert!(
                w.message(Lang::En)
                    .contains("duplicate of \"移动电话\" (f05)")
            );
            assert_eq!(w.kind.label(Lang::Zh), "疑似重复字段");
            assert_eq!(w.kind.as_str(), "likely_duplicate");
        }
    }

    #[test]
    fn the_next_element_with_the_label_is_offered_and_a_reading_alone_is_a_duplicate() {
        let fields = || {
            vec![
                field("f05", "移动电话", Some("E2")),
                field("f13", "手机号码", None),
            ]
        };
        // another element lists 手机号码 as a synonym: it is offered, and the note says why
        // not the first
        let c = one_form(
            fields(),
            &[element("E9", "手机", &["手机号码"], Status::Published)],
        );
        assert_eq!(
            bindings_of(&c),
            [(WarningKind::CoveredUnbound, "f13".into(), "E9".into(), None)]
        );
        let w = &lint(&c)[0];
        assert!(
            w.message(Lang::Zh)
                .ends_with("（数据元「移动电话」(E2) 已由本表的「移动电话」(f05) 绑定）"),
            "{}",
            w.zh
        );
        assert!(
            w.message(Lang::En)
                .contains("is bound by \"移动电话\" (f05)")
        );
        // a label that only reads the same as the bound element's name (a typo) is a likely
        // duplicate too
        let c = one_form(
            vec![
                field("f05", "移动电话", Some("E2")),
                field("f13", "移动电化", None),
            ],
            &[],
        );
        assert_eq!(
            bindings_of(&c),
            [(
                WarningKind::LikelyDuplicate,
                "f13".into(),
                "E2".into(),
                Some("f05".into())
            )]
        );
    }

    #[test]
    fn two_unbound_fields_one_element_covers_get_it_once() {
        // 联系电话 is covered only by E2; 手机号码 by E2 and E9: 联系电话 chooses first and
        // takes E2, 手机号码 goes to E9
        let c = one_form(
            vec![field("f1", "手机号码", None), field("f2", "联系电话", None)],
            &[
                element(
                    "E2",
                    "移动电话",
                    &["手机号码", "联系电话"],
                    Status::Published,
                ),
                element("E9", "手机", &["手机号码"], Status::Published),
            ],
        );
        assert_eq!(
            bindings_of(&c),
            [
                (WarningKind::CoveredUnbound, "f1".into(), "E9".into(), None),
                (WarningKind::CoveredUnbound, "f2".into(), "E2".into(), None),
            ]
        );
        // with E2 alone, the second is a likely duplicate of the first (unbound) one
        let c = one_form(
            vec![field("f1", "手机号码", None), field("f2", "联系电话", None)],
            &[element(
                "E2",
                "移动电话",
                &["手机号码", "联系电话"],
                Status::Published,
            )],
        );
        assert_eq!(
            bindings_of(&c),
            [
                (WarningKind::CoveredUnbound, "f1".into(), "E2".into(), None),
                (
                    WarningKind::LikelyDuplicate,
                    "f2".into(),
                    "E2".into(),
                    Some("f1".into())
                ),
            ]
        );
        assert!(
            lint(&c)[1]
                .message(Lang::Zh)
                .contains("未绑定字段「手机号码」(f1)")
        );
    }

    #[test]
    fn a_later_field_named_after_the_element_wins_over_an_earlier_synonym() {
        // f1 邮箱 has E4 as a synonym, f2 电子邮箱 is named after it: f2 gets E4 though it
        // comes later, and f1 is its likely duplicate (first come, f1 took E4)
        let c = one_form(
            vec![field("f1", "邮箱", None), field("f2", "电子邮箱", None)],
            &[],
        );
        assert_eq!(
            bindings_of(&c),
            [
                (
                    WarningKind::LikelyDuplicate,
                    "f1".into(),
                    "E4".into(),
                    Some("f2".into())
                ),
                (WarningKind::CoveredUnbound, "f2".into(), "E4".into(), None),
            ]
        );
        assert!(
            lint(&c)[0]
                .message(Lang::Zh)
                .contains("疑似与未绑定字段「电子邮箱」(f2) 重复")
        );
        // with another element that lists 邮箱, f1 is offered that one, and told why not E4
        let c = one_form(
            vec![field("f1", "邮箱", None), field("f2", "电子邮箱", None)],
            &[element("E9", "电邮", &["邮箱"], Status::Published)],
        );
        assert_eq!(
            bindings_of(&c),
            [
                (WarningKind::CoveredUnbound, "f1".into(), "E9".into(), None),
                (WarningKind::CoveredUnbound, "f2".into(), "E4".into(), None),
            ]
        );
        assert!(
            lint(&c)[0]
                .message(Lang::Zh)
                .ends_with("（数据元「电子邮箱」(E4) 已由本表的「电子邮箱」(f2) 占用）"),
            "{}",
            lint(&c)[0].zh
        );
    }

    #[test]
    fn an_element_named_as_the_label_is_offered_before_one_with_it_as_a_synonym() {
        // E4 (first in code order) has 邮箱 as a synonym, E5 is named 邮箱
        let c = one_form(
            vec![field("f1", "邮箱", None)],
            &[element("E5", "邮箱", &[], Status::Published)],
        );
        assert_eq!(
            bindings_of(&c),
            [(WarningKind::CoveredUnbound, "f1".into(), "E5".into(), None)]
        );
        let covers = Covers::new(&c);
        assert_eq!(
            offer_for(&covers, &c.forms["F1"], (0, 0)).and_then(|o| o.element()),
            Some("E5")
        );
    }

    #[test]
    fn the_bind_offer_passes_over_elements_other_fields_bind() {
        let c = one_form(
            vec![
                field("f05", "移动电话", Some("E2")),
                field("f13", "手机号码", None),
                field("f15", "邮箱", None),
            ],
            &[],
        );
        let covers = Covers::new(&c);
        let form = &c.forms["F1"];
        // f13: E2 is bound by f05, so no element is offered
        assert!(matches!(
            offer_for(&covers, form, (0, 1)),
            Some(Offer::Duplicate { of, .. }) if of.key == "f05" && of.bound
        ));
        // f05 itself: its own binding does not count
        assert_eq!(
            offer_for(&covers, form, (0, 0)).and_then(|o| o.element()),
            Some("E2")
        );
        assert_eq!(
            offer_for(&covers, form, (0, 2)).and_then(|o| o.element()),
            Some("E4")
        );
        assert_eq!(offer_for(&covers, form, (0, 9)), None);
        assert_eq!(offer_for(&covers, form, (3, 0)), None);
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
            // the unbound 手机号码 beside the bound 移动电话 that covers it
            (
                WarningKind::LikelyDuplicate,
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
            // the unbound labels' covers answer as the whole pool's
            let whole = Covers::new(&c);
            let with_whole: Vec<Warning> = c
                .forms
                .values()
                .flat_map(|f| lint_form(&c, &whole, f))
                .collect();
            assert_eq!(lint(&c), with_whole);
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

    #[test]
    fn the_unanswered_conditions_are_the_forms_bad_condition_warnings() {
        let mut catalog = crate::sample::generate(1);
        let mut checked = 0;
        // as generated, then with every bundle's first question gone (what named it too)
        for round in 0..2 {
            let covers = Covers::for_labels(&catalog, std::iter::empty());
            for form in catalog.forms.values() {
                let bundles = form
                    .item
                    .as_deref()
                    .map(|item| bundles_of_item(&catalog, item))
                    .unwrap_or_default();
                let warned = lint_form(&catalog, &covers, form)
                    .iter()
                    .filter(|w| w.kind == WarningKind::BadCondition)
                    .count();
                assert_eq!(
                    unanswered_conditions(form, &bundles),
                    warned,
                    "{}",
                    form.code
                );
                checked += usize::from(round == 1 && warned > 0);
            }
            let bundles: Vec<Bundle> = catalog.bundles.values().cloned().collect();
            for mut b in bundles {
                use crate::engine::bundle_edit::{RemoveTarget, remove};
                remove(&mut b, RemoveTarget::Question(0));
                catalog.insert(crate::model::Record::Bundle(b));
            }
        }
        assert!(checked > 0, "some form's condition unanswered");
    }
}
