//! A catalog's outline: what its tree (pane 1) shows of it — items with their level,
//! parent, agency, region and type; materials and bundles by code and name; the names of
//! agencies and regions — what pane 3's list shows of each form (code, name, item, field
//! count, status, version), and who references an item (its forms, the bundles holding it),
//! so that an item's detail can be read from the store without the catalog. It is a few dozen
//! bytes per item, so it can be cached beside the store and read before the database opens:
//! the tree is drawn at once and the whole catalog loads behind it (or when needed).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::packed_strings::Strings;
use super::{Catalog, ItemLevel, ItemType, Kind, RecordRef, Status};

mod upserts;

/// An item as the tree places it, borrowed from a catalog or an outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemView<'a> {
    /// 事项编码.
    pub code: &'a str,
    /// 事项名称.
    pub name: &'a str,
    /// The item level.
    pub level: ItemLevel,
    /// The item one level up.
    pub parent: Option<&'a str>,
    /// 事项类型.
    pub item_type: ItemType,
    /// 实施主体 code.
    pub agency: Option<&'a str>,
    /// 行政区划 code.
    pub region: Option<&'a str>,
}

/// A form as pane 3's list and `form list` show it, borrowed from a catalog or an outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormView<'a> {
    /// 表单编码.
    pub code: &'a str,
    /// 表单名称.
    pub name: &'a str,
    /// The item the form belongs to.
    pub item: Option<&'a str>,
    /// How many fields it has.
    pub fields: usize,
    /// Workflow state.
    pub status: Status,
    /// Version number.
    pub version: u32,
}

impl<'a> FormView<'a> {
    /// The view of a form record.
    pub fn of(form: &'a super::Form) -> FormView<'a> {
        FormView {
            code: &form.code,
            name: &form.name,
            item: form.item.as_deref(),
            fields: form.field_count(),
            status: form.status,
            version: form.version,
        }
    }
}

/// What a tree (and pane 3's list) is built from: the loaded [`Catalog`] or an [`Outline`].
/// Lists come in code order.
pub trait OutlineSource {
    /// Every item.
    fn items(&self) -> Vec<ItemView<'_>>;
    /// Calls `f` with every item, in the order of [`OutlineSource::items`], without
    /// collecting them (a million-element catalog has 206,040).
    fn for_each_item<'a>(&'a self, f: impl FnMut(ItemView<'a>));
    /// Every material as (code, name).
    fn materials(&self) -> Vec<(&str, &str)>;
    /// Every bundle as (code, name).
    fn bundles(&self) -> Vec<(&str, &str)>;
    /// The name of an agency, if it exists.
    fn agency_name(&self, code: &str) -> Option<&str>;
    /// The name of a region, if it exists.
    fn region_name(&self, code: &str) -> Option<&str>;
    /// The item `code`, if it exists.
    fn item(&self, code: &str) -> Option<ItemView<'_>>;
    /// How many forms there are.
    fn form_count(&self) -> usize;
    /// Calls `f` with every form, in code order.
    fn for_each_form<'a>(&'a self, f: impl FnMut(FormView<'a>));
    /// The form `code`, if it exists.
    fn form(&self, code: &str) -> Option<FormView<'_>>;
}

/// An item record as the tree places it.
fn item_view(i: &super::Item) -> ItemView<'_> {
    ItemView {
        code: &i.code,
        name: &i.name,
        level: i.level,
        parent: i.parent.as_deref(),
        item_type: i.item_type,
        agency: i.agency.as_deref(),
        region: i.region.as_deref(),
    }
}

impl OutlineSource for Catalog {
    fn items(&self) -> Vec<ItemView<'_>> {
        let mut items = Vec::with_capacity(self.items.len());
        self.for_each_item(|i| items.push(i));
        items
    }

    fn for_each_item<'a>(&'a self, f: impl FnMut(ItemView<'a>)) {
        self.items.values().map(item_view).for_each(f);
    }

    fn materials(&self) -> Vec<(&str, &str)> {
        self.materials
            .values()
            .map(|m| (m.code.as_str(), m.name.as_str()))
            .collect()
    }

    fn bundles(&self) -> Vec<(&str, &str)> {
        self.bundles
            .values()
            .map(|b| (b.code.as_str(), b.name.as_str()))
            .collect()
    }

    fn agency_name(&self, code: &str) -> Option<&str> {
        self.agencies.get(code).map(|a| a.name.as_str())
    }

    fn region_name(&self, code: &str) -> Option<&str> {
        self.regions.get(code).map(|r| r.name.as_str())
    }

    fn item(&self, code: &str) -> Option<ItemView<'_>> {
        self.items.get(code).map(item_view)
    }

    fn form_count(&self) -> usize {
        self.forms.len()
    }

    fn for_each_form<'a>(&'a self, f: impl FnMut(FormView<'a>)) {
        self.forms.values().map(FormView::of).for_each(f);
    }

    fn form(&self, code: &str) -> Option<FormView<'_>> {
        self.forms.get(code).map(FormView::of)
    }
}

/// "No string" in an index column.
const NONE: u32 = u32::MAX;

/// The links a record at `from` makes to the items and materials it references.
fn links_of(items: &Items, materials: &Pairs, from: Source, record: RecordRef<'_>) -> Vec<Link> {
    let mut links = Vec::new();
    record.for_each_reference(|r| {
        let to = match r.target {
            Kind::Item => items.heads.position(r.code).map(Target::Item),
            Kind::Material => materials.position(r.code).map(Target::Material),
            _ => None,
        };
        links.extend(to.and_then(|to| Link::new(to, from)));
    });
    links
}

/// A (code, name) list, in code order.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
struct Pairs {
    codes: Strings,
    names: Strings,
}

