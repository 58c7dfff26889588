//! Import and export in every format, one engine for both faces: `yibiao import|export` on
//! the command line and the TUI's transfer dialog. Format detection, reading with progress
//! and cancellation, the all-or-nothing check, the write, and the export's files all live
//! here; the faces only ask and report.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::display::inert;
use crate::i18n::Lang;
use crate::model::invariants::Lookup;
use crate::model::{ItemLevel, Kind, Record, RecordSource};
use crate::store::{Batch, Store, StoreError};

use super::check::FileProblem;
use super::csv::{self as csv_io, Detection, Encoding};
use super::progress::{Cancelled, Control, Gathered, Phase, Stop, Unit};
use super::table::{self, RawTable, TableId};
use super::{dept_tree, json, xlsx};

/// A file format for import and export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Interchange JSON (`yibiao/1`).
    Json,
    /// A county catalog: departments → main items → sub-items (import only).
    DeptTree,
    /// CSV: one table per file, or a directory of them.
    Csv,
    /// An XLSX workbook with a sheet per table.
    Xlsx,
}

impl Format {
    /// Every format, in `--format` order.
    pub const ALL: [Format; 4] = [Format::Json, Format::DeptTree, Format::Csv, Format::Xlsx];

    /// The formats an export writes (the county catalog is import only).
    pub const EXPORT: [Format; 3] = [Format::Json, Format::Csv, Format::Xlsx];

    /// The `--format` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::DeptTree => "dept-tree",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format of `file`: `forced`, else `-` is JSON, a directory or a path ending in
    /// `/` is CSV, else the extension decides (`.json`, `.csv`, `.xlsx`, any case). An
    /// unknown extension is an error suggesting `--format` with one of `choices`.
    pub fn detect(
        file: &Path,
        forced: Option<Format>,
        choices: &[Format],
        lang: Lang,
    ) -> Result<Format, String> {
        if let Some(format) = forced {
            return Ok(format);
        }
        if file == Path::new("-") {
            return Ok(Format::Json);
        }
        if is_dir_path(file) {
            return Ok(Format::Csv);
        }
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            _ => {
                let file = inert(&file.display().to_string()).into_owned();
                let choices: Vec<&str> = choices.iter().map(|f| f.name()).collect();
                let choices = choices.join("|");
                Err(lang.pick(
                    format!("无法从 {file} 的扩展名看出格式；请用 --format {choices}"),
                    format!(
                        "cannot tell the format of {file} from its extension; pass --format {choices}"
                    ),
                ))
            }
        }
    }
}

/// Whether `file` names a directory (an existing one, or a path ending in `/`).
pub fn is_dir_path(file: &Path) -> bool {
    file.is_dir() || file.to_string_lossy().ends_with('/')
}

/// The table `--kind` names (a table name or a kind), or why it names none.
pub fn parse_kind(kind: Option<&str>, lang: Lang) -> Result<Option<TableId>, String> {
    kind.map(|k| {
        TableId::parse(k).ok_or_else(|| {
            let names: Vec<&str> = TableId::ALL.iter().map(|t| t.en()).collect();
            lang.pick(
                format!("未知类别 {}（可用：{}）", inert(k), names.join("、")),
                format!("unknown kind {} (known: {})", inert(k), names.join(", ")),
            )
        })
    })
    .transpose()
}

/// The tables `--kind` selects: a kind's main table selects all its tables.
fn selection(table: TableId) -> Vec<TableId> {
    if table.is_main() {
        TableId::of_kind(table.kind()).collect()
    } else {
        vec![table]
    }
}

/// Who asks for an import or export: messages name the command line's options or the
/// TUI dialog's fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Caller {
    /// The command line (`--kind`, `--headers en`).
    #[default]
    Cli,
    /// The TUI's import/export dialog (类别, 表头).
    Tui,
}

