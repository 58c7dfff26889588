//! 模板库 templates: items, materials and bundles flagged `template` are the reference records
//! entries are claimed (认领) from and compared against. An item template's 办事指南 guide is its
//! guide attributes (type, basis, time limits, fee, online depth), materials and forms, so
//! "guide templates" are item templates compared on those.
//!
//! [`claim`] copies a template (and its forms) into a new draft entry with origin claimed and
//! `template_of` set; [`compare`] lists where an entry departs from its template: attributes,
//! form fields (missing element, different kind or element, label drift, required flag,
//! extra), materials, and for bundles items, questions, the lead agency, item conditions,
//! question texts and options, and materials rows' conditions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{
    Bundle, Catalog, Field, Form, ItemLevel, ItemType, Kind, MaterialKind, Origin, Question,
    Record, RecordRef, RecordSource, Status,
};
use crate::store::Batch;

use crate::model::Issue;
use crate::model::invariants::check_code;

use super::bundle_edit::when_text;
use super::workflow::unique_among;

/// The kinds that have templates.
pub const KINDS: [Kind; 3] = [Kind::Item, Kind::Material, Kind::Bundle];

/// The record with `code` among items, materials and bundles (in that order).
pub fn find<'c>(catalog: &'c Catalog, code: &str) -> Option<RecordRef<'c>> {
    KINDS.iter().find_map(|k| catalog.get(*k, code))
}

/// Every template, items first, then materials, then bundles, by code.
pub fn templates(catalog: &Catalog) -> Vec<RecordRef<'_>> {
    let items = catalog.items.values().map(RecordRef::Item);
    let materials = catalog.materials.values().map(RecordRef::Material);
    let bundles = catalog.bundles.values().map(RecordRef::Bundle);
    items
        .chain(materials)
        .chain(bundles)
        .filter(|r| r.is_template())
        .collect()
}

/// A line of `template list`: a template and how many records were claimed from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Item, material or bundle.
    pub kind: Kind,
    /// The template's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many records of its kind name it as their template.
    pub claimed: usize,
}

/// Every template with how many records were claimed from it, in the order of
/// [`templates`]: one pass over the items, materials and bundles of `source` (the loaded
/// catalog, or a store read a record at a time).
pub fn listed(source: &dyn RecordSource) -> std::io::Result<Vec<Listed>> {
    let mut out: Vec<Listed> = Vec::new();
    for kind in KINDS {
        let first = out.len();
        let mut claims: HashMap<String, usize> = HashMap::new();
        source.each_record(kind, &mut |record| {
            if record.is_template() {
                out.push(Listed {
                    kind,
                    code: record.code().to_string(),
                    name: record.name().to_string(),
                    claimed: 0,
                });
            }
            if let Some(template) = template_of(record) {
                *claims.entry(template.to_string()).or_default() += 1;
            }
            Ok(())
        })?;
        for listed in out.iter_mut().skip(first) {
            listed.claimed = claims.get(&listed.code).copied().unwrap_or(0);
        }
    }
    Ok(out)
}

/// The template a record was claimed from, if any.
pub fn template_of(record: RecordRef<'_>) -> Option<&str> {
    match record {
        RecordRef::Item(i) => i.template_of.as_deref(),
        RecordRef::Material(m) => m.template_of.as_deref(),
        RecordRef::Bundle(b) => b.template_of.as_deref(),
        _ => None,
    }
}

/// Why a template cannot be claimed or compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    /// No item, material or bundle has the code.
    Unknown(String),
    /// The record is not flagged as a template.
    NotATemplate(String),
    /// The entry was not claimed from a template.
    NotClaimed(String),
    /// The new code is not a valid code.
    BadCode(String, Issue),
    /// The new code is taken.
    Taken(Kind, String),
}

