//! An open store's records as a [`Lookup`], read from the database as they are looked up
//! and kept: what an import into a store open on demand checks its file against (the
//! records the file's records replace and reference, and what those reach along the
//! relations that must stay acyclic), instead of the whole catalog (at a million elements
//! 700 MiB, where the records a file of a few thousand touches take a few MiB).

use std::cell::RefCell;
use std::collections::HashSet;

use elsa::FrozenMap;

use super::RecordReader;
use crate::model::invariants::Lookup;
use crate::model::{Catalog, Kind, Record, RecordRef};
use crate::store::StoreError;

/// The records of an open store read as they are looked up, each once (a record it lacks,
/// once too). A read that fails answers "no such record" and is kept: [`StoredLookup::read`]
/// returns it, so that what was checked against a store that could not be read is not
/// taken for checked.
pub struct StoredLookup {
    reader: RecordReader,
    /// The records read, by kind and code.
    found: FrozenMap<(Kind, String), Box<Record>>,
    /// The keys looked up that the store does not have.
    missing: RefCell<HashSet<(Kind, String)>>,
    /// The first read that failed.
    failed: RefCell<Option<StoreError>>,
}

impl StoredLookup {
    /// Looks records up in the store `reader` reads.
    pub fn new(reader: RecordReader) -> Self {
        Self {
            reader,
            found: FrozenMap::new(),
            missing: RefCell::default(),
            failed: RefCell::default(),
        }
    }

    /// The records read so far, as a catalog of just those (what a write over the records
    /// near an import starts from), or the first read that failed.
    pub fn read(self) -> Result<Catalog, StoreError> {
        if let Some(e) = self.failed.into_inner() {
            return Err(e);
        }
        let records = self.found.into_map().into_values().map(|r| *r);
        Ok(Catalog::from_records(records))
    }
}

impl Lookup for StoredLookup {
    fn lookup(&self, kind: Kind, code: &str) -> Option<RecordRef<'_>> {
        let key = (kind, code.to_string());
        if let Some(record) = self.found.get(&key) {
            return Some(record.as_ref());
        }
        if self.missing.borrow().contains(&key) || self.failed.borrow().is_some() {
            return None;
        }
        match self.reader.record(kind, code) {
            Ok(Some(record)) => Some(self.found.insert(key, Box::new(record)).as_ref()),
            Ok(None) => {
                self.missing.borrow_mut().insert(key);
                None
            }
            Err(e) => {
                *self.failed.borrow_mut() = Some(e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Batch, SledStore, Store};

    #[test]
    fn records_are_read_as_looked_up_once_and_come_back_as_a_catalog_of_just_those() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        let records: Vec<Record> = crate::sample::generate(1).into_records().collect();
        store.apply(Batch::upserts("seed", records)).unwrap();
        let form = store.catalog().forms.values().next().cloned().unwrap();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let stored = StoredLookup::new(unloaded.reader());
        let found = stored.lookup(Kind::Form, &form.code);
        assert_eq!(found, Some(RecordRef::Form(&form)));
        assert!(stored.lookup(Kind::Element, "DE999999").is_none());
        // the record's reference to its item, found; a lookup again gives the same record
        let item = form.item.clone().unwrap();
        assert!(
            matches!(stored.lookup(Kind::Item, &item), Some(RecordRef::Item(i)) if i.code == item)
        );
        assert!(stored.lookup(Kind::Form, &form.code).is_some());
        let read = stored.read().unwrap();
        assert_eq!(read.forms.len(), 1);
        assert_eq!(read.items.len(), 1);
        assert_eq!(read.len(), 2, "only what was looked up");
    }
}
