//! The one terminal guard: raw mode, the alternate screen, mouse capture and bracketed paste
//! are switched on together and restored together — on normal exit and on error (drop), on
//! panic (hook), and on SIGTERM / SIGHUP (the signal becomes an event; the loop ends, the
//! store is dropped and flushed, then the guard restores).

use std::io::{Stdout, Write, stdout};
use std::sync::mpsc::Sender;

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;

use super::app::AppEvent;
use super::backend::LeanBackend;

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
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode()?;
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
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Forwards SIGTERM and SIGHUP to the event loop as [`AppEvent::Signal`].
pub fn forward_signals(tx: Sender<AppEvent>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if tx.send(AppEvent::Signal(signal)).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Forwards terminal input to the event loop until the loop is gone.
pub fn forward_input(tx: Sender<AppEvent>) {
    std::thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            if tx.send(AppEvent::Term(event)).is_err() {
                break;
            }
        }
    });
}
