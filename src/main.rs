//! The `frontline` command line: parses arguments, calls the library, prints.

// Every write to standard error goes through `diag!` (never a panic on a closed pipe).
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
