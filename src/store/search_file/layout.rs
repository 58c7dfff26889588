//! The layout of the search index's file (`search.idx`), and the index read from it or
//! written whole. After the magic and the store's watermark comes a header of fixed width,
//! then three parts, each with its CRC-32 in the header:
//!
//! - the text: every entry's strings, in entry order;
//! - the interned agencies (bincode);
//! - the entries, [`ENTRY_BYTES`] each (see [`Entry::to_bytes`]).
//!
//! The sums stand in for reading every string back through the index's own checks (0.6 s at
//! a million elements, most of a whole-process `element search`): a file whose sums hold is
//! one this layout's writer wrote whole. Entries of a fixed width let a rewrite move an
//! entry by its start alone, without decoding and encoding it (see [`super::OldSearchFile`]).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::engine::search::{ENTRY_BYTES, Entry, SearchData};

use super::super::cache_file::{SEARCH, STAMP_BYTES, config, stamp, sync_dir};

/// Bytes read or written at a time.
pub(super) const BUFFER_BYTES: usize = 1 << 20;

/// Largest file taken (a million elements' index is about 175 MB).
const MAX_BYTES: u64 = 1 << 31;

/// Entries read at a time.
const ENTRIES_AT_ONCE: usize = 4096;

/// The fixed fields after the magic and the watermark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Header {
    /// Bytes of text.
    pub text_len: u64,
    /// Bytes of the agencies.
    pub agencies_len: u64,
    /// How many entries.
    pub count: u64,
    /// CRC-32 of the text, the agencies and the entries.
    pub sums: [u32; 3],
}

impl Header {
    /// Bytes the header takes.
    const BYTES: usize = 3 * 8 + 3 * 4;

    /// Where the text starts: after the magic, the watermark and the header.
    pub fn text_at() -> u64 {
        (SEARCH.magic.len() + STAMP_BYTES + Self::BYTES) as u64
    }

    /// Where the agencies start.
    pub fn agencies_at(&self) -> u64 {
        Self::text_at().saturating_add(self.text_len)
    }

    /// Where the entries start.
    pub fn entries_at(&self) -> u64 {
        self.agencies_at().saturating_add(self.agencies_len)
    }

    /// The length of a file of this header.
    fn file_len(&self) -> Option<u64> {
        let entries = self.count.checked_mul(ENTRY_BYTES as u64)?;
        Self::text_at()
            .checked_add(self.text_len)?
            .checked_add(self.agencies_len)?
            .checked_add(entries)
    }

    fn to_bytes(self) -> [u8; Self::BYTES] {
        let mut out = [0u8; Self::BYTES];
        let lens = [self.text_len, self.agencies_len, self.count];
        for (i, n) in lens.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&n.to_le_bytes());
        }
        for (i, sum) in self.sums.iter().enumerate() {
            out[24 + i * 4..28 + i * 4].copy_from_slice(&sum.to_le_bytes());
        }
        out
    }

    fn from_bytes(bytes: &[u8; Self::BYTES]) -> Header {
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let u32_at =
            |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
        Header {
            text_len: u64_at(0),
            agencies_len: u64_at(8),
            count: u64_at(16),
            sums: [u32_at(24), u32_at(28), u32_at(32)],
        }
    }
}

/// The search index's file beside the store in `dir`, opened, and its header, if it is of
/// this layout and of the store's watermark, and as long as its header says.
pub(super) fn open_current(dir: &Path) -> Option<(File, Header)> {
    open_stamped(&dir.join(SEARCH.name), stamp(dir))
}

/// The search index file at `path` if it is of this layout and names the watermark `stamp`
/// (a set-aside `search.base` names the one it was written at), with its header.
pub(super) fn open_stamped(path: &Path, stamp: [u8; STAMP_BYTES]) -> Option<(File, Header)> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if !SEARCH.is_stamped(&mut file, stamp) {
        return None;
    }
    let mut bytes = [0u8; Header::BYTES];
    file.read_exact(&mut bytes).ok()?;
    let header = Header::from_bytes(&bytes);
    (header.file_len()? == len && len <= MAX_BYTES).then_some((file, header))
}

