//! A ratatui backend that writes as few bytes as it can, for terminals at the end of a slow
//! SSH link. ratatui computes which cells changed; this backend decides how to say that:
//!
//! - the cursor is moved only where it is not already: after a CJK character it stands two
//!   columns on, so a run of Chinese text is one move, not one move per character (ratatui's
//!   crossterm backend moves after every wide character: ~7 bytes per 3-byte character);
//!   other moves take the shortest form (`CSI row;col H`, or up or down by line feeds,
//!   `ESC M`, `CSI n B` / `A` and then along the row by `CSI n C` / `D`, backspaces,
//!   `CSI n G`, CR), or print the few unchanged characters in between again (from a shadow
//!   of the screen);
//! - colours and attributes are one `CSI … m` holding only what changed (or a reset, when
//!   shorter), and the pen is kept from frame to frame; an RGB colour that is exactly an
//!   xterm-256 palette entry is sent as its index; a blank keeps whatever pen shows it alike;
//! - a run of blanks is erased (`CSI n X`) rather than printed;
//! - cursor hide/show and its position are sent only when they change;
//! - a frame is collected in memory and written at once, a long one inside synchronized
//!   output (`CSI ? 2026 h … l`), or not at all when nothing changed;
//! - the cells of a frame are sent in ratatui's order (row by row) or pen by pen (each
//!   colour set once, the cursor moving more), whichever is shorter: the shadow of the
//!   screen keeps either order exact.
//!
//! It never asks the terminal anything (no cursor-position query): the answer would arrive
//! on the input, which a thread reads on its own.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

/// Begin / end synchronized output (the terminal shows the frame at once).
const BEGIN_SYNC: &[u8] = b"\x1b[?2026h";
const END_SYNC: &[u8] = b"\x1b[?2026l";
/// Frames this long or longer are wrapped in synchronized output. A shorter one (a cursor
/// move, a keystroke) is one write that fits one network packet: a terminal reads it in
/// one go, so the 16 bytes of the wrapping would buy nothing but bytes.
const SYNC_FROM: usize = 1024;

/// Colours and attributes in force on the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    };
}

impl Default for Pen {
    fn default() -> Self {
        Pen::DEFAULT
    }
}

/// The lean backend over a writer (the terminal's stdout).
pub struct LeanBackend<W: Write> {
    out: W,
    /// The frame being collected and what the terminal will be in once it is written.
    enc: Encoder,
    /// Whether the terminal shows the cursor, when known.
    cursor_shown: Option<bool>,
    /// The terminal's size, as last read by [`Backend::size`] (ratatui reads it before
    /// every frame): lets a move go left from where printing left the cursor.
    size: std::cell::Cell<Option<Size>>,
}

impl<W: Write> LeanBackend<W> {
    /// A backend writing to `out`; nothing is known of the terminal's state yet.
    pub fn new(out: W) -> LeanBackend<W> {
        LeanBackend {
            out,
            enc: Encoder::default(),
            cursor_shown: None,
            size: std::cell::Cell::new(None),
        }
    }

    /// What was written (tests).
    #[cfg(test)]
    fn writer(&self) -> &W {
        &self.out
    }

    /// Tells the backend the terminal's size, as [`Backend::size`] would (tests).
    #[cfg(test)]
    fn set_size(&self, width: u16, height: u16) {
        self.size.set(Some(Size { width, height }));
    }

    /// Takes in the size last read: after a resize the terminal may have moved the cursor
    /// (into the smaller screen), so where it is is no longer known.
    fn resized(&mut self) {
        let size = self.size.get();
        if size != self.enc.size {
            self.enc.size = size;
            self.enc.cursor_at = None;
        }
    }
}

/// Output being collected, and the terminal's state once it is written: the pen, the cursor
/// and a shadow of the screen. Cheap to clone, so one frame can be encoded in several orders
/// and the shortest kept.
#[derive(Clone, Debug, Default)]
struct Encoder {
    /// The bytes collected.
    out: Vec<u8>,
    /// The terminal's pen.
    pen: Pen,
    /// Where the terminal's cursor is, when known.
    cursor_at: Option<Position>,
    /// What the terminal shows, for gap filling.
    shadow: Shadow,
    /// The terminal's size, when known.
    size: Option<Size>,
}

impl Encoder {
    fn move_to(&mut self, at: Position) {
        if self.cursor_at == Some(at) {
            return;
        }
        let jump = cursor_move(self.cursor_at, at, self.size.map(|s| s.width));
        // a cell costs at least a byte to print again: only gaps narrower than the jump, on
        // this row or one or two below (line feeds keep the column)
        let fill = match self.cursor_at {
            Some(from)
                if from.x < at.x
                    && at.y >= from.y
                    && at.y - from.y <= 2
                    && usize::from(at.x - from.x) < jump.len() =>
            {
                let down = "\n".repeat(usize::from(at.y - from.y));
                self.shadow
                    .reprint(at.y, from.x..at.x, self.pen)
                    .map(|text| down + &text)
                    .filter(|text| text.len() < jump.len())
            }
            _ => None,
        };
        self.out
            .extend_from_slice(fill.as_deref().unwrap_or(&jump).as_bytes());
        // a terminal keeps the cursor on its screen: a move past it leaves it unknown
        self.cursor_at =
            Some(at).filter(|at| self.size.is_none_or(|s| at.x < s.width && at.y < s.height));
    }

    fn set_pen(&mut self, to: Pen) {
        if to == self.pen {
            return;
        }
        let _ = write!(Text(&mut self.out), "\x1b[{}m", sgr_change(self.pen, to));
        self.pen = to;
    }

    fn reset_pen(&mut self) {
        if self.pen != Pen::DEFAULT {
            self.out.extend_from_slice(b"\x1b[m");
            self.pen = Pen::DEFAULT;
        }
    }

