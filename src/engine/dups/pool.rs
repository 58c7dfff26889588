//! The element pool as the duplicate finder reads it: each element's code, its compared names
//! (normalised, in one buffer), their readings as hashes, its kind, option list, parent and
//! use count — a few tens of bytes per element, read from the loaded catalog or from a store
//! an element at a time. At a million elements that is about 80 MB where the catalog is
//! 480 MB, and the finder's buckets are made a slice of the hash space at a time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;

use compact_str::CompactString;

use crate::model::{Element, ElementKind, Kind, Options, RecordRef, RecordSource};

use super::{
    CodeShapes, Reason, counterparts, normalise_into, one_edit_apart, pinyin, reading_hash,
};

/// Strings one after another in one buffer: a few bytes each instead of a `String`'s 24
/// and its allocation.
#[derive(Default)]
struct Arena {
    text: String,
    ends: Vec<u32>,
}

impl Arena {
    fn push(&mut self, s: &str) -> io::Result<()> {
        self.text.push_str(s);
        let end = u32::try_from(self.text.len())
            .map_err(|_| io::Error::other("the element pool's names and codes pass 4 GiB"))?;
        self.ends.push(end);
        Ok(())
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`th string ("" past the end).
    fn get(&self, i: usize) -> &str {
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).map_or(0, |&e| e as usize),
            None => 0,
        };
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or_default()
    }

    /// Where `s` is, when the strings are in ascending order.
    fn position(&self, s: &str) -> Option<usize> {
        let at = partition_point(self.len(), |i| self.get(i) < s);
        (at < self.len() && self.get(at) == s).then_some(at)
    }
}

/// The first index in `0..n` for which `before` is false (`before` true, then false).
fn partition_point(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// No parent.
const NONE: u32 = u32::MAX;

/// A bucket of more elements than this is skipped: a name so common is no evidence.
pub(super) const MAX_BUCKET: usize = 50;

/// About this many bucket keys (8 bytes each) are held at a time: the hash space is cut in
/// as many slices as the pool has keys over this.
pub(super) const KEYS_AT_A_TIME: usize = 1_000_000;

/// The element pool, compact (see the module's documentation). Element `i` is the `i`th in
/// code order.
#[derive(Default)]
pub(super) struct Pool {
    codes: Arena,
    /// The compared names (see [`CodeShapes::names`]), normalised, element after element:
    /// an element's name first.
    names: Arena,
    /// Per element, the end of its names in `names`.
    name_ends: Vec<u32>,
    /// Per name, a hash of its usual reading (0: it has none).
    readings: Vec<u64>,
    kinds: Vec<ElementKind>,
    /// Per element, its option list in `lists`.
    options: Vec<u32>,
    lists: Vec<Options>,
    parents: Vec<u32>,
    /// Per element, how many form fields are bound to it.
    uses: Vec<u32>,
    /// How many bucket keys the names make, about.
    keys: usize,
}

/// Why two elements are likely the same: at most a reason for their names, one for their
/// kinds and one for their options, held inline.
pub(super) type Reasons = smallvec::SmallVec<[Reason; 4]>;

/// Unbound fields' `(form, field key)` by normalised label.
pub(super) type Unbound = BTreeMap<String, Vec<(String, String)>>;

impl Pool {
    /// Reads every element of `source` (whose codes `shapes` knows), then every form: the
    /// elements' use counts, and the unbound fields by label.
    pub(super) fn read(
        source: &dyn RecordSource,
        shapes: &CodeShapes,
    ) -> io::Result<(Pool, Unbound)> {
        let mut pool = Pool::default();
        let mut interned: HashMap<Options, u32> = HashMap::new();
        let mut parents: Vec<(u32, CompactString)> = Vec::new();
        let mut buffer = String::new();
        source.each_record(Kind::Element, &mut |record| {
            if let RecordRef::Element(e) = record {
                let id = u32::try_from(pool.codes.len())
                    .map_err(|_| io::Error::other("more than 4 billion elements"))?;
                pool.add(e, shapes, &mut buffer, &mut interned)?;
                if let Some(parent) = &e.parent {
                    parents.push((id, CompactString::from(parent.as_str())));
                }
            }
            Ok(())
        })?;
        pool.parents = vec![NONE; pool.codes.len()];
        for (child, parent) in parents {
            if let (Some(p), Some(slot)) = (
                pool.codes.position(&parent),
                pool.parents.get_mut(child as usize),
            ) {
                *slot = u32::try_from(p).unwrap_or(NONE);
            }
        }
        let unbound = pool.read_forms(source)?;
        Ok((pool, unbound))
    }

    fn add(
        &mut self,
        e: &Element,
        shapes: &CodeShapes,
        buffer: &mut String,
        interned: &mut HashMap<Options, u32>,
    ) -> io::Result<()> {
        self.codes.push(&e.code)?;
        for name in shapes.names(e) {
            normalise_into(name, buffer);
            self.names.push(buffer)?;
            let reading = pinyin(buffer);
            self.readings.push(reading_hash(&reading));
            let chars = buffer.chars().count();
            self.keys += if chars >= 3 { chars + 3 } else { 2 };
        }
        self.name_ends
            .push(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.kinds.push(e.kind);
        let next = u32::try_from(self.lists.len()).unwrap_or(u32::MAX);
        let list = *interned.entry(e.options.clone()).or_insert_with(|| {
            self.lists.push(e.options.clone());
            next
        });
        self.options.push(list);
        Ok(())
    }

    /// Every form's fields: the elements' use counts, and the unbound fields by label.
    fn read_forms(&mut self, source: &dyn RecordSource) -> io::Result<Unbound> {
        let mut uses = vec![0u32; self.codes.len()];
        let mut unbound = Unbound::new();
        let mut label = String::new();
        source.each_record(Kind::Form, &mut |record| {
            if let RecordRef::Form(form) = record {
                for (_, _, field) in form.fields() {
                    match &field.element {
                        Some(code) => {
                            if let Some(n) = self.codes.position(code).and_then(|i| uses.get_mut(i))
                            {
                                *n = n.saturating_add(1);
                            }
                        }
                        None => {
                            normalise_into(&field.label, &mut label);
                            if !label.is_empty() {
                                (unbound.entry(label.clone()).or_default())
                                    .push((form.code.to_string(), field.key.to_string()));
                            }
                        }
                    }
                }
            }
            Ok(())
        })?;
        self.uses = uses;
        Ok(unbound)
    }

    /// How many elements.
    pub(super) fn len(&self) -> usize {
        self.codes.len()
    }

    /// Element `i`'s code.
    pub(super) fn code(&self, i: usize) -> &str {
        self.codes.get(i)
    }

    /// How many form fields are bound to element `i`.
    pub(super) fn uses(&self, i: usize) -> usize {
        self.uses.get(i).map_or(0, |&n| n as usize)
    }

    /// Whether one of the two is the other's parent (related, not duplicates).
    pub(super) fn related(&self, a: usize, b: usize) -> bool {
        let parent = |i: usize| self.parents.get(i).copied().unwrap_or(NONE);
        parent(a) as usize == b || parent(b) as usize == a
    }

    /// Whether `merge` may be merged into `keep`, as [`super::merge_check`] says on the
    /// loaded catalog: one kind, and `keep` has every option code of `merge`.
    pub(super) fn may_merge(&self, keep: usize, merge: usize) -> bool {
        let list = |i: usize| {
            (self.options.get(i))
                .and_then(|&l| self.lists.get(l as usize))
                .map_or(&[][..], |o| &o[..])
        };
        self.kinds.get(keep) == self.kinds.get(merge)
            && (list(merge).iter()).all(|o| list(keep).iter().any(|k| k.code == o.code))
    }

    /// Element `i`'s names' indexes in `names`.
    fn name_range(&self, i: usize) -> std::ops::Range<usize> {
        let end = |i: usize| self.name_ends.get(i).map_or(0, |&e| e as usize);
        let start = i.checked_sub(1).map_or(0, end);
        start..end(i).max(start)
    }

    fn names_of(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        self.name_range(i).map(|n| self.names.get(n))
    }

    /// Compares two elements, as the finder on the loaded catalog did element by element:
    /// `None` when nothing suggests they are the same. Nothing is allocated: it runs for
    /// every candidate pair (15 million at a million elements), and allocating made the
    /// finder a quarter slower.
    pub(super) fn compare(&self, a: usize, b: usize) -> Option<(u8, Reasons)> {
        let reading = |n: usize| self.readings.get(n).copied().unwrap_or(0);
        let same_reading = || {
            (self.name_range(a).map(reading))
                .any(|r| r != 0 && self.name_range(b).any(|n| reading(n) == r))
        };
        let mut reasons = Reasons::new();
        let mut score: i32 = 0;
        if self.names_of(a).next() == self.names_of(b).next() {
            reasons.push(Reason::SameName);
            score = 90;
        } else if self.names_of(a).any(|x| self.names_of(b).any(|y| x == y)) {
            reasons.push(Reason::SynonymOfOther);
            score = 85;
        } else if same_reading() {
            reasons.push(Reason::SamePinyin);
            score = 70;
        } else {
            // names one character apart: any that are not counterparts, any at all
            let (mut likely, mut any) = (false, false);
            for x in self.names_of(a).filter(|x| x.chars().count() >= 3) {
                for y in self.names_of(b).filter(|y| one_edit_apart(x, y)) {
                    any = true;
                    likely |= !counterparts(x, y);
                }
            }
            if likely {
                reasons.push(Reason::OneEditApart);
                score = 55;
            } else if any {
                // below every other reason, even with the same kind and options
                reasons.push(Reason::Counterparts);
                score = 10;
            }
        }
        if reasons.is_empty() {
            return None;
        }
        if self.kinds.get(a) == self.kinds.get(b) {
            reasons.push(Reason::SameKind);
            score += 5;
            let (oa, ob) = (self.options.get(a), self.options.get(b));
            if oa != ob {
                reasons.push(Reason::DifferentOptions);
            } else if oa
                .and_then(|&l| self.lists.get(l as usize))
                .is_some_and(|o| !o.is_empty())
            {
                reasons.push(Reason::SameOptions);
                score += 5;
            }
        } else {
            reasons.push(Reason::DifferentKind);
            score -= 30;
        }
        Some((score.clamp(1, 100) as u8, reasons))
    }

    /// Calls `f` with every bucket key of element `i` (a hash; repeats possible): each
    /// name normalised, its reading, and for names of three characters or more, the name
    /// and every string one character shorter (so that names one edit apart meet).
    fn each_key(&self, i: usize, f: &mut impl FnMut(u32)) {
        for n in self.name_range(i) {
            let name = self.names.get(n);
            if name.is_empty() {
                continue;
            }
            if name.chars().count() >= 3 {
                for (at, c) in name.char_indices() {
                    let (head, tail) = name.split_at(at);
                    let tail = tail.get(c.len_utf8()..).unwrap_or_default();
                    f(fnv(fnv(TAG_EDIT, head.as_bytes()), tail.as_bytes()));
                }
                f(fnv(TAG_EDIT, name.as_bytes()));
            }
            let reading = self.readings.get(n).copied().unwrap_or(0);
            if reading != 0 {
                f(fnv(TAG_READING, &reading.to_le_bytes()));
            }
            f(fnv(TAG_NAME, name.as_bytes()));
        }
    }

    /// Element `i`'s distinct bucket keys, in order, into `out`.
    fn keys_of(&self, i: usize, out: &mut Vec<u32>) {
        out.clear();
        self.each_key(i, &mut |k| out.push(k));
        out.sort_unstable();
        out.dedup();
    }

    /// Calls `f` once with every pair of elements `(a, b)`, `a < b`, that share a bucket of
    /// at most [`MAX_BUCKET`] elements. The buckets are made a slice of the hash space at a
    /// time, about `keys_at_a_time` keys each; a pair that shares several is taken in the
    /// one with the smallest key.
    pub(super) fn each_candidate(&self, keys_at_a_time: usize, mut f: impl FnMut(usize, usize)) {
        let slices = (self.keys / keys_at_a_time.max(1) + 1) as u64;
        let slice_of = |k: u32| (u64::from(k) * slices) >> 32;
        // the keys of buckets too big to pair, from this slice and those before
        let mut oversized: HashSet<u32> = HashSet::new();
        let mut keys: Vec<u64> = Vec::new();
        // a bucket's members, and their keys one list after another (`ends`): buffers kept
        // from bucket to bucket, so that the millions of buckets allocate nothing
        let mut members: Vec<usize> = Vec::new();
        let mut member_keys: Vec<u32> = Vec::new();
        let mut ends: Vec<usize> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        for slice in 0..slices {
            keys.clear();
            for i in 0..self.len() {
                self.each_key(i, &mut |k| {
                    if slice_of(k) == slice {
                        keys.push(u64::from(k) << 32 | i as u64);
                    }
                });
            }
            keys.sort_unstable();
            keys.dedup();
            let buckets = || keys.chunk_by(|a, b| a >> 32 == b >> 32);
            oversized.extend(
                buckets()
                    .filter(|b| b.len() > MAX_BUCKET)
                    .filter_map(|b| b.first().map(|&k| (k >> 32) as u32)),
            );
            for bucket in buckets().filter(|b| (2..=MAX_BUCKET).contains(&b.len())) {
                let Some(key) = bucket.first().map(|&k| (k >> 32) as u32) else {
                    continue;
                };
                // each member's keys that come before this one and pair elements: a pair
                // that shares one of them is taken there
                members.clear();
                member_keys.clear();
                ends.clear();
                for &k in bucket {
                    let i = (k & 0xffff_ffff) as usize;
                    self.keys_of(i, &mut scratch);
                    members.push(i);
                    member_keys.extend(
                        (scratch.iter().copied()).filter(|&k| k < key && !oversized.contains(&k)),
                    );
                    ends.push(member_keys.len());
                }
                let listed = |m: usize| {
                    let start = m.checked_sub(1).and_then(|p| ends.get(p)).copied();
                    let end = ends.get(m).copied().unwrap_or(0);
                    member_keys.get(start.unwrap_or(0)..end).unwrap_or_default()
                };
                for (x, &a) in members.iter().enumerate() {
                    for (y, &b) in members.iter().enumerate().skip(x + 1) {
                        if !shares(listed(x), listed(y)) {
                            f(a, b);
                        }
                    }
                }
            }
        }
    }
}

/// Whether two ascending lists have an entry in common.
fn shares(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The bucket keys' tags: a name, a reading, a name or one of its one-shorter strings.
const TAG_NAME: u32 = 0x811c_9dc5;
const TAG_READING: u32 = TAG_NAME ^ 0x5bd1_e995;
const TAG_EDIT: u32 = TAG_NAME ^ 0x1b87_3593;

/// FNV-1a, 32 bits, of `bytes` from `hash`.
fn fnv(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arena_gives_back_what_it_holds_and_finds_it_in_order() {
        let mut arena = Arena::default();
        for s in ["A1", "", "B22", "C"] {
            arena.push(s).unwrap();
        }
        assert_eq!(
            (0..5).map(|i| arena.get(i)).collect::<Vec<_>>(),
            ["A1", "", "B22", "C", ""]
        );
        assert_eq!(arena.position("B22"), Some(2));
        assert_eq!(arena.position("C"), Some(3));
        assert_eq!(arena.position("B2"), None);
        assert_eq!(arena.position("D"), None);
    }

    #[test]
    fn shared_entries_are_found_in_sorted_lists() {
        assert!(shares(&[1, 4, 9], &[2, 3, 9]));
        assert!(!shares(&[1, 4, 9], &[2, 3, 5, 10]));
        assert!(!shares(&[], &[1]));
    }
}
