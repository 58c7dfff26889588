//! The duplicate finder as it was before the pool was read compactly (session 30): every
//! bucket key of every element in one list, every candidate pair collected and deduplicated,
//! elements compared as loaded. The tests hold the finder to give what this gives.

use std::cmp::Reverse;

use super::*;

/// Buckets names so that candidate pairs share a bucket: one `u64` per name and key, the
/// key's 32-bit hash above the element's number, so that a million elements' few tens of
/// millions of keys take 8 bytes each (strings in a hash map took gigabytes). Two keys that
/// share a hash only make a candidate pair more, which the comparison then turns down.
#[derive(Default)]
struct Blocks {
    keys: Vec<u64>,
}

impl Blocks {
    fn add(&mut self, id: u32, name: &str) {
        let norm = normalise(name);
        if norm.is_empty() {
            return;
        }
        let mut key = |tag: u8, text: &str| {
            self.keys
                .push(u64::from(key_hash(tag, text)) << 32 | u64::from(id));
        };
        if norm.chars().count() >= 3 {
            for d in deletions(&norm) {
                key(2, &d);
            }
            key(2, &norm);
        }
        let py = pinyin(&norm);
        if !py.is_empty() {
            key(1, &py);
        }
        key(0, &norm);
    }

    /// Distinct id pairs `(a, b)`, `a < b`, sharing a bucket, in order (buckets of more
    /// than `max_bucket` ids are skipped: a name so common is no evidence).
    fn pairs(mut self, max_bucket: usize) -> Vec<(u32, u32)> {
        self.keys.sort_unstable();
        self.keys.dedup();
        let mut pairs: Vec<u64> = Vec::new();
        for bucket in self.keys.chunk_by(|a, b| a >> 32 == b >> 32) {
            if bucket.len() > max_bucket {
                continue;
            }
            for (i, a) in bucket.iter().enumerate() {
                for b in &bucket[i + 1..] {
                    pairs.push(a << 32 | (b & 0xffff_ffff));
                }
            }
        }
        drop(self.keys);
        pairs.sort_unstable();
        pairs.dedup();
        let half = |v: u64| u32::try_from(v & 0xffff_ffff).unwrap_or(u32::MAX);
        pairs
            .into_iter()
            .map(|p| (half(p >> 32), half(p)))
            .collect()
    }
}

/// A 32-bit hash of a bucket key (FNV-1a of the tag and the text).
fn key_hash(tag: u8, text: &str) -> u32 {
    std::iter::once(tag)
        .chain(text.bytes())
        .fold(0x811c_9dc5, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
}

/// Compares two elements; `None` when nothing suggests they are the same.
fn compare(codes: &CodeShapes<'_>, a: &Element, b: &Element) -> Option<(u8, Vec<Reason>)> {
    let norm = |e: &Element| codes.names(e).map(normalise).collect::<Vec<_>>();
    let (na, nb) = (norm(a), norm(b));
    // each name's reading once (the pairs of a million elements ask for tens of millions)
    let same_reading = || {
        let pb: Vec<String> = nb.iter().map(|y| pinyin(y)).collect();
        na.iter()
            .map(|x| pinyin(x))
            .any(|x| !x.is_empty() && pb.contains(&x))
    };
    let mut reasons = Vec::new();
    let mut score: i32 = 0;
    if normalise(&a.name) == normalise(&b.name) {
        reasons.push(Reason::SameName);
        score = 90;
    } else if na.iter().any(|x| nb.contains(x)) {
        reasons.push(Reason::SynonymOfOther);
        score = 85;
    } else if same_reading() {
        reasons.push(Reason::SamePinyin);
        score = 70;
    } else {
        let one_edit: Vec<(&String, &String)> = na
            .iter()
            .filter(|x| x.chars().count() >= 3)
            .flat_map(|x| nb.iter().map(move |y| (x, y)))
            .filter(|(x, y)| one_edit_apart(x, y))
            .collect();
        if one_edit.iter().any(|(x, y)| !counterparts(x, y)) {
            reasons.push(Reason::OneEditApart);
            score = 55;
        } else if !one_edit.is_empty() {
            // below every other reason, even with the same kind and options
            reasons.push(Reason::Counterparts);
            score = 10;
        }
    }
    if reasons.is_empty() {
        return None;
    }
    if a.kind == b.kind {
        reasons.push(Reason::SameKind);
        score += 5;
        if a.options != b.options {
            reasons.push(Reason::DifferentOptions);
        } else if !a.options.is_empty() {
            reasons.push(Reason::SameOptions);
            score += 5;
        }
    } else {
        reasons.push(Reason::DifferentKind);
        score -= 30;
    }
    Some((score.clamp(1, 100) as u8, reasons))
}

/// The best pairs so far, at most `most`: the worst on top, to be dropped first.
struct BestPairs {
    kept: BinaryHeap<Reverse<Ranked>>,
    /// How many to keep.
    most: usize,
    found: usize,
}

/// A pair ordered by how likely a duplicate it is: higher score, then smaller codes.
#[derive(PartialEq, Eq)]
struct Ranked(ElementPair);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.score.cmp(&other.0.score))
            .then_with(|| other.0.keep.cmp(&self.0.keep))
            .then_with(|| other.0.merge.cmp(&self.0.merge))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl BestPairs {
    /// Whether a pair of `score` could be kept (before it is spelled out).
    fn may_keep(&self, score: u8) -> bool {
        self.kept.len() < self.most || self.kept.peek().is_some_and(|w| w.0.0.score <= score)
    }

    fn push(&mut self, pair: ElementPair) {
        self.kept.push(Reverse(Ranked(pair)));
        if self.kept.len() > self.most {
            self.kept.pop();
        }
    }

    /// The kept pairs, best first.
    fn into_sorted(self) -> Vec<ElementPair> {
        // ascending `Reverse` order is descending rank
        (self.kept.into_sorted_vec().into_iter())
            .map(|Reverse(Ranked(pair))| pair)
            .collect()
    }
}

