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

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{ElementKind, Status};

use super::keys::SEP;
use super::row::SearchRow;

/// What the index keeps per element. Its strings lie one after the other in the text arena
/// from `start`: code, readings, names, then the name when it is not the first of the names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
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
    /// [`code_hash`] of the code: a patch finds the entries it replaces without reading
    /// every entry's code from the text (in the padding: the entry is 48 bytes either way).
    code_hash: u16,
}

/// A 16-bit hash of a code (FNV-1a, folded), see [`Entry::code_hash`].
fn code_hash(code: &str) -> u16 {
    let hash = code.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    // the fold keeps the low 16 bits of the xor of both halves
    u16::try_from((hash ^ (hash >> 16)) & 0xffff).unwrap_or(0)
}

/// Up to this many new entries are inserted one by one in place (each moves the entries
/// after it); more are merged into a new list.
const INSERT_AT_MOST: usize = 16;

/// Which 16-bit code hashes occur among some codes: one bit each.
struct HashSet16(Vec<u64>);

impl HashSet16 {
    fn of<'a>(codes: impl Iterator<Item = &'a String>) -> Self {
        let mut bits = vec![0u64; 1 << 10];
        for code in codes {
            let h = usize::from(code_hash(code));
            if let Some(word) = bits.get_mut(h >> 6) {
                *word |= 1 << (h & 63);
            }
        }
        HashSet16(bits)
    }

    fn may_hold(&self, hash: u16) -> bool {
        let h = usize::from(hash);
        self.0
            .get(h >> 6)
            .is_some_and(|word| word & (1 << (h & 63)) != 0)
    }
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

/// `len` bytes of `text` from `start`, or "" for a range that does not fit.
fn slice(text: &str, start: usize, len: u32) -> &str {
    text.get(start..start.saturating_add(len as usize))
        .unwrap_or("")
}

/// Rank order: use count descending, then code.
fn rank_order(text: &str, a: &Entry, b: &Entry) -> Ordering {
    b.uses.cmp(&a.uses).then_with(|| {
        slice(text, a.start as usize, a.code).cmp(slice(text, b.start as usize, b.code))
    })
}

impl Entry {
    /// Bytes of text the entry's strings take.
    fn span(&self) -> usize {
        [self.code, self.latin, self.names, self.name]
            .iter()
            .map(|&len| len as usize)
            .sum()
    }
}

/// Starts a part stored as a piece of an earlier part (see [`push_distinct_parts`]).
const SHARED: u8 = 0x01;
/// The most bytes of prefix or of suffix a part takes from an earlier one, and the most
/// earlier parts it can name: each is stored in one byte below 0x80, so the text stays UTF-8.
const MAX_SHARED: usize = 0x7F;
/// A part takes a prefix and a suffix from an earlier part only if they save more bytes than
/// the four the reference costs.
const SHARED_AT_LEAST: usize = 5;

/// The longest common prefix of `a` and `b` (at most [`MAX_SHARED`] bytes) ending on a
/// character boundary of both.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a
        .bytes()
        .zip(b.bytes())
        .take_while(|(x, y)| x == y)
        .count()
        .min(MAX_SHARED);
    while !(a.is_char_boundary(n) && b.is_char_boundary(n)) {
        n -= 1;
    }
    n
}

/// The longest common suffix of `a` and `b` (at most [`MAX_SHARED`] bytes) starting on a
/// character boundary of both.
fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .min(MAX_SHARED);
    while !(a.is_char_boundary(a.len() - n) && b.is_char_boundary(b.len() - n)) {
        n -= 1;
    }
    n
}

