//! Statistics as tables, for `stats --export` (XLSX, or a directory of CSV files).

use crate::engine::stats::{Count, Reduction, Stats};
use crate::i18n::Lang;
use crate::model::{ElementKind, ItemLevel, ItemType, Kind};

use super::table::Cell;

/// One table of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTable {
    /// Sheet or file name.
    pub name: String,
    /// Header cells.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn num(n: usize) -> Cell {
    Cell::Number(n as u64)
}

fn table(
    name: (&str, &str),
    header: &[(&str, &str)],
    rows: Vec<Vec<Cell>>,
    lang: Lang,
) -> ReportTable {
    ReportTable {
        name: lang.pick(name.0, name.1).to_string(),
        header: header
            .iter()
            .map(|h| lang.pick(h.0, h.1).to_string())
            .collect(),
        rows,
    }
}

fn counts(name: (&str, &str), by: (&str, &str), list: &[Count], lang: Lang) -> ReportTable {
    table(
        name,
        &[("编码", "code"), by, ("数量", "count")],
        list.iter()
            .map(|c| vec![text(&c.code), text(&c.name), num(c.count)])
            .collect(),
        lang,
    )
}

fn reduction_cells(r: &Reduction) -> Vec<Cell> {
    let answers: Vec<String> = r.answers.iter().map(|(q, o)| format!("{q}={o}")).collect();
    vec![
        text(answers.join(";")),
        num(r.fields_before),
        num(r.fields_after),
        num(r.materials_before),
        num(r.materials_after),
        num(r.materials_exempt),
        num(r.days_before as usize),
        num(r.days_after as usize),
    ]
}

/// The Chinese name of a kind as the status counts key it (`items` → 事项).
fn status_kind_zh(kind: &str) -> &str {
    match kind {
        "items" => Kind::Item.zh(),
        "elements" => Kind::Element.zh(),
        "forms" => Kind::Form.zh(),
        "bundles" => Kind::Bundle.zh(),
        other => other,
    }
}

/// The Chinese label of a status as the status counts spell it (`draft` → 待提交).
fn status_zh(status: &str) -> &str {
    crate::model::Status::ALL
        .into_iter()
        .find(|s| s.as_str() == status)
        .map_or(status, |s| s.zh())
}

