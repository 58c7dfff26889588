//! Text helpers for drawing: inert, width-aware fitting, case-folded matching with
//! highlighted spans, and the border sets.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::{Line, Span};

use crate::display;

/// Box characters drawn by terminals that treat ambiguous-width characters as narrow.
pub const UNICODE_BORDER: border::Set = border::PLAIN;

/// Borders from ASCII only, for terminals (Xshell, PuTTY) that draw box characters wide.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// The border set for the configured mode.
pub fn border_set(ascii: bool) -> border::Set<'static> {
    if ascii { ASCII_BORDER } else { UNICODE_BORDER }
}

/// Store text made inert and cut to `max` columns; with `ascii` the ellipsis is `~`
/// (U+2026 is ambiguous-width).
pub fn fit(s: &str, max: usize, ascii: bool) -> String {
    let inert = display::inert(s);
    let cut = display::truncate(&inert, max);
    if ascii && cut.ends_with('…') {
        let mut out = cut.trim_end_matches('…').to_string();
        out.push('~');
        out
    } else {
        cut.into_owned()
    }
}

/// Store text made inert and cut to `max` columns from the left, keeping its end (a code's
/// distinguishing tail): `…` (`~` with `ascii`) and the longest tail that fits after it.
pub fn fit_tail(s: &str, max: usize, ascii: bool) -> String {
    let inert = display::inert(s);
    if display::width(&inert) <= max {
        return inert.into_owned();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in inert.chars().rev() {
        let w = display::width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        tail.push(c);
    }
    let mark = if ascii { '~' } else { '…' };
    if max == 0 {
        return String::new();
    }
    std::iter::once(mark)
        .chain(tail.into_iter().rev())
        .collect()
}

/// A code cut to `max` columns so that it stays apart from the codes shown beside it
/// (`neighbours`): its tail ([`fit_tail`]: a 实施清单 code ends in its agency's code) unless a
/// neighbour shows the same tail (the 子项 of one item, `511A0005200003-…` and
/// `511A0005200009-…`, share a long one); then the stretch from just before where they
/// differ, cut at both ends.
pub fn fit_apart(code: &str, neighbours: &[&str], max: usize, ascii: bool) -> String {
    let inert = display::inert(code);
    let chars: Vec<char> = inert.chars().collect();
    let plain = display::width(&inert) <= max || !inert.is_ascii() || max < 3;
    if plain || neighbours.is_empty() {
        return fit_tail(code, max, ascii);
    }
    // the tail after the mark tells it apart already (an agency's code ends a 实施清单 code)
    let tail = |s: &str| {
        let n = s.chars().count();
        s.chars()
            .skip(n.saturating_sub(max - 1))
            .collect::<String>()
    };
    let own_tail = tail(&inert);
    if neighbours.iter().all(|n| tail(n) != own_tail) {
        return fit_tail(code, max, ascii);
    }
    // how far it runs equal to the closest neighbour
    let same = neighbours
        .iter()
        .map(|n| {
            chars
                .iter()
                .zip(n.chars())
                .take_while(|(a, b)| **a == *b)
                .count()
        })
        .max()
        .unwrap_or(0);
    let mark = if ascii { '~' } else { '…' };
    // two characters before the difference, for context
    let start = same.saturating_sub(2);
    if start == 0 {
        return fit(code, max, ascii);
    }
    std::iter::once(mark)
        .chain(chars[start..].iter().copied().take(max - 2))
        .chain(std::iter::once(mark))
        .collect()
}

/// `s` cut into pieces of at most `columns` display columns (at least one piece; a
/// character wider than `columns` gets a piece of its own). A piece does not start with a
/// closing punctuation mark: the character before it goes down with it.
pub fn wrap_columns(s: &str, columns: usize) -> Vec<String> {
    let cells = |c: char| display::width(c.encode_utf8(&mut [0; 4]));
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = cells(c);
        if used + w > columns.max(1) && used > 0 {
            let mut next = String::new();
            used = 0;
            if NO_LINE_START.contains(&c)
                && let Some(last) = out.last_mut()
                && last.chars().count() > 1
                && let Some(prev) = last.chars().last()
                && cells(prev) + w <= columns
            {
                last.pop();
                next.push(prev);
                used = cells(prev);
            }
            out.push(next);
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        used += w;
    }
    out
}

/// Punctuation that closes or follows text and so never starts a line (the line-start rule
/// of Chinese typesetting).
const NO_LINE_START: &[char] = &[
    '，', '。', '、', '；', '：', '！', '？', '）', '」', '』', '】', '》', '〉', '”', '’', '…',
    '％', '·',
];

/// `lines` wrapped to `columns` display columns: no line comes out wider (a wide character
/// that does not fit goes to the next line whole, a word longer than a line is cut), a break
/// falls between words where it can, and a continued line is indented as far as the line's
/// own leading blanks (at most half the width). Styles carry over; alignment is dropped.
pub fn wrap_lines(lines: &[Line<'_>], columns: u16) -> Vec<Line<'static>> {
    let columns = usize::from(columns).max(1);
    lines
        .iter()
        .flat_map(|line| wrap_line(line, columns))
        .collect()
}

fn wrap_line(line: &Line<'_>, columns: usize) -> Vec<Line<'static>> {
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .collect();
    // a continued line keeps room for a wide character after its indent
    let indent = chars
        .iter()
        .take_while(|(c, _)| *c == ' ')
        .count()
        .min(columns / 2)
        .min(columns.saturating_sub(2));
    let cells = |c: char| display::width(c.encode_utf8(&mut [0; 4]));
    let mut out: Vec<Vec<(char, Style)>> = vec![Vec::new()];
    let mut used = 0;
    let mut start = 0;
    let mut i = 0;
    while let Some(&(first, _)) = chars.get(i) {
        // a word: a run of narrow non-blank characters; else one character
        let len = chars[i..]
            .iter()
            .take_while(|&&(c, _)| c != ' ' && cells(c) < 2)
            .count()
            .max(1);
        let token = &chars[i..i + len];
        let w: usize = token.iter().map(|&(c, _)| cells(c)).sum();
        if first == ' ' && used == start && out.len() > 1 {
            // a blank at a break is dropped
            i += 1;
            continue;
        }
        let whole = used + w <= columns || (used > start && w <= columns - indent);
        if !whole || used + w <= columns {
            // as much of it as fits (all of a word that fits); a character that fits on no
            // line at all is left out
            let mut taken = 0;
            while let Some(&(c, style)) = token.get(taken) {
                if used + cells(c) > columns {
                    break;
                }
                used += cells(c);
                taken += 1;
                if let Some(last) = out.last_mut() {
                    last.push((c, style));
                }
            }
            i += taken;
            if taken == len {
                continue;
            }
            if taken == 0 && used == start {
                i += 1;
                continue;
            }
        }
        let mut next = vec![(' ', Style::default()); indent];
        used = indent;
        // a line never starts with a closing punctuation mark (，。、）…): the character (or
        // narrow word) before it goes down with it, if the line keeps something
        if let Some(&(c, _)) = chars.get(i)
            && NO_LINE_START.contains(&c)
            && let Some(last) = out.last_mut()
        {
            let wide_last = last.last().is_some_and(|&(c, _)| cells(c) >= 2);
            let run = if wide_last {
                1
            } else {
                last.iter()
                    .rev()
                    .take_while(|&&(c, _)| c != ' ' && cells(c) < 2)
                    .count()
            };
            let run_w: usize = last.iter().rev().take(run).map(|&(c, _)| cells(c)).sum();
            if run > 0 && last.len() > start + run && indent + run_w + cells(c) <= columns {
                let moved = last.split_off(last.len() - run);
                used += run_w;
                next.extend(moved);
            }
        }
        out.push(next);
        start = indent;
    }
    // blanks that ran past the end make no line of their own
    if out.len() > 1 && out.last().is_some_and(|l| l.iter().all(|&(c, _)| c == ' ')) {
        out.pop();
    }
    out.into_iter()
        .map(|cells| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, style) in cells {
                match spans.last_mut() {
                    Some(span) if span.style == style => span.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            Line::from(spans)
        })
        .collect()
}

/// Pasted text for a multi-line field: CRLF and a lone CR (the line break PuTTY, xterm and
/// `tmux paste-buffer` send) become LF, a tab becomes a space, and other hostile characters
/// are dropped.
pub fn paste_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if display::is_hostile(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Pasted text for a one-line input: as [`paste_lines`], but the line breaks at the end are
/// dropped and every other line break becomes a space, so the lines stay apart.
pub fn paste_line(text: &str) -> String {
    paste_lines(text).trim_end_matches('\n').replace('\n', " ")
}

/// Inserts pasted text at the cursor of a one-line input (cleaned by [`paste_line`]).
pub fn paste_into(input: &mut tui_input::Input, text: &str) {
    for c in paste_line(text).chars() {
        input.handle(tui_input::InputRequest::InsertChar(c));
    }
}

/// Simple case folding, one char to one char, so positions in the folded text are positions
/// in the original.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if ('\u{3000}'..='\u{9fff}').contains(&c)
        || (('\u{ff00}'..='\u{ffef}').contains(&c) && !('\u{ff21}'..='\u{ff3a}').contains(&c))
    {
        // CJK punctuation, kana, ideographs and fullwidth forms other than the capital
        // letters have no case (most of a catalog's text)
        c
    } else {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    }
}

/// `s` case-folded char by char.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

/// Appends `s` case-folded char by char.
pub fn fold_into(out: &mut String, s: &str) {
    out.extend(s.chars().map(fold_char));
}

/// Byte ranges of `s` where the folded query occurs (non-overlapping, left to right).
pub fn match_ranges(s: &str, query: &[char]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if query.is_empty() {
        return out;
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i + query.len() <= chars.len() {
        if chars[i..i + query.len()]
            .iter()
            .zip(query)
            .all(|((_, c), q)| fold_char(*c) == *q)
        {
            let start = chars[i].0;
            let end = chars.get(i + query.len()).map_or(s.len(), |(b, _)| *b);
            out.push(start..end);
            i += query.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Spans of already-inert, already-fitted text with the query's matches styled.
pub fn highlighted(text: String, query: &[char], base: Style, hit: Style) -> Vec<Span<'static>> {
    highlighted_words(text, &[query], base, hit)
}

/// Spans of already-inert, already-fitted text with the matches of every word styled (words
/// apart, as a filter of several words finds them; overlapping matches styled once).
pub fn highlighted_words(
    text: String,
    words: &[&[char]],
    base: Style,
    hit: Style,
) -> Vec<Span<'static>> {
    let mut ranges: Vec<Range<usize>> = words.iter().flat_map(|w| match_ranges(&text, w)).collect();
    if ranges.is_empty() {
        return vec![Span::styled(text, base)];
    }
    ranges.sort_by_key(|r| r.start);
    let mut spans = Vec::new();
    let mut at = 0;
    for r in ranges {
        let start = r.start.max(at);
        if r.end <= start {
            continue;
        }
        if start > at {
            spans.push(Span::styled(text[at..start].to_string(), base));
        }
        spans.push(Span::styled(
            text[start..r.end].to_string(),
            base.patch(hit),
        ));
        at = r.end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_string(), base));
    }
    spans
}

/// Applies the selection style to the spans that carry a row's content — not to its padding,
/// so moving the selection over a slow link redraws those cells only, not two whole rows.
pub fn select(spans: &mut [Span<'_>], selection: Style) {
    for span in spans {
        span.style = selection.patch(span.style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_line_breaks_of_every_kind_are_kept_apart() {
        assert_eq!(paste_lines("L1\rL2\rL3"), "L1\nL2\nL3");
        assert_eq!(paste_lines("a\r\nb\nc\r"), "a\nb\nc\n");
        assert_eq!(
            paste_lines("第三行\ttab\u{1b}[31m\u{200B}"),
            "第三行 tab[31m"
        );
        assert_eq!(paste_line("L1\rL2\r\nL3\tx\r\n"), "L1 L2 L3 x");
        let mut input = tui_input::Input::default();
        paste_into(&mut input, "a\rb");
        assert_eq!(input.value(), "a b");
    }

    #[test]
    fn the_caseless_fast_path_folds_as_unicode_does() {
        let slow = |c: char| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        };
        for c in ('\u{80}'..='\u{ffff}').chain(['\u{10400}', '\u{1e900}']) {
            assert_eq!(fold_char(c), slow(c), "{c:?}");
        }
        assert_eq!(fold("ＡＢ（身份证）Ab"), "ａｂ（身份证）ab");
    }

    #[test]
    fn fit_is_inert_and_width_aware() {
        assert_eq!(fit("名称\u{1b}[2J", 20, false), "名称␛[2J");
        assert_eq!(fit("食品经营许可", 7, false), "食品经…");
        assert_eq!(fit("食品经营许可", 7, true), "食品经~");
    }

    #[test]
    fn fit_tail_keeps_the_end_by_display_width() {
        let code = "0100001001-510104000000-000-1151010431236097XB-1-00";
        assert_eq!(fit_tail(code, 12, false), "…6097XB-1-00");
        assert_eq!(fit_tail(code, 12, true), "~6097XB-1-00");
        assert_eq!(fit_tail("SX001", 12, false), "SX001");
        // a wide character that does not fit after the mark is left out whole
        assert_eq!(fit_tail("甲乙丙丁", 4, false), "…丁");
        assert_eq!(fit_tail("甲乙丙丁", 0, false), "");
    }

    #[test]
    fn fit_apart_shows_where_a_code_differs_from_its_neighbours() {
        let a = "511A0005200003-000-115113016823646795-1-00";
        let b = "511A0005200009-000-115113016823646795-1-00";
        assert_eq!(fit_apart(a, &[b], 16, false), "…003-000-115113…");
        assert_eq!(fit_apart(b, &[a], 16, true), "~009-000-115113~");
        // tails that differ (two agencies' 实施清单 of one item, an 实施清单 and its 办理项):
        // the tail, as before
        let c = "0100001001-510104000000-000-1151010431236097XB-1-00";
        let d = "0100001001-510104000000-000-1151010431236097XB-1-01";
        let e = "0100001001-511602000000-000-11511602299513299M-1-00";
        assert_eq!(fit_apart(c, &[d], 12, false), fit_tail(c, 12, false));
        assert_eq!(fit_apart(c, &[e, d], 12, false), fit_tail(c, 12, false));
        // no neighbours, or a code that fits: unchanged
        assert_eq!(fit_apart(c, &[], 12, false), fit_tail(c, 12, false));
        assert_eq!(fit_apart("SX001", &[], 12, false), "SX001");
        // a difference in the first characters: the start of the code
        assert_eq!(
            fit_apart("A1234567890", &["B1234567890"], 6, false),
            "A1234…"
        );
    }

    #[test]
    fn wrapping_counts_columns() {
        assert_eq!(wrap_columns("食品经营许可", 5), ["食品", "经营", "许可"]);
        assert_eq!(wrap_columns("", 5), [""]);
        assert_eq!(wrap_columns("ab食", 3), ["ab", "食"]);
    }

    /// The lines' text, one string per line.
    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        // a wide character at the edge goes to the next line, under the line's indent
        let line = Line::from("  hukou 新生儿随父亲还是母亲落户？  随父亲落户");
        let wrapped = wrap_lines(&[line], 20);
        assert_eq!(
            texts(&wrapped),
            ["  hukou 新生儿随父亲", "  还是母亲落户？  随", "  父亲落户"]
        );
        for width in 1..40u16 {
            let line = Line::from(vec![
                Span::raw("  "),
                Span::styled("ZT008", Style::new().bold()),
                Span::raw(" 新生儿出生一件事 a-very-long-english-word 是 / 否"),
            ]);
            for l in wrap_lines(&[line], width) {
                assert!(l.width() <= usize::from(width.max(1)), "{width}: {l}");
            }
        }
        // words break between words, styles carry over
        let line = Line::from(vec![
            Span::styled("abc", Style::new().bold()),
            Span::raw(" defg hij"),
        ]);
        let wrapped = wrap_lines(&[line], 8);
        assert_eq!(texts(&wrapped), ["abc defg", "hij"]);
        assert_eq!(wrapped[0].spans[0].style, Style::new().bold());
        assert_eq!(texts(&wrap_lines(&[Line::default()], 8)), [""]);
    }

    #[test]
    fn a_closing_punctuation_mark_never_starts_a_line() {
        let text = "DE000006 的编码和名称保留为同义词，DE000006 被删除。";
        for width in 4..40u16 {
            let wrapped = texts(&wrap_lines(&[Line::from(text)], width));
            for (n, line) in wrapped.iter().enumerate().skip(1) {
                assert!(
                    !line.starts_with(NO_LINE_START),
                    "{width}: line {n} {line:?} of {wrapped:?}"
                );
            }
            assert_eq!(wrapped.concat().replace(' ', ""), text.replace(' ', ""));
            for l in &wrapped {
                assert!(
                    crate::display::width(l) <= usize::from(width),
                    "{width}: {l}"
                );
            }
        }
        // the character before the comma goes down with it
        let wrapped = texts(&wrap_lines(&[Line::from("保留为同义词，删除")], 12));
        assert_eq!(wrapped, ["保留为同义", "词，删除"]);
        // and in pieces cut by columns (the detail panes)
        assert_eq!(
            wrap_columns("必须是区县一级。行政区划", 14),
            ["必须是区县一", "级。行政区划"]
        );
        for width in 4..30 {
            let pieces = wrap_columns(text, width);
            assert_eq!(pieces.concat(), text);
            for p in pieces.iter().skip(1) {
                assert!(!p.starts_with(NO_LINE_START), "{width}: {pieces:?}");
            }
            for p in &pieces {
                assert!(crate::display::width(p) <= width, "{width}: {pieces:?}");
            }
        }
    }

    #[test]
    fn matches_fold_case_and_keep_positions() {
        let q: Vec<char> = fold("ab").chars().collect();
        assert_eq!(match_ranges("xAbyab", &q), [1..3, 4..6]);
        let q: Vec<char> = "许可".chars().collect();
        assert_eq!(
            match_ranges("食品经营许可证", &q),
            vec![Range { start: 12, end: 18 }]
        );
        let spans = highlighted("食品许可".into(), &q, Style::new(), Style::new().bold());
        assert_eq!(spans.len(), 2);
    }

    /// Every word's matches are styled, overlapping ones once, the rest left as it was.
    #[test]
    fn every_word_of_a_filter_is_highlighted() {
        let hit = Style::new().bold();
        let (a, b, c): (Vec<char>, Vec<char>, Vec<char>) = (
            "食品".chars().collect(),
            "品经".chars().collect(),
            "bd".chars().collect(),
        );
        let spans = highlighted_words("BD01 食品经营".into(), &[&a, &b, &c], Style::new(), hit);
        let shown: Vec<(&str, bool)> = spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == hit))
            .collect();
        assert_eq!(
            shown,
            [
                ("BD", true),
                ("01 ", false),
                ("食品", true),
                ("经", true),
                ("营", false)
            ]
        );
        let none = highlighted_words("营业".into(), &[&a], Style::new(), hit);
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].style, Style::new());
    }
}
