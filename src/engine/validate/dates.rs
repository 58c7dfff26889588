//! 日期点 and 日期段: proleptic Gregorian calendar days, without a date library.
//!
//! Accepted date forms: `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD` (month and day with two
//! digits, year 0001–9999). A range is two dates joined by `~`, `～` or `至` (white space
//! around the separator allowed), e.g. `2024-01-01~2024-12-31` or `2024-01-01 至 2024-12-31`,
//! with the start not after the end. The end may be left open for something with no fixed
//! end (营业期限 长期): empty (`2024-01-01~`) or one of [`OPEN_ENDS`] (`2024-01-01~长期`).

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Rejection, quote};

/// A calendar day; ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ymd {
    year: u32,
    month: u32,
    day: u32,
}

impl Ymd {
    /// The day, if it exists (year 1..=9999).
    pub(crate) fn new(year: u32, month: u32, day: u32) -> Option<Ymd> {
        ((1..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Ymd { year, month, day })
    }

    /// `YYYY-MM-DD`.
    fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether `year` has a 29 February.
pub(crate) fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in a month; 0 for a month outside 1..=12.
pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: u64) -> Ymd {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    Ymd {
        year: u32::try_from(year).unwrap_or(u32::MAX),
        month: u32::try_from(month).unwrap_or(1),
        day: u32::try_from(day).unwrap_or(1),
    }
}

/// Today in China Standard Time (UTC+8), the time zone of the registers; a clock set
/// before 1970 counts as 1970-01-01.
pub(crate) fn today() -> Ymd {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs + 8 * 3600) / 86_400)
}

/// The number written by ASCII digits (the caller has checked they are digits).
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |n, d| {
        n.saturating_mul(10)
            .saturating_add(u32::from(d.wrapping_sub(b'0')))
    })
}

/// Parses one date in any accepted form.
fn parse(value: &str) -> Result<Ymd, Rejection> {
    let b = value.as_bytes();
    let parts = match b.len() {
        8 => Some((&b[0..4], &b[4..6], &b[6..8])),
        10 if (b[4] == b'-' && b[7] == b'-') || (b[4] == b'/' && b[7] == b'/') => {
            Some((&b[0..4], &b[5..7], &b[8..10]))
        }
        _ => None,
    };
    let Some((y, m, d)) = parts.filter(|(y, m, d)| {
        [y, m, d]
            .into_iter()
            .all(|part| part.iter().all(u8::is_ascii_digit))
    }) else {
        return Err(Rejection::new(
            format!(
                "日期格式应为 YYYY-MM-DD（也接受 YYYYMMDD、YYYY/MM/DD），而不是「{}」",
                quote(value)
            ),
            format!(
                "a date should be YYYY-MM-DD (YYYYMMDD and YYYY/MM/DD also accepted), not '{}'",
                quote(value)
            ),
        ));
    };
    let (year, month, day) = (digits_value(y), digits_value(m), digits_value(d));
    Ymd::new(year, month, day).ok_or_else(|| {
        let shown = format!("{year:04}-{month:02}-{day:02}");
        Rejection::new(
            format!("日期 {shown} 不存在"),
            format!("date {shown} does not exist"),
        )
    })
}

/// 日期点: a real calendar day.
pub(crate) fn date(value: &str) -> Result<(), Rejection> {
    parse(value).map(|_| ())
}

/// The words that stand for an open end of a range (no fixed end date).
pub(crate) const OPEN_ENDS: [&str; 4] = ["长期", "永久", "无固定期限", "长期有效"];

