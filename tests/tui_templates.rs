//! 模板库 in the TUI: an entry beside its template (pane 1 and pane 4, marks readable under
//! NO_COLOR) and claiming a template from pane 1.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::model::{AnswerOption, Kind, Question, Record};
use yibiao::store::{Batch, SledStore, Store};
use yibiao::tui::app::{App, Overlay, Pane};
use yibiao::tui::templates::TemplateOverlay;

const GUANGAN_COMPANY: &str = "0100001001-511602000000-000-11511602299513299M-1-00";
const TEMPLATE_COMPANY: &str = "0100001001-510104000000-000-1151010431236097XB-1-00";

/// An app on the sample, optionally with the NO_COLOR theme.
fn sample_app(lang: Lang, no_color: bool) -> (App, tempfile::TempDir) {
    edited_sample_app(lang, no_color, |_| {})
}

/// As [`sample_app`], with the sample's records edited first.
fn edited_sample_app(
    lang: Lang,
    no_color: bool,
    edit: impl FnOnce(&mut Vec<Record>),
) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SledStore::open(&dir.path().join("store")).expect("open");
    let mut records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    edit(&mut records);
    store.apply(Batch::upserts("test", records)).expect("seed");
    let config = yibiao::tui::config::load(None, &Default::default(), no_color);
    let mut app = App::new(Box::new(store), lang, config);
    app.resize(120, 40);
    (app, dir)
}

/// The comparison's text on every page at a size: from its top, a page down at a time to its
/// end.
fn every_page(app: &mut App, w: u16, h: u16) -> String {
    press(app, "select_first");
    let mut out = screen(app, w, h);
    for _ in 0..100 {
        let before = compare_scroll(app);
        press(app, "page_down");
        if compare_scroll(app) == before {
            return out;
        }
        out.push_str(&screen(app, w, h));
    }
    panic!("the comparison never reached its end")
}

fn compare_scroll(app: &App) -> usize {
    match &app.overlay {
        Some(Overlay::Template(t)) => match t.as_ref() {
            TemplateOverlay::Compare(view) => view.scroll,
            TemplateOverlay::Claim(_) => panic!("a claim prompt"),
        },
        _ => panic!("no comparison open"),
    }
}

/// Selects the record with `code` in pane 1 through the filter.
fn select(app: &mut App, code: &str) {
    press(app, "filter");
    type_text(app, code);
    key(app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        app.selected_record().map(|r| r.code().to_string()),
        Some(code.to_string())
    );
}

#[test]
fn a_claimed_item_shows_beside_its_template_with_marks_readable_without_colour() {
    let (mut app, _dir) = sample_app(Lang::Zh, true);
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    assert!(matches!(app.overlay, Some(Overlay::Template(_))));
    let terminal = render(&mut app, 120, 40);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    let s = text(buffer).replace(&app.store_path, "[STORE]");
    insta::assert_snapshot!("template_compare_no_color", s);
    for symbol in [
        "! 承诺时限",
        "= 层级",
        "# f18",
        "* f13",
        "- CL000001",
        "不符合模板：5 处",
    ] {
        assert!(s.contains(symbol), "{symbol}: {s}");
    }
    press(&mut app, "back");
    assert!(app.overlay.is_none());
}

#[test]
fn pane_4_compares_the_selected_bundle_and_uncompared_records_say_why() {
    let (mut app, _dir) = sample_app(Lang::En, false);
    press(&mut app, "pane_bundles");
    let codes: Vec<String> = app
        .store()
        .unwrap()
        .catalog()
        .bundles
        .keys()
        .map(ToString::to_string)
        .collect();
    let at = codes.iter().position(|c| c == "ZT010").expect("ZT010");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    press(&mut app, "bundle_compare");
    let s = every_page(&mut app, 120, 40);
    assert!(s.contains("ZT010"), "{s}");
    assert!(s.contains("questions") && s.contains("- area"), "{s}");
    press(&mut app, "back");

    // a template itself was not claimed from one
    press(&mut app, "pane_catalog");
    select(&mut app, TEMPLATE_COMPANY);
    press(&mut app, "template_compare");
    assert!(app.overlay.is_none());
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("was not claimed from a template"), "{s}");
}

