//! Footers and hint lines at 80×24 and 60×20, in Chinese and English: where a panel's hints
//! do not all fit they close up, shorten and drop the least important, so that no hint is
//! cut in the middle of a word (QA: pane 2's list footer, pane 3's preview footer, the form
//! designer's hint line); the status bar's counts are never cut short either.

mod tui_support;

use tui_support::{app_with, press, screen, type_text};
use yibiao::i18n::Lang;
use yibiao::tui::app::App;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

/// Every title on a bottom border (`└ a add s save ───┘`) ends with a blank before the
/// border goes on: a title that runs into the border (`└ a add s sa┘`) was cut.
fn assert_bottom_titles_whole(s: &str, state: &str) {
    for line in s.lines() {
        for (i, _) in line.match_indices('└') {
            let rest = &line[i + '└'.len_utf8()..];
            let end = rest.find(['─', '┘', '└']).unwrap_or(rest.len());
            let title = &rest[..end];
            if title.trim().is_empty() {
                continue;
            }
            assert!(
                title.ends_with(' ') && !title.contains('…'),
                "{state}: a cut hint `{title}` in\n{s}"
            );
        }
    }
}

/// The hint line inside a popup (the one holding `marker`) is not cut (`…`).
fn assert_hint_line_whole(s: &str, marker: &str, state: &str) {
    let line = s
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{state}: no `{marker}` in\n{s}"));
    assert!(!line.contains('…'), "{state}: {line}\n{s}");
}

/// The status bar (the last line) shows the bundle count whole.
fn assert_status_counts_whole(s: &str, bundles: usize, state: &str) {
    let last = s.lines().last().unwrap_or_default();
    let shown = last
        .split_whitespace()
        .skip_while(|w| !w.contains("主题"))
        .find_map(|w| w.parse::<usize>().ok());
    assert_eq!(shown, Some(bundles), "{state}: {last}");
}

/// The pane bar (the first line) names all five panes, none cut.
fn assert_pane_bar_whole(s: &str, state: &str) {
    let bar = s.lines().next().unwrap_or_default();
    for (n, label) in (1..).zip(["事项", "数据元", "表单", "主题", "统计"]) {
        assert!(
            bar.contains(&format!("{n} {label}")) || bar.contains(&format!("{n}{label}")),
            "{state}: pane {n} {label} not in `{bar}`"
        );
    }
    assert!(!bar.contains('…'), "{state}: {bar}");
}

fn check(app: &mut App, state: &str) {
    let bundles = app.store().map_or(0, |s| s.catalog().bundles.len());
    for (w, h) in SIZES {
        let s = screen(app, w, h);
        let state = format!("{state} {w}x{h} {:?}", app.lang);
        assert_pane_bar_whole(&s, &state);
        assert_bottom_titles_whole(&s, &state);
        assert_status_counts_whole(&s, bundles, &state);
    }
}

fn sample(lang: Lang) -> (App, tempfile::TempDir) {
    app_with(yibiao::sample::generate(1).into_records().collect(), lang)
}

#[test]
fn pane_footers_fit_at_80_and_60_columns() {
    for lang in [Lang::Zh, Lang::En] {
        let (mut app, _dir) = sample(lang);
        check(&mut app, "catalog");
        press(&mut app, "select_next");
        press(&mut app, "edit");
        check(&mut app, "editor");
        press(&mut app, "back");
        press(&mut app, "pane_elements");
        check(&mut app, "elements");
        press(&mut app, "element_dups");
        check(&mut app, "dups");
        press(&mut app, "back");
        press(&mut app, "pane_forms");
        check(&mut app, "forms");
        press(&mut app, "form_open");
        check(&mut app, "designer");
        press(&mut app, "form_preview");
        check(&mut app, "preview");
        press(&mut app, "back");
        press(&mut app, "select_next");
        press(&mut app, "form_condition");
        check(&mut app, "condition");
        press(&mut app, "back");
        press(&mut app, "pane_bundles");
        check(&mut app, "bundles");
        press(&mut app, "bundle_open");
        check(&mut app, "workspace");
        press(&mut app, "merge_view");
        check(&mut app, "workspace view");
        press(&mut app, "merge_view");
        press(&mut app, "merge_view");
        check(&mut app, "flow");
        for (w, h) in SIZES {
            let s = screen(&mut app, w, h);
            let footer = s
                .lines()
                .find(|l| l.contains("Mermaid"))
                .unwrap_or_default();
            assert!(footer.contains("DOT"), "{w}x{h}: the flow's keys stay\n{s}");
        }
        press(&mut app, "back");
        press(&mut app, "pane_stats");
        check(&mut app, "stats");
    }
}

