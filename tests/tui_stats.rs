//! Pane 5 (统计) on the sample catalog, driven by action names through the default keymap.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::tui::app::{App, Pane};
use yibiao::tui::panes::stats::Section;

fn sample_app(lang: Lang) -> (App, tempfile::TempDir) {
    app_with(yibiao::sample::generate(1).into_records().collect(), lang)
}

/// Steps to a section with `stats_next_section`.
fn goto(app: &mut App, section: Section) {
    for _ in 0..Section::ALL.len() {
        if app.stats.section == section {
            return;
        }
        press(app, "stats_next_section");
    }
    panic!("section {section:?} not reached");
}

#[test]
fn entering_the_pane_computes_on_a_worker_and_sections_switch() {
    let (mut app, _dir) = sample_app(Lang::Zh);
    press(&mut app, "pane_stats");
    assert_eq!(app.pane, Pane::Stats);
    let s = app.stats.stats.as_ref().expect("computed");
    assert_eq!(s.items, 303);
    let share = format!("{:.1}%", s.reuse.bound_share.expect("fields") * 100.0);
    assert!(!app.stats.computing);
    let screen0 = screen(&mut app, 120, 36);
    assert!(screen0.contains("概况"), "{screen0}");
    assert!(screen0.contains("数据元"), "{screen0}");
    assert!(screen0.contains(&share), "{share} in {screen0}");

    press(&mut app, "stats_next_section");
    assert_eq!(app.stats.section, Section::Level);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("实施清单") && s.contains("124"), "{s}");
    press(&mut app, "stats_prev_section");
    assert_eq!(app.stats.section, Section::Overview);

    goto(&mut app, Section::Agency);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("广安市广安区行政审批局"), "{s}");
    goto(&mut app, Section::Reuse);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("移动电话") && s.contains("145"), "{s}");
    assert!(s.contains("未绑定字段"), "{s}");
    goto(&mut app, Section::Bundles);
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("我要开餐馆"), "{s}");
    assert!(s.contains("100→51"), "{s}");

    // scrolling stays inside the section; back returns to its top
    press(&mut app, "select_last");
    assert!(app.stats.scroll > 0);
    press(&mut app, "back");
    assert_eq!(app.stats.scroll, 0);
    assert_eq!(app.pane, Pane::Stats);
}

#[test]
fn saves_elsewhere_show_when_the_pane_is_entered_again() {
    let (mut app, _dir) = sample_app(Lang::En);
    press(&mut app, "pane_stats");
    assert_eq!(app.stats.stats.as_ref().map(|s| s.bundles), Some(12));
    press(&mut app, "pane_bundles");
    press(&mut app, "bundle_claim");
    press(&mut app, "pane_stats");
    assert_eq!(app.stats.stats.as_ref().map(|s| s.bundles), Some(13));
    press(&mut app, "stats_refresh");
    assert_eq!(app.stats.stats.as_ref().map(|s| s.bundles), Some(13));
}

#[test]
fn export_writes_every_table_beside_the_store() {
    let (mut app, dir) = sample_app(Lang::Zh);
    press(&mut app, "pane_stats");
    press(&mut app, "stats_export");
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("yibiao-stats.xlsx"), "{s}");
    assert!(s.contains("输入"), "{s}");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let path = dir.path().join("yibiao-stats.xlsx");
    let bytes = std::fs::read(&path).expect("workbook written");
    assert!(bytes.starts_with(b"PK"));
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("已导出 10 张统计表到"), "{s}");
    assert!(app.stats.prompt.is_none());

    // a path that is not .xlsx keeps the prompt open with the reason
    press(&mut app, "stats_export");
    for _ in 0..40 {
        key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(&mut app, "x.csv");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        app.stats
            .prompt
            .as_ref()
            .and_then(|p| p.error.as_ref())
            .is_some()
    );
    assert!(screen(&mut app, 120, 36).contains(".xlsx"));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.stats.prompt.is_none());
}

#[test]
fn pane_snapshot_zh() {
    let (mut app, _dir) = sample_app(Lang::Zh);
    press(&mut app, "pane_stats");
    goto(&mut app, Section::Type);
    let s = screen(&mut app, 120, 36);
    insta::assert_snapshot!("stats_zh", s.replace(&app.store_path, "[STORE]"));
}

#[test]
fn no_color_and_ascii_stay_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = yibiao::store::SledStore::open(&dir.path().join("store")).expect("open");
    yibiao::store::Store::apply(
        &mut store,
        yibiao::store::Batch::upserts("test", yibiao::sample::generate(1).into_records()),
    )
    .expect("seed");
    let config = yibiao::tui::config::load(None, &Default::default(), true);
    let mut app = App::new(Box::new(store), Lang::Zh, config);
    press(&mut app, "pane_stats");
    goto(&mut app, Section::Bundles);
    let terminal = render(&mut app, 120, 36);
    let buffer = terminal.backend().buffer();
    assert_no_colour(buffer);
    let s = text(buffer);
    insta::assert_snapshot!(
        "stats_bundles_no_color",
        s.replace(&app.store_path, "[STORE]")
    );

    app.config.ascii = true;
    let s = screen(&mut app, 120, 36);
    assert!(s.contains("100->51"), "{s}");
    assert!(s.contains("#-"), "{s}");
    assert!(
        s.chars()
            .all(|c| c.is_ascii() || !matches!(c, '█' | '░' | '→' | '│' | '─')),
        "{s}"
    );
}

