//! Finding items to add to a bundle (主题): fuzzy over the code, the name, its full pinyin and
//! its pinyin initials (typing `spjy` finds 食品经营许可证核发), with the keys element search
//! builds ([`build_key`]).
//!
//! Ranking: exact code > exact name or reading > prefix > contiguous substring > fuzzy
//! (a subsequence, scored by [`quick_score`]); ties by code. The index is built from
//! [`ItemRow`]s copied out of the catalog, so a face can build it on a worker thread, and
//! [`fingerprint`] tells whether the catalog's items changed since.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use super::search::{SEP, build_key, is_subsequence, quick_score};
use crate::model::{Catalog, ItemLevel};

/// Rank tiers, best last; a tier is worth [`TIER_WIDTH`] points.
const TIER_FUZZY: i64 = 1;
const TIER_SUBSTRING: i64 = 2;
const TIER_PREFIX: i64 = 3;
const TIER_NAME: i64 = 4;
const TIER_CODE: i64 = 5;
const TIER_WIDTH: i64 = 1_000_000;

/// What the index keeps of an item, copied out of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    /// Item code.
    pub code: String,
    /// Item name.
    pub name: String,
    /// 主项 / 子项 / 实施清单 / 办理项.
    pub level: ItemLevel,
    /// The implementing agency's name, if any.
    pub agency: Option<String>,
}

/// The rows of every item of `catalog`, in code order.
pub fn rows(catalog: &Catalog) -> Vec<ItemRow> {
    catalog
        .items
        .values()
        .map(|i| ItemRow {
            code: i.code.clone(),
            name: i.name.clone(),
            level: i.level,
            agency: i
                .agency
                .as_ref()
                .map(|a| catalog.agencies.get(a).map_or(a, |x| &x.name).clone()),
        })
        .collect()
}

/// A digest of what the index is built from (codes, names, levels, agencies): equal
/// fingerprints mean an index built earlier still fits.
pub fn fingerprint(catalog: &Catalog) -> u64 {
    let mut h = FxHasher::default();
    for i in catalog.items.values() {
        (&i.code, &i.name, i.level, &i.agency).hash(&mut h);
    }
    h.finish()
}

/// One indexed item.
struct Entry {
    row: ItemRow,
    /// Code and readings, lower-cased: what a query in Latin letters matches.
    latin: Box<str>,
    /// The name, lower-cased: what any other query matches.
    name: Box<str>,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemHit {
    /// The item.
    pub row: ItemRow,
    /// Rank score, higher first.
    pub score: i64,
}

/// The result of a search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The best hits, best first.
    pub hits: Vec<ItemHit>,
    /// How many items matched in all.
    pub total: usize,
}

/// The search index over the items.
#[derive(Default)]
pub struct ItemIndex {
    entries: Vec<Entry>,
}

impl ItemIndex {
    /// Builds the index (pinyin readings of every name: the slow part, run it off the UI thread).
    pub fn build(rows: Vec<ItemRow>) -> ItemIndex {
        let entries = rows
            .into_iter()
            .map(|row| {
                let key = build_key(&row.code, [row.name.as_str()]);
                Entry {
                    latin: key.latin.into(),
                    name: key.names.into(),
                    row,
                }
            })
            .collect();
        ItemIndex { entries }
    }

    /// Number of items indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no item is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The score of `entry` for the lower-cased query `q`, or `None` if it does not match.
    fn rank(entry: &Entry, q: &str) -> Option<i64> {
        if entry.row.code.eq_ignore_ascii_case(q) {
            return Some(TIER_CODE * TIER_WIDTH);
        }
        let haystack = if q.is_ascii() {
            &entry.latin
        } else {
            &entry.name
        };
        if !is_subsequence(haystack, q) {
            return None;
        }
        // the best tier of any one part: a query spread over two parts does not match
        let mut tier = 0;
        let mut fuzzy = 0;
        for part in haystack.split(SEP) {
            if part == q {
                tier = tier.max(TIER_NAME);
            } else if part.starts_with(q) {
                tier = tier.max(TIER_PREFIX);
            } else if part.contains(q) {
                tier = tier.max(TIER_SUBSTRING);
            } else if let Some(s) = quick_score(part, q) {
                tier = tier.max(TIER_FUZZY);
                fuzzy = fuzzy.max(s);
            }
        }
        if tier == 0 {
            return None;
        }
        // within a tier: the fuzzy score, or shorter names (closer to what was typed) first
        let within = if tier == TIER_FUZZY {
            fuzzy
        } else {
            TIER_WIDTH - 1 - i64::try_from(entry.row.name.chars().count()).unwrap_or(0)
        };
        Some(tier * TIER_WIDTH + within.clamp(0, TIER_WIDTH - 1))
    }

