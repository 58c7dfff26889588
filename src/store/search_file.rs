//! The search index's file (`search.idx`) carried through a write that moves only use
//! counts: a form saved before the catalog is loaded (see `sled_store::near_write`). The
//! write removes the file first, as every write removes every cache file; the file is then
//! written anew from the old one, still open, with the moved entries at their new ranks and
//! the text in the new entry order, a block at a time: nothing is held but the moved
//! entries, so a million elements' index (170 MB) is carried in well under a second within
//! a few megabytes, where building it again from the search tree took 5 s and 700 MB.
//!
//! The file is the magic and the store's watermark, then the index's data as bincode
//! writes it: the text (its length, its bytes), the agencies, the entries (their count,
//! each entry). The text holds the entries' strings one after the other in entry order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::engine::search::{Entry, SearchRow, code_hash, entry_of_row, ranks_before};

use super::cache_file::{SEARCH, config, stamp, sync_dir};

/// What a rewrite writes: the entries placed anew in rank order (see [`OldSearchFile::plan`]),
/// and the new file's text length, entry count and agencies.
struct Plan {
    moved: Vec<Moved>,
    text_len: u64,
    count: u64,
    agencies: Vec<String>,
}

/// What a rewrite changes (see [`OldSearchFile::rewrite`]).
#[derive(Clone, Copy)]
pub struct Rewrite<'a> {
    /// Element code → its use count now.
    pub uses: &'a BTreeMap<String, u32>,
    /// The rows of the elements whose entries are made anew.
    pub rows: &'a BTreeMap<String, SearchRow>,
    /// Deleted elements.
    pub removed: &'a BTreeSet<String>,
    /// Agencies renamed: as an entry named one (code and name, lower-cased) → as it is now.
    pub renamed: &'a BTreeMap<String, String>,
}

/// Bytes read or written at a time.
const BUFFER_BYTES: usize = 1 << 20;

/// A current search index file, opened before a write removes it.
pub struct OldSearchFile {
    /// Read for the entries.
    entries: File,
    /// Read for the text, on its own (its own offset).
    text: File,
    /// Where the text starts, and its length.
    text_at: u64,
    text_len: u64,
}

/// One entry placed anew (its use count moves, or it is made from the element's new row): the
/// new entry, its code and strings (read from the old text, or the row's), and how many of
/// the entries that stay rank before it.
struct Moved {
    entry: Entry,
    code: Vec<u8>,
    strings: Vec<u8>,
    after: u64,
}

impl OldSearchFile {
    /// The search index file beside the store in `dir`, if it is of this layout and of the
    /// store's watermark (opened twice: the entries and the text are read side by side).
    pub fn open_current(dir: &Path) -> Option<OldSearchFile> {
        let path = dir.join(SEARCH.name);
        let mut reader = BufReader::new(File::open(&path).ok()?);
        if !SEARCH.is_current(&mut reader, dir) {
            return None;
        }
        let text_len: u64 = bincode::decode_from_std_read(&mut reader, config()).ok()?;
        let text_at = reader.stream_position().ok()?;
        Some(OldSearchFile {
            entries: reader.into_inner(),
            text: File::open(&path).ok()?,
            text_at,
            text_len,
        })
    }

    /// Writes `search.idx` beside the store in `dir` anew: this file's index with the use
    /// counts of `uses` (element code → count) set and the entries of `rows` made anew from
    /// them (replacing the elements' old entries, or added), the entries of `removed` (deleted
    /// elements) taken out, and the agencies of `renamed` (each entry's agency as it was, as
    /// a row names it: code and name, lower-cased → as it is now) named anew, stamped with
    /// the store's watermark as it is now (the write's). Best effort, like every cache file:
    /// on any failure no file is left, and the index is read from the search tree instead.
    /// Returns whether it wrote.
    pub fn rewrite(&self, dir: &Path, change: &Rewrite<'_>) -> bool {
        let tmp = dir.join(format!("{}.tmp", SEARCH.name));
        let entries_tmp = dir.join(format!("{}.entries.tmp", SEARCH.name));
        let written = self
            .write(dir, &tmp, &entries_tmp, change)
            .and_then(|()| std::fs::rename(&tmp, dir.join(SEARCH.name)))
            .and_then(|()| sync_dir(dir));
        let _ = std::fs::remove_file(&entries_tmp);
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.is_ok()
    }

