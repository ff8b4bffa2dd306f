//! Proxy variables as Claude Code and the AWS tools read them. They disagree: Claude Code (Node's
//! proxy agent) prefers the lowercase spelling, falls back to `http_proxy` for HTTPS, and matches
//! a plain `NO_PROXY` entry exactly; the AWS CLI and SDKs use only `HTTPS_PROXY` for HTTPS and let
//! `example.com` cover its subdomains. Both are computed so that the doctor can say where they part.

use crate::encoding::percent_decode;
use std::net::IpAddr;

use crate::config::env::EffectiveEnv;
use crate::config::source::Source;
use crate::secret::redact_url;

use super::{Route, Scheme, Target};

/// The proxy spellings, in Claude Code's order of preference for an HTTPS request.
pub(crate) const PROXY_VARS: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"];
/// `NO_PROXY` spellings, Claude Code's preference first.
pub(crate) const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// A parsed proxy URL. `display` has the password masked; the password itself is only ever sent
/// to the proxy.
#[derive(Clone)]
pub struct ProxyUrl {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    user: Option<String>,
    password: Option<String>,
    pub display: String,
}

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyUrlError {
    /// `proxy.corp:3128`: curl guesses `http://`, Node does not.
    NoScheme,
    /// `socks5://…`: Claude Code has no SOCKS support.
    Socks(String),
    UnsupportedScheme(String),
    Invalid(String),
}

impl ProxyUrlError {
    pub fn describe(&self) -> String {
        match self {
            ProxyUrlError::NoScheme => {
                "has no scheme: Claude Code needs http:// (or https://) in front".into()
            }
            ProxyUrlError::Socks(scheme) => format!(
                "is a SOCKS proxy ({scheme}://): Claude Code supports only HTTP and HTTPS proxies"
            ),
            ProxyUrlError::UnsupportedScheme(scheme) => {
                format!("has the scheme {scheme}://, which no client here supports as a proxy")
            }
            ProxyUrlError::Invalid(why) => format!("is not a valid URL: {why}"),
        }
    }
}

impl ProxyUrl {
    /// Parsed as a WHATWG URL (the `url` crate; Node's proxy agent parses the same way), so a
    /// password with an unescaped `/`, `?` or `#` is a broken URL here as it is there.
    pub fn parse(raw: &str) -> Result<ProxyUrl, ProxyUrlError> {
        let raw = raw.trim();
        let Some((scheme, _)) = raw.split_once("://") else {
            return Err(ProxyUrlError::NoScheme);
        };
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" => {}
            s if s.starts_with("socks") => return Err(ProxyUrlError::Socks(scheme)),
            _ => return Err(ProxyUrlError::UnsupportedScheme(scheme)),
        }
        let invalid = |why: String| ProxyUrlError::Invalid(format!("{why} in {}", redact_url(raw)));
        let url = url::Url::parse(raw).map_err(|err| invalid(err.to_string()))?;
        let host = match url.host() {
            Some(url::Host::Domain(domain)) => domain.to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(ProxyUrlError::Invalid("no host".into())),
        };
        if host.is_empty() {
            return Err(ProxyUrlError::Invalid("no host".into()));
        }
        let port = url
            .port_or_known_default()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let user = (!url.username().is_empty()).then(|| percent_decode(url.username()));
        let password = url.password().map(percent_decode).filter(|p| !p.is_empty());
        Ok(ProxyUrl {
            display: redact_url(raw),
            scheme,
            host,
            port,
            user,
            password,
        })
    }

    /// User and password for `Proxy-Authorization: Basic`.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.user
            .as_deref()
            .map(|user| (user, self.password.as_deref().unwrap_or("")))
    }
}

/// A proxy value safe to show: the password masked, even when the scheme is missing.
fn display(value: &str) -> String {
    redact_url(value)
}

