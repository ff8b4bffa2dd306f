//! The real wizard in a real pseudo-terminal: dialoguer's prompts, arrow keys and Enter, against
//! the fake AWS — and Ctrl-C, which must restore the terminal and write nothing.

#![cfg(unix)]

use std::fs;
use std::time::Duration;

use expectrl::{Eof, Expect, Session};

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};

const ENTER: &str = "\r";
const DOWN: &str = "\x1b[B";

fn wizard(sandbox: &Sandbox) -> expectrl::session::OsSession {
    let mut command = sandbox.command(&["setup"]);
    command.env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("spawn in a pty");
    session.get_process_mut().set_window_size(120, 40).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

fn sandbox(fake: &FakeAws) -> Sandbox {
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_REGION", "us-east-1")
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n[other]\naws_access_key_id = x\naws_secret_access_key = y\n"
        ))
}

#[test]
fn the_wizard_runs_end_to_end_in_a_terminal() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox(&fake);
    let mut p = wizard(&sandbox);
    p.expect("How should Claude Code authenticate").unwrap();
    p.expect("AWS profile \"other\"").unwrap();
    p.send(ENTER).unwrap(); // "dev" is first and preselected
    p.expect("Which region should Claude Code use?").unwrap();
    p.send(ENTER).unwrap();
    let probed = p.expect("Pin the opus tier to").unwrap();
    let probed = String::from_utf8_lossy(probed.before()).into_owned();
    // The probe results, in columns once all are in, and a blank line before the next step.
    // What a terminal shows of a line is what follows its last carriage return (spinners redraw).
    let rows: Vec<&str> = probed
        .lines()
        .filter_map(|l| l.rsplit('\r').find(|part| !part.is_empty()))
        .filter(|l| l.contains("invoke") && l.contains(" ms"))
        .collect();
    assert!(rows.len() >= 3, "{probed:?}");
    let column = |row: &str| console::strip_ansi_codes(row).find("invoke").unwrap();
    assert!(
        rows.iter().all(|r| column(r) == column(rows[0])),
        "the probe results are not aligned: {rows:#?}"
    );
    let plain = console::strip_ansi_codes(&probed).replace('\r', "");
    assert!(plain.contains("\n\nStep 6 of 7 · Pin models"), "{plain:?}");
    p.send(DOWN).unwrap(); // global.… instead of the newest us.… profile
    p.send(ENTER).unwrap();
    p.expect("Pin the sonnet tier to").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Pin the haiku tier to").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Primary model").unwrap();
    p.send(ENTER).unwrap();
    p.expect("1M-token context window").unwrap();
    p.send("y").unwrap();
    p.expect("1M-token context window").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Which settings file").unwrap();
    p.send(ENTER).unwrap();
    // The one question names the file it writes.
    p.expect("Write ~/.claude/settings.json?").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Next:").unwrap();
    p.expect(Eof).unwrap();

    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sandbox.user_settings_path()).unwrap()).unwrap();
    let env = &written["env"];
    assert_eq!(env["AWS_PROFILE"], "dev");
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "global.anthropic.claude-opus-4-6-v1[1m]"
    );
    assert_eq!(
        env["ANTHROPIC_DEFAULT_SONNET_MODEL"],
        "us.anthropic.claude-sonnet-4-6"
    );
    assert_eq!(
        env["ANTHROPIC_DEFAULT_HAIKU_MODEL"],
        "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    );
}

#[test]
fn ctrl_c_restores_the_terminal_and_writes_nothing() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox(&fake);
    let mut p = wizard(&sandbox);
    p.expect("How should Claude Code authenticate").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Which region should Claude Code use?").unwrap();
    p.send("\x03").unwrap();
    let rest = p.expect(Eof).unwrap();
    let text: String = std::iter::once(rest.before())
        .chain(rest.matches())
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(text.contains("nothing was written"), "{text:?}");
    assert!(
        text.contains("\x1b[?25h"),
        "the cursor was not shown again: {text:?}"
    );
    let status = p.get_process().wait().unwrap();
    assert!(format!("{status:?}").contains("130"), "{status:?}");
    assert!(!sandbox.user_settings_path().exists());
}

/// Whether the pty is in canonical (line) mode, as before the first prompt; a prompt switches it
/// to raw mode. (The harness starts the pty with echo off, so echo tells nothing.)
fn cooked(session: &expectrl::session::OsSession) -> bool {
    let master = session.get_process().get_raw_handle().unwrap();
    let mode = rustix::termios::tcgetattr(&master).unwrap();
    mode.local_modes
        .contains(rustix::termios::LocalModes::ICANON)
}

