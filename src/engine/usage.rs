//! Where-used: an element's fields, forms, items and bundles, answered from the
//! catalog's reverse-reference index (never a scan of all forms).

use compact_str::CompactString;
use serde::Serialize;

use crate::display::width;
use crate::i18n::Lang;
use crate::model::{Catalog, ElementLinks, Issue, Kind, Outline, Referrer};

/// One form field bound to the element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldUse {
    /// Form code.
    pub form: String,
    /// Field key.
    pub field: String,
    /// The field's label.
    pub label: String,
    /// Section title.
    pub section: String,
    /// Whether the field is required.
    pub required: bool,
}

/// Everything that uses an element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The element code.
    pub element: String,
    /// Bound fields, by form then position.
    pub fields: Vec<FieldUse>,
    /// Forms with at least one bound field.
    pub forms: Vec<String>,
    /// Items those forms belong to.
    pub items: Vec<String>,
    /// Bundles containing those items.
    pub bundles: Vec<String>,
    /// Child elements (a field bound to this element covers them in a merge).
    pub children: Vec<String>,
}

/// One bound field, by position: cheap to hold for tens of thousands of uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldAt {
    /// Form code.
    pub form: CompactString,
    /// Section index.
    pub section: usize,
    /// Field index within the section.
    pub field: usize,
}

/// Where an element is used, by reference: what a list needs to count and page through its
/// uses without copying every field's texts (see [`UsageOutline::field`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageOutline {
    /// Bound fields, by form then path.
    pub fields: Vec<FieldAt>,
    /// How many forms have a bound field.
    pub forms: usize,
    /// Items those forms belong to, by code.
    pub items: Vec<CompactString>,
    /// Bundles containing those items, by code.
    pub bundles: Vec<String>,
    /// Child elements.
    pub children: Vec<String>,
}

impl UsageOutline {
    /// The texts of bound field `i`; `None` past the end or if the form no longer has it.
    pub fn field(&self, catalog: &Catalog, i: usize) -> Option<FieldUse> {
        let at = self.fields.get(i)?;
        let form = catalog.forms.get(at.form.as_str())?;
        let section = form.sections.get(at.section)?;
        let field = section.fields.get(at.field)?;
        Some(FieldUse {
            form: form.code.to_string(),
            field: field.key.to_string(),
            label: field.label.to_string(),
            section: section.title.to_string(),
            required: field.required,
        })
    }
}

/// Where `code` is used, by reference (an unknown code: nothing). Reads the reverse index in
/// its order and walks the forms once in code order, so the busiest element of a large
/// catalog costs one pass, not a lookup and four copies per field.
pub fn usage_outline(catalog: &Catalog, code: &str) -> UsageOutline {
    let mut fields = Vec::with_capacity(catalog.referrer_count(Kind::Element, code));
    let mut children = Vec::new();
    for r in catalog.referrers(Kind::Element, code) {
        match r.kind {
            Kind::Form => {
                if let Some((section, field)) = r.path.form_field_at() {
                    fields.push(FieldAt {
                        form: r.code.as_str().into(),
                        section,
                        field,
                    });
                }
            }
            Kind::Element if r.path == "parent" => children.push(r.code.to_string()),
            _ => {}
        }
    }
    // the referrers are ordered by code: when they name a good share of all forms, walk the
    // forms alongside instead of looking each one up
    let mut forms = 0;
    let mut items: Vec<&str> = Vec::new();
    let mut walk = catalog.forms.iter().peekable();
    let walking = fields.len().saturating_mul(8) >= catalog.forms.len();
    let mut last: Option<&str> = None;
    for at in &fields {
        let code = at.form.as_str();
        if last == Some(code) {
            continue;
        }
        last = Some(code);
        let form = if walking {
            while walk.next_if(|(c, _)| c.as_str() < code).is_some() {}
            walk.peek()
                .filter(|(c, _)| c.as_str() == code)
                .map(|(_, f)| *f)
        } else {
            catalog.forms.get(code)
        };
        if let Some(form) = form {
            forms += 1;
            items.extend(form.item.as_deref());
        }
    }
    items.sort_unstable();
    items.dedup();
    let bundles = catalog
        .bundles
        .values()
        .filter(|b| {
            b.items
                .iter()
                .any(|i| items.binary_search(&i.as_str()).is_ok())
        })
        .map(|b| b.code.to_string())
        .collect();
    let items = items.into_iter().map(CompactString::from).collect();
    UsageOutline {
        fields,
        forms,
        items,
        bundles,
        children,
    }
}

