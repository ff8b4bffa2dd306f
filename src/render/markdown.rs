//! The report as Markdown, to paste into a support ticket or a GitHub issue. A report holds
//! nothing secret (values are fingerprinted before they reach it); this renderer adds nothing
//! that is not in the report, and redacts endpoint URLs once more in case one carries a password.

use crate::encoding::escape_controls;
use crate::report::{CheckResult, Level, Report, Status};
use crate::secret::redact_url;

pub fn render_report(report: &Report) -> String {
    let mut md = String::new();
    let ctx = &report.context;
    md.push_str("## claude-bedrock doctor report\n\n");
    md.push_str(&format!(
        "**{}** — {}\n\n",
        report
            .summary
            .parts()
            .into_iter()
            .map(|(_, part)| part)
            .collect::<Vec<_>>()
            .join(" · "),
        report.summary.verdict(ctx.mode).1
    ));

    let provider = match (ctx.bedrock, ctx.mantle) {
        (true, true) => "Bedrock Invoke API and Mantle",
        (true, false) => "Bedrock Invoke API",
        (false, true) => "Bedrock Mantle",
        (false, false) => "Bedrock not switched on",
    };
    let mut rows: Vec<(&str, String)> = vec![
        (
            "Tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("OS", ctx.os.clone()),
        ("Mode", ctx.mode.as_str().to_string()),
        ("Provider", provider.to_string()),
        ("Region", format!("{} ({})", ctx.region, ctx.region_source)),
        (
            "Profile",
            format!("{} ({})", ctx.profile, ctx.profile_source),
        ),
        ("Auth", format!("{}: {}", ctx.auth, ctx.auth_detail)),
        ("Claude config dir", ctx.claude_config_dir.clone()),
        ("Project dir", ctx.project_dir.clone()),
    ];
    if let Some(endpoint) = &ctx.control_endpoint {
        rows.push(("Control-plane endpoint", redact_url(endpoint)));
    }
    if let Some(endpoint) = &ctx.runtime_endpoint {
        rows.push(("Runtime endpoint", redact_url(endpoint)));
    }
    md.push_str("| | |\n| --- | --- |\n");
    for (name, value) in rows {
        md.push_str(&format!("| {name} | {} |\n", inline(&value)));
    }

    md.push_str("\n### Checks\n\n| Status | Check | Summary |\n| --- | --- | --- |\n");
    for check in &report.checks {
        md.push_str(&format!(
            "| {} | {} `{}` | {} |\n",
            badge(check.status),
            inline(&check.title),
            code_span_safe(&check.id),
            inline(&check.summary)
        ));
    }

    let explained: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| !c.details.is_empty() || c.fix.is_some())
        .collect();
    if !explained.is_empty() {
        md.push_str("\n### Details\n");
        for check in explained {
            md.push_str(&format!(
                "\n#### {} {} `{}`\n\n{}\n",
                badge(check.status),
                inline(&check.title),
                code_span_safe(&check.id),
                inline(&check.summary)
            ));
            // A shared cause is told in full once, under the first check it affects.
            let told_under = report.told_under(check);
            let lines: Vec<String> = check
                .details
                .iter()
                .filter(|d| told_under.is_none() || d.level != Level::Evidence)
                .map(super::super::report::Detail::marked)
                .collect();
            if !lines.is_empty() {
                md.push('\n');
                md.push_str(&fenced(&lines.join("\n")));
            }
            let fix = match (&check.fix, told_under) {
                (Some(fix), Some(first)) => {
                    let told: Vec<&str> = first.fix.as_deref().unwrap_or("").lines().collect();
                    let own: Vec<&str> = fix.lines().filter(|l| !told.contains(l)).collect();
                    (!own.is_empty()).then(|| own.join("\n"))
                }
                (fix, _) => fix.clone(),
            };
            if let Some(fix) = fix {
                md.push_str("\n**Fix**\n\n");
                md.push_str(&fenced(&fix));
            }
            if let Some(first) = told_under {
                md.push_str(&format!(
                    "\nSame cause as {} `{}` (its fix is above).\n",
                    inline(&first.title),
                    code_span_safe(&first.id)
                ));
            }
            let also = report.also_affected(check);
            if !also.is_empty() {
                let names: Vec<String> = also
                    .iter()
                    .map(|c| format!("{} `{}`", inline(&c.title), code_span_safe(&c.id)))
                    .collect();
                md.push_str(&format!("\nThe same cause affects {}.\n", names.join(", ")));
            }
        }
    }

    if !report.calls.is_empty() {
        md.push_str(
            "\n### Network calls\n\n| Operation | Status | Outcome | Time | Endpoint |\n| --- | --- | --- | --- | --- |\n",
        );
        for call in &report.calls {
            md.push_str(&format!(
                "| {} | {} | {} | {} ms | {} |\n",
                inline(&call.operation),
                call.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                inline(&call.outcome),
                call.duration_ms,
                inline(&redact_url(&call.endpoint))
            ));
        }
    }
    md
}

/// The tool could not produce a report: the reason, in the report's place.
pub fn error_document(message: &str, fix: Option<&str>) -> String {
    let mut md = String::from("## claude-bedrock doctor report\n\n");
    md.push_str(&format!("**error** — {}\n", inline(message)));
    if let Some(fix) = fix {
        md.push_str("\n**Fix**\n\n");
        md.push_str(&fenced(fix));
    }
    md
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Warn => "⚠️ warn",
        Status::Fail => "❌ fail",
        Status::Skip => "➖ skip",
    }
}

/// Text for a paragraph or a table cell: one line, Markdown and HTML syntax escaped, so that a
/// `<placeholder>` or an `inference-profile/*` shows as written.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let intraword = |i: usize| {
            i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        };
        match c {
            // An underscore inside a word never emphasises: AWS_REGION stays readable.
            '_' if intraword(i) => out.push(c),
            // Only a leading # makes a heading.
            '#' if i > 0 => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push_str(&escape_controls(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Check ids are `[a-z.-]`; anything else would break out of the code span.
fn code_span_safe(id: &str) -> String {
    id.replace('`', "'")
}

/// A fenced block longer than any run of backticks inside, so the text cannot close it.
/// Control characters inside are escaped line by line, as in the terminal.
fn fenced(text: &str) -> String {
    let text: Vec<String> = text
        .trim_end_matches('\n')
        .lines()
        .map(|line| escape_controls(line).into_owned())
        .collect();
    let text = text.join("\n");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_is_escaped_and_single_line() {
        assert_eq!(inline("a|b <c> *d*\nnext"), "a\\|b \\<c\\> \\*d\\* next");
        assert_eq!(inline("AWS_REGION _x_"), "AWS_REGION \\_x\\_");
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        let block = fenced("run ```this```");
        assert!(block.starts_with("````text\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }
}