#[test]
fn a_signal_at_a_prompt_restores_the_terminal_and_says_so_once() {
    for (signal, code) in [
        (rustix::process::Signal::TERM, 143),
        (rustix::process::Signal::HUP, 129),
        (rustix::process::Signal::INT, 130),
    ] {
        let fake = FakeAws::start(Scenario::healthy());
        let sandbox = sandbox(&fake);
        let mut p = wizard(&sandbox);
        p.expect("How should Claude Code authenticate").unwrap();
        // The select prompt holds the terminal in raw mode with the cursor hidden.
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            !cooked(&p),
            "{signal:?}: the prompt did not switch to raw mode"
        );
        let pid = rustix::process::Pid::from_raw(p.get_process().pid().as_raw()).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
        let rest = p.expect(Eof).unwrap();
        let text: String = std::iter::once(rest.before())
            .chain(rest.matches())
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        assert_eq!(
            text.matches("nothing was written").count(),
            1,
            "{signal:?}: {text:?}"
        );
        assert!(
            text.contains("\x1b[?25h"),
            "{signal:?}: cursor hidden: {text:?}"
        );
        let status = p.get_process().wait().unwrap();
        assert!(
            format!("{status:?}").contains(&code.to_string()),
            "{signal:?}: {status:?}: {text:?}"
        );
        assert!(cooked(&p), "{signal:?}: the terminal was left in raw mode");
        assert!(!sandbox.user_settings_path().exists());
    }
}

#[test]
fn a_report_written_from_a_terminal_has_no_colour_codes() {
    let sandbox = Sandbox::new().env("CLAUDE_CODE_USE_BEDROCK", "1");
    let path = sandbox.root.join("doctor.txt");
    let mut command = sandbox.command(&["doctor", "--offline", "--output", path.to_str().unwrap()]);
    command.env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session.expect(Eof).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("Configuration"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn the_fix_shows_every_change_and_asks_once_in_a_terminal() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1","DISABLE_PROMPT_CACHING":1}}"#)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    let mut command = sandbox.command(&["doctor", "--fix", "--no-client"]);
    command.env("TERM", "xterm-256color");
    let mut p = Session::spawn(command).expect("spawn in a pty");
    p.get_process_mut().set_window_size(120, 40).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    let shown = p.expect("Apply these changes?").unwrap();
    let shown = console::strip_ansi_codes(&String::from_utf8_lossy(shown.before())).into_owned();
    // Both changes are previewed before the one question.
    assert!(
        shown.contains("env.ANTHROPIC_DEFAULT_OPUS_MODEL = us.anthropic.claude-opus-4-6-v1"),
        "{shown}"
    );
    assert!(shown.contains("env.DISABLE_PROMPT_CACHING = 1"), "{shown}");
    // The findings come first, then their fixes, then the question.
    let report_at = shown
        .find("Configuration")
        .expect("the report before the question");
    assert!(report_at < shown.find("Fixes").unwrap(), "{shown}");
    p.send(ENTER).unwrap();
    let rest = p.expect(Eof).unwrap();
    let rest: String = std::iter::once(rest.before())
        .chain(rest.matches())
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let rest = console::strip_ansi_codes(&rest).into_owned();
    assert!(rest.contains("Checked again:"), "{rest}");
    assert!(
        !rest.contains("Pinned models      "),
        "the report again: {rest}"
    );
    // One question for every change: answered (echoed once), never asked again.
    assert_eq!(rest.matches("Apply these changes?").count(), 1, "{rest}");
    assert!(!rest.contains("Apply these changes? (y/n)"), "{rest}");
    let written = fs::read_to_string(sandbox.user_settings_path()).unwrap();
    assert!(
        written.contains("\"us.anthropic.claude-opus-4-6-v1\""),
        "{written}"
    );
    assert!(
        written.contains("\"DISABLE_PROMPT_CACHING\":\"1\""),
        "{written}"
    );
}

#[test]
fn a_fix_whose_second_file_cannot_be_written_leaves_the_first_as_it_was() {
    let user = r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","DISABLE_PROMPT_CACHING":1}}"#;
    let sandbox = Sandbox::new()
        .user_settings(user)
        .local_settings(r#"{"env":{"DISABLE_TELEMETRY":true}}"#);
    let local = sandbox.project.join(".claude/settings.local.json");
    let mut command = sandbox.command(&["doctor", "--fix", "--offline", "--no-client"]);
    command.env("TERM", "xterm-256color");
    let mut p = Session::spawn(command).expect("spawn in a pty");
    p.get_process_mut().set_window_size(120, 40).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("Apply these changes?").unwrap();
    // Someone edits the second file while the question waits: its write is refused.
    let edited = r#"{"env":{"DISABLE_TELEMETRY":"1"}}"#;
    fs::write(&local, edited).unwrap();
    p.send(ENTER).unwrap();
    let rest = p.expect(Eof).unwrap();
    let rest: String = std::iter::once(rest.before())
        .chain(rest.matches())
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let rest = console::strip_ansi_codes(&rest).into_owned();
    assert!(rest.contains("put back as it was"), "{rest}");
    assert_eq!(
        fs::read_to_string(sandbox.user_settings_path()).unwrap(),
        user
    );
    assert_eq!(fs::read_to_string(&local).unwrap(), edited);
}
