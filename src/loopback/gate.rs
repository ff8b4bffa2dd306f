//! The secret that makes a loopback server answer only the client the doctor started.
//!
//! Any local process can connect to a port on 127.0.0.1. The client is handed a base URL whose
//! first path segment is a fresh random secret (`http://127.0.0.1:PORT/<secret>`); a request whose
//! path does not start with it is answered 403 at once, before its body is read, and is never
//! forwarded, recorded or cached. The secret lives only in the child's environment and in its
//! `--settings` file (0600, in a 0700 directory), so only the client and processes of the same
//! user — which could read the AWS files themselves — can learn it.

use super::{Response, wire};
use crate::secret::digest;

/// The secret's length in random bytes (64 hex characters in the path).
const SECRET_BYTES: usize = 32;

pub struct Gate {
    secret: String,
}

impl Gate {
    /// A fresh secret from the operating system's random source.
    pub fn new() -> std::io::Result<Gate> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|err| std::io::Error::other(err.to_string()))?;
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // It must never be shown: a client's error message may quote its base URL.
        crate::secret::register(&secret);
        Ok(Gate { secret })
    }

    /// The base URL the client is given: the server's address with the secret as its path.
    pub fn base_url(&self, server_url: &str) -> String {
        format!("{}/{}", server_url.trim_end_matches('/'), self.secret)
    }

    /// The path after the secret (`/model/…/invoke`), or `None` when the request does not carry
    /// it. Compared as digests, so the time taken says nothing of how much of it matched.
    pub fn strip<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix('/')?;
        let (first, tail) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        (digest(first) == digest(&self.secret)).then_some(tail)
    }

    /// What a request without the secret gets.
    pub fn refusal() -> Response {
        wire::bedrock_error(
            403,
            "AccessDeniedException",
            "claude-bedrock's loopback server answers only the client it started",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_under_the_secret_pass() {
        let gate = Gate::new().unwrap();
        let base = gate.base_url("http://127.0.0.1:9");
        let secret = base.rsplit('/').next().unwrap().to_string();
        assert_eq!(secret.len(), 64);
        assert_eq!(
            gate.strip(&format!("/{secret}/model/x/invoke")),
            Some("/model/x/invoke")
        );
        assert_eq!(gate.strip(&format!("/{secret}")), Some(""));
        assert_eq!(gate.strip("/model/x/invoke"), None);
        assert_eq!(
            gate.strip(&format!("/{}/model/x/invoke", &secret[..63])),
            None
        );
        assert_eq!(gate.strip(&format!("/{secret}x/model")), None);
        assert_eq!(gate.strip(""), None);
        // Every gate has its own secret.
        assert_ne!(Gate::new().unwrap().base_url(""), gate.base_url(""));
    }
}
