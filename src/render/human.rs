//! The report for people, as a diagnosis: a header, one line per area, each problem once (most
//! fundamental first: what is wrong, what AWS said, what it affects, the fix), then a closing
//! block that numbers the problems with their one-line fixes, says what `doctor --fix` repairs,
//! and gives the verdict — the last screen is the one that matters. `-q` is the closing block
//! alone; `-v` lists every check with its details, as a checklist, before it.

use console::{Style, measure_text_width};

use crate::encoding::{escape_controls, shown};
use crate::output::{Output, Palette};
use std::fmt::Write;

use crate::render::text::{MAX_LINE_CHARS, wrap, wrapped};
use crate::report::{CheckResult, Level, Mode, Report, Status, Summary};

pub fn symbol(status: Status) -> (&'static str, Style) {
    let ascii = crate::output::ascii();
    match status {
        Status::Pass => (if ascii { "[ok]" } else { "✓" }, Palette::pass()),
        Status::Warn => (if ascii { "[warn]" } else { "!" }, Palette::warn()),
        Status::Fail => (if ascii { "[FAIL]" } else { "✗" }, Palette::fail()),
        Status::Skip => (if ascii { "[skip]" } else { "-" }, Palette::dim()),
    }
}

/// The report; `fixing` when `doctor --fix` prints it before its own preview (then the hint to
/// run `--fix` is left out).
pub fn render_report(report: &Report, out: &Output, heading: &str, fixing: bool) -> String {
    let mut text = String::new();
    if out.quiet {
        closing(&mut text, report, out, fixing);
        return text;
    }
    if out.verbose >= 1 {
        text.push_str(&checklist(report, out, heading));
        problems(&mut text, report, out);
        closing(&mut text, report, out, fixing);
        return text;
    }
    header(&mut text, report, heading, out.width);
    areas(&mut text, report, out);
    problems(&mut text, report, out);
    closing(&mut text, report, out, fixing);
    text
}

/// `claude-bedrock doctor · us-east-1 · profile dev · Claude Code 2.1.337`
fn header(text: &mut String, report: &Report, heading: &str, width: usize) {
    let ctx = &report.context;
    let mut facts = vec![ctx.region.clone(), format!("profile {}", ctx.profile)];
    if ctx.auth != "profile" {
        facts.push(format!("auth {}", ctx.auth));
    }
    if let Some(client) = ctx.client_line() {
        facts.push(client);
    }
    if ctx.mode == Mode::Offline {
        facts.push("offline".into());
    }
    // The facts follow the heading, a line broken before a "·" that would cross the width.
    let mut line = Palette::bold().apply_to(heading).to_string();
    let mut used = measure_text_width(heading);
    for fact in facts {
        let fact = escape_controls(&fact);
        let piece = format!(" · {fact}");
        if used + measure_text_width(&piece) > width && used > 0 {
            let _ = writeln!(text, "{line}");
            line = format!("  · {fact}");
            used = measure_text_width(&line);
        } else {
            line.push_str(&piece);
            used += measure_text_width(&piece);
        }
    }
    let _ = writeln!(text, "{line}");
    text.push('\n');
}

