//! Pane 3's designer before the catalog is loaded (on demand): the form opened is shown from
//! the records near it, read from the store (the form, what it references, the elements under
//! its elements and the bundles that hold its item: a few dozen records), and the element
//! pool's covers for its labels are read on a worker, an element at a time, for the warnings'
//! suggestions (again after a label is edited). Moving through the form, its warnings, its
//! preview, the edits of its name and fields (moving, removing, `required`, labels, help
//! texts, unbinding, sections, conditions, undo) and binding (the picker searches pane 2's
//! index; the element chosen is read from the store) work so, and `ctrl-s` and the workflow
//! save them over the records near the form ([`Loading::write_near`]). A new form (pane 1 `F`,
//! pane 3 `n`) is made and saved so too; another item loads the catalog, and the designer
//! goes on over it.

use super::super::app::{App, AppEvent, BoxStore, Level};
use super::super::loading::Loading;
use super::forms::Designer;
use crate::engine::dups::Covers;
use crate::model::{Catalog, Record};
use crate::store::Batch;

/// The catalog pane 3's designer works on: the store's, or before it is loaded (on demand)
/// the records near the open form ([`Loading::form_near`]).
pub(super) fn designer_catalog<'a>(
    store: &'a Option<BoxStore>,
    loading: &'a Option<Loading>,
) -> Option<&'a Catalog> {
    match store {
        Some(store) => Some(store.catalog()),
        None => loading.as_ref()?.form_near.as_ref(),
    }
}

/// Whether the designer's working form can be saved over the records `near` it before the
/// catalog is loaded: it keeps the material of the form as stored, or it is new
/// (see [`UnloadedStore::apply_near`](crate::store::UnloadedStore::apply_near)).
pub(crate) fn saves_near(d: &Designer, near: &Catalog) -> bool {
    let form = d.design.form();
    match near.forms.get(form.code.as_str()) {
        // (another item is followed: the outline's and the links' entries for it move)
        Some(stored) => stored.material == form.material,
        // a new form, not saved yet (the records near a stored one hold it): what it
        // references is read as it is saved
        None => true,
    }
}

/// What the worker reading the pool for a form opened on demand found: the covers for its
/// labels and the records near the form with the elements they name, or why it failed.
pub type PoolRead = Result<Box<(Covers, Catalog)>, String>;

impl App {
    /// Before the catalog is loaded, reads the item `code` and the bundles holding it (as
    /// the outline lists them) into the records near the designer's form, where they lack
    /// them: what the form given that item is shown and checked with. Nothing to do with
    /// the catalog loaded.
    pub(super) fn read_item_near_form(
        &mut self,
        code: &str,
    ) -> Result<(), crate::store::StoreError> {
        use crate::model::Kind;
        let Some(loading) = self.loading.as_mut() else {
            return Ok(());
        };
        let (Some(store), Some(outline)) = (loading.unloaded(), loading.outline.as_deref()) else {
            return Ok(());
        };
        let Some(near) = loading.form_near.as_ref() else {
            return Ok(());
        };
        let bundles = outline.referrers(Kind::Item, code).unwrap_or_default();
        let wanted = std::iter::once((Kind::Item, code))
            .chain(bundles.into_iter().filter(|(k, _)| *k == Kind::Bundle));
        let mut read = Vec::new();
        for (kind, code) in wanted.filter(|(k, c)| near.get(*k, c).is_none()) {
            read.extend(store.record(kind, code)?);
        }
        if let Some(near) = loading.form_near.as_mut() {
            for record in read {
                near.insert(record);
            }
        }
        Ok(())
    }

    /// Opens the form `code` in the designer before the catalog is loaded (see the module
    /// documentation); until the pool's covers come, its warnings lack their suggestions.
    pub(super) fn open_form_on_demand(&mut self, code: &str) {
        let Some(loading) = self.loading.as_ref() else {
            return;
        };
        let (Some(store), Some(outline), Some(links)) = (
            loading.unloaded(),
            loading.outline.as_deref(),
            loading.element_links(),
        ) else {
            return;
        };
        let read = store
            .form_records(code, outline)
            .and_then(|near| match near {
                Some(mut near) => store
                    .add_element_children(&mut near, links)
                    .map(|()| Some(near)),
                None => Ok(None),
            });
        let near = match read {
            Ok(Some(near)) => near,
            Ok(None) => return,
            Err(e) => {
                let text = e.to_string();
                self.say(Level::Error, text);
                return;
            }
        };
        let Some(form) = near.forms.get(code).cloned() else {
            return;
        };
        // no covers yet: nothing suggested until the pool is read
        self.forms.designer = Some(Designer::on_demand(form, &near));
        if let Some(loading) = self.loading.as_mut() {
            loading.form_near = Some(near);
        }
        self.read_pool();
    }

