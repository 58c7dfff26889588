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
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
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
