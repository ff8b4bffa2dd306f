use std::process::ExitCode;

use clap::Parser;

use claude_bedrock::cli::Cli;

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => ExitCode::from(claude_bedrock::run(cli)),
        Err(err) => ExitCode::from(claude_bedrock::usage_error(err)),
    }
}
