//! [`SnsError`]: every way parsing, verifying, fetching or signing can fail.

use std::fmt;

/// Why a `SigningCertURL` was refused by a [`crate::CertUrlPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// Empty, or not an absolute URL.
    Unparsable,
    /// Not `https` (and not `http` for a host allowed to use plain http).
    Scheme,
    /// The URL carries a user name or password (`https://a@b/…`).
    UserInfo,
    /// The URL carries a query string or a fragment.
    QueryOrFragment,
    /// The path does not end with `.pem`.
    NotPem,
    /// The host (with its port, if any) is neither an SNS regional host nor allowed.
    Host,
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefusalReason::Unparsable => "not an absolute URL",
            RefusalReason::Scheme => "scheme must be https",
            RefusalReason::UserInfo => "user info is not allowed",
            RefusalReason::QueryOrFragment => "query string or fragment is not allowed",
            RefusalReason::NotPem => "path must end with .pem",
            RefusalReason::Host => "host is not an SNS host nor an allowed host",
        })
    }
}

/// Errors of this crate. No input makes any function panic; it answers one of these.
#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    /// The body is not JSON, or not a JSON object.
    #[error("body is not a JSON object: {0}")]
    InvalidJson(String),
    /// A field required for this message type is absent (or `null`).
    #[error("missing field {0}")]
    MissingField(&'static str),
    /// A field has the wrong JSON type, or appears under both SNS and Lambda casing.
    #[error("invalid field {field}: {reason}")]
    InvalidField {
        /// The field's SNS name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `Type` is none of the three SNS message types.
    #[error("unknown message type {0:?}")]
    UnknownMessageType(String),
    /// `SignatureVersion` is neither `"1"` nor `"2"`.
    #[error("unsupported signature version {0:?}")]
    UnsupportedSignatureVersion(String),
    /// `Signature` is not valid base64.
    #[error("signature is not valid base64")]
    InvalidSignatureEncoding,
    /// The signature does not match the string to sign under the given key.
    #[error("signature does not match")]
    SignatureMismatch,
    /// The `SigningCertURL` was refused by the policy; nothing was fetched.
    #[error("signing certificate URL {url:?} refused: {reason}")]
    CertUrlRefused {
        /// The refused URL (cut to 200 characters).
        url: String,
        /// Why it was refused.
        reason: RefusalReason,
    },
    /// The certificate is in no trusted directory and fetching is disabled.
    #[error("signing certificate {0:?} is not available locally and fetching is disabled")]
    CertUnavailable(String),
    /// Fetching the certificate failed (network, status, size).
    #[error("fetching signing certificate failed: {0}")]
    CertFetch(String),
    /// The certificate could not be parsed (PEM, DER or X.509).
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// The certificate's key is not an acceptable RSA key (2048–8192 bits).
    #[error("certificate key is not an acceptable RSA key: {0}")]
    NotRsaKey(String),
    /// A private key was rejected, or does not match its certificate.
    #[error("invalid signing key: {0}")]
    InvalidSigningKey(String),
    /// Creating a key, certificate or signature failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// Cuts an attacker-supplied string for an error message.
pub(crate) fn cut(s: &str) -> String {
    s.chars().take(200).collect()
}
