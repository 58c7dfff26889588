//! 数据元: standard data elements, the unit every form field binds to.

use std::collections::HashSet;
use std::sync::Arc;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;

use super::common::Status;
use super::shared_text::SharedText;

/// The cloud-form type of an element; each kind has a validator in `engine::validate`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// 邮箱
    Email,
    /// 邮编
    Postcode,
    /// 固定电话
    Landline,
    /// 移动电话
    Mobile,
    /// 身份证号码 (GB 11643)
    CnId,
    /// 香港身份证
    HkId,
    /// 澳门身份证
    MoId,
    /// 台湾身份证
    TwId,
    /// 外国护照
    PassportForeign,
    /// 其他护照 (Chinese passports)
    PassportOther,
    /// 统一社会信用代码 (GB 32100)
    Uscc,
    /// 文本
    Text,
    /// 单选
    SingleChoice,
    /// 多选
    MultiChoice,
    /// 数字
    Number,
    /// 日期点
    Date,
    /// 日期段
    DateRange,
    /// 下拉框
    Dropdown,
    /// 联动证件类型: a document-type choice that decides the validator of its paired number.
    IdTypeLinked,
    /// 联动下拉框: cascading choices (province → city → county).
    LinkedDropdown,
    /// A custom regular expression held in `Element::pattern`.
    Pattern,
}

impl ElementKind {
    /// Every kind, in the order of the design brief.
    pub const ALL: [ElementKind; 21] = [
        Self::Email,
        Self::Postcode,
        Self::Landline,
        Self::Mobile,
        Self::CnId,
        Self::HkId,
        Self::MoId,
        Self::TwId,
        Self::PassportForeign,
        Self::PassportOther,
        Self::Uscc,
        Self::Text,
        Self::SingleChoice,
        Self::MultiChoice,
        Self::Number,
        Self::Date,
        Self::DateRange,
        Self::Dropdown,
        Self::IdTypeLinked,
        Self::LinkedDropdown,
        Self::Pattern,
    ];

    /// The interchange spelling (`cn_id`, `linked_dropdown`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Postcode => "postcode",
            Self::Landline => "landline",
            Self::Mobile => "mobile",
            Self::CnId => "cn_id",
            Self::HkId => "hk_id",
            Self::MoId => "mo_id",
            Self::TwId => "tw_id",
            Self::PassportForeign => "passport_foreign",
            Self::PassportOther => "passport_other",
            Self::Uscc => "uscc",
            Self::Text => "text",
            Self::SingleChoice => "single_choice",
            Self::MultiChoice => "multi_choice",
            Self::Number => "number",
            Self::Date => "date",
            Self::DateRange => "date_range",
            Self::Dropdown => "dropdown",
            Self::IdTypeLinked => "id_type_linked",
            Self::LinkedDropdown => "linked_dropdown",
            Self::Pattern => "pattern",
        }
    }

    /// Parses the interchange spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Parses a kind as a user types it in a filter: the interchange spelling in any case,
    /// with `-`, a space or nothing for `_` (`cn_id`, `Linked-Dropdown`, `linkeddropdown`),
    /// the Chinese name (`下拉框`), or a part of one Chinese name that no other contains
    /// (`联动证件`).
    pub fn from_name(s: &str) -> Option<Self> {
        let s = s.trim();
        let plain = |t: &str| -> String {
            t.chars()
                .filter(|c| !matches!(c, '_' | '-' | ' '))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let typed = plain(s);
        if typed.is_empty() {
            return None;
        }
        if let Some(k) = Self::ALL
            .into_iter()
            .find(|k| plain(k.as_str()) == typed || k.zh() == s)
        {
            return Some(k);
        }
        let mut containing = Self::ALL.into_iter().filter(|k| k.zh().contains(s));
        match (containing.next(), containing.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    }

    /// The Chinese name used in the cloud-form designer.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Email => "邮箱",
            Self::Postcode => "邮编",
            Self::Landline => "固定电话",
            Self::Mobile => "移动电话",
            Self::CnId => "身份证号码",
            Self::HkId => "香港身份证",
            Self::MoId => "澳门身份证",
            Self::TwId => "台湾身份证",
            Self::PassportForeign => "外国护照",
            Self::PassportOther => "其他护照",
            Self::Uscc => "统一社会信用代码",
            Self::Text => "文本",
            Self::SingleChoice => "单选",
            Self::MultiChoice => "多选",
            Self::Number => "数字",
            Self::Date => "日期点",
            Self::DateRange => "日期段",
            Self::Dropdown => "下拉框",
            Self::IdTypeLinked => "联动证件类型",
            Self::LinkedDropdown => "联动下拉框",
            Self::Pattern => "自定义格式",
        }
    }

    /// Whether values are picked from `Element::options`.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            Self::SingleChoice
                | Self::MultiChoice
                | Self::Dropdown
                | Self::IdTypeLinked
                | Self::LinkedDropdown
        )
    }
}

/// Who may receive an element's data through sharing (共享属性).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Share {
    /// 无条件共享
    #[default]
    Open,
    /// 有条件共享
    Conditional,
    /// 不予共享
    None,
}

impl Share {
    /// Every value, most open first.
    pub const ALL: [Share; 3] = [Self::Open, Self::Conditional, Self::None];

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Open => "无条件共享",
            Self::Conditional => "有条件共享",
            Self::None => "不予共享",
        }
    }

    /// The interchange spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Conditional => "conditional",
            Self::None => "none",
        }
    }
}