impl Caller {
    /// How to choose the table: `--kind`, or the dialog's 类别 field.
    pub fn kind_option(self, lang: Lang) -> &'static str {
        match self {
            Caller::Cli => "--kind",
            Caller::Tui => lang.pick("「类别」栏", "the kind field"),
        }
    }

    /// How to ask for English headers: `--headers en`, or 表头 英文 in the dialog.
    pub fn english_headers(self, lang: Lang) -> &'static str {
        match self {
            Caller::Cli => "--headers en",
            Caller::Tui => lang.pick("「表头」选「英文」", "headers: English (en)"),
        }
    }
}

/// What an import is asked to do (the command line's arguments, the dialog's fields).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportRequest {
    /// The file, or a directory of CSV files; `-` is JSON on standard input.
    pub file: PathBuf,
    /// `--format` (default: detected).
    pub format: Option<Format>,
    /// `--kind`: a table name or a kind (CSV and XLSX only).
    pub kind: Option<String>,
    /// `--encoding` (CSV only; default: detected).
    pub encoding: Option<Encoding>,
    /// Check only, write nothing.
    pub dry_run: bool,
    /// The command line or the TUI dialog (for the wording of messages).
    pub caller: Caller,
}

/// Why an import stopped. Nothing was written in every case.
#[derive(Debug)]
pub enum ImportError {
    /// The request cannot be done as asked (format, kind, encoding).
    Usage(String),
    /// The file cannot be read.
    Io(String),
    /// The input has problems: one line each, ready to show (store text made inert).
    Problems {
        /// The problems.
        lines: Vec<String>,
        /// What to tell the user besides (how each CSV file was decoded: a wrong encoding
        /// is a likely cause of the problems).
        notes: Vec<String>,
    },
    /// Cancelled before the write began.
    Cancelled,
    /// The store refused or failed the write.
    Store(StoreError),
}

impl From<Cancelled> for ImportError {
    fn from(_: Cancelled) -> Self {
        ImportError::Cancelled
    }
}

/// The records a valid input holds, with what to tell the user whatever happens next.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The format read.
    pub format: Format,
    /// The records, checked against the catalog as if written.
    pub records: Vec<Record>,
    /// Warnings (county catalog: department codes that are not valid credit codes).
    pub warnings: Vec<String>,
    /// A one-line summary of what the file held (county catalog).
    pub summary: Option<String>,
    /// How each CSV file was decoded (its place and the encoding's detection).
    pub read_as: Vec<(String, Detection)>,
}

impl Parsed {
    /// What to tell the user whatever happens next: the encoding of each CSV file that is
    /// not plain UTF-8 (a warning when it is uncertain), each warning (`warning: …`), then
    /// the summary; store text made inert.
    pub fn notes(&self, lang: Lang) -> Vec<String> {
        let warning = lang.pick("注意：", "warning: ");
        encoding_notes(&self.read_as, lang)
            .into_iter()
            .chain(
                self.warnings
                    .iter()
                    .map(|w| format!("{warning}{}", inert(w))),
            )
            .chain(self.summary.iter().map(|s| inert(s).into_owned()))
            .collect()
    }
}

/// One line per CSV file read in an encoding other than UTF-8, or read with a doubt
/// (`warning: …`): which encoding, and whether it was detected or asked for.
pub fn encoding_notes(read_as: &[(String, Detection)], lang: Lang) -> Vec<String> {
    let warning = lang.pick("注意：", "warning: ");
    read_as
        .iter()
        .filter_map(|(place, how)| {
            let (note, doubt) = how.note(&inert(place), lang)?;
            Some(if doubt {
                format!("{warning}{note}")
            } else {
                note
            })
        })
        .collect()
}

/// What an import wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Records that did not exist.
    pub created: usize,
    /// Records that changed.
    pub updated: usize,
    /// Records equal to what was stored.
    pub unchanged: usize,
}

impl Imported {
    /// `imported: 3 created, 1 updated, 0 unchanged`.
    pub fn message(&self, lang: Lang) -> String {
        let (c, u, n) = (self.created, self.updated, self.unchanged);
        lang.pick(
            format!("已导入：新建 {c}，更新 {u}，未变 {n}"),
            format!("imported: {c} created, {u} updated, {n} unchanged"),
        )
    }
}

