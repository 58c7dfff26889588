//! What each subcommand does: open the store, call the engine, print.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::json;

use crate::engine::{dups, search, stats, usage, validate};
use crate::i18n::Lang;
use crate::io::json;
use crate::model::{Bundle, Catalog, Element, ElementKind, Form, Kind, Record, RecordRef};
use crate::store::{Batch, IfMissing, LoggedEntry, SledStore, Store, StoreError, UnloadedStore};

use super::{
    BundleCommand, Cli, Command, ConfigCommand, EXIT_FAILURE, EXIT_INVALID, ElementCommand,
    Failure, FormCommand, TemplateCommand,
};
use super::{office, output};

/// Runs the parsed command line; returns the exit code.
pub fn dispatch(cli: Cli, lang: Lang) -> Result<u8, Failure> {
    let flags = crate::tui::ConfigFlags {
        keymap: cli.keymap,
        theme: cli.theme,
        ascii: cli.ascii,
    };
    let Some(command) = cli.command else {
        // the TUI creates a new store, and offers the sample in it
        let store = super::lock_store(cli.db, IfMissing::Create, lang)?;
        let options = crate::tui::Options { lang, flags };
        return crate::tui::run(store, options)
            .map(|()| 0)
            .map_err(|e| Failure::new(format!("{e:#}")));
    };
    if let Command::Validate { kind, values, json } = &command
        && let Some(kind) = ElementKind::parse(kind)
        && !kind.has_options()
        && kind != ElementKind::Pattern
    {
        return validate_values(
            values,
            json,
            lang,
            |v| validate::normalize_kind(kind, v).map(|kept| kept.into_owned()),
            |_| None,
        );
    }
    if let Command::Config(ConfigCommand::Check) = command {
        let (problems, text) = crate::tui::config::check_report(&flags, lang);
        print_out(&text)?;
        return Ok(if problems.is_empty() { 0 } else { EXIT_FAILURE });
    }
    match &command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                *shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "yibiao",
                &mut out,
            );
            return print_out(&String::from_utf8_lossy(&out));
        }
        Command::Man { dir } => return man(dir.as_deref()),
        // before the store is opened: a damaged store does not open
        Command::Recover { dir, out } => return super::safety::recover(dir, out, lang),
        _ => {}
    }
    if let Command::Element(ElementCommand::Search { query, limit, json }) = &command {
        return element_search(cli.db, query, *limit, *json, lang);
    }
    if let Command::Log { code, json } = &command {
        return log(cli.db, code.as_deref(), *json, lang);
    }
    // a merge of elements over the records near them, when the store can answer it so
    if let Command::Element(ElementCommand::Merge { merge, into, force }) = &command
        && let Some(code) = super::element_merge::merge_near(&cli.db, merge, into, *force, lang)?
    {
        return Ok(code);
    }
    // a claim of a template, so too
    if let Command::Template(TemplateCommand::Claim { code, new_code }) = &command
        && let Some(code) = super::template::claim_near(&cli.db, code, new_code, lang)?
    {
        return Ok(code);
    }
    if let Some(code) = answer_unloaded(&cli.db, &command, lang)? {
        return Ok(code);
    }
    // the backup is read and checked first: a refused restore creates no store
    let backup = match &command {
        Command::Restore { file, .. } => Some(super::safety::read_backup(file)?),
        _ => None,
    };
    // so is an import into a store not created yet: a missing or invalid file creates none
    let checked = match import_request(&command) {
        Some(request)
            if command.if_missing() == IfMissing::Create && !has_store(&cli.db, lang)? =>
        {
            let parsed = office::check_for_new_store(&request, lang)?;
            Some((request, parsed))
        }
        _ => None,
    };
    let fills = matches!(
        command,
        Command::Sample { .. } | Command::Import { .. } | Command::Restore { .. }
    );
    let unloaded = super::open_unloaded(cli.db, command.if_missing(), lang)?;
    // an import into a store that has one is checked against the records it touches and
    // written near them when they can answer for it; else it goes on over the catalog
    let (unloaded, near_checked) = match (import_request(&command), &checked) {
        (Some(request), None) => match office::import_near(unloaded, request, lang)? {
            office::NearImported::Done(code) => return Ok(code),
            office::NearImported::Load(load) => {
                let (unloaded, request, parsed) = *load;
                (unloaded, Some((request, parsed)))
            }
        },
        _ => (unloaded, None),
    };
    let mut store = unloaded.load().map_err(|e| Failure::store(e, lang))?;
    let result = match (backup, checked, near_checked, command) {
        (Some(backup), _, _, Command::Restore { force, yes, .. }) => {
            super::safety::restore(&mut store, backup, force, yes, lang)
        }
        // checked against an empty catalog: still right unless another yibiao filled the
        // store meanwhile, when the file is read again against what it holds
        (_, Some((request, parsed)), _, _) if store.catalog().is_empty() => {
            office::import(&mut store, request, Some(parsed), lang)
        }
        // checked against the store's records, under the lock it holds (or not read yet)
        (_, _, Some((request, parsed)), _) => office::import(&mut store, request, parsed, lang),
        (_, _, _, command) => on_store(&mut store, command, lang),
    };
    // a command that changed the store leaves its outline for the TUI's first frame; one
    // that filled it, the search index too, so that pane 2 can search a big store before
    // its catalog is loaded (see `tui::loading`)
    if store.changed_since_open() > 0 {
        store.save_outline();
        if fills {
            let search = store.snapshot().search();
            if let Some(at) = search.cacheable_at {
                store.save_search(&search.data, at);
            }
            stats_kept(&mut store);
            lint_kept(&mut store);
        }
    }
    store.close_for_exit();
    result
}

