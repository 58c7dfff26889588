//! The store's write path: validation, transactions, indexes, audit, reopening.

mod common;

use yibiao::engine::search::SearchData;
use yibiao::i18n::Lang;
use yibiao::io::json::parse_import;
use yibiao::model::{Catalog, Issue, Item, ItemLevel, Kind, Record};
use yibiao::store::{Batch, Command, IfMissing, SledStore, Store, StoreError};

fn small_records() -> Vec<Record> {
    let text = std::fs::read_to_string(common::fixture("small.json")).unwrap();
    parse_import(&text, &Catalog::default(), Lang::En).unwrap()
}

fn seeded() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SledStore::open(dir.path()).unwrap();
    let applied = store
        .apply(Batch::upserts("import", small_records()))
        .unwrap();
    assert_eq!(applied.created, 27);
    (dir, store)
}

fn invalid(result: Result<yibiao::store::Applied, StoreError>) -> Vec<yibiao::model::Problem> {
    match result {
        Err(StoreError::Invalid(problems)) => problems,
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn where_used_follows_edits_and_is_rebuilt_when_the_store_opens() {
    let (dir, mut store) = seeded();
    let used = |store: &SledStore| -> Vec<String> {
        store
            .catalog()
            .referrers(Kind::Element, "DE0002")
            .map(|r| format!("{} {}", r.code, r.path))
            .collect()
    };
    assert_eq!(
        used(&store),
        [
            "F001 sections[0].fields[1].element",
            "F002 sections[0].fields[1].element"
        ]
    );

    // drop the id field from F002: its reference goes with it
    let mut form = store.catalog().forms["F002"].clone();
    form.sections[0].fields.pop();
    store
        .apply(Batch::upserts("edit", [Record::Form(form)]))
        .unwrap();
    assert_eq!(used(&store), ["F001 sections[0].fields[1].element"]);
    assert!(store.check().unwrap().is_empty());
    drop(store);
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(used(&store), ["F001 sections[0].fields[1].element"]);
}

#[test]
fn delete_is_refused_while_referenced_and_names_the_referrers() {
    let (_dir, mut store) = seeded();
    let delete = |kind, code: &str| Batch {
        action: "delete".into(),
        commands: vec![Command::Delete {
            kind,
            code: code.into(),
        }],
    };
    let problems = invalid(store.apply(delete(Kind::Element, "DE0001")));
    assert_eq!(problems.len(), 1);
    let text = problems[0].describe(Lang::En);
    assert!(
        text.contains("still referenced by form F001 (sections[0].fields[0].element), form F002"),
        "{text}"
    );

    // deleting the referrers in the same batch makes it valid
    let batch = Batch {
        action: "delete".into(),
        commands: vec![
            Command::Delete {
                kind: Kind::Form,
                code: "F001".into(),
            },
            Command::Delete {
                kind: Kind::Form,
                code: "F002".into(),
            },
            Command::Delete {
                kind: Kind::Element,
                code: "DE0001".into(),
            },
        ],
    };
    let applied = store.apply(batch).unwrap();
    assert_eq!(applied.deleted, 3);
    assert!(!store.catalog().elements.contains_key("DE0001"));
    assert_eq!(
        store.catalog().referrers(Kind::Element, "DE0002").count(),
        0
    );
    assert!(store.check().unwrap().is_empty());

    // deleting what does not exist is an error, not a silent success
    let problems = invalid(store.apply(delete(Kind::Element, "DE0001")));
    assert!(matches!(problems[0].issue, Issue::Unknown { .. }));
}

#[test]
fn an_invalid_batch_writes_nothing_at_all() {
    let (dir, mut store) = seeded();
    let before_log = store.history(None).unwrap().len();
    let mut good = store.catalog().elements["DE0001"].clone();
    good.name = "申请人姓名".into();
    let mut bad = store.catalog().items["P001"].clone();
    bad.depends_on.push("NOPE".into());
    let problems = invalid(store.apply(Batch::upserts(
        "edit",
        [Record::Element(good), Record::Item(bad)],
    )));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "depends_on[1]");
    assert_eq!(
        store.catalog().elements["DE0001"].name,
        "姓名",
        "the valid half was not applied"
    );
    assert_eq!(store.history(None).unwrap().len(), before_log);
    drop(store);
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.catalog().elements["DE0001"].name, "姓名");
}

