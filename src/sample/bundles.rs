//! Bundles (主题 / 一件事) set in 广安区: their items, judgement questions, conditional
//! items, general and special materials, and the form-field conditions naming them.

use std::collections::HashMap;

use super::items::Items;
use super::materials::Materials;
use super::regions::{BUNDLE_COUNTY, Places};
use crate::model::{AnswerOption, Bundle, BundleMaterial, Origin, Question, Status, When};

/// A condition on one question: its key and the allowed option keys.
type Cond = (&'static str, &'static [&'static str]);

/// A judgement question bundles may ask.
struct QuestionSpec {
    key: &'static str,
    text: &'static str,
    options: &'static [(&'static str, &'static str)],
}

const YES_NO: &[(&str, &str)] = &[("yes", "是"), ("no", "否")];

/// A 是/否 question.
const fn yes_no(key: &'static str, text: &'static str) -> QuestionSpec {
    QuestionSpec {
        key,
        text,
        options: YES_NO,
    }
}

/// Every question, by key; a key means the same question in every bundle.
const QUESTIONS: &[QuestionSpec] = &[
    QuestionSpec {
        key: "area",
        text: "经营场所面积？",
        options: &[("lt500", "小于500平方米"), ("ge500", "500平方米及以上")],
    },
    yes_no("tobacco", "是否销售卷烟？"),
    yes_no("signboard", "是否设置户外招牌？"),
    QuestionSpec {
        key: "nature",
        text: "办学性质？",
        options: &[("nonprofit", "非营利性"), ("profit", "营利性")],
    },
    yes_no("canteen", "是否设置食堂？"),
    yes_no("device", "是否经营第二类医疗器械？"),
    yes_no("health_food", "是否销售保健食品等特殊食品？"),
    yes_no("medical", "是否开展医疗美容项目？"),
    yes_no("agent", "是否委托代理人办理？"),
    yes_no("pool", "是否设置游泳池？"),
    QuestionSpec {
        key: "hukou",
        text: "新生儿随父亲还是母亲落户？",
        options: &[("father", "随父亲落户"), ("mother", "随母亲落户")],
    },
    yes_no("sscard", "是否同时申领社会保障卡？"),
    yes_no("invoice", "是否申领发票？"),
    yes_no("employ", "是否招用员工？"),
    yes_no("food", "是否提供餐饮服务？"),
    yes_no("radiation", "是否开展放射诊疗？"),
    yes_no("drinks", "是否提供饮品服务？"),
];

/// A bundle: name, lead department, questions, items (sub-item keys, maybe conditional)
/// and special materials beyond the items' own.
struct BundleSpec {
    name: &'static str,
    lead: &'static str,
    questions: &'static [&'static str],
    items: &'static [(&'static str, Option<Cond>)],
    special: &'static [(&'static str, &'static str, Cond)],
    status: Status,
    origin: Origin,
}

/// A published, self-built bundle without special materials.
const fn bundle(
    name: &'static str,
    lead: &'static str,
    questions: &'static [&'static str],
    items: &'static [(&'static str, Option<Cond>)],
) -> BundleSpec {
    BundleSpec {
        name,
        lead,
        questions,
        items,
        special: &[],
        status: Status::Published,
        origin: Origin::SelfBuilt,
    }
}

impl BundleSpec {
    /// Sets the special materials: material name, sub-item key, condition.
    const fn special(self, special: &'static [(&'static str, &'static str, Cond)]) -> Self {
        Self { special, ..self }
    }

    /// Marks the bundle claimed from a template (认领).
    const fn claimed(self) -> Self {
        Self {
            origin: Origin::Claimed,
            ..self
        }
    }

    /// Leaves the bundle waiting for review (待审核).
    const fn submitted(self) -> Self {
        Self {
            status: Status::Submitted,
            ..self
        }
    }
}

const YES: &[&str] = &["yes"];
const LARGE: &[&str] = &["ge500"];

