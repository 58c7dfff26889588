//! TestBackend tests of the TUI, driven by action names through the default keymap.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::display::width;
use yibiao::i18n::Lang;
use yibiao::model::{Item, ItemLevel, ItemType, Origin, Record, Status};
use yibiao::tui::app::{Overlay, Pane};
use yibiao::tui::tree::NodeId;

fn item(code: &str, name: &str, level: ItemLevel, parent: Option<&str>) -> Item {
    Item {
        code: code.into(),
        name: name.into(),
        level,
        parent: parent.map(Into::into),
        item_type: ItemType::Licensing,
        agency: None,
        region: None,
        basis: Default::default(),
        time_limit_days: 0,
        legal_limit_days: 0,
        fee: Default::default(),
        online_depth: 0,
        depends_on: Default::default(),
        materials: Default::default(),
        status: Status::Draft,
        version: 0,
        origin: Origin::SelfBuilt,
        template: false,
        template_of: None,
    }
}

#[test]
fn shell_shows_pane_bar_tree_detail_and_status() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "expand_all");
    let screen = screen(&mut app, 100, 24);
    insta::assert_snapshot!("shell_zh", screen.replace(&app.store_path, "[STORE]"));
    assert!(screen.contains("1 事项"));
    assert!(screen.contains("5 统计"));
    assert!(screen.contains("广安区食品经营许可"));
}

#[test]
fn english_keeps_domain_terms_in_chinese() {
    let (mut app, _dir) = fixture_app(Lang::En);
    let screen = screen(&mut app, 120, 24);
    assert!(screen.contains("1 事项 Items"), "{screen}");
    assert!(screen.contains("2 数据元 Elements"));
    assert!(screen.contains("事项类型 type"), "{screen}");
    assert!(screen.contains("实施主体 agency"));
}

#[test]
fn narrow_tree_truncates_cjk_names_by_display_width() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "expand_all");
    let terminal = render(&mut app, 30, 12);
    let buffer = terminal.backend().buffer();
    let screen = text(buffer);
    insta::assert_snapshot!("tree_narrow", screen.replace(&app.store_path, "[STORE]"));
    for line in screen.lines() {
        assert!(width(line) <= 30, "too wide: {line}");
    }
    // the long implementation name is cut with an ellipsis, the code dropped
    assert!(
        screen.contains("广安区食品…") || screen.contains("广安区食…"),
        "{screen}"
    );
    // no wide character is split at the right border
    for y in 0..buffer.area.height {
        assert!(
            ["│", "┐", "┘", "─", " ", ""].contains(&buffer[(29, y)].symbol()) || y == 0 || y == 11
        );
    }
}

#[test]
fn navigation_expand_collapse_parent_and_grouping() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    assert_eq!(app.catalog.tree.rows().len(), 3);
    press(&mut app, "open");
    assert_eq!(app.catalog.tree.rows().len(), 4);
    press(&mut app, "expand"); // already open: go to the first child
    assert_eq!(
        app.selected_id(),
        Some(NodeId::Record(yibiao::model::Kind::Item, "SX001-01".into()))
    );
    press(&mut app, "parent");
    assert_eq!(app.catalog.selected, 0);
    press(&mut app, "collapse");
    assert_eq!(app.catalog.tree.rows().len(), 3);
    press(&mut app, "select_last");
    assert_eq!(app.catalog.selected, 2);
    press(&mut app, "select_first");
    assert_eq!(app.catalog.selected, 0);
    press(&mut app, "cycle_grouping");
    let screen = screen(&mut app, 100, 24);
    assert!(screen.contains("按实施主体"), "{screen}");
    assert!(screen.contains("广安区市场监督管理局 (2)"), "{screen}");
    press(&mut app, "next_list");
    let screen = screen_text(&mut app);
    assert!(screen.contains("营业执照"), "{screen}");
    assert!(screen.contains("使用它的事项"), "{screen}");
    press(&mut app, "next_list");
    assert!(screen_text(&mut app).contains("我要开餐馆"));
}

fn screen_text(app: &mut yibiao::tui::app::App) -> String {
    screen(app, 100, 24)
}

