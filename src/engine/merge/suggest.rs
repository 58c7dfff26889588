//! Suggestions for the unbound fields of a merge: the elements that probably hold their data,
//! best first, and which fields each would bind.
//!
//! Unbound fields are grouped by normalised label. Each label has its candidates, in tiers:
//! an element of the merged form whose name or synonym it is (`element_name` /
//! `element_synonym`), an element of the pool with it as name or synonym (`pool_name` /
//! `pool_synonym`), one whose name reads the same (`pool_pinyin`), a new element when the label
//! is on several forms and no element has it (`same_label`), and last one whose name is one
//! character from it (`pool_similar`, never the default). Within a tier an element that covers
//! more of the bundle's unbound labels comes first, so 联系电话 and 手机号码 on two forms go
//! to the one element that lists both.
//!
//! Two fields of one form never go to one element: form lint would report the element bound
//! twice, and the merge would save nothing (they stay two fields). A field whose form already
//! binds the element, or gives it another field of the same suggestion, goes to the next
//! element that has its label as name or synonym, else it is left out and the suggestion (or
//! [`super::Merge::left_out`]) says why.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

use crate::engine::dups::{Covers, Reason, normalise_into};
use crate::engine::one_per_form::{Held, first_free};
use crate::i18n::Lang;
use crate::model::{Element, Form};

use super::{Code, MergedField, SourceRef};

/// At most this many alternatives per suggestion (a common label can be one character from
/// many names of a large pool).
pub const MAX_ALTERNATIVES: usize = 8;

/// Why a field is not among the fields a suggestion (or one of its alternatives) binds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum LeftOutReason {
    /// Another field of the same form is bound to the element already.
    Bound {
        /// That field's key.
        by: Code,
    },
    /// Another field of the same form goes to the element in this suggestion.
    Taken {
        /// That field's key.
        by: Code,
    },
    /// The element does not cover this field's label (an alternative for the suggestion's
    /// other labels).
    NotCovered,
}

/// A field left out of a suggestion, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// The unbound field.
    pub field: SourceRef,
    /// The element it is not bound to (`None`: the new element).
    pub element: Option<Code>,
    /// Why.
    pub reason: LeftOutReason,
}

impl LeftOut {
    /// The field and why it is left out, in a line:
    /// `BD000003/f91 未纳入：同表的 f90 已在此建议中绑定 DE900001`.
    pub fn describe(&self, lang: Lang) -> String {
        let field = format!("{}/{}", self.field.form, self.field.field);
        let element = self.element.as_deref().map_or_else(
            || lang.pick("新数据元", "the new element").to_string(),
            str::to_string,
        );
        match &self.reason {
            LeftOutReason::Bound { by } => lang.pick(
                format!(
                    "{field} 未纳入：同表的 {by} 已绑定 {element}（一张表单的两个字段不能绑定同一数据元）"
                ),
                format!(
                    "{field} left out: {by} of the same form is bound to {element} already (two fields of one form cannot share an element)"
                ),
            ),
            LeftOutReason::Taken { by } => lang.pick(
                format!("{field} 未纳入：同表的 {by} 已在此建议中绑定 {element}"),
                format!("{field} left out: {by} of the same form goes to {element} here"),
            ),
            LeftOutReason::NotCovered => lang.pick(
                format!("{field} 未纳入：{element} 的名称和同义词与其标签不符"),
                format!("{field} left out: {element} does not match its label"),
            ),
        }
    }
}

/// One element (or a new one) that a suggestion's fields could be bound to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The element; `None`: a new element named after the fields' label.
    pub element: Option<Code>,
    /// 0–100.
    pub score: u8,
    /// Why, in a word (see [`reason_text`]).
    pub reason: &'static str,
    /// How many of the bundle's unbound labels the element has as its name or a synonym, or
    /// reads as (0 for a new element, and for one only one character from them).
    pub covers: usize,
    /// The fields choosing it binds: at most one per form.
    pub fields: Vec<SourceRef>,
    /// The suggestion's fields it leaves unbound, and why.
    pub left_out: Vec<LeftOut>,
}

