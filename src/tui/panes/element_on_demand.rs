//! Pane 2 before the catalog is loaded (on demand): the selected element, what it references
//! and the elements under it are read from the store; where it is used comes from the store's
//! cached element links and outline, without reading a form; and only the records of the
//! uses rows on screen are read. So the busiest element of a million-element store (bound in
//! 98,000 forms) costs a few megabytes of positions, not its forms. An element is edited and
//! its workflow stepped over the records near it too (the element, what it references, its
//! parents), checked and written as over the whole catalog (`UnloadedStore::apply_near`).

use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::sync::Arc;

use crate::engine::usage::usage_outline_linked;
use crate::engine::workflow;
use crate::i18n::Lang;
use crate::model::{Catalog, ElementLinks, Kind, Outline, Record};
use crate::store::{Batch, UnloadedStore};
use crate::tui::app::{App, Level};

use super::element_uses::UsesView;

/// What pane 2 shows of one element before the catalog is loaded.
#[derive(Clone)]
pub struct ElementShown {
    /// The element, what it references (its parent, its source agency) and the elements
    /// under it: what its detail names.
    pub near: Arc<Catalog>,
    /// Where it is used.
    pub uses: Arc<UsesView>,
}

/// A reading from the store, or why it failed.
type Read<T> = Result<T, String>;

/// The last value worked out, with what it was worked out for.
struct Memo<K, V>(RefCell<Option<(K, V)>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(RefCell::new(None))
    }
}

impl<K: PartialEq, V: Clone> Memo<K, V> {
    /// The value for `key`: the one kept if it was worked out for `key`, else `make()`'s,
    /// which is kept instead.
    fn get(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some((kept, value)) = self.0.borrow().as_ref()
            && *kept == key
        {
            return value.clone();
        }
        let value = make();
        *self.0.borrow_mut() = Some((key, value.clone()));
        value
    }
}

/// The open store's cached element links and the last element and uses rows read, kept
/// while the catalog waits to be needed (a frame and every key read them again).
#[derive(Default)]
pub struct ElementsOnDemand {
    /// Whether the store has a search index and sound element links cached.
    available: OnceCell<bool>,
    links: OnceCell<Option<ElementLinks>>,
    shown: Memo<(String, Lang), Option<Read<ElementShown>>>,
    rows: Memo<(String, Range<usize>), Read<Arc<Catalog>>>,
}

impl ElementsOnDemand {
    /// Whether pane 2 can work from `store`'s caches: it has a search index and element links
    /// that read (once: the store does not change while its catalog is not loaded).
    pub fn available(&self, store: &UnloadedStore) -> bool {
        *self.available.get_or_init(|| {
            store.has_cached_search() && self.links.get_or_init(|| store.element_links()).is_some()
        })
    }

    /// `store`'s cached element links, read once (`None`: not cached, or unsound).
    pub fn links(&self, store: &UnloadedStore) -> Option<&ElementLinks> {
        self.links.get_or_init(|| store.element_links()).as_ref()
    }

    /// The element `code` as pane 2 shows it (`None`: there is no such element, or the
    /// store has no element links). `Err`: the store could not be read.
    pub fn element(
        &self,
        store: &UnloadedStore,
        outline: &Outline,
        code: &str,
        lang: Lang,
    ) -> Option<Read<ElementShown>> {
        let links = self.links(store)?;
        let make = || {
            let usage = usage_outline_linked(links, outline, code);
            let children: Vec<(Kind, &str)> = usage
                .children
                .iter()
                .map(|c| (Kind::Element, c.as_str()))
                .collect();
            match store.neighbourhood(Kind::Element, code, &children) {
                Ok(near) => {
                    let near = near?;
                    let parent = near.elements.get(code).and_then(|e| e.parent.as_deref());
                    let uses = UsesView::of_outline(code, usage, parent, lang);
                    Some(Ok(ElementShown {
                        uses: Arc::new(uses),
                        near: Arc::new(near),
                    }))
                }
                Err(e) => Some(Err(e.to_string())),
            }
        };
        self.shown.get((code.to_string(), lang), make)
    }

