//! [`PublicKey`]: the RSA key of an SNS signing certificate.

use aws_lc_rs::rsa;
use x509_cert::Certificate;
use x509_cert::der::Decode;

use crate::error::SnsError;

/// `rsaEncryption`, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// An RSA public key (2048 to 8192 bits) taken from an X.509 certificate.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: rsa::PublicKey,
}

impl PublicKey {
    /// Parses a PEM certificate (the first one of a chain) and takes its key.
    pub fn from_pem(pem: &[u8]) -> Result<Self, SnsError> {
        let chain = Certificate::load_pem_chain(pem)
            .map_err(|e| SnsError::InvalidCertificate(e.to_string()))?;
        let first = chain
            .first()
            .ok_or_else(|| SnsError::InvalidCertificate("no certificate in PEM".into()))?;
        Self::from_certificate(first)
    }

    /// Parses a DER certificate and takes its key.
    pub fn from_der(der: &[u8]) -> Result<Self, SnsError> {
        let cert =
            Certificate::from_der(der).map_err(|e| SnsError::InvalidCertificate(e.to_string()))?;
        Self::from_certificate(&cert)
    }

    fn from_certificate(cert: &Certificate) -> Result<Self, SnsError> {
        let spki = cert.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
            return Err(SnsError::NotRsaKey(format!(
                "key algorithm {}",
                spki.algorithm.oid
            )));
        }
        let pkcs1 = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| SnsError::NotRsaKey("key bits are not whole bytes".into()))?;
        Self::from_pkcs1_der(pkcs1)
    }

    /// Takes a PKCS#1 `RSAPublicKey` DER (as in a certificate's key bits).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, SnsError> {
        let key = rsa::PublicKey::from_der(der).map_err(|e| SnsError::NotRsaKey(e.to_string()))?;
        let bits = key.modulus_len() * 8;
        if !(2048..=8192).contains(&bits) {
            return Err(SnsError::NotRsaKey(format!("{bits}-bit modulus")));
        }
        Ok(PublicKey { key })
    }

    /// The PKCS#1 `RSAPublicKey` DER.
    pub fn pkcs1_der(&self) -> &[u8] {
        self.key.as_ref()
    }

    /// The modulus size in bits.
    pub fn modulus_bits(&self) -> usize {
        self.key.modulus_len() * 8
    }
}
