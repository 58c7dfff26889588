//! Pane 1's filter matching, run on a worker thread: which nodes of the tree a query keeps.
//!
//! A node matches when its folded `code\nname` holds the folded query, or (items, a query in
//! Latin letters) when the item search index holds the query in the pinyin of its name. Each
//! key of a growing query tests only what the previous key kept (a [`Narrowing`]), and the
//! index's positions map to nodes through [`Tree::item_nodes`](super::tree::Tree::item_nodes)
//! with no code lookups, so the keys after the first stay within a frame on a million-record
//! store.

use std::sync::Arc;

use crate::engine::item_search::{ItemIndex, held_query};

use aho_corasick::AhoCorasick;
use memchr::memmem;

use super::text::fold;
use super::tree::{Filtered, NodeTexts, SearchText, Shape};

/// Rows tested between two looks at `stale`.
const STALE_EVERY: usize = 4096;

/// What one complete match found, kept so that the next key (a query extending this one)
/// tests only what this one kept.
#[derive(Clone)]
pub struct Narrowing {
    /// The folded query.
    text: String,
    /// The haystacks it ran on (a rebuilt tree has new ones).
    haystacks: Arc<NodeTexts>,
    /// Nodes whose haystack holds `text`, ascending.
    text_hits: Arc<Vec<u32>>,
    /// The pinyin part: the query as the index compares it, the index, the positions held.
    pinyin: Option<(String, Arc<ItemIndex>, Arc<Vec<u32>>)>,
    /// The index's positions as the tree's nodes, checked once for this index and tree.
    nodes: Option<NodeMap>,
}

/// Each position of an item index as a node of a tree: [`NO_NODE`] where the tree's node
/// has another code (an index built from another state of the catalog is not trusted).
#[derive(Clone)]
struct NodeMap {
    index: Arc<ItemIndex>,
    item_nodes: Arc<Vec<u32>>,
    /// The node of each position.
    nodes: Arc<Vec<u32>>,
    /// The position of each node ([`NO_NODE`] for none).
    positions: Arc<Vec<u32>>,
}

/// A position without a node, or a node without a position, in [`NodeMap`].
const NO_NODE: u32 = u32::MAX;

impl NodeMap {
    /// Checks every position's code against its node's haystack; `None` when stale.
    fn check(
        index: &Arc<ItemIndex>,
        item_nodes: &Arc<Vec<u32>>,
        haystacks: &NodeTexts,
        stale: impl Fn() -> bool,
    ) -> Option<NodeMap> {
        let mut nodes = Vec::with_capacity(index.len());
        for position in 0..u32::try_from(index.len()).unwrap_or(u32::MAX) {
            if (position as usize).is_multiple_of(STALE_EVERY) && stale() {
                return None;
            }
            let node = item_nodes.get(position as usize).copied();
            let checked = node.zip(index.code_at(position)).filter(|(node, code)| {
                haystacks
                    .search_text(*node)
                    .is_some_and(|h| h.is_code_of(code))
            });
            nodes.push(checked.map_or(NO_NODE, |(node, _)| node));
        }
        let mut positions = vec![NO_NODE; haystacks.len()];
        for (position, node) in (0u32..).zip(&nodes) {
            if let Some(slot) = positions.get_mut(*node as usize) {
                *slot = position;
            }
        }
        Some(NodeMap {
            index: Arc::clone(index),
            item_nodes: Arc::clone(item_nodes),
            nodes: Arc::new(nodes),
            positions: Arc::new(positions),
        })
    }

    /// Whether it maps this index onto the tree these item nodes are of.
    fn fits(&self, index: &Arc<ItemIndex>, item_nodes: &Arc<Vec<u32>>) -> bool {
        Arc::ptr_eq(&self.index, index) && Arc::ptr_eq(&self.item_nodes, item_nodes)
    }
}

