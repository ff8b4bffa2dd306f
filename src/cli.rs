//! Command-line definitions. Only clap types live here; `lib.rs` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::help;

#[derive(Debug, Parser)]
#[command(
    name = "claude-bedrock",
    version,
    about = "Get Claude Code working on Amazon Bedrock, and find out exactly why it doesn't.",
    long_about = None,
    after_help = help::short(&help::TOOL),
    after_long_help = help::long(&help::TOOL),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The document format asked for: `--json`, else the command's own `--format`. `policy`
    /// always prints its JSON policy, and `completions` and `man` their scripts and pages; for
    /// those, `--json` only makes a fatal error a JSON document too.
    pub fn format(&self) -> Format {
        if self.global.json {
            return Format::Json;
        }
        match &self.command {
            Command::Doctor(args) => args.format,
            Command::Setup(args) => args.format.into(),
            Command::Models(args) => args.format.into(),
            Command::Config(args) => args.format.into(),
            Command::Policy(_) | Command::Completions(_) | Command::Man(_) => Format::Human,
        }
    }
}

/// Options every command takes, shown under their own heading.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region to use instead of the one Claude Code would resolve
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Claude Code's user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]
    #[arg(long, global = true, value_name = "DIR")]
    pub claude_config_dir: Option<PathBuf>,

    /// Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub project_dir: Option<PathBuf>,

    /// Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]
    #[arg(long, global = true, value_name = "DIR")]
    pub managed_settings_dir: Option<PathBuf>,

    /// Print a JSON document (shorthand for --format json); a fatal error is one too
    #[arg(long, global = true)]
    pub json: bool,

    /// Write the document to FILE (atomically) instead of stdout
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// When to use colour (NO_COLOR is respected under auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8
    #[arg(long, global = true)]
    pub ascii: bool,

    /// More detail: check ids and timings, passing checks' details, every network call
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only the summary line (and problems)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Seconds before any network call is abandoned
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,
}

fn parse_timeout(value: &str) -> Result<f64, String> {
    let seconds: f64 = value
        .parse()
        .map_err(|_| format!("\"{value}\" is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err("the timeout must be between 0 and 3600 seconds".into());
    }
    Ok(seconds)
}

/// The doctor's formats: a report in four forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For a person at a terminal
    Human,
    /// The JSON report, with a schema_version
    Json,
    /// A redacted report to paste into a support ticket or an issue
    Markdown,
    /// JUnit XML for CI dashboards: one test case per check
    Junit,
}

/// The formats of `setup`, `models` and `config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DocumentFormat {
    /// For a person at a terminal
    #[default]
    Human,
    /// A JSON document, with a schema_version
    Json,
}

impl From<DocumentFormat> for Format {
    fn from(format: DocumentFormat) -> Format {
        match format {
            DocumentFormat::Human => Format::Human,
            DocumentFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up Claude Code for Bedrock: credentials, region, models; writes settings.json
    #[command(
        long_about = "Set up Claude Code for Bedrock: credentials, region, models; writes settings.json.\n\n\
            On a terminal, a wizard: authentication, region, a verification call, the account's \
            models probed, the pins, a preview of every change, then the write. Every prompt has \
            a flag; --yes answers the rest from the current configuration and the defaults. The \
            global --profile and --region are its answers for the profile and the region. Only \
            the `env` block (and awsAuthRefresh) of one settings file is written; every other \
            byte stays as it was.",
        after_help = help::short(&help::SETUP),
        after_long_help = help::long(&help::SETUP)
    )]
    Setup(SetupArgs),
    /// Diagnose why Claude Code on Bedrock does or doesn't work
    #[command(
        long_about = "Diagnose why Claude Code on Bedrock does or doesn't work.\n\n\
            Computes the configuration Claude Code will see (the environment overlaid by every \
            settings file's env block), checks it offline, then with live calls to AWS made as \
            Claude Code makes them, and rehearses a request with your own `claude`. One line per \
            check; beneath each problem, its details and the exact fix.",
        after_help = help::short(&help::DOCTOR),
        after_long_help = help::long(&help::DOCTOR)
    )]
    Doctor(DoctorArgs),
    /// List the inference profiles (models) this account can use in the region
    #[command(
        after_help = help::short(&help::MODELS),
        after_long_help = help::long(&help::MODELS)
    )]
    Models(ModelsArgs),
    /// Show the effective configuration Claude Code will see, and where each value comes from
    #[command(
        after_help = help::short(&help::CONFIG),
        after_long_help = help::long(&help::CONFIG)
    )]
    Config(ConfigArgs),
    /// Print the least-privilege IAM policy that lets this configuration work
    #[command(
        long_about = "Print the least-privilege IAM policy that lets this configuration work.\n\n\
            The policy is a JSON document on stdout, as `aws iam create-policy \
            --policy-document` takes it; where each resource came from, and what could not be \
            measured, goes to stderr.",
        after_help = help::short(&help::POLICY),
        after_long_help = help::long(&help::POLICY)
    )]
    Policy(PolicyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(
        after_help = help::short(&help::COMPLETIONS),
        after_long_help = help::long(&help::COMPLETIONS)
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write every page to a directory
    #[command(
        after_help = help::short(&help::MAN),
        after_long_help = help::long(&help::MAN)
    )]
    Man(ManArgs),
}

