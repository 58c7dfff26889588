//! Panes with their own state, update and drawing, hooked into the app and the view.

pub mod bundles;
pub mod merge_view;
