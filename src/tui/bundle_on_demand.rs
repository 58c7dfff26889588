//! Pane 4's edits of the open bundle before the catalog is loaded (on demand): its name, its
//! lead agency (chosen among the agencies read with the bundle's records), its questions,
//! the order of its items, items put in (the picker searches the outline's; their records
//! are then read, see `App::read_bundle_on_demand`) or taken out, an item's condition and
//! materials, and the steps of its workflow change the bundle alone, and a fix of the merge
//! changes the forms of its items (and makes a new element, coded from the store's keys), so
//! they are written over the records read near it (`Loading::write_bundle_near`) by the same
//! pane code as with the catalog loaded ([`BundleStore`]); a fix's forms' warnings are
//! counted with the pool's covers read for the bundle. A new or claimed bundle loads the
//! catalog.

use std::path::{Path, PathBuf};

use crate::model::{Catalog, Kind};
use crate::store::{Applied, Batch, StoreError};
use crate::tui::app::{App, Level};
use crate::tui::loading::Loading;
use crate::tui::panes::bundles::{BundleStore, BundlesPane, Loaded, Say, StoreRef};

/// The records near pane 4's open bundle (or, with none open, every bundle with what it
/// references), read and written as its store before the catalog is loaded.
struct NearBundle<'a> {
    loading: &'a mut Loading,
    path: PathBuf,
    /// Whether the records are the list's (no bundle is open).
    list: bool,
    /// Read while the records are not there (never, as made by [`NearBundle::of`]).
    empty: Catalog,
    /// Whether a write needed the whole catalog (nothing was written).
    needs_catalog: bool,
}

impl<'a> NearBundle<'a> {
    /// The records near the bundle pane 4 opened on demand (`open`), or the list's.
    fn of(loading: &'a mut Loading, open: bool) -> Option<NearBundle<'a>> {
        match open {
            true => loading.bundle_near.as_ref().map(|_| ()),
            false => loading.bundles_on_demand().map(|_| ()),
        }?;
        let path = loading.unloaded()?.path().to_path_buf();
        Some(NearBundle {
            loading,
            path,
            list: !open,
            empty: Catalog::default(),
            needs_catalog: false,
        })
    }
}

impl BundleStore for NearBundle<'_> {
    fn catalog(&self) -> &Catalog {
        let read = match self.list {
            true => self.loading.bundles_on_demand(),
            false => self.loading.bundle_near.as_ref(),
        };
        read.unwrap_or(&self.empty)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn apply(&mut self, batch: Batch) -> Result<Applied, StoreError> {
        let written = match self.list {
            true => self.loading.write_bundle_list(batch)?,
            false => self.loading.write_bundle_near(batch)?,
        };
        match written {
            Some(written) => Ok(written.applied),
            None => {
                self.needs_catalog = true;
                Err(StoreError::NeedsCatalog)
            }
        }
    }

    fn is_near(&self) -> bool {
        true
    }

    fn outline(&self) -> Option<&crate::model::Outline> {
        self.loading.outline.as_deref()
    }

    fn new_element_code(&self) -> Option<String> {
        let store = self.loading.unloaded()?;
        store.reader().next_code(Kind::Element).ok().flatten()
    }
}

impl App {
    /// Runs `act` on pane 4 with what it reads and writes: the loaded store, or before the
    /// catalog is loaded the records near the bundle it opened (a write the catalog must
    /// answer for starts loading it, and says so); what it has to say goes to the status
    /// bar.
    pub(crate) fn with_bundle_store(
        &mut self,
        act: impl FnOnce(&mut BundlesPane, StoreRef<'_>) -> Say,
    ) {
        let said = if let Some(store) = self.store.as_deref_mut() {
            act(&mut self.bundles, Some(&mut Loaded(store)))
        } else if let Some(mut near) = self
            .loading
            .as_mut()
            .and_then(|l| NearBundle::of(l, self.bundles.work.is_some()))
        {
            let writes = near.loading.near_writes;
            let items_of = |near: &NearBundle<'_>, code: Option<&str>| -> Vec<String> {
                let bundle = code.and_then(|c| near.catalog().bundles.get(c));
                bundle.map(|b| b.items.clone()).unwrap_or_default()
            };
            let open = self.bundles.work.as_ref().map(|w| w.code.clone());
            let before = items_of(&near, open.as_deref());
            let said = act(&mut self.bundles, Some(&mut near));
            let (needs, wrote) = (near.needs_catalog, near.loading.near_writes != writes);
            // items put in: their forms and what those reference are read, then the pool
            let added = items_of(&near, open.as_deref())
                .iter()
                .any(|i| !before.contains(i));
            // a fix's forms: their warnings, with the pool's covers read for the bundle
            let covers = self.bundles.work.as_ref().and_then(|w| w.covers_read());
            if let Some(loading) = self.loading.as_mut() {
                loading.lint_written_forms(covers);
            }
            if wrote {
                // pane 1's list of bundles is drawn from the outline, which followed
                self.bundles.items.outline_changed();
                let row = self.catalog.selected;
                self.rebuild_tree(None);
                self.select(row);
            }
            if let (true, Some(code)) = (added, &open) {
                self.read_bundle_on_demand(code, true);
            }
            // a new bundle opened from the list: its records are read as when opened
            if let (None, Some(w)) = (&open, &self.bundles.work) {
                let (code, focus) = (w.code.clone(), w.focus);
                self.read_bundle_on_demand(&code, false);
                if let Some(w) = &mut self.bundles.work {
                    w.focus = focus;
                }
            }
            if needs {
                self.want_catalog();
                let text = self.loading.as_ref().map(|l| l.wait_text(self.lang));
                self.say(Level::Warn, text.unwrap_or_default());
                return;
            }
            said
        } else {
            act(&mut self.bundles, None)
        };
        if let Some(m) = said {
            self.message = Some(m);
        }
    }
}
