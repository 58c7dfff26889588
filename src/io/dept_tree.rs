//! The published county catalog format: departments → main items → sub-items, as in
//! `guangan-item-catalog.json` (`{"source", "region", "departments": [{"department",
//! "main_items": [{"name", "sub_items": [{"name", "item_code", "task_type", "dept_code",
//! "area_code"}]}]}]}`).
//!
//! It lands as: the region and its parents (`四川省广安市广安区 (511602)` → 510000 四川省,
//! 511600 广安市, 511602 广安区); one agency per department, coded by the department's
//! published `dept_code` (the most frequent one when its sub-items publish several); one main
//! item per main item with a generated code `{region}-M{dd}-{mmm}` (department and main item
//! numbers from 1, in file order); one sub-item per sub-item with its published code and item
//! type, under its main item. Department codes that are not valid unified social credit
//! codes still land, each reported with the validator's reason.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::validate::validate_kind;
use crate::i18n::Lang;
use crate::model::invariants::Lookup;
use crate::model::{
    Agency, ElementKind, Item, ItemLevel, ItemType, Record, Region, RegionLevel, Status,
    region_level,
};

use super::check::{FileProblem, Rejected, check_import};

#[derive(Deserialize)]
struct File {
    region: String,
    departments: Vec<Department>,
}

#[derive(Deserialize)]
struct Department {
    department: String,
    main_items: Vec<MainItem>,
}

#[derive(Deserialize)]
struct MainItem {
    name: String,
    sub_items: Vec<SubItem>,
}

#[derive(Deserialize)]
struct SubItem {
    name: String,
    item_code: String,
    task_type: String,
    dept_code: String,
    area_code: String,
}

/// A department code that is not a valid unified social credit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCode {
    /// The department's name (`区教科体局`).
    pub department: String,
    /// The code as published.
    pub code: String,
    /// Why the validator rejects it.
    pub reason: String,
}

/// What a county catalog file lands as.
#[derive(Clone, Debug, PartialEq)]
pub struct DeptTree {
    /// Regions, agencies, main items and sub-items, in that order.
    pub records: Vec<Record>,
    /// Department codes that are not valid unified social credit codes.
    pub invalid_codes: Vec<InvalidCode>,
    /// Other things worth saying (sub-items publishing another code than their department).
    pub notes: Vec<String>,
}

impl DeptTree {
    /// How many records of `level` items there are.
    pub fn items(&self, level: ItemLevel) -> usize {
        self.records
            .iter()
            .filter(|r| matches!(r, Record::Item(i) if i.level == level))
            .count()
    }

    /// Every warning as a line: invalid codes, then notes.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        let invalid = self.invalid_codes.iter().map(|c| {
            lang.pick(
                format!(
                    "{} 的部门编码 {} 不是有效的统一社会信用代码：{}",
                    c.department, c.code, c.reason
                ),
                format!(
                    "{}: department code {} is not a valid unified social credit code: {}",
                    c.department, c.code, c.reason
                ),
            )
        });
        invalid.chain(self.notes.iter().cloned()).collect()
    }
}

/// Whether parsed JSON looks like a county catalog (has `departments`, no `format`).
pub fn is_dept_tree(value: &Value) -> bool {
    value.get("departments").is_some() && value.get("format").is_none()
}

