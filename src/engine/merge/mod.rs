//! 多表合一: a bundle's visible forms merged into one form with one field per element.
//!
//! Rules (DESIGN §3): visible fields are grouped by element; when a parent element is itself
//! among the visible fields, fields bound to its descendants join the parent's group; one
//! merged field per group, labelled with the element's name, required if any source is;
//! differing labels, required flags or option lists are reported as conflicts; unbound
//! fields stay as they are, with likely-duplicate suggestions; materials are deduplicated
//! by code (shareable ones counted as 免提交); provenance is kept both ways.

pub mod distribute;
pub mod flow;
pub mod resolve;
pub mod situation;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;

use crate::model::{Bundle, Catalog};

use super::dups::normalise;
use situation::{Answers, SourceField};

pub use situation::{all_answer_sets, item_forms};

/// A source field: (form code, field key).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceRef {
    /// Form code.
    pub form: String,
    /// Field key.
    pub field: String,
}

/// One field of the merged form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergedField {
    /// The element of the group; `None` for an unbound field kept as it is.
    pub element: Option<String>,
    /// The element's name (or the unbound field's label).
    pub label: String,
    /// Whether any source requires it.
    pub required: bool,
    /// Descendant elements whose fields joined this group.
    pub covers: Vec<String>,
    /// Every source field, in form order.
    pub sources: Vec<SourceRef>,
}

impl MergedField {
    /// The key of this field in a filled merged form: the element code, or `form/field`.
    pub fn key(&self) -> String {
        match (&self.element, self.sources.first()) {
            (Some(e), _) => e.clone(),
            (None, Some(s)) => format!("{}/{}", s.form, s.field),
            (None, None) => String::new(),
        }
    }
}

/// What differs among the sources of one merged field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Some sources are required, some not.
    Required,
    /// Sources use different option lists.
    Options,
    /// Sources print different labels.
    Label,
}

/// One conflict: an element and one kind of difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The element.
    pub element: String,
    /// What differs.
    pub kind: ConflictKind,
    /// The distinct values, as text.
    pub values: Vec<String>,
    /// The sources involved.
    pub sources: Vec<SourceRef>,
}

/// Unbound fields that probably hold the same data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The unbound fields.
    pub fields: Vec<SourceRef>,
    /// A bound element of the merged form they probably are.
    pub element: Option<String>,
    /// 0–100.
    pub score: u8,
    /// Why, in a word (`same_label`, `element_name`).
    pub reason: &'static str,
}

/// A distinct material of the merged application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergedMaterial {
    /// Material code.
    pub material: String,
    /// Its name.
    pub name: String,
    /// Can be fetched by data sharing (免提交).
    pub exempt: bool,
    /// The visible items that ask for it.
    pub items: Vec<String>,
}

/// Before/after counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeStats {
    /// Visible source fields.
    pub fields_before: usize,
    /// Fields of the merged form.
    pub fields_after: usize,
    /// Visible item–material rows.
    pub materials_before: usize,
    /// Distinct materials.
    pub materials_after: usize,
    /// Distinct shareable materials (免提交).
    pub materials_exempt: usize,
    /// Visible items.
    pub items_visible: usize,
    /// Sum of the visible items' time limits.
    pub time_sum_days: u32,
    /// Longest path through depends_on among visible items.
    pub time_critical_days: u32,
}

/// The merged form of a bundle under some answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Merge {
    /// Bundle code.
    pub bundle: String,
    /// The answers used.
    pub answers: Answers,
    /// Visible items in bundle order.
    pub items: Vec<String>,
    /// Forms merged, in order.
    pub forms: Vec<String>,
    /// The merged fields, in first-appearance order.
    pub fields: Vec<MergedField>,
    /// Differences among sources.
    pub conflicts: Vec<Conflict>,
    /// Likely duplicates among unbound fields.
    pub suggestions: Vec<Suggestion>,
    /// Distinct materials.
    pub materials: Vec<MergedMaterial>,
    /// Counts.
    pub stats: MergeStats,
    /// The flow of the visible items.
    #[serde(skip)]
    pub flow: flow::Flow,
}

