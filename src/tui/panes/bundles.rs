//! Pane 4 (主题): choose a bundle, answer its questions, toggle its items' forms and watch
//! the merged form (多表合一) recompute; fix conflicts and suggestions, export the flow, edit
//! the bundle. State and update only: drawing is in [`super::merge_view`], the merge rules
//! in `engine::merge`, the editing rules in `engine::bundle_edit`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent};
use rustc_hash::FxHashSet;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::action::Action;
use super::super::app::{Confirm, FixAsk, Level, Message, RemoveAsk};
use super::bundle_materials::{MaterialsEditor, item_name};
use super::bundle_picker::{IndexState, ItemIndexState, ItemPicker};
use super::lead_picker::LeadPicker;
use crate::display::inert;
use crate::engine::bundle_edit::{self, BundleEdit, RemoveTarget};
use crate::engine::dups::Covers;
use crate::engine::merge::resolve::{self, Choice, Target};
use crate::engine::merge::{self, Conflict, ConflictKind, Merge, Suggestion, flow, item_forms};
use crate::engine::workflow::{self, Transition};
use crate::i18n::Lang;
use crate::model::{Bundle, Catalog, Record, RecordRef};
use crate::store::{Applied, Batch, Store, StoreError};

/// What pane 4 reads and writes: the loaded store ([`Loaded`]), or before the catalog is
/// loaded the records near the open bundle (`tui::bundle_on_demand::NearBundle`).
pub trait BundleStore {
    /// The records the pane reads.
    fn catalog(&self) -> &Catalog;
    /// The store's directory.
    fn path(&self) -> &Path;
    /// Validates and writes `batch` atomically (see [`Store::apply`]).
    fn apply(&mut self, batch: Batch) -> Result<Applied, StoreError>;
    /// Whether the records are those near the open bundle: its pool's covers, read for
    /// them, are kept after a write.
    fn is_near(&self) -> bool {
        false
    }
    /// The code a new element gets (`None`: it cannot be worked out now).
    fn new_element_code(&self) -> Option<String>;
    /// The outline the item picker searches before the catalog is loaded (`None`: the
    /// catalog's items are searched).
    fn outline(&self) -> Option<&crate::model::Outline> {
        None
    }
}

/// The loaded store, as pane 4 reads and writes it.
pub struct Loaded<'a>(pub &'a mut (dyn Store + Send + 'static));

impl BundleStore for Loaded<'_> {
    fn catalog(&self) -> &Catalog {
        self.0.catalog()
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn apply(&mut self, batch: Batch) -> Result<Applied, StoreError> {
        self.0.apply(batch)
    }

    fn new_element_code(&self) -> Option<String> {
        let (prefix, width) = workflow::new_code_shape(crate::model::Kind::Element)?;
        Some(workflow::next_code(
            self.0.catalog(),
            crate::model::Kind::Element,
            prefix,
            width,
        ))
    }
}

/// The store as the pane gets it from the app.
pub type StoreRef<'a> = Option<&'a mut dyn BundleStore>;

/// The columns of the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The judgement questions.
    Questions,
    /// The bundle's items.
    Items,
    /// The right view.
    Right,
}

/// What the right side shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RightView {
    /// The merged form, one row per merged field.
    Merged,
    /// Every source field and where it went.
    Diff,
    /// The distinct materials.
    Materials,
    /// The items' flow with the critical path.
    Flow,
}

impl RightView {
    /// The title.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Self::Merged => lang.pick("合并表单", "Merged form"),
            Self::Diff => lang.pick("来源对照", "Source diff"),
            Self::Materials => lang.pick("材料", "材料 Materials"),
            Self::Flow => lang.pick("流程", "Flow"),
        }
    }

    fn next(self) -> Self {
        match self {
            Self::Merged => Self::Diff,
            Self::Diff => Self::Materials,
            Self::Materials => Self::Flow,
            Self::Flow => Self::Merged,
        }
    }
}

/// What happened to a field in the merge; drawn as a single-width symbol and a colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The only source of its merged field: kept as it is.
    Kept,
    /// Merged with other sources into one field.
    Merged,
    /// Its sources differ (label, required, options).
    Conflict,
    /// An unbound field that is probably a duplicate.
    Suggested,
}

impl Mark {
    /// The symbol (ASCII, single width, readable without colour).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Kept => "=",
            Self::Merged => "<",
            Self::Conflict => "!",
            Self::Suggested => "?",
        }
    }

    /// What the symbol means.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Kept => lang.pick("保留", "kept"),
            Self::Merged => lang.pick("合并", "merged"),
            Self::Conflict => lang.pick("冲突", "conflict"),
            Self::Suggested => lang.pick("疑似重复", "duplicate?"),
        }
    }

    /// Every mark, for the legend.
    pub const ALL: [Mark; 4] = [Self::Kept, Self::Merged, Self::Conflict, Self::Suggested];
}

/// One source field of the diff: `merge.fields[into].sources[entry]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffRow {
    /// Index of the merged field it went into.
    pub into: usize,
    /// Its index among that field's sources.
    pub entry: usize,
    /// What happened to it.
    pub mark: Mark,
}

/// An open bundle with its answers, excluded forms and the merge they give.
pub struct Workspace {
    /// Bundle code.
    pub code: String,
    /// Current answers.
    pub answers: merge::situation::Answers,
    /// Forms left out.
    pub excluded: BTreeSet<String>,
    /// The merge of the current answers (recomputed on every change).
    pub merge: Merge,
    /// The mark of each merged field.
    pub marks: Vec<Mark>,
    /// Every source field and where it went, in form order.
    pub diff: Vec<DiffRow>,
    /// The focused column.
    pub focus: Focus,
    /// The right view.
    pub view: RightView,
    /// Selected row of questions, items and the right view.
    pub selected: [usize; 3],
    /// The element pool's covers for the bundle's unbound labels, and the catalog revision
    /// they were built from: one pass over the elements per revision, not per toggle.
    pool: (u64, Covers),
    /// The covers were read from the store for a catalog of just the bundle's records (on
    /// demand, see [`BundlesPane::open_on_demand`]): kept until the whole catalog is in.
    pool_given: bool,
}

impl Workspace {
    fn new(catalog: &Catalog, bundle: &Bundle) -> Workspace {
        let pool = merge::pool_covers(catalog, bundle);
        Self::with_pool(catalog, bundle, pool, false)
    }

    fn with_pool(catalog: &Catalog, bundle: &Bundle, pool: Covers, given: bool) -> Workspace {
        let merge = merge::merge_with(
            catalog,
            bundle,
            &Default::default(),
            &BTreeSet::new(),
            Some(&pool),
        );
        let mut work = Workspace {
            code: bundle.code.to_string(),
            answers: Default::default(),
            excluded: BTreeSet::new(),
            merge,
            marks: Vec::new(),
            diff: Vec::new(),
            focus: Focus::Questions,
            view: RightView::Merged,
            selected: [0; 3],
            pool: (catalog.revision(), pool),
            pool_given: given,
        };
        work.recompute(catalog);
        work
    }

