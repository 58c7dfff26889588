//! The panes' big indexes before the catalog is loaded, kept one at a time.
//!
//! Pane 1's item index (its filter, and the item pickers of panes 3 and 4), pane 3's index
//! of the forms' names and pane 2's element index (its search, and the designer's binding
//! picker) take 40–80 MB each at a million elements: on demand, the TUI stays within its
//! memory target only while it holds one of them. So making one lets the others go, unless
//! they are in use at that moment (their pane on screen, their picker open); each is made
//! again when next needed (on a worker: about a second for a pinyin index, half a second to
//! read pane 2's from `search.idx`). Once the catalog is loaded all are kept: the catalog is
//! ten times their size.

use super::app::{App, Overlay, Pane};

/// An import of more records than this, written before the catalog is loaded, lets the
/// panes' indexes go first (see [`App::make_room_for_import`]): past it, pane 2's index
/// would be patched with as many rows, and the write takes seconds where reading the index
/// again takes half of one.
pub(crate) const IMPORT_ROOM_AT: usize = 1024;

impl App {
    /// Pane 3's index of the forms' names is about to be built: before the catalog is
    /// loaded, the item index goes (with what pane 1's filter kept of it for its next key)
    /// and pane 2's, unless they are in use.
    pub(crate) fn make_room_for_form_names(&mut self) {
        if self.store.is_some() {
            return;
        }
        self.release_items_unless_used();
        self.release_elements_unless_used();
    }

    /// The item index is about to be built: before the catalog is loaded, pane 3's index
    /// of the forms' names goes unless pane 3 is on screen (its item picker's list), and
    /// pane 2's unless it is in use, with the element links it reads (21 MB at a million
    /// elements, read again from `links.idx` when next needed: a save over the records near
    /// a change reads its own).
    pub(crate) fn make_room_for_items(&mut self) {
        if self.store.is_some() {
            return;
        }
        self.release_form_names_unless_used();
        self.release_elements_unless_used();
        if self.pane != Pane::Elements
            && let Some(loading) = self.loading.as_mut()
        {
            loading.release_element_links();
        }
    }

    /// Pane 2's index is about to be read: before the catalog is loaded, the item index
    /// and pane 3's go unless they are in use.
    pub(crate) fn make_room_for_elements(&mut self) {
        if self.store.is_some() {
            return;
        }
        self.release_items_unless_used();
        self.release_form_names_unless_used();
    }

    /// Pane 5's statistics are about to be counted from the store's records: before the
    /// catalog is loaded, the three indexes go unless they are in use, the elements' too
    /// (the count then reads the element records instead, a second longer): what sled keeps
    /// of the pages a count reads, 100 MB at a million elements until the database is
    /// reopened, leaves room for none of them.
    pub(crate) fn make_room_for_count(&mut self) {
        if self.store.is_some() {
            return;
        }
        self.release_items_unless_used();
        self.release_form_names_unless_used();
        self.release_elements_unless_used();
    }

    /// Pane 2's duplicates are about to be found from the store's records (its own index
    /// already let go): before the catalog is loaded, the item index and pane 3's go unless
    /// they are in use, and the element links (21 MB at a million elements: the finder
    /// counts the uses itself, and pane 2 reads them again from `links.idx` when it next
    /// shows where an element is used).
    pub(crate) fn make_room_for_dups(&mut self) {
        if self.store.is_some() {
            return;
        }
        self.release_items_unless_used();
        self.release_form_names_unless_used();
        if let Some(loading) = self.loading.as_mut() {
            loading.release_element_links();
        }
    }

    /// An import of `records` is about to be written over the records near it: before the
    /// catalog is loaded and past [`IMPORT_ROOM_AT`] records, the item index and pane 3's go
    /// unless they are in use, and pane 2's in any case, read again once the write is done.
    /// At a million elements an import of 20,000 elements holds 160 MB at the peak beside
    /// the app's, and letting pane 2's index go takes 40 MB off it. Returns whether pane
    /// 2's went.
    pub(crate) fn make_room_for_import(&mut self, records: usize) -> bool {
        if self.store.is_some() || records <= IMPORT_ROOM_AT {
            return false;
        }
        self.release_items_unless_used();
        self.release_form_names_unless_used();
        self.elements.release_index_for_rewrite()
    }

    fn release_items_unless_used(&mut self) {
        let picker = self.forms.item_picker.is_some() || self.bundles.picker.is_some();
        if self.pane != Pane::Catalog && !picker {
            self.bundles.items.release();
            self.catalog.narrowing = None;
        }
    }

    fn release_form_names_unless_used(&mut self) {
        if self.pane != Pane::Forms {
            self.forms.readings.release();
        }
    }

    fn release_elements_unless_used(&mut self) {
        let picker = matches!(self.overlay, Some(Overlay::Picker(_)));
        if self.pane != Pane::Elements && !picker {
            self.elements.release_index();
        }
    }
}
