//! Which forms a query keeps: pane 3's list filter and `form list QUERY`, one rule for both.
//!
//! A query is words apart. `item:X` keeps the forms of an item whose code or name holds X,
//! `agency:X` those whose item's agency's code or name holds X, `status:X` those in a state
//! (`draft` or `草稿`), and `warn` (or `警告`) those with lint warnings. Every other word must
//! be found in the form's code or name (case-insensitive) or, a word in Latin letters, in the
//! pinyin of its name, full or initials, as the item picker reads it (`spjy` keeps
//! 食品经营许可申请书; letters scattered over a name do not count). A form that holds a word only
//! in a rare reading of a heteronym (许 read hǔ) is kept only when no form holds it in a usual
//! reading, as pane 1's filter does.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use super::item_search::{Index, Row};
use crate::model::{FormView, OutlineSource};

/// What the pinyin index keeps of a form, copied out of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormRow {
    /// Form code.
    pub code: String,
    /// Form name.
    pub name: String,
}

impl Row for FormRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// The pinyin index over the forms' names (built from [`rows`]: the slow part, run it off the
/// UI thread).
pub type FormIndex = Index<FormRow>;

/// The rows of every form of a catalog or an outline, in code order.
pub fn rows(source: &impl OutlineSource) -> Vec<FormRow> {
    let mut rows = Vec::with_capacity(source.form_count());
    source.for_each_form(|f| {
        rows.push(FormRow {
            code: f.code.to_string(),
            name: f.name.to_string(),
        });
    });
    rows
}

/// A digest of the forms' codes and names: equal fingerprints mean an index built earlier
/// still fits.
pub fn fingerprint(source: &impl OutlineSource) -> u64 {
    let mut h = FxHasher::default();
    source.for_each_form(|f| (f.code, f.name).hash(&mut h));
    h.finish()
}

/// A parsed query (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormFilter {
    /// Free words, lower-cased.
    text: Vec<String>,
    item: Option<String>,
    agency: Option<String>,
    status: Option<String>,
    warn: bool,
}

impl FormFilter {
    /// Parses a query.
    pub fn parse(query: &str) -> FormFilter {
        let mut f = FormFilter::default();
        for word in query.split_whitespace() {
            if let Some(v) = word.strip_prefix("item:") {
                f.item = Some(v.to_lowercase());
            } else if let Some(v) = word.strip_prefix("agency:") {
                f.agency = Some(v.to_lowercase());
            } else if let Some(v) = word.strip_prefix("status:") {
                f.status = Some(v.to_lowercase());
            } else if word == "warn" || word == "warn:" || word == "警告" {
                f.warn = true;
            } else {
                f.text.push(word.to_lowercase());
            }
        }
        f
    }

    /// The free words (lower-cased): what a face highlights in a code or name.
    pub fn words(&self) -> &[String] {
        &self.text
    }

    /// Whether only forms with lint warnings are kept.
    pub fn warn(&self) -> bool {
        self.warn
    }

    /// Whether a word may be found in the pinyin of a name (it is in Latin letters), so the
    /// filter needs the index.
    pub fn wants_readings(&self) -> bool {
        self.text.iter().any(|w| w.is_ascii())
    }

    /// Whether every form this filter keeps, `old` keeps too (the same filters, each of
    /// `old`'s words inside the word in its place), by the same index: the list can then be
    /// narrowed from what `old` kept instead of every form. A word held only in rare readings
    /// where `old`'s was held in a usual one is not a narrowing ([`Readings::rare`]).
    pub fn narrows(&self, old: &FormFilter, rare: &[bool], old_rare: &[bool]) -> bool {
        self.item == old.item
            && self.agency == old.agency
            && self.status == old.status
            && self.warn == old.warn
            && self.text.len() >= old.text.len()
            && self
                .text
                .iter()
                .zip(&old.text)
                .all(|(new, old)| new.contains(old.as_str()))
            && rare.iter().zip(old_rare).all(|(new, old)| !new || *old)
    }

