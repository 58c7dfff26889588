//! 行政区划: GB/T 2260 regions and the agencies (实施主体) that sit in them.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// A GB/T 2260 region: six-digit code and name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Six digits, e.g. `511602`.
    pub code: CompactString,
    /// e.g. 广安区.
    pub name: CompactString,
    /// The enclosing region, if recorded.
    #[serde(default)]
    pub parent: Option<String>,
}

/// Administrative level of a region, read off its GB/T 2260 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionLevel {
    /// `xx0000`
    Province,
    /// `xxxx00`
    City,
    /// anything else
    County,
}

impl Region {
    /// The level implied by the code, or `None` when the code is not six digits.
    pub fn level(&self) -> Option<RegionLevel> {
        region_level(&self.code)
    }
}

/// The level a six-digit GB/T 2260 code denotes, or `None` when it is not six ASCII digits.
pub fn region_level(code: &str) -> Option<RegionLevel> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(if code.ends_with("0000") {
        RegionLevel::Province
    } else if code.ends_with("00") {
        RegionLevel::City
    } else {
        RegionLevel::County
    })
}

/// 实施主体 / 部门: a department that implements items.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// Normally the 18-character unified social credit code; published catalogs also hold
    /// 9-character organisation codes, so the store accepts any code and validators report.
    pub code: CompactString,
    /// e.g. 广安区市场监督管理局.
    pub name: CompactString,
    /// Region the agency belongs to.
    #[serde(default)]
    pub region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_trailing_zeros() {
        assert_eq!(region_level("510000"), Some(RegionLevel::Province));
        assert_eq!(region_level("511600"), Some(RegionLevel::City));
        assert_eq!(region_level("511602"), Some(RegionLevel::County));
        assert_eq!(region_level("51160"), None);
        assert_eq!(region_level("51160x"), None);
    }
}
