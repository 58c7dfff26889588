//! Suggestions for the unbound fields of a merge: the elements that probably hold their data,
//! best first, and which fields each would bind.
//!
//! Unbound fields are grouped by normalised label. Each label has its candidates, strongest
//! reason first ([`reason_rank`]): an element whose name is the label (the merged form's,
//! `element_name`, then the pool's, `pool_name`), one with it as a synonym
//! (`element_synonym`, `pool_synonym`), one whose name reads the same (`element_pinyin` for
//! the merged form's, `pool_pinyin`), a new element when the label is on several forms and no
//! element has it as name or synonym (`same_label`), and last one whose name is one character
//! from it (`pool_similar`, never the default). Between equal reasons an element that covers
//! more of the bundle's unbound labels comes first, so 联系电话 and 手机号码 on two forms go to
//! the one element that lists both.
//!
//! Two fields of one form never go to one element: form lint would report the element bound
//! twice, and the merge would save nothing (they stay two fields). Each form's fields are
//! given their elements by [`one_per_form::assign`], the rule form lint's offers follow. Of
//! two fields of one form that want one element, the stronger match takes it (the field
//! labelled with its name over a synonym over a reading), then the one without a second
//! choice, then the earlier field. A field whose form already binds the element, or gives it
//! another field of the same suggestion, goes to the next element that has its label as name
//! or synonym, else it is left out and the suggestion (or [`super::Merge::left_out`]) says
//! why. A suggestion gives the strongest reason among the fields it binds.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

