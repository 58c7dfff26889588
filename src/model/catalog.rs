//! The in-memory catalog: every record by kind and code, plus who references whom.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use compact_str::CompactString;

use super::record::{Kind, Record, RecordRef};
use super::ref_path::RefPath;
use super::reverse::{Order, ReverseIndex};
use super::shared_code::SharedCode;
use super::{Agency, Bundle, Element, Form, Item, Material, OptionsInterner, Region};

/// A record that references another, and where.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Referrer {
    /// Kind of the referring record.
    pub kind: Kind,
    /// Code of the referring record.
    pub code: SharedCode,
    /// Path inside the referring record (`sections[0].fields[2].element`).
    pub path: RefPath,
}

/// Every record, ordered by code within each kind, with a reverse-reference index.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// 行政区划 by code.
    pub regions: BTreeMap<CompactString, Region>,
    /// 实施主体 by code.
    pub agencies: BTreeMap<CompactString, Agency>,
    /// 数据元 by code.
    pub elements: BTreeMap<CompactString, Element>,
    /// 事项 by code.
    pub items: BTreeMap<CompactString, Item>,
    /// 材料 by code.
    pub materials: BTreeMap<CompactString, Material>,
    /// 申请表 by code.
    pub forms: BTreeMap<CompactString, Form>,
    /// 主题 by code.
    pub bundles: BTreeMap<CompactString, Bundle>,
    /// Who references each record, packed (see [`ReverseIndex`]).
    referrers: ReverseIndex,
    /// See [`Catalog::revision`].
    revision: u64,
    /// See [`Catalog::elements_revision`].
    elements_revision: u64,
}

/// The last revision handed out, process-wide, so that two catalogs never share one.
static LAST_REVISION: AtomicU64 = AtomicU64::new(0);