/// Where `code` is used, from the element links and the outline cached beside a store instead
/// of the catalog they were made from: the same as [`usage_outline`] on that catalog, without
/// reading a form (at a million elements an element may be bound in 98,000 of them).
pub fn usage_outline_linked(links: &ElementLinks, outline: &Outline, code: &str) -> UsageOutline {
    let mut fields = Vec::new();
    let mut children = Vec::new();
    let mut items: Vec<&str> = Vec::new();
    let mut forms = 0;
    let mut last: Option<&str> = None;
    for r in links.references(code) {
        match (r.kind, r.field) {
            (Kind::Form, Some((section, field))) => {
                fields.push(FieldAt {
                    form: r.code.into(),
                    section,
                    field,
                });
                if last != Some(r.code) {
                    last = Some(r.code);
                    forms += 1;
                    items.extend(r.item);
                }
            }
            (Kind::Element, None) if r.parent => children.push(r.code.to_string()),
            _ => {}
        }
    }
    items.sort_unstable();
    items.dedup();
    let mut bundles: Vec<String> = items
        .iter()
        .flat_map(|item| outline.referrers(Kind::Item, item).unwrap_or_default())
        .filter(|(kind, _)| *kind == Kind::Bundle)
        .map(|(_, code)| code.to_string())
        .collect();
    bundles.sort_unstable();
    bundles.dedup();
    UsageOutline {
        fields,
        forms,
        items: items.into_iter().map(CompactString::from).collect(),
        bundles,
        children,
    }
}

/// Where `code` is used, with every field's texts; an unknown code gives an empty usage.
pub fn usage(catalog: &Catalog, code: &str) -> Usage {
    let outline = usage_outline(catalog, code);
    let fields: Vec<FieldUse> = (0..outline.fields.len())
        .filter_map(|i| outline.field(catalog, i))
        .collect();
    let mut forms: Vec<String> = Vec::new();
    for f in &fields {
        if forms.last() != Some(&f.form) {
            forms.push(f.form.clone());
        }
    }
    Usage {
        element: code.to_string(),
        fields,
        forms,
        items: outline.items.iter().map(ToString::to_string).collect(),
        bundles: outline.bundles,
        children: outline.children,
    }
}

/// The most referrers a refused delete names.
pub const REFUSAL_NAMES: usize = 3;

/// Why the record `kind`/`code` cannot be deleted: the records that still refer to it, as
/// many of them (at most three) as keep the text within `columns`, then how many there are
/// in all, so the count is never what gets cut. `None` when nothing refers to it.
pub fn delete_refusal(
    catalog: &Catalog,
    kind: Kind,
    code: &str,
    columns: usize,
    lang: Lang,
) -> Option<String> {
    let total = catalog.referrer_count(kind, code);
    let first: Vec<Referrer> = catalog.referrers(kind, code).take(REFUSAL_NAMES).collect();
    delete_refusal_of(code, total, &first, columns, lang)
}

