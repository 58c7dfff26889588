//! Finding items to add to a bundle (主题), and agencies to lead one: fuzzy over the code,
//! the name, its full pinyin and its pinyin initials (typing `spjy` finds 食品经营许可证核发,
//! `gaqsc` 广安区市场监督管理局), from the readings element search uses ([`readings`]).
//!
//! Ranking: exact code > exact name or reading > prefix > contiguous substring > fuzzy
//! (a subsequence, scored by [`quick_score`]). Within a tier a match in the usual reading of
//! the name (every character's first reading) ranks above one found only in a rarer reading
//! of a heteronym (抵 zhǐ, 押 xiá: `zx` lists 注销户口证明 before 抵押备案, which it still
//! finds); then shorter names; ties by code. The index is built from rows copied out of the
//! catalog ([`ItemRow`], [`AgencyRow`]: any [`Row`]), so a face can build it on a worker
//! thread, and [`fingerprint`] / [`agency_fingerprint`] tell whether the catalog's items or
//! agencies changed since.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHasher;

use super::search::{SEP, is_subsequence, quick_score, readings};
use crate::model::{Catalog, ItemLevel, OutlineSource};

/// Rank tiers, best last; a tier is worth [`TIER_WIDTH`] points.
const TIER_FUZZY: i64 = 1;
const TIER_SUBSTRING: i64 = 2;
const TIER_PREFIX: i64 = 3;
const TIER_NAME: i64 = 4;
const TIER_CODE: i64 = 5;
const TIER_WIDTH: i64 = 1_000_000;
/// Half a tier: a match in the usual reading ranks in the upper half of its tier.
const USUAL: i64 = TIER_WIDTH / 2;

/// A record the index can hold: a code and a name.
pub trait Row: Clone + Send + Sync + 'static {
    /// The code.
    fn code(&self) -> &str;
    /// The name.
    fn name(&self) -> &str;
}

/// What the index keeps of an item, copied out of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    /// Item code.
    pub code: String,
    /// Item name (one copy per distinct name, shared by the items that bear it: an item
    /// carried out in every county).
    pub name: Arc<str>,
    /// 主项 / 子项 / 实施清单 / 办理项.
    pub level: ItemLevel,
    /// The implementing agency's name, if any (one copy per agency, shared by its items).
    pub agency: Option<Arc<str>>,
}

impl Row for ItemRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// What the index keeps of an agency (实施主体), copied out of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyRow {
    /// Agency code (unified social credit code).
    pub code: String,
    /// Agency name.
    pub name: String,
    /// Its region's name (or code when the region is unknown), if any.
    pub region: Option<String>,
}

impl Row for AgencyRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// The rows of every agency of `catalog`, in code order.
pub fn agency_rows(catalog: &Catalog) -> Vec<AgencyRow> {
    catalog
        .agencies
        .values()
        .map(|a| AgencyRow {
            code: a.code.to_string(),
            name: a.name.to_string(),
            region: a.region.as_ref().map(|r| {
                catalog
                    .regions
                    .get(r.as_str())
                    .map_or(r.as_str(), |x| x.name.as_str())
                    .to_string()
            }),
        })
        .collect()
}

/// A digest of the agencies' codes, names and regions: see [`fingerprint`].
pub fn agency_fingerprint(catalog: &Catalog) -> u64 {
    let mut h = FxHasher::default();
    for a in catalog.agencies.values() {
        (&a.code, &a.name, &a.region).hash(&mut h);
    }
    h.finish()
}

/// A query as [`Index::holding`] compares it (trimmed, lower-cased): a query whose form
/// starts with another's holds only rows that the other holds.
pub fn held_query(query: &str) -> String {
    query.trim().to_lowercase()
}

