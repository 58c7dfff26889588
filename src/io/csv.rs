//! CSV files, one table each, in UTF-8 (with or without BOM), GB18030/GBK or Big5.
//!
//! Reading detects the encoding ([`super::charset`]): valid UTF-8 is UTF-8, else the
//! reading as GB18030 or Big5 that looks more like Chinese text, with a warning when that
//! is uncertain. `--encoding` forces one; forcing the wrong one is an error, never silently
//! imported mojibake. Writing puts a UTF-8 BOM first (so Excel opens it as UTF-8) unless
//! GB18030 or Big5 is asked for.

use std::path::Path;

use crate::i18n::Lang;

use super::check::FileProblem;
use super::progress::{Control, Phase, Stop, Unit};
use super::table::{Cell, RawRow, RawTable, Sheet, TableId, cell_place, row_place};
use crate::model::RecordSource;

pub use super::charset::{Detection, Encoding, SAMPLE, Unencodable, decode, encode, sniff};

/// Reads one CSV file (already decoded) as `table`; `place` names it in messages.
/// Every row must have as many cells as the header. Reports rows parsed (of the lines
/// counted, an upper bound) and stops when cancelled.
pub fn read_table(
    text: &str,
    table: TableId,
    place: &str,
    lang: Lang,
    control: &Control<'_>,
) -> Result<RawTable, Stop> {
    let lines = text.bytes().filter(|&b| b == b'\n').count()
        + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let total = lines as u64;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut records = reader.records().enumerate().peekable();
    while let Some((i, record)) = records.next() {
        let number = i + 1;
        control.step(
            Phase::Parsing,
            Unit::Rows,
            number as u64,
            total.max(number as u64),
        )?;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(FileProblem::new(
                    row_place(place, number, lang),
                    lang.pick(format!("无法读取：{e}"), format!("cannot read: {e}")),
                ));
                continue;
            }
        };
        // the csv crate ends a quoted field left open at the end of the file, so only the last
        // record can hold one: it swallowed every line after the quote
        if records.peek().is_none()
            && let Some(start) = record.position().map(|p| p.byte())
            && let Some(open) = unclosed_quote(text.get(start as usize..).unwrap_or(""))
        {
            let line = record.position().map_or(1, |p| p.line()) + open.lines;
            problems.push(FileProblem::new(
                cell_place(place, open.column, number),
                lang.pick(
                    format!("此处（第 {line} 行）开始的引号没有结束；文件其余部分会变成一个单元格"),
                    format!(
                        "a quote opened here (line {line}) is never closed; the rest of the file would become one cell"
                    ),
                ),
            ));
            continue;
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if number == 1 {
            header = cells;
        } else if cells.len() != header.len() {
            problems.push(FileProblem::new(
                row_place(place, number, lang),
                lang.pick(
                    format!("有 {} 列，表头有 {} 列", cells.len(), header.len()),
                    format!("has {} cells, the header has {}", cells.len(), header.len()),
                ),
            ));
        } else {
            rows.push(RawRow { number, cells });
        }
    }
    control.step(Phase::Parsing, Unit::Rows, total, total)?;
    if problems.is_empty() {
        Ok(RawTable {
            table,
            place: place.to_string(),
            header_row: 1,
            header,
            rows,
        })
    } else {
        Err(Stop::Problems(problems))
    }
}

/// Where a quoted field left open at the end of the text begins.
#[derive(Debug, PartialEq, Eq)]
struct OpenQuote {
    /// The field's column (0-based) in its record.
    column: usize,
    /// Line breaks between the record's start and the quote.
    lines: u64,
}

/// The quoted field still open at the end of `record`, the text of a file's last record (to
/// the end of the file), read as the csv crate reads it: a `"` opens a quoted field only at
/// the start of a field, `""` inside one is a quote, and a quote elsewhere is a character.
fn unclosed_quote(record: &str) -> Option<OpenQuote> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        // a quote inside a quoted field: the end of it, or the first of `""`
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let (mut column, mut lines) = (0, 0);
    let mut open = OpenQuote {
        column: 0,
        lines: 0,
    };
    for c in record.chars() {
        state = match (state, c) {
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, '"') => State::Quoted,
            (State::FieldStart, '"') => {
                open = OpenQuote { column, lines };
                State::Quoted
            }
            (_, ',') => {
                column += 1;
                State::FieldStart
            }
            (_, '\n' | '\r') => {
                column = 0;
                State::FieldStart
            }
            _ => State::Unquoted,
        };
        if c == '\n' {
            lines += 1;
        }
    }
    (state == State::Quoted).then_some(open)
}

