//! Every form linted from the store a form at a time, without loading the catalog: what
//! `form lint`, `form list` and pane 3 count warnings with at a million elements.
//!
//! A form's warnings read, besides the form, the elements it binds (their names and status),
//! the bundles that hold its item (their questions) and the elements the pool's covers offer
//! for its unbound labels (their names). So one pass over the forms collects the unbound
//! labels, one pass over the elements makes their covers (as the loaded catalog's lint does),
//! and a second pass over the forms lints each on a catalog of just those records: every
//! bundle and every element the covers name, read once, with the elements bound by the forms
//! of a chunk read as they come.

use std::collections::BTreeSet;

use crate::engine::lint::{Warning, lint_form};
use crate::model::{Catalog, Form, Kind, RecordRef, RecordSource};

use super::error::StoreError;
use super::sled_store::RecordReader;

/// Forms linted on one catalog of the records near them before it is made again from the
/// bundles and the covers' elements (which bounds what the elements bound by the forms add).
const CHUNK_FORMS: usize = 2048;

impl RecordReader {
    /// Lints every form, in code order, as `engine::lint::lint` lints the loaded catalog's:
    /// `each` gets each form with its warnings. A record that cannot be read stops it.
    pub fn lint_forms(&self, each: &mut dyn FnMut(&Form, Vec<Warning>)) -> Result<(), StoreError> {
        self.lint_forms_in_chunks(CHUNK_FORMS, each)
    }

    /// [`RecordReader::lint_forms`], the catalog near the forms made again every `chunk`
    /// forms.
    fn lint_forms_in_chunks(
        &self,
        chunk: usize,
        each: &mut dyn FnMut(&Form, Vec<Warning>),
    ) -> Result<(), StoreError> {
        let mut labels = BTreeSet::new();
        self.each_record(Kind::Form, &mut |record| {
            if let RecordRef::Form(form) = record {
                let unbound = form.fields().filter(|(_, _, f)| f.element.is_none());
                labels.extend(unbound.map(|(_, _, f)| f.label.to_string()));
            }
            Ok(())
        })
        .map_err(|e| self.read_error(e))?;
        let covers = self.covers(labels.iter().map(String::as_str))?;
        let mut base = Catalog::default();
        self.each_record(Kind::Bundle, &mut |record| {
            base.insert(record.to_record());
            Ok(())
        })
        .map_err(|e| self.read_error(e))?;
        for element in self.named(&covers, &base)? {
            base.insert(element);
        }
        let mut near = base.clone();
        let mut linted = 0;
        self.each_record(Kind::Form, &mut |record| {
            let RecordRef::Form(form) = record else {
                return Ok(());
            };
            if linted % chunk.max(1) == 0 {
                near = base.clone();
            }
            linted += 1;
            let bound: Vec<&str> = form
                .fields()
                .filter_map(|(_, _, f)| f.element.as_deref())
                .filter(|code| !near.elements.contains_key(*code))
                .collect();
            for code in bound {
                if let Some(element) = self
                    .record(Kind::Element, code)
                    .map_err(std::io::Error::other)?
                {
                    near.insert(element);
                }
            }
            each(form, lint_form(&near, &covers, form));
            Ok(())
        })
        .map_err(|e| self.read_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::store::{Batch, SledStore, Store};

    /// A form of the sample's first item with unbound fields only an element of the pool
    /// covers, one bound to a draft element, and two fields on one element.
    const EXTRA: &str = r#"{"format": "yibiao/1",
        "elements": [{"code": "DE999999", "name": "紧急联系人电话", "kind": "mobile",
                      "synonyms": ["紧急联系电话", "紧急联络电话"]},
                     {"code": "DE999998", "name": "草稿数据元", "kind": "text", "status": "draft"}],
        "forms": [{"code": "BD999999", "name": "补充表",
                   "item": "0100001001-511602000000-000-11511602299513299M-1-00",
                   "sections": [{"title": "联系", "fields": [
                       {"key": "f1", "label": "紧急联系电话"},
                       {"key": "f2", "label": "紧急联络电话"},
                       {"key": "f3", "label": "草稿", "element": "DE999998"},
                       {"key": "f4", "label": "又一个", "element": "DE999998"}]},
                                {"title": "空", "fields": []}]}]}"#;

    #[test]
    fn forms_linted_from_the_store_warn_as_the_loaded_catalogs_lint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sample = crate::sample::generate(1);
        let extra = crate::io::json::parse_import(EXTRA, &sample, Lang::En).expect("parses");
        let mut store = SledStore::open(dir.path()).expect("open");
        store
            .apply(Batch::upserts("sample", sample.into_records()))
            .expect("sample");
        store.apply(Batch::upserts("extra", extra)).expect("extra");
        let expected = crate::engine::lint::lint(store.catalog());
        drop(store);
        let mut kinds: Vec<_> = expected.iter().map(|w| w.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert!(kinds.len() >= 5, "{kinds:?}");
        let offered = expected
            .iter()
            .any(|w| w.form == "BD999999" && w.element.as_deref() == Some("DE999999"));
        assert!(offered, "the pool's element is offered");
        let unloaded = SledStore::open_unloaded(dir.path()).expect("open");
        let reader = unloaded.reader();
        for chunk in [CHUNK_FORMS, 7, 1] {
            let mut got = Vec::new();
            let mut forms = 0;
            reader
                .lint_forms_in_chunks(chunk, &mut |_, warnings| {
                    forms += 1;
                    got.extend(warnings);
                })
                .expect("reads");
            assert_eq!(got, expected, "chunks of {chunk}");
            assert!(forms > 100, "{forms}");
        }
    }
}
