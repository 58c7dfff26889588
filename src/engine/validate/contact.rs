//! Contact data: 移动电话, 固定电话, 邮编, 邮箱.

use super::{Rejection, quote, show};

/// 邮编: exactly 6 ASCII digits, not all zero (no area has 000000: a placeholder).
pub(crate) fn postcode(value: &str) -> Result<(), Rejection> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::new(
            format!("邮编应为 6 位数字，而不是「{}」", quote(value)),
            format!("a postcode should be 6 digits, not '{}'", quote(value)),
        ));
    }
    if value == "000000" {
        return Err(Rejection::new(
            "000000 不是任何地区的邮编".to_string(),
            "000000 is no area's postcode".to_string(),
        ));
    }
    Ok(())
}

/// A character that has no place in the value.
fn not_allowed(c: char) -> Rejection {
    let c = show(c);
    Rejection::new(
        format!("含有不允许的字符「{c}」"),
        format!("contains the character '{c}', which is not allowed"),
    )
}

/// 移动电话: `1[3-9]` + 9 digits, optionally after `+86` or `86`; single spaces or dashes
/// may separate digit groups (`138-0013-8000`, `+86 138 0013 8000`).
pub(crate) fn mobile(value: &str) -> Result<(), Rejection> {
    let digit_count = value.chars().filter(char::is_ascii_digit).count();
    let rest = if let Some(rest) = value.strip_prefix("+86") {
        rest
    } else if value.starts_with('+') {
        return Err(Rejection::new(
            "只接受国际区号 +86",
            "only the country code +86 is accepted",
        ));
    } else if digit_count == 13 {
        value.strip_prefix("86").unwrap_or(value)
    } else {
        value
    };
    let body = if rest.len() < value.len() {
        rest.strip_prefix([' ', '-']).unwrap_or(rest)
    } else {
        rest
    };
    let mut digits = String::new();
    let mut after_separator = true;
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            after_separator = false;
        } else if c == ' ' || c == '-' {
            if after_separator {
                return Err(Rejection::new(
                    "分隔符（空格或 -）只能出现在数字之间，且不能连用",
                    "separators (space or -) may only stand alone between digits",
                ));
            }
            after_separator = true;
        } else {
            return Err(not_allowed(c));
        }
    }
    if after_separator && !digits.is_empty() {
        return Err(Rejection::new(
            "号码不能以分隔符结尾",
            "the number cannot end with a separator",
        ));
    }
    if digits.len() != 11 {
        return Err(Rejection::new(
            format!("手机号码应为 11 位数字，实际 {} 位", digits.len()),
            format!(
                "a mobile number should have 11 digits, got {}",
                digits.len()
            ),
        ));
    }
    let b = digits.as_bytes();
    if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
        return Err(Rejection::new(
            format!("手机号码应以 13–19 开头，而不是 {}", &digits[..2]),
            format!(
                "a mobile number should start with 13–19, not {}",
                &digits[..2]
            ),
        ));
    }
    Ok(())
}

/// An area code: 0 and 2–3 digits.
fn area_code(area: &str) -> Result<(), Rejection> {
    if area.starts_with('0')
        && (3..=4).contains(&area.len())
        && area.bytes().all(|b| b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(Rejection::new(
            format!("区号「{}」应为 0 加 2–3 位数字", quote(area)),
            format!("area code '{}' should be 0 and 2–3 digits", quote(area)),
        ))
    }
}

/// A subscriber number: 7–8 digits, the first 2–9.
fn subscriber(number: &str) -> Result<(), Rejection> {
    if let Some(c) = number.chars().find(|c| !c.is_ascii_digit()) {
        return Err(not_allowed(c));
    }
    if !(7..=8).contains(&number.len()) {
        return Err(Rejection::new(
            format!("电话号码应为 7–8 位数字，实际 {} 位", number.len()),
            format!(
                "a telephone number should have 7–8 digits, got {}",
                number.len()
            ),
        ));
    }
    if number.starts_with(['0', '1']) {
        return Err(Rejection::new(
            "电话号码应以 2–9 开头",
            "a telephone number should start with 2–9",
        ));
    }
    Ok(())
}

