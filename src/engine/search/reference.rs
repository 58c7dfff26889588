//! A straightforward reference search, to hold the fast one to: every row's key strings as
//! they are built (repeated parts included), every candidate ranked, a full sort by score,
//! use count and code, and a session narrowing to the previous matches. The property test
//! types random queries key by key into both and compares every answer.

use std::sync::atomic::AtomicBool;

use proptest::prelude::*;

use super::*;

fn rank(row: &SearchRow, query: &Query) -> Option<i64> {
    if query.kind.is_some_and(|k| k != row.kind) || query.status.is_some_and(|s| s != row.status) {
        return None;
    }
    if let Some(agency) = &query.agency
        && !row
            .agency
            .as_deref()
            .is_some_and(|a| a.contains(agency.as_str()))
    {
        return None;
    }
    let q = query.text.as_str();
    if q.is_empty() {
        return Some(0);
    }
    if row.code.eq_ignore_ascii_case(q) {
        return Some(TIER_CODE * TIER_WIDTH);
    }
    let haystack = if q.is_ascii() { &row.latin } else { &row.names };
    let mut best = None;
    let mut prefix = false;
    // the element's own name: the first name, or the code and readings before an empty part
    let parts: Vec<&str> = haystack.split(SEP).collect();
    let name_parts = if q.is_ascii() {
        parts
            .iter()
            .position(|p| p.is_empty())
            .unwrap_or(parts.len())
    } else {
        1
    };
    for (i, part) in parts.into_iter().enumerate() {
        if part == q {
            return Some(TIER_NAME * TIER_WIDTH + i64::from(i < name_parts));
        }
        prefix |= part.starts_with(q);
        best = best.max(quick_score(part, q));
    }
    if prefix {
        return Some(TIER_PREFIX * TIER_WIDTH);
    }
    best.map(|s| TIER_FUZZY * TIER_WIDTH + s.clamp(0, TIER_WIDTH - 1))
}

fn rescore(row: &SearchRow, q: &str) -> i64 {
    let haystack = if q.is_ascii() { &row.latin } else { &row.names };
    let best = haystack
        .split(SEP)
        .filter(|part| is_subsequence(part, q))
        .filter_map(|part| Skim.score(part, q))
        .max()
        .unwrap_or(0);
    TIER_FUZZY * TIER_WIDTH + best.clamp(0, TIER_WIDTH - 1)
}

/// The reference session: the previous query and its matches (row indexes).
#[derive(Default)]
struct Reference {
    last: Option<(Query, Vec<usize>)>,
}

impl Reference {
    fn search(&mut self, rows: &[SearchRow], query: &Query, limit: usize) -> Vec<Hit> {
        let candidates: Vec<usize> = match &self.last {
            Some((prev, matched))
                if prev.same_filters(query)
                    && !prev.text.is_empty()
                    && query.text.starts_with(&prev.text) =>
            {
                matched.clone()
            }
            _ => (0..rows.len()).collect(),
        };
        let mut matches: Vec<(usize, i64)> = candidates
            .into_iter()
            .filter_map(|i| rank(&rows[i], query).map(|s| (i, s)))
            .collect();
        self.last = Some((query.clone(), matches.iter().map(|m| m.0).collect()));
        let order = |a: &(usize, i64), b: &(usize, i64)| {
            let (ra, rb) = (&rows[a.0], &rows[b.0]);
            b.1.cmp(&a.1)
                .then(rb.uses.cmp(&ra.uses))
                .then_with(|| ra.code.cmp(&rb.code))
        };
        matches.sort_by(order);
        let keep = limit.saturating_mul(4).max(RESCORE_AT_LEAST);
        let mut top: Vec<(usize, i64)> = matches
            .into_iter()
            .take(keep)
            .map(|(i, s)| {
                if s / TIER_WIDTH == TIER_FUZZY && !query.text.is_empty() {
                    (i, rescore(&rows[i], &query.text))
                } else {
                    (i, s)
                }
            })
            .collect();
        top.sort_by(order);
        top.truncate(limit);
        top.into_iter()
            .map(|(i, score)| Hit {
                code: rows[i].code.clone(),
                name: rows[i].name.clone(),
                kind: rows[i].kind.as_str(),
                score,
                uses: rows[i].uses as usize,
                status: rows[i].status,
            })
            .collect()
    }
}

/// Rows of about 1,800 elements, with use counts that tie often.
fn fixture() -> &'static (Vec<SearchRow>, SearchIndex) {
    static FIXTURE: std::sync::OnceLock<(Vec<SearchRow>, SearchIndex)> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let catalog = crate::sample::elements_only(3);
        let rows: Vec<SearchRow> = rows(&catalog)
            .enumerate()
            .map(|(n, mut row)| {
                row.uses = u32::try_from(n % 7 * (n % 3)).unwrap_or(0);
                row
            })
            .collect();
        let index = SearchIndex::from_rows(rows.clone());
        (rows, index)
    })
}

/// What a user might type: a prefix of some element's reading, name, synonym or code, or
/// a few random letters, perhaps behind a filter.
fn typed(rows: &[SearchRow], pick: usize, how: u8, noise: &str) -> String {
    let row = &rows[pick % rows.len()];
    let parts: Vec<&str> = match how % 4 {
        0 => row.names.split(SEP).collect(),
        1 => vec![row.code.as_str()],
        _ => row.latin.split(SEP).collect(),
    };
    let word = parts[pick / rows.len() % parts.len()];
    let cut = word.char_indices().nth(6).map_or(word.len(), |(at, _)| at);
    let base = if how % 5 == 4 { noise } else { &word[..cut] };
    match how % 7 {
        5 => format!("kind:{} {base}", row.kind.as_str()),
        6 => format!(
            "agency:{} {base}",
            row.agency
                .as_deref()
                .unwrap_or("x")
                .chars()
                .take(2)
                .collect::<String>()
        ),
        _ => base.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Typing a query key by key (with a backspace now and then) gives, at every key, what
    /// the reference gives, ties and all, for small and unlimited result counts.
    #[test]
    fn typing_gives_what_the_reference_gives(
        words in proptest::collection::vec((0usize..20_000, any::<u8>(), "[a-z]{1,4}"), 1..4),
        limits in proptest::collection::vec(prop_oneof![Just(1usize), Just(7), Just(50), Just(usize::MAX)], 1..4),
    ) {
        let (rows, index) = fixture();
        let cancel = AtomicBool::new(false);
        let mut fast = Searcher::new();
        let mut slow = Reference::default();
        let mut step = 0;
        for (pick, how, noise) in &words {
            let full = typed(rows, *pick, *how, noise);
            let ends: Vec<usize> = full.char_indices().map(|(at, c)| at + c.len_utf8()).collect();
            let mut keys: Vec<&str> = ends.iter().map(|&e| &full[..e]).collect();
            if keys.len() > 2 && how % 3 == 0 {
                // a backspace, then the key again
                keys.insert(keys.len() - 1, keys[keys.len() - 3]);
            }
            for typed in keys {
                let Ok(query) = Query::parse(typed) else { continue };
                let limit = limits[step % limits.len()];
                step += 1;
                let got = fast.search(index, &query, limit, &cancel);
                prop_assert_eq!(got, Some(slow.search(rows, &query, limit)), "{:?} limit {}", typed, limit);
            }
        }
    }
}
