//! Pane 2's where-used list of the selected element. The element's
//! [`Usage`](crate::engine::usage::Usage) is worked out once per element and catalog revision and
//! remembered: a frame, a cursor move in the uses and Enter all read it, and only the rows on
//! screen are formatted (the busiest element of a large catalog has tens of thousands of uses).

use std::cell::RefCell;
use std::sync::Arc;

use crate::engine::usage::{UsageOutline, usage_outline};
use crate::i18n::Lang;
use crate::model::{Catalog, Kind};

/// Where a use leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jump {
    /// An item in pane 1.
    Item(String),
    /// A form: its item (or material) in pane 1.
    Form(String),
    /// A bundle in pane 1.
    Bundle(String),
    /// Another element in pane 2.
    Element(String),
}

/// One row of the where-used list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseRow {
    /// Where Enter goes.
    pub jump: Jump,
    /// `字段`, `事项`, `主题`, `下级`, `上级`.
    pub tag: &'static str,
    /// The code shown.
    pub code: String,
    /// The text shown.
    pub text: String,
    /// A note (required, section).
    pub note: String,
}

/// An element's uses as pane 2 lists them: bound fields, items, bundles, child elements,
/// then the parent element.
#[derive(Debug)]
pub struct UsesView {
    /// The element's code.
    pub code: String,
    /// Everything that uses the element, by reference.
    pub outline: UsageOutline,
    parent: Option<String>,
    lang: Lang,
}

impl UsesView {
    /// Works out the uses of `code`.
    pub fn build(catalog: &Catalog, code: &str, lang: Lang) -> Self {
        let parent = catalog.elements.get(code).and_then(|e| e.parent.as_deref());
        UsesView::of_outline(code, usage_outline(catalog, code), parent, lang)
    }

    /// The view of uses of `code` worked out already (before the catalog is loaded, from the
    /// store's cached element links), given the element's parent.
    pub fn of_outline(code: &str, outline: UsageOutline, parent: Option<&str>, lang: Lang) -> Self {
        UsesView {
            code: code.to_string(),
            outline,
            parent: parent.map(str::to_string),
            lang,
        }
    }

    /// What row `i` lists: a bound field (by its place in the fields), an item, a bundle,
    /// a child element or the parent element.
    fn place(&self, i: usize) -> Option<Place<'_>> {
        let u = &self.outline;
        let mut i = i;
        if i < u.fields.len() {
            return Some(Place::Field(i));
        }
        i -= u.fields.len();
        if let Some(item) = u.items.get(i) {
            return Some(Place::Item(item));
        }
        i -= u.items.len();
        if let Some(bundle) = u.bundles.get(i) {
            return Some(Place::Bundle(bundle));
        }
        i -= u.bundles.len();
        if let Some(child) = u.children.get(i) {
            return Some(Place::Child(child));
        }
        i -= u.children.len();
        match (&self.parent, i) {
            (Some(parent), 0) => Some(Place::Parent(parent)),
            _ => None,
        }
    }

    /// The records rows `range` are formatted from (see [`UsesView::row`]): the element,
    /// and each row's form, item, bundle or element.
    pub fn records_of_rows(&self, range: std::ops::Range<usize>) -> Vec<(Kind, &str)> {
        let mut out = vec![(Kind::Element, self.code.as_str())];
        out.extend(range.filter_map(|i| {
            Some(match self.place(i)? {
                Place::Field(at) => (Kind::Form, self.outline.fields.get(at)?.form.as_str()),
                Place::Item(item) => (Kind::Item, item),
                Place::Bundle(bundle) => (Kind::Bundle, bundle),
                Place::Child(code) | Place::Parent(code) => (Kind::Element, code),
            })
        }));
        out
    }

    /// How many rows the list has.
    pub fn len(&self) -> usize {
        let u = &self.outline;
        u.fields.len()
            + u.items.len()
            + u.bundles.len()
            + u.children.len()
            + usize::from(self.parent.is_some())
    }

    /// Whether nothing uses the element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` of the list, formatted from `catalog` (the one the view was built from).
    pub fn row(&self, catalog: &Catalog, i: usize) -> Option<UseRow> {
        let lang = self.lang;
        let row =
            |jump: fn(String) -> Jump, code: &str, tag: &'static str, name: Option<&str>| UseRow {
                jump: jump(code.to_string()),
                tag,
                code: code.to_string(),
                text: name.unwrap_or_default().to_string(),
                note: String::new(),
            };
        let element_row = |c: &str, tag: &'static str| {
            let name = catalog.elements.get(c).map(|e| e.name.as_str());
            row(Jump::Element, c, tag, name)
        };
        Some(match self.place(i)? {
            Place::Field(at) => {
                let f = self.outline.field(catalog, at)?;
                let element = catalog
                    .elements
                    .get(self.code.as_str())
                    .map_or("", |e| e.name.as_str());
                let form = catalog
                    .forms
                    .get(f.form.as_str())
                    .map_or("", |x| x.name.as_str());
                // the form first and the field's label only where it is not the element's
                // name: neighbouring elements used by the same forms draw the same rows
                // (cheap over SSH)
                let text = if f.label == element {
                    form.to_string()
                } else {
                    format!("{form} · {}", f.label)
                };
                let note = if f.required {
                    lang.pick("必填", "required").to_string()
                } else {
                    String::new()
                };
                UseRow {
                    jump: Jump::Form(f.form.clone()),
                    tag: lang.pick("字段", "field"),
                    code: f.form.clone(),
                    text,
                    note,
                }
            }
            Place::Item(item) => {
                let name = catalog.items.get(item).map(|x| x.name.as_str());
                row(Jump::Item, item, lang.pick("事项", "item"), name)
            }
            Place::Bundle(b) => {
                let name = catalog.bundles.get(b).map(|x| x.name.as_str());
                row(Jump::Bundle, b, lang.pick("主题", "bundle"), name)
            }
            Place::Child(c) => element_row(c, lang.pick("下级", "child")),
            Place::Parent(p) => element_row(p, lang.pick("上级", "parent")),
        })
    }
}