#[test]
fn claiming_a_template_from_pane_1_makes_a_conforming_draft() {
    let (mut app, _dir) = sample_app(Lang::En, false);
    select(&mut app, TEMPLATE_COMPANY);
    press(&mut app, "template_claim");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains(&format!("{TEMPLATE_COMPANY}-RL")), "{s}");
    // a taken code is refused in the prompt
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, GUANGAN_COMPANY);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("exists"), "{s}");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, "SX-NEW");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.overlay.is_none());
    assert_eq!(app.pane, Pane::Catalog);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("1 form(s) copied"), "{s}");
    let catalog = app.store().unwrap().catalog();
    assert!(catalog.get(Kind::Item, "SX-NEW").is_some());
    assert_eq!(
        app.selected_record().map(|r| r.code().to_string()),
        Some("SX-NEW".to_string())
    );
    // the claimed draft conforms
    press(&mut app, "template_compare");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("= conforms to the template"), "{s}");
}

/// The screen's rows between the tab bar and the status bar.
fn overlay_rows(s: &str) -> Vec<&str> {
    let lines: Vec<&str> = s.lines().collect();
    lines[1..lines.len() - 1].to_vec()
}

#[test]
fn the_comparison_covers_the_frames_under_it_to_the_screen_edges() {
    let (mut app, _dir) = sample_app(Lang::Zh, false);
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    let s = screen(&mut app, 120, 40);
    let rows = overlay_rows(&s);
    let edge = |row: &str, at_end: bool| {
        let chars: Vec<char> = row.chars().collect();
        if at_end {
            chars[chars.len() - 2..].iter().collect::<String>()
        } else {
            chars[..2].iter().collect::<String>()
        }
    };
    // the overlay's own border at each edge, nothing of the panes' frames beside it
    assert!(edge(rows[0], false).starts_with('┌'), "{s}");
    assert!(edge(rows[rows.len() - 1], false).starts_with('└'), "{s}");
    for row in &rows {
        for at_end in [false, true] {
            let two = edge(row, at_end);
            let borders = two.chars().filter(|c| "┌┐└┘│".contains(*c)).count();
            assert!(borders <= 1, "{two:?} in {row:?}\n{s}");
        }
    }
}

#[test]
fn long_values_that_differ_late_are_shown_whole_in_both_columns() {
    let (mut app, _dir) = edited_sample_app(Lang::Zh, false, |records| {
        for r in records.iter_mut() {
            if let Record::Item(i) = r
                && i.code == GUANGAN_COMPANY
            {
                i.basis = "《中华人民共和国市场主体登记管理条例》第三十二条".into();
            }
        }
    });
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    let s = screen(&mut app, 120, 40);
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("! 设定依据"))
        .unwrap_or_else(|| panic!("a basis row: {s}"));
    // each value wraps in its own column, to its end: the difference is on the second line
    let row = format!("{}{}", lines[at], lines[at + 1]);
    assert_eq!(
        row.matches("《中华人民共和国市场主体登记管理条").count(),
        2,
        "{row}"
    );
    assert!(
        row.contains("例》第三十二条") && row.contains("例》第三条"),
        "{row}"
    );
    assert!(!row.contains('…'), "nothing cut: {row}");
    // the command line too
    let catalog = app.store().expect("store").catalog();
    let c = yibiao::engine::template::compare(catalog, GUANGAN_COMPANY).expect("claimed");
    assert!(c.attributes.iter().any(|a| a.attribute == "basis"));
}