/// Turns a county catalog into records and checks them against the `stored` records (a
/// loaded catalog, or a store's read as looked up) as an import.
pub fn parse(value: Value, stored: &dyn Lookup, lang: Lang) -> Result<DeptTree, Vec<FileProblem>> {
    let file: File = serde_path_to_error::deserialize(value).map_err(|e| {
        vec![FileProblem::new(
            e.path().to_string(),
            lang.pick(
                format!("不是部门-主项-子项格式：{}", e.inner()),
                format!(
                    "not the department → main item → sub-item format: {}",
                    e.inner()
                ),
            ),
        )]
    })?;
    let mut problems = Vec::new();
    let mut out = DeptTree {
        records: Vec::new(),
        invalid_codes: Vec::new(),
        notes: Vec::new(),
    };
    let mut records: Vec<(String, Record)> = regions(&file.region)
        .into_iter()
        .map(|r| ("region".to_string(), Record::Region(r)))
        .collect();
    let region = records
        .last()
        .map(|(_, r)| r.code().to_string())
        .unwrap_or_default();
    let mut agencies: Vec<(String, Record)> = Vec::new();
    let mut items: Vec<(String, Record)> = Vec::new();
    for (d, dept) in file.departments.iter().enumerate() {
        let path = format!("departments[{d}]");
        let Some(code) = department_code(dept) else {
            problems.push(FileProblem::new(
                path,
                lang.pick(
                    "部门没有子项，无从得知部门编码",
                    "the department has no sub-item, so no department code",
                ),
            ));
            continue;
        };
        report_codes(dept, &code, lang, &mut out);
        if let Some((_, Record::Agency(first))) = agencies.iter().find(|(_, a)| a.code() == code) {
            out.notes.push(lang.pick(
                format!(
                    "{} 与 {} 的部门编码同为 {code}，合为一个实施主体「{}」",
                    dept.department, first.name, first.name
                ),
                format!(
                    "{} and {} share the department code {code}; they are one agency, \"{}\"",
                    dept.department, first.name, first.name
                ),
            ));
        } else {
            agencies.push((
                path.clone(),
                Record::Agency(Agency {
                    code: code.as_str().into(),
                    name: dept.department.as_str().into(),
                    region: Some(region.clone()),
                }),
            ));
        }
        for (m, main) in dept.main_items.iter().enumerate() {
            let main_path = format!("{path}.main_items[{m}]");
            let main_code = format!("{region}-M{:02}-{:03}", d + 1, m + 1);
            let mut types: BTreeMap<ItemType, usize> = BTreeMap::new();
            let mut subs = Vec::new();
            for (s, sub) in main.sub_items.iter().enumerate() {
                let sub_path = format!("{main_path}.sub_items[{s}]");
                let Some(item_type) = ItemType::from_code(&sub.task_type) else {
                    problems.push(FileProblem::new(
                        format!("{sub_path}.task_type"),
                        lang.pick(
                            format!("未知事项类型 \"{}\"", sub.task_type),
                            format!("unknown item type \"{}\"", sub.task_type),
                        ),
                    ));
                    continue;
                };
                *types.entry(item_type).or_default() += 1;
                let sub_region = sub.area_code.get(..6).unwrap_or_default();
                if sub_region != region {
                    out.notes.push(lang.pick(
                        format!("{sub_path}：区划代码 {} 与文件的 {region} 不同，按 {region} 导入", sub.area_code),
                        format!("{sub_path}: area code {} differs from the file's {region}; imported under {region}", sub.area_code),
                    ));
                }
                subs.push((
                    sub_path,
                    Record::Item(item(
                        &sub.item_code,
                        &sub.name,
                        ItemLevel::Sub,
                        item_type,
                        Some(&main_code),
                        &code,
                        &region,
                    )),
                ));
            }
            // the main item's type: its sub-items' most frequent type (the lowest code on a tie)
            let main_type = types
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or(ItemType::OtherPower, |(t, _)| *t);
            items.push((
                main_path,
                Record::Item(item(
                    &main_code,
                    &main.name,
                    ItemLevel::Main,
                    main_type,
                    None,
                    &code,
                    &region,
                )),
            ));
            items.extend(subs);
        }
    }
    records.extend(agencies);
    records.extend(items);
    let (records, found) = check_import(
        records,
        stored,
        lang,
        Rejected::default(),
        |path: &String, inner| {
            if inner.is_empty() {
                path.clone()
            } else {
                format!("{path}.{inner}")
            }
        },
    );
    problems.extend(found);
    if !problems.is_empty() {
        return Err(problems);
    }
    out.records = records;
    Ok(out)
}

