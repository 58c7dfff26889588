//! Record encoding: bincode 2 (serde mode) inside a version enum per record type.
//!
//! bincode cannot add a field to an old record, so every stored value names its schema
//! version, and old versions are upgraded when read. A value with bytes left over after
//! decoding is rejected, never silently truncated. Stored types use no
//! `skip_serializing_if`, `flatten` or `untagged`, which bincode cannot round-trip.

use std::borrow::Cow;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::model::{
    Agency, Bundle, Element, ElementKind, ElementOption, Form, Item, Kind, Material, Record,
    Region, Share, Status,
};

use super::audit::{AuditEntry, AuditEntryV1};

/// Largest value the decoder will allocate for (corrupt data must not eat memory).
const MAX_VALUE_BYTES: usize = 64 << 20;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_VALUE_BYTES>()
}

/// Why a stored value could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// bincode could not decode the bytes.
    #[error("cannot decode: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    /// The value decoded but bytes were left over.
    #[error("{extra} trailing bytes after the value")]
    TrailingBytes {
        /// How many bytes were left.
        extra: usize,
    },
    /// bincode could not encode the value.
    #[error("cannot encode: {0}")]
    Encode(#[from] bincode::error::EncodeError),
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    Ok(bincode::serde::encode_to_vec(value, config())?)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, used) = bincode::serde::decode_from_slice(bytes, config())?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes {
            extra: bytes.len() - used,
        });
    }
    Ok(value)
}

/// The element layout of schema version 1, which kept options as plain labels and had no
/// unit, source agency, share or security attributes. Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct ElementV1 {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) synonyms: Vec<String>,
    pub(crate) kind: ElementKind,
    pub(crate) definition: String,
    pub(crate) pattern: Option<String>,
    pub(crate) options: Vec<String>,
    pub(crate) parent: Option<String>,
    pub(crate) status: Status,
    pub(crate) version: u32,
}

