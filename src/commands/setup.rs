//! `claude-bedrock setup`: runs the wizard (interactively, or from flags with `--yes`) and reports
//! what it wrote.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use crate::cli::{GlobalArgs, SetupArgs};
use crate::config::Inputs;
use crate::error::FatalError;
use crate::output::{Output, print_stdout};
use crate::setup::flow::{Outcome, SetupError, Ui, Wizard};
use crate::ui::prompter::{Prompter, TerminalPrompter};

pub(crate) async fn run(
    global: &GlobalArgs,
    args: &SetupArgs,
    out: &Output,
    timeout: Duration,
) -> Result<u8, FatalError> {
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.yes && !terminal {
        return Err(FatalError::new(
            "setup asks questions and needs a terminal; without one, pass --yes and answer with flags",
            Some(
                "For example: claude-bedrock setup --yes --auth profile --profile NAME --region us-east-1 [--opus ID --sonnet ID --haiku ID --model ID --1m --scope user|local|project --aws-auth-refresh --no-probe --dry-run --json]",
            ),
        ));
    }
    if args.bearer_key_stdin && terminal && !args.yes {
        return Err(FatalError::new(
            "--bearer-key-stdin reads the key from a pipe; in a terminal setup asks for it instead",
            Some(
                "Drop --bearer-key-stdin, or pipe the key: printf %s \"$KEY\" | claude-bedrock setup --yes --auth bearer --bearer-key-stdin",
            ),
        ));
    }
    let stdin_key = if args.bearer_key_stdin {
        Some(read_key_from_stdin()?)
    } else {
        None
    };

    // The global --profile/--region are answers to the wizard, not overrides of what exists.
    let inputs = Inputs::from_process(
        global.claude_config_dir.clone(),
        global.project_dir.clone(),
        global.managed_settings_dir.clone(),
        None,
        None,
    );
    let interactive = terminal && !args.yes;
    // Held until setup returns: restores the terminal on every way out.
    let _terminal = crate::ui::terminal::TerminalGuard::install(crate::ui::terminal::MESSAGE);
    let mut terminal_prompter = TerminalPrompter::new();
    let prompter: Option<&mut dyn Prompter> = if interactive {
        Some(&mut terminal_prompter)
    } else {
        None
    };
    let ui = Ui::new(out.progress && !out.is_json(), !out.is_json() && !out.quiet);
    let wizard = Wizard::new(
        args,
        inputs,
        global.profile.clone(),
        global.region.clone(),
        prompter,
        ui,
        timeout,
        stdin_key,
    );
    finish(wizard.run().await, out, global.output.as_deref())
}

/// The key piped to `--bearer-key-stdin`: one line (a trailing newline is fine). Several
/// non-empty lines are refused rather than guessed at: which one is the key?
fn read_key_from_stdin() -> Result<String, FatalError> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| {
            FatalError::new(
                format!("cannot read the key from standard input: {e}"),
                None,
            )
        })?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [key] => {
            crate::secret::register(key);
            Ok(key.to_string())
        }
        [] => Err(FatalError::new(
            "--bearer-key-stdin read nothing from standard input",
            Some(
                "Pipe the key in: printf %s \"$KEY\" | claude-bedrock setup --yes --auth bearer --bearer-key-stdin",
            ),
        )),
        more => Err(FatalError::new(
            format!(
                "--bearer-key-stdin read {} non-empty lines; a Bedrock API key is one line",
                more.len()
            ),
            Some("Pipe only the key, on one line (printf %s \"$KEY\" | …)."),
        )),
    }
}

/// Renders the outcome (or the reason there is none) and returns the exit status.
pub(crate) fn finish(
    result: Result<Outcome, SetupError>,
    out: &Output,
    file: Option<&std::path::Path>,
) -> Result<u8, FatalError> {
    Ok(match result {
        Ok(outcome) => {
            let text = if out.is_json() {
                crate::render::json::to_string(&crate::render::setup::to_json(&outcome))
            } else {
                crate::render::setup::render_human(&outcome)
            };
            crate::document::emit(&text, file, out.format)?;
            0
        }
        // Escape with no step before it is handled inside the wizard; anything else is a stop.
        Err(SetupError::Cancelled | SetupError::Back | SetupError::GoTo(_)) => {
            if out.is_json() {
                let _ = print_stdout(&crate::render::json::error_document(
                    crate::ui::terminal::MESSAGE,
                    None,
                ));
            }
            crate::ui::terminal::restore();
            crate::ui::terminal::report_cancelled();
            crate::ui::terminal::cancelled_status()
        }
        Err(SetupError::Usage { message, fix }) => {
            super::report_fatal(out, &FatalError::new(message, Some(&fix)))
        }
        Err(SetupError::Refused { message, fix }) => {
            report_error(out, &message, Some(&fix));
            1
        }
        Err(SetupError::Write(message)) => {
            report_error(out, &message, None);
            1
        }
    })
}

fn report_error(out: &Output, message: &str, fix: Option<&str>) {
    if out.is_json() {
        let _ = print_stdout(&crate::render::json::error_document(message, fix));
    }
    FatalError::new(message, fix).print();
}
