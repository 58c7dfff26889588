//! Configuration: the shipped keymaps and themes (embedded), the user's overlays from the
//! config dir or `--keymap` / `--theme`, and every problem found, as `file:line: message`.
//! A bad entry is reported and skipped; the defaults stay in force for it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::keymap::Keymap;
use super::loading::CatalogLoad;
use super::theme::Theme;
use crate::i18n::Lang;

/// Shipped keymaps: (preset name, file name as reported, text).
pub const KEYMAPS: &[(&str, &str, &str)] = &[
    (
        "default",
        "keymaps/default.toml",
        include_str!("../../keymaps/default.toml"),
    ),
    (
        "vim",
        "keymaps/vim.toml",
        include_str!("../../keymaps/vim.toml"),
    ),
];

/// Shipped themes: (preset name, file name as reported, text).
pub const THEMES: &[(&str, &str, &str)] = &[
    (
        "default",
        "themes/default.toml",
        include_str!("../../themes/default.toml"),
    ),
    (
        "light",
        "themes/light.toml",
        include_str!("../../themes/light.toml"),
    ),
    (
        "ansi16",
        "themes/ansi16.toml",
        include_str!("../../themes/ansi16.toml"),
    ),
];

/// One problem in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The file as the user knows it (`keymaps/vim.toml`, `/home/u/.config/yibiao/keymap.toml`).
    pub file: String,
    /// 1-based line; 0 for the file as a whole (it cannot be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// A configuration text and the name problems are reported under.
#[derive(Clone, Debug)]
pub struct Source {
    /// Reported file name.
    pub file: String,
    /// The TOML text.
    pub text: String,
}

impl Source {
    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// A problem at a byte offset.
    pub fn problem(&self, offset: usize, message: String) -> ConfigProblem {
        ConfigProblem {
            file: self.file.clone(),
            line: self.line_of(offset),
            message,
        }
    }

    /// Parses the text as a TOML table, reporting a syntax error as a problem.
    pub fn parse(&self) -> Result<toml::de::DeTable<'_>, ConfigProblem> {
        toml::de::DeTable::parse(&self.text)
            .map(toml::Spanned::into_inner)
            .map_err(|e| {
                let offset = e.span().map_or(0, |s| s.start);
                self.problem(offset, e.message().to_string())
            })
    }
}

/// What the command line asks of the configuration.
#[derive(Clone, Debug, Default)]
pub struct ConfigFlags {
    /// `--keymap FILE` (or a preset name), instead of the config dir's `keymap.toml`.
    pub keymap: Option<PathBuf>,
    /// `--theme FILE` (or a preset name), instead of the config dir's `theme.toml`.
    pub theme: Option<PathBuf>,
    /// `--ascii`: ASCII borders whatever the config says.
    pub ascii: bool,
}

/// The loaded configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Key bindings.
    pub keymap: Keymap,
    /// Styles.
    pub theme: Theme,
    /// Draw borders with `+-|` (terminals that draw box characters wide).
    pub ascii: bool,
    /// Automatic backups kept in the store's `backups/` (`auto_backups` in config.toml; 0: none).
    pub auto_backups: usize,
    /// How long a lone ESC waits for the rest of a key sequence before it is the Esc key
    /// (`escape_timeout_ms` in config.toml).
    pub escape_timeout: Duration,
    /// When the catalog is loaded (`load_catalog` in config.toml: `auto`, `at-start`,
    /// `on-demand`).
    pub load_catalog: CatalogLoad,
    /// Every problem found, in file order.
    pub problems: Vec<ConfigProblem>,
}

/// The user's configuration directory (`~/.config/yibiao`), if there is a home.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "yibiao").map(|d| d.config_dir().to_path_buf())
}

/// Reads an optional file; a missing file is not a problem, an unreadable one is.
fn read_optional(path: &Path, problems: &mut Vec<ConfigProblem>) -> Option<Source> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(Source {
            file: path.display().to_string(),
            text,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(ConfigProblem {
                file: path.display().to_string(),
                line: 0,
                message: e.to_string(),
            });
            None
        }
    }
}

