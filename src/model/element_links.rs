//! Who references each element — the forms whose fields bind it, the elements under it —
//! kept beside the store (`links.idx`) so that an element's uses can be read from the store
//! without loading the catalog: every binding with its field's place in the form and the
//! form's item, so that where an element is used is worked out without reading a form. At a
//! million elements that is 1.3 million bindings, 12 bytes each: a file of about 20 MB, read
//! only by what asks about an element's uses.

use serde::{Deserialize, Serialize};

use super::packed_strings::Strings;
use super::{Catalog, Kind, RefField, RefPath};

/// "None" in a position column.
const NONE: u32 = u32::MAX;

/// One reference to an element: the referring record (its position in the sources) and,
/// for a form field, the field's section and place in it (`section` is [`NONE`] for another
/// reference, and `field` then 1 for an element's `parent`, else 0).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
struct Ref {
    source: u32,
    section: u32,
    field: u32,
}

/// One reference to an element, as [`ElementLinks::references`] gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkedRef<'a> {
    /// The referring record's kind.
    pub kind: Kind,
    /// The referring record's code.
    pub code: &'a str,
    /// For a form field bound to the element: its section and its place in the section.
    pub field: Option<(usize, usize)>,
    /// Whether the reference is an element's `parent` (the referrer is under the element).
    pub parent: bool,
    /// The referring form's item.
    pub item: Option<&'a str>,
}

/// Every reference to an element in a catalog, grouped by the element referenced.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ElementLinks {
    /// The code of every element something references, in code order.
    elements: Strings,
    /// The references to the element at position `i` are `refs[starts[i]..starts[i + 1]]`
    /// (one more start than elements), in the catalog's order: by the referrer's kind and
    /// code, then path.
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    starts: Vec<u32>,
    /// Each reference.
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    refs: Vec<Ref>,
    /// The code of every record that references an element, in (kind, code) order.
    sources: Strings,
    /// The kind of each of `sources`.
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    source_kinds: Vec<Kind>,
    /// The item of each of `sources` (a form's), by its position in `items`, or [`NONE`].
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    source_items: Vec<u32>,
    /// The items of the sources, each once, in code order.
    items: Strings,
}

impl ElementLinks {
    /// Who references each element of `catalog`, read from its reverse index (at a million
    /// elements a list of every binding would hold 50 MB while it was sorted).
    pub fn of(catalog: &Catalog) -> ElementLinks {
        // every record that references an element, in (kind, code) order, with its item
        let mut sources: Vec<(Kind, &str)> = Vec::new();
        for record in catalog.records() {
            let mut references_one = false;
            record.for_each_reference(|r| references_one |= r.target == Kind::Element);
            if references_one {
                sources.push((record.kind(), record.code()));
            }
        }
        sources.sort_unstable();
        let item_of = |(kind, code): (Kind, &str)| match kind {
            Kind::Form => catalog.forms.get(code).and_then(|f| f.item.as_deref()),
            _ => None,
        };
        let mut items: Vec<&str> = sources.iter().filter_map(|&s| item_of(s)).collect();
        items.sort_unstable();
        items.dedup();
        let mut links = ElementLinks::default();
        for &item in &items {
            links.items.push(item);
        }
        for &(kind, code) in &sources {
            links.sources.push(code);
            links.source_kinds.push(kind);
            let at = item_of((kind, code)).and_then(|i| items.binary_search(&i).ok());
            links.source_items.push(at.map_or(NONE, |at| at as u32));
        }
        links.starts.push(0);
        for code in catalog.elements.keys() {
            let before = links.refs.len();
            for r in catalog.referrers(Kind::Element, code) {
                // the sources hold every referrer (they were gathered from the same records)
                let Ok(source) = sources.binary_search(&(r.kind, r.code.as_str())) else {
                    continue;
                };
                let (section, field) = match r.path.form_field_at() {
                    Some((section, field)) => (section as u32, field as u32),
                    None => (NONE, u32::from(r.path == RefPath::Field(RefField::Parent))),
                };
                links.refs.push(Ref {
                    source: source as u32,
                    section,
                    field,
                });
            }
            if links.refs.len() > before {
                links.elements.push(code);
                links.starts.push(links.refs.len() as u32);
            }
        }
        links
    }

    /// Every reference to the element `code`, in the catalog's order (by the referrer's kind
    /// and code, then path); none when nothing references it (or there is no such element).
    pub fn references(&self, code: &str) -> impl Iterator<Item = LinkedRef<'_>> {
        let refs = self
            .elements
            .position(code)
            .and_then(|at| {
                let at = at as usize;
                let (start, end) = (*self.starts.get(at)?, *self.starts.get(at + 1)?);
                self.refs.get(start as usize..end as usize)
            })
            .unwrap_or_default();
        refs.iter().filter_map(|r| {
            let item = match *self.source_items.get(r.source as usize)? {
                NONE => None,
                at => self.items.get(at),
            };
            Some(LinkedRef {
                kind: *self.source_kinds.get(r.source as usize)?,
                code: self.sources.get(r.source)?,
                field: (r.section != NONE).then_some((r.section as usize, r.field as usize)),
                parent: r.section == NONE && r.field == 1,
                item,
            })
        })
    }

    /// The records that reference the element `code`, each once, in (kind, code) order.
    pub fn referrers(&self, code: &str) -> Vec<(Kind, &str)> {
        let mut out: Vec<(Kind, &str)> = self.references(code).map(|r| (r.kind, r.code)).collect();
        out.dedup();
        out
    }

    /// Whether the links hang together: lists in order, every position in range (the links
    /// of a catalog are).
    pub fn is_sound(&self) -> bool {
        let sources = self.sources.len();
        let items = self.items.len();
        self.elements.is_sound()
            && self.sources.is_sound()
            && self.items.is_sound()
            && self.elements.is_ordered()
            && self.items.is_ordered()
            && self.source_kinds.len() == sources
            && self.source_items.len() == sources
            && self
                .source_items
                .iter()
                .all(|&i| i == NONE || (i as usize) < items)
            && self.starts.len() == self.elements.len() + 1
            && self.starts.first() == Some(&0)
            && self.starts.windows(2).all(|w| w[0] < w[1])
            && self.starts.last().map(|&e| e as usize) == Some(self.refs.len())
            && self.refs.iter().all(|r| (r.source as usize) < sources)
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
        bad.refs[0].source = bad.sources.len() as u32;
        assert!(!bad.is_sound());
        let mut bad = links.clone();
        bad.starts.pop();
        assert!(!bad.is_sound());
        let mut bad = links.clone();
        bad.source_kinds.pop();
        assert!(!bad.is_sound());
        let mut bad = links.clone();
        bad.source_items[0] = bad.items.len() as u32;
        assert!(!bad.is_sound());
        let mut bad = links;
        bad.starts.swap(1, 2);
        assert!(!bad.is_sound());
        assert!(ElementLinks::of(&Catalog::default()).is_sound());
    }
}
