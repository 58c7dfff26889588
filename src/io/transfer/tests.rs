use std::cell::RefCell;
use std::path::Path;

use super::*;
use crate::io::progress::{CancelFlag, CancelOutcome, Step};
use crate::model::Catalog;
use crate::store::SledStore;

const SMALL: &str = include_str!("../../../tests/fixtures/small.json");

fn small_catalog() -> Catalog {
    let records = json::parse_import(SMALL, &Catalog::default(), Lang::En).expect("fixture");
    Catalog::from_records(records)
}

/// Exports the small catalog to `name` under `dir` (a file, or a directory ending in `/`).
fn exported(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(name);
    let request = ExportRequest {
        file: file.clone(),
        format: None,
        kind: None,
        encoding: None,
        headers: None,
        caller: Caller::Cli,
    };
    let catalog = small_catalog();
    let export = build(&catalog, &request, &Control::none(), Lang::En).expect("build");
    save(&export, &Control::none(), Lang::En).expect("save");
    file
}

fn quiet(_: Step) {}

fn request(file: &Path) -> ImportRequest {
    ImportRequest {
        file: file.to_path_buf(),
        ..ImportRequest::default()
    }
}

fn history_len(store: &SledStore) -> usize {
    store.history(None).expect("history").len()
}

#[test]
fn formats_are_detected_as_the_command_line_always_did() {
    let d = |p: &str| Format::detect(Path::new(p), None, &Format::ALL, Lang::En);
    assert_eq!(d("a.JSON"), Ok(Format::Json));
    assert_eq!(d("-"), Ok(Format::Json));
    assert_eq!(d("book.xlsx"), Ok(Format::Xlsx));
    assert_eq!(d("数据元.csv"), Ok(Format::Csv));
    assert_eq!(d("out/"), Ok(Format::Csv));
    assert!(
        d("notes.txt")
            .unwrap_err()
            .contains("--format json|dept-tree|csv|xlsx")
    );
    // an export is not offered the import-only county catalog
    let export = Format::detect(Path::new("x.txt"), None, &Format::EXPORT, Lang::En);
    assert!(export.unwrap_err().ends_with("pass --format json|csv|xlsx"));
    assert_eq!(
        Format::detect(
            Path::new("x.txt"),
            Some(Format::DeptTree),
            &Format::ALL,
            Lang::En
        ),
        Ok(Format::DeptTree)
    );
}

#[test]
fn progress_goes_through_every_phase_in_order_and_ends_each_complete() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["book.xlsx", "tables/", "catalog.json"] {
        let file = exported(dir.path(), name);
        let mut store = SledStore::open(&dir.path().join(format!("store-{}", name.len()))).unwrap();
        let seen = RefCell::new(Vec::<Step>::new());
        let report = |s: Step| seen.borrow_mut().push(s);
        let flag = CancelFlag::new();
        let control = Control::new(&report, &flag);
        let parsed = read(&request(&file), store.catalog(), &control, Lang::En).expect(name);
        let n = parsed.records.len();
        let imported = write(&mut store, parsed, &control).expect("write");
        assert_eq!(imported.created, n, "{name}");
        let seen = seen.into_inner();
        for s in &seen {
            assert!(s.total == 0 || s.done <= s.total, "{name}: {s:?}");
        }
        let phases: Vec<Phase> = seen.iter().map(|s| s.phase).fold(Vec::new(), |mut v, p| {
            if v.last() != Some(&p) {
                v.push(p);
            }
            v
        });
        let order = |p: &Phase| {
            [
                Phase::Reading,
                Phase::Parsing,
                Phase::Validating,
                Phase::Writing,
            ]
            .iter()
            .position(|q| q == p)
            .unwrap()
        };
        // a directory reads every file first, then parses each: phases never go back
        assert_eq!(phases.first(), Some(&Phase::Reading), "{name}: {phases:?}");
        assert_eq!(
            &phases[phases.len() - 2..],
            [Phase::Validating, Phase::Writing],
            "{name}: {phases:?}"
        );
        assert!(
            phases.windows(2).all(|w| order(&w[0]) < order(&w[1])),
            "{name}: {phases:?}"
        );
        let last = seen.last().unwrap();
        assert_eq!(
            (last.phase, last.done, last.total),
            (Phase::Writing, n as u64, n as u64)
        );
        assert!(
            seen.iter()
                .any(|s| s.phase == Phase::Parsing && s.done > 0 && s.done == s.total),
            "{name}: parsing reports its end"
        );
    }
}

