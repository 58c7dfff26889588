//! The invariants every stored record keeps: valid codes, unique keys, references that
//! resolve, item levels that nest, and no cycle through `parent` or `depends_on`.

use std::collections::{BTreeSet, HashMap, HashSet};

use compact_str::CompactString;

use super::catalog::Catalog;
use super::common::When;
use super::problem::{Issue, Problem};
use super::record::{Kind, Record, RecordRef};
use super::{Bundle, Element, ElementKind, Form, Item, ItemLevel, Question};

/// Longest code the store accepts, in bytes.
pub const MAX_CODE_LEN: usize = 128;

/// Anything records can be looked up in.
pub trait Lookup {
    /// The record of `kind` with `code`, if any.
    fn lookup(&self, kind: Kind, code: &str) -> Option<RecordRef<'_>>;
}

impl Lookup for Catalog {
    fn lookup(&self, kind: Kind, code: &str) -> Option<RecordRef<'_>> {
        self.get(kind, code)
    }
}

/// Pending changes keyed by kind and code: `Some` upserts, `None` deletes.
pub type Changes = HashMap<(Kind, String), Option<Record>>;

/// A catalog seen through pending changes.
pub struct Overlay<'a> {
    /// The committed records: a loaded catalog, or a store's read as they are looked up.
    pub base: &'a dyn Lookup,
    /// The pending changes.
    pub changes: &'a Changes,
}

impl Lookup for Overlay<'_> {
    fn lookup(&self, kind: Kind, code: &str) -> Option<RecordRef<'_>> {
        match self.changes.get(&(kind, code.to_string())) {
            Some(change) => change.as_ref().map(Record::as_ref),
            None => self.base.lookup(kind, code),
        }
    }
}

/// What the invariants look up of the records a record is checked against: whether one is
/// there, and the few facts of it that are checked (a template's flag, an item's level, the
/// codes it points to along a relation that must stay acyclic). A whole catalog answers it
/// (every [`Lookup`]), and so does a [`Skeleton`](super::skeleton::Skeleton) of a store's
/// records, read without loading them.
pub trait View {
    /// Whether the record of `kind` with `code` is there.
    fn has(&self, kind: Kind, code: &str) -> bool;
    /// Whether the record of `kind` with `code` is a template (`None`: it is not there).
    fn is_template(&self, kind: Kind, code: &str) -> Option<bool>;
    /// The level of the item `code` (`None`: it is not there).
    fn item_level(&self, code: &str) -> Option<ItemLevel>;
    /// The codes the record of `kind` with `code` points to along `relation` (`parent`, or an
    /// item's `depends_on`), in its order (`None`: it is not there).
    fn edges(&self, kind: Kind, code: &str, relation: &str) -> Option<Vec<&str>>;
}

impl<L: Lookup> View for L {
    fn has(&self, kind: Kind, code: &str) -> bool {
        self.lookup(kind, code).is_some()
    }

    fn is_template(&self, kind: Kind, code: &str) -> Option<bool> {
        self.lookup(kind, code).map(RecordRef::is_template)
    }

    fn item_level(&self, code: &str) -> Option<ItemLevel> {
        match self.lookup(Kind::Item, code)? {
            RecordRef::Item(item) => Some(item.level),
            _ => None,
        }
    }

    fn edges(&self, kind: Kind, code: &str, relation: &str) -> Option<Vec<&str>> {
        self.lookup(kind, code).map(|r| edges(r, relation))
    }
}

/// Checks records against a view of the whole catalog; each new cycle is reported once.
pub fn check_records<'r>(
    view: &impl View,
    records: impl IntoIterator<Item = RecordRef<'r>>,
) -> Vec<Problem> {
    let mut checker = Checker::default();
    let mut problems = Vec::new();
    for record in records {
        problems.extend(checker.check(view, record));
    }
    problems
}

