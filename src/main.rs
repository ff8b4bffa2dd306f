use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use claude_bedrock::cli::Cli;
use claude_bedrock::render::json::error_document;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    ExitCode::from(claude_bedrock::run(cli))
}

/// Help and version go to stdout with status 0; usage errors exit 2, as a JSON document too when
/// JSON was asked for, so that a CI step parsing stdout always gets a document.
fn usage_error(err: clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) && err.kind() != ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    if wants_json(std::env::args()) {
        let message = err
            .kind()
            .as_str()
            .unwrap_or("invalid command line")
            .to_string();
        let rendered = err.render().to_string();
        let first = rendered
            .lines()
            .next()
            .unwrap_or(&message)
            .trim_start_matches("error: ")
            .to_string();
        println!(
            "{}",
            error_document(&first, Some("Run `claude-bedrock --help` for usage."))
        );
    }
    let _ = err.print();
    ExitCode::from(claude_bedrock::EXIT_USAGE)
}

fn wants_json(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    args.iter().enumerate().any(|(i, arg)| {
        arg == "--json"
            || arg == "--format=json"
            || (arg == "--format" && args.get(i + 1).is_some_and(|v| v == "json"))
    })
}
