//! What the search index keeps of one element. The store persists one row per element and
//! keeps it current on every write, so a search can start without loading the catalog.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::model::{Catalog, Element, ElementKind, Kind, Status};

use super::arena::{SearchData, SearchDataBuilder};
use super::keys::build_key;

/// Elements per piece of work in [`data_of`].
const CHUNK: usize = 2048;
/// At most this many threads compute rows in [`data_of`].
const MAX_THREADS: usize = 4;

/// The searchable summary of one element.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SearchRow {
    /// Element code.
    pub code: String,
    /// Element name.
    pub name: String,
    /// Element kind.
    pub kind: ElementKind,
    /// Workflow state.
    pub status: Status,
    /// Source agency code and name, lower-cased, for `agency:`.
    pub agency: Option<String>,
    /// How many form fields use the element.
    pub uses: u32,
    /// Code and readings (see [`super::Key`]).
    pub latin: String,
    /// Names and synonyms, lower-cased.
    pub names: String,
}

impl SearchRow {
    /// The row of `element`, given its source agency's name and its use count.
    pub fn of(element: &Element, agency_name: Option<&str>, uses: usize) -> Self {
        let key = build_key(
            &element.code,
            std::iter::once(element.name.as_str())
                .chain(element.synonyms.iter().map(CompactString::as_str)),
        );
        SearchRow {
            code: element.code.to_string(),
            name: element.name.to_string(),
            kind: element.kind,
            status: element.status,
            agency: (element.source_agency.as_deref()).map(|a| agency_text(a, agency_name)),
            uses: u32::try_from(uses).unwrap_or(u32::MAX),
            latin: key.latin,
            names: key.names,
        }
    }
}

/// A source agency as a row names it (for `agency:`): its code and name, lower-cased.
pub fn agency_text(code: &str, name: Option<&str>) -> String {
    format!("{code} {}", name.unwrap_or("")).to_lowercase()
}

/// How many form fields are bound to an element.
pub fn uses(catalog: &Catalog, code: &str) -> usize {
    catalog
        .referrers(Kind::Element, code)
        .filter(|r| r.kind == Kind::Form)
        .count()
}

/// The row of `element` as the catalog stands.
pub fn row_in(catalog: &Catalog, element: &Element) -> SearchRow {
    let agency = element
        .source_agency
        .as_deref()
        .and_then(|a| catalog.agencies.get(a))
        .map(|a| a.name.as_str());
    SearchRow::of(element, agency, uses(catalog, &element.code))
}

/// Every element's row, in code order.
pub fn rows(catalog: &Catalog) -> impl Iterator<Item = SearchRow> + '_ {
    catalog.elements.values().map(|e| row_in(catalog, e))
}

/// The search data of every element of `catalog`: [`SearchData::from_rows`] of [`rows`], the
/// same bytes, built on up to four threads: each turns a chunk of elements into rows (each
/// name's pinyin readings: most of the work) and the rows into a piece of data, which goes
/// into the whole in code order. Rows made on one thread and freed on another kept the
/// allocator's lock busy: no faster than one thread (5.1 s at a million elements).
pub fn data_of(catalog: &Catalog) -> SearchData {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(MAX_THREADS);
    data_on(catalog, threads)
}

/// [`data_of`] on `threads` threads.
fn data_on(catalog: &Catalog, threads: usize) -> SearchData {
    let elements: Vec<&Element> = catalog.elements.values().collect();
    if threads < 2 || elements.len() < 2 * CHUNK {
        return SearchData::from_rows(rows(catalog));
    }
    let chunks: Vec<&[&Element]> = elements.chunks(CHUNK).collect();
    let next = AtomicUsize::new(0);
    // bounded: a thread runs at most a few chunks ahead of the one the data waits for
    let (tx, rx) = mpsc::sync_channel::<(usize, SearchDataBuilder)>(threads * 2);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, chunks, next) = (tx.clone(), &chunks, &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { return };
                    let mut piece = SearchDataBuilder::default();
                    chunk.iter().for_each(|e| piece.push(row_in(catalog, e)));
                    if tx.send((i, piece)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut builder = SearchDataBuilder::default();
        let mut waiting: BTreeMap<usize, SearchDataBuilder> = BTreeMap::new();
        let mut due = 0;
        for (i, piece) in rx {
            waiting.insert(i, piece);
            while let Some(piece) = waiting.remove(&due) {
                builder.append(piece);
                due += 1;
            }
        }
        builder.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built on several threads, the data is byte for byte the one built on one (a catalog
    /// of several chunks, so that they can arrive out of order).
    #[test]
    fn data_built_on_threads_is_the_data_built_on_one() {
        let catalog = crate::sample::elements_only(30);
        assert!(
            catalog.elements.len() > 4 * CHUNK,
            "{}",
            catalog.elements.len()
        );
        let one = SearchData::from_rows(rows(&catalog));
        for threads in [2, 3] {
            assert_eq!(data_on(&catalog, threads), one, "{threads} threads");
        }
    }
}
