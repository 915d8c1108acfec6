//! Who is looking, and whether a form post came from the dashboard itself.
//!
//! A browser cannot sign requests with SigV4, so with access keys
//! configured the dashboard asks for HTTP Basic credentials: the user name
//! is an access key id, the password its secret, and the key's account is
//! the only one shown. Without keys (a server on loopback, as the API
//! allows) the dashboard is open and an `account` query parameter picks the
//! account, by default [`DEFAULT_ACCOUNT`].
//!
//! Basic credentials are sent by the browser with every request to the
//! host, including requests another site makes it send. State-changing
//! posts therefore also check `Sec-Fetch-Site` and `Origin` against the
//! request's own host ([`same_origin`]).

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use base64::Engine as _;

use super::DashError;
use crate::auth::DEFAULT_ACCOUNT;
use crate::body::query_param;
use crate::state::AppState;

/// The realm named in `WWW-Authenticate`.
pub const REALM: &str = "mailsight";

/// The account a request may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub account: String,
    /// Whether the account comes from credentials (then links carry no
    /// `account` parameter).
    pub authenticated: bool,
}

impl Viewer {
    /// `path` with the `account` parameter a page needs to stay on the
    /// same account: none when authenticated or on the default account.
    pub fn href(&self, path: &str) -> String {
        if self.authenticated || self.account == DEFAULT_ACCOUNT {
            return path.to_owned();
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}account={}", self.account)
    }

    /// The query pair to add to a link that already has parameters.
    pub fn account_param(&self) -> Option<(&'static str, &str)> {
        (!self.authenticated && self.account != DEFAULT_ACCOUNT)
            .then_some(("account", self.account.as_str()))
    }
}

/// Decides the viewer of a request: Basic credentials when keys are
/// configured (a 401 asking for them otherwise), else the `account`
/// parameter.
pub fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Viewer, DashError> {
    if !state.auth.has_keys() {
        let account = query_param(query, "account")
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DashError::bad_request(
                "The account parameter must be a 12-digit account id.",
            ));
        }
        return Ok(Viewer {
            account,
            authenticated: false,
        });
    }
    let (id, secret) = basic_credentials(headers).ok_or_else(DashError::unauthorized)?;
    let caller = state
        .auth
        .authenticate_secret(&id, &secret)
        .ok_or_else(DashError::unauthorized)?;
    Ok(Viewer {
        account: caller.account_id,
        authenticated: true,
    })
}

/// The user name and password of an `Authorization: Basic` header.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 4096 {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Refuses a request a browser sent on behalf of another site: a
/// `Sec-Fetch-Site` other than `same-origin` (or `none`, typed by the
/// user), or an `Origin` whose host differs from `Host`. Requests with
/// neither header (curl, scripts) come from no browser page and pass.
pub fn same_origin(headers: &HeaderMap) -> Result<(), DashError> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if !matches!(site, "same-origin" | "none") {
            return Err(DashError::cross_origin());
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let origin_host = url::Url::parse(origin).ok().and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        });
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        match (origin_host, host) {
            (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => {}
            _ => return Err(DashError::cross_origin()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn basic_credentials_are_read() {
        let h = headers(&[("authorization", "Basic QUtJRDpzZWM6cmV0")]);
        assert_eq!(
            basic_credentials(&h),
            Some(("AKID".into(), "sec:ret".into())),
            "the password may hold colons"
        );
        for bad in ["Bearer QUtJRDpzZWNyZXQ=", "Basic !!!", "Basic QUtJRA=="] {
            assert_eq!(
                basic_credentials(&headers(&[("authorization", bad)])),
                None,
                "{bad}"
            );
        }
        assert_eq!(basic_credentials(&HeaderMap::new()), None);
    }

    #[test]
    fn only_same_origin_posts_pass() {
        let host = ("host", "127.0.0.1:8025");
        assert!(same_origin(&headers(&[host])).is_ok(), "no browser headers");
        assert!(same_origin(&headers(&[host, ("sec-fetch-site", "same-origin")])).is_ok());
        assert!(same_origin(&headers(&[host, ("origin", "http://127.0.0.1:8025")])).is_ok());
        for refused in [
            vec![host, ("sec-fetch-site", "cross-site")],
            vec![host, ("sec-fetch-site", "same-site")],
            vec![host, ("origin", "http://evil.test")],
            vec![host, ("origin", "http://127.0.0.1:9999")],
            vec![host, ("origin", "null")],
            vec![("origin", "http://127.0.0.1:8025")],
        ] {
            assert!(same_origin(&headers(&refused)).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn links_keep_a_chosen_account() {
        let v = Viewer {
            account: "111122223333".into(),
            authenticated: false,
        };
        assert_eq!(
            v.href("/dashboard/outbox"),
            "/dashboard/outbox?account=111122223333"
        );
        assert_eq!(v.href("/d?x=1"), "/d?x=1&account=111122223333");
        let d = Viewer {
            account: DEFAULT_ACCOUNT.into(),
            authenticated: false,
        };
        assert_eq!(d.href("/dashboard/outbox"), "/dashboard/outbox");
    }
}
