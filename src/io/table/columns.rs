//! The tables of the office formats and their columns: JSON field name and Chinese header.

use crate::i18n::Lang;
use crate::model::Kind;

/// One column: the JSON field name of DESIGN §6 (the English header) and the Chinese header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// JSON field name, also the English header (`synonyms`).
    pub field: &'static str,
    /// Chinese header (`同义词`).
    pub zh: &'static str,
    /// Whether a sheet of this table must have the column.
    pub required: bool,
}

impl Column {
    /// The header in `lang`.
    pub fn header(self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.field)
    }
}

const fn req(field: &'static str, zh: &'static str) -> Column {
    Column {
        field,
        zh,
        required: true,
    }
}

const fn col(field: &'static str, zh: &'static str) -> Column {
    Column {
        field,
        zh,
        required: false,
    }
}

/// Traditional characters of the table and column names, with their simplified forms: a
/// file written in Big5 (Taiwan, Hong Kong) has headers such as `編碼,名稱,上級`. Only the
/// characters the names use are listed (the other characters of the names are the same in
/// both scripts); `traditional_names_parse_back` checks that every name is covered.
const TRADITIONAL: [(char, char); 47] = [
    ('義', '义'),
    ('體', '体'),
    ('寫', '写'),
    ('劃', '划'),
    ('則', '则'),
    ('別', '别'),
    ('辦', '办'),
    ('區', '区'),
    ('單', '单'),
    ('發', '发'),
    ('頭', '头'),
    ('實', '实'),
    ('層', '层'),
    ('屬', '属'),
    ('態', '态'),
    ('據', '据'),
    ('數', '数'),
    ('斷', '断'),
    ('時', '时'),
    ('顯', '显'),
    ('條', '条'),
    ('來', '来'),
    ('標', '标'),
    ('牽', '牵'),
    ('狀', '状'),
    ('碼', '码'),
    ('稱', '称'),
    ('簽', '签'),
    ('類', '类'),
    ('級', '级'),
    ('編', '编'),
    ('網', '网'),
    ('節', '节'),
    ('設', '设'),
    ('證', '证'),
    ('詞', '词'),
    ('說', '说'),
    ('請', '请'),
    ('諾', '诺'),
    ('費', '费'),
    ('達', '达'),
    ('選', '选'),
    ('鍵', '键'),
    ('門', '门'),
    ('問', '问'),
    ('項', '项'),
    ('題', '题'),
];

/// `name` with the traditional characters of [`TRADITIONAL`] made simplified.
pub fn simplified(name: &str) -> String {
    name.chars()
        .map(|c| {
            TRADITIONAL
                .iter()
                .find(|(t, _)| *t == c)
                .map_or(c, |(_, s)| *s)
        })
        .collect()
}

/// A table: one per record kind, plus one per nested list (element options, form sections
/// and fields, bundle questions, answers, item conditions and materials).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableId {
    /// 行政区划
    Regions,
    /// 实施主体
    Agencies,
    /// 数据元
    Elements,
    /// 数据元选项: `elements[].options[]`
    ElementOptions,
    /// 事项
    Items,
    /// 材料
    Materials,
    /// 申请表
    Forms,
    /// 申请表分节: `forms[].sections[]` (titles, in order)
    FormSections,
    /// 申请表字段: `forms[].sections[].fields[]`
    FormFields,
    /// 主题
    Bundles,
    /// 主题判断项: `bundles[].questions[]`
    BundleQuestions,
    /// 主题判断项选项: `bundles[].questions[].options[]`
    BundleAnswers,
    /// 主题事项条件: `bundles[].item_when`
    BundleItemWhen,
    /// 主题材料: `bundles[].materials[]`
    BundleMaterials,
}

impl TableId {
    /// Every table, in export order (each nested table after its owner).
    pub const ALL: [TableId; 14] = [
        Self::Regions,
        Self::Agencies,
        Self::Elements,
        Self::ElementOptions,
        Self::Items,
        Self::Materials,
        Self::Forms,
        Self::FormSections,
        Self::FormFields,
        Self::Bundles,
        Self::BundleQuestions,
        Self::BundleAnswers,
        Self::BundleItemWhen,
        Self::BundleMaterials,
    ];

