//! `claude-bedrock doctor`.

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

pub async fn run(config: &EffectiveConfig, args: &DoctorArgs, out: &Output) -> DoctorOutcome {
    let checks = doctor::run_offline(config);
    let report = Report::new(doctor::context(config), checks, Vec::new());
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
