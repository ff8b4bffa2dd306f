//! The wizard's ways out of a wrong turn, driven in a real pseudo-terminal against the fake AWS:
//! Escape goes back a step, a mistyped region is corrected, a choice that cannot succeed is not
//! offered, and no model answering is one diagnosis and a choice.

#![cfg(unix)]

use std::fs;
use std::time::Duration;

use expectrl::{Eof, Expect, Session};

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};

const ENTER: &str = "\r";
const ESCAPE: &str = "\x1b";
const UP: &str = "\x1b[A";

/// `claude-bedrock setup ARGS` in a terminal `columns` wide.
fn setup(sandbox: &Sandbox, args: &[&str], columns: u16) -> Pty {
    let mut argv = vec!["setup"];
    argv.extend_from_slice(args);
    let mut command = sandbox.command(&argv);
    command.env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("spawn in a pty");
    session
        .get_process_mut()
        .set_window_size(columns, 40)
        .unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    Pty {
        session,
        transcript: Vec::new(),
    }
}

/// A machine with two profiles ("dev" holds the fake's keys) pointed at `fake`.
fn sandbox(fake: &FakeAws) -> Sandbox {
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n[other]\naws_access_key_id = x\naws_secret_access_key = y\n"
        ))
}

/// A terminal running the wizard, and everything it has printed so far.
struct Pty {
    session: expectrl::session::OsSession,
    transcript: Vec<u8>,
}

impl Pty {
    /// Waits for `needle` and returns what the terminal printed up to it, as [`shown`].
    fn until(&mut self, needle: &str) -> String {
        self.until_match(needle)
    }

    fn until_match<N: expectrl::Needle>(&mut self, needle: N) -> String {
        match self.session.expect(needle) {
            Ok(found) => {
                let mut bytes = found.before().to_vec();
                for matched in found.matches() {
                    bytes.extend_from_slice(matched);
                }
                self.transcript.extend_from_slice(&bytes);
                shown(&bytes)
            }
            Err(e) => {
                // What the terminal shows instead, for the failure message.
                let pending = self
                    .session
                    .check(expectrl::Regex("(?s).+"))
                    .map(|found| shown(found.as_bytes()))
                    .unwrap_or_default();
                panic!("waiting: {e}; the terminal shows:\n{pending}")
            }
        }
    }

    /// Everything up to the end.
    fn rest(&mut self) -> String {
        self.until_match(Eof)
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
    }

    /// The whole session as a person saw it.
    fn transcript(&self) -> String {
        shown(&self.transcript)
    }

    fn exit_code(&self) -> String {
        format!("{:?}", self.session.get_process().wait().unwrap())
    }
}

/// Terminal output as a person reads it: without colours, and of each line only what follows
/// its last carriage return (prompts and spinners redraw their line).
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let plain = console::strip_ansi_codes(&text);
    plain
        .split('\n')
        .map(|line| {
            line.rsplit('\r')
                .find(|part| !part.is_empty())
                .unwrap_or("")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The pin questions with their defaults (the healthy fake: no 1M context), then the scope
/// and the one question to write.
fn pins_and_write(p: &mut Pty) -> String {
    let mut text = String::new();
    for question in [
        "Pin the opus tier to",
        "Pin the sonnet tier to",
        "Pin the haiku tier to",
        "Primary model",
    ] {
        text.push_str(&p.until(question));
        p.send(ENTER);
    }
    for _ in 0..2 {
        text.push_str(&p.until("1M-token context window"));
        p.send("n");
    }
    text.push_str(&p.until("Which settings file"));
    p.send(ENTER);
    text.push_str(&p.until("Write ~/.claude/settings.json?"));
    p.send(ENTER);
    text.push_str(&p.rest());
    text
}

fn settings(sandbox: &Sandbox) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(sandbox.user_settings_path()).unwrap()).unwrap()
}