#[test]
fn filter_keeps_ancestors_highlights_and_steps_with_n() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "filter");
    type_text(&mut app, "实施清单");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let rows: Vec<String> = app
        .catalog
        .tree
        .rows()
        .iter()
        .map(|r| app.catalog.tree.node(*r).name.to_string())
        .collect();
    assert_eq!(
        rows,
        [
            "食品经营许可",
            "食品经营许可（新办）",
            "广安区食品经营许可（新办）实施清单"
        ]
    );
    assert_eq!(app.catalog.selected, 2, "the first match is selected");
    let terminal = render(&mut app, 160, 24);
    let buffer = terminal.backend().buffer();
    // matched text is styled with the match style
    let hit = app.config.theme.get(yibiao::tui::theme::Slot::Match);
    let styled = (0..160u16).any(|x| {
        buffer[(x, 4)].symbol() == "实" && buffer[(x, 4)].bg == hit.bg.unwrap_or_default()
    });
    assert!(styled, "{}", text(buffer));
    press(&mut app, "next_match");
    assert_eq!(app.catalog.selected, 2);
    press(&mut app, "back");
    assert_eq!(app.catalog.tree.query(), None);
    assert_eq!(
        app.catalog.tree.rows().len(),
        5,
        "the revealed match stays visible"
    );
}

#[test]
fn regrouping_a_filtered_tree_keeps_the_selected_match() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "filter");
    type_text(&mut app, "食品");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.catalog.tree.match_count() >= 3);
    // the last match, not the first one a new filter selects
    press(&mut app, "prev_match");
    let chosen = app.selected_id().expect("a match is selected");
    let first = app
        .catalog
        .tree
        .first_match()
        .and_then(|row| app.catalog.tree.row_node(row))
        .map(|n| n.id.to_id());
    assert_ne!(Some(chosen.clone()), first);
    for _ in 0..4 {
        press(&mut app, "cycle_grouping");
        assert!(app.catalog.tree.query().is_some(), "the filter stays");
        assert_eq!(app.selected_id(), Some(chosen.clone()));
        // whatever leads to it shows: the rows above it fit in the panel
        assert_eq!(app.catalog.offset, 0);
    }
}

#[test]
fn the_filter_finds_items_by_pinyin_like_the_item_picker() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    let names = |app: &yibiao::tui::app::App| -> Vec<String> {
        let tree = &app.catalog.tree;
        tree.rows()
            .iter()
            .filter(|r| tree.is_match(**r))
            .map(|r| tree.node(*r).name.to_string())
            .collect()
    };
    // initials of 建设工程规划许可, as pane 4's item picker finds it
    press(&mut app, "filter");
    type_text(&mut app, "jsgcgh");
    let found = names(&app);
    assert!(!found.is_empty(), "pinyin initials match");
    assert!(
        found.iter().all(|n| n.contains("建设工程规划")),
        "{found:?}"
    );
    // full pinyin, a piece of it, and still the name and the code as typed
    for query in ["jianshegongcheng", "gcgh", "建设工程", "SX002"] {
        for _ in 0..20 {
            key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
        }
        type_text(&mut app, query);
        let found = names(&app);
        assert!(
            found.iter().any(|n| n.contains("建设工程规划")),
            "{query}: {found:?}"
        );
    }
    // letters scattered over the name are no match
    for _ in 0..20 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "jsgh");
    assert!(names(&app).is_empty(), "{:?}", names(&app));
}

#[test]
fn help_overlay_is_generated_from_the_registry() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "help");
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    let screen = screen(&mut app, 100, 40);
    insta::assert_snapshot!("help_zh", screen.replace(&app.store_path, "[STORE]"));
    assert!(screen.contains("全局"));
    assert!(screen.contains("下移一行"));
    assert!(screen.contains("j, down"));
    press(&mut app, "back");
    assert!(app.overlay.is_none());
}

#[test]
fn the_help_wraps_long_descriptions_instead_of_cutting_them() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    // the longest description of any action, in the help at 120 columns
    let doc = yibiao::tui::help::groups(&app.config.keymap, Lang::Zh)
        .into_iter()
        .flat_map(|(_, rows)| rows)
        .map(|r| r.doc)
        .max_by_key(|d| width(d))
        .expect("actions");
    assert!(width(doc) > 100, "{doc}");
    press(&mut app, "help");
    // every row of the help, scrolled through, joined without the indentation
    let mut seen = String::new();
    for _ in 0..60 {
        seen.push_str(&screen(&mut app, 120, 40));
        key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
    }
    let flat: String = seen.split_whitespace().collect::<String>().replace('│', "");
    let tail: String = doc.split_whitespace().collect::<String>();
    let tail: String = tail
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(flat.contains(&tail), "the end of {doc:?} is not shown");
}

