//! The transfer dialog: import and export from the TUI through the engine the command line
//! uses ([`crate::io::transfer`]): the same format detection, `--kind`, `--encoding`,
//! dry run and all-or-nothing check. The work runs on a worker thread with the store; a
//! gauge shows its phase and counts, Esc cancels it before the write begins (the store
//! writes all or nothing, so a cancel once the write began is refused and the write runs
//! to its end). Problems are listed in the dialog; the panes refresh after an import. An
//! export that would replace files asks first (`y` overwrites, `n` goes back); the command
//! line overwrites without asking. Each dialog reopens with the path it last had.

use crate::tui::hints::Hint;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::action::Action;
use super::app::{App, AppEvent, BoxStore, Level, Overlay};
use super::loading::ImportWritten;
use super::text::{fit, wrap_columns};
use super::theme::Slot;
use super::view::{centered, line_view, popup};
use crate::display::{inert, pad};
use crate::i18n::Lang;
use crate::io::csv::Encoding;
use crate::io::progress::{CancelFlag, CancelOutcome, Control, Step};
use crate::io::table::TableId;
use crate::io::transfer::{
    self, Caller, ExportError, ExportRequest, Format, ImportError, ImportRequest, Imported, Parsed,
    Sniffed, nothing_written,
};
use crate::model::{Catalog, RecordSource};
use crate::store::{RecordReader, Store, StoreError};

/// Import or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Read a file into the store.
    Import,
    /// Write the catalog to a file.
    Export,
}

/// The dialog's fields, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The file or directory.
    Path,
    /// `--format`: detected unless chosen.
    Format,
    /// `--kind`: a table, or every table.
    Kind,
    /// `--encoding` (CSV).
    Encoding,
    /// Import: check only.
    DryRun,
    /// Export: header language.
    Headers,
}

impl Direction {
    fn fields(self) -> &'static [Field] {
        match self {
            Direction::Import => &[
                Field::Path,
                Field::Format,
                Field::Kind,
                Field::Encoding,
                Field::DryRun,
            ],
            Direction::Export => &[
                Field::Path,
                Field::Format,
                Field::Kind,
                Field::Encoding,
                Field::Headers,
            ],
        }
    }
}

/// What the dialog is doing.
#[derive(Debug)]
pub enum State {
    /// The fields are being filled in; why the last start was refused.
    Editing {
        /// The refusal.
        error: Option<String>,
    },
    /// The work runs on a worker thread (which has the store).
    Running {
        /// The latest progress report.
        step: Option<Step>,
        /// Raised by Esc.
        flag: Arc<CancelFlag>,
        /// Cancelling…, or why a cancel was refused.
        note: Option<String>,
        /// Ctrl-C: the app quits when the work ends (cancelled if it can be, else written).
        quit: bool,
    },
    /// An export would replace files that exist: `y` overwrites them, `n` / Esc go back to
    /// the fields.
    Overwrite {
        /// The files (relative to the dialog's directory when under it).
        paths: Vec<String>,
    },
    /// Finished.
    Done(Outcome),
}

/// How a transfer ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written to the store.
    Imported {
        /// Counts.
        imported: Imported,
        /// Warnings and the file's summary.
        notes: Vec<String>,
    },
    /// A dry run found the input valid.
    Checked {
        /// Valid records.
        records: usize,
        /// Warnings and the file's summary.
        notes: Vec<String>,
    },
    /// Files written.
    Exported {
        /// The path asked for.
        path: String,
        /// Files written.
        files: usize,
    },
    /// The input has problems; nothing was written.
    Problems {
        /// The problems.
        lines: Vec<String>,
        /// How the files were decoded (listed first).
        notes: Vec<String>,
    },
    /// Cancelled before the write; nothing was written.
    Cancelled,
    /// Refused or failed (usage, I/O, store); nothing was written.
    Failed(String),
    /// An export stopped before writing because these files exist (the dialog asks).
    Exists(Vec<String>),
}

impl Outcome {
    fn succeeded(&self) -> bool {
        matches!(
            self,
            Outcome::Imported { .. } | Outcome::Checked { .. } | Outcome::Exported { .. }
        )
    }

    /// The one-line summary (also the status bar message).
    fn summary(&self, lang: Lang) -> String {
        match self {
            Outcome::Imported { imported, .. } => imported.message(lang),
            Outcome::Checked { records, .. } => transfer::checked(*records, lang),
            Outcome::Exported { path, files } => lang.pick(
                format!("已导出到 {}（{files} 个文件）", inert(path)),
                format!("exported to {} ({files} file(s))", inert(path)),
            ),
            Outcome::Problems { lines, .. } => nothing_written(lines.len(), lang),
            Outcome::Cancelled => lang
                .pick("已取消，未写入任何数据", "cancelled; nothing was written")
                .into(),
            Outcome::Failed(_) => lang
                .pick("失败，未写入任何数据", "failed; nothing was written")
                .into(),
            Outcome::Exists(paths) => overwrite_question(paths, lang),
        }
    }

    /// The outcome with the paths under `dir` (the dialog's directory) shown relative to it,
    /// as they were typed (the first path of each line).
    fn relative_to(self, dir: &Path) -> Self {
        let prefix = format!("{}/", inert(&dir.display().to_string()));
        // the first mention: after a `warning: ` too
        let strip = |s: String| s.replacen(&prefix, "", 1);
        match self {
            Outcome::Problems { lines, notes } => Outcome::Problems {
                lines: lines.into_iter().map(strip).collect(),
                notes: notes.into_iter().map(strip).collect(),
            },
            Outcome::Exported { path, files } => Outcome::Exported {
                path: strip(path),
                files,
            },
            Outcome::Failed(m) => Outcome::Failed(strip(m)),
            Outcome::Exists(paths) => Outcome::Exists(paths.into_iter().map(strip).collect()),
            Outcome::Imported { imported, notes } => Outcome::Imported {
                imported,
                notes: notes.into_iter().map(strip).collect(),
            },
            Outcome::Checked { records, notes } => Outcome::Checked {
                records,
                notes: notes.into_iter().map(strip).collect(),
            },
            other => other,
        }
    }

