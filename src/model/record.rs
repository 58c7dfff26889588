//! One enum over every record kind, and the references each record makes to others.

use serde::{Deserialize, Serialize};

use super::ref_path::{RefField, RefPath};
use super::{Agency, Bundle, Element, Form, Item, Material, Region};

/// The kinds of record the catalog holds.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 行政区划
    Region,
    /// 实施主体
    Agency,
    /// 数据元
    Element,
    /// 事项
    Item,
    /// 材料
    Material,
    /// 申请表
    Form,
    /// 主题
    Bundle,
}

impl Kind {
    /// Every kind, in the order of the interchange file (referenced kinds first).
    pub const ALL: [Kind; 7] = [
        Self::Region,
        Self::Agency,
        Self::Element,
        Self::Item,
        Self::Material,
        Self::Form,
        Self::Bundle,
    ];

    /// Singular English name (`element`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Agency => "agency",
            Self::Element => "element",
            Self::Item => "item",
            Self::Material => "material",
            Self::Form => "form",
            Self::Bundle => "bundle",
        }
    }

    /// The key of this kind's list in the interchange file (`elements`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Region => "regions",
            Self::Agency => "agencies",
            Self::Element => "elements",
            Self::Item => "items",
            Self::Material => "materials",
            Self::Form => "forms",
            Self::Bundle => "bundles",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Region => "行政区划",
            Self::Agency => "实施主体",
            Self::Element => "数据元",
            Self::Item => "事项",
            Self::Material => "材料",
            Self::Form => "申请表",
            Self::Bundle => "主题",
        }
    }

    /// Parses the singular or plural English name.
    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.plural() == s)
    }
}

/// A whole record of any kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A region.
    Region(Region),
    /// An agency.
    Agency(Agency),
    /// An element.
    Element(Element),
    /// An item.
    Item(Item),
    /// A material.
    Material(Material),
    /// A form.
    Form(Form),
    /// A bundle.
    Bundle(Bundle),
}