impl Catalog {
    /// Builds a catalog from records; later records with the same code replace earlier ones.
    /// Fastest and most compact when they come as a store holds them (see [`CatalogBuilder`]).
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        let mut builder = CatalogBuilder::default();
        for record in records {
            builder.push(record);
        }
        builder.finish()
    }

    /// A number that changes whenever the catalog does (0: never changed). It is unique in
    /// the process: two catalogs have the same revision only if one is a clone of the other,
    /// so a result computed from a catalog can be remembered under it.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// As [`Catalog::revision`], for the elements alone: it changes when an element does,
    /// and not when another record does, so a result computed from the element pool (the
    /// duplicate finder's index of names) outlives a save of a form.
    pub fn elements_revision(&self) -> u64 {
        self.elements_revision
    }

    /// A new revision; for the elements too when `kind` is theirs (`None`: any kind).
    fn touch(&mut self, kind: Option<Kind>) {
        self.revision = LAST_REVISION.fetch_add(1, Ordering::Relaxed) + 1;
        if kind.is_none_or(|k| k == Kind::Element) {
            self.elements_revision = self.revision;
        }
    }

    /// Looks a record up.
    pub fn get(&self, kind: Kind, code: &str) -> Option<RecordRef<'_>> {
        match kind {
            Kind::Region => self.regions.get(code).map(RecordRef::Region),
            Kind::Agency => self.agencies.get(code).map(RecordRef::Agency),
            Kind::Element => self.elements.get(code).map(RecordRef::Element),
            Kind::Item => self.items.get(code).map(RecordRef::Item),
            Kind::Material => self.materials.get(code).map(RecordRef::Material),
            Kind::Form => self.forms.get(code).map(RecordRef::Form),
            Kind::Bundle => self.bundles.get(code).map(RecordRef::Bundle),
        }
    }

    /// Inserts or replaces a record, keeping the reverse references current.
    /// Returns the record it replaced.
    pub fn insert(&mut self, record: Record) -> Option<Record> {
        let kind = record.kind();
        let code = CompactString::from(record.code());
        let old = self.remove(kind, &code);
        self.touch(Some(kind));
        self.add_references(record.as_ref(), Order::Kept);
        self.put(code, record);
        old
    }

    /// Puts `record` in its kind's map under `code`, its references left as they are.
    fn put(&mut self, code: CompactString, record: Record) {
        match record {
            Record::Region(r) => drop(self.regions.insert(code, r)),
            Record::Agency(r) => drop(self.agencies.insert(code, r)),
            Record::Element(r) => drop(self.elements.insert(code, r)),
            Record::Item(r) => drop(self.items.insert(code, r)),
            Record::Material(r) => drop(self.materials.insert(code, r)),
            Record::Form(r) => drop(self.forms.insert(code, r)),
            Record::Bundle(r) => drop(self.bundles.insert(code, r)),
        }
    }

    /// Takes the record of `kind` and `code` out of its kind's map, its references left as
    /// they are.
    fn take(&mut self, kind: Kind, code: &str) -> Option<Record> {
        match kind {
            Kind::Region => self.regions.remove(code).map(Record::Region),
            Kind::Agency => self.agencies.remove(code).map(Record::Agency),
            Kind::Element => self.elements.remove(code).map(Record::Element),
            Kind::Item => self.items.remove(code).map(Record::Item),
            Kind::Material => self.materials.remove(code).map(Record::Material),
            Kind::Form => self.forms.remove(code).map(Record::Form),
            Kind::Bundle => self.bundles.remove(code).map(Record::Bundle),
        }
    }

    /// Applies many changes at once, as [`Catalog::insert`] (a record) and
    /// [`Catalog::remove`] (`None`) of each in turn would (a later change of the same record
    /// wins), the reverse references following in one pass over each list the changes
    /// touch: a change at a time goes over the whole list of an element's referrers for
    /// each referrer changed (rebinding the 97,921 fields of one element took 5 minutes).
    pub fn apply_changes(
        &mut self,
        changes: impl IntoIterator<Item = ((Kind, String), Option<Record>)>,
    ) {
        let changes: BTreeMap<(Kind, String), Option<Record>> = changes.into_iter().collect();
        let (mut old, mut kinds) = (Vec::new(), BTreeSet::new());
        for (kind, code) in changes.keys() {
            let taken = self.take(*kind, code);
            if taken.is_some() {
                kinds.insert(*kind);
            }
            old.extend(taken);
        }
        self.referrers.remove_many(old.iter().map(Record::as_ref));
        drop(old);
        let new = changes.into_values().flatten();
        let new: Vec<Record> = new.collect();
        self.referrers.add_many(new.iter().map(Record::as_ref));
        for record in new {
            kinds.insert(record.kind());
            self.put(CompactString::from(record.code()), record);
        }
        for kind in kinds {
            self.touch(Some(kind));
        }
    }

    /// Indexes the references `record` makes.
    fn add_references(&mut self, record: RecordRef<'_>, order: Order) {
        self.referrers.add(record, order);
    }

    /// Forgets the references `record` makes.
    fn drop_references(&mut self, record: RecordRef<'_>) {
        self.referrers.remove(record);
    }

    /// Removes a record and the references it made. Returns it if it was there.
    pub fn remove(&mut self, kind: Kind, code: &str) -> Option<Record> {
        let old = self.take(kind, code)?;
        self.touch(Some(kind));
        self.drop_references(old.as_ref());
        Some(old)
    }

    /// The records that reference `kind`/`code`, ordered by kind, code and path.
    pub fn referrers<'a>(
        &'a self,
        kind: Kind,
        code: &str,
    ) -> impl Iterator<Item = Referrer> + use<'a> {
        self.referrers.referrers(kind, code)
    }

    /// How many references `kind`/`code` has (as `referrers(kind, code).count()`, faster).
    pub fn referrer_count(&self, kind: Kind, code: &str) -> usize {
        self.referrers.count(kind, code)
    }

    /// How many records of a kind there are.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Region => self.regions.len(),
            Kind::Agency => self.agencies.len(),
            Kind::Element => self.elements.len(),
            Kind::Item => self.items.len(),
            Kind::Material => self.materials.len(),
            Kind::Form => self.forms.len(),
            Kind::Bundle => self.bundles.len(),
        }
    }

    /// Total number of records.
    pub fn len(&self) -> usize {
        Kind::ALL.into_iter().map(|k| self.count(k)).sum()
    }

    /// Whether the catalog holds no record at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record of a kind, ordered by code.
    pub fn records_of(&self, kind: Kind) -> Box<dyn Iterator<Item = RecordRef<'_>> + '_> {
        match kind {
            Kind::Region => Box::new(self.regions.values().map(RecordRef::Region)),
            Kind::Agency => Box::new(self.agencies.values().map(RecordRef::Agency)),
            Kind::Element => Box::new(self.elements.values().map(RecordRef::Element)),
            Kind::Item => Box::new(self.items.values().map(RecordRef::Item)),
            Kind::Material => Box::new(self.materials.values().map(RecordRef::Material)),
            Kind::Form => Box::new(self.forms.values().map(RecordRef::Form)),
            Kind::Bundle => Box::new(self.bundles.values().map(RecordRef::Bundle)),
        }
    }

    /// Consumes the catalog into its records, kind by kind, then by code.
    pub fn into_records(self) -> impl Iterator<Item = Record> {
        let Catalog {
            regions,
            agencies,
            elements,
            items,
            materials,
            forms,
            bundles,
            referrers: _,
            revision: _,
            elements_revision: _,
        } = self;
        regions
            .into_values()
            .map(Record::Region)
            .chain(agencies.into_values().map(Record::Agency))
            .chain(elements.into_values().map(Record::Element))
            .chain(items.into_values().map(Record::Item))
            .chain(materials.into_values().map(Record::Material))
            .chain(forms.into_values().map(Record::Form))
            .chain(bundles.into_values().map(Record::Bundle))
    }

    /// Every record, kind by kind in `Kind::ALL` order, then by code.
    pub fn records(&self) -> impl Iterator<Item = RecordRef<'_>> {
        Kind::ALL.into_iter().flat_map(|k| self.records_of(k))
    }
}

