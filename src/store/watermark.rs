//! The store's watermark: the audit number of the last change a save reported, kept in a small
//! file beside `db/`. sled, finding damaged bytes in its log when it opens, replays the log up
//! to them and silently drops everything after; the records then look whole and `check` passes.
//! The watermark is how opening notices: the database must hold the change it names.

use std::path::Path;

/// The watermark's file in the store directory.
pub const WATERMARK_FILE: &str = "watermark";

/// The watermark of the store in `dir`; `None` when there is none (a store no save of this
/// version has written yet, or a copy without it) or it does not read as a number.
pub fn read(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join(WATERMARK_FILE)).ok()?;
    text.trim().parse().ok()
}

/// Records `seq` as the last change saved, atomically. Best effort: without it a later loss
/// goes unnoticed, but a watermark older than the database is never mistaken for one.
pub fn write(dir: &Path, seq: u64) {
    let _ =
        crate::io::files::write_private(&dir.join(WATERMARK_FILE), format!("{seq}\n").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_watermark_reads_back_and_a_bad_one_is_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(read(dir.path()), None);
        write(dir.path(), 1234);
        assert_eq!(read(dir.path()), Some(1234));
        std::fs::write(dir.path().join(WATERMARK_FILE), "x").expect("write");
        assert_eq!(read(dir.path()), None);
    }
}
