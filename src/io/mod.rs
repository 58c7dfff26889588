//! Import and export: the JSON interchange format v1.

pub mod json;
