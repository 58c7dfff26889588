//! A form-design session (the form designer of pane 3): the form being edited, the
//! operations on it, and an undo/redo history of its states. Nothing is written until
//! [`Design::to_batch`] is applied to the store, as one transaction.
//!
//! Positions are `(section, field)` indexes into the working form. Every operation that
//! changes the form records the state before it for [`Design::undo`]; an operation that
//! fails or changes nothing records nothing.

use crate::i18n::Lang;
use crate::model::{Element, Field, Form, Record, Section, Status, When};
use crate::store::{Batch, Command};

/// Why an operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesignError {
    zh: String,
    en: String,
}

impl DesignError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        DesignError {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The reason in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

fn no_field() -> DesignError {
    DesignError::new("没有这个字段", "no such field")
}

fn no_section() -> DesignError {
    DesignError::new("没有这个分节", "no such section")
}

/// A field position: section index, field index within the section.
pub type Pos = (usize, usize);

/// The result of an operation.
pub type Done<T = ()> = Result<T, DesignError>;

/// A design session over one form.
#[derive(Clone, Debug)]
pub struct Design {
    form: Form,
    saved: Form,
    undo: Vec<Form>,
    redo: Vec<Form>,
}

impl Design {
    /// Starts designing `form` (as stored, or new).
    pub fn new(form: Form) -> Design {
        Design {
            saved: form.clone(),
            form,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    /// The working form.
    pub fn form(&self) -> &Form {
        &self.form
    }

    /// Whether the working form differs from the last saved state.
    pub fn is_dirty(&self) -> bool {
        self.form != self.saved
    }

    /// Whether there is something to undo / redo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Goes back one change; false when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                self.redo.push(std::mem::replace(&mut self.form, prev));
                true
            }
            None => false,
        }
    }

