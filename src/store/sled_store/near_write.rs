//! Writes that need only the records near them, so that a store open on demand saves pane
//! 3's designer, pane 2's element edits and pane 1's item and material edits without loading
//! its catalog (at a million elements a loaded catalog holds 670 MiB; the records near a
//! form, a few dozen).
//!
//! A change to forms' names, items and fields (bindings, labels, order, sections, required
//! flags, help, conditions, workflow) that leaves each form's material as it was, a new form,
//! a change to elements, items, materials, bundles, agencies or regions, new ones too (an
//! agency renamed with the elements it sources, read as the search index's file names them:
//! their search rows name it), the delete of an item, a
//! material or a bundle nothing references, and the delete of an element whose every
//! referrer (by the cached element links) the batch changes too (a merge, see `near_merge`),
//! are validated exactly as over the whole catalog: what such a record is checked against is
//! whether what it references exists, what it reaches along the relations that must stay
//! acyclic (an element's or a region's parents, an item's parents and what it depends on,
//! for a cycle),
//! its own fields, and for an item its child items (their level against its own, and what
//! they reference); nothing else is checked against it. The write is the same transaction
//! (records, search rows, audit); the search rows are the tree's, an element's made anew with
//! its count as the tree has it, and those of the elements whose use counts move with their
//! counts moved. The cache files the on-demand panes read are kept: the outline (changed
//! forms, items, materials, bundles, agencies and regions set, new ones placed among the
//! others, all in one pass however many they are; a deleted one taken out; the count of
//! records) and the element links (the forms' bindings and the elements' parents
//! replaced, in one pass however many records changed), written again once the change is
//! flushed (links no reference of the change moves are not read, and their file is put back
//! as it was: at a million elements 21 MB neither read nor written; the outline's file too,
//! its count of records set, when nothing else of it changed), and the search index's file (its moved use counts set, its changed elements'
//! entries made anew and its deleted ones' taken out, see `search_file`). The statistics are
//! removed, as by every write; the lint counts are kept for items and materials (their
//! change moves no form's warnings) and bundles (the warnings of their items' forms'
//! conditions followed, see `near_conditions`), and otherwise are the caller's to save (it
//! knows a form's warnings; an element's change may move any form's).

use std::collections::BTreeMap;

use super::{RowsFrom, SearchRows, SledStore, UnloadedStore, scan, search_tree};
use crate::engine::search::{SearchRow, agency_text};
use crate::model::invariants::Changes;
use crate::model::{
    Catalog, Element, ElementLinks, Kind, LinkChange, Outline, OutlineSource, Record, RecordRef,
};
use crate::store::cache_file::{
    LINKS, LINKS_BASE, OUTLINE, OUTLINE_BASE, has_links, read_links, read_lint, stamp, write_links,
    write_lint, write_outline,
};
use crate::store::search_file::OldSearchFile;
use crate::store::{Applied, Batch, Command, Store, StoreError};

/// A record a batch changes: its kind and code, as stored (`None`: new) and as the batch
/// has it (`None`: deleted).
pub(super) struct Change {
    pub(super) kind: Kind,
    pub(super) code: String,
    pub(super) old: Option<Record>,
    pub(super) new: Option<Record>,
    /// An agency renamed: the codes of the elements it sources, whose search rows name it.
    pub(super) sources: Vec<String>,
}

impl Change {
    /// The record's kind and code.
    fn key(&self) -> (Kind, &str) {
        (self.kind, &self.code)
    }

    /// Whether the change moves the element links: the record (a form, an element)
    /// references other elements than it did, or at other places, or (a form) of another
    /// item (see [`LinkChange::references_as`]).
    fn moves_links(&self) -> bool {
        let (old, new) = (self.link_change(&self.old), self.link_change(&self.new));
        !new.references_as(&old)
    }

    /// What `record` (the record as stored or as the batch has it) references.
    fn link_change<'a>(&'a self, record: &'a Option<Record>) -> LinkChange<'a> {
        match record {
            Some(Record::Form(form)) => LinkChange::form(form),
            Some(Record::Element(element)) => LinkChange::element(element),
            _ => LinkChange::deleted(self.kind, &self.code),
        }
    }
}

/// The most elements the agencies a write renames may source for it to be written over the
/// records near it: their rows go in parts through the journal (see `SledStore::write`), so
/// at a million elements an agency sourcing 86,019 of them is renamed in 4.0 s at 275 MiB,
/// against 13.3 s at 1,039 MiB over the loaded catalog; twice that many would still take
/// about half of the catalog's memory.
const MOST_SOURCES: usize = 2 * UnloadedStore::MOST_NEAR;

/// What a write over the records near it did.
#[derive(Debug, Default)]
pub struct NearWritten {
    /// What changed.
    pub applied: Applied,
    /// The search rows it wrote, by element code: an index of the store in memory follows
    /// the change by them.
    pub rows: SearchRows,
    /// The element links after it.
    pub links: WrittenLinks,
}

/// The element links after a write over the records near it.
#[derive(Debug, Default)]
pub enum WrittenLinks {
    /// The store has none cached.
    #[default]
    None,
    /// As `links.idx` now holds them: the caller's, or read, followed through the change.
    Held(Box<ElementLinks>),
    /// In `links.idx` as they were, not read: the change moved no reference, and the file
    /// was put back naming the store as it is now (see the store's cache files).
    InFile,
}

impl WrittenLinks {
    /// The links, when they were held.
    pub fn held(self) -> Option<ElementLinks> {
        match self {
            WrittenLinks::Held(links) => Some(*links),
            _ => None,
        }
    }
}

impl UnloadedStore {
    /// Writes `batch` over the records `near` it, without the catalog, when it is a change to
    /// forms' names and fields, to elements, items, materials or bundles (new ones too), or
    /// a delete the module documentation lists; `near` holds the records the caller read
    /// near them (a designer's, an editor's: what they reference is read here where it lacks
    /// it) and follows the change, as `outline` does. `Ok(None)`: the batch needs the whole
    /// catalog (another kind of change, a delete of a record something references, a form
    /// given another material, a store without a current search tree or outline entry), and
    /// nothing was written. Refused as a loaded store refuses it otherwise ([`StoreError::Invalid`] and
    /// the rest), nothing written either.
    pub fn apply_near(
        &mut self,
        batch: Batch,
        near: &mut Catalog,
        outline: &mut Outline,
    ) -> Result<Option<NearWritten>, StoreError> {
        self.apply_near_holding(batch, near, outline, None, &mut |_, _| {})
    }