impl TemplateError {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        let i = |s: &str| crate::display::inert(s).into_owned();
        match self {
            Self::Unknown(c) => lang.pick(
                format!("没有编码为 {} 的事项、材料或主题", i(c)),
                format!("no item, material or bundle {}", i(c)),
            ),
            Self::NotATemplate(c) => lang.pick(
                format!("{} 不是模板", i(c)),
                format!("{} is not a template", i(c)),
            ),
            Self::NotClaimed(c) => lang.pick(
                format!("{} 不是从模板认领的", i(c)),
                format!("{} was not claimed from a template", i(c)),
            ),
            Self::BadCode(c, why) => lang.pick(
                format!("不能使用编码 {}：{}", i(c), i(&why.message(lang))),
                format!("cannot use code {}: {}", i(c), i(&why.message(lang))),
            ),
            Self::Taken(kind, c) => lang.pick(
                format!("{}编码 {} 已存在", kind.zh(), i(c)),
                format!("{} {} exists", kind.as_str(), i(c)),
            ),
        }
    }
}

fn copy_form(form: &Form, new_code: &str, taken: &impl Fn(Kind, &str) -> bool) -> Form {
    Form {
        code: unique_among(&format!("{new_code}-{}", form.code), |c| {
            taken(Kind::Form, c)
        })
        .into(),
        status: Status::Draft,
        version: 0,
        ..form.clone()
    }
}

/// Claims (认领) template `template_code` as a new entry `new_code`: a draft V0 copy with
/// origin claimed, not itself a template, `template_of` naming the template; the template's
/// forms are copied along (codes `NEWCODE-FORMCODE`) and point at the new entry.
pub fn claim(
    catalog: &Catalog,
    template_code: &str,
    new_code: &str,
) -> Result<Batch, TemplateError> {
    claim_among(catalog, template_code, new_code, |kind, code| {
        catalog.get(kind, code).is_some()
    })
}

/// [`claim`] over `near`, which holds the template and its forms (the forms whose item or
/// material it is), `taken` saying whether a code of a kind is the store's: what a store
/// claims a template with before its catalog is loaded (see
/// `UnloadedStore::claim_records`).
pub fn claim_among(
    near: &Catalog,
    template_code: &str,
    new_code: &str,
    taken: impl Fn(Kind, &str) -> bool,
) -> Result<Batch, TemplateError> {
    let template =
        find(near, template_code).ok_or_else(|| TemplateError::Unknown(template_code.into()))?;
    if !template.is_template() {
        return Err(TemplateError::NotATemplate(template_code.into()));
    }
    let kind = template.kind();
    if let Err(why) = check_code(new_code) {
        return Err(TemplateError::BadCode(new_code.into(), why));
    }
    if taken(kind, new_code) {
        return Err(TemplateError::Taken(kind, new_code.into()));
    }
    let from = Some(template_code.to_string());
    let mut records = Vec::new();
    let entry = match template {
        RecordRef::Item(t) => Record::Item(crate::model::Item {
            code: new_code.into(),
            status: Status::Draft,
            version: 0,
            origin: Origin::Claimed,
            template: false,
            template_of: from.map(Into::into),
            ..t.clone()
        }),
        RecordRef::Material(t) => Record::Material(crate::model::Material {
            code: new_code.into(),
            template: false,
            template_of: from,
            ..t.clone()
        }),
        RecordRef::Bundle(t) => Record::Bundle(crate::model::Bundle {
            code: new_code.into(),
            status: Status::Draft,
            version: 0,
            origin: Origin::Claimed,
            template: false,
            template_of: from,
            ..t.clone()
        }),
        _ => return Err(TemplateError::NotATemplate(template_code.into())),
    };
    records.push(entry);
    for form in near.forms.values() {
        let mut copy = copy_form(form, new_code, &taken);
        match kind {
            Kind::Item if form.item.as_deref() == Some(template_code) => {
                copy.item = Some(new_code.into());
            }
            Kind::Material if form.material.as_deref() == Some(template_code) => {
                copy.material = Some(new_code.into());
            }
            _ => continue,
        }
        records.push(Record::Form(copy));
    }
    Ok(Batch::upserts("claim", records))
}

/// An attribute whose value differs from the template's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttributeDiff {
    /// The attribute (interchange field name).
    pub attribute: &'static str,
    /// The entry's value.
    pub entry: String,
    /// The template's value.
    pub template: String,
}

