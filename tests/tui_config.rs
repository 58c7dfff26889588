//! Keymap and theme configuration: every shipped file loads cleanly, and `yibiao config
//! check` reports each kind of problem as `file:line: message` with exit code 1.

use assert_cmd::Command;
use yibiao::tui::action::ACTIONS;
use yibiao::tui::config::{KEYMAPS, Source, THEMES};
use yibiao::tui::keymap::Keymap;
use yibiao::tui::theme::{Slot, Theme};

fn source(file: &str, text: &str) -> Source {
    Source {
        file: file.into(),
        text: text.into(),
    }
}

#[test]
fn every_shipped_keymap_and_theme_loads_with_zero_warnings() {
    for (name, file, text) in KEYMAPS {
        let mut problems = Vec::new();
        let keymap = Keymap::load(&source(file, text), None, &mut problems);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        for def in ACTIONS {
            assert!(
                !keymap.keys_of(def.action).is_empty(),
                "{name}: {} unbound",
                def.name
            );
        }
    }
    for (name, file, text) in THEMES {
        let mut problems = Vec::new();
        let theme = Theme::load(&source(file, text), None, &mut problems);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        for slot in Slot::ALL {
            assert!(
                text.contains(&format!("\n{} = ", slot.name())),
                "{name} lacks {}",
                slot.name()
            );
        }
        let _ = theme;
    }
}

