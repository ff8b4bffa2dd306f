//! What each command's help teaches beyond its options: examples and exit codes. One table serves
//! `--help` (short help: the exit codes; long help: examples too) and the man pages, so the two
//! never disagree.

use clap::builder::StyledStr;
use clap::builder::styling::Style;

/// A command's examples and exit codes.
pub struct Guide {
    /// The command's name as typed after `claude-bedrock` (empty for the tool itself).
    pub command: &'static str,
    /// `(command line, what it does)`; the command line is shown as typed.
    pub examples: &'static [(&'static str, &'static str)],
    /// `(status, meaning)`.
    pub exit_codes: &'static [(&'static str, &'static str)],
}

const USAGE: (&str, &str) = ("2", "usage error, or the tool itself could not run");

const SIGNALS: (&str, &str) = (
    "130",
    "interrupted (Ctrl-C); 143 and 129 for SIGTERM and SIGHUP",
);

pub const TOOL: Guide = Guide {
    command: "",
    examples: &[
        (
            "claude-bedrock setup",
            "first run: the wizard writes Claude Code's settings for Bedrock",
        ),
        (
            "claude-bedrock doctor",
            "then: does Claude Code on Bedrock work, and if not, why",
        ),
        (
            "claude-bedrock doctor --fix",
            "apply the fixes that are mechanical (each change shown first)",
        ),
        (
            "claude-bedrock doctor --json",
            "the same diagnosis for CI, as a JSON document",
        ),
    ],
    exit_codes: &[
        (
            "0",
            "success (doctor: no check failed; setup: written, previewed or already up to date)",
        ),
        (
            "1",
            "doctor: a check failed (or warned, with --strict); setup: refused; models: the list \
             was denied",
        ),
        USAGE,
        SIGNALS,
    ],
};

pub const SETUP: Guide = Guide {
    command: "setup",
    examples: &[
        (
            "claude-bedrock setup",
            "the wizard, on a terminal: credentials, region, models, then a preview to confirm",
        ),
        (
            "claude-bedrock setup --dry-run",
            "the same questions; show the changes and write nothing",
        ),
        (
            "claude-bedrock setup --yes --auth profile --profile dev --region us-west-2",
            "no prompts (CI, scripts): what is not given comes from the current configuration",
        ),
        (
            "printf %s \"$KEY\" | claude-bedrock setup --yes --auth bearer --bearer-key-stdin --scope local",
            "a Bedrock API key, into this project's uncommitted settings",
        ),
    ],
    exit_codes: &[
        ("0", "written, previewed (--dry-run), or already up to date"),
        (
            "1",
            "refused: a pin or the verification failed without --force, or the file cannot be \
             written safely (it is left untouched)",
        ),
        (
            "2",
            "usage error (without a terminal: a prompt no flag answers, named; a region AWS does \
             not have, with the one meant), or setup could not run",
        ),
        (
            "130",
            "cancelled (Ctrl-C; Escape goes back a step); 143 and 129 for SIGTERM and SIGHUP; \
             nothing was written",
        ),
    ],
};

pub const DOCTOR: Guide = Guide {
    command: "doctor",
    examples: &[
        (
            "claude-bedrock doctor",
            "every check, with live calls to AWS and a rehearsal of your own claude",
        ),
        (
            "claude-bedrock doctor --offline",
            "the configuration only: no network call",
        ),
        (
            "claude-bedrock doctor --fix",
            "the report, then the mechanical fixes: shown, asked once, applied",
        ),
        (
            "claude-bedrock doctor --json | jq '.checks[] | select(.status == \"fail\")'",
            "the failed checks, for a script",
        ),
        (
            "claude-bedrock doctor --format junit --output reports/claude-bedrock.xml",
            "a JUnit report for a CI dashboard",
        ),
        (
            "claude-bedrock doctor --format markdown --output doctor.md",
            "a redacted report to attach to a ticket",
        ),
    ],
    exit_codes: &[
        ("0", "no check failed"),
        (
            "1",
            "at least one check failed (or warned, with --strict); with --fix, after the fixes",
        ),
        USAGE,
        (
            "130",
            "interrupted (Ctrl-C); 143 and 129 for SIGTERM and SIGHUP: what it started is ended",
        ),
    ],
};

pub const MODELS: Guide = Guide {
    command: "models",
    examples: &[
        (
            "claude-bedrock models",
            "Anthropic's inference profiles in the region, newest first",
        ),
        (
            "claude-bedrock models --probe",
            "and whether each answers a one-token request, and why not",
        ),
        (
            "claude-bedrock models --all --json",
            "every provider's profiles, as JSON",
        ),
    ],
    exit_codes: &[
        (
            "0",
            "listed (a profile that does not answer its probe is a finding, not a failure)",
        ),
        (
            "1",
            "the list itself failed: the reason and the IAM statement that fixes it are on stderr",
        ),
        USAGE,
    ],
};