/// Every statistic as a table. The 概况 (overview) table ends with what pane 5's overview
/// shows below the record counts: fields, unbound fields, elements never used and the share
/// of fields bound to an element (a [`Cell::Percent`]: in XLSX a number formatted as a
/// percent, in CSV `99.97%` as the pane shows it, never `100.0%` while a field is unbound;
/// 没有字段 / no fields when there are none).
pub fn tables(s: &Stats, lang: Lang) -> Vec<ReportTable> {
    let share = if s.fields == 0 {
        text(lang.pick("没有字段", "no fields"))
    } else {
        Cell::Percent {
            part: (s.fields - s.unbound_fields.min(s.fields)) as u64,
            whole: s.fields as u64,
        }
    };
    let overview = Kind::ALL
        .iter()
        .zip([
            s.regions,
            s.agencies,
            s.elements,
            s.items,
            s.materials,
            s.forms,
            s.bundles,
        ])
        .map(|(k, n)| vec![text(k.plural()), text(k.zh()), num(n)])
        .chain([
            vec![text("fields"), text("表单字段"), num(s.fields)],
            vec![
                text("unbound_fields"),
                text("未绑定字段"),
                num(s.unbound_fields),
            ],
            vec![
                text("never_used"),
                text("从未使用的数据元"),
                num(s.reuse.never_used),
            ],
            vec![text("bound_share"), text("字段绑定率"), share],
        ])
        .collect();
    let by_level = ItemLevel::ALL
        .iter()
        .map(|l| {
            vec![
                text(l.as_str()),
                text(l.zh()),
                num(s.items_by_level.get(l.as_str()).copied().unwrap_or(0)),
            ]
        })
        .collect();
    let by_type = ItemType::ALL
        .iter()
        .map(|t| {
            vec![
                text(t.code()),
                text(t.zh()),
                num(s.items_by_type.get(t.code()).copied().unwrap_or(0)),
            ]
        })
        .collect();
    let by_kind = ElementKind::ALL
        .iter()
        .map(|k| {
            vec![
                text(k.as_str()),
                text(k.zh()),
                num(s.elements_by_kind.get(k.as_str()).copied().unwrap_or(0)),
            ]
        })
        .collect();
    let by_status = s
        .by_status
        .iter()
        .flat_map(|(kind, statuses)| {
            statuses.iter().map(move |(st, n)| {
                // the Chinese table names kind and status in Chinese, like its headers
                let (kind, st) = match lang {
                    Lang::Zh => (status_kind_zh(kind), status_zh(st)),
                    Lang::En => (kind.as_str(), st.as_str()),
                };
                vec![text(kind), text(st), num(*n)]
            })
        })
        .collect();
    let bundles = s
        .bundle_reduction
        .iter()
        .flat_map(|b| {
            [
                ("typical", "常见", &b.typical),
                ("worst", "最多", &b.worst),
                ("best", "最省", &b.best),
            ]
            .into_iter()
            .map(|(en, zh, r)| {
                let mut row = vec![text(&b.code), text(&b.name), text(lang.pick(zh, en))];
                row.extend(reduction_cells(r));
                row
            })
        })
        .collect();
    vec![
        table(
            ("概况", "overview"),
            &[("项目", "key"), ("名称", "name"), ("数量", "count")],
            overview,
            lang,
        ),
        table(
            ("事项层级", "items by level"),
            &[("层级", "level"), ("名称", "name"), ("数量", "count")],
            by_level,
            lang,
        ),
        table(
            ("事项类型", "items by type"),
            &[("编码", "code"), ("类型", "type"), ("数量", "count")],
            by_type,
            lang,
        ),
        table(
            ("状态", "status"),
            &[("类别", "kind"), ("状态", "status"), ("数量", "count")],
            by_status,
            lang,
        ),
        counts(
            ("按区划", "items by region"),
            ("区划", "region"),
            &s.items_by_region,
            lang,
        ),
        counts(
            ("按部门", "items by agency"),
            ("部门", "agency"),
            &s.items_by_agency,
            lang,
        ),
        table(
            ("数据元类型", "elements by kind"),
            &[("类型", "kind"), ("名称", "name"), ("数量", "count")],
            by_kind,
            lang,
        ),
        counts(
            ("数据元复用", "most reused elements"),
            ("数据元", "element"),
            &s.reuse.most_reused,
            lang,
        ),
        counts(
            ("未绑定字段", "unbound fields by agency"),
            ("部门", "agency"),
            &s.reuse.unbound_by_agency,
            lang,
        ),
        table(
            ("主题减免", "bundle reduction"),
            &[
                ("主题", "bundle"),
                ("名称", "name"),
                ("情形", "case"),
                ("回答", "answers"),
                ("字段(前)", "fields before"),
                ("字段(后)", "fields after"),
                ("材料(前)", "materials before"),
                ("材料(后)", "materials after"),
                ("免提交", "exempt"),
                ("时限合计", "days sum"),
                ("关键路径", "days critical"),
            ],
            bundles,
            lang,
        ),
    ]
}

/// The tables as an XLSX workbook, one sheet each (`stats --export FILE.xlsx`).
pub fn xlsx(tables: &[ReportTable], lang: Lang) -> Result<Vec<u8>, String> {
    let sheets: Vec<super::xlsx::NamedSheet<'_>> = tables
        .iter()
        .map(|t| super::xlsx::NamedSheet {
            name: &t.name,
            header: &t.header,
            rows: &t.rows,
        })
        .collect();
    super::xlsx::write_named(&sheets, lang)
}

