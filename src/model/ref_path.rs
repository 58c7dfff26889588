//! Where in a record a reference sits, in a few bytes rather than a string.
//!
//! A million-element catalog holds millions of reverse references, most of them form fields
//! (`sections[0].fields[12].element`): too long for an inline string, so each path text was
//! a heap allocation of its own. A [`RefPath`] keeps the indices and a field name instead and
//! spells the text out on demand; it compares, orders and hashes as that text would.

use std::cmp::Ordering;
use std::fmt;

use compact_str::CompactString;

use super::record::Kind;
use crate::i18n::Lang;

/// A field of a record that holds the code of another record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefField {
    /// `parent`
    Parent,
    /// `region`
    Region,
    /// `agency`
    Agency,
    /// `source_agency`
    SourceAgency,
    /// `issuing_agency`
    IssuingAgency,
    /// `lead_agency`
    LeadAgency,
    /// `template_of`
    TemplateOf,
    /// `item`
    Item,
    /// `items`
    Items,
    /// `material`
    Material,
    /// `materials`
    Materials,
    /// `depends_on`
    DependsOn,
}

impl RefField {
    /// Every field.
    pub const ALL: [RefField; 12] = [
        Self::Parent,
        Self::Region,
        Self::Agency,
        Self::SourceAgency,
        Self::IssuingAgency,
        Self::LeadAgency,
        Self::TemplateOf,
        Self::Item,
        Self::Items,
        Self::Material,
        Self::Materials,
        Self::DependsOn,
    ];

    /// The field's name in the interchange file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::Region => "region",
            Self::Agency => "agency",
            Self::SourceAgency => "source_agency",
            Self::IssuingAgency => "issuing_agency",
            Self::LeadAgency => "lead_agency",
            Self::TemplateOf => "template_of",
            Self::Item => "item",
            Self::Items => "items",
            Self::Material => "material",
            Self::Materials => "materials",
            Self::DependsOn => "depends_on",
        }
    }

    /// The field of that name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The field's Chinese label in a record of kind `owner` (the record editor's label).
    pub fn zh(self, owner: Kind) -> &'static str {
        match (self, owner) {
            (Self::Parent, Kind::Item) => "上级事项",
            (Self::Parent, Kind::Element) => "上级数据元",
            (Self::Parent, Kind::Region) => "上级行政区划",
            (Self::Parent, _) => "上级",
            (Self::Region, _) => "行政区划",
            (Self::Agency, _) => "实施主体",
            (Self::SourceAgency, _) => "数源部门",
            (Self::IssuingAgency, _) => "发证部门",
            (Self::LeadAgency, _) => "牵头部门",
            (Self::TemplateOf, _) => "模板来源",
            (Self::Item, _) => "所属事项",
            (Self::Items, _) => "包含事项",
            (Self::Material, _) => "对应材料",
            (Self::Materials, _) => "申请材料",
            (Self::DependsOn, _) => "前置事项",
        }
    }
}

/// Where in the referring record a reference sits, displayed as its path text
/// (`parent`, `depends_on[2]`, `sections[0].fields[12].element`).
///
/// Every path has one representation (see [`RefPath::parse`]), so two paths are equal exactly
/// when their texts are, and they order as their texts do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefPath {
    /// A field holding one code: `parent`.
    Field(RefField),
    /// An entry of a list field: `depends_on[2]`.
    Entry(RefField, u32),
    /// The element a form field is bound to: `sections[0].fields[12].element`.
    FormField {
        /// Section index.
        section: u32,
        /// Field index within the section.
        field: u32,
    },
    /// A code in an entry of a bundle's material list: `materials[1].item`.
    BundleMaterial {
        /// Entry index.
        index: u32,
        /// The entry's field (`material` or `item`).
        field: RefField,
    },
    /// Any other path, spelled out (`item_when.<item code>`): boxed to keep the common
    /// paths small. Made by [`RefPath::parse`] and the constructors, never for a text
    /// another variant spells (which would break equality with that variant).
    Text(Box<CompactString>),
}

impl RefPath {
    /// An entry of a list field.
    pub fn entry(field: RefField, index: usize) -> Self {
        match u32::try_from(index) {
            Ok(index) => Self::Entry(field, index),
            Err(_) => Self::text(format!("{}[{index}]", field.as_str())),
        }
    }

    /// The element of field `field` of section `section` of a form.
    pub fn form_field(section: usize, field: usize) -> Self {
        match (u32::try_from(section), u32::try_from(field)) {
            (Ok(section), Ok(field)) => Self::FormField { section, field },
            _ => Self::text(format!("sections[{section}].fields[{field}].element")),
        }
    }

