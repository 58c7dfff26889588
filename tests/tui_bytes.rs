//! Bytes per action over a slow link: the TUI runs in a 120 × 40 pty on the bundled sample
//! (Chinese names everywhere) and every byte it writes for one action is counted. The counts
//! are deterministic (the same keys on the same data draw the same frames), so they are held
//! to fixed budgets; the measured numbers are printed for the README ("Remote use over SSH").

mod pty;

use std::time::Duration;

use pty::{Tui, sample_store};

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// Output is settled once nothing has been written for this long.
const QUIET: Duration = Duration::from_millis(300);

const DOWN: &str = "\x1b[B";
const PAGE_DOWN: &str = "\x1b[6~";

/// The bytes written in answer to `keys`, once the output has settled again (`wait`, if
/// given, must be on screen before the output counts as settled).
fn bytes_for(tui: &mut Tui, keys: &str, wait: Option<&str>) -> usize {
    let before = tui.quiet(QUIET);
    tui.send(keys);
    if let Some(text) = wait {
        tui.wait_for(text);
    }
    let after = tui.quiet(QUIET);
    // `YIBIAO_BYTES_DUMP=DIR` keeps each action's bytes (0.bin, 1.bin, …) to study them
    if let Some(dir) = std::env::var_os("YIBIAO_BYTES_DUMP") {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let file = std::path::Path::new(&dir).join(format!("{n}.bin"));
        std::fs::write(file, &tui.raw()[before..after]).expect("dump");
    }
    after - before
}

#[test]
fn bytes_per_action_stay_within_budget_on_a_120_by_40_screen() {
    let (home, db) = sample_store();
    let mut tui = Tui::start_sized(&db, home.path(), ROWS, COLS, &[]);
    tui.wait_for("浏览");
    // a tree worth moving through: every level expanded
    tui.send("+");
    tui.wait_for("▾ 食品经营许可证核发");

    let tree_move = bytes_for(&mut tui, DOWN, Some(" 2/"));
    let tree_page = bytes_for(&mut tui, PAGE_DOWN, None);

    // pane 2 once to build its index, back, then the switch that is measured
    tui.send("2");
    tui.wait_for("个结果");
    tui.send("1");
    tui.wait_for("浏览");
    let to_elements = bytes_for(&mut tui, "2", Some("个结果"));
    let list_move = bytes_for(&mut tui, DOWN, Some(" 2/"));
    let list_page = bytes_for(&mut tui, PAGE_DOWN, None);
    tui.send("/");
    tui.quiet(QUIET);
    let search_key = bytes_for(&mut tui, "x", Some("/ x"));
    tui.send("\r");
    let to_catalog = bytes_for(&mut tui, "1", Some("浏览"));

    let before = tui.quiet(QUIET);
    std::thread::sleep(Duration::from_secs(1));
    let idle = tui.raw_len() - before;

    eprintln!("bytes per action at {COLS}×{ROWS}:");
    eprintln!("  pane 1 cursor move      {tree_move:>6}");
    eprintln!("  pane 1 page down        {tree_page:>6}");
    eprintln!("  pane 2 cursor move      {list_move:>6}");
    eprintln!("  pane 2 page down        {list_page:>6}");
    eprintln!("  pane switch 1 → 2       {to_elements:>6}");
    eprintln!("  pane switch 2 → 1       {to_catalog:>6}");
    eprintln!("  search keystroke        {search_key:>6}");
    eprintln!("  idle second             {idle:>6}");

    tui.send("q");
    assert_eq!(tui.exit_code(), 0);

    // budgets (issue 9): a cursor move at most 300 bytes, a page down at most 3,000, an idle
    // second nothing. A cursor move redraws the two names of the selection and what the
    // detail beside it says differently (in pane 2 a different element's own definition,
    // synonyms and children: ~190 bytes of it are new text); a page down rewrites both
    // halves of the screen. Pane switches and a search keystroke redraw most of the screen:
    // held to what they take now, with a little headroom.
    assert!(tree_move <= 300, "pane 1 cursor move: {tree_move} B");
    assert!(list_move <= 300, "pane 2 cursor move: {list_move} B");
    assert!(tree_page <= 3_000, "pane 1 page down: {tree_page} B");
    assert!(list_page <= 3_000, "pane 2 page down: {list_page} B");
    assert!(to_elements <= 6_000, "pane switch 1 → 2: {to_elements} B");
    assert!(to_catalog <= 4_800, "pane switch 2 → 1: {to_catalog} B");
    assert!(search_key <= 2_800, "search keystroke: {search_key} B");
    assert_eq!(idle, 0, "an idle second writes nothing");
}