/// Appends the parts of `latin` (separated by [`SEP`]) to `text`, each once. A part that
/// shares enough of its start and end with an earlier part (the readings of one name differ
/// only where a character has several) is stored as [`SHARED`], that part's position, the
/// lengths of the prefix and the suffix it takes from it (one byte each), then its own middle:
/// a million elements' readings take 90 MB instead of 280. [`decode_parts`] gives the parts
/// back; a part that starts with [`SHARED`] itself is stored as one taking nothing.
fn push_distinct_parts(text: &mut String, latin: &str) {
    let mut seen: Vec<&str> = Vec::new();
    for part in latin.split(SEP) {
        if seen.contains(&part) {
            continue;
        }
        if !seen.is_empty() {
            text.push(SEP);
        }
        // the earlier part this one shares most with: (saved, position, prefix, suffix)
        let mut best = (0, 0, 0, 0);
        for (j, earlier) in seen.iter().enumerate().take(MAX_SHARED + 1) {
            let prefix = common_prefix(part, earlier);
            let suffix = common_suffix(&part[prefix..], &earlier[prefix..]);
            if prefix + suffix > best.0 {
                best = (prefix + suffix, j, prefix, suffix);
            }
        }
        let (saved, j, prefix, suffix) = best;
        if saved >= SHARED_AT_LEAST || part.as_bytes().first() == Some(&SHARED) {
            let (j, prefix, suffix) = if saved >= SHARED_AT_LEAST {
                (j, prefix, suffix)
            } else {
                (0, 0, 0)
            };
            for byte in [SHARED as usize, j, prefix, suffix] {
                // each below 0x80: a one-byte character
                text.push(char::from(u8::try_from(byte).unwrap_or(0)));
            }
            text.push_str(&part[prefix..part.len() - suffix]);
        } else {
            text.push_str(part);
        }
        seen.push(part);
    }
}

/// Reusable room to decode an entry's readings in (see [`SearchData::latin`]).
#[derive(Default)]
pub struct LatinBuf {
    out: Vec<u8>,
    /// Where each part decoded so far lies in `out`.
    parts: Vec<(usize, usize)>,
}

