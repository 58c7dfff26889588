//! XLSX workbooks: one sheet per table, read with calamine and written with rust_xlsxwriter.
//!
//! Reading is bounded: before calamine parses anything, [`check_archive`] refuses a part that
//! unpacks to more than [`MAX_PART_BYTES`] and shared strings that declare or hold more than
//! [`MAX_CELLS`] strings (a zip bomb of a few hundred kilobytes would otherwise become
//! gigabytes of strings, or a `uniqueCount` would reserve them). A sheet whose declared dimension or actual cells go
//! beyond [`MAX_ROWS`] rows, [`MAX_COLUMNS`] columns or [`MAX_CELLS`] cells is refused before
//! its cells are kept, and cells are streamed, never expanded into a dense grid. A corrupt,
//! truncated or non-XLSX file is an error naming the file, never a panic.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, DataRef, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};

use crate::display::inert;
use crate::i18n::Lang;

use super::check::FileProblem;
use super::progress::{Control, Gathered, Phase, Stop, Unit};
use super::table::{Cell, RawRow, RawTable, Sheet, TableId, cell_place};

/// Most rows a sheet may have (Excel's own limit).
pub const MAX_ROWS: u64 = 1_048_576;
/// Most columns a sheet may have (no table has more than 17).
pub const MAX_COLUMNS: u64 = 256;
/// Most cells a sheet may declare or hold; also the most shared strings a workbook may have.
pub const MAX_CELLS: u64 = 5_000_000;
/// Most bytes one part of a workbook (an XML file in the archive) may unpack to: 256 MiB.
pub const MAX_PART_BYTES: u64 = 256 << 20;

/// What a workbook's archive may unpack to, checked before it is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes any one part may unpack to.
    pub part_bytes: u64,
    /// Most shared strings, declared (`uniqueCount`) or present.
    pub strings: u64,
}

impl Limits {
    /// The limits imports use.
    pub const DEFAULT: Limits = Limits {
        part_bytes: MAX_PART_BYTES,
        strings: MAX_CELLS,
    };
}

/// Counts `<si` elements (with any namespace prefix) in a stream, across chunk boundaries.
#[derive(Default)]
struct StringCounter {
    /// Bytes of `<si` matched so far.
    state: u8,
    count: u64,
}

impl StringCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (_, b'<' | b':') => 1,
                (1, b's') => 2,
                (2, b'i') => 3,
                (3, b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r') => {
                    self.count += 1;
                    0
                }
                _ => 0,
            };
        }
    }
}

