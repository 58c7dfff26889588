//! Where-used: an element's fields, forms, items and bundles, answered from the
//! catalog's reverse-reference index (never a scan of all forms).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Catalog, Kind};

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

/// Where `code` is used; an unknown code gives an empty usage.
pub fn usage(catalog: &Catalog, code: &str) -> Usage {
    let mut fields = Vec::new();
    // referrers come ordered by kind and code: a form's fields are next to each other
    let mut forms: Vec<String> = Vec::new();
    let mut children = Vec::new();
    for r in catalog.referrers(Kind::Element, code) {
        match r.kind {
            Kind::Form => {
                let Some(form) = catalog.forms.get(r.code.as_str()) else {
                    continue;
                };
                let Some((s, f)) = parse_field_path(&r.path) else {
                    continue;
                };
                let (Some(section), Some(field)) = (
                    form.sections.get(s),
                    form.sections.get(s).and_then(|x| x.fields.get(f)),
                ) else {
                    continue;
                };
                fields.push(FieldUse {
                    form: form.code.clone(),
                    field: field.key.clone(),
                    label: field.label.clone(),
                    section: section.title.clone(),
                    required: field.required,
                });
                if forms.last() != Some(&form.code) {
                    forms.push(form.code.clone());
                }
            }
            Kind::Element if r.path == "parent" => children.push(r.code.to_string()),
            _ => {}
        }
    }
    let items: BTreeSet<String> = forms
        .iter()
        .filter_map(|f| catalog.forms.get(f)?.item.clone())
        .collect();
    let bundles: BTreeSet<String> = items
        .iter()
        .flat_map(|i| catalog.referrers(Kind::Item, i))
        .filter(|r| r.kind == Kind::Bundle)
        .map(|r| r.code.to_string())
        .collect();
    Usage {
        element: code.to_string(),
        fields,
        forms,
        items: items.into_iter().collect(),
        bundles: bundles.into_iter().collect(),
        children,
    }
}

/// `sections[1].fields[3].element` → (1, 3).
fn parse_field_path(path: &str) -> Option<(usize, usize)> {
    let rest = path.strip_prefix("sections[")?;
    let (s, rest) = rest.split_once("].fields[")?;
    let (f, _) = rest.split_once(']')?;
    Some((s.parse().ok()?, f.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse() {
        assert_eq!(
            parse_field_path("sections[1].fields[23].element"),
            Some((1, 23))
        );
        assert_eq!(parse_field_path("item"), None);
    }
}
