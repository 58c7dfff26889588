//! 材料: documents an applicant submits (or that data sharing makes unnecessary).

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// The five material kinds of the documents.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// 申请表单
    Form,
    /// 批文
    Approval,
    /// 证照
    Licence,
    /// 一般材料
    General,
    /// 证明材料
    Certificate,
}

impl MaterialKind {
    /// Every kind.
    pub const ALL: [MaterialKind; 5] = [
        Self::Form,
        Self::Approval,
        Self::Licence,
        Self::General,
        Self::Certificate,
    ];

    /// The interchange spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Approval => "approval",
            Self::Licence => "licence",
            Self::General => "general",
            Self::Certificate => "certificate",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Form => "申请表单",
            Self::Approval => "批文",
            Self::Licence => "证照",
            Self::General => "一般材料",
            Self::Certificate => "证明材料",
        }
    }
}

/// A required document.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Unique code.
    pub code: CompactString,
    /// e.g. 营业执照.
    pub name: CompactString,
    /// Material kind.
    pub kind: MaterialKind,
    /// 来源渠道: 申请人自备, 政府部门核发, 中介机构出具, ...
    #[serde(default)]
    pub source: String,
    /// The agency that issues it.
    #[serde(default)]
    pub issuing_agency: Option<String>,
    /// 证照目录编码 when the material is a licence in the licence catalog.
    #[serde(default)]
    pub licence_code: Option<String>,
    /// Can be fetched by data sharing instead of being submitted (免提交).
    #[serde(default)]
    pub shareable: bool,
    /// 份数.
    #[serde(default)]
    pub copies: u32,
    /// 是否必要.
    #[serde(default)]
    pub required: bool,
    /// A template (模板库): a reference record entries are claimed from and compared against.
    #[serde(default)]
    pub template: bool,
    /// The template this record was claimed from (认领); it is of the same kind and flagged
    /// `template`.
    #[serde(default)]
    pub template_of: Option<String>,
}
