//! The step every import format shares: records built from a file are checked against the
//! catalog as if they were imported, and each problem is reported where the file holds it.

use std::collections::HashMap;

use crate::i18n::Lang;
use crate::model::invariants::{Changes, Lookup, Overlay, check_records};
use crate::model::{Issue, Kind, Record};

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

/// Records of a file that were rejected for a problem of their own (a cell or a value that
/// could not be read), and how many references to each failed only because of that. One bad
/// cell would otherwise bring a line for every field bound to the element it spoils; instead
/// the root problem is reported as found, and each rejected record gets one line saying how
/// many references fail because of it ([`Rejected::summaries`]).
#[derive(Debug, Default)]
pub struct Rejected {
    /// (kind, code) → (where the record is in the file, references that failed).
    records: HashMap<(Kind, String), (String, usize)>,
    /// The keys in the order they were rejected.
    order: Vec<(Kind, String)>,
}

impl Rejected {
    /// Notes that the record `kind`/`code` at `place` was rejected (an empty code, which
    /// nothing can refer to, is ignored; a code rejected twice keeps its first place).
    pub fn add(&mut self, kind: Kind, code: &str, place: String) {
        let code = code.trim();
        if code.is_empty() {
            return;
        }
        let key = (kind, code.to_string());
        if !self.records.contains_key(&key) {
            self.records.insert(key.clone(), (place, 0));
            self.order.push(key);
        }
    }

    /// Whether `references` references to `kind`/`code` fail only because that record was
    /// rejected; if so they are counted, to be reported once by [`Rejected::summaries`].
    pub fn absorb(&mut self, kind: Kind, code: &str, references: usize) -> bool {
        match self.records.get_mut(&(kind, code.to_string())) {
            Some((_, count)) => {
                *count += references;
                true
            }
            None => false,
        }
    }

    /// `and 123 references to DE000030 fail because of it`, at each rejected record that
    /// references failed for, in the order they were rejected.
    pub fn summaries(&self, lang: Lang) -> Vec<FileProblem> {
        self.order
            .iter()
            .filter_map(|key| {
                let (place, count) = self.records.get(key)?;
                let code = &key.1;
                let message = match (count, lang) {
                    (0, _) => return None,
                    (n, Lang::Zh) => format!("另有 {n} 处引用 {code} 因此无法导入"),
                    (1, Lang::En) => format!("and 1 reference to {code} fails because of it"),
                    (n, Lang::En) => format!("and {n} references to {code} fail because of it"),
                };
                Some(FileProblem::new(place.clone(), message))
            })
            .collect()
    }
}

/// Drops records whose code repeats one earlier in the file (reporting each) and checks the
/// rest against the `stored` records (a loaded catalog, or a store's read as they are looked
/// up) overlaid with them. `locate(origin, path_in_record)` says where a
/// problem is in the file; `origin` is what the format keeps per record (a JSON path, a row).
/// A reference to a record in `rejected` is not reported on its own but counted there, and
/// the counts end the problems ([`Rejected::summaries`]).
/// Returns the records kept, in file order, and the problems.
pub fn check_import<L>(
    records: Vec<(L, Record)>,
    stored: &dyn Lookup,
    lang: Lang,
    mut rejected: Rejected,
    locate: impl Fn(&L, &str) -> String,
) -> (Vec<Record>, Vec<FileProblem>) {
    let mut problems = Vec::new();
    // each kept record's place in `origins`; the records themselves are checked where they
    // lie in `changes`, not copied there (a million-element restore held every record twice)
    let mut first_at: HashMap<(Kind, String), usize> = HashMap::with_capacity(records.len());
    let mut origins: Vec<L> = Vec::with_capacity(records.len());
    let mut changes: Changes = HashMap::with_capacity(records.len());
    for (origin, record) in records {
        let key = (record.kind(), record.code().to_string());
        if let Some(&first) = first_at.get(&key) {
            let issue = Issue::DuplicateCode {
                code: key.1,
                first: locate(&origins[first], ""),
            };
            problems.push(FileProblem::new(
                locate(&origin, "code"),
                issue.message(lang),
            ));
        } else {
            first_at.insert(key.clone(), origins.len());
            origins.push(origin);
            changes.insert(key, Some(record));
        }
    }
    // the kept records' keys in file order
    let mut order: Vec<(&(Kind, String), usize)> =
        first_at.iter().map(|(key, &at)| (key, at)).collect();
    order.sort_unstable_by_key(|&(_, at)| at);
    let view = Overlay {
        base: stored,
        changes: &changes,
    };
    let kept = order
        .iter()
        .filter_map(|(key, _)| changes.get(*key)?.as_ref().map(Record::as_ref));
    for problem in check_records(&view, kept) {
        if let Issue::Unknown { target, code } = &problem.issue
            && rejected.absorb(*target, code, 1)
        {
            continue;
        }
        let key = (problem.kind, problem.code.clone());
        let path = match first_at.get(&key) {
            Some(&at) => locate(&origins[at], &problem.path),
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
    problems.extend(rejected.summaries(lang));
    let records = order
        .iter()
        .filter_map(|(key, _)| changes.remove(*key).flatten())
        .collect();
    (records, problems)
}