    /// The lines listed under the summary.
    fn lines(&self) -> Vec<&str> {
        match self {
            Outcome::Imported { notes, .. } | Outcome::Checked { notes, .. } => {
                notes.iter().map(String::as_str).collect()
            }
            Outcome::Problems { lines, notes } => {
                notes.iter().chain(lines).map(String::as_str).collect()
            }
            Outcome::Failed(m) => vec![m.as_str()],
            _ => Vec::new(),
        }
    }
}

/// What the worker that wrote an import over the records near it hands back.
pub struct WrittenNear {
    /// The store and what the write did.
    pub done: ImportWritten,
    /// What reading the file noted (a county catalog's summary).
    pub notes: Vec<String>,
    /// Pane 2's index was let go before the write (see `App::make_room_for_import`): it is
    /// read again.
    pub index_let_go: bool,
}

/// A worker's report.
pub enum TransferEvent {
    /// Where the work is.
    Progress(Step),
    /// An import before the catalog is loaded was read and checked against the open
    /// store's records (see `io::transfer::read_near`): the input, and the records read, to
    /// be written over them by a worker the store is lent to.
    ReadNear(Box<(Parsed, Catalog)>),
    /// The worker the open store was lent to wrote an import over the records near it (see
    /// `Loading::lend_for_import`), and hands the store back.
    WrittenNear(Box<WrittenNear>),
    /// The work ended and hands the store back.
    Done {
        /// The store (`None`: an export read the store while its catalog waited to be
        /// needed, and the store stayed with the app).
        store: Option<BoxStore>,
        /// How it ended.
        outcome: Outcome,
    },
}

impl TransferEvent {
    /// Whether this ends the job (a worker's import read before the catalog ends it too:
    /// another worker writes it).
    pub fn is_done(&self) -> bool {
        !matches!(self, TransferEvent::Progress(_))
    }
}

/// The dialog.
#[derive(Debug)]
pub struct Transfer {
    /// Import or export.
    pub direction: Direction,
    /// The directory relative paths start from (shown).
    pub cwd: PathBuf,
    /// The path typed.
    pub path: Input,
    /// The focused field.
    pub focus: Field,
    /// The format chosen, or `None` to detect it as the command line does.
    pub format: Option<Format>,
    /// The table or kind chosen, or `None` for every table.
    pub kind: Option<TableId>,
    /// The CSV encoding chosen, or `None` (import: detect; export: UTF-8).
    pub encoding: Option<Encoding>,
    /// Import: check only.
    pub dry_run: bool,
    /// Export: header language.
    pub headers: Lang,
    /// The matches of the last Tab.
    pub completions: Vec<String>,
    /// Editing, running or done.
    pub state: State,
    /// First line of the result list shown.
    pub scroll: usize,
    /// Import: what detection finds at the start of the CSV file(s) the path names.
    pub sniffed: Option<Sniffed>,
    /// The path and format `sniffed` belongs to.
    sniffed_for: Option<(PathBuf, Option<Format>)>,
    /// An import read and checked before the catalog was loaded that the records near it
    /// could not be written over: it waits for the catalog, loading, to be written over it.
    pub waiting: Option<Box<Parsed>>,
}

/// The path each dialog had when it last started or closed, for the rest of the session:
/// reopening a dialog starts from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastPaths {
    /// The import dialog's.
    pub import: Option<String>,
    /// The export dialog's.
    pub export: Option<String>,
}

impl LastPaths {
    /// The path remembered for `direction`.
    pub fn get(&self, direction: Direction) -> Option<&str> {
        match direction {
            Direction::Import => self.import.as_deref(),
            Direction::Export => self.export.as_deref(),
        }
    }

    /// Remembers the path of dialog `t` (an empty one is not remembered).
    fn keep(&mut self, t: &Transfer) {
        let typed = t.path.value();
        if typed.trim().is_empty() {
            return;
        }
        let slot = match t.direction {
            Direction::Import => &mut self.import,
            Direction::Export => &mut self.export,
        };
        *slot = Some(typed.to_string());
    }
}

/// The next (or previous) of `options` after `current`.
fn cycle<T: PartialEq + Copy>(options: &[T], current: T, forward: bool) -> T {
    let n = options.len();
    let i = options.iter().position(|o| *o == current).unwrap_or(0);
    let j = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    options.get(j).copied().unwrap_or(current)
}

impl Transfer {
    /// A fresh dialog; relative paths start from `cwd`.
    pub fn new(direction: Direction, cwd: PathBuf) -> Self {
        let path = match direction {
            Direction::Import => String::new(),
            Direction::Export => "catalog.xlsx".to_string(),
        };
        Self {
            direction,
            cwd,
            path: Input::new(path),
            focus: Field::Path,
            format: None,
            kind: None,
            encoding: None,
            dry_run: false,
            headers: Lang::Zh,
            completions: Vec::new(),
            state: State::Editing { error: None },
            scroll: 0,
            sniffed: None,
            sniffed_for: None,
            waiting: None,
        }
    }

