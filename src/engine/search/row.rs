//! What the search index keeps of one element. The store persists one row per element and
//! keeps it current on every write, so a search can start without loading the catalog.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::model::{Catalog, Element, ElementKind, Kind, Status};

use super::keys::build_key;

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
            agency: element
                .source_agency
                .as_ref()
                .map(|a| format!("{a} {}", agency_name.unwrap_or("")).to_lowercase()),
            uses: u32::try_from(uses).unwrap_or(u32::MAX),
            latin: key.latin,
            names: key.names,
        }
    }
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
