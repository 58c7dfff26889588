//! Who references an item, a material or a bundle, read without the catalog: what a delete
//! on demand is refused with, as the loaded catalog refuses it.

use super::UnloadedStore;
use crate::model::{Kind, Outline, Record, RecordRef, RecordSource, Referrer, SharedCode};
use crate::store::StoreError;

/// Up to this many referring records are read one by one; more (a material ten thousand
/// items list) are found by reading their kinds' records in order, which at a million
/// elements takes a second or two where reading each alone took twenty.
const READ_ONE_BY_ONE: usize = 256;

impl UnloadedStore {
    /// The references to the item, material or bundle `code` of `kind`, as the loaded catalog's
    /// [`Catalog::referrers`](crate::model::Catalog::referrers) lists them (by kind, code and
    /// path, each once): how many in all, and the first `shown`. Read from the records the
    /// `outline` names as referencing it, each once and in order, keeping none of them (a
    /// bundle's, the bundles claimed from it, from the bundles read in order). `None` for
    /// another kind, whose referrers the outline does not know.
    pub fn referrers_near(
        &self,
        kind: Kind,
        code: &str,
        outline: &Outline,
        shown: usize,
    ) -> Result<Option<(usize, Vec<Referrer>)>, StoreError> {
        self.referrers_read(kind, code, outline, shown, READ_ONE_BY_ONE)
    }

    /// [`UnloadedStore::referrers_near`], reading up to `one_by_one` referring records one
    /// by one.
    fn referrers_read(
        &self,
        kind: Kind,
        code: &str,
        outline: &Outline,
        shown: usize,
        one_by_one: usize,
    ) -> Result<Option<(usize, Vec<Referrer>)>, StoreError> {
        let mut found = Found {
            kind,
            code,
            shown,
            total: 0,
            first: Vec::new(),
        };
        if kind == Kind::Bundle {
            for record in self.bundles_claimed_from(code)? {
                found.offer(record.as_ref());
            }
            return Ok(Some((found.total, found.first)));
        }
        let Some(mut sources) = outline.referrers(kind, code) else {
            return Ok(None);
        };
        sources.sort_unstable();
        if sources.len() <= one_by_one {
            for (source, at) in sources {
                if let Some(record) = self.record(source, at)? {
                    found.offer(record.as_ref());
                }
            }
        } else {
            let reader = self.reader();
            let mut kinds: Vec<Kind> = sources.iter().map(|(k, _)| *k).collect();
            kinds.dedup();
            for source in kinds {
                reader
                    .each_record(source, &mut |record| {
                        let at = (source, record.code());
                        if sources.binary_search(&at).is_ok() {
                            found.offer(record);
                        }
                        Ok(())
                    })
                    .map_err(|e| reader.read_error(e))?;
            }
        }
        Ok(Some((found.total, found.first)))
    }

    /// The bundles claimed from the bundle `code` (their `template_of` names it), in code
    /// order: all that reference a bundle, found by reading the bundles in order (the
    /// outline links none).
    pub(super) fn bundles_claimed_from(&self, code: &str) -> Result<Vec<Record>, StoreError> {
        let reader = self.reader();
        let mut claimed = Vec::new();
        reader
            .each_record(Kind::Bundle, &mut |record| {
                if let RecordRef::Bundle(b) = record
                    && b.template_of.as_deref() == Some(code)
                {
                    claimed.push(record.to_record());
                }
                Ok(())
            })
            .map_err(|e| reader.read_error(e))?;
        Ok(claimed)
    }
}

/// The references to one record found so far (see [`UnloadedStore::referrers_near`]).
struct Found<'a> {
    kind: Kind,
    code: &'a str,
    shown: usize,
    total: usize,
    first: Vec<Referrer>,
}

impl Found<'_> {
    /// Counts the references `record` makes to the record, the next in order, and keeps the
    /// first of them.
    fn offer(&mut self, record: RecordRef<'_>) {
        let mut paths = Vec::new();
        record.for_each_reference(|r| {
            if r.target == self.kind && r.code == self.code {
                paths.push(r.path);
            }
        });
        paths.sort_unstable();
        paths.dedup();
        self.total += paths.len();
        for path in paths
            .into_iter()
            .take(self.shown.saturating_sub(self.first.len()))
        {
            self.first.push(Referrer {
                kind: record.kind(),
                code: SharedCode::from(record.code()),
                path,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Kind, Outline};
    use crate::store::{SledStore, Store};

    #[test]
    fn the_referrers_read_near_a_record_are_the_loaded_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::sled_store::tests::sample_store(dir.path());
        let catalog = store.catalog().clone();
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        let outline = Outline::of(&catalog);
        let mut checked = [0, 0, 0];
        let kinds = [Kind::Item, Kind::Material, Kind::Bundle];
        for (n, kind) in kinds.into_iter().enumerate() {
            let codes: Vec<String> = match kind {
                Kind::Item => catalog.items.keys().map(|c| c.to_string()).collect(),
                Kind::Material => catalog.materials.keys().map(|c| c.to_string()).collect(),
                _ => catalog.bundles.keys().map(|c| c.to_string()).collect(),
            };
            for code in codes {
                let expected: Vec<_> = catalog.referrers(kind, &code).take(3).collect();
                // the referring records read one by one, or their kinds' records in order
                for one_by_one in [super::READ_ONE_BY_ONE, 0] {
                    let (total, first) = unloaded
                        .referrers_read(kind, &code, &outline, 3, one_by_one)
                        .unwrap()
                        .expect("an item or a material");
                    assert_eq!(total, catalog.referrer_count(kind, &code), "{code}");
                    assert_eq!(first, expected, "{code}");
                }
                let least = if kind == Kind::Bundle { 0 } else { 3 };
                checked[n] += usize::from(catalog.referrer_count(kind, &code) > least);
            }
        }
        assert!(
            checked.iter().all(|&n| n > 0),
            "some with more than shown, a template claimed: {checked:?}"
        );
        let element = catalog.elements.keys().next().unwrap();
        let asked = unloaded.referrers_near(Kind::Element, element, &outline, 3);
        assert_eq!(
            asked.unwrap(),
            None,
            "the outline does not know an element's"
        );
    }
}
