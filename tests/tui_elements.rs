//! Pane 2 (数据元) and the element picker on TestBackend, driven by action names through the
//! default keymap, on the generated sample (624 elements; DE000005 身份证号码 has 14 uses).

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::display::width;
use yibiao::i18n::Lang;
use yibiao::model::{Catalog, Element, ElementKind, Field, Kind, Record, Share, Status};
use yibiao::tui::app::{App, Overlay, Pane};
use yibiao::tui::panes::elements::Focus;
use yibiao::tui::tree::NodeId;

fn sample() -> Catalog {
    yibiao::sample::generate(1)
}

fn element(code: &str, name: &str, kind: ElementKind) -> Element {
    Element {
        code: code.into(),
        name: name.into(),
        synonyms: Default::default(),
        kind,
        definition: Default::default(),
        pattern: None,
        options: vec![].into(),
        parent: None,
        unit: None,
        source_agency: None,
        share: Share::Open,
        security_level: 1,
        status: Status::Draft,
        version: 0,
    }
}

fn sample_app() -> (App, tempfile::TempDir) {
    app_with(sample().into_records().collect(), Lang::Zh)
}

/// In a window too narrow for the uses beside the results, the uses list is drawn where the
/// results were: every Chinese character of its rows stays whole on a terminal (a wide
/// character over a leftover of the results was blanked: `个体工  户登…`, ` D 0 BD000006`).
#[test]
fn uses_drawn_where_the_results_were_keep_every_chinese_character() {
    for lang in [Lang::Zh, Lang::En] {
        let (mut app, _dir) = app_with(sample().into_records().collect(), lang);
        app.resize(40, 10);
        search(&mut app, "sfz");
        press(&mut app, "element_open");
        assert_eq!(app.elements.focus, Focus::Uses);
        let (tag, note) = lang.pick(("字段 BD", "必填"), ("field  BD", "requir"));
        for _ in 0..2 {
            let s = screen(&mut app, 40, 10);
            let rows: Vec<&str> = s.lines().filter(|l| l.contains("BD0000")).collect();
            assert!(rows.len() >= 3, "{s}");
            for row in rows {
                for whole in [tag, "个体工商户登", note] {
                    assert!(row.contains(whole), "{whole}: {s}");
                }
            }
            press(&mut app, "select_next");
        }
    }
}

/// Opens pane 2 and searches for `query` (Enter leaves the query line).
fn search(app: &mut App, query: &str) {
    press(app, "pane_elements");
    press(app, "element_search");
    type_text(app, query);
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

fn store_catalog(app: &App) -> &Catalog {
    app.store().expect("store").catalog()
}

#[test]
fn pinyin_initials_find_the_id_number_first_with_synonyms_and_uses() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "sfzhm");
    assert!(!app.elements.typing);
    let first = app.elements.search.hits.first().expect("hits");
    assert_eq!((first.code.as_str(), first.uses), ("DE000005", 14));
    let screen = screen(&mut app, 100, 30);
    let row = screen
        .lines()
        .find(|l| l.contains("DE0000"))
        .expect("a result row");
    assert!(
        row.contains("DE000005") && row.contains("身份证号码"),
        "{screen}"
    );
    assert!(row.contains("14") && row.contains("已发布"), "{row}");
    assert!(screen.contains("公民身份号码、证件号码"), "{screen}");
    assert!(screen.contains("字段 14"), "{screen}");
    assert!(
        screen.contains("11010519491231002X"),
        "the example: {screen}"
    );
    assert!(screen.contains("BD000006"), "a use: {screen}");
}

#[test]
fn pane_two_snapshot_with_cjk_rows() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "sfzhm");
    let screen = screen(&mut app, 100, 30);
    for line in screen.lines() {
        assert!(width(line) <= 100, "too wide: {line}");
    }
    insta::assert_snapshot!("elements_zh", screen.replace(&app.store_path, "[STORE]"));
}

