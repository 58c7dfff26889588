//! The catalog tree with no UI: nodes built from the catalog (items by level, or grouped by
//! agency, region or item type; materials and bundles as lists), expand/collapse state, a
//! filter that keeps the ancestors of matches, and the flattened list of visible rows, rebuilt
//! only when expansion or the filter changes.

use std::collections::HashSet;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::i18n::Lang;
use crate::model::{ItemLevel, ItemView, Kind, OutlineSource};

use crate::model::packed_strings::Strings;

use super::text::{fold_char, fold_into};

/// Which list pane 1 shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// 事项, as a tree.
    Items,
    /// 材料, a list.
    Materials,
    /// 主题, a list.
    Bundles,
}

impl ListKind {
    /// In switching order.
    pub const ALL: [ListKind; 3] = [ListKind::Items, ListKind::Materials, ListKind::Bundles];

    /// The record kind listed.
    pub fn kind(self) -> Kind {
        match self {
            ListKind::Items => Kind::Item,
            ListKind::Materials => Kind::Material,
            ListKind::Bundles => Kind::Bundle,
        }
    }

    /// The title (domain term in Chinese in both languages).
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            ListKind::Items => lang.pick("事项", "事项 Items"),
            ListKind::Materials => lang.pick("材料", "材料 Materials"),
            ListKind::Bundles => lang.pick("主题", "主题 Bundles"),
        }
    }
}

/// How items are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// 主项 → 子项 → 实施清单 → 办理项.
    Level,
    /// Under each 实施主体.
    Agency,
    /// Under each 行政区划.
    Region,
    /// Under each 事项类型.
    ItemType,
}

impl Grouping {
    /// In cycling order.
    pub const ALL: [Grouping; 4] = [
        Grouping::Level,
        Grouping::Agency,
        Grouping::Region,
        Grouping::ItemType,
    ];

    /// The next grouping.
    pub fn next(self) -> Grouping {
        let i = Self::ALL.iter().position(|g| *g == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The label in titles.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Grouping::Level => lang.pick("按层级", "by level"),
            Grouping::Agency => lang.pick("按实施主体", "by 实施主体 agency"),
            Grouping::Region => lang.pick("按行政区划", "by 行政区划 region"),
            Grouping::ItemType => lang.pick("按事项类型", "by 事项类型 type"),
        }
    }
}

/// What a node stands for; stable across rebuilds, so expansion and selection survive them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeId {
    /// A group heading (`agency:CODE`, `region:`, `type:01`).
    Group(String),
    /// A record.
    Record(Kind, String),
}

/// What a node stands for, as the tree lends it ([`NodeKey::to_id`] gives the owned
/// [`NodeId`] to keep across rebuilds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKey<'a> {
    /// A group heading (`agency:CODE`, `region:`, `type:01`).
    Group(&'a str),
    /// A record.
    Record(Kind, &'a str),
}

impl NodeKey<'_> {
    /// The owned id.
    pub fn to_id(self) -> NodeId {
        match self {
            NodeKey::Group(key) => NodeId::Group(key.to_string()),
            NodeKey::Record(kind, code) => NodeId::Record(kind, code.to_string()),
        }
    }

    /// Whether it stands for `id`.
    pub fn is(self, id: &NodeId) -> bool {
        match (self, id) {
            (NodeKey::Group(a), NodeId::Group(b)) => a == b,
            (NodeKey::Record(k, a), NodeId::Record(l, b)) => k == *l && a == b,
            _ => false,
        }
    }
}

/// One node, as the tree lends it.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    /// What it stands for.
    pub id: NodeKey<'a>,
    /// The name (raw store text; made inert when drawn).
    pub name: &'a str,
    /// The item level, for items.
    pub level: Option<ItemLevel>,
    /// Nesting depth, 0 for roots.
    pub depth: u16,
    /// The parent node.
    pub parent: Option<u32>,
    /// Child nodes in order.
    pub children: &'a [u32],
    /// Whether its children are shown (without a filter).
    pub expanded: bool,
}

impl<'a> Node<'a> {
    /// The record code, empty for groups.
    pub fn code(&self) -> &'a str {
        match self.id {
            NodeKey::Record(_, code) => code,
            NodeKey::Group(_) => "",
        }
    }
}

