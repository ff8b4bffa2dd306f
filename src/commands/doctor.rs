//! `claude-bedrock doctor`.

use std::time::Duration;

use crate::cli::{DoctorArgs, Format};
use crate::config::EffectiveConfig;
use crate::doctor;
use crate::output::Output;
use crate::render;
use crate::report::Report;

pub(crate) struct DoctorOutcome {
    pub text: String,
    pub exit_code: u8,
}

pub(crate) async fn run(
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
) -> DoctorOutcome {
    let report = report(config, args, out, timeout).await;
    let text = match out.format {
        Format::Json => render::json::to_string(&report),
        Format::Markdown => {
            render::markdown::render_report(&report, args.show_account, out.verbose >= 1)
        }
        Format::Junit => render::junit::render_report(&report),
        Format::Human => render::human::render_report(&report, out, "claude-bedrock doctor", false),
    };
    DoctorOutcome {
        text,
        exit_code: report.exit_code(args.strict),
    }
}

pub(crate) async fn report(
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
) -> Report {
    report_and_facts(config, args, out, timeout).await.0
}

/// The report, and what the live calls measured (online) for what comes after it.
pub(crate) async fn report_and_facts(
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
) -> (
    Report,
    Option<doctor::facts::live::LiveFacts>,
    Option<doctor::defects::Version>,
) {
    let mut context = doctor::context(config);
    let options = doctor::registry::Options {
        offline: args.offline,
        mantle: args.mantle,
        client: doctor::facts::client::ClientOptions {
            claude_bin: args.claude_bin.clone(),
            rehearse: match (args.client, args.no_client) {
                (true, _) => doctor::facts::client::Rehearse::Always,
                (_, true) => doctor::facts::client::Rehearse::Never,
                _ => doctor::facts::client::Rehearse::Auto,
            },
            use_cache: !args.no_cache,
            timeout,
        },
        timeout,
    };
    let message = if args.no_client {
        "Checking Bedrock…"
    } else {
        "Checking Bedrock and rehearsing with your claude…"
    };
    let spinner = crate::output::spinner(out, message);
    let mut outcome = doctor::registry::run(config, &options).await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    if args.offline {
        context.mode = crate::report::Mode::Offline;
    } else {
        doctor::weigh_evidence(config, &mut outcome.checks);
    }
    if let Some((control, runtime)) = outcome.endpoints {
        context.control_endpoint = Some(control);
        context.runtime_endpoint = Some(runtime);
    }
    context.client_version = outcome
        .client_version
        .map(|version| format!("Claude Code {version}"));
    let mut checks = outcome.checks;
    let mut causes = doctor::diagnosis::causes(&mut checks);
    mark_repairable(
        config,
        &checks,
        &mut causes,
        outcome.live.as_ref(),
        outcome.client_version,
    );
    let areas = doctor::diagnosis::areas(&checks, &causes, &context);
    let mut report = Report::new(context, checks, causes, outcome.calls);
    report.areas = areas;
    (report, outcome.live, outcome.client_version)
}

/// The problems `doctor --fix` removes by itself: those a mechanical remedy reaches (an edit
/// it makes, or a line it gives to run), from what this run measured.
fn mark_repairable(
    config: &EffectiveConfig,
    checks: &[crate::report::CheckResult],
    causes: &mut [crate::report::Cause],
    live: Option<&doctor::facts::live::LiveFacts>,
    client: Option<doctor::defects::Version>,
) {
    use doctor::remedy::{Action, Evidence, remedies};
    let evidence = Evidence {
        checks,
        live,
        client,
        answering: &|_| None,
    };
    for remedy in remedies(config, &evidence) {
        if matches!(remedy.action, Action::NotApplied { .. }) {
            continue;
        }
        for cause in causes.iter_mut() {
            if cause.checks.iter().any(|c| c == remedy.check.as_str()) {
                cause.repairable = true;
            }
        }
    }
}
