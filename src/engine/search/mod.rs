//! Element search: fuzzy over one key per element (code, name, synonyms, full pinyin and
//! pinyin initials), with `kind:` / `status:` / `agency:` filters.
//!
//! Ranking: exact code > exact name or a reading of it > exact synonym or a reading of one >
//! prefix > fuzzy score; ties by use count, then code. A query that extends the previous one (same filters) searches
//! only the previous hits. The scan checks a cancel flag, so a newer keystroke never
//! waits for a stale search.

mod arena;
mod keys;
mod matcher;
mod query;
#[cfg(test)]
mod reference;
mod row;
mod text;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::model::{Catalog, Status};

pub use arena::{
    ENTRY_BYTES, Entry, LatinBuf, SearchData, SearchDataBuilder, Strings, bloom, pair_bit,
};
pub(crate) use arena::{code_hash, entry_of_row, ranks_before};
pub use keys::{Key, SEP, build_key, readings, usual_reading};
pub use matcher::{Matcher, Skim, is_subsequence};
pub use query::{Query, QueryError};
pub use row::{SearchRow, agency_text, data_of, row_in, rows, uses};
pub use text::Batch;

/// How many entries are scanned between two looks at the cancel flag.
const CHUNK: usize = 4096;
/// The first chunk of candidates a narrowed search tests; each next chunk is twice as large.
/// Small in tests, so that the property test against the reference crosses chunk ends.
const NARROW_FIRST: usize = if cfg!(test) { 16 } else { CHUNK };
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

/// A match as one integer: the score in the high half, the entry's index inverted in the low
/// half. Entries are held in rank order, so a larger key is a better hit, ties included.
type Ranked = u64;

fn pack(i: u32, score: i64) -> Ranked {
    let score = u64::try_from(score.clamp(0, i64::from(u32::MAX))).unwrap_or(0);
    score << 32 | u64::from(u32::MAX - i)
}

fn unpack(key: Ranked) -> (u32, i64) {
    // the low half is the inverted index, the high half the score: both fit
    #[allow(clippy::cast_possible_truncation)]
    let low = key as u32;
    (u32::MAX - low, i64::try_from(key >> 32).unwrap_or(0))
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Element code.
    pub code: String,
    /// Element name.
    pub name: String,
    /// Element kind (interchange spelling).
    pub kind: &'static str,
    /// Rank score, higher first: tier × 1,000,000 + fuzzy score (+ 1 for an exact name over
    /// an exact synonym).
    pub score: i64,
    /// How many form fields use the element.
    pub uses: usize,
    /// The element's workflow state.
    pub status: Status,
}

/// A query made ready for a scan: what every entry is tested against.
struct Prepared<'q> {
    query: &'q Query,
    /// Latin letters match the readings, anything else the names.
    ascii: bool,
    /// The bloom bits an entry needs to match the text (see [`Entry::bloom`]).
    need: u64,
    /// For `agency:`, whether each interned agency passes.
    agencies: Option<Vec<bool>>,
}

/// The search index over every element of a catalog.
pub struct SearchIndex {
    data: SearchData,
    matcher: Box<dyn Matcher>,
    /// Whether some code holds a non-ASCII character (see [`Raise`]).
    non_ascii_codes: bool,
}

impl SearchIndex {
    /// Builds the index of a catalog with the default matcher.
    pub fn build(catalog: &Catalog) -> Self {
        Self::from_data(data_of(catalog))
    }

    /// Builds the index from stored rows with the default matcher.
    pub fn from_rows(rows: impl IntoIterator<Item = SearchRow>) -> Self {
        Self::from_data(SearchData::from_rows(rows))
    }

    /// The index over data read back (see [`SearchIndex::data`]), with the default matcher.
    pub fn from_data(data: SearchData) -> Self {
        Self::with_matcher(data, Box::new(Skim))
    }

    /// The index over `data` with a given matcher.
    pub fn with_matcher(data: SearchData, matcher: Box<dyn Matcher>) -> Self {
        let non_ascii_codes = data.has_non_ascii_code();
        Self {
            data,
            matcher,
            non_ascii_codes,
        }
    }

    /// What the index holds, to be written to disk and read back with
    /// [`SearchIndex::from_data`].
    pub fn data(&self) -> &SearchData {
        &self.data
    }

