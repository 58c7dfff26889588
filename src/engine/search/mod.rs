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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::model::{Catalog, Status};

pub use arena::{
    ENTRY_BYTES, Entry, LatinBuf, SearchData, SearchDataBuilder, Strings, bloom, exact_bit,
    pair_bit,
};
pub(crate) use arena::{byte_slot, code_hash, entry_of_row, ranks_before};
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
/// A narrowed search's chunks grow to this many candidates (a smaller last chunk stops
/// sooner; each chunk's scan starts its threads anew).
const NARROW_MOST: usize = NARROW_FIRST * 16;
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

/// Which characters come right after an entry's match of a query, in any of its parts: one
/// bit each, as the low half of [`bloom`] maps them. A longer query whose first added
/// character is not among them cannot equal or start any part of the entry, and that
/// character scores at most 15 in every part (16 less a gap of at least one: it is not next
/// to the match, which the longer query's greedy match extends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Follows(u32);

impl Follows {
    const NONE: Follows = Follows(0);
    /// Nothing known: every character may follow.
    const ANY: Follows = Follows(u32::MAX);

    fn bit(c: char) -> u32 {
        u32::try_from(bloom(c.encode_utf8(&mut [0; 4]))).unwrap_or(u32::MAX)
    }

    fn add_byte(&mut self, b: Option<u8>) {
        if let Some(b) = b {
            self.0 |= 1 << byte_slot(b);
        }
    }

    /// Adds the byte after every occurrence of the query's last byte in `rest` (readings,
    /// [`SEP`]-separated): every byte that follows a match of the query in one of its parts,
    /// and perhaps more.
    fn add_after_each(&mut self, q: &[u8], rest: &[u8]) {
        let Some(&last) = q.last() else {
            return;
        };
        for at in memchr::memchr_iter(last, rest) {
            self.add_byte(rest.get(at + 1).copied().filter(|&b| b != SEP as u8));
        }
    }

    fn add_char(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.0 |= Self::bit(c);
        }
    }

    fn holds(self, c: char) -> bool {
        self.0 & Self::bit(c) != 0
    }
}

/// What a scan found: every match in candidate order, and the [`Follows`] of each.
#[derive(Debug, Default, PartialEq, Eq)]
struct Scanned {
    ranked: Vec<Ranked>,
    follows: Vec<Follows>,
}

impl Scanned {
    /// Appends `other`; into nothing, it is taken as it is (a scan's parts are megabytes:
    /// copied, the first one would be held twice).
    fn extend(&mut self, other: Scanned) {
        if self.ranked.is_empty() {
            *self = other;
            return;
        }
        self.ranked.extend(other.ranked);
        self.follows.extend(other.follows);
    }
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
    /// Whether some code holds a character outside ASCII (see [`SearchIndex`]).
    non_ascii_codes: bool,
}

impl Prepared<'_> {
    /// Whether `entry` passes the query's `kind:`, `status:` and `agency:` filters.
    fn passes_filters(&self, entry: &Entry) -> bool {
        let query = self.query;
        query.kind.is_none_or(|k| k == entry.kind)
            && query.status.is_none_or(|s| s == entry.status)
            && self.agencies.as_ref().is_none_or(|ok| {
                (entry.agency()).is_some_and(|a| ok.get(a as usize).copied().unwrap_or(false))
            })
    }

    /// Whether `entry` may hold the query's text, told from its blooms and its code's head
    /// (see [`Entry::may_hold`]); an entry whose code equals the query does.
    fn may_hold(&self, entry: &Entry) -> bool {
        if self.ascii {
            entry.may_hold(self.query.text.as_bytes(), self.need)
        } else {
            entry.bloom & self.need == self.need
        }
    }

    /// Whether `entry` may match, told without reading its strings: it passes the filters,
    /// and it may hold the text or its code may equal it (a code outside ASCII, when some is
    /// and the query is too, is not known without reading it).
    fn may_match(&self, entry: &Entry) -> bool {
        self.passes_filters(entry)
            && (self.query.text.is_empty()
                || self.may_hold(entry)
                || (!self.ascii && self.non_ascii_codes))
    }
}

/// The search index over every element of a catalog.
pub struct SearchIndex {
    data: SearchData,
    matcher: Box<dyn Matcher>,
    /// Whether some code holds a non-ASCII character (see [`Raise`]).
    non_ascii_codes: bool,
    /// The entries' [`Heads`], by position: what a narrowed search looks up for every
    /// candidate (a million of them), in a fifth of the memory the entries take. Made for
    /// the first narrowed search (a one-shot search has none).
    heads: OnceLock<Vec<Heads>>,
}

/// An entry's [`Entry::starts`] and [`Entry::exact`], kept apart from the entry.
#[derive(Clone, Copy, Debug)]
struct Heads {
    starts: u32,
    exact: u32,
}