    /// Import: sniffs the encoding of the CSV file(s) the path names, when the path or the
    /// format changed since the last time (a face must not read files on every frame).
    pub fn refresh_sniff(&mut self) {
        if self.direction != Direction::Import {
            return;
        }
        let file = self.file();
        let key = (file.clone(), self.format);
        if self.sniffed_for.as_ref() == Some(&key) {
            return;
        }
        let csv = !self.path.value().trim().is_empty()
            && Format::detect(&file, self.format, &Format::ALL, Lang::En) == Ok(Format::Csv);
        self.sniffed = if csv {
            transfer::sniff_encoding(&file)
        } else {
            None
        };
        self.sniffed_for = Some(key);
    }

    /// The path as the engine gets it: `~/` is the home directory, a relative path starts
    /// from the dialog's directory.
    pub fn file(&self) -> PathBuf {
        let typed = self.path.value().trim();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let expanded = match (typed.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(typed),
        };
        let mut file = self.cwd.join(expanded);
        // `join` drops a trailing slash, which says "a CSV directory"
        if typed.ends_with('/') {
            file.push("");
        }
        file
    }

    fn import_request(&self) -> ImportRequest {
        ImportRequest {
            file: self.file(),
            format: self.format,
            kind: self.kind.map(|t| t.en().to_string()),
            encoding: self.encoding,
            dry_run: self.dry_run,
            caller: Caller::Tui,
        }
    }

    fn export_request(&self) -> ExportRequest {
        ExportRequest {
            file: self.file(),
            format: self.format,
            kind: self.kind.map(|t| t.en().to_string()),
            encoding: self.encoding,
            // Chinese is the default; English is a choice, refused for JSON
            headers: (self.headers != Lang::Zh).then_some(self.headers),
            caller: Caller::Tui,
        }
    }

    fn move_focus(&mut self, forward: bool) {
        self.focus = cycle(self.direction.fields(), self.focus, forward);
    }

    /// Cycles the focused choice.
    fn choose(&mut self, forward: bool) {
        match self.focus {
            Field::Path => {}
            Field::Format => {
                let mut options = vec![None];
                options.extend(
                    Format::ALL
                        .into_iter()
                        .filter(|f| self.direction == Direction::Import || *f != Format::DeptTree)
                        .map(Some),
                );
                self.format = cycle(&options, self.format, forward);
            }
            Field::Kind => {
                let mut options = vec![None];
                options.extend(TableId::ALL.into_iter().map(Some));
                self.kind = cycle(&options, self.kind, forward);
            }
            Field::Encoding => {
                let mut options = vec![None];
                options.extend(Encoding::ALL.into_iter().map(Some));
                self.encoding = cycle(&options, self.encoding, forward);
            }
            Field::DryRun => self.dry_run = !self.dry_run,
            Field::Headers => self.headers = cycle(&[Lang::Zh, Lang::En], self.headers, forward),
        }
    }

    /// Tab in the path field: completes the typed path; the matches are listed when there
    /// is more than one.
    fn complete(&mut self) {
        let (value, matches) = complete(&self.cwd, self.path.value());
        self.path = Input::new(value);
        self.completions = if matches.len() > 1 {
            matches
        } else {
            Vec::new()
        };
    }

    /// The value shown for a field.
    fn value(&self, field: Field, lang: Lang) -> String {
        match field {
            Field::Path => self.path.value().to_string(),
            Field::Format => match self.format {
                Some(f) => f.name().to_string(),
                None if self.path.value().trim().is_empty() => {
                    lang.pick("自动（按扩展名）", "auto (by extension)").into()
                }
                None => match Format::detect(&self.file(), None, &Format::ALL, lang) {
                    Ok(f) => {
                        lang.pick(format!("自动：{}", f.name()), format!("auto: {}", f.name()))
                    }
                    Err(_) => lang
                        .pick(
                            "自动：无法从扩展名看出，请选择",
                            "auto: unknown extension, choose one",
                        )
                        .into(),
                },
            },
            Field::Kind => match self.kind {
                Some(t) => format!("{} {}", t.zh(), t.en()),
                None => lang.pick("全部表", "every table").into(),
            },
            Field::Encoding => match (self.encoding, self.direction) {
                (Some(e), _) => e.name().into(),
                (None, Direction::Import) => match &self.sniffed {
                    Some(found) => lang.pick(
                        format!("自动检测（{}）", found.label(lang)),
                        format!("detect ({})", found.label(lang)),
                    ),
                    None => lang.pick("自动检测", "detect").into(),
                },
                (None, Direction::Export) => lang.pick("UTF-8（默认）", "UTF-8 (default)").into(),
            },
            Field::DryRun => match self.dry_run {
                true => lang.pick(
                    "[x] 是：只校验，不写入",
                    "[x] yes: check only, write nothing",
                ),
                false => lang.pick("[ ] 否", "[ ] no"),
            }
            .into(),
            Field::Headers => match self.headers {
                Lang::Zh => lang.pick("中文", "Chinese (zh)").into(),
                Lang::En => lang.pick("英文", "English (en)").into(),
            },
        }
    }
}

fn label(field: Field, lang: Lang) -> &'static str {
    match field {
        Field::Path => lang.pick("文件", "file"),
        Field::Format => lang.pick("格式", "format"),
        Field::Kind => lang.pick("类别", "kind"),
        Field::Encoding => lang.pick("编码", "encoding"),
        Field::DryRun => lang.pick("试运行", "dry run"),
        Field::Headers => lang.pick("表头", "headers"),
    }
}

/// Whether a directory entry is offered: directories, and files of a format.
fn offered(name: &str, is_dir: bool) -> bool {
    if is_dir {
        return true;
    }
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("json" | "csv" | "xlsx"))
}

