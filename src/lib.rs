//! yibiao (一表): a keyboard-driven terminal workstation for standardizing government
//! service items. The library holds the model, the store, the engines and the faces;
//! `main.rs` only calls [`cli::run`].
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod display;
pub mod engine;
pub mod i18n;
pub mod io;
pub mod model;
pub mod sample;
pub mod store;
pub mod tui;
