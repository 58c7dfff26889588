//! Engine benchmarks: merge recompute, element search per keystroke and index patch, where-used,
//! item search, pane 3's filter, the duplicate finder, the catalog following a big merge.
//! Run with `cargo bench --bench engines`; README "Performance" lists the figures.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use yibiao::engine::item_search::{self, ItemIndex, ItemSearch};
use yibiao::engine::merge::merge;
use yibiao::engine::search::{Query, SearchIndex, Searcher};
use yibiao::engine::usage::usage;
use yibiao::model::Catalog;

/// A bundle of 30 forms × 100 fields over 400 elements (heavy overlap), as interchange JSON.
fn big_bundle() -> Catalog {
    let elements: Vec<_> = (0..400)
        .map(|e| serde_json::json!({"code": format!("E{e:03}"), "name": format!("数据元{e}"), "kind": "text",
                                     "parent": if e % 10 > 0 && e % 50 == 7 { Some(format!("E{:03}", e - 7)) } else { None }}))
        .collect();
    let items: Vec<_> = (0..30)
        .map(|i| serde_json::json!({"code": format!("I{i:02}"), "name": format!("事项{i}"), "level": "main", "item_type": "01",
                                     "time_limit_days": 5 + i % 7, "depends_on": if i > 0 { vec![format!("I{:02}", i / 2)] } else { vec![] }}))
        .collect();
    let forms: Vec<_> = (0..30)
        .map(|f| {
            let fields: Vec<_> = (0..100)
                .map(|k| {
                    let element = (f * 37 + k * 11) % 400;
                    if k % 17 == 0 {
                        serde_json::json!({"key": format!("k{k}"), "label": format!("旧字段{}", k % 5)})
                    } else {
                        serde_json::json!({"key": format!("k{k}"), "label": format!("字段{element}"), "element": format!("E{element:03}"),
                                           "required": k % 3 == 0, "when": if k % 9 == 0 { Some(serde_json::json!({"q": ["y"]})) } else { None }})
                    }
                })
                .collect();
            serde_json::json!({"code": format!("F{f:02}"), "name": format!("表{f}"), "item": format!("I{f:02}"),
                               "sections": [{"title": "信息", "fields": fields}]})
        })
        .collect();
    let bundle = serde_json::json!({"code": "B", "name": "大主题", "items": (0..30).map(|i| format!("I{i:02}")).collect::<Vec<_>>(),
        "questions": [{"key": "q", "text": "？", "options": [{"key": "y", "text": "是"}, {"key": "n", "text": "否"}]}]});
    let doc = serde_json::json!({"format": "yibiao/1", "elements": elements, "items": items, "forms": forms, "bundles": [bundle]});
    let records = yibiao::io::json::parse_import(
        &doc.to_string(),
        &Catalog::default(),
        yibiao::i18n::Lang::En,
    )
    .expect("valid bench catalog");
    Catalog::from_records(records)
}

fn bench_merge(c: &mut Criterion) {
    let catalog = big_bundle();
    let bundle = &catalog.bundles["B"];
    let answers = [("q".to_string(), "y".to_string())].into();
    let excluded = BTreeSet::new();
    let m = merge(&catalog, bundle, &answers, &excluded);
    // with q=y every field is visible
    assert_eq!(m.stats.fields_before, 3000);
    c.bench_function("merge_recompute_30_forms_3000_fields", |b| {
        b.iter(|| merge(black_box(&catalog), bundle, black_box(&answers), &excluded))
    });
}

/// The same index with its text in a temporary file (kept alive by the path returned), read
/// from there as searches and patches need it.
fn text_left_in_file(index: &SearchIndex) -> (tempfile::TempPath, SearchIndex) {
    use std::io::Write;
    let data = index.data().in_entry_order().expect("held");
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut len = 0;
    data.each_text_chunk(|chunk| {
        len += chunk.len();
        file.write_all(chunk)
    })
    .expect("written");
    let (file, path) = file.into_parts();
    let data = yibiao::engine::search::SearchData::in_file(
        file,
        0,
        len,
        data.agencies().to_vec(),
        data.entries().to_vec(),
    )
    .expect("in order");
    (path, SearchIndex::from_data(data))
}

