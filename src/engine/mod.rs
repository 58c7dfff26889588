//! Engines: pure functions over the catalog, shared by the TUI and the CLI, tested without a terminal.

pub mod bundle_edit;
pub mod design;
pub mod dups;
pub mod form_filter;
pub mod item_search;
pub mod lint;
pub mod merge;
pub mod one_per_form;
pub mod preview;
pub mod search;
pub mod stats;
pub mod template;
pub mod usage;
pub mod validate;
pub mod workflow;
