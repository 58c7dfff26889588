//! Value validators for every element kind (数据元类型).
//!
//! Each kind has the real rule, with the check character where the standard defines one:
//! GB 11643 for 身份证号码, GB 32100 for 统一社会信用代码, the published mod 11 scheme of the
//! 香港身份证 and the mod 10 scheme of the 台湾身份证. Every rejection says why, in Chinese
//! and in English ([`Rejection::message`]).
//!
//! Entry points: [`validate_kind`] for kinds that need nothing but the value,
//! [`validate_element`] for any element (options, pattern, unit), [`validate_linked_id`] for
//! a 联动证件类型 pair, [`validate_number`] for numbers with a range, and [`example`] for a
//! valid sample value per kind. The `normalize_*` twins validate alike and give the
//! spelling a valid value is kept in (a 身份证号码 typed with `x` is kept with `X`).
//!
//! Validators never trim: a value with leading or trailing white space is rejected (except
//! by `text`, which takes any text, and `pattern`, where the regular expression decides).

mod choices;
mod codes;
mod contact;
mod dates;
mod ids;
mod numbers;
mod text;
mod units;

use std::borrow::Cow;
use std::fmt;

use crate::i18n::Lang;
use crate::model::{Element, ElementKind, ElementOption};

pub use numbers::validate_number;
pub use units::never_negative;

/// Why a value was rejected; renders in the UI language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    zh: String,
    en: String,
}

impl Rejection {
    /// A rejection with its Chinese and English reasons.
    pub(crate) fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The reason in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).clone()
    }

    /// The same reason behind a context such as the document type.
    fn within(self, zh: &str, en: &str) -> Self {
        Rejection {
            zh: format!("{zh}：{}", self.zh),
            en: format!("{en}: {}", self.en),
        }
    }
}

/// English, for logs and error chains; the UI uses [`Rejection::message`].
impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Rejection {}

/// One character for a message: itself, or `U+XXXX` when it would not show (controls,
/// white space).
pub(crate) fn show(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// A value for a message: at most 24 characters, control characters spelled out.
pub(crate) fn quote(value: &str) -> String {
    const MAX: usize = 24;
    let mut out: String = value
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { show(c) } else { c.into() })
        .collect();
    if value.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// "should be N characters long".
pub(crate) fn wrong_length(expected: &str, got: usize) -> Rejection {
    Rejection::new(
        format!("应为 {expected} 位，实际 {got} 位"),
        format!("should be {expected} characters long, got {got}"),
    )
}

/// "character `c` at position `pos` ..." (positions count from 1).
pub(crate) fn bad_char(pos: usize, c: char, zh: &str, en: &str) -> Rejection {
    let c = show(c);
    Rejection::new(
        format!("第 {pos} 位「{c}」{zh}"),
        format!("character '{c}' at position {pos} {en}"),
    )
}

/// "the check character should be `expected`, not `got`".
pub(crate) fn wrong_check(expected: char, got: char) -> Rejection {
    let got = show(got);
    Rejection::new(
        format!("校验位应为 {expected}，而不是 {got}"),
        format!("check character should be {expected}, not {got}"),
    )
}

/// A value that is neither empty nor padded with white space.
fn present(value: &str) -> Result<(), Rejection> {
    if value.is_empty() {
        Err(Rejection::new("值为空", "the value is empty"))
    } else if value.trim() != value {
        Err(Rejection::new(
            "首尾不能有空白字符",
            "leading or trailing white space is not allowed",
        ))
    } else {
        Ok(())
    }
}

/// Validates a value against a kind that needs no option list (everything except the choice
/// kinds and pattern).
///
/// The choice kinds and `pattern` are rejected with a reason saying that the element is
/// needed; use [`validate_element`] for them. A `cn_id` birth date is compared with today's
/// date in China Standard Time (UTC+8).
pub fn validate_kind(kind: ElementKind, value: &str) -> Result<(), Rejection> {
    use ElementKind as K;
    match kind {
        K::Text => text::text(value),
        K::Pattern => Err(Rejection::new(
            "自定义格式需要数据元的正则表达式",
            "kind pattern needs the element's regular expression",
        )),
        K::SingleChoice | K::MultiChoice | K::Dropdown | K::IdTypeLinked | K::LinkedDropdown => {
            Err(Rejection::new(
                format!("{}需要数据元的选项列表", kind.zh()),
                format!("kind {} needs the element's options", kind.as_str()),
            ))
        }
        K::Email => present_then(value, contact::email),
        K::Postcode => present_then(value, contact::postcode),
        K::Landline => present_then(value, contact::landline),
        K::Mobile => present_then(value, contact::mobile),
        K::CnId => present_then(value, ids::cn_id),
        K::HkId => present_then(value, ids::hk_id),
        K::MoId => present_then(value, ids::mo_id),
        K::TwId => present_then(value, ids::tw_id),
        K::PassportForeign => present_then(value, ids::passport_foreign),
        K::PassportOther => present_then(value, ids::passport_other),
        K::Uscc => present_then(value, codes::uscc),
        K::Number => present_then(value, numbers::number),
        K::Date => present_then(value, dates::date),
        K::DateRange => present_then(value, dates::date_range),
    }
}

/// Runs `check` on a value that is neither empty nor padded.
fn present_then(
    value: &str,
    check: impl FnOnce(&str) -> Result<(), Rejection>,
) -> Result<(), Rejection> {
    present(value)?;
    check(value)
}

/// Validates a value against an element: uses its options (choice kinds), its pattern
/// (pattern kind; the regular expression must match the whole value), else
/// [`validate_kind`].
///
/// - `single_choice`, `dropdown`, `id_type_linked`: one option, by code or label.
/// - `multi_choice`: one or more options by code or label, separated by `,`, `，` or `、`
///   (white space around each is ignored), none twice.
/// - `number` with a unit of money, count, area, length, volume, weight, power or time
///   (万元, 人, 平方米, 千克, 天: see [`never_negative`]): not below zero.
/// - `linked_dropdown`: a path of options separated by `/`, each by code or label (white
///   space around each is ignored), e.g. `510000/511600/511602`, `四川省/广安市/广安区` or
///   `四川省/511600/广安区`; the first has no parent and each next one's parent is the one
///   before. A path may stop above the last level.
pub fn validate_element(element: &Element, value: &str) -> Result<(), Rejection> {
    use ElementKind as K;
    match element.kind {
        K::SingleChoice | K::Dropdown | K::IdTypeLinked => {
            present(value)?;
            choices::single(&element.options, value).map(|_| ())
        }
        K::MultiChoice => {
            present(value)?;
            choices::multi(&element.options, value).map(|_| ())
        }
        K::LinkedDropdown => cascade(element, value).map(|_| ()),
        K::Number => {
            present(value)?;
            numbers::quantity(value, element.unit.as_deref())
        }
        K::Pattern => text::pattern(element.pattern.as_deref(), value),
        kind => validate_kind(kind, value),
    }
}

/// 联动下拉框: the options a cascade path chooses, top level first, as
/// [`validate_element`] accepts it (codes or labels, `/`-separated).
pub fn cascade<'e>(element: &'e Element, value: &str) -> Result<Vec<&'e ElementOption>, Rejection> {
    present(value)?;
    choices::linked(&element.options, value)
}

