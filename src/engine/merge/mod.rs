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
pub mod suggest;

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Element};

use super::dups::Covers;
use situation::{Answers, SourceField};

pub use situation::{all_answer_sets, item_forms};

/// A code or field key in a merge result. Codes are short, so they are stored inline and
/// copying one never allocates (a recompute copies one per source field).
pub type Code = compact_str::CompactString;

/// A source field: (form code, field key).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceRef {
    /// Form code.
    pub form: Code,
    /// Field key.
    pub field: Code,
}

/// One field of the merged form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergedField {
    /// The element of the group; `None` for an unbound field kept as it is.
    pub element: Option<Code>,
    /// The element's name (or the unbound field's label).
    pub label: String,
    /// Whether any source requires it.
    pub required: bool,
    /// Descendant elements whose fields joined this group.
    pub covers: Vec<Code>,
    /// Every source field, in form order.
    pub sources: Vec<SourceRef>,
}

impl MergedField {
    /// The key of this field in a filled merged form: the element code, or `form/field`.
    pub fn key(&self) -> String {
        match (&self.element, self.sources.first()) {
            (Some(e), _) => e.to_string(),
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

impl ConflictKind {
    /// What differs, in a word: 标签 / 必填 / 选项.
    pub fn describe(self, lang: Lang) -> &'static str {
        match self {
            Self::Required => lang.pick("必填", "required"),
            Self::Options => lang.pick("选项", "options"),
            Self::Label => lang.pick("标签", "label"),
        }
    }
}

/// One conflict: an element and one kind of difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The element.
    pub element: Code,
    /// What differs.
    pub kind: ConflictKind,
    /// The distinct values, as text.
    pub values: Vec<Code>,
    /// The sources involved.
    pub sources: Vec<SourceRef>,
    /// Per entry of `sources`: the index in `values` of that source's value (`None`: the
    /// source has none, e.g. a covered child element without options).
    #[serde(skip)]
    pub value_of: Vec<Option<usize>>,
}

impl Conflict {
    /// A value as a reader takes it: a label in 「」, 必填 / 选填 for a required flag, an
    /// option list as it is.
    pub fn value_text(&self, value: &str, lang: Lang) -> String {
        match self.kind {
            ConflictKind::Label => lang.pick(format!("「{value}」"), format!("\"{value}\"")),
            ConflictKind::Required if value == "true" => lang.pick("必填", "required").into(),
            ConflictKind::Required => lang.pick("选填", "optional").into(),
            ConflictKind::Options => value.to_string(),
        }
    }

    /// The value of one source, if it is among this conflict's sources and has one.
    pub fn value_of_source(&self, source: &SourceRef) -> Option<&str> {
        let i = self.sources.iter().position(|s| s == source)?;
        let v = (*self.value_of.get(i)?)?;
        self.values.get(v).map(Code::as_str)
    }

    /// Each distinct value with the sources that have it, in the order of `values`.
    pub fn groups(&self) -> Vec<(&str, Vec<&SourceRef>)> {
        self.values
            .iter()
            .enumerate()
            .map(|(v, value)| {
                let sources = self
                    .sources
                    .iter()
                    .zip(&self.value_of)
                    .filter(|(_, of)| **of == Some(v))
                    .map(|(s, _)| s)
                    .collect();
                (value.as_str(), sources)
            })
            .collect()
    }

