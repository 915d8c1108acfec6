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
        let host = match parsed.host() {
            Some(Host::Domain(d)) => d.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => format!("[{ip}]"),
            None => return Err(refuse(RefusalReason::Unparsable)),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse(RefusalReason::UserInfo));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(refuse(RefusalReason::QueryOrFragment));
        }
        if !parsed.path().ends_with(".pem") || parsed.path().ends_with("/.pem") {
            return Err(refuse(RefusalReason::NotPem));
        }
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let listed = |list: &[String]| list.contains(&authority);
        match parsed.scheme() {
            "https" => {
                let aws_ok = self.aws && parsed.port().is_none() && is_sns_host(&host);
                if aws_ok || listed(&self.https_hosts) || listed(&self.http_hosts) {
                    Ok(parsed)
                } else {
                    Err(refuse(RefusalReason::Host))
                }
            }
            "http" if listed(&self.http_hosts) => Ok(parsed),
            _ => Err(refuse(RefusalReason::Scheme)),
        }
    }
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
