//! Filled merged form → one filled record per source form.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::display::inert;
use crate::engine::preview::{Check, Preview};
use crate::engine::validate::{Rejection, quote};
use crate::i18n::Lang;
use crate::model::Catalog;

use super::{Merge, SourceRef};

/// A filled merged form: values by merged-field key (element code, or `form/field` for
/// unbound fields); a group's covered child elements may carry their own values, and any
/// source field its own `form/field` value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filled {
    /// Bundle code.
    pub bundle: String,
    /// Answers the form was filled under (they decide which forms and fields are visible).
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// The values.
    pub values: BTreeMap<String, String>,
}

/// Filled source forms: form code → field key → value.
pub type Distributed = BTreeMap<String, BTreeMap<String, String>>;

/// A value that the validator of the field it would fill rejects (the same validators as
/// the form preview: the element's, or the chosen document type's for a number paired with
/// a 联动证件类型 field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    /// The key of the filled merged form that gave the value.
    pub key: String,
    /// The value.
    pub value: String,
    /// The source fields it would fill and the validator rejected it for.
    pub fields: Vec<SourceRef>,
    /// Why (the first rejection).
    pub reason: Rejection,
}

/// Why a filled merged form is not distributed: keys that name no field of the merge
/// (sorted), and values a source field's validator rejects (by key). Nothing is
/// distributed while either is there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistributeError {
    /// Keys that match no field of the merge.
    pub unknown: Vec<String>,
    /// Values that do not validate.
    pub invalid: Vec<InvalidValue>,
}

impl DistributeError {
    /// The message in a language: every unknown key, and every rejected key with its value,
    /// the fields and the reason.
    pub fn message(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if !self.unknown.is_empty() {
            let keys = inert(&self.unknown.join(", ")).into_owned();
            parts.push(lang.pick(
                format!(
                    "{} 个值不对应合并表单的任何字段：{keys}（键应为合并字段的数据元编码、其下级数据元编码或可见来源字段的 表单/字段）",
                    self.unknown.len()
                ),
                format!(
                    "{} value(s) match no field of the merged form: {keys} (a key is a merged field's element, one of its child elements, or FORM/FIELD of a visible source field)",
                    self.unknown.len()
                ),
            ));
        }
        if !self.invalid.is_empty() {
            let each: Vec<String> = self
                .invalid
                .iter()
                .map(|v| {
                    let fields: Vec<String> = v
                        .fields
                        .iter()
                        .map(|s| format!("{}/{}", s.form, s.field))
                        .collect();
                    let (key, value, fields, reason) = (
                        &v.key,
                        quote(&v.value),
                        fields.join(", "),
                        v.reason.message(lang),
                    );
                    inert(&lang.pick(
                        format!("{key} = \"{value}\"（{fields}：{reason}）"),
                        format!("{key} = \"{value}\" ({fields}: {reason})"),
                    ))
                    .into_owned()
                })
                .collect();
            parts.push(lang.pick(
                format!("{} 个值未通过校验：{}", self.invalid.len(), each.join("；")),
                format!(
                    "{} value(s) fail validation: {}",
                    self.invalid.len(),
                    each.join("; ")
                ),
            ));
        }
        parts.push(
            lang.pick("未分发任何值", "nothing was distributed")
                .to_string(),
        );
        parts.join(lang.pick("；", "; "))
    }
}

/// Splits `filled` back into every source form of `merge`. A source field takes, first
/// found: the value of its own `form/field` key (so one source of a merged field can be
/// given another value), the value of its element (a covered child element's own value),
/// the value of its merged field. Sources without a value are left out. Keys that match
/// none of these for any visible source are refused, all of them named; so are values that
/// a source field's validator rejects (as the form preview would), each with its key.
pub fn distribute(
    catalog: &Catalog,
    merge: &Merge,
    filled: &Filled,
) -> Result<Distributed, DistributeError> {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut out = Distributed::new();
    // per filled source field, the key its value came from
    let mut origin: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for field in &merge.fields {
        let key = field.key();
        let group_value = filled.values.get_key_value(&key).map(|(k, v)| {
            used.insert(k.as_str());
            (k, v)
        });
        for source in &field.sources {
            let own = format!("{}/{}", source.form, source.field);
            let element = catalog
                .forms
                .get(source.form.as_str())
                .and_then(|f| f.fields().find(|(_, _, x)| x.key == source.field))
                .and_then(|(_, _, x)| x.element.as_deref());
            let own_value = filled.values.get_key_value(own.as_str());
            let element_value = element.and_then(|e| filled.values.get_key_value(e));
            used.extend(
                own_value
                    .iter()
                    .chain(&element_value)
                    .map(|(k, _)| k.as_str()),
            );
            if let Some((k, value)) = own_value.or(element_value).or(group_value) {
                out.entry(source.form.to_string())
                    .or_default()
                    .insert(source.field.to_string(), value.clone());
                origin.insert((source.form.as_str(), source.field.as_str()), k.as_str());
            }
        }
    }
    let unknown: Vec<String> = filled
        .values
        .keys()
        .filter(|k| !used.contains(k.as_str()))
        .cloned()
        .collect();
    let invalid = check_values(catalog, &mut out, &origin, filled);
    if unknown.is_empty() && invalid.is_empty() {
        Ok(out)
    } else {
        Err(DistributeError { unknown, invalid })
    }
}