impl ReportTable {
    /// The table as CSV text (header first).
    pub fn to_csv(&self) -> String {
        let mut writer = ::csv::WriterBuilder::new().from_writer(Vec::new());
        // writing records to a Vec cannot fail
        let _ = writer.write_record(&self.header);
        for row in &self.rows {
            let _ = writer.write_record(row.iter().map(|c| c.to_text().into_owned()));
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overview row `key` as text.
    fn overview_cell(tables: &[ReportTable], key: &str) -> Option<String> {
        tables[0]
            .rows
            .iter()
            .find(|r| r.first() == Some(&Cell::Text(key.into())))
            .and_then(|r| r.get(2))
            .map(|c| c.to_text().into_owned())
    }

    #[test]
    fn the_overview_carries_elements_never_used_and_the_bound_share() {
        let s = crate::engine::stats::stats(&crate::sample::generate(1));
        let share = s.reuse.bound_share.expect("the sample has fields");
        let zh = tables(&s, Lang::Zh);
        assert_eq!(zh[0].name, "概况");
        assert_eq!(zh[0].header, ["项目", "名称", "数量"]);
        assert_eq!(
            overview_cell(&zh, "never_used"),
            Some(s.reuse.never_used.to_string())
        );
        assert_eq!(
            overview_cell(&zh, "bound_share"),
            crate::display::percent((s.fields - s.unbound_fields) as u64, s.fields as u64)
        );
        assert!(share < 1.0 && share > 0.99);
        assert!(
            zh[0]
                .rows
                .iter()
                .any(|r| r[1] == Cell::Text("从未使用的数据元".into()))
        );
        // no fields: no share, said as the text output says it
        let empty = crate::engine::stats::Stats::default();
        assert_eq!(
            overview_cell(&tables(&empty, Lang::Zh), "bound_share").as_deref(),
            Some("没有字段")
        );
        assert_eq!(
            overview_cell(&tables(&empty, Lang::En), "bound_share").as_deref(),
            Some("no fields")
        );
    }

    #[test]
    fn the_status_table_reads_in_the_language_of_its_headers() {
        let s = crate::engine::stats::stats(&crate::sample::generate(1));
        let cells = |lang| -> Vec<String> {
            let tables = tables(&s, lang);
            let t = tables
                .iter()
                .find(|t| t.name == lang.pick("状态", "status"))
                .expect("a status table");
            t.rows
                .iter()
                .flat_map(|r| r.iter().take(2))
                .filter_map(|c| match c {
                    Cell::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect()
        };
        let zh = cells(Lang::Zh);
        assert!(zh.contains(&"事项".to_string()), "{zh:?}");
        assert!(zh.contains(&"已发布".to_string()), "{zh:?}");
        assert!(!zh.iter().any(|c| c.is_ascii()), "{zh:?}");
        let en = cells(Lang::En);
        assert!(en.contains(&"items".to_string()) && en.contains(&"published".to_string()));
    }

    /// The tester's `sample --scale 2`: 3799 fields, one unbound.
    fn one_unbound_of_3799() -> Stats {
        Stats {
            fields: 3799,
            unbound_fields: 1,
            ..Stats::default()
        }
    }

    #[test]
    fn one_unbound_field_never_reads_as_all_bound() {
        let zh = tables(&one_unbound_of_3799(), Lang::Zh);
        assert_eq!(overview_cell(&zh, "bound_share").as_deref(), Some("99.97%"));
        assert!(zh[0].to_csv().ends_with("bound_share,字段绑定率,99.97%\n"));
    }

    #[test]
    fn the_xlsx_bound_share_is_a_number_formatted_as_a_percent() {
        use calamine::{Data, Reader};
        let bytes = xlsx(&tables(&one_unbound_of_3799(), Lang::Zh), Lang::Zh).expect("written");
        let mut book =
            calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("a workbook");
        let sheet = book.worksheet_range("概况").expect("the overview sheet");
        let row = sheet
            .rows()
            .find(|r| r.first() == Some(&Data::String("bound_share".into())))
            .expect("the bound share row");
        match &row[2] {
            Data::Float(share) => assert!((share - 3798.0 / 3799.0).abs() < 1e-12, "{share}"),
            other => panic!("the bound share should be a number, got {other:?}"),
        }
        // its format shows as many decimals as the text: 99.97%, not 100.0%
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut styles = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/styles.xml").expect("styles"),
            &mut styles,
        )
        .expect("utf-8");
        assert!(styles.contains("formatCode=\"0.00%\""), "{styles}");
    }

    #[test]
    fn every_csv_table_ends_with_a_newline() {
        let s = crate::engine::stats::stats(&crate::sample::generate(1));
        for stats in [s, Stats::default(), one_unbound_of_3799()] {
            for lang in [Lang::Zh, Lang::En] {
                for t in tables(&stats, lang) {
                    let csv = t.to_csv();
                    assert!(csv.ends_with('\n'), "{}: {csv:?}", t.name);
                    assert!(!csv.ends_with("\n\n"), "{}: {csv:?}", t.name);
                }
            }
        }
    }
}
