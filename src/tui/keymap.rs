//! Key bindings: key names, chords (`g g`), keymap files (`[scope] action = ["key", ...]`)
//! loaded over a preset, every problem reported with its line, and lookup with a pending chord.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{ACTIONS, Action, Scope};
use super::config::{ConfigProblem, Source};

/// A key with its modifiers, normalized (a typed `G` is `Char('G')` without SHIFT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// CONTROL, ALT and (for non-characters) SHIFT.
    pub mods: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// The key of a terminal key event.
    pub fn from_event(event: &KeyEvent) -> Key {
        let mut mods =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match event.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Whether the key types text in an input (a character without ctrl or alt).
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    /// Parses a key name: `j`, `G`, `?`, `enter`, `esc`, `pgdn`, `ctrl-s`, `alt-1`, `shift-tab`,
    /// `f1`. Named keys ignore case; a single character is taken as typed.
    pub fn parse(name: &str) -> Option<Key> {
        if name.chars().count() == 1 {
            let c = name.chars().next()?;
            return (!c.is_control()).then(|| Key::plain(KeyCode::Char(c)));
        }
        let (mods_part, key_part) = match name.rfind('-') {
            Some(i) if i + 1 < name.len() => (&name[..i], &name[i + 1..]),
            Some(i) if i > 0 => (&name[..i - 1], "-"),
            _ => ("", name),
        };
        let mut mods = KeyModifiers::NONE;
        for m in mods_part.split('-').filter(|m| !m.is_empty()) {
            mods |= match m.to_ascii_lowercase().as_str() {
                "ctrl" | "c" => KeyModifiers::CONTROL,
                "alt" | "a" | "meta" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => return None,
            };
        }
        let code = if key_part.chars().count() == 1 {
            let c = key_part.chars().next()?;
            if mods.contains(KeyModifiers::CONTROL) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        } else {
            let lower = key_part.to_ascii_lowercase();
            match lower.as_str() {
                "enter" | "return" | "ret" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::BackTab
                }
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "minus" => KeyCode::Char('-'),
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().ok()?;
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCode::F(n)
                }
                _ => return None,
            }
        };
        if let KeyCode::Char(_) = code {
            // a typed character carries its case; shift-a is spelled A
            if mods.contains(KeyModifiers::SHIFT) {
                return None;
            }
        }
        Some(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::F(n) => write!(f, "f{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// A key sequence as written in keymap files: keys separated by spaces.
pub fn chord_name(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One binding and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The key sequence (one key, or a chord).
    pub keys: Vec<Key>,
    /// What it does.
    pub action: Action,
    /// Its scope.
    pub scope: Scope,
    /// The file it came from.
    pub file: String,
    /// The line it is on.
    pub line: usize,
}

/// The scopes searched, first to last, in each context; used to find chord conflicts.
pub const CHAINS: &[&[Scope]] = &[
    &[Scope::Catalog, Scope::List, Scope::Global],
    &[Scope::Elements, Scope::List, Scope::Global],
    &[Scope::Picker, Scope::Global],
    &[Scope::Bundles, Scope::List, Scope::Global],
    &[Scope::Forms, Scope::List, Scope::Global],
    &[Scope::Preview, Scope::Global],
    &[Scope::Stats, Scope::List, Scope::Global],
    &[Scope::Welcome, Scope::Global],
    &[Scope::Editor, Scope::Global],
    &[Scope::List, Scope::Global],
];

/// The outcome of feeding a key to the keymap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A binding fired.
    Action(Action),
    /// The key starts a chord; more keys are awaited.
    Pending,
    /// Nothing is bound.
    Unbound,
}

/// All bindings.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// Loads `base` and an optional overlay; each overlay entry replaces the keys of that
    /// action in that scope. Problems are appended; a bad entry is skipped.
    pub fn load(
        base: &Source,
        overlay: Option<&Source>,
        problems: &mut Vec<ConfigProblem>,
    ) -> Keymap {
        let mut bindings = parse_file(base, problems);
        if let Some(overlay) = overlay {
            let extra = parse_file(overlay, problems);
            let replaced: Vec<(Scope, Action)> =
                extra.iter().map(|b| (b.scope, b.action)).collect();
            bindings.retain(|b| !replaced.contains(&(b.scope, b.action)));
            // a key the overlay takes is no longer bound by the preset in that scope
            let mut taken = Vec::new();
            bindings.retain(|b| {
                let e = extra
                    .iter()
                    .find(|e| e.scope == b.scope && e.keys == b.keys && b.file != e.file);
                if let Some(e) = e.filter(|e| e.action != b.action) {
                    taken.push((e.clone(), b.clone()));
                }
                e.is_none()
            });
            bindings.extend(extra);
            // an action of the preset left without a key in its scope that way is reported
            for (e, b) in taken {
                if !bindings
                    .iter()
                    .any(|x| x.scope == b.scope && x.action == b.action)
                {
                    let outcome = format!(
                        "{} has no key left in [{}]",
                        b.action.name(),
                        b.scope.name()
                    );
                    problems.push(ConfigProblem {
                        file: e.file.clone(),
                        line: e.line,
                        message: two_actions(&e, &b, &outcome),
                    });
                }
            }
        }
        let mut keymap = Keymap { bindings };
        keymap.drop_conflicts(problems);
        keymap.report_shadowed(&base.file, problems);
        keymap
    }

    /// Reports a key bound to two actions that are active together (the same scope chain),
    /// naming both: the binding of the scope searched first wins and the other is
    /// unreachable there. Shadowing within the preset `base` is by design and not reported.
    fn report_shadowed(&self, base: &str, problems: &mut Vec<ConfigProblem>) {
        for chain in CHAINS {
            let rank = |b: &Binding| chain.iter().position(|s| *s == b.scope);
            for wins in &self.bindings {
                let Some(first) = rank(wins) else { continue };
                for loses in &self.bindings {
                    if wins.keys != loses.keys
                        || wins.action == loses.action
                        || rank(loses).is_none_or(|r| r <= first)
                        || (wins.file == base && loses.file == base)
                    {
                        continue;
                    }
                    // the line to fix is the user's (the later file's)
                    let at = if loses.file == base { wins } else { loses };
                    let problem = ConfigProblem {
                        file: at.file.clone(),
                        line: at.line,
                        message: two_actions(
                            wins,
                            loses,
                            &format!("{} is unreachable where both apply", loses.action.name()),
                        ),
                    };
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
        }
    }

    /// Removes chords that an earlier single key makes unreachable, reporting each.
    fn drop_conflicts(&mut self, problems: &mut Vec<ConfigProblem>) {
        let mut bad = Vec::new();
        for chain in CHAINS {
            let in_chain: Vec<&Binding> = self
                .bindings
                .iter()
                .filter(|b| chain.contains(&b.scope))
                .collect();
            for long in &in_chain {
                for short in &in_chain {
                    if short.keys.len() < long.keys.len() && long.keys.starts_with(&short.keys) {
                        let problem = ConfigProblem {
                            file: long.file.clone(),
                            line: long.line,
                            message: format!(
                                "key \"{}\" ({}, {}:{}) is a prefix of chord \"{}\" ({}); the chord is ignored",
                                chord_name(&short.keys),
                                short.action.name(),
                                short.file,
                                short.line,
                                chord_name(&long.keys),
                                long.action.name()
                            ),
                        };
                        if !problems.contains(&problem) {
                            problems.push(problem);
                        }
                        bad.push((*long).clone());
                    }
                }
            }
        }
        self.bindings.retain(|b| !bad.contains(b));
    }

    /// Looks up a key sequence in scopes, first scope first.
    pub fn lookup(&self, keys: &[Key], scopes: &[Scope]) -> Lookup {
        for scope in scopes {
            if let Some(b) = self
                .bindings
                .iter()
                .find(|b| b.scope == *scope && b.keys == keys)
            {
                return Lookup::Action(b.action);
            }
        }
        let pending = self.bindings.iter().any(|b| {
            scopes.contains(&b.scope) && b.keys.len() > keys.len() && b.keys.starts_with(keys)
        });
        if pending {
            Lookup::Pending
        } else {
            Lookup::Unbound
        }
    }

    /// The first key sequence that fires `action` where `scopes` apply (one another action
    /// shadows is skipped); `None` when every key of it there is shadowed. An action bound
    /// in none of `scopes` gets its first key.
    pub fn key_in(&self, action: Action, scopes: &[Scope]) -> Option<String> {
        let mine: Vec<&Binding> = self
            .bindings
            .iter()
            .filter(|b| b.action == action)
            .collect();
        if !mine.iter().any(|b| scopes.contains(&b.scope)) {
            return mine.first().map(|b| chord_name(&b.keys));
        }
        mine.iter()
            .filter(|b| scopes.contains(&b.scope))
            .find(|b| self.lookup(&b.keys, scopes) == Lookup::Action(action))
            .map(|b| chord_name(&b.keys))
    }

    /// The key sequences bound to an action, in file order.
    pub fn keys_of(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|b| b.action == action)
            .map(|b| chord_name(&b.keys))
            .collect()
    }

    /// Every binding.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }
}

/// Parses one keymap file into bindings, reporting unknown scopes, actions and keys,
/// actions in the wrong scope, and keys bound twice within the file.
fn parse_file(source: &Source, problems: &mut Vec<ConfigProblem>) -> Vec<Binding> {
    let table = match source.parse() {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return Vec::new();
        }
    };
    let mut out: Vec<Binding> = Vec::new();
    let mut seen: HashMap<(Scope, Vec<Key>), (usize, Action)> = HashMap::new();
    let mut tables: Vec<_> = table.iter().collect();
    tables.sort_by_key(|(k, _)| k.span().start);
    for (scope_key, scope_value) in tables {
        let Some(scope) = Scope::parse(scope_key.get_ref()) else {
            let names: Vec<_> = Scope::ALL.iter().map(|s| s.name()).collect();
            problems.push(source.problem(
                scope_key.span().start,
                format!(
                    "unknown section [{}], expected one of {}",
                    scope_key.get_ref(),
                    names.join(", ")
                ),
            ));
            continue;
        };
        let Some(entries) = scope_value.get_ref().as_table() else {
            problems.push(source.problem(
                scope_key.span().start,
                format!("[{}] must be a table", scope.name()),
            ));
            continue;
        };
        let mut entries: Vec<_> = entries.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (name, value) in entries {
            let at = name.span().start;
            let line = source.line_of(at);
            let Some(action) = Action::parse(name.get_ref()) else {
                problems.push(source.problem(at, format!("unknown action \"{}\"", name.get_ref())));
                continue;
            };
            if action.def().scope != scope {
                problems.push(source.problem(
                    at,
                    format!(
                        "action \"{}\" belongs in [{}], not [{}]",
                        action.name(),
                        action.def().scope.name(),
                        scope.name()
                    ),
                ));
                continue;
            }
            let names: Vec<(String, usize)> = match value.get_ref() {
                toml::de::DeValue::String(s) => vec![(s.to_string(), value.span().start)],
                toml::de::DeValue::Array(items) => items
                    .iter()
                    .filter_map(|v| {
                        v.get_ref()
                            .as_str()
                            .map(|s| (s.to_string(), v.span().start))
                    })
                    .collect(),
                _ => {
                    problems.push(source.problem(
                        at,
                        format!(
                            "\"{}\" needs a key name or a list of key names",
                            action.name()
                        ),
                    ));
                    continue;
                }
            };
            let mut entry = Vec::new();
            let mut ok = true;
            for (key_name, key_at) in names {
                let keys: Option<Vec<Key>> = key_name.split_whitespace().map(Key::parse).collect();
                match keys {
                    Some(keys) if !keys.is_empty() => {
                        if let Some((first_line, other)) = seen.get(&(scope, keys.clone())) {
                            problems.push(source.problem(
                                key_at,
                                format!(
                                    "duplicate binding \"{key_name}\" in [{}]: already bound to {} on line {first_line}",
                                    scope.name(),
                                    other.name()
                                ),
                            ));
                            ok = false;
                        } else {
                            entry.push(keys);
                        }
                    }
                    _ => {
                        problems.push(
                            source.problem(key_at, format!("unknown key name \"{key_name}\"")),
                        );
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            for keys in entry {
                seen.insert((scope, keys.clone()), (line, action));
                out.push(Binding {
                    keys,
                    action,
                    scope,
                    file: source.file.clone(),
                    line,
                });
            }
        }
    }
    out
}

/// A key bound to two actions: `key "g" is bound to A ([scope], file:line) and B (…); A wins,
/// OUTCOME`.
fn two_actions(wins: &Binding, loses: &Binding, outcome: &str) -> String {
    format!(
        "key \"{}\" is bound to {} ([{}], {}:{}) and {} ([{}], {}:{}); {} wins, {outcome}",
        chord_name(&wins.keys),
        wins.action.name(),
        wins.scope.name(),
        wins.file,
        wins.line,
        loses.action.name(),
        loses.scope.name(),
        loses.file,
        loses.line,
        wins.action.name(),
    )
}

/// Actions of the registry that a keymap leaves without any key (reachable from the palette).
pub fn unbound(keymap: &Keymap) -> Vec<Action> {
    ACTIONS
        .iter()
        .map(|d| d.action)
        .filter(|a| keymap.keys_of(*a).is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(file: &str, text: &str) -> Source {
        Source {
            file: file.into(),
            text: text.into(),
        }
    }

    #[test]
    fn key_names_parse_and_print_back() {
        for name in [
            "j",
            "G",
            "?",
            ":",
            "enter",
            "esc",
            "pgdn",
            "ctrl-s",
            "alt-1",
            "shift-tab",
            "f1",
            "space",
            "-",
            "ctrl--",
        ] {
            let key = Key::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(Key::parse(&key.to_string()), Some(key), "{name}");
        }
        assert_eq!(Key::parse("Esc"), Key::parse("esc"));
        assert_eq!(Key::parse("ctrl-S"), Key::parse("ctrl-s"));
        for bad in ["escc", "hyper-x", "f13", "shift-a", ""] {
            assert_eq!(Key::parse(bad), None, "{bad}");
        }
        let typed = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&typed), Key::plain(KeyCode::Char('G')));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&backtab), Key::plain(KeyCode::BackTab));
    }

    #[test]
    fn each_kind_of_problem_is_reported_with_its_line() {
        let text = "[list]\nselect_next = [\"j\"]\nselect_prev = [\"j\"]\nselect_firts = \"x\"\npage_down = \"ctrl-pgdnn\"\nselect_first = \"g g\"\nselect_last = \"g\"\n[nope]\n";
        let mut problems = Vec::new();
        let keymap = Keymap::load(&src("k.toml", text), None, &mut problems);
        let lines: Vec<_> = problems
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.message.split(' ').next().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (3, "duplicate".into()),
                (4, "unknown".into()),
                (5, "unknown".into()),
                (8, "unknown".into()),
                (6, "key".into()),
            ],
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .all(|p| p.to_string().starts_with("k.toml:"))
        );
        // the good entries stay
        assert_eq!(keymap.keys_of(Action::SelectNext), ["j"]);
        assert!(keymap.keys_of(Action::SelectFirst).is_empty());
    }

    #[test]
    fn overlays_replace_an_actions_keys_and_take_keys_from_others() {
        let base = src(
            "base.toml",
            "[list]\nselect_next = [\"j\", \"down\"]\nselect_prev = \"k\"\n",
        );
        let user = src("user.toml", "[list]\nselect_prev = [\"j\"]\n");
        let mut problems = Vec::new();
        let keymap = Keymap::load(&base, Some(&user), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(keymap.keys_of(Action::SelectPrev), ["j"]);
        assert_eq!(keymap.keys_of(Action::SelectNext), ["down"]);
        // taking an action's only key in its scope is reported, naming both
        let base = src(
            "base.toml",
            "[list]\nselect_next = \"j\"\nselect_prev = \"k\"\n",
        );
        let keymap = Keymap::load(&base, Some(&user), &mut problems);
        assert!(keymap.keys_of(Action::SelectNext).is_empty());
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "user.toml:2: key \"j\" is bound to select_prev ([list], user.toml:2) and select_next ([list], base.toml:2); select_prev wins, select_next has no key left in [list]"
            ]
        );
    }

    #[test]
    fn chords_wait_for_their_second_key() {
        let mut problems = Vec::new();
        let keymap = Keymap::load(
            &src("k.toml", "[list]\nselect_first = \"g g\"\n"),
            None,
            &mut problems,
        );
        let g = Key::plain(KeyCode::Char('g'));
        assert_eq!(keymap.lookup(&[g], &[Scope::List]), Lookup::Pending);
        assert_eq!(
            keymap.lookup(&[g, g], &[Scope::List]),
            Lookup::Action(Action::SelectFirst)
        );
        assert_eq!(keymap.lookup(&[g], &[Scope::Global]), Lookup::Unbound);
    }
}
