//! The human output of every command, as reviewed snapshots: a change of layout, wording or
//! alignment is a diff in `tests/it/snapshots/` that someone looked at (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test` and `git diff`). Paths, ports and timings are filtered; the
//! rest is exactly what a terminal of 100 columns shows, without colour.

use crate::live::sandbox_for;
use crate::support::Sandbox;
use crate::support::fake_aws::{FakeAws, Scenario};

fn assert_shown(name: &str, text: &str) {
    insta::with_settings!({
        filters => vec![
            (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            // Padding included: a time's width varies with its digits.
            (r" +\d+ ms\b", " [N] ms"),
        ],
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn doctor_on_a_healthy_account() {
    let fake = FakeAws::start(Scenario::healthy());
    // -v: every check, as a checklist, before the closing block.
    let run = sandbox_for(&fake).run(&["doctor", "-v", "--no-client"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_shown("doctor-healthy", &run.stdout);
}

#[test]
fn doctor_with_one_cause_behind_many_checks() {
    let fake = FakeAws::start(Scenario::load("marketplace-everywhere"));
    let run = sandbox_for(&fake).run(&["doctor", "-v", "--no-client", "--timeout", "2"]);
    assert_eq!(run.code, 1);
    assert_shown("doctor-one-cause", &run.stdout);
}

#[test]
fn doctor_offline_with_a_wrong_region_prefix() {
    let run = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-west-2")
        .env("ANTHROPIC_DEFAULT_OPUS_MODEL", "eu.anthropic.claude-opus-4-6-v1")
        .aws_credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secretsecretsecret\n")
        .run(&["doctor", "--offline", "-v"]);
    assert_eq!(run.code, 1);
    assert_shown("doctor-offline", &run.stdout);
}

#[test]
fn config_table() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["config"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_shown("config", &run.stdout);
}

#[test]
fn models_list_with_probes() {
    let fake = FakeAws::start(Scenario::load("model-not-enabled"));
    let run = sandbox_for(&fake).run(&["models", "--probe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_shown("models-probed", &run.stdout);
}

#[test]
fn setup_preview() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&[
        "setup",
        "--yes",
        "--dry-run",
        "--region",
        "us-east-1",
        "--auth",
        "profile",
        "--profile",
        "default",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_shown(
        "setup-preview",
        &format!("{}\n--- stderr ---\n{}", run.stdout, run.stderr),
    );
}

#[test]
fn fix_preview() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake)
        .user_settings(
            r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1","ANTHROPIC_DEFAULT_SONNET_MODEL":"anthropic.claude-sonnet-4-6","DISABLE_PROMPT_CACHING":1,"NODE_EXTRA_CA_CERTS":"/etc/corp/ca.pem","HTTPS_PROXY":null}}"#,
        )
        .run(&["doctor", "--fix", "--dry-run", "--no-client"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The report before it is the doctor's own snapshot; this is what the fix adds.
    let fix = &run.stdout[run.stdout.find("\nFixes\n").expect("a Fixes section")..];
    assert_shown("fix-preview", fix);
}

/// The check table is the one place a check is declared: every check it names has a title, a
/// row in the README's table of ids, and its place, in report order, in the snapshot of the
/// report that lists every check.
#[test]
fn every_check_in_the_table_is_titled_documented_and_shown_in_order() {
    use claude_bedrock::doctor::check_id::CheckId;
    let readme = include_str!("../../README.md");
    // Wrapped lines joined: a title may be cut across two.
    let snapshot = include_str!("snapshots/doctor-healthy.snap")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut rest = snapshot.as_str();
    for check in CheckId::ALL {
        assert!(!check.title().is_empty(), "{check} has no title");
        let documented = readme
            .lines()
            .filter(|l| l.starts_with('|'))
            .any(|l| l.contains(&format!("`{}`", check.as_str())));
        assert!(
            documented,
            "{check} has no row in the README's table of checks"
        );
        let at = rest.find(check.title()).unwrap_or_else(|| {
            panic!(
                "{check} ({}) is not shown after the check before it",
                check.title()
            )
        });
        rest = &rest[at + check.title().len()..];
    }
}

/// Help as a terminal of 100 columns shows it: the tool's and every command's long help
/// (`--help`: options, global options under their own heading, examples, exit codes), and the
/// short help (`-h`) of the tool and of `setup`, whose own options and the global ones are two
/// lists.
#[test]
fn help_of_the_tool_and_every_command() {
    use clap::CommandFactory;
    let help = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_claude-bedrock"))
            .env_clear()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(output.stderr.is_empty(), "{args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_shown("help", &help(&["--help"]));
    assert_shown("help-short", &help(&["-h"]));
    assert_shown("help-setup-short", &help(&["setup", "-h"]));
    let commands: Vec<String> = claude_bedrock::cli::Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect();
    for command in &commands {
        let text = help(&[command, "--help"]);
        let guide = claude_bedrock::help::guide(command).unwrap();
        assert!(
            text.contains("\nGlobal options:\n") && text.contains("\nExamples:\n"),
            "{command}"
        );
        for (code, _) in guide.exit_codes {
            assert!(
                text.contains(&format!("\n  {code} ")),
                "{command}: exit {code}"
            );
        }
        assert_shown(&format!("help-{command}"), &text);
    }
}
