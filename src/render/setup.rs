//! setup's documents: the preview of the changes, the probe lines, and the summary of what was
//! written, for people and as `setup --json`.

use console::{measure_text_width, style};
use serde_json::{Value, json};

use crate::output::Palette;
use crate::report::{SCHEMA_VERSION, Tool};
use crate::setup::outcome::{Outcome, ProbeResult};
use crate::write::{Change, ChangeKind, Plan};

/// What setup did, as the `--json` summary names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SetupStatus {
    /// The files already said this.
    Unchanged,
    /// `--dry-run`: previewed, nothing written.
    DryRun,
    Written,
}

pub fn status(outcome: &Outcome) -> SetupStatus {
    let unchanged =
        outcome.plan.is_noop() && outcome.credentials_plan.as_ref().is_none_or(Plan::is_noop);
    if unchanged {
        SetupStatus::Unchanged
    } else if outcome.dry_run {
        SetupStatus::DryRun
    } else {
        SetupStatus::Written
    }
}

pub fn to_json(outcome: &Outcome) -> Value {
    let changes: Vec<Value> = outcome
        .credentials_plan
        .iter()
        .chain(std::iter::once(&outcome.plan))
        .flat_map(|plan| {
            plan.changes.iter().map(move |c| {
                json!({
                    "file": plan.target.display().to_string(),
                    "key": c.key,
                    "kind": c.kind.to_string(),
                    "before": c.before,
                    "after": c.after,
                })
            })
        })
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "status": status(outcome),
        "target": outcome.plan.target.display().to_string(),
        "scope": outcome.scope.as_str(),
        "auth": { "type": outcome.auth.id(), "detail": outcome.auth.describe() },
        "region": outcome.region,
        "pins": outcome.pins,
        "changes": changes,
        "backup": outcome.applied.as_ref().and_then(|a| a.backup.as_ref()).map(|b| b.display().to_string()),
        "credentials_file": outcome.credentials_plan.as_ref().map(|p| p.target.display().to_string()),
        "probes": outcome.probes,
        "warnings": outcome.warnings,
    })
}

pub fn render_human(outcome: &Outcome) -> String {
    let mut text = String::new();
    // Paths as the rest of the wizard shows them: under the home directory as `~/…`.
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let shown = |path: &std::path::Path| crate::config::source::tilde(path, home.as_deref());
    let target = shown(&outcome.plan.target);
    match status(outcome) {
        SetupStatus::Unchanged => text.push_str(&format!(
            "{} {target} already says this; nothing to write.\n",
            Palette::pass().apply_to("✓")
        )),
        SetupStatus::DryRun => {
            text.push_str(&format!(
                "Dry run: these changes would be written to {target}:\n"
            ));
            for plan in outcome
                .credentials_plan
                .iter()
                .chain(std::iter::once(&outcome.plan))
            {
                for change in &plan.changes {
                    text.push_str(&format!("  {}\n", change_line(change, false)));
                }
            }
        }
        _ => {
            if let (Some(plan), Some(applied)) =
                (&outcome.credentials_plan, &outcome.credentials_applied)
                && !plan.is_noop()
            {
                text.push_str(&format!(
                    "{} Stored the access key in {}\n",
                    Palette::pass().apply_to("✓"),
                    shown(&applied.path)
                ));
            }
            if let Some(applied) = &outcome.applied {
                text.push_str(&format!(
                    "{} Wrote {}",
                    Palette::pass().apply_to("✓"),
                    shown(&applied.path)
                ));
                if let Some(backup) = &applied.backup {
                    text.push_str(&format!(" (previous version: {})", shown(backup)));
                }
                text.push('\n');
                if !outcome.previewed {
                    for change in &outcome.plan.changes {
                        text.push_str(&format!("    {}\n", change_line(change, false)));
                    }
                }
            }
        }
    }
    for warning in &outcome.warnings {
        text.push_str(&format!("{} {warning}\n", Palette::warn().apply_to("!")));
    }
    if status(outcome) == SetupStatus::Written {
        text.push_str("\nNext:\n");
        text.push_str("  claude                   start Claude Code on Bedrock\n");
        text.push_str(
            "  /status                  (inside Claude Code) the provider, region and models\n",
        );
        text.push_str("  claude-bedrock doctor    checks everything end to end\n");
    }
    text
}

