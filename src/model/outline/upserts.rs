//! An outline following many written records at once: new and changed items, materials,
//! forms, bundles, agencies and regions placed in one pass. Each list is laid out once and
//! every position naming its records moved once, however many records the write placed
//! (placing a county catalog's 1,300 new items one at a time among a million-element
//! catalog's 206,040 laid the items out 1,300 times: 92 s).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::ItemView;
use super::{Forms, Items, Link, NONE, Outline, Pairs, Source, Target, item_view, links_of};
use crate::model::packed_strings::Strings;
use crate::model::{Bundle, Form, Item, RecordRef};

/// A place in a list once the upserts are in it.
#[derive(Clone, Copy)]
enum Slot {
    /// A record the list held, unchanged, at this position before.
    Held(u32),
    /// The upsert at this index (a new record, or a held one changed).
    Upserted(usize),
}

/// A list's order once the upserts are in it, and where each record it held moved to.
struct Order {
    slots: Vec<Slot>,
    /// By position before: the position after (`None`: nothing moved, no upsert was new).
    moved: Option<Vec<u32>>,
}

impl Order {
    /// `codes` (in code order) with `upserts` (in code order, each once) placed among them:
    /// a held code upserted keeps its place, a new one takes its place in code order.
    fn of(codes: &Strings, upserts: &[&str]) -> Order {
        let mut slots = Vec::with_capacity(codes.len() + upserts.len());
        let mut moved = Vec::with_capacity(codes.len());
        let mut next = upserts.iter().copied().enumerate().peekable();
        let mut placed_new = false;
        for at in 0..codes.len() as u32 {
            let code = codes.get(at).unwrap_or_default();
            while let Some((j, _)) = next.next_if(|(_, up)| *up < code) {
                slots.push(Slot::Upserted(j));
                placed_new = true;
            }
            moved.push(slots.len() as u32);
            match next.next_if(|(_, up)| *up == code) {
                Some((j, _)) => slots.push(Slot::Upserted(j)),
                None => slots.push(Slot::Held(at)),
            }
        }
        for (j, _) in next {
            slots.push(Slot::Upserted(j));
            placed_new = true;
        }
        Order {
            slots,
            moved: placed_new.then_some(moved),
        }
    }

    /// Where the record held at position `at` is now.
    fn now(&self, at: u32) -> u32 {
        match &self.moved {
            Some(moved) => moved.get(at as usize).copied().unwrap_or(at),
            None => at,
        }
    }

    /// The positions of the upserts, now.
    fn upserted(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        (0u32..)
            .zip(&self.slots)
            .filter_map(|(at, slot)| match slot {
                Slot::Upserted(j) => Some((at, *j)),
                Slot::Held(_) => None,
            })
    }
}

/// `pairs` with `upserts` (code → name) in them: a held code's name set, a new code placed in
/// code order.
fn pairs_with(pairs: &Pairs, upserts: &BTreeMap<&str, &str>) -> (Pairs, Order) {
    let codes: Vec<&str> = upserts.keys().copied().collect();
    let names: Vec<&str> = upserts.values().copied().collect();
    let order = Order::of(&pairs.codes, &codes);
    let mut out = Pairs::default();
    for slot in &order.slots {
        let (code, name) = match *slot {
            Slot::Held(at) => (
                pairs.codes.get(at).unwrap_or_default(),
                pairs.names.get(at).unwrap_or_default(),
            ),
            Slot::Upserted(j) => (codes[j], names[j]),
        };
        out.codes.push(code);
        out.names.push(name);
    }
    (out, order)
}

/// Places `upserts` (code → name) in `pairs` (see [`pairs_with`]); returns where the held
/// records moved to (with none, `pairs` is left as it is and nothing moved).
fn place_pairs(pairs: &mut Arc<Pairs>, upserts: &BTreeMap<&str, &str>) -> Order {
    if upserts.is_empty() {
        return Order {
            slots: Vec::new(),
            moved: None,
        };
    }
    let (placed, order) = pairs_with(pairs, upserts);
    *pairs = Arc::new(placed);
    order
}

/// The upserts of one kind, by code (the last of a code wins).
struct Upserts<'a, T> {
    by_code: BTreeMap<&'a str, &'a T>,
}

impl<'a, T> Upserts<'a, T> {
    fn new() -> Self {
        Upserts {
            by_code: BTreeMap::new(),
        }
    }