/// Whether the store directory (`--db`, else the default) holds a store already; a
/// directory holding other files is refused as opening it would be.
fn has_store(db: &Option<std::path::PathBuf>, lang: Lang) -> Result<bool, Failure> {
    let dir = super::store_dir(db.clone())?;
    match crate::store::inspect(&dir) {
        Ok(found) => Ok(found == crate::store::Found::Store),
        Err(e) => Err(Failure::store(e, lang)),
    }
}

/// The import an `import` command asks for (the command line's face of the request the TUI's
/// dialog makes too).
fn import_request(command: &Command) -> Option<crate::io::transfer::ImportRequest> {
    match command {
        Command::Import {
            file,
            dry_run,
            kind,
            encoding,
            format,
        } => Some(crate::io::transfer::ImportRequest {
            file: file.clone(),
            dry_run: *dry_run,
            kind: kind.clone(),
            encoding: *encoding,
            format: *format,
            caller: crate::io::transfer::Caller::Cli,
        }),
        _ => None,
    }
}

/// `element search`: reads the stored search rows without loading the catalog (a store
/// written before the search tree existed is loaded once to build it).
fn element_search(
    db: Option<std::path::PathBuf>,
    query: &str,
    limit: usize,
    json: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    let query = search::Query::parse(query).map_err(|e| Failure {
        code: EXIT_INVALID,
        message: e.describe(lang),
    })?;
    let dir = super::store_dir(db)?;
    let index = match SledStore::cached_search(&dir).map_err(|e| Failure::store(e, lang))? {
        Some(data) => search::SearchIndex::from_data(data),
        None => {
            let unloaded = super::open_unloaded(Some(dir), IfMissing::Refuse, lang)?;
            match unloaded
                .search_data()
                .map_err(|e| Failure::store(e, lang))?
            {
                Some(data) => {
                    unloaded.close_for_exit();
                    search::SearchIndex::from_data(data)
                }
                None => {
                    let store = unloaded.load().map_err(|e| Failure::store(e, lang))?;
                    let index = search::SearchIndex::build(store.catalog());
                    store.close_for_exit();
                    index
                }
            }
        }
    };
    let hits = search::search(&index, &query, limit);
    print_out(&if json {
        pretty(&hits)
    } else {
        output::hits(&hits)
    })
}

/// Prints one element (`element show`).
fn show_element(element: &Element, uses: usize, json: bool, lang: Lang) -> Result<u8, Failure> {
    if json {
        let mut value = json::record_json(RecordRef::Element(element));
        value["uses"] = json!(uses);
        print_out(&pretty(&value))
    } else {
        print_out(&output::element(element, uses, lang))
    }
}

/// Prints one form (`form show`), with its item's name when it has an item.
fn show_form(form: &Form, item_name: Option<&str>, json: bool, lang: Lang) -> Result<u8, Failure> {
    if json {
        print_out(&pretty(&json::record_json(RecordRef::Form(form))))
    } else {
        print_out(&output::form(form, item_name, lang))
    }
}