    /// Before the catalog is loaded, a new form for `item` (see [`App::new_form`]) coded from
    /// the outline's form codes, each checked against the store's keys, and a designer on it
    /// over the records near it (its item, and the bundles that hold it), kept as
    /// [`Loading::form_near`]; `None` when the designer does not work on demand, or the store
    /// could not be read (said).
    pub(super) fn new_form_on_demand(
        &mut self,
        item: Option<String>,
    ) -> Option<(crate::model::Form, Designer)> {
        use crate::engine::workflow::{FORM_DIGITS, FORM_PREFIX, next_code_among};
        use crate::model::Kind;
        let loading = self.loading.as_ref()?;
        if !loading.forms_open_on_demand() {
            return None;
        }
        let (store, outline) = (loading.unloaded()?, loading.outline.as_deref()?);
        let codes = outline.codes_with_prefix(Kind::Form, FORM_PREFIX);
        let taken = |c: &str| store.record(Kind::Form, c).map_or(true, |r| r.is_some());
        let code = next_code_among(codes, FORM_PREFIX, FORM_DIGITS, taken);
        let form = self.new_form_record(code, item);
        let near = match store.records_near_form(&form, outline) {
            Ok(near) => near,
            Err(e) => {
                let text = e.to_string();
                self.say(Level::Error, text);
                return None;
            }
        };
        let designer = Designer::new_form(&form, &near, true);
        self.loading.as_mut()?.form_near = Some(near);
        Some((form, designer))
    }

    /// Reads the element pool's covers for the labels of the designer's working form on a
    /// worker (before the catalog is loaded), unless a reading is under way (the designer
    /// asks again when it ends, if the labels changed meanwhile).
    fn read_pool(&mut self) {
        let Some(loading) = self.loading.as_mut().filter(|l| !l.pool_reading) else {
            return;
        };
        let (Some(d), Some(near), Some(reader)) = (
            self.forms.designer.as_ref(),
            loading.form_near.as_ref(),
            loading.unloaded().map(|s| s.reader()),
        ) else {
            return;
        };
        loading.pool_reading = true;
        // the working form's labels are read for
        let mut pool_near = near.clone();
        let form = d.design.form().clone();
        let code = form.code.to_string();
        pool_near.insert(Record::Form(form));
        let text = self.lang.pick(
            "正在读取数据元池，以给出绑定建议…",
            "reading the element pool for the suggestions…",
        );
        self.say(Level::Info, text.into());
        self.spawn_job(move || {
            let read = reader
                .form_covers(&code, &mut pool_near)
                .map(|covers| Box::new((covers, pool_near)))
                .map_err(|e| e.to_string());
            AppEvent::FormPool { code, read }
        });
    }