/// One filter match to run.
pub struct MatchJob {
    /// The tree's texts and search texts (folded `code\nname`, by node).
    pub haystacks: Arc<NodeTexts>,
    /// The tree's item nodes in code order (the index's positions).
    pub item_nodes: Arc<Vec<u32>>,
    /// The tree's shape (what a match shows besides the matches).
    pub shape: Shape,
    /// The query as typed.
    pub query: String,
    /// The item search index, when the query is matched by pinyin too.
    pub index: Option<Arc<ItemIndex>>,
    /// What the last complete match kept.
    pub previous: Option<Narrowing>,
}

impl MatchJob {
    /// What the filter shows and what the next key can narrow from; `None` as soon as
    /// `stale` says a newer query has come. Words apart (`食品 经营`) must each be found; the
    /// first narrows from the last run, the others test what the first kept.
    pub fn run(self, stale: impl Fn() -> bool) -> Option<(Filtered, Narrowing)> {
        let folded = fold(&self.query);
        let mut words = folded.split_whitespace();
        let text = words.next().unwrap_or(&folded).to_string();
        let mut raw_words = self.query.split_whitespace();
        let raw_first = raw_words.next().unwrap_or(&self.query);
        let previous = self.previous.as_ref();
        let text_within = previous
            .filter(|p| Arc::ptr_eq(&p.haystacks, &self.haystacks) && text.starts_with(&p.text))
            .map(|p| Arc::clone(&p.text_hits));
        let text_hits = holding_text(&self.haystacks, &text, text_within.as_deref(), &stale)?;
        let nodes = match &self.index {
            Some(index) => {
                let known = previous
                    .and_then(|p| p.nodes.as_ref())
                    .filter(|m| m.fits(index, &self.item_nodes));
                match known {
                    Some(map) => Some(map.clone()),
                    None => Some(NodeMap::check(
                        index,
                        &self.item_nodes,
                        &self.haystacks,
                        &stale,
                    )?),
                }
            }
            None => None,
        };
        let pinyin = match &self.index {
            Some(index) if by_pinyin(raw_first) => {
                let q = held_query(raw_first);
                let within = previous
                    .and_then(|p| p.pinyin.as_ref())
                    .filter(|(held, on, _)| Arc::ptr_eq(on, index) && q.starts_with(held.as_str()))
                    .map(|(_, _, at)| Arc::clone(at));
                let at = index.holding(raw_first, within.as_deref().map(|w| &w[..]), &stale)?;
                Some((q, Arc::clone(index), Arc::new(at)))
            }
            _ => None,
        };
        let mut keep = vec![false; self.haystacks.len()];
        for &node in &text_hits {
            if let Some(k) = keep.get_mut(node as usize) {
                *k = true;
            }
        }
        if let (Some((_, index, at)), Some(map)) = (&pinyin, &nodes) {
            for position in usual_first(index, raw_first, at) {
                let node = map.nodes.get(position as usize).copied();
                if let Some(k) = node.and_then(|n| keep.get_mut(n as usize)) {
                    *k = true;
                }
            }
        }
        for (word, raw) in words.zip(raw_words) {
            let index = self.index.as_ref().filter(|_| by_pinyin(raw));
            keep = self.also_holding(keep, word, index.zip(nodes.as_ref()), raw, &stale)?;
        }
        let filtered = self.shape.filter(keep);
        let narrowing = Narrowing {
            text,
            haystacks: self.haystacks,
            text_hits: Arc::new(text_hits),
            pinyin,
            nodes,
        };
        Some((filtered, narrowing))
    }

    /// Of the nodes flagged in `keep`, those whose text holds `word` (folded), or whose
    /// item's name holds `raw` in its pinyin (when the index is given).
    fn also_holding(
        &self,
        keep: Vec<bool>,
        word: &str,
        pinyin: Option<(&Arc<ItemIndex>, &NodeMap)>,
        raw: &str,
        stale: impl Fn() -> bool,
    ) -> Option<Vec<bool>> {
        let kept: Vec<u32> = (0u32..)
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(n, _)| n)
            .collect();
        let mut out = vec![false; keep.len()];
        for node in holding_text(&self.haystacks, word, Some(&kept), &stale)? {
            out[node as usize] = true;
        }
        if let Some((index, map)) = pinyin {
            let positions: Vec<u32> = kept
                .iter()
                .filter_map(|n| map.positions.get(*n as usize).copied())
                .filter(|p| *p != NO_NODE)
                .collect();
            let held = index.holding(raw, Some(&positions), &stale)?;
            for position in usual_first(index, raw, &held) {
                if let Some(node) = map.nodes.get(position as usize) {
                    out[*node as usize] = true;
                }
            }
        }
        Some(out)
    }
}

