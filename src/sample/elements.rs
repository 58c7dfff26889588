//! The element pool (数据元池): hand-written core elements, elements generated from
//! subjects × attributes, and numbered copies for larger scales.

use std::collections::{HashMap, HashSet};

use compact_str::CompactString;
use fastrand::Rng;

use super::element_data::{CORE, GENERATED};
use super::options::Options;
use super::regions::Places;
use super::spec::{Opts, Spec};
use crate::model::{Element, ElementKind, ElementOption, Status};

/// The document types of 证件类型 and the validator of each paired number.
const ID_TYPES: &[(&str, &str, ElementKind)] = &[
    ("01", "居民身份证", ElementKind::CnId),
    ("02", "香港居民身份证", ElementKind::HkId),
    ("03", "澳门居民身份证", ElementKind::MoId),
    ("04", "台湾居民身份证", ElementKind::TwId),
    ("05", "外国护照", ElementKind::PassportForeign),
    ("06", "中国护照", ElementKind::PassportOther),
];

/// Statuses given, in turn, to every `DEMOTE_EVERY`-th generated element no form uses.
const DEMOTED: [Status; 3] = [Status::Submitted, Status::Returned, Status::Draft];
/// How sparse the non-published generated elements are.
const DEMOTE_EVERY: usize = 17;

/// The element code for a sequence number (1-based): `DE000001`.
fn code(n: usize) -> String {
    format!("DE{n:06}")
}

/// The name (or synonym) of a copy made for scale group `group`.
pub(super) fn numbered(name: &str, group: u32) -> String {
    format!("{name}（{group}）")
}

/// The base elements, with lookup by name and the plan for scale copies.
pub(super) struct Pool {
    elements: Vec<Element>,
    by_name: HashMap<String, usize>,
    /// Elements before this index are the hand-written core.
    core_len: usize,
    /// Base indices copied once per extra scale group, in order.
    replicable: Vec<usize>,
    /// For each base index, its position in `replicable`.
    slot: Vec<Option<usize>>,
}

impl Pool {
    /// Builds the core and the generated elements.
    pub fn new(places: &Places) -> Self {
        let mut pool = Self {
            elements: Vec::new(),
            by_name: HashMap::new(),
            core_len: 0,
            replicable: Vec::new(),
            slot: Vec::new(),
        };
        let mut rng = Rng::with_seed(0xDE);
        for spec in CORE {
            let element = pool.element(places, spec, spec.name.to_string(), &mut rng);
            pool.push(element);
        }
        pool.core_len = pool.elements.len();
        pool.generate(places, &mut rng);
        pool.plan_copies();
        pool
    }

    fn push(&mut self, element: Element) {
        self.by_name
            .insert(element.name.to_string(), self.elements.len());
        self.elements.push(element);
    }

    /// Whether a name is taken as a name or a synonym.
    fn taken(&self, name: &str, synonyms: &HashSet<CompactString>) -> bool {
        self.by_name.contains_key(name) || synonyms.contains(name)
    }

    /// Adds subject × attribute elements whose names are still free.
    fn generate(&mut self, places: &Places, rng: &mut Rng) {
        let mut synonyms: HashSet<CompactString> = self
            .elements
            .iter()
            .flat_map(|e| e.synonyms.iter().cloned())
            .collect();
        for (subjects, attributes) in GENERATED {
            for subject in *subjects {
                for attribute in *attributes {
                    let name = format!("{subject}{}", attribute.name);
                    if self.taken(&name, &synonyms) {
                        continue;
                    }
                    let mut element = self.element(places, attribute, name, rng);
                    element.definition = format!("{subject}{}", attribute.definition).into();
                    element.synonyms = attribute
                        .synonyms
                        .iter()
                        .map(|s| compact_str::format_compact!("{subject}{s}"))
                        .filter(|s| !self.taken(s, &synonyms))
                        .collect();
                    synonyms.extend(element.synonyms.iter().cloned());
                    self.push(element);
                }
            }
        }
    }