#[test]
fn a_cancelled_import_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = exported(dir.path(), "book.xlsx");
    let mut store = SledStore::open(&dir.path().join("store")).unwrap();
    let before = history_len(&store);

    // cancelled while parsing: the reader stops at its next row
    let flag = CancelFlag::new();
    let rows = RefCell::new(0);
    let report = |s: Step| {
        if s.phase == Phase::Parsing {
            *rows.borrow_mut() += 1;
            assert_eq!(flag.cancel(), CancelOutcome::Cancelled);
        }
    };
    let control = Control::new(&report, &flag);
    let result = read(&request(&file), store.catalog(), &control, Lang::En);
    assert!(matches!(result, Err(ImportError::Cancelled)), "{result:?}");
    assert_eq!(
        *rows.borrow(),
        1,
        "stopped at the first report after the cancel"
    );

    // cancelled after reading, before the write: nothing is written
    let flag = CancelFlag::new();
    let control = Control::new(&quiet, &flag);
    let parsed = read(&request(&file), store.catalog(), &control, Lang::En).expect("read");
    assert!(!parsed.records.is_empty());
    assert_eq!(flag.cancel(), CancelOutcome::Cancelled);
    let result = write(&mut store, parsed, &control);
    assert!(matches!(result, Err(ImportError::Cancelled)), "{result:?}");
    assert!(store.catalog().is_empty());
    assert_eq!(history_len(&store), before);
    drop(store);
    let store = SledStore::open(&dir.path().join("store")).unwrap();
    assert!(store.catalog().is_empty(), "nothing on disk either");
}

#[test]
fn a_cancel_once_the_write_began_is_refused_and_the_write_completes() {
    let dir = tempfile::tempdir().unwrap();
    let file = exported(dir.path(), "catalog.json");
    let mut store = SledStore::open(&dir.path().join("store")).unwrap();
    let flag = CancelFlag::new();
    let outcome = RefCell::new(None);
    let report = |s: Step| {
        if s.phase == Phase::Writing && outcome.borrow().is_none() {
            *outcome.borrow_mut() = Some(flag.cancel());
        }
    };
    let control = Control::new(&report, &flag);
    let parsed = read(&request(&file), store.catalog(), &control, Lang::En).expect("read");
    let n = parsed.records.len();
    let imported = write(&mut store, parsed, &control).expect("the write runs to its end");
    assert_eq!(*outcome.borrow(), Some(CancelOutcome::Writing));
    assert_eq!(imported.created, n);
    assert_eq!(store.catalog().len(), n);
}

#[test]
fn problems_name_the_file_and_nothing_is_returned() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regions.csv");
    std::fs::write(&file, "code,name\nR1,a\nR2\n").unwrap();
    let result = read(
        &request(&file),
        &Catalog::default(),
        &Control::none(),
        Lang::En,
    );
    let Err(ImportError::Problems { lines, .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].ends_with("regions.csv row 3: has 1 cells, the header has 2"),
        "{lines:?}"
    );
    let mut req = request(&file);
    req.kind = Some("colour".into());
    let result = read(&req, &Catalog::default(), &Control::none(), Lang::En);
    assert!(
        matches!(&result, Err(ImportError::Usage(m)) if m.contains("unknown kind")),
        "{result:?}"
    );
}

#[test]
fn an_export_cancelled_before_writing_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out/");
    let request = ExportRequest {
        file: file.clone(),
        format: None,
        kind: None,
        encoding: Some(Encoding::Gb18030),
        headers: Some(Lang::En),
        caller: Caller::Cli,
    };
    let flag = CancelFlag::new();
    let control = Control::new(&quiet, &flag);
    let catalog = small_catalog();
    let export = build(&catalog, &request, &control, Lang::En).expect("build");
    assert!(
        export
            .outputs
            .iter()
            .any(|o| o.path.ends_with("elements.csv"))
    );
    flag.cancel();
    assert_eq!(
        save(&export, &control, Lang::En),
        Err(ExportError::Cancelled)
    );
    assert!(!file.exists());
}

#[test]
fn options_that_do_not_apply_to_the_format_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let request = |name: &str, encoding, headers| ExportRequest {
        file: dir.path().join(name),
        format: None,
        kind: None,
        encoding,
        headers,
        caller: Caller::Cli,
    };
    let refused = |request: ExportRequest| {
        build(&small_catalog(), &request, &Control::none(), Lang::En).unwrap_err()
    };
    assert_eq!(
        refused(request("x.json", None, Some(Lang::En))),
        ExportError::Usage("--headers applies to CSV and XLSX only".into())
    );
    assert_eq!(
        refused(request("x.xlsx", Some(Encoding::Gb18030), None)),
        ExportError::Usage("--encoding applies to CSV only".into())
    );
    // the default header language is no choice: JSON accepts it
    assert!(
        build(
            &small_catalog(),
            &request("x.json", None, None),
            &Control::none(),
            Lang::En
        )
        .is_ok()
    );
}

