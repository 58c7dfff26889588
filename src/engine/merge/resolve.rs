//! Acting on what a merge found: resolving a conflict (one label or one required flag for
//! every source) and accepting a suggestion (binding unbound fields to an element). Both
//! edit the underlying forms and come back as one [`Batch`], applied in one transaction.

use std::collections::BTreeMap;

use crate::engine::workflow::next_code;
use crate::i18n::Lang;
use crate::model::{Catalog, Element, ElementKind, Form, Kind, Record, Share, SharedText, Status};
use crate::store::{Batch, Command};

use super::{Conflict, ConflictKind, SourceRef, Suggestion};

/// How a conflict is settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Every source prints this label.
    Label(String),
    /// Every source is required (or not).
    Required(bool),
}

/// What an accepted suggestion binds its fields to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An element that exists.
    Existing(String),
    /// A new text element (draft) created in the same batch.
    New {
        /// Its code.
        code: String,
        /// Its name.
        name: String,
    },
}

/// Why nothing could be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// Option lists belong to elements: they are settled in the element pane.
    OptionsConflict,
    /// The choice does not fit the conflict (a label for a required conflict).
    WrongChoice,
    /// A source form or field is no longer there (the catalog changed).
    MissingSource(SourceRef),
    /// The target element does not exist.
    UnknownElement(String),
    /// Nothing would change.
    Nothing,
    /// Two fields of one form would be bound to one element (form lint's 重复绑定): `field`
    /// is to be bound to `element`, which `by` of the same form is bound to already (or is
    /// to be bound to by the same fix).
    BoundTwice {
        /// The form.
        form: String,
        /// The field the fix would bind.
        field: String,
        /// The other field of the form.
        by: String,
        /// The element.
        element: String,
    },
}

impl ResolveError {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::OptionsConflict => lang
                .pick(
                    "选项冲突属于数据元本身，请在数据元窗格中统一选项",
                    "an options conflict belongs to the elements; settle it in the 数据元 pane",
                )
                .into(),
            Self::WrongChoice => lang
                .pick(
                    "所选处理方式与冲突类型不符",
                    "the choice does not fit the conflict",
                )
                .into(),
            Self::MissingSource(s) => lang.pick(
                format!("来源字段 {}/{} 已不存在", s.form, s.field),
                format!("source field {}/{} no longer exists", s.form, s.field),
            ),
            Self::UnknownElement(code) => lang.pick(
                format!("数据元 {code} 不存在"),
                format!("element {code} does not exist"),
            ),
            Self::Nothing => lang.pick("没有需要修改的字段", "nothing to change").into(),
            Self::BoundTwice {
                form,
                field,
                by,
                element,
            } => lang.pick(
                format!(
                    "{form} 的 {field} 与 {by} 将绑定同一数据元 {element}：一张表单的两个字段不能绑定同一数据元"
                ),
                format!(
                    "{form}/{field} and {form}/{by} would both be bound to {element}: two fields of one form cannot share an element"
                ),
            ),
        }
    }
}

/// Edits the forms behind `sources` with `edit`; each changed form once, published ones back
/// to draft (as any edit of a published record).
fn edit_sources(
    catalog: &Catalog,
    sources: &[SourceRef],
    mut edit: impl FnMut(&mut crate::model::Field),
) -> Result<Vec<Form>, ResolveError> {
    let mut forms: BTreeMap<&str, Form> = BTreeMap::new();
    for source in sources {
        let form = match forms.get_mut(source.form.as_str()) {
            Some(form) => form,
            None => {
                let form = catalog
                    .forms
                    .get(source.form.as_str())
                    .ok_or_else(|| ResolveError::MissingSource(source.clone()))?;
                forms.entry(source.form.as_str()).or_insert(form.clone())
            }
        };
        let field = form
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.key == source.field)
            .ok_or_else(|| ResolveError::MissingSource(source.clone()))?;
        edit(field);
    }
    let changed: Vec<Form> = forms
        .into_values()
        .filter(|f| catalog.forms.get(&f.code) != Some(f))
        .map(|mut f| {
            if f.status == Status::Published {
                f.status = Status::Draft;
            }
            f
        })
        .collect();
    if changed.is_empty() {
        return Err(ResolveError::Nothing);
    }
    Ok(changed)
}

/// The form upserts that settle `conflict` with `choice`.
pub fn resolve_conflict(
    catalog: &Catalog,
    conflict: &Conflict,
    choice: &Choice,
) -> Result<Batch, ResolveError> {
    let forms = match (conflict.kind, choice) {
        (ConflictKind::Options, _) => return Err(ResolveError::OptionsConflict),
        (ConflictKind::Label, Choice::Label(label)) => {
            edit_sources(catalog, &conflict.sources, |f| {
                f.label = label.as_str().into()
            })?
        }
        (ConflictKind::Required, Choice::Required(required)) => {
            edit_sources(catalog, &conflict.sources, |f| f.required = *required)?
        }
        _ => return Err(ResolveError::WrongChoice),
    };
    Ok(Batch::upserts(
        "merge_resolve",
        forms.into_iter().map(Record::Form),
    ))
}