#[test]
fn a_bad_filter_is_shown_inline_and_filters_narrow() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "kind:idcard");
    // the Chinese UI says it in Chinese (report #5)
    let shown = screen(&mut app, 100, 30);
    assert!(shown.contains("未知的类型 \"idcard\""), "{shown}");
    assert!(!shown.contains("unknown kind"), "{shown}");
    // the list is not shown as if the refused filter applied
    assert!(app.elements.search.hits.is_empty());
    assert!(!shown.contains("DE0000"), "{shown}");
    press(&mut app, "back"); // clears the query
    assert_eq!(app.elements.search.query(), "");
    // the first 200 of the 624 elements (nothing was selected to keep in view)
    assert_eq!(app.elements.search.hits.len(), 200);
    press(&mut app, "element_search");
    type_text(&mut app, "kind:cn_id 号码");
    assert!(!app.elements.search.hits.is_empty());
    let catalog = store_catalog(&app);
    assert!(
        app.elements
            .search
            .hits
            .iter()
            .all(|h| catalog.elements[h.code.as_str()].kind == ElementKind::CnId)
    );
    // the Chinese kind names the list shows, and English spellings
    for (query, kind) in [
        ("kind:下拉框", ElementKind::Dropdown),
        ("kind:Linked-Dropdown", ElementKind::LinkedDropdown),
    ] {
        // esc leaves the query line, then clears the query
        key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        press(&mut app, "back");
        assert_eq!(app.elements.search.query(), "");
        search(&mut app, query);
        let hits = &app.elements.search.hits;
        assert!(
            app.elements.search.error.is_none() && !hits.is_empty(),
            "{query}"
        );
        let catalog = store_catalog(&app);
        assert!(
            hits.iter()
                .all(|h| catalog.elements[h.code.as_str()].kind == kind),
            "{query}"
        );
    }
}

#[test]
fn enter_on_a_use_jumps_to_the_item_in_pane_one() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "sfzhm");
    press(&mut app, "element_open");
    assert_eq!(app.elements.focus, Focus::Uses);
    press(&mut app, "select_next");
    assert_eq!(app.elements.use_selected, 1);
    let form = yibiao::engine::usage::usage(store_catalog(&app), "DE000005").fields[1]
        .form
        .clone();
    let item = store_catalog(&app).forms[form.as_str()]
        .item
        .as_deref()
        .map(str::to_string)
        .expect("the form's item");
    press(&mut app, "element_open");
    assert_eq!(app.pane, Pane::Catalog);
    assert_eq!(app.selected_id(), Some(NodeId::Record(Kind::Item, item)));
    // back in pane 2 the search is as it was
    press(&mut app, "pane_elements");
    assert_eq!(app.elements.search.hits[0].code, "DE000005");
    press(&mut app, "back");
    assert_eq!(app.elements.focus, Focus::Results);
}

