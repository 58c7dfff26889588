//! The item families of the sample: a main item (主项) with its sub-items (子项), where
//! they are implemented, their handling variants (办理项), application forms and materials.
//! Names and bases follow the published catalogs of 四川省 (广安区 in particular).

use crate::model::ItemType::{
    Adjudication, Benefit, Confirmation, Enforcement, Inspection, Levy, Licensing, OtherPower,
    Penalty, PublicService, Reward,
};
use crate::model::RegionLevel::{City, County, Province};
use crate::model::{ItemType, RegionLevel};

/// Who fills in a form, deciding its standard first section and the identity material.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Subject {
    /// A registered enterprise: 申请人信息 with 企业名称, 统一社会信用代码 ...; 营业执照.
    Enterprise,
    /// A person: 申请人信息 with 姓名, 身份证号码 ...; 居民身份证.
    Person,
    /// The form lists every section itself.
    Own,
}

/// A titled section: its title and the names of the elements its fields bind.
pub(super) type SectionSpec = (&'static str, &'static [&'static str]);

/// An application form of a sub-item.
#[derive(Clone, Copy)]
pub(super) struct FormSpec {
    /// Form (and form material) name.
    pub name: &'static str,
    /// Who fills it in.
    pub subject: Subject,
    /// Whether the standard 经营场所信息 section follows the applicant's.
    pub place: bool,
    /// The form's own sections.
    pub sections: &'static [SectionSpec],
}

/// A form without the standard 经营场所信息 section.
const fn form(name: &'static str, subject: Subject, sections: &'static [SectionSpec]) -> FormSpec {
    FormSpec {
        name,
        subject,
        place: false,
        sections,
    }
}

impl FormSpec {
    /// Who fills in the handling forms (变更, 延续, 注销) of the sub-item: the same
    /// subject, an enterprise where the form lists its own sections.
    pub fn handling_subject(&self) -> Subject {
        match self.subject {
            Subject::Own => Subject::Enterprise,
            other => other,
        }
    }

    /// Adds the standard 经营场所信息 section.
    const fn place(self) -> Self {
        Self {
            place: true,
            ..self
        }
    }
}

/// A sub-item (子项) and how it is implemented.
pub(super) struct Sub {
    /// Key other tables name it by (bundles, dependencies, planted problems).
    pub key: &'static str,
    /// Item name.
    pub name: &'static str,
    /// Short name for handling forms (`{short}变更申请表`).
    pub short: &'static str,
    /// Levels it is implemented at; empty = the family's.
    pub levels: &'static [RegionLevel],
    /// Departments that may implement it, by preference; empty = the family's.
    pub depts: &'static [&'static str],
    /// Handling variants (办理项) of every implementation.
    pub handlings: &'static [&'static str],
    /// The application form, if the item has one.
    pub form: Option<FormSpec>,
    /// Material names besides the form and the identity material.
    pub materials: &'static [&'static str],
}

/// A sub-item implemented where its family is, without handlings, form or materials.
const fn sub(key: &'static str, name: &'static str, short: &'static str) -> Sub {
    Sub {
        key,
        name,
        short,
        levels: &[],
        depts: &[],
        handlings: &[],
        form: None,
        materials: &[],
    }
}

impl Sub {
    /// Sets the application form.
    const fn form(self, form: FormSpec) -> Self {
        Self {
            form: Some(form),
            ..self
        }
    }

    /// Sets the handling variants.
    const fn handlings(self, handlings: &'static [&'static str]) -> Self {
        Self { handlings, ..self }
    }

    /// Sets the materials besides the form and the identity material.
    const fn materials(self, materials: &'static [&'static str]) -> Self {
        Self { materials, ..self }
    }

    /// Sets where it is implemented: levels and departments by preference.
    const fn at(self, levels: &'static [RegionLevel], depts: &'static [&'static str]) -> Self {
        Self {
            levels,
            depts,
            ..self
        }
    }

    /// The handling variants that have a form of their own, with the form's name and section.
    pub fn handling_forms(&self) -> impl Iterator<Item = (&'static str, String, SectionSpec)> + '_ {
        let has_form = self.form.is_some();
        self.handlings.iter().filter_map(move |&h| {
            let (_, section) = HANDLING_FORMS.iter().find(|(k, _)| *k == h)?;
            has_form.then(|| (h, format!("{}{h}申请表", self.short), *section))
        })
    }
}

/// A main item (主项) and its sub-items.
pub(super) struct Family {
    /// Main item name.
    pub name: &'static str,
    /// 事项类型 of the main item and everything under it.
    pub item_type: ItemType,
    /// 设定依据.
    pub basis: &'static str,
    /// 法定时限 in working days (≥ 2, so the promised time can be shorter).
    pub legal_days: u32,
    /// Default implementation levels.
    pub levels: &'static [RegionLevel],
    /// Default implementing departments, by preference.
    pub depts: &'static [&'static str],
    /// Keys of sub-items (of earlier families) whose result the implementations need.
    pub depends: &'static [&'static str],
    /// 收费.
    pub fee: &'static str,
    /// Sub-items.
    pub subs: &'static [Sub],
}

/// A county-level, free family without dependencies.
const fn family(
    name: &'static str,
    item_type: ItemType,
    basis: &'static str,
    legal_days: u32,
    subs: &'static [Sub],
) -> Family {
    Family {
        name,
        item_type,
        basis,
        legal_days,
        levels: COUNTY,
        depts: &[],
        depends: &[],
        fee: "不收费",
        subs,
    }
}

