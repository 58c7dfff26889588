//! The search index's storage: every element's strings side by side in one text, addressed
//! by one offset and four lengths. One allocation instead of six per element keeps a
//! million-element index compact, the whole index is written to disk as a few flat arrays,
//! and the text can stay in that file when it is read back (see [`super::text`]): the text is
//! kept in the entries' order, so a scan reads it from start to end.
//!
//! What is kept is what a search needs and no more: the parts of an element's readings are
//! deduplicated (a repeated part can never change a match or its score), the element's name is
//! not stored again when it is the first of its lower-cased names, and source agencies are
//! interned. The entries are held in rank order (use count descending, then code), so a tie
//! between two equal scores is broken by comparing two indexes.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::io;

use crate::model::invariants::MAX_CODE_LEN;
use crate::model::{ElementKind, Status};

use super::keys::SEP;
use super::row::SearchRow;
use super::text::{Batch, Text};

/// What the index keeps per element, in 48 bytes (a million elements' entries are held in
/// memory; 40 bytes before [`Entry::code_head`], 48 before the lengths were made to fit their
/// strings). Its strings lie
/// one after the other in the text from `start`: code, readings, names, then the name when it
/// is not the first of the names. A code is at most [`MAX_CODE_LEN`] bytes; readings and
/// names longer than a length here can say are cut (see [`SearchDataBuilder::push`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Which bytes occur in the readings (low half) and which characters in the names (high
    /// half), as one bit each of [`bloom`]. The readings' half leaves out the code (the
    /// first reading) when [`Entry::code_head`] holds all of it: a Latin query the code does
    /// not hold and whose bits the readings lack cannot match (see [`Entry::may_hold`]).
    pub bloom: u64,
    /// The first eight bytes of the first reading (the code, lower-cased), big-endian,
    /// zeros after a shorter one: what a search tests a code against without reading it.
    pub code_head: u64,
    start: u32,
    /// How many form fields use the element.
    pub uses: u32,
    /// The [`pair_bit`] of the first two bytes of every reading part (code included): an
    /// entry lacking a query's bit has no part that starts with the query.
    pub starts: u32,
    /// The [`exact_bit`] of every reading part (code included): an entry lacking a query's
    /// bit has no part equal to the query.
    pub exact: u32,
    /// Index of the source agency (code and name, lower-cased) in the interned agencies, or
    /// [`NO_AGENCY`].
    agency: u32,
    latin: u16,
    names: u16,
    /// Length of the stored name; 0 when the name is the first part of `names`.
    name: u16,
    /// [`code_hash`] of the code: a patch finds the entries it replaces without reading
    /// every entry's code from the text.
    code_hash: u16,
    code: u8,
    /// Element kind.
    pub kind: ElementKind,
    /// Workflow state.
    pub status: Status,
}

/// [`Entry::agency`] of an element without a source agency.
const NO_AGENCY: u32 = u32::MAX;

impl Entry {
    /// Whether the entry's readings (its code included) may hold a Latin query `q` whose
    /// [`bloom`] is `need`, told from the entry alone: no when the readings lack a bit of it
    /// and the code, whole in [`Entry::code_head`], does not hold it (a code longer than
    /// that has its bits in the bloom). An element's strings need not be read to rule it out.
    pub fn may_hold(&self, q: &[u8], need: u64) -> bool {
        self.bloom & need == need
            || (usize::from(self.code) <= HEAD_BYTES && head_holds(self.code_head, q))
    }

    /// Whether the code is known from [`Entry::code_head`] to be ASCII (see
    /// [`SearchData::has_non_ascii_code`]); `false` when that is not known.
    fn code_is_ascii(&self) -> bool {
        let head = self.code_head.to_be_bytes();
        let len = head.iter().take_while(|&&b| b != 0).count();
        usize::from(self.code) <= len && head.is_ascii()
    }

    /// Index of the source agency in the interned agencies (see [`SearchData::agencies`]).
    pub fn agency(&self) -> Option<u32> {
        (self.agency != NO_AGENCY).then_some(self.agency)
    }

    /// Where the entry's strings start in the text, and how many bytes they take (its code's
    /// first): what a rewrite of the index's file moves.
    pub(crate) fn text_range(&self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start.saturating_add(self.span())
    }

    /// Bytes of the code (the first of the entry's strings).
    pub(crate) fn code_len(&self) -> usize {
        usize::from(self.code)
    }

    /// The [`code_hash`] of the entry's code: only an entry with a code's hash is worth
    /// reading the code of.
    pub(crate) fn hashed(&self) -> u16 {
        self.code_hash
    }

    /// The same entry with its strings at `start` of the text (`None`: past a text's reach).
    pub(crate) fn placed_at(self, start: usize) -> Option<Entry> {
        Some(Entry {
            start: u32::try_from(start).ok()?,
            ..self
        })
    }

    /// The entry as the index's file holds it: its fields little-endian in their order
    /// here, the kind and the status as their places in [`ElementKind::ALL`] and
    /// [`Status::ALL`] (a file of another order is another layout). Of a fixed width, so a
    /// rewrite of the file moves an entry by changing its start and nothing else.
    pub fn to_bytes(&self) -> [u8; ENTRY_BYTES] {
        let mut out = [0u8; ENTRY_BYTES];
        // (every kind and status is in its list)
        let place = |at: Option<usize>| u8::try_from(at.unwrap_or(0)).unwrap_or(0);
        let kind = place(ElementKind::ALL.iter().position(|k| *k == self.kind));
        let status = place(Status::ALL.iter().position(|s| *s == self.status));
        let fields: [&[u8]; 14] = [
            &self.bloom.to_le_bytes(),
            &self.code_head.to_le_bytes(),
            &self.start.to_le_bytes(),
            &self.uses.to_le_bytes(),
            &self.starts.to_le_bytes(),
            &self.exact.to_le_bytes(),
            &self.agency.to_le_bytes(),
            &self.latin.to_le_bytes(),
            &self.names.to_le_bytes(),
            &self.name.to_le_bytes(),
            &self.code_hash.to_le_bytes(),
            &[self.code],
            &[kind],
            &[status],
        ];
        let mut at = 0;
        for field in fields {
            out[at..at + field.len()].copy_from_slice(field);
            at += field.len();
        }
        out
    }