/// The interned agencies, read from `reader` (at them) and checked against their sum.
pub(super) fn read_agencies(reader: &mut impl Read, header: &Header) -> io::Result<Vec<String>> {
    let len = usize::try_from(header.agencies_len).map_err(io::Error::other)?;
    let mut bytes = vec![0u8; len];
    reader.read_exact(&mut bytes)?;
    if crc32fast::hash(&bytes) != header.sums[1] {
        return Err(io::Error::other("the search index's agencies are damaged"));
    }
    let (agencies, used): (Vec<String>, usize) =
        bincode::serde::decode_from_slice(&bytes, config()).map_err(io::Error::other)?;
    if used != len {
        return Err(io::Error::other("the search index's agencies are damaged"));
    }
    Ok(agencies)
}

/// Reads entries from `reader` (at them) a batch at a time, summing their bytes.
pub(super) struct EntryReader<R> {
    reader: R,
    left: u64,
    batch: Vec<u8>,
    at: usize,
    sum: crc32fast::Hasher,
}

impl<R: Read> EntryReader<R> {
    /// A reader of the `count` entries `reader` is at.
    pub fn new(reader: R, count: u64) -> Self {
        EntryReader {
            reader,
            left: count,
            batch: Vec::new(),
            at: 0,
            sum: crc32fast::Hasher::new(),
        }
    }

    /// The next entry (`None`: none left).
    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        if self.at == self.batch.len() {
            if self.left == 0 {
                return Ok(None);
            }
            let n = self.left.min(ENTRIES_AT_ONCE as u64);
            self.left -= n;
            self.batch.resize(n as usize * ENTRY_BYTES, 0);
            self.reader.read_exact(&mut self.batch)?;
            self.sum.update(&self.batch);
            self.at = 0;
        }
        let bytes = self.batch[self.at..self.at + ENTRY_BYTES]
            .try_into()
            .map_err(io::Error::other)?;
        self.at += ENTRY_BYTES;
        Entry::from_bytes(&bytes)
            .map(Some)
            .ok_or_else(|| io::Error::other("the search index has an entry of no kind or state"))
    }

    /// Whether the entries read, all of them, are those the file summed as `sum`.
    pub fn summed(&self, sum: u32) -> bool {
        self.left == 0 && self.at == self.batch.len() && self.sum.clone().finalize() == sum
    }
}

/// The cached search index, if there is a sound one, its text left in the file (see
/// [`SearchData::in_file`]): the text is summed and skipped, the agencies and the entries are
/// read. A million elements' index holds 40 MB of entries and 135 MB of text.
///
/// When `search.idx` was set aside by writes made near their records, the index is the one
/// set aside with the rows written since patched in (see [`super::Added`]): their strings in
/// memory after the file's text.
pub fn read_search(dir: &Path) -> Option<SearchData> {
    if let Some(current) = open_current(dir) {
        return read_opened(current);
    }
    let (added, base) = super::Added::read_current(dir)?;
    let mut data = read_opened(base)?;
    added.apply(&mut data).ok()?;
    Some(data)
}

/// The index of a search index file opened (see [`open_stamped`]), its text left in it.
fn read_opened((file, header): (File, Header)) -> Option<SearchData> {
    let mut reader = BufReader::with_capacity(BUFFER_BYTES, &file);
    reader.seek(SeekFrom::Start(Header::text_at())).ok()?;
    let mut sum = crc32fast::Hasher::new();
    let mut left = header.text_len;
    while left > 0 {
        let chunk = reader.fill_buf().ok()?;
        if chunk.is_empty() {
            return None;
        }
        let n = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        sum.update(&chunk[..n]);
        reader.consume(n);
        left -= n as u64;
    }
    if sum.finalize() != header.sums[0] {
        return None;
    }
    let agencies = read_agencies(&mut reader, &header).ok()?;
    let mut entries = Vec::with_capacity(usize::try_from(header.count).ok()?);
    let mut read = EntryReader::new(&mut reader, header.count);
    while let Some(entry) = read.next_entry().ok()? {
        entries.push(entry);
    }
    if !read.summed(header.sums[2]) {
        return None;
    }
    drop(reader);
    let len = usize::try_from(header.text_len).ok()?;
    SearchData::in_file(file, Header::text_at(), len, agencies, entries)
}

/// Caches the search index (its text in entry order, so that a scan reads the file from
/// start to end).
pub fn write_search(dir: &Path, data: &SearchData) {
    write_search_stamped(dir, data, stamp(dir));
}