/// What accepting `suggestion` binds to: its element, or a new element named after the
/// fields' label with a fresh code.
pub fn target_of(catalog: &Catalog, suggestion: &Suggestion) -> Target {
    target_coded(catalog, suggestion, || {
        next_code(catalog, Kind::Element, "DE", 6)
    })
}

/// [`target_of`], a new element coded by `code` (called only for one): before the catalog
/// is loaded the store's keys code it, which `catalog` (the records near a bundle) cannot.
pub fn target_coded(
    catalog: &Catalog,
    suggestion: &Suggestion,
    code: impl FnOnce() -> String,
) -> Target {
    if let Some(element) = &suggestion.element {
        return Target::Existing(element.to_string());
    }
    let name = suggestion
        .fields
        .first()
        .and_then(|s| catalog.forms.get(s.form.as_str()))
        .and_then(|form| {
            let key = &suggestion.fields.first()?.field;
            form.fields()
                .find(|(_, _, f)| f.key == key)
                .map(|(_, _, f)| f.label.clone())
        })
        .unwrap_or_default();
    Target::New {
        code: code(),
        name: name.to_string(),
    }
}

/// Refuses a binding that would give one form two fields on one element: two of `fields`
/// on one form, or one whose form has another field bound to `element` (an existing one).
fn check_once_per_form(
    catalog: &Catalog,
    fields: &[SourceRef],
    element: &Target,
) -> Result<(), ResolveError> {
    for (i, f) in fields.iter().enumerate() {
        let twice = |by: &str, element: &str| ResolveError::BoundTwice {
            form: f.form.to_string(),
            field: f.field.to_string(),
            by: by.to_string(),
            element: element.to_string(),
        };
        let code = match element {
            Target::Existing(code) => code.as_str(),
            Target::New { code, .. } => code.as_str(),
        };
        if let Some(other) = fields[..i].iter().find(|o| o.form == f.form) {
            return Err(twice(&other.field, code));
        }
        let Target::Existing(code) = element else {
            continue;
        };
        let Some(form) = catalog.forms.get(f.form.as_str()) else {
            continue;
        };
        if let Some((_, _, by)) = form
            .fields()
            .find(|(_, _, x)| x.key != f.field && x.element.as_deref() == Some(code.as_str()))
        {
            return Err(twice(&by.key, code));
        }
    }
    Ok(())
}

/// The upserts that bind every field of `suggestion` to `target` (creating it if new).
/// Refused when two fields of one form would end up on the element
/// ([`ResolveError::BoundTwice`]): the catalog may have changed since the suggestion.
pub fn accept_suggestion(
    catalog: &Catalog,
    suggestion: &Suggestion,
    target: &Target,
) -> Result<Batch, ResolveError> {
    let (code, new) = match target {
        Target::Existing(code) => {
            if !catalog.elements.contains_key(code.as_str()) {
                return Err(ResolveError::UnknownElement(code.clone()));
            }
            (code.clone(), None)
        }
        Target::New { code, name } => (
            code.clone(),
            Some(Element {
                code: code.as_str().into(),
                name: name.as_str().into(),
                synonyms: Default::default(),
                kind: ElementKind::Text,
                definition: SharedText::default(),
                pattern: None,
                options: Vec::new().into(),
                parent: None,
                unit: None,
                source_agency: None,
                share: Share::Open,
                security_level: 1,
                status: Status::Draft,
                version: 0,
            }),
        ),
    };
    check_once_per_form(catalog, &suggestion.fields, target)?;
    let forms = edit_sources(catalog, &suggestion.fields, |f| {
        f.element = Some(code.as_str().into());
    })?;
    let records = new
        .map(Record::Element)
        .into_iter()
        .chain(forms.into_iter().map(Record::Form));
    Ok(Batch::upserts("merge_accept", records))
}

/// The forms a fix's batch rewrites that are published now (they return to draft, 待提交),
/// in batch order: a face asks before it applies such a batch.
pub fn published_forms(catalog: &Catalog, batch: &Batch) -> Vec<String> {
    batch
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Upsert(Record::Form(f)) => Some(f.code.as_str()),
            _ => None,
        })
        .filter(|code| {
            catalog
                .forms
                .get(*code)
                .is_some_and(|f| f.status == Status::Published)
        })
        .map(str::to_string)
        .collect()
}

