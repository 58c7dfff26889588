//! Units of measure (计量单位) that decide whether a number element may be negative.
//!
//! A quantity counted or measured in money, people or things, area, length, volume, weight,
//! power or time (万元, 人, 个, 平方米, 米, 立方米/日, 千克, 天 …) is never negative: 注册资本
//! −5 万元 is a typing error, not a value. A unit that can go below zero (℃, %, ‰, dB, 度,
//! 分) or one not known here leaves the number unrestricted.

/// Units (after a multiplier such as 万 or 千 is taken off, lower case) whose quantities are
/// never negative.
#[rustfmt::skip]
const NEVER_NEGATIVE: &[&str] = &[
    // money (any 元: 元, 万元, 美元, 港元 is matched by its last character)
    "人民币", "角",
    // counts
    "人", "人次", "名", "位", "户", "家", "个", "件", "次", "台", "辆", "套", "张", "份", "本",
    "枚", "间", "床", "座", "层", "栋", "幢", "株", "头", "只", "匹", "艘", "架", "部", "处",
    "项", "所", "批", "箱", "盒", "瓶", "支", "根", "块", "片", "条", "把", "页", "册", "宗",
    "笔", "起", "例", "门", "辆次", "台套", "床位",
    // area
    "平方米", "平米", "㎡", "m²", "m2", "亩", "公顷", "平方公里", "平方千米", "km²", "km2",
    "平方厘米",
    // length
    "米", "m", "公里", "km", "厘米", "cm", "毫米", "mm", "里",
    // volume
    "立方米", "方", "m³", "m3", "升", "l", "毫升", "ml",
    // weight
    "克", "g", "kg", "公斤", "斤", "吨", "t", "毫克", "mg",
    // power and energy
    "瓦", "w", "kw", "瓦时", "kwh",
    // time
    "天", "日", "工作日", "个工作日", "月", "个月", "年", "周", "星期", "小时", "时", "h",
    "分钟", "min", "秒", "岁", "周岁", "学时", "课时",
];

/// Multipliers in front of a unit (万元, 千克, 亿元, 千米).
const MULTIPLIERS: [char; 6] = ['万', '亿', '千', '百', '十', '兆'];

/// Whether a number measured in `unit` is never negative: every part of the unit (a rate
/// such as `立方米/日` or `元/人·月` has several) is a known unit of money, count, area,
/// length, volume, weight, power or time. Parenthesised notes (`万元（人民币）`) and white
/// space are ignored; an empty or unknown unit gives `false`.
pub fn never_negative(unit: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in unit.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => plain.extend(c.to_lowercase()),
            _ => {}
        }
    }
    let mut parts = plain
        .split(['/', '／', '·', '*', '每'])
        .filter(|p| !p.is_empty())
        .peekable();
    parts.peek().is_some() && parts.all(known)
}

/// A unit without a rate: a known one, with or without a multiplier in front.
fn known(part: &str) -> bool {
    let base = part.trim_start_matches(MULTIPLIERS);
    let base = if base.is_empty() { part } else { base };
    base.ends_with('元') || NEVER_NEGATIVE.contains(&base) || NEVER_NEGATIVE.contains(&part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_counts_and_measures_are_never_negative() {
        for unit in [
            "元",
            "万元",
            "亿元",
            "美元",
            "万元（人民币）",
            "人",
            "个",
            "件",
            "平方米",
            "㎡",
            "亩",
            "米",
            "公里",
            "千米",
            "千克",
            "吨",
            "天",
            "日",
            "月",
            "年",
            "立方米/日",
            "元/人·月",
            "万人次",
            " KG ",
            "个工作日",
        ] {
            assert!(never_negative(unit), "{unit}");
        }
    }

    #[test]
    fn temperatures_shares_and_unknown_units_may_be_negative() {
        for unit in [
            "℃",
            "°C",
            "%",
            "‰",
            "度",
            "分",
            "dB",
            "",
            "（）",
            "/",
            "万",
            "百分比",
            "元/℃",
        ] {
            assert!(!never_negative(unit), "{unit}");
        }
    }
}
