//! The `KinesisFirehoseDestination` member of a definition, and the
//! `[[firehose.streams]]` settings: which delivery stream ARNs a
//! destination may name, and where each one's records really go (a
//! directory laid out like Firehose's S3 keys, or an HTTP endpoint spoken
//! to with the Firehose HTTP endpoint protocol).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::outbox::destination::{DefinitionError, check_arn, parse_kind};

/// A delivery stream, and the IAM role SES would put records with. The role
/// is checked and kept, and mailsight, which signs nothing towards AWS,
/// has no use for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FirehoseDestination {
    pub iam_role_arn: String,
    pub delivery_stream_arn: String,
}

impl FirehoseDestination {
    pub const KEY: &'static str = "KinesisFirehoseDestination";

    /// Checks the member: both ARNs, the role first (as SES reports it).
    /// Whether the stream is bound is up to the config file, and checked
    /// at delivery time.
    pub fn parse(v: &Value) -> Result<Self, DefinitionError> {
        let d: FirehoseDestination = parse_kind(Self::KEY, v)?;
        check_arn(Self::KEY, &d.iam_role_arn)?;
        check_arn(Self::KEY, &d.delivery_stream_arn)?;
        Ok(d)
    }
}

/// Objects rotate once they would grow past this many (uncompressed) bytes:
/// 128 MiB, Firehose's largest S3 buffer.
pub const DEFAULT_ROTATE_BYTES: u64 = 128 * 1024 * 1024;
/// Objects rotate once they have been open this long: 300 s, Firehose's
/// default S3 buffer interval.
pub const DEFAULT_ROTATE_SECS: u64 = 300;

/// The `[firehose]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FirehoseConfig {
    /// Delivery streams `KinesisFirehoseDestination`s may name.
    pub streams: Vec<StreamBinding>,
}

/// One delivery stream, bound by its ARN to a directory or an HTTP endpoint.
///
/// Parsed through [`RawStreamBinding`], so a binding with both or neither of
/// `directory` and `url`, or with settings that do not apply to its kind,
/// is a config error at start-up rather than a surprise at delivery time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawStreamBinding")]
pub struct StreamBinding {
    /// The `DeliveryStreamArn` of the destination.
    pub arn: String,
    /// Compress objects (`.gz`) or request bodies (`Content-Encoding: gzip`).
    pub gzip: bool,
    pub target: StreamTarget,
}

/// Where a stream's records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamTarget {
    /// Objects under `<directory>/YYYY/MM/DD/HH/`.
    Directory {
        directory: PathBuf,
        /// Rotate before an object would exceed this many uncompressed bytes
        /// (an object holds at least one record, however large).
        rotate_bytes: u64,
        /// Rotate an object this many seconds after it was opened.
        rotate_secs: u64,
    },
    /// POSTs in the Firehose HTTP endpoint protocol.
    Http {
        url: String,
        /// Sent as `X-Amz-Firehose-Access-Key`.
        access_key: Option<String>,
    },
}

impl StreamBinding {
    /// A directory binding with the default rotation.
    pub fn directory(arn: impl Into<String>, directory: impl Into<PathBuf>) -> Self {
        StreamBinding {
            arn: arn.into(),
            gzip: false,
            target: StreamTarget::Directory {
                directory: directory.into(),
                rotate_bytes: DEFAULT_ROTATE_BYTES,
                rotate_secs: DEFAULT_ROTATE_SECS,
            },
        }
    }

    /// An HTTP endpoint binding.
    pub fn http(
        arn: impl Into<String>,
        url: impl Into<String>,
        access_key: Option<String>,
    ) -> Self {
        StreamBinding {
            arn: arn.into(),
            gzip: false,
            target: StreamTarget::Http {
                url: url.into(),
                access_key,
            },
        }
    }
}

/// A `[[firehose.streams]]` entry as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStreamBinding {
    pub arn: String,
    #[serde(default)]
    pub directory: Option<PathBuf>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub access_key: Option<String>,
    #[serde(default)]
    pub gzip: bool,
    #[serde(default)]
    pub rotate_bytes: Option<u64>,
    #[serde(default)]
    pub rotate_secs: Option<u64>,
}

impl TryFrom<RawStreamBinding> for StreamBinding {
    type Error = String;

