//! mailsight's own HTTPS listener (`[tls]`, `--tls-listen`).
//!
//! Why it exists: SNS message validators (the npm `sns-validator`, the
//! PyPI ones) fetch `SigningCertURL` only over https. Behind a proxy that
//! terminates TLS, `[sns] public_url` is enough; without one, mailsight
//! serves the same routes over TLS itself.
//!
//! The certificate is either the operator's (`cert` and `key`, PEM files)
//! or made here: a local certificate authority kept in `<data_dir>/tls/`
//! (`ca.pem` is the file clients trust, e.g. `NODE_EXTRA_CA_CERTS`,
//! `REQUESTS_CA_BUNDLE`, `AWS_CA_BUNDLE`), and a server certificate it
//! signs at every start for `localhost`, `127.0.0.1`, `::1`, the bound
//! address and the configured `names`. The authority is kept so that
//! what trusts it keeps trusting mailsight across restarts; the server
//! certificate is remade so that a change of names needs nothing else.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde::Deserialize;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The `[tls]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// Where to serve HTTPS (unset: no HTTPS listener).
    pub listen: Option<SocketAddr>,
    /// The server certificate chain (PEM); with `key`. Unset: one signed
    /// by the local authority in the data directory.
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM, PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// More host names or addresses for the certificate mailsight makes.
    pub names: Vec<String>,
}

/// The directory under the data directory holding the local authority.
pub const DIR: &str = "tls";
/// The local authority's certificate: what clients trust.
pub const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
/// The local authority's name; also how its issuer is rebuilt at start.
const CA_NAME: &str = "mailsight local CA";

/// Why the HTTPS listener cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no PEM certificate in the file")]
    NoCertificate(PathBuf),
    #[error("{0}: no PEM private key in the file")]
    NoKey(PathBuf),
    #[error("[tls] cert and key are given together, or neither")]
    HalfPair,
    #[error("cannot make the local certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the certificate and key are not usable: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// What the listener serves with.
pub struct Tls {
    pub config: Arc<ServerConfig>,
    /// The local authority's certificate, when mailsight made the server's.
    pub ca_file: Option<PathBuf>,
}

/// The TLS configuration for a listener bound to `bound`.
pub fn load(settings: &TlsSettings, data_dir: &Path, bound: SocketAddr) -> Result<Tls, TlsError> {
    let (chain, key, ca_file) = match (&settings.cert, &settings.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(&read(cert)?)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| TlsError::NoCertificate(cert.clone()))?;
            if chain.is_empty() {
                return Err(TlsError::NoCertificate(cert.clone()));
            }
            let pkey = PrivateKeyDer::from_pem_slice(&read(key)?)
                .map_err(|_| TlsError::NoKey(key.clone()))?;
            (chain, pkey, None)
        }
        (None, None) => {
            let dir = data_dir.join(DIR);
            let (ca, ca_key) = authority(&dir)?;
            let (cert, key) = server_certificate(&ca_key, &names(settings, bound))?;
            let pkey = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes())
                .map_err(|_| TlsError::NoKey(dir.join(CA_KEY_FILE)))?;
            (vec![cert.der().clone(), ca], pkey, Some(dir.join(CA_FILE)))
        }
        _ => return Err(TlsError::HalfPair),
    };
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // The API speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        config: Arc::new(config),
        ca_file,
    })
}

/// The names the made certificate covers.
fn names(settings: &TlsSettings, bound: SocketAddr) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !bound.ip().is_unspecified() {
        names.push(bound.ip().to_string());
    }
    names.extend(settings.names.iter().cloned());
    names.sort();
    names.dedup();
    names
}

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, CA_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

/// The local authority: its certificate and key, made on first use.
fn authority(dir: &Path) -> Result<(CertificateDer<'static>, KeyPair), TlsError> {
    let cert_path = dir.join(CA_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    if cert_path.exists() && key_path.exists() {
        let key_pem = String::from_utf8_lossy(&read(&key_path)?).into_owned();
        let key = KeyPair::from_pem(&key_pem).map_err(|_| TlsError::NoKey(key_path.clone()))?;
        let cert = CertificateDer::from_pem_slice(&read(&cert_path)?)
            .map_err(|_| TlsError::NoCertificate(cert_path.clone()))?;
        return Ok((cert, key));
    }
    let key = KeyPair::generate()?;
    let mut params = ca_params()?;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let cert = params.self_signed(&key)?;
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.to_owned(),
        source,
    })?;
    write_private(&key_path, key.serialize_pem().as_bytes())?;
    std::fs::write(&cert_path, cert.pem()).map_err(|source| TlsError::Write {
        path: cert_path.clone(),
        source,
    })?;
    Ok((cert.der().clone(), key))
}

/// A server certificate for `names`, signed by the authority's key.
fn server_certificate(
    ca_key: &KeyPair,
    names: &[String],
) -> Result<(rcgen::Certificate, KeyPair), TlsError> {
    // The issuer is rebuilt from the same parameters the authority was
    // made with: its name and key identifier are all a signature needs.
    let issuer = Issuer::new(ca_params()?, ca_key);
    let mut params = CertificateParams::new(names.to_vec())?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "mailsight");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Short enough for clients that refuse long-lived server certificates
    // (397 days); it is remade at every start.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(390);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok((cert, key))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Writes a key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|source| TlsError::Write {
            path: path.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound() -> SocketAddr {
        "127.0.0.1:8443".parse().unwrap()
    }

    #[test]
    fn the_local_authority_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load(&TlsSettings::default(), dir.path(), bound()).unwrap();
        let ca_file = first.ca_file.clone().unwrap();
        let ca = std::fs::read(&ca_file).unwrap();
        let key = std::fs::read(dir.path().join(DIR).join(CA_KEY_FILE)).unwrap();
        load(&TlsSettings::default(), dir.path(), bound()).unwrap();
        assert_eq!(
            std::fs::read(&ca_file).unwrap(),
            ca,
            "the authority is not remade"
        );
        assert_eq!(
            std::fs::read(dir.path().join(DIR).join(CA_KEY_FILE)).unwrap(),
            key
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(DIR).join(CA_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the authority's key is the owner's only");
        }
    }

    #[test]
    fn the_names_cover_loopback_the_bound_address_and_the_configured_ones() {
        let settings = TlsSettings {
            names: vec!["mail.test".into(), "localhost".into()],
            ..TlsSettings::default()
        };
        let got = names(&settings, "10.1.2.3:443".parse().unwrap());
        assert_eq!(
            got,
            ["10.1.2.3", "127.0.0.1", "::1", "localhost", "mail.test"]
        );
        assert!(
            !names(&TlsSettings::default(), "0.0.0.0:443".parse().unwrap())
                .contains(&"0.0.0.0".to_owned())
        );
    }

    #[test]
    fn a_cert_without_its_key_is_refused() {
        let settings = TlsSettings {
            cert: Some("cert.pem".into()),
            ..TlsSettings::default()
        };
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(&settings, dir.path(), bound()),
            Err(TlsError::HalfPair)
        ));
    }

    #[test]
    fn a_file_without_a_certificate_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "not a key").unwrap();
        let settings = TlsSettings {
            cert: Some(cert.clone()),
            key: Some(key),
            ..TlsSettings::default()
        };
        match load(&settings, dir.path(), bound()) {
            Err(TlsError::NoCertificate(path)) => assert_eq!(path, cert),
            other => panic!("expected NoCertificate, got {:?}", other.err()),
        }
    }
}