    /// The element pool's covers read from the store for the bundle opened before the
    /// catalog was loaded, once they are in (`None`: not read yet, or the catalog's).
    pub fn covers_read(&self) -> Option<&Covers> {
        (self.pool_given && self.pool.0 != u64::MAX).then_some(&self.pool.1)
    }

    /// Recomputes the merge and everything drawn from it; false if the bundle is gone.
    pub fn recompute(&mut self, catalog: &Catalog) -> bool {
        let Some(bundle) = catalog.bundles.get(self.code.as_str()) else {
            return false;
        };
        // answers to questions that no longer exist are dropped
        self.answers.retain(|q, o| {
            bundle
                .questions
                .iter()
                .any(|x| &x.key == q && x.options.iter().any(|y| &y.key == o))
        });
        if self.pool.0 != catalog.revision() && !self.pool_given {
            self.pool = (catalog.revision(), merge::pool_covers(catalog, bundle));
        }
        self.merge = merge::merge_with(
            catalog,
            bundle,
            &self.answers,
            &self.excluded,
            Some(&self.pool.1),
        );
        let m = &self.merge;
        let conflicted: FxHashSet<&str> = m.conflicts.iter().map(|c| c.element.as_str()).collect();
        let suggested: FxHashSet<(&str, &str)> = m
            .suggestions
            .iter()
            .flat_map(|s| &s.fields)
            .map(|s| (s.form.as_str(), s.field.as_str()))
            .collect();
        let in_conflict: FxHashSet<(&str, &str)> = m
            .conflicts
            .iter()
            .flat_map(|c| &c.sources)
            .map(|s| (s.form.as_str(), s.field.as_str()))
            .collect();
        self.marks = m
            .fields
            .iter()
            .map(|f| match &f.element {
                Some(e) if conflicted.contains(e.as_str()) => Mark::Conflict,
                None if f
                    .sources
                    .iter()
                    .any(|s| suggested.contains(&(s.form.as_str(), s.field.as_str()))) =>
                {
                    Mark::Suggested
                }
                _ if f.sources.len() > 1 => Mark::Merged,
                _ => Mark::Kept,
            })
            .collect();
        self.diff = m
            .placements
            .iter()
            .map(|p| {
                let into = &m.fields[p.field];
                let s = &into.sources[p.entry];
                let key = (s.form.as_str(), s.field.as_str());
                let mark = if in_conflict.contains(&key) {
                    Mark::Conflict
                } else if suggested.contains(&key) {
                    Mark::Suggested
                } else if into.sources.len() > 1 {
                    Mark::Merged
                } else {
                    Mark::Kept
                };
                DiffRow {
                    into: p.field,
                    entry: p.entry,
                    mark,
                }
            })
            .collect();
        let lens = [bundle.questions.len(), bundle.items.len(), self.right_len()];
        for (s, n) in self.selected.iter_mut().zip(lens) {
            *s = (*s).min(n.saturating_sub(1));
        }
        true
    }

    /// Rows of the right view.
    pub fn right_len(&self) -> usize {
        match self.view {
            RightView::Merged => self.merge.fields.len(),
            RightView::Diff => self.diff.len(),
            RightView::Materials => self.merge.materials.len(),
            RightView::Flow => self.merge.flow.order.len(),
        }
    }

    fn focus_index(&self) -> usize {
        match self.focus {
            Focus::Questions => 0,
            Focus::Items => 1,
            Focus::Right => 2,
        }
    }

    /// The merged field the right view's selection points at.
    pub fn selected_field(&self) -> Option<usize> {
        let row = self.selected[2];
        match self.view {
            RightView::Merged => (row < self.merge.fields.len()).then_some(row),
            RightView::Diff => self.diff.get(row).map(|d| d.into),
            _ => None,
        }
    }
}

/// What a text prompt is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// A file path for the DOT export.
    ExportDot,
    /// A file path for the Mermaid export.
    ExportMermaid,
    /// The name of a new bundle.
    NewBundle,
    /// The bundle's name.
    Rename,
    /// A question to add.
    AddQuestion,
    /// A question to rewrite (its index).
    EditQuestion(usize),
    /// The condition of an item.
    Condition(String),
    /// A material line for an item: `CODE [condition]` adds, `-CODE` removes.
    Material(String),
    /// The condition of one of the bundle's material rows.
    MaterialCondition {
        /// The item.
        item: String,
        /// The material.
        material: String,
    },
}

impl PromptKind {
    /// Whether the prompt edits a condition (and offers the question/option checklist).
    pub fn is_condition(&self) -> bool {
        matches!(self, Self::Condition(_) | Self::MaterialCondition { .. })
    }

    /// The prompt's title.
    pub fn title(&self, lang: Lang) -> String {
        match self {
            Self::ExportDot => lang.pick("导出 DOT 到文件", "export DOT to").into(),
            Self::ExportMermaid => lang.pick("导出 Mermaid 到文件", "export Mermaid to").into(),
            Self::NewBundle => lang.pick("新主题名称", "new bundle's name").into(),
            Self::Rename => lang.pick("主题名称", "bundle name").into(),
            Self::AddQuestion | Self::EditQuestion(_) => lang
                .pick(
                    "问题：键 文本 | 选项键 文本 | …",
                    "question: key text | option-key text | …",
                )
                .into(),
            Self::Condition(_) => lang
                .pick(
                    "事项适用条件：问题=选项,选项 …（留空=总是适用）",
                    "item condition: question=option,option … (empty = always)",
                )
                .into(),
            Self::Material(_) => lang
                .pick(
                    "新增材料：编码 [条件]（无条件=通用），-编码 删除",
                    "add a material: CODE [condition] (none = general), -CODE removes",
                )
                .into(),
            Self::MaterialCondition { material, .. } => lang.pick(
                format!("材料 {} 的条件（留空=通用，总是需要）", inert(material)),
                format!(
                    "condition of material {} (empty = general, always)",
                    inert(material)
                ),
            ),
        }
    }

    /// What the prompt is about, after its title: the item's name and, for a condition, the
    /// questions and options it can name.
    pub fn context(&self, catalog: &Catalog, bundle: Option<&Bundle>) -> String {
        let item = match self {
            Self::Condition(item) | Self::Material(item) => item,
            Self::MaterialCondition { item, .. } => item,
            _ => return String::new(),
        };
        let hint = bundle.map(bundle_edit::condition_hint).unwrap_or_default();
        format!("{} · {hint}", item_name(catalog, item))
    }
}

