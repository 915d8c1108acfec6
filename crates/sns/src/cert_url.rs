//! [`CertUrlPolicy`]: which `SigningCertURL`s may be used at all, checked
//! before any certificate is looked up or fetched (wire facts §3.5).
//!
//! URLs are parsed with the `url` crate, the parser the HTTP client uses, so
//! the host checked here is the host that would be contacted.

use url::{Host, Url};

use crate::error::{RefusalReason, SnsError, cut};

/// The policy for `SigningCertURL`s.
///
/// [`CertUrlPolicy::aws`] accepts only `https://` URLs without user info,
/// query or fragment, whose path ends with `.pem`, on a host matching SNS's
/// regional pattern `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$` with
/// no explicit port. Further hosts can be allowed exactly (`host` or
/// `host:port`), over https or, for a local mailsight or tests, over plain http.
#[derive(Debug, Clone)]
pub struct CertUrlPolicy {
    aws: bool,
    https_hosts: Vec<String>,
    http_hosts: Vec<String>,
}

impl CertUrlPolicy {
    /// SNS's regional hosts only (commercial, GovCloud, China).
    pub fn aws() -> Self {
        CertUrlPolicy {
            aws: true,
            https_hosts: Vec::new(),
            http_hosts: Vec::new(),
        }
    }

    /// No host at all; add some with [`allow_host`](Self::allow_host).
    pub fn none() -> Self {
        CertUrlPolicy {
            aws: false,
            ..CertUrlPolicy::aws()
        }
    }

    /// Also allows this exact `host` or `host:port` over https
    /// (e.g. `mailsight.example.com`, `127.0.0.1:8443`, `[::1]:8443`).
    pub fn allow_host(mut self, host: &str) -> Self {
        self.https_hosts.push(host.to_ascii_lowercase());
        self
    }

    /// Also allows this exact `host` or `host:port` over plain http (and https).
    pub fn allow_http_host(mut self, host: &str) -> Self {
        self.http_hosts.push(host.to_ascii_lowercase());
        self
    }

    /// Accepts or refuses `url`, with the reason.
    pub fn check(&self, url: &str) -> Result<(), SnsError> {
        self.check_parsed(url).map(|_| ())
    }

    /// Checks `url` and returns it parsed.
    pub(crate) fn check_parsed(&self, url: &str) -> Result<Url, SnsError> {
        let refuse = |reason| SnsError::CertUrlRefused {
            url: cut(url),
            reason,
        };
        let parsed = Url::parse(url).map_err(|_| refuse(RefusalReason::Unparsable))?;
        let (host, authority) = authority(&parsed).ok_or(refuse(RefusalReason::Unparsable))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse(RefusalReason::UserInfo));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(refuse(RefusalReason::QueryOrFragment));
        }
        if !parsed.path().ends_with(".pem") || parsed.path().ends_with("/.pem") {
            return Err(refuse(RefusalReason::NotPem));
        }
        let listed = |list: &[String]| list.contains(&authority);
        match parsed.scheme() {
            "https" => {
                if self.trusts_https(&parsed, &host, &authority) {
                    Ok(parsed)
                } else {
                    Err(refuse(RefusalReason::Host))
                }
            }
            "http" if listed(&self.http_hosts) => Ok(parsed),
            _ => Err(refuse(RefusalReason::Scheme)),
        }
    }

    /// Whether `url` is an https URL, without user info, on a host this
    /// policy trusts (an SNS regional host without a port, or one allowed
    /// exactly): what a `SubscribeURL` must be before it is visited. Unlike
    /// a certificate URL it may carry a query and need not end in `.pem`.
    pub fn trusts_https_url(&self, url: &str) -> bool {
        let Ok(parsed) = Url::parse(url) else {
            return false;
        };
        let Some((host, authority)) = authority(&parsed) else {
            return false;
        };
        parsed.scheme() == "https"
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && self.trusts_https(&parsed, &host, &authority)
    }

    fn trusts_https(&self, parsed: &Url, host: &str, authority: &String) -> bool {
        let aws_ok = self.aws && parsed.port().is_none() && is_sns_host(host);
        aws_ok || self.https_hosts.contains(authority) || self.http_hosts.contains(authority)
    }
}

/// The URL's host (IPv6 in brackets) and its `host[:port]`, as the allowed
/// hosts are written.
fn authority(parsed: &Url) -> Option<(String, String)> {
    let host = match parsed.host()? {
        Host::Domain(d) => d.to_owned(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => format!("[{ip}]"),
    };
    let authority = match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    Some((host, authority))
}

/// `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`, written by hand.
pub fn is_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else {
        return false;
    };
    let Some(region) = rest
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| rest.strip_suffix(".amazonaws.com"))
    else {
        return false;
    };
    region.len() >= 3
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