/// Caches the search index read from the search tree after the store's watermark was
/// `stamp` (a write since raised the watermark, so the file is not taken). A file written
/// current leaves no `search.base` beside it.
pub fn write_search_stamped(dir: &Path, data: &SearchData, stamp: [u8; STAMP_BYTES]) {
    let Ok(data) = data.in_entry_order() else {
        return;
    };
    let tmp = dir.join(format!("{}.tmp", SEARCH.name));
    let entries_tmp = dir.join(format!("{}.entries.tmp", SEARCH.name));
    let written = FileWriter::create(&tmp, &entries_tmp, stamp)
        .and_then(|mut out| {
            data.each_text_chunk(|chunk| out.text(chunk))?;
            for entry in data.entries() {
                out.entry(*entry)?;
            }
            out.finish(data.agencies())
        })
        .and_then(|()| std::fs::rename(&tmp, dir.join(SEARCH.name)))
        .and_then(|()| sync_dir(dir));
    let _ = std::fs::remove_file(&entries_tmp);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    } else if stamp == super::super::cache_file::stamp(dir) {
        super::remove_base(dir);
    }
}

/// A reader or a writer that sums the bytes through it: under a buffer, a megabyte at a
/// time (summing an entry's few bytes at a time took longer than the rest of a rewrite).
pub(super) struct Summed<T> {
    inner: T,
    sum: crc32fast::Hasher,
}

impl<T> Summed<T> {
    pub fn new(inner: T) -> Self {
        Summed {
            inner,
            sum: crc32fast::Hasher::new(),
        }
    }

    /// The sum of the bytes through it so far.
    pub fn sum(&self) -> u32 {
        self.sum.clone().finalize()
    }
}

impl<R: Read> Read for Summed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A new file being written: the text to the file as it comes, the entries to a file of
/// their own (the text and the entries come side by side, and the entries go after the
/// text), each summed; the agencies, the entries and the header when it is finished.
pub(super) struct FileWriter {
    text: BufWriter<Summed<File>>,
    entries: BufWriter<Summed<File>>,
    header: Header,
}