/// The group key of an element: its topmost ancestor present among `present`.
fn group_of<'a>(catalog: &'a Catalog, element: &'a str, present: &HashSet<&str>) -> &'a str {
    let mut group = element;
    let mut cursor = catalog
        .elements
        .get(element)
        .and_then(|e| e.parent.as_deref());
    let mut steps = 0;
    while let Some(parent) = cursor {
        if present.contains(parent) {
            group = parent;
        }
        cursor = catalog
            .elements
            .get(parent)
            .and_then(|e| e.parent.as_deref());
        steps += 1;
        if steps > 64 {
            break;
        }
    }
    group
}

fn source_ref(s: &SourceField<'_>) -> SourceRef {
    SourceRef {
        form: s.form.code.clone(),
        field: s.field.key.clone(),
    }
}

/// Merges `bundle` under `answers`, leaving out the forms in `excluded`.
pub fn merge(
    catalog: &Catalog,
    bundle: &Bundle,
    answers: &Answers,
    excluded: &BTreeSet<String>,
) -> Merge {
    let situation = situation::situation(catalog, bundle, answers, excluded);
    let present: HashSet<&str> = situation
        .fields
        .iter()
        .filter_map(|s| s.field.element.as_deref())
        .collect();
    let mut fields: Vec<MergedField> = Vec::new();
    let mut group_index: HashMap<&str, usize> = HashMap::default();
    // per merged field: the source fields, for conflicts
    let mut members: Vec<Vec<SourceField<'_>>> = Vec::new();
    let mut groups: HashMap<&str, &str> = HashMap::default();
    for source in &situation.fields {
        let index = match source.field.element.as_deref() {
            Some(element) => {
                let group = *groups
                    .entry(element)
                    .or_insert_with(|| group_of(catalog, element, &present));
                *group_index.entry(group).or_insert_with(|| {
                    fields.push(MergedField {
                        element: Some(group.to_string()),
                        label: catalog
                            .elements
                            .get(group)
                            .map_or_else(|| source.field.label.clone(), |e| e.name.clone()),
                        required: false,
                        covers: Vec::new(),
                        sources: Vec::new(),
                    });
                    members.push(Vec::new());
                    fields.len() - 1
                })
            }
            None => {
                fields.push(MergedField {
                    element: None,
                    label: source.field.label.clone(),
                    required: false,
                    covers: Vec::new(),
                    sources: Vec::new(),
                });
                members.push(Vec::new());
                fields.len() - 1
            }
        };
        let merged = &mut fields[index];
        merged.required |= source.field.required;
        if let (Some(group), Some(element)) = (&merged.element, &source.field.element)
            && group != element
            && !merged.covers.contains(element)
        {
            merged.covers.push(element.clone());
        }
        merged.sources.push(source_ref(source));
        members[index].push(*source);
    }
    let conflicts = conflicts(catalog, &fields, &members);
    let suggestions = suggestions(catalog, &fields, &situation.fields);
    let materials = materials(catalog, &situation.material_rows);
    let flow = flow::flow(catalog, &situation.items);
    let stats = MergeStats {
        fields_before: situation.fields.len(),
        fields_after: fields.len(),
        materials_before: situation.material_rows.len(),
        materials_after: materials.len(),
        materials_exempt: materials.iter().filter(|m| m.exempt).count(),
        items_visible: situation.items.len(),
        time_sum_days: flow.time_sum_days,
        time_critical_days: flow.time_critical_days,
    };
    Merge {
        bundle: bundle.code.clone(),
        answers: answers.clone(),
        items: situation.items.iter().map(|s| s.to_string()).collect(),
        forms: situation.forms.iter().map(|f| f.code.clone()).collect(),
        fields,
        conflicts,
        suggestions,
        materials,
        stats,
        flow,
    }
}