#[test]
fn duplicates_view_lists_a_planted_pair_and_a_confirmed_merge_repoints_fields() {
    let mut catalog = sample();
    let mut twin = element("DE999001", "身份证 号码", ElementKind::CnId);
    twin.synonyms = vec!["身份号".into()].into();
    catalog.insert(Record::Element(twin));
    let form_code = catalog.forms.keys().next().expect("a form").clone();
    let mut form = catalog.forms[&form_code].clone();
    form.sections[0].fields.push(Field {
        key: "twin".into(),
        label: "身份证号".into(),
        element: Some("DE999001".into()),
        required: true,
        help: None,
        when: None,
    });
    catalog.insert(Record::Form(form));
    let (mut app, _dir) = app_with(catalog.into_records().collect(), Lang::Zh);
    press(&mut app, "pane_elements");
    press(&mut app, "element_dups");
    let pairs = app
        .elements
        .dups
        .as_ref()
        .and_then(|d| d.pairs.clone())
        .expect("pairs");
    let at = pairs
        .iter()
        .position(|p| p.keep == "DE000005" && p.merge == "DE999001")
        .expect("the planted pair");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    let screen = screen(&mut app, 100, 30);
    assert!(screen.contains("疑似重复"), "{screen}");
    assert!(screen.contains("名称相同"), "{screen}");
    // swap twice: the keep side goes back
    press(&mut app, "element_swap");
    press(&mut app, "element_swap");
    press(&mut app, "element_merge");
    assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
    let dialog = screen_of(&mut app);
    assert!(dialog.contains("确认合并数据元"), "{dialog}");
    assert!(
        matches!(
            app.overlay,
            Some(Overlay::Confirm(yibiao::tui::app::Confirm::MergeElements {
                fields: 1,
                children: 0,
                ..
            }))
        ),
        "{dialog}"
    );
    type_text(&mut app, "y");
    let catalog = store_catalog(&app);
    assert!(!catalog.elements.contains_key("DE999001"));
    let field = catalog.forms[&form_code].sections[0]
        .fields
        .iter()
        .find(|f| f.key == "twin")
        .expect("the field");
    assert_eq!(field.element.as_deref(), Some("DE000005"));
    assert!(
        catalog.elements["DE000005"]
            .synonyms
            .contains(&"DE999001".into())
    );
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("已合并")),
        "{:?}",
        app.message
    );
    // the view and the index refreshed
    let pairs = app.elements.dups.as_ref().and_then(|d| d.pairs.clone());
    assert!(
        pairs.is_some_and(|p| !p.iter().any(|p| p.merge == "DE999001")),
        "the merged pair is gone"
    );
    press(&mut app, "back");
    let kept = app.elements.search.selected_hit().expect("selected");
    assert_eq!(
        (kept.code.as_str(), kept.uses),
        ("DE000005", 15),
        "the kept element is selected with 15 uses"
    );
}

fn screen_of(app: &mut App) -> String {
    screen(app, 100, 30)
}

#[test]
fn the_picker_returns_a_code_to_the_editor() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_elements");
    press(&mut app, "element_add");
    assert!(app.editor.is_some());
    type_text(&mut app, "住所证明编号");
    // outside the parent field the picker explains where it applies
    press(&mut app, "pick_element");
    assert!(app.overlay.is_none());
    while app
        .editor
        .as_ref()
        .is_some_and(|e| e.fields[e.focus].spec.key != "parent")
    {
        press(&mut app, "next_field");
    }
    press(&mut app, "pick_element");
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    type_text(&mut app, "sfzhm");
    let screen = screen_of(&mut app);
    assert!(screen.contains("选择上级数据元"), "{screen}");
    assert!(screen.contains("被 14 个字段使用"), "{screen}");
    press(&mut app, "picker_next");
    press(&mut app, "picker_prev");
    press(&mut app, "picker_choose");
    assert!(app.overlay.is_none());
    let editor = app.editor.as_ref().expect("editor");
    assert_eq!(editor.values()["parent"], "DE000005");
    press(&mut app, "save");
    let code = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(code.contains("已保存"), "{code}");
    let added = store_catalog(&app)
        .elements
        .values()
        .find(|e| e.name == "住所证明编号")
        .expect("saved");
    assert_eq!(added.parent.as_deref(), Some("DE000005"));
    // the index was rebuilt and the new element is selected
    assert_eq!(
        app.elements.search.selected_hit().map(|h| h.code.clone()),
        Some(added.code.to_string())
    );
}

#[test]
fn merge_into_a_picked_element_and_esc_cancels_the_picker() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "DE000024");
    press(&mut app, "element_merge");
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    press(&mut app, "back");
    assert!(app.overlay.is_none());
    press(&mut app, "element_merge");
    type_text(&mut app, "DE000024");
    press(&mut app, "picker_choose");
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("不能并入自身")),
        "{:?}",
        app.message
    );
}

#[test]
fn a_merge_into_an_element_of_another_kind_is_refused_with_both_kinds_named() {
    let (mut app, _dir) = sample_app();
    // 台湾居民身份证号码 (tw_id) into 身份证号码 (cn_id)
    search(&mut app, "DE000024");
    press(&mut app, "element_merge");
    type_text(&mut app, "DE000005");
    press(&mut app, "picker_choose");
    assert!(app.overlay.is_none(), "no confirmation is offered");
    let message = app.message.as_ref().map(|m| m.text.clone());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("DE000024（台湾身份证）并入 DE000005（身份证号码）")),
        "{message:?}"
    );
    assert!(store_catalog(&app).elements.contains_key("DE000024"));
}

