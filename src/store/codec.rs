//! Record encoding: bincode 2 (serde mode) inside a version enum per record type.
//!
//! bincode cannot add a field to an old record, so every stored value names its schema
//! version, and old versions are upgraded when read. A value with bytes left over after
//! decoding is rejected, never silently truncated. Stored types use no
//! `skip_serializing_if`, `flatten` or `untagged`, which bincode cannot round-trip.

use std::borrow::Cow;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use std::collections::BTreeMap;

use crate::model::{
    Agency, Bundle, BundleMaterial, Element, ElementKind, ElementOption, Form, Item, ItemLevel,
    ItemType, Kind, Material, MaterialKind, Origin, Question, Record, Region, Share, Status, When,
};

use super::audit::{AuditBlock, AuditEntry, AuditEntryV1};
use crate::engine::search::SearchRow;

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
    /// Bytes could not be deflated, or deflated bytes inflated (or they inflate to more than
    /// allowed).
    #[error("cannot deflate or inflate: {0}")]
    Compression(std::io::Error),
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
            code: self.code.into(),
            name: self.name.into(),
            synonyms: self.synonyms.into_iter().map(Into::into).collect(),
            kind: self.kind,
            definition: self.definition.into(),
            pattern: self.pattern.map(Into::into),
            options: self
                .options
                .into_iter()
                .enumerate()
                .map(|(i, label)| ElementOption {
                    code: (i + 1).to_string().into(),
                    label: label.into(),
                    parent: None,
                    kind: None,
                })
                .collect(),
            parent: self.parent.map(Into::into),
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

/// The item layout of schema version 1, before templates (no `template`, `template_of`).
/// Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct ItemV1 {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) level: ItemLevel,
    pub(crate) parent: Option<String>,
    pub(crate) item_type: ItemType,
    pub(crate) agency: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) basis: String,
    pub(crate) time_limit_days: u32,
    pub(crate) legal_limit_days: u32,
    pub(crate) fee: String,
    pub(crate) online_depth: u8,
    pub(crate) depends_on: Vec<String>,
    pub(crate) materials: Vec<String>,
    pub(crate) status: Status,
    pub(crate) version: u32,
    pub(crate) origin: Origin,
}

impl ItemV1 {
    /// Upgrades to the current layout: not a template, claimed from no template.
    fn upgrade(self) -> Item {
        Item {
            code: self.code.into(),
            name: self.name.into(),
            level: self.level,
            parent: self.parent.map(Into::into),
            item_type: self.item_type,
            agency: self.agency.map(Into::into),
            region: self.region.map(Into::into),
            basis: self.basis.into(),
            time_limit_days: self.time_limit_days,
            legal_limit_days: self.legal_limit_days,
            fee: self.fee.into(),
            online_depth: self.online_depth,
            depends_on: self.depends_on.into_iter().map(Into::into).collect(),
            materials: self.materials.into_iter().map(Into::into).collect(),
            status: self.status,
            version: self.version,
            origin: self.origin,
            template: false,
            template_of: None,
        }
    }
}

/// The material layout of schema version 1, before templates. Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct MaterialV1 {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: MaterialKind,
    pub(crate) source: String,
    pub(crate) issuing_agency: Option<String>,
    pub(crate) licence_code: Option<String>,
    pub(crate) shareable: bool,
    pub(crate) copies: u32,
    pub(crate) required: bool,
}

impl MaterialV1 {
    /// Upgrades to the current layout: not a template, claimed from no template.
    fn upgrade(self) -> Material {
        Material {
            code: self.code.into(),
            name: self.name.into(),
            kind: self.kind,
            source: self.source,
            issuing_agency: self.issuing_agency,
            licence_code: self.licence_code,
            shareable: self.shareable,
            copies: self.copies,
            required: self.required,
            template: false,
            template_of: None,
        }
    }
}

/// The bundle layout of schema version 1, before templates. Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct BundleV1 {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) lead_agency: Option<String>,
    pub(crate) items: Vec<String>,
    pub(crate) questions: Vec<Question>,
    pub(crate) item_when: BTreeMap<String, When>,
    pub(crate) materials: Vec<BundleMaterial>,
    pub(crate) status: Status,
    pub(crate) version: u32,
    pub(crate) origin: Origin,
}