#[test]
fn item_levels_must_nest_including_for_existing_children() {
    let (_dir, mut store) = seeded();
    // making the sub-item S001 a main item would orphan the level of its child P001
    let mut s = store.catalog().items["S001"].clone();
    s.level = ItemLevel::Main;
    s.parent = None;
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Item(s)])));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code, "P001");
    assert!(matches!(problems[0].issue, Issue::WrongParentLevel { .. }));

    // a main item cannot have a parent
    let mut m: Item = store.catalog().items["M002"].clone();
    m.parent = Some("M001".into());
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Item(m)])));
    assert!(matches!(problems[0].issue, Issue::MainWithParent));
}

#[test]
fn cycles_and_duplicate_keys_are_refused() {
    let (_dir, mut store) = seeded();
    let mut p2 = store.catalog().items["P002"].clone();
    p2.depends_on.push("P001".into());
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Item(p2)])));
    assert_eq!(
        problems[0].describe(Lang::En),
        "item P002 depends_on: cycle P002 → P001 → P002"
    );

    let mut e = store.catalog().elements["DE0011"].clone();
    e.parent = Some("DE0011".into());
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Element(e)])));
    assert!(matches!(problems[0].issue, Issue::SelfReference));

    let mut f = store.catalog().forms["F001"].clone();
    f.sections[1].fields[0].key = "name".into();
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Form(f)])));
    assert_eq!(
        problems[0].describe(Lang::En),
        "form F001 sections: duplicate field key name"
    );

    let mut e = store.catalog().elements["DE0040"].clone();
    e.pattern = Some("(unclosed".into());
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Element(e)])));
    assert!(matches!(problems[0].issue, Issue::BadPattern(_)));

    let mut b = store.catalog().bundles["B001"].clone();
    b.item_when.insert(
        "S001".into(),
        [("size".to_string(), vec!["huge".to_string()])].into(),
    );
    let problems = invalid(store.apply(Batch::upserts("edit", [Record::Bundle(b)])));
    assert_eq!(
        problems[0].describe(Lang::En),
        "bundle B001 item_when.S001.size: question size has no option huge"
    );
}

#[test]
fn changes_persist_and_are_audited() {
    let (dir, mut store) = seeded();
    let mut e = store.catalog().elements["DE0003"].clone();
    e.synonyms.push("联系电话".into());
    let applied = store
        .apply(Batch::upserts("edit", [Record::Element(e.clone())]))
        .unwrap();
    assert_eq!((applied.created, applied.updated), (0, 1));
    // the same record again is a no-op: no write, no audit
    assert!(
        store
            .apply(Batch::upserts("edit", [Record::Element(e.clone())]))
            .unwrap()
            .is_noop()
    );
    let history = store.history(Some("DE0003")).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].entry.action, "edit");
    assert!(history[0].seq < history[1].seq);
    drop(store);

    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.catalog().elements["DE0003"], e);
    assert_eq!(store.catalog().len(), 27);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn a_store_from_a_newer_yibiao_is_refused_with_a_next_step() {
    let dir = tempfile::tempdir().unwrap();
    drop(SledStore::open(dir.path()).unwrap());
    {
        let db = common::raw_sled(dir.path());
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = SledStore::open(dir.path()).err().expect("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "store {} has schema version 99, newer than this yibiao supports (2); upgrade yibiao",
            dir.path().display()
        )
    );
}

#[test]
fn a_damaged_record_is_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = SledStore::open(dir.path()).unwrap();
        store
            .apply(Batch::upserts("import", small_records()))
            .unwrap();
    }
    {
        let db = common::raw_sled(dir.path());
        let records = db.open_tree("records").unwrap();
        let mut value = records.get(b"EDE0002").unwrap().unwrap().to_vec();
        value.push(7);
        records.insert(b"EDE0002", value).unwrap();
        db.flush().unwrap();
    }
    let err = SledStore::open(dir.path()).err().expect("refused");
    assert_eq!(
        err.to_string(),
        "stored element DE0002 is damaged: 1 trailing bytes after the value (the store cannot be loaded; `yibiao recover STORE_DIR OUT.json` saves the readable records, or restore a backup)"
    );
}

/// The search index a search reads without loading the catalog, from a reopened store's
/// search tree (a write removed any cache file), next to the one `rows` make.
fn stored_index(
    dir: &std::path::Path,
    rows: Vec<yibiao::engine::search::SearchRow>,
) -> (SearchData, SearchData) {
    assert!(!dir.join("search.idx").exists(), "read from the tree");
    let unloaded = SledStore::open_unloaded(dir).unwrap();
    let stored = unloaded.search_data().unwrap().expect("search tree built");
    (stored, SearchData::from_rows(rows))
}

