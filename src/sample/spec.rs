//! A compact, `const`-buildable description of an element (or of an attribute that
//! generated elements share), turned into [`Element`]s by `elements`.

use crate::model::{ElementKind, Share, Status};

use super::options::Options;

/// Where an element's value list comes from.
#[derive(Clone, Copy)]
pub(super) enum Opts {
    /// No value list.
    None,
    /// A fixed code table.
    List(Options),
    /// The document types of 证件类型, each naming the validator of the paired number.
    IdTypes,
    /// The sample's regions as a province → city → county cascade.
    Regions,
}

/// An element description.
#[derive(Clone, Copy)]
pub(super) struct Spec {
    /// Name (or, for an attribute, the name suffix).
    pub name: &'static str,
    /// Cloud-form type.
    pub kind: ElementKind,
    /// Synonyms (or synonym suffixes).
    pub synonyms: &'static [&'static str],
    /// 定义 (or, for an attribute, the part after the subject).
    pub definition: &'static str,
    /// Value list.
    pub options: Opts,
    /// Unit of measure.
    pub unit: Option<&'static str>,
    /// Regular expression.
    pub pattern: Option<&'static str>,
    /// Name of the composite parent.
    pub parent: Option<&'static str>,
    /// 共享属性.
    pub share: Share,
    /// 安全级别.
    pub security_level: u8,
    /// Department key of the authoritative source (数源部门).
    pub source: Option<&'static str>,
    /// Workflow state.
    pub status: Status,
}

/// An openly shared, level-1, published element description.
pub(super) const fn el(name: &'static str, kind: ElementKind, definition: &'static str) -> Spec {
    Spec {
        name,
        kind,
        synonyms: &[],
        definition,
        options: Opts::None,
        unit: None,
        pattern: None,
        parent: None,
        share: Share::Open,
        security_level: 1,
        source: None,
        status: Status::Published,
    }
}

impl Spec {
    /// Sets the synonyms.
    pub const fn syn(self, synonyms: &'static [&'static str]) -> Self {
        Self { synonyms, ..self }
    }

    /// Sets a fixed value list.
    pub const fn opts(self, options: Options) -> Self {
        Self {
            options: Opts::List(options),
            ..self
        }
    }

    /// Sets a special value list.
    pub const fn with(self, options: Opts) -> Self {
        Self { options, ..self }
    }

    /// Sets the unit.
    pub const fn unit(self, unit: &'static str) -> Self {
        Self {
            unit: Some(unit),
            ..self
        }
    }

    /// Sets the regular expression.
    pub const fn pattern(self, pattern: &'static str) -> Self {
        Self {
            pattern: Some(pattern),
            ..self
        }
    }

    /// Makes the element a child of the composite `parent`.
    pub const fn child_of(self, parent: &'static str) -> Self {
        Self {
            parent: Some(parent),
            ..self
        }
    }

    /// Sets the sharing attribute and the security level.
    pub const fn share(self, share: Share, security_level: u8) -> Self {
        Self {
            share,
            security_level,
            ..self
        }
    }

    /// Sets the source department.
    pub const fn source(self, dept: &'static str) -> Self {
        Self {
            source: Some(dept),
            ..self
        }
    }

    /// Leaves the element a draft (待提交).
    pub const fn draft(self) -> Self {
        Self {
            status: Status::Draft,
            ..self
        }
    }
}
