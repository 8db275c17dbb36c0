//! The `traineval` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

// glibc malloc fragments badly under the many small strings of a large ingest
// (it spent 60 % of a 10⁶-cadre build in malloc_consolidate); mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process. With THP on, every fresh 2 MiB of
/// the large, short-lived column buffers of `build` and `indicators` is a huge page the
/// kernel zeroes on first touch: at 10⁶ cadres a third of `indicators`' CPU time went
/// to `clear_page_erms` (perf); without THP its system time fell from 22 s to 7 s.
/// Best effort: on other systems, or when refused, nothing changes.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's index of its `purge_delay` option (v3; the order of `mi_option_t` is
/// checked by the test `the_allocator_keeps_freed_memory`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory kept for reuse instead of returned to the system after 1 s. The
/// stages allocate and free large column buffers all along; returned pages come back
/// as page faults (at 10⁶ cadres, `indicators` spent 1.3 s of its 7.6 s CPU in the
/// kernel; keeping them took 0.2 s off its 4.0 s wall time and added ~0.1 GiB to its
/// peak RSS). A `MIMALLOC_PURGE_DELAY` set by the user still wins.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option of the allocator; touches no memory of ours.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    }
}

fn main() {
    disable_transparent_huge_pages();
    keep_freed_memory();
    let cli = traineval::cli::Cli::parse();
    match traineval::app::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
