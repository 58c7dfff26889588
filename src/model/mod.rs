//! Domain types and their invariants (no I/O).

mod bundle;
mod catalog;
mod common;
mod element;
mod element_links;
mod form;
pub mod invariants;
mod item;
mod material;
mod outline;
pub(crate) mod packed_strings;
pub mod pattern;
mod problem;
mod record;
mod record_source;
mod ref_path;
mod region;
mod reverse;
mod shared_code;
mod shared_text;

pub use bundle::{AnswerOption, Bundle, BundleMaterial, Question};
pub use catalog::{Catalog, CatalogBuilder, Referrer};
pub use common::{Origin, Status, When, when_holds};
pub use element::{Element, ElementKind, ElementOption, Options, OptionsInterner, Share};
pub use element_links::ElementLinks;
pub use form::{Field, Form, Section};
pub use item::{Item, ItemLevel, ItemType};
pub use material::{Material, MaterialKind};
pub use outline::{FormView, ItemView, Outline, OutlineSource};
pub use problem::{Issue, Problem};
pub use record::{Kind, Record, RecordRef, Reference};
pub use record_source::RecordSource;
pub use ref_path::{RefField, RefPath};
pub use region::{Agency, Region, RegionLevel, region_level};
pub use shared_code::SharedCode;
pub use shared_text::{SharedText, Sharing};
