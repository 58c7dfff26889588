//! 统一社会信用代码 (GB 32100) and its embedded 组织机构代码 (GB 11714).
//!
//! Beyond the character set and the check character, the code's parts are checked: the
//! registration-authority code (position 1), the institution type allowed under that
//! authority (position 2) and the province of the region code (positions 3–4).

use super::ids::PROVINCES;
use super::{Rejection, bad_char, wrong_check, wrong_length};

/// The registration-authority codes of GB 32100 (登记管理部门代码).
const AUTHORITIES: &str = "123456789ANY";

/// The institution types (机构类别代码) allowed under an authority. Where the standard's
/// table is certain the list is exact (机构编制 1/2/3/9, 民政 1/2/3/9, 工商 1/2/3,
/// 农业 1/2/3/9, 其他 1); the other authorities accept any type 1–9.
fn types_of(authority: char) -> &'static str {
    match authority {
        '1' | '5' | 'N' => "1239",
        '9' => "123",
        'Y' => "1",
        _ => "123456789",
    }
}

/// The authority's name for messages, Chinese and English.
fn authority_name(authority: char) -> (&'static str, &'static str) {
    match authority {
        '1' => ("机构编制", "establishment administration"),
        '5' => ("民政", "civil affairs"),
        '9' => ("工商", "market regulation"),
        'N' => ("农业", "agriculture"),
        'Y' => ("其他", "other"),
        _ => ("", ""),
    }
}

/// Province-level code 10: central organs (中央) have region code 100000.
const CENTRAL: u32 = 10;

/// GB 11714 weights of the 8 body characters of an organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Whether `value` is a valid 9-character 组织机构代码 (GB 11714): 8 digits or capital
/// letters and a check character, optionally written `XXXXXXXX-X`.
pub(crate) fn is_org_code(value: &str) -> bool {
    let chars: Vec<char> = value.chars().filter(|&c| c != '-').collect();
    let hyphens = value.chars().filter(|&c| c == '-').count();
    if chars.len() != 9 || hyphens > 1 || (hyphens == 1 && value.find('-') != Some(8)) {
        return false;
    }
    let mut sum = 0;
    for (&c, w) in chars[..8].iter().zip(ORG_WEIGHTS) {
        let v = match c {
            '0'..='9' | 'A'..='Z' => c.to_digit(36),
            _ => None,
        };
        let Some(v) = v else { return false };
        sum += v * w;
    }
    let expected = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('?'),
    };
    chars[8] == expected
}

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
        if is_org_code(value) {
            return Err(Rejection::new(
                "这像是 9 位组织机构代码（GB 11714），不是 18 位统一社会信用代码",
                "this looks like a 9-character organisation code (组织机构代码, GB 11714), not an 18-character unified social credit code",
            ));
        }
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
    parts(&chars, &values)
}