/// A one-line text prompt inside the pane.
pub struct Prompt {
    /// What it is for.
    pub kind: PromptKind,
    /// The text.
    pub input: Input,
    /// Why the last Enter was refused.
    pub error: Option<String>,
    /// In a condition prompt, the selected row of the question/option checklist.
    pub choice: usize,
}

/// A way to fix a merged field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Settle a conflict.
    Resolve(Conflict, Choice),
    /// Accept a suggestion.
    Accept(Suggestion, Target),
}

/// One fix of the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixChoice {
    /// The fix in words: `2 个字段绑定到 DE000006 移动电话 · 同义词 90`.
    pub text: String,
    /// The fix.
    pub fix: Fix,
    /// Shown under the list while it is highlighted: the fields it binds
    /// ([`merge::suggest::Candidate::binds`]), then those it leaves out and why
    /// ([`merge::suggest::LeftOut::describe_new`]).
    pub notes: Vec<String>,
}

/// A list of fixes to choose from.
pub struct Chooser {
    /// The merged field's label.
    pub title: String,
    /// What conflicts, one line per kind: which source has which value
    /// ([`Conflict::describe`]).
    pub details: Vec<String>,
    /// What the list is, when it needs saying (a suggestion's candidate elements).
    pub hint: Option<String>,
    /// Each choice, best first.
    pub choices: Vec<FixChoice>,
    /// The highlighted choice.
    pub selected: usize,
}

/// Pane 4's state.
#[derive(Default)]
pub struct BundlesPane {
    /// Selected row of the bundle list.
    pub selected: usize,
    /// The open bundle.
    pub work: Option<Workspace>,
    /// An open prompt.
    pub prompt: Option<Prompt>,
    /// An open chooser.
    pub chooser: Option<Chooser>,
    /// The open item picker.
    pub picker: Option<ItemPicker>,
    /// The item picker's index.
    pub items: ItemIndexState,
    /// The open lead-agency picker.
    pub lead: Option<LeadPicker>,
    /// The lead-agency picker's index.
    pub agencies: IndexState<crate::engine::item_search::AgencyRow>,
    /// The open materials editor.
    pub materials: Option<MaterialsEditor>,
    /// How far the bundle list's detail is scrolled (`bundle_detail_down` / `_up`).
    pub detail: crate::tui::detail::DetailScroll,
}

/// What an action has to say in the status bar.
pub type Say = Option<Message>;

pub(super) fn say(level: Level, text: String) -> Say {
    Some(Message { text, level })
}

/// Applies a batch; invalid changes come back as `describe` lines.
fn apply(store: &mut dyn BundleStore, batch: Batch, lang: Lang) -> Result<Applied, String> {
    match store.apply(batch) {
        Ok(applied) => Ok(applied),
        Err(StoreError::Invalid(problems)) => Err(problems
            .iter()
            .map(|p| p.describe(lang))
            .collect::<Vec<_>>()
            .join("; ")),
        Err(e) => Err(e.to_string()),
    }
}

impl BundlesPane {
    /// Whether keys go to a text prompt or the item picker.
    pub fn wants_text(&self) -> bool {
        self.prompt.is_some() || self.picking()
    }

    /// Whether a picker is open (the item picker or the lead-agency picker): keys are
    /// looked up in the picker scope.
    pub fn picking(&self) -> bool {
        self.picker.is_some() || self.lead.is_some()
    }

    /// The code of the open (or else the selected) bundle.
    pub fn current_code(&self, catalog: &Catalog) -> Option<String> {
        self.current(catalog).map(|b| b.code.to_string())
    }

    /// The bundle codes in list order.
    pub fn codes(catalog: &Catalog) -> Vec<&str> {
        catalog.bundles.keys().map(|s| s.as_str()).collect()
    }