/// An extension: 1–6 digits.
fn extension(ext: &str) -> Result<(), Rejection> {
    if (1..=6).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Rejection::new(
            format!("分机号「{}」应为 1–6 位数字", quote(ext)),
            format!("extension '{}' should be 1–6 digits", quote(ext)),
        ))
    }
}

/// 固定电话: `[area code][-]number[extension]` where the area code is `0` + 2–3 digits,
/// optionally in brackets (`(010)`, `（010）`), followed by `-` or written straight on; the
/// number has 7–8 digits starting 2–9; the extension is `-123` or `转123` (1–6 digits).
/// Examples: `010-62345678`, `(0755)6234567`, `02886751234`, `62345678转8001`.
///
/// Like [`mobile`], it also takes the country code `+86` or `0086` (then the area code's
/// leading 0 may be left out: `+86-28-86123456`, `+86 10 62345678`) and single spaces
/// between digit groups (`028 86123456`, `(028) 8612 3456`): a space after the area
/// code separates it like `-`, other spaces only group digits.
pub(crate) fn landline(value: &str) -> Result<(), Rejection> {
    let national = national_form(value)?;
    let value = national.as_str();
    let (main, ext) = match value.split_once('转') {
        Some((main, ext)) => (main, Some(ext)),
        None => (value, None),
    };
    let (area, rest) = if let Some(inner) = main.strip_prefix(['(', '（']) {
        let Some(close) = inner.find([')', '）']) else {
            return Err(Rejection::new(
                "区号的括号不成对",
                "unbalanced brackets around the area code",
            ));
        };
        let (area, after) = inner.split_at(close);
        let after = after.strip_prefix([')', '）']).unwrap_or(after);
        (Some(area), after.strip_prefix('-').unwrap_or(after))
    } else {
        match main.split_once('-') {
            Some((area, rest)) if area.starts_with('0') && area.len() <= 4 => (Some(area), rest),
            _ => (None, main),
        }
    };
    if let Some(area) = area {
        area_code(area)?;
    }
    let (number, ext) = match (rest.split_once('-'), ext) {
        (Some(_), Some(_)) => {
            return Err(Rejection::new(
                "只能有一个分机号",
                "only one extension is allowed",
            ));
        }
        (Some((number, dash_ext)), None) => (number, Some(dash_ext)),
        (None, ext) => (rest, ext),
    };
    if area.is_none() && number.starts_with('0') {
        concatenated(number)?;
    } else {
        subscriber(number)?;
    }
    ext.map_or(Ok(()), extension)
}

/// A landline in the form [`landline`] parses: the country code taken off (and the area
/// code's 0 put back), spaces turned into the area code's `-` or dropped.
fn national_form(value: &str) -> Result<String, Rejection> {
    let international = value
        .strip_prefix("+86")
        .or_else(|| value.strip_prefix("0086"));
    let rest = match international {
        Some(rest) => {
            let rest = rest.strip_prefix([' ', '-']).unwrap_or(rest);
            if rest.starts_with(['0', '(', '（']) {
                rest.to_string()
            } else {
                format!("0{rest}")
            }
        }
        None if value.starts_with('+') => {
            return Err(Rejection::new(
                "只接受国际区号 +86",
                "only the country code +86 is accepted",
            ));
        }
        None => value.to_string(),
    };
    if !rest.contains(' ') {
        return Ok(rest);
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut out = String::with_capacity(rest.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let joins = matches!(before, Some(b) if b.is_ascii_digit() || matches!(b, ')' | '）'))
            && matches!(after, Some(a) if a.is_ascii_digit());
        if !joins {
            return Err(Rejection::new(
                "分隔符（空格或 -）只能出现在数字之间，且不能连用",
                "separators (space or -) may only stand alone between digits",
            ));
        }
        let area_before =
            !out.contains(['-', '(', '（']) && out.starts_with('0') && (3..=4).contains(&out.len());
        if area_before {
            out.push('-');
        }
    }
    Ok(out)
}

/// Area code and number written straight on (`01012345678`): some split must work.
fn concatenated(digits: &str) -> Result<(), Rejection> {
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(not_allowed(c));
    }
    let mut splits = [3, 4].into_iter().filter(|&a| {
        (7..=8).contains(&digits.len().saturating_sub(a))
            && matches!(digits.as_bytes().get(a), Some(b'2'..=b'9'))
    });
    if splits.next().is_none() {
        return Err(Rejection::new(
            "无法分出区号（0 加 2–3 位数字）和 7–8 位、以 2–9 开头的号码",
            "cannot split it into an area code (0 and 2–3 digits) and a 7–8 digit number \
             starting with 2–9",
        ));
    }
    Ok(())
}

