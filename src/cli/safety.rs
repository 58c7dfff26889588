//! `backup`, `restore` and `recover`: getting a store's records out and back in.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

use crate::display::inert;
use crate::i18n::Lang;
use crate::io::progress::{Control, Stop};
use crate::io::{backup, json};
use crate::model::{Catalog, Kind, Record};
use crate::store::audit::{os_user, utc_now};
use crate::store::{Batch, Command, SledStore, Store, UnloadedStore, recover as salvage};

use super::commands::{read_input, write_output_with};
use super::{EXIT_FAILURE, EXIT_INVALID, Failure};

/// `yibiao backup FILE`: the store's records with a metadata header, written atomically with
/// mode 0600 as they are read from the store, without loading the catalog.
pub fn backup(store: &UnloadedStore, file: &Path) -> Result<u8, Failure> {
    let (user, now) = (os_user(), utc_now());
    let mut counts = Vec::new();
    write_output_with(file, |out| {
        counts = backup::write(store, &user, &now, out)?;
        Ok(())
    })?;
    if file != Path::new("-") {
        eprintln_lossy!(
            "backup of {} written to {} ({})",
            store.path().display(),
            file.display(),
            salvage::counts_of(&counts)
        );
    }
    Ok(0)
}

/// A backup file read and checked before the store is opened: a refused restore leaves no
/// store directory behind.
pub struct Backup {
    header: backup::Header,
    records: Vec<Record>,
}

/// Reads `file` as a backup: its header, its digest and its payload's records.
pub fn read_backup(file: &Path) -> Result<Backup, Failure> {
    let bytes = read_input(file)?;
    let (header, payload) = backup::open(&bytes).map_err(|e| Failure {
        code: EXIT_INVALID,
        message: format!("{}: {e}", file.display()),
    })?;
    // the records are decoded from the file's text, which is dropped before they are checked
    // (a gigabyte at a million elements)
    let decoded = json::decode_text(payload, Lang::En, &Control::none());
    let found = match decoded {
        Some(Ok(decoded)) => {
            drop(bytes);
            decoded.check(&Catalog::default(), Lang::En, &Control::none())
        }
        Some(Err(stop)) => Err(stop),
        // not an interchange object: the whole parse says why
        None => json::parse_import(payload, &Catalog::default(), Lang::En).map_err(Stop::Problems),
    };
    let records = found.map_err(Stop::into_problems).map_err(|p| {
        let lines: Vec<String> = p
            .iter()
            .map(|p| format!("{}: {}: {}", file.display(), p.path, p.message))
            .collect();
        Failure {
            code: EXIT_INVALID,
            message: format!(
                "{}\nthe backup's payload does not import; nothing was restored",
                lines.join("\n")
            ),
        }
    })?;
    Ok(Backup { header, records })
}

/// `yibiao restore FILE [--force [--yes]]`: the backup's records into an empty store, or in
/// place of every record with `--force` after confirmation. A store with records and no
/// `--force` is a refused change (exit 1), as is a declined confirmation; `--force` without
/// `--yes` when standard input is not a terminal is a usage error (exit 2).
pub fn restore(
    store: &mut SledStore,
    backup: Backup,
    force: bool,
    yes: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    let Backup { header, records } = backup;
    let existing = store.catalog().len();
    if existing > 0 {
        if !force {
            let path = store.path().display();
            return Err(Failure::new(lang.pick(
                format!(
                    "库 {path} 不是空的（{existing} 条记录）；请恢复到一个空库（`--db 新目录`），或用 `--force` 替换它的全部记录"
                ),
                format!(
                    "store {path} is not empty ({existing} records); restore into an empty store (`--db NEW_DIR`), or replace its records with `--force`"
                ),
            )));
        }
        if !yes && !confirm(store, existing, &header, lang)? {
            return Err(Failure::new(lang.pick(
                "已取消恢复；没有任何改动",
                "restore cancelled; nothing was changed",
            )));
        }
    }
    let keep: BTreeSet<(Kind, String)> = records
        .iter()
        .map(|r| (r.kind(), r.code().to_string()))
        .collect();
    let deletes: Vec<Command> = store
        .catalog()
        .records()
        .filter(|r| !keep.contains(&(r.kind(), r.code().to_string())))
        .map(|r| Command::Delete {
            kind: r.kind(),
            code: r.code().to_string(),
        })
        .collect();
    let mut commands = deletes;
    commands.extend(records.into_iter().map(Command::Upsert));
    let applied = store
        .apply(Batch {
            action: "restore".into(),
            commands,
        })
        .map_err(|e| Failure::store(e, lang))?;
    eprintln_lossy!(
        "restored into {} the backup made {} by {}: {} created, {} updated, {} deleted",
        store.path().display(),
        inert(&header.created),
        inert(&header.user),
        applied.created,
        applied.updated,
        applied.deleted
    );
    Ok(0)
}

/// Asks on the terminal whether to replace the store's records; `--yes` is needed elsewhere.
fn confirm(
    store: &SledStore,
    existing: usize,
    header: &backup::Header,
    lang: Lang,
) -> Result<bool, Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure {
            code: EXIT_INVALID,
            message: lang
                .pick(
                    "--force 会替换库中的全部记录：标准输入不是终端时，请加 --yes 确认",
                    "--force replaces every record of the store: add --yes to confirm when standard input is not a terminal",
                )
                .into(),
        });
    }
    let total: usize = header.counts.values().sum();
    let (path, created, user) = (
        store.path().display(),
        inert(&header.created),
        inert(&header.user),
    );
    eprint_lossy!(
        "{}",
        lang.pick(
            format!(
                "用 {user} 于 {created} 做的备份中的 {total} 条记录替换 {path} 的 {existing} 条记录？输入 yes 确认："
            ),
            format!(
                "replace the {existing} records of {path} with the {total} of the backup made {created} by {user}? type yes: "
            ),
        )
    );
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// `yibiao recover DIR OUT.json`: every record that still decodes, as interchange JSON; exit 1
/// when something was lost.
pub fn recover(dir: &Path, out: &Path, lang: Lang) -> Result<u8, Failure> {
    let found = salvage::recover(dir).map_err(|e| Failure::store(e, lang))?;
    write_output_with(out, |w| json::export_to(&found.catalog, w))?;
    eprintln_lossy!(
        "recovered {} records from {} into {} ({})",
        found.catalog.len(),
        dir.display(),
        out.display(),
        salvage::counts(&found.catalog)
    );
    for line in &found.lost {
        eprintln_lossy!("lost: {}", inert(line));
    }
    for line in &found.problems {
        eprintln_lossy!("problem: {}", inert(line));
    }
    if !found.problems.is_empty() {
        eprintln_lossy!(
            "{} problem(s) among the recovered records (mostly references to lost ones): fix them in {} before `yibiao --db NEW_DIR import {}`",
            found.problems.len(),
            out.display(),
            out.display()
        );
    }
    if found.lost.is_empty() {
        eprintln_lossy!("nothing was lost");
        Ok(0)
    } else {
        eprintln_lossy!(
            "{} record(s) lost; import {} into a new store: `yibiao --db NEW_DIR import {}`",
            found.lost.len(),
            out.display(),
            out.display()
        );
        Ok(EXIT_FAILURE)
    }
}
