//! What every request handler shares.

use std::sync::Arc;

use mailsight_engine::Engine;
use mailsight_store::Store;
use serde::Deserialize;

use crate::auth::Authenticator;

/// How `GetMessageInsights` chooses what to show.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsightsConfig {
    /// SES leaves out deliveries, bounces and complaints of mailbox
    /// simulator recipients, and everything but the send of messages with
    /// more than one recipient. mailsight shows them unless this is on.
    pub ses_exact: bool,
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The largest request body accepted, in bytes (SES takes 40 MB messages).
    pub max_body_bytes: usize,
    pub insights: InsightsConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body_bytes: 40 * 1024 * 1024,
            insights: InsightsConfig::default(),
        }
    }
}

/// Shared state of the API.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub auth: Arc<Authenticator>,
    pub config: Arc<ApiConfig>,
}

impl AppState {
    pub fn store(&self) -> &Arc<dyn Store> {
        self.engine.store()
    }
}