    fn current<'c>(&self, catalog: &'c Catalog) -> Option<&'c Bundle> {
        match &self.work {
            Some(w) => catalog.bundles.get(w.code.as_str()),
            None => Self::codes(catalog)
                .get(self.selected)
                .and_then(|c| catalog.bundles.get(*c)),
        }
    }

    /// Performs an action of pane 4 (or a list movement / back while it shows).
    pub fn update(&mut self, action: Action, store: StoreRef<'_>, lang: Lang, page: usize) -> Say {
        let Some(store) = store else {
            return say(
                Level::Warn,
                lang.pick("请稍候：正在处理", "please wait: busy").into(),
            );
        };
        if self.chooser.is_some() {
            return self.chooser_action(action, store, lang);
        }
        if self.materials.is_some() {
            return self.materials_action(action, store, lang, page.max(1));
        }
        if action == Action::Back {
            self.work = None;
            return None;
        }
        if let Some(step) = movement(action, page) {
            self.step(step, store.catalog());
            return None;
        }
        match action {
            Action::BundleOpen if self.work.is_none() => self.open(store.catalog(), lang),
            Action::BundleOpen => match self.work.as_ref().map(|w| w.focus) {
                Some(Focus::Right) => self.fix(&*store, lang),
                _ => self.toggle(store.catalog(), lang),
            },
            Action::MergeToggle => self.toggle(store.catalog(), lang),
            Action::MergeFocusNext | Action::MergeFocusPrev | Action::MergeView => {
                self.look(action);
                None
            }
            Action::MergeFix => self.fix(&*store, lang),
            Action::FlowExportDot | Action::FlowExportMermaid => {
                let Some(w) = &self.work else {
                    return need_open(lang);
                };
                let dot = action == Action::FlowExportDot;
                let name = format!("{}-flow.{}", w.code, if dot { "dot" } else { "mmd" });
                let dir = store.path().parent().unwrap_or(store.path());
                let path = dir.join(name).display().to_string();
                let kind = if dot {
                    PromptKind::ExportDot
                } else {
                    PromptKind::ExportMermaid
                };
                self.open_prompt(kind, path);
                None
            }
            Action::BundleNew => {
                self.open_prompt(PromptKind::NewBundle, String::new());
                None
            }
            Action::BundleClaim => {
                let catalog = store.catalog();
                let Some(template) = self.current(catalog) else {
                    return need_open(lang);
                };
                let claimed = bundle_edit::claim(catalog, template);
                let code = claimed.code.clone();
                let from = template.code.clone();
                match apply(
                    store,
                    Batch::upserts("claim", [Record::Bundle(claimed)]),
                    lang,
                ) {
                    Ok(_) => {
                        self.work = None;
                        self.selected = Self::codes(store.catalog())
                            .iter()
                            .position(|c| *c == code)
                            .unwrap_or(0);
                        say(
                            Level::Ok,
                            lang.pick(
                                format!(
                                    "已从 {} 认领为 {}（待提交 V0）",
                                    inert(&from),
                                    inert(&code)
                                ),
                                format!("claimed {} as {} (draft V0)", inert(&from), inert(&code)),
                            ),
                        )
                    }
                    Err(e) => say(Level::Error, inert(&e).into_owned()),
                }
            }
            Action::BundleRename => {
                let Some(b) = self.current(store.catalog()) else {
                    return need_open(lang);
                };
                let name = b.name.to_string();
                self.open_prompt(PromptKind::Rename, name);
                None
            }
            Action::BundleLead => {
                let Some(code) = self.current_code(store.catalog()) else {
                    return need_open(lang);
                };
                self.open_lead(store.catalog(), &code);
                None
            }
            Action::BundleAdd => {
                let Some(w) = &self.work else {
                    return need_open(lang);
                };
                if w.focus == Focus::Questions {
                    self.open_prompt(PromptKind::AddQuestion, String::new());
                } else {
                    let items = store
                        .catalog()
                        .bundles
                        .get(w.code.as_str())
                        .map_or(0, |b| b.items.len());
                    let after = (items > 0).then(|| w.selected[1].min(items - 1));
                    self.open_picker(&*store, after);
                }
                None
            }
            Action::BundleCondition | Action::BundleMaterials => {
                let Some((b, w)) = self.work.as_ref().and_then(|w| {
                    let b = store.catalog().bundles.get(w.code.as_str())?;
                    Some((b, w))
                }) else {
                    return need_open(lang);
                };
                let (kind, value) = match (w.focus, action) {
                    (Focus::Questions, Action::BundleCondition) => {
                        let q = b.questions.get(w.selected[0])?;
                        (
                            PromptKind::EditQuestion(w.selected[0]),
                            bundle_edit::question_text(q),
                        )
                    }
                    (_, _) => {
                        let Some(item) = b.items.get(w.selected[1]) else {
                            return say(
                                Level::Info,
                                lang.pick("请在事项栏选择一个事项", "select an item first")
                                    .into(),
                            );
                        };
                        if action == Action::BundleCondition {
                            (
                                PromptKind::Condition(item.clone()),
                                bundle_edit::when_text(b.item_when.get(item)),
                            )
                        } else {
                            let item = item.clone();
                            self.open_materials(item);
                            return None;
                        }
                    }
                };
                self.open_prompt(kind, value);
                None
            }
            Action::BundleRemove | Action::BundleMoveUp | Action::BundleMoveDown => {
                self.edit_rows(action, store, lang)
            }
            Action::BundleSubmit => self.workflow(Transition::Submit, store, lang),
            Action::BundleReturn => self.workflow(Transition::Return, store, lang),
            Action::BundlePublish => self.workflow(Transition::Publish, store, lang),
            _ => None,
        }
    }

    pub(super) fn open_prompt(&mut self, kind: PromptKind, value: String) {
        self.prompt = Some(Prompt {
            kind,
            input: Input::new(value),
            error: None,
            choice: 0,
        });
    }

    fn step(&mut self, step: Step, catalog: &Catalog) {
        let (row, len) = match &mut self.work {
            None => (&mut self.selected, catalog.bundles.len()),
            Some(w) => {
                let len = match w.focus {
                    Focus::Questions => catalog
                        .bundles
                        .get(w.code.as_str())
                        .map_or(0, |b| b.questions.len()),
                    Focus::Items => catalog
                        .bundles
                        .get(w.code.as_str())
                        .map_or(0, |b| b.items.len()),
                    Focus::Right => w.right_len(),
                };
                let i = w.focus_index();
                (&mut w.selected[i], len)
            }
        };
        *row = step.apply(*row, len);
    }

    /// Moves the focus between the workspace's columns, or shows its next right view.
    fn look(&mut self, action: Action) {
        let Some(w) = &mut self.work else {
            return;
        };
        match action {
            Action::MergeView => {
                w.view = w.view.next();
                w.selected[2] = 0;
                w.focus = Focus::Right;
            }
            _ => {
                let next = action == Action::MergeFocusNext;
                w.focus = match (w.focus, next) {
                    (Focus::Questions, true) | (Focus::Right, false) => Focus::Items,
                    (Focus::Items, true) | (Focus::Questions, false) => Focus::Right,
                    (Focus::Right, true) | (Focus::Items, false) => Focus::Questions,
                };
            }
        }
    }

    /// What pane 4 does before the catalog is loaded (on demand), on `catalog`: the bundles
    /// and what they reference, or the open bundle's records (see
    /// [`BundlesPane::open_on_demand`]). The list and the workspace are read: moving, back,
    /// the answers and the forms left out, the focus and the view; whatever writes waits
    /// for the catalog (see `App::works_before_the_catalog`).
    pub(crate) fn update_on_demand(
        &mut self,
        action: Action,
        page: usize,
        catalog: &Catalog,
        lang: Lang,
    ) -> Say {
        if let Some(step) = movement(action, page) {
            self.step(step, catalog);
            return None;
        }
        match action {
            Action::Back => self.work = None,
            Action::BundleOpen | Action::MergeToggle if self.work.is_some() => {
                return self.toggle(catalog, lang);
            }
            _ => self.look(action),
        }
        None
    }

    /// Opens the bundle `near` holds (a catalog of just its records, read from the store
    /// before the catalog is loaded) with no covers from the element pool yet: they come
    /// from a worker ([`BundlesPane::pool_read`]).
    pub(crate) fn open_on_demand(&mut self, near: &Catalog, code: &str) {
        if let Some(bundle) = near.bundles.get(code) {
            let mut work = Workspace::with_pool(near, bundle, Covers::default(), true);
            // (not read yet: see `Workspace::covers_read`)
            work.pool.0 = u64::MAX;
            self.work = Some(work);
        }
    }

    /// The open bundle's records read again from the store (on demand: `near`, after items
    /// were put in it) with no covers from the element pool until they are read again; the
    /// answers, the forms left out, the focus and the selection are kept.
    pub(crate) fn read_again_on_demand(&mut self, near: &Catalog) {
        if let Some(w) = &mut self.work {
            w.pool = (u64::MAX, Covers::default());
            w.pool_given = true;
            if !w.recompute(near) {
                self.work = None;
            }
        }
    }

    /// The element pool's covers read for the open bundle `code` (on demand): its merge
    /// suggests from them now. `near` holds the elements they name.
    pub(crate) fn pool_read(&mut self, code: &str, covers: Covers, near: &Catalog) {
        if let Some(w) = self
            .work
            .as_mut()
            .filter(|w| w.code == code && w.pool_given)
        {
            w.pool = (near.revision(), covers);
            w.recompute(near);
        }
    }

    fn open(&mut self, catalog: &Catalog, lang: Lang) -> Say {
        let Some(bundle) = Self::codes(catalog)
            .get(self.selected)
            .and_then(|c| catalog.bundles.get(*c))
        else {
            return say(
                Level::Info,
                lang.pick("没有主题：按 n 新建", "no bundles: n makes one")
                    .into(),
            );
        };
        self.work = Some(Workspace::new(catalog, bundle));
        None
    }

    fn toggle(&mut self, catalog: &Catalog, lang: Lang) -> Say {
        let Some(w) = &mut self.work else {
            return need_open(lang);
        };
        let bundle = catalog.bundles.get(w.code.as_str())?;
        match w.focus {
            Focus::Questions => {
                let q = bundle.questions.get(w.selected[0])?;
                let current = w
                    .answers
                    .get(&q.key)
                    .and_then(|a| q.options.iter().position(|o| &o.key == a));
                let next = match current {
                    None => q.options.first(),
                    Some(i) => q.options.get(i + 1),
                };
                match next {
                    Some(o) => w.answers.insert(q.key.clone(), o.key.clone()),
                    None => w.answers.remove(&q.key),
                };
            }
            Focus::Items => {
                let item = bundle.items.get(w.selected[1])?;
                let forms: Vec<String> = item_forms(catalog, item)
                    .iter()
                    .map(|f| f.code.to_string())
                    .collect();
                if forms.is_empty() {
                    return say(
                        Level::Info,
                        lang.pick(
                            format!("事项 {} 没有申请表", inert(item)),
                            format!("item {} has no form", inert(item)),
                        ),
                    );
                }
                if forms.iter().all(|f| w.excluded.contains(f)) {
                    forms.iter().for_each(|f| {
                        w.excluded.remove(f);
                    });
                } else {
                    w.excluded.extend(forms);
                }
            }
            // the toggle never writes: fixes are chosen with f or Enter, and applied
            // with Enter in their dialog
            Focus::Right => {
                return say(
                    Level::Info,
                    lang.pick(
                        "空格切换答案、纳入/排除表单；处理所选字段请按 f 或 Enter",
                        "space cycles answers and toggles forms; f or Enter fixes the selected field",
                    )
                    .into(),
                );
            }
        }
        w.recompute(catalog);
        None
    }

    /// Opens the chooser for the selected merged field.
    fn fix(&mut self, store: &dyn BundleStore, lang: Lang) -> Say {
        let catalog = store.catalog();
        let Some(w) = &self.work else {
            return need_open(lang);
        };
        // the code a new element gets, worked out once, when a suggestion needs one (`None`:
        // it cannot be, and no new element is offered)
        let new_code = std::cell::OnceCell::new();
        let target_of = |s: &Suggestion| match &s.element {
            None => new_code
                .get_or_init(|| store.new_element_code())
                .clone()
                .map(|code| resolve::target_coded(catalog, s, || code)),
            Some(_) => Some(resolve::target_coded(catalog, s, String::new)),
        };
        let Some(i) = w.selected_field() else {
            return say(
                Level::Info,
                lang.pick(
                    "请在合并表单或来源对照中选择一个字段",
                    "select a field in the merged form or the source diff",
                )
                .into(),
            );
        };
        let field = &w.merge.fields[i];
        let mut choices = Vec::new();
        let yes_no = |b: bool| {
            if b {
                lang.pick("必填", "required")
            } else {
                lang.pick("选填", "optional")
            }
        };
        let mut options_only = false;
        let mut details = Vec::new();
        let mut hint = None;
        for c in w
            .merge
            .conflicts
            .iter()
            .filter(|c| Some(&c.element) == field.element.as_ref())
        {
            details.push(c.describe(lang));
            match c.kind {
                ConflictKind::Label => {
                    let mut labels: Vec<String> = c.values.iter().map(|v| v.to_string()).collect();
                    if !labels.contains(&field.label) {
                        labels.insert(0, field.label.clone());
                    }
                    for l in labels {
                        let text = lang.pick(
                            format!("标签统一为「{l}」"),
                            format!("label every source \"{l}\""),
                        );
                        choices.push(FixChoice {
                            text,
                            fix: Fix::Resolve(c.clone(), Choice::Label(l)),
                            notes: Vec::new(),
                        });
                    }
                }
                ConflictKind::Required => {
                    for b in [true, false] {
                        let text = lang.pick(
                            format!("全部设为{}", yes_no(b)),
                            format!("make every source {}", yes_no(b)),
                        );
                        choices.push(FixChoice {
                            text,
                            fix: Fix::Resolve(c.clone(), Choice::Required(b)),
                            notes: Vec::new(),
                        });
                    }
                }
                ConflictKind::Options => options_only = true,
            }
        }
        if field.element.is_none() {
            for s in w
                .merge
                .suggestions
                .iter()
                .filter(|s| s.fields.iter().any(|f| field.sources.contains(f)))
            {
                hint = Some(
                    lang.pick(
                        "候选数据元，最可能的在前（↑/↓ 选择，Enter 绑定）",
                        "candidate elements, likeliest first (↑/↓ choose, Enter binds)",
                    )
                    .to_string(),
                );
                for candidate in s.candidates() {
                    let chosen = s.choosing(&candidate);
                    let Some(target) = target_of(&chosen) else {
                        continue;
                    };
                    let n = chosen.fields.len();
                    let why = candidate.why(lang);
                    // the fields it binds, then those it leaves out (a new element by the
                    // code it will get)
                    let new = match &target {
                        Target::New { code, .. } => Some(code.as_str()),
                        Target::Existing(_) => None,
                    };
                    let notes = std::iter::once(candidate.binds(catalog, lang))
                        .chain(candidate.left_out.iter().map(|l| l.describe_new(lang, new)))
                        .collect();
                    let text = match &target {
                        Target::Existing(code) => {
                            let name = catalog
                                .elements
                                .get(code.as_str())
                                .map_or("", |e| e.name.as_str());
                            lang.pick(
                                format!("{n} 个字段绑定到 {code} {name} · {why}"),
                                format!("bind {n} field(s) to {code} {name} · {why}"),
                            )
                        }
                        Target::New { code, name } => lang.pick(
                            format!("{n} 个字段绑定到新数据元 {code} {name} · {why}"),
                            format!("bind {n} field(s) to a new element {code} {name} · {why}"),
                        ),
                    };
                    choices.push(FixChoice {
                        text,
                        fix: Fix::Accept(chosen, target),
                        notes,
                    });
                }
            }
        }
        if choices.is_empty() {
            let text = if options_only {
                format!(
                    "{}{}{}",
                    details.join(lang.pick("；", "; ")),
                    lang.pick("。", ". "),
                    resolve::ResolveError::OptionsConflict.message(lang)
                )
            } else if let Some(left) = field
                .sources
                .iter()
                .find_map(|source| w.merge.left_out_of(source))
            {
                // an unbound field no suggestion takes: why (a new element by the code it
                // would get)
                let new = w
                    .merge
                    .suggestions
                    .iter()
                    .find(|s| s.element.is_none() && s.left_out.contains(left))
                    .and_then(|s| match target_of(s)? {
                        Target::New { code, .. } => Some(code),
                        Target::Existing(_) => None,
                    });
                let why = left.describe_new(lang, new.as_deref());
                lang.pick(
                    format!("没有可用的绑定建议：{why}"),
                    format!("no binding to suggest: {why}"),
                )
            } else {
                lang.pick(
                    "所选字段没有冲突或重复建议",
                    "the selected field has no conflict or suggestion",
                )
                .into()
            };
            return say(Level::Info, inert(&text).into_owned());
        }
        self.chooser = Some(Chooser {
            title: field.label.clone(),
            details,
            hint,
            choices,
            selected: 0,
        });
        None
    }

    /// The question Enter in the fix dialog asks first when the highlighted fix would
    /// rewrite published forms (they return to 待提交): `None` when it rewrites none (or
    /// cannot be built: applying it then says why).
    pub fn ask_fix(&self, action: Action, catalog: &Catalog) -> Option<Confirm> {
        if action != Action::BundleOpen {
            return None;
        }
        let chooser = self.chooser.as_ref()?;
        let FixChoice { text, fix, .. } = chooser.choices.get(chooser.selected)?;
        let batch = fix_batch(catalog, fix).ok()?;
        let published = resolve::published_forms(catalog, &batch);
        if published.is_empty() {
            return None;
        }
        Some(Confirm::MergeFix(FixAsk {
            field: chooser.title.clone(),
            choice: text.clone(),
            fix: fix.clone(),
            forms: resolve::forms_rewritten(&batch),
            published,
        }))
    }

    /// Applies a fix (the dialog's Enter, or `y` to the question [`Self::ask_fix`] asked):
    /// one transaction over the source forms; closes the dialog and updates the preview.
    pub fn apply_fix(&mut self, store: StoreRef<'_>, fix: &Fix, lang: Lang) -> Say {
        let Some(store) = store else {
            self.chooser = None;
            return None;
        };
        self.apply_fix_to(store, fix, lang)
    }

    fn apply_fix_to(&mut self, store: &mut dyn BundleStore, fix: &Fix, lang: Lang) -> Say {
        self.chooser = None;
        let batch = match fix_batch(store.catalog(), fix) {
            Ok(b) => b,
            Err(e) => return say(Level::Warn, inert(&e.message(lang)).into_owned()),
        };
        let records = batch.commands.len();
        let published = resolve::published_forms(store.catalog(), &batch).len();
        match apply(store, batch, lang) {
            Ok(_) => {
                self.refreshed(&*store);
                let drafts = if published == 0 {
                    String::new()
                } else {
                    lang.pick(
                        format!("，{published} 张已发布的表单回到待提交"),
                        format!("; {published} published form(s) returned to draft"),
                    )
                };
                say(
                    Level::Ok,
                    lang.pick(
                        format!("已写入 {records} 条记录（一次事务）{drafts}，预览已更新"),
                        format!(
                            "{records} record(s) written in one transaction{drafts}; preview updated"
                        ),
                    ),
                )
            }
            Err(e) => say(Level::Error, inert(&e).into_owned()),
        }
    }

    fn chooser_action(&mut self, action: Action, store: &mut dyn BundleStore, lang: Lang) -> Say {
        let chooser = self.chooser.as_mut()?;
        let n = chooser.choices.len();
        match action {
            Action::SelectNext => {
                chooser.selected = (chooser.selected + 1).min(n.saturating_sub(1))
            }
            Action::SelectPrev => chooser.selected = chooser.selected.saturating_sub(1),
            Action::SelectFirst => chooser.selected = 0,
            Action::SelectLast => chooser.selected = n.saturating_sub(1),
            // only Enter applies a fix: space (the workspace's toggle) and f never write
            Action::BundleOpen => {
                let fix = chooser
                    .choices
                    .get(chooser.selected)
                    .map(|c| c.fix.clone())?;
                return self.apply_fix_to(store, &fix, lang);
            }
            Action::MergeToggle | Action::MergeFix => {
                return say(
                    Level::Info,
                    lang.pick(
                        "按 Enter 应用所选处理，Esc 取消",
                        "Enter applies the highlighted fix, Esc cancels",
                    )
                    .into(),
                );
            }
            Action::Back => self.chooser = None,
            _ => {}
        }
        None
    }

    /// Recomputes after a write to `store`: as [`BundlesPane::refresh`], the pool's covers
    /// kept when they were read for the records near the open bundle (a write over them).
    fn refreshed(&mut self, store: &dyn BundleStore) {
        self.refresh_keeping(store.catalog(), store.is_near());
    }

    /// Recomputes after the store changed; closes a workspace whose bundle is gone. A
    /// workspace opened before the catalog was loaded takes its pool's covers from the
    /// catalog from now on.
    pub fn refresh(&mut self, catalog: &Catalog) {
        self.refresh_keeping(catalog, false);
    }

    /// [`BundlesPane::refresh`], keeping the covers given for the records near the open
    /// bundle (`keep`).
    fn refresh_keeping(&mut self, catalog: &Catalog, keep: bool) {
        if let Some(w) = &mut self.work {
            if w.pool_given && !keep {
                w.pool_given = false;
                w.pool.0 = u64::MAX;
            }
            if !w.recompute(catalog) {
                self.work = None;
            }
        }
        if self.work.is_none() {
            self.materials = None;
        }
        self.clamp_materials(catalog);
        self.selected = self.selected.min(catalog.bundles.len().saturating_sub(1));
    }

    fn edit_rows(&mut self, action: Action, store: &mut dyn BundleStore, lang: Lang) -> Say {
        let Some(w) = &mut self.work else {
            return need_open(lang);
        };
        let mut bundle = store.catalog().bundles.get(w.code.as_str()).cloned()?;
        let up = action == Action::BundleMoveUp;
        let (i, focus_row) = match w.focus {
            Focus::Questions => (0, w.selected[0]),
            Focus::Items => (1, w.selected[1]),
            Focus::Right => {
                return say(
                    Level::Info,
                    lang.pick("请在问题栏或事项栏中选择", "select a question or an item")
                        .into(),
                );
            }
        };
        let changed = match (action, i) {
            // a row to remove was asked about first (ask_remove): there is none here
            (Action::BundleRemove, _) => None,
            (_, 0) => bundle_edit::move_entry(&mut bundle.questions, focus_row, up)
                .map(|to| w.selected[0] = to)
                .map(|()| BundleEdit::MoveQuestion),
            (_, _) => bundle_edit::move_entry(&mut bundle.items, focus_row, up)
                .map(|to| w.selected[1] = to)
                .map(|()| BundleEdit::MoveItem),
        };
        let edit = changed?;
        self.save(store, bundle, edit.audit_action(), lang).err()
    }

    /// The question `d` asks in the workspace: remove the selected question or item, and what
    /// goes with it. `None` when no question or item is selected (or a prompt, chooser or
    /// the materials editor has the key).
    pub fn ask_remove(&self, catalog: &Catalog, lang: Lang) -> Option<Confirm> {
        if self.chooser.is_some()
            || self.materials.is_some()
            || self.prompt.is_some()
            || self.picker.is_some()
        {
            return None;
        }
        let w = self.work.as_ref()?;
        let target = match w.focus {
            Focus::Questions => RemoveTarget::Question(w.selected[0]),
            Focus::Items => RemoveTarget::Item(w.selected[1]),
            Focus::Right => return None,
        };
        let mut bundle = catalog.bundles.get(w.code.as_str())?.clone();
        let name = match target {
            RemoveTarget::Question(i) => bundle.questions.get(i)?.text.clone(),
            RemoveTarget::Item(i) => item_name(catalog, bundle.items.get(i)?).to_string(),
        };
        let removal = bundle_edit::remove(&mut bundle, target)?;
        Some(Confirm::BundleRemove(RemoveAsk {
            name,
            bundle: w.code.to_string(),
            target,
            details: removal.describe(catalog, lang),
            removal,
        }))
    }

    /// Removes the row confirmed in [`Self::ask_remove`] and says what went with it;
    /// refused when the row no longer holds what was asked about.
    pub fn remove(&mut self, store: StoreRef<'_>, ask: &RemoveAsk, lang: Lang) -> Say {
        let store = store?;
        let mut bundle = store.catalog().bundles.get(ask.bundle.as_str()).cloned()?;
        let removal = bundle_edit::remove(&mut bundle, ask.target);
        if removal.as_ref() != Some(&ask.removal) {
            return say(
                Level::Warn,
                lang.pick("主题已变化，未移除", "the bundle changed: nothing removed")
                    .into(),
            );
        }
        if let Err(e) = self.save(store, bundle, ask.target.edit().audit_action(), lang) {
            return Some(e);
        }
        let what = inert(&ask.removal.what);
        let name = inert(&ask.name);
        let details = inert(&ask.details);
        say(
            Level::Ok,
            lang.pick(
                format!("已移除 {name}（{what}）：{details}"),
                format!("removed {name} ({what}): {details}"),
            ),
        )
    }

    /// Saves an edited bundle; a published one becomes a draft. Recomputes the preview.
    /// Returns whether anything changed (an unchanged bundle is not written).
    pub(super) fn save(
        &mut self,
        store: &mut dyn BundleStore,
        mut bundle: Bundle,
        action: &str,
        lang: Lang,
    ) -> Result<bool, Message> {
        let before = store.catalog().bundles.get(&bundle.code);
        if before.is_some_and(|b| b.status == crate::model::Status::Published && *b != bundle) {
            bundle.status = crate::model::Status::Draft;
        }
        match apply(
            store,
            Batch::upserts(action, [Record::Bundle(bundle)]),
            lang,
        ) {
            Ok(applied) => {
                self.refreshed(&*store);
                Ok(!applied.is_noop())
            }
            Err(e) => Err(Message {
                text: inert(&e).into_owned(),
                level: Level::Error,
            }),
        }
    }

    fn workflow(&mut self, step: Transition, store: &mut dyn BundleStore, lang: Lang) -> Say {
        let Some(b) = self.current(store.catalog()) else {
            return need_open(lang);
        };
        let next = match workflow::transition(RecordRef::Bundle(b), step) {
            Ok(next) => next,
            Err(e) => return say(Level::Warn, e.message(lang)),
        };
        let Record::Bundle(next) = next else {
            return None;
        };
        let status = super::super::detail::status_text(next.status, next.version, lang);
        let code = inert(&next.code).into_owned();
        match apply(
            store,
            Batch::upserts(step.en(), [Record::Bundle(next)]),
            lang,
        ) {
            Ok(_) => {
                self.refreshed(&*store);
                say(
                    Level::Ok,
                    lang.pick(
                        format!("已{} {code}：{status}", step.zh()),
                        format!("{} {code}: {status}", step.en()),
                    ),
                )
            }
            Err(e) => say(Level::Error, inert(&e).into_owned()),
        }
    }

    /// A key while a prompt or the item picker is open: in a prompt Enter commits, Esc
    /// cancels, anything else edits; `action` is what the key means in the picker scope.
    pub fn prompt_key(
        &mut self,
        event: KeyEvent,
        action: Option<Action>,
        store: StoreRef<'_>,
        lang: Lang,
        page: usize,
    ) -> Say {
        if self.picker.is_some() {
            return self.picker_key(event, action, store, lang, page);
        }
        if self.lead.is_some() {
            return self.lead_key(event, action, store, lang, page);
        }
        let choices = match (&self.prompt, store.as_deref()) {
            (Some(p), Some(store)) if p.kind.is_condition() => self
                .current(store.catalog())
                .map(bundle_edit::condition_choices)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let prompt = self.prompt.as_mut()?;
        match event.code {
            KeyCode::Esc => {
                self.prompt = None;
                None
            }
            // a condition's checklist: ↑/↓ choose a question's option, Tab names or drops it
            KeyCode::Up | KeyCode::Down if !choices.is_empty() => {
                let n = choices.len();
                prompt.choice = if event.code == KeyCode::Up {
                    (prompt.choice + n - 1) % n
                } else {
                    (prompt.choice + 1) % n
                };
                None
            }
            KeyCode::Tab if !choices.is_empty() => {
                let c = choices.get(prompt.choice.min(choices.len() - 1))?;
                match bundle_edit::toggle_condition(
                    prompt.input.value(),
                    &c.question,
                    &c.option,
                    lang,
                ) {
                    Ok(text) => {
                        prompt.input = Input::new(text);
                        prompt.error = None;
                    }
                    Err(e) => prompt.error = Some(e.0),
                }
                None
            }
            KeyCode::Enter => {
                let Some(store) = store else {
                    return say(
                        Level::Warn,
                        lang.pick("请稍候：正在处理", "please wait: busy").into(),
                    );
                };
                let kind = prompt.kind.clone();
                let text = prompt.input.value().to_string();
                match self.commit(kind, &text, store, lang) {
                    Ok(message) => {
                        self.prompt = None;
                        message
                    }
                    Err(error) => {
                        if let Some(p) = &mut self.prompt {
                            p.error = Some(error);
                        }
                        None
                    }
                }
            }
            _ => {
                prompt.input.handle_event(&Event::Key(event));
                prompt.error = None;
                None
            }
        }
    }

    /// Pasted text goes into an open prompt or the picker's query (one line: [`crate::tui::text::paste_line`]).
    pub fn paste(&mut self, text: &str) {
        self.picker_paste(text);
        self.lead_paste(text);
        if let Some(p) = &mut self.prompt {
            crate::tui::text::paste_into(&mut p.input, text);
        }
    }

    /// Carries out a prompt; `Err` keeps it open with the message.
    fn commit(
        &mut self,
        kind: PromptKind,
        text: &str,
        store: &mut dyn BundleStore,
        lang: Lang,
    ) -> Result<Say, String> {
        let err = |m: Message| m.text;
        match kind {
            PromptKind::ExportDot | PromptKind::ExportMermaid => {
                let Some(w) = &self.work else { return Ok(None) };
                let catalog = store.catalog();
                let body = if kind == PromptKind::ExportDot {
                    flow::to_dot(catalog, &w.merge.flow)
                } else {
                    flow::to_mermaid(catalog, &w.merge.flow)
                };
                let path = PathBuf::from(text.trim());
                if text.trim().is_empty() {
                    return Err(lang.pick("请输入文件路径", "type a file path").into());
                }
                std::fs::write(&path, body)
                    .map_err(|e| inert(&format!("{}: {e}", path.display())).into_owned())?;
                let shown = inert(&path.display().to_string()).into_owned();
                Ok(say(
                    Level::Ok,
                    lang.pick(
                        format!("流程已导出到 {shown}"),
                        format!("flow exported to {shown}"),
                    ),
                ))
            }
            PromptKind::NewBundle => {
                let bundle = bundle_edit::new_bundle(store.catalog(), text);
                let code = bundle.code.clone();
                match apply(store, Batch::upserts("add", [Record::Bundle(bundle)]), lang) {
                    Ok(_) => {
                        let catalog = store.catalog();
                        self.selected = Self::codes(catalog)
                            .iter()
                            .position(|c| *c == code)
                            .unwrap_or(0);
                        self.open(catalog, lang);
                        // a new bundle needs items first: the hint's `a` adds them there
                        if let Some(w) = &mut self.work {
                            w.focus = Focus::Items;
                        }
                        Ok(say(
                            Level::Ok,
                            lang.pick(
                                format!("已新建主题 {}（自建）：按 a 新增事项", inert(&code)),
                                format!(
                                    "bundle {} created (self-built): a adds items",
                                    inert(&code)
                                ),
                            ),
                        ))
                    }
                    Err(e) => Err(inert(&e).into_owned()),
                }
            }
            other => {
                let Some(mut bundle) = self.current(store.catalog()).cloned() else {
                    return Ok(None);
                };
                let edit = match other {
                    PromptKind::Rename => {
                        bundle.name = text.trim().into();
                        BundleEdit::Rename
                    }
                    PromptKind::AddQuestion | PromptKind::EditQuestion(_) => {
                        let q = bundle_edit::parse_question(text, lang).map_err(|e| e.0)?;
                        match other {
                            PromptKind::EditQuestion(i) if i < bundle.questions.len() => {
                                bundle.questions[i] = q;
                                BundleEdit::EditQuestion
                            }
                            _ => {
                                bundle.questions.push(q);
                                if let Some(w) = &mut self.work {
                                    w.selected[0] = bundle.questions.len() - 1;
                                }
                                BundleEdit::AddQuestion
                            }
                        }
                    }
                    PromptKind::Condition(item) => {
                        match bundle_edit::parse_when(text, lang).map_err(|e| e.0)? {
                            Some(when) => bundle.item_when.insert(item, when),
                            None => bundle.item_when.remove(&item),
                        };
                        BundleEdit::ItemCondition
                    }
                    PromptKind::Material(item) => {
                        bundle_edit::edit_material(&mut bundle, &item, text, lang)
                            .map_err(|e| e.0)?
                    }
                    PromptKind::MaterialCondition { item, material } => {
                        let found = bundle_edit::set_material_condition(
                            &mut bundle,
                            &item,
                            &material,
                            text,
                            lang,
                        )
                        .map_err(|e| e.0)?;
                        if !found {
                            return Err(lang
                                .pick("该材料行已不存在", "that material row is gone")
                                .into());
                        }
                        BundleEdit::MaterialCondition
                    }
                    _ => return Ok(None),
                };
                let code = inert(&bundle.code).into_owned();
                if self
                    .save(store, bundle, edit.audit_action(), lang)
                    .map_err(err)?
                {
                    Ok(say(
                        Level::Ok,
                        lang.pick(format!("已保存 {code}"), format!("saved {code}")),
                    ))
                } else {
                    // nothing written: no role is needed and no audit record is made
                    Ok(say(
                        Level::Info,
                        lang.pick(format!("没有修改 {code}"), format!("no changes to {code}")),
                    ))
                }
            }
        }
    }
}

