//! yibiao (一表): a keyboard-driven terminal workstation for standardizing government
//! service items. The library holds the model, the store, the engines and the faces;
//! `main.rs` only calls [`cli::run`].
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

/// `eprintln!` that ignores a failed write instead of panicking: a message to a closed pipe
/// (`yibiao import x 2>&1 | head -1`) or a hung-up terminal is lost, the command goes on.
macro_rules! eprintln_lossy {
    ($($arg:tt)*) => {
        $crate::display::to_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that ignores a failed write, as `eprintln_lossy!`.
macro_rules! eprint_lossy {
    ($($arg:tt)*) => {
        $crate::display::to_stderr(format_args!($($arg)*))
    };
}

pub mod cli;
pub mod display;
pub mod engine;
pub mod i18n;
pub mod io;
pub mod memory;
pub mod model;
pub mod sample;
pub mod store;
pub mod tui;
