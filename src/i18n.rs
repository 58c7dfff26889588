//! UI language selection: zh-CN or en, from `--lang` or the locale.

use serde::{Deserialize, Serialize};

/// The UI language.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 简体中文
    #[default]
    Zh,
    /// English (domain terms stay Chinese)
    En,
}

impl Lang {
    /// Picks the language from LC_ALL, LC_MESSAGES, LANG and LANGUAGE: Chinese when the first
    /// one that is set starts with `zh`, English otherwise.
    pub fn from_env() -> Lang {
        Self::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// As `from_env`, reading variables through `get` (testable).
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"]
            .into_iter()
            .filter_map(&get)
            .find(|v| !v.is_empty())
            .map_or(Lang::En, |v| {
                if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
    }

    /// Chooses between a Chinese and an English text.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// `n` of something: the Chinese text `zh` (the number inside it is the caller's), or in
    /// English `n` followed by the noun in the singular for one and the plural otherwise
    /// (`1 more line`, `3 more lines`).
    pub fn count(self, n: usize, zh: impl Into<String>, one: &str, many: &str) -> String {
        match self {
            Lang::Zh => zh.into(),
            Lang::En => format!("{n} {}", if n == 1 { one } else { many }),
        }
    }
}

/// A serde deserialization message (`missing field `code``, `unknown variant `x`, expected
/// one of `a`, `b``, `invalid type: string "li", expected a sequence`, …) in `lang`: serde
/// writes English, so under Chinese its standard messages are said in Chinese with the names
/// and values kept; a message of another form is kept as it is.
pub fn serde_message(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    serde_zh(text).unwrap_or_else(|| text.to_string())
}

fn serde_zh(text: &str) -> Option<String> {
    // the first `name` of a text, and what follows it
    fn quoted(text: &str) -> Option<(&str, &str)> {
        let rest = text.strip_prefix('`')?;
        let end = rest.find('`')?;
        Some((&rest[..end], &rest[end + 1..]))
    }
    // `one of `a`, `b``, `` `a` or `b` ``: the names
    fn names(expected: &str) -> String {
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .join("、")
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        let (field, _) = quoted(rest)?;
        return Some(format!("缺少字段 {field}"));
    }
    if let Some(rest) = text.strip_prefix("duplicate field ") {
        let (field, _) = quoted(rest)?;
        return Some(format!("字段 {field} 重复"));
    }
    for (prefix, what) in [
        ("unknown field ", "未知字段"),
        ("unknown variant ", "未知的取值"),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (name, rest) = quoted(rest)?;
            return Some(match rest.strip_prefix(", expected ") {
                Some(expected) => format!("{what} {name}（可用：{}）", names(expected)),
                None => format!("{what} {name}"),
            });
        }
    }
    for (prefix, what) in [
        ("invalid type: ", "类型不对"),
        ("invalid value: ", "取值不对"),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (found, expected) = rest.rsplit_once(", expected ")?;
            return Some(format!(
                "{what}：{}，应为{}",
                unexpected_zh(found),
                expected_zh(expected)
            ));
        }
    }
    if let Some(rest) = text.strip_prefix("invalid length ") {
        let (len, expected) = rest.split_once(", expected ")?;
        return Some(format!("长度 {len} 不对，应为{}", expected_zh(expected)));
    }
    None
}

/// serde's description of a value it did not expect (`string "li"`, `integer `3``), in Chinese.
fn unexpected_zh(found: &str) -> String {
    let value = |rest: &str| rest.trim_matches('`').to_string();
    if let Some(rest) = found.strip_prefix("string ") {
        return format!("字符串 {rest}");
    }
    for (prefix, zh) in [
        ("integer ", "整数"),
        ("floating point ", "小数"),
        ("boolean ", "布尔值"),
        ("character ", "字符"),
    ] {
        if let Some(rest) = found.strip_prefix(prefix) {
            return format!("{zh} {}", value(rest));
        }
    }
    match found {
        "sequence" => "数组".into(),
        "map" => "对象".into(),
        "null" | "unit value" => "null".into(),
        other => other.to_string(),
    }
}

/// serde's description of what it expected (`a string`, `u32`, `a sequence`), in Chinese; one
/// it has no Chinese for is kept after a space.
fn expected_zh(expected: &str) -> String {
    match expected {
        "a string" | "a borrowed string" | "a string or a char" => "字符串".into(),
        "a sequence" => "数组".into(),
        "a map" => "对象".into(),
        "a boolean" => "布尔值 true 或 false".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "非负整数".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "整数".into(),
        "f32" | "f64" => "数字".into(),
        "a character" | "a char" => "单个字符".into(),
        other if other.starts_with("struct ") => "对象".into(),
        other if other.starts_with("one of ") || other.starts_with('`') => {
            let names: Vec<&str> = other.split('`').skip(1).step_by(2).collect();
            format!("以下之一：{}", names.join("、"))
        }
        other => format!(" {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_in_chinese() {
        let cases = [
            ("missing field `code`", "缺少字段 code"),
            ("duplicate field `name`", "字段 name 重复"),
            (
                "unknown field `colour`, expected one of `code`, `name`, `kind`",
                "未知字段 colour（可用：code、name、kind）",
            ),
            (
                "unknown variant `bogus`, expected `open` or `none`",
                "未知的取值 bogus（可用：open、none）",
            ),
            ("unknown field `x`, there are no fields", "未知字段 x"),
            (
                "invalid type: string \"li\", expected a sequence",
                "类型不对：字符串 \"li\"，应为数组",
            ),
            (
                "invalid type: integer `3`, expected a string",
                "类型不对：整数 3，应为字符串",
            ),
            (
                "invalid value: integer `-1`, expected u32",
                "取值不对：整数 -1，应为非负整数",
            ),
            (
                "invalid type: floating point `1.5`, expected struct Lists",
                "类型不对：小数 1.5，应为对象",
            ),
            (
                "invalid type: null, expected a boolean",
                "类型不对：null，应为布尔值 true 或 false",
            ),
            (
                "invalid length 1, expected 2 elements",
                "长度 1 不对，应为 2 elements",
            ),
            ("something else entirely", "something else entirely"),
        ];
        for (en, zh) in cases {
            assert_eq!(serde_message(en, Lang::Zh), zh, "{en}");
            assert_eq!(serde_message(en, Lang::En), en);
        }
    }

    #[test]
    fn locale_decides_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "zh_CN.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "en_US.UTF-8")])),
            Lang::En
        );
        // LC_ALL wins over LANG
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_locale_vars(env(&[])), Lang::En);
    }
}
