//! Two apps on two stores of the sample, one before its catalog is loaded (on demand), one
//! with it loaded: the same keys go to both, and each step must leave the same screen and
//! message, and the stores the same records.

use std::path::PathBuf;
use std::time::Duration;

use yibiao::model::{Kind, Outline};
use yibiao::store::{SledStore, Store};
use yibiao::tui::app::App;
use yibiao::tui::tree::NodeId;

use super::on_demand::*;
use super::{press, screen, type_text};

/// A screen's lines but the status bar's (which says whether the catalog is loaded), each
/// time of the audit log (`2026-11-25T02:05:12Z`) as `<time>`: the twins' stores were
/// written a moment apart.
pub fn timeless(s: &str) -> Vec<String> {
    above_status(s)
        .into_iter()
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            let mut out = String::new();
            let mut i = 0;
            while i < chars.len() {
                let time = chars.get(i..i + 20).is_some_and(|t| {
                    t.iter().enumerate().all(|(at, c)| match at {
                        4 | 7 => *c == '-',
                        10 => *c == 'T',
                        13 | 16 => *c == ':',
                        19 => *c == 'Z',
                        _ => c.is_ascii_digit(),
                    })
                });
                if time {
                    out.push_str("<time>");
                    i += 20;
                } else {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            out
        })
        .collect()
}

/// Two apps on two stores of the sample with its caches: one on demand, one with the
/// catalog loaded.
pub struct Twins {
    /// The app on demand.
    pub on_demand: App,
    /// The app with the catalog loaded.
    pub loaded: App,
    /// Their stores.
    pub paths: [PathBuf; 2],
    _dirs: [tempfile::TempDir; 2],
}

impl Twins {
    pub fn new() -> Twins {
        let (mut on_demand, path, dir) = starting_on_demand_with_caches();
        opened(&mut on_demand, &path);
        let (loaded, loaded_path, loaded_dir) = loaded_with_caches();
        Twins {
            on_demand,
            loaded,
            paths: [path, loaded_path],
            _dirs: [dir, loaded_dir],
        }
    }

    /// Does `act` in both apps; the one on demand still waits for its catalog, and both
    /// show the same screen (but the status bar, which says whether the catalog is loaded)
    /// and the same message.
    pub fn act(&mut self, what: &str, act: impl Fn(&mut App)) {
        for app in [&mut self.on_demand, &mut self.loaded] {
            act(app);
            app.settle(Duration::from_secs(20));
        }
        let app = &mut self.on_demand;
        assert!(deferred(app), "{what}: {}", message(app));
        assert_eq!(message(app), message(&self.loaded), "{what}");
        let shown = timeless(&screen(app, 120, 40));
        let loaded = timeless(&screen(&mut self.loaded, 120, 40));
        assert_eq!(shown, loaded, "{what}");
    }

    /// Presses the key of each action named in both apps.
    pub fn press(&mut self, actions: &[&str]) {
        for name in actions {
            self.act(name, |app| press(app, name));
        }
    }

    /// Types `text` in both apps.
    pub fn type_text(&mut self, text: &str) {
        self.act(text, |app| type_text(app, text));
    }

    /// Presses enter in both apps.
    pub fn enter(&mut self) {
        self.act("enter", enter);
    }

    /// Selects the record with `code` in pane 1 of both apps, through the filter.
    pub fn select(&mut self, kind: Kind, code: &str) {
        self.act(code, |app| {
            press(app, "filter");
            key_ctrl(app, 'u');
            type_text(app, code);
            enter(app);
        });
        let selected = Some(NodeId::Record(kind, code.to_string()));
        assert_eq!(self.on_demand.selected_id(), selected);
    }

    /// The message of the app on demand.
    pub fn said(&self) -> String {
        message(&self.on_demand)
    }

    /// Closes both apps and asserts their stores hold the same records (the one written on
    /// demand with its outline the catalog's), each sound.
    pub fn stores_agree(self) -> yibiao::model::Catalog {
        drop(self.on_demand);
        drop(self.loaded);
        let [on_demand, loaded] = self
            .paths
            .clone()
            .map(|p| SledStore::open(&p).expect("open"));
        let catalog = on_demand.catalog().clone();
        let records = |c: &yibiao::model::Catalog| -> Vec<yibiao::model::Record> {
            c.records().map(|r| r.to_record()).collect()
        };
        assert!(
            records(&catalog) == records(loaded.catalog()),
            "the stores differ"
        );
        for store in [&on_demand, &loaded] {
            assert_eq!(store.check().expect("check"), Vec::<String>::new());
        }
        drop(on_demand);
        let unloaded = SledStore::open_unloaded(&self.paths[0]).expect("open");
        assert_eq!(unloaded.outline(), Some(Outline::of(&catalog)));
        catalog
    }
}
