//! The `yibiao` binary: see the library for everything it does.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(yibiao::cli::run())
}
