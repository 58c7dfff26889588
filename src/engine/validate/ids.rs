//! Identity documents: 身份证号码 (GB 11643), 香港、澳门、台湾身份证, passports.

use super::dates::{Ymd, today};
use super::{Rejection, bad_char, show, wrong_check, wrong_length};

/// Province-level codes of GB/T 2260 (two leading digits of an administrative division
/// code), plus 83: the 港澳台居民居住证 issued since 2018 are GB 11643 numbers starting
/// 810000 / 820000 / 830000, so 83 (Taiwan residents) is accepted beside 71.
pub(crate) const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, // 北京 天津 河北 山西 内蒙古
    21, 22, 23, // 辽宁 吉林 黑龙江
    31, 32, 33, 34, 35, 36, 37, // 上海 江苏 浙江 安徽 福建 江西 山东
    41, 42, 43, 44, 45, 46, // 河南 湖北 湖南 广东 广西 海南
    50, 51, 52, 53, 54, // 重庆 四川 贵州 云南 西藏
    61, 62, 63, 64, 65, // 陕西 甘肃 青海 宁夏 新疆
    71, 81, 82, 83, // 台湾 香港 澳门 (居住证: 台湾)
];

/// ISO 7064 MOD 11-2 weights of the 17 body digits.
const CN_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character by weighted sum mod 11.
const CN_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character of 17 body digits.
pub(crate) fn cn_check(body: &[u32; 17]) -> char {
    let sum: u32 = body.iter().zip(CN_WEIGHTS).map(|(d, w)| d * w).sum();
    CN_CHECK[(sum % 11) as usize]
}

/// 身份证号码 (GB 11643), with the birth date compared to today (UTC+8).
pub(crate) fn cn_id(value: &str) -> Result<(), Rejection> {
    cn_id_on(value, today())
}

/// 身份证号码: 17 digits (province, area, birth date YYYYMMDD, sequence) and a check
/// character 0–9 or X (x is read as X); the birth date is a real day from 1900 up to `today`.
pub(crate) fn cn_id_on(value: &str, today: Ymd) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 18 {
        return Err(wrong_length("18", chars.len()));
    }
    let mut body = [0u32; 17];
    for (i, (slot, &c)) in body.iter_mut().zip(&chars).enumerate() {
        *slot = digit(c).ok_or_else(|| bad_char(i + 1, c, "应为数字", "should be a digit"))?;
    }
    let typed = chars[17];
    // applicants type x: it is read as X (and kept as X, see `super::normalize_kind`)
    let check = if typed == 'x' { 'X' } else { typed };
    if !(check.is_ascii_digit() || check == 'X') {
        return Err(bad_char(
            18,
            check,
            "应为数字或 X",
            "should be a digit or X",
        ));
    }
    let province = body[0] * 10 + body[1];
    if !PROVINCES.contains(&province) {
        return Err(Rejection::new(
            format!("省级行政区划代码 {province:02} 不存在"),
            format!("province code {province:02} does not exist"),
        ));
    }
    let birth: String = chars[6..14].iter().collect();
    let number = |digits: &[u32]| digits.iter().fold(0, |n, d| n * 10 + d);
    let (year, month, day) = (
        number(&body[6..10]),
        number(&body[10..12]),
        number(&body[12..14]),
    );
    if year < 1900 {
        return Err(Rejection::new(
            format!("出生年份 {year} 早于 1900"),
            format!("birth year {year} is before 1900"),
        ));
    }
    let Some(born) = Ymd::new(year, month, day) else {
        return Err(Rejection::new(
            format!("出生日期 {birth} 不存在"),
            format!("birth date {birth} does not exist"),
        ));
    };
    if born > today {
        return Err(Rejection::new(
            format!("出生日期 {birth} 晚于今天"),
            format!("birth date {birth} is in the future"),
        ));
    }
    let expected = cn_check(&body);
    if check != expected {
        return Err(wrong_check(expected, typed));
    }
    Ok(())
}