impl Pairs {
    fn of<'a>(list: impl IntoIterator<Item = (&'a str, &'a str)>) -> Pairs {
        let mut pairs = Pairs::default();
        for (code, name) in list {
            pairs.codes.push(code);
            pairs.names.push(name);
        }
        pairs
    }

    fn list(&self) -> Vec<(&str, &str)> {
        (0..self.codes.len() as u32)
            .filter_map(|i| Some((self.codes.get(i)?, self.names.get(i)?)))
            .collect()
    }

    /// The name of a code, by binary search over the codes in place (regrouping the tree
    /// asks once per item).
    fn name_of(&self, code: &str) -> Option<&str> {
        self.names.get(self.position(code)?)
    }

    /// The position of a code, by binary search over the codes in place.
    fn position(&self, code: &str) -> Option<u32> {
        self.codes.position(code)
    }

    fn is_sound(&self) -> bool {
        self.codes.is_sound()
            && self.names.is_sound()
            && self.codes.len() == self.names.len()
            && self.list().windows(2).all(|w| w[0].0 < w[1].0)
    }
}

/// Items column by column; `parents`, `agencies` and `regions` index `refs` (or are
/// [`NONE`]).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
struct Items {
    heads: Pairs,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    levels: Vec<ItemLevel>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    types: Vec<ItemType>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    parents: Vec<u32>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    agencies: Vec<u32>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    regions: Vec<u32>,
    /// The codes items refer to, each once.
    refs: Strings,
}

impl Items {
    /// The columns of `list` (every item, in code order), the codes they refer to interned
    /// in the order they first occur.
    fn of(list: &[ItemView<'_>]) -> Items {
        let mut items = Items::default();
        let mut interned: HashMap<&str, u32> = HashMap::new();
        for item in list {
            items.heads.codes.push(item.code);
            items.heads.names.push(item.name);
            items.levels.push(item.level);
            items.types.push(item.item_type);
            for (code, column) in [
                (item.parent, &mut items.parents),
                (item.agency, &mut items.agencies),
                (item.region, &mut items.regions),
            ] {
                column.push(match code {
                    None => NONE,
                    Some(code) => *interned
                        .entry(code)
                        .or_insert_with(|| items.refs.push(code)),
                });
            }
        }
        items
    }

    /// [`Items::of`] every item `views` holds; `None` when one could not be viewed.
    fn of_all(views: Option<Vec<ItemView<'_>>>) -> Option<Items> {
        views.map(|views| Items::of(&views))
    }
}

/// Forms column by column: `items` index the outline's items (or are [`NONE`]).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
struct Forms {
    heads: Pairs,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    items: Vec<u32>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    fields: Vec<u32>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    statuses: Vec<Status>,
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    versions: Vec<u32>,
}

impl Forms {
    fn len(&self) -> usize {
        self.heads.codes.len()
    }

    fn is_sound(&self, items: usize) -> bool {
        let n = self.len();
        self.heads.is_sound()
            && self.items.len() == n
            && self
                .items
                .iter()
                .all(|&i| i == NONE || (i as usize) < items)
            && self.fields.len() == n
            && self.statuses.len() == n
            && self.versions.len() == n
    }
}

/// A referenced item or material, by position among the outline's items or materials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Item(u32),
    Material(u32),
}

/// A referencing record, by position among the outline's items, forms or bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Item(u32),
    Form(u32),
    Bundle(u32),
}

/// One record referencing an item or a material (see [`Outline::referrers`]), packed in
/// eight bytes: the target's position and kind in `to` (position × 2, plus 1 for a
/// material), the source's in `from` (position × 4, plus 1 for a form, 2 for a bundle).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Link {
    to: u32,
    from: u32,
}

impl Target {
    /// Packed as [`Link::to`] (`None`: a position too large to pack).
    fn packed(self) -> Option<u32> {
        match self {
            Target::Item(at) => at.checked_mul(2),
            Target::Material(at) => at.checked_mul(2)?.checked_add(1),
        }
    }
}

impl Link {
    /// A link, unless a position is too large to pack (beyond a billion records).
    fn new(to: Target, from: Source) -> Option<Link> {
        let (at, kind) = match from {
            Source::Item(at) => (at, 0),
            Source::Form(at) => (at, 1),
            Source::Bundle(at) => (at, 2),
        };
        Some(Link {
            to: to.packed()?,
            from: at.checked_mul(4)?.checked_add(kind)?,
        })
    }

    fn to(self) -> Target {
        let at = self.to / 2;
        if self.to.is_multiple_of(2) {
            Target::Item(at)
        } else {
            Target::Material(at)
        }
    }

    /// `None` for a kind no link is made with.
    fn from(self) -> Option<Source> {
        let at = self.from / 4;
        match self.from % 4 {
            0 => Some(Source::Item(at)),
            1 => Some(Source::Form(at)),
            2 => Some(Source::Bundle(at)),
            _ => None,
        }
    }
}

/// A catalog's outline (see the module documentation). Each of its lists is shared between
/// copies until one of them changes it (`Arc::make_mut`): a copy that only counts records
/// anew, as a write of elements does, copies no list (36 MB at a million elements), and one
/// that renames an agency copies the agencies alone.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    items: Arc<Items>,
    materials: Arc<Pairs>,
    bundles: Arc<Pairs>,
    agencies: Arc<Pairs>,
    regions: Arc<Pairs>,
    /// Every form, in code order (a form that references an item or a material is named by
    /// its position here).
    forms: Arc<Forms>,
    /// Every reference an item, a form or a bundle makes to an item or a material, sorted by
    /// what it references: who references an item or a material without the catalog.
    #[serde(deserialize_with = "exact_shared")]
    links: Arc<Vec<Link>>,
    /// How many records the catalog holds in all (for loading progress).
    pub records: usize,
}

/// Reads a shared list of exactly the length its prefix gives (see `exact_vec`).
fn exact_shared<'de, D, T>(deserializer: D) -> Result<Arc<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    crate::model::exact_vec::exact(deserializer).map(Arc::new)
}

