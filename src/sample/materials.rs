//! The material catalog (材料目录): licences, approvals, certificates and general
//! materials written out here, plus one form material (申请表单) per application form.

use std::collections::HashMap;

use super::families::FAMILIES;
use super::regions::Places;
use crate::model::{Material, MaterialKind};

/// 来源渠道 values.
const APPLICANT: &str = "申请人自备";
const GOVERNMENT: &str = "政府部门核发";
const AGENCY: &str = "中介机构出具";
const HOSPITAL: &str = "医疗机构出具";
const COMMUNITY: &str = "村（社区）出具";
const OTHER: &str = "其他机构出具";

/// One hand-written material.
struct Row {
    name: &'static str,
    kind: MaterialKind,
    source: &'static str,
    /// Department key of the issuing agency.
    dept: Option<&'static str>,
    shareable: bool,
    copies: u32,
    required: bool,
}

/// A required single copy, not shareable, with no issuing agency.
const fn m(name: &'static str, kind: MaterialKind, source: &'static str) -> Row {
    Row {
        name,
        kind,
        source,
        dept: None,
        shareable: false,
        copies: 1,
        required: true,
    }
}

/// A licence issued by a department, fetched by data sharing (免提交).
const fn licence(name: &'static str, dept: &'static str) -> Row {
    Row {
        dept: Some(dept),
        shareable: true,
        ..m(name, MaterialKind::Licence, GOVERNMENT)
    }
}

/// An approval issued by a department.
const fn approval(name: &'static str, dept: &'static str) -> Row {
    Row {
        dept: Some(dept),
        ..m(name, MaterialKind::Approval, GOVERNMENT)
    }
}

/// A certificate from somewhere outside government.
const fn certificate(name: &'static str, source: &'static str) -> Row {
    m(name, MaterialKind::Certificate, source)
}

/// A document the applicant prepares.
const fn general(name: &'static str) -> Row {
    m(name, MaterialKind::General, APPLICANT)
}

impl Row {
    /// Sets the number of copies.
    const fn copies(self, copies: u32) -> Self {
        Self { copies, ..self }
    }

    /// Makes the material optional (非必要).
    const fn optional(self) -> Self {
        Self {
            required: false,
            ..self
        }
    }

    /// Makes the material not fetchable by data sharing.
    const fn not_shared(self) -> Self {
        Self {
            shareable: false,
            ..self
        }
    }
}

