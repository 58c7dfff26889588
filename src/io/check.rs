//! The step every import format shares: records built from a file are checked against the
//! catalog as if they were imported, and each problem is reported where the file holds it.

use std::collections::HashMap;

use crate::i18n::Lang;
use crate::model::invariants::{Changes, Overlay, check_records};
use crate::model::{Catalog, Issue, Kind, Record};

/// A problem in an import file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// Where: a JSON path (`forms[3].sections[0].fields[2].element`), a cell
    /// (`数据元.xlsx!数据元 C17`), or empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl FileProblem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Drops records whose code repeats one earlier in the file (reporting each) and checks the
/// rest against `catalog` overlaid with them. `locate(origin, path_in_record)` says where a
/// problem is in the file; `origin` is what the format keeps per record (a JSON path, a row).
/// Returns the records kept, in file order, and the problems.
pub fn check_import<L>(
    records: Vec<(L, Record)>,
    catalog: &Catalog,
    lang: Lang,
    locate: impl Fn(&L, &str) -> String,
) -> (Vec<Record>, Vec<FileProblem>) {
    let mut problems = Vec::new();
    let mut first_at: HashMap<(Kind, String), usize> = HashMap::new();
    let mut kept: Vec<(L, Record)> = Vec::with_capacity(records.len());
    for (origin, record) in records {
        let key = (record.kind(), record.code().to_string());
        if let Some(&first) = first_at.get(&key) {
            let issue = Issue::DuplicateCode {
                code: key.1,
                first: locate(&kept[first].0, ""),
            };
            problems.push(FileProblem::new(
                locate(&origin, "code"),
                issue.message(lang),
            ));
        } else {
            first_at.insert(key, kept.len());
            kept.push((origin, record));
        }
    }
    let changes: Changes = kept
        .iter()
        .map(|(_, r)| ((r.kind(), r.code().to_string()), Some(r.clone())))
        .collect();
    let view = Overlay {
        base: catalog,
        changes: &changes,
    };
    for problem in check_records(&view, kept.iter().map(|(_, r)| r.as_ref())) {
        let key = (problem.kind, problem.code.clone());
        let path = match first_at.get(&key) {
            Some(&at) => locate(&kept[at].0, &problem.path),
            None => format!(
                "{} {} {}",
                problem.kind.as_str(),
                problem.code,
                problem.path
            )
            .trim_end()
            .to_string(),
        };
        problems.push(FileProblem::new(path, problem.issue.message(lang)));
    }
    (kept.into_iter().map(|(_, r)| r).collect(), problems)
}
