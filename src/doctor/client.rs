//! `client.version` and `client.bearer-trace`: the Claude Code client itself. Some failures are
//! not in the configuration but in the client reading it: versions with known defects that only
//! bite particular configurations, and models a version is too old for. Both tables live in
//! [`super::defects`].

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::EffectiveConfig;
use crate::report::{CheckResult, Findings, Skip, Status};

pub use super::defects::{DEFECTS, Version, defect_fix, defects_for};
use super::defects::{UPGRADE, too_new_models};

use super::check_id::CheckId;
use super::claude_bin::{Claude, locate, run_version};
use super::trace::{self, ClientRun, NotRun};
use crate::aws::Clients;

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
    located: Result<Claude, String>,
    version: Option<Result<(Version, String), String>>,
    version_ms: u64,
    /// The rehearsal, or why there was none.
    pub rehearsal: Result<Rehearsal, (Skip, String)>,
    rehearsal_ms: u64,
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
    let started = Instant::now();
    let known = version
        .as_ref()
        .and_then(|v| v.as_ref().ok())
        .map(|(v, _)| *v);
    let rehearsal = match (&located, options.rehearse, clients) {
        (_, Rehearse::Never, _) => Err((
            Skip::NotInUse,
            "--no-client: your `claude` was not run".to_string(),
        )),
        (Err(reason), _, _) => Err((Skip::NoClient, format!("{reason}: the client was not run"))),
        (Ok(_), Rehearse::Auto, None) => Err((
            Skip::Offline,
            "--offline: your `claude` runs only with --client (then against a loopback fake)"
                .to_string(),
        )),
        (Ok(claude), _, clients) => {
            let (run, cached) =
                super::rehearsal::rehearse(config, claude, known, clients, options).await;
            Ok(Rehearsal {
                claude: claude.clone(),
                version: known,
                run,
                cached,
            })
        }
    };
    ClientFacts {
        located,
        version,
        version_ms,
        rehearsal,
        rehearsal_ms: started.elapsed().as_millis() as u64,
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

pub fn check_version(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let mut check = version_check(config, &facts.located, facts.version.as_ref());
    check.duration_ms = facts.version_ms;
    check
}

pub fn check_bearer_trace(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let (id, title) = CheckId::ClientBearerTrace.pair();
    let mut check = match &facts.rehearsal {
        Ok(rehearsal) => {
            trace::bearer_check(config, &rehearsal.claude, rehearsal.version, &rehearsal.run)
        }
        Err((why, summary)) => CheckResult::skipped(id, title, why.clone(), summary.clone()),
    };
    check.duration_ms = facts.rehearsal_ms;
    check
}

fn version_check(
    config: &EffectiveConfig,
    located: &Result<Claude, String>,
    version: Option<&Result<(Version, String), String>>,
) -> CheckResult {
    let (id, title) = CheckId::ClientVersion.pair();
    let claude = match located {
        Ok(claude) => claude,
        Err(reason) if reason.starts_with("--claude-bin") => {
            return CheckResult::new(id, title, Status::Fail, reason.clone())
                .fix("Point --claude-bin at the `claude` executable (`command -v claude` in the shell that runs Claude Code).");
        }
        Err(reason) => {
            return CheckResult::skipped(id, title, Skip::NoClient, format!("{reason}: the client version is not checked"))
                .fix("Pass --claude-bin PATH (`command -v claude` in your shell prints it), or add its directory to PATH.");
        }
    };
    let path = config.tilde(&claude.path);
    let (version, line) = match version {
        Some(Ok((version, line))) => (*version, line),
        Some(Err(reason)) => {
            return CheckResult::new(id, title, Status::Warn, reason.clone())
                .detail(format!("{path} (found via {})", claude.found))
                .fix(format!("Run `{path} --version` yourself; reinstall Claude Code if it fails ({UPGRADE})."));
        }
        None => {
            return CheckResult::skipped(id, title, Skip::NotInUse, "the version was not asked");
        }
    };
    let mut findings = Findings::default();
    findings.note(format!("{path} (found via {}): {line}", claude.found));
    let mut upgrade_to: Option<Version> = None;
    let mut workarounds = Vec::new();
    let mut untriggered = Vec::new();
    for (setting, model, needs) in too_new_models(version, config) {
        findings.raise(
            Status::Fail,
            format!("Claude Code {version} is too old for {model}, pinned in {setting}: it needs {needs} or later"),
            None,
        );
        upgrade_to = upgrade_to.max(Some(needs));
    }
    for (defect, trigger) in defects_for(version, config) {
        let Some(trigger) = trigger else {
            untriggered.push(format!("{} (fixed in {})", defect.id, defect.fixed_in));
            continue;
        };
        findings.raise(
            trigger.status,
            format!(
                "Claude Code {version} {} — {} (fixed in {})",
                defect.title, trigger.because, defect.fixed_in
            ),
            None,
        );
        upgrade_to = upgrade_to.max(Some(defect.fixed_in));
        if let Some(workaround) = trigger.workaround {
            workarounds.push(format!("Until then, {workaround}."));
        }
    }
    // One upgrade clears every defect found; the workarounds keep this version working meanwhile.
    if let Some(target) = upgrade_to {
        findings.fixes.push(format!(
            "Upgrade Claude Code to {target} or later: {UPGRADE}."
        ));
        findings.fixes.extend(workarounds);
    }
    if !untriggered.is_empty() {
        findings.note(format!(
            "{version} has other known defects that this configuration does not trigger: {}",
            untriggered.join(", ")
        ));
    }
    findings.into_result(
        id,
        title,
        format!("Claude Code {version}: no known defect applies to this configuration"),
    )
}