/// `element show`, `element uses`, `form show`, `validate` against an element and `bundle
/// list` answered from the records they read, without loading the catalog (a million
/// elements load in seconds; one record reads in a moment). `None`: the command is not one
/// of them, or the store cannot answer it this way (a store older than the search tree,
/// which holds an element's use count; a store without its cached element links; a
/// `validate` kind that is no element's code, which the loaded catalog words the message
/// for): then it runs on the loaded store.
fn answer_unloaded(
    db: &Option<std::path::PathBuf>,
    command: &Command,
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    if !matches!(
        command,
        Command::Element(
            ElementCommand::Show { .. } | ElementCommand::Uses { .. } | ElementCommand::Dups { .. }
        ) | Command::Form(FormCommand::Show { .. })
            | Command::Validate { .. }
            | Command::Bundle(BundleCommand::List { .. })
            | Command::Stats { .. }
            | Command::Form(FormCommand::List { .. })
            | Command::Backup { .. }
            | Command::Export { .. }
            | Command::Merge { .. }
            | Command::Form(FormCommand::Lint { .. })
            | Command::Template(TemplateCommand::List { .. } | TemplateCommand::Compare { .. })
            | Command::Form(FormCommand::Export { .. })
            | Command::Check
    ) {
        return Ok(None);
    }
    let store = super::open_unloaded(db.clone(), IfMissing::Refuse, lang)?;
    match answer_from_records(&store, command, lang) {
        Ok(None) => {
            // closed for the loaded store to open: its lock and database released
            drop(store);
            Ok(None)
        }
        answered => {
            store.close_for_exit();
            answered
        }
    }
}

