//! The report every diagnosis produces, and every renderer draws.

use serde::{Serialize, Serializer};

pub const SCHEMA_VERSION: u32 = 1;

/// How much a detail line weighs: a further failure or warning of its check, or a supporting
/// fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Note,
    Warn,
    Fail,
}

/// One line under a check. In JSON it stays the string `schema_version: 1` consumers read: a
/// further failure starts with `✗ `, a further warning with `! `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub level: Level,
    pub text: String,
}

impl Detail {
    pub fn note(text: impl Into<String>) -> Detail {
        Detail {
            level: Level::Note,
            text: text.into(),
        }
    }

    pub fn problem(status: Status, text: impl Into<String>) -> Detail {
        Detail {
            level: match status {
                Status::Fail => Level::Fail,
                Status::Warn => Level::Warn,
                Status::Pass | Status::Skip => Level::Note,
            },
            text: text.into(),
        }
    }

    /// The line as JSON and the text reports carry it.
    pub fn marked(&self) -> String {
        match self.level {
            Level::Fail => format!("✗ {}", self.text),
            Level::Warn => format!("! {}", self.text),
            Level::Note => self.text.clone(),
        }
    }
}

impl From<String> for Detail {
    fn from(text: String) -> Detail {
        Detail::note(text)
    }
}

impl From<&str> for Detail {
    fn from(text: &str) -> Detail {
        Detail::note(text)
    }
}

impl Serialize for Detail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.marked())
    }
}

/// Whether the network checks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Online,
    /// `--offline`: no network call was made.
    Offline,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Online => "online",
            Mode::Offline => "offline",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Stable identifier, e.g. `auth.bearer`. CI filters on it.
    pub id: String,
    pub title: String,
    pub status: Status,
    /// One line: what was found.
    pub summary: String,
    /// Supporting facts and further problems, one per line.
    pub details: Vec<Detail>,
    /// What to do about it, when something is wrong.
    pub fix: Option<String>,
    pub duration_ms: u64,
}

impl CheckResult {
    pub fn new(id: &str, title: &str, status: Status, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            id: id.to_string(),
            title: title.to_string(),
            status,
            summary: summary.into(),
            details: Vec::new(),
            fix: None,
            duration_ms: 0,
        }
    }

    pub fn detail(mut self, line: impl Into<String>) -> CheckResult {
        self.details.push(Detail::note(line));
        self
    }

    pub fn details(mut self, lines: impl IntoIterator<Item = String>) -> CheckResult {
        self.details.extend(lines.into_iter().map(Detail::note));
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> CheckResult {
        self.fix = Some(fix.into());
        self
    }

    pub fn fix_opt(mut self, fix: Option<String>) -> CheckResult {
        self.fix = fix;
        self
    }
}

/// A set of findings that a check accumulates before it is turned into one result: the worst
/// status wins; each problem contributes its own detail and fix.
#[derive(Debug, Default)]
pub struct Findings {
    pub status: Option<Status>,
    pub problems: Vec<(Status, String)>,
    pub details: Vec<Detail>,
    pub fixes: Vec<String>,
}

impl Findings {
    pub fn raise(&mut self, status: Status, problem: impl Into<String>, fix: Option<String>) {
        let rank = |s: Status| match s {
            Status::Pass | Status::Skip => 0,
            Status::Warn => 1,
            Status::Fail => 2,
        };
        if self
            .status
            .is_none_or(|current| rank(status) > rank(current))
        {
            self.status = Some(status);
        }
        self.problems.push((status, problem.into()));
        if let Some(fix) = fix
            && !self.fixes.contains(&fix)
        {
            self.fixes.push(fix);
        }
    }

    pub fn warn(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.raise(Status::Warn, problem, Some(fix.into()));
    }

    pub fn fail(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.raise(Status::Fail, problem, Some(fix.into()));
    }

