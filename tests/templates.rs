//! 模板库: claiming templates and comparing entries with them, on the engine and the CLI.

mod common;

use common::{export, ok, run, yibiao};
use serde_json::Value;
use yibiao::engine::template::{self, FieldIssue, TemplateError};
use yibiao::model::invariants::check_record;
use yibiao::model::{Catalog, Issue, Kind, Origin, Record, RecordRef, Status};

/// The 广安区 implementation of a sub-item in the sample.
const GUANGAN_COMPANY: &str = "0100001001-511602000000-000-11511602299513299M-1-00";
const TEMPLATE_COMPANY: &str = "0100001001-510104000000-000-1151010431236097XB-1-00";
const GUANGAN_SIGNBOARD: &str = "0100006001-511602000000-000-11511602299513299M-1-00";

fn sample() -> Catalog {
    yibiao::sample::generate(1)
}

fn apply(catalog: &mut Catalog, batch: yibiao::store::Batch) {
    for command in batch.commands {
        match command {
            yibiao::store::Command::Upsert(record) => {
                catalog.insert(record);
            }
            other => panic!("unexpected command {other:?}"),
        }
    }
}

#[test]
fn the_sample_flags_templates_and_its_claimed_entries_depart_from_them() {
    let catalog = sample();
    let codes: Vec<(Kind, &str)> = template::templates(&catalog)
        .into_iter()
        .map(|r| (r.kind(), r.code()))
        .collect();
    assert!(codes.contains(&(Kind::Item, TEMPLATE_COMPANY)));
    assert!(codes.contains(&(Kind::Material, "CL000001")));
    assert!(codes.contains(&(Kind::Bundle, "ZT001")));

    // 公司设立登记: the revised template asks for 营业执照, requires 电子邮箱, asks a number
    let c = template::compare(&catalog, GUANGAN_COMPANY).expect("compare");
    assert!(!c.conforms);
    assert_eq!(c.template, TEMPLATE_COMPANY);
    assert_eq!(c.materials.missing, ["CL000001"]);
    let issues: Vec<&FieldIssue> = c
        .forms
        .iter()
        .flat_map(|f| &f.fields)
        .map(|d| &d.issue)
        .collect();
    assert!(issues.contains(&&FieldIssue::Required {
        entry: false,
        template: true
    }));
    assert!(issues.contains(&&FieldIssue::DifferentKind {
        entry: "date".into(),
        template: "number".into()
    }));

    // 户外招牌: the 广安区 form has the planted unbound 手机号码 field
    let c = template::compare(&catalog, GUANGAN_SIGNBOARD).expect("compare");
    let extra: Vec<&str> = c
        .forms
        .iter()
        .flat_map(|f| &f.fields)
        .filter(|d| d.issue == FieldIssue::Extra)
        .map(|d| d.label.as_str())
        .collect();
    assert_eq!(extra, ["手机号码"]);

    // 我要开宾馆 against 我要开餐馆: items, questions and materials
    let c = template::compare(&catalog, "ZT010").expect("compare");
    assert_eq!(c.kind, "bundle");
    assert!(c.questions.missing.contains(&"area".to_string()));
    assert!(c.questions.extra.contains(&"food".to_string()));
    assert!(!c.items.missing.is_empty() && !c.materials.missing.is_empty());

    // an entry not claimed from a template, and an unknown code
    assert_eq!(
        template::compare(&catalog, TEMPLATE_COMPANY).map(|_| ()),
        Err(TemplateError::NotClaimed(TEMPLATE_COMPANY.into()))
    );
    assert!(matches!(
        template::compare(&catalog, "NOPE"),
        Err(TemplateError::Unknown(_))
    ));
}

