//! `claude-bedrock doctor --fix`: the doctor, then every mechanical remedy as one preview, one
//! question, one write per file through setup's writer (lock, re-read, backup, atomic replace,
//! every other byte kept), and the checks run again to show before → after.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::aws::ops;
use crate::cli::DoctorArgs;
use crate::config::source::Layer;
use crate::config::{EffectiveConfig, Inputs};
use crate::doctor::facts::live::LiveFacts;
use crate::doctor::remedy::{
    Action, Change, Evidence, FilePlan, FixOutcome, FixStatus, Remedy, remedies,
    replaced_when_refused, role_region,
};
use crate::error::FatalError;
use crate::output::Output;
use crate::report::Report;
use crate::ui::prompter::{Prompter, TerminalPrompter};
use crate::write::{self, Applied, Edit, Plan, Scope};

pub(crate) async fn run(
    inputs: &Inputs,
    config: &EffectiveConfig,
    args: &DoctorArgs,
    out: &Output,
    timeout: Duration,
    report_first: bool,
) -> Result<FixOutcome, FatalError> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.yes && !args.dry_run && !interactive {
        return Err(FatalError::new(
            "doctor --fix asks before it writes, and there is no terminal to ask on",
            Some("Pass --yes to apply the fixes without asking, or --dry-run to see them."),
        ));
    }
    let (before, facts, version) =
        super::doctor::report_and_facts(config, args, out, timeout).await;
    let planned = plan(config, &before, facts.as_ref(), version).await?;
    let (files, commands, not_applied) = planned;
    let mut outcome = FixOutcome {
        before,
        after: None,
        files,
        commands,
        not_applied,
        applied: Vec::new(),
        status: FixStatus::Nothing,
        previewed: false,
        interrupted: None,
        report_shown: false,
    };
    let changes = outcome.files.iter().any(|f| !f.plan.is_noop());
    if !changes {
        return Ok(outcome);
    }
    if args.dry_run {
        outcome.status = FixStatus::DryRun;
        return Ok(outcome);
    }
    // Signals from here on restore the terminal and wait for the writes, as in setup.
    let _terminal = crate::ui::terminal::TerminalGuard::install(CANCELLED);
    if !args.yes {
        // The findings, then their fixes, then the question: in the order they are read.
        if report_first {
            let report = crate::render::human::render_report(
                &outcome.before,
                out,
                "claude-bedrock doctor",
                true,
            );
            crate::document::emit(&report, None, crate::cli::Format::Human)?;
            outcome.report_shown = true;
        }
        let width = console::Term::stderr()
            .size_checked()
            .map_or(out.width, |(_, columns)| {
                usize::from(columns).clamp(60, 140)
            });
        // A blank line between the preview and the question.
        let preview = crate::render::fix::preview(&outcome, config, true, width);
        crate::output::print_stderr(&format!("{preview}\n"));
        outcome.previewed = true;
        let mut prompter = TerminalPrompter::new();
        let apply = prompter
            .confirm("Apply these changes?", true)
            .unwrap_or(false);
        crate::ui::terminal::restore();
        if !apply {
            outcome.status = FixStatus::Declined;
            return Ok(outcome);
        }
    }
    // All files or none: a signal waits for the writes, and a failed write puts back the files
    // written before it.
    let (written, signal) =
        crate::ui::terminal::while_applying(|| apply_all(&outcome.files, config));
    outcome.applied = written?;
    outcome.status = FixStatus::Applied;
    crate::ui::terminal::set_cancelled_message(INTERRUPTED_AFTER_WRITING);
    if let Some(number) = signal {
        crate::output::print_stderr(
            "interrupted while writing: the changes were completed first, so no file is half-changed; not checked again",
        );
        outcome.interrupted = Some(u8::try_from(128 + number).unwrap_or(130));
        return Ok(outcome);
    }
    // The configuration as it is now, checked again.
    let fixed = EffectiveConfig::resolve(inputs).await;
    outcome.after = Some(super::doctor::report(&fixed, args, out, timeout).await);
    Ok(outcome)
}

/// Writes every planned file, or — when one write fails — none: those already written are put
/// back as they were.
fn apply_all(files: &[FilePlan], config: &EffectiveConfig) -> Result<Vec<Applied>, FatalError> {
    let plans: Vec<&Plan> = files
        .iter()
        .map(|f| &f.plan)
        .filter(|p| !p.is_noop())
        .collect();
    write::apply_all(&plans).map_err(|failed| {
        let hint = if failed.all_put_back() {
            "No fix was applied; run the doctor again to see what stands."
        } else {
            "A file could not be put back: its previous version is the newest .bak beside it; run the doctor again to see what stands."
        };
        FatalError::new(failed.describe(|p| config.tilde(p)), Some(hint))
    })
}