#[test]
fn sniffing_names_the_encoding_of_a_file_or_of_a_directory_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let text = "code,name\n510000,四川省\n510100,四川省成都市\n";
    let gb = write(
        "gb/regions.csv",
        &csv_io::encode(text, Encoding::Gb18030).unwrap(),
    );
    let detected = |e| {
        Sniffed::Same(Detection {
            encoding: e,
            forced: false,
            doubt: None,
        })
    };
    assert_eq!(sniff_encoding(&gb), Some(detected(Encoding::Gb18030)));
    assert_eq!(
        sniff_encoding(gb.parent().unwrap()),
        Some(detected(Encoding::Gb18030))
    );
    write("gb/agencies.csv", text.as_bytes());
    let mixed = sniff_encoding(gb.parent().unwrap());
    assert_eq!(
        mixed,
        Some(Sniffed::Mixed(vec![Encoding::Utf8, Encoding::Gb18030]))
    );
    assert_eq!(mixed.unwrap().label(Lang::Zh), "UTF-8、GB18030");
    let bad = write("bad/regions.csv", b"code\n\xff\xff\xff\n");
    assert_eq!(sniff_encoding(&bad), Some(Sniffed::Unreadable));
    assert_eq!(
        sniff_encoding(bad.parent().unwrap()),
        Some(Sniffed::Unreadable)
    );
    assert_eq!(sniff_encoding(&dir.path().join("none.csv")), None);
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    assert_eq!(sniff_encoding(&dir.path().join("empty")), None);
}

#[test]
fn an_export_names_the_files_it_would_replace() {
    let dir = tempfile::tempdir().unwrap();
    let request = |name: &str| ExportRequest {
        file: dir.path().join(name),
        format: None,
        kind: None,
        encoding: None,
        headers: Some(Lang::En),
        caller: Caller::Cli,
    };
    let catalog = small_catalog();
    let build = |name: &str| build(&catalog, &request(name), &Control::none(), Lang::En);
    let export = build("catalog.xlsx").expect("build");
    assert!(export.existing().is_empty());
    save(&export, &Control::none(), Lang::En).expect("save");
    assert_eq!(
        export.existing(),
        [dir.path().join("catalog.xlsx").as_path()]
    );
    // a directory: only the files that are there already
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/notes.txt"), "mine").unwrap();
    assert!(build("out/").expect("build").existing().is_empty());
    std::fs::write(dir.path().join("out/items.csv"), "old").unwrap();
    assert_eq!(
        build("out/").expect("build").existing(),
        [dir.path().join("out/items.csv").as_path()]
    );
}

/// QA round 5 §6: a Big5 export with Chinese headers points to English headers (worded
/// for the command line or the dialog), and a Big5 file with traditional headers imports.
#[test]
fn big5_suggests_english_headers_and_reads_traditional_headers() {
    let dir = tempfile::tempdir().unwrap();
    let request = |caller, headers| ExportRequest {
        file: dir.path().join("b5zh.csv"),
        format: None,
        kind: Some("region".into()),
        encoding: Some(Encoding::Big5),
        headers,
        caller,
    };
    let refused = |request: ExportRequest, lang| match build(
        &small_catalog(),
        &request,
        &Control::none(),
        lang,
    ) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("{other:?}"),
    };
    let cli = refused(request(Caller::Cli, None), Lang::En);
    assert!(
        cli.ends_with("export as UTF-8 or GB18030, or with English headers (--headers en)"),
        "{cli}"
    );
    let tui = refused(request(Caller::Tui, None), Lang::Zh);
    assert!(
        tui.ends_with("请改用 UTF-8 或 GB18030 导出，或用英文表头（「表头」选「英文」）"),
        "{tui}"
    );
    // with English headers only the data can be at fault: no such hint then
    if let Err(ExportError::Usage(m)) = build(
        &small_catalog(),
        &request(Caller::Cli, Some(Lang::En)),
        &Control::none(),
        Lang::En,
    ) {
        assert!(!m.contains("--headers"), "{m}");
    }

    let file = dir.path().join("行政區劃.csv");
    let text = "編碼,名稱,上級\n710000,臺灣省,\n";
    std::fs::write(&file, csv_io::encode(text, Encoding::Big5).unwrap()).unwrap();
    let parsed = read(
        &ImportRequest {
            file: file.clone(),
            encoding: Some(Encoding::Big5),
            ..ImportRequest::default()
        },
        &Catalog::default(),
        &Control::none(),
        Lang::En,
    )
    .expect("traditional headers and file name are understood");
    assert_eq!(parsed.records.len(), 1);
}

/// QA round 5 §10: the dialog names its 类别 field, the command line `--kind`.
#[test]
fn an_unknown_file_name_names_the_way_to_choose_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("encb5.csv");
    std::fs::write(&file, "code,name\n510000,四川省\n").unwrap();
    let message = |caller, lang| {
        let request = ImportRequest {
            file: file.clone(),
            caller,
            ..ImportRequest::default()
        };
        match read(&request, &Catalog::default(), &Control::none(), lang) {
            Err(ImportError::Problems { lines, .. }) => lines.join("\n"),
            other => panic!("{:?}", other.map(|p| p.records.len())),
        }
    };
    let tui = message(Caller::Tui, Lang::Zh);
    assert!(tui.contains("请用 「类别」栏 指定"), "{tui}");
    assert!(!tui.contains("--kind"), "{tui}");
    let en = message(Caller::Tui, Lang::En);
    assert!(en.contains("choose it with the kind field"), "{en}");
    let cli = message(Caller::Cli, Lang::En);
    assert!(cli.contains("choose it with --kind"), "{cli}");
}