#[derive(Debug, Args, Default, Clone)]
pub struct SetupArgs {
    /// Answer every prompt from flags and defaults (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// How Claude Code authenticates: an AWS profile (--profile), a Bedrock API key, access keys
    /// stored as a profile, or the credentials already in the environment
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,

    /// With --auth bearer: read the API key from standard input instead of AWS_BEARER_TOKEN_BEDROCK
    #[arg(long)]
    pub bearer_key_stdin: bool,

    /// Pin the Opus tier (ANTHROPIC_DEFAULT_OPUS_MODEL)
    #[arg(long, value_name = "ID")]
    pub opus: Option<String>,

    /// Pin the Sonnet tier (ANTHROPIC_DEFAULT_SONNET_MODEL)
    #[arg(long, value_name = "ID")]
    pub sonnet: Option<String>,

    /// Pin the Haiku tier (ANTHROPIC_DEFAULT_HAIKU_MODEL)
    #[arg(long, value_name = "ID")]
    pub haiku: Option<String>,

    /// Set the primary model (ANTHROPIC_MODEL)
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,

    /// Use the 1M-token context window ([1m]) where the pinned model offers it
    #[arg(long = "1m")]
    pub one_million: bool,

    /// Add awsAuthRefresh ("aws sso login --profile …") for an SSO profile
    #[arg(long, conflicts_with = "no_aws_auth_refresh")]
    pub aws_auth_refresh: bool,

    /// Remove awsAuthRefresh
    #[arg(long)]
    pub no_aws_auth_refresh: bool,

    /// Which settings file to write [default: user]
    #[arg(long, value_enum)]
    pub scope: Option<ScopeArg>,

    /// Make no network call: no verification, no discovery, no probes
    #[arg(long)]
    pub no_probe: bool,

    /// Show the changes and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Pin models even when their probe fails, and continue past a failed verification
    #[arg(long)]
    pub force: bool,

    /// Output format of the result
    #[arg(long, value_enum, default_value_t)]
    pub format: DocumentFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthKind {
    Profile,
    Bearer,
    Keys,
    Env,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// ~/.claude/settings.json: every project
    User,
    /// .claude/settings.local.json: this project, not committed
    Local,
    /// .claude/settings.json: this project, committed (no secrets)
    Project,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Make no network call: check only the configuration
    #[arg(long)]
    pub offline: bool,

    /// Exit 1 on warnings too
    #[arg(long)]
    pub strict: bool,

    /// Check Bedrock's Mantle endpoint even when CLAUDE_CODE_USE_MANTLE is off
    #[arg(long)]
    pub mantle: bool,

    /// The Claude Code executable to check [default: `claude` on PATH]
    #[arg(long, value_name = "PATH")]
    pub claude_bin: Option<PathBuf>,

    /// Rehearse with your own `claude` even when it would not run by default (offline: against a
    /// loopback fake); fails when no `claude` is found
    #[arg(long, visible_alias = "trace-client", conflicts_with = "no_client")]
    pub client: bool,

    /// Do not run your `claude` (its version is still checked)
    #[arg(long)]
    pub no_client: bool,

    /// Run the client again even if a recent rehearsal of the same client and configuration is
    /// cached
    #[arg(long)]
    pub no_cache: bool,

    /// Apply the fixes that are mechanical (asks once, shows every change first)
    #[arg(long)]
    pub fix: bool,

    /// With --fix: apply without asking
    #[arg(long, short = 'y', requires = "fix")]
    pub yes: bool,

    /// With --fix: show the changes, write nothing
    #[arg(long, requires = "fix")]
    pub dry_run: bool,

    /// In the Markdown report: show the account id and IAM names (masked by default)
    #[arg(long)]
    pub show_account: bool,
    /// Output format of the report (--fix: human or json)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// List every provider's profiles, not only Anthropic's
    #[arg(long)]
    pub all: bool,

    /// Test each profile with a one-token request
    #[arg(long)]
    pub probe: bool,

    /// Output format of the list
    #[arg(long, value_enum, default_value_t)]
    pub format: DocumentFormat,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Output format of the configuration
    #[arg(long, value_enum, default_value_t)]
    pub format: DocumentFormat,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What each statement's Sid starts with (letters and digits)
    #[arg(long, default_value = "ClaudeCode", value_parser = sid_prefix)]
    pub sid_prefix: String,

    /// Make no AWS call: what cannot be measured (the account, where profiles route, which model
    /// an unpinned tier settles on) is named and left to a narrow wildcard
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The commands that have a manual page of their own (`claude-bedrock-doctor(1)`, …).
pub const MAN_PAGES: [&str; 7] = [
    "setup",
    "doctor",
    "models",
    "config",
    "policy",
    "completions",
    "man",
];

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print [default: the tool's own page, claude-bedrock(1)]
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(MAN_PAGES), conflicts_with = "dir")]
    pub command: Option<String>,

    /// Write every page (claude-bedrock.1, claude-bedrock-doctor.1, …) into DIR instead
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

fn sid_prefix(value: &str) -> Result<String, String> {
    if value.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(value.to_string())
    } else {
        Err("a Sid takes letters and digits only".into())
    }
}
