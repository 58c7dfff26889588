//! Key layout of the sled trees. Keys are ordered byte strings: a one-byte tag, then
//! UTF-8 codes.
//!
//! | tree    | key                                     | value                                  |
//! |---------|-----------------------------------------|----------------------------------------|
//! | records | kind tag, code                          | versioned record                       |
//! | search  | code of the block's first element       | versioned block of search rows         |
//! | audit   | u64 big-endian number of the first entry | versioned block: one write's entries  |
//! | meta    | `schema`, `created`                     | u32 BE, text                           |
//! | journal | u64 big-endian chunk number             | a staged chunk of a big batch          |
//!
//! Stores of schema version 1 also hold an `index` tree: one key per reference (where-used)
//! and, older still, one per record name. Where-used comes from the catalog's reverse index,
//! rebuilt as the records load, so version 2 neither writes nor reads that tree: it is left
//! where it is, as removing millions of keys would hold the first open for minutes.

use crate::model::Kind;

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
