use proptest::prelude::*;

use super::*;

fn k(code: KeyCode) -> Event {
    key(code, KeyModifiers::NONE)
}

fn km(code: KeyCode, modifiers: KeyModifiers) -> Event {
    key(code, modifiers)
}

fn c(ch: char) -> Event {
    k(KeyCode::Char(ch))
}

const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

fn wheel(kind: MouseEventKind, column: u16, row: u16, modifiers: KeyModifiers) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers,
    })
}

/// Every sequence the app relies on, with the event crossterm reports for it.
fn table() -> Vec<(&'static [u8], Event)> {
    vec![
        // arrows, normal and application mode, with modifiers
        (b"\x1b[A", k(KeyCode::Up)),
        (b"\x1b[B", k(KeyCode::Down)),
        (b"\x1b[C", k(KeyCode::Right)),
        (b"\x1b[D", k(KeyCode::Left)),
        (b"\x1bOA", k(KeyCode::Up)),
        (b"\x1bOB", k(KeyCode::Down)),
        (b"\x1b[1;5A", km(KeyCode::Up, CTRL)),
        (b"\x1b[1;3B", km(KeyCode::Down, ALT)),
        (b"\x1b[1;2C", km(KeyCode::Right, SHIFT)),
        (b"\x1b\x1b[D", km(KeyCode::Left, ALT)),
        // Home/End/PgUp/PgDn/Insert/Delete
        (b"\x1b[H", k(KeyCode::Home)),
        (b"\x1b[F", k(KeyCode::End)),
        (b"\x1bOH", k(KeyCode::Home)),
        (b"\x1b[1~", k(KeyCode::Home)),
        (b"\x1b[4~", k(KeyCode::End)),
        (b"\x1b[7~", k(KeyCode::Home)),
        (b"\x1b[8~", k(KeyCode::End)),
        (b"\x1b[5~", k(KeyCode::PageUp)),
        (b"\x1b[6~", k(KeyCode::PageDown)),
        (b"\x1b[2~", k(KeyCode::Insert)),
        (b"\x1b[3~", k(KeyCode::Delete)),
        (b"\x1b[3;5~", km(KeyCode::Delete, CTRL)),
        (b"\x1b[6;2~", km(KeyCode::PageDown, SHIFT)),
        // F1-F12
        (b"\x1bOP", k(KeyCode::F(1))),
        (b"\x1bOQ", k(KeyCode::F(2))),
        (b"\x1bOR", k(KeyCode::F(3))),
        (b"\x1bOS", k(KeyCode::F(4))),
        (b"\x1b[[A", k(KeyCode::F(1))),
        (b"\x1b[[E", k(KeyCode::F(5))),
        (b"\x1b[1;2P", km(KeyCode::F(1), SHIFT)),
        (b"\x1b[11~", k(KeyCode::F(1))),
        (b"\x1b[15~", k(KeyCode::F(5))),
        (b"\x1b[17~", k(KeyCode::F(6))),
        (b"\x1b[18~", k(KeyCode::F(7))),
        (b"\x1b[19~", k(KeyCode::F(8))),
        (b"\x1b[20~", k(KeyCode::F(9))),
        (b"\x1b[21~", k(KeyCode::F(10))),
        (b"\x1b[23~", k(KeyCode::F(11))),
        (b"\x1b[24~", k(KeyCode::F(12))),
        (b"\x1b[24;5~", km(KeyCode::F(12), CTRL)),
        // Tab, BackTab, Enter, Backspace
        (b"\t", k(KeyCode::Tab)),
        (b"\x1b[Z", km(KeyCode::BackTab, SHIFT)),
        (b"\r", k(KeyCode::Enter)),
        (b"\x7f", k(KeyCode::Backspace)),
        // Ctrl
        (b"\x01", km(KeyCode::Char('a'), CTRL)),
        (b"\x08", km(KeyCode::Char('h'), CTRL)),
        (b"\n", km(KeyCode::Char('j'), CTRL)),
        (b"\x13", km(KeyCode::Char('s'), CTRL)),
        (b"\x15", km(KeyCode::Char('u'), CTRL)),
        (b"\x1a", km(KeyCode::Char('z'), CTRL)),
        (b"\0", km(KeyCode::Char(' '), CTRL)),
        (b"\x1c", km(KeyCode::Char('4'), CTRL)),
        // Alt
        (b"\x1bx", km(KeyCode::Char('x'), ALT)),
        (b"\x1b1", km(KeyCode::Char('1'), ALT)),
        (b"\x1bX", km(KeyCode::Char('X'), ALT | SHIFT)),
        (b"\x1b\r", km(KeyCode::Enter, ALT)),
        (b"\x1b\x7f", km(KeyCode::Backspace, ALT)),
        (b"\x1b\x01", km(KeyCode::Char('a'), CTRL | ALT)),
        ("\x1b中".as_bytes(), km(KeyCode::Char('中'), ALT)),
        // text
        (b"a", c('a')),
        (b"G", km(KeyCode::Char('G'), SHIFT)),
        (b" ", c(' ')),
        (b"/", c('/')),
        ("é".as_bytes(), c('é')),
        ("身".as_bytes(), c('身')),
        ("码".as_bytes(), c('码')),
        ("😀".as_bytes(), c('😀')),
        // CSI u
        (b"\x1b[105;5u", km(KeyCode::Char('i'), CTRL)),
        (b"\x1b[13;2u", km(KeyCode::Enter, SHIFT)),
        // bracketed paste, with escapes, newlines and Chinese inside
        (
            "\x1b[200~身份证 \x1b[A\r\nDE000005\x1b[201~".as_bytes(),
            Event::Paste("身份证 \x1b[A\r\nDE000005".into()),
        ),
        (b"\x1b[200~\x1b[201~", Event::Paste(String::new())),
        // SGR mouse: wheel and buttons, press and release
        (
            b"\x1b[<64;10;5M",
            wheel(MouseEventKind::ScrollUp, 9, 4, KeyModifiers::NONE),
        ),
        (
            b"\x1b[<65;120;40M",
            wheel(MouseEventKind::ScrollDown, 119, 39, KeyModifiers::NONE),
        ),
        (
            b"\x1b[<0;3;4M",
            wheel(
                MouseEventKind::Down(MouseButton::Left),
                2,
                3,
                KeyModifiers::NONE,
            ),
        ),
        (
            b"\x1b[<0;3;4m",
            wheel(
                MouseEventKind::Up(MouseButton::Left),
                2,
                3,
                KeyModifiers::NONE,
            ),
        ),
        (
            b"\x1b[<2;300;200M",
            wheel(
                MouseEventKind::Down(MouseButton::Right),
                299,
                199,
                KeyModifiers::NONE,
            ),
        ),
        (
            b"\x1b[<80;1;1M",
            wheel(MouseEventKind::ScrollUp, 0, 0, KeyModifiers::CONTROL),
        ),
        (
            b"\x1b[<32;5;6M",
            wheel(
                MouseEventKind::Drag(MouseButton::Left),
                4,
                5,
                KeyModifiers::NONE,
            ),
        ),
        // X10 mouse
        (
            b"\x1b[M`*%",
            wheel(MouseEventKind::ScrollUp, 9, 4, KeyModifiers::NONE),
        ),
    ]
}

