//! The 模板库 before the catalog is loaded (on demand): pane 1's and pane 4's comparison of an
//! entry with its template reads the records comparing needs (the entry and its template,
//! what they reference, their forms and what those reference:
//! `UnloadedStore::template_neighbourhood`), and pane 1's claim reads the template and its
//! forms (`UnloadedStore::claim_records`), codes the claim against the store's keys and
//! writes it over those records (`UnloadedStore::apply_near`), as `yibiao template compare`
//! and `template claim` do without the catalog.

use crate::engine::template;
use crate::engine::workflow::unique_among;
use crate::model::{Catalog, Kind, Record};
use crate::tui::app::App;

/// A reading from the open store, or why it failed (said as the status bar says it).
type Read<T> = Result<T, String>;

impl App {
    /// The records comparing the entry `code` with its template reads, from the store open
    /// while its catalog waits to be needed (none when no item, material or bundle has the
    /// code: the comparison then says so, as over the loaded catalog). `None`: the catalog
    /// is loaded, or the store is not open on demand.
    pub(crate) fn compare_near(&self, code: &str) -> Option<Read<Catalog>> {
        if self.store.is_some() {
            return None;
        }
        let loading = self.loading.as_ref()?;
        let (store, outline) = (loading.unloaded()?, loading.outline.as_deref()?);
        Some(
            store
                .template_neighbourhood(code, outline)
                .map(Option::unwrap_or_default)
                .map_err(|e| e.describe(self.lang)),
        )
    }

    /// The record `code` of `kind` as the store open on demand holds it (`None`: the catalog
    /// is loaded, or the store is not open on demand; `Ok(None)`: no such record).
    pub(crate) fn stored_record(&self, kind: Kind, code: &str) -> Option<Read<Option<Record>>> {
        if self.store.is_some() {
            return None;
        }
        let store = self.loading.as_ref()?.unloaded()?;
        Some(store.record(kind, code).map_err(|e| e.describe(self.lang)))
    }

    /// The code a claim of `template` (of `kind`) is offered, before the catalog is loaded:
    /// `template-RL`, or with the first free suffix, as the store's keys say (`None`: not on
    /// demand).
    pub(crate) fn claim_code_near(&self, kind: Kind, template: &str) -> Option<String> {
        if self.store.is_some() {
            return None;
        }
        let store = self.loading.as_ref()?.unloaded()?;
        Some(unique_among(&format!("{template}-RL"), |c| {
            store.holds(kind, c)
        }))
    }

    /// Claims the template `from` as `new_code` before the catalog is loaded: the template
    /// and its forms read, the claim made among them with the store's keys saying which
    /// codes are taken, and written over them. `None`: the catalog is loaded (or the store
    /// is not open on demand); else whether it was written, with the number of forms
    /// copied, or why it was refused (said in the prompt).
    pub(crate) fn claim_near(&mut self, from: &str, new_code: &str) -> Option<Read<Option<usize>>> {
        if self.store.is_some() {
            return None;
        }
        let lang = self.lang;
        let loading = self.loading.as_mut()?;
        let (store, outline) = (loading.unloaded()?, loading.outline.as_deref()?);
        let near = match store.claim_records(from, outline) {
            Ok(near) => near.unwrap_or_default(),
            Err(e) => return Some(Err(e.describe(lang))),
        };
        let claimed = template::claim_among(&near, from, new_code, |kind, c| store.holds(kind, c));
        let batch = match claimed {
            Ok(batch) => batch,
            Err(e) => return Some(Err(e.message(lang))),
        };
        let forms = batch.commands.len().saturating_sub(1);
        loading.edit_near = Some(near);
        let saved = self.save_near(&batch);
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        Some(Ok((saved == Some(true)).then_some(forms)))
    }
}
