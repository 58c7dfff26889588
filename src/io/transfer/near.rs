//! An import into a store open without its catalog (on demand): the file is checked
//! against the records it replaces and references, read from the store as they are looked
//! up ([`StoredLookup`]), and written over the records near it
//! ([`UnloadedStore::apply_near_holding`]), so that a few thousand records go into a store of
//! a million elements without the 700 MiB its loaded catalog holds. An import the records
//! near it cannot answer for (more records than one such write takes, an agency renamed, a
//! form given another material) is handed back, checked, for the loaded store to write.

use crate::i18n::Lang;
use crate::model::{Catalog, ElementLinks, Outline};
use crate::store::{Applied, Batch, NearWritten, RecordReader, StoredLookup, UnloadedStore};

use super::{ImportError, ImportRequest, Imported, Parsed, read, writing};
use crate::io::progress::{Control, Phase, Unit};

/// Reads and checks an import (all or nothing, as [`read`]) against the records of the
/// store `reader` reads, looked up as the check needs them: the input, and the records read
/// (what [`write_near`] starts from). A read of the store that failed is the error, whatever
/// the check found.
pub fn read_near(
    request: &ImportRequest,
    reader: RecordReader,
    control: &Control<'_>,
    lang: Lang,
) -> Result<(Parsed, Catalog), ImportError> {
    let stored = StoredLookup::new(reader);
    let parsed = read(request, &stored, control, lang);
    let near = stored.read().map_err(ImportError::Store)?;
    Ok((parsed?, near))
}

/// What [`write_near`] did.
#[derive(Debug)]
pub enum NearImport {
    /// Written: what was imported, and what the write did (the caches followed).
    Written(Imported, Box<NearWritten>),
    /// The import needs the catalog: nothing written, the input handed back.
    NeedsCatalog(Parsed),
}

/// Writes what [`read_near`] returned over the records `near` it, the `outline` (and the
/// element links `held`, `None`: read from the store) following, all of it or none. A
/// cancel asked for before this point wins, as for [`super::write`]. An import of more than
/// [`UnloadedStore::MOST_NEAR`] records needs the catalog.
pub fn write_near(
    store: &mut UnloadedStore,
    parsed: Parsed,
    (near, outline): (&mut Catalog, &mut Outline),
    held: Option<ElementLinks>,
    control: &Control<'_>,
) -> Result<NearImport, ImportError> {
    let total = parsed.records.len();
    if total > UnloadedStore::MOST_NEAR {
        return Ok(NearImport::NeedsCatalog(parsed));
    }
    control.begin_write()?;
    control.step(Phase::Writing, Unit::Records, 0, total as u64)?;
    let batch = Batch::upserts("import", parsed.records.clone());
    let written = store
        .apply_near_holding(batch, near, outline, held, &mut writing(control, total))
        .map_err(ImportError::Store)?;
    let Some(written) = written else {
        return Ok(NearImport::NeedsCatalog(parsed));
    };
    control.step(Phase::Writing, Unit::Records, total as u64, total as u64)?;
    let imported = imported(total, &written.applied);
    Ok(NearImport::Written(imported, Box::new(written)))
}

/// What an import of `total` records did, by what the store `applied`.
pub fn imported(total: usize, applied: &Applied) -> Imported {
    Imported {
        created: applied.created,
        updated: applied.updated,
        unchanged: total.saturating_sub(applied.created + applied.updated),
    }
}
