//! Element search on the generated sample: names, synonyms, pinyin, codes, filters.

use std::sync::atomic::AtomicBool;

use yibiao::engine::search::{Query, SearchIndex, Searcher, search};
use yibiao::model::Catalog;

fn sample() -> (Catalog, SearchIndex) {
    let catalog = yibiao::sample::generate(1);
    let index = SearchIndex::build(&catalog);
    (catalog, index)
}

fn first(index: &SearchIndex, query: &str) -> String {
    let hits = search(index, &Query::parse(query).expect("query"), 5);
    hits.first().map(|h| h.name.clone()).unwrap_or_default()
}

#[test]
fn every_way_of_typing_it_ranks_the_id_number_first() {
    let (_, index) = sample();
    for query in [
        "身份证号码",
        "身份证",
        "sfzhm",
        "shenfenzhenghaoma",
        "公民身份号码",
        "SFZHM",
    ] {
        assert_eq!(first(&index, query), "身份证号码", "query {query}");
    }
}

#[test]
fn a_code_ranks_its_element_first() {
    let (catalog, index) = sample();
    for code in ["DE000005", "de000144", "DE000300"] {
        let expected = &catalog.elements[code.to_uppercase().as_str()].name;
        assert_eq!(&first(&index, code), expected, "code {code}");
    }
}

#[test]
fn filters_combine_with_text() {
    let (catalog, index) = sample();
    let hits = search(
        &index,
        &Query::parse("kind:cn_id 号码").expect("query"),
        100,
    );
    assert!(hits.len() > 3);
    assert!(hits.iter().all(|h| h.kind == "cn_id"), "{hits:?}");
    assert!(hits.iter().all(|h| {
        catalog.elements[h.code.as_str()].name.contains("号码")
            || catalog.elements[h.code.as_str()]
                .synonyms
                .iter()
                .any(|s| s.contains("号码"))
    }));
    let published = search(
        &index,
        &Query::parse("status:published 电话").expect("query"),
        100,
    );
    assert!(!published.is_empty());
    assert!(
        published
            .iter()
            .all(|h| catalog.elements[h.code.as_str()].status.as_str() == "published")
    );
    let none = search(
        &index,
        &Query::parse("kind:email 身份证").expect("query"),
        100,
    );
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn ties_break_by_use_count_then_code() {
    let (_, index) = sample();
    let hits = search(&index, &Query::parse("身份证号码").expect("query"), 50);
    // after the exact name, the prefix/fuzzy matches of one tier are ordered by uses
    for w in hits.windows(2).skip(1) {
        if w[0].score == w[1].score {
            assert!(
                w[0].uses > w[1].uses || (w[0].uses == w[1].uses && w[0].code < w[1].code),
                "{w:?}"
            );
        }
    }
}

#[test]
fn both_readings_of_a_heteronym_match() {
    let doc = r#"{"format":"yibiao/1","elements":[
        {"code":"E1","name":"行驶证号","kind":"text"},
        {"code":"E2","name":"重点单位名称","kind":"text"},
        {"code":"E3","name":"调解协议编号","kind":"text"},
        {"code":"E4","name":"校长姓名","kind":"text"}]}"#;
    let records = yibiao::io::json::parse_import(doc, &Catalog::default(), yibiao::i18n::Lang::En)
        .expect("valid");
    let index = SearchIndex::build(&Catalog::from_records(records));
    for (query, name) in [
        ("xingshizhenghao", "行驶证号"),
        ("hangshizhenghao", "行驶证号"),
        ("zhongdian", "重点单位名称"),
        ("chongdian", "重点单位名称"),
        ("tiaojie", "调解协议编号"),
        ("diaojie", "调解协议编号"),
        ("xiaozhang", "校长姓名"),
        ("xiaochang", "校长姓名"),
    ] {
        assert_eq!(first(&index, query), name, "query {query}");
    }
}

#[test]
fn a_longer_query_narrows_and_a_raised_flag_cancels() {
    let (_, index) = sample();
    let mut searcher = Searcher::new();
    let go = AtomicBool::new(false);
    let broad = searcher
        .search(&index, &Query::parse("sf").expect("q"), usize::MAX, &go)
        .expect("not cancelled");
    let narrow = searcher
        .search(&index, &Query::parse("sfz").expect("q"), usize::MAX, &go)
        .expect("not cancelled");
    assert!(narrow.len() < broad.len());
    // the narrowed search finds exactly what a fresh search finds
    let fresh = search(&index, &Query::parse("sfz").expect("q"), usize::MAX);
    assert_eq!(narrow, fresh);
    let stop = AtomicBool::new(true);
    assert!(
        searcher
            .search(&index, &Query::parse("sfzh").expect("q"), 10, &stop)
            .is_none()
    );
}

/// 申请人姓名 with the synonym 姓名 and 文化程度 with the synonym 学历 (as a merge leaves them),
/// beside the elements 姓名 and 学历 themselves.
fn names_and_synonyms() -> Vec<yibiao::model::Record> {
    let element = |code: &str, name: &str, synonyms: &[&str]| {
        serde_json::from_value(serde_json::json!({
            "code": code, "name": name, "kind": "text", "synonyms": synonyms,
        }))
        .map(yibiao::model::Record::Element)
        .expect("an element")
    };
    vec![
        element("DE000001", "申请人姓名", &["姓名", "DE000009"]),
        element("DE000003", "文化程度", &["学历"]),
        element("DE000005", "姓名", &[]),
        element("DE000006", "学历", &[]),
    ]
}

#[test]
fn an_exact_name_ranks_above_an_exact_synonym() {
    let names = |index: &SearchIndex, query: &str| -> Vec<String> {
        search(index, &Query::parse(query).expect("query"), 5)
            .into_iter()
            .map(|h| h.name)
            .collect()
    };
    let check = |index: &SearchIndex| {
        for (query, first, second) in [
            ("姓名", "姓名", "申请人姓名"),
            ("xm", "姓名", "申请人姓名"),
            ("xingming", "姓名", "申请人姓名"),
            ("学历", "学历", "文化程度"),
            ("xl", "学历", "文化程度"),
            ("xueli", "学历", "文化程度"),
        ] {
            assert_eq!(names(index, query)[..2], [first, second], "query {query}");
        }
        // the synonym still finds its element, and a kept code too
        assert_eq!(names(index, "whcd"), ["文化程度"]);
        assert_eq!(names(index, "DE000009"), ["申请人姓名"]);
    };
    let catalog = Catalog::from_records(names_and_synonyms());
    check(&SearchIndex::build(&catalog));
    // the index a store keeps (its search rows, and the cache file beside it) ranks the same
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let mut store = yibiao::store::SledStore::open(&path).expect("open");
    yibiao::store::Store::apply(
        &mut store,
        yibiao::store::Batch::upserts("test", names_and_synonyms()),
    )
    .expect("apply");
    drop(store);
    for _ in 0..2 {
        let unloaded = yibiao::store::SledStore::open_unloaded(&path).expect("open");
        let data = unloaded.search_data().expect("read").expect("built");
        check(&SearchIndex::from_data(data));
    }
}
