//! Pane 4 (主题) on the sample catalog, driven by action names through the default keymap.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::model::{Catalog, Record};
use yibiao::tui::app::{App, Confirm, Overlay, Pane};
use yibiao::tui::panes::bundles::{Focus, Mark, RightView};

/// The sample with one legacy label changed, so 我要开餐馆 has a label conflict: a field bound
/// to the element of 法定代表人姓名 in BD000029 prints 法人姓名.
fn sample_records() -> Vec<Record> {
    let mut catalog: Catalog = yibiao::sample::generate(1);
    let mut form = catalog.forms["BD000029"].clone();
    let field = form
        .sections
        .iter_mut()
        .flat_map(|s| s.fields.iter_mut())
        .find(|f| f.label == "法定代表人姓名")
        .expect("a 法定代表人姓名 field");
    field.label = "法人姓名".into();
    catalog.insert(Record::Form(form));
    catalog.into_records().collect()
}

/// Whether the open prompt refused its text (it shows why).
fn prompt_refused(app: &App) -> bool {
    app.bundles
        .prompt
        .as_ref()
        .is_some_and(|p| p.error.is_some())
}

/// Focuses the right view and selects the first merged field with `mark`.
fn select_marked(app: &mut App, mark: Mark) {
    let i = app
        .bundles
        .work
        .as_ref()
        .expect("workspace")
        .marks
        .iter()
        .position(|m| *m == mark)
        .expect("a marked field");
    while app.bundles.work.as_ref().map(|w| w.focus) != Some(Focus::Right) {
        press(app, "merge_focus_next");
    }
    press(app, "select_first");
    for _ in 0..i {
        press(app, "select_next");
    }
}

/// Focuses the right view and selects its row `i`.
fn select_row(app: &mut App, i: usize) {
    while app.bundles.work.as_ref().map(|w| w.focus) != Some(Focus::Right) {
        press(app, "merge_focus_next");
    }
    press(app, "select_first");
    for _ in 0..i {
        press(app, "select_next");
    }
}

/// The sample with BD000029's 电子邮箱 field unbound: its merge suggests binding it to the
/// merged form's 电子邮箱 element again (BD000029 binds that element nowhere else).
fn email_unbound() -> Vec<Record> {
    sample_edited(|c| {
        let mut form = c.forms["BD000029"].clone();
        let field = form
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.label == "电子邮箱")
            .expect("a 电子邮箱 field");
        field.element = None;
        c.insert(Record::Form(form));
    })
}

fn stats(app: &App) -> (usize, usize) {
    let m = &app.bundles.work.as_ref().expect("workspace").merge.stats;
    (m.fields_before, m.fields_after)
}

/// Opens 我要开餐馆 (ZT001, the first bundle) in pane 4.
fn restaurant(lang: Lang) -> (App, tempfile::TempDir) {
    restaurant_of(sample_records(), lang)
}

/// Opens ZT001 of `records` in pane 4.
fn restaurant_of(records: Vec<Record>, lang: Lang) -> (App, tempfile::TempDir) {
    let (mut app, dir) = app_with(records, lang);
    press(&mut app, "pane_bundles");
    assert_eq!(app.pane, Pane::Bundles);
    assert!(screen(&mut app, 120, 36).contains("我要开餐馆"));
    press(&mut app, "bundle_open");
    assert_eq!(
        app.bundles.work.as_ref().map(|w| w.code.as_str()),
        Some("ZT001")
    );
    (app, dir)
}

/// Answers every question with its last option (ge500, no → yes… as the sample orders them):
/// cycles question `i` `n` times.
fn answer(app: &mut App, i: usize, n: usize) {
    press(app, "select_first");
    for _ in 0..i {
        press(app, "select_next");
    }
    for _ in 0..n {
        press(app, "merge_toggle");
    }
}

/// Answers area=ge500, signboard=yes, tobacco=yes.
fn answer_all_yes(app: &mut App) {
    answer(app, 0, 2);
    answer(app, 1, 1);
    answer(app, 2, 1);
    let w = app.bundles.work.as_ref().expect("workspace");
    assert_eq!(w.answers.get("area").map(String::as_str), Some("ge500"));
}

#[test]
fn answers_recompute_the_merge_live() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    // nothing answered: only the items without a condition
    assert_eq!(stats(&app), (54, 35));
    assert!(screen(&mut app, 120, 36).contains("字段 54 → 35"));
    answer_all_yes(&mut app);
    assert_eq!(stats(&app), (100, 51));
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("字段 100 → 51 -49%"), "{s}");
    assert!(s.contains("时限 24 → 10 天"), "{s}");
    // cycling past the last option (yes → no → unanswered) un-answers the question
    answer(&mut app, 2, 2);
    assert_eq!(app.bundles.work.as_ref().unwrap().answers.len(), 2);
    assert!(stats(&app).0 < 100);
    assert!(screen(&mut app, 120, 36).contains("[未答]"));
}

#[test]
fn toggling_an_item_form_out_and_back() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "merge_focus_next");
    assert_eq!(app.bundles.work.as_ref().unwrap().focus, Focus::Items);
    press(&mut app, "select_first");
    press(&mut app, "merge_toggle");
    let (before, after) = stats(&app);
    assert!(before < 100 && after < 51, "{before} {after}");
    assert!(screen(&mut app, 120, 36).contains("[ ]"));
    press(&mut app, "merge_toggle");
    assert_eq!(stats(&app), (100, 51));
}

#[test]
fn diff_marks_every_source_field_and_the_flow_marks_the_critical_path() {
    let (mut app, _dir) = restaurant_of(email_unbound(), Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "merge_view");
    let w = app.bundles.work.as_ref().unwrap();
    assert_eq!(w.view, RightView::Diff);
    assert_eq!(w.diff.len(), 100, "one diff row per source field");
    for mark in Mark::ALL {
        assert!(w.diff.iter().any(|d| d.mark == mark), "{mark:?}");
    }
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("< BD"), "{s}");
    assert!(s.contains("! BD"), "{s}");
    assert!(s.contains("= 保留  < 合并  ! 冲突  ? 疑似重复"), "{s}");
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    assert_eq!(app.bundles.work.as_ref().unwrap().view, RightView::Flow);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("关键路径"), "{s}");
    assert!(s.lines().any(|l| l.contains("│*")), "{s}");
}

#[test]
fn resolving_a_conflict_rewrites_the_forms_and_the_preview() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    select_marked(&mut app, Mark::Conflict);
    assert_eq!(app.bundles.work.as_ref().unwrap().focus, Focus::Right);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("chooser");
    assert_eq!(chooser.choices[0].text, "标签统一为「法定代表人姓名」");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("处理「法定代表人姓名」"), "{s}");
    // BD000029 is published: Enter asks first, naming it; n keeps the dialog and the forms
    press(&mut app, "bundle_open");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("确认改写已发布的表单"), "{s}");
    assert!(s.contains("：BD000029。"), "{s}");
    match &app.overlay {
        Some(Overlay::Confirm(Confirm::MergeFix(ask))) => {
            assert_eq!(
                (ask.forms, ask.published.clone()),
                (1, vec!["BD000029".to_string()])
            );
            assert_eq!(ask.field, "法定代表人姓名");
        }
        _ => panic!("no question before rewriting a published form"),
    }
    key(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert!(app.bundles.chooser.is_some(), "n leaves the dialog open");
    assert_eq!(
        app.store().unwrap().catalog().forms["BD000029"].status,
        yibiao::model::Status::Published
    );
    press(&mut app, "bundle_open");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert!(app.bundles.chooser.is_none());
    assert!(
        status_text(&app).contains("1 张已发布的表单回到待提交"),
        "{}",
        status_text(&app)
    );
    assert_eq!(
        app.store().unwrap().catalog().forms["BD000029"].status,
        yibiao::model::Status::Draft
    );
    let w = app.bundles.work.as_ref().unwrap();
    assert!(w.merge.conflicts.is_empty(), "{:?}", w.merge.conflicts);
    assert!(!w.marks.contains(&Mark::Conflict));
    let catalog = app.store().unwrap().catalog();
    assert!(
        catalog.forms["BD000029"]
            .fields()
            .any(|(_, _, f)| f.label == "法定代表人姓名")
    );
    assert!(
        !catalog.forms["BD000029"]
            .fields()
            .any(|(_, _, f)| f.label == "法人姓名")
    );
    assert!(screen(&mut app, 120, 36).contains("一次事务"));
}

