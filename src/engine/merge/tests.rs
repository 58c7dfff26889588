//! Hand-worked bundles and property tests of the merge rules.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::distribute::{Filled, distribute};
use super::situation::Answers;
use super::*;
use crate::i18n::Lang;
use crate::model::{
    AnswerOption, BundleMaterial, Element, ElementKind, ElementOption, Field, Form, Item,
    ItemLevel, ItemType, Material, MaterialKind, Origin, Question, Record, Section, Share, Status,
    When,
};

fn element(code: &str, name: &str, parent: Option<&str>, options: &[&str]) -> Record {
    Record::Element(Element {
        code: code.into(),
        name: name.into(),
        synonyms: Default::default(),
        kind: if options.is_empty() {
            ElementKind::Text
        } else {
            ElementKind::Dropdown
        },
        definition: Default::default(),
        pattern: None,
        options: options
            .iter()
            .map(|o| ElementOption {
                code: (*o).into(),
                label: (*o).into(),
                parent: None,
                kind: None,
            })
            .collect(),
        parent: parent.map(Into::into),
        unit: None,
        source_agency: None,
        share: Share::Open,
        security_level: 1,
        status: Status::Published,
        version: 0,
    })
}

fn item(code: &str, days: u32, depends_on: &[&str]) -> Record {
    Record::Item(Item {
        code: code.into(),
        name: format!("事项{code}").into(),
        level: ItemLevel::Main,
        parent: None,
        item_type: ItemType::Licensing,
        agency: None,
        region: None,
        basis: Default::default(),
        time_limit_days: days,
        legal_limit_days: days * 2,
        fee: Default::default(),
        online_depth: 0,
        depends_on: depends_on.iter().map(|&s| s.into()).collect(),
        materials: Default::default(),
        status: Status::Draft,
        version: 0,
        origin: Origin::SelfBuilt,
        template: false,
        template_of: None,
    })
}

/// (key, label, element, required, when)
type F<'a> = (&'a str, &'a str, Option<&'a str>, bool, Option<When>);
/// The owned form of `F`.
type OwnedF = (String, String, Option<String>, bool, Option<When>);

fn form(code: &str, item: &str, fields: Vec<F<'_>>) -> Record {
    Record::Form(Form {
        code: code.into(),
        name: format!("表{code}").into(),
        item: Some(item.into()),
        material: None,
        sections: vec![Section {
            title: "信息".into(),
            fields: fields
                .into_iter()
                .map(|(key, label, element, required, when)| Field {
                    key: key.into(),
                    label: label.into(),
                    element: element.map(Into::into),
                    required,
                    help: None,
                    when: when.map(Box::new),
                })
                .collect(),
        }],
        status: Status::Draft,
        version: 0,
    })
}

fn material(code: &str, shareable: bool) -> Record {
    Record::Material(Material {
        code: code.into(),
        name: format!("材料{code}").into(),
        kind: MaterialKind::General,
        source: String::new(),
        issuing_agency: None,
        licence_code: None,
        shareable,
        copies: 1,
        required: true,
        template: false,
        template_of: None,
    })
}

fn when(q: &str, o: &str) -> Option<When> {
    Some([(q.to_string(), vec![o.to_string()])].into())
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|(q, o)| (q.to_string(), o.to_string()))
        .collect()
}

/// Items A → {B, C} → D (a diamond), four forms exercising every rule.
pub(super) fn restaurant() -> Catalog {
    let mut records = vec![
        element("NAME", "姓名", None, &[]),
        element("ID", "身份证号码", None, &[]),
        element("ADDR", "地址", None, &[]),
        element("PROV", "省", Some("ADDR"), &[]),
        element("BIZ", "经营类别", None, &["餐饮", "零售"]),
        element("BIZSUB", "经营子类", Some("BIZ"), &["热食", "冷食"]),
        item("A", 5, &[]),
        item("B", 3, &["A"]),
        item("C", 7, &["A"]),
        item("D", 2, &["B", "C"]),
        material("M1", true),
        material("M2", false),
        form(
            "FA",
            "A",
            vec![
                ("name", "姓名", Some("NAME"), true, None),
                ("id", "身份证号码", Some("ID"), true, None),
                ("addr", "地址", Some("ADDR"), false, None),
            ],
        ),
        form(
            "FB",
            "B",
            vec![
                ("name", "申请人姓名", Some("NAME"), false, None),
                ("prov", "省", Some("PROV"), true, None),
                ("contact", "联系人", None, false, None),
            ],
        ),
        form(
            "FC",
            "C",
            vec![
                ("name", "姓名", Some("NAME"), true, None),
                ("contact", "联系人", None, true, None),
                ("idno", "身份证号码", None, false, None),
                (
                    "biz",
                    "经营类别",
                    Some("BIZ"),
                    false,
                    when("alcohol", "yes"),
                ),
            ],
        ),
        form(
            "FD",
            "D",
            vec![("sub", "经营子类", Some("BIZSUB"), false, None)],
        ),
    ];
    records.push(Record::Bundle(Bundle {
        code: "B1".into(),
        name: "我要开餐馆".into(),
        lead_agency: None,
        items: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        questions: vec![Question {
            key: "alcohol".into(),
            text: "是否销售酒类？".into(),
            options: vec![
                AnswerOption {
                    key: "yes".into(),
                    text: "是".into(),
                },
                AnswerOption {
                    key: "no".into(),
                    text: "否".into(),
                },
            ],
        }],
        item_when: [("D".to_string(), when("alcohol", "yes").unwrap_or_default())].into(),
        materials: vec![
            BundleMaterial {
                material: "M1".into(),
                item: "A".into(),
                when: None,
            },
            BundleMaterial {
                material: "M1".into(),
                item: "B".into(),
                when: None,
            },
            BundleMaterial {
                material: "M2".into(),
                item: "C".into(),
                when: when("alcohol", "yes"),
            },
        ],
        status: Status::Draft,
        version: 0,
        origin: Origin::SelfBuilt,
        template: false,
        template_of: None,
    }));
    let catalog = Catalog::from_records(records);
    let problems = crate::model::invariants::check_records(&catalog, catalog.records());
    assert!(problems.is_empty(), "{problems:?}");
    catalog
}

