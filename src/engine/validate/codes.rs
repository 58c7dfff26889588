//! 统一社会信用代码 (GB 32100).

use super::{Rejection, bad_char, wrong_check, wrong_length};

/// The 31 characters of the code, in value order (no I, O, S, V, Z).
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the 17 body characters (3^i mod 31).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A character's value 0..=30, if the code uses it.
fn value_of(c: char) -> Option<u32> {
    USCC_ALPHABET
        .chars()
        .position(|a| a == c)
        .and_then(|i| u32::try_from(i).ok())
}

/// The check character of 17 body values: 31 − (weighted sum mod 31), 31 → 0.
pub(crate) fn uscc_check(body: &[u32; 17]) -> char {
    let sum: u32 = body.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize).unwrap_or('?')
}

/// 统一社会信用代码: 18 characters of [`USCC_ALPHABET`], the last one the MOD 31 check.
pub(crate) fn uscc(value: &str) -> Result<(), Rejection> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 18 {
        return Err(wrong_length("18", chars.len()));
    }
    let mut values = [0u32; 18];
    for (i, (slot, &c)) in values.iter_mut().zip(&chars).enumerate() {
        *slot = value_of(c).ok_or_else(|| {
            let (zh, en) = if value_of(c.to_ascii_uppercase()).is_some() {
                ("应大写", "should be upper case")
            } else if matches!(c.to_ascii_uppercase(), 'I' | 'O' | 'S' | 'V' | 'Z') {
                (
                    "不允许（统一社会信用代码不使用 I、O、S、V、Z）",
                    "is not allowed (the code does not use I, O, S, V, Z)",
                )
            } else {
                ("不允许", "is not allowed")
            };
            bad_char(i + 1, c, zh, en)
        })?;
    }
    let mut body = [0u32; 17];
    body.copy_from_slice(&values[..17]);
    let expected = uscc_check(&body);
    if chars[17] != expected {
        return Err(wrong_check(expected, chars[17]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::i18n::Lang;

    fn zh(r: Result<(), Rejection>) -> String {
        r.expect_err("should be rejected").message(Lang::Zh)
    }

    #[test]
    fn vectors() {
        assert_eq!(uscc("92141127MA0KD1Y64A"), Ok(()));
        assert_eq!(zh(uscc("91110000600037341N")), "校验位应为 L，而不是 N");
        assert_eq!(
            uscc("91110000600037341N")
                .expect_err("wrong check")
                .message(Lang::En),
            "check character should be L, not N"
        );
        assert_eq!(uscc("91110000600037341L"), Ok(()));
        // a check value of 0 (31 − 0 → 0)
        assert_eq!(uscc("915101000000000250"), Ok(()));
        assert_eq!(zh(uscc("915101000000000251")), "校验位应为 0，而不是 1");
    }

    #[test]
    fn reasons() {
        assert_eq!(
            zh(uscc("92141127MA0KD1Y64I")),
            "第 18 位「I」不允许（统一社会信用代码不使用 I、O、S、V、Z）"
        );
        assert_eq!(
            uscc("9214112OMA0KD1Y64A").expect_err("O").message(Lang::En),
            "character 'O' at position 8 is not allowed (the code does not use I, O, S, V, Z)"
        );
        assert_eq!(zh(uscc("92141127ma0kd1y64a")), "第 9 位「m」应大写");
        assert_eq!(zh(uscc("92141127mA0KD1Y64A")), "第 9 位「m」应大写");
        assert_eq!(
            zh(uscc("92141127sA0KD1Y64A")),
            "第 9 位「s」不允许（统一社会信用代码不使用 I、O、S、V、Z）"
        );
        assert_eq!(zh(uscc("92141127-A0KD1Y64A")), "第 9 位「-」不允许");
        assert_eq!(zh(uscc("92141127ＭA0KD1Y64A")), "第 9 位「Ｍ」不允许");
        assert_eq!(
            zh(uscc("92141127\u{1b}A0KD1Y64A")),
            "第 9 位「U+001B」不允许"
        );
        assert_eq!(zh(uscc("92141127MA0KD1Y64")), "应为 18 位，实际 17 位");
        assert_eq!(zh(uscc(&"9".repeat(10_000))), "应为 18 位，实际 10000 位");
    }

    fn uscc_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(0u32..31, 17).prop_map(|values| {
            let mut body = [0u32; 17];
            body.copy_from_slice(&values);
            let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
            let mut code: String = values.iter().map(|&v| alphabet[v as usize]).collect();
            code.push(uscc_check(&body));
            code
        })
    }

    proptest! {
        #[test]
        fn generated_valid(code in uscc_strategy()) {
            prop_assert_eq!(uscc(&code), Ok(()));
        }

        /// 31 is prime and no weight is 0 mod 31, so any change of one body character to
        /// another allowed one (difference 1..30) moves the sum; the check character is a
        /// bijection of the residue. Every single substitution is caught.
        #[test]
        fn single_substitution_caught(code in uscc_strategy(), pos in 0usize..18, pick in 0usize..30) {
            let mut chars: Vec<char> = code.chars().collect();
            let others: Vec<char> = USCC_ALPHABET.chars().filter(|&c| c != chars[pos]).collect();
            chars[pos] = others[pick];
            let changed: String = chars.into_iter().collect();
            prop_assert!(uscc(&changed).is_err(), "{} → {} accepted", code, changed);
        }
    }
}
