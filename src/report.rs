//! The report every diagnosis produces, and every renderer draws.

use serde::{Serialize, Serializer};

pub const SCHEMA_VERSION: u32 = 1;

/// How much a detail line weighs: a further failure or warning of its check, or a supporting
/// fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Note,
    /// What a service or the SDK said, verbatim: shown once per cause.
    Evidence,
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

    pub fn evidence(text: impl Into<String>) -> Detail {
        Detail {
            level: Level::Evidence,
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
            Level::Note | Level::Evidence => self.text.clone(),
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

/// Where a check is told in the report: what a person asks about, in the order they ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Configuration,
    Credentials,
    Bedrock,
    Network,
    ClaudeCode,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Configuration,
        Area::Credentials,
        Area::Bedrock,
        Area::Network,
        Area::ClaudeCode,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Area::Configuration => "Configuration",
            Area::Credentials => "Credentials",
            Area::Bedrock => "Bedrock",
            Area::Network => "Network",
            Area::ClaudeCode => "Claude Code",
        }
    }
}

/// Why a check did not run, for a reader that filters on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Skip {
    /// `--offline`: it needs the network.
    Offline,
    /// What it checks is not in use: no API key, no fallback model, Mantle off, not SSO.
    NotInUse,
    /// No `claude` executable was found to run.
    NoClient,
    /// Another check's failure leaves nothing to test.
    Blocked { by: &'static str },
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Stable identifier, e.g. `auth.bearer`. CI filters on it.
    pub id: String,
    pub title: String,
    /// Where the report tells it.
    pub area: Option<Area>,
    pub status: Status,
    /// One line: what was found.
    pub summary: String,
    /// Supporting facts and further problems, one per line.
    pub details: Vec<Detail>,
    /// What to do about it, when something is wrong.
    pub fix: Option<String>,
    /// The cause this problem shares with others (an id of the report's `causes`); `None` for a
    /// check without a problem.
    pub cause: Option<String>,
    /// The check that tells this problem's cause, when it is another: this check met the cause
    /// (or could not run past it) and is no failure of its own.
    pub blocked_by: Option<String>,
    /// Why a skipped check did not run; `None` unless `status` is `skip`.
    pub skip: Option<Skip>,
    /// What the service (or the network, or the SDK) said about the problem, as a person reads
    /// it: one line; the raw form is among the details.
    pub said: Option<String>,
    pub duration_ms: u64,
}

impl CheckResult {
    pub fn new(id: &str, title: &str, status: Status, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            id: id.to_string(),
            title: title.to_string(),
            area: None,
            status,
            summary: summary.into(),
            details: Vec::new(),
            fix: None,
            cause: None,
            blocked_by: None,
            skip: None,
            said: None,
            duration_ms: 0,
        }
    }

    /// A check that did not run, and why.
    pub fn skipped(id: &str, title: &str, why: Skip, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            skip: Some(why),
            ..CheckResult::new(id, title, Status::Skip, summary)
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

    /// Names what went wrong in words other checks may share (`aws.marketplace-denied`):
    /// checks with one cause are reported as one problem.
    pub fn cause(mut self, cause: impl Into<String>) -> CheckResult {
        self.cause = Some(cause.into());
        self
    }

    pub fn is_problem(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Warn)
    }
}

/// A set of findings that a check accumulates before it is turned into one result: the worst
/// status wins; each problem contributes its own detail and fix.
#[derive(Debug, Default)]
pub struct Findings {
    pub status: Option<Status>,
    pub problems: Vec<Problem>,
    pub details: Vec<Detail>,
    pub fixes: Vec<String>,
}

/// One problem a check found: how grave, what it is, its fix and — when named — its cause.
#[derive(Debug)]
pub struct Problem {
    pub status: Status,
    pub text: String,
    pub fix: Option<String>,
    pub cause: Option<String>,
    /// What the service answered, verbatim (scrubbed).
    pub said: Option<String>,
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
        if let Some(fix) = &fix
            && !self.fixes.contains(fix)
        {
            self.fixes.push(fix.clone());
        }
        self.problems.push(Problem {
            status,
            text: problem.into(),
            fix,
            cause: None,
            said: None,
        });
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