use crate::engine::dups::{Covers, Reason, normalise_into};
use crate::engine::one_per_form::{self, Held, HeldBy, Match, Unbound};
use crate::i18n::Lang;
use crate::model::{Catalog, Element, Form};

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
        self.describe_new(lang, None)
    }

    /// [`LeftOut::describe`], naming the new element by `new`, the code it will get (when
    /// known, as in the fix dialog): `…已在此建议中绑定新数据元 DE000625`.
    pub fn describe_new(&self, lang: Lang, new: Option<&str>) -> String {
        let field = format!("{}/{}", self.field.form, self.field.field);
        // `DE000009`, `新数据元 DE000625` or `新数据元`; in Chinese a code is set off by a
        // space and the word is not
        let (zh, en) = match (self.element.as_deref(), new) {
            (Some(e), _) => (format!(" {e}"), e.to_string()),
            (None, Some(code)) => (
                format!("新数据元 {code}"),
                format!("the new element {code}"),
            ),
            (None, None) => ("新数据元".to_string(), "the new element".to_string()),
        };
        match &self.reason {
            LeftOutReason::Bound { by } => lang.pick(
                format!(
                    "{field} 未纳入：同表的 {by} 已绑定{zh}（一张表单的两个字段不能绑定同一数据元）"
                ),
                format!(
                    "{field} left out: {by} of the same form is bound to {en} already (two fields of one form cannot share an element)"
                ),
            ),
            LeftOutReason::Taken { by } => lang.pick(
                format!("{field} 未纳入：同表的 {by} 已在此建议中绑定{zh}"),
                format!("{field} left out: {by} of the same form goes to {en} here"),
            ),
            LeftOutReason::NotCovered => lang.pick(
                format!("{field} 未纳入：{} 的名称和同义词与其标签不符", zh.trim_start()),
                format!("{field} left out: {en} does not match its label"),
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
        "element_pinyin" => lang.pick(
            "合并表单已用，读音相同",
            "on the merged form, reads the same",
        ),
        "pool_name" => lang.pick("名称相同", "same name"),
        "pool_synonym" => lang.pick("同义词", "a synonym"),
        "pool_pinyin" => lang.pick("读音相同", "reads the same"),
        "pool_similar" => lang.pick("名称仅差一字", "name one character apart"),
        "same_label" => lang.pick("各表同一标签", "same label on several forms"),
        _ => "",
    }
}

/// How strong a reason is, strongest first (0): the label is an element's name (of the merged
/// form's, then of the pool's), then a synonym, then the name reads the same, then a new
/// element for a label on several forms, then a name one character apart. Candidates are
/// offered in this order, and of two fields of one form the stronger match takes the element.
pub fn reason_rank(reason: &str) -> u8 {
    match reason {
        "element_name" => 0,
        "pool_name" => 1,
        "element_synonym" => 2,
        "pool_synonym" => 3,
        "element_pinyin" => 4,
        "pool_pinyin" => 5,
        "same_label" => 6,
        "pool_similar" => 7,
        _ => u8::MAX,
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
    /// The fields it binds, by label, in a line (labels as `catalog` has them):
    /// `绑定：「邮政编码」BD000003/f91, BD000029/f90；「邮征编码」BD000058/f92`.
    pub fn binds(&self, catalog: &Catalog, lang: Lang) -> String {
        let label_of = |f: &SourceRef| {
            catalog.forms.get(f.form.as_str()).and_then(|form| {
                form.fields()
                    .find(|(_, _, x)| x.key == f.field)
                    .map(|(_, _, x)| x.label.as_str())
            })
        };
        // the fields of each label, labels in the order of their first field
        let mut by_label: Vec<(&str, Vec<String>)> = Vec::new();
        for f in &self.fields {
            let label = label_of(f).unwrap_or("");
            let field = format!("{}/{}", f.form, f.field);
            match by_label.iter_mut().find(|(l, _)| *l == label) {
                Some((_, fields)) => fields.push(field),
                None => by_label.push((label, vec![field])),
            }
        }
        let parts: Vec<String> = by_label
            .iter()
            .map(|(label, fields)| {
                lang.pick(
                    format!("「{label}」{}", fields.join(", ")),
                    format!("\"{label}\" {}", fields.join(", ")),
                )
            })
            .collect();
        lang.pick(
            format!("绑定：{}", parts.join("；")),
            format!("binds: {}", parts.join("; ")),
        )
    }

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
    /// What it binds: the element, or the group's new element.
    key: Key,
    score: u8,
    reason: &'static str,
    tier: u8,
}

impl Match for Cand {
    type Key = Key;

    fn key(&self) -> &Key {
        &self.key
    }

    /// [`reason_rank`].
    fn rank(&self) -> u8 {
        reason_rank(self.reason)
    }

    /// The label is the element's name or a synonym (of the merged form's or the pool's).
    fn strong(&self) -> bool {
        self.tier <= TIER_POOL
    }
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
    /// The key of `element` (`None`: the new element of label group `group`).
    fn of(element: Option<&Code>, group: usize) -> Key {
        match element {
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
                    key: Key::of(Some(code), k),
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
    let on_merged: HashSet<&str> = merged.iter().map(|(code, _)| code.as_str()).collect();
    for (k, group) in groups.iter_mut().enumerate() {
        more_candidates(labels[k], k, group, pool, &on_merged);
    }
    // how many labels each element covers (by name, synonym or reading: a similar name is no
    // cover); the strongest reason first, then the element covering more
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
            .sort_by_key(|c| (reason_rank(c.reason), std::cmp::Reverse(covers_of(c))));
    }
    let bound = bindings(forms, &groups);
    // a field's place: its form's among the merged forms, then its own in the form
    let mut places: HashMap<(&str, &str), (usize, usize)> = HashMap::default();
    for (i, form) in forms.iter().enumerate() {
        for (j, (_, _, f)) in form.fields().enumerate() {
            places
                .entry((form.code.as_str(), f.key.as_str()))
                .or_insert((i, j));
        }
    }
    let position = |f: &SourceRef| {
        places
            .get(&(f.form.as_str(), f.field.as_str()))
            .copied()
            .unwrap_or((usize::MAX, usize::MAX))
    };
    let (mut out, keys, left) = assign(&groups, &bound, &covers_of, &position);
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
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| reason_rank(a.reason).cmp(&reason_rank(b.reason)))
            .then_with(|| a.fields.cmp(&b.fields))
    });
    (out, rest)
}

