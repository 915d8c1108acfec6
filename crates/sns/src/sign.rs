//! [`Signer`]: signs envelopes the way SNS does, for topics mailsight hosts
//! and for tests.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::envelope::Envelope;
use crate::error::SnsError;
use crate::public_key::PublicKey;

/// `SignatureVersion`: `"1"` is SHA1withRSA (SNS's default), `"2"` SHA256withRSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureVersion {
    /// `"1"`: RSA PKCS#1 v1.5 over SHA-1.
    V1,
    /// `"2"`: RSA PKCS#1 v1.5 over SHA-256.
    V2,
}

impl SignatureVersion {
    /// The field value, `"1"` or `"2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureVersion::V1 => "1",
            SignatureVersion::V2 => "2",
        }
    }

    /// Parses the field value; only `"1"` and `"2"` exist.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1" => Some(SignatureVersion::V1),
            "2" => Some(SignatureVersion::V2),
            _ => None,
        }
    }
}

/// An RSA key, its certificate, and the URL the certificate is served at.
pub struct Signer {
    key: RsaKeyPair,
    pkcs8: Vec<u8>,
    cert_pem: String,
    cert_url: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("cert_url", &self.cert_url)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A new RSA-2048 key and a self-signed certificate for `common_name`.
    pub fn generate(cert_url: &str, common_name: &str) -> Result<Signer, SnsError> {
        let key = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| SnsError::Signing("RSA key generation failed".into()))?;
        let pkcs8 = key
            .as_der()
            .map_err(|_| SnsError::Signing("PKCS#8 encoding failed".into()))?
            .as_ref()
            .to_vec();
        let rc_key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
            &pkcs8.as_slice().into(),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(|e| SnsError::Signing(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| SnsError::Signing(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        let cert = params
            .self_signed(&rc_key)
            .map_err(|e| SnsError::Signing(e.to_string()))?;
        Ok(Signer {
            key,
            pkcs8,
            cert_pem: cert.pem(),
            cert_url: cert_url.to_owned(),
        })
    }

    /// Loads a persisted key (PKCS#8 DER) and its certificate (PEM); refuses a
    /// certificate whose key is not this key.
    pub fn from_pkcs8_and_cert(
        pkcs8_der: &[u8],
        cert_pem: &str,
        cert_url: &str,
    ) -> Result<Signer, SnsError> {
        let key = RsaKeyPair::from_pkcs8(pkcs8_der)
            .map_err(|e| SnsError::InvalidSigningKey(e.to_string()))?;
        let cert_key = PublicKey::from_pem(cert_pem.as_bytes())?;
        if cert_key.pkcs1_der() != key.public_key().as_ref() {
            return Err(SnsError::InvalidSigningKey(
                "certificate is not for this key".into(),
            ));
        }
        Ok(Signer {
            key,
            pkcs8: pkcs8_der.to_vec(),
            cert_pem: cert_pem.to_owned(),
            cert_url: cert_url.to_owned(),
        })
    }

    /// The certificate, PEM; serve it at [`cert_url`](Self::cert_url).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key, PKCS#8 DER, to persist.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The `SigningCertURL` written into signed envelopes.
    pub fn cert_url(&self) -> &str {
        &self.cert_url
    }

    /// The public key, as a verifier would take it from the certificate.
    pub fn public_key(&self) -> Result<PublicKey, SnsError> {
        PublicKey::from_pkcs1_der(self.key.public_key().as_ref())
    }

    /// Fills `SignatureVersion`, `SigningCertURL` and `Signature`.
    pub fn sign(&self, envelope: &mut Envelope, version: SignatureVersion) -> Result<(), SnsError> {
        let to_sign = envelope.string_to_sign();
        let sig = match version {
            SignatureVersion::V1 => crate::sha1_sign::sign_sha1(&self.pkcs8, to_sign.as_bytes())
                .ok_or_else(|| SnsError::Signing("RSA SHA-1 signing failed".into()))?,
            SignatureVersion::V2 => {
                let mut sig = vec![0u8; self.key.public_modulus_len()];
                self.key
                    .sign(
                        &signature::RSA_PKCS1_SHA256,
                        &SystemRandom::new(),
                        to_sign.as_bytes(),
                        &mut sig,
                    )
                    .map_err(|_| SnsError::Signing("RSA SHA-256 signing failed".into()))?;
                sig
            }
        };
        envelope.signature_version = version.as_str().to_owned();
        envelope.signing_cert_url = self.cert_url.clone();
        envelope.signature = STANDARD.encode(sig);
        Ok(())
    }
}