impl Outline {
    /// The outline of a catalog.
    pub fn of(catalog: &Catalog) -> Outline {
        let items = Items::of(&OutlineSource::items(catalog));
        let materials = Pairs::of(OutlineSource::materials(catalog));
        let bundles = Pairs::of(OutlineSource::bundles(catalog));
        let mut forms = Forms::default();
        let mut links = Vec::new();
        let mut link = |from: Source, record: RecordRef<'_>| {
            links.extend(links_of(&items, &materials, from, record));
        };
        for (at, item) in (0u32..).zip(catalog.items.values()) {
            link(Source::Item(at), RecordRef::Item(item));
        }
        for (at, form) in (0u32..).zip(catalog.forms.values()) {
            forms.heads.codes.push(&form.code);
            forms.heads.names.push(&form.name);
            let item = form.item.as_deref().and_then(|i| items.heads.position(i));
            forms.items.push(item.unwrap_or(NONE));
            forms
                .fields
                .push(u32::try_from(form.field_count()).unwrap_or(u32::MAX));
            forms.statuses.push(form.status);
            forms.versions.push(form.version);
            link(Source::Form(at), RecordRef::Form(form));
        }
        for (at, bundle) in (0u32..).zip(catalog.bundles.values()) {
            link(Source::Bundle(at), RecordRef::Bundle(bundle));
        }
        links.sort_unstable();
        links.dedup();
        let agencies = Pairs::of(catalog.agencies.values().map(|a| (&*a.code, &*a.name)));
        let regions = Pairs::of(catalog.regions.values().map(|r| (&*r.code, &*r.name)));
        Outline {
            materials: Arc::new(materials),
            bundles: Arc::new(bundles),
            agencies: Arc::new(agencies),
            regions: Arc::new(regions),
            forms: Arc::new(forms),
            links: Arc::new(links),
            items: Arc::new(items),
            records: catalog.len(),
        }
    }

    /// The records that reference the item or material `code` (items, forms and bundles;
    /// each once, by kind then code), or `None` for another kind, whose referrers the
    /// outline does not know. With these read from the store the record's detail is whole
    /// before the catalog is loaded.
    pub fn referrers(&self, kind: Kind, code: &str) -> Option<Vec<(Kind, &str)>> {
        let to = match kind {
            Kind::Item => Target::Item(self.items.heads.position(code)?),
            Kind::Material => Target::Material(self.materials.position(code)?),
            _ => return None,
        };
        let to = to.packed()?;
        let first = self.links.partition_point(|l| l.to < to);
        let out = self.links[first..]
            .iter()
            .take_while(|l| l.to == to)
            .filter_map(|l| match l.from()? {
                Source::Item(at) => Some((Kind::Item, self.items.heads.codes.get(at)?)),
                Source::Form(at) => Some((Kind::Form, self.forms.heads.codes.get(at)?)),
                Source::Bundle(at) => Some((Kind::Bundle, self.bundles.codes.get(at)?)),
            })
            .collect();
        Some(out)
    }

    /// The item at position `at` among the items.
    fn item_at(&self, at: u32) -> Option<ItemView<'_>> {
        let i = &self.items;
        let column = |c: &[u32]| c.get(at as usize).copied();
        let reference = |x: u32| if x == NONE { None } else { i.refs.get(x) };
        Some(ItemView {
            code: i.heads.codes.get(at)?,
            name: i.heads.names.get(at)?,
            level: *i.levels.get(at as usize)?,
            parent: reference(column(&i.parents)?),
            item_type: *i.types.get(at as usize)?,
            agency: reference(column(&i.agencies)?),
            region: reference(column(&i.regions)?),
        })
    }

    /// The form at position `at` among the forms.
    fn form_at(&self, at: u32) -> Option<FormView<'_>> {
        let f = &self.forms;
        let item = *f.items.get(at as usize)?;
        Some(FormView {
            code: f.heads.codes.get(at)?,
            name: f.heads.names.get(at)?,
            item: if item == NONE {
                None
            } else {
                self.items.heads.codes.get(item)
            },
            fields: *f.fields.get(at as usize)? as usize,
            status: *f.statuses.get(at as usize)?,
            version: *f.versions.get(at as usize)?,
        })
    }

    /// Moves every position from `first` on among the items (in the forms' items and the
    /// links to and from them), the materials (in the links to them) or the bundles (in
    /// the links from them), as `kind` says, one place on (`on`: one was placed before
    /// them) or back (one before them left), the links kept in order.
    fn move_positions(&mut self, kind: Kind, first: u32, on: bool) {
        let step = |x: &mut u32, by: u32| {
            *x = if on { *x + by } else { *x - by };
        };
        if kind == Kind::Item {
            for x in &mut Arc::make_mut(&mut self.forms).items {
                if *x != NONE && *x >= first {
                    step(x, 1);
                }
            }
        }
        for link in Arc::make_mut(&mut self.links) {
            let to = match (link.to(), kind) {
                (Target::Item(to), Kind::Item) | (Target::Material(to), Kind::Material) => Some(to),
                _ => None,
            };
            if to.is_some_and(|to| to >= first) {
                step(&mut link.to, 2);
            }
            if let (Some(Source::Item(from)), Kind::Item)
            | (Some(Source::Bundle(from)), Kind::Bundle) = (link.from(), kind)
                && from >= first
            {
                step(&mut link.from, 4);
            }
        }
        Arc::make_mut(&mut self.links).sort_unstable();
    }

    /// Follows the deletion of the item, material or bundle `code`, which nothing
    /// references (a refused delete references it still; the outline links no bundle, so
    /// of one it takes the caller's word): it leaves its list, the links it made go, and the records after it (with
    /// every form and link naming them) move one place back, so that the outline is
    /// [`Outline::of`] the catalog without it.
    /// Returns whether it was removed; if not (another kind, a record the outline does not
    /// hold or that something references), it is left as it was.
    pub fn follow_deleted(&mut self, kind: Kind, code: &str) -> bool {
        if kind != Kind::Bundle && self.referrers(kind, code).is_none_or(|r| !r.is_empty()) {
            return false;
        }
        let at = match kind {
            Kind::Item => {
                let Some(at) = self.items.heads.position(code) else {
                    return false;
                };
                let n = self.items.heads.codes.len() as u32;
                let views: Option<Vec<ItemView<'_>>> = (0..n)
                    .filter(|&i| i != at)
                    .map(|i| self.item_at(i))
                    .collect();
                let Some(items) = Items::of_all(views) else {
                    return false;
                };
                self.items = Arc::new(items);
                // (no form names it and no link goes to it: nothing references it)
                Arc::make_mut(&mut self.links)
                    .retain(|l| !matches!(l.from(), Some(Source::Item(from)) if from == at));
                at
            }
            Kind::Material => {
                let Some(at) = self.materials.position(code) else {
                    return false;
                };
                let mut list = self.materials.list();
                list.remove(at as usize);
                self.materials = Arc::new(Pairs::of(list));
                at
            }
            Kind::Bundle => {
                let Some(at) = self.bundles.position(code) else {
                    return false;
                };
                let mut list = self.bundles.list();
                list.remove(at as usize);
                self.bundles = Arc::new(Pairs::of(list));
                Arc::make_mut(&mut self.links)
                    .retain(|l| !matches!(l.from(), Some(Source::Bundle(from)) if from == at));
                at
            }
            _ => return false,
        };
        self.move_positions(kind, at + 1, false);
        true
    }

    /// The name of the bundle `code`, if the outlined catalog holds it.
    pub fn bundle_name(&self, code: &str) -> Option<&str> {
        self.bundles.name_of(code)
    }

    /// The name of the material `code`, if the outlined catalog holds it.
    pub fn material_name(&self, code: &str) -> Option<&str> {
        self.materials.name_of(code)
    }

    /// Whether the outlined catalog holds the material `code`.
    pub fn has_material(&self, code: &str) -> bool {
        self.materials.position(code).is_some()
    }

    /// The codes of the items (`kind` [`Kind::Item`]), materials, bundles or forms that
    /// start with `prefix`, in code order (none for another kind): what a new record's code
    /// is worked out from before the catalog is loaded.
    pub fn codes_with_prefix(&self, kind: Kind, prefix: &str) -> Vec<&str> {
        let codes = match kind {
            Kind::Item => &self.items.heads.codes,
            Kind::Material => &self.materials.codes,
            Kind::Bundle => &self.bundles.codes,
            Kind::Form => &self.forms.heads.codes,
            _ => return Vec::new(),
        };
        let first = codes.search(prefix).unwrap_or_else(|at| at);
        (first..codes.len() as u32)
            .map_while(|at| codes.get(at).filter(|c| c.starts_with(prefix)))
            .collect()
    }

    /// Whether the outlined catalog holds no record.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Whether the outline hangs together: lists in code order, every column as long as
    /// the items, every index in range (a sound outline's are).
    pub fn is_sound(&self) -> bool {
        let i = &self.items;
        let n = i.heads.codes.len();
        let refs = i.refs.len();
        let index_ok = |column: &[u32]| {
            column.len() == n && column.iter().all(|x| *x == NONE || (*x as usize) < refs)
        };
        i.heads.is_sound()
            && i.refs.is_sound()
            && i.levels.len() == n
            && i.types.len() == n
            && index_ok(&i.parents)
            && index_ok(&i.agencies)
            && index_ok(&i.regions)
            && [
                &self.materials,
                &self.bundles,
                &self.agencies,
                &self.regions,
            ]
            .iter()
            .all(|p| p.is_sound())
            && self.forms.is_sound(n)
            && self.links.is_sorted()
            && self.links.iter().all(|l| {
                let (to, of) = match l.to() {
                    Target::Item(at) => (at, n),
                    Target::Material(at) => (at, self.materials.codes.len()),
                };
                let (from, among) = match l.from() {
                    Some(Source::Item(at)) => (at, n),
                    Some(Source::Form(at)) => (at, self.forms.len()),
                    Some(Source::Bundle(at)) => (at, self.bundles.codes.len()),
                    None => return false,
                };
                (to as usize) < of && (from as usize) < among
            })
            && n + self.materials.codes.len() + self.bundles.codes.len() + self.forms.len()
                <= self.records
    }
}

