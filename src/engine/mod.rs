//! Engines: pure functions over the catalog, shared by the TUI and the CLI.

pub mod search;
pub mod stats;
pub mod workflow;