/// The rows of every item, in code order, from the loaded catalog or, before it is loaded,
/// from its cached outline (the same rows).
pub fn rows(source: &impl OutlineSource) -> Vec<ItemRow> {
    // one shared copy of each name and of each agency's name
    let mut names: HashMap<&str, Arc<str>> = HashMap::new();
    let mut agencies: HashMap<&str, Arc<str>> = HashMap::new();
    let mut rows = Vec::new();
    source.for_each_item(|i| {
        rows.push(ItemRow {
            code: i.code.to_string(),
            name: Arc::clone(names.entry(i.name).or_insert_with(|| Arc::from(i.name))),
            level: i.level,
            agency: i.agency.map(|a| {
                Arc::clone(
                    agencies
                        .entry(a)
                        .or_insert_with(|| Arc::from(source.agency_name(a).unwrap_or(a))),
                )
            }),
        })
    });
    rows
}

/// A digest of what the index is built from (codes, names, levels, agencies), from the
/// catalog or its outline: equal fingerprints mean an index built earlier still fits, and an
/// index built from the outline is kept once the catalog it outlines is loaded.
pub fn fingerprint(source: &impl OutlineSource) -> u64 {
    let mut h = FxHasher::default();
    source.for_each_item(|i| (i.code, i.name, i.level, i.agency).hash(&mut h));
    h.finish()
}

/// One indexed row. Its Latin key (what a query in Latin letters matches) is its code,
/// lower-cased, then the readings of its name: see [`Index::latin_of`].
struct Entry<R> {
    row: R,
    /// Where its lower-cased code lies in [`Index::codes`]: start and end byte.
    code: (u32, u32),
    /// Where the readings of its name lie in [`Index::readings`]: start and end byte. Rows
    /// of one name (an item carried out in every county) share them.
    readings: (u32, u32),
    /// How many bytes of the readings hold the usual reading (full and initials); the
    /// rarer readings of heteronyms follow.
    usual: u32,
    /// Which of `a`–`z` and `0`–`9` occur in the code and readings: a query with a
    /// character outside it cannot match, and most entries are ruled out without reading
    /// their key.
    letters: u64,
    /// The name, lower-cased, when that is not the name itself (most names are Chinese):
    /// what any other query matches (see [`Index::lower_name`]).
    lower: Option<Box<str>>,
}

/// An entry's name, lower-cased.
fn lower_name<R: Row>(entry: &Entry<R>) -> &str {
    entry.lower.as_deref().unwrap_or(entry.row.name())
}

/// The bit of an ASCII letter or digit in [`Entry::letters`] (other characters have none).
fn letter_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 0,
    }
}

fn letters(s: &str) -> u64 {
    s.bytes().fold(0, |m, b| m | letter_bit(b))
}

/// The readings half of a row's Latin key: every full pinyin reading of the name
/// (heteronyms give several: 银行 yinxing, yinhang) and every distinct set of initials, each
/// once (readings that differ in one syllable often share their initials) and each after a
/// [`SEP`]; and how many bytes of it hold the usual reading.
fn reading_parts(name: &str) -> (String, usize) {
    let mut key = String::new();
    let readings = readings(name);
    let mut seen: Vec<&str> = Vec::new();
    let mut usual = 0;
    for (n, (full, initials)) in readings.iter().enumerate() {
        for part in [full, initials] {
            if !seen.contains(&part.as_str()) {
                seen.push(part);
                key.push(SEP);
                key.push_str(part);
            }
        }
        if n == 0 {
            usual = key.len();
        }
    }
    (key, usual)
}

/// The readings of one name, where the index keeps them.
#[derive(Clone, Copy, Default)]
struct Readings {
    span: (u32, u32),
    usual: u32,
    letters: u64,
}

/// A row's Latin key in its two pieces (see [`Index::latin_of`]).
struct Latin<'a> {
    /// The lower-cased code: one part.
    code: &'a str,
    /// The readings, each part after a [`SEP`].
    readings: &'a str,
    /// How many bytes of `readings` hold the usual reading.
    usual: usize,
}