    /// The records uses rows `range` of `view` are formatted from, read from the store (see
    /// [`UsesView::records_of_rows`]).
    pub fn rows(
        &self,
        store: &UnloadedStore,
        view: &UsesView,
        range: Range<usize>,
    ) -> Read<Arc<Catalog>> {
        self.rows.get((view.code.clone(), range.clone()), || {
            store
                .records_as_catalog(&view.records_of_rows(range))
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
    }
}

impl App {
    /// Before the catalog is loaded, reads the element `code`, what it references and its
    /// parents up to the root from the open store, kept as the records near the element
    /// pane 2 edits; the element, or `None` (not on demand, no such element, or the store
    /// could not be read: said).
    pub(crate) fn element_near_for_edit(&mut self, code: &str) -> Option<Record> {
        if self.store.is_some() {
            return None;
        }
        let loading = self.loading.as_mut()?;
        let store = loading.unloaded()?;
        let read = store
            .neighbourhood(Kind::Element, code, &[])
            .and_then(|near| {
                let Some(mut near) = near else {
                    return Ok(None);
                };
                let element = near.elements.get(code).cloned().map(Record::Element);
                if let Some(element) = &element {
                    store.add_near(&mut near, element.as_ref())?;
                }
                Ok(element.map(|e| (e, near)))
            });
        match read {
            Ok(found) => {
                let (element, near) = found?;
                loading.element_near = Some(near);
                Some(element)
            }
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
                None
            }
        }
    }

    /// Checks the editor's record before the catalog is loaded, over the records near the
    /// element it edits with what the draft references read in. Whether it did (the editor
    /// edits an element on demand).
    pub(crate) fn validate_editor_near(&mut self) -> bool {
        let lang = self.lang;
        let (Some(editor), Some(loading)) = (self.editor.as_mut(), self.loading.as_mut()) else {
            return false;
        };
        let draft = editor.draft(lang);
        let near = match &draft {
            Some(record) => loading.element_near_with(record.as_ref()),
            None => Ok(loading.element_near.as_ref()),
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

    /// Saves pane 2's change to an element before the catalog is loaded, over the records
    /// near it ([`crate::tui::loading::Loading::write_element_near`]); pane 2's index is read
    /// again from the store's, rewritten. `None` when the change needs the catalog (nothing
    /// done: it is loaded, and the change waits to be saved again). Returns whether it was
    /// saved.
    pub(crate) fn element_save_on_demand(&mut self, batch: &Batch) -> Option<bool> {
        if self.store.is_some() {
            return None;
        }
        let loading = self.loading.as_mut()?;
        loading.element_near.as_ref()?;
        match loading.write_element_near(batch.clone()) {
            Ok(None) => {
                self.want_catalog();
                if let Some(loading) = &self.loading {
                    let text = loading.wait_text(self.lang);
                    self.say(Level::Warn, text);
                }
                Some(false)
            }
            Ok(Some(written)) => {
                if !written.applied.is_noop() {
                    self.elements_rewritten_near();
                }
                Some(true)
            }
            Err(e) => {
                self.say_write_error(e);
                Some(false)
            }
        }
    }

    /// Saves the editor's element before the catalog is loaded; whether the editor edits an
    /// element on demand (else the loaded catalog saves it).
    pub(crate) fn save_editor_near(&mut self) -> Option<bool> {
        let lang = self.lang;
        if self.store.is_some() || self.loading.as_ref()?.element_near.is_none() {
            return None;
        }
        self.validate_editor_near();
        let editor = self.editor.as_ref()?;
        let near = self.loading.as_ref()?.element_near.as_ref()?;
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
        let code = record.code().to_string();
        let batch = Batch {
            action: editor.action.to_string(),
            commands: vec![crate::store::Command::Upsert(record)],
        };
        let noop = self
            .loading
            .as_ref()
            .and_then(|l| l.element_near.as_ref())
            .is_some_and(|near| {
                batch.commands.iter().all(|c| match c {
                    crate::store::Command::Upsert(r) => {
                        near.get(r.kind(), r.code()) == Some(r.as_ref())
                    }
                    crate::store::Command::Delete { .. } => false,
                })
            });
        if !self.element_save_on_demand(&batch)? {
            return Some(false);
        }
        self.editor = None;
        if let Some(loading) = self.loading.as_mut() {
            loading.element_near = None;
        }
        let text = if noop {
            lang.pick("没有修改", "no changes").to_string()
        } else {
            let c = crate::display::inert(&code).into_owned();
            lang.pick(format!("已保存 {c}"), format!("saved {c}"))
        };
        self.elements_changed(Some(code));
        self.say(Level::Ok, text);
        Some(true)
    }

    /// A step of the element `code`'s workflow before the catalog is loaded, over its
    /// records; `None` when the store is loaded (or not open on demand).
    pub(crate) fn element_workflow_near(
        &mut self,
        code: &str,
        step: workflow::Transition,
    ) -> Option<Result<Record, String>> {
        let element = self.element_near_for_edit(code)?;
        Some(workflow::transition(element.as_ref(), step).map_err(|e| e.message(self.lang)))
    }
}
