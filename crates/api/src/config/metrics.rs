//! `[metrics]`: who may scrape `/metrics` (and read `/_mailsight/ingest`)
//! besides SigV4-signed callers, when access keys are configured.

use serde::Deserialize;

/// Settings of the monitoring endpoints.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A bearer token scrapers may present (`Authorization: Bearer …`)
    /// instead of a SigV4 signature. Unset or empty: signatures only.
    pub scrape_token: Option<String>,
}

impl MetricsConfig {
    /// The token, if one is set and not empty.
    pub fn token(&self) -> Option<&str> {
        self.scrape_token.as_deref().filter(|t| !t.is_empty())
    }
}

/// Never prints the token.
impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("scrape_token", &self.token().map(|_| "<set>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_never_printed_and_empty_means_unset() {
        let c = MetricsConfig {
            scrape_token: Some("s3cret".into()),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        assert_eq!(c.token(), Some("s3cret"));
        let empty = MetricsConfig {
            scrape_token: Some(String::new()),
        };
        assert_eq!(empty.token(), None);
    }
}