/// A reason of a [`Candidate`] or [`super::Suggestion`] in words.
pub fn reason_text(reason: &str, lang: Lang) -> &'static str {
    match reason {
        "element_name" => lang.pick("合并表单已用，名称相同", "on the merged form, same name"),
        "element_synonym" => lang.pick("合并表单已用，同义词", "on the merged form, a synonym"),
        "pool_name" => lang.pick("名称相同", "same name"),
        "pool_synonym" => lang.pick("同义词", "a synonym"),
        "pool_pinyin" => lang.pick("读音相同", "reads the same"),
        "pool_similar" => lang.pick("名称仅差一字", "name one character apart"),
        "same_label" => lang.pick("各表同一标签", "same label on several forms"),
        _ => "",
    }
}

/// `，覆盖本主题 N 个标签` when an element covers more than one of the bundle's unbound
/// labels (empty otherwise).
pub fn covers_text(covers: usize, lang: Lang) -> String {
    if covers > 1 {
        lang.pick(
            format!("，覆盖本主题 {covers} 个标签"),
            format!(", covers {covers} of the bundle's labels"),
        )
    } else {
        String::new()
    }
}

impl Candidate {
    /// Why and how sure, in a phrase: `同义词 90，覆盖本主题 2 个标签`.
    pub fn why(&self, lang: Lang) -> String {
        format!(
            "{} {}{}",
            reason_text(self.reason, lang),
            self.score,
            covers_text(self.covers, lang)
        )
    }
}

/// Tiers of candidates, best first.
const TIER_MERGED: u8 = 0;
const TIER_POOL: u8 = 1;
const TIER_PINYIN: u8 = 2;
const TIER_NEW: u8 = 3;
const TIER_SIMILAR: u8 = 4;

/// A candidate of one label group, before fields are assigned.
#[derive(Clone, Debug)]
struct Cand {
    element: Option<Code>,
    score: u8,
    reason: &'static str,
    tier: u8,
}

/// The unbound fields of one normalised label.
struct Group<'a> {
    /// The normalised label.
    label: String,
    /// The fields, in form order.
    fields: Vec<&'a SourceRef>,
    /// Ranked candidates.
    cands: Vec<Cand>,
}

/// What a suggestion binds to: an element, or the new element of a label group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Element(Code),
    New(usize),
}

impl Key {
    fn of(c: &Cand, group: usize) -> Key {
        match &c.element {
            Some(e) => Key::Element(e.clone()),
            None => Key::New(group),
        }
    }
}