/// Feeds `pieces` one after another (each arriving within the escape timeout).
fn feed_pieces<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Event>, Parser) {
    let mut parser = Parser::new();
    let mut events = Vec::new();
    for piece in pieces {
        events.extend(parser.feed(piece));
    }
    (events, parser)
}

#[test]
fn every_sequence_whole_and_byte_by_byte_gives_its_event() {
    for (bytes, event) in table() {
        let (whole, parser) = feed_pieces([bytes]);
        assert_eq!(whole, vec![event.clone()], "{bytes:?} whole");
        assert_eq!(parser.pending(), Pending::Nothing, "{bytes:?}");
        let (split, parser) = feed_pieces(bytes.chunks(1));
        assert_eq!(split, vec![event], "{bytes:?} byte by byte");
        assert_eq!(parser.pending(), Pending::Nothing, "{bytes:?}");
    }
}

#[test]
fn a_lone_esc_is_esc_only_once_the_timeout_passed() {
    let mut parser = Parser::new();
    assert!(parser.feed(b"\x1b").is_empty());
    assert_eq!(parser.pending(), Pending::Ambiguous);
    assert_eq!(parser.timeout(), vec![k(KeyCode::Esc)]);
    assert_eq!(parser.pending(), Pending::Nothing);
    // two, then a key: Esc, then the key
    assert!(parser.feed(b"\x1b\x1b").is_empty());
    assert_eq!(parser.timeout(), vec![k(KeyCode::Esc), k(KeyCode::Esc)]);
    assert_eq!(parser.feed(b"j"), vec![c('j')]);
}