#[test]
fn palette_runs_an_action_found_by_fuzzy_name() {
    let (mut app, _dir) = fixture_app(Lang::En);
    press(&mut app, "palette");
    type_text(&mut app, "expall");
    let screen = screen(&mut app, 100, 24);
    assert!(screen.contains("expand_all"), "{screen}");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert_eq!(app.catalog.tree.rows().len(), 8);
}

#[test]
fn editor_places_the_cursor_after_cjk_text_by_display_width() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "edit");
    let editor = app.editor.as_ref().expect("editor open");
    assert_eq!(editor.fields[editor.focus].spec.key, "name");
    let mut terminal = render(&mut app, 100, 24);
    insta::assert_snapshot!(
        "editor_zh",
        text(terminal.backend().buffer()).replace(&app.store_path, "[STORE]")
    );
    let label_w = 18; // widest label 承诺时限(工作日) is 16 columns, plus 2
    let cursor = terminal.get_cursor_position().expect("cursor");
    // border (1) + label column + width of 食品经营许可 (12 columns)
    assert_eq!((cursor.x, cursor.y), (1 + label_w + 12, 3));
    key(&mut app, KeyCode::Left, KeyModifiers::NONE);
    type_text(&mut app, "证");
    let editor = app.editor.as_ref().expect("editor open");
    assert_eq!(editor.values()["name"], "食品经营许证可");
    terminal
        .draw(|f| yibiao::tui::view::draw(f, &app))
        .expect("draw");
    let cursor = terminal.get_cursor_position().expect("cursor");
    assert_eq!(
        cursor.x,
        1 + label_w + 12,
        "after 食品经营许证 (12 columns)"
    );
}

#[test]
fn editing_validates_inline_and_saves_only_when_valid() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "edit");
    // clear the name: inline error, save refused
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    let screen = screen_text(&mut app);
    assert!(screen.contains("名称为空"), "{screen}");
    press(&mut app, "save");
    assert!(app.editor.is_some());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("未保存"))
    );
    type_text(&mut app, "餐饮服务许可");
    press(&mut app, "save");
    assert!(app.editor.is_none());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("已保存")),
        "{:?}",
        app.message
    );
    assert_eq!(
        app.store().expect("store").catalog().items["SX001"].name,
        "餐饮服务许可"
    );
    assert!(screen_text(&mut app).contains("已保存"));
}

#[test]
fn unsaved_changes_are_guarded_on_pane_switch_and_quit() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "edit");
    type_text(&mut app, "甲");
    press(&mut app, "pane_elements");
    assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
    assert!(screen_text(&mut app).contains("未保存的修改"));
    press(&mut app, "back"); // Esc keeps editing: never destructive
    assert!(app.overlay.is_none() && app.editor.is_some());
    press(&mut app, "quit");
    assert!(!app.quit);
    type_text(&mut app, "d"); // discard, then quit
    assert!(app.quit);
    assert_eq!(
        app.store().expect("store").catalog().items["SX001"].name,
        "食品经营许可"
    );
}

#[test]
fn pane_switching_and_empty_panes() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "pane_next");
    assert_eq!(app.pane, Pane::Elements);
    press(&mut app, "pane_forms");
    assert!(screen_text(&mut app).contains("食品经营许可申请书"));
    press(&mut app, "pane_stats");
    assert_eq!(app.pane, Pane::Stats);
    press(&mut app, "pane_next");
    assert_eq!(app.pane, Pane::Catalog);
    press(&mut app, "pane_prev");
    assert_eq!(app.pane, Pane::Stats);
}

