//! The `:` command palette: fuzzy search over the registry's action names and doc lines.

use tui_input::Input;

use super::action::{ACTIONS, Action, ActionDef};
use crate::engine::search::{Matcher, Skim};
use crate::i18n::Lang;

/// The palette's state.
#[derive(Default)]
pub struct Palette {
    /// What was typed.
    pub input: Input,
    /// The highlighted result.
    pub selected: usize,
}

impl Palette {
    /// Actions matching the input, best first (registry order when the input is empty).
    pub fn matches(&self, lang: Lang) -> Vec<&'static ActionDef> {
        let query = self.input.value().trim();
        if query.is_empty() {
            return ACTIONS.iter().collect();
        }
        // the engine's matcher: a score that does not depend on the order of the actions
        let matcher = Skim;
        let mut scored: Vec<(i64, usize, &'static ActionDef)> = ACTIONS
            .iter()
            .enumerate()
            .filter_map(|(i, def)| {
                let name = matcher.score(def.name, query).map(|s| s * 2);
                let doc = matcher.score(def.doc(lang), query);
                let other = matcher.score(def.doc(lang.pick(Lang::En, Lang::Zh)), query);
                name.max(doc).max(other).map(|s| (s, i, def))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, d)| d).collect()
    }

    /// Moves the highlight.
    pub fn step(&mut self, forward: bool) {
        self.selected = if forward {
            self.selected.saturating_add(1)
        } else {
            self.selected.saturating_sub(1)
        };
    }

    /// The highlighted action.
    pub fn chosen(&self, lang: Lang) -> Option<Action> {
        let matches = self.matches(lang);
        let i = self.selected.min(matches.len().saturating_sub(1));
        matches.get(i).map(|d| d.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_over_names_and_docs() {
        let mut p = Palette {
            input: Input::new("expall".into()),
            selected: 0,
        };
        assert_eq!(p.chosen(Lang::En), Some(Action::ExpandAll));
        p.input = Input::new("发布".into());
        assert_eq!(p.chosen(Lang::Zh), Some(Action::Publish));
        p.input = Input::new("".into());
        assert_eq!(p.matches(Lang::Zh).len(), ACTIONS.len());
    }
}