/// Hand-written materials, in code order.
const ROWS: &[Row] = &[
    // 证照
    licence("营业执照", "scjg"),
    licence("居民身份证", "ga"),
    licence("户口簿", "ga"),
    licence("结婚证", "mz"),
    licence("出生医学证明", "wjw"),
    licence("不动产权证书", "zr"),
    licence("食品经营许可证", "scjg"),
    licence("公共场所卫生许可证", "wjw"),
    licence("烟草专卖零售许可证", "yc"),
    licence("药品经营许可证", "yj"),
    licence("医疗机构执业许可证", "wjw"),
    licence("民办学校办学许可证", "jy"),
    licence("特种行业许可证", "ga"),
    licence("网络文化经营许可证", "wl"),
    licence("出版物经营许可证", "wl"),
    licence("放射诊疗许可证", "wjw"),
    licence("排污许可证", "sthj"),
    licence("建筑工程施工许可证", "zj"),
    licence("残疾人证", "cl"),
    licence("教师资格证书", "jy"),
    licence("社会保障卡", "rs"),
    licence("医师执业证书", "wjw"),
    licence("执业药师注册证", "yj"),
    licence("建设工程规划许可证", "zr"),
    licence("建设用地规划许可证", "zr"),
    licence("民办非企业单位登记证书", "mz"),
    licence("城镇污水排入排水管网许可证", "zj"),
    licence("高危险性体育项目经营许可证", "jy"),
    licence("居住证", "ga"),
    licence("机动车行驶证", "ga").not_shared(),
    // 批文
    approval("建设项目环境影响评价批复", "sthj"),
    approval("消防设计审查意见书", "zj"),
    approval("建设工程消防验收备案凭证", "zj"),
    approval("企业名称自主申报告知书", "scjg"),
    approval("企业投资项目备案证明", "spj"),
    approval("民办学校筹设批准书", "jy"),
    approval("设置医疗机构批准书", "wjw"),
    approval("放射诊疗建设项目卫生审查意见", "wjw"),
    approval("防空地下室建设审批意见书", "zj"),
    approval("施工图设计文件审查合格书", "zj"),
    approval("建设用地批准书", "zr"),
    approval("固定资产投资项目节能审查意见", "spj"),
    approval("规划条件核实意见书", "zr"),
    approval("业务主管单位批准文件", "mz"),
    approval("公众聚集场所投入使用、营业消防安全检查合格证", "xf"),
    approval("国有资产管理部门批复", "spj"),
    Row {
        source: APPLICANT,
        ..approval("上级主管部门批准文件", "spj")
    },
    // 证明材料
    certificate("住所（经营场所）使用证明", APPLICANT),
    certificate("从业人员健康证明", HOSPITAL),
    Row {
        dept: Some("ga"),
        shareable: true,
        ..certificate("无犯罪记录证明", GOVERNMENT)
    },
    certificate("房屋安全鉴定报告", AGENCY),
    certificate("公共场所卫生检测报告", AGENCY),
    certificate("消防设施检测报告", AGENCY),
    certificate("验资报告", AGENCY),
    certificate("体检合格证明", HOSPITAL),
    Row {
        dept: Some("jy"),
        ..certificate("普通话水平测试等级证书", GOVERNMENT)
    },
    certificate("学历证明", OTHER),
    certificate("死亡医学证明", HOSPITAL),
    certificate("居住证明", COMMUNITY),
    certificate("家庭收入证明", COMMUNITY),
    certificate("困难情况证明", COMMUNITY),
    certificate("残疾评定表", HOSPITAL),
    Row {
        dept: Some("wjw"),
        shareable: true,
        ..certificate("医师资格证书", GOVERNMENT)
    },
    Row {
        dept: Some("wjw"),
        ..certificate("护士执业证书", GOVERNMENT)
    },
    certificate("排水水质检测报告", AGENCY),
    certificate("辐射防护检测报告", AGENCY),
    Row {
        dept: Some("jy"),
        ..certificate("社会体育指导员证书", GOVERNMENT)
    },
    certificate("救生员证书", OTHER),
    certificate("银行开户证明", OTHER),
    certificate("放射工作人员职业健康检查报告", HOSPITAL),
    certificate("环境监测报告", AGENCY),
    certificate("工作证明", OTHER),
    certificate("资金来源证明", OTHER),
    certificate("房屋产权证明", APPLICANT),
    certificate("思想品德鉴定表", OTHER),
    certificate("消防安全评估报告", AGENCY),
    certificate("室内空气质量检测报告", AGENCY),
    certificate("生活饮用水水质检测报告", AGENCY),
    // 一般材料
    general("授权委托书").optional(),
    general("法定代表人任职文件"),
    general("公司章程"),
    general("章程草案"),
    general("股东会决议"),
    general("变更决议"),
    general("公司章程修正案"),
    general("注销决议"),
    general("清算报告"),
    general("房屋租赁合同").copies(2),
    general("经营场所平面图"),
    general("经营场所照片"),
    general("设施设备布局图"),
    general("食品安全管理制度"),
    general("主要设备设施清单"),
    general("卫生管理制度"),
    general("场所平面布置图"),
    general("消防安全制度"),
    general("灭火和应急疏散预案"),
    general("招牌设计效果图"),
    general("招牌安全承诺书"),
    general("排水设施竣工图"),
    general("药品质量管理文件"),
    general("组织机构与部门设置说明"),
    general("医疗器械质量管理制度"),
    general("办学章程"),
    general("资产证明"),
    general("教职工名册"),
    general("网络安全技术措施说明"),
    general("体育设施设备清单"),
    general("安全保障制度"),
    general("治安保卫制度"),
    general("旅馆平面图"),
    general("医疗机构规章制度"),
    general("医疗设备清单"),
    general("执业人员名册"),
    general("印章样式"),
    general("举报线索材料"),
    general("争议证据材料"),
    general("建设工程施工合同").copies(2),
    general("建设工程监理合同"),
    general("安全施工措施资料"),
    general("项目情况说明"),
    general("环境影响报告表").copies(2),
    general("排污许可证申请前信息公开情况说明"),
    general("污染物排放口设置说明"),
    general("近期免冠证件照片").copies(2),
    general("申请报告"),
    general("项目可行性研究报告"),
    general("企业法人营业执照副本复印件").optional(),
    general("法定代表人身份证明书"),
    general("全体投资人承诺书"),
    general("名称变更说明").optional(),
    general("食品安全自查报告"),
    general("从业人员培训记录"),
    general("进货查验记录制度"),
    general("食品留样制度"),
    general("病媒生物防制制度"),
    general("健康检查制度"),
    general("消防安全管理人员名单"),
    general("员工消防安全培训记录"),
    general("安全防范设施说明"),
    general("幼儿园园舍平面图"),
    general("卫生保健制度"),
    general("教学计划"),
    general("药品分类陈列说明"),
    general("冷链设施说明").optional(),
    general("上网服务场所计算机清单"),
    general("游泳场所救生设施清单"),
    general("客房分布图"),
    general("诊所科室设置说明"),
    general("放射防护管理制度"),
    general("出版物进货渠道说明"),
    general("家庭成员情况说明"),
    general("残疾人照片").copies(2),
    general("教师资格认定承诺书"),
    general("建设项目总平面图"),
    general("施工组织设计"),
    general("污染防治设施说明"),
    general("养老机构服务承诺书"),
    general("财务会计制度"),
    // 告知承诺书
    general("食品经营许可告知承诺书"),
    general("公众聚集场所消防安全检查告知承诺书"),
    general("烟草专卖零售许可告知承诺书"),
    general("排水许可告知承诺书"),
    general("公共场所卫生许可告知承诺书"),
    general("药品经营许可告知承诺书"),
    general("民办学校办学许可告知承诺书"),
    general("旅馆业特种行业许可告知承诺书"),
];

