//! Attributes shared by several record kinds: workflow status, origin, conditions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Workflow state of a record: draft 待提交 → submitted 待审核 → published 已发布, or returned 退回.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 待提交: being edited.
    #[default]
    Draft,
    /// 待审核: waiting for a reviewer.
    Submitted,
    /// 已发布: in force.
    Published,
    /// 退回: sent back by a reviewer.
    Returned,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 4] = [
        Self::Draft,
        Self::Submitted,
        Self::Published,
        Self::Returned,
    ];

    /// The interchange spelling (`draft`, `submitted`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::Returned => "returned",
        }
    }

    /// The Chinese label used in the documents.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Draft => "待提交",
            Self::Submitted => "待审核",
            Self::Published => "已发布",
            Self::Returned => "退回",
        }
    }
}

/// Whether a record was claimed from a template (认领) or built locally (自建).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// 认领: copied from a template of a higher level.
    Claimed,
    /// 自建: built here.
    #[default]
    SelfBuilt,
}

impl Origin {
    /// The interchange spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::SelfBuilt => "self_built",
        }
    }
}

/// A condition: question key → the option keys under which the guarded thing is visible.
///
/// Visible iff every listed question's answer is among its options; an unanswered question
/// makes the condition false. No condition (`None`) means "always".
pub type When = BTreeMap<String, Vec<String>>;

/// Evaluates a condition against answers (question key → chosen option key).
pub fn when_holds(when: Option<&When>, answers: &BTreeMap<String, String>) -> bool {
    when.is_none_or(|w| {
        w.iter().all(|(question, allowed)| {
            answers
                .get(question)
                .is_some_and(|answer| allowed.iter().any(|a| a == answer))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(q, a)| (q.to_string(), a.to_string()))
            .collect()
    }

    #[test]
    fn no_condition_always_holds() {
        assert!(when_holds(None, &answers(&[])));
    }

    #[test]
    fn condition_needs_every_question_answered_within_its_options() {
        let when: When = [
            (
                "scale".to_string(),
                vec!["large".to_string(), "medium".to_string()],
            ),
            ("alcohol".to_string(), vec!["yes".to_string()]),
        ]
        .into();
        assert!(when_holds(
            Some(&when),
            &answers(&[("scale", "large"), ("alcohol", "yes")])
        ));
        assert!(!when_holds(
            Some(&when),
            &answers(&[("scale", "small"), ("alcohol", "yes")])
        ));
        // an unanswered question makes the condition false
        assert!(!when_holds(Some(&when), &answers(&[("scale", "large")])));
    }
}
