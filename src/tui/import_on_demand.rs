//! The import dialog before the catalog is loaded (on demand): the file is read and checked
//! on a worker against the open store's records, looked up as the check needs them, then
//! written over those records by a worker the store is lent to (`Loading::lend_for_import`),
//! as `yibiao import` writes into such a store, the dialog drawn meanwhile; the panes on
//! demand follow once the store is back. At a million elements a file of thousands of
//! records goes in without the 700 MiB the catalog holds. An import the records near it
//! cannot answer for (more records than such a write takes, an agency renamed) waits for the
//! catalog, loaded for it, and is written over it, read once.

use std::sync::Arc;

use crate::io::transfer::{NearImport, Parsed};
use crate::model::{Catalog, Kind};
use crate::store::NearWritten;
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::index_budget::IMPORT_ROOM_AT;
use crate::tui::transfer::{
    Outcome, State, TransferEvent, WrittenNear, import_failed, write_import,
};

impl App {
    /// A worker read and checked an import before the catalog was loaded: the open store is
    /// lent to another worker, which writes `parsed` over the records it read (`near`); the
    /// dialog is drawn meanwhile, and `esc` cancels until the write begins (said so, nothing
    /// written).
    pub(crate) fn import_read_near(&mut self, (parsed, near): (Parsed, Catalog)) {
        let lang = self.lang;
        let Some(Overlay::Transfer(t)) = &self.overlay else {
            return;
        };
        let State::Running { flag, .. } = &t.state else {
            return;
        };
        let flag = Arc::clone(flag);
        let doing = lang.pick("正在写入导入的记录", "writing the import");
        let index_let_go = self.make_room_for_import(parsed.records.len());
        let Some(loan) = (self.loading.as_mut()).and_then(|l| l.lend_for_import(doing.into()))
        else {
            if index_let_go {
                self.elements_ensure_index();
            }
            return self.import_when_loaded(parsed);
        };
        let notes = parsed.notes(lang);
        // what the item index holds moves with an item: it goes before the write, not
        // beside it (built again when next wanted), with what pane 1's last match kept
        if parsed.records.iter().any(|r| r.kind() == Kind::Item) {
            self.bundles.items.let_go();
            self.catalog.narrowing = None;
        }
        // (the exit waits for the worker: it has the store)
        self.busy = Some(doing.into());
        self.spawn_transfer(flag, move |control| {
            TransferEvent::WrittenNear(Box::new(WrittenNear {
                done: loan.write(parsed, near, &control),
                notes,
                index_let_go,
            }))
        });
    }

    /// The worker that wrote an import before the catalog was loaded hands the store back:
    /// what the panes on demand read follows (see `Loading::import_returned`), and the
    /// dialog says what was imported; an import the records near it could not answer for
    /// waits for the catalog. Pane 2's index, if it was let go before the write (see
    /// `App::make_room_for_import`), is read again.
    pub(crate) fn import_written_near(&mut self, written: WrittenNear) {
        let WrittenNear {
            done,
            notes,
            index_let_go,
        } = written;
        let lang = self.lang;
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (result, wanted) = loading.import_returned(done);
        match result {
            Ok(NearImport::Written(imported, mut written)) => {
                self.import_followed(&mut written);
                self.transfer_finished(Outcome::Imported { imported, notes });
            }
            Ok(NearImport::NeedsCatalog(parsed)) => self.import_when_loaded(parsed),
            Err(e) => self.transfer_finished(import_failed(e, lang)),
        }
        if index_let_go {
            // what sled holds of the records written goes before the index is read again
            self.reopen_store_if_worth_it();
            self.elements_ensure_index();
        }
        if wanted {
            self.want_catalog();
        }
    }

    /// After an import written over the records near it: pane 2's index follows when
    /// elements changed (see `App::elements_rewritten_near`), the write's search rows go (at a
    /// million elements an agency renamed moves 86,019 of them, 61 MB), the tree is drawn
    /// again from the outline (and the items' pinyin index made again), pane 3's list is
    /// made again, and pane 5 counts again.
    fn import_followed(&mut self, written: &mut NearWritten) {
        if written.applied.is_noop() {
            return;
        }
        if !written.rows.is_empty() {
            self.elements_rewritten_near(&written.rows);
        }
        // (what the worker freed is in its own arena: given back, as the rows go, past as
        // many rows as make room for the import, the tree is not built beside it)
        let many = written.rows.len() > IMPORT_ROOM_AT;
        written.rows = Default::default();
        if many {
            crate::memory::give_back();
        }
        self.bundles.items.outline_changed();
        self.rebuild_tree(None);
        self.elements_changed(None);
        self.forms_stale();
        if self.pane == Pane::Stats {
            self.stats_start();
        }
    }

    /// An import the records near it cannot answer for: written over the catalog, loaded
    /// for it first when it is not (the dialog says so meanwhile, and Esc still cancels
    /// it: nothing is written then).
    fn import_when_loaded(&mut self, parsed: Parsed) {
        if self.store.is_some() {
            return self.import_write_loaded(parsed);
        }
        let text = self.lang.pick(
            "此导入需要完整目录：正在载入，载入后写入（esc 取消）",
            "this import needs the whole catalog: loading it, then it is written (esc cancels)",
        );
        if let Some(Overlay::Transfer(t)) = &mut self.overlay {
            t.waiting = Some(Box::new(parsed));
            if let State::Running { step, note, .. } = &mut t.state {
                *step = None;
                *note = Some(text.into());
            }
        }
        self.want_catalog();
    }

    /// The catalog is loaded: an import that waited for it is written over it.
    pub(crate) fn import_after_load(&mut self) {
        let Some(Overlay::Transfer(t)) = &mut self.overlay else {
            return;
        };
        if let Some(parsed) = t.waiting.take() {
            self.import_write_loaded(*parsed);
        }
    }

    /// Writes `parsed` (read and checked against the store's records) into the loaded store
    /// on a worker, as the dialog writes every import over the catalog.
    fn import_write_loaded(&mut self, parsed: Parsed) {
        let lang = self.lang;
        let Some(Overlay::Transfer(t)) = &mut self.overlay else {
            return;
        };
        let State::Running { flag, note, .. } = &mut t.state else {
            return;
        };
        // (unless Esc asked to cancel: then the write says so)
        if !flag.is_cancelled() {
            *note = None;
        }
        let flag = Arc::clone(flag);
        let store = self.store.take();
        self.spawn_transfer(flag, move |control| {
            let mut store = store;
            let outcome = match store.as_deref_mut() {
                Some(store) => write_import(store, parsed, &control, lang),
                None => Outcome::Cancelled,
            };
            TransferEvent::Done { store, outcome }
        });
    }
}