    /// What a service said about a problem, kept verbatim.
    pub fn evidence(&mut self, detail: impl Into<String>) {
        self.details.push(Detail::evidence(detail));
    }

    /// What the service answered to the problem just raised.
    pub fn said(&mut self, said: impl Into<String>) {
        if let Some(problem) = self.problems.last_mut() {
            problem.said = Some(crate::aws::errors::plain_words(&said.into()));
        }
    }

    /// Names the cause of the problem just raised.
    pub fn caused_by(&mut self, cause: impl Into<String>) {
        if let Some(problem) = self.problems.last_mut() {
            problem.cause = Some(cause.into());
        }
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
        // The first of the gravest problems is the summary, with its cause; the others lead
        // the details, with their level.
        let lead = self
            .problems
            .iter()
            .position(|p| p.status == status)
            .unwrap_or(0);
        let mut problems = self.problems;
        let lead = problems.remove(lead);
        let mut details: Vec<Detail> = problems
            .into_iter()
            .map(|p| Detail::problem(p.status, p.text))
            .collect();
        details.extend(self.details);
        // The summary's own fix leads: the closing list quotes a fix's first line.
        let mut fixes = self.fixes;
        if let Some(own) = &lead.fix
            && let Some(at) = fixes.iter().position(|f| f == own)
        {
            let own = fixes.remove(at);
            fixes.insert(0, own);
        }
        let fix = (!fixes.is_empty()).then(|| fixes.join("\n"));
        let mut result = CheckResult::new(id, title, status, lead.text).fix_opt(fix);
        result.details = details;
        result.cause = lead.cause;
        result.said = lead.said;
        result
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    /// Distinct causes behind the failures and warnings (fewer than `fail + warn` when checks
    /// share one).
    pub causes: usize,
}

impl Summary {
    pub fn of(checks: &[CheckResult], causes: &[Cause]) -> Summary {
        let mut summary = Summary {
            causes: causes.len(),
            ..Summary::default()
        };
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

    /// The counts in words, each with the status it is shown in: `8 failed · 1 cause · 10
    /// passed`. Causes are counted only when checks share one.
    pub fn parts(&self) -> Vec<(Status, String)> {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.fail > 0 {
            parts.push((Status::Fail, format!("{} failed", self.fail)));
        }
        if self.warn > 0 {
            parts.push((Status::Warn, plural(self.warn, "warning", "warnings")));
        }
        if self.causes > 0 && self.causes < self.fail + self.warn {
            let status = if self.fail > 0 {
                Status::Fail
            } else {
                Status::Warn
            };
            parts.push((status, plural(self.causes, "cause", "causes")));
        }
        parts.push((Status::Pass, format!("{} passed", self.pass)));
        if self.skip > 0 {
            parts.push((Status::Skip, format!("{} skipped", self.skip)));
        }
        parts
    }

    /// What the counts mean for Claude Code, and the status it is shown in.
    pub fn verdict(&self, mode: Mode) -> (Status, &'static str) {
        if mode == Mode::Offline && self.fail == 0 {
            (
                Status::Skip,
                "The configuration looks right; run without --offline to test it against AWS.",
            )
        } else if self.fail > 0 {
            (
                Status::Fail,
                "Claude Code on Bedrock will not work as configured.",
            )
        } else if self.warn > 0 {
            (
                Status::Warn,
                "Claude Code on Bedrock should work; see the warnings.",
            )
        } else {
            (Status::Pass, "Claude Code on Bedrock is ready.")
        }
    }
}

/// One problem behind one or more checks: told once, with its fix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cause {
    /// The named cause (`aws.marketplace`, `credentials`, `setup`), or else the id of the check
    /// that tells it.
    pub id: String,
    /// The few words a list names it by (`the AWS Marketplace actions are denied`).
    pub title: String,
    /// The worst status among the checks it affects.
    pub status: Status,
    /// What is wrong, in one sentence: the telling check's summary.
    pub summary: String,
    /// What the service (or the network) said, one line, when something did.
    pub said: Option<String>,
    pub fix: Option<String>,
    /// The checks it affects, in report order but for the first: the check that tells it.
    pub checks: Vec<String>,
    /// `doctor --fix` makes the change that removes it.
    pub repairable: bool,
}

impl Cause {
    pub fn first_check(&self) -> &str {
        &self.checks[0]
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
    /// The user's Claude Code, as `claude --version` says it, when it was found.
    pub client_version: Option<String>,
    /// The Claude Code release this tool's knowledge of the client was observed from.
    pub observed_client: String,
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_endpoint: Option<String>,
}

impl Context {
    /// The user's client as a report's header names it, said once: a client newer than the one
    /// this tool observed is marked so (the rehearsal with it is then the evidence).
    pub fn client_line(&self) -> Option<String> {
        let client = self.client_version.as_ref()?;
        let newer = crate::knowledge::newer_than_observed(crate::knowledge::Version::parse(client));
        Some(if newer {
            format!(
                "{client} (newer than the {} this tool has observed)",
                self.observed_client
            )
        } else {
            client.clone()
        })
    }
}

/// One area of the report in a line: its worst status, and what it comes to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AreaLine {
    pub area: Area,
    pub status: Status,
    pub summary: String,
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
    /// What else there is to say of it: a relayed model request's shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub context: Context,
    pub checks: Vec<CheckResult>,
    /// The distinct problems behind the failed and warned checks, most fundamental first.
    pub causes: Vec<Cause>,
    /// Each area of the report in a line.
    pub areas: Vec<AreaLine>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallRecord>,
}

impl Report {
    /// The report of `checks`, whose problems are `causes` (each check's `cause` naming one).
    pub fn new(
        context: Context,
        checks: Vec<CheckResult>,
        causes: Vec<Cause>,
        calls: Vec<CallRecord>,
    ) -> Report {
        // In a stable order (the calls run at once and end in any order): by service and
        // operation, then where they went.
        let mut calls = calls;
        calls.sort_by(|a, b| (&a.operation, &a.endpoint).cmp(&(&b.operation, &b.endpoint)));
        Report {
            areas: Vec::new(),
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            summary: Summary::of(&checks, &causes),
            context,
            checks,
            causes,
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
        findings.caused_by("aws.second");
        findings.said("400 ValidationException: no");
        findings.warn("third", "fix one");
        let result = findings.into_result("x", "X", "fine");
        assert_eq!(result.status, Status::Fail);
        // The gravest problem leads, with its own cause, words and fix; the others follow.
        assert_eq!(result.summary, "second");
        assert_eq!(result.cause.as_deref(), Some("aws.second"));
        assert_eq!(result.said.as_deref(), Some("400 ValidationException: no"));
        let marked: Vec<String> = result.details.iter().map(Detail::marked).collect();
        assert_eq!(marked, ["! first", "! third"]);
        assert_eq!(result.fix.as_deref(), Some("fix two\nfix one"));
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
            client_version: None,
            observed_client: String::new(),
            mode: Mode::Online,
            control_endpoint: None,
            runtime_endpoint: None,
        };
        let only_warn = Report::new(context.clone(), vec![warn.clone()], Vec::new(), vec![]);
        assert_eq!(only_warn.exit_code(false), 0);
        assert_eq!(only_warn.exit_code(true), 1);
        let failed = Report::new(context, vec![warn, fail], Vec::new(), vec![]);
        assert_eq!(failed.exit_code(false), 1);
        assert_eq!(
            failed.summary,
            Summary {
                pass: 0,
                warn: 1,
                fail: 1,
                skip: 0,
                causes: 0
            }
        );
    }
}
