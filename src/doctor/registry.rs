//! The doctor's runner: the checks of the table in [`super::check_id`], in report order, each
//! computed from the facts it names.
//!
//! The runner gathers each kind of facts once — the live calls, the network path, the Mantle
//! session, the client — all at once, each bounded in time and guarded against a panic, and
//! then computes every check from them, each guarded too: a check that panics, or whose facts
//! could not be had, is a `fail` with the reason, never a crash or a missing document.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use crate::aws::Clients;
use crate::config::EffectiveConfig;
use crate::report::{CallRecord, CheckResult, Skip, Status};

pub use super::check_id::CheckId;
use super::checks;
use super::facts::client::{self, ClientFacts, ClientOptions};
use super::facts::live::{self, LiveFacts};
use super::facts::mantle::{self, MantleFacts};
use super::facts::network::{self, NetworkFacts};
use super::facts::sso::{self, SsoFacts};
use super::guarded;

/// The facts a check is computed from.
pub enum Run {
    /// The effective configuration alone (offline).
    Config(fn(&EffectiveConfig) -> CheckResult),
    /// The live AWS calls.
    Live(fn(&EffectiveConfig, &LiveFacts) -> CheckResult),
    /// The network path to every endpoint.
    Network(fn(&EffectiveConfig, &NetworkFacts) -> CheckResult),
    /// Local SSO caches, and the SSO endpoints' path when it was measured.
    Sso(fn(&EffectiveConfig, &SsoFacts) -> CheckResult),
    /// The Mantle session (its endpoint and models are measured together: the models are
    /// probed with the authentication the endpoint accepted).
    Mantle(fn(&EffectiveConfig, &MantleFacts) -> CheckResult),
    /// The `claude` binary, and what it did when it was run.
    Client(fn(&EffectiveConfig, &ClientFacts) -> CheckResult),
}

pub struct Check {
    pub id: CheckId,
    pub run: Run,
}

/// The list of checks to run, from the table in [`super::check_id`].
macro_rules! declare_checks {
    ($($variant:ident $id:literal $title:literal $area:ident $facts:ident ($($run:tt)*)),* $(,)?) => {
        /// Every check, in report order.
        pub const CHECKS: &[Check] = &[
            $(Check { id: CheckId::$variant, run: Run::$facts($($run)*) }),*
        ];
    };
}
super::check_id::with_checks!(declare_checks);

/// Why a check did not run, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRun {
    /// `--offline`.
    Offline,
    /// Mantle is not in use, or not asked for.
    NotWanted(String),
    /// Its facts could not be had: the gathering panicked or overran.
    FactsUnavailable(String),
}

impl NotRun {
    fn result(&self, check: &Check) -> CheckResult {
        match self {
            NotRun::Offline => {
                CheckResult::skipped(check.id.as_str(), check.id.title(), Skip::Offline, OFFLINE)
            }
            NotRun::NotWanted(reason) => CheckResult::skipped(
                check.id.as_str(),
                check.id.title(),
                Skip::NotInUse,
                reason.clone(),
            ),
            NotRun::FactsUnavailable(reason) => CheckResult::new(
                check.id.as_str(),
                check.id.title(),
                Status::Fail,
                format!("this check could not run: {reason}"),
            )
            .fix("This is a bug in claude-bedrock, or an endpoint that holds a connection open beyond every timeout; run with -v and report it."),
        }
    }
}

pub const OFFLINE: &str = "--offline: no network call made";

const MANTLE_ALONE: &str = "Mantle alone (no CLAUDE_CODE_USE_BEDROCK): Claude Code calls neither the Invoke API nor the control plane";

/// Only Mantle is switched on.
fn mantle_alone(config: &EffectiveConfig) -> bool {
    config.provider.mantle.is_some() && config.provider.bedrock.is_none()
}

/// What the doctor was asked to do.
pub struct Options {
    pub offline: bool,
    /// `--mantle`: check Mantle even when it is off.
    pub mantle: bool,
    pub client: ClientOptions,
    pub timeout: Duration,
}

/// What a doctor run produced.
pub struct Outcome {
    pub checks: Vec<CheckResult>,
    pub calls: Vec<CallRecord>,
    /// Where control-plane and runtime calls went (online only).
    pub endpoints: Option<(String, String)>,
    /// What the live calls measured, for what comes after the report (the remedies).
    pub live: Option<LiveFacts>,
    /// `claude --version`, when a client was found and answered.
    pub client_version: Option<super::defects::Version>,
}

/// Runs `future` within `limit`, turning a panic or an overrun into the reason.
async fn bounded<T>(
    what: &str,
    limit: Duration,
    future: impl Future<Output = T>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, AssertUnwindSafe(future).catch_unwind()).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(format!("gathering the {what} facts crashed")),
        Err(_) => Err(format!(
            "gathering the {what} facts did not finish within {} s",
            limit.as_secs()
        )),
    }
}