impl Family {
    /// Sets where it is implemented: levels and departments by preference.
    const fn at(self, levels: &'static [RegionLevel], depts: &'static [&'static str]) -> Self {
        Self {
            levels,
            depts,
            ..self
        }
    }

    /// Sets the sub-items (of earlier families) the implementations need.
    const fn depends(self, depends: &'static [&'static str]) -> Self {
        Self { depends, ..self }
    }

    /// Sets the fee.
    const fn fee(self, fee: &'static str) -> Self {
        Self { fee, ..self }
    }
}

const PROVINCE: &[RegionLevel] = &[Province];
const CITY: &[RegionLevel] = &[City];
const COUNTY: &[RegionLevel] = &[County];
const CITY_COUNTY: &[RegionLevel] = &[City, County];

/// Handling variants with a form of their own, and that form's section.
const HANDLING_FORMS: &[(&str, SectionSpec)] = &[
    (
        "变更",
        (
            "变更信息",
            &["原许可证编号", "变更事项", "变更前内容", "变更后内容"],
        ),
    ),
    (
        "延续",
        ("延续信息", &["原许可证编号", "有效期限", "延续理由"]),
    ),
    ("注销", ("注销信息", &["原许可证编号", "注销原因"])),
];

/// Departments that implement most licences at county level (相对集中行政许可).
const APPROVAL_OR_MARKET: &[&str] = &["spj", "scjg"];