/// Writes `table` as a CSV file to `out` as it is made: the header in `headers`, then a line
/// per row of `source`'s records (read one at a time: a million elements' table is never held
/// whole), encoded as `encoding`: the bytes [`encode`] gives for [`write_table`]'s text of the
/// whole sheet. A character the encoding lacks fails as an [`Unencodable`] inside the
/// `io::Error` ([`unencodable`] finds it), after the whole table was read to count them.
pub fn write_rows(
    source: &dyn RecordSource,
    table: TableId,
    headers: Lang,
    encoding: Encoding,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut encoder = super::charset::Encoder::new(out, encoding)?;
    let mut writer = csv::WriterBuilder::new().from_writer(&mut encoder);
    writer.write_record(super::table::header(table, headers))?;
    let mut line: Vec<String> = Vec::new();
    super::table::each_row(source, table, headers, &mut |row| {
        line.clear();
        line.extend(row.iter().map(|c| Cell::to_text(c).into_owned()));
        writer.write_record(&line).map_err(std::io::Error::from)
    })?;
    writer.flush()?;
    drop(writer);
    encoder.finish().map_err(std::io::Error::other)
}

/// The [`Unencodable`] a [`write_rows`] failed with, if that is why it failed.
pub fn unencodable(e: &std::io::Error) -> Option<&Unencodable> {
    e.get_ref()?.downcast_ref()
}

