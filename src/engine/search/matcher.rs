//! The fuzzy matcher, behind a trait so it can be swapped after measuring.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Scores a lower-case query against one lower-case key part.
pub trait Matcher: Send + Sync {
    /// A score (higher is better), or `None` if the part does not match.
    fn score(&self, part: &str, query: &str) -> Option<i64>;
}

/// fuzzy-matcher's skim algorithm (the default).
///
/// Each score is computed by a fresh `SkimMatcherV2`: one reused across calls keeps its
/// score matrix, and cells left from an earlier, longer part can change a later score (the
/// same part and query scored 61 or 73 depending on what came before). Its `use_cache(false)`
/// does not help: it panics on a double borrow. A fresh matcher costs about 0.3 µs a part.
#[derive(Default)]
pub struct Skim;

impl Matcher for Skim {
    fn score(&self, part: &str, query: &str) -> Option<i64> {
        SkimMatcherV2::default().fuzzy_match(part, query)
    }
}

/// Whether the characters of `query` occur in `key` in order: a cheap test that every
/// fuzzy match must pass, run before the matcher.
pub fn is_subsequence(key: &str, query: &str) -> bool {
    if query.is_ascii() {
        return is_subsequence_bytes(key.as_bytes(), query.as_bytes());
    }
    let mut wanted = query.chars().peekable();
    for c in key.chars() {
        match wanted.peek() {
            None => return true,
            Some(&w) if w == c => {
                wanted.next();
            }
            Some(_) => {}
        }
    }
    wanted.peek().is_none()
}

/// [`is_subsequence`] for an ASCII query, over bytes: UTF-8 continuation and lead bytes are
/// all >= 0x80, so bytes compare exactly.
pub(super) fn is_subsequence_bytes(key: &[u8], query: &[u8]) -> bool {
    let mut from = 0;
    for &w in query {
        match key.get(from..).and_then(|rest| memchr::memchr(w, rest)) {
            Some(pos) => from += pos + 1,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A part's score is the same whatever was scored before it (a reused skim matcher gave
    /// 73 here after a longer part, 61 alone).
    #[test]
    fn a_score_does_not_depend_on_what_was_scored_before() {
        let skim = Skim;
        let alone = skim.score("cangchuchangsuojianzhumianji", "cch");
        assert_eq!(alone, Some(61));
        assert!(
            skim.score("cangchuchangsuochanquanxingzhi（2）", "cch")
                .is_some()
        );
        assert_eq!(skim.score("cangchuchangsuojianzhumianji", "cch"), alone);
    }
}