#[test]
fn the_pane_bar_keeps_every_pane_as_the_terminal_narrows() {
    let (mut app, _dir) = sample(Lang::En);
    let bar = |app: &mut App, w: u16| {
        screen(app, w, 12)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let wide = bar(&mut app, 100);
    assert!(
        wide.contains("5 统计 Stats") && wide.contains("一表 yibiao"),
        "{wide}"
    );
    // the English words go first, then the gaps
    let narrow = bar(&mut app, 60);
    assert!(
        narrow.contains(" 5 统计 ") && !narrow.contains("Stats"),
        "{narrow}"
    );
    let packed = bar(&mut app, 36);
    assert!(
        packed.starts_with("1事项 2数据元 3表单 4主题 5统计"),
        "{packed}"
    );
    for w in [80, 60, 40, 36] {
        assert_pane_bar_whole(&screen(&mut app, w, 12), &format!("{w} columns"));
    }
    // narrower still: the numbers, and the open pane's term
    assert!(bar(&mut app, 30).starts_with("1事项 2 3 4 5 "));
    press(&mut app, "pane_forms");
    assert!(bar(&mut app, 30).starts_with("1 2 3表单 4 5 "));
}

#[test]
fn picker_hint_lines_fit_at_80_and_60_columns() {
    for lang in [Lang::Zh, Lang::En] {
        let (mut app, _dir) = sample(lang);
        press(&mut app, "pane_forms");
        press(&mut app, "form_new");
        for (w, h) in SIZES {
            let s = screen(&mut app, w, h);
            let state = format!("new form's item picker {w}x{h} {lang:?}");
            assert_hint_line_whole(&s, lang.pick("选定", "chooses"), &state);
            assert_bottom_titles_whole(&s, &state);
        }
        press(&mut app, "back");
        press(&mut app, "pane_bundles");
        press(&mut app, "bundle_open");
        press(&mut app, "bundle_lead");
        for (w, h) in SIZES {
            let s = screen(&mut app, w, h);
            let state = format!("lead picker {w}x{h} {lang:?}");
            assert_hint_line_whole(&s, lang.pick("选定", "chooses"), &state);
        }
        press(&mut app, "back");
        press(&mut app, "merge_focus_next");
        press(&mut app, "bundle_add");
        type_text(&mut app, "x");
        for (w, h) in SIZES {
            let s = screen(&mut app, w, h);
            let state = format!("item picker {w}x{h} {lang:?}");
            assert_hint_line_whole(&s, lang.pick("标记", "marks"), &state);
        }
    }
}

/// The designer keeps its most used keys (add, required, save) on a narrow screen, and the
/// full hint line where there is room.
#[test]
fn the_designer_hint_line_drops_the_least_used_keys_first() {
    let (mut app, _dir) = sample(Lang::En);
    press(&mut app, "pane_forms");
    press(&mut app, "form_open");
    let wide = screen(&mut app, 200, 40);
    assert!(wide.contains(" move ") && wide.contains(" undo "), "{wide}");
    let narrow = screen(&mut app, 60, 20);
    let line = narrow
        .lines()
        .find(|l| l.contains(" add "))
        .unwrap_or_else(|| panic!("{narrow}"));
    assert!(line.contains(" save "), "{line}");
    assert!(line.contains(" req"), "{line}");
    assert!(!line.contains(" move "), "{line}");
}