    fn try_from(raw: RawStreamBinding) -> Result<Self, String> {
        let arn = raw.arn;
        if arn.is_empty() {
            return Err("a [[firehose.streams]] entry needs an arn".into());
        }
        let target = match (raw.directory, raw.url) {
            (Some(directory), None) => {
                if raw.access_key.is_some() {
                    return Err(format!(
                        "firehose stream {arn}: access_key applies to url streams only"
                    ));
                }
                let rotate_bytes = raw.rotate_bytes.unwrap_or(DEFAULT_ROTATE_BYTES);
                let rotate_secs = raw.rotate_secs.unwrap_or(DEFAULT_ROTATE_SECS);
                if rotate_bytes == 0 || rotate_secs == 0 {
                    return Err(format!(
                        "firehose stream {arn}: rotate_bytes and rotate_secs must be positive"
                    ));
                }
                StreamTarget::Directory {
                    directory,
                    rotate_bytes,
                    rotate_secs,
                }
            }
            (None, Some(url)) => {
                if raw.rotate_bytes.is_some() || raw.rotate_secs.is_some() {
                    return Err(format!(
                        "firehose stream {arn}: rotate_bytes and rotate_secs apply to directory streams only"
                    ));
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!(
                        "firehose stream {arn}: url must be http:// or https://"
                    ));
                }
                StreamTarget::Http {
                    url,
                    access_key: raw.access_key,
                }
            }
            (Some(_), Some(_)) => {
                return Err(format!(
                    "firehose stream {arn}: set either directory or url, not both"
                ));
            }
            (None, None) => {
                return Err(format!("firehose stream {arn}: set directory or url"));
            }
        };
        Ok(StreamBinding {
            arn,
            gzip: raw.gzip,
            target,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_needs_both_arns() {
        let role = "arn:aws:iam::111122223333:role/ses";
        let stream = "arn:aws:firehose:us-east-1:111122223333:deliverystream/s";
        let ok = FirehoseDestination::parse(
            &serde_json::json!({"IamRoleArn": role, "DeliveryStreamArn": stream}),
        )
        .unwrap();
        assert_eq!(ok.delivery_stream_arn, stream);
        assert_eq!(ok.iam_role_arn, role);
        let err = |v| FirehoseDestination::parse(&v).unwrap_err().to_string();
        assert_eq!(
            err(serde_json::json!({"DeliveryStreamArn": stream})),
            "Invalid KinesisFirehoseDestination: missing field `IamRoleArn`"
        );
        assert_eq!(
            err(serde_json::json!({"IamRoleArn": "r", "DeliveryStreamArn": "s"})),
            "Invalid ARN <r> in KinesisFirehoseDestination."
        );
        assert_eq!(
            err(serde_json::json!({"IamRoleArn": role, "DeliveryStreamArn": "s"})),
            "Invalid ARN <s> in KinesisFirehoseDestination."
        );
    }

    #[derive(Deserialize)]
    struct File {
        firehose: FirehoseConfig,
    }

    fn parse(toml_text: &str) -> Result<FirehoseConfig, String> {
        // serde_json stands in for TOML here (the engine does not depend on
        // `toml`); the shape is the same.
        serde_json::from_str::<File>(toml_text)
            .map(|f| f.firehose)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn both_kinds_parse_with_defaults() {
        let c = parse(
            r#"{"firehose": {"streams": [
                {"arn": "arn:a", "directory": "out"},
                {"arn": "arn:b", "url": "https://c.example/f", "access_key": "k", "gzip": true}
            ]}}"#,
        )
        .unwrap();
        assert_eq!(c.streams[0], StreamBinding::directory("arn:a", "out"));
        assert_eq!(
            c.streams[1],
            StreamBinding {
                gzip: true,
                ..StreamBinding::http("arn:b", "https://c.example/f", Some("k".into()))
            }
        );
    }

    #[test]
    fn ambiguous_or_misplaced_settings_are_errors() {
        for bad in [
            r#"{"arn": "a"}"#,
            r#"{"arn": "a", "directory": "d", "url": "http://x"}"#,
            r#"{"arn": "a", "url": "http://x", "rotate_secs": 5}"#,
            r#"{"arn": "a", "directory": "d", "access_key": "k"}"#,
            r#"{"arn": "a", "directory": "d", "rotate_bytes": 0}"#,
            r#"{"arn": "a", "url": "ftp://x"}"#,
            r#"{"arn": "", "directory": "d"}"#,
            r#"{"arn": "a", "directory": "d", "rotate_byte": 5}"#,
        ] {
            let text = format!(r#"{{"firehose": {{"streams": [{bad}]}}}}"#);
            assert!(parse(&text).is_err(), "{bad} should be refused");
        }
    }
}
