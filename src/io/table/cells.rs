//! How values are spelled in a cell: lists joined by `;`, conditions as
//! `question=option,option;question=option`, enumerations in Chinese or in their interchange
//! spelling, booleans as 是/否 or true/false. A backslash escapes the next character.

use crate::i18n::Lang;
use crate::model::{ElementKind, ItemLevel, ItemType, MaterialKind, Origin, Share, Status, When};

/// The separator of list entries (a full-width `；` is read as one too).
pub const LIST_SEPARATOR: char = ';';

/// The cell spelling of a condition without any question (`Some` of an empty map).
pub const EMPTY_WHEN: &str = "{}";

/// Characters that a backslash escapes when written.
const SPECIAL: [char; 5] = ['\\', ';', '；', '=', ','];

/// An enumeration with a Chinese and an interchange spelling.
pub trait Spelled: Copy + Sized + 'static {
    /// Every value.
    fn all() -> &'static [Self];
    /// Interchange spelling.
    fn en(self) -> &'static str;
    /// Chinese spelling.
    fn zh(self) -> &'static str;
    /// A further spelling accepted on import (`1` for item type `01`).
    fn parse_extra(_cell: &str) -> Option<Self> {
        None
    }

    /// The spelling in `lang`.
    fn spell(self, lang: Lang) -> &'static str {
        lang.pick(self.zh(), self.en())
    }

    /// Reads either spelling (English in any case).
    fn parse_cell(cell: &str) -> Option<Self> {
        let cell = cell.trim();
        Self::all()
            .iter()
            .copied()
            .find(|v| v.zh() == cell || v.en().eq_ignore_ascii_case(cell))
            .or_else(|| Self::parse_extra(cell))
    }
}

macro_rules! spelled {
    ($ty:ty, $all:expr, $en:expr, $zh:expr) => {
        impl Spelled for $ty {
            fn all() -> &'static [Self] {
                &$all
            }
            fn en(self) -> &'static str {
                $en(self)
            }
            fn zh(self) -> &'static str {
                $zh(self)
            }
        }
    };
}

spelled!(
    ElementKind,
    ElementKind::ALL,
    ElementKind::as_str,
    ElementKind::zh
);
spelled!(Status, Status::ALL, Status::as_str, Status::zh);
spelled!(ItemLevel, ItemLevel::ALL, ItemLevel::as_str, ItemLevel::zh);
spelled!(
    MaterialKind,
    MaterialKind::ALL,
    MaterialKind::as_str,
    MaterialKind::zh
);
spelled!(
    Origin,
    [Origin::Claimed, Origin::SelfBuilt],
    Origin::as_str,
    |o| match o {
        Origin::Claimed => "认领",
        Origin::SelfBuilt => "自建",
    }
);
spelled!(
    Share,
    [Share::Open, Share::Conditional, Share::None],
    Share::as_str,
    |s| match s {
        Share::Open => "无条件共享",
        Share::Conditional => "有条件共享",
        Share::None => "不予共享",
    }
);

impl Spelled for ItemType {
    fn all() -> &'static [Self] {
        &ItemType::ALL
    }
    fn en(self) -> &'static str {
        self.code()
    }
    fn zh(self) -> &'static str {
        ItemType::zh(self)
    }
    fn parse_extra(cell: &str) -> Option<Self> {
        ItemType::from_code(cell)
    }
}

/// A boolean in `lang`: 是/否 or true/false.
pub fn flag(value: bool, lang: Lang) -> &'static str {
    match (value, lang) {
        (true, Lang::Zh) => "是",
        (false, Lang::Zh) => "否",
        (true, Lang::En) => "true",
        (false, Lang::En) => "false",
    }
}

/// Reads a boolean: 是/否, true/false, yes/no, y/n, 1/0; an empty cell is false.
pub fn parse_flag(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" | "否" | "false" | "no" | "n" | "0" => Some(false),
        "是" | "true" | "yes" | "y" | "1" => Some(true),
        _ => None,
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Joins list entries with `;`, escaping separators inside entries.
pub fn join_list(entries: &[impl AsRef<str>]) -> String {
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(LIST_SEPARATOR);
        }
        escape_into(&mut out, entry.as_ref());
    }
    out
}

/// Splits `text` at unescaped `stops`, unescaping; each piece is trimmed.
fn split_escaped(text: &str, stops: &[char]) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                current.push(next);
            } else {
                current.push('\\');
            }
        } else if stops.contains(&c) {
            pieces.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    pieces.push(current);
    pieces.into_iter().map(|p| p.trim().to_string()).collect()
}

