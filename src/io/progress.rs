//! Progress and cancellation for imports and exports, shared by the command line (an
//! indicatif spinner) and the TUI (a gauge in the transfer dialog).
//!
//! The readers report [`Step`]s through a [`Control`] and stop at the next row when its
//! [`CancelFlag`] is raised. Cancelling is only possible before the write begins: the flag
//! and the start of the write are one atomic state, so a cancel either wins (nothing is
//! written) or is refused because the store's all-or-nothing write is under way.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::i18n::Lang;

use super::check::FileProblem;

/// What an import or export is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Reading the file's bytes.
    Reading,
    /// Turning rows or JSON into records.
    Parsing,
    /// Checking the records against the catalog.
    Validating,
    /// Building the tables or files of an export.
    Building,
    /// Writing: the store's one transaction, or the export's files.
    Writing,
}

impl Phase {
    /// The phase's name in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Phase::Reading => lang.pick("读取", "reading"),
            Phase::Parsing => lang.pick("解析", "parsing"),
            Phase::Validating => lang.pick("校验", "validating"),
            Phase::Building => lang.pick("生成", "building"),
            Phase::Writing => lang.pick("写入", "writing"),
        }
    }
}

/// What the counts of a [`Step`] count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Bytes of a file.
    Bytes,
    /// Table rows (CSV lines, XLSX rows).
    Rows,
    /// Records.
    Records,
    /// Files or sheets.
    Files,
}

impl Unit {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            Unit::Bytes => lang.pick("字节", "bytes"),
            Unit::Rows => lang.pick("行", "rows"),
            Unit::Records => lang.pick("条记录", "records"),
            Unit::Files => lang.pick("个文件", "files"),
        }
    }
}

/// One progress report: `done` of `total` units in a phase (`total` 0: not known).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The phase.
    pub phase: Phase,
    /// What is counted.
    pub unit: Unit,
    /// Units done.
    pub done: u64,
    /// Units in all, 0 when not known.
    pub total: u64,
}

impl Step {
    /// How far, from 0.0 to 1.0 (0.0 while the total is unknown).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }

    /// `解析 1234 / 5000 行` / `parsing 1234 / 5000 rows`.
    pub fn describe(&self, lang: Lang) -> String {
        let unit = self.unit.label(lang);
        let phase = self.phase.label(lang);
        match (self.unit, self.total) {
            (Unit::Bytes, 0) => format!("{phase} {}", bytes(self.done)),
            (Unit::Bytes, total) => format!("{phase} {} / {}", bytes(self.done), bytes(total)),
            (_, 0) => format!("{phase} {} {unit}", self.done),
            (_, total) => format!("{phase} {} / {total} {unit}", self.done),
        }
    }
}

/// `512 B`, `12.3 KB`, `4.5 MB`.
fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

const RUNNING: u8 = 0;
const CANCELLED: u8 = 1;
const WRITING: u8 = 2;

/// The cancel flag of one import or export, shared between the worker and the face.
#[derive(Debug, Default)]
pub struct CancelFlag(AtomicU8);

/// What a cancel request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The work stops at its next step; nothing is written.
    Cancelled,
    /// The write has begun and runs to its end (all or nothing); it cannot be cancelled.
    Writing,
}

impl CancelFlag {
    /// A flag that is not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop. Refused once the write has begun.
    pub fn cancel(&self) -> CancelOutcome {
        match self
            .0
            .compare_exchange(RUNNING, CANCELLED, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => CancelOutcome::Cancelled,
            Err(WRITING) => CancelOutcome::Writing,
            Err(_) => CancelOutcome::Cancelled,
        }
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed) == CANCELLED
    }

    /// Marks the start of the write; false (and nothing may be written) when cancelled first.
    pub fn begin_write(&self) -> bool {
        self.0
            .compare_exchange(RUNNING, WRITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
            || self.0.load(Ordering::SeqCst) == WRITING
    }
}

/// The work was cancelled before anything was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

/// Why a reader stopped: problems in the input, or a cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The input has problems (every one found).
    Problems(Vec<FileProblem>),
    /// The user cancelled.
    Cancelled,
}

impl Stop {
    /// The problems; a cancel is one problem saying so (for callers that cannot cancel).
    pub fn into_problems(self) -> Vec<FileProblem> {
        match self {
            Stop::Problems(p) => p,
            Stop::Cancelled => vec![FileProblem::new("", "cancelled")],
        }
    }
}

impl From<Vec<FileProblem>> for Stop {
    fn from(problems: Vec<FileProblem>) -> Self {
        Stop::Problems(problems)
    }
}

impl From<Cancelled> for Stop {
    fn from(_: Cancelled) -> Self {
        Stop::Cancelled
    }
}

/// Results of reading several files or sheets: every problem is kept, a cancel ends at once.
pub struct Gathered<T> {
    items: Vec<T>,
    problems: Vec<FileProblem>,
}

impl<T> Default for Gathered<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl<T> Gathered<T> {
    /// Notes a problem.
    pub fn problem(&mut self, problem: FileProblem) {
        self.problems.push(problem);
    }

