//! The search index's storage: every element's strings side by side in one text arena,
//! addressed by one offset and four lengths. One allocation instead of six per element keeps
//! a million-element index compact, and the whole index can be written to and read from disk
//! as a few flat arrays.
//!
//! What is kept is what a search needs and no more: the parts of an element's readings are
//! deduplicated (a repeated part can never change a match or its score), the element's name is
//! not stored again when it is the first of its lower-cased names, and source agencies are
//! interned. The entries are held in rank order (use count descending, then code), so a tie
//! between two equal scores is broken by comparing two indexes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{ElementKind, Status};

use super::keys::SEP;
use super::row::SearchRow;

/// What the index keeps per element. Its strings lie one after the other in the text arena
/// from `start`: code, readings, names, then the name when it is not the first of the names.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    start: u32,
    code: u32,
    latin: u32,
    names: u32,
    /// Length of the stored name; 0 when the name is the first part of `names`.
    name: u32,
    /// Element kind.
    pub kind: ElementKind,
    /// Workflow state.
    pub status: Status,
    /// Index of the source agency (code and name, lower-cased) in the interned agencies.
    pub agency: Option<u32>,
    /// How many form fields use the element.
    pub uses: u32,
    /// Which bytes occur in the readings (low half) and which characters in the names (high
    /// half), as one bit each of [`bloom`]: an entry lacking a bit of a query cannot match it.
    pub bloom: u64,
    /// The [`pair_bit`] of the first two bytes of every reading part (code included): an
    /// entry lacking a query's bit has no part that starts with the query.
    pub starts: u32,
}

/// One bit of 32 for a pair of bytes (see [`Entry::starts`]).
pub fn pair_bit(a: u8, b: u8) -> u32 {
    1 << ((u32::from(a) << 8 | u32::from(b)).wrapping_mul(0x9E37_79B1) >> 27)
}

/// The bloom bits of the characters of `s` (see [`Entry::bloom`]), in the low half.
pub fn bloom(s: &str) -> u64 {
    s.chars().fold(0, |bits, c| bits | char_bit(c))
}

/// One bit of the low half of a bloom for `c`: ASCII bytes by their low five bits (so the
/// letters a–z each have their own), other characters by a multiplicative hash.
fn char_bit(c: char) -> u64 {
    let u = u32::from(c);
    let slot = if c.is_ascii() {
        u & 31
    } else {
        u.wrapping_mul(0x9E37_79B1) >> 27
    };
    1 << slot
}

/// Every entry and the text their spans point into.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchData {
    text: String,
    agencies: Vec<String>,
    entries: Vec<Entry>,
}

/// Appends the parts of `latin` (separated by [`SEP`]) to `text`, each once.
fn push_distinct_parts(text: &mut String, latin: &str) {
    let mut seen: Vec<&str> = Vec::new();
    for part in latin.split(SEP) {
        if seen.contains(&part) {
            continue;
        }
        if !seen.is_empty() {
            text.push(SEP);
        }
        text.push_str(part);
        seen.push(part);
    }
}

fn len_u32(from: usize, to: usize) -> u32 {
    u32::try_from(to.saturating_sub(from)).unwrap_or(u32::MAX)
}

/// Builds [`SearchData`] one row at a time, in any order: each row goes into the text as it
/// comes (and can be dropped at once), and the entries are put in rank order at the end. A
/// million rows held at once, to sort them first, took about 600 MiB that the allocator then
/// kept.
#[derive(Default)]
pub struct SearchDataBuilder {
    data: SearchData,
    agencies: HashMap<String, u32>,
}

