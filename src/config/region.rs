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

/// Every region of every partition the AWS SDK's endpoint rules list (its `partitions.json`,
/// as the locked `aws-sdk-bedrockruntime` carries it), without the `*-global` pseudo-regions. A
/// test holds it to the SDK's copy, so that updating the SDK brings the new regions here too.
pub const KNOWN_REGIONS: &[&str] = &[
    // aws
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    // aws-cn
    "cn-north-1",
    "cn-northwest-1",
    // aws-eusc
    "eusc-de-east-1",
    // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    // aws-us-gov
    "us-gov-east-1",
    "us-gov-west-1",
];

/// What is known of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKnown {
    /// One of [`KNOWN_REGIONS`].
    Known,
    /// A known region's name with a number past the known ones (`us-west-3`): AWS may have opened
    /// it after this list was made, or it is a slip for `nearest`.
    Later { nearest: &'static str },
    /// Shaped like a region, but no region AWS has: `nearest` is the closest one, if any is close.
    Unknown { nearest: Option<&'static str> },
    /// Not shaped like a region code at all; `nearest` as above (`useast1` → `us-east-1`).
    NotShaped { nearest: Option<&'static str> },
}

/// Whether `value` is a region AWS has, and the closest one when it is not.
pub fn known_region(value: &str) -> RegionKnown {
    if KNOWN_REGIONS.contains(&value) {
        return RegionKnown::Known;
    }
    let nearest = nearest_region(value);
    if !is_region_shaped(value) {
        return RegionKnown::NotShaped { nearest };
    }
    let (stem, number) = split_number(value);
    let later = KNOWN_REGIONS
        .iter()
        .filter(|known| split_number(known).0 == stem)
        .max_by_key(|known| split_number(known).1);
    match later {
        Some(last) if number > split_number(last).1 => RegionKnown::Later { nearest: last },
        _ => RegionKnown::Unknown { nearest },
    }
}

/// `us-west-2` → (`us-west`, 2).
fn split_number(region: &str) -> (&str, u32) {
    match region.rsplit_once('-') {
        Some((stem, number)) => (stem, number.parse().unwrap_or(0)),
        None => (region, 0),
    }
}

/// The known region closest to `value` by edit distance (a swap of two letters counts as one
/// edit), when it is within three edits: the region a slip was meant to be. Among equals, the
/// one that shares the longest start, then the nearest number.
pub fn nearest_region(value: &str) -> Option<&'static str> {
    let value = value.trim().to_ascii_lowercase();
    let common = |known: &str| {
        known
            .bytes()
            .zip(value.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let (_, number) = split_number(&value);
    KNOWN_REGIONS
        .iter()
        .map(|known| (strsim::osa_distance(&value, known), known))
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, known)| {
            (
                *distance,
                std::cmp::Reverse(common(known)),
                split_number(known).1.abs_diff(number),
            )
        })
        .map(|(_, known)| *known)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_is_matched_to_the_region_it_was_meant_to_be() {
        assert_eq!(known_region("us-west-2"), RegionKnown::Known);
        assert_eq!(
            known_region("us-wset-2"),
            RegionKnown::Unknown {
                nearest: Some("us-west-2")
            }
        );
        assert_eq!(nearest_region("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(nearest_region("us-gov-wst-1"), Some("us-gov-west-1"));
        assert_eq!(nearest_region("cn-nort-1"), Some("cn-north-1"));
        assert_eq!(
            known_region("useast1"),
            RegionKnown::NotShaped {
                nearest: Some("us-east-1")
            }
        );
        assert_eq!(
            known_region("xx-nowhere-9"),
            RegionKnown::Unknown { nearest: None }
        );
        // Every partition's regions are regions.
        for region in [
            "us-gov-east-1",
            "cn-northwest-1",
            "eusc-de-east-1",
            "us-isob-east-1",
        ] {
            assert_eq!(known_region(region), RegionKnown::Known, "{region}");
        }
    }

    #[test]
    fn a_later_number_of_a_known_region_may_be_new() {
        assert_eq!(
            known_region("us-west-3"),
            RegionKnown::Later {
                nearest: "us-west-2"
            }
        );
        assert_eq!(
            known_region("ap-southeast-8"),
            RegionKnown::Later {
                nearest: "ap-southeast-7"
            }
        );
        // A number below the known ones is no newer region.
        assert_eq!(
            known_region("us-west-0"),
            RegionKnown::Unknown {
                nearest: Some("us-west-1")
            }
        );
    }

    /// The list is the SDK's: read the partitions the locked `aws-sdk-bedrockruntime` resolves
    /// endpoints with, from its source in Cargo's registry.
    #[test]
    fn the_known_regions_are_the_sdks() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lock = std::fs::read_to_string(manifest.join("Cargo.lock")).unwrap();
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"aws-sdk-bedrockruntime\""))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"').to_string())
            .expect("aws-sdk-bedrockruntime in Cargo.lock");
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
            .expect("CARGO_HOME or HOME");
        let crate_dir = format!("aws-sdk-bedrockruntime-{version}");
        let source = std::fs::read_dir(cargo_home.join("registry/src"))
            .expect("Cargo's registry sources")
            .filter_map(Result::ok)
            .map(|index| index.path().join(&crate_dir).join("src/endpoint_lib.rs"))
            .find(|path| path.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "{crate_dir}/src/endpoint_lib.rs in {}",
                    cargo_home.display()
                )
            });
        let text = std::fs::read_to_string(source).unwrap();
        // The partitions are JSON in a string literal: `\"us-west-2\":{\"description\"…`.
        let marker = "\\\":{\\\"description\\\"";
        let mut sdk: Vec<&str> = text
            .match_indices(marker)
            .filter_map(|(at, _)| text[..at].rsplit("\\\"").next())
            .filter(|name| !name.ends_with("-global"))
            .collect();
        sdk.sort_unstable();
        sdk.dedup();
        let mut ours = KNOWN_REGIONS.to_vec();
        ours.sort_unstable();
        assert!(sdk.len() > 30, "{sdk:?}");
        assert_eq!(ours, sdk, "KNOWN_REGIONS differs from the SDK's partitions");
    }
}
