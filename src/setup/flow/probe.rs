//! Steps 3–5: the live calls made with the pending configuration, before anything is written.

use std::sync::Arc;

use console::style;
use futures_util::future::join_all;

use super::{AuthChoice, ProbeResult, SetupError, Step, Wizard};
use crate::aws::Clients;
use crate::aws::errors::Failure;
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
                ops::caller_identity(clients).await.map(|id| {
                    format!(
                        "signed in as {} (account {})",
                        identity(&id.arn),
                        id.account
                    )
                }),
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

    /// A failed check: said with its fix; then, on a terminal, back to the credentials or the
    /// region, on without it, or stop. `--force` goes on; otherwise, without prompts, stop.
    fn refuse_or_continue(&mut self, message: String, fix: String) -> Result<(), SetupError> {
        let fix = within_setup(&fix, self.interactive());
        self.ui
            .note(&format!("{} {message}", style("✗").red().for_stderr()));
        self.ui
            .note(&format!("{} {fix}", style("fix:").cyan().for_stderr()));
        if self.args.force {
            self.record(format!(
                "verification failed, continuing because of --force: {message}"
            ));
            return Ok(());
        }
        if !self.interactive() {
            return Err(SetupError::Refused { message, fix });
        }
        let items = vec![
            format!(
                "Go back to {}: other credentials",
                self.step_name(Step::Auth)
            ),
            format!(
                "Go back to {}: another region",
                self.step_name(Step::Region)
            ),
            "Continue anyway, unverified".to_string(),
            "Stop here; nothing is written".to_string(),
        ];
        match self.prompt_select("The check failed. What now?", &items, 0)? {
            0 => Err(SetupError::GoTo(Step::Auth)),
            1 => Err(SetupError::Back),
            2 => {
                self.record(format!("verification failed: {message}"));
                Ok(())
            }
            _ => Err(SetupError::Refused { message, fix }),
        }
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
        // One line for all of them: how many have answered, and for how long it has run.
        let bar = self.ui.probe_progress(targets.len());
        let permits = Arc::new(tokio::sync::Semaphore::new(PROBE_CONCURRENCY));
        let results = join_all(targets.iter().map(|(tier, id, model)| {
            let permits = permits.clone();
            let bar = bar.clone();
            async move {
                let _permit = permits.acquire().await;
                let (invoke, stream) = tokio::join!(
                    ops::invoke(clients, id, None),
                    ops::invoke_stream(clients, id, None)
                );
                if let Some(bar) = bar {
                    bar.inc(1);
                }
                ProbeResult {
                    tier,
                    id: id.clone(),
                    model: model.clone(),
                    invoke,
                    stream,
                }
            }
        }))
        .await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        results
    }

    /// The results once all are in, in columns: what answered, how fast, or why not. When none
    /// answered for one reason (the runtime unreachable, say), [`Self::none_answered`] says it
    /// once instead of a line per model.
    pub(super) fn show_probes(&self, results: &[ProbeResult]) {
        let kinds: std::collections::BTreeSet<&str> = results
            .iter()
            .filter_map(|p| p.invoke.failure.as_ref().or(p.stream.failure.as_ref()))
            .map(|f| f.kind.name())
            .collect();
        let none_answered = !results.iter().any(ProbeResult::works);
        if none_answered && kinds.len() <= 1 {
            return;
        }
        self.ui.lines(&crate::render::setup::probe_lines(
            results,
            self.ui.width.saturating_sub(2),
        ));
    }

    /// When not one candidate answers, one diagnosis for all of them: the failure most of them
    /// share, explained as the doctor explains it (the endpoint, the likely cause, the fix).
    /// Then, on a terminal: on without a model that answers, back, or stop; without prompts, on
    /// (the result says the pins are not verified).
    pub(super) fn none_answered(
        &mut self,
        pending: &EffectiveConfig,
        clients: &Clients,
        probes: &[ProbeResult],
    ) -> Result<(), SetupError> {
        self.unverified = false;
        if probes.is_empty() || probes.iter().any(ProbeResult::works) {
            return Ok(());
        }
        let failures: Vec<(&ProbeResult, bool, &Failure)> = probes
            .iter()
            .filter_map(|p| match (&p.invoke.failure, &p.stream.failure) {
                (Some(f), _) => Some((p, false, f)),
                (None, Some(f)) => Some((p, true, f)),
                (None, None) => None,
            })
            .collect();
        let count = |name: &str| {
            failures
                .iter()
                .filter(|(_, _, f)| f.kind.name() == name)
                .count()
        };
        let Some((probe, stream, failure)) = failures
            .iter()
            .max_by_key(|(_, _, f)| count(f.kind.name()))
            .copied()
        else {
            return Ok(());
        };
        let attempt = Attempt::invoke(clients, stream, &probe.id, None);
        let e = explain(failure, &attempt, pending);
        let fix = within_setup(&e.fix, self.interactive());
        let message = format!(
            "none of the {} models answered; {}",
            probes.len(),
            e.summary
        );
        self.ui
            .note(&format!("{} {message}", style("✗").red().for_stderr()));
        self.ui
            .note(&format!("{} {fix}", style("fix:").cyan().for_stderr()));
        // Without prompts there is no one to ask: on, unverified, as the result says (a pin
        // given by flag that did not answer is still refused without --force).
        if self.args.force || !self.interactive() {
            self.unverified = true;
            self.record(format!("{message}; the pins are not verified"));
            return Ok(());
        }
        let items = vec![
            "Continue: choose the models anyway (not verified)".to_string(),
            format!(
                "Go back to {}: another region",
                self.step_name(Step::Region)
            ),
            format!(
                "Go back to {}: other credentials",
                self.step_name(Step::Auth)
            ),
            "Stop here; nothing is written".to_string(),
        ];
        match self.prompt_select("No model answered. What now?", &items, 0)? {
            0 => {
                self.unverified = true;
                self.record(format!("{message}; the pins are not verified"));
                Ok(())
            }
            1 => Err(SetupError::Back),
            2 => Err(SetupError::GoTo(Step::Auth)),
            _ => Err(SetupError::Refused { message, fix }),
        }
    }
}

