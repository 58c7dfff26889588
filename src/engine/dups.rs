//! The duplicate finder (清洗比对): pairs of elements, and of unbound fields, that are
//! probably the same, each with a score and the reasons; and the merge that a person
//! confirms.
//!
//! Candidates are found by blocking, never by comparing every pair: names are bucketed by
//! their normalised form, their usual pinyin, and their one-character-deleted variants
//! (so names one edit apart meet).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

use compact_str::CompactString;
use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{
    Catalog, Element, ElementKind, Kind, Record, RecordRef, RecordSource, SharedCode,
};
use crate::store::{Batch, Command};

use super::search::usual_reading;

#[cfg(test)]
mod oracle;
mod pool;

/// Why two things look alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The normalised names are equal.
    SameName,
    /// One's name is the other's synonym.
    SynonymOfOther,
    /// The names read the same (homophones, e.g. a typo).
    SamePinyin,
    /// The names are one character apart.
    OneEditApart,
    /// The names are one character apart, but the two characters are counterparts (父/母,
    /// 前/后: see [`COUNTERPARTS`]; 举办/承办: see [`COUNTERPART_WORDS`]): two related data,
    /// rarely one (ranks last).
    Counterparts,
    /// Same kind.
    SameKind,
    /// Same option list.
    SameOptions,
    /// Same kind, but the option lists differ: the merge keeps the one with every option
    /// of the other, if there is one (see [`merge_check`]).
    DifferentOptions,
    /// Different kinds (lowers the score).
    DifferentKind,
}

impl Reason {
    /// A short Chinese description.
    pub fn zh(self) -> &'static str {
        match self {
            Self::SameName => "名称相同",
            Self::SynonymOfOther => "互为同义词",
            Self::SamePinyin => "读音相同",
            Self::OneEditApart => "名称仅差一字",
            Self::Counterparts => "名称仅差一对相对的字或词（如父/母、前/后、举办/承办）",
            Self::SameKind => "类型相同",
            Self::SameOptions => "可选值相同",
            Self::DifferentOptions => "可选值不同",
            Self::DifferentKind => "类型不同",
        }
    }

    /// A short English description.
    pub fn en(self) -> &'static str {
        match self {
            Self::SameName => "same name",
            Self::SynonymOfOther => "a synonym of the other",
            Self::SamePinyin => "same pinyin",
            Self::OneEditApart => "one character apart",
            Self::Counterparts => {
                "one character apart, but counterparts (e.g. 父/母, 前/后, 举办/承办)"
            }
            Self::SameKind => "same kind",
            Self::SameOptions => "same options",
            Self::DifferentOptions => "different options",
            Self::DifferentKind => "different kinds",
        }
    }

    /// The description in a language.
    pub fn describe(self, lang: Lang) -> &'static str {
        lang.pick(self.zh(), self.en())
    }
}

/// A pair of elements that are probably the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElementPair {
    /// The element to keep: the one the merge accepts keeping (see [`merge_check`]), then
    /// more uses, then smaller code.
    pub keep: String,
    /// The element to merge into `keep`.
    pub merge: String,
    /// How many form fields are bound to `keep`.
    pub keep_uses: usize,
    /// How many form fields are bound to `merge` (the merge moves them to `keep`).
    pub merge_uses: usize,
    /// 0–100.
    pub score: u8,
    /// Why.
    pub reasons: Vec<Reason>,
}

impl ElementPair {
    /// Turns the pair round: `merge` is kept and `keep` merged into it.
    pub fn swap(&mut self) {
        std::mem::swap(&mut self.keep, &mut self.merge);
        std::mem::swap(&mut self.keep_uses, &mut self.merge_uses);
    }
}

/// Unbound fields that probably hold the same data, and the element that covers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldGroup {
    /// The normalised label they share.
    pub label: String,
    /// (form code, field key) of each unbound field.
    pub fields: Vec<(String, String)>,
    /// An element whose name or synonym matches, if any.
    pub element: Option<String>,
    /// 0–100.
    pub score: u8,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// Everything the finder found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Duplicates {
    /// Element pairs, best first: the best [`PAIRS_KEPT`] of them.
    pub elements: Vec<ElementPair>,
    /// How many element pairs were found (more than `elements` holds when only the best
    /// were kept).
    pub elements_found: usize,
    /// Unbound field groups, best first.
    pub fields: Vec<FieldGroup>,
}

impl Duplicates {
    /// Every element the pairs and the groups name (with repeats): what their names are
    /// read from.
    pub fn elements_named(&self) -> impl Iterator<Item = &str> {
        let pairs = self.elements.iter().flat_map(|p| [&p.keep, &p.merge]);
        let groups = self.fields.iter().filter_map(|g| g.element.as_ref());
        pairs.chain(groups).map(String::as_str)
    }
}

/// A name reduced for comparison: full-width folded to ASCII, lower-cased, without spaces and
/// punctuation (全角/半角, 括号 and the like).
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    normalise_into(name, &mut out);
    out
}

/// [`normalise`] into a buffer that is cleared first (no allocation once it is large enough).
pub fn normalise_into(name: &str, out: &mut String) {
    out.clear();
    for c in name.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        match c {
            // the common cases without the Unicode tables: ASCII, and CJK ideographs
            // (alphabetic, no case)
            _ if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ if c.is_ascii() => {}
            '\u{4E00}'..='\u{9FFF}' => out.push(c),
            _ if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
}

/// The usual full pinyin of a name (first reading of every character).
fn pinyin(name: &str) -> String {
    usual_reading(name)
}

/// A 64-bit hash of a reading (FNV-1a; 0 for none): what the finder compares readings by.
fn reading_hash(reading: &str) -> u64 {
    if reading.is_empty() {
        return 0;
    }
    let hash = reading.bytes().fold(0xcbf2_9ce4_8422_2325, |h: u64, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash.max(1)
}

/// Every string one character shorter than `s` (for one-edit blocking).
fn deletions(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len())
        .map(|i| chars[..i].iter().chain(&chars[i + 1..]).collect())
        .collect()
}

/// The best pairs found so far, at most `most` of them, and how many were found. A pair is
/// held as the pool's two element numbers and its reasons, nothing on the heap (15 million
/// pairs pass through at a million elements); the kept ones are spelt out at the end.
struct BestPairs {
    kept: BinaryHeap<Reverse<Kept>>,
    /// How many to keep.
    most: usize,
    found: usize,
}

/// A kept pair: the pool's element numbers (in code order) and why, ordered by how likely a
/// duplicate it is: higher score, then smaller codes.
#[derive(PartialEq, Eq)]
struct Kept {
    score: u8,
    keep: u32,
    merge: u32,
    reasons: pool::Reasons,
}

impl Ord for Kept {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.score.cmp(&other.score))
            .then_with(|| other.keep.cmp(&self.keep))
            .then_with(|| other.merge.cmp(&self.merge))
    }
}

impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl BestPairs {
    fn new(most: usize) -> Self {
        BestPairs {
            kept: BinaryHeap::new(),
            most,
            found: 0,
        }
    }

    /// Whether a pair of `score` could be kept.
    fn may_keep(&self, score: u8) -> bool {
        self.kept.len() < self.most || self.kept.peek().is_some_and(|w| w.0.score <= score)
    }

    fn push(&mut self, pair: Kept) {
        self.kept.push(Reverse(pair));
        if self.kept.len() > self.most {
            self.kept.pop();
        }
    }

    /// The kept pairs, best first, spelt out from `pool`.
    fn into_sorted(self, pool: &pool::Pool) -> Vec<ElementPair> {
        // ascending `Reverse` order is descending rank
        (self.kept.into_sorted_vec().into_iter())
            .map(|Reverse(k)| {
                let (keep, merge) = (k.keep as usize, k.merge as usize);
                ElementPair {
                    keep: pool.code(keep).to_string(),
                    merge: pool.code(merge).to_string(),
                    keep_uses: pool.uses(keep),
                    merge_uses: pool.uses(merge),
                    score: k.score,
                    reasons: k.reasons.into_vec(),
                }
            })
            .collect()
    }
}

/// Tells a synonym that is an element code from a name. A merge keeps the merged element's
/// code as a synonym of the kept one (`DE000005`), so that the old code still finds it; but a
/// code names no data, and two codes are always "one character apart" (`DE000005` /
/// `DE000006`): compared as names, every merge would plant new false pairs.
///
/// A synonym counts as a code when it is the code of an element, or when it is spelled like
/// one: ASCII letters, digits, `-`, `_` or `.`, with at least one digit, and the same shape
/// as some element code once every digit is read as `0` and letters are compared
/// regardless of case (`DE000005` where the codes are `DE` and six digits). Names of data
/// (`姓名`, `email`, `QQ号`) never have that shape.
pub struct CodeShapes<'a> {
    codes: Codes<'a>,
    shapes: std::collections::HashSet<String>,
}

/// Every element code, for [`CodeShapes::is_code`].
enum Codes<'a> {
    /// A loaded catalog's.
    Catalog(&'a Catalog),
    /// Read from a store: those without a shape (the others are known by their shape), in
    /// ascending order. A million element codes take no memory so (`DE000001` has a shape).
    Sorted(Vec<CompactString>),
}

/// The shape of a code-like string: digits read as `0`, letters upper-cased; `None` for a
/// string with no digit or with a character codes do not have.
fn code_shape(s: &str) -> Option<String> {
    let ok = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !ok || !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '0'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect(),
    )
}

impl<'a> CodeShapes<'a> {
    /// The shapes of every element code of `catalog`.
    pub fn new(catalog: &'a Catalog) -> Self {
        CodeShapes {
            codes: Codes::Catalog(catalog),
            shapes: catalog
                .elements
                .keys()
                .filter_map(|c| code_shape(c))
                .collect(),
        }
    }

    /// The shapes of every element code, given in any order (read from a store without
    /// loading its catalog).
    pub fn of_codes<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> CodeShapes<'static> {
        let mut shapes = std::collections::HashSet::new();
        let mut shapeless = Vec::new();
        for code in codes {
            match code_shape(code.as_ref()) {
                Some(shape) => {
                    shapes.insert(shape);
                }
                None => shapeless.push(CompactString::from(code.as_ref())),
            }
        }
        shapeless.sort_unstable();
        shapeless.dedup();
        CodeShapes {
            shapes,
            codes: Codes::Sorted(shapeless),
        }
    }

    /// Whether `synonym` is an element code (see [`CodeShapes`]).
    pub fn is_code(&self, synonym: &str) -> bool {
        let known = match &self.codes {
            Codes::Catalog(catalog) => catalog.elements.contains_key(synonym),
            Codes::Sorted(codes) => codes.binary_search_by(|c| c.as_str().cmp(synonym)).is_ok(),
        };
        known || code_shape(synonym).is_some_and(|s| self.shapes.contains(&s))
    }

    /// An element's name and the synonyms that are names (not kept codes): what the
    /// duplicate finder compares.
    fn names<'e>(&'e self, e: &'e Element) -> impl Iterator<Item = &'e str> + 'e {
        std::iter::once(e.name.as_str()).chain(
            e.synonyms
                .iter()
                .map(CompactString::as_str)
                .filter(move |s| !self.is_code(s)),
        )
    }
}

/// The characters of a name, inline for names of up to 24 (nothing allocated: the finder
/// compares millions of pairs).
type Chars = smallvec::SmallVec<[char; 24]>;

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Chars, Chars) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            short
                .iter()
                .zip(long.iter())
                .filter(|(x, y)| x != y)
                .count()
                == 1
        }
        1 => (0..long.len()).any(|i| long[..i].iter().chain(&long[i + 1..]).eq(short.iter())),
        _ => false,
    }
}

/// Characters that name counterparts: names that differ only by one of these pairs
/// (父亲性别/母亲性别, 变更前/变更后, 出/入, 借/贷) hold two related data, not one spelt two
/// ways. 务/称 is here for 职务 (post) / 职称 (professional title), which the sample has for
/// every person.
pub const COUNTERPARTS: &[(char, char)] = &[
    ('父', '母'),
    ('男', '女'),
    ('前', '后'),
    ('新', '旧'),
    ('买', '卖'),
    ('出', '入'),
    ('收', '支'),
    ('上', '下'),
    ('左', '右'),
    ('正', '反'),
    ('主', '副'),
    ('甲', '乙'),
    ('借', '贷'),
    ('始', '终'),
    ('起', '止'),
    ('内', '外'),
    ('长', '短'),
    ('高', '低'),
    ('大', '小'),
    ('多', '少'),
    ('增', '减'),
    ('开', '关'),
    ('进', '出'),
    ('夫', '妻'),
    ('兄', '弟'),
    ('姐', '妹'),
    ('原', '现'),
    ('本', '外'),
    ('务', '称'),
];

/// Words one character apart that name different roles or events, where the two characters
/// are no counterparts on their own: the parties of an event (举办 sponsor, 主办 host, 承办
/// organiser, 协办 co-organiser) and 出生 (birth) / 出资 (capital contribution), whose dates
/// both appear on personal and company forms.
pub const COUNTERPART_WORDS: &[(&str, &str)] = &[
    ("举办", "承办"),
    ("举办", "协办"),
    ("主办", "承办"),
    ("主办", "协办"),
    ("承办", "协办"),
    ("出生", "出资"),
];

/// Whether `a` and `b` differ in exactly one position, by a pair of [`COUNTERPARTS`] or
/// inside a pair of [`COUNTERPART_WORDS`].
fn counterparts(a: &str, b: &str) -> bool {
    let (a, b): (Chars, Chars) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    let mut differing = a.iter().zip(&b).enumerate().filter(|(_, (x, y))| x != y);
    match (differing.next(), differing.next()) {
        (Some((i, (&x, &y))), None) => {
            COUNTERPARTS
                .iter()
                .any(|&pair| pair == (x, y) || pair == (y, x))
                || COUNTERPART_WORDS
                    .iter()
                    .any(|&(u, v)| word_at(&a, &b, i, u, v) || word_at(&a, &b, i, v, u))
        }
        _ => false,
    }
}

