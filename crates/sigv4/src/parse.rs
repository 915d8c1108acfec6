//! Extracting the SigV4 authentication information from a request: either the
//! `Authorization` header or the presigned `X-Amz-*` query parameters.

use std::fmt;

use http::HeaderMap;
use http::header::{AUTHORIZATION, DATE, HeaderValue};
use time::OffsetDateTime;

use crate::amzdate::{parse_amz_date, parse_http_date};
use crate::encoding::decode_query;
use crate::error::SigV4Error;

/// The only signing algorithm accepted.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Longest validity of a presigned request (7 days), in seconds.
pub const MAX_PRESIGNED_EXPIRES: u64 = 7 * 24 * 60 * 60;

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";

/// The parts of a buffered HTTP request that take part in the signature.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    pub method: &'a http::Method,
    /// Path and query exactly as received (still percent-encoded).
    pub uri: &'a http::Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The SigV4 authentication information of a request, as sent by the client.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// The request timestamp (`X-Amz-Date`, or the `Date` header as fallback).
    pub date: OffsetDateTime,
    /// Region of the credential scope (not checked here; see [`crate::check_scope`]).
    pub region: String,
    /// Service of the credential scope (not checked here; see [`crate::check_scope`]).
    pub service: String,
    /// Lower-cased, in the order the client listed them.
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// True for query-string (presigned URL) authentication.
    pub presigned: bool,
    /// `X-Amz-Expires` of a presigned request, in seconds.
    pub expires: Option<u64>,
    /// The `YYYYMMDD` date of the credential scope.
    pub scope_date: String,
    /// `X-Amz-Security-Token` (header or query parameter), if any. It is only
    /// covered by the signature when listed in the signed headers or sent as
    /// a query parameter of a presigned request; validating it is the
    /// caller's business.
    pub session_token: Option<String>,
}

impl Authorization {
    /// The credential scope `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.scope_date, self.region, self.service
        )
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key_id", &self.access_key_id)
            .field("date", &self.date)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("presigned", &self.presigned)
            .field("expires", &self.expires)
            .field("scope_date", &self.scope_date)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Parses the `Authorization` header (`AWS4-HMAC-SHA256 Credential=…,
/// SignedHeaders=…, Signature=…`) or the presigned query parameters
/// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
/// `X-Amz-SignedHeaders`, `X-Amz-Signature`, `X-Amz-Expires`).
///
/// Fails with [`SigV4Error::MissingAuthentication`] when neither is present
/// and [`SigV4Error::Incomplete`] when the one present is malformed.
pub fn parse(req: &RequestParts) -> Result<Authorization, SigV4Error> {
    let mut headers = req.headers.get_all(AUTHORIZATION).iter();
    let header = headers.next();
    if headers.next().is_some() {
        return Err(SigV4Error::incomplete(
            "The request has more than one Authorization header.",
        ));
    }
    let query = req.uri.query().map(decode_query).unwrap_or_default();
    let query_auth = query.iter().any(|(k, _)| {
        matches!(
            k.as_str(),
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature"
        )
    });
    match (header, query_auth) {
        (Some(_), true) => Err(SigV4Error::incomplete(
            "Only one authentication mechanism is allowed: send either the Authorization \
             header or the X-Amz-* query parameters, not both.",
        )),
        (Some(value), false) => parse_header(value, req.headers),
        (None, true) => parse_query(&query),
        (None, false) => Err(SigV4Error::MissingAuthentication),
    }
}