#[test]
fn esc_then_a_key_within_the_timeout_is_alt_of_it() {
    let mut parser = Parser::new();
    assert!(parser.feed(b"\x1b").is_empty());
    assert_eq!(parser.feed(b"x"), vec![km(KeyCode::Char('x'), ALT)]);
    // Esc, then [ and O alone: Alt+[ and Alt+O when nothing completes them
    assert!(parser.feed(b"\x1b[").is_empty());
    assert_eq!(parser.pending(), Pending::Ambiguous);
    assert_eq!(parser.timeout(), vec![km(KeyCode::Char('['), ALT)]);
    assert!(parser.feed(b"\x1bO").is_empty());
    assert_eq!(parser.timeout(), vec![km(KeyCode::Char('O'), ALT | SHIFT)]);
}

#[test]
fn an_esc_followed_by_another_sequence_is_esc_then_it() {
    let (events, _) = feed_pieces([&b"\x1b\x1bx"[..]]);
    assert_eq!(events, vec![k(KeyCode::Esc), km(KeyCode::Char('x'), ALT)]);
}

#[test]
fn unfinished_sequences_wait_and_are_given_up_when_stale() {
    let mut parser = Parser::new();
    assert!(parser.feed(b"\x1b[1;5").is_empty());
    assert_eq!(parser.pending(), Pending::Unfinished);
    assert!(parser.timeout().is_empty());
    assert_eq!(parser.feed(b"A"), vec![km(KeyCode::Char('A'), SHIFT)]);
    // half a character
    assert!(parser.feed(&"身".as_bytes()[..2]).is_empty());
    assert_eq!(parser.pending(), Pending::Unfinished);
    assert!(parser.timeout().is_empty());
    // a paste that never ends is delivered as it is
    assert!(parser.feed("\x1b[200~未完".as_bytes()).is_empty());
    assert_eq!(parser.pending(), Pending::Unfinished);
    assert_eq!(parser.timeout(), vec![Event::Paste("未完".into())]);
}

#[test]
fn garbage_is_skipped_and_what_follows_still_parses() {
    let (events, parser) = feed_pieces([
        &b"\xff\x80a\x1b[?1;2c\x1b[99~\x1b[201~\x1b[<9;1Mb\x1bO5"[..],
        b"c",
    ]);
    assert_eq!(events, vec![c('a'), c('b'), c('c')]);
    assert_eq!(parser.pending(), Pending::Nothing);
    // an endless CSI is dropped once it is too long to be one
    let mut long = b"\x1b[".to_vec();
    long.extend(std::iter::repeat_n(b'1', MAX_CSI));
    let (events, mut parser) = feed_pieces([&long[..]]);
    assert!(events.is_empty());
    assert_eq!(parser.pending(), Pending::Nothing);
    assert_eq!(parser.feed(b"q"), vec![c('q')]);
}

proptest! {
    /// Any sequence of keys, cut anywhere into reads, gives the same events as fed whole.
    #[test]
    fn random_splits_give_the_same_events(
        picks in proptest::collection::vec(0usize..1000, 1..24),
        cuts in proptest::collection::vec(0usize..10_000, 0..12),
    ) {
        let table = table();
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for p in picks {
            let (seq, event) = &table[p % table.len()];
            bytes.extend_from_slice(seq);
            expected.push(event.clone());
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.push(0);
        cuts.push(bytes.len());
        cuts.sort_unstable();
        let pieces: Vec<&[u8]> = cuts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        let (events, parser) = feed_pieces(pieces);
        prop_assert_eq!(events, expected);
        prop_assert_eq!(parser.pending(), Pending::Nothing);
    }

    /// Random bytes never panic, and the parser always ends with nothing or little pending.
    #[test]
    fn random_bytes_are_harmless(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut parser = Parser::new();
        let _ = parser.feed(&bytes);
        let _ = parser.timeout();
        prop_assert_eq!(parser.pending(), Pending::Nothing);
        prop_assert_eq!(parser.feed(b"z"), vec![c('z')]);
    }
}