#[test]
fn add_child_copy_and_delete_with_reference_check() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    // deleting a main item with a child is refused, naming the child
    press(&mut app, "delete");
    let m = app.message.clone().expect("message");
    assert!(
        m.text.contains("仍被引用") && m.text.contains("SX001-01"),
        "{m:?}"
    );
    // add a sub item under 公共场所卫生许可 (SX003)
    press(&mut app, "select_last");
    press(&mut app, "add");
    type_text(&mut app, "公共场所卫生许可（新办）");
    press(&mut app, "save");
    let catalog = app.store().expect("store").catalog();
    let child = &catalog.items["SX003-01"];
    assert_eq!(
        (child.level, child.parent.as_deref()),
        (ItemLevel::Sub, Some("SX003"))
    );
    assert_eq!(
        app.selected_id(),
        Some(NodeId::Record(yibiao::model::Kind::Item, "SX003-01".into()))
    );
    // copy it, then delete the copy after confirming
    press(&mut app, "copy");
    press(&mut app, "save");
    assert!(
        app.store()
            .expect("store")
            .catalog()
            .items
            .contains_key("SX003-01-copy")
    );
    press(&mut app, "delete");
    assert!(screen_text(&mut app).contains("确认删除"));
    type_text(&mut app, "n");
    assert!(
        app.store()
            .expect("store")
            .catalog()
            .items
            .contains_key("SX003-01-copy")
    );
    press(&mut app, "delete");
    type_text(&mut app, "y");
    assert!(
        !app.store()
            .expect("store")
            .catalog()
            .items
            .contains_key("SX003-01-copy")
    );
}

#[test]
fn workflow_and_history() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "publish");
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("不能发布")),
        "{:?}",
        app.message
    );
    press(&mut app, "submit");
    press(&mut app, "publish");
    let item = &app.store().expect("store").catalog().items["SX001"];
    assert_eq!((item.status, item.version), (Status::Published, 1));
    press(&mut app, "history");
    let screen = screen_text(&mut app);
    assert!(screen.contains("修改历史 SX001"), "{screen}");
    assert!(
        screen.contains("发布") && screen.contains("提交"),
        "{screen}"
    );
}

#[test]
fn store_text_is_drawn_inert() {
    let mut bad = item("X1", "坏名\u{1b}[2J\u{7}\u{9b}31m", ItemLevel::Main, None);
    bad.basis = "第一行\u{1b}[31m\n\u{202E}第二行".into();
    let records = vec![
        Record::Item(bad),
        Record::Item(item("X2", "\u{202E}反向", ItemLevel::Main, None)),
    ];
    let (mut app, _dir) = app_with(records, Lang::Zh);
    for size in [(100, 24), (40, 10)] {
        let terminal = render(&mut app, size.0, size.1);
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert!(
                !cell.symbol().chars().any(yibiao::display::is_hostile),
                "raw {:?}",
                cell.symbol()
            );
        }
        let screen = text(buffer);
        assert!(screen.contains("␛[2J") || size.0 < 100, "{screen}");
    }
    press(&mut app, "edit");
    let terminal = render(&mut app, 100, 24);
    for cell in terminal.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(yibiao::display::is_hostile));
    }
    let screen = text(terminal.backend().buffer());
    assert!(screen.contains("第一行␛[31m"), "{screen}");
    assert!(screen.contains("<U+202E>第二行"), "{screen}");
}

#[test]
fn a_multi_line_basis_is_drawn_on_lines_of_its_own() {
    let mut multi = item("X1", "多行依据", ItemLevel::Main, None);
    multi.basis = "《甲法》第一条\n《乙法》第二条\r\n《丙法》\u{1b}第三条\r《丁法》".into();
    let (mut app, _dir) = app_with(vec![Record::Item(multi)], Lang::Zh);
    let screen = screen_text(&mut app);
    assert!(!screen.contains('␊') && !screen.contains('␍'), "{screen}");
    let rows: Vec<&str> = screen.lines().collect();
    let at = |needle: &str| {
        rows.iter()
            .enumerate()
            .find_map(|(row, line)| {
                line.find(needle)
                    .map(|col| (row, yibiao::display::width(&line[..col])))
            })
            .unwrap_or_else(|| panic!("{needle} not drawn:\n{screen}"))
    };
    let (first, column) = at("《甲法》第一条");
    for (i, line) in ["《乙法》第二条", "《丙法》␛第三条", "《丁法》"]
        .into_iter()
        .enumerate()
    {
        assert_eq!(at(line), (first + i + 1, column), "{line}:\n{screen}");
    }
}

