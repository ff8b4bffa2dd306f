//! TLS handshakes that keep the server's chain, and the trust stores a chain is judged against:
//! Mozilla's roots (what Claude Code bundles), the system store, and the CA files the user
//! configured. A chain that only a private CA verifies means something is intercepting TLS.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::{BoxIo, NetError, NetErrorKind, Phase};

pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

/// Accepts any chain during the handshake: the chain is judged afterwards, against several stores,
/// and nothing is sent on a connection before that judgement.
#[derive(Debug)]
struct KeepChain {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for KeepChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

pub(crate) type Chain = Vec<CertificateDer<'static>>;

/// Handshakes TLS with `host` over `io`, returning the stream and the chain the server sent.
pub(crate) async fn handshake(
    io: BoxIo,
    host: &str,
    alpn: &[&[u8]],
    deadline: Instant,
) -> Result<(TlsStream<BoxIo>, Chain), NetError> {
    let provider = provider();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| NetError::new(NetErrorKind::Tls, Phase::Tls, err.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(KeepChain { provider }))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let name = ServerName::try_from(host.to_string()).map_err(|err| {
        NetError::new(
            NetErrorKind::Tls,
            Phase::Tls,
            format!("\"{host}\" is not a TLS server name: {err}"),
        )
    })?;
    let connector = TlsConnector::from(Arc::new(config));
    let stream = match timeout_at(deadline, connector.connect(name, io)).await {
        Err(_) => {
            return Err(NetError::new(
                NetErrorKind::Timeout,
                Phase::Tls,
                "no answer within the timeout (TLS handshake)",
            ));
        }
        Ok(Err(err)) => {
            return Err(NetError::new(
                NetErrorKind::Tls,
                Phase::Tls,
                format!("TLS handshake with {host} failed: {err}"),
            ));
        }
        Ok(Ok(stream)) => stream,
    };
    let chain = stream
        .get_ref()
        .1
        .peer_certificates()
        .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect())
        .unwrap_or_default();
    Ok((stream, chain))
}

/// What one certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub is_ca: bool,
    /// SHA-256 of the DER, colon-separated hex, as browsers and `openssl x509 -fingerprint` show it.
    pub sha256: String,
    pub not_after: String,
}

impl CertInfo {
    pub fn parse(der: &[u8]) -> Option<CertInfo> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|bc| bc.value.ca);
        Some(CertInfo {
            subject: name_of(cert.subject()),
            issuer: name_of(cert.issuer()),
            is_ca,
            sha256: fingerprint(der),
            not_after: cert.validity().not_after.to_string(),
        })
    }
}

/// `CN=…, O=…` from a distinguished name, the parts that identify a product or a company.
fn name_of(name: &x509_parser::x509::X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for cn in name.iter_common_name() {
        if let Ok(v) = cn.as_str() {
            parts.push(format!("CN={v}"));
        }
    }
    for o in name.iter_organization() {
        if let Ok(v) = o.as_str() {
            parts.push(format!("O={v}"));
        }
    }
    for ou in name.iter_organizational_unit() {
        if let Ok(v) = ou.as_str() {
            parts.push(format!("OU={v}"));
        }
    }
    if parts.is_empty() {
        name.to_string()
    } else {
        parts.join(", ")
    }
}

pub(crate) fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The outcome of judging a chain against one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Trusted,
    /// No root in the store issued the chain.
    UnknownIssuer,
    /// The chain is trusted but not for this host name.
    WrongName,
    Expired,
    Other(String),
}

impl Verdict {
    pub fn is_trusted(&self) -> bool {
        *self == Verdict::Trusted
    }

    pub fn describe(&self) -> String {
        match self {
            Verdict::Trusted => "trusted".into(),
            Verdict::UnknownIssuer => "issuer not trusted".into(),
            Verdict::WrongName => "certificate not valid for this host name".into(),
            Verdict::Expired => "certificate expired or not yet valid".into(),
            Verdict::Other(why) => why.clone(),
        }
    }
}

