//! One element per form: two fields of one form never share an element (form lint reports
//! it as 重复绑定, and a merge would save nothing: they stay two fields). [`assign`] is the
//! one rule by which a form's unbound fields are given candidate elements: form lint's
//! offers and likely duplicates ([`super::lint`], and the form designer's bind picker) and
//! the merge's suggestions (`merge::suggest`, form by form across a bundle) both call it.
//!
//! The rule: every field tries its candidates strongest first (ties in the order given). An
//! element the form binds already is passed over; of two fields that want one element, the
//! stronger match takes it (the caller's rank: a label that is the element's name over a
//! synonym over a reading), then the field with fewer candidates that have its label as name
//! or synonym (the other has a second choice), then the earlier field. A field turned away
//! goes on only to candidates that have its label as name or synonym (a weaker guess never
//! replaces a sure one), and to none when the field holding the element has its own label
//! (a duplicate, or two data: which element is which cannot be guessed).

use std::hash::Hash;

use rustc_hash::FxHashMap as HashMap;

use crate::model::Form;

use super::dups::normalise_into;

/// A candidate element of an unbound field, as [`assign`] weighs it: the caller's own type
/// (with its reason and score), so what [`assign`] chooses keeps them.
pub trait Match {
    /// What binding the field to it binds: an element's code, or the caller's stand-in for
    /// a new element. Two fields of one form never get one key.
    type Key: Eq + Hash;
    /// Its key.
    fn key(&self) -> &Self::Key;
    /// How strong a match it is, 0 the strongest (the field's label is the element's name,
    /// then a synonym, then a reading: the caller's reasons, ranked).
    fn rank(&self) -> u8;
    /// Whether the field's label is its name or a synonym: a match as sure as a name, the
    /// only kind tried after a candidate was passed over.
    fn strong(&self) -> bool;
}

/// An unbound field of a form, for [`assign`].
#[derive(Clone, Copy, Debug)]
pub struct Unbound<'a, C> {
    /// Its label, normalised (as [`super::dups::normalise`] gives it): two fields with one
    /// label that want one element are a duplicate or two data.
    pub label: &'a str,
    /// Its candidates, in any order: they are tried strongest first ([`Match::rank`]),
    /// ties in this order.
    pub candidates: &'a [C],
}

/// Why a candidate element cannot be given to a field: another field of the same form binds
/// it (what the caller's `bound` answers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held<R> {
    /// Who holds it, and how (the caller's own type).
    pub by: R,
    /// Whether that other field has the field's own label (normalised): then the field is a
    /// duplicate of it, or the two are two data, and which element is which cannot be
    /// guessed, so no other candidate is tried.
    pub same_label: bool,
}

/// Who holds a candidate a field was passed over for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeldBy<B> {
    /// A field of the form bound to it (as the caller's `bound` named it).
    Bound(B),
    /// Another of the unbound fields given to [`assign`] (its index there), which gets it.
    Field(usize),
}

/// What [`assign`] gave one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assigned<B> {
    /// The candidate it gets (an index into its candidates); `None` when none.
    pub offered: Option<usize>,
    /// The first candidate it was passed over for (an index into its candidates), and who
    /// holds that one (when nothing is offered: why).
    pub passed: Option<(usize, HeldBy<B>)>,
}

/// A candidate a field was passed over for (its index) and who held it: the binder the
/// caller named, or the key another field holds (its final holder is named at the end).
type Passed<'k, B, K> = (usize, Result<B, &'k K>);

