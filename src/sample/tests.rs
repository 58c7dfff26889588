//! Tests of the sample catalog: invariants, determinism, coverage, the named elements,
//! the 我要开餐馆 reduction and the planted problems.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use super::families::{FAMILIES, PLACE_SECTION, subject_material, subject_section};
use super::uscc::uscc_check;
use super::*;
use crate::engine::merge::{all_answer_sets, merge};
use crate::model::invariants::check_records;
use crate::model::{
    Bundle, Element, ElementKind, Form, ItemLevel, ItemType, Kind, MaterialKind, Status, When,
};

/// The scale-1 catalog, generated once.
fn base() -> &'static Catalog {
    static BASE: OnceLock<Catalog> = OnceLock::new();
    BASE.get_or_init(|| generate(1))
}

fn element<'a>(c: &'a Catalog, name: &str) -> &'a Element {
    c.elements
        .values()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn bundle<'a>(c: &'a Catalog, name: &str) -> &'a Bundle {
    c.bundles
        .values()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no bundle {name}"))
}

fn children<'a>(c: &'a Catalog, parent: &Element) -> Vec<&'a str> {
    c.elements
        .values()
        .filter(|e| e.parent.as_deref() == Some(parent.code.as_str()))
        .map(|e| e.name.as_str())
        .collect()
}

#[test]
fn invariants_hold_at_scale_1_and_3() {
    for scale in [1, 3] {
        let c = generate(scale);
        let problems = check_records(&c, c.records());
        assert!(problems.is_empty(), "scale {scale}: {problems:#?}");
    }
}

/// Asserts two catalogs hold equal records, map by map.
fn assert_same(a: &Catalog, b: &Catalog) {
    assert_eq!(a.regions, b.regions);
    assert_eq!(a.agencies, b.agencies);
    assert_eq!(a.elements, b.elements);
    assert_eq!(a.items, b.items);
    assert_eq!(a.materials, b.materials);
    assert_eq!(a.forms, b.forms);
    assert_eq!(a.bundles, b.bundles);
}

#[test]
fn generation_is_deterministic() {
    assert_same(base(), &generate(1));
    assert_same(&generate(2), &generate(2));
    assert_same(base(), &generate(0));
}

#[test]
fn larger_scales_keep_the_base_records_and_multiply_the_rest() {
    let c = generate(3);
    for record in base().records() {
        assert_eq!(
            c.get(record.kind(), record.code()),
            Some(record),
            "{}",
            record.code()
        );
    }
    let b = base();
    for kind in [Kind::Element, Kind::Item, Kind::Form] {
        let ratio = c.count(kind) as f64 / b.count(kind) as f64;
        assert!((2.9..=3.0).contains(&ratio), "{kind:?}: {ratio}");
    }
    for kind in [Kind::Region, Kind::Agency, Kind::Material, Kind::Bundle] {
        assert_eq!(c.count(kind), b.count(kind), "{kind:?}");
    }
    let names: HashSet<&str> = c.elements.values().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), c.elements.len(), "element names stay unique");
}

#[test]
fn counts_are_in_range() {
    let c = base();
    let in_range = |kind: Kind, min: usize, max: usize| {
        let n = c.count(kind);
        assert!((min..=max).contains(&n), "{kind:?}: {n}");
    };
    in_range(Kind::Region, 14, 14);
    in_range(Kind::Agency, 35, 50);
    in_range(Kind::Element, 550, 700);
    in_range(Kind::Item, 250, 350);
    in_range(Kind::Material, 180, 240);
    in_range(Kind::Form, 120, 180);
    in_range(Kind::Bundle, 12, 12);
    let levels: Vec<_> = c.regions.values().filter_map(|r| r.level()).collect();
    let count = |l| levels.iter().filter(|&&x| x == l).count();
    use crate::model::RegionLevel::{City, County, Province};
    assert_eq!((count(Province), count(City), count(County)), (1, 3, 10));
}

