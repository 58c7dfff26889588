//! Hostile names in every pane: escape sequences, C1 controls and bidi overrides stored in
//! records are drawn as visible placeholders and never reach the terminal raw.

mod tui_support;

use tui_support::{app_with, press, screen};
use yibiao::i18n::Lang;
use yibiao::model::Record;

const EVIL: &str = "\u{1b}[2J\u{9b}31m\u{202e}";

fn hostile_sample() -> Vec<Record> {
    let mut catalog = yibiao::sample::generate(1);
    let bundle = catalog.bundles.get_mut("ZT001").expect("我要开餐馆");
    bundle.name = format!("我要开餐馆{EVIL}").into();
    let first_form = bundle_form(&catalog);
    let form = catalog.forms.get_mut(first_form.as_str()).expect("form");
    form.name = format!("{}{EVIL}", form.name).into();
    if let Some(field) = form.sections[0].fields.first_mut() {
        field.label = format!("标签{EVIL}").into();
    }
    for element in catalog.elements.values_mut().take(3) {
        element.name = format!("{}{EVIL}", element.name).into();
    }
    for agency in catalog.agencies.values_mut() {
        agency.name = format!("{}{EVIL}", agency.name).into();
    }
    catalog.into_records().collect()
}

/// The first form of the restaurant bundle's first item.
fn bundle_form(catalog: &yibiao::model::Catalog) -> String {
    let item = &catalog.bundles["ZT001"].items[0];
    yibiao::engine::merge::item_forms(catalog, item)[0]
        .code
        .to_string()
}

fn assert_inert(s: &str, pane: &str) {
    for bad in ['\u{1b}', '\u{9b}', '\u{202e}'] {
        assert!(!s.contains(bad), "{pane}: raw {bad:?} on screen:\n{s}");
    }
}

#[test]
fn every_pane_draws_hostile_names_as_placeholders() {
    let (mut app, _dir) = app_with(hostile_sample(), Lang::Zh);
    let mut seen_placeholder = false;
    for (pane, actions) in [
        ("catalog", vec!["pane_catalog", "next_list", "next_list"]),
        ("elements", vec!["pane_elements"]),
        ("forms", vec!["pane_forms", "form_open"]),
        ("bundles", vec!["pane_bundles", "bundle_open"]),
        (
            "stats",
            vec![
                "pane_stats",
                "stats_next_section",
                "stats_next_section",
                "stats_next_section",
                "stats_next_section",
                "stats_next_section",
            ],
        ),
    ] {
        for a in actions {
            press(&mut app, a);
        }
        let s = screen(&mut app, 140, 40);
        assert_inert(&s, pane);
        seen_placeholder |= s.contains("␛[2J");
        if pane == "bundles" {
            assert!(
                s.contains("我要开餐馆␛[2J<U+009B>31m<U+202E>"),
                "bundles:\n{s}"
            );
        }
        if pane == "stats" {
            assert!(
                s.contains("␛[2J"),
                "stats by agency shows the placeholder:\n{s}"
            );
        }
    }
    assert!(seen_placeholder);
}
