//! Terminal input, parsed from the raw bytes with an escape timeout.
//!
//! A terminal sends a key like Up as three bytes (`ESC [ A`) and Alt+x as two (`ESC x`); Esc
//! alone is the one byte `ESC`. Over SSH those bytes may arrive in separate reads, and a
//! parser that decides at the end of each read (crossterm's does) takes a lone `ESC` for the
//! Esc key and the rest for text: an arrow turns into Esc, `[`, `A`. This parser keeps an
//! unfinished sequence and waits: a lone `ESC` (or `ESC [`, `ESC O`, which are also Alt keys)
//! is decided only when no byte followed it within the escape timeout; a sequence that is
//! surely unfinished (a CSI with parameters, a bracketed paste, half a UTF-8 character) waits
//! until [`STALE`] passes without a byte.
//!
//! It produces crossterm [`Event`]s, as crossterm's own parser does, for everything the
//! terminal is asked to send: keys (arrows, Home/End, PgUp/PgDn, Insert/Delete, F1–F12,
//! Tab/BackTab, Enter, Backspace, Ctrl and Alt combinations, UTF-8 text), bracketed paste
//! and SGR (and X10) mouse reports. Resize comes from SIGWINCH, not from the input.

use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// How long a surely unfinished sequence (CSI parameters, a paste, half a character) may wait
/// for its next byte before what arrived is given up (a paste: delivered as it is).
pub const STALE: Duration = Duration::from_secs(1);

/// The escape timeout when the configuration does not set one.
pub const DEFAULT_ESCAPE_TIMEOUT: Duration = Duration::from_millis(40);

/// Longest CSI sequence (not a paste) taken as one; longer is garbage and skipped.
const MAX_CSI: usize = 64;

const ESC: u8 = 0x1b;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// What the bytes at the front of the buffer are.
#[derive(Debug, PartialEq, Eq)]
enum Parse {
    /// An event, from this many bytes.
    Event(Event, usize),
    /// This many bytes mean nothing the app uses (an unknown sequence): dropped.
    Skip(usize),
    /// Not finished: more bytes are needed (or the timeout decides).
    More,
}

/// What waits in the buffer for more bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Nothing.
    Nothing,
    /// Bytes that are a key by themselves if nothing follows (`ESC`, `ESC [`, `ESC O`,
    /// `ESC ESC`): decided after the escape timeout.
    Ambiguous,
    /// Surely the start of something longer: given up after [`STALE`].
    Unfinished,
}

/// The parser: bytes in, events out; unfinished input stays in the buffer.
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
}

impl Parser {
    /// An empty parser.
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Adds bytes read from the terminal; returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut at = 0;
        while at < self.buf.len() {
            match parse(&self.buf[at..]) {
                Parse::Event(event, n) => {
                    events.push(event);
                    at += n;
                }
                Parse::Skip(n) => at += n,
                Parse::More => break,
            }
        }
        self.buf.drain(..at);
        events
    }

    /// What is waiting for more bytes, and so how long the reader may wait for them.
    pub fn pending(&self) -> Pending {
        match self.buf.as_slice() {
            [] => Pending::Nothing,
            [ESC] | [ESC, ESC] | [ESC, b'['] | [ESC, b'O'] => Pending::Ambiguous,
            _ => Pending::Unfinished,
        }
    }

    /// No byte came in time: decides what is pending. A lone `ESC` is the Esc key, `ESC [`
    /// and `ESC O` are Alt+[ and Alt+O, an unfinished paste is delivered as it is, anything
    /// else unfinished is dropped.
    pub fn timeout(&mut self) -> Vec<Event> {
        let buf = std::mem::take(&mut self.buf);
        match buf.as_slice() {
            [ESC] => vec![key(KeyCode::Esc, KeyModifiers::NONE)],
            [ESC, ESC] => vec![key(KeyCode::Esc, KeyModifiers::NONE); 2],
            [ESC, c @ (b'[' | b'O')] => vec![alt(char_key(char::from(*c)))],
            rest if rest.starts_with(PASTE_START) => {
                let text = String::from_utf8_lossy(&rest[PASTE_START.len()..]).into_owned();
                vec![Event::Paste(text)]
            }
            _ => Vec::new(),
        }
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// A typed character: uppercase letters carry Shift, as crossterm reports them.
fn char_key(c: char) -> Event {
    let modifiers = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    key(KeyCode::Char(c), modifiers)
}

/// The same key with Alt held.
fn alt(event: Event) -> Event {
    match event {
        Event::Key(mut k) => {
            k.modifiers |= KeyModifiers::ALT;
            Event::Key(k)
        }
        other => other,
    }
}

/// Parses the event at the front of `buf` (not empty).
fn parse(buf: &[u8]) -> Parse {
    let one = |event| Parse::Event(event, 1);
    match buf[0] {
        ESC => parse_esc(buf),
        b'\r' => one(key(KeyCode::Enter, KeyModifiers::NONE)),
        b'\t' => one(key(KeyCode::Tab, KeyModifiers::NONE)),
        0x7f => one(key(KeyCode::Backspace, KeyModifiers::NONE)),
        0 => one(key(KeyCode::Char(' '), KeyModifiers::CONTROL)),
        // Ctrl+A … Ctrl+Z (Ctrl+H and Ctrl+J included: raw mode sends them as they are)
        c @ 0x01..=0x1a => one(key(
            KeyCode::Char(char::from(c - 1 + b'a')),
            KeyModifiers::CONTROL,
        )),
        c @ 0x1c..=0x1f => one(key(
            KeyCode::Char(char::from(c - 0x1c + b'4')),
            KeyModifiers::CONTROL,
        )),
        _ => parse_utf8(buf),
    }
}

/// One UTF-8 character; an invalid byte is skipped.
fn parse_utf8(buf: &[u8]) -> Parse {
    let len = match buf[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Parse::Skip(1),
    };
    if buf.len() < len {
        // only continuation bytes so far: wait for the rest
        return if buf[1..].iter().all(|b| b & 0xc0 == 0x80) {
            Parse::More
        } else {
            Parse::Skip(1)
        };
    }
    match std::str::from_utf8(&buf[..len])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => Parse::Event(char_key(c), len),
        None => Parse::Skip(1),
    }
}

