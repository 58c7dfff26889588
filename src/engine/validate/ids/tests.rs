use proptest::prelude::*;

use super::*;
use crate::engine::validate::dates::days_in_month;
use crate::i18n::Lang;

/// A fixed "today" so that the birth-date rules do not move with the clock.
fn today() -> Ymd {
    Ymd::new(2025, 6, 1).expect("a real day")
}

fn cn(value: &str) -> Result<(), Rejection> {
    cn_id_on(value, today())
}

fn zh(r: Result<(), Rejection>) -> String {
    r.expect_err("should be rejected").message(Lang::Zh)
}

fn en(r: Result<(), Rejection>) -> String {
    r.expect_err("should be rejected").message(Lang::En)
}

/// A valid 身份证号码 from its 17 body digits.
fn cn_with_check(body: &str) -> String {
    let mut digits = [0u32; 17];
    for (slot, c) in digits.iter_mut().zip(body.chars()) {
        *slot = c.to_digit(10).expect("a digit");
    }
    format!("{body}{}", cn_check(&digits))
}

#[test]
fn cn_id_vectors() {
    assert_eq!(cn("11010519491231002X"), Ok(()));
    assert_eq!(cn("44011320141005001X"), Ok(()));
    assert_eq!(zh(cn("36042619910102009X")), "校验位应为 3，而不是 X");
    assert_eq!(
        en(cn("36042619910102009X")),
        "check character should be 3, not X"
    );
    assert_eq!(cn("360426199101020093"), Ok(()));
}

#[test]
fn cn_id_reasons() {
    // applicants type a lower-case x: it is read as X
    assert_eq!(cn("11010519491231002x"), Ok(()));
    assert_eq!(cn("44011320141005001x"), Ok(()));
    assert_eq!(zh(cn("36042619910102009x")), "校验位应为 3，而不是 x");
    assert_eq!(zh(cn("11010519491231002y")), "第 18 位「y」应为数字或 X");
    assert_eq!(zh(cn("110105199902301234")), "出生日期 19990230 不存在");
    assert_eq!(
        en(cn("110105199902301234")),
        "birth date 19990230 does not exist"
    );
    assert_eq!(zh(cn("110105209901011234")), "出生日期 20990101 晚于今天");
    assert_eq!(
        en(cn("110105209901011234")),
        "birth date 20990101 is in the future"
    );
    assert_eq!(zh(cn("110105189912311234")), "出生年份 1899 早于 1900");
    assert_eq!(zh(cn("000105199001011234")), "省级行政区划代码 00 不存在");
    assert_eq!(
        en(cn("720105199001011234")),
        "province code 72 does not exist"
    );
    assert_eq!(zh(cn("1101051949123100")), "应为 18 位，实际 16 位");
    assert_eq!(zh(cn("11010519491231002Y")), "第 18 位「Y」应为数字或 X");
    assert_eq!(zh(cn("1101051949123100AX")), "第 17 位「A」应为数字");
    assert_eq!(
        en(cn("1101051949123100AX")),
        "character 'A' at position 17 should be a digit"
    );
    // the last day that is not in the future, and leap days
    assert_eq!(cn(&cn_with_check("11010520250601123")), Ok(()));
    assert!(zh(cn(&cn_with_check("11010520250602123"))).contains("晚于今天"));
    assert_eq!(cn(&cn_with_check("11010520000229123")), Ok(()));
    assert!(zh(cn(&cn_with_check("11010519000229123"))).contains("19000229 不存在"));
    // 港澳台居民居住证 numbers (81, 82, 83) and 71
    for body in [
        "81000019900101123",
        "82000019900101123",
        "83000019900101123",
    ] {
        assert_eq!(cn(&cn_with_check(body)), Ok(()), "{body}");
    }
    assert_eq!(cn(&cn_with_check("71000019900101123")), Ok(()));
}

#[test]
fn cn_id_hostile() {
    assert_eq!(zh(cn("")), "应为 18 位，实际 0 位");
    assert_eq!(zh(cn("１２３")), "应为 18 位，实际 3 位");
    assert_eq!(
        zh(cn("１１０１０５１９４９１２３１００２Ｘ")),
        "第 1 位「１」应为数字"
    );
    assert_eq!(zh(cn("\u{1b}[2J")), "应为 18 位，实际 4 位");
    assert_eq!(
        zh(cn("\u{1b}10519491231002X12")),
        "第 1 位「U+001B」应为数字"
    );
    assert_eq!(zh(cn(&"1".repeat(10_000))), "应为 18 位，实际 10000 位");
    // the public entry uses the system clock
    assert_eq!(cn_id("11010519491231002X"), Ok(()));
}

