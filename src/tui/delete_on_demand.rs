//! Pane 1's delete before the catalog is loaded (on demand): an item, a material or a bundle
//! that nothing references is deleted over its own record (`UnloadedStore::apply_near`), and
//! one that something references is refused naming them, read from the records the outline
//! lists as referencing it (a bundle's: the bundles claimed from it, read in order;
//! `UnloadedStore::referrers_near`), as the loaded catalog refuses it.

use crate::engine::usage::{REFUSAL_NAMES, delete_refusal_of};
use crate::model::{Catalog, Kind, OutlineSource};
use crate::store::{Batch, Command};
use crate::tui::app::{App, Confirm, Level, Overlay};
use crate::tui::tree::NodeId;

impl App {
    /// Before the catalog is loaded, pane 1's delete of the selected item, material or bundle:
    /// refused, naming who references it, or asked to confirm. Whether it was handled so
    /// (`false`: the catalog is loaded, or the record is of another kind).
    pub(crate) fn ask_delete_near(&mut self) -> bool {
        if self.store.is_some() {
            return false;
        }
        let Some(NodeId::Record(kind @ (Kind::Item | Kind::Material | Kind::Bundle), code)) =
            self.selected_id()
        else {
            return false;
        };
        let Some(loading) = self.loading.as_ref() else {
            return false;
        };
        let (Some(store), Some(outline)) = (loading.unloaded(), loading.outline.as_deref()) else {
            return false;
        };
        let name = match kind {
            Kind::Item => outline.item(&code).map(|i| i.name.to_string()),
            Kind::Material => outline.material_name(&code).map(str::to_string),
            _ => outline.bundle_name(&code).map(str::to_string),
        };
        let read = store.referrers_near(kind, &code, outline, REFUSAL_NAMES);
        let room = super::view::status_message_room(self);
        match read {
            Ok(Some((total, first))) => {
                match delete_refusal_of(&code, total, &first, room, self.lang) {
                    None => {
                        let name = name.unwrap_or_default();
                        self.overlay = Some(Overlay::Confirm(Confirm::Delete { kind, code, name }));
                    }
                    Some(text) => self.say(Level::Error, text),
                }
                true
            }
            Ok(None) => false,
            Err(e) => {
                let text = e.describe(self.lang);
                self.say(Level::Error, text);
                true
            }
        }
    }

    /// Before the catalog is loaded, deletes the item, material or bundle `code` of `kind`, written
    /// over its own record; the tree (drawn from the outline, which follows) is drawn again.
    /// Whether it was handled so (`false`: the catalog is loaded).
    pub(crate) fn delete_near(&mut self, kind: Kind, code: &str) -> bool {
        if self.store.is_some() {
            return false;
        }
        let Some(loading) = self.loading.as_mut() else {
            return false;
        };
        // the write reads the record itself: nothing else is checked against a delete
        loading.edit_near = Some(Catalog::default());
        let batch = Batch {
            action: "delete".into(),
            commands: vec![Command::Delete {
                kind,
                code: code.to_string(),
            }],
        };
        let saved = self.save_near(&batch);
        if let Some(loading) = self.loading.as_mut() {
            loading.edit_near = None;
        }
        if saved == Some(true) {
            self.bundles.items.outline_changed();
            // pane 4's workspace on the bundle deleted closes
            if kind == Kind::Bundle && self.bundles.work.as_ref().is_some_and(|w| w.code == code) {
                self.bundles.work = None;
                if let Some(loading) = self.loading.as_mut() {
                    loading.bundle_near = None;
                }
            }
            let row = self.catalog.selected;
            self.rebuild_tree(None);
            self.select(row);
            let c = crate::display::inert(code).into_owned();
            let text = self
                .lang
                .pick(format!("已删除 {c}"), format!("deleted {c}"));
            self.say(Level::Ok, text);
        }
        true
    }
}
