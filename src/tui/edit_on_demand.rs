//! The editor before the catalog is loaded (on demand): pane 2's elements and pane 1's items,
//! materials and bundles (new ones and copies too) are edited, and their workflow stepped, over the
//! records near them (the record, what it references, what it reaches along its acyclic
//! relations, an item's child items), read from the store as the draft needs them, checked
//! and written as over the whole catalog (`UnloadedStore::apply_near`); the
//! caches the panes on demand read follow the write.

use crate::engine::workflow;
use crate::model::{Catalog, Kind, Outline, Record};
use crate::store::{Batch, StoreError, UnloadedStore};
use crate::tui::app::{App, Level};
use crate::tui::tree::NodeId;

impl App {
    /// Before the catalog is loaded, reads the record `code` of `kind` (an element, an item, a
    /// material, a bundle)
    /// and what checking it reads (see [`UnloadedStore::add_near`]) from the open store,
    /// kept as the records near the record the editor edits; the record, or `None` (not on
    /// demand, no such record, or the store could not be read: said).
    pub(crate) fn record_near_for_edit(&mut self, kind: Kind, code: &str) -> Option<Record> {
        if self.store.is_some() {
            return None;
        }
        let loading = self.loading.as_mut()?;
        let store = loading.unloaded()?;
        let outline = loading.outline.as_deref();
        let read = store.neighbourhood(kind, code, &[]).and_then(|near| {
            let Some(mut near) = near else {
                return Ok(None);
            };
            let record = near.get(kind, code).map(|r| r.to_record());
            if let Some(record) = &record {
                store.add_near(&mut near, record.as_ref(), outline)?;
            }
            Ok(record.map(|r| (r, near)))
        });
        match read {
            Ok(found) => {
                let (record, near) = found?;
                loading.edit_near = Some(near);
                Some(record)
            }
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
                None
            }
        }
    }

    /// Before the catalog is loaded, a new top-level record of `kind` coded from the store's
    /// keys (see `RecordReader::next_code`), with no record near it yet (what it references
    /// is read as it is typed); `None` when not on demand, or the store could not be read
    /// (said).
    pub(crate) fn new_record_near(&mut self, kind: Kind) -> Option<Record> {
        if self.store.is_some() {
            return None;
        }
        // pane 2's index, when it holds the store's elements, names every element code
        // without a scan of the store's keys (which would hold some 50 MB more at a million)
        let index = self
            .elements
            .current_index()
            .filter(|_| kind == Kind::Element);
        let loading = self.loading.as_mut()?;
        let store = loading.unloaded()?;
        let code = match index {
            Some(index) => {
                let (prefix, width) = workflow::new_code_shape(kind)?;
                let mut highest = 0;
                let read = index.data().each_code(|code| {
                    highest = highest.max(workflow::code_number(code, prefix).unwrap_or(0));
                });
                let taken = |code: &str| store.record(kind, code).map_or(true, |r| r.is_some());
                match read {
                    true => Ok(Some(workflow::code_after(highest, prefix, width, taken))),
                    false => store.reader().next_code(kind),
                }
            }
            None => store.reader().next_code(kind),
        };
        match code {
            Ok(code) => {
                let record = workflow::new_record_coded(kind, code?)?;
                loading.edit_near = Some(crate::model::Catalog::default());
                Some(record)
            }
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
                None
            }
        }
    }

    /// Before the catalog is loaded, the record pane 1's `a` (`copy` false) or `c` (`copy`
    /// true) opens the editor on, as the loaded catalog's would be: under a selected item a
    /// new item one level below it, else a new main item, material or bundle (the list's
    /// kind); a copy of the selected item, material or bundle. Coded from the outline's
    /// codes, each checked against the store's keys; the records near it are kept for the
    /// editor to check it with. `None` when not on demand; `Some(None)` when nothing is
    /// opened (said why).
    pub(crate) fn start_near(&mut self, copy: bool) -> Option<Option<Record>> {
        if self.store.is_some() {
            return None;
        }
        let lang = self.lang;
        let selected = match self.selected_id() {
            Some(NodeId::Record(kind, code)) => Some((kind, code)),
            _ => None,
        };
        let list = self.catalog.list.kind();
        if copy {
            let Some((kind @ (Kind::Item | Kind::Material | Kind::Bundle), code)) = selected else {
                return None;
            };
            let record = self.record_near_for_edit(kind, &code)?;
            let store = self.loading.as_ref()?.unloaded()?;
            let taken = |code: &str| store.record(kind, code).map_or(true, |r| r.is_some());
            return Some(Some(workflow::copy_of_among(record.as_ref(), lang, taken)));
        }
        let parent = match selected {
            Some((Kind::Item, code)) => Some(code),
            _ => None,
        };
        let loading = self.loading.as_mut()?;
        let (store, outline) = (loading.unloaded()?, loading.outline.as_deref()?);
        match new_near(store, outline, parent.as_deref(), list) {
            Ok(NewNear::Made(made)) => {
                let (record, near) = *made;
                loading.edit_near = Some(near);
                Some(Some(record))
            }
            Ok(NewNear::Lowest) => {
                let text = lang.pick(
                    "办理项是最低层级，不能再新增下级",
                    "a 办理项 is the lowest level; it has no children",
                );
                self.say(Level::Warn, text.into());
                Some(None)
            }
            Ok(NewNear::Gone) => Some(None),
            Err(e) => {
                let text = e.describe(lang);
                self.say(Level::Error, text);
                Some(None)
            }
        }
    }

    /// Checks the editor's record before the catalog is loaded, over the records near it
    /// with what the draft reads when it is checked read in. Whether it did (the editor
    /// edits a record on demand).
    pub(crate) fn validate_editor_near(&mut self) -> bool {
        let lang = self.lang;
        let (Some(editor), Some(loading)) = (self.editor.as_mut(), self.loading.as_mut()) else {
            return false;
        };
        let draft = editor.draft(lang);
        let near = match &draft {
            Some(record) => loading.edit_near_with(record.as_ref()),
            None => Ok(loading.edit_near.as_ref()),
        };
        match near {
            Ok(Some(near)) => {
                editor.validate(near, lang);
                true
            }
            Ok(None) => false,
            Err(e) => {
                let text = e.describe(lang);
                self.say(Level::Error, text);
                true
            }
        }
    }

    /// Saves a change to the record the editor edits (or a step of its workflow) before the
    /// catalog is loaded, over the records near it
    /// ([`crate::tui::loading::Loading::write_edit_near`]); after an element's, pane 2's
    /// index follows (see `App::elements_rewritten_near`). `None` when the change needs the
    /// catalog (nothing done: it is loaded, and the change waits to be saved again). Returns
    /// whether it was saved.
    pub(crate) fn save_near(&mut self, batch: &Batch) -> Option<bool> {
        if self.store.is_some() {
            return None;
        }
        let loading = self.loading.as_mut()?;
        let near = loading.edit_near.as_ref()?;
        // a change to what the item index holds (pane 1's pinyin filter, pane 4's picker)
        // lets it go before the write, not beside it: it is built again when next wanted
        // (at a million elements 70 MB lower at the peak)
        if moves_item_index(batch, near) {
            self.bundles.items.let_go();
            // (with what pane 1's last match kept of it)
            self.catalog.narrowing = None;
        }
        let loading = self.loading.as_mut()?;
        match loading.write_edit_near(batch.clone()) {
            Ok(None) => {
                self.want_catalog();
                if let Some(loading) = &self.loading {
                    let text = loading.wait_text(self.lang);
                    self.say(Level::Warn, text);
                }
                Some(false)
            }
            Ok(Some(written)) => {
                // an element's strings changed (an item's or a material's change writes no
                // search row: the index, its file carried through as it was, still holds)
                if !written.applied.is_noop() && !written.rows.is_empty() {
                    self.elements_rewritten_near(&written.rows);
                }
                Some(true)
            }
            Err(e) => {
                self.say_write_error(e);
                Some(false)
            }
        }
    }

    /// Saves the editor's record before the catalog is loaded; whether the editor edits one
    /// on demand (else the loaded catalog saves it).
    pub(crate) fn save_editor_near(&mut self) -> Option<bool> {
        let lang = self.lang;
        if self.store.is_some() || self.loading.as_ref()?.edit_near.is_none() {
            return None;
        }
        self.validate_editor_near();
        let editor = self.editor.as_ref()?;
        let near = self.loading.as_ref()?.edit_near.as_ref()?;
        let record = match editor.build(near, lang) {
            Ok(record) => record,
            Err(errors) => {
                let n = errors.len();
                if let Some(editor) = self.editor.as_mut() {
                    editor.errors = errors;
                }
                let text = lang.pick(
                    format!("有 {n} 处错误，未保存"),
                    format!("{n} problem(s); not saved"),
                );
                self.say(Level::Error, text);
                return Some(false);
            }
        };
        let (kind, code) = (record.kind(), record.code().to_string());
        let batch = Batch {
            action: editor.action.to_string(),
            commands: vec![crate::store::Command::Upsert(record)],
        };
        let noop = self
            .loading
            .as_ref()
            .and_then(|l| l.edit_near.as_ref())
            .is_some_and(|near| {
                batch.commands.iter().all(|c| match c {
                    crate::store::Command::Upsert(r) => {
                        near.get(r.kind(), r.code()) == Some(r.as_ref())
                    }
                    crate::store::Command::Delete { .. } => false,
                })
            });
        if !self.save_near(&batch)? {
            return Some(false);
        }
        self.editor = None;
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        let text = if noop {
            lang.pick("没有修改", "no changes").to_string()
        } else {
            let c = crate::display::inert(&code).into_owned();
            lang.pick(format!("已保存 {c}"), format!("saved {c}"))
        };
        if matches!(kind, Kind::Item | Kind::Material | Kind::Bundle) {
            self.record_changed_near(kind, &code);
        } else {
            self.elements_changed(Some(code));
        }
        self.say(Level::Ok, text);
        Some(true)
    }

    /// The record `code` of `kind` after a step of its workflow, before the catalog is
    /// loaded, over its records (kept as the records near it, see
    /// [`App::record_near_for_edit`]); `None` when the store is loaded (or not open on
    /// demand), `Err` when the step does not apply (said how).
    pub(crate) fn workflow_near(
        &mut self,
        kind: Kind,
        code: &str,
        step: workflow::Transition,
    ) -> Option<Result<Record, String>> {
        let record = self.record_near_for_edit(kind, code)?;
        Some(workflow::transition(record.as_ref(), step).map_err(|e| e.message(self.lang)))
    }

    /// A step of the workflow of pane 1's record `code` of `kind` (an item, a material, a
    /// bundle) before the catalog is loaded, written over its records; the tree (drawn from
    /// the outline) follows.
    pub(crate) fn record_workflow_near(
        &mut self,
        kind: Kind,
        code: &str,
        step: workflow::Transition,
    ) {
        let lang = self.lang;
        let next = match self.workflow_near(kind, code, step) {
            Some(Ok(next)) => next,
            Some(Err(text)) => {
                self.say(Level::Warn, text);
                return;
            }
            None => return,
        };
        let status = crate::tui::view::status_text(next.as_ref(), lang);
        let batch = Batch {
            action: step.en().into(),
            commands: vec![crate::store::Command::Upsert(next)],
        };
        let saved = self.save_near(&batch);
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        if saved == Some(true) {
            self.record_changed_near(kind, code);
            let c = crate::display::inert(code).into_owned();
            self.say(
                Level::Ok,
                lang.pick(
                    format!("已{} {c}：{status}", step.zh()),
                    format!("{} {c}: {status}", step.en()),
                ),
            );
        }
    }

    /// After pane 1's record `code` of `kind` was written before the catalog is loaded: the
    /// tree is drawn again from the outline, which followed it (its name too: the pinyin
    /// index of the items' names is built again); pane 4's list followed by itself (see
    /// `Loading::write_edit_near`).
    pub(crate) fn record_changed_near(&mut self, kind: Kind, code: &str) {
        self.bundles.items.outline_changed();
        self.rebuild_tree(Some(NodeId::Record(kind, code.to_string())));
    }
}