/// See [`answer_unloaded`].
fn answer_from_records(
    store: &UnloadedStore,
    command: &Command,
    lang: Lang,
) -> Result<Option<u8>, Failure> {
    let read = |kind, code: &str| {
        store
            .record(kind, code)
            .map_err(|e| Failure::store(e, lang))
    };
    match command {
        Command::Element(ElementCommand::Show { code, json }) => {
            let Some(Record::Element(element)) = read(Kind::Element, code)? else {
                return Err(unknown(Kind::Element, code, lang));
            };
            let row = store
                .search_row(code)
                .map_err(|e| Failure::store(e, lang))?;
            row.map(|row| show_element(&element, row.uses as usize, *json, lang))
                .transpose()
        }
        Command::Element(ElementCommand::Uses { code, json }) => {
            let (Some(links), Some(outline)) = (store.element_links(), store.outline()) else {
                return Ok(None);
            };
            let near = store
                .element_uses(code, &links, &outline)
                .map_err(|e| Failure::store(e, lang))?;
            near.map(|near| print_usage(&near, code, *json, lang))
                .transpose()
        }
        // read an element, then a form, at a time; the text names the elements it lists
        Command::Element(ElementCommand::Dups { json }) => {
            let failed = |e| Failure::store(e, lang);
            let found = (store.reader())
                .duplicates(dups::PAIRS_KEPT)
                .map_err(failed)?;
            if *json {
                return print_out(&pretty(&found)).map(Some);
            }
            let named = found.elements_named().map(|c| (Kind::Element, c));
            let named: Vec<(Kind, &str)> = named.collect();
            let near = store.records_as_catalog(&named).map_err(failed)?;
            print_out(&output::dups(&near, &found, lang)).map(Some)
        }
        // read a record at a time; a search tree of an older layout is built by loading
        Command::Check => {
            let checked = store.check().map_err(|e| Failure::store(e, lang))?;
            checked
                .map(|c| answer_check(&c.problems, c.records, lang))
                .transpose()
        }
        // the statistics the last command or session that counted them left beside the store,
        // else counted from the records (and left there)
        Command::Stats {
            json,
            export,
            encoding,
        } => {
            let stats = match store.stats() {
                Some(stats) => Some(stats),
                None => {
                    let counted = store.count_stats().map_err(|e| Failure::store(e, lang))?;
                    if let Some(stats) = &counted {
                        store.save_stats(stats);
                    }
                    counted
                }
            };
            stats
                .map(|s| answer_stats(&s, *json, export.as_deref(), *encoding, lang))
                .transpose()
        }
        // written as the records are read from the store
        Command::Backup { file } => super::safety::backup(store, file).map(Some),
        // on the records the merge reads, with the pool's covers read an element at a time
        Command::Merge { .. } => {
            let (Some(request), Some(outline)) =
                (super::merge::Request::of(command), store.outline())
            else {
                return Ok(None);
            };
            // the counts of every answer set suggest nothing: no pool
            let near = store
                .bundle_neighbourhood(&request.bundle, &outline, !request.all_answers)
                .map_err(|e| Failure::store(e, lang))?;
            let Some((mut near, pool)) = near else {
                return Err(unknown(Kind::Bundle, &request.bundle, lang));
            };
            // the forms it fills are checked as their previews check values
            if request.distribute.is_some() {
                let Some(links) = store.element_links() else {
                    return Ok(None);
                };
                store
                    .add_element_children(&mut near, &links)
                    .map_err(|e| Failure::store(e, lang))?;
            }
            super::merge::run(&near, pool.as_ref(), &request, lang).map(Some)
        }
        // every format is written from the records read one at a time (an XLSX workbook
        // holds its sheets, but never the catalog)
        Command::Export {
            file,
            kind,
            encoding,
            format,
            headers,
        } => {
            let request = crate::io::transfer::ExportRequest {
                file: file.clone(),
                kind: kind.clone(),
                encoding: *encoding,
                format: format.map(Into::into),
                headers: *headers,
                caller: crate::io::transfer::Caller::Cli,
            };
            office::export(store, request, lang).map(Some)
        }
        Command::Template(TemplateCommand::List { json }) => {
            super::template::list(store, *json, lang).map(Some)
        }
        // an entry beside its template, on the records comparing reads (by `outline.idx`)
        Command::Template(TemplateCommand::Compare { code, json }) => {
            let Some(outline) = store.outline() else {
                return Ok(None);
            };
            let near = store
                .template_neighbourhood(code, &outline)
                .map_err(|e| Failure::store(e, lang))?;
            super::template::compare(&near.unwrap_or_default(), code, *json, lang).map(Some)
        }
        // a blank form needs the form, the elements it binds and those under them
        Command::Form(FormCommand::Export { code, file }) => {
            let Some(links) = store.element_links() else {
                return Ok(None);
            };
            let near = store
                .neighbourhood(Kind::Form, code, &[])
                .map_err(|e| Failure::store(e, lang))?;
            let Some(mut near) = near else {
                return Err(unknown(Kind::Form, code, lang));
            };
            store
                .add_element_children(&mut near, &links)
                .map_err(|e| Failure::store(e, lang))?;
            super::forms::export(&near, code, file, lang).map(Some)
        }
        // one form, on the records linting it reads, the pool read an element at a time
        Command::Form(FormCommand::Lint {
            code: Some(code),
            json,
        }) => {
            let Some(outline) = store.outline() else {
                return Ok(None);
            };
            let near = store
                .form_neighbourhood(code, &outline)
                .map_err(|e| Failure::store(e, lang))?;
            let Some((near, pool)) = near else {
                return Err(unknown(Kind::Form, code, lang));
            };
            super::forms::lint(&near, Some(&pool), Some(code), *json, lang).map(Some)
        }
        // the forms as the outline lists them, with the lint counts the last count left
        // the lint counts, when they are not cached, counted a form at a time and cached
        Command::Form(FormCommand::List { query, json }) => {
            let Some(outline) = store.outline() else {
                return Ok(None);
            };
            let warned = match store.lint_counts() {
                Some(warned) => warned,
                None => {
                    let mut warned = crate::engine::lint::LintCounts::new();
                    store
                        .reader()
                        .lint_forms(&mut |form, found| {
                            if !found.is_empty() {
                                warned.insert(form.code.to_string(), found.len());
                            }
                        })
                        .map_err(|e| Failure::store(e, lang))?;
                    store.save_lint(&warned);
                    warned
                }
            };
            super::forms::list(&outline, &warned, query, *json, lang).map(Some)
        }
        // every form, linted a form at a time
        Command::Form(FormCommand::Lint { code: None, json }) => {
            super::forms::lint_read(&store.reader(), *json, lang).map(Some)
        }
        Command::Form(FormCommand::Show { code, json }) => {
            let Some(Record::Form(form)) = read(Kind::Form, code)? else {
                return Err(unknown(Kind::Form, code, lang));
            };
            let item = match form.item.as_deref() {
                Some(code) => match read(Kind::Item, code)? {
                    Some(Record::Item(item)) => Some(item.name),
                    _ => None,
                },
                None => None,
            };
            show_form(&form, item.as_deref(), *json, lang).map(Some)
        }
        Command::Validate { kind, values, json } => {
            let Some(Record::Element(element)) = read(Kind::Element, kind)? else {
                return Ok(None);
            };
            validate_values(
                values,
                json,
                lang,
                |v| validate::normalize_element(&element, v).map(|kept| kept.into_owned()),
                |v| validate::cascade_levels_left(&element, v).filter(|n| *n > 0),
            )
            .map(Some)
        }
        Command::Bundle(BundleCommand::List { json }) => {
            let bundles: Vec<Bundle> = store
                .records_of(Kind::Bundle)
                .map_err(|e| Failure::store(e, lang))?
                .into_iter()
                .filter_map(|record| match record {
                    Record::Bundle(bundle) => Some(bundle),
                    _ => None,
                })
                .collect();
            list_bundles(&bundles, *json, lang).map(Some)
        }
        _ => Ok(None),
    }
}

/// Prints where the element `code` is used (`element uses`), from a catalog that holds it
/// and everything that uses it.
fn print_usage(catalog: &Catalog, code: &str, json: bool, lang: Lang) -> Result<u8, Failure> {
    let used = usage::usage(catalog, code);
    print_out(&if json {
        pretty(&used)
    } else {
        output::usage(catalog, &used, lang)
    })
}