/// One line per area, drawn as a borderless table: the mark, the area, what it comes to.
fn areas(text: &mut String, report: &Report, out: &Output) {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    for line in &report.areas {
        let (mark, style) = symbol(line.status);
        let summary = cut(
            &escape_controls(&line.summary),
            out.width.saturating_sub(20).max(40),
        );
        table.add_row(vec![
            style.apply_to(mark).to_string(),
            Palette::bold().apply_to(line.area.title()).to_string(),
            summary,
        ]);
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    for row in table.lines() {
        let _ = writeln!(text, "  {}", row.trim_end());
    }
}

/// Each problem once: what is wrong, what was said, what it affects, and its whole fix.
fn problems(text: &mut String, report: &Report, out: &Output) {
    let hang = "     ";
    for (n, cause) in report.causes.iter().enumerate() {
        let (mark, style) = symbol(cause.status);
        text.push('\n');
        let _ = writeln!(
            text,
            "{} {}",
            style.apply_to(mark),
            Palette::bold().apply_to(format!(
                "{}. {}",
                n + 1,
                sentence(&escape_controls(&cause.title))
            ))
        );
        // The summary, unless the title already said it all.
        if !cause.summary.eq_ignore_ascii_case(&cause.title) {
            let summary = shown(&cause.summary, MAX_LINE_CHARS);
            wrapped(
                text,
                hang,
                "",
                &summary,
                out.width,
                Palette::plain(),
                Palette::plain(),
            );
        }
        if let Some(said) = &cause.said {
            let said = shown(said, MAX_LINE_CHARS);
            // Who said it: AWS, the SDK's credential chain, or whatever answered instead.
            let answered = said
                .split(' ')
                .next()
                .is_some_and(|word| word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit()));
            let by = match cause.id.as_str() {
                "path" => "what answered: ",
                _ if answered => "AWS said: ",
                _ => "the SDK said: ",
            };
            wrapped(
                text,
                hang,
                by,
                &said,
                out.width,
                Palette::dim(),
                Palette::plain(),
            );
        }
        // The teller check's other problems: said here too, since its fixes below cover them.
        let teller = cause
            .checks
            .first()
            .and_then(|id| report.checks.iter().find(|c| &c.id == id));
        for also in teller.iter().flat_map(|c| &c.details).filter(|d| {
            matches!(
                d.level,
                crate::report::Level::Warn | crate::report::Level::Fail
            )
        }) {
            wrapped(
                text,
                hang,
                "also: ",
                &shown(&also.text, MAX_LINE_CHARS),
                out.width,
                Palette::dim(),
                Palette::plain(),
            );
        }
        let affected = affected(report, cause);
        if !affected.is_empty() {
            wrapped(
                text,
                hang,
                "affects: ",
                &affected,
                out.width,
                Palette::dim(),
                Palette::plain(),
            );
        }
        if let Some(fix) = &cause.fix {
            fix_lines(text, hang, fix, out.width);
        }
    }
}

/// `text` in at most `max` characters, cut at a word with `…`.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    if let Some(space) = kept.rfind(' ') {
        kept.truncate(space);
    }
    format!("{}…", kept.trim_end_matches([',', ';', ':']))
}

