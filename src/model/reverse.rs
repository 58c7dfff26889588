//! The catalog's reverse-reference index (who references each record), packed.
//!
//! A million-element catalog holds almost three million reverse references — every form
//! field bound to an element, every item's parent, agency, region and materials — and each
//! was a [`Referrer`] of 40 bytes: the referring record's kind, its shared code and the path.
//! Here a reference takes 16 bytes: the number of the referring record in a table of
//! referring records (its kind and shared code, one row however many references it makes)
//! and the path in a fixed-size form. [`ReverseIndex::referrers`] spells them out again.

use std::cmp::Ordering;

use compact_str::CompactString;
use rustc_hash::{FxHashMap, FxHashSet};

use super::catalog::Referrer;
use super::record::{Kind, RecordRef};
use super::ref_path::{RefField, RefPath};
use super::shared_code::SharedCode;

/// When a list is sorted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// At every insertion.
    Kept,
    /// Once every record is in (see [`ReverseIndex::sort`]): the store holds records by kind
    /// tag (agencies, bundles, elements, forms, items, ...), so a material's list gets its
    /// forms, then its items, which sort before them (kinds order as `Kind::ALL`): inserting
    /// each item would move all the forms.
    Later,
}

/// New entries of a list (see [`ReverseIndex::add_many`]) up to which each is put in its
/// place by binary search; more are sorted in with the list.
const FEW_ADDED: usize = 32;

/// Spare capacity (in entries) from which a list is shrunk after building.
const SHRINK_SLACK: usize = 16;

/// Who references each record: per target, its references sorted as their [`Referrer`]s
/// order (by kind, code and path), without duplicates once sorted.
#[derive(Clone, Debug, Default)]
pub(super) struct ReverseIndex {
    /// The references to each target: by its kind (as `kind as usize`), then its code, so
    /// that a code is looked up as it is, never copied into a key.
    lists: [FxHashMap<CompactString, Vec<Entry>>; Kind::ALL.len()],
    /// The referring records an entry names by number; `None`: a free number.
    sources: Vec<Option<Source>>,
    /// Free numbers in `sources`.
    free_sources: Vec<u32>,
    /// Paths no [`Path`] variant holds (an index beyond `u32`: never in practice), by number.
    spelled: Vec<Option<RefPath>>,
    /// Free numbers in `spelled`.
    free_spelled: Vec<u32>,
}

/// A referring record, and how many entries name it (its row is freed at none).
#[derive(Clone, Debug)]
struct Source {
    kind: Kind,
    code: SharedCode,
    uses: u32,
}

/// One reference: the referring record's number and the path in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    source: u32,
    path: Path,
}

/// A [`RefPath`] in 12 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// [`RefPath::Field`].
    Field(RefField),
    /// [`RefPath::Entry`].
    Entry(RefField, u32),
    /// [`RefPath::FormField`]: section, field.
    FormField(u32, u32),
    /// [`RefPath::BundleMaterial`].
    BundleMaterial(u32, RefField),
    /// `item_when.<the target's code>`: a bundle's condition on the item referenced.
    ItemWhen,
    /// Any other text, kept in [`ReverseIndex::spelled`].
    Spelled(u32),
}

/// What comparing entries reads.
#[derive(Clone, Copy)]
struct Tables<'a> {
    sources: &'a [Option<Source>],
    spelled: &'a [Option<RefPath>],
}

impl Tables<'_> {
    fn source(&self, number: u32) -> Option<&Source> {
        self.sources.get(number as usize).and_then(Option::as_ref)
    }

    /// The path an entry stands for, in a list of references to `target`.
    fn path(&self, target: &str, path: Path) -> RefPath {
        match path {
            Path::Field(field) => RefPath::Field(field),
            Path::Entry(field, index) => RefPath::Entry(field, index),
            Path::FormField(section, field) => RefPath::FormField { section, field },
            Path::BundleMaterial(index, field) => RefPath::BundleMaterial { index, field },
            Path::ItemWhen => RefPath::item_when(target),
            Path::Spelled(number) => self
                .spelled
                .get(number as usize)
                .and_then(Clone::clone)
                .unwrap_or_else(|| RefPath::parse("")),
        }
    }

    /// Orders entries of a list of references to `target` as their [`Referrer`]s order.
    fn cmp(&self, target: &str, a: &Entry, b: &Entry) -> Ordering {
        if a.source != b.source {
            fn key(s: Option<&Source>) -> Option<(Kind, &str)> {
                s.map(|s| (s.kind, s.code.as_str()))
            }
            let by_record = key(self.source(a.source)).cmp(&key(self.source(b.source)));
            if by_record != Ordering::Equal {
                return by_record;
            }
        }
        match (a.path, b.path) {
            (x, y) if x == y => Ordering::Equal,
            (Path::Field(x), Path::Field(y)) => x.as_str().cmp(y.as_str()),
            (x, y) => self.path(target, x).cmp(&self.path(target, y)),
        }
    }
}

