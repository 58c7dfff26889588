//! The import/export dialog on a TestBackend: the path entry with Tab completion, the
//! running gauge, the problem list, a real import that refreshes the panes, cancel
//! semantics, and an export that writes the file the path names.

mod tui_support;

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::io::csv::Encoding;
use yibiao::io::progress::{CancelFlag, Phase, Step, Unit};
use yibiao::tui::app::{App, Overlay};
use yibiao::tui::transfer::{Direction, State, Transfer};

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/small.json");
const THREE_ERRORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/three_errors.json"
);

fn dialog(app: &mut App) -> &mut Transfer {
    match &mut app.overlay {
        Some(Overlay::Transfer(t)) => t,
        _ => panic!("the transfer dialog is not open"),
    }
}

/// Opens the dialog with relative paths starting from `dir`.
fn open(app: &mut App, action: &str, dir: &Path) {
    press(app, action);
    dialog(app).cwd = dir.to_path_buf();
    dialog(app).refresh_sniff();
}

fn enter(app: &mut App) {
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

/// The screen with the machine-dependent paths replaced (and the padding after the
/// directory, whose length varies, collapsed).
fn shown(app: &mut App, dir: &Path, w: u16, h: u16) -> String {
    let s = screen(app, w, h)
        .replace(&app.store_path, "[STORE]")
        .replace(&dir.display().to_string(), "[DIR]");
    let padding = regex::Regex::new(r"\[DIR\] +").unwrap();
    padding.replace_all(&s, "[DIR] ").into_owned()
}

/// Asserts the screen shows `text`, printing it otherwise.
fn assert_shows(app: &mut App, dir: &Path, text: &str) {
    let s = shown(app, dir, 100, 26);
    assert!(s.contains(text), "{text:?} not in\n{s}");
}

#[test]
fn the_path_entry_completes_with_tab_and_shows_the_detected_format() {
    let (mut app, _store) = fixture_app(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tables")).unwrap();
    std::fs::copy(SMALL, dir.path().join("catalog-small.json")).unwrap();
    std::fs::write(dir.path().join("catalog-book.xlsx"), b"").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"").unwrap();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "cat");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(dialog(&mut app).path.value(), "catalog-");
    type_text(&mut app, "b");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(dialog(&mut app).path.value(), "catalog-book.xlsx");
    // the kind field: every table, then the first table
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert_shows(&mut app, dir.path(), "自动：xlsx");
    insta::assert_snapshot!(
        "transfer_path_entry_zh",
        shown(&mut app, dir.path(), 100, 26)
    );
}

#[test]
fn the_running_gauge_shows_phase_and_counts_and_esc_cancels_before_the_write() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "book.xlsx");
    let flag = Arc::new(CancelFlag::new());
    dialog(&mut app).state = State::Running {
        step: Some(Step {
            phase: Phase::Parsing,
            unit: Unit::Rows,
            done: 1234,
            total: 5000,
        }),
        flag: Arc::clone(&flag),
        note: None,
        quit: false,
    };
    insta::assert_snapshot!(
        "transfer_running_gauge",
        shown(&mut app, dir.path(), 100, 26)
    );
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(flag.is_cancelled(), "esc raised the cancel flag");
    assert_shows(
        &mut app,
        dir.path(),
        "cancelling… (nothing will be written)",
    );
    assert!(
        matches!(app.overlay, Some(Overlay::Transfer(_))),
        "the dialog waits for the worker"
    );

    // once the write began, esc is refused and says why
    let flag = Arc::new(CancelFlag::new());
    assert!(flag.begin_write());
    dialog(&mut app).state = State::Running {
        step: None,
        flag: Arc::clone(&flag),
        note: None,
        quit: false,
    };
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(!flag.is_cancelled());
    assert_shows(&mut app, dir.path(), "writing: cannot cancel now");
    key(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_shows(
        &mut app,
        dir.path(),
        "quitting once every record is written",
    );
    assert!(!app.quit, "not before the worker ends");
}

