//! claude-bedrock: gets Claude Code working on Amazon Bedrock, and says exactly why it doesn't.

pub(crate) mod aws;
pub(crate) mod catalogue;
pub mod cli;
pub(crate) mod commands;
pub mod config;
pub mod doctor;
pub(crate) mod document;
pub mod encoding;
pub mod error;
pub(crate) mod fsio;
pub mod help;
pub mod knowledge;
pub mod loopback;
pub(crate) mod net;
pub(crate) mod output;
pub(crate) mod proc;
pub mod render;
pub mod report;
pub(crate) mod secret;
pub mod setup;
pub mod ui;
pub mod write;

use cli::{Cli, Command};
use config::{EffectiveConfig, Inputs};
use error::FatalError;
use output::{Output, print_stdout};

/// The tool's internal child (it resolves a credential chain in a process that can be killed
/// whole) is no command of the interface: it is recognised before the command line is parsed, so
/// neither help nor the completions offer it. Returns its exit status when this process is one.
pub fn internal_child() -> Option<u8> {
    let first = std::env::args_os().nth(1)?;
    (first == aws::resolve::CHILD_COMMAND).then(aws::resolve::child_main)
}

/// Runs a parsed command line; returns the process exit status.
///
/// Whatever happens inside — a panic included — a command asked for a document gets one: the
/// checks are guarded one by one, and this is the guard for everything else.
pub fn run(cli: Cli) -> u8 {
    let out = Output::from_args(&cli.global, cli.format());
    // A fatal error still gives the document that was asked for, on stdout: JSON from every
    // command, a report format from `doctor` (the only command that offers one). With --output
    // the document was meant for the file, so stdout stays empty.
    let error_document = match out.format {
        _ if cli.global.output.is_some() => None,
        cli::Format::Human => None,
        format => Some(format),
    };
    let out = Output {
        error_document,
        ..out
    };
    install_panic_hook();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|err| {
                FatalError::new(format!("cannot start the async runtime: {err}"), None)
            })?;
        let result = runtime.block_on(dispatch(&cli, &out));
        // Nothing the tool started may outlive it (a hung credential_process, a traced client).
        runtime.shutdown_timeout(std::time::Duration::from_millis(200));
        result
    }));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => commands::report_fatal(&out, &err),
        Err(_) => {
            let message = last_panic().unwrap_or_else(|| "unknown panic".into());
            commands::report_fatal(
                &out,
                &FatalError::new(
                    format!("claude-bedrock stopped on an internal error: {message}"),
                    Some("This is a bug in claude-bedrock; please report it with this output."),
                ),
            )
        }
    }
}

fn panic_slot() -> &'static std::sync::Mutex<Option<String>> {
    static SLOT: std::sync::OnceLock<std::sync::Mutex<Option<String>>> = std::sync::OnceLock::new();
    SLOT.get_or_init(|| std::sync::Mutex::new(None))
}

/// Panics are reported as results or fatal errors, never as Rust's raw message on stderr (which
/// could carry a value from the configuration): the hook only keeps the message.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(std::string::ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = panic_slot().lock() {
            *slot = Some(format!("{message}{location}"));
        }
    }));
}

fn last_panic() -> Option<String> {
    panic_slot().lock().ok().and_then(|slot| slot.clone())
}

