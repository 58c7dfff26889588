//! `check`: every invariant of every record, the search tree against the rows the records
//! imply, and that every stored record and audit entry decodes; over the loaded catalog, or
//! read from the store a record at a time ([`UnloadedStore::check`]).
//!
//! Without the catalog the records are read three times: once to make their
//! [`Skeleton`] (what a record is checked against of the others: whether they are there,
//! a template's flag, an item's level, the parents and dependencies a cycle runs along),
//! once to check each against it a kind at a time in the catalog's order (counting the
//! elements' uses in the forms on the way), and the elements once more for their search
//! rows. The lines are the loaded check's, in its order. At a million elements that holds
//! the skeleton (36 MB) where the catalog takes 670 MiB.

use crate::engine::search::{self, SearchRow};
use crate::i18n::Lang;
use crate::model::invariants::{Checker, check_record, check_records, cycles_through};
use crate::model::skeleton::Skeleton;
use crate::model::{Kind, Record, RecordRef};

use super::super::codec::{decode_audit, decode_record};
use super::super::keys::{kind_of_tag, tag};
use super::in_order::map_in_order;
use super::{SledStore, StoreError, UnloadedStore, decode_stored, scan, search_tree};

/// What a check of the store without its catalog found.
#[derive(Debug)]
pub struct Checked {
    /// One line per problem (none: the store is sound).
    pub problems: Vec<String>,
    /// How many records the store holds.
    pub records: usize,
}

impl SledStore {
    /// The loaded store's check (see [`crate::store::Store::check`]).
    pub(super) fn check_loaded(&self) -> Result<Vec<String>, StoreError> {
        let mut lines: Vec<String> = check_records(&*self.catalog, self.catalog.records())
            .iter()
            .map(|p| p.describe(Lang::En))
            .collect();
        // every record decodes, under its own code
        for item in self.records.iter() {
            let (key, value) = item.map_err(StoreError::Write)?;
            let Some(kind) = key.first().copied().and_then(kind_of_tag) else {
                lines.push(format!("records: key {key:?} has an unknown kind tag"));
                continue;
            };
            let code = String::from_utf8_lossy(&key[1..]).into_owned();
            match decode_record(kind, &value) {
                Ok(record) => lines.extend(under_another_code(&code, &record)),
                Err(e) => lines.push(format!("{} {code}: does not decode: {e}", kind.as_str())),
            }
        }
        if !self.search_is_current()? {
            lines.push(NO_SEARCH_TREE.into());
        } else {
            lines.extend(self.check_search(search::rows(&self.catalog).map(Ok))?);
        }
        lines.extend(self.check_logs()?);
        Ok(lines)
    }

    /// Compares the search tree with the rows the records imply (`expected`, in code order),
    /// walking both in code order a block at a time (at a million elements, holding both
    /// as lists took 1.2 GB).
    fn check_search(
        &self,
        expected: impl Iterator<Item = Result<SearchRow, StoreError>>,
    ) -> Result<Vec<String>, StoreError> {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let mut scan = scan::of_tree(&self.search, &self.reads);
        let read = move |key: &[u8]| scan.read(key);
        let mut stored = search_tree::rows_read(&self.search, read).peekable();
        let mut expected = expected.peekable();
        let (mut lines, mut stale) = (Vec::new(), Vec::new());
        let mut last: Option<String> = None;
        loop {
            let order = match (stored.peek(), expected.peek()) {
                (None, None) => break,
                (Some(Err(_)), _) => {
                    stored.next().transpose()?;
                    continue;
                }
                (_, Some(Err(_))) => {
                    expected.next().transpose()?;
                    continue;
                }
                (Some(Ok(found)), Some(Ok(row))) => found.code.cmp(&row.code),
                (Some(Ok(_)), None) => Less,
                (None, Some(Ok(_))) => Greater,
            };
            match order {
                Less | Equal => {
                    let Some(Ok(found)) = stored.next() else {
                        continue;
                    };
                    if last.as_ref().is_some_and(|l| *l >= found.code) {
                        // a damaged order: the walk cannot pair the rows
                        return Ok(vec!["search: rows are out of order".into()]);
                    }
                    if order == Less {
                        stale.push(format!("search: stale row {}", found.code));
                    } else if expected.next().transpose()?.is_some_and(|row| row != found) {
                        lines.push(format!("search: row {} is out of date", found.code));
                    }
                    last = Some(found.code);
                }
                Greater => {
                    if let Some(row) = expected.next().transpose()? {
                        lines.push(format!("search: missing row {}", row.code));
                    }
                }
            }
        }
        lines.extend(stale);
        Ok(lines)
    }

