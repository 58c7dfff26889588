//! Tables ↔ records without files: round trips and where problems are reported.

use crate::i18n::Lang;
use crate::io::json;
use crate::model::Catalog;

use super::{RawRow, RawTable, Sheet, TableId, records, sheets};

fn small() -> Catalog {
    let text = include_str!("../../../tests/fixtures/small.json");
    let records = json::parse_import(text, &Catalog::default(), Lang::En).expect("fixture");
    Catalog::from_records(records)
}

/// What a file would give back for written sheets.
fn raw(sheets: &[Sheet]) -> Vec<RawTable> {
    sheets
        .iter()
        .map(|s| RawTable {
            table: s.table,
            place: format!("book.xlsx!{}", s.table.zh()),
            header_row: 1,
            header: s.header.clone(),
            rows: s
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| RawRow {
                    number: i + 2,
                    cells: r.iter().map(|c| c.to_text().into_owned()).collect(),
                })
                .collect(),
        })
        .collect()
}

fn problems(tables: &[RawTable]) -> Vec<String> {
    records(tables, &Catalog::default(), Lang::En)
        .expect_err("problems")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn set(tables: &mut [RawTable], table: TableId, row: usize, field: &str, value: &str) {
    let t = tables.iter_mut().find(|t| t.table == table).expect("table");
    let column = t
        .header
        .iter()
        .position(|h| table.column(h).is_some_and(|c| c.field == field))
        .expect("column");
    t.rows[row].cells[column] = value.to_string();
}

#[test]
fn every_kind_round_trips_in_both_languages() {
    let catalog = small();
    for lang in [Lang::Zh, Lang::En] {
        let back = records(
            &raw(&sheets(&catalog, &[], lang)),
            &Catalog::default(),
            lang,
        )
        .expect("valid");
        assert_eq!(
            json::export(&Catalog::from_records(back)),
            json::export(&catalog)
        );
    }
}

#[test]
fn nested_problems_point_at_their_rows() {
    let mut tables = raw(&sheets(&small(), &[], Lang::Zh));
    set(&mut tables, TableId::FormFields, 1, "element", "DE9999");
    set(&mut tables, TableId::ElementOptions, 2, "parent", "nope");
    set(&mut tables, TableId::BundleMaterials, 0, "item", "I404");
    set(&mut tables, TableId::Items, 0, "depends_on", "X1;X2");
    let found = problems(&tables);
    let expect = [
        "book.xlsx!申请表字段 E3: unknown element DE9999",
        "book.xlsx!数据元选项 D4: unknown parent option nope",
        "book.xlsx!主题材料 C2: unknown item I404",
        "book.xlsx!事项 M2: unknown item X1",
    ];
    for e in expect {
        assert!(found.iter().any(|p| p == e), "{e} not in {found:#?}");
    }
}

#[test]
fn duplicate_codes_and_orphans_are_reported() {
    let mut tables = raw(&sheets(&small(), &[], Lang::En));
    set(&mut tables, TableId::Regions, 1, "code", "510000");
    set(&mut tables, TableId::FormSections, 0, "form", "F404");
    let found = problems(&tables);
    assert!(
        found.contains(
            &"book.xlsx!行政区划 A3: duplicate code 510000 (first at book.xlsx!行政区划 A2)"
                .to_string()
        ),
        "{found:#?}"
    );
    assert!(
        found.contains(&"book.xlsx!申请表分节 A2: unknown form F404".to_string()),
        "{found:#?}"
    );
}

#[test]
fn a_nested_table_needs_its_partner() {
    let tables: Vec<RawTable> = raw(&sheets(&small(), &[], Lang::En))
        .into_iter()
        .filter(|t| t.table != TableId::FormFields)
        .collect();
    let found = problems(&tables);
    assert!(
        found.contains(
            &"book.xlsx!申请表分节: the form_sections table needs the form_fields table"
                .to_string()
        ),
        "{found:#?}"
    );
}

/// The index of the row of `table` whose `code` cell is `code`.
fn row_of(tables: &[RawTable], table: TableId, code: &str) -> usize {
    let t = tables.iter().find(|t| t.table == table).expect("table");
    let column = t
        .header
        .iter()
        .position(|h| table.column(h).is_some_and(|c| c.field == "code"))
        .expect("code column");
    t.rows
        .iter()
        .position(|r| r.cells[column] == code)
        .expect("row")
}

#[test]
fn references_to_a_rejected_row_are_counted_in_one_line() {
    let mut tables = raw(&sheets(&small(), &[], Lang::En));
    // DE0001 is bound by two form fields; DE0020 has options (a nested table) and a field
    for code in ["DE0001", "DE0020"] {
        let row = row_of(&tables, TableId::Elements, code);
        set(&mut tables, TableId::Elements, row, "kind", "bogus");
    }
    let found = problems(&tables);
    assert!(
        !found.iter().any(|p| p.contains("unknown element")),
        "{found:#?}"
    );
    let roots = found
        .iter()
        .filter(|p| p.contains("unknown kind \"bogus\""));
    assert_eq!(roots.count(), 2, "{found:#?}");
    let at = |code: &str| {
        let row = row_of(&tables, TableId::Elements, code) + 2;
        format!("book.xlsx!数据元 row {row}")
    };
    assert!(
        found.contains(&format!(
            "{}: and 2 references to DE0001 fail because of it",
            at("DE0001")
        )),
        "{found:#?}"
    );
    // its three option rows
    assert!(
        found.contains(&format!(
            "{}: and 3 references to DE0020 fail because of it",
            at("DE0020")
        )),
        "{found:#?}"
    );
    assert_eq!(found.len(), 4, "{found:#?}");
    let zh = records(&tables, &Catalog::default(), Lang::Zh).expect_err("problems");
    assert!(
        zh.iter()
            .any(|p| p.message == "另有 2 处引用 DE0001 因此无法导入"),
        "{zh:#?}"
    );
}

#[test]
fn a_table_longer_than_a_sheet_stops_the_reading_naming_it() {
    let catalog = small();
    let all = sheets(&catalog, &[], Lang::En);
    let longest = all.iter().map(|s| s.rows.len()).max().expect("tables");
    // as many rows as the longest table: every sheet is made, the same as without a limit
    let within = super::sheets_from(&catalog, &[], Lang::En, longest).expect("within");
    assert_eq!(raw(&within), raw(&all));
    // one fewer: the first table that long is named
    let first = all
        .iter()
        .find(|s| s.rows.len() == longest)
        .expect("one")
        .table;
    let e = super::sheets_from(&catalog, &[], Lang::En, longest - 1).expect_err("too long");
    let named = e
        .get_ref()
        .and_then(|e| e.downcast_ref::<super::TooManyRows>());
    assert_eq!(named.map(|t| t.0), Some(first), "{e}");
}
