//! Giving freed memory back to the system, where the C library has to be asked.
//!
//! glibc's malloc keeps the pages of freed small blocks (and everything a worker thread's
//! arena freed) until `malloc_trim` is called; musl gives them back by itself. The library has
//! no `unsafe`, so the binary sets how it is done ([`set_give_back`]) and the TUI calls
//! [`give_back`] when the user pauses after work that allocated ([`IdleGiveBack`]).

use std::sync::OnceLock;
use std::time::Duration;

/// The way freed memory is given back, set once by the binary.
static GIVE_BACK: OnceLock<fn()> = OnceLock::new();

/// Sets how freed memory is given back to the system (the binary's `malloc_trim` on glibc).
/// Only the first call counts.
pub fn set_give_back(give_back: fn()) {
    let _ = GIVE_BACK.set(give_back);
}

/// Gives the memory freed so far back to the system, if [`set_give_back`] said how.
pub fn give_back() {
    if let Some(give_back) = GIVE_BACK.get() {
        give_back();
    }
    note_for_tests();
}

/// Debug builds only: a line appended to the file `YIBIAO_TEST_GIVE_BACK` names each time,
/// so the end-to-end tests see when the TUI gives memory back.
#[cfg(debug_assertions)]
fn note_for_tests() {
    use std::io::Write;
    let Some(path) = std::env::var_os("YIBIAO_TEST_GIVE_BACK") else {
        return;
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        let _ = file.write_all(b"given back\n");
    }
}

/// Release builds: nothing noted.
#[cfg(not(debug_assertions))]
fn note_for_tests() {}

/// How long the TUI waits without events after some work before it gives memory back: long
/// enough that typing never waits for it, short enough that a save or a count is followed by
/// it before the user looks at `top`.
pub const IDLE_BEFORE_GIVING_BACK: Duration = Duration::from_secs(1);

/// When an event loop gives memory back: once after each stretch of events, when none has
/// come for [`IDLE_BEFORE_GIVING_BACK`]. An idle session gives nothing back again and keeps
/// blocking without a timeout.
#[derive(Debug, Default)]
pub struct IdleGiveBack {
    busy: bool,
}

impl IdleGiveBack {
    /// An event was handled.
    pub fn handled(&mut self) {
        self.busy = true;
    }

    /// How long to wait for the next event before giving memory back; `None`: wait for it.
    pub fn wait(&self) -> Option<Duration> {
        self.busy.then_some(IDLE_BEFORE_GIVING_BACK)
    }

    /// The wait ran out: gives memory back ([`give_back`]) and waits without a timeout next.
    pub fn idle(&mut self) {
        self.busy = false;
        give_back();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static GIVEN_BACK: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        GIVEN_BACK.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn memory_is_given_back_once_after_each_stretch_of_events() {
        set_give_back(count);
        let mut idle = IdleGiveBack::default();
        assert_eq!(
            idle.wait(),
            None,
            "a session that did nothing waits for events"
        );
        idle.handled();
        idle.handled();
        assert_eq!(idle.wait(), Some(IDLE_BEFORE_GIVING_BACK));
        let before = GIVEN_BACK.load(Ordering::SeqCst);
        idle.idle();
        assert_eq!(GIVEN_BACK.load(Ordering::SeqCst), before + 1);
        assert_eq!(idle.wait(), None, "given back once, then blocking again");
        idle.handled();
        assert_eq!(idle.wait(), Some(IDLE_BEFORE_GIVING_BACK));
    }
}