    /// Brings the index up to date with rows the store changed, by code (`None`: removed),
    /// in place (see [`SearchData::patch`]); an error leaves it as it was.
    pub fn patch(&mut self, changes: &BTreeMap<String, Option<SearchRow>>) -> std::io::Result<()> {
        self.data.patch(changes)?;
        // a removed code may leave this true: it only turns off a shortcut
        self.non_ascii_codes |= changes.keys().any(|code| !code.is_ascii());
        Ok(())
    }

    /// Sets the use counts of the elements `uses` names, in place (see
    /// [`SearchData::set_uses`]).
    pub fn set_uses(&mut self, uses: &BTreeMap<String, u32>) {
        self.data.set_uses(uses);
    }

    fn entries(&self) -> &[Entry] {
        self.data.entries()
    }

    /// Number of elements indexed.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    fn prepare<'q>(&self, query: &'q Query) -> Prepared<'q> {
        let ascii = query.text.is_ascii();
        let bits = bloom(&query.text);
        Prepared {
            query,
            ascii,
            need: if ascii { bits } else { bits << 32 },
            agencies: query.agency.as_ref().map(|wanted| {
                self.data
                    .agencies()
                    .iter()
                    .map(|a| a.contains(wanted.as_str()))
                    .collect()
            }),
        }
    }

    /// The combined score of an entry (with its strings) for a query, or `None` if it does
    /// not match.
    fn rank(entry: &Entry, s: &Strings, p: &Prepared, latin: &mut LatinBuf) -> Option<i64> {
        let query = p.query;
        if query.kind.is_some_and(|k| k != entry.kind)
            || query.status.is_some_and(|s| s != entry.status)
        {
            return None;
        }
        if let Some(ok) = &p.agencies
            && !entry
                .agency()
                .is_some_and(|a| ok.get(a as usize).copied().unwrap_or(false))
        {
            return None;
        }
        let q = query.text.as_str();
        if q.is_empty() {
            return Some(0);
        }
        if s.code_bytes().eq_ignore_ascii_case(q.as_bytes()) {
            return Some(TIER_CODE * TIER_WIDTH);
        }
        if entry.bloom & p.need != p.need {
            return None;
        }
        if p.ascii {
            return rank_bytes(s.latin_bytes(latin), q.as_bytes());
        }
        let haystack = s.names();
        if !is_subsequence(haystack, q) {
            return None;
        }
        // phase 1: tiers and a cheap subsequence score; the matcher re-scores the best later
        let mut best = None;
        let mut prefix = false;
        for (i, part) in haystack.split(SEP).enumerate() {
            if part == q {
                // the first part is the element's own name
                return Some(exact(i == 0));
            }
            prefix |= part.starts_with(q);
            if !prefix && let Some(score) = quick_score_chars(part, q) {
                best = best.max(Some(score));
            }
        }
        tier_of(prefix, best)
    }

    /// Phase 2: the matcher's score of an entry's best part (fuzzy tier only).
    fn rescore(&self, s: &Strings, q: &str, buf: &mut LatinBuf) -> i64 {
        let haystack = if q.is_ascii() {
            std::str::from_utf8(s.latin_bytes(buf)).unwrap_or("")
        } else {
            s.names()
        };
        let best = haystack
            .split(SEP)
            .filter(|part| is_subsequence(part, q))
            .filter_map(|part| self.matcher.score(part, q))
            .max()
            .unwrap_or(0);
        TIER_FUZZY * TIER_WIDTH + best.clamp(0, TIER_WIDTH - 1)
    }

    /// Scans `candidates` (all entries when `None`); `None` if cancelled. Returns every
    /// match in candidate order. A large scan is split over the machine's cores (up to
    /// [`MAX_THREADS`]); the result does not depend on how.
    fn scan(
        &self,
        p: &Prepared,
        candidates: Option<&[u32]>,
        cancel: &AtomicBool,
    ) -> Option<Vec<Ranked>> {
        let total = candidates.map_or(self.entries().len(), <[u32]>::len);
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(MAX_THREADS);
        if threads < 2 || total < PARALLEL_AT {
            return self.scan_range(p, candidates, 0..total, cancel);
        }
        let per = total.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let range = (t * per).min(total)..((t + 1) * per).min(total);
                    scope.spawn(move || self.scan_range(p, candidates, range, cancel))
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
        p: &Prepared,
        candidates: Option<&[u32]>,
        range: std::ops::Range<usize>,
        cancel: &AtomicBool,
    ) -> Option<Vec<Ranked>> {
        let mut out = Vec::new();
        let mut batch = Batch::default();
        let mut latin = LatinBuf::default();
        let mut ids: Vec<u32> = Vec::with_capacity(CHUNK);
        let mut start = range.start;
        while start < range.end {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let end = (start + CHUNK).min(range.end);
            ids.clear();
            match candidates {
                Some(list) => ids.extend_from_slice(list.get(start..end).unwrap_or_default()),
                None => ids.extend((start..end).filter_map(|i| u32::try_from(i).ok())),
            }
            self.data.visit(&ids, &mut batch, |i, entry, s| {
                if let Some(score) = Self::rank(entry, &s, p, &mut latin) {
                    out.push(pack(i, score));
                }
            });
            start = end;
        }
        Some(out)
    }

    /// The hits of `matches`, in their order.
    fn hits(&self, matches: &[Ranked]) -> Vec<Hit> {
        let ids: Vec<u32> = matches.iter().map(|&m| unpack(m).0).collect();
        let mut hits = Vec::with_capacity(matches.len());
        let mut scores = matches.iter().map(|&m| unpack(m).1);
        self.data.visit(&ids, &mut Batch::default(), |_, e, s| {
            hits.push(Hit {
                code: s.code().to_string(),
                name: s.name().to_string(),
                kind: e.kind.as_str(),
                score: scores.next().unwrap_or(0),
                uses: e.uses as usize,
                status: e.status,
            });
        });
        hits
    }

    /// The best `limit` matches, best first: a partial selection by the phase-1 score, then
    /// the fuzzy-tier candidates among the best few hundred re-scored by the matcher.
    fn top(&self, matches: &mut [Ranked], q: &str, limit: usize) -> Vec<Ranked> {
        let keep = limit
            .saturating_mul(4)
            .max(RESCORE_AT_LEAST)
            .min(matches.len());
        if keep < matches.len() {
            matches.select_nth_unstable_by(keep, |a, b| b.cmp(a));
        }
        let (fuzzy, mut top): (Vec<Ranked>, Vec<Ranked>) = matches[..keep]
            .iter()
            .partition(|&&key| unpack(key).1 / TIER_WIDTH == TIER_FUZZY && !q.is_empty());
        let ids: Vec<u32> = fuzzy.iter().map(|&key| unpack(key).0).collect();
        let mut buf = LatinBuf::default();
        self.data.visit(&ids, &mut Batch::default(), |i, _, s| {
            top.push(pack(i, self.rescore(&s, q, &mut buf)));
        });
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.truncate(limit);
        top
    }
}