impl Comparison {
    /// The kind of the records compared.
    pub fn record_kind(&self) -> Kind {
        match self.kind {
            "material" => Kind::Material,
            "bundle" => Kind::Bundle,
            _ => Kind::Item,
        }
    }
}

impl AttributeDiff {
    /// The attribute's name as the tables name it (`承诺时限` / `time_limit_days`).
    pub fn name(&self, kind: Kind, lang: Lang) -> &'static str {
        crate::io::table::TableId::main(kind)
            .columns()
            .iter()
            .find(|c| c.field == self.attribute)
            .map_or(self.attribute, |c| c.header(lang))
    }

    /// A value of this attribute as a reader knows it: a level or a kind by its name (实施清单),
    /// an item type with its name (01 行政许可), a yes/no as 是/否; other values as they are.
    pub fn shown(&self, value: &str, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self.attribute {
            "level" => ItemLevel::ALL
                .into_iter()
                .find(|l| l.as_str() == value)
                .filter(|_| zh)
                .map_or_else(|| value.to_string(), |l| l.zh().to_string()),
            "item_type" => ItemType::from_code(value)
                .filter(|_| zh)
                .map_or_else(|| value.to_string(), |t| format!("{} {}", t.code(), t.zh())),
            "kind" => MaterialKind::ALL
                .into_iter()
                .find(|k| k.as_str() == value)
                .filter(|_| zh)
                .map_or_else(|| value.to_string(), |k| k.zh().to_string()),
            _ => match value {
                "true" => lang.pick("是", "yes").to_string(),
                "false" => lang.pick("否", "no").to_string(),
                _ => value.to_string(),
            },
        }
    }
}

/// How a field departs from the template's form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "issue", rename_all = "snake_case")]
pub enum FieldIssue {
    /// The template's field (its element) is missing from the entry's form.
    Missing,
    /// The entry's form has a field the template's does not.
    Extra,
    /// Same key, bound to an element of another kind.
    DifferentKind {
        /// The entry's element kind.
        entry: String,
        /// The template's element kind.
        template: String,
    },
    /// Same key, bound to another element of the same kind (or one side unbound).
    DifferentElement {
        /// The entry's element.
        entry: Option<String>,
        /// The template's element.
        template: Option<String>,
    },
    /// Same element, another label.
    LabelDrift {
        /// The entry's label.
        entry: String,
        /// The template's label.
        template: String,
    },
    /// Same element, another required flag.
    Required {
        /// The entry's flag.
        entry: bool,
        /// The template's flag.
        template: bool,
    },
}

/// One departing field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// The field key (the template's, or the entry's for an extra field).
    pub key: String,
    /// Its label.
    pub label: String,
    /// Its element.
    pub element: Option<String>,
    /// How it departs.
    #[serde(flatten)]
    pub issue: FieldIssue,
}

/// An entry form paired with a template form (either may be missing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormComparison {
    /// The entry's form.
    pub entry: Option<String>,
    /// The template's form.
    pub template: Option<String>,
    /// Departing fields (empty when one side is missing).
    pub fields: Vec<FieldDiff>,
    /// Template fields the entry's form has as they are (for side-by-side views).
    #[serde(skip)]
    pub agreeing: usize,
}

/// Codes on the template's side but not the entry's, and the other way round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SetDiff {
    /// In the template, not in the entry.
    pub missing: Vec<String>,
    /// In the entry, not in the template.
    pub extra: Vec<String>,
}

/// What a bundle entry has with other content than its template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The condition under which an item applies (`item_when`).
    ItemWhen,
    /// A question's text.
    QuestionText,
    /// A question's options (keys and texts).
    QuestionOptions,
    /// The condition of a materials row.
    MaterialWhen,
}

impl ChangeKind {
    /// The name shown in front of the change.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::ItemWhen => lang.pick("事项条件", "item condition"),
            Self::QuestionText => lang.pick("判断项问题", "question text"),
            Self::QuestionOptions => lang.pick("判断项选项", "question options"),
            Self::MaterialWhen => lang.pick("材料条件", "material condition"),
        }
    }

    /// A value as shown: an empty condition reads "always".
    pub fn shown(self, value: &str, lang: Lang) -> String {
        match self {
            Self::ItemWhen | Self::MaterialWhen if value.is_empty() => {
                lang.pick("始终适用", "always").to_string()
            }
            _ => crate::display::inert(value).into_owned(),
        }
    }
}