/// What the tree keeps of a node besides its texts (a million-element catalog's tree has
/// 206,040 nodes: their strings lie in one [`NodeTexts`], their children in one list).
#[derive(Clone, Debug)]
struct Slot {
    /// The record kind; `None` for a group heading.
    kind: Option<Kind>,
    level: Option<ItemLevel>,
    expanded: bool,
    depth: u16,
    /// The parent node, or [`NO_PARENT`].
    parent: u32,
    /// Where its children start in [`Tree::children`], and how many there are.
    first_child: u32,
    child_count: u32,
    /// Bytes of its key (a record's code, a group's key) at the start of its text.
    key_len: u32,
}

/// Every node's texts, shared with the matching worker: its key and name (`key\nname`), and
/// its search text (the folded `code\nname`) where that is not the same string but for ASCII
/// capitals (a group's, whose code is empty, and a text with other capitals). Most item codes
/// hold ASCII capitals (a 统一社会信用代码): a lower-cased copy of every code cost 11 MB at a
/// million elements, so those are matched without regard to ASCII case instead.
#[derive(Debug, Default)]
pub struct NodeTexts {
    texts: Strings,
    /// The place of each node's search text in `folded`, or [`SAME_TEXT`] when its search
    /// text is its text with ASCII capitals lower-cased.
    folded_at: Vec<u32>,
    folded: Strings,
}

/// A node's search text, the folded `code\nname`, as [`NodeTexts`] keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchText<'a> {
    /// Folded.
    Folded(&'a str),
    /// Folded but for its ASCII capitals, which match their lower case.
    AsciiCased(&'a str),
}

impl<'a> SearchText<'a> {
    /// The folded text.
    pub fn folded(self) -> std::borrow::Cow<'a, str> {
        match self {
            SearchText::Folded(text) => text.into(),
            SearchText::AsciiCased(text) => text.to_ascii_lowercase().into(),
        }
    }

    /// Whether it begins with `code`, folded, and a line break: it is the record's so coded.
    pub fn is_code_of(self, code: &str) -> bool {
        let (text, ascii_cased) = match self {
            SearchText::Folded(text) => (text, false),
            SearchText::AsciiCased(text) => (text, true),
        };
        let mut rest = text.chars().map(|c| {
            if ascii_cased {
                c.to_ascii_lowercase()
            } else {
                c
            }
        });
        !code.is_empty()
            && code.chars().all(|c| rest.next() == Some(fold_char(c)))
            && rest.next() == Some('\n')
    }
}

impl NodeTexts {
    /// Adds a node's texts; returns its number.
    fn push(&mut self, key: &str, code: &str, name: &str) -> u32 {
        let node = self.texts.push_with(|text| {
            text.push_str(key);
            text.push('\n');
            text.push_str(name);
        });
        let same = key == code
            && code
                .chars()
                .chain(name.chars())
                .all(|c| c.is_ascii() || fold_char(c) == c);
        let at = if same {
            SAME_TEXT
        } else {
            self.folded.push_with(|text| {
                fold_into(text, code);
                text.push('\n');
                fold_into(text, name);
            })
        };
        self.folded_at.push(at);
        node
    }

    /// How many nodes there are.
    pub(super) fn len(&self) -> usize {
        self.texts.len()
    }

    /// A node's search text: its folded `code\nname`.
    pub fn search_text(&self, node: u32) -> Option<SearchText<'_>> {
        match *self.folded_at.get(node as usize)? {
            SAME_TEXT => self.texts.get(node).map(SearchText::AsciiCased),
            at => self.folded.get(at).map(SearchText::Folded),
        }
    }

    /// Gives back the room left over from building.
    fn shrink_to_fit(&mut self) {
        self.texts.shrink_to_fit();
        self.folded_at.shrink_to_fit();
        self.folded.shrink_to_fit();
    }

    /// A node's key and name.
    fn key_and_name(&self, node: u32, key_len: u32) -> (&str, &str) {
        let text = self.texts.get(node).unwrap_or_default();
        let key_len = key_len as usize;
        (
            text.get(..key_len).unwrap_or_default(),
            text.get(key_len + 1..).unwrap_or_default(),
        )
    }
}