/// Completes `typed` against its directory (relative to `cwd`; `~/` is home): the longest
/// common prefix of the entries that match, with a `/` after a lone directory. Returns the
/// new text and the matches (directories end in `/`). Hidden entries are offered only when
/// the typed name starts with `.`; files only when JSON, CSV or XLSX.
pub fn complete(cwd: &Path, typed: &str) -> (String, Vec<String>) {
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let dir = match (dir_part.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if dir_part.is_empty() => cwd.to_path_buf(),
        _ => cwd.join(dir_part),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (typed.to_string(), Vec::new());
    };
    let mut matches: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let is_dir = e.path().is_dir();
            let shown = name.starts_with(prefix)
                && (prefix.starts_with('.') || !name.starts_with('.'))
                && offered(&name, is_dir);
            shown.then_some((name, is_dir))
        })
        .collect();
    matches.sort();
    let listed: Vec<String> = matches
        .iter()
        .map(|(n, d)| if *d { format!("{n}/") } else { n.clone() })
        .collect();
    match matches.as_slice() {
        [] => (typed.to_string(), listed),
        [(_, _)] => (format!("{dir_part}{}", listed[0]), listed),
        [(first, _), rest @ ..] => {
            let mut common: String = first.clone();
            for (name, _) in rest {
                let n = common
                    .chars()
                    .zip(name.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                common = common.chars().take(n).collect();
            }
            (format!("{dir_part}{common}"), listed)
        }
    }
}

/// How an import that stopped says so.
pub(crate) fn import_failed(e: ImportError, lang: Lang) -> Outcome {
    match e {
        ImportError::Usage(m) | ImportError::Io(m) => Outcome::Failed(m),
        ImportError::Problems { lines, notes } => Outcome::Problems { lines, notes },
        ImportError::Cancelled => Outcome::Cancelled,
        ImportError::Store(StoreError::Invalid(problems)) => Outcome::Problems {
            lines: problems
                .iter()
                .map(|p| inert(&p.describe(lang)).into_owned())
                .collect(),
            notes: Vec::new(),
        },
        ImportError::Store(e) => Outcome::Failed(e.to_string()),
    }
}

/// Runs an import on the worker thread.
fn run_import<S: Store + ?Sized>(
    store: &mut S,
    request: &ImportRequest,
    control: &Control<'_>,
    lang: Lang,
) -> Outcome {
    let parsed = match transfer::read(request, store.catalog(), control, lang) {
        Ok(parsed) => parsed,
        Err(e) => return import_failed(e, lang),
    };
    if request.dry_run {
        return checked(&parsed, lang);
    }
    write_import(store, parsed, control, lang)
}

/// A dry run's outcome.
fn checked(parsed: &Parsed, lang: Lang) -> Outcome {
    Outcome::Checked {
        records: parsed.records.len(),
        notes: parsed.notes(lang),
    }
}

/// Writes an import read and checked (on the worker thread, the store loaded).
pub(crate) fn write_import<S: Store + ?Sized>(
    store: &mut S,
    parsed: Parsed,
    control: &Control<'_>,
    lang: Lang,
) -> Outcome {
    let notes = parsed.notes(lang);
    match transfer::write(store, parsed, control) {
        Ok(imported) => Outcome::Imported { imported, notes },
        Err(e) => import_failed(e, lang),
    }
}

/// Reads and checks an import on the worker thread before the catalog is loaded, against
/// the records of the store `reader` reads (see `io::transfer::read_near`): a dry run's
/// outcome, or the input to be written over them (by a worker the store is lent to).
fn run_import_near(
    reader: RecordReader,
    request: &ImportRequest,
    control: &Control<'_>,
    lang: Lang,
) -> TransferEvent {
    let outcome = match transfer::read_near(request, reader, control, lang) {
        Ok((parsed, _)) if request.dry_run => checked(&parsed, lang),
        Ok(read) => return TransferEvent::ReadNear(Box::new(read)),
        Err(e) => import_failed(e, lang),
    };
    TransferEvent::Done {
        store: None,
        outcome,
    }
}

/// `catalog.xlsx 已存在。覆盖它？` / `3 个文件已存在。覆盖它们？`.
fn overwrite_question(paths: &[String], lang: Lang) -> String {
    match paths {
        [one] => lang.pick(
            format!("{} 已存在。覆盖它？", inert(one)),
            format!("{} exists. Overwrite it?", inert(one)),
        ),
        _ => lang.pick(
            format!("{} 个文件已存在。覆盖它们？", paths.len()),
            format!("{} files exist. Overwrite them?", paths.len()),
        ),
    }
}

/// Runs an export on the worker thread; unless `overwrite`, one that would replace files
/// stops before writing and names them.
fn run_export(
    source: &dyn RecordSource,
    request: &ExportRequest,
    control: &Control<'_>,
    lang: Lang,
    overwrite: bool,
) -> Outcome {
    let export = match transfer::build(source, request, control, lang) {
        Ok(export) => export,
        Err(ExportError::Usage(m) | ExportError::Io(m)) => return Outcome::Failed(m),
        Err(ExportError::Cancelled) => return Outcome::Cancelled,
    };
    let existing = export.existing();
    if !overwrite && !existing.is_empty() {
        return Outcome::Exists(
            existing
                .iter()
                .map(|p| inert(&p.display().to_string()).into_owned())
                .collect(),
        );
    }
    let result = transfer::save(&export, control, lang).map(|()| export.outputs.len());
    match result {
        Ok(files) => Outcome::Exported {
            path: request.file.display().to_string(),
            files,
        },
        Err(ExportError::Usage(m) | ExportError::Io(m)) => Outcome::Failed(m),
        Err(ExportError::Cancelled) => Outcome::Cancelled,
    }
}