/// How many forms a fix's batch rewrites.
pub fn forms_rewritten(batch: &Batch) -> usize {
    batch
        .commands
        .iter()
        .filter(|c| matches!(c, Command::Upsert(Record::Form(_))))
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{restaurant, run};
    use super::*;

    fn apply(catalog: &mut Catalog, batch: Batch) {
        for command in batch.commands {
            if let Command::Upsert(record) = command {
                catalog.insert(record);
            }
        }
        let problems = crate::model::invariants::check_records(&*catalog, catalog.records());
        assert!(problems.is_empty(), "{problems:?}");
    }

    fn conflict(m: &super::super::Merge, element: &str, kind: ConflictKind) -> Conflict {
        m.conflicts
            .iter()
            .find(|c| c.element == element && c.kind == kind)
            .cloned()
            .expect("conflict")
    }

    #[test]
    fn a_label_choice_rewrites_every_source_in_one_batch() {
        let mut c = restaurant();
        let m = run(&c, &[("alcohol", "yes")]);
        let label = conflict(&m, "NAME", ConflictKind::Label);
        let batch = resolve_conflict(&c, &label, &Choice::Label("姓名".into())).expect("batch");
        // only FB prints another label; FA and FC are unchanged and not written
        assert_eq!(batch.commands.len(), 1);
        assert!(
            published_forms(&c, &batch).is_empty(),
            "every form is a draft"
        );
        apply(&mut c, batch);
        let m = run(&c, &[("alcohol", "yes")]);
        assert!(
            !m.conflicts
                .iter()
                .any(|x| x.element == "NAME" && x.kind == ConflictKind::Label)
        );
        assert_eq!(
            resolve_conflict(&c, &label, &Choice::Label("姓名".into())),
            Err(ResolveError::Nothing)
        );
    }

    #[test]
    fn a_required_choice_settles_the_flag_and_published_forms_become_drafts() {
        let mut c = restaurant();
        let mut fb = c.forms["FB"].clone();
        fb.status = Status::Published;
        c.insert(Record::Form(fb));
        let m = run(&c, &[("alcohol", "yes")]);
        let required = conflict(&m, "NAME", ConflictKind::Required);
        assert_eq!(
            resolve_conflict(&c, &required, &Choice::Label("x".into())),
            Err(ResolveError::WrongChoice)
        );
        let batch = resolve_conflict(&c, &required, &Choice::Required(true)).expect("batch");
        // asked about first: FB is published and returns to draft
        assert_eq!(published_forms(&c, &batch), ["FB"]);
        assert_eq!(forms_rewritten(&batch), 1);
        apply(&mut c, batch);
        assert_eq!(c.forms["FB"].status, Status::Draft);
        let m = run(&c, &[("alcohol", "yes")]);
        assert!(!m.conflicts.iter().any(|x| x.kind == ConflictKind::Required));
        let options = conflict(&m, "BIZ", ConflictKind::Options);
        assert_eq!(
            resolve_conflict(&c, &options, &Choice::Required(true)),
            Err(ResolveError::OptionsConflict)
        );
        assert!(!ResolveError::OptionsConflict.message(Lang::Zh).is_empty());
    }

    #[test]
    fn accepting_binds_to_the_suggested_or_a_new_element() {
        let mut c = restaurant();
        let m = run(&c, &[("alcohol", "yes")]);
        assert_eq!(m.stats.fields_after, 7);
        // 身份证号码 → the bound element ID
        let target = target_of(&c, &m.suggestions[0]);
        assert_eq!(target, Target::Existing("ID".into()));
        let batch = accept_suggestion(&c, &m.suggestions[0], &target).expect("batch");
        apply(&mut c, batch);
        // two unbound 联系人 → a new element named 联系人
        let target = target_of(&c, &m.suggestions[1]);
        let Target::New { code, name } = &target else {
            panic!("{target:?}")
        };
        assert_eq!(name, "联系人");
        let code = code.clone();
        let batch = accept_suggestion(&c, &m.suggestions[1], &target).expect("batch");
        assert_eq!(batch.commands.len(), 3, "the element and two forms");
        apply(&mut c, batch);
        assert_eq!(c.elements[code.as_str()].status, Status::Draft);
        let m = run(&c, &[("alcohol", "yes")]);
        assert!(m.suggestions.is_empty());
        assert_eq!(m.stats.fields_after, 5);
        let stale = Suggestion {
            fields: vec![],
            element: None,
            score: 80,
            reason: "same_label",
            covers: 0,
            left_out: Vec::new(),
            alternatives: Vec::new(),
        };
        assert_eq!(
            accept_suggestion(&c, &stale, &Target::Existing("NOPE".into())),
            Err(ResolveError::UnknownElement("NOPE".into()))
        );
    }
}