#[test]
fn accepting_a_suggestion_binds_the_field() {
    let (mut app, _dir) = restaurant_of(email_unbound(), Lang::Zh);
    answer_all_yes(&mut app);
    assert_eq!(stats(&app), (100, 52));
    select_marked(&mut app, Mark::Suggested);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("the fixes");
    assert_eq!(
        chooser.choices[0].text,
        "1 个字段绑定到 DE000008 电子邮箱 · 合并表单已用，名称相同 90"
    );
    press(&mut app, "bundle_open");
    // BD000029 is published: asked first
    assert!(matches!(
        app.overlay,
        Some(Overlay::Confirm(Confirm::MergeFix(_)))
    ));
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let w = app.bundles.work.as_ref().unwrap();
    assert!(w.merge.suggestions.is_empty());
    assert_eq!(stats(&app), (100, 51));
}

#[test]
fn a_field_whose_form_binds_its_element_already_is_not_suggested_and_f_says_why() {
    // QA session 8 #1: the sample's 户外招牌设施设置申请表 (BD000055) binds 移动电话 (f05)
    // and has an unbound 手机号码 (f13), a synonym of it: binding f13 too would bind
    // 移动电话 twice on one form (form lint: 重复绑定) and merge nothing
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    let w = app.bundles.work.as_ref().unwrap();
    assert!(w.merge.suggestions.is_empty(), "{:?}", w.merge.suggestions);
    assert!(!w.marks.contains(&Mark::Suggested));
    let at = w
        .merge
        .fields
        .iter()
        .position(|f| f.label == "手机号码")
        .expect("the unbound 手机号码");
    select_row(&mut app, at);
    press(&mut app, "merge_fix");
    assert!(app.bundles.chooser.is_none());
    assert_eq!(
        status_text(&app),
        "没有可用的绑定建议：BD000055/f13 未纳入：同表的 f05 已绑定 DE000006（一张表单的两个字段不能绑定同一数据元）"
    );
}

#[test]
fn the_fix_dialog_lists_the_candidate_elements_and_enter_binds_the_chosen_one() {
    // QA session 8 #2: 紧急联系电话 on BD000003 and BD000029; three elements could hold it
    // (two list it as a synonym, one is a character longer); BD000003 has it twice
    let records = sample_edited(|c| {
        for (code, name, synonyms) in [
            ("DE900001", "紧急联系人电话", &["紧急联系电话"][..]),
            ("DE900002", "应急联系电话", &["紧急联系电话"][..]),
            ("DE900003", "紧急联系电话号", &[][..]),
        ] {
            let mut element = c.elements["DE000006"].clone();
            element.code = code.into();
            element.name = name.into();
            element.synonyms = synonyms.iter().map(|s| (*s).into()).collect();
            c.insert(Record::Element(element));
        }
        for (form, keys) in [
            ("BD000003", &["f90", "f91"][..]),
            ("BD000029", &["f90"][..]),
        ] {
            let mut form = c.forms[form].clone();
            let section = form.sections.last_mut().expect("a section");
            for key in keys {
                let mut field = section.fields[0].clone();
                field.key = (*key).into();
                field.label = "紧急联系电话".into();
                field.element = None;
                field.when = None;
                section.fields.push(field);
            }
            c.insert(Record::Form(form));
        }
    });
    let (mut app, _dir) = restaurant_of(records, Lang::Zh);
    answer_all_yes(&mut app);
    select_marked(&mut app, Mark::Suggested);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("the fixes");
    let texts: Vec<&str> = chooser.choices.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "2 个字段绑定到 DE900001 紧急联系人电话 · 同义词 90",
            "2 个字段绑定到 DE900002 应急联系电话 · 同义词 90",
            "2 个字段绑定到 DE900003 紧急联系电话号 · 名称仅差一字 55",
        ]
    );
    let left = "BD000003/f91 未纳入：同表的 f90 已在此建议中绑定 DE900001";
    assert_eq!(
        chooser.choices[0].notes,
        ["绑定：「紧急联系电话」BD000003/f90, BD000029/f90", left]
    );
    let s = screen(&mut app, 120, 36);
    assert!(
        s.contains("候选数据元，最可能的在前（↑/↓ 选择，Enter 绑定）"),
        "{s}"
    );
    assert!(s.contains(left), "{s}");
    // j moves to the second; Enter (after the question about published forms) binds to it
    press(&mut app, "select_next");
    assert_eq!(app.bundles.chooser.as_ref().unwrap().selected, 1);
    let s = screen(&mut app, 120, 36);
    let highlighted = s
        .lines()
        .find(|l| l.contains("DE900002 应急联系电话"))
        .unwrap_or_default();
    assert!(highlighted.contains("同义词 90"), "{s}");
    press(&mut app, "bundle_open");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let catalog = app.store().unwrap().catalog();
    let bound = |form: &str, key: &str| {
        catalog.forms[form]
            .fields()
            .find(|(_, _, f)| f.key == key)
            .and_then(|(_, _, f)| f.element.clone())
    };
    assert_eq!(bound("BD000003", "f90").as_deref(), Some("DE900002"));
    assert_eq!(bound("BD000029", "f90").as_deref(), Some("DE900002"));
    assert_eq!(
        bound("BD000003", "f91"),
        None,
        "never two fields of one form"
    );
}

/// Adds fields (key, label, element) to the last section of `form`.
fn add_fields(c: &mut Catalog, form: &str, fields: &[(&str, &str, Option<&str>)]) {
    let mut form = c.forms[form].clone();
    let section = form.sections.last_mut().expect("a section");
    for (key, label, element) in fields {
        let mut field = section.fields[0].clone();
        field.key = (*key).into();
        field.label = (*label).into();
        field.element = element.map(Into::into);
        field.when = None;
        section.fields.push(field);
    }
    c.insert(Record::Form(form));
}