/// Prints every bundle (`bundle list`), in code order.
fn list_bundles(bundles: &[Bundle], json: bool, lang: Lang) -> Result<u8, Failure> {
    if json {
        let list: Vec<_> = bundles
            .iter()
            .map(|b| {
                json!({"code": b.code, "name": b.name, "items": b.items.len(),
                       "questions": b.questions.len(), "status": b.status.as_str(),
                       "version": b.version})
            })
            .collect();
        print_out(&pretty(&list))
    } else {
        print_out(&output::bundles(bundles, lang))
    }
}

/// `log`: the audit log, read without loading the catalog and printed as it is read (a
/// million records' log is a million entries, 626 MiB when they were held to be printed):
/// read once for the text's column width (and whether a record has any entry), then again
/// to print it.
fn log(
    db: Option<std::path::PathBuf>,
    code: Option<&str>,
    json: bool,
    lang: Lang,
) -> Result<u8, Failure> {
    let store = super::open_unloaded(db, IfMissing::Refuse, lang)?;
    let failed = |e| Failure::store(e, lang);
    let (mut count, mut action_w) = (0usize, 0);
    if !json || code.is_some() {
        let action = |e: &LoggedEntry| output::log_action_width(std::iter::once(&*e.entry.action));
        store
            .each_logged(code, |e| {
                count += 1;
                action_w = action_w.max(action(&e));
                Ok::<(), StoreError>(())
            })
            .map_err(failed)?;
    }
    // a record with no history yet is fine; a code that names nothing is a typo
    if let Some(code) = code
        && count == 0
    {
        let mut found = false;
        for kind in Kind::ALL {
            found = found || store.record(kind, code).map_err(failed)?.is_some();
        }
        if !found {
            let code = crate::display::inert(code);
            return Err(Failure::new(lang.pick(
                format!("没有编码为 {code} 的记录，也没有它的历史"),
                format!("no record {code}, and no history of one"),
            )));
        }
    }
    let mut unreadable = None;
    let printed = print_out_with(|out| {
        let printed = if json {
            print_log_json(&store, code, out)
        } else {
            store.each_logged(code, |e| {
                let line = output::log_line(&e, action_w);
                out.write_all(line.as_bytes()).map_err(LogStop::Out)
            })
        };
        match printed {
            Err(LogStop::Out(e)) => Err(e),
            Err(LogStop::Store(e)) => {
                unreadable = Some(e);
                Ok(())
            }
            Ok(()) => Ok(()),
        }
    });
    store.close_for_exit();
    match unreadable {
        Some(e) => Err(failed(e)),
        None => printed,
    }
}

/// What stops `log` printing: the store (an entry that cannot be read), or standard output.
enum LogStop {
    Store(StoreError),
    Out(std::io::Error),
}

impl From<StoreError> for LogStop {
    fn from(e: StoreError) -> Self {
        LogStop::Store(e)
    }
}

/// Prints the audit log's entries (or one record's) as `log --json` does: the bytes
/// [`pretty`] makes of the whole list, an entry at a time.
fn print_log_json(
    store: &UnloadedStore,
    code: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), LogStop> {
    use serde::ser::{SerializeSeq, Serializer};
    let json_failed = |e: serde_json::Error| LogStop::Out(e.into());
    let mut json = serde_json::Serializer::pretty(&mut *out);
    let mut list = (&mut json).serialize_seq(None).map_err(json_failed)?;
    store.each_logged(code, |e| list.serialize_element(&e).map_err(json_failed))?;
    list.end().map_err(json_failed)?;
    out.write_all(b"\n").map_err(LogStop::Out)
}