/// `27 records valid (dry run, nothing written)`.
pub fn checked(records: usize, lang: Lang) -> String {
    lang.pick(
        format!("{records} 条记录有效（试运行，未写入）"),
        format!("{records} records valid (dry run, nothing written)"),
    )
}

/// `3 problem(s); nothing was written`.
pub fn nothing_written(problems: usize, lang: Lang) -> String {
    lang.pick(
        format!("{problems} 个问题，未写入任何数据"),
        format!("{problems} problem(s); nothing was written"),
    )
}

/// Reads and checks an import (all or nothing): every problem is reported, no record is
/// returned unless the whole input is valid. Reports progress and stops when cancelled.
pub fn read(
    request: &ImportRequest,
    stored: &dyn Lookup,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Parsed, ImportError> {
    let file = &request.file;
    let format =
        Format::detect(file, request.format, &Format::ALL, lang).map_err(ImportError::Usage)?;
    if request.encoding.is_some() && format != Format::Csv {
        return Err(ImportError::Usage(
            lang.pick("--encoding 只用于 CSV", "--encoding applies to CSV only")
                .into(),
        ));
    }
    if request.kind.is_some() && matches!(format, Format::Json | Format::DeptTree) {
        return Err(ImportError::Usage(
            lang.pick(
                "--kind 只用于 CSV 和 XLSX",
                "--kind applies to CSV and XLSX only",
            )
            .into(),
        ));
    }
    let table = parse_kind(request.kind.as_deref(), lang).map_err(ImportError::Usage)?;
    let mut read_as = Vec::new();
    let parsed = match format {
        Format::Json | Format::DeptTree => {
            let bytes = read_bytes(file, control, lang)?;
            parse_json(stored, file, bytes, format, control, lang)?
        }
        Format::Csv => {
            let files = read_csv_files(file, table, control, lang)?;
            // in a directory, each file's name says its table
            let forced = if file.is_dir() { None } else { table };
            let tables = parse_csv(
                &files,
                forced,
                request.caller,
                request.encoding,
                &mut read_as,
                control,
                lang,
            );
            from_tables(format, tables, stored, control, lang)
        }
        Format::Xlsx => {
            let bytes = read_bytes(file, control, lang)?;
            let only = table.map(selection);
            let name = file.display().to_string();
            let named = file
                .file_stem()
                .and_then(|s| TableId::parse(&s.to_string_lossy()));
            let tables = xlsx::read(&bytes, &name, only.as_deref(), named, lang, control);
            from_tables(format, tables, stored, control, lang)
        }
    };
    match parsed {
        Ok(p) => Ok(Parsed { read_as, ..p }),
        Err(Stop::Cancelled) => Err(ImportError::Cancelled),
        Err(Stop::Problems(problems)) => Err(ImportError::Problems {
            lines: problem_lines(file, format, &problems),
            notes: encoding_notes(&read_as, lang),
        }),
    }
}

/// Writes what [`read`] returned in the store's one transaction. A cancel asked for before
/// this point wins (nothing is written); once the write begins it runs to its end.
pub fn write<S: Store + ?Sized>(
    store: &mut S,
    parsed: Parsed,
    control: &Control<'_>,
) -> Result<Imported, ImportError> {
    control.begin_write()?;
    let total = parsed.records.len();
    control.step(Phase::Writing, Unit::Records, 0, total as u64)?;
    let applied = store
        .apply_reporting(
            Batch::upserts("import", parsed.records),
            &mut writing(control, total),
        )
        .map_err(ImportError::Store)?;
    control.step(Phase::Writing, Unit::Records, total as u64, total as u64)?;
    Ok(imported(total, &applied))
}

/// Tells `control` how far the write of `total` records has come, from the store's steps
/// done of all (see [`crate::store::Store::apply_reporting`]): a write cannot be cancelled.
fn writing<'a>(control: &'a Control<'_>, total: usize) -> impl FnMut(u64, u64) + 'a {
    move |done, of| {
        let total = total as u64;
        let _ = control.step(
            Phase::Writing,
            Unit::Records,
            total * done / of.max(1),
            total,
        );
    }
}

/// One line per problem: JSON paths are prefixed by the file, table places name it already.
fn problem_lines(file: &Path, format: Format, problems: &[FileProblem]) -> Vec<String> {
    let shown = file.display().to_string();
    problems
        .iter()
        .map(|p| match format {
            Format::Json | Format::DeptTree => {
                format!("{}: {}", inert(&shown), inert(&p.to_string()))
            }
            Format::Csv | Format::Xlsx if p.path.is_empty() => {
                format!("{}: {}", inert(&shown), inert(&p.message))
            }
            Format::Csv | Format::Xlsx => inert(&p.to_string()).into_owned(),
        })
        .collect()
}

/// Chunks read between progress reports and cancel checks.
const CHUNK: usize = 1 << 16;

/// Reads a whole file (`-`: standard input) in chunks, reporting bytes.
fn read_bytes(file: &Path, control: &Control<'_>, lang: Lang) -> Result<Vec<u8>, ImportError> {
    let fail = |e: std::io::Error| {
        let shown = inert(&file.display().to_string()).into_owned();
        let why = super::files::file_hint(&e, file, lang);
        ImportError::Io(lang.pick(
            format!("无法读取 {shown}：{why}"),
            format!("cannot read {shown}: {why}"),
        ))
    };
    let (mut source, total): (Box<dyn Read>, u64) = if file == Path::new("-") {
        (Box::new(std::io::stdin()), 0)
    } else {
        let f = std::fs::File::open(file).map_err(fail)?;
        let total = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(f), total)
    };
    let mut bytes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut chunk = vec![0; CHUNK];
    loop {
        control.step(Phase::Reading, Unit::Bytes, bytes.len() as u64, total)?;
        match source.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let done = bytes.len() as u64;
    control.step(Phase::Reading, Unit::Bytes, done, total.max(done))?;
    Ok(bytes)
}

/// Interchange JSON (or a county catalog) → checked records. The file's bytes are dropped
/// once an interchange file's records are decoded, before they are checked: a big file is
/// not held beside all its records.
fn parse_json(
    stored: &dyn Lookup,
    file: &Path,
    bytes: Vec<u8>,
    format: Format,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Result<Parsed, Stop>, ImportError> {
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let shown = inert(&file.display().to_string()).into_owned();
        ImportError::Usage(lang.pick(
            format!(
                "{shown}：不是 UTF-8 编码（第 {} 字节）；JSON 须为 UTF-8",
                e.valid_up_to()
            ),
            format!(
                "{shown}: not UTF-8 (byte {}); JSON must be UTF-8",
                e.valid_up_to()
            ),
        ))
    })?;
    control.step(Phase::Parsing, Unit::Bytes, 0, bytes.len() as u64)?;
    let interchange = |records| Parsed {
        format: Format::Json,
        records,
        warnings: Vec::new(),
        summary: None,
        read_as: Vec::new(),
    };
    // an interchange file a record at a time; a county catalog, or a file that is no object
    // (to say why with a line and column), parsed whole
    if format != Format::DeptTree
        && let Some(found) = json::decode_text(text, lang, control)
    {
        let decoded = match found {
            Ok(decoded) => decoded,
            Err(stop) => return Ok(Err(stop)),
        };
        drop(bytes);
        return Ok(decoded.check(stored, lang, control).map(interchange));
    }
    let value = match json::parse_json(text, lang) {
        Ok(value) => value,
        Err(problems) => return Ok(Err(Stop::Problems(problems))),
    };
    if format == Format::DeptTree || dept_tree::is_dept_tree(&value) {
        control.step(Phase::Validating, Unit::Records, 0, 0)?;
        return Ok(dept_tree::parse(value, stored, lang)
            .map(|tree| {
                let agencies = tree
                    .records
                    .iter()
                    .filter(|r| r.kind() == Kind::Agency)
                    .count();
                let (main, sub) = (tree.items(ItemLevel::Main), tree.items(ItemLevel::Sub));
                let summary = lang.pick(
                    format!(
                        "部门-主项-子项目录：{agencies} 个实施主体，{main} 个主项，{sub} 个子项"
                    ),
                    format!(
                        "county catalog: {agencies} agencies, {main} main items, {sub} sub-items"
                    ),
                );
                Parsed {
                    format: Format::DeptTree,
                    warnings: tree.warnings(lang),
                    records: tree.records,
                    summary: Some(summary),
                    read_as: Vec::new(),
                }
            })
            .map_err(Stop::Problems));
    }
    Ok(json::import_value(value, stored, lang, control).map(interchange))
}