impl BundleV1 {
    /// Upgrades to the current layout: not a template, claimed from no template.
    fn upgrade(self) -> Bundle {
        Bundle {
            code: self.code.into(),
            name: self.name.into(),
            lead_agency: self.lead_agency,
            items: self.items,
            questions: self.questions,
            item_when: self.item_when,
            materials: self.materials,
            status: self.status,
            version: self.version,
            origin: self.origin,
            template: false,
            template_of: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
enum StoredItem<'a> {
    V1(ItemV1),
    V2(Cow<'a, Item>),
}

#[derive(Serialize, Deserialize)]
enum StoredMaterial<'a> {
    V1(MaterialV1),
    V2(Cow<'a, Material>),
}

#[derive(Serialize, Deserialize)]
enum StoredBundle<'a> {
    V1(BundleV1),
    V2(Cow<'a, Bundle>),
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
single_version!(StoredForm, Form);
/// Blocks of search rows (see `search_tree`).
#[derive(Serialize, Deserialize)]
enum StoredSearchBlock<'a> {
    V1(Cow<'a, [SearchRow]>),
}
/// Audit values: V1 and V2 held one entry (V1 without digests), V3 holds one write's block.
#[derive(Serialize, Deserialize)]
enum StoredAudit<'a> {
    V1(AuditEntryV1),
    V2(Cow<'a, AuditEntry>),
    V3(Cow<'a, AuditBlock>),
}

/// Encodes a record in its current schema version.
pub fn encode_record(record: &Record) -> Result<Vec<u8>, CodecError> {
    match record {
        Record::Region(r) => encode(&StoredRegion::V1(Cow::Borrowed(r))),
        Record::Agency(r) => encode(&StoredAgency::V1(Cow::Borrowed(r))),
        Record::Element(r) => encode(&StoredElement::V2(Cow::Borrowed(r))),
        Record::Item(r) => encode(&StoredItem::V2(Cow::Borrowed(r))),
        Record::Material(r) => encode(&StoredMaterial::V2(Cow::Borrowed(r))),
        Record::Form(r) => encode(&StoredForm::V1(Cow::Borrowed(r))),
        Record::Bundle(r) => encode(&StoredBundle::V2(Cow::Borrowed(r))),
    }
}

/// Decodes a record of `kind` written by this or any older schema version. A published
/// record stored at version 0 (imports wrote them so before they followed the rule that
/// publishing makes V1) is read as V1 ([`Record::published_at_least_v1`]), so it shows as
/// 已发布 V1 and is written as V1 the next time it is written.
pub fn decode_record(kind: Kind, bytes: &[u8]) -> Result<Record, CodecError> {
    let mut record = decode_stored_record(kind, bytes)?;
    record.published_at_least_v1();
    Ok(record)
}

/// Decodes a record as it was stored, whatever its version says.
fn decode_stored_record(kind: Kind, bytes: &[u8]) -> Result<Record, CodecError> {
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
            StoredItem::V1(old) => Record::Item(old.upgrade()),
            StoredItem::V2(r) => Record::Item(r.into_owned()),
        },
        Kind::Material => match decode(bytes)? {
            StoredMaterial::V1(old) => Record::Material(old.upgrade()),
            StoredMaterial::V2(r) => Record::Material(r.into_owned()),
        },
        Kind::Form => match decode(bytes)? {
            StoredForm::V1(r) => Record::Form(r.into_owned()),
        },
        Kind::Bundle => match decode(bytes)? {
            StoredBundle::V1(old) => Record::Bundle(old.upgrade()),
            StoredBundle::V2(r) => Record::Bundle(r.into_owned()),
        },
    })
}

/// Encodes a block of search rows.
pub fn encode_search_block(rows: &[SearchRow]) -> Result<Vec<u8>, CodecError> {
    encode(&StoredSearchBlock::V1(Cow::Borrowed(rows)))
}

/// Decodes a block of search rows.
pub fn decode_search_block(bytes: &[u8]) -> Result<Vec<SearchRow>, CodecError> {
    match decode(bytes)? {
        StoredSearchBlock::V1(rows) => Ok(rows.into_owned()),
    }
}

/// Largest journal entry the decoder reads: a chunk of a big batch, written by this store
/// moments before, may hold thousands of large records.
const MAX_JOURNAL_BYTES: usize = 1 << 30;

/// Encodes a journal entry (a staged chunk of a big batch, in its version envelope).
pub fn encode_journal<T: Serialize>(entry: &T) -> Result<Vec<u8>, CodecError> {
    let config = bincode::config::standard().with_limit::<MAX_JOURNAL_BYTES>();
    Ok(bincode::serde::encode_to_vec(entry, config)?)
}

/// `entry` encoded as a journal entry ([`encode_journal`]) and deflated at zlib's fastest
/// level as it is encoded: a staged chunk of encoded records, search rows and audit entries
/// shrinks to about a third, and its encoded bytes are never held whole (at a million
/// elements the rows of an agency's 86,019 elements encode to 64 MB).
pub fn encode_deflated<T: Serialize>(entry: &T) -> Result<Vec<u8>, CodecError> {
    let config = bincode::config::standard().with_limit::<MAX_JOURNAL_BYTES>();
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    bincode::serde::encode_into_std_write(entry, &mut encoder, config)?;
    encoder.finish().map_err(CodecError::Compression)
}

/// Inflates what [`encode_deflated`] made, refusing more than `MAX_JOURNAL_BYTES`.
pub fn inflate(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
    use std::io::Read;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(3));
    let limit = MAX_JOURNAL_BYTES as u64 + 1;
    flate2::read::DeflateDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(CodecError::Compression)?;
    if out.len() > MAX_JOURNAL_BYTES {
        return Err(CodecError::Compression(std::io::Error::other(
            "more than 1 GiB inflated",
        )));
    }
    Ok(out)
}

/// Decodes a journal entry; bytes left over are refused, as in every stored value.
pub fn decode_journal<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let config = bincode::config::standard().with_limit::<MAX_JOURNAL_BYTES>();
    let (value, used) = bincode::serde::decode_from_slice(bytes, config)?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes {
            extra: bytes.len() - used,
        });
    }
    Ok(value)
}