/// Something a bundle entry and its template both have, with different content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What differs.
    pub what: ChangeKind,
    /// Which one: the item code, the question key, or `MATERIAL @ ITEM` for the materials rows
    /// of a material and item (in the template's codes).
    pub subject: String,
    /// The entry's value: a condition as typed in the workspace (`q=a,b r=c`, empty for
    /// "always"; the conditions of several rows joined by ` / `), a question's text, or its
    /// options as `key=text / key=text`.
    pub entry: String,
    /// The template's value, written the same way.
    pub template: String,
}

/// Options as `key=text / key=text`.
fn options_text(q: &Question) -> String {
    q.options
        .iter()
        .map(|o| format!("{}={}", o.key, o.text))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Conditions, question texts and options, and materials rows' conditions that differ
/// between a bundle entry and its template, for what both have (claimed items and
/// materials stand for their templates).
fn bundle_changes(catalog: &Catalog, entry: &Bundle, template: &Bundle) -> Vec<Change> {
    let stands_for = |kind: Kind, code: &str| -> String {
        catalog
            .get(kind, code)
            .and_then(template_of)
            .unwrap_or(code)
            .to_string()
    };
    let mut out = Vec::new();
    let mut change = |what, subject: &str, entry: String, template: String| {
        if entry != template {
            out.push(Change {
                what,
                subject: subject.to_string(),
                entry,
                template,
            });
        }
    };
    for item in &entry.items {
        let Some(t_item) = [item.clone(), stands_for(Kind::Item, item)]
            .into_iter()
            .find(|c| template.items.contains(c))
        else {
            continue;
        };
        change(
            ChangeKind::ItemWhen,
            item,
            when_text(entry.item_when.get(item)),
            when_text(template.item_when.get(&t_item)),
        );
    }
    for q in &entry.questions {
        let Some(t) = template.questions.iter().find(|t| t.key == q.key) else {
            continue;
        };
        change(
            ChangeKind::QuestionText,
            &q.key,
            q.text.clone(),
            t.text.clone(),
        );
        change(
            ChangeKind::QuestionOptions,
            &q.key,
            options_text(q),
            options_text(t),
        );
    }
    // rows grouped by (material, item), entry codes read as the template's; a pair may have
    // several rows (a general one and special ones), so their conditions compare as sets
    let rows = |b: &Bundle, own: bool| {
        let mut groups: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for row in &b.materials {
            let as_template = |kind, code: &str, known: &dyn Fn(&str) -> bool| {
                if own || known(code) {
                    code.to_string()
                } else {
                    stands_for(kind, code)
                }
            };
            let material = as_template(Kind::Material, &row.material, &|c| {
                template.materials.iter().any(|t| t.material == c)
            });
            let item = as_template(Kind::Item, &row.item, &|c| {
                template.items.iter().any(|t| t == c)
            });
            groups
                .entry((material, item))
                .or_default()
                .insert(when_text(row.when.as_ref()));
        }
        groups
    };
    let template_rows = rows(template, true);
    for ((material, item), conditions) in rows(entry, false) {
        let Some(t) = template_rows.get(&(material.clone(), item.clone())) else {
            continue;
        };
        let joined = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(" / ");
        change(
            ChangeKind::MaterialWhen,
            &format!("{material} @ {item}"),
            joined(&conditions),
            joined(t),
        );
    }
    out
}

/// An entry compared with its template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// `item`, `material` or `bundle`.
    pub kind: &'static str,
    /// The entry.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The template.
    pub template: String,
    /// The template's name.
    pub template_name: String,
    /// Differing attributes.
    pub attributes: Vec<AttributeDiff>,
    /// Attributes compared and found equal (for side-by-side views).
    #[serde(skip)]
    pub agreeing: Vec<AttributeDiff>,
    /// Forms, paired.
    pub forms: Vec<FormComparison>,
    /// Materials (an entry material claimed from a template material counts as that one).
    pub materials: SetDiff,
    /// Bundle items (claimed items count as their template).
    pub items: SetDiff,
    /// Bundle question keys.
    pub questions: SetDiff,
    /// Bundle conditions, question texts and options, and materials conditions that differ.
    pub changes: Vec<Change>,
    /// Whether nothing departs.
    pub conforms: bool,
}