/// Records of one kind in strictly ascending code order, waiting to become that kind's map.
type Run<T> = Vec<(CompactString, T)>;

/// Builds a [`Catalog`] from records that mostly arrive as a store holds them: grouped by
/// kind, in code order within a kind. Such a run of records becomes its map in one pass with
/// full B-tree nodes, where inserting them one by one in order leaves every node about half
/// full (the maps of a million elements then take almost twice the memory). Records out of
/// that order are inserted one by one when the catalog is finished, in the order they came.
#[derive(Default)]
pub struct CatalogBuilder {
    catalog: Catalog,
    regions: Run<Region>,
    agencies: Run<Agency>,
    elements: Run<Element>,
    items: Run<Item>,
    materials: Run<Material>,
    forms: Run<Form>,
    bundles: Run<Bundle>,
    /// One shared copy of each distinct element value list.
    options: OptionsInterner,
    /// The kind of the last record: when it changes, runs are turned into maps.
    current: Option<Kind>,
    late: Vec<Record>,
}

/// Appends `record` to `run` if its code comes after every code of its kind so far (in the
/// run, else in the map); gives it back if not.
fn extend_run<T>(
    run: &mut Run<T>,
    map: &BTreeMap<CompactString, T>,
    code: CompactString,
    record: T,
) -> Option<T> {
    let last = run
        .last()
        .map(|(last, _)| last)
        .or_else(|| map.keys().next_back());
    if last.is_none_or(|last| *last < code) {
        run.push((code, record));
        None
    } else {
        Some(record)
    }
}

/// Moves a run into its map: at once into an empty map, and into any map when `all` (which
/// rebuilds it, with full nodes too: done once, so that interleaved kinds stay linear).
fn close_run<T>(run: &mut Run<T>, map: &mut BTreeMap<CompactString, T>, all: bool) {
    if !run.is_empty() && (all || map.is_empty()) {
        let mut more: BTreeMap<CompactString, T> = std::mem::take(run).into_iter().collect();
        map.append(&mut more);
    }
}

impl CatalogBuilder {
    /// Adds a record; a later record with the same code replaces an earlier one.
    pub fn push(&mut self, record: Record) {
        let kind = record.kind();
        if self.current != Some(kind) {
            self.close_runs(false);
            self.current = Some(kind);
        }
        self.catalog.add_references(record.as_ref(), Order::Later);
        let code = CompactString::from(record.code());
        let c = &mut self.catalog;
        let refused = match record {
            Record::Region(r) => {
                extend_run(&mut self.regions, &c.regions, code, r).map(Record::Region)
            }
            Record::Agency(r) => {
                extend_run(&mut self.agencies, &c.agencies, code, r).map(Record::Agency)
            }
            Record::Element(mut r) => {
                self.options.intern(&mut r.options);
                extend_run(&mut self.elements, &c.elements, code, r).map(Record::Element)
            }
            Record::Item(r) => extend_run(&mut self.items, &c.items, code, r).map(Record::Item),
            Record::Material(r) => {
                extend_run(&mut self.materials, &c.materials, code, r).map(Record::Material)
            }
            Record::Form(r) => extend_run(&mut self.forms, &c.forms, code, r).map(Record::Form),
            Record::Bundle(r) => {
                extend_run(&mut self.bundles, &c.bundles, code, r).map(Record::Bundle)
            }
        };
        // its references are in already: inserting it again at the end keeps them, and
        // drops those of any record of the same code before it
        self.late.extend(refused);
    }

