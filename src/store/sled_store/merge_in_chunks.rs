//! A merge of an element that more records reference than one write near them takes (see
//! `near_merge`), without the catalog: the element bound in 97,921 forms of a million-element
//! store, merged into another, loaded the catalog (about 700 MiB) to do it.
//!
//! The records the merge changes — the kept element, the elements under the merged one, the
//! forms binding it (as the cached element links name them), the merged element deleted last
//! — are taken in chunks of a transaction's size, in the order the loaded catalog's merge
//! gives them (`engine::dups::merge_batch`). Each chunk's records are read from the store,
//! rebound (`engine::dups::rebound`), checked over the records near them (what they
//! reference, read as `UnloadedStore::add_near` reads it, with the elements the chunks before
//! changed as those left them) and planned, its search rows made from the rows the chunks
//! before staged or else from the search tree; then the chunk is staged in the journal and
//! let go. Once every chunk is staged the batch is committed and written as a loaded store
//! writes a big batch (see `SledStore::apply_journaled`): a crash leaves all of it or none.
//! A refusal (a chunk's records would be invalid) drops what was staged; nothing is written.
//! The outline (a merge changes no form's name, count, status, version or item: one record
//! fewer), the element links (`ElementLinks::merge_element`, in place) and the search index's
//! file follow as after a write near its records.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::near_write::NearWritten;
use super::{CHUNK_RECORDS, RowsFrom, SearchRows, SledStore, UnloadedStore};
use crate::engine::dups;
use crate::model::{Catalog, Element, ElementLinks, Kind, Outline, Record};
use crate::store::cache_file::{write_links, write_outline};
use crate::store::search_file::OldSearchFile;
use crate::store::{Applied, Batch, Command, Store, StoreError, WrittenLinks, watermark};

/// What the chunks of a merge staged: what they change, their search rows as the last of
/// them leaves them, the element links as they leave them, and the elements they change (the
/// kept one, those under the merged one) as they leave them.
struct Staged {
    applied: Applied,
    rows: SearchRows,
    links: ElementLinks,
    elements: BTreeMap<String, Element>,
}

impl UnloadedStore {
    /// Merges the element `merge` into `keep` (the batch `engine::dups::merge_batch` makes
    /// over the loaded catalog, its merge checks left to the caller) a chunk of records at a
    /// time, without the catalog, staged in the journal and written whole (see the module
    /// documentation); `outline` and `links` (this store's) follow. `Ok(None)`: the store
    /// cannot answer it so (either element is not stored, the search tree is of an older
    /// layout, a record the links name is not stored), nothing written. Refused as a loaded
    /// store refuses the merge's batch ([`StoreError::Invalid`] and the rest: the problems of
    /// the first chunk that has any), nothing written either.
    pub fn merge_in_chunks(
        &mut self,
        keep: &str,
        merge: &str,
        outline: &mut Outline,
        links: ElementLinks,
    ) -> Result<Option<NearWritten>, StoreError> {
        self.merge_chunked(keep, merge, outline, links, CHUNK_RECORDS)
    }

