//! Start-up: the terminal shows its first frame at once while the store's database opens
//! and its catalog loads on a thread. The frame says how many records are loaded so far; `q`, Esc or Ctrl-C quit;
//! every other key typed meanwhile is kept and handed to the app once the catalog is in.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::i18n::Lang;
use crate::store::{LockedStore, SledStore, StoreError};

use super::app::AppEvent;
use super::terminal::TerminalGuard;

/// How often the record count is redrawn while loading.
const TICK: Duration = Duration::from_millis(100);

/// How loading ended.
pub enum Outcome {
    /// The store is loaded; the events typed meanwhile follow.
    Loaded(Box<SledStore>, Vec<AppEvent>),
    /// The user quit (or a signal came) before it finished.
    Quit,
}

/// Whether an event asks to leave while loading.
fn is_quit(event: &AppEvent) -> bool {
    match event {
        AppEvent::Signal(_) => true,
        AppEvent::Term(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
                || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL))
        }
        _ => false,
    }
}

/// Draws the loading frame: the title, the store and the records loaded so far.
pub fn draw(frame: &mut Frame<'_>, path: &str, done: usize, lang: Lang) {
    let area = frame.area();
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Fill(1),
    ])
    .areas(area);
    let lines = vec![
        Line::from("yibiao 一表"),
        Line::from(crate::display::inert(path)),
        Line::from(lang.pick(
            format!("正在载入目录……已载入 {done} 条记录"),
            format!("loading the catalog… {done} records so far"),
        )),
        Line::from(lang.pick("q 退出", "q quits")),
    ];
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), middle);
}

/// Opens the store and loads its catalog (on the calling thread), reporting progress.
fn open_and_load(locked: LockedStore, done: &AtomicUsize) -> Result<SledStore, StoreError> {
    let unloaded = locked.open()?;
    let catalog = unloaded
        .loader()
        .load(|n| done.store(n, Ordering::Relaxed))?;
    unloaded.with_catalog(catalog)
}

/// Opens and loads the store on a thread, drawing progress until it is in or the user quits.
pub fn run(
    locked: LockedStore,
    guard: &mut TerminalGuard,
    (tx, rx): (&Sender<AppEvent>, &Receiver<AppEvent>),
    lang: Lang,
) -> anyhow::Result<Outcome> {
    let path = locked.path().display().to_string();
    let done = Arc::new(AtomicUsize::new(0));
    let (progress, sender) = (Arc::clone(&done), tx.clone());
    std::thread::spawn(move || {
        let result = open_and_load(locked, &progress);
        // the app may have quit meanwhile; nobody is left to tell
        let _ = sender.send(AppEvent::Loaded(Box::new(result)));
    });
    let mut typed = Vec::new();
    let mut drawn = None;
    loop {
        let now = done.load(Ordering::Relaxed);
        if drawn != Some(now) {
            guard
                .terminal()
                .draw(|frame| draw(frame, &path, now, lang))?;
            drawn = Some(now);
        }
        match rx.recv_timeout(TICK) {
            Ok(AppEvent::Loaded(result)) => {
                return Ok(Outcome::Loaded(Box::new((*result)?), typed));
            }
            Ok(event) if is_quit(&event) => return Ok(Outcome::Quit),
            Ok(AppEvent::Term(Event::Resize(..))) => {
                guard.terminal().autoresize()?;
                drawn = None;
            }
            Ok(event) => typed.push(event),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(Outcome::Quit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    #[test]
    fn the_loading_frame_names_the_store_and_the_count_even_when_tiny() {
        let mut terminal = Terminal::new(TestBackend::new(60, 8)).unwrap();
        terminal
            .draw(|f| draw(f, "/data/省级目录", 40960, Lang::Zh))
            .unwrap();
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .filter(|s| *s != " ")
            .collect();
        assert!(text.contains("已载入40960条记录"), "{text}");
        assert!(text.contains("省级目录"), "{text}");
        let mut tiny = Terminal::new(TestBackend::new(1, 1)).unwrap();
        tiny.draw(|f| draw(f, "/x", 1, Lang::En)).unwrap();
    }

    #[test]
    fn quit_keys_and_signals_end_loading_other_keys_wait() {
        use crossterm::event::KeyEvent;
        let key = |code, modifiers| AppEvent::Term(Event::Key(KeyEvent::new(code, modifiers)));
        assert!(is_quit(&key(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(is_quit(&key(KeyCode::Esc, KeyModifiers::NONE)));
        assert!(is_quit(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(is_quit(&AppEvent::Signal(15)));
        assert!(!is_quit(&key(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(!is_quit(&key(KeyCode::Down, KeyModifiers::NONE)));
    }
}
