//! The managed model policy as the client applies it (≥ 2.1.283, read from the 2.1.337
//! binary's settings descriptions): `deniedModels` blocks models whatever else allows them, and
//! `availableModels` allows them, matched by prefix (the default) or, with
//! `availableModelsMatch: "exact"`, by version.
//!
//! - A family alias (`opus`) names the whole family; `best`, `opusplan` and `default` name a
//!   different model depending on the release and are ignored.
//! - A denied model ID blocks that version in every spelling (dates, `-fast`, provider prefixes
//!   and `[1m]` aside): `claude-opus-5-5` blocks Opus 5.5 but not Opus 5; an ID without a minor
//!   version (`claude-opus-5`) also blocks the later minor versions.
//! - An allowed entry, by prefix, also allows every ID that extends it (`claude-opus-5` allows
//!   `claude-opus-5-5`); exactly, it allows that version only (dated and `-fast` IDs included).
//!   An entry with a path (`route/claude-opus-5`) does not allow the plain ID.

use crate::knowledge::Family;

use super::models::{KNOWN_PREFIXES, ModelId};

/// A model version named by a policy entry: its family, major and, when written, minor version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Named {
    family: Family,
    major: u32,
    minor: Option<u32>,
}

/// What one policy entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Family(Family),
    Version(Named),
    /// Not a Claude model name: compared as written (prefix and `anthropic.` aside).
    Other(String),
    /// An alias whose model depends on the release.
    Ignored,
}

fn family_of(word: &str) -> Option<Family> {
    match word {
        "opus" => Some(Family::Opus),
        "sonnet" => Some(Family::Sonnet),
        "haiku" => Some(Family::Haiku),
        _ => None,
    }
}

/// The ID as the policy compares it: lower case, without `[1m]`, a provider prefix or
/// `anthropic.`; a path stays (it is part of the name).
fn base(text: &str) -> String {
    let mut text = text.trim().to_ascii_lowercase();
    for tag in ["[1m]", "[2m]"] {
        if let Some(rest) = text.strip_suffix(tag) {
            text = rest.to_string();
        }
    }
    // An ARN's resource: `…:inference-profile/us.anthropic.claude-…`.
    if text.starts_with("arn:")
        && let Some((_, resource)) = text.rsplit_once('/')
    {
        text = resource.to_string();
    }
    let (path, name) = match text.rsplit_once('/') {
        Some((path, name)) => (format!("{path}/"), name.to_string()),
        None => (String::new(), text),
    };
    let name = match name.split_once('.') {
        Some((prefix, rest)) if KNOWN_PREFIXES.contains(&prefix) => rest.to_string(),
        _ => name,
    };
    let name = name.strip_prefix("anthropic.").unwrap_or(&name).to_string();
    format!("{path}{name}")
}

/// The version a Claude model name carries: `claude-opus-4-5-20251101` → Opus 4.5,
/// `claude-opus-5` → Opus 5 with no minor, `claude-3-5-sonnet` → Sonnet 3.5.
fn named(name: &str) -> Option<Named> {
    let rest = name.strip_prefix("claude-").unwrap_or(name);
    let parts: Vec<&str> = rest.split(['-', ':', '.']).collect();
    let at = parts.iter().position(|p| family_of(p).is_some())?;
    let family = family_of(parts[at])?;
    let small = |p: &&&str| p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    let after: Vec<u32> = parts[at + 1..]
        .iter()
        .take_while(small)
        .filter_map(|p| p.parse().ok())
        .collect();
    let before: Vec<u32> = parts[..at]
        .iter()
        .filter(small)
        .filter_map(|p| p.parse().ok())
        .collect();
    let version = if after.is_empty() { before } else { after };
    Some(Named {
        family,
        major: *version.first()?,
        minor: version.get(1).copied(),
    })
}

fn entry(text: &str) -> Entry {
    let text = base(text);
    if matches!(text.as_str(), "best" | "opusplan" | "default" | "") {
        return Entry::Ignored;
    }
    if let Some(family) = family_of(&text) {
        return Entry::Family(family);
    }
    if !text.contains('/') {
        let name = if text.starts_with("claude-") {
            text.clone()
        } else {
            format!("claude-{text}")
        };
        if let Some(version) = named(&name) {
            return Entry::Version(version);
        }
    }
    Entry::Other(text)
}

