//! 事项: the two-level basic catalog (主项/子项) and its implementations (实施清单/办理项).

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;

use super::common::{Origin, Status};
use super::shared_text::SharedText;

/// The four levels of the item hierarchy.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemLevel {
    /// 主项
    Main,
    /// 子项
    Sub,
    /// 实施清单: one agency's implementation of a sub-item.
    Impl,
    /// 办理项: a handling variant of an implementation.
    Handling,
}

impl ItemLevel {
    /// Every level, top down.
    pub const ALL: [ItemLevel; 4] = [Self::Main, Self::Sub, Self::Impl, Self::Handling];

    /// The interchange spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Sub => "sub",
            Self::Impl => "impl",
            Self::Handling => "handling",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Main => "主项",
            Self::Sub => "子项",
            Self::Impl => "实施清单",
            Self::Handling => "办理项",
        }
    }

    /// The level a parent of this level must have; `None` for main items.
    pub fn parent_level(self) -> Option<ItemLevel> {
        match self {
            Self::Main => None,
            Self::Sub => Some(Self::Main),
            Self::Impl => Some(Self::Sub),
            Self::Handling => Some(Self::Impl),
        }
    }
}

/// 事项类型, spelled in interchange files by its national numeric code.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemType {
    /// 01 行政许可
    #[serde(rename = "01")]
    Licensing,
    /// 02 行政处罚
    #[serde(rename = "02")]
    Penalty,
    /// 03 行政强制
    #[serde(rename = "03")]
    Enforcement,
    /// 04 行政征收
    #[serde(rename = "04")]
    Levy,
    /// 05 行政给付
    #[serde(rename = "05")]
    Benefit,
    /// 06 行政检查
    #[serde(rename = "06")]
    Inspection,
    /// 07 行政确认
    #[serde(rename = "07")]
    Confirmation,
    /// 08 行政奖励
    #[serde(rename = "08")]
    Reward,
    /// 09 行政裁决
    #[serde(rename = "09")]
    Adjudication,
    /// 10 其他行政权力
    #[serde(rename = "10")]
    OtherPower,
    /// 20 公共服务
    #[serde(rename = "20")]
    PublicService,
}

impl ItemType {
    /// The dictionary: every type in code order.
    pub const ALL: [ItemType; 11] = [
        Self::Licensing,
        Self::Penalty,
        Self::Enforcement,
        Self::Levy,
        Self::Benefit,
        Self::Inspection,
        Self::Confirmation,
        Self::Reward,
        Self::Adjudication,
        Self::OtherPower,
        Self::PublicService,
    ];

    /// The national two-digit code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Licensing => "01",
            Self::Penalty => "02",
            Self::Enforcement => "03",
            Self::Levy => "04",
            Self::Benefit => "05",
            Self::Inspection => "06",
            Self::Confirmation => "07",
            Self::Reward => "08",
            Self::Adjudication => "09",
            Self::OtherPower => "10",
            Self::PublicService => "20",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Licensing => "行政许可",
            Self::Penalty => "行政处罚",
            Self::Enforcement => "行政强制",
            Self::Levy => "行政征收",
            Self::Benefit => "行政给付",
            Self::Inspection => "行政检查",
            Self::Confirmation => "行政确认",
            Self::Reward => "行政奖励",
            Self::Adjudication => "行政裁决",
            Self::OtherPower => "其他行政权力",
            Self::PublicService => "公共服务",
        }
    }

    /// Looks a type up by its code; one-digit codes (`1`, `5`) as published are accepted.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        let padded = if code.len() == 1 {
            format!("0{code}")
        } else {
            code.to_string()
        };
        Self::ALL.into_iter().find(|t| t.code() == padded)
    }
}

/// A catalog entry at any of the four levels. The codes it names (parent, agency, region) and
/// its fee are shared texts: siblings share their parent's long code, an agency's items its
/// code, and each costs the item one pointer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique code (published 事项编码 where there is one).
    pub code: CompactString,
    /// e.g. 食品经营许可.
    pub name: CompactString,
    /// Level in the hierarchy.
    pub level: ItemLevel,
    /// The item one level up.
    #[serde(default)]
    pub parent: Option<SharedText>,
    /// 事项类型.
    pub item_type: ItemType,
    /// 实施主体.
    #[serde(default)]
    pub agency: Option<SharedText>,
    /// 行政区划.
    #[serde(default)]
    pub region: Option<SharedText>,
    /// 设定依据 (many items share one).
    #[serde(default)]
    pub basis: SharedText,
    /// 承诺时限 in working days.
    #[serde(default)]
    pub time_limit_days: u32,
    /// 法定时限 in working days.
    #[serde(default)]
    pub legal_limit_days: u32,
    /// 收费 (e.g. 不收费).
    #[serde(default)]
    pub fee: SharedText,
    /// 网上办理深度 0..=4.
    #[serde(default)]
    pub online_depth: u8,
    /// Items whose result this one needs (前置事项).
    #[serde(default)]
    pub depends_on: ThinVec<CompactString>,
    /// Codes of the materials (申请材料) the item requires.
    #[serde(default)]
    pub materials: ThinVec<CompactString>,
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
    pub template_of: Option<CompactString>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_type_codes_round_trip_and_accept_published_single_digits() {
        for t in ItemType::ALL {
            assert_eq!(ItemType::from_code(t.code()), Some(t));
        }
        assert_eq!(ItemType::from_code("1"), Some(ItemType::Licensing));
        assert_eq!(ItemType::from_code("20"), Some(ItemType::PublicService));
        assert_eq!(ItemType::from_code("11"), None);
    }

    #[test]
    fn item_type_is_spelled_by_code_in_json() {
        let json = serde_json::to_string(&ItemType::PublicService).unwrap();
        assert_eq!(json, "\"20\"");
        let back: ItemType = serde_json::from_str("\"07\"").unwrap();
        assert_eq!(back, ItemType::Confirmation);
    }
}