/// Checks records one after another against a view of the whole catalog, as
/// [`check_records`] does (which is this over them): a cycle is reported at the first of its
/// records checked, and only there.
#[derive(Default)]
pub struct Checker {
    /// The cycles reported: the kind, the relation and the codes on it.
    cycles_seen: HashSet<(Kind, &'static str, BTreeSet<String>)>,
}

impl Checker {
    /// The problems of `record`: [`check_record`]'s, and a cycle through it along one of its
    /// kind's relations that no record checked before was reported on.
    pub fn check(&mut self, view: &impl View, record: RecordRef<'_>) -> Vec<Problem> {
        let mut problems = check_record(view, record);
        for (relation, cycle) in cycles_through(view, record) {
            problems.extend(self.new_cycle(record.kind(), record.code(), relation, cycle));
        }
        problems
    }

    /// The problem of a cycle through the record of `kind` with `code` along `relation`
    /// (found by [`cycles_through`]), unless a record checked before reported it.
    pub fn new_cycle(
        &mut self,
        kind: Kind,
        code: &str,
        relation: &'static str,
        cycle: Vec<String>,
    ) -> Option<Problem> {
        let members: BTreeSet<String> = cycle.iter().cloned().collect();
        self.cycles_seen
            .insert((kind, relation, members))
            .then(|| Problem::new(kind, code, relation, Issue::Cycle { codes: cycle }))
    }
}

/// The cycles through `record` along its kind's relations that must stay acyclic: each
/// relation, and the codes from the record back to it.
pub fn cycles_through(view: &impl View, record: RecordRef<'_>) -> Vec<(&'static str, Vec<String>)> {
    relations(record.kind())
        .iter()
        .filter_map(|&relation| Some((relation, find_cycle(view, record, relation)?)))
        .collect()
}

/// Checks one record: code, name, its own keys and every reference (not cycles).
pub fn check_record(view: &impl View, record: RecordRef<'_>) -> Vec<Problem> {
    let kind = record.kind();
    let code = record.code();
    let mut out = Vec::new();
    let mut push = |path: &str, issue: Issue| out.push(Problem::new(kind, code, path, issue));

    if let Err(issue) = check_code(code) {
        push("code", issue);
    }
    if record.name().trim().is_empty() {
        push("name", Issue::EmptyName);
    }
    for reference in record.references() {
        if reference.target == kind && reference.code == code {
            push(&reference.path.to_string(), Issue::SelfReference);
        } else if !view.has(reference.target, reference.code) {
            push(
                &reference.path.to_string(),
                Issue::Unknown {
                    target: reference.target,
                    code: reference.code.to_string(),
                },
            );
        }
    }
    // 模板库: an entry claimed from a template names a template of its own kind
    let template_of = match record {
        RecordRef::Item(i) => i.template_of.as_deref(),
        RecordRef::Material(m) => m.template_of.as_deref(),
        RecordRef::Bundle(b) => b.template_of.as_deref(),
        _ => None,
    };
    if let Some(template) = template_of
        && template != code
        && view.is_template(kind, template) == Some(false)
    {
        push(
            "template_of",
            Issue::NotATemplate {
                code: template.to_string(),
            },
        );
    }
    match record {
        RecordRef::Region(r) => {
            if super::region::region_level(&r.code).is_none() {
                push("code", Issue::BadRegionCode);
            }
        }
        RecordRef::Element(e) => check_element(e, &mut push),
        RecordRef::Item(i) => check_item(view, i, &mut push),
        RecordRef::Form(f) => check_form(f, &mut push),
        RecordRef::Bundle(b) => check_bundle(b, &mut push),
        RecordRef::Agency(_) | RecordRef::Material(_) => {}
    }
    out
}

/// A code is 1..=128 bytes with no control character and no surrounding space.
pub fn check_code(code: &str) -> Result<(), Issue> {
    if code.is_empty() {
        return Err(Issue::EmptyCode);
    }
    if code.len() > MAX_CODE_LEN {
        return Err(Issue::BadCode("longer than 128 bytes"));
    }
    if code.trim() != code {
        return Err(Issue::BadCode("leading or trailing space"));
    }
    if code.chars().any(char::is_control) {
        return Err(Issue::BadCode("control character"));
    }
    Ok(())
}

fn check_element(e: &Element, push: &mut impl FnMut(&str, Issue)) {
    if !(1..=4).contains(&e.security_level) {
        push("security_level", Issue::SecurityLevel(e.security_level));
    }
    match (&e.pattern, e.kind) {
        (None, ElementKind::Pattern) => push("pattern", Issue::MissingPattern),
        (Some(p), _) => {
            if let Err(err) = super::pattern::compile(p) {
                push("pattern", Issue::BadPattern(err.to_string()));
            }
        }
        (None, _) => {}
    }
    let codes: HashSet<&str> = e.options.iter().map(|o| o.code.as_str()).collect();
    duplicates(e.options.iter().map(|o| o.code.as_str()), |key| {
        push(
            "options",
            Issue::DuplicateKey {
                what: "option code",
                key,
            },
        )
    });
    for (i, option) in e.options.iter().enumerate() {
        if let Some(parent) = &option.parent
            && !codes.contains(parent.as_str())
        {
            push(
                &format!("options[{i}].parent"),
                Issue::UnknownOptionParent {
                    parent: parent.to_string(),
                },
            );
        }
    }
    check_option_cycles(e, push);
}

/// Reports each cycle of option parents once, at the first option on it: an option that is
/// its own parent (`c3` under `c3`) or a chain that comes back to where it started.
fn check_option_cycles(e: &Element, push: &mut impl FnMut(&str, Issue)) {
    let parent_of: HashMap<&str, &str> = e
        .options
        .iter()
        .filter_map(|o| Some((o.code.as_str(), o.parent.as_deref()?)))
        .collect();
    let mut reported: HashSet<&str> = HashSet::new();
    for (i, option) in e.options.iter().enumerate() {
        let start = option.code.as_str();
        if reported.contains(start) {
            continue;
        }
        // follow the chain; it is on a cycle through `start` if it comes back to it
        let mut chain = vec![start];
        let mut at = start;
        while let Some(&next) = parent_of.get(at) {
            if next == start {
                chain.push(next);
                reported.extend(chain.iter().copied());
                push(
                    &format!("options[{i}].parent"),
                    Issue::OptionParentCycle {
                        codes: chain.iter().map(|c| c.to_string()).collect(),
                    },
                );
                break;
            }
            if chain.contains(&next) {
                // a cycle further up that does not pass through `start`
                break;
            }
            chain.push(next);
            at = next;
        }
    }
}

fn check_item(view: &impl View, item: &Item, push: &mut impl FnMut(&str, Issue)) {
    match (item.level.parent_level(), &item.parent) {
        (None, Some(_)) => push("parent", Issue::MainWithParent),
        (Some(expected), Some(parent)) => {
            if let Some(found) = view.item_level(parent)
                && found != expected
            {
                push(
                    "parent",
                    Issue::WrongParentLevel {
                        parent: parent.to_string(),
                        expected,
                        found,
                    },
                );
            }
        }
        _ => {}
    }
    if item.legal_limit_days > 0 && item.time_limit_days > item.legal_limit_days {
        push(
            "time_limit_days",
            Issue::PromiseOverLegal {
                promised: item.time_limit_days,
                legal: item.legal_limit_days,
            },
        );
    }
    duplicates(item.depends_on.iter().map(CompactString::as_str), |key| {
        push("depends_on", Issue::DuplicateKey { what: "item", key })
    });
    duplicates(item.materials.iter().map(CompactString::as_str), |key| {
        push(
            "materials",
            Issue::DuplicateKey {
                what: "material",
                key,
            },
        )
    });
}

fn check_form(form: &Form, push: &mut impl FnMut(&str, Issue)) {
    duplicates(form.fields().map(|(_, _, f)| f.key.as_str()), |key| {
        push(
            "sections",
            Issue::DuplicateKey {
                what: "field key",
                key,
            },
        )
    });
    for (s, i, field) in form.fields() {
        if let Err(issue) = check_code(&field.key) {
            push(&format!("sections[{s}].fields[{i}].key"), issue);
        }
        if field.label.trim().is_empty() {
            push(
                &format!("sections[{s}].fields[{i}].label"),
                Issue::EmptyName,
            );
        }
    }
}

fn check_bundle(b: &Bundle, push: &mut impl FnMut(&str, Issue)) {
    duplicates(b.items.iter().map(String::as_str), |key| {
        push("items", Issue::DuplicateKey { what: "item", key })
    });
    duplicates(b.questions.iter().map(|q| q.key.as_str()), |key| {
        push(
            "questions",
            Issue::DuplicateKey {
                what: "question key",
                key,
            },
        )
    });
    for (i, q) in b.questions.iter().enumerate() {
        if q.options.len() < 2 {
            push(
                &format!("questions[{i}].options"),
                Issue::TooFewAnswers {
                    count: q.options.len(),
                },
            );
        }
        duplicates(q.options.iter().map(|o| o.key.as_str()), |key| {
            push(
                &format!("questions[{i}].options"),
                Issue::DuplicateKey {
                    what: "option key",
                    key,
                },
            )
        });
    }
    let in_bundle = |item: &str| b.items.iter().any(|i| i == item);
    for (item, when) in &b.item_when {
        let path = format!("item_when.{item}");
        if !in_bundle(item) {
            push(&path, Issue::NotInBundle { item: item.clone() });
        }
        check_when(&b.questions, when, &path, push);
    }
    for (i, m) in b.materials.iter().enumerate() {
        if !in_bundle(&m.item) {
            push(
                &format!("materials[{i}].item"),
                Issue::NotInBundle {
                    item: m.item.clone(),
                },
            );
        }
        if let Some(when) = &m.when {
            check_when(&b.questions, when, &format!("materials[{i}].when"), push);
        }
    }
}

/// Reports condition entries that name a question or option the bundle does not have.
fn check_when(questions: &[Question], when: &When, path: &str, push: &mut impl FnMut(&str, Issue)) {
    for (question, options) in when {
        let path = format!("{path}.{question}");
        match questions.iter().find(|q| &q.key == question) {
            None => push(
                &path,
                Issue::UnknownQuestion {
                    question: question.clone(),
                },
            ),
            Some(q) => {
                for option in options {
                    if !q.options.iter().any(|o| &o.key == option) {
                        push(
                            &path,
                            Issue::UnknownAnswer {
                                question: question.clone(),
                                option: option.clone(),
                            },
                        );
                    }
                }
            }
        }
    }
}

/// Calls `report` once for each key that appears more than once.
fn duplicates<'a>(keys: impl Iterator<Item = &'a str>, mut report: impl FnMut(String)) {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for key in keys {
        if !seen.insert(key) && reported.insert(key) {
            report(key.to_string());
        }
    }
}

