//! `[sns]`: where mailsight is reachable for SNS subscribers, and topics
//! (with pre-confirmed subscriptions) declared in the config file, for CI
//! setups that cannot answer a `SubscriptionConfirmation`. Checking and
//! seeding them is [`crate::sns::config`]'s.

use serde::Deserialize;

use crate::auth::DEFAULT_ACCOUNT;

/// The `[sns]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsHostingConfig {
    /// The base URL subscribers reach mailsight at, used in
    /// `SigningCertURL`, `SubscribeURL` and `UnsubscribeURL`
    /// (default `http://<listen address>`).
    pub public_url: Option<String>,
    /// Topics created at start if missing.
    pub topics: Vec<SnsTopicConfig>,
}

/// One `[[sns.topics]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsTopicConfig {
    pub name: String,
    #[serde(default = "default_account")]
    pub account_id: String,
    /// `"1"` (SHA1withRSA, SNS's default) or `"2"` (SHA256withRSA).
    #[serde(default)]
    pub signature_version: Option<String>,
    /// HTTP(S) endpoints subscribed and confirmed without the handshake.
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Post the bare message to these subscriptions instead of the envelope.
    #[serde(default)]
    pub raw_message_delivery: bool,
}

fn default_account() -> String {
    DEFAULT_ACCOUNT.into()
}
