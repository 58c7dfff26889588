//! The skeleton of a catalog: what the invariants look up of the records a record is checked
//! against ([`View`]), held compactly a kind at a time, so that `check` reads a store's
//! records one at a time instead of loading them (at a million elements the skeleton takes
//! 36 MB, the loaded catalog 670 MiB).

use std::collections::HashMap;

use super::invariants::View;
use super::packed_strings::Strings;
use super::{ItemLevel, Kind, RecordRef};

/// The codes of every record, and of each what the invariants look up: an item's level and
/// what it depends on, the parent of a region, an element or an item, whether an item, a
/// material or a bundle is a template; and the agencies' names (an element's search row
/// names its source agency). Made by [`Skeleton::push`]ing every record, then
/// [`Skeleton::finish`].
#[derive(Debug, Default)]
pub struct Skeleton {
    /// A kind's facts, in [`Kind::ALL`]'s order.
    kinds: [Facts; 7],
}

/// One kind's records in the skeleton; the lists that do not apply to the kind stay empty.
#[derive(Debug, Default)]
struct Facts {
    /// The codes, as the records came (in order, as a store holds them).
    codes: Strings,
    /// Each code's position, when the codes did not come in order (only a damaged store's
    /// records do); a code that came twice is the last of them, as in a catalog.
    unordered: Option<HashMap<String, u32>>,
    /// Whether each record has a parent, and its parent (`""` when it has none).
    has_parent: Vec<bool>,
    parents: Strings,
    /// An item's codes it depends on, one item's after another's: where each item's end.
    depends: Strings,
    depends_ends: Vec<u32>,
    /// Whether each record is a template (only an item, a material or a bundle can be).
    templates: Vec<bool>,
    /// Each item's level.
    levels: Vec<ItemLevel>,
    /// Each agency's name.
    names: Strings,
}

/// A kind's place in [`Kind::ALL`].
fn slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// What a record adds to the skeleton (`None`: what its kind does not have).
struct Bones<'r> {
    code: &'r str,
    parent: Option<Option<&'r str>>,
    depends_on: Option<Vec<&'r str>>,
    level: Option<ItemLevel>,
    template: bool,
    name: Option<&'r str>,
}

impl Facts {
    /// Adds a record's bones.
    fn push(&mut self, bones: Bones<'_>) {
        if let Some(last) = self.codes.len().checked_sub(1)
            && self.unordered.is_none()
            && self
                .codes
                .get(last as u32)
                .is_some_and(|last| last >= bones.code)
        {
            let codes = (0..self.codes.len() as u32)
                .filter_map(|i| Some((self.codes.get(i)?.to_string(), i)));
            self.unordered = Some(codes.collect());
        }
        let at = self.codes.push(bones.code);
        if let Some(index) = &mut self.unordered {
            index.insert(bones.code.to_string(), at);
        }
        if let Some(parent) = bones.parent {
            self.has_parent.push(parent.is_some());
            self.parents.push(parent.unwrap_or_default());
        }
        if let Some(depends_on) = bones.depends_on {
            for code in depends_on {
                self.depends.push(code);
            }
            self.depends_ends.push(self.depends.len() as u32);
        }
        self.levels.extend(bones.level);
        self.templates.push(bones.template);
        if let Some(name) = bones.name {
            self.names.push(name);
        }
    }

    /// The position of `code`.
    fn position(&self, code: &str) -> Option<usize> {
        match &self.unordered {
            Some(index) => index.get(code).map(|&i| i as usize),
            None => self.codes.position(code).map(|i| i as usize),
        }
    }

    /// The parent of the record at `i`.
    fn parent(&self, i: usize) -> Option<&str> {
        let at = u32::try_from(i).ok()?;
        self.has_parent
            .get(i)
            .copied()
            .unwrap_or(false)
            .then(|| self.parents.get(at))
            .flatten()
    }

    /// What the item at `i` depends on.
    fn depends_on(&self, i: usize) -> Vec<&str> {
        let start = if i == 0 {
            0
        } else {
            self.depends_ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.depends_ends.get(i).copied().unwrap_or(start);
        (start..end).filter_map(|d| self.depends.get(d)).collect()
    }
}

impl Skeleton {
    /// Adds `record`. Records of a kind come in code order, as a store holds them; a
    /// record out of that order is taken too, at the cost of an index of the kind's codes.
    pub fn push(&mut self, record: RecordRef<'_>) {
        let parent = match record {
            RecordRef::Region(r) => Some(r.parent.as_deref()),
            RecordRef::Element(e) => Some(e.parent.as_deref()),
            RecordRef::Item(i) => Some(i.parent.as_deref()),
            _ => None,
        };
        let (depends_on, level) = match record {
            RecordRef::Item(item) => (
                Some(item.depends_on.iter().map(|c| c.as_str()).collect()),
                Some(item.level),
            ),
            _ => (None, None),
        };
        let name = match record {
            RecordRef::Agency(agency) => Some(agency.name.as_str()),
            _ => None,
        };
        self.kinds[slot(record.kind())].push(Bones {
            code: record.code(),
            parent,
            depends_on,
            level,
            template: record.is_template(),
            name,
        });
    }