    /// Whether the filter keeps `form` (`warned`: it has lint warnings; `readings`: where the
    /// words lie in the pinyin of the names, if the index is there).
    pub fn keeps(
        &self,
        source: &impl OutlineSource,
        form: FormView<'_>,
        warned: bool,
        readings: Option<&Readings<'_>>,
    ) -> bool {
        let position = readings.and_then(|r| r.index.position_of(form.code));
        self.keeps_at(source, form, warned, readings.zip(position))
    }

    /// [`FormFilter::keeps`], the form's position in the index known.
    fn keeps_at(
        &self,
        source: &impl OutlineSource,
        form: FormView<'_>,
        warned: bool,
        at: Option<(&Readings<'_>, u32)>,
    ) -> bool {
        let item = || form.item.and_then(|i| source.item(i));
        (!self.warn || warned)
            && self
                .status
                .as_deref()
                .is_none_or(|q| form.status.as_str() == q || form.status.zh() == q)
            && self.text.iter().enumerate().all(|(n, t)| {
                match at.and_then(|(r, p)| r.holds(n, p)) {
                    Some(held) => held,
                    None => has(form.code, t) || has(form.name, t),
                }
            })
            && self
                .item
                .as_deref()
                .is_none_or(|q| item().is_some_and(|i| has(i.code, q) || has(i.name, q)))
            && self.agency.as_deref().is_none_or(|q| {
                item()
                    .and_then(|i| i.agency)
                    .and_then(|a| Some((a, source.agency_name(a)?)))
                    .is_some_and(|(code, name)| has(code, q) || has(name, q))
            })
    }

    /// The forms the filter keeps, in code order: of `within` (codes) when given, else of
    /// every form. `warned` says whether a form has lint warnings. With `readings` built from
    /// the catalog's forms as they are, every form is tested in order, its position in the
    /// index counted rather than looked up: at 100,000 forms that is faster than looking up
    /// most of them in `within` (a key after `s` keeps nine in ten).
    pub fn kept<'c, S: OutlineSource>(
        &self,
        source: &'c S,
        warned: impl Fn(&str) -> bool,
        readings: Option<&Readings<'_>>,
        within: Option<&[String]>,
    ) -> Vec<FormView<'c>> {
        let mut kept = Vec::new();
        if let Some(r) = readings.filter(|r| r.current && r.index.len() == source.form_count()) {
            let mut at = 0u32;
            source.for_each_form(|f| {
                if self.keeps_at(source, f, warned(f.code), Some((r, at))) {
                    kept.push(f);
                }
                at += 1;
            });
            return kept;
        }
        let keeps = |f: &FormView<'_>| self.keeps(source, *f, warned(f.code), readings);
        match within {
            Some(codes) => kept.extend(codes.iter().filter_map(|c| source.form(c)).filter(keeps)),
            None => source.for_each_form(|f| {
                if keeps(&f) {
                    kept.push(f);
                }
            }),
        }
        kept
    }
}

/// Whether `hay`, lower-cased, contains `needle` (lower case): lower-cased only when it has a
/// character that changes, so a Chinese name is never copied (100,000 forms a key).
pub fn has(hay: &str, needle: &str) -> bool {
    hay.contains(needle) || (hay.chars().any(changes_case) && hay.to_lowercase().contains(needle))
}

/// Whether lower-casing changes `c`; quick for ASCII and for the CJK blocks, which have no
/// case (the characters of a Chinese name).
fn changes_case(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else if ('\u{2E80}'..='\u{9FFF}').contains(&c) {
        false
    } else {
        c.to_lowercase().next() != Some(c)
    }
}

/// Where each word of a filter lies in the pinyin of the forms' names.
pub struct Readings<'i> {
    index: &'i FormIndex,
    /// For each free word: the positions of the index that hold it (`None`: a word not in
    /// Latin letters), and whether they hold it only in rare readings.
    words: Vec<Option<(Vec<bool>, bool)>>,
    /// Whether the index was built from the forms as they are, so its positions can be
    /// counted along them (see [`Readings::of_earlier_forms`]).
    current: bool,
}