/// The positions that hold `query` in a usual reading, or all of `held` when none does: an
/// item found only through a rare reading of a heteronym shows only when nothing else is
/// found (`hkdj` is 户口登记, not 许可到期 read hǔ kě dào jī; `yinhang` still finds 银行).
fn usual_first(index: &ItemIndex, query: &str, held: &[u32]) -> Vec<u32> {
    let usual = index.in_usual_reading(query, held);
    if usual.is_empty() {
        held.to_vec()
    } else {
        usual
    }
}

/// Whether a word is looked for in the pinyin of item names too: Latin letters (and digits).
pub fn by_pinyin(word: &str) -> bool {
    word.is_ascii() && word.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The nodes (ascending) among `within` (all when `None`) whose haystack holds `text`.
fn holding_text(
    haystacks: &NodeTexts,
    text: &str,
    within: Option<&Vec<u32>>,
    stale: impl Fn() -> bool,
) -> Option<Vec<u32>> {
    let all = 0..u32::try_from(haystacks.len()).unwrap_or(u32::MAX);
    let candidates: Box<dyn Iterator<Item = u32>> = match within {
        Some(within) => Box::new(within.iter().copied()),
        None => Box::new(all),
    };
    let finder = TextFinder::new(text)?;
    let mut out = Vec::new();
    for (n, node) in candidates.enumerate() {
        if n % STALE_EVERY == 0 && stale() {
            return None;
        }
        if haystacks.search_text(node).is_some_and(|h| finder.holds(h)) {
            out.push(node);
        }
    }
    Some(out)
}

/// Finds a folded text in search texts ([`SearchText`]): bytes as they are in the folded
/// ones, ASCII letters in either case in the others.
struct TextFinder<'t> {
    exact: memmem::Finder<'t>,
    /// For a text with ASCII letters: the same, in either case.
    caseless: Option<AhoCorasick>,
}

