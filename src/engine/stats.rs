//! Catalog statistics.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Catalog, Kind};

/// Counts over the catalog; the first seven keys are the record counts per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// 行政区划.
    pub regions: usize,
    /// 实施主体.
    pub agencies: usize,
    /// 数据元.
    pub elements: usize,
    /// 事项.
    pub items: usize,
    /// 材料.
    pub materials: usize,
    /// 申请表.
    pub forms: usize,
    /// 主题.
    pub bundles: usize,
    /// Form fields over all forms.
    pub fields: usize,
    /// Form fields bound to no element.
    pub unbound_fields: usize,
    /// Items per level (`main`, `sub`, `impl`, `handling`).
    pub items_by_level: BTreeMap<&'static str, usize>,
    /// Items per type code (`01` … `20`).
    pub items_by_type: BTreeMap<&'static str, usize>,
    /// Elements per kind.
    pub elements_by_kind: BTreeMap<&'static str, usize>,
}

/// Computes the statistics.
pub fn stats(catalog: &Catalog) -> Stats {
    let mut s = Stats {
        regions: catalog.count(Kind::Region),
        agencies: catalog.count(Kind::Agency),
        elements: catalog.count(Kind::Element),
        items: catalog.count(Kind::Item),
        materials: catalog.count(Kind::Material),
        forms: catalog.count(Kind::Form),
        bundles: catalog.count(Kind::Bundle),
        ..Stats::default()
    };
    for form in catalog.forms.values() {
        for (_, _, field) in form.fields() {
            s.fields += 1;
            if field.element.is_none() {
                s.unbound_fields += 1;
            }
        }
    }
    for item in catalog.items.values() {
        *s.items_by_level.entry(item.level.as_str()).or_default() += 1;
        *s.items_by_type.entry(item.item_type.code()).or_default() += 1;
    }
    for element in catalog.elements.values() {
        *s.elements_by_kind.entry(element.kind.as_str()).or_default() += 1;
    }
    s
}