impl<'i> Readings<'i> {
    /// Marks the index as built from an earlier state of the forms (kept while a new one is
    /// built): each form's position is then looked up by its code, never counted, so a form
    /// added or removed since shifts nothing; only a renamed form's pinyin is the old name's.
    pub fn of_earlier_forms(self) -> Self {
        Readings {
            current: false,
            ..self
        }
    }

    /// Looks every Latin word of `filter` up in `index`: the forms whose code or name holds
    /// it, and those whose usual reading does, or when none does, those whose rare readings
    /// do.
    pub fn find(index: &'i FormIndex, filter: &FormFilter) -> Readings<'i> {
        let words = filter
            .text
            .iter()
            .map(|word| {
                if !word.is_ascii() {
                    return None;
                }
                let all = index.holding(word, None, || false).unwrap_or_default();
                let usual = index.in_usual_reading(word, &all);
                let rare = usual.is_empty() && !all.is_empty();
                let mut held = vec![false; index.len()];
                let in_text = index.names_holding(word);
                for p in if rare { all } else { usual }.into_iter().chain(in_text) {
                    if let Some(slot) = held.get_mut(p as usize) {
                        *slot = true;
                    }
                }
                Some((held, rare))
            })
            .collect();
        Readings {
            index,
            words,
            current: true,
        }
    }

    /// For each free word, whether only rare readings hold it (see [`FormFilter::narrows`]).
    pub fn rare(&self) -> Vec<bool> {
        self.words
            .iter()
            .map(|w| w.as_ref().is_some_and(|(_, rare)| *rare))
            .collect()
    }

    /// Whether the form at `position` of the index holds word `n` in its code, its name or
    /// the pinyin of its name; `None` for a word the index does not answer (not in Latin
    /// letters).
    fn holds(&self, n: usize, position: u32) -> Option<bool> {
        let (held, _) = self.words.get(n)?.as_ref()?;
        Some(held.get(position as usize).copied().unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Catalog, Form};

    fn catalog() -> Catalog {
        crate::sample::generate(1)
    }

    fn codes(forms: &[FormView<'_>]) -> Vec<String> {
        forms.iter().map(|f| f.code.to_string()).collect()
    }

    fn kept(catalog: &Catalog, index: &FormIndex, query: &str) -> Vec<String> {
        let filter = FormFilter::parse(query);
        let readings = Readings::find(index, &filter);
        codes(&filter.kept(catalog, |_| false, Some(&readings), None))
    }

    /// Full pinyin and initials find a form by its name; the same letters scattered do not.
    #[test]
    fn a_latin_word_finds_forms_by_the_pinyin_of_their_names() {
        let catalog = catalog();
        let index = FormIndex::build(rows(&catalog));
        let by_text = |word: &str| {
            catalog
                .forms
                .values()
                .filter(|f| f.name.contains(word))
                .map(|f| f.code.to_string())
                .collect::<Vec<_>>()
        };
        let food = by_text("食品经营");
        assert!(!food.is_empty(), "the sample has food forms");
        assert_eq!(kept(&catalog, &index, "spjy"), food);
        assert_eq!(kept(&catalog, &index, "shipinjingying"), food);
        assert_eq!(kept(&catalog, &index, "SPJY"), food, "case does not count");
        assert_eq!(kept(&catalog, &index, "食品经营"), food, "as the text did");
        // every initial of 食品经营 is in the query, but not as one run of one reading
        assert!(kept(&catalog, &index, "sjpy").is_empty());
        // Latin text in a name counts as typed, punctuation included (the readings drop it)
        let mut catalog = catalog;
        let mut icp = catalog.forms.values().next().cloned().expect("a form");
        icp.name = "ICP-B 经营许可申请表".into();
        let code = icp.code.to_string();
        catalog.insert(crate::model::Record::Form(icp));
        let index = FormIndex::build(rows(&catalog));
        assert_eq!(kept(&catalog, &index, "icp-b"), vec![code.clone()]);
        assert_eq!(kept(&catalog, &index, "P-B"), vec![code]);
        // without the index only the text counts
        let filter = FormFilter::parse("spjy");
        assert!(filter.kept(&catalog, |_| false, None, None).is_empty());
    }

    /// Words apart must each be found, in the text or the pinyin; other filters still apply.
    #[test]
    fn words_apart_each_hold_in_text_or_pinyin() {
        let catalog = catalog();
        let index = FormIndex::build(rows(&catalog));
        let both = catalog
            .forms
            .values()
            .filter(|f| f.name.contains("食品") && f.name.contains("申请"))
            .map(|f| f.code.to_string())
            .collect::<Vec<_>>();
        assert!(!both.is_empty());
        assert_eq!(kept(&catalog, &index, "shipin 申请"), both);
        assert_eq!(kept(&catalog, &index, "申请 sp"), {
            let mut sp = kept(&catalog, &index, "sp");
            sp.retain(|c| both.contains(c) || catalog.forms[c.as_str()].name.contains("申请"));
            sp
        });
        let drafts = kept(&catalog, &index, "shipin status:draft");
        assert!(drafts.iter().all(|c| {
            let f = &catalog.forms[c.as_str()];
            f.status.as_str() == "draft" && f.name.contains("食品")
        }));
    }

    /// A form held only in a rare reading of a heteronym shows only when no form holds the
    /// word in a usual reading.
    #[test]
    fn rare_readings_count_only_when_no_usual_reading_holds_the_word() {
        let mut catalog = Catalog::default();
        for (code, name) in [("F1", "户口登记表"), ("F2", "许可到期申请表")] {
            catalog.insert(crate::model::Record::Form(Form {
                code: code.into(),
                name: name.into(),
                item: None,
                material: None,
                sections: Vec::new(),
                status: crate::model::Status::default(),
                version: 0,
            }));
        }
        let index = FormIndex::build(rows(&catalog));
        // 许 read hǔ, 可 kě, 到 dào: "hkd" also lies in a rare reading of 许可到期
        let filter = FormFilter::parse("hkd");
        let readings = Readings::find(&index, &filter);
        assert_eq!(readings.rare(), vec![false]);
        assert_eq!(kept(&catalog, &index, "hkd"), vec!["F1"]);
        // F1 holds no "hkdq": only the rare reading of F2 does, and it is kept
        let filter = FormFilter::parse("hkdq");
        let readings = Readings::find(&index, &filter);
        assert_eq!(readings.rare(), vec![true]);
        assert_eq!(kept(&catalog, &index, "hkdq"), vec!["F2"]);
        // which is why "hkd" → "hkdq" is no narrowing: F2 was not shown for "hkd"
        let (old, new) = (FormFilter::parse("hkd"), FormFilter::parse("hkdq"));
        assert!(!new.narrows(&old, &[true], &[false]));
        assert!(new.narrows(&old, &[false], &[false]));
        assert!(new.narrows(&old, &[true], &[true]));
    }

    /// A filter narrows another only when it keeps a subset of what the other keeps.
    #[test]
    fn a_filter_narrows_only_what_it_keeps_a_subset_of() {
        let f = FormFilter::parse;
        assert!(f("食品 bd").narrows(&f("食 b"), &[], &[]));
        assert!(f("食品 bd").narrows(&f("食品"), &[], &[]));
        assert!(
            !f("食品").narrows(&f("食品 bd"), &[], &[]),
            "a word dropped"
        );
        assert!(!f("食x").narrows(&f("食品"), &[], &[]), "a word changed");
        assert!(!f("食品 warn").narrows(&f("食品"), &[], &[]));
        assert!(
            !f("warn").narrows(&f("war"), &[], &[]),
            "a word became the filter"
        );
        assert!(!f("食品 status:draft").narrows(&f("食品"), &[], &[]));
        assert!(!f("item:x a").narrows(&f("a"), &[], &[]));
        assert!(!f("").narrows(&f("a"), &[], &[]));
        assert!(f("ab").narrows(&f("b"), &[], &[]), "ab holds b");
        assert!(f("状态 warn").narrows(&f("状 warn"), &[], &[]));
    }

    #[test]
    fn has_ignores_case_without_copying_what_has_no_capitals() {
        assert!(has("BD000021", "bd0000"));
        assert!(has("食品经营许可申请书", "许可"));
        assert!(!has("食品经营许可申请书", "bd"));
        assert!(has("ÉCOLE", "école"));
        assert!(has("食品ABC", "abc"));
        assert!(!has("食品abc", "食abc"));
        // the CJK blocks are passed over, nothing else
        for c in ['A', 'É', 'Ω', 'Ａ'] {
            assert!(changes_case(c), "{c}");
        }
        for c in ['a', '食', '〇', '１', '-'] {
            assert!(!changes_case(c), "{c}");
        }
    }

    /// The index finds rows by code in code order, as `rows` gives them.
    #[test]
    fn positions_are_found_by_code() {
        let catalog = catalog();
        let index = FormIndex::build(rows(&catalog));
        for (n, code) in catalog.forms.keys().enumerate() {
            assert_eq!(index.position_of(code), u32::try_from(n).ok());
        }
        assert_eq!(index.position_of("no such form"), None);
    }

    /// An index built before a form was added still finds the others by their codes (their
    /// positions are looked up, not counted), and the new one by its text.
    #[test]
    fn an_index_of_fewer_forms_finds_them_by_code() {
        let mut catalog = catalog();
        let index = FormIndex::build(rows(&catalog));
        let before = kept(&catalog, &index, "spjy");
        let mut form = catalog.forms.values().next().cloned().expect("a form");
        form.code = "AAA-NEW".into();
        form.name = "spjy 新表".into();
        catalog.insert(crate::model::Record::Form(form));
        let mut after = kept(&catalog, &index, "spjy");
        assert_eq!(after.remove(0), "AAA-NEW");
        assert_eq!(after, before);
    }

    /// An index of an earlier state of the forms, as many as now but not the same ones (one
    /// removed, one added), still finds each form by its code once it is marked as such.
    #[test]
    fn an_index_of_other_forms_is_looked_up_by_code_not_counted() {
        let mut catalog = catalog();
        let index = FormIndex::build(rows(&catalog));
        let filter = FormFilter::parse("spjy");
        let before = codes(&filter.kept(
            &catalog,
            |_| false,
            Some(&Readings::find(&index, &filter)),
            None,
        ));
        // the first form goes and one sorting last comes: every position shifts by one
        let first = catalog.forms.keys().next().cloned().expect("a form");
        let mut added = catalog.forms[first.as_str()].clone();
        added.code = "ZZZ-NEW".into();
        catalog.remove(crate::model::Kind::Form, &first);
        catalog.insert(crate::model::Record::Form(added));
        assert_eq!(index.len(), catalog.forms.len());
        let readings = Readings::find(&index, &filter).of_earlier_forms();
        let after = codes(&filter.kept(&catalog, |_| false, Some(&readings), None));
        let expected: Vec<String> = before.into_iter().filter(|c| *c != first).collect();
        assert_eq!(after, expected);
    }

    /// The fingerprint changes with a form's name, and not with its fields.
    #[test]
    fn the_fingerprint_follows_codes_and_names() {
        let mut catalog = catalog();
        let before = fingerprint(&catalog);
        let code = catalog.forms.keys().next().cloned().unwrap_or_default();
        let mut form = catalog.forms[code.as_str()].clone();
        form.version += 1;
        catalog.insert(crate::model::Record::Form(form.clone()));
        assert_eq!(fingerprint(&catalog), before);
        form.name.push_str("（新）");
        catalog.insert(crate::model::Record::Form(form));
        assert_ne!(fingerprint(&catalog), before);
    }
}
