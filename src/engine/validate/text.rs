//! 文本 and 自定义格式 (pattern).

use crate::model::pattern::compile;

use super::{Rejection, quote, show};

/// 文本: any text without control characters (C0, DEL, C1; tab and newline included).
pub(crate) fn text(value: &str) -> Result<(), Rejection> {
    match value.chars().enumerate().find(|(_, c)| c.is_control()) {
        Some((i, c)) => {
            let (n, c) = (i + 1, show(c));
            Err(Rejection::new(
                format!("第 {n} 个字符 {c} 是控制字符"),
                format!("character {n} is a control character ({c})"),
            ))
        }
        None => Ok(()),
    }
}

/// The last line of a regex error (the line that says what is wrong).
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// 自定义格式: the element's regular expression matches the whole value.
///
/// The pattern is compiled alone first, so that a pattern such as `a)|(b` cannot escape the
/// `\A(?:…)\z` anchoring around it.
pub(crate) fn pattern(pattern: Option<&str>, value: &str) -> Result<(), Rejection> {
    let Some(pattern) = pattern.filter(|p| !p.is_empty()) else {
        return Err(Rejection::new(
            "数据元没有设置格式（正则表达式）",
            "the element has no pattern (regular expression)",
        ));
    };
    let invalid = |e: regex::Error| {
        let reason = regex_reason(&e);
        Rejection::new(
            format!("格式「{}」不是有效的正则表达式：{reason}", quote(pattern)),
            format!(
                "pattern '{}' is not a valid regular expression: {reason}",
                quote(pattern)
            ),
        )
    };
    compile(pattern).map_err(invalid)?;
    let whole = compile(&format!(r"\A(?:{pattern})\z")).map_err(invalid)?;
    if whole.is_match(value) {
        Ok(())
    } else {
        Err(Rejection::new(
            format!("「{}」不符合格式 {}", quote(value), quote(pattern)),
            format!(
                "'{}' does not match the pattern {}",
                quote(value),
                quote(pattern)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn zh(r: Result<(), Rejection>) -> String {
        r.expect_err("should be rejected").message(Lang::Zh)
    }

    #[test]
    fn texts() {
        for ok in ["", "示例文本", "a b", "１２３", "emoji 🙂", "\u{200b}"] {
            assert_eq!(text(ok), Ok(()), "{ok}");
        }
        assert_eq!(zh(text("\u{1b}[2J")), "第 1 个字符 U+001B 是控制字符");
        assert_eq!(
            text("ab\ncd").expect_err("newline").message(Lang::En),
            "character 3 is a control character (U+000A)"
        );
        assert!(zh(text("a\tb")).contains("U+0009"));
        assert!(zh(text("a\u{7f}")).contains("U+007F"));
        assert!(zh(text("a\u{85}")).contains("U+0085"));
        assert!(zh(text("a\u{9f}")).contains("U+009F"));
        assert_eq!(text(&"字".repeat(10_000)), Ok(()));
    }

    #[test]
    fn patterns() {
        let p = Some(r"[A-Z]{3}\d{3}");
        assert_eq!(pattern(p, "ABC123"), Ok(()));
        assert_eq!(
            zh(pattern(p, "xABC123")),
            r"「xABC123」不符合格式 [A-Z]{3}\d{3}"
        );
        assert!(pattern(p, "ABC1234").is_err());
        assert!(pattern(p, "ABC123\n").is_err());
        // alternatives are anchored as a whole
        assert!(pattern(Some("a|ab"), "ab").is_ok());
        assert!(pattern(Some("a|b"), "ab").is_err());
        // a pattern cannot break out of the anchoring group
        let escape = Some("a)|(b");
        assert!(zh(pattern(escape, "xxb")).contains("不是有效的正则表达式"));
        assert!(zh(pattern(Some("("), "x")).starts_with("格式「(」不是有效的正则表达式："));
        assert_eq!(zh(pattern(None, "x")), "数据元没有设置格式（正则表达式）");
        assert_eq!(
            zh(pattern(Some(""), "x")),
            "数据元没有设置格式（正则表达式）"
        );
        assert!(pattern(Some(".*"), &"x".repeat(10_000)).is_ok());
        assert!(
            pattern(Some(r"\d+"), "１２３").is_ok(),
            "regex \\d is Unicode-aware"
        );
        assert!(pattern(Some(r"(?-u:\d)+"), "１２３").is_err());
    }
}