#[test]
fn ansi16_uses_only_the_sixteen_named_colours_and_reverse_video_selection() {
    use ratatui::style::{Color, Modifier};
    let (_, file, text) = THEMES
        .iter()
        .find(|t| t.0 == "ansi16")
        .expect("ansi16 shipped");
    let mut problems = Vec::new();
    let theme = Theme::load(&source(file, text), None, &mut problems);
    for color in theme.colors() {
        assert!(
            !matches!(color, Color::Rgb(..) | Color::Indexed(_)),
            "{color:?} is not one of the 16 named colours"
        );
    }
    assert!(
        theme
            .get(Slot::Selection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    assert!(theme.get(Slot::Selection).bg.is_none());
}

fn yibiao(home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("yibiao").expect("binary");
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("YIBIAO_DB")
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL");
    cmd
}

#[test]
fn config_check_is_clean_without_user_files() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = yibiao(home.path())
        .args(["config", "check"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration ok"));
}

#[test]
fn config_check_reports_each_kind_of_problem_with_file_and_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let keymap = home.path().join("bad-keymap.toml");
    std::fs::write(
        &keymap,
        "# a user keymap with one of each mistake\n\
         [list]\n\
         select_next = [\"j\"]\n\
         select_prev = [\"j\"]\n\
         select_first = \"z z\"\n\
         [catalog]\n\
         opne = \"o\"\n\
         filter = \"ctrl-slash\"\n\
         [global]\n\
         help = \"z\"\n",
    )
    .expect("write");
    let theme = home.path().join("bad-theme.toml");
    std::fs::write(
        &theme,
        "selection = { fg = \"purpl\" }\ntitel = { fg = \"red\" }\nmatch = { modifiers = [\"blink\"] }\n",
    )
    .expect("write");
    let out = yibiao(home.path())
        .arg("--keymap")
        .arg(&keymap)
        .arg("--theme")
        .arg(&theme)
        .args(["config", "check"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let k = keymap.display();
    let t = theme.display();
    for expected in [
        format!("{k}:4: duplicate binding \"j\" in [list]: already bound to select_next on line 3"),
        format!("{k}:7: unknown action \"opne\""),
        format!("{k}:8: unknown key name \"ctrl-slash\""),
        format!("{k}:5: key \"z\" (help, {k}:10) is a prefix of chord \"z z\" (select_first)"),
        format!("{t}:1: selection.fg: unknown colour"),
        format!("{t}:2: unknown style \"titel\""),
        format!("{t}:3: match: unknown modifier blink"),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
}

#[test]
fn user_files_in_the_config_dir_overlay_the_presets() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("config").join("yibiao");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("config.toml"),
        "keymap = \"vim\"\ntheme = \"ansi16\"\nascii_borders = true\n",
    )
    .expect("write");
    std::fs::write(dir.join("keymap.toml"), "[catalog]\nedit = \"E\"\n").expect("write");
    let out = yibiao(home.path())
        .args(["config", "check"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::write(dir.join("theme.toml"), "\n\nborder = { fg = 256 }\n").expect("write");
    std::fs::write(dir.join("config.toml"), "keymap = \"emacs\"\n").expect("write");
    let out = yibiao(home.path())
        .args(["config", "check"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("config.toml:1: unknown preset"), "{stdout}");
    assert!(
        stdout.contains("theme.toml:3: border.fg: unknown colour"),
        "{stdout}"
    );
}

#[test]
fn the_escape_timeout_comes_from_config_toml() {
    use std::time::Duration;
    use yibiao::tui::config::{ConfigFlags, load};
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = ConfigFlags::default();
    assert_eq!(
        load(Some(dir.path()), &flags, false).escape_timeout,
        Duration::from_millis(40)
    );
    std::fs::write(dir.path().join("config.toml"), "escape_timeout_ms = 250\n").expect("write");
    assert_eq!(
        load(Some(dir.path()), &flags, false).escape_timeout,
        Duration::from_millis(250)
    );
    for bad in [
        "escape_timeout_ms = 5000\n",
        "escape_timeout_ms = \"fast\"\n",
    ] {
        std::fs::write(dir.path().join("config.toml"), bad).expect("write");
        let config = load(Some(dir.path()), &flags, false);
        assert_eq!(config.escape_timeout, Duration::from_millis(40), "{bad}");
        assert!(
            config.problems[0]
                .message
                .contains("escape_timeout_ms must be a number from 0 to 1000"),
            "{:?}",
            config.problems
        );
    }
}

#[test]
fn when_the_catalog_loads_comes_from_config_toml() {
    use yibiao::tui::config::{ConfigFlags, load};
    use yibiao::tui::loading::{CatalogLoad, ON_DEMAND_FROM};
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = ConfigFlags::default();
    let config = load(Some(dir.path()), &flags, false);
    assert_eq!(config.load_catalog, CatalogLoad::Auto);
    // by default only a store too big to hold cheaply waits for its catalog to be needed
    assert!(!config.load_catalog.on_demand(ON_DEMAND_FROM - 1));
    assert!(config.load_catalog.on_demand(ON_DEMAND_FROM));
    for (text, when, small, big) in [
        ("on-demand", CatalogLoad::OnDemand, true, true),
        ("at-start", CatalogLoad::AtStart, false, false),
        ("auto", CatalogLoad::Auto, false, true),
    ] {
        let line = format!("load_catalog = \"{text}\"\n");
        std::fs::write(dir.path().join("config.toml"), line).expect("write");
        let config = load(Some(dir.path()), &flags, false);
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(config.load_catalog, when);
        assert_eq!(config.load_catalog.on_demand(10), small, "{text}");
        assert_eq!(config.load_catalog.on_demand(1_306_074), big, "{text}");
    }
    for bad in ["load_catalog = \"lazy\"\n", "load_catalog = true\n"] {
        std::fs::write(dir.path().join("config.toml"), bad).expect("write");
        let config = load(Some(dir.path()), &flags, false);
        assert_eq!(config.load_catalog, CatalogLoad::Auto, "{bad}");
        assert_eq!(
            config.problems[0].to_string(),
            format!(
                "{}:1: load_catalog must be \"auto\", \"at-start\" or \"on-demand\"",
                dir.path().join("config.toml").display()
            )
        );
    }
}

#[test]
fn a_keymap_that_is_neither_a_file_nor_a_preset_is_named_so() {
    use yibiao::tui::config::{ConfigFlags, load};
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = ConfigFlags {
        keymap: Some("nosuchpreset".into()),
        ..ConfigFlags::default()
    };
    let problems = load(Some(dir.path()), &flags, false).problems;
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["nosuchpreset: no such file, and not a preset (presets: default, vim)"]
    );
}

#[test]
fn a_key_bound_to_two_actions_active_together_is_reported_and_the_hint_is_true() {
    use yibiao::tui::action::{Action, Scope};
    use yibiao::tui::config::{ConfigFlags, load};
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[list]\nselect_next = [\"n\", \"down\"]\n[global]\nhelp = [\"g\"]\n[catalog]\nedit = \"a\"\n",
    )
    .expect("write");
    let config = load(Some(dir.path()), &ConfigFlags::default(), false);
    let problems: Vec<String> = config.problems.iter().map(ToString::to_string).collect();
    let file = dir.path().join("keymap.toml").display().to_string();
    for (line, expected) in [
        // a built-in key of a scope searched first shadows the user's binding
        (2, "key \"n\" is bound to next_match ([catalog]"),
        (4, "key \"g\" is bound to select_first ([list]"),
        // the user's binding takes the key of a built-in one of the same scope
        (6, "key \"a\" is bound to edit ([catalog]"),
    ] {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{file}:{line}: {expected}"))),
            "missing {expected:?} in {problems:#?}"
        );
    }
    assert!(
        problems.iter().any(|p| p.contains("and help ([global]")
            && p.ends_with("select_first wins, help is unreachable where both apply")),
        "{problems:#?}"
    );
    // the hint names a key that does what it says: help has none left in pane 1
    let keymap = &config.keymap;
    let pane1 = [Scope::Catalog, Scope::List, Scope::Global];
    assert_eq!(keymap.key_in(Action::Help, &pane1), None);
    assert_eq!(
        keymap.key_in(Action::SelectNext, &pane1).as_deref(),
        Some("down")
    );
    assert_eq!(
        keymap
            .key_in(Action::Help, &[Scope::Editor, Scope::Global])
            .as_deref(),
        Some("g")
    );
}