    /// [`UnloadedStore::apply_near`], given the element links the caller read from this
    /// store's `links.idx` (`held`; `None`: read here): they follow the change instead of a
    /// copy read again (at a million elements a copy is 21 MB, and a change makes another),
    /// and come back in [`NearWritten::links`]. `progress` is told how far a batch written
    /// in chunks has come (see [`crate::store::Store::apply_reporting`]).
    pub fn apply_near_holding(
        &mut self,
        batch: Batch,
        near: &mut Catalog,
        outline: &mut Outline,
        held: Option<ElementLinks>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<NearWritten>, StoreError> {
        let path = self.0.path.clone();
        // the links are read when the batch deletes an element (its referrers must all be
        // changed too) or moves a reference; otherwise `links.idx` is left as it is, unread
        let deletes_elements = (batch.commands.iter()).any(|c| {
            matches!(
                c,
                Command::Delete {
                    kind: Kind::Element,
                    ..
                }
            )
        });
        let mut links = match deletes_elements {
            true => held.or_else(|| read_links(&path)),
            false => held,
        };
        let Some(mut changed) = self.changed_near(&batch, outline, links.as_ref())? else {
            return Ok(None);
        };
        if links.is_none() && changed.iter().any(Change::moves_links) {
            links = read_links(&path);
        }
        // (what `links.idx` names while it describes the store as it is before the write; a
        // file is put back only if this write sets it aside, not one an earlier write that
        // failed left aside)
        let before = stamp(&path);
        let sets_aside = !self.0.cache_removed;
        // the store's own versions, and what the new ones reference (an element's parents
        // up to the root), so that the batch is checked against the store as it is; the
        // elements a renamed agency sources are not read: their stored rows name it anew
        let mut sourced = BTreeMap::new();
        for change in &mut changed {
            for element in std::mem::take(&mut change.sources) {
                sourced.insert(element, change.code.clone());
            }
            if let Some(old) = &change.old {
                near.insert(old.clone());
            }
            if let Some(new) = &change.new {
                self.add_near(near, new.as_ref(), Some(outline))?;
            }
        }
        // an item's, a material's, an agency's or a region's change moves no form's
        // warnings, a bundle's those of its items' forms' conditions: the counts are kept,
        // those followed
        let mut lint = changed
            .iter()
            .all(|c| crate::engine::lint::moves_no_warning(c.key().0))
            .then(|| read_lint(&self.0.path))
            .flatten();
        if let Some(counts) = &mut lint {
            self.follow_conditions(counts, &changed, outline)?;
        }
        // the search index's file, still readable once the write has set it aside
        let search = OldSearchFile::open_current(&self.0.path);
        let whole = std::mem::replace(
            &mut self.0.catalog,
            std::sync::Arc::new(std::mem::take(near)),
        );
        self.0.sourced = sourced;
        let written = self.0.apply_with(batch, RowsFrom::Tree(None), progress);
        self.0.sourced = BTreeMap::new();
        let after = std::mem::replace(&mut self.0.catalog, whole);
        *near = std::sync::Arc::try_unwrap(after).unwrap_or_else(|shared| (*shared).clone());
        let (applied, rows) = written?;
        self.0.reads.add_written(changed.len());
        // (every row it wrote: those kept for `take_search_changes` are dropped past a bound)
        let _ = Store::take_search_changes(&mut self.0);
        if applied.is_noop() {
            // (nothing was written: `links.idx` is as it was)
            let links = match links {
                Some(links) => WrittenLinks::Held(Box::new(links)),
                None if has_links(&path) => WrittenLinks::InFile,
                None => WrittenLinks::None,
            };
            return Ok(Some(NearWritten {
                applied,
                rows,
                links,
            }));
        }
        // flushed: the caches follow, from the records as stored (the outline and the links
        // each in one pass)
        let mut follows = true;
        let mut followed = Vec::new();
        let (mut upserts, mut deleted) = (Vec::new(), Vec::new());
        for change in &changed {
            let (kind, code) = change.key();
            match near.get(kind, code) {
                Some(RecordRef::Element(element)) => followed.push(LinkChange::element(element)),
                Some(record) => {
                    if let RecordRef::Form(form) = record {
                        followed.push(LinkChange::form(form));
                    }
                    upserts.push(record);
                }
                // an element is in no outline; its reference to its parent goes from the
                // links (what referenced it references it no more: checked)
                None if kind == Kind::Element => followed.push(LinkChange::deleted(kind, code)),
                None => deleted.push((kind, code)),
            }
        }
        // (a write of elements alone counts the records anew: the file is put back so)
        let counted_only = upserts.is_empty() && deleted.is_empty();
        let counted = outline.records;
        if !upserts.is_empty() {
            follows &= outline.follow_upserts(&upserts);
        }
        // nothing references them (what did, the batch changed: its links are made anew)
        for (kind, code) in deleted {
            follows &= outline.follow_deleted(kind, code);
        }
        // (it does: the forms were checked to be the outline's, of the same items; new forms,
        // items and materials were placed in it, deleted ones taken out; elements are not in
        // it, but counted among its records)
        outline.records = (outline.records + applied.created).saturating_sub(applied.deleted);
        let counts = (counted, outline.records);
        let put_back_counted =
            || sets_aside && OUTLINE.put_back_counted(&path, OUTLINE_BASE, before, counts);
        if follows && !(counted_only && put_back_counted()) {
            write_outline(&self.0.path, outline);
        }
        // links the change moved are written anew; others are put back as they were
        let put_back = || sets_aside && LINKS.put_back(&path, LINKS_BASE, before);
        let links = match links {
            Some(links) if links.changed_by(&followed) => {
                let links = links.with_changes(&followed);
                write_links(&path, &links);
                WrittenLinks::Held(Box::new(links))
            }
            Some(links) => {
                if !put_back() {
                    write_links(&path, &links);
                }
                WrittenLinks::Held(Box::new(links))
            }
            None if put_back() => WrittenLinks::InFile,
            None => WrittenLinks::None,
        };
        if let Some(search) = search {
            search.follow(&self.0.path, &rows, &agencies_renamed(&changed));
        }
        if let Some(lint) = &lint {
            write_lint(&self.0.path, lint);
        }
        // the next write must remove them again
        self.0.cache_removed = false;
        Ok(Some(NearWritten {
            applied,
            rows,
            links,
        }))
    }

    /// The records `batch` changes, each as stored (`None`: a new element) and as the batch
    /// has it, when the batch is one the store can write over the records near it (see
    /// [`UnloadedStore::apply_near`]); `None` when it is not.
    fn changed_near(
        &self,
        batch: &Batch,
        outline: &Outline,
        links: Option<&ElementLinks>,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        if batch.commands.len() > Self::MOST_NEAR || !self.0.search_is_current()? {
            return Ok(None);
        }
        let mut changed: BTreeMap<(Kind, &str), Change> = BTreeMap::new();
        for command in &batch.commands {
            let new = match command {
                Command::Upsert(new) => new,
                // an item or a material nothing references, as the outline knows (one that
                // something references is refused over the whole catalog, naming them all)
                Command::Delete { kind, code } => {
                    let unreferenced = match kind {
                        Kind::Item | Kind::Material => {
                            outline.referrers(*kind, code).is_some_and(|r| r.is_empty())
                        }
                        // a bundle is referenced only by those claimed from it
                        Kind::Bundle => {
                            outline.bundle_name(code).is_some()
                                && self.bundles_claimed_from(code)?.is_empty()
                        }
                        // an element whose every referrer the links name (the forms binding
                        // it, the elements under it) the batch changes too (a merge): those
                        // are checked, near it, to reference it no more
                        Kind::Element => links.is_some_and(|links| {
                            links.referrers(code).into_iter().all(|(kind, code)| {
                                batch.commands.iter().any(|c| c.key() == (kind, code))
                            })
                        }),
                        _ => false,
                    };
                    let old = self.record(*kind, code)?;
                    if !unreferenced || old.is_none() {
                        return Ok(None);
                    }
                    let change = Change {
                        kind: *kind,
                        code: code.clone(),
                        old,
                        new: None,
                        sources: Vec::new(),
                    };
                    changed.insert((*kind, code), change);
                    continue;
                }
            };
            let old = self.record(new.kind(), new.code())?;
            let near = match (&old, new) {
                // a form that keeps its material (its item the outline follows, checked to
                // exist as every reference is; what it binds follows in the links)
                (Some(Record::Form(old)), Record::Form(new)) => {
                    let outlined = outline.form(&new.code);
                    new.material == old.material
                        && outlined.is_some_and(|f| f.item == old.item.as_deref())
                }
                // a new form, which nothing references: checked against what it references,
                // placed in the outline and the links
                (None, Record::Form(new)) => outline.form(&new.code).is_none(),
                // an element is in no outline; what references it is not checked against it
                (_, Record::Element(_)) => true,
                // an item the outline holds, which follows it (its children, whose level is
                // checked against its own, are read by the outline)
                (Some(Record::Item(_)), Record::Item(new)) => outline.item(&new.code).is_some(),
                // a new item, which nothing references yet: checked against what it
                // references, placed in the outline
                (None, Record::Item(new)) => outline.item(&new.code).is_none(),
                // a material: only its name is in the outline; a new one is placed in it
                (Some(Record::Material(_)), Record::Material(_)) => true,
                (None, Record::Material(new)) => !outline.has_material(&new.code),
                // a bundle: checked against what it references (what references it, the
                // bundles claimed from it, is not checked against it), its name and links
                // followed in the outline (a new one placed in it)
                (Some(Record::Bundle(_)), Record::Bundle(new)) => {
                    outline.bundle_name(&new.code).is_some()
                }
                (None, Record::Bundle(new)) => outline.bundle_name(&new.code).is_none(),
                // an agency: what references it is not checked against it; its name is in the
                // outline (a new one placed in it) and in the search rows of the elements it
                // sources: renamed, those are read by the search index's file (below)
                (Some(Record::Agency(_)), Record::Agency(_)) => true,
                (None, Record::Agency(new)) => outline.agency_name(&new.code).is_none(),
                // a region: its name is in the outline (a new one placed in it), its parent on
                // a relation that must stay acyclic (read up to the root, as an element's);
                // what references it is not checked against it
                (Some(Record::Region(_)), Record::Region(_)) => true,
                (None, Record::Region(new)) => outline.region_name(&new.code).is_none(),
                _ => false,
            };
            if !near {
                return Ok(None);
            }
            let change = Change {
                kind: new.kind(),
                code: new.code().to_string(),
                old,
                new: Some(new.clone()),
                sources: Vec::new(),
            };
            changed.insert((new.kind(), new.code()), change);
        }
        let mut changed: Vec<Change> = changed.into_values().collect();
        let renamed: Vec<&mut Change> = (changed.iter_mut())
            .filter(|c| match (&c.old, &c.new) {
                (Some(Record::Agency(old)), Some(Record::Agency(new))) => old.name != new.name,
                _ => false,
            })
            .collect();
        if !renamed.is_empty() && !self.read_sources(renamed)? {
            return Ok(None);
        }
        Ok(Some(changed))
    }

    /// Reads into each of `renamed` (agencies renamed, as stored) the codes of the elements
    /// it sources, as the search index's file names them, in one pass over the file, each
    /// checked against its record (read one at a time). Returns whether it read them: not
    /// when the file is not current, or they are more than [`MOST_SOURCES`].
    fn read_sources(&self, renamed: Vec<&mut Change>) -> Result<bool, StoreError> {
        let Some(search) = OldSearchFile::open_current(&self.0.path) else {
            return Ok(false);
        };
        let agencies: Vec<crate::model::Agency> = (renamed.iter())
            .filter_map(|c| match &c.old {
                Some(Record::Agency(a)) => Some(a.clone()),
                _ => None,
            })
            .collect();
        let texts: Vec<String> = (agencies.iter())
            .map(|a| crate::engine::search::agency_text(&a.code, Some(&a.name)))
            .collect();
        let Ok(sourced) = search.sourced_by(&texts) else {
            return Ok(false);
        };
        if sourced.iter().map(Vec::len).sum::<usize>() > MOST_SOURCES {
            return Ok(false);
        }
        for ((change, agency), codes) in renamed.into_iter().zip(&agencies).zip(sourced) {
            for code in codes {
                // (a code that differs only in case names the same text)
                let record = self.record(Kind::Element, &code)?;
                if let Some(Record::Element(e)) = &record
                    && e.source_agency.as_deref() == Some(agency.code.as_str())
                {
                    change.sources.push(code);
                }
            }
        }
        Ok(true)
    }

    /// Adds to `near` what `record` references, read from the store where `near` lacks it;
    /// what it reaches along the relations that must stay acyclic (an element's parents, an
    /// item's parents and what it depends on, and theirs), so that a cycle through them is
    /// found as over the whole catalog; and an item's referrers among the items as the
    /// `outline` lists them (its children, whose level is checked against its own): what
    /// checking the record reads. What an editor over the records near one validates with.
    pub fn add_near(
        &self,
        near: &mut Catalog,
        record: RecordRef<'_>,
        outline: Option<&Outline>,
    ) -> Result<(), StoreError> {
        self.add_references(near, record)?;
        let kind = record.kind();
        let mut seen = std::collections::HashSet::from([record.code().to_string()]);
        let mut next = acyclic_edges(record);
        while let Some(code) = next.pop() {
            if !seen.insert(code.clone()) {
                continue;
            }
            match near.get(kind, &code) {
                Some(found) => next.extend(acyclic_edges(found)),
                None => {
                    if let Some(found) = self.record(kind, &code)? {
                        next.extend(acyclic_edges(found.as_ref()));
                        near.insert(found);
                    }
                }
            }
        }
        // an item's child items are checked with it, against what they reference
        if let (RecordRef::Item(item), Some(outline)) = (record, outline) {
            let referrers = outline
                .referrers(Kind::Item, &item.code)
                .unwrap_or_default();
            for (kind, code) in referrers.into_iter().filter(|(k, _)| *k == Kind::Item) {
                let found = match near.get(kind, code) {
                    Some(found) => Some(found.to_record()),
                    None => self.record(kind, code)?,
                };
                if let Some(found) = found {
                    self.add_references(near, found.as_ref())?;
                    near.insert(found);
                }
            }
        }
        Ok(())
    }

    /// Adds to `near` what `record` references, read from the store where `near` lacks it.
    fn add_references(&self, near: &mut Catalog, record: RecordRef<'_>) -> Result<(), StoreError> {
        for r in record.references() {
            if near.get(r.target, r.code).is_none()
                && let Some(found) = self.record(r.target, r.code)?
            {
                near.insert(found);
            }
        }
        Ok(())
    }
}

/// The agencies `changed` renames, as a search row names one (see
/// [`crate::engine::search::agency_text`]): as they were → as they are.
fn agencies_renamed(changed: &[Change]) -> BTreeMap<String, String> {
    use crate::engine::search::agency_text;
    let mut renamed = BTreeMap::new();
    for change in changed {
        if let (Some(Record::Agency(old)), Some(Record::Agency(new))) = (&change.old, &change.new)
            && old.name != new.name
        {
            let text = |a: &crate::model::Agency| agency_text(&a.code, Some(&a.name));
            renamed.insert(text(old), text(new));
        }
    }
    renamed
}

/// The codes `record` points to along the relations that must stay acyclic (see
/// `model::invariants`): an element's or a region's parent, an item's parent and what it
/// depends on.
fn acyclic_edges(record: RecordRef<'_>) -> Vec<String> {
    match record {
        RecordRef::Element(e) => e.parent.iter().map(|p| p.to_string()).collect(),
        RecordRef::Region(r) => r.parent.iter().map(|p| p.to_string()).collect(),
        RecordRef::Item(i) => i
            .parent
            .iter()
            .map(|p| p.to_string())
            .chain(i.depends_on.iter().map(|d| d.to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

impl SledStore {
    /// The search rows a chunk changes, read from the search tree: each element whose use
    /// count its forms change, its row with the count moved, and each of its elements, its
    /// row made anew with its count as the tree has it (the loaded catalog's rows are
    /// [`SledStore::search_rows`]; the records are the same). A row `staged` holds (what the
    /// chunks of one write staged before this one make it) is taken instead of the tree's.
    pub(super) fn search_rows_from_tree(
        &self,
        chunk: &[(Kind, String)],
        changes: &Changes,
        staged: Option<&SearchRows>,
    ) -> Result<SearchRows, StoreError> {
        let mut rows = SearchRows::new();
        for (code, change) in self.rows_touched(chunk, changes) {
            let row = match staged.and_then(|rows| rows.get(&code)) {
                Some(row) => row.clone(),
                None => search_tree::row_read(&self.search, &code, |key| {
                    scan::touch_spread(&self.search, key);
                })?,
            };
            let uses = (i64::from(row.as_ref().map_or(0, |r| r.uses)) + change).max(0);
            let uses = u32::try_from(uses).unwrap_or(u32::MAX);
            let made = |e: &Element| {
                let agency =
                    (e.source_agency.as_deref()).and_then(|a| self.agency_name(a, changes));
                SearchRow::of(e, agency.as_deref(), uses as usize)
            };
            let renamed = |e: &&Element| {
                (e.source_agency.as_deref())
                    .is_some_and(|a| changes.contains_key(&(Kind::Agency, a.to_string())))
            };
            let row = match changes.get(&(Kind::Element, code.clone())) {
                Some(Some(Record::Element(e))) => Some(made(e)),
                // deleted: its row goes
                Some(_) => {
                    rows.insert(code, None);
                    continue;
                }
                // an element whose source agency the batch renames (read beside it, or
                // named by the search index's file: its stored row, which the element's record
                // made, naming the agency anew)
                None => match self.catalog.elements.get(code.as_str()).filter(renamed) {
                    Some(e) => Some(made(e)),
                    None => match (row, self.sourced.get(&code)) {
                        (Some(row), Some(agency)) => {
                            let name = self.agency_name(agency, changes);
                            let agency = Some(agency_text(agency, name.as_deref()));
                            Some(SearchRow {
                                agency,
                                uses,
                                ..row
                            })
                        }
                        (row, _) => row.map(|row| SearchRow { uses, ..row }),
                    },
                },
            };
            if let Some(row) = row {
                rows.insert(code, Some(row));
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{ElementLinks, Form, SharedText};
    use crate::store::cache_file::{read_links, read_outline};
    use crate::store::search_file::read_search;

    /// A store in `dir` holding the sample at scale 1, with its outline, links and search
    /// index cached.
    pub(crate) fn sample_store(dir: &Path) -> SledStore {
        let mut store = super::super::tests::sample_store(dir);
        store.save_outline();
        let read = store.snapshot().search();
        assert!(store.save_search(&read.data, read.cacheable_at.unwrap()));
        let read = store.snapshot().lint();
        assert!(store.save_lint(&read.data, read.cacheable_at.unwrap()));
        store
    }

    /// The sample's catalog, and a store of it in `dir` (see [`sample_store`]) opened on
    /// demand, with its outline.
    fn opened_on_demand(dir: &Path) -> (Catalog, UnloadedStore, Outline) {
        let catalog = sample_store(dir).catalog().clone();
        let store = SledStore::open_unloaded(dir).unwrap();
        let outline = store.outline().unwrap();
        (catalog, store, outline)
    }

    /// Designer-like edits of forms of `catalog`: each form as changed (its fields, its name,
    /// its item), or new.
    fn edits(catalog: &Catalog) -> Vec<Form> {
        let spare: Vec<&str> = catalog.elements.keys().map(|c| c.as_str()).collect();
        let items: Vec<&str> = catalog.items.keys().map(|c| c.as_str()).collect();
        let mut out = Vec::new();
        for (n, form) in catalog.forms.values().take(35).enumerate() {
            let mut form = form.clone();
            let fields = form.sections.iter_mut().flat_map(|s| s.fields.iter_mut());
            match n % 7 {
                // moved to another item, or to none
                6 if n % 2 == 0 => form.item = Some(items[n * 3].into()),
                6 => form.item = None,
                0 => fields.for_each(|f| f.element = None),
                1 => fields.for_each(|f| f.required = !f.required),
                2 => form.sections.iter_mut().for_each(|s| s.fields.reverse()),
                // bound to elements the form did not bind (not near it)
                3 => fields
                    .zip(spare.iter().rev())
                    .for_each(|(f, e)| f.element = Some(SharedText::from(*e))),
                4 => {
                    form.sections.pop();
                    form.name = format!("{}（改）", form.name).into();
                }
                _ => fields.for_each(|f| f.label = SharedText::from(format!("改 {}", f.label))),
            }
            out.push(form);
        }
        // new forms: a copy of one under another item, and one of no item with no field
        for (n, form) in catalog.forms.values().step_by(7).take(4).enumerate() {
            let mut form = form.clone();
            form.code = format!("{}-NEW", form.code).into();
            form.name = format!("新表单{n}").into();
            form.status = crate::model::Status::Draft;
            if n % 2 == 0 {
                form.item = Some(items[items.len() - 1 - n].into());
            } else {
                form.item = None;
                form.material = None;
                form.sections.clear();
            }
            out.push(form);
        }
        out
    }

    /// Writes each of `edits` (made of the loaded catalog) near it on one sample store and
    /// loaded on another, and asserts the same records, search rows and caches come of it;
    /// how many search rows they wrote in all, and after how many the lint counts were kept.
    fn written_as_over_the_whole_catalog(
        edits: impl Fn(&Catalog) -> Vec<Command>,
        near_of: impl Fn(&UnloadedStore, &Command, &Outline) -> Catalog,
    ) -> (usize, usize) {
        let mut pending = None;
        let next = |catalog: &Catalog| {
            let commands = pending.get_or_insert_with(|| edits(catalog).into_iter());
            commands.next().map(|command| Batch {
                action: "edit".into(),
                commands: vec![command],
            })
        };
        let near = |store: &UnloadedStore, batch: &Batch, outline: &Outline| {
            near_of(store, &batch.commands[0], outline)
        };
        batches_written_as_over_the_whole_catalog(next, near)
    }

    /// [`written_as_over_the_whole_catalog`], of batches (each record they change compared),
    /// each made by `next` of the loaded catalog as the ones before left it.
    pub(crate) fn batches_written_as_over_the_whole_catalog(
        mut next: impl FnMut(&Catalog) -> Option<Batch>,
        near_of: impl Fn(&UnloadedStore, &Batch, &Outline) -> Catalog,
    ) -> (usize, usize) {
        let mut kept_lint = 0;
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        drop(sample_store(a.path()));
        let mut loaded = sample_store(b.path());
        // the sample's rows, too many to keep
        assert!(loaded.take_search_changes().rows.is_none());
        let mut unloaded = SledStore::open_unloaded(a.path()).unwrap();
        let mut outline = unloaded.outline().unwrap();
        let mut moved = 0;
        // every other write is given the links the one before gave back
        let mut held = None;
        let mut n = 0;
        while let Some(batch) = next(loaded.catalog()) {
            n += 1;
            let mut near = near_of(&unloaded, &batch, &outline);
            let code = (batch.commands.first()).map_or(String::new(), |c| c.key().1.to_string());
            let batch = || batch.clone();
            let given = std::mem::take(&mut held).filter(|_| n % 2 == 1);
            let none_given = given.is_none();
            let written = unloaded
                .apply_near_holding(batch(), &mut near, &mut outline, given, &mut |_, _| {})
                .unwrap()
                .expect("written near it");
            let in_file = matches!(written.links, WrittenLinks::InFile);
            // (put back unread only when no links were given)
            assert!(!in_file || none_given, "{code}");
            let applied = loaded.apply(batch()).unwrap();
            assert_eq!(written.applied, applied, "{code}");
            for command in &batch().commands {
                let (kind, code) = command.key();
                assert_eq!(near.get(kind, code), loaded.catalog().get(kind, code));
            }
            let rows = loaded.take_search_changes().rows.unwrap();
            assert_eq!(written.rows, rows, "{code}");
            moved += rows.len();
            // the caches the on-demand panes read follow
            let links = ElementLinks::of(loaded.catalog());
            held = written.links.held();
            assert!(in_file || held.as_ref() == Some(&links), "{code}");
            assert_eq!(read_links(a.path()), Some(links), "{code}");
            let expected = Outline::of(loaded.catalog());
            assert_eq!(read_outline(a.path()).as_ref(), Some(&expected), "{code}");
            assert_eq!(outline, expected, "{code}");
            // the search index's file too, its moved and remade entries at their ranks
            let data = crate::engine::search::data_of(loaded.catalog());
            // (an agency new to it is added at the end, where a fresh index has it in order)
            let found = read_search(a.path()).expect("search.idx");
            // (the rows written since the file was set aside patched in, put in entry order)
            let found = found.in_entry_order().expect("readable").into_owned();
            assert_eq!(found.with_agencies_as(&data), data, "{code}");
            // the lint counts are kept only when they hold
            if let Some(lint) = read_lint(a.path()) {
                assert_eq!(
                    lint,
                    crate::engine::lint::counts(loaded.catalog()),
                    "{code}"
                );
                kept_lint += 1;
            }
        }
        // the same records and search rows as the loaded store's, and a sound store
        let search = search_tree::read_all(&unloaded.0.search).unwrap();
        assert_eq!(search, search_tree::read_all(&loaded.search).unwrap());
        let reloaded = unloaded.load().unwrap();
        let records = |c: &Catalog| c.records().map(RecordRef::to_record).collect::<Vec<_>>();
        assert_eq!(records(reloaded.catalog()), records(loaded.catalog()));
        assert_eq!(reloaded.check().unwrap(), Vec::<String>::new());
        (moved, kept_lint)
    }

    #[test]
    fn forms_written_near_them_are_written_as_over_the_whole_catalog() {
        let edits = |c: &Catalog| {
            let forms = edits(c).into_iter();
            forms.map(|f| Command::Upsert(Record::Form(f))).collect()
        };
        let near = |store: &UnloadedStore, command: &Command, outline: &Outline| {
            match store.form_records(&key_of(command).1, outline).unwrap() {
                Some(near) => near,
                // a new form: what it references
                None => match command {
                    Command::Upsert(Record::Form(form)) => {
                        store.records_near_form(form, outline).unwrap()
                    }
                    _ => unreachable!("a form"),
                },
            }
        };
        let (moved, kept_lint) = written_as_over_the_whole_catalog(edits, near);
        assert!(moved > 50, "{moved}");
        assert_eq!(kept_lint, 0, "the caller saves a form's warnings");
    }

    /// The kind and code of the record `command` changes.
    fn key_of(command: &Command) -> (Kind, String) {
        let (kind, code) = command.key();
        (kind, code.to_string())
    }

    /// Upserts of `records`.
    fn upserts(records: Vec<Record>) -> Vec<Command> {
        records.into_iter().map(Command::Upsert).collect()
    }

    /// The records near a change an editor starts from: the record as stored, alone (what
    /// it references is read by the write).
    fn stored_only(store: &UnloadedStore, command: &Command, _: &Outline) -> Catalog {
        let (kind, code) = key_of(command);
        let mut near = Catalog::default();
        if let Some(old) = store.record(kind, &code).unwrap() {
            near.insert(old);
        }
        near
    }

    /// Editor-like edits of elements of `catalog`: each element as changed, or new.
    fn element_edits(catalog: &Catalog) -> Vec<Record> {
        let codes: Vec<&str> = catalog.elements.keys().map(|c| c.as_str()).collect();
        let agencies: Vec<&str> = catalog.agencies.keys().map(|c| c.as_str()).collect();
        let mut out = Vec::new();
        let under: Vec<_> = catalog
            .elements
            .values()
            .filter(|e| e.parent.is_some())
            .collect();
        let sourced: Vec<_> = catalog
            .elements
            .values()
            .filter(|e| e.source_agency.is_some())
            .collect();
        for (n, element) in catalog.elements.values().step_by(11).take(24).enumerate() {
            let mut e = match n % 8 {
                4 => under[n % under.len()].clone(),
                6 => sourced[n % sourced.len()].clone(),
                _ => element.clone(),
            };
            match n % 8 {
                0 => e.name = format!("{}（新）", e.name).into(),
                1 => e.synonyms.push(format!("又名{n}").into()),
                2 => e.status = crate::model::Status::Submitted,
                // under another element, then out from under any
                3 => e.parent = Some(codes[n * 3].into()),
                4 => e.parent = None,
                // another source agency, then none
                5 => e.source_agency = Some(agencies[n % agencies.len()].into()),
                6 => e.source_agency = None,
                // a new element under this one
                _ => {
                    e.code = format!("{}X", e.code).into();
                    e.name = format!("新数据元{n}").into();
                    e.parent = Some(element.code.as_str().into());
                }
            }
            out.push(Record::Element(e));
        }
        out
    }

    #[test]
    fn elements_written_near_them_are_written_as_over_the_whole_catalog() {
        // every edit writes its element's row
        let edits = |c: &Catalog| upserts(element_edits(c));
        let (rows, kept_lint) = written_as_over_the_whole_catalog(edits, stored_only);
        assert_eq!(rows, 24);
        assert_eq!(
            kept_lint, 0,
            "an element's change moves any form's warnings"
        );
    }

    /// Editor-like edits of items of `catalog`: each item as changed, or new (a child
    /// item, a copy, a new main item).
    fn item_edits(catalog: &Catalog) -> Vec<Record> {
        let codes: Vec<&str> = catalog.items.keys().map(|c| c.as_str()).collect();
        let agencies: Vec<&str> = catalog.agencies.keys().map(|c| c.as_str()).collect();
        let materials: Vec<&str> = catalog.materials.keys().map(|c| c.as_str()).collect();
        let mut out = Vec::new();
        for (n, item) in catalog.items.values().step_by(12).take(24).enumerate() {
            let mut i = item.clone();
            match n % 8 {
                0 => i.name = format!("{}（改）", i.name).into(),
                1 => i.agency = Some(agencies[n % agencies.len()].into()),
                2 => i.materials = materials.iter().take(3).map(|m| (*m).into()).collect(),
                3 => i.depends_on = codes.iter().rev().take(2).map(|c| (*c).into()).collect(),
                4 => i.time_limit_days = 3,
                5 => i.status = crate::model::Status::Submitted,
                // a copy under a new code, placed among the items after it
                6 => {
                    i.code = format!("{}-copy", i.code).into();
                    i.name = format!("{}（副本）", i.name).into();
                }
                // a new item one level below this one (none below a 办理项: a new main item)
                _ => match crate::engine::workflow::new_child(catalog, item) {
                    Some(mut child) => {
                        child.name = format!("新事项{n}").into();
                        child.materials = materials.iter().take(2).map(|m| (*m).into()).collect();
                        i = child;
                    }
                    None => {
                        i.code = format!("SX{n:05}").into();
                        i.level = crate::model::ItemLevel::Main;
                        i.parent = None;
                    }
                },
            }
            out.push(Record::Item(i));
        }
        out
    }

    #[test]
    fn items_written_near_them_are_written_as_over_the_whole_catalog() {
        let edits = |c: &Catalog| upserts(item_edits(c));
        let (rows, kept_lint) = written_as_over_the_whole_catalog(edits, stored_only);
        assert_eq!(rows, 0, "an item has no search row");
        assert_eq!(kept_lint, 24, "an item's change moves no form's warnings");
    }

    #[test]
    fn materials_written_near_them_are_written_as_over_the_whole_catalog() {
        let edits = |catalog: &Catalog| {
            let agencies: Vec<&str> = catalog.agencies.keys().map(|c| c.as_str()).collect();
            let materials = catalog.materials.values().step_by(23).take(9).enumerate();
            let edit = |(n, m): (usize, &crate::model::Material)| {
                let mut m = m.clone();
                match n % 4 {
                    0 => m.name = format!("{}（改）", m.name).into(),
                    1 => m.issuing_agency = Some(agencies[n % agencies.len()].into()),
                    2 => m.copies += 1,
                    // a new material, among the others
                    _ => {
                        m.code = format!("{}-2", m.code).into();
                        m.name = format!("新材料{n}").into();
                    }
                }
                Record::Material(m)
            };
            upserts(materials.map(edit).collect())
        };
        let (rows, kept_lint) = written_as_over_the_whole_catalog(edits, stored_only);
        assert_eq!(
            (rows, kept_lint),
            (0, 9),
            "no search row; the warnings kept"
        );
    }

    #[test]
    fn items_and_materials_nothing_references_are_deleted_as_over_the_whole_catalog() {
        // the first, a middle one and the last of those nothing references, of each kind
        let deletes = |catalog: &Catalog| {
            let mut out = Vec::new();
            for kind in [Kind::Item, Kind::Material] {
                let codes: Vec<&str> = match kind {
                    Kind::Item => catalog.items.keys().map(|c| c.as_str()).collect(),
                    _ => catalog.materials.keys().map(|c| c.as_str()).collect(),
                };
                let free: Vec<&str> = codes
                    .into_iter()
                    .filter(|c| catalog.referrer_count(kind, c) == 0)
                    .collect();
                assert!(free.len() >= 3, "{kind:?}");
                for code in [free[0], free[free.len() / 2], free[free.len() - 1]] {
                    let code = code.to_string();
                    out.push(Command::Delete { kind, code });
                }
            }
            out
        };
        let (rows, kept_lint) = written_as_over_the_whole_catalog(deletes, stored_only);
        assert_eq!(
            (rows, kept_lint),
            (0, 6),
            "no search row; the warnings kept"
        );
    }

    /// Pane 4-like edits of bundles of `catalog`, then deletes: renamed, a step of the
    /// workflow, a question removed with what names it (a condition of its items' forms no
    /// other bundle answers then warns), an item taken out and another put in, a new bundle
    /// copying the one before, and the first, a middle and the last bundle deleted.
    fn bundle_edits(catalog: &Catalog) -> Vec<Command> {
        use crate::engine::lint::counts;
        let lint = counts(catalog);
        let items: Vec<&str> = catalog.items.keys().map(|c| c.as_str()).collect();
        let codes: Vec<&str> = catalog.bundles.keys().map(|c| c.as_str()).collect();
        assert!(codes.len() >= 4, "{codes:?}");
        // a bundle whose questions answer some form's condition
        let moves = |b: &crate::model::Bundle| {
            let mut changed = catalog.clone();
            changed.insert(Record::Bundle(b.clone()));
            counts(&changed) != lint
        };
        use crate::engine::bundle_edit::{RemoveTarget, remove};
        let asked = catalog.bundles.values().find_map(|b| {
            (0..b.questions.len()).find_map(|q| {
                let mut b = b.clone();
                remove(&mut b, RemoveTarget::Question(q))?;
                moves(&b).then_some(b)
            })
        });
        let asked = asked.expect("a bundle answering a condition");
        let mut out = Vec::new();
        for (n, code) in codes.iter().enumerate().take(4) {
            let mut b = catalog.bundles[*code].clone();
            match n {
                0 => b.name = format!("{}（改）", b.name).into(),
                1 => b.status = crate::model::Status::Submitted,
                2 => b = asked.clone(),
                _ => {
                    remove(&mut b, RemoveTarget::Item(0)).expect("an item");
                    b.items.push(items[n * 7].to_string());
                }
            }
            out.push(Command::Upsert(Record::Bundle(b)));
        }
        let mut copy = catalog.bundles[asked.code.as_str()].clone();
        copy.code = format!("{}-2", copy.code).into();
        copy.name = format!("{}（副本）", copy.name).into();
        out.push(Command::Upsert(Record::Bundle(copy)));
        // (none claimed from: a template claimed from is refused over the whole catalog)
        let free: Vec<&str> = codes
            .into_iter()
            .filter(|c| catalog.referrer_count(Kind::Bundle, c) == 0)
            .collect();
        for code in [free[0], free[free.len() / 2], free[free.len() - 1]] {
            let (kind, code) = (Kind::Bundle, code.to_string());
            out.push(Command::Delete { kind, code });
        }
        out
    }

    #[test]
    fn bundles_written_near_them_are_written_as_over_the_whole_catalog() {
        let (rows, kept_lint) = written_as_over_the_whole_catalog(bundle_edits, stored_only);
        assert_eq!(
            (rows, kept_lint),
            (0, 8),
            "no search row; the warnings followed"
        );
    }

    #[test]
    fn an_item_at_the_wrong_level_or_in_a_cycle_is_refused_near_it() {
        use crate::engine::workflow::new_child;
        let dir = tempfile::tempdir().unwrap();
        let (catalog, mut store, mut outline) = opened_on_demand(dir.path());
        let mut write = |record: Record| {
            let mut near = Catalog::default();
            store.apply_near(Batch::upserts("edit", [record]), &mut near, &mut outline)
        };
        // a parent one level down from its children: the children are checked against it
        let parent = catalog
            .items
            .values()
            .find(|i| {
                catalog
                    .items
                    .values()
                    .any(|c| c.parent.as_deref() == Some(&*i.code))
            })
            .unwrap();
        let mut demoted = parent.clone();
        demoted.level = crate::model::ItemLevel::ALL
            .into_iter()
            .find(|l| l.parent_level() == Some(parent.level))
            .unwrap();
        demoted.parent = None;
        let refused = write(Record::Item(demoted));
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
        // a new item below a 办理项 (the lowest level), or needing a material there is not
        let lowest = catalog
            .items
            .values()
            .find(|i| i.level.parent_level().is_some() && new_child(&catalog, i).is_none())
            .unwrap();
        let mut below = lowest.clone();
        below.code = format!("{}-01", lowest.code).into();
        below.parent = Some(lowest.code.as_str().into());
        let mut unknown = parent.clone();
        unknown.code = format!("{}-NEW", parent.code).into();
        unknown.materials = ["NO-SUCH-MATERIAL".into()].into_iter().collect();
        for new in [below, unknown] {
            let refused = write(Record::Item(new));
            assert!(
                matches!(refused, Err(StoreError::Invalid(_))),
                "{refused:?}"
            );
        }
        // items that depend on one another around a ring of four: the last link closes it,
        // found through items neither it nor its referrers name
        let ring: Vec<&crate::model::Item> = catalog.items.values().step_by(5).take(4).collect();
        for pair in ring.windows(2) {
            let mut item = pair[0].clone();
            item.depends_on = [pair[1].code.clone()].into_iter().collect();
            assert!(write(Record::Item(item)).unwrap().is_some());
        }
        let mut c = ring[3].clone();
        c.depends_on = [ring[0].code.clone()].into_iter().collect();
        let refused = write(Record::Item(c));
        let Err(StoreError::Invalid(problems)) = refused else {
            panic!("{refused:?}");
        };
        assert!(
            problems
                .iter()
                .any(|p| matches!(p.issue, crate::model::Issue::Cycle { .. })),
            "{problems:?}"
        );
    }

    #[test]
    fn an_element_under_its_own_descendant_is_refused_near_it() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, mut store, mut outline) = opened_on_demand(dir.path());
        let child = catalog
            .elements
            .values()
            .find(|e| e.parent.is_some())
            .unwrap();
        let parent = catalog.elements[child.parent.as_deref().unwrap()].clone();
        let mut write = |record: Record| {
            let mut near = Catalog::default();
            store.apply_near(Batch::upserts("edit", [record]), &mut near, &mut outline)
        };
        // a new element under the child: the parent, the child and it, three levels
        let mut grandchild = child.clone();
        grandchild.code = format!("{}G", child.code).into();
        grandchild.parent = Some(child.code.as_str().into());
        let created = write(Record::Element(grandchild.clone())).unwrap().unwrap();
        assert_eq!(created.applied.created, 1);
        // the parent under the grandchild: the cycle runs through the child, read as the
        // grandchild's parent
        let mut looped = parent.clone();
        looped.parent = Some(grandchild.code.as_str().into());
        let refused = write(Record::Element(looped));
        let Err(StoreError::Invalid(problems)) = refused else {
            panic!("{refused:?}");
        };
        assert!(
            problems
                .iter()
                .any(|p| matches!(&p.issue, crate::model::Issue::Cycle { codes } if codes.contains(&child.code.to_string()))),
            "{problems:?}"
        );
        assert_eq!(
            store.record(Kind::Element, &parent.code).unwrap(),
            Some(Record::Element(parent))
        );
    }

    #[test]
    fn a_region_under_its_own_descendant_is_refused_near_it() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, mut store, mut outline) = opened_on_demand(dir.path());
        // 四川省 under 广安区, two levels down: the cycle runs through 广安市, read as
        // 广安区's parent
        let mut province = catalog.regions["510000"].clone();
        province.parent = Some("511602".into());
        let mut near = Catalog::default();
        let batch = Batch::upserts("edit", [Record::Region(province)]);
        let refused = store.apply_near(batch, &mut near, &mut outline);
        let Err(StoreError::Invalid(problems)) = refused else {
            panic!("{refused:?}");
        };
        assert!(
            problems.iter().any(|p| matches!(&p.issue,
                crate::model::Issue::Cycle { codes } if codes.contains(&"511600".to_string()))),
            "{problems:?}"
        );
        // renamed, it is written near it, and the outline names it so
        let mut city = catalog.regions["511600"].clone();
        city.name = "广安市（新）".into();
        let batch = Batch::upserts("edit", [Record::Region(city)]);
        let written = store.apply_near(batch, &mut near, &mut outline).unwrap();
        assert_eq!(written.map(|w| w.applied.updated), Some(1));
        assert_eq!(outline.region_name("511600"), Some("广安市（新）"));
        assert_eq!(read_outline(dir.path()), Some(outline));
    }

    #[test]
    fn links_a_change_leaves_as_they_were_are_put_back_unread() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, mut store, mut outline) = opened_on_demand(dir.path());
        let file = dir.path().join(LINKS.name);
        let base = dir.path().join(LINKS_BASE);
        let head = LINKS.magic.len() + crate::store::cache_file::STAMP_BYTES;
        let write = |store: &mut UnloadedStore, outline: &mut Outline, element: Element| {
            let mut near = Catalog::default();
            near.insert(Record::Element(catalog.elements[&*element.code].clone()));
            let batch = Batch::upserts("edit", [Record::Element(element)]);
            let written = store.apply_near(batch, &mut near, outline).unwrap();
            written.expect("written near it").links
        };
        let bound = catalog
            .forms
            .values()
            .flat_map(|f| f.fields())
            .find_map(|(_, _, f)| f.element.clone());
        let mut element = catalog.elements[&*bound.expect("a bound element")].clone();
        // renamed: no reference moves, and the file is put back as it was, named anew
        let before = std::fs::read(&file).unwrap();
        element.name = format!("{}（改）", element.name).into();
        assert!(matches!(
            write(&mut store, &mut outline, element.clone()),
            WrittenLinks::InFile
        ));
        let after = std::fs::read(&file).unwrap();
        assert_eq!(after[head..], before[head..]);
        assert_ne!(after[..head], before[..head], "named as the store is now");
        assert!(!base.exists());
        let links = read_links(dir.path()).expect("current");
        assert_eq!(links, ElementLinks::of(&catalog));
        // put under another element: the links are read, followed and written anew
        let parent = (catalog.elements.keys())
            .find(|c| **c != element.code && links.referrers(c).is_empty())
            .expect("an element nothing references")
            .clone();
        element.parent = Some(parent.as_str().into());
        let links = write(&mut store, &mut outline, element.clone())
            .held()
            .expect("read and followed");
        assert!(
            links
                .referrers(&parent)
                .contains(&(Kind::Element, &*element.code))
        );
        assert_eq!(read_links(dir.path()).as_ref(), Some(&links));
        assert!(!base.exists());
        // no links cached: a file set aside by an earlier write goes with the next write
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&base, b"left by a write cut short").unwrap();
        element.name = format!("{}（再改）", element.name).into();
        assert!(matches!(
            write(&mut store, &mut outline, element.clone()),
            WrittenLinks::None
        ));
        assert!(!base.exists() && !file.exists());
        // a file an earlier write of this handle set aside and did not put back (it failed)
        // is not put back by the next one, even when it names the store's watermark
        write_links(dir.path(), &links);
        std::fs::rename(&file, &base).unwrap();
        store.0.cache_removed = true;
        element.name = format!("{}（三改）", element.name).into();
        let written = write(&mut store, &mut outline, element);
        assert!(matches!(written, WrittenLinks::None));
        assert!(!file.exists(), "not put back");
    }

    #[test]
    fn a_search_index_read_from_the_tree_is_cached_for_the_next_reading() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = sample_store(dir.path()).catalog().clone();
        std::fs::remove_file(dir.path().join("search.idx")).unwrap();
        let store = SledStore::open_unloaded(dir.path()).unwrap();
        let data = store.cached_search().read().expect("from the tree");
        let expected = crate::engine::search::data_of(&catalog);
        assert_eq!(data, expected);
        assert!(!data.is_held(), "its text left in the file written");
        assert_eq!(read_search(dir.path()), Some(expected.clone()));
        // a file named with a watermark a write has since raised is not taken
        crate::store::search_file::write_search_stamped(dir.path(), &expected, [0; 8]);
        assert_eq!(read_search(dir.path()), None);
    }