/// The distributed values that a field's validator rejects, grouped by the key that gave
/// them (in key order): each form is checked as its preview checks typed values. A valid
/// value is kept in the spelling the validator gives (a 身份证号码 typed with `x` is kept
/// with `X`), so what is distributed is what a later check accepts as it is.
fn check_values(
    catalog: &Catalog,
    out: &mut Distributed,
    origin: &BTreeMap<(&str, &str), &str>,
    filled: &Filled,
) -> Vec<InvalidValue> {
    let mut by_key: BTreeMap<&str, InvalidValue> = BTreeMap::new();
    for (form_code, values) in out.iter_mut() {
        let Some(form) = catalog.forms.get(form_code.as_str()) else {
            continue;
        };
        let preview = Preview::build(catalog, form);
        let mut respelled = Vec::new();
        for (i, row) in preview.rows.iter().enumerate() {
            // sub-fields of a parent element take no value here: its fields do
            if row.depth > 0 || !values.contains_key(&row.key) {
                continue;
            }
            let Check::Invalid(reason) = preview.check(catalog, values, i) else {
                if let Some(kept) = preview.normalized(catalog, values, i) {
                    respelled.push((row.key.clone(), kept));
                }
                continue;
            };
            let Some(&key) = origin.get(&(form_code.as_str(), row.key.as_str())) else {
                continue;
            };
            let source = SourceRef {
                form: form_code.as_str().into(),
                field: row.key.as_str().into(),
            };
            by_key
                .entry(key)
                .or_insert_with(|| InvalidValue {
                    key: key.to_string(),
                    value: filled.values.get(key).cloned().unwrap_or_default(),
                    fields: Vec::new(),
                    reason,
                })
                .fields
                .push(source);
        }
        values.extend(respelled);
    }
    by_key.into_values().collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::engine::merge::merge;

    /// The sample's 我要开餐馆 with every question answered yes / 500 m² or more.
    fn restaurant() -> (Catalog, Merge) {
        let catalog = crate::sample::generate(1);
        let answers = [("area", "ge500"), ("signboard", "yes"), ("tobacco", "yes")]
            .into_iter()
            .map(|(q, o)| (q.to_string(), o.to_string()))
            .collect();
        let m = merge(
            &catalog,
            &catalog.bundles["ZT001"],
            &answers,
            &BTreeSet::new(),
        );
        (catalog, m)
    }

    fn filled(values: &[(&str, &str)]) -> Filled {
        Filled {
            bundle: "ZT001".into(),
            answers: BTreeMap::new(),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }

    #[test]
    fn keys_matching_no_field_are_refused_and_named() {
        let (catalog, m) = restaurant();
        let err = distribute(
            &catalog,
            &m,
            &filled(&[
                ("DE000030", "甲公司"),
                ("DE999999", "x"),
                ("BD000003/zz", "y"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.unknown, ["BD000003/zz", "DE999999"]);
        assert!(err.invalid.is_empty());
        assert!(
            err.message(Lang::En)
                .starts_with("2 value(s) match no field")
        );
    }

    #[test]
    fn values_the_preview_would_reject_are_refused_with_their_keys() {
        let (catalog, m) = restaurant();
        // 出资日期 DE000045 (a date) and 移动电话 DE000006 (mobile, six sources)
        let err = distribute(
            &catalog,
            &m,
            &filled(&[
                ("DE000030", "甲公司"),
                ("DE000045", "2024-02-30"),
                ("DE000006", "1380013800"),
            ]),
        )
        .unwrap_err();
        assert!(err.unknown.is_empty());
        let keys: Vec<&str> = err.invalid.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["DE000006", "DE000045"]);
        assert_eq!(err.invalid[1].value, "2024-02-30");
        assert_eq!(err.invalid[1].fields.len(), 1);
        assert_eq!(err.invalid[0].fields.len(), 6, "every source it would fill");
        let zh = err.message(Lang::Zh);
        assert!(
            zh.contains("2 个值未通过校验：DE000006 = \"1380013800\"（BD000003/f12, ")
                && zh.contains("DE000045 = \"2024-02-30\"（BD000003/f18：日期 2024-02-30 不存在）")
                && zh.ends_with("未分发任何值"),
            "{zh}"
        );
        assert!(err.message(Lang::En).contains("fail validation"));
        // valid values pass; an own FORM/FIELD value is checked as that field's
        assert!(
            distribute(
                &catalog,
                &m,
                &filled(&[("DE000045", "2024-02-29"), ("DE000006", "13800138000")])
            )
            .is_ok()
        );
        let err = distribute(&catalog, &m, &filled(&[("BD000003/f18", "明天")])).unwrap_err();
        assert_eq!(err.invalid[0].key, "BD000003/f18");
    }

    #[test]
    fn a_lower_case_x_is_distributed_upper_case() {
        let (catalog, m) = restaurant();
        let id = m
            .fields
            .iter()
            .find(|f| {
                f.element
                    .as_deref()
                    .and_then(|e| catalog.elements.get(e))
                    .is_some_and(|e| e.kind == crate::model::ElementKind::CnId)
            })
            .expect("a 身份证号码 field");
        let key = id.key();
        let out = distribute(&catalog, &m, &filled(&[(&key, "11010519491231002x")]))
            .expect("a lower-case x is valid");
        assert!(!id.sources.is_empty());
        for s in &id.sources {
            assert_eq!(
                out[s.form.as_str()][s.field.as_str()],
                "11010519491231002X",
                "{s:?}"
            );
        }
    }

    #[test]
    fn choices_and_cascades_typed_by_label_are_distributed_as_codes() {
        use crate::model::ElementKind as K;
        let (catalog, m) = restaurant();
        let of_kind = |kinds: &[K]| {
            m.fields
                .iter()
                .find(|f| {
                    f.element
                        .as_deref()
                        .and_then(|e| catalog.elements.get(e))
                        .is_some_and(|e| kinds.contains(&e.kind))
                })
                .expect("a field of that kind")
        };
        let element = |f: &crate::engine::merge::MergedField| {
            &catalog.elements[f.element.as_deref().expect("bound")]
        };
        // a cascade by labels, level by level (the sample's first path down)
        let cascade = of_kind(&[K::LinkedDropdown]);
        let codes = crate::engine::preview::example(element(cascade));
        let labels: Vec<String> = codes
            .split('/')
            .map(|c| {
                let e = element(cascade);
                e.options
                    .iter()
                    .find(|o| o.code == c)
                    .map(|o| o.label.to_string())
                    .expect("an option")
            })
            .collect();
        // and a choice by label
        let choice = of_kind(&[K::SingleChoice, K::Dropdown]);
        let option = &element(choice).options[0];
        assert_ne!(option.label, option.code);
        let out = distribute(
            &catalog,
            &m,
            &filled(&[
                (&cascade.key(), &labels.join("/")),
                (&choice.key(), &option.label),
            ]),
        )
        .expect("labels are valid");
        for (field, kept) in [(cascade, codes.as_str()), (choice, option.code.as_str())] {
            assert!(!field.sources.is_empty());
            for s in &field.sources {
                assert_eq!(out[s.form.as_str()][s.field.as_str()], kept, "{s:?}");
            }
        }
    }

    #[test]
    fn a_form_field_key_overrides_its_element_for_that_source_only() {
        let (catalog, m) = restaurant();
        // 企业名称 DE000030 has six sources, BD000003/f01 among them
        let sources = &m
            .merged_field_of("BD000003", "f01")
            .expect("merged")
            .sources;
        assert_eq!(sources.len(), 6);
        let out = distribute(
            &catalog,
            &m,
            &filled(&[("DE000030", "甲公司"), ("BD000003/f01", "甲有限公司")]),
        )
        .expect("every key is known");
        assert_eq!(out["BD000003"]["f01"], "甲有限公司");
        for s in &sources[1..] {
            assert_eq!(out[s.form.as_str()][s.field.as_str()], "甲公司", "{s:?}");
        }
    }
}
