//! Request-body and query helpers: JSON into typed requests, paging tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;

use crate::strict::Strict;

use crate::error::ApiError;

/// Parses a JSON body; an empty body counts as `{}` (GET-style calls and
/// clients that send nothing for an all-optional input).
///
/// Every SES v2 input is a structure, so anything but a JSON object is
/// refused before serde sees it: serde's derives also take a struct from
/// an array of its fields in order, which would let `["x",null]` create a
/// resource or `[]` clear settings. Nested structures are held to the same
/// rule by [`Strict`].
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => b"{}".as_slice(),
        Some(b'{') => body,
        Some(_) => {
            return Err(ApiError::bad_request(
                "The request body must be a JSON object: the operation's input is a structure.",
            ));
        }
    };
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    // Nested structures too are read only from objects.
    T::deserialize(Strict(&value)).map_err(|e| {
        ApiError::bad_request(format!(
            "The request body does not match the operation's input: {e}"
        ))
    })
}

/// Paging cursors are opaque to clients: the last name of the page, encoded.
/// A list operation's answer: the page under `member`, and `NextToken`
/// when more follow `next`.
pub fn list_answer(
    member: &str,
    items: Vec<serde_json::Value>,
    next: Option<String>,
) -> serde_json::Value {
    let mut out = serde_json::json!({ member: items });
    if let Some(next) = next {
        out["NextToken"] = serde_json::json!(encode_token(&next));
    }
    out
}

pub fn encode_token(after: &str) -> String {
    URL_SAFE_NO_PAD.encode(after)
}

pub fn decode_token(token: Option<&str>) -> Result<Option<String>, ApiError> {
    token
        .filter(|t| !t.is_empty())
        .map(|t| {
            URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| ApiError::bad_request("The NextToken is not valid."))
        })
        .transpose()
}

/// Validates `PageSize` (1 to `max`); absent means `default`.
pub fn page_size(size: Option<i64>, default: usize, max: usize) -> Result<usize, ApiError> {
    match size {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(n) => Err(ApiError::bad_request(format!(
            "PageSize must be between 1 and {max}; it was {n}."
        ))),
    }
}

/// The value of one query parameter, percent-decoded.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// Every value of a repeated query parameter (`?Reason=A&Reason=B`), in
/// order, percent-decoded.
pub fn query_params(query: Option<&str>, name: &str) -> Vec<String> {
    let Some(query) = query else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
        .collect()
}

/// A stored millisecond time as the API writes timestamps: epoch seconds.
pub fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// `PageSize` from the query string, as a number or a bad request.
pub fn query_page_size(query: Option<&str>) -> Result<Option<i64>, ApiError> {
    query_param(query, "PageSize")
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("PageSize '{v}' is not a number.")))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let t = encode_token("cs-9");
        assert_eq!(decode_token(Some(&t)).unwrap().as_deref(), Some("cs-9"));
        assert_eq!(decode_token(None).unwrap(), None);
        assert!(decode_token(Some("!!!")).is_err());
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None, 100, 1000).unwrap(), 100);
        assert_eq!(page_size(Some(5), 100, 1000).unwrap(), 5);
        assert!(page_size(Some(0), 100, 1000).is_err());
        assert!(page_size(Some(1001), 100, 1000).is_err());
    }

    #[test]
    fn query_params_decode() {
        let q = Some("NextToken=abc%3D&PageSize=5");
        assert_eq!(query_param(q, "NextToken").as_deref(), Some("abc="));
        assert_eq!(query_page_size(q).unwrap(), Some(5));
        assert!(query_page_size(Some("PageSize=x")).is_err());
        assert_eq!(
            query_params(Some("Reason=BOUNCE&PageSize=1&Reason=COMPLAINT"), "Reason"),
            vec!["BOUNCE", "COMPLAINT"]
        );
        assert!(query_params(None, "Reason").is_empty());
    }

    #[test]
    fn json_errors_are_bad_requests() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        assert_eq!(json::<T>(b"{").unwrap_err().code, "BadRequestException");
        assert_eq!(
            json::<T>(br#"{"a":"x"}"#).unwrap_err().code,
            "BadRequestException"
        );
        assert!(json::<serde_json::Value>(b"").is_ok());
    }

    #[test]
    fn only_objects_are_bodies() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct T {
            a: Option<String>,
        }
        assert_eq!(json::<T>(b" \n").unwrap(), T { a: None });
        assert_eq!(json::<T>(br#" {"a":"x"}"#).unwrap().a.as_deref(), Some("x"));
        for body in [r#"["x"]"#, "[]", r#""x""#, "1", "null", "true", " [null]"] {
            let err = json::<T>(body.as_bytes()).unwrap_err();
            assert_eq!(err.code, "BadRequestException", "{body}");
            assert!(
                err.message.contains("JSON object"),
                "{body}: {}",
                err.message
            );
        }
    }

    proptest::proptest! {
        /// Whatever the body, a struct input is never read from a
        /// non-object, and nothing panics.
        #[test]
        fn non_objects_never_parse(v in proptest::collection::vec(proptest::prelude::any::<Option<u8>>(), 0..4), s in "\\PC{0,20}", n in proptest::prelude::any::<f64>()) {
            #[derive(serde::Deserialize, Debug)]
            #[allow(dead_code)]
            struct T { a: Option<u8>, b: Option<u8> }
            for body in [
                serde_json::to_vec(&v).unwrap_or_default(),
                serde_json::to_vec(&s).unwrap_or_default(),
                serde_json::to_vec(&n).unwrap_or_default(),
            ] {
                proptest::prop_assert!(json::<T>(&body).is_err());
            }
        }
    }
}