/// Tables → checked records.
fn from_tables(
    format: Format,
    tables: Result<Vec<RawTable>, Stop>,
    stored: &dyn Lookup,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Parsed, Stop> {
    let tables = tables?;
    if tables.is_empty() {
        return Err(Stop::Problems(vec![FileProblem::new(
            "",
            lang.pick(
                "没有可导入的表（工作表或 CSV 文件为空，或不属于 --kind）",
                "no table to import (the sheets or CSV files are empty, or not of --kind)",
            ),
        )]));
    }
    let rows: u64 = tables.iter().map(|t| t.rows.len() as u64).sum();
    control.step(Phase::Validating, Unit::Rows, 0, rows)?;
    let records = table::records(&tables, stored, lang)?;
    control.step(Phase::Validating, Unit::Rows, rows, rows)?;
    Ok(Parsed {
        format,
        records,
        warnings: Vec::new(),
        summary: None,
        read_as: Vec::new(),
    })
}

/// The bytes of a CSV file, or of every `.csv` file of a directory (by name order), with
/// the table each is read as.
fn read_csv_files(
    path: &Path,
    table: Option<TableId>,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Vec<(PathBuf, Vec<u8>)>, ImportError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let entries = std::fs::read_dir(path)
            .map_err(|e| ImportError::Io(format!("{}: {e}", inert(&path.display().to_string()))))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
            .collect();
        files.sort();
        if let Some(t) = table {
            let wanted = selection(t);
            files.retain(|f| {
                csv_io::table_of(f, None, Caller::Cli, lang).is_ok_and(|t| wanted.contains(&t))
            });
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|f| read_bytes(&f, control, lang).map(|bytes| (f, bytes)))
        .collect()
}

/// Decodes and parses CSV files; every file's problems are collected, and how each file
/// was decoded goes to `read_as`.
fn parse_csv(
    files: &[(PathBuf, Vec<u8>)],
    forced: Option<TableId>,
    caller: Caller,
    encoding: Option<Encoding>,
    read_as: &mut Vec<(String, Detection)>,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Vec<RawTable>, Stop> {
    let mut tables = Gathered::default();
    for (file, bytes) in files {
        let place = file.display().to_string();
        let one = |message: String| Stop::Problems(vec![FileProblem::new(place.clone(), message)]);
        let result = csv_io::table_of(file, forced, caller, lang)
            .map_err(one)
            .and_then(|t| {
                let (text, how) = csv_io::decode(bytes, encoding, lang).map_err(one)?;
                read_as.push((place.clone(), how));
                csv_io::read_table(&text, t, &place, lang, control)
            });
        tables.add(result.map(Some))?;
    }
    tables.finish()
}

/// What the start of a CSV file, or of each CSV file of a directory, says about the
/// encoding an import would detect (a face shows it before the import).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// Every file reads alike (the first doubt, if any).
    Same(Detection),
    /// The files differ: each encoding found, in `--encoding` order.
    Mixed(Vec<Encoding>),
    /// A file is neither UTF-8, GB18030 nor Big5.
    Unreadable,
}

impl Sniffed {
    /// `GB18030`, `GB18030？也可能是 Big5`, `UTF-8、GB18030`, `无法识别`.
    pub fn label(&self, lang: Lang) -> String {
        match self {
            Sniffed::Same(how) => how.label(lang),
            Sniffed::Mixed(found) => {
                let names: Vec<&str> = found.iter().map(|e| e.name()).collect();
                names.join(lang.pick("、", ", "))
            }
            Sniffed::Unreadable => lang.pick("无法识别", "unrecognized").into(),
        }
    }
}

/// Directory entries [`sniff_encoding`] looks at, at most.
const SNIFF_FILES: usize = 64;

/// Sniffs the encoding of the CSV file at `file`, or of each `.csv` file of the directory
/// (the first `SNIFF_FILES`) from their first [`csv_io::SAMPLE`] bytes, as an import would
/// detect it; `None` when nothing can be read there (no such file, no CSV file in the
/// directory).
pub fn sniff_encoding(file: &Path) -> Option<Sniffed> {
    let start = |path: &Path| -> Option<Option<Detection>> {
        let f = std::fs::File::open(path).ok()?;
        let mut bytes = Vec::with_capacity(csv_io::SAMPLE + 3);
        // a BOM and a whole sample
        f.take(csv_io::SAMPLE as u64 + 3)
            .read_to_end(&mut bytes)
            .ok()?;
        let complete = bytes.len() < csv_io::SAMPLE + 3;
        Some(csv_io::sniff(&bytes, complete))
    };
    let found: Vec<Option<Detection>> = if file.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(file)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
            .collect();
        files.sort();
        files.truncate(SNIFF_FILES);
        files.iter().filter_map(|f| start(f)).collect()
    } else {
        vec![start(file)?]
    };
    let Some(read) = found.into_iter().collect::<Option<Vec<Detection>>>() else {
        return Some(Sniffed::Unreadable);
    };
    let first = *read.first()?;
    let encodings: Vec<Encoding> = Encoding::ALL
        .into_iter()
        .filter(|e| read.iter().any(|how| how.encoding == *e))
        .collect();
    match encodings.as_slice() {
        [one] => Some(Sniffed::Same(
            read.iter()
                .find(|how| how.encoding == *one && how.doubt.is_some())
                .or_else(|| read.iter().find(|how| how.encoding == *one))
                .copied()
                .unwrap_or(first),
        )),
        _ => Some(Sniffed::Mixed(encodings)),
    }
}