/// The tree and its visible rows.
#[derive(Clone, Debug)]
pub struct Tree {
    slots: Vec<Slot>,
    /// Every node's children, node after node.
    children: Vec<u32>,
    roots: Vec<u32>,
    rows: Vec<u32>,
    texts: Arc<NodeTexts>,
    /// The node of each item in code order (the order of the item search index's rows).
    item_nodes: Arc<Vec<u32>>,
    /// Parents and display order, for filtering off the UI thread.
    shape: Shape,
    /// The active filter.
    filter: Option<ActiveFilter>,
}

/// A tree's shape as filtering needs it, shared with the matching worker: each node's
/// parent and every node in display order (a parent before its children).
#[derive(Clone, Debug)]
pub struct Shape {
    parents: Arc<Vec<u32>>,
    preorder: Arc<Vec<u32>>,
}

/// A filter's outcome for one tree, computed off the UI thread by [`Shape::filter`].
#[derive(Debug)]
pub struct Filtered {
    /// The preorder of the tree it was computed for.
    of: Arc<Vec<u32>>,
    /// Which nodes match.
    flags: Vec<bool>,
    /// Which nodes show: the matches and their ancestors.
    keep: Vec<bool>,
    /// The visible rows.
    rows: Vec<u32>,
    /// How many nodes match.
    count: usize,
}

/// The filter in force: its folded query and outcome.
#[derive(Clone, Debug)]
struct ActiveFilter {
    query: Vec<char>,
    flags: Vec<bool>,
    keep: Vec<bool>,
    count: usize,
}

/// Marks a node whose search text is its text in [`NodeTexts`] (but for ASCII case).
const SAME_TEXT: u32 = u32::MAX;

/// Marks a node without a parent in [`Shape`].
const NO_PARENT: u32 = u32::MAX;

impl Shape {
    /// What a filter matching the nodes flagged in `flags` (one flag per node) shows.
    pub fn filter(&self, flags: Vec<bool>) -> Filtered {
        let mut keep = vec![false; flags.len()];
        let mut count = 0;
        for (id, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
            count += 1;
            let mut at = id;
            while let Some(k) = keep.get_mut(at).filter(|k| !**k) {
                *k = true;
                at = self.parents.get(at).map_or(NO_PARENT, |p| *p) as usize;
            }
        }
        let rows = self
            .preorder
            .iter()
            .copied()
            .filter(|id| keep.get(*id as usize).copied().unwrap_or(false))
            .collect();
        Filtered {
            of: Arc::clone(&self.preorder),
            flags,
            keep,
            rows,
            count,
        }
    }
}

impl Tree {
    /// Builds the tree of a list, expanding the nodes in `expanded` (group headings are
    /// expanded when `expanded` is empty, so a first view shows the top level).
    pub fn build(
        source: &impl OutlineSource,
        list: ListKind,
        grouping: Grouping,
        expanded: &HashSet<NodeId>,
        lang: Lang,
    ) -> Tree {
        let mut b = Builder::default();
        match list {
            ListKind::Items => build_items(&mut b, source, grouping, lang),
            ListKind::Materials => {
                for (code, name) in source.materials() {
                    let id = b.record(Kind::Material, code, name, None);
                    b.roots.push(id);
                }
            }
            ListKind::Bundles => {
                for (code, name) in source.bundles() {
                    let id = b.record(Kind::Bundle, code, name, None);
                    b.roots.push(id);
                }
            }
        }
        let children = link_children(&mut b.slots);
        // the buffers grew by doubling: a quarter of a million-element tree was spare room
        b.slots.shrink_to_fit();
        b.texts.shrink_to_fit();
        let mut tree = Tree {
            slots: b.slots,
            children,
            roots: b.roots,
            rows: Vec::new(),
            texts: Arc::new(b.texts),
            item_nodes: Arc::new(b.item_nodes),
            shape: Shape {
                parents: Arc::new(Vec::new()),
                preorder: Arc::new(Vec::new()),
            },
            filter: None,
        };
        let first_view = expanded.is_empty();
        for id in 0..tree.len() as u32 {
            let key = tree.key(id);
            let open = if first_view {
                matches!(key, NodeKey::Group(_))
            } else {
                expanded.contains(&key.to_id())
            };
            tree.slots[id as usize].expanded = open;
        }
        tree.set_depths_and_shape();
        tree.rebuild_rows();
        tree
    }

