//! The search index's file (`search.idx`, see [`layout`]) carried through a write made near
//! its records (see `sled_store::near_write`). Before the write the file is set aside as
//! `search.base` (renamed, and still open); after it, the rows the write changed go beside
//! it, with those of the writes before since it was set aside (`search.add`, see [`added`]).
//! Past [`added::FOLD_AT`] rows the file is written anew from the set-aside one, still open,
//! in one pass: the entries that stay are copied with their strings, each moved by its start
//! alone, and the entries of the rows changed are made anew and merged in at their rank.
//! Nothing is held but those rows, so a million elements' index (175 MB) is carried in under
//! a quarter of a second within a few megabytes, where building it again from the search
//! tree took 5 s and 700 MB.

mod added;
mod layout;

pub use added::has_parts;
pub use layout::{read_search, write_search, write_search_stamped};

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::engine::search::{Entry, SearchRow, code_hash, entry_of_row, ranks_before};

use super::cache_file::{SEARCH, SEARCH_BASE, stamp, sync_dir};
use added::{Added, FOLD_AT, remove_base};
use layout::{BUFFER_BYTES, EntryReader, FileWriter, Header, Summed, open_current, read_agencies};

/// The search rows a write changed: element code → its row (`None`: deleted).
type Rows = BTreeMap<String, Option<SearchRow>>;

/// A current search index file, opened before a write removes it: `search.idx`, or the
/// set-aside `search.base` with the rows written since.
pub struct OldSearchFile {
    /// Read for the entries.
    entries: File,
    /// Read for the text, on its own (its own offset).
    text: File,
    header: Header,
    /// The rows written since the file was set aside (none for `search.idx`).
    added: Added,
    /// Whether the file is `search.idx` (else it is set aside already).
    whole: bool,
}

/// Sets `search.idx` aside as `search.base` before a write (see [`added`]): renamed, the
/// rename durable when this returns; nothing when there is none.
pub fn set_aside(dir: &Path) -> io::Result<()> {
    SEARCH.set_aside(dir, SEARCH_BASE).map(|_| ())
}

/// An entry made anew from its row, with its code and strings.
struct Made {
    entry: Entry,
    code: Vec<u8>,
    strings: Vec<u8>,
}

impl OldSearchFile {
    /// The search index file beside the store in `dir`, if it is of this layout and of the
    /// store's watermark, or set aside with the rows written since of it (opened twice: the
    /// entries and the text are read side by side).
    pub fn open_current(dir: &Path) -> Option<OldSearchFile> {
        if let Some((entries, header)) = open_current(dir) {
            return Some(OldSearchFile {
                entries,
                text: File::open(dir.join(SEARCH.name)).ok()?,
                header,
                added: Added::over(stamp(dir)),
                whole: true,
            });
        }
        let (added, (entries, header)) = Added::read_current(dir)?;
        Some(OldSearchFile {
            entries,
            text: File::open(dir.join(SEARCH_BASE)).ok()?,
            header,
            added,
            whole: false,
        })
    }

    /// After a write of the search `rows` (element code → its row; `None`: deleted) and of
    /// the agencies `renamed` (each as a row names it: code and name, lower-cased → as it is
    /// now), which set this file aside as `search.base` ([`set_aside`]): writes them beside
    /// it with the rows written before, of the store's watermark as it is now (the write's);
    /// past [`FOLD_AT`] rows (or without the set-aside file), writes `search.idx` anew with
    /// them all instead, from this file. Best effort, like every cache file: on any failure
    /// (the old file's sums among them) no file is left, and the index is read from the
    /// search tree instead. Returns whether it wrote.
    pub fn follow(&self, dir: &Path, rows: &Rows, renamed: &BTreeMap<String, String>) -> bool {
        // the rows written before (at most FOLD_AT), their agencies as they are now; the
        // write's own rows are not copied unless they go beside the file (at a million
        // elements an agency renamed moves 86,019 rows: 66 MB more at the peak, copied)
        let before = self.added.clone().then(&Rows::new(), renamed);
        let new = rows
            .keys()
            .filter(|c| !before.rows.contains_key(*c))
            .count();
        let aside =
            !self.whole || layout::open_stamped(&dir.join(SEARCH_BASE), self.added.base).is_some();
        if before.rows.len() + new <= FOLD_AT && aside {
            return before.then(rows, &BTreeMap::new()).write(dir);
        }
        let tmp = dir.join(format!("{}.tmp", SEARCH.name));
        let entries_tmp = dir.join(format!("{}.entries.tmp", SEARCH.name));
        let written = self
            .write(
                dir,
                &tmp,
                &entries_tmp,
                [&before.rows, rows],
                &before.renamed,
            )
            .and_then(|()| std::fs::rename(&tmp, dir.join(SEARCH.name)))
            .and_then(|()| sync_dir(dir));
        let _ = std::fs::remove_file(&entries_tmp);
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        remove_base(dir);
        written.is_ok()
    }

