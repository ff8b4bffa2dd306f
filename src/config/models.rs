//! Bedrock model identifiers: what kind each is, which model family it names, and whether it can
//! work from the configured region.

use serde::Serialize;

use crate::knowledge::Family;

/// Cross-region inference profile prefixes Bedrock defines.
pub const KNOWN_PREFIXES: &[&str] = &["us", "us-gov", "eu", "apac", "jp", "au", "global"];

/// Claude Code's own aliases, resolved by the client rather than sent to Bedrock.
pub const ALIASES: &[&str] = &[
    "default", "best", "opus", "sonnet", "haiku", "opusplan", "fable",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ModelIdKind {
    /// `us.anthropic.claude-sonnet-4-6`: a system-defined cross-region inference profile.
    CrossRegionProfile {
        prefix: String,
    },
    /// `anthropic.claude-…-v1:0`: a foundation model, invoked on demand in one region.
    FoundationModel,
    /// `anthropic.claude-haiku-4-5`: the Mantle form, no prefix and no version suffix.
    MantleId,
    /// `arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>`.
    ApplicationProfileArn {
        partition: String,
        region: String,
        account: String,
    },
    /// `arn:aws:bedrock:<region>:<account>:inference-profile/<prefix>.anthropic…`.
    SystemProfileArn {
        partition: String,
        region: String,
        prefix: String,
    },
    /// `arn:aws:bedrock:<region>::foundation-model/anthropic…`.
    FoundationModelArn {
        partition: String,
        region: String,
    },
    /// `opus`, `sonnet`, … resolved by Claude Code to its built-in defaults.
    Alias,
    /// `claude-opus-4-6`: an Anthropic API model name, not a Bedrock identifier.
    AnthropicApiId,
    /// Longer than any identifier Bedrock takes ([`MAX_MODEL_ID_LEN`]).
    TooLong {
        length: usize,
    },
    Unknown,
}

/// Bedrock's limit for a `modelId` (InvokeModel) and an inference-profile identifier. Longer
/// values are never sent: the SDK cannot even build such a request URI.
pub const MAX_MODEL_ID_LEN: usize = 2048;

impl ModelIdKind {
    pub fn label(&self) -> String {
        match self {
            ModelIdKind::CrossRegionProfile { prefix } => {
                format!("cross-region inference profile ({prefix}.)")
            }
            ModelIdKind::FoundationModel => "foundation model ID (on-demand)".into(),
            ModelIdKind::MantleId => "Mantle model ID".into(),
            ModelIdKind::ApplicationProfileArn { region, .. } => {
                format!("application inference profile ARN ({region})")
            }
            ModelIdKind::SystemProfileArn { prefix, region, .. } => {
                format!("inference profile ARN ({prefix}., {region})")
            }
            ModelIdKind::FoundationModelArn { region, .. } => {
                format!("foundation model ARN ({region})")
            }
            ModelIdKind::Alias => "Claude Code alias".into(),
            ModelIdKind::AnthropicApiId => "Anthropic API model name".into(),
            ModelIdKind::TooLong { length } => format!(
                "{length} characters long: no Bedrock identifier is longer than {MAX_MODEL_ID_LEN}"
            ),
            ModelIdKind::Unknown => "unrecognised".into(),
        }
    }

    pub fn short(&self) -> &'static str {
        match self {
            ModelIdKind::CrossRegionProfile { .. } => "cross-region-profile",
            ModelIdKind::FoundationModel => "foundation-model",
            ModelIdKind::MantleId => "mantle",
            ModelIdKind::ApplicationProfileArn { .. } => "application-profile-arn",
            ModelIdKind::SystemProfileArn { .. } => "profile-arn",
            ModelIdKind::FoundationModelArn { .. } => "foundation-model-arn",
            ModelIdKind::Alias => "alias",
            ModelIdKind::AnthropicApiId => "anthropic-api-id",
            ModelIdKind::TooLong { .. } => "too-long",
            ModelIdKind::Unknown => "unknown",
        }
    }
}