/// 联动下拉框: how many levels a valid path still leaves to choose — the deepest the options
/// go below the last one chosen (`四川省` of province → city → county: 2); `None` for a
/// complete path (its last option has nothing under it), another kind, or a value
/// [`cascade`] rejects. A path that stops above the last level is valid (see
/// [`validate_element`]); this says it is not finished.
pub fn cascade_levels_left(element: &Element, value: &str) -> Option<usize> {
    if element.kind != ElementKind::LinkedDropdown {
        return None;
    }
    let chosen = cascade(element, value).ok()?;
    let last = chosen.last()?;
    let mut children: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for o in element.options.iter() {
        if let Some(p) = o.parent.as_deref() {
            children.entry(p).or_default().push(o.code.as_str());
        }
    }
    // breadth first, level by level (a cycle in the options ends at their count)
    let mut level = vec![last.code.as_str()];
    let mut depth = 0;
    while depth <= element.options.len() {
        let next: Vec<&str> = level
            .iter()
            .flat_map(|c| children.get(c).into_iter().flatten().copied())
            .collect();
        if next.is_empty() {
            break;
        }
        depth += 1;
        level = next;
    }
    (depth > 0).then_some(depth)
}

/// What an unfinished cascade path still needs (see [`cascade_levels_left`]): `还需选择下 2
/// 级` / `needs 2 more levels`.
pub fn levels_left_message(levels: usize, lang: Lang) -> String {
    lang.pick(
        format!("还需选择下 {levels} 级"),
        format!(
            "needs {levels} more level{}",
            if levels == 1 { "" } else { "s" }
        ),
    )
}

