//! Who is calling: SigV4 verification and access key → account mapping.
//!
//! With keys configured, a request must be signed by one of them, and its
//! key decides the account. With none, any well-formed, current signature is
//! accepted and the key id names the account, as LocalStack does: an id of
//! exactly twelve digits is that account, any other id is the default
//! account (see [`open_mode_account`]); the binary allows open mode only on
//! loopback addresses.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use mailsight_sigv4::{RequestParts, SigV4Error};
use serde::Deserialize;

use crate::error::ApiError;

/// The SigV4 signing name of SES v2.
pub const SIGNING_NAME: &str = "ses";

/// The account used when no keys are configured.
pub const DEFAULT_ACCOUNT: &str = "000000000000";

/// The account of a caller in open mode (no keys configured): a key id of
/// exactly twelve ASCII digits selects that account id, so tests can keep
/// accounts apart without configuring keys (LocalStack's convention); any
/// other id is [`DEFAULT_ACCOUNT`], as it always was.
pub fn open_mode_account(access_key_id: &str) -> &str {
    let digits = access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit());
    if digits {
        access_key_id
    } else {
        DEFAULT_ACCOUNT
    }
}

/// One access key that may call the API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The 12-digit account the key belongs to.
    #[serde(default = "default_account")]
    pub account_id: String,
}

fn default_account() -> String {
    DEFAULT_ACCOUNT.into()
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: String,
    pub access_key_id: String,
}

/// Verifies requests against the configured keys.
pub struct Authenticator {
    keys: HashMap<String, AccessKey>,
    max_skew: Duration,
}

impl Authenticator {
    pub fn new(keys: Vec<AccessKey>) -> Self {
        Authenticator {
            keys: keys
                .into_iter()
                .map(|k| (k.access_key_id.clone(), k))
                .collect(),
            max_skew: mailsight_sigv4::DEFAULT_MAX_SKEW,
        }
    }

    /// Whether any keys are configured (if not, signatures are not checked).
    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Authenticates an SES v2 request (signing name [`SIGNING_NAME`]).
    pub fn authenticate(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Caller, ApiError> {
        self.authenticate_for(SIGNING_NAME, method, uri, headers, body)
    }

    /// Authenticates a request signed for `service` (e.g. `sns` for the SNS
    /// query API mailsight also hosts), with the same keys and accounts:
    /// [`Authenticator::check_head`], then [`Authenticator::check_body`].
    pub fn authenticate_for(
        &self,
        service: &str,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Caller, ApiError> {
        let head = self.check_head(service, method, uri, headers)?;
        self.check_body(head, method, uri, headers, body)
    }

    /// Everything that needs no body: the signature's form, its scope's
    /// service, its time and, with keys configured, a known access key. A
    /// request refused here is refused before its body is read, so a
    /// stranger cannot make the server buffer anything.
    pub fn check_head(
        &self,
        service: &str,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Head, ApiError> {
        let parts = RequestParts {
            method,
            uri,
            headers,
            body: &[],
        };
        let auth = mailsight_sigv4::parse(&parts).map_err(sigv4_error)?;
        // Any region is accepted (local clients use many); the service must
        // be the signing name of the API called, as AWS requires.
        mailsight_sigv4::check_scope(&auth, &auth.region, service).map_err(sigv4_error)?;
        let now = time::OffsetDateTime::now_utc();
        if self.keys.is_empty() {
            mailsight_sigv4::check_time(&auth, now, self.max_skew).map_err(sigv4_error)?;
            return Ok(Head { auth, now });
        }
        if !self.keys.contains_key(&auth.access_key_id) {
            return Err(sigv4_error(SigV4Error::UnknownAccessKey));
        }
        mailsight_sigv4::check_head(&parts, &auth, now, self.max_skew).map_err(sigv4_error)?;
        Ok(Head { auth, now })
    }

    /// The signature over the body, for a request whose head passed
    /// [`Authenticator::check_head`] (open mode checks no signature).
    pub fn check_body(
        &self,
        head: Head,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Caller, ApiError> {
        let Head { auth, now } = head;
        if self.keys.is_empty() {
            return Ok(Caller {
                account_id: open_mode_account(&auth.access_key_id).to_owned(),
                access_key_id: auth.access_key_id,
            });
        }
        let key = self
            .keys
            .get(&auth.access_key_id)
            .ok_or_else(|| sigv4_error(SigV4Error::UnknownAccessKey))?;
        let parts = RequestParts {
            method,
            uri,
            headers,
            body,
        };
        mailsight_sigv4::verify(&parts, &auth, &key.secret_access_key, now, self.max_skew)
            .map_err(sigv4_error)?;
        Ok(Caller {
            account_id: key.account_id.clone(),
            access_key_id: key.access_key_id.clone(),
        })
    }
}

/// A request whose headers passed [`Authenticator::check_head`]; its
/// body is still to be checked.
#[derive(Debug)]
pub struct Head {
    auth: mailsight_sigv4::Authorization,
    /// The time the head was checked at, so both checks see one clock.
    now: time::OffsetDateTime,
}

impl Authenticator {
    /// The caller whose access key id is `id` and secret is `secret`
    /// (the dashboard's HTTP Basic credentials), or `None`. The secret is
    /// compared in constant time.
    pub fn authenticate_secret(&self, id: &str, secret: &str) -> Option<Caller> {
        use subtle::ConstantTimeEq;
        let key = self.keys.get(id)?;
        let same: bool = key
            .secret_access_key
            .as_bytes()
            .ct_eq(secret.as_bytes())
            .into();
        same.then(|| Caller {
            account_id: key.account_id.clone(),
            access_key_id: key.access_key_id.clone(),
        })
    }
}

fn sigv4_error(e: SigV4Error) -> ApiError {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN);
    ApiError::new(e.aws_code(), status, e.to_string())
}

#[cfg(test)]
mod open_mode_tests {
    use super::*;

    #[test]
    fn twelve_digits_select_the_account_anything_else_is_the_default() {
        assert_eq!(open_mode_account("111122223333"), "111122223333");
        assert_eq!(open_mode_account("000000000001"), "000000000001");
        for other in [
            "AKIDEXAMPLE",
            "test",
            "",
            "11112222333",
            "1111222233334",
            "11112222333a",
            "١١١١٢٢٢٢٣٣٣٣",
        ] {
            assert_eq!(open_mode_account(other), DEFAULT_ACCOUNT, "{other}");
        }
    }
}
