//! Key layout of the sled trees. Keys are ordered byte strings: a one-byte tag, then
//! UTF-8 codes separated by 0x00 (codes never hold control characters).
//!
//! | tree    | key                                                        | value            |
//! |---------|------------------------------------------------------------|------------------|
//! | records | kind tag, code                                             | versioned record |
//! | index   | `r`, target tag, target code, 0, source tag, source code, 0, path | empty     |
//! | meta    | `schema`, `created`                                        | u32 BE, text     |
//! | audit   | u64 big-endian sequence number                             | versioned entry  |
//!
//! Stores written before this layout also hold a name index in `index` (`n`, kind tag, name,
//! 0, code): nothing reads it, and it is left where it is ([`LEGACY_NAME`]).

use crate::model::{Kind, Record, RecordRef};

/// Prefix of reference-index keys.
pub const REF: u8 = b'r';
/// Prefix of the name-index keys older stores hold in `index` (one per record, read by
/// nothing; `check` passes over them).
pub const LEGACY_NAME: u8 = b'n';

/// One-byte tag of a kind.
pub fn tag(kind: Kind) -> u8 {
    match kind {
        Kind::Region => b'R',
        Kind::Agency => b'A',
        Kind::Element => b'E',
        Kind::Item => b'I',
        Kind::Material => b'M',
        Kind::Form => b'F',
        Kind::Bundle => b'B',
    }
}

/// The kind a tag stands for.
pub fn kind_of_tag(tag_byte: u8) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| tag(*k) == tag_byte)
}

/// Key of a record in the records tree.
pub fn record_key(kind: Kind, code: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + code.len());
    key.push(tag(kind));
    key.extend_from_slice(code.as_bytes());
    key
}

/// Prefix of every reference-index key pointing at `kind`/`code` (where-used).
pub fn referrers_prefix(kind: Kind, code: &str) -> Vec<u8> {
    let mut key = vec![REF, tag(kind)];
    key.extend_from_slice(code.as_bytes());
    key.push(0);
    key
}

/// Every index key a record contributes: one per reference.
pub fn index_keys(record: RecordRef<'_>) -> Vec<Vec<u8>> {
    let source_tag = tag(record.kind());
    let mut keys: Vec<Vec<u8>> = record
        .references()
        .into_iter()
        .map(|r| {
            let mut key = referrers_prefix(r.target, r.code);
            key.push(source_tag);
            key.extend_from_slice(record.code().as_bytes());
            key.push(0);
            key.extend_from_slice(r.path.to_string().as_bytes());
            key
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Index keys of an optional record (none for an absent one).
pub fn index_keys_of(record: Option<&Record>) -> Vec<Vec<u8>> {
    record.map(|r| index_keys(r.as_ref())).unwrap_or_default()
}