/// Gathers the facts and computes every check, in report order.
pub async fn run(config: &EffectiveConfig, options: &Options) -> Outcome {
    let timeout = options.timeout;
    let margin = Duration::from_secs(5);
    // The version, `auth status` (at most 10 s) and the rehearsal, one after the other.
    let client_limit =
        super::facts::client_run::trace_limit(timeout) + timeout + margin + Duration::from_secs(10);
    if options.offline {
        let client = bounded(
            "client",
            client_limit,
            client::gather(config, &options.client, None),
        )
        .await;
        let resolved = crate::aws::endpoints::Endpoints::offline(config).await;
        let sso = sso::gather(config, network::sso_path_offline(config, &resolved));
        let checks = CHECKS
            .iter()
            .map(|check| match &check.run {
                Run::Config(f) => guarded(check.id.as_str(), check.id.title(), || f(config)),
                Run::Sso(f) => guarded(check.id.as_str(), check.id.title(), || f(config, &sso)),
                Run::Client(f) => compute(check, &client, |facts| f(config, facts)),
                Run::Live(_) | Run::Network(_) | Run::Mantle(_) => NotRun::Offline.result(check),
            })
            .collect();
        return Outcome {
            checks: placed(checks),
            calls: Vec::new(),
            endpoints: None,
            live: None,
            client_version: client_version(&client),
        };
    }

    let clients = Arc::new(Clients::build(config, timeout).await);
    let mantle_wanted = mantle::wanted(config, options.mantle);
    let endpoints = network::endpoints(config, &clients.endpoints, mantle_wanted.is_ok());
    let trust = network::TrustEnv::from_config(config);
    let claude_trust = trust.claude_code();
    let client_future = bounded(
        "client",
        client_limit,
        client::gather(config, &options.client, Some(&clients)),
    );
    let live_future = bounded(
        "live AWS",
        timeout * 3 + margin,
        live::gather(config, clients.clone()),
    );
    let network_future = bounded(
        "network",
        timeout * 2 + margin,
        network::gather(config, endpoints, trust.clone(), timeout),
    );
    let mantle_future = async {
        match &mantle_wanted {
            Err(reason) => Err(NotRun::NotWanted(reason.clone())),
            Ok(why) => bounded(
                "Mantle",
                timeout * 4 + margin,
                mantle::gather(config, &clients, &claude_trust, why, timeout),
            )
            .await
            .map_err(NotRun::FactsUnavailable),
        }
    };
    let (live, network, mantle, client) =
        tokio::join!(live_future, network_future, mantle_future, client_future);
    let sso = sso::gather(
        config,
        network.as_ref().ok().and_then(NetworkFacts::sso_path),
    );
    let slowest = network
        .as_ref()
        .ok()
        .and_then(|facts| facts.endpoints.iter().map(|e| e.duration_ms).max())
        .unwrap_or(0);
    let checks = CHECKS
        .iter()
        .map(|check| match &check.run {
            Run::Config(f) => guarded(check.id.as_str(), check.id.title(), || f(config)),
            Run::Sso(f) => guarded(check.id.as_str(), check.id.title(), || f(config, &sso)),
            // With Mantle alone Claude Code calls neither the Invoke API nor the control plane:
            // nothing of theirs can fail it.
            Run::Live(_) if mantle_alone(config) && check.id != CheckId::AuthIdentity => {
                NotRun::NotWanted(MANTLE_ALONE.into()).result(check)
            }
            Run::Live(f) => compute(check, &live, |facts| f(config, facts)),
            Run::Network(f) => {
                let mut result = compute(check, &network, |facts| f(config, facts));
                result.duration_ms = slowest;
                result
            }
            Run::Mantle(f) => match &mantle {
                Ok(facts) => guarded(check.id.as_str(), check.id.title(), || f(config, facts)),
                Err(not_run) => not_run.result(check),
            },
            Run::Client(f) => compute(check, &client, |facts| f(config, facts)),
        })
        .collect();
    let mut calls = clients.log.snapshot();
    if let Ok(client) = &client {
        calls.extend(client.relayed_calls());
    }
    Outcome {
        checks: placed(checks),
        calls,
        endpoints: Some((
            clients.control_endpoint.clone(),
            clients.runtime_endpoint.clone(),
        )),
        live: live.ok(),
        client_version: client_version(&client),
    }
}

/// The client's version, when it was asked and answered.
fn client_version(client: &Result<ClientFacts, String>) -> Option<super::defects::Version> {
    let facts = client.as_ref().ok()?;
    let (version, _) = facts.version.as_ref()?.as_ref().ok()?;
    Some(*version)
}

/// Each result placed in its check's area of the report.
fn placed(mut checks: Vec<CheckResult>) -> Vec<CheckResult> {
    for check in &mut checks {
        check.area = CheckId::from_id(&check.id).map(CheckId::area);
    }
    checks
}

/// A check from facts that may not have been had.
fn compute<T>(
    check: &Check,
    facts: &Result<T, String>,
    f: impl FnOnce(&T) -> CheckResult,
) -> CheckResult {
    match facts {
        Ok(facts) => guarded(check.id.as_str(), check.id.title(), || f(facts)),
        Err(reason) => NotRun::FactsUnavailable(reason.clone()).result(check),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_the_documented_order() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id.as_str()).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id), "{id} twice");
        }
        assert_eq!(ids.first(), Some(&"settings.files"));
        assert_eq!(ids.last(), Some(&"client.bearer-trace"));
        // The registry runs the checks in the order the ids declare.
        let declared: Vec<CheckId> = CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(declared, CheckId::ALL);
        assert!(CHECKS.iter().all(|c| !c.id.title().is_empty()));
        assert_eq!(CheckId::from_id("iam.invoke"), Some(CheckId::IamInvoke));
    }

    #[tokio::test]
    async fn facts_that_panic_or_overrun_become_reasons() {
        let panicked: Result<(), String> =
            bounded("test", Duration::from_secs(1), async { panic!("boom") }).await;
        assert_eq!(panicked.unwrap_err(), "gathering the test facts crashed");
        let overran = bounded("test", Duration::from_millis(10), async {
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
        .await;
        assert!(overran.unwrap_err().contains("did not finish within"));
        let check = &CHECKS[6];
        let result = compute::<()>(check, &Err("it broke".into()), |_| unreachable!());
        assert_eq!(result.status, Status::Fail);
        assert_eq!(result.id, "auth.identity");
    }
}
