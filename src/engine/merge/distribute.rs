//! Filled merged form → one filled record per source form.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::model::Catalog;

use super::Merge;

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

/// Keys of a filled merged form that name no field of the merge (sorted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKeys(pub Vec<String>);

impl UnknownKeys {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        let keys = crate::display::inert(&self.0.join(", ")).into_owned();
        lang.pick(
            format!(
                "{} 个值不对应合并表单的任何字段：{keys}（键应为合并字段的数据元编码、其下级数据元编码或可见来源字段的 表单/字段）",
                self.0.len()
            ),
            format!(
                "{} value(s) match no field of the merged form: {keys} (a key is a merged field's element, one of its child elements, or FORM/FIELD of a visible source field)",
                self.0.len()
            ),
        )
    }
}

/// Splits `filled` back into every source form of `merge`. A source field takes, first
/// found: the value of its own `form/field` key (so one source of a merged field can be
/// given another value), the value of its element (a covered child element's own value),
/// the value of its merged field. Sources without a value are left out. Keys that match
/// none of these for any visible source are refused, all of them named.
pub fn distribute(
    catalog: &Catalog,
    merge: &Merge,
    filled: &Filled,
) -> Result<Distributed, UnknownKeys> {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut out = Distributed::new();
    for field in &merge.fields {
        let key = field.key();
        let group_value = filled.values.get_key_value(&key).map(|(k, v)| {
            used.insert(k.as_str());
            v
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
            let value = own_value.or(element_value).map(|(_, v)| v).or(group_value);
            if let Some(value) = value {
                out.entry(source.form.to_string())
                    .or_default()
                    .insert(source.field.to_string(), value.clone());
            }
        }
    }
    let unknown: Vec<String> = filled
        .values
        .keys()
        .filter(|k| !used.contains(k.as_str()))
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(UnknownKeys(unknown))
    }
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
        assert_eq!(err.0, ["BD000003/zz", "DE999999"]);
        assert!(
            err.message(Lang::En)
                .starts_with("2 value(s) match no field")
        );
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
