//! Pane 2's merge of two elements before the catalog is loaded (on demand): the element to
//! keep is chosen with the picker over pane 2's index, the confirmation counts the fields
//! and elements that move from the store's element links, and the merge reads the two
//! elements and what references the merged one (`UnloadedStore::merge_records`), makes the
//! batch the loaded catalog's merge makes (`engine::dups::merge_batch`) over them and writes
//! it over them (`Loading::write_edit_near`); pane 2's index is read again from the
//! rewritten `search.idx`. An element that more records reference than one write near them
//! takes is merged a chunk of them at a time (`UnloadedStore::merge_in_chunks_leaving_outline`)
//! on a worker, the open store lent to it meanwhile (keys wait for it, in order, and the
//! screen says what it does): at a million elements, the 97,921 fields of 移动电话 in about
//! 10 s.

use crate::display::inert;
use crate::engine::dups;
use crate::model::{Catalog, Kind};
use crate::store::{NearWritten, StoreError, UnloadedStore};
use crate::tui::app::{App, AppEvent, Level};
use crate::tui::loading::MergeLoan;

/// What the worker that merged an element a chunk of records at a time hands back.
pub struct MergedInChunks {
    store: Box<UnloadedStore>,
    keep: String,
    merge: String,
    /// The fields bound to the merged element, as counted before.
    fields: usize,
    /// Whether pane 2's index was let go for the merge (it is read again after).
    indexed: bool,
    result: Result<Option<NearWritten>, StoreError>,
}

/// How many fields bound to the merged element move, and how many elements under it.
pub(crate) struct Moves {
    /// Fields bound to it.
    pub fields: usize,
    /// Elements under it.
    pub children: usize,
}

impl App {
    /// Whether pane 2's merge of an element away is made before the catalog is loaded: the
    /// store is open on demand with its element links (the records that reference it are
    /// written near them, or if they are too many a chunk at a time).
    pub(crate) fn merges_on_demand(&self) -> bool {
        let Some(loading) = &self.loading else {
            return false;
        };
        loading.unloaded().is_some() && loading.element_links().is_some()
    }

    /// Before the catalog is loaded, the elements `keep` and `merge` read from the store
    /// (what [`dups::merge_check`] checks), and what merging moves, counted from the
    /// element links; `None` when not on demand, `Some(Err)` when the store could not be
    /// read (the message).
    pub(crate) fn merge_pair_near(
        &self,
        keep: &str,
        merge: &str,
    ) -> Option<Result<(Catalog, Moves), String>> {
        let loading = self.loading.as_ref().filter(|_| self.store.is_none())?;
        let store = loading.unloaded()?;
        let links = loading.element_links()?;
        let mut pair = Catalog::default();
        for code in [keep, merge] {
            match store.record(Kind::Element, code) {
                Ok(Some(found)) => {
                    pair.insert(found);
                }
                Ok(None) => {}
                Err(e) => return Some(Err(e.describe(self.lang))),
            }
        }
        let mut moves = Moves {
            fields: 0,
            children: 0,
        };
        for r in links.references(merge) {
            moves.fields += usize::from(r.field.is_some());
            moves.children += usize::from(r.parent);
        }
        Some(Ok((pair, moves)))
    }

    /// Merges the element `merge` into `keep` before the catalog is loaded, over the records
    /// the merge reads; `None` when not on demand (the loaded catalog merges), else whether
    /// it merged (what went wrong is said; a merge the records near it cannot answer for
    /// loads the catalog, and is asked again over it). An element more records reference
    /// than one write takes is merged on a worker ([`App::start_merge_in_chunks`]):
    /// `Some(false)` until it is done.
    pub(crate) fn merge_elements_near(&mut self, keep: &str, merge: &str) -> Option<bool> {
        let lang = self.lang;
        let loading = self.loading.as_mut().filter(|_| self.store.is_none())?;
        let store = loading.unloaded()?;
        let links = loading.element_links()?;
        if !UnloadedStore::merges_near(links, merge) {
            self.start_merge_in_chunks(keep, merge);
            return Some(false);
        }
        let near = match store.merge_records(keep, merge, links) {
            Ok(Some(near)) => near,
            // one of them is gone since it was chosen
            Ok(None) => {
                let gone = match store.record(Kind::Element, keep) {
                    Ok(Some(_)) => merge,
                    _ => keep,
                };
                let text = dups::MergeError::Unknown(gone.to_string()).message(lang);
                self.say(Level::Warn, text);
                return Some(false);
            }
            Err(e) => {
                self.say(Level::Error, e.describe(lang));
                return Some(false);
            }
        };
        let batch = match dups::merge_batch(&near, keep, merge, false) {
            Ok(batch) => batch,
            Err(e) => {
                self.say(Level::Error, e.message(lang));
                return Some(false);
            }
        };
        let fields = crate::engine::usage::usage(&near, merge).fields.len();
        loading.edit_near = Some(near);
        // pane 2's index is read again from the rewritten `search.idx`: the old one goes
        // before the write, which holds the links twice and the records it writes (at a
        // million elements 60 MB less at the peak)
        let indexed = self.elements.release_index_for_rewrite();
        let saved = self.save_near(&batch);
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        if indexed {
            self.elements_ensure_index();
        }
        if saved != Some(true) {
            return Some(false);
        }
        self.merged(keep, merge, fields);
        Some(true)
    }