fn bench_search(c: &mut Criterion) {
    // elements only: ≈ 600 × scale elements with realistic names and synonyms
    for (label, scale) in [("100k", 161u32), ("1m", 1610)] {
        let catalog = yibiao::sample::elements_only(scale);
        let mut index = SearchIndex::build(&catalog);
        let cancel = AtomicBool::new(false);
        let keys = ["s", "sf", "sfz", "sfzh", "sfzhm"];
        let mut group = c.benchmark_group(format!("search_{label}"));
        group.sample_size(20);
        group.bench_function("first_key", |b| {
            b.iter(|| {
                let mut s = Searcher::new();
                s.search(&index, &Query::parse(keys[0]).expect("query"), 50, &cancel)
            })
        });
        // a following key: the session has searched every earlier prefix
        let following = |group: &mut criterion::BenchmarkGroup<_>, name: &str, keys: &[&str]| {
            let (last, earlier) = keys.split_last().expect("keys");
            group.bench_function(name, |b| {
                b.iter_batched(
                    || {
                        let mut s = Searcher::new();
                        for k in earlier {
                            s.search(&index, &Query::parse(k).expect("query"), 50, &cancel);
                        }
                        s
                    },
                    |mut s| s.search(&index, &Query::parse(last).expect("query"), 50, &cancel),
                    BatchSize::LargeInput,
                )
            });
        };
        following(&mut group, "next_key", &keys[..3]);
        following(&mut group, "second_key", &keys[..2]);
        following(&mut group, "fifth_key", &keys);
        following(&mut group, "chinese_second_key", &["身", "身份"]);
        // keys that every code starts with, then keys past them
        following(&mut group, "dh_second_key", &["d", "dh"]);
        following(&mut group, "code_second_key", &["d", "de"]);
        following(&mut group, "code_third_key", &["d", "de", "de0"]);
        following(
            &mut group,
            "code_sixth_key",
            &["d", "de", "de0", "de00", "de000", "de0001"],
        );
        // a code's digits, which the readings lack: ruled out without reading their strings
        following(&mut group, "digits_fourth_key", &["0", "00", "001", "0013"]);
        group.bench_function("chinese_query", |b| {
            b.iter(|| {
                let mut s = Searcher::new();
                s.search(
                    &index,
                    &Query::parse("身份证号码").expect("query"),
                    50,
                    &cancel,
                )
            })
        });
        // pane 2 after a save: the element's new row patched into the index in place
        let mut renamed = catalog
            .elements
            .values()
            .nth(500)
            .expect("elements")
            .clone();
        renamed.name = "港澳台居民居住证号码".into();
        let row = yibiao::engine::search::row_in(&catalog, &renamed);
        let changes = [(row.code.clone(), Some(row))].into();
        group.bench_function("patch_one_row", |b| {
            b.iter(|| index.patch(black_box(&changes)))
        });
        // the same with the index's text left in its file, as pane 2 reads `search.idx`
        let (_file, mut in_file) = text_left_in_file(&index);
        group.bench_function("patch_one_row_text_in_file", |b| {
            b.iter(|| in_file.patch(black_box(&changes)))
        });
        group.finish();
        // building the index from the catalog (pane 2 without a search.idx), every core
        let mut group = c.benchmark_group(format!("search_{label}"));
        group.sample_size(10);
        group.bench_function("build_from_catalog", |b| {
            b.iter(|| yibiao::engine::search::data_of(black_box(&catalog)))
        });
        group.finish();
    }
}

