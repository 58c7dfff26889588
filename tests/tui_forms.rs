//! Pane 3 (表单) on TestBackend, driven by action names: the form list and its filter, the
//! designer (adding fields by pinyin search, moving, required, undo/redo, save) and the
//! live preview (CJK labels, a narrowing cascade, the reason for a wrong ID number).

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::{app_with, key, press, render, screen, text, type_text};
use yibiao::i18n::Lang;
use yibiao::tui::app::{App, Confirm, Overlay};

fn sample_app() -> (App, tempfile::TempDir) {
    app_with(
        yibiao::sample::generate(1).into_records().collect(),
        Lang::Zh,
    )
}

/// Adds a field by searching the element pool for `query` in the picker.
/// A character key as the terminal sends it, with nothing bound to it looked up first.
fn raw(app: &mut App, c: char) {
    use crossterm::event::{Event, KeyEvent};
    app.handle(yibiao::tui::app::AppEvent::Term(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    ))));
}

fn add_field(app: &mut App, query: &str) {
    press(app, "form_add_field");
    type_text(app, query);
    press(app, "picker_choose");
}

/// A new form with 所在地区 and 身份证号码, found by pinyin initials (no item: `esc` in the
/// item picker `n` opens).
fn new_form(app: &mut App) {
    press(app, "pane_forms");
    press(app, "form_new");
    press(app, "back");
    add_field(app, "szdq");
    add_field(app, "sfzhm");
}

fn working_labels(app: &App) -> Vec<String> {
    let d = app.forms.designer.as_ref().expect("designer open");
    d.design
        .form()
        .fields()
        .map(|(_, _, f)| f.label.to_string())
        .collect()
}

#[test]
fn the_list_filters_and_the_designer_shows_warnings_and_sub_fields() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_forms");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("申请表 1/147"), "{s}");
    press(&mut app, "form_filter");
    type_text(&mut app, "warn");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.forms.codes.len(), 6, "{:?}", app.forms.codes);
    press(&mut app, "form_filter");
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    type_text(&mut app, "社会保障卡");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "form_open");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("社会保障卡申领登记表"), "{s}");
    assert!(s.contains("申领人信息"), "{s}");
    assert!(s.contains("证件类型"), "{s}");
    // the unpublished element is marked, and its warning shown on the form's line
    assert!(
        s.contains("!     社会保障卡邮寄地址") || s.contains("!   * 社会保障卡邮寄地址"),
        "{s}"
    );
    assert!(s.contains("尚未发布"), "{s}");
}

/// A filter that leaves fewer forms than the list was scrolled past still shows them (the
/// list showed none: its first row drawn was beyond the new end).
#[test]
fn a_filter_typed_at_the_end_of_a_long_list_shows_what_it_keeps() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_forms");
    press(&mut app, "select_last");
    assert!(app.forms.offset > 100, "{}", app.forms.offset);
    press(&mut app, "form_filter");
    type_text(&mut app, "warn");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let kept = app.forms.codes.clone();
    assert_eq!(kept.len(), 6);
    let s = screen(&mut app, 120, 36);
    assert!(kept.iter().all(|code| s.contains(code.as_str())), "{s}");
}

#[test]
fn preview_cascade_narrows_and_a_wrong_id_number_shows_the_reason() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    assert_eq!(working_labels(&app), ["所在地区", "身份证号码"]);
    // the preview starts at the selected field
    press(&mut app, "select_prev");
    press(&mut app, "form_preview");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("可选： 510000 四川省"), "{s}");
    // choose 四川省: only its cities are offered
    press(&mut app, "preview_option_next");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("四川省"), "{s}");
    // valid so far, but not a complete value: what is left is said, and no ✓ (QA)
    assert!(s.contains("… 四川省，还需选择下 2 级"), "{s}");
    assert!(!s.contains("✓ 四川省"), "{s}");
    assert!(s.contains("510100 成都市 | 510700 绵阳市"), "{s}");
    assert!(!s.contains("武侯区"), "{s}");
    // one level down: 成都市, whose counties only are offered
    press(&mut app, "preview_descend");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("四川省 / 成都市"), "{s}");
    assert!(!s.contains("广安区"), "{s}");
    // a wrong 身份证号码: the validator's reason
    press(&mut app, "preview_next");
    type_text(&mut app, "110105194912310021");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("校验位应为 X"), "{s}");
    insta::assert_snapshot!("forms_designer_zh", s.replace(&app.store_path, "[STORE]"));
}