    /// The journal's staged chunks of an unfinished batch, and the audit entries that do
    /// not decode.
    fn check_logs(&self) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        if !self.journal.is_empty() {
            lines.push(format!(
                "journal: {} staged chunk(s) of an unfinished batch",
                self.journal.len()
            ));
        }
        let mut scan = scan::of_tree(&self.audit, &self.reads);
        for item in self.audit.iter() {
            let (key, value) = item.map_err(StoreError::Write)?;
            scan.read(&key);
            if let Err(e) = decode_audit(&value) {
                lines.push(format!("audit entry {key:?}: does not decode: {e}"));
            }
        }
        Ok(lines)
    }
}

/// What a search tree of an older layout (or none) says: loading the catalog builds it.
const NO_SEARCH_TREE: &str = "search: the search tree is not built";

/// The line of a record stored under the key of another code.
fn under_another_code(code: &str, record: &Record) -> Option<String> {
    (record.code() != code).then(|| format!("records: key {code} holds {}", record.code()))
}

/// How many records a thread takes at a time.
const CHUNK: usize = 512;

/// The records of a scan a chunk at a time, as stored (key and value): what a thread
/// decodes. A record that cannot be read ends them, and is the last.
type Stored = Result<Vec<(sled::IVec, sled::IVec)>, StoreError>;

/// What checking one record against the skeleton found: its problems (described), the
/// cycles through it, and for a form the positions of the elements it references.
struct RecordChecked {
    code: String,
    problems: Vec<String>,
    cycles: Vec<(&'static str, Vec<String>)>,
    elements: Vec<usize>,
}

impl UnloadedStore {
    /// Checks the store as [`crate::store::Store::check`] checks it loaded, the same lines in
    /// the same order (on a store whose every record is under its own code's key: one under
    /// another's is named, and checked where it is stored), reading its records a chunk at a
    /// time on several threads (see the module documentation). `Ok(None)`: the store's
    /// search tree is of an older layout, which loading the catalog builds (the loaded store
    /// is to check it). A record that does not decode is the error, as it is to loading the
    /// catalog.
    pub fn check(&self) -> Result<Option<Checked>, StoreError> {
        let store = &self.0;
        if !store.search_is_current()? {
            return Ok(None);
        }
        // the skeleton, and the records stored under another code
        let mut skeleton = Skeleton::default();
        let mut keys = Vec::new();
        // a chunk's skeleton (made where it is decoded: only that comes back), and its lines
        let bones = |chunk: Stored| -> Result<(Skeleton, Vec<String>), StoreError> {
            let (mut bones, mut keys) = (Skeleton::default(), Vec::new());
            for (key, value) in chunk? {
                let record = decode_stored(&key, &value)?;
                keys.extend(under_another_code(
                    &String::from_utf8_lossy(&key[1..]),
                    &record,
                ));
                bones.push(record.as_ref());
            }
            Ok((bones, keys))
        };
        map_in_order(self.stored(&[]), bones, |chunks| {
            for chunk in chunks {
                let (bones, mut more) = chunk?;
                skeleton.append(&bones);
                keys.append(&mut more);
            }
            Ok::<(), StoreError>(())
        })?;
        skeleton.finish();
        crate::memory::give_back();
        // each record against it, in the catalog's order; the elements' uses counted
        let mut lines = Vec::new();
        let mut checker = Checker::default();
        let mut uses: Vec<u32> = Vec::new();
        let check = |chunk: Stored| -> Result<Vec<RecordChecked>, StoreError> {
            (chunk?.iter())
                .map(|(key, value)| {
                    let record = decode_stored(key, value)?;
                    Ok(check_one(&skeleton, record.as_ref()))
                })
                .collect()
        };
        for kind in Kind::ALL {
            map_in_order(self.stored(&[tag(kind)]), check, |chunks| {
                for chunk in chunks {
                    for checked in chunk? {
                        lines.extend(checked.problems);
                        for (relation, cycle) in checked.cycles {
                            let found = checker.new_cycle(kind, &checked.code, relation, cycle);
                            lines.extend(found.map(|p| p.describe(Lang::En)));
                        }
                        for i in checked.elements {
                            if uses.len() <= i {
                                uses.resize(i + 1, 0);
                            }
                            uses[i] = uses[i].saturating_add(1);
                        }
                    }
                }
                Ok::<(), StoreError>(())
            })?;
        }
        lines.append(&mut keys);
        crate::memory::give_back();
        // the search tree against the elements' rows, read again
        let rows = |chunk: Stored| -> Result<Vec<SearchRow>, StoreError> {
            let mut rows = Vec::new();
            for (key, value) in chunk? {
                if let Record::Element(element) = decode_stored(&key, &value)? {
                    let agency =
                        (element.source_agency.as_deref()).and_then(|a| skeleton.agency_name(a));
                    let used = (skeleton.position(Kind::Element, &element.code))
                        .and_then(|i| uses.get(i))
                        .map_or(0, |&n| n as usize);
                    rows.push(SearchRow::of(&element, agency, used));
                }
            }
            Ok(rows)
        };
        let elements = self.stored(&[tag(Kind::Element)]);
        lines.extend(map_in_order(elements, rows, |chunks| {
            let mut rows = chunks.flat_map(|chunk| match chunk {
                Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            });
            store.check_search(&mut rows)
        })?);
        lines.extend(store.check_logs()?);
        Ok(Some(Checked {
            problems: lines,
            records: skeleton.len(),
        }))
    }

