//! The full check: structure, time window, payload hash and the recomputed
//! signature (compared in constant time).

use subtle::{Choice, ConstantTimeEq};

use crate::canonical::{
    canonical_request_prefix, sha256_hex, signature, signing_key, string_to_sign,
};
use crate::error::SigV4Error;
use crate::parse::{Authorization, RequestParts};
use crate::time_window::check_time;

const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The checks that need no body, so a server can refuse a request before
/// reading its payload: `host` signed, [`check_time`], and an
/// `x-amz-content-sha256` header (when sent) that is a digest and not
/// `UNSIGNED-PAYLOAD`. [`verify`] runs them again before the rest, so a
/// caller that only calls [`verify`] misses nothing.
pub fn check_head(
    req: &RequestParts,
    auth: &Authorization,
    now: time::OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<(), SigV4Error> {
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(SigV4Error::invalid(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    check_time(auth, now, max_skew)?;
    declared_payload_hash(req)?;
    Ok(())
}

/// Verifies the signature of `req` (described by `auth`, from [`crate::parse`])
/// with `secret_access_key`, after [`check_head`].
///
/// `host` must be a signed header. The payload hash is the
/// `x-amz-content-sha256` header when present (a hex digest that must match
/// the body), otherwise the SHA-256 of the body. `UNSIGNED-PAYLOAD` is
/// refused: SES and SNS clients always sign their payload (only S3 clients
/// leave it unsigned), and accepting it would let anyone who saw one signed
/// request replay its headers with a body of their own. A presigned request
/// without a body may still have been signed with `UNSIGNED-PAYLOAD`, as
/// there is no body to swap.
pub fn verify(
    req: &RequestParts,
    auth: &Authorization,
    secret_access_key: &str,
    now: time::OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<(), SigV4Error> {
    check_head(req, auth, now, max_skew)?;
    let payload_hashes = payload_hashes(req, auth)?;
    let prefix = canonical_request_prefix(req, auth)?;
    let key = signing_key(secret_access_key, auth)?;
    let provided = auth.signature.to_ascii_lowercase();

    let mut matched = Choice::from(0);
    for payload_hash in payload_hashes {
        let mut canonical = prefix.clone();
        canonical.extend_from_slice(payload_hash.as_bytes());
        let expected = signature(&key, &string_to_sign(auth, &canonical))?;
        matched |= expected.as_bytes().ct_eq(provided.as_bytes());
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(SigV4Error::SignatureMismatch)
    }
}

/// The payload hashes the client may have signed with.
fn payload_hashes(req: &RequestParts, auth: &Authorization) -> Result<Vec<String>, SigV4Error> {
    let Some(value) = declared_payload_hash(req)? else {
        let body = sha256_hex(req.body);
        return Ok(if auth.presigned && req.body.is_empty() {
            vec![body, UNSIGNED_PAYLOAD.to_owned()]
        } else {
            vec![body]
        });
    };
    if !value.eq_ignore_ascii_case(&sha256_hex(req.body)) {
        return Err(SigV4Error::invalid(
            "The x-amz-content-sha256 header does not match the SHA-256 digest of the \
             request body.",
        ));
    }
    Ok(vec![value.to_owned()])
}

/// The hex digest of `x-amz-content-sha256`, if sent; anything else in
/// it (`UNSIGNED-PAYLOAD` included) is refused. Needs no body.
fn declared_payload_hash<'a>(req: &RequestParts<'a>) -> Result<Option<&'a str>, SigV4Error> {
    let Some(header) = req.headers.get(X_AMZ_CONTENT_SHA256) else {
        return Ok(None);
    };
    let value = header
        .to_str()
        .map(str::trim)
        .map_err(|_| SigV4Error::incomplete("The x-amz-content-sha256 header is not ASCII."))?;
    if value == UNSIGNED_PAYLOAD {
        return Err(SigV4Error::invalid(
            "UNSIGNED-PAYLOAD is not accepted: sign the request payload \
             (x-amz-content-sha256 must be the SHA-256 digest of the body).",
        ));
    }
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Some(value));
    }
    Err(SigV4Error::incomplete(format!(
        "Unsupported x-amz-content-sha256 value '{value}'; expected the hex SHA-256 \
         digest of the body."
    )))
}

/// Checks that the credential scope names the region and service this
/// server answers for.
pub fn check_scope(
    auth: &Authorization,
    expected_region: &str,
    expected_service: &str,
) -> Result<(), SigV4Error> {
    if auth.region != expected_region {
        return Err(SigV4Error::invalid(format!(
            "Credential should be scoped to a valid region, not '{}'.",
            auth.region
        )));
    }
    if auth.service != expected_service {
        return Err(SigV4Error::invalid(format!(
            "Credential should be scoped to correct service: '{expected_service}'."
        )));
    }
    Ok(())
}