/// A sequence starting with ESC.
fn parse_esc(buf: &[u8]) -> Parse {
    match buf.get(1) {
        None => Parse::More,
        Some(b'[') => parse_csi(buf),
        Some(b'O') => match buf.get(2) {
            None => Parse::More,
            Some(&f) => match ss3_key(f) {
                Some(code) => Parse::Event(key(code, KeyModifiers::NONE), 3),
                None => Parse::Skip(3),
            },
        },
        // ESC ESC [ A …: Alt with a sequence (some terminals send Alt+arrow so)
        Some(&ESC) => match buf.get(2) {
            None => Parse::More,
            Some(b'[' | b'O') => match parse_esc(&buf[1..]) {
                Parse::Event(event, n) => Parse::Event(alt(event), n + 1),
                Parse::Skip(n) => Parse::Skip(n + 1),
                Parse::More => Parse::More,
            },
            Some(_) => Parse::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        },
        // ESC then a key: that key with Alt
        Some(_) => match parse(&buf[1..]) {
            Parse::Event(event, n) => Parse::Event(alt(event), n + 1),
            Parse::Skip(n) => Parse::Skip(n + 1),
            Parse::More => Parse::More,
        },
    }
}

/// The key of an SS3 sequence (`ESC O x`, application cursor keys and F1–F4), also the
/// final byte of `ESC [ 1 ; m x`.
fn ss3_key(f: u8) -> Option<KeyCode> {
    Some(match f {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(f - b'P' + 1),
        _ => return None,
    })
}

