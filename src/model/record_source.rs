//! Where whole-catalog work reads its records from: the loaded catalog, or the store read a
//! record at a time.

use super::{Catalog, Kind, RecordRef};

/// Where an export or an index over every record of a kind reads them from: a loaded
/// [`Catalog`], or a store read a record at a time (a million elements' export then never
/// holds the catalog).
pub trait RecordSource {
    /// Calls `each` with every record of `kind`, in code order; stops at the first error,
    /// `each`'s or the source's own (a record that cannot be read).
    fn each_record(
        &self,
        kind: Kind,
        each: &mut dyn FnMut(RecordRef<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

impl RecordSource for Catalog {
    fn each_record(
        &self,
        kind: Kind,
        each: &mut dyn FnMut(RecordRef<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.records_of(kind).try_for_each(each)
    }
}
