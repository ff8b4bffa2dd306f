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
use super::trace;

/// What the doctor was asked about the client.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// `--claude-bin`; otherwise `claude` is looked up on the effective PATH.
    pub claude_bin: Option<PathBuf>,
    /// `--trace-client`.
    pub trace: bool,
    pub timeout: Duration,
}

/// What the client checks measured: where `claude` is, what `--version` says, and — with
/// `--trace-client` — what it sent.
pub struct ClientFacts {
    located: Result<Claude, String>,
    version: Option<Result<(Version, String), String>>,
    version_ms: u64,
    trace: Option<CheckResult>,
    trace_ms: u64,
    trace_asked: bool,
}

/// Finds and asks the client, and traces it when asked to.
pub async fn gather(config: &EffectiveConfig, options: &ClientOptions) -> ClientFacts {
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
    let trace = match (&located, options.trace) {
        (Ok(claude), true) => {
            let known = version
                .as_ref()
                .and_then(|v| v.as_ref().ok())
                .map(|(v, _)| *v);
            Some(trace::run(config, claude, known, options.timeout).await)
        }
        _ => None,
    };
    ClientFacts {
        located,
        version,
        version_ms,
        trace,
        trace_ms: started.elapsed().as_millis() as u64,
        trace_asked: options.trace,
    }
}

pub fn check_version(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let mut check = version_check(config, &facts.located, facts.version.as_ref());
    check.duration_ms = facts.version_ms;
    check
}

pub fn check_bearer_trace(_config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let (id, title) = CheckId::ClientBearerTrace.pair();
    let mut check = match (&facts.located, facts.trace_asked, &facts.trace) {
        (_, _, Some(traced)) => traced.clone(),
        (Err(reason), true, None) => CheckResult::skipped(
            id,
            title,
            Skip::NoClient,
            format!("{reason}: nothing to trace"),
        )
        .fix("Pass --claude-bin PATH to trace a `claude` that is not on PATH."),
        _ => CheckResult::skipped(
            id,
            title,
            Skip::NeedsFlag {
                flag: "--trace-client",
            },
            "run with --trace-client to watch which auth headers your `claude` sends",
        ),
    };
    check.duration_ms = facts.trace_ms;
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
        None => return CheckResult::new(id, title, Status::Skip, "the version was not asked"),
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
