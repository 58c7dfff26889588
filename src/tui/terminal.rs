//! The one terminal guard: raw mode, the alternate screen, mouse capture and bracketed paste
//! are switched on together and restored together — on normal exit and on error (drop), on
//! panic (hook), and on SIGTERM / SIGHUP (the signal becomes an event; the loop ends, the
//! store is dropped and flushed, then the guard restores).

use std::io::{IsTerminal, Read, Stdout, Write, stdout};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;

use anyhow::Context;
use crossterm::event::Event;

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;

use super::app::AppEvent;
use super::backend::LeanBackend;
use super::input::{self, Pending};

/// Mouse reporting for buttons and the wheel only (X11 1000 + SGR 1006): unlike crossterm's
/// `EnableMouseCapture` it does not ask for every pointer motion, which over SSH would send a
/// stream of events nobody uses. `DisableMouseCapture` turns it off again.
struct EnableMouseButtons;

impl crossterm::Command for EnableMouseButtons {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// Owns the terminal's special modes while it lives.
pub struct TerminalGuard {
    terminal: Terminal<LeanBackend<Stdout>>,
}

/// Puts the terminal back: leaves the alternate screen, shows the cursor, turns off mouse
/// capture, bracketed paste and raw mode. Safe to call more than once; errors are ignored
/// (after SIGHUP there may be no terminal left to write to).
pub fn restore() {
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen and installs the panic hook.
    pub fn enter() -> anyhow::Result<TerminalGuard> {
        if !std::io::stdin().is_terminal() || !stdout().is_terminal() {
            anyhow::bail!(
                "the terminal UI needs a terminal on standard input and output \
                 (over ssh: `ssh -t HOST yibiao`; in scripts use a subcommand, see `yibiao --help`)"
            );
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode().context("cannot switch the terminal to raw mode")?;
        let mut out = stdout();
        if let Err(e) = execute!(
            out,
            EnterAlternateScreen,
            EnableMouseButtons,
            EnableBracketedPaste
        ) {
            restore();
            return Err(e.into());
        }
        let terminal = match Terminal::new(LeanBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e.into());
            }
        };
        Ok(TerminalGuard { terminal })
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Terminal<LeanBackend<Stdout>> {
        &mut self.terminal
    }

    /// Draws a frame with `render`, made showable cell for cell (see
    /// [`super::backend::showable`]) before only what changed is written.
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame<'_>)) -> std::io::Result<()> {
        self.terminal.draw(|frame| {
            render(frame);
            super::backend::showable(frame.buffer_mut());
        })?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Forwards SIGTERM and SIGHUP to the event loop as [`AppEvent::Signal`], and SIGWINCH as
/// a resize to the terminal's new size.
pub fn forward_signals(tx: Sender<AppEvent>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM, SIGWINCH};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGWINCH])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let event = if signal == SIGWINCH {
                match crossterm::terminal::size() {
                    Ok((w, h)) => AppEvent::Term(Event::Resize(w, h)),
                    Err(_) => continue,
                }
            } else {
                AppEvent::Signal(signal)
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// The terminal's input: stdin, or `/dev/tty` when stdin is not the terminal (as crossterm
/// chooses the terminal it puts in raw mode).
fn terminal_input() -> anyhow::Result<Box<dyn Read + Send>> {
    if std::io::stdin().is_terminal() {
        return Ok(Box::new(std::io::stdin()));
    }
    let tty = std::fs::File::open("/dev/tty").context("cannot read the terminal (/dev/tty)")?;
    Ok(Box::new(tty))
}

/// Forwards terminal input to the event loop until the loop is gone. One thread reads the
/// terminal's bytes as they come; another parses them ([`input::Parser`]), waiting
/// `escape_timeout` for what may follow a lone ESC and [`input::STALE`] for the rest of an
/// unfinished sequence, so keys split across reads (over SSH) arrive whole.
pub fn forward_input(tx: Sender<AppEvent>, escape_timeout: Duration) -> anyhow::Result<()> {
    let mut tty = terminal_input()?;
    let (bytes_tx, bytes_rx) = channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match tty.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if bytes_tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    std::thread::spawn(move || {
        let mut parser = input::Parser::new();
        loop {
            let wait = match parser.pending() {
                Pending::Nothing => None,
                Pending::Ambiguous => Some(escape_timeout),
                Pending::Unfinished => Some(input::STALE),
            };
            let received = match wait {
                None => bytes_rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(wait) => bytes_rx.recv_timeout(wait),
            };
            let events = match received {
                Ok(bytes) => parser.feed(&bytes),
                Err(RecvTimeoutError::Timeout) => parser.timeout(),
                Err(RecvTimeoutError::Disconnected) => break,
            };
            for event in events {
                if tx.send(AppEvent::Term(event)).is_err() {
                    return;
                }
            }
        }
    });
    Ok(())
}
