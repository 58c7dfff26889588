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
        synonyms: vec![],
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
        materials: vec![],
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

#[test]
fn a_pool_element_covering_several_labels_takes_them_all() {
    // MOBILE (first in code order) lists only 手机号码; PHONE lists 联系电话 and 手机号码:
    // both fields go to PHONE, so they end up as one field
    let mut c = restaurant();
    for (code, name, synonyms) in [
        ("MOBILE", "移动电话", &["手机号码"][..]),
        ("PHONE", "联系号码", &["联系电话", "手机号码"][..]),
    ] {
        let Record::Element(mut e) = element(code, name, None, &[]) else {
            unreachable!()
        };
        e.synonyms = synonyms.iter().map(|s| (*s).into()).collect();
        c.insert(Record::Element(e));
    }
    let mut fa = c.forms["FA"].clone();
    for (key, label) in [("tel", "联系电话"), ("cell", "手机号码")] {
        fa.sections[0].fields.push(Field {
            key: key.into(),
            label: label.into(),
            element: None,
            required: false,
            help: None,
            when: None,
        });
    }
    c.insert(Record::Form(fa));
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
    let fields: Vec<&str> = phone[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["cell", "tel"]);
    assert_eq!(phone[0].reason, "pool_synonym");
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
    let Record::Element(mut mobile) = element("MOBILE", "移动电话", None, &[]) else {
        unreachable!()
    };
    mobile.synonyms = vec!["联系电话".into(), "手机号码".into()];
    c.insert(Record::Element(mobile));
    let mut fa = c.forms["FA"].clone();
    for (key, label) in [("tel", "联系电话"), ("cell", "手机号码")] {
        fa.sections[0].fields.push(Field {
            key: key.into(),
            label: label.into(),
            element: None,
            required: false,
            help: None,
            when: None,
        });
    }
    c.insert(Record::Form(fa));
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
    let fields: Vec<&str> = pool[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["cell", "tel"]);
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
    for command in batch.commands {
        if let crate::store::Command::Upsert(record) = command {
            c.insert(record);
        }
    }
    let m = run(&c, &[("alcohol", "yes")]);
    assert_eq!(m.stats.fields_after, after_before - 1);
    assert!(
        m.fields
            .iter()
            .any(|f| f.element.as_deref() == Some("MOBILE") && f.sources.len() == 2)
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
            materials: vec![],
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