    /// The stored records whose keys start with `prefix`, in key order, a chunk at a time.
    fn stored(&self, prefix: &[u8]) -> impl Iterator<Item = Stored> + Send + '_ {
        let store = &self.0;
        let mut scan = scan::of_tree(&store.records, &store.reads);
        let mut records = store.records.scan_prefix(prefix);
        let mut ended = false;
        std::iter::from_fn(move || {
            if ended {
                return None;
            }
            let mut chunk = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                match records.next() {
                    Some(Ok((key, value))) => {
                        scan.read(&key);
                        chunk.push((key, value));
                    }
                    Some(Err(e)) => {
                        ended = true;
                        return Some(Err(StoreError::Write(e)));
                    }
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
            (!chunk.is_empty()).then_some(Ok(chunk))
        })
    }
}

/// Checks one record against the skeleton (on a thread of the check's).
fn check_one(skeleton: &Skeleton, record: RecordRef<'_>) -> RecordChecked {
    let problems = check_record(skeleton, record);
    let mut elements = Vec::new();
    if record.kind() == Kind::Form {
        record.for_each_reference(|r| {
            if r.target == Kind::Element {
                elements.extend(skeleton.position(Kind::Element, r.code));
            }
        });
    }
    RecordChecked {
        code: record.code().to_string(),
        problems: problems.iter().map(|p| p.describe(Lang::En)).collect(),
        cycles: cycles_through(skeleton, record),
        elements,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Catalog;
    use crate::store::Store;
    use crate::store::codec::encode_record;
    use crate::store::keys::record_key;

    /// The sample store in `dir`, open without its catalog, and the catalog.
    fn sample(dir: &std::path::Path) -> (UnloadedStore, Catalog) {
        let loaded = super::super::tests::sample_store(dir);
        let catalog = loaded.catalog().clone();
        drop(loaded);
        (SledStore::open_unloaded(dir).unwrap(), catalog)
    }

    /// Stores `record` under its key as it is, unchecked (what only a damaged store holds).
    fn put(store: &UnloadedStore, record: &Record) {
        let key = record_key(record.kind(), record.code());
        let value = encode_record(record).unwrap();
        store.0.records.insert(key, value).unwrap();
    }

    /// What `store` checked without its catalog finds, and then with it loaded.
    fn both(store: UnloadedStore) -> (Checked, Vec<String>) {
        let unloaded = store.check().unwrap().expect("a current search tree");
        let loaded = store.load().unwrap().check().unwrap();
        (unloaded, loaded)
    }

    #[test]
    fn a_sound_store_checks_clean_without_its_catalog_and_counts_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let (store, catalog) = sample(dir.path());
        let (unloaded, loaded) = both(store);
        assert_eq!(unloaded.problems, Vec::<String>::new());
        assert_eq!(loaded, Vec::<String>::new());
        assert_eq!(unloaded.records, catalog.len());
        // the search rows compared are the catalog's: agencies named, uses counted
        assert!(catalog.elements.values().any(|e| e.source_agency.is_some()));
        assert!((catalog.elements.keys()).any(|c| search::uses(&catalog, c) > 1));
    }

    #[test]
    fn a_damaged_store_checked_without_its_catalog_has_the_loaded_checks_lines() {
        let dir = tempfile::tempdir().unwrap();
        let (store, catalog) = sample(dir.path());
        let elements: Vec<_> = catalog.elements.values().take(3).collect();
        // two elements each other's parent, one under an element not stored
        for (i, parent) in [
            (0, elements[1].code.as_str()),
            (1, &elements[0].code),
            (2, "NOPE"),
        ] {
            let mut element = elements[i].clone();
            element.parent = Some(parent.into());
            put(&store, &Record::Element(element));
        }
        // an item depending on one not stored, one with an empty name
        let mut items = catalog.items.values();
        let mut item = items.next().unwrap().clone();
        item.depends_on = ["NOPE-ITEM".into()].into();
        put(&store, &Record::Item(item));
        let mut item = items.next().unwrap().clone();
        item.name = " ".into();
        put(&store, &Record::Item(item));
        // a form's element removed: its bindings name an element not stored, its search row
        // is stale; another element's row is out of date, another's missing, a stale one left
        let bound = (catalog.forms.values())
            .flat_map(|f| f.fields())
            .find_map(|(_, _, f)| f.element.clone())
            .unwrap();
        store
            .0
            .records
            .remove(record_key(Kind::Element, &bound))
            .unwrap();
        let rows = search_tree::read_all(&store.0.search).unwrap();
        let mut changed = rows[5].clone();
        changed.uses += 5;
        let mut stale = rows[0].clone();
        stale.code = "ZZZ-STALE".into();
        let missing = rows[7].code.to_string();
        let changes = BTreeMap::from([
            (changed.code.to_string(), Some(changed)),
            (missing.clone(), None),
            ("ZZZ-STALE".to_string(), Some(stale)),
        ]);
        for (key, value) in search_tree::plan(&store.0.search, changes, |_| {}).unwrap() {
            match value {
                Some(v) => store.0.search.insert(key, v).unwrap(),
                None => store.0.search.remove(key).unwrap(),
            };
        }
        // an audit entry that does not decode, and a chunk staged in the journal
        store
            .0
            .audit
            .insert(u64::MAX.to_be_bytes(), b"garbage".as_slice())
            .unwrap();
        store
            .0
            .journal
            .insert(b"chunk", b"staged".as_slice())
            .unwrap();
        let (unloaded, loaded) = both(store);
        assert_eq!(unloaded.problems, loaded);
        let has = |what: &str| loaded.iter().filter(|l| l.contains(what)).count();
        assert_eq!(has("cycle"), 1, "{loaded:#?}");
        for what in [
            "NOPE",
            "NOPE-ITEM",
            "name",
            &format!("search: stale row {bound}"),
            &format!("search: missing row {missing}"),
            "is out of date",
            "stale row ZZZ-STALE",
            "audit entry",
            "journal: 1 staged",
        ] {
            assert!(has(what) > 0, "{what}: {loaded:#?}");
        }
        assert!(has(&format!("unknown element {bound}")) > 1, "{loaded:#?}");
    }

    #[test]
    fn a_record_under_another_codes_key_is_named_and_checked_where_it_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (store, catalog) = sample(dir.path());
        let mut forms = catalog.forms.values();
        let (first, second) = (forms.next().unwrap(), forms.next().unwrap());
        let value = encode_record(&Record::Form(second.clone())).unwrap();
        store
            .0
            .records
            .insert(record_key(Kind::Form, &first.code), value)
            .unwrap();
        let unloaded = store.check().unwrap().unwrap();
        let line = format!("records: key {} holds {}", first.code, second.code);
        assert!(
            unloaded.problems.contains(&line),
            "{:#?}",
            unloaded.problems
        );
        // the form stored under it is there no more: what names it is reported
        assert!(
            (unloaded.problems.iter()).any(|l| l.contains(&format!("unknown form {}", first.code)))
                || catalog.referrer_count(Kind::Form, &first.code) == 0,
            "{:#?}",
            unloaded.problems
        );
        assert_eq!(unloaded.records, catalog.len() - 1);
    }

    #[test]
    fn a_search_tree_of_an_older_layout_is_left_to_the_loaded_check() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = sample(dir.path());
        store.0.meta.remove("search").unwrap();
        assert!(store.check().unwrap().is_none());
    }

    #[test]
    fn a_record_that_does_not_decode_stops_the_check_as_it_stops_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let (store, catalog) = sample(dir.path());
        let code = catalog.items.keys().nth(3).unwrap();
        store
            .0
            .records
            .insert(record_key(Kind::Item, code), b"\x07".as_slice())
            .unwrap();
        let Err(StoreError::Corrupt { what, .. }) = store.check() else {
            panic!("a damaged record is the error");
        };
        assert_eq!(what, format!("item {code}"));
    }
}