/// What a Claude model name says about the model: family, version and release date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModelName {
    pub family: Family,
    pub major: u32,
    pub minor: u32,
    /// `YYYYMMDD`, when the name carries one.
    pub date: Option<u32>,
    /// Older names put the version first: `claude-3-5-haiku`.
    #[serde(skip)]
    pub version_first: bool,
}

impl ModelName {
    /// Parses `claude-sonnet-4-6`, `claude-haiku-4-5-20251001-v1:0`, `claude-3-5-sonnet-20241022-v2:0`.
    pub fn parse(name: &str) -> Option<ModelName> {
        let start = name.find("claude-")?;
        let parts: Vec<&str> = name[start + "claude-".len()..]
            .split(['-', ':', '[', '.'])
            .collect();
        let family_at = parts
            .iter()
            .position(|p| matches!(*p, "opus" | "sonnet" | "haiku"))?;
        let family = match parts[family_at] {
            "opus" => Family::Opus,
            "sonnet" => Family::Sonnet,
            _ => Family::Haiku,
        };
        let small = |p: &str| p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
        // New names put the version after the family, old ones (claude-3-5-sonnet) before it.
        let after: Vec<u32> = parts[family_at + 1..]
            .iter()
            .take_while(|p| small(p))
            .filter_map(|p| p.parse().ok())
            .collect();
        let before: Vec<u32> = parts[..family_at]
            .iter()
            .filter(|p| small(p))
            .filter_map(|p| p.parse().ok())
            .collect();
        let version_first = after.is_empty();
        let version = if version_first { before } else { after };
        let major = *version.first()?;
        let minor = version.get(1).copied().unwrap_or(0);
        let date = parts
            .iter()
            .find(|p| p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse().ok());
        Some(ModelName {
            family,
            major,
            minor,
            date,
            version_first,
        })
    }

    /// Whether Claude Code offers a 1M-token context (`[1m]`) for this model.
    pub fn supports_1m(&self) -> bool {
        match self.family {
            Family::Opus => (self.major, self.minor) >= (4, 6),
            Family::Sonnet => (self.major, self.minor) >= (4, 6),
            Family::Haiku => false,
        }
    }

    /// Orders newer models first: version, then date.
    pub fn recency(&self) -> (u32, u32, u32) {
        (self.major, self.minor, self.date.unwrap_or(0))
    }

    pub fn display(&self) -> String {
        let family = match self.family {
            Family::Opus => "Opus",
            Family::Sonnet => "Sonnet",
            Family::Haiku => "Haiku",
        };
        let version = if self.minor == 0 {
            self.major.to_string()
        } else {
            format!("{}.{}", self.major, self.minor)
        };
        if self.version_first {
            format!("Claude {version} {family}")
        } else {
            format!("Claude {family} {version}")
        }
    }
}

/// A model identifier as written in a setting, classified.
#[derive(Debug, Clone, Serialize)]
pub struct ModelId {
    /// The value as written, `[1m]` included.
    pub raw: String,
    /// The identifier Bedrock receives (without `[1m]`).
    pub id: String,
    pub one_million_context: bool,
    pub kind: ModelIdKind,
    pub model: Option<ModelName>,
}

impl ModelId {
    pub fn parse(raw: &str) -> ModelId {
        let trimmed = raw.trim();
        let (id, one_million_context) = match trimmed
            .strip_suffix("[1m]")
            .or_else(|| trimmed.strip_suffix("[1M]"))
        {
            Some(id) => (id, true),
            None => (trimmed, false),
        };
        ModelId {
            raw: raw.to_string(),
            id: id.to_string(),
            one_million_context,
            kind: classify(id),
            model: ModelName::parse(id),
        }
    }

    /// The cross-region prefix this ID carries, if any (ARNs included).
    pub fn prefix(&self) -> Option<&str> {
        match &self.kind {
            ModelIdKind::CrossRegionProfile { prefix }
            | ModelIdKind::SystemProfileArn { prefix, .. } => Some(prefix),
            _ => None,
        }
    }
}

