//! The deterministic sample catalog (`yibiao sample`): a province's worth of realistic
//! records to explore, demonstrate and benchmark with.
//!
//! At scale 1 it holds 四川省 with three cities (成都市, 绵阳市, 广安市) and ten counties
//! (real GB/T 2260 codes); about 45 agencies with valid unified social credit codes; about
//! 620 elements covering every element kind; about 300 items on all four levels and of all
//! eleven item types; about 230 materials of all five kinds; about 150 application forms
//! whose fields bind shared elements; and twelve bundles (我要开餐馆, 新生儿出生一件事, ...)
//! set in 广安区 with judgement questions, conditional items, general and special
//! materials and conditional form fields.
//!
//! `generate(n)` repeats the generated elements, the item families and their forms `n`
//! times (copies named `…（2）`, `…（3）`, ...); regions, agencies, materials and bundles
//! stay as at scale 1. The output depends only on `n`: every pseudo-random choice comes
//! from a fixed-seed [`fastrand::Rng`].
//!
//! # Planted problems
//!
//! Everything is clean (every invariant holds; a bound field's label is its element's
//! name; each form binds an element once; only published elements are bound) except these
//! deliberate problems, all in base forms of the 广安区 implementations, for the cleaning
//! tools to find:
//!
//! - legacy label variants on bound fields: 残疾人证申请表 labels 姓名 as 申请人姓名 and
//!   身份证号码 as 公民身份号码; 教师资格认定申请表 labels 移动电话 as 手机号码;
//! - exactly one unbound legacy field an element covers: 手机号码 (a synonym of 移动电话)
//!   on 户外招牌设施设置申请表, which binds 移动电话 already: form lint reports it as a likely
//!   duplicate of that field (疑似重复字段), and merging 我要开餐馆 names it as left out of
//!   the suggestions, since binding it would bind 移动电话 twice on one form;
//! - exactly one form binding one element twice: 临时救助申请审批表 binds 移动电话 also as
//!   备用联系电话;
//! - exactly one empty section: 其他需要说明的情况 on 养老机构备案书;
//! - exactly one field bound to an element that is not published: 社会保障卡邮寄地址 (a
//!   draft) on 社会保障卡申领登记表;
//! - exactly one condition naming a question no bundle of the form's item asks: the last
//!   field of 教师资格认定申请表 is shown only when `degree=bachelor`.
//!
//! `engine::lint::lint` finds exactly these (one warning per relabelled field, including
//! the second 移动电话 field, per unbound field, and one of each other kind).
//!
//! 模板库: two 广安区 implementations are claimed from templates (the 前锋区 implementation of
//! 户外招牌设施设置审批, the 锦江区 one of 公司设立登记), 营业执照 is a material template and
//! 我要开宾馆 was claimed from the 我要开餐馆 template (see `templates.rs`).
//!
//! Some generated elements that no form binds are submitted, returned or draft, and some
//! handling items are not published: that is ordinary workflow, not a problem.

mod bundles;
mod element_data;
mod elements;
mod families;
mod forms;
mod items;
mod materials;
mod options;
mod regions;
mod spec;
mod templates;
mod uscc;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use crate::model::{Catalog, Record};

use elements::Pool;
use forms::FormBuilder;
use items::Items;
use materials::Materials;
use regions::Places;

/// Items and forms stop growing at this scale (about 206,000 items and 100,000 forms), the
/// size of a province's catalog; elements go on growing (scale 1,623 ≈ 1,000,000 elements).
pub const MAX_ITEM_SCALE: u32 = 680;

/// Generates the sample catalog. scale 1 = the base dataset; scale N multiplies elements (~N
/// times) and items and forms (~N times up to [`MAX_ITEM_SCALE`]).
pub fn generate(scale: u32) -> Catalog {
    let scale = scale.max(1);
    let places = Places::new();
    let mut pool = Pool::new(&places);
    let materials = Materials::new(&places);
    let items = Items::new(&places, &materials, scale.min(MAX_ITEM_SCALE));
    let forms = FormBuilder {
        pool: &pool,
        materials: &materials,
        items: &items,
    }
    .build(&bundles::field_conditions(&items));
    let used: HashSet<&str> = forms
        .iter()
        .flat_map(|f| f.fields())
        .filter_map(|(_, _, field)| field.element.as_deref())
        .collect();
    pool.demote_unused(&used);
    let bundles = bundles::build(&items, &materials, &places);
    let records = places
        .regions
        .into_iter()
        .map(Record::Region)
        .chain(places.agencies.into_iter().map(Record::Agency))
        .chain(pool.into_elements(scale).into_iter().map(Record::Element))
        .chain(items.all.into_iter().map(Record::Item))
        .chain(materials.all.into_iter().map(Record::Material))
        .chain(forms.into_iter().map(Record::Form))
        .chain(bundles.into_iter().map(Record::Bundle));
    let mut catalog = Catalog::from_records(records);
    templates::plant(&mut catalog);
    catalog
}

/// Only the element pool, `scale` times, with the regions and agencies its elements
/// reference: search benchmarks at a million elements need no items or forms.
pub fn elements_only(scale: u32) -> Catalog {
    let places = Places::new();
    let pool = Pool::new(&places);
    let records = places
        .regions
        .into_iter()
        .map(Record::Region)
        .chain(places.agencies.into_iter().map(Record::Agency))
        .chain(
            pool.into_elements(scale.max(1))
                .into_iter()
                .map(Record::Element),
        );
    Catalog::from_records(records)
}