    /// Merges the element `merge`, which more records reference than one write near them
    /// takes, into `keep` a chunk of records at a time on a worker, before the catalog is
    /// loaded: checked again (the elements may have changed since it was asked), the open
    /// store lent to the worker (see `Loading::lend_for_merge`), pane 2's index let go; the
    /// worker hands the store back ([`App::merged_in_chunks`]).
    fn start_merge_in_chunks(&mut self, keep: &str, merge: &str) {
        let lang = self.lang;
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let Some(store) = loading.unloaded() else {
            return;
        };
        let pair = store.records_as_catalog(&[(Kind::Element, keep), (Kind::Element, merge)]);
        let checked = match pair {
            Ok(pair) => dups::merge_check(&pair, keep, merge).map_err(|e| e.message(lang)),
            Err(e) => Err(e.describe(lang)),
        };
        if let Err(text) = checked {
            return self.say(Level::Error, text);
        }
        let fields = (loading.element_links()).map_or(0, |l| {
            l.references(merge).filter(|r| r.field.is_some()).count()
        });
        let (k, m) = (inert(keep), inert(merge));
        let doing = lang.pick(
            format!("正在合并 {m} 到 {k}：{fields} 个字段，分批写入…"),
            format!("merging {m} into {k}: {fields} field(s), written in chunks…"),
        );
        let indexed = self.elements.release_index_for_rewrite();
        let loan = self
            .loading
            .as_mut()
            .and_then(|l| l.lend_for_merge(doing.clone()));
        let Some(MergeLoan {
            mut store,
            outline,
            links,
        }) = loan
        else {
            if indexed {
                self.elements_ensure_index();
            }
            return;
        };
        self.say(Level::Info, doing.clone());
        self.busy = Some(doing);
        self.jobs += 1;
        let tx = self.sender();
        let (keep, merge) = (keep.to_string(), merge.to_string());
        std::thread::spawn(move || {
            let ticks = tx.clone();
            let progress = &mut |done, total| {
                let _ = ticks.send(AppEvent::MergeProgress(done, total));
            };
            let result =
                store.merge_in_chunks_leaving_outline(&keep, &merge, &outline, links, progress);
            drop(outline);
            let done = MergedInChunks {
                store,
                keep,
                merge,
                fields,
                indexed,
                result,
            };
            // a closed channel means the app is gone; the store is dropped (and flushed) here
            let _ = tx.send(AppEvent::MergedInChunks(Box::new(done)));
        });
    }

    /// The worker's merge in chunks is over: the store is back, what the panes read follows
    /// (see `Loading::merge_returned`), pane 2's index is read again, what happened is said,
    /// and the keys typed meanwhile are handled, in order.
    pub(crate) fn merged_in_chunks(&mut self, done: MergedInChunks) {
        let lang = self.lang;
        self.jobs = self.jobs.saturating_sub(1);
        self.busy = None;
        self.dirty = true;
        let (keep, merge) = (done.keep, done.merge);
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (result, wanted) = loading.merge_returned(done.store, &keep, &merge, done.result);
        let typed = std::mem::take(&mut loading.typed);
        // what sled holds of the records written goes before pane 2's index is read again
        // (at a million elements 30 MB lower at the peak)
        self.reopen_store_if_worth_it();
        if done.indexed {
            self.elements_ensure_index();
        }
        match result {
            Ok(Some(_)) => {
                self.merged(&keep, &merge, done.fields);
                if let Some(d) = &mut self.elements.dups {
                    d.forget(&merge);
                }
            }
            Ok(None) => {
                self.merge_needs_catalog();
            }
            Err(e) => self.say(Level::Error, e.describe(lang)),
        }
        if wanted {
            self.want_catalog();
        }
        for event in typed {
            self.handle(event);
        }
    }

    /// Says that `merge` was merged into `keep`, `fields` fields moved, and pane 2 follows.
    fn merged(&mut self, keep: &str, merge: &str, fields: usize) {
        let (k, m) = (inert(keep).into_owned(), inert(merge).into_owned());
        self.say(
            Level::Ok,
            self.lang.pick(
                format!("已合并 {m} 到 {k}：{fields} 个字段改指向 {k}，{m} 保留为同义词"),
                format!(
                    "merged {m} into {k}: {fields} field(s) now point to {k}; {m} kept as a synonym"
                ),
            ),
        );
        self.elements_changed(Some(keep.to_string()));
    }

    /// A merge the records near it cannot answer for: the catalog is loaded, and the merge
    /// is to be asked again over it (said). Always `false`: nothing merged.
    fn merge_needs_catalog(&mut self) -> bool {
        self.want_catalog();
        let lang = self.lang;
        let text = lang.pick(
            "此合并需要完整目录：正在载入，载入后请再合并",
            "this merge needs the whole catalog: loading it; merge again once it is in",
        );
        self.say(Level::Warn, text.into());
        false
    }
}
