//! `import` and `export` in every format: interchange JSON, the county catalog
//! (department → main item → sub-item JSON), CSV (a file per table, UTF-8, GB18030 or Big5) and
//! XLSX (a sheet per table). The work is done by [`crate::io::transfer`], the engine the
//! TUI's transfer dialog uses too; this face prints, with a spinner on standard error.

use std::path::Path;

use crate::display::inert;
use crate::i18n::Lang;
use crate::io::progress::{CancelFlag, Control, Step};
use crate::io::transfer::{
    self, Export, ExportError, ExportRequest, ImportError, ImportRequest, NearImport, Parsed,
    nothing_written,
};
use crate::model::{Catalog, RecordSource};
use crate::store::{Store, UnloadedStore};

use super::commands::print_out_with;
use super::progress::Progress;
use super::{EXIT_INVALID, Failure};

pub use crate::io::transfer::Format;

/// The formats `export --format` accepts (the county catalog is import only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Interchange JSON (`yibiao/1`).
    Json,
    /// CSV: one table (`--kind`), or a directory of them.
    Csv,
    /// An XLSX workbook with a sheet per table.
    Xlsx,
}

impl From<ExportFormat> for Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Json => Format::Json,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Xlsx => Format::Xlsx,
        }
    }
}

fn invalid(message: String) -> Failure {
    Failure {
        code: EXIT_INVALID,
        message,
    }
}