    fn codes(&self) -> Vec<&'a str> {
        self.by_code.keys().copied().collect()
    }

    fn list(&self) -> Vec<&'a T> {
        self.by_code.values().copied().collect()
    }
}

impl Outline {
    /// Follows a write of `records` (items, materials, forms, bundles, agencies and regions,
    /// new or changed; other kinds are in no outline): a changed record set as it is now, a
    /// new one placed among its kind in code order with every position after it (in the
    /// forms' items, the links) moved on, and the links from each item, form and bundle made
    /// from what it references now, once all are placed, so that the outline is
    /// [`Outline::of`] the written catalog. One pass over each list and the links, however
    /// many records there are. Returns whether it followed them; if not (the outline is not
    /// sound, or would hold more records than a link can name), it is left as it was.
    pub fn follow_upserts(&mut self, records: &[RecordRef<'_>]) -> bool {
        let mut items = Upserts::<Item>::new();
        let mut forms = Upserts::<Form>::new();
        let mut bundles = Upserts::<Bundle>::new();
        let mut materials = BTreeMap::new();
        let mut agencies = BTreeMap::new();
        let mut regions = BTreeMap::new();
        for record in records {
            match *record {
                RecordRef::Item(i) => _ = items.by_code.insert(&*i.code, i),
                RecordRef::Form(f) => _ = forms.by_code.insert(&*f.code, f),
                RecordRef::Bundle(b) => _ = bundles.by_code.insert(&*b.code, b),
                RecordRef::Material(m) => _ = materials.insert(&*m.code, &*m.name),
                RecordRef::Agency(a) => _ = agencies.insert(&*a.code, &*a.name),
                RecordRef::Region(r) => _ = regions.insert(&*r.code, &*r.name),
                RecordRef::Element(_) => {}
            }
        }
        // (a link packs a position times four)
        let most = (u32::MAX / 4 - 1) as usize;
        let grown = |held: usize, upserts: usize| held + upserts >= most;
        if grown(self.items.heads.codes.len(), items.by_code.len())
            || grown(self.forms.len(), forms.by_code.len())
            || grown(self.bundles.codes.len(), bundles.by_code.len())
            || grown(self.materials.codes.len(), materials.len())
        {
            return false;
        }
        // the items first: laying them out is all that can fail
        let item_list = items.list();
        let item_order = Order::of(&self.items.heads.codes, &items.codes());
        if !item_list.is_empty() {
            let views: Option<Vec<ItemView<'_>>> = (item_order.slots.iter())
                .map(|slot| match *slot {
                    Slot::Held(at) => self.item_at(at),
                    Slot::Upserted(j) => Some(item_view(item_list[j])),
                })
                .collect();
            let Some(views) = views else {
                return false;
            };
            let laid_out = Items::of(&views);
            drop(views);
            self.items = Arc::new(laid_out);
        }
        let material_order = place_pairs(&mut self.materials, &materials);
        // (the bundles' upserts by code, as their names are)
        let bundle_list = bundles.list();
        let names = bundle_list.iter().map(|b| (&*b.code, &*b.name)).collect();
        let bundle_order = place_pairs(&mut self.bundles, &names);
        place_pairs(&mut self.agencies, &agencies);
        place_pairs(&mut self.regions, &regions);
        let form_list = forms.list();
        let form_order = Order::of(&self.forms.heads.codes, &forms.codes());
        let forms_move = !form_list.is_empty() || item_order.moved.is_some();
        if forms_move && !self.forms_set_in_place(&form_order, &form_list, &item_order) {
            self.forms = Arc::new(self.forms_with(&form_order, &form_list, &item_order));
        }
        // the links: positions moved, then those from every upserted item, form and bundle
        // made anew (copied first only then, when shared)
        let moved = item_order.moved.is_some()
            || material_order.moved.is_some()
            || form_order.moved.is_some()
            || bundle_order.moved.is_some();
        if moved {
            for link in Arc::make_mut(&mut self.links) {
                let to = match link.to() {
                    Target::Item(at) => Target::Item(item_order.now(at)),
                    Target::Material(at) => Target::Material(material_order.now(at)),
                };
                let from = match link.from() {
                    Some(Source::Item(at)) => Source::Item(item_order.now(at)),
                    Some(Source::Form(at)) => Source::Form(form_order.now(at)),
                    Some(Source::Bundle(at)) => Source::Bundle(bundle_order.now(at)),
                    None => continue,
                };
                // (in range: the lists were checked not to grow past what a link packs)
                if let Some(now) = Link::new(to, from) {
                    *link = now;
                }
            }
        }
        let mut sources: Vec<(Source, RecordRef<'_>)> = Vec::new();
        for (at, j) in item_order.upserted() {
            sources.push((Source::Item(at), RecordRef::Item(item_list[j])));
        }
        for (at, j) in form_order.upserted() {
            sources.push((Source::Form(at), RecordRef::Form(form_list[j])));
        }
        for (at, j) in bundle_order.upserted() {
            sources.push((Source::Bundle(at), RecordRef::Bundle(bundle_list[j])));
        }
        if !sources.is_empty() {
            let froms: HashSet<u32> = (sources.iter())
                .filter_map(|(from, _)| Link::new(Target::Item(0), *from).map(|l| l.from))
                .collect();
            let made: Vec<Link> = (sources.into_iter())
                .flat_map(|(from, record)| links_of(&self.items, &self.materials, from, record))
                .collect();
            let links = Arc::make_mut(&mut self.links);
            links.retain(|l| !froms.contains(&l.from));
            links.extend(made);
        } else if !moved {
            // (a sound outline's links are in order already)
            return true;
        }
        let links = Arc::make_mut(&mut self.links);
        links.sort_unstable();
        links.dedup();
        true
    }

    /// Sets the upserted forms (`upserts`, in `order`) as they are now where they are, when
    /// none is new or renamed and no item moved (`items`): a form saved has its item, field
    /// count, status and version set in place, where laying the forms out again held a
    /// second copy of them (8.6 MB at a million elements). False, and nothing set, otherwise.
    fn forms_set_in_place(&mut self, order: &Order, upserts: &[&Form], items: &Order) -> bool {
        let forms = &self.forms;
        let renamed = |(at, j): (u32, usize)| {
            let name = upserts.get(j).map(|f| &*f.name);
            forms.heads.names.get(at) != name
        };
        if order.moved.is_some() || items.moved.is_some() || order.upserted().any(renamed) {
            return false;
        }
        for (at, j) in order.upserted() {
            let (Some(form), i) = (upserts.get(j), at as usize) else {
                continue;
            };
            let item = (form.item.as_deref()).and_then(|i| self.items.heads.position(i));
            let fields = u32::try_from(form.field_count()).unwrap_or(u32::MAX);
            // (a sound outline's columns are as long as its forms)
            let forms = Arc::make_mut(&mut self.forms);
            put(&mut forms.items, i, item.unwrap_or(NONE));
            put(&mut forms.fields, i, fields);
            put(&mut forms.statuses, i, form.status);
            put(&mut forms.versions, i, form.version);
        }
        true
    }

    /// The forms in `order`, the upserted ones (`upserts`) as they are now and the others
    /// with their items' positions moved as `items` moved them (the items laid out already).
    fn forms_with(&self, order: &Order, upserts: &[&Form], items: &Order) -> Forms {
        let old = &self.forms;
        let mut forms = Forms::default();
        for slot in &order.slots {
            match *slot {
                Slot::Held(at) => {
                    let i = at as usize;
                    forms
                        .heads
                        .codes
                        .push(old.heads.codes.get(at).unwrap_or_default());
                    forms
                        .heads
                        .names
                        .push(old.heads.names.get(at).unwrap_or_default());
                    let item = old.items.get(i).copied().unwrap_or(NONE);
                    forms.items.push(match item {
                        NONE => NONE,
                        item => items.now(item),
                    });
                    forms
                        .fields
                        .push(old.fields.get(i).copied().unwrap_or_default());
                    forms
                        .statuses
                        .push(old.statuses.get(i).copied().unwrap_or_default());
                    forms
                        .versions
                        .push(old.versions.get(i).copied().unwrap_or_default());
                }
                Slot::Upserted(j) => {
                    let form = upserts[j];
                    forms.heads.codes.push(&form.code);
                    forms.heads.names.push(&form.name);
                    let item = form
                        .item
                        .as_deref()
                        .and_then(|i| self.items.heads.position(i));
                    forms.items.push(item.unwrap_or(NONE));
                    let fields = u32::try_from(form.field_count()).unwrap_or(u32::MAX);
                    forms.fields.push(fields);
                    forms.statuses.push(form.status);
                    forms.versions.push(form.version);
                }
            }
        }
        forms
    }
}

/// Sets `list[at]` to `value` (nothing past the end).
fn put<T>(list: &mut [T], at: usize, value: T) {
    if let Some(x) = list.get_mut(at) {
        *x = value;
    }
}