/// The form upserts of a fix, built against the catalog as it is now.
fn fix_batch(catalog: &Catalog, fix: &Fix) -> Result<Batch, resolve::ResolveError> {
    match fix {
        Fix::Resolve(c, choice) => resolve::resolve_conflict(catalog, c, choice),
        Fix::Accept(s, target) => resolve::accept_suggestion(catalog, s, target),
    }
}

fn need_open(lang: Lang) -> Say {
    say(
        Level::Info,
        lang.pick("请先打开一个主题（Enter）", "open a bundle first (Enter)")
            .into(),
    )
}

/// A selection movement.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    Down(usize),
    Up(usize),
    First,
    Last,
}

impl Step {
    /// Row `row` moved by the step in a list of `len` rows.
    pub(super) fn apply(self, row: usize, len: usize) -> usize {
        match self {
            Step::Down(n) => row.saturating_add(n),
            Step::Up(n) => row.saturating_sub(n),
            Step::First => 0,
            Step::Last => usize::MAX,
        }
        .min(len.saturating_sub(1))
    }
}

/// The list movement an action asks for.
pub(super) fn movement(action: Action, page: usize) -> Option<Step> {
    Some(match action {
        Action::SelectNext => Step::Down(1),
        Action::SelectPrev => Step::Up(1),
        Action::PageDown => Step::Down(page.max(1)),
        Action::PageUp => Step::Up(page.max(1)),
        Action::SelectFirst => Step::First,
        Action::SelectLast => Step::Last,
        _ => return None,
    })
}

/// Whether the pane takes this action while it shows (its own scope, list moves, back).
pub fn handles(action: Action) -> bool {
    use super::super::action::Scope;
    matches!(action.def().scope, Scope::Bundles | Scope::List) || action == Action::Back
}