    /// English name: the sheet name and CSV file stem in English (`element_options`).
    pub fn en(self) -> &'static str {
        match self {
            Self::Regions => "regions",
            Self::Agencies => "agencies",
            Self::Elements => "elements",
            Self::ElementOptions => "element_options",
            Self::Items => "items",
            Self::Materials => "materials",
            Self::Forms => "forms",
            Self::FormSections => "form_sections",
            Self::FormFields => "form_fields",
            Self::Bundles => "bundles",
            Self::BundleQuestions => "bundle_questions",
            Self::BundleAnswers => "bundle_answers",
            Self::BundleItemWhen => "bundle_item_when",
            Self::BundleMaterials => "bundle_materials",
        }
    }

    /// Chinese name: the sheet name and CSV file stem in Chinese (`数据元选项`).
    pub fn zh(self) -> &'static str {
        match self {
            Self::Regions => "行政区划",
            Self::Agencies => "实施主体",
            Self::Elements => "数据元",
            Self::ElementOptions => "数据元选项",
            Self::Items => "事项",
            Self::Materials => "材料",
            Self::Forms => "申请表",
            Self::FormSections => "申请表分节",
            Self::FormFields => "申请表字段",
            Self::Bundles => "主题",
            Self::BundleQuestions => "主题判断项",
            Self::BundleAnswers => "主题判断项选项",
            Self::BundleItemWhen => "主题事项条件",
            Self::BundleMaterials => "主题材料",
        }
    }

    /// The name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        lang.pick(self.zh(), self.en())
    }

    /// The record kind whose records (or parts of them) the table holds.
    pub fn kind(self) -> Kind {
        match self {
            Self::Regions => Kind::Region,
            Self::Agencies => Kind::Agency,
            Self::Elements | Self::ElementOptions => Kind::Element,
            Self::Items => Kind::Item,
            Self::Materials => Kind::Material,
            Self::Forms | Self::FormSections | Self::FormFields => Kind::Form,
            Self::Bundles
            | Self::BundleQuestions
            | Self::BundleAnswers
            | Self::BundleItemWhen
            | Self::BundleMaterials => Kind::Bundle,
        }
    }

    /// Whether the table holds whole records (one row each) rather than nested parts.
    pub fn is_main(self) -> bool {
        matches!(
            self,
            Self::Regions
                | Self::Agencies
                | Self::Elements
                | Self::Items
                | Self::Materials
                | Self::Forms
                | Self::Bundles
        )
    }

    /// The main table of a kind.
    pub fn main(kind: Kind) -> TableId {
        match kind {
            Kind::Region => Self::Regions,
            Kind::Agency => Self::Agencies,
            Kind::Element => Self::Elements,
            Kind::Item => Self::Items,
            Kind::Material => Self::Materials,
            Kind::Form => Self::Forms,
            Kind::Bundle => Self::Bundles,
        }
    }

    /// Finds a table by its English or Chinese name, or a kind's singular or plural name
    /// (which names the kind's main table); English is matched case-insensitively.
    pub fn parse(name: &str) -> Option<TableId> {
        let name = simplified(name.trim());
        let name = name.as_str();
        let lower = name.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.en() == lower || t.zh() == name)
            .or_else(|| Kind::parse(&lower).map(Self::main))
            .or_else(|| {
                Kind::ALL
                    .into_iter()
                    .find(|k| k.zh() == name)
                    .map(Self::main)
            })
    }

    /// The columns, in export order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Regions => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        col("parent", "上级"),
                    ]
                }
            }
            Self::Agencies => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        col("region", "行政区划"),
                    ]
                }
            }
            Self::Elements => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        col("synonyms", "同义词"),
                        req("kind", "类型"),
                        col("definition", "定义"),
                        col("pattern", "正则表达式"),
                        col("parent", "上级"),
                        col("unit", "单位"),
                        col("source_agency", "数源部门"),
                        col("share", "共享属性"),
                        col("security_level", "安全级别"),
                        col("status", "状态"),
                        col("version", "版本"),
                    ]
                }
            }
            Self::ElementOptions => {
                const {
                    &[
                        req("element", "数据元"),
                        req("code", "编码"),
                        req("label", "显示值"),
                        col("parent", "上级选项"),
                        col("kind", "证件类型"),
                    ]
                }
            }
            Self::Items => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        req("level", "层级"),
                        col("parent", "上级"),
                        req("item_type", "事项类型"),
                        col("agency", "实施主体"),
                        col("region", "行政区划"),
                        col("basis", "设定依据"),
                        col("time_limit_days", "承诺时限"),
                        col("legal_limit_days", "法定时限"),
                        col("fee", "收费"),
                        col("online_depth", "网办深度"),
                        col("depends_on", "前置事项"),
                        col("materials", "申请材料"),
                        col("status", "状态"),
                        col("version", "版本"),
                        col("origin", "来源"),
                        col("template", "模板"),
                        col("template_of", "模板来源"),
                    ]
                }
            }
            Self::Materials => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        req("kind", "类型"),
                        col("source", "来源渠道"),
                        col("issuing_agency", "发证部门"),
                        col("licence_code", "证照编码"),
                        col("shareable", "免提交"),
                        col("copies", "份数"),
                        col("required", "必要"),
                        col("template", "模板"),
                        col("template_of", "模板来源"),
                    ]
                }
            }
            Self::Forms => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        col("item", "事项"),
                        col("material", "材料"),
                        col("status", "状态"),
                        col("version", "版本"),
                    ]
                }
            }
            Self::FormSections => const { &[req("form", "申请表"), req("title", "标题")] },
            Self::FormFields => {
                const {
                    &[
                        req("form", "申请表"),
                        req("section", "分节"),
                        req("key", "字段键"),
                        req("label", "标签"),
                        col("element", "数据元"),
                        col("required", "必填"),
                        col("help", "填写说明"),
                        col("when", "显示条件"),
                    ]
                }
            }
            Self::Bundles => {
                const {
                    &[
                        req("code", "编码"),
                        req("name", "名称"),
                        col("lead_agency", "牵头部门"),
                        col("items", "事项"),
                        col("status", "状态"),
                        col("version", "版本"),
                        col("origin", "来源"),
                        col("template", "模板"),
                        col("template_of", "模板来源"),
                    ]
                }
            }
            Self::BundleQuestions => {
                const { &[req("bundle", "主题"), req("key", "键"), req("text", "问题")] }
            }
            Self::BundleAnswers => {
                const {
                    &[
                        req("bundle", "主题"),
                        req("question", "判断项"),
                        req("key", "键"),
                        req("text", "选项"),
                    ]
                }
            }
            Self::BundleItemWhen => {
                const {
                    &[
                        req("bundle", "主题"),
                        req("item", "事项"),
                        req("when", "条件"),
                    ]
                }
            }
            Self::BundleMaterials => {
                const {
                    &[
                        req("bundle", "主题"),
                        req("material", "材料"),
                        req("item", "事项"),
                        col("when", "条件"),
                    ]
                }
            }
        }
    }

    /// The column whose header is `header` (Chinese, simplified or traditional, or the
    /// field name in any case).
    pub fn column(self, header: &str) -> Option<Column> {
        let header = simplified(header.trim());
        let header = header.as_str();
        let lower = header.to_ascii_lowercase();
        self.columns()
            .iter()
            .copied()
            .find(|c| c.zh == header || c.field == lower)
    }

    /// The owner column of a nested table (`element`, `form`, `bundle`).
    pub fn owner_field(self) -> &'static str {
        if self.is_main() {
            "code"
        } else {
            self.columns()[0].field
        }
    }

    /// The tables of a kind: its main table, then its nested tables.
    pub fn of_kind(kind: Kind) -> impl Iterator<Item = TableId> {
        Self::ALL.into_iter().filter(move |t| t.kind() == kind)
    }
}