/// Decodes the parts [`push_distinct_parts`] stored into `buf` ([`SEP`]-separated), or
/// `None` for bytes that are not such a store (a damaged file).
fn decode_parts<'b>(stored: &[u8], buf: &'b mut LatinBuf) -> Option<&'b [u8]> {
    let LatinBuf { out, parts } = buf;
    out.clear();
    parts.clear();
    let sep = SEP as u8;
    let mut at = 0;
    loop {
        let start = out.len();
        // what a part stored as SHARED takes: (the earlier part's range, prefix, suffix)
        let mut taken = None;
        if stored.get(at) == Some(&SHARED) {
            let byte = |n: usize| stored.get(at + n).map(|&b| usize::from(b));
            let (j, prefix, suffix) = (byte(1)?, byte(2)?, byte(3)?);
            at += 4;
            if prefix + suffix > 0 {
                let &(from, to) = parts.get(j)?;
                if prefix + suffix > to - from {
                    return None;
                }
                taken = Some((from, to, prefix, suffix));
            }
        }
        if let Some((from, _, prefix, _)) = taken {
            out.extend_from_within(from..from + prefix);
        }
        let rest = stored.get(at..)?;
        let end = rest
            .iter()
            .position(|&b| b == sep)
            .map_or(stored.len(), |n| at + n);
        out.extend_from_slice(stored.get(at..end)?);
        if let Some((_, to, _, suffix)) = taken {
            out.extend_from_within(to - suffix..to);
        }
        parts.push((start, out.len()));
        if end == stored.len() {
            return Some(out);
        }
        out.push(sep);
        at = end + 1;
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
            code_hash: code_hash(&row.code),
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

    /// Adds the rows of another builder's unfinished data (see [`SearchDataBuilder::piece`]),
    /// as if pushed here one by one: its text goes in whole, its entries follow it.
    pub fn append(&mut self, piece: SearchData) {
        let data = &mut self.data;
        let offset = u32::try_from(data.text.len()).unwrap_or(u32::MAX);
        data.text.push_str(&piece.text);
        let mut agency_ids = Vec::with_capacity(piece.agencies.len());
        for a in piece.agencies {
            let next = u32::try_from(data.agencies.len()).unwrap_or(u32::MAX);
            agency_ids.push(*self.agencies.entry(a).or_insert_with_key(|a| {
                data.agencies.push(a.clone());
                next
            }));
        }
        data.entries
            .extend(piece.entries.into_iter().map(|e| Entry {
                start: e.start.saturating_add(offset),
                agency: e.agency.and_then(|a| agency_ids.get(a as usize).copied()),
                ..e
            }));
    }

    /// The rows pushed so far, unsorted, for another builder to [`SearchDataBuilder::append`].
    pub fn piece(self) -> SearchData {
        self.data
    }

    /// The data, its entries in rank order (use count descending, then code).
    pub fn finish(self) -> SearchData {
        let mut data = self.data;
        let mut entries = std::mem::take(&mut data.entries);
        entries.sort_by(|a, b| rank_order(&data.text, a, b));
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

    /// Brings the data up to date with rows the store changed (by code; `None`: the element
    /// is gone), in place: the old entries of those codes go, the new rows' strings are
    /// appended to the text and their entries merged in at their rank. The text of a replaced
    /// row stays until it is more than half the text, when the text is rewritten.
    pub fn patch(&mut self, changes: &BTreeMap<String, Option<SearchRow>>) {
        if changes.is_empty() {
            return;
        }
        let SearchData {
            text,
            agencies,
            entries,
        } = std::mem::take(self);
        let mut old = entries;
        let changed = HashSet16::of(changes.keys());
        old.retain(|e| {
            !changed.may_hold(e.code_hash)
                || !changes.contains_key(slice(&text, e.start as usize, e.code))
        });
        let interned = (0u32..)
            .zip(&agencies)
            .map(|(i, a)| (a.clone(), i))
            .collect();
        let mut builder = SearchDataBuilder {
            data: SearchData {
                text,
                agencies,
                entries: Vec::new(),
            },
            agencies: interned,
        };
        for row in changes.values().flatten() {
            builder.push(row.clone());
        }
        let SearchData {
            text,
            agencies,
            entries: mut new,
        } = builder.data;
        new.sort_by(|a, b| rank_order(&text, a, b));
        // each new entry's place by binary search (a few codes read, not every entry's)
        let entries = if new.len() <= INSERT_AT_MOST {
            for entry in new {
                let at = old.partition_point(|o| rank_order(&text, o, &entry).is_lt());
                old.insert(at, entry);
            }
            old
        } else {
            let mut merged = Vec::with_capacity(old.len() + new.len());
            let mut rest = old.as_slice();
            for entry in new {
                let at = rest.partition_point(|o| rank_order(&text, o, &entry).is_lt());
                let (before, after) = rest.split_at(at);
                merged.extend_from_slice(before);
                merged.push(entry);
                rest = after;
            }
            merged.extend_from_slice(rest);
            merged
        };
        *self = SearchData {
            text,
            agencies,
            entries,
        };
        let live: usize = self.entries.iter().map(Entry::span).sum();
        if live < self.text.len() / 2 {
            self.compact();
        }
    }

    /// Rewrites the text with only the entries' strings, in entry order.
    fn compact(&mut self) {
        let live: usize = self.entries.iter().map(Entry::span).sum();
        let mut text = String::with_capacity(live);
        for entry in &mut self.entries {
            let at = text.len();
            let span = u32::try_from(entry.span()).unwrap_or(u32::MAX);
            text.push_str(slice(&self.text, entry.start as usize, span));
            entry.start = u32::try_from(at).unwrap_or(u32::MAX);
        }
        self.text = text;
    }

    /// `len` bytes of text from `start` ("" for a range that does not fit, which
    /// [`SearchData::is_sound`] rules out for data read from disk).
    fn slice(&self, start: usize, len: u32) -> &str {
        slice(&self.text, start, len)
    }

    /// The element's code.
    pub fn code(&self, e: &Entry) -> &str {
        self.slice(e.start as usize, e.code)
    }

    /// The code and the readings, [`SEP`]-separated (see [`super::Key::latin`]), decoded in
    /// `buf` ("" for an entry whose readings do not decode, which [`SearchData::is_sound`]
    /// rules out for data read from disk).
    pub fn latin<'a>(&'a self, e: &Entry, buf: &'a mut LatinBuf) -> &'a str {
        std::str::from_utf8(self.latin_bytes(e, buf)).unwrap_or("")
    }

    /// [`SearchData::latin`] as bytes, without the character-boundary checks of a `str`.
    pub fn latin_bytes<'a>(&'a self, e: &Entry, buf: &'a mut LatinBuf) -> &'a [u8] {
        let start = e.start as usize + e.code as usize;
        let stored = self
            .text
            .as_bytes()
            .get(start..start.saturating_add(e.latin as usize))
            .unwrap_or_default();
        match decode_parts(stored, buf) {
            Some(_) => &buf.out,
            None => &[],
        }
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

    /// Whether every entry's strings lie inside the text on character boundaries, its code
    /// hash is its code's, every agency index is in range and the entries are in rank order.
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
        let mut buf = LatinBuf::default();
        in_order
            && self.entries.iter().all(|e| {
                fits(e)
                    && e.code_hash == code_hash(self.code(e))
                    && e.agency.is_none_or(|a| (a as usize) < self.agencies.len())
                    && {
                        let start = e.start as usize + e.code as usize;
                        let stored = &self.text.as_bytes()[start..start + e.latin as usize];
                        decode_parts(stored, &mut buf)
                            .is_some_and(|parts| std::str::from_utf8(parts).is_ok())
                    }
            })
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
        let mut buf = LatinBuf::default();
        assert_eq!(parts(data.latin(e, &mut buf)), parts(&row.latin));
        assert_eq!(data.names(e), row.names);
        assert_eq!(data.agency(e), row.agency.as_deref());
        assert_eq!(data.agencies().len(), 1, "one agency, interned");
        assert_eq!(e.uses, 7);
        assert!(data.is_sound());
        let mut broken = data.clone();
        broken.entries[1].latin = u32::MAX - 1;
        assert!(!broken.is_sound());
        assert_eq!(broken.latin(&broken.entries[1], &mut buf), "");
        let mut broken = data.clone();
        broken.entries[1].agency = Some(1);
        assert!(!broken.is_sound());
        let mut broken = data.clone();
        broken.entries[1].code_hash ^= 1;
        assert!(!broken.is_sound(), "a code hash not its code's");
        let mut broken = data.clone();
        broken.entries.swap(0, 1);
        assert!(!broken.is_sound(), "out of rank order");
    }

    /// Every entry as a comparable tuple, in rank order.
    fn spelled(data: &SearchData) -> Vec<(u32, String, String, String, String, Option<String>)> {
        data.entries()
            .iter()
            .map(|e| {
                let (code, name) = (data.code(e).into(), data.name(e).into());
                let latin = data.latin(e, &mut LatinBuf::default()).into();
                let agency = data.agency(e).map(str::to_string);
                (e.uses, code, name, latin, data.names(e).into(), agency)
            })
            .collect()
    }

    #[test]
    fn a_patched_index_equals_one_built_from_the_changed_rows() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let mut data = SearchData::from_rows(rows.clone());
        let mut expected: BTreeMap<String, SearchRow> =
            rows.into_iter().map(|r| (r.code.clone(), r)).collect();
        let codes: Vec<String> = expected.keys().cloned().collect();
        // renamed and used more; removed; new with a new agency; only used less
        let mut renamed = expected[&codes[3]].clone();
        renamed.name = "改名的数据元".into();
        renamed.names = "改名的数据元".into();
        renamed.latin = "gaimingdeshujuyuan\u{1f}gmdsjy".into();
        renamed.uses += 1000;
        let mut added = renamed.clone();
        added.code = "ZZ000001".into();
        added.agency = Some("新机构".into());
        added.uses = 0;
        let mut fewer = expected[&codes[10]].clone();
        fewer.uses = 0;
        let changes = BTreeMap::from([
            (renamed.code.clone(), Some(renamed.clone())),
            (codes[5].clone(), None),
            (added.code.clone(), Some(added.clone())),
            (fewer.code.clone(), Some(fewer.clone())),
        ]);
        data.patch(&changes);
        for (code, row) in &changes {
            match row {
                Some(row) => expected.insert(code.clone(), row.clone()),
                None => expected.remove(code),
            };
        }
        let built = SearchData::from_rows(expected.into_values());
        assert!(data.is_sound());
        assert_eq!(spelled(&data), spelled(&built));
        assert_eq!(
            spelled(&data)[0].1,
            renamed.code,
            "ranked first by its uses"
        );
        assert!(data.agencies().iter().any(|a| a == "新机构"));
    }

    #[test]
    fn patching_the_same_rows_again_and_again_rewrites_the_text_before_it_doubles() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let mut data = SearchData::from_rows(rows.clone());
        let size = data.text.len();
        let mut changes = BTreeMap::new();
        for row in rows.iter().take(rows.len() / 3) {
            changes.insert(row.code.clone(), Some(row.clone()));
        }
        let mut grew = false;
        for _ in 0..10 {
            data.patch(&changes);
            grew |= data.text.len() > size;
            assert!(data.text.len() <= 2 * size, "{} of {size}", data.text.len());
            assert!(data.is_sound());
        }
        assert!(grew, "replaced rows are appended");
        assert_eq!(spelled(&data), spelled(&SearchData::from_rows(rows)));
    }

    /// `latin` stored by [`push_distinct_parts`] and decoded again.
    fn round_trip(latin: &str) -> (String, String) {
        let mut text = String::new();
        push_distinct_parts(&mut text, latin);
        let mut buf = LatinBuf::default();
        let decoded = decode_parts(text.as_bytes(), &mut buf).expect("decodes");
        (text, String::from_utf8(decoded.to_vec()).expect("UTF-8"))
    }

    #[test]
    fn repeated_parts_are_kept_once() {
        let (text, decoded) = round_trip("de01\u{1f}xm\u{1f}xingming\u{1f}xm\u{1f}xm");
        assert_eq!(text, "de01\u{1f}xm\u{1f}xingming");
        assert_eq!(decoded, text);
    }

    #[test]
    fn readings_that_share_a_start_and_an_end_are_stored_once_and_decode_whole() {
        // two readings of one name differ in one syllable; a full-width bracket ends both
        let latin = "de01\u{1f}yinhangzhanghao（12）\u{1f}yinxingzhanghao（12）\u{1f}yhzh（12）";
        let (text, decoded) = round_trip(latin);
        assert_eq!(decoded, latin);
        assert!(text.len() < latin.len() - 10, "{text:?}");
        assert!(
            text.contains("\u{1}\u{1}"),
            "the second reading names the first: {text:?}"
        );
        // a part that starts with the marker itself, and every edge: empty parts, one part
        for latin in [
            "\u{1}x\u{1f}\u{1}\u{1}\u{1}\u{1}yy",
            "",
            "de01",
            "de01\u{1f}\u{1f}abcdefgh\u{1f}abcdefgh（1）",
            "a\u{1f}银行行长（3）\u{1f}银航行长（3）\u{1f}a",
        ] {
            let mut distinct: Vec<&str> = Vec::new();
            for part in latin.split(SEP) {
                if !distinct.contains(&part) {
                    distinct.push(part);
                }
            }
            assert_eq!(round_trip(latin).1, distinct.join("\u{1f}"), "{latin:?}");
        }
    }

    #[test]
    fn stored_readings_that_do_not_decode_are_caught() {
        let mut buf = LatinBuf::default();
        let sound = "ab\u{1f}abcdefg";
        let mut text = String::new();
        push_distinct_parts(&mut text, "ab\u{1f}abcdefgh\u{1f}abcdefgX");
        assert!(decode_parts(text.as_bytes(), &mut buf).is_some());
        for bad in [
            // a reference to a part not there yet, one cut short, one longer than its part
            "\u{1}\u{5}\u{1}\u{0}x".as_bytes(),
            "\u{1}\u{0}".as_bytes(),
            "ab\u{1f}\u{1}\u{0}\u{9}\u{0}x".as_bytes(),
            sound.as_bytes(),
        ] {
            let decoded = decode_parts(bad, &mut buf).map(<[u8]>::to_vec);
            assert_eq!(decoded.is_some(), bad == sound.as_bytes(), "{bad:?}");
        }
        // a whole index with a damaged reference is unsound
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let data = SearchData::from_rows(rows);
        let at = data.text.find('\u{1}').expect("some reading is shared");
        let mut broken = data.clone();
        // the earlier part it names, past every part
        broken.text.replace_range(at + 1..at + 2, "\u{7f}");
        assert!(data.is_sound() && !broken.is_sound());
    }
}