#[test]
fn the_fix_dialog_names_the_fields_it_binds_the_exact_name_first() {
    // QA round 6 #1 and #14: 邮政编码 (DE000009, synonym 邮编) is on the merged form through
    // BD000051/f90; BD000003 has 邮编 before 邮政编码, BD000058 邮政编码 before a typo that
    // reads the same; 备注 is twice on BD000003 and once on BD000029 (a new element)
    let records = sample_edited(|c| {
        add_fields(
            c,
            "BD000003",
            &[
                ("f90", "邮编", None),
                ("f91", "邮政编码", None),
                ("f93", "备注", None),
                ("f94", "备注", None),
            ],
        );
        add_fields(
            c,
            "BD000029",
            &[("f90", "邮政编码", None), ("f92", "备注", None)],
        );
        add_fields(
            c,
            "BD000058",
            &[("f90", "邮政编码", None), ("f92", "邮征编码", None)],
        );
        add_fields(
            c,
            "BD000051",
            &[("f90", "邮政编码", Some("DE000009")), ("f91", "邮编", None)],
        );
    });
    let (mut app, _dir) = restaurant_of(records, Lang::Zh);
    answer_all_yes(&mut app);
    let w = app.bundles.work.as_ref().unwrap();
    let at = w
        .merge
        .fields
        .iter()
        .position(|f| f.label == "邮政编码" && f.element.is_none())
        .expect("an unbound 邮政编码");
    select_row(&mut app, at);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("the fixes");
    assert_eq!(
        chooser.choices[0].text,
        "3 个字段绑定到 DE000009 邮政编码 · 合并表单已用，名称相同 90，覆盖本主题 3 个标签"
    );
    let binds = "绑定：「邮政编码」BD000003/f91, BD000029/f90, BD000058/f90";
    assert_eq!(chooser.choices[0].notes[0], binds);
    // at 80×24 the dialog shows which fields it binds and which it leaves out
    let s = screen(&mut app, 80, 24);
    assert!(s.contains(binds), "{s}");
    assert!(
        s.contains("BD000058/f92 未纳入：同表的 f90 已在此建议中绑定 DE000009"),
        "{s}"
    );
    press(&mut app, "back");
    // the new element is named by its code in the choice and in the left-out line alike
    let w = app.bundles.work.as_ref().unwrap();
    let at = w
        .merge
        .fields
        .iter()
        .position(|f| f.label == "备注" && f.element.is_none())
        .expect("an unbound 备注");
    select_row(&mut app, at);
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("the fixes");
    let text = &chooser.choices[0].text;
    let code = text
        .split_whitespace()
        .find(|w| w.starts_with("DE"))
        .expect("a code")
        .to_string();
    assert!(text.contains(&format!("新数据元 {code} 备注")), "{text}");
    assert_eq!(
        chooser.choices[0].notes,
        [
            "绑定：「备注」BD000003/f93, BD000029/f92".to_string(),
            format!("BD000003/f94 未纳入：同表的 f93 已在此建议中绑定新数据元 {code}"),
        ]
    );
    // `f` on the left-out field says the same in the status bar
    press(&mut app, "back");
    let w = app.bundles.work.as_ref().unwrap();
    let at = w
        .merge
        .fields
        .iter()
        .position(|f| {
            f.sources
                .iter()
                .any(|s| s.form == "BD000003" && s.field == "f94")
        })
        .expect("BD000003/f94");
    select_row(&mut app, at);
    press(&mut app, "merge_fix");
    assert!(app.bundles.chooser.is_none());
    assert_eq!(
        status_text(&app),
        format!(
            "没有可用的绑定建议：BD000003/f94 未纳入：同表的 f93 已在此建议中绑定新数据元 {code}"
        )
    );
}

#[test]
fn pane_snapshot_zh() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!("bundles_zh", s.replace(&app.store_path, "[STORE]"));
}

#[test]
fn no_color_keeps_the_marks_readable() {
    let (mut app, _dir) = restaurant_with(&Default::default(), true, RightView::Diff);
    let terminal = render(&mut app, 120, 36);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    let s = text(buffer);
    insta::assert_snapshot!(
        "bundles_diff_no_color",
        s.replace(&app.store_path, "[STORE]")
    );
    for symbol in ["= BD", "< BD", "! BD", "? 疑似重复"] {
        assert!(s.contains(symbol), "{symbol}: {s}");
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let (mut app, _dir) = restaurant(Lang::En);
    answer_all_yes(&mut app);
    press(&mut app, "merge_fix");
    for (w, h) in [(1, 1), (2, 3), (10, 5), (30, 10), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    select_marked(&mut app, Mark::Conflict);
    press(&mut app, "merge_fix");
    assert!(app.bundles.chooser.is_some());
    for (w, h) in [(1, 1), (6, 4), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    press(&mut app, "back");
    press(&mut app, "flow_export_dot");
    for (w, h) in [(1, 1), (5, 4), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.bundles.prompt.is_none());
    assert!(screen(&mut app, 120, 36).contains("fields 100 → 51"));
}

#[test]
fn flow_exports_to_a_file_beside_the_store() {
    let (mut app, dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    press(&mut app, "flow_export_dot");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("ZT001-flow.dot"), "{s}");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let dot = std::fs::read_to_string(dir.path().join("ZT001-flow.dot")).expect("dot file");
    assert!(dot.starts_with("digraph flow"));
    assert!(dot.contains("color=red"));
    press(&mut app, "flow_export_mermaid");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let mmd = std::fs::read_to_string(dir.path().join("ZT001-flow.mmd")).expect("mermaid file");
    assert!(mmd.starts_with("flowchart LR"));
    assert!(screen(&mut app, 120, 36).contains("流程已导出到"));
}

/// A new bundle 我要开书店 with the question `big` (yes/no) and two items, the second
/// selected; returns its code.
fn bookshop(app: &mut App) -> String {
    press(app, "pane_bundles");
    press(app, "bundle_new");
    type_text(app, "我要开书店");
    key(app, KeyCode::Enter, KeyModifiers::NONE);
    let code = app.bundles.work.as_ref().expect("opened").code.clone();
    // a new bundle opens on its items column: two items by name search
    for name in ["食品经营许可", "户外招牌"] {
        press(app, "bundle_add");
        type_text(app, name);
        key(app, KeyCode::Enter, KeyModifiers::NONE);
    }
    // a question with two options
    press(app, "merge_focus_prev");
    press(app, "bundle_add");
    type_text(app, "big 面积是否超过500平方米？ | yes 是 | no 否");
    key(app, KeyCode::Enter, KeyModifiers::NONE);
    press(app, "merge_focus_next");
    code
}

#[test]
fn a_condition_is_ticked_from_the_questions_options() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    let code = bookshop(&mut app);
    press(&mut app, "bundle_condition");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("[ ] big=yes"), "{s}");
    assert!(s.contains("[ ] big=no"), "{s}");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("[x] big=yes") && s.contains("[x] big=no"), "{s}");
    assert_eq!(
        app.bundles.prompt.as_ref().expect("open").input.value(),
        "big=no,yes"
    );
    // Tab again drops the option; Enter saves what is ticked
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert!(screen(&mut app, 120, 36).contains("[ ] big=yes"));
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.bundles.prompt.is_none(), "saved");
    let b = app.store().unwrap().catalog().bundles[code.as_str()].clone();
    let when = b
        .item_when
        .get(&b.items[1])
        .expect("the second item has a condition");
    assert_eq!(when.get("big"), Some(&vec!["no".to_string()]));
}

