//! The canonical request, string to sign, signing key and signature, with the
//! rules the AWS SDKs apply for every service but S3: the path is normalised
//! and then URI-encoded once more ("double encoding"), query parameters are
//! decoded, re-encoded strictly and sorted, header values are trimmed.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::amzdate::format_amz_date;
use crate::encoding::{decode_query, encode_component, encode_path};
use crate::error::SigV4Error;
use crate::parse::{ALGORITHM, Authorization, RequestParts};

/// Hex SHA-256 of the body, as used for the payload-hash line.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Removes `.`/`..` segments and empty segments (`//`) of an absolute path,
/// keeping a trailing slash; an empty path becomes `/`.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let path: Cow<'_, str> = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    };
    if !path.contains('.') && !path.contains("//") {
        return path;
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if out.is_empty() || (trailing && !out.ends_with('/')) {
        out.push('/');
    }
    Cow::Owned(out)
}

/// The canonical URI of a path as received on the wire.
pub(crate) fn canonical_uri(path: &str) -> String {
    encode_path(&normalize_path(path))
}

/// The canonical query string of a raw query; `X-Amz-Signature` is left out
/// for presigned requests.
pub(crate) fn canonical_query(raw: Option<&str>, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = decode_query(raw.unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| !(presigned && k == "X-Amz-Signature"))
        .map(|(k, v)| (encode_component(&k), encode_component(&v)))
        .collect();
    pairs.sort();
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Strips leading/trailing spaces and collapses runs of spaces (only the
/// space character, as the signers do).
fn trim_value(value: &[u8], out: &mut Vec<u8>) {
    let start = value.iter().position(|b| *b != b' ').unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i + 1);
    let mut previous_space = false;
    for &b in &value[start..end] {
        if b == b' ' && previous_space {
            continue;
        }
        previous_space = b == b' ';
        out.push(b);
    }
}

/// Everything of the canonical request but the final payload-hash line
/// (which ends up right after the returned bytes).
pub(crate) fn canonical_request_prefix(
    req: &RequestParts,
    auth: &Authorization,
) -> Result<Vec<u8>, SigV4Error> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(req.method.as_str().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(req.uri.path()).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(req.uri.query(), auth.presigned).as_bytes());
    out.push(b'\n');
    for name in &auth.signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut values = req.headers.get_all(name.as_str()).iter().peekable();
        if values.peek().is_none() {
            // HTTP/2 has no Host header; the authority lives in the URI.
            match (name.as_str(), req.uri.authority()) {
                ("host", Some(authority)) => {
                    trim_value(authority.as_str().as_bytes(), &mut out);
                }
                _ => {
                    return Err(SigV4Error::invalid(format!(
                        "The header '{name}' is listed in SignedHeaders but is not present \
                         in the request."
                    )));
                }
            }
        }
        for (i, value) in values.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            trim_value(value.as_bytes(), &mut out);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(auth.signed_headers.join(";").as_bytes());
    out.push(b'\n');
    Ok(out)
}

/// `AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256(canonical request)>`.
pub(crate) fn string_to_sign(auth: &Authorization, canonical_request: &[u8]) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        format_amz_date(auth.date),
        auth.scope(),
        sha256_hex(canonical_request)
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Result<[u8; 32], SigV4Error> {
    // HMAC accepts keys of any length, so this never fails in practice.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| SigV4Error::SignatureMismatch)?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().into())
}

/// The key derived from the secret for the credential scope of `auth`.
pub(crate) fn signing_key(secret: &str, auth: &Authorization) -> Result<[u8; 32], SigV4Error> {
    let mut key = hmac(
        format!("AWS4{secret}").as_bytes(),
        auth.scope_date.as_bytes(),
    )?;
    for part in [auth.region.as_str(), auth.service.as_str(), "aws4_request"] {
        key = hmac(&key, part.as_bytes())?;
    }
    Ok(key)
}

/// Lower-case hex signature of a string to sign.
pub(crate) fn signature(key: &[u8; 32], string_to_sign: &str) -> Result<String, SigV4Error> {
    Ok(hex::encode(hmac(key, string_to_sign.as_bytes())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization() {
        for (input, expected) in [
            ("", "/"),
            ("/", "/"),
            ("foo", "/foo"),
            ("/foo/bar/", "/foo/bar/"),
            ("/v2/email/insights/ID/", "/v2/email/insights/ID/"),
            ("//example//", "/example/"),
            ("/example1/example2/../..", "/"),
            ("/example/..", "/"),
            ("/./", "/"),
            ("/a/./b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/../a", "/a"),
            ("/a.b", "/a.b"),
            ("/a//b", "/a/b"),
            ("/..", "/"),
        ] {
            assert_eq!(normalize_path(input), expected, "{input:?}");
        }
    }

    #[test]
    fn double_encoding() {
        assert_eq!(
            canonical_uri("/v2/email/identities/user%40example.com"),
            "/v2/email/identities/user%2540example.com"
        );
        assert_eq!(
            canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
    }

    #[test]
    fn query_sorting_and_encoding() {
        assert_eq!(canonical_query(None, false), "");
        assert_eq!(
            canonical_query(Some("Reason=COMPLAINT&Reason=BOUNCE&a=%7e&B=x y"), false),
            "B=x%20y&Reason=BOUNCE&Reason=COMPLAINT&a=~"
        );
        assert_eq!(
            canonical_query(Some("a+b=c%2Bd&k"), false),
            "a%20b=c%2Bd&k="
        );
        assert_eq!(
            canonical_query(Some("X-Amz-Signature=abc&z=1"), true),
            "z=1"
        );
        assert_eq!(
            canonical_query(Some("X-Amz-Signature=abc"), false),
            "X-Amz-Signature=abc"
        );
    }

    #[test]
    fn value_trimming() {
        let mut out = Vec::new();
        trim_value(b"  a   b  c ", &mut out);
        assert_eq!(out, b"a b c");
        out.clear();
        trim_value(b"    ", &mut out);
        assert_eq!(out, b"");
        out.clear();
        trim_value(b"\ta\t", &mut out);
        assert_eq!(out, b"\ta\t");
    }
}
