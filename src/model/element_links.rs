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

/// The path of a reference, as a list orders a record's references by it.
fn place(r: &Ref) -> RefPath {
    match r.section {
        NONE => RefPath::Field(RefField::Parent),
        section => RefPath::form_field(section as usize, r.field as usize),
    }
}

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

/// One record's references as a change leaves them (see [`ElementLinks::with_changes`]):
/// the record, its item (a form's), and each element it references with the places of its
/// references (their section and field) in path order; none when it
/// references none, or is deleted.
#[derive(Clone, Debug)]
pub struct LinkChange<'a> {
    this: (Kind, &'a str),
    item: Option<&'a str>,
    bound: Bound<'a>,
}

/// The elements a record references, each with the places of its references (their section
/// and field) in path order.
type Bound<'a> = BTreeMap<&'a str, Vec<(u32, u32)>>;

impl<'a> LinkChange<'a> {
    /// The form `form` as changed (or new): its bindings, by element, each element's in path
    /// order (as the catalog has them).
    pub fn form(form: &'a Form) -> LinkChange<'a> {
        let mut bound = Bound::new();
        for (s, f, field) in form.fields() {
            if let Some(element) = field.element.as_deref() {
                bound.entry(element).or_default().push((s as u32, f as u32));
            }
        }
        for places in bound.values_mut() {
            places.sort_by_cached_key(|&(s, f)| RefPath::form_field(s as usize, f as usize));
        }
        LinkChange {
            this: (Kind::Form, form.code.as_str()),
            item: form.item.as_deref(),
            bound,
        }
    }

    /// The element `element` as changed (or new): its reference to its parent.
    pub fn element(element: &'a Element) -> LinkChange<'a> {
        let bound = element
            .parent
            .as_deref()
            .map(|parent| (parent, vec![(NONE, 1)]))
            .into_iter()
            .collect();
        LinkChange {
            this: (Kind::Element, element.code.as_str()),
            item: None,
            bound,
        }
    }

    /// The record `code` of `kind` deleted: it references nothing.
    pub fn deleted(kind: Kind, code: &'a str) -> LinkChange<'a> {
        LinkChange {
            this: (kind, code),
            item: None,
            bound: BTreeMap::new(),
        }
    }

    /// Whether the record, as this change leaves it, references what it referenced as
    /// `before` left it (the same record as stored): the same elements at the same places,
    /// of the same item. Then the links stay as they are. A record that references no
    /// element is in no links, whatever its item.
    pub fn references_as(&self, before: &LinkChange<'_>) -> bool {
        (!self.keeps() && !before.keeps())
            || (self.item == before.item && self.bound == before.bound)
    }

    /// Whether the record still references an element (else it leaves the sources).
    fn keeps(&self) -> bool {
        !self.bound.is_empty()
    }
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

    /// Whether `changes` change these links (see [`ElementLinks::with_changes`]): a changed
    /// record that references other elements than it did, or the same at other places, or
    /// (a form) of another item. One pass over the references and no copy: a save that keeps
    /// every binding (an element renamed, a form's labels edited) leaves the links as they are
    /// instead of making them anew beside themselves (21 MB at a million elements).
    pub fn changed_by(&self, changes: &[LinkChange<'_>]) -> bool {
        // each changed record among the sources, by its position there
        let mut at: BTreeMap<u32, &LinkChange<'_>> = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        // (of a record changed twice the last change counts, as `with_changes` keeps it)
        for c in changes.iter().rev() {
            if !seen.insert(c.this) {
                continue;
            }
            match self.source_at(c.this) {
                None if c.keeps() => return true,
                None => {}
                Some(_) if !c.keeps() => return true,
                Some(s) => {
                    let item = (self.source_items.get(s as usize))
                        .filter(|&&i| i != NONE)
                        .and_then(|&i| self.items.get(i));
                    if item != c.item {
                        return true;
                    }
                    at.insert(s, c);
                }
            }
        }
        // the references of those records as the links hold them, by element, in path order
        let mut held: BTreeMap<u32, Bound<'_>> = BTreeMap::new();
        if !at.is_empty() {
            for (e, w) in (0u32..).zip(self.starts.windows(2)) {
                let refs = self
                    .refs
                    .get(w[0] as usize..w[1] as usize)
                    .unwrap_or_default();
                for r in refs.iter().filter(|r| at.contains_key(&r.source)) {
                    let element = self.elements.get(e).unwrap_or_default();
                    let places = held.entry(r.source).or_default().entry(element);
                    places.or_default().push((r.section, r.field));
                }
            }
        }
        at.iter().any(|(s, c)| held.get(s) != Some(&c.bound))
    }

    /// The position of the record `this` among the sources (`None`: it references no
    /// element), by binary search.
    fn source_at(&self, this: (Kind, &str)) -> Option<u32> {
        let (mut low, mut high) = (0u32, u32::try_from(self.sources.len()).ok()?);
        while low < high {
            let mid = low + (high - low) / 2;
            let kind = *self.source_kinds.get(mid as usize)?;
            match (kind, self.sources.get(mid)?).cmp(&this) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The links after the records of `changes` changed, each one's references replaced by
    /// those it makes now (a form with no binding drops out), in one pass over the links (a
    /// merge of an element bound in 700 forms follows them at once, where a pass a form took
    /// 2 s at a million elements): the links [`ElementLinks::of`] makes of the catalog with
    /// the changes made, element by element and reference by reference. What a write near
    /// its records keeps `links.idx` with, without the catalog. A record changed twice is
    /// followed as the last change has it.
    pub fn with_changes(&self, changes: &[LinkChange<'_>]) -> ElementLinks {
        let mut changes: Vec<&LinkChange<'_>> = changes.iter().collect();
        // (stable: of one record's changes the last is kept)
        changes.sort_by_key(|c| c.this);
        let mut last: Vec<&LinkChange<'_>> = Vec::with_capacity(changes.len());
        for c in changes {
            match last.last_mut() {
                Some(kept) if kept.this == c.this => *kept = c,
                _ => last.push(c),
            }
        }
        let changes = last;
        let source = |at: u32| Some((*self.source_kinds.get(at as usize)?, self.sources.get(at)?));
        // the items of the sources that stay, and those of the changed records that reference
        // an element, each once and in code order
        let staying: Vec<bool> = (0..self.sources.len() as u32)
            .map(|at| {
                source(at).is_some_and(|s| changes.binary_search_by_key(&s, |c| c.this).is_err())
            })
            .collect();
        let mut item_used = vec![false; self.items.len()];
        for (at, stays) in staying.iter().enumerate() {
            if let Some(&i) = self.source_items.get(at)
                && *stays
                && i != NONE
                && let Some(used) = item_used.get_mut(i as usize)
            {
                *used = true;
            }
        }
        let mut added: Vec<&str> = Vec::new();
        for c in changes.iter().filter(|c| c.keeps()) {
            match c.item.map(|i| (i, self.items.position(i))) {
                Some((_, Some(at))) => item_used[at as usize] = true,
                Some((item, None)) => added.push(item),
                None => {}
            }
        }
        added.sort_unstable();
        added.dedup();
        // sized as the old links, plus the changes' references: growing by doubling would hold
        // half as much again at the peak (at a million elements the links are 16 MB)
        let bound = || changes.iter().flat_map(|c| c.bound.iter());
        let extra: usize = bound().map(|(_, places)| places.len()).sum();
        let strings = |old: &Strings, more: usize, bytes: usize| Strings {
            text: String::with_capacity(old.text.len() + bytes),
            ends: Vec::with_capacity(old.len() + more),
        };
        let bound_bytes = bound().map(|(e, _)| e.len()).sum();
        let this_bytes = changes.iter().map(|c| c.this.1.len()).sum();
        let item_bytes = added.iter().map(|i| i.len()).sum();
        let mut links = ElementLinks {
            elements: strings(&self.elements, bound().count(), bound_bytes),
            starts: Vec::with_capacity(self.starts.len() + bound().count()),
            refs: Vec::with_capacity(self.refs.len() + extra),
            sources: strings(&self.sources, changes.len(), this_bytes),
            source_kinds: Vec::with_capacity(self.source_kinds.len() + changes.len()),
            source_items: Vec::with_capacity(self.source_items.len() + changes.len()),
            items: strings(&self.items, added.len(), item_bytes),
        };
        // the items: those still used, with the added ones in their places
        let mut item_at = Vec::with_capacity(self.items.len());
        let mut fresh_items = added.iter().copied().peekable();
        for at in 0..self.items.len() as u32 {
            let Some(item) = self.items.get(at) else {
                item_at.push(NONE);
                continue;
            };
            while let Some(a) = fresh_items.next_if(|a| *a < item) {
                links.items.push(a);
            }
            item_at.push(match item_used[at as usize] {
                true => links.items.push(item),
                false => NONE,
            });
        }
        for a in fresh_items {
            links.items.push(a);
        }
        // the sources that stay and the changed records that reference an element, in
        // (kind, code) order
        let mut moved = Vec::with_capacity(self.sources.len());
        let mut change_at = vec![NONE; changes.len()];
        let mut pending = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.keeps())
            .peekable();
        let mut push_change = |links: &mut ElementLinks, n: usize, c: &LinkChange<'_>| {
            change_at[n] = links.sources.push(c.this.1);
            links.source_kinds.push(c.this.0);
            let item = c.item.and_then(|i| links.items.position(i));
            links.source_items.push(item.unwrap_or(NONE));
        };
        for at in 0..self.sources.len() as u32 {
            let Some(old) = source(at).filter(|_| staying[at as usize]) else {
                moved.push(NONE);
                continue;
            };
            while let Some((n, c)) = pending.next_if(|(_, c)| c.this < old) {
                push_change(&mut links, n, c);
            }
            moved.push(links.sources.push(old.1));
            links.source_kinds.push(old.0);
            let item = match self.source_items.get(at as usize) {
                Some(&i) if i != NONE => item_at.get(i as usize).copied().unwrap_or(NONE),
                _ => NONE,
            };
            links.source_items.push(item);
        }
        for (n, c) in pending {
            push_change(&mut links, n, c);
        }
        // the changed records' references by element, each element's by source (the changes
        // are in source order) and path
        let mut fresh: BTreeMap<&str, Vec<Ref>> = BTreeMap::new();
        for (c, &source) in changes.iter().zip(&change_at) {
            if source == NONE {
                continue;
            }
            for (element, places) in &c.bound {
                let refs = fresh.entry(element).or_default();
                refs.extend(places.iter().map(|&(section, field)| Ref {
                    source,
                    section,
                    field,
                }));
            }
        }
        // the elements referenced before and those the changes reference, merged in code order
        links.starts.push(0);
        let mut fresh = fresh.into_iter().peekable();
        let mut old = (0..self.elements.len() as u32).peekable();
        loop {
            let next_old = old.peek().and_then(|&at| self.elements.get(at));
            let next_fresh = fresh.peek().map(|(code, _)| *code);
            let (code, old_at, new_refs) = match (next_old, next_fresh) {
                (Some(o), Some(f)) if f < o => {
                    let (f, refs) = fresh.next().unwrap_or((f, Vec::new()));
                    (f, None, refs)
                }
                (Some(o), f) => {
                    let refs = match f == Some(o) {
                        true => fresh.next().map(|(_, refs)| refs).unwrap_or_default(),
                        false => Vec::new(),
                    };
                    (o, old.next(), refs)
                }
                (None, Some(f)) => {
                    let (f, refs) = fresh.next().unwrap_or((f, Vec::new()));
                    (f, None, refs)
                }
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
            let mut new_refs = new_refs.into_iter().peekable();
            for r in old_refs {
                let Some(&source) = moved.get(r.source as usize) else {
                    continue;
                };
                if source == NONE {
                    continue;
                }
                while let Some(n) = new_refs.next_if(|n| n.source < source) {
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

    /// The links after the element `merge` was merged into `keep`, made in place (at a
    /// million elements the links are about 30 MB, and following the merge's records with
    /// [`ElementLinks::with_changes`] a chunk at a time made a copy for each): the references
    /// to `merge` become references to `keep`, but that of `keep` itself (when it was under
    /// `merge`), which goes to `kept_parent` (its parent as the merge leaves it; none:
    /// dropped), and `merge`'s own reference to its parent goes. What `with_changes` of the
    /// rebound records and `merge` deleted gives.
    pub fn merge_element(&mut self, keep: &str, merge: &str, kept_parent: Option<&str>) {
        let source_of = |links: &ElementLinks, code: &str| {
            (0..links.sources.len() as u32).find(|&at| {
                links.source_kinds.get(at as usize) == Some(&Kind::Element)
                    && links.sources.get(at) == Some(code)
            })
        };
        let (keep_source, merge_source) = (source_of(self, keep), source_of(self, merge));
        let moved = match self.elements.position(merge) {
            Some(at) => self.take_list(at),
            None => Vec::new(),
        };
        let (of_keep, others): (Vec<Ref>, Vec<Ref>) = moved
            .into_iter()
            .partition(|r| Some(r.source) == keep_source);
        self.add_refs(keep, others);
        if let (Some(parent), false) = (kept_parent, of_keep.is_empty()) {
            self.add_refs(parent, of_keep);
        }
        // the merged element references nothing now, and the kept one no parent if none
        let kept_bare = kept_parent.is_none() && keep_source.is_some();
        let gone: Vec<u32> = [merge_source, keep_source.filter(|_| kept_bare)]
            .into_iter()
            .flatten()
            .filter(|&s| Some(s) == merge_source || !self.refs.iter().any(|r| r.source == s))
            .collect();
        if let Some(s) = merge_source {
            self.retain_refs(|r| r.source != s);
        }
        let mut gone = gone;
        gone.sort_unstable_by(|a, b| b.cmp(a));
        for s in gone {
            self.remove_source(s);
        }
    }

    /// Takes the references to the element at position `at` out, with its entry.
    fn take_list(&mut self, at: u32) -> Vec<Ref> {
        let at = at as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(at), self.starts.get(at + 1)) else {
            return Vec::new();
        };
        let taken: Vec<Ref> = self.refs.drain(start as usize..end as usize).collect();
        self.starts.remove(at + 1);
        for s in &mut self.starts[at + 1..] {
            *s -= end - start;
        }
        self.elements.remove(at as u32);
        taken
    }

    /// Adds `new` to the references to the element `code` (its entry made if it has none),
    /// in order: by source, then path.
    fn add_refs(&mut self, code: &str, new: Vec<Ref>) {
        if new.is_empty() {
            return;
        }
        let added = new.len() as u32;
        let at = match self.elements.search(code) {
            Ok(at) => at as usize,
            Err(at) => {
                let start = self.starts.get(at as usize).copied().unwrap_or(0);
                self.elements.insert(at, code);
                self.starts
                    .insert((at as usize + 1).min(self.starts.len()), start);
                at as usize
            }
        };
        let (Some(&start), Some(&end)) = (self.starts.get(at), self.starts.get(at + 1)) else {
            return;
        };
        let range = start as usize..end as usize;
        let mut list: Vec<Ref> = self.refs.get(range.clone()).unwrap_or_default().to_vec();
        list.extend(new);
        list.sort_by_cached_key(|r| (r.source, place(r)));
        self.refs.splice(range, list);
        for s in self.starts.iter_mut().skip(at + 1) {
            *s += added;
        }
    }

    /// Keeps only the references `keep` says, dropping the elements left with none.
    fn retain_refs(&mut self, keep: impl Fn(&Ref) -> bool) {
        let mut kept = 0usize;
        let (mut elements, mut starts) = (Strings::default(), vec![0u32]);
        for (e, bounds) in self.starts.windows(2).enumerate() {
            let before = kept;
            for at in bounds[0] as usize..bounds[1] as usize {
                if let Some(&r) = self.refs.get(at)
                    && keep(&r)
                {
                    self.refs[kept] = r;
                    kept += 1;
                }
            }
            if kept > before
                && let Some(code) = self.elements.get(e as u32)
            {
                elements.push(code);
                starts.push(kept as u32);
            }
        }
        self.refs.truncate(kept);
        self.elements = elements;
        self.starts = starts;
    }

    /// Takes the source at position `s` out, the references to those after it renumbered
    /// (it is an element's: it has no item).
    fn remove_source(&mut self, s: u32) {
        self.sources.remove(s);
        if (s as usize) < self.source_kinds.len() {
            self.source_kinds.remove(s as usize);
            self.source_items.remove(s as usize);
        }
        for r in &mut self.refs {
            if r.source > s {
                r.source -= 1;
            }
        }
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
            links = links.with_changes(&[LinkChange::form(&form)]);
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
            links = links.with_changes(&[LinkChange::element(&element)]);
            assert!(links.is_sound(), "element {n}");
            assert_eq!(links, ElementLinks::of(&catalog), "element {n} ({code})");
        }
        assert!(children > 20 && roots > 5, "{children} {roots}");
    }

    /// Changes made together (forms rebound, moved to other items or left with no binding,
    /// new forms, elements moved, new and deleted; one record changed twice) are followed
    /// in one pass as the changed catalog's links.
    #[test]
    fn links_after_changes_made_together_are_the_changed_catalogs() {
        use crate::model::{Record, SharedText};
        let mut catalog = crate::sample::generate(1);
        let codes: Vec<String> = catalog.elements.keys().map(|c| c.to_string()).collect();
        // an element under another that nothing references, to be deleted
        let deleted = "DE-GONE".to_string();
        let mut gone = catalog.elements[codes[2].as_str()].clone();
        gone.code = deleted.as_str().into();
        gone.parent = Some(SharedText::from(codes[3].as_str()));
        catalog.insert(Record::Element(gone));
        let links = ElementLinks::of(&catalog);
        let items: Vec<String> = catalog.items.keys().map(|c| c.to_string()).collect();
        let mut forms: Vec<Form> = Vec::new();
        for (n, form) in catalog.forms.values().step_by(3).take(30).enumerate() {
            let mut form = form.clone();
            let fields = form.sections.iter_mut().flat_map(|s| s.fields.iter_mut());
            match n % 5 {
                0 => fields.for_each(|f| f.element = None),
                1 => fields.for_each(|f| f.element = Some(SharedText::from(codes[n].as_str()))),
                2 => form.item = Some(items[items.len() - 1 - n].as_str().into()),
                3 => form.item = None,
                _ => {
                    form.code = format!("{}-NEW", form.code).into();
                    form.item = Some(items[n].as_str().into());
                }
            }
            forms.push(form);
        }
        // a form changed again: the last change counts
        let mut again = forms[2].clone();
        again.sections.iter_mut().for_each(|s| s.fields.reverse());
        forms.push(again);
        let mut elements: Vec<Element> = Vec::new();
        for (n, code) in codes.iter().enumerate().step_by(11).take(12) {
            let mut element = catalog.elements[code.as_str()].clone();
            match n % 3 {
                0 => element.parent = Some(SharedText::from(codes[1].as_str())),
                1 => element.parent = None,
                _ => {
                    element.code = format!("{code}-NEW").into();
                    element.parent = Some(SharedText::from(code.as_str()));
                }
            }
            elements.push(element);
        }
        let mut changes: Vec<LinkChange<'_>> = forms.iter().map(LinkChange::form).collect();
        changes.extend(elements.iter().map(LinkChange::element));
        changes.push(LinkChange::deleted(Kind::Element, &deleted));
        let followed = links.with_changes(&changes);
        for form in &forms {
            catalog.insert(Record::Form(form.clone()));
        }
        for element in &elements {
            catalog.insert(Record::Element(element.clone()));
        }
        catalog.remove(Kind::Element, &deleted);
        assert!(followed.is_sound());
        assert_eq!(followed, ElementLinks::of(&catalog));
        assert_ne!(followed, links);
    }

    #[test]
    fn changes_that_keep_every_reference_are_known_without_a_copy() {
        use crate::model::SharedText;
        let catalog = crate::sample::generate(1);
        let links = ElementLinks::of(&catalog);
        // whether the changes change the links, as `with_changes` makes them
        let changes = |changes: &[LinkChange<'_>]| {
            let changed = links.changed_by(changes);
            assert_eq!(changed, links.with_changes(changes) != links, "{changes:?}");
            changed
        };
        let child = (catalog.elements.values()).find(|e| e.parent.is_some());
        let root = (catalog.elements.values()).find(|e| e.parent.is_none());
        let bound = |f: &&Form| f.fields().any(|(_, _, field)| field.element.is_some());
        let form = catalog.forms.values().find(bound);
        let (Some(child), Some(root), Some(form)) = (child, root, form) else {
            panic!("the sample has a child element, a root and a bound form");
        };
        // kept: elements renamed, under their parents or none; a form's name and labels
        let mut renamed = child.clone();
        renamed.name = "改了名".into();
        let mut renamed_root = root.clone();
        renamed_root.name = "也改了名".into();
        let mut labelled = form.clone();
        labelled.name = "新表名".into();
        for section in &mut labelled.sections {
            for field in &mut section.fields {
                field.label = format!("{}（新）", field.label).into();
            }
        }
        let mut new_root = root.clone();
        new_root.code = "DE999999".into();
        let kept = [
            LinkChange::element(&renamed),
            LinkChange::element(&renamed_root),
            LinkChange::form(&labelled),
            LinkChange::element(&new_root),
        ];
        assert!(!changes(&kept));
        // changed: a parent dropped, a new child, a binding dropped, another item, a form
        // deleted; and a record changed twice counts as its last change has it
        let mut moved = child.clone();
        moved.parent = None;
        let mut new_child = root.clone();
        new_child.code = "DE999998".into();
        new_child.parent = Some(SharedText::from(root.code.as_str()));
        let mut unbound = form.clone();
        if let Some(field) = (unbound.sections.iter_mut())
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.element.is_some())
        {
            field.element = None;
        }
        let mut other_item = form.clone();
        let item = catalog
            .items
            .keys()
            .find(|i| Some(*i) != form.item.as_ref());
        other_item.item = item.cloned();
        let deleted = LinkChange::deleted(Kind::Form, &form.code);
        // each with the change that undoes it
        let as_it_was = LinkChange::form(form);
        for (change, undone) in [
            (LinkChange::element(&moved), LinkChange::element(child)),
            (
                LinkChange::element(&new_child),
                LinkChange::deleted(Kind::Element, "DE999998"),
            ),
            (LinkChange::form(&unbound), as_it_was.clone()),
            (LinkChange::form(&other_item), as_it_was.clone()),
            (deleted.clone(), as_it_was.clone()),
        ] {
            assert!(changes(std::slice::from_ref(&change)), "{change:?}");
            assert!(changes(&[LinkChange::element(&renamed), change.clone()]));
            assert!(!changes(&[change, undone]), "undone");
        }
        assert!(!changes(&[deleted, LinkChange::form(&labelled)]));
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

#[cfg(test)]
mod merge_tests {
    use super::*;
    use crate::engine::dups;
    use crate::model::{Catalog, Record};
    use crate::store::Command;

    /// The catalog after the merge of `merge` into `keep`, as the loaded store applies it.
    fn merged(catalog: &Catalog, keep: &str, merge: &str) -> Catalog {
        let mut after = catalog.clone();
        let batch = dups::merge_batch(catalog, keep, merge, true).unwrap();
        after.apply_changes(batch.commands.into_iter().map(|c| match c {
            Command::Upsert(r) => ((r.kind(), r.code().to_string()), Some(r)),
            Command::Delete { kind, code } => ((kind, code), None),
        }));
        after
    }

    /// Merging in place gives the links of the merged catalog: an element under another
    /// merged into the one under it (which takes its place, under the first), one with a
    /// parent and children merged into another element, one nothing references, and pairs of
    /// the sample's, forms binding both elements of a pair among them.
    #[test]
    fn an_element_merged_in_place_gives_the_merged_catalogs_links() {
        let mut catalog = crate::sample::generate(1);
        let codes: Vec<String> = catalog.elements.keys().map(|c| c.to_string()).collect();
        let template = catalog.elements[codes[0].as_str()].clone();
        let element = |code: &str, parent: Option<&str>| {
            let mut e = template.clone();
            e.code = code.into();
            e.name = format!("元素{code}").into();
            e.parent = parent.map(Into::into);
            Record::Element(e)
        };
        catalog.insert(element("ZG", None));
        catalog.insert(element("ZM", Some("ZG")));
        catalog.insert(element("ZK", Some("ZM")));
        catalog.insert(element("ZC", Some("ZM")));
        // forms binding ZM, ZK or both
        for (n, form) in catalog.forms.clone().values().take(6).enumerate() {
            let mut form = form.clone();
            let fields = form.sections.iter_mut().flat_map(|s| s.fields.iter_mut());
            for (f, field) in fields.enumerate() {
                if (f + n) % 3 == 0 {
                    field.element = Some(if n % 2 == 0 { "ZM" } else { "ZK" }.into());
                }
            }
            catalog.insert(Record::Form(form));
        }
        let mut pairs = vec![
            ("ZK".to_string(), "ZM".to_string()),
            ("ZG".to_string(), "ZM".to_string()),
            (codes[1].clone(), "ZC".to_string()),
        ];
        for pair in dups::find(&catalog).elements.iter().take(8) {
            pairs.push((pair.keep.clone(), pair.merge.clone()));
        }
        for (keep, merge) in pairs {
            let winner = dups::merge_batch(&catalog, &keep, &merge, true).unwrap();
            let Some(Command::Upsert(Record::Element(kept))) = winner.commands.first() else {
                panic!("the kept element first");
            };
            let mut links = ElementLinks::of(&catalog);
            links.merge_element(&keep, &merge, kept.parent.as_deref());
            let expected = ElementLinks::of(&merged(&catalog, &keep, &merge));
            assert_eq!(links, expected, "{merge} into {keep}");
            assert!(links.is_sound());
        }
    }
}