    /// See [`close_run`].
    fn close_runs(&mut self, all: bool) {
        let c = &mut self.catalog;
        close_run(&mut self.regions, &mut c.regions, all);
        close_run(&mut self.agencies, &mut c.agencies, all);
        close_run(&mut self.elements, &mut c.elements, all);
        close_run(&mut self.items, &mut c.items, all);
        close_run(&mut self.materials, &mut c.materials, all);
        close_run(&mut self.forms, &mut c.forms, all);
        close_run(&mut self.bundles, &mut c.bundles, all);
    }

    /// The catalog of every record pushed.
    pub fn finish(mut self) -> Catalog {
        self.close_runs(true);
        let mut catalog = self.catalog;
        catalog.referrers.sort();
        for record in self.late {
            catalog.insert(record);
        }
        if !catalog.is_empty() {
            catalog.touch(None);
        }
        catalog
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ElementKind, ElementOption, Field, Options, Section, Share, Status};

    fn element(code: &str) -> Element {
        Element {
            code: code.into(),
            name: format!("元素{code}").into(),
            synonyms: Default::default(),
            kind: ElementKind::Text,
            definition: Default::default(),
            pattern: None,
            options: vec![].into(),
            parent: None,
            unit: None,
            source_agency: None,
            share: Share::Open,
            security_level: 1,
            status: Status::Draft,
            version: 0,
        }
    }