impl Comparison {
    /// How many departures there are.
    pub fn departures(&self) -> usize {
        self.attributes.len()
            + self
                .forms
                .iter()
                .map(|f| {
                    if f.entry.is_none() || f.template.is_none() {
                        1
                    } else {
                        f.fields.len()
                    }
                })
                .sum::<usize>()
            + self.changes.len()
            + [&self.materials, &self.items, &self.questions]
                .iter()
                .map(|d| d.missing.len() + d.extra.len())
                .sum::<usize>()
    }
}

/// Notes a compared attribute (equal or not: [`compare`] splits them).
fn attr(out: &mut Vec<AttributeDiff>, attribute: &'static str, entry: String, template: String) {
    out.push(AttributeDiff {
        attribute,
        entry,
        template,
    });
}

/// `entry` codes against `template` codes; with a `kind`, an entry code whose record was
/// claimed from a template code stands for it.
fn set_diff(
    catalog: &Catalog,
    kind: Option<Kind>,
    entry: &[impl AsRef<str>],
    template: &[impl AsRef<str>],
) -> SetDiff {
    let stands_for = |code: &str| {
        kind.and_then(|k| catalog.get(k, code))
            .and_then(template_of)
            .map(str::to_string)
    };
    let entry_set: BTreeSet<String> = entry
        .iter()
        .flat_map(|c| [Some(c.as_ref().to_string()), stands_for(c.as_ref())])
        .flatten()
        .collect();
    let template_set: BTreeSet<&str> = template.iter().map(AsRef::as_ref).collect();
    SetDiff {
        missing: template
            .iter()
            .map(AsRef::as_ref)
            .filter(|c| !entry_set.contains(*c))
            .map(str::to_string)
            .collect(),
        extra: entry
            .iter()
            .map(AsRef::as_ref)
            .filter(|c| {
                !template_set.contains(c)
                    && !stands_for(c).is_some_and(|t| template_set.contains(t.as_str()))
            })
            .map(str::to_string)
            .collect(),
    }
}

fn element_kind(catalog: &Catalog, element: Option<&str>) -> Option<&'static str> {
    element
        .and_then(|e| catalog.elements.get(e))
        .map(|e| e.kind.as_str())
}

fn diff(field: &Field, issue: FieldIssue) -> FieldDiff {
    FieldDiff {
        key: field.key.to_string(),
        label: field.label.to_string(),
        element: field.element.as_deref().map(str::to_string),
        issue,
    }
}

/// The fields of `entry` against those of `template`: matched by element, else by key.
/// Returns the departures and how many template fields agree.
fn compare_fields(catalog: &Catalog, entry: &Form, template: &Form) -> (Vec<FieldDiff>, usize) {
    let entry_fields: Vec<&Field> = entry.fields().map(|(_, _, f)| f).collect();
    let mut used = vec![false; entry_fields.len()];
    let mut out = Vec::new();
    let mut agreeing = 0;
    for (_, _, t) in template.fields() {
        let by_element = t.element.as_ref().and_then(|el| {
            entry_fields
                .iter()
                .enumerate()
                .position(|(i, f)| !used[i] && f.element.as_ref() == Some(el))
        });
        let by_key = || {
            entry_fields
                .iter()
                .enumerate()
                .position(|(i, f)| !used[i] && f.key == t.key)
        };
        let Some(i) = by_element.or_else(by_key) else {
            out.push(diff(t, FieldIssue::Missing));
            continue;
        };
        used[i] = true;
        let e = entry_fields[i];
        if e.element != t.element {
            let (ek, tk) = (
                element_kind(catalog, e.element.as_deref()),
                element_kind(catalog, t.element.as_deref()),
            );
            let issue = match (ek, tk) {
                (Some(ek), Some(tk)) if ek != tk => FieldIssue::DifferentKind {
                    entry: ek.into(),
                    template: tk.into(),
                },
                _ => FieldIssue::DifferentElement {
                    entry: e.element.as_deref().map(str::to_string),
                    template: t.element.as_deref().map(str::to_string),
                },
            };
            out.push(diff(t, issue));
            continue;
        }
        if e.label == t.label && e.required == t.required {
            agreeing += 1;
        }
        if e.label != t.label {
            out.push(diff(
                t,
                FieldIssue::LabelDrift {
                    entry: e.label.to_string(),
                    template: t.label.to_string(),
                },
            ));
        }
        if e.required != t.required {
            out.push(diff(
                t,
                FieldIssue::Required {
                    entry: e.required,
                    template: t.required,
                },
            ));
        }
    }
    for (i, e) in entry_fields.iter().enumerate() {
        if !used[i] {
            out.push(diff(e, FieldIssue::Extra));
        }
    }
    (out, agreeing)
}