/// Whether `a` has the word `u` and `b` the word `v` at the same place, covering position `i`.
fn word_at(a: &[char], b: &[char], i: usize, u: &str, v: &str) -> bool {
    let (u, v): (Chars, Chars) = (u.chars().collect(), v.chars().collect());
    let n = u.len();
    (i.saturating_sub(n.saturating_sub(1))..=i).any(|start| {
        a.get(start..start + n).is_some_and(|w| w == u.as_slice())
            && b.get(start..start + n).is_some_and(|w| w == v.as_slice())
    })
}

/// At most this many element pairs are kept, best first: a person reviews them one by one,
/// and a catalog of numbered near-copies (`附件1`, `附件2`, …) can have millions.
pub const PAIRS_KEPT: usize = 5000;

/// Finds likely duplicates among elements (the best [`PAIRS_KEPT`] pairs) and unbound
/// fields.
pub fn find(catalog: &Catalog) -> Duplicates {
    find_best(catalog, PAIRS_KEPT)
}

/// [`find`], keeping the best `most` element pairs.
pub fn find_best(catalog: &Catalog, most: usize) -> Duplicates {
    // the catalog's records are all there to read
    find_from(catalog, &CodeShapes::new(catalog), most).unwrap_or_default()
}

/// [`find_best`] over the records of `source` (a store's, read a record at a time, without
/// loading its catalog), whose element codes `shapes` knows: the same duplicates as from
/// the loaded catalog, holding a few tens of bytes per element (see `engine::dups::pool`). It reads the
/// elements twice (the second time only for the unbound fields' covers) and the forms once.
/// Fails when a record cannot be read.
pub fn find_from(
    source: &dyn RecordSource,
    shapes: &CodeShapes,
    most: usize,
) -> std::io::Result<Duplicates> {
    find_in(source, shapes, most, pool::KEYS_AT_A_TIME)
}

/// [`find_from`], holding about `keys_at_a_time` bucket keys at a time.
fn find_in(
    source: &dyn RecordSource,
    shapes: &CodeShapes,
    most: usize,
    keys_at_a_time: usize,
) -> std::io::Result<Duplicates> {
    let (pool, unbound) = pool::Pool::read(source, shapes)?;
    let mut best = BestPairs::new(most);
    pool.each_candidate(keys_at_a_time, |x, y| {
        // a child and its parent are related, not duplicates
        if pool.related(x, y) {
            return;
        }
        let Some((score, reasons)) = pool.compare(x, y) else {
            return;
        };
        best.found += 1;
        if !best.may_keep(score) {
            return;
        }
        // more uses, then the smaller code (elements are in code order)
        let (keep, merge) = if (pool.uses(y), Reverse(y)) > (pool.uses(x), Reverse(x)) {
            (y, x)
        } else {
            (x, y)
        };
        // propose the way the merge accepts: keep the one with every option of the other
        let (keep, merge) = if !pool.may_merge(keep, merge) && pool.may_merge(merge, keep) {
            (merge, keep)
        } else {
            (keep, merge)
        };
        best.push(Kept {
            score,
            // the pool numbers its elements with `u32`
            keep: keep as u32,
            merge: merge as u32,
            reasons,
        });
    });
    let elements_found = best.found;
    let pairs = best.into_sorted(&pool);
    drop(pool);
    let mut elements = |each: &mut dyn FnMut(&Element)| {
        source.each_record(Kind::Element, &mut |record| {
            if let RecordRef::Element(e) = record {
                each(e);
            }
            Ok(())
        })
    };
    Ok(Duplicates {
        elements_found,
        elements: pairs,
        fields: unbound_groups(unbound, shapes, &mut elements)?,
    })
}

/// The element that probably covers a label, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cover<'a> {
    /// The element's code.
    pub element: &'a str,
    /// 0–100.
    pub score: u8,
    /// Why: its name, a synonym, or the same reading.
    pub reason: Reason,
}

/// Element names, synonyms and readings, for finding the element that covers a label
/// (built once, asked many times). It owns what it indexed, so it can be kept while the
/// catalog changes hands (the merge preview keeps one per catalog revision).
#[derive(Clone, Debug, Default)]
pub struct Covers {
    names: HashMap<String, (CompactString, Reason)>,
    /// The other elements with the same name or synonym as the one in `names`, in code order.
    more: HashMap<String, Vec<(CompactString, Reason)>>,
    readings: HashMap<String, CompactString>,
    /// Per normalised label: the elements with a name or synonym one character from it (not
    /// counterparts), in code order. Only [`Covers::for_labels`] indexes them: for the whole
    /// catalog the index would hold every name as often as it has characters.
    similar: HashMap<String, Vec<CompactString>>,
}

/// Calls the function it is given with every element, in code order; fails when one cannot
/// be read.
type Elements<'e> = dyn FnMut(&mut dyn FnMut(&Element)) -> std::io::Result<()> + 'e;

/// A loaded catalog's elements, as [`Elements`].
fn every_element(
    catalog: &Catalog,
) -> impl FnMut(&mut dyn FnMut(&Element)) -> std::io::Result<()> + '_ {
    |each| {
        catalog.elements.values().for_each(each);
        Ok(())
    }
}

/// The labels of at least [`SIMILAR_MIN`] characters, by every string one edit can share
/// with them (the label and its deletions): [`Covers::for_labels`] looks names up here.
struct EditKeys<'l> {
    keys: HashMap<String, Vec<&'l str>>,
    /// The first two characters of every such label: a name one edit from a label starts
    /// with one of them, or has one second (a cheap test before any deletion is built).
    heads: HashSet<char>,
    /// Shortest and longest such label, in characters.
    lengths: (usize, usize),
}

/// The fewest characters a label or name needs to be matched one character apart (as the
/// duplicate finder: two-character names one apart are mostly different data, 姓名/性别).
const SIMILAR_MIN: usize = 3;

impl<'l> EditKeys<'l> {
    fn new(labels: impl Iterator<Item = &'l String>) -> Self {
        let mut keys: HashMap<String, Vec<&'l str>> = HashMap::new();
        let mut heads = HashSet::new();
        let mut lengths = (usize::MAX, 0);
        for label in labels {
            let n = label.chars().count();
            if n < SIMILAR_MIN {
                continue;
            }
            lengths = (lengths.0.min(n), lengths.1.max(n));
            heads.extend(label.chars().take(2));
            for key in deletions(label).into_iter().chain([label.clone()]) {
                let labels = keys.entry(key).or_default();
                if !labels.contains(&label.as_str()) {
                    labels.push(label);
                }
            }
        }
        EditKeys {
            keys,
            heads,
            lengths,
        }
    }

    /// The labels one character from `name` (normalised), not counterparts, not `name`.
    fn near(&self, name: &str) -> Vec<&'l str> {
        let mut chars = name.chars();
        let (Some(a), Some(b)) = (chars.next(), chars.next()) else {
            return Vec::new();
        };
        if self.keys.is_empty() || !(self.heads.contains(&a) || self.heads.contains(&b)) {
            return Vec::new();
        }
        let n = name.chars().count();
        if n < SIMILAR_MIN.max(self.lengths.0.saturating_sub(1)) || n > self.lengths.1 + 1 {
            return Vec::new();
        }
        let mut out: Vec<&'l str> = Vec::new();
        for key in deletions(name).iter().map(String::as_str).chain([name]) {
            for &label in self.keys.get(key).into_iter().flatten() {
                if label != name
                    && !out.contains(&label)
                    && one_edit_apart(label, name)
                    && !counterparts(label, name)
                {
                    out.push(label);
                }
            }
        }
        out
    }
}