/// Said once when a signal or Ctrl-C ends the question.
const CANCELLED: &str = "doctor --fix cancelled; nothing was written";
/// Said when a signal ends the check that follows the writes.
const INTERRUPTED_AFTER_WRITING: &str =
    "doctor --fix interrupted after writing: the changes were made, but not checked again";

type Planned = (Vec<FilePlan>, Vec<Remedy>, Vec<Remedy>);

/// The remedies, from what the report measured (`facts`: online, when the live calls were had),
/// grouped into one edit per file.
async fn plan(
    config: &EffectiveConfig,
    report: &Report,
    facts: Option<&LiveFacts>,
    version: Option<crate::doctor::defects::Version>,
) -> Result<Planned, FatalError> {
    let answering = match facts {
        Some(facts) => newest_answering(config, facts).await,
        None => HashMap::new(),
    };
    let evidence = Evidence {
        checks: &report.checks,
        live: facts,
        client: version,
        answering: &|id| answering.get(id).cloned(),
    };
    let all = remedies(config, &evidence);
    let mut by_file: Vec<(Layer, PathBuf, Vec<Remedy>)> = Vec::new();
    let mut commands = Vec::new();
    let mut not_applied = Vec::new();
    for remedy in all {
        match &remedy.action {
            Action::Edit { layer, file, .. } => {
                match by_file.iter_mut().find(|(_, f, _)| f == file) {
                    Some((_, _, list)) => list.push(remedy),
                    None => by_file.push((*layer, file.clone(), vec![remedy])),
                }
            }
            Action::Command { .. } => commands.push(remedy),
            Action::NotApplied { .. } => not_applied.push(remedy),
        }
    }
    let mut files = Vec::new();
    for (layer, file, remedies) in by_file {
        let scope = match layer {
            Layer::User => Scope::User,
            Layer::Local => Scope::Local,
            Layer::Project => Scope::Project,
            Layer::Managed => unreachable!("managed settings are never planned"),
        };
        let mut edit = Edit::default();
        for remedy in &remedies {
            if let Action::Edit { change, .. } = &remedy.action {
                edit = match change {
                    Change::SetEnv { name, value } => edit.set_env(name, value),
                    Change::QuoteEnv { name } => edit.quote_env(name),
                    Change::RemoveEnv { name } => edit.remove_env(name),
                    Change::SetKey { key, value } => edit.set_key(key, value),
                    Change::RemoveKey { key } => edit.remove_key(key),
                };
            }
        }
        match write::plan(&file, scope, &edit) {
            Ok(plan) => files.push(FilePlan { plan, remedies }),
            Err(err) => not_applied.extend(remedies.into_iter().map(|r| Remedy {
                action: Action::NotApplied {
                    reason: err.to_string(),
                },
                ..r
            })),
        }
    }
    Ok((files, commands, not_applied))
}

/// For each pinned model that did not answer: the newest model of its tier that does, from the
/// account's list, probed as the doctor probes.
async fn newest_answering(config: &EffectiveConfig, facts: &LiveFacts) -> HashMap<String, String> {
    let clients = &facts.clients;
    let mut found = HashMap::new();
    let Some(list) = facts.profiles() else {
        return found;
    };
    let candidates = crate::catalogue::candidates(list, &config.region.value);
    for pin in &config.models {
        // Only a model the account refused is replaced (a throttle or a timeout says nothing
        // of it), and only in the region the list is of.
        if !facts.refused(&pin.id.id, &None)
            || role_region(config, pin.role).is_some()
            || !replaced_when_refused(config, pin)
            || found.contains_key(&pin.id.id)
        {
            continue;
        }
        let Some(family) = pin.id.model.map(|m| m.family) else {
            continue;
        };
        for candidate in candidates.iter().filter(|c| c.family == family) {
            if candidate.id == pin.id.id {
                continue;
            }
            let (invoke, stream) = tokio::join!(
                ops::invoke(clients, &candidate.id, None),
                ops::invoke_stream(clients, &candidate.id, None)
            );
            if invoke.ok && stream.ok {
                found.insert(pin.id.id.clone(), candidate.id.clone());
                break;
            }
        }
    }
    found
}
