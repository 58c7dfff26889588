//! The statistics counted from the store a record at a time, without loading the catalog:
//! what `stats` and pane 5 count when no write since left them cached (`stats.idx`). Every
//! write removes them, pane 3's designer and pane 2's editor saving on demand too; counting
//! them from the loaded catalog held 750 MB at a million elements.
//!
//! The count is the loaded catalog's ([`crate::engine::stats::count`]), each kind's records
//! read in turn; how an element is used comes from the cached element links (`links.idx`),
//! the agency of a form's item and the names of regions and agencies from the cached
//! outline (`outline.idx`), and each bundle's reduction from a merge over the bundle's own
//! records, as `merge` reads them.

use std::io;

use crate::engine::stats::{Stats, Uses, bundle_reduction, count};
use crate::model::{Bundle, ElementLinks, Kind, Outline};

use super::error::StoreError;
use super::sled_store::{RecordReader, UnloadedStore};

impl RecordReader {
    /// The statistics of the store's records (see the module documentation), with the
    /// store's cached `outline` and element `links`. A record that cannot be read stops it.
    pub fn count_stats(
        &self,
        outline: &Outline,
        links: &ElementLinks,
    ) -> Result<Stats, StoreError> {
        let uses = |code: &str| {
            let mut uses = Uses::default();
            for r in links.references(code) {
                uses.referenced = true;
                uses.fields += usize::from(r.kind == Kind::Form);
            }
            uses
        };
        let reduction = |bundle: &Bundle| {
            let near = self
                .bundle_records(&bundle.code, outline)
                .map_err(io::Error::other)?;
            Ok(near.and_then(|near| bundle_reduction(&near, &bundle.code)))
        };
        count(self, outline, &uses, reduction).map_err(|e| self.read_error(e))
    }
}

impl UnloadedStore {
    /// The statistics counted from the store's records with its cached outline and element
    /// links (see the module documentation); `Ok(None)` when either is not cached.
    pub fn count_stats(&self) -> Result<Option<Stats>, StoreError> {
        let (Some(outline), Some(links)) = (self.outline(), self.element_links()) else {
            return Ok(None);
        };
        self.reader().count_stats(&outline, &links).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::stats::stats;
    use crate::model::{Record, SharedText};
    use crate::store::{Batch, SledStore, Store};

    #[test]
    fn statistics_counted_from_the_store_are_the_loaded_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::sled_store::tests::sample_store(dir.path());
        // unbound fields (of a form whose item has an agency), an element under another,
        // one no longer used, a draft
        let catalog = store.catalog().clone();
        let mut form = catalog.forms.values().nth(3).unwrap().clone();
        for field in form
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .take(2)
        {
            field.element = None;
        }
        // a new element no field binds, used only as the parent of another
        let mut parent = catalog.elements.values().nth(41).unwrap().clone();
        parent.code = "DE-PARENT".into();
        let mut child = catalog.elements.values().nth(40).unwrap().clone();
        child.parent = Some(SharedText::from("DE-PARENT"));
        child.status = crate::model::Status::Draft;
        let records = [
            Record::Form(form),
            Record::Element(parent),
            Record::Element(child),
        ];
        store.apply(Batch::upserts("edit", records)).unwrap();
        store.save_outline();
        let read = store.snapshot().search();
        assert!(store.save_search(&read.data, read.cacheable_at.unwrap()));
        let expected = stats(store.catalog());
        assert!(expected.unbound_fields >= 2 && !expected.bundle_reduction.is_empty());
        assert!(expected.reuse.never_used > 0 && expected.reuse.most_reused.len() == 20);
        drop(store);
        let unloaded = SledStore::open_unloaded(dir.path()).unwrap();
        assert_eq!(unloaded.count_stats().unwrap(), Some(expected));
        // without the element links it cannot be counted so
        std::fs::remove_file(dir.path().join("links.idx")).unwrap();
        assert_eq!(unloaded.count_stats().unwrap(), None);
    }
}
