//! 模板库 in the sample: a few records flagged as templates and entries claimed from them, so
//! `template compare` has differences to show: the 广安区 forms carry the planted legacy
//! fields, time limits differ by region, 我要开宾馆 departs from 我要开餐馆, and the template of
//! 公司设立登记 was revised after it was claimed (it asks for 营业执照, makes 电子邮箱 required
//! and asks 总投资, a number, where the claimed form asks 出资日期, a date).

use crate::model::{Catalog, Form, Origin, Record};

/// Sub-items whose 前锋区 (or 锦江区) implementation is the template of the 广安区 one.
const ITEM_TEMPLATES: [(&str, &str); 2] = [
    // 户外招牌设施设置审批: 广安区 adds an unbound 手机号码 field
    ("0100006001", "511603"),
    // 公司设立登记
    ("0100001001", "510104"),
];

/// The 广安区 implementations claim from templates.
const CLAIMING_REGION: &str = "511602";

/// The implementation of `sub` in `region`.
fn impl_of(catalog: &Catalog, sub: &str, region: &str) -> Option<String> {
    catalog
        .items
        .values()
        .find(|i| i.parent.as_deref() == Some(sub) && i.region.as_deref() == Some(region))
        .map(|i| i.code.to_string())
}

/// The revision of the 公司设立登记 template's form (see the module doc).
fn revise(form: &Form) -> Form {
    let mut form = form.clone();
    for field in form.sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        match field.element.as_deref() {
            Some("DE000008") => field.required = true,
            Some("DE000045") => {
                field.element = Some("DE000127".into());
                field.label = "总投资".into();
            }
            _ => {}
        }
    }
    form
}

/// Flags the templates and links the claimed entries.
pub(super) fn plant(catalog: &mut Catalog) {
    let mut changed = Vec::new();
    for (sub, region) in ITEM_TEMPLATES {
        let (Some(template), Some(entry)) = (
            impl_of(catalog, sub, region),
            impl_of(catalog, sub, CLAIMING_REGION),
        ) else {
            continue;
        };
        if let (Some(t), Some(e)) = (
            catalog.items.get(template.as_str()),
            catalog.items.get(entry.as_str()),
        ) {
            let mut t = t.clone();
            t.template = true;
            if sub == "0100001001" {
                t.materials.push("CL000001".into());
                let forms = catalog.forms.values();
                changed.extend(
                    forms
                        .filter(|f| f.item.as_deref() == Some(template.as_str()))
                        .map(|f| Record::Form(revise(f))),
                );
            }
            let mut e = e.clone();
            e.origin = Origin::Claimed;
            e.template_of = Some(template.into());
            changed.extend([Record::Item(t), Record::Item(e)]);
        }
    }
    // 营业执照 is the material template
    if let Some(m) = catalog.materials.get("CL000001") {
        let mut m = m.clone();
        m.template = true;
        changed.push(Record::Material(m));
    }
    // 我要开宾馆 was claimed from the 我要开餐馆 template
    if let (Some(t), Some(e)) = (catalog.bundles.get("ZT001"), catalog.bundles.get("ZT010")) {
        let mut t = t.clone();
        t.template = true;
        let mut e = e.clone();
        e.origin = Origin::Claimed;
        e.template_of = Some(t.code.to_string());
        changed.extend([Record::Bundle(t), Record::Bundle(e)]);
    }
    for record in changed {
        catalog.insert(record);
    }
}
