//! Editing a bundle (主题): items, questions, conditions and materials, from short typed
//! texts. Each function returns the changed bundle; the store validates it (unknown
//! questions, options, items) when it is saved, and a face shows those problems.

use crate::i18n::Lang;
use crate::model::{AnswerOption, Bundle, BundleMaterial, Catalog, Kind, Origin, Question, When};

use super::workflow::{BUNDLE_DIGITS, BUNDLE_PREFIX, next_code, unique_code};
use crate::display::inert;

/// What an edit of a bundle did, as the audit log names it (`yibiao log`, `L` in pane 4):
/// each kind of edit has its own action, so the history tells them apart. Entries written
/// before these names read `bundle_edit` (or `edit` for a name or lead agency) and stay as
/// they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleEdit {
    /// The bundle's name.
    Rename,
    /// The lead agency.
    Lead,
    /// A question added.
    AddQuestion,
    /// A question's text or options rewritten.
    EditQuestion,
    /// A question removed (with the conditions naming it).
    RemoveQuestion,
    /// A question moved up or down.
    MoveQuestion,
    /// Items inserted.
    AddItems,
    /// An item removed (with its condition and materials).
    RemoveItem,
    /// An item moved up or down.
    MoveItem,
    /// An item's condition set or cleared.
    ItemCondition,
    /// A material row added (or its condition given with it).
    AddMaterial,
    /// A material row removed.
    RemoveMaterial,
    /// A material row's condition.
    MaterialCondition,
}

impl BundleEdit {
    /// The audit action: `bundle_rename`, `bundle_add_question`, `bundle_add_items`,
    /// `bundle_condition`, `bundle_remove_item`, …
    pub fn audit_action(self) -> &'static str {
        match self {
            Self::Rename => "bundle_rename",
            Self::Lead => "bundle_lead",
            Self::AddQuestion => "bundle_add_question",
            Self::EditQuestion => "bundle_edit_question",
            Self::RemoveQuestion => "bundle_remove_question",
            Self::MoveQuestion => "bundle_move_question",
            Self::AddItems => "bundle_add_items",
            Self::RemoveItem => "bundle_remove_item",
            Self::MoveItem => "bundle_move_item",
            Self::ItemCondition => "bundle_condition",
            Self::AddMaterial => "bundle_add_material",
            Self::RemoveMaterial => "bundle_remove_material",
            Self::MaterialCondition => "bundle_material_condition",
        }
    }

    /// Every edit, for documentation and tests.
    pub const ALL: [BundleEdit; 13] = [
        Self::Rename,
        Self::Lead,
        Self::AddQuestion,
        Self::EditQuestion,
        Self::RemoveQuestion,
        Self::MoveQuestion,
        Self::AddItems,
        Self::RemoveItem,
        Self::MoveItem,
        Self::ItemCondition,
        Self::AddMaterial,
        Self::RemoveMaterial,
        Self::MaterialCondition,
    ];
}

impl RemoveTarget {
    /// The audit action of removing this row.
    pub fn edit(self) -> BundleEdit {
        match self {
            Self::Question(_) => BundleEdit::RemoveQuestion,
            Self::Item(_) => BundleEdit::RemoveItem,
        }
    }
}

/// A typed text that does not parse, with the message in the UI language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

/// Parses a condition typed as `q=o1,o2 q2=o` (`；`, `;` or spaces between questions,
/// `，` or `,` or `/` between options). Empty text: no condition (always).
pub fn parse_when(text: &str, lang: Lang) -> Result<Option<When>, ParseError> {
    let mut when = When::new();
    for part in text
        .split(|c: char| c == ';' || c == '；' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let Some((question, options)) = part.split_once(['=', '＝']) else {
            return Err(ParseError(lang.pick(
                format!("条件应写作 问题=选项，如 area=ge500：{part}"),
                format!("a condition is question=option, e.g. area=ge500: {part}"),
            )));
        };
        let options: Vec<String> = options
            .split([',', '，', '/'])
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect();
        if question.is_empty() || options.is_empty() {
            return Err(ParseError(lang.pick(
                format!("条件缺少问题或选项：{part}"),
                format!("a condition lacks its question or options: {part}"),
            )));
        }
        when.entry(question.to_string())
            .or_default()
            .extend(options);
    }
    Ok((!when.is_empty()).then_some(when))
}