    /// Adds the records of `other` after this skeleton's, as if pushed here (a skeleton of
    /// the records that follow, made on another thread).
    pub fn append(&mut self, other: &Skeleton) {
        for (facts, more) in self.kinds.iter_mut().zip(&other.kinds) {
            let parents = more.has_parent.len() == more.codes.len();
            let items = more.levels.len() == more.codes.len();
            for i in 0..more.codes.len() {
                let at = i as u32;
                facts.push(Bones {
                    code: more.codes.get(at).unwrap_or_default(),
                    parent: parents.then(|| more.parent(i)),
                    depends_on: items.then(|| more.depends_on(i)),
                    level: more.levels.get(i).copied(),
                    template: more.templates.get(i).copied().unwrap_or(false),
                    name: more.names.get(at),
                });
            }
        }
    }

    /// Gives back the room left over from pushing.
    pub fn finish(&mut self) {
        for facts in &mut self.kinds {
            facts.codes.shrink_to_fit();
            facts.parents.shrink_to_fit();
            facts.depends.shrink_to_fit();
            facts.names.shrink_to_fit();
            facts.has_parent.shrink_to_fit();
            facts.depends_ends.shrink_to_fit();
            facts.templates.shrink_to_fit();
            facts.levels.shrink_to_fit();
        }
    }

    /// How many records there are (a code pushed twice counts once).
    pub fn len(&self) -> usize {
        Kind::ALL.into_iter().map(|k| self.count(k)).sum()
    }

    /// Whether no record was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many records of `kind` there are (a code pushed twice counts once).
    pub fn count(&self, kind: Kind) -> usize {
        let facts = &self.kinds[slot(kind)];
        facts
            .unordered
            .as_ref()
            .map_or(facts.codes.len(), HashMap::len)
    }

    /// The position of the record of `kind` with `code` among its kind's: from 0 up to
    /// the number of records of the kind pushed.
    pub fn position(&self, kind: Kind, code: &str) -> Option<usize> {
        self.kinds[slot(kind)].position(code)
    }

    /// The name of the agency `code`.
    pub fn agency_name(&self, code: &str) -> Option<&str> {
        let facts = &self.kinds[slot(Kind::Agency)];
        facts.names.get(u32::try_from(facts.position(code)?).ok()?)
    }
}

impl View for Skeleton {
    fn has(&self, kind: Kind, code: &str) -> bool {
        self.position(kind, code).is_some()
    }

    fn is_template(&self, kind: Kind, code: &str) -> Option<bool> {
        let facts = &self.kinds[slot(kind)];
        let i = facts.position(code)?;
        facts.templates.get(i).copied()
    }

    fn item_level(&self, code: &str) -> Option<ItemLevel> {
        let facts = &self.kinds[slot(Kind::Item)];
        facts.levels.get(facts.position(code)?).copied()
    }