/// Splits a list cell at unescaped `;` or `；`; empty entries are dropped.
pub fn split_list(cell: &str) -> Vec<String> {
    split_escaped(cell, &[';', '；'])
        .into_iter()
        .filter(|e| !e.is_empty())
        .collect()
}

/// Writes a condition: `question=option,option;question=option` (escaped), `{}` when empty.
pub fn join_when(when: &When) -> String {
    if when.is_empty() {
        return EMPTY_WHEN.to_string();
    }
    let mut out = String::new();
    for (i, (question, options)) in when.iter().enumerate() {
        if i > 0 {
            out.push(LIST_SEPARATOR);
        }
        escape_into(&mut out, question);
        out.push('=');
        for (j, option) in options.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            escape_into(&mut out, option);
        }
    }
    out
}

/// Splits `text` at the first unescaped `=`.
fn split_once_escaped(text: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '=' => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Splits `text` at unescaped `;`/`；`, keeping the escapes for a later split.
fn raw_entries(text: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ';' | '；' => {
                entries.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    entries.push(&text[start..]);
    entries
}

/// Reads a condition cell; an empty cell is `None` (always). Returns the message when the
/// cell is not `question=option,option;...` or names a question twice.
pub fn parse_when(cell: &str, lang: Lang) -> Result<Option<When>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    if cell == EMPTY_WHEN {
        return Ok(Some(When::new()));
    }
    let mut when = When::new();
    for entry in raw_entries(cell) {
        if entry.trim().is_empty() {
            continue;
        }
        let Some((question, options)) = split_once_escaped(entry) else {
            return Err(lang.pick(
                format!("条件 \"{}\" 应写作 判断项=选项,选项", entry.trim()),
                format!(
                    "condition \"{}\" should read question=option,option",
                    entry.trim()
                ),
            ));
        };
        let question = split_escaped(question, &[]).concat();
        let options: Vec<String> = split_escaped(options, &[','])
            .into_iter()
            .filter(|o| !o.is_empty())
            .collect();
        if when.insert(question.clone(), options).is_some() {
            return Err(lang.pick(
                format!("条件中判断项 {question} 出现两次"),
                format!("question {question} appears twice in the condition"),
            ));
        }
    }
    Ok(Some(when))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn lists_round_trip_with_escapes() {
        for list in [
            s(&[]),
            s(&["公民身份号码", "证件号码"]),
            s(&["a;b", "c\\d", "e；f", "x=y,z"]),
        ] {
            assert_eq!(split_list(&join_list(&list)), list);
        }
        assert_eq!(split_list("甲； 乙 ;;丙"), s(&["甲", "乙", "丙"]));
    }

    #[test]
    fn conditions_round_trip_and_report_bad_cells() {
        let mut when = When::new();
        when.insert("scale".into(), s(&["large", "medium"]));
        when.insert("a=b;c".into(), s(&["x,y", ""]));
        when.insert("empty".into(), s(&[]));
        let cell = join_when(&when);
        // an empty option key cannot be told from none; everything else survives
        when.insert("a=b;c".into(), s(&["x,y"]));
        assert_eq!(parse_when(&cell, Lang::En), Ok(Some(when)));
        assert_eq!(parse_when("", Lang::En), Ok(None));
        assert_eq!(parse_when("{}", Lang::En), Ok(Some(When::new())));
        assert_eq!(
            parse_when("scale=large; alcohol = yes", Lang::En),
            Ok(Some(
                [
                    ("alcohol".to_string(), s(&["yes"])),
                    ("scale".to_string(), s(&["large"]))
                ]
                .into()
            ))
        );
        assert!(parse_when("scale", Lang::En).is_err());
        assert!(parse_when("a=1;a=2", Lang::Zh).is_err());
    }

    #[test]
    fn enumerations_read_both_spellings() {
        assert_eq!(
            ElementKind::parse_cell("身份证号码"),
            Some(ElementKind::CnId)
        );
        assert_eq!(ElementKind::parse_cell("CN_ID"), Some(ElementKind::CnId));
        assert_eq!(ElementKind::parse_cell("身分证"), None);
        assert_eq!(ItemType::parse_cell("1"), Some(ItemType::Licensing));
        assert_eq!(
            ItemType::parse_cell("公共服务"),
            Some(ItemType::PublicService)
        );
        assert_eq!(Share::parse_cell("不予共享"), Some(Share::None));
        assert_eq!(parse_flag("是"), Some(true));
        assert_eq!(parse_flag(""), Some(false));
        assert_eq!(parse_flag("maybe"), None);
        for t in ItemType::ALL {
            assert_eq!(ItemType::parse_cell(t.spell(Lang::Zh)), Some(t));
            assert_eq!(ItemType::parse_cell(t.spell(Lang::En)), Some(t));
        }
    }
}
