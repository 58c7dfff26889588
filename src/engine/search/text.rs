//! Where a search index's text lies: held in memory, or left in the cache file it was read
//! from and read a chunk of entries at a time. A million elements' strings take 140 MB; left
//! in the file (which the operating system caches, outside the process), pane 2 searches them
//! within the memory the rest of the TUI needs.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// Entries' strings at most this many bytes apart are read with one read, the bytes between
/// them included, instead of two.
const GAP: usize = 4096;

/// A read of entries' strings close to one another spans at most about this many bytes.
/// Small in tests, so that random spans cross it.
const RUN_MOST: usize = if cfg!(test) { 8 << 10 } else { 64 << 10 };

/// Bytes of a file's text read at a time when all of it is wanted.
const CHUNK: usize = 1 << 20;

/// The text of an index.
#[derive(Clone, Debug)]
pub enum Text {
    /// In memory.
    Held(String),
    /// Bytes `at..at + len` of a file, read when needed, then `tail` in memory. The file is
    /// never written in place (a cache file is replaced by renaming a new one over it, and
    /// the open file still reads as it was), so what was checked when it was opened stays
    /// true; a read that fails gives no bytes.
    File {
        /// The open file.
        file: Arc<File>,
        /// Where the text starts in it.
        at: u64,
        /// The length in bytes of the text in the file.
        len: usize,
        /// The text after the file's: the strings of rows a patch added (see
        /// [`Text::append`]).
        tail: String,
    },
}

impl Default for Text {
    fn default() -> Self {
        Text::Held(String::new())
    }
}