/// Runs `work` with a spinner on standard error fed by the engine's progress reports; the
/// spinner is gone when it returns. The command line has no cancel key (a signal ends it).
fn with_progress<R>(
    verb: (&str, &str),
    file: &Path,
    lang: Lang,
    work: impl FnOnce(&Progress, &Control<'_>) -> R,
) -> R {
    let shown = inert(&file.display().to_string()).into_owned();
    let progress =
        Progress::start(lang.pick(format!("{} {shown}", verb.0), format!("{} {shown}", verb.1)));
    let report = |step: Step| progress.report(&step.describe(lang));
    let flag = CancelFlag::new();
    let control = Control::new(&report, &flag);
    work(&progress, &control)
}

fn import_failure(e: ImportError, lang: Lang) -> Failure {
    match e {
        // an input that cannot be read is as invalid as one that does not parse
        ImportError::Usage(m) | ImportError::Io(m) => invalid(m),
        ImportError::Problems { lines, notes } => {
            // how the files were decoded first: a wrong encoding explains many problems
            let mut message: String = notes
                .iter()
                .chain(&lines)
                .map(|l| format!("{l}\n"))
                .collect();
            message.push_str(&nothing_written(lines.len(), lang));
            invalid(message)
        }
        // the command line has no cancel key; a signal ends the process instead
        ImportError::Cancelled => Failure::new(lang.pick("已取消", "cancelled")),
        ImportError::Store(e) => Failure::store(e, lang),
    }
}

/// Reads and checks an import for a store that does not exist yet, before it is created
/// (against an empty catalog, which is what the new store holds), printing the notes: a
/// file that cannot be read or does not check creates no store, as for `restore`.
pub fn check_for_new_store(request: &ImportRequest, lang: Lang) -> Result<Parsed, Failure> {
    with_progress(
        ("读取", "reading"),
        &request.file,
        lang,
        |progress, control| {
            let parsed = transfer::read(request, &Catalog::default(), control, lang)?;
            print_notes(progress, &parsed, lang);
            Ok(parsed)
        },
    )
    .map_err(|e| import_failure(e, lang))
}

fn print_notes(progress: &Progress, parsed: &Parsed, lang: Lang) {
    progress.suspend(|| {
        for note in parsed.notes(lang) {
            eprintln_lossy!("{note}");
        }
    });
}

/// What [`import_near`] leaves to the loaded store.
pub enum NearImported {
    /// Done, with the exit code.
    Done(u8),
    /// The import needs the catalog: the store, to be loaded, with the request and its
    /// input when it was read and checked against the store's records (under the lock the
    /// store still holds: they hold for its catalog), else to be read over the catalog.
    Load(Box<(UnloadedStore, ImportRequest, Option<Parsed>)>),
}

/// `yibiao import` into a store whose outline and element links are cached, without loading
/// its catalog: the
/// file is checked against the records it replaces and references, read as they are looked
/// up, and written over the records near it (see [`transfer::write_near`]); at a million
/// elements a few thousand records go in without the 700 MiB the catalog holds. An import
/// the records near it cannot answer for is handed back, checked, for the loaded store.
pub fn import_near(
    mut store: UnloadedStore,
    request: ImportRequest,
    lang: Lang,
) -> Result<NearImported, Failure> {
    // (a store without them has them made again by the loaded store's import; the links
    // are read by the write only if it deletes an element or moves a reference)
    let (Some(mut outline), true) = (store.outline(), store.has_element_links()) else {
        return Ok(NearImported::Load(Box::new((store, request, None))));
    };
    let done = with_progress(
        ("读取", "reading"),
        &request.file,
        lang,
        |progress, control| {
            let (parsed, mut near) = transfer::read_near(&request, store.reader(), control, lang)?;
            print_notes(progress, &parsed, lang);
            if request.dry_run {
                return Ok(Err(parsed.records.len()));
            }
            transfer::write_near(&mut store, parsed, (&mut near, &mut outline), None, control)
                .map(Ok)
        },
    )
    .map_err(|e| import_failure(e, lang))?;
    match done {
        Err(total) => {
            store.close_for_exit();
            eprintln_lossy!("{}", transfer::checked(total, lang));
            Ok(NearImported::Done(0))
        }
        Ok(NearImport::Written(imported, _)) => {
            store.close_for_exit();
            eprintln_lossy!("{}", imported.message(lang));
            Ok(NearImported::Done(0))
        }
        Ok(NearImport::NeedsCatalog(parsed)) => {
            Ok(NearImported::Load(Box::new((store, request, Some(parsed)))))
        }
    }
}

/// `yibiao import`: reads, checks (all or nothing), reports, writes. `checked` is what
/// [`check_for_new_store`] read before the store was created; the file is not read again.
pub fn import(
    store: &mut impl Store,
    request: ImportRequest,
    checked: Option<Parsed>,
    lang: Lang,
) -> Result<u8, Failure> {
    let (total, imported) = with_progress(
        ("读取", "reading"),
        &request.file,
        lang,
        |progress, control| {
            let parsed = match checked {
                Some(parsed) => parsed,
                None => {
                    let parsed = transfer::read(&request, store.catalog(), control, lang)?;
                    print_notes(progress, &parsed, lang);
                    parsed
                }
            };
            let total = parsed.records.len();
            if request.dry_run {
                return Ok((total, None));
            }
            transfer::write(store, parsed, control).map(|i| (total, Some(i)))
        },
    )
    .map_err(|e| import_failure(e, lang))?;
    match imported {
        Some(imported) => eprintln_lossy!("{}", imported.message(lang)),
        None => eprintln_lossy!("{}", transfer::checked(total, lang)),
    }
    Ok(0)
}

fn export_failure(e: ExportError, lang: Lang) -> Failure {
    match e {
        ExportError::Usage(m) => invalid(m),
        ExportError::Io(m) => Failure::new(m),
        ExportError::Cancelled => Failure::new(lang.pick("已取消", "cancelled")),
    }
}

/// Writes an export's files, or its one body to standard output.
fn write_export(
    export: &Export<'_>,
    progress: &Progress,
    control: &Control<'_>,
    lang: Lang,
) -> Result<(), ExportError> {
    match export.outputs.as_slice() {
        [one] if one.path == Path::new("-") => progress
            .suspend(|| print_out_with(|out| one.body.write_to(out)))
            .map(|_| ())
            .map_err(|f| ExportError::Io(f.message)),
        _ => transfer::save(export, control, lang),
    }
}

/// `yibiao export`, written as the records are read from `source` (the store, without
/// loading the catalog): to standard output for `-`, else to each file whole or not at all.
pub fn export(
    source: &dyn RecordSource,
    request: ExportRequest,
    lang: Lang,
) -> Result<u8, Failure> {
    let result = with_progress(
        ("导出", "exporting"),
        &request.file,
        lang,
        |progress, control| {
            let export = transfer::build(source, &request, control, lang)?;
            write_export(&export, progress, control, lang)
        },
    );
    result.map(|()| 0).map_err(|e| export_failure(e, lang))
}
