//! 数字: plain decimal numbers, with optional range and decimal places.
//!
//! A value that is not a plain decimal is refused with what is wrong with it when that is
//! one of the usual slips (full-width characters typed by a Chinese input method, thousands
//! separators, an exponent, a bare decimal point) and the value as it should be typed, or an
//! example that fits: a non-negative one where negatives are refused.

use super::{Rejection, quote};

/// 数字: an optional sign, digits, optionally `.` and digits (`-12.5`, `+3`, `007`); no
/// exponent, no thousands separators, no bare `.5` or `5.`.
pub(crate) fn number(value: &str) -> Result<(), Rejection> {
    validate_number(value, None, None, None)
}

/// A number measured in `unit`: when the unit never goes below zero (see
/// [`super::never_negative`]), a negative value is refused, and a value that is not a number
/// is answered with a non-negative example.
pub(crate) fn quantity(value: &str, unit: Option<&str>) -> Result<(), Rejection> {
    let refusal = unit.filter(|u| super::never_negative(u)).map(negative_in);
    decimals(value, refusal.as_ref())?;
    match refusal {
        // `-0` is zero
        Some(r) if value.parse::<f64>().is_ok_and(|n| n < 0.0) => Err(r),
        _ => Ok(()),
    }
}

/// "a quantity in `unit` cannot be negative".
fn negative_in(unit: &str) -> Rejection {
    let unit = quote(unit.trim());
    Rejection::new(
        format!("以「{unit}」计的数量不能为负数"),
        format!("a quantity in {unit} cannot be negative"),
    )
}

/// Whether `value` is a well-formed decimal: an optional sign, digits, optionally `.` and
/// digits.
fn is_decimal(value: &str) -> bool {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// The number of decimal places of a well-formed decimal, or why it is not one; `negative`
/// is the refusal a negative value would get, if any (the example offered then is not
/// negative).
fn decimals(value: &str, negative: Option<&Rejection>) -> Result<usize, Rejection> {
    if is_decimal(value) {
        let places = value.split_once('.').map_or(0, |(_, frac)| frac.len());
        Ok(places)
    } else {
        Err(not_a_number(value, negative))
    }
}

/// A half-width character for a full-width one, or a minus sign for a look-alike.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        // minus sign, en dash: what a word processor or an input method puts for `-`
        '\u{2212}' | '\u{2013}' => '-',
        '\u{3002}' => '.',
        _ => c,
    }
}

/// One slip that keeps a value from being a plain decimal, and how to say it.
struct Slip {
    zh: String,
    en: String,
}

/// What is wrong with a value that is not a number: the usual slips found (each undone in
/// turn), then the value as it should be typed if undoing them gives one, else an example
/// (non-negative where `negative` refuses negatives).
fn not_a_number(value: &str, negative: Option<&Rejection>) -> Rejection {
    let shown = quote(value);
    let mut slips: Vec<Slip> = Vec::new();
    let mut fixed: String = value.chars().map(half_width).collect();
    if fixed != value {
        let mut wide: Vec<char> = Vec::new();
        for c in value.chars().filter(|&c| half_width(c) != c) {
            if !wide.contains(&c) {
                wide.push(c);
            }
        }
        let listed = quote(&wide.iter().take(3).collect::<String>());
        slips.push(if wide.iter().all(|&c| half_width(c) == '-') {
            Slip {
                zh: format!("「{listed}」不是半角负号，请用「-」"),
                en: format!("'{listed}' is not a half-width minus: type '-'"),
            }
        } else {
            Slip {
                zh: format!("「{listed}」是全角字符，请用半角"),
                en: format!("'{listed}' are full-width characters: type them half-width"),
            }
        });
    }
    if fixed.contains([',', '，']) {
        let kept: String = fixed.chars().filter(|c| !matches!(c, ',' | '，')).collect();
        fixed = kept;
        slips.push(Slip {
            zh: "不要用千位分隔符".into(),
            en: "leave out thousands separators".into(),
        });
    }
    if let Some((mantissa, exponent)) = fixed.split_once(['e', 'E'])
        && is_decimal(mantissa)
        && let Some(written) = written_out(mantissa, exponent)
    {
        fixed = written;
        slips.push(Slip {
            zh: "不要用科学计数法".into(),
            en: "write it out, without an exponent".into(),
        });
    }
    let (sign, unsigned) = match fixed.strip_prefix(['+', '-']) {
        Some(rest) => (&fixed[..1], rest),
        None => ("", fixed.as_str()),
    };
    if unsigned.starts_with('.') && is_decimal(&format!("0{unsigned}")) {
        fixed = format!("{sign}0{unsigned}");
        slips.push(Slip {
            zh: "小数点前应有数字".into(),
            en: "a digit should come before the decimal point".into(),
        });
    } else if let Some(int) = unsigned.strip_suffix('.')
        && is_decimal(int)
    {
        fixed = format!("{sign}{int}");
        slips.push(Slip {
            zh: "小数点后应有数字".into(),
            en: "a digit should follow the decimal point".into(),
        });
    }
    let fixed_is_negative = fixed.parse::<f64>().is_ok_and(|n| n < 0.0);
    match negative {
        _ if slips.is_empty() || !is_decimal(&fixed) => {
            let example = if negative.is_some() { "12.5" } else { "-12.5" };
            Rejection::new(
                format!("「{shown}」不是数字（应如 {example}）"),
                format!("'{shown}' is not a number (e.g. {example})"),
            )
        }
        // as it should be typed it would still be refused: say both
        Some(refusal) if fixed_is_negative => {
            let zh: Vec<&str> = slips.iter().map(|s| s.zh.as_str()).collect();
            let en: Vec<&str> = slips.iter().map(|s| s.en.as_str()).collect();
            Rejection::new(
                format!(
                    "「{shown}」不是数字：{}；且{}",
                    zh.join("，"),
                    refusal.message(crate::i18n::Lang::Zh)
                ),
                format!(
                    "'{shown}' is not a number: {}; and {}",
                    en.join("; "),
                    refusal.message(crate::i18n::Lang::En)
                ),
            )
        }
        _ => {
            let zh: Vec<&str> = slips.iter().map(|s| s.zh.as_str()).collect();
            let en: Vec<&str> = slips.iter().map(|s| s.en.as_str()).collect();
            let fixed = quote(&fixed);
            Rejection::new(
                format!("「{shown}」不是数字：{}（应如 {fixed}）", zh.join("，")),
                format!(
                    "'{shown}' is not a number: {} (e.g. {fixed})",
                    en.join("; ")
                ),
            )
        }
    }
}

