//! `element merge` without loading the catalog: the two elements and what references the one
//! merged (its forms, the elements under it) are read as the store's cached element links
//! name them, the batch the loaded catalog's merge makes is made over them and written over
//! them (see `UnloadedStore::merge_records`, `UnloadedStore::apply_near`). At a million
//! elements a merge of an element bound in 680 forms takes under a second within 180 MiB,
//! where loading the catalog took 670 MiB. An element that more records reference than one
//! write takes is merged a chunk of them at a time through the journal
//! (`UnloadedStore::merge_in_chunks`).

use std::path::PathBuf;

use crate::engine::{dups, usage};
use crate::i18n::Lang;
use crate::model::{ElementLinks, Kind, Outline};
use crate::store::{IfMissing, UnloadedStore};

use super::Failure;

/// Merges the element `merge` into `into` over the records near them. `Ok(None)`: the store
/// cannot answer it so (no cached outline or element links, an element so referenced that
/// the catalog is needed, a write the records near it cannot answer for), nothing written:
/// the loaded store merges.
pub(super) fn merge_near(
    db: &Option<PathBuf>,
    merge: &str,
    into: &str,
    force: bool,
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    let store = super::open_unloaded(db.clone(), IfMissing::Refuse, lang)?;
    let (Some(mut outline), Some(links)) = (store.outline(), store.element_links()) else {
        return Ok(None);
    };
    if !UnloadedStore::merges_near(&links, merge) {
        return merge_in_chunks(store, merge, into, force, (outline, links), lang);
    }
    let failed = |e| Failure::store(e, lang);
    // (none when one of them is not stored: said as the loaded catalog says it)
    let found = store.merge_records(into, merge, &links).map_err(failed)?;
    let mut near = found.unwrap_or_default();
    let batch =
        dups::merge_batch(&near, into, merge, force).map_err(|e| Failure::new(e.message(lang)))?;
    let said = merged(merge, into, usage::usage(&near, merge).fields.len(), lang);
    super::write_near(
        store,
        batch,
        &mut near,
        &mut outline,
        Some(links),
        &said,
        lang,
    )
}

/// Merges the element `merge`, which more records reference than one write near them
/// takes, into `into` a chunk of records at a time (see `UnloadedStore::merge_in_chunks`),
/// checked first as the loaded catalog's merge checks the two elements. `Ok(None)`: the
/// store cannot answer it so, nothing written: the loaded store merges.
fn merge_in_chunks(
    mut store: UnloadedStore,
    merge: &str,
    into: &str,
    force: bool,
    (mut outline, links): (Outline, ElementLinks),
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    let failed = |e| Failure::store(e, lang);
    let pair = store
        .records_as_catalog(&[(Kind::Element, into), (Kind::Element, merge)])
        .map_err(failed)?;
    dups::merge_batch(&pair, into, merge, force).map_err(|e| Failure::new(e.message(lang)))?;
    let fields = links
        .references(merge)
        .filter(|r| r.field.is_some())
        .count();
    match store.merge_in_chunks(into, merge, &mut outline, links) {
        Ok(Some(_)) => {
            store.close_for_exit();
            eprintln_lossy!("{}", merged(merge, into, fields, lang));
            Ok(Some(0))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(failed(e)),
    }
}

/// What `element merge` says once `merge` is merged into `into`, `fields` fields moved.
pub(super) fn merged(merge: &str, into: &str, fields: usize, lang: Lang) -> String {
    lang.pick(
        format!("已将 {merge} 合并到 {into}：{fields} 个字段改为引用 {into}"),
        format!("merged {merge} into {into}: {fields} fields now use {into}"),
    )
}