/// What a key in the dialog asks of the app.
enum Reply {
    Stay,
    Close,
    /// Start; `true`: overwrite the files an export replaces.
    Start(bool),
}

impl App {
    /// Opens the import or export dialog (refused while an edit form is open or a form
    /// design has unsaved changes: an import could change what they hold).
    pub(crate) fn open_transfer(&mut self, direction: Direction) {
        let lang = self.lang;
        if self.editor.is_some()
            || (direction == Direction::Import
                && self
                    .forms
                    .designer
                    .as_ref()
                    .is_some_and(|d| d.design.is_dirty()))
        {
            let text = lang.pick(
                "请先保存或关闭正在编辑的记录或表单",
                "save or close the record or form being edited first",
            );
            self.say(Level::Warn, text.into());
            return;
        }
        // before the catalog is loaded an export reads the open store a record at a time,
        // and an import is checked against the records it touches
        let unloaded = self.loading.as_ref().and_then(|l| l.unloaded()).is_some();
        if self.store.is_none() && !unloaded {
            let text = lang.pick("请稍候：正在处理", "please wait: busy");
            self.say(Level::Warn, text.into());
            return;
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut t = Transfer::new(direction, cwd);
        if let Some(last) = self.transfer_paths.get(direction) {
            t.path = Input::new(last.to_string());
        }
        t.refresh_sniff();
        self.overlay = Some(Overlay::Transfer(Box::new(t)));
    }

    /// A key while the dialog is open.
    pub(crate) fn transfer_key(&mut self, event: KeyEvent) {
        let lang = self.lang;
        let page = usize::from(self.size.1.saturating_sub(16)).max(1);
        let Some(Overlay::Transfer(t)) = &mut self.overlay else {
            return;
        };
        // ctrl-c quits from the dialog too (while it runs: once the work is over, below)
        let ctrl_c =
            event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c && !matches!(t.state, State::Running { .. }) {
            self.overlay = None;
            self.update(Action::Quit);
            return;
        }
        let reply = match &mut t.state {
            State::Running {
                flag, note, quit, ..
            } => {
                if event.code == KeyCode::Esc || ctrl_c {
                    *quit |= ctrl_c;
                    *note = Some(match (flag.cancel(), *quit) {
                        (CancelOutcome::Cancelled, false) => lang
                            .pick(
                                "正在取消…（不会写入任何数据）",
                                "cancelling… (nothing will be written)",
                            )
                            .into(),
                        (CancelOutcome::Cancelled, true) => lang
                            .pick(
                                "正在取消，随后退出…（不会写入任何数据）",
                                "cancelling, then quitting… (nothing will be written)",
                            )
                            .into(),
                        (CancelOutcome::Writing, false) => lang
                            .pick(
                                "正在写入，不能取消：存储一次写入全部记录，请稍候",
                                "writing: cannot cancel now, the store writes all records at once; please wait",
                            )
                            .into(),
                        (CancelOutcome::Writing, true) => lang
                            .pick(
                                "正在写入，不能取消：写完全部记录后退出",
                                "writing: cannot cancel now; quitting once every record is written",
                            )
                            .into(),
                    });
                }
                Reply::Stay
            }
            State::Overwrite { .. } => match event.code {
                KeyCode::Char('y' | 'Y') => Reply::Start(true),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                    t.state = State::Editing { error: None };
                    Reply::Stay
                }
                _ => Reply::Stay,
            },
            State::Done(outcome) => match event.code {
                KeyCode::Esc => Reply::Close,
                KeyCode::Enter if outcome.succeeded() => Reply::Close,
                KeyCode::Enter => {
                    t.state = State::Editing { error: None };
                    Reply::Stay
                }
                KeyCode::Down => {
                    t.scroll = t.scroll.saturating_add(1);
                    Reply::Stay
                }
                KeyCode::Up => {
                    t.scroll = t.scroll.saturating_sub(1);
                    Reply::Stay
                }
                KeyCode::PageDown => {
                    t.scroll = t.scroll.saturating_add(page);
                    Reply::Stay
                }
                KeyCode::PageUp => {
                    t.scroll = t.scroll.saturating_sub(page);
                    Reply::Stay
                }
                _ => Reply::Stay,
            },
            State::Editing { error } => {
                *error = None;
                match (event.code, t.focus) {
                    (KeyCode::Esc, _) => Reply::Close,
                    (KeyCode::Enter, _) => Reply::Start(false),
                    (KeyCode::Tab, Field::Path) => {
                        t.complete();
                        Reply::Stay
                    }
                    (KeyCode::Down | KeyCode::Tab, _) => {
                        t.move_focus(true);
                        Reply::Stay
                    }
                    (KeyCode::Up | KeyCode::BackTab, _) => {
                        t.move_focus(false);
                        Reply::Stay
                    }
                    (_, Field::Path) => {
                        if t.path.handle_event(&Event::Key(event)).is_some() {
                            t.completions.clear();
                        }
                        Reply::Stay
                    }
                    (KeyCode::Left, _) => {
                        t.choose(false);
                        Reply::Stay
                    }
                    (KeyCode::Right | KeyCode::Char(' '), _) => {
                        t.choose(true);
                        Reply::Stay
                    }
                    _ => Reply::Stay,
                }
            }
        };
        match reply {
            Reply::Stay => {
                if let Some(Overlay::Transfer(t)) = &mut self.overlay
                    && matches!(t.state, State::Editing { .. })
                {
                    t.refresh_sniff();
                }
            }
            Reply::Close => {
                if let Some(Overlay::Transfer(t)) = &self.overlay {
                    self.transfer_paths.keep(t);
                }
                self.overlay = None;
            }
            Reply::Start(overwrite) => self.transfer_start(overwrite),
        }
    }