    /// [`UnloadedStore::merge_in_chunks`] with `outline` left as it is, to be followed by
    /// [`UnloadedStore::outline_follows_merge`] (a worker merges while the app draws from
    /// the outline; until then the store has no `outline.idx`, which a write removes).
    /// `progress` is told, after each chunk is staged, how many of the records the merge
    /// changes are staged, and how many it changes in all.
    pub fn merge_in_chunks_leaving_outline(
        &mut self,
        keep: &str,
        merge: &str,
        outline: &Outline,
        links: ElementLinks,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<NearWritten>, StoreError> {
        let size = CHUNK_RECORDS;
        self.merge_chunked_leaving_outline(keep, merge, outline, links, size, progress)
    }

    /// After [`UnloadedStore::merge_in_chunks_leaving_outline`] wrote `written`: the
    /// outline (a merge changes no form's name, count, status, version or item) holds one
    /// record fewer, and is cached again.
    pub fn outline_follows_merge(&self, outline: &mut Outline, written: &NearWritten) {
        outline.records = outline.records.saturating_sub(written.applied.deleted);
        write_outline(&self.0.path, outline);
    }

    /// [`UnloadedStore::merge_in_chunks`] in chunks of `size` records.
    fn merge_chunked(
        &mut self,
        keep: &str,
        merge: &str,
        outline: &mut Outline,
        links: ElementLinks,
        size: usize,
    ) -> Result<Option<NearWritten>, StoreError> {
        let quiet = &mut |_, _| {};
        let written =
            self.merge_chunked_leaving_outline(keep, merge, outline, links, size, quiet)?;
        if let Some(written) = &written {
            self.outline_follows_merge(outline, written);
        }
        Ok(written)
    }

    /// [`UnloadedStore::merge_in_chunks_leaving_outline`] in chunks of `size` records.
    fn merge_chunked_leaving_outline(
        &mut self,
        keep: &str,
        merge: &str,
        outline: &Outline,
        links: ElementLinks,
        size: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<NearWritten>, StoreError> {
        let staged = match self.stage_merge(keep, merge, outline, links, size, progress) {
            Ok(Some(staged)) => staged,
            other => {
                self.0.drop_staged();
                return other.map(|_| None);
            }
        };
        // (never a change of nothing: the merged element is deleted)
        // the search index's file, still readable once the caches are removed (set aside)
        let search = OldSearchFile::open_current(&self.0.path);
        let committed = (self.0.remove_caches()).and_then(|()| self.0.commit_journal());
        if let Err(e) = committed {
            self.0.drop_staged();
            return Err(e);
        }
        self.0.replay_journal(&mut |_| {})?;
        let applied = staged.applied;
        self.0.changed += applied.created + applied.updated + applied.deleted;
        watermark::write(&self.0.path, self.0.last_change());
        self.0.reads.add_written(applied.updated + applied.deleted);
        // (the rows the replay noted are the staged ones, when few enough to be kept)
        let _ = Store::take_search_changes(&mut self.0);
        write_links(&self.0.path, &staged.links);
        if let Some(search) = search {
            search.follow(&self.0.path, &staged.rows, &BTreeMap::new());
        }
        self.0.cache_removed = false;
        Ok(Some(NearWritten {
            applied,
            rows: staged.rows,
            links: WrittenLinks::Held(Box::new(staged.links)),
        }))
    }

    /// Stages the merge's chunks in the journal (cleared first), uncommitted, telling
    /// `progress` how many records are staged after each; `Ok(None)`: the store cannot
    /// answer it so (see [`UnloadedStore::merge_in_chunks`]).
    fn stage_merge(
        &mut self,
        keep: &str,
        merge: &str,
        outline: &Outline,
        mut links: ElementLinks,
        size: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<Staged>, StoreError> {
        let element = |store: &Self, code: &str| match store.record(Kind::Element, code)? {
            Some(Record::Element(e)) => Ok(Some(e)),
            _ => Ok::<_, StoreError>(None),
        };
        let (Some(kept), Some(merged)) = (element(self, keep)?, element(self, merge)?) else {
            return Ok(None);
        };
        if keep == merge || !self.0.search_is_current()? {
            return Ok(None);
        }
        let winner = dups::kept_element(&kept, &merged);
        let action = dups::merge_action(keep, merge);
        // in the loaded merge's order: the kept element, the elements under the merged one,
        // the forms binding it, the merged one deleted
        let mut order: Vec<(Kind, String)> = vec![(Kind::Element, keep.to_string())];
        let referrers = links.referrers(merge).into_iter();
        let referrers = referrers.filter(|r| *r != (Kind::Element, keep));
        order.extend(referrers.map(|(kind, code)| (kind, code.to_string())));
        order.push((Kind::Element, merge.to_string()));
        self.0.journal.clear().map_err(StoreError::Write)?;
        let mut staged = Staged {
            applied: Applied::default(),
            rows: SearchRows::new(),
            links: ElementLinks::default(),
            elements: BTreeMap::new(),
        };
        // the first chunk holds every element changed, so that a cycle among them is found
        // as over the whole catalog (checked from the first of them), then forms to its size
        let elements = order.iter().take_while(|(kind, _)| *kind == Kind::Element);
        let first = elements.count().max(size.max(1)).min(order.len() - 1);
        let (first, rest) = order.split_at(first);
        let chunks = std::iter::once(first).chain(rest.chunks(size.max(1)));
        let mut done = 0;
        for (seq, chunk) in (0u64..).zip(chunks) {
            let mut near = Catalog::default();
            near.insert(Record::Element(kept.clone()));
            near.insert(Record::Element(merged.clone()));
            // the elements the chunks before changed, as they left them
            for e in staged.elements.values() {
                near.insert(Record::Element(e.clone()));
            }
            let mut commands = Vec::with_capacity(chunk.len());
            for (kind, code) in chunk {
                if (*kind, code.as_str()) == (Kind::Element, keep) {
                    commands.push(Command::Upsert(Record::Element(winner.clone())));
                } else if (*kind, code.as_str()) == (Kind::Element, merge) {
                    commands.push(Command::Delete {
                        kind: Kind::Element,
                        code: merge.to_string(),
                    });
                } else {
                    let Some(old) = self.record(*kind, code)? else {
                        return Ok(None);
                    };
                    commands.extend(dups::rebound(old.as_ref(), keep, merge).map(Command::Upsert));
                    near.insert(old);
                }
            }
            for command in &commands {
                if let Command::Upsert(new) = command {
                    self.add_near(&mut near, new.as_ref(), Some(outline))?;
                }
            }
            let batch = Batch {
                action: action.clone(),
                commands,
            };
            for command in &batch.commands {
                if let Command::Upsert(Record::Element(e)) = command {
                    staged.elements.insert(e.code.to_string(), e.clone());
                }
            }
            let whole = std::mem::replace(&mut self.0.catalog, Arc::new(near));
            let planned = self.0.stage_near_chunk(seq, batch, &staged.rows);
            self.0.catalog = whole;
            let (applied, rows) = planned?;
            staged.applied.add(&applied);
            staged.rows.extend(rows);
            // (sled holds the staged chunks in memory until they are flushed)
            self.0.db.flush().map_err(StoreError::Write)?;
            crate::memory::give_back();
            done += chunk.len();
            progress(done, order.len());
        }
        // (in place: following each chunk's records made a copy of the links for each)
        links.merge_element(keep, merge, winner.parent.as_deref());
        staged.links = links;
        Ok(Some(staged))
    }
}

impl SledStore {
    /// Checks the chunk `batch` over the catalog in memory (the records near it), plans its
    /// writes (its search rows from `rows`, what the chunks before it staged, or else from
    /// the search tree) and stages them as the journal's entry `seq`: what it changes, and
    /// its search rows.
    fn stage_near_chunk(
        &mut self,
        seq: u64,
        batch: Batch,
        rows: &SearchRows,
    ) -> Result<(Applied, SearchRows), StoreError> {
        let action = batch.action.clone();
        let (order, changes, mut problems) = self.net_changes(batch);
        problems.extend(self.validate(&order, &changes));
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        self.authorize(&order, &changes)?;
        let planned = self.plan_writes(&action, &order, &changes, RowsFrom::Tree(Some(rows)))?;
        self.stage_writes(seq, &planned.writes)?;
        Ok((planned.applied, planned.writes.search))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{Issue, Problem, RecordRef};
    use crate::store::audit::LoggedEntry;
    use crate::store::cache_file::{read_links, read_outline};
    use crate::store::search_file::read_search;
    use crate::store::sled_store::near_merge::tests::merges;
    use crate::store::sled_store::near_write::tests::sample_store;
    use crate::store::sled_store::{JOURNAL_MARK, search_tree};

    /// Every record of `catalog`.
    fn records(catalog: &Catalog) -> Vec<Record> {
        catalog.records().map(RecordRef::to_record).collect()
    }

    /// The audit log of `store` but for when and by whom.
    fn logged(entries: Vec<LoggedEntry>) -> Vec<String> {
        let what = |e: LoggedEntry| {
            let e = e.entry;
            let op = format!("{:?}", e.op);
            [
                e.action,
                e.kind.as_str().into(),
                e.code,
                op,
                format!("{:?} {:?}", e.before, e.after),
            ]
            .join(" ")
        };
        entries.into_iter().map(what).collect()
    }

    /// An unloaded store open in `dir`, with its outline and element links.
    fn unloaded(dir: &Path) -> (UnloadedStore, Outline, ElementLinks) {
        let store = SledStore::open_unloaded(dir).unwrap();
        let (outline, links) = (store.outline().unwrap(), store.element_links().unwrap());
        (store, outline, links)
    }

    /// Merges written a few records a chunk without the catalog leave what the loaded
    /// catalog's merges leave: the records, the search rows, the audit log and the caches.
    #[test]
    fn merges_in_chunks_are_written_as_the_loaded_merge() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        drop(sample_store(a.path()));
        let mut loaded = sample_store(b.path());
        let _ = loaded.take_search_changes();
        let pairs = merges(loaded.catalog());
        let busiest = (pairs.iter())
            .map(|(_, m)| loaded.catalog().referrer_count(Kind::Element, m))
            .max();
        assert!(busiest > Some(12), "{busiest:?}");
        let (mut store, mut outline, mut links) = unloaded(a.path());
        for (n, (keep, merge)) in pairs.iter().enumerate() {
            // chunks of 1 to 5 records
            let size = 1 + n % 5;
            let written = store
                .merge_chunked(keep, merge, &mut outline, links, size)
                .unwrap()
                .expect("merged in chunks");
            let batch = dups::merge_batch(loaded.catalog(), keep, merge, false).unwrap();
            let applied = loaded.apply(batch).unwrap();
            assert_eq!(written.applied, applied, "{merge}");
            assert_eq!(
                Some(written.rows),
                loaded.take_search_changes().rows,
                "{merge}"
            );
            let expected = ElementLinks::of(loaded.catalog());
            assert_eq!(written.links.held().as_ref(), Some(&expected), "{merge}");
            assert_eq!(read_links(a.path()).as_ref(), Some(&expected), "{merge}");
            links = expected;
            let expected = Outline::of(loaded.catalog());
            assert_eq!(outline, expected, "{merge}");
            assert_eq!(read_outline(a.path()), Some(expected), "{merge}");
            let data = crate::engine::search::data_of(loaded.catalog());
            let found = read_search(a.path()).expect("search.idx");
            // (the rows written since the file was set aside patched in, put in entry order)
            let found = found.in_entry_order().expect("readable").into_owned();
            assert_eq!(found.with_agencies_as(&data), data, "{merge}");
            assert!(store.0.journal.is_empty());
        }
        let search = search_tree::read_all(&store.0.search).unwrap();
        assert_eq!(search, search_tree::read_all(&loaded.search).unwrap());
        assert_eq!(
            logged(store.history(None).unwrap()),
            logged(loaded.history(None).unwrap())
        );
        let reloaded = store.load().unwrap();
        assert_eq!(records(reloaded.catalog()), records(loaded.catalog()));
        assert_eq!(reloaded.check().unwrap(), Vec::<String>::new());
    }

    /// Asserts that the `loaded` store in `dir` refuses the merge of `merge` into `keep`,
    /// and that, closed and opened without its catalog, it refuses the merge in chunks of
    /// `size` with the same problems (which it gives back) and is left as it was: no
    /// journal, the caches and the outline as they were, the audit log and the records too.
    fn refused_both_ways(
        mut loaded: SledStore,
        dir: &Path,
        (keep, merge): (&str, &str),
        size: usize,
    ) -> Vec<Problem> {
        let batch = dups::merge_batch(loaded.catalog(), keep, merge, false).unwrap();
        let Err(StoreError::Invalid(refused)) = loaded.apply(batch) else {
            panic!("the loaded store refuses it");
        };
        let before = records(loaded.catalog());
        let history = loaded.history(None).unwrap().len();
        drop(loaded);
        let (mut store, mut outline, links) = unloaded(dir);
        let expected = outline.clone();
        let got = store.merge_chunked(keep, merge, &mut outline, links, size);
        let Err(StoreError::Invalid(problems)) = got else {
            panic!("refused: {:?}", got.map(|w| w.map(|w| w.applied)));
        };
        assert_eq!(problems, refused);
        assert!(store.0.journal.is_empty());
        assert!(!store.0.meta.contains_key(JOURNAL_MARK).unwrap());
        assert_eq!(outline, expected);
        assert_eq!(read_outline(dir), Some(expected), "the caches stay");
        assert!(read_links(dir).is_some(), "the caches stay");
        assert_eq!(store.history(None).unwrap().len(), history);
        let reloaded = store.load().unwrap();
        assert_eq!(records(reloaded.catalog()), before);
        problems
    }

    /// A merge whose chunks after the first hold a form that does not check (a damaged
    /// store: its item is not stored) is refused as the loaded store refuses it, and what the
    /// chunks before staged is dropped: nothing is written, the caches stay.
    #[test]
    fn a_merge_refused_in_a_later_chunk_writes_nothing() {
        use crate::store::codec::encode_record;
        use crate::store::keys::record_key;
        let dir = tempfile::tempdir().unwrap();
        let loaded = sample_store(dir.path());
        let (keep, merge) = (merges(loaded.catalog()).into_iter())
            .max_by_key(|(_, m)| loaded.catalog().referrer_count(Kind::Element, m))
            .unwrap();
        let forms =
            (loaded.catalog().referrers(Kind::Element, &merge)).filter(|r| r.kind == Kind::Form);
        let last = forms.last().unwrap().code.to_string();
        let mut form = loaded.catalog().forms[last.as_str()].clone();
        form.item = Some("NO-SUCH-ITEM".into());
        let value = encode_record(&Record::Form(form)).unwrap();
        loaded
            .records
            .insert(record_key(Kind::Form, &last), value)
            .unwrap();
        loaded.db.flush().unwrap();
        drop(loaded);
        let loaded = SledStore::open(dir.path()).unwrap();
        let refused = refused_both_ways(loaded, dir.path(), (&keep, &merge), 2);
        assert!(refused.iter().all(|p| p.code == last), "{refused:?}");
    }

    /// A merge that would make a cycle (the kept element is under one of the merged one's)
    /// is refused as the loaded store refuses it: the elements it changes are checked
    /// together, in the first chunk.
    #[test]
    fn a_merge_that_makes_a_cycle_is_refused_as_the_loaded_store_refuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut loaded = sample_store(dir.path());
        let catalog = loaded.catalog();
        let child = (catalog.elements.values())
            .find(|e| e.parent.is_some())
            .expect("an element under another");
        let merge = child.parent.as_deref().unwrap().to_string();
        let mut keep = catalog.elements[merge.as_str()].clone();
        keep.code = "DE-UNDER-CHILD".into();
        keep.parent = Some(child.code.as_str().into());
        let keep_code = keep.code.to_string();
        loaded
            .apply(Batch::upserts("edit", [Record::Element(keep)]))
            .unwrap();
        // the caches saved again
        loaded.save_outline();
        let read = loaded.snapshot().search();
        assert!(loaded.save_search(&read.data, read.cacheable_at.unwrap()));
        let refused = refused_both_ways(loaded, dir.path(), (&keep_code, &merge), 1);
        assert!(
            matches!(
                refused[..],
                [Problem {
                    issue: Issue::Cycle { .. },
                    ..
                }]
            ),
            "{refused:?}"
        );
    }

    /// A process killed once the merge's chunks are committed, before they are written:
    /// opening the store writes them all, as the loaded merge would have.
    #[test]
    fn a_merge_committed_and_not_written_is_finished_when_the_store_opens() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        drop(sample_store(a.path()));
        let mut loaded = sample_store(b.path());
        let (keep, merge) = (merges(loaded.catalog()).into_iter())
            .max_by_key(|(_, m)| loaded.catalog().referrer_count(Kind::Element, m))
            .unwrap();
        let batch = dups::merge_batch(loaded.catalog(), &keep, &merge, false).unwrap();
        loaded.apply(batch).unwrap();
        let (mut store, outline, links) = unloaded(a.path());
        // (told how far staging has got after each chunk: two records, then two more, …)
        let mut told = Vec::new();
        let staged = store
            .stage_merge(&keep, &merge, &outline, links, 2, &mut |done, total| {
                told.push((done, total))
            })
            .unwrap();
        let staged = staged.expect("staged");
        assert!(staged.applied.updated > 4);
        // (of every record the merge goes over: the kept element, each referrer, the merged)
        let total = told.first().map_or(0, |&(_, t)| t);
        assert!(total >= staged.applied.updated + staged.applied.deleted);
        assert!(
            told.len() > 2 && told.iter().all(|&(_, t)| t == total),
            "{told:?}"
        );
        assert!(told.windows(2).all(|w| w[0].0 < w[1].0), "{told:?}");
        assert_eq!(told.last(), Some(&(total, total)));
        assert!(store.0.journal.len() > 2);
        store.0.remove_caches().unwrap();
        store.0.commit_journal().unwrap();
        // killed here
        drop(store);
        let reopened = SledStore::open(a.path()).unwrap();
        assert!(reopened.journal.is_empty());
        assert_eq!(records(reopened.catalog()), records(loaded.catalog()));
        let search = search_tree::read_all(&reopened.search).unwrap();
        assert_eq!(search, search_tree::read_all(&loaded.search).unwrap());
        assert_eq!(reopened.check().unwrap(), Vec::<String>::new());
    }
}