/// QA session 8: a cascade typed by labels narrows like one chosen by codes, and a
/// 身份证号码 typed with a lower-case x is valid, the preview naming the spelling kept (X).
#[test]
fn preview_takes_a_cascade_by_labels_and_a_lower_case_x() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "select_prev");
    press(&mut app, "form_preview");
    type_text(&mut app, "四川省/广安市");
    let s = screen(&mut app, 120, 36);
    // kept as option codes, said the way the x → X respelling is
    assert!(s.contains("… 四川省 / 广安市，还需选择下 1 级"), "{s}");
    assert!(s.contains("511602 广安区"), "{s}");
    assert!(!s.contains("510104"), "{s}");
    // the last level chosen: complete, kept as option codes
    type_text(&mut app, "/广安区");
    let s = screen(&mut app, 120, 36);
    assert!(
        s.contains("✓ 四川省 / 广安市 / 广安区，规范写法 510000/511600"),
        "{s}"
    );
    press(&mut app, "preview_next");
    type_text(&mut app, "11010519491231002x");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("✓ 有效，规范写法 11010519491231002X"), "{s}");
    // at 80×24 the verdict wraps rather than losing its end, the X it is there to show
    app.resize(80, 24);
    let s = screen(&mut app, 80, 24);
    let joined: String = s
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
        .collect();
    assert!(joined.contains("11010519491231002X"), "{s}");
}

#[test]
fn move_required_undo_redo_and_save() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    add_field(&mut app, "yddh");
    assert_eq!(working_labels(&app), ["所在地区", "身份证号码", "移动电话"]);
    press(&mut app, "form_move_up");
    assert_eq!(working_labels(&app), ["所在地区", "移动电话", "身份证号码"]);
    press(&mut app, "form_required");
    press(&mut app, "form_undo");
    press(&mut app, "form_undo");
    assert_eq!(working_labels(&app), ["所在地区", "身份证号码", "移动电话"]);
    press(&mut app, "form_redo");
    press(&mut app, "form_redo");
    let d = app.forms.designer.as_ref().unwrap();
    assert!(d.design.form().sections[0].fields[1].required);
    press(&mut app, "form_save");
    assert_eq!(app.message.as_ref().unwrap().text, "已保存");
    let code = app
        .forms
        .designer
        .as_ref()
        .unwrap()
        .design
        .form()
        .code
        .clone();
    let stored = &app.store().unwrap().catalog().forms[&code];
    let labels: Vec<_> = stored.fields().map(|(_, _, f)| f.label.as_str()).collect();
    assert_eq!(labels, ["所在地区", "移动电话", "身份证号码"]);
    assert!(stored.sections[0].fields[1].required);
    // a tiny terminal and back
    screen(&mut app, 1, 1);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("移动电话"), "{s}");
}

#[test]
fn english_labels_and_the_condition_chooser() {
    let (mut app, _dir) = app_with(
        yibiao::sample::generate(1).into_records().collect(),
        Lang::En,
    );
    press(&mut app, "pane_forms");
    press(&mut app, "form_filter");
    type_text(&mut app, "户外招牌");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "form_open");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    press(&mut app, "form_condition");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("signboard=yes"), "{s}");
    press(&mut app, "form_required");
    press(&mut app, "form_open");
    let d = app.forms.designer.as_ref().unwrap();
    let when = d.design.form().sections[0].fields[0].when.clone().unwrap();
    assert!(!when.is_empty());
    assert!(d.design.is_dirty());
}

#[test]
fn quitting_from_another_pane_with_an_unsaved_design_asks_first() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    assert!(designer_dirty(&app));
    press(&mut app, "pane_catalog");
    press(&mut app, "quit");
    assert!(!app.quit, "the unsaved design must not be dropped silently");
    assert_eq!(
        app.pane,
        yibiao::tui::app::Pane::Forms,
        "the design is shown"
    );
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("未保存"), "{s}");
    // asked once: quitting again discards it
    press(&mut app, "quit");
    assert!(app.quit);
}

