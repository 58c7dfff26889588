//! Colour themes: named style slots read from TOML (`slot = { fg, bg, modifiers }`, colours
//! by name, `#rrggbb`, a 0–255 index (a string or an integer) or a name from the `[palette]`
//! table at the end), loaded over a preset with every problem reported by line, in line order. NO_COLOR keeps only the modifiers.

use std::collections::HashMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use super::config::{ConfigProblem, Source};

macro_rules! slots {
    ($($variant:ident $name:literal $doc:literal;)*) => {
        /// A place in the UI that has a style.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Slot {
            $(#[doc = $doc] $variant,)*
        }

        impl Slot {
            /// Every slot.
            pub const ALL: &[Slot] = &[$(Slot::$variant,)*];

            /// The name in theme files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Slot::$variant => $name,)*
                }
            }
        }
    };
}

slots! {
    Text "text" "ordinary text";
    Dim "dim" "secondary text: codes, hints, empty states";
    Border "border" "borders of unfocused blocks";
    BorderFocus "border_focus" "the border of the focused block";
    Title "title" "block titles";
    PaneActive "pane_active" "the current pane in the pane bar";
    PaneInactive "pane_inactive" "other panes in the pane bar";
    Selection "selection" "the selected row";
    Match "match" "matched text in a filtered list";
    Group "group" "group headings (agency, region, item type)";
    Main "level_main" "主项 rows";
    Sub "level_sub" "子项 rows";
    Impl "level_impl" "实施清单 rows";
    Handling "level_handling" "办理项 rows";
    Label "label" "attribute names in the detail and the editor";
    Input "input" "an input field";
    InputFocus "input_focus" "the focused input field";
    Error "error" "validation errors";
    Status "status" "the status bar";
    StatusOk "status_ok" "a success message";
    StatusWarn "status_warn" "a warning (configuration problems)";
    StatusError "status_error" "an error message";
    Mode "mode" "the mode indicator";
    Key "key" "key names in the help";
    Popup "popup" "the help, palette and dialogs";
}

/// Styles for every slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    styles: HashMap<Slot, Style>,
}

impl Theme {
    /// The style of a slot (plain when the theme does not set it).
    pub fn get(&self, slot: Slot) -> Style {
        self.styles.get(&slot).copied().unwrap_or_default()
    }

    /// Loads a preset and an optional overlay (slots it sets replace the preset's).
    pub fn load(
        base: &Source,
        overlay: Option<&Source>,
        problems: &mut Vec<ConfigProblem>,
    ) -> Theme {
        let mut styles = parse_file(base, problems);
        if let Some(overlay) = overlay {
            styles.extend(parse_file(overlay, problems));
        }
        Theme { styles }
    }

    /// The theme with colours removed (NO_COLOR): modifiers stay, selection is reverse video.
    pub fn without_colors(&self) -> Theme {
        let mut styles: HashMap<Slot, Style> = self
            .styles
            .iter()
            .map(|(slot, style)| {
                (
                    *slot,
                    Style::default()
                        .add_modifier(style.add_modifier)
                        .remove_modifier(style.sub_modifier),
                )
            })
            .collect();
        styles.insert(
            Slot::Selection,
            Style::default().add_modifier(Modifier::REVERSED),
        );
        styles.insert(
            Slot::Match,
            Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
        );
        Theme { styles }
    }

    /// Every colour the theme uses.
    pub fn colors(&self) -> Vec<Color> {
        self.styles
            .values()
            .flat_map(|s| [s.fg, s.bg])
            .flatten()
            .collect()
    }
}

/// A colour value: a name, `#rrggbb` or an index as a string (`"196"`), a name from
/// `palette`, or an index as a TOML integer 0–255 (`15`).
fn parse_color(value: &toml::de::DeValue<'_>, palette: &HashMap<String, Color>) -> Option<Color> {
    if let Some(i) = value.as_integer() {
        return u8::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(Color::Indexed);
    }
    let name = value.as_str()?;
    if let Some(c) = palette.get(name) {
        return Some(*c);
    }
    Color::from_str(name).ok()
}

fn parse_modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        _ => return None,
    })
}

fn parse_file(source: &Source, problems: &mut Vec<ConfigProblem>) -> HashMap<Slot, Style> {
    let first = problems.len();
    let styles = parse_styles(source, problems);
    // the palette (at the end) is read first: its problems go in line order with the rest
    if let Some(new) = problems.get_mut(first..) {
        new.sort_by_key(|p| p.line);
    }
    styles
}