impl ElementV1 {
    /// Upgrades to the current layout: option labels get codes 1, 2, 3...; new attributes
    /// take their defaults.
    fn upgrade(self) -> Element {
        Element {
            code: self.code,
            name: self.name,
            synonyms: self.synonyms,
            kind: self.kind,
            definition: self.definition,
            pattern: self.pattern,
            options: self
                .options
                .into_iter()
                .enumerate()
                .map(|(i, label)| ElementOption {
                    code: (i + 1).to_string(),
                    label,
                    parent: None,
                    kind: None,
                })
                .collect(),
            parent: self.parent,
            unit: None,
            source_agency: None,
            share: Share::Open,
            security_level: 1,
            status: self.status,
            version: self.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
enum StoredElement<'a> {
    V1(ElementV1),
    V2(Cow<'a, Element>),
}

/// Declares the version enum of a record type that has had one layout so far.
macro_rules! single_version {
    ($stored:ident, $ty:ty) => {
        #[derive(Serialize, Deserialize)]
        enum $stored<'a> {
            V1(Cow<'a, $ty>),
        }
    };
}

single_version!(StoredRegion, Region);
single_version!(StoredAgency, Agency);
single_version!(StoredItem, Item);
single_version!(StoredMaterial, Material);
single_version!(StoredForm, Form);
single_version!(StoredBundle, Bundle);

/// Audit entries: V1 had no digests.
#[derive(Serialize, Deserialize)]
enum StoredAudit<'a> {
    V1(AuditEntryV1),
    V2(Cow<'a, AuditEntry>),
}

/// Encodes a record in its current schema version.
pub fn encode_record(record: &Record) -> Result<Vec<u8>, CodecError> {
    match record {
        Record::Region(r) => encode(&StoredRegion::V1(Cow::Borrowed(r))),
        Record::Agency(r) => encode(&StoredAgency::V1(Cow::Borrowed(r))),
        Record::Element(r) => encode(&StoredElement::V2(Cow::Borrowed(r))),
        Record::Item(r) => encode(&StoredItem::V1(Cow::Borrowed(r))),
        Record::Material(r) => encode(&StoredMaterial::V1(Cow::Borrowed(r))),
        Record::Form(r) => encode(&StoredForm::V1(Cow::Borrowed(r))),
        Record::Bundle(r) => encode(&StoredBundle::V1(Cow::Borrowed(r))),
    }
}

/// Decodes a record of `kind` written by this or any older schema version.
pub fn decode_record(kind: Kind, bytes: &[u8]) -> Result<Record, CodecError> {
    Ok(match kind {
        Kind::Region => match decode(bytes)? {
            StoredRegion::V1(r) => Record::Region(r.into_owned()),
        },
        Kind::Agency => match decode(bytes)? {
            StoredAgency::V1(r) => Record::Agency(r.into_owned()),
        },
        Kind::Element => match decode(bytes)? {
            StoredElement::V1(old) => Record::Element(old.upgrade()),
            StoredElement::V2(r) => Record::Element(r.into_owned()),
        },
        Kind::Item => match decode(bytes)? {
            StoredItem::V1(r) => Record::Item(r.into_owned()),
        },
        Kind::Material => match decode(bytes)? {
            StoredMaterial::V1(r) => Record::Material(r.into_owned()),
        },
        Kind::Form => match decode(bytes)? {
            StoredForm::V1(r) => Record::Form(r.into_owned()),
        },
        Kind::Bundle => match decode(bytes)? {
            StoredBundle::V1(r) => Record::Bundle(r.into_owned()),
        },
    })
}

/// Encodes an audit entry.
pub fn encode_audit(entry: &AuditEntry) -> Result<Vec<u8>, CodecError> {
    encode(&StoredAudit::V2(Cow::Borrowed(entry)))
}

/// Decodes an audit entry written by this or any older schema version.
pub fn decode_audit(bytes: &[u8]) -> Result<AuditEntry, CodecError> {
    match decode(bytes)? {
        StoredAudit::V1(old) => Ok(old.upgrade()),
        StoredAudit::V2(e) => Ok(e.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes of an element written by schema version 1 (see `element_v1_fixture`).
    const ELEMENT_V1: &[u8] = include_bytes!("../../tests/fixtures/element_v1.bin");

    fn element_v1_fixture() -> ElementV1 {
        ElementV1 {
            code: "DE000101".into(),
            name: "性别".into(),
            synonyms: vec!["性别代码".into()],
            kind: ElementKind::SingleChoice,
            definition: "人的生理性别".into(),
            pattern: None,
            options: vec!["男".into(), "女".into()],
            parent: None,
            status: Status::Published,
            version: 2,
        }
    }

    #[test]
    fn v1_layout_is_frozen() {
        // If this fails, ElementV1 was edited: old stores would no longer decode.
        let bytes = encode(&StoredElement::V1(element_v1_fixture())).expect("encode");
        assert_eq!(bytes, ELEMENT_V1);
    }

    #[test]
    fn element_written_by_schema_v1_upgrades_on_read() {
        let Record::Element(e) = decode_record(Kind::Element, ELEMENT_V1).expect("decode") else {
            panic!("not an element");
        };
        assert_eq!(e.code, "DE000101");
        assert_eq!(e.name, "性别");
        assert_eq!(e.options.len(), 2);
        assert_eq!(
            (e.options[0].code.as_str(), e.options[0].label.as_str()),
            ("1", "男")
        );
        assert_eq!(
            (e.options[1].code.as_str(), e.options[1].label.as_str()),
            ("2", "女")
        );
        assert_eq!(e.security_level, 1);
        assert_eq!(e.share, Share::Open);
        assert_eq!(e.status, Status::Published);
        assert_eq!(e.version, 2);
    }

    /// Bytes of an audit entry written before digests (see `audit_v1_fixture`).
    const AUDIT_V1: &[u8] = include_bytes!("../../tests/fixtures/audit_v1.bin");

    fn audit_v1_fixture() -> AuditEntryV1 {
        AuditEntryV1 {
            time: "2026-11-22T03:55:12Z".into(),
            user: "li".into(),
            action: "import".into(),
            kind: Kind::Element,
            code: "DE000101".into(),
            op: super::super::AuditOp::Update,
        }
    }

    #[test]
    fn audit_v1_layout_is_frozen() {
        // If this fails, AuditEntryV1 was edited: old audit logs would no longer decode.
        let bytes = encode(&StoredAudit::V1(audit_v1_fixture())).expect("encode");
        assert_eq!(bytes, AUDIT_V1);
    }

    #[test]
    fn audit_entry_written_by_v1_upgrades_without_digests() {
        let entry = decode_audit(AUDIT_V1).expect("decode");
        assert_eq!(entry, audit_v1_fixture().upgrade());
        assert_eq!((entry.before, entry.after), (None, None));
        assert_eq!(entry.code, "DE000101");
        // and the current layout round-trips with digests
        let current = AuditEntry {
            before: Some("0123456789abcdef".into()),
            after: None,
            ..audit_v1_fixture().upgrade()
        };
        let bytes = encode_audit(&current).expect("encode");
        assert_eq!(decode_audit(&bytes).expect("decode"), current);
    }

    #[test]
    fn current_records_round_trip() {
        let e = element_v1_fixture().upgrade();
        let record = Record::Element(e);
        let bytes = encode_record(&record).expect("encode");
        assert_eq!(
            decode_record(Kind::Element, &bytes).expect("decode"),
            record
        );
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes =
            encode_record(&Record::Element(element_v1_fixture().upgrade())).expect("encode");
        bytes.push(0);
        match decode_record(Kind::Element, &bytes) {
            Err(CodecError::TrailingBytes { extra: 1 }) => {}
            other => panic!("expected trailing-bytes error, got {other:?}"),
        }
    }

    #[test]
    fn truncated_and_garbage_values_are_errors_not_panics() {
        let bytes =
            encode_record(&Record::Element(element_v1_fixture().upgrade())).expect("encode");
        for cut in 0..bytes.len() {
            assert!(decode_record(Kind::Element, &bytes[..cut]).is_err());
        }
        // an unknown version tag
        assert!(decode_record(Kind::Element, &[9, 0, 0]).is_err());
        // a huge declared length must not allocate
        assert!(decode_record(Kind::Form, &[0, 0xfc, 0xff, 0xff, 0xff, 0x7f]).is_err());
    }
}