/// A sequence starting with `ESC [`.
fn parse_csi(buf: &[u8]) -> Parse {
    if buf.starts_with(PASTE_START) {
        return match find(&buf[PASTE_START.len()..], PASTE_END) {
            Some(end) => {
                let text = &buf[PASTE_START.len()..PASTE_START.len() + end];
                Parse::Event(
                    Event::Paste(String::from_utf8_lossy(text).into_owned()),
                    PASTE_START.len() + end + PASTE_END.len(),
                )
            }
            None => Parse::More,
        };
    }
    match buf.get(2) {
        None => return Parse::More,
        // X10 mouse: ESC [ M b x y, three raw bytes
        Some(b'M') => {
            return match buf.get(3..6) {
                Some(&[b, x, y]) => match mouse(
                    u16::from(b.wrapping_sub(32)),
                    u16::from(x.saturating_sub(32)),
                    u16::from(y.saturating_sub(32)),
                    true,
                ) {
                    Some(event) => Parse::Event(event, 6),
                    None => Parse::Skip(6),
                },
                _ => Parse::More,
            };
        }
        // the Linux console's F1–F5: ESC [ [ A … E
        Some(b'[') => {
            return match buf.get(3) {
                None => Parse::More,
                Some(&f @ b'A'..=b'E') => {
                    Parse::Event(key(KeyCode::F(f - b'A' + 1), KeyModifiers::NONE), 4)
                }
                Some(_) => Parse::Skip(4),
            };
        }
        Some(_) => {}
    }
    // parameters 0x30–0x3f, intermediates 0x20–0x2f, then the final byte 0x40–0x7e
    let Some(end) = buf[2..].iter().position(|b| !(0x20..=0x3f).contains(b)) else {
        return if buf.len() > MAX_CSI {
            Parse::Skip(buf.len())
        } else {
            Parse::More
        };
    };
    let end = end + 2;
    let last = buf[end];
    if !(0x40..=0x7e).contains(&last) {
        // not a CSI after all: drop the introducer, read the rest afresh
        return Parse::Skip(end);
    }
    let params = std::str::from_utf8(&buf[2..end]).unwrap_or("");
    match csi_event(params, last) {
        Some(event) => Parse::Event(event, end + 1),
        None => Parse::Skip(end + 1),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Modifiers of an xterm parameter (`1 + bits`: 1 Shift, 2 Alt, 4 Ctrl, 8 Super, 16 Hyper,
/// 32 Meta).
fn modifiers(param: Option<&str>) -> KeyModifiers {
    let mask = param
        .and_then(|p| p.split(':').next())
        .and_then(|p| p.parse::<u8>().ok())
        .unwrap_or(1)
        .saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    for (bit, modifier) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if mask & bit != 0 {
            m |= modifier;
        }
    }
    m
}

/// The event of a complete CSI sequence: parameters and final byte.
fn csi_event(params: &str, last: u8) -> Option<Event> {
    if let Some(sgr) = params.strip_prefix('<') {
        // SGR mouse: ESC [ < b ; x ; y M (press) or m (release)
        let mut p = sgr.split(';').map(|v| v.parse::<u16>().ok());
        let (b, x, y) = (p.next()??, p.next()??, p.next()??);
        return match last {
            b'M' => mouse(b, x, y, true),
            b'm' => mouse(b, x, y, false),
            _ => None,
        };
    }
    if params.starts_with(['?', '>', '=']) {
        return None;
    }
    let mut p = params.split(';');
    let first = p.next().filter(|s| !s.is_empty());
    let second = p.next();
    let code = match last {
        b'A'..=b'D' | b'H' | b'F' | b'P'..=b'S' => ss3_key(last)?,
        b'Z' => return Some(key(KeyCode::BackTab, KeyModifiers::SHIFT)),
        b'I' if params.is_empty() => return Some(Event::FocusGained),
        b'O' if params.is_empty() => return Some(Event::FocusLost),
        b'~' => tilde_key(first?.parse().ok()?)?,
        b'u' => return csi_u(first?, second),
        _ => return None,
    };
    Some(key(code, modifiers(second)))
}

/// The key of `ESC [ n ~`.
fn tilde_key(n: u8) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F(n - 10),
        17..=21 => KeyCode::F(n - 11),
        23..=26 => KeyCode::F(n - 12),
        28 | 29 => KeyCode::F(n - 15),
        31..=34 => KeyCode::F(n - 17),
        _ => return None,
    })
}

/// `ESC [ codepoint ; modifiers u` (the fixterms / kitty form some terminals send).
fn csi_u(codepoint: &str, mods: Option<&str>) -> Option<Event> {
    let c = char::from_u32(codepoint.split(':').next()?.parse().ok()?)?;
    let mut modifiers = modifiers(mods);
    let code = match c {
        '\x1b' => KeyCode::Esc,
        '\r' => KeyCode::Enter,
        '\t' if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        '\t' => KeyCode::Tab,
        '\x7f' => KeyCode::Backspace,
        c => {
            if c.is_uppercase() {
                modifiers |= KeyModifiers::SHIFT;
            }
            KeyCode::Char(c)
        }
    };
    Some(key(code, modifiers))
}

/// A mouse report: button code `b` (0-based, as sent minus 32 for X10), 1-based column and
/// row; `press` false for an SGR release.
fn mouse(b: u16, x: u16, y: u16, press: bool) -> Option<Event> {
    let button = (b & 0b11) | ((b & 0b1100_0000) >> 4);
    let dragging = b & 0b10_0000 != 0;
    let kind = match (button, dragging) {
        (0, false) => MouseEventKind::Down(MouseButton::Left),
        (1, false) => MouseEventKind::Down(MouseButton::Middle),
        (2, false) => MouseEventKind::Down(MouseButton::Right),
        (0, true) => MouseEventKind::Drag(MouseButton::Left),
        (1, true) => MouseEventKind::Drag(MouseButton::Middle),
        (2, true) => MouseEventKind::Drag(MouseButton::Right),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    let kind = match (kind, press) {
        (MouseEventKind::Down(button), false) => MouseEventKind::Up(button),
        (kind, _) => kind,
    };
    let mut modifiers = KeyModifiers::NONE;
    for (bit, modifier) in [
        (0b100, KeyModifiers::SHIFT),
        (0b1000, KeyModifiers::ALT),
        (0b1_0000, KeyModifiers::CONTROL),
    ] {
        if b & bit != 0 {
            modifiers |= modifier;
        }
    }
    Some(Event::Mouse(MouseEvent {
        kind,
        column: x.saturating_sub(1),
        row: y.saturating_sub(1),
        modifiers,
    }))
}

#[cfg(test)]
mod tests;
