//! Writes that need only the records near them, so that a store open on demand saves pane
//! 3's designer without loading its catalog (at a million elements a loaded catalog holds
//! 670 MiB; the records near a form, a few dozen).
//!
//! A change to forms' names and fields (bindings, labels, order, sections, required flags,
//! help, conditions, workflow) that leaves each form's item and material as they were is
//! validated exactly as over the whole catalog: what a form is checked against is whether
//! what it references exists, and its own fields; nothing references a form, so nothing else
//! can break. The write is the same transaction (records, search rows, audit); the search
//! rows of the elements whose use counts move are the tree's rows with their counts moved.
//! The cache files the on-demand panes read are kept: the outline (a form's name, field
//! count, status and version set) and the element links (the form's bindings replaced), written
//! again once the change is flushed, and the search index's file (its moved use counts set,
//! see `search_file`). The statistics are removed, as by every write, and lint counts are
//! the caller's to save (it knows the form's warnings).

use std::collections::BTreeMap;

use super::{RowsFrom, SearchRows, SledStore, UnloadedStore, search_tree};
use crate::model::invariants::Changes;
use crate::model::{Catalog, Form, Kind, Outline, OutlineSource, Record, RecordRef};
use crate::store::cache_file::{read_links, write_links, write_outline};
use crate::store::search_file::OldSearchFile;
use crate::store::{Applied, Batch, Command, Store, StoreError};

/// What a write over the records near it did.
#[derive(Debug, Default)]
pub struct NearWritten {
    /// What changed.
    pub applied: Applied,
    /// The search rows it wrote, by element code: an index of the store in memory follows
    /// the change by them.
    pub rows: SearchRows,
}

impl UnloadedStore {
    /// Writes `batch` over the records `near` it, without the catalog, when it is a change to
    /// forms' names and fields alone (see the module documentation); `near` holds the records
    /// the caller read near the forms (a designer's) and follows the change, as `outline`
    /// does. `Ok(None)`: the batch needs the whole catalog (another kind of change, a new
    /// form, a form moved to another item or material, a store without a current search tree
    /// or outline entry), and nothing was written. Refused as a loaded store refuses it
    /// otherwise ([`StoreError::Invalid`] and the rest), nothing written either.
    pub fn apply_near(
        &mut self,
        batch: Batch,
        near: &mut Catalog,
        outline: &mut Outline,
    ) -> Result<Option<NearWritten>, StoreError> {
        let Some(forms) = self.forms_changed_near(&batch, outline)? else {
            return Ok(None);
        };
        // the store's own versions, and what the new ones reference, so that the batch is
        // checked against the store as it is
        for (old, new) in &forms {
            near.insert(Record::Form(old.clone()));
            for r in RecordRef::Form(new).references() {
                if near.get(r.target, r.code).is_none()
                    && let Some(record) = self.record(r.target, r.code)?
                {
                    near.insert(record);
                }
            }
        }
        let links = read_links(&self.0.path);
        // the search index's file, still readable once the write has removed it
        let search = OldSearchFile::open_current(&self.0.path);
        let whole = std::mem::replace(
            &mut self.0.catalog,
            std::sync::Arc::new(std::mem::take(near)),
        );
        let written = self.0.apply_with(batch, RowsFrom::Tree);
        let after = std::mem::replace(&mut self.0.catalog, whole);
        *near = std::sync::Arc::try_unwrap(after).unwrap_or_else(|shared| (*shared).clone());
        let applied = written?;
        let rows = Store::take_search_changes(&mut self.0)
            .rows
            .unwrap_or_default();
        if applied.is_noop() {
            return Ok(Some(NearWritten { applied, rows }));
        }
        // flushed: the caches follow, from the forms as stored
        let mut links = links;
        let mut follows = true;
        for (_, new) in &forms {
            let Some(form) = near.forms.get(new.code.as_str()) else {
                continue;
            };
            follows &= outline.follow_form(form);
            links = links.map(|l| l.with_form(form));
        }
        // (it does: the forms were checked to be the outline's, of the same items)
        if follows {
            write_outline(&self.0.path, outline);
        }
        if let Some(links) = &links {
            write_links(&self.0.path, links);
        }
        drop(links);
        if let Some(search) = search {
            let uses = rows
                .iter()
                .filter_map(|(code, row)| Some((code.clone(), row.as_ref()?.uses)))
                .collect();
            search.rewrite_with_uses(&self.0.path, &uses);
        }
        // the next write must remove them again
        self.0.cache_removed = false;
        Ok(Some(NearWritten { applied, rows }))
    }

