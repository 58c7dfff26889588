//! The key help, generated from the action registry and the keymap in force: grouped by
//! scope for the `?` overlay, and as a Markdown table for the README.

use super::action::{ACTIONS, Scope};
use super::keymap::Keymap;
use crate::i18n::Lang;

/// One help row: the keys bound to an action (in its scope) and its doc line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpRow {
    /// The action's name.
    pub name: &'static str,
    /// Its keys, `, `-separated; empty when unbound (reachable from the palette).
    pub keys: String,
    /// The doc line.
    pub doc: &'static str,
}

/// The help, grouped by scope in help order.
pub fn groups(keymap: &Keymap, lang: Lang) -> Vec<(Scope, Vec<HelpRow>)> {
    Scope::ALL
        .into_iter()
        .map(|scope| {
            let rows = ACTIONS
                .iter()
                .filter(|d| d.scope == scope)
                .map(|d| HelpRow {
                    name: d.name,
                    keys: keymap.keys_of(d.action).join(", "),
                    doc: d.doc(lang),
                })
                .collect();
            (scope, rows)
        })
        .collect()
}

/// The Markdown key table for a keymap: one section per scope, `| keys | action | doc |`.
pub fn markdown(keymap: &Keymap, lang: Lang) -> String {
    let mut out = String::new();
    for (scope, rows) in groups(keymap, lang) {
        out.push_str(&format!("\n#### {}\n\n", scope.title(lang)));
        out.push_str(&format!(
            "| {} | {} | {} |\n|---|---|---|\n",
            lang.pick("按键", "keys"),
            lang.pick("动作", "action"),
            lang.pick("说明", "what it does")
        ));
        for row in rows {
            let keys = if row.keys.is_empty() {
                String::from("-")
            } else {
                row.keys
                    .split(", ")
                    .map(|k| format!("`{}`", k.replace('|', "\\|")))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            out.push_str(&format!("| {keys} | `{}` | {} |\n", row.name, row.doc));
        }
    }
    out
}