    #[test]
    fn a_change_a_form_alone_cannot_answer_for_needs_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, mut store, mut outline) = opened_on_demand(dir.path());
        let form = catalog.forms.values().next().unwrap().clone();
        let mut agency = catalog.agencies.values().next().unwrap().clone();
        agency.name = format!("{}（改）", agency.name).into();
        let other_material = catalog
            .materials
            .keys()
            .find(|m| Some(*m) != form.material.as_ref())
            .cloned();
        let material = Form {
            material: other_material,
            ..form.clone()
        };
        let needs = [
            Batch::upserts("design", [Record::Form(material)]),
            Batch {
                action: "delete".into(),
                commands: vec![Command::Delete {
                    kind: Kind::Form,
                    code: form.code.to_string(),
                }],
            },
            // a bundle claimed from (a template): refused over the whole catalog
            Batch {
                action: "delete".into(),
                commands: vec![Command::Delete {
                    kind: Kind::Bundle,
                    code: catalog
                        .bundles
                        .keys()
                        .find(|b| catalog.referrer_count(Kind::Bundle, b) > 0)
                        .expect("a template claimed from")
                        .to_string(),
                }],
            },
            // an item something references (the form): refused over the whole catalog
            Batch {
                action: "delete".into(),
                commands: vec![Command::Delete {
                    kind: Kind::Item,
                    code: form.item.as_deref().expect("an item").to_string(),
                }],
            },
        ];
        // an agency renamed without a current search index, which names the elements it
        // sources (their rows name it)
        std::fs::remove_file(dir.path().join("search.idx")).unwrap();
        let renamed = [
            Batch::upserts("edit", [Record::Agency(agency.clone())]),
            Batch::upserts(
                "design",
                [Record::Form(form.clone()), Record::Agency(agency)],
            ),
        ];
        let audit = store.history(None).unwrap().len();
        for batch in needs.into_iter().chain(renamed) {
            let mut near = store.form_records(&form.code, &outline).unwrap().unwrap();
            let action = batch.action.clone();
            assert!(
                store
                    .apply_near(batch, &mut near, &mut outline)
                    .unwrap()
                    .is_none(),
                "{action}"
            );
        }
        // a binding to no element is refused as over the whole catalog, nothing written
        let mut bad = form.clone();
        if let Some(f) = bad
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .next()
        {
            f.element = Some(SharedText::from("NO-SUCH-ELEMENT"));
        }
        let mut near = store.form_records(&form.code, &outline).unwrap().unwrap();
        let refused = store.apply_near(
            Batch::upserts("design", [Record::Form(bad)]),
            &mut near,
            &mut outline,
        );
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
        // a new form of an item there is not: refused too
        let stray = Form {
            code: "BD-STRAY".into(),
            item: Some("NO-SUCH-ITEM".into()),
            ..form.clone()
        };
        let mut near = store.records_near_form(&stray, &outline).unwrap();
        let refused = store.apply_near(
            Batch::upserts("design", [Record::Form(stray)]),
            &mut near,
            &mut outline,
        );
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
        let mut near = store.form_records(&form.code, &outline).unwrap().unwrap();
        // the form unchanged: nothing to write
        let same = store.apply_near(
            Batch::upserts("design", [Record::Form(form.clone())]),
            &mut near,
            &mut outline,
        );
        assert!(same.unwrap().unwrap().applied.is_noop());
        assert_eq!(store.history(None).unwrap().len(), audit);
        assert_eq!(
            store.record(Kind::Form, &form.code).unwrap(),
            Some(Record::Form(form))
        );
        assert!(read_links(dir.path()).is_some() && read_outline(dir.path()).is_some());
    }
}