impl<'a> Latin<'a> {
    /// The parts, in order (code first), each with whether it is the code or part of the
    /// usual reading.
    fn parts(&self) -> impl Iterator<Item = (&'a str, bool)> + use<'a> {
        let usual = self.usual;
        let mut at = 0;
        let readings = self.readings.split(SEP).skip(1).map(move |part| {
            let start = at + SEP.len_utf8();
            at = start + part.len();
            (part, start < usual)
        });
        std::iter::once((self.code, true)).chain(readings)
    }
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit<R = ItemRow> {
    /// The item (or agency).
    pub row: R,
    /// Rank score, higher first.
    pub score: i64,
}

/// One item found.
pub type ItemHit = Hit<ItemRow>;

/// The result of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<R = ItemRow> {
    /// The best hits, best first.
    pub hits: Vec<Hit<R>>,
    /// How many rows matched in all.
    pub total: usize,
}

impl<R> Default for Found<R> {
    fn default() -> Self {
        Found {
            hits: Vec::new(),
            total: 0,
        }
    }
}

/// The search index over rows of one kind (items by default).
pub struct Index<R = ItemRow> {
    entries: Vec<Entry<R>>,
    /// Every entry's lower-cased code, one after another.
    codes: String,
    /// The readings of every distinct name, one after another.
    readings: String,
}

/// The index over the items.
pub type ItemIndex = Index<ItemRow>;
/// The index over the agencies.
pub type AgencyIndex = Index<AgencyRow>;

impl<R> Default for Index<R> {
    fn default() -> Self {
        Index {
            entries: Vec::new(),
            codes: String::new(),
            readings: String::new(),
        }
    }
}

impl<R: Row> Index<R> {
    /// Builds the index (pinyin readings of every name: the slow part, run it off the UI thread).
    /// The readings of a name are worked out once however many rows share it.
    pub fn build(rows: Vec<R>) -> Index<R> {
        let (mut codes, mut all_readings) = (String::new(), String::new());
        let offset = |s: &String| u32::try_from(s.len()).unwrap_or(u32::MAX);
        // the readings of each distinct name, and which each row has (the names borrowed
        // from the rows, not copied)
        let mut distinct: Vec<Readings> = Vec::new();
        let slots: Vec<usize> = {
            let mut by_name: HashMap<&str, usize> = HashMap::new();
            rows.iter()
                .map(|row| {
                    *by_name.entry(row.name()).or_insert_with(|| {
                        let (parts, usual) = reading_parts(row.name());
                        let start = offset(&all_readings);
                        all_readings.push_str(&parts);
                        distinct.push(Readings {
                            span: (start, offset(&all_readings)),
                            usual: u32::try_from(usual).unwrap_or(u32::MAX),
                            letters: letters(&parts),
                        });
                        distinct.len() - 1
                    })
                })
                .collect()
        };
        codes.reserve_exact(rows.iter().map(|r| r.code().len()).sum());
        let entries = rows
            .into_iter()
            .zip(slots)
            .map(|(row, slot)| {
                let shared = distinct.get(slot).copied().unwrap_or_default();
                let code = row.code().to_lowercase();
                let start = offset(&codes);
                codes.push_str(&code);
                Entry {
                    code: (start, offset(&codes)),
                    readings: shared.span,
                    usual: shared.usual,
                    letters: letters(&code) | shared.letters,
                    lower: Some(row.name().to_lowercase())
                        .filter(|lower| lower != row.name())
                        .map(String::into_boxed_str),
                    row,
                }
            })
            .collect();
        codes.shrink_to_fit();
        all_readings.shrink_to_fit();
        Index {
            entries,
            codes,
            readings: all_readings,
        }
    }