impl OutlineSource for Outline {
    fn items(&self) -> Vec<ItemView<'_>> {
        let mut items = Vec::with_capacity(self.items.heads.codes.len());
        self.for_each_item(|i| items.push(i));
        items
    }

    fn for_each_item<'a>(&'a self, mut f: impl FnMut(ItemView<'a>)) {
        for at in 0..self.items.heads.codes.len() as u32 {
            if let Some(item) = self.item_at(at) {
                f(item);
            }
        }
    }

    fn materials(&self) -> Vec<(&str, &str)> {
        self.materials.list()
    }

    fn bundles(&self) -> Vec<(&str, &str)> {
        self.bundles.list()
    }

    fn agency_name(&self, code: &str) -> Option<&str> {
        self.agencies.name_of(code)
    }

    fn region_name(&self, code: &str) -> Option<&str> {
        self.regions.name_of(code)
    }

    fn item(&self, code: &str) -> Option<ItemView<'_>> {
        self.item_at(self.items.heads.position(code)?)
    }

    fn form_count(&self) -> usize {
        self.forms.len()
    }

    fn for_each_form<'a>(&'a self, mut f: impl FnMut(FormView<'a>)) {
        for at in 0..self.forms.len() as u32 {
            if let Some(form) = self.form_at(at) {
                f(form);
            }
        }
    }

    fn form(&self, code: &str) -> Option<FormView<'_>> {
        self.form_at(self.forms.heads.position(code)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::generate;

    #[test]
    fn an_outline_answers_as_its_catalog_does() {
        let catalog = generate(1);
        let outline = Outline::of(&catalog);
        assert!(outline.is_sound());
        assert_eq!(outline.records, catalog.len());
        assert!(outline.items.heads.codes.len() > 1 && outline.bundles.codes.len() > 1);
        assert_eq!(
            OutlineSource::items(&outline),
            OutlineSource::items(&catalog)
        );
        assert_eq!(
            OutlineSource::materials(&outline),
            OutlineSource::materials(&catalog)
        );
        assert_eq!(
            OutlineSource::bundles(&outline),
            OutlineSource::bundles(&catalog)
        );
        for item in OutlineSource::items(&catalog) {
            if let Some(a) = item.agency {
                assert_eq!(outline.agency_name(a), catalog.agency_name(a));
            }
            if let Some(r) = item.region {
                assert_eq!(outline.region_name(r), catalog.region_name(r));
            }
        }
        assert_eq!(outline.agency_name("no such agency"), None);
        // pane 3's list
        assert_eq!(outline.form_count(), catalog.forms.len());
        fn forms(source: &impl OutlineSource) -> Vec<String> {
            let mut list = Vec::new();
            source.for_each_form(|f| list.push(format!("{f:?}")));
            list
        }
        let of_outline = forms(&outline);
        assert_eq!(of_outline, forms(&catalog));
        assert!(of_outline.len() > 100);
        for form in catalog.forms.values() {
            assert_eq!(outline.form(&form.code), Some(FormView::of(form)));
        }
        for item in catalog.items.values() {
            assert_eq!(outline.item(&item.code), catalog.item(&item.code));
        }
        assert_eq!(outline.form("no such form"), None);
        assert_eq!(outline.item("no such item"), None);
    }

    /// Which lists two outlines share in memory: items, materials, bundles, agencies,
    /// regions, forms and links.
    fn shared(a: &Outline, b: &Outline) -> [bool; 7] {
        [
            Arc::ptr_eq(&a.items, &b.items),
            Arc::ptr_eq(&a.materials, &b.materials),
            Arc::ptr_eq(&a.bundles, &b.bundles),
            Arc::ptr_eq(&a.agencies, &b.agencies),
            Arc::ptr_eq(&a.regions, &b.regions),
            Arc::ptr_eq(&a.forms, &b.forms),
            Arc::ptr_eq(&a.links, &b.links),
        ]
    }

    #[test]
    fn a_copy_shares_each_list_until_it_changes_it() {
        use crate::model::Record;
        let catalog = generate(1);
        let outline = Outline::of(&catalog);
        // a write of elements counts its records anew: every list stays shared
        let mut counted = outline.clone();
        counted.records += 5;
        assert_eq!(shared(&outline, &counted), [true; 7]);
        // a record renamed: the copy that follows it copies the lists it changes, and is the
        // changed catalog's outline
        let renamed = |mut record: Record| {
            let name = format!("{}（改）", record.as_ref().name());
            match &mut record {
                Record::Agency(agency) => agency.name = name.into(),
                Record::Form(form) => form.name = name.into(),
                _ => unreachable!("an agency or a form"),
            }
            let mut copy = outline.clone();
            assert!(copy.follow_upserts(&[record.as_ref()]));
            let mut changed = catalog.clone();
            changed.insert(record);
            assert_eq!(copy, Outline::of(&changed));
            let shares = shared(&outline, &copy);
            (copy, shares)
        };
        // an agency: its list alone; a form: the forms and the links
        let agency = catalog.agencies.values().next().expect("agencies").clone();
        let (_, shares) = renamed(Record::Agency(agency));
        assert_eq!(shares, [true, true, true, false, true, true, true]);
        let form = catalog.forms.values().next().expect("forms").clone();
        let (mut followed, shares) = renamed(Record::Form(form));
        assert_eq!(shares, [true, true, true, true, true, false, false]);
        // the other copy is as it was
        assert_eq!(outline, Outline::of(&catalog));
        // a list no other copy shares is changed in place
        let links = Arc::as_ptr(&followed.links);
        let bundle = catalog.bundles.keys().next().expect("bundles").clone();
        assert!(followed.follow_deleted(Kind::Bundle, &bundle));
        assert_eq!(Arc::as_ptr(&followed.links), links);
    }

    #[test]
    fn an_outline_following_an_items_change_is_the_changed_catalogs() {
        use crate::model::{ItemLevel, ItemType, Record};
        let mut catalog = crate::sample::generate(1);
        let mut outline = Outline::of(&catalog);
        let codes: Vec<String> = catalog.items.keys().map(|c| c.to_string()).collect();
        let agencies: Vec<String> = catalog.agencies.keys().map(|c| c.to_string()).collect();
        let regions: Vec<String> = catalog.regions.keys().map(|c| c.to_string()).collect();
        let materials: Vec<String> = catalog.materials.keys().map(|c| c.to_string()).collect();
        for (n, code) in codes.iter().enumerate().step_by(13).take(24) {
            let mut item = catalog.items[code.as_str()].clone();
            match n % 6 {
                0 => item.name = format!("{}（改）", item.name).into(),
                1 => item.agency = Some(agencies[n % agencies.len()].as_str().into()),
                // a region no item named before it (interned anew), or none
                2 => item.region = Some(regions[regions.len() - 1 - n % 3].as_str().into()),
                3 => {
                    item.materials = materials
                        .iter()
                        .take(n % 4)
                        .map(|m| m.as_str().into())
                        .collect();
                    item.depends_on = codes.iter().take(2).map(|c| c.as_str().into()).collect();
                }
                4 => {
                    item.level = ItemLevel::Main;
                    item.parent = None;
                    item.item_type = ItemType::ALL[n % ItemType::ALL.len()];
                }
                _ => item.parent = Some(codes[0].as_str().into()),
            }
            catalog.insert(Record::Item(item.clone()));
            assert!(outline.follow_upserts(&[RecordRef::Item(&item)]), "{code}");
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "item {n} ({code})");
        }
        // a material renamed
        let codes: Vec<String> = catalog.materials.keys().map(|c| c.to_string()).collect();
        for code in codes.iter().step_by(50) {
            let mut material = catalog.materials[code.as_str()].clone();
            material.name = format!("{}（改）", material.name).into();
            catalog.insert(Record::Material(material.clone()));
            assert!(outline.follow_upserts(&[RecordRef::Material(&material)]));
            assert_eq!(outline, Outline::of(&catalog), "material {code}");
        }
    }

    #[test]
    fn an_outline_following_new_items_and_materials_is_the_changed_catalogs() {
        use crate::model::{ItemLevel, Record};
        let mut catalog = crate::sample::generate(1);
        let mut outline = Outline::of(&catalog);
        let codes: Vec<String> = catalog.items.keys().map(|c| c.to_string()).collect();
        let materials: Vec<String> = catalog.materials.keys().map(|c| c.to_string()).collect();
        let regions: Vec<String> = catalog.regions.keys().map(|c| c.to_string()).collect();
        let middle = &codes[codes.len() / 2];
        // first of all, a child in the middle (after its parent: every later item moves),
        // one past the last; each referencing items and materials
        let new_codes = [
            "0000-FIRST".to_string(),
            format!("{middle}-99"),
            "~LAST".to_string(),
        ];
        for (n, code) in new_codes.iter().enumerate() {
            let mut item = catalog.items[middle.as_str()].clone();
            item.code = code.as_str().into();
            item.name = format!("新事项{n}").into();
            if n == 1 {
                item.parent = Some(middle.as_str().into());
                item.level = ItemLevel::ALL
                    .into_iter()
                    .find(|l| l.parent_level() == Some(item.level))
                    .unwrap_or(item.level);
            }
            item.region = Some(regions[regions.len() - 1 - n].as_str().into());
            item.depends_on = [&codes[0], &codes[codes.len() - 1]]
                .iter()
                .map(|c| c.as_str().into())
                .collect();
            item.materials = materials
                .iter()
                .skip(n)
                .take(2)
                .map(|m| m.as_str().into())
                .collect();
            catalog.insert(Record::Item(item.clone()));
            assert!(outline.follow_upserts(&[RecordRef::Item(&item)]), "{code}");
            outline.records += 1;
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "new item {code}");
            let referrers = outline.referrers(Kind::Item, &codes[0]).unwrap_or_default();
            assert!(referrers.contains(&(Kind::Item, code.as_str())), "{code}");
        }
        // a second time it is held, as it is: left as it was
        let again = catalog.items[new_codes[1].as_str()].clone();
        let before = outline.clone();
        assert!(outline.follow_upserts(&[RecordRef::Item(&again)]));
        assert_eq!(outline, before);
        assert_eq!(
            outline.codes_with_prefix(Kind::Item, &format!("{middle}-")),
            catalog
                .items
                .keys()
                .filter(|c| c.starts_with(&format!("{middle}-")))
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
        );
        assert!(
            outline
                .codes_with_prefix(Kind::Item, middle)
                .contains(&new_codes[1].as_str())
        );
        // new materials before, among and after the others (referenced by nothing yet)
        let middle = &materials[materials.len() / 2];
        for code in ["0-CL".to_string(), format!("{middle}-2"), "~CL".to_string()] {
            let mut material = catalog.materials[middle.as_str()].clone();
            material.code = code.as_str().into();
            material.name = format!("新材料{code}").into();
            catalog.insert(Record::Material(material.clone()));
            assert!(
                outline.follow_upserts(&[RecordRef::Material(&material)]),
                "{code}"
            );
            outline.records += 1;
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "new material {code}");
        }
        assert_eq!(outline.codes_with_prefix(Kind::Material, "~"), vec!["~CL"]);
        let bundles: Vec<&str> = catalog.bundles.keys().map(|c| c.as_str()).collect();
        assert_eq!(outline.codes_with_prefix(Kind::Bundle, ""), bundles);
        assert_eq!(outline.codes_with_prefix(Kind::Bundle, "ZT00").len(), 9);
        assert!(outline.codes_with_prefix(Kind::Element, "").is_empty());
        // new forms before, among and after the others, of an item and a material
        let forms: Vec<String> = catalog.forms.keys().map(|c| c.to_string()).collect();
        let middle = &forms[forms.len() / 2];
        let item = catalog.items.keys().last().map(|c| c.to_string());
        for code in ["0-BD".to_string(), format!("{middle}-2"), "~BD".to_string()] {
            let mut form = catalog.forms[middle.as_str()].clone();
            form.code = code.as_str().into();
            form.name = format!("新表单{code}").into();
            form.item = item.as_deref().map(Into::into);
            form.material = Some(material_code(&catalog).into());
            catalog.insert(Record::Form(form.clone()));
            assert!(outline.follow_upserts(&[RecordRef::Form(&form)]), "{code}");
            outline.records += 1;
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "new form {code}");
        }
        assert_eq!(outline.codes_with_prefix(Kind::Form, "~"), vec!["~BD"]);
        // forms saved (set where they are): a field dropped, submitted, of another item and
        // a new version; and renamed (laid out again), with the first of them in the batch
        let first = catalog.items.keys().next().map(|c| c.to_string());
        for (n, code) in forms.iter().step_by(5).take(8).enumerate() {
            let mut form = catalog.forms[code.as_str()].clone();
            let saved = form.clone();
            if let Some(section) = form.sections.first_mut() {
                section.fields.pop();
            }
            form.status = crate::model::Status::Submitted;
            form.item = first.as_deref().map(Into::into);
            form.version += 1;
            if n % 4 == 3 {
                form.name = format!("{}（改）", form.name).into();
            }
            catalog.insert(Record::Form(form.clone()));
            let records = [RecordRef::Form(&saved), RecordRef::Form(&form)];
            let records = if n % 2 == 1 {
                &records[..]
            } else {
                &records[1..]
            };
            assert!(outline.follow_upserts(records), "{code}");
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "form {code} saved");
        }
    }

    #[test]
    fn an_outline_following_deleted_items_and_materials_is_the_changed_catalogs() {
        let mut catalog = crate::sample::generate(1);
        let mut outline = Outline::of(&catalog);
        let unreferenced = |catalog: &Catalog, kind: Kind| -> Vec<String> {
            let codes: Vec<&str> = match kind {
                Kind::Item => catalog.items.keys().map(|c| c.as_str()).collect(),
                _ => catalog.materials.keys().map(|c| c.as_str()).collect(),
            };
            codes
                .into_iter()
                .filter(|c| catalog.referrer_count(kind, c) == 0)
                .map(str::to_string)
                .collect()
        };
        for kind in [Kind::Item, Kind::Material] {
            let free = unreferenced(&catalog, kind);
            assert!(free.len() >= 3, "{kind:?}: {free:?}");
            // the first, one in the middle and the last of those nothing references
            for code in [&free[0], &free[free.len() / 2], &free[free.len() - 1]] {
                catalog.remove(kind, code);
                assert!(outline.follow_deleted(kind, code), "{kind:?} {code}");
                outline.records -= 1;
                assert!(outline.is_sound());
                assert_eq!(outline, Outline::of(&catalog), "{kind:?} {code} deleted");
                assert!(!outline.follow_deleted(kind, code), "gone already");
            }
        }
        // one that something references stays, as does another kind
        let used = catalog
            .items
            .keys()
            .find(|c| catalog.referrer_count(Kind::Item, c) > 0);
        let before = outline.clone();
        assert!(!outline.follow_deleted(Kind::Item, used.unwrap()));
        let form = catalog.forms.keys().next().unwrap();
        assert!(!outline.follow_deleted(Kind::Form, form));
        assert_eq!(outline, before);
    }

    #[test]
    fn an_outline_following_changed_new_and_deleted_bundles_is_the_changed_catalogs() {
        let mut catalog = crate::sample::generate(1);
        let mut outline = Outline::of(&catalog);
        let codes: Vec<String> = catalog.bundles.keys().map(|c| c.to_string()).collect();
        assert!(codes.len() >= 3, "{codes:?}");
        let items: Vec<String> = catalog.items.keys().map(|c| c.to_string()).collect();
        let material = material_code(&catalog);
        // changed: renamed, an item taken out, another put in, a material asked for
        for (n, code) in codes.iter().enumerate() {
            let mut bundle = catalog.bundles[code.as_str()].clone();
            match n % 3 {
                0 => bundle.name = format!("{}（改）", bundle.name).into(),
                1 => {
                    bundle.items.pop();
                    bundle.items.push(items[n].clone());
                }
                _ => bundle.materials.push(crate::model::BundleMaterial {
                    material: material.clone(),
                    item: items[n].clone(),
                    when: None,
                }),
            }
            catalog.insert(crate::model::Record::Bundle(bundle.clone()));
            assert!(
                outline.follow_upserts(&[RecordRef::Bundle(&bundle)]),
                "{code}"
            );
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "bundle {code} changed");
        }
        // new ones before, among and after the others, the middle one holding items
        let middle = &codes[codes.len() / 2];
        for code in ["0-ZT".to_string(), format!("{middle}-2"), "~ZT".to_string()] {
            let mut bundle = catalog.bundles[middle.as_str()].clone();
            bundle.code = code.as_str().into();
            bundle.name = format!("新主题{code}").into();
            catalog.insert(crate::model::Record::Bundle(bundle.clone()));
            assert!(
                outline.follow_upserts(&[RecordRef::Bundle(&bundle)]),
                "{code}"
            );
            outline.records += 1;
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "new bundle {code}");
        }
        // deleted: the first, one in the middle and the last
        let codes: Vec<String> = catalog.bundles.keys().map(|c| c.to_string()).collect();
        for code in [&codes[0], &codes[codes.len() / 2], &codes[codes.len() - 1]] {
            catalog.remove(Kind::Bundle, code);
            assert!(outline.follow_deleted(Kind::Bundle, code), "{code}");
            outline.records -= 1;
            assert!(outline.is_sound());
            assert_eq!(outline, Outline::of(&catalog), "bundle {code} deleted");
            assert!(!outline.follow_deleted(Kind::Bundle, code), "gone already");
        }
    }

    #[test]
    fn an_outline_following_a_whole_batch_at_once_is_the_written_catalogs() {
        use crate::model::Record;
        let mut catalog = generate(1);
        let mut outline = Outline::of(&catalog);
        let codes = |keys: Vec<&str>| keys.into_iter().map(str::to_string).collect::<Vec<_>>();
        let items = codes(catalog.items.keys().map(|c| c.as_str()).collect());
        let materials = codes(catalog.materials.keys().map(|c| c.as_str()).collect());
        let forms = codes(catalog.forms.keys().map(|c| c.as_str()).collect());
        let bundles = codes(catalog.bundles.keys().map(|c| c.as_str()).collect());
        let mut written: Vec<Record> = Vec::new();
        // new materials among the others, before and after them
        let mut new_materials = vec!["0-CL".to_string(), "~CL".to_string()];
        new_materials.extend((0..4).map(|n| format!("{}-N{n}", materials[n * 7 + 1])));
        for (n, code) in new_materials.iter().enumerate() {
            let mut material = catalog.materials[materials[n].as_str()].clone();
            material.code = code.as_str().into();
            material.name = format!("新材料{n}").into();
            written.push(Record::Material(material));
        }
        // new items among the others, before and after them: some children of a new item
        // with a later code (placed after them), each asking for a new material and
        // depending on a held item
        let mut new_items = vec!["0000-N".to_string(), "~N".to_string()];
        new_items.extend((0..40).map(|n| format!("{}-N{n:02}", items[(n * 37) % items.len()])));
        new_items.sort();
        new_items.dedup();
        for (n, code) in new_items.iter().enumerate() {
            let mut item = catalog.items[items[n % items.len()].as_str()].clone();
            item.code = code.as_str().into();
            item.name = format!("新事项{n}").into();
            item.parent = match n % 3 {
                1 => new_items.get(n + 1).map(|c| c.as_str().into()),
                _ => item.parent,
            };
            item.materials = [new_materials[n % new_materials.len()].as_str().into()].into();
            item.depends_on = [items[0].as_str().into()].into();
            written.push(Record::Item(item));
        }
        // held items changed: renamed, under a new item
        for (n, code) in items.iter().enumerate().step_by(29) {
            let mut item = catalog.items[code.as_str()].clone();
            item.name = format!("{}（改）", item.name).into();
            item.parent = Some(new_items[n % new_items.len()].as_str().into());
            written.push(Record::Item(item));
        }
        // new forms of new items; held forms renamed, moved to a new item, a field fewer
        for (n, code) in [
            "0-BD".to_string(),
            format!("{}-N", forms[3]),
            "~BD".to_string(),
        ]
        .iter()
        .enumerate()
        {
            let mut form = catalog.forms[forms[n].as_str()].clone();
            form.code = code.as_str().into();
            form.item = Some(new_items[n * 5].as_str().into());
            written.push(Record::Form(form));
        }
        for (n, code) in forms.iter().enumerate().step_by(17) {
            let mut form = catalog.forms[code.as_str()].clone();
            form.name = format!("{}（改）", form.name).into();
            form.item = Some(new_items[n % new_items.len()].as_str().into());
            form.version += 1;
            written.push(Record::Form(form));
        }
        // a new bundle of new items and a held one given one; a held material renamed
        let mut bundle = catalog.bundles[bundles[0].as_str()].clone();
        bundle.code = "~ZT".into();
        bundle.items = vec![new_items[2].clone(), new_items[7].clone()];
        written.push(Record::Bundle(bundle));
        let mut bundle = catalog.bundles[bundles[1].as_str()].clone();
        bundle.items.push(new_items[3].clone());
        written.push(Record::Bundle(bundle));
        let mut material = catalog.materials[materials[5].as_str()].clone();
        material.name = "改名的材料".into();
        written.push(Record::Material(material));
        // a new agency and a renamed region
        let mut agency = catalog.agencies.values().next().unwrap().clone();
        agency.code = format!("{}-N", agency.code).into();
        written.push(Record::Agency(agency));
        let mut region = catalog.regions.values().last().unwrap().clone();
        region.name = "改名的区划".into();
        written.push(Record::Region(region));
        // in the order a batch names them (the new items' children before their parents)
        written.reverse();
        for record in &written {
            catalog.insert(record.clone());
        }
        let records: Vec<RecordRef<'_>> = written.iter().map(Record::as_ref).collect();
        assert!(outline.follow_upserts(&records));
        outline.records = catalog.len();
        assert!(outline.is_sound());
        assert_eq!(outline, Outline::of(&catalog));
        let referrers = outline
            .referrers(Kind::Item, &new_items[2])
            .unwrap_or_default();
        assert!(referrers.contains(&(Kind::Item, new_items[1].as_str())));
        assert!(referrers.contains(&(Kind::Bundle, "~ZT")));
        // written again as they are: left as it was
        let before = outline.clone();
        assert!(outline.follow_upserts(&records));
        assert_eq!(outline, before);
    }

    /// A material of `catalog`.
    fn material_code(catalog: &Catalog) -> String {
        catalog
            .materials
            .keys()
            .next()
            .map(|c| c.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn an_outline_out_of_order_or_larger_than_its_count_is_not_sound() {
        let catalog = generate(1);
        let good = Outline::of(&catalog);
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.items)
            .heads
            .codes
            .ends
            .swap(0, 1);
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        outline.records = 1;
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.items).parents[0] =
            Arc::make_mut(&mut outline.items).refs.len() as u32;
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.items).levels.pop();
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.bundles).names.text.clear();
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.forms).items[0] = good.items.heads.codes.len() as u32;
        assert!(!outline.is_sound(), "a form's item out of range");
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.forms).statuses.pop();
        assert!(!outline.is_sound());
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.forms).heads.names.ends.pop();
        assert!(!outline.is_sound());
        // who references an item: every index in range, a form's item for every form
        let items = good.items.heads.codes.len() as u32;
        let forms = good.forms.len() as u32;
        assert!(good.links.len() > 1000, "{}", good.links.len());
        for (to, from) in [
            (Target::Item(items), Source::Item(0)),
            (
                Target::Material(good.materials.codes.len() as u32),
                Source::Item(0),
            ),
            (Target::Item(0), Source::Form(forms)),
            (
                Target::Item(0),
                Source::Bundle(good.bundles.codes.len() as u32),
            ),
        ] {
            let mut outline = good.clone();
            Arc::make_mut(&mut outline.links).extend(Link::new(to, from));
            Arc::make_mut(&mut outline.links).sort_unstable();
            assert!(!outline.is_sound(), "{to:?} {from:?}");
        }
        let mut outline = good.clone();
        Arc::make_mut(&mut outline.links)[0].from |= 3;
        assert!(!outline.is_sound(), "a source of no kind");
        for (to, from) in [
            (Target::Item(7), Source::Item(3)),
            (Target::Material(7), Source::Form(3)),
            (Target::Item(0), Source::Bundle(1 << 29)),
        ] {
            let link = Link::new(to, from).expect("packs");
            assert_eq!((link.to(), link.from()), (to, Some(from)));
        }
        assert_eq!(Link::new(Target::Item(0), Source::Item(1 << 30)), None);
        let mut outline = good;
        Arc::make_mut(&mut outline.links).swap(0, 1);
        assert!(!outline.is_sound(), "out of order");
        assert!(Outline::default().is_empty());
    }
}