#[test]
fn a_role_refusal_is_shown_whole_in_chinese() {
    use yibiao::store::StoreError;
    use yibiao::store::roles::{Deed, Source};
    let (mut app, _dir) = fixture_app(Lang::Zh);
    let refusal = StoreError::Forbidden {
        user: "root".into(),
        role: "reviewer",
        deed: Deed {
            verb: "publish",
            kind: yibiao::model::Kind::Bundle,
            code: "QA-Z1".into(),
        },
        roles: Source::File("/tmp/qa3/home/.config/yibiao/roles.toml".into()),
    };
    app.say(yibiao::tui::app::Level::Error, refusal.describe(Lang::Zh));
    let screen = screen(&mut app, 120, 30);
    // the whole text, its advice at the end included, wrapped over the bottom rows
    let joined = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("用户 root 没有发布主题 QA-Z1所需的 reviewer 角色"),
        "{screen}"
    );
    assert!(
        joined.contains("请管理员在 roles.toml 的 `reviewer` 中加入 root"),
        "{screen}"
    );
}

#[test]
fn welcome_screen_on_an_empty_store() {
    let (mut app, _dir) = app_with(vec![], Lang::Zh);
    let screen = screen_text(&mut app);
    assert!(screen.contains("这个库还是空的"), "{screen}");
    assert!(screen.contains("yibiao import"));
    assert!(screen.contains("enter 或 s"));
    press(&mut app, "load_sample");
    // the sample generator is a stub in this branch: the load completes and says so
    assert!(app.busy.is_none());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("已载入示例"))
    );
}

#[test]
fn resizing_from_200x60_down_to_1x1_and_back_never_panics() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "expand_all");
    let sizes: Vec<(u16, u16)> = (1..=60u16)
        .rev()
        .map(|h| (h * 200 / 60, h))
        .chain([(1, 1), (0, 0), (1, 60), (200, 1)])
        .chain((1..=60u16).map(|h| (h * 200 / 60, h)))
        .collect();
    for setup in ["tree", "help", "palette", "editor", "confirm"] {
        match setup {
            "help" => press(&mut app, "help"),
            "palette" => press(&mut app, "palette"),
            "editor" => press(&mut app, "edit"),
            "confirm" => type_text(&mut app, "x"),
            _ => {}
        }
        if setup == "confirm" {
            press(&mut app, "quit");
            assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
        }
        for &(w, h) in &sizes {
            let w = w.max(u16::from(h == 0));
            let _ = render(&mut app, w.max(1), h.max(1));
        }
        if setup == "help" || setup == "palette" {
            press(&mut app, "back");
        }
    }
}

#[test]
fn a_hundred_thousand_nodes_scroll_without_rebuilding() {
    let mut records = Vec::with_capacity(100_000);
    for m in 0..1_000 {
        let main = format!("M{m:04}");
        records.push(Record::Item(item(
            &main,
            &format!("主项{m}号食品经营许可"),
            ItemLevel::Main,
            None,
        )));
        for s in 0..99 {
            let code = format!("{main}-{s:02}");
            records.push(Record::Item(item(
                &code,
                &format!("子项{s}号（新办）"),
                ItemLevel::Sub,
                Some(&main),
            )));
        }
    }
    let catalog = yibiao::model::Catalog::from_records(records);
    let start = std::time::Instant::now();
    let mut tree = yibiao::tui::tree::Tree::build(
        &catalog,
        yibiao::tui::tree::ListKind::Items,
        yibiao::tui::tree::Grouping::Level,
        &Default::default(),
        Lang::Zh,
    );
    tree.set_all_expanded(true);
    assert_eq!(tree.rows().len(), 100_000);
    let built = start.elapsed();
    eprintln!("build + expand 100k: {built:?}");
    let (mut app, _dir) = fixture_app(Lang::Zh);
    app.catalog.tree = tree;
    app.resize(120, 40);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    let start = std::time::Instant::now();
    for _ in 0..200 {
        press(&mut app, "page_down");
        terminal
            .draw(|f| yibiao::tui::view::draw(f, &app))
            .expect("draw");
    }
    let per_frame = start.elapsed() / 200;
    eprintln!("page down + frame at 100k rows: {per_frame:?}");
    assert!(app.catalog.selected > 5_000);
    // generous for a debug build on a shared machine; release is far below a millisecond
    assert!(
        per_frame < std::time::Duration::from_millis(100),
        "{per_frame:?}"
    );
}

