//! Filled merged form → one filled record per source form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Catalog;

use super::Merge;

/// A filled merged form: values by merged-field key (element code, or `form/field` for
/// unbound fields); a group's covered child elements may carry their own values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filled {
    /// Bundle code.
    pub bundle: String,
    /// Answers the form was filled under.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// The values.
    pub values: BTreeMap<String, String>,
}

/// Filled source forms: form code → field key → value.
pub type Distributed = BTreeMap<String, BTreeMap<String, String>>;

/// Splits `filled` back into every source form of `merge`. A source bound to element E takes
/// the value of E (a covered child falls back to its group's value); an unbound source takes
/// the value of its own `form/field` key. Sources without a value are left out.
pub fn distribute(catalog: &Catalog, merge: &Merge, filled: &Filled) -> Distributed {
    let mut out = Distributed::new();
    for field in &merge.fields {
        let group_value = filled.values.get(&field.key());
        for source in &field.sources {
            let element = catalog
                .forms
                .get(source.form.as_str())
                .and_then(|f| f.fields().find(|(_, _, x)| x.key == source.field))
                .and_then(|(_, _, x)| x.element.clone());
            let value = element
                .as_deref()
                .and_then(|e| filled.values.get(e))
                .or(group_value);
            if let Some(value) = value {
                out.entry(source.form.to_string())
                    .or_default()
                    .insert(source.field.to_string(), value.clone());
            }
        }
    }
    out
}
