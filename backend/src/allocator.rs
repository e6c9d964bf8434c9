//! glibc's allocator, told to give large blocks back to the system.
//!
//! glibc serves a block above its mmap threshold (128 KiB at first) with its own mapping, returned
//! on free, but each such free raises the threshold to that block's size (up to 32 MiB). After
//! the first login, argon2's 19 MiB working memory is therefore carved out of the per-thread heaps
//! and stays resident: 200 logins left ~500 MiB (issue 13). A fixed threshold turns that
//! adjustment off. It can only be set before the process starts (`GLIBC_TUNABLES`; `mallopt` would
//! need `unsafe`, which the workspace forbids), so the server starts itself again once with it.

/// The settings: blocks of 1 MiB and more get a mapping of their own, unmapped on free; and two
/// heaps (arenas) at most, rather than up to eight per core, one per thread that allocates at
/// once: each SQLite connection runs on a thread of its own, and sixteen heaps each keeping
/// freed search buffers held ~20 MiB more under the list load (measured: 131 → 114 MiB).
const TUNABLE: &str = "glibc.malloc.mmap_threshold=1048576:glibc.malloc.arena_max=2";

/// Replaces this process with itself run with [`TUNABLE`] (same pid, arguments and environment
/// otherwise), unless it already has it. On any failure it carries on as it is: the setting
/// saves memory, nothing depends on it.
pub fn return_large_blocks() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return;
    }
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if current.contains("glibc.malloc.mmap_threshold") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let tunables = if current.is_empty() { TUNABLE.to_owned() } else { format!("{current}:{TUNABLE}") };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        std::os::unix::process::CommandExt::arg0(&mut command, arg0);
    }
    command.args(args).env("GLIBC_TUNABLES", tunables);
    // Returns only if the exec failed.
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    eprintln!("atende: could not restart with {TUNABLE} ({error}); large blocks may stay resident");
}