/// An ASCII digit's value (full-width digits are not digits here).
fn digit(c: char) -> Option<u32> {
    c.is_ascii_digit().then(|| u32::from(c) - u32::from('0'))
}

/// A capital letter's value A=10 … Z=35.
fn letter_value(c: char) -> Option<u32> {
    c.is_ascii_uppercase()
        .then(|| u32::from(c) - u32::from('A') + 10)
}

/// The first lower-case ASCII letter, as "should be upper case".
fn lower_case(chars: &[char]) -> Result<(), Rejection> {
    match chars.iter().position(char::is_ascii_lowercase) {
        Some(i) => Err(bad_char(i + 1, chars[i], "应大写", "should be upper case")),
        None => Ok(()),
    }
}

/// The 香港身份证 check character of 8 position values (a one-letter prefix is padded
/// with the space value 36): weights 9..2, check = 11 − (sum mod 11), 10 → A, 11 → 0.
pub(crate) fn hk_check(values: &[u32; 8]) -> char {
    let sum: u32 = values.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
    match 11 - sum % 11 {
        11 => '0',
        10 => 'A',
        d => char::from_digit(d, 10).unwrap_or('?'),
    }
}

fn hk_format() -> Rejection {
    Rejection::new(
        "香港身份证格式应为 1–2 个字母 + 6 位数字 + 校验位（可加括号），如 A123456(3)",
        "a Hong Kong identity card number should be 1–2 letters + 6 digits + a check character \
         (brackets optional), e.g. A123456(3)",
    )
}

/// 香港身份证: `A123456(3)` or `A1234563`, two-letter prefixes too (`AB987654(3)`).
pub(crate) fn hk_id(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    lower_case(&chars)?;
    let (body, check) = match chars.as_slice() {
        [body @ .., '(', check, ')'] => (body, *check),
        [body @ .., check] => (body, *check),
        [] => return Err(hk_format()),
    };
    let letters = body.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = &body[letters..];
    if !(1..=2).contains(&letters) || digits.len() != 6 || !digits.iter().all(char::is_ascii_digit)
    {
        return Err(hk_format());
    }
    if !(check.is_ascii_digit() || check == 'A') {
        let c = show(check);
        return Err(Rejection::new(
            format!("校验位「{c}」应为数字或 A"),
            format!("check character '{c}' should be a digit or A"),
        ));
    }
    let mut values = [36u32; 8];
    for (slot, &c) in values[8 - body.len()..].iter_mut().zip(body) {
        *slot = letter_value(c).or_else(|| digit(c)).unwrap_or(0);
    }
    let expected = hk_check(&values);
    if check != expected {
        return Err(wrong_check(expected, check));
    }
    Ok(())
}

/// 澳门身份证: first digit 1, 5 or 7, six digits, one digit (bracketed or not). Macao
/// publishes no check algorithm, so only the form is checked.
pub(crate) fn mo_id(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    let digits: Vec<char> = match chars.as_slice() {
        [head @ .., '(', last, ')'] => head.iter().chain([last]).copied().collect(),
        _ => chars,
    };
    if digits.len() != 8 || !digits.iter().all(char::is_ascii_digit) {
        return Err(Rejection::new(
            "澳门身份证格式应为 7 位数字 + 1 位数字（可加括号），如 1234567(8)",
            "a Macao identity card number should be 7 digits + 1 digit (brackets optional), \
             e.g. 1234567(8)",
        ));
    }
    if !matches!(digits[0], '1' | '5' | '7') {
        return Err(Rejection::new(
            format!("首位应为 1、5 或 7，而不是 {}", digits[0]),
            format!("the first digit should be 1, 5 or 7, not {}", digits[0]),
        ));
    }
    Ok(())
}

/// Values of the 台湾身份证 first letter, A..Z.
const TW_LETTERS: [u32; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
    31, 33,
];

/// Weights of the letter's two digits and the nine digits after it.
const TW_WEIGHTS: [u32; 11] = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];

/// The 台湾身份证 value of a capital letter.
pub(crate) fn tw_letter(c: char) -> Option<u32> {
    letter_value(c).map(|v| TW_LETTERS[(v - 10) as usize])
}

