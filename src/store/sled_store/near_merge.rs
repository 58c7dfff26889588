//! The records a merge of two elements reads, without the catalog: the two elements and
//! whatever references the one merged (the forms binding it, the elements under it), as the
//! cached element links name them. `engine::dups::merge_batch` over them makes the batch it
//! makes over the whole catalog, and `UnloadedStore::apply_near` writes it over them (the
//! merged element deleted: every referrer the links name is in the batch, checked to
//! reference it no more).

use super::{CHUNK_RECORDS, UnloadedStore};
use crate::model::{Catalog, ElementLinks, Kind};
use crate::store::StoreError;

impl UnloadedStore {
    /// Whether merging the element `merge` away is written over the records near it in one
    /// write: the records that reference it (by `links`), with the two elements, are few
    /// enough (an element bound in a hundred thousand forms is merged a chunk of them at a
    /// time: [`UnloadedStore::merge_in_chunks`]).
    pub fn merges_near(links: &ElementLinks, merge: &str) -> bool {
        links.referrers(merge).len() + 2 <= CHUNK_RECORDS
    }

    /// The records merging the element `merge` into `keep` reads and changes: both elements
    /// and each record that references `merge` as `links` name them, read one by one.
    /// `None` when either element is not stored, or the merge is not written near its
    /// records ([`UnloadedStore::merges_near`]).
    pub fn merge_records(
        &self,
        keep: &str,
        merge: &str,
        links: &ElementLinks,
    ) -> Result<Option<Catalog>, StoreError> {
        if !Self::merges_near(links, merge) {
            return Ok(None);
        }
        let mut near = Catalog::default();
        for code in [keep, merge] {
            match self.record(Kind::Element, code)? {
                Some(found) => near.insert(found),
                None => return Ok(None),
            };
        }
        for (kind, code) in links.referrers(merge) {
            if near.get(kind, code).is_none()
                && let Some(found) = self.record(kind, code)?
            {
                near.insert(found);
            }
        }
        Ok(Some(near))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::engine::dups;
    use crate::store::sled_store::near_write::tests::batches_written_as_over_the_whole_catalog;
    use crate::store::{Batch, Command, Store};

    /// Merges of elements of `catalog`, each pair apart from the others: the duplicate
    /// finder's pairs the merge accepts, and merges of elements with others under them, of
    /// elements under another, of elements bound in several forms and of elements nothing
    /// references.
    pub(in crate::store::sled_store) fn merges(catalog: &Catalog) -> Vec<(String, String)> {
        let mut used = BTreeSet::new();
        let mut out = Vec::new();
        let mut offer = |keep: &str, merge: &str, out: &mut Vec<(String, String)>| {
            let fresh = !used.contains(keep) && !used.contains(merge);
            if fresh && dups::merge_check(catalog, keep, merge).is_ok() {
                used.insert(keep.to_string());
                used.insert(merge.to_string());
                out.push((keep.to_string(), merge.to_string()));
                return true;
            }
            false
        };
        for pair in dups::find(catalog).elements.iter().take(6) {
            offer(&pair.keep, &pair.merge, &mut out);
        }
        // an element merged into one under it, which takes its place
        let under_one = catalog.elements.values().find_map(|e| {
            let parent = e.parent.as_deref()?;
            dups::merge_check(catalog, &e.code, parent)
                .is_ok()
                .then_some((&e.code, parent))
        });
        let (child, parent) = under_one.expect("an element under one of its kind");
        assert!(offer(child, parent, &mut out));
        let referrers = |code: &str, kind: Kind| {
            catalog
                .referrers(Kind::Element, code)
                .filter(|r| r.kind == kind)
                .count()
        };
        let parent = |c: &str| catalog.elements.get(c).and_then(|e| e.parent.as_ref());
        let wanted: [&dyn Fn(&str) -> bool; 4] = [
            &|c| referrers(c, Kind::Element) > 0,
            &|c| parent(c).is_some(),
            &|c| referrers(c, Kind::Form) > 2,
            &|c| catalog.referrer_count(Kind::Element, c) == 0,
        ];
        for want in wanted {
            'found: for merge in catalog.elements.keys().filter(|c| want(c)) {
                for keep in catalog.elements.keys() {
                    if offer(keep, merge, &mut out) {
                        break 'found;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn merges_written_near_them_are_written_as_over_the_whole_catalog() {
        let mut pairs = None;
        let next = |catalog: &Catalog| {
            let pairs = pairs.get_or_insert_with(|| {
                let pairs = merges(catalog);
                // pairs of the finder, and one of each kind wanted
                assert!(pairs.len() >= 6, "{pairs:?}");
                let under = |m: &str| catalog.elements.get(m).is_some_and(|e| e.parent.is_some());
                assert!(pairs.iter().any(|(_, m)| under(m)), "{pairs:?}");
                let moved: usize = (pairs.iter())
                    .map(|(_, m)| catalog.referrer_count(Kind::Element, m))
                    .sum();
                assert!(moved > 5, "{moved}");
                pairs.into_iter()
            });
            // made of the catalog as the merges before left it
            let (keep, merge) = pairs.next()?;
            Some(dups::merge_batch(catalog, &keep, &merge, false).unwrap())
        };
        let near = |store: &UnloadedStore, batch: &Batch, _: &crate::model::Outline| {
            let merge = batch.deleted().pop().expect("the merged element").1;
            let keep = match batch.commands.first() {
                Some(Command::Upsert(kept)) => kept.code().to_string(),
                _ => unreachable!("the kept element first"),
            };
            let links = store.element_links().expect("links cached");
            let near = store.merge_records(&keep, &merge, &links).unwrap().unwrap();
            // the batch made over the records near the merge is the whole catalog's
            let made = dups::merge_batch(&near, &keep, &merge, false).unwrap();
            assert_eq!(&made, batch);
            near
        };
        let (rows, kept_lint) = batches_written_as_over_the_whole_catalog(next, near);
        assert!(rows > 10, "{rows}");
        assert_eq!(
            kept_lint, 0,
            "an element's change moves any form's warnings"
        );
    }

    /// An element that more records reference than one write near them takes is merged a
    /// chunk of them at a time (`merge_in_chunks`): the two elements and 4,094 forms are
    /// written near them in one write, one form more is not.
    #[test]
    fn an_element_referenced_by_more_than_a_write_takes_is_not_merged_in_one_write() {
        use crate::model::Record;
        let sample = crate::sample::generate(1);
        let first = &sample.forms["BD000001"];
        let form = |n: usize| {
            let mut form = first.clone();
            form.code = format!("F{n:05}").into();
            Record::Form(form)
        };
        let bound = (first.fields())
            .find_map(|(_, _, f)| f.element.as_deref())
            .expect("a bound field");
        let mut catalog = Catalog::default();
        // (the links are of the elements the catalog holds)
        for element in sample.elements.values() {
            catalog.insert(Record::Element(element.clone()));
        }
        for n in 0..CHUNK_RECORDS - 2 {
            catalog.insert(form(n));
        }
        let links = ElementLinks::of(&catalog);
        assert_eq!(links.referrers(bound).len(), CHUNK_RECORDS - 2);
        assert!(UnloadedStore::merges_near(&links, bound));
        catalog.insert(form(CHUNK_RECORDS));
        assert!(!UnloadedStore::merges_near(
            &ElementLinks::of(&catalog),
            bound
        ));
    }

    #[test]
    fn a_merge_that_leaves_a_referrer_out_needs_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = crate::store::sled_store::near_write::tests::sample_store(dir.path());
        let catalog = loaded.catalog().clone();
        drop(loaded);
        let (keep, merge) = merges(&catalog)
            .into_iter()
            .find(|(_, m)| {
                catalog
                    .referrers(Kind::Element, m)
                    .any(|r| r.kind == Kind::Form)
            })
            .unwrap();
        let mut batch = dups::merge_batch(&catalog, &keep, &merge, false).unwrap();
        // a form left binding it, as the links know
        let left = batch
            .commands
            .iter()
            .position(|c| c.key().0 != Kind::Element)
            .unwrap();
        batch.commands.remove(left);
        let mut store = crate::store::SledStore::open_unloaded(dir.path()).unwrap();
        let mut outline = store.outline().unwrap();
        let links = store.element_links().unwrap();
        let mut near = store.merge_records(&keep, &merge, &links).unwrap().unwrap();
        let written = store.apply_near(batch, &mut near, &mut outline).unwrap();
        assert!(written.is_none(), "the delete needs the catalog");
        // nothing was written
        assert_eq!(
            store.record(Kind::Element, &merge).unwrap(),
            catalog.get(Kind::Element, &merge).map(|r| r.to_record())
        );
    }
}
