//! The audit log: one entry per changed record, written in the same transaction.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::model::Kind;

/// What happened to a record.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditOp {
    /// The record did not exist before.
    Create,
    /// The record changed.
    Update,
    /// The record was removed.
    Delete,
}

/// An audit action as the UI names it: in Chinese, the known actions by what they did
/// (`bundle_lead` → 牵头部门); in English, and for an action it does not know, the stored
/// name itself.
pub fn action_label(action: &str, lang: Lang) -> &str {
    if lang == Lang::En {
        return action;
    }
    match action {
        "add" => "新增",
        "edit" => "修改",
        "copy" => "复制",
        "delete" => "删除",
        "import" => "导入",
        "sample" => "示例数据",
        "claim" => "认领",
        "restore" => "恢复备份",
        "submit" => "提交",
        "publish" => "发布",
        "return" => "退回",
        "status" => "改状态",
        "merge" => "合并数据元",
        "merge_accept" => "接受合并建议",
        "merge_resolve" => "处理合并冲突",
        "bundle_edit" => "编辑主题",
        "bundle_rename" => "主题改名",
        "bundle_lead" => "牵头部门",
        "bundle_add_question" => "新增判断项",
        "bundle_edit_question" => "修改判断项",
        "bundle_remove_question" => "删除判断项",
        "bundle_move_question" => "移动判断项",
        "bundle_add_items" => "加入事项",
        "bundle_remove_item" => "移出事项",
        "bundle_move_item" => "移动事项",
        "bundle_condition" => "事项条件",
        "bundle_add_material" => "新增材料行",
        "bundle_remove_material" => "删除材料行",
        "bundle_material_condition" => "材料条件",
        "bundle_materials" => "主题材料",
        other => other,
    }
}

/// One audit record.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// UTC time, RFC 3339 (`2026-11-22T03:55:12Z`).
    pub time: String,
    /// OS user of the real uid.
    pub user: String,
    /// The action that caused the change (`import`, `sample`, `edit`, ...).
    pub action: String,
    /// Kind of the record.
    pub kind: Kind,
    /// Code of the record.
    pub code: String,
    /// What happened.
    pub op: AuditOp,
    /// Digest of the record before the change ([`record_digest`]); `None` when it did not
    /// exist, or for entries written before digests were recorded.
    pub before: Option<String>,
    /// Digest of the record after the change; `None` when it was removed, or for entries
    /// written before digests were recorded.
    pub after: Option<String>,
}

/// One write's audit entries, stored under one key (the number of its first entry): the
/// time, user and action they share, and one change per record, in the write's order. One
/// key per write instead of one per record keeps sled's page table small (a million records
/// imported were a million audit keys).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditBlock {
    /// UTC time, RFC 3339.
    pub time: String,
    /// OS user of the real uid.
    pub user: String,
    /// The action that caused the changes.
    pub action: String,
    /// What happened to each record.
    pub changes: Vec<AuditChange>,
}

/// What one write did to one record (an [`AuditEntry`] without what its block shares).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditChange {
    /// Kind of the record.
    pub kind: Kind,
    /// Code of the record.
    pub code: String,
    /// What happened.
    pub op: AuditOp,
    /// Digest of the record before the change (see [`AuditEntry::before`]).
    pub before: Option<String>,
    /// Digest of the record after the change (see [`AuditEntry::after`]).
    pub after: Option<String>,
}

impl AuditBlock {
    /// The block's entries, each with the time, user and action of the block.
    pub fn into_entries(self) -> Vec<AuditEntry> {
        let AuditBlock {
            time,
            user,
            action,
            changes,
        } = self;
        changes
            .into_iter()
            .map(|c| AuditEntry {
                time: time.clone(),
                user: user.clone(),
                action: action.clone(),
                kind: c.kind,
                code: c.code,
                op: c.op,
                before: c.before,
                after: c.after,
            })
            .collect()
    }
}

/// The audit entry layout of schema version 1, without digests. Frozen: never edit it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuditEntryV1 {
    pub(crate) time: String,
    pub(crate) user: String,
    pub(crate) action: String,
    pub(crate) kind: Kind,
    pub(crate) code: String,
    pub(crate) op: AuditOp,
}

impl AuditEntryV1 {
    /// Upgrades to the current layout: the digests are unknown.
    pub(crate) fn upgrade(self) -> AuditEntry {
        AuditEntry {
            time: self.time,
            user: self.user,
            action: self.action,
            kind: self.kind,
            code: self.code,
            op: self.op,
            before: None,
            after: None,
        }
    }
}

/// The first 16 hex digits of the SHA-256 of a record's encoded bytes: enough to tell two
/// versions of a record apart in the audit log, short enough to read.
pub fn record_digest(encoded: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(encoded);
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// An audit entry with its position in the log.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LoggedEntry {
    /// Monotonic sequence number (not contiguous).
    pub seq: u64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// The OS user behind the real uid, or `uid N` when it has no passwd entry.
pub fn os_user() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// Now, in UTC, as RFC 3339 with seconds.
pub fn utc_now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod label_tests {
    use super::*;
    use crate::engine::bundle_edit::BundleEdit;

    #[test]
    fn every_bundle_edit_and_the_common_actions_read_in_chinese() {
        for edit in BundleEdit::ALL {
            let action = edit.audit_action();
            let zh = action_label(action, Lang::Zh);
            assert!(!zh.is_ascii(), "{action} has no Chinese label");
            assert_eq!(action_label(action, Lang::En), action);
        }
        assert_eq!(action_label("import", Lang::Zh), "导入");
        // an action it does not know is shown as stored
        assert_eq!(action_label("future_thing", Lang::Zh), "future_thing");
    }
}
