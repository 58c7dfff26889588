//! Pane 2 before the catalog is loaded (on demand): the selected element, what it references
//! and the elements under it are read from the store; where it is used comes from the store's
//! cached element links and outline, without reading a form; and only the records of the
//! uses rows on screen are read. So the busiest element of a million-element store (bound in
//! 98,000 forms) costs a few megabytes of positions, not its forms. An element is edited (see
//! `tui::edit_on_demand`) and its workflow stepped over the records near it too.

use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::sync::Arc;

use crate::engine::usage::usage_outline_linked;
use crate::i18n::Lang;
use crate::model::{Catalog, ElementLinks, Kind, Outline};
use crate::store::{UnloadedStore, WrittenLinks};

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
    links: OnceCell<Option<Arc<ElementLinks>>>,
    shown: Memo<(String, Lang), Option<Read<ElementShown>>>,
    rows: Memo<(String, Range<usize>), Read<Arc<Catalog>>>,
}

impl ElementsOnDemand {
    /// Whether pane 2 can work from `store`'s caches: it has a search index and element links
    /// that read (once: the store does not change while its catalog is not loaded).
    pub fn available(&self, store: &UnloadedStore) -> bool {
        *self
            .available
            .get_or_init(|| store.has_cached_search() && self.links(store).is_some())
    }

    /// `store`'s cached element links, read once (`None`: not cached, or unsound).
    pub fn links(&self, store: &UnloadedStore) -> Option<&ElementLinks> {
        self.shared(store).as_deref()
    }

    /// `store`'s cached element links, read once, for a worker to share (pane 5's count):
    /// at a million elements a second copy would be 23 MB more.
    pub fn shared_links(&self, store: &UnloadedStore) -> Option<Arc<ElementLinks>> {
        self.shared(store).clone()
    }

    /// Whether the links are read and held (not taken out or let go since).
    pub fn holds_links(&self) -> bool {
        self.links.get().is_some_and(Option::is_some)
    }

    /// The links read so far, taken out to follow a change (a write over the records near
    /// it): `None` when they were not read, or a worker shares them (they are read again).
    pub fn take_links(&mut self) -> Option<ElementLinks> {
        Arc::into_inner(self.links.take().flatten()?)
    }

    /// Holds `links` again after [`ElementsOnDemand::take_links`] (a change that changed
    /// nothing), unless they were read again meanwhile.
    pub fn put_back_links(&mut self, links: Option<ElementLinks>) {
        if let Some(links) = links {
            let _ = self.links.set(Some(Arc::new(links)));
        }
    }

    /// Nothing read yet but the links as a write left them: held, none cached, or left in
    /// the store's cache file, to be read when wanted.
    pub fn after_write(links: WrittenLinks) -> ElementsOnDemand {
        let links = match links {
            WrittenLinks::Held(links) => Some(Arc::new(*links)),
            WrittenLinks::None => None,
            WrittenLinks::InFile => return ElementsOnDemand::default(),
        };
        ElementsOnDemand {
            links: OnceCell::from(links),
            ..ElementsOnDemand::default()
        }
    }

    fn shared(&self, store: &UnloadedStore) -> &Option<Arc<ElementLinks>> {
        self.links
            .get_or_init(|| store.element_links().map(Arc::new))
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