impl ReverseIndex {
    fn tables(&self) -> Tables<'_> {
        Tables {
            sources: &self.sources,
            spelled: &self.spelled,
        }
    }

    /// Indexes the references `record` makes, keeping each list sorted, or appending to be
    /// sorted later by [`ReverseIndex::sort`].
    pub(super) fn add(&mut self, record: RecordRef<'_>, order: Order) {
        // numbered at the first reference: most elements make none
        let mut number: Option<u32> = None;
        record.for_each_reference(|reference| {
            let source = *number.get_or_insert_with(|| self.new_source(record));
            let path = self.pack(reference.target, reference.code, reference.path);
            let entry = Entry { source, path };
            let Self {
                lists,
                sources,
                spelled,
                ..
            } = self;
            let lists = &mut lists[reference.target as usize];
            if !lists.contains_key(reference.code) {
                lists.insert(reference.code.into(), Vec::new());
            }
            let Some(list) = lists.get_mut(reference.code) else {
                return;
            };
            let tables = Tables { sources, spelled };
            // records mostly arrive in order: usually a push at the end
            let at = if order == Order::Later
                || list
                    .last()
                    .is_none_or(|last| tables.cmp(reference.code, last, &entry).is_lt())
            {
                Some(list.len())
            } else {
                list.binary_search_by(|e| tables.cmp(reference.code, e, &entry))
                    .err()
            };
            match at {
                Some(at) => {
                    // grow by half rather than double: most lists stay at one or two entries
                    if list.len() == list.capacity() {
                        list.reserve_exact(list.len() / 2 + 1);
                    }
                    list.insert(at, entry);
                    if let Some(Some(s)) = self.sources.get_mut(source as usize) {
                        s.uses += 1;
                    }
                }
                // the same reference is there already
                None => self.release_path(path),
            }
        });
        if let Some(number) = number {
            self.release_source(number, 0);
        }
    }

    /// Forgets the references `record` makes (those of any record of its kind and code).
    pub(super) fn remove(&mut self, record: RecordRef<'_>) {
        let (kind, code) = (record.kind(), record.code());
        record.for_each_reference(|reference| {
            let lists = &mut self.lists[reference.target as usize];
            let Some(list) = lists.get_mut(reference.code) else {
                return;
            };
            let mut dropped = Vec::new();
            list.retain(|e| {
                let theirs = self.sources.get(e.source as usize).and_then(Option::as_ref);
                let mine = theirs.is_some_and(|s| s.kind == kind && s.code == code);
                if mine {
                    dropped.push(*e);
                }
                !mine
            });
            if list.is_empty() {
                lists.remove(reference.code);
            }
            for e in dropped {
                self.release_path(e.path);
                self.release_source(e.source, 1);
            }
        });
    }

    /// Forgets the references the records `old` make, as [`ReverseIndex::remove`] of each
    /// would, going once over each list they are in: removing one at a time goes over a
    /// list for each record in it (an element bound in 97,921 forms, all of them rebound
    /// by a merge, took minutes).
    pub(super) fn remove_many<'r>(&mut self, old: impl IntoIterator<Item = RecordRef<'r>>) {
        let mut gone: FxHashSet<(Kind, &str)> = FxHashSet::default();
        let mut targets: FxHashSet<(Kind, &str)> = FxHashSet::default();
        for record in old {
            gone.insert((record.kind(), record.code()));
            record.for_each_reference(|r| {
                targets.insert((r.target, r.code));
            });
        }
        let mut dropped = Vec::new();
        for (target, code) in targets {
            let lists = &mut self.lists[target as usize];
            let Some(list) = lists.get_mut(code) else {
                continue;
            };
            list.retain(|e| {
                let theirs = self.sources.get(e.source as usize).and_then(Option::as_ref);
                let mine = theirs.is_some_and(|s| gone.contains(&(s.kind, s.code.as_str())));
                if mine {
                    dropped.push(*e);
                }
                !mine
            });
            if list.is_empty() {
                lists.remove(code);
            }
        }
        for e in dropped {
            self.release_path(e.path);
            self.release_source(e.source, 1);
        }
    }

    /// Indexes the references the records `new` make, as [`ReverseIndex::add`] of each
    /// would: appended, then each list they went to put in order once: a few entries put in
    /// their places (a form's save), many sorted in (a list is its sorted entries and the
    /// sorted run appended: merged in one pass; a merge rebinding 97,921 forms).
    pub(super) fn add_many<'r>(&mut self, new: impl IntoIterator<Item = RecordRef<'r>>) {
        let new: Vec<RecordRef<'r>> = new.into_iter().collect();
        // each list's length before: the sorted entries the new ones join
        let mut touched: FxHashMap<(Kind, &str), usize> = FxHashMap::default();
        for record in &new {
            record.for_each_reference(|r| {
                let lists = &self.lists[r.target as usize];
                let before = lists.get(r.code).map_or(0, Vec::len);
                touched.entry((r.target, r.code)).or_insert(before);
            });
        }
        for record in new {
            self.add(record, Order::Later);
        }
        let mut dropped = Vec::new();
        let tables = Tables {
            sources: &self.sources,
            spelled: &self.spelled,
        };
        for (&(target, code), &before) in &touched {
            let Some(list) = self.lists[target as usize].get_mut(code) else {
                continue;
            };
            if before == 0 || list.len() - before > FEW_ADDED {
                sort_list(tables, code, list, &mut dropped);
                continue;
            }
            let added: Vec<Entry> = list.drain(before..).collect();
            for entry in added {
                match list.binary_search_by(|e| tables.cmp(code, e, &entry)) {
                    Ok(_) => dropped.push(entry),
                    Err(at) => list.insert(at, entry),
                }
            }
        }
        for e in dropped {
            self.release_path(e.path);
            self.release_source(e.source, 1);
        }
    }

    /// Sorts the lists [`Order::Later`] left unsorted, dropping duplicates, and gives back
    /// the spare room of long lists.
    pub(super) fn sort(&mut self) {
        let mut dropped = Vec::new();
        let tables = Tables {
            sources: &self.sources,
            spelled: &self.spelled,
        };
        for (target, list) in self.lists.iter_mut().flatten() {
            sort_list(tables, target, list, &mut dropped);
            // the long lists hold most of the slack of growing by half; shrinking the many
            // short ones would scatter small free chunks that slow every later allocation
            if list.capacity() - list.len() >= SHRINK_SLACK {
                list.shrink_to_fit();
            }
        }
        for e in dropped {
            self.release_path(e.path);
            self.release_source(e.source, 1);
        }
    }

    /// The records that reference `kind`/`code`, ordered by kind, code and path.
    pub(super) fn referrers<'a>(
        &'a self,
        kind: Kind,
        code: &str,
    ) -> impl Iterator<Item = Referrer> + use<'a> {
        let tables = self.tables();
        self.lists[kind as usize]
            .get_key_value(code)
            .into_iter()
            .flat_map(move |(target, list)| {
                list.iter().filter_map(move |e| {
                    let source = tables.source(e.source)?;
                    Some(Referrer {
                        kind: source.kind,
                        code: source.code.clone(),
                        path: tables.path(target, e.path),
                    })
                })
            })
    }

    /// How many references `kind`/`code` has.
    pub(super) fn count(&self, kind: Kind, code: &str) -> usize {
        self.lists[kind as usize].get(code).map_or(0, Vec::len)
    }

    /// A new row for the referring record, with no uses yet.
    fn new_source(&mut self, record: RecordRef<'_>) -> u32 {
        let source = Source {
            kind: record.kind(),
            code: SharedCode::from(record.code()),
            uses: 0,
        };
        take_slot(&mut self.sources, &mut self.free_sources, source)
    }

    /// Takes `uses` uses off a referring record's row, freeing it at none.
    fn release_source(&mut self, number: u32, uses: u32) {
        if let Some(slot) = self.sources.get_mut(number as usize)
            && let Some(source) = slot
        {
            source.uses = source.uses.saturating_sub(uses);
            if source.uses == 0 {
                *slot = None;
                self.free_sources.push(number);
            }
        }
    }

    /// The fixed-size form of a path in a list of references to `target`.
    fn pack(&mut self, target: Kind, code: &str, path: RefPath) -> Path {
        match path {
            RefPath::Field(field) => Path::Field(field),
            RefPath::Entry(field, index) => Path::Entry(field, index),
            RefPath::FormField { section, field } => Path::FormField(section, field),
            RefPath::BundleMaterial { index, field } => Path::BundleMaterial(index, field),
            path if target == Kind::Item && path == RefPath::item_when(code) => Path::ItemWhen,
            path => Path::Spelled(take_slot(&mut self.spelled, &mut self.free_spelled, path)),
        }
    }

    /// Frees what a path no longer in the index held.
    fn release_path(&mut self, path: Path) {
        if let Path::Spelled(number) = path
            && let Some(slot) = self.spelled.get_mut(number as usize)
        {
            *slot = None;
            self.free_spelled.push(number);
        }
    }

    /// Panics unless every entry names a live row, each row counts the entries naming it,
    /// and the free lists hold exactly the free rows.
    #[cfg(test)]
    pub(super) fn assert_consistent(&self) {
        let mut uses = vec![0u32; self.sources.len()];
        let mut spelled = vec![0u32; self.spelled.len()];
        for list in self.lists.iter().flat_map(|l| l.values()) {
            assert!(!list.is_empty());
            for e in list {
                uses[e.source as usize] += 1;
                if let Path::Spelled(n) = e.path {
                    spelled[n as usize] += 1;
                }
            }
        }
        for (n, (row, uses)) in self.sources.iter().zip(uses).enumerate() {
            let n = u32::try_from(n).unwrap();
            match row {
                Some(row) => assert_eq!(row.uses, uses, "row {n} {}", row.code),
                None => assert!(uses == 0 && self.free_sources.contains(&n), "row {n}"),
            }
        }
        assert_eq!(
            self.sources.iter().filter(|s| s.is_none()).count(),
            self.free_sources.len()
        );
        for (n, (slot, uses)) in self.spelled.iter().zip(spelled).enumerate() {
            assert_eq!(u32::from(slot.is_some()), uses, "spelled {n}");
        }
    }

    /// Every list spelled out, to compare two indexes by what they hold.
    #[cfg(test)]
    pub(super) fn spelled_out(&self) -> std::collections::BTreeMap<(Kind, String), Vec<Referrer>> {
        Kind::ALL
            .into_iter()
            .flat_map(|kind| {
                self.lists[kind as usize]
                    .keys()
                    .map(move |code| (kind, code))
            })
            .map(|(kind, code)| {
                let list = self.referrers(kind, code).collect();
                ((kind, code.to_string()), list)
            })
            .collect()
    }
}