/// The plan before the first question; Escape at the region goes back to the authentication,
/// Escape at a pin back to the region; the answers given are kept.
#[test]
fn escape_goes_back_one_step() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox(&fake).env("AWS_REGION", "us-east-1");
    let mut p = setup(&sandbox, &[], 120);
    let intro = p.until("How should Claude Code authenticate");
    for said in [
        "in 7 steps:",
        "Nothing is written until you confirm at step 7",
        "~/.claude/settings.json",
        "~/.aws/credentials",
        "Escape goes back a question; Ctrl-C stops at any point and writes nothing.",
        "Step 1 of 7 · Authentication",
    ] {
        assert!(intro.contains(said), "{said:?} not in {intro}");
    }
    p.send(ENTER); // "dev"
    p.until("Which region should Claude Code use?");
    p.send(ESCAPE);
    let back = p.until("How should Claude Code authenticate");
    assert!(back.contains("Step 1 of 7 · Authentication"), "{back}");
    p.send(ENTER);
    p.until("Which region should Claude Code use?");
    p.send(ENTER);
    p.until("Pin the opus tier to");
    p.send(ESCAPE);
    let back = p.until("Which region should Claude Code use?");
    assert!(back.contains("Step 2 of 7 · Region"), "{back}");
    p.send(ENTER);
    let text = pins_and_write(&mut p);
    assert!(text.contains("Wrote ~/.claude/settings.json"), "{text}");
    assert!(p.exit_code().contains('0'));
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["AWS_PROFILE"], "dev");
    assert_eq!(env["AWS_REGION"], "us-east-1");
}

/// A region typed with a slip is answered with the region it was likely meant to be, and
/// accepting it goes on in that region; at 80 columns no line is wider than the terminal.
#[test]
fn a_mistyped_region_is_offered_its_correction() {
    let mut scenario = Scenario::healthy();
    scenario.other_regions = vec!["us-west-2".into()];
    let fake = FakeAws::start(scenario);
    // No region set anywhere: the default is offered, and named once.
    let sandbox = sandbox(&fake);
    let mut p = setup(&sandbox, &[], 80);
    p.until("How should Claude Code authenticate");
    p.send(ENTER);
    p.until("Which region should Claude Code use?");
    let menu = p.until("Another region…");
    assert!(
        menu.contains("us-east-1 — the default; nothing sets a region yet"),
        "{menu}"
    );
    assert!(!menu.contains("default us-east-1"), "{menu}");
    p.send(UP); // the list wraps round to "Another region…"
    p.send(ENTER);
    p.until("Region code (empty: back)");
    p.send("us-wst-2\r");
    let said = p.until("Use us-west-2");
    assert!(
        said.contains("\"us-wst-2\" is not a region AWS has (did you mean us-west-2?)"),
        "{said}"
    );
    p.send(ENTER);
    // Probe progress is one line with a count and the time so far (redrawn, then cleared).
    let mut checks = p.until("Step 5 of 7");
    p.until_match(expectrl::Regex(r"probing \d+/10 · \d+\.\d s"));
    checks.push_str(&p.until("Pin the opus tier to"));
    assert!(
        checks.contains("inference profiles in us-west-2"),
        "{checks}"
    );
    p.send(ENTER);
    pins_and_write(&mut p);
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["AWS_REGION"], "us-west-2");
    for line in p.transcript().lines() {
        assert!(
            console::measure_text_width(line) <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
}

/// With an API key, the shared project settings file is not among the choices, and the reason
/// is said where the choice is made; the key goes to the user's file.
#[test]
fn the_project_scope_is_not_offered_for_an_api_key() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox(&fake)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &bearer_key());
    let mut p = setup(&sandbox, &[], 120);
    p.until("How should Claude Code authenticate");
    // The key in the environment is what is configured: its choice comes preselected.
    let menu = p.until("to be saved as a profile in");
    assert!(menu.contains("❯ A Bedrock API key"), "{menu}");
    p.send(ENTER);
    p.until("Use the configured API key");
    p.send(ENTER);
    p.until("Which region should Claude Code use?");
    p.send(ENTER);
    for question in [
        "Pin the opus tier to",
        "Pin the sonnet tier to",
        "Pin the haiku tier to",
        "Primary model",
    ] {
        p.until(question);
        p.send(ENTER);
    }
    for _ in 0..2 {
        p.until("1M-token context window");
        p.send("n");
    }
    let before = p.until("Which settings file");
    let before = before.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        before.contains("The project scope is not offered")
            && before.contains("the API key would be written in it"),
        "{before}"
    );
    let choices = p.until("this project only, not committed");
    assert!(!choices.contains("project:"), "{choices}");
    p.send(ENTER);
    p.until("Write ~/.claude/settings.json?");
    p.send(ENTER);
    let text = p.rest();
    assert!(
        !text.contains(&bearer_key()[8..]),
        "the key was shown: {text}"
    );
    assert!(!sandbox.project.join(".claude/settings.json").exists());
    assert_eq!(
        settings(&sandbox)["env"]["AWS_BEARER_TOKEN_BEDROCK"],
        bearer_key()
    );
}