/// Whether `batch` changes what the item index is built from (an item's code, name, level
/// or agency: see `item_search::fingerprint`), against the stored records `near` it (an
/// item they lack is new).
fn moves_item_index(batch: &Batch, near: &Catalog) -> bool {
    use crate::store::Command;
    batch.commands.iter().any(|command| match command {
        Command::Delete { kind, .. } => *kind == Kind::Item,
        Command::Upsert(Record::Item(new)) => near.items.get(new.code.as_str()).is_none_or(|old| {
            (&old.name, old.level, &old.agency) != (&new.name, new.level, &new.agency)
        }),
        Command::Upsert(_) => false,
    })
}

/// What pane 1's `a` makes before the catalog is loaded (see [`App::start_near`]).
enum NewNear {
    /// The new record, and the records near it (a child item's parent).
    Made(Box<(Record, Catalog)>),
    /// The parent is a 办理项, the lowest level: no child.
    Lowest,
    /// The parent is no longer stored, or the kind has no new record.
    Gone,
}

/// A new item under the item `parent`, or a new record of `kind` (a main item, a material),
/// coded from the `outline`'s codes, each checked against the `store`'s keys.
fn new_near(
    store: &UnloadedStore,
    outline: &Outline,
    parent: Option<&str>,
    kind: Kind,
) -> Result<NewNear, StoreError> {
    let taken = |kind: Kind, code: &str| store.record(kind, code).map_or(true, |r| r.is_some());
    let Some(parent) = parent else {
        let Some((prefix, width)) = workflow::new_code_shape(kind) else {
            return Ok(NewNear::Gone);
        };
        let codes = outline.codes_with_prefix(kind, prefix);
        let code = workflow::next_code_among(codes, prefix, width, |c| taken(kind, c));
        return Ok(match workflow::new_record_coded(kind, code) {
            Some(record) => NewNear::Made(Box::new((record, Catalog::default()))),
            None => NewNear::Gone,
        });
    };
    let Some(Record::Item(parent)) = store.record(Kind::Item, parent)? else {
        return Ok(NewNear::Gone);
    };
    let (prefix, width) = workflow::child_code_shape(&parent);
    let codes = outline.codes_with_prefix(Kind::Item, &prefix);
    let child = workflow::new_child_coded(&parent, || {
        workflow::next_code_among(codes, &prefix, width, |c| taken(Kind::Item, c))
    });
    let Some(child) = child else {
        return Ok(NewNear::Lowest);
    };
    let mut near = Catalog::default();
    near.insert(Record::Item(parent));
    Ok(NewNear::Made(Box::new((Record::Item(child), near))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Command;

    #[test]
    fn only_what_the_item_index_is_built_from_moves_it() {
        let catalog = Catalog::from_records(crate::sample::generate(1).into_records());
        let item = catalog.items.values().next().cloned().expect("an item");
        let upsert = |record: Record| Batch {
            action: "edit".into(),
            commands: vec![Command::Upsert(record)],
        };
        let changed = |edit: fn(&mut crate::model::Item)| {
            let mut next = item.clone();
            edit(&mut next);
            moves_item_index(&upsert(Record::Item(next)), &catalog)
        };
        assert!(!changed(|_| {}));
        assert!(!changed(|i| i.status = crate::model::Status::Submitted));
        assert!(!changed(|i| i.time_limit_days += 1));
        assert!(changed(|i| i.name = "改名".into()));
        assert!(changed(|i| i.agency = None));
        assert!(changed(|i| i.level = crate::model::ItemLevel::Handling));
        // a new item (one the records near it lack), a deleted one
        assert!(moves_item_index(
            &upsert(Record::Item(item.clone())),
            &Catalog::default()
        ));
        let delete = |kind| Batch {
            action: "delete".into(),
            commands: vec![Command::Delete {
                kind,
                code: "X".into(),
            }],
        };
        assert!(moves_item_index(&delete(Kind::Item), &catalog));
        assert!(!moves_item_index(&delete(Kind::Bundle), &catalog));
        let bundle = catalog.bundles.values().next().cloned().expect("a bundle");
        assert!(!moves_item_index(
            &upsert(Record::Bundle(bundle)),
            &Catalog::default()
        ));
    }
}