    /// The forms `batch` changes, each as stored and as the batch has it, when the batch is a
    /// change to forms' names and fields alone that the store can write over the records near
    /// it; `None` when it is not.
    fn forms_changed_near(
        &self,
        batch: &Batch,
        outline: &Outline,
    ) -> Result<Option<Vec<(Form, Form)>>, StoreError> {
        if batch.commands.len() > super::CHUNK_RECORDS || !self.0.search_is_current()? {
            return Ok(None);
        }
        let mut forms: BTreeMap<&str, (Form, Form)> = BTreeMap::new();
        for command in &batch.commands {
            let Command::Upsert(Record::Form(new)) = command else {
                return Ok(None);
            };
            let Some(Record::Form(old)) = self.record(Kind::Form, &new.code)? else {
                return Ok(None);
            };
            let outlined = outline.form(&new.code);
            let same_place = new.item == old.item
                && new.material == old.material
                && outlined.is_some_and(|f| f.item == old.item.as_deref());
            if !same_place {
                return Ok(None);
            }
            forms.insert(&new.code, (old, new.clone()));
        }
        Ok(Some(forms.into_values().collect()))
    }
}

impl SledStore {
    /// The search rows a chunk of changed forms moves: each element whose use count the
    /// forms change, its row read from the search tree with the count moved (the loaded
    /// catalog's rows are [`SledStore::search_rows`]; the records are the same).
    pub(super) fn search_rows_from_tree(
        &self,
        chunk: &[(Kind, String)],
        changes: &Changes,
    ) -> Result<SearchRows, StoreError> {
        let delta = self.use_deltas(chunk, changes);
        let mut rows = SearchRows::new();
        for (code, change) in delta {
            if let Some(mut row) = search_tree::row(&self.search, &code)? {
                let uses = (i64::from(row.uses) + change).max(0);
                row.uses = u32::try_from(uses).unwrap_or(u32::MAX);
                rows.insert(code, Some(row));
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{ElementLinks, SharedText};
    use crate::store::cache_file::{read_links, read_outline, read_search};

    /// A store in `dir` holding the sample at scale 1, with its outline, links and search
    /// index cached.
    fn sample_store(dir: &Path) -> SledStore {
        let mut store = super::super::tests::sample_store(dir);
        store.save_outline();
        let read = store.snapshot().search();
        assert!(store.save_search(&read.data, read.cacheable_at.unwrap()));
        store
    }

    /// Designer-like edits of forms of `catalog`: each form as changed.
    fn edits(catalog: &Catalog) -> Vec<Form> {
        let spare: Vec<&str> = catalog.elements.keys().map(|c| c.as_str()).collect();
        let mut out = Vec::new();
        for (n, form) in catalog.forms.values().take(30).enumerate() {
            let mut form = form.clone();
            let fields = form.sections.iter_mut().flat_map(|s| s.fields.iter_mut());
            match n % 6 {
                0 => fields.for_each(|f| f.element = None),
                1 => fields.for_each(|f| f.required = !f.required),
                2 => form.sections.iter_mut().for_each(|s| s.fields.reverse()),
                // bound to elements the form did not bind (not near it)
                3 => fields
                    .zip(spare.iter().rev())
                    .for_each(|(f, e)| f.element = Some(SharedText::from(*e))),
                4 => {
                    form.sections.pop();
                    form.name = format!("{}（改）", form.name).into();
                }
                _ => fields.for_each(|f| f.label = SharedText::from(format!("改 {}", f.label))),
            }
            out.push(form);
        }
        out
    }

    #[test]
    fn forms_written_near_them_are_written_as_over_the_whole_catalog() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        drop(sample_store(a.path()));
        let mut loaded = sample_store(b.path());
        // the sample's rows, too many to keep
        assert!(loaded.take_search_changes().rows.is_none());
        let mut unloaded = SledStore::open_unloaded(a.path()).unwrap();
        let mut outline = unloaded.outline().unwrap();
        let forms = edits(loaded.catalog());
        let mut moved = 0;
        for form in forms {
            let code = form.code.to_string();
            let mut near = unloaded.form_records(&code, &outline).unwrap().unwrap();
            let batch = || Batch::upserts("design", [Record::Form(form.clone())]);
            let written = unloaded
                .apply_near(batch(), &mut near, &mut outline)
                .unwrap()
                .expect("a change to a form's fields is written near it");
            let applied = loaded.apply(batch()).unwrap();
            assert_eq!(written.applied.updated, applied.updated, "{code}");
            assert_eq!(
                near.forms.get(code.as_str()),
                loaded.catalog().forms.get(code.as_str())
            );
            let rows = loaded.take_search_changes().rows.unwrap();
            assert_eq!(written.rows, rows, "{code}");
            moved += rows.len();
            // the caches the on-demand panes read follow
            let links = ElementLinks::of(loaded.catalog());
            assert_eq!(read_links(a.path()), Some(links), "{code}");
            let expected = Outline::of(loaded.catalog());
            assert_eq!(read_outline(a.path()).as_ref(), Some(&expected), "{code}");
            assert_eq!(outline, expected, "{code}");
            // the search index's file too, its moved entries at their ranks
            let data = crate::engine::search::data_of(loaded.catalog());
            assert_eq!(read_search(a.path()), Some(data), "{code}");
        }
        assert!(moved > 50, "{moved}");
        // the same records and search rows as the loaded store's, and a sound store
        let search = search_tree::read_all(&unloaded.0.search).unwrap();
        assert_eq!(search, search_tree::read_all(&loaded.search).unwrap());
        let reloaded = unloaded.load().unwrap();
        let records = |c: &Catalog| c.records().map(RecordRef::to_record).collect::<Vec<_>>();
        assert_eq!(records(reloaded.catalog()), records(loaded.catalog()));
        assert_eq!(reloaded.check().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_search_index_read_from_the_tree_is_cached_for_the_next_reading() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = sample_store(dir.path()).catalog().clone();
        std::fs::remove_file(dir.path().join("search.idx")).unwrap();
        let store = SledStore::open_unloaded(dir.path()).unwrap();
        let data = store.cached_search().read().expect("from the tree");
        let expected = crate::engine::search::data_of(&catalog);
        assert_eq!(data, expected);
        assert!(!data.is_held(), "its text left in the file written");
        assert_eq!(read_search(dir.path()), Some(expected.clone()));
        // a file named with a watermark a write has since raised is not taken
        crate::store::cache_file::write_search_stamped(dir.path(), &expected, [0; 8]);
        assert_eq!(read_search(dir.path()), None);
    }

    #[test]
    fn a_change_a_form_alone_cannot_answer_for_needs_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = sample_store(dir.path()).catalog().clone();
        let mut store = SledStore::open_unloaded(dir.path()).unwrap();
        let mut outline = store.outline().unwrap();
        let form = catalog.forms.values().next().unwrap().clone();
        let other_item = catalog
            .items
            .keys()
            .find(|i| Some(*i) != form.item.as_ref())
            .cloned();
        let element = catalog.elements.values().next().unwrap().clone();
        let other_material = catalog
            .materials
            .keys()
            .find(|m| Some(*m) != form.material.as_ref())
            .cloned();
        let material = Form {
            material: other_material,
            ..form.clone()
        };
        let moved = Form {
            item: other_item,
            ..form.clone()
        };
        let new = Form {
            code: "BD-NEW".into(),
            ..form.clone()
        };
        let needs = [
            Batch::upserts("design", [Record::Form(material)]),
            Batch::upserts("design", [Record::Form(moved)]),
            Batch::upserts("design", [Record::Form(new)]),
            Batch::upserts("edit", [Record::Element(element)]),
            Batch::upserts(
                "design",
                [
                    Record::Form(form.clone()),
                    Record::Element(catalog.elements.values().nth(1).unwrap().clone()),
                ],
            ),
            Batch {
                action: "delete".into(),
                commands: vec![Command::Delete {
                    kind: Kind::Form,
                    code: form.code.to_string(),
                }],
            },
        ];
        let audit = store.history(None).unwrap().len();
        for batch in needs {
            let mut near = store.form_records(&form.code, &outline).unwrap().unwrap();
            let action = batch.action.clone();
            assert!(
                store
                    .apply_near(batch, &mut near, &mut outline)
                    .unwrap()
                    .is_none(),
                "{action}"
            );
        }
        // a binding to no element is refused as over the whole catalog, nothing written
        let mut bad = form.clone();
        if let Some(f) = bad
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .next()
        {
            f.element = Some(SharedText::from("NO-SUCH-ELEMENT"));
        }
        let mut near = store.form_records(&form.code, &outline).unwrap().unwrap();
        let refused = store.apply_near(
            Batch::upserts("design", [Record::Form(bad)]),
            &mut near,
            &mut outline,
        );
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
        // the form unchanged: nothing to write
        let same = store.apply_near(
            Batch::upserts("design", [Record::Form(form.clone())]),
            &mut near,
            &mut outline,
        );
        assert!(same.unwrap().unwrap().applied.is_noop());
        assert_eq!(store.history(None).unwrap().len(), audit);
        assert_eq!(
            store.record(Kind::Form, &form.code).unwrap(),
            Some(Record::Form(form))
        );
        assert!(read_links(dir.path()).is_some() && read_outline(dir.path()).is_some());
    }
}