/// An ARN without its `arn:aws:sts::ACCOUNT:` lead, which the line says apart: the role and
/// session are what tell one sign-in from another, and fit a line more often.
fn identity(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

/// A fix said inside setup: the explanations are the doctor's, and where they send the person to
/// `claude-bedrock setup`, setup's own way is other credentials — step 1, or other flags.
fn within_setup(fix: &str, interactive: bool) -> String {
    let other = if interactive {
        "go back to step 1 and choose other credentials"
    } else {
        "pass other credentials (--auth, --profile)"
    };
    let lead = format!("{}{}, or run ", other[..1].to_uppercase(), &other[1..]);
    fix.replace("Run `claude-bedrock setup`, or ", &lead)
        .replace(
            "Configure credentials for Claude Code: `claude-bedrock setup`, or ",
            &lead,
        )
        .replace("`claude-bedrock setup`", other)
}

#[cfg(test)]
mod tests {
    use super::within_setup;

    #[test]
    fn a_fix_inside_setup_does_not_send_to_setup() {
        for (fix, interactive) in [
            (
                "Run `claude-bedrock setup`, or `aws configure sso` and set AWS_PROFILE, or set AWS_BEARER_TOKEN_BEDROCK.",
                true,
            ),
            (
                "Configure credentials for Claude Code: `claude-bedrock setup`, or `aws configure sso` and AWS_PROFILE.",
                false,
            ),
        ] {
            let shown = within_setup(fix, interactive);
            assert!(!shown.contains("claude-bedrock setup"), "{shown}");
            let lead = if interactive {
                "Go back to step 1"
            } else {
                "Pass other credentials"
            };
            assert!(shown.starts_with(lead), "{shown}");
        }
    }
}