/// id_type_linked: the chosen option of the type element picks the validator (option.kind)
/// of the paired number.
///
/// `chosen_option` is the option's code or label. The option must exist and carry a kind;
/// a rejection of the number is prefixed with the document type (the option's label), e.g.
/// `香港身份证：校验位应为 3`.
pub fn validate_linked_id(
    type_element: &Element,
    chosen_option: &str,
    number: &str,
) -> Result<(), Rejection> {
    let option = choices::single(&type_element.options, chosen_option)
        .map_err(|r| r.within("证件类型", "document type"))?;
    let kind = option.kind.ok_or_else(|| {
        Rejection::new(
            format!("证件类型「{}」没有指定号码的校验类型", quote(&option.label)),
            format!(
                "document type '{}' does not name the kind of its number",
                quote(&option.label)
            ),
        )
    })?;
    let label = quote(&option.label);
    validate_kind(kind, number).map_err(|r| r.within(&label, &label))
}

/// The spelling a value that `kind` accepts is kept in: the value as typed, except that a
/// 身份证号码's check character `x` (which applicants type, and the validator reads as X) is
/// written `X`, so that what is kept is what GB 11643 writes.
fn spelling(kind: ElementKind, value: &str) -> Cow<'_, str> {
    match kind {
        ElementKind::CnId if value.ends_with('x') => {
            let mut upper = value.to_string();
            upper.pop();
            upper.push('X');
            Cow::Owned(upper)
        }
        _ => Cow::Borrowed(value),
    }
}

/// Validates like [`validate_kind`] and gives the value in the spelling it is kept in (a
/// 身份证号码 ending in `x` ends in `X`; every other value as typed).
pub fn normalize_kind(kind: ElementKind, value: &str) -> Result<Cow<'_, str>, Rejection> {
    validate_kind(kind, value)?;
    Ok(spelling(kind, value))
}

/// Validates like [`validate_element`] and gives the value in the spelling it is kept in,
/// as [`normalize_kind`]. Choices are kept as option codes, whether typed by code or by
/// label: one code (单选, 下拉框, 联动证件类型), codes joined by `,` in the element's option
/// order (多选: `02、01` → `01,02`), codes joined by `/` (联动下拉框: `四川省/广安市/广安区` →
/// `510000/511600/511602`, a trailing `/` dropped). Patterns are kept as typed.
pub fn normalize_element<'v>(element: &Element, value: &'v str) -> Result<Cow<'v, str>, Rejection> {
    use ElementKind as K;
    let codes = |chosen: Vec<&ElementOption>, separator: &str| {
        let codes: Vec<&str> = chosen.iter().map(|o| o.code.as_str()).collect();
        let kept = codes.join(separator);
        if kept == value {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(kept)
        }
    };
    match element.kind {
        K::SingleChoice | K::Dropdown | K::IdTypeLinked => {
            present(value)?;
            let chosen = choices::single(&element.options, value)?;
            Ok(codes(vec![chosen], ""))
        }
        K::MultiChoice => {
            present(value)?;
            Ok(codes(choices::multi(&element.options, value)?, ","))
        }
        K::LinkedDropdown => Ok(codes(cascade(element, value)?, "/")),
        kind => {
            validate_element(element, value)?;
            Ok(spelling(kind, value))
        }
    }
}

/// Validates like [`validate_linked_id`] and gives the number in the spelling it is kept in,
/// as [`normalize_kind`] for the chosen document type's kind.
pub fn normalize_linked_id<'v>(
    type_element: &Element,
    chosen_option: &str,
    number: &'v str,
) -> Result<Cow<'v, str>, Rejection> {
    validate_linked_id(type_element, chosen_option, number)?;
    let kind = choices::single(&type_element.options, chosen_option)
        .ok()
        .and_then(|o| o.kind);
    Ok(kind.map_or(Cow::Borrowed(number), |k| spelling(k, number)))
}

/// An example valid value per kind (for previews and docs), valid by its own validator.
///
/// The choice kinds give option codes in the usual shape (`01`, `01,02`,
/// `510000/511600/511602`); they are valid for an element that has those options. The
/// `pattern` example fits a pattern such as `[A-Z]{3}\d{3}`.
pub fn example(kind: ElementKind) -> &'static str {
    use ElementKind as K;
    match kind {
        K::Email => "zhangsan@example.com",
        K::Postcode => "610041",
        K::Landline => "028-86751234",
        K::Mobile => "13800138000",
        K::CnId => "11010519491231002X",
        K::HkId => "A123456(3)",
        K::MoId => "1234567(8)",
        K::TwId => "A123456789",
        K::PassportForeign => "L898902C3",
        K::PassportOther => "E12345678",
        K::Uscc => "91510100MA62T12347",
        K::Text => "示例文本",
        K::SingleChoice => "01",
        K::MultiChoice => "01,02",
        K::Number => "3.14",
        K::Date => "2024-01-01",
        K::DateRange => "2024-01-01~2024-12-31",
        K::Dropdown => "01",
        K::IdTypeLinked => "111",
        K::LinkedDropdown => "510000/511600/511602",
        K::Pattern => "ABC123",
    }
}

#[cfg(test)]
mod tests;