/// The finder on the loaded catalog, as it was.
fn find_best(catalog: &Catalog, most: usize) -> Duplicates {
    let elements: Vec<&Element> = catalog.elements.values().collect();
    let codes = CodeShapes::new(catalog);
    let mut blocks = Blocks::default();
    for (i, e) in (0u32..).zip(&elements) {
        for name in codes.names(e) {
            blocks.add(i, name);
        }
    }
    let uses = |code: &str| crate::engine::search::uses(catalog, code);
    let mut best = BestPairs {
        kept: BinaryHeap::new(),
        most,
        found: 0,
    };
    for (a, b) in blocks.pairs(50) {
        let (Some(x), Some(y)) = (elements.get(a as usize), elements.get(b as usize)) else {
            continue;
        };
        if x.parent.as_deref() == Some(&y.code) || y.parent.as_deref() == Some(&x.code) {
            continue;
        }
        let Some((score, reasons)) = compare(&codes, x, y) else {
            continue;
        };
        best.found += 1;
        if !best.may_keep(score) {
            continue;
        }
        let (keep, merge) = if (uses(&y.code), Reverse(&y.code)) > (uses(&x.code), Reverse(&x.code))
        {
            (y, x)
        } else {
            (x, y)
        };
        let (keep, merge) = if merge_check(catalog, &keep.code, &merge.code).is_err()
            && merge_check(catalog, &merge.code, &keep.code).is_ok()
        {
            (merge, keep)
        } else {
            (keep, merge)
        };
        best.push(ElementPair {
            keep: keep.code.to_string(),
            merge: merge.code.to_string(),
            keep_uses: uses(&keep.code),
            merge_uses: uses(&merge.code),
            score,
            reasons,
        });
    }
    Duplicates {
        elements_found: best.found,
        elements: best.into_sorted(),
        fields: Vec::new(),
    }
}

/// How many buckets the old finder skipped as too big.
fn oversized_buckets(catalog: &Catalog) -> usize {
    let codes = CodeShapes::new(catalog);
    let mut blocks = Blocks::default();
    for (i, e) in (0u32..).zip(catalog.elements.values()) {
        for name in codes.names(e) {
            blocks.add(i, name);
        }
    }
    blocks.keys.sort_unstable();
    blocks.keys.dedup();
    blocks
        .keys
        .chunk_by(|a, b| a >> 32 == b >> 32)
        .filter(|b| b.len() > 50)
        .count()
}