fn conflicts(
    catalog: &Catalog,
    fields: &[MergedField],
    members: &[Vec<SourceField<'_>>],
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (field, sources) in fields.iter().zip(members) {
        let Some(element) = &field.element else {
            continue;
        };
        if sources.len() < 2 {
            continue;
        }
        let refs = || sources.iter().map(source_ref).collect::<Vec<_>>();
        // required flags and labels of the sources bound to the group element itself
        // (covered children are other elements, with their own)
        let own: Vec<&SourceField<'_>> = sources
            .iter()
            .filter(|s| s.field.element.as_deref() == Some(element.as_str()))
            .collect();
        let some_required = own.iter().any(|s| s.field.required);
        if some_required && own.iter().any(|s| !s.field.required) {
            out.push(Conflict {
                element: element.clone(),
                kind: ConflictKind::Required,
                values: vec!["true".into(), "false".into()],
                sources: own.iter().map(|s| source_ref(s)).collect(),
            });
        }
        // sources share one element (and its options) unless covered children joined
        let options: BTreeSet<String> = sources
            .iter()
            .filter(|_| !field.covers.is_empty())
            .filter_map(|s| catalog.elements.get(s.field.element.as_deref()?))
            .filter(|e| !e.options.is_empty())
            .map(|e| {
                e.options
                    .iter()
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        if options.len() > 1 {
            out.push(Conflict {
                element: element.clone(),
                kind: ConflictKind::Options,
                values: options.into_iter().collect(),
                sources: refs(),
            });
        }
        let mut labels: Vec<&str> = Vec::new();
        for s in &own {
            if !labels.contains(&s.field.label.as_str()) {
                labels.push(&s.field.label);
            }
        }
        if labels.len() > 1 {
            out.push(Conflict {
                element: element.clone(),
                kind: ConflictKind::Label,
                values: labels.into_iter().map(str::to_string).collect(),
                sources: own.iter().map(|s| source_ref(s)).collect(),
            });
        }
    }
    out
}

fn suggestions(
    catalog: &Catalog,
    fields: &[MergedField],
    sources: &[SourceField<'_>],
) -> Vec<Suggestion> {
    // bound elements of the merged form by normalised name and synonym
    let mut by_name: HashMap<String, &str> = HashMap::default();
    for f in fields {
        if let Some(code) = &f.element
            && let Some(e) = catalog.elements.get(code)
        {
            for n in std::iter::once(&e.name).chain(&e.synonyms) {
                by_name.entry(normalise(n)).or_insert(code);
            }
        }
    }
    let mut groups: BTreeMap<String, Vec<SourceRef>> = BTreeMap::new();
    for s in sources.iter().filter(|s| s.field.element.is_none()) {
        groups
            .entry(normalise(&s.field.label))
            .or_default()
            .push(source_ref(s));
    }
    let mut out: Vec<Suggestion> = groups
        .into_iter()
        .filter_map(|(label, fields)| {
            if let Some(element) = by_name.get(&label) {
                Some(Suggestion {
                    fields,
                    element: Some(element.to_string()),
                    score: 90,
                    reason: "element_name",
                })
            } else if fields.len() > 1 {
                Some(Suggestion {
                    fields,
                    element: None,
                    score: 80,
                    reason: "same_label",
                })
            } else {
                None
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.fields.cmp(&b.fields)));
    out
}

fn materials(catalog: &Catalog, rows: &[(&str, &str)]) -> Vec<MergedMaterial> {
    let mut out: Vec<MergedMaterial> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::default();
    for (item, code) in rows {
        let i = *index.entry(code).or_insert_with(|| {
            let m = catalog.materials.get(*code);
            out.push(MergedMaterial {
                material: code.to_string(),
                name: m.map_or_else(String::new, |m| m.name.clone()),
                exempt: m.is_some_and(|m| m.shareable),
                items: Vec::new(),
            });
            out.len() - 1
        });
        if !out[i].items.iter().any(|x| x == item) {
            out[i].items.push(item.to_string());
        }
    }
    out
}

impl Merge {
    /// The merged field a source field went into (provenance, the other way).
    pub fn merged_field_of(&self, form: &str, field: &str) -> Option<&MergedField> {
        self.fields
            .iter()
            .find(|f| f.sources.iter().any(|s| s.form == form && s.field == field))
    }

    /// Reduction of fields as a fraction of the fields before (0 when there were none).
    pub fn field_reduction(&self) -> f64 {
        if self.stats.fields_before == 0 {
            0.0
        } else {
            1.0 - self.stats.fields_after as f64 / self.stats.fields_before as f64
        }
    }
}

#[cfg(test)]
mod tests;
