//! The `traineval` binary: parse arguments, run, map errors to exit codes.

use clap::Parser;

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
