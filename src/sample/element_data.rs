//! The element tables: hand-written core elements, and the subjects × attributes the
//! rest of the pool is generated from (法定代表人 + 姓名 → 法定代表人姓名).

use crate::model::ElementKind::{
    CnId, Date, DateRange, Dropdown, Email, HkId, IdTypeLinked, Landline, LinkedDropdown, MoId,
    Mobile, MultiChoice, Number, PassportForeign, PassportOther, Pattern, Postcode, SingleChoice,
    Text, TwId, Uscc,
};
use crate::model::Share::{Conditional, None as NotShared};

use super::options as o;
use super::spec::{Opts, Spec, el};

/// 不动产权证号, e.g. 川(2023)广安区不动产权第0012345号.
const PROPERTY_NO: &str = r"^\p{Han}[（(]\d{4}[）)]\p{Han}{2,12}不动产权第\d{7}号$";
/// Bank account numbers.
const ACCOUNT_NO: &str = r"^\d{10,30}$";

/// Hand-written elements, in code order.
pub(super) const CORE: &[Spec] = &[
    // 自然人
    el("姓名", Text, "自然人在有效身份证件上登记的姓名")
        .syn(&["人员姓名"])
        .share(Conditional, 2)
        .source("ga"),
    el("性别", SingleChoice, "自然人的性别，按GB/T 2261.1")
        .opts(o::SEX)
        .share(Conditional, 2)
        .source("ga"),
    el("民族", Dropdown, "自然人的民族，按GB/T 3304")
        .opts(o::ETHNIC)
        .share(Conditional, 2)
        .source("ga"),
    el("出生日期", Date, "自然人出生的公历日期")
        .share(Conditional, 2)
        .source("ga"),
    el("身份证号码", CnId, "居民身份证上登记的18位公民身份号码（GB 11643）")
        .syn(&["公民身份号码", "证件号码"])
        .share(Conditional, 3)
        .source("ga"),
    el("移动电话", Mobile, "11位移动电话号码")
        .syn(&["手机号码", "手机"])
        .share(Conditional, 2),
    el("固定电话", Landline, "带区号的固定电话号码").syn(&["座机号码", "办公电话"]),
    el("电子邮箱", Email, "电子邮件地址")
        .syn(&["电子邮件", "E-mail"])
        .share(Conditional, 1),
    el("邮政编码", Postcode, "6位邮政编码").syn(&["邮编"]),
    el("地址", Text, "由省、市、区县和详细地址组成的地址")
        .syn(&["住址", "通讯地址"])
        .share(Conditional, 2),
    el("省", Text, "地址所在的省级行政区").child_of("地址"),
    el("市", Text, "地址所在的地级行政区").child_of("地址"),
    el("区县", Text, "地址所在的县级行政区").child_of("地址"),
    el("详细地址", Text, "街道、门牌号等详细地址")
        .child_of("地址")
        .share(Conditional, 2),
    el("证件", Text, "有效身份证件，由证件类型和证件号码组成").share(Conditional, 3),
    el(
        "证件类型",
        IdTypeLinked,
        "持证人所持有效身份证件的类型，决定证件号码的校验规则",
    )
    .with(Opts::IdTypes)
    .child_of("证件"),
    el("证件号码", Text, "与证件类型对应的有效身份证件号码")
        .child_of("证件")
        .share(Conditional, 3),
    el("所在地区", LinkedDropdown, "按省、市、区县逐级选择的行政区划（GB/T 2260）")
        .with(Opts::Regions),
    el("婚姻状况", SingleChoice, "自然人的婚姻状况，按GB/T 2261.2")
        .opts(o::MARRIAGE)
        .share(Conditional, 2)
        .source("mz"),
    el("学历", Dropdown, "自然人的最高学历，按GB/T 4658").opts(o::EDUCATION),
    el("国籍", Dropdown, "自然人的国籍，按GB/T 2659")
        .opts(o::NATION)
        .source("ga"),
    el("香港居民身份证号码", HkId, "香港永久性居民身份证上的号码").share(Conditional, 3),
    el("澳门居民身份证号码", MoId, "澳门居民身份证上的号码").share(Conditional, 3),
    el("台湾居民身份证号码", TwId, "台湾地区居民身份证上的号码").share(Conditional, 3),
    el("外国护照号码", PassportForeign, "外国人所持护照上的号码").share(Conditional, 3),
    el("中国护照号码", PassportOther, "中华人民共和国普通护照上的号码")
        .syn(&["护照号码"])
        .share(Conditional, 3)
        .source("ga"),
    el("开户银行", Text, "收款账户的开户银行名称").share(Conditional, 2),
    el("银行账号", Pattern, "收款银行账户的账号")
        .pattern(ACCOUNT_NO)
        .share(NotShared, 3),
    // 市场主体
    el(
        "统一社会信用代码",
        Uscc,
        "按GB 32100赋予法人和其他组织的18位统一社会信用代码",
    )
    .syn(&["社会信用代码", "信用代码"])
    .source("scjg"),
    el("企业名称", Text, "在登记机关登记的市场主体名称")
        .syn(&["单位名称", "市场主体名称"])
        .source("scjg"),
    el("个体工商户名称", Text, "个体工商户登记的名称（字号）")
        .syn(&["字号名称"])
        .source("scjg"),
    el("企业类型", Dropdown, "市场主体的类型")
        .opts(o::ENTERPRISE_TYPE)
        .source("scjg"),
    el("经营类别", Dropdown, "市场主体主要经营活动所属的类别").opts(o::BUSINESS_CATEGORY),
    el("注册资本", Number, "市场主体登记的认缴注册资本")
        .syn(&["注册资金"])
        .unit("万元")
        .source("scjg"),
    el("资金数额", Number, "个体工商户登记的资金数额").unit("万元"),
    el("开办资金", Number, "民办学校、民办非企业单位的开办资金").unit("万元"),
    el("营业期限", DateRange, "营业执照载明的营业期限起止日期")
        .syn(&["经营期限"])
        .source("scjg"),
    el("成立日期", Date, "市场主体成立的日期").source("scjg"),
    el("经营范围", Text, "登记机关核准的经营范围").source("scjg"),
    el("业务范围", Text, "社会组织登记的业务范围").source("mz"),
    el("从业人员数", Number, "从业人员的数量").unit("人"),
    el("职工人数", Number, "参加社会保险或缴存住房公积金的职工人数").unit("人"),
    el("认缴出资额", Number, "股东认缴的出资额").unit("万元"),
    el("出资方式", MultiChoice, "股东出资的方式").opts(o::CONTRIBUTION),
    el("出资日期", Date, "股东认缴出资的到期日期"),
    el("网址", Pattern, "网站或网店的地址").pattern(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/\S*)?$"),
    // 场所
    el("经营面积", Number, "经营场所的使用面积")
        .syn(&["经营场所面积"])
        .unit("平方米"),
    el("建筑面积", Number, "建筑物的建筑面积").unit("平方米"),
    el(
        "不动产权证号",
        Pattern,
        "不动产权证书的编号，如川(2023)广安区不动产权第0012345号",
    )
    .pattern(PROPERTY_NO)
    .source("zr"),
    el("使用楼层", Text, "场所所在的楼层"),
    el("安全出口数量", Number, "场所的安全出口数量").unit("个"),
    el("是否设置自动消防设施", SingleChoice, "场所是否设置自动消防设施").opts(o::YES_NO),
    el("场所名称", Text, "公众聚集场所的名称"),
    el("公共场所类别", Dropdown, "公共场所的类别").opts(o::PUBLIC_PLACE),
    el(
        "是否使用集中空调通风系统",
        SingleChoice,
        "公共场所是否使用集中空调通风系统",
    )
    .opts(o::YES_NO),
    el("机动车号牌号码", Pattern, "机动车号牌上的号码")
        .pattern(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警]$")
        .source("ga"),
    // 食品、烟草、招牌、排水
    el("主体业态", Dropdown, "食品经营者的主体业态")
        .opts(o::FOOD_FORM)
        .source("scjg"),
    el("经营项目", MultiChoice, "食品经营许可的经营项目")
        .opts(o::FOOD_ITEMS)
        .source("scjg"),
    el("是否网络经营", SingleChoice, "是否通过网络从事经营").opts(o::YES_NO),
    el("食品经营许可证编号", Pattern, "食品经营许可证编号，JY加14位数字")
        .pattern(r"^JY[1-3]\d{13}$")
        .source("scjg"),
    el("卷烟零售点类型", Dropdown, "卷烟零售点的业态类型").opts(o::TOBACCO_POINT),
    el("与最近卷烟零售点距离", Number, "与最近的已有卷烟零售点的距离").unit("米"),
    el("招牌类型", Dropdown, "户外招牌的设置形式").opts(o::SIGN_TYPE),
    el("招牌设置位置", Text, "户外招牌的设置位置"),
    el("招牌面积", Number, "户外招牌的面积").unit("平方米"),
    el("招牌设置期限", DateRange, "户外招牌的设置起止日期"),
    el("排水户类型", Dropdown, "排水户的行业类型").opts(o::DRAIN_TYPE),
    el("日排水量", Number, "每日排入城镇排水管网的污水量").unit("立方米/日"),
    el("预处理设施", Text, "隔油池、化粪池等污水预处理设施的说明"),
    el("排水口数量", Number, "接入城镇排水管网的排水口数量").unit("个"),
    // 药品、医疗器械
    el("药品经营方式", Dropdown, "药品零售企业的经营方式").opts(o::DRUG_MODE),
    el("药品经营范围", MultiChoice, "药品经营许可的经营范围").opts(o::DRUG_SCOPE),
    el("执业药师人数", Number, "依法经过资格认定的执业药师人数").unit("人"),
    el("医疗器械经营范围", Text, "第二类医疗器械的经营范围"),
    // 教育
    el("拟设立学校名称", Text, "拟设立的民办学校的名称"),
    el("办学类型", Dropdown, "民办学校的办学类型").opts(o::SCHOOL_TYPE),
    el("招生规模", Number, "拟招收的学生（幼儿）人数").unit("人"),
    // 医疗
    el("医疗机构名称", Text, "医疗机构的名称"),
    el("诊疗科目", MultiChoice, "医疗机构登记的诊疗科目").opts(o::CLINIC_SUBJECTS),
    el("床位数", Number, "设置的床位数量").unit("张"),
    el("医师执业证书编码", Pattern, "医师执业证书上的15位编码")
        .pattern(r"^\d{15}$")
        .source("wjw"),
    el("放射诊疗项目", MultiChoice, "开展的放射诊疗项目").opts(o::RADIATION),
    el("放射诊疗设备名称", Text, "放射诊疗设备的名称和型号"),
    el("放射工作人员数", Number, "从事放射诊疗工作的人员数量").unit("人"),
    // 文体旅
    el("上网终端数量", Number, "互联网上网服务营业场所的计算机终端数量").unit("台"),
    el("高危险性体育项目", Dropdown, "经营的高危险性体育项目").opts(o::SPORT),
    el("社会体育指导人员数量", Number, "持证社会体育指导人员的数量").unit("人"),
    el("救生人员数量", Number, "持证救生人员的数量").unit("人"),
    el("游泳池水面面积", Number, "游泳池的水面面积").unit("平方米"),
    el("客房数", Number, "旅馆的客房数量").unit("间"),
    el("餐饮服务区域面积", Number, "提供餐饮服务的区域面积").unit("平方米"),
    el("出版物经营范围", MultiChoice, "出版物零售的经营范围").opts(o::BOOK_SCOPE),
    // 出生
    el("新生儿姓名", Text, "新生儿的姓名").share(Conditional, 2),
    el("新生儿性别", SingleChoice, "新生儿的性别").opts(o::SEX),
    el("新生儿出生日期", Date, "新生儿出生的日期").share(Conditional, 2),
    el("出生孕周", Number, "新生儿出生时的孕周").unit("周"),
    el("出生体重", Number, "新生儿出生时的体重").unit("克"),
    el("出生身长", Number, "新生儿出生时的身长").unit("厘米"),
    el("出生地点", Text, "新生儿出生的地点").share(Conditional, 2),
    el("健康状况", SingleChoice, "新生儿出生时的健康状况").opts(o::HEALTH),
    el("与户主关系", Dropdown, "与户主的关系，按GB/T 4761")
        .opts(o::RELATION)
        .source("ga"),
    el("参保人员类别", Dropdown, "城乡居民基本医疗保险的参保人员类别").opts(o::INSURED_TYPE),
    // 企业开办
    el("印章类型", MultiChoice, "刻制的印章类型").opts(o::SEAL),
    el("刻制数量", Number, "刻制印章的数量").unit("枚"),
    el("发票种类", MultiChoice, "申请领用的发票种类")
        .opts(o::INVOICE)
        .source("tax"),
    el("每月最高领用数量", Number, "每月最高领用的发票份数").unit("份"),
    el("参保险种", MultiChoice, "参加的社会保险险种")
        .opts(o::INSURANCE)
        .source("rs"),
    el("缴存比例", Number, "住房公积金的缴存比例").unit("%"),
    // 社会救助、残疾人、教师、奖励、裁决
    el("家庭人口数", Number, "共同生活的家庭成员人数").unit("人"),
    el("家庭月收入", Number, "共同生活的家庭成员月收入合计").unit("元"),
    el("困难类型", MultiChoice, "家庭遭遇的困难类型").opts(o::HARDSHIP),
    el("申请救助金额", Number, "申请的临时救助金额").unit("元"),
    el("申请事由", Text, "申请的理由和情况说明"),
    el("残疾类别", Dropdown, "残疾的类别").opts(o::DISABILITY).source("cl"),
    el("残疾等级", Dropdown, "残疾的等级").opts(o::DISABILITY_GRADE).source("cl"),
    el("教师资格种类", Dropdown, "申请认定的教师资格种类").opts(o::TEACHER),
    el("任教学科", Text, "申请认定的任教学科"),
    el("普通话水平等级", Dropdown, "普通话水平测试等级").opts(o::MANDARIN),
    el("毕业学校", Text, "最高学历的毕业学校"),
    el("举报内容", Text, "举报的违法行为及线索"),
    el("被申请人名称", Text, "争议中被申请人的名称"),
    el("争议事项", Text, "争议的事项和请求"),
    // 投资建设
    el("项目名称", Text, "投资建设项目的名称"),
    el("项目代码", Pattern, "投资项目在线审批监管平台赋予的项目代码")
        .pattern(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"),
    el("建设地点", Text, "项目的建设地点"),
    el("建设规模及内容", Text, "项目的建设规模和主要建设内容"),
    el("总投资", Number, "项目的总投资").unit("万元"),
    el("环保投资", Number, "项目的环境保护投资").unit("万元"),
    el("计划开工日期", Date, "项目计划开工的日期"),
    el("应建防空地下室面积", Number, "按规定应修建的防空地下室面积").unit("平方米"),
    el("所属行业", Dropdown, "排污单位所属的行业").opts(o::INDUSTRY),
    el("主要污染物种类", MultiChoice, "排放的主要污染物种类").opts(o::POLLUTANT),
    el("排放口数量", Number, "污染物排放口的数量").unit("个"),
    // 办理项表单
    el("原许可证编号", Text, "已取得的许可证（备案凭证）编号"),
    el("变更事项", Text, "申请变更的事项"),
    el("变更前内容", Text, "变更事项变更前的内容"),
    el("变更后内容", Text, "变更事项变更后的内容"),
    el("有效期限", DateRange, "证照的有效期限起止日期"),
    el("延续理由", Text, "申请延续有效期的理由"),
    el("注销原因", Text, "申请注销的原因"),
    el("申请日期", Date, "提交申请的日期"),
    // planted: a draft element one form already uses
    el("社会保障卡邮寄地址", Text, "社会保障卡制卡后的邮寄地址")
        .share(Conditional, 2)
        .draft(),
];

/// Attributes of people with a full record (法定代表人, 户主, ...).
const PERSON_FULL: &[Spec] = &[
    el("姓名", Text, "的姓名，与有效身份证件一致")
        .share(Conditional, 2)
        .source("ga"),
    el("身份证号码", CnId, "的公民身份号码")
        .syn(&["公民身份号码"])
        .share(Conditional, 3)
        .source("ga"),
    el("移动电话", Mobile, "的移动电话号码")
        .syn(&["手机号码"])
        .share(Conditional, 2),
    el("性别", SingleChoice, "的性别")
        .opts(o::SEX)
        .share(Conditional, 2),
    el("出生日期", Date, "的出生日期").share(Conditional, 2),
    el("民族", Dropdown, "的民族").opts(o::ETHNIC),
    el("国籍", Dropdown, "的国籍").opts(o::NATION),
    el("学历", Dropdown, "的最高学历").opts(o::EDUCATION),
    el("职务", Text, "在单位担任的职务"),
    el("职称", Text, "取得的专业技术职称"),
    el("固定电话", Landline, "的固定电话号码"),
    el("电子邮箱", Email, "的电子邮件地址"),
    el("住所", Text, "的住所地址").share(Conditional, 2),
    el("户籍地址", Text, "的户籍登记地址")
        .share(Conditional, 2)
        .source("ga"),
];

/// Attributes of people named only for contact (经办人, 联络员, ...).
const PERSON_BASIC: &[Spec] = &[
    el("姓名", Text, "的姓名").share(Conditional, 2),
    el("身份证号码", CnId, "的公民身份号码")
        .syn(&["公民身份号码"])
        .share(Conditional, 3),
    el("移动电话", Mobile, "的移动电话号码")
        .syn(&["手机号码"])
        .share(Conditional, 2),
    el("固定电话", Landline, "的固定电话号码"),
    el("电子邮箱", Email, "的电子邮件地址"),
    el("职务", Text, "在单位担任的职务"),
];

/// Attributes of organisations (建设单位, 施工单位, ...).
const ORGANISATION: &[Spec] = &[
    el("名称", Text, "的名称").source("scjg"),
    el("统一社会信用代码", Uscc, "的统一社会信用代码").source("scjg"),
    el("住所", Text, "的住所").source("scjg"),
    el("类型", Dropdown, "的市场主体类型").opts(o::ENTERPRISE_TYPE),
    el("注册资本", Number, "的注册资本").unit("万元"),
    el("成立日期", Date, "的成立日期"),
    el("营业期限", DateRange, "的营业期限"),
    el("联系电话", Landline, "的联系电话"),
    el("电子邮箱", Email, "的电子邮件地址"),
    el("邮政编码", Postcode, "所在地的邮政编码"),
    el("开户银行", Text, "的基本存款账户开户银行").share(Conditional, 2),
    el("银行账号", Pattern, "的基本存款账户账号")
        .pattern(ACCOUNT_NO)
        .share(NotShared, 3),
    el("从业人员数", Number, "的从业人员数量").unit("人"),
    el("经营范围", Text, "的经营范围"),
];

/// Attributes of places (经营场所, 办学场所, ...).
const PLACE: &[Spec] = &[
    el("地址", Text, "的详细地址"),
    el("面积", Number, "的使用面积").unit("平方米"),
    el("建筑面积", Number, "的建筑面积").unit("平方米"),
    el("产权性质", SingleChoice, "的产权性质").opts(o::PROPERTY),
    el("使用期限", DateRange, "的使用（租赁）起止日期"),
    el("不动产权证号", Pattern, "的不动产权证书编号")
        .pattern(PROPERTY_NO)
        .source("zr"),
    el("邮政编码", Postcode, "所在地的邮政编码"),
    el("所在楼层", Text, "所在的楼层"),
    el("联系电话", Landline, "的联系电话"),
];

/// Subjects and the attributes every one of them gets, in code order.
pub(super) const GENERATED: &[(&[&str], &[Spec])] = &[
    (
        &[
            "法定代表人",
            "负责人",
            "股东",
            "投资人",
            "户主",
            "父亲",
            "母亲",
            "监护人",
            "配偶",
            "执业医师",
            "园长",
            "质量负责人",
            "财务负责人",
        ],
        PERSON_FULL,
    ),
    (
        &[
            "经办人",
            "委托代理人",
            "企业联络员",
            "食品安全管理人员",
            "消防安全责任人",
            "消防安全管理人",
            "安全保卫负责人",
        ],
        PERSON_BASIC,
    ),
    (
        &[
            "申请单位",
            "建设单位",
            "施工单位",
            "设计单位",
            "监理单位",
            "勘察单位",
            "举办单位",
            "主管单位",
            "分支机构",
            "隶属企业",
            "委托单位",
            "出资单位",
            "承办单位",
            "运营单位",
        ],
        ORGANISATION,
    ),
    (
        &[
            "经营场所",
            "生产场所",
            "办学场所",
            "执业场所",
            "仓储场所",
            "养老服务场所",
            "住宿场所",
        ],
        PLACE,
    ),
];
