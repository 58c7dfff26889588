//! Who references each element — the forms whose fields bind it, the elements under it —
//! kept beside the store (`links.idx`) so that an element's uses can be read from the store
//! without loading the catalog. At a million elements that is 1.3 million bindings, a few
//! bytes each: a file of about 20 MB, read only by what asks about an element's uses.

use serde::{Deserialize, Serialize};

use super::packed_strings::Strings;
use super::{Catalog, Kind};

/// Every reference to an element in a catalog, grouped by the element referenced.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ElementLinks {
    /// The code of every element something references, in code order.
    elements: Strings,
    /// The referrers of the element at position `i` are `referrers[starts[i]..starts[i + 1]]`
    /// (one more start than elements).
    starts: Vec<u32>,
    /// Each referrer, by its position in `sources`.
    referrers: Vec<u32>,
    /// The code of every record that references an element, in (kind, code) order.
    sources: Strings,
    /// The kind of each of `sources`.
    source_kinds: Vec<Kind>,
}

impl ElementLinks {
    /// Who references each element of `catalog`, read from its reverse index (at a million
    /// elements a list of every binding would hold 50 MB while it was sorted).
    pub fn of(catalog: &Catalog) -> ElementLinks {
        // every record that references an element, in (kind, code) order
        let mut sources: Vec<(Kind, &str)> = Vec::new();
        for record in catalog.records() {
            let mut references_one = false;
            record.for_each_reference(|r| references_one |= r.target == Kind::Element);
            if references_one {
                sources.push((record.kind(), record.code()));
            }
        }
        sources.sort_unstable();
        let mut links = ElementLinks::default();
        for &(kind, code) in &sources {
            links.sources.push(code);
            links.source_kinds.push(kind);
        }
        links.starts.push(0);
        for code in catalog.elements.keys() {
            let before = links.referrers.len();
            let mut last = None;
            for r in catalog.referrers(Kind::Element, code) {
                // ordered by kind and code: a record referring twice is one referrer
                let at = sources.binary_search(&(r.kind, r.code.as_str()));
                if let Ok(at) = at.map(|at| at as u32)
                    && last != Some(at)
                {
                    links.referrers.push(at);
                    last = Some(at);
                }
            }
            if links.referrers.len() > before {
                links.elements.push(code);
                links.starts.push(links.referrers.len() as u32);
            }
        }
        links
    }

    /// The records that reference the element `code`, in (kind, code) order; none when
    /// nothing does (or there is no such element).
    pub fn referrers(&self, code: &str) -> Vec<(Kind, &str)> {
        let Some(at) = self.elements.position(code) else {
            return Vec::new();
        };
        let at = at as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(at), self.starts.get(at + 1)) else {
            return Vec::new();
        };
        self.referrers
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .iter()
            .filter_map(|&s| Some((*self.source_kinds.get(s as usize)?, self.sources.get(s)?)))
            .collect()
    }

    /// Whether the links hang together: lists in order, every position in range (the links
    /// of a catalog are).
    pub fn is_sound(&self) -> bool {
        let sources = self.sources.len();
        self.elements.is_sound()
            && self.sources.is_sound()
            && self.elements.is_ordered()
            && self.source_kinds.len() == sources
            && self.starts.len() == self.elements.len() + 1
            && self.starts.first() == Some(&0)
            && self.starts.windows(2).all(|w| w[0] < w[1])
            && self.starts.last().map(|&e| e as usize) == Some(self.referrers.len())
            && self.referrers.iter().all(|&s| (s as usize) < sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;

    fn referrers_in(catalog: &Catalog, code: &str) -> Vec<(Kind, String)> {
        let mut found: Vec<(Kind, String)> = catalog
            .referrers(Kind::Element, code)
            .map(|r| (r.kind, r.code.to_string()))
            .collect();
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_elements_referrers_are_the_catalogs() {
        let catalog = crate::sample::generate(1);
        let links = ElementLinks::of(&catalog);
        assert!(links.is_sound());
        let mut referenced = 0;
        for code in catalog.elements.keys() {
            let found: Vec<(Kind, String)> = links
                .referrers(code)
                .into_iter()
                .map(|(k, c)| (k, c.to_string()))
                .collect();
            assert_eq!(found, referrers_in(&catalog, code), "{code}");
            referenced += usize::from(!found.is_empty());
        }
        // the sample binds fields and nests elements: the test saw both kinds of referrer
        assert!(referenced > 100, "{referenced}");
        assert!(links.source_kinds.contains(&Kind::Form));
        assert!(links.source_kinds.contains(&Kind::Element));
        assert!(links.referrers("NO-SUCH").is_empty());
    }

    #[test]
    fn links_out_of_range_or_order_are_unsound() {
        let links = ElementLinks::of(&crate::sample::generate(1));
        let mut bad = links.clone();
        bad.referrers[0] = bad.sources.len() as u32;
        assert!(!bad.is_sound());
        let mut bad = links.clone();
        bad.starts.pop();
        assert!(!bad.is_sound());
        let mut bad = links.clone();
        bad.source_kinds.pop();
        assert!(!bad.is_sound());
        let mut bad = links;
        bad.starts.swap(1, 2);
        assert!(!bad.is_sound());
        assert!(ElementLinks::of(&Catalog::default()).is_sound());
    }
}