    /// A code in entry `index` of a bundle's material list.
    pub fn bundle_material(index: usize, field: RefField) -> Self {
        match u32::try_from(index) {
            Ok(index) => Self::BundleMaterial { index, field },
            Err(_) => Self::text(format!("materials[{index}].{}", field.as_str())),
        }
    }

    /// The condition of a bundle on one of its items: `item_when.<item>`.
    pub fn item_when(item: &str) -> Self {
        Self::text(format!("item_when.{item}"))
    }

    fn text(text: String) -> Self {
        Self::Text(Box::new(text.into()))
    }

    /// The path of a text, in its one representation: [`RefPath::Text`] only for a text
    /// that no other variant spells. `parse(&p.to_string()) == p` for every path `p`.
    pub fn parse(text: &str) -> Self {
        match Self::structured(text) {
            Some(path) if path == *text => path,
            _ => Self::Text(Box::new(text.into())),
        }
    }

    /// A variant other than `Text` that may spell `text` (the caller checks that it does).
    fn structured(text: &str) -> Option<Self> {
        let index = |digits: &str| digits.parse::<u32>().ok();
        if let Some(field) = RefField::parse(text) {
            return Some(Self::Field(field));
        }
        if let Some(rest) = text.strip_prefix("sections[") {
            let (section, rest) = rest.split_once("].fields[")?;
            let field = rest.strip_suffix("].element")?;
            return Some(Self::FormField {
                section: index(section)?,
                field: index(field)?,
            });
        }
        let (name, rest) = text.split_once('[')?;
        let field = RefField::parse(name)?;
        let (at, rest) = rest.split_once(']')?;
        let at = index(at)?;
        if rest.is_empty() {
            return Some(Self::Entry(field, at));
        }
        Some(Self::BundleMaterial {
            index: at,
            field: RefField::parse(rest.strip_prefix('.')?)?,
        })
    }

    /// Where the reference sits in a record of kind `owner`, for people: the field's label
    /// and entry in Chinese (`前置事项第 3 项`), the path text in English.
    pub fn label(&self, owner: Kind, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Self::Field(field) => field.zh(owner).to_string(),
            Self::Entry(field, index) => format!("{}第 {} 项", field.zh(owner), index + 1),
            Self::FormField { section, field } => {
                format!("第 {} 节第 {} 个字段", section + 1, field + 1)
            }
            Self::BundleMaterial { index, field } => {
                format!("材料清单第 {} 项的{}", index + 1, field.zh(owner))
            }
            Self::Text(text) => match text.strip_prefix("item_when.") {
                Some(item) => format!("事项 {item} 的适用条件"),
                None => text.to_string(),
            },
        }
    }

    /// `(section, field)` of a form field's path.
    pub fn form_field_at(&self) -> Option<(usize, usize)> {
        match self {
            Self::FormField { section, field } => Some((*section as usize, *field as usize)),
            _ => None,
        }
    }
}

impl fmt::Display for RefPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(field) => f.write_str(field.as_str()),
            Self::Entry(field, index) => write!(f, "{}[{index}]", field.as_str()),
            Self::FormField { section, field } => {
                write!(f, "sections[{section}].fields[{field}].element")
            }
            Self::BundleMaterial { index, field } => {
                write!(f, "materials[{index}].{}", field.as_str())
            }
            Self::Text(text) => f.write_str(text),
        }
    }
}

/// Compares a text with what is written to it, piece by piece, without building a string.
struct SameText<'a> {
    rest: &'a str,
    same: bool,
}

impl fmt::Write for SameText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match self.rest.strip_prefix(s) {
            Some(rest) if self.same => self.rest = rest,
            _ => self.same = false,
        }
        Ok(())
    }
}

impl PartialEq<str> for RefPath {
    fn eq(&self, other: &str) -> bool {
        use fmt::Write;
        let mut cmp = SameText {
            rest: other,
            same: true,
        };
        // writing to `SameText` never fails
        let _ = write!(cmp, "{self}");
        cmp.same && cmp.rest.is_empty()
    }
}