    /// For each of `agencies` (as a row names one: its code and name, lower-cased), the codes
    /// of the elements whose entries name it, in entry order: one pass over the entries.
    pub fn sourced_by(&self, agencies: &[String]) -> io::Result<Vec<Vec<String>>> {
        let (_, table, _) = self.agencies()?;
        // the table's position of each agency → which of them it is
        let wanted: HashMap<u32, usize> = (agencies.iter().enumerate())
            .filter_map(|(i, a)| {
                let at = table.iter().position(|t| t == a)?;
                Some((u32::try_from(at).ok()?, i))
            })
            .collect();
        let mut codes = vec![Vec::new(); agencies.len()];
        if wanted.is_empty() {
            return Ok(codes);
        }
        let of = |e: &Entry| e.agency().and_then(|at| wanted.get(&at).copied());
        self.each_entry(
            |e| of(e).is_some(),
            |entry, strings| {
                if let (Some(i), Some(code)) = (of(&entry), code_of(&entry, strings)) {
                    codes[i].push(String::from_utf8_lossy(code).into_owned());
                }
                Ok(())
            },
        )?;
        Ok(codes)
    }

    /// Reads the agencies and positions `reader` at the entries' count.
    fn agencies(&self) -> io::Result<(BufReader<&File>, Vec<String>, u64)> {
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, &self.entries);
        reader.seek(SeekFrom::Start(self.text_at + self.text_len))?;
        let agencies: Vec<String> = bincode::serde::decode_from_std_read(&mut reader, config())
            .map_err(io::Error::other)?;
        let count: u64 =
            bincode::decode_from_std_read(&mut reader, config()).map_err(io::Error::other)?;
        Ok((reader, agencies, count))
    }

    /// The entries in order, each with its strings read from the text alongside (`strings`
    /// says for which entries they are wanted; the others' are skipped).
    fn each_entry(
        &self,
        mut strings: impl FnMut(&Entry) -> bool,
        mut f: impl FnMut(Entry, Option<&[u8]>) -> io::Result<()>,
    ) -> io::Result<()> {
        let (mut reader, _, count) = self.agencies()?;
        let mut text = BufReader::with_capacity(BUFFER_BYTES, &self.text);
        text.seek(SeekFrom::Start(self.text_at))?;
        let mut at = 0usize;
        let mut buf = Vec::new();
        for _ in 0..count {
            let entry: Entry = bincode::serde::decode_from_std_read(&mut reader, config())
                .map_err(io::Error::other)?;
            let range = entry.text_range();
            // the text is in entry order, whole: each entry's strings follow the last's
            if range.start != at || range.end as u64 > self.text_len {
                return Err(io::Error::other(
                    "the search index's text is not in entry order",
                ));
            }
            // read even when not wanted: a skip past the reader's buffer would seek (a system
            // call an entry) where a read fills the buffer a megabyte at a time
            let wanted = strings(&entry);
            buf.resize(range.len(), 0);
            text.read_exact(&mut buf)?;
            at = range.end;
            f(entry, wanted.then_some(buf.as_slice()))?;
        }
        if at as u64 != self.text_len {
            return Err(io::Error::other(
                "the search index's text has bytes no entry holds",
            ));
        }
        Ok(())
    }

    /// The entries that move (their counts change) or are made anew, each with how many of
    /// those that stay rank before it, and the new file's text length, entry count and
    /// agencies (the entries of `removed` taken out).
    fn plan(&self, change: &Rewrite<'_>) -> io::Result<Plan> {
        let Rewrite {
            uses,
            rows,
            removed,
            renamed,
        } = *change;
        let (_, mut agencies, mut count) = self.agencies()?;
        for agency in &mut agencies {
            if let Some(now) = renamed.get(agency.as_str()) {
                agency.clone_from(now);
            }
        }
        let mut text_len = self.text_len;
        // the entries made anew, their agencies interned among the file's
        let mut made = Vec::with_capacity(rows.len());
        for (code, row) in rows {
            let intern = |agency: String| {
                let at = agencies.iter().position(|a| *a == agency);
                let at = at.unwrap_or_else(|| {
                    agencies.push(agency);
                    agencies.len() - 1
                });
                u32::try_from(at).unwrap_or(u32::MAX)
            };
            if let Some((entry, strings)) = entry_of_row(row.clone(), intern) {
                text_len += strings.len() as u64;
                count += 1;
                made.push(Moved {
                    entry,
                    code: code.as_bytes().to_vec(),
                    strings: strings.into_bytes(),
                    after: 0,
                });
            }
        }
        // every code whose entry is placed anew, with its count after
        let mut targets: BTreeMap<Vec<u8>, u32> = uses
            .iter()
            .map(|(code, &n)| (code.as_bytes().to_vec(), n))
            .collect();
        targets.extend(made.iter().map(|m| (m.code.clone(), m.entry.uses)));
        let codes: Vec<&[u8]> = targets.keys().map(Vec::as_slice).collect();
        // the targets by count: an entry that stays ranks before every target of a lower
        // count (a difference array over this order counts them, a few steps an entry even
        // when a merge moves hundreds of counts) and before those of its count with a greater
        // code (their strings read to compare)
        let mut by_count: Vec<(u32, usize)> = targets.values().copied().zip(0..).collect();
        by_count.sort_unstable();
        let mut lower = vec![0i64; by_count.len() + 1];
        let mut counts: Vec<u32> = by_count.iter().map(|&(n, _)| n).collect();
        counts.dedup();
        let mut hashes: Vec<u16> = (targets.keys())
            .map(|c| code_hash(&String::from_utf8_lossy(c)))
            .chain(removed.iter().map(|c| code_hash(c)))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let mut moved = Vec::new();
        let mut before = vec![0u64; targets.len()];
        let wanted = |e: &Entry| {
            hashes.binary_search(&e.hashed()).is_ok() || counts.binary_search(&e.uses).is_ok()
        };
        let made_codes: HashSet<&[u8]> = made.iter().map(|m| m.code.as_slice()).collect();
        self.each_entry(wanted, |entry, strings| {
            let code = code_of(&entry, strings).and_then(|c| std::str::from_utf8(c).ok());
            // an entry made anew, or a deleted element's: the old one goes
            if code.is_some_and(|c| removed.contains(c) || made_codes.contains(c.as_bytes())) {
                text_len -= entry.text_range().len() as u64;
                count -= 1;
                return Ok(());
            }
            // an entry whose count does not change stays where it is
            if let Some(found) = code
                .and_then(|c| uses.get_key_value(c))
                .filter(|found| *found.1 != entry.uses)
            {
                moved.push(Moved {
                    entry: entry.with_uses(*found.1),
                    code: found.0.as_bytes().to_vec(),
                    strings: strings.unwrap_or_default().to_vec(),
                    after: 0,
                });
                return Ok(());
            }
            // it ranks before the targets of a lower count, and before those of its count
            // with a greater code: by_count holds those of a count in code order (a target's
            // place in `targets` is its code's rank), so they end its run of the count
            let below = by_count.partition_point(|&(n, _)| n < entry.uses);
            lower[0] += 1;
            lower[below] -= 1;
            if let Some(own) = code_of(&entry, strings) {
                let ties = by_count[below..].partition_point(|&(n, _)| n == entry.uses);
                let run = &by_count[below..below + ties];
                let greater = run.partition_point(|&(n, i)| {
                    codes
                        .get(i)
                        .is_none_or(|code| !ranks_before(entry.uses, own, n, code))
                });
                lower[below + greater] += 1;
                lower[below + ties] -= 1;
            }
            Ok(())
        })?;
        let mut running = 0i64;
        for (&(_, i), step) in by_count.iter().zip(&lower) {
            running += step;
            before[i] += u64::try_from(running).unwrap_or(0);
        }
        moved.extend(made);
        for m in &mut moved {
            let at = codes.binary_search(&m.code.as_slice()).ok();
            m.after = at.and_then(|at| before.get(at).copied()).unwrap_or(0);
        }
        moved.sort_by(|a, b| {
            a.after.cmp(&b.after).then_with(|| {
                if ranks_before(a.entry.uses, &a.code, b.entry.uses, &b.code) {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            })
        });
        Ok(Plan {
            moved,
            text_len,
            count,
            agencies,
        })
    }

    /// Writes the new file to `tmp` (its entries staged in `entries_tmp`), synced.
    fn write(
        &self,
        dir: &Path,
        tmp: &Path,
        entries_tmp: &Path,
        change: &Rewrite<'_>,
    ) -> io::Result<()> {
        let Plan {
            moved,
            text_len,
            count,
            agencies,
        } = self.plan(change)?;
        let removed = change.removed;
        if moved.is_empty() && removed.is_empty() && change.renamed.is_empty() {
            return self.restamp(dir, tmp);
        }
        let create = |path: &Path| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)
        };
        let mut out = BufWriter::with_capacity(BUFFER_BYTES, create(tmp)?);
        let mut staged = BufWriter::with_capacity(BUFFER_BYTES, create(entries_tmp)?);
        out.write_all(SEARCH.magic)?;
        out.write_all(&stamp(dir))?;
        bincode::encode_into_std_write(text_len, &mut out, config()).map_err(io::Error::other)?;
        let mut at = 0usize;
        let mut put = |entry: Entry, strings: &[u8], out: &mut BufWriter<File>| -> io::Result<()> {
            let entry = entry
                .placed_at(at)
                .ok_or_else(|| io::Error::other("the search index's text is too long"))?;
            bincode::serde::encode_into_std_write(entry, &mut staged, config())
                .map_err(io::Error::other)?;
            out.write_all(strings)?;
            at += strings.len();
            Ok(())
        };
        let mut pending = moved.iter().peekable();
        let moved_codes: HashSet<&[u8]> = moved.iter().map(|m| m.code.as_slice()).collect();
        let mut stayed = 0u64;
        self.each_entry(
            |_| true,
            |entry, strings| {
                let strings = strings.unwrap_or_default();
                let code = code_of(&entry, Some(strings));
                let deleted = code
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .is_some_and(|c| removed.contains(c));
                if deleted || code.is_some_and(|c| moved_codes.contains(c)) {
                    return Ok(());
                }
                while let Some(m) = pending.next_if(|m| m.after <= stayed) {
                    put(m.entry, &m.strings, &mut out)?;
                }
                stayed += 1;
                put(entry, strings, &mut out)
            },
        )?;
        for m in pending {
            put(m.entry, &m.strings, &mut out)?;
        }
        if at as u64 != text_len {
            return Err(io::Error::other(
                "the search index's text was not rewritten whole",
            ));
        }
        let mut staged = staged.into_inner().map_err(|e| e.into_error())?;
        bincode::serde::encode_into_std_write(&agencies, &mut out, config())
            .map_err(io::Error::other)?;
        bincode::encode_into_std_write(count, &mut out, config()).map_err(io::Error::other)?;
        staged.seek(SeekFrom::Start(0))?;
        io::copy(
            &mut BufReader::with_capacity(BUFFER_BYTES, &staged),
            &mut out,
        )?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}

impl OldSearchFile {
    /// Writes the same index to `tmp` under the store's watermark as it is now: the bytes
    /// after the old stamp copied as they are (by the kernel where it can), synced.
    fn restamp(&self, dir: &Path, tmp: &Path) -> io::Result<()> {
        let mut out = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(tmp)?;
        let mut head = Vec::with_capacity(SEARCH.magic.len() + 8);
        head.extend_from_slice(SEARCH.magic);
        head.extend_from_slice(&stamp(dir));
        out.write_all(&head)?;
        let mut old = &self.entries;
        old.seek(SeekFrom::Start(head.len() as u64))?;
        io::copy(&mut old, &mut out)?;
        out.sync_all()
    }
}

/// An entry's code, from its strings when they were read.
fn code_of<'a>(entry: &Entry, strings: Option<&'a [u8]>) -> Option<&'a [u8]> {
    strings.and_then(|s| s.get(..entry.code_len()))
}