/// Every bundle, in code order.
const BUNDLES: &[BundleSpec] = &[
    bundle(
        "我要开餐馆",
        "spj",
        &["area", "tobacco", "signboard"],
        &[
            ("qysl", None),
            ("spjy", None),
            ("psxk", None),
            ("xfjc", Some(("area", LARGE))),
            ("yccm", Some(("tobacco", YES))),
            ("hwzp", Some(("signboard", YES))),
        ],
    )
    .special(&[("排水水质检测报告", "psxk", ("area", LARGE))]),
    bundle(
        "我要开超市",
        "spj",
        &["area", "tobacco"],
        &[
            ("qysl", None),
            ("spjy", None),
            ("xfjc", Some(("area", LARGE))),
            ("yccm", Some(("tobacco", YES))),
        ],
    )
    .special(&[("消防安全评估报告", "xfjc", ("area", LARGE))]),
    bundle(
        "我要开幼儿园",
        "jy",
        &["nature", "canteen"],
        &[
            ("myey", None),
            ("mfcl", Some(("nature", &["nonprofit"]))),
            ("qysl", Some(("nature", &["profit"]))),
            ("spjy", Some(("canteen", YES))),
            ("xfjc", None),
        ],
    )
    .special(&[("验资报告", "myey", ("nature", &["profit"]))]),
    bundle(
        "我要开药店",
        "scjg",
        &["device", "health_food"],
        &[
            ("qysl", None),
            ("ypls", None),
            ("ylqx", Some(("device", YES))),
            ("spjy", Some(("health_food", YES))),
        ],
    ),
    bundle(
        "我要开美容店",
        "spj",
        &["medical", "signboard"],
        &[
            ("qysl", None),
            ("ggws", None),
            ("yljg", Some(("medical", YES))),
            ("hwzp", Some(("signboard", YES))),
        ],
    ),
    bundle(
        "我要开网吧",
        "wl",
        &["signboard", "agent"],
        &[
            ("qysl", None),
            ("wbsp", None),
            ("xfjc", None),
            ("hwzp", Some(("signboard", YES))),
        ],
    )
    .special(&[("授权委托书", "wbsp", ("agent", YES))]),
    bundle(
        "我要办健身房",
        "spj",
        &["pool", "area"],
        &[
            ("qysl", None),
            ("gwty", Some(("pool", YES))),
            ("ggws", Some(("pool", YES))),
            ("xfjc", Some(("area", LARGE))),
        ],
    ),
    bundle(
        "新生儿出生一件事",
        "wjw",
        &["hukou", "sscard"],
        &[
            ("csyx", None),
            ("yfjz", None),
            ("csdj", None),
            ("jmyb", None),
            ("sbk", Some(("sscard", YES))),
        ],
    )
    .claimed(),
    bundle(
        "企业开办一件事",
        "spj",
        &["invoice", "employ"],
        &[
            ("qysl", None),
            ("gzkz", None),
            ("fply", Some(("invoice", YES))),
            ("dwcb", Some(("employ", YES))),
            ("gjjdj", Some(("employ", YES))),
        ],
    )
    .claimed(),
    bundle(
        "我要开宾馆",
        "ga",
        &["food", "tobacco"],
        &[
            ("qysl", None),
            ("lgtx", None),
            ("ggws", None),
            ("xfjc", None),
            ("spjy", Some(("food", YES))),
            ("yccm", Some(("tobacco", YES))),
        ],
    ),
    bundle(
        "我要开诊所",
        "wjw",
        &["radiation", "signboard"],
        &[
            ("qysl", None),
            ("zsba", None),
            ("fszl", Some(("radiation", YES))),
            ("hwzp", Some(("signboard", YES))),
        ],
    ),
    bundle(
        "我要开书店",
        "wl",
        &["drinks", "signboard"],
        &[
            ("qysl", None),
            ("cbwl", None),
            ("spjy", Some(("drinks", YES))),
            ("hwzp", Some(("signboard", YES))),
        ],
    )
    .submitted(),
];