impl SearchDataBuilder {
    /// Adds one element's row.
    pub fn push(&mut self, row: SearchRow) {
        let data = &mut self.data;
        let text = &mut data.text;
        let start = text.len();
        text.push_str(&row.code);
        let code_end = text.len();
        push_distinct_parts(text, &row.latin);
        let latin_end = text.len();
        text.push_str(&row.names);
        let names_end = text.len();
        let first_name = row.names.split(SEP).next().unwrap_or("");
        if row.name != first_name {
            text.push_str(&row.name);
        }
        let agency = row.agency.map(|a| {
            let next = u32::try_from(data.agencies.len()).unwrap_or(u32::MAX);
            *self.agencies.entry(a).or_insert_with_key(|a| {
                data.agencies.push(a.clone());
                next
            })
        });
        data.entries.push(Entry {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            code: len_u32(start, code_end),
            latin: len_u32(code_end, latin_end),
            names: len_u32(latin_end, names_end),
            name: len_u32(names_end, data.text.len()),
            kind: row.kind,
            status: row.status,
            agency,
            uses: row.uses,
            bloom: bloom(&row.latin) | bloom(&row.names) << 32,
            starts: row
                .latin
                .split(SEP)
                .filter_map(|part| match part.as_bytes() {
                    [a, b, ..] => Some(pair_bit(*a, *b)),
                    _ => None,
                })
                .fold(0, |bits, bit| bits | bit),
        });
    }

    /// The data, its entries in rank order (use count descending, then code).
    pub fn finish(self) -> SearchData {
        let mut data = self.data;
        let mut entries = std::mem::take(&mut data.entries);
        entries.sort_by(|a, b| {
            b.uses
                .cmp(&a.uses)
                .then_with(|| data.code(a).cmp(data.code(b)))
        });
        data.entries = entries;
        data.text.shrink_to_fit();
        data.entries.shrink_to_fit();
        data
    }
}

impl SearchData {
    /// The data of `rows`, held in rank order (use count descending, then code).
    pub fn from_rows(rows: impl IntoIterator<Item = SearchRow>) -> Self {
        let mut builder = SearchDataBuilder::default();
        for row in rows {
            builder.push(row);
        }
        builder.finish()
    }

    /// `len` bytes of text from `start` ("" for a range that does not fit, which
    /// [`SearchData::is_sound`] rules out for data read from disk).
    fn slice(&self, start: usize, len: u32) -> &str {
        self.text
            .get(start..start.saturating_add(len as usize))
            .unwrap_or("")
    }

    /// The element's code.
    pub fn code(&self, e: &Entry) -> &str {
        self.slice(e.start as usize, e.code)
    }

    /// The code and the readings, [`SEP`]-separated (see [`super::Key::latin`]).
    pub fn latin(&self, e: &Entry) -> &str {
        self.slice(e.start as usize + e.code as usize, e.latin)
    }

    /// [`SearchData::latin`] as bytes, without the character-boundary checks of a `str`.
    pub fn latin_bytes(&self, e: &Entry) -> &[u8] {
        let start = e.start as usize + e.code as usize;
        self.text
            .as_bytes()
            .get(start..start.saturating_add(e.latin as usize))
            .unwrap_or_default()
    }

    /// The lower-cased names and synonyms, [`SEP`]-separated.
    pub fn names(&self, e: &Entry) -> &str {
        self.slice(
            e.start as usize + e.code as usize + e.latin as usize,
            e.names,
        )
    }

    /// The element's name.
    pub fn name(&self, e: &Entry) -> &str {
        if e.name == 0 {
            return self.names(e).split(SEP).next().unwrap_or("");
        }
        let at = e.start as usize + e.code as usize + e.latin as usize + e.names as usize;
        self.slice(at, e.name)
    }

    /// The source agency (code and name, lower-cased) of an entry.
    pub fn agency(&self, e: &Entry) -> Option<&str> {
        e.agency
            .and_then(|a| self.agencies.get(a as usize))
            .map(String::as_str)
    }

    /// The interned agencies, indexed by [`Entry::agency`].
    pub fn agencies(&self) -> &[String] {
        &self.agencies
    }