    /// Re-does the change last undone; false when there is none.
    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.form, next));
                true
            }
            None => false,
        }
    }

    /// Runs `change` on a copy; keeps it (recording undo) only if it succeeds and changes
    /// something.
    fn change<T>(&mut self, change: impl FnOnce(&mut Form) -> Done<T>) -> Done<T> {
        let mut next = self.form.clone();
        let out = change(&mut next)?;
        if next != self.form {
            self.undo.push(std::mem::replace(&mut self.form, next));
            self.redo.clear();
        }
        Ok(out)
    }

    /// The field at `pos`.
    pub fn field(&self, (s, f): Pos) -> Option<&Field> {
        self.form.sections.get(s)?.fields.get(f)
    }

    /// A key no field of the form has: `f01`, `f02`, ...
    fn fresh_key(form: &Form) -> String {
        (1..)
            .map(|n| format!("f{n:02}"))
            .find(|k| !form.fields().any(|(_, _, f)| f.key == k))
            .unwrap_or_default()
    }

    fn insert(&mut self, section: usize, at: Option<usize>, mut field: Field) -> Done<Pos> {
        self.change(|form| {
            field.key = Self::fresh_key(form).into();
            if form.sections.is_empty() && section == 0 {
                form.sections.push(Section {
                    title: "基本信息".into(),
                    fields: Vec::new(),
                });
            }
            let sec = form.sections.get_mut(section).ok_or_else(no_section)?;
            let at = at.map_or(sec.fields.len(), |a| a.min(sec.fields.len()));
            sec.fields.insert(at, field);
            Ok((section, at))
        })
    }

    /// Adds a field bound to `element`, labelled with its name, under a fresh key, at `at`
    /// in `section` (the end when `None`). An empty form gets a first section.
    pub fn add_bound_field(
        &mut self,
        section: usize,
        at: Option<usize>,
        element: &Element,
    ) -> Done<Pos> {
        self.insert(
            section,
            at,
            Field {
                key: Default::default(),
                label: element.name.as_str().into(),
                element: Some(element.code.as_str().into()),
                required: false,
                help: None,
                when: None,
            },
        )
    }

    /// Adds an unbound (legacy) field labelled `label`.
    pub fn add_unbound(&mut self, section: usize, at: Option<usize>, label: &str) -> Done<Pos> {
        let label = label.trim();
        if label.is_empty() {
            return Err(DesignError::new("标签不能为空", "the label is empty"));
        }
        self.insert(
            section,
            at,
            Field {
                key: Default::default(),
                label: label.into(),
                element: None,
                required: false,
                help: None,
                when: None,
            },
        )
    }

    /// Removes the field at `pos`.
    pub fn remove_field(&mut self, (s, f): Pos) -> Done {
        self.change(|form| {
            let sec = form.sections.get_mut(s).ok_or_else(no_section)?;
            if f >= sec.fields.len() {
                return Err(no_field());
            }
            sec.fields.remove(f);
            Ok(())
        })
    }

    /// Moves the field up one place; at the top of a section it goes to the end of the
    /// section above. Returns its new position (unchanged at the very top).
    pub fn move_up(&mut self, (s, f): Pos) -> Done<Pos> {
        self.change(|form| {
            form.sections
                .get(s)
                .and_then(|x| x.fields.get(f))
                .ok_or_else(no_field)?;
            if f > 0 {
                form.sections[s].fields.swap(f, f - 1);
                Ok((s, f - 1))
            } else if s > 0 {
                let field = form.sections[s].fields.remove(0);
                form.sections[s - 1].fields.push(field);
                Ok((s - 1, form.sections[s - 1].fields.len() - 1))
            } else {
                Ok((s, f))
            }
        })
    }

    /// Moves the field down one place; at the bottom of a section it goes to the top of the
    /// section below. Returns its new position.
    pub fn move_down(&mut self, (s, f): Pos) -> Done<Pos> {
        self.change(|form| {
            let len = form
                .sections
                .get(s)
                .filter(|x| f < x.fields.len())
                .ok_or_else(no_field)?
                .fields
                .len();
            if f + 1 < len {
                form.sections[s].fields.swap(f, f + 1);
                Ok((s, f + 1))
            } else if s + 1 < form.sections.len() {
                let field = form.sections[s].fields.remove(f);
                form.sections[s + 1].fields.insert(0, field);
                Ok((s + 1, 0))
            } else {
                Ok((s, f))
            }
        })
    }

    /// Moves the field to the end of section `target`. Returns its new position.
    pub fn move_to_section(&mut self, (s, f): Pos, target: usize) -> Done<Pos> {
        self.change(|form| {
            if target >= form.sections.len() {
                return Err(no_section());
            }
            let sec = form.sections.get_mut(s).ok_or_else(no_section)?;
            if f >= sec.fields.len() {
                return Err(no_field());
            }
            let field = sec.fields.remove(f);
            form.sections[target].fields.push(field);
            Ok((target, form.sections[target].fields.len() - 1))
        })
    }

    fn with_field(&mut self, (s, f): Pos, edit: impl FnOnce(&mut Field) -> Done) -> Done {
        self.change(|form| {
            let field = form
                .sections
                .get_mut(s)
                .and_then(|x| x.fields.get_mut(f))
                .ok_or_else(no_field)?;
            edit(field)
        })
    }

    /// Sets the label; an empty label means the bound element's name (`element_name`).
    pub fn set_label(&mut self, pos: Pos, label: &str, element_name: Option<&str>) -> Done {
        let label = label.trim();
        let label = match (label.is_empty(), element_name) {
            (false, _) => label.to_string(),
            (true, Some(name)) => name.to_string(),
            (true, None) => return Err(DesignError::new("标签不能为空", "the label is empty")),
        };
        self.with_field(pos, |f| {
            f.label = label.into();
            Ok(())
        })
    }

    /// Sets whether the field is required.
    pub fn set_required(&mut self, pos: Pos, required: bool) -> Done {
        self.with_field(pos, |f| {
            f.required = required;
            Ok(())
        })
    }

    /// Sets the help text (填写说明); empty clears it.
    pub fn set_help(&mut self, pos: Pos, help: &str) -> Done {
        let help = help.trim();
        self.with_field(pos, |f| {
            f.help = (!help.is_empty()).then(|| help.into());
            Ok(())
        })
    }

    /// Sets the condition (`None`: always shown).
    pub fn set_when(&mut self, pos: Pos, when: Option<When>) -> Done {
        self.with_field(pos, |f| {
            f.when = when.filter(|w| !w.is_empty()).map(Box::new);
            Ok(())
        })
    }

    /// Binds the field to `element`. A field whose label was its old element's name (or
    /// that was unbound with no label) takes the new element's name.
    pub fn bind(&mut self, pos: Pos, element: &Element, old_name: Option<&str>) -> Done {
        self.with_field(pos, |f| {
            if old_name == Some(f.label.as_str()) || f.label.trim().is_empty() {
                f.label = element.name.as_str().into();
            }
            f.element = Some(element.code.as_str().into());
            Ok(())
        })
    }

    /// Unbinds the field (it keeps its label).
    pub fn unbind(&mut self, pos: Pos) -> Done {
        self.with_field(pos, |f| {
            f.element = None;
            Ok(())
        })
    }

    /// Adds a section after `after` (at the end when `None`). Returns its index.
    pub fn add_section(&mut self, after: Option<usize>, title: &str) -> Done<usize> {
        let title = title.trim().to_string();
        if title.is_empty() {
            return Err(DesignError::new(
                "分节标题不能为空",
                "the section title is empty",
            ));
        }
        self.change(|form| {
            let at = after.map_or(form.sections.len(), |a| (a + 1).min(form.sections.len()));
            form.sections.insert(
                at,
                Section {
                    title: title.into(),
                    fields: Vec::new(),
                },
            );
            Ok(at)
        })
    }

    /// Renames section `s`.
    pub fn rename_section(&mut self, s: usize, title: &str) -> Done {
        let title = title.trim().to_string();
        if title.is_empty() {
            return Err(DesignError::new(
                "分节标题不能为空",
                "the section title is empty",
            ));
        }
        self.change(|form| {
            form.sections.get_mut(s).ok_or_else(no_section)?.title = title.into();
            Ok(())
        })
    }

    /// Removes section `s`, refused while it has fields.
    pub fn remove_section(&mut self, s: usize) -> Done {
        self.change(|form| {
            let sec = form.sections.get(s).ok_or_else(no_section)?;
            if !sec.fields.is_empty() {
                return Err(DesignError::new(
                    format!("分节中还有 {} 个字段；先移走或删除", sec.fields.len()),
                    format!(
                        "the section still has {} fields; move or remove them first",
                        sec.fields.len()
                    ),
                ));
            }
            form.sections.remove(s);
            Ok(())
        })
    }

    /// Renames the form.
    pub fn rename_form(&mut self, name: &str) -> Done {
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(DesignError::new(
                "表单名称不能为空",
                "the form name is empty",
            ));
        }
        self.change(|form| {
            form.name = name.into();
            Ok(())
        })
    }

    /// Sets the item (事项) the form belongs to (`None`: no item), undoably. Conditions of
    /// fields (`w`) offer the questions of the bundles holding this item.
    pub fn set_item(&mut self, item: Option<&str>) -> Done {
        self.change(|form| {
            form.item = item.map(Into::into);
            Ok(())
        })
    }

    /// The batch that saves the working form (one transaction). A changed form that was
    /// submitted or published returns to draft, as any edit of a reviewed record.
    pub fn to_batch(&self) -> Batch {
        let mut form = self.form.clone();
        if self.is_dirty() && matches!(form.status, Status::Published | Status::Submitted) {
            form.status = Status::Draft;
        }
        Batch {
            action: "design form".into(),
            commands: vec![Command::Upsert(Record::Form(form))],
        }
    }

    /// Records that the working form (as in [`Design::to_batch`]) was saved; undo history
    /// is kept.
    pub fn saved(&mut self) {
        if let Some(Command::Upsert(Record::Form(form))) = self.to_batch().commands.pop() {
            self.form = form.clone();
            self.saved = form;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ElementKind, Share};

    fn element(code: &str, name: &str) -> Element {
        Element {
            code: code.into(),
            name: name.into(),
            synonyms: Default::default(),
            kind: ElementKind::Text,
            definition: Default::default(),
            pattern: None,
            options: vec![].into(),
            parent: None,
            unit: None,
            source_agency: None,
            share: Share::Open,
            security_level: 1,
            status: Status::Published,
            version: 1,
        }
    }

    fn empty() -> Form {
        Form {
            code: "F1".into(),
            name: "申请表".into(),
            item: None,
            material: None,
            sections: vec![],
            status: Status::Published,
            version: 1,
        }
    }

    fn labels(d: &Design) -> Vec<Vec<String>> {
        d.form()
            .sections
            .iter()
            .map(|s| s.fields.iter().map(|f| f.label.to_string()).collect())
            .collect()
    }

    #[test]
    fn adding_moving_and_undoing() {
        let mut d = Design::new(empty());
        assert!(!d.is_dirty());
        let p = d.add_bound_field(0, None, &element("E1", "姓名")).unwrap();
        assert_eq!(p, (0, 0));
        d.add_bound_field(0, None, &element("E2", "身份证号码"))
            .unwrap();
        d.add_unbound(0, Some(0), "备注").unwrap();
        assert_eq!(labels(&d), [["备注", "姓名", "身份证号码"]]);
        let keys: Vec<_> = d.form().fields().map(|(_, _, f)| f.key.clone()).collect();
        assert_eq!(keys, ["f03", "f01", "f02"]);
        assert_eq!(d.move_down((0, 0)).unwrap(), (0, 1));
        assert_eq!(labels(&d), [["姓名", "备注", "身份证号码"]]);
        let s = d.add_section(None, "其他").unwrap();
        assert_eq!(d.move_to_section((0, 1), s).unwrap(), (1, 0));
        assert_eq!(labels(&d), vec![vec!["姓名", "身份证号码"], vec!["备注"]]);
        assert_eq!(d.move_up((1, 0)).unwrap(), (0, 2));
        assert!(d.undo());
        assert_eq!(labels(&d), vec![vec!["姓名", "身份证号码"], vec!["备注"]]);
        assert!(d.undo());
        assert!(d.redo());
        assert_eq!(labels(&d), vec![vec!["姓名", "身份证号码"], vec!["备注"]]);
        // a new change drops the redo history
        d.set_required((0, 0), true).unwrap();
        assert!(!d.can_redo());
        assert!(d.form().sections[0].fields[0].required);
    }

    #[test]
    fn the_item_is_set_undoably_and_saved_with_the_form() {
        let mut d = Design::new(empty());
        d.set_item(Some("SX001")).unwrap();
        assert_eq!(d.form().item.as_deref(), Some("SX001"));
        assert!(d.is_dirty());
        let Some(Command::Upsert(Record::Form(saved))) = d.to_batch().commands.pop() else {
            panic!("an upsert")
        };
        assert_eq!(saved.item.as_deref(), Some("SX001"));
        assert!(d.undo());
        assert_eq!(d.form().item, None);
        assert!(!d.is_dirty());
        assert!(d.redo());
        d.set_item(None).unwrap();
        assert_eq!(d.form().item, None);
    }

    #[test]
    fn labels_help_conditions_and_binding() {
        let mut d = Design::new(empty());
        d.add_unbound(0, None, "手机号码").unwrap();
        d.bind((0, 0), &element("E9", "移动电话"), None).unwrap();
        // a legacy label is kept when binding
        assert_eq!(d.field((0, 0)).unwrap().label, "手机号码");
        d.set_label((0, 0), "", Some("移动电话")).unwrap();
        assert_eq!(d.field((0, 0)).unwrap().label, "移动电话");
        d.set_help((0, 0), " 11位 ").unwrap();
        assert_eq!(d.field((0, 0)).unwrap().help.as_deref(), Some("11位"));
        d.set_when((0, 0), Some([("agent".into(), vec!["yes".into()])].into()))
            .unwrap();
        assert!(d.field((0, 0)).unwrap().when.is_some());
        d.set_when((0, 0), Some(When::new())).unwrap();
        assert!(d.field((0, 0)).unwrap().when.is_none());
        d.unbind((0, 0)).unwrap();
        assert_eq!(d.field((0, 0)).unwrap().element, None);
        assert!(d.set_label((0, 0), " ", None).is_err());
        assert!(d.remove_section(0).is_err());
        d.remove_field((0, 0)).unwrap();
        d.remove_section(0).unwrap();
        assert!(d.form().sections.is_empty());
    }

    #[test]
    fn failures_and_no_ops_record_nothing() {
        let mut d = Design::new(empty());
        assert!(d.move_up((0, 0)).is_err());
        d.add_unbound(0, None, "备注").unwrap();
        let before = d.undo.len();
        assert_eq!(d.move_up((0, 0)).unwrap(), (0, 0));
        d.set_required((0, 0), false).unwrap();
        assert_eq!(d.undo.len(), before);
        assert!(d.add_unbound(0, None, "  ").is_err());
    }

    #[test]
    fn the_batch_saves_a_changed_published_form_as_draft() {
        let mut d = Design::new(empty());
        assert_eq!(d.to_batch().commands.len(), 1);
        d.add_unbound(0, None, "备注").unwrap();
        let batch = d.to_batch();
        let Some(Command::Upsert(Record::Form(f))) = batch.commands.first() else {
            panic!("{batch:?}");
        };
        assert_eq!(f.status, Status::Draft);
        d.saved();
        assert!(!d.is_dirty());
        assert!(d.can_undo());
    }
}