pub const CONFIG: Guide = Guide {
    command: "config",
    examples: &[
        (
            "claude-bedrock config",
            "every value Claude Code will see, and where it comes from",
        ),
        (
            "claude-bedrock config --json | jq '.region'",
            "one value and its source, for a script",
        ),
        (
            "claude-bedrock config --profile dev --region eu-west-1",
            "what another profile and region would give",
        ),
    ],
    exit_codes: &[("0", "printed"), USAGE],
};

pub const POLICY: Guide = Guide {
    command: "policy",
    examples: &[
        (
            "claude-bedrock policy > claude-code-policy.json",
            "the policy on stdout; where each resource came from on stderr",
        ),
        (
            "aws iam create-policy --policy-name ClaudeCodeBedrock --policy-document file://claude-code-policy.json",
            "then create it in IAM",
        ),
        (
            "claude-bedrock policy --offline --sid-prefix Team",
            "no AWS call: what cannot be measured is named and left to a narrow wildcard",
        ),
    ],
    exit_codes: &[
        (
            "0",
            "printed (what could not be measured is named on stderr)",
        ),
        USAGE,
    ],
};

pub const COMPLETIONS: Guide = Guide {
    command: "completions",
    examples: &[
        (
            "claude-bedrock completions bash > ~/.local/share/bash-completion/completions/claude-bedrock",
            "bash (with the bash-completion package)",
        ),
        (
            "claude-bedrock completions zsh > ~/.zfunc/_claude-bedrock",
            "zsh: with fpath+=~/.zfunc before compinit in ~/.zshrc",
        ),
        (
            "claude-bedrock completions fish > ~/.config/fish/completions/claude-bedrock.fish",
            "fish",
        ),
        (
            "claude-bedrock completions powershell | Out-String | Invoke-Expression",
            "PowerShell: add the line to $PROFILE to keep it",
        ),
    ],
    exit_codes: &[("0", "written"), USAGE],
};

pub const MAN: Guide = Guide {
    command: "man",
    examples: &[
        ("claude-bedrock man | man -l -", "read the manual page"),
        (
            "claude-bedrock man doctor | man -l -",
            "the page of one command",
        ),
        (
            "claude-bedrock man --dir ~/.local/share/man/man1",
            "install every page, for `man claude-bedrock` and `man claude-bedrock-doctor`",
        ),
    ],
    exit_codes: &[("0", "written"), USAGE],
};

/// Every guide, the tool's first.
pub const ALL: [&Guide; 8] = [
    &TOOL,
    &SETUP,
    &DOCTOR,
    &MODELS,
    &CONFIG,
    &POLICY,
    &COMPLETIONS,
    &MAN,
];

/// The guide of a command by its name (`""` for the tool).
pub fn guide(command: &str) -> Option<&'static Guide> {
    ALL.into_iter().find(|g| g.command == command)
}

fn heading(text: &str) -> String {
    // The style clap gives its own headings (bold, underlined), shown only on a terminal.
    let style = Style::new().bold().underline();
    format!("{style}{text}{style:#}")
}

/// Lines as wide as a terminal of 80 columns, continued under the text they continue (clap
/// wraps the text after the options only to the terminal, without a hanging indent).
const WIDTH: usize = 80;

fn exit_codes(guide: &Guide) -> String {
    let mut text = heading("Exit codes:");
    for (code, meaning) in guide.exit_codes {
        let first = format!("  {code:<4} ");
        let rest = " ".repeat(first.len());
        let options = textwrap::Options::new(WIDTH)
            .initial_indent(&first)
            .subsequent_indent(&rest);
        text.push('\n');
        text.push_str(&textwrap::fill(meaning, options));
    }
    text
}

/// Short help (`-h`): the exit codes.
pub fn short(guide: &Guide) -> StyledStr {
    exit_codes(guide).into()
}

/// Long help (`--help`): the examples, then the exit codes.
pub fn long(guide: &Guide) -> StyledStr {
    let mut text = heading("Examples:");
    for (line, what) in guide.examples {
        let comment = textwrap::Options::new(WIDTH)
            .initial_indent("  # ")
            .subsequent_indent("  # ");
        text.push('\n');
        text.push_str(&textwrap::fill(what, comment));
        // A command line is shown whole, as it is typed.
        text.push_str(&format!("\n  {line}\n"));
    }
    text.push('\n');
    text.push_str(&exit_codes(guide));
    text.into()
}
