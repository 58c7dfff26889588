//! The sample's regions (四川省, three cities, ten counties; real GB/T 2260 codes) and
//! its agencies, each with a valid unified social credit code.

use std::collections::HashMap;

use fastrand::Rng;

use super::uscc::agency_code;
use crate::model::{Agency, Region, RegionLevel, region_level};

/// The province every sample region belongs to.
pub(super) const PROVINCE: &str = "510000";
/// The city whose county the bundles are set in.
pub(super) const BUNDLE_CITY: &str = "511600";
/// The county the bundles (一件事) are set in: 广安区.
pub(super) const BUNDLE_COUNTY: &str = "511602";

/// Code, name and parent of every region, parents first.
const REGIONS: &[(&str, &str, Option<&str>)] = &[
    ("510000", "四川省", None),
    ("510100", "成都市", Some("510000")),
    ("510104", "锦江区", Some("510100")),
    ("510105", "青羊区", Some("510100")),
    ("510107", "武侯区", Some("510100")),
    ("510700", "绵阳市", Some("510000")),
    ("510703", "涪城区", Some("510700")),
    ("510704", "游仙区", Some("510700")),
    ("510781", "江油市", Some("510700")),
    ("511600", "广安市", Some("510000")),
    ("511602", "广安区", Some("511600")),
    ("511603", "前锋区", Some("511600")),
    ("511621", "岳池县", Some("511600")),
    ("511622", "武胜县", Some("511600")),
];

/// One agency row: department key, region, name and GB 32100 organisation category.
struct AgencyRow {
    dept: &'static str,
    region: &'static str,
    name: &'static str,
    category: char,
}

const fn row(dept: &'static str, region: &'static str, name: &'static str) -> AgencyRow {
    AgencyRow {
        dept,
        region,
        name,
        category: '1',
    }
}

/// Department keys: scjg 市场监管, wjw 卫生健康, ga 公安, xf 消防, sthj 生态环境, jy 教育,
/// mz 民政, rs 人社, zj 住建, zr 自然资源, sw 商务, tax 税务, spj 行政审批, wl 文旅,
/// yj 药监, yb 医保, yc 烟草, cl 残联, gjj 住房公积金.
const AGENCIES: &[AgencyRow] = &[
    row("scjg", "510000", "四川省市场监督管理局"),
    row("wjw", "510000", "四川省卫生健康委员会"),
    row("ga", "510000", "四川省公安厅"),
    row("sthj", "510000", "四川省生态环境厅"),
    row("jy", "510000", "四川省教育厅"),
    row("rs", "510000", "四川省人力资源和社会保障厅"),
    row("yj", "510000", "四川省药品监督管理局"),
    row("sw", "510000", "四川省商务厅"),
    row("mz", "510000", "四川省民政厅"),
    row("wl", "510000", "四川省文化和旅游厅"),
    row("zr", "510000", "四川省自然资源厅"),
    row("scjg", "510100", "成都市市场监督管理局"),
    row("wjw", "510100", "成都市卫生健康委员会"),
    row("scjg", "510104", "成都市锦江区市场监督管理局"),
    row("scjg", "510700", "绵阳市市场监督管理局"),
    row("scjg", "510703", "绵阳市涪城区市场监督管理局"),
    row("scjg", "511600", "广安市市场监督管理局"),
    row("wjw", "511600", "广安市卫生健康委员会"),
    row("ga", "511600", "广安市公安局"),
    row("xf", "511600", "广安市消防救援支队"),
    row("sthj", "511600", "广安市生态环境局"),
    row("zj", "511600", "广安市住房和城乡建设局"),
    row("zr", "511600", "广安市自然资源和规划局"),
    row("sw", "511600", "广安市商务局"),
    row("tax", "511600", "国家税务总局广安市税务局"),
    row("spj", "511600", "广安市行政审批局"),
    AgencyRow {
        category: '2',
        ..row("gjj", "511600", "广安市住房公积金管理中心")
    },
    row("scjg", "511602", "广安市广安区市场监督管理局"),
    row("wjw", "511602", "广安市广安区卫生健康局"),
    row("ga", "511602", "广安市公安局广安区分局"),
    row("xf", "511602", "广安市广安区消防救援大队"),
    row("spj", "511602", "广安市广安区行政审批局"),
    row("jy", "511602", "广安市广安区教育科技和体育局"),
    row("mz", "511602", "广安市广安区民政局"),
    row("rs", "511602", "广安市广安区人力资源和社会保障局"),
    row("yb", "511602", "广安市广安区医疗保障局"),
    row("wl", "511602", "广安市广安区文化广播电视和旅游局"),
    row("tax", "511602", "国家税务总局广安市广安区税务局"),
    row("yc", "511602", "四川省广安市广安区烟草专卖局"),
    AgencyRow {
        category: '3',
        ..row("cl", "511602", "广安市广安区残疾人联合会")
    },
    row("scjg", "511603", "广安市前锋区市场监督管理局"),
    row("spj", "511603", "广安市前锋区行政审批局"),
    row("scjg", "511621", "岳池县市场监督管理局"),
    row("wjw", "511621", "岳池县卫生健康局"),
    row("spj", "511621", "岳池县行政审批局"),
];