/// A condition as typed back: `q=o1,o2 q2=o`.
pub fn when_text(when: Option<&When>) -> String {
    when.map(|w| {
        w.iter()
            .map(|(q, o)| format!("{q}={}", o.join(",")))
            .collect::<Vec<_>>()
            .join(" ")
    })
    .unwrap_or_default()
}

/// Parses a question typed as `key 问题文本 | yes 是 | no 否`.
pub fn parse_question(text: &str, lang: Lang) -> Result<Question, ParseError> {
    let mut parts = text.split(['|', '｜']).map(str::trim);
    let head = parts.next().unwrap_or("");
    let (key, text) = head.split_once(char::is_whitespace).unwrap_or((head, ""));
    if key.is_empty() || text.trim().is_empty() {
        return Err(ParseError(
            lang.pick(
                "问题应写作 键 问题文本 | 选项键 选项文本 | …，如 alcohol 是否销售酒类？ | yes 是 | no 否",
                "a question is: key text | option-key option-text | …, e.g. alcohol Sells alcohol? | yes Yes | no No",
            )
            .into(),
        ));
    }
    let options = parts
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, t) = p.split_once(char::is_whitespace).unwrap_or((p, p));
            AnswerOption {
                key: k.to_string(),
                text: t.trim().to_string(),
            }
        })
        .collect();
    Ok(Question {
        key: key.to_string(),
        text: text.trim().to_string(),
        options,
    })
}