#[test]
fn editing_a_bundle_new_items_questions_conditions_and_workflow() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    let code = bookshop(&mut app);
    let b = app.store().unwrap().catalog().bundles[code.as_str()].clone();
    assert_eq!(b.items.len(), 2, "{b:?}");
    assert_eq!(b.origin, yibiao::model::Origin::SelfBuilt);
    // the second item applies only to big shops; a bad condition is refused inline
    press(&mut app, "bundle_condition");
    type_text(&mut app, "big=maybe");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(prompt_refused(&app));
    assert!(screen(&mut app, 120, 36).contains("maybe"));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, "bundle_condition");
    type_text(&mut app, "big=yes");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.bundles.work.as_ref().unwrap().merge.items.len(), 1);
    // reorder, then the workflow
    press(&mut app, "bundle_move_up");
    let b = app.store().unwrap().catalog().bundles[code.as_str()].clone();
    assert!(b.item_when.contains_key(&b.items[0]));
    press(&mut app, "bundle_submit");
    // a bundle without a lead agency is not published, and the status bar says what it lacks
    press(&mut app, "bundle_publish");
    let b = app.store().unwrap().catalog().bundles[code.as_str()].clone();
    assert_eq!(b.status, yibiao::model::Status::Submitted);
    assert!(
        status_text(&app).contains("牵头部门"),
        "{}",
        status_text(&app)
    );
    press(&mut app, "bundle_lead");
    type_text(&mut app, "广安区市场监督管理局");
    press(&mut app, "picker_choose");
    press(&mut app, "bundle_submit");
    press(&mut app, "bundle_publish");
    let b = app.store().unwrap().catalog().bundles[code.as_str()].clone();
    assert_eq!((b.status, b.version), (yibiao::model::Status::Published, 1));
    // claiming makes a claimed draft copy
    press(&mut app, "back");
    press(&mut app, "bundle_claim");
    let catalog = app.store().unwrap().catalog();
    assert!(
        catalog
            .bundles
            .values()
            .any(|x| x.origin == yibiao::model::Origin::Claimed && x.name == "我要开书店")
    );
}

/// The names of the bundle's items, in order.
fn item_names(app: &App, code: &str) -> Vec<String> {
    let catalog = app.store().unwrap().catalog();
    catalog.bundles[code]
        .items
        .iter()
        .map(|i| catalog.items[i.as_str()].name.to_string())
        .collect()
}

#[test]
fn the_item_picker_finds_by_pinyin_and_adds_several_marked_items_in_one_go() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    let before = item_names(&app, "ZT001");
    let visible = app.bundles.work.as_ref().unwrap().merge.items.len();
    press(&mut app, "merge_focus_next");
    press(&mut app, "select_first");
    press(&mut app, "bundle_add");
    assert!(app.bundles.picker.is_some());
    assert!(app.bundles.items.index.is_some(), "the index was built");
    // pinyin initials of 食品经营许可证: the restaurant has one of them already
    type_text(&mut app, "spjyxkz");
    let p = app.bundles.picker.as_ref().unwrap();
    assert!(p.found.total >= 2, "{:?}", p.found);
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!(
        "bundles_item_picker_zh",
        s.replace(&app.store_path, "[STORE]")
    );
    assert!(s.contains("已在主题"), "{s}");
    // a code that does not fit keeps its tail, where 实施清单 and 办理项 codes differ
    assert!(s.contains("…00-1151010431236097XB-1-01"), "{s}");
    // marking an item of the bundle is refused; marking two others works
    let in_bundle = |app: &App, i: usize| {
        let code = &app.bundles.picker.as_ref().unwrap().found.hits[i].row.code;
        app.store().unwrap().catalog().bundles["ZT001"]
            .items
            .contains(code)
    };
    let mut marked = Vec::new();
    let mut i = 0;
    while marked.len() < 2 {
        let p = app.bundles.picker.as_ref().unwrap();
        assert!(i < p.found.hits.len(), "two items outside the bundle");
        let code = p.found.hits[i].row.code.clone();
        let was_in = in_bundle(&app, i);
        press(&mut app, "picker_mark");
        let p = app.bundles.picker.as_ref().unwrap();
        if was_in {
            assert!(p.marked.is_empty() || !p.marked.contains(&code));
            assert!(screen(&mut app, 120, 36).contains("该事项已在主题中"));
            press(&mut app, "picker_next");
        } else {
            marked.push(code);
            assert_eq!(p.marked, marked);
        }
        i += 1;
    }
    // unmark and mark again keeps the marking order
    press(&mut app, "picker_prev");
    press(&mut app, "picker_mark");
    assert_eq!(app.bundles.picker.as_ref().unwrap().marked, marked[..1]);
    press(&mut app, "picker_prev");
    press(&mut app, "picker_mark");
    assert_eq!(app.bundles.picker.as_ref().unwrap().marked, marked);
    assert!(screen(&mut app, 120, 36).contains("已标记 2"));
    press(&mut app, "picker_choose");
    assert!(app.bundles.picker.is_none());
    // inserted after the selected (first) item, in marking order, in one save
    let b = app.store().unwrap().catalog().bundles["ZT001"].clone();
    assert_eq!(b.items.len(), before.len() + 2);
    assert_eq!(b.items[1..3], marked[..]);
    let w = app.bundles.work.as_ref().unwrap();
    assert_eq!(w.selected[1], 2);
    assert_eq!(w.merge.items.len(), visible + 2, "the preview recomputed");
    assert!(screen(&mut app, 120, 36).contains("加入 2 个事项"));
}

#[test]
fn the_item_picker_adds_the_selected_item_without_marks_and_esc_cancels() {
    let (mut app, _dir) = restaurant(Lang::En);
    let before = item_names(&app, "ZT001").len();
    press(&mut app, "merge_focus_next");
    press(&mut app, "bundle_add");
    type_text(&mut app, "hbsp");
    press(&mut app, "back");
    assert!(app.bundles.picker.is_none());
    assert_eq!(item_names(&app, "ZT001").len(), before);
    press(&mut app, "bundle_add");
    // a query that matches nothing says so; backspace widens it again
    type_text(&mut app, "qqqqq");
    assert!(screen(&mut app, 120, 36).contains("no matching items"));
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "排水");
    let first = app.bundles.picker.as_ref().unwrap().found.hits[0]
        .row
        .code
        .clone();
    let already = app.store().unwrap().catalog().bundles["ZT001"]
        .items
        .contains(&first);
    press(&mut app, "picker_choose");
    let n = item_names(&app, "ZT001").len();
    assert_eq!(n, before + usize::from(!already));
}

#[test]
fn the_bundle_history_lists_its_audit_entries() {
    let (mut app, _dir) = restaurant(Lang::En);
    press(&mut app, "bundle_rename");
    type_text(&mut app, "2");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "bundle_history");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("History of ZT001"), "{s}");
    assert!(s.contains(" bundle_rename "), "{s}");
    assert!(s.contains(" update"), "{s}");
    press(&mut app, "back");
    assert!(!screen(&mut app, 120, 36).contains("History of"));
    // in Chinese the history names the action by what it did
    let (mut app, _dir) = restaurant(Lang::Zh);
    press(&mut app, "bundle_rename");
    type_text(&mut app, "2");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "bundle_history");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains(" 主题改名 "), "{s}");
    assert!(!s.contains("bundle_rename"), "{s}");
}

