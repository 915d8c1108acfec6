//! `PinpointDestination`s: accepted, checked, stored and returned by
//! `GetConfigurationSetEventDestinations`, and their deliveries marked
//! delivered. mailsight hosts no Pinpoint project, so nothing is sent
//! anywhere; the routed deliveries still exist, so the outbox shows what
//! SES would have sent.

pub mod config;

#[cfg(test)]
pub(crate) mod harness;

use async_trait::async_trait;
use mailsight_store::Delivery;

pub use config::PinpointDestination;

use super::policy::SinkError;
use super::sink::Sink;

/// A destination mailsight keeps but does not send anywhere.
pub struct StoredOnly;

#[async_trait]
impl Sink for StoredOnly {
    async fn deliver(&self, _: &Delivery) -> Result<(), SinkError> {
        Ok(())
    }
}
