//! Import and export: the JSON interchange format v1, office tables (CSV in UTF-8,
//! GB18030 or Big5, XLSX) and the department → main item → sub-item county catalog.

pub mod backup;
pub mod charset;
pub mod check;
pub mod csv;
pub mod dept_tree;
pub mod files;
pub mod json;
pub mod progress;
pub mod report;
pub mod table;
pub mod transfer;
pub mod xlsx;