/// Sorts the list of references to `target`, dropping duplicates into `dropped` (their
/// rows and paths are for the caller to release).
fn sort_list(tables: Tables<'_>, target: &str, list: &mut Vec<Entry>, dropped: &mut Vec<Entry>) {
    let cmp = |a: &Entry, b: &Entry| tables.cmp(target, a, b);
    if !list.is_sorted_by(|a, b| cmp(a, b).is_le()) {
        // stable: a list is a few sorted runs (one per kind of referrer), merged
        list.sort_by(cmp);
    }
    list.dedup_by(|a, b| {
        let same = cmp(a, b).is_eq();
        if same {
            dropped.push(*a);
        }
        same
    });
}

/// Stores `value` in a free slot of `slots` (or a new one) and returns its number.
fn take_slot<T>(slots: &mut Vec<Option<T>>, free: &mut Vec<u32>, value: T) -> u32 {
    if let Some(number) = free.pop()
        && let Some(slot) = slots.get_mut(number as usize)
    {
        *slot = Some(value);
        return number;
    }
    slots.push(Some(value));
    // a catalog in memory holds far fewer than 4 billion records
    u32::try_from(slots.len() - 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_takes_16_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        assert_eq!(std::mem::size_of::<Referrer>(), 40);
    }

    #[test]
    fn every_path_a_record_makes_packs_and_reads_back() {
        let mut index = ReverseIndex::default();
        let paths = [
            RefPath::Field(RefField::Parent),
            RefPath::entry(RefField::DependsOn, 7),
            RefPath::form_field(2, 12),
            RefPath::bundle_material(3, RefField::Item),
            RefPath::item_when("0100014001-511602000000-000-115116025323594361-1-03"),
            RefPath::entry(RefField::Items, u32::MAX as usize + 1),
            RefPath::parse("item_when.SOMETHING-ELSE"),
        ];
        let target = "0100014001-511602000000-000-115116025323594361-1-03";
        for path in paths {
            let packed = index.pack(Kind::Item, target, path.clone());
            assert_eq!(index.tables().path(target, packed), path);
            index.release_path(packed);
        }
        // the spelled slots were given back and reused
        assert_eq!(index.spelled.len(), 1);
        assert!(index.spelled.iter().all(Option::is_none));
    }
}