impl Covers {
    /// Indexes every element of the catalog (first code wins on a tie).
    pub fn new(catalog: &Catalog) -> Self {
        // the catalog's elements are all there to read
        Self::build(&CodeShapes::new(catalog), &mut every_element(catalog), None)
            .unwrap_or_default()
    }

    /// Indexes only what can cover one of `labels`: [`Covers::cover`] answers for those
    /// labels exactly as it would with [`Covers::new`], and the index stays as small as the
    /// labels are few (one pass over the elements, nothing kept for the others).
    pub fn for_labels<'l>(catalog: &Catalog, labels: impl IntoIterator<Item = &'l str>) -> Self {
        let shapes = CodeShapes::new(catalog);
        Self::for_labels_in(&shapes, &mut every_element(catalog), labels).unwrap_or_default()
    }

    /// [`Covers::for_labels`] over the elements of `source`, read one at a time (a store's,
    /// without loading its catalog), whose codes `shapes` knows: the same covers as from
    /// the loaded catalog. Fails when an element cannot be read.
    pub fn for_labels_from<'l>(
        source: &dyn RecordSource,
        shapes: &CodeShapes,
        labels: impl IntoIterator<Item = &'l str>,
    ) -> std::io::Result<Self> {
        let mut elements = |each: &mut dyn FnMut(&Element)| {
            source.each_record(Kind::Element, &mut |record| {
                if let RecordRef::Element(e) = record {
                    each(e);
                }
                Ok(())
            })
        };
        Self::for_labels_in(shapes, &mut elements, labels)
    }

    fn for_labels_in<'l>(
        shapes: &CodeShapes,
        elements: &mut Elements<'_>,
        labels: impl IntoIterator<Item = &'l str>,
    ) -> std::io::Result<Self> {
        let names: HashSet<String> = labels
            .into_iter()
            .map(normalise)
            .filter(|l| !l.is_empty())
            .collect();
        let readings: HashSet<String> = names
            .iter()
            .map(|l| pinyin(l))
            .filter(|r| !r.is_empty())
            .collect();
        if names.is_empty() {
            return Ok(Covers::default());
        }
        Self::build(shapes, elements, Some((&names, &readings)))
    }

    /// Indexes the elements' names, synonyms and readings; with `only`, just those among
    /// the given normalised names and readings.
    fn build(
        codes: &CodeShapes,
        elements: &mut Elements<'_>,
        only: Option<(&HashSet<String>, &HashSet<String>)>,
    ) -> std::io::Result<Self> {
        let mut names: HashMap<String, (CompactString, Reason)> = HashMap::new();
        let mut more: HashMap<String, Vec<(CompactString, Reason)>> = HashMap::new();
        // the first element with a name wins; the others are kept as alternatives
        let mut add = |name: &str, code: &CompactString, reason: Reason| match names.get(name) {
            None => {
                names.insert(name.to_string(), (code.clone(), reason));
            }
            Some((first, _)) if first == code => {}
            Some(_) => {
                let others = more.entry(name.to_string()).or_default();
                if !others.iter().any(|(c, _)| c == code) {
                    others.push((code.clone(), reason));
                }
            }
        };
        let mut readings: HashMap<String, CompactString> = HashMap::new();
        let wanted_name = |n: &str| only.is_none_or(|(names, _)| names.contains(n));
        // a name's reading, when it can be one of the wanted ones: it starts with its first
        // character's reading, so most names are passed over without reading them whole
        let reading_of = |name: &str| -> Option<String> {
            let Some((_, wanted)) = only else {
                return Some(pinyin(name));
            };
            let mut first = [0u8; 4];
            let head = pinyin(name.chars().next()?.encode_utf8(&mut first));
            if !head.is_empty() && !wanted.iter().any(|r| r.starts_with(&head)) {
                return None;
            }
            Some(pinyin(name)).filter(|r| wanted.contains(r))
        };
        let edits = EditKeys::new(only.into_iter().flat_map(|(names, _)| names.iter()));
        let mut similar: HashMap<String, Vec<CompactString>> = HashMap::new();
        let mut near = |name: &str, code: &CompactString| {
            for label in edits.near(name) {
                let codes = similar.entry(label.to_string()).or_default();
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
        };
        let mut buffer = String::new();
        elements(&mut |e| {
            normalise_into(&e.name, &mut buffer);
            if wanted_name(&buffer) {
                add(&buffer, &e.code, Reason::SameName);
            }
            near(&buffer, &e.code);
            for s in e.synonyms.iter().filter(|s| !codes.is_code(s)) {
                normalise_into(s, &mut buffer);
                if wanted_name(&buffer) {
                    add(&buffer, &e.code, Reason::SynonymOfOther);
                }
                near(&buffer, &e.code);
            }
            if only.is_some_and(|(_, readings)| readings.is_empty()) {
                return;
            }
            normalise_into(&e.name, &mut buffer);
            if let Some(reading) = reading_of(&buffer).filter(|r| !r.is_empty()) {
                readings.entry(reading).or_insert(e.code.clone());
            }
        })?;
        Ok(Covers {
            names,
            more,
            readings,
            similar,
        })
    }

    /// Every element it can name, in no order (with repeats): what a catalog of just the
    /// records a merge reads needs besides them to describe its suggestions.
    pub fn elements(&self) -> impl Iterator<Item = &str> {
        let names = self.names.values().map(|(code, _)| code);
        let more = self.more.values().flatten().map(|(code, _)| code);
        let readings = self.readings.values();
        let similar = self.similar.values().flatten();
        names
            .chain(more)
            .chain(readings)
            .chain(similar)
            .map(CompactString::as_str)
    }

    /// The elements whose name or a synonym is one character from `label` (not counterparts
    /// such as 父/母), in code order, without those that [`Covers::candidates`] gives: weaker
    /// than a reading (申请人/申请日 are one apart), so offered last. Empty unless built by
    /// [`Covers::for_labels`] with `label` among the labels.
    pub fn similar(&self, label: &str) -> Vec<Cover<'_>> {
        let exact: Vec<Cover<'_>> = self.candidates(label);
        self.similar
            .get(&normalise(label))
            .into_iter()
            .flatten()
            .filter(|code| !exact.iter().any(|c| c.element == code.as_str()))
            .map(|code| Cover {
                element: code,
                score: 55,
                reason: Reason::OneEditApart,
            })
            .collect()
    }

    /// Every element that covers `label`: [`Covers::cover`]'s answer first, then the other
    /// elements that have it as their name or a synonym, in code order (for choosing the one
    /// that covers several labels, see [`Covers::best`]).
    pub fn candidates(&self, label: &str) -> Vec<Cover<'_>> {
        let Some(first) = self.cover(label) else {
            return Vec::new();
        };
        let mut out = vec![first];
        if let Some(others) = self.more.get(&normalise(label)) {
            out.extend(others.iter().map(|(element, reason)| Cover {
                element,
                score: 90,
                reason: *reason,
            }));
        }
        out
    }

    /// For each of `labels`, the element that covers it, preferring one that covers more of
    /// the labels: when an element lists 联系电话 and 手机号码 and another only 手机号码,
    /// both go to the first, so the two fields end up on one element (on a tie,
    /// [`Covers::cover`]'s answer).
    pub fn best(&self, labels: &[&str]) -> Vec<Option<Cover<'_>>> {
        let candidates: Vec<Vec<Cover<'_>>> =
            labels.iter().map(|label| self.candidates(label)).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for covers in &candidates {
            let mut seen: Vec<&str> = Vec::new();
            for c in covers {
                if !seen.contains(&c.element) {
                    seen.push(c.element);
                    *counts.entry(c.element).or_default() += 1;
                }
            }
        }
        candidates
            .into_iter()
            .map(|covers| {
                let mut best: Option<(Cover<'_>, usize)> = None;
                for c in covers {
                    let n = counts.get(c.element).copied().unwrap_or_default();
                    if best.is_none_or(|(_, m)| n > m) {
                        best = Some((c, n));
                    }
                }
                best.map(|(c, _)| c)
            })
            .collect()
    }

    /// The element whose name or synonym is `label` (normalised), else one whose name reads
    /// the same.
    pub fn cover(&self, label: &str) -> Option<Cover<'_>> {
        let label = normalise(label);
        if label.is_empty() {
            return None;
        }
        if let Some((element, reason)) = self.names.get(&label) {
            return Some(Cover {
                element,
                score: 90,
                reason: *reason,
            });
        }
        let reading = pinyin(&label);
        self.readings.get(&reading).map(|element| Cover {
            element,
            score: 70,
            reason: Reason::SamePinyin,
        })
    }
}