/// Runs a command that needs the loaded store.
fn on_store(store: &mut SledStore, command: Command, lang: Lang) -> Result<u8, Failure> {
    if let Some(request) = import_request(&command) {
        return office::import(store, request, None, lang);
    }
    match command {
        // answered in `dispatch` (a restore once its backup is read)
        Command::Completions { .. }
        | Command::Man { .. }
        | Command::Recover { .. }
        | Command::Restore { .. }
        // an import is answered above
        | Command::Import { .. }
        // answered in `answer_unloaded`
        | Command::Element(ElementCommand::Dups { .. })
        | Command::Backup { .. }
        | Command::Export { .. } => Ok(0),
        // a kind and an element's code were answered in `dispatch`: this one names neither,
        // and the loaded catalog says whether it looks like an element's code
        Command::Validate { kind, .. } => Err(unknown_validate_kind(store.catalog(), &kind, lang)),
        Command::Element(ElementCommand::Merge { merge, into, force }) => {
            let batch = dups::merge_batch(store.catalog(), &into, &merge, force)
                .map_err(|e| Failure::new(e.message(lang)))?;
            let fields = usage::usage(store.catalog(), &merge).fields.len();
            store.apply(batch).map_err(|e| Failure::store(e, lang))?;
            let said = super::element_merge::merged(&merge, &into, fields, lang);
            eprintln_lossy!("{said}");
            Ok(0)
        }
        Command::Sample { scale } => sample(store, scale, lang),
        Command::Stats {
            json,
            export,
            encoding,
        } => {
            // neither the cache nor the outline and element links to count from the records
            // were there: counted from the catalog
            let s = stats_kept(store);
            answer_stats(&s, json, export.as_deref(), encoding, lang)
        }
        // answered above from the search rows
        Command::Element(ElementCommand::Search { .. }) => Ok(0),
        Command::Element(ElementCommand::Show { code, json }) => {
            let catalog = store.catalog();
            let element = catalog
                .elements
                .get(code.as_str())
                .ok_or_else(|| unknown(Kind::Element, &code, lang))?;
            show_element(element, search::uses(catalog, &code), json, lang)
        }
        Command::Element(ElementCommand::Uses { code, json }) => {
            let catalog = store.catalog();
            if !catalog.elements.contains_key(code.as_str()) {
                return Err(unknown(Kind::Element, &code, lang));
            }
            print_usage(catalog, &code, json, lang)
        }
        // answered in `dispatch`, from the records read without loading the catalog
        Command::Form(FormCommand::Show { .. }) => Ok(0),
        Command::Form(FormCommand::List { query, json }) => {
            // the lint counts were not cached (or the outline): counted from the catalog
            let warned = lint_kept(store);
            super::forms::list(store.catalog(), &warned, &query, json, lang)
        }
        Command::Form(FormCommand::Lint { code, json }) => {
            super::forms::lint(store.catalog(), None, code.as_deref(), json, lang)
        }
        Command::Form(FormCommand::Export { code, file }) => {
            super::forms::export(store.catalog(), &code, &file, lang)
        }
        Command::Template(command) => super::template::run(store, command, lang),
        // answered in `dispatch`, from the bundles read without loading the catalog
        Command::Bundle(BundleCommand::List { .. }) => Ok(0),
        Command::Merge { .. } => match super::merge::Request::of(&command) {
            Some(request) => super::merge::run(store.catalog(), None, &request, lang),
            None => Ok(0),
        },
        Command::Check => {
            let problems = store.check().map_err(|e| Failure::store(e, lang))?;
            answer_check(&problems, store.catalog().len(), lang)
        }
        Command::Config(ConfigCommand::Check) => Ok(0),
        // answered in `dispatch`, without loading the catalog
        Command::Log { .. } => Ok(0),
    }
}

/// Prints what `check` found of a store of `records` records: its `problems` and how many
/// (exit 1), or that it is sound.
fn answer_check(problems: &[String], records: usize, lang: Lang) -> Result<u8, Failure> {
    if problems.is_empty() {
        return print_out(&lang.pick(
            format!("检查通过：{records} 条记录，索引一致\n"),
            format!("ok: {records} records, indexes consistent\n"),
        ));
    }
    let mut text: String = problems.iter().map(|p| format!("{p}\n")).collect();
    text.push_str(&lang.pick(
        format!("发现 {} 个问题\n", problems.len()),
        format!("{} problem(s)\n", problems.len()),
    ));
    print_out(&text)?;
    Ok(EXIT_FAILURE)
}

/// The store's statistics: cached, else counted from its catalog and left cached for the
/// next `stats` and pane 5.
fn stats_kept(store: &mut SledStore) -> stats::Stats {
    let read = store.snapshot().stats();
    if let Some(at) = read.cacheable_at {
        store.save_stats(&read.data, at);
    }
    read.data
}

/// How many lint warnings each form has: cached, else counted from the store's catalog and
/// left cached for the next `form list` and pane 3.
fn lint_kept(store: &mut SledStore) -> crate::engine::lint::LintCounts {
    let read = store.snapshot().lint();
    if let Some(at) = read.cacheable_at {
        store.save_lint(&read.data, at);
    }
    read.data
}

/// Prints or exports the statistics as `stats` asks.
fn answer_stats(
    s: &stats::Stats,
    json: bool,
    export: Option<&std::path::Path>,
    encoding: Option<crate::io::csv::Encoding>,
    lang: Lang,
) -> Result<u8, Failure> {
    if let Some(path) = export {
        return export_stats(s, path, encoding, lang);
    }
    print_out(&if json {
        pretty(s)
    } else {
        output::stats(s, lang)
    })
}

