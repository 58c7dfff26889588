//! An import before the catalog is loaded: its file was read and checked on a worker
//! against the open store's records, looked up as the check needed them
//! (`io::transfer::read_near`); the store is then lent to a worker that writes it over those
//! records, as `yibiao import` writes it (the screen is drawn meanwhile: 20,000 records take
//! seconds at a million elements), and what the panes on demand read follows once the store
//! is back.

use std::sync::Arc;

use crate::io::progress::Control;
use crate::io::transfer::{self, ImportError, NearImport, Parsed};
use crate::model::{Catalog, ElementLinks, Kind, Outline};
use crate::store::UnloadedStore;

use super::{Loading, Near};

/// The open store lent to a worker that writes an import over the records near it (see
/// [`Loading::lend_for_import`]), with what the write follows.
pub struct ImportLoan {
    store: Box<UnloadedStore>,
    /// A copy of the outline, which the write follows (the app draws from its own
    /// meanwhile).
    outline: Outline,
    /// The element links, which the write takes.
    links: Option<ElementLinks>,
}

/// What the worker that wrote an import hands back (see [`ImportLoan::write`]).
pub struct ImportWritten {
    store: Box<UnloadedStore>,
    outline: Outline,
    /// The records near the import, as the write left them.
    near: Catalog,
    /// The kind and code of every record the import names.
    changed: Vec<(Kind, String)>,
    result: Result<NearImport, ImportError>,
}

impl ImportLoan {
    /// Writes `parsed` over the records `near` it (what checking it read of the store)
    /// without the catalog (see `io::transfer::write_near`), on the worker the store is lent
    /// to; `control` cancels it until the write begins.
    pub fn write(self, parsed: Parsed, mut near: Catalog, control: &Control<'_>) -> ImportWritten {
        let ImportLoan {
            mut store,
            mut outline,
            links,
        } = self;
        let changed = (parsed.records.iter())
            .map(|r| (r.kind(), r.code().to_string()))
            .collect();
        let result = transfer::write_near(
            &mut store,
            parsed,
            (&mut near, &mut outline),
            links,
            control,
        );
        ImportWritten {
            store,
            outline,
            near,
            changed,
            result,
        }
    }
}

impl Loading {
    /// Lends the open store out to a worker that writes an import over the records near it
    /// ([`ImportLoan::write`]), with a copy of the outline (its lists shared with the app's
    /// until the write changes them: a write of elements only counts records) and the
    /// element links, which the write takes; `doing` says what it does meanwhile. `None`: the store is not open on
    /// demand. Until [`Loading::import_returned`] the catalog waits and nothing reads the
    /// store.
    pub fn lend_for_import(&mut self, doing: String) -> Option<ImportLoan> {
        let outline = Outline::clone(self.outline.as_ref()?);
        let store = self.lend(doing)?;
        Some(ImportLoan {
            store,
            outline,
            links: self.elements.take_links(),
        })
    }

    /// The store back from the worker that wrote an import: written, the outline is the
    /// one the write followed, the element links are held again, the other panes' copies of
    /// the records follow and the lint counts are counted again unless only records that
    /// move no form's warnings changed (see `Loading::records_follow`).
    /// [`NearImport::NeedsCatalog`]: nothing written (more records than such a write takes,
    /// an agency renamed), the input handed back. With whether something
    /// asked for the catalog meanwhile.
    pub fn import_returned(
        &mut self,
        done: ImportWritten,
    ) -> (Result<NearImport, ImportError>, bool) {
        let wanted = self.take_back(done.store);
        let (imported, mut written) = match done.result {
            Ok(NearImport::Written(imported, written)) => (imported, written),
            other => return (other, wanted),
        };
        self.near_written(&mut written);
        if written.applied.is_noop() {
            return (Ok(NearImport::Written(imported, written)), wanted);
        }
        self.outline = Some(Arc::new(done.outline));
        self.import_near = Some(done.near);
        let followed = self.records_follow(&done.changed, &[], Near::Import);
        self.import_near = None;
        let result = followed
            .map(|()| NearImport::Written(imported, written))
            .map_err(ImportError::Store);
        (result, wanted)
    }
}