fn designer_dirty(app: &App) -> bool {
    app.forms
        .designer
        .as_ref()
        .is_some_and(|d| d.design.is_dirty())
}

#[test]
fn an_esc_warning_does_not_let_a_later_quit_discard_the_design() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "back");
    assert!(designer_dirty(&app), "one esc only warns");
    press(&mut app, "pane_catalog");
    press(&mut app, "quit");
    assert!(!app.quit, "the esc warning must not arm quit");
    assert!(designer_dirty(&app));
    assert!(app.message.as_ref().unwrap().text.contains("退出"));
}

#[test]
fn a_quit_warning_does_not_let_a_later_esc_discard_the_design() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "pane_catalog");
    press(&mut app, "quit");
    assert!(!app.quit);
    press(&mut app, "pane_forms");
    press(&mut app, "back");
    assert!(designer_dirty(&app), "the quit warning must not arm esc");
    // two presses of esc in a row discard and close
    press(&mut app, "back");
    assert!(app.forms.designer.is_none());
}

#[test]
fn any_other_key_between_two_warnings_disarms_them() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "back");
    press(&mut app, "select_prev");
    press(&mut app, "back");
    assert!(designer_dirty(&app), "esc, k, esc must not discard");
    press(&mut app, "quit");
    press(&mut app, "select_prev");
    press(&mut app, "quit");
    assert!(!app.quit, "q, k, q must not discard");
    // the same key twice in a row goes ahead
    press(&mut app, "quit");
    assert!(app.quit, "q, q quits");
}

#[test]
fn quitting_from_the_preview_asks_about_an_unsaved_design() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "form_preview");
    key(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(
        !app.quit,
        "the unsaved design must not be dropped from the preview"
    );
    assert!(designer_dirty(&app));
}

#[test]
fn a_long_warning_wraps_in_the_designer_and_says_why() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    // the cursor is on 身份证号码, the field just added: give it a long label
    press(&mut app, "form_label");
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(
        &mut app,
        "申请人身份证号码（一个非常非常非常长的标签名称用来测试截断的情况）",
    );
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let labels = working_labels(&app);
    assert!(labels[1].ends_with("截断的情况）"), "{labels:?}");
    let s = screen(&mut app, 120, 40);
    // the reason comes after the label, on a line of its own (report #10)
    assert!(s.contains("与数据元名称「"), "{s}");
    assert!(s.contains("」不同"), "{s}");
    // a narrow, short terminal caps the box and says there is more
    let s = screen(&mut app, 40, 16);
    assert!(s.contains("… 还有 2 行"), "{s}");
    assert!(s.contains("新申"), "the fields stay in sight: {s}");
}

fn working_item(app: &App) -> Option<String> {
    let d = app.forms.designer.as_ref().expect("designer open");
    d.design.form().item.as_ref().map(ToString::to_string)
}

#[test]
fn a_new_form_asks_for_its_item_and_the_designer_shows_and_changes_it() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_forms");
    // `n` asks for the item first, in the item picker (pinyin initials)
    press(&mut app, "form_new");
    assert!(app.forms.designer.is_none());
    type_text(&mut app, "spjyxkz");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("新表单：选择所属事项"), "{s}");
    assert!(s.contains("食品经营许可证核发"), "{s}");
    press(&mut app, "picker_choose");
    let item = working_item(&app).expect("the chosen item");
    let catalog = app.store().unwrap().catalog();
    let name = catalog.items[item.as_str()].name.to_string();
    assert!(name.contains("食品经营许可"), "{name}");
    // the designer names the item (name and code) on its own line
    let s = screen(&mut app, 140, 36);
    assert!(s.contains(&format!("所属事项 {name} {item}")), "{s}");
    // `I` changes it through the same picker; undo brings the first one back
    press(&mut app, "form_item");
    type_text(&mut app, "ggcswsxk");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("表单所属事项"), "{s}");
    press(&mut app, "picker_choose");
    let other = working_item(&app).expect("the new item");
    assert_ne!(other, item);
    press(&mut app, "form_undo");
    assert_eq!(working_item(&app).as_deref(), Some(item.as_str()));
    press(&mut app, "form_redo");
    // saved with the form
    add_field(&mut app, "sfzhm");
    press(&mut app, "form_save");
    let code = app
        .forms
        .designer
        .as_ref()
        .unwrap()
        .design
        .form()
        .code
        .clone();
    let stored = &app.store().unwrap().catalog().forms[&code];
    assert_eq!(stored.item.as_deref(), Some(other.as_str()));
    // `esc` in the picker of `I` leaves the item as it is
    press(&mut app, "form_item");
    press(&mut app, "back");
    assert_eq!(working_item(&app).as_deref(), Some(other.as_str()));
    assert!(app.forms.item_picker.is_none());
}