/// The `uniqueCount` the shared strings' start declares (saturating), if the head has one.
fn declared_strings(head: &[u8]) -> Option<u64> {
    const ATTR: &[u8] = b"uniqueCount=\"";
    let at = head.windows(ATTR.len()).position(|w| w == ATTR)? + ATTR.len();
    let digits = head[at..].iter().take_while(|b| b.is_ascii_digit());
    Some(digits.fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// Checks a workbook's archive before it is parsed: no part may declare more than
/// `limits.part_bytes` (the zip reader, calamine's too, refuses to unpack a part beyond its
/// declared size, so this bounds what is unpacked), and the shared strings, unpacked as a
/// stream and counted (bytes too), may declare and hold at most `limits.strings` strings.
/// Memory stays bounded whatever the archive holds.
pub fn check_archive(
    bytes: &[u8],
    name: &str,
    limits: Limits,
    lang: Lang,
) -> Result<(), Vec<FileProblem>> {
    let refuse = |message: String| vec![FileProblem::new(name, message)];
    let too_large = |part: &str| {
        refuse(lang.pick(
            format!(
                "工作簿中的 {part} 解压后超过 {} MiB（疑似压缩炸弹），拒绝读取",
                limits.part_bytes >> 20
            ),
            format!(
                "{part} unpacks to more than {} MiB (a zip bomb?); refused",
                limits.part_bytes >> 20
            ),
        ))
    };
    let too_many = |n: String| {
        refuse(lang.pick(
            format!("共享字符串{n}，超出上限 {}，拒绝读取", limits.strings),
            format!(
                "the shared strings {n}, beyond the limit of {}; refused",
                limits.strings
            ),
        ))
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(name, e, lang))?;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(|e| corrupt(name, e, lang))?;
        let part_name = inert(&String::from_utf8_lossy(part.name_raw())).into_owned();
        if part.size() > limits.part_bytes {
            return Err(too_large(&part_name));
        }
        if !part_name
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml")
        {
            continue;
        }
        let mut head: Vec<u8> = Vec::new();
        let mut checked_head = false;
        let mut strings = StringCounter::default();
        let mut unpacked: u64 = 0;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(corrupt(name, e, lang)),
            };
            unpacked += n as u64;
            if unpacked > limits.part_bytes {
                return Err(too_large(&part_name));
            }
            strings.feed(&buf[..n]);
            if strings.count > limits.strings {
                return Err(too_many(lang.pick(
                    format!("多于 {} 个", limits.strings),
                    format!("hold more than {} strings", limits.strings),
                )));
            }
            if !checked_head {
                head.extend_from_slice(&buf[..n.min(4096)]);
                if head.len() >= 4096 {
                    checked_head = true;
                }
                if let Some(declared) = declared_strings(&head)
                    && declared > limits.strings
                {
                    return Err(too_many(lang.pick(
                        format!("声明了 {declared} 个"),
                        format!("declare {declared} strings"),
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Reads the sheets of a workbook as tables; each sheet is named after its table. `name` is
/// the file name for messages; `only` restricts to the tables of `--kind`. A workbook whose
/// only sheet has another name (`Sheet1`) is read as `only[0]`, else as `fallback` (the
/// table the file name names: `数据元.xlsx`). Reports the rows of each sheet read and stops
/// when cancelled.
pub fn read(
    bytes: &[u8],
    name: &str,
    only: Option<&[TableId]>,
    fallback: Option<TableId>,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Vec<RawTable>, Stop> {
    let fallback = only.and_then(|o| o.first().copied()).or(fallback);
    catch_unwind(AssertUnwindSafe(|| {
        read_inner(bytes, name, only, fallback, lang, control)
    }))
    .unwrap_or_else(|_| {
        Err(Stop::Problems(vec![FileProblem::new(
            name,
            lang.pick(
                "XLSX 文件已损坏，无法读取",
                "the XLSX file is corrupt and cannot be read",
            ),
        )]))
    })
}

fn corrupt(name: &str, e: impl std::fmt::Display, lang: Lang) -> Vec<FileProblem> {
    vec![FileProblem::new(
        name,
        lang.pick(
            format!("不是有效的 XLSX 文件（可能已损坏或被截断）：{e}"),
            format!("not a valid XLSX file (corrupt or truncated?): {e}"),
        ),
    )]
}

fn read_inner(
    bytes: &[u8],
    name: &str,
    only: Option<&[TableId]>,
    fallback: Option<TableId>,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Vec<RawTable>, Stop> {
    check_archive(bytes, name, Limits::DEFAULT, lang)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| corrupt(name, e, lang))?;
    let sheets = book.sheet_names();
    let mut tables = Gathered::default();
    for sheet in &sheets {
        let place = format!("{name}!{sheet}");
        let single = if sheets.len() == 1 { fallback } else { None };
        let table = match TableId::parse(sheet).or(single) {
            Some(t) if only.is_some_and(|only| !only.contains(&t)) => continue,
            Some(t) => t,
            None => {
                tables.problem(FileProblem::new(
                    place,
                    lang.pick(
                        format!(
                            "未知工作表 \"{sheet}\"：工作表应以表名命名（数据元、事项…或 elements、items…）"
                        ),
                        format!(
                            "unknown sheet \"{sheet}\": sheets are named after tables (elements, items, … or 数据元、事项…)"
                        ),
                    ),
                ));
                continue;
            }
        };
        tables.add(read_sheet(&mut book, sheet, table, &place, lang, control))?;
    }
    tables.finish()
}

/// `rows × columns` of a declared range, or why it is too large.
fn check_extent(rows: u64, columns: u64, lang: Lang, what: (&str, &str)) -> Result<(), String> {
    let cells = rows.saturating_mul(columns);
    if rows > MAX_ROWS || columns > MAX_COLUMNS || cells > MAX_CELLS {
        return Err(lang.pick(
            format!(
                "{}{rows} 行 × {columns} 列，超出上限（{MAX_ROWS} 行、{MAX_COLUMNS} 列、{MAX_CELLS} 个单元格），拒绝读取",
                what.0
            ),
            format!(
                "{} {rows} rows × {columns} columns, beyond the limits ({MAX_ROWS} rows, {MAX_COLUMNS} columns, {MAX_CELLS} cells); refused",
                what.1
            ),
        ));
    }
    Ok(())
}

/// The text of a cell value; formula errors are reported.
fn text(value: DataRef<'_>) -> Result<String, String> {
    Ok(match value {
        DataRef::String(s) => s,
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Empty => String::new(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        DataRef::Error(e) => return Err(e.to_string()),
        other => Data::from(other).to_string(),
    })
}

fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    table: TableId,
    place: &str,
    lang: Lang,
    control: &Control<'_>,
) -> Result<Option<RawTable>, Stop> {
    let one = |message: String| Stop::Problems(vec![FileProblem::new(place, message)]);
    let mut reader = book.worksheet_cells_reader(sheet).map_err(|e| {
        one(lang.pick(
            format!("无法读取工作表：{e}"),
            format!("cannot read the sheet: {e}"),
        ))
    })?;
    let dim = reader.dimensions();
    let rows = u64::from(dim.end.0.saturating_sub(dim.start.0)) + 1;
    let columns = u64::from(dim.end.1.saturating_sub(dim.start.1)) + 1;
    check_extent(
        rows,
        columns,
        lang,
        ("工作表声明的范围为 ", "the sheet declares"),
    )
    .map_err(one)?;
    let mut cells: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut count: u64 = 0;
    let mut problems = Vec::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                return Err(one(lang.pick(
                    format!("工作表已损坏：{e}"),
                    format!("the sheet is corrupt: {e}"),
                )));
            }
        };
        let (row, column) = cell.get_position();
        control.step(
            Phase::Parsing,
            Unit::Rows,
            u64::from(row.saturating_sub(dim.start.0)) + 1,
            rows.max(u64::from(row) + 1),
        )?;
        check_extent(
            u64::from(row) + 1,
            u64::from(column) + 1,
            lang,
            ("单元格位置达到 ", "a cell lies at"),
        )
        .map_err(one)?;
        count += 1;
        if count > MAX_CELLS {
            return Err(one(lang.pick(
                format!("单元格超过 {MAX_CELLS} 个，拒绝读取"),
                format!("more than {MAX_CELLS} cells; refused"),
            )));
        }
        match text(cell.get_value().clone()) {
            Ok(value) if value.is_empty() => {}
            Ok(value) => cells.entry(row).or_default().push((column, value)),
            Err(e) => problems.push(FileProblem::new(
                cell_place(place, column as usize, row as usize + 1),
                lang.pick(
                    format!("单元格是错误值 {e}"),
                    format!("the cell holds the error {e}"),
                ),
            )),
        }
    }
    let mut rows = cells.into_iter();
    let Some((header_row, header_cells)) = rows.next() else {
        return Ok(None);
    };
    let width = header_cells
        .iter()
        .map(|(c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut header = vec![String::new(); width];
    for (c, value) in header_cells {
        header[c as usize] = value;
    }
    let mut raw_rows = Vec::new();
    for (row, values) in rows {
        let mut line = vec![String::new(); width];
        for (c, value) in values {
            match line.get_mut(c as usize) {
                Some(slot) => *slot = value,
                None => problems.push(FileProblem::new(
                    cell_place(place, c as usize, row as usize + 1),
                    lang.pick(
                        "单元格在表头之外（该列没有表头）",
                        "the cell is outside the header (its column has no header)",
                    ),
                )),
            }
        }
        raw_rows.push(RawRow {
            number: row as usize + 1,
            cells: line,
        });
    }
    if !problems.is_empty() {
        return Err(Stop::Problems(problems));
    }
    Ok(Some(RawTable {
        table,
        place: place.to_string(),
        header_row: header_row as usize + 1,
        header,
        rows: raw_rows,
    }))
}

/// Writes sheets as a workbook (header row bold and frozen); sheet names in `lang`.
pub fn write(sheets: &[Sheet], lang: Lang) -> Result<Vec<u8>, String> {
    let named: Vec<NamedSheet<'_>> = sheets
        .iter()
        .map(|s| NamedSheet {
            name: s.table.name(lang),
            header: &s.header,
            rows: &s.rows,
        })
        .collect();
    write_named(&named, lang)
}

/// A sheet to write under a given name.
pub struct NamedSheet<'a> {
    /// The sheet's name (at most 31 characters in XLSX).
    pub name: &'a str,
    /// Header cells.
    pub header: &'a [String],
    /// Data rows.
    pub rows: &'a [Vec<Cell>],
}

/// Most characters an XLSX cell may hold (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Refuses a text longer than a cell may hold, naming the cell, its column and the row's
/// first cell (the record's code).
fn check_cell_length(
    sheet: &NamedSheet<'_>,
    row: &[Cell],
    (r, c): (u32, u16),
    text: &str,
    lang: Lang,
) -> Result<(), String> {
    let chars = text.chars().count();
    if chars <= MAX_CELL_CHARS {
        return Ok(());
    }
    let place = cell_place(sheet.name, usize::from(c), r as usize + 1);
    let column = sheet.header.get(usize::from(c)).map_or("", String::as_str);
    let code = match row.first() {
        Some(Cell::Text(code)) => inert(code).into_owned(),
        _ => String::new(),
    };
    Err(lang.pick(
        format!(
            "{place}（{code} 的「{column}」）有 {chars} 个字符，超过 XLSX 单元格上限 {MAX_CELL_CHARS}；请改用 CSV 或 JSON"
        ),
        format!(
            "{place} ({column} of {code}) holds {chars} characters, beyond XLSX's limit of {MAX_CELL_CHARS} per cell; use CSV or JSON"
        ),
    ))
}

/// `「申请表字段」超过 XLSX 的行数上限；请改用 CSV 或 JSON`: the sheet `name` would pass
/// [`MAX_ROWS`].
pub fn too_many_rows(name: &str, lang: Lang) -> String {
    lang.pick(
        format!("「{name}」超过 XLSX 的行数上限；请改用 CSV 或 JSON"),
        format!("{name} has more rows than XLSX allows; use CSV or JSON"),
    )
}

/// Writes named sheets as a workbook (header row bold and frozen); a text longer than a
/// cell may hold is refused, naming its cell and record.
pub fn write_named(sheets: &[NamedSheet<'_>], lang: Lang) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = book.add_worksheet();
        let fail = |e: rust_xlsxwriter::XlsxError| format!("{}: {e}", sheet.name);
        ws.set_name(sheet.name).map_err(fail)?;
        for (c, h) in sheet.header.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string_with_format(0, c, h, &bold).map_err(fail)?;
            ws.set_column_width(c, 16).map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)
                .ok()
                .filter(|&r| u64::from(r) < MAX_ROWS)
                .ok_or_else(|| too_many_rows(sheet.name, lang))?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|e| e.to_string())?;
                match cell {
                    Cell::Text(s) if s.is_empty() => {}
                    Cell::Text(s) => {
                        check_cell_length(sheet, row, (r, c), s, lang)?;
                        ws.write_string(r, c, s).map_err(fail)?;
                    }
                    // table numbers are far below 2^53, exact as f64
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n as f64).map_err(fail)?;
                    }
                    // a number shown as a percent, with the decimals the text shows: a share
                    // short of the whole never reads 100.0%
                    Cell::Percent { part, whole } if *whole > 0 => {
                        let decimals = crate::display::percent_decimals(*part, *whole);
                        let format =
                            Format::new().set_num_format(format!("0.{}%", "0".repeat(decimals)));
                        let share = (*part).min(*whole) as f64 / *whole as f64;
                        ws.write_number_with_format(r, c, share, &format)
                            .map_err(fail)?;
                    }
                    Cell::Percent { .. } => {}
                }
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_too_long_for_a_cell_names_the_cell_and_record() {
        let header = ["编码".to_string(), "名称".to_string()];
        let long = "长".repeat(MAX_CELL_CHARS + 1);
        let rows = [
            vec![Cell::Text("510000".into()), Cell::Text("四川省".into())],
            vec![Cell::Text("511602".into()), Cell::Text(long)],
        ];
        let sheets = [NamedSheet {
            name: "行政区划",
            header: &header,
            rows: &rows,
        }];
        let err = write_named(&sheets, Lang::En).unwrap_err();
        assert_eq!(
            err,
            "行政区划 B3 (名称 of 511602) holds 32768 characters, beyond XLSX's limit of 32767 per cell; use CSV or JSON"
        );
        // at the limit it is written
        let rows = [vec![
            Cell::Text("511602".into()),
            Cell::Text("长".repeat(MAX_CELL_CHARS)),
        ]];
        let sheets = [NamedSheet {
            name: "行政区划",
            header: &header,
            rows: &rows,
        }];
        assert!(write_named(&sheets, Lang::En).is_ok());
    }

    #[test]
    fn strings_are_counted_across_chunks_with_any_prefix() {
        let xml =
            b"<sst uniqueCount=\"3\"><si><t>a</t></si><x:si/><si\n></si><sig/><t>:si</t></sst>";
        for split in 0..xml.len() {
            let mut c = StringCounter::default();
            c.feed(&xml[..split]);
            c.feed(&xml[split..]);
            assert_eq!(c.count, 3, "split at {split}");
        }
        assert_eq!(declared_strings(xml), Some(3));
        assert_eq!(
            declared_strings(b"<sst uniqueCount=\"99999999999999999999999\">"),
            Some(u64::MAX)
        );
        assert_eq!(declared_strings(b"<sst count=\"4\">"), None);
    }
}