/// Groups unbound fields by normalised label and finds the element that covers each group
/// among `elements`, whose codes `shapes` knows.
fn unbound_groups(
    by_label: pool::Unbound,
    shapes: &CodeShapes,
    elements: &mut Elements<'_>,
) -> std::io::Result<Vec<FieldGroup>> {
    // only these labels are looked up: their covers, not the whole pool's
    let covers = Covers::for_labels_in(shapes, elements, by_label.keys().map(String::as_str))?;
    let mut groups: Vec<FieldGroup> = by_label
        .into_iter()
        .filter_map(|(label, fields)| {
            let (element, score, reasons) = if let Some(cover) = covers.cover(&label) {
                (
                    Some(cover.element.to_string()),
                    cover.score,
                    vec![cover.reason],
                )
            } else if fields.len() > 1 {
                (None, 60, vec![Reason::SameName])
            } else {
                return None;
            };
            Some(FieldGroup {
                label,
                fields,
                element,
                score,
                reasons,
            })
        })
        .collect();
    groups.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.fields.len().cmp(&a.fields.len()))
            .then_with(|| a.label.cmp(&b.label))
    });
    Ok(groups)
}

/// Why two elements cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeError {
    /// An element cannot be merged into itself.
    Itself(String),
    /// No element has the code.
    Unknown(String),
    /// The elements hold different kinds of data: the merged element's fields would be
    /// validated as the other kind.
    DifferentKind {
        /// The element that would disappear, and its kind.
        merge: (String, ElementKind),
        /// The element that would stay, and its kind.
        keep: (String, ElementKind),
    },
    /// The merged element has option codes the kept one lacks: answers stored with them
    /// would no longer be valid.
    MissingOptions {
        /// The element that would disappear.
        merge: String,
        /// The element that would stay.
        keep: String,
        /// The option codes `keep` lacks.
        options: Vec<String>,
    },
}

impl MergeError {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        let i = |s: &str| crate::display::inert(s).into_owned();
        match self {
            Self::Itself(c) => lang.pick(
                format!("{} 不能并入自身", i(c)),
                format!("cannot merge {} into itself", i(c)),
            ),
            Self::Unknown(c) => lang.pick(
                format!("未知数据元 {}", i(c)),
                format!("unknown element {}", i(c)),
            ),
            Self::DifferentKind {
                merge: (m, mk),
                keep: (k, kk),
            } => lang.pick(
                format!(
                    "不能把 {}（{}）并入 {}（{}）：类型不同，其字段将按另一类型校验",
                    i(m),
                    mk.zh(),
                    i(k),
                    kk.zh()
                ),
                format!(
                    "cannot merge {} ({}) into {} ({}): the kinds differ, so its fields would be validated as {}",
                    i(m),
                    mk.as_str(),
                    i(k),
                    kk.as_str(),
                    kk.as_str()
                ),
            ),
            Self::MissingOptions {
                merge,
                keep,
                options,
            } => lang.pick(
                format!(
                    "不能把 {} 并入 {}：{} 缺少可选值 {}，已填的答案将失效",
                    i(merge),
                    i(keep),
                    i(keep),
                    i(&options.join("、"))
                ),
                format!(
                    "cannot merge {} into {}: {} lacks the option(s) {}, so answers given with them would become invalid",
                    i(merge),
                    i(keep),
                    i(keep),
                    i(&options.join(", "))
                ),
            ),
        }
    }
}

/// Whether `merge` may be merged into `keep`: both exist, they differ, they are of the same
/// kind, and `keep` has every option code of `merge`.
pub fn merge_check(catalog: &Catalog, keep: &str, merge: &str) -> Result<(), MergeError> {
    let (keep_el, merge_el) = merge_pair(catalog, keep, merge)?;
    if keep_el.kind != merge_el.kind {
        return Err(MergeError::DifferentKind {
            merge: (merge.to_string(), merge_el.kind),
            keep: (keep.to_string(), keep_el.kind),
        });
    }
    let missing: Vec<String> = merge_el
        .options
        .iter()
        .filter(|o| !keep_el.options.iter().any(|k| k.code == o.code))
        .map(|o| o.code.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::MissingOptions {
            merge: merge.to_string(),
            keep: keep.to_string(),
            options: missing,
        });
    }
    Ok(())
}

/// The two elements of a merge, `(keep, merge)`.
fn merge_pair<'a>(
    catalog: &'a Catalog,
    keep: &str,
    merge: &str,
) -> Result<(&'a Element, &'a Element), MergeError> {
    if keep == merge {
        return Err(MergeError::Itself(keep.to_string()));
    }
    let get = |code: &str| {
        catalog
            .elements
            .get(code)
            .ok_or_else(|| MergeError::Unknown(code.to_string()))
    };
    Ok((get(keep)?, get(merge)?))
}

