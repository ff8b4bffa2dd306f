//! Reports for tickets and CI: Markdown and JUnit renderings of one report, and `--output`.

use claude_bedrock::render::{junit, markdown};
use claude_bedrock::report::{CheckResult, Report, Status};

use crate::support::Sandbox;

/// A report with every status, and text that XML and Markdown must escape.
fn report() -> Report {
    let sandbox = Sandbox::new().env("CLAUDE_CODE_USE_BEDROCK", "1");
    let config = sandbox.resolve();
    let context = claude_bedrock::doctor::context(&config);
    let mut pass = CheckResult::new(
        "region",
        "Region",
        Status::Pass,
        "us-west-2 from AWS_REGION",
    );
    pass.duration_ms = 1234;
    let checks = vec![
        pass,
        CheckResult::new(
            "auth.bearer",
            "Bedrock API key",
            Status::Warn,
            "the key expires within 30 minutes <soon> & \"then\" fails",
        )
        .detail("key ABSK…<132 chars> from process env")
        .fix("Generate a fresh key before a long session."),
        CheckResult::new(
            "iam.invoke",
            "IAM: invoke",
            Status::Fail,
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on <resource> & \"more\"",
        )
        .detail("✗ also denied: bedrock:InvokeModelWithResponseStream")
        .detail("InvokeModel said: AccessDeniedException <403>")
        .fix("Attach this statement:\n{\"Action\": [\"bedrock:InvokeModel\"], \"Resource\": \"arn:aws:bedrock:*:*:inference-profile/*\"}"),
        CheckResult::new(
            "client.bearer-trace",
            "Client auth trace",
            Status::Skip,
            "run with --trace-client to watch which auth headers your `claude` sends",
        ),
    ];
    let mut checks = checks;
    let causes = claude_bedrock::doctor::diagnosis::causes(&mut checks);
    Report::new(context, checks, causes, vec![])
}

fn child<'a, 'input>(
    case: &roxmltree::Node<'a, 'input>,
    tag: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    case.children().find(|n| n.has_tag_name(tag))
}

#[test]
fn junit_is_valid_xml_with_one_case_per_check() {
    let xml = junit::render_report(&report());
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|err| panic!("{err}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1, "{xml}");
    let suite = suites[0];
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    let property = |name: &str| {
        suite
            .descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
            .and_then(|n| n.attribute("value"))
            .map(str::to_string)
    };
    assert_eq!(
        property("tool").as_deref(),
        Some(concat!("claude-bedrock ", env!("CARGO_PKG_VERSION")))
    );
    assert!(property("os").is_some());

    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "region (Region)",
            "auth.bearer (Bedrock API key)",
            "iam.invoke (IAM: invoke)",
            "client.bearer-trace (Client auth trace)"
        ]
    );
    assert_eq!(cases[0].attribute("time"), Some("1.234"));
    // pass: no failure, no skip
    assert!(child(&cases[0], "failure").is_none() && child(&cases[0], "skipped").is_none());
    // warn: passes, the finding in system-out, escaped characters come back intact
    assert!(child(&cases[1], "failure").is_none());
    let out = child(&cases[1], "system-out").unwrap().text().unwrap();
    assert!(
        out.contains("warning: the key expires within 30 minutes <soon> & \"then\" fails"),
        "{out}"
    );
    assert!(out.contains("fix: Generate a fresh key"), "{out}");
    // fail: message is the summary; details and fix are the text
    let failure = child(&cases[2], "failure").unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some(
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on <resource> & \"more\""
        )
    );
    let text = failure.text().unwrap();
    assert!(text.contains("✗ also denied"), "{text}");
    assert!(text.contains("AccessDeniedException <403>"), "{text}");
    assert!(
        text.contains("\"Resource\": \"arn:aws:bedrock:*:*:inference-profile/*\""),
        "{text}"
    );
    // skip
    let skipped = child(&cases[3], "skipped").unwrap();
    assert!(
        skipped
            .attribute("message")
            .unwrap()
            .contains("--trace-client")
    );
}

#[test]
fn junit_survives_control_characters() {
    let mut report = report();
    report.checks[0].summary = "colour \u{1b}[31mred\u{1b}[0m and a NUL \u{0}".into();
    let xml = junit::render_report(&report);
    roxmltree::Document::parse(&xml).unwrap_or_else(|err| panic!("{err}\n{xml}"));
}

#[test]
fn markdown_tells_the_problems_first_then_folds_the_rest() {
    let md = markdown::render_report(&report(), true, false);
    assert!(
        md.starts_with("## claude-bedrock doctor: 2 problems\n"),
        "{md}"
    );
    // The problems come first, with their fixes; then their table; the rest is folded.
    let at = |needle: &str| {
        md.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{md}"))
    };
    let first_problem = at("### ❌ fail 1.");
    let table = at("| # | Problem | Checks |");
    let folded = at("<details><summary>The other checks");
    assert!(first_problem < table && table < folded, "{md}");
    for (badge, id) in [("✅ pass", "region"), ("➖ skip", "client.bearer-trace")] {
        assert!(
            md.contains(&format!("| {badge} | `{id}` |")),
            "{badge} {md}"
        );
    }
    // Markup in a summary is escaped, so `<resource>` is not swallowed as an HTML tag.
    assert!(md.contains("on \\<resource\\> \\& \"more\""), "{md}");
    // A fix keeps its text verbatim in a fenced block.
    assert!(
        md.contains("**Fix**\n\n```text\nAttach this statement:\n{\"Action\""),
        "{md}"
    );
    assert!(
        md.contains(concat!("claude-bedrock ", env!("CARGO_PKG_VERSION"))),
        "{md}"
    );
}