    pub fn note(&mut self, detail: impl Into<String>) {
        self.details.push(Detail::note(detail));
    }

    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// One result: on success `pass_summary`; otherwise the first problem is the summary, the
    /// others lead the details.
    pub fn into_result(
        self,
        id: &str,
        title: &str,
        pass_summary: impl Into<String>,
    ) -> CheckResult {
        let Some(status) = self.status else {
            let mut result = CheckResult::new(id, title, Status::Pass, pass_summary);
            result.details = self.details;
            return result;
        };
        // The first problem is the summary; the others lead the details, with their level.
        let mut problems = self.problems.into_iter();
        let summary = problems.next().map(|(_, p)| p).unwrap_or_default();
        let mut details: Vec<Detail> = problems
            .map(|(status, p)| Detail::problem(status, p))
            .collect();
        details.extend(self.details);
        let fix = (!self.fixes.is_empty()).then(|| self.fixes.join("\n"));
        let mut result = CheckResult::new(id, title, status, summary).fix_opt(fix);
        result.details = details;
        result
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Summary {
    pub fn of(checks: &[CheckResult]) -> Summary {
        let mut summary = Summary::default();
        for check in checks {
            match check.status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        summary
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The configuration a report was made in, so that a reader knows what was tested.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub region: String,
    pub region_source: String,
    pub profile: String,
    pub profile_source: String,
    pub auth: String,
    pub auth_detail: String,
    pub bedrock: bool,
    pub mantle: bool,
    pub claude_config_dir: String,
    pub project_dir: String,
    pub os: String,
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_endpoint: Option<String>,
}

/// One call made to a network endpoint, shown under `-v`.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub operation: String,
    pub endpoint: String,
    /// HTTP status, or `None` when no response came back.
    pub status: Option<u16>,
    pub outcome: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub context: Context,
    pub checks: Vec<CheckResult>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallRecord>,
}

impl Report {
    pub fn new(context: Context, checks: Vec<CheckResult>, calls: Vec<CallRecord>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            summary: Summary::of(&checks),
            context,
            checks,
            calls,
        }
    }

    /// 0 when nothing failed (and, under `strict`, nothing warned); 1 otherwise.
    pub fn exit_code(&self, strict: bool) -> u8 {
        if self.summary.fail > 0 || (strict && self.summary.warn > 0) {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_keep_the_worst_status_and_every_fix() {
        let mut findings = Findings::default();
        findings.warn("first", "fix one");
        findings.fail("second", "fix two");
        findings.warn("third", "fix one");
        let result = findings.into_result("x", "X", "fine");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(result.summary, "first");
        let marked: Vec<String> = result.details.iter().map(Detail::marked).collect();
        assert_eq!(marked, ["✗ second", "! third"]);
        assert_eq!(result.fix.as_deref(), Some("fix one\nfix two"));
    }

    #[test]
    fn exit_code_follows_failures_and_strictness() {
        let warn = CheckResult::new("a", "A", Status::Warn, "w");
        let fail = CheckResult::new("b", "B", Status::Fail, "f");
        let context = Context {
            region: String::new(),
            region_source: String::new(),
            profile: String::new(),
            profile_source: String::new(),
            auth: String::new(),
            auth_detail: String::new(),
            bedrock: true,
            mantle: false,
            claude_config_dir: String::new(),
            project_dir: String::new(),
            os: String::new(),
            mode: Mode::Online,
            control_endpoint: None,
            runtime_endpoint: None,
        };
        let only_warn = Report::new(context.clone(), vec![warn.clone()], vec![]);
        assert_eq!(only_warn.exit_code(false), 0);
        assert_eq!(only_warn.exit_code(true), 1);
        let failed = Report::new(context, vec![warn, fail], vec![]);
        assert_eq!(failed.exit_code(false), 1);
        assert_eq!(
            failed.summary,
            Summary {
                pass: 0,
                warn: 1,
                fail: 1,
                skip: 0
            }
        );
    }
}