/// Regions and agencies, with agency lookup by department and region.
pub(super) struct Places {
    /// Every region, parents first.
    pub regions: Vec<Region>,
    /// Every agency, in table order.
    pub agencies: Vec<Agency>,
    by_dept: HashMap<(&'static str, &'static str), usize>,
}

impl Places {
    /// Builds the regions and the agencies with their generated codes.
    pub fn new() -> Self {
        let regions = REGIONS
            .iter()
            .map(|&(code, name, parent)| Region {
                code: code.into(),
                name: name.into(),
                parent: parent.map(Into::into),
            })
            .collect();
        let mut rng = Rng::with_seed(2260);
        let agencies = AGENCIES
            .iter()
            .map(|a| Agency {
                code: agency_code(a.category, a.region, &mut rng).into(),
                name: a.name.into(),
                region: Some(a.region.into()),
            })
            .collect();
        let by_dept = AGENCIES
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.dept, a.region), i))
            .collect();
        Self {
            regions,
            agencies,
            by_dept,
        }
    }

    /// The agency of a department in a region.
    pub fn agency(&self, dept: &str, region: &str) -> Option<&str> {
        let index = *self.by_dept.get(&(dept, region))?;
        self.agencies.get(index).map(|a| a.code.as_str())
    }

    /// The highest agency of the first of `depts` that has one: the province's, else
    /// 广安市's, else 广安区's.
    pub fn top(&self, depts: &[&str]) -> Option<&Agency> {
        [PROVINCE, BUNDLE_CITY, BUNDLE_COUNTY]
            .into_iter()
            .find_map(|region| {
                depts
                    .iter()
                    .find_map(|dept| self.by_dept.get(&(*dept, region)))
            })
            .and_then(|&i| self.agencies.get(i))
    }

    /// The code of the highest agency of a department (see [`Places::top`]).
    pub fn top_agency(&self, dept: &str) -> Option<&str> {
        self.top(&[dept]).map(|a| a.code.as_str())
    }

    /// Region codes at any of `levels`, in code order.
    pub fn regions_at<'a>(
        &'a self,
        levels: &'a [RegionLevel],
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.regions
            .iter()
            .map(|r| r.code.as_str())
            .filter(|code| region_level(code).is_some_and(|l| levels.contains(&l)))
    }

    /// The code of the agency in `region` of the first of `depts` that has one there.
    pub fn first_agency(&self, depts: &[&'static str], region: &str) -> Option<&str> {
        depts.iter().find_map(|dept| self.agency(dept, region))
    }
}
