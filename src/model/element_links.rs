//! Who references each element — the forms whose fields bind it, the elements under it —
//! kept beside the store (`links.idx`) so that an element's uses can be read from the store
//! without loading the catalog: every binding with its field's place in the form and the
//! form's item, so that where an element is used is worked out without reading a form. At a
//! million elements that is 1.3 million bindings, 12 bytes each: a file of about 20 MB, read
//! only by what asks about an element's uses.

use serde::{Deserialize, Serialize};

use super::packed_strings::Strings;
use std::collections::BTreeMap;

use super::{Catalog, Element, Form, Kind, RefField, RefPath};

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

    /// The links after a change to the form `form` alone (its new version; a form with no
    /// binding drops out): its references are replaced by those of its fields, so the links
    /// are those [`ElementLinks::of`] makes of the catalog with the change made, element by
    /// element and reference by reference. What pane 3's designer saves before the catalog
    /// is loaded keeps `links.idx` so, without the catalog.
    pub fn with_form(&self, form: &Form) -> ElementLinks {
        // the form's bindings by element, each element's in path order (as the catalog has them)
        let mut bound: BTreeMap<&str, Vec<(u32, u32)>> = BTreeMap::new();
        for (s, f, field) in form.fields() {
            if let Some(element) = field.element.as_deref() {
                bound.entry(element).or_default().push((s as u32, f as u32));
            }
        }
        for places in bound.values_mut() {
            places.sort_by_cached_key(|&(s, f)| RefPath::form_field(s as usize, f as usize));
        }
        self.with_source(
            (Kind::Form, form.code.as_str()),
            form.item.as_deref(),
            &bound,
        )
    }

    /// The links after a change to the element `element` alone (its new version, or a new
    /// element): its reference to its parent replaced, as [`ElementLinks::with_form`] does a
    /// form's bindings.
    pub fn with_element(&self, element: &Element) -> ElementLinks {
        let bound: BTreeMap<&str, Vec<(u32, u32)>> = element
            .parent
            .as_deref()
            .map(|parent| (parent, vec![(NONE, 1)]))
            .into_iter()
            .collect();
        self.with_source((Kind::Element, element.code.as_str()), None, &bound)
    }

    /// The links with the references of the record `this` (of the item `item`, a form's)
    /// replaced by `bound`: each element it references, with the places (section and field,
    /// as [`Ref`] has them) of its references to it, in path order.
    fn with_source(
        &self,
        this: (Kind, &str),
        item: Option<&str>,
        bound: &BTreeMap<&str, Vec<(u32, u32)>>,
    ) -> ElementLinks {
        let keep = !bound.is_empty();
        let source = |at: u32| Some((*self.source_kinds.get(at as usize)?, self.sources.get(at)?));
        // where the record is among the sources (`Ok`) or would be (`Err`)
        let (mut low, mut high) = (0u32, self.sources.len() as u32);
        while low < high {
            let mid = low + (high - low) / 2;
            if source(mid).is_some_and(|s| s < this) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        let old_at = (source(low) == Some(this)).then_some(low);
        // the items: the record's own when it stays, less its old one if no other source has it
        let old_item = old_at
            .and_then(|at| self.source_items.get(at as usize).copied())
            .filter(|&i| i != NONE);
        let new_item = item.filter(|_| keep);
        let item_left = old_item.filter(|&i| {
            self.items.get(i) != new_item
                && !(0..self.source_items.len() as u32)
                    .any(|at| Some(at) != old_at && self.source_items[at as usize] == i)
        });
        let item_added = new_item.filter(|i| self.items.position(i).is_none());
        // sized as the old links, plus the record's references: growing by doubling would hold
        // half as much again at the peak (at a million elements the links are 16 MB)
        let extra: usize = bound.values().map(Vec::len).sum();
        let strings = |old: &Strings, more: usize, bytes: usize| Strings {
            text: String::with_capacity(old.text.len() + bytes),
            ends: Vec::with_capacity(old.len() + more),
        };
        let bound_bytes = bound.keys().map(|e| e.len()).sum();
        let item_bytes = item.map_or(0, str::len);
        let mut links = ElementLinks {
            elements: strings(&self.elements, bound.len(), bound_bytes),
            starts: Vec::with_capacity(self.starts.len() + bound.len()),
            refs: Vec::with_capacity(self.refs.len() + extra),
            sources: strings(&self.sources, 1, this.1.len()),
            source_kinds: Vec::with_capacity(self.source_kinds.len() + 1),
            source_items: Vec::with_capacity(self.source_items.len() + 1),
            items: strings(&self.items, 1, item_bytes),
        };
        let mut item_at = Vec::with_capacity(self.items.len());
        for at in 0..self.items.len() as u32 {
            let Some(item) = self.items.get(at) else {
                continue;
            };
            if let Some(added) = item_added
                && added < item
                && links.items.position(added).is_none()
            {
                links.items.push(added);
            }
            if Some(at) == item_left {
                item_at.push(NONE);
            } else {
                item_at.push(links.items.push(item));
            }
        }
        if let Some(added) = item_added
            && links.items.position(added).is_none()
        {
            links.items.push(added);
        }
        let this_item = new_item
            .and_then(|i| links.items.position(i))
            .unwrap_or(NONE);
        // the sources without the record, then with it in its place if it references any element
        let mut moved = Vec::with_capacity(self.sources.len());
        let mut this_at = NONE;
        let mut push_this = |links: &mut ElementLinks| {
            this_at = links.sources.push(this.1);
            links.source_kinds.push(this.0);
            links.source_items.push(this_item);
        };
        for at in 0..self.sources.len() as u32 {
            if keep && at == low {
                push_this(&mut links);
            }
            let Some((kind, code)) = source(at).filter(|_| Some(at) != old_at) else {
                moved.push(NONE);
                continue;
            };
            moved.push(links.sources.push(code));
            links.source_kinds.push(kind);
            let item = match self.source_items.get(at as usize) {
                Some(&i) if i != NONE => item_at.get(i as usize).copied().unwrap_or(NONE),
                _ => NONE,
            };
            links.source_items.push(item);
        }
        if keep && low == self.sources.len() as u32 {
            push_this(&mut links);
        }
        // the elements referenced before and those the record references, merged in code order
        links.starts.push(0);
        let mut fresh = bound
            .keys()
            .copied()
            .filter(|e| self.elements.position(e).is_none())
            .peekable();
        let mut old = (0..self.elements.len() as u32).peekable();
        loop {
            let next_old = old.peek().and_then(|&at| self.elements.get(at));
            let (code, old_at) = match (next_old, fresh.peek()) {
                (Some(o), Some(&f)) if f < o => (fresh.next().unwrap_or(f), None),
                (Some(o), _) => (o, old.next()),
                (None, Some(&f)) => (fresh.next().unwrap_or(f), None),
                (None, None) => break,
            };
            let before = links.refs.len();
            let old_refs = old_at
                .and_then(|at| {
                    let at = at as usize;
                    let (start, end) = (*self.starts.get(at)?, *self.starts.get(at + 1)?);
                    self.refs.get(start as usize..end as usize)
                })
                .unwrap_or_default();
            let mut new_refs = bound
                .get(code)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|&(section, field)| Ref {
                    source: this_at,
                    section,
                    field,
                })
                .peekable();
            for r in old_refs {
                let Some(&source) = moved.get(r.source as usize) else {
                    continue;
                };
                if source == NONE {
                    continue;
                }
                while source > this_at
                    && let Some(n) = new_refs.next()
                {
                    links.refs.push(n);
                }
                links.refs.push(Ref { source, ..*r });
            }
            links.refs.extend(new_refs);
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
    fn links_after_a_forms_change_are_the_changed_catalogs() {
        use crate::model::{Record, SharedText};
        let mut catalog = crate::sample::generate(1);
        let mut links = ElementLinks::of(&catalog);
        let forms: Vec<Form> = catalog.forms.values().take(40).cloned().collect();
        let elements: Vec<String> = catalog.elements.keys().map(|c| c.to_string()).collect();
        // an element nothing references yet, so that a binding adds it to the links
        let spare = elements
            .iter()
            .find(|e| links.references(e).next().is_none())
            .cloned()
            .expect("an unreferenced element");
        let mut changed = 0;
        for (n, mut form) in forms.into_iter().enumerate() {
            match n % 5 {
                // every binding dropped: the form leaves the sources
                0 => form
                    .sections
                    .iter_mut()
                    .flat_map(|s| s.fields.iter_mut())
                    .for_each(|f| f.element = None),
                // a field bound to an element no one referenced
                1 => {
                    if let Some(f) = form
                        .sections
                        .iter_mut()
                        .flat_map(|s| s.fields.iter_mut())
                        .next()
                    {
                        f.element = Some(SharedText::from(spare.as_str()));
                    }
                }
                // fields reordered: the same elements at other places
                2 => {
                    for s in &mut form.sections {
                        s.fields.reverse();
                    }
                }
                // one element bound twelve times (paths order as text: fields[10] before [2])
                3 => {
                    let e = SharedText::from(elements[n].as_str());
                    if let Some(s) = form.sections.first_mut() {
                        let field = s.fields.first().cloned();
                        for _ in 0..12 {
                            if let Some(mut f) = field.clone() {
                                f.element = Some(e.clone());
                                s.fields.push(f);
                            }
                        }
                    }
                }
                // a new form of another item, binding what this one binds
                _ => {
                    form.code = format!("{}-NEW", form.code).into();
                    form.item = catalog.items.keys().nth(n).cloned();
                }
            }
            catalog.insert(Record::Form(form.clone()));
            links = links.with_form(&form);
            assert!(links.is_sound(), "form {n}");
            assert_eq!(
                links,
                ElementLinks::of(&catalog),
                "form {n} ({})",
                form.code
            );
            changed += 1;
        }
        assert_eq!(changed, 40);
    }

    #[test]
    fn links_after_an_elements_change_are_the_changed_catalogs() {
        use crate::model::{Record, SharedText};
        let mut catalog = crate::sample::generate(1);
        let mut links = ElementLinks::of(&catalog);
        let codes: Vec<String> = catalog.elements.keys().map(|c| c.to_string()).collect();
        let (mut children, mut roots) = (0, 0);
        for (n, code) in codes.iter().enumerate().step_by(7).take(40) {
            let mut element = catalog.elements[code.as_str()].clone();
            match n % 4 {
                // under another element (the first, or the last: before and after it)
                0 => element.parent = Some(SharedText::from(codes[0].as_str())),
                1 => element.parent = Some(SharedText::from(codes[codes.len() - 1].as_str())),
                // out from under its parent
                2 => element.parent = None,
                // a new element under this one
                _ => {
                    element.code = format!("{code}-NEW").into();
                    element.parent = Some(SharedText::from(code.as_str()));
                }
            }
            children += usize::from(element.parent.is_some());
            roots += usize::from(element.parent.is_none());
            catalog.insert(Record::Element(element.clone()));
            links = links.with_element(&element);
            assert!(links.is_sound(), "element {n}");
            assert_eq!(links, ElementLinks::of(&catalog), "element {n} ({code})");
        }
        assert!(children > 20 && roots > 5, "{children} {roots}");
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