    /// What differs and which source has which value, in a line:
    /// `标签不一：「姓名」BD000003/f01；「申请人姓名」BD000004/f01, BD000029/f01`.
    pub fn describe(&self, lang: Lang) -> String {
        let groups: Vec<String> = self
            .groups()
            .into_iter()
            .map(|(value, sources)| {
                let sources: Vec<String> = sources
                    .iter()
                    .map(|s| format!("{}/{}", s.form, s.field))
                    .collect();
                format!("{} {}", self.value_text(value, lang), sources.join(", "))
            })
            .collect();
        lang.pick(
            format!("{}不一：{}", self.kind.describe(lang), groups.join("；")),
            format!(
                "{} differs: {}",
                self.kind.describe(lang),
                groups.join("; ")
            ),
        )
    }
}

/// Unbound fields that probably hold the same data, and the element they probably are (see
/// [`suggest`] for how they are found). At most one field of a form: a second field of that
/// form would bind the element twice, so it is left out and [`Suggestion::left_out`] says why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The unbound fields.
    pub fields: Vec<SourceRef>,
    /// The element they probably are: one of the merged form's elements, or one of the pool
    /// whose name or synonym is their label (or that reads the same); `None`: a new element.
    pub element: Option<Code>,
    /// 0–100.
    pub score: u8,
    /// Why, in a word, the strongest among its fields ([`suggest::reason_rank`]):
    /// `element_name` / `element_synonym` / `element_pinyin` (a merged field's element has
    /// the label as its name / a synonym, or its name reads the same), `pool_name` /
    /// `pool_synonym` / `pool_pinyin` (an element of the pool has it as its name, as a
    /// synonym, or reads the same: the duplicate finder's [`Covers`]; one that covers several
    /// of the unbound labels wins), `same_label` (unbound fields of different forms with one
    /// label, no element has it; one field of each form). [`suggest::reason_text`] says it in
    /// words.
    pub reason: &'static str,
    /// How many of the bundle's unbound labels the element has as its name or a synonym, or
    /// reads as (0 for a new element).
    pub covers: usize,
    /// Fields of these labels left unbound (another field of their form is bound to the
    /// element already, or goes to it here), and why.
    pub left_out: Vec<suggest::LeftOut>,
    /// The other elements the fields could be bound to, best first (at most
    /// [`suggest::MAX_ALTERNATIVES`]), each with the fields it would bind.
    pub alternatives: Vec<suggest::Candidate>,
}

impl Suggestion {
    /// Every choice: this suggestion's own element first, then the alternatives.
    pub fn candidates(&self) -> Vec<suggest::Candidate> {
        let own = suggest::Candidate {
            element: self.element.clone(),
            score: self.score,
            reason: self.reason,
            covers: self.covers,
            fields: self.fields.clone(),
            left_out: self.left_out.clone(),
        };
        std::iter::once(own)
            .chain(self.alternatives.iter().cloned())
            .collect()
    }

    /// The suggestion that binds to `candidate` instead (what accepting an alternative
    /// accepts), without alternatives of its own.
    pub fn choosing(&self, candidate: &suggest::Candidate) -> Suggestion {
        Suggestion {
            fields: candidate.fields.clone(),
            element: candidate.element.clone(),
            score: candidate.score,
            reason: candidate.reason,
            covers: candidate.covers,
            left_out: candidate.left_out.clone(),
            alternatives: Vec::new(),
        }
    }
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

/// Where a visible source field went: `fields[field].sources[entry]` of its merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Index of the merged field.
    pub field: usize,
    /// Index among that field's sources.
    pub entry: usize,
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
    /// Unbound fields with a likely element that no suggestion binds, and why (their form
    /// binds it already), when no suggestion's `left_out` lists them.
    pub left_out: Vec<suggest::LeftOut>,
    /// Distinct materials.
    pub materials: Vec<MergedMaterial>,
    /// Counts.
    pub stats: MergeStats,
    /// The flow of the visible items.
    #[serde(skip)]
    pub flow: flow::Flow,
    /// Every visible source field in form order, and where it went.
    #[serde(skip)]
    pub placements: Vec<Placement>,
}

/// The slot of an unbound source field (no element).
const UNBOUND: u32 = u32::MAX;

/// Converts an index to the compact `u32` the merge works with; a bundle never has 2³² fields.
fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(UNBOUND)
}

