//! Step 2: the region Claude Code calls Bedrock in.

use super::{AuthChoice, SetupError, Wizard};
use crate::config::EffectiveConfig;
use crate::config::bearer;
use crate::config::region::{RegionKnown, RegionSource, known_region};

/// Regions offered in the region step, besides the one already resolved.
const REGION_CHOICES: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "eu-north-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "us-gov-west-1",
];

/// " (did you mean us-west-2?)", or nothing when no region is close.
fn did_you_mean(nearest: Option<&str>) -> String {
    nearest
        .map(|n| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}

/// What is wrong with a region code, in a few words, or `None` for a region AWS has (or may
/// have opened since this build: that is only a warning).
fn not_a_region(region: &str) -> Option<(String, Option<&'static str>)> {
    match known_region(region) {
        RegionKnown::Known | RegionKnown::Later { .. } => None,
        RegionKnown::Unknown { nearest } => Some((
            format!(
                "\"{region}\" is not a region AWS has{}",
                did_you_mean(nearest)
            ),
            nearest,
        )),
        RegionKnown::NotShaped { nearest } => Some((
            format!(
                "\"{region}\" is not a region code (they look like us-east-1){}",
                did_you_mean(nearest)
            ),
            nearest,
        )),
    }
}

impl Wizard<'_> {
    /// The region, and whether setup writes it (`AWS_REGION`): an explicit choice is written;
    /// the region Claude Code already resolves from the chosen profile is not, so that the
    /// profile stays the one place it is set. `before`: the answer given the last time the
    /// step was taken, offered first.
    pub(super) fn choose_region(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        flag: Option<String>,
        before: Option<&str>,
    ) -> Result<(String, bool), SetupError> {
        let resolved = current.region.value.clone();
        let from_profile = matches!(current.region.source, RegionSource::Profile { .. });
        let explicit = flag.is_some();
        let key_region = match auth {
            AuthChoice::Bearer { key } => bearer::analyze(key).region().map(str::to_string),
            _ => None,
        };
        let region = match flag {
            Some(region) if self.interactive() => match not_a_region(&region) {
                None => region,
                Some((problem, nearest)) => {
                    self.ui.warn(&format!("--region {problem}"));
                    self.correct_region(&region, nearest)?
                }
            },
            Some(region) => region,
            None if self.interactive() => {
                self.region_menu(current, key_region.as_deref(), before)?
            }
            None => key_region.clone().unwrap_or_else(|| resolved.clone()),
        };
        match known_region(&region) {
            RegionKnown::Known => {}
            RegionKnown::Later { nearest } => self.warn(format!(
                "{region} is not among the regions this claude-bedrock knows (did you mean {nearest}?); if AWS opened it recently, the checks that follow will tell"
            )),
            // Kept as typed on a terminal, or passed with --force: AWS may have opened it since.
            RegionKnown::Unknown { .. } if self.args.force || self.interactive() => {
                self.warn(format!(
                    "{region} is not a region this claude-bedrock knows; it is used as asked"
                ));
            }
            RegionKnown::Unknown { nearest } | RegionKnown::NotShaped { nearest } => {
                // Only without prompts: a person was offered the correction above.
                let (problem, _) = not_a_region(&region).unwrap_or_default();
                let whence = if explicit {
                    "--region".to_string()
                } else {
                    format!(
                        "the region (from {})",
                        current.region.source.describe(current.home())
                    )
                };
                return Err(SetupError::Usage {
                    message: format!("{whence}: {problem}"),
                    fix: match nearest {
                        Some(nearest) => format!("Pass --region {nearest}."),
                        None => "Pass a region code such as --region us-east-1.".into(),
                    },
                });
            }
        }
        if let Some(key_region) = key_region
            && key_region != region
        {
            self.warn(format!(
                "the API key was made for {key_region}; short-term keys work only in their own region, so calls to {region} will be rejected"
            ));
        }
        let write = explicit || region != resolved || !from_profile;
        if !write {
            self.ui.note(&format!(
                "→ {region}, as {} says; AWS_REGION is not written",
                current.region.source.describe(current.home())
            ));
        }
        Ok((region, write))
    }

    /// The resolved region first (with its source), the API key's region, the usual ones, and
    /// "Another region…". A resolved region AWS does not have is said so, and the region it
    /// was likely meant to be is offered next to it, preselected.
    fn region_menu(
        &mut self,
        current: &EffectiveConfig,
        key_region: Option<&str>,
        before: Option<&str>,
    ) -> Result<String, SetupError> {
        let resolved = current.region.value.clone();
        // "us-east-1 — from default us-east-1" says the region twice: the default is named so.
        let source = match &current.region.source {
            RegionSource::Default => "the default; nothing sets a region yet".to_string(),
            other => format!("from {}", other.describe(current.home())),
        };
        let mut items = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut default = 0;
        match not_a_region(&resolved) {
            None => items.push(format!("{resolved} — {source}")),
            Some((problem, nearest)) => {
                items.push(format!("{resolved} — {source}: {problem}"));
                if let Some(nearest) = nearest {
                    values.push(resolved.clone());
                    items.push(format!(
                        "{nearest} — the region \"{resolved}\" was likely meant to be"
                    ));
                    default = 1;
                    values.push(nearest.to_string());
                }
            }
        }
        if values.is_empty() {
            values.push(resolved.clone());
        }
        if let Some(r) = key_region
            && !values.iter().any(|v| v == r)
        {
            items.push(format!("{r} — the region the API key was made for"));
            values.push(r.to_string());
            default = values.len() - 1;
        }
        for r in REGION_CHOICES {
            if !values.iter().any(|v| v == r) {
                items.push((*r).to_string());
                values.push((*r).to_string());
            }
        }
        if let Some(before) = before {
            match values.iter().position(|v| v == before) {
                Some(at) => default = at,
                None => {
                    items.push(format!("{before} — your answer before"));
                    values.push(before.to_string());
                    default = values.len() - 1;
                }
            }
        }
        items.push("Another region…".into());
        let picked = self.prompt_select("Which region should Claude Code use?", &items, default)?;
        if let Some(value) = values.get(picked) {
            if value == &resolved && not_a_region(value).is_some() {
                let nearest = not_a_region(value).and_then(|(_, n)| n);
                return self.correct_region(value, nearest);
            }
            return Ok(value.clone());
        }
        self.typed_region()
    }

    /// A region typed in, until it is one AWS has (or one it may have opened since); an empty
    /// answer goes back to the list.
    fn typed_region(&mut self) -> Result<String, SetupError> {
        loop {
            let Some(prompter) = self.prompter.as_deref_mut() else {
                return Err(SetupError::Cancelled);
            };
            let typed = prompter.input("Region code (empty: back)", None)?;
            let typed = typed.trim().to_string();
            match not_a_region(&typed) {
                None => return Ok(typed),
                Some((problem, nearest)) => {
                    self.ui.warn(&problem);
                    match self.correct_region(&typed, nearest) {
                        // Escape at the correction: type it again.
                        Err(SetupError::Back) => {}
                        other => return other,
                    }
                }
            }
        }
    }

    /// For a code that is no region: the one it was likely meant to be, typing another, or (for
    /// one shaped like a region, which AWS may have opened after this build) keeping it.
    fn correct_region(
        &mut self,
        wrong: &str,
        nearest: Option<&'static str>,
    ) -> Result<String, SetupError> {
        let mut items = Vec::new();
        let mut values: Vec<Option<String>> = Vec::new();
        if let Some(nearest) = nearest {
            items.push(format!("Use {nearest}"));
            values.push(Some(nearest.to_string()));
        }
        items.push("Type another region".to_string());
        values.push(None);
        if matches!(known_region(wrong), RegionKnown::Unknown { .. }) {
            items.push(format!(
                "Use \"{wrong}\" as typed (a region newer than this claude-bedrock?)"
            ));
            values.push(Some(wrong.to_string()));
        }
        let picked =
            self.prompt_select(&format!("\"{wrong}\" is not a region AWS has"), &items, 0)?;
        match &values[picked] {
            Some(region) => Ok(region.clone()),
            None => self.typed_region(),
        }
    }
}
