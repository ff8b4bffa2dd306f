//! Wall time of a full `doctor` against the loopback fake AWS with an injected latency L per call
//! and five distinct pinned models, and the start-up time of `--version`.
//!
//! Target: the doctor finishes within 2.5 × L + 50 ms (its calls run concurrently rather than as a
//! serial walk of more than a dozen calls), and `--version` starts in under 10 ms.
//! Run with `cargo bench`; the figures of record are in docs/PERFORMANCE.md.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::Sandbox;
use support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};

const RUNS: usize = 7;
/// The client the rehearsal is timed with: the one the tests pin as current.
const CLIENT: &str = "2.1.337";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn doctor_sandbox(fake: &FakeAws) -> Sandbox {
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(
            r#"{"env":{
                "CLAUDE_CODE_USE_BEDROCK":"1",
                "AWS_REGION":"us-east-1",
                "ANTHROPIC_MODEL":"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "ANTHROPIC_DEFAULT_OPUS_MODEL":"us.anthropic.claude-opus-4-6-v1",
                "ANTHROPIC_DEFAULT_SONNET_MODEL":"us.anthropic.claude-sonnet-4-6",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "ANTHROPIC_SMALL_FAST_MODEL":"global.anthropic.claude-haiku-4-5-20251001-v1:0"
            }}"#,
        )
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

fn main() {
    // `cargo test` runs benches once as tests with `--bench` absent; only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!(
        "doctor wall time, {RUNS} runs each, median (5 pinned models, 1 page per profile type)"
    );
    println!("  L (ms)   wall (ms)     target (ms)   wall/L  calls");
    for latency in [100u64, 200, 400] {
        let mut scenario = Scenario::healthy();
        scenario.latency_ms = latency;
        scenario.page_size = 1000;
        let fake = FakeAws::start(scenario);
        let sandbox = doctor_sandbox(&fake);
        let mut samples = Vec::new();
        let mut calls = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let run = sandbox.run(&["doctor", "--json"]);
            samples.push(started.elapsed());
            assert_eq!(run.code, 0, "{}", run.stdout);
            calls = fake.seen().len();
        }
        let wall = median(samples);
        let target = Duration::from_millis(latency * 5 / 2 + 50);
        println!(
            "{:>8}  {:>10}  {:>14}  {:>7.2}  {}{}",
            latency,
            wall.as_millis(),
            target.as_millis(),
            wall.as_secs_f64() / (latency as f64 / 1000.0),
            calls / RUNS,
            if wall <= target { "" } else { "  OVER TARGET" }
        );
    }

    // The rehearsal: the real client (installed as the tests install it) through the relay.
    let claude = support::claude_code::install(CLIENT);
    let claude = claude.to_str().unwrap();
    let mut scenario = Scenario::healthy();
    scenario.latency_ms = 100;
    scenario.page_size = 1000;
    let fake = FakeAws::start(scenario);
    let sandbox = doctor_sandbox(&fake);
    let timed = |args: &[&str]| {
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let run = sandbox.run(args);
            samples.push(started.elapsed());
            assert_eq!(run.code, 0, "{}", run.stdout);
        }
        median(samples)
    };
    let without = timed(&["doctor", "--json", "--no-client", "--claude-bin", claude]);
    let rehearsed = timed(&["doctor", "--json", "--no-cache", "--claude-bin", claude]);
    let cached = timed(&["doctor", "--json", "--claude-bin", claude]);
    println!(
        "\nrehearsal with the real Claude Code {CLIENT}, L = 100 ms, {RUNS} runs each, median"
    );
    println!(
        "  without the client (--no-client)   {:>6} ms",
        without.as_millis()
    );
    println!(
        "  rehearsed (--no-cache)             {:>6} ms  (+{} ms)",
        rehearsed.as_millis(),
        rehearsed.saturating_sub(without).as_millis()
    );
    println!(
        "  cached second run                  {:>6} ms  (+{} ms)",
        cached.as_millis(),
        cached.saturating_sub(without).as_millis()
    );

    let sandbox = Sandbox::new();
    let mut samples = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let output = sandbox.command(&["--version"]).output().unwrap();
        samples.push(started.elapsed());
        assert!(output.status.success());
    }
    let min = *samples.iter().min().unwrap();
    println!(
        "\n--version start-up over 50 runs: median {:.2} ms, min {:.2} ms (target < 10 ms)",
        median(samples).as_secs_f64() * 1000.0,
        min.as_secs_f64() * 1000.0
    );
}
