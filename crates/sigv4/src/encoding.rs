//! URI-encoding rules of SigV4 and the decoding of raw query strings.
//!
//! SigV4 encodes every byte except the RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) as `%XX` with upper-case hex. Paths keep `/`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, utf8_percent_encode};

/// Everything but the unreserved characters.
const UNRESERVED_ONLY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`UNRESERVED_ONLY`] but leaves the path separator alone.
const PATH: &AsciiSet = &UNRESERVED_ONLY.remove(b'/');

/// Encodes a query key or value.
pub(crate) fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED_ONLY).to_string()
}

/// Encodes a (normalised) path, leaving `/` as is. `%` becomes `%25`, which
/// is what makes the canonical path of an already-encoded wire path
/// "double-encoded".
pub(crate) fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Splits a raw query string into decoded `(key, value)` pairs with
/// `application/x-www-form-urlencoded` rules — the same ones the AWS signers
/// apply: pieces are separated by `&`, empty pieces are skipped, the key ends
/// at the first `=` (no `=` means an empty value), `+` means a space and
/// `%XX` is decoded (malformed escapes stay literal, invalid UTF-8 becomes
/// U+FFFD).
pub(crate) fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (decode_form(k), decode_form(v))
        })
        .collect()
}

fn decode_form(s: &str) -> String {
    let bytes: Vec<u8> = s
        .bytes()
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&bytes).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_keep_only_unreserved() {
        assert_eq!(
            encode_component("aZ09-._~ /+=&%@:,é"),
            "aZ09-._~%20%2F%2B%3D%26%25%40%3A%2C%C3%A9"
        );
    }

    #[test]
    fn path_keeps_slashes_and_reencodes_percent() {
        assert_eq!(
            encode_path("/v2/email/identities/user%40example.com"),
            "/v2/email/identities/user%2540example.com"
        );
        assert_eq!(encode_path("/a:b@c"), "/a%3Ab%40c");
    }

    #[test]
    fn query_decoding_follows_form_rules() {
        assert_eq!(
            decode_query("a=1&&b&c=x%2By+z&d=%zz&e=1=2"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "x+y z".into()),
                ("d".into(), "%zz".into()),
                ("e".into(), "1=2".into()),
            ]
        );
    }
}