/// The group of a distinct element: its topmost ancestor among the visible elements
/// (`present`, element → distinct index), else itself.
fn group_of(
    catalog: &Catalog,
    record: Option<&Element>,
    own: u32,
    present: &HashMap<&str, u32>,
) -> u32 {
    let mut group = own;
    let mut cursor = record.and_then(|e| e.parent.as_deref());
    let mut steps = 0;
    while let Some(parent) = cursor {
        if let Some(&d) = present.get(parent) {
            group = d;
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
        form: Code::from(s.form.code.as_str()),
        field: Code::from(s.field.key.as_str()),
    }
}

/// What the merge works on: the visible source fields with their elements resolved once,
/// and the merged fields as indices. Strings are only copied into the result.
struct Grouping<'a> {
    /// The visible source fields, in form order.
    sources: &'a [SourceField<'a>],
    /// The distinct elements of the sources, in first-appearance order.
    elements: Vec<&'a str>,
    /// Each distinct element's record (`None` for a code the catalog lacks).
    records: Vec<Option<&'a Element>>,
    /// Per source: its distinct element, or [`UNBOUND`].
    slot: Vec<u32>,
    /// Per merged field: the distinct element of its group, or [`UNBOUND`].
    group: Vec<u32>,
    /// Per merged field `m`: its sources are `members[start[m]..start[m + 1]]`, in form order.
    start: Vec<u32>,
    members: Vec<u32>,
    /// Per source: its merged field and its place among that field's sources.
    placements: Vec<Placement>,
}

