//! The search index's storage: every element's strings in one text arena, addressed by
//! spans. One allocation instead of six per element keeps a million-element index compact,
//! and the whole index can be written to and read from disk as two flat arrays.

use serde::{Deserialize, Serialize};

use crate::model::{ElementKind, Status};

use super::row::SearchRow;

/// A byte range of the arena's text.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

/// What the index keeps per element.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Element code.
    pub code: Span,
    /// Element name.
    pub name: Span,
    /// Element kind.
    pub kind: ElementKind,
    /// Workflow state.
    pub status: Status,
    /// Source agency code and name, lower-cased, for `agency:`.
    pub agency: Option<Span>,
    /// How many form fields use the element.
    pub uses: u32,
    /// Code and readings (see [`super::Key`]).
    pub latin: Span,
    /// Names and synonyms.
    pub names: Span,
}

/// Every entry and the text their spans point into.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchData {
    text: String,
    entries: Vec<Entry>,
}

impl SearchData {
    /// The data of `rows`, in their order.
    pub fn from_rows(rows: impl IntoIterator<Item = SearchRow>) -> Self {
        let mut data = SearchData::default();
        for row in rows {
            let code = data.intern(&row.code);
            let name = data.intern(&row.name);
            let agency = row.agency.as_deref().map(|a| data.intern(a));
            let latin = data.intern(&row.latin);
            let names = data.intern(&row.names);
            data.entries.push(Entry {
                code,
                name,
                kind: row.kind,
                status: row.status,
                agency,
                uses: row.uses,
                latin,
                names,
            });
        }
        data.text.shrink_to_fit();
        data
    }

    fn intern(&mut self, s: &str) -> Span {
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(s);
        Span {
            start,
            len: u32::try_from(s.len()).unwrap_or(0),
        }
    }

    /// The text of a span ("" for a span that does not fit, which [`SearchData::is_sound`]
    /// rules out for data read from disk).
    pub fn str(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start.saturating_add(span.len as usize))
            .unwrap_or("")
    }

    /// Whether every span lies inside the text on character boundaries.
    pub fn is_sound(&self) -> bool {
        let fits = |s: Span| {
            let start = s.start as usize;
            self.text
                .get(start..start.saturating_add(s.len as usize))
                .is_some()
        };
        self.entries.iter().all(|e| {
            fits(e.code)
                && fits(e.name)
                && fits(e.latin)
                && fits(e.names)
                && e.agency.is_none_or(fits)
        })
    }

    /// The entries, in row order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_give_back_every_string_and_bad_spans_are_caught() {
        let catalog = crate::sample::generate(1);
        let element = catalog.elements.values().find(|e| e.name == "身份证号码");
        let row = SearchRow::of(element.expect("in the sample"), Some("公安厅"), 7);
        let data = SearchData::from_rows([row.clone()]);
        let e = &data.entries()[0];
        assert_eq!(data.str(e.code), row.code);
        assert_eq!(data.str(e.name), row.name);
        assert_eq!(data.str(e.latin), row.latin);
        assert_eq!(data.str(e.names), row.names);
        assert_eq!(e.agency.map(|a| data.str(a)), row.agency.as_deref());
        assert_eq!(e.uses, 7);
        assert!(data.is_sound());
        let mut broken = data.clone();
        broken.entries[0].latin = Span {
            start: u32::MAX - 1,
            len: 5,
        };
        assert!(!broken.is_sound());
        assert_eq!(broken.str(broken.entries[0].latin), "");
    }
}