/// "Credentials already set" is offered only when some resolve, named by their key
/// ID; without any, the menu ends with the access-key choice, and an empty key ID goes back.
#[test]
fn environment_credentials_are_offered_only_when_there_are_some() {
    let fake = FakeAws::start(Scenario::healthy());

    let with = sandbox(&fake)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    let mut p = setup(&with, &[], 120);
    p.until("How should Claude Code authenticate");
    let menu = p.until("from AWS_ACCESS_KEY_ID in this shell");
    assert!(
        menu.contains("Credentials already set: access key AKID…0001"),
        "{menu}"
    );
    assert!(!menu.contains(SECRET_KEY));
    p.send("\x03");
    p.rest();

    let without = sandbox(&fake).env("AWS_REGION", "us-east-1");
    let mut p = setup(&without, &[], 120);
    p.until("How should Claude Code authenticate");
    p.send(UP); // the last choice…
    p.send(ENTER);
    let shown = p.until("AWS access key ID (empty: back)"); // …is the access key
    assert!(!shown.contains("in the environment"), "{shown}");
    p.send(ENTER); // nothing typed: back to the menu
    p.until("How should Claude Code authenticate");
    p.send("\x03");
    let text = p.rest();
    assert!(!text.contains("in the environment"), "{text}");
    assert!(!without.user_settings_path().exists());
}

/// When not one model answers (here the runtime never does), the probes end in one line naming
/// the endpoint and the likely cause, and a choice: stop (nothing written), or go on without a
/// verified model (nothing pinned unasked).
#[test]
fn no_model_answering_is_one_diagnosis_and_a_choice() {
    let mut scenario = Scenario::healthy();
    scenario.hang = vec!["InvokeModel".into(), "InvokeModelWithResponseStream".into()];
    let fake = FakeAws::start(scenario);

    // Stop.
    let sandbox = sandbox(&fake).env("AWS_REGION", "us-east-1");
    let mut p = setup(&sandbox, &["--timeout", "1"], 120);
    p.until("How should Claude Code authenticate");
    p.send(ENTER);
    p.until("Which region should Claude Code use?");
    p.send(ENTER);
    let probed = p.until("No model answered. What now?");
    let diagnosis: Vec<&str> = probed.lines().filter(|l| l.contains('✗')).collect();
    assert_eq!(diagnosis.len(), 1, "{probed}");
    // The one line as a person reads it: wrapped at 80 columns, its continuation indented.
    let said: String = probed
        .lines()
        .skip_while(|l| !l.contains('✗'))
        .take_while(|l| !l.trim_start().starts_with("fix:") && !l.starts_with('?'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("none of the 10 models answered")
            && said.contains(&format!("no answer from {}", fake.url))
            && said.contains("within 1 s"),
        "{probed}"
    );
    assert!(probed.contains("VPN, proxy, firewall"), "{probed}");
    assert!(!probed.contains("timed out"), "{probed}");
    let choices = p.until("Stop here; nothing is written");
    assert!(
        choices.contains("Continue: choose the models anyway (not verified)"),
        "{choices}"
    );
    p.send(UP); // round to "Stop here"
    p.send(ENTER);
    let text = p.rest();
    assert!(!text.contains("claude-bedrock setup"), "{text}");
    assert!(p.exit_code().contains('1'));
    assert!(!sandbox.user_settings_path().exists());

    // Go on: every tier offers "Leave unpinned" first, and nothing is pinned unverified.
    let sandbox = self::sandbox(&fake).env("AWS_REGION", "us-east-1");
    let mut p = setup(&sandbox, &["--timeout", "1"], 120);
    p.until("How should Claude Code authenticate");
    p.send(ENTER);
    p.until("Which region should Claude Code use?");
    p.send(ENTER);
    p.until("No model answered. What now?");
    p.send(ENTER);
    for question in [
        "Pin the opus tier to",
        "Pin the sonnet tier to",
        "Pin the haiku tier to",
        "Primary model",
    ] {
        p.until(question);
        p.send(ENTER);
    }
    p.until("Which settings file");
    p.send(ENTER);
    p.until("Write ~/.claude/settings.json?");
    p.send(ENTER);
    let text = p.rest();
    assert!(text.contains("the pins are not verified"), "{text}");
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["AWS_PROFILE"], "dev");
    for tier in ["OPUS", "SONNET", "HAIKU"] {
        assert!(
            env.get(format!("ANTHROPIC_DEFAULT_{tier}_MODEL")).is_none(),
            "{env}"
        );
    }
}
