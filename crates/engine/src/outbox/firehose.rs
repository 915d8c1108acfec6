//! `KinesisFirehoseDestination`s that really deliver: each delivery stream
//! ARN a destination may name is bound (`[[firehose.streams]]`) to either
//! a directory of S3-like objects ([`dir`]) or an HTTP endpoint spoken to
//! in the Firehose HTTP endpoint protocol ([`http`]).
//!
//! The deliverer makes a sink per delivery, but a directory stream needs
//! state that outlives one delivery (its open object), so [`Firehose`]
//! owns one writer per stream for the deliverer's whole life and each
//! [`FirehoseSink`] holds an `Arc` of its stream. The deliverer calls
//! [`Firehose::tick`] on every poll (so objects rotate by age even when no
//! records arrive, and leftovers of a crash are finalized at start-up) and
//! [`Firehose::close`] when it stops.
//!
//! Every record goes out as SES sends it to Firehose: the event-publishing
//! JSON object on one line, followed by `\n`.

pub mod config;
pub mod dir;
pub mod http;

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use mailsight_store::Delivery;
use serde_json::Value;

pub use config::{FirehoseConfig, StreamBinding, StreamTarget};
use dir::{DirSettings, DirStream};
use http::HttpEndpoint;

use super::policy::SinkError;
use super::sink::Sink;

/// The writers of all configured streams.
pub struct Firehose {
    /// By ARN; the first binding of an ARN wins.
    streams: Vec<(String, Stream)>,
}

#[derive(Clone)]
enum Stream {
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

    /// The sink for a destination's `DeliveryStreamArn`.
    pub fn sink(&self, arn: &str, client: &reqwest::Client) -> Result<Box<dyn Sink>, SinkError> {
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
        Ok(Box::new(FirehoseSink {
            stream,
            client: client.clone(),
        }))
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

/// One delivery to one stream.
pub struct FirehoseSink {
    stream: Stream,
    client: reqwest::Client,
}

#[async_trait]
impl Sink for FirehoseSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let line = record_line(&d.body)?;
        match &self.stream {
            Stream::Directory(s) => {
                let s = s.clone();
                tokio::task::spawn_blocking(move || s.append(&line, SystemTime::now()))
                    .await
                    .map_err(|e| SinkError::retry(format!("the firehose writer stopped: {e}")))?
                    .map_err(|e| SinkError::retry(format!("cannot write the record: {e}")))
            }
            Stream::Http(e) => e.post(&self.client, d, &line).await,
        }
    }
}

/// A stored record as one line: the JSON with a `\n`. A record kept with
/// line breaks (pretty JSON that was ingested) is re-serialised compactly,
/// keeping its key order; a body that is not JSON is refused for good.
pub fn record_line(body: &str) -> Result<Vec<u8>, SinkError> {
    let body = body.trim();
    let mut line = if body.contains(['\n', '\r']) {
        serde_json::from_str::<Value>(body)
            .map_err(|e| SinkError::permanent(format!("the record is not JSON: {e}")))?
            .to_string()
            .into_bytes()
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(body)
            .map_err(|e| SinkError::permanent(format!("the record is not JSON: {e}")))?;
        body.as_bytes().to_vec()
    };
    line.push(b'\n');
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_single_lines() {
        assert_eq!(record_line("{\"a\":1}").unwrap(), b"{\"a\":1}\n");
        assert_eq!(
            record_line("{\n  \"b\": 2,\n  \"a\": [1,\r\n 2]\n}\n").unwrap(),
            b"{\"b\":2,\"a\":[1,2]}\n"
        );
        assert!(record_line("{\"a\":").unwrap_err().permanent);
        assert!(record_line("not json\nat all").unwrap_err().permanent);
        assert!(record_line("").unwrap_err().permanent);
    }

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