#[test]
fn hk_id_vectors() {
    for ok in [
        "G123456A",
        "AB9876543",
        "A123456(3)",
        "A1234563",
        "AB987654(3)",
    ] {
        assert_eq!(hk_id(ok), Ok(()), "{ok}");
    }
    assert_eq!(zh(hk_id("C5678908")), "校验位应为 9，而不是 8");
    assert_eq!(en(hk_id("C5678908")), "check character should be 9, not 8");
    assert_eq!(hk_id("C567890(9)"), Ok(()));
    assert_eq!(zh(hk_id("A123456(4)")), "校验位应为 3，而不是 4");
}

#[test]
fn hk_id_reasons() {
    assert_eq!(zh(hk_id("a123456(3)")), "第 1 位「a」应大写");
    assert_eq!(zh(hk_id("G123456a")), "第 8 位「a」应大写");
    assert_eq!(zh(hk_id("A123456(B)")), "校验位「B」应为数字或 A");
    for bad in [
        "A12345(3)",
        "ABC123456(3)",
        "1234567(3)",
        "A1234567(3)",
        "A123456()",
        "A123456(3",
        "A123456 (3)",
        "(3)",
        "A１２３４５６(3)",
        "\u{1b}[2J",
    ] {
        assert!(zh(hk_id(bad)).starts_with("香港身份证格式应为"), "{bad}");
    }
    assert!(en(hk_id("A12345(3)")).starts_with("a Hong Kong identity card number"));
    assert!(zh(hk_id(&"A".repeat(10_000))).starts_with("香港身份证格式应为"));
}

#[test]
fn hk_id_blind_spots() {
    // Letter values differing by 11 (A=10, L=21, W=32) weigh the same mod 11: the scheme
    // cannot tell A123456(3) from L123456(3).
    assert_eq!(hk_id("L123456(3)"), Ok(()));
    assert_eq!(hk_id("W123456(3)"), Ok(()));
}

#[test]
fn mo_id_forms() {
    for ok in ["1234567(8)", "12345678", "5123456(0)", "7000000(1)"] {
        assert_eq!(mo_id(ok), Ok(()), "{ok}");
    }
    assert_eq!(zh(mo_id("2234567(8)")), "首位应为 1、5 或 7，而不是 2");
    assert_eq!(
        en(mo_id("2234567(8)")),
        "the first digit should be 1, 5 or 7, not 2"
    );
    for bad in [
        "123456(8)",
        "1234567(88)",
        "1234567(A)",
        "123456789",
        "1234567(8",
        "１234567(8)",
    ] {
        assert!(zh(mo_id(bad)).starts_with("澳门身份证格式应为"), "{bad}");
    }
}

#[test]
fn tw_id_vectors() {
    assert_eq!(tw_id("A123456789"), Ok(()));
    assert_eq!(tw_id("A120229780"), Ok(()));
    assert_eq!(zh(tw_id("A223456789")), "校验位应为 1，而不是 9");
    assert_eq!(zh(tw_id("A120229781")), "校验位应为 0，而不是 1");
    assert_eq!(
        en(tw_id("A120229781")),
        "check character should be 0, not 1"
    );
    assert_eq!(tw_id("A223456781"), Ok(()));
}

#[test]
fn tw_id_reasons() {
    assert_eq!(zh(tw_id("a123456789")), "第 1 位「a」应大写");
    assert_eq!(zh(tw_id("1123456789")), "第 1 位「1」应为英文字母");
    assert_eq!(zh(tw_id("A323456789")), "第 2 位「3」应为 1 或 2");
    assert_eq!(zh(tw_id("A12345678Z")), "第 10 位「Z」应为数字");
    assert_eq!(zh(tw_id("A12345678")), "应为 10 位，实际 9 位");
    assert_eq!(zh(tw_id("Ａ123456789")), "第 1 位「Ａ」应为英文字母");
    // The mod 10 scheme misses some substitutions: 4 → 6 under weight 5 adds 10, and the
    // letters C (12) and I (34) weigh the same.
    assert_eq!(tw_id("A123656789"), Ok(()));
    assert_eq!(tw_id("C123456781").is_ok(), tw_id("I123456781").is_ok());
}

