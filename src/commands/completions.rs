//! `claude-bedrock completions SHELL`: the completion script clap_complete writes from the same
//! definitions the parser uses, so it never offers an option the tool does not take.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

const BIN: &str = "claude-bedrock";

/// The completion script for one shell.
pub(crate) fn script(args: &CompletionsArgs) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut buffer);
    // clap_complete writes only what it was given, all UTF-8.
    let script = String::from_utf8_lossy(&buffer).into_owned();
    match args.shell {
        Shell::Bash => bash_hyphen_fix(&script),
        _ => script,
    }
}

/// clap_complete's bash script names each command's state twice, and for a binary whose name has
/// a hyphen the two spellings differ (clap-rs/clap#6421): the loop that reads the command line
/// arrives at `claude__bedrock__subcmd__doctor`, the arms that complete its options are labelled
/// `claude__subcmd__bedrock__subcmd__doctor`, and no option of any command is completed. The arms
/// are relabelled the way the loop spells them.
fn bash_hyphen_fix(script: &str) -> String {
    let loop_spelling = BIN.replace('-', "__");
    let arm_spelling = BIN.replace('-', "__subcmd__");
    script.replace(&arm_spelling, &loop_spelling)
}
