//! The user's Claude Code, measured: where it is, what `--version` says, and what it did when it
//! was run (the rehearsal, or a run against the loopback fake).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::EffectiveConfig;
use crate::report::Skip;

use super::claude_bin::{AuthStatus, Claude, locate, run_auth_status, run_version};
use super::client_run::{ClientRun, NotRun};
use crate::aws::Clients;
use crate::doctor::defects::Version;

/// Whether the user's own `claude` is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rehearse {
    /// Online, when a `claude` is found.
    #[default]
    Auto,
    /// `--client`: offline too (against a loopback fake).
    Always,
    /// `--no-client`.
    Never,
}

/// What the doctor was asked about the client.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// `--claude-bin`; otherwise `claude` is looked up on the effective PATH.
    pub claude_bin: Option<PathBuf>,
    pub rehearse: Rehearse,
    /// A recent rehearsal of the same client and configuration may stand in (not `--no-cache`).
    pub use_cache: bool,
    pub timeout: Duration,
}

/// What the client checks measured: where `claude` is, what `--version` says, and what it did
/// when it was run.
pub struct ClientFacts {
    pub located: Result<Claude, String>,
    pub version: Option<Result<(Version, String), String>>,
    pub version_ms: u64,
    /// `claude auth status --json`, when a client was found (and not `--no-client`).
    pub auth_status: Option<Result<AuthStatus, String>>,
    pub auth_status_ms: u64,
    /// The rehearsal, or why there was none.
    pub rehearsal: Result<Rehearsal, (Skip, String)>,
    pub rehearsal_ms: u64,
}

/// One run of the client, relayed to the account or against the loopback fake.
pub struct Rehearsal {
    pub claude: Claude,
    pub version: Option<Version>,
    pub run: Result<ClientRun, NotRun>,
    /// Taken from the cache of an earlier doctor run.
    pub cached: bool,
}

/// Finds and asks the client, and runs it: through the relay to the account when `clients`
/// (online), against a loopback fake offline when asked to.
pub async fn gather(
    config: &EffectiveConfig,
    options: &ClientOptions,
    clients: Option<&Clients>,
) -> ClientFacts {
    let started = Instant::now();
    let located = locate(config, options.claude_bin.as_deref());
    let version = match &located {
        Ok(claude) => {
            Some(run_version(claude, config, options.timeout.max(Duration::from_secs(5))).await)
        }
        Err(_) => None,
    };
    let version_ms = started.elapsed().as_millis() as u64;
    let known = version
        .as_ref()
        .and_then(|v| v.as_ref().ok())
        .map(|(v, _)| *v);
    // The client's word on its provider and its rehearsal run side by side: neither waits for
    // the other.
    let auth_status_future = async {
        let started = Instant::now();
        // `--no-client` runs nothing but `--version`.
        let auth_status = match &located {
            Ok(_) if options.rehearse == Rehearse::Never => None,
            Ok(claude) => Some(
                run_auth_status(
                    claude,
                    config,
                    options
                        .timeout
                        .clamp(Duration::from_secs(5), Duration::from_secs(10)),
                )
                .await,
            ),
            Err(_) => None,
        };
        (auth_status, started.elapsed().as_millis() as u64)
    };
    let rehearsal_future = async {
        let started = Instant::now();
        let rehearsal = match (&located, options.rehearse, clients) {
            (_, Rehearse::Never, _) => Err((
                Skip::NotInUse,
                "--no-client: your `claude` was not run".to_string(),
            )),
            (Err(reason), _, _) => {
                Err((Skip::NoClient, format!("{reason}: the client was not run")))
            }
            // Offline, the client runs only when asked — or when it is newer than the client this
            // tool observed: then its own requests, against the loopback fake, are the evidence.
            (Ok(_), Rehearse::Auto, None) if !crate::knowledge::newer_than_observed(known) => Err((
                Skip::Offline,
                "--offline: your `claude` runs only with --client (then against a loopback fake)"
                    .to_string(),
            )),
            (Ok(claude), _, clients) => {
                let (run, cached) = super::rehearsal::rehearse(
                    config,
                    claude,
                    known,
                    clients,
                    options.timeout,
                    options.use_cache,
                )
                .await;
                Ok(Rehearsal {
                    claude: claude.clone(),
                    version: known,
                    run,
                    cached,
                })
            }
        };
        (rehearsal, started.elapsed().as_millis() as u64)
    };
    let ((auth_status, auth_status_ms), (rehearsal, rehearsal_ms)) =
        tokio::join!(auth_status_future, rehearsal_future);
    ClientFacts {
        located,
        version,
        version_ms,
        auth_status,
        auth_status_ms,
        rehearsal,
        rehearsal_ms,
    }
}

impl ClientFacts {
    /// Whether a `claude` was found (for `--client`, which needs one).
    pub fn found(&self) -> bool {
        self.located.is_ok()
    }

    pub fn rehearsal_ms(&self) -> u64 {
        self.rehearsal_ms
    }

    /// The requests the rehearsal relayed, for `-v`'s list of calls.
    pub fn relayed_calls(&self) -> Vec<crate::report::CallRecord> {
        let Ok(Rehearsal { run: Ok(run), .. }) = &self.rehearsal else {
            return Vec::new();
        };
        run.exchanges
            .iter()
            .filter(|e| e.upstream.is_some())
            .map(|e| {
                let detail = match (&e.model, &e.shape) {
                    (Some(model), Some(shape)) if !e.is_probe() => {
                        Some(format!("{model}: {}", shape.summary()))
                    }
                    (Some(model), _) => Some(format!("{model}: one-token probe")),
                    _ => None,
                };
                crate::report::CallRecord {
                    operation: format!("claude:{:?}", e.request.operation),
                    detail,
                    endpoint: e.upstream.clone().unwrap_or_default(),
                    status: e.status,
                    outcome: match &e.error {
                        None => "ok".into(),
                        Some(err) => err.clone(),
                    },
                    duration_ms: e.duration_ms,
                }
            })
            .collect()
    }
}