#[test]
fn esc_in_the_item_picker_starts_a_form_without_an_item_and_says_how_to_set_one() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_forms");
    press(&mut app, "form_new");
    press(&mut app, "back");
    assert_eq!(working_item(&app), None);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains(" 所属事项 （无）  I 选择事项"), "{s}");
    // the new code follows the highest form code, not the count
    let code = app
        .forms
        .designer
        .as_ref()
        .unwrap()
        .design
        .form()
        .code
        .clone();
    let highest = app
        .store()
        .unwrap()
        .catalog()
        .forms
        .keys()
        .last()
        .cloned()
        .unwrap();
    assert!(code.as_str() > highest.as_str(), "{code} after {highest}");
}

#[test]
fn pane_1_starts_a_form_for_the_selected_item() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_catalog");
    let item = match app.selected_id() {
        Some(yibiao::tui::tree::NodeId::Record(yibiao::model::Kind::Item, code)) => code,
        other => panic!("an item is selected first: {other:?}"),
    };
    press(&mut app, "form_for_item");
    assert_eq!(app.pane, yibiao::tui::app::Pane::Forms);
    assert_eq!(working_item(&app).as_deref(), Some(item.as_str()));
    let name = app.store().unwrap().catalog().items[item.as_str()]
        .name
        .to_string();
    let s = screen(&mut app, 140, 36);
    assert!(s.contains(&format!("所属事项 {name} {item}")), "{s}");
}

/// The display column where the level column starts on each result row of an item picker.
fn level_columns(s: &str) -> Vec<usize> {
    s.lines()
        .filter_map(|line| {
            ["实施清单", "办理项", "子项", "主项"]
                .iter()
                .filter_map(|level| line.find(level))
                .min()
                .map(|at| yibiao::display::width(&line[..at]))
        })
        .collect()
}

#[test]
fn item_picker_columns_stay_put_when_one_name_is_long() {
    let mut catalog = yibiao::sample::generate(1);
    let mut long = catalog.items.values().next().cloned().expect("items");
    long.code = "ZZ-LONG".into();
    long.name = format!("食品经营许可证核发{}", "特别长的名称".repeat(8)).into();
    catalog.insert(yibiao::model::Record::Item(long));
    let (mut app, _dir) = app_with(catalog.into_records().collect(), Lang::Zh);
    press(&mut app, "pane_forms");
    press(&mut app, "form_new");
    type_text(&mut app, "ggcswsxk");
    let short = level_columns(&screen(&mut app, 120, 36));
    for _ in 0..8 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "zz-long");
    let s = screen(&mut app, 120, 36);
    assert!(
        s.contains("食品经营许可证核发特别长") && s.contains("长… "),
        "the long name is cut: {s}"
    );
    let with_long = level_columns(&s);
    assert!(!short.is_empty() && !with_long.is_empty(), "{s}");
    let mut all = short.clone();
    all.extend(&with_long);
    all.dedup();
    assert_eq!(all.len(), 1, "{short:?} {with_long:?}\n{s}");
}