/// The relations of a kind that must stay acyclic.
fn relations(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Region | Kind::Element => &["parent"],
        Kind::Item => &["parent", "depends_on"],
        _ => &[],
    }
}

/// Outgoing edges of a record along a relation.
fn edges<'a>(record: RecordRef<'a>, relation: &str) -> Vec<&'a str> {
    match (record, relation) {
        (RecordRef::Region(r), "parent") => r.parent.as_deref().into_iter().collect(),
        (RecordRef::Element(e), "parent") => e.parent.as_deref().into_iter().collect(),
        (RecordRef::Item(i), "parent") => i.parent.as_deref().into_iter().collect(),
        (RecordRef::Item(i), "depends_on") => {
            i.depends_on.iter().map(CompactString::as_str).collect()
        }
        _ => Vec::new(),
    }
}

/// A cycle through `start` along `relation`, as codes from `start` back to `start`.
fn find_cycle(view: &impl View, start: RecordRef<'_>, relation: &str) -> Option<Vec<String>> {
    let kind = start.kind();
    let origin = start.code();
    // iterative depth-first search; `path` holds the codes on the current branch
    let mut path: Vec<String> = vec![origin.to_string()];
    let mut stack: Vec<Vec<String>> = vec![
        edges(start, relation)
            .into_iter()
            .map(str::to_string)
            .collect(),
    ];
    let mut visited: HashSet<String> = HashSet::from([origin.to_string()]);
    while let Some(frontier) = stack.last_mut() {
        let Some(next) = frontier.pop() else {
            stack.pop();
            path.pop();
            continue;
        };
        if next == origin {
            path.push(next);
            return Some(path);
        }
        if !visited.insert(next.clone()) {
            continue;
        }
        let Some(found) = view.edges(kind, &next, relation) else {
            continue;
        };
        let mut out: Vec<String> = found.into_iter().map(str::to_string).collect();
        out.reverse();
        path.push(next);
        stack.push(out);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::model::{ElementOption, ItemLevel, ItemType, Origin, Share, Status};

    fn item(code: &str, depends_on: &[&str]) -> Record {
        Record::Item(Item {
            code: code.into(),
            name: format!("事项{code}").into(),
            level: ItemLevel::Main,
            parent: None,
            item_type: ItemType::Licensing,
            agency: None,
            region: None,
            basis: Default::default(),
            time_limit_days: 1,
            legal_limit_days: 2,
            fee: Default::default(),
            online_depth: 0,
            depends_on: depends_on.iter().map(|&s| s.into()).collect(),
            materials: Default::default(),
            status: Status::Draft,
            version: 0,
            origin: Origin::SelfBuilt,
            template: false,
            template_of: None,
        })
    }

    fn problems(records: Vec<Record>) -> Vec<String> {
        let catalog = Catalog::from_records(records);
        check_records(&catalog, catalog.records())
            .iter()
            .map(|p| p.describe(Lang::En))
            .collect()
    }

    #[test]
    fn a_question_needs_two_options() {
        let bundle = |options: serde_json::Value| {
            let b: Bundle = serde_json::from_value(serde_json::json!({
                "code": "ZT1", "name": "主题",
                "questions": [{"key": "q", "text": "问题？", "options": options}],
            }))
            .unwrap();
            problems(vec![Record::Bundle(b)])
        };
        let yes = serde_json::json!({"key": "y", "text": "是"});
        let no = serde_json::json!({"key": "n", "text": "否"});
        assert_eq!(
            bundle(serde_json::json!([])),
            ["bundle ZT1 questions[0].options: a question needs at least two options (it has 0)"]
        );
        assert_eq!(bundle(serde_json::json!([yes.clone()])).len(), 1);
        assert!(bundle(serde_json::json!([yes, no])).is_empty());
    }

    #[test]
    fn the_promised_limit_does_not_exceed_the_legal_one() {
        let with_limits = |promised: u32, legal: u32| {
            let Record::Item(i) = item("A", &[]) else {
                unreachable!("item() builds an item")
            };
            Record::Item(Item {
                time_limit_days: promised,
                legal_limit_days: legal,
                ..i
            })
        };
        let catalog = Catalog::from_records(vec![with_limits(21, 20)]);
        let found = check_records(&catalog, catalog.records());
        assert_eq!(
            found
                .iter()
                .map(|p| p.describe(Lang::En))
                .collect::<Vec<_>>(),
            [
                "item A time_limit_days: the promised limit (21 working days) exceeds the legal limit (20 working days)"
            ]
        );
        assert_eq!(
            found[0].describe(Lang::Zh),
            "事项 A 承诺时限：承诺时限 21 个工作日超过法定时限 20 个工作日"
        );
        // equal limits, and no legal limit set, are fine
        assert!(problems(vec![with_limits(20, 20)]).is_empty());
        assert!(problems(vec![with_limits(2, 0)]).is_empty());
    }

    #[test]
    fn a_diamond_is_not_a_cycle() {
        // D needs B and C, both need A
        let found = problems(vec![
            item("A", &[]),
            item("B", &["A"]),
            item("C", &["A"]),
            item("D", &["B", "C"]),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_long_cycle_is_reported_once_with_its_path() {
        let found = problems(vec![
            item("A", &["B"]),
            item("B", &["C"]),
            item("C", &["D", "A"]),
            item("D", &[]),
        ]);
        assert_eq!(found, ["item A depends_on: cycle A → B → C → A"]);
    }

    #[test]
    fn codes_must_be_printable_and_bounded() {
        assert_eq!(check_code(""), Err(Issue::EmptyCode));
        assert!(check_code("DE\u{1b}[2J").is_err());
        assert!(check_code(" DE1").is_err());
        assert!(check_code(&"x".repeat(MAX_CODE_LEN + 1)).is_err());
        assert!(check_code("511Z07001006-511602000000-000-11511301008778183N-1-00").is_ok());
        assert!(check_code("身份证").is_ok());
    }

    fn linked(options: &[(&str, Option<&str>)]) -> Record {
        let options: Vec<ElementOption> = options
            .iter()
            .map(|&(code, parent)| ElementOption {
                code: code.into(),
                label: format!("选项{code}").into(),
                parent: parent.map(Into::into),
                kind: None,
            })
            .collect();
        let element: Element = serde_json::from_value(serde_json::json!({
            "code": "E1", "name": "所在地区", "kind": "linked_dropdown",
        }))
        .unwrap();
        Record::Element(Element {
            options: options.into(),
            ..element
        })
    }

    #[test]
    fn an_option_is_not_its_own_parent() {
        let found = problems(vec![linked(&[
            ("p1", None),
            ("c1", Some("p1")),
            ("c3", Some("c3")),
        ])]);
        assert_eq!(
            found,
            ["element E1 options[2].parent: option parent cycle c3 → c3"]
        );
    }

    #[test]
    fn option_parent_chains_do_not_cycle() {
        let found = problems(vec![linked(&[
            ("p1", None),
            ("a", Some("c")),
            ("b", Some("a")),
            ("c", Some("b")),
            ("d", Some("a")),
        ])]);
        assert_eq!(
            found,
            ["element E1 options[1].parent: option parent cycle a → c → b → a"]
        );
        let tree = problems(vec![linked(&[
            ("p1", None),
            ("c1", Some("p1")),
            ("d1", Some("c1")),
        ])]);
        assert!(tree.is_empty(), "{tree:?}");
    }

    #[test]
    fn element_attributes_are_checked() {
        let element = Element {
            code: "E1".into(),
            name: "所在地区".into(),
            synonyms: Default::default(),
            kind: ElementKind::LinkedDropdown,
            definition: Default::default(),
            pattern: None,
            options: vec![
                ElementOption {
                    code: "510000".into(),
                    label: "四川省".into(),
                    parent: None,
                    kind: None,
                },
                ElementOption {
                    code: "511600".into(),
                    label: "广安市".into(),
                    parent: Some("500000".into()),
                    kind: None,
                },
                ElementOption {
                    code: "511600".into(),
                    label: "重复".into(),
                    parent: None,
                    kind: None,
                },
            ]
            .into(),
            parent: None,
            unit: None,
            source_agency: Some("NOPE".into()),
            share: Share::Open,
            security_level: 5,
            status: Status::Draft,
            version: 0,
        };
        let found = problems(vec![Record::Element(element)]);
        assert_eq!(
            found,
            [
                "element E1 source_agency: unknown agency NOPE",
                "element E1 security_level: security level 5 must be 1 to 4",
                "element E1 options: duplicate option code 511600",
                "element E1 options[1].parent: unknown parent option 500000",
            ]
        );
    }
}