fn item(
    code: &str,
    name: &str,
    level: ItemLevel,
    item_type: ItemType,
    parent: Option<&str>,
    agency: &str,
    region: &str,
) -> Item {
    Item {
        code: code.into(),
        name: name.into(),
        level,
        parent: parent.map(Into::into),
        item_type,
        agency: Some(agency.into()),
        region: Some(region.into()),
        basis: Default::default(),
        time_limit_days: 0,
        legal_limit_days: 0,
        fee: Default::default(),
        online_depth: 0,
        depends_on: Default::default(),
        materials: Default::default(),
        // published there: V1, as publishing here would make it
        status: Status::Published,
        version: 1,
        origin: Default::default(),
        template: false,
        template_of: None,
    }
}

/// The department's code: the `dept_code` most of its sub-items publish (the first one
/// met on a tie); `None` when it has no sub-item.
fn department_code(dept: &Department) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for sub in dept.main_items.iter().flat_map(|m| &m.sub_items) {
        match counts.iter_mut().find(|(c, _)| *c == sub.dept_code) {
            Some((_, n)) => *n += 1,
            None => counts.push((&sub.dept_code, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(c, _)| c.to_string())
}

/// Reports the department's invalid codes (its own and any other its sub-items publish)
/// and the sub-items that publish another code.
fn report_codes(dept: &Department, code: &str, lang: Lang, out: &mut DeptTree) {
    let mut others: Vec<(&str, usize)> = Vec::new();
    for sub in dept.main_items.iter().flat_map(|m| &m.sub_items) {
        if sub.dept_code != code {
            match others.iter_mut().find(|(c, _)| *c == sub.dept_code) {
                Some((_, n)) => *n += 1,
                None => others.push((&sub.dept_code, 1)),
            }
        }
    }
    for c in std::iter::once(code).chain(others.iter().map(|(c, _)| *c)) {
        if let Err(rejection) = validate_kind(ElementKind::Uscc, c) {
            out.invalid_codes.push(InvalidCode {
                department: dept.department.clone(),
                code: c.to_string(),
                reason: rejection.message(lang),
            });
        }
    }
    if !others.is_empty() {
        let list: Vec<String> = others.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        let total: usize = others.iter().map(|(_, n)| n).sum();
        out.notes.push(lang.pick(
            format!(
                "{}：{total} 个子项发布的部门编码不是 {code}（{}），一并归入实施主体 {code}",
                dept.department,
                list.join("、")
            ),
            format!(
                "{}: {total} sub-items publish another department code than {code} ({}); they are attached to agency {code}",
                dept.department,
                list.join(", ")
            ),
        ));
    }
}

/// The region of `四川省广安市广安区 (511602)` with its parents, outermost first.
fn regions(text: &str) -> Vec<Region> {
    let (name, code) = match (text.rfind('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close => {
            (text[..open].trim(), text[open + 1..close].trim())
        }
        _ => (text.trim(), ""),
    };
    // split after 省 and 市: 四川省 | 广安市 | 广安区
    let mut parts: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '省' | '市') && end < name.len() && parts.len() < 2 {
            parts.push(&name[start..end]);
            start = end;
        }
    }
    parts.push(&name[start..]);
    let region = |code: String, name: &str, parent: Option<String>| Region {
        code: code.into(),
        name: name.into(),
        parent,
    };
    match (region_level(code), parts.as_slice()) {
        (Some(RegionLevel::County), [province, city, county]) => {
            let p = format!("{}0000", &code[..2]);
            let c = format!("{}00", &code[..4]);
            vec![
                region(p.clone(), province, None),
                region(c.clone(), city, Some(p)),
                region(code.to_string(), county, Some(c)),
            ]
        }
        _ => vec![region(code.to_string(), name, None)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_text_gives_the_county_and_its_parents() {
        let r = regions("四川省广安市广安区 (511602)");
        let got: Vec<(&str, &str, Option<&str>)> = r
            .iter()
            .map(|r| (r.code.as_str(), r.name.as_str(), r.parent.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("510000", "四川省", None),
                ("511600", "广安市", Some("510000")),
                ("511602", "广安区", Some("511600")),
            ]
        );
        assert_eq!(regions("某地 (511602)")[0].name, "某地");
    }
}
