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
    /// Why a skipped check did not run; `None` unless `status` is `skip`.
    pub skip: Option<Skip>,
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
            cause: None,
            skip: None,
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
    pub problems: Vec<(Status, String)>,
    pub details: Vec<Detail>,
    pub fixes: Vec<String>,
    /// The first problem's cause, when it was named.
    pub cause: Option<String>,
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

    /// What a service said about a problem, kept verbatim.
    pub fn evidence(&mut self, detail: impl Into<String>) {
        self.details.push(Detail::evidence(detail));
    }

    /// Names the cause of the problem just raised, unless an earlier one was named.
    pub fn caused_by(&mut self, cause: impl Into<String>) {
        self.cause.get_or_insert_with(|| cause.into());
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
        result.cause = self.cause;
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

/// One problem behind one or more checks: its fix is given once.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cause {
    /// The named cause (`aws.marketplace-denied`), or else the id of the first check it affects.
    pub id: String,
    /// The worst status among the checks it affects.
    pub status: Status,
    /// The first affected check's summary.
    pub summary: String,
    pub fix: Option<String>,
    /// The checks it affects, in report order: the first is where it is told in full.
    pub checks: Vec<String>,
}

impl Cause {
    pub fn first_check(&self) -> &str {
        &self.checks[0]
    }
}

/// Groups the problems by cause, and writes each group's id into its checks. Two problems share a
/// cause when they name the same one, or, unnamed, when their fix is the same text: one remedy is
/// one cause.
pub fn link_causes(checks: &mut [CheckResult]) -> Vec<Cause> {
    let mut causes: Vec<Cause> = Vec::new();
    let mut by_key: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for check in checks.iter_mut() {
        if !check.is_problem() {
            check.cause = None;
            continue;
        }
        // A named cause is matched by name only: unrelated failures can share a generic fix.
        let keys: Vec<String> = match (&check.cause, &check.fix) {
            (Some(cause), _) => vec![format!("cause:{cause}")],
            (None, Some(fix)) => vec![format!("fix:{fix}")],
            (None, None) => Vec::new(),
        };
        let index = match keys.iter().find_map(|k| by_key.get(k)) {
            Some(&index) => {
                let cause = &mut causes[index];
                cause.checks.push(check.id.clone());
                if check.status == Status::Fail {
                    cause.status = Status::Fail;
                }
                if cause.fix.is_none() {
                    cause.fix = check.fix.clone();
                }
                index
            }
            None => {
                causes.push(Cause {
                    id: check.cause.clone().unwrap_or_else(|| check.id.clone()),
                    status: check.status,
                    summary: check.summary.clone(),
                    fix: check.fix.clone(),
                    checks: vec![check.id.clone()],
                });
                causes.len() - 1
            }
        };
        for key in keys {
            by_key.entry(key).or_insert(index);
        }
        check.cause = Some(causes[index].id.clone());
    }
    causes
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
    /// The distinct problems behind the failed and warned checks, in report order.
    pub causes: Vec<Cause>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallRecord>,
}

impl Report {
    pub fn new(context: Context, mut checks: Vec<CheckResult>, calls: Vec<CallRecord>) -> Report {
        let causes = link_causes(&mut checks);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            summary: Summary::of(&checks, &causes),
            context,
            checks,
            causes,
            calls,
        }
    }

    /// The cause of `check` when it is told in full under another check: that check.
    pub fn told_under(&self, check: &CheckResult) -> Option<&CheckResult> {
        let cause = self.cause_of(check)?;
        let first = cause.first_check();
        (first != check.id)
            .then(|| self.checks.iter().find(|c| c.id == first))
            .flatten()
    }

    /// The other checks a cause told in full under `check` affects.
    pub fn also_affected(&self, check: &CheckResult) -> Vec<&CheckResult> {
        match self.cause_of(check) {
            Some(cause) if cause.first_check() == check.id => cause.checks[1..]
                .iter()
                .filter_map(|id| self.checks.iter().find(|c| &c.id == id))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn cause_of(&self, check: &CheckResult) -> Option<&Cause> {
        let id = check.cause.as_deref()?;
        self.causes.iter().find(|c| c.id == id)
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
    fn checks_that_name_one_cause_are_one_problem() {
        let mut checks = vec![
            CheckResult::new("a", "A", Status::Pass, "fine").cause("aws.x"),
            CheckResult::new("b", "B", Status::Fail, "denied")
                .cause("aws.x")
                .fix("grant"),
            CheckResult::new("c", "C", Status::Warn, "denied too")
                .cause("aws.x")
                .fix("grant\nor pin"),
            CheckResult::new("d", "D", Status::Fail, "other")
                .cause("aws.y")
                .fix("grant"),
            CheckResult::new("e", "E", Status::Warn, "offline").fix("set it"),
            CheckResult::new("f", "F", Status::Fail, "offline too").fix("set it"),
            CheckResult::new("g", "G", Status::Fail, "no fix"),
        ];
        let causes = link_causes(&mut checks);
        let grouped: Vec<(&str, Status, Vec<&str>)> = causes
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.status,
                    c.checks.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            grouped,
            [
                ("aws.x", Status::Fail, vec!["b", "c"]),
                // A named cause is not merged with another for sharing a fix's words.
                ("aws.y", Status::Fail, vec!["d"]),
                ("e", Status::Fail, vec!["e", "f"]),
                ("g", Status::Fail, vec!["g"]),
            ]
        );
        assert_eq!(checks[0].cause, None, "a pass has no cause");
        assert_eq!(checks[2].cause.as_deref(), Some("aws.x"));
        assert_eq!(checks[5].cause.as_deref(), Some("e"));
        let summary = Summary::of(&checks, &causes);
        let words: Vec<String> = summary.parts().into_iter().map(|(_, p)| p).collect();
        assert_eq!(words, ["4 failed", "2 warnings", "4 causes", "1 passed"]);
    }

    #[test]
    fn causes_are_counted_only_when_checks_share_one() {
        let mut checks = vec![
            CheckResult::new("a", "A", Status::Fail, "x").fix("one"),
            CheckResult::new("b", "B", Status::Fail, "y").fix("two"),
        ];
        let causes = link_causes(&mut checks);
        let words: Vec<String> = Summary::of(&checks, &causes)
            .parts()
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(words, ["2 failed", "0 passed"]);
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
                skip: 0,
                causes: 2
            }
        );
    }
}