/// One table as CSV text (header first; quoted where needed).
pub fn write_table(sheet: &Sheet) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(sheet.rows.len() + 1);
    lines.push(sheet.header.clone());
    lines.extend(
        sheet
            .rows
            .iter()
            .map(|row| row.iter().map(|c| Cell::to_text(c).into_owned()).collect()),
    );
    for line in &lines {
        // writing to a Vec cannot fail
        let _ = writer.write_record(line);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The table a CSV file holds: `forced` (`--kind`), else its file name (`elements.csv`,
/// `数据元.csv`).
pub fn table_of(
    path: &Path,
    forced: Option<TableId>,
    caller: super::transfer::Caller,
    lang: Lang,
) -> Result<TableId, String> {
    if let Some(table) = forced {
        return Ok(table);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let option = caller.kind_option(lang);
    TableId::parse(&stem).ok_or_else(|| {
        lang.pick(
            format!(
                "无法从文件名 \"{stem}\" 看出是哪种表；请用 {option} 指定，或命名为 数据元.csv、elements.csv 等"
            ),
            format!(
                "cannot tell the table from the file name \"{stem}\"; choose it with {option} or name it elements.csv, 数据元.csv, ..."
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_are_reported_with_their_number() {
        let text = "code,name\nR1,a\nR2\nR3,c,d\n";
        let problems = read_table(
            text,
            TableId::Regions,
            "regions.csv",
            Lang::En,
            &Control::none(),
        )
        .unwrap_err()
        .into_problems();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "regions.csv row 3: has 1 cells, the header has 2",
                "regions.csv row 4: has 3 cells, the header has 2"
            ]
        );
    }

    fn problems_of(text: &str) -> Vec<String> {
        match read_table(text, TableId::Regions, "r.csv", Lang::En, &Control::none()) {
            Ok(_) => Vec::new(),
            Err(stop) => stop
                .into_problems()
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }

    #[test]
    fn a_quote_left_open_at_the_end_is_reported_where_it_opens() {
        const OPEN: &str = "a quote opened here (line 3) is never closed; the rest of the file would become one cell";
        // in the last column: the csv crate alone reads one row whose cell holds the rest
        let text = "code,name\n510011,ok\n510012,\"stray quote\n510013,second\n510014,third\n";
        assert_eq!(problems_of(text), [format!("r.csv B3: {OPEN}")]);
        // in another column: reported as the quote, not as a ragged row
        let text = "code,name\n510011,ok\n\"510012,x\n510013,y";
        assert_eq!(problems_of(text), [format!("r.csv A3: {OPEN}")]);
        // the row number counts records: a quoted line break before does not shift it
        let text = "code,name\n1,\"two\nlines\"\n2,\"open";
        assert_eq!(
            problems_of(text),
            [
                "r.csv B3: a quote opened here (line 4) is never closed; the rest of the file would become one cell"
            ]
        );
        // a doubled quote at the very end is a quote inside the field, which stays open
        assert_eq!(problems_of("code,name\n1,\"x\"\"").len(), 1);
        // GB18030 bytes are decoded before the table is read
        let gb = encode(
            "数据元,编码,显示值\nDE000002,1,\"男\nDE000002,2,女\n",
            Encoding::Gb18030,
        )
        .unwrap();
        let (text, read) = decode(&gb, None, Lang::Zh).unwrap();
        assert_eq!(read.encoding, Encoding::Gb18030);
        let problems = read_table(
            &text,
            TableId::Regions,
            "数据元选项.csv",
            Lang::Zh,
            &Control::none(),
        )
        .unwrap_err()
        .into_problems();
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["数据元选项.csv C2: 此处（第 2 行）开始的引号没有结束；文件其余部分会变成一个单元格"]
        );
    }

    #[test]
    fn closed_quotes_are_not_taken_for_open_ones() {
        for text in [
            // quoted line breaks, commas and doubled quotes, closed at the end of the file
            "code,name\n1,\"a\nb, \"\"c\"\"\"\n2,\"x\"\"\"",
            "code,name\r\n1,\"a\r\nb\"\r\n2,\"\"\r\n",
            // a quote inside an unquoted field is a character
            "code,name\n1,5\" screen\n2,a\"b\n",
            // text after a closing quote belongs to the field
            "code,name\n1,\"a\"b\"\n",
            "code,name\n1,\"\"\"\"",
            "code,name\n",
            "",
        ] {
            assert_eq!(problems_of(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn written_tables_read_back() {
        let sheet = Sheet {
            table: TableId::Regions,
            header: vec!["code".into(), "name".into()],
            rows: vec![vec![
                Cell::Text("510000".into()),
                Cell::Text("四川,省\"x\"\n".into()),
            ]],
        };
        let text = write_table(&sheet);
        let raw = read_table(&text, TableId::Regions, "r.csv", Lang::En, &Control::none()).unwrap();
        assert_eq!(raw.header, ["code", "name"]);
        assert_eq!(raw.rows[0].cells, ["510000", "四川,省\"x\"\n"]);
        assert_eq!(raw.rows[0].number, 2);
    }

    #[test]
    fn a_table_written_a_record_at_a_time_is_the_table_made_whole() {
        let mut catalog = crate::sample::generate(1);
        // a value that needs quoting, and one that spans lines
        let mut element = catalog
            .elements
            .values()
            .next()
            .cloned()
            .expect("an element");
        element.name = "名称,带逗号".into();
        element.definition = "第一行\n\"第二行\"".into();
        catalog.insert(crate::model::Record::Element(element));
        for headers in [Lang::Zh, Lang::En] {
            for sheet in crate::io::table::sheets(&catalog, &[], headers) {
                for encoding in [Encoding::Utf8, Encoding::Gb18030, Encoding::Big5] {
                    let whole = encode(&write_table(&sheet), encoding);
                    let mut out = Vec::new();
                    let written = write_rows(&catalog, sheet.table, headers, encoding, &mut out);
                    match whole {
                        Ok(bytes) => {
                            assert!(written.is_ok(), "{:?} {encoding:?}", sheet.table);
                            assert!(out == bytes, "{:?} {encoding:?} differs", sheet.table);
                        }
                        Err(lacking) => {
                            let e = written.expect_err("refused as when made whole");
                            assert_eq!(unencodable(&e), Some(&lacking), "{:?}", sheet.table);
                        }
                    }
                }
            }
        }
    }
}