impl<'a> Grouping<'a> {
    fn new(catalog: &'a Catalog, sources: &'a [SourceField<'a>]) -> Self {
        let n = sources.len();
        let mut distinct: HashMap<&str, u32> =
            HashMap::with_capacity_and_hasher(n.min(1024), Default::default());
        let mut elements: Vec<&str> = Vec::new();
        let mut slot: Vec<u32> = Vec::with_capacity(n);
        for s in sources {
            slot.push(match s.field.element.as_deref() {
                Some(e) => *distinct.entry(e).or_insert_with(|| {
                    elements.push(e);
                    idx(elements.len() - 1)
                }),
                None => UNBOUND,
            });
        }
        let records: Vec<Option<&Element>> =
            elements.iter().map(|e| catalog.elements.get(*e)).collect();
        let group_of_element: Vec<u32> = records
            .iter()
            .enumerate()
            .map(|(d, r)| group_of(catalog, *r, idx(d), &distinct))
            .collect();
        // merged fields in first-appearance order; per source, the merged field it joins
        let mut group: Vec<u32> = Vec::new();
        let mut count: Vec<u32> = Vec::new();
        let mut placed: Vec<u32> = vec![UNBOUND; elements.len()];
        let mut into: Vec<u32> = Vec::with_capacity(n);
        for &d in &slot {
            let m = if d == UNBOUND {
                group.push(UNBOUND);
                count.push(0);
                group.len() - 1
            } else {
                let g = group_of_element[d as usize] as usize;
                if placed[g] == UNBOUND {
                    placed[g] = idx(group.len());
                    group.push(idx(g));
                    count.push(0);
                }
                placed[g] as usize
            };
            count[m] += 1;
            into.push(idx(m));
        }
        // a counting sort: each merged field's sources contiguous, in form order
        let mut start: Vec<u32> = Vec::with_capacity(count.len() + 1);
        let mut total = 0u32;
        start.push(0);
        for c in &count {
            total += c;
            start.push(total);
        }
        let mut next = start.clone();
        let mut members = vec![0u32; n];
        let mut placements = Vec::with_capacity(n);
        for (i, &m) in into.iter().enumerate() {
            let m = m as usize;
            let at = next[m] as usize;
            members[at] = idx(i);
            next[m] += 1;
            placements.push(Placement {
                field: m,
                entry: at - start[m] as usize,
            });
        }
        Grouping {
            sources,
            elements,
            records,
            slot,
            group,
            start,
            members,
            placements,
        }
    }

    /// The sources of merged field `m`, as indices into `sources`.
    fn members(&self, m: usize) -> &[u32] {
        &self.members[self.start[m] as usize..self.start[m + 1] as usize]
    }

    fn field(&self, m: usize) -> MergedField {
        let members = self.members(m);
        let source = |i: &u32| &self.sources[*i as usize];
        let first_label = || {
            members
                .first()
                .map_or_else(String::new, |i| source(i).field.label.to_string())
        };
        let g = self.group[m];
        let mut covers: Vec<Code> = Vec::new();
        let (element, label) = if g == UNBOUND {
            (None, first_label())
        } else {
            let mut seen: Vec<u32> = Vec::new();
            for &i in members {
                let d = self.slot[i as usize];
                if d != g && !seen.contains(&d) {
                    seen.push(d);
                    covers.push(Code::from(self.elements[d as usize]));
                }
            }
            let g = g as usize;
            (
                Some(Code::from(self.elements[g])),
                self.records[g].map_or_else(first_label, |e| e.name.to_string()),
            )
        };
        MergedField {
            element,
            label,
            required: members.iter().any(|i| source(i).field.required),
            covers,
            sources: members.iter().map(|i| source_ref(source(i))).collect(),
        }
    }
}

/// Merges `bundle` under `answers`, leaving out the forms in `excluded`; unbound fields are
/// also matched against the whole element pool ([`pool_covers`], one pass over the elements).
pub fn merge(
    catalog: &Catalog,
    bundle: &Bundle,
    answers: &Answers,
    excluded: &BTreeSet<String>,
) -> Merge {
    let pool = pool_covers(catalog, bundle);
    merge_with(catalog, bundle, answers, excluded, Some(&pool))
}

/// [`merge`] with the pool's covers given (built once by [`pool_covers`] for many merges of
/// one bundle); `None` suggests only from the merged form's own elements (enough for counts:
/// suggestions change no figure of [`MergeStats`]).
pub fn merge_with(
    catalog: &Catalog,
    bundle: &Bundle,
    answers: &Answers,
    excluded: &BTreeSet<String>,
    pool: Option<&Covers>,
) -> Merge {
    let situation = situation::situation(catalog, bundle, answers, excluded);
    let mut grouping = Grouping::new(catalog, &situation.fields);
    let fields: Vec<MergedField> = (0..grouping.group.len())
        .map(|m| grouping.field(m))
        .collect();
    let conflicts = conflicts(&grouping, &fields);
    let merged: Vec<(&Code, &Element)> = fields
        .iter()
        .zip(&grouping.group)
        .filter_map(|(f, &g)| Some((f.element.as_ref()?, (*grouping.records.get(g as usize)?)?)))
        .collect();
    let (suggestions, left_out) = suggest::suggestions(&fields, &merged, &situation.forms, pool);
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
        bundle: bundle.code.to_string(),
        answers: answers.clone(),
        items: situation.items.iter().map(|s| s.to_string()).collect(),
        forms: situation.forms.iter().map(|f| f.code.to_string()).collect(),
        fields,
        conflicts,
        suggestions,
        left_out,
        materials,
        stats,
        flow,
        placements: std::mem::take(&mut grouping.placements),
    }
}

