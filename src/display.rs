//! Text on its way to a terminal: made inert, and measured by display width.
//!
//! Every string that comes from the store or a file passes through [`inert`] before it is
//! printed or drawn, so data can never move the cursor, clear the screen or reorder text.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// Writes to standard error, ignoring a failure (a closed pipe, a hung-up terminal): what
/// `eprintln_lossy!` and `eprint_lossy!` call, where `eprintln!` would panic.
pub fn to_stderr(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(text).and_then(|()| err.flush());
}

/// Whether `c` must not reach a terminal raw: C0/C1 controls, DEL, bidi overrides and
/// isolates, and zero-width characters that hide text.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// The visible stand-in for a hostile character: a control picture (␛, ␀) for C0 and DEL,
/// `<U+XXXX>` for the rest.
fn placeholder(c: char, out: &mut String) {
    match c as u32 {
        n @ 0x00..=0x1F => out.push(char::from_u32(0x2400 + n).unwrap_or('?')),
        0x7F => out.push('\u{2421}'),
        n => out.push_str(&format!("<U+{n:04X}>")),
    }
}

/// `s` with every hostile character replaced by a visible placeholder.
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile(c) {
            placeholder(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Display width in terminal columns (CJK counts 2).
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The longest prefix of `s` that fits in `max` columns, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("{}…", prefix_within(s, max - 1)))
}

/// The longest prefix of `s` that is at most `columns` wide.
fn prefix_within(s: &str, columns: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += c.width().unwrap_or(0);
        if used > columns {
            return &s[..i];
        }
    }
    s
}

/// Two values cut to `max` columns each so that where they first differ stays in view, for
/// showing them side by side. When the first difference lies within the first two thirds of
/// `max` columns, each is cut at its end as [`truncate`] does; past that, both start at the same
/// character before it, after `mark` (`…`): as early as lets the longer of the two show to its
/// end, or else a third of `max` before it, and then cut at the end with `mark`; so that `《中华人民共和国市场主体登记管理条例》第十条` and `…第十二条` show as
/// `…登记管理条例》第十条` and `…登记管理条例》第十二条` rather than as one and the same prefix.
pub fn around_difference(a: &str, b: &str, max: usize, mark: char) -> (String, String) {
    let cut_end = |s: &str| -> String {
        if width(s) <= max {
            return s.to_string();
        }
        if max == 0 {
            return String::new();
        }
        format!("{}{mark}", prefix_within(s, max - 1))
    };
    let same: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let before = width(&a[..same]);
    if a == b || max < 6 || before <= max * 2 / 3 || (width(a) <= max && width(b) <= max) {
        return (cut_end(a), cut_end(b));
    }
    // the columns kept before the difference: all that leaves room for the longer rest,
    // else about a third
    let rest = width(&a[same..]).max(width(&b[same..]));
    let context = match (max - 1).checked_sub(rest) {
        Some(room) if room >= max / 3 => room,
        _ => max / 3,
    };
    let mut start = same;
    let mut kept = 0;
    for (i, c) in a[..same].char_indices().rev() {
        let w = c.width().unwrap_or(0);
        if kept + w > context {
            break;
        }
        kept += w;
        start = i;
    }
    let from = |s: &str| {
        let rest = &s[start..];
        let body = if width(rest) < max {
            rest.to_string()
        } else {
            format!("{}{mark}", prefix_within(rest, max - 2))
        };
        format!("{mark}{body}")
    };
    (from(a), from(b))
}

/// `s` truncated to `columns` and padded with spaces to exactly `columns`.
pub fn pad(s: &str, columns: usize) -> String {
    let cut = truncate(s, columns);
    let fill = columns.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// A code padded with spaces to at least `columns`, never cut: a printed code must stay whole
/// so that it can be passed back to a command (a longer one only pushes its row's next column).
pub fn pad_code(code: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(code));
    format!("{code}{}", " ".repeat(fill))
}

/// Most decimal places [`percent`] shows: a share closer to 100% than this rounds shows
/// `99.999999999%` (cut, never rounded up).
const MAX_PERCENT_DECIMALS: usize = 9;

/// How many decimal places `part` of `whole` needs as a percentage (at least one): enough that
/// a share short of the whole never reads `100.0%` and a share above nothing never reads
/// `0.0%` (1 of 3799 fields unbound is `99.97%`, not `100.0%`). The XLSX export formats its
/// percent cells with as many.
pub fn percent_decimals(part: u64, whole: u64) -> usize {
    if whole == 0 || part == 0 || part >= whole {
        return 1;
    }
    let share = part as f64 * 100.0 / whole as f64;
    (1..=MAX_PERCENT_DECIMALS)
        .find(|&d| {
            let shown = format!("{share:.d$}");
            !shown.starts_with("100") && shown.bytes().any(|b| matches!(b, b'1'..=b'9'))
        })
        .unwrap_or(MAX_PERCENT_DECIMALS)
}