#[test]
fn ascii_mode_draws_no_ambiguous_width_character_and_no_emoji() {
    use unicode_width::UnicodeWidthStr;
    let (mut app, _dir) = fixture_app(Lang::Zh);
    app.config = yibiao::tui::config::load(
        None,
        &yibiao::tui::ConfigFlags {
            ascii: true,
            ..Default::default()
        },
        false,
    );
    press(&mut app, "expand_all");
    let mut screens = vec![render(&mut app, 60, 24)];
    press(&mut app, "help");
    screens.push(render(&mut app, 100, 40));
    press(&mut app, "back");
    press(&mut app, "edit");
    screens.push(render(&mut app, 100, 24));
    // every pane of the sample on a small terminal, where text is cut (`…` would be drawn)
    let (mut sample, _sample_dir) = app_with(
        yibiao::sample::generate(1).into_records().collect(),
        Lang::Zh,
    );
    sample.config = app.config.clone();
    for pane in ["pane_elements", "pane_forms", "pane_bundles", "pane_stats"] {
        press(&mut sample, pane);
        screens.push(render(&mut sample, 80, 24));
    }
    for terminal in &screens {
        for cell in terminal.backend().buffer().content() {
            let s = cell.symbol();
            assert_eq!(s.width(), s.width_cjk(), "ambiguous-width {s:?}");
            assert!(!s.contains('\u{FE0F}'), "VS16 emoji in {s:?}");
        }
    }
    assert!(
        text(screens[0].backend().buffer()).contains("-+"),
        "ASCII borders"
    );
}

#[test]
fn a_childs_problem_names_the_child_instead_of_sitting_under_a_field() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    // SX001 (主项, with the child SX001-01) becomes a 子项
    press(&mut app, "edit");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let editor = app.editor.as_ref().expect("editor open");
    assert_eq!(editor.fields[editor.focus].spec.key, "level");
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(
        app.editor.as_ref().expect("editor").values()["level"],
        "sub"
    );
    press(&mut app, "save");
    let editor = app.editor.as_ref().expect("not saved");
    assert_eq!(editor.errors_of("parent").count(), 0, "{:?}", editor.errors);
    let general: Vec<_> = editor.general_errors().map(|e| e.message.clone()).collect();
    assert_eq!(general.len(), 1, "{general:?}");
    assert!(general[0].starts_with("下级事项 SX001-01"), "{general:?}");
    let screen = screen(&mut app, 120, 24);
    assert!(screen.contains("! 下级事项 SX001-01"), "{screen}");
}

#[test]
fn the_palette_key_in_the_help_opens_the_palette_in_its_place() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "help");
    let screen = screen(&mut app, 120, 30);
    assert!(screen.contains(": 命令面板查找动作"), "{screen}");
    key(&mut app, KeyCode::Char(':'), KeyModifiers::NONE);
    assert!(matches!(app.overlay, Some(Overlay::Palette(_))));
    // esc closes the palette and the help stays closed
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
}

#[test]
fn switching_lists_and_back_keeps_each_trees_expansion_and_selection() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "expand");
    press(&mut app, "expand");
    let id = app.selected_id().expect("a child selected");
    assert_eq!(
        id,
        NodeId::Record(yibiao::model::Kind::Item, "SX001-01".into())
    );
    let rows = app.catalog.tree.rows().len();
    let before = screen_text(&mut app);
    press(&mut app, "next_list");
    assert_ne!(app.selected_id(), Some(id.clone()));
    press(&mut app, "prev_list");
    assert_eq!(app.selected_id(), Some(id));
    assert_eq!(app.catalog.tree.rows().len(), rows, "still expanded");
    assert_eq!(screen_text(&mut app), before);
}

