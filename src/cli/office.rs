//! `import` and `export` in every format: interchange JSON, the county catalog
//! (department → main item → sub-item JSON), CSV (a file per table, UTF-8 or GB18030) and
//! XLSX (a sheet per table).

use std::path::{Path, PathBuf};

use crate::display::inert;
use crate::i18n::Lang;
use crate::io::check::FileProblem;
use crate::io::csv::{self as csv_io, Encoding};
use crate::io::table::{self, RawTable, TableId};
use crate::io::{dept_tree, json, xlsx};
use crate::model::{Catalog, ItemLevel, Kind, Record};
use crate::store::{Batch, Store};

use super::commands::{read_input, write_output};
use super::progress::Progress;
use super::{EXIT_INVALID, Failure};

/// A file format for `import` and `export`.
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

/// What `import` was asked.
pub struct ImportArgs {
    /// The file or directory.
    pub file: PathBuf,
    /// Report only.
    pub dry_run: bool,
    /// `--kind`.
    pub kind: Option<String>,
    /// `--encoding`.
    pub encoding: Option<Encoding>,
    /// `--format`.
    pub format: Option<Format>,
}

/// What `export` was asked.
pub struct ExportArgs {
    /// The file, or a directory for one CSV per table.
    pub file: PathBuf,
    /// `--kind`.
    pub kind: Option<String>,
    /// `--encoding`.
    pub encoding: Option<Encoding>,
    /// `--format`.
    pub format: Option<Format>,
    /// `--headers`.
    pub headers: Lang,
}

fn invalid(message: String) -> Failure {
    Failure {
        code: EXIT_INVALID,
        message,
    }
}

/// The format of `file`: `forced`, else a directory or a path ending in `/` is CSV, else
/// the extension decides; `-` is JSON.
fn format_of(file: &Path, forced: Option<Format>, lang: Lang) -> Result<Format, Failure> {
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
        _ => Err(invalid(lang.pick(
            format!(
                "无法从 {} 的扩展名看出格式；请用 --format json|dept-tree|csv|xlsx",
                file.display()
            ),
            format!(
                "cannot tell the format of {} from its extension; pass --format json|dept-tree|csv|xlsx",
                file.display()
            ),
        ))),
    }
}

fn is_dir_path(file: &Path) -> bool {
    file.is_dir() || file.to_string_lossy().ends_with('/')
}