#[test]
fn material_rows_are_edited_in_place_general_or_special() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    let materials = |app: &App| {
        app.bundles
            .work
            .as_ref()
            .unwrap()
            .merge
            .stats
            .materials_before
    };
    let rows_of = |app: &App, item: &str| -> Vec<(String, Option<String>)> {
        app.store().unwrap().catalog().bundles["ZT001"]
            .materials
            .iter()
            .filter(|m| m.item == item)
            .map(|m| {
                (
                    m.material.clone(),
                    m.when
                        .as_ref()
                        .map(|w| yibiao::engine::bundle_edit::when_text(Some(w))),
                )
            })
            .collect()
    };
    let before = materials(&app);
    press(&mut app, "merge_focus_next");
    press(&mut app, "select_first");
    let item = app.store().unwrap().catalog().bundles["ZT001"].items[0].clone();
    press(&mut app, "bundle_materials");
    assert!(app.bundles.materials.is_some());
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("材料：公司设立登记"), "{s}");
    assert!(s.contains("事项自带"), "{s}");
    // the item's own material cannot be edited here
    press(&mut app, "bundle_condition");
    assert!(app.bundles.prompt.is_none());
    assert!(screen(&mut app, 120, 36).contains("窗格 1"));
    // a special row: only with tobacco=yes
    press(&mut app, "bundle_add");
    type_text(&mut app, "CL000090 tobacco=yes");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.bundles.prompt.is_none());
    assert!(rows_of(&app, &item).contains(&("CL000090".into(), Some("tobacco=yes".into()))));
    assert_eq!(
        materials(&app),
        before,
        "tobacco is unanswered: the row does not apply"
    );
    press(&mut app, "select_last");
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!(
        "bundles_materials_zh",
        s.replace(&app.store_path, "[STORE]")
    );
    // its condition edited in place: the prompt starts from the current one
    press(&mut app, "bundle_condition");
    assert_eq!(
        app.bundles
            .prompt
            .as_ref()
            .map(|p| p.input.value().to_string()),
        Some("tobacco=yes".into())
    );
    assert!(screen(&mut app, 120, 36).contains("tobacco=yes|no"));
    for _ in 0.."yes".len() {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "nope");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(prompt_refused(&app), "an unknown option is refused");
    for _ in 0.."nope".len() {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "no");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(rows_of(&app, &item).contains(&("CL000090".into(), Some("tobacco=no".into()))));
    // general: an empty condition, and the preview counts it at once
    press(&mut app, "bundle_condition");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(rows_of(&app, &item).contains(&("CL000090".into(), None)));
    assert_eq!(materials(&app), before + 1);
    assert!(screen(&mut app, 120, 36).contains("通用"));
    // removed again
    press(&mut app, "bundle_remove");
    assert!(!rows_of(&app, &item).iter().any(|(m, _)| m == "CL000090"));
    assert_eq!(materials(&app), before);
    press(&mut app, "back");
    assert!(app.bundles.materials.is_none());
    assert!(
        app.bundles.work.is_some(),
        "esc closes the editor, not the bundle"
    );
}

#[test]
fn an_item_condition_is_edited_in_place_from_its_current_text() {
    let (mut app, _dir) = restaurant(Lang::En);
    press(&mut app, "merge_focus_next");
    press(&mut app, "select_last");
    let item = app.store().unwrap().catalog().bundles["ZT001"].items[5].clone();
    press(&mut app, "bundle_condition");
    let p = app.bundles.prompt.as_ref().expect("prompt");
    assert_eq!(p.input.value(), "signboard=yes");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("户外招牌设施设置审批"), "{s}");
    assert!(s.contains("area=lt500|ge500"), "{s}");
    type_text(&mut app, ",no area=ge500");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let b = app.store().unwrap().catalog().bundles["ZT001"].clone();
    assert_eq!(
        yibiao::engine::bundle_edit::when_text(b.item_when.get(&item)),
        "area=ge500 signboard=yes,no"
    );
    assert_eq!(
        b.status,
        yibiao::model::Status::Draft,
        "a published bundle returns to draft"
    );
}

/// The restaurant, every question answered yes / ge500, in a given configuration, showing
/// `view` on the right.
fn restaurant_with(
    flags: &yibiao::tui::config::ConfigFlags,
    no_color: bool,
    view: RightView,
) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = yibiao::store::SledStore::open(&dir.path().join("store")).expect("open");
    yibiao::store::Store::apply(
        &mut store,
        yibiao::store::Batch::upserts("test", sample_records()),
    )
    .expect("seed");
    let config = yibiao::tui::config::load(None, flags, no_color);
    assert!(config.problems.is_empty(), "{:?}", config.problems);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_open");
    answer_all_yes(&mut app);
    while app.bundles.work.as_ref().unwrap().view != view {
        press(&mut app, "merge_view");
    }
    (app, dir)
}

#[test]
fn the_flow_reads_without_colour_names_not_codes() {
    let (mut app, _dir) = restaurant_with(&Default::default(), true, RightView::Flow);
    let terminal = render(&mut app, 120, 36);
    let s = text(terminal.backend().buffer());
    insta::assert_snapshot!(
        "bundles_flow_no_color",
        s.replace(&app.store_path, "[STORE]")
    );
    // the critical path by symbol: `*` and a solid bar; the others a light bar
    let critical: Vec<&str> = s.lines().filter(|l| l.contains("│*")).collect();
    assert_eq!(critical.len(), 2, "{s}");
    assert!(
        critical.iter().all(|l| l.contains('█') && !l.contains('░')),
        "{s}"
    );
    assert!(s.contains("░"), "{s}");
    // dependencies and the critical path by name (codes are 50 characters long)
    assert!(s.contains("← 公司设立登记"), "{s}");
    assert!(
        s.contains("关键路径 10 天 公司设立登记→烟草专卖零售许可证核发"),
        "{s}"
    );
    assert!(!s.contains("0100001001-"), "{s}");
}

#[test]
fn the_flow_reads_in_sixteen_colours_and_ascii() {
    let flags = yibiao::tui::config::ConfigFlags {
        theme: Some("ansi16".into()),
        ascii: true,
        ..Default::default()
    };
    let (mut app, _dir) = restaurant_with(&flags, false, RightView::Flow);
    let terminal = render(&mut app, 120, 36);
    let buffer = terminal.backend().buffer();
    let s = text(buffer);
    // flow rows: the right column starts with the mark and the days (`*   0-2`)
    let rows: Vec<(u16, &str)> = s
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.match_indices('|').any(|(i, _)| {
                let r = &l[i + 1..];
                (r.starts_with("*   ") || r.starts_with("    "))
                    && r[4..].starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .map(|(y, l)| (y as u16, l))
        .collect();
    assert_eq!(rows.len(), 6, "{s}");
    let bar_fg = |y: u16, glyph: &str| {
        (0..120)
            .map(|x| &buffer[(x, y)])
            .find(|c| c.symbol() == glyph)
            .map(|c| c.fg)
            .expect("a bar cell")
    };
    let mut colours = Vec::new();
    for (y, line) in &rows {
        let critical = line.contains("|*");
        assert_eq!(line.contains('#'), critical, "{line}");
        assert_eq!(line.contains('='), !critical, "{line}");
        let fg = bar_fg(*y, if critical { "#" } else { "=" });
        assert!(
            !matches!(
                fg,
                ratatui::style::Color::Rgb(..) | ratatui::style::Color::Indexed(_)
            ),
            "{fg:?}: not one of the sixteen"
        );
        colours.push((critical, fg));
    }
    let critical = colours.iter().find(|c| c.0).map(|c| c.1);
    let other = colours.iter().find(|c| !c.0).map(|c| c.1);
    assert_ne!(critical, other, "the critical path has its own colour too");
}

#[test]
fn the_picker_and_the_materials_editor_survive_tiny_terminals() {
    let (mut app, _dir) = restaurant(Lang::En);
    press(&mut app, "merge_focus_next");
    press(&mut app, "bundle_add");
    type_text(&mut app, "s");
    for (w, h) in [(1, 1), (3, 2), (8, 4), (12, 5), (30, 10), (200, 60)] {
        let _ = screen(&mut app, w, h);
    }
    press(&mut app, "back");
    press(&mut app, "bundle_materials");
    for (w, h) in [(1, 1), (3, 2), (8, 4), (12, 5), (30, 10), (200, 60)] {
        let _ = screen(&mut app, w, h);
    }
    press(&mut app, "bundle_add");
    for (w, h) in [(1, 1), (8, 4), (30, 10)] {
        let _ = screen(&mut app, w, h);
    }
}

#[test]
fn bundle_details_never_run_into_the_border() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    let bundles = app.store().expect("store").catalog().bundles.len();
    // pane 4's list and pane 1's list of bundles, each bundle at many widths
    for pane in ["pane_bundles", "pane_catalog"] {
        press(&mut app, pane);
        if pane == "pane_catalog" {
            press(&mut app, "prev_list");
        }
        press(&mut app, "select_first");
        for _ in 0..bundles {
            for w in 96..=132 {
                let terminal = render(&mut app, w, 40);
                let buffer = terminal.backend().buffer();
                assert_wide_characters_fit(buffer);
                // the detail's right border (the screen's last column) stands on every row
                for y in 2..38 {
                    assert_eq!(
                        buffer[(w - 1, y)].symbol(),
                        "│",
                        "({w}, {y}):\n{}",
                        text(buffer)
                    );
                }
            }
            press(&mut app, "select_next");
        }
    }
}

/// The status bar's message.
fn status_text(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// What the open removal question says goes with the row.
fn confirm_details(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Confirm(Confirm::BundleRemove(ask))) => ask.details.clone(),
        _ => panic!("no removal question"),
    }
}

