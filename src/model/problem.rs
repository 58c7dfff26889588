//! Problems found when checking records: what is wrong, where, in zh or en.

use crate::i18n::Lang;

use super::catalog::Referrer;
use super::item::ItemLevel;
use super::record::Kind;

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

    /// `element DE0001 parent: unknown element DE9999` (the form used outside import files).
    pub fn describe(&self, lang: Lang) -> String {
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
            (Self::DuplicateKey { what, key }, Lang::Zh) => format!("{what} {key} 重复"),
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