#[test]
fn edit_and_workflow_of_an_element() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "DE000024");
    press(&mut app, "element_edit");
    let editor = app.editor.as_ref().expect("editor");
    assert_eq!(editor.fields[editor.focus].spec.key, "name");
    // the kind is chosen, not typed: the pinyin initials of 台湾身份证 find it
    press(&mut app, "next_field");
    press(&mut app, "next_field");
    let editor = app.editor.as_ref().expect("editor");
    assert_eq!(editor.fields[editor.focus].spec.key, "kind");
    type_text(&mut app, "twsf");
    assert!(screen_of(&mut app).contains("< 台湾身份证 tw_id >"));
    // → is the next kind, ← comes back
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert!(screen_of(&mut app).contains("passport_foreign"));
    key(&mut app, KeyCode::Left, KeyModifiers::NONE);
    assert!(screen_of(&mut app).contains("< 台湾身份证 tw_id >"));
    press(&mut app, "prev_field");
    type_text(&mut app, "; 台胞证号");
    press(&mut app, "save");
    assert!(app.editor.is_none(), "{:?}", app.message);
    let e = &store_catalog(&app).elements["DE000024"];
    assert_eq!(e.kind.as_str(), "tw_id", "the chosen kind was saved");
    assert!(
        e.synonyms.iter().any(|s| s == "台胞证号"),
        "{:?}",
        e.synonyms
    );
    let status = e.status;
    press(&mut app, "element_submit");
    let e = &store_catalog(&app).elements["DE000024"];
    assert_eq!(
        e.status,
        Status::Submitted,
        "from {status:?}: {:?}",
        app.message
    );
    press(&mut app, "element_publish");
    assert_eq!(
        store_catalog(&app).elements["DE000024"].status,
        Status::Published
    );
    press(&mut app, "element_history");
    assert!(screen_of(&mut app).contains(" 发布 "));
}

#[test]
fn resizing_to_1x1_and_back_with_pane_two_open_never_panics() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "sfzhm");
    let sizes: Vec<(u16, u16)> = [(100, 30), (1, 1), (2, 2), (30, 8), (71, 20), (1, 60)]
        .into_iter()
        .chain([(200, 1), (100, 30)])
        .collect();
    for setup in ["results", "uses", "dups", "picker", "typing"] {
        match setup {
            "uses" => press(&mut app, "element_open"),
            "dups" => {
                press(&mut app, "back");
                press(&mut app, "element_dups");
            }
            "picker" => {
                press(&mut app, "back");
                press(&mut app, "element_merge");
            }
            "typing" => {
                press(&mut app, "back");
                press(&mut app, "element_search");
            }
            _ => {}
        }
        for &(w, h) in &sizes {
            let _ = render(&mut app, w, h);
        }
    }
    let screen = screen_of(&mut app);
    assert!(screen.contains("身份证号码"), "{screen}");
}

#[test]
fn hostile_element_names_are_drawn_inert() {
    let mut bad = element("DE1", "坏名\u{1b}[2J\u{7}", ElementKind::Text);
    bad.synonyms = vec!["\u{202E}反向".into()].into();
    bad.definition = "第一行\u{1b}[31m".into();
    let records = vec![
        Record::Element(bad),
        Record::Element(element("DE2", "\u{9b}31m正常", ElementKind::Text)),
    ];
    let (mut app, _dir) = app_with(records, Lang::Zh);
    press(&mut app, "pane_elements");
    for size in [(100, 30), (40, 10)] {
        let terminal = render(&mut app, size.0, size.1);
        for cell in terminal.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(yibiao::display::is_hostile),
                "raw {:?}",
                cell.symbol()
            );
        }
    }
    let screen = screen_of(&mut app);
    assert!(screen.contains("坏名␛[2J␇"), "{screen}");
    assert!(screen.contains("<U+202E>反向"), "{screen}");
    press(&mut app, "element_merge");
    let terminal = render(&mut app, 100, 30);
    for cell in terminal.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(yibiao::display::is_hostile));
    }
}