/// A borrowed record of any kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordRef<'a> {
    /// A region.
    Region(&'a Region),
    /// An agency.
    Agency(&'a Agency),
    /// An element.
    Element(&'a Element),
    /// An item.
    Item(&'a Item),
    /// A material.
    Material(&'a Material),
    /// A form.
    Form(&'a Form),
    /// A bundle.
    Bundle(&'a Bundle),
}

/// One reference from a record to another record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference<'a> {
    /// Where in the referring record (`sections[0].fields[2].element`).
    pub path: RefPath,
    /// Kind of the referenced record.
    pub target: Kind,
    /// Code of the referenced record.
    pub code: &'a str,
}

impl Record {
    /// Borrows the record.
    pub fn as_ref(&self) -> RecordRef<'_> {
        match self {
            Self::Region(r) => RecordRef::Region(r),
            Self::Agency(r) => RecordRef::Agency(r),
            Self::Element(r) => RecordRef::Element(r),
            Self::Item(r) => RecordRef::Item(r),
            Self::Material(r) => RecordRef::Material(r),
            Self::Form(r) => RecordRef::Form(r),
            Self::Bundle(r) => RecordRef::Bundle(r),
        }
    }

    /// The record's kind.
    pub fn kind(&self) -> Kind {
        self.as_ref().kind()
    }

    /// The record's code.
    pub fn code(&self) -> &str {
        self.as_ref().code()
    }

    /// Keeps the rule that a published record is at least V1 (publishing bumps V0 to V1):
    /// a published record at version 0 — as imports stored them before they followed the
    /// rule — is made V1. Returns whether the version changed. The store applies it to
    /// every record it reads and every record it is given, so such a record shows, and is
    /// next written, as V1.
    pub fn published_at_least_v1(&mut self) -> bool {
        let (status, version) = match self {
            Self::Element(r) => (r.status, &mut r.version),
            Self::Item(r) => (r.status, &mut r.version),
            Self::Form(r) => (r.status, &mut r.version),
            Self::Bundle(r) => (r.status, &mut r.version),
            Self::Region(_) | Self::Agency(_) | Self::Material(_) => return false,
        };
        if status == super::Status::Published && *version == 0 {
            *version = 1;
            true
        } else {
            false
        }
    }
}

impl<'a> RecordRef<'a> {
    /// The record's kind.
    pub fn kind(self) -> Kind {
        match self {
            Self::Region(_) => Kind::Region,
            Self::Agency(_) => Kind::Agency,
            Self::Element(_) => Kind::Element,
            Self::Item(_) => Kind::Item,
            Self::Material(_) => Kind::Material,
            Self::Form(_) => Kind::Form,
            Self::Bundle(_) => Kind::Bundle,
        }
    }

    /// The record's code.
    pub fn code(self) -> &'a str {
        match self {
            Self::Region(r) => &r.code,
            Self::Agency(r) => &r.code,
            Self::Element(r) => &r.code,
            Self::Item(r) => &r.code,
            Self::Material(r) => &r.code,
            Self::Form(r) => &r.code,
            Self::Bundle(r) => &r.code,
        }
    }

    /// The record's name.
    pub fn name(self) -> &'a str {
        match self {
            Self::Region(r) => &r.name,
            Self::Agency(r) => &r.name,
            Self::Element(r) => &r.name,
            Self::Item(r) => &r.name,
            Self::Material(r) => &r.name,
            Self::Form(r) => &r.name,
            Self::Bundle(r) => &r.name,
        }
    }

    /// Clones into an owned record.
    pub fn to_record(self) -> Record {
        match self {
            Self::Region(r) => Record::Region(r.clone()),
            Self::Agency(r) => Record::Agency(r.clone()),
            Self::Element(r) => Record::Element(r.clone()),
            Self::Item(r) => Record::Item(r.clone()),
            Self::Material(r) => Record::Material(r.clone()),
            Self::Form(r) => Record::Form(r.clone()),
            Self::Bundle(r) => Record::Bundle(r.clone()),
        }
    }

    /// Whether the record is flagged as a template (模板库: items, materials, bundles).
    pub fn is_template(self) -> bool {
        match self {
            Self::Item(i) => i.template,
            Self::Material(m) => m.template,
            Self::Bundle(b) => b.template,
            _ => false,
        }
    }

    /// Every reference this record makes, in a stable order.
    pub fn references(self) -> Vec<Reference<'a>> {
        let mut out = Vec::new();
        self.for_each_reference(|r| out.push(r));
        out
    }

    /// Calls `f` with every reference this record makes, in the order of
    /// [`RecordRef::references`], without collecting them (loading a catalog visits millions).
    pub fn for_each_reference(self, f: impl FnMut(Reference<'a>)) {
        let mut refs = Refs(f);
        match self {
            Self::Region(r) => refs.opt(RefField::Parent, Kind::Region, &r.parent),
            Self::Agency(r) => refs.opt(RefField::Region, Kind::Region, &r.region),
            Self::Element(e) => {
                refs.opt(RefField::Parent, Kind::Element, &e.parent);
                refs.opt(RefField::SourceAgency, Kind::Agency, &e.source_agency);
            }
            Self::Item(i) => {
                refs.opt(RefField::Parent, Kind::Item, &i.parent);
                refs.opt(RefField::Agency, Kind::Agency, &i.agency);
                refs.opt(RefField::Region, Kind::Region, &i.region);
                refs.list(RefField::DependsOn, Kind::Item, &i.depends_on);
                refs.list(RefField::Materials, Kind::Material, &i.materials);
                refs.opt(RefField::TemplateOf, Kind::Item, &i.template_of);
            }
            Self::Material(m) => {
                refs.opt(RefField::IssuingAgency, Kind::Agency, &m.issuing_agency);
                refs.opt(RefField::TemplateOf, Kind::Material, &m.template_of);
            }
            Self::Form(f) => {
                refs.opt(RefField::Item, Kind::Item, &f.item);
                refs.opt(RefField::Material, Kind::Material, &f.material);
                for (s, i, field) in f.fields() {
                    if let Some(element) = &field.element {
                        refs.one(RefPath::form_field(s, i), Kind::Element, element);
                    }
                }
            }
            Self::Bundle(b) => {
                refs.opt(RefField::LeadAgency, Kind::Agency, &b.lead_agency);
                refs.list(RefField::Items, Kind::Item, &b.items);
                for item in b.item_when.keys() {
                    refs.one(RefPath::item_when(item), Kind::Item, item);
                }
                for (i, m) in b.materials.iter().enumerate() {
                    refs.one(
                        RefPath::bundle_material(i, RefField::Material),
                        Kind::Material,
                        &m.material,
                    );
                    refs.one(
                        RefPath::bundle_material(i, RefField::Item),
                        Kind::Item,
                        &m.item,
                    );
                }
                refs.opt(RefField::TemplateOf, Kind::Bundle, &b.template_of);
            }
        }
    }
}

/// Hands references to a callback.
struct Refs<F>(F);

impl<'a, F: FnMut(Reference<'a>)> Refs<F> {
    fn one(&mut self, path: RefPath, target: Kind, code: &'a str) {
        (self.0)(Reference { path, target, code });
    }

    fn opt(&mut self, field: RefField, target: Kind, code: &'a Option<impl AsRef<str>>) {
        if let Some(code) = code {
            self.one(RefPath::Field(field), target, code.as_ref());
        }
    }

    fn list(&mut self, field: RefField, target: Kind, codes: &'a [impl AsRef<str>]) {
        for (i, code) in codes.iter().enumerate() {
            self.one(RefPath::entry(field, i), target, code.as_ref());
        }
    }
}
