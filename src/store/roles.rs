//! Roles: who may change a store, and who may return or publish records.
//!
//! A roles file (`roles.toml` in the config directory) maps OS users and groups to roles:
//!
//! ```toml
//! [roles]
//! admin = ["li"]
//! reviewer = ["wang", "@reviewers"]
//! editor = ["@staff"]
//! ```
//!
//! `admin` implies `reviewer`, which implies `editor`. Without an `editor` list everyone is an
//! editor. Every change needs `editor`; a change that sets a record's status to `published` or
//! `returned` needs `reviewer`. Without a roles file the owner of the store directory is admin
//! and everyone else an editor.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::i18n::Lang;
use crate::model::{Kind, RecordRef, Status};

use super::error::StoreError;

/// Name of the roles file in the config directory.
pub const ROLES_FILE: &str = "roles.toml";

/// A role, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May change records, but not return or publish them.
    Editor,
    /// May also return and publish.
    Reviewer,
    /// Every right.
    Admin,
}

impl Role {
    /// The role's name in the roles file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }
}

/// The OS identity a change is made by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user name of the real uid (or `uid N`).
    pub user: String,
    /// The real uid.
    pub uid: u32,
    /// Names of the user's groups.
    pub groups: Vec<String>,
}

impl Principal {
    /// The user behind the process's real uid, with its groups.
    pub fn current() -> Self {
        use nix::unistd::{Group, User, getgid, getgroups, getuid};
        let uid = getuid();
        let user = User::from_uid(uid).ok().flatten();
        let name = user
            .as_ref()
            .map_or_else(|| format!("uid {uid}"), |u| u.name.clone());
        let mut gids = getgroups().unwrap_or_default();
        gids.push(getgid());
        if let Some(u) = &user {
            gids.push(u.gid);
        }
        let mut groups: Vec<String> = gids
            .into_iter()
            .filter_map(|g| Group::from_gid(g).ok().flatten())
            .map(|g| g.name)
            .collect();
        groups.sort();
        groups.dedup();
        Self {
            user: name,
            uid: uid.as_raw(),
            groups,
        }
    }
}

/// Where the roles came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A roles file.
    File(PathBuf),
    /// No roles file: the owner of the store directory is admin.
    Owner {
        /// The store directory's owner.
        uid: u32,
    },
}

impl Source {
    /// Where the roles came from, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::File(path), Lang::En) => format!("roles from {}", path.display()),
            (Self::File(path), Lang::Zh) => format!("角色见 {}", path.display()),
            (Self::Owner { uid }, Lang::En) => {
                format!("no roles file: only the store's owner (uid {uid}) is admin")
            }
            (Self::Owner { uid }, Lang::Zh) => {
                format!("没有角色文件：只有库的所有者（uid {uid}）是管理员")
            }
        }
    }
}

/// What a role is needed for: a verb on a record (`publish item SX001`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deed {
    /// `publish`, `return` or `change` (see [`role_for`]).
    pub verb: &'static str,
    /// The record's kind.
    pub kind: Kind,
    /// The record's code.
    pub code: String,
}

impl Deed {
    /// `publish item SX001` (en) or `发布事项 SX001` (zh).
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("{} {} {}", self.verb, self.kind.as_str(), self.code),
            Lang::Zh => {
                let verb = match self.verb {
                    "publish" => "发布",
                    "return" => "退回",
                    _ => "修改",
                };
                format!("{verb}{} {}", self.kind.zh(), self.code)
            }
        }
    }
}

/// The role lists of a roles file.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct Lists {
    editor: Option<Vec<String>>,
    #[serde(default)]
    reviewer: Vec<String>,
    #[serde(default)]
    admin: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    roles: Lists,
}

/// Who holds which role on a store.
#[derive(Debug)]
pub struct Roles {
    source: Source,
    lists: Lists,
}

impl Roles {
    /// The roles for the store in `store_dir`: from `config_dir/roles.toml` if it exists, else
    /// the store directory's owner is admin. A roles file that cannot be read is an error
    /// (a typo must not silently grant or take away rights).
    pub fn load(config_dir: Option<&Path>, store_dir: &Path) -> Result<Self, StoreError> {
        if let Some(path) = config_dir.map(|d| d.join(ROLES_FILE))
            && path.exists()
        {
            let text = std::fs::read_to_string(&path).map_err(|source| StoreError::File {
                path: path.clone(),
                source,
            })?;
            return Self::parse(&text, path);
        }
        let uid = std::fs::metadata(store_dir)
            .map_err(|source| StoreError::Io {
                path: store_dir.to_path_buf(),
                source,
            })?
            .uid();
        Ok(Self {
            source: Source::Owner { uid },
            lists: Lists::default(),
        })
    }

    /// Parses the text of a roles file read from `path`.
    pub fn parse(text: &str, path: PathBuf) -> Result<Self, StoreError> {
        match toml::from_str::<RolesFile>(text) {
            Ok(file) => Ok(Self {
                source: Source::File(path),
                lists: file.roles,
            }),
            Err(e) => Err(StoreError::Roles {
                path,
                message: e.message().to_string(),
            }),
        }
    }