    /// Asks a running transfer to stop (on quit): refused, silently, once it is writing.
    pub(crate) fn transfer_cancel(&mut self) {
        if let Some(Overlay::Transfer(t)) = &self.overlay
            && let State::Running { flag, .. } = &t.state
        {
            flag.cancel();
        }
    }

    /// Pasted text goes into the path (one line: [`crate::tui::text::paste_line`]).
    pub(crate) fn transfer_paste(&mut self, text: &str) {
        if let Some(Overlay::Transfer(t)) = &mut self.overlay
            && matches!(t.state, State::Editing { .. })
        {
            crate::tui::text::paste_into(&mut t.path, text);
            t.focus = Field::Path;
            t.completions.clear();
            t.refresh_sniff();
        }
    }

    /// Starts the work on a worker thread, which takes the store until it is done; an
    /// export replaces existing files only when `overwrite` (else it asks).
    fn transfer_start(&mut self, overwrite: bool) {
        let lang = self.lang;
        let Some(Overlay::Transfer(t)) = &mut self.overlay else {
            return;
        };
        let typed = t.path.value().trim();
        let refuse = if typed.is_empty() {
            Some(lang.pick(
                "请输入文件或目录的路径",
                "type the path of a file or directory",
            ))
        } else if typed == "-" {
            Some(lang.pick(
                "界面中不能使用标准输入/输出（-）",
                "standard input/output (-) cannot be used here",
            ))
        } else {
            None
        };
        if let Some(why) = refuse {
            t.state = State::Editing {
                error: Some(why.into()),
            };
            return;
        }
        // before the catalog is loaded an export reads the open store a record at a time,
        // as `yibiao export` does, and an import is checked against the records it touches
        // (the dialog keeps every key meanwhile)
        let reader = self
            .loading
            .as_ref()
            .and_then(|l| l.unloaded())
            .map(|store| store.reader());
        let store = self.store.take();
        if store.is_none() && reader.is_none() {
            t.state = State::Editing {
                error: Some(lang.pick("请稍候：正在处理", "please wait: busy").into()),
            };
            return;
        }
        self.transfer_paths.keep(t);
        let flag = Arc::new(CancelFlag::new());
        t.state = State::Running {
            step: None,
            flag: Arc::clone(&flag),
            note: None,
            quit: false,
        };
        t.scroll = 0;
        t.completions.clear();
        let (import, export) = match t.direction {
            Direction::Import => (Some(t.import_request()), None),
            Direction::Export => (None, Some(t.export_request())),
        };
        self.busy = Some(
            if import.is_some() {
                lang.pick("正在导入…", "importing…")
            } else {
                lang.pick("正在导出…", "exporting…")
            }
            .into(),
        );
        self.spawn_transfer(flag, move |control| {
            let control = &control;
            let mut store = store;
            let outcome = match (import, export, store.as_deref_mut(), reader) {
                (Some(request), _, Some(store), _) => run_import(store, &request, control, lang),
                (Some(request), _, None, Some(reader)) => {
                    return run_import_near(reader, &request, control, lang);
                }
                (None, Some(request), Some(store), _) => {
                    run_export(store.catalog(), &request, control, lang, overwrite)
                }
                (None, Some(request), None, Some(reader)) => {
                    run_export(&reader, &request, control, lang, overwrite)
                }
                _ => Outcome::Cancelled,
            };
            TransferEvent::Done { store, outcome }
        });
    }