#[test]
fn every_kind_level_type_and_material_kind_occurs() {
    let c = base();
    let kinds: HashSet<ElementKind> = c.elements.values().map(|e| e.kind).collect();
    for kind in ElementKind::ALL {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
    let levels: HashSet<ItemLevel> = c.items.values().map(|i| i.level).collect();
    assert_eq!(levels.len(), ItemLevel::ALL.len());
    let types: HashSet<ItemType> = c.items.values().map(|i| i.item_type).collect();
    assert_eq!(types.len(), ItemType::ALL.len());
    let materials: HashSet<MaterialKind> = c.materials.values().map(|m| m.kind).collect();
    assert_eq!(materials.len(), MaterialKind::ALL.len());
}

#[test]
fn agencies_have_valid_unified_social_credit_codes() {
    let c = base();
    for agency in c.agencies.values() {
        let code = &agency.code;
        assert_eq!(code.len(), 18, "{code}");
        assert_eq!(uscc_check(&code[..17]), code.chars().last(), "{code}");
        let region = agency.region.as_deref().unwrap_or_default();
        assert_eq!(&code[2..8], region, "{} {code}", agency.name);
    }
}

#[test]
fn regions_nest_and_parents_exist() {
    let c = base();
    assert_eq!(c.regions["511602"].name, "广安区");
    assert_eq!(c.regions["511602"].parent.as_deref(), Some("511600"));
    for r in c.regions.values().filter(|r| r.code != "510000") {
        let parent = r.parent.as_deref().expect("parent");
        assert_eq!(&parent[..2], &r.code[..2]);
    }
}

#[test]
fn element_names_are_unique_and_codes_sorted_and_formatted() {
    let c = base();
    let names: HashSet<&str> = c.elements.values().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), c.elements.len());
    let code = Regex::new(r"^DE\d{6}$").unwrap();
    for (i, e) in c.elements.values().enumerate() {
        assert!(code.is_match(&e.code), "{}", e.code);
        assert_eq!(e.code, format!("DE{:06}", i + 1), "codes are dense");
        assert!(!e.definition.is_empty(), "{}", e.name);
        assert_eq!(e.options.is_empty(), !e.kind.has_options(), "{}", e.name);
    }
    let published = c
        .elements
        .values()
        .filter(|e| e.status == Status::Published)
        .count();
    assert!(published * 100 / c.elements.len() >= 95);
}

#[test]
fn the_named_elements_exist_with_their_kinds() {
    let c = base();
    let id = element(c, "身份证号码");
    assert_eq!(id.kind, ElementKind::CnId);
    for synonym in ["公民身份号码", "证件号码"] {
        assert!(id.synonyms.iter().any(|s| s == synonym), "{synonym}");
    }
    assert_eq!(element(c, "统一社会信用代码").kind, ElementKind::Uscc);
    assert_eq!(element(c, "移动电话").kind, ElementKind::Mobile);
    assert_eq!(element(c, "姓名").kind, ElementKind::Text);

    let address = element(c, "地址");
    assert_eq!(address.kind, ElementKind::Text);
    assert_eq!(children(c, address), ["省", "市", "区县", "详细地址"]);

    let document = element(c, "证件");
    assert_eq!(children(c, document), ["证件类型", "证件号码"]);
    let id_type = element(c, "证件类型");
    assert_eq!(id_type.kind, ElementKind::IdTypeLinked);
    let validators: Vec<(&str, ElementKind)> = id_type
        .options
        .iter()
        .map(|o| (o.label.as_str(), o.kind.expect("validator")))
        .collect();
    assert_eq!(
        validators,
        [
            ("居民身份证", ElementKind::CnId),
            ("香港居民身份证", ElementKind::HkId),
            ("澳门居民身份证", ElementKind::MoId),
            ("台湾居民身份证", ElementKind::TwId),
            ("外国护照", ElementKind::PassportForeign),
            ("中国护照", ElementKind::PassportOther),
        ]
    );
    assert_eq!(element(c, "证件号码").kind, ElementKind::Text);

    let area = element(c, "所在地区");
    assert_eq!(area.kind, ElementKind::LinkedDropdown);
    assert_eq!(area.options.len(), c.regions.len());
    for option in &area.options {
        let region = &c.regions[option.code.as_str()];
        assert_eq!(option.label, region.name);
        assert_eq!(option.parent.as_deref(), region.parent.as_deref());
    }

    let property = element(c, "不动产权证号");
    assert_eq!(property.kind, ElementKind::Pattern);
    let re = Regex::new(property.pattern.as_deref().expect("pattern")).unwrap();
    assert!(re.is_match("川(2023)广安区不动产权第0012345号"));
    assert!(!re.is_match("广安区不动产权第0012345号"));
    for e in c
        .elements
        .values()
        .filter(|e| e.kind == ElementKind::Pattern)
    {
        assert!(Regex::new(e.pattern.as_deref().expect("pattern")).is_ok());
    }

    for (name, first) in [("性别", "男"), ("婚姻状况", "未婚"), ("经营类别", "批发业")]
    {
        assert_eq!(element(c, name).options[0].label, first, "{name}");
    }
    assert_eq!(element(c, "注册资本").unit.as_deref(), Some("万元"));
    assert_eq!(element(c, "经营面积").unit.as_deref(), Some("平方米"));
    assert_eq!(element(c, "营业期限").kind, ElementKind::DateRange);
    assert_eq!(element(c, "出生日期").kind, ElementKind::Date);
    let legal = element(c, "法定代表人身份证号码");
    assert_eq!(legal.kind, ElementKind::CnId);
    assert_eq!(legal.security_level, 3);
    assert!(legal.source_agency.is_some());
}