/// Encodes a block of audit entries.
pub fn encode_audit(block: &AuditBlock) -> Result<Vec<u8>, CodecError> {
    encode(&StoredAudit::V3(Cow::Borrowed(block)))
}

/// Decodes an audit value written by this or any older schema version: its entries, in
/// order (older versions wrote one entry a value).
pub fn decode_audit(bytes: &[u8]) -> Result<Vec<AuditEntry>, CodecError> {
    match decode(bytes)? {
        StoredAudit::V1(old) => Ok(vec![old.upgrade()]),
        StoredAudit::V2(e) => Ok(vec![e.into_owned()]),
        StoredAudit::V3(block) => Ok(block.into_owned().into_entries()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AnswerOption;

    #[test]
    fn deflated_bytes_inflate_back_and_garbage_is_refused() {
        let text: Vec<String> = vec!["申请人姓名 DE00001 身份证件号码 ".repeat(20); 25];
        let deflated = encode_deflated(&text).unwrap();
        let encoded = encode_journal(&text).unwrap();
        assert!(
            deflated.len() * 4 < encoded.len(),
            "{} bytes",
            deflated.len()
        );
        assert_eq!(inflate(&deflated).unwrap(), encoded);
        assert_eq!(decode_journal::<Vec<String>>(&encoded).unwrap(), text);
        assert!(matches!(
            inflate(&[0xff; 32]),
            Err(CodecError::Compression(_))
        ));
    }

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

    /// Bytes of an item, a material and a bundle written by schema version 1 (before
    /// templates), from the fixtures below.
    const ITEM_V1: &[u8] = include_bytes!("../../tests/fixtures/item_v1.bin");
    const MATERIAL_V1: &[u8] = include_bytes!("../../tests/fixtures/material_v1.bin");
    const BUNDLE_V1: &[u8] = include_bytes!("../../tests/fixtures/bundle_v1.bin");

    fn item_v1_fixture() -> ItemV1 {
        ItemV1 {
            code: "SX001-01".into(),
            name: "食品经营许可（新办）".into(),
            level: ItemLevel::Sub,
            parent: Some("SX001".into()),
            item_type: ItemType::Licensing,
            agency: Some("11511602MB1234567X".into()),
            region: Some("511602".into()),
            basis: "《中华人民共和国食品安全法》第三十五条".into(),
            time_limit_days: 10,
            legal_limit_days: 20,
            fee: "不收费".into(),
            online_depth: 3,
            depends_on: vec!["SX000".into()],
            materials: vec!["CL001".into()],
            status: Status::Published,
            version: 1,
            origin: Origin::Claimed,
        }
    }

    fn material_v1_fixture() -> MaterialV1 {
        MaterialV1 {
            code: "CL001".into(),
            name: "营业执照".into(),
            kind: MaterialKind::Licence,
            source: "政府部门核发".into(),
            issuing_agency: Some("11511602MB1234567X".into()),
            licence_code: Some("ZZ0001".into()),
            shareable: true,
            copies: 1,
            required: true,
        }
    }

    fn bundle_v1_fixture() -> BundleV1 {
        BundleV1 {
            code: "ZT001".into(),
            name: "我要开餐馆".into(),
            lead_agency: Some("11511602MB1234567X".into()),
            items: vec!["SX001-01".into(), "SX002-01".into()],
            questions: vec![Question {
                key: "area".into(),
                text: "经营场所面积？".into(),
                options: vec![
                    AnswerOption {
                        key: "lt500".into(),
                        text: "500平方米以下".into(),
                    },
                    AnswerOption {
                        key: "ge500".into(),
                        text: "500平方米及以上".into(),
                    },
                ],
            }],
            item_when: BTreeMap::from([(
                "SX002-01".into(),
                BTreeMap::from([("area".to_string(), vec!["ge500".to_string()])]),
            )]),
            materials: vec![BundleMaterial {
                material: "CL001".into(),
                item: "SX001-01".into(),
                when: None,
            }],
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
        }
    }

    #[test]
    fn item_material_bundle_v1_layouts_are_frozen_and_upgrade_on_read() {
        // If an assertion on bytes fails, a V1 layout was edited: old stores would no
        // longer decode.
        let bytes = encode(&StoredItem::V1(item_v1_fixture())).expect("encode");
        assert_eq!(bytes, ITEM_V1);
        let bytes = encode(&StoredMaterial::V1(material_v1_fixture())).expect("encode");
        assert_eq!(bytes, MATERIAL_V1);
        let bytes = encode(&StoredBundle::V1(bundle_v1_fixture())).expect("encode");
        assert_eq!(bytes, BUNDLE_V1);

        let Record::Item(i) = decode_record(Kind::Item, ITEM_V1).expect("item") else {
            panic!("not an item");
        };
        assert_eq!(i, item_v1_fixture().upgrade());
        assert_eq!((i.code.as_str(), i.origin), ("SX001-01", Origin::Claimed));
        assert!(!i.template && i.template_of.is_none());
        let Record::Material(m) = decode_record(Kind::Material, MATERIAL_V1).expect("material")
        else {
            panic!("not a material");
        };
        assert_eq!(m, material_v1_fixture().upgrade());
        assert!(!m.template && m.template_of.is_none());
        let Record::Bundle(b) = decode_record(Kind::Bundle, BUNDLE_V1).expect("bundle") else {
            panic!("not a bundle");
        };
        assert_eq!(b, bundle_v1_fixture().upgrade());
        assert_eq!(b.questions[0].options.len(), 2);

        // the current layout round-trips with the new fields set
        let mut item = item_v1_fixture().upgrade();
        item.template_of = Some("SX001".into());
        let mut bundle = bundle_v1_fixture().upgrade();
        bundle.template = true;
        for record in [Record::Item(item), Record::Bundle(bundle)] {
            let bytes = encode_record(&record).expect("encode");
            assert_eq!(
                decode_record(record.kind(), &bytes).expect("decode"),
                record
            );
        }
    }

    /// Bytes a store held before definitions, legal bases and help lines became shared texts,
    /// fees and section titles inline strings and field conditions boxed: `small.json`'s
    /// DE0040 (given a definition), S001 (given a legal basis) and F001, written by the
    /// version before.
    const ELEMENT_V2: &[u8] = include_bytes!("../../tests/fixtures/element_v2.bin");
    const ITEM_V2: &[u8] = include_bytes!("../../tests/fixtures/item_v2.bin");
    const FORM_V1: &[u8] = include_bytes!("../../tests/fixtures/form_v1.bin");

    #[test]
    fn records_stored_before_shared_texts_read_and_write_the_same_bytes() {
        let Record::Element(e) = decode_record(Kind::Element, ELEMENT_V2).expect("element") else {
            panic!("not an element");
        };
        assert_eq!(e.definition, "不动产权证书的编号");
        assert!(e.pattern.as_deref().is_some_and(|p| p.starts_with("川")));
        let Record::Item(i) = decode_record(Kind::Item, ITEM_V2).expect("item") else {
            panic!("not an item");
        };
        assert_eq!(i.basis, "《中华人民共和国食品安全法》第三十五条");
        assert_eq!(i.fee, "不收费");
        let Record::Form(f) = decode_record(Kind::Form, FORM_V1).expect("form") else {
            panic!("not a form");
        };
        assert_eq!(
            (f.item.as_deref(), f.material.as_deref()),
            (Some("S001"), Some("MAT02"))
        );
        assert_eq!(f.sections[0].title, "申请人信息");
        let help: Vec<_> = f
            .fields()
            .filter_map(|(_, _, x)| x.help.as_deref())
            .collect();
        assert_eq!(help, ["填写到门牌号"]);
        let when: Vec<_> = f
            .fields()
            .filter_map(|(_, _, x)| x.when.as_deref())
            .collect();
        assert_eq!(
            when,
            [&BTreeMap::from([("size".into(), vec!["large".into()])])]
        );
        // written again, byte for byte as before
        for (record, bytes) in [
            (Record::Element(e), ELEMENT_V2),
            (Record::Item(i), ITEM_V2),
            (Record::Form(f), FORM_V1),
        ] {
            assert_eq!(encode_record(&record).expect("encode"), bytes);
        }
    }

    #[test]
    fn a_record_stored_published_at_v0_reads_as_v1() {
        // as imports wrote published records before they followed the rule
        let mut published = item_v1_fixture().upgrade();
        published.version = 0;
        let mut bundle = bundle_v1_fixture().upgrade();
        bundle.status = Status::Published;
        let mut element = element_v1_fixture().upgrade();
        element.version = 0;
        for record in [
            Record::Item(published),
            Record::Bundle(bundle),
            Record::Element(element),
        ] {
            let bytes = encode_record(&record).expect("encode");
            let read = decode_record(record.kind(), &bytes).expect("decode");
            let mut expected = record.clone();
            assert!(expected.published_at_least_v1(), "{expected:?}");
            assert_eq!(read, expected);
            // written back, it is V1
            assert_eq!(
                decode_stored_record(read.kind(), &encode_record(&read).expect("encode"))
                    .expect("decode"),
                expected
            );
        }
        // a draft at V0 and a published V2 stay as they are
        let mut draft = bundle_v1_fixture().upgrade();
        draft.version = 0;
        let mut later = item_v1_fixture().upgrade();
        later.version = 2;
        for record in [Record::Bundle(draft), Record::Item(later)] {
            let bytes = encode_record(&record).expect("encode");
            assert_eq!(
                decode_record(record.kind(), &bytes).expect("decode"),
                record
            );
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
        let entries = decode_audit(AUDIT_V1).expect("decode");
        assert_eq!(entries, [audit_v1_fixture().upgrade()]);
        assert_eq!((&entries[0].before, &entries[0].after), (&None, &None));
        assert_eq!(entries[0].code, "DE000101");
    }

    /// Bytes of an audit entry as version 2 wrote them, one entry a value (see
    /// `audit_v2_fixture`).
    const AUDIT_V2: &[u8] = include_bytes!("../../tests/fixtures/audit_v2.bin");

    fn audit_v2_fixture() -> AuditEntry {
        AuditEntry {
            before: Some("0123456789abcdef".into()),
            after: None,
            op: super::super::AuditOp::Delete,
            ..audit_v1_fixture().upgrade()
        }
    }

    #[test]
    fn audit_v2_layout_is_frozen_and_reads_as_one_entry() {
        // If this fails, AuditEntry was edited: audit logs of version 2 would no longer decode.
        let bytes = encode(&StoredAudit::V2(Cow::Owned(audit_v2_fixture()))).expect("encode");
        assert_eq!(bytes, AUDIT_V2);
        assert_eq!(
            decode_audit(AUDIT_V2).expect("decode"),
            [audit_v2_fixture()]
        );
    }

    #[test]
    fn an_audit_block_reads_as_its_entries_in_order() {
        let change = |code: &str, op| crate::store::audit::AuditChange {
            kind: Kind::Form,
            code: code.into(),
            op,
            before: None,
            after: Some("fedcba9876543210".into()),
        };
        let block = AuditBlock {
            time: "2026-11-22T03:55:12Z".into(),
            user: "li".into(),
            action: "import".into(),
            changes: vec![
                change("F2", super::super::AuditOp::Create),
                change("F1", super::super::AuditOp::Update),
            ],
        };
        let entries = decode_audit(&encode_audit(&block).expect("encode")).expect("decode");
        let codes: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|e| (e.code.as_str(), e.user.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(codes, [("F2", "li", "import"), ("F1", "li", "import")]);
        assert_eq!(entries[1].op, super::super::AuditOp::Update);
        assert_eq!(entries[0].time, block.time);
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