    /// Runs `work` on a worker thread with what controls it: its progress reports go to
    /// the dialog, and it stops when `flag` is raised (before it writes).
    pub(crate) fn spawn_transfer(
        &mut self,
        flag: Arc<CancelFlag>,
        work: impl FnOnce(Control<'_>) -> TransferEvent + Send + 'static,
    ) {
        let tx = self.sender();
        self.spawn_job(move || {
            let report = |step: Step| {
                // a closed channel means the app is gone; the result is dropped with it
                let _ = tx.send(AppEvent::Transfer(TransferEvent::Progress(step)));
            };
            AppEvent::Transfer(work(Control::new(&report, &flag)))
        });
    }

    /// A worker's progress report or its end.
    pub(crate) fn transfer_event(&mut self, event: TransferEvent) {
        match event {
            TransferEvent::Progress(new) => {
                if let Some(Overlay::Transfer(t)) = &mut self.overlay
                    && let State::Running { step, .. } = &mut t.state
                {
                    *step = Some(new);
                    self.dirty = true;
                }
            }
            TransferEvent::ReadNear(read) => self.import_read_near(*read),
            TransferEvent::WrittenNear(done) => self.import_written_near(*done),
            TransferEvent::Done { store, outcome } => {
                if let Some(store) = store {
                    self.store = Some(store);
                }
                if let Outcome::Imported { imported, .. } = &outcome
                    && imported.created + imported.updated > 0
                {
                    self.store_changed();
                }
                self.transfer_finished(outcome);
            }
        }
    }

    /// A transfer ended as `outcome` (the store back, and the panes following what it
    /// wrote): said, and shown in the dialog (an export that would replace files asks).
    pub(crate) fn transfer_finished(&mut self, outcome: Outcome) {
        let outcome = match &self.overlay {
            Some(Overlay::Transfer(t)) => outcome.relative_to(&t.cwd),
            _ => outcome,
        };
        self.busy = None;
        if let Outcome::Exists(paths) = outcome {
            // the dialog asks; nothing was written
            if let Some(Overlay::Transfer(t)) = &mut self.overlay {
                t.state = State::Overwrite { paths };
            }
            self.dirty = true;
            return;
        }
        let level = if outcome.succeeded() {
            Level::Ok
        } else if outcome == Outcome::Cancelled {
            Level::Warn
        } else {
            Level::Error
        };
        self.say(level, outcome.summary(self.lang));
        if let Some(Overlay::Transfer(t)) = &mut self.overlay {
            let quit = matches!(t.state, State::Running { quit: true, .. });
            t.state = State::Done(outcome);
            // ctrl-c while it ran: the work is over (cancelled, or all of it written), so
            // the app quits as ctrl-c quits it (an unsaved design is shown first)
            if quit {
                self.overlay = None;
                self.update(Action::Quit);
            }
        }
    }
}

/// Width of the label column.
const LABEL: usize = 10;

/// Draws the dialog.
pub(crate) fn draw(frame: &mut Frame<'_>, app: &App, t: &Transfer) {
    let theme = &app.config.theme;
    let lang = app.lang;
    let ascii = app.config.ascii;
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2).min(26),
    );
    let title = match t.direction {
        Direction::Import => lang.pick(" 导入 ", " Import "),
        Direction::Export => lang.pick(" 导出 ", " Export "),
    };
    let inner = popup(frame, app, area, title.into());
    if inner.width < 20 || inner.height < 8 {
        return;
    }
    let w = usize::from(inner.width);
    let editing = matches!(t.state, State::Editing { .. });
    let row = |y: u16| Rect::new(inner.x, inner.y + y, inner.width, 1);
    let mut y = 0;
    // the directory relative paths start from
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("  {}", pad(lang.pick("当前目录", "directory"), LABEL)),
                theme.get(Slot::Label),
            ),
            Span::styled(
                fit(
                    &t.cwd.display().to_string(),
                    w.saturating_sub(LABEL + 2),
                    ascii,
                ),
                theme.get(Slot::Dim),
            ),
        ])),
        row(y),
    );
    y += 1;
    for &field in t.direction.fields() {
        let focused = editing && t.focus == field;
        let marker = if focused { "> " } else { "  " };
        let mut spans = vec![
            Span::styled(marker, theme.get(Slot::Key)),
            Span::styled(pad(label(field, lang), LABEL), theme.get(Slot::Label)),
        ];
        let room = w.saturating_sub(LABEL + 3);
        if field == Field::Path {
            let (text, cursor) = line_view(t.path.value(), t.path.cursor(), room);
            let slot = if focused {
                Slot::InputFocus
            } else {
                Slot::Input
            };
            spans.push(Span::styled(pad(&text, room), theme.get(slot)));
            if focused {
                frame.set_cursor_position(Position::new(
                    inner.x + (LABEL + 2 + cursor) as u16,
                    inner.y + y,
                ));
            }
        } else {
            let slot = if focused { Slot::Selection } else { Slot::Text };
            let value = fit(&t.value(field, lang), room, ascii);
            let arrows = if focused { " <>" } else { "" };
            spans.push(Span::styled(value, theme.get(slot)));
            spans.push(Span::styled(arrows, theme.get(Slot::Dim)));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), row(y));
        y += 1;
        if field == Field::Path && !t.completions.is_empty() {
            let list = t.completions.join("  ");
            frame.render_widget(
                Paragraph::new(Span::styled(
                    format!(
                        "{}{}",
                        " ".repeat(LABEL + 2),
                        fit(&list, w.saturating_sub(LABEL + 2), ascii)
                    ),
                    theme.get(Slot::Dim),
                )),
                row(y),
            );
            y += 1;
        }
    }
    y += 1;
    let hint_y = inner.height - 1;
    let body = |y: u16| Rect::new(inner.x, inner.y + y, inner.width, hint_y.saturating_sub(y));
    // the hints' gap: wider between the two answers of a question
    let mut gap = "  ";
    let hint = match &t.state {
        State::Editing { error } => {
            if let Some(e) = error {
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        fit(&format!("! {e}"), w, ascii),
                        theme.get(Slot::Error),
                    )),
                    row(y),
                );
            }
            vec![
                Hint::new("enter", lang.pick("开始", "start")),
                Hint::new("tab", lang.pick("补全路径/下一项", "complete/next"))
                    .short(lang.pick("补全", "complete"))
                    .rank(1),
                Hint::new(lang.pick("↑↓", "up/down"), lang.pick("选择项", "field")).rank(2),
                Hint::new(
                    lang.pick("←→ space", "left/right space"),
                    lang.pick("切换", "change"),
                )
                .rank(1),
                Hint::new("esc", lang.pick("关闭", "close")),
            ]
        }
        State::Running { step, note, .. } => {
            let (ratio, text) = match step {
                Some(s) => (s.ratio(), s.describe(lang)),
                None => (0.0, lang.pick("开始…", "starting…").to_string()),
            };
            let (filled, unfilled) = if ascii { ("#", "-") } else { ("━", "─") };
            let gauge = LineGauge::default()
                .ratio(ratio)
                .label(Span::styled(
                    format!("{text}  {:>3}%", (ratio * 100.0).round() as u32),
                    theme.get(Slot::Text),
                ))
                .filled_symbol(filled)
                .unfilled_symbol(unfilled)
                .filled_style(theme.get(Slot::StatusOk))
                .unfilled_style(theme.get(Slot::Dim));
            frame.render_widget(gauge, row(y));
            if let Some(note) = note {
                frame.render_widget(
                    Paragraph::new(Span::styled(fit(note, w, ascii), theme.get(Slot::Error))),
                    row(y + 1),
                );
            }
            vec![
                Hint::new(
                    "esc",
                    lang.pick("取消（写入开始前）", "cancel (before the write begins)"),
                )
                .short(lang.pick("取消", "cancel")),
            ]
        }
        State::Overwrite { paths } => {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    fit(&format!("? {}", overwrite_question(paths, lang)), w, ascii),
                    theme.get(Slot::StatusWarn),
                )),
                row(y),
            );
            if paths.len() > 1 {
                let list = body(y + 1);
                let room = usize::from(list.height);
                // the last row says how many more there are when they do not all fit
                let fits = if paths.len() > room {
                    room.saturating_sub(1)
                } else {
                    room
                };
                let mut shown: Vec<Line> = paths
                    .iter()
                    .take(fits)
                    .map(|p| Line::from(fit(&format!("  {}", inert(p)), w, ascii)))
                    .collect();
                if paths.len() > fits && room > 0 {
                    let more = paths.len() - fits;
                    shown.push(Line::from(lang.pick(
                        format!("  …另有 {more} 个"),
                        format!("  … and {more} more"),
                    )));
                }
                frame.render_widget(Paragraph::new(shown), list);
            }
            gap = "    ";
            vec![
                Hint::new("y", lang.pick("覆盖", "overwrite")),
                Hint::new("n / esc", lang.pick("返回修改", "back to the fields"))
                    .short(lang.pick("返回", "back")),
            ]
        }
        State::Done(outcome) => {
            let slot = if outcome.succeeded() {
                Slot::StatusOk
            } else {
                Slot::Error
            };
            let mark = if outcome.succeeded() { "ok" } else { "!" };
            frame.render_widget(
                Paragraph::new(Span::styled(
                    fit(&format!("{mark} {}", outcome.summary(lang)), w, ascii),
                    theme.get(slot),
                )),
                row(y),
            );
            let list = body(y + 1);
            // long problems wrap; the list scrolls by screen rows
            let rows: Vec<String> = outcome
                .lines()
                .iter()
                .flat_map(|l| wrap_columns(&inert(l), w))
                .collect();
            let height = usize::from(list.height);
            let scroll = t.scroll.min(rows.len().saturating_sub(height));
            let shown: Vec<Line> = rows
                .iter()
                .skip(scroll)
                .take(height)
                .map(|l| Line::from(fit(l, w, ascii)))
                .collect();
            frame.render_widget(Paragraph::new(shown), list);
            if outcome.succeeded() {
                vec![
                    Hint::new("enter/esc", lang.pick("关闭", "close")),
                    Hint::new(lang.pick("↑↓", "up/down"), lang.pick("滚动", "scroll")).rank(1),
                ]
            } else {
                vec![
                    Hint::new("enter", lang.pick("返回修改", "back to the fields"))
                        .short(lang.pick("返回", "back")),
                    Hint::new(
                        lang.pick("↑↓ pgup pgdn", "up/down pgup pgdn"),
                        lang.pick("滚动", "scroll"),
                    )
                    .rank(1),
                    Hint::new("esc", lang.pick("关闭", "close")),
                ]
            }
        }
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            crate::tui::hints::hint_line(&hint, gap, false, w),
            theme.get(Slot::Dim),
        )),
        row(hint_y),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_to_the_common_prefix_and_a_lone_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("tables")).unwrap();
        std::fs::write(root.join("catalog-a.xlsx"), b"").unwrap();
        std::fs::write(root.join("catalog-b.json"), b"").unwrap();
        std::fs::write(root.join("catalog.txt"), b"").unwrap();
        std::fs::write(root.join(".hidden.csv"), b"").unwrap();
        std::fs::write(root.join("tables/数据元.csv"), b"").unwrap();
        assert_eq!(
            complete(root, "cat"),
            (
                "catalog-".to_string(),
                vec!["catalog-a.xlsx".to_string(), "catalog-b.json".to_string()]
            )
        );
        assert_eq!(complete(root, "t").0, "tables/");
        assert_eq!(complete(root, "tables/").0, "tables/数据元.csv");
        assert_eq!(complete(root, ".h").0, ".hidden.csv");
        assert_eq!(complete(root, "x"), ("x".to_string(), Vec::new()));
        let abs = format!("{}/catalog-a", root.display());
        assert_eq!(complete(Path::new("/"), &abs).0, format!("{abs}.xlsx"));
    }

    #[test]
    fn paths_start_from_the_dialog_directory_and_keep_a_trailing_slash() {
        let mut t = Transfer::new(Direction::Export, PathBuf::from("/work"));
        assert_eq!(t.file(), PathBuf::from("/work/catalog.xlsx"));
        t.path = Input::new("out/".into());
        assert!(transfer::is_dir_path(&t.file()));
        t.path = Input::new("/tmp/x.csv".into());
        assert_eq!(t.file(), PathBuf::from("/tmp/x.csv"));
    }

    #[test]
    fn choices_cycle_both_ways_and_export_offers_no_dept_tree() {
        let mut t = Transfer::new(Direction::Export, PathBuf::from("/"));
        t.focus = Field::Format;
        let mut seen = Vec::new();
        for _ in 0..4 {
            t.choose(true);
            seen.push(t.format);
        }
        assert_eq!(
            seen,
            [
                Some(Format::Json),
                Some(Format::Csv),
                Some(Format::Xlsx),
                None
            ]
        );
        t.choose(false);
        assert_eq!(t.format, Some(Format::Xlsx));
        t.focus = Field::Kind;
        t.choose(false);
        assert_eq!(t.kind, TableId::ALL.last().copied());
    }
}