/// The ticket for one cause, from a real run: short, the account masked unless asked for, and a
/// document a CommonMark parser renders (headings, the problems' table, the folded blocks).
#[test]
fn the_ticket_for_one_cause_is_short_masked_and_renders() {
    let fake = crate::support::fake_aws::FakeAws::start(crate::support::fake_aws::Scenario::load(
        "marketplace-everywhere",
    ));
    let sandbox = crate::live::sandbox_for(&fake);
    let run = sandbox.run(&[
        "doctor",
        "--format",
        "markdown",
        "--no-client",
        "--timeout",
        "2",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let md = &run.stdout;
    assert!(
        md.lines().count() <= 80,
        "{} lines\n{md}",
        md.lines().count()
    );
    assert!(!md.contains("123456789012"), "the account is masked\n{md}");
    assert!(
        !md.contains("AWSReservedSSO_Developer"),
        "the role is masked\n{md}"
    );
    assert!(md.contains("********9012"), "{md}");
    assert_eq!(
        md.matches("aws:CalledViaLast").count(),
        1,
        "the fix once\n{md}"
    );
    let shown = sandbox.run(&[
        "doctor",
        "--format",
        "markdown",
        "--no-client",
        "--show-account",
        "--timeout",
        "2",
    ]);
    assert!(shown.stdout.contains("123456789012"), "{}", shown.stdout);
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut headings = 0;
    let mut tables = 0;
    let mut html = 0;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Html(text) if text.contains("details") => html += 1,
            _ => {}
        }
    }
    assert_eq!(headings, 2, "the title and the one problem\n{md}");
    assert_eq!(tables, 2, "the problems and the other checks\n{md}");
    assert!(html >= 4, "two folded blocks, opened and closed\n{md}");
}

fn healthy() -> Sandbox {
    Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-west-2","AWS_ACCESS_KEY_ID":"AKIDEXAMPLE000000001","AWS_SECRET_ACCESS_KEY":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}"#,
    )
}

#[test]
fn output_writes_the_document_and_leaves_stdout_empty() {
    let sandbox = healthy();
    for (format, file) in [
        ("junit", "reports/doctor.xml"),
        ("markdown", "reports/doctor.md"),
        ("json", "reports/doctor.json"),
        ("human", "reports/doctor.txt"),
    ] {
        let path = sandbox.root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let run = sandbox.run(&[
            "doctor",
            "--offline",
            "--format",
            format,
            "--output",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{format}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(run.stdout, "", "{format}: stdout must stay empty");
        let note: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(note.len(), 1, "{format}: {}", run.stderr);
        assert!(
            note[0].starts_with("wrote the ") && note[0].ends_with(path.to_str().unwrap()),
            "{}",
            note[0]
        );
        let written = std::fs::read_to_string(&path).unwrap();
        match format {
            "junit" => {
                roxmltree::Document::parse(&written).unwrap();
            }
            "markdown" => assert!(written.contains("`auth.source`"), "{written}"),
            "json" => {
                let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
                assert_eq!(doc["schema_version"], 1);
            }
            _ => assert!(written.contains("claude-bedrock doctor"), "{written}"),
        }
        // Nothing secret reaches the document.
        assert!(!written.contains("wJalrXUtnFEMI"), "{format}");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".claude-bedrock-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn output_to_an_unwritable_place_is_a_usage_error() {
    let sandbox = healthy();
    let path = sandbox.root.join("no/such/dir/report.xml");
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--format",
        "junit",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn report_formats_are_for_doctor_only() {
    let sandbox = healthy();
    for command in ["config", "models", "setup"] {
        for format in ["markdown", "junit"] {
            // Refused as a usage error, with the formats this command writes; and no document of
            // a format it does not write.
            let run = sandbox.run(&[command, "--format", format]);
            assert_eq!(run.code, 2, "{command} {format}: {}", run.stderr);
            assert!(
                run.stderr
                    .contains(&format!("invalid value '{format}' for '--format <FORMAT>'"))
                    && run.stderr.contains("[possible values: human, json]"),
                "{}",
                run.stderr
            );
            assert_eq!(run.stdout, "");
        }
    }
    // `policy` prints its JSON policy whatever is asked: it offers no --format at all.
    for format in ["json", "junit"] {
        let run = sandbox.run(&["policy", "--offline", "--format", format]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("unexpected argument '--format'"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
    // --json still asks for the error as a document.
    let run = sandbox.run(&["config", "--format", "junit", "--json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'junit'")
    );
}

#[test]
fn doctor_prints_markdown_and_junit_on_stdout() {
    let sandbox = healthy();
    let md = sandbox.run(&["doctor", "--offline", "--format", "markdown"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        md.stdout.starts_with("## claude-bedrock doctor: "),
        "{}",
        md.stdout
    );
    let xml = sandbox.run(&["doctor", "--offline", "--format", "junit"]);
    assert_eq!(xml.code, 0, "{}", xml.stderr);
    let doc = roxmltree::Document::parse(&xml.stdout).unwrap();
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    let json = sandbox.run(&["doctor", "--offline", "--json"]).json();
    assert_eq!(cases, json["checks"].as_array().unwrap().len());
}

#[test]
fn a_report_file_never_carries_escape_codes() {
    let sandbox = healthy();
    let path = sandbox.root.join("report.txt");
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--color",
        "always",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("✓  Credentials"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}
