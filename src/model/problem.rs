//! Problems found when checking records: what is wrong, where, in zh or en.

use crate::i18n::Lang;

use super::catalog::Referrer;
use super::item::ItemLevel;
use super::record::Kind;
use super::ref_path::{RefField, RefPath};

/// What is wrong with a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// The code is empty.
    EmptyCode,
    /// The code has a character or length the store does not allow.
    BadCode(&'static str),
    /// The name is empty.
    EmptyName,
    /// A region code that is not six digits.
    BadRegionCode,
    /// A reference to a record that does not exist.
    Unknown {
        /// Kind of the missing record.
        target: Kind,
        /// Its code.
        code: String,
    },
    /// A cycle through `parent` or `depends_on`.
    Cycle {
        /// Codes along the cycle, the first repeated at the end.
        codes: Vec<String>,
    },
    /// Two records of one kind in one file share a code.
    DuplicateCode {
        /// The code.
        code: String,
        /// Path of the first record with that code.
        first: String,
    },
    /// A key that must be unique within the record appears twice.
    DuplicateKey {
        /// What kind of key (`field key`, `option code`, ...).
        what: &'static str,
        /// The key.
        key: String,
    },
    /// A record references itself.
    SelfReference,
    /// An item's parent is not one level up.
    WrongParentLevel {
        /// The parent's code.
        parent: String,
        /// The level the parent should have.
        expected: ItemLevel,
        /// The level it has.
        found: ItemLevel,
    },
    /// A main item with a parent.
    MainWithParent,
    /// security_level outside 1..=4.
    SecurityLevel(u8),
    /// A `pattern` element without a pattern.
    MissingPattern,
    /// A pattern that does not compile.
    BadPattern(String),
    /// A linked_dropdown option whose parent is not an option of the element.
    UnknownOptionParent {
        /// The parent option code.
        parent: String,
    },
    /// linked_dropdown options whose parents lead back to themselves (`c3` under `c3`).
    OptionParentCycle {
        /// Option codes along the cycle, the first repeated at the end.
        codes: Vec<String>,
    },
    /// An item whose 承诺时限 is longer than its 法定时限 (when the legal limit is set).
    PromiseOverLegal {
        /// time_limit_days, the promised limit.
        promised: u32,
        /// legal_limit_days, the legal limit.
        legal: u32,
    },
    /// A bundle row naming an item that is not among the bundle's items.
    NotInBundle {
        /// The item code.
        item: String,
    },
    /// A question with fewer than two options: it could never be answered, or only one way.
    TooFewAnswers {
        /// How many options it has.
        count: usize,
    },
    /// A condition naming a question the bundle does not have.
    UnknownQuestion {
        /// The question key.
        question: String,
    },
    /// A condition naming an option the question does not have.
    UnknownAnswer {
        /// The question key.
        question: String,
        /// The option key.
        option: String,
    },
    /// A record that cannot be deleted because others reference it.
    ReferencedBy {
        /// Some of the referrers (the message names each with its field).
        referrers: Vec<Referrer>,
        /// How many referrers there are in all.
        total: usize,
    },
    /// A record in an interchange file that does not decode.
    Decode(String),
    /// `template_of` names a record that is not flagged as a template.
    NotATemplate {
        /// The code it names.
        code: String,
    },
}

/// A problem with one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Kind of the record.
    pub kind: Kind,
    /// Code of the record.
    pub code: String,
    /// Path inside the record (`sections[0].fields[2].element`), empty for the record itself.
    pub path: String,
    /// What is wrong.
    pub issue: Issue,
}

impl Problem {
    /// A problem at `path` of the record `kind`/`code`.
    pub fn new(kind: Kind, code: &str, path: impl Into<String>, issue: Issue) -> Self {
        Self {
            kind,
            code: code.to_string(),
            path: path.into(),
            issue,
        }
    }

    /// `element DE0001 parent: unknown element DE9999` (the form used outside import files);
    /// in Chinese the kind and the field are named in Chinese too
    /// (`数据元 DE0001 上级数据元：未知数据元 DE9999`).
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::En => {
                let at = if self.path.is_empty() {
                    String::new()
                } else {
                    format!(" {}", self.path)
                };
                format!(
                    "{} {}{}: {}",
                    self.kind.as_str(),
                    self.code,
                    at,
                    self.issue.message(lang)
                )
            }
            Lang::Zh => {
                let at = if self.path.is_empty() {
                    String::new()
                } else {
                    format!(" {}", zh_path(self.kind, &self.path))
                };
                format!(
                    "{} {}{}：{}",
                    self.kind.zh(),
                    self.code,
                    at,
                    self.issue.message(lang)
                )
            }
        }
    }
}