/// The score of an entry one of whose parts equals the query: the element's own name (or a
/// reading of it) ranks above a synonym (or a reading of one) — `姓名` and `xm` find the
/// element named 姓名 before the one that merely has the synonym 姓名.
fn exact(own_name: bool) -> i64 {
    TIER_NAME * TIER_WIDTH + i64::from(own_name)
}

/// The tier of an entry none of whose parts equals the query: prefix when one starts with it,
/// else fuzzy with the best part's score.
fn tier_of(prefix: bool, best: Option<i64>) -> Option<i64> {
    if prefix {
        return Some(TIER_PREFIX * TIER_WIDTH);
    }
    best.map(|s| TIER_FUZZY * TIER_WIDTH + s.clamp(0, TIER_WIDTH - 1))
}

/// Phase 1 of an ASCII query against the [`SEP`]-separated readings, over bytes (exact on
/// UTF-8: multi-byte sequences hold no ASCII bytes). A part shorter than the query can
/// neither equal it, start with it nor hold it, and is skipped at once.
fn rank_bytes(haystack: &[u8], q: &[u8]) -> Option<i64> {
    if !matcher::is_subsequence_bytes(haystack, q) {
        return None;
    }
    let mut best = None;
    let mut prefix = false;
    let first = q.first().copied();
    // the code and the name's readings come first; an empty part ends them
    let mut own_name = true;
    for part in haystack.split(|&b| b == SEP as u8) {
        if part.len() < q.len() {
            own_name &= !part.is_empty();
            continue;
        }
        // the first byte decides most parts without a call to memcmp
        if part.first().copied() == first && part.starts_with(q) {
            if part.len() == q.len() {
                return Some(exact(own_name));
            }
            prefix = true;
        } else if !prefix && let Some(score) = quick_score_bytes(part, q) {
            best = best.max(Some(score));
        }
    }
    tier_of(prefix, best)
}