/// A catalog with what the finder must tell apart: synonyms (names and kept codes), a
/// parent and its child of one name, option lists one way round, kinds, counterparts.
fn awkward() -> Catalog {
    use crate::model::Record;
    let element = |code: &str, name: &str, kind: &str, options: &[&str]| {
        let options: Vec<_> = (options.iter())
            .map(|c| serde_json::json!({"code": c, "label": c}))
            .collect();
        let json =
            serde_json::json!({"code": code, "name": name, "kind": kind, "options": options});
        serde_json::from_value::<Element>(json).expect("an element")
    };
    let mut records = vec![
        element("DE000001", "联系电话", "text", &[]),
        element("DE000002", "联系电话号码", "text", &[]),
        element("DE000003", "性别", "single_choice", &["1", "2"]),
        element("DE000004", "性別", "single_choice", &["1", "2", "9"]),
        element("DE000005", "父亲性别", "single_choice", &["1", "2"]),
        element("DE000006", "母亲性别", "single_choice", &["1", "2"]),
        element("DE000007", "地址", "text", &[]),
        element("DE000008", "地址", "text", &[]),
        element("DE000009", "申请日期", "date", &[]),
        element("DE000010", "申报日期", "text", &[]),
        element("DE000011", "（姓名）", "text", &[]),
        element("DE000012", "姓名", "text", &[]),
        element("DE000013", "手机", "text", &[]),
        element("DE000014", "性别", "single_choice", &["2", "1"]),
        element("X-1", "电子邮箱", "text", &[]),
        element("X-2", "电子邮件", "text", &[]),
    ];
    // a name too common to pair on, with synonyms that pair some of them
    for i in 0..60 {
        let mut e = element(&format!("DE1{i:05}"), "说明", "text", &[]);
        if let Some(synonym) =
            ["说明事项", "说明内容", "情况说明", "备注说明", "附加说明"].get(i / 2)
        {
            e.synonyms = [CompactString::from(*synonym)].into_iter().collect();
        }
        records.push(e);
    }
    records[1].synonyms = ["联系电话".into(), "DE000099".into()].into_iter().collect();
    records[7].parent = Some("DE000007".into());
    records[12].synonyms = ["X-2".into(), "手机号码".into()].into_iter().collect();
    let fields: Vec<_> = ["DE000002", "DE000002", "DE000004", "DE000012", "DE000014"]
        .iter()
        .enumerate()
        .map(|(i, e)| serde_json::json!({"key": format!("f{i}"), "label": "字段", "element": e}))
        .collect();
    let form = serde_json::json!({"code": "BD1", "name": "表", "sections": [{"title": "一", "fields": fields}]});
    let form = serde_json::from_value(form).expect("a form");
    let records = records.into_iter().map(Record::Element);
    Catalog::from_records(records.chain([Record::Form(form)]))
}

#[test]
fn the_finder_gives_the_pairs_the_old_one_gave_whatever_slices_it_makes() {
    let catalogs = [
        ("awkward", awkward()),
        ("near-copies", crate::sample::elements_only(12)),
        ("sample", crate::sample::generate(2)),
    ];
    for (what, catalog) in &catalogs {
        let old = find_best(catalog, usize::MAX);
        assert!(old.elements_found > 0, "{what}");
        let shapes = CodeShapes::new(catalog);
        // one slice of the hash space, a few, or (the small catalog) one a key
        let slices: &[usize] = match catalog.elements.len() {
            ..100 => &[pool::KEYS_AT_A_TIME, 100, 7, 1],
            _ => &[pool::KEYS_AT_A_TIME, 20_000],
        };
        for &keys_at_a_time in slices {
            let new = find_in(catalog, &shapes, usize::MAX, keys_at_a_time).unwrap();
            assert_eq!(
                new.elements_found, old.elements_found,
                "{what} {keys_at_a_time}"
            );
            assert!(new.elements == old.elements, "{what} {keys_at_a_time}");
        }
        let few = find_in(catalog, &shapes, 40, 500).unwrap();
        assert_eq!(
            few.elements[..],
            old.elements[..40.min(old.elements.len())],
            "{what}"
        );
    }
    // a name too common makes buckets too big to pair
    assert!(oversized_buckets(&catalogs[0].1) > 0);
    let pairs = find_best(&catalogs[0].1, usize::MAX).elements;
    let common = |p: &&ElementPair| p.keep.starts_with("DE1") && p.merge.starts_with("DE1");
    assert_eq!(pairs.iter().filter(common).count(), 5, "{pairs:?}");
}