impl Heads {
    /// The heads of every entry, in order.
    fn of(entries: &[Entry]) -> Vec<Heads> {
        entries
            .iter()
            .map(|e| Heads {
                starts: e.starts,
                exact: e.exact,
            })
            .collect()
    }
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
            heads: OnceLock::new(),
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
        self.heads = OnceLock::new();
        // a removed code may leave this true: it only turns off a shortcut
        self.non_ascii_codes |= changes.keys().any(|code| !code.is_ascii());
        Ok(())
    }

    /// Sets the use counts of the elements `uses` names, in place (see
    /// [`SearchData::set_uses`]).
    pub fn set_uses(&mut self, uses: &BTreeMap<String, u32>) {
        self.data.set_uses(uses);
        self.heads = OnceLock::new();
    }

    fn entries(&self) -> &[Entry] {
        self.data.entries()
    }

    /// The entries' [`Heads`], made on the first call.
    fn heads(&self) -> &[Heads] {
        self.heads.get_or_init(|| Heads::of(self.entries()))
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
            non_ascii_codes: self.non_ascii_codes,
        }
    }

    /// The combined score of an entry (with its strings) that [`Prepared::may_match`] let
    /// through, or `None` if it does not match; with it, the entry's [`Follows`] of the query.
    fn rank(
        entry: &Entry,
        s: &Strings,
        p: &Prepared,
        latin: &mut LatinBuf,
    ) -> Option<(i64, Follows)> {
        let q = p.query.text.as_str();
        if q.is_empty() {
            return Some((0, Follows::ANY));
        }
        if s.code_bytes().eq_ignore_ascii_case(q.as_bytes()) {
            return Some((TIER_CODE * TIER_WIDTH, Follows::ANY));
        }
        if !p.may_hold(entry) {
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
        let (mut best, mut prefix, mut equal) = (None, false, None);
        let mut follows = Follows::NONE;
        for (i, part) in haystack.split(SEP).enumerate() {
            if let Some(rest) = part.strip_prefix(q) {
                // the first part is the element's own name
                if rest.is_empty() {
                    equal = equal.or(Some(exact(i == 0)));
                }
                prefix = true;
                follows.add_char(rest.chars().next());
            } else if let Some((score, next)) = quick_match_chars(part, q) {
                best = best.max(Some(score));
                follows.add_char(next);
            }
        }
        equal
            .or_else(|| tier_of(prefix, best))
            .map(|rank| (rank, follows))
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
    ) -> Option<Scanned> {
        let total = candidates.map_or(self.entries().len(), <[u32]>::len);
        let threads = scan_threads();
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
            let mut out = Scanned::default();
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
    ) -> Option<Scanned> {
        let mut out = Scanned::default();
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
            // an entry ruled out by what is in memory has its strings left unread
            let entries = self.entries();
            let may = |i: &u32| entries.get(*i as usize).is_some_and(|e| p.may_match(e));
            match candidates {
                Some(list) => ids.extend(
                    list.get(start..end)
                        .unwrap_or_default()
                        .iter()
                        .filter(|i| may(i)),
                ),
                None => ids.extend(
                    (start..end)
                        .filter_map(|i| u32::try_from(i).ok())
                        .filter(may),
                ),
            }
            self.data.visit(&ids, &mut batch, |i, entry, s| {
                if let Some((score, follows)) = Self::rank(entry, &s, p, &mut latin) {
                    out.ranked.push(pack(i, score));
                    out.follows.push(follows);
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

/// How many threads a large scan is split over: the machine's cores, up to [`MAX_THREADS`]
/// (asked once: the answer reads the process's cgroup files, and a narrowed search scans in
/// many chunks).
fn scan_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(MAX_THREADS)
    })
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
/// UTF-8: multi-byte sequences hold no ASCII bytes), with the entry's [`Follows`]. A part
/// shorter than the query can neither equal it, start with it nor hold it, and is skipped at
/// once.
fn rank_bytes(haystack: &[u8], q: &[u8]) -> Option<(i64, Follows)> {
    if !matcher::is_subsequence_bytes(haystack, q) {
        return None;
    }
    let (mut best, mut prefix, mut equal) = (None, false, None);
    let mut follows = Follows::NONE;
    let first = q.first().copied();
    // the code and the name's readings come first; an empty part ends them
    let mut own_name = true;
    let mut at = 0;
    for part in haystack.split(|&b| b == SEP as u8) {
        at += part.len() + 1;
        if part.len() < q.len() {
            own_name &= !part.is_empty();
            continue;
        }
        // the first byte decides most parts without a call to memcmp
        if part.first().copied() == first && part.starts_with(q) {
            if part.len() == q.len() {
                equal = equal.or(Some(exact(own_name)));
            }
            if !prefix {
                // the tier is settled: the later parts' follows are taken at once, more
                // of them than their matches have (see `Follows::add_after_each`)
                prefix = true;
                follows.add_after_each(q, haystack.get(at..).unwrap_or_default());
            }
            follows.add_byte(part.get(q.len()).copied());
        } else if !prefix && let Some((score, end)) = quick_match_bytes(part, q) {
            best = best.max(Some(score));
            follows.add_byte(part.get(end).copied());
        }
    }
    equal
        .or_else(|| tier_of(prefix, best))
        .map(|rank| (rank, follows))
}

/// [`quick_score`] over bytes, for ASCII queries (exact on UTF-8: multi-byte sequences hold
/// no ASCII bytes). Jumps from one wanted byte to the next; the score is the same as walking
/// character by character.
fn quick_score_bytes(part: &[u8], q: &[u8]) -> Option<i64> {
    quick_match_bytes(part, q).map(|(score, _)| score)
}

/// [`quick_score_bytes`], and where the match ends (the position after its last byte).
fn quick_match_bytes(part: &[u8], q: &[u8]) -> Option<(i64, usize)> {
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
    Some((score.max(1), from))
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
    quick_match_chars(part, q).map(|(score, _)| score)
}

/// [`quick_score_chars`], and the character right after the match (`None` at the part's end).
fn quick_match_chars(part: &str, q: &str) -> Option<(i64, Option<char>)> {
    let mut wanted = q.chars().peekable();
    let mut score = 0i64;
    let mut previous_matched = false;
    let mut gap = 0i64;
    let mut chars = part.chars().enumerate();
    for (i, c) in chars.by_ref() {
        let Some(&w) = wanted.peek() else { break };
        if c == w {
            score += 16 + if previous_matched { 12 } else { 0 } + if i == 0 { 8 } else { 0 }
                - gap.min(8);
            previous_matched = true;
            gap = 0;
            wanted.next();
            if wanted.peek().is_none() {
                return Some((score.max(1), chars.next().map(|(_, c)| c)));
            }
        } else {
            previous_matched = false;
            gap += 1;
        }
    }
    // (an empty query matches before the part's first character)
    q.is_empty().then(|| (score.max(1), part.chars().next()))
}

/// A search session: remembers the last query's matches to narrow the next one.
pub struct Searcher {
    /// The last query and its candidates: every match, and perhaps entries not yet ruled
    /// out, each with an upper bound of its score, best bound first.
    last: Option<(Query, Candidates)>,
    /// By entry, what follows the last query's match in it ([`Follows::ANY`] for the
    /// candidates not tested); only the candidates' are read.
    follows: Vec<Follows>,
    /// The entries whose follows are set (the last query's matches).
    noted: Vec<u32>,
    /// The candidates of an earlier query, kept for their memory: the next narrowed search
    /// writes its candidates there (a million of them are 8 MB).
    spare: Vec<Ranked>,
}

impl Default for Searcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Searcher {
    /// A session with no history.
    pub fn new() -> Self {
        Self {
            last: None,
            follows: Vec::new(),
            noted: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Forgets the previous matches (after the index was rebuilt).
    pub fn reset(&mut self) {
        self.last = None;
        self.follows = Vec::new();
        self.noted = Vec::new();
        self.spare = Vec::new();
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
        let (found, rest, put_off) = match &self.last {
            Some((prev, last))
                if prev.same_filters(query)
                    && !prev.text.is_empty()
                    && query.text.starts_with(&prev.text) =>
            {
                let raise = index.raise(&prev.text, &query.text);
                let list = std::mem::take(&mut self.spare);
                let shorter = Shorter {
                    candidates: last.untested(),
                    follows: &self.follows,
                    raise,
                };
                index.narrow(&p, shorter, want, cancel, list)?
            }
            _ => (
                index.scan(&p, None, cancel)?,
                Candidates::default(),
                Vec::new(),
            ),
        };
        let Scanned {
            ranked: mut found,
            follows,
        } = found;
        if query.text.is_empty() {
            // nothing narrows an empty query: no need to keep (and sort) every entry
            self.last = None;
        } else {
            self.note_follows(index.len(), &found, &follows);
        }
        let top = index.top(&mut found, &query.text, limit);
        if !query.text.is_empty() {
            found.sort_unstable_by(|a, b| b.cmp(a));
            let last = (query.clone(), rest.merged(found, put_off));
            if let Some((_, old)) = self.last.replace(last) {
                self.spare = old.list;
                self.spare.clear();
            }
        }
        Some(index.hits(&top))
    }

    /// Keeps what follows this query's match in each entry it `found`; nothing is known of
    /// the others (those the last query found are set back to [`Follows::ANY`]: the
    /// candidates left untested are among them or were never set).
    fn note_follows(&mut self, entries: usize, found: &[Ranked], follows: &[Follows]) {
        if self.follows.len() != entries {
            self.follows = vec![Follows::ANY; entries];
            self.noted.clear();
        }
        for &i in &self.noted {
            if let Some(slot) = self.follows.get_mut(i as usize) {
                *slot = Follows::ANY;
            }
        }
        self.noted.clear();
        for (&k, &f) in found.iter().zip(follows) {
            let i = unpack(k).0;
            if let Some(slot) = self.follows.get_mut(i as usize) {
                *slot = f;
                self.noted.push(i);
            }
        }
    }
}

/// How the score bound of a candidate grows when the query grows.
#[derive(Clone, Copy, Debug)]
struct Raise {
    /// Characters added to the query.
    added: i64,
    /// Characters of the shorter query.
    shorter: i64,
    /// The first character added.
    next: Option<char>,
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

    /// The bound for the longer query of a candidate that scored `score` for the shorter
    /// one and whose [`Follows`] lack the first added character: fuzzy, that character 15
    /// more at best and each later one 28 (a prefix or exact part scored the most any part
    /// can, 24 for the first character and 28 for each next).
    fn unfollowed(self, score: i64) -> i64 {
        let base = if score >= TIER_PREFIX * TIER_WIDTH {
            24 + 28 * (self.shorter - 1)
        } else {
            score - TIER_FUZZY * TIER_WIDTH
        };
        TIER_FUZZY * TIER_WIDTH + (base + 15 + 28 * (self.added - 1)).clamp(0, TIER_WIDTH - 1)
    }
}

/// The most an entry none of whose parts starts with a Latin query's first two bytes can
/// score for it (`len` bytes): fuzzy, the first byte at position 1 or later (15) and each
/// next 28, or the second byte not next to the first at position 0 (24 + 15, less).
fn unstarted_most(len: usize) -> i64 {
    let len = i64::try_from(len).unwrap_or(TIER_WIDTH);
    TIER_FUZZY * TIER_WIDTH + (15 + 28 * (len - 1)).min(TIER_WIDTH - 1)
}

/// Merges two lists each ordered by descending score half into one, ties in rank order where
/// each list has them so (no entry is in both). In the larger list's memory, from the back.
fn merge_by_bound(a: Vec<Ranked>, b: Vec<Ranked>) -> Vec<Ranked> {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let (mut i, mut j) = (big.len(), small.len());
    big.resize(i + j, 0);
    // the least of the two lists' last goes last; once the small one is in, the rest of the
    // big one is in place
    while let Some(&y) = j.checked_sub(1).and_then(|at| small.get(at)) {
        let x = i.checked_sub(1).and_then(|at| big.get(at)).copied();
        let last = match x {
            Some(x) if x < y => {
                i -= 1;
                x
            }
            _ => {
                j -= 1;
                y
            }
        };
        if let Some(slot) = big.get_mut(i + j) {
            *slot = last;
        }
    }
    big
}

/// Candidates with their bounds, best first: those of `list` from position `from` (those
/// before it were tested, their place free).
#[derive(Default)]
struct Candidates {
    list: Vec<Ranked>,
    from: usize,
}

impl Candidates {
    /// The candidates.
    fn untested(&self) -> &[Ranked] {
        self.list.get(self.from..).unwrap_or_default()
    }

    /// The candidates, `a` and `b` (each best first, no entry in two of them), merged by
    /// bound. When there is room before `from`, in place, from the front: only candidates
    /// that rank before the last of `a` and `b` move, a run at a time.
    fn merged(self, a: Vec<Ranked>, b: Vec<Ranked>) -> Candidates {
        let Candidates { mut list, from } = self;
        let Some(start) = from.checked_sub(a.len() + b.len()) else {
            list.drain(..from);
            return Candidates {
                list: merge_by_bound(list, merge_by_bound(a, b)),
                from: 0,
            };
        };
        let (mut write, mut read) = (start, from);
        let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
        loop {
            let y = match (a.peek(), b.peek()) {
                (Some(x), Some(z)) if x > z => a.next(),
                (_, Some(_)) => b.next(),
                _ => a.next(),
            };
            let Some(y) = y else {
                break;
            };
            let run = leading_above(list.get(read..).unwrap_or_default(), y);
            if run > 0 {
                list.copy_within(read..read + run, write);
                (write, read) = (write + run, read + run);
            }
            if let Some(slot) = list.get_mut(write) {
                *slot = y;
            }
            write += 1;
        }
        Candidates { list, from: start }
    }
}

/// How many of `list` (best first) come before `y`: a search from the front in doubling
/// steps, as most runs are short.
fn leading_above(list: &[Ranked], y: Ranked) -> usize {
    let (mut at, mut step) = (0, 1);
    while list.get(at + step - 1).is_some_and(|&x| x > y) {
        at += step;
        step *= 2;
    }
    let block = list.get(at..list.len().min(at + step)).unwrap_or_default();
    at + block.partition_point(|&x| x > y)
}

/// Extends `list` with two sequences each ordered by descending score half, merged (as
/// [`merge_by_bound`] does).
fn extend_merged(
    list: &mut Vec<Ranked>,
    a: impl Iterator<Item = Ranked>,
    b: impl Iterator<Item = Ranked>,
) {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    while let (Some(&x), Some(&y)) = (a.peek(), b.peek()) {
        list.extend(if x >= y { a.next() } else { b.next() });
    }
    // (one of them is done)
    list.extend(a);
    list.extend(b);
}

/// What a narrowed search starts from: the shorter query's candidates, what follows its
/// match in each entry, and how the bounds grow.
struct Shorter<'a> {
    candidates: &'a [Ranked],
    follows: &'a [Follows],
    raise: Raise,
}

/// The candidates of a narrowed search with their bounds for the longer query, best first.
struct Raised {
    /// The candidates that may equal the longer query (bound by the top tier), in rank
    /// order: tested first, apart from the list (most keys have a few, the list a million).
    first: Vec<Ranked>,
    /// The other candidates.
    list: Vec<Ranked>,
    /// How many of the list come first that equalled or started the shorter query, perhaps
    /// with some that did not; the others that did are in the second run of ties (where the
    /// score for the shorter query is not known from the bound).
    high: usize,
    /// Two runs of candidates of one bound each, in rank order (so a tie with the best found
    /// so far that ranks after it cannot reach them), every candidate after a run bounded
    /// lower: those that may start the longer query but not equal it (the prefix tier), and
    /// those bounded by the most a fuzzy score can be (see [`unstarted_most`]).
    tie_runs: [std::ops::Range<usize>; 2],
}

impl SearchIndex {
    /// How bounds grow from query `prev` to `next` (which starts with it).
    fn raise(&self, prev: &str, next: &str) -> Raise {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX / 64);
        let shorter = prev.chars().count();
        Raise {
            added: count(next.chars().count().saturating_sub(shorter)),
            shorter: count(shorter),
            next: next
                .get(prev.len()..)
                .and_then(|added| added.chars().next()),
            // a non-ASCII code is not among the readings: only ASCII queries can rely on it
            fuzzy_stays: prev.is_ascii() == next.is_ascii()
                && (next.is_ascii() || !self.non_ascii_codes),
        }
    }

    /// The candidates with their bounds for the longer query, best first, as [`Raised`]. A
    /// candidate that could have equalled or started the shorter query gets the top bound,
    /// unless (for a Latin query) none of its parts starts with the longer query's first two
    /// bytes: then it is bounded by [`unstarted_most`]; or none can equal the longer query
    /// (see [`Entry::exact`]): then by the prefix tier.
    fn raised(
        &self,
        p: &Prepared,
        candidates: &[Ranked],
        raise: Raise,
        mut list: Vec<Ranked>,
    ) -> Raised {
        let q = p.query.text.as_bytes();
        let top = candidates.partition_point(|&k| unpack(k).1 >= TIER_PREFIX * TIER_WIDTH);
        let (high, low) = candidates.split_at(top);
        let with = |bound: i64| move |&k: &Ranked| pack(unpack(k).0, bound);
        let raised = |&k: &Ranked| pack(unpack(k).0, raise.bound(unpack(k).1));
        list.clear();
        list.reserve(candidates.len());
        match q {
            [a, b, ..] if raise.fuzzy_stays && p.ascii => {
                let (start, equal) = (pair_bit(*a, *b), exact_bit(q));
                let all = self.heads();
                let heads = |k: &Ranked| all.get(unpack(*k).0 as usize);
                let unstarted = |k: &&Ranked| heads(k).is_some_and(|h| h.starts & start == 0);
                let mut may_equal = Vec::new();
                // those that may start the query, most of them, go straight into the list
                // (the heads are looked up in bound order, not in place); the unstarted are
                // looked up again when their turn comes
                let mut sorted = true;
                for k in high {
                    match heads(k) {
                        Some(h) if h.starts & start == 0 => {}
                        Some(h) if h.exact & equal == 0 => {
                            let next = pack(unpack(*k).0, TIER_PREFIX * TIER_WIDTH);
                            sorted &= list.last().is_none_or(|&last| last > next);
                            list.push(next);
                        }
                        _ => may_equal.push(pack(unpack(*k).0, TIER_CODE * TIER_WIDTH)),
                    }
                }
                // one bound for all: in the order of the entries, as ties are ranked
                if !sorted {
                    list.sort_unstable_by(|a, b| b.cmp(a));
                }
                let prefix = 0..list.len();
                // the unstarted get the most a fuzzy score can be, and so may some of the
                // others: all of them put in the order of the entries
                let most = unstarted_most(q.len());
                let (above, tied) = (
                    low.partition_point(|&k| raise.bound(unpack(k).1) > most),
                    low.partition_point(|&k| raise.bound(unpack(k).1) >= most),
                );
                list.extend(low.get(..above).unwrap_or_default().iter().map(raised));
                let from = list.len();
                extend_merged(
                    &mut list,
                    high.iter().filter(unstarted).map(with(most)),
                    low.get(above..tied).unwrap_or_default().iter().map(raised),
                );
                let run = from..list.len();
                if let Some(ties) = list.get_mut(run.clone())
                    && !ties.is_sorted_by(|a, b| a >= b)
                {
                    ties.sort_unstable_by(|a, b| b.cmp(a));
                }
                list.extend(low.get(tied..).unwrap_or_default().iter().map(raised));
                return Raised {
                    high: top - may_equal.len(),
                    first: may_equal,
                    list,
                    tie_runs: [prefix, run],
                };
            }
            _ => list.extend(high.iter().map(raised)),
        }
        list.extend(low.iter().map(raised));
        Raised {
            first: Vec::new(),
            list,
            high: top,
            tie_runs: [0..0, 0..0],
        }
    }

    /// Tests the `shorter` query's candidates (best bound first, bounds for the shorter
    /// query), written anew into `list`, in growing chunks until the best `want` matches found
    /// so far beat every bound left (or tie with it, in a run of ties that rank after them: see
    /// [`Raised::tie_runs`]). Returns the matches found, the untested candidates with their
    /// bounds for this query (still best first, after the room the tested left) and those of
    /// the ones put off (best first); `None` if cancelled.
    ///
    /// A candidate met whose [`Follows`] lack the first added character is put off with the
    /// lower bound of [`Raise::unfollowed`]: those put off are best first too (the bound
    /// falls with the shorter query's score, as the candidates do), and are tested, merged
    /// with the others by bound, only while they can still reach the best.
    fn narrow(
        &self,
        p: &Prepared,
        shorter: Shorter,
        want: usize,
        cancel: &AtomicBool,
        list: Vec<Ranked>,
    ) -> Option<(Scanned, Candidates, Vec<Ranked>)> {
        let Shorter {
            candidates,
            follows,
            raise,
        } = shorter;
        let Raised {
            first,
            list: candidates,
            high,
            tie_runs,
        } = self.raised(p, candidates, raise, list);
        let added = raise.next.filter(|_| raise.fuzzy_stays);
        // the lower bound of the candidate at `at` if its follows lack the added character
        let unfollowed = |at: usize, k: Ranked| {
            let (i, bound) = unpack(k);
            let f = follows.get(i as usize).copied().unwrap_or(Follows::ANY);
            added.filter(|&c| !f.holds(c))?;
            let shorter = if at < high || tie_runs[1].contains(&at) {
                TIER_PREFIX * TIER_WIDTH
            } else if bound < TIER_FUZZY * TIER_WIDTH + TIER_WIDTH - 1 {
                bound - 28 * raise.added
            } else {
                // (the bound was cut at the top of the tier: the score is not known)
                return None;
            };
            Some(pack(i, raise.unfollowed(shorter)))
        };
        // those that may equal the query come first, as if put off with the top bound
        let mut put_off: Vec<Ranked> = first;
        let (mut pos, mut off) = (0, 0);
        let mut found = Scanned::default();
        let mut chunk = NARROW_FIRST;
        let mut ids: Vec<u32> = Vec::new();
        // the best `want` found so far, the least on top
        let mut best: BinaryHeap<Reverse<Ranked>> =
            BinaryHeap::with_capacity(want.min(candidates.len()));
        // the untested candidates stop where none can reach them
        let mut end = candidates.len();
        loop {
            if let Some(&Reverse(threshold)) = best.peek().filter(|_| best.len() >= want) {
                let (_, least) = unpack(threshold);
                // a tie with the threshold could still rank before it, except in a run of
                // ties (in the order ties rank): there one ranks after it when its key is
                // lower, and so do the rest (the bounds after the run are lower)
                let reaches = |&k: &Ranked| {
                    if tie_runs.iter().any(|run| run.contains(&pos)) {
                        k > threshold
                    } else {
                        unpack(k).1 >= least
                    }
                };
                if !candidates.get(pos).is_some_and(reaches) {
                    end = pos;
                }
                if end == pos && put_off.get(off).is_none_or(|&k| unpack(k).1 < least) {
                    break;
                }
            }
            if pos == end && off == put_off.len() {
                break;
            }
            ids.clear();
            while ids.len() < chunk {
                match (candidates[..end].get(pos), put_off.get(off)) {
                    (Some(&k), later) if later.is_none_or(|&l| unpack(k).1 >= unpack(l).1) => {
                        match unfollowed(pos, k) {
                            Some(lower) => put_off.push(lower),
                            None => ids.push(unpack(k).0),
                        }
                        pos += 1;
                    }
                    (_, Some(&l)) => {
                        ids.push(unpack(l).0);
                        off += 1;
                    }
                    (_, None) => break,
                }
            }
            let scanned = self.scan(p, Some(&ids), cancel)?;
            for &k in &scanned.ranked {
                if best.len() < want {
                    best.push(Reverse(k));
                } else if let Some(mut least) = best.peek_mut()
                    && k > least.0
                {
                    *least = Reverse(k);
                }
            }
            found.extend(scanned);
            chunk = chunk.saturating_mul(2).min(NARROW_MOST);
        }
        let rest = Candidates {
            list: candidates,
            from: pos,
        };
        put_off.drain(..off);
        Some((found, rest, put_off))
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
            assert!(!whole.ranked.is_empty(), "{q} matches something");
            let candidates: Vec<u32> = whole.ranked.iter().map(|&m| unpack(m).0).collect();
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

    /// The bounds a narrowed search tests candidates by, checked entry by entry: for queries
    /// that start parts (codes, readings, names) and that do not, and a longer query one
    /// character on, every match of the longer query scores within what the shorter one's
    /// score and [`Follows`] allow.
    #[test]
    fn a_longer_query_scores_within_the_bounds_of_the_shorter() {
        let catalog = crate::sample::elements_only(2);
        let rows: Vec<SearchRow> = rows(&catalog).collect();
        let index = SearchIndex::from_rows(rows.clone());
        let cancel = AtomicBool::new(false);
        let mut shorter: Vec<String> = ["d", "de0", "s", "sf", "x", "zh", "1", "号", "身份", "z"]
            .map(String::from)
            .to_vec();
        for row in rows.iter().step_by(97) {
            let parts = [
                row.code.to_lowercase(),
                row.latin.clone(),
                row.names.clone(),
            ];
            for part in parts
                .iter()
                .flat_map(|p| p.split(SEP))
                .filter(|p| !p.is_empty())
            {
                let cut = part.char_indices().nth(2).map_or(part.len(), |(at, _)| at);
                shorter.push(part[..cut].to_string());
            }
        }
        shorter.sort();
        shorter.dedup();
        let (mut unfollowed, mut checked) = (0, 0);
        for q in &shorter {
            let scan = |text: &str| {
                let query = Query::parse(text).unwrap();
                index.scan(&index.prepare(&query), None, &cancel).unwrap()
            };
            let before = scan(q);
            let known: BTreeMap<u32, (i64, Follows)> = before
                .ranked
                .iter()
                .zip(&before.follows)
                .map(|(&k, &f)| (unpack(k).0, (unpack(k).1, f)))
                .collect();
            for c in "aeghinoudzx0135号码证名".chars() {
                let longer = format!("{q}{c}");
                let raise = index.raise(q, &longer);
                if !raise.fuzzy_stays {
                    continue;
                }
                for k in scan(&longer).ranked {
                    let (i, score) = unpack(k);
                    let (was, follows) = known[&i];
                    checked += 1;
                    assert!(score <= raise.bound(was), "{longer:?} entry {i}");
                    if !follows.holds(c) {
                        unfollowed += 1;
                        assert!(
                            score <= raise.unfollowed(was),
                            "{longer:?} entry {i}: {score} after {was}"
                        );
                    }
                    let (starts, [a, b, ..]) =
                        (index.entries()[i as usize].starts, longer.as_bytes())
                    else {
                        continue;
                    };
                    if longer.is_ascii() && starts & pair_bit(*a, *b) == 0 {
                        assert!(
                            score <= unstarted_most(longer.len()),
                            "{longer:?} entry {i}"
                        );
                    }
                }
            }
        }
        // both kinds of bound were put to the test, many times
        assert!(
            unfollowed > 10_000 && checked - unfollowed > 10_000,
            "{unfollowed} of {checked}"
        );
    }

    /// Typed key by key over tens of thousands of elements, where a narrowed search puts off
    /// and leaves untested most candidates, every answer is the one a fresh scan gives.
    #[test]
    fn narrowing_by_what_follows_gives_what_a_fresh_scan_gives() {
        let index = SearchIndex::build(&crate::sample::elements_only(30));
        let cancel = AtomicBool::new(false);
        let mut keys = 0;
        for word in [
            "dh",
            "dz",
            "de0001",
            "lxdh",
            "sfzhm",
            "zjhm",
            "123",
            "身份证号",
            "xm",
            "dwmc",
        ] {
            let mut typing = Searcher::new();
            for (at, c) in word.char_indices() {
                let typed = &word[..at + c.len_utf8()];
                let query = Query::parse(typed).unwrap();
                for limit in [20, 3] {
                    let got = typing.search(&index, &query, limit, &cancel);
                    let fresh = Searcher::new().search(&index, &query, limit, &cancel);
                    assert_eq!(got, fresh, "{typed:?} limit {limit}");
                    keys += 1;
                }
            }
        }
        assert_eq!(keys, 2 * 36);
    }

    /// A row of a text element named 名, with `code`, readings `parts` and `uses` uses.
    fn row(code: String, parts: &str, uses: u32) -> SearchRow {
        SearchRow {
            latin: format!("{}{SEP}{parts}", code.to_lowercase()),
            code,
            name: "名".into(),
            kind: crate::model::ElementKind::Text,
            status: Status::Draft,
            agency: None,
            uses,
            names: "名".into(),
        }
    }

    /// A digit query the readings lack is matched by the code alone: through its head when
    /// the head holds all of it (the bloom does not), through the bloom when the code, or
    /// its lower-cased form, is longer (`İİ134`: 7 bytes, 9 lower-cased); a first key and
    /// the keys after it alike.
    #[test]
    fn codes_are_found_whether_their_head_holds_them_or_not() {
        let rows = [
            row("DE000134".into(), "xingming", 5),
            row("DE0001349".into(), "xingming", 4),
            row("DE009999".into(), "xingming", 3),
            row("\u{130}\u{130}134".into(), "xingming", 2),
        ];
        let index = SearchIndex::from_rows(rows);
        let cancel = AtomicBool::new(false);
        let mut typing = Searcher::new();
        for typed in ["1", "13", "134", "0134"] {
            let query = Query::parse(typed).unwrap();
            let got = typing.search(&index, &query, 10, &cancel).unwrap();
            let codes: Vec<&str> = got.iter().map(|h| h.code.as_str()).collect();
            let mut want = vec!["DE000134", "DE0001349"];
            if !typed.starts_with('0') {
                want.push("\u{130}\u{130}134");
            }
            assert_eq!(codes, want, "{typed:?}");
            assert_eq!(search(&index, &query, 10), got, "{typed:?} in one search");
        }
    }

    /// Ties in the prefix tier rank in entry order: a narrowed search stops at the first
    /// untested one that ranks after the best it wants, but after those that may equal the
    /// longer query (entries that rank later, and above), and after those that ranked first
    /// for the shorter query (out of entry order there).
    #[test]
    fn the_prefix_tier_stops_at_ties_in_rank_order() {
        // used: they rank first, and their codes start with "abc"
        let mut rows: Vec<SearchRow> = (0..600)
            .map(|i| row(format!("ABC{i:04}"), "ming", 10))
            .collect();
        // unused, more than a search wants: equal to "ab", and their codes start with "abc"
        rows.extend((0..300).map(|i| row(format!("ABC9{i:03}"), "ab", 0)));
        // unused, last: equal to "abc"
        rows.extend((0..20).map(|i| row(format!("ZZ{i:03}"), "abc", 0)));
        let index = SearchIndex::from_rows(rows);
        let cancel = AtomicBool::new(false);
        for limit in [3, 50] {
            let mut typing = Searcher::new();
            for typed in ["a", "ab", "abc", "abc0", "abc00"] {
                let query = Query::parse(typed).unwrap();
                let got = typing.search(&index, &query, limit, &cancel).unwrap();
                let fresh = Searcher::new().search(&index, &query, limit, &cancel);
                assert_eq!(Some(&got), fresh.as_ref(), "{typed:?} limit {limit}");
                let first = (typed.len() == 3).then_some("ZZ000");
                let first = first.or((typed.len() == 2).then_some("ABC9000"));
                assert_eq!(got[0].code, first.unwrap_or("ABC0000"), "{typed:?}");
            }
        }
    }

    /// The same with the most a fuzzy score can be: entries that started the shorter query
    /// but not the longer one, and entries that matched it fuzzily at the second character,
    /// are bounded alike for the longer one, and are tested in rank order together.
    #[test]
    fn the_fuzzy_tier_stops_at_ties_in_rank_order() {
        // ranked first: "x" at the second character ("xy" scores the most a fuzzy match can)
        let mut rows: Vec<SearchRow> = (0..100)
            .map(|i| row(format!("C{i:04}"), "axy", 10))
            .collect();
        // more than a search wants, ranked last: they start "x", not "xy", and score as much
        rows.extend((0..300).map(|i| row(format!("D{i:04}"), &format!("xaa{SEP}axy"), 0)));
        let index = SearchIndex::from_rows(rows);
        // (no part starts with a pair that shares the bit of "xy")
        let bit = pair_bit(b'x', b'y');
        assert!(index.entries().iter().all(|e| e.starts & bit == 0));
        let cancel = AtomicBool::new(false);
        for limit in [3, 50] {
            let mut typing = Searcher::new();
            for typed in ["x", "xy"] {
                let query = Query::parse(typed).unwrap();
                let got = typing.search(&index, &query, limit, &cancel).unwrap();
                let fresh = Searcher::new().search(&index, &query, limit, &cancel);
                assert_eq!(Some(&got), fresh.as_ref(), "{typed:?} limit {limit}");
                let first = if typed == "x" { "D0000" } else { "C0000" };
                assert_eq!(got[0].code, first, "{typed:?}");
            }
        }
    }

    /// A patch or new use counts move entries: a narrowed search then reads the heads of
    /// the entries where they are now, not where they were when a search first read them.
    #[test]
    fn narrowing_reads_the_heads_of_entries_moved() {
        // an entry that cannot start "ab" between two blocks that can: read one place too
        // far on, the last of the first block looks unable to start it and is left untested
        let rows = || {
            let mut rows: Vec<SearchRow> = (0..100)
                .map(|i| row(format!("A{i:04}"), "abcd", 10))
                .collect();
            rows.push(row("B0100".into(), "ba", 10));
            rows.extend((101..500).map(|i| row(format!("C{i:04}"), "abcd", 5)));
            rows
        };
        let cancel = AtomicBool::new(false);
        // (the best 120 make a search want 480 matches: it stops before the last "abcd")
        let narrowed = |index: &SearchIndex| {
            let mut typing = Searcher::new();
            for typed in ["a", "ab"] {
                let query = Query::parse(typed).unwrap();
                let got = typing.search(index, &query, 120, &cancel).unwrap();
                let fresh = Searcher::new().search(index, &query, 120, &cancel);
                assert_eq!(Some(&got), fresh.as_ref(), "{typed:?}");
            }
        };
        // a new element ranked first
        let mut patched = SearchIndex::from_rows(rows());
        let bit = pair_bit(b'a', b'b');
        let unstarted = patched.entries().iter().filter(|e| e.starts & bit == 0);
        assert_eq!(unstarted.count(), 1, "only B0100 cannot start \"ab\"");
        narrowed(&patched);
        let new = row("X0000".into(), "zzzz", 100);
        patched
            .patch(&BTreeMap::from([("X0000".to_string(), Some(new))]))
            .unwrap();
        narrowed(&patched);
        // an old one moved there
        let mut used = SearchIndex::from_rows(rows());
        narrowed(&used);
        used.set_uses(&BTreeMap::from([("C0499".to_string(), 100)]));
        narrowed(&used);
    }

    proptest::proptest! {
        /// Candidates merged with what a search found and put off are the three merged by
        /// bound, whether they fit in the room the tested candidates left or not.
        #[test]
        fn candidates_merge_in_place_as_merge_by_bound_does(
            keys in proptest::collection::btree_set(proptest::prelude::any::<u64>(), 0..300),
            to in proptest::collection::vec(0u8..3, 300),
            tested in 0usize..200,
        ) {
            let (mut list, mut a, mut b) = (vec![7; tested], Vec::new(), Vec::new());
            // best first, each key in one of the three
            for (&key, &which) in keys.iter().rev().zip(&to) {
                [&mut list, &mut a, &mut b][usize::from(which)].push(key);
            }
            let merged = Candidates { list, from: tested }.merged(a, b);
            let all: Vec<Ranked> = keys.iter().rev().copied().collect();
            proptest::prop_assert_eq!(merged.untested(), all.as_slice());
        }
    }

    /// The bounds are as low as they can be: some part reaches each.
    #[test]
    fn some_part_reaches_each_bound() {
        let rank = |parts: &[&str], q: &str| {
            rank_bytes(parts.join(&SEP.to_string()).as_bytes(), q.as_bytes()).map(|(r, _)| r)
        };
        // no part starts with "dh": "d" at position 1 and "h" next to it
        assert_eq!(rank(&["de01", "xdh"], "dh"), Some(unstarted_most(2)));
        // "h" does not follow "d": after a part that starts with "d", and one that holds it
        let raise = index_free_raise("d", "dh");
        for parts in [["dxh"], ["xdah"]] {
            let was = rank(&parts, "d").unwrap();
            assert_eq!(rank(&parts, "dh"), Some(raise.unfollowed(was)), "{parts:?}");
        }
    }

    /// How bounds grow from `prev` to `next` over codes that are all ASCII.
    fn index_free_raise(prev: &str, next: &str) -> Raise {
        SearchIndex::from_rows([]).raise(prev, next)
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