    /// Keeps a result (nothing for `Ok(None)`); Err when it was a cancel.
    pub fn add(&mut self, result: Result<Option<T>, Stop>) -> Result<(), Cancelled> {
        match result {
            Ok(item) => self.items.extend(item),
            Err(Stop::Problems(mut p)) => self.problems.append(&mut p),
            Err(Stop::Cancelled) => return Err(Cancelled),
        }
        Ok(())
    }

    /// The items, or every problem noted.
    pub fn finish(self) -> Result<Vec<T>, Stop> {
        if self.problems.is_empty() {
            Ok(self.items)
        } else {
            Err(Stop::Problems(self.problems))
        }
    }
}

/// A progress callback and a cancel flag, handed down to the readers and writers. Reports
/// are thinned out to about a hundred per phase; every call checks the flag.
pub struct Control<'a> {
    report: &'a dyn Fn(Step),
    flag: &'a CancelFlag,
    /// The last step reported.
    last: Cell<Option<Step>>,
}

static NEVER: CancelFlag = CancelFlag(AtomicU8::new(RUNNING));

fn ignore(_: Step) {}

impl<'a> Control<'a> {
    /// Reports to `report`; stops when `flag` is raised.
    pub fn new(report: &'a dyn Fn(Step), flag: &'a CancelFlag) -> Self {
        Self {
            report,
            flag,
            last: Cell::new(None),
        }
    }

    /// Reports nothing and is never cancelled.
    pub fn none() -> Control<'static> {
        Control::new(&ignore, &NEVER)
    }

    /// Reports progress (when it moved enough to show) and says whether to go on.
    pub fn step(&self, phase: Phase, unit: Unit, done: u64, total: u64) -> Result<(), Cancelled> {
        if self.flag.is_cancelled() {
            return Err(Cancelled);
        }
        let step = Step {
            phase,
            unit,
            done,
            total,
        };
        let show = match self.last.get() {
            None => true,
            Some(last) if last.phase != phase || last.unit != unit || last.total != total => true,
            Some(last) => {
                let stride = if total == 0 {
                    1024
                } else {
                    (total / 100).max(1)
                };
                done == total || done >= last.done.saturating_add(stride) || done < last.done
            }
        };
        if show {
            self.last.set(Some(step));
            (self.report)(step);
        }
        Ok(())
    }

    /// Err when a cancel was asked for.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.flag.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Marks the start of the write: Err (write nothing) when cancelled first.
    pub fn begin_write(&self) -> Result<(), Cancelled> {
        if self.flag.begin_write() {
            Ok(())
        } else {
            Err(Cancelled)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn reports_are_thinned_out_but_keep_phase_changes_and_the_end() {
        let seen = RefCell::new(Vec::new());
        let report = |s: Step| seen.borrow_mut().push(s);
        let flag = CancelFlag::new();
        let control = Control::new(&report, &flag);
        for i in 0..=1000 {
            control.step(Phase::Parsing, Unit::Rows, i, 1000).unwrap();
        }
        control
            .step(Phase::Validating, Unit::Records, 0, 5)
            .unwrap();
        let seen = seen.borrow();
        assert!(seen.len() <= 102, "{}", seen.len());
        assert_eq!(seen[0].done, 0);
        assert_eq!(seen[seen.len() - 2].done, 1000);
        assert_eq!(seen.last().unwrap().phase, Phase::Validating);
    }

    #[test]
    fn a_cancel_wins_before_the_write_and_is_refused_after() {
        let flag = CancelFlag::new();
        let control = Control::new(&|_| {}, &flag);
        assert_eq!(control.step(Phase::Reading, Unit::Bytes, 1, 2), Ok(()));
        assert_eq!(flag.cancel(), CancelOutcome::Cancelled);
        assert_eq!(
            control.step(Phase::Reading, Unit::Bytes, 2, 2),
            Err(Cancelled)
        );
        assert_eq!(control.begin_write(), Err(Cancelled));

        let flag = CancelFlag::new();
        let control = Control::new(&|_| {}, &flag);
        assert_eq!(control.begin_write(), Ok(()));
        assert_eq!(flag.cancel(), CancelOutcome::Writing);
        assert!(!flag.is_cancelled());
        assert_eq!(control.check(), Ok(()));
    }

    #[test]
    fn steps_describe_themselves() {
        let step = |phase, unit, done, total| Step {
            phase,
            unit,
            done,
            total,
        };
        let s = step(Phase::Parsing, Unit::Rows, 1234, 5000);
        assert_eq!(s.describe(Lang::En), "parsing 1234 / 5000 rows");
        assert_eq!(s.describe(Lang::Zh), "解析 1234 / 5000 行");
        let b = step(Phase::Reading, Unit::Bytes, 1_500_000, 0);
        assert_eq!(b.describe(Lang::En), "reading 1.5 MB");
        assert!((s.ratio() - 0.2468).abs() < 1e-9);
    }
}