fn export_stats(
    s: &stats::Stats,
    path: &Path,
    encoding: Option<crate::io::csv::Encoding>,
    lang: Lang,
) -> Result<u8, Failure> {
    let tables = crate::io::report::tables(s, lang);
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx && encoding.is_some() {
        return Err(Failure {
            code: EXIT_INVALID,
            message: lang
                .pick(
                    "--encoding 只用于 CSV 目录导出",
                    "--encoding applies to a CSV directory export only",
                )
                .into(),
        });
    }
    if is_xlsx {
        let bytes = crate::io::report::xlsx(&tables, lang).map_err(Failure::new)?;
        write_output(path, &bytes)?;
    } else if path.to_string_lossy().ends_with('/') || path.is_dir() {
        let encoding = encoding.unwrap_or(crate::io::csv::Encoding::Utf8);
        // every file is encoded before any is written: a character Big5 lacks writes none
        let mut files = Vec::with_capacity(tables.len());
        for t in &tables {
            let file = path.join(format!("{}.csv", t.name.replace('/', "-")));
            let bytes = crate::io::csv::encode(&t.to_csv(), encoding).map_err(|e| Failure {
                code: EXIT_INVALID,
                message: e.describe(&crate::display::inert(&file.display().to_string()), lang),
            })?;
            files.push((file, bytes));
        }
        std::fs::create_dir_all(path)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", path.display())))?;
        for (file, bytes) in &files {
            write_output(file, bytes)?;
        }
    } else {
        return Err(Failure {
            code: EXIT_INVALID,
            message: lang.pick(
                format!(
                    "{}：统计导出须为 .xlsx 文件或以 / 结尾的目录",
                    path.display()
                ),
                format!(
                    "{}: export statistics to a .xlsx file or a directory ending in /",
                    path.display()
                ),
            ),
        });
    }
    eprintln_lossy!(
        "{}",
        lang.pick(
            format!("已导出 {} 张统计表到 {}", tables.len(), path.display()),
            format!("wrote {} tables to {}", tables.len(), path.display()),
        )
    );
    Ok(0)
}

/// The EXIT STATUS section of the manual page (roff), as the README documents the codes.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
0
success
.TP
1
a failure or problems found (check, form lint, an unknown code, a refused change, a file that cannot be written)
.TP
2
invalid input, nothing written (an input file that is missing, unreadable or does not parse, import problems, usage errors)
.TP
3
the store is in use by another yibiao
"#;

