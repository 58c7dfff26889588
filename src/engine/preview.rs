//! The applicant's preview of a form (the right side of the form designer): the rows an
//! applicant fills in, a bound parent element's children as sub-fields, choices offered
//! for the values chosen so far (a province → city → county cascade narrows as it is
//! chosen), and live validation of sample values with the element's validator — a number
//! paired with a 联动证件类型 field is checked by the validator of the chosen document type.

use std::collections::BTreeMap;

use super::validate::{self, Rejection};
use crate::i18n::Lang;
use crate::model::{Catalog, Element, ElementKind, ElementOption, Form, Kind};

/// How deep sub-fields of sub-fields go.
const MAX_DEPTH: usize = 3;

/// One row of the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The section it is in.
    pub section: usize,
    /// The designer field it comes from (section, field).
    pub field: (usize, usize),
    /// The key its value is kept under: the field key, `key.CHILD` for a sub-field.
    pub key: String,
    /// What the applicant reads.
    pub label: String,
    /// 必填 (a sub-field is required when its field is).
    pub required: bool,
    /// The element, if bound.
    pub element: Option<String>,
    /// The element's kind, if bound.
    pub kind: Option<ElementKind>,
    /// 0 for a field, 1.. for sub-fields.
    pub depth: usize,
    /// A heading over sub-fields (a parent element): takes no value itself.
    pub group: bool,
    /// 填写说明.
    pub help: Option<String>,
    /// Shown only under some answers.
    pub conditional: bool,
    /// For a number paired with a 联动证件类型 row: that row's index.
    pub pair: Option<usize>,
}

/// The whole preview: section titles and rows in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    /// Section titles.
    pub titles: Vec<String>,
    /// Rows, section by section.
    pub rows: Vec<Row>,
}

/// Sample values typed into the preview, by row key.
pub type Values = BTreeMap<String, String>;

/// The state of one row's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Nothing typed, not required.
    Empty,
    /// Nothing typed, but required.
    Missing,
    /// Valid.
    Valid,
    /// Rejected, with the validator's reason.
    Invalid(Rejection),
}

impl Check {
    /// A short text for the row: the reason for a rejection.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Check::Empty => String::new(),
            Check::Missing => lang.pick("必填", "required").into(),
            Check::Valid => lang.pick("有效", "valid").into(),
            Check::Invalid(r) => r.message(lang),
        }
    }
}

fn children<'c>(catalog: &'c Catalog, code: &str) -> Vec<&'c Element> {
    catalog
        .referrers(Kind::Element, code)
        .filter(|r| r.kind == Kind::Element && r.path == "parent")
        .filter_map(|r| catalog.elements.get(r.code.as_str()))
        .collect()
}

impl Preview {
    /// The preview of `form` (which need not be stored: the designer's working copy).
    pub fn build(catalog: &Catalog, form: &Form) -> Preview {
        let mut preview = Preview::default();
        for (s, section) in form.sections.iter().enumerate() {
            preview.titles.push(section.title.to_string());
            let first = preview.rows.len();
            for (f, field) in section.fields.iter().enumerate() {
                let element = field
                    .element
                    .as_deref()
                    .and_then(|c| catalog.elements.get(c));
                let row = Row {
                    section: s,
                    field: (s, f),
                    key: field.key.to_string(),
                    label: field.label.to_string(),
                    required: field.required,
                    element: field.element.as_deref().map(str::to_string),
                    kind: element.map(|e| e.kind),
                    depth: 0,
                    group: false,
                    help: field.help.as_deref().map(str::to_string),
                    conditional: field.when.is_some(),
                    pair: None,
                };
                preview.push(catalog, row, element);
            }
            preview.pair_ids(catalog, first);
        }
        preview
    }

