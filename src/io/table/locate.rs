//! Where a problem found in a built record sits in the tables it came from.

use std::collections::BTreeMap;

use crate::model::Kind;

use super::{RawTable, cell_place};

/// A row of one of the tables read: index into the tables and 1-based row number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Index of the table.
    pub table: usize,
    /// Row number.
    pub row: usize,
}

/// The rows a record was built from.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The record's row (or, for a stored record only its nested lists come from the
    /// file, the first of those rows).
    pub main: Option<Loc>,
    /// `options[i]` of an element.
    pub options: Vec<Loc>,
    /// `sections[s].fields[i]` of a form.
    pub fields: Vec<Vec<Loc>>,
    /// `questions[i]` of a bundle.
    pub questions: Vec<Loc>,
    /// `item_when.ITEM` of a bundle.
    pub item_when: BTreeMap<String, Loc>,
    /// `materials[i]` of a bundle.
    pub materials: Vec<Loc>,
}

/// The cell of `field` in the row `loc`; a field the table has no column for points at the
/// row's first column (the code or the owner's code).
pub fn cell(tables: &[RawTable], loc: Loc, field: &str) -> String {
    let Some(t) = tables.get(loc.table) else {
        return String::new();
    };
    let column = t
        .header
        .iter()
        .position(|h| t.table.column(h).is_some_and(|c| c.field == field))
        .unwrap_or(0);
    cell_place(&t.place, column, loc.row)
}

/// `[3].rest` → (3, `.rest`).
fn index(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix('[')?;
    let end = rest.find(']')?;
    Some((rest[..end].parse().ok()?, &rest[end + 1..]))
}

/// The first field name of `.name.more` or `.name[2]`.
fn field(path: &str) -> &str {
    let path = path.strip_prefix('.').unwrap_or(path);
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// Where the problem at `path` inside a record of `kind` built from `origin` is.
pub fn locate(tables: &[RawTable], kind: Kind, origin: &Origin, path: &str) -> String {
    let nested = |loc: Option<&Loc>, column: &str| loc.map(|l| cell(tables, *l, column));
    let head = field(path);
    let rest = &path[head.len()..];
    let found = match (kind, head) {
        (Kind::Element, "options") => {
            index(rest).and_then(|(i, rest)| nested(origin.options.get(i), field(rest)))
        }
        (Kind::Form, "sections") => index(rest).and_then(|(s, rest)| {
            let rest = rest.strip_prefix(".fields")?;
            let (i, rest) = index(rest)?;
            nested(origin.fields.get(s)?.get(i), field(rest))
        }),
        (Kind::Bundle, "questions") => {
            index(rest).and_then(|(i, _)| nested(origin.questions.get(i), "key"))
        }
        (Kind::Bundle, "item_when") => origin.item_when.iter().find_map(|(item, loc)| {
            let after = rest.strip_prefix('.')?.strip_prefix(item.as_str())?;
            let column = if after.is_empty() { "item" } else { "when" };
            (after.is_empty() || after.starts_with('.')).then(|| cell(tables, *loc, column))
        }),
        (Kind::Bundle, "materials") => {
            index(rest).and_then(|(i, rest)| nested(origin.materials.get(i), field(rest)))
        }
        _ => origin.main.and_then(|main| {
            let t = tables.get(main.table)?;
            (t.table.is_main() && t.table.columns().iter().any(|c| c.field == head))
                .then(|| cell(tables, main, head))
        }),
    };
    match (found, origin.main) {
        (Some(place), _) => place,
        (None, Some(main)) if path.is_empty() => cell(tables, main, "code"),
        (None, Some(main)) => format!("{} ({path})", cell(tables, main, "code")),
        (None, None) => path.to_string(),
    }
}