    /// Prints `cells` in the order given. `pending` holds the cells of the frame not printed
    /// yet (in any order): a cell in it is drawn later and needs no repair now.
    fn cells(&mut self, cells: &[(u16, u16, &Cell)], pending: &mut HashSet<(u16, u16)>) {
        let mut i = 0;
        while i < cells.len() {
            let (x, y, cell) = cells[i];
            let pen = pen_of(cell);
            let symbol = cell.symbol();
            let (taken, blanks) = blank_run(&cells[i..], &self.shadow);
            // the cursor stays where ECH starts: the next cell may need a move it would not
            let contiguous = cells
                .get(i + taken)
                .is_some_and(|&(nx, ny, _)| ny == y && nx == x + blanks);
            let erase = format!("\x1b[{blanks}X");
            let after = if contiguous {
                format!("\x1b[{blanks}C").len()
            } else {
                1
            };
            if taken > 1 && erase.len() + after < usize::from(blanks) {
                // a run of blanks: erased (ECH) in fewer bytes than printed
                self.move_to(Position { x, y });
                if !self.pen.plain() {
                    self.set_pen(pen);
                }
                self.out.extend_from_slice(erase.as_bytes());
                for dx in 0..blanks {
                    // a plain pen blanks halves plainly
                    let _ = self.shadow.print(x + dx, y, " ", Some(1), self.pen);
                }
                for &(cx, cy, _) in &cells[i..i + taken] {
                    pending.remove(&(cx, cy));
                }
                i += taken;
                continue;
            }
            self.move_to(Position { x, y });
            // a blank looks the same in any pen with its background: keep the current one
            if !(symbol == " " && pen.blank_like(self.pen)) {
                self.set_pen(pen);
            }
            self.out.extend_from_slice(symbol.as_bytes());
            let advance = advance(symbol);
            self.cursor_at = advance.map(|w| Position { x: x + w, y });
            let tinted = self.shadow.print(x, y, symbol, advance, self.pen);
            pending.remove(&(x, y));
            i += 1;
            // the half of a wide character this blanked is not redrawn by ratatui (it holds
            // a default blank there) unless the frame draws it later: make it one
            if let Some(tx) = tinted
                && !pending.contains(&(tx, y))
            {
                self.move_to(Position { x: tx, y });
                self.set_pen(Pen::DEFAULT);
                self.out.push(b' ');
                self.cursor_at = Some(Position { x: tx + 1, y });
                self.shadow.print(tx, y, " ", Some(1), Pen::DEFAULT);
            }
        }
    }
}

/// Makes a frame's buffer one the terminal can show cell for cell, before ratatui diffs it:
/// a wide character whose right half is off the buffer, or on a cell that holds another
/// character (a widget drew over it, or a line ran past its area), becomes a blank in its
/// style. ratatui takes the cell after a wide character for its hidden half and never lists
/// it, so the terminal would show the wide character over that cell (or wrap it to the next
/// row at the last column), and once the wide character went, erasing it would blank that
/// cell for good: it is listed neither time.
pub fn showable(buffer: &mut ratatui::buffer::Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let wide = unicode_width::UnicodeWidthStr::width(buffer[(x, y)].symbol());
            if wide < 2 {
                continue;
            }
            let hidden = (1..wide).all(|dx| {
                u16::try_from(dx)
                    .ok()
                    .and_then(|dx| x.checked_add(dx))
                    .filter(|&hx| hx < area.right())
                    .is_some_and(|hx| matches!(buffer[(hx, y)].symbol(), " " | ""))
            });
            if !hidden {
                buffer[(x, y)].set_symbol(" ");
            }
        }
    }
}

/// The pen a cell is drawn in.
fn pen_of(cell: &Cell) -> Pen {
    Pen {
        fg: cell.fg,
        bg: cell.bg,
        modifier: cell.modifier,
    }
}

/// The SGR parameters that turn pen `from` into `to`: what changed, or a reset and all of
/// the new pen, whichever is shorter.
fn sgr_change(from: Pen, to: Pen) -> String {
    let mut changes = String::new();
    sgr_params(from, to, &mut changes);
    let mut reset = String::new();
    if to != Pen::DEFAULT {
        reset.push('0');
        sgr_params(Pen::DEFAULT, to, &mut reset);
    }
    if reset.len() < changes.len() {
        reset
    } else {
        changes
    }
}

/// Modifiers that show on a blank cell.
const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

impl Pen {
    /// Whether a blank drawn in this pen looks as one drawn in `other`.
    fn blank_like(self, other: Pen) -> bool {
        let shows = |p: Pen| p.modifier & VISIBLE_ON_BLANK;
        self.bg == other.bg
            && shows(self) == shows(other)
            && (!self.modifier.contains(Modifier::REVERSED) || self.fg == other.fg)
    }

    /// A pen whose blanks look like the terminal's default blank.
    fn plain(self) -> bool {
        self.blank_like(Pen::DEFAULT)
    }
}

/// What one cell of the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    /// One narrow character in a pen.
    Char(char, Pen),
    /// The left half of a wide character.
    WideLeft(char, Pen),
    /// The right half of a wide character.
    WideRight(Pen),
    /// Not known for sure.
    Unknown,
}

/// A blank cell in the default pen (the alternate screen starts cleared, as ratatui assumes).
const BLANK: Shown = Shown::Char(' ', Pen::DEFAULT);

/// What the terminal shows, as far as this backend wrote it: lets a short gap between two
/// changed cells be crossed by printing the unchanged cells again instead of moving.
#[derive(Clone, Debug)]
struct Shadow {
    /// Rows of cells; past the end of a row (or of the rows) cells are [`BLANK`].
    rows: Vec<Vec<Shown>>,
    /// False after a partial clear, until the next full one: nothing is known then.
    known: bool,
}

impl Default for Shadow {
    fn default() -> Self {
        Shadow {
            rows: Vec::new(),
            known: true,
        }
    }
}

impl Shadow {
    fn get(&self, x: u16, y: u16) -> Shown {
        if !self.known {
            return Shown::Unknown;
        }
        self.rows
            .get(usize::from(y))
            .and_then(|r| r.get(usize::from(x)))
            .copied()
            .unwrap_or(BLANK)
    }