/// [`quick_score`] over bytes, for ASCII queries (exact on UTF-8: multi-byte sequences hold
/// no ASCII bytes). Jumps from one wanted byte to the next; the score is the same as walking
/// character by character.
fn quick_score_bytes(part: &[u8], q: &[u8]) -> Option<i64> {
    let mut score = 0i64;
    let mut from = 0usize;
    for (k, &w) in q.iter().enumerate() {
        // parts are short: a plain loop beats a call to memchr
        let pos = from + part.get(from..)?.iter().position(|&b| b == w)?;
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
    /// The last query and its candidates: every match, and perhaps entries not yet ruled
    /// out, each with an upper bound of its score, best bound first.
    last: Option<(Query, Vec<Ranked>)>,
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
    ///
    /// A query that extends the previous one tests only the previous candidates, best bound
    /// first, and stops once no candidate left can reach the best few hundred: those stay
    /// candidates, with their bounds raised, for the next key.
    pub fn search(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        limit: usize,
        cancel: &AtomicBool,
    ) -> Option<Vec<Hit>> {
        let want = limit.saturating_mul(4).max(RESCORE_AT_LEAST);
        let p = index.prepare(query);
        let (mut found, rest) = match &self.last {
            Some((prev, candidates))
                if prev.same_filters(query)
                    && !prev.text.is_empty()
                    && query.text.starts_with(&prev.text) =>
            {
                let raise = index.raise(&prev.text, &query.text);
                index.narrow(&p, candidates, raise, want, cancel)?
            }
            _ => (index.scan(&p, None, cancel)?, Vec::new()),
        };
        let top = index.top(&mut found, &query.text, limit);
        self.last = if query.text.is_empty() {
            // nothing narrows an empty query: no need to keep (and sort) every entry
            None
        } else {
            found.sort_unstable_by(|a, b| b.cmp(a));
            Some((query.clone(), merge_by_bound(found, rest)))
        };
        Some(index.hits(&top))
    }
}

/// How the score bound of a candidate grows when the query grows.
#[derive(Clone, Copy, Debug)]
struct Raise {
    /// Characters added to the query.
    added: i64,
    /// Whether a fuzzy-tier bound stays a fuzzy-tier bound (same haystack, and no code
    /// the longer query could equal that the shorter did not start).
    fuzzy_stays: bool,
}

impl Raise {
    /// The bound of a candidate for the longer query, from its bound for the shorter.
    ///
    /// A part matching the longer query matches the shorter one with the same leftmost
    /// positions, and each added character scores at most 16 + 12 (it is never at position
    /// 0): so a fuzzy score grows by at most 28 per added character. A part that equals or
    /// starts with the longer query (or a code that equals it) starts with the shorter one,
    /// so a candidate that was fuzzy stays fuzzy.
    fn bound(self, score: i64) -> i64 {
        if !self.fuzzy_stays || score >= TIER_PREFIX * TIER_WIDTH {
            return TIER_CODE * TIER_WIDTH;
        }
        (score + 28 * self.added).min(TIER_FUZZY * TIER_WIDTH + TIER_WIDTH - 1)
    }
}

/// Merges two lists each ordered by descending score half into one.
fn merge_by_bound(a: Vec<Ranked>, b: Vec<Ranked>) -> Vec<Ranked> {
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&x), Some(&y)) if x >> 32 >= y >> 32 => a.next(),
            (_, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

impl SearchIndex {
    /// How bounds grow from query `prev` to `next` (which starts with it).
    fn raise(&self, prev: &str, next: &str) -> Raise {
        let added = next.chars().count().saturating_sub(prev.chars().count());
        Raise {
            added: i64::try_from(added).unwrap_or(i64::MAX / 64),
            // a non-ASCII code is not among the readings: only ASCII queries can rely on it
            fuzzy_stays: prev.is_ascii() == next.is_ascii()
                && (next.is_ascii() || !self.non_ascii_codes),
        }
    }

    /// The candidates with their bounds for the longer query, best first. A candidate that
    /// could have equalled or started the shorter query gets the top bound, unless (for a
    /// Latin query) none of its parts starts with the longer query's first two bytes: then
    /// it can at best be fuzzy, every character consecutive from the start of a part.
    fn raised(&self, p: &Prepared, candidates: &[Ranked], raise: Raise) -> Vec<Ranked> {
        let q = p.query.text.as_bytes();
        let top = candidates.partition_point(|&k| unpack(k).1 >= TIER_PREFIX * TIER_WIDTH);
        let (high, low) = candidates.split_at(top);
        let with = |bound: i64| move |&k: &Ranked| pack(unpack(k).0, bound);
        let raised = |&k: &Ranked| pack(unpack(k).0, raise.bound(unpack(k).1));
        let mut out: Vec<Ranked> = Vec::with_capacity(candidates.len());
        match q {
            [a, b, ..] if raise.fuzzy_stays && p.ascii => {
                let bit = pair_bit(*a, *b);
                let chars = i64::try_from(q.len()).unwrap_or(TIER_WIDTH);
                let best_fuzzy =
                    TIER_FUZZY * TIER_WIDTH + (24 + 28 * (chars - 1)).min(TIER_WIDTH - 1);
                let entries = self.entries();
                let may_start = |k: &&Ranked| {
                    entries
                        .get(unpack(**k).0 as usize)
                        .is_none_or(|e| e.starts & bit != 0)
                };
                // one pass over the entries (they are looked up in bound order, not in place)
                let (may, may_not): (Vec<Ranked>, Vec<Ranked>) =
                    high.iter().partition(|k| may_start(k));
                out.extend(may.iter().map(with(TIER_CODE * TIER_WIDTH)));
                out.extend(may_not.iter().map(with(best_fuzzy)));
            }
            _ => out.extend(high.iter().map(raised)),
        }
        out.extend(low.iter().map(raised));
        out
    }

    /// Tests `candidates` (best bound first, bounds for the shorter query) in growing chunks
    /// until the best `want` matches found so far beat every bound left. Returns the matches
    /// found and the untested candidates with their bounds for this query (still best
    /// first); `None` if cancelled.
    fn narrow(
        &self,
        p: &Prepared,
        candidates: &[Ranked],
        raise: Raise,
        want: usize,
        cancel: &AtomicBool,
    ) -> Option<(Vec<Ranked>, Vec<Ranked>)> {
        let candidates = self.raised(p, candidates, raise);
        let mut found: Vec<Ranked> = Vec::new();
        let mut pos = 0;
        let mut chunk = NARROW_FIRST;
        let mut ids: Vec<u32> = Vec::new();
        while pos < candidates.len() {
            if found.len() >= want
                && let Some(&next) = candidates.get(pos)
            {
                let mut scratch = found.clone();
                let (_, &mut threshold, _) =
                    scratch.select_nth_unstable_by(want - 1, |a, b| b.cmp(a));
                if unpack(next).1 < unpack(threshold).1 {
                    break;
                }
            }
            let end = pos.saturating_add(chunk).min(candidates.len());
            ids.clear();
            ids.extend(candidates[pos..end].iter().map(|&k| unpack(k).0));
            found.extend(self.scan(p, Some(&ids), cancel)?);
            pos = end;
            chunk = chunk.saturating_mul(2);
        }
        let rest = candidates[pos..].to_vec();
        Some((found, rest))
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
            let p = index.prepare(&query);
            let split = index.scan(&p, None, &cancel).unwrap();
            let whole = index.scan_range(&p, None, 0..index.len(), &cancel).unwrap();
            assert_eq!(split, whole, "{q}");
            assert!(!whole.is_empty(), "{q} matches something");
            let candidates: Vec<u32> = whole.iter().map(|&m| unpack(m).0).collect();
            let narrowed = Query::parse(&format!("{q}h")).unwrap();
            let p = index.prepare(&narrowed);
            assert_eq!(
                index.scan(&p, Some(&candidates), &cancel),
                index.scan_range(&p, Some(&candidates), 0..candidates.len(), &cancel),
            );
        }
        cancel.store(true, Ordering::Relaxed);
        let s = Query::parse("s").unwrap();
        assert_eq!(index.scan(&index.prepare(&s), None, &cancel), None);
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
