//! Salvage: read whatever records of a damaged store still decode, without the strict load
//! that refuses the whole store at the first bad record.

use std::path::Path;

use crate::i18n::Lang;
use crate::model::invariants::check_records;
use crate::model::{Catalog, Kind};

use super::codec::decode_record;
use super::error::StoreError;
use super::keys::kind_of_tag;
use super::lock::StoreLock;

/// What [`recover`] could read.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every record that decoded.
    pub catalog: Catalog,
    /// One line per record (or range of records) that could not be read.
    pub lost: Vec<String>,
    /// Problems of the readable records among themselves (references to lost records):
    /// these must be fixed in the exported file before it imports.
    pub problems: Vec<String>,
}

/// Reads every record of the store in `dir` that still decodes. Takes the store's lock, so it
/// refuses a store in use. Fails only if sled cannot open the database at all: then nothing
/// can be read and the error points to the store's backups.
pub fn recover(dir: &Path) -> Result<Recovered, StoreError> {
    let db_dir = dir.join(super::layout::DB_DIR);
    if !db_dir.is_dir() {
        return Err(StoreError::Io {
            path: db_dir,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no yibiao store here (no db/ directory)",
            ),
        });
    }
    let _lock = StoreLock::acquire(dir)?;
    let db = super::sled_files::open_db(&db_dir, None).map_err(|source| StoreError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let records = db.open_tree("records").map_err(|source| StoreError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = Recovered::default();
    let mut last_key: Option<String> = None;
    for item in records.iter() {
        let (key, value) = match item {
            Ok(kv) => kv,
            Err(e) => {
                out.lost.push(format!(
                    "records after {}: unreadable ({}); the scan stopped here",
                    last_key.as_deref().unwrap_or("the start"),
                    super::error::sled_cause(&e)
                ));
                break;
            }
        };
        let code = String::from_utf8_lossy(key.get(1..).unwrap_or_default()).into_owned();
        let Some(kind) = key.first().copied().and_then(kind_of_tag) else {
            out.lost
                .push(format!("record key {code:?}: unknown kind tag, skipped"));
            continue;
        };
        last_key = Some(format!("{} {code}", kind.as_str()));
        match decode_record(kind, &value) {
            Ok(record) if record.code() == code => {
                out.catalog.insert(record);
            }
            Ok(record) => out.lost.push(format!(
                "{} {code}: holds a record with code {}, skipped",
                kind.as_str(),
                record.code()
            )),
            Err(e) => out.lost.push(format!(
                "{} {code}: does not decode ({e}), skipped",
                kind.as_str()
            )),
        }
    }
    out.problems = check_records(&out.catalog, out.catalog.records())
        .iter()
        .map(|p| p.describe(Lang::En))
        .collect();
    Ok(out)
}

/// `regions 3, agencies 5, ...` for the kinds that have records.
pub fn counts(catalog: &Catalog) -> String {
    counts_of(&Kind::ALL.map(|k| (k, catalog.count(k))))
}

/// [`counts`] of records counted by kind.
pub fn counts_of(counts: &[(Kind, usize)]) -> String {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {n}", k.plural()))
        .collect::<Vec<_>>()
        .join(", ")
}
