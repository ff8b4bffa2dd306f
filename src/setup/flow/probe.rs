//! Steps 3–5: the live calls made with the pending configuration, before anything is written.

use std::sync::Arc;
use std::time::Duration;

use console::style;
use futures_util::future::join_all;

use super::{AuthChoice, ProbeResult, SetupError, Wizard};
use crate::aws::Clients;
use crate::aws::explain::{Attempt, explain};
use crate::aws::ops::{self, ProfileList};
use crate::catalogue::Candidate;
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelName};

/// Probes in flight at once.
const PROBE_CONCURRENCY: usize = 8;

impl Wizard<'_> {
    // ── 3. Verify ────────────────────────────────────────────────────────────────────────────

    pub(super) async fn verify(
        &mut self,
        pending: &EffectiveConfig,
        clients: &Clients,
        auth: &AuthChoice,
    ) -> Result<(), SetupError> {
        let spinner = self.ui.spinner("Checking the credentials…");
        let (operation, action, endpoint, result) = match auth {
            AuthChoice::Bearer { .. } => (
                "ListInferenceProfiles",
                "bedrock:ListInferenceProfiles",
                clients.control_endpoint.clone(),
                ops::list_profiles(clients).await.map(|l| {
                    format!(
                        "the API key works ({} inference profiles visible)",
                        l.profiles.len()
                    )
                }),
            ),
            _ => (
                "GetCallerIdentity",
                "sts:GetCallerIdentity",
                "STS".to_string(),
                ops::caller_identity(clients)
                    .await
                    .map(|id| format!("signed in as {} (account {})", id.arn, id.account)),
            ),
        };
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        if let Some(err) = &clients.credential_error {
            return self.refuse_or_continue(err.message.clone(), err.fix.clone());
        }
        match result {
            Ok(message) => {
                self.ui
                    .note(&format!("{} {message}", style("✓").green().for_stderr()));
                Ok(())
            }
            Err(failure) => {
                let attempt = Attempt {
                    operation,
                    action,
                    endpoint: &endpoint,
                    model: None,
                    auth: clients.auth,
                    profiles: None,
                    timeout: clients.timeout,
                    region: None,
                };
                let e = explain(&failure, &attempt, pending);
                self.refuse_or_continue(e.summary, e.fix)
            }
        }
    }

    fn refuse_or_continue(&mut self, message: String, fix: String) -> Result<(), SetupError> {
        self.ui
            .note(&format!("{} {message}", style("✗").red().for_stderr()));
        self.ui
            .note(&format!("{} {fix}", style("fix:").cyan().for_stderr()));
        if self.args.force {
            self.warnings.push(format!(
                "verification failed, continuing because of --force: {message}"
            ));
            return Ok(());
        }
        if self.interactive() && self.prompt_confirm("Continue anyway?", false)? {
            self.warnings
                .push(format!("verification failed: {message}"));
            return Ok(());
        }
        Err(SetupError::Refused { message, fix })
    }

    // ── 4. Discover ──────────────────────────────────────────────────────────────────────────

    pub(super) async fn discover(
        &mut self,
        pending: &EffectiveConfig,
        clients: &Clients,
    ) -> Result<ProfileList, SetupError> {
        let spinner = self.ui.spinner("Listing inference profiles…");
        let result = ops::list_profiles(clients).await;
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        match result {
            Ok(list) => {
                let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
                self.ui.note(&format!(
                    "{} inference profiles in {}, {anthropic} of them Anthropic",
                    list.profiles.len(),
                    pending.region.value
                ));
                Ok(list)
            }
            Err(failure) => {
                let attempt = Attempt::list_profiles(clients);
                let e = explain(&failure, &attempt, pending);
                self.refuse_or_continue(e.summary, e.fix)?;
                Ok(ProfileList::default())
            }
        }
    }

    // ── 5. Probe ─────────────────────────────────────────────────────────────────────────────

    pub(super) fn explicit_pins(&self) -> Vec<(&'static str, String)> {
        [
            ("opus", &self.args.opus),
            ("sonnet", &self.args.sonnet),
            ("haiku", &self.args.haiku),
            ("primary", &self.args.model),
        ]
        .into_iter()
        .filter_map(|(tier, id)| id.as_ref().map(|id| (tier, ModelId::parse(id).id)))
        .collect()
    }

    pub(super) async fn probe(
        &self,
        clients: &Clients,
        candidates: &[Candidate],
        explicit: &[(&'static str, String)],
    ) -> Vec<ProbeResult> {
        let mut targets: Vec<(&'static str, String, Option<String>)> = candidates
            .iter()
            .map(|c| (c.tier, c.id.clone(), c.model.clone()))
            .collect();
        for (tier, id) in explicit {
            if !targets.iter().any(|(_, t, _)| t == id) {
                targets.push((tier, id.clone(), ModelName::parse(id).map(|n| n.display())));
            }
        }
        let multi = self.ui.progress.then(indicatif::MultiProgress::new);
        let style_running = indicatif::ProgressStyle::with_template("  {spinner} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        let permits = Arc::new(tokio::sync::Semaphore::new(PROBE_CONCURRENCY));
        let results = join_all(targets.iter().map(|(tier, id, model)| {
            let bar = multi.as_ref().map(|m| {
                let bar = m.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(style_running.clone());
                bar.set_message(id.clone());
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            });
            let permits = permits.clone();
            async move {
                let _permit = permits.acquire().await;
                let (invoke, stream) = tokio::join!(
                    ops::invoke(clients, id, None),
                    ops::invoke_stream(clients, id, None)
                );
                let result = ProbeResult {
                    tier,
                    id: id.clone(),
                    model: model.clone(),
                    invoke,
                    stream,
                };
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                result
            }
        }))
        .await;
        if let Some(multi) = multi {
            let _ = multi.clear();
        }
        // The results once all are in, in columns: what answered, how fast, or why not.
        self.ui.lines(&crate::render::setup::probe_lines(&results));
        results
    }
}