#[test]
fn at_80x24_the_comparison_wraps_long_rows_scrolls_and_keeps_its_legend_and_close_key() {
    let (mut app, _dir) = sample_app(Lang::Zh, false);
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    let s = screen(&mut app, 80, 24);
    // the legend whole (on two lines) and the keys that scroll and close on the border
    for mark in ["= 一致", "? 数据元不同", "~ 标签不同", "* 必填不同"] {
        assert!(s.contains(mark), "{mark}: {s}");
    }
    assert!(s.contains("esc 关闭"), "{s}");
    assert!(
        s.contains("j/k 滚动") && s.contains("pgdn/pgup 翻页"),
        "{s}"
    );
    // the entry's long code, wrapped in its column rather than cut
    assert!(s.contains("299M-1-00") && s.contains("97XB-1-00"), "{s}");
    // the last rows are below the first page; the scroll keys bring them up
    assert!(!s.contains("- CL000001"), "{s}");
    assert!(s.contains("第 1-"), "the position is shown: {s}");
    press(&mut app, "page_down");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("- CL000001") && s.contains("营业执照"), "{s}");
    // a field's label and element wrap under it: its element code is whole
    assert!(
        s.contains("* f13 电子邮箱") && s.contains("(DE000008)"),
        "{s}"
    );
    // no further than the last line on the last row; up and home come back
    let end = compare_scroll(&app);
    press(&mut app, "select_next");
    press(&mut app, "page_down");
    press(&mut app, "select_last");
    assert_eq!(compare_scroll(&app), end);
    press(&mut app, "select_prev");
    assert_eq!(compare_scroll(&app), end - 1);
    press(&mut app, "select_first");
    assert_eq!(compare_scroll(&app), 0);
    // tiny terminals draw what fits, without a panic
    for (w, h) in [(1, 1), (3, 2), (20, 6), (31, 7), (40, 8)] {
        let _ = screen(&mut app, w, h);
    }
    press(&mut app, "back");
    assert!(app.overlay.is_none());
}

#[test]
fn a_question_added_to_a_claimed_bundle_is_shown_with_its_text() {
    let (mut app, _dir) = edited_sample_app(Lang::En, false, |records| {
        for r in records.iter_mut() {
            if let Record::Bundle(b) = r
                && b.code == "ZT010"
            {
                b.questions.push(Question {
                    key: "night".into(),
                    text: "是否夜间经营？".into(),
                    options: ["yes", "no"]
                        .map(|k| AnswerOption {
                            key: k.into(),
                            text: k.into(),
                        })
                        .into(),
                });
            }
        }
    });
    press(&mut app, "pane_bundles");
    let codes: Vec<String> = app
        .store()
        .unwrap()
        .catalog()
        .bundles
        .keys()
        .map(ToString::to_string)
        .collect();
    let at = codes.iter().position(|c| c == "ZT010").expect("ZT010");
    for _ in 0..at {
        press(&mut app, "select_next");
    }
    press(&mut app, "bundle_compare");
    let s = every_page(&mut app, 120, 40);
    let row = s
        .lines()
        .find(|l| l.contains("+ night"))
        .unwrap_or_else(|| panic!("the added question: {s}"));
    assert!(row.contains("night 是否夜间经营？"), "{row}");
}

#[test]
fn a_field_only_the_entry_has_is_named_once_and_its_sides_say_where_it_is() {
    let (mut app, _dir) = edited_sample_app(Lang::Zh, true, |records| {
        let form = records.iter_mut().find_map(|r| match r {
            Record::Form(f) if f.item.as_deref() == Some(GUANGAN_COMPANY) => Some(f),
            _ => None,
        });
        let form = form.expect("the entry has a form");
        let mut extra = form.sections[0].fields[0].clone();
        extra.key = "f99".into();
        extra.label = "邮编".into();
        extra.element = None;
        form.sections[0].fields.push(extra);
    });
    select(&mut app, GUANGAN_COMPANY);
    press(&mut app, "template_compare");
    let s = every_page(&mut app, 120, 40);
    let row = s
        .lines()
        .find(|l| l.contains("f99 邮编"))
        .unwrap_or_else(|| panic!("{s}"));
    assert_eq!(row.matches("f99").count(), 1, "{row}");
    assert!(row.contains("有") && row.contains("多出"), "{row}");
}