fn classify(id: &str) -> ModelIdKind {
    if id.len() > MAX_MODEL_ID_LEN {
        return ModelIdKind::TooLong { length: id.len() };
    }
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        return ModelIdKind::Unknown;
    }
    if let Some(arn) = id.strip_prefix("arn:") {
        return classify_arn(arn);
    }
    if ALIASES.contains(&id) {
        return ModelIdKind::Alias;
    }
    if id.starts_with("claude-") {
        return ModelIdKind::AnthropicApiId;
    }
    if let Some(name) = id.strip_prefix("anthropic.") {
        return if has_version_suffix(name) {
            ModelIdKind::FoundationModel
        } else {
            ModelIdKind::MantleId
        };
    }
    if let Some((prefix, rest)) = id.split_once('.')
        && rest.starts_with("anthropic.")
        && !prefix.is_empty()
    {
        return ModelIdKind::CrossRegionProfile {
            prefix: prefix.to_string(),
        };
    }
    ModelIdKind::Unknown
}

/// `-v1`, `-v1:0`, `-v2:0` at the end of a foundation model name.
fn has_version_suffix(name: &str) -> bool {
    let Some((_, tail)) = name.rsplit_once("-v") else {
        return false;
    };
    let version = tail.split(':').next().unwrap_or("");
    !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit())
        && tail
            .split_once(':')
            .is_none_or(|(_, t)| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
}

fn classify_arn(arn: &str) -> ModelIdKind {
    // partition:service:region:account:resource
    let parts: Vec<&str> = arn.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts[..] else {
        return ModelIdKind::Unknown;
    };
    if service != "bedrock" {
        return ModelIdKind::Unknown;
    }
    let (partition, region) = (partition.to_string(), region.to_string());
    if let Some(_id) = resource.strip_prefix("application-inference-profile/") {
        return ModelIdKind::ApplicationProfileArn {
            partition,
            region,
            account: account.to_string(),
        };
    }
    if let Some(profile) = resource.strip_prefix("inference-profile/") {
        let prefix = profile.split('.').next().unwrap_or("").to_string();
        return ModelIdKind::SystemProfileArn {
            partition,
            region,
            prefix,
        };
    }
    if resource.starts_with("foundation-model/") {
        return ModelIdKind::FoundationModelArn { partition, region };
    }
    ModelIdKind::Unknown
}

/// The partition a region belongs to.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// The cross-region prefix Claude Code derives from the region for its default model IDs.
pub fn default_prefix_for_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "us-gov"
    } else if region.starts_with("us-") {
        "us"
    } else if region.starts_with("eu-") {
        "eu"
    } else if region.starts_with("ap-") {
        "apac"
    } else {
        "global"
    }
}

/// Whether a profile with `prefix` can be invoked from `region`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrefixFit {
    Fits,
    /// The geography is known and the prefix belongs elsewhere: the call will fail.
    Mismatch {
        expected: Vec<&'static str>,
    },
    /// A region outside the well-known geographies, or an unknown prefix: cannot be sure offline.
    Uncertain {
        expected: Vec<&'static str>,
    },
}

pub fn prefix_fit(prefix: &str, region: &str) -> PrefixFit {
    let expected: Vec<&'static str> = if region.starts_with("us-gov-") {
        vec!["us-gov"]
    } else if region.starts_with("us-") {
        vec!["us", "global"]
    } else if region.starts_with("eu-") {
        vec!["eu", "global"]
    } else if region.starts_with("ap-") {
        let mut expected = vec!["apac", "global"];
        if matches!(region, "ap-northeast-1" | "ap-northeast-3") {
            expected.push("jp");
        }
        if matches!(region, "ap-southeast-2" | "ap-southeast-4") {
            expected.push("au");
        }
        expected
    } else {
        return if prefix == "global" {
            PrefixFit::Fits
        } else {
            PrefixFit::Uncertain {
                expected: vec!["global"],
            }
        };
    };
    if expected.contains(&prefix) {
        PrefixFit::Fits
    } else if KNOWN_PREFIXES.contains(&prefix) {
        PrefixFit::Mismatch { expected }
    } else {
        PrefixFit::Uncertain { expected }
    }
}