#[test]
fn the_label_prompt_names_what_it_edits() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "select_first");
    press(&mut app, "form_label");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("┌ 表单名称 "), "{s}");
    assert!(!s.contains("字段标签"), "{s}");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, "select_next");
    press(&mut app, "form_label");
    assert!(screen(&mut app, 120, 36).contains("┌ 分节标题 "));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, "select_next");
    press(&mut app, "form_label");
    assert!(screen(&mut app, 120, 36).contains("┌ 字段标签（留空 = 数据元名称） "));
}

#[test]
fn the_mark_column_shows_every_mark_that_applies() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_forms");
    press(&mut app, "form_filter");
    type_text(&mut app, "户外招牌");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "form_open");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    // an unbound field with a condition (and a lint warning: it is unbound)
    press(&mut app, "form_add_unbound");
    type_text(&mut app, "招牌备注");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "form_condition");
    press(&mut app, "form_required");
    press(&mut app, "form_open");
    let s = screen(&mut app, 120, 36);
    let marks_of = |label: &str| -> String {
        let line = s
            .lines()
            .find(|l| {
                l.split("││")
                    .next()
                    .is_some_and(|left| left.contains(label))
            })
            .unwrap_or_else(|| panic!("{label}: {s}"));
        line.chars().skip(1).take(3).collect()
    };
    // unbound and conditional: both marks
    assert_eq!(marks_of("招牌备注"), " ~?", "{s}");
    // a lint warning no longer hides the unbound mark
    assert_eq!(marks_of("手机号码"), "!~ ", "{s}");
}

#[test]
fn the_preview_gives_a_long_label_the_width_it_has() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    press(&mut app, "form_label");
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    let long = "很长的名称甲乙丙丁戊己庚辛壬癸";
    type_text(&mut app, long);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&mut app, 120, 36);
    let preview: Vec<&str> = s.lines().filter_map(|l| l.split("││").nth(1)).collect();
    assert!(preview.iter().any(|l| l.contains(long)), "{s}");
}

/// Opens the sample's 户外招牌设施设置申请表 (BD000055: 移动电话 bound in f05, an unbound
/// 手机号码 in f13) and selects the field `key`.
fn open_signboard_at(app: &mut App, field: &str) {
    press(app, "pane_forms");
    press(app, "form_filter");
    type_text(app, "户外招牌");
    key(app, KeyCode::Enter, KeyModifiers::NONE);
    press(app, "form_open");
    for _ in 0..40 {
        let d = app.forms.designer.as_ref().expect("designer open");
        if d.pos()
            .and_then(|p| d.design.field(p))
            .is_some_and(|f| f.key == field)
        {
            return;
        }
        press(app, "select_next");
    }
    panic!("no field {field}");
}

fn picker_query(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Picker(p)) => p.search.input.value().to_string(),
        _ => panic!("the picker is not open"),
    }
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn element_of(app: &App, field: &str) -> Option<String> {
    let d = app.forms.designer.as_ref().expect("designer open");
    d.design
        .form()
        .fields()
        .find(|(_, _, f)| f.key == field)
        .and_then(|(_, _, f)| f.element.as_ref().map(ToString::to_string))
}

/// QA session 8: `b` on BD000055/f13 手机号码 pre-filled DE000006 (移动电话), which f05 of
/// the same form binds: accepting it bound one element twice. Now nothing is pre-filled and
/// the status bar says why; choosing DE000006 anyway asks first, `n` leaves the field
/// unbound, `y` binds it (and lint then says 重复绑定).
#[test]
fn the_bind_picker_passes_over_an_element_the_form_binds_and_binding_it_anyway_asks() {
    let (mut app, _dir) = sample_app();
    open_signboard_at(&mut app, "f13");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("疑似与「移动电话」(f05) 重复"), "{s}");
    press(&mut app, "form_bind");
    assert_eq!(picker_query(&app), "", "nothing pre-filled");
    assert_eq!(
        message(&app),
        "未预填：「手机号码」疑似与本表的「移动电话」(f05) 重复，它已绑定 DE000006"
    );
    type_text(&mut app, "DE000006");
    press(&mut app, "picker_choose");
    assert!(matches!(
        app.overlay,
        Some(Overlay::Confirm(Confirm::BindTwice(_)))
    ));
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("重复绑定？"), "{s}");
    assert!(s.contains("(f05) 已绑定数据元 DE000006"), "{s}");
    assert!(s.contains("y 仍然绑定"), "{s}");
    key(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert_eq!(element_of(&app, "f13"), None, "n leaves the field unbound");
    // asked again, `y` binds anyway
    press(&mut app, "form_bind");
    type_text(&mut app, "DE000006");
    press(&mut app, "picker_choose");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_eq!(element_of(&app, "f13").as_deref(), Some("DE000006"));
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("绑定同一数据元 DE000006"), "{s}");
}