/// Every family; a family depends only on sub-items of families before it.
pub(super) const FAMILIES: &[Family] = &[
    family(
        "企业设立、变更、注销登记",
        Licensing,
        "《中华人民共和国市场主体登记管理条例》第三条",
        3,
        &[
            sub("qysl", "公司设立登记", "公司设立登记")
                .form(form(
                    "公司登记（备案）申请书",
                    Subject::Own,
                    &[
                        (
                            "企业基本信息",
                            &[
                                "企业名称",
                                "企业类型",
                                "地址",
                                "所在地区",
                                "注册资本",
                                "营业期限",
                                "经营范围",
                                "从业人员数",
                                "经营类别",
                            ],
                        ),
                        (
                            "法定代表人信息",
                            &[
                                "法定代表人姓名",
                                "法定代表人身份证号码",
                                "移动电话",
                                "电子邮箱",
                            ],
                        ),
                        (
                            "股东（发起人）出资信息",
                            &[
                                "股东姓名",
                                "股东身份证号码",
                                "认缴出资额",
                                "出资方式",
                                "出资日期",
                            ],
                        ),
                        (
                            "企业联络员信息",
                            &[
                                "企业联络员姓名",
                                "企业联络员身份证号码",
                                "企业联络员移动电话",
                            ],
                        ),
                    ],
                ))
                .materials(&[
                    "居民身份证",
                    "公司章程",
                    "股东会决议",
                    "法定代表人任职文件",
                    "住所（经营场所）使用证明",
                ]),
            sub("gtsl", "个体工商户设立登记", "个体工商户设立登记")
                .form(form(
                    "个体工商户登记（备案）申请书",
                    Subject::Person,
                    &[(
                        "个体工商户信息",
                        &[
                            "个体工商户名称",
                            "经营场所地址",
                            "所在地区",
                            "经营范围",
                            "资金数额",
                            "从业人员数",
                        ],
                    )],
                ))
                .materials(&["住所（经营场所）使用证明"]),
            sub("qybg", "公司变更登记", "公司变更登记")
                .form(form(
                    "公司变更登记（备案）申请书",
                    Subject::Enterprise,
                    &[("变更信息", &["变更事项", "变更前内容", "变更后内容"])],
                ))
                .materials(&["变更决议", "公司章程修正案"]),
            sub("qyzx", "公司注销登记", "公司注销登记")
                .form(form(
                    "公司注销登记申请书",
                    Subject::Enterprise,
                    &[("注销信息", &["注销原因", "负责人姓名", "负责人移动电话"])],
                ))
                .materials(&["清算报告", "注销决议"]),
        ],
    )
    .at(COUNTY, APPROVAL_OR_MARKET),
    family(
        "食品经营许可",
        Licensing,
        "《中华人民共和国食品安全法》第三十五条",
        20,
        &[sub("spjy", "食品经营许可证核发", "食品经营许可证")
            .handlings(&["新办", "变更", "延续", "注销"])
            .form(
                form(
                    "食品经营许可申请书",
                    Subject::Enterprise,
                    &[(
                        "经营信息",
                        &[
                            "主体业态",
                            "经营项目",
                            "食品安全管理人员姓名",
                            "食品安全管理人员身份证号码",
                            "从业人员数",
                            "是否网络经营",
                            "网址",
                        ],
                    )],
                )
                .place(),
            )
            .materials(&[
                "经营场所平面图",
                "设施设备布局图",
                "食品安全管理制度",
                "主要设备设施清单",
                "食品经营许可告知承诺书",
            ])],
    )
    .at(COUNTY, APPROVAL_OR_MARKET)
    .depends(&["qysl"]),
    family(
        "公共场所卫生许可",
        Licensing,
        "《公共场所卫生管理条例》第八条",
        20,
        &[sub("ggws", "公共场所卫生许可证核发", "公共场所卫生许可证")
            .handlings(&["新办", "变更", "延续"])
            .form(
                form(
                    "公共场所卫生许可申请表",
                    Subject::Enterprise,
                    &[(
                        "卫生管理信息",
                        &[
                            "公共场所类别",
                            "建筑面积",
                            "从业人员数",
                            "是否使用集中空调通风系统",
                            "负责人姓名",
                            "负责人移动电话",
                        ],
                    )],
                )
                .place(),
            )
            .materials(&[
                "公共场所卫生检测报告",
                "从业人员健康证明",
                "卫生管理制度",
                "场所平面布置图",
            ])],
    )
    .at(COUNTY, &["spj", "wjw"])
    .depends(&["qysl"]),
    family(
        "公众聚集场所投入使用、营业前消防安全检查",
        Licensing,
        "《中华人民共和国消防法》第十五条",
        10,
        &[sub(
            "xfjc",
            "公众聚集场所投入使用、营业前消防安全检查",
            "公众聚集场所消防安全检查",
        )
        .form(
            form(
                "公众聚集场所投入使用、营业前消防安全检查申报表",
                Subject::Enterprise,
                &[(
                    "场所消防安全信息",
                    &[
                        "场所名称",
                        "建筑面积",
                        "使用楼层",
                        "安全出口数量",
                        "是否设置自动消防设施",
                        "消防安全责任人姓名",
                        "消防安全责任人身份证号码",
                        "消防安全管理人姓名",
                        "消防安全管理人移动电话",
                    ],
                )],
            )
            .place(),
        )
        .materials(&[
            "消防安全制度",
            "灭火和应急疏散预案",
            "场所平面布置图",
            "消防设施检测报告",
            "公众聚集场所消防安全检查告知承诺书",
        ])],
    )
    .at(CITY_COUNTY, &["xf"]),
    family(
        "烟草专卖零售许可",
        Licensing,
        "《中华人民共和国烟草专卖法》第十六条",
        20,
        &[sub("yccm", "烟草专卖零售许可证核发", "烟草专卖零售许可证")
            .handlings(&["新办", "变更", "延续", "停业", "歇业", "恢复营业"])
            .form(
                form(
                    "烟草专卖零售许可证申请表",
                    Subject::Enterprise,
                    &[("零售点信息", &["卷烟零售点类型", "与最近卷烟零售点距离"])],
                )
                .place(),
            )
            .materials(&["经营场所照片", "烟草专卖零售许可告知承诺书"])],
    )
    .at(COUNTY, &["yc"])
    .depends(&["qysl"]),
    family(
        "城市户外广告及招牌设施设置审批",
        Licensing,
        "《城市市容和环境卫生管理条例》第十一条",
        20,
        &[sub("hwzp", "户外招牌设施设置审批", "户外招牌设施设置")
            .form(form(
                "户外招牌设施设置申请表",
                Subject::Enterprise,
                &[(
                    "招牌信息",
                    &[
                        "经营场所地址",
                        "招牌类型",
                        "招牌设置位置",
                        "招牌面积",
                        "招牌设置期限",
                    ],
                )],
            ))
            .materials(&["招牌设计效果图", "招牌安全承诺书", "经营场所照片"])],
    )
    .at(COUNTY, &["spj", "zj"]),
    family(
        "城镇污水排入排水管网许可",
        Licensing,
        "《城镇排水与污水处理条例》第二十一条",
        20,
        &[sub("psxk", "城镇污水排入排水管网许可证核发", "排水许可证")
            .handlings(&["新办", "变更", "延续"])
            .form(
                form(
                    "城镇污水排入排水管网许可申请表",
                    Subject::Enterprise,
                    &[(
                        "排水信息",
                        &["排水户类型", "日排水量", "预处理设施", "排水口数量"],
                    )],
                )
                .place(),
            )
            .materials(&["排水设施竣工图", "排水水质检测报告", "排水许可告知承诺书"])],
    )
    .at(COUNTY, &["spj", "zj"])
    .depends(&["qysl"]),
    family(
        "药品经营许可",
        Licensing,
        "《中华人民共和国药品管理法》第五十一条",
        30,
        &[
            sub("ypls", "药品零售企业经营许可证核发", "药品经营许可证")
                .handlings(&["新办", "变更", "换证"])
                .form(
                    form(
                        "药品零售企业经营许可申请表",
                        Subject::Enterprise,
                        &[(
                            "质量管理信息",
                            &[
                                "药品经营方式",
                                "药品经营范围",
                                "质量负责人姓名",
                                "质量负责人身份证号码",
                                "质量负责人学历",
                                "执业药师人数",
                            ],
                        )],
                    )
                    .place(),
                )
                .materials(&[
                    "执业药师注册证",
                    "药品质量管理文件",
                    "经营场所平面图",
                    "主要设备设施清单",
                ]),
            sub(
                "yppf",
                "药品批发企业经营许可证核发",
                "药品批发企业经营许可证",
            )
            .at(PROVINCE, &["yj"])
            .form(form(
                "药品批发企业经营许可申请表",
                Subject::Enterprise,
                &[
                    (
                        "质量管理信息",
                        &[
                            "药品经营范围",
                            "质量负责人姓名",
                            "质量负责人身份证号码",
                            "质量负责人学历",
                            "执业药师人数",
                        ],
                    ),
                    ("仓储信息", &["仓储场所地址", "仓储场所面积"]),
                ],
            ))
            .materials(&[
                "执业药师注册证",
                "药品质量管理文件",
                "组织机构与部门设置说明",
            ]),
        ],
    )
    .at(COUNTY, APPROVAL_OR_MARKET)
    .depends(&["qysl"]),
    family(
        "第二类医疗器械经营备案",
        OtherPower,
        "《医疗器械监督管理条例》第四十一条",
        5,
        &[
            sub("ylqx", "第二类医疗器械经营备案", "第二类医疗器械经营备案")
                .form(
                    form(
                        "第二类医疗器械经营备案表",
                        Subject::Enterprise,
                        &[(
                            "经营信息",
                            &[
                                "医疗器械经营范围",
                                "质量负责人姓名",
                                "质量负责人身份证号码",
                                "仓储场所地址",
                            ],
                        )],
                    )
                    .place(),
                )
                .materials(&["经营场所平面图", "医疗器械质量管理制度"]),
        ],
    )
    .at(COUNTY, &["scjg"])
    .depends(&["qysl"]),
    family(
        "民办学校设立、变更和终止审批",
        Licensing,
        "《中华人民共和国民办教育促进法》第十二条",
        60,
        &[
            sub("myey", "民办幼儿园办学许可", "民办幼儿园办学许可")
                .form(form(
                    "民办幼儿园设立申请表",
                    Subject::Enterprise,
                    &[
                        (
                            "办学信息",
                            &[
                                "拟设立学校名称",
                                "办学类型",
                                "办学场所地址",
                                "办学场所面积",
                                "招生规模",
                                "开办资金",
                                "注册资本",
                            ],
                        ),
                        (
                            "园长信息",
                            &["园长姓名", "园长身份证号码", "园长学历", "园长移动电话"],
                        ),
                    ],
                ))
                .materials(&["办学章程", "资产证明", "教职工名册", "房屋租赁合同"]),
            sub(
                "mbpx",
                "民办文化教育培训机构办学许可",
                "民办培训机构办学许可",
            )
            .form(form(
                "民办培训学校设立申请表",
                Subject::Enterprise,
                &[
                    (
                        "办学信息",
                        &[
                            "拟设立学校名称",
                            "办学类型",
                            "办学场所地址",
                            "办学场所面积",
                            "招生规模",
                            "开办资金",
                        ],
                    ),
                    (
                        "校长（负责人）信息",
                        &[
                            "负责人姓名",
                            "负责人身份证号码",
                            "负责人学历",
                            "负责人移动电话",
                        ],
                    ),
                ],
            ))
            .materials(&["办学章程", "资产证明", "教职工名册", "房屋租赁合同"]),
        ],
    )
    .at(COUNTY, &["spj", "jy"]),
    family(
        "民办非企业单位成立、变更、注销登记",
        Licensing,
        "《民办非企业单位登记管理暂行条例》第三条",
        30,
        &[
            sub("mfcl", "民办非企业单位成立登记", "民办非企业单位成立登记")
                .form(form(
                    "民办非企业单位（法人）登记申请表",
                    Subject::Own,
                    &[
                        (
                            "单位基本信息",
                            &[
                                "申请单位名称",
                                "申请单位住所",
                                "开办资金",
                                "业务范围",
                                "主管单位名称",
                                "从业人员数",
                            ],
                        ),
                        (
                            "法定代表人信息",
                            &["法定代表人姓名", "法定代表人身份证号码", "移动电话"],
                        ),
                    ],
                ))
                .materials(&[
                    "居民身份证",
                    "章程草案",
                    "验资报告",
                    "业务主管单位批准文件",
                    "住所（经营场所）使用证明",
                ]),
        ],
    )
    .at(COUNTY, &["spj", "mz"]),
    family(
        "互联网上网服务营业场所经营单位设立审批",
        Licensing,
        "《互联网上网服务营业场所管理条例》第十条",
        20,
        &[sub(
            "wbsp",
            "互联网上网服务营业场所经营单位设立审批",
            "网络文化经营许可证",
        )
        .form(
            form(
                "互联网上网服务营业场所经营单位设立申请表",
                Subject::Enterprise,
                &[
                    (
                        "场所信息",
                        &[
                            "上网终端数量",
                            "安全保卫负责人姓名",
                            "安全保卫负责人移动电话",
                        ],
                    ),
                    ("委托代理信息", &["委托代理人姓名", "委托代理人身份证号码"]),
                ],
            )
            .place(),
        )
        .materials(&["网络安全技术措施说明", "场所平面布置图", "房屋租赁合同"])],
    )
    .at(COUNTY, &["spj", "wl"])
    .depends(&["qysl"]),
    family(
        "经营高危险性体育项目许可",
        Licensing,
        "《全民健身条例》第三十二条",
        30,
        &[sub(
            "gwty",
            "经营高危险性体育项目许可",
            "高危险性体育项目经营许可证",
        )
        .form(
            form(
                "经营高危险性体育项目许可申请表",
                Subject::Enterprise,
                &[(
                    "项目信息",
                    &[
                        "高危险性体育项目",
                        "社会体育指导人员数量",
                        "救生人员数量",
                        "游泳池水面面积",
                    ],
                )],
            )
            .place(),
        )
        .materials(&[
            "社会体育指导员证书",
            "救生员证书",
            "体育设施设备清单",
            "安全保障制度",
        ])],
    )
    .at(COUNTY, &["spj", "jy"])
    .depends(&["qysl"]),
    family(
        "旅馆业特种行业许可证核发",
        Licensing,
        "《旅馆业治安管理办法》第四条",
        20,
        &[sub("lgtx", "旅馆业特种行业许可证核发", "特种行业许可证")
            .handlings(&["新办", "变更", "注销"])
            .form(
                form(
                    "旅馆业特种行业许可证申请登记表",
                    Subject::Enterprise,
                    &[
                        ("旅馆信息", &["客房数", "床位数", "餐饮服务区域面积"]),
                        (
                            "治安保卫负责人信息",
                            &[
                                "安全保卫负责人姓名",
                                "安全保卫负责人身份证号码",
                                "安全保卫负责人移动电话",
                            ],
                        ),
                    ],
                )
                .place(),
            )
            .materials(&[
                "治安保卫制度",
                "旅馆平面图",
                "公众聚集场所投入使用、营业消防安全检查合格证",
            ])],
    )
    .at(COUNTY, &["ga"])
    .depends(&["qysl", "xfjc"]),
    family(
        "医疗机构执业登记",
        Licensing,
        "《医疗机构管理条例》第十五条",
        45,
        &[sub("yljg", "医疗机构执业登记", "医疗机构执业许可证")
            .handlings(&["新办", "变更", "校验"])
            .form(
                form(
                    "医疗机构执业登记申请书",
                    Subject::Enterprise,
                    &[
                        ("机构信息", &["医疗机构名称", "诊疗科目", "床位数"]),
                        (
                            "执业人员信息",
                            &["执业医师姓名", "执业医师身份证号码", "医师执业证书编码"],
                        ),
                    ],
                )
                .place(),
            )
            .materials(&[
                "设置医疗机构批准书",
                "医疗机构规章制度",
                "医疗设备清单",
                "执业人员名册",
                "医师资格证书",
            ])],
    )
    .at(COUNTY, &["spj", "wjw"]),
    family(
        "诊所备案",
        OtherPower,
        "《医疗机构管理条例》第十五条",
        5,
        &[sub("zsba", "诊所执业备案", "诊所备案")
            .form(
                form(
                    "诊所备案信息表",
                    Subject::Enterprise,
                    &[
                        ("诊所信息", &["医疗机构名称", "诊疗科目", "放射诊疗项目"]),
                        (
                            "执业人员信息",
                            &["执业医师姓名", "执业医师身份证号码", "医师执业证书编码"],
                        ),
                    ],
                )
                .place(),
            )
            .materials(&[
                "医疗机构规章制度",
                "医疗设备清单",
                "执业人员名册",
                "医师执业证书",
            ])],
    )
    .at(COUNTY, &["wjw"]),
    family(
        "放射诊疗许可",
        Licensing,
        "《放射诊疗管理规定》第十一条",
        20,
        &[sub("fszl", "放射诊疗许可证核发", "放射诊疗许可证")
            .form(form(
                "放射诊疗许可申请表",
                Subject::Enterprise,
                &[(
                    "放射诊疗信息",
                    &["放射诊疗项目", "放射诊疗设备名称", "放射工作人员数"],
                )],
            ))
            .materials(&[
                "放射诊疗建设项目卫生审查意见",
                "辐射防护检测报告",
                "放射工作人员职业健康检查报告",
            ])],
    )
    .at(COUNTY, &["wjw"])
    .depends(&["zsba"]),
    family(
        "出版物零售业务经营许可",
        Licensing,
        "《出版管理条例》第三十七条",
        20,
        &[sub("cbwl", "出版物零售业务经营许可", "出版物经营许可证")
            .form(
                form(
                    "出版物零售单位设立申请表",
                    Subject::Enterprise,
                    &[(
                        "经营信息",
                        &[
                            "出版物经营范围",
                            "负责人姓名",
                            "负责人身份证号码",
                            "负责人学历",
                        ],
                    )],
                )
                .place(),
            )
            .materials(&["房屋租赁合同", "经营场所照片"])],
    )
    .at(COUNTY, &["spj", "wl"])
    .depends(&["qysl"]),
    family(
        "《出生医学证明》办理",
        PublicService,
        "《中华人民共和国母婴保健法》第二十三条",
        5,
        &[sub("csyx", "《出生医学证明》签发", "出生医学证明")
            .handlings(&["首次签发", "换发", "补发"])
            .form(form(
                "《出生医学证明》首次签发登记表",
                Subject::Own,
                &[
                    (
                        "新生儿信息",
                        &[
                            "新生儿姓名",
                            "新生儿性别",
                            "新生儿出生日期",
                            "出生孕周",
                            "出生体重",
                            "出生身长",
                            "出生地点",
                            "健康状况",
                        ],
                    ),
                    (
                        "母亲信息",
                        &["母亲姓名", "母亲身份证号码", "母亲民族", "母亲国籍"],
                    ),
                    (
                        "父亲信息",
                        &["父亲姓名", "父亲身份证号码", "父亲民族", "父亲国籍"],
                    ),
                    ("联系方式", &["移动电话", "地址"]),
                ],
            ))
            .materials(&["居民身份证", "结婚证"])],
    )
    .at(COUNTY, &["wjw"]),
    family(
        "《预防接种证》办理",
        PublicService,
        "《中华人民共和国疫苗管理法》第四十七条",
        5,
        &[sub("yfjz", "《预防接种证》办理", "预防接种证")
            .form(form(
                "预防接种证办理登记表",
                Subject::Own,
                &[
                    (
                        "儿童信息",
                        &["新生儿姓名", "新生儿性别", "新生儿出生日期", "出生体重"],
                    ),
                    (
                        "监护人信息",
                        &["母亲姓名", "母亲身份证号码", "父亲姓名", "移动电话", "地址"],
                    ),
                ],
            ))
            .materials(&["出生医学证明"])],
    )
    .at(COUNTY, &["wjw"]),
    family(
        "户口登记（包括注销、恢复、变更）",
        Confirmation,
        "《中华人民共和国户口登记条例》第七条",
        10,
        &[
            sub("csdj", "出生登记", "出生登记")
                .form(form(
                    "出生登记申请表",
                    Subject::Own,
                    &[
                        (
                            "新生儿信息",
                            &[
                                "新生儿姓名",
                                "新生儿性别",
                                "新生儿出生日期",
                                "出生地点",
                                "民族",
                                "与户主关系",
                            ],
                        ),
                        (
                            "申报人信息",
                            &["证件", "户主姓名", "户主身份证号码", "移动电话"],
                        ),
                        ("落户信息", &["父亲户籍地址", "母亲户籍地址", "地址"]),
                    ],
                ))
                .materials(&["出生医学证明", "户口簿", "结婚证", "居民身份证"]),
            sub("swzx", "死亡注销户口", "死亡注销户口").materials(&[
                "死亡医学证明",
                "户口簿",
                "居民身份证",
            ]),
        ],
    )
    .at(COUNTY, &["ga"]),
    family(
        "社会保障卡申领",
        PublicService,
        "《中华人民共和国社会保险法》第五十八条",
        10,
        &[sub("sbk", "社会保障卡申领", "社会保障卡")
            .handlings(&["首次申领", "补领", "换领"])
            .form(form(
                "社会保障卡申领登记表",
                Subject::Own,
                &[
                    (
                        "申领人信息",
                        &[
                            "姓名",
                            "性别",
                            "证件类型",
                            "证件号码",
                            "国籍",
                            "出生日期",
                            "民族",
                            "移动电话",
                        ],
                    ),
                    ("通讯地址", &["省", "市", "区县", "详细地址", "邮政编码"]),
                ],
            ))
            .materials(&["居民身份证", "近期免冠证件照片"])],
    )
    .at(COUNTY, &["rs"]),
    family(
        "城乡居民基本医疗保险参保登记",
        PublicService,
        "《中华人民共和国社会保险法》第二十五条",
        5,
        &[sub(
            "jmyb",
            "城乡居民基本医疗保险参保登记",
            "城乡居民医保参保登记",
        )
        .form(form(
            "城乡居民基本医疗保险参保登记表",
            Subject::Own,
            &[
                (
                    "参保人信息",
                    &[
                        "姓名",
                        "性别",
                        "证件",
                        "出生日期",
                        "民族",
                        "移动电话",
                        "地址",
                    ],
                ),
                ("参保信息", &["参保人员类别"]),
            ],
        ))
        .materials(&["居民身份证", "户口簿"])],
    )
    .at(COUNTY, &["yb"]),
    family(
        "印章刻制备案",
        OtherPower,
        "《印铸刻字业暂行管理规则》第四条",
        3,
        &[sub("gzkz", "公章刻制备案", "公章刻制备案")
            .form(form(
                "印章刻制备案登记表",
                Subject::Enterprise,
                &[
                    ("印章信息", &["印章类型", "刻制数量"]),
                    (
                        "经办人信息",
                        &["经办人姓名", "经办人身份证号码", "经办人移动电话"],
                    ),
                ],
            ))
            .materials(&["印章样式"])],
    )
    .at(COUNTY, &["ga"])
    .depends(&["qysl"]),
    family(
        "发票领用",
        OtherPower,
        "《中华人民共和国发票管理办法》第十五条",
        5,
        &[sub("fply", "发票领用", "发票领用").form(form(
            "纳税人领用发票票种核定表",
            Subject::Enterprise,
            &[
                ("发票信息", &["发票种类", "每月最高领用数量"]),
                (
                    "经办人信息",
                    &["经办人姓名", "经办人身份证号码", "经办人移动电话"],
                ),
            ],
        ))],
    )
    .at(COUNTY, &["tax"])
    .depends(&["qysl"]),
    family(
        "社会保险登记",
        PublicService,
        "《中华人民共和国社会保险法》第五十七条",
        15,
        &[sub("dwcb", "单位参保登记", "单位参保登记")
            .form(form(
                "社会保险单位参保登记表",
                Subject::Enterprise,
                &[
                    (
                        "参保信息",
                        &[
                            "参保险种",
                            "职工人数",
                            "申请单位开户银行",
                            "申请单位银行账号",
                        ],
                    ),
                    ("经办人信息", &["财务负责人姓名", "财务负责人移动电话"]),
                ],
            ))
            .materials(&["银行开户证明"])],
    )
    .at(COUNTY, &["rs"])
    .depends(&["qysl"]),
    family(
        "住房公积金单位缴存登记",
        PublicService,
        "《住房公积金管理条例》第十四条",
        5,
        &[
            sub("gjjdj", "住房公积金单位缴存登记", "住房公积金单位缴存登记").form(form(
                "住房公积金单位缴存登记表",
                Subject::Enterprise,
                &[
                    ("缴存信息", &["职工人数", "缴存比例"]),
                    ("经办人信息", &["经办人姓名", "经办人移动电话"]),
                ],
            )),
        ],
    )
    .at(CITY, &["gjj"])
    .depends(&["qysl"]),
    family(
        "对未取得食品经营许可从事食品经营活动的行政处罚",
        Penalty,
        "《中华人民共和国食品安全法》第一百二十二条",
        90,
        &[sub(
            "cfsp",
            "对未取得食品经营许可从事食品经营活动的行政处罚",
            "食品经营行政处罚",
        )],
    )
    .at(COUNTY, &["scjg"]),
    family(
        "查封、扣押有证据证明不符合食品安全标准的食品",
        Enforcement,
        "《中华人民共和国食品安全法》第一百一十条",
        30,
        &[sub(
            "qzsp",
            "查封、扣押有证据证明不符合食品安全标准的食品",
            "食品查封扣押",
        )],
    )
    .at(COUNTY, &["scjg"]),
    family(
        "防空地下室易地建设费征收",
        Levy,
        "《中华人民共和国人民防空法》第二十二条",
        20,
        &[
            sub("ydjs", "防空地下室易地建设费征收", "防空地下室易地建设费")
                .form(form(
                    "防空地下室易地建设费缴纳申请表",
                    Subject::Own,
                    &[
                        (
                            "建设单位信息",
                            &[
                                "建设单位名称",
                                "建设单位统一社会信用代码",
                                "建设单位联系电话",
                            ],
                        ),
                        (
                            "项目信息",
                            &[
                                "项目名称",
                                "项目代码",
                                "建设地点",
                                "建筑面积",
                                "应建防空地下室面积",
                            ],
                        ),
                    ],
                ))
                .materials(&["建设工程规划许可证", "施工图设计文件审查合格书"]),
        ],
    )
    .at(CITY, &["zj"])
    .fee("按四川省人民防空主管部门核定的标准收取"),
    family(
        "临时救助",
        Benefit,
        "《社会救助暂行办法》第四十七条",
        20,
        &[sub("lsjz", "临时救助", "临时救助")
            .form(form(
                "临时救助申请审批表",
                Subject::Person,
                &[
                    (
                        "家庭情况",
                        &[
                            "家庭人口数",
                            "家庭月收入",
                            "困难类型",
                            "申请救助金额",
                            "申请事由",
                        ],
                    ),
                    ("收款信息", &["开户银行", "银行账号"]),
                ],
            ))
            .materials(&["户口簿", "家庭收入证明", "困难情况证明"])],
    )
    .at(COUNTY, &["mz"]),
    family(
        "老年人高龄津贴发放",
        Benefit,
        "《中华人民共和国老年人权益保障法》第三十三条",
        20,
        &[sub("gljt", "80周岁以上老年人高龄津贴发放", "高龄津贴")
            .form(form(
                "高龄津贴申请表",
                Subject::Person,
                &[("收款信息", &["开户银行", "银行账号"])],
            ))
            .materials(&["户口簿"])],
    )
    .at(COUNTY, &["mz"]),
    family(
        "对食品经营者的监督检查",
        Inspection,
        "《中华人民共和国食品安全法》第一百一十条",
        30,
        &[sub("spjc", "对食品经营者的监督检查", "食品经营监督检查")],
    )
    .at(COUNTY, &["scjg"]),
    family(
        "公共场所卫生监督检查",
        Inspection,
        "《公共场所卫生管理条例》第十条",
        30,
        &[sub("ggjc", "公共场所卫生监督检查", "公共场所卫生监督检查")],
    )
    .at(COUNTY, &["wjw"]),
    family(
        "残疾人证办理",
        Confirmation,
        "《中华人民共和国残疾人保障法》第二条",
        20,
        &[
            sub("cjrz", "残疾人证新办", "残疾人证")
                .form(form(
                    "残疾人证申请表",
                    Subject::Person,
                    &[
                        ("残疾情况", &["残疾类别", "残疾等级"]),
                        ("监护人信息", &["监护人姓名", "监护人移动电话"]),
                    ],
                ))
                .materials(&["残疾评定表", "近期免冠证件照片", "户口簿"]),
            sub("cjhl", "残疾人证换领", "残疾人证换领")
                .materials(&["残疾人证", "近期免冠证件照片"]),
        ],
    )
    .at(COUNTY, &["cl"]),
    family(
        "对举报食品安全违法行为的奖励",
        Reward,
        "《中华人民共和国食品安全法》第一百一十五条",
        60,
        &[sub("jbjl", "对举报食品安全违法行为的奖励", "举报奖励")
            .form(form(
                "举报奖励申请表",
                Subject::Person,
                &[
                    ("举报信息", &["举报内容"]),
                    ("收款信息", &["开户银行", "银行账号"]),
                ],
            ))
            .materials(&["举报线索材料"])],
    )
    .at(COUNTY, &["scjg"]),
    family(
        "企业名称争议裁决",
        Adjudication,
        "《企业名称登记管理规定》第二十三条",
        60,
        &[sub("mczy", "企业名称争议裁决", "企业名称争议裁决")
            .form(form(
                "企业名称争议裁决申请书",
                Subject::Enterprise,
                &[("争议信息", &["被申请人名称", "争议事项"])],
            ))
            .materials(&["争议证据材料"])],
    )
    .at(CITY, &["scjg"]),
    family(
        "建筑工程施工许可证核发",
        Licensing,
        "《中华人民共和国建筑法》第七条",
        7,
        &[sub("jzsg", "建筑工程施工许可证核发", "建筑工程施工许可证")
            .handlings(&["新办", "变更", "延期"])
            .form(form(
                "建筑工程施工许可证申请表",
                Subject::Own,
                &[
                    (
                        "建设单位信息",
                        &[
                            "建设单位名称",
                            "建设单位统一社会信用代码",
                            "法定代表人姓名",
                            "建设单位联系电话",
                        ],
                    ),
                    (
                        "工程信息",
                        &[
                            "项目名称",
                            "项目代码",
                            "建设地点",
                            "建筑面积",
                            "总投资",
                            "计划开工日期",
                        ],
                    ),
                    (
                        "参建单位信息",
                        &[
                            "施工单位名称",
                            "施工单位统一社会信用代码",
                            "设计单位名称",
                            "监理单位名称",
                            "勘察单位名称",
                        ],
                    ),
                ],
            ))
            .materials(&[
                "建设工程规划许可证",
                "施工图设计文件审查合格书",
                "建设工程施工合同",
                "建设工程监理合同",
                "安全施工措施资料",
            ])],
    )
    .at(CITY, &["spj", "zj"]),
    family(
        "养老机构备案",
        OtherPower,
        "《中华人民共和国老年人权益保障法》第四十三条",
        5,
        &[sub("ylba", "养老机构设立备案", "养老机构备案")
            .form(form(
                "养老机构备案书",
                Subject::Enterprise,
                &[(
                    "机构信息",
                    &[
                        "养老服务场所地址",
                        "养老服务场所面积",
                        "床位数",
                        "负责人姓名",
                        "负责人移动电话",
                    ],
                )],
            ))
            .materials(&[
                "主要设备设施清单",
                "消防安全制度",
                "住所（经营场所）使用证明",
            ])],
    )
    .at(COUNTY, &["mz"]),
    family(
        "教师资格认定",
        Confirmation,
        "《中华人民共和国教师法》第十三条",
        60,
        &[sub("jszg", "教师资格认定", "教师资格证书")
            .form(form(
                "教师资格认定申请表",
                Subject::Person,
                &[(
                    "资格信息",
                    &[
                        "教师资格种类",
                        "任教学科",
                        "学历",
                        "毕业学校",
                        "普通话水平等级",
                    ],
                )],
            ))
            .materials(&[
                "学历证明",
                "普通话水平测试等级证书",
                "体检合格证明",
                "近期免冠证件照片",
                "思想品德鉴定表",
            ])],
    )
    .at(COUNTY, &["jy"]),
    family(
        "企业投资项目备案",
        OtherPower,
        "《企业投资项目核准和备案管理条例》第三条",
        3,
        &[sub("tzba", "企业投资项目备案", "企业投资项目备案")
            .form(form(
                "企业投资项目备案表",
                Subject::Enterprise,
                &[(
                    "项目信息",
                    &[
                        "项目名称",
                        "建设地点",
                        "建设规模及内容",
                        "总投资",
                        "计划开工日期",
                    ],
                )],
            ))
            .materials(&["项目情况说明"])],
    )
    .at(COUNTY, &["spj"]),
    family(
        "建设项目环境影响评价审批",
        Licensing,
        "《中华人民共和国环境影响评价法》第二十二条",
        30,
        &[sub(
            "hpsp",
            "一般建设项目环境影响报告表审批",
            "环境影响报告表审批",
        )
        .form(form(
            "建设项目环境影响报告表审批申请表",
            Subject::Own,
            &[
                (
                    "建设单位信息",
                    &[
                        "建设单位名称",
                        "建设单位统一社会信用代码",
                        "建设单位联系电话",
                    ],
                ),
                (
                    "项目信息",
                    &["项目名称", "项目代码", "建设地点", "总投资", "环保投资"],
                ),
            ],
        ))
        .materials(&["环境影响报告表", "项目情况说明"])],
    )
    .at(CITY, &["sthj"]),
    family(
        "排污许可",
        Licensing,
        "《排污许可管理条例》第三条",
        30,
        &[sub("pwxk", "排污许可证核发", "排污许可证")
            .handlings(&["新办", "变更", "延续"])
            .form(form(
                "排污许可证申请表",
                Subject::Enterprise,
                &[
                    ("生产场所信息", &["生产场所地址", "生产场所面积"]),
                    ("排污信息", &["所属行业", "主要污染物种类", "排放口数量"]),
                ],
            ))
            .materials(&[
                "排污许可证申请前信息公开情况说明",
                "污染物排放口设置说明",
                "环境监测报告",
            ])],
    )
    .at(CITY, &["sthj"])
    .depends(&["hpsp"]),
];

/// The standard applicant section of a subject, if it has one.
pub(super) fn subject_section(subject: Subject) -> Option<SectionSpec> {
    match subject {
        Subject::Enterprise => Some((
            "申请人信息",
            &[
                "企业名称",
                "统一社会信用代码",
                "法定代表人姓名",
                "法定代表人身份证号码",
                "移动电话",
                "电子邮箱",
                "地址",
            ],
        )),
        Subject::Person => Some((
            "申请人信息",
            &[
                "姓名",
                "性别",
                "民族",
                "出生日期",
                "身份证号码",
                "移动电话",
                "地址",
            ],
        )),
        Subject::Own => None,
    }
}

/// The standard 经营场所信息 section.
pub(super) const PLACE_SECTION: SectionSpec = (
    "经营场所信息",
    &["经营场所地址", "所在地区", "经营面积", "经营场所产权性质"],
);

/// The identity material of a subject.
pub(super) fn subject_material(subject: Subject) -> Option<&'static str> {
    match subject {
        Subject::Enterprise => Some("营业执照"),
        Subject::Person => Some("居民身份证"),
        Subject::Own => None,
    }
}
