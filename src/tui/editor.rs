//! The edit form: one input per attribute (tui-input for single lines, ratatui-textarea for
//! multi-line text), focus, dirtiness and inline errors. The fields and the rules that turn
//! them into a record come from `engine::workflow`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Style;
use ratatui_textarea::TextArea;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::engine::workflow::{self, Choice, FieldError, FormField};
use crate::i18n::Lang;
use crate::model::{Catalog, Record};

/// A field's editing widget.
pub enum Widget {
    /// A single line.
    Line(Input),
    /// Several lines.
    Area(Box<TextArea<'static>>),
    /// One of a fixed set of values (the field's `choices`).
    Choice(ChoiceState),
}

/// A choice widget: the selected value and what was typed to find it.
pub struct ChoiceState {
    /// The values.
    pub choices: Vec<Choice>,
    /// The selected one.
    pub selected: usize,
    /// Letters typed since the field got the focus (pinyin, value or name).
    pub typed: String,
    /// A stored value that is none of the choices, kept until another is chosen.
    pub other: Option<String>,
}

impl ChoiceState {
    fn new(choices: Vec<Choice>, value: &str) -> ChoiceState {
        let position = choices.iter().position(|c| c.value == value);
        ChoiceState {
            selected: position.unwrap_or(0),
            other: position.is_none().then(|| value.to_string()),
            choices,
            typed: String::new(),
        }
    }

    fn value(&self) -> String {
        match (&self.other, self.choices.get(self.selected)) {
            (Some(other), _) => other.clone(),
            (None, Some(c)) => c.value.to_string(),
            (None, None) => String::new(),
        }
    }

    fn select(&mut self, at: usize) {
        self.selected = at.min(self.choices.len().saturating_sub(1));
        self.other = None;
    }

    /// Handles a key; returns whether it was the choice's.
    fn key(&mut self, key: KeyEvent) -> bool {
        let n = self.choices.len();
        if n == 0 {
            return false;
        }
        match key.code {
            KeyCode::Right | KeyCode::Char(' ') => {
                self.typed.clear();
                let next = if self.other.is_some() {
                    0
                } else {
                    (self.selected + 1) % n
                };
                self.select(next);
            }
            KeyCode::Left => {
                self.typed.clear();
                self.select((self.selected + n - 1) % n);
            }
            KeyCode::Home => self.select(0),
            KeyCode::End => self.select(n - 1),
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Char(c) if !c.is_control() => {
                self.typed.push(c);
                match workflow::matching_choice(&self.choices, &self.typed) {
                    Some(at) => self.select(at),
                    None => {
                        // start again from this letter
                        self.typed = c.to_string();
                        match workflow::matching_choice(&self.choices, &self.typed) {
                            Some(at) => self.select(at),
                            None => self.typed.clear(),
                        }
                    }
                }
            }
            _ => return false,
        }
        true
    }
}

impl Widget {
    fn value(&self) -> String {
        match self {
            Widget::Line(input) => input.value().to_string(),
            Widget::Area(area) => area.lines().join("\n"),
            Widget::Choice(choice) => choice.value(),
        }
    }
}

/// A multi-line field's text area: long lines wrap at the box's width (between words, and
/// inside a run of Chinese text), so nothing scrolls out of sight sideways.
fn text_area(value: &str) -> TextArea<'static> {
    let mut area = TextArea::new(value.split('\n').map(str::to_string).collect());
    // the terminal's own cursor marks the caret (IME windows follow it)
    area.set_cursor_style(Style::default());
    area.set_cursor_line_style(Style::default());
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    area
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
                let widget = if !spec.choices.is_empty() && spec.editable {
                    Widget::Choice(ChoiceState::new(spec.choices.clone(), &spec.value))
                } else if spec.multiline {
                    Widget::Area(Box::new(text_area(&spec.value)))
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

    /// The record the form describes as typed so far, unchecked (`None`: a value does not
    /// parse yet): what is read near it before it is checked on demand.
    pub fn draft(&self, lang: Lang) -> Option<Record> {
        workflow::build_record(self.original.as_ref(), &self.values(), lang).ok()
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
                if let Widget::Choice(choice) = &mut self.fields[i].widget {
                    choice.typed.clear();
                }
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
            Widget::Choice(choice) => {
                if key.code == KeyCode::Enter {
                    self.move_focus(true);
                    return true;
                }
                choice.key(key)
            }
        }
    }

    /// Inserts pasted text into the focused field: CR, LF and CRLF are line breaks in a
    /// multi-line field and spaces in a line, a tab is a space ([`crate::tui::text::paste_lines`]).
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        if !field.spec.editable {
            return;
        }
        match &mut field.widget {
            Widget::Line(input) => crate::tui::text::paste_into(input, text),
            Widget::Area(area) => {
                area.insert_str(crate::tui::text::paste_lines(text));
            }
            Widget::Choice(choice) => {
                if let Some(at) = workflow::matching_choice(&choice.choices, text) {
                    choice.select(at);
                }
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
            Widget::Area(area) => **area = text_area(value),
            Widget::Choice(choice) => {
                *choice = ChoiceState::new(std::mem::take(&mut choice.choices), value);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn kinds() -> Vec<Choice> {
        let sample = crate::sample::generate(1);
        let element = sample.elements.values().next().expect("an element").clone();
        let fields = workflow::edit_fields(crate::model::RecordRef::Element(&element), false);
        fields
            .into_iter()
            .find(|f| f.key == "kind")
            .expect("kind")
            .choices
    }

    fn press(state: &mut ChoiceState, code: KeyCode) -> bool {
        state.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn a_choice_cycles_jumps_by_typing_and_keeps_an_unknown_value_until_changed() {
        let mut state = ChoiceState::new(kinds(), "cn_id");
        assert_eq!(state.value(), "cn_id");
        press(&mut state, KeyCode::Left);
        press(&mut state, KeyCode::Right);
        assert_eq!(state.value(), "cn_id", "← then → comes back");
        press(&mut state, KeyCode::Home);
        press(&mut state, KeyCode::Left);
        assert_eq!(
            state.value(),
            "pattern",
            "← from the first wraps to the last"
        );
        for c in "youx".chars() {
            press(&mut state, KeyCode::Char(c));
        }
        assert_eq!(state.value(), "email", "邮箱 by its pinyin");
        // a letter that continues no match starts a new search
        press(&mut state, KeyCode::Char('u'));
        assert_eq!(
            (state.value().as_str(), state.typed.as_str()),
            ("uscc", "u")
        );
        assert!(!press(&mut state, KeyCode::Up), "Up is not the choice's");

        let mut odd = ChoiceState::new(kinds(), "legacy_kind");
        assert_eq!(
            odd.value(),
            "legacy_kind",
            "a stored value outside the set is kept"
        );
        press(&mut odd, KeyCode::Right);
        assert_eq!(odd.value(), "email", "until another is chosen");
    }
}
