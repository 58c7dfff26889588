//! Records → tables: one row per record in the main tables, one row per nested entry in the
//! nested tables, every value spelled as `cells` says.

use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Element, Form, Item, Kind, Material, RecordRef, RecordSource};

use super::cells::{Spelled, flag, join_list, join_when};
use super::{Cell, Sheet, TableId};

/// The tables of `kinds` (every kind when empty) for `catalog`, headers and values in `lang`.
/// Tables come in [`TableId::ALL`] order; a table with no rows still has its header.
pub fn sheets(catalog: &Catalog, kinds: &[Kind], lang: Lang) -> Vec<Sheet> {
    // a loaded catalog's records are all there to read, and no table is too long
    sheets_from(catalog, kinds, lang, usize::MAX).unwrap_or_default()
}

/// A table with more rows than a sheet may hold: what stops [`sheets_from`].
#[derive(Debug)]
pub struct TooManyRows(pub TableId);

impl std::fmt::Display for TooManyRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} has too many rows", self.0.en())
    }
}

impl std::error::Error for TooManyRows {}

/// As [`sheets`], with the records read from `source` (a store, a record at a time); fails
/// when a record cannot be read, and with [`TooManyRows`] inside the error as soon as a table
/// passes `most_rows` rows (an XLSX sheet's limit: nothing more is read or held).
pub fn sheets_from(
    source: &dyn RecordSource,
    kinds: &[Kind],
    lang: Lang,
    most_rows: usize,
) -> std::io::Result<Vec<Sheet>> {
    TableId::ALL
        .into_iter()
        .filter(|t| kinds.is_empty() || kinds.contains(&t.kind()))
        .map(|table| {
            let mut rows = Vec::new();
            each_row(source, table, lang, &mut |row| {
                if rows.len() >= most_rows {
                    return Err(std::io::Error::other(TooManyRows(table)));
                }
                rows.push(row);
                Ok(())
            })?;
            Ok(Sheet {
                table,
                header: header(table, lang),
                rows,
            })
        })
        .collect()
}

/// The header cells of `table` in `lang`.
pub fn header(table: TableId, lang: Lang) -> Vec<String> {
    table
        .columns()
        .iter()
        .map(|c| c.header(lang).to_string())
        .collect()
}