impl<'t> TextFinder<'t> {
    /// `None` when the text is too long to search for.
    fn new(text: &'t str) -> Option<TextFinder<'t>> {
        let caseless = if text.bytes().any(|b| b.is_ascii_alphabetic()) {
            let built = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([text]);
            Some(built.ok()?)
        } else {
            None
        };
        Some(TextFinder {
            exact: memmem::Finder::new(text.as_bytes()),
            caseless,
        })
    }

    fn holds(&self, haystack: SearchText<'_>) -> bool {
        match (haystack, &self.caseless) {
            (SearchText::AsciiCased(h), Some(caseless)) => caseless.is_match(h),
            (SearchText::AsciiCased(h) | SearchText::Folded(h), _) => {
                self.exact.find(h.as_bytes()).is_some()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::item_search::{self, Index};
    use crate::model::Catalog;
    use crate::tui::tree::tests::items_tree as tree;
    use crate::tui::tree::{Grouping, Tree};

    fn job(t: &Tree, index: Option<&Arc<ItemIndex>>, query: &str) -> MatchJob {
        MatchJob {
            haystacks: t.haystacks(),
            item_nodes: t.item_nodes(),
            shape: t.shape(),
            query: query.into(),
            index: index.cloned(),
            previous: None,
        }
    }

    /// The nodes a job's outcome matches, ascending.
    fn matched(t: &Tree, run: Option<(Filtered, Narrowing)>) -> (Vec<u32>, Narrowing) {
        let (filtered, narrowing) = run.expect("complete");
        let mut t = t.clone();
        assert!(t.apply_filter("", filtered));
        let nodes = (0..t.len() as u32).filter(|n| t.is_match(*n)).collect();
        (nodes, narrowing)
    }

    fn codes(t: &Tree, nodes: &[u32]) -> Vec<String> {
        let mut out: Vec<String> = nodes.iter().map(|n| t.node(*n).code().into()).collect();
        out.sort();
        out
    }

    #[test]
    fn pinyin_finds_items_by_their_names_in_every_grouping() {
        let catalog = crate::sample::generate(1);
        let index = Arc::new(Index::build(item_search::rows(&catalog)));
        let wanted: Vec<String> = catalog
            .items
            .values()
            .filter(|i| i.name.contains("食品"))
            .map(|i| i.code.to_string())
            .collect();
        assert!(!wanted.is_empty());
        for grouping in [Grouping::Level, Grouping::Agency, Grouping::Region] {
            let t = tree(&catalog, grouping);
            let (found, _) = matched(&t, job(&t, Some(&index), "shipin").run(|| false));
            let found = codes(&t, &found);
            for code in &wanted {
                assert!(found.contains(code), "{grouping:?} misses {code}");
            }
            // without the index only the texts count, and no name holds the Latin letters
            let (plain, _) = matched(&t, job(&t, None, "shipin").run(|| false));
            assert!(plain.is_empty(), "{grouping:?}");
        }
    }

    #[test]
    fn each_key_narrowed_from_the_last_finds_what_a_full_run_finds() {
        let catalog = crate::sample::generate(1);
        let index = Arc::new(Index::build(item_search::rows(&catalog)));
        let t = tree(&catalog, Grouping::Agency);
        for typed in [
            "shipin",
            "11510",
            "食品经营",
            "xk",
            "食品 xk",
            "sp jy xk",
            "许可 食品",
        ] {
            let mut previous = None;
            for end in typed.char_indices().map(|(at, c)| at + c.len_utf8()) {
                let query = &typed[..end];
                let mut narrowed = job(&t, Some(&index), query);
                narrowed.previous = previous.take();
                let (got, next) = matched(&t, narrowed.run(|| false));
                let (full, _) = matched(&t, job(&t, Some(&index), query).run(|| false));
                assert_eq!(got, full, "{query}");
                previous = Some(next);
            }
        }
    }

    #[test]
    fn words_apart_must_each_be_found_in_the_text_or_the_pinyin() {
        let catalog = crate::sample::generate(1);
        let index = Arc::new(Index::build(item_search::rows(&catalog)));
        let t = tree(&catalog, Grouping::Level);
        let names = |query: &str| -> Vec<String> {
            let (found, _) = matched(&t, job(&t, Some(&index), query).run(|| false));
            found.iter().map(|n| t.node(*n).name.to_string()).collect()
        };
        let both = names("食品 变更");
        assert!(!both.is_empty());
        assert!(
            both.iter()
                .all(|n| n.contains("食品") && n.contains("变更")),
            "{both:?}"
        );
        // the same words in pinyin, or one of each, find the same items
        assert_eq!(names("shipin biangeng"), both);
        assert_eq!(names("食品 bg"), both);
        // a second word that nothing holds leaves nothing
        assert!(names("食品 zzzz").is_empty());
        // spaces around the words change nothing
        assert_eq!(names("  食品   变更 "), both);
    }

    #[test]
    fn rare_readings_count_only_when_no_usual_reading_holds_the_query() {
        let sample = crate::sample::generate(1);
        let base = sample.items.values().next().cloned().expect("an item");
        let catalog_of = |names: &[(&str, &str)]| {
            let mut c = Catalog::default();
            for (code, name) in names {
                let mut i = base.clone();
                i.code = (*code).into();
                i.name = (*name).into();
                i.parent = None;
                c.items.insert(i.code.clone(), i);
            }
            c
        };
        let found = |c: &Catalog, query: &str| -> Vec<String> {
            let index = Arc::new(Index::build(item_search::rows(c)));
            let t = tree(c, Grouping::Level);
            let (nodes, _) = matched(&t, job(&t, Some(&index), query).run(|| false));
            nodes.iter().map(|n| t.node(*n).name.to_string()).collect()
        };
        // 许 read hǔ and 期 read jī spell hkdj too, but 户口登记 spells it in its usual reading
        let both = catalog_of(&[("A", "户口登记许可"), ("B", "危险废物经营许可到期延续")]);
        assert_eq!(found(&both, "hkdj"), ["户口登记许可"]);
        // alone, the rare reading still finds it
        let alone = catalog_of(&[("B", "危险废物经营许可到期延续")]);
        assert_eq!(found(&alone, "hkdj"), ["危险废物经营许可到期延续"]);
        // the same rule for a second word (both names hold 许可)
        assert_eq!(found(&both, "许可 hkdj"), ["户口登记许可"]);
    }

    #[test]
    fn a_narrowing_from_an_unrelated_query_is_not_used() {
        let catalog = crate::sample::generate(1);
        let index = Arc::new(Index::build(item_search::rows(&catalog)));
        let t = tree(&catalog, Grouping::Level);
        let (_, after_xk) = matched(&t, job(&t, Some(&index), "xk").run(|| false));
        let mut next = job(&t, Some(&index), "sp");
        next.previous = Some(after_xk);
        let (got, _) = matched(&t, next.run(|| false));
        let (full, _) = matched(&t, job(&t, Some(&index), "sp").run(|| false));
        assert!(!full.is_empty());
        assert_eq!(got, full);
    }

    #[test]
    fn an_index_of_another_catalog_marks_no_wrong_node() {
        let catalog = crate::sample::generate(1);
        let t = tree(&catalog, Grouping::Level);
        // the index knows one item more, at the front: every later position is one off
        let mut other = catalog.clone();
        let mut first = other.items.values().next().cloned().expect("an item");
        first.code = "0".into();
        first.name = "食品抽检".into();
        other.items.insert(first.code.clone(), first);
        let index = Arc::new(Index::build(item_search::rows(&other)));
        let (found, _) = matched(&t, job(&t, Some(&index), "shipin").run(|| false));
        for node in found {
            let n = t.node(node);
            let by_text = t
                .haystacks()
                .search_text(node)
                .is_some_and(|h| h.folded().contains("shipin"));
            let by_name = index
                .holding("shipin", None, || false)
                .unwrap_or_default()
                .iter()
                .any(|p| index.code_at(*p) == Some(n.code()));
            assert!(by_text || by_name, "{} {}", n.code(), n.name);
        }
    }

    #[test]
    fn a_stale_run_gives_up() {
        let catalog = crate::sample::generate(1);
        let t = tree(&catalog, Grouping::Level);
        assert!(job(&t, None, "x").run(|| true).is_none());
    }

    #[test]
    fn a_code_is_matched_only_whole_and_before_the_name() {
        for text in [
            SearchText::Folded("a1b\nname"),
            SearchText::AsciiCased("A1b\nname"),
        ] {
            assert!(text.is_code_of("A1B"), "{text:?}");
            assert!(text.is_code_of("a1b"), "{text:?}");
            assert!(!text.is_code_of("A1"), "{text:?}");
        }
        assert!(!SearchText::Folded("a1\nname").is_code_of("A1B"));
        assert!(!SearchText::Folded("\nname").is_code_of(""));
    }

    #[test]
    fn ascii_letters_match_either_case_in_texts_kept_with_capitals_only() {
        let finder = TextFinder::new("mb1").expect("a finder");
        assert!(finder.holds(SearchText::AsciiCased("11MB12\n名称")));
        assert!(finder.holds(SearchText::Folded("11mb12\n名称")));
        // a folded text holds no capitals: one there is not a letter this query names
        assert!(!finder.holds(SearchText::Folded("11MB12\n名称")));
        let finder = TextFinder::new("名称").expect("a finder");
        assert!(finder.holds(SearchText::AsciiCased("A\n名称")));
        assert!(!finder.holds(SearchText::AsciiCased("A\n名字")));
    }
}