#[test]
fn adding_a_field_for_an_element_the_form_binds_asks_first_and_other_fields_do_not() {
    let (mut app, _dir) = sample_app();
    open_signboard_at(&mut app, "f05");
    let before = working_labels(&app).len();
    // f05 rebinds to its own element without a question, pre-filled
    press(&mut app, "form_bind");
    assert_eq!(picker_query(&app), "DE000006");
    press(&mut app, "picker_choose");
    assert!(app.overlay.is_none());
    assert_eq!(element_of(&app, "f05").as_deref(), Some("DE000006"));
    // a new field for DE000006 asks (in English too)
    app.lang = Lang::En;
    press(&mut app, "form_add_field");
    type_text(&mut app, "DE000006");
    press(&mut app, "picker_choose");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Bind twice?"), "{s}");
    assert!(s.contains("Adding another field for it"), "{s}");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(working_labels(&app).len(), before, "esc adds nothing");
    // a field for an element the form does not bind is added at once
    add_field(&mut app, "DE000001");
    assert!(app.overlay.is_none());
    assert_eq!(working_labels(&app).len(), before + 1);
}

/// The designer's warnings box counted the lines it cut but could not show them: at 80×24
/// `shift-down` / `}` scroll it to the last warning and `shift-up` / `{` back, and its bottom
/// border says so.
#[test]
fn the_warnings_box_scrolls_to_every_warning_at_80x24() {
    let (mut app, _dir) = sample_app();
    new_form(&mut app);
    // ten empty sections: ten warnings, all shown on the form's line
    for i in 1..=10 {
        press(&mut app, "form_add_section");
        type_text(&mut app, &format!("空节{i:02}"));
        key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    }
    press(&mut app, "select_first");
    let warnings = app.forms.designer.as_ref().unwrap().warnings.len();
    assert!(warnings >= 10, "{warnings}");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("还有"), "the last row counts what is below: {s}");
    assert!(s.contains("shift-up/shift-down 滚动"), "{s}");
    assert!(!s.contains("「空节01」"), "{s}");
    for _ in 0..warnings {
        press(&mut app, "form_warnings_down");
    }
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("「空节01」没有字段"), "the last warning: {s}");
    assert!(!s.contains("还有"), "{s}");
    assert!(s.contains("↑"), "the border counts the lines above: {s}");
    // back up with `{`, the other key
    for _ in 0..warnings {
        key(&mut app, KeyCode::Char('{'), KeyModifiers::NONE);
    }
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("「空节01」"), "{s}");
    assert!(s.contains("还有"), "{s}");
    // `}` scrolls down as well
    key(&mut app, KeyCode::Char('}'), KeyModifiers::NONE);
    let d = app.forms.designer.as_ref().unwrap();
    assert_eq!(d.warn_scroll.offset("Header"), 1);
}