/// The forms of an item or a material.
fn forms_of<'c>(catalog: &'c Catalog, kind: Kind, code: &str) -> Vec<&'c Form> {
    catalog
        .forms
        .values()
        .filter(|f| match kind {
            Kind::Item => f.item.as_deref() == Some(code),
            Kind::Material => f.material.as_deref() == Some(code),
            _ => false,
        })
        .collect()
}

/// Pairs forms by name, then in order.
fn compare_forms(
    catalog: &Catalog,
    kind: Kind,
    entry: &str,
    template: &str,
) -> Vec<FormComparison> {
    let entry_forms = forms_of(catalog, kind, entry);
    let template_forms = forms_of(catalog, kind, template);
    let mut used = vec![false; entry_forms.len()];
    let mut out = Vec::new();
    for t in &template_forms {
        let pick = entry_forms
            .iter()
            .enumerate()
            .position(|(i, e)| !used[i] && e.name == t.name)
            .or_else(|| (0..entry_forms.len()).find(|i| !used[*i]));
        match pick {
            Some(i) => {
                used[i] = true;
                let (fields, agreeing) = compare_fields(catalog, entry_forms[i], t);
                out.push(FormComparison {
                    entry: Some(entry_forms[i].code.to_string()),
                    template: Some(t.code.to_string()),
                    fields,
                    agreeing,
                });
            }
            None => out.push(FormComparison {
                entry: None,
                template: Some(t.code.to_string()),
                fields: Vec::new(),
                agreeing: 0,
            }),
        }
    }
    for (i, e) in entry_forms.iter().enumerate() {
        if !used[i] {
            out.push(FormComparison {
                entry: Some(e.code.to_string()),
                template: None,
                fields: Vec::new(),
                agreeing: 0,
            });
        }
    }
    out
}

