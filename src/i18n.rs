//! UI language selection: zh-CN or en, from `--lang` or the locale.

use serde::{Deserialize, Serialize};

/// The UI language.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 简体中文
    #[default]
    Zh,
    /// English (domain terms stay Chinese)
    En,
}

impl Lang {
    /// Picks the language from LC_ALL, LC_MESSAGES, LANG and LANGUAGE: Chinese when the first
    /// one that is set starts with `zh`, English otherwise.
    pub fn from_env() -> Lang {
        Self::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// As `from_env`, reading variables through `get` (testable).
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"]
            .into_iter()
            .filter_map(&get)
            .find(|v| !v.is_empty())
            .map_or(Lang::En, |v| {
                if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
    }

    /// Chooses between a Chinese and an English text.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_decides_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "zh_CN.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "en_US.UTF-8")])),
            Lang::En
        );
        // LC_ALL wins over LANG
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_locale_vars(env(&[])), Lang::En);
    }
}