#[test]
fn passports() {
    for ok in ["L898902C3", "123456789", "X1", "AB1234567"] {
        assert_eq!(passport_foreign(ok), Ok(()), "{ok}");
    }
    assert_eq!(zh(passport_foreign("ABCDEFGH")), "护照号码应至少含一位数字");
    assert_eq!(zh(passport_foreign("l898902C3")), "第 1 位「l」应大写");
    assert_eq!(
        zh(passport_foreign("L8989-02C")),
        "第 6 位「-」不允许（只能是字母和数字）"
    );
    assert_eq!(
        zh(passport_foreign("L898902C31")),
        "应为 1–9 位，实际 10 位"
    );
    assert_eq!(
        zh(passport_foreign("L８９８")),
        "第 2 位「８」不允许（只能是字母和数字）"
    );

    for ok in [
        "G12345678",
        "E12345678",
        "EA1234567",
        "D1234567",
        "S1234567",
        "P1234567",
    ] {
        assert_eq!(passport_other(ok), Ok(()), "{ok}");
    }
    assert_eq!(
        zh(passport_other("G1234567")),
        "G 开头的护照号码应为 G 加 8 位数字"
    );
    assert_eq!(
        en(passport_other("E1234567")),
        "a passport number starting with E should be E + 8 digits, or E + a letter + 7 digits"
    );
    assert!(zh(passport_other("EA12345678")).starts_with("E 开头的护照号码"));
    assert!(zh(passport_other("D12345678")).starts_with("D 开头的护照号码"));
    assert!(zh(passport_other("S123456")).starts_with("S 开头的护照号码"));
    assert!(zh(passport_other("P123456A")).starts_with("P 开头的护照号码"));
    assert_eq!(
        zh(passport_other("K12345678")),
        "第 1 位「K」应为 E、G、D、S 或 P"
    );
    assert_eq!(zh(passport_other("e12345678")), "第 1 位「e」应大写");
    assert!(zh(passport_other("Ｅ12345678")).contains("应为 E、G、D、S 或 P"));
    assert!(zh(passport_other(&"E1".repeat(5_000))).starts_with("E 开头的护照号码"));
}

/// A valid 身份证号码 from its parts (any province of the list, any area digits).
fn cn_strategy() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PROVINCES.to_vec()),
        0u32..10_000,
        1900u32..=2025,
        1u32..=12,
        0u32..31,
        0u32..1000,
    )
        .prop_map(|(province, area, year, month, day, seq)| {
            let day = day % days_in_month(year, month) + 1;
            // stay on or before the fixed today (2025-06-01)
            let (month, day) = if year == 2025 && month > 5 {
                (5, day.min(31))
            } else {
                (month, day)
            };
            cn_with_check(&format!(
                "{province:02}{area:04}{year:04}{month:02}{day:02}{seq:03}"
            ))
        })
}

/// A valid 香港身份证 in compact form (no brackets).
fn hk_strategy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::char::range('A', 'Z'), 1..=2),
        prop::collection::vec(prop::char::range('0', '9'), 6),
    )
        .prop_map(|(letters, digits)| {
            let body: Vec<char> = letters.into_iter().chain(digits).collect();
            let mut values = [36u32; 8];
            for (slot, &c) in values[8 - body.len()..].iter_mut().zip(&body) {
                *slot = c.to_digit(36).expect("alphanumeric");
            }
            let mut s: String = body.into_iter().collect();
            s.push(hk_check(&values));
            s
        })
}

/// A valid 台湾身份证.
fn tw_strategy() -> impl Strategy<Value = String> {
    (
        prop::char::range('A', 'Z'),
        prop::sample::select(vec![1u32, 2]),
        prop::collection::vec(0u32..10, 7),
    )
        .prop_map(|(letter, sex, rest)| {
            let mut digits = [0u32; 9];
            digits[0] = sex;
            digits[1..8].copy_from_slice(&rest);
            let sum = tw_sum(tw_letter(letter).expect("a letter"), &digits);
            digits[8] = (10 - sum % 10) % 10;
            std::iter::once(letter)
                .chain(
                    digits
                        .iter()
                        .map(|d| char::from_digit(*d, 10).expect("digit")),
                )
                .collect()
        })
}