/// 日期段: `start~end` (or `～`, `至`) with start ≤ end; the end may be empty or one of
/// [`OPEN_ENDS`] for an open-ended range.
pub(crate) fn date_range(value: &str) -> Result<(), Rejection> {
    let parts: Vec<&str> = value
        .split(['~', '～', '至'])
        .map(|part| part.trim_matches(' '))
        .collect();
    let [start, end] = parts.as_slice() else {
        return Err(Rejection::new(
            "日期段应为 开始日期~结束日期（或用「至」连接），如 2024-01-01~2024-12-31；长期有效的写 2024-01-01~ 或 2024-01-01~长期",
            "a date range should be start~end (or joined by 至), e.g. 2024-01-01~2024-12-31; with no end date, 2024-01-01~ or 2024-01-01~长期",
        ));
    };
    let start = parse(start).map_err(|r| r.within("开始日期", "start date"))?;
    if end.is_empty() || OPEN_ENDS.contains(end) {
        return Ok(());
    }
    let end = parse(end).map_err(|r| r.within("结束日期", "end date"))?;
    if start > end {
        return Err(Rejection::new(
            format!("开始日期 {} 晚于结束日期 {}", start.iso(), end.iso()),
            format!("start date {} is after end date {}", start.iso(), end.iso()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn why(r: Result<(), Rejection>) -> (String, String) {
        let r = r.expect_err("should be rejected");
        (r.message(Lang::Zh), r.message(Lang::En))
    }

    #[test]
    fn calendar() {
        assert!(is_leap(2000) && is_leap(2024) && !is_leap(1900) && !is_leap(2023));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2023, 13), 0);
        assert_eq!(civil_from_days(0), Ymd::new(1970, 1, 1).expect("day"));
        assert_eq!(civil_from_days(19_723), Ymd::new(2024, 1, 1).expect("day"));
        assert_eq!(civil_from_days(11_016), Ymd::new(2000, 2, 29).expect("day"));
        assert!(today() >= Ymd::new(2025, 1, 1).expect("day"));
    }

    #[test]
    fn dates() {
        for ok in [
            "2024-02-29",
            "20240229",
            "2024/02/29",
            "2000-02-29",
            "0001-01-01",
        ] {
            assert_eq!(date(ok), Ok(()), "{ok}");
        }
        let (zh, en) = why(date("2023-02-29"));
        assert_eq!(zh, "日期 2023-02-29 不存在");
        assert_eq!(en, "date 2023-02-29 does not exist");
        assert!(why(date("1900-02-29")).0.contains("不存在"));
        assert!(why(date("2024-13-01")).0.contains("不存在"));
        assert!(why(date("2024-04-31")).0.contains("不存在"));
        assert!(why(date("0000-01-01")).0.contains("不存在"));
        for bad in [
            "2024-1-1",
            "2024-01/01",
            "2024.01.01",
            "24-01-01",
            "２０２４0101",
            "2024-0a-01",
            "",
        ] {
            assert!(why(date(bad)).0.contains("日期格式应为"), "{bad}");
        }
    }

    #[test]
    fn ranges() {
        for ok in [
            "2024-01-01~2024-12-31",
            "2024-01-01 ~ 2024-12-31",
            "2024-01-01至2024-12-31",
            "2024-01-01 至 2024-12-31",
            "2024/01/01～20241231",
            "2024-01-01~2024-01-01",
        ] {
            assert_eq!(date_range(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn open_ended_ranges() {
        for ok in [
            "2024-01-01~",
            "2024-01-01 ~ ",
            "2024-01-01至",
            "2024-01-01~长期",
            "2024-01-01 至 永久",
            "2024-01-01～无固定期限",
            "2024-01-01~长期有效",
        ] {
            assert_eq!(date_range(ok), Ok(()), "{ok}");
        }
        // A lone start date without the separator is still not a range.
        assert!(why(date_range("2024-01-01")).0.contains("日期段应为"));
        // The start must still be a real date, and other words are not an open end.
        assert!(why(date_range("~长期")).0.starts_with("开始日期："));
        assert!(why(date_range("2023-02-29~")).0.starts_with("开始日期："));
        assert!(
            why(date_range("2024-01-01~短期"))
                .0
                .starts_with("结束日期：")
        );
        let (zh, en) = why(date_range("2024-12-31~2024-01-01"));
        assert_eq!(zh, "开始日期 2024-12-31 晚于结束日期 2024-01-01");
        assert_eq!(en, "start date 2024-12-31 is after end date 2024-01-01");
        let (zh, en) = why(date_range("2024-01-01~2023-02-29"));
        assert_eq!(zh, "结束日期：日期 2023-02-29 不存在");
        assert_eq!(en, "end date: date 2023-02-29 does not exist");
        for bad in [
            "2024-01-01",
            "2024-01-01~2024-02-01~2024-03-01",
            "2024-01-01/2024-12-31",
        ] {
            assert!(why(date_range(bad)).0.contains("日期段应为"), "{bad}");
        }
        assert!(why(date_range("~2024-01-01")).0.starts_with("开始日期："));
    }
}