    /// Copies every element outside a composite (no parent, no children).
    fn plan_copies(&mut self) {
        let parents: HashSet<&str> = self
            .elements
            .iter()
            .filter_map(|e| e.parent.as_deref())
            .collect();
        let mut replicable = Vec::new();
        let mut slot = vec![None; self.elements.len()];
        for (i, e) in self.elements.iter().enumerate() {
            if e.parent.is_none() && !parents.contains(e.code.as_str()) {
                slot[i] = Some(replicable.len());
                replicable.push(i);
            }
        }
        self.replicable = replicable;
        self.slot = slot;
    }

    /// Makes the element `name` from a description.
    fn element(&self, places: &Places, spec: &Spec, name: String, rng: &mut Rng) -> Element {
        let version = if spec.status == Status::Published {
            rng.u32(1..=3)
        } else {
            0
        };
        Element {
            code: code(self.elements.len() + 1).into(),
            name: name.into(),
            synonyms: spec.synonyms.iter().map(|&s| s.into()).collect(),
            kind: spec.kind,
            definition: spec.definition.into(),
            pattern: spec.pattern.map(Into::into),
            options: options(places, spec.options).into(),
            parent: spec
                .parent
                .and_then(|p| self.by_name.get(p))
                .and_then(|&i| self.elements.get(i))
                .map(|p| p.code.as_str().into()),
            unit: spec.unit.map(Into::into),
            source_agency: spec
                .source
                .and_then(|dept| places.top_agency(dept))
                .map(Into::into),
            share: spec.share,
            security_level: spec.security_level,
            status: spec.status,
            version,
        }
    }

    /// The base element named `name`.
    pub fn base(&self, name: &str) -> Option<&Element> {
        self.by_name.get(name).and_then(|&i| self.elements.get(i))
    }

    /// The code of the element named `name` as forms of scale group `group` bind it:
    /// generated elements are bound in their group's copy, core elements are shared.
    pub fn resolve(&self, name: &str, group: u32) -> Option<String> {
        let &i = self.by_name.get(name)?;
        let copy = self.slot.get(i).copied().flatten();
        match copy {
            Some(j) if group > 1 && i >= self.core_len => {
                let extra = usize::try_from(group - 2).ok()?;
                Some(code(
                    self.elements.len() + extra * self.replicable.len() + j + 1,
                ))
            }
            _ => self.elements.get(i).map(|e| e.code.to_string()),
        }
    }

    /// Leaves every `DEMOTE_EVERY`-th generated element that no form binds unpublished.
    pub fn demote_unused(&mut self, used: &HashSet<&str>) {
        let unused = self.elements[self.core_len..]
            .iter_mut()
            .filter(|e| !used.contains(e.code.as_str()));
        for (n, element) in unused.enumerate() {
            if n % DEMOTE_EVERY == DEMOTE_EVERY - 1 {
                element.status = DEMOTED[(n / DEMOTE_EVERY) % DEMOTED.len()];
                element.version = 0;
            }
        }
    }

    /// Every element: the base ones, then one numbered copy set per extra scale group.
    pub fn into_elements(self, scale: u32) -> Vec<Element> {
        let mut all = self.elements;
        all.reserve(self.replicable.len() * (scale.saturating_sub(1) as usize));
        for group in 2..=scale {
            for &i in &self.replicable {
                let mut copy = all[i].clone();
                copy.code = code(all.len() + 1).into();
                copy.name = numbered(&copy.name, group).into();
                for synonym in &mut copy.synonyms {
                    *synonym = numbered(synonym, group).into();
                }
                all.push(copy);
            }
        }
        all
    }
}

/// The value list of a description.
fn options(places: &Places, opts: Opts) -> Vec<ElementOption> {
    match opts {
        Opts::None => Vec::new(),
        Opts::List(list) => fixed(list),
        Opts::IdTypes => ID_TYPES
            .iter()
            .map(|&(code, label, kind)| ElementOption {
                code: code.into(),
                label: label.into(),
                parent: None,
                kind: Some(kind),
            })
            .collect(),
        Opts::Regions => places
            .regions
            .iter()
            .map(|r| ElementOption {
                code: r.code.as_str().into(),
                label: r.name.as_str().into(),
                parent: r.parent.clone().map(Into::into),
                kind: None,
            })
            .collect(),
    }
}

fn fixed(list: Options) -> Vec<ElementOption> {
    list.iter()
        .map(|&(code, label)| ElementOption {
            code: code.into(),
            label: label.into(),
            parent: None,
            kind: None,
        })
        .collect()
}