    fn form(code: &str, elements: &[&str]) -> Form {
        Form {
            code: code.into(),
            name: "表".into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "基本信息".into(),
                fields: elements
                    .iter()
                    .enumerate()
                    .map(|(i, e)| Field {
                        key: format!("f{i}").into(),
                        label: (*e).into(),
                        element: Some((*e).into()),
                        required: false,
                        help: None,
                        when: None,
                    })
                    .collect(),
            }],
            status: Status::Draft,
            version: 0,
        }
    }

    #[test]
    fn referrers_follow_inserts_replacements_and_removals() {
        let mut c = Catalog::default();
        c.insert(Record::Element(element("E1")));
        c.insert(Record::Element(element("E2")));
        c.insert(Record::Form(form("F1", &["E1", "E2"])));
        let paths: Vec<_> = c
            .referrers(Kind::Element, "E1")
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(paths, ["sections[0].fields[0].element"]);
        // the form's two references hold one copy of its code
        let one = c.referrers(Kind::Element, "E1").next().unwrap();
        let two = c.referrers(Kind::Element, "E2").next().unwrap();
        assert_eq!(one.code, "F1");
        assert!(std::ptr::eq(one.code.as_str(), two.code.as_str()));

        // replacing the form drops its old references
        c.insert(Record::Form(form("F1", &["E2"])));
        assert_eq!(c.referrers(Kind::Element, "E1").count(), 0);
        assert_eq!(c.referrers(Kind::Element, "E2").count(), 1);

        c.remove(Kind::Form, "F1");
        assert_eq!(c.referrers(Kind::Element, "E2").count(), 0);
        assert_eq!(c.len(), 2);
        // nothing is left of the form in the index
        c.referrers.assert_consistent();
        assert_eq!(c.referrers.spelled_out().len(), 0);
    }

    #[test]
    fn referrers_stay_sorted_whatever_the_insertion_order() {
        let mut c = Catalog::default();
        c.insert(Record::Element(element("E1")));
        for code in ["F3", "F1", "F2", "F10"] {
            c.insert(Record::Form(form(code, &["E1", "E1"])));
        }
        c.insert(Record::Form(form("F1", &["E1"])));
        let seen: Vec<_> = c
            .referrers(Kind::Element, "E1")
            .map(|r| (r.code.to_string(), r.path.to_string()))
            .collect();
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "sorted, no duplicates");
        assert_eq!(
            seen.len(),
            7,
            "F1 now binds E1 once, the other three twice: {seen:?}"
        );
        c.referrers.assert_consistent();
    }

    /// Asserts two catalogs hold the same records and reverse references.
    fn assert_same(got: &Catalog, want: &Catalog, what: &str) {
        assert_eq!(got.regions, want.regions, "{what}");
        assert_eq!(got.agencies, want.agencies, "{what}");
        assert_eq!(got.elements, want.elements, "{what}");
        assert_eq!(got.items, want.items, "{what}");
        assert_eq!(got.materials, want.materials, "{what}");
        assert_eq!(got.forms, want.forms, "{what}");
        assert_eq!(got.bundles, want.bundles, "{what}");
        assert_eq!(
            got.referrers.spelled_out(),
            want.referrers.spelled_out(),
            "{what}"
        );
        assert_eq!(got.revision() == 0, want.revision() == 0, "{what}");
        got.referrers.assert_consistent();
        want.referrers.assert_consistent();
    }

    #[test]
    fn building_gives_what_inserting_one_by_one_gives_in_any_order() {
        let records: Vec<Record> = crate::sample::generate(1).into_records().collect();
        assert!(records.len() > 1000);
        // as a store holds them: by kind tag (agencies, bundles, elements, forms, ...)
        let mut stored = records.clone();
        stored.sort_by_key(|r| (r.kind().as_str(), r.code().to_string()));
        let mut reversed = records.clone();
        reversed.reverse();
        // kinds interleaved, and codes out of order within a kind
        let interleave = |records: &[Record]| -> Vec<Record> {
            (0..records.len())
                .map(|i| {
                    let at = if i % 2 == 0 {
                        i / 2
                    } else {
                        records.len() - 1 - i / 2
                    };
                    records[at].clone()
                })
                .collect()
        };
        let interleaved = interleave(&records);
        // later versions of some records replace earlier ones, references and all
        let mut replaced = records.clone();
        for record in records.iter().step_by(5) {
            let mut record = record.clone();
            match &mut record {
                Record::Form(f) => {
                    f.item = None;
                    f.sections.reverse();
                }
                Record::Item(i) => i.materials.truncate(1),
                Record::Element(e) => e.source_agency = None,
                _ => {}
            }
            replaced.push(record);
        }
        for (what, input) in [
            ("catalog order", records),
            ("store order", stored),
            ("reversed", reversed),
            ("interleaved", interleaved),
            ("interleaved and replaced", interleave(&replaced)),
            ("replaced", replaced),
            ("nothing", vec![]),
            (
                "a replacement after a run of another kind",
                vec![
                    Record::Element(element("E2")),
                    Record::Element(element("E1")),
                    Record::Form(form("F1", &["E2"])),
                    Record::Element(Element {
                        parent: Some("E2".into()),
                        ..element("E1")
                    }),
                    Record::Form(form("F0", &["E1"])),
                    Record::Form(form("F1", &["E1"])),
                ],
            ),
        ] {
            let mut one_by_one = Catalog::default();
            for record in input.clone() {
                one_by_one.insert(record);
            }
            assert_same(&Catalog::from_records(input), &one_by_one, what);
        }
    }

    /// Changes applied at once leave what applying them one at a time leaves: records
    /// rebound from one element to another (as a merge does), removed, new, replaced
    /// twice, and removed though absent.
    #[test]
    fn changes_applied_at_once_are_applied_as_one_at_a_time() {
        let catalog = crate::sample::generate(1);
        let busiest = (catalog.elements.keys())
            .max_by_key(|code| catalog.referrer_count(Kind::Element, code))
            .unwrap()
            .to_string();
        let other = catalog.elements.keys().next().unwrap().to_string();
        assert_ne!(busiest, other);
        let referrers: Vec<Referrer> = catalog.referrers(Kind::Element, &busiest).collect();
        assert!(referrers.len() > 20, "{}", referrers.len());
        let mut changes: Vec<((Kind, String), Option<Record>)> = Vec::new();
        for (n, r) in referrers.iter().enumerate() {
            let key = (r.kind, r.code.to_string());
            let mut record = catalog.get(r.kind, &r.code).unwrap().to_record();
            match &mut record {
                Record::Form(f) => {
                    for field in f.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
                        if field.element.as_deref() == Some(busiest.as_str()) {
                            field.element = Some(other.as_str().into());
                        }
                    }
                }
                Record::Element(e) => e.parent = Some(other.as_str().into()),
                _ => {}
            }
            match n % 5 {
                0 => changes.push((key, None)),
                // replaced twice: the second wins
                1 => {
                    changes.push((key.clone(), Some(record.clone())));
                    changes.push((key, Some(record)));
                }
                _ => changes.push((key, Some(record))),
            }
        }
        changes.push((
            (Kind::Form, "F-NEW".into()),
            Some(Record::Form(form("F-NEW", &[&busiest, &other, "NOWHERE"]))),
        ));
        changes.push(((Kind::Form, "F-ABSENT".into()), None));
        changes.push(((Kind::Element, busiest.clone()), None));
        let mut one_by_one = catalog.clone();
        for ((kind, code), record) in changes.clone() {
            match record {
                Some(record) => {
                    one_by_one.insert(record);
                }
                None => {
                    one_by_one.remove(kind, &code);
                }
            }
        }
        let mut at_once = catalog.clone();
        at_once.apply_changes(changes);
        assert_same(&at_once, &one_by_one, "at once");
        assert_ne!(at_once.revision(), catalog.revision());
        assert_ne!(at_once.elements_revision(), catalog.elements_revision());
        assert_eq!(
            at_once.referrer_count(Kind::Element, &busiest),
            1,
            "the new form's"
        );
        // a change of forms alone leaves the elements' revision
        let before = at_once.elements_revision();
        at_once.apply_changes([((Kind::Form, "F-NEW".to_string()), None)]);
        assert_eq!(at_once.elements_revision(), before);
        assert_eq!(at_once.referrer_count(Kind::Element, &busiest), 0);
    }

    /// Loaded elements with the same value list share one copy of it; a different list, or
    /// the same one edited, stays its own; and sharing changes nothing an element shows.
    #[test]
    fn equal_value_lists_are_shared_once_loaded() {
        let option = |code: &str, label: &str| ElementOption {
            code: code.into(),
            label: label.into(),
            parent: None,
            kind: None,
        };
        let yes_no = || vec![option("1", "是"), option("0", "否")];
        let with = |code: &str, options: Vec<ElementOption>| {
            let mut e = element(code);
            e.kind = ElementKind::SingleChoice;
            e.options = options.into();
            Record::Element(e)
        };
        let records = vec![
            with("E1", yes_no()),
            with("E2", yes_no()),
            with("E3", vec![option("1", "男"), option("2", "女")]),
            with("E4", yes_no()),
        ];
        let catalog = Catalog::from_records(records.clone());
        let list = |code: &str| &catalog.elements[code].options;
        assert!(list("E1").shares(list("E2")) && list("E1").shares(list("E4")));
        assert!(!list("E1").shares(list("E3")));
        assert_eq!(list("E2").len(), 2);
        let empty = Options::from(Vec::new());
        assert!(
            empty.is_empty() && empty == Options::default() && empty.shares(&Options::default())
        );
        for record in records {
            let code = record.code().to_string();
            assert_eq!(catalog.get(Kind::Element, &code), Some(record.as_ref()));
        }
        let mut edited = catalog.clone();
        let Some(RecordRef::Element(e)) = edited.get(Kind::Element, "E2") else {
            panic!("E2");
        };
        let mut e = e.clone();
        e.options = vec![option("1", "是")].into();
        edited.insert(Record::Element(e));
        assert_eq!(edited.elements["E2"].options.len(), 1);
        assert_eq!(
            edited.elements["E1"].options.len(),
            2,
            "the shared list is not edited"
        );
    }

    #[test]
    fn every_change_gives_a_new_revision_never_shared_with_another_catalog() {
        let mut a = Catalog::default();
        let mut b = Catalog::default();
        assert_eq!(a.revision(), 0);
        a.insert(Record::Element(element("E1")));
        b.insert(Record::Element(element("E1")));
        assert_ne!(a.revision(), 0);
        assert_ne!(
            a.revision(),
            b.revision(),
            "same content, different catalogs"
        );
        let before = a.revision();
        assert_eq!(a.clone().revision(), before);
        a.remove(Kind::Element, "nope");
        assert_eq!(a.revision(), before, "removing nothing changes nothing");
        a.remove(Kind::Element, "E1");
        assert_ne!(a.revision(), before);
    }

    #[test]
    fn the_elements_revision_changes_with_the_elements_only() {
        let mut c = Catalog::default();
        assert_eq!(c.elements_revision(), 0);
        c.insert(Record::Element(element("E1")));
        let elements = c.elements_revision();
        assert_eq!(elements, c.revision());
        c.insert(Record::Form(form("F1", &["E1"])));
        assert_ne!(c.revision(), elements);
        assert_eq!(c.elements_revision(), elements, "a form is not an element");
        c.remove(Kind::Form, "F1");
        assert_eq!(c.elements_revision(), elements);
        c.insert(Record::Element(element("E2")));
        assert_ne!(c.elements_revision(), elements);
        let elements = c.elements_revision();
        c.remove(Kind::Element, "E2");
        assert_ne!(c.elements_revision(), elements);
        let built = Catalog::from_records(vec![Record::Form(form("F1", &["E1"]))]);
        assert_ne!(
            built.elements_revision(),
            0,
            "a built catalog is new throughout"
        );
    }
}
