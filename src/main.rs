//! The `traineval` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

// glibc malloc fragments badly under the many small strings of a large ingest
// (it spent 60 % of a 10⁶-cadre build in malloc_consolidate); mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = traineval::cli::Cli::parse();
    match traineval::app::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