/// The spreadsheet letters of a 0-based column index (0 → A, 26 → AA).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_spreadsheet_columns() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    /// The simplified form of a traditional name, written back to traditional.
    fn traditional(name: &str) -> String {
        name.chars()
            .map(|c| {
                TRADITIONAL
                    .iter()
                    .find(|(_, s)| *s == c)
                    .map_or(c, |(t, _)| *t)
            })
            .collect()
    }

    #[test]
    fn traditional_names_parse_back() {
        let regions = TableId::Regions;
        for (header, field) in [("編碼", "code"), ("名稱", "name"), ("上級", "parent")] {
            assert_eq!(regions.column(header).map(|c| c.field), Some(field));
        }
        assert_eq!(TableId::parse("數據元"), Some(TableId::Elements));
        assert_eq!(TableId::parse("行政區劃"), Some(TableId::Regions));
        // every table and column name, written in traditional characters, is understood;
        // the simplified characters left over are the same in both scripts
        let same = "上主事交享件份位依值元免全共分判前同名型填字安定度式必性承提收政料施明本材板模正段法深渠源照版申示置行表要部道限";
        for table in TableId::ALL {
            assert_eq!(TableId::parse(&traditional(table.zh())), Some(table));
            for column in table.columns() {
                let written = traditional(column.zh);
                assert_eq!(table.column(&written), Some(*column), "{written}");
                for c in written.chars().filter(|c| !c.is_ascii()) {
                    let known = same.contains(c) || TRADITIONAL.iter().any(|(t, _)| *t == c);
                    assert!(known, "{c} of {} has no traditional form listed", column.zh);
                }
            }
        }
    }

    #[test]
    fn names_and_headers_are_unique_and_parse_back() {
        for t in TableId::ALL {
            assert_eq!(TableId::parse(t.en()), Some(t));
            assert_eq!(TableId::parse(t.zh()), Some(t));
            for c in t.columns() {
                assert_eq!(t.column(c.zh), Some(*c));
                assert_eq!(t.column(&c.field.to_uppercase()), Some(*c));
            }
        }
        assert_eq!(TableId::parse("element"), Some(TableId::Elements));
        assert_eq!(TableId::parse("申请表"), Some(TableId::Forms));
        assert_eq!(TableId::parse("nothing"), None);
    }
}
