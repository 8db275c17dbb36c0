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

/// Die quietly of SIGPIPE, as command-line tools do, when the reader of stdout goes
/// away (`traineval validate --explain … | head`): Rust ignores the signal, so the next
/// print panicked with a backtrace instead. Files are written atomically, so a run cut
/// off here leaves no half-written output.
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal; no handler of ours runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() {
    disable_transparent_huge_pages();
    default_sigpipe();
    let cli = traineval::cli::Cli::parse();
    match traineval::app::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