    /// The entry [`Entry::to_bytes`] gave `bytes` (`None`: a kind or a status out of range).
    pub fn from_bytes(bytes: &[u8; ENTRY_BYTES]) -> Option<Entry> {
        let mut at = 0;
        let mut take = |n: usize| {
            let field = &bytes[at..at + n];
            at += n;
            field
        };
        let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
        let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default());
        let u16_of = |b: &[u8]| u16::from_le_bytes(b.try_into().unwrap_or_default());
        Some(Entry {
            bloom: u64_of(take(8)),
            code_head: u64_of(take(8)),
            start: u32_of(take(4)),
            uses: u32_of(take(4)),
            starts: u32_of(take(4)),
            exact: u32_of(take(4)),
            agency: u32_of(take(4)),
            latin: u16_of(take(2)),
            names: u16_of(take(2)),
            name: u16_of(take(2)),
            code_hash: u16_of(take(2)),
            code: take(1)[0],
            kind: *ElementKind::ALL.get(usize::from(take(1)[0]))?,
            status: *Status::ALL.get(usize::from(take(1)[0]))?,
        })
    }
}

/// Bytes of an entry in the search index's file (see [`Entry::to_bytes`]).
pub const ENTRY_BYTES: usize = 47;

/// Whether an entry of `uses` uses and code `code` ranks before one of `other_uses` and
/// `other` (see [`SearchData::entries`]: use count descending, then code).
pub(crate) fn ranks_before(uses: u32, code: &[u8], other_uses: u32, other: &[u8]) -> bool {
    uses > other_uses || (uses == other_uses && code < other)
}

/// The entry of `row` and its strings, the entry placed at 0 and its agency (if any) at the
/// index `intern` gives it: what a rewrite of the index's file puts in place of an element's
/// old entry. `None` for a row no index holds (a code longer than a code can be).
pub(crate) fn entry_of_row(
    row: SearchRow,
    intern: impl FnOnce(String) -> u32,
) -> Option<(Entry, String)> {
    let mut one = SearchDataBuilder::default();
    one.push(row);
    let entry = one.entries.pop()?;
    let agency = entry
        .agency()
        .and_then(|a| one.agencies.get(a as usize).cloned())
        .map_or(NO_AGENCY, intern);
    Some((Entry { agency, ..entry }, one.text))
}

/// A 16-bit hash of a code (FNV-1a, folded), see [`Entry::code_hash`].
pub(crate) fn code_hash(code: &str) -> u16 {
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

/// The first of the [`SEP`]-separated parts of `latin` (the code, lower-cased).
fn first_part(latin: &str) -> &[u8] {
    latin.split(SEP).next().unwrap_or("").as_bytes()
}

/// The readings' half of [`Entry::bloom`]: every byte of `latin` but those of its first part
/// when [`code_head`] holds all of it, and the code (`code` bytes) is that short too.
fn latin_bloom(latin: &str, code: u8) -> u64 {
    let first = first_part(latin);
    if first.len() <= HEAD_BYTES && usize::from(code) <= HEAD_BYTES {
        bloom(latin.get(first.len()..).unwrap_or(""))
    } else {
        bloom(latin)
    }
}

/// Bytes of a code [`Entry::code_head`] holds.
const HEAD_BYTES: usize = 8;

/// The first eight bytes of `part`, big-endian, zeros after a shorter one (see
/// [`Entry::code_head`]).
fn code_head(part: &[u8]) -> u64 {
    let mut head = [0u8; HEAD_BYTES];
    for (slot, &b) in head.iter_mut().zip(part) {
        *slot = b;
    }
    u64::from_be_bytes(head)
}

/// Whether the bytes of `head` (up to its first zero) hold `q` as a subsequence.
fn head_holds(head: u64, q: &[u8]) -> bool {
    let mut wanted = q.iter().peekable();
    for b in head.to_be_bytes().into_iter().take_while(|&b| b != 0) {
        wanted.next_if(|&&w| w == b);
    }
    wanted.peek().is_none()
}

/// One bit of 32 for a reading part or a query (see [`Entry::exact`]): by its length (1 to
/// 7 bytes, or 8 and more) and the low two bits of its first byte (the same for both cases
/// of a letter). A part and a query with different bits cannot be equal. Nothing for an
/// empty one.
pub fn exact_bit(part: &[u8]) -> u32 {
    let Some(&first) = part.first() else {
        return 0;
    };
    let row = u32::try_from(part.len().min(8) - 1).unwrap_or(7);
    1 << (row * 4 + u32::from(first & 3))
}

/// The bloom bits of the characters of `s` (see [`Entry::bloom`]), in the low half.
pub fn bloom(s: &str) -> u64 {
    s.chars().fold(0, |bits, c| bits | char_bit(c))
}

/// One bit of the low half of a bloom for `c`: ASCII bytes by [`byte_slot`], other
/// characters by a multiplicative hash.
fn char_bit(c: char) -> u64 {
    let slot = match u8::try_from(c) {
        Ok(b) if b.is_ascii() => byte_slot(b),
        _ => u32::from(c).wrapping_mul(0x9E37_79B1) >> 27,
    };
    1 << slot
}

/// The slot of 32 of an ASCII byte: its low five bits (so the letters a–z each have their
/// own, 1 to 26), the digits in the five slots no letter takes (0 and 27 to 30): a query
/// with a digit rules out the readings without one, which are most (pinyin has none).
pub(crate) fn byte_slot(b: u8) -> u32 {
    const DIGIT_SLOTS: [u32; 5] = [0, 27, 28, 29, 30];
    if b.is_ascii_digit() {
        DIGIT_SLOTS[usize::from(b - b'0') % DIGIT_SLOTS.len()]
    } else {
        u32::from(b & 31)
    }
}

/// Every entry and the text their spans point into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchData {
    text: Text,
    agencies: Vec<String>,
    entries: Vec<Entry>,
}

/// `len` bytes of `text` from `start`, or "" for a range that does not fit.
fn slice(text: &str, start: usize, len: usize) -> &str {
    text.get(start..start.saturating_add(len)).unwrap_or("")
}