#[test]
fn items_nest_take_time_and_depend_acyclically() {
    let c = base();
    for item in c.items.values() {
        assert_eq!(item.parent.is_none(), item.level == ItemLevel::Main);
        assert!(item.time_limit_days >= 1, "{}", item.code);
        assert!(
            item.time_limit_days < item.legal_limit_days,
            "{}",
            item.code
        );
        assert!((1..=4).contains(&item.online_depth), "{}", item.code);
        assert!(item.basis.starts_with('《'), "{}", item.code);
        assert!(!item.fee.is_empty());
        assert!(
            item.agency.is_some() && item.region.is_some(),
            "{}",
            item.code
        );
        if matches!(item.level, ItemLevel::Impl | ItemLevel::Handling) {
            let region = item.region.as_deref().unwrap_or_default();
            let agency = &c.agencies[item.agency.as_deref().unwrap_or_default()];
            assert_eq!(agency.region.as_deref(), Some(region), "{}", item.code);
        }
    }
    let spjy = c
        .items
        .values()
        .find(|i| i.name == "食品经营许可证核发" && i.region.as_deref() == Some("511602"))
        .expect("食品经营许可 in 广安区");
    let needs: Vec<&str> = spjy
        .depends_on
        .iter()
        .map(|d| c.items[d].name.as_str())
        .collect();
    assert_eq!(needs, ["公司设立登记"]);
    let with_dependencies = c
        .items
        .values()
        .filter(|i| !i.depends_on.is_empty())
        .count();
    assert!(with_dependencies >= 20, "{with_dependencies}");
    assert!(c.items.values().any(|i| !i.materials.is_empty()));
}

#[test]
fn identity_materials_are_shareable_government_licences() {
    let c = base();
    for name in ["营业执照", "居民身份证"] {
        let m = c.materials.values().find(|m| m.name == name).expect(name);
        assert_eq!(m.kind, MaterialKind::Licence);
        assert!(m.shareable && m.required);
        assert_eq!(m.source, "政府部门核发");
        assert!(m.issuing_agency.is_some() && m.licence_code.is_some());
    }
    let shareable = c.materials.values().filter(|m| m.shareable).count();
    assert!(
        (10..c.materials.len() / 2).contains(&shareable),
        "{shareable}"
    );
    assert!(c.materials.values().any(|m| m.copies > 1));
    assert!(c.materials.values().any(|m| !m.required));
}