    /// An entry's Latin key: its lower-cased code, then the readings of its name.
    fn latin_of(&self, entry: &Entry<R>) -> Latin<'_> {
        fn piece(text: &str, (start, end): (u32, u32)) -> &str {
            text.get(start as usize..end as usize).unwrap_or("")
        }
        Latin {
            code: piece(&self.codes, entry.code),
            readings: piece(&self.readings, entry.readings),
            usual: entry.usual as usize,
        }
    }

    /// Number of rows indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The score of `entry` for the lower-cased query `q`, or `None` if it does not match.
    fn rank(&self, entry: &Entry<R>, q: &str) -> Option<i64> {
        if entry.row.code().eq_ignore_ascii_case(q) {
            return Some(TIER_CODE * TIER_WIDTH);
        }
        let latin;
        let parts: Box<dyn Iterator<Item = (&str, bool)>> = if q.is_ascii() {
            if letters(q) & !entry.letters != 0 {
                return None;
            }
            latin = self.latin_of(entry);
            if !subsequence(latin.code, q) && !subsequence(latin.readings, q) {
                return None;
            }
            Box::new(latin.parts())
        } else {
            let name = lower_name(entry);
            if !subsequence(name, q) {
                return None;
            }
            Box::new(name.split(SEP).map(|part| (part, true)))
        };
        // the best (tier, in the usual reading, fuzzy score) of any one part: a query spread
        // over two parts does not match
        let mut best = (0, false, 0);
        for (part, in_usual) in parts {
            let found = if part == q {
                (TIER_NAME, in_usual, 0)
            } else if part.starts_with(q) {
                (TIER_PREFIX, in_usual, 0)
            } else if part.contains(q) {
                (TIER_SUBSTRING, in_usual, 0)
            } else if let Some(s) = quick_score(part, q) {
                (TIER_FUZZY, in_usual, s)
            } else {
                continue;
            };
            best = best.max(found);
        }
        let (tier, in_usual, fuzzy) = best;
        if tier == 0 {
            return None;
        }
        // within a tier: the usual reading first, then the fuzzy score, or shorter names
        // (closer to what was typed) first
        let within = if tier == TIER_FUZZY {
            fuzzy
        } else {
            USUAL - 1 - i64::try_from(entry.row.name().chars().count()).unwrap_or(0)
        };
        let usual_half = if in_usual { USUAL } else { 0 };
        Some(tier * TIER_WIDTH + usual_half + within.clamp(0, USUAL - 1))
    }

    /// The positions (ascending) of every row whose code, name or one reading of its name
    /// holds `query` as one run (equal to it, starting with it or containing it; a query
    /// scattered over the letters does not count), case-insensitive: what a filter that lists
    /// every match rather than the best few keeps (pane 1's `/hkdj` finds 户口登记). With
    /// `within`, the positions held by a query that `query` extends (see [`held_query`]): only
    /// those can hold it, so each key of a growing query tests fewer rows. `None` when
    /// `stale` says a newer query has come (it is asked every 4096 rows).
    pub fn holding(
        &self,
        query: &str,
        within: Option<&[u32]>,
        stale: impl Fn() -> bool,
    ) -> Option<Vec<u32>> {
        let q = held_query(query);
        if q.is_empty() {
            return Some(Vec::new());
        }
        let all = 0..u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let candidates: Box<dyn Iterator<Item = u32>> = match within {
            Some(within) => Box::new(within.iter().copied()),
            None => Box::new(all),
        };
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let mut out = Vec::new();
        for (n, at) in candidates.enumerate() {
            if n % 4096 == 0 && stale() {
                return None;
            }
            let held = self
                .entries
                .get(at as usize)
                .is_some_and(|entry| self.holds(entry, &q, &finder));
            if held {
                out.push(at);
            }
        }
        Some(out)
    }

