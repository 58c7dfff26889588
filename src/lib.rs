//! yibiao (一表): a keyboard-driven terminal workstation for standardizing government
//! service items. The library holds the model, the store, the engines and the faces;
//! `main.rs` only calls [`cli::run`].
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]

pub mod i18n;
pub mod model;
pub mod sample;
