//! Element search: fuzzy over one key per element (code, name, synonyms, full pinyin and
//! pinyin initials), with `kind:` / `status:` / `agency:` filters.
//!
//! Ranking: exact code > exact name, synonym or reading > prefix > fuzzy score; ties by
//! use count, then code. A query that extends the previous one (same filters) searches
//! only the previous hits. The scan checks a cancel flag, so a newer keystroke never
//! waits for a stale search.

mod arena;
mod keys;
mod matcher;
mod query;
mod row;

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::model::Catalog;

pub use arena::{Entry, SearchData, Span};
pub use keys::{Key, SEP, build_key, readings};
pub use matcher::{Matcher, Skim, is_subsequence};
pub use query::{Query, QueryError};
pub use row::{SearchRow, row_in, rows, uses};

/// How many entries are scanned between two looks at the cancel flag.
const CHUNK: usize = 4096;
/// A scan of at least this many entries is split over several threads.
const PARALLEL_AT: usize = 4_096;
/// At most this many threads scan at once.
const MAX_THREADS: usize = 4;

/// Rank tiers, best last so that they sort naturally.
const TIER_FUZZY: i64 = 1;
const TIER_PREFIX: i64 = 3;
const TIER_NAME: i64 = 4;
const TIER_CODE: i64 = 5;
/// The fuzzy-tier candidates re-scored by the matcher are at least this many.
const RESCORE_AT_LEAST: usize = 200;
/// Width of a tier in the combined score.
const TIER_WIDTH: i64 = 1_000_000;

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Element code.
    pub code: String,
    /// Element name.
    pub name: String,
    /// Element kind (interchange spelling).
    pub kind: &'static str,
    /// Rank score, higher first: tier × 1,000,000 + fuzzy score.
    pub score: i64,
    /// How many form fields use the element.
    pub uses: usize,
}

/// The search index over every element of a catalog.
pub struct SearchIndex {
    data: SearchData,
    matcher: Box<dyn Matcher>,
}

impl SearchIndex {
    /// Builds the index of a catalog with the default matcher.
    pub fn build(catalog: &Catalog) -> Self {
        Self::from_rows(rows(catalog))
    }

    /// Builds the index from stored rows with the default matcher.
    pub fn from_rows(rows: impl IntoIterator<Item = SearchRow>) -> Self {
        Self::from_data(SearchData::from_rows(rows))
    }

    /// The index over data read back (see [`SearchIndex::data`]), with the default matcher.
    pub fn from_data(data: SearchData) -> Self {
        Self::with_matcher(data, Box::new(Skim::default()))
    }

    /// The index over `data` with a given matcher.
    pub fn with_matcher(data: SearchData, matcher: Box<dyn Matcher>) -> Self {
        Self { data, matcher }
    }

    /// What the index holds, to be written to disk and read back with
    /// [`SearchIndex::from_data`].
    pub fn data(&self) -> &SearchData {
        &self.data
    }

    fn entries(&self) -> &[Entry] {
        self.data.entries()
    }

    /// The half of an entry's key a query can match: Latin letters match readings and the
    /// code, anything else the names.
    fn haystack(&self, entry: &Entry, q: &str) -> &str {
        self.data.str(if q.is_ascii() {
            entry.latin
        } else {
            entry.names
        })
    }

    /// Number of elements indexed.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The combined score of entry `i` for `query`, or `None` if it does not match.
    fn rank(&self, entry: &Entry, query: &Query) -> Option<i64> {
        if query.kind.is_some_and(|k| k != entry.kind)
            || query.status.is_some_and(|s| s != entry.status)
        {
            return None;
        }
        if let Some(agency) = &query.agency
            && !entry
                .agency
                .is_some_and(|a| self.data.str(a).contains(agency.as_str()))
        {
            return None;
        }
        let q = query.text.as_str();
        if q.is_empty() {
            return Some(0);
        }
        if self.data.str(entry.code).eq_ignore_ascii_case(q) {
            return Some(TIER_CODE * TIER_WIDTH);
        }
        let haystack = self.haystack(entry, q);
        if !is_subsequence(haystack, q) {
            return None;
        }
        let parts = haystack.split(SEP);
        // phase 1: tiers and a cheap subsequence score; the matcher re-scores the best later
        let mut best = None;
        let mut prefix = false;
        for part in parts {
            if part == q {
                return Some(TIER_NAME * TIER_WIDTH);
            }
            prefix |= part.starts_with(q);
            if !prefix && let Some(score) = quick_score(part, q) {
                best = best.max(Some(score));
            }
        }
        if prefix {
            return Some(TIER_PREFIX * TIER_WIDTH);
        }
        best.map(|s| TIER_FUZZY * TIER_WIDTH + s.clamp(0, TIER_WIDTH - 1))
    }

