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
//! and everyone else an editor; so too with a roles file that configures no roles (empty, only
//! comments, no `[roles]` table, or one that names nobody and has no `editor` list).

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
    /// No roles configured: the owner of the store directory is admin.
    Owner {
        /// The store directory's owner.
        uid: u32,
        /// The roles file, when there is one that configures no roles.
        empty: Option<PathBuf>,
    },
}

impl Source {
    /// Where the roles came from, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::File(path), Lang::En) => format!("roles from {}", path.display()),
            (Self::File(path), Lang::Zh) => format!("角色见 {}", path.display()),
            (Self::Owner { uid, empty: None }, Lang::En) => {
                format!("no roles file: only the store's owner (uid {uid}) is admin")
            }
            (Self::Owner { uid, empty: None }, Lang::Zh) => {
                format!("没有角色文件：只有库的所有者（uid {uid}）是管理员")
            }
            (
                Self::Owner {
                    uid,
                    empty: Some(path),
                },
                Lang::En,
            ) => format!(
                "{} configures no roles: only the store's owner (uid {uid}) is admin",
                path.display()
            ),
            (
                Self::Owner {
                    uid,
                    empty: Some(path),
                },
                Lang::Zh,
            ) => format!(
                "{} 没有配置角色：只有库的所有者（uid {uid}）是管理员",
                path.display()
            ),
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
#[serde(deny_unknown_fields, expecting = "a table of role lists")]
struct Lists {
    editor: Option<Vec<String>>,
    #[serde(default)]
    reviewer: Vec<String>,
    #[serde(default)]
    admin: Vec<String>,
}

impl Lists {
    /// Whether the lists configure nothing: nobody named and no `editor` list, which would
    /// leave nobody able to publish; such a file counts as no roles file.
    fn configure_nothing(&self) -> bool {
        self.editor.is_none() && self.reviewer.is_empty() && self.admin.is_empty()
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    #[serde(default)]
    roles: Option<Lists>,
}

/// Who holds which role on a store.
#[derive(Debug)]
pub struct Roles {
    source: Source,
    lists: Lists,
}

impl Roles {
    /// The roles for the store in `store_dir`: from `config_dir/roles.toml` if it exists and
    /// configures roles, else the store directory's owner is admin. A roles file that cannot be
    /// read or parsed is an error naming its line and column (a typo must not silently grant
    /// or take away rights).
    pub fn load(config_dir: Option<&Path>, store_dir: &Path) -> Result<Self, StoreError> {
        let mut empty = None;
        if let Some(path) = config_dir.map(|d| d.join(ROLES_FILE))
            && path.exists()
        {
            let text = std::fs::read_to_string(&path).map_err(|source| StoreError::File {
                path: path.clone(),
                source,
            })?;
            match Self::parse(&text, path.clone())? {
                Some(roles) => return Ok(roles),
                None => empty = Some(path),
            }
        }
        let uid = std::fs::metadata(store_dir)
            .map_err(|source| StoreError::Io {
                path: store_dir.to_path_buf(),
                source,
            })?
            .uid();
        Ok(Self {
            source: Source::Owner { uid, empty },
            lists: Lists::default(),
        })
    }

    /// Parses the text of a roles file read from `path`: `None` when it configures no roles
    /// (see [`Roles::load`]); an error naming the line and column of what does not parse.
    pub fn parse(text: &str, path: PathBuf) -> Result<Option<Self>, StoreError> {
        match toml::from_str::<RolesFile>(text) {
            Ok(RolesFile { roles: Some(lists) }) if !lists.configure_nothing() => Ok(Some(Self {
                source: Source::File(path),
                lists,
            })),
            Ok(_) => Ok(None),
            Err(e) => {
                let (line, column) = e
                    .span()
                    .map_or((0, 0), |span| line_column(text, span.start));
                Err(StoreError::Roles {
                    path,
                    line,
                    column,
                    message: e.message().trim_end().to_string(),
                })
            }
        }
    }

    /// Whether `who` holds `role` (a stronger role implies the weaker ones).
    pub fn has(&self, who: &Principal, role: Role) -> bool {
        match &self.source {
            Source::Owner { uid, .. } => role == Role::Editor || who.uid == *uid,
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

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
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
        Roles::parse(text, PathBuf::from("roles.toml"))
            .expect("parse")
            .expect("roles configured")
    }

    #[test]
    fn without_a_file_the_owner_is_admin_and_others_editors() {
        let r = Roles {
            source: Source::Owner {
                uid: 1000,
                empty: None,
            },
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
    fn a_bad_roles_file_is_an_error_naming_its_line_and_column() {
        let path = || PathBuf::from("/c/roles.toml");
        let e = Roles::parse("[roles]\nreviwer = []\n", path()).expect_err("unknown key");
        assert!(e.to_string().contains("/c/roles.toml:2:1: "), "{e}");
        assert!(e.to_string().contains("reviwer"), "{e}");
        let zh = e.describe(Lang::Zh);
        assert!(
            zh.starts_with(
                "角色文件 /c/roles.toml:2:1：未知字段 reviwer（可用：editor、reviewer、admin）"
            ),
            "{zh}"
        );
        // a syntax error, after CJK text on its line: the column counts characters
        let e =
            Roles::parse("# 角色\n[roles]\nadmin = [\"李\" \"王\"]\n", path()).expect_err("syntax");
        assert!(e.to_string().contains("/c/roles.toml:3:"), "{e}");
        let e = Roles::parse("[roles]\nadmin = \"li\"\n", path()).expect_err("type");
        assert!(e.to_string().contains("/c/roles.toml:2:9: "), "{e}");
    }

    #[test]
    fn a_roles_file_that_configures_nothing_counts_as_none() {
        for text in [
            "",
            "\n  \n",
            "# roles come later\n",
            "[roles]\n",
            "[roles]\nadmin = []\n",
        ] {
            let parsed = Roles::parse(text, PathBuf::from("roles.toml")).expect(text);
            assert!(parsed.is_none(), "{text:?}");
        }
        // an explicit editor list, even an empty one, is a choice
        assert!(roles("[roles]\neditor = []\n").lists.editor.is_some());
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        std::fs::create_dir(&config).expect("mkdir");
        std::fs::write(config.join(ROLES_FILE), "").expect("write");
        let loaded = Roles::load(Some(&config), dir.path()).expect("an empty file loads");
        let owner = Principal {
            uid: std::fs::metadata(dir.path()).expect("stat").uid(),
            ..wang()
        };
        assert!(loaded.has(&owner, Role::Admin));
        let other = Principal {
            uid: owner.uid.wrapping_add(1),
            ..wang()
        };
        assert!(loaded.has(&other, Role::Editor) && !loaded.has(&other, Role::Reviewer));
        let said = loaded.source.describe(Lang::En);
        assert!(said.contains("roles.toml configures no roles"), "{said}");
    }
}
