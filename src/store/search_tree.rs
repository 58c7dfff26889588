//! The search tree: every element's [`SearchRow`], kept in blocks of consecutive codes so a
//! search reads one value per few elements instead of one per element. A block's key is the code
//! of its first row; a block that grows past [`SPLIT_AT`] rows is split, an empty one removed.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::engine::search::{SearchData, SearchDataBuilder, SearchRow};

use super::codec::{decode_search_block, encode_search_block};
use super::error::StoreError;

/// Rows per block when blocks are written afresh or split: about 3 KB. sled writes a leaf of
/// its tree (up to 16 values) of more than a quarter of a log segment (128 KiB) to a blob file
/// of its own, and rewrites it whole on every change: blocks of 512 rows (180 KB) made every
/// leaf a blob (926 files at a million elements), and one element's edit rewrote 180 KB.
/// Leaves of 16 blocks of at most 16 rows stay in the log.
pub const BLOCK_ROWS: usize = 8;
/// A block with more rows than this is split.
const SPLIT_AT: usize = 2 * BLOCK_ROWS;

/// One pending write: key and new value (`None` removes).
pub type Write = (Vec<u8>, Option<Vec<u8>>);

fn decode(key: &[u8], value: &[u8]) -> Result<Vec<SearchRow>, StoreError> {
    decode_search_block(value).map_err(|e| StoreError::Corrupt {
        what: format!("search block {}", String::from_utf8_lossy(key)),
        reason: e.to_string(),
    })
}

fn encode(rows: &[SearchRow]) -> Result<Vec<u8>, StoreError> {
    encode_search_block(rows).map_err(|source| StoreError::Encode {
        what: "search block".into(),
        source,
    })
}

/// Every row in stored order, read a block at a time (a block that cannot be read is one
/// error in its place).
pub fn rows(tree: &sled::Tree) -> impl Iterator<Item = Result<SearchRow, StoreError>> + '_ {
    rows_read(tree, |_| {})
}

/// [`rows`], calling `read` with each block's key as it is read.
pub fn rows_read<'t>(
    tree: &'t sled::Tree,
    mut read: impl FnMut(&[u8]) + 't,
) -> impl Iterator<Item = Result<SearchRow, StoreError>> + 't {
    tree.iter().flat_map(move |item| {
        let block = item.map_err(StoreError::Write).and_then(|(key, value)| {
            read(&key);
            decode(&key, &value)
        });
        match block {
            Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }
    })
}

/// Search data of every row, read a block at a time: a block's rows are dropped as soon as
/// they are in the data, so building it never holds every row at once.
pub fn read_data(tree: &sled::Tree) -> Result<SearchData, StoreError> {
    let mut builder = SearchDataBuilder::default();
    for row in rows(tree) {
        builder.push(row?);
    }
    Ok(builder.finish())
}

/// The row of one element, read from the one block that would hold it (`None`: no row).
pub fn row(tree: &sled::Tree, code: &str) -> Result<Option<SearchRow>, StoreError> {
    row_read(tree, code, |_| {})
}

/// [`row`], calling `read` with the key of the block read.
pub fn row_read(
    tree: &sled::Tree,
    code: &str,
    read: impl FnOnce(&[u8]),
) -> Result<Option<SearchRow>, StoreError> {
    // a block holds the codes from its key up to the next block's key
    let Some((key, value)) = tree
        .range(..=code.as_bytes())
        .next_back()
        .transpose()
        .map_err(StoreError::Write)?
    else {
        return Ok(None);
    };
    read(&key);
    Ok(decode(&key, &value)?.into_iter().find(|r| r.code == code))
}

/// Every row in code order (tests: the store reads the tree a block at a time).
#[cfg(test)]
pub fn read_all(tree: &sled::Tree) -> Result<Vec<SearchRow>, StoreError> {
    rows(tree).collect()
}

/// The writes that lay `rows` (in code order) out as fresh blocks.
pub fn layout(rows: &[SearchRow]) -> Result<Vec<Write>, StoreError> {
    rows.chunks(BLOCK_ROWS)
        .map(|block| Ok((block[0].code.as_bytes().to_vec(), Some(encode(block)?))))
        .collect()
}