    /// Adds a row and, for a parent element, its children as sub-rows.
    fn push(&mut self, catalog: &Catalog, mut row: Row, element: Option<&Element>) {
        let kids = element
            .filter(|_| row.depth < MAX_DEPTH)
            .map(|e| children(catalog, &e.code))
            .unwrap_or_default();
        row.group = !kids.is_empty();
        let parent = row.clone();
        self.rows.push(row);
        for child in kids {
            let sub = Row {
                key: format!("{}.{}", parent.key, child.code),
                label: child.name.to_string(),
                element: Some(child.code.to_string()),
                kind: Some(child.kind),
                depth: parent.depth + 1,
                help: None,
                ..parent.clone()
            };
            self.push(catalog, sub, Some(child));
        }
    }

    /// Pairs number rows with the 联动证件类型 row before them in the section: a sibling
    /// (same parent element) or the row right after it.
    fn pair_ids(&mut self, catalog: &Catalog, first: usize) {
        let parent_of = |row: &Row| {
            row.element
                .as_deref()
                .and_then(|c| catalog.elements.get(c))
                .and_then(|e| e.parent.clone())
        };
        for i in first..self.rows.len() {
            let row = &self.rows[i];
            if row.group || row.kind.is_some_and(ElementKind::has_options) {
                continue;
            }
            let mine = parent_of(row);
            let pair = (first..i).rev().find(|&j| {
                let other = &self.rows[j];
                other.kind == Some(ElementKind::IdTypeLinked)
                    && (j + 1 == i || (mine.is_some() && parent_of(other) == mine))
            });
            self.rows[i].pair = pair;
        }
    }

    /// Index of the first row that takes a value, from `from` in `forward` direction.
    pub fn input_row(&self, from: usize, forward: bool) -> Option<usize> {
        if forward {
            (from..self.rows.len()).find(|&i| !self.rows[i].group)
        } else {
            (0..=from.min(self.rows.len().saturating_sub(1)))
                .rev()
                .find(|&i| !self.rows.get(i).is_some_and(|r| r.group))
                .filter(|&i| i < self.rows.len())
        }
    }

    /// Validates row `i`'s value: the element's validator, or for a number paired with a
    /// document type, the validator of the chosen type.
    pub fn check(&self, catalog: &Catalog, values: &Values, i: usize) -> Check {
        let Some(row) = self.rows.get(i) else {
            return Check::Empty;
        };
        let value = values.get(&row.key).map_or("", String::as_str);
        if value.is_empty() {
            return if row.required && !row.group {
                Check::Missing
            } else {
                Check::Empty
            };
        }
        match self.normalize(catalog, values, i, value) {
            Ok(_) => Check::Valid,
            Err(r) => Check::Invalid(r),
        }
    }

    /// For a cascade row whose valid value stops above the last level, how many levels are
    /// left to choose ([`validate::cascade_levels_left`]): the preview says so rather than
    /// reading the path as complete.
    pub fn levels_left(&self, catalog: &Catalog, values: &Values, i: usize) -> Option<usize> {
        let row = self.rows.get(i)?;
        let value = values.get(&row.key).filter(|v| !v.is_empty())?;
        let element = catalog.elements.get(row.element.as_deref()?)?;
        validate::cascade_levels_left(element, value)
    }

    /// Row `i`'s value in the spelling it is kept in, when it is valid and spelled otherwise
    /// as typed (a 身份证号码 typed with `x` is kept with `X`): what a filled form keeps.
    pub fn normalized(&self, catalog: &Catalog, values: &Values, i: usize) -> Option<String> {
        let value = values.get(&self.rows.get(i)?.key)?;
        match self.normalize(catalog, values, i, value) {
            Ok(std::borrow::Cow::Owned(kept)) if kept != *value => Some(kept),
            _ => None,
        }
    }