#[test]
fn ctrl_c_in_the_dialog_quits_as_elsewhere() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "book");
    key(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(app.quit, "ctrl-c quits from the path entry");
    assert!(app.overlay.is_none());
}

#[test]
fn problems_are_listed_in_the_dialog_and_nothing_is_written() {
    let (mut app, _store) = fixture_app(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(THREE_ERRORS, dir.path().join("three_errors.json")).unwrap();
    let before = app.store().unwrap().catalog().len();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "three_errors.json");
    enter(&mut app);
    assert!(app.store().is_some(), "the store is back");
    assert_eq!(app.store().unwrap().catalog().len(), before);
    assert_shows(&mut app, dir.path(), "3 个问题，未写入任何数据");
    insta::assert_snapshot!(
        "transfer_problem_list_zh",
        shown(&mut app, dir.path(), 100, 26)
    );
    // enter goes back to the fields to try again; esc closes
    enter(&mut app);
    assert!(matches!(dialog(&mut app).state, State::Editing { .. }));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
}

#[test]
fn an_import_shows_its_counts_and_the_panes_show_the_new_records() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SMALL, dir.path().join("small.json")).unwrap();
    // a dry run first: valid, nothing written
    let before = app.store().unwrap().catalog().len();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "small.json");
    for _ in 0..4 {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    enter(&mut app);
    assert_shows(
        &mut app,
        dir.path(),
        "27 records valid (dry run, nothing written)",
    );
    assert_eq!(app.store().unwrap().catalog().len(), before);
    enter(&mut app);
    assert!(app.overlay.is_none());

    // the dialog reopens with the path it had
    open(&mut app, "import_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "small.json");
    enter(&mut app);
    assert_shows(
        &mut app,
        dir.path(),
        "imported: 23 created, 2 updated, 2 unchanged",
    );
    assert_eq!(app.store().unwrap().catalog().len(), before + 23);
    enter(&mut app);
    assert!(app.overlay.is_none());
    // pane 1 was rebuilt: the imported regions' items are in the tree
    press(&mut app, "expand_all");
    let s = shown(&mut app, dir.path(), 100, 40);
    let new_item = app
        .store()
        .unwrap()
        .catalog()
        .items
        .values()
        .find(|i| !fixture_records().iter().any(|r| r.code() == i.code))
        .map(|i| i.name.clone())
        .expect("an imported item");
    let start: String = new_item.chars().take(4).collect();
    assert!(s.contains(&start), "{new_item} in\n{s}");
}

#[test]
fn an_export_writes_the_file_its_extension_names() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    open(&mut app, "export_file", dir.path());
    assert_eq!(dialog(&mut app).direction, Direction::Export);
    // replace the default name with a CSV directory, English headers
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "out/");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    enter(&mut app);
    assert_shows(&mut app, dir.path(), "exported to out/ (");
    assert!(dir.path().join("out/items.csv").is_file());
    enter(&mut app);

    // an XLSX workbook by extension (the dialog reopens with the last path)
    open(&mut app, "export_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "out/");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "catalog.xlsx");
    enter(&mut app);
    assert!(dir.path().join("catalog.xlsx").is_file());
    assert_shows(&mut app, dir.path(), "exported to catalog.xlsx (1 file(s))");
}

#[test]
fn the_dialog_refuses_standard_input_and_an_open_edit_form() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "-");
    enter(&mut app);
    assert_shows(
        &mut app,
        dir.path(),
        "standard input/output (-) cannot be used here",
    );
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    press(&mut app, "select_next");
    press(&mut app, "edit");
    assert!(app.editor.is_some());
    key(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(app.overlay.is_none());
    assert_shows(
        &mut app,
        dir.path(),
        "save or close the record or form being edited first",
    );
}

