//! Amazon SNS HTTP(S) message envelopes: parsing, the string to sign,
//! signature verification (for SES events delivered through SNS) and signing
//! (for topics mailsight hosts, and for tests).
//!
//! Layout, one concept per module:
//! * `envelope` — [`Envelope`] and [`MessageType`]: [`Envelope::parse`]
//!   (SNS and Lambda casing) and [`Envelope::to_json`] (SNS casing);
//! * `string_to_sign` — [`Envelope::string_to_sign`];
//! * `compose` — [`notification`], [`subscription_confirmation`],
//!   [`unsubscribe_confirmation`]: unsigned envelopes as SNS writes them;
//! * `cert_url` — [`CertUrlPolicy`]: which `SigningCertURL`s may be used,
//!   checked before anything is looked up or fetched;
//! * `public_key` — [`PublicKey`]: the RSA key of an X.509 certificate;
//! * `certs` — [`CertificateStore`]: trusted directory, else HTTPS fetch,
//!   with a bounded expiring cache;
//! * `verify` — [`verify`]: `SignatureVersion` 1 (SHA1withRSA) or 2
//!   (SHA256withRSA) over the string to sign;
//! * `sign` — [`Signer`] and [`SignatureVersion`];
//! * `error` — [`SnsError`] and [`RefusalReason`].
//!
//! Verification checks the signature and the certificate URL; it does not
//! check the certificate's chain or validity dates (the certificate comes
//! from a trusted directory or over HTTPS from an allowed host), nor the
//! `TopicArn`, which the caller must compare with the topics it expects.
//!
//! No input makes any of these functions panic.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod cert_url;
mod certs;
mod compose;
mod envelope;
mod error;
mod public_key;
mod sha1_sign;
mod sign;
mod string_to_sign;
mod verify;

pub use cert_url::{CertUrlPolicy, is_sns_host};
pub use certs::CertificateStore;
pub use compose::{
    notification, sns_timestamp, subscription_confirmation, unsubscribe_confirmation,
};
pub use envelope::{Envelope, MessageType};
pub use error::{RefusalReason, SnsError};
pub use public_key::PublicKey;
pub use sign::{SignatureVersion, Signer};
pub use verify::verify;
