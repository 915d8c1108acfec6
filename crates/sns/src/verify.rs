//! [`verify`]: checks an envelope's signature with a known public key.

use aws_lc_rs::signature::{self, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::envelope::Envelope;
use crate::error::SnsError;
use crate::public_key::PublicKey;
use crate::sign::SignatureVersion;

/// Checks `SignatureVersion` (`"1"` → SHA1withRSA, `"2"` → SHA256withRSA;
/// anything else is refused), decodes the base64 `Signature` and verifies it
/// over [`Envelope::string_to_sign`].
pub fn verify(envelope: &Envelope, key: &PublicKey) -> Result<(), SnsError> {
    let version = SignatureVersion::parse(&envelope.signature_version).ok_or_else(|| {
        SnsError::UnsupportedSignatureVersion(crate::error::cut(&envelope.signature_version))
    })?;
    let sig = STANDARD
        .decode(envelope.signature.as_bytes())
        .map_err(|_| SnsError::InvalidSignatureEncoding)?;
    let alg: &'static signature::RsaParameters = match version {
        SignatureVersion::V1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureVersion::V2 => &signature::RSA_PKCS1_2048_8192_SHA256,
    };
    UnparsedPublicKey::new(alg, key.pkcs1_der())
        .verify(envelope.string_to_sign().as_bytes(), &sig)
        .map_err(|_| SnsError::SignatureMismatch)
}