#[test]
fn removing_a_question_or_an_item_asks_first_and_says_what_went_with_it() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    let bundle = |app: &App| app.store().unwrap().catalog().bundles["ZT001"].clone();
    // a special material row of the first item that names tobacco
    press(&mut app, "merge_focus_next");
    press(&mut app, "select_first");
    let item = bundle(&app).items[0].clone();
    press(&mut app, "bundle_materials");
    press(&mut app, "bundle_add");
    type_text(&mut app, "CL000090 tobacco=yes");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "back");
    // the question tobacco: asked first, naming the row that becomes general
    press(&mut app, "merge_focus_prev");
    let before = bundle(&app);
    let tobacco = before.questions.iter().position(|q| q.key == "tobacco");
    answer(&mut app, tobacco.expect("a tobacco question"), 0);
    press(&mut app, "bundle_remove");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("确认移除"), "{s}");
    assert!(s.contains("移除问题 是否销售卷烟？ tobacco"), "{s}");
    assert!(
        s.contains("y 移除    n / Esc 取消"),
        "the whole text fits: {s}"
    );
    let details = confirm_details(&app);
    assert!(details.contains("材料变为通用（始终需要）"), "{details}");
    assert!(
        details.contains("经营场所照片（公司设立登记）"),
        "{details}"
    );
    key(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert_eq!(bundle(&app), before, "n keeps everything");
    press(&mut app, "bundle_remove");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    assert!(bundle(&app).questions.iter().all(|q| q.key != "tobacco"));
    let said = status_text(&app);
    assert!(
        said.starts_with("已移除 是否销售卷烟？（tobacco）：") && said.contains("材料变为通用"),
        "{said}"
    );
    // the first item: its material rows go with it
    press(&mut app, "merge_focus_next");
    press(&mut app, "select_first");
    press(&mut app, "bundle_remove");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("移除事项 公司设立登记"), "{s}");
    let details = confirm_details(&app);
    assert!(
        details.starts_with("连同 ") && details.contains(" 行材料"),
        "{details}"
    );
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(bundle(&app).items.contains(&item), "esc keeps the item");
    press(&mut app, "bundle_remove");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let after = bundle(&app);
    assert!(!after.items.contains(&item));
    assert!(after.materials.iter().all(|m| m.item != item));
    let said = status_text(&app);
    assert!(
        said.contains(&format!("已移除 公司设立登记（{item}）")),
        "{said}"
    );
}

#[test]
fn an_edit_that_changes_nothing_says_so_and_writes_nothing() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    let audit = |app: &App| app.store().unwrap().history(Some("ZT001")).unwrap().len();
    let before = audit(&app);
    for action in ["bundle_rename", "bundle_lead"] {
        press(&mut app, action);
        key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
        assert!(app.bundles.prompt.is_none());
        assert_eq!(status_text(&app), "没有修改 ZT001", "{action}");
        assert_eq!(audit(&app), before, "{action}: no audit record");
    }
    press(&mut app, "bundle_rename");
    type_text(&mut app, "！");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(status_text(&app), "已保存 ZT001");
    assert_eq!(audit(&app), before + 1);
}

/// The code of the sample agency named `name`.
fn agency_code(app: &App, name: &str) -> String {
    app.store()
        .unwrap()
        .catalog()
        .agencies
        .values()
        .find(|a| a.name == name)
        .map(|a| a.code.to_string())
        .unwrap_or_else(|| panic!("no agency {name}"))
}

fn lead(app: &App) -> Option<String> {
    app.store().unwrap().catalog().bundles["ZT001"]
        .lead_agency
        .clone()
}

#[test]
fn the_lead_agency_is_picked_by_name_pinyin_or_code_and_can_be_cleared() {
    let (mut app, _dir) = restaurant(Lang::Zh);
    let before = lead(&app).expect("the sample bundle has a lead agency");
    press(&mut app, "bundle_lead");
    assert!(app.bundles.lead.is_some() && app.bundles.prompt.is_none());
    assert!(app.bundles.agencies.index.is_some(), "the index was built");
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!(
        "bundles_lead_picker_zh",
        s.replace(&app.store_path, "[STORE]")
    );
    // the current lead agency is selected: enter keeps it
    let p = app.bundles.lead.as_ref().unwrap();
    assert_eq!(
        p.choice(p.selected),
        Some(yibiao::tui::panes::lead_picker::LeadChoice::Agency(
            before.clone()
        ))
    );
    press(&mut app, "picker_choose");
    assert!(app.bundles.lead.is_none());
    assert_eq!(status_text(&app), "没有修改 ZT001");

    // what the tester typed: the name without the city finds 广安市广安区市场监督管理局
    let market = agency_code(&app, "广安市广安区市场监督管理局");
    press(&mut app, "bundle_lead");
    type_text(&mut app, "广安区市场监督管理局");
    press(&mut app, "picker_choose");
    assert_eq!(lead(&app), Some(market.clone()));
    assert_eq!(
        status_text(&app),
        "已将 ZT001 的牵头部门设为 广安市广安区市场监督管理局"
    );
    assert!(screen(&mut app, 120, 36).contains("牵头 广安市广安区市场监督管理局"));

    // pinyin initials, then an exact code
    let health = agency_code(&app, "广安市广安区卫生健康局");
    press(&mut app, "bundle_lead");
    type_text(&mut app, "gasgaqwsjkj");
    press(&mut app, "picker_choose");
    assert_eq!(lead(&app), Some(health));
    press(&mut app, "bundle_lead");
    type_text(&mut app, &before);
    press(&mut app, "picker_choose");
    assert_eq!(lead(&app), Some(before.clone()));

    // nothing matches: refused in the picker, which stays open
    press(&mut app, "bundle_lead");
    type_text(&mut app, "不存在的部门");
    press(&mut app, "picker_choose");
    assert!(app.bundles.lead.is_some());
    assert!(screen(&mut app, 120, 36).contains("没有编码或名称为 不存在的部门 的实施主体"));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.bundles.lead.is_none());
    assert_eq!(lead(&app), Some(before.clone()), "esc changes nothing");

    // with nothing typed the first row clears it
    press(&mut app, "bundle_lead");
    while app.bundles.lead.as_ref().unwrap().selected > 0 {
        press(&mut app, "picker_prev");
    }
    assert!(screen(&mut app, 120, 36).contains("（清除牵头部门）"));
    press(&mut app, "picker_choose");
    assert_eq!(lead(&app), None);
    assert_eq!(status_text(&app), "已清除 ZT001 的牵头部门");
    // and no clear row is offered when there is nothing to clear
    press(&mut app, "bundle_lead");
    let p = app.bundles.lead.as_ref().unwrap();
    assert!(!p.offers_clear());
    assert_eq!(p.rows(), app.store().unwrap().catalog().agencies.len());
}

