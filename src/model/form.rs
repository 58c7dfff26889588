//! 申请表 / 云表单: application forms made of fields bound to elements.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::common::{Status, When};
use super::shared_text::SharedText;

/// One question on a form. Its texts are shared texts: 1.3 million fields at a million
/// elements repeat a few dozen keys, about 50,000 labels and the codes of the elements they
/// bind, and each costs the field one pointer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Key unique within the form.
    pub key: SharedText,
    /// What the form prints; may differ from the element's name (legacy forms do).
    pub label: SharedText,
    /// The bound element; `None` for a legacy, unbound field.
    #[serde(default)]
    pub element: Option<SharedText>,
    /// 必填.
    #[serde(default)]
    pub required: bool,
    /// 填写说明 (many fields share one).
    #[serde(default)]
    pub help: Option<SharedText>,
    /// Condition on bundle answers under which the field is shown (boxed: few fields have
    /// one, and a form field is the most numerous thing in a catalog).
    #[serde(default)]
    pub when: Option<Box<When>>,
}

/// A titled group of fields.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// e.g. 申请人信息.
    pub title: SharedText,
    /// Fields in display order.
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// An application form.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Unique code.
    pub code: CompactString,
    /// e.g. 食品经营许可申请书.
    pub name: CompactString,
    /// The item the form belongs to.
    #[serde(default)]
    pub item: Option<CompactString>,
    /// The material (of kind form) the form is.
    #[serde(default)]
    pub material: Option<CompactString>,
    /// Sections in display order.
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Workflow state.
    #[serde(default)]
    pub status: Status,
    /// Version number.
    #[serde(default)]
    pub version: u32,
}

impl Form {
    /// Every field with its section index and position, in display order.
    pub fn fields(&self) -> impl Iterator<Item = (usize, usize, &Field)> {
        self.sections.iter().enumerate().flat_map(|(s, sec)| {
            sec.fields
                .iter()
                .enumerate()
                .map(move |(f, field)| (s, f, field))
        })
    }

    /// Number of fields over all sections.
    pub fn field_count(&self) -> usize {
        self.sections.iter().map(|s| s.fields.len()).sum()
    }
}
