//! Open and click tracking, and the signed links behind them.
//!
//! - [`token`]: the signed tokens in tracking and unsubscribe URLs.
//! - [`rewrite`]: wraps links and adds the open pixel to HTML.
//! - [`entities`]: decodes the character references of a link's `href`.
//! - [`machine`]: judges whether an open or click came from a machine.
//!
//! The endpoints live in the API crate (`/_mailsight/t/...`); what they
//! record is built by [`crate::engagement`].

pub mod entities;
pub mod machine;
pub mod rewrite;
pub mod token;

use serde_json::Value;

pub use token::{Claim, TokenKey};

/// Where tracking URLs point and how they are signed.
#[derive(Debug, Clone)]
pub struct TrackingSettings {
    /// The base URL of mailsight's tracking endpoints as mail clients reach
    /// it (`http://127.0.0.1:4566` by default).
    pub base_url: String,
    pub key: TokenKey,
    /// Clicks sooner than this after delivery are marked as machine
    /// activity.
    pub min_human_click_ms: i64,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        TrackingSettings {
            base_url: "http://127.0.0.1:4566".into(),
            key: TokenKey::new(rand::random::<[u8; 32]>().to_vec()),
            min_human_click_ms: 5_000,
        }
    }
}

/// The path prefix of the open pixel.
pub const OPEN_PATH: &str = "/_mailsight/t/o/";
/// The path prefix of click redirects.
pub const CLICK_PATH: &str = "/_mailsight/t/c/";
/// The path prefix of unsubscribe links.
pub const UNSUBSCRIBE_PATH: &str = "/_mailsight/unsubscribe/";

/// The URL bases of one configuration set: its `TrackingOptions` choose the
/// host (`CustomRedirectDomain`) and the scheme (`HttpsPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct UrlBase {
    base_url: String,
    domain: Option<String>,
    policy: String,
}

impl UrlBase {
    pub fn new(settings: &TrackingSettings, tracking_options: Option<&Value>) -> Self {
        let get = |k: &str| {
            tracking_options
                .and_then(|o| o.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        UrlBase {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            domain: get("CustomRedirectDomain").filter(|d| !d.is_empty()),
            policy: get("HttpsPolicy").unwrap_or_else(|| "OPTIONAL".into()),
        }
    }

    fn base(&self, https: bool) -> String {
        match &self.domain {
            Some(domain) => format!("{}://{domain}", if https { "https" } else { "http" }),
            None => self.base_url.clone(),
        }
    }

    /// The open pixel's URL: HTTPS unless the policy is `OPTIONAL`.
    pub fn open(&self, token: &str) -> String {
        format!("{}{OPEN_PATH}{token}", self.base(self.policy != "OPTIONAL"))
    }

    /// A click URL for `link`: HTTPS under `REQUIRE`, else the link's own
    /// scheme, as SES keeps it.
    pub fn click(&self, token: &str, link: &str) -> String {
        let https = self.policy == "REQUIRE" || link.starts_with("https:");
        format!("{}{CLICK_PATH}{token}", self.base(https))
    }

    /// An unsubscribe URL (always mailsight's own base).
    pub fn unsubscribe(&self, token: &str) -> String {
        format!("{}{UNSUBSCRIBE_PATH}{token}", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tracking_options_shape_the_urls() {
        let s = TrackingSettings {
            base_url: "http://127.0.0.1:4566/".into(),
            ..Default::default()
        };
        let plain = UrlBase::new(&s, None);
        assert_eq!(plain.open("T"), "http://127.0.0.1:4566/_mailsight/t/o/T");
        assert_eq!(
            plain.click("T", "https://x"),
            "http://127.0.0.1:4566/_mailsight/t/c/T"
        );

        let opts = |p: &str| json!({"CustomRedirectDomain": "track.example.com", "HttpsPolicy": p});
        let require = UrlBase::new(&s, Some(&opts("REQUIRE")));
        assert_eq!(
            require.open("T"),
            "https://track.example.com/_mailsight/t/o/T"
        );
        assert_eq!(
            require.click("T", "http://x"),
            "https://track.example.com/_mailsight/t/c/T"
        );
        let open_only = UrlBase::new(&s, Some(&opts("REQUIRE_OPEN_ONLY")));
        assert_eq!(
            open_only.open("T"),
            "https://track.example.com/_mailsight/t/o/T"
        );
        assert_eq!(
            open_only.click("T", "http://x"),
            "http://track.example.com/_mailsight/t/c/T"
        );
        let optional = UrlBase::new(&s, Some(&opts("OPTIONAL")));
        assert_eq!(
            optional.open("T"),
            "http://track.example.com/_mailsight/t/o/T"
        );
        assert_eq!(
            optional.click("T", "https://x"),
            "https://track.example.com/_mailsight/t/c/T"
        );
        assert_eq!(
            optional.unsubscribe("T"),
            "http://127.0.0.1:4566/_mailsight/unsubscribe/T"
        );
    }
}
