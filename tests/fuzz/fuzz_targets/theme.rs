//! The theme parser: any text as an overlay on the default theme.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::tui::config::{Source, THEMES};
use yibiao::tui::theme::Theme;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Source {
        file: THEMES[0].1.into(),
        text: THEMES[0].2.into(),
    };
    let overlay = Source {
        file: "theme.toml".into(),
        text: text.into(),
    };
    let mut problems = Vec::new();
    let theme = Theme::load(&base, Some(&overlay), &mut problems);
    let _ = theme.without_colors().colors();
});