    /// The best `limit` items for `query` (case-insensitive, surrounding space ignored);
    /// an empty query lists items in code order.
    pub fn search(&self, query: &str, limit: usize) -> Found {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Found {
                hits: self
                    .entries
                    .iter()
                    .take(limit)
                    .map(|e| ItemHit {
                        row: e.row.clone(),
                        score: 0,
                    })
                    .collect(),
                total: self.entries.len(),
            };
        }
        let mut matches: Vec<(usize, i64)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i, Self::rank(e, &q)?)))
            .collect();
        let total = matches.len();
        // entries are in code order, so the index breaks ties by code
        let order = |a: &(usize, i64), b: &(usize, i64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if limit < matches.len() {
            matches.select_nth_unstable_by(limit, order);
            matches.truncate(limit);
        }
        matches.sort_unstable_by(order);
        Found {
            hits: matches
                .into_iter()
                .map(|(i, score)| ItemHit {
                    row: self.entries[i].row.clone(),
                    score,
                })
                .collect(),
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, name: &str) -> ItemRow {
        ItemRow {
            code: code.into(),
            name: name.into(),
            level: ItemLevel::Impl,
            agency: None,
        }
    }

    fn index() -> ItemIndex {
        ItemIndex::build(vec![
            row("A1", "公司设立登记"),
            row("A2", "公司注销登记"),
            row("B1", "食品经营许可证核发"),
            row("B2", "食品经营许可证变更"),
            row("C1", "烟草专卖零售许可证核发"),
            row("GS", "户外招牌设施设置审批"),
        ])
    }

    fn codes(found: &Found) -> Vec<&str> {
        found.hits.iter().map(|h| h.row.code.as_str()).collect()
    }

    #[test]
    fn pinyin_initials_full_pinyin_names_and_codes_find_items() {
        let i = index();
        assert_eq!(codes(&i.search("gssldj", 10)), ["A1"]);
        assert_eq!(codes(&i.search("gongsishe", 10)), ["A1"]);
        assert_eq!(codes(&i.search("食品经营", 10)), ["B1", "B2"]);
        assert_eq!(codes(&i.search(" c1 ", 10)), ["C1"]);
        assert_eq!(i.search("许可证核发", 10).total, 2);
        assert_eq!(i.search("qqqq", 10), Found::default());
    }

    #[test]
    fn ranking_puts_codes_then_exact_names_then_prefixes_then_the_rest() {
        let i = index();
        // `gs` is the code of one item, a prefix of two names' initials and a fuzzy match
        // of another
        let found = i.search("gs", 10);
        assert_eq!(found.hits[0].row.code, "GS");
        assert_eq!(&codes(&found)[1..3], ["A1", "A2"]);
        // an exact name beats a name it is the prefix of
        let found = i.search("公司设立登记", 10);
        assert_eq!(codes(&found), ["A1"]);
        // a contiguous substring beats a scattered subsequence
        let found = i.search("许可证核", 10);
        assert_eq!(codes(&found), ["B1", "C1"]);
        assert!(found.hits[0].score / TIER_WIDTH == TIER_SUBSTRING);
    }

    #[test]
    fn the_limit_keeps_the_best_and_counts_them_all() {
        let i = index();
        let found = i.search("许可", 1);
        assert_eq!((found.hits.len(), found.total), (1, 3));
        assert_eq!(found.hits[0].row.code, "B1");
        let all = i.search("", 4);
        assert_eq!(codes(&all), ["A1", "A2", "B1", "B2"]);
        assert_eq!(all.total, 6);
    }

    #[test]
    fn rows_carry_the_agency_name_and_the_fingerprint_follows_changes() {
        let mut catalog = crate::sample::generate(1);
        let rows = rows(&catalog);
        assert_eq!(rows.len(), catalog.items.len());
        assert!(
            rows.iter()
                .any(|r| r.agency.as_deref().is_some_and(|a| a.contains("局")))
        );
        let before = fingerprint(&catalog);
        assert_eq!(before, fingerprint(&catalog));
        let mut item = catalog.items.values().next().cloned().expect("items");
        item.name.push('改');
        catalog.insert(crate::model::Record::Item(item));
        assert_ne!(before, fingerprint(&catalog));
        let index = ItemIndex::build(super::rows(&catalog));
        assert_eq!(index.len(), catalog.items.len());
        assert!(!index.search("gssldj", 5).hits.is_empty());
    }
}