    fn set(&mut self, x: u16, y: u16, shown: Shown) {
        let (x, y) = (usize::from(x), usize::from(y));
        if self.rows.len() <= y {
            self.rows.resize(y + 1, Vec::new());
        }
        let row = &mut self.rows[y];
        if row.len() <= x {
            row.resize(x + 1, BLANK);
        }
        row[x] = shown;
    }

    /// Half of a wide character (drawn in `old`) was overwritten in `pen`: terminals blank
    /// the other half, in one pen or the other. Returns whether it now looks like the
    /// default blank ratatui expects there.
    fn erase_half(&mut self, x: u16, y: u16, old: Pen, pen: Pen) -> bool {
        let shown = if old.blank_like(pen) {
            Shown::Char(' ', pen)
        } else {
            Shown::Unknown
        };
        self.set(x, y, shown);
        old.plain() && pen.plain()
    }

    /// Records printing `symbol` at (`x`, `y`) in `pen`, `advance` columns wide if known.
    /// Returns the column after it that the terminal blanked in a way that may not look
    /// like the default blank (half of a wide character it overwrote), if any.
    fn print(
        &mut self,
        x: u16,
        y: u16,
        symbol: &str,
        advance: Option<u16>,
        pen: Pen,
    ) -> Option<u16> {
        let right = x.saturating_add(1);
        let mut tinted = match self.get(x, y) {
            Shown::WideLeft(_, old) => (!self.erase_half(right, y, old, pen)).then_some(right),
            Shown::WideRight(old) if x > 0 => {
                self.erase_half(x - 1, y, old, pen);
                None
            }
            _ => None,
        };
        match (advance, symbol.chars().next()) {
            (Some(1), Some(c)) => self.set(x, y, Shown::Char(c, pen)),
            (Some(2), Some(c)) => {
                let after = right.saturating_add(1);
                tinted = match self.get(right, y) {
                    Shown::WideLeft(_, old) if !self.erase_half(after, y, old, pen) => Some(after),
                    _ => None,
                };
                self.set(x, y, Shown::WideLeft(c, pen));
                self.set(right, y, Shown::WideRight(pen));
            }
            _ => {
                self.set(x, y, Shown::Unknown);
                self.set(right, y, Shown::Unknown);
            }
        }
        tinted
    }

    /// The cells `xs` of row `y` printed again in `pen`, if each surely holds a character
    /// (narrow, or both halves of a wide one) that looks the same printed so.
    fn reprint(&self, y: u16, xs: std::ops::Range<u16>, pen: Pen) -> Option<String> {
        let mut text = String::new();
        let mut x = xs.start;
        while x < xs.end {
            match self.get(x, y) {
                Shown::Char(' ', p) if p.blank_like(pen) => text.push(' '),
                Shown::Char(c, p) if p == pen => text.push(c),
                Shown::WideLeft(c, p)
                    if p == pen && x + 1 < xs.end && self.get(x + 1, y) == Shown::WideRight(p) =>
                {
                    text.push(c);
                    x += 1;
                }
                _ => return None,
            }
            x += 1;
        }
        Some(text)
    }

    /// The screen was cleared: all of it (blank) or part of it (nothing known any more).
    fn clear(&mut self, all: bool) {
        self.rows.clear();
        self.known = all;
    }
}

/// A cell and where it goes (column, row), as ratatui lists the changes.
type Placed<'a> = (u16, u16, &'a Cell);

/// `cells` regrouped pen by pen, so that each pen is set once: runs of side-by-side cells
/// in one pen (a blank joins a run it looks alike in, even one column on) stay whole and
/// in ratatui's order within their pen; the pens follow in the order they first appear,
/// except that `current` (the terminal's pen) goes first.
fn by_pen<'a>(cells: &[Placed<'a>], current: Pen) -> Vec<Placed<'a>> {
    let mut groups: Vec<(Pen, Vec<Placed<'a>>)> = Vec::new();
    let mut run: Option<(Pen, Option<(u16, u16)>)> = None;
    for &(x, y, cell) in cells {
        let pen = pen_of(cell);
        let blank = cell.symbol() == " ";
        // a blank one column on (the right half of a wide character between) joins too
        let key = match run {
            Some((k, Some((nx, ny))))
                if ny == y
                    && (x == nx || (x == nx + 1 && blank && pen.blank_like(k)))
                    && (pen == k || (blank && pen.blank_like(k))) =>
            {
                k
            }
            _ => pen,
        };
        run = Some((
            key,
            advance(cell.symbol()).map(|w| (x.saturating_add(w), y)),
        ));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push((x, y, cell)),
            None => groups.push((key, vec![(x, y, cell)])),
        }
    }
    if let Some(i) = groups.iter().position(|(k, _)| *k == current) {
        let first = groups.remove(i);
        groups.insert(0, first);
    }
    groups.into_iter().flat_map(|(_, group)| group).collect()
}

/// A run of plain blanks at the start of `cells`, on one row: how many of `cells` it takes
/// and how many columns it covers. Columns between two of its cells belong to the run when
/// the terminal already shows them blank: ratatui does not list a cell that was blank
/// before and is blank now, nor the right half of a wide character being blanked (the
/// terminal blanks it with the left half).
fn blank_run(cells: &[(u16, u16, &Cell)], shadow: &Shadow) -> (usize, u16) {
    let Some(&(x0, y0, _)) = cells.first() else {
        return (0, 0);
    };
    let mut end = x0;
    let mut taken = 0;
    // a column shown as a plain blank, or the right half of a wide character whose left
    // half is in the run (a left half in the gap is no blank: the gap ends there first)
    let blank = |c: u16| match shadow.get(c, y0) {
        Shown::Char(' ', p) => p.plain(),
        Shown::WideRight(_) => c > x0 && matches!(shadow.get(c - 1, y0), Shown::WideLeft(..)),
        _ => false,
    };
    for &(x, y, cell) in cells {
        let plain = pen_of(cell).plain();
        let next = x == end || (taken > 0 && x > end && (end..x).all(&blank));
        if y != y0 || !next || cell.symbol() != " " || !plain || x == u16::MAX {
            break;
        }
        end = x + 1;
        taken += 1;
    }
    // a wide character whose left half ends the run is erased whole
    if taken > 0 && matches!(shadow.get(end - 1, y0), Shown::WideLeft(..)) {
        end += 1;
    }
    (taken, end - x0)
}

