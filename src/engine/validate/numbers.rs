//! 数字: plain decimal numbers, with optional range and decimal places.

use super::{Rejection, quote};

/// 数字: an optional sign, digits, optionally `.` and digits (`-12.5`, `+3`, `007`); no
/// exponent, no thousands separators, no bare `.5` or `5.`.
pub(crate) fn number(value: &str) -> Result<(), Rejection> {
    validate_number(value, None, None, None)
}

/// The number of decimal places of a well-formed decimal, or why it is not one.
fn decimals(value: &str) -> Result<usize, Rejection> {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(int) && frac.is_none_or(digits) {
        Ok(frac.map_or(0, str::len))
    } else {
        Err(Rejection::new(
            format!("「{}」不是数字（应如 -12.5）", quote(value)),
            format!("'{}' is not a number (e.g. -12.5)", quote(value)),
        ))
    }
}

/// Validates a decimal number (as the `number` kind) and, when given, that it lies in
/// `min..=max` and has at most `max_decimals` decimal places.
pub fn validate_number(
    value: &str,
    min: Option<f64>,
    max: Option<f64>,
    max_decimals: Option<u32>,
) -> Result<(), Rejection> {
    let places = decimals(value)?;
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
        return Err(Rejection::new(
            format!("应不小于 {min}"),
            format!("should be at least {min}"),
        ));
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

/// A well-formed number measured in `unit`, which counts or measures something (see
/// [`super::never_negative`]), must not be below zero (`-0` is zero).
pub(crate) fn not_negative(value: &str, unit: &str) -> Result<(), Rejection> {
    let negative = value.parse::<f64>().is_ok_and(|n| n < 0.0);
    if negative {
        let unit = quote(unit.trim());
        Err(Rejection::new(
            format!("以「{unit}」计的数量不能为负数"),
            format!("a quantity in {unit} cannot be negative"),
        ))
    } else {
        Ok(())
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
        assert_eq!(zh(number("1e5")), "「1e5」不是数字（应如 -12.5）");
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
}
