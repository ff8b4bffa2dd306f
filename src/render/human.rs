//! The report for people: one aligned line per check with ✓ ! ✗, details and the fix beneath,
//! and a one-line summary.

use console::{Style, measure_text_width};

use crate::encoding::{escape_controls, shown};
use crate::output::{Output, Palette};
use crate::render::text::{MAX_LINE_CHARS, wrap, wrapped};
use crate::report::{CheckResult, Level, Mode, Report, Status, Summary};

pub fn symbol(status: Status) -> (&'static str, Style) {
    match status {
        Status::Pass => ("✓", Palette::pass()),
        Status::Warn => ("!", Palette::warn()),
        Status::Fail => ("✗", Palette::fail()),
        Status::Skip => ("-", Palette::dim()),
    }
}

pub fn render_report(report: &Report, out: &Output, heading: &str) -> String {
    let mut text = String::new();
    let ctx = &report.context;
    if !out.quiet {
        text.push_str(&format!(
            "{}  {}\n",
            Palette::bold().apply_to(heading),
            Palette::dim().apply_to(escape_controls(&format!(
                "region {} · profile {} · auth {}",
                ctx.region, ctx.profile, ctx.auth
            )))
        ));
        text.push('\n');
    }
    let title_width = report
        .checks
        .iter()
        .map(|c| measure_text_width(&escape_controls(&c.title)))
        .max()
        .unwrap_or(0);
    let mut index = 0;
    while index < report.checks.len() {
        let check = &report.checks[index];
        if out.quiet && matches!(check.status, Status::Pass | Status::Skip) {
            index += 1;
            continue;
        }
        // A run of checks skipped for one reason (e.g. --offline) reads better as one line.
        let run = report.checks[index..]
            .iter()
            .take_while(|c| c.status == Status::Skip && c.summary == check.summary)
            .count();
        if run > 2 && out.verbose == 0 {
            let titles: Vec<&str> = report.checks[index..index + run]
                .iter()
                .map(|c| c.title.as_str())
                .collect();
            let grouped = CheckResult {
                title: format!("{run} checks"),
                summary: format!("{}: {}", check.summary, titles.join(", ")),
                ..check.clone()
            };
            render_check(&mut text, report, &grouped, title_width, out);
            index += run;
            continue;
        }
        render_check(&mut text, report, check, title_width, out);
        index += 1;
    }
    if !out.quiet {
        text.push('\n');
    }
    text.push_str(&summary_line(&report.summary, report.context.mode));
    text.push('\n');
    if out.verbose >= 1 && !report.calls.is_empty() {
        text.push_str(&format!("\n{}\n", Palette::bold().apply_to("Calls")));
        let op_width = report
            .calls
            .iter()
            .map(|c| c.operation.len())
            .max()
            .unwrap_or(0);
        for call in &report.calls {
            text.push_str(&format!(
                "  {:<op_width$}  {:>6} ms  {:>3}  {:<11}  {}\n",
                call.operation,
                call.duration_ms,
                call.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                escape_controls(&call.outcome),
                Palette::dim().apply_to(escape_controls(&call.endpoint))
            ));
            if let Some(detail) = &call.detail {
                text.push_str(&format!(
                    "  {:<op_width$}  {}\n",
                    "",
                    Palette::dim().apply_to(shown(detail, MAX_LINE_CHARS))
                ));
            }
        }
    }
    text
}

/// Every line of a check comes from data (settings values, AWS messages): it is escaped before
/// it is styled, so that no control character reaches the terminal, and cut when very long.
///
/// A cause shared by several checks is told in full under the first: the others name it, leave
/// out what the service said, and keep only the part of their fix that is their own.
fn render_check(
    text: &mut String,
    report: &Report,
    check: &CheckResult,
    title_width: usize,
    out: &Output,
) {
    let told_under = report.told_under(check);
    let (mark, style) = symbol(check.status);
    let indent = 2 + 2 + title_width + 2;
    let summary_width = out.width.saturating_sub(indent).max(30);
    let summary = shown(&check.summary, MAX_LINE_CHARS);
    let title = escape_controls(&check.title);
    let mut summary_lines = wrap(&summary, summary_width).into_iter();
    let first = summary_lines.next().unwrap_or_default();
    let pad = " ".repeat(title_width.saturating_sub(measure_text_width(&title)));
    let mut line = format!(
        "  {} {}{}  {}",
        style.apply_to(mark),
        Palette::bold().apply_to(&title),
        pad,
        first
    );
    if out.verbose >= 1 {
        line.push_str(&format!(
            "  {}",
            Palette::dim().apply_to(format!("[{} · {} ms]", check.id, check.duration_ms))
        ));
    }
    text.push_str(&line);
    text.push('\n');
    let hang = " ".repeat(indent);
    for rest in summary_lines {
        text.push_str(&format!("{hang}{rest}\n"));
    }
    let show_details =
        check.status == Status::Warn || check.status == Status::Fail || out.verbose >= 1;
    if show_details {
        for detail in &check.details {
            if told_under.is_some() && detail.level == Level::Evidence {
                continue;
            }
            let line = shown(&detail.text, MAX_LINE_CHARS);
            let (mark, style) = match detail.level {
                Level::Fail => ("✗ ", Palette::fail()),
                Level::Warn => ("! ", Palette::warn()),
                Level::Note | Level::Evidence => ("· ", Palette::dim()),
            };
            wrapped(text, &hang, mark, &line, out.width, style.clone(), style);
        }
    }
    let fix_lines: Vec<&str> = match (&check.fix, told_under) {
        (Some(fix), Some(first)) => {
            let told: Vec<&str> = first.fix.as_deref().unwrap_or("").lines().collect();
            fix.lines().filter(|line| !told.contains(line)).collect()
        }
        (Some(fix), None) => fix.lines().collect(),
        (None, _) => Vec::new(),
    };
    // Lines of a fix are the tool's own; what a value might smuggle in is escaped per line.
    for (i, fix_line) in fix_lines.iter().enumerate() {
        let label = if i == 0 { "fix: " } else { "     " };
        let fix_line = shown(fix_line, MAX_LINE_CHARS);
        wrapped(
            text,
            &hang,
            label,
            &fix_line,
            out.width,
            Palette::fix(),
            Palette::fix(),
        );
    }
    // `= …` lines: how this check shares a cause with others.
    let same_cause = |text: &mut String, line: &str| {
        wrapped(
            text,
            &hang,
            "= ",
            line,
            out.width,
            Palette::dim(),
            Palette::dim(),
        );
    };
    if let Some(first) = told_under {
        let line = format!(
            "same cause as {} (its fix is above)",
            escape_controls(&first.title)
        );
        same_cause(text, &line);
    }
    let also = report.also_affected(check);
    if !also.is_empty() {
        let titles: Vec<String> = also
            .iter()
            .map(|c| escape_controls(&c.title).into_owned())
            .collect();
        let line = format!("the same cause affects {}", titles.join(", "));
        same_cause(text, &line);
    }
}

pub fn summary_line(summary: &Summary, mode: Mode) -> String {
    let parts: Vec<String> = summary
        .parts()
        .into_iter()
        .map(|(status, part)| style_of(status).apply_to(part).to_string())
        .collect();
    let (status, verdict) = summary.verdict(mode);
    format!(
        "{}  {}",
        parts.join(" · "),
        style_of(status).apply_to(verdict)
    )
}

fn style_of(status: Status) -> Style {
    symbol(status).1
}
