//! Valid GB 32100 unified social credit codes (统一社会信用代码) for the sample agencies,
//! with a valid GB 11714 organisation code (组织机构代码) in positions 9–17.

use fastrand::Rng;

/// The 31 characters GB 32100 allows, in value order (no I, O, S, V, Z).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 weights of the first 17 positions (3^i mod 31).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights of the eight body characters of an organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 32100 check character for the first 17 characters of a code, or `None` when
/// there are not exactly 17 of them or one is outside the GB 32100 character set.
pub(super) fn uscc_check(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (byte, weight) in first17.bytes().zip(USCC_WEIGHTS) {
        let value = USCC_CHARS.iter().position(|&c| c == byte)?;
        sum += u32::try_from(value).ok()? * weight;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARS.get(check as usize).map(|&c| char::from(c))
}

/// The GB 11714 check character for an eight-digit organisation code body.
fn org_check(digits: &[u32; 8]) -> char {
    let sum: u32 = digits.iter().zip(ORG_WEIGHTS).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

/// A valid code for an agency: registration office 1 (机构编制), `category` (1 机关,
/// 2 事业单位, 3 群团组织), the six-digit `region`, a random organisation code and the
/// check character.
pub(super) fn agency_code(category: char, region: &str, rng: &mut Rng) -> String {
    let mut digits = [0u32; 8];
    for d in &mut digits {
        *d = rng.u32(0..10);
    }
    let mut code = format!("1{category}{region}");
    code.extend(digits.iter().filter_map(|&d| char::from_digit(d, 10)));
    code.push(org_check(&digits));
    let check = uscc_check(&code).unwrap_or('0');
    code.push(check);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(code: &str) -> bool {
        code.len() == 18 && uscc_check(&code[..17]) == code.chars().last()
    }

    #[test]
    fn published_codes_check_as_published() {
        assert!(valid("92141127MA0KD1Y64A"));
        assert!(!valid("91110000600037341N"));
        assert_eq!(uscc_check("9111000060003734I"), None, "I is not allowed");
        assert_eq!(uscc_check("short"), None);
    }

    #[test]
    fn organisation_check_follows_gb_11714() {
        // 00877818-3 is the organisation code inside 11511301008778183N (广安区经信局)
        assert_eq!(org_check(&[0, 0, 8, 7, 7, 8, 1, 8]), '3');
    }

    #[test]
    fn generated_codes_are_valid_and_embed_the_region() {
        let mut rng = Rng::with_seed(7);
        for _ in 0..500 {
            let code = agency_code('1', "511602", &mut rng);
            assert!(valid(&code), "{code}");
            assert!(code.starts_with("11511602"));
        }
    }
}