pub(super) fn run(catalog: &Catalog, a: &[(&str, &str)]) -> Merge {
    merge(
        catalog,
        &catalog.bundles["B1"],
        &answers(a),
        &BTreeSet::new(),
    )
}

fn field<'m>(m: &'m Merge, element: &str) -> &'m MergedField {
    m.fields
        .iter()
        .find(|f| f.element.as_deref() == Some(element))
        .expect("merged field")
}

#[test]
fn hand_worked_restaurant_with_alcohol() {
    let c = restaurant();
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(m.items, ["A", "B", "C", "D"]);
    assert_eq!(m.stats.fields_before, 11);
    // NAME, ID, ADDR(+PROV), BIZ(+BIZSUB), and three unbound fields kept as they are
    assert_eq!(m.stats.fields_after, 7);

    let name = field(&m, "NAME");
    assert_eq!(name.label, "姓名", "the element's name, not a source label");
    assert!(name.required, "required if any source is");
    assert_eq!(name.sources.len(), 3);

    let addr = field(&m, "ADDR");
    assert_eq!(
        addr.covers,
        ["PROV"],
        "a parent present covers its children"
    );
    assert!(addr.required, "the child's required flag counts");
    assert!(
        m.fields
            .iter()
            .all(|f| f.element.as_deref() != Some("PROV"))
    );

    let kinds = |e: &str| -> Vec<ConflictKind> {
        m.conflicts
            .iter()
            .filter(|c| c.element == e)
            .map(|c| c.kind)
            .collect()
    };
    assert_eq!(kinds("NAME"), [ConflictKind::Required, ConflictKind::Label]);
    let label = m
        .conflicts
        .iter()
        .find(|c| c.element == "NAME" && c.kind == ConflictKind::Label)
        .unwrap();
    assert_eq!(label.values, ["姓名", "申请人姓名"]);
    assert_eq!(kinds("BIZ"), [ConflictKind::Options]);
    assert!(kinds("ID").is_empty() && kinds("ADDR").is_empty());

    assert_eq!(m.suggestions.len(), 2);
    assert_eq!(
        m.suggestions[0].element.as_deref(),
        Some("ID"),
        "an unbound 身份证号码 matches a bound element"
    );
    assert_eq!(
        m.suggestions[0].fields,
        [SourceRef {
            form: "FC".into(),
            field: "idno".into()
        }]
    );
    assert_eq!(m.suggestions[1].reason, "same_label");
    assert_eq!(m.suggestions[1].fields.len(), 2);

    assert_eq!(
        (
            m.stats.materials_before,
            m.stats.materials_after,
            m.stats.materials_exempt
        ),
        (3, 2, 1)
    );
    assert_eq!(m.materials[0].items, ["A", "B"]);

    // diamond A → {B, C} → D: sum 17, critical A(5) + C(7) + D(2) = 14
    assert_eq!(
        (m.stats.time_sum_days, m.stats.time_critical_days),
        (17, 14)
    );
    assert_eq!(m.flow.critical_path, ["A", "C", "D"]);
    assert_eq!(m.flow.order, ["A", "B", "C", "D"]);
}

#[test]
fn conflicts_say_which_source_has_which_value() {
    let c = restaurant();
    let m = run(&c, &[("alcohol", "yes")]);
    let of = |kind| {
        m.conflicts
            .iter()
            .find(|x| x.kind == kind)
            .cloned()
            .expect("conflict")
    };
    let src = |form: &str, field: &str| SourceRef {
        form: form.into(),
        field: field.into(),
    };
    let label = of(ConflictKind::Label);
    assert_eq!(
        label.value_of_source(&src("FB", "name")),
        Some("申请人姓名")
    );
    assert_eq!(label.value_of_source(&src("FC", "name")), Some("姓名"));
    assert_eq!(
        label.describe(Lang::Zh),
        "标签不一：「姓名」 FA/name, FC/name；「申请人姓名」 FB/name"
    );
    let required = of(ConflictKind::Required);
    assert_eq!(required.value_of_source(&src("FB", "name")), Some("false"));
    assert_eq!(
        required.describe(Lang::En),
        "required differs: required FA/name, FC/name; optional FB/name"
    );
    // the options conflict: each source has its own element's list
    let options = of(ConflictKind::Options);
    assert_eq!(
        options.value_of_source(&src("FC", "biz")),
        Some("餐饮/零售")
    );
    assert_eq!(
        options.value_of_source(&src("FD", "sub")),
        Some("热食/冷食")
    );
    assert_eq!(
        options.groups(),
        [
            ("热食/冷食", vec![&src("FD", "sub")]),
            ("餐饮/零售", vec![&src("FC", "biz")])
        ]
    );
    assert_eq!(ConflictKind::Options.describe(Lang::Zh), "选项");
}

/// Adds an element with synonyms to `c`.
fn add_element(c: &mut Catalog, code: &str, name: &str, synonyms: &[&str]) {
    let Record::Element(mut e) = element(code, name, None, &[]) else {
        unreachable!()
    };
    e.synonyms = synonyms.iter().map(|s| (*s).into()).collect();
    c.insert(Record::Element(e));
}

/// Adds unbound fields (key, label) to form `form` of `c`.
fn add_unbound(c: &mut Catalog, form: &str, fields: &[(&str, &str)]) {
    let mut f = c.forms[form].clone();
    for (key, label) in fields {
        f.sections[0].fields.push(Field {
            key: (*key).into(),
            label: (*label).into(),
            element: None,
            required: false,
            help: None,
            when: None,
        });
    }
    c.insert(Record::Form(f));
}

fn src(form: &str, field: &str) -> SourceRef {
    SourceRef {
        form: form.into(),
        field: field.into(),
    }
}

/// Applies a batch's upserts to `c`.
fn apply(c: &mut Catalog, batch: crate::store::Batch) {
    for command in batch.commands {
        if let crate::store::Command::Upsert(record) = command {
            c.insert(record);
        }
    }
}

