//! `claude-bedrock doctor`.

use std::time::Duration;

use crate::aws::Clients;
use crate::cli::DoctorArgs;
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
    let text = if out.is_json() {
        render::json::to_string(&report)
    } else {
        render::human::render_report(&report, out, "claude-bedrock doctor")
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
        context.mode = "offline".into();
    } else {
        let spinner = crate::output::spinner(out, "Checking Bedrock…");
        let clients = Clients::build(config, timeout).await;
        context.control_endpoint = Some(clients.control_endpoint.clone());
        context.runtime_endpoint = Some(clients.runtime_endpoint.clone());
        checks.extend(doctor::live::run(config, &clients).await);
        calls = clients.log.snapshot();
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
    }
    Report::new(context, checks, calls)
}
