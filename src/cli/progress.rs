//! A spinner on standard error for imports and exports: shown only when standard error is a
//! terminal and the work is still going after a second.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before the spinner shows.
const DELAY: Duration = Duration::from_secs(1);

/// A spinner with a message per stage; hidden until [`DELAY`] has passed.
pub struct Progress {
    bar: ProgressBar,
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
        bar.set_message(message);
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
        Self { bar, finished }
    }

    /// Names the current stage.
    pub fn stage(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Removes the spinner (dropping it does too).
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut done) = self.finished.lock() {
            *done = true;
        }
        self.bar.finish_and_clear();
    }
}