#[test]
fn forms_belong_to_items_and_their_form_materials() {
    let c = base();
    for form in c.forms.values() {
        assert!(form.item.is_some(), "{}", form.code);
        let material = &c.materials[form.material.as_deref().expect("material")];
        assert_eq!(material.kind, MaterialKind::Form);
        assert_eq!(material.name, form.name);
        assert!(form.field_count() > 0);
    }
    // reuse is the point: the common elements appear on many forms
    for name in ["移动电话", "地址", "统一社会信用代码", "法定代表人姓名"] {
        let code = &element(c, name).code;
        let forms = c
            .referrers(Kind::Element, code)
            .filter(|r| r.kind == Kind::Form)
            .map(|r| r.code)
            .collect::<BTreeSet<_>>()
            .len();
        assert!(forms >= 30, "{name}: {forms}");
    }
}

#[test]
fn every_name_the_tables_use_resolves() {
    let c = base();
    let elements: HashSet<&str> = c.elements.values().map(|e| e.name.as_str()).collect();
    let materials: HashSet<&str> = c.materials.values().map(|m| m.name.as_str()).collect();
    for sub in FAMILIES.iter().flat_map(|f| f.subs) {
        for name in sub.materials {
            assert!(materials.contains(name), "material {name}");
        }
        let Some(form) = sub.form else { continue };
        assert!(materials.contains(form.name));
        let mut sections = vec![PLACE_SECTION];
        sections.extend(subject_section(form.subject));
        sections.extend_from_slice(form.sections);
        sections.extend(sub.handling_forms().map(|(_, _, section)| section));
        for (_, names) in sections {
            for name in names {
                assert!(elements.contains(name), "element {name} ({})", sub.key);
            }
        }
        if let Some(name) = subject_material(form.subject) {
            assert!(materials.contains(name));
        }
    }
    // no field was dropped on the way: the 广安区 食品经营许可申请书 has all its fields
    let form = c
        .forms
        .values()
        .find(|f| f.name == "食品经营许可申请书")
        .expect("form");
    assert_eq!(form.field_count(), 7 + 4 + 7);
}

#[test]
fn bundles_have_items_questions_and_general_and_special_materials() {
    let c = base();
    for b in c.bundles.values() {
        assert!(b.items.len() >= 3, "{}", b.name);
        assert!((1..=3).contains(&b.questions.len()), "{}", b.name);
        assert!(!b.item_when.is_empty(), "{}", b.name);
        assert!(b.materials.iter().any(|m| m.when.is_none()), "{}", b.name);
        assert!(b.materials.iter().any(|m| m.when.is_some()), "{}", b.name);
        assert!(b.lead_agency.is_some());
        for q in &b.questions {
            assert!(q.options.len() >= 2);
        }
    }
    assert_eq!(bundle(c, "我要开餐馆").items.len(), 6);
    for name in [
        "新生儿出生一件事",
        "企业开办一件事",
        "我要开幼儿园",
        "我要开药店",
    ] {
        bundle(c, name);
    }
}

#[test]
fn merging_the_restaurant_forms_removes_at_least_40_percent_of_the_fields() {
    let c = base();
    let restaurant = bundle(c, "我要开餐馆");
    let excluded = Default::default();
    let best = all_answer_sets(restaurant)
        .iter()
        .map(|answers| merge(c, restaurant, answers, &excluded).stats)
        .max_by(|a, b| (b.fields_after * a.fields_before).cmp(&(a.fields_after * b.fields_before)))
        .expect("answer sets");
    let (before, after) = (best.fields_before, best.fields_after);
    let removed = (before - after) as f64 / before as f64;
    assert!(removed >= 0.4, "{before} → {after}: {removed:.2}");
    assert!(before >= 60, "{before}");
}

/// The forms of bundle items, with the bundles that contain each form's item.
fn forms_in_bundles(c: &Catalog) -> Vec<(&Form, Vec<&Bundle>)> {
    c.forms
        .values()
        .map(|f| {
            let bundles = c
                .bundles
                .values()
                .filter(|b| {
                    f.item
                        .as_deref()
                        .is_some_and(|i| b.items.iter().any(|x| x == i))
                })
                .collect();
            (f, bundles)
        })
        .collect()
}

fn names_existing_answers(when: &When, bundle: &Bundle) -> bool {
    when.iter().all(|(question, options)| {
        bundle.questions.iter().any(|q| {
            &q.key == question
                && options
                    .iter()
                    .all(|o| q.options.iter().any(|a| &a.key == o))
        })
    })
}