    /// For each of `agencies` (as a row names one: its code and name, lower-cased), the codes
    /// of the elements whose entries name it, in entry order: one pass over the entries.
    pub fn sourced_by(&self, agencies: &[String]) -> io::Result<Vec<Vec<String>>> {
        let mut table = self.agencies()?;
        for agency in &mut table {
            if let Some(now) = self.added.renamed.get(agency.as_str()) {
                agency.clone_from(now);
            }
        }
        // the table's position of each agency → which of them it is
        let wanted: std::collections::HashMap<u32, usize> = (agencies.iter().enumerate())
            .filter_map(|(i, a)| {
                let at = table.iter().position(|t| t == a)?;
                Some((u32::try_from(at).ok()?, i))
            })
            .collect();
        let mut codes = vec![Vec::new(); agencies.len()];
        let rows = &self.added.rows;
        if !wanted.is_empty() {
            let of = |e: &Entry| e.agency().and_then(|at| wanted.get(&at).copied());
            self.each_entry(|entry, strings| {
                if let (Some(i), Some(code)) = (of(&entry), code_of(&entry, strings)) {
                    // (an element written since is as its row has it)
                    let code = String::from_utf8_lossy(code);
                    if !rows.contains_key(code.as_ref()) {
                        codes[i].push(code.into_owned());
                    }
                }
                Ok(())
            })?;
        }
        for (code, row) in rows {
            let agency = row.as_ref().and_then(|r| r.agency.as_ref());
            if let Some(i) = agency.and_then(|a| agencies.iter().position(|t| t == a)) {
                codes[i].push(code.clone());
            }
        }
        Ok(codes)
    }

    /// The interned agencies, checked against their sum.
    fn agencies(&self) -> io::Result<Vec<String>> {
        let mut reader = &self.entries;
        reader.seek(SeekFrom::Start(self.header.agencies_at()))?;
        read_agencies(&mut reader, &self.header)
    }

    /// The entries in order, each with its strings read from the text alongside; an error
    /// when the text or the entries are not what their sums say, or the text is not in
    /// entry order (checked as they are read, so `f` may have been called).
    fn each_entry(&self, mut f: impl FnMut(Entry, &[u8]) -> io::Result<()>) -> io::Result<()> {
        let header = &self.header;
        let mut entries = BufReader::with_capacity(BUFFER_BYTES, &self.entries);
        entries.seek(SeekFrom::Start(header.entries_at()))?;
        let mut entries = EntryReader::new(entries, header.count);
        let mut file = &self.text;
        file.seek(SeekFrom::Start(Header::text_at()))?;
        let mut text =
            BufReader::with_capacity(BUFFER_BYTES, Summed::new(file.take(header.text_len)));
        let mut at = 0usize;
        let mut buf = Vec::new();
        while let Some(entry) = entries.next_entry()? {
            let range = entry.text_range();
            // the text is in entry order, whole: each entry's strings follow the last's
            if range.start != at || range.end as u64 > header.text_len {
                return Err(io::Error::other(
                    "the search index's text is not in entry order",
                ));
            }
            buf.resize(range.len(), 0);
            text.read_exact(&mut buf)?;
            at = range.end;
            f(entry, &buf)?;
        }
        // (all of the text read: every byte through the sum)
        let whole = at as u64 == header.text_len && text.into_inner().sum() == header.sums[0];
        if !whole || !entries.summed(header.sums[2]) {
            return Err(io::Error::other("the search index's file is damaged"));
        }
        Ok(())
    }