    /// Of `positions` (as [`Index::holding`] gives them for `query`), those whose code or
    /// usual reading holds `query`: the rest hold it only in a rarer reading of a heteronym
    /// (许 read hǔ, 期 read jī). A filter that cannot rank shows these first.
    pub fn in_usual_reading(&self, query: &str, positions: &[u32]) -> Vec<u32> {
        let q = held_query(query);
        if !q.is_ascii() {
            return positions.to_vec();
        }
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let usual = |entry: &Entry<R>| {
            let latin = self.latin_of(entry);
            let end = latin.usual.min(latin.readings.len());
            finder.find(latin.code.as_bytes()).is_some()
                || latin
                    .readings
                    .get(..end)
                    .is_some_and(|part| finder.find(part.as_bytes()).is_some())
        };
        positions
            .iter()
            .copied()
            .filter(|p| self.entries.get(*p as usize).is_some_and(usual))
            .collect()
    }

    /// The positions (ascending) of every row whose lower-cased name holds `query` (as
    /// [`held_query`] gives it): what [`Index::holding`] does not look at for a query in
    /// Latin letters (a name may have some: ICP经营许可申请表).
    pub fn names_holding(&self, query: &str) -> Vec<u32> {
        let q = held_query(query);
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        (0u32..)
            .zip(&self.entries)
            .filter(|(_, e)| finder.find(lower_name(e).as_bytes()).is_some())
            .map(|(p, _)| p)
            .collect()
    }

    /// The code of the row at `position` (as [`Index::holding`] gives them).
    pub fn code_at(&self, position: u32) -> Option<&str> {
        self.entries.get(position as usize).map(|e| e.row.code())
    }

    /// The position of the row with `code`, found by halves: for an index whose rows were
    /// given in code order (as [`rows`] and the other `rows` functions give them).
    pub fn position_of(&self, code: &str) -> Option<u32> {
        let at = self
            .entries
            .binary_search_by(|e| e.row.code().cmp(code))
            .ok()?;
        u32::try_from(at).ok()
    }

    /// Whether the lower-cased query `q` is the entry's code or one run in one part of its
    /// key: what [`Index::rank`] puts in the substring tier or above, without the fuzzy
    /// scoring a filter does not need (a plain substring test per part). `finder` looks
    /// for `q`, built once for every entry.
    fn holds(&self, entry: &Entry<R>, q: &str, finder: &memchr::memmem::Finder<'_>) -> bool {
        // a query without the separator lies within one part wherever the key holds it
        let within_part = |key: &str| {
            if q.contains(SEP) {
                key.split(SEP).any(|p| p.contains(q))
            } else {
                finder.find(key.as_bytes()).is_some()
            }
        };
        // the key starts with the lower-cased code, so a Latin query equal to the code is in it
        if q.is_ascii() {
            letters(q) & !entry.letters == 0 && {
                let latin = self.latin_of(entry);
                within_part(latin.code) || within_part(latin.readings)
            }
        } else {
            entry.row.code().eq_ignore_ascii_case(q) || within_part(lower_name(entry))
        }
    }

    /// The best `limit` rows for `query` (case-insensitive, surrounding space ignored);
    /// an empty query lists rows in code order.
    pub fn search(&self, query: &str, limit: usize) -> Found<R> {
        ItemSearch::default().search(self, query, limit)
    }

    /// The entries among `candidates` (all when `None`) that match `q`, with their scores.
    fn scan(&self, q: &str, candidates: Option<&[u32]>) -> Vec<(u32, i64)> {
        let rank = |i: u32| Some((i, self.rank(self.entries.get(i as usize)?, q)?));
        match candidates {
            Some(list) => list.iter().filter_map(|&i| rank(i)).collect(),
            None => (0..u32::try_from(self.entries.len()).unwrap_or(u32::MAX))
                .filter_map(rank)
                .collect(),
        }
    }

