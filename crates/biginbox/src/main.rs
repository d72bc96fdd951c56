//! `biginbox`: a Bigin-compatible CRM backend in one binary. `main` only parses the command line
//! and hands over to `cli`.

use clap::Parser;

mod cli;
mod postman;
mod seed;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    cli::init_logs(&args);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
