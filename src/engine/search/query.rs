//! The search query syntax: free text plus `kind:`, `status:` and `agency:` filters.

use std::fmt;

use crate::i18n::Lang;
use crate::model::{ElementKind, Status};

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The free text, lower-cased, words joined without spaces.
    pub text: String,
    /// Only elements of this kind.
    pub kind: Option<ElementKind>,
    /// Only elements in this status.
    pub status: Option<Status>,
    /// Only elements whose source agency code or name contains this (lower-cased).
    pub agency: Option<String>,
}

/// Why a query could not be parsed; shown in English by `Display`, in either language by
/// [`QueryError::describe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// `kind:` with an unknown kind.
    Kind(String),
    /// `status:` with an unknown status.
    Status(String),
    /// A `word:` filter that does not exist.
    Filter(String),
}

impl QueryError {
    /// What is wrong and what is allowed instead, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Kind(kind), Lang::Zh) => {
                format!("未知的类型 {kind:?}（例如 kind:cn_id、kind:text）")
            }
            (Self::Kind(kind), Lang::En) => {
                format!("unknown kind {kind:?} (e.g. kind:cn_id, kind:text)")
            }
            (Self::Status(status), Lang::Zh) => {
                let allowed: Vec<String> = Status::ALL
                    .iter()
                    .map(|s| format!("{}/{}", s.as_str(), s.zh()))
                    .collect();
                format!("未知的状态 {status:?}（可用 {}）", allowed.join("、"))
            }
            (Self::Status(status), Lang::En) => {
                let allowed: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown status {status:?} ({})", allowed.join(", "))
            }
            (Self::Filter(name), Lang::Zh) => {
                format!("未知的筛选条件 {name:?}（可用 kind:、status:、agency:）")
            }
            (Self::Filter(name), Lang::En) => {
                format!("unknown filter {name:?} (kind:, status:, agency:)")
            }
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Parses `kind:cn_id 号码` and the like. Filters combine with the text (AND).
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let mut query = Query::default();
        let mut words = Vec::new();
        for word in input.split_whitespace() {
            match word.split_once(':') {
                Some((name, value))
                    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic()) =>
                {
                    match name.to_ascii_lowercase().as_str() {
                        "kind" => {
                            query.kind = Some(
                                ElementKind::from_name(value)
                                    .ok_or_else(|| QueryError::Kind(value.into()))?,
                            )
                        }
                        "status" => {
                            query.status = Some(
                                Status::ALL
                                    .into_iter()
                                    .find(|s| s.as_str() == value || s.zh() == value)
                                    .ok_or_else(|| QueryError::Status(value.into()))?,
                            )
                        }
                        "agency" => query.agency = Some(value.to_lowercase()),
                        _ => return Err(QueryError::Filter(name.into())),
                    }
                }
                _ => words.push(word.to_lowercase()),
            }
        }
        query.text = words.concat();
        Ok(query)
    }

    /// Whether both queries filter the same way.
    pub fn same_filters(&self, other: &Query) -> bool {
        self.kind == other.kind && self.status == other.status && self.agency == other.agency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_combine_with_text() {
        let q = Query::parse("kind:cn_id 号码 status:published").unwrap();
        assert_eq!(q.kind, Some(ElementKind::CnId));
        assert_eq!(q.status, Some(Status::Published));
        assert_eq!(q.text, "号码");
        let q = Query::parse("agency:市场 Shen Fen").unwrap();
        assert_eq!(q.agency.as_deref(), Some("市场"));
        assert_eq!(q.text, "shenfen");
    }

    #[test]
    fn bad_filters_say_what_is_allowed() {
        assert_eq!(
            Query::parse("kind:idcard"),
            Err(QueryError::Kind("idcard".into()))
        );
        assert!(
            Query::parse("status:done")
                .unwrap_err()
                .to_string()
                .contains("published")
        );
        assert_eq!(
            Query::parse("foo:bar"),
            Err(QueryError::Filter("foo".into()))
        );
        // a colon inside ordinary text is text
        assert_eq!(Query::parse("10:30").unwrap().text, "10:30");
    }

    #[test]
    fn errors_read_in_either_language() {
        let kind = QueryError::Kind("foo".into());
        assert_eq!(
            kind.describe(Lang::En),
            r#"unknown kind "foo" (e.g. kind:cn_id, kind:text)"#
        );
        assert_eq!(kind.to_string(), kind.describe(Lang::En));
        assert_eq!(
            kind.describe(Lang::Zh),
            r#"未知的类型 "foo"（例如 kind:cn_id、kind:text）"#
        );
        assert_eq!(
            QueryError::Status("done".into()).describe(Lang::En),
            r#"unknown status "done" (draft, submitted, published, returned)"#
        );
        let status = QueryError::Status("done".into()).describe(Lang::Zh);
        assert!(
            status.starts_with("未知的状态") && status.contains("published/"),
            "{status}"
        );
        assert_eq!(
            QueryError::Filter("foo".into()).describe(Lang::Zh),
            r#"未知的筛选条件 "foo"（可用 kind:、status:、agency:）"#
        );
    }
}