/// The batch that merges element `merge` into `keep`: every field and child re-pointed (a
/// `keep` under `merge` takes its place, under `merge`'s parent), `merge`'s code, name and
/// synonyms kept as synonyms of `keep`, `merge` deleted. Applied
/// as one transaction; the audit records the action `merge A into B`. Refused as
/// [`merge_check`] says unless `force` is set (elements of one kind with the same options
/// are the only safe merge: `force` is the person's decision that the data fits anyway).
pub fn merge_batch(
    catalog: &Catalog,
    keep: &str,
    merge: &str,
    force: bool,
) -> Result<Batch, MergeError> {
    let (keep_el, merge_el) = merge_pair(catalog, keep, merge)?;
    if !force {
        merge_check(catalog, keep, merge)?;
    }
    let mut commands = vec![Command::Upsert(Record::Element(kept_element(
        keep_el, merge_el,
    )))];
    let mut forms: BTreeSet<SharedCode> = BTreeSet::new();
    for r in catalog.referrers(Kind::Element, merge) {
        match r.kind {
            Kind::Form => {
                forms.insert(r.code);
            }
            Kind::Element if r.code.as_str() != keep => {
                let child = catalog.get(Kind::Element, &r.code);
                commands.extend(
                    child
                        .and_then(|c| rebound(c, keep, merge))
                        .map(Command::Upsert),
                );
            }
            _ => {}
        }
    }
    for code in forms {
        let form = catalog.get(Kind::Form, &code);
        commands.extend(
            form.and_then(|f| rebound(f, keep, merge))
                .map(Command::Upsert),
        );
    }
    commands.push(Command::Delete {
        kind: Kind::Element,
        code: merge.to_string(),
    });
    Ok(Batch {
        action: merge_action(keep, merge),
        commands,
    })
}

/// The element `keep` as merging `merge` into it leaves it: `merge`'s code, name and
/// synonyms kept as its synonyms, and in `merge`'s place (under `merge`'s parent) if it was
/// under `merge`.
pub fn kept_element(keep: &Element, merge: &Element) -> Element {
    let mut winner = keep.clone();
    let absorbed = [&merge.code, &merge.name]
        .into_iter()
        .chain(&merge.synonyms);
    for s in absorbed {
        if *s != winner.name && !winner.synonyms.contains(s) {
            winner.synonyms.push(s.clone());
        }
    }
    // an element kept that was under the merged one takes its place (not under itself)
    if winner.parent.as_deref() == Some(merge.code.as_str()) {
        winner.parent = merge.parent.clone();
    }
    winner
}

/// A record that references the element `merge` as merging it into `keep` leaves it: a
/// form's fields bound to `merge` bound to `keep`, an element under `merge` put under
/// `keep`; `None` for a record of another kind (none references an element).
pub fn rebound(record: RecordRef<'_>, keep: &str, merge: &str) -> Option<Record> {
    match record {
        RecordRef::Form(form) => {
            let mut form = form.clone();
            for section in &mut form.sections {
                for field in &mut section.fields {
                    if field.element.as_deref() == Some(merge) {
                        field.element = Some(keep.into());
                    }
                }
            }
            Some(Record::Form(form))
        }
        RecordRef::Element(child) => {
            let mut child = child.clone();
            if child.parent.as_deref() == Some(merge) {
                child.parent = Some(keep.into());
            }
            Some(Record::Element(child))
        }
        _ => None,
    }
}