#[test]
fn the_search_tree_follows_every_kind_of_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SledStore::open(dir.path()).unwrap();
    store
        .apply(Batch::upserts(
            "sample",
            yibiao::sample::generate(1).into_records(),
        ))
        .unwrap();
    let catalog = store.catalog().clone();
    let rows_now =
        |store: &SledStore| -> Vec<_> { yibiao::engine::search::rows(store.catalog()).collect() };
    // a form's field re-pointed: two use counts change
    let form = catalog
        .forms
        .values()
        .find(|f| f.fields().count() >= 2)
        .unwrap();
    let mut changed = form.clone();
    let (s, i, _) = changed
        .fields()
        .next()
        .map(|(s, i, f)| (s, i, f.element.clone()))
        .unwrap();
    let other = catalog
        .elements
        .keys()
        .find(|c| changed.sections[s].fields[i].element.as_deref() != Some(c.as_str()))
        .unwrap()
        .clone();
    changed.sections[s].fields[i].element = Some(other.as_str().into());
    store
        .apply(Batch::upserts("edit", [Record::Form(changed)]))
        .unwrap();
    // an element renamed, an agency renamed, a new element, an unused element deleted
    let mut element = catalog.elements[&other].clone();
    element.name = "重新命名的数据元".into();
    let agency_code = catalog
        .elements
        .values()
        .find_map(|e| e.source_agency.clone())
        .expect("an element with a source agency");
    let mut agency = catalog.agencies[agency_code.as_str()].clone();
    agency.name = "改名后的部门".into();
    let mut fresh = element.clone();
    fresh.code = "AAA-first".into();
    fresh.parent = None;
    store
        .apply(Batch::upserts(
            "edit",
            [
                Record::Element(element),
                Record::Agency(agency),
                Record::Element(fresh),
            ],
        ))
        .unwrap();
    let unused = yibiao::engine::search::rows(store.catalog())
        .filter(|r| r.code != "AAA-first")
        .find(|r| {
            r.uses == 0
                && store
                    .catalog()
                    .referrers(Kind::Element, &r.code)
                    .next()
                    .is_none()
        })
        .unwrap()
        .code;
    store
        .apply(Batch {
            action: "delete".into(),
            commands: vec![Command::Delete {
                kind: Kind::Element,
                code: unused.clone(),
            }],
        })
        .unwrap();
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    let expected = rows_now(&store);
    assert!(expected.iter().any(|r| r.code == "AAA-first"));
    assert!(expected.iter().all(|r| r.code != unused));
    assert!(expected.iter().any(|r| {
        r.agency
            .as_deref()
            .is_some_and(|a| a.contains("改名后的部门"))
    }));
    drop(store);
    let (stored, expected) = stored_index(dir.path(), expected);
    assert!(stored == expected, "the stored index is not the catalog's");
}

#[test]
fn a_store_without_a_search_tree_builds_it_on_load() {
    let (dir, store) = seeded();
    let expected: Vec<_> = yibiao::engine::search::rows(store.catalog()).collect();
    drop(store);
    {
        let db = common::raw_sled(dir.path());
        db.open_tree("meta").unwrap().remove("search").unwrap();
        db.drop_tree("search").unwrap();
        db.flush().unwrap();
    }
    let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
    assert!(unloaded.search_data().unwrap().is_none(), "not built yet");
    let store = unloaded.load().unwrap();
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    drop(store);
    let (stored, expected) = stored_index(dir.path(), expected);
    assert!(stored == expected, "the stored index is not the catalog's");
}

