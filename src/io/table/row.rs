//! Reading the cells of one row by field name, reporting each bad cell at its place.

use std::collections::HashMap;

use crate::i18n::Lang;
use crate::io::check::FileProblem;
use crate::model::When;

use super::cells::{Spelled, parse_flag, parse_when, split_list};
use super::{RawTable, TableId, cell_place};

/// Field name → column index of a table's header.
pub type Columns = HashMap<&'static str, usize>;

/// One row being read; bad cells are reported and mark the row bad.
pub struct Row<'a> {
    table: &'a RawTable,
    columns: &'a Columns,
    cells: &'a [String],
    number: usize,
    lang: Lang,
    problems: &'a mut Vec<FileProblem>,
    /// Whether a cell could not be read.
    pub bad: bool,
}

impl<'a> Row<'a> {
    /// A row of `table` with the given cells.
    pub fn new(
        table: &'a RawTable,
        columns: &'a Columns,
        cells: &'a [String],
        number: usize,
        lang: Lang,
        problems: &'a mut Vec<FileProblem>,
    ) -> Self {
        Self {
            table,
            columns,
            cells,
            number,
            lang,
            problems,
            bad: false,
        }
    }

    /// The language of messages.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn id(&self) -> TableId {
        self.table.table
    }

    /// The cell of `field` as written ("" when the column or cell is missing).
    pub fn raw(&self, field: &str) -> &'a str {
        self.columns
            .get(field)
            .and_then(|&i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    /// Reports `message` at the cell of `field`.
    pub fn fail(&mut self, field: &str, message: String) {
        let column = self.columns.get(field).copied().unwrap_or(0);
        self.problems.push(FileProblem::new(
            cell_place(&self.table.place, column, self.number),
            message,
        ));
        self.bad = true;
    }

    fn header_zh(&self, field: &str) -> &'static str {
        self.id()
            .columns()
            .iter()
            .find(|c| c.field == field)
            .map_or("", |c| c.zh)
    }

    /// The text as written.
    pub fn text(&self, field: &str) -> String {
        self.raw(field).to_string()
    }

    /// The text, `None` when the cell is empty.
    pub fn opt<T: From<String>>(&self, field: &str) -> Option<T> {
        let raw = self.raw(field);
        (!raw.is_empty()).then(|| T::from(raw.to_string()))
    }

    /// A `;`-separated list.
    pub fn list<T: From<String>>(&self, field: &str) -> Vec<T> {
        split_list(self.raw(field))
            .into_iter()
            .map(T::from)
            .collect()
    }

    /// A whole number ≥ 0 that fits `T`; `default` when the cell is empty.
    pub fn number<T: TryFrom<u64>>(&mut self, field: &str, default: T) -> T {
        let raw = self.raw(field).trim();
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<u64>().ok().map(T::try_from) {
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                let zh = self.header_zh(field);
                let message = self.lang.pick(
                    format!("{zh} {raw} 超出范围"),
                    format!("{field} {raw} is out of range"),
                );
                self.fail(field, message);
                default
            }
            None => {
                let zh = self.header_zh(field);
                let message = self.lang.pick(
                    format!("{zh}应为非负整数，而不是 \"{raw}\""),
                    format!("{field} must be a whole number ≥ 0, not \"{raw}\""),
                );
                self.fail(field, message);
                default
            }
        }
    }

    /// An enumeration in either spelling; `None` when the cell is empty.
    pub fn spelled<E: Spelled>(&mut self, field: &str) -> Option<E> {
        let raw = self.raw(field);
        if raw.trim().is_empty() {
            return None;
        }
        let value = E::parse_cell(raw);
        if value.is_none() {
            let zh = self.header_zh(field);
            let message = self.lang.pick(
                format!("未知{zh} \"{raw}\""),
                format!("unknown {field} \"{raw}\""),
            );
            self.fail(field, message);
        }
        value
    }

    /// An enumeration that must be given.
    pub fn required<E: Spelled>(&mut self, field: &str) -> Option<E> {
        if self.raw(field).trim().is_empty() {
            let zh = self.header_zh(field);
            let message = self
                .lang
                .pick(format!("缺少{zh}"), format!("missing {field}"));
            self.fail(field, message);
            return None;
        }
        self.spelled(field)
    }

    /// An enumeration, `default` when the cell is empty.
    pub fn spelled_or<E: Spelled>(&mut self, field: &str, default: E) -> E {
        self.spelled(field).unwrap_or(default)
    }

    /// A boolean (是/否, true/false, …); empty is false.
    pub fn flag(&mut self, field: &str) -> bool {
        let raw = self.raw(field);
        parse_flag(raw).unwrap_or_else(|| {
            let zh = self.header_zh(field);
            let message = self.lang.pick(
                format!("{zh}应为 是 或 否，而不是 \"{raw}\""),
                format!("{field} must be true or false, not \"{raw}\""),
            );
            self.fail(field, message);
            false
        })
    }

    /// A condition; `None` when the cell is empty.
    pub fn when(&mut self, field: &str) -> Option<When> {
        match parse_when(self.raw(field), self.lang) {
            Ok(when) => when,
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }
}
