//! The checks after the live ones, in report order: the network path (`network.*`), the SSO
//! session (`sso.*`) and Mantle (`mantle.*`). The network and Mantle work runs concurrently with
//! the live checks; the SSO checks read the network facts, so they follow them. Offline, only the
//! SSO checks run: they read local files.

use std::time::Duration;

use crate::aws::Clients;
use crate::config::EffectiveConfig;
use crate::report::CheckResult;

use super::{guarded, mantle, network, sso};

/// Every check of this file, in report order.
pub const CHECKS: [(&str, &str); 6] = [
    network::PROXY,
    network::TLS,
    sso::SESSION,
    sso::REFRESH_LOOP,
    mantle::ENDPOINT,
    mantle::MODELS,
];

const OFFLINE: &str = "--offline: no network call made";

fn sso_checks(config: &EffectiveConfig, path: Option<&network::SsoPath>) -> Vec<CheckResult> {
    let (session_id, session_title) = sso::SESSION;
    let (loop_id, loop_title) = sso::REFRESH_LOOP;
    vec![
        guarded(session_id, session_title, || sso::check_session(config)),
        guarded(loop_id, loop_title, || {
            sso::check_refresh_loop(config, path)
        }),
    ]
}

/// `doctor --offline`: network and Mantle skip; the SSO checks read the local caches.
pub fn offline(config: &EffectiveConfig) -> Vec<CheckResult> {
    let path = network::sso_path_offline(config);
    let mut checks = network::skipped(OFFLINE);
    checks.extend(sso_checks(config, path.as_ref()));
    checks.extend(mantle::skipped(OFFLINE));
    checks
}

/// Online: every endpoint probed at once, Mantle alongside, then the SSO checks on the findings.
pub async fn run(
    config: &EffectiveConfig,
    clients: &Clients,
    mantle_flag: bool,
    timeout: Duration,
) -> Vec<CheckResult> {
    let mantle_wanted = mantle::wanted(config, mantle_flag);
    let endpoints = network::endpoints(
        config,
        &clients.control_endpoint,
        &clients.runtime_endpoint,
        mantle_wanted.is_ok(),
    );
    let trust = network::TrustEnv::from_config(config);
    let claude_trust = trust.claude_code();
    let mantle_future = async {
        match &mantle_wanted {
            Ok(why) => mantle::run(config, clients, &claude_trust, why, timeout).await,
            Err(reason) => mantle::skipped(reason),
        }
    };
    let (facts, mantle_checks) = tokio::join!(
        network::gather(config, endpoints, trust.clone(), timeout),
        mantle_future
    );
    let slowest = facts
        .endpoints
        .iter()
        .map(|e| e.duration_ms)
        .max()
        .unwrap_or(0);
    let (proxy_id, proxy_title) = network::PROXY;
    let (tls_id, tls_title) = network::TLS;
    let mut checks = vec![
        guarded(proxy_id, proxy_title, || {
            network::check_proxy(config, &facts)
        }),
        guarded(tls_id, tls_title, || network::check_tls(config, &facts)),
    ];
    for check in &mut checks {
        check.duration_ms = slowest;
    }
    checks.extend(sso_checks(config, facts.sso_path().as_ref()));
    checks.extend(mantle_checks);
    checks
}