fn parse_header(value: &HeaderValue, headers: &HeaderMap) -> Result<Authorization, SigV4Error> {
    let raw = value.to_str().map_err(|_| {
        SigV4Error::incomplete("The Authorization header contains non-ASCII characters.")
    })?;
    let raw = raw.trim();
    let (algorithm, rest) = raw.split_once(' ').unwrap_or((raw, ""));
    let rest = if algorithm == ALGORITHM {
        rest
    } else if algorithm.starts_with("AWS4-") {
        return Err(SigV4Error::incomplete(format!(
            "Unsupported signing algorithm '{algorithm}'; only {ALGORITHM} is accepted."
        )));
    } else {
        // Not SigV4 at all (e.g. a bearer token): report every part as missing.
        ""
    };

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for piece in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, val)) = piece.split_once('=') else {
            return Err(SigV4Error::incomplete(format!(
                "'{piece}' not a valid key=value pair (missing equal-sign) in Authorization \
                 header: '{raw}'."
            )));
        };
        let key = key.trim();
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_some() {
            return Err(SigV4Error::incomplete(format!(
                "The Authorization header has more than one '{key}' parameter."
            )));
        }
        let val = val.trim();
        if !val.is_empty() {
            *slot = Some(val);
        }
    }

    let date_header = headers
        .get(X_AMZ_DATE)
        .map(|v| (v, true))
        .or_else(|| headers.get(DATE).map(|v| (v, false)));

    let mut missing = Vec::new();
    for (name, present) in [
        ("Credential", credential.is_some()),
        ("Signature", signature.is_some()),
        ("SignedHeaders", signed_headers.is_some()),
    ] {
        if !present {
            missing.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    if date_header.is_none() {
        missing.push(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .to_owned(),
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some((date_value, is_amz))) =
        (credential, signed_headers, signature, date_header)
    else {
        return Err(SigV4Error::incomplete(format!(
            "{} Authorization={raw}",
            missing.join(" ")
        )));
    };

    let date_text = date_value.to_str().unwrap_or("");
    let date = if is_amz {
        parse_amz_date(date_text)
    } else {
        parse_http_date(date_text)
    }
    .ok_or_else(|| {
        SigV4Error::incomplete(format!(
            "The {} header '{date_text}' is not a valid timestamp; expected the form \
             YYYYMMDD'T'HHMMSS'Z'.",
            if is_amz { "X-Amz-Date" } else { "Date" }
        ))
    })?;

    let scope = parse_credential(credential)?;
    let session_token = headers
        .get(X_AMZ_SECURITY_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(Authorization {
        access_key_id: scope.access_key_id,
        date,
        region: scope.region,
        service: scope.service,
        signed_headers: parse_signed_headers(signed_headers)?,
        signature: signature.to_owned(),
        presigned: false,
        expires: None,
        scope_date: scope.date,
        session_token,
    })
}

fn parse_query(pairs: &[(String, String)]) -> Result<Authorization, SigV4Error> {
    let get = |name: &str| -> Result<Option<&str>, SigV4Error> {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(SigV4Error::incomplete(format!(
                "The query parameter '{name}' appears more than once."
            )));
        }
        Ok(first.filter(|v| !v.is_empty()))
    };
    let algorithm = get("X-Amz-Algorithm")?;
    let credential = get("X-Amz-Credential")?;
    let date = get("X-Amz-Date")?;
    let signed_headers = get("X-Amz-SignedHeaders")?;
    let signature = get("X-Amz-Signature")?;
    let expires = get("X-Amz-Expires")?;
    let session_token = get("X-Amz-Security-Token")?;

    let (
        Some(algorithm),
        Some(credential),
        Some(date),
        Some(signed_headers),
        Some(signature),
        Some(expires),
    ) = (
        algorithm,
        credential,
        date,
        signed_headers,
        signature,
        expires,
    )
    else {
        let missing: Vec<&str> = [
            ("X-Amz-Algorithm", algorithm.is_none()),
            ("X-Amz-Credential", credential.is_none()),
            ("X-Amz-Date", date.is_none()),
            ("X-Amz-SignedHeaders", signed_headers.is_none()),
            ("X-Amz-Signature", signature.is_none()),
            ("X-Amz-Expires", expires.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        return Err(SigV4Error::incomplete(format!(
            "Query-string authentication requires the parameters {}.",
            missing.join(", ")
        )));
    };
    if algorithm != ALGORITHM {
        return Err(SigV4Error::incomplete(format!(
            "Unsupported signing algorithm '{algorithm}'; only {ALGORITHM} is accepted."
        )));
    }
    let date = parse_amz_date(date).ok_or_else(|| {
        SigV4Error::incomplete(format!(
            "X-Amz-Date '{date}' is not a valid timestamp; expected the form \
             YYYYMMDD'T'HHMMSS'Z'."
        ))
    })?;
    let expires = expires
        .parse::<u64>()
        .ok()
        .filter(|secs| *secs <= MAX_PRESIGNED_EXPIRES)
        .ok_or_else(|| {
            SigV4Error::incomplete(format!(
                "X-Amz-Expires must be a whole number of seconds between 0 and \
                 {MAX_PRESIGNED_EXPIRES} (7 days), not '{expires}'."
            ))
        })?;
    let scope = parse_credential(credential)?;
    Ok(Authorization {
        access_key_id: scope.access_key_id,
        date,
        region: scope.region,
        service: scope.service,
        signed_headers: parse_signed_headers(signed_headers)?,
        signature: signature.to_owned(),
        presigned: true,
        expires: Some(expires),
        scope_date: scope.date,
        session_token: session_token.map(str::to_owned),
    })
}

struct Scope {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
}

/// `AKID/YYYYMMDD/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<Scope, SigV4Error> {
    let malformed = || {
        SigV4Error::incomplete(format!(
            "Credential '{credential}' is malformed; expected \
             '<access key id>/YYYYMMDD/<region>/<service>/aws4_request'."
        ))
    };
    // Split from the right so that only the scope fixes the layout.
    let mut parts = credential.rsplitn(5, '/');
    let terminator = parts.next().ok_or_else(malformed)?;
    let service = parts.next().ok_or_else(malformed)?;
    let region = parts.next().ok_or_else(malformed)?;
    let date = parts.next().ok_or_else(malformed)?;
    let access_key_id = parts.next().ok_or_else(malformed)?;
    let date_ok = date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit());
    if terminator != "aws4_request"
        || !date_ok
        || access_key_id.is_empty()
        || region.is_empty()
        || service.is_empty()
    {
        return Err(malformed());
    }
    Ok(Scope {
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    })
}

fn parse_signed_headers(list: &str) -> Result<Vec<String>, SigV4Error> {
    let names: Vec<String> = list
        .split(';')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    if names.iter().any(String::is_empty) {
        return Err(SigV4Error::incomplete(format!(
            "SignedHeaders '{list}' is malformed; expected header names separated by ';'."
        )));
    }
    Ok(names)
}
