//! The edit form: one input per attribute (tui-input for single lines, ratatui-textarea for
//! multi-line text), focus, dirtiness and inline errors. The fields and the rules that turn
//! them into a record come from `engine::workflow`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Style;
use ratatui_textarea::TextArea;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::engine::workflow::{self, FieldError, FormField};
use crate::i18n::Lang;
use crate::model::{Catalog, Record};

/// A field's editing widget.
pub enum Widget {
    /// A single line.
    Line(Input),
    /// Several lines.
    Area(Box<TextArea<'static>>),
}

impl Widget {
    fn value(&self) -> String {
        match self {
            Widget::Line(input) => input.value().to_string(),
            Widget::Area(area) => area.lines().join("\n"),
        }
    }
}

/// One field of the form.
pub struct EditField {
    /// What it edits.
    pub spec: FormField,
    /// Its widget.
    pub widget: Widget,
}

/// The form editing one record.
pub struct Editor {
    /// The record as it was when editing started (or the new record's template).
    pub original: Record,
    /// Whether the record does not exist yet (add, copy).
    pub new: bool,
    /// The audit action saving records (`edit`, `add`, `copy`).
    pub action: &'static str,
    /// The fields in order.
    pub fields: Vec<EditField>,
    /// The focused field.
    pub focus: usize,
    /// Problems found by the last validation.
    pub errors: Vec<FieldError>,
    initial: Vec<String>,
}

impl Editor {
    /// A form for `record` opened by `action` (`edit` an existing record, or `add` / `copy`
    /// a new one); focus starts on the name.
    pub fn new(record: Record, action: &'static str) -> Editor {
        let new = action != "edit";
        let mut specs = workflow::edit_fields(record.as_ref(), new);
        // the text area draws its lines as they are: controls in stored multi-line text are
        // shown (and, if saved, kept) as their visible placeholders
        for spec in specs.iter_mut().filter(|s| s.multiline) {
            spec.value = spec
                .value
                .split('\n')
                .map(|line| crate::display::inert(line).into_owned())
                .collect::<Vec<_>>()
                .join("\n");
        }
        let initial: Vec<String> = specs.iter().map(|s| s.value.clone()).collect();
        let fields: Vec<EditField> = specs
            .into_iter()
            .map(|spec| {
                let widget = if spec.multiline {
                    let mut area =
                        TextArea::new(spec.value.split('\n').map(str::to_string).collect());
                    // the terminal's own cursor marks the caret (IME windows follow it)
                    area.set_cursor_style(Style::default());
                    area.set_cursor_line_style(Style::default());
                    Widget::Area(Box::new(area))
                } else {
                    Widget::Line(Input::new(spec.value.clone()))
                };
                EditField { spec, widget }
            })
            .collect();
        let focus = fields
            .iter()
            .position(|f| f.spec.key == "name")
            .unwrap_or(0);
        Editor {
            original: record,
            new,
            action,
            fields,
            focus,
            errors: Vec::new(),
            initial,
        }
    }

    /// The current text of every field, by key.
    pub fn values(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .filter(|f| f.spec.editable)
            .map(|f| (f.spec.key.to_string(), f.widget.value()))
            .collect()
    }

    /// Whether anything was typed since the form opened (a new record always counts).
    pub fn is_dirty(&self) -> bool {
        self.new
            || self
                .fields
                .iter()
                .zip(&self.initial)
                .any(|(f, initial)| f.widget.value() != *initial)
    }

    /// The record the form describes, or the problems that keep it from being saved.
    pub fn build(&self, catalog: &Catalog, lang: Lang) -> Result<Record, Vec<FieldError>> {
        let record = workflow::build_record(self.original.as_ref(), &self.values(), lang)?;
        let errors = workflow::check(catalog, &record, self.new, lang);
        if errors.is_empty() {
            Ok(record)
        } else {
            Err(errors)
        }
    }

    /// Re-validates, keeping the problems for inline display.
    pub fn validate(&mut self, catalog: &Catalog, lang: Lang) {
        self.errors = self.build(catalog, lang).err().unwrap_or_default();
    }

    /// Errors of one field.
    pub fn errors_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a FieldError> + 'a {
        self.errors.iter().filter(move |e| e.key == key)
    }

    /// Errors that belong to no field of the form.
    pub fn general_errors(&self) -> impl Iterator<Item = &FieldError> {
        self.errors
            .iter()
            .filter(|e| !self.fields.iter().any(|f| f.spec.key == e.key))
    }

    /// Moves focus to the next (or previous) editable field.
    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for step in 1..=n {
            let i = if forward {
                (self.focus + step) % n
            } else {
                (self.focus + n - step) % n
            };
            if self.fields[i].spec.editable {
                self.focus = i;
                return;
            }
        }
    }

    /// Whether the focused field is multi-line (Enter then inserts a line break).
    pub fn focus_is_multiline(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.widget),
            Some(Widget::Area(_))
        )
    }

    /// Feeds a key to the focused field; returns whether its text or cursor changed.
    pub fn input_key(&mut self, key: KeyEvent) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if !field.spec.editable {
            return false;
        }
        match &mut field.widget {
            Widget::Line(input) => {
                if key.code == KeyCode::Enter {
                    self.move_focus(true);
                    return true;
                }
                input
                    .handle_event(&crossterm::event::Event::Key(key))
                    .is_some()
            }
            Widget::Area(area) => {
                let input: ratatui_textarea::Input = key.into();
                area.input(input);
                true
            }
        }
    }

    /// Inserts pasted text into the focused field (line breaks become spaces in a line).
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        if !field.spec.editable {
            return;
        }
        match &mut field.widget {
            Widget::Line(input) => {
                for c in text.chars() {
                    let c = if c == '\n' || c == '\r' || c == '\t' {
                        ' '
                    } else {
                        c
                    };
                    input.handle(tui_input::InputRequest::InsertChar(c));
                }
            }
            Widget::Area(area) => {
                let text: String = text
                    .replace("\r\n", "\n")
                    .chars()
                    .filter(|c| *c == '\n' || !crate::display::is_hostile(*c))
                    .collect();
                area.insert_str(text);
            }
        }
    }

    /// Replaces the text of the editable field `key` (a recovered draft).
    pub fn set_value(&mut self, key: &str, value: &str) {
        let Some(field) = self
            .fields
            .iter_mut()
            .find(|f| f.spec.key == key && f.spec.editable)
        else {
            return;
        };
        match &mut field.widget {
            Widget::Line(input) => *input = Input::new(value.to_string()),
            Widget::Area(area) => {
                let mut new = TextArea::new(value.split('\n').map(str::to_string).collect());
                new.set_cursor_style(Style::default());
                new.set_cursor_line_style(Style::default());
                **area = new;
            }
        }
    }

    /// Replaces the focused line field's text (used by tests and the palette).
    pub fn set_focused_text(&mut self, text: &str) {
        if let Some(EditField {
            widget: Widget::Line(input),
            spec,
        }) = self.fields.get_mut(self.focus)
            && spec.editable
        {
            *input = Input::new(text.to_string());
        }
    }
}
