//! Element search. For now a case-insensitive substring match over code, name and
//! synonyms, ranked exact code > exact name/synonym > prefix > substring, ties by use
//! count then code.

use serde::Serialize;

use crate::model::{Catalog, Element, Kind};

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Element code.
    pub code: String,
    /// Element name.
    pub name: String,
    /// Element kind (interchange spelling).
    pub kind: &'static str,
    /// Rank score, higher first.
    pub score: i64,
    /// How many form fields use the element.
    pub uses: usize,
}

/// How many form fields are bound to an element.
pub fn uses(catalog: &Catalog, code: &str) -> usize {
    catalog
        .referrers(Kind::Element, code)
        .filter(|r| r.kind == Kind::Form)
        .count()
}

fn score(element: &Element, query: &str) -> Option<i64> {
    let q = query.to_lowercase();
    if element.code.to_lowercase() == q {
        return Some(4000);
    }
    let names = || std::iter::once(&element.name).chain(&element.synonyms);
    if names().any(|n| n.to_lowercase() == q) {
        return Some(3000);
    }
    if names().any(|n| n.to_lowercase().starts_with(&q))
        || element.code.to_lowercase().starts_with(&q)
    {
        return Some(2000);
    }
    if names().any(|n| n.to_lowercase().contains(&q)) || element.code.to_lowercase().contains(&q) {
        return Some(1000);
    }
    None
}

/// Elements matching `query`, best first, at most `limit`.
pub fn search(catalog: &Catalog, query: &str, limit: usize) -> Vec<Hit> {
    let query = query.trim();
    let mut hits: Vec<Hit> = catalog
        .elements
        .values()
        .filter_map(|e| {
            score(e, query).map(|score| Hit {
                code: e.code.clone(),
                name: e.name.clone(),
                kind: e.kind.as_str(),
                score,
                uses: uses(catalog, &e.code),
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.uses.cmp(&a.uses))
            .then_with(|| a.code.cmp(&b.code))
    });
    hits.truncate(limit);
    hits
}
