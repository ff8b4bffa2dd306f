//! The account's model catalogue: its inference profiles in the region, as rows grouped by model
//! family (newest first, the region's own prefix first), each probed on request. `models` lists
//! them; the wizard and the fix choose among them.

use std::sync::Arc;

use futures_util::future::join_all;
use serde::Serialize;

use crate::aws::Clients;
use crate::aws::ops::{self, Probe, ProfileList, ProfileSummary};
use crate::config::models::{ModelName, PrefixFit, default_prefix_for_region, prefix_fit};
use crate::knowledge::Family;

/// At most this many probes in flight: enough to be quick, few enough not to trip throttling.
const PROBE_CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub prefix: Option<String>,
    pub family: Option<Family>,
    pub model: Option<String>,
    #[serde(skip)]
    recency: (u32, u32, u32),
    pub probe: Option<Probe>,
}

impl Row {
    fn from(profile: &ProfileSummary) -> Row {
        let name = ModelName::parse(&profile.id)
            .or_else(|| profile.models.iter().find_map(|m| ModelName::parse(m)));
        let prefix = (!profile.is_application())
            .then(|| profile.id.split_once('.').map(|(p, _)| p.to_string()))
            .flatten();
        Row {
            id: profile.id.clone(),
            arn: profile.arn.clone(),
            name: profile.name.clone(),
            kind: if profile.is_application() {
                "application".into()
            } else {
                "system".into()
            },
            prefix,
            family: name.map(|n| n.family),
            model: name.map(|n| n.display()),
            recency: name.map(|n| n.recency()).unwrap_or_default(),
            probe: None,
        }
    }

    /// What Claude Code should be given for this profile: the ID, or the ARN for application ones.
    pub fn model_id(&self) -> &str {
        if self.kind == "application" {
            &self.arn
        } else {
            &self.id
        }
    }
}

/// The rows, Anthropic families first (Opus, Sonnet, Haiku), newest first within each.
/// `home_prefix` (the region's own cross-region prefix) sorts first among equal models.
pub(crate) fn rows(profiles: &[ProfileSummary], all: bool, home_prefix: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = profiles
        .iter()
        .filter(|p| all || p.is_anthropic())
        .map(Row::from)
        .collect();
    rows.sort_by(|a, b| {
        let family = |r: &Row| r.family.map(|f| f as u8).unwrap_or(u8::MAX);
        family(a)
            .cmp(&family(b))
            .then(b.recency.cmp(&a.recency))
            .then(
                (b.prefix.as_deref() == Some(home_prefix))
                    .cmp(&(a.prefix.as_deref() == Some(home_prefix))),
            )
            .then(a.kind.cmp(&b.kind).reverse())
            .then(a.id.cmp(&b.id))
    });
    rows
}

/// Sends each row's model a one-token request, a few at a time, counting them on `bar`.
pub(crate) async fn probe_all(
    clients: &Arc<Clients>,
    rows: &mut [Row],
    bar: Option<&indicatif::ProgressBar>,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(PROBE_CONCURRENCY));
    let ids: Vec<String> = rows.iter().map(|r| r.model_id().to_string()).collect();
    let results = join_all(ids.iter().map(|id| {
        let permits = permits.clone();
        async move {
            let _permit = permits.acquire().await;
            let probe = ops::invoke(clients, id, None).await;
            if let Some(bar) = &bar {
                bar.set_message(id.clone());
                bar.inc(1);
            }
            probe
        }
    }))
    .await;
    for (row, probe) in rows.iter_mut().zip(results) {
        row.probe = Some(probe);
    }
}

/// Candidates probed per tier: the newest few are what anyone pins.
const CANDIDATES_PER_TIER: usize = 4;

/// A model that can be pinned for a tier.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub tier: &'static str,
    pub family: Family,
    /// What gets pinned: the profile ID, or the ARN of an application profile.
    pub id: String,
    pub model: Option<String>,
    recency: (u32, u32, u32),
    /// 0: the region's own prefix, 1: another prefix (global.), 2: an application profile.
    rank: u8,
}

/// Per tier: the Anthropic profiles callable from `region`, newest first, the region's own
/// prefix first, application profiles included; the newest few of each.
pub(crate) fn candidates(list: &ProfileList, region: &str) -> Vec<Candidate> {
    let home_prefix = default_prefix_for_region(region);
    let mut all: Vec<Candidate> = list
        .profiles
        .iter()
        .filter(|p| p.is_anthropic() && p.status == "ACTIVE")
        .filter_map(|p: &ProfileSummary| {
            let name = ModelName::parse(&p.id)
                .or_else(|| p.models.iter().find_map(|m| ModelName::parse(m)))?;
            let (id, rank) = if p.is_application() {
                (p.arn.clone(), 2)
            } else {
                let prefix = p.id.split('.').next().unwrap_or("");
                if prefix_fit(prefix, region) != PrefixFit::Fits {
                    return None;
                }
                (p.id.clone(), if prefix == home_prefix { 0 } else { 1 })
            };
            Some(Candidate {
                tier: name.family.name(),
                family: name.family,
                id,
                model: Some(name.display()),
                recency: name.recency(),
                rank,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        (a.family as u8)
            .cmp(&(b.family as u8))
            .then(b.recency.cmp(&a.recency))
            .then(a.rank.cmp(&b.rank))
            .then(a.id.cmp(&b.id))
    });
    let mut picked = Vec::new();
    for family in Family::ALL {
        picked.extend(
            all.iter()
                .filter(|c| c.family == family)
                .take(CANDIDATES_PER_TIER)
                .cloned(),
        );
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(id: &str, kind: &str, models: &[&str]) -> ProfileSummary {
        ProfileSummary {
            id: id.into(),
            arn: format!("arn:aws:bedrock:us-east-1:1:inference-profile/{id}"),
            name: id.into(),
            kind: kind.into(),
            status: "ACTIVE".into(),
            models: models
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        }
    }

    #[test]
    fn rows_group_by_family_newest_first_and_hide_others() {
        let profiles = vec![
            profile(
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "SYSTEM_DEFINED",
                &[],
            ),
            profile("us.amazon.nova-pro-v1:0", "SYSTEM_DEFINED", &[]),
            profile(
                "us.anthropic.claude-opus-4-5-20251101-v1:0",
                "SYSTEM_DEFINED",
                &[],
            ),
            profile("us.anthropic.claude-sonnet-4-6", "SYSTEM_DEFINED", &[]),
            profile("us.anthropic.claude-opus-4-6-v1", "SYSTEM_DEFINED", &[]),
            profile(
                "team-opus",
                "APPLICATION",
                &["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1"],
            ),
        ];
        let ids: Vec<String> = rows(&profiles, false, "us")
            .iter()
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(
            ids,
            [
                "us.anthropic.claude-opus-4-6-v1",
                "team-opus",
                "us.anthropic.claude-opus-4-5-20251101-v1:0",
                "us.anthropic.claude-sonnet-4-6",
                "us.anthropic.claude-haiku-4-5-20251001-v1:0"
            ]
        );
        let all = rows(&profiles, true, "us");
        assert_eq!(all.last().unwrap().id, "us.amazon.nova-pro-v1:0");
        assert_eq!(
            all[1].model_id(),
            "arn:aws:bedrock:us-east-1:1:inference-profile/team-opus"
        );
    }
}