/// The double bindings form lint finds in `c`'s forms.
fn double_bound(c: &Catalog) -> Vec<(String, Option<String>)> {
    let covers = crate::engine::dups::Covers::new(c);
    c.forms
        .values()
        .flat_map(|f| crate::engine::lint::lint_form(c, &covers, f))
        .filter(|w| w.kind == crate::engine::lint::WarningKind::DoubleBound)
        .map(|w| (w.form, w.field))
        .collect()
}

/// Whether any suggestion, or any of its candidates, binds two fields of one form to one
/// element, or a field whose form binds the element already.
fn binds_twice(c: &Catalog, m: &Merge) -> Option<String> {
    for s in &m.suggestions {
        for cand in s.candidates() {
            let mut forms = BTreeSet::new();
            for f in &cand.fields {
                if !forms.insert(f.form.clone()) {
                    return Some(format!("two fields of {} in {cand:?}", f.form));
                }
                let Some(e) = &cand.element else { continue };
                if c.forms[f.form.as_str()]
                    .fields()
                    .any(|(_, _, x)| x.element.as_deref() == Some(e.as_str()))
                {
                    return Some(format!("{} binds {e} already: {cand:?}", f.form));
                }
            }
        }
    }
    None
}

#[test]
fn a_pool_element_covering_several_labels_takes_them_all() {
    // MOBILE (first in code order) lists only 手机号码; PHONE lists 联系电话 and 手机号码:
    // both fields (of two forms) go to PHONE, so they end up as one field
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["手机号码"]);
    add_element(&mut c, "PHONE", "联系号码", &["联系电话", "手机号码"]);
    add_unbound(&mut c, "FA", &[("tel", "联系电话")]);
    add_unbound(&mut c, "FB", &[("cell", "手机号码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert!(
        !m.suggestions
            .iter()
            .any(|s| s.element.as_deref() == Some("MOBILE")),
        "{:?}",
        m.suggestions
    );
    let phone: Vec<&Suggestion> = m
        .suggestions
        .iter()
        .filter(|s| s.element.as_deref() == Some("PHONE"))
        .collect();
    assert_eq!(phone.len(), 1, "{:?}", m.suggestions);
    assert_eq!(phone[0].fields, [src("FA", "tel"), src("FB", "cell")]);
    assert_eq!(phone[0].reason, "pool_synonym");
    assert_eq!(phone[0].covers, 2);
    // MOBILE is the alternative, for 手机号码 only
    let alternatives = &phone[0].alternatives;
    assert_eq!(alternatives.len(), 1, "{alternatives:?}");
    assert_eq!(alternatives[0].element.as_deref(), Some("MOBILE"));
    assert_eq!(alternatives[0].fields, [src("FB", "cell")]);
    assert_eq!(
        alternatives[0].left_out[0].reason,
        suggest::LeftOutReason::NotCovered
    );
    // a label alone still goes to the first element that covers it
    let pool = crate::engine::dups::Covers::new(&c);
    assert_eq!(pool.cover("手机号码").map(|c| c.element), Some("MOBILE"));
    let best = pool.best(&["手机号码"]);
    assert_eq!(best[0].map(|c| c.element), Some("MOBILE"));
}

#[test]
fn same_label_is_suggested_across_forms_only() {
    let mut c = restaurant();
    let unbound = |key: &str| Field {
        key: key.into(),
        label: "备注说明".into(),
        element: None,
        required: false,
        help: None,
        when: None,
    };
    // two fields of FA with one label: two data, not one
    let mut fa = c.forms["FA"].clone();
    fa.sections[0].fields.push(unbound("note1"));
    fa.sections[0].fields.push(unbound("note2"));
    c.insert(Record::Form(fa));
    let m = run(&c, &[("alcohol", "yes")]);
    let notes = |m: &Merge| -> Vec<Vec<(String, String)>> {
        m.suggestions
            .iter()
            .filter(|s| s.reason == "same_label")
            .map(|s| {
                s.fields
                    .iter()
                    .map(|f| (f.form.to_string(), f.field.to_string()))
                    .filter(|(_, field)| field.starts_with("note"))
                    .collect::<Vec<_>>()
            })
            .filter(|fields| !fields.is_empty())
            .collect()
    };
    assert!(notes(&m).is_empty(), "{:?}", m.suggestions);
    // with the label on FC too: FA's first field and FC's
    let mut fc = c.forms["FC"].clone();
    fc.sections[0].fields.push(unbound("note3"));
    c.insert(Record::Form(fc));
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(
        notes(&m),
        [vec![
            ("FA".to_string(), "note1".to_string()),
            ("FC".to_string(), "note3".to_string())
        ]],
        "{:?}",
        m.suggestions
    );
}

#[test]
fn unbound_fields_are_matched_to_the_element_pool_too() {
    // 移动电话 lists 联系电话 and 手机号码 as synonyms; no form of the bundle uses it
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["联系电话", "手机号码"]);
    add_unbound(&mut c, "FA", &[("tel", "联系电话")]);
    add_unbound(&mut c, "FB", &[("cell", "手机号码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    let pool: Vec<&Suggestion> = m
        .suggestions
        .iter()
        .filter(|s| s.element.as_deref() == Some("MOBILE"))
        .collect();
    assert_eq!(
        pool.len(),
        1,
        "one suggestion binds both: {:?}",
        m.suggestions
    );
    assert_eq!(pool[0].reason, "pool_synonym");
    assert_eq!(pool[0].score, 90);
    assert_eq!(pool[0].fields, [src("FA", "tel"), src("FB", "cell")]);
    // the other suggestions are as before
    assert_eq!(m.suggestions.len(), 3);
    // without the pool (counts only) there is no such suggestion, and no figure changes
    let bare = merge_with(
        &c,
        &c.bundles["B1"],
        &answers(&[("alcohol", "yes")]),
        &BTreeSet::new(),
        None,
    );
    assert_eq!(bare.suggestions.len(), 2);
    assert_eq!(bare.stats, m.stats);
    // accepting binds both: one merged field instead of two
    let target = resolve::target_of(&c, pool[0]);
    assert_eq!(target, resolve::Target::Existing("MOBILE".into()));
    let batch = resolve::accept_suggestion(&c, pool[0], &target).expect("batch");
    let after_before = m.stats.fields_after;
    apply(&mut c, batch);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(m.stats.fields_after, after_before - 1);
    assert!(
        m.fields
            .iter()
            .any(|f| f.element.as_deref() == Some("MOBILE") && f.sources.len() == 2)
    );
    assert!(double_bound(&c).is_empty());
}

#[test]
fn no_suggestion_binds_two_fields_of_one_form_to_one_element() {
    // QA session 8 #1: 联系电话 twice on FA, and 手机号码 on FA too, all covered by MOBILE;
    // 联系电话 on FB as well
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["联系电话", "手机号码"]);
    add_unbound(
        &mut c,
        "FA",
        &[
            ("tel1", "联系电话"),
            ("tel2", "联系电话"),
            ("cell", "手机号码"),
        ],
    );
    add_unbound(&mut c, "FB", &[("tel", "联系电话")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let mobile: Vec<&Suggestion> = m
        .suggestions
        .iter()
        .filter(|s| s.element.as_deref() == Some("MOBILE"))
        .collect();
    assert_eq!(mobile.len(), 1, "{:?}", m.suggestions);
    // one field of each form; FA's others are left out, and the suggestion says why
    assert_eq!(mobile[0].fields, [src("FA", "tel1"), src("FB", "tel")]);
    let left: Vec<(SourceRef, String)> = mobile[0]
        .left_out
        .iter()
        .map(|l| (l.field.clone(), l.describe(Lang::Zh)))
        .collect();
    assert_eq!(
        left,
        [
            (
                src("FA", "tel2"),
                "FA/tel2 未纳入：同表的 tel1 已在此建议中绑定 MOBILE".to_string()
            ),
            (
                src("FA", "cell"),
                "FA/cell 未纳入：同表的 tel1 已在此建议中绑定 MOBILE".to_string()
            ),
        ]
    );
    assert_eq!(
        mobile[0].left_out[0].describe(Lang::En),
        "FA/tel2 left out: tel1 of the same form goes to MOBILE here"
    );
    // accepting it: one field per form on MOBILE, nothing bound twice, and the merge saves
    // a field (FA/tel1 and FB/tel become one)
    let before = m.stats.fields_after;
    let target = resolve::target_of(&c, mobile[0]);
    let batch = resolve::accept_suggestion(&c, mobile[0], &target).expect("batch");
    apply(&mut c, batch);
    assert!(double_bound(&c).is_empty(), "{:?}", double_bound(&c));
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(m.stats.fields_after, before - 1);
    // now FA binds MOBILE: its other fields are suggested nowhere, and the merge says why
    assert_eq!(binds_twice(&c, &m), None);
    assert!(
        !m.suggestions
            .iter()
            .any(|s| s.element.as_deref() == Some("MOBILE")),
        "{:?}",
        m.suggestions
    );
    let left: Vec<(SourceRef, &suggest::LeftOutReason)> = m
        .left_out
        .iter()
        .map(|l| (l.field.clone(), &l.reason))
        .collect();
    let by = suggest::LeftOutReason::Bound { by: "tel1".into() };
    assert_eq!(left, [(src("FA", "tel2"), &by), (src("FA", "cell"), &by)]);
    assert!(
        m.left_out[0]
            .describe(Lang::Zh)
            .contains("同表的 tel1 已绑定 MOBILE")
    );
}

#[test]
fn a_field_goes_to_its_next_element_when_its_form_took_the_first() {
    // PHONE lists 联系电话 and 手机号码, MOBILE only 手机号码: on one form, 联系电话 (one
    // choice) takes PHONE and 手机号码 goes to MOBILE, not to PHONE a second time
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["手机号码"]);
    add_element(&mut c, "PHONE", "联系号码", &["联系电话", "手机号码"]);
    add_unbound(&mut c, "FA", &[("cell", "手机号码"), ("tel", "联系电话")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let to = |e: &str| -> Vec<SourceRef> {
        m.suggestions
            .iter()
            .filter(|s| s.element.as_deref() == Some(e))
            .flat_map(|s| s.fields.clone())
            .collect()
    };
    assert_eq!(to("PHONE"), [src("FA", "tel")]);
    assert_eq!(to("MOBILE"), [src("FA", "cell")]);
    // 手机号码's suggestion offers PHONE as the alternative: alone it binds nothing twice
    let cell = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("MOBILE"))
        .expect("MOBILE");
    let elements: Vec<Option<Code>> = cell.candidates().into_iter().map(|c| c.element).collect();
    assert_eq!(elements, [Some("MOBILE".into()), Some("PHONE".into())]);
    assert!(m.left_out.is_empty());
}

#[test]
fn a_second_field_with_the_same_label_is_left_out_not_sent_elsewhere() {
    // two 联系电话 on FA, and two elements that list it: which is which cannot be guessed,
    // so the second field is left out rather than bound to the other element
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["联系电话"]);
    add_element(&mut c, "PHONE", "固定电话", &["联系电话"]);
    add_unbound(&mut c, "FA", &[("t1", "联系电话"), ("t2", "联系电话")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let pool: Vec<(Option<Code>, Vec<SourceRef>)> = m
        .suggestions
        .iter()
        .filter(|s| s.reason.starts_with("pool_"))
        .map(|s| (s.element.clone(), s.fields.clone()))
        .collect();
    assert_eq!(pool, [(Some("MOBILE".into()), vec![src("FA", "t1")])]);
    let mobile = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("MOBILE"))
        .expect("MOBILE");
    let left: Vec<&SourceRef> = mobile.left_out.iter().map(|l| &l.field).collect();
    assert_eq!(left, [&src("FA", "t2")]);
    // PHONE is offered instead, for t1
    assert_eq!(mobile.alternatives[0].element.as_deref(), Some("PHONE"));
}

#[test]
fn an_unbound_copy_of_a_bound_field_is_not_suggested_onto_its_element() {
    // FA binds 姓名 to NAME: a second, unbound 姓名 on FA would be NAME twice
    let mut c = restaurant();
    add_unbound(&mut c, "FA", &[("name2", "姓名")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    assert!(
        !m.suggestions
            .iter()
            .any(|s| s.fields.contains(&src("FA", "name2"))),
        "{:?}",
        m.suggestions
    );
    assert_eq!(m.left_out.len(), 1, "{:?}", m.left_out);
    assert_eq!(
        m.left_out[0].reason,
        suggest::LeftOutReason::Bound { by: "name".into() }
    );
    assert_eq!(m.left_out[0].element.as_deref(), Some("NAME"));
    assert!(
        m.left_out[0]
            .describe(Lang::En)
            .contains("two fields of one form cannot share an element")
    );
    // a suggestion built before the catalog changed is refused, not applied twice over
    let stale = Suggestion {
        fields: vec![src("FA", "name2")],
        element: Some("NAME".into()),
        score: 90,
        reason: "element_name",
        covers: 1,
        left_out: vec![],
        alternatives: vec![],
    };
    let target = resolve::target_of(&c, &stale);
    assert_eq!(
        resolve::accept_suggestion(&c, &stale, &target),
        Err(resolve::ResolveError::BoundTwice {
            form: "FA".into(),
            field: "name2".into(),
            by: "name".into(),
            element: "NAME".into()
        })
    );
    add_unbound(&mut c, "FC", &[("x1", "备注"), ("x2", "备注")]);
    let two = Suggestion {
        fields: vec![src("FC", "x1"), src("FC", "x2")],
        element: None,
        ..stale
    };
    let target = resolve::target_of(&c, &two);
    assert!(matches!(
        resolve::accept_suggestion(&c, &two, &target),
        Err(resolve::ResolveError::BoundTwice { field, by, .. }) if field == "x2" && by == "x1"
    ));
}

#[test]
fn each_suggestion_lists_its_alternatives_best_first_with_their_reasons() {
    // 联系电话 on FA and FB: MOBILE has it as a synonym and covers 手机号码 (FC) too; PHONE
    // has it as a synonym; TELNO is one character from it
    let mut c = restaurant();
    add_element(&mut c, "MOBILE", "移动电话", &["联系电话", "手机号码"]);
    add_element(&mut c, "PHONE", "固定电话", &["联系电话"]);
    add_element(&mut c, "TELNO", "联系电话号", &[]);
    add_unbound(&mut c, "FA", &[("tel", "联系电话")]);
    add_unbound(&mut c, "FB", &[("tel", "联系电话")]);
    add_unbound(&mut c, "FC", &[("cell", "手机号码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let s = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("MOBILE"))
        .expect("MOBILE");
    let rows: Vec<(Option<&str>, &str, u8, usize, usize)> = s
        .candidates()
        .iter()
        .map(|c| {
            (
                ["MOBILE", "PHONE", "TELNO"]
                    .into_iter()
                    .find(|e| c.element.as_deref() == Some(e)),
                c.reason,
                c.score,
                c.covers,
                c.fields.len(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("MOBILE"), "pool_synonym", 90, 2, 3),
            (Some("PHONE"), "pool_synonym", 90, 1, 2),
            (Some("TELNO"), "pool_similar", 55, 0, 2),
        ]
    );
    let candidates = s.candidates();
    assert_eq!(
        candidates[0].why(Lang::Zh),
        "同义词 90，覆盖本主题 2 个标签"
    );
    assert_eq!(candidates[2].why(Lang::En), "name one character apart 55");
    assert_eq!(
        candidates[1].left_out[0].describe(Lang::Zh),
        "FC/cell 未纳入：PHONE 的名称和同义词与其标签不符"
    );
    // choosing the alternative binds 联系电话 of both forms to PHONE
    let phone = s.choosing(&candidates[1]);
    let target = resolve::target_of(&c, &phone);
    assert_eq!(target, resolve::Target::Existing("PHONE".into()));
    let batch = resolve::accept_suggestion(&c, &phone, &target).expect("batch");
    apply(&mut c, batch);
    for form in ["FA", "FB"] {
        let bound = c.forms[form]
            .fields()
            .find(|(_, _, f)| f.key == "tel")
            .and_then(|(_, _, f)| f.element.clone());
        assert_eq!(bound.as_deref(), Some("PHONE"));
    }
    // a label that only reads like an element, on two forms: the element, then a new one
    let mut c = restaurant();
    add_element(&mut c, "ACCT", "账号", &[]);
    add_unbound(&mut c, "FA", &[("acct", "帐号")]);
    add_unbound(&mut c, "FB", &[("acct", "帐号")]);
    let m = run(&c, &[("alcohol", "yes")]);
    let s = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("ACCT"))
        .expect("ACCT");
    let rows: Vec<(Option<String>, &str, u8)> = s
        .candidates()
        .iter()
        .map(|c| (c.element.as_ref().map(|e| e.to_string()), c.reason, c.score))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("ACCT".to_string()), "pool_pinyin", 70),
            (None, "same_label", 60)
        ]
    );
}

/// Adds fields (key, label, element) to form `form` of `c`.
fn add_fields(c: &mut Catalog, form: &str, fields: &[(&str, &str, Option<&str>)]) {
    let mut f = c.forms[form].clone();
    for (key, label, element) in fields {
        f.sections[0].fields.push(Field {
            key: (*key).into(),
            label: (*label).into(),
            element: element.map(Into::into),
            required: false,
            help: None,
            when: None,
        });
    }
    c.insert(Record::Form(f));
}

#[test]
fn within_a_form_the_field_named_after_the_element_wins() {
    // QA round 6 #1: POST (邮政编码, synonym 邮编) is on the merged form (FD/post). FA has
    // 邮编 before 邮政编码, FC 邮政编码 before a typo that reads the same (邮征编码), FB only
    // 邮政编码, FD binds POST already and has an unbound 邮编
    let mut c = restaurant();
    add_element(&mut c, "POST", "邮政编码", &["邮编"]);
    add_fields(
        &mut c,
        "FD",
        &[("post", "邮政编码", Some("POST")), ("zip", "邮编", None)],
    );
    add_unbound(&mut c, "FA", &[("f90", "邮编"), ("f91", "邮政编码")]);
    add_unbound(&mut c, "FB", &[("f90", "邮政编码")]);
    add_unbound(&mut c, "FC", &[("f90", "邮政编码"), ("f92", "邮征编码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let post: Vec<&Suggestion> = m
        .suggestions
        .iter()
        .filter(|s| s.element.as_deref() == Some("POST"))
        .collect();
    assert_eq!(post.len(), 1, "{:?}", m.suggestions);
    // per form the exact name wins over a synonym (FA) and over a reading (FC)
    assert_eq!(
        post[0].fields,
        [src("FA", "f91"), src("FB", "f90"), src("FC", "f90")]
    );
    // the strongest reason of its fields, not the first one placed
    assert_eq!(post[0].reason, "element_name");
    assert_eq!(post[0].score, 90);
    let left: Vec<String> = post[0]
        .left_out
        .iter()
        .map(|l| l.describe(Lang::Zh))
        .collect();
    assert_eq!(
        left,
        [
            "FA/f90 未纳入：同表的 f91 已在此建议中绑定 POST",
            "FC/f92 未纳入：同表的 f90 已在此建议中绑定 POST",
            "FD/zip 未纳入：同表的 post 已绑定 POST（一张表单的两个字段不能绑定同一数据元）",
        ]
    );
    // a synonym beats a reading that comes first (FA); on a tie the earlier field wins (FB)
    let mut c = restaurant();
    add_element(&mut c, "POST", "邮政编码", &["邮编"]);
    add_unbound(&mut c, "FA", &[("f90", "邮征编码"), ("f91", "邮编")]);
    add_unbound(&mut c, "FB", &[("f90", "邮编"), ("f91", "邮编")]);
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let post = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("POST"))
        .expect("POST");
    assert_eq!(post.fields, [src("FA", "f91"), src("FB", "f90")]);
    assert_eq!(post.reason, "pool_synonym");
}

/// Form lint's binding warnings for form `form` of `c`: (kind, field, element, other).
fn lint_bindings(c: &Catalog, form: &str) -> Vec<(String, String, String, Option<String>)> {
    let covers = crate::engine::dups::Covers::new(c);
    crate::engine::lint::lint_form(c, &covers, &c.forms[form])
        .into_iter()
        .filter(|w| {
            matches!(
                w.kind,
                crate::engine::lint::WarningKind::CoveredUnbound
                    | crate::engine::lint::WarningKind::LikelyDuplicate
            )
        })
        .map(|w| {
            (
                w.kind.as_str().to_string(),
                w.field.unwrap_or_default(),
                w.element.unwrap_or_default(),
                w.other,
            )
        })
        .collect()
}

/// The fields the suggestion of `element` binds and those it leaves out, with why.
fn suggested(
    m: &Merge,
    element: &str,
) -> (Vec<SourceRef>, Vec<(SourceRef, suggest::LeftOutReason)>) {
    m.suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some(element))
        .map(|s| {
            let left = s
                .left_out
                .iter()
                .map(|l| (l.field.clone(), l.reason.clone()));
            (s.fields.clone(), left.collect())
        })
        .unwrap_or_default()
}

#[test]
fn form_lint_and_the_merge_give_an_element_to_the_same_field() {
    let s = |x: &str| x.to_string();
    // FA has 邮编 (a synonym of POST) before 邮政编码 (its name): the later field gets POST
    // in the merge's suggestion and in form lint alike (lint used to give it to the first)
    let mut c = restaurant();
    add_element(&mut c, "POST", "邮政编码", &["邮编"]);
    add_unbound(&mut c, "FA", &[("f90", "邮编"), ("f91", "邮政编码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    let taken = suggest::LeftOutReason::Taken { by: "f91".into() };
    assert_eq!(
        suggested(&m, "POST"),
        (vec![src("FA", "f91")], vec![(src("FA", "f90"), taken)])
    );
    assert_eq!(
        lint_bindings(&c, "FA"),
        [
            (s("likely_duplicate"), s("f90"), s("POST"), Some(s("f91"))),
            (s("covered_unbound"), s("f91"), s("POST"), None),
        ]
    );
    // 邮编 (f90: POST and ZIP list it), a typo that reads like 邮政编码 (f91), and 邮政编码
    // (f92): f92 gets POST, f90 goes to ZIP, and the typo is left out / a likely duplicate
    // of f92 in both (lint used to give POST to the typo, which has no second choice)
    let mut c = restaurant();
    add_element(&mut c, "POST", "邮政编码", &["邮编"]);
    add_element(&mut c, "ZIP", "邮递区号", &["邮编"]);
    add_unbound(
        &mut c,
        "FA",
        &[("f90", "邮编"), ("f91", "邮征编码"), ("f92", "邮政编码")],
    );
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(binds_twice(&c, &m), None);
    let taken = suggest::LeftOutReason::Taken { by: "f92".into() };
    assert_eq!(
        suggested(&m, "POST"),
        (vec![src("FA", "f92")], vec![(src("FA", "f91"), taken)])
    );
    assert_eq!(suggested(&m, "ZIP"), (vec![src("FA", "f90")], vec![]));
    assert_eq!(
        lint_bindings(&c, "FA"),
        [
            (s("covered_unbound"), s("f90"), s("ZIP"), None),
            (s("likely_duplicate"), s("f91"), s("POST"), Some(s("f92"))),
            (s("covered_unbound"), s("f92"), s("POST"), None),
        ]
    );
}

#[test]
fn an_element_of_the_merged_form_that_reads_the_same_says_so() {
    // only the typo is unbound: POST is on the merged form, so the reason is not the pool's
    let mut c = restaurant();
    add_element(&mut c, "POST", "邮政编码", &[]);
    add_fields(&mut c, "FD", &[("post", "邮政编码", Some("POST"))]);
    add_unbound(&mut c, "FA", &[("f92", "邮征编码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    let post = m
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("POST"))
        .expect("POST");
    assert_eq!(post.fields, [src("FA", "f92")]);
    assert_eq!(post.reason, "element_pinyin");
    assert_eq!(
        suggest::reason_text(post.reason, Lang::Zh),
        "合并表单已用，读音相同"
    );
}

#[test]
fn an_element_named_as_the_label_ranks_above_one_with_it_as_a_synonym() {
    // QA round 6 #3: IDNO (first in code order) has 证件号码 as a synonym, PAPERS is named
    // 证件号码: the name first, the synonym as the alternative
    let mut c = restaurant();
    add_element(&mut c, "IDNO", "居民身份号码", &["证件号码"]);
    add_element(&mut c, "PAPERS", "证件号码", &[]);
    add_unbound(&mut c, "FA", &[("f91", "证件号码")]);
    add_unbound(&mut c, "FB", &[("f91", "证件号码")]);
    let m = run(&c, &[("alcohol", "yes")]);
    let s = m
        .suggestions
        .iter()
        .find(|s| s.fields.contains(&src("FA", "f91")))
        .expect("a suggestion");
    let rows: Vec<(Option<String>, &str, u8)> = s
        .candidates()
        .iter()
        .map(|c| (c.element.as_ref().map(|e| e.to_string()), c.reason, c.score))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("PAPERS".to_string()), "pool_name", 90),
            (Some("IDNO".to_string()), "pool_synonym", 90),
        ]
    );
    // between suggestions of one score, the stronger reason comes first
    add_element(&mut c, "CONTACT", "联络人", &["联系人"]);
    let m = run(&c, &[("alcohol", "yes")]);
    let reasons: Vec<&str> = m
        .suggestions
        .iter()
        .filter(|s| s.score == 90)
        .map(|s| s.reason)
        .collect();
    assert_eq!(
        reasons,
        ["element_name", "pool_name", "pool_synonym"],
        "{:?}",
        m.suggestions
    );
}

#[test]
fn a_left_out_field_names_the_new_element_by_its_code_when_known() {
    let left = suggest::LeftOut {
        field: src("FA", "f94"),
        element: None,
        reason: suggest::LeftOutReason::Taken { by: "f93".into() },
    };
    assert_eq!(
        left.describe(Lang::Zh),
        "FA/f94 未纳入：同表的 f93 已在此建议中绑定新数据元"
    );
    assert_eq!(
        left.describe_new(Lang::Zh, Some("DE000625")),
        "FA/f94 未纳入：同表的 f93 已在此建议中绑定新数据元 DE000625"
    );
    assert_eq!(
        left.describe_new(Lang::En, Some("DE000625")),
        "FA/f94 left out: f93 of the same form goes to the new element DE000625 here"
    );
}

#[test]
fn conditions_hide_items_fields_and_materials() {
    let c = restaurant();
    let no = run(&c, &[("alcohol", "no")]);
    assert_eq!(no.items, ["A", "B", "C"]);
    assert_eq!(
        no.stats.fields_before, 9,
        "FD gone with its item, FC's biz field hidden"
    );
    assert!(no.conflicts.iter().all(|c| c.kind != ConflictKind::Options));
    assert_eq!(
        (no.stats.materials_before, no.stats.materials_after),
        (2, 1)
    );
    assert_eq!(
        (no.stats.time_sum_days, no.stats.time_critical_days),
        (15, 12)
    );
    // not answered: conditions on the question are false
    let unanswered = run(&c, &[]);
    assert_eq!(unanswered.items, no.items);
    assert_eq!(unanswered.stats, no.stats);
}

#[test]
fn excluding_a_form_drops_its_fields() {
    let c = restaurant();
    let excluded: BTreeSet<String> = ["FB".to_string()].into();
    let m = merge(
        &c,
        &c.bundles["B1"],
        &answers(&[("alcohol", "yes")]),
        &excluded,
    );
    assert_eq!(m.forms, ["FA", "FC", "FD"]);
    assert_eq!(m.stats.fields_before, 8);
    assert!(field(&m, "ADDR").covers.is_empty());
}

#[test]
fn flow_renders_the_critical_path() {
    let c = restaurant();
    let m = run(&c, &[("alcohol", "yes")]);
    let dot = flow::to_dot(&c, &m.flow);
    assert!(
        dot.contains("\"A\" -> \"C\" [style=bold, color=red];"),
        "{dot}"
    );
    assert!(dot.contains("\"A\" -> \"B\";"), "{dot}");
    let mermaid = flow::to_mermaid(&c, &m.flow);
    assert!(mermaid.contains("class n0,n2,n3 critical"), "{mermaid}");
    let text = flow::to_text(&c, &m.flow, false, 32);
    assert!(
        text.lines().nth(2).unwrap().starts_with("*   5–12"),
        "{text}"
    );
}

#[test]
fn every_answer_set_is_enumerated() {
    let c = restaurant();
    let sets = all_answer_sets(&c.bundles["B1"]);
    assert_eq!(
        sets,
        [
            answers(&[("alcohol", "yes")]),
            answers(&[("alcohol", "no")])
        ]
    );
}

/// A random catalog: elements with random parents (earlier elements only, so acyclic),
/// forms of random fields over one bundle with one question.
fn arbitrary_catalog() -> impl Strategy<Value = Catalog> {
    let elements = prop::collection::vec(prop::option::of(0usize..8), 1..8);
    let forms = prop::collection::vec(
        prop::collection::vec(
            (
                prop::option::of(0usize..8),
                any::<bool>(),
                prop::option::of(any::<bool>()),
            ),
            0..12,
        ),
        1..5,
    );
    (elements, forms).prop_map(|(parents, forms)| {
        let mut records: Vec<Record> = parents
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let parent = p.filter(|p| *p < i).map(|p| format!("E{p}"));
                element(
                    &format!("E{i}"),
                    &format!("元素{i}"),
                    parent.as_deref(),
                    &[],
                )
            })
            .collect();
        let n = parents.len();
        let mut items = Vec::new();
        for (f, fields) in forms.iter().enumerate() {
            let item_code = format!("I{f}");
            records.push(item(&item_code, f as u32 + 1, &[]));
            items.push(item_code.clone());
            let fields: Vec<OwnedF> = fields
                .iter()
                .enumerate()
                .map(|(k, (e, required, cond))| {
                    let element = e.map(|e| format!("E{}", e % n));
                    let w = cond.and_then(|yes| when("q", if yes { "y" } else { "n" }));
                    (
                        format!("k{k}"),
                        format!("标签{}", k % 3),
                        element,
                        *required,
                        w,
                    )
                })
                .collect();
            records.push(form(
                &format!("F{f}"),
                &item_code,
                fields
                    .iter()
                    .map(|(k, l, e, r, w)| (k.as_str(), l.as_str(), e.as_deref(), *r, w.clone()))
                    .collect(),
            ));
        }
        records.push(Record::Bundle(Bundle {
            code: "B1".into(),
            name: "随机主题".into(),
            lead_agency: None,
            items,
            questions: vec![Question {
                key: "q".into(),
                text: "？".into(),
                options: vec![
                    AnswerOption {
                        key: "y".into(),
                        text: "是".into(),
                    },
                    AnswerOption {
                        key: "n".into(),
                        text: "否".into(),
                    },
                ],
            }],
            item_when: BTreeMap::new(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        }));
        Catalog::from_records(records)
    })
}

proptest! {
    #[test]
    fn merge_properties(catalog in arbitrary_catalog(), yes in any::<bool>()) {
        let a = answers(&[("q", if yes { "y" } else { "n" })]);
        let m = merge(&catalog, &catalog.bundles["B1"], &a, &BTreeSet::new());
        prop_assert!(m.stats.fields_after <= m.stats.fields_before);

        // every visible source field is in exactly one merged field's provenance
        let situation = situation::situation(&catalog, &catalog.bundles["B1"], &a, &BTreeSet::new());
        let mut seen = BTreeSet::new();
        for f in &m.fields {
            for s in &f.sources {
                prop_assert!(seen.insert(s.clone()), "{s:?} in two merged fields");
            }
        }
        prop_assert_eq!(seen.len(), situation.fields.len());
        // the placements list every source in form order, pointing at its provenance entry
        prop_assert_eq!(m.placements.len(), situation.fields.len());
        for (p, s) in m.placements.iter().zip(&situation.fields) {
            let r = &m.fields[p.field].sources[p.entry];
            prop_assert!(r.form == s.form.code && r.field == s.field.key);
        }
        for s in &situation.fields {
            let r = SourceRef { form: s.form.code.as_str().into(), field: s.field.key.as_str().into() };
            prop_assert!(seen.contains(&r));
            prop_assert!(m.merged_field_of(&r.form, &r.field).is_some_and(|f| f.sources.contains(&r)));
        }

        // fill the merged form from consistent source values, distribute, get them back
        let value = |s: &situation::SourceField<'_>| match &s.field.element {
            Some(e) => format!("值-{e}"),
            None => format!("值-{}/{}", s.form.code, s.field.key),
        };
        let mut filled = Filled { bundle: "B1".into(), answers: a.clone(), values: BTreeMap::new() };
        for s in &situation.fields {
            let key = s.field.element.clone().unwrap_or_else(|| format!("{}/{}", s.form.code, s.field.key).into());
            filled.values.insert(key.to_string(), value(s));
        }
        let back = distribute(&catalog, &m, &filled).expect("every key names a visible field");
        let mut count = 0;
        for s in &situation.fields {
            prop_assert_eq!(back.get(s.form.code.as_str()).and_then(|f| f.get(s.field.key.as_str())), Some(&value(s)));
            count += 1;
        }
        prop_assert_eq!(back.values().map(BTreeMap::len).sum::<usize>(), count);
    }
}

/// Labels and names that cover one another in every way the suggestions know: names,
/// synonyms, a reading (帐号/账号) and one character apart (联系电话/联系电话号).
const WORDS: [&str; 8] = [
    "联系电话",
    "手机号码",
    "移动电话",
    "联系电话号",
    "姓名",
    "帐号",
    "账号",
    "备注说明",
];

/// A bundle of one to four forms whose fields (some bound, some hidden) are labelled with
/// [`WORDS`], and elements named with them, with synonyms among them.
fn wordy_catalog() -> impl Strategy<Value = Catalog> {
    let elements = prop::collection::vec(
        (0..WORDS.len(), prop::collection::vec(0..WORDS.len(), 0..3)),
        1..6,
    );
    let forms = prop::collection::vec(
        prop::collection::vec(
            (
                0..WORDS.len(),
                prop::option::of(0usize..6),
                prop::option::of(any::<bool>()),
            ),
            1..7,
        ),
        1..5,
    );
    (elements, forms).prop_map(|(elements, forms)| {
        let mut c = restaurant();
        for (i, (name, synonyms)) in elements.iter().enumerate() {
            let synonyms: Vec<&str> = synonyms.iter().map(|s| WORDS[*s]).collect();
            add_element(&mut c, &format!("W{i}"), WORDS[*name], &synonyms);
        }
        let n = elements.len();
        for (f, fields) in forms.iter().enumerate() {
            let mut form = c.forms["FA"].clone();
            form.code = format!("FW{f}").into();
            form.sections[0].fields = fields
                .iter()
                .enumerate()
                .map(|(k, (label, element, hidden))| Field {
                    key: format!("k{k}").into(),
                    label: WORDS[*label].into(),
                    element: element.map(|e| format!("W{}", e % n).into()),
                    required: false,
                    help: None,
                    when: hidden
                        .and_then(|yes| when("alcohol", if yes { "yes" } else { "no" }))
                        .map(Box::new),
                })
                .collect();
            c.insert(Record::Form(form));
        }
        c
    })
}

proptest! {
    #[test]
    fn no_suggestion_or_alternative_binds_an_element_twice(c in wordy_catalog(), yes in any::<bool>()) {
        let a = [("alcohol", if yes { "yes" } else { "no" })];
        let m = run(&c, &a);
        prop_assert_eq!(binds_twice(&c, &m), None);
        let before = double_bound(&c);
        for s in &m.suggestions {
            // every left-out field is unbound, in no suggestion, and says why
            for l in &s.left_out {
                prop_assert!(!s.fields.contains(&l.field));
                prop_assert!(!l.describe(Lang::En).is_empty());
            }
            for cand in s.candidates() {
                let chosen = s.choosing(&cand);
                let target = resolve::target_of(&c, &chosen);
                let batch = resolve::accept_suggestion(&c, &chosen, &target);
                prop_assert!(batch.is_ok(), "{:?}: {:?}", cand, batch);
                let mut after = c.clone();
                if let Ok(batch) = batch {
                    apply(&mut after, batch);
                }
                prop_assert_eq!(double_bound(&after), before.clone(), "{:?}", cand);
            }
        }
    }
}