fn parse_table(kind: Option<&str>, lang: Lang) -> Result<Option<TableId>, Failure> {
    kind.map(|k| {
        TableId::parse(k).ok_or_else(|| {
            let names: Vec<&str> = TableId::ALL.iter().map(|t| t.en()).collect();
            invalid(lang.pick(
                format!("未知类别 {}（可用：{}）", inert(k), names.join("、")),
                format!("unknown kind {} (known: {})", inert(k), names.join(", ")),
            ))
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

/// Records an import would write, and warnings to print whatever happens.
struct Parsed {
    records: Vec<Record>,
    warnings: Vec<String>,
    summary: Option<String>,
}

/// `yibiao import`: reads, checks (all or nothing), reports, writes.
pub fn import(store: &mut impl Store, args: ImportArgs, lang: Lang) -> Result<u8, Failure> {
    let file = &args.file;
    let format = format_of(file, args.format, lang)?;
    if args.encoding.is_some() && format != Format::Csv {
        return Err(invalid(
            lang.pick("--encoding 只用于 CSV", "--encoding applies to CSV only")
                .into(),
        ));
    }
    if args.kind.is_some() && matches!(format, Format::Json | Format::DeptTree) {
        return Err(invalid(
            lang.pick(
                "--kind 只用于 CSV 和 XLSX",
                "--kind applies to CSV and XLSX only",
            )
            .into(),
        ));
    }
    let table = parse_table(args.kind.as_deref(), lang)?;
    let progress = Progress::start(lang.pick(
        format!("读取 {}", file.display()),
        format!("reading {}", file.display()),
    ));
    let parsed = match format {
        Format::Json | Format::DeptTree => parse_json(store.catalog(), file, format, lang)?,
        Format::Csv => parse_tables(
            read_csv(file, table, args.encoding, lang),
            store.catalog(),
            lang,
        ),
        Format::Xlsx => {
            let bytes = read_input(file)?;
            let only = table.map(selection);
            let name = file.display().to_string();
            let named = file
                .file_stem()
                .and_then(|s| TableId::parse(&s.to_string_lossy()));
            parse_tables(
                xlsx::read(&bytes, &name, only.as_deref(), named, lang),
                store.catalog(),
                lang,
            )
        }
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(problems) => {
            progress.finish();
            return Err(problems_failure(file, format, &problems, lang));
        }
    };
    for warning in &parsed.warnings {
        eprintln!("{}{}", lang.pick("注意：", "warning: "), inert(warning));
    }
    if let Some(summary) = &parsed.summary {
        eprintln!("{summary}");
    }
    let total = parsed.records.len();
    if args.dry_run {
        progress.finish();
        eprintln!(
            "{}",
            lang.pick(
                format!("{total} 条记录有效（试运行，未写入）"),
                format!("{total} records valid (dry run, nothing written)"),
            )
        );
        return Ok(0);
    }
    progress.stage(lang.pick(
        format!("写入 {total} 条记录"),
        format!("writing {total} records"),
    ));
    let applied = store.apply(Batch::upserts("import", parsed.records));
    progress.finish();
    let applied = applied?;
    let unchanged = total - applied.created - applied.updated;
    eprintln!(
        "{}",
        lang.pick(
            format!(
                "已导入：新建 {}，更新 {}，未变 {}",
                applied.created, applied.updated, unchanged
            ),
            format!(
                "imported: {} created, {} updated, {} unchanged",
                applied.created, applied.updated, unchanged
            ),
        )
    );
    Ok(0)
}

/// Every problem on its own line, then the count; exit code 2.
fn problems_failure(file: &Path, format: Format, problems: &[FileProblem], lang: Lang) -> Failure {
    let mut message: String = problems
        .iter()
        .map(|p| match format {
            // JSON paths are inside the file; table places already name it
            Format::Json | Format::DeptTree => {
                format!("{}: {}\n", file.display(), inert(&p.to_string()))
            }
            Format::Csv | Format::Xlsx if p.path.is_empty() => {
                format!("{}: {}\n", file.display(), inert(&p.message))
            }
            Format::Csv | Format::Xlsx => format!("{}\n", inert(&p.to_string())),
        })
        .collect();
    message.push_str(&lang.pick(
        format!("{} 个问题，未写入任何数据", problems.len()),
        format!("{} problem(s); nothing was written", problems.len()),
    ));
    invalid(message)
}

fn parse_json(
    catalog: &Catalog,
    file: &Path,
    format: Format,
    lang: Lang,
) -> Result<Result<Parsed, Vec<FileProblem>>, Failure> {
    let bytes = read_input(file)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(lang.pick(
            format!(
                "{}：不是 UTF-8 编码（第 {} 字节）；JSON 须为 UTF-8",
                file.display(),
                e.utf8_error().valid_up_to()
            ),
            format!(
                "{}: not UTF-8 (byte {}); JSON must be UTF-8",
                file.display(),
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    let value = match json::parse_json(&text, lang) {
        Ok(value) => value,
        Err(problems) => return Ok(Err(problems)),
    };
    if format == Format::DeptTree || dept_tree::is_dept_tree(&value) {
        return Ok(dept_tree::parse(value, catalog, lang).map(|tree| {
            let agencies = tree
                .records
                .iter()
                .filter(|r| r.kind() == Kind::Agency)
                .count();
            let (main, sub) = (tree.items(ItemLevel::Main), tree.items(ItemLevel::Sub));
            let summary = lang.pick(
                format!("部门-主项-子项目录：{agencies} 个实施主体，{main} 个主项，{sub} 个子项"),
                format!("county catalog: {agencies} agencies, {main} main items, {sub} sub-items"),
            );
            Parsed {
                warnings: tree.warnings(lang),
                records: tree.records,
                summary: Some(summary),
            }
        }));
    }
    Ok(
        json::import_value(value, catalog, lang).map(|records| Parsed {
            records,
            warnings: Vec::new(),
            summary: None,
        }),
    )
}

fn parse_tables(
    tables: Result<Vec<RawTable>, Vec<FileProblem>>,
    catalog: &Catalog,
    lang: Lang,
) -> Result<Parsed, Vec<FileProblem>> {
    let tables = tables?;
    if tables.is_empty() {
        return Err(vec![FileProblem::new(
            "",
            lang.pick(
                "没有可导入的表（工作表或 CSV 文件为空，或不属于 --kind）",
                "no table to import (the sheets or CSV files are empty, or not of --kind)",
            ),
        )]);
    }
    let records = table::records(&tables, catalog, lang)?;
    Ok(Parsed {
        records,
        warnings: Vec::new(),
        summary: None,
    })
}

/// Reads a CSV file, or every `.csv` file of a directory (by name order).
fn read_csv(
    path: &Path,
    table: Option<TableId>,
    encoding: Option<Encoding>,
    lang: Lang,
) -> Result<Vec<RawTable>, Vec<FileProblem>> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let entries = std::fs::read_dir(path)
            .map_err(|e| vec![FileProblem::new(path.display().to_string(), e.to_string())])?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
            .collect();
        files.sort();
        if let Some(t) = table {
            let wanted = selection(t);
            files.retain(|f| csv_io::table_of(f, None, lang).is_ok_and(|t| wanted.contains(&t)));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let forced = if path.is_dir() { None } else { table };
    let mut tables = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let place = file.display().to_string();
        let one = |message: String| FileProblem::new(place.clone(), message);
        let result = csv_io::table_of(&file, forced, lang)
            .map_err(|m| vec![one(m)])
            .and_then(|t| {
                let bytes = std::fs::read(&file).map_err(|e| vec![one(e.to_string())])?;
                let (text, _) = csv_io::decode(&bytes, encoding, lang).map_err(|m| vec![one(m)])?;
                csv_io::read_table(&text, t, &place, lang)
            });
        match result {
            Ok(t) => tables.push(t),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(tables)
    } else {
        Err(problems)
    }
}

/// `yibiao export`.
pub fn export(catalog: &Catalog, args: ExportArgs, lang: Lang) -> Result<u8, Failure> {
    let file = &args.file;
    let format = format_of(file, args.format, lang)?;
    if args.encoding.is_some() && format != Format::Csv {
        return Err(invalid(
            lang.pick("--encoding 只用于 CSV", "--encoding applies to CSV only")
                .into(),
        ));
    }
    let table = parse_table(args.kind.as_deref(), lang)?;
    let kinds: Vec<Kind> = table.map(|t| t.kind()).into_iter().collect();
    let progress = Progress::start(lang.pick(
        format!("导出 {}", file.display()),
        format!("exporting {}", file.display()),
    ));
    let result = match format {
        Format::DeptTree => Err(invalid(
            lang.pick(
                "部门-主项-子项格式只能导入",
                "the dept-tree format is import only",
            )
            .into(),
        )),
        Format::Json if table.is_some() => Err(invalid(
            lang.pick(
                "JSON 导出总是包含全部类别；--kind 用于 CSV 和 XLSX",
                "a JSON export holds every kind; --kind applies to CSV and XLSX",
            )
            .into(),
        )),
        Format::Json => write_output(file, json::export(catalog).as_bytes()),
        Format::Xlsx => {
            let sheets = table::sheets(catalog, &kinds, args.headers);
            xlsx::write(&sheets, args.headers)
                .map_err(Failure::new)
                .and_then(|bytes| write_output(file, &bytes))
        }
        Format::Csv => export_csv(catalog, file, table, args.encoding, args.headers, lang),
    };
    progress.finish();
    result.map(|()| 0)
}

fn export_csv(
    catalog: &Catalog,
    file: &Path,
    table: Option<TableId>,
    encoding: Option<Encoding>,
    headers: Lang,
    lang: Lang,
) -> Result<(), Failure> {
    let encoding = encoding.unwrap_or(Encoding::Utf8);
    let kinds: Vec<Kind> = table.map(|t| t.kind()).into_iter().collect();
    let sheets = table::sheets(catalog, &kinds, headers);
    if is_dir_path(file) {
        std::fs::create_dir_all(file)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", file.display())))?;
        for sheet in &sheets {
            let path = file.join(format!("{}.csv", sheet.table.name(headers)));
            write_output(
                &path,
                &csv_io::encode(&csv_io::write_table(sheet), encoding),
            )?;
        }
        return Ok(());
    }
    let Some(table) = table else {
        return Err(invalid(lang.pick(
            "导出单个 CSV 文件须用 --kind 指定表（如 --kind element）；导出全部请给以 / 结尾的目录",
            "a single CSV file needs --kind (e.g. --kind element); for every table give a directory ending in /",
        ).into()));
    };
    let sheet = sheets
        .iter()
        .find(|s| s.table == table)
        .ok_or_else(|| Failure::new(format!("no table {}", table.en())))?;
    write_output(file, &csv_io::encode(&csv_io::write_table(sheet), encoding))
}