#[test]
fn tiny_terminals_do_not_panic() {
    let (mut app, _dir) = sample_app(Lang::En);
    press(&mut app, "pane_stats");
    for section in Section::ALL {
        goto(&mut app, section);
        for (w, h) in [(1, 1), (3, 2), (20, 6), (59, 10), (61, 12)] {
            let _ = screen(&mut app, w, h);
        }
    }
    press(&mut app, "stats_export");
    for (w, h) in [(1, 1), (8, 4), (120, 36)] {
        let _ = screen(&mut app, w, h);
    }
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    let s = screen(&mut app, 120, 36);
    assert!(
        s.contains("Bundle reduction") || s.contains("Overview"),
        "{s}"
    );
}

#[test]
fn scrolling_stops_where_the_last_page_is_full() {
    let (mut app, _dir) = sample_app(Lang::Zh);
    press(&mut app, "pane_stats");
    goto(&mut app, Section::Level);
    let before = screen(&mut app, 100, 24);
    // a section that fits does not scroll at all
    press(&mut app, "select_last");
    press(&mut app, "select_next");
    press(&mut app, "page_down");
    assert_eq!(app.stats.scroll, 0);
    assert_eq!(screen(&mut app, 100, 24), before);
    // a longer one stops with its last row on the last line
    goto(&mut app, Section::Agency);
    press(&mut app, "select_last");
    let last = app.stats.scroll;
    assert!(last > 0);
    press(&mut app, "select_next");
    press(&mut app, "page_down");
    assert_eq!(app.stats.scroll, last);
    let s = screen(&mut app, 100, 24);
    let body: Vec<&str> = s.lines().skip(2).take(20).collect();
    assert!(
        body.iter()
            .all(|l| l.chars().skip(21).any(|c| c != ' ' && c != '│')),
        "every body line shows a row:\n{s}"
    );
}

#[test]
fn at_80x24_every_bundle_figure_is_whole_and_the_rest_scrolls_into_sight() {
    for lang in [Lang::Zh, Lang::En] {
        let (mut app, _dir) = sample_app(lang);
        press(&mut app, "pane_stats");
        goto(&mut app, Section::Bundles);
        let s = screen(&mut app, 80, 24);
        let days = lang.pick("时限", "days");
        // the critical path's days (once cut to `时限  23→1…`) and a bar for every answer set
        assert!(
            s.contains(&format!("{days}  23→10")) && s.contains(&format!("{days}  24→10")),
            "{s}"
        );
        let figures: Vec<&str> = s.lines().filter(|l| l.contains(days)).collect();
        assert!(figures.iter().all(|l| !l.contains('…')), "{s}");
        assert!(s.lines().filter(|l| l.contains('█')).count() >= 4, "{s}");
        // the title says how much is below, the footer how to reach it
        let title = lang.pick("主题减免 ↓", "Bundle reduction ↓");
        assert!(s.contains(title), "{s}");
        assert!(s.contains(lang.pick("j/k 滚动", "j/k scroll")), "{s}");
        // the last bundle is out of sight; the list keys bring it up
        let last = {
            let stats = app.stats.stats.as_ref().expect("computed");
            let b = stats.bundle_reduction.last().expect("bundles");
            format!("{} {}", b.code, b.name)
        };
        assert!(!s.contains(&last), "{s}");
        press(&mut app, "select_last");
        let s = screen(&mut app, 80, 24);
        assert!(s.contains(&last), "{s}");
        assert!(s.contains(&title.replace('↓', "↑")), "{s}");
        assert!(!s.contains(title), "nothing below the last page: {s}");
    }
}

#[test]
fn at_80x24_a_long_agency_name_is_read_whole_above_its_bar() {
    let (mut app, _dir) = sample_app(Lang::Zh);
    press(&mut app, "pane_stats");
    goto(&mut app, Section::Agency);
    let s = screen(&mut app, 80, 24);
    // once cut to `成都市锦江区市…`
    assert!(s.contains("  成都市锦江区市场监督管理局"), "{s}");
    assert!(!s.contains('…'), "{s}");
    // the figures on the next line, under the others'
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("成都市锦江区市场监督管理局"))
        .expect("the agency");
    assert!(lines[at + 1].contains("18 █"), "{s}");
    // names that fit keep their row
    assert!(
        lines
            .iter()
            .any(|l| l.contains("广安市广安区行政审批局") && l.contains("33 █")),
        "{s}"
    );
}