/// What an export is asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    /// The file, or a directory (existing, or ending in `/`) for one CSV file per table.
    pub file: PathBuf,
    /// `--format` (default: detected).
    pub format: Option<Format>,
    /// `--kind`: only this kind (XLSX, CSV directory) or this table (one CSV file).
    pub kind: Option<String>,
    /// `--encoding` (CSV only; default: UTF-8 with a BOM).
    pub encoding: Option<Encoding>,
    /// `--headers`: language of headers, sheet and file names and enumerated values (CSV
    /// and XLSX only; default: Chinese).
    pub headers: Option<Lang>,
    /// The command line or the TUI dialog (for the wording of messages).
    pub caller: Caller,
}

/// Why an export stopped; no file was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// The request cannot be done as asked.
    Usage(String),
    /// A file could not be written.
    Io(String),
    /// Cancelled before the first file was written.
    Cancelled,
}

impl From<Cancelled> for ExportError {
    fn from(_: Cancelled) -> Self {
        ExportError::Cancelled
    }
}

/// One file an export writes.
#[derive(Clone, Debug)]
pub struct Output<'a> {
    /// Where (`-`: standard output).
    pub path: PathBuf,
    /// What.
    pub body: Body<'a>,
}

/// What a file of an export holds.
#[derive(Clone)]
pub enum Body<'a> {
    /// Bytes made already (XLSX).
    Bytes(Vec<u8>),
    /// Records as interchange JSON, made as they are written: a million-element catalog's
    /// JSON is about a gigabyte, never held in memory whole.
    Json(&'a dyn RecordSource),
    /// One table as CSV, made as it is written, a record at a time.
    Csv(CsvBody<'a>),
}

/// A CSV file of an export (see [`csv_io::write_rows`]).
#[derive(Clone, Copy)]
pub struct CsvBody<'a> {
    /// Where its rows come from.
    pub source: &'a dyn RecordSource,
    /// Which table.
    pub table: TableId,
    /// The language of the header (and of the values spelled out).
    pub headers: Lang,
    /// How it is encoded.
    pub encoding: Encoding,
    /// How to ask for English headers, suggested when a Chinese header is what the encoding
    /// lacks (Big5 lacks 编 of 编码).
    pub english: Option<&'static str>,
}

