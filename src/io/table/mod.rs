//! Office tables: the mapping between records and rows shared by CSV and XLSX.
//!
//! Each record kind has a main table (one row per record) and each nested list its own
//! table (element options, form sections and fields, bundle questions, answers, item
//! conditions and materials), one row per entry, led by the owner's code. Reading is
//! all-or-nothing: every problem is reported at its cell (`数据元.xlsx!数据元 C17: …`), the
//! records are then checked against the catalog exactly as a JSON import is.

pub mod cells;
mod columns;
mod locate;
mod read;
mod row;
#[cfg(test)]
mod tests;
mod write;

pub use columns::{Column, TableId, column_letters};
pub use read::records;
pub use write::{TooManyRows, each_row, header, sheets, sheets_from};

use crate::i18n::Lang;

/// A value to write in a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Text, written as is (never as a formula).
    Text(String),
    /// A whole number (versions, days, copies, levels, section numbers).
    Number(u64),
    /// A share, `part` of `whole` (the statistics' bound share): in XLSX a number in a
    /// percent format, as text what [`crate::display::percent`] shows (`99.97%`).
    Percent {
        /// The part.
        part: u64,
        /// The whole (not zero: a share of nothing is written as text).
        whole: u64,
    },
}

impl Cell {
    /// The cell as text (numbers in decimal).
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Text(s) => std::borrow::Cow::Borrowed(s),
            Self::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            Self::Percent { part, whole } => {
                std::borrow::Cow::Owned(crate::display::percent(*part, *whole).unwrap_or_default())
            }
        }
    }
}

/// A table to write: its header and rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    /// Which table.
    pub table: TableId,
    /// Header cells.
    pub header: Vec<String>,
    /// Data rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// A table read from a file, every cell as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawTable {
    /// Which table (from `--kind`, the sheet name or the file name).
    pub table: TableId,
    /// How messages name it: `数据元.xlsx!数据元` or `elements.csv`.
    pub place: String,
    /// The header row's number (1-based, as a spreadsheet shows it).
    pub header_row: usize,
    /// Header cells.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<RawRow>,
}

/// A data row read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    /// Row number (1-based, as a spreadsheet shows it).
    pub number: usize,
    /// Cells as text, in column order.
    pub cells: Vec<String>,
}

/// `数据元.xlsx!数据元 C17`: a cell of a table.
pub fn cell_place(place: &str, column: usize, row: usize) -> String {
    format!("{place} {}{row}", column_letters(column))
}

/// `elements.csv 第 17 行` / `elements.csv row 17`: a whole row of a table.
pub fn row_place(place: &str, row: usize, lang: Lang) -> String {
    lang.pick(format!("{place} 第 {row} 行"), format!("{place} row {row}"))
}
