//! Step 2: the region Claude Code calls Bedrock in.

use super::{AuthChoice, SetupError, Wizard};
use crate::config::EffectiveConfig;
use crate::config::bearer;
use crate::config::region::is_region_shaped;

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

impl Wizard<'_> {
    /// The region, and whether setup writes it (`AWS_REGION`): an explicit choice is written;
    /// the region Claude Code already resolves from the chosen profile is not, so that the
    /// profile stays the one place it is set.
    pub(super) fn choose_region(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        flag: Option<String>,
    ) -> Result<(String, bool), SetupError> {
        let resolved = current.region.value.clone();
        let from_profile = matches!(
            current.region.source,
            crate::config::region::RegionSource::Profile { .. }
        );
        let explicit = flag.is_some();
        let key_region = match auth {
            AuthChoice::Bearer { key } => bearer::analyze(key).region().map(str::to_string),
            _ => None,
        };
        let region = match flag {
            Some(region) => region,
            None if self.interactive() => {
                let mut items = vec![format!(
                    "{resolved} — from {}",
                    current.region.source.describe(current.home())
                )];
                let mut values = vec![resolved.clone()];
                if let Some(r) = &key_region
                    && r != &resolved
                {
                    items.push(format!("{r} — the region the API key was made for"));
                    values.push(r.clone());
                }
                let others: Vec<&str> = REGION_CHOICES
                    .iter()
                    .copied()
                    .filter(|r| !values.iter().any(|v| v == r))
                    .collect();
                for r in others {
                    items.push(r.to_string());
                    values.push(r.to_string());
                }
                items.push("Another region…".into());
                let default = if key_region.as_deref().is_some_and(|r| r != resolved) {
                    1
                } else {
                    0
                };
                let picked =
                    self.prompt_select("Which region should Claude Code use?", &items, default)?;
                if picked < values.len() {
                    values[picked].clone()
                } else {
                    loop {
                        let Some(prompter) = self.prompter.as_deref_mut() else {
                            return Err(SetupError::Cancelled);
                        };
                        let typed = prompter.input("Region code", None)?;
                        if is_region_shaped(typed.trim()) {
                            break typed.trim().to_string();
                        }
                        self.ui
                            .warn("a region code looks like us-east-1; try again");
                    }
                }
            }
            None => key_region.clone().unwrap_or_else(|| resolved.clone()),
        };
        if !is_region_shaped(&region) {
            return Err(SetupError::Usage {
                message: format!("\"{region}\" is not a region code"),
                fix: "Pass a region such as --region us-east-1.".into(),
            });
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
}