/// A question as typed back.
pub fn question_text(q: &Question) -> String {
    std::iter::once(format!("{} {}", q.key, q.text))
        .chain(q.options.iter().map(|o| format!("{} {}", o.key, o.text)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Inserts `codes` after position `after` (at the front for `None`, clamped to the end),
/// in the given order, skipping codes already in the bundle or repeated; returns the codes
/// inserted. Unknown codes are the store's to refuse when the bundle is saved.
pub fn insert_items(bundle: &mut Bundle, after: Option<usize>, codes: &[String]) -> Vec<String> {
    let mut added: Vec<String> = Vec::new();
    for code in codes {
        if !bundle.items.contains(code) && !added.contains(code) {
            added.push(code.clone());
        }
    }
    let at = after.map_or(0, |i| i + 1).min(bundle.items.len());
    bundle.items.splice(at..at, added.iter().cloned());
    added
}

/// The questions and their option keys, as a condition is typed: `area=lt500|ge500 tobacco=yes|no`.
pub fn condition_hint(bundle: &Bundle) -> String {
    bundle
        .questions
        .iter()
        .map(|q| {
            let options: Vec<&str> = q.options.iter().map(|o| o.key.as_str()).collect();
            format!("{}={}", q.key, options.join("|"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One option of one question, as a condition can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionChoice {
    /// The question's key.
    pub question: String,
    /// The option's key.
    pub option: String,
    /// The question as asked.
    pub question_text: String,
    /// The option as shown.
    pub option_text: String,
}

/// Every option of every question of the bundle, in order: what a condition can name.
pub fn condition_choices(bundle: &Bundle) -> Vec<ConditionChoice> {
    bundle
        .questions
        .iter()
        .flat_map(|q| {
            q.options.iter().map(|o| ConditionChoice {
                question: q.key.clone(),
                option: o.key.clone(),
                question_text: q.text.clone(),
                option_text: o.text.clone(),
            })
        })
        .collect()
}

/// Whether the condition typed as `text` names `option` of `question` (false if it does not
/// parse).
pub fn condition_names(text: &str, question: &str, option: &str) -> bool {
    parse_when(text, Lang::En).ok().flatten().is_some_and(|w| {
        w.get(question)
            .is_some_and(|options| options.iter().any(|o| o == option))
    })
}

/// The condition typed as `text` with `option` of `question` added if it was not named, or
/// removed if it was (a question left without options is dropped). Text that does not
/// parse is an error and stays as it is.
pub fn toggle_condition(
    text: &str,
    question: &str,
    option: &str,
    lang: Lang,
) -> Result<String, ParseError> {
    let mut when = parse_when(text, lang)?.unwrap_or_default();
    let options = when.entry(question.to_string()).or_default();
    match options.iter().position(|o| o == option) {
        Some(at) => {
            options.remove(at);
        }
        None => options.push(option.to_string()),
    }
    if options.is_empty() {
        when.remove(question);
    }
    Ok(when_text((!when.is_empty()).then_some(&when)))
}

/// One material row of an item in a bundle, as the materials editor lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaterialRow {
    /// Material code.
    pub material: String,
    /// The item's own material (always asked for; edited with the item, not here).
    pub own: bool,
    /// The condition of a bundle row (`None`: general, always asked for).
    pub when: Option<When>,
}

/// The material rows of `item`: the item's own materials first, then the bundle's rows for it
/// in bundle order.
pub fn material_rows(catalog: &Catalog, bundle: &Bundle, item: &str) -> Vec<MaterialRow> {
    let own = catalog
        .items
        .get(item)
        .into_iter()
        .flat_map(|i| &i.materials)
        .map(|m| MaterialRow {
            material: m.to_string(),
            own: true,
            when: None,
        });
    let rows = bundle
        .materials
        .iter()
        .filter(|m| m.item == item)
        .map(|m| MaterialRow {
            material: m.material.clone(),
            own: false,
            when: m.when.clone(),
        });
    own.chain(rows).collect()
}

/// Sets the condition of the bundle row (`item`, `material`) from typed text (empty: general);
/// false when there is no such row.
pub fn set_material_condition(
    bundle: &mut Bundle,
    item: &str,
    material: &str,
    text: &str,
    lang: Lang,
) -> Result<bool, ParseError> {
    let when = parse_when(text, lang)?;
    Ok(
        match bundle
            .materials
            .iter_mut()
            .find(|m| m.item == item && m.material == material)
        {
            Some(row) => {
                row.when = when;
                true
            }
            None => false,
        },
    )
}

/// A row of the bundle workspace that `d` removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoveTarget {
    /// The question at this index.
    Question(usize),
    /// The item at this index.
    Item(usize),
}

/// What removing a question or an item takes with it: asked about first, said after.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removal {
    /// The question's key or the item's code.
    pub what: String,
    /// Item conditions removed (an item's own) or rewritten (those naming the question).
    pub conditions: usize,
    /// Material rows removed with an item.
    pub materials: usize,
    /// Items whose condition named only the question: they now always apply.
    pub always_items: Vec<String>,
    /// Materials (`item`, `material`) whose condition named only the question: they are
    /// now needed always (通用).
    pub always_materials: Vec<(String, String)>,
}

impl Removal {
    /// What goes with the removal, in the UI language (for the question and the message);
    /// items and materials by their names in `catalog` (their codes when it has none).
    pub fn describe(&self, catalog: &Catalog, lang: Lang) -> String {
        let item = |code: &str| {
            catalog
                .items
                .get(code)
                .map_or_else(|| code.to_string(), |i| i.name.to_string())
        };
        let mut parts = Vec::new();
        if self.conditions > 0 {
            parts.push(lang.pick(
                format!("{} 个事项条件", self.conditions),
                format!("{} item condition(s)", self.conditions),
            ));
        }
        if self.materials > 0 {
            parts.push(lang.pick(
                format!("{} 行材料", self.materials),
                format!("{} material row(s)", self.materials),
            ));
        }
        let mut text = if parts.is_empty() {
            lang.pick(
                "无条件或材料随之改变",
                "no condition or material goes with it",
            )
            .to_string()
        } else {
            lang.pick(
                format!("连同 {}", parts.join("、")),
                format!("with {}", parts.join(", ")),
            )
        };
        if !self.always_items.is_empty() {
            let items = self
                .always_items
                .iter()
                .map(|code| item(code))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "));
            text.push_str(&lang.pick(
                format!("；事项变为始终适用：{items}"),
                format!("; item(s) that will always apply: {items}"),
            ));
        }
        if !self.always_materials.is_empty() {
            let materials = self
                .always_materials
                .iter()
                .map(|(of, code)| {
                    let name = catalog
                        .materials
                        .get(code.as_str())
                        .map_or(code.as_str(), |m| m.name.as_str());
                    lang.pick(
                        format!("{name}（{}）", item(of)),
                        format!("{name} ({})", item(of)),
                    )
                })
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "));
            text.push_str(&lang.pick(
                format!("；材料变为通用（始终需要）：{materials}"),
                format!("; material(s) that become general (always needed): {materials}"),
            ));
        }
        text
    }
}

/// Removes the question or item at `target`; `None` when there is no such row.
pub fn remove(bundle: &mut Bundle, target: RemoveTarget) -> Option<Removal> {
    match target {
        RemoveTarget::Question(index) => remove_question(bundle, index),
        RemoveTarget::Item(index) => remove_item(bundle, index),
    }
}

/// Removes an item with its condition and its material rows.
pub fn remove_item(bundle: &mut Bundle, index: usize) -> Option<Removal> {
    if index >= bundle.items.len() {
        return None;
    }
    let code = bundle.items.remove(index);
    let conditions = usize::from(bundle.item_when.remove(&code).is_some());
    let before = bundle.materials.len();
    bundle.materials.retain(|m| m.item != code);
    Some(Removal {
        conditions,
        materials: before - bundle.materials.len(),
        what: code,
        ..Removal::default()
    })
}

/// Removes a question and every condition entry that names it.
pub fn remove_question(bundle: &mut Bundle, index: usize) -> Option<Removal> {
    if index >= bundle.questions.len() {
        return None;
    }
    let key = bundle.questions.remove(index).key;
    let mut removal = Removal::default();
    for (item, w) in &mut bundle.item_when {
        if w.remove(&key).is_some() {
            removal.conditions += 1;
            if w.is_empty() {
                removal.always_items.push(item.clone());
            }
        }
    }
    bundle.item_when.retain(|_, w| !w.is_empty());
    for m in &mut bundle.materials {
        if let Some(w) = &mut m.when
            && w.remove(&key).is_some()
            && w.is_empty()
        {
            m.when = None;
            removal
                .always_materials
                .push((m.item.clone(), m.material.clone()));
        }
    }
    removal.what = key;
    Some(removal)
}

/// Moves entry `index` of `list` one place up (`up`) or down; returns its new index.
pub fn move_entry<T>(list: &mut [T], index: usize, up: bool) -> Option<usize> {
    let to = if up { index.checked_sub(1)? } else { index + 1 };
    if to >= list.len() || index >= list.len() {
        return None;
    }
    list.swap(index, to);
    Some(to)
}

/// Applies a material line for `item`: `CODE [q=o …]` adds (or replaces the condition of)
/// the row, `-CODE` removes it. Says which of the two it was.
pub fn edit_material(
    bundle: &mut Bundle,
    item: &str,
    text: &str,
    lang: Lang,
) -> Result<BundleEdit, ParseError> {
    let text = text.trim();
    let (code, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if let Some(code) = code.strip_prefix('-') {
        bundle
            .materials
            .retain(|m| !(m.item == item && m.material == code));
        return Ok(BundleEdit::RemoveMaterial);
    }
    if code.is_empty() {
        return Err(ParseError(
            lang.pick(
                "材料应写作 材料编码 [条件]，如 CL000090 area=ge500；-编码 删除",
                "a material is CODE [condition], e.g. CL000090 area=ge500; -CODE removes it",
            )
            .into(),
        ));
    }
    let when = parse_when(rest, lang)?;
    match bundle
        .materials
        .iter_mut()
        .find(|m| m.item == item && m.material == code)
    {
        Some(row) => row.when = when,
        None => bundle.materials.push(BundleMaterial {
            material: code.to_string(),
            item: item.to_string(),
            when,
        }),
    }
    Ok(BundleEdit::AddMaterial)
}

/// The agency a typed lead agency names: its exact code, else its exact name (surrounding
/// space ignored). An empty text clears the lead agency (`Ok(None)`). Two agencies with the
/// name, or none with the code or name, are an error that says so.
pub fn resolve_agency(
    catalog: &Catalog,
    text: &str,
    lang: Lang,
) -> Result<Option<String>, ParseError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if catalog.agencies.contains_key(text) {
        return Ok(Some(text.to_string()));
    }
    let named: Vec<&str> = catalog
        .agencies
        .values()
        .filter(|a| a.name == text)
        .map(|a| a.code.as_str())
        .collect();
    match named.as_slice() {
        [one] => Ok(Some(one.to_string())),
        [] => Err(ParseError(lang.pick(
            format!("没有编码或名称为 {} 的实施主体", inert(text)),
            format!("no agency has the code or name {}", inert(text)),
        ))),
        several => Err(ParseError(lang.pick(
            format!(
                "{} 个实施主体名为 {}：{}；请选择一个",
                several.len(),
                inert(text),
                several.join("、")
            ),
            format!(
                "{} agencies are named {}: {}; choose one",
                several.len(),
                inert(text),
                several.join(", ")
            ),
        ))),
    }
}

/// A new self-built bundle (自建) with a fresh code.
pub fn new_bundle(catalog: &Catalog, name: &str) -> Bundle {
    Bundle {
        code: next_code(catalog, Kind::Bundle, BUNDLE_PREFIX, BUNDLE_DIGITS).into(),
        name: name.trim().into(),
        lead_agency: None,
        items: Vec::new(),
        questions: Vec::new(),
        item_when: Default::default(),
        materials: Default::default(),
        status: Default::default(),
        version: 0,
        origin: Origin::SelfBuilt,
        template: false,
        template_of: None,
    }
}

/// A bundle claimed (认领) from a template bundle: a copy under a fresh code, back at draft
/// V0, marked claimed.
pub fn claim(catalog: &Catalog, template: &Bundle) -> Bundle {
    Bundle {
        code: unique_code(catalog, Kind::Bundle, &format!("{}-RL", template.code)).into(),
        status: Default::default(),
        version: 0,
        origin: Origin::Claimed,
        // a copy of a template is an entry claimed from it, not another template
        template: false,
        template_of: template.template.then(|| template.code.to_string()),
        ..template.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_agency_is_named_by_its_code_or_its_exact_name() {
        let mut catalog = crate::sample::generate(1);
        let agency = catalog
            .agencies
            .values()
            .find(|a| a.name == "广安市广安区市场监督管理局")
            .cloned()
            .expect("the sample has it");
        let code = Some(agency.code.to_string());
        let resolve = |c: &Catalog, t: &str| resolve_agency(c, t, Lang::Zh);
        assert_eq!(resolve(&catalog, &agency.code), Ok(code.clone()));
        assert_eq!(resolve(&catalog, " 广安市广安区市场监督管理局 "), Ok(code));
        assert_eq!(resolve(&catalog, "  "), Ok(None));
        assert_eq!(
            resolve(&catalog, "广安区市场监督管理"),
            Err(ParseError(
                "没有编码或名称为 广安区市场监督管理 的实施主体".into()
            ))
        );
        let mut twin = agency.clone();
        twin.code = "12511602MB0000001A".into();
        catalog.insert(crate::model::Record::Agency(twin));
        let e = resolve(&catalog, "广安市广安区市场监督管理局").unwrap_err();
        assert!(e.0.starts_with("2 个实施主体名为"), "{}", e.0);
    }

    #[test]
    fn every_edit_has_its_own_audit_action() {
        let actions: std::collections::BTreeSet<&str> =
            BundleEdit::ALL.iter().map(|e| e.audit_action()).collect();
        assert_eq!(actions.len(), BundleEdit::ALL.len(), "{actions:?}");
        // none reads like the entries written before (`bundle_edit`, `edit`)
        assert!(
            actions
                .iter()
                .all(|a| a.starts_with("bundle_") && *a != "bundle_edit")
        );
        assert_eq!(RemoveTarget::Item(0).edit(), BundleEdit::RemoveItem);
        assert_eq!(RemoveTarget::Question(0).edit(), BundleEdit::RemoveQuestion);
        let mut b = bundle();
        assert_eq!(
            edit_material(&mut b, "C", "M2", Lang::En),
            Ok(BundleEdit::AddMaterial)
        );
        assert_eq!(
            edit_material(&mut b, "C", "-M2", Lang::En),
            Ok(BundleEdit::RemoveMaterial)
        );
    }

    #[test]
    fn toggling_a_condition_adds_and_removes_options_and_keeps_bad_text() {
        let t = |text: &str, q: &str, o: &str| toggle_condition(text, q, o, Lang::En);
        for (text, q, o, toggled) in [
            ("", "area", "ge500", "area=ge500"),
            ("area=ge500", "area", "lt500", "area=ge500,lt500"),
            ("area=ge500,lt500", "area", "ge500", "area=lt500"),
            // no option left: always
            ("area=lt500", "area", "lt500", ""),
            ("area=lt500", "tobacco", "yes", "area=lt500 tobacco=yes"),
        ] {
            assert_eq!(t(text, q, o).unwrap(), toggled, "{text} ^ {q}={o}");
        }
        assert!(
            t("area", "area", "x").is_err(),
            "unparsable text is not rewritten"
        );
        assert!(condition_names("area=lt500 tobacco=yes", "tobacco", "yes"));
        assert!(!condition_names("area=lt500", "tobacco", "yes"));
        assert!(!condition_names("area", "area", "lt500"));
    }
    use crate::model::Status;

    fn bundle() -> Bundle {
        let mut b = new_bundle(&Catalog::default(), " 我要开餐馆 ");
        b.items = vec!["A".into(), "B".into(), "C".into()];
        b.questions = vec![
            parse_question("area 面积 | lt500 小于500 | ge500 不小于500", Lang::Zh).unwrap(),
            parse_question("alcohol 是否售酒？ | yes 是 | no 否", Lang::Zh).unwrap(),
        ];
        b.item_when.insert(
            "B".into(),
            parse_when("area=ge500 alcohol=yes", Lang::Zh)
                .unwrap()
                .unwrap(),
        );
        edit_material(&mut b, "B", "M1 alcohol=yes", Lang::Zh).unwrap();
        edit_material(&mut b, "C", "M2", Lang::Zh).unwrap();
        b
    }

    #[test]
    fn conditions_and_questions_parse_and_print_back() {
        let when = parse_when("area=ge500,lt500；alcohol＝yes", Lang::Zh).unwrap();
        assert_eq!(when_text(when.as_ref()), "alcohol=yes area=ge500,lt500");
        assert_eq!(parse_when("  ", Lang::Zh), Ok(None));
        assert!(parse_when("area", Lang::En).is_err());
        assert!(parse_when("area=", Lang::En).is_err());
        let q = parse_question("alcohol 是否售酒？ | yes 是 | no 否", Lang::Zh).unwrap();
        assert_eq!(q.options.len(), 2);
        assert_eq!(question_text(&q), "alcohol 是否售酒？ | yes 是 | no 否");
        assert!(parse_question("alcohol", Lang::Zh).is_err());
    }

    #[test]
    fn removing_a_question_strips_it_from_every_condition() {
        let mut b = bundle();
        let removal = remove_question(&mut b, 1).unwrap();
        assert_eq!(
            removal,
            Removal {
                what: "alcohol".into(),
                conditions: 1,
                always_materials: vec![("B".into(), "M1".into())],
                ..Removal::default()
            }
        );
        assert_eq!(
            removal.describe(&Catalog::default(), Lang::Zh),
            "连同 1 个事项条件；材料变为通用（始终需要）：M1（B）"
        );
        assert_eq!(when_text(b.item_when.get("B")), "area=ge500");
        assert_eq!(b.materials[0].when, None);
        let removal = remove(&mut b, RemoveTarget::Question(0)).unwrap();
        assert_eq!((removal.what.as_str(), removal.conditions), ("area", 1));
        assert_eq!(removal.always_items, ["B"]);
        assert!(b.item_when.is_empty());
        assert_eq!(remove_question(&mut b, 0), None);
    }

    #[test]
    fn items_move_and_leave_with_their_rows() {
        let mut b = bundle();
        assert_eq!(move_entry(&mut b.items, 0, true), None);
        assert_eq!(move_entry(&mut b.items, 0, false), Some(1));
        assert_eq!(b.items, ["B", "A", "C"]);
        assert_eq!(move_entry(&mut b.items, 2, false), None);
        let removal = remove(&mut b, RemoveTarget::Item(0)).unwrap();
        assert_eq!(
            (removal.what.as_str(), removal.conditions, removal.materials),
            ("B", 1, 1)
        );
        assert_eq!(
            removal.describe(&Catalog::default(), Lang::En),
            "with 1 item condition(s), 1 material row(s)"
        );
        assert_eq!(
            remove_item(&mut b, 0).map(|r| r.describe(&Catalog::default(), Lang::Zh)),
            Some("无条件或材料随之改变".into())
        );
        assert!(b.item_when.is_empty());
        assert_eq!(b.materials.len(), 1);
        edit_material(&mut b, "C", "-M2", Lang::Zh).unwrap();
        assert!(b.materials.is_empty());
        assert!(edit_material(&mut b, "C", " ", Lang::Zh).is_err());
    }

    #[test]
    fn new_claimed_and_found() {
        let mut catalog = Catalog::default();
        let mut b = bundle();
        b.status = Status::Published;
        b.version = 2;
        catalog.insert(crate::model::Record::Bundle(b.clone()));
        assert_eq!(b.name, "我要开餐馆");
        assert_eq!(b.origin, Origin::SelfBuilt);
        let c = claim(&catalog, &b);
        assert_eq!(
            (c.origin, c.status, c.version),
            (Origin::Claimed, Status::Draft, 0)
        );
        assert_ne!(c.code, b.code);
        assert_eq!(c.items, b.items);
    }

    #[test]
    fn items_are_inserted_after_the_selection_once() {
        let mut b = bundle();
        let codes: Vec<String> = ["X", "A", "Y", "X"].iter().map(|c| c.to_string()).collect();
        assert_eq!(insert_items(&mut b, Some(0), &codes), ["X", "Y"]);
        assert_eq!(b.items, ["A", "X", "Y", "B", "C"]);
        assert_eq!(insert_items(&mut b, Some(99), &["Z".to_string()]), ["Z"]);
        assert_eq!(b.items.last().map(String::as_str), Some("Z"));
        assert_eq!(insert_items(&mut b, None, &["W".to_string()]), ["W"]);
        assert_eq!(b.items[0], "W");
        assert!(insert_items(&mut b, None, &["A".to_string()]).is_empty());
    }

    #[test]
    fn material_rows_and_their_conditions() {
        let mut b = bundle();
        let mut catalog = Catalog::default();
        catalog.insert(crate::model::Record::Item(crate::model::Item {
            materials: vec!["OWN".into()].into(),
            ..crate::sample::generate(1)
                .items
                .into_values()
                .next()
                .expect("an item")
        }));
        let item = catalog.items.keys().next().cloned().expect("item");
        b.items.push(item.to_string());
        edit_material(&mut b, &item, "M9 area=ge500", Lang::Zh).unwrap();
        let rows = material_rows(&catalog, &b, &item);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].own && rows[0].material == "OWN" && rows[0].when.is_none());
        assert_eq!(when_text(rows[1].when.as_ref()), "area=ge500");
        // special -> general -> special again, in place
        assert_eq!(
            set_material_condition(&mut b, &item, "M9", " ", Lang::Zh),
            Ok(true)
        );
        assert_eq!(material_rows(&catalog, &b, &item)[1].when, None);
        assert_eq!(
            set_material_condition(&mut b, &item, "M9", "alcohol=yes", Lang::Zh),
            Ok(true)
        );
        assert_eq!(
            when_text(material_rows(&catalog, &b, &item)[1].when.as_ref()),
            "alcohol=yes"
        );
        assert_eq!(
            set_material_condition(&mut b, &item, "NONE", "", Lang::Zh),
            Ok(false)
        );
        assert!(set_material_condition(&mut b, &item, "M9", "alcohol", Lang::Zh).is_err());
        assert_eq!(condition_hint(&b), "area=lt500|ge500 alcohol=yes|no");
    }
}
