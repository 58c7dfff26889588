//! Many strings packed in one text, for the cache files read before the catalog (the
//! outline, the element links).

use serde::{Deserialize, Serialize};

/// Many strings in one: each is a range of `text`, so a list of a million names is two
/// allocations, not a million (reading an outline is what the first frame waits for).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Strings {
    /// The strings one after the other.
    pub(crate) text: String,
    /// Where each string ends in `text`.
    #[serde(deserialize_with = "crate::model::exact_vec::exact")]
    pub(crate) ends: Vec<u32>,
}

impl Strings {
    pub(crate) fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// Adds the string `write` appends to the text; returns its number.
    pub(crate) fn push_with(&mut self, write: impl FnOnce(&mut String)) -> u32 {
        write(&mut self.text);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// Gives back the room left over from pushing.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Puts `s` in at position `i` (at the end past the last), the strings after it moved on.
    pub(crate) fn insert(&mut self, i: u32, s: &str) {
        let i = (i as usize).min(self.ends.len());
        let at = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.insert_str(at, s);
        let added = s.len() as u32;
        self.ends.insert(i, at as u32 + added);
        for end in &mut self.ends[i + 1..] {
            *end += added;
        }
    }

    /// Takes the string at position `i` out (none past the last), the strings after it
    /// moved back.
    pub(crate) fn remove(&mut self, i: u32) {
        let i = i as usize;
        let Some(&end) = self.ends.get(i) else {
            return;
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.replace_range(start as usize..end as usize, "");
        self.ends.remove(i);
        for e in &mut self.ends[i..] {
            *e -= end - start;
        }
    }

    pub(crate) fn get(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// The position of `s` in strings held in order, by binary search in place.
    pub(crate) fn position(&self, s: &str) -> Option<u32> {
        self.search(s).ok()
    }

    /// Where `s` is among strings held in order, by binary search in place: `Ok` with its
    /// position, or `Err` with the position it would be inserted at to keep the order.
    pub(crate) fn search(&self, s: &str) -> Result<u32, u32> {
        let (mut low, mut high) = (0u32, self.len() as u32);
        while low < high {
            let mid = low + (high - low) / 2;
            match self.get(mid).map(|at| at.cmp(s)) {
                Some(std::cmp::Ordering::Less) => low = mid + 1,
                Some(std::cmp::Ordering::Greater) => high = mid,
                Some(std::cmp::Ordering::Equal) => return Ok(mid),
                // unreadable (an unsound list): treated as past the end
                None => high = mid,
            }
        }
        Err(low)
    }

    /// Whether the strings are in strictly increasing order.
    pub(crate) fn is_ordered(&self) -> bool {
        (1..self.len() as u32).all(|i| self.get(i - 1) < self.get(i))
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Ends in order and on character boundaries, within the text.
    pub(crate) fn is_sound(&self) -> bool {
        self.ends.windows(2).all(|w| w[0] <= w[1])
            && self
                .ends
                .last()
                .is_none_or(|e| *e as usize <= self.text.len())
            && self
                .ends
                .iter()
                .all(|e| self.text.is_char_boundary(*e as usize))
    }
}