async fn dispatch(cli: &Cli, out: &Output) -> Result<u8, FatalError> {
    let g = &cli.global;
    match &cli.command {
        Command::Setup(args) => {
            // Setup resolves the configuration itself: --profile and --region are its answers.
            return commands::setup::run(g, args, out, timeout(g)).await;
        }
        Command::Completions(args) => {
            let script = commands::completions::script(args);
            document::emit_as(&script, g.output.as_deref(), "completion script")?;
            return Ok(0);
        }
        Command::Man(args) => {
            if let Some(dir) = &args.dir {
                let written = commands::man::write_all(dir)?;
                output::print_stderr(&format!(
                    "wrote {written} manual pages to {}",
                    dir.display()
                ));
            } else {
                let page = commands::man::one(args.command.as_deref());
                document::emit_as(&page.roff, g.output.as_deref(), "manual page")?;
            }
            return Ok(0);
        }
        _ => {}
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
            let text = if out.is_json() {
                render::json::to_string(&render::config::to_json(&config))
            } else {
                render::config::render_human(&config, out)
            };
            document::emit(&text, g.output.as_deref(), out.format)?;
            Ok(0)
        }
        Command::Doctor(args) => {
            ui::terminal::exit_on_signals(DOCTOR_INTERRUPTED);
            if args.client
                && let Err(reason) =
                    doctor::facts::claude_bin::locate(&config, args.claude_bin.as_deref())
            {
                return Err(FatalError::new(
                    format!("--client needs a `claude` to run: {reason}"),
                    Some(
                        "Pass --claude-bin PATH (`command -v claude` in your shell prints it), or drop --client.",
                    ),
                ));
            }
            if args.fix {
                if !matches!(out.format, cli::Format::Human | cli::Format::Json) {
                    return Err(FatalError::new(
                        "doctor --fix prints its own document: human or --json",
                        Some("Drop --format, or run the report and the fix separately."),
                    ));
                }
                // On a terminal the report is printed before the question, not after it.
                let report_first = out.format == cli::Format::Human && g.output.is_none();
                let outcome =
                    commands::fix::run(&inputs, &config, args, out, timeout(g), report_first)
                        .await?;
                let text = if out.is_json() {
                    render::json::to_string(&render::fix::to_json(&outcome))
                } else {
                    let report = if outcome.report_shown {
                        String::new()
                    } else {
                        render::human::render_report(
                            &outcome.before,
                            out,
                            "claude-bedrock doctor",
                            true,
                        )
                    };
                    format!(
                        "{report}{}",
                        render::fix::render_human(&outcome, &config, out.width)
                    )
                };
                document::emit(&text, g.output.as_deref(), out.format)?;
                if let Some(status) = outcome.interrupted {
                    return Ok(status);
                }
                let after = outcome.after.as_ref().unwrap_or(&outcome.before);
                return Ok(after.exit_code(args.strict));
            }
            let outcome = commands::doctor::run(&config, args, out, timeout(g)).await;
            document::emit(&outcome.text, g.output.as_deref(), out.format)?;
            Ok(outcome.exit_code)
        }
        Command::Models(args) => {
            let outcome = commands::models::run(&config, args, out, timeout(g)).await;
            if !outcome.text.is_empty() {
                document::emit(&outcome.text, g.output.as_deref(), out.format)?;
            }
            Ok(outcome.exit_code)
        }
        Command::Policy(args) => {
            let policy = commands::policy::run(&config, args, timeout(g)).await;
            let explanation = commands::policy::explain(&policy, out);
            if !explanation.is_empty() {
                output::print_stderr(explanation.trim_end());
            }
            let text = render::json::to_string(&policy.document);
            document::emit(&text, g.output.as_deref(), cli::Format::Json)?;
            Ok(0)
        }
        Command::Setup(_) | Command::Completions(_) | Command::Man(_) => {
            unreachable!("dispatched before the configuration is resolved")
        }
    }
}

/// Said when a signal ends the doctor: what it started is ended first.
const DOCTOR_INTERRUPTED: &str = "doctor interrupted; nothing was changed";

fn timeout(global: &cli::GlobalArgs) -> std::time::Duration {
    std::time::Duration::from_secs_f64(global.timeout)
}

/// Help and version go to stdout with status 0; usage errors exit 2, as a document too when a
/// document format was asked for, so that a CI step parsing stdout always gets one.
pub fn usage_error(err: clap::Error) -> u8 {
    if matches!(
        err.kind(),
        clap::error::ErrorKind::DisplayHelp
            | clap::error::ErrorKind::DisplayVersion
            | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) && err.kind() != clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        let _ = err.print();
        return 0;
    }
    // A `--format` the command does not offer (a value, or the option itself) is the error: no
    // document of that format.
    let format_refused = matches!(
        err.kind(),
        clap::error::ErrorKind::InvalidValue | clap::error::ErrorKind::UnknownArgument
    ) && matches!(
        err.get(clap::error::ContextKind::InvalidArg),
        Some(clap::error::ContextValue::String(arg)) if arg.starts_with("--format")
    );
    if let Some(format) = wanted_format(std::env::args(), format_refused) {
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
        let _ = print_stdout(&document);
    }
    let _ = err.print();
    error::EXIT_USAGE
}

/// The document format the command line asks for (`--json`, `--format json|junit|markdown`;
/// only `--json` when the `--format` given was refused).
fn wanted_format(args: impl Iterator<Item = String>, format_refused: bool) -> Option<&'static str> {
    let args: Vec<String> = args.collect();
    let mut wanted = None;
    for (i, arg) in args.iter().enumerate() {
        let value = if arg == "--json" {
            Some("json")
        } else if format_refused {
            None
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
