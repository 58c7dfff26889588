//! One element per form: two fields of one form never share an element (form lint reports
//! it as 重复绑定, and a merge would save nothing: they stay two fields). The rule by which
//! an unbound field is offered an element, shared by form lint ([`super::lint`]) and the form
//! designer's bind picker; the merge's suggestions (`merge::suggest`) follow it across a
//! bundle's forms, where two fields of one form that want one element are also weighed
//! against each other (the stronger match keeps it).

use crate::model::Form;

use super::dups::normalise_into;

/// Why a candidate element cannot be offered to a field: another field of the same form
/// holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held<R> {
    /// Who holds it, and how (the caller's own reason type).
    pub by: R,
    /// Whether that other field has the field's own label (normalised): then the field is a
    /// duplicate of it, or the two are two data, and which element is which cannot be
    /// guessed, so no other candidate is tried.
    pub same_label: bool,
}

/// What [`first_free`] chose for a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice<C, R> {
    /// The candidate to offer; `None` when none can be.
    pub offered: Option<C>,
    /// The first candidate passed over because another field of the form holds it, and who
    /// holds it (when nothing is offered: why).
    pub passed: Option<(C, R)>,
}

/// The first of `candidates` (best first) that a field may be bound to.
///
/// `held` says whether another field of the form holds a candidate already (binds it, or is
/// offered it). After a held candidate only `strong` ones are tried (those with the field's
/// label as their name or a synonym: as strong a match as the first, so a weaker guess never
/// replaces a sure one), and none after one held by a field with the same label.
pub fn first_free<C, R>(
    candidates: impl IntoIterator<Item = C>,
    strong: impl Fn(&C) -> bool,
    mut held: impl FnMut(&C) -> Option<Held<R>>,
) -> Choice<C, R> {
    let mut passed: Option<(C, R)> = None;
    for c in candidates {
        if passed.is_some() && !strong(&c) {
            break;
        }
        match held(&c) {
            Some(Held { by, same_label }) => {
                if passed.is_none() {
                    passed = Some((c, by));
                }
                if same_label {
                    break;
                }
            }
            None => {
                return Choice {
                    offered: Some(c),
                    passed,
                };
            }
        }
    }
    Choice {
        offered: None,
        passed,
    }
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

    /// (element, strong, holder and whether its label is the same).
    type C = (&'static str, bool, Option<(&'static str, bool)>);

    /// The element offered, else the first holder.
    fn run(cands: &[C]) -> Result<&'static str, Option<(&'static str, &'static str)>> {
        let choice = first_free(
            cands.iter(),
            |c| c.1,
            |c| c.2.map(|(by, same_label)| Held { by, same_label }),
        );
        match choice.offered {
            Some(c) => Ok(c.0),
            None => Err(choice.passed.map(|(c, by)| (c.0, by))),
        }
    }

    #[test]
    fn the_first_free_candidate_and_only_strong_ones_after_a_held_one() {
        // nothing held: the first
        assert_eq!(run(&[("E1", true, None), ("E2", true, None)]), Ok("E1"));
        // the first held by a field of another label: the next strong one
        assert_eq!(
            run(&[("E1", true, Some(("f05", false))), ("E2", true, None)]),
            Ok("E2")
        );
        // but not a weaker guess (a reading)
        assert_eq!(
            run(&[("E1", true, Some(("f05", false))), ("E3", false, None)]),
            Err(Some(("E1", "f05")))
        );
        // held by a field with the same label: a duplicate, nothing else is tried
        assert_eq!(
            run(&[("E1", true, Some(("f05", true))), ("E2", true, None)]),
            Err(Some(("E1", "f05")))
        );
        // every one held: the first holder is named
        assert_eq!(
            run(&[
                ("E1", true, Some(("f05", false))),
                ("E2", true, Some(("f07", false)))
            ]),
            Err(Some(("E1", "f05")))
        );
        // a weak first candidate is still offered when free
        assert_eq!(run(&[("E3", false, None)]), Ok("E3"));
        assert_eq!(run(&[]), Err(None));
        // the candidate passed over is kept beside the one offered
        let cands: [C; 2] = [("E1", true, Some(("f05", false))), ("E2", true, None)];
        let choice = first_free(
            cands.iter(),
            |c| c.1,
            |c| c.2.map(|(by, same_label)| Held { by, same_label }),
        );
        assert_eq!(choice.offered.map(|c| c.0), Some("E2"));
        assert_eq!(choice.passed.map(|(c, by)| (c.0, by)), Some(("E1", "f05")));
    }

    #[test]
    fn labels_compare_normalised() {
        let mut buffer = String::new();
        assert!(same_label("手机号码：", " 手机号码", &mut buffer));
        assert!(!same_label("手机号码", "移动电话", &mut buffer));
    }
}
