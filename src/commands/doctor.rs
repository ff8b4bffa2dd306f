//! `claude-bedrock doctor`.

use std::time::Duration;

use crate::aws::Clients;
use crate::cli::{DoctorArgs, Format};
use crate::config::EffectiveConfig;
use crate::doctor;
use crate::output::Output;
use crate::render;
use crate::report::Report;

pub struct DoctorOutcome {
    pub text: String,
    pub exit_code: u8,
}

pub async fn run(
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
) -> DoctorOutcome {
    let report = report(config, args, out, timeout).await;
    let text = match out.format {
        Format::Json => render::json::to_string(&report),
        Format::Markdown => render::markdown::render_report(&report),
        Format::Junit => render::junit::render_report(&report),
        Format::Human => render::human::render_report(&report, out, "claude-bedrock doctor"),
    };
    DoctorOutcome {
        text,
        exit_code: report.exit_code(args.strict),
    }
}

pub async fn report(
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
) -> Report {
    let mut checks = doctor::run_offline(config);
    let mut calls = Vec::new();
    let mut context = doctor::context(config);
    if args.offline {
        checks.extend(doctor::live::skipped("--offline: no network call made"));
        checks.extend(doctor::extended::offline(config));
        context.mode = crate::report::Mode::Offline;
    } else {
        let spinner = crate::output::spinner(out, "Checking Bedrock…");
        let clients = Clients::build(config, timeout).await;
        context.control_endpoint = Some(clients.control_endpoint.clone());
        context.runtime_endpoint = Some(clients.runtime_endpoint.clone());
        // The network, SSO and Mantle checks run alongside the live ones and report after them.
        let (live, extended) = tokio::join!(
            doctor::live::run(config, &clients),
            doctor::extended::run(config, &clients, args.mantle, timeout)
        );
        checks.extend(live);
        checks.extend(extended);
        doctor::weigh_evidence(config, &mut checks);
        calls = clients.log.snapshot();
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
    }
    // The client runs locally (the trace only against loopback), so --offline does not skip it.
    let client = doctor::client::ClientOptions {
        claude_bin: args.claude_bin.clone(),
        trace: args.trace_client,
        timeout,
    };
    let spinner = args
        .trace_client
        .then(|| crate::output::spinner(out, "Tracing claude against a loopback Bedrock…"))
        .flatten();
    checks.extend(doctor::client::run(config, &client).await);
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    Report::new(context, checks, calls)
}