    /// The best `limit` of `matches`, best first; ties by code (entries are in code order).
    fn top(&self, mut matches: Vec<(u32, i64)>, limit: usize) -> Found<R> {
        let total = matches.len();
        let order = |a: &(u32, i64), b: &(u32, i64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if limit < matches.len() {
            matches.select_nth_unstable_by(limit, order);
            matches.truncate(limit);
        }
        matches.sort_unstable_by(order);
        Found {
            hits: matches
                .into_iter()
                .filter_map(|(i, score)| {
                    Some(Hit {
                        row: self.entries.get(i as usize)?.row.clone(),
                        score,
                    })
                })
                .collect(),
            total,
        }
    }
}

/// Whether the characters of `q` occur in `haystack` in order. An ASCII query is matched
/// byte by byte (exact on UTF-8: multi-byte sequences hold no ASCII bytes), skipping ahead to
/// each wanted byte.
fn subsequence(haystack: &str, q: &str) -> bool {
    if !q.is_ascii() {
        return is_subsequence(haystack, q);
    }
    let mut rest = haystack.as_bytes();
    for &wanted in q.as_bytes() {
        match rest.iter().position(|&b| b == wanted) {
            Some(at) => rest = &rest[at + 1..],
            None => return false,
        }
    }
    true
}

/// A search session for a picker: a query that extends the previous one (as typing does)
/// scans only the previous matches.
#[derive(Default)]
pub struct ItemSearch {
    last: Option<(String, Vec<u32>)>,
}

impl ItemSearch {
    /// Forgets the previous matches (the index was rebuilt).
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// Like [`Index::search`], narrowing the previous matches when it can.
    pub fn search<R: Row>(&mut self, index: &Index<R>, query: &str, limit: usize) -> Found<R> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            self.last = None;
            return Found {
                hits: index
                    .entries
                    .iter()
                    .take(limit)
                    .map(|e| Hit {
                        row: e.row.clone(),
                        score: 0,
                    })
                    .collect(),
                total: index.entries.len(),
            };
        }
        // the matches of a longer query are among those of the shorter one, when both
        // look at the same half of the key
        let narrowed = self.last.as_ref().and_then(|(prev, matched)| {
            (q.starts_with(prev.as_str()) && prev.is_ascii() == q.is_ascii())
                .then_some(matched.as_slice())
        });
        let matches = index.scan(&q, narrowed);
        self.last = Some((q, matches.iter().map(|m| m.0).collect()));
        index.top(matches, limit)
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
        // every heteronym's initials: 行 is hang or xing
        let bank = ItemIndex::build(vec![row("H1", "银行开户")]);
        for q in ["yhkh", "yxkh", "yinhang", "H1"] {
            assert_eq!(codes(&bank.search(q, 5)), ["H1"], "{q}");
        }
        assert_eq!(letters("yhkh9") & !bank.entries[0].letters, letters("9"));
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
    fn a_rare_reading_of_a_heteronym_ranks_below_the_usual_reading() {
        let i = ItemIndex::build(vec![
            row("D1", "抵押备案"),
            row("D2", "抵押备案解除"),
            row("Z1", "注销户口证明"),
            row("H1", "户口注销"),
            row("Y1", "银行开户"),
        ]);
        // 抵押 reads dǐyā; zhǐ and xiá are rare readings that give the initials zx too
        let found = i.search("zx", 10);
        assert_eq!(codes(&found)[0], "Z1", "{found:?}");
        assert!(codes(&found).contains(&"D1"), "still found: {found:?}");
        let rank = |c: &str| codes(&found).iter().position(|x| *x == c);
        assert!(rank("Z1") < rank("D1") && rank("Z1") < rank("D2"));
        // a rare reading alone still finds its item, first when nothing reads so usually
        assert_eq!(codes(&i.search("zhixia", 10)), ["D1", "D2"]);
        assert_eq!(codes(&i.search("diya", 10)), ["D1", "D2"]);
        // 行 in 银行 is hang, a reading after the usual xing: still the one match
        assert_eq!(codes(&i.search("yhkh", 10)), ["Y1"]);
        // the usual reading's prefix ranks above a rare reading's, in the same tier
        let z1 = found.hits[0].score;
        let d1 = found.hits[rank("D1").unwrap_or(0)].score;
        assert_eq!(z1 / TIER_WIDTH, d1 / TIER_WIDTH);
    }