/// Rank order: use count descending, then code.
fn rank_order(text: &str, a: &Entry, b: &Entry) -> Ordering {
    b.uses.cmp(&a.uses).then_with(|| {
        let code = |e: &Entry| slice(text, e.start as usize, usize::from(e.code));
        code(a).cmp(code(b))
    })
}

impl Entry {
    /// Bytes of text the readings, names and name take.
    fn strings_after_code(&self) -> usize {
        usize::from(self.latin) + usize::from(self.names) + usize::from(self.name)
    }

    /// Bytes of text the entry's strings take.
    fn span(&self) -> usize {
        usize::from(self.code) + self.strings_after_code()
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

/// Reusable room to decode an entry's readings in (see [`Strings::latin_bytes`]).
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

/// Cuts `text` back to at most `max` bytes after `from`: at the last [`SEP`] within them (the
/// parts before it stay whole) or, with none, at a character boundary. Returns the length
/// kept.
fn cut(text: &mut String, from: usize, max: usize) -> u16 {
    if text.len() - from > max {
        let room = &text.as_bytes()[from..=from + max];
        let keep = match room.iter().rposition(|&b| b == SEP as u8) {
            Some(at) => at,
            None => (0..=max)
                .rev()
                .find(|&n| text.is_char_boundary(from + n))
                .unwrap_or(0),
        };
        text.truncate(from + keep);
    }
    u16::try_from(text.len() - from).unwrap_or(u16::MAX)
}

/// Builds [`SearchData`] one row at a time, in any order: each row goes into the text as it
/// comes (and can be dropped at once), and the entries are put in rank order at the end. A
/// million rows held at once, to sort them first, took about 600 MiB that the allocator then
/// kept.
#[derive(Default)]
pub struct SearchDataBuilder {
    text: String,
    agencies: Vec<String>,
    entries: Vec<Entry>,
    /// Each agency's index in `agencies`.
    interned: HashMap<String, u32>,
}

impl SearchDataBuilder {
    /// Adds one element's row. Readings and names past 64 KiB are cut after their last whole
    /// part that fits (a name at a character), and a row whose code is longer than a valid
    /// code can be is left out.
    pub fn push(&mut self, row: SearchRow) {
        let Ok(code) = u8::try_from(row.code.len()) else {
            return;
        };
        if usize::from(code) > MAX_CODE_LEN {
            return;
        }
        let max = usize::from(u16::MAX);
        let text = &mut self.text;
        let start = text.len();
        text.push_str(&row.code);
        let code_end = text.len();
        push_distinct_parts(text, &row.latin);
        let latin = cut(text, code_end, max);
        let latin_end = text.len();
        text.push_str(&row.names);
        let names = cut(text, latin_end, max);
        let names_end = text.len();
        let first_name = text[latin_end..].split(SEP).next().unwrap_or("");
        let name = if row.name == first_name {
            0
        } else {
            text.push_str(&row.name);
            cut(text, names_end, max)
        };
        let agency = row.agency.map_or(NO_AGENCY, |a| self.intern(a));
        self.entries.push(Entry {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            code,
            latin,
            names,
            name,
            kind: row.kind,
            status: row.status,
            agency,
            uses: row.uses,
            code_hash: code_hash(&row.code),
            bloom: latin_bloom(&row.latin, code) | bloom(&row.names) << 32,
            code_head: code_head(first_part(&row.latin)),
            starts: row
                .latin
                .split(SEP)
                .filter_map(|part| match part.as_bytes() {
                    [a, b, ..] => Some(pair_bit(*a, *b)),
                    _ => None,
                })
                .fold(0, |bits, bit| bits | bit),
            exact: row
                .latin
                .split(SEP)
                .fold(0, |bits, part| bits | exact_bit(part.as_bytes())),
        });
    }

    /// The index of agency `a`, interned on first sight.
    fn intern(&mut self, a: String) -> u32 {
        let next = u32::try_from(self.agencies.len()).unwrap_or(u32::MAX);
        let agencies = &mut self.agencies;
        *self.interned.entry(a).or_insert_with_key(|a| {
            agencies.push(a.clone());
            next
        })
    }

    /// Adds the rows another builder holds, as if pushed here one by one: its text goes in
    /// whole, its entries follow it.
    pub fn append(&mut self, piece: SearchDataBuilder) {
        let offset = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(&piece.text);
        let agency_ids: Vec<u32> = piece.agencies.into_iter().map(|a| self.intern(a)).collect();
        self.entries.extend(piece.entries.into_iter().map(|e| {
            Entry {
                start: e.start.saturating_add(offset),
                agency: e
                    .agency()
                    .and_then(|a| agency_ids.get(a as usize).copied())
                    .unwrap_or(NO_AGENCY),
                ..e
            }
        }));
    }

    /// The data, its entries in rank order (use count descending, then code) and the text
    /// in the same order, so that a scan of the entries reads the text from start to end.
    pub fn finish(self) -> SearchData {
        let SearchDataBuilder {
            text,
            agencies,
            mut entries,
            ..
        } = self;
        entries.sort_by(|a, b| rank_order(&text, a, b));
        let mut data = SearchData {
            text: Text::Held(text),
            agencies,
            entries,
        };
        data.compact();
        data.entries.shrink_to_fit();
        data
    }
}

/// Calls `f` with every entry and its strings, a batch at a time, while it returns true;
/// whether it always did.
fn all_entries(data: &SearchData, mut f: impl FnMut(&Entry, &Strings<'_>) -> bool) -> bool {
    let mut batch = Batch::default();
    let mut ids: Vec<u32> = Vec::with_capacity(BATCH);
    let mut from = 0u32;
    while (from as usize) < data.entries.len() {
        let to = from.saturating_add(BATCH as u32);
        ids.clear();
        ids.extend(from..to.min(u32::try_from(data.entries.len()).unwrap_or(u32::MAX)));
        let mut all = true;
        data.visit(&ids, &mut batch, |_, e, s| all = all && f(e, &s));
        if !all {
            return false;
        }
        from = to;
    }
    true
}

/// Entries read at once by [`SearchData`]'s own passes over every entry.
const BATCH: usize = 4096;

/// An entry's strings, wherever the text is kept (see [`SearchData::visit`]).
pub struct Strings<'a> {
    /// The entry's bytes of the text: code, stored readings, names, then perhaps the name.
    span: &'a [u8],
    entry: &'a Entry,
}

impl<'a> Strings<'a> {
    /// `len` bytes from `from` ("" past the end).
    fn part(&self, from: usize, len: u16) -> &'a [u8] {
        self.span
            .get(from..from.saturating_add(usize::from(len)))
            .unwrap_or_default()
    }

    /// The code's bytes.
    pub fn code_bytes(&self) -> &'a [u8] {
        self.part(0, self.entry.code.into())
    }

