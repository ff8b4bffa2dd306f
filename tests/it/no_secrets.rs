//! No secret ever leaves: every subcommand, at every verbosity and in every format, with canary
//! secrets in the environment, in settings, and in the AWS files.

use crate::support::Sandbox;
use crate::support::fake_aws::{FakeAws, Scenario};
use crate::support::keys::long_term_key;

const SECRET_KEY: &str = "CANARYsecretAccessKey0123456789abcdefghij";
const SESSION_TOKEN: &str = "CANARYsessionTokenIQoJb3JpZ2luX2VjEXAMPLE";
const AUTH_TOKEN: &str = "CANARYanthropicAuthToken0123456789";
const API_KEY: &str = "sk-ant-CANARYapikey0123456789";
const HEADER_SECRET: &str = "CANARYheaderValue0123456789";
const PROXY_PASSWORD: &str = "CANARYproxyPassw0rd";
const FILE_SECRET: &str = "CANARYfileSecretKey0123456789abcdef";

fn canaries(bearer_env: &str, bearer_settings: &str) -> Vec<String> {
    let mut list: Vec<String> = [
        SECRET_KEY,
        SESSION_TOKEN,
        AUTH_TOKEN,
        API_KEY,
        HEADER_SECRET,
        PROXY_PASSWORD,
        FILE_SECRET,
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    for key in [bearer_env, bearer_settings] {
        list.push(key.to_string());
        // Any run of the key beyond the 4 characters a fingerprint may show.
        list.push(key[4..16].to_string());
        list.push(key[key.len() - 12..].to_string());
    }
    list
}

#[test]
fn no_output_contains_a_secret() {
    // Every endpoint, Mantle's too, is the fake on loopback; the proxy is bypassed for it.
    let fake = FakeAws::start(Scenario::healthy());
    let bearer_env = long_term_key("111122223333");
    let bearer_settings = long_term_key("444455556666");
    let settings = format!(
        r#"{{"env":{{
            "CLAUDE_CODE_USE_BEDROCK":"1",
            "AWS_BEARER_TOKEN_BEDROCK":"{bearer_settings}",
            "ANTHROPIC_AUTH_TOKEN":"{AUTH_TOKEN}",
            "ANTHROPIC_CUSTOM_HEADERS":"Authorization: Bearer {HEADER_SECRET}",
            "HTTPS_PROXY":"http://user:{PROXY_PASSWORD}@proxy.internal:3128",
            "NO_PROXY":"127.0.0.1,localhost",
            "ANTHROPIC_BEDROCK_BASE_URL":"{url}",
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL":"{url}/anthropic"
        }},
        "awsCredentialExport":"/opt/export-creds --secret {FILE_SECRET}"}}"#,
        url = fake.url
    );
    let s = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_BEARER_TOKEN_BEDROCK", &bearer_env)
        .env("AWS_ACCESS_KEY_ID", "AKIDCANARY0000000000")
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("ANTHROPIC_API_KEY", API_KEY)
        .user_settings(&settings)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = {FILE_SECRET}\n"
        ));
    let canaries = canaries(&bearer_env, &bearer_settings);
    let commands: &[&[&str]] = &[
        &["config"],
        &["doctor", "--offline"],
        &["doctor"],
        &[
            "doctor",
            "--mantle",
            "--trace-client",
            "--claude-bin",
            "/nonexistent/claude",
        ],
        &["doctor", "--format", "markdown"],
        &["doctor", "--format", "junit"],
        &["models", "--probe"],
        &["doctor", "--fix", "--dry-run", "--no-client"],
        &["policy"],
        &["setup"],
        &[
            "setup",
            "--yes",
            "--auth",
            "bearer",
            "--dry-run",
            "--region",
            "us-east-1",
        ],
    ];
    let mut runs = 0;
    for command in commands {
        for verbosity in [&["-q"][..], &[][..], &["-v"][..], &["-vv"][..]] {
            for format in [&[][..], &["--json"][..]] {
                let mut args: Vec<&str> = command.to_vec();
                args.extend_from_slice(verbosity);
                args.extend_from_slice(format);
                let run = s.run(&args);
                runs += 1;
                for canary in &canaries {
                    assert!(
                        !run.stdout.contains(canary.as_str())
                            && !run.stderr.contains(canary.as_str()),
                        "`{}` leaked a secret fragment {canary:?}:\n{}\n{}",
                        args.join(" "),
                        run.stdout,
                        run.stderr
                    );
                }
            }
        }
    }
    assert_eq!(runs, commands.len() * 8);
    assert!(
        !fake.seen().is_empty(),
        "the online runs must have reached the fake"
    );
}