#[test]
fn rows_whose_code_does_not_fit_show_where_it_differs_from_its_siblings() {
    // 实施清单 codes of two counties (their tails, the agencies' codes, differ), then the 子项
    // of a county catalog (they differ early, and share a long tail)
    let cases = [
        (
            [
                "0100001001-510104000000-000-1151010431236097XB-1-00",
                "0100001001-511602000000-000-11511602299513299M-1-00",
            ],
            ["XB-1-00", "9M-1-00"],
        ),
        (
            [
                "511A0005200003-000-115113016823646795-1-00",
                "511A0005200009-000-115113016823646795-1-00",
            ],
            ["003-", "009-"],
        ),
    ];
    for ([a, b], [in_a, in_b]) in cases {
        let records = vec![
            Record::Item(item("0100001000", "公司登记", ItemLevel::Main, None)),
            Record::Item(item(a, "公司设立登记", ItemLevel::Sub, Some("0100001000"))),
            Record::Item(item(b, "公司设立登记", ItemLevel::Sub, Some("0100001000"))),
        ];
        let (mut app, _dir) = app_with(records, Lang::Zh);
        press(&mut app, "expand_all");
        for w in [60, 80, 100] {
            let s = screen(&mut app, w, 24);
            let rows: Vec<&str> = s.lines().filter(|l| l.contains("公司设立")).collect();
            assert_eq!(rows.len(), 2, "{s}");
            assert!(rows[0].contains(in_a), "{w}: {}", rows[0]);
            assert!(rows[1].contains(in_b), "{w}: {}", rows[1]);
            // the code column still ends at the tree's border, CJK or not
            let ends: Vec<usize> = rows
                .iter()
                .map(|r| width(&r[..r.rfind('│').expect("border")]))
                .collect();
            assert_eq!(ends[0], ends[1], "{s}");
        }
    }
}

#[test]
fn a_refused_delete_names_fields_by_label_and_keeps_the_count_visible() {
    let mut records = vec![Record::Item(item(
        "0100001000",
        "公司登记",
        ItemLevel::Main,
        None,
    ))];
    for n in 1..=4 {
        let code = format!("010000100{n}");
        records.push(Record::Item(item(
            &code,
            "公司设立登记",
            ItemLevel::Sub,
            Some("0100001000"),
        )));
    }
    let (mut app, _dir) = app_with(records, Lang::Zh);
    for w in [120, 80] {
        app.resize(w, 24);
        press(&mut app, "delete");
        let s = screen(&mut app, w, 24);
        let status = s.lines().last().expect("status line");
        assert!(status.contains("不能删除 0100001000"), "{w}: {status}");
        // the field's label, not its file name (report #5)
        assert!(status.contains("（上级事项）"), "{w}: {status}");
        assert!(!status.contains("parent"), "{w}: {status}");
        // the count is whole, however many referrers fit before it
        assert!(status.contains("等 4 处"), "{w}: {status}");
        assert!(width(status) <= usize::from(w), "{w}: {status}");
    }
    let (mut app, _dir) = app_with(
        vec![
            Record::Item(item("0100001000", "公司登记", ItemLevel::Main, None)),
            Record::Item(item(
                "0100001001",
                "公司设立登记",
                ItemLevel::Sub,
                Some("0100001000"),
            )),
        ],
        Lang::En,
    );
    app.resize(120, 24);
    press(&mut app, "delete");
    let text = app.message.clone().expect("message").text;
    assert_eq!(
        text,
        "cannot delete 0100001000: still referenced by item 0100001001 (parent)"
    );
}

#[test]
fn pasted_cr_line_breaks_and_tabs_survive_in_every_input() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "edit");
    // a one-line field: each line break and tab is a space, the trailing break is dropped
    paste(&mut app, "甲\r乙\r\n丙\t丁\r");
    let editor = app.editor.as_ref().expect("editor open");
    assert!(
        editor.values()["name"].ends_with("甲 乙 丙 丁"),
        "{:?}",
        editor.values()
    );
    while app
        .editor
        .as_ref()
        .is_some_and(|e| e.fields[e.focus].spec.key != "basis")
    {
        press(&mut app, "next_field");
    }
    let before = app.editor.as_ref().expect("editor").values()["basis"].clone();
    // PuTTY and xterm send CR; tmux mixes LF, CRLF and CR
    paste(&mut app, "L1\rL2\rL3\n第二行\r\n第三行\ttab");
    let basis = app.editor.as_ref().expect("editor").values()["basis"].clone();
    assert_eq!(
        basis.strip_prefix(&before).unwrap_or(&basis),
        "L1\nL2\nL3\n第二行\n第三行 tab"
    );
    // the catalog filter: one line
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "filter");
    paste(&mut app, "食品\r经营");
    assert_eq!(
        app.catalog
            .filter_input
            .as_ref()
            .map(|i| i.value().to_string()),
        Some("食品 经营".to_string())
    );
}