impl FileWriter {
    /// Starts the file at `tmp` stamped `stamp`, its entries staged at `entries_tmp`.
    pub fn create(tmp: &Path, entries_tmp: &Path, stamp: [u8; STAMP_BYTES]) -> io::Result<Self> {
        let create = |path: &Path| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)
        };
        let mut out = create(tmp)?;
        let mut head = SEARCH.magic.to_vec();
        head.extend_from_slice(&stamp);
        head.extend_from_slice(&Header::default().to_bytes());
        out.write_all(&head)?;
        let summed = |file| BufWriter::with_capacity(BUFFER_BYTES, Summed::new(file));
        Ok(FileWriter {
            text: summed(out),
            entries: summed(create(entries_tmp)?),
            header: Header::default(),
        })
    }

    /// Appends `bytes` to the text.
    pub fn text(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.text.write_all(bytes)?;
        self.header.text_len += bytes.len() as u64;
        Ok(())
    }

    /// Appends `entry` to the entries.
    pub fn entry(&mut self, entry: Entry) -> io::Result<()> {
        self.entries.write_all(&entry.to_bytes())?;
        self.header.count += 1;
        Ok(())
    }

    /// Appends `entry` with its strings at the text's end, and the strings.
    pub fn put(&mut self, entry: Entry, strings: &[u8]) -> io::Result<()> {
        let start = usize::try_from(self.header.text_len).unwrap_or(usize::MAX);
        let entry = entry
            .placed_at(start)
            .ok_or_else(|| io::Error::other("the search index's text is too long"))?;
        self.entry(entry)?;
        self.text(strings)
    }

    /// Writes the agencies and the entries after the text, then the header. Not synced: a
    /// file a crash left partly written fails its sums, and is built again.
    pub fn finish(self, agencies: &[String]) -> io::Result<()> {
        let FileWriter {
            text,
            entries,
            mut header,
        } = self;
        let text = text.into_inner().map_err(|e| e.into_error())?;
        let entries = entries.into_inner().map_err(|e| e.into_error())?;
        let agency_bytes =
            bincode::serde::encode_to_vec(agencies, config()).map_err(io::Error::other)?;
        header.agencies_len = agency_bytes.len() as u64;
        header.sums = [text.sum(), crc32fast::hash(&agency_bytes), entries.sum()];
        let mut out = BufWriter::with_capacity(BUFFER_BYTES, text.inner);
        out.write_all(&agency_bytes)?;
        let mut staged = entries.inner;
        staged.seek(SeekFrom::Start(0))?;
        io::copy(
            &mut BufReader::with_capacity(BUFFER_BYTES, staged),
            &mut out,
        )?;
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start((SEARCH.magic.len() + STAMP_BYTES) as u64))?;
        file.write_all(&header.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::cache_file::SEARCH;
    use super::*;

    #[test]
    fn the_search_index_searches_its_file_as_it_searched_memory() {
        use crate::engine::search::{Query, SearchIndex, Searcher};
        use std::sync::atomic::AtomicBool;
        let dir = tempfile::tempdir().unwrap();
        let held = crate::engine::search::data_of(&crate::sample::elements_only(3));
        write_search(dir.path(), &held);
        let in_file = read_search(dir.path()).expect("read");
        assert!(!in_file.is_held(), "the text stays in the file");
        assert!(in_file.heap_bytes() < held.heap_bytes() / 2);
        // the file may go (a save removes it): the open file still reads
        SEARCH.invalidate(dir.path()).unwrap();
        let (a, b) = (
            SearchIndex::from_data(held.clone()),
            SearchIndex::from_data(in_file),
        );
        let cancel = AtomicBool::new(false);
        let (mut sa, mut sb) = (Searcher::new(), Searcher::new());
        let typed = [
            "s", "sf", "sfz", "sfzh", "x", "xm", "号", "号码", "de0", "DE00001",
        ];
        let filtered = ["kind:mobile d", "kind:mobile dh", "status:published 证"];
        for q in typed.iter().chain(&filtered) {
            let query = Query::parse(q).unwrap();
            let hits = sa.search(&a, &query, 40, &cancel).unwrap();
            assert!(!hits.is_empty(), "{q}");
            assert_eq!(sb.search(&b, &query, 40, &cancel), Some(hits), "{q}");
        }
        // a patched index is written in entry order, and read back into its file
        let mut patched = held.clone();
        let rows: Vec<_> = crate::engine::search::rows(&crate::sample::generate(1))
            .take(3)
            .map(|mut row| {
                row.uses += 50;
                (row.code.clone(), Some(row))
            })
            .collect();
        let changes = rows.into_iter().collect();
        patched.patch(&changes).unwrap();
        // the index read from its file patches the same (its text read in first)
        write_search(dir.path(), &held);
        let mut from_file = read_search(dir.path()).expect("read");
        assert!(!from_file.is_held());
        from_file.patch(&changes).unwrap();
        assert!(
            !from_file.is_held(),
            "the text stays in its file, the new after it"
        );
        assert_eq!(from_file, patched);
        write_search(dir.path(), &patched);
        let read = read_search(dir.path()).expect("read");
        assert!(!read.is_held());
        let ordered = patched.in_entry_order().unwrap();
        assert!(*ordered != patched, "patching appended to the text");
        assert_eq!(read, *ordered);
        // so is one patched in its file
        write_search(dir.path(), &from_file);
        assert_eq!(read_search(dir.path()).expect("read"), *ordered);
    }

    #[test]
    fn a_file_with_any_byte_changed_or_out_of_order_is_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::engine::search::data_of(&crate::sample::generate(1));
        write_search(dir.path(), &data);
        let path = dir.path().join(SEARCH.name);
        let good = std::fs::read(&path).unwrap();
        let (_, header) = open_current(dir.path()).expect("current");
        assert!(header.agencies_len > 1, "the sample names agencies");
        let (text_at, agencies_at, entries_at) = (
            Header::text_at() as usize,
            header.agencies_at() as usize,
            header.entries_at() as usize,
        );
        let head = SEARCH.magic.len() + STAMP_BYTES;
        let places = [
            ("a length", head + 3),
            ("a sum", head + 30),
            ("the text's first byte", text_at),
            ("the middle of the text", (text_at + agencies_at) / 2),
            ("the agencies", agencies_at + 2),
            ("an entry's start", entries_at + 8),
            ("the last entry's status", good.len() - 1),
        ];
        for (what, at) in places {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(read_search(dir.path()), None, "{what} changed");
        }
        std::fs::write(&path, &good).unwrap();
        assert_eq!(read_search(dir.path()), Some(data.clone()));
        // entries whose strings are not in their order in the text, sums and all right
        let tmp = dir.path().join("out.tmp");
        let staged = dir.path().join("entries.tmp");
        let mut out = FileWriter::create(&tmp, &staged, stamp(dir.path())).unwrap();
        data.each_text_chunk(|chunk| out.text(chunk)).unwrap();
        for entry in data.entries().iter().rev() {
            out.entry(*entry).unwrap();
        }
        out.finish(data.agencies()).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert!(open_current(dir.path()).is_some(), "a whole file");
        assert_eq!(read_search(dir.path()), None, "but out of order");
    }
}