    /// What a node stands for.
    fn key(&self, id: u32) -> NodeKey<'_> {
        let slot = &self.slots[id as usize];
        let (key, _) = self.texts.key_and_name(id, slot.key_len);
        match slot.kind {
            Some(kind) => NodeKey::Record(kind, key),
            None => NodeKey::Group(key),
        }
    }

    /// A node's children.
    fn children_of(&self, id: u32) -> &[u32] {
        let slot = &self.slots[id as usize];
        let start = slot.first_child as usize;
        self.children
            .get(start..start + slot.child_count as usize)
            .unwrap_or_default()
    }

    fn set_depths_and_shape(&mut self) {
        let mut preorder = Vec::with_capacity(self.slots.len());
        let mut stack: Vec<(u32, u16)> = self.roots.iter().rev().map(|r| (*r, 0)).collect();
        while let Some((id, depth)) = stack.pop() {
            preorder.push(id);
            self.slots[id as usize].depth = depth;
            let below = depth.saturating_add(1);
            stack.extend(self.children_of(id).iter().rev().map(|c| (*c, below)));
        }
        let parents = self.slots.iter().map(|n| n.parent).collect();
        self.shape = Shape {
            parents: Arc::new(parents),
            preorder: Arc::new(preorder),
        };
    }

    /// Recomputes the visible rows: with a filter, every kept node (matches and their
    /// ancestors); without, the children of expanded nodes.
    fn rebuild_rows(&mut self) {
        if let Some(filter) = &self.filter {
            self.rows = self
                .shape
                .preorder
                .iter()
                .copied()
                .filter(|id| filter.keep[*id as usize])
                .collect();
            return;
        }
        self.rows.clear();
        let mut stack: Vec<u32> = self.roots.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            self.rows.push(id);
            if self.slots[id as usize].expanded {
                stack.extend(self.children_of(id).iter().rev().copied());
            }
        }
    }

    /// The visible rows, as node indexes.
    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    /// A node.
    pub fn node(&self, id: u32) -> Node<'_> {
        let slot = &self.slots[id as usize];
        let (_, name) = self.texts.key_and_name(id, slot.key_len);
        Node {
            id: self.key(id),
            name,
            level: slot.level,
            depth: slot.depth,
            parent: (slot.parent != NO_PARENT).then_some(slot.parent),
            children: self.children_of(id),
            expanded: slot.expanded,
        }
    }

    /// How many nodes there are in all.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the tree has no node.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The node at a visible row.
    pub fn row_node(&self, row: usize) -> Option<Node<'_>> {
        self.rows.get(row).map(|id| self.node(*id))
    }

    /// The visible row showing a node id, if any.
    pub fn row_of(&self, id: &NodeId) -> Option<usize> {
        self.rows.iter().position(|n| self.key(*n).is(id))
    }

    /// Reveals a node (expanding its ancestors) and returns its row.
    pub fn reveal(&mut self, id: &NodeId) -> Option<usize> {
        let index = (0..self.len() as u32).position(|n| self.key(n).is(id))?;
        let mut parent = self.slots[index].parent;
        let mut changed = false;
        while let Some(slot) = self.slots.get_mut(parent as usize) {
            changed |= !slot.expanded;
            slot.expanded = true;
            parent = slot.parent;
        }
        if changed {
            self.rebuild_rows();
        }
        self.rows.iter().position(|n| *n as usize == index)
    }

    /// Sets a node's expansion; returns whether anything changed.
    pub fn set_expanded(&mut self, row: usize, expanded: bool) -> bool {
        let Some(&id) = self.rows.get(row) else {
            return false;
        };
        let slot = &mut self.slots[id as usize];
        if slot.child_count == 0 || slot.expanded == expanded {
            return false;
        }
        slot.expanded = expanded;
        self.rebuild_rows();
        true
    }

    /// Expands or collapses every node.
    pub fn set_all_expanded(&mut self, expanded: bool) {
        for slot in &mut self.slots {
            slot.expanded = expanded && slot.child_count > 0;
        }
        self.rebuild_rows();
    }

    /// The ids of every expanded node (to carry across a rebuild).
    pub fn expanded_ids(&self) -> HashSet<NodeId> {
        (0..self.len() as u32)
            .filter(|n| self.slots[*n as usize].expanded)
            .map(|n| self.key(n).to_id())
            .collect()
    }

    /// The nodes' texts and search texts (folded `code\nname`), shared with the matching
    /// worker.
    pub fn haystacks(&self) -> Arc<NodeTexts> {
        Arc::clone(&self.texts)
    }

    /// The node of each item, in code order: the n-th item of the catalog is node
    /// `item_nodes()[n]` (an item index's positions map to nodes without looking codes up).
    pub fn item_nodes(&self) -> Arc<Vec<u32>> {
        Arc::clone(&self.item_nodes)
    }

    /// The tree's shape, for computing a filter's outcome elsewhere ([`Shape::filter`]).
    pub fn shape(&self) -> Shape {
        self.shape.clone()
    }

    /// Applies a filter's outcome for the folded `query`: matches and their ancestors show.
    /// An outcome computed for another tree (one since rebuilt) is ignored; returns whether
    /// it applied.
    pub fn apply_filter(&mut self, query: &str, filtered: Filtered) -> bool {
        if !Arc::ptr_eq(&filtered.of, &self.shape.preorder) {
            return false;
        }
        self.filter = Some(ActiveFilter {
            query: query.chars().collect(),
            flags: filtered.flags,
            keep: filtered.keep,
            count: filtered.count,
        });
        self.rows = filtered.rows;
        true
    }

    /// Drops the filter.
    pub fn clear_filter(&mut self) {
        self.filter = None;
        self.rebuild_rows();
    }

    /// The folded query of the active filter.
    pub fn query(&self) -> Option<&[char]> {
        self.filter.as_ref().map(|f| f.query.as_slice())
    }

    /// Whether a node matches the active filter.
    pub fn is_match(&self, id: u32) -> bool {
        self.filter
            .as_ref()
            .is_some_and(|f| f.flags.get(id as usize).copied().unwrap_or(false))
    }

    /// How many nodes match the active filter.
    pub fn match_count(&self) -> usize {
        self.filter.as_ref().map_or(0, |f| f.count)
    }

    /// The first visible row that matches.
    pub fn first_match(&self) -> Option<usize> {
        self.rows.iter().position(|id| self.is_match(*id))
    }

    /// The next (or previous) visible row after `from` that matches, wrapping around.
    pub fn next_match(&self, from: usize, forward: bool) -> Option<usize> {
        let n = self.rows.len();
        let from = from.min(n.checked_sub(1)?);
        (1..=n)
            .map(|step| {
                if forward {
                    (from + step) % n
                } else {
                    (from + n - step % n) % n
                }
            })
            .find(|row| self.is_match(self.rows[*row]))
    }
}