/// Suggestions for the unbound fields among `fields` (the merged fields), with the fields
/// left out of every suggestion; `merged` are the merged form's elements (code and record, in
/// field order), `forms` the merged forms (a form binding an element anywhere, even in a
/// hidden field, takes no second field for it), `pool` the element pool's covers.
pub(super) fn suggestions(
    fields: &[MergedField],
    merged: &[(&Code, &Element)],
    forms: &[&Form],
    pool: Option<&Covers>,
) -> (Vec<super::Suggestion>, Vec<LeftOut>) {
    // unbound fields by normalised label, in first-appearance order, with the first label
    let mut buffer = String::new();
    let mut by_label: HashMap<String, usize> = HashMap::default();
    let mut labels: Vec<&str> = Vec::new();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for field in fields.iter().filter(|f| f.element.is_none()) {
        normalise_into(&field.label, &mut buffer);
        let k = match by_label.get(buffer.as_str()) {
            Some(&k) => k,
            None => {
                by_label.insert(buffer.clone(), groups.len());
                labels.push(field.label.as_str());
                groups.push(Group {
                    label: buffer.clone(),
                    fields: Vec::new(),
                    cands: Vec::new(),
                });
                groups.len() - 1
            }
        };
        groups[k].fields.extend(field.sources.iter());
    }
    if groups.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // the merged form's elements whose name or a synonym is a label, in field order
    for (code, e) in merged {
        for (i, name) in std::iter::once(&e.name).chain(&e.synonyms).enumerate() {
            normalise_into(name, &mut buffer);
            let Some(&k) = by_label.get(buffer.as_str()) else {
                continue;
            };
            let cands = &mut groups[k].cands;
            if !cands.iter().any(|c| c.element.as_ref() == Some(*code)) {
                cands.push(Cand {
                    element: Some((*code).clone()),
                    score: 90,
                    reason: if i == 0 {
                        "element_name"
                    } else {
                        "element_synonym"
                    },
                    tier: TIER_MERGED,
                });
            }
        }
    }
    for (k, group) in groups.iter_mut().enumerate() {
        more_candidates(labels[k], group, pool);
    }
    // how many labels each element covers (by name, synonym or reading: a similar name is no
    // cover); within a tier, more first
    let mut covers: HashMap<Code, usize> = HashMap::default();
    for group in &groups {
        for c in group.cands.iter().filter(|c| c.tier <= TIER_PINYIN) {
            if let Some(e) = &c.element {
                *covers.entry(e.clone()).or_default() += 1;
            }
        }
    }
    let covers_of = |c: &Cand| {
        c.element
            .as_ref()
            .and_then(|e| covers.get(e))
            .copied()
            .unwrap_or(0)
    };
    for group in &mut groups {
        group
            .cands
            .sort_by_key(|c| (c.tier, std::cmp::Reverse(covers_of(c))));
    }
    let bound = bindings(forms, &groups);
    let (mut out, keys, left) = assign(&groups, &bound, &covers_of);
    for (s, key) in out.iter_mut().zip(&keys) {
        s.alternatives = alternatives(s, key, &groups, &bound, &covers_of);
    }
    // left-out fields go with the suggestion of their element, if there is one
    let mut rest = Vec::new();
    for lo in left {
        let home = out
            .iter_mut()
            .zip(&keys)
            .find(|(s, key)| match (key, &lo.reason) {
                (Key::Element(e), _) => lo.element.as_ref() == Some(e),
                (Key::New(_), LeftOutReason::Taken { by }) => {
                    lo.element.is_none()
                        && s.fields
                            .iter()
                            .any(|f| f.form == lo.field.form && f.field == *by)
                }
                _ => false,
            });
        match home {
            Some((s, _)) => s.left_out.push(lo),
            None => rest.push(lo),
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.fields.cmp(&b.fields)));
    (out, rest)
}

/// Adds the pool's candidates of one label to the merged form's (unranked within tiers).
fn more_candidates(label: &str, group: &mut Group<'_>, pool: Option<&Covers>) {
    let cands = &mut group.cands;
    let known = |cands: &[Cand], e: &str| cands.iter().any(|c| c.element.as_deref() == Some(e));
    if let Some(pool) = pool {
        for cover in pool.candidates(label) {
            if known(cands, cover.element) {
                continue;
            }
            let (reason, tier) = match cover.reason {
                Reason::SameName => ("pool_name", TIER_POOL),
                Reason::SynonymOfOther => ("pool_synonym", TIER_POOL),
                _ => ("pool_pinyin", TIER_PINYIN),
            };
            cands.push(Cand {
                element: Some(Code::from(cover.element)),
                score: cover.score,
                reason,
                tier,
            });
        }
    }
    // a new element for a label on several forms that no element has as name or synonym:
    // less likely than an element that reads the same
    let exact = cands.iter().any(|c| c.tier <= TIER_POOL);
    let forms: HashSet<&str> = group.fields.iter().map(|f| f.form.as_str()).collect();
    if !exact && forms.len() > 1 {
        cands.push(Cand {
            element: None,
            score: if cands.is_empty() { 80 } else { 60 },
            reason: "same_label",
            tier: TIER_NEW,
        });
    }
    if let Some(pool) = pool {
        for cover in pool.similar(label) {
            if !known(cands, cover.element) {
                cands.push(Cand {
                    element: Some(Code::from(cover.element)),
                    score: cover.score,
                    reason: "pool_similar",
                    tier: TIER_SIMILAR,
                });
            }
        }
    }
}