/// A file a flag names (`presets`: the names it could have meant): it must be readable.
fn read_required(
    path: &Path,
    presets: &[(&str, &str, &str)],
    problems: &mut Vec<ConfigProblem>,
) -> Option<Source> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(Source {
            file: path.display().to_string(),
            text,
        }),
        Err(e) => {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                let names: Vec<&str> = presets.iter().map(|p| p.0).collect();
                format!(
                    "no such file, and not a preset (presets: {})",
                    names.join(", ")
                )
            } else {
                e.to_string()
            };
            problems.push(ConfigProblem {
                file: path.display().to_string(),
                line: 0,
                message,
            });
            None
        }
    }
}

/// The longest escape timeout accepted: beyond it a lone Esc would feel broken.
const MAX_ESCAPE_TIMEOUT_MS: usize = 1000;

/// `config.toml` settings: preset names and the border set.
#[derive(Default)]
struct Settings {
    keymap: Option<String>,
    theme: Option<String>,
    ascii: bool,
    auto_backups: Option<usize>,
    escape_timeout: Option<Duration>,
    load_catalog: CatalogLoad,
}

/// A TOML integer that is 0 or more (any radix, `_` separators).
fn unsigned(value: &toml::de::DeValue<'_>) -> Option<usize> {
    let i = value.as_integer()?;
    usize::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
}

fn read_settings(source: &Source, problems: &mut Vec<ConfigProblem>) -> Settings {
    let mut settings = Settings::default();
    let table = match source.parse() {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return settings;
        }
    };
    for (key, value) in &table {
        let at = key.span().start;
        let preset = |presets: &[(&str, &str, &str)], problems: &mut Vec<ConfigProblem>| match value
            .get_ref()
            .as_str()
        {
            Some(name) if presets.iter().any(|p| p.0 == name) => Some(name.to_string()),
            _ => {
                let names: Vec<_> = presets.iter().map(|p| p.0).collect();
                problems.push(source.problem(
                    value.span().start,
                    format!("unknown preset, expected one of {}", names.join(", ")),
                ));
                None
            }
        };
        match key.get_ref().as_ref() {
            "keymap" => settings.keymap = preset(KEYMAPS, problems),
            "theme" => settings.theme = preset(THEMES, problems),
            "ascii_borders" => match value.get_ref().as_bool() {
                Some(b) => settings.ascii = b,
                None => {
                    problems.push(source.problem(at, "ascii_borders must be true or false".into()))
                }
            },
            "auto_backups" => match unsigned(value.get_ref()) {
                Some(n) => settings.auto_backups = Some(n),
                _ => problems
                    .push(source.problem(at, "auto_backups must be a number, 0 or more".into())),
            },
            "escape_timeout_ms" => match unsigned(value.get_ref()) {
                Some(ms) if ms <= MAX_ESCAPE_TIMEOUT_MS => {
                    settings.escape_timeout = Some(Duration::from_millis(ms as u64))
                }
                _ => problems.push(source.problem(
                    at,
                    format!("escape_timeout_ms must be a number from 0 to {MAX_ESCAPE_TIMEOUT_MS}"),
                )),
            },
            "load_catalog" => match value.get_ref().as_str().and_then(CatalogLoad::from_name) {
                Some(when) => settings.load_catalog = when,
                None => problems.push(source.problem(
                    at,
                    "load_catalog must be \"auto\", \"at-start\" or \"on-demand\"".into(),
                )),
            },
            other => problems.push(source.problem(at, format!("unknown setting \"{other}\""))),
        }
    }
    settings
}