/// Every way a secret hides in a value: a gateway or endpoint URL's password, a proxy password
/// with an unescaped `/`, `?` or `#` or with no scheme at all, a custom-header line without a
/// colon, `NAME=value` words and URL userinfo inside commands.
#[test]
fn secrets_in_urls_headers_and_commands_never_show() {
    const BASE_PASSWORD: &str = "CANARYbaseUrlPassw0rd";
    const MANTLE_PASSWORD: &str = "CANARYmantleUrlPassw0rd";
    const STS_PASSWORD: &str = "CANARYstsUrlPassw0rd";
    const PROXY_SLASH: &str = "CANARY/pr?ox#yPass";
    const PROXY_BARE: &str = "CANARYbareProxyPass";
    const HEADER_LINE: &str = "CANARYheaderLineWithoutColon";
    const HELPER_ASSIGN: &str = "CANARYhelperAssignment";
    const HELPER_URL: &str = "CANARYhelperUrlPass";
    const EXPORT_ASSIGN: &str = "CANARYexportAssignment";
    let fake = FakeAws::start(Scenario::healthy());
    let with_password = |password: &str, path: &str| {
        fake.url
            .replacen("http://", &format!("http://gateway:{password}@"), 1)
            + path
    };
    let settings = serde_json::json!({
        "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-east-1",
            "ANTHROPIC_BEDROCK_BASE_URL": with_password(BASE_PASSWORD, ""),
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": with_password(MANTLE_PASSWORD, "/anthropic"),
            "AWS_ENDPOINT_URL_STS": with_password(STS_PASSWORD, ""),
            "HTTPS_PROXY": format!("http://alice:{PROXY_SLASH}@proxy.internal:3128"),
            "http_proxy": format!("alice:{PROXY_BARE}@proxy.internal:3128"),
            "NO_PROXY": "127.0.0.1,localhost",
            "ANTHROPIC_CUSTOM_HEADERS": format!("X-Team: ml\n{HEADER_LINE}"),
        },
        "apiKeyHelper": format!("VAULT_TOKEN={HELPER_ASSIGN} /opt/helper --from https://svc:{HELPER_URL}@vault.corp/k"),
        "awsCredentialExport": format!("SESSION={EXPORT_ASSIGN} /opt/export-creds"),
    });
    let s = Sandbox::new()
        .env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("123456789012"))
        .user_settings(&settings.to_string());
    let canaries = [
        BASE_PASSWORD,
        MANTLE_PASSWORD,
        STS_PASSWORD,
        PROXY_SLASH,
        "pr?ox#y",
        PROXY_BARE,
        HEADER_LINE,
        HELPER_ASSIGN,
        HELPER_URL,
        EXPORT_ASSIGN,
    ];
    // The values are shown — masked, not left out.
    let config = s.run(&["config", "--json"]);
    for shown in [
        "gateway:****@127.0.0.1",
        "alice:****@proxy.internal:3128",
        "<not a header: 28 chars>",
    ] {
        assert!(config.stdout.contains(shown), "{shown}:\n{}", config.stdout);
    }
    let commands: &[&[&str]] = &[
        &["config"],
        &["doctor", "--offline"],
        &["doctor", "--mantle", "--timeout", "3"],
        &["doctor", "--format", "markdown", "--timeout", "3"],
        &["doctor", "--format", "junit", "--timeout", "3"],
        &[
            "setup",
            "--yes",
            "--auth",
            "bearer",
            "--dry-run",
            "--region",
            "us-east-1",
            "--timeout",
            "3",
        ],
    ];
    for command in commands {
        for extra in [&["-vv"][..], &["--json", "-vv"][..]] {
            let mut args: Vec<&str> = command.to_vec();
            args.extend_from_slice(extra);
            let run = s.run(&args);
            for canary in canaries {
                assert!(
                    !run.stdout.contains(canary) && !run.stderr.contains(canary),
                    "`{}` leaked {canary:?}:\n{}\n{}",
                    args.join(" "),
                    run.stdout,
                    run.stderr
                );
            }
        }
    }
}

/// A value that is not a string still holds secrets: a header object, a proxy list. They are
/// masked wherever the value is told (the settings check, the fix that quotes it).
#[test]
fn secrets_inside_values_that_are_not_strings_never_show() {
    const HEADER: &str = "CANARYobjectHeaderValue0123";
    const PROXY: &str = "CANARYlistProxyPassw0rd";
    let settings = serde_json::json!({"env": {
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_CUSTOM_HEADERS": {"Authorization": format!("Bearer {HEADER}")},
        "HTTPS_PROXY": [format!("http://alice:{PROXY}@proxy.internal:3128")],
    }});
    let s = Sandbox::new().user_settings(&settings.to_string());
    for args in [
        &["config"][..],
        &["config", "--json"],
        &["doctor", "--offline", "-vv"],
        &["doctor", "--offline", "--json"],
        &["doctor", "--fix", "--dry-run", "--offline", "--no-client"],
        &[
            "doctor",
            "--fix",
            "--dry-run",
            "--offline",
            "--no-client",
            "--json",
        ],
    ] {
        let run = s.run(args);
        for canary in [HEADER, PROXY] {
            assert!(
                !run.stdout.contains(canary) && !run.stderr.contains(canary),
                "`{}` leaked {canary}:\n{}\n{}",
                args.join(" "),
                run.stdout,
                run.stderr
            );
        }
    }
    // The fix is still offered: the proxy list becomes the text Claude Code reads.
    let fix = s.run(&[
        "doctor",
        "--fix",
        "--dry-run",
        "--offline",
        "--no-client",
        "--json",
    ]);
    assert!(fix.stdout.contains("quote-env"), "{}", fix.stdout);
}