#[test]
fn claiming_copies_the_template_and_its_forms_and_conforms_until_edited() {
    let mut catalog = sample();
    let batch = template::claim(&catalog, TEMPLATE_COMPANY, "SX-NEW").expect("claim");
    // the entry and its one form
    assert_eq!(batch.commands.len(), 2);
    apply(&mut catalog, batch);
    let entry = &catalog.items["SX-NEW"];
    assert_eq!(entry.origin, Origin::Claimed);
    assert_eq!(entry.template_of.as_deref(), Some(TEMPLATE_COMPANY));
    assert!(!entry.template);
    assert_eq!((entry.status, entry.version), (Status::Draft, 0));
    assert!(check_record(&catalog, RecordRef::Item(entry)).is_empty());
    let form_code = format!("SX-NEW-{}", "BD000001");
    let form = catalog
        .forms
        .get(form_code.as_str())
        .expect("form copied")
        .clone();
    assert_eq!(form.item.as_deref(), Some("SX-NEW"));
    let c = template::compare(&catalog, "SX-NEW").expect("compare");
    assert!(c.conforms, "{c:#?}");
    assert_eq!(c.departures(), 0);

    // label drift, a missing element and a dropped material
    let mut edited = form.clone();
    let fields = &mut edited.sections[0].fields;
    fields[0].label = "公司名称".into();
    let removed = fields.remove(1);
    catalog.insert(Record::Form(edited));
    let mut item = catalog.items["SX-NEW"].clone();
    item.materials.clear();
    catalog.insert(Record::Item(item));
    let c = template::compare(&catalog, "SX-NEW").expect("compare");
    let fields = &c.forms[0].fields;
    assert!(fields.iter().any(|d| d.issue
        == FieldIssue::LabelDrift {
            entry: "公司名称".into(),
            template: "企业名称".into()
        }));
    assert!(
        fields.iter().any(|d| d.issue == FieldIssue::Missing
            && d.element.as_deref() == removed.element.as_deref())
    );
    assert!(c.materials.missing.contains(&"CL000001".to_string()));
    assert_eq!(c.departures(), 2 + c.materials.missing.len());

    // refusals: not a template, a taken code, a bad code
    assert!(matches!(
        template::claim(&catalog, GUANGAN_COMPANY, "X"),
        Err(TemplateError::NotATemplate(_))
    ));
    assert!(matches!(
        template::claim(&catalog, TEMPLATE_COMPANY, "SX-NEW"),
        Err(TemplateError::Taken(Kind::Item, _))
    ));
    assert!(matches!(
        template::claim(&catalog, TEMPLATE_COMPANY, ""),
        Err(TemplateError::BadCode(..))
    ));

    // a material template and a bundle template claim too
    let batch = template::claim(&catalog, "CL000001", "CL-NEW").expect("material");
    apply(&mut catalog, batch);
    assert_eq!(
        catalog.materials["CL-NEW"].template_of.as_deref(),
        Some("CL000001")
    );
    assert!(
        template::compare(&catalog, "CL-NEW")
            .expect("compare")
            .conforms
    );
    let batch = template::claim(&catalog, "ZT001", "ZT-NEW").expect("bundle");
    apply(&mut catalog, batch);
    assert_eq!(catalog.bundles["ZT-NEW"].origin, Origin::Claimed);
    assert!(
        template::compare(&catalog, "ZT-NEW")
            .expect("compare")
            .conforms
    );
}

#[test]
fn template_of_must_name_a_template_of_the_same_kind() {
    let catalog = sample();
    let mut item = catalog.items[GUANGAN_SIGNBOARD].clone();
    item.template_of = Some(GUANGAN_COMPANY.into());
    let problems = check_record(&catalog, RecordRef::Item(&item));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "template_of");
    assert_eq!(
        problems[0].issue,
        Issue::NotATemplate {
            code: GUANGAN_COMPANY.into()
        }
    );
    // a material code is not an item
    item.template_of = Some("CL000001".into());
    let problems = check_record(&catalog, RecordRef::Item(&item));
    assert!(
        matches!(
            &problems[0].issue,
            Issue::Unknown {
                target: Kind::Item,
                ..
            }
        ),
        "{problems:?}"
    );
}