/// Loads the configuration: presets chosen in `config.toml` (or by a flag naming a preset),
/// overlaid by `keymap.toml` / `theme.toml` from `dir` or the flags' files.
pub fn load(dir: Option<&Path>, flags: &ConfigFlags, no_color: bool) -> Config {
    let mut problems = Vec::new();
    let settings = dir
        .and_then(|d| read_optional(&d.join("config.toml"), &mut problems))
        .map(|s| read_settings(&s, &mut problems))
        .unwrap_or_default();
    let pick = |flag: &Option<PathBuf>,
                file: &str,
                chosen: &Option<String>,
                presets: &'static [(&'static str, &'static str, &'static str)],
                problems: &mut Vec<ConfigProblem>| {
        let mut preset = chosen.clone();
        let overlay = match flag {
            Some(path) => match presets.iter().find(|p| Path::new(p.0) == path.as_path()) {
                Some(p) if !path.exists() => {
                    preset = Some(p.0.to_string());
                    None
                }
                _ => read_required(path, presets, problems),
            },
            None => dir.and_then(|d| read_optional(&d.join(file), problems)),
        };
        let base = presets
            .iter()
            .find(|p| Some(p.0) == preset.as_deref())
            .unwrap_or(&presets[0]);
        let base = Source {
            file: base.1.to_string(),
            text: base.2.to_string(),
        };
        (base, overlay)
    };
    let (keymap_base, keymap_overlay) = pick(
        &flags.keymap,
        "keymap.toml",
        &settings.keymap,
        KEYMAPS,
        &mut problems,
    );
    let (theme_base, theme_overlay) = pick(
        &flags.theme,
        "theme.toml",
        &settings.theme,
        THEMES,
        &mut problems,
    );
    if let Some(d) = dir {
        let files = crate::io::files::config_files(d);
        problems.extend(
            crate::io::files::writable_by_others(&files)
                .into_iter()
                .map(|(file, message)| ConfigProblem {
                    file: file.display().to_string(),
                    line: 1,
                    message,
                }),
        );
    }
    let keymap = Keymap::load(&keymap_base, keymap_overlay.as_ref(), &mut problems);
    let mut theme = Theme::load(&theme_base, theme_overlay.as_ref(), &mut problems);
    if no_color {
        theme = theme.without_colors();
    }
    Config {
        keymap,
        theme,
        ascii: flags.ascii || settings.ascii,
        auto_backups: settings
            .auto_backups
            .unwrap_or(crate::io::backup::DEFAULT_KEEP),
        escape_timeout: settings
            .escape_timeout
            .unwrap_or(super::input::DEFAULT_ESCAPE_TIMEOUT),
        load_catalog: settings.load_catalog,
        problems,
    }
}

/// Whether the environment asks for no colour: NO_COLOR is set and not empty (per
/// no-color.org), or TERM names a terminal that cannot show colour ([`term_lacks_colour`]).
pub fn no_color_from_env() -> bool {
    no_color_wanted(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// [`no_color_from_env`] on the values of NO_COLOR and TERM.
pub fn no_color_wanted(no_color: Option<&std::ffi::OsStr>, term: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_some_and(|v| !v.is_empty())
        || term
            .and_then(std::ffi::OsStr::to_str)
            .is_some_and(term_lacks_colour)
}

/// Whether a TERM value names a terminal without colour. Conservative: only names whose
/// terminfo entries have no colours by convention: `dumb`, `vt100`, `vt102`, and the
/// monochrome variants ending in `-mono` or `-m` (`xterm-mono`, `ansi-m`). An unset, unknown
/// or colour-capable TERM keeps the colours.
pub fn term_lacks_colour(term: &str) -> bool {
    let term = term.trim().to_ascii_lowercase();
    matches!(term.as_str(), "dumb" | "vt100" | "vt102")
        || term.ends_with("-mono")
        || term.ends_with("-m")
}

/// `yibiao config check`: every problem as `file:line: message`, or an all-clear line.
pub fn check_report(flags: &ConfigFlags, lang: Lang) -> (Vec<ConfigProblem>, String) {
    let dir = config_dir();
    let config = load(dir.as_deref(), flags, false);
    let text = if config.problems.is_empty() {
        lang.pick("配置检查通过\n", "configuration ok\n")
            .to_string()
    } else {
        let mut text: String = config.problems.iter().map(|p| format!("{p}\n")).collect();
        text.push_str(&lang.pick(
            format!(
                "发现 {} 个配置问题（这些条目已忽略，沿用默认值）\n",
                config.problems.len()
            ),
            format!(
                "{} configuration problem(s) (those entries are ignored; defaults apply)\n",
                config.problems.len()
            ),
        ));
        text
    };
    (config.problems, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn monochrome_terminals_get_no_colour() {
        for term in [
            "xterm-mono",
            "ansi-m",
            "dumb",
            "vt100",
            "VT102",
            "screen-mono",
        ] {
            assert!(term_lacks_colour(term), "{term}");
        }
        for term in [
            "xterm-256color",
            "xterm",
            "screen",
            "linux",
            "vt220",
            "tmux-256color",
            "",
        ] {
            assert!(!term_lacks_colour(term), "{term}");
        }
        let os = |s: &'static str| Some(OsStr::new(s));
        assert!(no_color_wanted(None, os("xterm-mono")));
        assert!(no_color_wanted(os("1"), os("xterm-256color")));
        assert!(!no_color_wanted(os(""), os("xterm-256color")));
        assert!(!no_color_wanted(None, None));
    }
}
