//! `doctor --fix`'s documents: the preview of every change (per file, as setup shows them), the
//! commands left to the user, what could not be applied and why, and before → after.

use serde_json::{Value, json};

use crate::config::EffectiveConfig;
use crate::doctor::remedy::{Action, Change};
use crate::doctor::remedy::{FixOutcome, FixStatus, rechecked};
use crate::output::Palette;
use console::Style;

use crate::encoding::escape_controls;
use crate::render::human::symbol;
use crate::report::{SCHEMA_VERSION, Tool};

/// Every planned change, grouped per file; then the commands and what is not applied.
/// `on_stderr`: the preview goes before the question, on stderr, and is coloured for it. Prose
/// wraps at `width` under its own indent; a change line (a key and its values) never does.
pub fn preview(
    outcome: &FixOutcome,
    config: &EffectiveConfig,
    on_stderr: bool,
    width: usize,
) -> String {
    let paint = |style: Style| if on_stderr { style.for_stderr() } else { style };
    let mut text = format!("\n{}\n", paint(Palette::bold()).apply_to("Fixes"));
    let planned: Vec<_> = outcome.files.iter().filter(|f| !f.plan.is_noop()).collect();
    if planned.is_empty() {
        text.push_str("  no settings file needs a change\n");
    }
    for file in planned {
        let plan = &file.plan;
        let verb = if plan.original.is_some() {
            "update"
        } else {
            "create"
        };
        text.push_str(&format!(
            "  {} {}\n",
            paint(Palette::bold()).apply_to(verb),
            plan.shown_path(config.home())
        ));
        // Each change, with the finding it removes beneath it.
        for change in &plan.changes {
            text.push_str(&format!(
                "    {}\n",
                crate::render::setup::change_line(change, on_stderr)
            ));
            let reason = file.remedies.iter().find(|r| match &r.action {
                Action::Edit {
                    change: planned, ..
                } => key_of(planned) == change.key,
                _ => false,
            });
            if let Some(remedy) = reason {
                because(&mut text, &remedy.why, width, on_stderr);
            }
        }
        for note in &plan.notes {
            let label = paint(Palette::warn()).apply_to("note: ").to_string();
            prose(&mut text, "    ", &label, note, width, Style::new());
        }
    }
    if !outcome.commands.is_empty() {
        text.push_str(&format!(
            "\n{}\n",
            paint(Palette::bold()).apply_to("Run yourself")
        ));
        for remedy in &outcome.commands {
            if let Action::Command { line } = &remedy.action {
                text.push_str(&format!("  {}\n", escape_controls(line)));
                because(&mut text, &remedy.why, width, on_stderr);
            }
        }
    }
    if !outcome.not_applied.is_empty() {
        text.push_str(&format!(
            "\n{}\n",
            paint(Palette::bold()).apply_to("Not applied")
        ));
        for remedy in &outcome.not_applied {
            if let Action::NotApplied { reason } = &remedy.action {
                let label = paint(Palette::warn()).apply_to("! ").to_string();
                prose(&mut text, "  ", &label, &remedy.why, width, Style::new());
                prose(
                    &mut text,
                    "      ",
                    "",
                    reason,
                    width,
                    paint(Palette::dim()),
                );
            }
        }
    }
    text
}

/// The finding a fix removes, dim, beneath it.
fn because(text: &mut String, why: &str, width: usize, on_stderr: bool) {
    let dim = if on_stderr {
        Palette::dim().for_stderr()
    } else {
        Palette::dim()
    };
    let label = dim.apply_to("because ").to_string();
    prose(text, "      ", &label, why, width, dim);
}

/// `label` (styled already) then `body`, wrapped at `width` under its own indent.
fn prose(text: &mut String, hang: &str, label: &str, body: &str, width: usize, style: Style) {
    let body = escape_controls(body);
    crate::render::text::wrapped(text, hang, label, &body, width, Style::new(), style);
}

/// The settings key a remedy's change edits, as the writer names it.
fn key_of(change: &Change) -> String {
    match change {
        Change::SetEnv { name, .. } | Change::QuoteEnv { name } | Change::RemoveEnv { name } => {
            format!("env.{name}")
        }
        Change::SetKey { key, .. } | Change::RemoveKey { key } => key.clone(),
    }
}

/// What was done, and the checks before → after.
pub fn render_human(outcome: &FixOutcome, config: &EffectiveConfig, width: usize) -> String {
    let mut text = if outcome.previewed {
        String::new()
    } else {
        preview(outcome, config, false, width)
    };
    text.push('\n');
    match outcome.status {
        FixStatus::Nothing => text.push_str("Nothing to write.\n"),
        FixStatus::DryRun => text.push_str("Dry run: nothing was written.\n"),
        FixStatus::Declined => text.push_str("Nothing was written.\n"),
        FixStatus::Applied => {
            for applied in &outcome.applied {
                text.push_str(&format!(
                    "{} Wrote {}",
                    Palette::pass().apply_to("✓"),
                    config.tilde(&applied.path)
                ));
                if let Some(backup) = &applied.backup {
                    text.push_str(&format!(" (previous version: {})", config.tilde(backup)));
                }
                text.push('\n');
            }
            let rechecked = rechecked(outcome);
            if !rechecked.is_empty() {
                text.push_str("\nChecked again:\n");
                for (id, before, after) in rechecked {
                    let (was, was_style) = symbol(before);
                    let (now, now_style) = symbol(after);
                    text.push_str(&format!(
                        "  {} → {}  {}\n",
                        was_style.apply_to(was),
                        now_style.apply_to(now),
                        crate::doctor::check_id::title(&id)
                    ));
                }
            }
            if let Some(after) = &outcome.after {
                text.push_str(&format!(
                    "\n{}\n",
                    crate::render::human::summary_line(&after.summary, after.context.mode)
                ));
            }
        }
    }
    text
}

pub fn to_json(outcome: &FixOutcome) -> Value {
    let changes: Vec<Value> = outcome
        .files
        .iter()
        .flat_map(|file| {
            file.plan.changes.iter().map(move |c| {
                json!({
                    "file": file.plan.target.display().to_string(),
                    "key": c.key,
                    "kind": c.kind.to_string(),
                    "before": c.before,
                    "after": c.after,
                })
            })
        })
        .collect();
    let remedies: Vec<Value> = outcome
        .files
        .iter()
        .flat_map(|f| f.remedies.iter())
        .chain(&outcome.commands)
        .chain(&outcome.not_applied)
        .map(|r| json!({ "check": r.check, "why": r.why, "action": r.action }))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "status": outcome.status,
        "changes": changes,
        "remedies": remedies,
        "backups": outcome.applied.iter().filter_map(|a| a.backup.as_ref()).map(|b| b.display().to_string()).collect::<Vec<_>>(),
        "rechecked": rechecked(outcome).into_iter().map(|(id, before, after)| json!({"id": id, "before": before, "after": after})).collect::<Vec<_>>(),
        "summary_before": outcome.before.summary,
        "summary_after": outcome.after.as_ref().map(|a| &a.summary),
    })
}