impl CsvBody<'_> {
    /// Why the file cannot be written in its encoding, naming `path`, the line and the
    /// character, when `e` is that failure.
    pub fn unencodable(&self, e: &std::io::Error, path: &Path, lang: Lang) -> Option<String> {
        let u = csv_io::unencodable(e)?;
        let english = self.english.filter(|_| u.line == 1);
        Some(u.describe_with(&inert(&path.display().to_string()), english, lang))
    }
}

impl std::fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Body::Json(_) => f.write_str("Json"),
            Body::Csv(csv) => write!(f, "Csv({})", csv.table.en()),
        }
    }
}

impl Body<'_> {
    /// Writes the body to `out`.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Body::Bytes(bytes) => out.write_all(bytes),
            Body::Json(source) => json::export_to(*source, out),
            Body::Csv(csv) => {
                csv_io::write_rows(csv.source, csv.table, csv.headers, csv.encoding, out)
            }
        }
    }
}

/// The files of an export, built but not written yet.
#[derive(Clone, Debug)]
pub struct Export<'a> {
    /// The directory to create first (a CSV directory export).
    pub dir: Option<PathBuf>,
    /// The files, in order.
    pub outputs: Vec<Output<'a>>,
}

impl Export<'_> {
    /// The files it would replace (that exist now), in order. The command line overwrites
    /// them (scripts rely on it); the TUI asks first.
    pub fn existing(&self) -> Vec<&Path> {
        self.outputs
            .iter()
            .map(|o| o.path.as_path())
            .filter(|p| *p != Path::new("-") && p.exists())
            .collect()
    }
}