/// An element's value list, immutable and cheap to clone: elements with the same list can
/// share one copy (a million-element catalog has a few dozen distinct lists over 180,000
/// elements; see [`OptionsInterner`]). Stored and exchanged as a plain sequence. An empty
/// list (most elements) allocates nothing, and a list is one pointer in the element that
/// holds it (its length lives with the shared copy).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Options(Option<Arc<Box<[ElementOption]>>>);

impl Options {
    /// Whether `self` and `other` are one shared copy (not merely equal); empty lists share.
    pub fn shares(&self, other: &Options) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

impl std::ops::Deref for Options {
    type Target = [ElementOption];

    fn deref(&self) -> &[ElementOption] {
        self.0.as_deref().map_or(&[], |list| list)
    }
}

impl From<Vec<ElementOption>> for Options {
    fn from(options: Vec<ElementOption>) -> Self {
        Self((!options.is_empty()).then(|| Arc::new(options.into_boxed_slice())))
    }
}

impl FromIterator<ElementOption> for Options {
    fn from_iter<I: IntoIterator<Item = ElementOption>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a Options {
    type Item = &'a ElementOption;
    type IntoIter = std::slice::Iter<'a, ElementOption>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for Options {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<ElementOption>::deserialize(deserializer).map(Self::from)
    }
}

/// Hands out one shared copy of each distinct value list it has seen.
#[derive(Default)]
pub struct OptionsInterner(HashSet<Options>);

impl OptionsInterner {
    /// The shared copy of `options` (the first one seen with the same entries).
    pub fn intern(&mut self, options: &mut Options) {
        if options.is_empty() {
            return;
        }
        match self.0.get(options) {
            Some(shared) => *options = shared.clone(),
            None => {
                self.0.insert(options.clone());
            }
        }
    }
}

/// One entry of an element's value list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct ElementOption {
    /// Stable key of the option, unique within the element (e.g. `510000`, `01`).
    pub code: CompactString,
    /// What the applicant sees.
    pub label: CompactString,
    /// For `linked_dropdown`: the option of the level above (e.g. a city's province).
    #[serde(default)]
    pub parent: Option<CompactString>,
    /// For `id_type_linked`: the kind whose validator checks the paired number.
    #[serde(default)]
    pub kind: Option<ElementKind>,
}

/// Default security level (1 = lowest of 1..4).
fn default_security_level() -> u8 {
    1
}

/// A minimal-granularity standard data element.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// Unique code, e.g. `DE00001`.
    pub code: CompactString,
    /// Standard name, e.g. 身份证号码.
    pub name: CompactString,
    /// Other names the same data goes by (公民身份号码, 证件号码); one pointer when there are
    /// none, as for most elements.
    #[serde(default)]
    pub synonyms: ThinVec<CompactString>,
    /// Cloud-form type.
    pub kind: ElementKind,
    /// 定义: what the element means (many elements share one).
    #[serde(default)]
    pub definition: SharedText,
    /// Regular expression for the `pattern` kind.
    #[serde(default)]
    pub pattern: Option<SharedText>,
    /// Value list for choice kinds.
    #[serde(default)]
    pub options: Options,
    /// Composite parent (地址 is the parent of 省, 市, 区县, 详细地址); shared text, as most
    /// elements have none and it costs them one pointer.
    #[serde(default)]
    pub parent: Option<SharedText>,
    /// Unit of measure for numbers (元, 平方米; many elements share one).
    #[serde(default)]
    pub unit: Option<SharedText>,
    /// The agency that is the authoritative source (数源部门; many elements share one).
    #[serde(default)]
    pub source_agency: Option<SharedText>,
    /// 共享属性.
    #[serde(default)]
    pub share: Share,
    /// 安全级别 1..=4.
    #[serde(default = "default_security_level")]
    pub security_level: u8,
    /// Workflow state.
    #[serde(default)]
    pub status: Status,
    /// Version number V0, V1, ...
    #[serde(default)]
    pub version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_found_by_chinese_and_english_names() {
        for (typed, kind) in [
            ("下拉框", ElementKind::Dropdown),
            ("联动下拉框", ElementKind::LinkedDropdown),
            ("cn_id", ElementKind::CnId),
            ("Linked-Dropdown", ElementKind::LinkedDropdown),
            ("singlechoice", ElementKind::SingleChoice),
            ("联动证件", ElementKind::IdTypeLinked),
        ] {
            assert_eq!(ElementKind::from_name(typed), Some(kind), "{typed}");
        }
        // 身份证 is part of four names: ambiguous
        for bad in ["身份证", "", "idcard", "下拉"] {
            assert_eq!(ElementKind::from_name(bad), None, "{bad}");
        }
        for k in ElementKind::ALL {
            assert_eq!(ElementKind::from_name(k.as_str()), Some(k));
            assert_eq!(ElementKind::from_name(k.zh()), Some(k));
        }
    }

    #[test]
    fn elements_items_and_form_fields_stay_small() {
        // a million elements and 1.3 million fields are held in memory: every pointer counts
        // (an element was 184 bytes and a field 104 before texts, value lists, synonyms and a
        // field's key, label and binding became one pointer each)
        assert_eq!(std::mem::size_of::<Element>(), 112);
        assert_eq!(std::mem::size_of::<super::super::Field>(), 48);
        // an item was 248 bytes before the codes it names, its fee and its lists
        assert_eq!(std::mem::size_of::<super::super::Item>(), 152);
        assert_eq!(std::mem::size_of::<Options>(), 8);
        // a value list shares its copy and reads as its entries
        let list: Options = vec![ElementOption {
            code: "1".into(),
            label: "男".into(),
            parent: None,
            kind: None,
        }]
        .into();
        assert!(list.shares(&list.clone()));
        assert_eq!(list.len(), 1);
        assert!(Options::default().is_empty());
    }
}