/// Each probe's line within `width` columns: its ID (shortened in the middle when it would not
/// fit, padded to the longest), then its timings or why it did not answer.
pub fn probe_lines(results: &[ProbeResult], width: usize) -> Vec<String> {
    let tails: Vec<String> = results
        .iter()
        .map(|r| {
            if r.works() {
                format!(
                    "invoke {} ms · stream {} ms",
                    r.invoke.duration_ms, r.stream.duration_ms
                )
            } else {
                r.reason()
            }
        })
        .collect();
    // Timings take the room of four digits each whatever they are, so that the IDs are
    // shortened alike from one run to the next.
    let timing_room = if results.iter().any(ProbeResult::works) {
        measure_text_width("invoke 9999 ms · stream 9999 ms")
    } else {
        0
    };
    let widest_tail = results
        .iter()
        .zip(&tails)
        .filter(|(r, _)| !r.works())
        .map(|(_, t)| measure_text_width(t))
        .max()
        .unwrap_or(0)
        .max(timing_room);
    // "✓ " before the ID, two spaces after it; an ID keeps at least 24 columns.
    let room = width.saturating_sub(4 + widest_tail.min(width / 2)).max(24);
    let ids: Vec<String> = results.iter().map(|r| shorten(&r.id, room)).collect();
    let id_width = ids
        .iter()
        .map(|id| measure_text_width(id))
        .max()
        .unwrap_or(0);
    let tail_room = width.saturating_sub(4 + id_width).max(12);
    results
        .iter()
        .zip(ids)
        .zip(tails)
        .map(|((result, id), tail)| {
            let tail = console::truncate_str(&tail, tail_room, "…").into_owned();
            if result.works() {
                format!(
                    "{} {id:<id_width$}  {}",
                    style("✓").green().for_stderr(),
                    style(tail).dim().for_stderr()
                )
            } else {
                format!("{} {id:<id_width$}  {tail}", style("✗").red().for_stderr())
            }
        })
        .collect()
}

/// A list's rows as aligned choices within `width` columns: the first column (an ID) is
/// shortened in the middle when the row would not fit, the others are cut at their end. Only
/// what is shown is shortened: the full value is what gets chosen.
pub fn choice_rows(rows: &[[String; 3]], width: usize) -> Vec<String> {
    let widest = |column: usize, cap: usize| {
        rows.iter()
            .map(|row| measure_text_width(&row[column]))
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let status_width = widest(2, 28);
    let model_width = widest(1, 24);
    let id_room = width.saturating_sub(model_width + status_width + 4).max(20);
    let ids: Vec<String> = rows.iter().map(|row| shorten(&row[0], id_room)).collect();
    let id_width = ids
        .iter()
        .map(|id| measure_text_width(id))
        .max()
        .unwrap_or(0);
    rows.iter()
        .zip(ids)
        .map(|(row, id)| {
            let model = console::truncate_str(&row[1], model_width, "…");
            let status = console::truncate_str(&row[2], status_width, "…");
            let line = format!("{id:<id_width$}  {model:<model_width$}  {status}");
            line.trim_end().to_string()
        })
        .collect()
}

/// `text` within `max` columns, its middle replaced by `…`: both ends of a model ID say which
/// one it is (the prefix its region group, the end its date and version).
pub fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max || max < 3 {
        return text.to_string();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// The preview: the target file and each key added, changed or removed, within `width`
/// columns: a change too wide for its line has its value (and what it was) on lines of their
/// own, whole, for what is written must be seen as it is.
pub fn render_changes(
    plan: &Plan,
    credentials: Option<&Plan>,
    home: Option<&std::path::Path>,
    width: usize,
) -> String {
    let mut text = String::new();
    for plan in credentials.into_iter().chain(std::iter::once(plan)) {
        let path = plan.shown_path(home);
        if plan.is_noop() {
            text.push_str(&format!("  {path}: already up to date\n"));
            continue;
        }
        let verb = if plan.original.is_some() {
            "update"
        } else {
            "create"
        };
        text.push_str(&format!("  {} {path}\n", style(verb).bold().for_stderr()));
        for change in &plan.changes {
            let line = change_line(change, true);
            if 4 + measure_text_width(&line) <= width {
                text.push_str(&format!("    {line}\n"));
                continue;
            }
            let (change, was) = match line.split_once("  (was ") {
                Some((change, was)) => (change, Some(format!("(was {was}"))),
                None => (line.as_str(), None),
            };
            match change.split_once(" = ") {
                Some((key, value)) => {
                    text.push_str(&format!("    {key} =\n        {value}\n"));
                }
                None => text.push_str(&format!("    {change}\n")),
            }
            if let Some(was) = was {
                text.push_str(&format!("        {was}\n"));
            }
        }
    }
    text
}

/// One change for a person, coloured for the stream it is printed on (the preview goes to
/// stderr, the result to stdout: each has its own terminal and `NO_COLOR` state).
pub fn change_line(change: &Change, on_stderr: bool) -> String {
    // Keys and values may come from the file being edited: escaped before they are styled.
    let esc = |text: &str| {
        crate::encoding::shown(text, crate::render::text::MAX_VALUE_CHARS).into_owned()
    };
    let before = esc(change.before.as_deref().unwrap_or(""));
    let after = esc(change.after.as_deref().unwrap_or(""));
    let key = esc(&change.key);
    let mark = |text: &'static str, style: console::Style| {
        let styled = if on_stderr {
            style.for_stderr()
        } else {
            style.for_stdout()
        };
        styled.apply_to(text).to_string()
    };
    match change.kind {
        ChangeKind::Added => format!(
            "{} {key} = {after}",
            mark("+", console::Style::new().green())
        ),
        ChangeKind::Changed => format!(
            "{} {key} = {after}  (was {before})",
            mark("~", console::Style::new().yellow())
        ),
        ChangeKind::Removed => format!(
            "{} {key}  (was {before})",
            mark("-", console::Style::new().red())
        ),
    }
}