/// A set of trust anchors.
#[derive(Clone)]
pub struct RootSet {
    verifier: Arc<WebPkiServerVerifier>,
    pub count: usize,
}

impl std::fmt::Debug for RootSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RootSet({} roots)", self.count)
    }
}

impl RootSet {
    fn from_store(store: RootCertStore) -> Option<RootSet> {
        let count = store.len();
        if count == 0 {
            return None;
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
            .build()
            .ok()?;
        Some(RootSet { verifier, count })
    }

    /// Mozilla's roots: what Node (and so Claude Code) bundles.
    pub fn public() -> RootSet {
        static PUBLIC: OnceLock<Option<RootSet>> = OnceLock::new();
        PUBLIC
            .get_or_init(|| {
                let mut store = RootCertStore::empty();
                store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                RootSet::from_store(store)
            })
            .clone()
            .expect("the bundled Mozilla roots are not empty")
    }

    /// The operating system's store (SSL_CERT_FILE / SSL_CERT_DIR honoured).
    pub fn system() -> Option<RootSet> {
        static SYSTEM: OnceLock<Option<RootSet>> = OnceLock::new();
        SYSTEM
            .get_or_init(|| {
                let mut store = RootCertStore::empty();
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = store.add(cert);
                }
                RootSet::from_store(store)
            })
            .clone()
    }

    /// The CA certificates in a PEM (or single DER) file.
    pub fn from_file(path: &Path) -> Result<RootSet, String> {
        let bytes = crate::fsio::read_regular(path, crate::fsio::MAX_CONFIG_FILE)
            .map_err(|err| format!("it {err}"))?;
        let mut store = RootCertStore::empty();
        let mut bad = 0;
        for cert in CertificateDer::pem_slice_iter(&bytes) {
            match cert.map(|c| store.add(c)) {
                Ok(Ok(())) => {}
                _ => bad += 1,
            }
        }
        if store.is_empty() && bad == 0 {
            // Not PEM: perhaps one DER certificate (a .cer export).
            let _ = store.add(CertificateDer::from(bytes));
        }
        RootSet::from_store(store).ok_or_else(|| "it holds no usable CA certificate".to_string())
    }

    /// Judges `chain` (leaf first) for `host`.
    pub fn verify(&self, chain: &[CertificateDer<'static>], host: &str) -> Verdict {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return Verdict::Other("the server sent no certificate".into());
        };
        let Ok(name) = ServerName::try_from(host.to_string()) else {
            return Verdict::Other(format!("\"{host}\" is not a TLS server name"));
        };
        match self
            .verifier
            .verify_server_cert(leaf, intermediates, &name, &[], UnixTime::now())
        {
            Ok(_) => Verdict::Trusted,
            Err(rustls::Error::InvalidCertificate(err)) => match err {
                CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                    Verdict::UnknownIssuer
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => Verdict::WrongName,
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => Verdict::Expired,
                other => Verdict::Other(format!("{other:?}")),
            },
            Err(other) => Verdict::Other(other.to_string()),
        }
    }
}

/// A CA file named by a variable or a profile, loaded.
#[derive(Debug, Clone)]
pub struct CaFile {
    pub path: PathBuf,
    pub roots: Result<RootSet, String>,
}

impl CaFile {
    pub fn load(path: PathBuf) -> CaFile {
        let roots = RootSet::from_file(&path);
        CaFile { path, roots }
    }

    pub fn verify(&self, chain: &[CertificateDer<'static>], host: &str) -> Option<Verdict> {
        self.roots.as_ref().ok().map(|r| r.verify(chain, host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_colon_separated_so_no_scrubber_mistakes_them_for_keys() {
        let fp = fingerprint(b"x");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert_eq!(crate::secret::scrub_text(&fp), fp);
    }

    #[test]
    fn the_public_roots_are_mozillas() {
        assert!(RootSet::public().count > 100);
    }

    #[test]
    fn a_missing_ca_file_is_reported() {
        let err = RootSet::from_file(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert_eq!(err, "it does not exist");
        let err = RootSet::from_file(Path::new("/dev/zero")).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