/// [`delete_refusal`] from how many references there are in `total` and the `first` of
/// them ([`REFUSAL_NAMES`] at most, in the catalog's order: by kind, code and path), as
/// read without the catalog.
pub fn delete_refusal_of(
    code: &str,
    total: usize,
    first: &[Referrer],
    columns: usize,
    lang: Lang,
) -> Option<String> {
    let text = |shown: usize| {
        let issue = Issue::ReferencedBy {
            referrers: first.iter().take(shown).cloned().collect(),
            total,
        };
        lang.pick(
            format!("不能删除 {code}：{}", issue.message(lang)),
            format!("cannot delete {code}: {}", issue.message(lang)),
        )
    };
    let most = total.min(REFUSAL_NAMES);
    let fitting = (2..=most).rev().map(text).find(|t| width(t) <= columns);
    (total > 0).then(|| fitting.unwrap_or_else(|| text(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uses_from_the_cached_links_are_the_catalogs() {
        let catalog = crate::sample::generate(1);
        let links = ElementLinks::of(&catalog);
        let outline = Outline::of(&catalog);
        let (mut bundled, mut nested, mut twice) = (0, 0, 0);
        for code in catalog.elements.keys() {
            let expected = usage_outline(&catalog, code);
            assert_eq!(
                usage_outline_linked(&links, &outline, code),
                expected,
                "{code}"
            );
            bundled += usize::from(!expected.bundles.is_empty());
            nested += usize::from(!expected.children.is_empty());
            twice += usize::from(expected.fields.len() > expected.forms);
        }
        // the sample has uses in bundles, elements under others, and forms that bind one
        // element in two fields
        assert!(
            bundled > 10 && nested > 0 && twice > 0,
            "{bundled} {nested} {twice}"
        );
        assert_eq!(
            usage_outline_linked(&links, &outline, "nothing"),
            UsageOutline::default()
        );
    }

    /// Where-used worked out the plain way: every form, section and field scanned.
    fn scanned(catalog: &Catalog, code: &str) -> Usage {
        let mut u = Usage {
            element: code.to_string(),
            ..Usage::default()
        };
        for form in catalog.forms.values() {
            let mut bound = false;
            for section in &form.sections {
                for field in &section.fields {
                    if field.element.as_deref() == Some(code) {
                        bound = true;
                        u.fields.push(FieldUse {
                            form: form.code.to_string(),
                            field: field.key.to_string(),
                            label: field.label.to_string(),
                            section: section.title.to_string(),
                            required: field.required,
                        });
                    }
                }
            }
            if bound {
                u.forms.push(form.code.to_string());
                u.items.extend(form.item.as_deref().map(str::to_string));
            }
        }
        u.items.sort();
        u.items.dedup();
        u.bundles = catalog
            .bundles
            .values()
            .filter(|b| b.items.iter().any(|i| u.items.contains(i)))
            .map(|b| b.code.to_string())
            .collect();
        u.children = catalog
            .elements
            .values()
            .filter(|e| e.parent.as_deref() == Some(code))
            .map(|e| e.code.to_string())
            .collect();
        u
    }

    #[test]
    fn the_index_answers_like_a_scan_of_every_form() {
        let catalog = crate::sample::generate(2);
        let mut busy = 0;
        for code in catalog.elements.keys() {
            let mut want = scanned(&catalog, code);
            let mut got = usage(&catalog, code);
            // the index orders a form's fields by path text; the scan by position
            for u in [&mut want, &mut got] {
                u.fields.sort_by(|a, b| {
                    (&a.form, &a.section, &a.field).cmp(&(&b.form, &b.section, &b.field))
                });
            }
            assert_eq!(got, want, "{code}");
            let outline = usage_outline(&catalog, code);
            assert_eq!(
                (outline.fields.len(), outline.forms),
                (want.fields.len(), want.forms.len())
            );
            busy += usize::from(want.fields.len() > 100);
        }
        assert!(busy > 0, "some element is used by many forms");
    }

    #[test]
    fn a_delete_refusal_names_fields_and_fits_its_count() {
        let catalog = crate::sample::generate(2);
        let (code, total) = catalog
            .elements
            .keys()
            .map(|c| (c, catalog.referrers(Kind::Element, c).count()))
            .max_by_key(|(_, n)| *n)
            .expect("elements");
        assert!(total > REFUSAL_NAMES, "{total}");
        for columns in [120, 80] {
            let zh = delete_refusal(&catalog, Kind::Element, code, columns, Lang::Zh)
                .expect("referenced");
            assert!(zh.ends_with(&format!(" 等 {total} 处")), "{zh}");
            assert!(zh.contains("个字段）") && !zh.contains("sections["), "{zh}");
            assert!(width(&zh) <= columns, "{columns}: {zh}");
        }
        let en = delete_refusal(&catalog, Kind::Element, code, 200, Lang::En).expect("referenced");
        assert!(en.contains(".element), ") && en.ends_with(" more"), "{en}");
        let unused = catalog
            .elements
            .keys()
            .find(|c| catalog.referrers(Kind::Element, c).next().is_none())
            .expect("an unused element");
        assert_eq!(
            delete_refusal(&catalog, Kind::Element, unused, 120, Lang::Zh),
            None
        );
    }
}