    /// Writes the new file to `tmp` (its entries staged in `entries_tmp`): the
    /// entries that stay in their order, and those made anew merged in at their rank, from
    /// the rows written before and the rows written now (`earlier` and `rows`: a code in
    /// both is as `rows` has it).
    fn write(
        &self,
        dir: &Path,
        tmp: &Path,
        entries_tmp: &Path,
        [earlier, rows]: [&Rows; 2],
        renamed: &BTreeMap<String, String>,
    ) -> io::Result<()> {
        let mut agencies = self.agencies()?;
        for agency in &mut agencies {
            if let Some(now) = renamed.get(agency.as_str()) {
                agency.clone_from(now);
            }
        }
        // the entries made anew, their agencies interned among the file's, in rank order
        let mut made = Vec::with_capacity(earlier.len() + rows.len());
        let written = (earlier.iter())
            .filter(|(c, _)| !rows.contains_key(*c))
            .chain(rows);
        for (code, row) in written.filter_map(|(c, r)| Some((c, r.as_ref()?))) {
            let intern = |agency: String| {
                let at = agencies.iter().position(|a| *a == agency);
                let at = at.unwrap_or_else(|| {
                    agencies.push(agency);
                    agencies.len() - 1
                });
                u32::try_from(at).unwrap_or(u32::MAX)
            };
            if let Some((entry, strings)) = entry_of_row(row.clone(), intern) {
                let code = code.as_bytes().to_vec();
                let strings = strings.into_bytes();
                made.push(Made {
                    entry,
                    code,
                    strings,
                });
            }
        }
        // (rank order: use count descending, then code)
        made.sort_by(|a, b| (b.entry.uses.cmp(&a.entry.uses)).then_with(|| a.code.cmp(&b.code)));
        // the codes whose old entries go (an entry with none of their hashes is not looked up)
        let codes = || earlier.keys().chain(rows.keys());
        let leaving: HashSet<&[u8]> = codes().map(|c| c.as_bytes()).collect();
        let mut hashes: Vec<u16> = codes().map(|c| code_hash(c)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let mut out = FileWriter::create(tmp, entries_tmp, stamp(dir))?;
        let mut pending = made.iter().peekable();
        self.each_entry(|entry, strings| {
            let code = code_of(&entry, strings).unwrap_or_default();
            let goes = hashes.binary_search(&entry.hashed()).is_ok() && leaving.contains(code);
            if goes {
                return Ok(());
            }
            while let Some(m) =
                pending.next_if(|m| ranks_before(m.entry.uses, &m.code, entry.uses, code))
            {
                out.put(m.entry, &m.strings)?;
            }
            out.put(entry, strings)
        })?;
        for m in pending {
            out.put(m.entry, &m.strings)?;
        }
        out.finish(&agencies)
    }
}

/// An entry's code, from its strings.
fn code_of<'a>(entry: &Entry, strings: &'a [u8]) -> Option<&'a [u8]> {
    strings.get(..entry.code_len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::search::{LatinBuf, SearchData};
    use crate::model::{ElementKind, Status};

    /// What an entry says, by name (its agency's index depends on the table's order).
    type Said = (
        String,
        String,
        String,
        Vec<u8>,
        u32,
        u64,
        u32,
        ElementKind,
        Status,
    );

    fn said(data: &SearchData) -> Vec<(Said, Option<String>)> {
        let (mut buf, mut latin) = (Vec::new(), LatinBuf::default());
        (data.entries().iter())
            .map(|e| {
                let s = data.strings(e, &mut buf);
                let entry = (
                    s.code().to_string(),
                    s.names().to_string(),
                    s.name().to_string(),
                    s.latin_bytes(&mut latin).to_vec(),
                    e.uses,
                    e.bloom,
                    e.starts,
                    e.kind,
                    e.status,
                );
                (entry, data.agency(e).map(str::to_string))
            })
            .collect()
    }

    /// The sample's rows by code, written as the index's file in a new directory.
    fn written() -> (tempfile::TempDir, BTreeMap<String, SearchRow>) {
        let rows: BTreeMap<String, SearchRow> =
            crate::engine::search::rows(&crate::sample::generate(1))
                .map(|r| (r.code.clone(), r))
                .collect();
        let dir = tempfile::tempdir().unwrap();
        layout::write_search(dir.path(), &SearchData::from_rows(rows.values().cloned()));
        (dir, rows)
    }

    #[test]
    fn a_rewrite_is_the_index_of_the_rows_as_they_are_now() {
        let (dir, mut rows) = written();
        let codes: Vec<String> = rows.keys().cloned().collect();
        let top = rows.values().map(|r| r.uses).max().unwrap_or(0);
        let agency = (rows.values())
            .find_map(|r| r.agency.clone())
            .expect("the sample has elements with a source agency");
        // the agency renamed: the rows the write changed name it as it is now
        for row in rows.values_mut() {
            if row.agency.as_deref() == Some(agency.as_str()) {
                row.agency = Some("改名的机构".into());
            }
        }
        let mut change = Rows::new();
        let mut moved = |code: &str, f: &dyn Fn(&mut SearchRow)| {
            let mut row = rows[code].clone();
            f(&mut row);
            change.insert(code.to_string(), Some(row));
        };
        // counts up past every other, down to none, one the same; a renamed element
        moved(&codes[5], &|r| r.uses = top + 1);
        moved(&codes[0], &|r| r.uses = 0);
        moved(&codes[7], &|_| {});
        moved(&codes[11], &|r| {
            r.name = "改了名".into();
            r.names = "改了名".into();
            r.uses += 1;
        });
        // a new element of a new agency, one deleted
        let mut new = rows[&codes[3]].clone();
        new.code = "DE999999".into();
        new.agency = Some("新机构".into());
        change.insert(new.code.clone(), Some(new));
        change.insert(codes[9].clone(), None);
        let renamed = BTreeMap::from([(agency.clone(), "改名的机构".to_string())]);
        let old = OldSearchFile::open_current(dir.path()).expect("current");
        std::fs::remove_file(dir.path().join(SEARCH.name)).unwrap();
        assert!(old.follow(dir.path(), &change, &renamed));
        // the rows as they are now
        for (code, row) in &change {
            match row {
                Some(row) => rows.insert(code.clone(), row.clone()),
                None => rows.remove(code),
            };
        }
        let expected = SearchData::from_rows(rows.into_values());
        let read = layout::read_search(dir.path()).expect("the rewritten file");
        assert_eq!(said(&read), said(&expected));
        assert_eq!(read.entries()[0].uses, top + 1, "moved to the top");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only search.idx: {left:?}");
    }

    #[test]
    fn a_damaged_file_is_not_carried_and_nothing_is_left() {
        let (dir, rows) = written();
        let path = dir.path().join(SEARCH.name);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        let old = OldSearchFile::open_current(dir.path()).expect("its header is sound");
        std::fs::remove_file(&path).unwrap();
        let mut row = rows.values().next().cloned().expect("a row");
        row.uses += 1;
        let change = Rows::from([(row.code.clone(), Some(row))]);
        assert!(!old.follow(dir.path(), &change, &BTreeMap::new()));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "nothing left: {left:?}");
    }

    /// Each step of a write made near its records, as the store takes it: the index file
    /// opened, set aside with the rows beside it removed (the cache files' removal), the
    /// store's watermark raised (unless `raised` is false: a watermark that could not be
    /// written), then the rows followed.
    fn write_near(
        dir: &Path,
        watermark: u64,
        raised: bool,
        change: &Rows,
        renamed: &BTreeMap<String, String>,
    ) -> bool {
        let old = OldSearchFile::open_current(dir).expect("current");
        set_aside(dir).unwrap();
        super::super::cache_file::SEARCH_ADDED
            .invalidate(dir)
            .unwrap();
        if raised {
            crate::store::watermark::write(dir, watermark);
        }
        // (a write killed here leaves no index that looks current)
        assert_eq!(layout::read_search(dir), None);
        old.follow(dir, change, renamed)
    }

    /// `rows` with `change` written over them.
    fn changed(rows: &mut BTreeMap<String, SearchRow>, change: &Rows) {
        for (code, row) in change {
            match row {
                Some(row) => rows.insert(code.clone(), row.clone()),
                None => rows.remove(code),
            };
        }
    }

    #[test]
    fn rows_written_beside_a_set_aside_index_read_as_the_index_written_whole() {
        let (dir, mut rows) = written();
        let dir = dir.path();
        let there = |name: &str| dir.join(name).exists();
        let codes: Vec<String> = rows.keys().cloned().collect();
        // an element renamed and used more, one deleted, a new one
        let mut renamed_row = rows[&codes[4]].clone();
        renamed_row.name = "改了名".into();
        renamed_row.names = "改了名".into();
        renamed_row.uses += 7;
        let mut new = rows[&codes[2]].clone();
        new.code = "DE999999".into();
        let first = Rows::from([
            (renamed_row.code.clone(), Some(renamed_row)),
            (codes[6].clone(), None),
            (new.code.clone(), Some(new)),
        ]);
        assert!(write_near(dir, 1, true, &first, &BTreeMap::new()));
        assert!(!there(SEARCH.name) && there(SEARCH_BASE) && there("search.add"));
        changed(&mut rows, &first);
        let expected = |rows: &BTreeMap<String, SearchRow>| {
            said(&SearchData::from_rows(rows.values().cloned()))
        };
        let read = layout::read_search(dir).expect("the set-aside index and the rows");
        assert!(!read.is_held(), "its text left in the set-aside file");
        assert_eq!(said(&read), expected(&rows));
        // an agency renamed: the rows of the elements it sources name it anew (the new
        // element among them, from the write before), and the table follows
        let agency = rows["DE999999"]
            .agency
            .clone()
            .expect("the sample's has one");
        let now = "改名的机构".to_string();
        let mut second = Rows::new();
        for row in rows.values().filter(|r| r.agency.as_ref() == Some(&agency)) {
            let mut row = row.clone();
            row.agency = Some(now.clone());
            second.insert(row.code.clone(), Some(row));
        }
        let renamed = BTreeMap::from([(agency.clone(), now.clone())]);
        // the watermark could not be written: the rows still follow, of the one it names
        assert!(write_near(dir, 1, false, &second, &renamed));
        assert!(
            !there(SEARCH.name) && there(SEARCH_BASE),
            "{} rows",
            second.len() + 3
        );
        changed(&mut rows, &second);
        let read = layout::read_search(dir).expect("read");
        assert_eq!(said(&read), expected(&rows));
        let sourced = OldSearchFile::open_current(dir).expect("current");
        let mut codes_now = sourced.sourced_by(&[now.clone(), agency.clone()]).unwrap();
        codes_now[0].sort();
        let mut want: Vec<String> = second.keys().cloned().collect();
        want.sort();
        assert_eq!(codes_now, vec![want, Vec::new()]);
        drop(sourced);
        // a write of nothing restamps the rows; past FOLD_AT the index is written whole
        assert!(write_near(dir, 2, true, &Rows::new(), &BTreeMap::new()));
        assert_eq!(
            said(&layout::read_search(dir).expect("read")),
            expected(&rows)
        );
        let many: Rows = (rows.values().take(FOLD_AT + 1))
            .map(|r| {
                let mut r = r.clone();
                r.uses += 1;
                (r.code.clone(), Some(r))
            })
            .collect();
        assert!(write_near(dir, 3, true, &many, &BTreeMap::new()));
        changed(&mut rows, &many);
        assert!(there(SEARCH.name) && !there(SEARCH_BASE) && !there("search.add"));
        let read = layout::read_search(dir).expect("read");
        assert!(
            read.in_entry_order().unwrap().as_ref() == &read,
            "written whole"
        );
        assert_eq!(said(&read), expected(&rows));
    }

    #[test]
    fn rows_beside_another_index_or_damaged_are_not_taken() {
        let (dir, rows) = written();
        let dir = dir.path();
        let mut row = rows.values().next().cloned().expect("a row");
        row.uses += 1;
        let change = Rows::from([(row.code.clone(), Some(row))]);
        assert!(write_near(dir, 1, true, &change, &BTreeMap::new()));
        assert!(layout::read_search(dir).is_some());
        let path = dir.join("search.add");
        let good = std::fs::read(&path).unwrap();
        let head = super::super::cache_file::SEARCH_ADDED.magic.len();
        for bad in [
            good[..good.len() / 2].to_vec(),
            [good.as_slice(), b"x"].concat(),
            b"something else entirely".to_vec(),
            [&good[..head + 8], &[0xff; 64][..]].concat(),
        ] {
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(layout::read_search(dir), None);
            assert!(OldSearchFile::open_current(dir).is_none());
        }
        std::fs::write(&path, &good).unwrap();
        assert!(layout::read_search(dir).is_some());
        // a set-aside file of another watermark than the rows name
        let base = dir.join(SEARCH_BASE);
        let mut bytes = std::fs::read(&base).unwrap();
        bytes[SEARCH.magic.len()] ^= 1;
        std::fs::write(&base, &bytes).unwrap();
        assert_eq!(layout::read_search(dir), None);
    }
}
