//! Input split across reads, as over a slow SSH link: keys written to the pty one byte at a
//! time, with pauses shorter than the escape timeout, act as the whole key; a lone Esc acts
//! once the timeout has passed. The timeout is set long (config.toml) so that a busy machine
//! cannot stretch the pauses past it.

mod pty;

use std::time::Duration;

use pty::{Tui, sample_store};

/// The pause between bytes: well under the configured escape timeout (300 ms).
const GAP: Duration = Duration::from_millis(20);

#[test]
fn split_arrow_and_alt_keys_act_whole_and_a_lone_esc_still_cancels() {
    let (home, db) = sample_store();
    pty::write_config(home.path(), "escape_timeout_ms = 300\n");
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.wait_for("事项 [按层级] 1/43");

    // Down as ESC, [, B in three reads: the selection moves (misread, `[` would switch the
    // list to materials and `B` would be typed nowhere)
    tui.send_split(b"\x1b[B", GAP);
    tui.wait_for("事项 [按层级] 2/43");

    // a lone Esc closes the help popup
    tui.send("?");
    tui.wait_for("按键帮助");
    tui.send("\x1b");
    tui.wait_gone("按键帮助");
    tui.wait_for("事项 [按层级] 2/43");

    // pane 2's search box: Alt+Backspace (ESC, DEL) deletes the word before the cursor
    // (misread, Esc would leave the box and Backspace would do nothing)
    tui.send("2");
    tui.wait_for("个结果");
    tui.send("/abc def");
    tui.wait_for("/ abc def");
    tui.send_split(b"\x1b\x7f", GAP);
    tui.wait_gone("abc def");
    tui.send("X");
    tui.wait_for("/ abc X");

    // a lone Esc leaves the box (the cursor goes), so q quits rather than being typed
    tui.send("\x1b");
    tui.wait_cursor_hidden();
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn a_resized_terminal_is_redrawn_at_its_new_size() {
    let (home, db) = sample_store();
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    assert!(
        tui.row(29).contains("浏览"),
        "status bar on the last of 30 rows"
    );
    tui.resize(24, 90);
    // redrawn: the pane bar on top with the brand at the right edge of 90 columns, the
    // status bar on the last of 24 rows
    let redrawn = |tui: &Tui| {
        let top = tui.row(0);
        top.starts_with(" 1 事项")
            && top.trim_end().ends_with("一表 yibiao")
            && tui.row(23).contains("浏览")
    };
    let deadline = std::time::Instant::now() + pty::WAIT;
    while !redrawn(&tui) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(redrawn(&tui), "{}", tui.screen());
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}