/// Formats into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The shortest sequence that takes the cursor from `from` (when known) to `to`: the cell
/// itself (`CSI row;col H`), or a move up or down (line feeds, reverse index `ESC M`,
/// `CSI n B` / `A`) followed by one along the row (none, `CSI n C` / `D`, backspaces, a
/// column `CSI n G`, or carriage return and `CSI n C`). Moves relative to the column start
/// only from a cell the cursor stands on: after printing the last column a terminal holds
/// the cursor on that column, so going left from there is relative only when the width
/// `cols` is known and the cursor is inside it.
fn cursor_move(from: Option<Position>, to: Position, cols: Option<u16>) -> String {
    let n = |v: u16| if v == 1 { String::new() } else { v.to_string() };
    let (row, col) = (u32::from(to.y) + 1, u32::from(to.x) + 1);
    let mut best = match (row, col) {
        (1, 1) => "\x1b[H".to_string(),
        (r, 1) => format!("\x1b[{r}H"),
        (r, c) => format!("\x1b[{r};{c}H"),
    };
    let Some(f) = from else {
        return best;
    };
    // up or down: raw mode sends line feeds as they are, and the row below exists, so a
    // line feed never scrolls; reverse index never reaches the top row from below either
    let mut vertical = vec![String::new()];
    if to.y > f.y {
        let d = to.y - f.y;
        vertical = vec![format!("\x1b[{}B", n(d))];
        if d <= 4 {
            vertical.push("\n".repeat(usize::from(d)));
        }
    } else if to.y < f.y {
        let d = f.y - to.y;
        vertical = vec![format!("\x1b[{}A", n(d))];
        if d <= 2 {
            vertical.push("\x1bM".repeat(usize::from(d)));
        }
    }
    // along the row, as (before the vertical move, after it)
    let mut along: Vec<(&str, String)> = Vec::new();
    if to.x >= f.x || cols.is_some_and(|c| f.x < c) {
        along.push(match to.x.cmp(&f.x) {
            std::cmp::Ordering::Equal => ("", String::new()),
            std::cmp::Ordering::Greater => ("", format!("\x1b[{}C", n(to.x - f.x))),
            std::cmp::Ordering::Less => ("", format!("\x1b[{}D", n(f.x - to.x))),
        });
        if to.x < f.x && f.x - to.x <= 3 {
            along.push(("", "\x08".repeat(usize::from(f.x - to.x))));
        }
    }
    along.push(("", format!("\x1b[{col}G")));
    along.push(match to.x {
        0 => ("\r", String::new()),
        x => ("\r", format!("\x1b[{}C", n(x))),
    });
    for v in &vertical {
        for (before, after) in &along {
            if before.len() + v.len() + after.len() < best.len() {
                best = format!("{before}{v}{after}");
            }
        }
    }
    best
}

/// The SGR parameters that turn pen `from` into pen `to`, `;`-separated.
fn sgr_params(from: Pen, to: Pen, out: &mut String) {
    let mut push = |p: &str| {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(p);
    };
    let removed = from.modifier - to.modifier;
    let mut added = to.modifier - from.modifier;
    // 22 turns off bold and dim together; 25 both blinks
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        push("22");
        added |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        push("25");
        added |= to.modifier & (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    }
    for (m, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.contains(m) {
            push(off);
        }
    }
    for (m, on) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if added.contains(m) {
            push(on);
        }
    }
    if to.fg != from.fg {
        push(&color_param(to.fg, false));
    }
    if to.bg != from.bg {
        push(&color_param(to.bg, true));
    }
}

/// The xterm 256-colour palette index of an RGB colour that is exactly one of its cube or
/// grey-ramp entries (22–255: 16–21 are redefined by some shell colour schemes).
fn xterm_index(r: u8, g: u8, b: u8) -> Option<u8> {
    const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| CUBE.iter().position(|&c| c == v);
    if let (Some(r6), Some(g6), Some(b6)) = (level(r), level(g), level(b)) {
        let index = 16 + 36 * r6 + 6 * g6 + b6;
        return u8::try_from(index).ok().filter(|&i| i >= 22);
    }
    let grey = (r == g && g == b && r >= 8 && (r - 8).is_multiple_of(10)).then(|| (r - 8) / 10);
    grey.filter(|&i| i < 24).map(|i| 232 + i)
}

/// One colour as SGR: the 16 named colours as 30–37 / 90–97 (40–47 / 100–107 behind), the
/// 256-colour palette as `38;5;n`, true colour as `38;2;r;g;b` — or as `38;5;n` when it is
/// exactly a palette colour (the default themes use only those), 8 bytes shorter.
fn color_param(color: Color, background: bool) -> String {
    let base = if background { 10 } else { 0 };
    let named = |n: u8| (u16::from(n) + base).to_string();
    match color {
        Color::Reset => named(39),
        Color::Black => named(30),
        Color::Red => named(31),
        Color::Green => named(32),
        Color::Yellow => named(33),
        Color::Blue => named(34),
        Color::Magenta => named(35),
        Color::Cyan => named(36),
        Color::Gray => named(37),
        Color::DarkGray => named(90),
        Color::LightRed => named(91),
        Color::LightGreen => named(92),
        Color::LightYellow => named(93),
        Color::LightBlue => named(94),
        Color::LightMagenta => named(95),
        Color::LightCyan => named(96),
        Color::White => named(97),
        Color::Indexed(i) => format!("{};5;{i}", 38 + base),
        Color::Rgb(r, g, b) => match xterm_index(r, g, b) {
            Some(i) => format!("{};5;{i}", 38 + base),
            None => format!("{};2;{r};{g};{b}", 38 + base),
        },
    }
}