/// The top manual page: clap's sections, then EXIT STATUS, then the version.
fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    out.extend_from_slice(EXIT_STATUS.as_bytes());
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// `yibiao man [--dir DIR]`: the top page on standard output, or every page (the top one
/// and one per subcommand, which it refers to) written into DIR.
fn man(dir: Option<&Path>) -> Result<u8, Failure> {
    // no `help` subcommand page: `yibiao help` is `--help`
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = dir else {
        return print_out(&String::from_utf8_lossy(&man_page(cmd)?));
    };
    let fail = |e: std::io::Error| {
        let why = crate::io::files::file_hint(&e, &dir.join("yibiao.1"), Lang::En);
        Failure::new(format!("cannot write {}: {why}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    clap_mangen::generate_to(cmd.clone(), dir).map_err(fail)?;
    std::fs::write(dir.join("yibiao.1"), man_page(cmd)?).map_err(fail)?;
    eprintln!("manual pages written to {}", dir.display());
    Ok(0)
}

/// `validate KIND` where `KIND` is neither a kind nor an element code: "no element …"
/// when it is spelled like the store's element codes (exit 1, as for any unknown code),
/// else "neither a kind … nor an element code" (exit 2, a usage error).
fn unknown_validate_kind(catalog: &crate::model::Catalog, kind: &str, lang: Lang) -> Failure {
    let kinds = ElementKind::ALL
        .iter()
        .filter(|k| !k.has_options() && **k != ElementKind::Pattern)
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let shown = crate::display::inert(kind);
    if dups::CodeShapes::new(catalog).is_code(kind) {
        return Failure::new(lang.pick(
            format!("没有数据元 {shown}（KIND 应为数据元类型 {kinds}，或已有数据元的编码）"),
            format!("no element {shown} (KIND is a kind: {kinds}, or an existing element code)"),
        ));
    }
    Failure {
        code: EXIT_INVALID,
        message: lang.pick(
            format!("{shown} 既不是无需选项的数据元类型（{kinds}），也不是数据元编码"),
            format!(
                "{shown} is neither a kind that needs no options ({kinds}) nor an element code"
            ),
        ),
    }
}

/// Validates each value (or each stdin line for `-`), prints the verdicts, exit 0 iff all valid.
/// `levels_left` says how many levels a valid cascade path stops above its last (as the form
/// preview says it): valid, but not finished.
fn validate_values(
    values: &[String],
    json: &bool,
    lang: Lang,
    check: impl Fn(&str) -> Result<String, validate::Rejection>,
    levels_left: impl Fn(&str) -> Option<usize>,
) -> Result<u8, Failure> {
    let mut inputs = Vec::new();
    for value in values {
        if value == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            inputs.extend(text.lines().map(str::to_string));
        } else {
            inputs.push(value.clone());
        }
    }
    if inputs.is_empty() {
        return Err(Failure {
            code: EXIT_INVALID,
            message: lang.pick(
                "没有要检查的值（标准输入为空）".to_string(),
                "no values to validate (standard input was empty)".to_string(),
            ),
        });
    }
    // each value with the spelling it is kept in (valid) or the reason (not valid)
    let verdicts: Vec<(String, Result<String, String>, Option<usize>)> = inputs
        .into_iter()
        .map(|v| {
            let verdict = check(&v).map_err(|r| r.message(lang));
            let left = verdict.is_ok().then(|| levels_left(&v)).flatten();
            (v, verdict, left)
        })
        .collect();
    let all_valid = verdicts.iter().all(|(_, r, _)| r.is_ok());
    let text = if *json {
        let list: Vec<_> = verdicts
            .iter()
            .map(|(value, verdict, left)| {
                json!({
                    "value": value,
                    "valid": verdict.is_ok(),
                    "reason": verdict.as_ref().err(),
                    "normalized": verdict.as_ref().ok(),
                    "levels_left": left,
                })
            })
            .collect();
        pretty(&list)
    } else {
        let inert = |s: &str| crate::display::inert(s).into_owned();
        verdicts
            .iter()
            .map(|(value, verdict, left)| {
                let note = left
                    .map(|n| format!("  ({})", validate::levels_left_message(n, lang)))
                    .unwrap_or_default();
                match verdict {
                    Ok(kept) if kept != value => {
                        format!("✓ {} → {}{note}\n", inert(value), inert(kept))
                    }
                    Ok(_) => format!("✓ {}{note}\n", inert(value)),
                    Err(r) => format!("✗ {}  {}\n", inert(value), r),
                }
            })
            .collect()
    };
    print_out(&text)?;
    Ok(if all_valid { 0 } else { EXIT_FAILURE })
}

fn sample(store: &mut impl Store, scale: u32, lang: Lang) -> Result<u8, Failure> {
    let records = crate::sample::generate(scale).into_records();
    let applied = store
        .apply(Batch::upserts("sample", records))
        .map_err(|e| Failure::store(e, lang))?;
    eprintln_lossy!(
        "sample ×{scale}: {} created, {} updated",
        applied.created,
        applied.updated
    );
    Ok(0)
}

/// `unknown element CODE` / `未知数据元 CODE` (exit 1).
pub(super) fn unknown(kind: Kind, code: &str, lang: Lang) -> Failure {
    let code = crate::display::inert(code);
    Failure::new(lang.pick(
        format!("未知{} {code}", kind.zh()),
        format!("unknown {} {code}", kind.as_str()),
    ))
}

/// Pretty JSON with a final newline.
pub(super) fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Prints to stdout; a closed pipe is not an error.
pub(super) fn print_out(text: &str) -> Result<u8, Failure> {
    print_out_with(|out| out.write_all(text.as_bytes()))
}

/// Writes to standard output what `write` makes, as it makes it (through a buffer), so a
/// large output is never held whole; its bytes as they are (a GB18030 CSV stays GB18030).
pub(super) fn print_out_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<u8, Failure> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        // a closed pipe (`| head`) is not an error worth reporting
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

/// Reads an input file (`-`: standard input); one that cannot be read is invalid input
/// (exit 2), like one that does not parse.
pub(super) fn read_input(file: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let read = if file == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    read.map_err(|e| Failure {
        code: EXIT_INVALID,
        message: format!(
            "cannot read {}: {}",
            file.display(),
            crate::io::files::file_hint(&e, file, Lang::En)
        ),
    })?;
    Ok(bytes)
}

/// Writes a file atomically (temporary file, fsync, rename), or to stdout for `-`.
pub(super) fn write_output(file: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_output_with(file, |out| out.write_all(bytes))
}

/// As [`write_output`], the contents written by `write` as they are made: neither a file
/// nor standard output holds them in memory whole.
pub(super) fn write_output_with(
    file: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    if file == Path::new("-") {
        return print_out_with(write).map(|_| ());
    }
    crate::io::files::write_private_with(file, write).map_err(|e| {
        Failure::new(format!(
            "cannot write {}: {}",
            file.display(),
            crate::io::files::file_hint(&e, file, Lang::En)
        ))
    })
}