    /// Phase 2: the matcher's score of an entry's best part (fuzzy tier only).
    fn rescore(&self, i: u32, q: &str) -> i64 {
        let Some(entry) = self.entries().get(i as usize) else {
            return 0;
        };
        let best = self
            .haystack(entry, q)
            .split(SEP)
            .filter(|part| is_subsequence(part, q))
            .filter_map(|part| self.matcher.score(part, q))
            .max()
            .unwrap_or(0);
        TIER_FUZZY * TIER_WIDTH + best.clamp(0, TIER_WIDTH - 1)
    }

    /// Scans `candidates` (all entries when `None`); `None` if cancelled. Returns (entry
    /// index, score) of every match in candidate order. A large scan is split over the
    /// machine's cores (up to [`MAX_THREADS`]); the result does not depend on how.
    fn scan(
        &self,
        query: &Query,
        candidates: Option<&[u32]>,
        cancel: &AtomicBool,
    ) -> Option<Vec<(u32, i64)>> {
        let total = candidates.map_or(self.entries().len(), <[u32]>::len);
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(MAX_THREADS);
        if threads < 2 || total < PARALLEL_AT {
            return self.scan_range(query, candidates, 0..total, cancel);
        }
        let per = total.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let range = (t * per).min(total)..((t + 1) * per).min(total);
                    scope.spawn(move || self.scan_range(query, candidates, range, cancel))
                })
                .collect();
            let mut out = Vec::new();
            for part in parts {
                // a scan does not panic; if one did, the search is dropped like a cancelled one
                out.extend(part.join().ok()??);
            }
            Some(out)
        })
    }

    /// Scans positions `range` of `candidates` (of all entries when `None`).
    fn scan_range(
        &self,
        query: &Query,
        candidates: Option<&[u32]>,
        range: std::ops::Range<usize>,
        cancel: &AtomicBool,
    ) -> Option<Vec<(u32, i64)>> {
        let mut out = Vec::new();
        let mut start = range.start;
        while start < range.end {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let end = (start + CHUNK).min(range.end);
            for pos in start..end {
                let i = match candidates {
                    Some(list) => list.get(pos).copied(),
                    None => u32::try_from(pos).ok(),
                };
                if let Some(i) = i
                    && let Some(entry) = self.entries().get(i as usize)
                    && let Some(score) = self.rank(entry, query)
                {
                    out.push((i, score));
                }
            }
            start = end;
        }
        Some(out)
    }

    fn hit(&self, (i, score): (u32, i64)) -> Option<Hit> {
        let e = self.entries().get(i as usize)?;
        Some(Hit {
            code: self.data.str(e.code).to_string(),
            name: self.data.str(e.name).to_string(),
            kind: e.kind.as_str(),
            score,
            uses: e.uses as usize,
        })
    }

    /// The best `limit` matches, best first: a partial selection by the phase-1 score, then
    /// the fuzzy-tier candidates among the best few hundred re-scored by the matcher.
    fn top(&self, matches: &mut [(u32, i64)], q: &str, limit: usize) -> Vec<(u32, i64)> {
        let order = |a: &(u32, i64), b: &(u32, i64)| {
            let entries = self.entries();
            let (ea, eb) = (&entries[a.0 as usize], &entries[b.0 as usize]);
            b.1.cmp(&a.1)
                .then(eb.uses.cmp(&ea.uses))
                .then_with(|| self.data.str(ea.code).cmp(self.data.str(eb.code)))
        };
        let keep = limit
            .saturating_mul(4)
            .max(RESCORE_AT_LEAST)
            .min(matches.len());
        if keep < matches.len() {
            matches.select_nth_unstable_by(keep, order);
        }
        let mut top: Vec<(u32, i64)> = matches[..keep]
            .iter()
            .map(|&(i, score)| {
                if score / TIER_WIDTH == TIER_FUZZY && !q.is_empty() {
                    (i, self.rescore(i, q))
                } else {
                    (i, score)
                }
            })
            .collect();
        top.sort_by(order);
        top.truncate(limit);
        top
    }
}

/// [`quick_score`] over bytes, for ASCII queries (exact on UTF-8: multi-byte sequences hold
/// no ASCII bytes). Jumps from one wanted byte to the next with `memchr`; the score is the
/// same as walking byte by byte.
fn quick_score_bytes(part: &[u8], q: &[u8]) -> Option<i64> {
    let mut score = 0i64;
    let mut from = 0usize;
    for (k, &w) in q.iter().enumerate() {
        let pos = from + memchr::memchr(w, part.get(from..)?)?;
        let gap = i64::try_from(pos - from).unwrap_or(i64::MAX);
        let consecutive = k > 0 && gap == 0;
        score += 16 + if consecutive { 12 } else { 0 } + if pos == 0 { 8 } else { 0 } - gap.min(8);
        from = pos + 1;
    }
    Some(score.max(1))
}