/// A record path for people reading Chinese: a reference's label (`前置事项第 3 项`), else
/// each step's Chinese name (`判断项第 5 项的选项`); a step with no Chinese name stays as is.
fn zh_path(kind: Kind, path: &str) -> String {
    let reference = RefPath::parse(path);
    if !matches!(reference, RefPath::Text(_)) {
        return reference.label(kind, Lang::Zh);
    }
    path.split('.')
        .map(|step| {
            let (name, index) = match step.split_once('[') {
                Some((name, rest)) => (name, rest.strip_suffix(']')),
                None => (step, None),
            };
            let name = zh_step(kind, name).unwrap_or(name);
            match index.and_then(|i| i.parse::<u64>().ok()) {
                Some(i) => format!("{name}第 {} 项", i + 1),
                None => name.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("的")
}

/// The Chinese name of one step of a record path.
fn zh_step(kind: Kind, name: &str) -> Option<&'static str> {
    if let Some(field) = RefField::parse(name) {
        return Some(field.zh(kind));
    }
    Some(match name {
        "code" => "编码",
        "name" => "名称",
        "key" => "键",
        "text" => "文字",
        "questions" => "判断项",
        "options" => "选项",
        "sections" => "节",
        "fields" => "字段",
        "element" => "数据元",
        "when" => "适用条件",
        "item_when" => "事项适用条件",
        "pattern" => "正则表达式",
        "security_level" => "安全级别",
        "time_limit_days" => "承诺时限",
        "legal_limit_days" => "法定时限",
        _ => return None,
    })
}

/// The Chinese name of a key that must be unique ([`Issue::DuplicateKey`]'s `what`).
fn zh_key(what: &str) -> &str {
    match what {
        "option code" => "选项编码",
        "option key" => "选项键",
        "question key" => "判断项键",
        "field key" => "字段键",
        "item" => "事项",
        "material" => "材料",
        other => other,
    }
}

impl Issue {
    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::EmptyCode, Lang::Zh) => "编码为空".into(),
            (Self::EmptyCode, Lang::En) => "empty code".into(),
            (Self::BadCode(why), Lang::Zh) => format!("编码不合法：{why}"),
            (Self::BadCode(why), Lang::En) => format!("invalid code: {why}"),
            (Self::EmptyName, Lang::Zh) => "名称为空".into(),
            (Self::EmptyName, Lang::En) => "empty name".into(),
            (Self::BadRegionCode, Lang::Zh) => "行政区划代码应为 6 位数字 (GB/T 2260)".into(),
            (Self::BadRegionCode, Lang::En) => "region code must be six digits (GB/T 2260)".into(),
            (Self::Unknown { target, code }, Lang::Zh) => {
                format!("未知{} {code}", target.zh())
            }
            (Self::Unknown { target, code }, Lang::En) => {
                format!("unknown {} {code}", target.as_str())
            }
            (Self::Cycle { codes }, Lang::Zh) => format!("循环引用 {}", codes.join(" → ")),
            (Self::Cycle { codes }, Lang::En) => format!("cycle {}", codes.join(" → ")),
            (Self::DuplicateCode { code, first }, Lang::Zh) => {
                format!("编码 {code} 重复（首次出现于 {first}）")
            }
            (Self::DuplicateCode { code, first }, Lang::En) => {
                format!("duplicate code {code} (first at {first})")
            }
            (Self::DuplicateKey { what, key }, Lang::Zh) => {
                format!("{} {key} 重复", zh_key(what))
            }
            (Self::DuplicateKey { what, key }, Lang::En) => format!("duplicate {what} {key}"),
            (Self::SelfReference, Lang::Zh) => "不能引用自身".into(),
            (Self::SelfReference, Lang::En) => "refers to itself".into(),
            (
                Self::WrongParentLevel {
                    parent,
                    expected,
                    found,
                },
                Lang::Zh,
            ) => format!("上级 {parent} 是{}，应为{}", found.zh(), expected.zh()),
            (
                Self::WrongParentLevel {
                    parent,
                    expected,
                    found,
                },
                Lang::En,
            ) => format!(
                "parent {parent} is a {} item, expected {}",
                found.as_str(),
                expected.as_str()
            ),
            (Self::MainWithParent, Lang::Zh) => "主项不能有上级".into(),
            (Self::MainWithParent, Lang::En) => "a main item has no parent".into(),
            (Self::SecurityLevel(n), Lang::Zh) => format!("安全级别 {n} 应在 1 到 4 之间"),
            (Self::SecurityLevel(n), Lang::En) => {
                format!("security level {n} must be 1 to 4")
            }
            (Self::MissingPattern, Lang::Zh) => "自定义格式数据元缺少正则表达式".into(),
            (Self::MissingPattern, Lang::En) => "a pattern element needs a pattern".into(),
            (Self::BadPattern(e), Lang::Zh) => format!("正则表达式无效：{e}"),
            (Self::BadPattern(e), Lang::En) => format!("invalid pattern: {e}"),
            (Self::NotATemplate { code }, Lang::Zh) => format!("{code} 不是模板"),
            (Self::NotATemplate { code }, Lang::En) => format!("{code} is not a template"),
            (Self::UnknownOptionParent { parent }, Lang::Zh) => {
                format!("上级选项 {parent} 不存在")
            }
            (Self::UnknownOptionParent { parent }, Lang::En) => {
                format!("unknown parent option {parent}")
            }
            (Self::OptionParentCycle { codes }, Lang::Zh) => {
                format!("上级选项循环 {}", codes.join(" → "))
            }
            (Self::OptionParentCycle { codes }, Lang::En) => {
                format!("option parent cycle {}", codes.join(" → "))
            }
            (Self::PromiseOverLegal { promised, legal }, Lang::Zh) => {
                format!("承诺时限 {promised} 个工作日超过法定时限 {legal} 个工作日")
            }
            (Self::PromiseOverLegal { promised, legal }, Lang::En) => format!(
                "the promised limit ({promised} working days) exceeds the legal limit ({legal} working days)"
            ),
            (Self::NotInBundle { item }, Lang::Zh) => format!("事项 {item} 不在本主题中"),
            (Self::NotInBundle { item }, Lang::En) => {
                format!("item {item} is not one of the bundle's items")
            }
            (Self::TooFewAnswers { count }, Lang::Zh) => {
                format!("判断项至少要有两个选项（现有 {count} 个）")
            }
            (Self::TooFewAnswers { count }, Lang::En) => {
                format!("a question needs at least two options (it has {count})")
            }
            (Self::UnknownQuestion { question }, Lang::Zh) => {
                format!("判断项 {question} 不存在")
            }
            (Self::UnknownQuestion { question }, Lang::En) => {
                format!("unknown question {question}")
            }
            (Self::UnknownAnswer { question, option }, Lang::Zh) => {
                format!("判断项 {question} 没有选项 {option}")
            }
            (Self::UnknownAnswer { question, option }, Lang::En) => {
                format!("question {question} has no option {option}")
            }
            (Self::ReferencedBy { referrers, total }, lang) => {
                let more = total.saturating_sub(referrers.len());
                let list: Vec<String> = referrers
                    .iter()
                    .map(|r| {
                        let at = r.path.label(r.kind, lang);
                        lang.pick(
                            format!("{} {}（{at}）", r.kind.zh(), r.code),
                            format!("{} {} ({at})", r.kind.as_str(), r.code),
                        )
                    })
                    .collect();
                let list = list.join(lang.pick("、", ", "));
                match lang {
                    Lang::Zh if more > 0 => format!("仍被引用：{list} 等 {total} 处"),
                    Lang::Zh => format!("仍被引用：{list}"),
                    Lang::En if more > 0 => {
                        format!("still referenced by {list} and {more} more")
                    }
                    Lang::En => format!("still referenced by {list}"),
                }
            }
            (Self::Decode(e), Lang::Zh) => format!("无法解析：{e}"),
            (Self::Decode(e), Lang::En) => format!("cannot decode: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_the_kind_and_the_field_in_chinese() {
        let unknown = Problem::new(
            Kind::Bundle,
            "QA-Z1",
            "lead_agency",
            Issue::Unknown {
                target: Kind::Agency,
                code: "NOSUCH".into(),
            },
        );
        assert_eq!(
            unknown.describe(Lang::Zh),
            "主题 QA-Z1 牵头部门：未知实施主体 NOSUCH"
        );
        assert_eq!(
            unknown.describe(Lang::En),
            "bundle QA-Z1 lead_agency: unknown agency NOSUCH"
        );
        let few = Problem::new(
            Kind::Bundle,
            "QA-Z1",
            "questions[4].options",
            Issue::TooFewAnswers { count: 1 },
        );
        assert_eq!(
            few.describe(Lang::Zh),
            "主题 QA-Z1 判断项第 5 项的选项：判断项至少要有两个选项（现有 1 个）"
        );
        let twice = Problem::new(
            Kind::Element,
            "DE1",
            "options[3]",
            Issue::DuplicateKey {
                what: "option code",
                key: "p1".into(),
            },
        );
        assert_eq!(
            twice.describe(Lang::Zh),
            "数据元 DE1 选项第 4 项：选项编码 p1 重复"
        );
        assert_eq!(
            twice.describe(Lang::En),
            "element DE1 options[3]: duplicate option code p1"
        );
    }
}
