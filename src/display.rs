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

#[cfg(test)]
mod tests {
    use super::*;

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
