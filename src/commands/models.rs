//! `claude-bedrock models`: the inference profiles this account can use in the region, grouped by
//! model family, newest first; `--probe` tries each with a one-token request.

use std::sync::Arc;

use futures_util::future::join_all;
use serde::Serialize;

use crate::aws::Clients;
use crate::aws::explain::{Attempt, explain};
use crate::aws::ops::{self, Probe, ProfileSummary};
use crate::cli::ModelsArgs;
use crate::config::EffectiveConfig;
use crate::config::models::ModelName;
use crate::knowledge::Family;
use crate::output::{Output, Palette};

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
pub fn rows(profiles: &[ProfileSummary], all: bool, home_prefix: &str) -> Vec<Row> {
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

pub struct ModelsOutcome {
    pub text: String,
    pub exit_code: u8,
}

pub async fn run(
    config: &EffectiveConfig,
    args: &ModelsArgs,
    out: &Output,
    timeout: std::time::Duration,
) -> ModelsOutcome {
    let clients = Arc::new(Clients::build(config, timeout).await);
    let list = match ops::list_profiles(&clients).await {
        Ok(list) => list,
        Err(failure) => {
            let attempt = Attempt::list_profiles(&clients);
            let e = explain(&failure, &attempt, config);
            let text = if out.is_json() {
                crate::render::json::error_document(&e.summary, Some(&e.fix))
            } else {
                String::new()
            };
            crate::output::print_stderr(&format!(
                "{} {}",
                Palette::fail().for_stderr().apply_to("error:"),
                crate::encoding::escape_controls(&e.summary)
            ));
            crate::output::print_stderr(&format!(
                "{} {}",
                Palette::fix().for_stderr().apply_to("fix:"),
                crate::encoding::escape_controls(&e.fix)
            ));
            return ModelsOutcome { text, exit_code: 1 };
        }
    };
    let home_prefix = crate::config::models::default_prefix_for_region(&config.region.value);
    let mut rows = rows(&list.profiles, args.all, home_prefix);
    if args.probe {
        probe_all(&clients, &mut rows, out).await;
    }
    let text = if out.is_json() {
        crate::render::json::to_string(&crate::render::models::to_json(config, &rows))
    } else {
        // The first model that did not answer, explained: the others usually fail alike.
        let failing = rows
            .iter()
            .filter(|r| r.probe.as_ref().is_some_and(|p| !p.ok))
            .count();
        let first_failure = rows.iter().find_map(|row| {
            let failure = row.probe.as_ref()?.failure.as_ref()?;
            let attempt = Attempt::invoke(&clients, false, row.model_id(), None);
            Some(explain(failure, &attempt, config))
        });
        crate::render::models::render_human(
            config,
            &rows,
            args.all,
            first_failure.map(|e| (failing, e)),
        )
    };
    ModelsOutcome { text, exit_code: 0 }
}

async fn probe_all(clients: &Arc<Clients>, rows: &mut [Row], out: &Output) {
    let bar = out.progress.then(|| {
        let bar = indicatif::ProgressBar::new(rows.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} probing {pos}/{len} {bar:30} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(PROBE_CONCURRENCY));
    let ids: Vec<String> = rows.iter().map(|r| r.model_id().to_string()).collect();
    let results = join_all(ids.iter().map(|id| {
        let permits = permits.clone();
        let bar = bar.clone();
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
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for (row, probe) in rows.iter_mut().zip(results) {
        row.probe = Some(probe);
    }
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
            models: models.iter().map(|m| m.to_string()).collect(),
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