/// The model a pin names, for the policy: its version when it is a Claude model.
fn model_of(id: &ModelId) -> Option<Named> {
    let name = id.model?;
    Some(Named {
        family: name.family,
        major: name.major,
        minor: Some(name.minor),
    })
}

/// Whether the `deniedModels` entry `denied` blocks this pinned model.
pub fn denies(denied: &str, id: &ModelId) -> bool {
    let model = model_of(id);
    match entry(denied) {
        Entry::Ignored => false,
        Entry::Family(family) => model.is_some_and(|m| m.family == family),
        Entry::Version(blocked) => model.is_some_and(|m| {
            m.family == blocked.family
                && m.major == blocked.major
                && blocked.minor.is_none_or(|minor| m.minor == Some(minor))
        }),
        Entry::Other(text) => base(&id.id) == text,
    }
}

/// Whether the `availableModels` entry `allowed` allows this pinned model, by prefix or
/// (`exact`) by version.
pub fn allows(allowed: &str, id: &ModelId, exact: bool) -> bool {
    let pinned = base(&id.id);
    match entry(allowed) {
        Entry::Ignored => false,
        Entry::Family(family) => model_of(id).is_some_and(|m| m.family == family),
        Entry::Version(version) if exact => model_of(id).is_some_and(|m| {
            m.family == version.family
                && m.major == version.major
                && m.minor == Some(version.minor.unwrap_or(0))
        }),
        Entry::Version(_) => {
            let written = base(allowed);
            let written = if written.starts_with("claude-") {
                written
            } else {
                format!("claude-{written}")
            };
            pinned.starts_with(&written)
        }
        Entry::Other(text) if exact => pinned == text,
        Entry::Other(text) => pinned.starts_with(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ModelId {
        ModelId::parse(text)
    }

    #[test]
    fn a_denied_version_blocks_every_spelling_of_it_and_no_other_version() {
        let opus_5_5 = id("global.anthropic.claude-opus-5-5");
        let opus_5 = id("us.anthropic.claude-opus-5[1m]");
        let opus_4_6 = id("us.anthropic.claude-opus-4-6-v1");
        assert!(denies("claude-opus-5-5", &opus_5_5));
        assert!(!denies("claude-opus-5-5", &opus_5), "not Opus 5");
        assert!(denies("claude-opus-5", &opus_5));
        assert!(
            denies("claude-opus-5", &opus_5_5),
            "no minor: later minors too"
        );
        assert!(!denies("claude-opus-5", &opus_4_6));
        assert!(denies("CLAUDE-OPUS-5[1m]", &opus_5), "case and [1m] aside");
        assert!(denies("us.anthropic.claude-opus-4-6-v1", &opus_4_6));
        assert!(denies("claude-opus-4-6-20260101", &opus_4_6), "dates aside");
        assert!(denies("opus", &opus_4_6), "a family alias");
        assert!(!denies("sonnet", &opus_4_6));
        for ignored in ["best", "opusplan", "default", ""] {
            assert!(!denies(ignored, &opus_4_6), "{ignored}");
        }
        assert!(denies(
            "claude-haiku-4-5",
            &id("us.anthropic.claude-haiku-4-5-20251001-v1:0")
        ));
        assert!(denies(
            "claude-3-5-sonnet",
            &id("anthropic.claude-3-5-sonnet-20241022-v2:0")
        ));
    }

    #[test]
    fn an_allowed_entry_matches_by_prefix_unless_exact() {
        let opus_5_5 = id("global.anthropic.claude-opus-5-5");
        let opus_5 = id("us.anthropic.claude-opus-5");
        assert!(allows("claude-opus-5", &opus_5_5, false), "prefix");
        assert!(!allows("claude-opus-5", &opus_5_5, true), "exact");
        assert!(allows("claude-opus-5", &opus_5, true));
        assert!(allows(
            "opus-4-5",
            &id("us.anthropic.claude-opus-4-5-20251101-v1:0"),
            false
        ));
        assert!(
            allows("opus", &opus_5_5, true),
            "a family alias allows the family"
        );
        assert!(!allows("sonnet", &opus_5_5, false));
        assert!(
            !allows("route/claude-opus-5", &opus_5, false),
            "a path is part of it"
        );
        assert!(allows("us.anthropic.claude-opus-5", &opus_5, true));
    }
}
