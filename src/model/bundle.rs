//! 主题 / 一件事: several items applied for together, steered by judgement questions.

use std::collections::BTreeMap;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::common::{Origin, Status, When};

/// One possible answer to a judgement question.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    /// Key unique within the question.
    pub key: String,
    /// What the applicant reads.
    pub text: String,
}

/// 判断项: a question whose answer selects items, materials and fields.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Key unique within the bundle.
    pub key: String,
    /// e.g. 经营场所面积是否超过 500 平方米？
    pub text: String,
    /// The answers to choose from.
    #[serde(default)]
    pub options: Vec<AnswerOption>,
}

/// A material row of a bundle: general (no condition) or special (conditional).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BundleMaterial {
    /// Material code.
    pub material: String,
    /// The bundle item that asks for it.
    pub item: String,
    /// Condition; `None` = 通用材料 (always).
    #[serde(default)]
    pub when: Option<When>,
}

/// A bundle of items (named Bundle, not Theme: `themes/` holds colour themes).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Unique code.
    pub code: CompactString,
    /// e.g. 我要开餐馆.
    pub name: CompactString,
    /// 牵头部门.
    #[serde(default)]
    pub lead_agency: Option<String>,
    /// Item codes in order.
    #[serde(default)]
    pub items: Vec<String>,
    /// Judgement questions.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Item code → the condition under which it applies (absent = always).
    #[serde(default)]
    pub item_when: BTreeMap<String, When>,
    /// Materials per item.
    #[serde(default)]
    pub materials: Vec<BundleMaterial>,
    /// Workflow state.
    #[serde(default)]
    pub status: Status,
    /// Version number.
    #[serde(default)]
    pub version: u32,
    /// Claimed from a template or self-built.
    #[serde(default)]
    pub origin: Origin,
    /// A template (模板库): a reference record entries are claimed from and compared against.
    #[serde(default)]
    pub template: bool,
    /// The template this record was claimed from (认领); it is of the same kind and flagged
    /// `template`.
    #[serde(default)]
    pub template_of: Option<String>,
}
