//! `KinesisFirehoseDestination`s that really deliver: each delivery stream
//! ARN a destination may name is bound (`[[firehose.streams]]`) to either
//! a directory of S3-like objects ([`dir`]) or an HTTP endpoint spoken to
//! in the Firehose HTTP endpoint protocol ([`http`]).
//!
//! The deliverer makes a sink per batch of deliveries, but a directory
//! stream needs state that outlives one batch (its open object), so
//! [`Firehose`] owns one writer per stream for the deliverer's whole life
//! and each [`FirehoseSink`] holds an `Arc` of its stream. The deliverer calls
//! [`Firehose::tick`] on every poll (so objects rotate by age even when no
//! records arrive, and leftovers of a crash are finalized at start-up) and
//! [`Firehose::close`] when it stops.
//!
//! Every record goes out as SES sends it to Firehose: the event-publishing
//! JSON object on one line, followed by `\n` ([`sink::record_line`]).
//!
//! - [`config`]: the destination's ARNs, and the `[[firehose.streams]]`
//!   bindings.
//! - [`dir`], [`http`]: the two ways a stream is written.
//! - [`sink`]: the outbox sink.

pub mod config;
pub mod dir;
pub mod http;
pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

use std::sync::Arc;
use std::time::SystemTime;

pub use config::{FirehoseConfig, FirehoseDestination, StreamBinding, StreamTarget};
use dir::{DirSettings, DirStream};
use http::HttpEndpoint;
pub use sink::{FirehoseSink, record_line};

use super::policy::SinkError;

/// The writers of all configured streams.
pub struct Firehose {
    /// By ARN; the first binding of an ARN wins.
    streams: Vec<(String, Stream)>,
}

#[derive(Clone)]
pub(crate) enum Stream {
    Directory(Arc<DirStream>),
    Http(Arc<HttpEndpoint>),
}

impl Firehose {
    /// Writers for `config` (no I/O yet).
    pub fn new(config: &FirehoseConfig) -> Self {
        let mut streams: Vec<(String, Stream)> = Vec::new();
        for b in &config.streams {
            if streams.iter().any(|(arn, _)| *arn == b.arn) {
                tracing::warn!(arn = %b.arn, "a later [[firehose.streams]] entry for the same arn is ignored");
                continue;
            }
            let stream = match &b.target {
                StreamTarget::Directory {
                    directory,
                    rotate_bytes,
                    rotate_secs,
                } => Stream::Directory(Arc::new(DirStream::new(DirSettings {
                    arn: b.arn.clone(),
                    directory: directory.clone(),
                    gzip: b.gzip,
                    rotate_bytes: *rotate_bytes,
                    rotate_secs: *rotate_secs,
                }))),
                StreamTarget::Http { url, access_key } => Stream::Http(Arc::new(HttpEndpoint {
                    arn: b.arn.clone(),
                    url: url.clone(),
                    access_key: access_key.clone(),
                    gzip: b.gzip,
                })),
            };
            streams.push((b.arn.clone(), stream));
        }
        Firehose { streams }
    }

    /// The sink for a destination's `DeliveryStreamArn`; an ARN with no
    /// binding is a permanent failure naming the missing config entry.
    pub fn sink(&self, arn: &str, client: &reqwest::Client) -> Result<FirehoseSink, SinkError> {
        let stream = self
            .streams
            .iter()
            .find(|(a, _)| a == arn)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| {
                SinkError::permanent(format!(
                    "no [[firehose.streams]] entry binds {arn} to a directory or URL"
                ))
            })?;
        Ok(FirehoseSink {
            stream,
            client: client.clone(),
        })
    }

    fn directories(&self) -> impl Iterator<Item = &Arc<DirStream>> {
        self.streams.iter().filter_map(|(_, s)| match s {
            Stream::Directory(d) => Some(d),
            Stream::Http(_) => None,
        })
    }

    /// Rotates objects that are due and finalizes leftovers.
    pub async fn tick(&self) {
        let now = SystemTime::now();
        for d in self.directories() {
            let d = d.clone();
            let _ = tokio::task::spawn_blocking(move || d.tick(now)).await;
        }
    }

    /// Finalizes every open object (the deliverer is stopping).
    pub async fn close(&self) {
        for d in self.directories() {
            let d = d.clone();
            let _ = tokio::task::spawn_blocking(move || d.close()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbound_arn_is_a_permanent_error() {
        let f = Firehose::new(&FirehoseConfig {
            streams: vec![StreamBinding::http("arn:x", "http://127.0.0.1:1/", None)],
        });
        let client = reqwest::Client::new();
        assert!(f.sink("arn:x", &client).is_ok());
        let err = f.sink("arn:y", &client).err().unwrap();
        assert!(err.permanent);
        assert!(err.message.contains("firehose.streams"), "{}", err.message);
    }
}