/// One proxy variable that is set.
#[derive(Debug, Clone)]
pub struct ProxyVar {
    pub name: &'static str,
    /// Password masked.
    pub display: String,
    pub source: Source,
    pub parsed: Result<ProxyUrl, ProxyUrlError>,
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoProxyEntry {
    /// As written.
    pub raw: String,
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct NoProxy {
    pub name: &'static str,
    pub value: String,
    pub source: Source,
    entries: Vec<NoProxyEntry>,
}

impl NoProxy {
    fn parse(name: &'static str, value: &str, source: Source) -> NoProxy {
        let entries = value
            .split([',', ' ', '\t', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|raw| {
                let lower = raw.to_ascii_lowercase();
                let (host, port) = match lower.rsplit_once(':') {
                    Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => {
                        (h.to_string(), p.parse().ok())
                    }
                    _ => (lower.trim_matches(['[', ']']).to_string(), None),
                };
                NoProxyEntry {
                    raw: raw.to_string(),
                    host,
                    port,
                }
            })
            .collect();
        NoProxy {
            name,
            value: value.to_string(),
            source,
            entries,
        }
    }

    /// The entry that makes Claude Code skip the proxy: `*`, an exact host, or a suffix written
    /// with a leading `.` or `*.` (Node's proxy agent; a plain `example.com` is exact there).
    pub fn node_match(&self, host: &str, port: u16) -> Option<&NoProxyEntry> {
        let host = host.to_ascii_lowercase();
        if self.value.trim() == "*" {
            return self.entries.first();
        }
        self.entries.iter().find(|e| {
            if e.port.is_some_and(|p| p != port) {
                return false;
            }
            if e.host.starts_with('.') || e.host.starts_with('*') {
                host.ends_with(e.host.trim_start_matches('*'))
            } else {
                host == e.host
            }
        })
    }

    /// The entry that makes the AWS CLI and SDKs skip the proxy: `*`, the host or any parent
    /// domain (`example.com` covers `a.example.com`), or an IP network in CIDR form.
    pub fn aws_match(&self, host: &str, port: u16) -> Option<&NoProxyEntry> {
        let host = host.to_ascii_lowercase();
        self.entries.iter().find(|e| {
            if e.host == "*" {
                return true;
            }
            if e.port.is_some_and(|p| p != port) {
                return false;
            }
            if let Some((net, bits)) = e.host.split_once('/')
                && let (Ok(net), Ok(bits), Ok(ip)) = (
                    net.parse::<IpAddr>(),
                    bits.parse::<u8>(),
                    host.parse::<IpAddr>(),
                )
            {
                return in_network(ip, net, bits);
            }
            let domain = e.host.trim_start_matches('*').trim_start_matches('.');
            !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
        })
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// How a client reaches one endpoint.
#[derive(Debug, Clone)]
pub enum Decision {
    Direct,
    /// A `NO_PROXY` entry exempts it.
    Bypassed {
        var: &'static str,
        entry: String,
    },
    Proxy {
        var: &'static str,
        url: ProxyUrl,
    },
    /// The variable that applies cannot be used.
    Broken {
        var: &'static str,
        error: ProxyUrlError,
    },
}

impl Decision {
    pub fn route(&self) -> Option<Route> {
        match self {
            Decision::Direct | Decision::Bypassed { .. } => Some(Route::Direct),
            Decision::Proxy { url, .. } => Some(Route::Proxy(url.clone())),
            Decision::Broken { .. } => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Decision::Direct => "direct".into(),
            Decision::Bypassed { var, entry } => format!("direct ({var} entry \"{entry}\")"),
            Decision::Proxy { var, url } => format!("via {} ({var})", url.display),
            Decision::Broken { var, .. } => format!("{var} is unusable"),
        }
    }

    /// Whether two decisions send traffic the same way.
    pub fn same_path(&self, other: &Decision) -> bool {
        match (self, other) {
            (
                Decision::Direct | Decision::Bypassed { .. },
                Decision::Direct | Decision::Bypassed { .. },
            ) => true,
            (Decision::Proxy { url: a, .. }, Decision::Proxy { url: b, .. }) => {
                (a.host.as_str(), a.port) == (b.host.as_str(), b.port)
            }
            (Decision::Broken { .. }, Decision::Broken { .. }) => true,
            _ => false,
        }
    }
}

/// The proxy variables of the effective environment.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    /// Set variables, in [`PROXY_VARS`] order.
    pub vars: Vec<ProxyVar>,
    /// Set `NO_PROXY` variables, in [`NO_PROXY_VARS`] order.
    pub no_proxy: Vec<NoProxy>,
}

impl ProxyEnv {
    pub fn from_env(env: &EffectiveEnv) -> ProxyEnv {
        let vars = PROXY_VARS
            .iter()
            .filter_map(|name| {
                env.get_with_source(name).map(|(value, source)| ProxyVar {
                    name,
                    display: display(value),
                    source: source.clone(),
                    parsed: ProxyUrl::parse(value),
                })
            })
            .collect();
        let no_proxy = NO_PROXY_VARS
            .iter()
            .filter_map(|name| {
                env.get_with_source(name)
                    .map(|(value, source)| NoProxy::parse(name, value, source.clone()))
            })
            .collect();
        ProxyEnv { vars, no_proxy }
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    fn var(&self, name: &str) -> Option<&ProxyVar> {
        self.vars.iter().find(|v| v.name == name)
    }

    fn decide(
        &self,
        var: Option<&ProxyVar>,
        no_proxy: Option<(&NoProxy, Option<String>)>,
    ) -> Decision {
        let Some(var) = var else {
            return Decision::Direct;
        };
        if let Some((no_proxy, Some(entry))) = no_proxy {
            return Decision::Bypassed {
                var: no_proxy.name,
                entry,
            };
        }
        match &var.parsed {
            Ok(url) => Decision::Proxy {
                var: var.name,
                url: url.clone(),
            },
            Err(error) => Decision::Broken {
                var: var.name,
                error: error.clone(),
            },
        }
    }

    /// Claude Code: `https_proxy` → `HTTPS_PROXY` → `http_proxy` → `HTTP_PROXY` for HTTPS (only
    /// the last two for HTTP), `no_proxy` before `NO_PROXY`.
    pub fn claude_code(&self, target: &Target) -> Decision {
        let order: &[&str] = match target.scheme {
            Scheme::Https => &PROXY_VARS,
            Scheme::Http => &PROXY_VARS[2..],
        };
        let var = order.iter().find_map(|name| self.var(name));
        let no_proxy = self.no_proxy.first().map(|np| {
            (
                np,
                np.node_match(&target.host, target.port)
                    .map(|e| e.raw.clone()),
            )
        });
        self.decide(var, no_proxy)
    }

    /// The AWS CLI and SDKs: only the variable for the URL's own scheme (either case), and their
    /// broader `NO_PROXY` matching.
    pub fn aws_tools(&self, target: &Target) -> Decision {
        let order: &[&str] = match target.scheme {
            Scheme::Https => &["HTTPS_PROXY", "https_proxy"],
            Scheme::Http => &["HTTP_PROXY", "http_proxy"],
        };
        let var = order.iter().find_map(|name| self.var(name));
        let no_proxy = self
            .no_proxy
            .iter()
            .find(|np| np.name == "NO_PROXY")
            .or(self.no_proxy.first())
            .map(|np| {
                (
                    np,
                    np.aws_match(&target.host, target.port)
                        .map(|e| e.raw.clone()),
                )
            });
        self.decide(var, no_proxy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse_with_their_password_masked() {
        let p = ProxyUrl::parse("http://alice:s%40cret@proxy.corp:3128").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.corp", 3128));
        assert_eq!(p.credentials(), Some(("alice", "s@cret")));
        assert_eq!(p.display, "http://alice:****@proxy.corp:3128");
        assert!(!format!("{p:?}").contains("cret"));
        assert_eq!(ProxyUrl::parse("https://proxy").unwrap().port, 443);
        assert_eq!(
            ProxyUrl::parse("proxy.corp:3128").unwrap_err(),
            ProxyUrlError::NoScheme
        );
        assert!(matches!(
            ProxyUrl::parse("socks5://127.0.0.1:1080"),
            Err(ProxyUrlError::Socks(_))
        ));
        assert_eq!(display("bob:hunter2@proxy:3128"), "bob:****@proxy:3128");
        assert!(matches!(
            ProxyUrl::parse("http://proxy:port"),
            Err(ProxyUrlError::Invalid(_))
        ));
    }

    #[test]
    fn no_proxy_semantics_differ_between_node_and_the_aws_tools() {
        let np = NoProxy::parse(
            "NO_PROXY",
            "localhost, .internal amazonaws.com 10.0.0.0/8 example.org:8443",
            Source::ProcessEnv,
        );
        assert_eq!(np.node_match("localhost", 443).unwrap().raw, "localhost");
        assert_eq!(np.node_match("a.b.internal", 443).unwrap().raw, ".internal");
        // A plain domain is exact for Node, a suffix for curl-style matchers.
        assert!(np.node_match("sts.us-east-1.amazonaws.com", 443).is_none());
        assert_eq!(
            np.aws_match("sts.us-east-1.amazonaws.com", 443)
                .unwrap()
                .raw,
            "amazonaws.com"
        );
        assert_eq!(np.aws_match("10.1.2.3", 443).unwrap().raw, "10.0.0.0/8");
        assert!(np.node_match("example.org", 443).is_none());
        assert!(np.node_match("example.org", 8443).is_some());
        let all = NoProxy::parse("no_proxy", "*", Source::ProcessEnv);
        assert!(all.node_match("anything", 1).is_some());
        assert!(all.aws_match("anything", 1).is_some());
    }

    #[test]
    fn claude_code_falls_back_to_http_proxy_for_https_but_the_aws_tools_do_not() {
        let mut env = ProxyEnv::default();
        env.vars.push(ProxyVar {
            name: "HTTP_PROXY",
            display: "http://proxy:3128".into(),
            source: Source::ProcessEnv,
            parsed: ProxyUrl::parse("http://proxy:3128"),
        });
        let target = Target::parse("https://bedrock-runtime.us-east-1.amazonaws.com").unwrap();
        assert!(matches!(
            env.claude_code(&target),
            Decision::Proxy {
                var: "HTTP_PROXY",
                ..
            }
        ));
        assert!(matches!(env.aws_tools(&target), Decision::Direct));
    }
}