    /// Whether `who` holds `role` (a stronger role implies the weaker ones).
    pub fn has(&self, who: &Principal, role: Role) -> bool {
        match &self.source {
            Source::Owner { uid } => role == Role::Editor || who.uid == *uid,
            Source::File(_) => {
                let listed = |list: &[String]| {
                    list.iter().any(|entry| match entry.strip_prefix('@') {
                        Some(group) => who.groups.iter().any(|g| g == group),
                        None => *entry == who.user,
                    })
                };
                let admin = listed(&self.lists.admin);
                let reviewer = admin || listed(&self.lists.reviewer);
                match role {
                    Role::Admin => admin,
                    Role::Reviewer => reviewer,
                    Role::Editor => reviewer || self.lists.editor.as_deref().is_none_or(listed),
                }
            }
        }
    }

    /// `Ok` if `who` holds `role`, else the refusal naming the user, the role and what
    /// needed it (`publish item SX001`).
    pub fn require(&self, who: &Principal, role: Role, deed: Deed) -> Result<(), StoreError> {
        if self.has(who, role) {
            return Ok(());
        }
        Err(StoreError::Forbidden {
            user: who.user.clone(),
            role: role.as_str(),
            deed,
            roles: self.source.clone(),
        })
    }
}

/// The role a change from `old` to `new` needs: reviewer to set the status to published or
/// returned, editor otherwise.
pub fn role_for(old: Option<RecordRef<'_>>, new: Option<RecordRef<'_>>) -> (Role, &'static str) {
    let status = |r: Option<RecordRef<'_>>| r.and_then(status_of);
    match status(new) {
        Some(s @ (Status::Published | Status::Returned)) if status(old) != Some(s) => {
            let verb = if s == Status::Published {
                "publish"
            } else {
                "return"
            };
            (Role::Reviewer, verb)
        }
        _ => (Role::Editor, "change"),
    }
}

/// The workflow status of records that have one.
fn status_of(record: RecordRef<'_>) -> Option<Status> {
    match record {
        RecordRef::Item(r) => Some(r.status),
        RecordRef::Element(r) => Some(r.status),
        RecordRef::Form(r) => Some(r.status),
        RecordRef::Bundle(r) => Some(r.status),
        RecordRef::Region(_) | RecordRef::Agency(_) | RecordRef::Material(_) => None,
    }
}

/// The platform config directory (`~/.config/yibiao` on Linux), where `roles.toml` lives.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "yibiao").map(|d| d.config_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wang() -> Principal {
        Principal {
            user: "wang".into(),
            uid: 1001,
            groups: vec!["staff".into()],
        }
    }

    fn roles(text: &str) -> Roles {
        Roles::parse(text, PathBuf::from("roles.toml")).expect("parse")
    }

    #[test]
    fn without_a_file_the_owner_is_admin_and_others_editors() {
        let r = Roles {
            source: Source::Owner { uid: 1000 },
            lists: Lists::default(),
        };
        let li = Principal {
            uid: 1000,
            ..wang()
        };
        assert!(r.has(&li, Role::Admin));
        assert!(r.has(&wang(), Role::Editor));
        assert!(!r.has(&wang(), Role::Reviewer));
    }

    #[test]
    fn users_and_groups_map_to_roles_and_admin_implies_all() {
        let r = roles("[roles]\nreviewer = [\"@staff\"]\nadmin = [\"li\"]\neditor = [\"zhao\"]\n");
        assert!(r.has(&wang(), Role::Reviewer));
        assert!(r.has(&wang(), Role::Editor));
        assert!(!r.has(&wang(), Role::Admin));
        let li = Principal {
            user: "li".into(),
            groups: vec![],
            ..wang()
        };
        assert!(r.has(&li, Role::Admin) && r.has(&li, Role::Reviewer) && r.has(&li, Role::Editor));
        let sun = Principal {
            user: "sun".into(),
            groups: vec![],
            ..wang()
        };
        assert!(!r.has(&sun, Role::Editor));
    }

    #[test]
    fn the_refusal_names_the_user_and_the_missing_role() {
        let r = roles("[roles]\nreviewer = [\"li\"]\n");
        assert!(
            r.has(&wang(), Role::Editor),
            "no editor list: everyone edits"
        );
        let deed = Deed {
            verb: "publish",
            kind: Kind::Item,
            code: "SX001".into(),
        };
        let e = r
            .require(&wang(), Role::Reviewer, deed)
            .expect_err("refused");
        let text = e.to_string();
        assert_eq!(e.describe(Lang::En), text);
        assert!(text.contains("wang"), "{text}");
        assert!(text.contains("reviewer"), "{text}");
        assert!(text.contains("publish item SX001"), "{text}");
        assert!(text.contains("ask an admin"), "{text}");
        let zh = e.describe(Lang::Zh);
        assert!(
            zh.contains("用户 wang") && zh.contains("发布事项 SX001"),
            "{zh}"
        );
        assert!(zh.contains("reviewer") && zh.contains("请管理员"), "{zh}");
        assert!(zh.contains("角色见 roles.toml"), "{zh}");
    }

    #[test]
    fn a_bad_roles_file_is_an_error_naming_it() {
        let e = Roles::parse("[roles]\nreviwer = []\n", PathBuf::from("/c/roles.toml"))
            .expect_err("unknown key");
        assert!(e.to_string().contains("/c/roles.toml"), "{e}");
    }
}
