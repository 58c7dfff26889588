//! The `yibiao` binary: see the library for everything it does.
//!
//! The library forbids `unsafe`; the unsafe calls are here, and they only tune glibc's malloc.
#![deny(unsafe_code)]

fn main() -> std::process::ExitCode {
    tune_glibc_malloc();
    std::process::ExitCode::from(yibiao::cli::run())
}

/// glibc keeps much of what a save, a count or a search frees: at a million elements an
/// element's save held 243 MiB after it and 285 at the peak, 175 and 238 with this
/// (`README.md`, Start-up). musl gives memory back by itself, so other C libraries are left
/// alone.
///
/// Allocations of 1 MiB or more get pages of their own, unmapped when freed: glibc would raise
/// its mmap threshold (up to 32 MiB) each time such a block is freed, so the large buffers
/// made and dropped afterwards would come from the heap and stay resident. Freed small blocks
/// go back with `malloc_trim` ([`yibiao::memory`]), which the TUI calls when the user pauses.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_glibc_malloc() {
    // SAFETY: mallopt only sets one of malloc's parameters, before any other thread exists;
    // a refusal (0) leaves glibc's default, which is correct, only larger.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    yibiao::memory::set_give_back(trim);
}

/// Gives the free pages of every malloc arena back to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn trim() {
    // SAFETY: malloc_trim only returns free memory of malloc's own to the system; it is safe
    // to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other C libraries keep their own allocation policy.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_glibc_malloc() {}