#[test]
fn field_conditions_name_questions_of_every_bundle_with_the_item() {
    let c = base();
    let mut conditional = 0;
    for (form, bundles) in forms_in_bundles(c) {
        for (_, _, field) in form.fields() {
            let Some(when) = &field.when else { continue };
            if when.contains_key("degree") {
                // the planted bad condition (see the module doc)
                assert!(bundles.is_empty(), "{}", form.name);
                continue;
            }
            conditional += 1;
            assert!(!bundles.is_empty(), "{} {}", form.name, field.label);
            for b in bundles.iter() {
                assert!(
                    names_existing_answers(when, b),
                    "{} in {}",
                    form.name,
                    b.name
                );
            }
        }
    }
    assert_eq!(conditional, 7);
    let with_conditions = |c: &Catalog| {
        c.forms
            .values()
            .filter(|f| f.fields().any(|(_, _, field)| field.when.is_some()))
            .count()
    };
    assert_eq!(
        with_conditions(&generate(2)),
        with_conditions(c),
        "copies have none"
    );
}

/// The planted problems of a catalog, as counts and labels.
#[derive(Debug, PartialEq)]
struct Planted {
    relabelled: BTreeSet<(String, String)>,
    unbound: BTreeSet<(String, String)>,
    double_bound: Vec<String>,
    empty_sections: Vec<String>,
    unpublished: Vec<String>,
    bad_conditions: Vec<String>,
}

fn planted(c: &Catalog) -> Planted {
    let mut p = Planted {
        relabelled: BTreeSet::new(),
        unbound: BTreeSet::new(),
        double_bound: Vec::new(),
        empty_sections: Vec::new(),
        unpublished: Vec::new(),
        bad_conditions: Vec::new(),
    };
    for form in c.forms.values() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (_, _, field) in form.fields() {
            let Some(code) = field.element.as_deref() else {
                p.unbound
                    .insert((form.name.to_string(), field.label.to_string()));
                continue;
            };
            *seen.entry(code).or_default() += 1;
            if field
                .when
                .as_ref()
                .is_some_and(|w| w.contains_key("degree"))
            {
                p.bad_conditions.push(form.name.to_string());
            }
            let element = &c.elements[code];
            if field.label.as_str() != element.name {
                p.relabelled
                    .insert((form.name.to_string(), field.label.to_string()));
            }
            if element.status != Status::Published {
                p.unpublished.push(element.name.to_string());
            }
        }
        if seen.values().any(|&n| n > 1) {
            p.double_bound.push(form.name.to_string());
        }
        for section in form.sections.iter().filter(|s| s.fields.is_empty()) {
            p.empty_sections.push(section.title.to_string());
        }
    }
    p
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_planted_problems_are_exactly_the_documented_ones() {
    let expected = Planted {
        relabelled: pairs(&[
            ("残疾人证申请表", "申请人姓名"),
            ("残疾人证申请表", "公民身份号码"),
            ("教师资格认定申请表", "手机号码"),
            ("临时救助申请审批表", "备用联系电话"),
        ]),
        unbound: pairs(&[("户外招牌设施设置申请表", "手机号码")]),
        double_bound: vec!["临时救助申请审批表".into()],
        empty_sections: vec!["其他需要说明的情况".into()],
        unpublished: vec!["社会保障卡邮寄地址".into()],
        bad_conditions: vec!["教师资格认定申请表".into()],
    };
    assert_eq!(planted(base()), expected);
    assert_eq!(planted(&generate(2)), expected, "copies are clean");
    // merging the restaurant meets the unbound 手机号码 next to 移动电话, which it names
    let c = base();
    let restaurant = bundle(c, "我要开餐馆");
    assert!(
        restaurant
            .items
            .iter()
            .any(|i| c.items[i.as_str()].name == "户外招牌设施设置审批")
    );
    assert!(
        element(c, "移动电话")
            .synonyms
            .iter()
            .any(|s| s == "手机号码")
    );
}