#[test]
fn every_pane_draws_while_the_worker_has_the_store_and_a_signal_cancels() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    open(&mut app, "import_file", dir.path());
    let flag = Arc::new(CancelFlag::new());
    dialog(&mut app).state = State::Running {
        step: None,
        flag: Arc::clone(&flag),
        note: None,
        quit: false,
    };
    let store = app.take_store().expect("store");
    app.busy = Some("importing…".into());
    for pane in [
        "pane_elements",
        "pane_forms",
        "pane_bundles",
        "pane_stats",
        "pane_catalog",
    ] {
        let action = yibiao::tui::action::Action::parse(pane).unwrap();
        app.update(action);
        let s = shown(&mut app, dir.path(), 100, 26);
        assert!(s.contains("starting…"), "{pane}:\n{s}");
    }
    // SIGTERM: the transfer is asked to stop before quitting
    app.handle(yibiao::tui::app::AppEvent::Signal(15));
    assert!(app.quit);
    assert!(flag.is_cancelled());
    drop(store);
}

/// Writes `text` in `encoding` to `dir/sub/regions.csv`.
fn write_regions(dir: &Path, sub: &str, text: &str, encoding: Encoding) {
    std::fs::create_dir_all(dir.join(sub)).unwrap();
    let bytes = yibiao::io::csv::encode(text, encoding).expect("encodable");
    std::fs::write(dir.join(sub).join("regions.csv"), bytes).unwrap();
}

/// The encoding field's line.
fn encoding_line(app: &mut App, dir: &Path) -> String {
    let s = shown(app, dir, 100, 26);
    let line = s
        .lines()
        .find(|l| l.contains("编码") || l.contains("encoding"))
        .unwrap_or_default();
    let from = line
        .find("编码")
        .or_else(|| line.find("encoding"))
        .unwrap_or(0);
    line[from..].trim_end_matches(['│', ' ']).to_string()
}

#[test]
fn the_import_dialog_shows_the_detected_encoding_and_names_it_in_the_result() {
    let (mut app, _store) = fixture_app(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    let traditional = "code,name,parent\n510000,四川省,\n510100,四川省成都市區域,510000\n";
    let simplified = "code,name,parent\n510000,四川省,\n510100,四川省成都市,510000\n";
    write_regions(dir.path(), "big5", traditional, Encoding::Big5);
    write_regions(dir.path(), "gb", simplified, Encoding::Gb18030);
    write_regions(dir.path(), "utf8", simplified, Encoding::Utf8);
    write_regions(
        dir.path(),
        "short",
        "code,name\n510000,川\n",
        Encoding::Gb18030,
    );
    open(&mut app, "import_file", dir.path());
    assert_eq!(encoding_line(&mut app, dir.path()), "编码      自动检测");
    type_text(&mut app, "big5/regions.csv");
    assert_eq!(
        encoding_line(&mut app, dir.path()),
        "编码      自动检测（Big5）"
    );
    for (path, shown) in [
        ("gb/regions.csv", "自动检测（GB18030）"),
        ("utf8/regions.csv", "自动检测（UTF-8）"),
        ("short/regions.csv", "自动检测（GB18030？也可能是 Big5）"),
        ("big5/", "自动检测（Big5）"),
        ("nothing.csv", "自动检测"),
    ] {
        key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
        type_text(&mut app, path);
        assert_eq!(
            encoding_line(&mut app, dir.path()),
            format!("编码      {shown}"),
            "{path}"
        );
    }
    // the import names the encoding it read the file in
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "big5/regions.csv");
    enter(&mut app);
    assert_shows(
        &mut app,
        dir.path(),
        "big5/regions.csv：按 Big5 读取（自动检测）",
    );
    assert!(
        app.store()
            .unwrap()
            .catalog()
            .regions
            .values()
            .any(|r| r.name == "四川省成都市區域")
    );
}