#[test]
fn cli_lists_claims_and_compares_with_exit_codes() {
    let db = tempfile::tempdir().unwrap();
    ok(yibiao(db.path()).arg("sample"));
    let list: Value =
        serde_json::from_str(&ok(yibiao(db.path()).args(["template", "list", "--json"]))).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    let company = list
        .iter()
        .find(|t| t["code"] == TEMPLATE_COMPANY)
        .expect("listed");
    assert_eq!(
        (company["kind"].as_str(), company["claimed"].as_u64()),
        (Some("item"), Some(1))
    );

    // the sample's claimed entry does not conform: exit 1, text and JSON
    let (code, stdout, _) = run(yibiao(db.path()).args(["template", "compare", GUANGAN_COMPANY]));
    assert_eq!(code, 1);
    assert!(stdout.contains("does not conform"), "{stdout}");
    assert!(stdout.contains("missing CL000001"), "{stdout}");
    let (code, stdout, _) =
        run(yibiao(db.path()).args(["template", "compare", GUANGAN_COMPANY, "--json"]));
    assert_eq!(code, 1);
    let c: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(c["conforms"], false);
    assert_eq!(c["template"], TEMPLATE_COMPANY);
    assert!(
        c["forms"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["issue"] == "different_kind")
    );

    // claiming: a new draft entry that conforms (exit 0)
    let (code, _, stderr) =
        run(yibiao(db.path()).args(["template", "claim", TEMPLATE_COMPANY, "--as", "SX-NEW"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 form(s) copied"), "{stderr}");
    let out = ok(yibiao(db.path()).args(["template", "compare", "SX-NEW"]));
    assert!(out.contains("conforms to the template"), "{out}");
    let (code, _, stderr) =
        run(yibiao(db.path()).args(["template", "claim", GUANGAN_COMPANY, "--as", "SX-2"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a template"), "{stderr}");
    ok(yibiao(db.path()).arg("check"));

    // the flags travel through interchange JSON and XLSX
    let first = export(db.path());
    let doc: Value = serde_json::from_str(&first).unwrap();
    let item = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "SX-NEW")
        .unwrap();
    assert_eq!(item["template_of"], TEMPLATE_COMPANY);
    assert_eq!(item["origin"], "claimed");
    let xlsx = db.path().join("book.xlsx");
    ok(yibiao(db.path()).arg("export").arg(&xlsx));
    let other = tempfile::tempdir().unwrap();
    ok(yibiao(other.path()).arg("import").arg(&xlsx));
    assert_eq!(export(other.path()), first);
}

#[test]
fn template_list_prints_whole_codes_that_claim_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("sample"));
    let listed: Value =
        serde_json::from_str(&ok(yibiao(&db).args(["template", "list", "--json"]))).unwrap();
    let text = ok(yibiao(&db).args(["template", "list"]));
    let printed: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    for entry in listed.as_array().unwrap() {
        let code = entry["code"].as_str().unwrap();
        assert!(printed.contains(&code), "{code} not printed whole:\n{text}");
    }
    assert!(printed.contains(&TEMPLATE_COMPANY), "{text}");
    ok(yibiao(&db).args(["template", "claim", TEMPLATE_COMPANY, "--as", "QA-X1"]));
}

#[test]
fn a_bundle_departs_by_conditions_question_texts_options_and_material_conditions() {
    let mut catalog = sample();
    let batch = template::claim(&catalog, "ZT001", "ZT-NEW").expect("bundle");
    apply(&mut catalog, batch);
    let mut bundle = catalog.bundles["ZT-NEW"].clone();
    let question = bundle.questions[0].key.clone();
    let first_option = bundle.questions[0].options[0].key.clone();
    let item = bundle.items[0].clone();
    let template_when = catalog.bundles["ZT001"].item_when.get(&item).cloned();
    bundle.item_when.insert(
        item.clone(),
        [(question.clone(), vec![first_option.clone()])].into(),
    );
    bundle.questions[0].text.push_str("（改）");
    bundle.questions[0].options[0].text = "小于300平方米".into();
    let row = bundle.materials[0].clone();
    bundle.materials[0].when = match row.when {
        Some(_) => None,
        None => Some([(question.clone(), vec![first_option.clone()])].into()),
    };
    catalog.insert(Record::Bundle(bundle.clone()));

    let c = template::compare(&catalog, "ZT-NEW").expect("compare");
    assert!(!c.conforms);
    let changes: Vec<(template::ChangeKind, &str)> = c
        .changes
        .iter()
        .map(|ch| (ch.what, ch.subject.as_str()))
        .collect();
    let material_row = format!("{} @ {}", row.material, row.item);
    assert_eq!(
        changes,
        [
            (template::ChangeKind::ItemWhen, item.as_str()),
            (template::ChangeKind::QuestionText, question.as_str()),
            (template::ChangeKind::QuestionOptions, question.as_str()),
            (template::ChangeKind::MaterialWhen, material_row.as_str()),
        ]
    );
    assert_eq!(c.changes[0].entry, format!("{question}={first_option}"));
    assert_ne!(template_when.as_ref(), bundle.item_when.get(&item));
    assert!(
        c.changes[2]
            .entry
            .contains(&format!("{first_option}=小于300平方米")),
        "{:?}",
        c.changes[2]
    );
    assert_eq!(c.departures(), 4);
}

#[test]
fn cli_compare_shows_where_long_values_differ_and_added_questions_by_text() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(yibiao(&db).arg("sample"));
    let mut doc: Value = serde_json::from_str(&export(&db)).unwrap();
    for item in doc["items"].as_array_mut().unwrap() {
        if item["code"] == GUANGAN_COMPANY {
            item["basis"] = "《中华人民共和国市场主体登记管理条例》第三十二条".into();
        }
    }
    for bundle in doc["bundles"].as_array_mut().unwrap() {
        if bundle["code"] == "ZT010" {
            bundle["questions"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "key": "night", "text": "是否夜间经营？",
                    "options": [{"key": "yes", "text": "是"}, {"key": "no", "text": "否"}],
                }));
        }
    }
    let file = tmp.path().join("edited.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    ok(yibiao(&db).arg("import").arg(&file));

    let (code, out, _) = run(yibiao(&db).args(["template", "compare", GUANGAN_COMPANY]));
    assert_eq!(code, 1, "{out}");
    let basis = out
        .lines()
        .find(|l| l.contains("! basis"))
        .unwrap_or_else(|| panic!("a basis line: {out}"));
    assert!(
        basis.contains("管理条例》第三十二条")
            && basis.contains("管理条例》第三条")
            && basis.matches("…主体登记").count() == 2,
        "{basis}"
    );
    let (code, out, _) = run(yibiao(&db).args(["template", "compare", "ZT010"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("+ extra night 是否夜间经营？"), "{out}");
}