impl Text {
    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Text::Held(s) => s.len(),
            Text::File { len, tail, .. } => len + tail.len(),
        }
    }

    /// Appends `more` to the text (after the file's, in memory, when it is in a file).
    pub fn append(&mut self, more: &str) {
        match self {
            Text::Held(s) | Text::File { tail: s, .. } => s.push_str(more),
        }
    }

    /// Appends the bytes of `range` to `out`; false (and nothing appended) for a range past
    /// the end or a read that fails.
    fn read_into(&self, range: Range<usize>, out: &mut Vec<u8>) -> bool {
        if range.start > range.end || range.end > self.len() {
            return false;
        }
        match self {
            Text::Held(s) => {
                out.extend_from_slice(&s.as_bytes()[range]);
                true
            }
            Text::File {
                file,
                at,
                len,
                tail,
            } => {
                let from = out.len();
                // the file's part of the range, then the tail's
                let in_file = range.start.min(*len)..range.end.min(*len);
                out.resize(from + in_file.len(), 0);
                let read = file.read_exact_at(&mut out[from..], *at + in_file.start as u64);
                if read.is_err() {
                    out.truncate(from);
                    return false;
                }
                let in_tail = range.start.max(*len) - len..range.end.max(*len) - len;
                out.extend_from_slice(&tail.as_bytes()[in_tail]);
                true
            }
        }
    }

    /// The bytes of `range`: borrowed from a held text, read into `buf` from a file; empty
    /// for a range past the end or a read that fails.
    pub fn bytes<'a>(&'a self, range: Range<usize>, buf: &'a mut Vec<u8>) -> &'a [u8] {
        match self {
            Text::Held(s) => s.as_bytes().get(range).unwrap_or_default(),
            Text::File { .. } => {
                buf.clear();
                self.read_into(range, buf);
                buf
            }
        }
    }

    /// The whole text: borrowed when held, read from the file.
    pub fn whole(&self) -> io::Result<Cow<'_, str>> {
        match self {
            Text::Held(s) => Ok(Cow::Borrowed(s)),
            Text::File { .. } => {
                let mut bytes = Vec::new();
                if !self.read_into(0..self.len(), &mut bytes) {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the search index's file ended early",
                    ));
                }
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
            }
        }
    }

    /// Calls `f` with the whole text in order, a megabyte at a time when it is in a file.
    pub fn each_chunk(&self, mut f: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        match self {
            Text::Held(s) => f(s.as_bytes()),
            Text::File { .. } => {
                let mut buf = Vec::with_capacity(CHUNK);
                let mut at = 0;
                while at < self.len() {
                    let end = self.len().min(at + CHUNK);
                    buf.clear();
                    if !self.read_into(at..end, &mut buf) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the search index's file ended early",
                        ));
                    }
                    f(&buf)?;
                    at = end;
                }
                Ok(())
            }
        }
    }

    /// The held text, reading it from the file first if it is there.
    pub fn hold(&mut self) -> io::Result<&mut String> {
        if let Text::File { .. } = self {
            *self = Text::Held(self.whole()?.into_owned());
        }
        match self {
            Text::Held(s) => Ok(s),
            Text::File { .. } => Err(io::Error::other("the search index's text is not held")),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && match (self.whole(), other.whole()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
    }
}

impl Eq for Text {}

/// The strings of a batch of entries, read at once: spans of a held text are borrowed where
/// they lie; those of a file are read sorted by place, neighbours with one read.
#[derive(Default)]
pub struct Batch {
    /// The bytes read from a file: the spans, each once.
    buf: Vec<u8>,
    /// One read of spans with bytes between them (scratch): the spans are copied to `buf`.
    run: Vec<u8>,
    /// Where each span loaded lies: in the held text, or in `buf`.
    spans: Vec<Range<usize>>,
    /// The spans wanted, and their order by place (scratch).
    wanted: Vec<Range<usize>>,
    order: Vec<usize>,
}

impl Batch {
    /// Loads `spans` (ranges of `text`, in any order) in place of what was loaded; a span past
    /// the end of the text, or in a read that fails, loads as empty.
    pub fn load(&mut self, text: &Text, spans: impl Iterator<Item = Range<usize>>) {
        self.spans.clear();
        self.buf.clear();
        if let Text::Held(_) = text {
            self.spans.extend(spans);
            return;
        }
        self.wanted.clear();
        self.wanted.extend(spans);
        let wanted = &self.wanted;
        self.order.clear();
        // a span that cannot be read stays empty, and out of the runs
        let len = text.len();
        self.order.extend(
            (0..wanted.len()).filter(|&k| wanted[k].start <= wanted[k].end && wanted[k].end <= len),
        );
        self.order.sort_unstable_by_key(|&k| wanted[k].start);
        self.spans.resize(wanted.len(), 0..0);
        let mut k = 0;
        while k < self.order.len() {
            // a run of spans close to one another, read at once
            let first = &wanted[self.order[k]];
            let (from, mut to) = (first.start, first.end);
            let mut useful = first.len();
            let mut end = k + 1;
            while let Some(next) = self.order.get(end).map(|&m| &wanted[m]) {
                if next.start > to.saturating_add(GAP) || next.end.max(to) - from > RUN_MOST {
                    break;
                }
                to = to.max(next.end);
                useful += next.len();
                end += 1;
            }
            let run = &self.order[k..end];
            k = end;
            // spans that fill the run are read where they stay; spans with more than a
            // quarter of the run between them are copied out of it, the rest not kept
            if to - from <= useful + useful / 4 {
                let at = self.buf.len();
                if text.read_into(from..to, &mut self.buf) {
                    for &m in run {
                        let span = &wanted[m];
                        self.spans[m] = at + span.start - from..at + span.end - from;
                    }
                }
                continue;
            }
            self.run.clear();
            if text.read_into(from..to, &mut self.run) {
                for &m in run {
                    let span = &wanted[m];
                    let at = self.buf.len();
                    let bytes = self.run.get(span.start - from..span.end - from);
                    self.buf.extend_from_slice(bytes.unwrap_or_default());
                    self.spans[m] = at..self.buf.len();
                }
            }
        }
    }

    /// The bytes of the `k`th span loaded (empty when it could not be).
    pub fn get<'a>(&'a self, text: &'a Text, k: usize) -> &'a [u8] {
        let Some(span) = self.spans.get(k) else {
            return &[];
        };
        let bytes = match text {
            Text::Held(s) => s.as_bytes(),
            Text::File { .. } => &self.buf,
        };
        bytes.get(span.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// `content` in a file after a few bytes of something else, as a file-held text.
    fn in_file(content: &str) -> Text {
        in_file_then(content, "")
    }

    /// `content` in a file as [`in_file`] has it, then `tail` appended.
    fn in_file_then(content: &str, tail: &str) -> Text {
        let mut file = tempfile::tempfile().expect("a temporary file");
        file.write_all(b"head").expect("written");
        file.write_all(content.as_bytes()).expect("written");
        let mut text = Text::File {
            file: Arc::new(file),
            at: 4,
            len: content.len(),
            tail: String::new(),
        };
        text.append(tail);
        text
    }

    #[test]
    fn a_batch_reads_the_same_bytes_from_a_file_as_from_memory() {
        let mut rng = fastrand::Rng::with_seed(11);
        let content: String = (0..50_000).map(|_| rng.char('a'..='z')).collect();
        let held = Text::Held(content.clone());
        let file = in_file(&content);
        // the same text, its last part appended after the file's
        let split = in_file_then(&content[..31_000], &content[31_000..]);
        let (mut a, mut b, mut c) = (Batch::default(), Batch::default(), Batch::default());
        for round in 0..200 {
            // near and far spans in any order, some empty, some past the end
            let spans: Vec<Range<usize>> = (0..rng.usize(0..60))
                .map(|_| {
                    let start = rng.usize(0..content.len() + 10);
                    let len = if round % 2 == 0 {
                        rng.usize(0..40)
                    } else {
                        9000
                    };
                    start..start + len
                })
                .collect();
            a.load(&held, spans.iter().cloned());
            b.load(&file, spans.iter().cloned());
            c.load(&split, spans.iter().cloned());
            for (k, span) in spans.iter().enumerate() {
                let expected = content.as_bytes().get(span.clone()).unwrap_or_default();
                assert!(a.get(&held, k) == expected, "{span:?}");
                assert!(b.get(&file, k) == expected, "{span:?}");
                assert!(c.get(&split, k) == expected, "{span:?}");
            }
            assert!(b.get(&file, spans.len()).is_empty());
        }
        assert_eq!(file, held);
        assert_eq!(split, held);
        assert_eq!(file.whole().ok().as_deref(), Some(content.as_str()));
        let mut buf = Vec::new();
        assert_eq!(
            split.bytes(30_990..31_010, &mut buf),
            &content.as_bytes()[30_990..31_010]
        );
        assert_eq!(split.len(), content.len());
    }

    #[test]
    fn a_batch_of_spans_far_apart_holds_the_spans_not_the_bytes_between() {
        let content = "0123456789".repeat(100_000);
        let file = in_file(&content);
        // 10 bytes every 1,000: each read spans many, 99% of it between them
        let spans: Vec<Range<usize>> = (0..1000).map(|i| i * 1000..i * 1000 + 10).collect();
        let mut batch = Batch::default();
        batch.load(&file, spans.iter().cloned());
        for (k, span) in spans.iter().enumerate() {
            assert_eq!(batch.get(&file, k), &content.as_bytes()[span.clone()]);
        }
        assert!(
            batch.buf.len() == 10_000 && batch.run.capacity() <= 2 * RUN_MOST,
            "{} bytes kept, {} read at once",
            batch.buf.len(),
            batch.run.capacity()
        );
        // spans side by side are read where they stay
        let close: Vec<Range<usize>> = (0..1000).map(|i| i * 10..i * 10 + 10).collect();
        batch.load(&file, close.iter().cloned());
        assert_eq!(batch.get(&file, 999), &content.as_bytes()[9_990..10_000]);
        assert_eq!(batch.buf.len(), 10_000);
    }

    #[test]
    fn a_file_cut_short_reads_as_nothing_where_it_is_missing() {
        let content = "0123456789".repeat(1000);
        let file = in_file(&content);
        if let Text::File { file, .. } = &file {
            file.set_len(4 + 5000).expect("cut");
        }
        let mut batch = Batch::default();
        batch.load(&file, [10..20, 4990..5010, 9000..9010].into_iter());
        assert_eq!(batch.get(&file, 0), b"0123456789");
        assert!(batch.get(&file, 1).is_empty() && batch.get(&file, 2).is_empty());
        assert!(file.whole().is_err());
        let mut buf = Vec::new();
        assert_eq!(file.bytes(0..3, &mut buf), b"012");
        assert!(file.bytes(4999..5001, &mut buf).is_empty());
        let mut held = file.clone();
        assert!(held.hold().is_err());
    }
}