#[test]
fn one_working_day_is_singular_in_english() {
    let mut one = item("SX1", "公司登记", ItemLevel::Main, None);
    (one.time_limit_days, one.legal_limit_days) = (1, 20);
    let (mut app, _dir) = app_with(vec![Record::Item(one)], Lang::En);
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("1 working day "), "{s}");
    assert!(!s.contains("1 working days"), "{s}");
    assert!(s.contains("20 working days"), "{s}");
}

#[test]
fn a_monochrome_term_draws_without_colour_and_the_selection_in_reverse_video() {
    use std::ffi::OsStr;
    use yibiao::tui::config::{self, ConfigFlags};
    let no_color = config::no_color_wanted(None, Some(OsStr::new("xterm-mono")));
    let (mut app, _dir) = fixture_app(Lang::Zh);
    app.config = config::load(None, &ConfigFlags::default(), no_color);
    let terminal = render(&mut app, 100, 24);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    assert!(
        buffer
            .content()
            .iter()
            .any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED)),
        "the selection shows in reverse video"
    );
}

#[test]
fn the_footer_names_no_key_that_another_action_shadows() {
    use yibiao::tui::config::{self, ConfigFlags};
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("keymap.toml"), "[global]\nhelp = [\"g\"]\n").expect("write");
    let (mut app, _dir) = fixture_app(Lang::Zh);
    app.config = config::load(Some(dir.path()), &ConfigFlags::default(), false);
    let s = screen(&mut app, 100, 24);
    // g selects the first row in pane 1: help is reached from the palette there
    assert!(!s.contains("g 帮助") && s.contains(":help 帮助"), "{s}");
}

#[test]
fn at_80x24_the_catalog_detail_scrolls_to_its_forms_materials_and_bundles() {
    let records = yibiao::sample::generate(1).into_records().collect();
    let (mut app, _dir) = app_with(records, Lang::Zh);
    press(&mut app, "filter");
    type_text(
        &mut app,
        "0100001001-511602000000-000-11511602299513299M-1-00",
    );
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&mut app, 80, 24);
    // the item's detail runs past its panel: counted on its last row, the keys below it
    assert!(s.contains("… 还有 33 行") && s.contains("K/J 滚动"), "{s}");
    assert!(!s.contains("所属主题") && !s.contains("ZT012"), "{s}");
    let selected = app.catalog.selected;
    for _ in 0..40 {
        press(&mut app, "detail_down");
    }
    let s = screen(&mut app, 80, 24);
    // the last of its bundles, and nothing more below
    assert!(s.contains("ZT012 我要开书店"), "{s}");
    assert!(s.contains("↑32 K/J 滚动") && !s.contains("还有"), "{s}");
    assert_eq!(app.catalog.selected, selected, "the tree keeps its row");
    press(&mut app, "detail_up");
    assert!(screen(&mut app, 80, 24).contains("↑31"));
    // a narrow terminal has no detail to scroll; nothing breaks
    for (w, h) in [(1, 1), (40, 10), (72, 4)] {
        app.resize(w, h);
        press(&mut app, "detail_down");
        let _ = screen(&mut app, w, h);
    }
}

#[test]
fn a_confirmation_keeps_its_keys_in_sight_on_a_short_screen() {
    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "select_last");
    press(&mut app, "add");
    type_text(
        &mut app,
        "公共场所卫生许可（新办）延续换证变更注销一并办理的长名称",
    );
    press(&mut app, "save");
    press(&mut app, "delete");
    assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
    // roomy: the whole question, a blank line, the keys
    let s = screen(&mut app, 40, 12);
    assert!(s.contains("审计日志") && s.contains("y 删除"), "{s}");
    // shorter: the blank line goes first, then the question gives way (its last row counts
    // what is cut); the keys stay
    let s = screen(&mut app, 40, 6);
    assert!(
        s.contains("审计日志") && s.contains("y 删除    n / Esc 取消"),
        "{s}"
    );
    let s = screen(&mut app, 40, 5);
    assert!(s.contains("y 删除    n / Esc 取消"), "{s}");
    assert!(s.contains("… 还有 2 行"), "{s}");
    for (w, h) in [(1, 1), (8, 3), (40, 4)] {
        let _ = screen(&mut app, w, h);
    }
    type_text(&mut app, "n");
    assert!(app.overlay.is_none());
}
