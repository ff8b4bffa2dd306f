use std::process::ExitCode;

use clap::Parser;

use claude_bedrock::cli::Cli;

fn main() -> ExitCode {
    if let Some(status) = claude_bedrock::internal_child() {
        return ExitCode::from(status);
    }
    match Cli::try_parse() {
        Ok(cli) => ExitCode::from(claude_bedrock::run(cli)),
        Err(err) => ExitCode::from(claude_bedrock::usage_error(err)),
    }
}