impl PartialEq<&str> for RefPath {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialOrd for RefPath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RefPath {
    /// As the texts order (`fields[12]` before `fields[2]`): paths are only compared between
    /// references of one record to one target, which is rare, so the texts are built here.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Field(a), Self::Field(b)) => a.as_str().cmp(b.as_str()),
            _ => self.to_string().cmp(&other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_chinese_in_chinese_and_paths_in_english() {
        let cases = [
            (RefPath::Field(RefField::Parent), Kind::Item, "上级事项"),
            (
                RefPath::Field(RefField::Parent),
                Kind::Element,
                "上级数据元",
            ),
            (
                RefPath::entry(RefField::DependsOn, 2),
                Kind::Item,
                "前置事项第 3 项",
            ),
            (
                RefPath::form_field(0, 11),
                Kind::Form,
                "第 1 节第 12 个字段",
            ),
            (
                RefPath::bundle_material(1, RefField::Item),
                Kind::Bundle,
                "材料清单第 2 项的所属事项",
            ),
            (
                RefPath::item_when("SX1"),
                Kind::Bundle,
                "事项 SX1 的适用条件",
            ),
        ];
        for (path, owner, zh) in cases {
            assert_eq!(path.label(owner, Lang::Zh), zh);
            assert_eq!(path.label(owner, Lang::En), path.to_string());
        }
    }

    fn samples() -> Vec<RefPath> {
        let mut paths: Vec<RefPath> = RefField::ALL.into_iter().map(RefPath::Field).collect();
        for i in [0, 1, 2, 9, 10, 12, 100, u32::MAX as usize] {
            paths.push(RefPath::entry(RefField::DependsOn, i));
            paths.push(RefPath::entry(RefField::Materials, i));
            paths.push(RefPath::form_field(i, 3));
            paths.push(RefPath::form_field(2, i));
            paths.push(RefPath::bundle_material(i, RefField::Item));
            paths.push(RefPath::bundle_material(i, RefField::Material));
        }
        paths.push(RefPath::form_field(u32::MAX as usize + 1, 0));
        paths.push(RefPath::entry(RefField::Items, u32::MAX as usize + 1));
        paths.push(RefPath::item_when("11110000000013338W3000111000001"));
        paths.push(RefPath::item_when("I1"));
        paths
    }

    #[test]
    fn paths_spell_the_texts_the_records_used_to_hold() {
        assert_eq!(
            RefPath::form_field(0, 12).to_string(),
            "sections[0].fields[12].element"
        );
        assert_eq!(
            RefPath::entry(RefField::DependsOn, 2).to_string(),
            "depends_on[2]"
        );
        assert_eq!(
            RefPath::bundle_material(1, RefField::Item).to_string(),
            "materials[1].item"
        );
        assert_eq!(RefPath::item_when("I1").to_string(), "item_when.I1");
        assert_eq!(
            RefPath::Field(RefField::SourceAgency).to_string(),
            "source_agency"
        );
        assert_eq!(
            RefPath::form_field(u32::MAX as usize + 1, 0).to_string(),
            "sections[4294967296].fields[0].element"
        );
        assert_eq!(std::mem::size_of::<RefPath>(), 16);
    }

    #[test]
    fn the_text_parses_back_to_the_same_path() {
        for path in samples() {
            let text = path.to_string();
            assert_eq!(RefPath::parse(&text), path, "{text}");
            assert!(path == *text, "{text}");
        }
        assert_eq!(
            RefPath::parse("sections[0].fields[12].element"),
            RefPath::FormField {
                section: 0,
                field: 12
            }
        );
    }

    #[test]
    fn texts_no_variant_spells_stay_text() {
        for text in [
            "",
            "sections[01].fields[2].element",
            "sections[1].fields[2]",
            "sections[-1].fields[2].element",
            "depends_on[+2]",
            "depends_on[2",
            "depends_on[]",
            "nope[2]",
            "materials[1].nope",
            "materials[1]x",
            "item_when.I1",
            "parent ",
        ] {
            let path = RefPath::parse(text);
            assert!(matches!(path, RefPath::Text(_)), "{text}: {path:?}");
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn paths_order_and_compare_as_their_texts() {
        let paths = samples();
        for a in &paths {
            for b in &paths {
                let (ta, tb) = (a.to_string(), b.to_string());
                assert_eq!(a.cmp(b), ta.cmp(&tb), "{ta} vs {tb}");
                assert_eq!(a == b, ta == tb, "{ta} vs {tb}");
                assert_eq!(*a == *tb.as_str(), ta == tb, "{ta} vs {tb}");
            }
        }
        assert!(RefPath::Field(RefField::Parent) == "parent");
        assert!(RefPath::Field(RefField::Parent) != "paren");
        assert!(RefPath::Field(RefField::Parent) != "parents");
        assert!(RefPath::form_field(0, 1) != "sections[0].fields[1]");
    }

    #[test]
    fn form_fields_give_their_position() {
        assert_eq!(RefPath::form_field(1, 23).form_field_at(), Some((1, 23)));
        assert_eq!(RefPath::Field(RefField::Item).form_field_at(), None);
    }
}
