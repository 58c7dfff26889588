//! The fuzzy matcher, behind a trait so it can be swapped after measuring.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Scores a lower-case query against one lower-case key part.
pub trait Matcher: Send + Sync {
    /// A score (higher is better), or `None` if the part does not match.
    fn score(&self, part: &str, query: &str) -> Option<i64>;
}

/// fuzzy-matcher's skim algorithm (the default).
#[derive(Default)]
pub struct Skim(SkimMatcherV2);

impl Matcher for Skim {
    fn score(&self, part: &str, query: &str) -> Option<i64> {
        self.0.fuzzy_match(part, query)
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
