//! The report as Markdown, to paste into a support ticket or a GitHub issue. A report holds
//! nothing secret (values are fingerprinted before they reach it); this renderer adds nothing
//! that is not in the report, and redacts endpoint URLs once more in case one carries a password.

use crate::encoding::escape_controls;
use crate::report::{CheckResult, Report, Status};
use crate::secret::redact_url;

/// The report as a GitHub issue body: the problems first, each with what AWS said and its fix,
/// a table of the problems, then — folded — every check and the context. The account id and
/// IAM names are masked unless `show_account`; the calls are listed under `-v` (`verbose`).
pub fn render_report(report: &Report, show_account: bool, verbose: bool) -> String {
    let md = ticket(report, verbose);
    if show_account { md } else { mask_account(&md) }
}

fn ticket(report: &Report, verbose: bool) -> String {
    let mut md = String::new();
    let ctx = &report.context;
    let causes = &report.causes;
    let heading = match causes.len() {
        0 => "no problem found".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    md.push_str(&format!("## claude-bedrock doctor: {heading}\n\n"));
    let mut facts = vec![
        ctx.region.clone(),
        format!("profile {} (auth {})", ctx.profile, ctx.auth),
    ];
    if let Some(client) = ctx.client_line() {
        facts.push(client);
    }
    facts.push(format!(
        "{} {} on {}",
        report.tool.name, report.tool.version, ctx.os
    ));
    if ctx.mode == crate::report::Mode::Offline {
        facts.push("offline".into());
    }
    md.push_str(&format!(
        "**{}** {}\n",
        inline(report.summary.verdict(ctx.mode).1),
        inline(&facts.join(" · "))
    ));
    for (n, cause) in causes.iter().enumerate() {
        md.push_str(&format!(
            "\n### {} {}. {}\n\n{}\n",
            badge(cause.status),
            n + 1,
            inline(&cause.title),
            inline(&cause.summary)
        ));
        if let Some(said) = &cause.said {
            md.push_str(&format!("\n> {}\n", inline(said)));
        }
        let others: Vec<String> = cause.checks[1..]
            .iter()
            .map(|id| format!("`{}`", code_span_safe(id)))
            .collect();
        if !others.is_empty() {
            md.push_str(&format!("\nAlso affects {}.\n", others.join(", ")));
        }
        if let Some(fix) = &cause.fix {
            let repairs = if cause.repairable {
                " (`claude-bedrock doctor --fix` makes this change)"
            } else {
                ""
            };
            md.push_str(&format!("\n**Fix**{repairs}\n\n"));
            md.push_str(&fenced(fix));
        }
    }
    if !causes.is_empty() {
        md.push_str("\n| # | Problem | Checks |\n| --- | --- | --- |\n");
        for (n, cause) in causes.iter().enumerate() {
            md.push_str(&format!(
                "| {} | {} {} | {} |\n",
                n + 1,
                badge(cause.status),
                inline(&cause.title),
                cause
                    .checks
                    .iter()
                    .map(|id| format!("`{}`", code_span_safe(id)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
    let fine: Vec<&CheckResult> = report.checks.iter().filter(|c| !c.is_problem()).collect();
    md.push_str(&format!(
        "\n<details><summary>The other checks ({} passed, {} did not apply)</summary>\n\n| Status | Check | Summary |\n| --- | --- | --- |\n",
        report.summary.pass, report.summary.skip
    ));
    for check in fine {
        md.push_str(&format!(
            "| {} | `{}` | {} |\n",
            badge(check.status),
            code_span_safe(&check.id),
            inline(&check.summary)
        ));
    }
    md.push_str("\n</details>\n");
    let provider = match (ctx.bedrock, ctx.mantle) {
        (true, true) => "Bedrock Invoke API and Mantle",
        (true, false) => "Bedrock Invoke API",
        (false, true) => "Bedrock Mantle",
        (false, false) => "Bedrock not switched on",
    };
    md.push_str("\n<details><summary>Context</summary>\n\n");
    let mut rows: Vec<(&str, String)> = vec![
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
    if let Some(endpoint) = &ctx.runtime_endpoint {
        rows.push(("Runtime endpoint", redact_url(endpoint)));
    }
    for (name, value) in rows {
        md.push_str(&format!("- {name}: {}\n", inline(&value)));
    }
    md.push_str("\n</details>\n");
    if verbose && !report.calls.is_empty() {
        md.push_str(
            "\n<details><summary>Network calls</summary>\n\n| Operation | Status | Outcome | Time | Endpoint |\n| --- | --- | --- | --- | --- |\n",
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
        md.push_str("\n</details>\n");
    }
    md
}

/// The account id (its last four digits kept) and the IAM user, role and session names in an
/// ARN, masked: a ticket is shared beyond the account.
fn mask_account(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of exactly twelve digits is an account id.
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = chars.get(i + run);
            if run == 12 && after.is_none_or(|c| !c.is_ascii_alphanumeric()) {
                out.push_str("********");
                out.extend(&chars[i + 8..i + 12]);
                i += 12;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
        // An IAM name after `:user/`, `:role/`, `:assumed-role/`, `:federated-user/`.
        for kind in [":user/", ":role/", ":assumed-role/", ":federated-user/"] {
            if out.ends_with(kind) {
                let name = chars[i..]
                    .iter()
                    .take_while(|c| {
                        !c.is_whitespace() && !matches!(c, '"' | ')' | ',' | '`' | '|' | '\\')
                    })
                    .count();
                if name > 0 {
                    out.push_str("(masked)");
                    i += name;
                }
            }
        }
    }
    out
}

/// The tool could not produce a report: the reason, in the report's place.
pub fn error_document(message: &str, fix: Option<&str>) -> String {
    let mut md = String::from("## claude-bedrock doctor: no report\n\n");
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
    fn the_account_and_iam_names_are_masked() {
        assert_eq!(
            mask_account(
                "account 123456789012 as arn:aws:sts::123456789012:assumed-role/Dev_01/dev@example.com, and 1234567890123"
            ),
            "account ********9012 as arn:aws:sts::********9012:assumed-role/(masked), and 1234567890123"
        );
        assert_eq!(
            mask_account("User: arn:aws:iam::123456789012:user/alice is not authorized"),
            "User: arn:aws:iam::********9012:user/(masked) is not authorized"
        );
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        let block = fenced("run ```this```");
        assert!(block.starts_with("````text\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }
}