/// The outline cached for the TUI's first frame describes the store as it is: it is read
/// under the lock without opening the database, and the next write removes it first.
#[test]
fn the_cached_outline_is_the_catalogs_until_the_next_write_removes_it() {
    use yibiao::model::Outline;
    let (dir, mut store) = seeded();
    let outline_of_locked =
        |dir: &std::path::Path| SledStore::lock(dir, IfMissing::Refuse).unwrap().outline();
    store.save_outline();
    let saved = Outline::of(store.catalog());
    drop(store);
    assert_eq!(outline_of_locked(dir.path()), Some(saved.clone()));

    let mut store = SledStore::open(dir.path()).unwrap();
    let mut item = store.catalog().items.values().next().unwrap().clone();
    item.name.push_str("（改）");
    store
        .apply(Batch::upserts("edit", vec![Record::Item(item)]))
        .unwrap();
    assert!(
        !dir.path().join("outline.idx").exists(),
        "a write removes the outline before it changes the store"
    );
    // saved again, it has the change; the write after that removes it again
    store.save_outline();
    let renamed = Outline::of(store.catalog());
    assert_ne!(renamed, saved);
    assert!(dir.path().join("outline.idx").exists());
    let mut item = store.catalog().items.values().next().unwrap().clone();
    item.name.push('2');
    store
        .apply(Batch::upserts("edit", vec![Record::Item(item)]))
        .unwrap();
    assert!(!dir.path().join("outline.idx").exists());
    store.save_outline();
    // a load puts a stale outline right (one a version that did not know the file left)
    let current = Outline::of(store.catalog());
    assert!(
        !store.refresh_outline(Some(&current)),
        "a current outline is kept"
    );
    assert!(
        store.refresh_outline(Some(&saved)),
        "a stale one is rewritten"
    );
    assert!(store.refresh_outline(None), "a missing one is written");
    drop(store);
    assert_eq!(outline_of_locked(dir.path()), Some(current));
    // a damaged outline is not trusted
    std::fs::write(
        dir.path().join("outline.idx"),
        b"yibiao outline 1\n\x05garbage",
    )
    .unwrap();
    assert_eq!(outline_of_locked(dir.path()), None);
}

/// A command that only reads refuses a directory without a store, unless another yibiao holds
/// its lock: that one is creating the store (its lock comes before `db/`), so the store is in
/// use rather than missing.
#[test]
fn a_store_being_created_is_in_use_not_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    assert!(matches!(
        SledStore::lock(&dir, IfMissing::Refuse),
        Err(StoreError::NoStore { .. })
    ));
    assert!(!dir.exists(), "nothing was created");
    let creating = SledStore::lock(&dir, IfMissing::Create).unwrap();
    assert!(matches!(
        SledStore::lock(&dir, IfMissing::Refuse),
        Err(StoreError::Locked { .. })
    ));
    drop(creating);
    assert!(matches!(
        SledStore::lock(&dir, IfMissing::Refuse),
        Err(StoreError::NoStore { .. })
    ));
    drop(SledStore::open(&dir).unwrap());
    assert!(SledStore::lock(&dir, IfMissing::Refuse).is_ok());
}

/// QA session 8: imports before the fix stored published records at V0 (已发布 V0). A store
/// written so shows them as V1, writes them as V1 the next time, and a record given
/// published at V0 is taken as V1.
#[test]
fn a_record_stored_published_at_v0_reads_and_is_written_as_v1() {
    use yibiao::store::codec::encode_record;
    let dir = tempfile::tempdir().unwrap();
    let element = {
        let mut store = SledStore::open(dir.path()).unwrap();
        store
            .apply(Batch::upserts("import", small_records()))
            .unwrap();
        let mut e = store.catalog().elements["DE0002"].clone();
        drop(store);
        // as the import before the fix wrote it
        e.status = yibiao::model::Status::Published;
        e.version = 0;
        let db = common::raw_sled(dir.path());
        let records = db.open_tree("records").unwrap();
        records
            .insert(
                b"EDE0002",
                encode_record(&Record::Element(e.clone())).unwrap(),
            )
            .unwrap();
        db.flush().unwrap();
        e
    };
    let mut store = SledStore::open(dir.path()).unwrap();
    let shown = &store.catalog().elements["DE0002"];
    assert_eq!(
        (shown.status, shown.version),
        (yibiao::model::Status::Published, 1)
    );
    // and is exported (so backed up) as V1
    let doc: serde_json::Value =
        serde_json::from_str(&yibiao::io::json::export(store.catalog())).unwrap();
    let exported = doc["elements"]
        .as_array()
        .and_then(|list| list.iter().find(|e| e["code"] == "DE0002"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&exported["status"], &exported["version"]),
        (&serde_json::json!("published"), &serde_json::json!(1))
    );

    // given again at V0 it is the stored record: nothing to write
    let applied = store
        .apply(Batch::upserts("import", [Record::Element(element.clone())]))
        .unwrap();
    assert!(applied.is_noop(), "{applied:?}");
    // written next (renamed), it is written as V1
    let mut renamed = element;
    renamed.name = "公民身份号码".into();
    store
        .apply(Batch::upserts("edit", [Record::Element(renamed.clone())]))
        .unwrap();
    assert_eq!(store.catalog().elements["DE0002"].version, 1);
    drop(store);
    renamed.version = 1;
    let db = common::raw_sled(dir.path());
    let stored = db.open_tree("records").unwrap().get(b"EDE0002").unwrap();
    assert_eq!(
        stored.as_deref(),
        Some(encode_record(&Record::Element(renamed)).unwrap().as_slice())
    );
}
