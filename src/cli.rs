//! Command-line definitions. Only clap types live here; `lib.rs` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  no check failed
  1  at least one check failed (or warned, with --strict)
  2  usage error, or the tool itself could not run";

#[derive(Debug, Parser)]
#[command(
    name = "claude-bedrock",
    version,
    about = "Get Claude Code working on Amazon Bedrock, and find out exactly why it doesn't.",
    long_about = None,
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
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

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Shorthand for --format json
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour (NO_COLOR is respected under auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More detail (-vv: also every network call and error chain)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only the summary line (and problems)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Seconds before any network call is abandoned
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,
}

impl GlobalArgs {
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
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
    Setup(SetupArgs),
    /// Diagnose why Claude Code on Bedrock does or doesn't work
    Doctor(DoctorArgs),
    /// List the inference profiles (models) this account can use in the region
    Models(ModelsArgs),
    /// Show the effective configuration Claude Code will see, and where each value comes from
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub struct SetupArgs {}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Make no network call: check only the configuration
    #[arg(long)]
    pub offline: bool,

    /// Exit 1 on warnings too
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// List every provider's profiles, not only Anthropic's
    #[arg(long)]
    pub all: bool,

    /// Test each profile with a one-token request
    #[arg(long)]
    pub probe: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {}
