//! Tables → records, all or nothing.

use std::collections::{BTreeMap, HashMap};

use crate::i18n::Lang;
use crate::io::check::{FileProblem, Rejected, check_import};
use crate::model::invariants::Lookup;
use crate::model::{
    Agency, AnswerOption, Bundle, BundleMaterial, Element, ElementKind, ElementOption, Field, Form,
    Item, ItemLevel, ItemType, Kind, Material, MaterialKind, Options, Origin as ItemOrigin,
    Question, Record, RecordRef, Region, Section, Share, Status, When,
};

use super::locate::{Loc, Origin, cell, locate};
use super::row::{Columns, Row};
use super::{RawTable, TableId, cell_place, row_place};

/// Builds and checks the records the tables hold. Every problem is reported at its cell;
/// on success the records come in table order. A nested table that is absent keeps what
/// the store has (importing `数据元` alone keeps the stored options of existing elements);
/// one that is present replaces the lists of every record it or the main table names.
pub fn records(
    tables: &[RawTable],
    stored: &dyn Lookup,
    lang: Lang,
) -> Result<Vec<Record>, Vec<FileProblem>> {
    // equal texts in the rows (field keys and labels, agency codes) share one copy
    let _sharing = crate::model::Sharing::start();
    let mut b = Builder {
        tables,
        stored,
        lang,
        problems: Vec::new(),
        columns: Vec::new(),
        present: HashMap::new(),
        records: Vec::new(),
        index: HashMap::new(),
        rejected: Rejected::default(),
    };
    b.read_headers();
    for (i, table) in tables.iter().enumerate() {
        if b.columns[i].is_some() && table.table.is_main() {
            b.main_rows(i);
        }
    }
    b.keep_stored_parts();
    b.options();
    b.sections();
    b.questions();
    b.item_when();
    b.bundle_materials();
    let Builder {
        records,
        problems,
        rejected,
        ..
    } = b;
    let locate = |origin: &(Kind, Origin), path: &str| locate(tables, origin.0, &origin.1, path);
    let (records, found) = check_import(records, stored, lang, rejected, locate);
    let problems: Vec<FileProblem> = problems.into_iter().chain(found).collect();
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

struct Builder<'a> {
    tables: &'a [RawTable],
    /// The store's records the file's join (a loaded catalog, or read as looked up).
    stored: &'a dyn Lookup,
    lang: Lang,
    problems: Vec<FileProblem>,
    /// Per table: its columns, or `None` when its header is unusable or it repeats a table.
    columns: Vec<Option<Columns>>,
    /// Table → index of the (first) table read as it.
    present: HashMap<TableId, usize>,
    records: Vec<((Kind, Origin), Record)>,
    /// (kind, code) → position of the first record with it.
    index: HashMap<(Kind, String), usize>,
    /// Rows of main tables rejected for a bad cell: references to them are counted, not
    /// reported one by one.
    rejected: Rejected,
}

/// The rows of a nested table grouped by owner code, in row order.
type Groups<T> = BTreeMap<String, Vec<(Loc, T)>>;

impl<'a> Builder<'a> {
    fn read_headers(&mut self) {
        for (i, t) in self.tables.iter().enumerate() {
            if let Some(&first) = self.present.get(&t.table) {
                let first = &self.tables[first].place;
                self.problems.push(FileProblem::new(
                    t.place.clone(),
                    self.lang.pick(
                        format!("「{}」表重复（已在 {first} 读过）", t.table.zh()),
                        format!("the {} table appears twice (also {first})", t.table.en()),
                    ),
                ));
                self.columns.push(None);
                continue;
            }
            self.present.insert(t.table, i);
            let columns = self.header(t);
            self.columns.push(columns);
        }
    }

    /// Maps a header to columns, reporting unknown, repeated and missing columns.
    fn header(&mut self, t: &RawTable) -> Option<Columns> {
        let lang = self.lang;
        let mut columns = Columns::new();
        let mut ok = true;
        for (i, h) in t.header.iter().enumerate() {
            let place = cell_place(&t.place, i, t.header_row);
            if h.trim().is_empty() {
                continue;
            }
            match t.table.column(h) {
                None => {
                    ok = false;
                    let known: Vec<String> = t
                        .table
                        .columns()
                        .iter()
                        .map(|c| format!("{}/{}", c.zh, c.field))
                        .collect();
                    self.problems.push(FileProblem::new(
                        place,
                        lang.pick(
                            format!("未知列 \"{h}\"（可用：{}）", known.join("、")),
                            format!("unknown column \"{h}\" (known: {})", known.join(", ")),
                        ),
                    ));
                }
                Some(c) if columns.contains_key(c.field) => {
                    ok = false;
                    self.problems.push(FileProblem::new(
                        place,
                        lang.pick(
                            format!("列 {}（{}）重复", c.zh, c.field),
                            format!("column {} ({}) appears twice", c.field, c.zh),
                        ),
                    ));
                }
                Some(c) => {
                    columns.insert(c.field, i);
                }
            }
        }
        for c in t.table.columns().iter().filter(|c| c.required) {
            if !columns.contains_key(c.field) {
                ok = false;
                self.problems.push(FileProblem::new(
                    cell_place(&t.place, 0, t.header_row),
                    lang.pick(
                        format!("缺少必需的列 {}（{}）", c.zh, c.field),
                        format!("missing required column {} ({})", c.field, c.zh),
                    ),
                ));
            }
        }
        ok.then_some(columns)
    }

