//! The keymap parser: any text as an overlay on the default keymap, then every lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::tui::config::{KEYMAPS, Source};
use yibiao::tui::keymap::Keymap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Source {
        file: KEYMAPS[0].1.into(),
        text: KEYMAPS[0].2.into(),
    };
    let overlay = Source {
        file: "keymap.toml".into(),
        text: text.into(),
    };
    let mut problems = Vec::new();
    let keymap = Keymap::load(&base, Some(&overlay), &mut problems);
    for problem in &problems {
        let _ = problem.to_string();
    }
    let _ = yibiao::tui::keymap::unbound(&keymap);
});