/// A cheap fuzzy score: the greedy leftmost subsequence match of `q` in `part`, rewarding
/// consecutive characters and a match at the start, penalising gaps. `None` if no match.
pub fn quick_score(part: &str, q: &str) -> Option<i64> {
    if q.is_ascii() {
        return quick_score_bytes(part.as_bytes(), q.as_bytes());
    }
    quick_score_chars(part, q)
}

/// [`quick_score`] character by character (any query).
fn quick_score_chars(part: &str, q: &str) -> Option<i64> {
    let mut wanted = q.chars().peekable();
    let mut score = 0i64;
    let mut previous_matched = false;
    let mut gap = 0i64;
    for (i, c) in part.chars().enumerate() {
        let Some(&w) = wanted.peek() else { break };
        if c == w {
            score += 16 + if previous_matched { 12 } else { 0 } + if i == 0 { 8 } else { 0 }
                - gap.min(8);
            previous_matched = true;
            gap = 0;
            wanted.next();
        } else {
            previous_matched = false;
            gap += 1;
        }
    }
    wanted.peek().is_none().then_some(score.max(1))
}

/// A search session: remembers the last query's matches to narrow the next one.
pub struct Searcher {
    last: Option<(Query, Vec<u32>)>,
}

impl Default for Searcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Searcher {
    /// A session with no history.
    pub fn new() -> Self {
        Self { last: None }
    }

    /// Forgets the previous matches (after the index was rebuilt).
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// Runs `query`, best first, at most `limit` hits; `None` if `cancel` was raised.
    pub fn search(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        limit: usize,
        cancel: &AtomicBool,
    ) -> Option<Vec<Hit>> {
        let narrowed = match &self.last {
            Some((prev, matched))
                if prev.same_filters(query)
                    && !prev.text.is_empty()
                    && query.text.starts_with(&prev.text) =>
            {
                Some(matched.as_slice())
            }
            _ => None,
        };
        let mut matches = index.scan(query, narrowed, cancel)?;
        self.last = Some((query.clone(), matches.iter().map(|m| m.0).collect()));
        let top = index.top(&mut matches, &query.text, limit);
        Some(top.into_iter().filter_map(|m| index.hit(m)).collect())
    }
}

/// One-shot search (the CLI): builds nothing incremental.
pub fn search(index: &SearchIndex, query: &Query, limit: usize) -> Vec<Hit> {
    Searcher::new()
        .search(index, query, limit, &AtomicBool::new(false))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_split_over_threads_equals_one_scan() {
        let index = SearchIndex::build(&crate::sample::elements_only(30));
        assert!(index.len() >= 2 * PARALLEL_AT, "large enough to split");
        let cancel = AtomicBool::new(false);
        for q in ["s", "sfz", "dz", "号码", "kind:mobile dh"] {
            let query = Query::parse(q).unwrap();
            let split = index.scan(&query, None, &cancel).unwrap();
            let whole = index
                .scan_range(&query, None, 0..index.len(), &cancel)
                .unwrap();
            assert_eq!(split, whole, "{q}");
            assert!(!whole.is_empty(), "{q} matches something");
            let candidates: Vec<u32> = whole.iter().map(|m| m.0).collect();
            let narrowed = Query::parse(&format!("{q}h")).unwrap();
            assert_eq!(
                index.scan(&narrowed, Some(&candidates), &cancel),
                index.scan_range(&narrowed, Some(&candidates), 0..candidates.len(), &cancel),
            );
        }
        cancel.store(true, Ordering::Relaxed);
        assert_eq!(index.scan(&Query::parse("s").unwrap(), None, &cancel), None);
    }

    #[test]
    fn the_byte_jumping_score_equals_the_char_walk() {
        let mut rng = fastrand::Rng::with_seed(7);
        let word = |rng: &mut fastrand::Rng, n: usize| -> String {
            (0..rng.usize(0..n)).map(|_| rng.char('a'..='e')).collect()
        };
        for _ in 0..20_000 {
            let part = word(&mut rng, 24);
            let q = word(&mut rng, 5);
            assert_eq!(
                quick_score_bytes(part.as_bytes(), q.as_bytes()),
                quick_score_chars(&part, &q),
                "{part:?} {q:?}"
            );
            let naive = {
                let mut wanted = q.chars().peekable();
                for c in part.chars() {
                    if wanted.peek() == Some(&c) {
                        wanted.next();
                    }
                }
                wanted.peek().is_none()
            };
            assert_eq!(is_subsequence(&part, &q), naive, "{part:?} {q:?}");
        }
    }
}
