//! The compliance harnesses of Firehose destinations: a stream bound to a
//! directory in the tempdir ([`Directory`]), and one bound to a local
//! HTTP endpoint that answers as the Firehose HTTP protocol requires
//! ([`Http`]). Either way each record must arrive as SES writes it to
//! Firehose: the record's JSON and a `\n`.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use base64::Engine as _;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};
use serde_json::{Value, json};

use super::config::StreamBinding;
use crate::outbox::compliance::{Arrived, Cannot, Env, Harness, Mode, Receiver, SET};

fn arn(name: &str) -> String {
    format!("arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}")
}

async fn add_destination(env: &Env, name: &str, types: &[EventType]) {
    env.add_destination(
        name,
        types,
        (
            "KinesisFirehoseDestination",
            json!({"IamRoleArn": "arn:aws:iam::000000000000:role/ses", "DeliveryStreamArn": arn(name)}),
        ),
    )
    .await;
}

/// The line SES puts to Firehose for a compact record.
fn line(d: &Delivery) -> Vec<u8> {
    format!("{}\n", d.body).into_bytes()
}

pub(crate) struct Directory {
    name: String,
    dir: PathBuf,
}

/// Every line of every file under `dir`, objects and temp files alike (a
/// delivered record is in a temp file until its object rotates).
fn lines_under(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            lines_under(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.extend(bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec));
        }
    }
}

#[async_trait]
impl Harness for Directory {
    const KIND: &'static str = "Firehose (directory)";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        let dir = env.dir.path().join(format!("firehose-{name}"));
        env.config
            .firehose
            .streams
            .push(StreamBinding::directory(arn(name), &dir));
        add_destination(env, name, types).await;
        Directory {
            name: name.into(),
            dir,
        }
    }

    fn target(&self) -> Target {
        Target::destination(SET, &self.name)
    }

    async fn arrived(&self, _: &Env) -> Arrived {
        let mut out = Vec::new();
        lines_under(&self.dir, &mut out);
        Arrived::Bytes(out)
    }

    fn expected(&self, d: &Delivery) -> Vec<u8> {
        line(d)
    }

    /// A file where the stream's directory should be: every write fails
    /// until it is removed.
    async fn break_for_now(&self, _: &mut Env) -> Result<(), Cannot> {
        std::fs::write(&self.dir, b"in the way").unwrap();
        Ok(())
    }

    async fn heal(&self, _: &Env) {
        std::fs::remove_file(&self.dir).unwrap();
    }

    async fn break_for_good(&self, env: &mut Env) -> String {
        env.config
            .firehose
            .streams
            .retain(|s| s.arn != arn(&self.name));
        "no [[firehose.streams]] entry binds".into()
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot(
            "a write to a local file cannot be held open from outside",
        ))
    }
}

pub(crate) struct Http {
    name: String,
    receiver: Receiver,
}

#[async_trait]
impl Harness for Http {
    const KIND: &'static str = "Firehose (HTTP endpoint)";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        let receiver = Receiver::start(true).await;
        env.config.firehose.streams.push(StreamBinding::http(
            arn(name),
            &receiver.url,
            Some("key".into()),
        ));
        add_destination(env, name, types).await;
        Http {
            name: name.into(),
            receiver,
        }
    }

    fn target(&self) -> Target {
        Target::destination(SET, &self.name)
    }

    /// The decoded `data` of each accepted request's one record.
    async fn arrived(&self, _: &Env) -> Arrived {
        Arrived::Bytes(
            self.receiver
                .accepted()
                .into_iter()
                .map(|(headers, body)| {
                    assert_eq!(headers["x-amz-firehose-access-key"], "key");
                    assert_eq!(
                        headers["x-amz-firehose-source-arn"],
                        arn(&self.name).as_str()
                    );
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(v["records"].as_array().unwrap().len(), 1);
                    base64::engine::general_purpose::STANDARD
                        .decode(v["records"][0]["data"].as_str().unwrap())
                        .unwrap()
                })
                .collect(),
        )
    }

    fn expected(&self, d: &Delivery) -> Vec<u8> {
        line(d)
    }

    async fn break_for_now(&self, _: &mut Env) -> Result<(), Cannot> {
        self.receiver.set(Mode::Fail);
        Ok(())
    }

    async fn heal(&self, _: &Env) {
        self.receiver.set(Mode::Accept);
    }

    /// Firehose gives up on a record the endpoint finds too large.
    async fn break_for_good(&self, _: &mut Env) -> String {
        self.receiver.set(Mode::Refuse(413));
        "413".into()
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        self.receiver.set(Mode::Hang);
        Ok(())
    }

    fn hanging(&self) -> usize {
        self.receiver.hanging()
    }
}