#[test]
fn the_lead_agency_picker_in_english_names_region_and_code() {
    let (mut app, _dir) = restaurant(Lang::En);
    press(&mut app, "bundle_lead");
    type_text(&mut app, "scjdglj");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains(" Lead agency of ZT001 我要开餐馆 "), "{s}");
    assert!(s.contains("广安市广安区市场监督管理局"), "{s}");
    assert!(s.contains("广安区"), "{s}");
    assert!(s.contains("enter chooses"), "{s}");
    assert!(s.contains(" PICK "), "{s}");
}

/// The sample records changed by `edit` on the catalog.
fn sample_edited(edit: impl FnOnce(&mut Catalog)) -> Vec<Record> {
    let mut catalog = Catalog::from_records(sample_records());
    edit(&mut catalog);
    catalog.into_records().collect()
}

/// Every audit entry of the store.
fn audit_len(app: &App) -> usize {
    app.store().unwrap().history(None).unwrap().len()
}

#[test]
fn space_never_writes_and_only_enter_applies_a_fix() {
    // report #1: `space space j space` on a `!` row rewrote published forms
    let (mut app, _dir) = restaurant(Lang::Zh);
    answer_all_yes(&mut app);
    let before = audit_len(&app);
    let forms = app.store().unwrap().catalog().forms.clone();
    select_marked(&mut app, Mark::Conflict);
    // space on a `!` row of the merged form opens nothing: it names the keys that do
    press(&mut app, "merge_toggle");
    assert!(app.bundles.chooser.is_none());
    assert!(
        status_text(&app).contains("f 或 Enter"),
        "{}",
        status_text(&app)
    );
    // Enter opens the fixes; space and f inside the dialog never apply one
    press(&mut app, "bundle_open");
    assert!(app.bundles.chooser.is_some());
    press(&mut app, "merge_toggle");
    press(&mut app, "select_next");
    press(&mut app, "merge_toggle");
    press(&mut app, "merge_fix");
    assert!(app.bundles.chooser.is_some(), "the dialog stays open");
    assert!(app.overlay.is_none());
    assert!(
        status_text(&app).contains("按 Enter 应用所选处理"),
        "{}",
        status_text(&app)
    );
    press(&mut app, "back");
    assert!(app.bundles.chooser.is_none());
    assert_eq!(audit_len(&app), before, "nothing was written");
    assert_eq!(app.store().unwrap().catalog().forms, forms);
}

#[test]
fn conflicts_say_what_differs_and_which_source_has_which_value() {
    // report #6: BD000029 prints 法人姓名 and, here, also flips the required flag
    let records = sample_edited(|c| {
        let mut form = c.forms["BD000029"].clone();
        let field = form
            .sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.label == "法人姓名")
            .expect("the 法人姓名 field");
        field.required = !field.required;
        let required = field.required;
        c.insert(Record::Form(form));
        assert!(!required || c.forms["BD000003"].fields().any(|(_, _, f)| !f.required));
    });
    let (mut app, _dir) = restaurant_of(records, Lang::Zh);
    answer_all_yes(&mut app);
    select_marked(&mut app, Mark::Conflict);
    let row = |s: &str| {
        s.lines()
            .find(|l| l.contains("! 法定代表人姓名"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let s = screen(&mut app, 120, 36);
    assert!(row(&s).contains("必填、标签不一"), "{s}");
    // the source diff: each source's own value of what differs
    press(&mut app, "merge_view");
    let w = app.bundles.work.as_ref().unwrap();
    let at = w
        .diff
        .iter()
        .position(|d| {
            let s = &w.merge.fields[d.into].sources[d.entry];
            s.form == "BD000029" && s.field == "f03"
        })
        .expect("BD000029/f03 in the diff");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    let s = screen(&mut app, 120, 36);
    let line = s
        .lines()
        .find(|l| l.contains("! BD000029/f03"))
        .unwrap_or_default();
    assert!(line.contains("冲突 DE000143 选填 标签「法人姓名」"), "{s}");
    let line = s
        .lines()
        .find(|l| l.contains("! BD000003/f10"))
        .unwrap_or_default();
    assert!(
        line.contains("冲突 DE000143 必填 标签「法定代表人姓名」"),
        "{s}"
    );
    // the fix dialog lists every value with its sources
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    select_marked(&mut app, Mark::Conflict);
    press(&mut app, "merge_fix");
    let details = app
        .bundles
        .chooser
        .as_ref()
        .expect("dialog")
        .details
        .clone();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("必填不一：") && d.contains("BD000029/f03")),
        "{details:?}"
    );
    let label = details
        .iter()
        .find(|d| d.starts_with("标签不一："))
        .expect("the label conflict");
    assert!(
        label.contains("「法定代表人姓名」 BD000003/f10")
            && label.ends_with("「法人姓名」 BD000029/f03"),
        "{label}"
    );
    let s = screen(&mut app, 120, 36);
    assert!(
        s.contains("标签不一：「法定代表人姓名」 BD000003/f10"),
        "{s}"
    );
    // fix the label only: the row stays `!` and says the required flag still differs
    let at = app
        .bundles
        .chooser
        .as_ref()
        .unwrap()
        .choices
        .iter()
        .position(|c| c.text == "标签统一为「法定代表人姓名」")
        .expect("the label fix");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    press(&mut app, "bundle_open");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let s = screen(&mut app, 120, 36);
    let r = row(&s);
    assert!(r.contains("必填不一") && !r.contains("标签"), "{s}");
}

#[test]
fn a_new_bundle_opens_on_its_items_column_and_shows_the_focus() {
    // report #8: the hint said `a` adds items while the focus was on the questions
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_new");
    type_text(&mut app, "我要开书店");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.bundles.work.as_ref().unwrap().focus, Focus::Items);
    assert!(status_text(&app).contains("按 a 新增事项"));
    // the focused column's title is marked and reversed, not only its border coloured
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("▶ 事项 0/0"), "{s}");
    assert!(!s.contains("▶ 判断项"), "{s}");
    // both empty views say there is no item to merge
    assert!(s.contains("（空：没有适用的事项）"), "{s}");
    // nothing to reduce yet: no `-0%`
    assert!(s.contains("字段 0 → 0   材料"), "{s}");
    press(&mut app, "bundle_add");
    assert!(app.bundles.picker.is_some(), "a opens the item picker");
    assert!(app.bundles.prompt.is_none());
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, "merge_focus_prev");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("▶ 判断项"), "{s}");
}