    fn edges(&self, kind: Kind, code: &str, relation: &str) -> Option<Vec<&str>> {
        let facts = &self.kinds[slot(kind)];
        let i = facts.position(code)?;
        Some(match (kind, relation) {
            (Kind::Region | Kind::Element | Kind::Item, "parent") => {
                facts.parent(i).into_iter().collect()
            }
            (Kind::Item, "depends_on") => facts.depends_on(i),
            _ => Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;
    use crate::model::invariants::check_records;

    /// The skeleton of `catalog`'s records, pushed a kind at a time in code order.
    fn skeleton_of(catalog: &Catalog) -> Skeleton {
        let mut skeleton = Skeleton::default();
        for record in catalog.records() {
            skeleton.push(record);
        }
        skeleton.finish();
        skeleton
    }

    /// The skeleton of `catalog`'s records made a few records at a time, as the threads of a
    /// check make it, and appended in order.
    fn skeleton_in_pieces(catalog: &Catalog) -> Skeleton {
        let records: Vec<RecordRef<'_>> = catalog.records().collect();
        let mut skeleton = Skeleton::default();
        for piece in records.chunks(7) {
            let mut bones = Skeleton::default();
            piece.iter().for_each(|r| bones.push(*r));
            skeleton.append(&bones);
        }
        skeleton.finish();
        skeleton
    }

    #[test]
    fn the_skeleton_answers_what_the_catalog_answers() {
        let catalog = crate::sample::generate(1);
        for skeleton in [skeleton_of(&catalog), skeleton_in_pieces(&catalog)] {
            answers_as_the_catalog(&skeleton, &catalog);
        }
    }

    /// Asserts that `skeleton` answers each question of [`View`] as `catalog` does.
    fn answers_as_the_catalog(skeleton: &Skeleton, catalog: &Catalog) {
        assert_eq!(skeleton.len(), catalog.len());
        let mut parents = 0;
        let mut depends = 0;
        for record in catalog.records() {
            let (kind, code) = (record.kind(), record.code());
            assert!(skeleton.has(kind, code));
            assert_eq!(
                skeleton.is_template(kind, code),
                catalog.is_template(kind, code)
            );
            for relation in ["parent", "depends_on"] {
                let found = skeleton.edges(kind, code, relation);
                assert_eq!(
                    found,
                    catalog.edges(kind, code, relation),
                    "{kind:?} {code}"
                );
                let n = found.map_or(0, |e| e.len());
                match relation {
                    "parent" => parents += n,
                    _ => depends += n,
                }
            }
        }
        // the sample has both kinds of edges, templates and levels to look up
        assert!(parents > 10 && depends > 0, "{parents} {depends}");
        assert!(catalog.items.values().any(|i| i.template));
        for item in catalog.items.values() {
            assert_eq!(skeleton.item_level(&item.code), Some(item.level));
        }
        for agency in catalog.agencies.values() {
            assert_eq!(
                skeleton.agency_name(&agency.code),
                Some(agency.name.as_str())
            );
        }
        for (kind, code) in [(Kind::Item, "nope"), (Kind::Element, "")] {
            assert!(!skeleton.has(kind, code));
            assert_eq!(skeleton.edges(kind, code, "parent"), None);
            assert_eq!(skeleton.is_template(kind, code), None);
        }
        assert_eq!(skeleton.item_level("nope"), None);
        for (i, element) in catalog.elements.keys().enumerate() {
            assert_eq!(skeleton.position(Kind::Element, element), Some(i));
        }
    }

    #[test]
    fn checked_against_the_skeleton_a_damaged_catalog_has_the_catalogs_problems() {
        let mut catalog = crate::sample::generate(1);
        // a cycle of parents, an unknown parent, a wrong parent level, a claim of a
        // record that is not a template, and a cycle of items depending on each other
        let codes: Vec<String> = catalog.elements.keys().map(|c| c.to_string()).collect();
        let element = |c: &mut Catalog, i: usize, parent: &str| {
            if let Some(e) = c.elements.get_mut(codes[i].as_str()) {
                e.parent = Some(parent.into());
            }
        };
        element(&mut catalog, 0, &codes[1]);
        element(&mut catalog, 1, &codes[0]);
        element(&mut catalog, 2, "NOPE");
        let items: Vec<String> = catalog.items.keys().map(|c| c.to_string()).collect();
        let item = |c: &mut Catalog, i: usize, change: &dyn Fn(&mut crate::model::Item)| {
            change(c.items.get_mut(items[i].as_str()).unwrap());
        };
        item(&mut catalog, 3, &|i| {
            i.depends_on = [items[4].as_str().into()].into()
        });
        item(&mut catalog, 4, &|i| {
            i.depends_on = [items[3].as_str().into()].into()
        });
        let main = (catalog.items.values())
            .find(|i| i.level == ItemLevel::Main && !i.template)
            .map(|i| i.code.to_string())
            .unwrap();
        let sub = items
            .iter()
            .position(|c| catalog.items[c.as_str()].level == ItemLevel::Impl)
            .unwrap();
        item(&mut catalog, sub, &|i| {
            i.parent = Some(main.as_str().into())
        });
        let claims = items
            .iter()
            .position(|c| *c != main && !catalog.items[c.as_str()].template)
            .unwrap();
        item(&mut catalog, claims, &|i| {
            i.template_of = Some(main.as_str().into())
        });
        let catalog =
            Catalog::from_records(catalog.records().map(|r| r.to_record()).collect::<Vec<_>>());
        let skeleton = skeleton_of(&catalog);
        let describe = |problems: Vec<crate::model::Problem>| -> Vec<String> {
            (problems.iter())
                .map(|p| p.describe(crate::i18n::Lang::En))
                .collect()
        };
        let found = describe(check_records(&skeleton, catalog.records()));
        assert_eq!(found, describe(check_records(&catalog, catalog.records())));
        let has = |what: &str| found.iter().filter(|p| p.contains(what)).count();
        assert_eq!(has("cycle"), 2, "{found:?}");
        for what in ["NOPE", "expected", "is not a template"] {
            assert!(has(what) > 0, "{what}: {found:?}");
        }
    }

    #[test]
    fn records_out_of_order_are_found_and_the_last_of_a_code_counts() {
        let catalog = crate::sample::generate(1);
        let mut elements: Vec<_> = catalog.elements.values().collect();
        elements.reverse();
        let mut skeleton = Skeleton::default();
        for e in &elements {
            skeleton.push(RecordRef::Element(e));
        }
        let mut with_parent = elements[0].clone();
        with_parent.parent = Some(elements[1].code.as_str().into());
        skeleton.push(RecordRef::Element(&with_parent));
        skeleton.finish();
        assert_eq!(skeleton.count(Kind::Element), elements.len());
        for e in &elements[1..] {
            assert_eq!(
                skeleton.edges(Kind::Element, &e.code, "parent"),
                Some(e.parent.as_deref().into_iter().collect())
            );
        }
        assert_eq!(
            skeleton.edges(Kind::Element, &elements[0].code, "parent"),
            Some(vec![elements[1].code.as_str()])
        );
    }
}
