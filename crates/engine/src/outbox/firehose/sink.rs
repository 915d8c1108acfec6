//! The outbox sink of a `KinesisFirehoseDestination`: one record line to
//! the stream's directory writer or HTTP endpoint.

use std::time::SystemTime;

use async_trait::async_trait;
use mailsight_store::Delivery;
use serde_json::Value;

use super::Stream;
use crate::outbox::policy::SinkError;
use crate::outbox::sink::Sink;

/// One delivery to one stream.
pub struct FirehoseSink {
    pub(super) stream: Stream,
    pub(super) client: reqwest::Client,
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
}