/// Gives the unbound `fields` of one form (in form order) candidate elements, at most one
/// field per element and none an element the form binds already: `bound` answers, for a
/// field (its index in `fields`) and one of its candidates, which field of the form binds
/// the candidate's element, if any (the field being bound itself not counting). The rule is
/// the module's: strongest match first, then the field without a second choice, then the
/// earlier field. Returns what each field gets, in the order of `fields`.
pub fn assign<C: Match, B>(
    fields: &[Unbound<'_, C>],
    mut bound: impl FnMut(usize, &C) -> Option<Held<B>>,
) -> Vec<Assigned<B>> {
    let n = fields.len();
    // each field's candidates, strongest first (a stable sort: ties as given)
    let order: Vec<Vec<usize>> = fields
        .iter()
        .map(|f| {
            let mut o: Vec<usize> = (0..f.candidates.len()).collect();
            o.sort_by_key(|&c| f.candidates[c].rank());
            o
        })
        .collect();
    // how many candidates have a field's label as name or synonym
    let choices: Vec<usize> = fields
        .iter()
        .map(|f| f.candidates.iter().filter(|c| c.strong()).count())
        .collect();
    // per field: the place in `order` it tries, whether it has stopped trying, the first
    // candidate it was passed over for (and who held it: bound, or the key another field
    // holds, whose final holder is named at the end), the candidate it holds
    let mut next = vec![0usize; n];
    let mut stopped = vec![false; n];
    let mut passed: Vec<Option<Passed<'_, B, C::Key>>> = (0..n).map(|_| None).collect();
    let mut at: Vec<Option<usize>> = vec![None; n];
    // key → the field holding it
    let mut held: HashMap<&C::Key, usize> = HashMap::default();
    // how strongly a field wants the candidate it tries (smaller: stronger)
    let claim = |next: &[usize], i: usize| {
        let rank = order[i]
            .get(next[i])
            .map_or(u8::MAX, |&c| fields[i].candidates[c].rank());
        (rank, choices[i], i)
    };
    let mut queue: Vec<usize> = (0..n).rev().collect();
    while let Some(i) = queue.pop() {
        while let Some(&ci) = order[i].get(next[i]) {
            let c = &fields[i].candidates[ci];
            if stopped[i] || (passed[i].is_some() && !c.strong()) {
                break;
            }
            if let Some(h) = bound(i, c) {
                passed[i].get_or_insert((ci, Ok(h.by)));
                next[i] += 1;
                stopped[i] = h.same_label;
                continue;
            }
            let key = c.key();
            let Some(&j) = held.get(key) else {
                held.insert(key, i);
                at[i] = Some(ci);
                break;
            };
            let same_label = fields[i].label == fields[j].label;
            let loser = if claim(&next, i) < claim(&next, j) {
                held.insert(key, i);
                at[i] = Some(ci);
                at[j] = None;
                queue.push(j);
                j
            } else {
                i
            };
            if let Some(&lc) = order[loser].get(next[loser]) {
                passed[loser].get_or_insert((lc, Err(key)));
            }
            next[loser] += 1;
            stopped[loser] = same_label;
            if loser != i {
                break;
            }
        }
    }
    at.into_iter()
        .zip(passed)
        .map(|(offered, passed)| Assigned {
            offered,
            passed: passed.and_then(|(c, by)| match by {
                Ok(b) => Some((c, HeldBy::Bound(b))),
                Err(key) => held.get(key).map(|&j| (c, HeldBy::Field(j))),
            }),
        })
        .collect()
}

/// Whether two labels are the same once normalised (as the duplicate finder compares them);
/// `buffer` is scratch space.
pub fn same_label(a: &str, b: &str, buffer: &mut String) -> bool {
    normalise_into(a, buffer);
    let a = std::mem::take(buffer);
    normalise_into(b, buffer);
    let same = a == *buffer;
    *buffer = a;
    same
}

/// The first field of `form` other than `except` that is bound to `element` (hidden fields
/// too: form lint counts them).
pub fn bound_by<'f>(
    form: &'f Form,
    element: &str,
    except: Option<&str>,
) -> Option<&'f crate::model::Field> {
    form.fields()
        .map(|(_, _, f)| f)
        .find(|f| f.element.as_deref() == Some(element) && except != Some(f.key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A candidate: (element, rank, strong).
    type C = (&'static str, u8, bool);

    impl Match for C {
        type Key = &'static str;
        fn key(&self) -> &&'static str {
            &self.0
        }
        fn rank(&self) -> u8 {
            self.1
        }
        fn strong(&self) -> bool {
            self.2
        }
    }

    /// The element a field gets, else the one it was passed over for and who holds it (`#N`
    /// for field N).
    type Got = Result<&'static str, Option<(&'static str, String)>>;

    /// [`assign`] over fields (label, candidates), with `bound`: element → (binder, its
    /// label).
    fn run(fields: &[(&str, &[C])], bound: &[(&str, &str, &str)]) -> Vec<Got> {
        let unbound: Vec<Unbound<'_, C>> = fields
            .iter()
            .map(|(label, candidates)| Unbound { label, candidates })
            .collect();
        let result = assign(&unbound, |i, c: &C| {
            bound
                .iter()
                .find(|(e, _, _)| *e == c.0)
                .map(|(_, by, label)| Held {
                    by: by.to_string(),
                    same_label: *label == fields[i].0,
                })
        });
        result
            .into_iter()
            .zip(fields)
            .map(|(a, (_, cands))| match a.offered {
                Some(c) => Ok(cands[c].0),
                None => Err(a.passed.map(|(c, by)| {
                    let by = match by {
                        HeldBy::Bound(b) => b,
                        HeldBy::Field(j) => format!("#{j}"),
                    };
                    (cands[c].0, by)
                })),
            })
            .collect()
    }

    const E1: C = ("E1", 0, true);
    const E1_SYNONYM: C = ("E1", 1, true);
    const E2: C = ("E2", 0, true);
    const E3_READING: C = ("E3", 2, false);

    #[test]
    fn one_field_gets_its_first_free_candidate_and_only_strong_ones_after_a_bound_one() {
        // nothing bound: the first
        assert_eq!(run(&[("a", &[E1, E2])], &[]), [Ok("E1")]);
        // the first bound by a field of another label: the next strong one
        assert_eq!(run(&[("a", &[E1, E2])], &[("E1", "f05", "b")]), [Ok("E2")]);
        // but not a weaker guess (a reading)
        assert_eq!(
            run(&[("a", &[E1, E3_READING])], &[("E1", "f05", "b")]),
            [Err(Some(("E1", "f05".into())))]
        );
        // bound by a field with the same label: a duplicate, nothing else is tried
        assert_eq!(
            run(&[("a", &[E1, E2])], &[("E1", "f05", "a")]),
            [Err(Some(("E1", "f05".into())))]
        );
        // every one bound: the first binder is named
        assert_eq!(
            run(
                &[("a", &[E1, E2])],
                &[("E1", "f05", "b"), ("E2", "f07", "c")]
            ),
            [Err(Some(("E1", "f05".into())))]
        );
        // a weak candidate is still offered when free; no candidate, nothing
        assert_eq!(run(&[("a", &[E3_READING])], &[]), [Ok("E3")]);
        assert_eq!(run(&[("a", &[])], &[]), [Err(None)]);
        // the strongest is tried first, whatever the order given
        assert_eq!(run(&[("a", &[E3_READING, E2])], &[]), [Ok("E2")]);
    }

    #[test]
    fn of_two_fields_the_stronger_match_wins_even_when_later() {
        // the earlier field has E1 as a synonym, the later one is named after it
        assert_eq!(
            run(&[("a", &[E1_SYNONYM]), ("b", &[E1])], &[]),
            [Err(Some(("E1", "#1".into()))), Ok("E1")]
        );
        // and the one turned away goes on to its next strong candidate
        assert_eq!(
            run(&[("a", &[E1_SYNONYM, E2]), ("b", &[E1])], &[]),
            [Ok("E2"), Ok("E1")]
        );
        // not to a weaker guess
        assert_eq!(
            run(&[("a", &[E1_SYNONYM, E3_READING]), ("b", &[E1])], &[]),
            [Err(Some(("E1", "#1".into()))), Ok("E1")]
        );
    }

    #[test]
    fn on_a_tie_the_field_without_a_second_choice_then_the_earlier_one_wins() {
        // both name E1; the first has E2 too: it leaves E1 to the second
        assert_eq!(
            run(&[("a", &[E1, E2]), ("b", &[E1])], &[]),
            [Ok("E2"), Ok("E1")]
        );
        // the same choices: the earlier field
        assert_eq!(
            run(&[("a", &[E1]), ("b", &[E1])], &[]),
            [Ok("E1"), Err(Some(("E1", "#0".into())))]
        );
        // two fields with one label: the second is not sent to another element
        assert_eq!(
            run(&[("a", &[E1, E2]), ("a", &[E1, E2])], &[]),
            [Ok("E1"), Err(Some(("E1", "#0".into())))]
        );
    }

    #[test]
    fn a_field_turned_away_names_who_gets_the_element_in_the_end() {
        // #0 takes E1 (a synonym) and turns #1 (a weaker match) away; then #2, named after
        // E1, takes it from #0, which goes on to E2: #1 names #2, who has E1 in the end
        let e1_weaker: C = ("E1", 2, true);
        let e2_synonym: C = ("E2", 1, true);
        assert_eq!(
            run(
                &[
                    ("a", &[E1_SYNONYM, e2_synonym]),
                    ("b", &[e1_weaker]),
                    ("c", &[E1])
                ],
                &[]
            ),
            [Ok("E2"), Err(Some(("E1", "#2".into()))), Ok("E1")]
        );
    }

    #[test]
    fn labels_compare_normalised() {
        let mut buffer = String::new();
        assert!(same_label("手机号码：", " 手机号码", &mut buffer));
        assert!(!same_label("手机号码", "移动电话", &mut buffer));
    }
}