    /// Validates `value` for row `i` and gives its kept spelling: with the element's
    /// validator, or for a number paired with a document type, the chosen type's.
    fn normalize<'v>(
        &self,
        catalog: &Catalog,
        values: &Values,
        i: usize,
        value: &'v str,
    ) -> Result<std::borrow::Cow<'v, str>, Rejection> {
        let Some(row) = self.rows.get(i) else {
            return Ok(value.into());
        };
        let element = row.element.as_deref().and_then(|c| catalog.elements.get(c));
        let paired_type = row.pair.and_then(|j| {
            let t = self.rows.get(j)?;
            let chosen = values.get(&t.key).filter(|v| !v.is_empty())?;
            let element = catalog.elements.get(t.element.as_deref()?)?;
            Some((element, chosen))
        });
        match (paired_type, element) {
            (Some((t, chosen)), _) => validate::normalize_linked_id(t, chosen, value),
            (None, Some(e)) => validate::normalize_element(e, value),
            (None, None) => Ok(value.into()),
        }
    }

    /// The options offered for row `i` now: every option of a choice; for a cascade the
    /// options under the last one chosen (the top level when nothing is chosen).
    pub fn offered<'c>(
        &self,
        catalog: &'c Catalog,
        values: &Values,
        i: usize,
    ) -> Vec<&'c ElementOption> {
        let Some((row, element)) = self.row_element(catalog, i) else {
            return Vec::new();
        };
        if !element.kind.has_options() {
            return Vec::new();
        }
        if element.kind != ElementKind::LinkedDropdown {
            return element.options.iter().collect();
        }
        let path = values.get(&row.key).map_or("", String::as_str);
        let path = path.trim_end_matches(|c: char| c == '/' || c.is_whitespace());
        let under = match validate::cascade(element, path) {
            // codes or labels, level by level
            Ok(chosen) => chosen.last().map(|o| o.code.as_str()),
            // else under the last code typed, if it is one
            Err(_) => path
                .rsplit('/')
                .map(str::trim)
                .next()
                .filter(|code| element.options.iter().any(|o| o.code == *code)),
        };
        let next: Vec<_> = element
            .options
            .iter()
            .filter(|o| o.parent.as_deref() == under)
            .collect();
        next
    }

    /// The labels of a cascade path or a choice (`四川省 / 广安市`), for display.
    pub fn chosen_labels(&self, catalog: &Catalog, values: &Values, i: usize) -> Option<String> {
        let (row, element) = self.row_element(catalog, i)?;
        if !element.kind.has_options() {
            return None;
        }
        let value = values.get(&row.key)?;
        if element.kind == ElementKind::LinkedDropdown
            && let Ok(chosen) = validate::cascade(element, value)
        {
            let labels: Vec<&str> = chosen.iter().map(|o| o.label.as_str()).collect();
            return Some(labels.join(" / "));
        }
        let labels: Vec<&str> = value
            .split(if element.kind == ElementKind::LinkedDropdown {
                '/'
            } else {
                '\u{0}'
            })
            .filter_map(|part| {
                element
                    .options
                    .iter()
                    .find(|o| o.code == part || o.label == part)
                    .map(|o| o.label.as_str())
            })
            .collect();
        (!labels.is_empty()).then(|| labels.join(" / "))
    }

    /// Chooses the next (or previous) option at the current level of row `i`: a choice
    /// cycles through its options, a cascade through the siblings of its last level (the
    /// first level when empty). Returns whether the value changed.
    pub fn step_option(
        &self,
        catalog: &Catalog,
        values: &mut Values,
        i: usize,
        forward: bool,
    ) -> bool {
        let Some((row, element)) = self.row_element(catalog, i) else {
            return false;
        };
        if !element.kind.has_options() || element.options.is_empty() {
            return false;
        }
        let value = values.get(&row.key).cloned().unwrap_or_default();
        let cascade = element.kind == ElementKind::LinkedDropdown;
        let parts: Vec<&str> = if cascade {
            value.split('/').filter(|p| !p.is_empty()).collect()
        } else {
            [value.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect()
        };
        let find = |part: &str| {
            element
                .options
                .iter()
                .find(|o| o.code == part || o.label == part)
        };
        // a cascade path that validates names its options level by level (a label such as
        // 市辖区 recurs under many parents)
        let resolved = cascade
            .then(|| validate::cascade(element, &value).ok())
            .flatten()
            .and_then(|chosen| chosen.last().copied());
        let (last, head) = match parts.split_last() {
            Some((last, head)) => (resolved.or_else(|| find(last)), head),
            None => (None, &[][..]),
        };
        // an unknown last part starts over at the first level
        let head = if last.is_some() { head } else { &[][..] };
        let parent = last.and_then(|o| o.parent.as_deref()).filter(|_| cascade);
        let siblings: Vec<&ElementOption> = element
            .options
            .iter()
            .filter(|o| !cascade || o.parent.as_deref() == parent)
            .collect();
        let n = siblings.len();
        if n == 0 {
            return false;
        }
        let at = last.and_then(|l| siblings.iter().position(|o| o.code == l.code));
        let next = match (at, forward) {
            (Some(a), true) => (a + 1) % n,
            (Some(a), false) => (a + n - 1) % n,
            (None, true) => 0,
            (None, false) => n - 1,
        };
        let mut path: Vec<&str> = head.to_vec();
        path.push(&siblings[next].code);
        let new = path.join("/");
        if new == value {
            return false;
        }
        values.insert(row.key.clone(), new);
        true
    }

    /// Cascade: goes one level down (chooses the first option under the last one chosen).
    /// Returns whether the value changed.
    pub fn descend(&self, catalog: &Catalog, values: &mut Values, i: usize) -> bool {
        let Some((row, element)) = self.row_element(catalog, i) else {
            return false;
        };
        if element.kind != ElementKind::LinkedDropdown {
            return false;
        }
        let value = values.get(&row.key).cloned().unwrap_or_default();
        let Some(first) = self
            .offered(catalog, values, i)
            .first()
            .map(|o| o.code.to_string())
        else {
            return false;
        };
        let value = value.trim_end_matches(|c: char| c == '/' || c.is_whitespace());
        let new = if value.is_empty() {
            first
        } else {
            format!("{value}/{first}")
        };
        values.insert(row.key.clone(), new);
        true
    }

    fn row_element<'c>(&self, catalog: &'c Catalog, i: usize) -> Option<(&Row, &'c Element)> {
        let row = self.rows.get(i)?;
        let element = catalog.elements.get(row.element.as_deref()?)?;
        Some((row, element))
    }
}