fn parse_styles(source: &Source, problems: &mut Vec<ConfigProblem>) -> HashMap<Slot, Style> {
    let mut styles = HashMap::new();
    let table = match source.parse() {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return styles;
        }
    };
    let mut palette = HashMap::new();
    if let Some(p) = table.get("palette") {
        match p.get_ref().as_table() {
            Some(entries) => {
                for (name, value) in entries {
                    // a palette entry names a colour, not another entry
                    match parse_color(value.get_ref(), &HashMap::new()) {
                        Some(c) => {
                            palette.insert(name.get_ref().to_string(), c);
                        }
                        None => problems.push(source.problem(
                            value.span().start,
                            format!("palette \"{}\": unknown colour", name.get_ref()),
                        )),
                    }
                }
            }
            None => {
                problems.push(source.problem(p.span().start, "[palette] must be a table".into()))
            }
        }
    }
    let mut entries: Vec<_> = table
        .iter()
        .filter(|(k, _)| k.get_ref() != "palette")
        .collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let at = key.span().start;
        let Some(slot) = Slot::ALL
            .iter()
            .copied()
            .find(|s| s.name() == key.get_ref().as_ref())
        else {
            problems.push(source.problem(at, format!("unknown style \"{}\"", key.get_ref())));
            continue;
        };
        let Some(fields) = value.get_ref().as_table() else {
            problems.push(source.problem(
                at,
                format!(
                    "\"{}\" must be a table like {{ fg = \"cyan\" }}",
                    slot.name()
                ),
            ));
            continue;
        };
        let mut style = Style::default();
        let mut ok = true;
        for (field, v) in fields {
            let v_at = v.span().start;
            match field.get_ref().as_ref() {
                "fg" | "bg" => match parse_color(v.get_ref(), &palette) {
                    Some(color) if field.get_ref() == "fg" => style = style.fg(color),
                    Some(color) => style = style.bg(color),
                    None => {
                        problems.push(source.problem(
                            v_at,
                            format!("{}.{}: unknown colour", slot.name(), field.get_ref()),
                        ));
                        ok = false;
                    }
                },
                "modifiers" => {
                    let names: Vec<_> = match v.get_ref() {
                        toml::de::DeValue::Array(a) => a
                            .iter()
                            .map(|m| (m.get_ref().as_str().map(str::to_string), m.span().start))
                            .collect(),
                        _ => vec![(None, v_at)],
                    };
                    for (name, m_at) in names {
                        match name.as_deref().and_then(parse_modifier) {
                            Some(m) => style = style.add_modifier(m),
                            None => {
                                problems.push(source.problem(
                                    m_at,
                                    format!("{}: unknown modifier {}, expected bold, dim, italic, underlined, reversed or crossed_out", slot.name(), name.unwrap_or_default()),
                                ));
                                ok = false;
                            }
                        }
                    }
                }
                other => {
                    problems.push(source.problem(
                        field.span().start,
                        format!(
                            "{}: unknown field \"{other}\", expected fg, bg or modifiers",
                            slot.name()
                        ),
                    ));
                    ok = false;
                }
            }
        }
        if ok {
            styles.insert(slot, style);
        }
    }
    styles
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The theme `text` loads to, and the lines of its problems.
    fn load(text: &str) -> (Theme, Vec<usize>) {
        let mut problems = Vec::new();
        let source = Source {
            file: "t.toml".into(),
            text: text.into(),
        };
        let theme = Theme::load(&source, None, &mut problems);
        (theme, problems.iter().map(|p| p.line).collect())
    }

    #[test]
    fn styles_parse_and_problems_name_their_line() {
        let text = "selection = { fg = \"black\", bg = \"accent\", modifiers = [\"bold\"] }\nmatch = { fg = \"nocolour\" }\ntitel = { fg = \"red\" }\ngroup = { modifiers = [\"blink\"] }\n\n[palette]\naccent = \"#5fafd7\"\n";
        let (theme, lines) = load(text);
        assert_eq!(
            theme.get(Slot::Selection),
            Style::default()
                .fg(Color::Black)
                .bg(Color::Rgb(0x5f, 0xaf, 0xd7))
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(lines, [2, 3, 4]);
        // an index as a TOML integer, in a style and in the palette; out of range refused
        let text = "selection = { fg = 15, bg = \"x\" }\nmatch = { fg = 256 }\ngroup = { fg = -1 }\n\n[palette]\nx = 3\ny = 300\n";
        let (numbers, lines) = load(text);
        assert_eq!(
            numbers.get(Slot::Selection),
            Style::default()
                .fg(Color::Indexed(15))
                .bg(Color::Indexed(3))
        );
        assert_eq!(lines, [2, 3, 7], "in line order");
        let plain = theme.without_colors();
        assert!(plain.colors().is_empty());
        assert_eq!(
            plain.get(Slot::Selection),
            Style::default().add_modifier(Modifier::REVERSED)
        );
    }
}