/// Characters allowed in the local part besides letters, digits and dots (RFC 5322 atext).
const ATEXT: &str = "!#$%&'*+/=?^_`{|}~-";

/// 邮箱: `local@domain.tld` in ASCII. The local part is RFC 5322 dot-atoms (no quoted
/// strings), at most 64 characters; the domain has at least two labels of letters, digits
/// and `-` (not at either end of a label, 1–63 characters each, 253 in all), and the top
/// level is not all digits and has at least 2 characters.
pub(crate) fn email(value: &str) -> Result<(), Rejection> {
    if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        let c = show(c);
        return Err(Rejection::new(
            format!("邮箱不能含有空白或控制字符（{c}）"),
            format!("an email address cannot contain white space or controls ({c})"),
        ));
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
        return Err(Rejection::new(
            format!("邮箱只能用 ASCII 字符，不能含「{c}」"),
            format!("an email address should be ASCII, without '{c}'"),
        ));
    }
    let Some((local, domain)) = value.split_once('@').filter(|(_, d)| !d.contains('@')) else {
        return Err(Rejection::new(
            "邮箱应恰好含一个 @",
            "an email address should contain exactly one @",
        ));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(Rejection::new(
            format!("@ 前的用户名应为 1–64 个字符，实际 {} 个", local.len()),
            format!(
                "the part before @ should be 1–64 characters, got {}",
                local.len()
            ),
        ));
    }
    if let Some(c) = local
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '.' || ATEXT.contains(c)))
    {
        return Err(Rejection::new(
            format!("@ 前的用户名不能含「{c}」"),
            format!("the part before @ cannot contain '{c}'"),
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Rejection::new(
            "@ 前的用户名不能以点开头或结尾，也不能有连续的点",
            "the part before @ cannot start or end with a dot, or have two dots in a row",
        ));
    }
    if domain.len() > 253 {
        return Err(Rejection::new(
            format!("域名超过 253 个字符（{} 个）", domain.len()),
            format!(
                "the domain is longer than 253 characters ({})",
                domain.len()
            ),
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(Rejection::new(
            "域名应含点，如 example.com",
            "the domain should contain a dot, e.g. example.com",
        ));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(Rejection::new(
                "域名的每一段应为 1–63 个字符（不能有空段）",
                "each part of the domain should be 1–63 characters (no empty part)",
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(Rejection::new(
                format!("域名不能含「{c}」"),
                format!("the domain cannot contain '{c}'"),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Rejection::new(
                format!("域名段「{}」不能以 - 开头或结尾", quote(label)),
                format!("domain part '{}' cannot start or end with -", quote(label)),
            ));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::new(
            format!("顶级域名「{}」无效", quote(tld)),
            format!("top-level domain '{}' is not valid", quote(tld)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn zh(r: Result<(), Rejection>) -> String {
        r.expect_err("should be rejected").message(Lang::Zh)
    }

    fn en(r: Result<(), Rejection>) -> String {
        r.expect_err("should be rejected").message(Lang::En)
    }

    #[test]
    fn postcodes() {
        assert_eq!(postcode("610041"), Ok(()));
        assert_eq!(postcode("100000"), Ok(()));
        assert_eq!(en(postcode("000000")), "000000 is no area's postcode");
        assert_eq!(zh(postcode("61004")), "邮编应为 6 位数字，而不是「61004」");
        assert_eq!(
            en(postcode("6100411")),
            "a postcode should be 6 digits, not '6100411'"
        );
        assert!(zh(postcode("６１００４１")).contains("邮编应为 6 位数字"));
        assert!(zh(postcode("61004a")).contains("邮编应为 6 位数字"));
        assert_eq!(
            zh(postcode(&"1".repeat(10_000))),
            "邮编应为 6 位数字，而不是「111111111111111111111111…」"
        );
    }

    #[test]
    fn mobiles() {
        for ok in [
            "13800138000",
            "19912345678",
            "+8613800138000",
            "+86 138 0013 8000",
            "+86-138-0013-8000",
            "8613800138000",
            "86 13800138000",
            "138-0013-8000",
            "138 0013 8000",
        ] {
            assert_eq!(mobile(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            zh(mobile("1380013800")),
            "手机号码应为 11 位数字，实际 10 位"
        );
        assert_eq!(
            en(mobile("138001380001")),
            "a mobile number should have 11 digits, got 12"
        );
        assert_eq!(
            zh(mobile("12800138000")),
            "手机号码应以 13–19 开头，而不是 12"
        );
        assert_eq!(
            zh(mobile("23800138000")),
            "手机号码应以 13–19 开头，而不是 23"
        );
        assert_eq!(zh(mobile("+85291234567")), "只接受国际区号 +86");
        assert_eq!(
            zh(mobile("138--0013-8000")),
            "分隔符（空格或 -）只能出现在数字之间，且不能连用"
        );
        assert!(zh(mobile("-13800138000")).starts_with("分隔符"));
        assert!(zh(mobile("+86--13800138000")).starts_with("分隔符"));
        assert_eq!(zh(mobile("13800138000-")), "号码不能以分隔符结尾");
        assert_eq!(zh(mobile("138.0013.8000")), "含有不允许的字符「.」");
        assert_eq!(
            zh(mobile("１３８００１３８０００")),
            "含有不允许的字符「１」"
        );
        assert_eq!(zh(mobile("\u{1b}[2J")), "含有不允许的字符「U+001B」");
        assert!(zh(mobile(&"1".repeat(10_000))).contains("实际 10000 位"));
    }

    #[test]
    fn landlines() {
        for ok in [
            "010-62345678",
            "0755-6234567",
            "028-86751234",
            "(010)62345678",
            "（0755）62345678",
            "(010)-62345678",
            "01062345678",
            "07556234567",
            "075562345678",
            "62345678",
            "2345678",
            "010-62345678-123",
            "010-62345678转123",
            "62345678转8001",
            "(010)62345678-1",
        ] {
            assert_eq!(landline(ok), Ok(()), "{ok}");
        }

        assert_eq!(
            zh(landline("10-12345678")),
            "电话号码应为 7–8 位数字，实际 2 位"
        );
        assert_eq!(
            zh(landline("01-12345678")),
            "区号「01」应为 0 加 2–3 位数字"
        );
        assert_eq!(
            en(landline("(01234)12345678")),
            "area code '01234' should be 0 and 2–3 digits"
        );
        assert_eq!(
            zh(landline("010-6234567890")),
            "电话号码应为 7–8 位数字，实际 10 位"
        );
        assert_eq!(zh(landline("010-02345678")), "电话号码应以 2–9 开头");
        assert_eq!(zh(landline("010-12345678")), "电话号码应以 2–9 开头");
        assert_eq!(zh(landline("12345")), "电话号码应为 7–8 位数字，实际 5 位");
        assert_eq!(zh(landline("010-62345678-")), "分机号「」应为 1–6 位数字");
        assert_eq!(
            zh(landline("010-62345678转1234567")),
            "分机号「1234567」应为 1–6 位数字"
        );
        assert_eq!(zh(landline("010-62345678-1转2")), "只能有一个分机号");
        assert_eq!(zh(landline("(010 62345678")), "区号的括号不成对");
        assert!(zh(landline("0101234")).starts_with("无法分出区号"));
        assert!(zh(landline("01001345678")).starts_with("无法分出区号"));
        assert_eq!(
            zh(landline("010  62345678")),
            "分隔符（空格或 -）只能出现在数字之间，且不能连用"
        );
        assert_eq!(
            zh(landline(" 010-62345678")),
            "分隔符（空格或 -）只能出现在数字之间，且不能连用"
        );
        assert_eq!(
            zh(landline("010-62345678 ")),
            "分隔符（空格或 -）只能出现在数字之间，且不能连用"
        );
        assert_eq!(zh(landline("+85228861234")), "只接受国际区号 +86");
        assert_eq!(
            zh(landline("+86-10-6234567890")),
            "电话号码应为 7–8 位数字，实际 10 位"
        );
        assert_eq!(zh(landline("010 1234567")), "电话号码应以 2–9 开头");
        assert_eq!(zh(landline("０１０-12345678")), "含有不允许的字符「０」");
        assert!(landline("\u{1b}[2J").is_err());
        assert!(landline(&"转".repeat(10_000)).is_err());
        assert!(landline(&"(".repeat(10_000)).is_err());
    }

    /// Spaces and the country code, as `mobile` takes them (QA round 5).
    #[test]
    fn landlines_with_spaces_and_country_code() {
        for ok in [
            "028 86123456",
            "028 8612 3456",
            "(028) 86123456",
            "0755 6234567-123",
            "+86-28-86123456",
            "+86 28 86123456",
            "+862886123456",
            "+86 10 6234 5678",
            "0086 28 86123456",
            "0086-28-86123456",
            "+86 028 86123456",
            "8612 3456",
        ] {
            assert_eq!(landline(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "zhangsan@example.com",
            "zhang.san+tag@mail.example.com.cn",
            "a@b.co",
            "o'brien@x-y.org",
            "user@example.xn--fiqs8s",
        ] {
            assert_eq!(email(ok), Ok(()), "{ok}");
        }
        assert_eq!(zh(email("zhangsan.example.com")), "邮箱应恰好含一个 @");
        assert_eq!(zh(email("a@b@example.com")), "邮箱应恰好含一个 @");
        assert_eq!(
            en(email("zhang san@example.com")),
            "an email address cannot contain white space or controls (U+0020)"
        );
        assert_eq!(
            zh(email("张三@example.com")),
            "邮箱只能用 ASCII 字符，不能含「张」"
        );
        assert_eq!(
            zh(email("@example.com")),
            "@ 前的用户名应为 1–64 个字符，实际 0 个"
        );
        assert!(zh(email(&format!("{}@example.com", "a".repeat(65)))).contains("实际 65 个"));
        assert_eq!(zh(email("a(b)@example.com")), "@ 前的用户名不能含「(」");
        assert!(zh(email(".a@example.com")).contains("不能以点开头或结尾"));
        assert!(zh(email("a..b@example.com")).contains("连续的点"));
        assert_eq!(zh(email("a@localhost")), "域名应含点，如 example.com");
        assert!(zh(email("a@example..com")).contains("不能有空段"));
        assert!(zh(email("a@.example.com")).contains("不能有空段"));
        assert_eq!(
            zh(email("a@-example.com")),
            "域名段「-example」不能以 - 开头或结尾"
        );
        assert_eq!(
            en(email("a@example-.com")),
            "domain part 'example-' cannot start or end with -"
        );
        assert_eq!(zh(email("a@exa_mple.com")), "域名不能含「_」");
        assert_eq!(zh(email("a@example.c")), "顶级域名「c」无效");
        assert_eq!(zh(email("a@127.0.0.1")), "顶级域名「1」无效");
        assert!(zh(email(&format!("a@{}.com", "b".repeat(64)))).contains("1–63"));
        assert!(zh(email(&format!("a@{}com", "b.".repeat(130)))).contains("253"));
        assert!(zh(email("\u{1b}[2J")).contains("U+001B"));
        assert!(email(&"@".repeat(10_000)).is_err());
    }
}
