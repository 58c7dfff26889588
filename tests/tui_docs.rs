//! Keeps the README's TUI section in sync with the code: the key table is
//! generated from the action registry and the default keymap, the screen capture from the
//! fixture store. Run with `UPDATE_DOCS=1` to rewrite the generated parts.

mod tui_support;

use tui_support::*;
use yibiao::i18n::Lang;
use yibiao::tui::config::{KEYMAPS, Source};
use yibiao::tui::help;
use yibiao::tui::keymap::Keymap;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

fn replace_between(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let start = doc
        .find(&begin)
        .unwrap_or_else(|| panic!("{DOC} lacks {begin}"))
        + begin.len();
    let stop = doc[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("{DOC} lacks {end}"))
        + start;
    format!("{}{body}{}", &doc[..start], &doc[stop..])
}

fn press_enter(app: &mut yibiao::tui::app::App) {
    key(
        app,
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    );
}

#[test]
fn docs_match_the_registry_and_the_screen() {
    let (_, file, text) = KEYMAPS[0];
    let mut problems = Vec::new();
    let keymap = Keymap::load(
        &Source {
            file: file.into(),
            text: text.into(),
        },
        None,
        &mut problems,
    );
    let table = help::markdown(&keymap, Lang::En);

    let (mut app, _dir) = fixture_app(Lang::Zh);
    press(&mut app, "expand_all");
    press(&mut app, "select_next");
    press(&mut app, "select_next");
    let screen = screen(&mut app, 100, 24).replace(&app.store_path, "~/.local/share/yibiao/store");
    let capture = format!("```text\n{screen}```\n");

    // pane 2 on the generated sample, searched by pinyin initials
    let records: Vec<_> = yibiao::sample::generate(1).into_records().collect();
    let (mut app, _dir) = app_with(records, Lang::Zh);
    press(&mut app, "pane_elements");
    press(&mut app, "element_search");
    type_text(&mut app, "sfzhm");
    press_enter(&mut app);
    let pane2 = tui_support::screen(&mut app, 100, 30)
        .replace(&app.store_path, "~/.local/share/yibiao/store");
    let elements = format!("```text\n{pane2}```\n");

    // pane 4 on the sample: 我要开餐馆 with every question answered
    let records = yibiao::sample::generate(1).into_records().collect();
    let (mut app, _dir4) = app_with(records, Lang::Zh);
    for action in [
        "pane_bundles",
        "bundle_open",
        "merge_toggle",
        "merge_toggle",
        "select_next",
        "merge_toggle",
        "select_next",
        "merge_toggle",
    ] {
        press(&mut app, action);
    }
    let bundles = tui_support::screen(&mut app, 110, 30)
        .replace(&app.store_path, "~/.local/share/yibiao/store");
    let bundles = format!("```text\n{bundles}```\n");

    // pane 5 on the sample: the bundle reduction section
    let records = yibiao::sample::generate(1).into_records().collect();
    let (mut app, _dir5) = app_with(records, Lang::Zh);
    press(&mut app, "pane_stats");
    press(&mut app, "stats_prev_section");
    let stats = tui_support::screen(&mut app, 110, 24)
        .replace(&app.store_path, "~/.local/share/yibiao/store");
    let stats = format!("```text\n{stats}```\n");

    let doc = std::fs::read_to_string(DOC).expect("README.md");
    let expected = replace_between(&replace_between(&doc, "keys", &table), "capture", &capture);
    let expected = replace_between(&expected, "capture-elements", &elements);
    let expected = replace_between(&expected, "capture-bundles", &bundles);
    let expected = replace_between(&expected, "capture-stats", &stats);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(DOC, &expected).expect("write docs");
        return;
    }
    assert!(
        doc == expected,
        "README.md is out of date with the action registry or the screen; run `UPDATE_DOCS=1 cargo test --test tui_docs`"
    );
}