    /// Whether every entry's strings lie inside the text on character boundaries, every
    /// agency index is in range and the entries are in rank order.
    pub fn is_sound(&self) -> bool {
        let fits = |e: &Entry| {
            let lens = [e.code, e.latin, e.names, e.name];
            let mut at = e.start as usize;
            lens.iter().all(|&len| {
                let end = at.saturating_add(len as usize);
                let ok = self.text.get(at..end).is_some();
                at = end;
                ok
            })
        };
        let in_order = self.entries.windows(2).all(|w| {
            w[0].uses > w[1].uses
                || (w[0].uses == w[1].uses && self.code(&w[0]) <= self.code(&w[1]))
        });
        in_order
            && self
                .entries
                .iter()
                .all(|e| fits(e) && e.agency.is_none_or(|a| (a as usize) < self.agencies.len()))
    }

    /// Bytes held on the heap (text, agencies and entries), for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.agencies.iter().map(String::capacity).sum::<usize>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    /// The entries, in rank order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn rows_pushed_in_any_order_give_the_entries_in_rank_order() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let ranked = |data: &SearchData| -> Vec<(u32, String, String)> {
            data.entries()
                .iter()
                .map(|e| (e.uses, data.code(e).to_string(), data.name(e).to_string()))
                .collect()
        };
        let in_code_order = SearchData::from_rows(rows.clone());
        let mut builder = SearchDataBuilder::default();
        for row in rows.into_iter().rev() {
            builder.push(row);
        }
        let reversed = builder.finish();
        assert!(reversed.is_sound() && in_code_order.is_sound());
        assert_eq!(ranked(&reversed), ranked(&in_code_order));
        // ties on uses go by code, and some elements are used more than others
        let order = ranked(&reversed);
        assert!(order.first().map(|e| e.0) > order.last().map(|e| e.0));
    }

    #[test]
    fn entries_give_back_every_string_and_bad_lengths_are_caught() {
        let catalog = crate::sample::generate(1);
        let element = catalog.elements.values().find(|e| e.name == "身份证号码");
        let row = SearchRow::of(element.expect("in the sample"), Some("公安厅"), 7);
        let mut other = row.clone();
        other.code = "DE999999".into();
        other.name = "ID号".into();
        other.names = "id号".into();
        other.agency = row.agency.clone();
        other.uses = 9;
        let data = SearchData::from_rows([row.clone(), other.clone()]);
        // rank order: more uses first
        let [first, second] = data.entries() else {
            panic!("two entries")
        };
        assert_eq!(data.code(first), "DE999999");
        assert_eq!(
            data.name(first),
            "ID号",
            "a name unlike its lower-cased form is kept"
        );
        let e = second;
        assert_eq!(data.code(e), row.code);
        assert_eq!(data.name(e), row.name);
        let parts = |s: &str| s.split(SEP).map(str::to_string).collect::<BTreeSet<_>>();
        assert_eq!(parts(data.latin(e)), parts(&row.latin));
        assert_eq!(data.names(e), row.names);
        assert_eq!(data.agency(e), row.agency.as_deref());
        assert_eq!(data.agencies().len(), 1, "one agency, interned");
        assert_eq!(e.uses, 7);
        assert!(data.is_sound());
        let mut broken = data.clone();
        broken.entries[1].latin = u32::MAX - 1;
        assert!(!broken.is_sound());
        assert_eq!(broken.latin(&broken.entries[1]), "");
        let mut broken = data.clone();
        broken.entries[1].agency = Some(1);
        assert!(!broken.is_sound());
        let mut broken = data.clone();
        broken.entries.swap(0, 1);
        assert!(!broken.is_sound(), "out of rank order");
    }

    #[test]
    fn repeated_parts_are_kept_once() {
        let mut text = String::new();
        push_distinct_parts(&mut text, "de01\u{1f}xm\u{1f}xingming\u{1f}xm\u{1f}xm");
        assert_eq!(text, "de01\u{1f}xm\u{1f}xingming");
    }
}