/// `part` of `whole` as a percentage for people (`99.9%`): one decimal place, more when one
/// would round a share short of the whole up to `100.0%` or one above nothing down to `0.0%`
/// (see [`percent_decimals`]); `100.0%` and `0.0%` only when they are exact. Every shown
/// share goes through here: `stats`, pane 5 and the statistics export. `None` when `whole`
/// is zero.
pub fn percent(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let part = part.min(whole);
    let d = percent_decimals(part, whole);
    let share = part as f64 * 100.0 / whole as f64;
    let mut shown = format!("{share:.d$}");
    // beyond the most decimals shown: cut toward the honest side rather than round
    if part < whole && shown.starts_with("100") {
        shown = format!("99.{}", "9".repeat(d));
    } else if part > 0 && !shown.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        shown = format!("0.{}1", "0".repeat(d - 1));
    }
    shown.push('%');
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_short_of_the_whole_never_reads_100_percent() {
        // the tester's 3799 fields with one unbound
        assert_eq!(percent(3798, 3799).as_deref(), Some("99.97%"));
        assert_eq!(percent_decimals(3798, 3799), 2);
        assert_eq!(percent(1900, 1901).as_deref(), Some("99.9%"));
        assert_eq!(percent(999_999, 1_000_000).as_deref(), Some("99.9999%"));
        assert_eq!(percent(3799, 3799).as_deref(), Some("100.0%"));
        assert_eq!(percent(1, 3).as_deref(), Some("33.3%"));
        assert_eq!(percent(2, 3).as_deref(), Some("66.7%"));
        assert_eq!(percent(999, 1000).as_deref(), Some("99.9%"));
        // nor does a share above nothing read 0.0%
        assert_eq!(percent(1, 3799).as_deref(), Some("0.03%"));
        assert_eq!(percent(0, 3799).as_deref(), Some("0.0%"));
        assert_eq!(percent(0, 0), None);
        // past the most decimals shown: cut, not rounded
        let huge = u64::MAX / 2;
        assert_eq!(percent(huge - 1, huge).as_deref(), Some("99.999999999%"));
        assert_eq!(percent(1, huge).as_deref(), Some("0.000000001%"));
    }

    #[test]
    fn side_by_side_values_keep_their_first_difference_in_view() {
        let basis = "《中华人民共和国市场主体登记管理条例》第十条";
        let other = "《中华人民共和国市场主体登记管理条例》第十二条";
        let (a, b) = around_difference(basis, other, 24, '…');
        assert!(a.starts_with('…') && a.ends_with("第十条"), "{a}");
        assert!(b.starts_with('…') && b.ends_with("第十二条"), "{b}");
        assert!(width(&a) <= 24 && width(&b) <= 24, "{a} {b}");
        assert_eq!(
            (a.trim_start_matches('…'), b.trim_start_matches('…')),
            ("登记管理条例》第十条", "登记管理条例》第十二条")
        );
        // a difference near the start: cut at the end as truncate does
        let (a, b) = around_difference("甲乙丙丁戊己庚辛壬癸", "甲丁丙丁戊己庚辛壬癸", 10, '~');
        assert_eq!((a.as_str(), b.as_str()), ("甲乙丙丁~", "甲丁丙丁~"));
        // both cut at the end too when the rest is long
        let long_a = format!("{}A{}", "x".repeat(30), "y".repeat(30));
        let long_b = format!("{}B{}", "x".repeat(30), "y".repeat(30));
        let (a, b) = around_difference(&long_a, &long_b, 20, '…');
        assert_eq!(a, format!("…{}A{}…", "x".repeat(6), "y".repeat(11)));
        assert_eq!(b, format!("…{}B{}…", "x".repeat(6), "y".repeat(11)));
        assert_eq!((width(&a), width(&b)), (20, 20));
        // values that fit, and equal values, are left as they are
        assert_eq!(
            around_difference("短", "长", 10, '…'),
            ("短".to_string(), "长".to_string())
        );
        let (a, b) = around_difference(basis, basis, 12, '…');
        assert_eq!(a, b);
        assert_eq!(a, truncate(basis, 12));
    }

    #[test]
    fn codes_are_padded_but_never_cut() {
        assert_eq!(pad_code("ZT001", 8), "ZT001   ");
        let long = "0100001001-510104000000-000-1151010431236097XB-1-00";
        assert_eq!(pad_code(long, 40), long);
        assert_ne!(pad(long, 40), long, "pad cuts, which codes must not");
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(inert("名称\u{1b}[2J"), "名称␛[2J");
        assert_eq!(inert("a\u{7f}b\u{0}"), "a␡b␀");
        assert_eq!(inert("\u{202E}abc"), "<U+202E>abc");
        assert_eq!(inert("\u{9b}31m"), "<U+009B>31m");
        assert_eq!(inert("x\u{200B}y"), "x<U+200B>y");
        assert!(matches!(inert("身份证号码"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_counts_cjk_as_two_columns() {
        assert_eq!(width("身份证"), 6);
        assert_eq!(width("ID号"), 4);
    }

    #[test]
    fn truncate_and_pad_respect_display_width() {
        assert_eq!(truncate("身份证号码", 6), "身份…");
        assert_eq!(truncate("身份证号码", 5), "身份…");
        assert_eq!(truncate("身份证号码", 10), "身份证号码");
        assert_eq!(pad("身份证号码", 7), "身份证…");
        assert_eq!(width(&pad("身份证号码", 7)), 7);
        assert_eq!(pad("ab", 4), "ab  ");
    }
}