/// Adds the pool's candidates of one label (of group `k`) to the merged form's (unranked);
/// `on_merged` are the merged form's elements (one that only reads like the label is
/// `element_pinyin`).
fn more_candidates(
    label: &str,
    k: usize,
    group: &mut Group<'_>,
    pool: Option<&Covers>,
    on_merged: &HashSet<&str>,
) {
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
                _ if on_merged.contains(cover.element) => ("element_pinyin", TIER_PINYIN),
                _ => ("pool_pinyin", TIER_PINYIN),
            };
            let element = Code::from(cover.element);
            cands.push(Cand {
                key: Key::of(Some(&element), k),
                element: Some(element),
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
            key: Key::New(k),
            score: if cands.is_empty() { 80 } else { 60 },
            reason: "same_label",
            tier: TIER_NEW,
        });
    }
    if let Some(pool) = pool {
        for cover in pool.similar(label) {
            if !known(cands, cover.element) {
                let element = Code::from(cover.element);
                cands.push(Cand {
                    key: Key::of(Some(&element), k),
                    element: Some(element),
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

/// Assigns the fields form by form by [`one_per_form::assign`] (the rule form lint follows):
/// every field its strongest candidate up to a new element (a similar name is never assumed),
/// at most one field of a form per element. When two fields of one form want one element,
/// the stronger match keeps it ([`reason_rank`]: the label is its name, then a synonym, then
/// reads the same), then the field with fewer elements that have its label as name or
/// synonym (the other has a second choice), then the earlier field of the form. A field
/// turned away (its form binds the element already, or gives it a field of a stronger match
/// here) goes to the next element that has its label as name or synonym, unless the other
/// field has the same label: two fields of one form with one label are a duplicate or two
/// data, and which element is which cannot be guessed; else it is left out. `position`
/// orders the fields (form, then field within it). Returns the suggestions (without
/// alternatives), their keys, and the fields left out of every suggestion.
fn assign(
    groups: &[Group<'_>],
    bound: &Bound<'_>,
    covers_of: &impl Fn(&Cand) -> usize,
    position: &impl Fn(&SourceRef) -> (usize, usize),
) -> (Vec<super::Suggestion>, Vec<Key>, Vec<LeftOut>) {
    // every unbound field: its label group and itself
    let entries: Vec<(usize, &SourceRef)> = groups
        .iter()
        .enumerate()
        .flat_map(|(k, g)| g.fields.iter().map(move |f| (k, *f)))
        .collect();
    // the candidates a field may be given: up to a new element (they are ranked, so the
    // similar names are last)
    let assignable: Vec<&[Cand]> = groups
        .iter()
        .map(|g| {
            let n = g.cands.iter().take_while(|c| c.tier <= TIER_NEW).count();
            &g.cands[..n]
        })
        .collect();
    // each form's fields, in form order
    let mut by_form: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, (_, f)) in entries.iter().enumerate() {
        by_form.entry(f.form.as_str()).or_default().push(i);
    }
    // per entry: the candidate it gets, and the one it was turned away from and why
    let mut at: Vec<Option<usize>> = vec![None; entries.len()];
    let mut skip: Vec<Option<(Option<Code>, LeftOutReason)>> = vec![None; entries.len()];
    let mut buffer = String::new();
    for (form, mut list) in by_form {
        list.sort_by_key(|&i| position(entries[i].1));
        let fields: Vec<Unbound<'_, Cand>> = list
            .iter()
            .map(|&i| Unbound {
                label: &groups[entries[i].0].label,
                candidates: assignable[entries[i].0],
            })
            .collect();
        let assigned = one_per_form::assign(&fields, |k, c| {
            let by = bound.get(&(form, c.element.as_deref()?))?;
            normalise_into(&by.label, &mut buffer);
            Some(Held {
                by: Code::from(by.key.as_str()),
                same_label: buffer == fields[k].label,
            })
        });
        for (&i, a) in list.iter().zip(assigned) {
            let cands = assignable[entries[i].0];
            at[i] = a.offered;
            skip[i] = a.passed.map(|(c, by)| {
                let reason = match by {
                    HeldBy::Bound(by) => LeftOutReason::Bound { by },
                    HeldBy::Field(j) => LeftOutReason::Taken {
                        by: entries[list[j]].1.field.clone(),
                    },
                };
                (cands[c].element.clone(), reason)
            });
        }
    }
    let mut out: Vec<super::Suggestion> = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    // per suggestion: its strongest candidate
    let mut best: Vec<&Cand> = Vec::new();
    let mut member: Vec<Option<usize>> = vec![None; entries.len()];
    for (i, (group, field)) in entries.iter().enumerate() {
        let Some(c) = at[i].and_then(|n| groups[*group].cands.get(n)) else {
            continue;
        };
        let key = c.key.clone();
        let s = match keys.iter().position(|x| *x == key) {
            Some(s) => s,
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
                keys.push(key);
                best.push(c);
                out.len() - 1
            }
        };
        if (reason_rank(c.reason), std::cmp::Reverse(c.score))
            < (
                reason_rank(best[s].reason),
                std::cmp::Reverse(best[s].score),
            )
        {
            best[s] = c;
        }
        out[s].fields.push((*field).clone());
        member[i] = Some(s);
    }
    for (s, c) in out.iter_mut().zip(&best) {
        s.reason = c.reason;
        s.score = c.score;
    }
    // a new element for one field saves nothing: no suggestion (its field may still have
    // been turned away from an element)
    let lone: Vec<bool> = out
        .iter()
        .zip(&keys)
        .map(|(s, key)| matches!(key, Key::New(_)) && s.fields.len() < 2)
        .collect();
    let mut left: Vec<LeftOut> = Vec::new();
    for (i, (_, field)) in entries.iter().enumerate() {
        if member[i].is_some_and(|s| !lone[s]) {
            continue;
        }
        let Some((element, reason)) = skip[i].take() else {
            continue;
        };
        left.push(LeftOut {
            field: (*field).clone(),
            element,
            reason,
        });
    }
    left.sort_by_key(|l| position(&l.field));
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
/// fields it can bind (one per form, none whose form binds it already) and the strongest
/// reason among those fields.
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
    let mut keys: Vec<Key> = Vec::new();
    for k in of_fields.iter().flatten() {
        for c in &groups[*k].cands {
            let key = c.key.clone();
            if key != *own && !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let element = match &key {
            Key::Element(e) => Some(e.clone()),
            Key::New(_) => None,
        };
        let mut fields: Vec<SourceRef> = Vec::new();
        let mut left_out = Vec::new();
        let mut best: Option<&Cand> = None;
        for (f, k) in s.fields.iter().zip(&of_fields) {
            let cand = k.and_then(|k| groups[k].cands.iter().find(|x| x.key == key));
            let reason = if cand.is_none() {
                Some(LeftOutReason::NotCovered)
            } else if let Some(by) = element
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
            match (reason, cand) {
                (Some(reason), _) => left_out.push(LeftOut {
                    field: f.clone(),
                    element: element.clone(),
                    reason,
                }),
                (None, Some(c)) => {
                    fields.push(f.clone());
                    if best.is_none_or(|b| {
                        (reason_rank(c.reason), std::cmp::Reverse(c.score))
                            < (reason_rank(b.reason), std::cmp::Reverse(b.score))
                    }) {
                        best = Some(c);
                    }
                }
                (None, None) => {}
            }
        }
        let enough = if element.is_some() { 1 } else { 2 };
        let Some(c) = best.filter(|_| fields.len() >= enough) else {
            continue;
        };
        out.push(Candidate {
            element,
            score: c.score,
            reason: c.reason,
            covers: covers_of(c),
            fields,
            left_out,
        });
    }
    out.sort_by_key(|c| (reason_rank(c.reason), std::cmp::Reverse(c.covers)));
    out.truncate(MAX_ALTERNATIVES);
    out
}
