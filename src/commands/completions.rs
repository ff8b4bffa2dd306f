//! `claude-bedrock completions SHELL`: the completion script clap_complete writes from the same
//! definitions the parser uses, so it never offers an option the tool does not take.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// The completion script for one shell.
pub(crate) fn script(args: &CompletionsArgs) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "claude-bedrock",
        &mut buffer,
    );
    // clap_complete writes only what it was given as UTF-8.
    String::from_utf8_lossy(&buffer).into_owned()
}