/// Calls `each` with every row of `table`, made from `source`'s records of its kind one
/// record at a time, in code order (a CSV file is written so, never held whole); stops at
/// the first error, `each`'s or the source's.
pub fn each_row(
    source: &dyn RecordSource,
    table: TableId,
    lang: Lang,
    each: &mut dyn FnMut(Vec<Cell>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut rows = Vec::new();
    source.each_record(table.kind(), &mut |record| {
        record_rows(record, table, lang, &mut rows);
        rows.drain(..).try_for_each(&mut *each)
    })
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn opt(s: &Option<impl AsRef<str>>) -> Cell {
    Cell::Text(
        s.as_ref()
            .map(|s| s.as_ref().to_string())
            .unwrap_or_default(),
    )
}

fn num(n: impl Into<u64>) -> Cell {
    Cell::Number(n.into())
}

fn spelled(v: impl Spelled, lang: Lang) -> Cell {
    text(v.spell(lang))
}

/// The rows `record` gives in `table` (none when the table is of another kind).
fn record_rows(record: RecordRef<'_>, table: TableId, lang: Lang, rows: &mut Vec<Vec<Cell>>) {
    match (table, record) {
        (TableId::Regions, RecordRef::Region(r)) => {
            rows.push(vec![text(&r.code), text(&r.name), opt(&r.parent)]);
        }
        (TableId::Agencies, RecordRef::Agency(a)) => {
            rows.push(vec![text(&a.code), text(&a.name), opt(&a.region)]);
        }
        (TableId::Elements, RecordRef::Element(e)) => rows.push(element(e, lang)),
        (TableId::ElementOptions, RecordRef::Element(e)) => {
            for o in &e.options {
                rows.push(vec![
                    text(&e.code),
                    text(&o.code),
                    text(&o.label),
                    opt(&o.parent),
                    o.kind.map_or(text(""), |k| spelled(k, lang)),
                ]);
            }
        }
        (TableId::Items, RecordRef::Item(i)) => rows.push(item(i, lang)),
        (TableId::Materials, RecordRef::Material(m)) => rows.push(material(m, lang)),
        (TableId::Forms, RecordRef::Form(f)) => {
            rows.push(vec![
                text(&f.code),
                text(&f.name),
                opt(&f.item),
                opt(&f.material),
                spelled(f.status, lang),
                num(f.version),
            ]);
        }
        (TableId::FormSections, RecordRef::Form(f)) => {
            for s in &f.sections {
                rows.push(vec![text(&f.code), text(&s.title)]);
            }
        }
        (TableId::FormFields, RecordRef::Form(f)) => form_fields(f, lang, rows),
        (TableId::Bundles, RecordRef::Bundle(b)) => {
            rows.push(vec![
                text(&b.code),
                text(&b.name),
                opt(&b.lead_agency),
                text(&join_list(&b.items)),
                spelled(b.status, lang),
                num(b.version),
                spelled(b.origin, lang),
                text(flag(b.template, lang)),
                opt(&b.template_of),
            ]);
        }
        (
            TableId::BundleQuestions
            | TableId::BundleAnswers
            | TableId::BundleItemWhen
            | TableId::BundleMaterials,
            RecordRef::Bundle(b),
        ) => bundle_parts(b, table, rows),
        _ => {}
    }
}

fn element(e: &Element, lang: Lang) -> Vec<Cell> {
    vec![
        text(&e.code),
        text(&e.name),
        text(&join_list(&e.synonyms)),
        spelled(e.kind, lang),
        text(&e.definition),
        opt(&e.pattern),
        opt(&e.parent),
        opt(&e.unit),
        opt(&e.source_agency),
        spelled(e.share, lang),
        num(e.security_level),
        spelled(e.status, lang),
        num(e.version),
    ]
}

fn item(i: &Item, lang: Lang) -> Vec<Cell> {
    vec![
        text(&i.code),
        text(&i.name),
        spelled(i.level, lang),
        opt(&i.parent),
        spelled(i.item_type, lang),
        opt(&i.agency),
        opt(&i.region),
        text(&i.basis),
        num(i.time_limit_days),
        num(i.legal_limit_days),
        text(&i.fee),
        num(i.online_depth),
        text(&join_list(&i.depends_on)),
        text(&join_list(&i.materials)),
        spelled(i.status, lang),
        num(i.version),
        spelled(i.origin, lang),
        text(flag(i.template, lang)),
        opt(&i.template_of),
    ]
}

fn material(m: &Material, lang: Lang) -> Vec<Cell> {
    vec![
        text(&m.code),
        text(&m.name),
        spelled(m.kind, lang),
        text(&m.source),
        opt(&m.issuing_agency),
        opt(&m.licence_code),
        text(flag(m.shareable, lang)),
        num(m.copies),
        text(flag(m.required, lang)),
        text(flag(m.template, lang)),
        opt(&m.template_of),
    ]
}

fn form_fields(f: &Form, lang: Lang, rows: &mut Vec<Vec<Cell>>) {
    for (s, _, field) in f.fields() {
        rows.push(vec![
            text(&f.code),
            num(u64::try_from(s + 1).unwrap_or(u64::MAX)),
            text(&field.key),
            text(&field.label),
            opt(&field.element),
            text(flag(field.required, lang)),
            opt(&field.help),
            text(&field.when.as_deref().map(join_when).unwrap_or_default()),
        ]);
    }
}

fn bundle_parts(b: &Bundle, table: TableId, rows: &mut Vec<Vec<Cell>>) {
    match table {
        TableId::BundleQuestions => {
            for q in &b.questions {
                rows.push(vec![text(&b.code), text(&q.key), text(&q.text)]);
            }
        }
        TableId::BundleAnswers => {
            for q in &b.questions {
                for o in &q.options {
                    rows.push(vec![
                        text(&b.code),
                        text(&q.key),
                        text(&o.key),
                        text(&o.text),
                    ]);
                }
            }
        }
        TableId::BundleItemWhen => {
            for (item, when) in &b.item_when {
                rows.push(vec![text(&b.code), text(item), text(&join_when(when))]);
            }
        }
        TableId::BundleMaterials => {
            for m in &b.materials {
                rows.push(vec![
                    text(&b.code),
                    text(&m.material),
                    text(&m.item),
                    text(&m.when.as_ref().map(join_when).unwrap_or_default()),
                ]);
            }
        }
        _ => {}
    }
}