/// The writes that apply `changes` (code → new row, or `None` to remove) to the stored
/// blocks. Removals come before insertions, so a block rewritten under its old key is safe
/// inside one transaction. `read` is called with the key of each block read.
pub fn plan(
    tree: &sled::Tree,
    changes: BTreeMap<String, Option<SearchRow>>,
    mut read: impl FnMut(&[u8]),
) -> Result<Vec<Write>, StoreError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    // the stored block each code belongs to: the last key ≤ the code, else the first block
    let first = tree
        .first()
        .map_err(StoreError::Write)?
        .map(|(k, _)| k.to_vec());
    let mut touched: BTreeMap<Vec<u8>, BTreeMap<String, SearchRow>> = BTreeMap::new();
    // codes come in order: the block found last holds every code from its key (from the
    // start, for the first block) to the next block's key
    let mut last: Option<(Vec<u8>, Option<Vec<u8>>)> = None;
    for (code, row) in changes {
        let code_bytes = code.as_bytes();
        let reuse = last.as_ref().filter(|(key, next)| {
            (first.as_deref().is_none_or(|f| f == key.as_slice()) || key.as_slice() <= code_bytes)
                && next.as_ref().is_none_or(|n| code_bytes < n.as_slice())
        });
        let key = match reuse {
            Some((key, _)) => key.clone(),
            None => {
                let key = match tree
                    .range(..=code_bytes)
                    .next_back()
                    .transpose()
                    .map_err(StoreError::Write)?
                {
                    Some((k, _)) => k.to_vec(),
                    None => first.clone().unwrap_or_default(),
                };
                let next = tree
                    .range::<&[u8], _>((Bound::Excluded(key.as_slice()), Bound::Unbounded))
                    .next()
                    .transpose()
                    .map_err(StoreError::Write)?
                    .map(|(k, _)| k.to_vec());
                last = Some((key.clone(), next));
                key
            }
        };
        if !touched.contains_key(&key) {
            let rows = match tree.get(&key).map_err(StoreError::Write)? {
                Some(value) => decode(&key, &value)?,
                None => Vec::new(),
            };
            read(&key);
            touched.insert(
                key.clone(),
                rows.into_iter().map(|r| (r.code.clone(), r)).collect(),
            );
        }
        let block = touched.entry(key).or_default();
        match row {
            Some(row) => block.insert(code, row),
            None => block.remove(&code),
        };
    }
    let mut removes = Vec::new();
    let mut inserts = Vec::new();
    for (key, rows) in touched {
        let rows: Vec<SearchRow> = rows.into_values().collect();
        let pieces: Vec<&[SearchRow]> = if rows.len() > SPLIT_AT {
            rows.chunks(BLOCK_ROWS).collect()
        } else if rows.is_empty() {
            Vec::new()
        } else {
            vec![rows.as_slice()]
        };
        if pieces.first().is_none_or(|p| p[0].code.as_bytes() != key) && !key.is_empty() {
            removes.push((key, None));
        }
        for piece in pieces {
            inserts.push((piece[0].code.as_bytes().to_vec(), Some(encode(piece)?)));
        }
    }
    removes.extend(inserts);
    Ok(removes)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::{ElementKind, Status};

    /// A stored block: its key and rows.
    type Block = (Vec<u8>, Vec<SearchRow>);

    /// Every block as stored, in key order.
    fn blocks(tree: &sled::Tree) -> Result<Vec<Block>, StoreError> {
        let mut out = Vec::new();
        for item in tree.iter() {
            let (key, value) = item.map_err(StoreError::Write)?;
            let rows = decode(&key, &value)?;
            out.push((key.to_vec(), rows));
        }
        Ok(out)
    }

    fn row(code: &str) -> SearchRow {
        SearchRow {
            code: code.into(),
            name: format!("名{code}"),
            kind: ElementKind::Text,
            status: Status::Draft,
            agency: None,
            uses: 0,
            latin: code.to_lowercase(),
            names: String::new(),
        }
    }

    fn apply(tree: &sled::Tree, writes: Vec<Write>) {
        for (k, v) in writes {
            match v {
                Some(v) => tree.insert(k, v).map(drop).unwrap(),
                None => tree.remove(k).map(drop).unwrap(),
            }
        }
    }

    fn codes(tree: &sled::Tree) -> Vec<String> {
        read_all(tree)
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect()
    }

    /// Every block is non-empty, sorted, keyed by its first code, and no larger than SPLIT_AT.
    fn assert_well_formed(tree: &sled::Tree) {
        let mut last: Option<String> = None;
        for (key, rows) in blocks(tree).unwrap() {
            assert!(!rows.is_empty());
            assert!(rows.len() <= SPLIT_AT);
            assert_eq!(key, rows[0].code.as_bytes());
            for r in rows {
                assert!(
                    last.as_ref().is_none_or(|l| *l < r.code),
                    "order at {}",
                    r.code
                );
                last = Some(r.code);
            }
        }
    }

    #[test]
    fn inserts_updates_splits_and_removals_keep_the_blocks_sorted_and_complete() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("search").unwrap();
        let mut expected = std::collections::BTreeSet::new();
        // grow from empty in a scattered order, with codes before the first block
        for round in 0..6u32 {
            let mut changes = BTreeMap::new();
            for i in 0..700u32 {
                let code = format!("E{:05}", (i * 7919 + round * 131) % 5000);
                expected.insert(code.clone());
                changes.insert(code.clone(), Some(row(&code)));
            }
            apply(&tree, plan(&tree, changes, |_| {}).unwrap());
            assert_well_formed(&tree);
            assert_eq!(codes(&tree), expected.iter().cloned().collect::<Vec<_>>());
        }
        assert!(tree.len() > 1, "large inserts split blocks");
        // an update keeps the count and changes the row
        let mut changed = row("E00000");
        changed.uses = 9;
        let mut changes = BTreeMap::new();
        changes.insert("E00000".to_string(), Some(changed.clone()));
        apply(&tree, plan(&tree, changes, |_| {}).unwrap());
        assert!(read_all(&tree).unwrap().contains(&changed));
        // remove every other code, including every block's first
        let mut changes = BTreeMap::new();
        for code in expected.iter().step_by(2) {
            changes.insert(code.clone(), None);
        }
        expected = expected.iter().skip(1).step_by(2).cloned().collect();
        apply(&tree, plan(&tree, changes, |_| {}).unwrap());
        assert_well_formed(&tree);
        assert_eq!(codes(&tree), expected.iter().cloned().collect::<Vec<_>>());
        // remove everything
        let changes = expected.iter().map(|c| (c.clone(), None)).collect();
        apply(&tree, plan(&tree, changes, |_| {}).unwrap());
        assert!(tree.is_empty());
    }

    /// Rows written a part at a time, each part planned over the tree the parts before left
    /// (as a staged chunk is written): after each part every row is in one block, as it
    /// was or as the changes have it; stopped after any part, the changes planned again
    /// whole over the tree so left give what one plan gives.
    #[test]
    fn rows_planned_a_part_at_a_time_can_stop_anywhere_and_be_planned_again() {
        let start: Vec<SearchRow> = (0..400u32)
            .map(|i| row(&format!("E{:05}", i * 3)))
            .collect();
        // blocks split, emptied and losing their first rows; codes before the first block
        // and after the last
        let mut changes: BTreeMap<String, Option<SearchRow>> = BTreeMap::new();
        for i in 0..1300u32 {
            let code = format!("E{i:05}");
            let new = match i {
                _ if i < 600 && i % 7 < 2 => None,
                _ if i % 3 == 0 => Some(SearchRow {
                    uses: 7,
                    ..row(&code)
                }),
                _ if i % 5 == 0 || i > 1150 => Some(row(&code)),
                _ => continue,
            };
            changes.insert(code, new);
        }
        changes.insert("A00000".into(), Some(row("A00000")));
        let old: BTreeMap<String, SearchRow> = start
            .iter()
            .map(|r| (r.code.to_string(), r.clone()))
            .collect();
        let mut expected = old.clone();
        for (code, new) in &changes {
            match new {
                Some(r) => expected.insert(code.clone(), r.clone()),
                None => expected.remove(code),
            };
        }
        let expected: Vec<SearchRow> = expected.into_values().collect();
        let changed: Vec<(String, Option<SearchRow>)> = changes.clone().into_iter().collect();
        let parts: Vec<&[(String, Option<SearchRow>)]> = changed.chunks(50).collect();
        for stop in [0, 1, 2, parts.len() / 2, parts.len() - 1, parts.len()] {
            let db = sled::Config::new().temporary(true).open().unwrap();
            let tree = db.open_tree("search").unwrap();
            apply(&tree, layout(&start).unwrap());
            for part in &parts[..stop] {
                apply(
                    &tree,
                    plan(&tree, part.iter().cloned().collect(), |_| {}).unwrap(),
                );
                assert_well_formed(&tree);
                for r in read_all(&tree).unwrap() {
                    let was = old.get(r.code.as_str());
                    let new = changes.get(r.code.as_str());
                    assert!(
                        new.map_or(was == Some(&r), |new| new.as_ref() == Some(&r)
                            || was == Some(&r)),
                        "{} is neither as it was nor as changed",
                        r.code
                    );
                }
                let now = codes(&tree);
                for code in old.keys().filter(|c| !changes.contains_key(*c)) {
                    assert!(now.contains(code), "{code} lost");
                }
            }
            apply(&tree, plan(&tree, changes.clone(), |_| {}).unwrap());
            assert_well_formed(&tree);
            assert_eq!(read_all(&tree).unwrap(), expected, "stopped after {stop}");
        }
    }

    #[test]
    fn layout_writes_blocks_of_block_rows() {
        let rows: Vec<SearchRow> = (0..1200).map(|i| row(&format!("E{i:05}"))).collect();
        let writes = layout(&rows).unwrap();
        assert_eq!(writes.len(), 1200usize.div_ceil(BLOCK_ROWS));
        assert_eq!(writes[1].0, format!("E{BLOCK_ROWS:05}").as_bytes());
    }

    #[test]
    fn a_leaf_of_full_blocks_stays_under_sleds_blob_threshold() {
        // sled 0.34 writes a leaf (up to 16 values) of more than a quarter of its 512 KiB
        // segment to a blob file: a busy element's row (long names, synonyms and their
        // readings) times the rows of a block about to split
        let mut busy = row("E00000");
        busy.names = "统一社会信用代码|法定代表人身份证件号码|经营场所详细地址".repeat(3);
        busy.latin =
            "tongyishehuixinyongdaima|tyshxydm|fadingdaibiaorenshenfenzhengjianhaoma".repeat(3);
        let block = encode(&vec![busy; SPLIT_AT]).unwrap();
        assert!(
            16 * block.len() < (512 << 10) / 4,
            "{} bytes a block",
            block.len()
        );
    }
}
