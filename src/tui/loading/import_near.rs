//! An import before the catalog is loaded: its file was read and checked on a worker
//! against the open store's records, looked up as the check needed them
//! (`io::transfer::read_near`); it is written here over those records, as `yibiao import`
//! writes it, and what the panes on demand read follows.

use crate::io::progress::Control;
use crate::io::transfer::{self, ImportError, NearImport, Parsed};
use crate::model::{Catalog, Kind};
use crate::store::UnloadedStore;

use super::{Loading, Near};

impl Loading {
    /// Writes `parsed` over the records `near` it (what checking it read of the store)
    /// without the catalog (see `io::transfer::write_near`): the outline and the element
    /// links follow in place, the other panes' copies of the records follow and the lint
    /// counts are counted again unless only records that move no form's warnings changed
    /// (see `Loading::records_follow`). [`NearImport::NeedsCatalog`]: nothing written (more
    /// records than one transaction takes: written here, a bigger one would stop the screen
    /// for seconds; an agency renamed, a region changed, a store not
    /// open on demand), the input handed back.
    pub fn write_import_near(
        &mut self,
        parsed: Parsed,
        near: Catalog,
        control: &Control<'_>,
    ) -> Result<NearImport, ImportError> {
        let changed: Vec<(Kind, String)> = parsed
            .records
            .iter()
            .map(|r| (r.kind(), r.code().to_string()))
            .collect();
        self.import_near = Some(near);
        let done = match self.near_parts(Near::Import) {
            Some((store, near, outline, held)) => {
                let most = UnloadedStore::ONE_WRITE;
                transfer::write_near(store, parsed, (near, outline), held, most, control)
            }
            None => Ok(NearImport::NeedsCatalog(parsed)),
        };
        let done = match done {
            Ok(NearImport::Written(imported, mut written)) => {
                self.near_written(&mut written);
                let followed = match written.applied.is_noop() {
                    true => Ok(()),
                    false => self.records_follow(&changed, &[], Near::Import),
                };
                followed
                    .map(|()| NearImport::Written(imported, written))
                    .map_err(ImportError::Store)
            }
            other => other,
        };
        self.import_near = None;
        done
    }
}