/// The authority, the type under it and the region's province (the characters are known
/// to be of the alphabet and the check character right).
fn parts(chars: &[char], values: &[u32; 18]) -> Result<(), Rejection> {
    let authority = chars[0];
    if !AUTHORITIES.contains(authority) {
        return Err(Rejection::new(
            format!("第 1 位登记管理部门代码「{authority}」不存在（应为 1–9、A、N、Y）"),
            format!(
                "registration-authority code '{authority}' (position 1) does not exist (should be 1–9, A, N or Y)"
            ),
        ));
    }
    let kind = chars[1];
    if !types_of(authority).contains(kind) {
        let allowed = types_of(authority);
        let (zh_name, en_name) = authority_name(authority);
        let listed: Vec<String> = allowed.chars().map(String::from).collect();
        return Err(Rejection::new(
            format!(
                "第 2 位机构类别代码「{kind}」在登记管理部门 {authority}（{zh_name}）下不存在（应为 {}）",
                listed.join("、")
            ),
            format!(
                "institution type '{kind}' (position 2) does not exist under registration authority {authority} ({en_name}; should be {})",
                listed.join(", ")
            ),
        ));
    }
    let region: String = chars[2..8].iter().collect();
    let all_digits = chars[2..8].iter().all(char::is_ascii_digit);
    let province = values[2] * 10 + values[3];
    if !all_digits || !(province == CENTRAL || PROVINCES.contains(&province)) {
        return Err(Rejection::new(
            format!("第 3–8 位登记管理机关行政区划码 {region} 不存在（省级代码不对）"),
            format!("region code {region} (positions 3–8) does not exist (no such province)"),
        ));
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

    #[test]
    fn authority_type_and_region() {
        // The tester's inputs: each has a right check character but cannot exist.
        assert_eq!(
            zh(uscc("000000000000000000")),
            "第 1 位登记管理部门代码「0」不存在（应为 1–9、A、N、Y）"
        );
        assert_eq!(
            uscc("B1510100MA61R0XX1E").expect_err("B").message(Lang::En),
            "registration-authority code 'B' (position 1) does not exist (should be 1–9, A, N or Y)"
        );
        assert_eq!(
            zh(uscc("99510100MA61R0XX1P")),
            "第 2 位机构类别代码「9」在登记管理部门 9（工商）下不存在（应为 1、2、3）"
        );
        assert_eq!(
            uscc("99510100MA61R0XX1P")
                .expect_err("99")
                .message(Lang::En),
            "institution type '9' (position 2) does not exist under registration authority 9 (market regulation; should be 1, 2, 3)"
        );
        assert_eq!(
            zh(uscc("91000000MA61R0XX1M")),
            "第 3–8 位登记管理机关行政区划码 000000 不存在（省级代码不对）"
        );
        assert_eq!(
            uscc("91000000MA61R0XX1M")
                .expect_err("000000")
                .message(Lang::En),
            "region code 000000 (positions 3–8) does not exist (no such province)"
        );
        assert!(zh(uscc(&with_check("Y2510100MA61R0XX1"))).starts_with("第 2 位机构类别代码"));
        assert!(zh(uscc(&with_check("1451010000000000X"))).starts_with("第 2 位"));
        assert!(zh(uscc(&with_check("91A10100MA61R0XX1"))).starts_with("第 3–8 位"));
        // Valid combinations: central organs (100000), 民政, 农业, other authorities.
        for body in [
            "1110000000001312",
            "5351010050000000",
            "N251010050000000",
            "Y151010050000000",
            "A151010050000000",
            "3451010050000000",
        ] {
            let code = with_check(&format!("{body}0"));
            assert_eq!(uscc(&code), Ok(()), "{code}");
        }
    }

    #[test]
    fn organisation_code() {
        // 60003734-1 is the organisation code inside 91110000600037341L.
        assert!(is_org_code("600037341") && is_org_code("60003734-1"));
        assert!(!is_org_code("600037342") && !is_org_code("6000373-41"));
        let msg = zh(uscc("600037341"));
        assert_eq!(
            msg,
            "这像是 9 位组织机构代码（GB 11714），不是 18 位统一社会信用代码"
        );
        assert!(
            uscc("60003734-1")
                .expect_err("org")
                .message(Lang::En)
                .contains("looks like a 9-character organisation code")
        );
        assert_eq!(zh(uscc("600037342")), "应为 18 位，实际 9 位");
    }

    /// The 17 characters of `body` and their check character.
    fn with_check(body: &str) -> String {
        let mut values = [0u32; 17];
        for (slot, c) in values.iter_mut().zip(body.chars()) {
            *slot = value_of(c).expect("alphabet");
        }
        format!("{body}{}", uscc_check(&values))
    }

    fn uscc_strategy() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![(1u32, 1u32), (5, 2), (9, 1), (9, 3), (22, 1)]),
            prop::sample::select(PROVINCES.to_vec()),
            prop::collection::vec(0u32..10, 4),
            prop::collection::vec(0u32..31, 9),
        )
            .prop_map(|((authority, kind), province, area, rest)| {
                let mut values = vec![authority, kind, province / 10, province % 10];
                values.extend(area);
                values.extend(rest);
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