/// The Mantle form of a Bedrock model ID: no region prefix, no date, no version suffix
/// (`us.anthropic.claude-haiku-4-5-20251001-v1:0` → `anthropic.claude-haiku-4-5`).
pub fn mantle_form(id: &str) -> Option<String> {
    let start = id.find("anthropic.")?;
    let mut name = &id[start..];
    if let Some((head, tail)) = name.rsplit_once("-v")
        && tail
            .split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        name = head;
    }
    if let Some((head, date)) = name.rsplit_once('-')
        && date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
    {
        name = head;
    }
    Some(name.to_string())
}

/// The cross-region profile form of a foundation-model or Mantle ID, for `prefix`.
pub fn profile_form(id: &str, prefix: &str) -> Option<String> {
    let start = id.find("anthropic.")?;
    Some(format!("{prefix}.{}", &id[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(raw: &str) -> ModelIdKind {
        ModelId::parse(raw).kind
    }

    #[test]
    fn cross_region_profiles_carry_their_prefix() {
        for prefix in KNOWN_PREFIXES {
            let id = format!("{prefix}.anthropic.claude-sonnet-4-6");
            assert_eq!(
                kind(&id),
                ModelIdKind::CrossRegionProfile {
                    prefix: prefix.to_string()
                }
            );
        }
        assert_eq!(
            ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").prefix(),
            Some("us")
        );
    }

    #[test]
    fn foundation_and_mantle_ids_are_told_apart_by_the_version_suffix() {
        assert_eq!(
            kind("anthropic.claude-3-5-sonnet-20241022-v2:0"),
            ModelIdKind::FoundationModel
        );
        assert_eq!(
            kind("anthropic.claude-opus-4-6-v1"),
            ModelIdKind::FoundationModel
        );
        assert_eq!(kind("anthropic.claude-haiku-4-5"), ModelIdKind::MantleId);
        assert_eq!(kind("anthropic.claude-sonnet-4-6"), ModelIdKind::MantleId);
    }

    #[test]
    fn arns_are_classified_with_region_and_partition() {
        assert_eq!(
            kind("arn:aws:bedrock:us-east-2:123456789012:application-inference-profile/opus-prod"),
            ModelIdKind::ApplicationProfileArn {
                partition: "aws".into(),
                region: "us-east-2".into(),
                account: "123456789012".into()
            }
        );
        assert_eq!(
            kind(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6"
            ),
            ModelIdKind::SystemProfileArn {
                partition: "aws".into(),
                region: "us-east-1".into(),
                prefix: "us".into()
            }
        );
        assert_eq!(
            kind(
                "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
            ),
            ModelIdKind::FoundationModelArn {
                partition: "aws-us-gov".into(),
                region: "us-gov-west-1".into()
            }
        );
        assert_eq!(kind("arn:aws:s3:::bucket"), ModelIdKind::Unknown);
        assert_eq!(kind("arn:aws:bedrock"), ModelIdKind::Unknown);
    }

    #[test]
    fn aliases_and_anthropic_names_are_not_bedrock_ids() {
        for alias in ALIASES {
            assert_eq!(kind(alias), ModelIdKind::Alias);
        }
        assert_eq!(kind("opus[1m]"), ModelIdKind::Alias);
        assert_eq!(kind("claude-opus-4-6"), ModelIdKind::AnthropicApiId);
        assert_eq!(kind("gpt-4o"), ModelIdKind::Unknown);
        assert_eq!(kind("us.anthropic claude"), ModelIdKind::Unknown);
        assert_eq!(kind(""), ModelIdKind::Unknown);
    }

    #[test]
    fn one_million_suffix_is_split_off() {
        let id = ModelId::parse("global.anthropic.claude-sonnet-4-6[1m]");
        assert!(id.one_million_context);
        assert_eq!(id.id, "global.anthropic.claude-sonnet-4-6");
        assert!(id.model.unwrap().supports_1m());
        let haiku = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0[1m]");
        assert!(haiku.one_million_context);
        assert!(!haiku.model.unwrap().supports_1m());
    }

    #[test]
    fn model_names_parse_new_and_old_styles() {
        let haiku = ModelName::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!(
            (haiku.family, haiku.major, haiku.minor, haiku.date),
            (Family::Haiku, 4, 5, Some(20251001))
        );
        let old = ModelName::parse("anthropic.claude-3-5-sonnet-20241022-v2:0").unwrap();
        assert_eq!((old.family, old.major, old.minor), (Family::Sonnet, 3, 5));
        assert_eq!(old.display(), "Claude 3.5 Sonnet");
        let opus4 = ModelName::parse("us.anthropic.claude-opus-4-20250514-v1:0").unwrap();
        assert_eq!(
            (opus4.major, opus4.minor, opus4.date),
            (4, 0, Some(20250514))
        );
        let opus46 = ModelName::parse("us.anthropic.claude-opus-4-6-v1").unwrap();
        assert!(opus46.recency() > opus4.recency());
        assert_eq!(opus46.display(), "Claude Opus 4.6");
        assert!(ModelName::parse("amazon.nova-pro-v1:0").is_none());
    }

    #[test]
    fn prefixes_fit_their_geography() {
        assert_eq!(prefix_fit("us", "us-west-2"), PrefixFit::Fits);
        assert_eq!(prefix_fit("global", "eu-central-1"), PrefixFit::Fits);
        assert_eq!(prefix_fit("jp", "ap-northeast-1"), PrefixFit::Fits);
        assert_eq!(prefix_fit("au", "ap-southeast-2"), PrefixFit::Fits);
        assert!(matches!(
            prefix_fit("eu", "us-east-1"),
            PrefixFit::Mismatch { .. }
        ));
        assert!(matches!(
            prefix_fit("jp", "ap-south-1"),
            PrefixFit::Mismatch { .. }
        ));
        assert!(matches!(
            prefix_fit("global", "us-gov-west-1"),
            PrefixFit::Mismatch { .. }
        ));
        assert!(matches!(
            prefix_fit("us", "ca-central-1"),
            PrefixFit::Uncertain { .. }
        ));
        assert!(matches!(
            prefix_fit("zz", "us-east-1"),
            PrefixFit::Uncertain { .. }
        ));
    }

    #[test]
    fn default_prefixes_follow_claude_code() {
        assert_eq!(default_prefix_for_region("us-gov-west-1"), "us-gov");
        assert_eq!(default_prefix_for_region("us-east-2"), "us");
        assert_eq!(default_prefix_for_region("eu-west-3"), "eu");
        assert_eq!(default_prefix_for_region("ap-southeast-1"), "apac");
        assert_eq!(default_prefix_for_region("ca-central-1"), "global");
        assert_eq!(default_prefix_for_region("sa-east-1"), "global");
    }

    #[test]
    fn mantle_and_profile_forms() {
        assert_eq!(
            mantle_form("us.anthropic.claude-haiku-4-5-20251001-v1:0").as_deref(),
            Some("anthropic.claude-haiku-4-5")
        );
        assert_eq!(
            mantle_form("global.anthropic.claude-sonnet-4-6").as_deref(),
            Some("anthropic.claude-sonnet-4-6")
        );
        assert_eq!(
            mantle_form("anthropic.claude-opus-4-6-v1").as_deref(),
            Some("anthropic.claude-opus-4-6")
        );
        assert_eq!(
            profile_form("anthropic.claude-opus-4-6-v1", "eu").as_deref(),
            Some("eu.anthropic.claude-opus-4-6-v1")
        );
        assert_eq!(mantle_form("gpt-4o"), None);
    }
}
