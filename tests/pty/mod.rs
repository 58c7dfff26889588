//! A yibiao TUI in a real pseudo-terminal (portable-pty), its screen read back through vt100:
//! shared by the end-to-end tests and the crash harness. Every wait polls with a deadline.
#![allow(dead_code)] // each test file uses a different subset

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_yibiao");
/// How long any wait may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// Writes `toml` as the TUI's `config.toml` under `home` (the config dir [`Tui::start`] gives
/// the TUI).
pub fn write_config(home: &Path, toml: &str) {
    let dir = home.join("config").join("yibiao");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(dir.join("config.toml"), toml).expect("write config.toml");
}

/// A store holding the bundled sample (`yibiao sample`), in a fresh home: (home, store).
pub fn sample_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("store");
    let status = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("sample")
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .status()
        .expect("run sample");
    assert!(status.success());
    (home, db)
}

/// A running TUI in a pty.
pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Tui {
    pub fn start(db: &Path, home: &Path) -> Tui {
        Self::start_with(db, home, &[])
    }

    pub fn start_with(db: &Path, home: &Path, envs: &[(&str, &str)]) -> Tui {
        Self::start_sized(db, home, 30, 110, envs)
    }

    /// Starts the TUI in a pty of `rows` × `cols`.
    pub fn start_sized(db: &Path, home: &Path, rows: u16, cols: u16, envs: &[(&str, &str)]) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        cmd.env("LANG", "zh_CN.UTF-8");
        cmd.env_remove("LC_ALL");
        cmd.env_remove("YIBIAO_DB");
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn yibiao");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(rows).expect("rows"),
            std::num::NonZero::new(cols).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        Tui {
            child,
            master: pty.master,
            writer,
            parser,
            raw,
            reader: Some(reader),
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_until_named(text, |screen| screen.contains(text));
    }

    /// Waits until the screen passes `test`.
    pub fn wait_until(&self, test: impl Fn(&str) -> bool) {
        self.wait_until_named("a screen that passes the test", test);
    }

    fn wait_until_named(&self, what: &str, test: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if test(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("timed out waiting for {what:?}; screen:\n{}", self.screen());
    }

    /// Resizes the pty (the TUI gets SIGWINCH) and the screen read back.
    pub fn resize(&self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        self.parser.lock().expect("parser").screen_mut().set_size(
            std::num::NonZero::new(rows).expect("rows"),
            std::num::NonZero::new(cols).expect("cols"),
        );
    }

    /// Row `n` of the screen.
    pub fn row(&self, n: u16) -> String {
        let parser = self.parser.lock().expect("parser");
        let (_, cols) = parser.screen().size();
        parser
            .screen()
            .rows(0, cols.into())
            .nth(usize::from(n))
            .unwrap_or_default()
    }

    /// Waits until `text` is no longer on the screen.
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if !self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!(
            "timed out waiting for {text:?} to go; screen:\n{}",
            self.screen()
        );
    }

    /// Waits until the terminal's cursor is hidden (no text input has the focus).
    pub fn wait_cursor_hidden(&self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.parser.lock().expect("parser").screen().hide_cursor() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!(
            "timed out waiting for the cursor to hide; screen:\n{}",
            self.screen()
        );
    }

    pub fn send(&mut self, keys: &str) {
        // the process may already be dead in a kill cycle
        let _ = self.writer.write_all(keys.as_bytes());
        let _ = self.writer.flush();
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(signal)
            .arg(self.pid().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to end and everything it wrote to be read; returns the exit
    /// code (`None` when killed by a signal) and the final screen.
    pub fn finish(self) -> (Option<u32>, String) {
        let (code, screen, _) = self.finish_raw();
        (code, screen)
    }

    /// As [`Tui::finish`], with every byte the process wrote.
    pub fn finish_raw(mut self) -> (Option<u32>, String, Vec<u8>) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "yibiao did not exit");
            std::thread::sleep(Duration::from_millis(5));
        };
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader");
        }
        let code = status.signal().is_none().then(|| status.exit_code());
        let raw = self.raw.lock().expect("raw").clone();
        (code, self.screen(), raw)
    }

    /// Waits for the process to end (killing it after the deadline) and returns its exit
    /// code, leaving the screen readable.
    pub fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let raw = String::from_utf8_lossy(&self.raw()).into_owned();
        let tail: String = raw
            .chars()
            .rev()
            .take(600)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let panics: Vec<&str> = raw.lines().filter(|l| l.contains("panicked")).collect();
        panic!(
            "yibiao did not exit; screen:\n{}\npanic lines: {panics:?}\nlast bytes written: {tail:?}",
            self.screen()
        );
    }

    /// Sends bytes one at a time, pausing `gap` after each (input split across reads).
    pub fn send_split(&mut self, bytes: &[u8], gap: Duration) {
        for b in bytes {
            let _ = self.writer.write_all(std::slice::from_ref(b));
            let _ = self.writer.flush();
            std::thread::sleep(gap);
        }
    }

    /// How many bytes the process has written so far.
    pub fn raw_len(&self) -> usize {
        self.raw.lock().expect("raw").len()
    }

    /// Waits until the process has written nothing for `quiet` (its output has settled),
    /// returning how many bytes it has written in all.
    pub fn quiet(&self, quiet: Duration) -> usize {
        self.steady(Tui::raw_len, Duration::from_millis(20), quiet)
            .unwrap_or_else(|| panic!("output did not settle; screen:\n{}", self.screen()))
    }

    /// Polls `read` every `poll` until it gives the same value for `quiet`; `None` at the
    /// deadline.
    fn steady<T: PartialEq>(
        &self,
        read: impl Fn(&Tui) -> T,
        poll: Duration,
        quiet: Duration,
    ) -> Option<T> {
        let deadline = Instant::now() + WAIT;
        let mut last = read(self);
        let mut since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(poll);
            let now = read(self);
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return Some(now);
            }
        }
        None
    }

    /// Every byte the process has written so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// Waits until the screen has not changed for a moment (a search has landed).
    pub fn settle(&self) {
        let _ = self.steady(
            Tui::screen,
            Duration::from_millis(50),
            Duration::from_millis(400),
        );
    }
}