    /// Non-empty rows of table `i` with their columns.
    fn rows(&self, i: usize) -> impl Iterator<Item = (&'a RawTable, usize, &'a [String])> {
        let t = &self.tables[i];
        t.rows
            .iter()
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
            .map(move |r| (t, r.number, r.cells.as_slice()))
    }

    fn main_rows(&mut self, i: usize) {
        let Some(columns) = self.columns[i].clone() else {
            return;
        };
        let rows: Vec<_> = self.rows(i).collect();
        for (t, number, cells) in rows {
            let mut row = Row::new(t, &columns, cells, number, self.lang, &mut self.problems);
            let record = main_record(t.table, &mut row);
            if row.bad {
                let place = row_place(&t.place, number, self.lang);
                self.rejected.add(t.table.kind(), &row.text("code"), place);
            }
            if let (Some(record), false) = (record, row.bad) {
                let origin = Origin {
                    main: Some(Loc {
                        table: i,
                        row: number,
                    }),
                    ..Origin::default()
                };
                self.push(origin, record);
            }
        }
    }

    fn push(&mut self, origin: Origin, record: Record) -> usize {
        let at = self.records.len();
        self.index
            .entry((record.kind(), record.code().to_string()))
            .or_insert(at);
        self.records.push(((record.kind(), origin), record));
        at
    }

