//! A spinner on standard error for imports and exports: shown only when standard error is a
//! terminal and the work is still going after a second.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before the spinner shows.
const DELAY: Duration = Duration::from_secs(1);

/// A spinner with the engine's latest progress report; hidden until [`DELAY`] has passed.
/// Dropping it removes it.
pub struct Progress {
    bar: ProgressBar,
    /// What is being done (`reading book.xlsx`), before each report.
    what: String,
    /// Set when finished, so a late timer does not show a finished spinner.
    finished: Arc<Mutex<bool>>,
}

impl Progress {
    /// Starts timing; the spinner appears after a second if standard error is a terminal.
    pub fn start(message: String) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.clone());
        let finished = Arc::new(Mutex::new(false));
        if std::io::stderr().is_terminal() {
            let bar = bar.clone();
            let finished = Arc::clone(&finished);
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                if let Ok(done) = finished.lock()
                    && !*done
                {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Self {
            bar,
            what: message,
            finished,
        }
    }

    /// Shows where the work is (an engine progress report, already described).
    pub fn report(&self, step: &str) {
        self.bar.set_message(format!("{} — {step}", self.what));
    }

    /// Runs `f` (printing to standard error) with the spinner out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut done) = self.finished.lock() {
            *done = true;
        }
        self.bar.finish_and_clear();
    }
}