#[derive(Default)]
struct Builder {
    slots: Vec<Slot>,
    texts: NodeTexts,
    roots: Vec<u32>,
    /// The node of each item by its place in the source's (code) order.
    item_nodes: Vec<u32>,
}

impl Builder {
    fn push(&mut self, kind: Option<Kind>, key: &str, name: &str, level: Option<ItemLevel>) -> u32 {
        let code = if kind.is_some() { key } else { "" };
        let id = self.texts.push(key, code, name);
        self.slots.push(Slot {
            kind,
            level,
            expanded: false,
            depth: 0,
            parent: NO_PARENT,
            first_child: 0,
            child_count: 0,
            key_len: u32::try_from(key.len()).unwrap_or(u32::MAX),
        });
        id
    }

    fn record(&mut self, kind: Kind, code: &str, name: &str, level: Option<ItemLevel>) -> u32 {
        self.push(Some(kind), code, name, level)
    }

    fn group(&mut self, key: &str, name: &str) -> u32 {
        let id = self.push(None, key, name, None);
        self.roots.push(id);
        id
    }

    /// Adds items (in code order) as a forest under `group` (or at the top): an item whose
    /// parent is among them hangs under it, the others are roots. `places` holds each item's
    /// place in the source's order (see [`Tree::item_nodes`]).
    fn forest(&mut self, items: &[ItemView<'_>], places: &[usize], group: Option<u32>) {
        let first = self.slots.len() as u32;
        for (item, &place) in items.iter().zip(places) {
            let id = self.record(Kind::Item, item.code, item.name, Some(item.level));
            if let Some(slot) = self.item_nodes.get_mut(place) {
                *slot = id;
            }
        }
        for (at, item) in items.iter().enumerate() {
            let id = first + at as u32;
            let parent = item
                .parent
                .and_then(|p| items.binary_search_by(|i| i.code.cmp(p)).ok())
                .map(|p| first + p as u32)
                .filter(|p| *p != id)
                .or(group);
            match parent {
                Some(p) => self.slots[id as usize].parent = p,
                None => self.roots.push(id),
            }
        }
    }
}

/// Lists every node's children, node after node, and points each slot at its own: a node's
/// children are the nodes naming it as their parent, in the order they were added.
fn link_children(slots: &mut [Slot]) -> Vec<u32> {
    for at in 0..slots.len() {
        let parent = slots[at].parent;
        if let Some(p) = slots.get_mut(parent as usize) {
            p.child_count += 1;
        }
    }
    let mut next = 0u32;
    for slot in slots.iter_mut() {
        slot.first_child = next;
        next += slot.child_count;
    }
    let mut children = vec![0; next as usize];
    let mut filled = vec![0u32; slots.len()];
    for (id, at) in (0u32..).zip(0..slots.len()) {
        let parent = slots[at].parent as usize;
        if let (Some(p), Some(n)) = (slots.get(parent), filled.get_mut(parent)) {
            children[(p.first_child + *n) as usize] = id;
            *n += 1;
        }
    }
    children
}

fn build_items(b: &mut Builder, source: &impl OutlineSource, grouping: Grouping, lang: Lang) {
    let items = source.items();
    b.item_nodes = vec![u32::MAX; items.len()];
    if grouping == Grouping::Level {
        let places: Vec<usize> = (0..items.len()).collect();
        b.forest(&items, &places, None);
        return;
    }
    let none = lang.pick("（未填写）", "(none)");
    let mut groups: Vec<(String, String, Vec<ItemView<'_>>, Vec<usize>)> = Vec::new();
    let mut slot: FxHashMap<String, usize> = FxHashMap::default();
    for (place, item) in items.into_iter().enumerate() {
        let (key, name) = match grouping {
            Grouping::Agency => match item.agency {
                Some(a) => (
                    format!("agency:{a}"),
                    source.agency_name(a).unwrap_or(a).to_string(),
                ),
                None => ("agency:".into(), format!("{none} 实施主体")),
            },
            Grouping::Region => match item.region {
                Some(r) => (
                    format!("region:{r}"),
                    source
                        .region_name(r)
                        .map_or_else(|| r.to_string(), |name| format!("{name} {r}")),
                ),
                None => ("region:".into(), format!("{none} 行政区划")),
            },
            Grouping::ItemType | Grouping::Level => (
                format!("type:{}", item.item_type.code()),
                format!("{} {}", item.item_type.code(), item.item_type.zh()),
            ),
        };
        let at = *slot.entry(key.clone()).or_insert_with(|| {
            groups.push((key, name, Vec::new(), Vec::new()));
            groups.len() - 1
        });
        groups[at].2.push(item);
        groups[at].3.push(place);
    }
    // agencies by name, in pinyin order (their codes say nothing to a reader); regions and
    // types by code; the group of items without one last
    groups.sort_by_cached_key(|(key, name, _, _)| {
        let order = match grouping {
            Grouping::Agency => {
                let reading = crate::engine::search::readings(name)
                    .into_iter()
                    .next()
                    .map(|(full, _)| full)
                    .unwrap_or_default();
                format!("{reading}\u{1f}{name}\u{1f}{key}")
            }
            _ => key.clone(),
        };
        (key.ends_with(':'), order)
    });
    for (key, name, members, places) in groups {
        let name = format!("{name} ({})", members.len());
        let group = b.group(&key, &name);
        b.forest(&members, &places, Some(group));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Catalog, Item, ItemType, Origin, Outline, Record, Status};
    use crate::tui::text::fold;

    pub(crate) fn item(
        code: &str,
        name: &str,
        level: ItemLevel,
        parent: Option<&str>,
        agency: Option<&str>,
    ) -> Item {
        Item {
            code: code.into(),
            name: name.into(),
            level,
            parent: parent.map(Into::into),
            item_type: ItemType::Licensing,
            agency: agency.map(Into::into),
            region: None,
            basis: Default::default(),
            time_limit_days: 0,
            legal_limit_days: 0,
            fee: Default::default(),
            online_depth: 0,
            depends_on: Default::default(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        }
    }

    fn catalog() -> Catalog {
        Catalog::from_records([
            Record::Item(item("A", "食品经营许可", ItemLevel::Main, None, None)),
            Record::Item(item(
                "A1",
                "食品经营许可（新办）",
                ItemLevel::Sub,
                Some("A"),
                None,
            )),
            Record::Item(item(
                "A1a",
                "区级实施",
                ItemLevel::Impl,
                Some("A1"),
                Some("G1"),
            )),
            Record::Item(item("B", "建设工程规划", ItemLevel::Main, None, None)),
        ])
    }

    /// The tree of a catalog's items, first view.
    pub(crate) fn items_tree(catalog: &Catalog, grouping: Grouping) -> Tree {
        Tree::build(
            catalog,
            ListKind::Items,
            grouping,
            &HashSet::new(),
            Lang::Zh,
        )
    }

    fn names(tree: &Tree) -> Vec<String> {
        tree.rows()
            .iter()
            .map(|r| tree.node(*r).name.to_string())
            .collect()
    }

    #[test]
    fn levels_nest_and_expand() {
        let mut t = items_tree(&catalog(), Grouping::Level);
        assert_eq!(names(&t), ["食品经营许可", "建设工程规划"]);
        assert!(t.set_expanded(0, true));
        assert_eq!(names(&t)[1], "食品经营许可（新办）");
        t.set_all_expanded(true);
        assert_eq!(t.rows().len(), 4);
        assert_eq!(t.row_node(2).map(|n| n.depth), Some(2));
        t.set_all_expanded(false);
        assert_eq!(t.rows().len(), 2);
        assert_eq!(t.reveal(&NodeId::Record(Kind::Item, "A1a".into())), Some(2));
    }

    #[test]
    fn search_texts_are_folded_and_kept_once_when_folding_changes_nothing() {
        let catalog = Catalog::from_records([
            Record::Item(item(
                "a1",
                "食品经营许可",
                ItemLevel::Main,
                None,
                Some("G1"),
            )),
            Record::Item(item("B2", "ICP 备案", ItemLevel::Main, None, Some("G1"))),
            Record::Item(item("C3", "ＣＡ 证书", ItemLevel::Main, None, Some("G1"))),
        ]);
        let t = items_tree(&catalog, Grouping::Agency);
        let texts = t.haystacks();
        let haystacks: Vec<String> = (0..t.len() as u32)
            .map(|n| {
                texts
                    .search_text(n)
                    .map_or("?".into(), |h| h.folded().into())
            })
            .collect();
        // a group's code is empty: its key is not searched
        // (in code order: capitals first)
        assert_eq!(
            haystacks,
            [
                "\ng1 (3)",
                "b2\nicp 备案",
                "c3\nｃａ 证书",
                "a1\n食品经营许可"
            ]
        );
        let node = t.node(1);
        assert_eq!((node.code(), node.name), ("B2", "ICP 备案"));
        assert_eq!(node.id, NodeKey::Record(Kind::Item, "B2"));
        assert_eq!(t.node(0).id, NodeKey::Group("agency:G1"));
        assert_eq!(t.node(0).children, [1, 2, 3]);
        // only the group's and the fullwidth capitals' are stored twice: ASCII capitals are
        // matched as they are
        assert_eq!(texts.folded.len(), 2);
        assert_eq!(
            texts.search_text(1),
            Some(SearchText::AsciiCased("B2\nICP 备案"))
        );
        assert_eq!(
            texts.search_text(2),
            Some(SearchText::Folded("c3\nｃａ 证书"))
        );
        assert!(texts.search_text(1).is_some_and(|h| h.is_code_of("b2")));
        assert!(texts.search_text(2).is_some_and(|h| h.is_code_of("C3")));
        assert!(!texts.search_text(1).is_some_and(|h| h.is_code_of("B")));
        assert!(!texts.search_text(0).is_some_and(|h| h.is_code_of("")));
    }

    #[test]
    fn filter_keeps_ancestors_and_steps_through_matches() {
        let mut t = items_tree(&catalog(), Grouping::Level);
        let q = fold("实施");
        let texts = t.haystacks();
        let matches: Vec<bool> = (0..t.len() as u32)
            .map(|n| {
                texts
                    .search_text(n)
                    .is_some_and(|h| h.folded().contains(&q))
            })
            .collect();
        assert!(t.apply_filter(&q, t.shape().filter(matches)));
        assert_eq!(
            names(&t),
            ["食品经营许可", "食品经营许可（新办）", "区级实施"]
        );
        assert_eq!(t.match_count(), 1);
        assert_eq!(t.next_match(0, true), Some(2));
        assert_eq!(t.next_match(2, false), Some(2));
        t.clear_filter();
        assert_eq!(t.rows().len(), 2);
        // an outcome computed for the tree before a rebuild does not apply to it
        let rebuilt = items_tree(&catalog(), Grouping::Level);
        let old = rebuilt.shape().filter(vec![true; rebuilt.len()]);
        assert!(!t.apply_filter("x", old));
        assert_eq!(t.query(), None);
    }

    #[test]
    fn item_nodes_follow_code_order_in_every_grouping() {
        let catalog = catalog();
        for grouping in [
            Grouping::Level,
            Grouping::Agency,
            Grouping::Region,
            Grouping::ItemType,
        ] {
            let t = items_tree(&catalog, grouping);
            let codes: Vec<&str> = t.item_nodes().iter().map(|n| t.node(*n).code()).collect();
            assert_eq!(codes, ["A", "A1", "A1a", "B"], "{grouping:?}");
        }
    }

    #[test]
    fn grouping_by_agency_puts_unassigned_items_last() {
        let t = items_tree(&catalog(), Grouping::Agency);
        let n = names(&t);
        assert_eq!(n[0], "G1 (1)");
        assert_eq!(n[2], "（未填写） 实施主体 (3)");
    }

    #[test]
    fn agencies_are_grouped_in_the_pinyin_order_of_their_names_not_by_code() {
        use crate::model::Agency;
        let agency = |code: &str, name: &str| {
            Record::Agency(Agency {
                code: code.into(),
                name: name.into(),
                region: None,
            })
        };
        let catalog = Catalog::from_records([
            agency("008778378", "区统计局"),
            agency("00877844X", "区水务局"),
            agency("008778999", "区财政局"),
            Record::Item(item("A", "甲", ItemLevel::Main, None, Some("008778378"))),
            Record::Item(item("B", "乙", ItemLevel::Main, None, Some("00877844X"))),
            Record::Item(item("C", "丙", ItemLevel::Main, None, Some("008778999"))),
            Record::Item(item("D", "丁", ItemLevel::Main, None, None)),
        ]);
        let t = items_tree(&catalog, Grouping::Agency);
        let groups: Vec<String> = names(&t).into_iter().filter(|n| n.ends_with(')')).collect();
        assert_eq!(
            groups,
            [
                "区财政局 (1)",
                "区水务局 (1)",
                "区统计局 (1)",
                "（未填写） 实施主体 (1)"
            ]
        );
    }

    #[test]
    fn an_outline_builds_the_same_tree_as_its_catalog() {
        let catalog = crate::sample::generate(1);
        let outline = Outline::of(&catalog);
        let rows = |t: &Tree| -> Vec<(NodeId, String, u16)> {
            t.rows()
                .iter()
                .map(|r| {
                    let n = t.node(*r);
                    (n.id.to_id(), n.name.to_string(), n.depth)
                })
                .collect()
        };
        for list in ListKind::ALL {
            for grouping in Grouping::ALL {
                let build = |source: &dyn Fn() -> Tree| {
                    let mut t = source();
                    t.set_all_expanded(true);
                    rows(&t)
                };
                let from_catalog =
                    build(&|| Tree::build(&catalog, list, grouping, &HashSet::new(), Lang::Zh));
                let from_outline =
                    build(&|| Tree::build(&outline, list, grouping, &HashSet::new(), Lang::Zh));
                assert!(from_catalog.len() > 1, "{list:?} {grouping:?}");
                assert_eq!(from_catalog, from_outline, "{list:?} {grouping:?}");
            }
        }
    }
}