/// Builds the files of an export (nothing is written yet).
pub fn build<'a>(
    catalog: &'a dyn RecordSource,
    request: &ExportRequest,
    control: &Control<'_>,
    lang: Lang,
) -> Result<Export<'a>, ExportError> {
    let file = &request.file;
    let usage = |zh: &str, en: &str| ExportError::Usage(lang.pick(zh, en).into());
    let format =
        Format::detect(file, request.format, &Format::EXPORT, lang).map_err(ExportError::Usage)?;
    if request.encoding.is_some() && format != Format::Csv {
        return Err(usage(
            "--encoding 只用于 CSV",
            "--encoding applies to CSV only",
        ));
    }
    if request.headers.is_some() && !matches!(format, Format::Csv | Format::Xlsx) {
        return Err(usage(
            "--headers 只用于 CSV 和 XLSX",
            "--headers applies to CSV and XLSX only",
        ));
    }
    let table = parse_kind(request.kind.as_deref(), lang).map_err(ExportError::Usage)?;
    let kinds: Vec<Kind> = table.map(|t| t.kind()).into_iter().collect();
    let headers = request.headers.unwrap_or(Lang::Zh);
    control.step(Phase::Building, Unit::Files, 0, 0)?;
    let one = |body: Body<'a>| Export {
        dir: None,
        outputs: vec![Output {
            path: file.clone(),
            body,
        }],
    };
    let export = match format {
        Format::DeptTree => {
            return Err(usage(
                "部门-主项-子项格式只能导入",
                "the dept-tree format is import only",
            ));
        }
        Format::Json if table.is_some() => {
            return Err(usage(
                "JSON 导出总是包含全部类别；--kind 用于 CSV 和 XLSX",
                "a JSON export holds every kind; --kind applies to CSV and XLSX",
            ));
        }
        Format::Json => one(Body::Json(catalog)),
        Format::Xlsx => {
            // a table too long for a sheet stops the reading at once
            let most = usize::try_from(xlsx::MAX_ROWS - 1).unwrap_or(usize::MAX);
            let sheets = table::sheets_from(catalog, &kinds, headers, most).map_err(|e| match e
                .get_ref()
                .and_then(|e| e.downcast_ref::<table::TooManyRows>())
            {
                Some(long) => ExportError::Usage(xlsx::too_many_rows(long.0.name(headers), lang)),
                None => ExportError::Io(e.to_string()),
            })?;
            control.check()?;
            one(Body::Bytes(
                xlsx::write(&sheets, headers).map_err(ExportError::Usage)?,
            ))
        }
        Format::Csv => {
            let body = |table: TableId| {
                Body::Csv(CsvBody {
                    source: catalog,
                    table,
                    headers,
                    encoding: request.encoding.unwrap_or(Encoding::Utf8),
                    // Chinese headers always hold 编 (编码), which Big5 lacks
                    english: (headers == Lang::Zh).then(|| request.caller.english_headers(lang)),
                })
            };
            if is_dir_path(file) {
                Export {
                    dir: Some(file.clone()),
                    outputs: TableId::ALL
                        .into_iter()
                        .filter(|t| kinds.is_empty() || kinds.contains(&t.kind()))
                        .map(|t| Output {
                            path: file.join(format!("{}.csv", t.name(headers))),
                            body: body(t),
                        })
                        .collect(),
                }
            } else {
                let Some(table) = table else {
                    return Err(usage(
                        "导出单个 CSV 文件须用 --kind 指定表（如 --kind element）；导出全部请给以 / 结尾的目录",
                        "a single CSV file needs --kind (e.g. --kind element); for every table give a directory ending in /",
                    ));
                };
                one(body(table))
            }
        }
    };
    // a file Big5 cannot hold is refused now, before anything is written, as when the
    // files were made whole here (the tables are read once more to write them)
    for (i, output) in export.outputs.iter().enumerate() {
        if let Body::Csv(csv) = &output.body
            && csv.encoding == Encoding::Big5
        {
            let n = export.outputs.len() as u64;
            control.step(Phase::Building, Unit::Files, i as u64, n)?;
            if let Err(e) = output.body.write_to(&mut std::io::sink()) {
                let why = csv.unencodable(&e, &output.path, lang);
                return Err(why.map_or_else(|| ExportError::Io(e.to_string()), ExportError::Usage));
            }
        }
    }
    let n = export.outputs.len() as u64;
    control.step(Phase::Building, Unit::Files, n, n)?;
    Ok(export)
}