fn conflicts(grouping: &Grouping<'_>, fields: &[MergedField]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (m, field) in fields.iter().enumerate() {
        let g = grouping.group[m];
        let members = grouping.members(m);
        let Some(element) = &field.element else {
            continue;
        };
        if members.len() < 2 {
            continue;
        }
        // the sources bound to the group element itself (covered children are other
        // elements, with their own labels and flags), as (field, its SourceRef)
        let own = || {
            members
                .iter()
                .zip(&field.sources)
                .filter(|(i, _)| grouping.slot[**i as usize] == g)
                .map(|(i, r)| (grouping.sources[*i as usize].field, r))
        };
        let some_required = own().any(|(f, _)| f.required);
        if some_required && own().any(|(f, _)| !f.required) {
            out.push(Conflict {
                element: element.clone(),
                kind: ConflictKind::Required,
                values: vec!["true".into(), "false".into()],
                sources: own().map(|(_, r)| r.clone()).collect(),
                value_of: own()
                    .map(|(f, _)| Some(if f.required { 0 } else { 1 }))
                    .collect(),
            });
        }
        // sources share one element (and its options) unless covered children joined
        if !field.covers.is_empty() {
            let mut elements: Vec<u32> = vec![g];
            for &i in members {
                let d = grouping.slot[i as usize];
                if !elements.contains(&d) {
                    elements.push(d);
                }
            }
            // an element's option list as text; `None` without options
            let list = |d: u32| {
                grouping.records[d as usize]
                    .filter(|e| !e.options.is_empty())
                    .map(|e| {
                        e.options
                            .iter()
                            .map(|o| o.label.as_str())
                            .collect::<Vec<_>>()
                            .join("/")
                    })
            };
            let options: BTreeSet<String> = elements.iter().filter_map(|d| list(*d)).collect();
            if options.len() > 1 {
                let values: Vec<Code> = options.into_iter().map(Code::from).collect();
                let value_of = members
                    .iter()
                    .map(|i| {
                        let own = list(grouping.slot[*i as usize])?;
                        values.iter().position(|v| *v == own)
                    })
                    .collect();
                out.push(Conflict {
                    element: element.clone(),
                    kind: ConflictKind::Options,
                    values,
                    sources: field.sources.clone(),
                    value_of,
                });
            }
        }
        let mut labels: Vec<&str> = Vec::new();
        for (f, _) in own() {
            if !labels.contains(&f.label.as_str()) {
                labels.push(&f.label);
            }
        }
        if labels.len() > 1 {
            out.push(Conflict {
                element: element.clone(),
                kind: ConflictKind::Label,
                value_of: own()
                    .map(|(f, _)| labels.iter().position(|l| *l == f.label.as_str()))
                    .collect(),
                values: labels.into_iter().map(Code::from).collect(),
                sources: own().map(|(_, r)| r.clone()).collect(),
            });
        }
    }
    out
}

/// The element pool's covers for every unbound field label of the bundle's forms (under any
/// answers), for [`merge_with`]: built in one pass over the elements, so a face that
/// recomputes the merge often builds it once per catalog revision.
pub fn pool_covers(catalog: &Catalog, bundle: &Bundle) -> Covers {
    Covers::for_labels(catalog, unbound_labels(catalog, bundle))
}

/// The labels of the unbound fields of the bundle's forms (under any answers): what
/// [`pool_covers`] indexes the pool for.
pub fn unbound_labels<'c>(
    catalog: &'c Catalog,
    bundle: &'c Bundle,
) -> impl Iterator<Item = &'c str> + 'c {
    bundle
        .items
        .iter()
        .flat_map(|item| item_forms(catalog, item))
        .flat_map(|form| form.fields())
        .filter(|(_, _, f)| f.element.is_none())
        .map(|(_, _, f)| f.label.as_str())
}

fn materials(catalog: &Catalog, rows: &[(&str, &str)]) -> Vec<MergedMaterial> {
    let mut out: Vec<MergedMaterial> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::default();
    for (item, code) in rows {
        let i = *index.entry(code).or_insert_with(|| {
            let m = catalog.materials.get(*code);
            out.push(MergedMaterial {
                material: code.to_string(),
                name: m.map_or_else(String::new, |m| m.name.to_string()),
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

    /// Why an unbound source field is in no suggestion although an element probably covers
    /// it (a suggestion's `left_out`, or [`Merge::left_out`]); `None` when it is not left out.
    pub fn left_out_of(&self, source: &SourceRef) -> Option<&suggest::LeftOut> {
        self.suggestions
            .iter()
            .flat_map(|s| &s.left_out)
            .chain(&self.left_out)
            .find(|l| l.field == *source)
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