fn bench_where_used(c: &mut Criterion) {
    let catalog = yibiao::sample::generate(100);
    let busiest = catalog
        .elements
        .keys()
        .max_by_key(|code| {
            catalog
                .referrers(yibiao::model::Kind::Element, code)
                .count()
        })
        .cloned()
        .unwrap_or_default();
    c.bench_function("where_used_busiest_element_scale100", |b| {
        b.iter(|| usage(&catalog, black_box(&busiest)))
    });
    // pane 4's item picker searches on every key, on the UI thread
    let index = ItemIndex::build(item_search::rows(&catalog));
    let mut group = c.benchmark_group(format!("item_search_{}_items", index.len()));
    group.sample_size(20);
    for query in ["s", "spjyxkz", "食品经营"] {
        group.bench_function(query, |b| b.iter(|| index.search(black_box(query), 500)));
    }
    // typing: the session narrows the previous matches
    group.bench_function("following_key", |b| {
        b.iter_batched(
            || {
                let mut session = ItemSearch::default();
                session.search(&index, "spjyx", 500);
                session
            },
            |mut session| session.search(&index, black_box("spjyxk"), 500),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// Pane 3's filter (and `form list`): the pinyin index of the forms' names, built once on a
/// worker, and one key's pass over every form with it.
fn bench_form_filter(c: &mut Criterion) {
    use yibiao::engine::form_filter::{self, FormFilter, FormIndex, Readings};
    let catalog = yibiao::sample::generate(161);
    let mut group = c.benchmark_group(format!("form_filter_{}_forms", catalog.forms.len()));
    group.sample_size(10);
    group.bench_function("index_build", |b| {
        b.iter(|| FormIndex::build(form_filter::rows(black_box(&catalog))))
    });
    let index = FormIndex::build(form_filter::rows(&catalog));
    for query in ["s", "spjy", "shipin sqs", "食品 申请"] {
        let filter = FormFilter::parse(query);
        group.bench_function(format!("key {query}"), |b| {
            b.iter(|| {
                let readings = Readings::find(&index, &filter);
                filter
                    .kept(&catalog, |_| false, Some(&readings), None)
                    .len()
            })
        });
    }
    group.finish();
}

/// The duplicate finder (pane 2's `D`, `element dups`) over the generated pool at 10,000
/// elements, whose numbered near-copies pair up by the tens of thousands: the pool read, its
/// buckets a slice at a time, the pairs compared and the best 5000 kept.
fn bench_dups(c: &mut Criterion) {
    let catalog = yibiao::sample::elements_only(16);
    let mut group = c.benchmark_group(format!("dups_{}_elements", catalog.elements.len()));
    group.sample_size(10);
    group.bench_function("find", |b| {
        b.iter(|| yibiao::engine::dups::find(black_box(&catalog)).elements_found)
    });
    group.finish();
}

/// The catalog in memory following a merge of its busiest element (every field bound to it
/// rebound, as a store's write mirrors it): the changes applied at once, and one at a time
/// (which goes over the element's whole list of referrers for each of them).
fn bench_rebind(c: &mut Criterion) {
    use yibiao::model::{Kind, Record};
    use yibiao::store::Command;
    let catalog = yibiao::sample::generate(100);
    let busiest = (catalog.elements.keys())
        .max_by_key(|code| catalog.referrer_count(Kind::Element, code))
        .cloned()
        .unwrap_or_default();
    let keep = (catalog.elements.keys())
        .find(|k| yibiao::engine::dups::merge_check(&catalog, k, &busiest).is_ok())
        .cloned()
        .unwrap_or_default();
    let Ok(batch) = yibiao::engine::dups::merge_batch(&catalog, &keep, &busiest, false) else {
        return;
    };
    let changes: Vec<((Kind, String), Option<Record>)> = (batch.commands.into_iter())
        .map(|command| match command {
            Command::Upsert(record) => ((record.kind(), record.code().to_string()), Some(record)),
            Command::Delete { kind, code } => ((kind, code), None),
        })
        .collect();
    let mut group = c.benchmark_group(format!("rebind_{}_records", changes.len()));
    group.sample_size(10);
    group.bench_function("at_once", |b| {
        b.iter_batched(
            || (catalog.clone(), changes.clone()),
            |(mut catalog, changes)| {
                catalog.apply_changes(changes);
                catalog
            },
            BatchSize::LargeInput,
        )
    });
    // one form's save (a write of one record) bound to the busiest element
    let one = changes
        .iter()
        .find(|((kind, _), _)| *kind == Kind::Form)
        .cloned();
    let mut after_merge = catalog.clone();
    after_merge.apply_changes(changes.clone());
    if let Some(one) = one {
        group.bench_function("one_form_at_once", |b| {
            b.iter_batched_ref(
                || after_merge.clone(),
                |catalog| catalog.apply_changes([one.clone()]),
                BatchSize::LargeInput,
            )
        });
        group.bench_function("one_form_inserted", |b| {
            b.iter_batched_ref(
                || after_merge.clone(),
                |catalog| one.1.clone().map(|r| catalog.insert(r)),
                BatchSize::LargeInput,
            )
        });
    }
    group.bench_function("one_at_a_time", |b| {
        b.iter_batched(
            || (catalog.clone(), changes.clone()),
            |(mut catalog, changes)| {
                for ((kind, code), record) in changes {
                    match record {
                        Some(record) => drop(catalog.insert(record)),
                        None => drop(catalog.remove(kind, &code)),
                    }
                }
                catalog
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_merge,
    bench_rebind,
    bench_search,
    bench_where_used,
    bench_form_filter,
    bench_dups
);
criterion_main!(benches);
