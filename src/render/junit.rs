//! The report as JUnit XML, for CI dashboards: one test suite, one test case per check. A failed
//! check is a `<failure>`; a warning passes but keeps its finding in `<system-out>`; a skipped
//! check is `<skipped/>`.

use crate::report::{CheckResult, Report, Status};
use crate::secret::redact_url;

const SUITE: &str = "claude-bedrock doctor";
const CLASS: &str = "claude-bedrock.doctor";

pub fn render_report(report: &Report) -> String {
    let summary = &report.summary;
    let tests = report.checks.len();
    let seconds = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    // Checks run concurrently, so the suite's time is the longest check, not the sum.
    let total_ms = report
        .checks
        .iter()
        .map(|c| c.duration_ms)
        .max()
        .unwrap_or(0);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"",
        summary.fail,
        summary.skip,
        seconds(total_ms)
    );
    xml.push_str(&format!("<testsuites name=\"{}\" {counts}>\n", attr(SUITE)));
    xml.push_str(&format!(
        "  <testsuite name=\"{}\" {counts}>\n",
        attr(SUITE)
    ));

    let ctx = &report.context;
    let mut properties = vec![
        (
            "tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("os", ctx.os.clone()),
        ("mode", ctx.mode.as_str().to_string()),
        ("region", ctx.region.clone()),
        ("region_source", ctx.region_source.clone()),
        ("profile", ctx.profile.clone()),
        ("profile_source", ctx.profile_source.clone()),
        ("auth", ctx.auth.clone()),
        ("auth_detail", ctx.auth_detail.clone()),
        ("bedrock", ctx.bedrock.to_string()),
        ("mantle", ctx.mantle.to_string()),
        ("warnings", summary.warn.to_string()),
    ];
    if let Some(endpoint) = &ctx.control_endpoint {
        properties.push(("control_endpoint", redact_url(endpoint)));
    }
    if let Some(endpoint) = &ctx.runtime_endpoint {
        properties.push(("runtime_endpoint", redact_url(endpoint)));
    }
    xml.push_str("    <properties>\n");
    for (name, value) in properties {
        xml.push_str(&format!(
            "      <property name=\"{}\" value=\"{}\"/>\n",
            attr(name),
            attr(&value)
        ));
    }
    xml.push_str("    </properties>\n");

    for check in &report.checks {
        xml.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{CLASS}\" time=\"{}\"",
            attr(&format!("{} ({})", check.id, check.title)),
            seconds(check.duration_ms)
        ));
        xml.push_str(">\n");
        match check.status {
            Status::Pass => {
                xml.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    text(&body(check, false))
                ));
            }
            Status::Warn => {
                xml.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    text(&body(check, true))
                ));
            }
            Status::Fail => {
                xml.push_str(&format!(
                    "      <failure message=\"{}\" type=\"fail\">{}</failure>\n",
                    attr(&check.summary),
                    text(&failure_body(check))
                ));
            }
            Status::Skip => {
                xml.push_str(&format!(
                    "      <skipped message=\"{}\"/>\n",
                    attr(&check.summary)
                ));
            }
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// The tool could not produce a report: one test case in error, so that a CI dashboard shows
/// the reason instead of a missing file.
pub fn error_document(message: &str, fix: Option<&str>) -> String {
    let mut body = message.to_string();
    if let Some(fix) = fix {
        body.push_str(&format!("\nfix: {fix}"));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n  <testsuite name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n    <testcase name=\"claude-bedrock\" classname=\"{CLASS}\" time=\"0.000\">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        attr(message),
        text(&body),
        suite = attr(SUITE),
    )
}

/// Summary, details and fix, as a person reads them in the CI log.
fn body(check: &CheckResult, warning: bool) -> String {
    let mut lines = vec![if warning {
        format!("warning: {}", check.summary)
    } else {
        check.summary.clone()
    }];
    lines.extend(check.details.iter().map(|d| format!("  {}", d.marked())));
    if let Some(fix) = &check.fix {
        lines.push(format!("fix: {}", fix.replace('\n', "\n     ")));
    }
    lines.join("\n")
}

/// The summary is already the failure's message; the text carries details and fix.
fn failure_body(check: &CheckResult) -> String {
    let mut lines: Vec<String> = check
        .details
        .iter()
        .map(super::super::report::Detail::marked)
        .collect();
    if let Some(fix) = &check.fix {
        lines.push(format!("fix: {}", fix.replace('\n', "\n     ")));
    }
    lines.join("\n")
}

/// Characters XML 1.0 cannot carry at all (most C0 controls, e.g. a stray ANSI escape) are
/// replaced, so one odd byte in a message cannot make the whole document unparseable.
fn legal(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if legal(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Attribute values: quotes escaped, and line breaks as character references so that a parser
/// does not normalise them to spaces.
fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if legal(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_illegal_characters() {
        assert_eq!(text("a<b>&c\u{1b}[0m"), "a&lt;b&gt;&amp;c\u{FFFD}[0m");
        assert_eq!(attr("say \"hi\"\nnow"), "say &quot;hi&quot;&#10;now");
    }
}