    /// Before the catalog is loaded, with no form open, reads the records near the form
    /// `code` (see [`UnloadedStore::form_records`](crate::store::UnloadedStore::form_records))
    /// for a step of the workflow taken from pane 3's list; the caller drops them after.
    /// Returns whether it read them.
    pub(super) fn form_records_for_list(&mut self, code: &str) -> bool {
        if self.store.is_some() || self.forms.designer.is_some() {
            return false;
        }
        let Some(loading) = self.loading.as_mut() else {
            return false;
        };
        let (Some(store), Some(outline)) = (loading.unloaded(), loading.outline.as_deref()) else {
            return false;
        };
        match store.form_records(code, outline) {
            Ok(near) => {
                loading.form_near = near;
                loading.form_near.is_some()
            }
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
                false
            }
        }
    }

    /// Before the catalog is loaded, reads the element `code` (chosen in the picker to bind)
    /// and the elements under it into the records near the designer's form, which it then
    /// binds and previews. Nothing when the catalog is in or the element is there already.
    pub(super) fn element_near_form(&mut self, code: &str) {
        if self.store.is_some() {
            return;
        }
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let (Some(store), Some(links)) = (loading.unloaded(), loading.element_links()) else {
            return;
        };
        let Some(near) = loading.form_near.as_ref() else {
            return;
        };
        if near.elements.contains_key(code) {
            return;
        }
        let mut more = Catalog::default();
        let read = store
            .record(crate::model::Kind::Element, code)
            .and_then(|element| {
                if let Some(element) = element {
                    more.insert(element);
                }
                store.add_element_children(&mut more, links)
            });
        match read {
            Ok(()) => {
                if let Some(near) = loading.form_near.as_mut() {
                    for record in more.into_records() {
                        near.insert(record);
                    }
                }
            }
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
            }
        }
    }

    /// After an edit in the designer before the catalog is loaded: a label edited since the
    /// pool was read has its covers read again.
    pub(super) fn designer_follow_pool(&mut self) {
        let stale = self
            .forms
            .designer
            .as_ref()
            .is_some_and(Designer::pool_covers_wanted);
        if stale && self.store.is_none() {
            self.read_pool();
        }
    }

    /// Saves the designer's form before the catalog is loaded, over the records near it
    /// ([`Loading::write_near`]); `None` when the change needs the catalog (nothing done).
    /// Returns whether it was saved.
    pub(super) fn form_save_on_demand(&mut self, batch: &Batch) -> Option<bool> {
        if self.store.is_some() {
            return None;
        }
        let warnings = match &self.forms.designer {
            Some(d) => d.warnings_complete().then_some(d.warnings.len()),
            // a step of the workflow from the list: a form's warnings do not depend on its
            // state, so its count stays
            None => match batch.commands.first() {
                Some(crate::store::Command::Upsert(record)) => {
                    let counts = self.loading.as_ref().and_then(Loading::forms_on_demand);
                    counts.map(|c| c.get(record.code()).copied().unwrap_or(0))
                }
                _ => None,
            },
        };
        let loading = self.loading.as_mut()?;
        match loading.write_near(batch.clone(), warnings) {
            Ok(None) => None,
            Ok(Some(written)) => {
                self.elements_written_near(written.rows);
                // a form renamed: the pinyin index of the list's names follows
                self.forms.outline_changed();
                Some(true)
            }
            Err(e) => {
                self.say_write_error(e);
                Some(false)
            }
        }
    }

    /// The element pool's covers a worker read for the form `code` opened on demand: the
    /// designer takes them, over the records near the form with the elements they name. Too
    /// late when the catalog came first (the designer works on it) or another form is open.
    pub(crate) fn form_pool_read(&mut self, code: &str, read: PoolRead) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        loading.pool_reading = false;
        let Some(d) = self.forms.designer.as_mut() else {
            return;
        };
        let Some(kept) = loading.form_near.as_ref() else {
            return;
        };
        if d.design.form().code != code {
            // read for a form closed since: the one open now has its own read
            self.designer_follow_pool();
            return;
        }
        // `None`: a new form, not saved yet
        let stored = kept.forms.get(code);
        match read {
            Ok(read) => {
                let (covers, mut near) = *read;
                // the covers are for the form as it was being designed; the records near it
                // keep the form as stored (a new one not at all), and what joined them
                // meanwhile (an element bound, a save's)
                let read_for = near.forms.get(code).cloned();
                match stored {
                    Some(stored) => near.insert(Record::Form(stored.clone())),
                    None => near.remove(crate::model::Kind::Form, code),
                };
                for record in kept.records() {
                    if near.get(record.kind(), record.code()).is_none() {
                        near.insert(record.to_record());
                    }
                }
                if let Some(read_for) = read_for {
                    d.read_covers(covers, &read_for, &near);
                }
                loading.form_near = Some(near);
                self.message = None;
                self.designer_follow_pool();
            }
            Err(text) => self.say(Level::Error, text),
        }
    }

    /// The catalog is in: a designer opened before it goes on over it.
    pub(crate) fn forms_loaded(&mut self) {
        if let (Some(d), Some(store)) = (&mut self.forms.designer, self.store.as_deref()) {
            d.loaded(store.catalog());
        }
    }
}