#[test]
fn english_pane_two_keeps_domain_terms_and_fits() {
    let (mut app, _dir) = app_with(sample().into_records().collect(), Lang::En);
    search(&mut app, "sfzhm");
    press(&mut app, "element_open");
    let screen = screen_of(&mut app);
    for line in screen.lines() {
        assert!(width(line) <= 100, "too wide: {line}");
    }
    assert!(
        screen.contains("数据元 search") && screen.contains("24 results"),
        "{screen}"
    );
    // the long title's short form, every count whole
    assert!(
        screen.contains("Uses 14 fields 14 forms 14 items 0 bundles"),
        "{screen}"
    );
    assert!(screen.contains("cn_id 身份证号码"), "{screen}");
    press(&mut app, "pane_elements");
    press(&mut app, "element_search");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "DE000005");
    let screen = screen_of(&mut app);
    assert!(
        screen.contains(" 1 result") && !screen.contains("1 results"),
        "{screen}"
    );
}

#[test]
fn a_long_result_list_starts_capped_says_so_and_grows_as_the_cursor_nears_its_end() {
    let (mut app, _dir) = sample_app();
    let total = store_catalog(&app).elements.len();
    assert!(total > 200, "the sample has {total} elements");
    press(&mut app, "pane_elements");
    // the empty query lists every element: the count is all of them, the list its best 200
    assert!(screen_of(&mut app).contains(&format!("{total} 个结果")));
    assert_eq!(app.elements.search.hits.len(), 200);
    // paging towards the end of the 200 fetches more; the first 200 stay as they were (the
    // empty query ranks by uses, then code) and so does the selection
    let mut grew = false;
    for _ in 0..12 {
        let before: Vec<String> = app
            .elements
            .search
            .hits
            .iter()
            .map(|h| h.code.clone())
            .collect();
        press(&mut app, "page_down");
        let s = &app.elements.search;
        if s.hits.len() > before.len() {
            let now: Vec<&str> = s.hits[..before.len()]
                .iter()
                .map(|h| h.code.as_str())
                .collect();
            assert_eq!(now, before, "the first hits are unchanged");
            assert!(
                s.selected < before.len() && s.selected > 150,
                "{}",
                s.selected
            );
            grew = true;
            break;
        }
    }
    assert!(grew, "more hits were fetched near the end");
}

/// The sample and DE900001, a cascade of 14 options with a long definition.
fn cascade_app() -> (App, tempfile::TempDir) {
    cascade_app_with(&format!(
        "开头四字{}结尾四字",
        "行政区划的名称，末级必须是区县一级。".repeat(4)
    ))
}

/// The sample and DE900001, a cascade of 14 options with `definition`.
fn cascade_app_with(definition: &str) -> (App, tempfile::TempDir) {
    let mut catalog = sample();
    let mut e = element("DE900001", "测试地区", ElementKind::LinkedDropdown);
    e.definition = definition.into();
    let option = |code: &str, label: &str, parent: Option<&str>| yibiao::model::ElementOption {
        code: code.into(),
        label: label.into(),
        parent: parent.map(Into::into),
        kind: None,
    };
    let mut options = vec![option("51", "四川省", None)];
    for (i, city) in ["成都市", "广安市", "绵阳市"].iter().enumerate() {
        let c = format!("51{:02}", i + 1);
        options.push(option(&c, city, Some("51")));
        for d in 1..=3 {
            options.push(option(
                &format!("{c}{d:02}"),
                &format!("{city}第{d}区"),
                Some(&c),
            ));
        }
    }
    options.push(option("52", "贵州省", None));
    assert_eq!(options.len(), 14);
    e.options = options.into();
    catalog.insert(Record::Element(e));
    app_with(catalog.into_records().collect(), Lang::Zh)
}

