//! The records a claim of a template reads, without the catalog: the template (an item, a
//! material or a bundle) and its forms as the cached outline lists them. `engine::template::
//! claim_among` over them, with the store's keys saying which codes are taken, makes the
//! batch the loaded catalog's claim makes, and `UnloadedStore::apply_near` writes it (a new
//! record and new forms, placed in the outline and the links).

use super::UnloadedStore;
use crate::model::{Catalog, Kind, Outline, Record};
use crate::store::StoreError;

impl UnloadedStore {
    /// The template `code` (looked for as `engine::template::find` looks: items, then
    /// materials, then bundles) and the forms whose item or material it is, by the
    /// `outline`; `None` when no item, material or bundle has the code.
    pub fn claim_records(
        &self,
        code: &str,
        outline: &Outline,
    ) -> Result<Option<Catalog>, StoreError> {
        let Some(template) = self.find_entry(code)? else {
            return Ok(None);
        };
        let kind = template.kind();
        let mut near = Catalog::default();
        near.insert(template);
        if matches!(kind, Kind::Item | Kind::Material) {
            let forms = outline.referrers(kind, code).unwrap_or_default();
            for (_, form) in forms.into_iter().filter(|(k, _)| *k == Kind::Form) {
                if let Some(found) = self.record(Kind::Form, form)? {
                    near.insert(found);
                }
            }
        }
        Ok(Some(near))
    }

    /// The item, material or bundle `code`, looked for as `engine::template::find` looks:
    /// items, then materials, then bundles.
    pub(super) fn find_entry(&self, code: &str) -> Result<Option<Record>, StoreError> {
        for kind in crate::engine::template::KINDS {
            if let Some(found) = self.record(kind, code)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Whether the store holds a record `code` of `kind` (a record that cannot be read
    /// counts as held: a claim never takes its code).
    pub fn holds(&self, kind: Kind, code: &str) -> bool {
        self.record(kind, code).map_or(true, |r| r.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::template;
    use crate::store::sled_store::near_write::tests::batches_written_as_over_the_whole_catalog;
    use crate::store::{Batch, Command};

    #[test]
    fn claims_written_near_them_are_written_as_over_the_whole_catalog() {
        let mut claims = None;
        let mut kinds = Vec::new();
        let next = |catalog: &Catalog| {
            let claims = claims.get_or_insert_with(|| {
                let templates = template::templates(catalog);
                // two of each kind the sample has
                let mut picked: Vec<String> = Vec::new();
                for kind in template::KINDS {
                    let of = templates.iter().filter(|t| t.kind() == kind);
                    picked.extend(of.take(2).map(|t| t.code().to_string()));
                }
                picked.into_iter()
            });
            let code = claims.next()?;
            let new_code = format!("{code}C");
            let batch = template::claim(catalog, &code, &new_code).unwrap();
            kinds.push(batch.commands.len());
            Some(batch)
        };
        let near = |store: &UnloadedStore, batch: &Batch, outline: &Outline| {
            let (Command::Upsert(entry), Some(template)) =
                (&batch.commands[0], batch_template(batch))
            else {
                unreachable!("a claim's entry first")
            };
            let near = store.claim_records(&template, outline).unwrap().unwrap();
            let made = template::claim_among(&near, &template, entry.code(), |kind, code| {
                store.holds(kind, code)
            });
            assert_eq!(made.as_ref(), Ok(batch));
            // a code the store holds is refused as over the whole catalog
            let taken = template::claim_among(&near, &template, &template, |kind, code| {
                store.holds(kind, code)
            });
            assert!(
                matches!(taken, Err(template::TemplateError::Taken(..))),
                "{taken:?}"
            );
            near
        };
        let (_, kept_lint) = batches_written_as_over_the_whole_catalog(next, near);
        assert!(kinds.len() >= 4, "{kinds:?}");
        assert!(kinds.iter().any(|&n| n > 1), "forms copied: {kinds:?}");
        assert_eq!(kept_lint, 0, "new forms have warnings of their own");
    }

    /// The template a claim's batch claims from (its entry's `template_of`).
    fn batch_template(batch: &Batch) -> Option<String> {
        match &batch.commands[0] {
            Command::Upsert(entry) => {
                crate::engine::template::template_of(entry.as_ref()).map(str::to_string)
            }
            Command::Delete { .. } => None,
        }
    }
}
