//! Recovery drafts: an edit form with unsaved changes when the TUI is told to stop (SIGTERM,
//! SIGHUP) is written to `draft.json` in the store directory (mode 0600), never into the
//! store. The next start reopens it in the edit form, where `ctrl-s` saves it and `esc`
//! offers to discard it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::workflow;
use crate::model::Kind;

use super::app::{App, Level};
use super::editor::Editor;

/// Name of the draft file in the store directory.
pub use crate::store::DRAFT_FILE;

/// An unsaved edit form.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Kind of the record.
    pub kind: Kind,
    /// Code of the record when the form was opened.
    pub code: String,
    /// `edit`, `add` or `copy`.
    pub action: String,
    /// UTC time the draft was written.
    pub saved: String,
    /// The text of every editable field, by key.
    pub values: BTreeMap<String, String>,
}

/// Where the draft of the store in `store_dir` lives.
pub fn path(store_dir: &Path) -> PathBuf {
    store_dir.join(DRAFT_FILE)
}

/// Writes the editor's unsaved changes as the store's draft. Does nothing if nothing was
/// typed. Called when a signal stops the TUI.
pub fn save(store_dir: &Path, editor: &Editor) -> std::io::Result<()> {
    if !editor.is_dirty() {
        return Ok(());
    }
    let draft = Draft {
        kind: editor.original.kind(),
        code: editor.original.code().to_string(),
        action: editor.action.to_string(),
        saved: crate::store::audit::utc_now(),
        values: editor.values(),
    };
    let text = serde_json::to_string_pretty(&draft).map_err(std::io::Error::other)?;
    crate::io::files::write_private(&path(store_dir), text.as_bytes())
}

/// On start: reopens the store's draft, if there is one, in the edit form and removes the
/// file (the form is written again if the TUI is stopped before it is saved).
pub fn offer(app: &mut App) {
    let lang = app.lang;
    let Some(store) = app.store() else { return };
    let file = path(store.path());
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    let restored = serde_json::from_str::<Draft>(&text)
        .ok()
        .and_then(|draft| editor_of(&draft, store.catalog()).map(|e| (draft, e)));
    let _ = std::fs::remove_file(&file);
    match restored {
        Some((draft, editor)) => {
            app.editor = Some(editor);
            app.say(
                Level::Warn,
                lang.pick(
                    format!(
                        "已恢复 {} 未保存的编辑（{}）：ctrl-s 保存，esc 放弃",
                        crate::display::inert(&draft.code),
                        draft.saved
                    ),
                    format!(
                        "restored the unsaved edit of {} ({}): ctrl-s saves, esc discards",
                        crate::display::inert(&draft.code),
                        draft.saved
                    ),
                ),
            );
        }
        None => app.say(
            Level::Warn,
            lang.pick(
                format!("草稿 {} 无法恢复，已删除", file.display()),
                format!(
                    "the draft {} could not be restored; removed",
                    file.display()
                ),
            ),
        ),
    }
}

/// The edit form a draft describes: the stored record (edit) or a new template (add, copy)
/// with the draft's text.
fn editor_of(draft: &Draft, catalog: &crate::model::Catalog) -> Option<Editor> {
    let (original, action) = match draft.action.as_str() {
        "edit" => (catalog.get(draft.kind, &draft.code)?.to_record(), "edit"),
        "copy" => (workflow::new_record(catalog, draft.kind)?, "copy"),
        _ => (workflow::new_record(catalog, draft.kind)?, "add"),
    };
    let mut editor = Editor::new(original, action);
    for (key, value) in &draft.values {
        editor.set_value(key, value);
    }
    Some(editor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;

    fn catalog() -> Catalog {
        let text = include_str!("../../tests/fixtures/small.json");
        let records =
            crate::io::json::parse_import(text, &Catalog::default(), crate::i18n::Lang::En)
                .expect("fixture");
        Catalog::from_records(records)
    }

    #[test]
    fn a_dirty_form_round_trips_through_a_private_draft_file() {
        use std::os::unix::fs::MetadataExt;
        let c = catalog();
        let dir = tempfile::tempdir().expect("tempdir");
        let item = c.items.values().next().expect("an item");
        let mut editor = Editor::new(crate::model::Record::Item(item.clone()), "edit");
        save(dir.path(), &editor).expect("save");
        assert!(!path(dir.path()).exists(), "a clean form writes no draft");
        editor.set_value("name", "草稿名称");
        save(dir.path(), &editor).expect("save");
        assert_eq!(
            std::fs::metadata(path(dir.path())).expect("stat").mode() & 0o777,
            0o600
        );
        let draft: Draft =
            serde_json::from_str(&std::fs::read_to_string(path(dir.path())).expect("read"))
                .expect("parse");
        let back = editor_of(&draft, &c).expect("restores");
        assert_eq!(back.values(), editor.values());
        assert!(back.is_dirty());
    }
}
