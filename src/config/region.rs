//! The region Claude Code (≥ 2.1.172) will call: `AWS_REGION` → `AWS_DEFAULT_REGION` → the active
//! profile's `region` (credentials file first, then config file) → `us-east-1`. Values not shaped
//! like a region are treated as unset. The aws CLI is resolved too, because it differs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::aws_files::AwsFiles;
use super::env::EffectiveEnv;
use super::source::{AwsFileKind, Source};

pub const DEFAULT_REGION: &str = "us-east-1";

/// Where the region came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSource {
    Flag,
    Variable { name: &'static str, origin: Source },
    Profile { source: Source },
    Default,
}

impl RegionSource {
    pub fn describe(&self, home: Option<&std::path::Path>) -> String {
        match self {
            RegionSource::Flag => "--region".to_string(),
            RegionSource::Variable { name, origin } => {
                format!("{name} ({})", origin.describe(home))
            }
            RegionSource::Profile { source } => source.describe(home),
            RegionSource::Default => format!("default {DEFAULT_REGION}"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RegionSource::Flag => "flag",
            RegionSource::Variable { origin, .. } => match origin {
                Source::Settings { .. } => "settings-env",
                _ => "process-env",
            },
            RegionSource::Profile { source } => source.kind(),
            RegionSource::Default => "default",
        }
    }
}

/// A value that was present at some step but skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredRegion {
    pub step: String,
    pub value: String,
    pub reason: String,
}

/// What the aws CLI would use, from the shell's environment (it never reads `AWS_REGION`, and
/// it never sees Claude Code's settings `env`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCliRegion {
    pub value: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct RegionResolution {
    pub value: String,
    pub source: RegionSource,
    pub ignored: Vec<IgnoredRegion>,
    pub aws_cli: AwsCliRegion,
}

/// Whether `value` is shaped like an AWS region (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`).
pub fn is_region_shaped(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() >= 3
        && parts[0].len() >= 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].len() <= 2
        && !parts[parts.len() - 1].is_empty()
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn not_shaped_reason(value: &str) -> String {
    let what = if value.contains('/') {
        "contains a slash"
    } else if value.contains('.') {
        "contains a dot"
    } else if value.chars().any(char::is_whitespace) {
        "contains whitespace"
    } else if value.chars().any(|c| c.is_ascii_uppercase()) {
        "contains upper-case letters"
    } else {
        "is not shaped like a region"
    };
    format!("\"{value}\" {what}, so Claude Code treats it as unset")
}

pub fn resolve(
    env: &EffectiveEnv,
    profile_name: &str,
    files: &AwsFiles,
    flag: Option<&str>,
    process_env: &BTreeMap<String, String>,
) -> RegionResolution {
    let aws_cli = aws_cli_region(files, process_env);
    let mut ignored = Vec::new();
    let done = |value: &str, source: RegionSource, ignored: Vec<IgnoredRegion>| RegionResolution {
        value: value.to_string(),
        source,
        ignored,
        aws_cli: aws_cli.clone(),
    };
    if let Some(flag) = flag {
        return done(flag, RegionSource::Flag, ignored);
    }
    for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some((value, origin)) = env.get_with_source(name) {
            if is_region_shaped(value) {
                return done(
                    value,
                    RegionSource::Variable {
                        name,
                        origin: origin.clone(),
                    },
                    ignored,
                );
            }
            ignored.push(IgnoredRegion {
                step: format!("{name} ({})", origin.describe(None)),
                value: value.to_string(),
                reason: not_shaped_reason(value),
            });
        }
    }
    // The credentials file is read first; a value there that is not a region counts as unset.
    let info = files.describe(profile_name);
    for (value, file) in [
        (&info.credentials_region, AwsFileKind::Credentials),
        (&info.config_region, AwsFileKind::Config),
    ] {
        let Some(value) = value else { continue };
        let source = Source::Profile {
            profile: profile_name.to_string(),
            file,
            path: files.file(file).path.clone(),
        };
        if is_region_shaped(value) {
            return done(value, RegionSource::Profile { source }, ignored);
        }
        ignored.push(IgnoredRegion {
            step: source.describe(None),
            value: value.clone(),
            reason: not_shaped_reason(value),
        });
    }
    done(DEFAULT_REGION, RegionSource::Default, ignored)
}

fn aws_cli_region(files: &AwsFiles, process_env: &BTreeMap<String, String>) -> AwsCliRegion {
    if let Some(value) = process_env
        .get("AWS_DEFAULT_REGION")
        .filter(|v| !v.is_empty())
    {
        return AwsCliRegion {
            value: Some(value.clone()),
            source: "AWS_DEFAULT_REGION in the shell".to_string(),
        };
    }
    let profile = process_env
        .get("AWS_PROFILE")
        .filter(|v| !v.is_empty())
        .map(String::as_str)
        .unwrap_or("default");
    match files.describe(profile).config_region {
        Some(value) => AwsCliRegion {
            value: Some(value),
            source: format!("profile \"{profile}\" in {}", AwsFileKind::Config.label()),
        },
        None => AwsCliRegion {
            value: None,
            source: format!("none: no AWS_DEFAULT_REGION and no region in profile \"{profile}\""),
        },
    }
}