#[test]
fn each_dialog_reopens_with_the_last_path_it_had() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SMALL, dir.path().join("small.json")).unwrap();
    // import: the path of the last import, after the dialog closed
    open(&mut app, "import_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "");
    type_text(&mut app, "small.json");
    enter(&mut app);
    assert_shows(&mut app, dir.path(), "imported: ");
    enter(&mut app);
    assert!(app.overlay.is_none());
    open(&mut app, "import_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "small.json");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    // export: its own, also when closed without exporting
    open(&mut app, "export_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "catalog.xlsx");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "out/");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    open(&mut app, "export_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "out/");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    open(&mut app, "import_file", dir.path());
    assert_eq!(dialog(&mut app).path.value(), "small.json");
    assert_shows(&mut app, dir.path(), "small.json");
}

#[test]
fn an_export_asks_before_replacing_files_and_n_keeps_them() {
    let (mut app, _store) = fixture_app(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("catalog.xlsx");
    std::fs::write(&book, "mine").unwrap();
    open(&mut app, "export_file", dir.path());
    enter(&mut app);
    assert!(matches!(dialog(&mut app).state, State::Overwrite { .. }));
    assert_shows(&mut app, dir.path(), "? catalog.xlsx exists. Overwrite it?");
    assert_shows(
        &mut app,
        dir.path(),
        "y overwrite    n / esc back to the fields",
    );
    assert_eq!(
        std::fs::read(&book).unwrap(),
        b"mine",
        "nothing written yet"
    );
    assert!(app.store().is_some(), "the store is back");
    // n: back to the fields, the file kept
    key(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(matches!(dialog(&mut app).state, State::Editing { .. }));
    assert_eq!(std::fs::read(&book).unwrap(), b"mine");
    // esc too
    enter(&mut app);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(dialog(&mut app).state, State::Editing { .. }));
    assert_eq!(std::fs::read(&book).unwrap(), b"mine");
    // y: overwritten
    enter(&mut app);
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_shows(&mut app, dir.path(), "exported to catalog.xlsx (1 file(s))");
    assert!(
        std::fs::read(&book).unwrap().starts_with(b"PK"),
        "a workbook"
    );
    enter(&mut app);

    // a CSV directory: the files it would replace are listed; new ones need no question
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/notes.txt"), "mine").unwrap();
    open(&mut app, "export_file", dir.path());
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "out/");
    enter(&mut app);
    assert_shows(&mut app, dir.path(), "exported to out/ (");
    enter(&mut app);
    open(&mut app, "export_file", dir.path());
    enter(&mut app);
    let s = shown(&mut app, dir.path(), 100, 26);
    assert!(s.contains("files exist. Overwrite them?"), "{s}");
    assert!(s.contains("14 files exist. Overwrite them?"), "{s}");
    assert!(s.contains("  out/行政区划.csv"), "{s}");
    // on a short screen the last row counts the rest
    let s = shown(&mut app, dir.path(), 100, 16);
    assert!(s.contains("  … and "), "{s}");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_shows(&mut app, dir.path(), "exported to out/ (");
    assert_eq!(
        std::fs::read(dir.path().join("out/notes.txt")).unwrap(),
        b"mine"
    );
}

#[test]
fn the_overwrite_question_in_chinese() {
    let (mut app, _store) = fixture_app(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.xlsx"), "mine").unwrap();
    open(&mut app, "export_file", dir.path());
    enter(&mut app);
    assert_shows(&mut app, dir.path(), "? catalog.xlsx 已存在。覆盖它？");
    assert_shows(&mut app, dir.path(), "y 覆盖    n / esc 返回修改");
}

/// QA round 5 §10: a CSV file whose name names no table is refused naming the dialog's
/// 类别 field, not the command line's `--kind`.
#[test]
fn an_unknown_csv_name_points_to_the_kind_field() {
    let (mut app, _store) = fixture_app(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("encb5.csv"), "code,name\n510000,四川省\n").unwrap();
    open(&mut app, "import_file", dir.path());
    type_text(&mut app, "encb5.csv");
    enter(&mut app);
    let s = shown(&mut app, dir.path(), 160, 26);
    assert!(s.contains("「类别」栏"), "{s}");
    assert!(!s.contains("--kind"), "{s}");
}
