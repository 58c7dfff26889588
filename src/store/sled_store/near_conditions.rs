//! What a change to bundles moves in the cached lint counts, read over the records near it:
//! a form's condition warns when it names a question or option no bundle holding the form's
//! item asks ([`lint::unanswered_conditions`]), so a bundle's questions, items and presence
//! move the warnings of the forms of the items it holds (before or after), and nothing else.
//! Those forms and the other bundles holding their items are found by the outline and read
//! one by one: a bundle's change keeps `lint.idx` without counting every form again.

use std::collections::{BTreeMap, BTreeSet};

use super::UnloadedStore;
use super::near_write::Change;
use crate::engine::lint::{LintCounts, unanswered_conditions};
use crate::model::{Bundle, Form, Kind, Outline, Record};
use crate::store::StoreError;

impl UnloadedStore {
    /// Brings `counts` (a form's code → its warnings) from before the bundles `changed`
    /// (changes of other kinds are passed over) to after them: each form of an item a
    /// changed bundle holds or held, its condition warnings counted with the bundles that
    /// hold its item before and after. `outline` is the catalog's before the change.
    pub(super) fn follow_conditions(
        &self,
        counts: &mut LintCounts,
        changed: &[Change],
        outline: &Outline,
    ) -> Result<(), StoreError> {
        let bundles: Vec<&Change> = changed.iter().filter(|c| c.kind == Kind::Bundle).collect();
        let items: BTreeSet<&str> = bundles
            .iter()
            .flat_map(|c| [&c.old, &c.new])
            .filter_map(|r| match r {
                Some(Record::Bundle(b)) => Some(b),
                _ => None,
            })
            .flat_map(|b| b.items.iter().map(String::as_str))
            .collect();
        let mut read: BTreeMap<String, Bundle> = BTreeMap::new();
        for item in items {
            let referrers = outline.referrers(Kind::Item, item).unwrap_or_default();
            // the bundles holding it before the change, and after: the changed ones as they
            // were and as they are, the others as stored
            let mut before: Vec<&Bundle> = Vec::new();
            let mut after: Vec<&Bundle> = Vec::new();
            for (_, code) in referrers.iter().filter(|(k, _)| *k == Kind::Bundle) {
                if bundles.iter().any(|c| c.code == *code) {
                    continue;
                }
                if !read.contains_key(*code)
                    && let Some(Record::Bundle(b)) = self.record(Kind::Bundle, code)?
                {
                    read.insert(code.to_string(), b);
                }
            }
            for (_, code) in referrers.iter().filter(|(k, _)| *k == Kind::Bundle) {
                if let Some(b) = read.get(*code) {
                    before.push(b);
                    after.push(b);
                }
            }
            for change in &bundles {
                if let Some(Record::Bundle(b)) = &change.old {
                    before.push(b);
                }
                if let Some(Record::Bundle(b)) = &change.new {
                    after.push(b);
                }
            }
            let holds = |b: &&Bundle| b.items.iter().any(|i| i == item);
            before.retain(holds);
            after.retain(holds);
            for (_, code) in referrers.iter().filter(|(k, _)| *k == Kind::Form) {
                let Some(Record::Form(form)) = self.record(Kind::Form, code)? else {
                    continue;
                };
                if form.item.as_deref() == Some(item) {
                    follow_form(counts, &form, &before, &after);
                }
            }
        }
        Ok(())
    }
}

/// Moves `form`'s count by its condition warnings with the bundles `after` less those with
/// `before`.
fn follow_form(counts: &mut LintCounts, form: &Form, before: &[&Bundle], after: &[&Bundle]) {
    let (was, is) = (
        unanswered_conditions(form, before),
        unanswered_conditions(form, after),
    );
    if was == is {
        return;
    }
    let n = (counts.get(form.code.as_str()).copied().unwrap_or(0) + is).saturating_sub(was);
    if n == 0 {
        counts.remove(form.code.as_str());
    } else {
        counts.insert(form.code.to_string(), n);
    }
}