/// Compares entry `code` (an item, material or bundle claimed from a template) with its
/// template, side by side.
pub fn compare(catalog: &Catalog, code: &str) -> Result<Comparison, TemplateError> {
    let entry = find(catalog, code).ok_or_else(|| TemplateError::Unknown(code.into()))?;
    let kind = entry.kind();
    let template_code = template_of(entry).ok_or_else(|| TemplateError::NotClaimed(code.into()))?;
    let template = catalog
        .get(kind, template_code)
        .ok_or_else(|| TemplateError::Unknown(template_code.into()))?;
    let mut attributes = Vec::new();
    let mut materials = SetDiff::default();
    let mut items = SetDiff::default();
    let mut questions = SetDiff::default();
    let mut changes = Vec::new();
    let mut forms = Vec::new();
    match (entry, template) {
        (RecordRef::Item(e), RecordRef::Item(t)) => {
            attr(
                &mut attributes,
                "level",
                e.level.as_str().into(),
                t.level.as_str().into(),
            );
            attr(
                &mut attributes,
                "item_type",
                e.item_type.code().into(),
                t.item_type.code().into(),
            );
            attr(
                &mut attributes,
                "basis",
                e.basis.to_string(),
                t.basis.to_string(),
            );
            attr(
                &mut attributes,
                "time_limit_days",
                e.time_limit_days.to_string(),
                t.time_limit_days.to_string(),
            );
            attr(
                &mut attributes,
                "legal_limit_days",
                e.legal_limit_days.to_string(),
                t.legal_limit_days.to_string(),
            );
            attr(&mut attributes, "fee", e.fee.to_string(), t.fee.to_string());
            attr(
                &mut attributes,
                "online_depth",
                e.online_depth.to_string(),
                t.online_depth.to_string(),
            );
            materials = set_diff(catalog, Some(Kind::Material), &e.materials, &t.materials);
            forms = compare_forms(catalog, kind, &e.code, &t.code);
        }
        (RecordRef::Material(e), RecordRef::Material(t)) => {
            attr(
                &mut attributes,
                "kind",
                e.kind.as_str().into(),
                t.kind.as_str().into(),
            );
            attr(
                &mut attributes,
                "source",
                e.source.clone(),
                t.source.clone(),
            );
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            attr(
                &mut attributes,
                "licence_code",
                opt(&e.licence_code),
                opt(&t.licence_code),
            );
            attr(
                &mut attributes,
                "shareable",
                e.shareable.to_string(),
                t.shareable.to_string(),
            );
            attr(
                &mut attributes,
                "copies",
                e.copies.to_string(),
                t.copies.to_string(),
            );
            attr(
                &mut attributes,
                "required",
                e.required.to_string(),
                t.required.to_string(),
            );
            forms = compare_forms(catalog, kind, &e.code, &t.code);
        }
        (RecordRef::Bundle(e), RecordRef::Bundle(t)) => {
            items = set_diff(catalog, Some(Kind::Item), &e.items, &t.items);
            let keys = |b: &crate::model::Bundle| -> Vec<String> {
                b.questions.iter().map(|q| q.key.clone()).collect()
            };
            questions = set_diff(catalog, None, &keys(e), &keys(t));
            let mats = |b: &crate::model::Bundle| -> Vec<String> {
                let set: BTreeSet<String> =
                    b.materials.iter().map(|m| m.material.clone()).collect();
                set.into_iter().collect()
            };
            materials = set_diff(catalog, Some(Kind::Material), &mats(e), &mats(t));
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            attr(
                &mut attributes,
                "lead_agency",
                opt(&e.lead_agency),
                opt(&t.lead_agency),
            );
            changes = bundle_changes(catalog, e, t);
        }
        _ => return Err(TemplateError::NotClaimed(code.into())),
    }
    let (attributes, agreeing) = attributes
        .into_iter()
        .partition(|a: &AttributeDiff| a.entry != a.template);
    let mut c = Comparison {
        kind: kind.as_str(),
        code: entry.code().into(),
        name: entry.name().into(),
        template: template.code().into(),
        template_name: template.name().into(),
        attributes,
        agreeing,
        forms,
        materials,
        items,
        questions,
        changes,
        conforms: false,
    };
    c.conforms = c.departures() == 0;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    #[test]
    fn listed_templates_count_the_records_claimed_from_each() {
        let mut catalog = crate::sample::generate(1);
        let first = templates(&catalog)
            .first()
            .map(|t| t.code().to_string())
            .expect("the sample has templates");
        // claimed twice more
        for new_code in ["CLAIM-1", "CLAIM-2"] {
            let batch = claim(&catalog, &first, new_code).expect("claims");
            for command in batch.commands {
                if let crate::store::Command::Upsert(record) = command {
                    catalog.insert(record);
                }
            }
        }
        let expected: Vec<Listed> = templates(&catalog)
            .into_iter()
            .map(|t| Listed {
                kind: t.kind(),
                code: t.code().to_string(),
                name: t.name().to_string(),
                claimed: catalog
                    .referrers(t.kind(), t.code())
                    .filter(|r| r.kind == t.kind() && r.path == "template_of")
                    .count(),
            })
            .collect();
        let found = listed(&catalog).expect("a catalog reads");
        assert_eq!(found, expected);
        assert!(
            found.iter().any(|t| t.code == first && t.claimed >= 2),
            "{found:?}"
        );
        assert!(found.iter().any(|t| t.claimed == 0), "{found:?}");
    }

    #[test]
    fn attributes_read_as_their_names_and_values_as_a_reader_knows_them() {
        let diff = |attribute, value: &str| AttributeDiff {
            attribute,
            entry: value.into(),
            template: value.into(),
        };
        let level = diff("level", "impl");
        assert_eq!(level.shown(&level.entry, Lang::Zh), "实施清单");
        assert_eq!(level.shown(&level.entry, Lang::En), "impl");
        assert_eq!(level.name(Kind::Item, Lang::Zh), "层级");
        let kind = diff("item_type", "01");
        assert_eq!(kind.shown("01", Lang::Zh), "01 行政许可");
        assert_eq!(kind.shown("99", Lang::Zh), "99", "an unknown code as it is");
        let days = diff("time_limit_days", "7");
        assert_eq!(days.name(Kind::Item, Lang::Zh), "承诺时限");
        assert_eq!(days.shown("7", Lang::Zh), "7");
        let shared = diff("shareable", "true");
        assert_eq!(shared.shown("true", Lang::Zh), "是");
        assert_eq!(shared.shown("false", Lang::En), "no");
        let material = diff("kind", "licence");
        assert_eq!(
            material.shown("licence", Lang::Zh),
            MaterialKind::Licence.zh()
        );
    }

    fn field(key: &str, label: &str, element: Option<&str>, required: bool) -> Field {
        Field {
            key: key.into(),
            label: label.into(),
            element: element.map(Into::into),
            required,
            help: None,
            when: None,
        }
    }

    fn form(code: &str, fields: Vec<Field>) -> Form {
        Form {
            code: code.into(),
            name: "申请表".into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "基本信息".into(),
                fields,
            }],
            status: Status::Draft,
            version: 0,
        }
    }

    #[test]
    fn fields_match_by_element_then_by_key() {
        let catalog = crate::sample::generate(1);
        // DE000006 移动电话 (mobile), DE000005 身份证号码 (cn_id), DE000030 企业名称 (text)
        let template = form(
            "T",
            vec![
                field("a", "移动电话", Some("DE000006"), true),
                field("b", "身份证号码", Some("DE000005"), true),
                field("c", "企业名称", Some("DE000030"), true),
                field("d", "备注", None, false),
            ],
        );
        let entry = form(
            "E",
            vec![
                // moved and relabelled: still matched by its element
                field("x", "手机号码", Some("DE000006"), true),
                // same key, another kind of element
                field("b", "企业名称", Some("DE000030"), true),
                field("e", "多余", None, false),
            ],
        );
        let (diffs, agreeing) = compare_fields(&catalog, &entry, &template);
        assert_eq!(agreeing, 0, "a relabelled field does not agree");
        let issues: Vec<(&str, &FieldIssue)> =
            diffs.iter().map(|d| (d.key.as_str(), &d.issue)).collect();
        assert_eq!(
            issues,
            [
                (
                    "a",
                    &FieldIssue::LabelDrift {
                        entry: "手机号码".into(),
                        template: "移动电话".into()
                    }
                ),
                (
                    "b",
                    &FieldIssue::DifferentKind {
                        entry: "text".into(),
                        template: "cn_id".into()
                    }
                ),
                ("c", &FieldIssue::Missing),
                ("d", &FieldIssue::Missing),
                ("e", &FieldIssue::Extra),
            ]
        );
    }

    #[test]
    fn claimed_codes_stand_for_their_templates_in_sets() {
        let catalog = crate::sample::generate(1);
        let signboard = catalog
            .items
            .values()
            .find(|i| i.template_of.is_some() && i.code.starts_with("0100006001"))
            .expect("a claimed item");
        let template = signboard.template_of.clone().expect("template");
        let d = set_diff(
            &catalog,
            Some(Kind::Item),
            std::slice::from_ref(&signboard.code),
            &[template],
        );
        assert!(d.missing.is_empty() && d.extra.is_empty(), "{d:?}");
        let d = set_diff(&catalog, None, &["a"], &["b"]);
        assert_eq!(
            (d.missing, d.extra),
            (vec!["b".to_string()], vec!["a".to_string()])
        );
    }
}