    /// Records of the main tables take their nested lists from the store where the file
    /// has no table for them.
    fn keep_stored_parts(&mut self) {
        let has = |t: TableId| self.present.contains_key(&t);
        let options = has(TableId::ElementOptions);
        let sections = has(TableId::FormSections) || has(TableId::FormFields);
        let questions = has(TableId::BundleQuestions) || has(TableId::BundleAnswers);
        let item_when = has(TableId::BundleItemWhen);
        let materials = has(TableId::BundleMaterials);
        let stored = self.stored;
        for (_, record) in &mut self.records {
            match record {
                Record::Element(e) if !options => {
                    if let Some(RecordRef::Element(old)) = stored.lookup(Kind::Element, &e.code) {
                        e.options.clone_from(&old.options);
                    }
                }
                Record::Form(f) if !sections => {
                    if let Some(RecordRef::Form(old)) = stored.lookup(Kind::Form, &f.code) {
                        f.sections.clone_from(&old.sections);
                    }
                }
                Record::Bundle(b) => {
                    if let Some(RecordRef::Bundle(old)) = stored.lookup(Kind::Bundle, &b.code) {
                        if !questions {
                            b.questions.clone_from(&old.questions);
                        }
                        if !item_when {
                            b.item_when.clone_from(&old.item_when);
                        }
                        if !materials {
                            b.materials.clone_from(&old.materials);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads a nested table's rows, grouped by owner code, with `parse` for each row.
    fn groups<T>(
        &mut self,
        table: TableId,
        mut parse: impl FnMut(&mut Row<'_>) -> Option<T>,
    ) -> Option<Groups<T>> {
        let i = *self.present.get(&table)?;
        let columns = self.columns[i].clone()?;
        let owner = table.owner_field();
        let mut groups: Groups<T> = BTreeMap::new();
        let rows: Vec<_> = self.rows(i).collect();
        for (t, number, cells) in rows {
            let mut row = Row::new(t, &columns, cells, number, self.lang, &mut self.problems);
            let code = row.text(owner);
            let value = parse(&mut row);
            if let (Some(value), false) = (value, row.bad) {
                groups.entry(code).or_default().push((
                    Loc {
                        table: i,
                        row: number,
                    },
                    value,
                ));
            }
        }
        Some(groups)
    }

    /// The position of the owner record `code` of `kind`: from the file's main table, else
    /// the stored record (joining the import), else reported as unknown at `loc`, or counted
    /// as `rows` references failing because of it when its own row was rejected.
    fn owner(
        &mut self,
        kind: Kind,
        code: &str,
        loc: Loc,
        field: &str,
        rows: usize,
    ) -> Option<usize> {
        if let Some(&at) = self.index.get(&(kind, code.to_string())) {
            return Some(at);
        }
        if let Some(stored) = self.stored.lookup(kind, code) {
            let origin = Origin {
                main: Some(loc),
                ..Origin::default()
            };
            let mut record = stored.to_record();
            clear_parts(&mut record, self.present_parts());
            return Some(self.push(origin, record));
        }
        if self.rejected.absorb(kind, code, rows) {
            return None;
        }
        let issue = crate::model::Issue::Unknown {
            target: kind,
            code: code.to_string(),
        };
        self.problems.push(FileProblem::new(
            cell(self.tables, loc, field),
            issue.message(self.lang),
        ));
        None
    }

    fn present_parts(&self) -> Parts {
        let has = |t: TableId| self.present.contains_key(&t);
        Parts {
            options: has(TableId::ElementOptions),
            sections: has(TableId::FormSections) || has(TableId::FormFields),
            questions: has(TableId::BundleQuestions) || has(TableId::BundleAnswers),
            item_when: has(TableId::BundleItemWhen),
            materials: has(TableId::BundleMaterials),
        }
    }

    /// Reports that `table` needs `other` in the same import.
    fn needs(&mut self, table: TableId, other: TableId) {
        if let Some(&i) = self.present.get(&table)
            && !self.present.contains_key(&other)
        {
            let t = &self.tables[i];
            self.problems.push(FileProblem::new(
                t.place.clone(),
                self.lang.pick(
                    format!("「{}」表须与「{}」表一同导入", table.zh(), other.zh()),
                    format!("the {} table needs the {} table", table.en(), other.en()),
                ),
            ));
        }
    }

    fn options(&mut self) {
        let Some(groups) = self.groups(TableId::ElementOptions, |row| {
            Some(ElementOption {
                code: row.text("code").into(),
                label: row.text("label").into(),
                parent: row.opt("parent"),
                kind: row.spelled("kind"),
            })
        }) else {
            return;
        };
        for (code, entries) in groups {
            let rows = entries.len();
            let Some(at) = self.owner(Kind::Element, &code, entries[0].0, "element", rows) else {
                continue;
            };
            let ((_, origin), record) = &mut self.records[at];
            if let Record::Element(e) = record {
                origin.options = entries.iter().map(|(l, _)| *l).collect();
                e.options = entries.into_iter().map(|(_, o)| o).collect();
            }
        }
    }

    fn sections(&mut self) {
        self.needs(TableId::FormSections, TableId::FormFields);
        self.needs(TableId::FormFields, TableId::FormSections);
        let titles = self.groups(TableId::FormSections, |row| Some(row.text("title")));
        let fields = self.groups(TableId::FormFields, |row| {
            let section: usize = row.number("section", 0);
            let field = Field {
                key: row.text("key").into(),
                label: row.text("label").into(),
                element: row.opt("element"),
                required: row.flag("required"),
                help: row.opt("help"),
                when: row.when("when").map(Box::new),
            };
            Some((section, field))
        });
        let (Some(titles), Some(mut fields)) = (titles, fields) else {
            return;
        };
        for (code, entries) in titles {
            let rows = entries.len() + fields.get(&code).map_or(0, Vec::len);
            let Some(at) = self.owner(Kind::Form, &code, entries[0].0, "form", rows) else {
                fields.remove(&code);
                continue;
            };
            let mut sections: Vec<Section> = entries
                .iter()
                .map(|(_, title)| Section {
                    title: title.as_str().into(),
                    fields: Vec::new(),
                })
                .collect();
            let mut locs: Vec<Vec<Loc>> = vec![Vec::new(); sections.len()];
            for (loc, (number, field)) in fields.remove(&code).unwrap_or_default() {
                match number.checked_sub(1).filter(|&s| s < sections.len()) {
                    Some(s) => {
                        sections[s].fields.push(field);
                        locs[s].push(loc);
                    }
                    None => self.problems.push(FileProblem::new(
                        cell(self.tables, loc, "section"),
                        self.lang.pick(
                            format!(
                                "申请表 {code} 没有第 {number} 节（「申请表分节」表中有 {} 节）",
                                sections.len()
                            ),
                            format!(
                                "form {code} has no section {number} (the form_sections table gives it {})",
                                sections.len()
                            ),
                        ),
                    )),
                }
            }
            let ((_, origin), record) = &mut self.records[at];
            if let Record::Form(f) = record {
                f.sections = sections;
                origin.fields = locs;
            }
        }
        // fields of forms that have no section at all
        for (code, entries) in fields {
            if let Some(&(loc, (number, _))) = entries.first() {
                self.problems.push(FileProblem::new(
                    cell(self.tables, loc, "section"),
                    self.lang.pick(
                        format!("申请表 {code} 没有第 {number} 节（「申请表分节」表中没有它的分节）"),
                        format!(
                            "form {code} has no section {number} (the form_sections table gives it none)"
                        ),
                    ),
                ));
            }
        }
    }

    fn questions(&mut self) {
        self.needs(TableId::BundleQuestions, TableId::BundleAnswers);
        self.needs(TableId::BundleAnswers, TableId::BundleQuestions);
        let questions = self.groups(TableId::BundleQuestions, |row| {
            Some(Question {
                key: row.text("key"),
                text: row.text("text"),
                options: Vec::new(),
            })
        });
        let answers = self.groups(TableId::BundleAnswers, |row| {
            let question = row.text("question");
            Some((
                question,
                AnswerOption {
                    key: row.text("key"),
                    text: row.text("text"),
                },
            ))
        });
        let (Some(questions), Some(mut answers)) = (questions, answers) else {
            return;
        };
        for (code, entries) in questions {
            let rows = entries.len() + answers.get(&code).map_or(0, Vec::len);
            let Some(at) = self.owner(Kind::Bundle, &code, entries[0].0, "bundle", rows) else {
                answers.remove(&code);
                continue;
            };
            let locs: Vec<Loc> = entries.iter().map(|(l, _)| *l).collect();
            let mut list: Vec<Question> = entries.into_iter().map(|(_, q)| q).collect();
            for (loc, (question, option)) in answers.remove(&code).unwrap_or_default() {
                match list.iter_mut().find(|q| q.key == question) {
                    Some(q) => q.options.push(option),
                    None => self.unknown_question(&code, &question, loc),
                }
            }
            let ((_, origin), record) = &mut self.records[at];
            if let Record::Bundle(b) = record {
                b.questions = list;
                origin.questions = locs;
            }
        }
        for (code, entries) in answers {
            if let Some((loc, (question, _))) = entries.into_iter().next() {
                self.unknown_question(&code, &question, loc);
            }
        }
    }

    fn unknown_question(&mut self, bundle: &str, question: &str, loc: Loc) {
        self.problems.push(FileProblem::new(
            cell(self.tables, loc, "question"),
            self.lang.pick(
                format!("主题 {bundle} 在「主题判断项」表中没有判断项 {question}"),
                format!("bundle {bundle} has no question {question} in the bundle_questions table"),
            ),
        ));
    }

    fn item_when(&mut self) {
        let Some(groups) = self.groups(TableId::BundleItemWhen, |row| {
            let item = row.text("item");
            let when = row.when("when");
            if when.is_none() && !row.bad {
                let message = row.lang().pick("缺少条件", "missing condition");
                row.fail("when", message.to_string());
            }
            Some((item, when.unwrap_or_default()))
        }) else {
            return;
        };
        for (code, entries) in groups {
            let rows = entries.len();
            let Some(at) = self.owner(Kind::Bundle, &code, entries[0].0, "bundle", rows) else {
                continue;
            };
            let mut map: BTreeMap<String, When> = BTreeMap::new();
            let mut locs: BTreeMap<String, Loc> = BTreeMap::new();
            for (loc, (item, when)) in entries {
                if map.insert(item.clone(), when).is_some() {
                    self.problems.push(FileProblem::new(
                        cell(self.tables, loc, "item"),
                        self.lang.pick(
                            format!("主题 {code} 的事项 {item} 已有条件"),
                            format!("bundle {code} already has a condition for item {item}"),
                        ),
                    ));
                } else {
                    locs.insert(item, loc);
                }
            }
            let ((_, origin), record) = &mut self.records[at];
            if let Record::Bundle(b) = record {
                b.item_when = map;
                origin.item_when = locs;
            }
        }
    }

    fn bundle_materials(&mut self) {
        let Some(groups) = self.groups(TableId::BundleMaterials, |row| {
            Some(BundleMaterial {
                material: row.text("material"),
                item: row.text("item"),
                when: row.when("when"),
            })
        }) else {
            return;
        };
        for (code, entries) in groups {
            let rows = entries.len();
            let Some(at) = self.owner(Kind::Bundle, &code, entries[0].0, "bundle", rows) else {
                continue;
            };
            let ((_, origin), record) = &mut self.records[at];
            if let Record::Bundle(b) = record {
                origin.materials = entries.iter().map(|(l, _)| *l).collect();
                b.materials = entries.into_iter().map(|(_, m)| m).collect();
            }
        }
    }
}

/// Which nested lists the file gives.
#[derive(Clone, Copy)]
struct Parts {
    options: bool,
    sections: bool,
    questions: bool,
    item_when: bool,
    materials: bool,
}

/// Empties the lists of a stored record that the file replaces.
fn clear_parts(record: &mut Record, parts: Parts) {
    match record {
        Record::Element(e) if parts.options => e.options = Options::default(),
        Record::Form(f) if parts.sections => f.sections.clear(),
        Record::Bundle(b) => {
            if parts.questions {
                b.questions.clear();
            }
            if parts.item_when {
                b.item_when.clear();
            }
            if parts.materials {
                b.materials.clear();
            }
        }
        _ => {}
    }
}

/// Builds the record of a main-table row (nested lists empty); a bad cell marks the row bad
/// and leaves a placeholder, so that every bad cell of the row is reported.
fn main_record(table: TableId, row: &mut Row<'_>) -> Option<Record> {
    let mut record = main_record_as_written(table, row)?;
    // an empty 版本 cell (or 0) of a published record: V1, as in JSON
    record.published_at_least_v1();
    Some(record)
}

/// The record a main-table row writes, with the defaults of cells left empty.
fn main_record_as_written(table: TableId, row: &mut Row<'_>) -> Option<Record> {
    let code = row.text("code");
    let name = row.text("name");
    Some(match table {
        TableId::Regions => Record::Region(Region {
            code: code.into(),
            name: name.into(),
            parent: row.opt("parent"),
        }),
        TableId::Agencies => Record::Agency(Agency {
            code: code.into(),
            name: name.into(),
            region: row.opt("region"),
        }),
        TableId::Elements => Record::Element(Element {
            code: code.into(),
            name: name.into(),
            synonyms: row.list("synonyms").into(),
            kind: row.required("kind").unwrap_or(ElementKind::Text),
            definition: row.text("definition").into(),
            pattern: row.opt("pattern"),
            options: Vec::new().into(),
            parent: row.opt("parent"),
            unit: row.opt("unit"),
            source_agency: row.opt("source_agency"),
            share: row.spelled_or("share", Share::default()),
            security_level: row.number("security_level", 1),
            status: row.spelled_or("status", Status::default()),
            version: row.number("version", 0),
        }),
        TableId::Items => Record::Item(Item {
            code: code.into(),
            name: name.into(),
            level: row.required("level").unwrap_or(ItemLevel::Main),
            parent: row.opt("parent"),
            item_type: row.required("item_type").unwrap_or(ItemType::OtherPower),
            agency: row.opt("agency"),
            region: row.opt("region"),
            basis: row.text("basis").into(),
            time_limit_days: row.number("time_limit_days", 0),
            legal_limit_days: row.number("legal_limit_days", 0),
            fee: row.text("fee").into(),
            online_depth: row.number("online_depth", 0),
            depends_on: row.list("depends_on").into(),
            materials: row.list("materials").into(),
            status: row.spelled_or("status", Status::default()),
            version: row.number("version", 0),
            origin: row.spelled_or("origin", ItemOrigin::default()),
            template: row.flag("template"),
            template_of: row.opt("template_of"),
        }),
        TableId::Materials => Record::Material(Material {
            code: code.into(),
            name: name.into(),
            kind: row.required("kind").unwrap_or(MaterialKind::General),
            source: row.text("source"),
            issuing_agency: row.opt("issuing_agency"),
            licence_code: row.opt("licence_code"),
            shareable: row.flag("shareable"),
            copies: row.number("copies", 0),
            required: row.flag("required"),
            template: row.flag("template"),
            template_of: row.opt("template_of"),
        }),
        TableId::Forms => Record::Form(Form {
            code: code.into(),
            name: name.into(),
            item: row.opt("item"),
            material: row.opt("material"),
            sections: Vec::new(),
            status: row.spelled_or("status", Status::default()),
            version: row.number("version", 0),
        }),
        TableId::Bundles => Record::Bundle(Bundle {
            code: code.into(),
            name: name.into(),
            lead_agency: row.opt("lead_agency"),
            items: row.list("items"),
            questions: Vec::new(),
            item_when: BTreeMap::new(),
            materials: Default::default(),
            status: row.spelled_or("status", Status::default()),
            version: row.number("version", 0),
            origin: row.spelled_or("origin", ItemOrigin::default()),
            template: row.flag("template"),
            template_of: row.opt("template_of"),
        }),
        _ => return None,
    })
}