/// Opens DE900001 in the edit form with the focus on field `key`.
fn edit_cascade(app: &mut App, key: &str) {
    search(app, "DE900001");
    press(app, "element_edit");
    let editor = app.editor.as_mut().expect("the edit form");
    editor.focus = editor
        .fields
        .iter()
        .position(|f| f.spec.key == key)
        .expect("the field");
}

#[test]
fn the_options_box_grows_scrolls_to_the_cursor_and_says_what_is_out_of_sight() {
    let (mut app, _dir) = cascade_app();
    edit_cascade(&mut app, "options");
    // with room to spare the focused box takes every line
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("51=四川省") && s.contains("52=贵州省"), "{s}");
    assert!(!s.contains('↓') && !s.contains('↑'), "{s}");
    // in a shorter terminal: ten rows of fourteen at the top, four more below
    let s = screen(&mut app, 100, 28);
    assert!(s.contains("51=四川省"), "{s}");
    assert!(s.contains("↓4"), "{s}");
    assert!(!s.contains("52=贵州省"), "{s}");
    // at the end: the last line in sight, the first ones counted above
    for _ in 0..13 {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    let s = screen(&mut app, 100, 28);
    assert!(s.contains("52=贵州省"), "{s}");
    assert!(s.contains("↑4"), "{s}");
    assert!(!s.contains('↓'), "{s}");
}

#[test]
fn a_long_definition_wraps_in_the_edit_form_instead_of_scrolling_sideways() {
    let (mut app, _dir) = cascade_app();
    edit_cascade(&mut app, "definition");
    // typing at its end keeps its start in sight
    key(&mut app, KeyCode::End, KeyModifiers::CONTROL);
    type_text(&mut app, "补充说明");
    let s = screen(&mut app, 61, 30);
    assert!(s.contains("开头四字"), "{s}");
    assert!(s.contains("补充说明"), "{s}");
}

#[test]
fn the_detail_says_how_many_options_are_out_of_sight() {
    let (mut app, _dir) = cascade_app_with("行政区划");
    search(&mut app, "DE900001");
    let s = screen(&mut app, 100, 36);
    // the detail column: what is right of the list
    let detail: Vec<&str> = s.lines().filter_map(|l| l.split("││").nth(1)).collect();
    let head = detail
        .iter()
        .position(|l| l.starts_with("可选值 (14)"))
        .unwrap_or_else(|| panic!("{s}"));
    let (more_at, more) = detail
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            let n = l.trim().strip_prefix("… 另有 ")?;
            let n = n.trim_end_matches('│').trim().strip_suffix('项')?;
            Some((i, n.trim().parse::<usize>().ok()?))
        })
        .unwrap_or_else(|| panic!("no count of the options out of sight: {s}"));
    // every option is either listed or counted
    let listed = more_at - head - 1;
    assert!(listed > 0 && more > 0, "{s}");
    assert_eq!(listed + more, 14, "{s}");
}