/// Writes an export's files, each atomically (temporary file, fsync, rename). A cancel
/// asked for before the first file wins; once writing begins it runs to its end.
pub fn save(export: &Export, control: &Control<'_>, lang: Lang) -> Result<(), ExportError> {
    control.begin_write()?;
    let fail = |path: &Path, e: &std::io::Error| {
        let shown = inert(&path.display().to_string()).into_owned();
        let why = super::files::file_hint(e, path, lang);
        ExportError::Io(lang.pick(
            format!("无法写入 {shown}：{why}"),
            format!("cannot write {shown}: {why}"),
        ))
    };
    // a directory made here is removed again when its files fail
    let made = export.dir.as_deref().filter(|dir| !dir.exists());
    if let Some(dir) = &export.dir {
        std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
    }
    // every file is written before any is put in place: a record that cannot be read
    // halfway through a directory of CSV files leaves none of them
    let total = export.outputs.len() as u64;
    let staged = (|| {
        let mut staged = Vec::with_capacity(export.outputs.len());
        for (i, output) in export.outputs.iter().enumerate() {
            control.step(Phase::Writing, Unit::Files, i as u64, total)?;
            let written =
                super::files::stage_private_with(&output.path, |out| output.body.write_to(out));
            staged.push(written.map_err(|e| {
                match &output.body {
                    Body::Csv(csv) => csv
                        .unencodable(&e, &output.path, lang)
                        .map_or_else(|| fail(&output.path, &e), ExportError::Usage),
                    _ => fail(&output.path, &e),
                }
            })?);
        }
        Ok(staged)
    })();
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            if let Some(dir) = made {
                // only if empty: nothing of the user's is removed
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    for (file, output) in staged.into_iter().zip(&export.outputs) {
        file.commit().map_err(|e| fail(&output.path, &e))?;
    }
    control.step(Phase::Writing, Unit::Files, total, total)?;
    Ok(())
}

mod near;

pub use near::{NearImport, imported, read_near, write_near};

#[cfg(test)]
mod tests;