/// The list's lint warnings are computed on a worker, once per change of the catalog: at a
/// million elements linting every form took 2.4 s, and it ran on the UI thread for every key
/// typed into the filter. The list is usable meanwhile and says its warnings are coming.
#[test]
fn the_list_lints_on_a_worker_once_per_change_not_per_filter_key() {
    use std::time::Duration;
    let (mut app, _dir) = sample_app();
    raw(&mut app, '3');
    assert_eq!(app.jobs_running(), 1, "the lint runs on a worker");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("检查警告中"), "{s}");
    assert!(
        s.contains("申请表 1/147"),
        "the list is there meanwhile: {s}"
    );
    app.settle(Duration::from_secs(10));
    let s = screen(&mut app, 120, 36);
    assert!(!s.contains("检查警告中"), "{s}");
    assert_eq!(app.forms.warned.len(), 6, "{:?}", app.forms.warned);
    // filtering, by text or by warnings, starts no lint (the first Latin letter starts the
    // pinyin index of the forms' names, once)
    press(&mut app, "form_filter");
    for c in "warn".chars() {
        raw(&mut app, c);
        assert!(!app.forms.linting);
        assert!(app.jobs_running() <= 1);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    app.settle(Duration::from_secs(10));
    assert_eq!(app.forms.codes.len(), 6);
    // a saved form changes the catalog: back in the list, one lint follows it
    press(&mut app, "back");
    new_form(&mut app);
    press(&mut app, "form_save");
    press(&mut app, "back");
    assert!(app.forms.designer.is_none());
    let catalog = app.store().unwrap().catalog();
    assert_eq!(catalog.forms.len(), 148);
    assert!(
        app.forms.lint_current(catalog),
        "{:?} {} {}",
        app.forms.warned_at,
        catalog.revision(),
        app.forms.linting
    );
    assert_eq!(app.jobs_running(), 0);
}

/// A filter word in Latin letters finds forms by the pinyin of their names (`spjy` finds
/// 食品经营许可申请书), by an index built on a worker the first time one is typed; the title
/// says so meanwhile, and the list fills when it comes. Later keys build nothing.
#[test]
fn the_filter_finds_forms_by_pinyin_once_its_index_is_built() {
    use std::time::Duration;
    let (mut app, _dir) = sample_app();
    raw(&mut app, '3');
    app.settle(Duration::from_secs(10));
    let food: Vec<String> = {
        let catalog = app.store().unwrap().catalog();
        catalog
            .forms
            .values()
            .filter(|f| f.name.contains("食品经营"))
            .map(|f| f.code.to_string())
            .collect()
    };
    assert!(!food.is_empty());
    press(&mut app, "form_filter");
    raw(&mut app, 's');
    assert_eq!(app.jobs_running(), 1, "the index builds on a worker");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("拼音索引中"), "{s}");
    for c in "pjy".chars() {
        raw(&mut app, c);
    }
    assert_eq!(app.jobs_running(), 1, "one build, not one per key");
    app.settle(Duration::from_secs(10));
    assert_eq!(app.forms.codes, food);
    let s = screen(&mut app, 120, 36);
    assert!(!s.contains("拼音索引中"), "{s}");
    assert!(s.contains("食品经营许可申请书"), "{s}");
    // a word more narrows by pinyin too, and builds nothing
    raw(&mut app, ' ');
    for c in "sqs".chars() {
        raw(&mut app, c);
        assert_eq!(app.jobs_running(), 0);
    }
    // a word found as text is highlighted in the code and the name, a pinyin match is not
    for c in " bd 申请".chars() {
        raw(&mut app, c);
    }
    let terminal = render(&mut app, 120, 36);
    let buffer = terminal.backend().buffer();
    let hit = app.config.theme.get(yibiao::tui::theme::Slot::Match);
    let styled = |y: u16, symbol: &str| {
        (0..120u16)
            .filter(|x| buffer[(*x, y)].symbol() == symbol)
            .map(|x| buffer[(x, y)].bg == hit.bg.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let row = (0..36u16)
        .find(|y| {
            text(buffer)
                .lines()
                .nth(*y as usize)
                .is_some_and(|l| l.contains("食品经营许可申请书"))
        })
        .expect("a food form is listed");
    assert_eq!(styled(row, "B"), [true], "{}", text(buffer));
    assert_eq!(styled(row, "申"), [true]);
    assert_eq!(styled(row, "请"), [true]);
    assert!(styled(row, "食").iter().all(|s| !s), "held in pinyin only");
    let catalog = app.store().unwrap().catalog();
    assert!(!app.forms.codes.is_empty());
    assert!(
        app.forms
            .codes
            .iter()
            .all(|c| catalog.forms[c.as_str()].name.contains("申请书")),
        "{:?}",
        app.forms.codes
    );
}