    /// The code ("" if it is not UTF-8: a damaged file).
    pub fn code(&self) -> &'a str {
        std::str::from_utf8(self.code_bytes()).unwrap_or("")
    }

    /// The readings as stored (see [`push_distinct_parts`]).
    fn stored_latin(&self) -> &'a [u8] {
        self.part(self.entry.code.into(), self.entry.latin)
    }

    /// The code and the readings, [`SEP`]-separated (see [`super::Key::latin`]), decoded in
    /// `buf` (nothing for readings that do not decode: never for rows the builder took, nor
    /// for a file whose sums hold).
    pub fn latin_bytes<'b>(&self, buf: &'b mut LatinBuf) -> &'b [u8] {
        match decode_parts(self.stored_latin(), buf) {
            Some(_) => &buf.out,
            None => &[],
        }
    }

    /// The lower-cased names and synonyms, [`SEP`]-separated.
    pub fn names(&self) -> &'a str {
        let e = self.entry;
        let at = usize::from(e.code) + usize::from(e.latin);
        std::str::from_utf8(self.part(at, e.names)).unwrap_or("")
    }

    /// The element's name.
    pub fn name(&self) -> &'a str {
        let e = self.entry;
        if e.name == 0 {
            return self.names().split(SEP).next().unwrap_or("");
        }
        let at = usize::from(e.code) + usize::from(e.latin) + usize::from(e.names);
        std::str::from_utf8(self.part(at, e.name)).unwrap_or("")
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

    /// Data whose text is left in `file` (`len` bytes from `at`; see `Text::File`), read as
    /// searches need it. `None` unless the text is in entry order, every byte of it an
    /// entry's (a scan then reads the file from start to end), and every agency index is in
    /// range.
    pub fn in_file(
        file: std::fs::File,
        at: u64,
        len: usize,
        agencies: Vec<String>,
        entries: Vec<Entry>,
    ) -> Option<Self> {
        let mut end = 0usize;
        let sound = entries.iter().all(|e| {
            let placed = e.start as usize == end;
            end = end.saturating_add(e.span());
            placed && e.agency().is_none_or(|a| (a as usize) < agencies.len())
        });
        (sound && end == len).then(|| SearchData {
            text: Text::File {
                file: std::sync::Arc::new(file),
                at,
                len,
                tail: String::new(),
            },
            agencies,
            entries,
        })
    }

    /// Calls `f` with every entry's code, in entry order, a batch at a time (a text left in
    /// its file is read through once); stops at the first text that cannot be read, and
    /// says whether every code was given.
    pub fn each_code(&self, mut f: impl FnMut(&str)) -> bool {
        all_entries(self, |_, strings| {
            f(strings.code());
            true
        })
    }

    /// Whether the text is held in memory (not left in a file).
    pub fn is_held(&self) -> bool {
        matches!(self.text, Text::Held(_))
    }

    /// Bytes of text that patches appended in memory after a text left in its file (0 for a
    /// held text): the strings of the rows patched in.
    pub fn appended_bytes(&self) -> usize {
        match &self.text {
            Text::Held(_) => 0,
            Text::File { tail, .. } => tail.len(),
        }
    }

    /// Brings the data up to date with rows the store changed (by code; `None`: the element
    /// is gone), in place: the old entries of those codes go, the new rows' strings are
    /// appended to the text and their entries merged in at their rank. A text left in a file
    /// stays there, the new strings after it in memory: only the
    /// changed entries' codes and, for their ranks, a few others' are read. The text of a
    /// replaced row stays until it is more than half the text, when the text is rewritten
    /// (in memory). An error (a code that cannot be read from the file) changes nothing.
    pub fn patch(&mut self, changes: &BTreeMap<String, Option<SearchRow>>) -> io::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        // the positions of the old entries of those codes (an entry with none of their
        // hashes is not read)
        let changed = HashSet16::of(changes.keys());
        let mut leaving = Vec::new();
        for (at, e) in self.entries.iter().enumerate() {
            if !changed.may_hold(e.code_hash) {
                continue;
            }
            let code = self
                .text
                .bytes(e.start as usize..e.start as usize + e.code_len(), &mut buf);
            if code.len() != e.code_len() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the search index's file could not be read",
                ));
            }
            if std::str::from_utf8(code).is_ok_and(|c| changes.contains_key(c)) {
                leaving.push(at);
            }
        }
        let mut leaving = leaving.into_iter().peekable();
        let mut at = 0;
        self.entries.retain(|_| {
            let goes = leaving.next_if_eq(&at).is_some();
            at += 1;
            !goes
        });
        // the new rows' strings, placed after the text
        let base = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        let interned = (0u32..)
            .zip(&self.agencies)
            .map(|(i, a)| (a.clone(), i))
            .collect();
        let mut builder = SearchDataBuilder {
            text: String::new(),
            agencies: std::mem::take(&mut self.agencies),
            entries: Vec::new(),
            interned,
        };
        for row in changes.values().flatten() {
            builder.push(row.clone());
        }
        let SearchDataBuilder {
            text: added,
            agencies,
            entries: new,
            ..
        } = builder;
        self.agencies = agencies;
        self.text.append(&added);
        // each with its code, placed after the text, in rank order
        let mut new: Vec<(Entry, &[u8])> = new
            .into_iter()
            .map(|e| {
                let start = e.start as usize;
                let code = added.as_bytes().get(start..start + e.code_len());
                let placed = Entry {
                    start: e.start.saturating_add(base),
                    ..e
                };
                (placed, code.unwrap_or_default())
            })
            .collect();
        new.sort_by(|(a, x), (b, y)| b.uses.cmp(&a.uses).then_with(|| x.cmp(y)));
        // each new entry's place by binary search (a few codes read, not every entry's)
        let text = &self.text;
        let mut other = Vec::new();
        let mut before = |o: &Entry, e: &Entry, code: &[u8]| {
            let start = o.start as usize;
            let o_code = text.bytes(start..start + o.code_len(), &mut other);
            ranks_before(o.uses, o_code, e.uses, code)
        };
        let mut old = std::mem::take(&mut self.entries);
        self.entries = if new.len() <= INSERT_AT_MOST {
            for (entry, code) in new {
                let at = old.partition_point(|o| before(o, &entry, code));
                old.insert(at, entry);
            }
            old
        } else {
            let mut merged = Vec::with_capacity(old.len() + new.len());
            let mut rest = old.as_slice();
            for (entry, code) in new {
                let at = rest.partition_point(|o| before(o, &entry, code));
                let (ahead, after) = rest.split_at(at);
                merged.extend_from_slice(ahead);
                merged.push(entry);
                rest = after;
            }
            merged.extend_from_slice(rest);
            merged
        };
        let live: usize = self.entries.iter().map(Entry::span).sum();
        if live < self.text.len() / 2 && self.text.hold().is_ok() {
            self.compact();
        }
        Ok(())
    }

    /// Renames agencies in place (as a row names one: as it was → as it is): the entries that
    /// named one name it anew.
    pub fn rename_agencies(&mut self, renamed: &BTreeMap<String, String>) {
        for agency in &mut self.agencies {
            if let Some(now) = renamed.get(agency.as_str()) {
                agency.clone_from(now);
            }
        }
    }

    /// Sets the use counts of the elements `uses` names (by code), in place: their entries
    /// move to their new ranks; the text stays where it is (in its file too: nothing is read
    /// but those entries' codes and, for their ranks, a few others'). What a form saved
    /// before the catalog is loaded changes (see `store::search_file`). Codes without an
    /// entry are passed over.
    pub fn set_uses(&mut self, uses: &BTreeMap<String, u32>) {
        if uses.is_empty() {
            return;
        }
        let codes: Vec<String> = uses.keys().cloned().collect();
        let hashes = HashSet16::of(codes.iter());
        let mut buf = Vec::new();
        let text = &self.text;
        let code_of = |e: &Entry, buf: &mut Vec<u8>| -> Vec<u8> {
            text.bytes(e.start as usize..e.start as usize + e.code_len(), buf)
                .to_vec()
        };
        let mut moved = Vec::new();
        self.entries.retain(|e| {
            if !hashes.may_hold(e.code_hash) {
                return true;
            }
            let code = code_of(e, &mut buf);
            let found = std::str::from_utf8(&code).ok().and_then(|c| uses.get(c));
            match found {
                Some(&n) => {
                    moved.push((Entry { uses: n, ..*e }, code));
                    false
                }
                None => true,
            }
        });
        for (entry, code) in moved {
            let at = self.entries.partition_point(|o| {
                let other = code_of(o, &mut buf);
                ranks_before(o.uses, &other, entry.uses, &code)
            });
            self.entries.insert(at, entry);
        }
    }

    /// The same data with its agencies interned as `other` interns them (an agency `other`
    /// lacks is left out): two indexes whose agencies were interned in another order, or one
    /// that keeps an agency no entry names any more, compare equal by it.
    #[cfg(test)]
    pub(crate) fn with_agencies_as(&self, other: &SearchData) -> SearchData {
        let mut copy = self.clone();
        for entry in &mut copy.entries {
            let spelled = self.agency(entry);
            let at = spelled.and_then(|a| other.agencies.iter().position(|o| o == a));
            entry.agency = at.map_or(NO_AGENCY, |at| at as u32);
        }
        copy.agencies = other.agencies.clone();
        copy
    }

    /// Rewrites a held text with only the entries' strings, in entry order.
    fn compact(&mut self) {
        let Text::Held(old) = &self.text else {
            return;
        };
        let live: usize = self.entries.iter().map(Entry::span).sum();
        let mut text = String::with_capacity(live);
        for entry in &mut self.entries {
            let at = text.len();
            text.push_str(slice(old, entry.start as usize, entry.span()));
            entry.start = u32::try_from(at).unwrap_or(u32::MAX);
        }
        self.text = Text::Held(text);
    }

    /// The same data with its text in entry order (see [`SearchDataBuilder::finish`]): as
    /// it is, or rewritten in memory when patches appended to it (an error when the text
    /// is in a file that cannot be read).
    pub fn in_entry_order(&self) -> io::Result<Cow<'_, SearchData>> {
        let mut at = 0;
        let ordered = self.entries.iter().all(|e| {
            let ok = e.start as usize == at;
            at += e.span();
            ok
        });
        if ordered && at == self.text.len() {
            return Ok(Cow::Borrowed(self));
        }
        let mut copy = self.clone();
        copy.text.hold()?;
        copy.compact();
        Ok(Cow::Owned(copy))
    }

    /// Reads the strings of the entries at positions `ids` (a batch: they are read at once)
    /// and calls `f` with each position, entry and strings, in the order given (positions
    /// past the end are skipped).
    pub fn visit(
        &self,
        ids: &[u32],
        batch: &mut Batch,
        mut f: impl FnMut(u32, &Entry, Strings<'_>),
    ) {
        let entries = &self.entries;
        batch.load(
            &self.text,
            ids.iter().map(|&i| {
                entries.get(i as usize).map_or(0..0, |e| {
                    let start = e.start as usize;
                    start..start.saturating_add(e.span())
                })
            }),
        );
        for (k, &i) in ids.iter().enumerate() {
            if let Some(entry) = entries.get(i as usize) {
                let span = batch.get(&self.text, k);
                f(i, entry, Strings { span, entry });
            }
        }
    }

    /// The strings of one entry, read into `buf` when the text is in a file.
    pub fn strings<'a>(&'a self, entry: &'a Entry, buf: &'a mut Vec<u8>) -> Strings<'a> {
        let start = entry.start as usize;
        let span = self
            .text
            .bytes(start..start.saturating_add(entry.span()), buf);
        Strings { span, entry }
    }

    /// The source agency (code and name, lower-cased) of an entry.
    pub fn agency(&self, e: &Entry) -> Option<&str> {
        e.agency()
            .and_then(|a| self.agencies.get(a as usize))
            .map(String::as_str)
    }

    /// The interned agencies, indexed by [`Entry::agency`].
    pub fn agencies(&self) -> &[String] {
        &self.agencies
    }

    /// Calls `f` with the whole text in order, a megabyte at a time when it is in a file.
    pub fn each_text_chunk(&self, f: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        self.text.each_chunk(f)
    }

    /// Whether some entry's code holds a character outside ASCII. A code of up to eight
    /// bytes whose [`Entry::code_head`] is ASCII and as long is ASCII: a character outside
    /// ASCII lower-cases to bytes outside it, or to one ASCII byte from three (the Kelvin
    /// sign), so those eight would hold a byte outside ASCII or be fewer. The other codes are
    /// read.
    pub fn has_non_ascii_code(&self) -> bool {
        let unknown: Vec<u32> = (self.entries.iter().enumerate())
            .filter(|(_, e)| !e.code_is_ascii())
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let mut batch = Batch::default();
        unknown.chunks(BATCH).any(|ids| {
            let mut some = false;
            self.visit(ids, &mut batch, |_, _, s| {
                some |= !s.code_bytes().is_ascii()
            });
            some
        })
    }

    /// Bytes held on the heap (text, agencies and entries), for measurements.
    pub fn heap_bytes(&self) -> usize {
        let text = match &self.text {
            Text::Held(s) => s.capacity(),
            Text::File { tail, .. } => tail.capacity(),
        };
        text + self.agencies.iter().map(String::capacity).sum::<usize>()
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

    impl Strings<'_> {
        /// Whether every string is UTF-8 and the readings decode to UTF-8.
        fn is_sound(&self, buf: &mut LatinBuf) -> bool {
            let e = self.entry;
            let lens = [e.code.into(), e.latin, e.names, e.name];
            let mut at = 0;
            self.span.len() == e.span()
                && lens.iter().all(|&len| {
                    let ok = std::str::from_utf8(self.part(at, len)).is_ok();
                    at += usize::from(len);
                    ok
                })
                && decode_parts(self.stored_latin(), buf)
                    .is_some_and(|parts| std::str::from_utf8(parts).is_ok())
        }
    }

    impl SearchData {
        /// Whether every entry's strings lie inside the text and are UTF-8, its code hash is
        /// its code's, its code's head is its code's and its bloom has every bit of its stored
        /// readings (more when they were cut), every agency index is in range and the entries
        /// are in rank order: what the builder and a patch must leave.
        pub(super) fn is_sound(&self) -> bool {
            let len = self.text.len();
            let fits = self
                .entries
                .iter()
                .all(|e| (e.start as usize).saturating_add(e.span()) <= len);
            let mut buf = LatinBuf::default();
            let mut previous: Option<(u32, Vec<u8>)> = None;
            fits && all_entries(self, |e, s| {
                let code = s.code_bytes();
                let in_order = previous.as_ref().is_none_or(|(uses, prev)| {
                    *uses > e.uses || (*uses == e.uses && prev.as_slice() <= code)
                });
                let sound = in_order
                    && s.is_sound(&mut buf)
                    && e.code_hash == code_hash(s.code())
                    && std::str::from_utf8(s.latin_bytes(&mut buf)).is_ok_and(|latin| {
                        e.code_head == code_head(first_part(latin))
                            && latin_bloom(latin, e.code) & !e.bloom == 0
                    })
                    && e.agency()
                        .is_none_or(|a| (a as usize) < self.agencies.len());
                let prev = previous.get_or_insert_with(|| (0, Vec::new()));
                prev.0 = e.uses;
                prev.1.clear();
                prev.1.extend_from_slice(code);
                sound
            })
        }
    }

    /// One entry's strings at a time, to compare.
    impl SearchData {
        /// The element's code.
        fn code(&self, e: &Entry) -> String {
            self.strings(e, &mut Vec::new()).code().to_string()
        }

        /// The code and the readings, [`SEP`]-separated (see [`super::Key::latin`]), decoded in
        /// `buf` ("" for an entry whose readings do not decode, which [`SearchData::is_sound`]
        /// rules out).
        fn latin<'b>(&self, e: &Entry, buf: &'b mut LatinBuf) -> &'b str {
            let mut raw = Vec::new();
            let decoded = decode_parts(self.strings(e, &mut raw).stored_latin(), buf).is_some();
            match decoded {
                true => std::str::from_utf8(&buf.out).unwrap_or(""),
                false => "",
            }
        }

        /// The lower-cased names and synonyms, [`SEP`]-separated.
        fn names(&self, e: &Entry) -> String {
            self.strings(e, &mut Vec::new()).names().to_string()
        }

        /// The element's name.
        fn name(&self, e: &Entry) -> String {
            self.strings(e, &mut Vec::new()).name().to_string()
        }
    }

    #[test]
    fn an_entry_reads_back_from_its_bytes_of_every_kind_and_status() {
        let data = SearchData::from_rows(crate::engine::search::rows(&crate::sample::generate(1)));
        let mut seen = BTreeSet::new();
        for (&entry, (kind, status)) in (data.entries().iter().cycle())
            .zip(
                ElementKind::ALL
                    .iter()
                    .cycle()
                    .zip(Status::ALL.iter().cycle()),
            )
            .take(
                data.entries()
                    .len()
                    .max(ElementKind::ALL.len() * Status::ALL.len()),
            )
        {
            let entry = Entry {
                kind: *kind,
                status: *status,
                ..entry
            };
            assert_eq!(Entry::from_bytes(&entry.to_bytes()), Some(entry));
            seen.insert((entry.kind, entry.status));
        }
        assert!(seen.len() >= ElementKind::ALL.len(), "every kind written");
        // every field has its own bytes: one changed changes the bytes read back
        let e = data.entries()[0];
        let changes: [fn(&mut Entry); 11] = [
            |c| c.bloom = !c.bloom,
            |c| c.start += 1,
            |c| c.uses += 1,
            |c| c.starts = !c.starts,
            |c| c.exact = !c.exact,
            |c| c.agency = c.agency.wrapping_add(1),
            |c| c.latin += 1,
            |c| c.names += 1,
            |c| c.name += 1,
            |c| c.code_hash = !c.code_hash,
            |c| c.code += 1,
        ];
        let changed = changes.map(|change| {
            let mut c = e;
            change(&mut c);
            c
        });
        for c in changed {
            assert_ne!(c.to_bytes(), e.to_bytes());
            assert_eq!(Entry::from_bytes(&c.to_bytes()), Some(c));
        }
        // a kind or a status past its list is no entry
        let mut bad = e.to_bytes();
        bad[ENTRY_BYTES - 2] = ElementKind::ALL.len() as u8;
        assert_eq!(Entry::from_bytes(&bad), None);
        let mut bad = e.to_bytes();
        bad[ENTRY_BYTES - 1] = Status::ALL.len() as u8;
        assert_eq!(Entry::from_bytes(&bad), None);
    }

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
        broken.entries[1].latin = u16::MAX - 1;
        assert!(!broken.is_sound());
        assert_eq!(broken.latin(&broken.entries[1], &mut buf), "");
        let mut broken = data.clone();
        broken.entries[1].agency = 1;
        assert!(!broken.is_sound());
        let mut broken = data.clone();
        broken.entries[1].code_hash ^= 1;
        assert!(!broken.is_sound(), "a code hash not its code's");
        let mut broken = data.clone();
        broken.entries[1].code_head ^= 1;
        assert!(!broken.is_sound(), "a code's head not its code's");
        let mut broken = data.clone();
        broken.entries[1].bloom &= !u64::from(u32::MAX);
        assert!(!broken.is_sound(), "a bloom without the readings' bits");
        let mut broken = data.clone();
        broken.entries.swap(0, 1);
        assert!(!broken.is_sound(), "out of rank order");
    }

    /// Codes outside ASCII are found whether their head tells or they are read: one that
    /// lower-cases to ASCII (the Kelvin sign), one past the head, one inside it.
    #[test]
    fn codes_outside_ascii_are_found_by_head_or_read() {
        let with = |codes: &[&str]| {
            SearchData::from_rows(codes.iter().map(|code| SearchRow {
                code: (*code).into(),
                name: "名".into(),
                kind: ElementKind::Text,
                status: Status::Draft,
                agency: None,
                uses: 0,
                latin: format!("{}{SEP}ming", code.to_lowercase()),
                names: "名".into(),
            }))
        };
        let ascii = ["DE000001", "de1", "DE0000000001"];
        assert!(!with(&ascii).has_non_ascii_code());
        for odd in ["\u{212A}0001", "DE000000\u{e9}", "D\u{c9}01"] {
            let data = with(&[ascii.as_slice(), &[odd]].concat());
            assert!(data.has_non_ascii_code(), "{odd:?}");
        }
        // told by the head alone, but for the code longer than it
        let heads: Vec<bool> = with(&ascii)
            .entries
            .iter()
            .map(Entry::code_is_ascii)
            .collect();
        assert_eq!(heads, [false, true, true], "past the head it is read");
    }

    #[test]
    fn a_code_head_holds_the_queries_its_code_holds() {
        let head = code_head(b"de000134");
        for q in ["", "d", "de000134", "0134", "d1", "e04"] {
            assert!(head_holds(head, q.as_bytes()), "{q:?}");
        }
        for q in ["de0001345", "0144", "x", "43"] {
            assert!(!head_holds(head, q.as_bytes()), "{q:?}");
        }
        // a shorter code: the zeros after it hold nothing
        let short = code_head(b"ab1");
        assert!(head_holds(short, b"b1") && !head_holds(short, b"b10"));
        assert_eq!(code_head(b"ab"), u64::from_be_bytes(*b"ab\0\0\0\0\0\0"));
        assert_eq!(code_head(b"de0001349"), code_head(b"de000134"));
    }

    /// The readings' bloom leaves a code out only when its head holds all of it, in the
    /// code's bytes and in its lower-cased form's (which may be longer).
    #[test]
    fn the_readings_bloom_leaves_out_a_code_whole_in_its_head() {
        let digits = bloom("1");
        let pushed = |code: &str| {
            let mut b = SearchDataBuilder::default();
            b.push(SearchRow {
                code: code.into(),
                name: "名".into(),
                kind: ElementKind::Text,
                status: Status::Draft,
                agency: None,
                uses: 0,
                latin: format!("{}{SEP}ming{SEP}m", code.to_lowercase()),
                names: "名".into(),
            });
            b.entries[0]
        };
        let whole = pushed("DE000001");
        assert_eq!(whole.bloom & digits, 0);
        assert!(whole.may_hold(b"01", bloom("01")) && !whole.may_hold(b"10", bloom("10")));
        let longer = pushed("DE0000001");
        assert_eq!(longer.bloom & digits, digits);
        // 7 bytes, 10 lower-cased: the "1" is past the head
        let grows = pushed("\u{130}\u{130}\u{130}1");
        assert_eq!(grows.bloom & digits, digits);
        assert!(grows.may_hold(b"1", digits));
    }

    #[test]
    fn strings_too_long_for_an_entry_are_cut_after_whole_parts() {
        assert_eq!(std::mem::size_of::<Entry>(), 48);
        let catalog = crate::sample::generate(1);
        let element = catalog.elements.values().find(|e| e.name == "身份证号码");
        let row = SearchRow::of(element.expect("in the sample"), None, 1);
        // five thousand synonyms: 90 KB of names, more of readings
        let synonyms: Vec<String> = (0..5000).map(|i| format!("证件号码{i}")).collect();
        let mut long = row.clone();
        long.names = std::iter::once("身份证号码".to_string())
            .chain(synonyms.iter().cloned())
            .collect::<Vec<_>>()
            .join("\u{1f}");
        long.latin = std::iter::once(row.latin.clone())
            .chain(synonyms.iter().map(|s| format!("zhengjianhaoma{s}")))
            .collect::<Vec<_>>()
            .join("\u{1f}");
        assert!(long.names.len() > 65_535 && long.latin.len() > 65_535);
        let mut bad_code = row.clone();
        bad_code.code = "D".repeat(MAX_CODE_LEN + 1);
        let data = SearchData::from_rows([long.clone(), bad_code]);
        assert!(data.is_sound());
        let [e] = data.entries() else {
            panic!("the row with too long a code is left out")
        };
        let names = data.names(e);
        assert!(
            names.len() <= 65_535 && names.len() > 60_000,
            "{}",
            names.len()
        );
        assert!(long.names.starts_with(&names) && long.names[names.len()..].starts_with('\u{1f}'));
        assert_eq!(data.name(e), "身份证号码");
        let mut buf = LatinBuf::default();
        let latin = data.latin(e, &mut buf).to_string();
        assert!(latin.starts_with(&row.latin) && latin.contains("zhengjianhaoma证件号码1"));
        // a name alone longer than an entry can say is cut at a character
        let mut named = row.clone();
        named.name = "名".repeat(30_000);
        named.names = named.name.clone();
        let data = SearchData::from_rows([named]);
        assert!(data.is_sound());
        let name = data.name(&data.entries()[0]);
        assert_eq!(name, "名".repeat(65_535 / 3));
    }

    /// Every entry as a comparable tuple, in rank order.
    fn spelled(data: &SearchData) -> Vec<(u32, String, String, String, String, Option<String>)> {
        data.entries()
            .iter()
            .map(|e| {
                let (code, name) = (data.code(e), data.name(e));
                let latin = data.latin(e, &mut LatinBuf::default()).into();
                let agency = data.agency(e).map(str::to_string);
                (e.uses, code, name, latin, data.names(e), agency)
            })
            .collect()
    }

    /// The same data with its text in a file in `dir`, as a cached index is read.
    fn left_in_file(data: &SearchData, dir: &std::path::Path) -> SearchData {
        let path = dir.join("text");
        let text = data.text.whole().expect("held").into_owned();
        std::fs::write(&path, &text).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let in_file = SearchData::in_file(
            file,
            0,
            text.len(),
            data.agencies.clone(),
            data.entries.clone(),
        )
        .expect("in order");
        assert!(!in_file.is_held());
        in_file
    }

    #[test]
    fn a_patched_index_equals_one_built_from_the_changed_rows() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let held = SearchData::from_rows(rows.clone());
        let dir = tempfile::tempdir().expect("tempdir");
        let in_file = left_in_file(&held, dir.path());
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
        for (code, row) in &changes {
            match row {
                Some(row) => expected.insert(code.clone(), row.clone()),
                None => expected.remove(code),
            };
        }
        let built = SearchData::from_rows(expected.into_values());
        let file_len = in_file.text.len();
        for mut data in [held, in_file] {
            let was_held = data.is_held();
            data.patch(&changes).expect("patched");
            assert_eq!(data.is_held(), was_held, "a text in a file stays there");
            assert!(data.is_sound());
            assert_eq!(spelled(&data), spelled(&built));
            assert_eq!(
                spelled(&data)[0].1,
                renamed.code,
                "ranked first by its uses"
            );
            assert!(data.agencies().iter().any(|a| a == "新机构"));
            if let Text::File { len, tail, .. } = &data.text {
                assert_eq!(*len, file_len);
                assert!(
                    tail.contains("改名的数据元"),
                    "the new strings after the file's"
                );
            }
        }
    }

    #[test]
    fn use_counts_set_in_place_rank_as_an_index_built_with_them() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let data = SearchData::from_rows(rows.clone());
        // the text in a file, as a cached index is read, and held
        let dir = tempfile::tempdir().expect("tempdir");
        let in_file = left_in_file(&data, dir.path());
        // the busiest down to none, one up past the busiest, some to a tie, an unknown code
        let busiest = spelled(&data)[0].clone();
        let uses = BTreeMap::from([
            (busiest.1.clone(), 0),
            (rows[7].code.clone(), busiest.0 + 1),
            (rows[20].code.clone(), rows[21].uses),
            (rows[30].code.clone(), 3),
            ("NO-SUCH".to_string(), 9),
        ]);
        let changed = rows.into_iter().map(|mut r| {
            if let Some(&n) = uses.get(&r.code) {
                r.uses = n;
            }
            r
        });
        let built = SearchData::from_rows(changed);
        for mut data in [data, in_file] {
            data.set_uses(&uses);
            assert!(data.is_sound());
            assert_eq!(spelled(&data), spelled(&built));
        }
    }

    #[test]
    fn patching_the_same_rows_again_and_again_rewrites_the_text_before_it_doubles() {
        let rows: Vec<SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1)).collect();
        let held = SearchData::from_rows(rows.clone());
        let dir = tempfile::tempdir().expect("tempdir");
        let in_file = left_in_file(&held, dir.path());
        let size = held.text.len();
        let mut changes = BTreeMap::new();
        for row in rows.iter().take(rows.len() / 3) {
            changes.insert(row.code.clone(), Some(row.clone()));
        }
        for mut data in [held, in_file] {
            let mut grew = false;
            for _ in 0..10 {
                data.patch(&changes).expect("patched");
                grew |= data.text.len() > size;
                assert!(data.text.len() <= 2 * size, "{} of {size}", data.text.len());
                assert!(data.is_sound());
            }
            assert!(grew, "replaced rows are appended");
            assert!(
                data.is_held(),
                "a text in a file is read in to be rewritten"
            );
            assert_eq!(
                spelled(&data),
                spelled(&SearchData::from_rows(rows.clone()))
            );
        }
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
        let mut broken = data.clone();
        let text = broken.text.hold().expect("held");
        let at = text.find('\u{1}').expect("some reading is shared");
        // the earlier part it names, past every part
        text.replace_range(at + 1..at + 2, "\u{7f}");
        assert!(data.is_sound() && !broken.is_sound());
    }
}
