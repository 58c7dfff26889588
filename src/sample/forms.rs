//! Application forms: one per implementation with a form spec, one per handling variant
//! with a form of its own; fields bind pool elements. The base forms then get the field
//! conditions of the bundles and the planted problems listed in the module doc.

use std::collections::HashMap;

use super::elements::{Pool, numbered};
use super::families::{PLACE_SECTION, SectionSpec, subject_section};
use super::items::{Impl, Items};
use super::materials::Materials;
use crate::model::{ElementKind, Field, Form, Section, Status, When};

/// A deliberate problem in a base form of the bundles' implementation of a sub-item.
pub(super) enum Plant {
    /// A bound field labelled other than its element's name.
    Relabel {
        /// Sub-item key.
        sub: &'static str,
        /// Element name.
        element: &'static str,
        /// The legacy label.
        label: &'static str,
    },
    /// An unbound legacy field that an element covers, added to the first section.
    Unbound {
        /// Sub-item key.
        sub: &'static str,
        /// The legacy label.
        label: &'static str,
    },
    /// A second field bound to an element the form already binds.
    Duplicate {
        /// Sub-item key.
        sub: &'static str,
        /// Element name.
        element: &'static str,
        /// Label of the second field.
        label: &'static str,
    },
    /// A section without fields, added last.
    EmptySection {
        /// Sub-item key.
        sub: &'static str,
        /// Section title.
        title: &'static str,
    },
    /// A field bound to an element that is not published, added to the last section.
    Unpublished {
        /// Sub-item key.
        sub: &'static str,
        /// Element name.
        element: &'static str,
    },
    /// A condition on the form's last field naming a question no bundle of its item asks.
    BadCondition {
        /// Sub-item key.
        sub: &'static str,
        /// The question key.
        question: &'static str,
        /// The option key.
        option: &'static str,
    },
}

/// The planted problems (see the module doc of `sample`).
pub(super) const PLANTS: &[Plant] = &[
    Plant::Relabel {
        sub: "cjrz",
        element: "姓名",
        label: "申请人姓名",
    },
    Plant::Relabel {
        sub: "cjrz",
        element: "身份证号码",
        label: "公民身份号码",
    },
    Plant::Relabel {
        sub: "jszg",
        element: "移动电话",
        label: "手机号码",
    },
    Plant::Unbound {
        sub: "hwzp",
        label: "手机号码",
    },
    Plant::Duplicate {
        sub: "lsjz",
        element: "移动电话",
        label: "备用联系电话",
    },
    Plant::EmptySection {
        sub: "ylba",
        title: "其他需要说明的情况",
    },
    Plant::Unpublished {
        sub: "sbk",
        element: "社会保障卡邮寄地址",
    },
    Plant::BadCondition {
        sub: "jszg",
        question: "degree",
        option: "bachelor",
    },
];

/// Builds forms from the specs of the families.
pub(super) struct FormBuilder<'a> {
    /// The element pool fields bind.
    pub pool: &'a Pool,
    /// The material catalog (form materials).
    pub materials: &'a Materials,
    /// The items the forms belong to.
    pub items: &'a Items,
}