/// The weighted sum of the letter value and the nine digits; valid iff ≡ 0 (mod 10).
pub(crate) fn tw_sum(letter: u32, digits: &[u32; 9]) -> u32 {
    [letter / 10, letter % 10]
        .iter()
        .chain(digits)
        .zip(TW_WEIGHTS)
        .map(|(d, w)| d * w)
        .sum()
}

/// 台湾身份证: a capital letter, 1 or 2, eight digits; weighted sum ≡ 0 (mod 10).
pub(crate) fn tw_id(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 10 {
        return Err(wrong_length("10", chars.len()));
    }
    lower_case(&chars)?;
    let letter = tw_letter(chars[0])
        .ok_or_else(|| bad_char(1, chars[0], "应为英文字母", "should be a letter"))?;
    let mut digits = [0u32; 9];
    for (i, (slot, &c)) in digits.iter_mut().zip(&chars[1..]).enumerate() {
        *slot = digit(c).ok_or_else(|| bad_char(i + 2, c, "应为数字", "should be a digit"))?;
    }
    if !matches!(chars[1], '1' | '2') {
        return Err(bad_char(2, chars[1], "应为 1 或 2", "should be 1 or 2"));
    }
    let sum = tw_sum(letter, &digits);
    if !sum.is_multiple_of(10) {
        let expected = (digits[8] + 10 - sum % 10) % 10;
        let expected = char::from_digit(expected, 10).unwrap_or('?');
        return Err(wrong_check(expected, chars[9]));
    }
    Ok(())
}

/// 外国护照: the ICAO 9303 document number, 1–9 capital letters and digits with at least
/// one digit.
pub(crate) fn passport_foreign(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() > 9 {
        return Err(wrong_length("1–9", chars.len()));
    }
    lower_case(&chars)?;
    if let Some(i) = chars
        .iter()
        .position(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
    {
        return Err(bad_char(
            i + 1,
            chars[i],
            "不允许（只能是字母和数字）",
            "is not allowed (letters and digits only)",
        ));
    }
    if !chars.iter().any(char::is_ascii_digit) {
        return Err(Rejection::new(
            "护照号码应至少含一位数字",
            "a passport number should contain at least one digit",
        ));
    }
    Ok(())
}

/// 其他护照 (Chinese passports): E + 8 digits, E + letter + 7 digits, G + 8 digits, or
/// D/S/P + 7 digits.
pub(crate) fn passport_other(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    lower_case(&chars)?;
    let all_digits = |s: &[char]| s.iter().all(char::is_ascii_digit);
    let (ok, zh, en) = match chars.as_slice() {
        ['E', rest @ ..] => (
            rest.len() == 8
                && (all_digits(rest) || (rest[0].is_ascii_uppercase() && all_digits(&rest[1..]))),
            "E 加 8 位数字，或 E 加 1 个字母加 7 位数字",
            "E + 8 digits, or E + a letter + 7 digits",
        ),
        ['G', rest @ ..] => (
            rest.len() == 8 && all_digits(rest),
            "G 加 8 位数字",
            "G + 8 digits",
        ),
        [first @ ('D' | 'S' | 'P'), rest @ ..] => {
            let ok = rest.len() == 7 && all_digits(rest);
            let (zh, en) = match first {
                'D' => ("D 加 7 位数字", "D + 7 digits"),
                'S' => ("S 加 7 位数字", "S + 7 digits"),
                _ => ("P 加 7 位数字", "P + 7 digits"),
            };
            (ok, zh, en)
        }
        [first, ..] => {
            return Err(bad_char(
                1,
                *first,
                "应为 E、G、D、S 或 P",
                "should be E, G, D, S or P",
            ));
        }
        [] => return Err(wrong_length("8–9", 0)),
    };
    if ok {
        Ok(())
    } else {
        let first = chars[0];
        Err(Rejection::new(
            format!("{first} 开头的护照号码应为 {zh}"),
            format!("a passport number starting with {first} should be {en}"),
        ))
    }
}

#[cfg(test)]
mod tests;