#[test]
fn at_80x24_the_detail_scrolls_to_what_did_not_fit_and_says_how() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "DE000006");
    assert_eq!(app.selected_element().as_deref(), Some("DE000006"));
    let s = screen(&mut app, 80, 24);
    // the detail is longer than its panel: the rest is counted, and the keys named below it
    assert!(s.contains("… 还有 5 行"), "{s}");
    assert!(s.contains("K/J 滚动"), "{s}");
    assert!(
        !s.contains("手机号码、手机") && !s.contains("数源部门"),
        "{s}"
    );
    for _ in 0..5 {
        press(&mut app, "element_detail_down");
    }
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("手机号码、手机") && s.contains("数源部门"),
        "{s}"
    );
    assert!(!s.contains("还有"), "the last line is in sight: {s}");
    // (five lines were out of sight below the four the panel shows of them and the count)
    assert!(s.contains("↑4 K/J 滚动"), "{s}");
    // no further than the last line; the list keeps its selection meanwhile
    press(&mut app, "element_detail_down");
    assert_eq!(screen(&mut app, 80, 24), s);
    assert_eq!(app.elements.search.selected, 0);
    // shift-up scrolls back (shift-down / shift-up are bound as well as K / J)
    key(&mut app, KeyCode::Up, KeyModifiers::SHIFT);
    press(&mut app, "element_detail_up");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("↑2 K/J 滚动"), "{s}");
    assert_eq!(app.elements.search.selected, 0);
    // the help names the keys
    let groups = yibiao::tui::help::groups(&app.config.keymap, Lang::Zh);
    let rows: Vec<_> = groups.iter().flat_map(|(_, rows)| rows).collect();
    let row = rows
        .iter()
        .find(|r| r.name == "element_detail_down")
        .expect("in the help");
    assert_eq!(row.keys, "J, shift-down");
    // another element's detail starts at its top
    press(&mut app, "back");
    press(&mut app, "select_next");
    let other = app.selected_element().expect("an element");
    assert_ne!(other, "DE000006");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains(&format!("编码      {other}")), "{s}");
    assert!(!s.contains('↑'), "{s}");
    // tiny terminals: nothing to scroll into, no panic
    for (w, h) in [(1, 1), (3, 2), (74, 6), (80, 7)] {
        app.resize(w, h);
        press(&mut app, "element_detail_down");
        let _ = screen(&mut app, w, h);
    }
}

#[test]
fn a_saved_element_is_patched_into_pane_two_instead_of_reading_the_index_again() {
    let (mut app, _dir) = sample_app();
    search(&mut app, "DE000024");
    let read = std::sync::Arc::as_ptr(app.elements.index.as_ref().expect("the index"));
    press(&mut app, "element_edit");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "港澳台居民居住证号码");
    press(&mut app, "save");
    assert!(app.editor.is_none(), "{:?}", app.message);
    let index = app.elements.index.as_ref().expect("the index");
    assert_eq!(
        std::sync::Arc::as_ptr(index),
        read,
        "patched, not read again"
    );
    // the new name is found by its pinyin initials, and the list shows it
    press(&mut app, "element_search");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "gatjmjzzhm");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let first = app.elements.search.hits.first().expect("hits");
    assert_eq!(
        (first.code.as_str(), first.name.as_str()),
        ("DE000024", "港澳台居民居住证号码")
    );
    assert!(screen_of(&mut app).contains("港澳台居民居住证号码"));
}

#[test]
fn thousands_of_duplicate_pairs_list_the_likeliest_and_say_how_many_were_found() {
    // numbered near-copies (身份证号码（2）, （3）, …): more pairs than are listed
    let records = yibiao::sample::elements_only(12).into_records().collect();
    let (mut app, _dir) = app_with(records, Lang::Zh);
    press(&mut app, "pane_elements");
    press(&mut app, "element_dups");
    let d = app.elements.dups.as_ref().expect("the view");
    let kept = d.pairs.as_ref().map_or(0, Vec::len);
    assert_eq!(kept, yibiao::engine::dups::PAIRS_KEPT);
    assert!(d.found > kept, "{}", d.found);
    let found = d.found;
    let screen = screen(&mut app, 120, 30);
    assert!(
        screen.contains(&format!("疑似重复 {found} 对，列出最像的 5000 对")),
        "{screen}"
    );
}

#[test]
fn the_duplicate_finder_runs_one_at_a_time_and_again_when_asked_meanwhile() {
    let (mut app, _dir) = sample_app();
    press(&mut app, "pane_elements");
    assert_eq!(app.jobs_running(), 0);
    // open, close and open again before the first run ends: one run, then one more
    let d = || {
        yibiao::tui::app::AppEvent::Term(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT),
        ))
    };
    for _ in 0..3 {
        app.handle(d());
    }
    assert!(app.elements.dups.is_some());
    assert_eq!(app.jobs_running(), 1, "one finder at a time");
    app.settle(std::time::Duration::from_secs(20));
    let pairs = app.elements.dups.as_ref().and_then(|d| d.pairs.as_ref());
    assert!(pairs.is_some_and(|p| !p.is_empty()));
}
