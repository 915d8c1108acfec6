//! Server-side verification of AWS Signature Version 4 (`AWS4-HMAC-SHA256`)
//! for requests that real AWS SDKs sign for a REST-JSON service such as
//! SES v2 (signing name `ses`).
//!
//! AWS publishes signers only (e.g. the `aws-sigv4` crate); there is no
//! official server-side verifier, so verification is written here by hand and
//! tested against the official signer and the public SigV4 test-suite
//! vectors. The crate is pure: no I/O, no clock, no key store. The HTTP layer
//! buffers the request, calls [`parse`], looks up the access key (answering
//! [`SigV4Error::UnknownAccessKey`] when it is unknown), then calls
//! [`verify`] — or only [`check_time`] when any well-formed signature is
//! accepted — and optionally [`check_scope`]. A server that wants to refuse
//! a forged request before reading its body calls [`check_head`] (and
//! looks the key up) on the headers alone, then [`verify`] once the body
//! is read.
//!
//! Layout, one concept per module:
//! * `parse` — [`RequestParts`], [`Authorization`] and [`parse`]: the
//!   `Authorization` header or presigned `X-Amz-*` query parameters;
//! * `canonical` — canonical request, string to sign, signing key, signature
//!   (the non-S3 rules: normalised, double-encoded path);
//! * `encoding` — the SigV4 URI-encoding and the decoding of raw queries;
//! * `amzdate` — the `YYYYMMDD'T'HHMMSS'Z'` timestamps;
//! * `time_window` — [`check_time`]: scope date, clock skew, presigned expiry;
//! * `verify` — [`check_head`], [`verify`] and [`check_scope`];
//! * `error` — [`SigV4Error`] with the AWS error code and HTTP status.
//!
//! No input makes any of these functions panic.

mod amzdate;
mod canonical;
mod encoding;
mod error;
mod parse;
mod time_window;
mod verify;

pub use error::SigV4Error;
pub use parse::{ALGORITHM, Authorization, MAX_PRESIGNED_EXPIRES, RequestParts, parse};
pub use time_window::check_time;
pub use verify::{check_head, check_scope, verify};

/// The clock skew AWS tolerates for header-signed requests (15 minutes).
pub const DEFAULT_MAX_SKEW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
