//! Pane 3's designer before the catalog is loaded (on demand): the form opened is shown from
//! the records near it, read from the store (the form, what it references, the elements under
//! its elements and the bundles that hold its item: a few dozen records), and the element
//! pool's covers for its labels are read on a worker, an element at a time, for the warnings'
//! suggestions. Moving through the form, its warnings and its preview work so; an edit loads
//! the catalog, and the designer goes on over it.

use super::super::app::{App, AppEvent, BoxStore, Level};
use super::super::loading::Loading;
use super::forms::Designer;
use crate::engine::dups::Covers;
use crate::model::Catalog;

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

/// What the worker reading the pool for a form opened on demand found: the covers for its
/// labels and the records near the form with the elements they name, or why it failed.
pub type PoolRead = Result<Box<(Covers, Catalog)>, String>;

impl App {
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
        let reader = store.reader();
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
        self.forms.designer = Some(Designer::with_covers(form, &near, Covers::default()));
        let mut pool_near = near.clone();
        if let Some(loading) = self.loading.as_mut() {
            loading.form_near = Some(near);
        }
        let text = self.lang.pick(
            "正在读取数据元池，以给出绑定建议…",
            "reading the element pool for the suggestions…",
        );
        self.say(Level::Info, text.into());
        let code = code.to_string();
        self.spawn_job(move || {
            let read = reader
                .form_covers(&code, &mut pool_near)
                .map(|covers| Box::new((covers, pool_near)))
                .map_err(|e| e.to_string());
            AppEvent::FormPool { code, read }
        });
    }

    /// The element pool's covers a worker read for the form `code` opened on demand: the
    /// designer takes them, over the records near the form with the elements they name. Too
    /// late when the catalog came first (the designer works on it) or another form is open.
    pub(crate) fn form_pool_read(&mut self, code: &str, read: PoolRead) {
        let Some(loading) = self.loading.as_mut() else {
            return;
        };
        let Some(d) = self.forms.designer.as_mut() else {
            return;
        };
        if loading.form_near.is_none() || d.design.form().code != code {
            return;
        }
        match read {
            Ok(read) => {
                let (covers, near) = *read;
                d.read_covers(covers, &near);
                loading.form_near = Some(near);
                self.message = None;
            }
            Err(text) => self.say(Level::Error, text),
        }
    }

    /// The catalog is in: a designer opened before it goes on over it.
    pub(crate) fn forms_loaded(&mut self) {
        if let (Some(d), Some(store)) = (&mut self.forms.designer, self.store.as_deref()) {
            d.refresh(store.catalog());
        }
    }
}