/// An example value the element accepts: the kind's example, or for choices the first
/// option (for a cascade, the first path down to the last level).
pub fn example(element: &Element) -> String {
    match element.kind {
        ElementKind::LinkedDropdown => {
            let mut path: Vec<&str> = Vec::new();
            let mut under: Option<&str> = None;
            while let Some(o) = element
                .options
                .iter()
                .find(|o| o.parent.as_deref() == under)
                .filter(|_| path.len() < 8)
            {
                path.push(&o.code);
                under = Some(&o.code);
            }
            path.join("/")
        }
        k if k.has_options() => element
            .options
            .first()
            .map_or_else(String::new, |o| o.code.to_string()),
        ElementKind::Pattern => String::new(),
        k => validate::example(k).to_string(),
    }
}

/// A format hint for an element: the pattern or the kind's name and an example value.
pub fn hint(element: &Element, lang: Lang) -> String {
    let example = example(element);
    let kind = lang.pick(element.kind.zh(), element.kind.as_str());
    match (&element.pattern, example.is_empty()) {
        (Some(p), _) => format!("{kind} /{p}/"),
        (None, true) => kind.to_string(),
        (None, false) => lang.pick(
            format!("{kind}，例 {example}"),
            format!("{kind}, e.g. {example}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Section, Status};

    #[test]
    fn the_hint_punctuates_in_its_own_language() {
        let c = crate::sample::generate(1);
        let text = c
            .elements
            .values()
            .find(|e| e.kind == ElementKind::Text && e.pattern.is_none())
            .expect("a text element");
        let en = hint(text, Lang::En);
        assert!(en.starts_with("text, e.g. "), "{en}");
        assert!(!en.contains('，'), "{en}");
        assert!(hint(text, Lang::Zh).starts_with("文本，例 "));
    }

    /// The sample, with a form holding 所在地区, 证件 (a parent) and 身份证号码.
    fn setup() -> (Catalog, Form) {
        let c = crate::sample::generate(1);
        let code = |name: &str| {
            c.elements
                .values()
                .find(|e| e.name == name)
                .map(|e| e.code.as_str().into())
        };
        let field = |key: &str, name: &str, required: bool| Field {
            key: key.into(),
            label: name.into(),
            element: code(name),
            required,
            help: None,
            when: None,
        };
        let form = Form {
            code: "T1".into(),
            name: "预览".into(),
            item: None,
            material: None,
            sections: vec![Section {
                title: "申请人".into(),
                fields: vec![
                    field("f01", "所在地区", true),
                    field("f02", "证件", true),
                    field("f03", "身份证号码", true),
                    field("f04", "备注", false),
                ],
            }],
            status: Status::Draft,
            version: 0,
        };
        (c, form)
    }

    #[test]
    fn rows_show_children_of_a_parent_as_sub_fields() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let labels: Vec<_> = p
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.depth, r.group))
            .collect();
        assert_eq!(
            labels,
            [
                ("所在地区", 0, false),
                ("证件", 0, true),
                ("证件类型", 1, false),
                ("证件号码", 1, false),
                ("身份证号码", 0, false),
                ("备注", 0, false),
            ]
        );
        assert_eq!(p.rows[3].pair, Some(2));
        assert_eq!(p.rows[4].pair, None);
        assert_eq!(p.input_row(1, true), Some(2));
        assert_eq!(p.input_row(1, false), Some(0));
    }

    #[test]
    fn a_wrong_id_number_is_rejected_with_the_check_character() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let mut v = Values::new();
        assert_eq!(p.check(&c, &v, 4), Check::Missing);
        v.insert("f03".into(), "110105194912310021".into());
        let Check::Invalid(r) = p.check(&c, &v, 4) else {
            panic!()
        };
        assert!(r.message(Lang::Zh).contains("校验位应为 X"), "{r:?}");
        v.insert("f03".into(), "11010519491231002X".into());
        assert_eq!(p.check(&c, &v, 4), Check::Valid);
        assert_eq!(p.normalized(&c, &v, 4), None);
        assert_eq!(p.check(&c, &v, 5), Check::Empty);
    }

    #[test]
    fn a_lower_case_x_is_valid_and_kept_upper_case() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let mut v = Values::new();
        v.insert("f03".into(), "11010519491231002x".into());
        assert_eq!(p.check(&c, &v, 4), Check::Valid);
        assert_eq!(
            p.normalized(&c, &v, 4).as_deref(),
            Some("11010519491231002X")
        );
        // a number paired with 居民身份证 alike
        assert!(p.step_option(&c, &mut v, 2, true));
        v.insert(p.rows[3].key.clone(), "11010519491231002x".into());
        assert_eq!(p.check(&c, &v, 3), Check::Valid);
        assert_eq!(
            p.normalized(&c, &v, 3).as_deref(),
            Some("11010519491231002X")
        );
    }

    #[test]
    fn the_number_follows_the_chosen_document_type() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let mut v = Values::new();
        // unpaired: the number element is plain text
        v.insert(
            "f02.".to_string() + p.rows[3].element.as_deref().unwrap(),
            "A123".into(),
        );
        let number_key = p.rows[3].key.clone();
        v.insert(number_key.clone(), "110105194912310021".into());
        assert_eq!(p.check(&c, &v, 3), Check::Valid);
        // choose the first document type (居民身份证): the cn_id validator applies
        assert!(p.step_option(&c, &mut v, 2, true));
        let chosen = p.chosen_labels(&c, &v, 2).unwrap();
        let Check::Invalid(r) = p.check(&c, &v, 3) else {
            panic!("{chosen}")
        };
        assert!(r.message(Lang::Zh).contains("校验位应为 X"), "{r:?}");
        assert!(r.message(Lang::Zh).starts_with(&chosen), "{r:?}");
    }

    #[test]
    fn the_cascade_narrows_as_it_is_chosen() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let mut v = Values::new();
        let top = p.offered(&c, &v, 0);
        assert!(top.iter().all(|o| o.parent.is_none()));
        assert!(top.iter().any(|o| o.label == "四川省"));
        v.insert("f01".into(), "510000".into());
        let cities = p.offered(&c, &v, 0);
        assert!(!cities.is_empty());
        assert!(cities.iter().all(|o| o.parent.as_deref() == Some("510000")));
        assert!(cities.iter().any(|o| o.label == "广安市"));
        v.insert("f01".into(), "510000/511600".into());
        let counties = p.offered(&c, &v, 0);
        assert!(counties.iter().any(|o| o.label == "广安区"));
        assert!(
            counties
                .iter()
                .all(|o| o.parent.as_deref() == Some("511600"))
        );
        assert_eq!(p.chosen_labels(&c, &v, 0).unwrap(), "四川省 / 广安市");
        assert_eq!(p.check(&c, &v, 0), Check::Valid);
        // descend picks the first county; stepping moves among its siblings only
        assert!(p.descend(&c, &mut v, 0));
        assert!(v["f01"].starts_with("510000/511600/"));
        assert!(p.step_option(&c, &mut v, 0, true));
        let last = v["f01"].rsplit('/').next().unwrap().to_string();
        assert!(counties.iter().any(|o| o.code == last));
        assert_eq!(p.check(&c, &v, 0), Check::Valid);
    }

    #[test]
    fn a_cascade_typed_as_labels_narrows_and_shows_like_codes() {
        let (c, form) = setup();
        let p = Preview::build(&c, &form);
        let mut v = Values::new();
        v.insert("f01".into(), "四川省/广安市".into());
        assert_eq!(p.check(&c, &v, 0), Check::Valid);
        let counties = p.offered(&c, &v, 0);
        assert!(counties.iter().any(|o| o.label == "广安区"), "{counties:?}");
        assert!(
            counties
                .iter()
                .all(|o| o.parent.as_deref() == Some("511600"))
        );
        assert_eq!(p.chosen_labels(&c, &v, 0).unwrap(), "四川省 / 广安市");
        v.insert("f01".into(), "四川省/511600/广安区".into());
        assert_eq!(p.check(&c, &v, 0), Check::Valid);
        assert_eq!(
            p.chosen_labels(&c, &v, 0).unwrap(),
            "四川省 / 广安市 / 广安区"
        );
        // stepping moves among the county's siblings; a trailing / descends under it
        assert!(p.step_option(&c, &mut v, 0, true));
        assert!(v["f01"].starts_with("四川省/511600/"), "{}", v["f01"]);
        assert_eq!(p.check(&c, &v, 0), Check::Valid);
        v.insert("f01".into(), "四川省/".into());
        assert!(p.descend(&c, &mut v, 0));
        assert!(v["f01"].starts_with("四川省/5116") || v["f01"].starts_with("四川省/51"));
        assert_eq!(p.check(&c, &v, 0), Check::Valid, "{}", v["f01"]);
    }

    #[test]
    fn hints_name_the_kind_and_an_example() {
        let (c, _) = setup();
        let id = c
            .elements
            .values()
            .find(|e| e.name == "身份证号码")
            .unwrap();
        assert_eq!(hint(id, Lang::Zh), "身份证号码，例 11010519491231002X");
    }
}