/// Form fields shown only under some answers: sub-item key, element name, condition.
/// Each names questions every bundle containing that item asks.
const FIELD_CONDITIONS: &[(&str, &str, Cond)] = &[
    ("myey", "注册资本", ("nature", &["profit"])),
    ("lgtx", "餐饮服务区域面积", ("food", YES)),
    ("wbsp", "委托代理人姓名", ("agent", YES)),
    ("wbsp", "委托代理人身份证号码", ("agent", YES)),
    ("zsba", "放射诊疗项目", ("radiation", YES)),
    ("csdj", "父亲户籍地址", ("hukou", &["father"])),
    ("csdj", "母亲户籍地址", ("hukou", &["mother"])),
];

/// The condition `question ∈ options`.
fn when((question, options): Cond) -> When {
    [(
        question.to_string(),
        options.iter().map(|o| o.to_string()).collect(),
    )]
    .into()
}

/// Field conditions by the item code of the bundles' implementation: element name, when.
pub(super) fn field_conditions(items: &Items) -> HashMap<String, Vec<(&'static str, When)>> {
    let mut out: HashMap<String, Vec<(&'static str, When)>> = HashMap::new();
    for &(key, element, cond) in FIELD_CONDITIONS {
        if let Some(code) = items.pick(key).and_then(|i| items.code(i.item)) {
            out.entry(code.to_string())
                .or_default()
                .push((element, when(cond)));
        }
    }
    out
}

/// Builds every bundle.
pub(super) fn build(items: &Items, materials: &Materials, places: &Places) -> Vec<Bundle> {
    BUNDLES
        .iter()
        .enumerate()
        .map(|(n, spec)| {
            let mut bundle = Bundle {
                code: format!("ZT{:03}", n + 1).into(),
                name: spec.name.into(),
                lead_agency: places.agency(spec.lead, BUNDLE_COUNTY).map(Into::into),
                items: Vec::new(),
                questions: questions(spec),
                item_when: Default::default(),
                materials: Vec::new(),
                status: spec.status,
                version: u32::from(spec.status == Status::Published),
                origin: spec.origin,
                template: false,
                template_of: None,
            };
            fill(&mut bundle, spec, items, materials);
            bundle
        })
        .collect()
}

/// The bundle's questions, in its order.
fn questions(spec: &BundleSpec) -> Vec<Question> {
    spec.questions
        .iter()
        .filter_map(|key| QUESTIONS.iter().find(|q| q.key == *key))
        .map(|q| Question {
            key: q.key.into(),
            text: q.text.into(),
            options: q
                .options
                .iter()
                .map(|&(key, text)| AnswerOption {
                    key: key.into(),
                    text: text.into(),
                })
                .collect(),
        })
        .collect()
}

/// Adds the items, their conditions and the material rows: every required material of
/// every item (special when the item is conditional), then the special materials.
fn fill(bundle: &mut Bundle, spec: &BundleSpec, items: &Items, materials: &Materials) {
    for &(key, cond) in spec.items {
        let Some(item) = items.pick(key).and_then(|i| items.all.get(i.item)) else {
            continue;
        };
        let condition = cond.map(when);
        bundle.items.push(item.code.to_string());
        if let Some(c) = &condition {
            bundle.item_when.insert(item.code.to_string(), c.clone());
        }
        for material in item.materials.iter().filter(|m| materials.required(m)) {
            bundle.materials.push(BundleMaterial {
                material: material.to_string(),
                item: item.code.to_string(),
                when: condition.clone(),
            });
        }
    }
    for &(name, key, cond) in spec.special {
        let item = items.pick(key).and_then(|i| items.code(i.item));
        if let (Some(material), Some(item)) = (materials.code(name), item) {
            bundle.materials.push(BundleMaterial {
                material: material.into(),
                item: item.into(),
                when: Some(when(cond)),
            });
        }
    }
}