/// `mantissa` × 10^`exponent` written out as a plain decimal (`1e3` → `1000`, `2.5E-2` →
/// `0.025`), for exponents up to 15 either way; `None` when the exponent is not one.
fn written_out(mantissa: &str, exponent: &str) -> Option<String> {
    let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let power: i32 = exponent.parse().ok()?;
    if power.abs() > 15 {
        return None;
    }
    let n: f64 = format!("{mantissa}e{power}").parse().ok()?;
    // Display never uses an exponent; -0 stays as typed
    n.is_finite().then(|| n.to_string())
}

/// Validates a decimal number (as the `number` kind) and, when given, that it lies in
/// `min..=max` and has at most `max_decimals` decimal places. A value that is not a number
/// is answered with an example that fits (a non-negative one when `min` is not below zero).
pub fn validate_number(
    value: &str,
    min: Option<f64>,
    max: Option<f64>,
    max_decimals: Option<u32>,
) -> Result<(), Rejection> {
    let below = |min: f64| {
        Rejection::new(
            format!("应不小于 {min}"),
            format!("should be at least {min}"),
        )
    };
    let refusal = min.filter(|m| *m >= 0.0).map(below);
    let places = decimals(value, refusal.as_ref())?;
    if let Some(limit) = max_decimals
        && places > usize::try_from(limit).unwrap_or(usize::MAX)
    {
        return Err(Rejection::new(
            format!("小数位数应不超过 {limit} 位，实际 {places} 位"),
            format!("should have at most {limit} decimal places, got {places}"),
        ));
    }
    // a well-formed decimal always parses (very long ones to ±inf)
    let n: f64 = value.parse().map_err(|_| {
        Rejection::new(
            format!("「{}」不是数字", quote(value)),
            format!("'{}' is not a number", quote(value)),
        )
    })?;
    if let Some(min) = min
        && n < min
    {
        return Err(below(min));
    }
    if let Some(max) = max
        && n > max
    {
        return Err(Rejection::new(
            format!("应不大于 {max}"),
            format!("should be at most {max}"),
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

    #[test]
    fn numbers() {
        for ok in [
            "0",
            "-12.5",
            "+3",
            "007",
            "3.14",
            "-0.0",
            "123456789012345678901234567890",
        ] {
            assert_eq!(number(ok), Ok(()), "{ok}");
        }
        for bad in [
            ".5",
            "5.",
            "1e5",
            "1,000",
            "--1",
            "+",
            "-",
            "1.2.3",
            "１２３",
            "0x10",
            "NaN",
            "inf",
            "\u{1b}[2J",
            "",
        ] {
            assert!(zh(number(bad)).contains("不是数字"), "{bad}");
        }
        assert_eq!(
            zh(number("1e5")),
            "「1e5」不是数字：不要用科学计数法（应如 100000）"
        );
        assert_eq!(
            number("abc").expect_err("not a number").message(Lang::En),
            "'abc' is not a number (e.g. -12.5)"
        );
        assert!(number(&"9".repeat(10_000)).is_ok());
    }

    #[test]
    fn ranges_and_decimals() {
        assert_eq!(validate_number("5", Some(0.0), Some(10.0), Some(0)), Ok(()));
        assert_eq!(validate_number("0", Some(0.0), Some(10.0), None), Ok(()));
        assert_eq!(
            validate_number("10.00", Some(0.0), Some(10.0), Some(2)),
            Ok(())
        );
        assert_eq!(
            zh(validate_number("-1", Some(0.0), None, None)),
            "应不小于 0"
        );
        assert_eq!(
            validate_number("10.5", None, Some(10.0), None)
                .expect_err("too big")
                .message(Lang::En),
            "should be at most 10"
        );
        assert_eq!(
            zh(validate_number("1.234", None, None, Some(2))),
            "小数位数应不超过 2 位，实际 3 位"
        );
        assert_eq!(
            zh(validate_number("1.5", None, None, Some(0))),
            "小数位数应不超过 0 位，实际 1 位"
        );
        assert_eq!(
            zh(validate_number("0.5", Some(0.75), None, None)),
            "应不小于 0.75"
        );
        assert!(validate_number(&"9".repeat(10_000), None, Some(1e300), None).is_err());
        assert!(zh(validate_number("x", Some(0.0), None, None)).contains("不是数字"));
    }

    #[test]
    fn the_usual_slips_are_named_with_the_value_as_it_should_be_typed() {
        for (typed, said) in [
            ("1,000", "「1,000」不是数字：不要用千位分隔符（应如 1000）"),
            (
                "1，000.5",
                "「1，000.5」不是数字：「，」是全角字符，请用半角，不要用千位分隔符（应如 1000.5）",
            ),
            (".5", "「.5」不是数字：小数点前应有数字（应如 0.5）"),
            ("-.5", "「-.5」不是数字：小数点前应有数字（应如 -0.5）"),
            ("5.", "「5.」不是数字：小数点后应有数字（应如 5）"),
            ("1e3", "「1e3」不是数字：不要用科学计数法（应如 1000）"),
            (
                "2.5E-2",
                "「2.5E-2」不是数字：不要用科学计数法（应如 0.025）",
            ),
            (
                "１２３",
                "「１２３」不是数字：「１２３」是全角字符，请用半角（应如 123）",
            ),
            (
                "－5",
                "「－5」不是数字：「－」不是半角负号，请用「-」（应如 -5）",
            ),
            (
                "\u{2212}5",
                "「\u{2212}5」不是数字：「\u{2212}」不是半角负号，请用「-」（应如 -5）",
            ),
            // not one of the usual slips: an example
            ("1e99", "「1e99」不是数字（应如 -12.5）"),
            ("1.2.3", "「1.2.3」不是数字（应如 -12.5）"),
            ("ａｂｃ", "「ａｂｃ」不是数字（应如 -12.5）"),
        ] {
            assert_eq!(zh(number(typed)), said, "{typed}");
        }
        assert_eq!(
            number("1,000").expect_err("separators").message(Lang::En),
            "'1,000' is not a number: leave out thousands separators (e.g. 1000)"
        );
    }

    #[test]
    fn where_negatives_are_refused_the_example_is_not_negative() {
        // the tester's DE000034 注册资本 in 万元, typed with a full-width minus
        assert_eq!(
            zh(quantity("－5", Some("万元"))),
            "「－5」不是数字：「－」不是半角负号，请用「-」；且以「万元」计的数量不能为负数"
        );
        assert_eq!(
            quantity("－5", Some("万元"))
                .expect_err("refused")
                .message(Lang::En),
            "'－5' is not a number: '－' is not a half-width minus: type '-'; \
             and a quantity in 万元 cannot be negative"
        );
        assert_eq!(
            zh(quantity("abc", Some("万元"))),
            "「abc」不是数字（应如 12.5）"
        );
        assert_eq!(
            zh(quantity("1,000", Some("万元"))),
            "「1,000」不是数字：不要用千位分隔符（应如 1000）"
        );
        assert_eq!(
            zh(quantity("-5", Some("万元"))),
            "以「万元」计的数量不能为负数"
        );
        assert_eq!(quantity("-5", Some("℃")), Ok(()));
        assert_eq!(
            zh(quantity("abc", Some("℃"))),
            "「abc」不是数字（应如 -12.5）"
        );
        assert_eq!(zh(quantity("abc", None)), "「abc」不是数字（应如 -12.5）");
        // a range that starts at zero refuses negatives too
        assert_eq!(
            zh(validate_number("x", Some(0.0), None, None)),
            "「x」不是数字（应如 12.5）"
        );
        assert_eq!(
            zh(validate_number("-.5", Some(0.0), None, None)),
            "「-.5」不是数字：小数点前应有数字；且应不小于 0"
        );
    }
}