/// The other checks a problem affects: by title, or — many — by how many and where.
fn affected(report: &Report, cause: &crate::report::Cause) -> String {
    let others: Vec<&CheckResult> = cause.checks[1..]
        .iter()
        .filter_map(|id| report.checks.iter().find(|c| &c.id == id))
        .collect();
    if others.len() <= 6 {
        return others
            .iter()
            .map(|c| escape_controls(&c.title).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
    }
    let mut areas: Vec<&str> = Vec::new();
    for check in &others {
        if let Some(area) = check.area
            && !areas.contains(&area.title())
        {
            areas.push(area.title());
        }
    }
    format!("{} checks, in {}", others.len(), and_list(&areas))
}

/// A fix: prose wrapped at the width, a command or a policy statement never.
fn fix_lines(text: &mut String, hang: &str, fix: &str, width: usize) {
    for (i, line) in fix.lines().enumerate() {
        let label = if i == 0 { "fix: " } else { "     " };
        let line = shown(line, MAX_LINE_CHARS);
        if verbatim(&line) {
            let _ = writeln!(
                text,
                "{hang}{}{}",
                Palette::bold().apply_to(label),
                Palette::plain().apply_to(&*line)
            );
        } else {
            wrapped(
                text,
                hang,
                label,
                &line,
                width,
                Palette::bold(),
                Palette::plain(),
            );
        }
    }
}

/// Lines that are code — a statement, an indented block, a command line — are copied as they
/// are: wrapping would break them.
fn verbatim(line: &str) -> bool {
    line.starts_with([' ', '{', '}', '"', '[', ']'])
        || line.starts_with("export ")
        || line.starts_with("aws ")
        || line.starts_with("claude")
}

/// The closing block: the problems numbered with their one-line fixes, what `--fix` repairs,
/// and the verdict.
fn closing(text: &mut String, report: &Report, out: &Output, fixing: bool) {
    let causes = &report.causes;
    text.push('\n');
    if !causes.is_empty() {
        let heading = match causes.len() {
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        };
        let _ = writeln!(text, "{}", Palette::bold().apply_to(heading));
        for (n, cause) in causes.iter().enumerate() {
            let (_, style) = symbol(cause.status);
            let label = format!("  {}. ", n + 1);
            let line = format!(
                "{} → {}",
                sentence(&escape_controls(&cause.title)),
                one_line_fix(cause.fix.as_deref())
            );
            let hang = " ".repeat(measure_text_width(&label));
            let _ = hang;
            wrapped(text, "", &label, &line, out.width, style, Palette::plain());
        }
        let repairable = causes.iter().filter(|c| c.repairable).count();
        if repairable > 0 && !fixing {
            let which = if repairable == causes.len() && repairable == 1 {
                "repairs it".to_string()
            } else if repairable == causes.len() {
                "repairs them all".to_string()
            } else {
                format!("repairs {repairable} of them")
            };
            let _ = writeln!(
                text,
                "{} {which}.",
                Palette::bold().apply_to("`claude-bedrock doctor --fix`")
            );
        }
    }
    let (status, verdict) = report.summary.verdict(report.context.mode);
    let (mark, style) = symbol(status);
    let counts = format!("({})", counts(&report.summary));
    // The counts follow the verdict, or go under it when the line would wrap.
    let one_line = measure_text_width(mark) + 1 + verdict.len() + 1 + counts.len();
    let gap = if one_line <= out.width {
        " ".to_string()
    } else {
        format!("\n{}", " ".repeat(measure_text_width(mark) + 1))
    };
    let _ = writeln!(
        text,
        "{} {}{gap}{}",
        style.apply_to(mark),
        style.apply_to(verdict),
        Palette::dim().apply_to(counts)
    );
}

/// `18 checks passed, 11 did not apply`.
fn counts(summary: &Summary) -> String {
    let mut parts = vec![format!("{} checks passed", summary.pass)];
    if summary.skip > 0 {
        parts.push(format!("{} did not apply", summary.skip));
    }
    parts.join(", ")
}

/// A fix in one line, for the closing list: its first line, pointing up when more follows.
fn one_line_fix(fix: Option<&str>) -> String {
    let Some(fix) = fix else {
        return "see above".into();
    };
    let mut lines = fix.lines();
    let first = lines.next().unwrap_or("").trim();
    let more = lines.next().is_some();
    let first = escape_controls(first).into_owned();
    match (first.strip_suffix(':'), more) {
        (Some(head), true) => format!("{head} (as above)"),
        _ => first,
    }
}

/// A title as a sentence's start: its first letter capitalised — unless it starts with an
/// identifier (`anthropic.claude-…`, `bedrock:InvokeModel`), which is written as it is.
fn sentence(text: &str) -> String {
    let first_word = text.split(' ').next().unwrap_or("");
    if !first_word.chars().all(|c| c.is_alphabetic() || c == '\'') {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Every check, one line each, details and fixes beneath: what `-v` shows.
fn checklist(report: &Report, out: &Output, heading: &str) -> String {
    let mut text = String::new();
    header(&mut text, report, heading, out.width);
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
    if out.verbose >= 1 && !report.calls.is_empty() {
        calls(&mut text, report, out);
    }
    text
}

/// Every call the doctor made: operation, time, status and outcome in columns; the endpoint
/// after them when it fits, else on its own line beneath.
fn calls(text: &mut String, report: &Report, out: &Output) {
    let _ = writeln!(text, "\n{}", Palette::bold().apply_to("Calls"));
    let op_width = report
        .calls
        .iter()
        .map(|c| c.operation.len())
        .max()
        .unwrap_or(0);
    for call in &report.calls {
        let status = call.status.map_or_else(|| "-".into(), |s| s.to_string());
        let head = format!(
            "  {:<op_width$}  {:>6} ms  {:>3}  {:<5}",
            call.operation,
            call.duration_ms,
            status,
            escape_controls(&call.outcome)
        );
        let endpoint = escape_controls(&call.endpoint);
        let endpoint = Palette::dim().apply_to(&*endpoint);
        if measure_text_width(&head) + 2 + measure_text_width(&call.endpoint) <= out.width {
            let _ = writeln!(text, "{head}  {endpoint}");
        } else {
            let _ = writeln!(text, "{}\n      {endpoint}", head.trim_end());
        }
        if let Some(detail) = &call.detail {
            let detail = shown(detail, MAX_LINE_CHARS);
            wrapped(
                text,
                "      ",
                "",
                &detail,
                out.width,
                Palette::dim(),
                Palette::dim(),
            );
        }
    }
}

/// Every line of a check comes from data (settings values, AWS messages): it is escaped before
/// it is styled, so that no control character reaches the terminal, and cut when very long.
///
/// A check that meets a problem points to it by number: the problem, with its fix, is told
/// once after the list.
fn render_check(
    text: &mut String,
    report: &Report,
    check: &CheckResult,
    title_width: usize,
    out: &Output,
) {
    let (mark, style) = symbol(check.status);
    // ASCII marks differ in width (`[ok]`, `[FAIL]`): padded so that the titles line up.
    let mark_width = if crate::output::ascii() { 6 } else { 1 };
    let mark = format!("{mark:<mark_width$}");
    let indent = 2 + mark_width + 1 + title_width + 2;
    let summary_width = out.width.saturating_sub(indent).max(30);
    let summary = shown(&check.summary, MAX_LINE_CHARS);
    let title = escape_controls(&check.title);
    let mut lines: Vec<String> = wrap(&summary, summary_width)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    // The check's id and time close its summary: after its last word, or under it when the
    // line is full — never in the middle of a sentence.
    if out.verbose >= 1 {
        let tag = format!("[{} · {} ms]", check.id, check.duration_ms);
        let last = lines.last().map_or(0, |l| measure_text_width(l));
        let styled = Palette::dim().apply_to(&tag).to_string();
        if last + 2 + measure_text_width(&tag) <= summary_width {
            if let Some(line) = lines.last_mut() {
                line.push_str("  ");
                line.push_str(&styled);
            }
        } else {
            lines.push(styled);
        }
    }
    let hang = " ".repeat(indent);
    let pad = " ".repeat(title_width.saturating_sub(measure_text_width(&title)));
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(
                text,
                "  {} {}{}  {}",
                style.apply_to(&mark),
                Palette::bold().apply_to(&title),
                pad,
                line
            );
        } else {
            let _ = writeln!(text, "{hang}{line}");
        }
    }
    let show_details =
        check.status == Status::Warn || check.status == Status::Fail || out.verbose >= 1;
    let cause = report
        .causes
        .iter()
        .position(|c| c.checks.contains(&check.id));
    // What AWS said is told under the problem; a check that heard the same says no more.
    let heard_by_cause = |detail: &str| {
        cause
            .and_then(|n| report.causes[n].said.as_deref())
            .is_some_and(|said| detail.contains(said.get(..60).unwrap_or(said)))
    };
    if show_details {
        for detail in &check.details {
            if detail.level == Level::Evidence && heard_by_cause(&detail.text) {
                continue;
            }
            let line = shown(&detail.text, MAX_LINE_CHARS);
            let (mark, style) = match detail.level {
                Level::Fail => ("✗ ", Palette::fail()),
                Level::Warn => ("! ", Palette::warn()),
                Level::Note | Level::Evidence => ("· ", Palette::dim()),
            };
            let mark = if crate::output::ascii() {
                match detail.level {
                    Level::Fail => "x ",
                    Level::Warn => "! ",
                    _ => "- ",
                }
            } else {
                mark
            };
            wrapped(text, &hang, mark, &line, out.width, style.clone(), style);
        }
    }
    if let Some(n) = cause {
        let cause = &report.causes[n];
        let line = format!(
            "problem {}: {} (its fix is below)",
            n + 1,
            escape_controls(&cause.title)
        );
        let arrow = if crate::output::ascii() {
            "-> "
        } else {
            "→ "
        };
        wrapped(
            text,
            &hang,
            arrow,
            &line,
            out.width,
            Palette::dim(),
            Palette::dim(),
        );
        return;
    }
    // A hint that is no problem (a check that could not run, and how to let it).
    if let Some(fix) = &check.fix {
        for (i, fix_line) in fix.lines().enumerate() {
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