#[test]
fn unbound_fields_that_a_pool_element_covers_are_suggested_and_bound() {
    // report #5: two unbound fields whose labels are synonyms of an element the merged
    // form does not use
    let records = sample_edited(|c| {
        let mut element = c.elements["DE000006"].clone();
        element.code = "DE900001".into();
        element.name = "紧急联系人电话".into();
        element.synonyms = vec!["紧急联系电话".into(), "紧急联络电话".into()].into();
        c.insert(Record::Element(element));
        // one on each of two forms (two fields of one form on one element would be bound
        // twice: see the_fix_dialog_lists_the_candidate_elements_and_enter_binds_the_chosen_one)
        for (form, key, label) in [
            ("BD000003", "f90", "紧急联系电话"),
            ("BD000029", "f91", "紧急联络电话"),
        ] {
            let mut form = c.forms[form].clone();
            let section = form.sections.last_mut().expect("a section");
            let mut field = section.fields[0].clone();
            field.key = key.into();
            field.label = label.into();
            field.element = None;
            field.when = None;
            section.fields.push(field);
            c.insert(Record::Form(form));
        }
    });
    let (mut app, _dir) = restaurant_of(records, Lang::Zh);
    answer_all_yes(&mut app);
    let w = app.bundles.work.as_ref().unwrap();
    let suggestion = w
        .merge
        .suggestions
        .iter()
        .find(|s| s.element.as_deref() == Some("DE900001"))
        .expect("a suggestion to bind to the pool element");
    assert_eq!(suggestion.fields.len(), 2);
    assert_eq!(suggestion.reason, "pool_synonym");
    let (before, after) = stats(&app);
    let at = |label: &str| {
        w.merge
            .fields
            .iter()
            .position(|f| f.label == label)
            .expect("an unbound field")
    };
    let (first, second) = (at("紧急联系电话"), at("紧急联络电话"));
    assert_eq!(
        [w.marks[first], w.marks[second]],
        [Mark::Suggested, Mark::Suggested]
    );
    // the second of the two: either offers the same fix
    select_row(&mut app, second);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("? 紧急联络电话"), "{s}");
    press(&mut app, "merge_fix");
    let chooser = app.bundles.chooser.as_ref().expect("the fixes");
    assert_eq!(
        chooser.choices[0].text,
        "2 个字段绑定到 DE900001 紧急联系人电话 · 同义词 90，覆盖本主题 2 个标签"
    );
    press(&mut app, "bundle_open");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let catalog = app.store().unwrap().catalog();
    for (form, key) in [("BD000003", "f90"), ("BD000029", "f91")] {
        let (_, _, f) = catalog.forms[form]
            .fields()
            .find(|(_, _, f)| f.key == key)
            .unwrap();
        assert_eq!(f.element.as_deref(), Some("DE900001"));
    }
    assert_eq!(stats(&app), (before, after - 1), "two rows became one");
}

#[test]
fn the_materials_view_says_why_it_is_empty() {
    // report #11: items without materials are not "no applicable items"
    let records = sample_edited(|c| {
        let mut bundle = c.bundles["ZT001"].clone();
        bundle.materials.clear();
        for code in bundle.items.clone() {
            let mut item = c.items[code.as_str()].clone();
            item.materials.clear();
            c.insert(Record::Item(item));
        }
        c.insert(Record::Bundle(bundle));
    });
    let (mut app, _dir) = restaurant_of(records, Lang::Zh);
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    let w = app.bundles.work.as_ref().unwrap();
    assert_eq!(w.view, RightView::Materials);
    assert!(!w.merge.items.is_empty());
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("（空：适用的事项没有材料）"), "{s}");
    assert!(!s.contains("没有适用的事项"), "{s}");
}

#[test]
fn every_bundle_edit_is_logged_by_what_it_did() {
    // report #15: every edit was `bundle_edit update`
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    let code = bookshop(&mut app);
    press(&mut app, "bundle_condition");
    type_text(&mut app, "big=yes");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "bundle_move_up");
    press(&mut app, "bundle_materials");
    press(&mut app, "bundle_add");
    type_text(&mut app, "CL000090");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, "back");
    press(&mut app, "bundle_remove");
    key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let actions: Vec<String> = app
        .store()
        .unwrap()
        .history(Some(&code))
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    assert_eq!(
        actions,
        [
            "add",
            "bundle_add_items",
            "bundle_add_items",
            "bundle_add_question",
            "bundle_condition",
            "bundle_move_item",
            "bundle_add_material",
            "bundle_remove_item",
        ]
    );
    press(&mut app, "bundle_history");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains(" 移出事项 "), "{s}");
}

#[test]
fn at_80x24_the_bundle_lists_detail_scrolls_to_every_item_and_question() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    press(&mut app, "pane_bundles");
    let s = screen(&mut app, 80, 24);
    // 我要开餐馆's six items and three questions do not fit: counted, and the keys named
    assert!(
        s.contains("还有") && s.contains("shift-up/shift-down 滚动"),
        "{s}"
    );
    assert!(!s.contains("是否设置户外招牌"), "{s}");
    for _ in 0..30 {
        press(&mut app, "bundle_detail_down");
    }
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("是否设置户外招牌"), "{s}");
    assert!(!s.contains("还有") && s.contains('↑'), "{s}");
    assert_eq!(app.bundles.selected, 0, "the list keeps its row");
    // the next bundle's detail starts at its top
    press(&mut app, "select_next");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("编码          ZT002") && !s.contains('↑'), "{s}");
    // an open bundle has no detail: the keys do nothing there
    press(&mut app, "bundle_open");
    press(&mut app, "bundle_detail_down");
    let _ = screen(&mut app, 80, 24);
    for (w, h) in [(1, 1), (71, 10), (72, 4)] {
        press(&mut app, "back");
        app.resize(w, h);
        press(&mut app, "bundle_detail_down");
        let _ = screen(&mut app, w, h);
    }
}

#[test]
fn at_80x24_the_workspaces_selected_row_is_read_whole() {
    let (mut app, _dir) = app_with(sample_records(), Lang::Zh);
    for action in ["pane_bundles", "bundle_open", "merge_focus_next"] {
        press(&mut app, action);
    }
    // the items column: a name cut at the column's width shows whole under the cursor
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("[x] 城镇污水排入排水管网许可证"), "{s}");
    assert!(s.contains("│核发 2天"), "{s}");
    // the others stay one row each, cut
    assert!(s.contains("烟草专卖零售许可证…"), "{s}");
    // the source diff: the selected source's whole row, where it went included
    press(&mut app, "merge_focus_next");
    press(&mut app, "merge_view");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("企业名称 并入 DE000030（另 2"), "{s}");
    assert!(s.contains("││源）"), "{s}");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("f03 地址 并入 DE000010（另 2 源）"), "{s}");
    assert!(s.contains("f01 企业名… 并入 DE000030（另 2 源…"), "{s}");
    // the flow: an item and what it needs
    press(&mut app, "merge_view");
    press(&mut app, "merge_view");
    press(&mut app, "select_next");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("← 公司设立登记"), "{s}");
    for (w, h) in [(1, 1), (30, 6), (80, 8)] {
        let _ = screen(&mut app, w, h);
    }
}

#[test]
fn the_workspace_figures_stay_whole_on_a_narrow_screen() {
    for (lang, days) in [(Lang::Zh, "时限"), (Lang::En, "days")] {
        let (mut app, _dir) = restaurant(lang);
        let wide = screen(&mut app, 120, 36);
        let line = |s: &str, key: &str| -> String {
            s.lines()
                .find(|l| l.contains(key) && l.contains(days))
                .unwrap_or_else(|| panic!("{s}"))
                .to_string()
        };
        let key = lang.pick("字段 ", "fields ");
        assert!(line(&wide, key).contains(lang.pick("免提交", "exempt")));
        app.resize(60, 20);
        let narrow = screen(&mut app, 60, 20);
        let figures = line(&narrow, key);
        // every figure shows to the last one (the items), closer together, without the
        // exempt count
        let items = lang.pick("事项 ", "items ");
        let after = figures
            .split(items)
            .nth(1)
            .unwrap_or_else(|| panic!("{figures}"));
        assert!(
            after.trim_start().starts_with(|c: char| c.is_ascii_digit()),
            "{figures}"
        );
        assert!(!figures.contains('…'), "{figures}");
    }
}
