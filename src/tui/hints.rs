//! Key hint lines (` / 搜索 enter 引用 a 新增 `) that fit the panel they are written on: where
//! the whole line does not fit, the hints close up, take their short forms and then lose the
//! least important ones, one by one — a hint is shown whole or not at all, never cut in the
//! middle of a word (as pane 4's figures line closes up, `merge_view::stats_line`).

use crate::display::width;

/// One key hint: the key, what it does, a shorter way to say that for narrow panels, and how
/// soon it goes where even the short forms do not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    key: String,
    label: String,
    short: Option<String>,
    rank: u8,
}

impl Hint {
    /// `key label`, kept as long as there is room for any hint of rank 0.
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Hint {
            key: key.into(),
            label: label.into(),
            short: None,
            rank: 0,
        }
    }

    /// A text that stands alone, without a key (`= 当前牵头部门`, `名称 / 编码 / 拼音首字母`).
    pub fn text(text: impl Into<String>) -> Self {
        Hint::new(String::new(), text)
    }

    /// The label said shorter, for a panel where the full labels do not fit.
    pub fn short(mut self, short: impl Into<String>) -> Self {
        self.short = Some(short.into());
        self
    }

    /// How dispensable the hint is: where the hints do not fit, the highest rank goes first
    /// (among equals, the last one).
    pub fn rank(mut self, rank: u8) -> Self {
        self.rank = rank;
        self
    }

    fn text_of(&self, short: bool) -> String {
        let label = match (&self.short, short) {
            (Some(s), true) => s.as_str(),
            _ => self.label.as_str(),
        };
        if self.key.is_empty() {
            label.to_string()
        } else if label.is_empty() {
            self.key.clone()
        } else {
            format!("{} {label}", self.key)
        }
    }
}

/// The hints as a line of at most `columns` display columns, the hints `gap` apart (a text
/// without a key one blank further where `gap` is wider than one blank), with one blank at
/// either end with `pad` (for a border title): all of them in full where they fit;
/// else one blank apart; else in their short forms; else without the most dispensable ones
/// (see [`Hint::rank`]), in their order. Empty when not even one fits.
pub fn hint_line(hints: &[Hint], gap: &str, pad: bool, columns: usize) -> String {
    let join = |shown: &[&Hint], gap: &str, short: bool| {
        let mut body = String::new();
        for (i, h) in shown.iter().enumerate() {
            if i > 0 {
                body.push_str(gap);
                // a text without a key stands a blank further off, where the gap is wide
                if h.key.is_empty() && gap.len() > 1 {
                    body.push(' ');
                }
            }
            body.push_str(&h.text_of(short));
        }
        if pad { format!(" {body} ") } else { body }
    };
    let mut shown: Vec<&Hint> = hints.iter().collect();
    for (gap, short) in [(gap, false), (" ", false), (" ", true)] {
        let line = join(&shown, gap, short);
        if width(&line) <= columns {
            return line;
        }
    }
    while !shown.is_empty() {
        // the most dispensable: the highest rank, the last among equals
        let mut worst = 0;
        for (i, h) in shown.iter().enumerate() {
            if h.rank >= shown[worst].rank {
                worst = i;
            }
        }
        shown.remove(worst);
        let line = join(&shown, " ", true);
        if width(&line) <= columns && !shown.is_empty() {
            return line;
        }
    }
    String::new()
}

/// [`hint_line`] for the bottom border of a panel `panel_width` columns wide (its corners
/// take two), hints one blank apart.
pub fn border_hints(hints: &[Hint], panel_width: u16) -> String {
    hint_line(hints, " ", true, usize::from(panel_width).saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn designer() -> Vec<Hint> {
        vec![
            Hint::new("a", "add"),
            Hint::new("K/J", "move").rank(2),
            Hint::new("space", "required").short("req."),
            Hint::new("s", "save"),
        ]
    }

    #[test]
    fn hints_close_up_shorten_then_drop_the_most_dispensable_never_cut() {
        let hints = designer();
        let full = " a add K/J move space required s save ";
        assert_eq!(hint_line(&hints, " ", true, 80), full);
        assert_eq!(hint_line(&hints, " ", true, full.len()), full);
        // wider gaps close up first
        assert_eq!(
            hint_line(&hints, "  ", true, full.len()),
            " a add K/J move space required s save "
        );
        // then the short forms
        assert_eq!(
            hint_line(&hints, " ", true, full.len() - 1),
            " a add K/J move space req. s save "
        );
        // then the highest rank goes (move), then the last of the rest
        assert_eq!(
            hint_line(&hints, " ", true, 30),
            " a add space req. s save "
        );
        assert_eq!(hint_line(&hints, " ", true, 20), " a add space req. ");
        assert_eq!(hint_line(&hints, " ", true, 8), " a add ");
        assert_eq!(hint_line(&hints, " ", true, 6), "");
        for columns in 0..45 {
            let line = hint_line(&hints, " ", true, columns);
            assert!(width(&line) <= columns, "{columns}: {line}");
            // every word shown is a whole word of the full line
            for word in line.split_whitespace() {
                assert!(
                    full.split_whitespace().any(|w| w == word) || word == "req.",
                    "{columns}: {line}"
                );
            }
        }
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let hints = vec![Hint::new("/", "搜索"), Hint::new("a", "新增")];
        assert_eq!(border_hints(&hints, 17), " / 搜索 a 新增 ");
        assert_eq!(border_hints(&hints, 16), " / 搜索 ");
        // a text hint has no key
        let hints = vec![Hint::new("enter", "选定"), Hint::text("= 当前牵头部门")];
        assert_eq!(
            hint_line(&hints, "  ", false, 40),
            "enter 选定   = 当前牵头部门"
        );
        assert_eq!(
            hint_line(&hints, "  ", false, 25),
            "enter 选定 = 当前牵头部门"
        );
    }
}
