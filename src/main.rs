use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use claude_bedrock::cli::Cli;
use claude_bedrock::render;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    ExitCode::from(claude_bedrock::run(cli))
}

/// Help and version go to stdout with status 0; usage errors exit 2, as a document too when a
/// document format was asked for, so that a CI step parsing stdout always gets one.
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
    if let Some(format) = wanted_format(std::env::args()) {
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
        let fix = Some("Run `claude-bedrock --help` for usage.");
        let document = match format {
            "junit" => render::junit::error_document(&first, fix),
            "markdown" => render::markdown::error_document(&first, fix),
            _ => render::json::error_document(&first, fix),
        };
        let _ = claude_bedrock::output::print_stdout(&document);
    }
    let _ = err.print();
    ExitCode::from(claude_bedrock::error::EXIT_USAGE)
}

/// The document format the command line asks for (`--json`, `--format json|junit|markdown`).
fn wanted_format(args: impl Iterator<Item = String>) -> Option<&'static str> {
    let args: Vec<String> = args.collect();
    let mut wanted = None;
    for (i, arg) in args.iter().enumerate() {
        let value = if arg == "--json" {
            Some("json")
        } else if let Some(value) = arg.strip_prefix("--format=") {
            Some(value)
        } else if arg == "--format" {
            args.get(i + 1).map(String::as_str)
        } else {
            None
        };
        wanted = match value {
            Some("json") => Some("json"),
            Some("junit") => Some("junit"),
            Some("markdown") => Some("markdown"),
            _ => wanted,
        };
    }
    wanted
}