/// The material catalog with lookup by name.
pub(super) struct Materials {
    /// Every material, in code order.
    pub all: Vec<Material>,
    by_name: HashMap<String, usize>,
}

impl Materials {
    /// Builds the hand-written materials and one form material per form.
    pub fn new(places: &Places) -> Self {
        let mut materials = Self {
            all: Vec::new(),
            by_name: HashMap::new(),
        };
        for (n, row) in ROWS.iter().enumerate() {
            let issuing = row.dept.and_then(|d| places.top_agency(d));
            let licence_code = match (row.kind, issuing) {
                (MaterialKind::Licence, Some(agency)) => Some(format!("{agency}{:03}", n + 1)),
                _ => None,
            };
            materials.push(Material {
                code: String::new().into(),
                name: row.name.into(),
                kind: row.kind,
                source: row.source.into(),
                issuing_agency: issuing.map(Into::into),
                licence_code,
                shareable: row.shareable,
                copies: row.copies,
                required: row.required,
                template: false,
                template_of: None,
            });
        }
        for name in form_names() {
            materials.push(Material {
                code: String::new().into(),
                name: name.into(),
                kind: MaterialKind::Form,
                source: APPLICANT.into(),
                issuing_agency: None,
                licence_code: None,
                shareable: false,
                copies: 1,
                required: true,
                template: false,
                template_of: None,
            });
        }
        materials
    }

    /// Adds a material under the next code, unless one of that name exists.
    fn push(&mut self, mut material: Material) {
        if self.by_name.contains_key(material.name.as_str()) {
            return;
        }
        material.code = format!("CL{:06}", self.all.len() + 1).into();
        self.by_name
            .insert(material.name.to_string(), self.all.len());
        self.all.push(material);
    }

    /// The code of the material named `name`.
    pub fn code(&self, name: &str) -> Option<&str> {
        let &i = self.by_name.get(name)?;
        self.all.get(i).map(|m| m.code.as_str())
    }

    /// Whether the material with `code` is required (是否必要).
    pub fn required(&self, code: &str) -> bool {
        self.all.iter().any(|m| m.code == code && m.required)
    }
}

/// The names of every application form: each sub-item's and each handling form.
fn form_names() -> impl Iterator<Item = String> {
    FAMILIES.iter().flat_map(|f| f.subs).flat_map(|sub| {
        let main = sub.form.map(|form| form.name.to_string());
        main.into_iter()
            .chain(sub.handling_forms().map(|(_, name, _)| name))
    })
}
