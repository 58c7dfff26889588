//! Situations: a bundle's answers select the visible items, their forms, the visible fields
//! and the visible material rows.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Bundle, Catalog, Field, Form, Kind, when_holds};

/// Answers: question key → chosen option key. A missing question is "not answered".
pub type Answers = BTreeMap<String, String>;

/// A visible field of a visible form.
#[derive(Clone, Copy, Debug)]
pub struct SourceField<'a> {
    /// The form.
    pub form: &'a Form,
    /// The field.
    pub field: &'a Field,
}

/// What applies for one set of answers.
#[derive(Clone, Debug, Default)]
pub struct Situation<'a> {
    /// Visible items in bundle order.
    pub items: Vec<&'a str>,
    /// Forms of the visible items (minus excluded ones), in item order then code.
    pub forms: Vec<&'a Form>,
    /// Visible fields of those forms, in form order.
    pub fields: Vec<SourceField<'a>>,
    /// Visible (item, material) rows, deduplicated, in order.
    pub material_rows: Vec<(&'a str, &'a str)>,
}

/// The forms attached to an item (from the reverse-reference index), by code.
pub fn item_forms<'a>(catalog: &'a Catalog, item: &str) -> Vec<&'a Form> {
    catalog
        .referrers(Kind::Item, item)
        .filter(|r| r.kind == Kind::Form && r.path == "item")
        .filter_map(|r| catalog.forms.get(r.code.as_str()))
        .collect()
}

/// Computes the situation of `bundle` under `answers`; forms in `excluded` are left out.
pub fn situation<'a>(
    catalog: &'a Catalog,
    bundle: &'a Bundle,
    answers: &Answers,
    excluded: &BTreeSet<String>,
) -> Situation<'a> {
    let items: Vec<&str> = bundle
        .items
        .iter()
        .filter(|i| when_holds(bundle.item_when.get(*i), answers))
        .map(String::as_str)
        .collect();
    let mut forms = Vec::new();
    for item in &items {
        forms.extend(
            item_forms(catalog, item)
                .into_iter()
                .filter(|f| !excluded.contains(f.code.as_str())),
        );
    }
    // one exact allocation: a recompute runs on every toggle
    let mut fields = Vec::with_capacity(forms.iter().map(|f| f.field_count()).sum());
    for form in &forms {
        for (_, _, field) in form.fields() {
            if when_holds(field.when.as_deref(), answers) {
                fields.push(SourceField { form, field });
            }
        }
    }
    let visible: BTreeSet<&str> = items.iter().copied().collect();
    let mut seen = BTreeSet::new();
    let mut material_rows = Vec::new();
    let item_rows = items.iter().flat_map(|item| {
        catalog
            .items
            .get(*item)
            .into_iter()
            .flat_map(|i| i.materials.iter())
            .map(move |m| (*item, m.as_str()))
    });
    let bundle_rows = bundle
        .materials
        .iter()
        .filter(|m| visible.contains(m.item.as_str()) && when_holds(m.when.as_ref(), answers))
        .map(|m| (m.item.as_str(), m.material.as_str()));
    for row in item_rows.chain(bundle_rows) {
        if seen.insert(row) {
            material_rows.push(row);
        }
    }
    Situation {
        items,
        forms,
        fields,
        material_rows,
    }
}

/// Every combination of answers to the bundle's questions (each question answered).
pub fn all_answer_sets(bundle: &Bundle) -> Vec<Answers> {
    let mut sets = vec![Answers::new()];
    for q in &bundle.questions {
        if q.options.is_empty() {
            continue;
        }
        sets = sets
            .into_iter()
            .flat_map(|set| {
                q.options.iter().map(move |o| {
                    let mut next = set.clone();
                    next.insert(q.key.clone(), o.key.clone());
                    next
                })
            })
            .collect();
    }
    sets
}