/// What a row of the uses list lists (see [`UsesView::place`]).
enum Place<'a> {
    /// The bound field at this position of [`UsageOutline::fields`].
    Field(usize),
    /// An item of the forms that bind the element.
    Item(&'a str),
    /// A bundle holding one of those items.
    Bundle(&'a str),
    /// An element under this one.
    Child(&'a str),
    /// The element this one is under.
    Parent(&'a str),
}

/// The uses of one element under one catalog revision.
struct Remembered {
    code: String,
    revision: u64,
    lang: Lang,
    view: Arc<UsesView>,
}

/// Remembers the last element's [`UsesView`].
#[derive(Default)]
pub struct UsesMemo(RefCell<Option<Remembered>>);

impl UsesMemo {
    /// The uses of `code` in `catalog`, worked out unless the same element of the same
    /// catalog revision was asked for last.
    pub fn get(&self, catalog: &Catalog, code: &str, lang: Lang) -> Arc<UsesView> {
        let mut memo = self.0.borrow_mut();
        if let Some(m) = memo.as_ref()
            && m.code == code
            && m.revision == catalog.revision()
            && m.lang == lang
        {
            return Arc::clone(&m.view);
        }
        let view = Arc::new(UsesView::build(catalog, code, lang));
        *memo = Some(Remembered {
            code: code.to_string(),
            revision: catalog.revision(),
            lang,
            view: Arc::clone(&view),
        });
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn catalog() -> Catalog {
        crate::sample::generate(1)
    }

    fn rows(catalog: &Catalog, view: &UsesView) -> Vec<UseRow> {
        (0..view.len())
            .filter_map(|i| view.row(catalog, i))
            .collect()
    }

    #[test]
    fn rows_list_fields_items_bundles_children_then_the_parent() {
        let catalog = catalog();
        assert!(!catalog.elements.is_empty());
        for code in catalog.elements.keys() {
            let view = UsesView::build(&catalog, code, Lang::En);
            let rows = rows(&catalog, &view);
            assert_eq!(rows.len(), view.len(), "{code}: every row exists");
            assert!(view.row(&catalog, view.len()).is_none());
            let tags: Vec<_> = rows.iter().map(|r| r.tag).collect();
            let order = ["field", "item", "bundle", "child", "parent"];
            let rank = |t: &&str| order.iter().position(|o| o == t).expect("known tag");
            assert!(tags.is_sorted_by_key(rank), "{code}: {tags:?}");
            let u = &view.outline;
            assert_eq!(
                tags.iter().filter(|t| **t == "field").count(),
                u.fields.len()
            );
            assert_eq!(tags.iter().filter(|t| **t == "item").count(), u.items.len());
        }
    }

    #[test]
    fn a_window_of_rows_is_formatted_alike_from_just_the_records_it_names() {
        let catalog = catalog();
        let mut windows = 0;
        for code in catalog.elements.keys() {
            let view = UsesView::build(&catalog, code, Lang::Zh);
            for start in (0..view.len()).step_by(7) {
                let range = start..(start + 9).min(view.len());
                let wanted = view.records_of_rows(range.clone());
                let records = wanted.iter().filter_map(|&(k, c)| catalog.get(k, c));
                let few = Catalog::from_records(records.map(|r| r.to_record()));
                for i in range {
                    assert_eq!(view.row(&few, i), view.row(&catalog, i), "{code} {i}");
                }
                windows += 1;
            }
        }
        assert!(windows > 100, "{windows}");
    }

    #[test]
    fn the_memo_remembers_and_follows_changes() {
        let mut catalog = catalog();
        let memo = UsesMemo::default();
        let busiest = catalog
            .elements
            .keys()
            .max_by_key(|c| usage_outline(&catalog, c).fields.len())
            .expect("elements")
            .clone();
        let first = memo.get(&catalog, &busiest, Lang::En);
        assert!(
            !first.outline.fields.is_empty(),
            "the fixture uses {busiest}"
        );
        assert!(
            Arc::ptr_eq(&first, &memo.get(&catalog, &busiest, Lang::En)),
            "remembered"
        );
        let zh = memo.get(&catalog, &busiest, Lang::Zh);
        assert_eq!(zh.row(&catalog, 0).map(|r| r.tag), Some("字段"), "language");

        // a form that bound the element loses it: the memo sees the new revision
        let mut unbound = catalog
            .forms
            .values()
            .find(|f| {
                f.sections
                    .iter()
                    .flat_map(|s| &s.fields)
                    .any(|f| f.element.as_deref() == Some(busiest.as_str()))
            })
            .expect("a form uses it")
            .clone();
        for field in unbound.sections.iter_mut().flat_map(|s| &mut s.fields) {
            if field.element.as_deref() == Some(busiest.as_str()) {
                field.element = None;
            }
        }
        catalog.insert(Record::Form(unbound));
        let after = memo.get(&catalog, &busiest, Lang::Zh);
        assert!(after.outline.fields.len() < first.outline.fields.len());
        assert_eq!(after.outline, usage_outline(&catalog, &busiest));
    }
}
