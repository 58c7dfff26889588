//! Choice kinds: 单选, 下拉框, 联动证件类型, 多选, 联动下拉框.

use crate::model::ElementOption;

use super::{Rejection, quote};

/// How many option labels a "not an option" message lists.
const LISTED: usize = 5;

/// The options' labels for a message: `男、女` or `a、b、c、d、e 等 12 项`.
fn listing(options: &[ElementOption], separator: &str, more: impl Fn(usize) -> String) -> String {
    let mut out = options
        .iter()
        .take(LISTED)
        .map(|o| quote(&o.label))
        .collect::<Vec<_>>()
        .join(separator);
    if options.len() > LISTED {
        out.push_str(&more(options.len()));
    }
    out
}

/// "`value` is not one of the options (...)".
fn not_an_option(options: &[ElementOption], value: &str) -> Rejection {
    if options.is_empty() {
        return Rejection::new("数据元没有可选项", "the element has no options");
    }
    let zh = listing(options, "、", |n| format!(" 等 {n} 项"));
    let en = listing(options, ", ", |n| format!(" … ({n} in all)"));
    Rejection::new(
        format!("「{}」不是可选项（可选：{zh}）", quote(value)),
        format!("'{}' is not one of the options ({en})", quote(value)),
    )
}

/// The option whose code, else whose label, is `value`.
fn find<'a>(options: &'a [ElementOption], value: &str) -> Option<(usize, &'a ElementOption)> {
    options
        .iter()
        .enumerate()
        .find(|(_, o)| o.code == value)
        .or_else(|| options.iter().enumerate().find(|(_, o)| o.label == value))
}

/// 单选 / 下拉框 / 联动证件类型: one option by code or label; gives the option.
pub(crate) fn single<'a>(
    options: &'a [ElementOption],
    value: &str,
) -> Result<&'a ElementOption, Rejection> {
    find(options, value)
        .map(|(_, o)| o)
        .ok_or_else(|| not_an_option(options, value))
}

/// 多选: options by code or label separated by `,`, `，` or `、`, none twice; gives the
/// chosen options in the element's order.
pub(crate) fn multi<'a>(
    options: &'a [ElementOption],
    value: &str,
) -> Result<Vec<&'a ElementOption>, Rejection> {
    let mut seen = Vec::new();
    for part in value.split([',', '，', '、']).map(str::trim) {
        if part.is_empty() {
            return Err(Rejection::new(
                "有空的选项（分隔符多余）",
                "an empty choice (a separator too many)",
            ));
        }
        let (index, _) = find(options, part).ok_or_else(|| not_an_option(options, part))?;
        if seen.contains(&index) {
            return Err(Rejection::new(
                format!("选项「{}」重复", quote(part)),
                format!("option '{}' is chosen twice", quote(part)),
            ));
        }
        seen.push(index);
    }
    seen.sort_unstable();
    Ok(seen.into_iter().filter_map(|i| options.get(i)).collect())
}

/// An option for a message: its label and code (`广安市 511600`), or the code alone when no
/// option has it.
fn named(options: &[ElementOption], code: &str) -> String {
    match options.iter().find(|o| o.code == code) {
        Some(o) if o.label != o.code => format!("{} {}", quote(&o.label), quote(code)),
        _ => quote(code),
    }
}

/// "only `n` levels: `up` is the last".
fn no_level_below(n: usize, up: &str) -> Rejection {
    Rejection::new(
        format!("只有 {n} 级：「{}」已是最后一级", quote(up)),
        format!(
            "only {n} level{}: '{}' is the last",
            if n == 1 { "" } else { "s" },
            quote(up)
        ),
    )
}

/// 联动下拉框: options level by level separated by `/`, each by code or label (white space
/// around each is ignored), the first without a parent, each next one a child of the one
/// before; gives the chosen options, top level first.
///
/// A part is looked up among the options of its level first (code, then label: a label
/// such as 市辖区 recurs under many parents), then among all options, so that a misplaced
/// one is named as such. A trailing `/` is a level not chosen yet (as while typing in the
/// preview), unless the option before it is the last level; an empty part elsewhere is
/// refused as empty.
pub(crate) fn linked<'a>(
    options: &'a [ElementOption],
    value: &str,
) -> Result<Vec<&'a ElementOption>, Rejection> {
    let mut path: Vec<&ElementOption> = Vec::new();
    let mut typed: Option<&str> = None;
    let parts: Vec<&str> = value.split('/').map(str::trim).collect();
    for (i, &part) in parts.iter().enumerate() {
        let level = i + 1;
        let above = path.last().copied();
        let last_level = above.filter(|up| {
            !options
                .iter()
                .any(|o| o.parent.as_deref() == Some(up.code.as_str()))
        });
        let no_level_here = || last_level.map(|up| no_level_below(i, typed.unwrap_or(&up.code)));
        if part.is_empty() {
            // a trailing `/`: the next level is not chosen yet, if there is one
            if level == parts.len() && above.is_some() {
                return match no_level_here() {
                    Some(r) => Err(r),
                    None => Ok(path),
                };
            }
            return Err(Rejection::new(
                format!("第 {level} 级为空"),
                format!("level {level} is empty"),
            ));
        }
        let here = |o: &&ElementOption| o.parent.as_deref() == above.map(|a| a.code.as_str());
        let found = options
            .iter()
            .filter(here)
            .find(|o| o.code == part)
            .or_else(|| options.iter().filter(here).find(|o| o.label == part))
            .or_else(|| options.iter().find(|o| o.code == part))
            .or_else(|| options.iter().find(|o| o.label == part));
        let Some(option) = found else {
            if let Some(r) = no_level_here() {
                return Err(r);
            }
            return Err(Rejection::new(
                format!("第 {level} 级「{}」不是可选项", quote(part)),
                format!("level {level}: '{}' is not one of the options", quote(part)),
            ));
        };
        match (above, option.parent.as_deref()) {
            (None, None) => {}
            (None, Some(parent)) => {
                return Err(Rejection::new(
                    format!(
                        "第 1 级「{}」不是第一级选项（其上级为 {}）",
                        quote(part),
                        named(options, parent)
                    ),
                    format!(
                        "level 1: '{}' is not a top-level option (its parent is {})",
                        quote(part),
                        named(options, parent)
                    ),
                ));
            }
            (Some(up), parent) if parent != Some(up.code.as_str()) => {
                let up = quote(typed.unwrap_or(&up.code));
                return Err(Rejection::new(
                    format!("第 {level} 级「{}」不属于上一级「{up}」", quote(part)),
                    format!("level {level}: '{}' is not under '{up}'", quote(part)),
                ));
            }
            (Some(_), _) => {}
        }
        path.push(option);
        typed = Some(part);
    }
    Ok(path)
}