/// (form, element) → the key of the form's first field bound to it, for every element that
/// is a candidate (every field of the form, hidden ones too: form lint counts them).
type Bound<'a> = HashMap<(&'a str, &'a str), &'a crate::model::Field>;

fn bindings<'a>(forms: &[&'a Form], groups: &[Group<'_>]) -> Bound<'a> {
    let wanted: HashSet<&str> = groups
        .iter()
        .flat_map(|g| &g.cands)
        .filter_map(|c| c.element.as_deref())
        .collect();
    let mut bound = HashMap::default();
    for form in forms {
        for (_, _, f) in form.fields() {
            if let Some(e) = f.element.as_deref().filter(|e| wanted.contains(e)) {
                bound.entry((form.code.as_str(), e)).or_insert(f);
            }
        }
    }
    bound
}

/// Assigns every field to its first candidate (up to a new element: a similar name is never
/// assumed). When its form cannot take that one (it binds the element already, or gives it
/// another field here), the field goes to the next element that has its label as name or
/// synonym (as strong a match), unless that other field has the same label: two fields of
/// one form with one label are a duplicate or two data, and which element is which cannot
/// be guessed; else it is left out (the rule is [`first_free`], which form lint follows
/// too). Labels with fewer such elements choose first, so a
/// field with a second choice leaves the first to one without. Returns the suggestions
/// (without alternatives), their keys, and the fields left out of every suggestion.
fn assign(
    groups: &[Group<'_>],
    bound: &Bound<'_>,
    covers_of: &impl Fn(&Cand) -> usize,
) -> (Vec<super::Suggestion>, Vec<Key>, Vec<LeftOut>) {
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&k| {
        groups[k]
            .cands
            .iter()
            .filter(|c| c.tier <= TIER_POOL)
            .count()
    });
    let mut out: Vec<super::Suggestion> = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    // (form, key) → the field of that form the key's suggestion takes, and its label group
    let mut taken: HashMap<(&str, Key), (&str, usize)> = HashMap::default();
    // per field placed: its suggestion and the first candidate it could not take
    let mut placed: Vec<(usize, &SourceRef, Option<LeftOut>)> = Vec::new();
    let mut left: Vec<LeftOut> = Vec::new();
    let mut buffer = String::new();
    for k in order {
        let group = &groups[k];
        for &f in &group.fields {
            // the form's field that has the element already (or is given it here), and
            // whether its label is this one
            let chosen = first_free(
                group.cands.iter().filter(|c| c.tier <= TIER_NEW),
                |c| c.tier <= TIER_POOL,
                |c| {
                    let bound_by = c
                        .element
                        .as_deref()
                        .and_then(|e| bound.get(&(f.form.as_str(), e)));
                    match bound_by {
                        Some(by) => {
                            normalise_into(&by.label, &mut buffer);
                            Some(Held {
                                by: LeftOutReason::Bound {
                                    by: Code::from(by.key.as_str()),
                                },
                                same_label: buffer == group.label,
                            })
                        }
                        None => taken
                            .get(&(f.form.as_str(), Key::of(c, k)))
                            .map(|(by, of)| Held {
                                by: LeftOutReason::Taken {
                                    by: Code::from(*by),
                                },
                                same_label: *of == k,
                            }),
                    }
                },
            );
            let first_skip = chosen.passed.map(|(c, reason)| LeftOut {
                field: f.clone(),
                element: c.element.clone(),
                reason,
            });
            let Some(c) = chosen.offered else {
                left.extend(first_skip);
                continue;
            };
            let key = Key::of(c, k);
            let s = match keys.iter().position(|x| *x == key) {
                Some(s) => {
                    out[s].score = out[s].score.max(c.score);
                    s
                }
                None => {
                    out.push(super::Suggestion {
                        fields: Vec::new(),
                        element: c.element.clone(),
                        score: c.score,
                        reason: c.reason,
                        covers: covers_of(c),
                        left_out: Vec::new(),
                        alternatives: Vec::new(),
                    });
                    keys.push(key.clone());
                    out.len() - 1
                }
            };
            out[s].fields.push(f.clone());
            taken.insert((f.form.as_str(), key), (f.field.as_str(), k));
            placed.push((s, f, first_skip));
        }
    }
    // a new element for one field saves nothing: no suggestion (its field may still have
    // been turned away from an element)
    let lone: Vec<bool> = out
        .iter()
        .zip(&keys)
        .map(|(s, key)| matches!(key, Key::New(_)) && s.fields.len() < 2)
        .collect();
    for (s, _, skip) in placed {
        if lone[s] {
            left.extend(skip);
        }
    }
    let mut kept = lone.iter().map(|l| !l);
    out.retain(|_| kept.next().unwrap_or(true));
    let mut kept = lone.iter().map(|l| !l);
    keys.retain(|_| kept.next().unwrap_or(true));
    for s in &mut out {
        s.fields.sort();
    }
    (out, keys, left)
}

/// The other candidates of a suggestion's labels, best first, each with the suggestion's
/// fields it can bind (one per form, none whose form binds it already).
fn alternatives(
    s: &super::Suggestion,
    own: &Key,
    groups: &[Group<'_>],
    bound: &Bound<'_>,
    covers_of: &impl Fn(&Cand) -> usize,
) -> Vec<Candidate> {
    // each field's label group
    let group_of = |f: &SourceRef| groups.iter().position(|g| g.fields.contains(&f));
    let of_fields: Vec<Option<usize>> = s.fields.iter().map(group_of).collect();
    let mut seen: Vec<Key> = vec![own.clone()];
    let mut cands: Vec<(&Cand, Key)> = Vec::new();
    for k in of_fields.iter().flatten() {
        for c in &groups[*k].cands {
            let key = Key::of(c, *k);
            if !seen.contains(&key) {
                seen.push(key.clone());
                cands.push((c, key));
            }
        }
    }
    cands.sort_by_key(|(c, _)| (c.tier, std::cmp::Reverse(covers_of(c))));
    let mut out = Vec::new();
    for (c, key) in cands {
        let mut fields: Vec<SourceRef> = Vec::new();
        let mut left_out = Vec::new();
        for (f, k) in s.fields.iter().zip(&of_fields) {
            let covered = k.is_some_and(|k| groups[k].cands.iter().any(|x| Key::of(x, k) == key));
            let reason = if !covered {
                Some(LeftOutReason::NotCovered)
            } else if let Some(by) = c
                .element
                .as_deref()
                .and_then(|e| bound.get(&(f.form.as_str(), e)))
            {
                Some(LeftOutReason::Bound {
                    by: Code::from(by.key.as_str()),
                })
            } else {
                fields
                    .iter()
                    .find(|x| x.form == f.form)
                    .map(|x| LeftOutReason::Taken {
                        by: x.field.clone(),
                    })
            };
            match reason {
                Some(reason) => left_out.push(LeftOut {
                    field: f.clone(),
                    element: c.element.clone(),
                    reason,
                }),
                None => fields.push(f.clone()),
            }
        }
        let enough = if c.element.is_some() { 1 } else { 2 };
        if fields.len() < enough {
            continue;
        }
        out.push(Candidate {
            element: c.element.clone(),
            score: c.score,
            reason: c.reason,
            covers: covers_of(c),
            fields,
            left_out,
        });
        if out.len() == MAX_ALTERNATIVES {
            break;
        }
    }
    out
}