/// How far the terminal's cursor surely moves after printing `symbol`: 1 for one narrow
/// character, 2 for one CJK character (wide in every terminal), `None` when terminals may
/// disagree (emoji, combining sequences, ambiguous-width symbols) and the next cell is
/// addressed explicitly.
fn advance(symbol: &str) -> Option<u16> {
    let mut chars = symbol.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    if (' '..='~').contains(&c) {
        return Some(1);
    }
    match unicode_width::UnicodeWidthChar::width(c) {
        Some(2) if surely_wide(c) => Some(2),
        // box drawing, arrows, Latin-1 and the like: narrow unless the terminal is set to
        // draw ambiguous characters wide (then `--ascii` is the answer)
        Some(1) => Some(1),
        _ => None,
    }
}

/// East Asian Wide characters outside the emoji ranges: Hangul Jamo, CJK radicals to Yi,
/// Hangul syllables, CJK compatibility ideographs, vertical and small forms, fullwidth forms,
/// and the supplementary ideographic planes.
fn surely_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    )
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        if cells.is_empty() {
            return Ok(());
        }
        self.resized();
        let all: HashSet<(u16, u16)> = cells.iter().map(|&(x, y, _)| (x, y)).collect();
        let collected = std::mem::take(&mut self.enc.out);
        // ratatui's order (row by row), and the same cells drawn pen by pen: whichever
        // says it in fewer bytes
        let mut best: Option<Encoder> = None;
        for order in [cells.clone(), by_pen(&cells, self.enc.pen)] {
            let mut enc = self.enc.clone();
            enc.cells(&order, &mut all.clone());
            if best.as_ref().is_none_or(|b| enc.out.len() < b.out.len()) {
                best = Some(enc);
            }
        }
        if let Some(best) = best {
            self.enc = best;
        }
        self.enc.out.splice(0..0, collected);
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(false) {
            self.enc.out.extend_from_slice(b"\x1b[?25l");
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(true) {
            self.enc.out.extend_from_slice(b"\x1b[?25h");
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    /// The cursor position this backend last put the cursor at (the terminal is never asked).
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.enc.cursor_at.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.resized();
        self.enc.move_to(position.into());
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // erased cells take the current background: erase with the default one
        self.resized();
        self.enc.reset_pen();
        self.enc.shadow.clear(clear_type == ClearType::All);
        let seq: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.enc.out.extend_from_slice(seq);
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.enc.out.push(b'\n');
        }
        self.enc.cursor_at = None;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = crossterm::terminal::size()?;
        self.size.set(Some(Size { width, height }));
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let crossterm::terminal::WindowSize {
            columns,
            rows,
            width,
            height,
        } = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: columns,
                height: rows,
            },
            pixels: Size { width, height },
        })
    }

    /// Writes the collected frame, if any, at once; inside synchronized output unless it is
    /// short (see `SYNC_FROM`).
    fn flush(&mut self) -> io::Result<()> {
        if self.enc.out.is_empty() {
            return Ok(());
        }
        let bytes = if self.enc.out.len() < SYNC_FROM {
            std::mem::take(&mut self.enc.out)
        } else {
            let mut bytes =
                Vec::with_capacity(self.enc.out.len() + BEGIN_SYNC.len() + END_SYNC.len());
            bytes.extend_from_slice(BEGIN_SYNC);
            bytes.append(&mut self.enc.out);
            bytes.extend_from_slice(END_SYNC);
            bytes
        };
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::style::{Style, Stylize};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;

    use super::*;

    fn terminal(w: u16, h: u16) -> Terminal<LeanBackend<Vec<u8>>> {
        let backend = LeanBackend::new(Vec::new());
        backend.set_size(w, h);
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        Terminal::with_options(
            backend,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .expect("terminal")
    }

    fn draw(t: &mut Terminal<LeanBackend<Vec<u8>>>, lines: Vec<Line<'static>>) -> Vec<u8> {
        let before = t.backend().writer().len();
        t.draw(|f| f.render_widget(Paragraph::new(lines), f.area()))
            .expect("draw");
        t.backend().writer()[before..].to_vec()
    }

    fn screen(bytes: &[u8], w: u16, h: u16) -> vt100::Parser {
        let mut p = vt100::Parser::new(
            std::num::NonZero::new(h).expect("h"),
            std::num::NonZero::new(w).expect("w"),
            0,
        );
        p.process(bytes);
        p
    }

    #[test]
    fn restyling_a_row_of_chinese_keeps_every_character() {
        use ratatui::style::Style;
        let grey = Style::default().fg(Color::Indexed(245));
        let selected = Style::default()
            .bg(Color::Indexed(237))
            .add_modifier(Modifier::BOLD);
        let row = |style: Style| {
            Line::from(vec![
                Span::styled("field  BD000007 ", grey),
                Span::raw("个体工商户登…  "),
                Span::styled("requir…", grey),
            ])
            .style(style)
        };
        let mut t = terminal(40, 3);
        let mut all = Vec::new();
        // the selection moves down the rows, then back up
        for at in [0, 1, 2, 1, 0] {
            let rows = (0..3)
                .map(|y| row(if y == at { selected } else { Style::default() }))
                .collect();
            all.extend(draw(&mut t, rows));
        }
        let shown = screen(&all, 40, 3);
        for y in 0..3 {
            let text = shown.screen().contents_between(y, 0, y, 40);
            assert!(text.contains("个体工商户登…"), "row {y}: {text:?}");
        }
    }

    #[test]
    fn a_run_of_chinese_is_one_cursor_move() {
        let mut t = terminal(20, 2);
        let out = draw(&mut t, vec![Line::from("身份证号码:ok")]);
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.matches('H').count(), 1, "{text:?}");
        assert!(text.contains("身份证号码:ok"), "{text:?}");
    }

    #[test]
    fn nothing_changed_writes_nothing() {
        let mut t = terminal(20, 2);
        draw(&mut t, vec![Line::from("数据元 DE000005")]);
        let out = draw(&mut t, vec![Line::from("数据元 DE000005")]);
        assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn a_change_is_one_write_with_only_what_changed() {
        let mut t = terminal(20, 2);
        draw(&mut t, vec![Line::from("姓名"), Line::from("性别")]);
        let out = draw(&mut t, vec![Line::from("姓名"), Line::from("民族")]);
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text, "\r民族");
    }

    #[test]
    fn after_a_resize_the_first_move_is_absolute() {
        let mut t = terminal(20, 2);
        draw(&mut t, vec![Line::from("姓名"), Line::from("性别")]);
        // the terminal may have moved the cursor into the smaller screen
        t.backend().set_size(3, 2);
        let out = draw(&mut t, vec![Line::from("姓名"), Line::from("民族")]);
        assert_eq!(String::from_utf8(out).expect("utf-8"), "\x1b[2H民族");
        // a move past the screen leaves the cursor unknown too
        t.backend_mut()
            .set_cursor_position(Position { x: 30, y: 0 })
            .expect("move");
        assert_eq!(
            t.backend_mut().get_cursor_position().ok(),
            Some(Position::default())
        );
    }

    #[test]
    fn a_long_frame_is_wrapped_in_synchronized_output() {
        let mut t = terminal(120, 12);
        let rows: Vec<Line<'static>> = (0..12)
            .map(|i| Line::from(format!("{i} {}", "身份证号码".repeat(10))))
            .collect();
        let out = draw(&mut t, rows);
        assert!(out.len() > SYNC_FROM);
        assert!(out.starts_with(BEGIN_SYNC) && out.ends_with(END_SYNC));
    }

    #[test]
    fn styles_change_in_one_sequence_and_the_pen_carries_over_frames() {
        let mut t = terminal(10, 1);
        let styled = |s: &'static str| {
            Line::from(Span::styled(
                s,
                Style::new().bold().fg(Color::Rgb(1, 2, 3)).bg(Color::Blue),
            ))
        };
        let out = draw(&mut t, vec![styled("ab")]);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("\x1b[1;38;2;1;2;3;44mab"), "{text:?}");
        // the same pen: no SGR again
        let out = draw(&mut t, vec![styled("cd")]);
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text, "\rcd");
        // bold off, colours back to default
        let out = draw(&mut t, vec![Line::from("cd")]);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("\x1b[mcd"), "{text:?}");
    }

    #[test]
    fn the_screen_matches_the_buffer_through_many_frames() {
        let frames: [&[&str]; 4] = [
            &["身份证号码 DE000005", "公司设立登记 ▾ abc", "x"],
            &["姓名 DE000002", "个体工商户设立登记", "食品经营许可证核发"],
            &["ab身份证号码", " 公司 注销 登记", "食品经营许可证"],
            &["", "a—b…c「d」", "全角ＡＢＣ１２３"],
        ];
        let mut t = terminal(24, 3);
        let mut all = Vec::new();
        for (i, rows) in frames.iter().enumerate() {
            let lines: Vec<Line<'static>> = rows
                .iter()
                .enumerate()
                .map(|(r, s)| {
                    let span = Span::raw(s.to_string());
                    if (r + i) % 2 == 0 {
                        Line::from(span.reversed())
                    } else {
                        Line::from(span)
                    }
                })
                .collect();
            all.extend(draw(&mut t, lines));
            let parser = screen(&all, 24, 3);
            for (r, s) in rows.iter().enumerate() {
                let row = parser.screen().contents_between(r as u16, 0, r as u16, 24);
                assert_eq!(row.trim_end(), *s, "frame {i} row {r}");
                let reversed = parser
                    .screen()
                    .cell(r as u16, 0)
                    .is_some_and(|c| c.inverse());
                assert_eq!(
                    reversed,
                    (r + i) % 2 == 0 && !s.is_empty(),
                    "frame {i} row {r}"
                );
            }
        }
    }

    /// What a vt100 screen cell should look like for a ratatui colour.
    fn vt_color(color: Color) -> vt100::Color {
        match color {
            Color::Reset => vt100::Color::Default,
            Color::Indexed(i) => vt100::Color::Idx(i),
            Color::Rgb(r, g, b) => match xterm_index(r, g, b) {
                Some(i) => vt100::Color::Idx(i),
                None => vt100::Color::Rgb(r, g, b),
            },
            named => {
                let order = [
                    Color::Black,
                    Color::Red,
                    Color::Green,
                    Color::Yellow,
                    Color::Blue,
                    Color::Magenta,
                    Color::Cyan,
                    Color::Gray,
                    Color::DarkGray,
                    Color::LightRed,
                    Color::LightGreen,
                    Color::LightYellow,
                    Color::LightBlue,
                    Color::LightMagenta,
                    Color::LightCyan,
                    Color::White,
                ];
                let i = order.iter().position(|&c| c == named).unwrap_or(0);
                vt100::Color::Idx(i as u8)
            }
        }
    }

    /// Every cell of the terminal (as vt100 reads the bytes) shows what ratatui's buffer holds.
    fn assert_screen_is_buffer(parser: &vt100::Parser, buffer: &ratatui::buffer::Buffer) {
        let area = buffer.area;
        for y in 0..area.height {
            let mut x = 0;
            while x < area.width {
                let want = &buffer[(x, y)];
                let got = parser.screen().cell(y, x).expect("cell");
                let symbol = want.symbol();
                let shown = if got.contents().is_empty() {
                    " ".to_string()
                } else {
                    got.contents().to_string()
                };
                assert_eq!(shown, symbol, "cell ({x},{y})");
                // blanks may keep another pen: only what shows on a blank must match
                assert_eq!(got.bgcolor(), vt_color(want.bg), "bg ({x},{y})");
                assert_eq!(
                    got.inverse(),
                    want.modifier.contains(Modifier::REVERSED),
                    "reverse ({x},{y})"
                );
                assert_eq!(
                    got.underline(),
                    want.modifier.contains(Modifier::UNDERLINED),
                    "underline ({x},{y})"
                );
                if symbol != " " {
                    assert_eq!(got.fgcolor(), vt_color(want.fg), "fg ({x},{y})");
                    assert_eq!(
                        got.bold(),
                        want.modifier.contains(Modifier::BOLD),
                        "bold ({x},{y})"
                    );
                }
                if unicode_width::UnicodeWidthStr::width(symbol) == 2 {
                    let next = parser.screen().cell(y, x + 1).expect("cell");
                    assert!(next.is_wide_continuation(), "wide ({x},{y})");
                    x += 1;
                }
                x += 1;
            }
        }
    }

    fn style_of(n: u8) -> Style {
        match n % 7 {
            0 => Style::new(),
            1 => Style::new().bold(),
            2 => Style::new().fg(Color::Rgb(95, 175, 215)),
            3 => Style::new().bg(Color::Rgb(58, 58, 58)).bold(),
            4 => Style::new().reversed(),
            5 => Style::new().fg(Color::Rgb(1, 2, 3)).underlined(),
            _ => Style::new().fg(Color::LightRed).bg(Color::Blue),
        }
    }

    /// A frame: rows of spans, each (text, style, repeat).
    type Frame = Vec<Vec<(u8, u8, usize)>>;

    fn frame_lines(frame: &Frame) -> Vec<Line<'static>> {
        const ALPHABET: [&str; 10] = ["a", "b", " ", "身", "份", "、", "─", "Ｘ", "   ", "号码"];
        frame
            .iter()
            .map(|spans| {
                Line::from(
                    spans
                        .iter()
                        .map(|&(text, style, repeat)| {
                            Span::styled(
                                ALPHABET[usize::from(text)].repeat(repeat + 1),
                                style_of(style),
                            )
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn any_frames_leave_the_screen_as_the_buffer(
            frames in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec((0u8..10, 0u8..7, 0usize..6), 0..7),
                    4,
                ),
                1..6,
            )
        ) {
            let (w, h) = (24, 4);
            let mut t = terminal(w, h);
            for frame in &frames {
                t.draw(|f| f.render_widget(Paragraph::new(frame_lines(frame)), f.area()))
                    .expect("draw");
                let parser = screen(t.backend().writer(), w, h);
                let mut buffer =
                    ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, w, h));
                ratatui::widgets::Widget::render(
                    Paragraph::new(frame_lines(frame)),
                    buffer.area,
                    &mut buffer,
                );
                assert_screen_is_buffer(&parser, &buffer);
            }
        }
    }

    proptest::proptest! {
        /// Cells may be drawn in any order (the backend picks the shortest): every order
        /// leaves the screen as the buffer.
        #[test]
        fn frames_drawn_in_any_order_leave_the_screen_as_the_buffer(
            frames in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::collection::vec((0u8..10, 0u8..7, 0usize..6), 0..7),
                        4,
                    ),
                    proptest::collection::vec(0usize..1000, 0..200),
                ),
                1..6,
            )
        ) {
            let (w, h) = (24, 4);
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let mut enc = Encoder {
                size: Some(Size { width: w, height: h }),
                ..Encoder::default()
            };
            let mut previous = ratatui::buffer::Buffer::empty(area);
            for (frame, swaps) in &frames {
                let mut buffer = ratatui::buffer::Buffer::empty(area);
                ratatui::widgets::Widget::render(
                    Paragraph::new(frame_lines(frame)),
                    area,
                    &mut buffer,
                );
                let mut cells = previous.diff(&buffer);
                // a shuffle: each number swaps two cells
                for (k, &s) in swaps.iter().enumerate() {
                    if cells.len() > 1 {
                        let (a, b) = (k % cells.len(), s % cells.len());
                        cells.swap(a, b);
                    }
                }
                let mut pending = cells.iter().map(|&(x, y, _)| (x, y)).collect();
                enc.cells(&cells, &mut pending);
                let parser = screen(&enc.out, w, h);
                assert_screen_is_buffer(&parser, &buffer);
                previous = buffer;
            }
        }
    }

    #[test]
    fn runs_of_blanks_are_erased_and_wide_halves_repaired() {
        let mut t = terminal(24, 2);
        draw(&mut t, vec![Line::from("abcdefghijklmnopqrst")]);
        let out = draw(&mut t, vec![Line::from("")]);
        assert_eq!(String::from_utf8(out).expect("utf-8"), "\r\x1b[20X");
        // a highlighted narrow character over the left half of 身: the right half, which
        // ratatui does not redraw, is made a default blank again
        draw(&mut t, vec![Line::from("身")]);
        let out = draw(
            &mut t,
            vec![Line::from(Span::styled("a", Style::new().bg(Color::Blue)))],
        );
        assert_eq!(String::from_utf8(out).expect("utf-8"), "\r\x1b[44ma\x1b[m ");
    }

    /// Draws rows of text in a box whose right border is the last column, then puts `wide`
    /// at `column` of the first row as a line running past its area does (over the border,
    /// or off the screen); the frame is made showable as the app's frames are.
    fn draw_boxed(
        t: &mut Terminal<LeanBackend<Vec<u8>>>,
        rows: &[&str],
        wide: Option<(&str, u16)>,
    ) -> ratatui::buffer::Buffer {
        let frame = t
            .draw(|f| {
                let block = ratatui::widgets::Block::bordered();
                let inner = block.inner(f.area());
                f.render_widget(block, f.area());
                let lines: Vec<Line<'static>> =
                    rows.iter().map(|r| Line::from(r.to_string())).collect();
                f.render_widget(Paragraph::new(lines), inner);
                if let Some((symbol, x)) = wide {
                    f.buffer_mut()[(x, 1)].set_symbol(symbol);
                }
                showable(f.buffer_mut());
            })
            .expect("draw");
        frame.buffer.clone()
    }

    #[test]
    fn a_wide_character_over_a_border_or_off_the_screen_never_garbles_it() {
        let (w, h) = (12, 4);
        let mut t = terminal(w, h);
        // the rows, and a wide character put at a column of the first row
        type Step<'a> = (&'a [&'a str], Option<(&'a str, u16)>);
        let frames: [Step<'_>; 5] = [
            (&["abcdefghij"], None),
            // 户 in the last column inside the box: its right half would cover the border
            (&["abcdefghi"], Some(("户", 10))),
            // it goes: the erase of the row must leave the border standing
            (&["invoice"], None),
            // a wide character in the screen's last column
            (&["abc"], Some(("落", 11))),
            (&["身份证号码"], None),
        ];
        for (i, (rows, wide)) in frames.into_iter().enumerate() {
            let buffer = draw_boxed(&mut t, rows, wide);
            let parser = screen(t.backend().writer(), w, h);
            assert_screen_is_buffer(&parser, &buffer);
            // (but where the last frame but one draws over it)
            if wide.is_none_or(|(_, x)| x < w - 1) {
                let border = parser.screen().cell(1, w - 1).expect("cell").contents();
                assert_eq!(border, "│", "frame {i}: the right border stays");
            }
        }
    }

    #[test]
    fn cursor_visibility_is_sent_only_when_it_changes() {
        let mut t = terminal(10, 1);
        let a = draw(&mut t, vec![Line::from("a")]);
        assert!(String::from_utf8_lossy(&a).contains("\x1b[?25l"));
        let b = draw(&mut t, vec![Line::from("b")]);
        assert!(!String::from_utf8_lossy(&b).contains("\x1b[?25l"));
    }

    #[test]
    fn cursor_moves_take_the_shortest_form() {
        let p = |x, y| Position { x, y };
        let w = Some(80);
        assert_eq!(cursor_move(None, p(0, 0), w), "\x1b[H");
        assert_eq!(cursor_move(None, p(0, 4), w), "\x1b[5H");
        assert_eq!(cursor_move(None, p(75, 2), w), "\x1b[3;76H");
        assert_eq!(cursor_move(Some(p(74, 2)), p(75, 2), w), "\x1b[C");
        assert_eq!(cursor_move(Some(p(10, 2)), p(30, 2), w), "\x1b[20C");
        assert_eq!(cursor_move(Some(p(10, 2)), p(3, 2), w), "\x1b[7D");
        assert_eq!(cursor_move(Some(p(10, 2)), p(8, 2), w), "\x08\x08");
        assert_eq!(cursor_move(Some(p(10, 2)), p(0, 2), w), "\r");
        assert_eq!(cursor_move(Some(p(10, 2)), p(10, 3), w), "\n");
        assert_eq!(cursor_move(Some(p(10, 2)), p(10, 5), w), "\n\n\n");
        assert_eq!(cursor_move(Some(p(10, 2)), p(10, 9), w), "\x1b[7B");
        assert_eq!(cursor_move(Some(p(10, 9)), p(10, 3), w), "\x1b[6A");
        assert_eq!(cursor_move(Some(p(10, 9)), p(10, 8), w), "\x1bM");
        assert_eq!(cursor_move(Some(p(10, 2)), p(0, 3), w), "\r\n");
        assert_eq!(cursor_move(Some(p(10, 2)), p(0, 4), w), "\r\n\n");
        assert_eq!(cursor_move(Some(p(10, 2)), p(3, 3), w), "\n\x1b[7D");
        assert_eq!(cursor_move(Some(p(10, 2)), p(9, 3), w), "\n\x08");
        assert_eq!(cursor_move(Some(p(10, 12)), p(20, 13), w), "\n\x1b[10C");
        assert_eq!(cursor_move(Some(p(10, 2)), p(70, 3), w), "\n\x1b[60C");
        assert_eq!(cursor_move(Some(p(10, 2)), p(3, 30), w), "\x1b[31;4H");
        // after printing the last column the cursor holds on it: no move left from there
        // is relative, nor any when the width is not known
        assert_eq!(cursor_move(Some(p(80, 2)), p(78, 3), w), "\n\x1b[79G");
        assert_eq!(cursor_move(Some(p(10, 2)), p(3, 3), None), "\n\x1b[4G");
        assert_eq!(cursor_move(Some(p(10, 2)), p(8, 2), None), "\x1b[9G");
        assert_eq!(cursor_move(Some(p(10, 2)), p(12, 3), None), "\n\x1b[2C");
    }

    #[test]
    fn palette_colours_are_sent_as_indexes_others_as_rgb() {
        assert_eq!(color_param(Color::Rgb(95, 175, 215), false), "38;5;74");
        assert_eq!(color_param(Color::Rgb(138, 138, 138), false), "38;5;245");
        assert_eq!(color_param(Color::Rgb(58, 58, 58), true), "48;5;237");
        assert_eq!(color_param(Color::Rgb(255, 255, 255), false), "38;5;231");
        // 16-21 may be redefined by a shell colour scheme
        assert_eq!(color_param(Color::Rgb(0, 0, 95), false), "38;2;0;0;95");
        assert_eq!(color_param(Color::Rgb(1, 2, 3), true), "48;2;1;2;3");
        assert_eq!(
            color_param(Color::Rgb(248, 248, 248), false),
            "38;2;248;248;248"
        );
        assert_eq!(color_param(Color::LightBlue, true), "104");
        assert_eq!(color_param(Color::Indexed(7), false), "38;5;7");
        for i in 22..=255u8 {
            let (r, g, b) = if i >= 232 {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            } else {
                const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];
                let c = usize::from(i - 16);
                (CUBE[c / 36], CUBE[c / 6 % 6], CUBE[c % 6])
            };
            assert_eq!(xterm_index(r, g, b), Some(i));
        }
    }

    #[test]
    fn emoji_are_followed_by_an_explicit_move() {
        assert_eq!(advance("a"), Some(1));
        assert_eq!(advance("身"), Some(2));
        assert_eq!(advance("，"), Some(2));
        assert_eq!(advance("─"), Some(1));
        assert_eq!(advance("😀"), None);
        assert_eq!(advance("e\u{301}"), None);
    }
}
