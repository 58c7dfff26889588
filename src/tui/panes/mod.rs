//! Panes beyond the catalog trees, each in its own module: its state, how actions change it
//! (an `impl App` block) and how it is drawn.

pub mod bundle_materials;
pub mod bundle_picker;
pub mod bundles;
pub mod element_on_demand;
pub mod element_uses;
pub mod elements;
pub mod form_on_demand;
pub mod form_view;
pub mod forms;
pub mod lead_picker;
pub mod merge_view;
pub mod stats;