impl FormBuilder<'_> {
    /// Every form, in item order; base forms carry `conditions` (item code → element
    /// name, when) and the planted problems.
    pub fn build(&self, conditions: &HashMap<String, Vec<(&'static str, When)>>) -> Vec<Form> {
        let mut forms = Vec::new();
        for implementation in &self.items.impls {
            self.forms_of(implementation, &mut forms);
        }
        for form in &mut forms {
            let Some(list) = form.item.as_deref().and_then(|item| conditions.get(item)) else {
                continue;
            };
            for (element, when) in list {
                self.condition(form, element, when);
            }
        }
        for plant in PLANTS {
            self.plant(&mut forms, plant);
        }
        forms
    }

    /// The forms of one implementation: its application form, then its handling forms.
    fn forms_of(&self, implementation: &Impl, forms: &mut Vec<Form>) {
        let Some(spec) = implementation.sub.form else {
            return;
        };
        let group = implementation.group;
        let mut sections: Vec<SectionSpec> = subject_section(spec.subject).into_iter().collect();
        if spec.place {
            sections.push(PLACE_SECTION);
        }
        sections.extend_from_slice(spec.sections);
        forms.push(self.form(
            forms.len(),
            spec.name,
            implementation.item,
            group,
            &sections,
        ));
        let subject = spec.handling_subject();
        for (handling, name, section) in implementation.sub.handling_forms() {
            let Some(&(_, item)) = implementation
                .handlings
                .iter()
                .find(|(h, _)| *h == handling)
            else {
                continue;
            };
            let sections: Vec<SectionSpec> = subject_section(subject)
                .into_iter()
                .chain([section])
                .collect();
            forms.push(self.form(forms.len(), &name, item, group, &sections));
        }
    }

    /// One form named `name` (also its material's name) for the item at `item`.
    fn form(
        &self,
        index: usize,
        name: &str,
        item: usize,
        group: u32,
        sections: &[SectionSpec],
    ) -> Form {
        let mut next = 0;
        let sections = sections
            .iter()
            .map(|&(title, names)| Section {
                title: title.into(),
                fields: names
                    .iter()
                    .filter_map(|name| self.field(name, group, &mut next))
                    .collect(),
            })
            .collect();
        Form {
            code: format!("BD{:06}", index + 1).into(),
            name: if group == 1 {
                name.into()
            } else {
                numbered(name, group).into()
            },
            item: self.items.code(item).map(Into::into),
            material: self.materials.code(name).map(Into::into),
            sections,
            status: Status::Published,
            version: 1,
        }
    }

    /// A field bound to the element named `name` (or its copy in `group`), labelled with
    /// the bound element's name.
    fn field(&self, name: &str, group: u32, next: &mut usize) -> Option<Field> {
        let element = self.pool.base(name)?;
        let code = self.pool.resolve(name, group)?;
        let label = if code == element.code {
            name.to_string()
        } else {
            numbered(name, group)
        };
        *next += 1;
        Some(Field {
            key: format!("f{next:02}").into(),
            label: label.into(),
            element: Some(code.into()),
            required: !matches!(
                element.kind,
                ElementKind::Email | ElementKind::Postcode | ElementKind::Landline
            ) && name != "网址",
            help: help(element.kind).map(Into::into),
            when: None,
        })
    }

    /// Shows the field bound to element `name` only under `when`.
    fn condition(&self, form: &mut Form, name: &str, when: &When) {
        let Some(code) = self.pool.resolve(name, 1) else {
            return;
        };
        for section in &mut form.sections {
            for field in &mut section.fields {
                if field.element.as_deref() == Some(code.as_str()) {
                    field.when = Some(Box::new(when.clone()));
                }
            }
        }
    }

    /// Applies one planted problem to the base form of the bundles' implementation.
    fn plant(&self, forms: &mut [Form], plant: &Plant) {
        let sub = match plant {
            Plant::Relabel { sub, .. }
            | Plant::Unbound { sub, .. }
            | Plant::Duplicate { sub, .. }
            | Plant::EmptySection { sub, .. }
            | Plant::Unpublished { sub, .. }
            | Plant::BadCondition { sub, .. } => sub,
        };
        let Some(item) = self.items.pick(sub).and_then(|i| self.items.code(i.item)) else {
            return;
        };
        let Some(form) = forms.iter_mut().find(|f| f.item.as_deref() == Some(item)) else {
            return;
        };
        match *plant {
            Plant::Relabel { element, label, .. } => self.relabel(form, element, label),
            Plant::Unbound { label, .. } => append(form, 0, label, None),
            Plant::Duplicate { element, label, .. } => {
                append(form, 0, label, self.pool.resolve(element, 1));
            }
            Plant::EmptySection { title, .. } => form.sections.push(Section {
                title: title.into(),
                fields: Vec::new(),
            }),
            Plant::Unpublished { element, .. } => {
                let last = form.sections.len().saturating_sub(1);
                append(form, last, element, self.pool.resolve(element, 1));
            }
            Plant::BadCondition {
                question, option, ..
            } => {
                if let Some(field) = form
                    .sections
                    .iter_mut()
                    .rev()
                    .find_map(|s| s.fields.last_mut())
                {
                    field.when = Some(Box::new([(question.into(), vec![option.into()])].into()));
                }
            }
        }
    }

    fn relabel(&self, form: &mut Form, element: &str, label: &str) {
        let Some(code) = self.pool.resolve(element, 1) else {
            return;
        };
        for section in &mut form.sections {
            for field in &mut section.fields {
                if field.element.as_deref() == Some(code.as_str()) {
                    field.label = label.into();
                }
            }
        }
    }
}

/// Appends a field to section `section` under the next free key.
fn append(form: &mut Form, section: usize, label: &str, element: Option<String>) {
    let key = format!("f{:02}", form.field_count() + 1);
    if let Some(section) = form.sections.get_mut(section) {
        section.fields.push(Field {
            key: key.into(),
            label: label.into(),
            element: element.map(Into::into),
            required: true,
            help: None,
            when: None,
        });
    }
}

/// 填写说明 for kinds whose format applicants get wrong.
fn help(kind: ElementKind) -> Option<&'static str> {
    match kind {
        ElementKind::CnId => Some("18位公民身份号码，末位为X的请大写"),
        ElementKind::Uscc => Some("18位统一社会信用代码，见营业执照左上角"),
        ElementKind::Mobile => Some("11位手机号码，用于接收办理进度短信"),
        ElementKind::DateRange => Some("填写起止日期；长期有效的不填截止日期"),
        _ => None,
    }
}
