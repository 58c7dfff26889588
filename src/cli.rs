//! The command line: clap definitions, store selection and exit codes. Each subcommand
//! calls the same engines the TUI calls; the printing lives in `cli/`.

mod commands;
mod element_merge;
mod forms;
mod merge;
mod office;
mod output;
mod progress;
mod safety;
mod template;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::i18n::Lang;
use crate::store::{IfMissing, LockedStore, SledStore, StoreError, UnloadedStore};

/// Exit code: a command failed or found problems (`check`, unknown code).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the input was invalid (import problems, usage errors); nothing was written.
pub const EXIT_INVALID: u8 = 2;
/// Exit code: the store is locked by another yibiao.
pub const EXIT_LOCKED: u8 = 3;

/// 一表 yibiao: standardize government service items from the terminal.
#[derive(Parser, Debug)]
#[command(name = "yibiao", version, about, long_about = None)]
pub struct Cli {
    /// Store directory (default: the platform data dir, e.g. ~/.local/share/yibiao/store).
    #[arg(long, global = true, env = "YIBIAO_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// UI language (default: from LC_ALL / LANG).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// TUI keymap overlay (a TOML file, or a preset name: default, vim).
    #[arg(long, global = true, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
    /// TUI theme overlay (a TOML file, or a preset name: default, light, ansi16).
    #[arg(long, global = true, value_name = "FILE")]
    pub theme: Option<PathBuf>,
    /// Draw TUI borders with ASCII (for terminals that draw box characters wide).
    #[arg(long, global = true)]
    pub ascii: bool,
    /// What to do; none starts the TUI.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load the generated sample catalog (a province, its agencies, items, forms, bundles).
    Sample {
        /// Multiply elements, items and forms (100 → about 60,000 elements; 1,623 → about
        /// 1,000,000 elements, with items and forms capped near 206,000 and 100,000 from 680 on).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=2000))]
        scale: u32,
    },
    /// Import a file (all or nothing): interchange JSON, a county catalog (department →
    /// main item → sub-item JSON), a CSV file or a directory of them, or an XLSX workbook.
    Import {
        /// The file (`-` for standard input, read as JSON); the format follows the extension.
        file: PathBuf,
        /// Only report problems; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The table of a CSV file, or the only kind to read from a workbook
        /// (element, elements, element_options, 数据元, ...; default: the file or sheet name).
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// CSV encoding (default: detected: UTF-8, else GB18030 or Big5, whichever reads
        /// more like Chinese; a file not in UTF-8 is named with its encoding on stderr).
        #[arg(long, value_enum)]
        encoding: Option<crate::io::csv::Encoding>,
        /// The format (default: from the extension; JSON with `departments` is dept-tree).
        #[arg(long, value_enum)]
        format: Option<office::Format>,
    },
    /// Export the catalog: interchange JSON, an XLSX workbook (a sheet per table), one CSV
    /// table (`--kind`), or a directory of CSV files (a path ending in `/`).
    Export {
        /// The file to write (`-` for standard output, JSON).
        file: PathBuf,
        /// Only this kind (XLSX, CSV directory) or this table (a single CSV file).
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// CSV encoding (default: UTF-8 with a BOM; Big5 refuses characters it lacks).
        #[arg(long, value_enum)]
        encoding: Option<crate::io::csv::Encoding>,
        /// The format (default: from the extension; a path ending in `/` is a CSV directory).
        #[arg(long, value_enum)]
        format: Option<office::ExportFormat>,
        /// Language of headers, sheet and file names and enumerated values (CSV and XLSX;
        /// default: zh).
        #[arg(long, value_enum)]
        headers: Option<Lang>,
    },
    /// Count records.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Write every table to FILE.xlsx (one sheet each) or DIR/ (one CSV each).
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// Encoding of exported CSV files (default UTF-8 with BOM).
        #[arg(long, value_enum, requires = "export")]
        encoding: Option<crate::io::csv::Encoding>,
    },
    /// Data elements (数据元).
    #[command(subcommand)]
    Element(ElementCommand),
    /// Application forms (申请表).
    #[command(subcommand)]
    Form(FormCommand),
    /// Bundles (主题).
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// 模板库: templates (items, materials, bundles), claiming and comparing.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Merge a bundle's forms into one (多表合一) under some answers.
    Merge {
        /// Bundle code.
        bundle: String,
        /// An answer, QUESTION=OPTION (repeatable); unanswered questions make their conditions false.
        #[arg(long = "answer", value_name = "QKEY=OPTKEY")]
        answers: Vec<String>,
        /// Leave a form out of the merge (repeatable).
        #[arg(long = "exclude", value_name = "FORM")]
        excluded: Vec<String>,
        /// Every combination of answers as a table (or a JSON array).
        #[arg(long, conflicts_with_all = ["flow", "export", "distribute"])]
        all_answers: bool,
        /// Print the flow of the visible items instead: text, dot or mermaid.
        #[arg(long, value_name = "FORMAT")]
        flow: Option<FlowFormat>,
        /// Write the merged form and its provenance to FILE.json.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// Split a filled merged form (JSON) into one filled record per source form.
        #[arg(long, value_name = "FILLED")]
        distribute: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check every invariant and index; exit 1 listing problems.
    Check,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write it and every subcommand's page to a directory.
    Man {
        /// Write `yibiao.1` and a page per subcommand (`yibiao-import.1`, …) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Validate values with the same validators as forms; exit 0 iff all are valid.
    ///
    /// A choice (单选, 下拉框, 联动证件类型) takes one option by code or label; a multiple
    /// choice (多选) takes several, separated by `,`, `，` or `、`. A cascade (联动下拉框)
    /// takes a path of options level by level separated by `/`, each by code or label, e.g.
    /// `510000/511600/511602`, `四川省/广安市/广安区` or `四川省/511600/广安区`; each
    /// level must lie under the one before, and a path may stop above the last level.
    /// Choices and cascades are kept as option codes (`四川省/广安市/广安区 →
    /// 510000/511600/511602`).
    Validate {
        /// A kind (cn_id, uscc, mobile, ...) or an element code (for choices, cascades and
        /// patterns).
        kind: String,
        /// Values to check (a cascade: codes or labels joined by `/`); `-` reads one value
        /// per line from standard input.
        #[arg(required = true)]
        values: Vec<String>,
        /// Print JSON: [{"value", "valid", "reason", "normalized"}] (`normalized`: the
        /// spelling a valid value is kept in, e.g. a 身份证号码's `x` as `X`, a choice or a
        /// cascade as its option codes; null when invalid).
        #[arg(long)]
        json: bool,
    },
    /// TUI configuration (keymaps and themes).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a backup: a consistent JSON export with a metadata header (version, time, user,
    /// record counts, SHA-256 of the export).
    Backup {
        /// The backup file (`-` for standard output).
        file: PathBuf,
    },
    /// Restore a backup into an empty store (or replace a store's records with `--force`).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Replace the records of a store that is not empty (asks for confirmation).
        #[arg(long)]
        force: bool,
        /// Confirm `--force` without asking (needed when standard input is not a terminal).
        #[arg(long, requires = "force")]
        yes: bool,
    },
    /// Save what can still be read from a damaged store as interchange JSON.
    Recover {
        /// The damaged store directory.
        dir: PathBuf,
        /// The JSON file to write.
        out: PathBuf,
    },
    /// Show the audit log, optionally of one record.
    Log {
        /// A record code.
        code: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// How `merge --flow` draws the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowFormat {
    /// A text diagram with the critical path marked `*`.
    Text,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `config` subcommands.
#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Check the keymap and theme files; exit 1 listing `file:line: message`.
    Check,
}

/// `element` subcommands.
#[derive(Subcommand, Debug)]
pub enum ElementCommand {
    /// Find elements by name, synonym or code.
    Search {
        /// The query.
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Where an element is used: fields, forms, items, bundles (exit 1 if unknown).
    Uses {
        /// Element code.
        code: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pairs of elements, and groups of unbound fields, that are probably the same.
    Dups {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Merge an element into another: every field re-pointed, one transaction.
    Merge {
        /// The element that disappears.
        merge: String,
        /// The element that stays.
        #[arg(long)]
        into: String,
        /// Merge even when the kinds differ or the element that stays lacks some of the
        /// other's options (its fields' answers may then no longer validate).
        #[arg(long)]
        force: bool,
    },
    /// Show one element (exit 1 if unknown).
    Show {
        /// Element code.
        code: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `form` subcommands.
#[derive(Subcommand, Debug)]
pub enum FormCommand {
    /// List the forms a query keeps, as pane 3's filter does: words in the code or name, or
    /// in the pinyin of the name (full or initials); `item:X`, `agency:X`, `status:X`, `warn`.
    List {
        /// The query (words apart; none lists every form).
        query: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one form (exit 1 if unknown).
    Show {
        /// Form code.
        code: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lint one form or every form: elements bound twice, drifting labels, unbound fields an
    /// element covers, unpublished elements, empty sections, bad conditions (exit 1 if any).
    Lint {
        /// Form code (default: every form).
        code: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a blank form (field keys, labels, required, elements, format hints, options)
    /// as FILE.xlsx or FILE.json.
    Export {
        /// Form code.
        code: String,
        /// The file to write (.xlsx or .json).
        file: std::path::PathBuf,
    },
}

/// `template` subcommands.
#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// List every template (items, materials, bundles) with how many entries were claimed from it.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Claim a template as a new draft entry (origin claimed), copying its forms.
    Claim {
        /// The template's code.
        code: String,
        /// The new entry's code.
        #[arg(long = "as", value_name = "NEWCODE")]
        new_code: String,
    },
    /// Compare an entry with the template it was claimed from; exit 1 when it does not conform.
    Compare {
        /// The entry's code.
        code: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `bundle` subcommands.
#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// List bundles.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A command's failure: the message to print and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// Lines to print on standard error.
    pub message: String,
}

impl Failure {
    /// A failure with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_FAILURE,
            message: message.into(),
        }
    }

    /// A store error's failure, its message in `lang` (every command reports store errors
    /// through here, so a role refusal reads in Chinese under `--lang zh`): exit code 3 for a
    /// held store, 2 for records that fail the checks (nothing written), 1 otherwise (a
    /// refused change among them).
    pub fn store(e: StoreError, lang: Lang) -> Self {
        let code = match e {
            StoreError::Locked { .. } => EXIT_LOCKED,
            StoreError::Invalid(_) => EXIT_INVALID,
            _ => EXIT_FAILURE,
        };
        Self {
            code,
            message: e.describe(lang),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::new(e.to_string())
    }
}

/// The store directory: `--db`, else `YIBIAO_DB` (both via clap), else the data dir.
pub fn store_dir(db: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(dir) = db {
        return Ok(dir);
    }
    directories::ProjectDirs::from("", "", "yibiao")
        .map(|dirs| dirs.data_dir().join("store"))
        .ok_or_else(|| Failure::new("cannot find a data directory: set $HOME or pass --db DIR"))
}

/// Opens and locks the store without loading its catalog (`load` loads it), mapping a held
/// lock to exit code 3; a directory without a store is created or refused as `if_missing`
/// says. Warns on standard error about config files others may write.
pub fn open_unloaded(
    db: Option<PathBuf>,
    if_missing: IfMissing,
    lang: Lang,
) -> Result<UnloadedStore, Failure> {
    lock_store(db, if_missing, lang)?
        .open()
        .map_err(|e| Failure::store(e, lang))
}

/// Writes `batch` over the records `near` it in the store opened without its catalog (see
/// `UnloadedStore::apply_near`), the element links `held` given; once written, closes the
/// store and says `said`. `Ok(None)`: the write needs the catalog, nothing written.
pub fn write_near(
    mut store: UnloadedStore,
    batch: crate::store::Batch,
    near: &mut crate::model::Catalog,
    outline: &mut crate::model::Outline,
    held: Option<crate::model::ElementLinks>,
    said: &str,
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    match store.apply_near_holding(batch, near, outline, held, &mut |_, _| {}) {
        Ok(Some(_)) => {
            store.close_for_exit();
            eprintln_lossy!("{said}");
            Ok(Some(0))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(Failure::store(e, lang)),
    }
}

/// Locks the store without opening its database; as [`open_unloaded`].
pub fn lock_store(
    db: Option<PathBuf>,
    if_missing: IfMissing,
    lang: Lang,
) -> Result<LockedStore, Failure> {
    let dir = store_dir(db)?;
    if let Some(config) = crate::store::roles::config_dir() {
        let files = crate::io::files::config_files(&config);
        for (file, message) in crate::io::files::writable_by_others(&files) {
            eprintln_lossy!("yibiao: warning: {}: {message}", file.display());
        }
    }
    SledStore::lock(&dir, if_missing).map_err(|e| Failure::store(e, lang))
}

impl Command {
    /// Whether the command may create the store when `--db` names none: only commands that
    /// write records do; one that only reads (or `import --dry-run`) on a mistyped `--db`
    /// must say there is no store rather than create an empty one and report on it.
    pub fn if_missing(&self) -> IfMissing {
        match self {
            Command::Sample { .. } | Command::Restore { .. } => IfMissing::Create,
            Command::Import { dry_run, .. } if !dry_run => IfMissing::Create,
            _ => IfMissing::Refuse,
        }
    }
}

/// Runs the command line; returns the process exit code.
pub fn run() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INVALID } else { 0 };
            // printing help or a usage error; nothing sensible to do if stdout is closed
            let _ = e.print();
            return code;
        }
    };
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    match commands::dispatch(cli, lang) {
        Ok(code) => code,
        Err(failure) => {
            eprintln_lossy!("yibiao: {}", failure.message);
            failure.code
        }
    }
}
