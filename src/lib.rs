//! claude-bedrock: gets Claude Code working on Amazon Bedrock, and says exactly why it doesn't.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod document;
pub mod encoding;
pub mod loopback;
pub mod net;
pub mod output;
pub mod render;
pub mod report;
pub mod secret;
pub mod setup;

use cli::{Cli, Command};
use config::{EffectiveConfig, Inputs};
use output::{Output, print_stdout};

/// Exit status for usage errors and failures of the tool itself.
pub const EXIT_USAGE: u8 = 2;

/// An error that stops a command before it can produce its result.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FatalError {
    pub message: String,
    pub fix: Option<String>,
}

impl FatalError {
    pub fn new(message: impl Into<String>, fix: Option<&str>) -> FatalError {
        FatalError {
            message: message.into(),
            fix: fix.map(str::to_string),
        }
    }
}

/// Runs a parsed command line; returns the process exit status.
pub fn run(cli: Cli) -> u8 {
    let out = Output::from_args(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return report_fatal(
                &out,
                &FatalError::new(format!("cannot start the async runtime: {err}"), None),
            );
        }
    };
    match runtime.block_on(dispatch(&cli, &out)) {
        Ok(code) => code,
        Err(err) => report_fatal(&out, &err),
    }
}

async fn dispatch(cli: &Cli, out: &Output) -> Result<u8, FatalError> {
    let g = &cli.global;
    if let Command::Setup(args) = &cli.command {
        // Setup resolves the configuration itself: --profile and --region are its answers.
        document::require_report_format(out.format, "setup")?;
        return commands::setup::run(g, args, out, timeout(g)).await;
    }
    let inputs = Inputs::from_process(
        g.claude_config_dir.clone(),
        g.project_dir.clone(),
        g.managed_settings_dir.clone(),
        g.profile.clone(),
        g.region.clone(),
    );
    let config = EffectiveConfig::resolve(&inputs).await;
    match &cli.command {
        Command::Config(_) => {
            document::require_report_format(out.format, "config")?;
            let text = if out.is_json() {
                render::json::to_string(&commands::config::to_json(&config))
            } else {
                commands::config::render_human(&config, out)
            };
            document::emit(&text, g.output.as_deref(), out.format)?;
            Ok(0)
        }
        Command::Doctor(args) => {
            let outcome = commands::doctor::run(&config, args, out, timeout(g)).await;
            document::emit(&outcome.text, g.output.as_deref(), out.format)?;
            Ok(outcome.exit_code)
        }
        Command::Models(args) => {
            document::require_report_format(out.format, "models")?;
            let outcome = commands::models::run(&config, args, out, timeout(g)).await;
            if !outcome.text.is_empty() {
                document::emit(&outcome.text, g.output.as_deref(), out.format)?;
            }
            Ok(outcome.exit_code)
        }
        Command::Setup(_) => unreachable!("setup is dispatched above"),
    }
}

fn timeout(global: &cli::GlobalArgs) -> std::time::Duration {
    std::time::Duration::from_secs_f64(global.timeout)
}

/// Prints a fatal error: a JSON document on stdout under `--json`, and always a line on stderr.
pub fn report_fatal(out: &Output, err: &FatalError) -> u8 {
    if out.is_json() {
        print_stdout(&render::json::error_document(
            &err.message,
            err.fix.as_deref(),
        ));
    }
    let style = output::Palette::fail().for_stderr();
    eprintln!("{} {}", style.apply_to("error:"), err.message);
    if let Some(fix) = &err.fix {
        eprintln!(
            "{} {fix}",
            output::Palette::fix().for_stderr().apply_to("fix:")
        );
    }
    EXIT_USAGE
}