/// `value` with the character at `pos` replaced by the `pick`-th of `alphabet` that differs
/// from it.
fn substitute(value: &str, pos: usize, alphabet: &str, pick: usize) -> (String, char, char) {
    let chars: Vec<char> = value.chars().collect();
    let pos = pos % chars.len();
    let old = chars[pos];
    let others: Vec<char> = alphabet.chars().filter(|&c| c != old).collect();
    let new = others[pick % others.len()];
    let mut changed = chars;
    changed[pos] = new;
    (changed.into_iter().collect(), old, new)
}

const ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

proptest! {
    #[test]
    fn cn_id_generated_valid(id in cn_strategy()) {
        prop_assert_eq!(cn(&id), Ok(()));
    }

    /// Any single substitution by another digit or X is caught: in the body the weights
    /// are non-zero mod 11 and digits differ by 1..9, so the sum moves; X in the body is not
    /// a digit; the check maps 11 residues to 11 distinct characters. (A changed birth date
    /// may stay a real date, but the check still fails; otherwise the date rule fires.)
    #[test]
    fn cn_id_single_substitution_caught(
        id in cn_strategy(), pos in 0usize..18, pick in 0usize..10,
    ) {
        let (changed, _, _) = substitute(&id, pos, "0123456789X", pick);
        prop_assert!(cn(&changed).is_err(), "{} → {} accepted", id, changed);
    }

    #[test]
    fn hk_id_generated_valid(id in hk_strategy(), bracket in any::<bool>()) {
        let shown = if bracket {
            let (body, check) = id.split_at(id.len() - 1);
            format!("{body}({check})")
        } else {
            id.clone()
        };
        prop_assert_eq!(hk_id(&shown), Ok(()));
    }

    /// Digits and the check are always caught (weights 2..9 are non-zero mod 11, digits
    /// differ by 1..9, a change of class breaks the form). A letter swapped for one whose
    /// value differs by a multiple of 11 (A/L/W, B/M/X, …) is not: mod 11 cannot see it.
    #[test]
    fn hk_id_single_substitution(id in hk_strategy(), pos in 0usize..9, pick in 0usize..35) {
        let (changed, old, new) = substitute(&id, pos, ALNUM, pick);
        let pos = pos % id.len();
        let letters = id.chars().take_while(char::is_ascii_uppercase).count();
        let undetectable = pos < letters
            && new.is_ascii_uppercase()
            && (new.to_digit(36).expect("letter") + 33 - old.to_digit(36).expect("letter")) % 11 == 0;
        prop_assert_eq!(hk_id(&changed).is_ok(), undetectable, "{} → {}", id, changed);
    }

    #[test]
    fn tw_id_generated_valid(id in tw_strategy()) {
        prop_assert_eq!(tw_id(&id), Ok(()));
    }

    /// The mod 10 scheme catches a digit change unless weight × difference ≡ 0 (mod 10)
    /// (e.g. weight 5 and an even difference), and a letter change unless both letters
    /// weigh the same (first digit − second digit mod 10: C=12 and I=34, K=19 and L=20, …).
    /// The second character may only be 1 or 2 (weight 8, difference 1: always caught).
    #[test]
    fn tw_id_single_substitution(id in tw_strategy(), pos in 0usize..10, pick in 0usize..35) {
        let (changed, old, new) = substitute(&id, pos, ALNUM, pick);
        let pos = pos % 10;
        let weigh = |c: char| tw_letter(c).map(|v| (v / 10 + 9 * (v % 10)) % 10);
        let undetectable = match pos {
            0 => new.is_ascii_uppercase() && weigh(new) == weigh(old),
            1 => false,
            _ => match (old.to_digit(10), new.to_digit(10), new.is_ascii_digit()) {
                (Some(o), Some(n), true) => {
                    let weight = [0, 0, 7, 6, 5, 4, 3, 2, 1, 1][pos];
                    (weight * (n + 10 - o)) % 10 == 0
                }
                _ => false,
            },
        };
        prop_assert_eq!(tw_id(&changed).is_ok(), undetectable, "{} → {}", id, changed);
    }
}