/// The audit log's action of merging the element `merge` into `keep`.
pub fn merge_action(keep: &str, merge: &str) -> String {
    format!("merge {merge} into {keep}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unbound fields' groups get the elements the whole pool's covers give them (only
    /// their labels are indexed).
    #[test]
    fn unbound_groups_are_covered_as_by_the_whole_pool() {
        let catalog = crate::sample::generate(1);
        let whole = Covers::new(&catalog);
        let groups = find(&catalog).fields;
        assert!(
            groups.iter().filter(|g| g.element.is_some()).count() >= 1,
            "{groups:?}"
        );
        for g in &groups {
            let cover = whole.cover(&g.label);
            assert_eq!(
                g.element.as_deref(),
                cover.map(|c| c.element),
                "{}",
                g.label
            );
        }
    }

    #[test]
    fn normalise_folds_width_case_and_punctuation() {
        assert_eq!(normalise("身份证号码（ＩＤ）"), "身份证号码id");
        assert_eq!(normalise(" 联系 电话: "), "联系电话");
    }

    #[test]
    fn covers_for_some_labels_answer_as_covers_for_all() {
        let catalog = crate::sample::generate(1);
        let all = Covers::new(&catalog);
        // a name, a synonym, a reading, a full-width variant, and labels nothing covers
        let labels = [
            "移动电话",
            "经营期限",
            "yi dong dian hua",
            "ＩＤ",
            "无此字段",
            "",
            "学历",
        ];
        let some = Covers::for_labels(&catalog, labels);
        for label in labels {
            assert_eq!(some.cover(label), all.cover(label), "{label}");
        }
        assert!(
            some.cover("经营期限")
                .is_some_and(|c| c.reason == Reason::SynonymOfOther)
        );
        assert!(
            some.cover("yi dong dian hua")
                .is_some_and(|c| c.reason == Reason::SamePinyin)
        );
        // only what the labels need is kept
        assert!(some.names.len() <= labels.len() && all.names.len() > 100);
        assert!(Covers::for_labels(&catalog, []).cover("移动电话").is_none());
    }

    #[test]
    fn the_fast_paths_agree_with_the_unicode_tables() {
        // the definition: fold full width, keep alphanumerics, lower-case
        let reference = |c: char| -> String {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            if c.is_alphanumeric() {
                c.to_lowercase().collect()
            } else {
                String::new()
            }
        };
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(
                normalise(&c.to_string()),
                reference(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    /// Options labelled with their codes.
    fn options(codes: &[&str]) -> crate::model::Options {
        codes
            .iter()
            .map(|c| crate::model::ElementOption {
                code: (*c).into(),
                label: (*c).into(),
                parent: None,
                kind: None,
            })
            .collect()
    }

    /// The sample with two single-choice elements: `DE_A` with options 1 and 2, `DE_B`
    /// with 1, 2 and 9.
    fn choices() -> Catalog {
        let base = crate::sample::generate(1);
        let template = base
            .elements
            .values()
            .find(|e| e.kind == ElementKind::SingleChoice && e.options.len() >= 2)
            .expect("a single-choice element in the sample")
            .clone();
        let with = |code: &str, codes: &[&str]| {
            let mut e = template.clone();
            e.code = code.into();
            e.parent = None;
            e.options = options(codes);
            Record::Element(e)
        };
        Catalog::from_records(
            base.records()
                .map(crate::model::RecordRef::to_record)
                .chain([with("DE_A", &["1", "2"]), with("DE_B", &["1", "2", "9"])]),
        )
    }

    #[test]
    fn a_merge_across_kinds_is_refused_unless_forced() {
        let catalog = crate::sample::generate(1);
        // 电子邮箱 (email) into 出生日期 (date): its fields would validate as dates
        let (email, date) = ("DE000008", "DE000004");
        assert_eq!(catalog.elements[email].kind, ElementKind::Email);
        assert_eq!(catalog.elements[date].kind, ElementKind::Date);
        let err = merge_batch(&catalog, date, email, false).unwrap_err();
        assert_eq!(
            err,
            MergeError::DifferentKind {
                merge: (email.into(), ElementKind::Email),
                keep: (date.into(), ElementKind::Date),
            }
        );
        let en = err.message(Lang::En);
        assert!(en.contains("DE000008 (email) into DE000004 (date)"), "{en}");
        let zh = err.message(Lang::Zh);
        assert!(
            zh.contains("DE000008（邮箱）并入 DE000004（日期点）"),
            "{zh}"
        );
        assert!(merge_batch(&catalog, date, email, true).is_ok());
    }

    #[test]
    fn a_merge_losing_options_is_refused_the_other_way_is_not() {
        let catalog = choices();
        let err = merge_check(&catalog, "DE_A", "DE_B").unwrap_err();
        assert_eq!(
            err,
            MergeError::MissingOptions {
                merge: "DE_B".into(),
                keep: "DE_A".into(),
                options: vec!["9".into()],
            }
        );
        assert!(err.message(Lang::En).contains("DE_A lacks the option(s) 9"));
        assert!(merge_batch(&catalog, "DE_A", "DE_B", false).is_err());
        assert!(merge_batch(&catalog, "DE_A", "DE_B", true).is_ok());
        // every answer given with DE_A's options is one of DE_B's
        assert_eq!(merge_check(&catalog, "DE_B", "DE_A"), Ok(()));
        assert!(merge_batch(&catalog, "DE_B", "DE_A", false).is_ok());
    }

    /// `catalog` as `batch` leaves it.
    fn apply(catalog: &mut Catalog, batch: Batch) {
        for command in batch.commands {
            match command {
                Command::Upsert(record) => {
                    catalog.insert(record);
                }
                Command::Delete { kind, code } => {
                    catalog.remove(kind, &code);
                }
            }
        }
    }

    /// An element merged into one under it: the one kept takes its place under the merged
    /// one's parent (not under itself), keeps the merged names, and takes the other elements
    /// under it; the catalog after it holds together.
    #[test]
    fn an_element_merged_into_one_under_it_leaves_it_in_its_place() {
        let mut catalog = crate::sample::generate(1);
        let (keep, merge) = ("DE000011", "DE000010");
        assert_eq!(catalog.elements[keep].parent.as_deref(), Some(merge));
        let siblings: Vec<String> = (catalog.elements.values())
            .filter(|e| e.parent.as_deref() == Some(merge) && e.code.as_str() != keep)
            .map(|e| e.code.to_string())
            .collect();
        assert!(!siblings.is_empty());
        let above = catalog.elements[merge].parent.clone();
        let batch = merge_batch(&catalog, keep, merge, false).expect("merged");
        let kept = (batch.commands.iter())
            .filter(|c| c.key() == (Kind::Element, keep))
            .count();
        assert_eq!(kept, 1, "the kept element written once");
        apply(&mut catalog, batch);
        let kept = &catalog.elements[keep];
        assert_eq!(kept.parent, above);
        assert!(
            kept.synonyms.iter().any(|s| s.as_str() == "地址"),
            "{kept:?}"
        );
        for sibling in &siblings {
            assert_eq!(
                catalog.elements[sibling.as_str()].parent.as_deref(),
                Some(keep)
            );
        }
        let problems = crate::model::invariants::check_records(&catalog, catalog.records());
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn unknown_and_self_merges_are_named_in_both_languages() {
        let catalog = choices();
        let err = merge_batch(&catalog, "DE_A", "NOPE", true).unwrap_err();
        assert_eq!(err.message(Lang::En), "unknown element NOPE");
        assert_eq!(err.message(Lang::Zh), "未知数据元 NOPE");
        let err = merge_batch(&catalog, "DE_A", "DE_A", true).unwrap_err();
        assert_eq!(err, MergeError::Itself("DE_A".into()));
    }

    fn element(code: &str, name: &str, kind: ElementKind, codes: &[&str]) -> Record {
        Record::Element(Element {
            code: code.into(),
            name: name.into(),
            kind,
            options: options(codes),
            ..serde_json::from_value(serde_json::json!({"code": "X", "name": "X", "kind": "text"}))
                .expect("an element")
        })
    }

    #[test]
    fn similar_names_are_one_character_from_a_label_and_not_counterparts() {
        use ElementKind::Text;
        let catalog = Catalog::from_records([
            element("S1", "联系电话号", Text, &[]),
            element("S2", "联系电话", Text, &[]),
            element("S3", "联络电话", Text, &[]),
            element("S4", "母亲姓名", Text, &[]),
            element("S5", "联系", Text, &[]),
            element("S6", "电话联系", Text, &[]),
        ]);
        let covers = Covers::for_labels(&catalog, ["联系电话", "父亲姓名", "姓名"]);
        let similar = |label: &str| -> Vec<&str> {
            covers.similar(label).iter().map(|c| c.element).collect()
        };
        // an insertion and a substitution; not the exact name (a candidate already), not
        // two characters short, not the same characters in another order
        assert_eq!(similar("联系电话"), ["S1", "S3"]);
        assert!(
            covers
                .similar("联系电话")
                .iter()
                .all(|c| c.reason == Reason::OneEditApart && c.score == 55)
        );
        // 父/母 are counterparts; two-character labels are too short to compare so
        assert!(similar("父亲姓名").is_empty());
        assert!(similar("姓名").is_empty());
        // only labels asked for are indexed
        assert!(similar("联系电话号").is_empty());
        assert!(Covers::new(&catalog).similar("联系电话").is_empty());
    }

    #[test]
    fn only_the_best_pairs_are_kept_and_the_rest_are_counted() {
        // the generated elements come in numbered near-copies: thousands of pairs
        let catalog = crate::sample::elements_only(12);
        let every = find_best(&catalog, usize::MAX);
        assert!(every.elements.len() > 1000, "{}", every.elements.len());
        assert_eq!(every.elements_found, every.elements.len());
        let best = find_best(&catalog, 300);
        assert_eq!(best.elements_found, every.elements_found);
        assert_eq!(best.elements, every.elements[..300]);
        // best first: score down, then codes up
        assert!(every.elements.windows(2).all(|w| {
            let key = |p: &ElementPair| (Reverse(p.score), p.keep.clone(), p.merge.clone());
            key(&w[0]) < key(&w[1])
        }));
    }

    #[test]
    fn counterparts_rank_below_likely_duplicates() {
        use ElementKind::{Date, SingleChoice, Text};
        let catalog = Catalog::from_records([
            // counterparts, with the same kind and options
            element("A1", "父亲性别", SingleChoice, &["1", "2"]),
            element("A2", "母亲性别", SingleChoice, &["1", "2"]),
            element("B1", "变更前内容", Text, &[]),
            element("B2", "变更后内容", Text, &[]),
            element("C1", "法定代表人职务", Text, &[]),
            element("C2", "法定代表人职称", Text, &[]),
            // one character apart, not counterparts: stays one edit apart
            element("D1", "申请日期", Date, &[]),
            element("D2", "申报日期", Date, &[]),
            // counterpart words: different events and roles
            element("H1", "出生日期", Date, &[]),
            element("H2", "出资日期", Date, &[]),
            element("I1", "举办单位名称", Text, &[]),
            element("I2", "承办单位名称", Text, &[]),
            // likely duplicates: the same name, a one-character variant with the same
            // options, a homophone
            element("E1", "经营范围", Text, &[]),
            element("E2", "经营范围（ ）", Text, &[]),
            element("F1", "婚姻状况代码", SingleChoice, &["10", "20"]),
            element("F2", "婚姻状态代码", SingleChoice, &["10", "20"]),
            element("G1", "身份证号码", Text, &[]),
            element("G2", "身分证号码", Text, &[]),
        ]);
        let found = find(&catalog).elements;
        let rank = |a: &str, b: &str| {
            found
                .iter()
                .position(|p| (p.keep == a && p.merge == b) || (p.keep == b && p.merge == a))
                .unwrap_or_else(|| panic!("{a}/{b} not found: {found:?}"))
        };
        let likely = [rank("E1", "E2"), rank("F1", "F2"), rank("G1", "G2")];
        let counterpart = [
            rank("A1", "A2"),
            rank("B1", "B2"),
            rank("C1", "C2"),
            rank("H1", "H2"),
            rank("I1", "I2"),
        ];
        let worst_likely = likely.iter().max().copied().unwrap_or_default();
        assert!(rank("D1", "D2") > worst_likely, "{found:?}");
        for r in counterpart {
            assert!(r > rank("D1", "D2"), "{found:?}");
            assert_eq!(found[r].reasons[0], Reason::Counterparts);
        }
        assert_eq!(found[rank("D1", "D2")].reasons[0], Reason::OneEditApart);
        assert!(counterparts("父亲性别", "母亲性别"));
        assert!(counterparts("职称", "职务"));
        assert!(counterparts("出生日期", "出资日期"));
        assert!(counterparts("承办单位类型", "举办单位类型"));
        assert!(counterparts("主办方", "协办方"));
        assert!(!counterparts("申请日期", "申报日期"));
        // the word must be where the names differ: 生/资 alone are no counterparts
        assert!(!counterparts("学生证号", "学资证号"));
        assert!(!counterparts("出生出生", "出生出资x"));
        assert!(!counterparts("父亲", "父亲姓名"));
    }

    #[test]
    fn code_shapes_read_from_a_store_answer_as_the_loaded_catalogs() {
        let mut catalog = Catalog::default();
        for (code, name) in [
            ("DE000001", "姓名"),
            ("ABC", "甲"),
            ("X-1.b", "乙"),
            ("ZZ", "丙"),
        ] {
            catalog.insert(element(code, name, ElementKind::Text, &[]));
        }
        let loaded = CodeShapes::new(&catalog);
        // read in any order, the codes that have a shape not kept
        let read = CodeShapes::of_codes(catalog.elements.keys().rev().map(|c| c.as_str()));
        let asked = [
            "DE000001", "DE999999", "de000123", "ABC", "abc", "ZZ", "zz", "X-1.b", "x-7.B",
            "Y-2.C", "姓名", "email", "DE00005", "",
        ];
        for s in asked {
            assert_eq!(loaded.is_code(s), read.is_code(s), "{s}");
        }
        assert!(read.is_code("ABC") && read.is_code("ZZ") && read.is_code("x-7.B"));
        assert!(!read.is_code("abc") && !read.is_code("Y-2.C") && !read.is_code("姓名"));
    }

    #[test]
    fn codes_kept_as_synonyms_by_a_merge_are_not_compared_as_names() {
        use ElementKind::{Dropdown, Text};
        let catalog = Catalog::from_records([
            element("DE000001", "申请人姓名", Text, &[]),
            element("DE000003", "文化程度", Dropdown, &["1", "2"]),
            element("DE000005", "姓名", Text, &[]),
            element("DE000006", "学历", Dropdown, &["1", "2"]),
        ]);
        // merge 学历 into 文化程度 and 姓名 into 申请人姓名, as pane 2 `m` does
        let mut merged = catalog.clone();
        for (keep, merge) in [("DE000003", "DE000006"), ("DE000001", "DE000005")] {
            let batch = merge_batch(&merged, keep, merge, false).expect("merge");
            apply(&mut merged, batch);
        }
        assert!(
            merged.elements["DE000001"]
                .synonyms
                .iter()
                .any(|s| s == "DE000005")
        );
        assert!(
            merged.elements["DE000003"]
                .synonyms
                .iter()
                .any(|s| s == "DE000006")
        );
        // DE000005 and DE000006 are one character apart, but they are codes, not names
        let found = find(&merged).elements;
        assert!(found.is_empty(), "{found:?}");
        // a kept code of another shape than today's codes is still a code when it is one
        let codes = CodeShapes::new(&merged);
        for code in ["DE000005", "de000123", "DE000001"] {
            assert!(codes.is_code(code), "{code}");
        }
        for name in ["姓名", "email", "QQ号", "DE00005", "XY000005", "2024年"] {
            assert!(!codes.is_code(name), "{name}");
        }
        // names one character apart still pair
        let mut names = merged.clone();
        let mut e = names.elements["DE000001"].clone();
        e.synonyms.push("申请人名称".into());
        names.insert(Record::Element(e));
        names.insert(element("DE000007", "申请人名字", Text, &[]));
        let found = find(&names).elements;
        assert!(
            found
                .iter()
                .any(|p| p.keep == "DE000001" && p.merge == "DE000007"),
            "{found:?}"
        );
        // the label of an unbound field is not covered by a kept code
        assert!(Covers::new(&merged).cover("DE000005").is_none());
        assert_eq!(
            Covers::new(&merged).cover("学历").map(|c| c.element),
            Some("DE000003")
        );
    }

    #[test]
    fn the_pair_keeps_the_element_the_merge_accepts_and_says_the_options_differ() {
        use ElementKind::SingleChoice;
        // E14 has the smaller code (kept on a tie), but E15 has the extra option 9
        let catalog = Catalog::from_records([
            element("E14", "性别", SingleChoice, &["1", "2"]),
            element("E15", "性别", SingleChoice, &["1", "2", "9"]),
            element("F1", "婚姻状况", SingleChoice, &["10", "20"]),
            element("F2", "婚姻状况", SingleChoice, &["10", "20"]),
        ]);
        let found = find(&catalog).elements;
        let pair = found
            .iter()
            .find(|p| p.merge == "E14" || p.keep == "E14")
            .unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!((pair.keep.as_str(), pair.merge.as_str()), ("E15", "E14"));
        assert_eq!(merge_check(&catalog, &pair.keep, &pair.merge), Ok(()));
        assert!(pair.reasons.contains(&Reason::DifferentOptions), "{pair:?}");
        assert!(!pair.reasons.contains(&Reason::SameOptions), "{pair:?}");
        // the same options: the smaller code stays, and nothing says they differ
        let same = found
            .iter()
            .find(|p| p.keep == "F1")
            .unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(same.merge, "F2");
        assert!(same.reasons.contains(&Reason::SameOptions), "{same:?}");
        assert!(!same.reasons.contains(&Reason::DifferentOptions));
        assert_eq!(Reason::DifferentOptions.describe(Lang::Zh), "可选值不同");
    }

    #[test]
    fn one_edit() {
        assert!(one_edit_apart("身份证号码", "身分证号码"));
        assert!(one_edit_apart("身份证号", "身份证号码"));
        assert!(!one_edit_apart("身份证号码", "护照号码"));
    }
}