    #[test]
    fn holding_keeps_every_contiguous_match_and_no_scattered_one() {
        let i = index();
        let held = |q: &str| -> Vec<&str> {
            let at = i.holding(q, None, || false).unwrap_or_default();
            at.into_iter().filter_map(|p| i.code_at(p)).collect()
        };
        // initials, full pinyin, a piece of either, the code, the name
        assert_eq!(
            held("gsdj"),
            Vec::<&str>::new(),
            "公司设立登记 reads gssldj"
        );
        assert_eq!(held("sldj"), ["A1"]);
        assert_eq!(held("spjy"), ["B1", "B2"]);
        assert_eq!(held("xukezheng"), ["B1", "B2", "C1"]);
        assert_eq!(held("c1"), ["C1"]);
        assert_eq!(held("许可证核发"), ["B1", "C1"]);
        // scattered letters rank in the picker but are no filter match
        assert!(!i.search("gsdj", 10).hits.is_empty());
        assert_eq!(held(""), Vec::<&str>::new());
        assert_eq!(i.holding("s", None, || true), None);
        // a growing query tested only on what the shorter one held gives the same answer
        for (short, long) in [
            ("s", "spjy"),
            ("x", "xukezheng"),
            ("许", "许可证核发"),
            ("d", "dj"),
        ] {
            let within = i.holding(short, None, || false).unwrap_or_default();
            assert_eq!(
                i.holding(long, Some(&within), || false),
                i.holding(long, None, || false),
                "{short} -> {long}"
            );
        }
        // the plain substring test keeps exactly what ranks in the substring tier or above
        for q in [
            "s",
            "dj",
            "sldj",
            "spjy",
            "xukezheng",
            "c1",
            "b",
            "许可",
            "登记",
            "zz",
            "gs",
        ] {
            let by_rank: Vec<&str> = i
                .entries
                .iter()
                .filter(|e| {
                    i.rank(e, q)
                        .is_some_and(|s| s / TIER_WIDTH >= TIER_SUBSTRING)
                })
                .map(|e| e.row.code())
                .collect();
            assert_eq!(held(q), by_rank, "{q}");
        }
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
        let rows = super::rows(&catalog);
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

    #[test]
    fn a_session_narrows_while_typing_and_gives_what_a_fresh_search_gives() {
        let catalog = crate::sample::generate(1);
        let index = ItemIndex::build(rows(&catalog));
        let mut session = ItemSearch::default();
        for query in [
            "s", "sp", "spj", "spjy", "sp", "食", "食品", "", "gs", "gssldj",
        ] {
            assert_eq!(
                session.search(&index, query, 50),
                index.search(query, 50),
                "{query}"
            );
        }
        session.reset();
        assert_eq!(session.search(&index, "spjy", 5), index.search("spjy", 5));
    }

    #[test]
    fn agencies_are_found_by_name_code_and_pinyin_with_their_region() {
        let catalog = crate::sample::generate(1);
        let rows = agency_rows(&catalog);
        assert_eq!(rows.len(), catalog.agencies.len());
        let index = AgencyIndex::build(rows);
        let name = "成都市锦江区市场监督管理局";
        let agency = catalog
            .agencies
            .values()
            .find(|a| a.name == name)
            .expect("the sample has it");
        let code = agency.code.as_str();
        for query in [name, code, "cdsjjqscjdglj", "锦江区市场"] {
            let found = index.search(query, 10);
            assert_eq!(found.hits[0].row.code, code, "{query}");
        }
        assert_eq!(
            index.search(name, 10).hits[0].row.region.as_deref(),
            Some("锦江区")
        );
        // every agency when nothing is typed
        assert_eq!(index.search("", usize::MAX).total, catalog.agencies.len());
        let before = agency_fingerprint(&catalog);
        let mut changed = catalog.clone();
        let mut a = agency.clone();
        a.name.push('改');
        changed.insert(crate::model::Record::Agency(a));
        assert_ne!(before, agency_fingerprint(&changed));
        assert_eq!(before, agency_fingerprint(&catalog));
    }

    #[test]
    fn the_byte_subsequence_agrees_with_the_char_one() {
        for (hay, q) in [
            ("shipinjingying", "spjy"),
            ("shipin", "nips"),
            ("食品sp", "sp"),
            ("", "a"),
            ("abc", ""),
        ] {
            assert_eq!(subsequence(hay, q), is_subsequence(hay, q), "{hay} {q}");
        }
    }

    #[test]
    fn an_outline_gives_the_rows_and_fingerprint_of_the_catalog_it_outlines() {
        let mut catalog = crate::sample::generate(1);
        let outline = crate::model::Outline::of(&catalog);
        let rows = super::rows(&catalog);
        assert!(rows.iter().filter(|r| r.agency.is_some()).count() > 100);
        assert_eq!(super::rows(&outline), rows);
        assert_eq!(fingerprint(&outline), fingerprint(&catalog));
        // an item renamed or moved to another agency is another fingerprint
        let code = rows
            .iter()
            .find(|r| r.agency.is_some())
            .expect("an item")
            .code
            .clone();
        let mut item = catalog.items[code.as_str()].clone();
        item.name.push('x');
        catalog.insert(crate::model::Record::Item(item.clone()));
        assert_ne!(fingerprint(&catalog), fingerprint(&outline));
        item.name.pop();
        item.agency = None;
        catalog.insert(crate::model::Record::Item(item));
        assert_ne!(fingerprint(&catalog), fingerprint(&outline));
    }

    #[test]
    fn rows_of_one_name_share_its_readings_and_are_found_alike() {
        let rows = vec![
            row("A-1", "银行开户"),
            row("B-2", "银行开户"),
            row("C-3", "开户许可"),
        ];
        let all = readings("银行开户");
        let (usual, _) = &all[0];
        let (rare, _) = all
            .iter()
            .find(|(f, _)| f.contains("hang"))
            .expect("行 read hang");
        let index = Index::build(rows);
        // the name's readings are kept once, the codes each
        assert_eq!(index.readings.matches(rare.as_str()).count(), 1);
        assert_eq!(index.codes, "a-1b-2c-3");
        for q in [usual.as_str(), rare.as_str(), "yhkh", "kaihu"] {
            let found = index.search(q, 10);
            let score = |code: &str| {
                found
                    .hits
                    .iter()
                    .find(|h| h.row.code == code)
                    .map(|h| h.score)
            };
            assert!(score("A-1").is_some(), "{q}: {:?}", found.hits);
            assert_eq!(score("A-1"), score("B-2"), "{q}");
        }
        let held = index.holding(rare, None, || false).expect("not stale");
        assert_eq!(held, vec![0, 1]);
        let in_usual = index.in_usual_reading(rare, &held);
        assert_eq!(in_usual.is_empty(), rare != usual, "{rare} {usual}");
        assert_eq!(index.in_usual_reading("kaihu", &[0, 1, 2]), vec![0, 1, 2]);
        // a code is one part of its own row only, lower-cased
        assert_eq!(index.holding("b-2", None, || false), Some(vec![1]));
        assert_eq!(index.search("B-2", 10).hits[0].row.code, "B-2");
        assert_eq!(index.in_usual_reading("c-3", &[0, 1, 2]), vec![2]);
        // the code and a reading are two parts: a query spread over both does not match
        assert!(index.search("a-1yin", 10).hits.is_empty());
        assert_eq!(index.holding("a-1yin", None, || false), Some(vec![]));
    }
}
