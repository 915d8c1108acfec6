//! `mailsight-bench send`: signed `SendEmail` calls at a concurrency,
//! against mailsight or any SES v2 endpoint (moto, for the peer figure).

use std::time::Duration;

use serde_json::json;

use crate::load::{client, drive};
use crate::sigv4::{Key, sign};

#[derive(clap::Args)]
pub struct SendArgs {
    /// Base URL of the SES v2 endpoint.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Recipient of every message (a simulator address: SEND + DELIVERY).
    #[arg(long, default_value = "success@simulator.amazonses.com")]
    to: String,
    #[command(flatten)]
    key: Key,
}

/// Creates the sender's identity, then sends for `seconds`.
pub async fn send(args: SendArgs) -> anyhow::Result<()> {
    let client = client(args.concurrency)?;
    let url = reqwest::Url::parse(&args.url)?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let base = args.url.trim_end_matches('/').to_owned();
    let signed = move |key: &Key, path: &str, body: Vec<u8>| {
        let (auth, date) = sign(
            key,
            "ses",
            "POST",
            &host,
            path,
            &body,
            time::OffsetDateTime::now_utc(),
        );
        (auth, date, body)
    };
    let identity = serde_json::to_vec(&json!({"EmailIdentity": "bench.example"}))?;
    let (auth, date, body) = signed(&args.key, "/v2/email/identities", identity);
    let r = client
        .post(format!("{base}/v2/email/identities"))
        .header("authorization", auth)
        .header("x-amz-date", date)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success() || text.contains("AlreadyExists"),
        "CreateEmailIdentity failed: {status} {text}"
    );
    let key = args.key.clone();
    let to = args.to.clone();
    let make = move |i: u64| {
        let msg = json!({
            "FromEmailAddress": "sender@bench.example",
            "Destination": {"ToAddresses": [to]},
            "Content": {"Simple": {
                "Subject": {"Data": format!("Benchmark {i}")},
                "Body": {"Text": {"Data": "Hello from the benchmark."}}
            }}
        });
        let (auth, date, body) = signed(
            &key,
            "/v2/email/outbound-emails",
            serde_json::to_vec(&msg).expect("serialisable"),
        );
        client
            .post(format!("{base}/v2/email/outbound-emails"))
            .header("authorization", auth)
            .header("x-amz-date", date)
            .header("content-type", "application/json")
            .body(body)
    };
    let out = drive(
        args.concurrency,
        Some(Duration::from_secs(args.seconds)),
        None,
        make,
    )
    .await;
    println!("{out}");
    Ok(())
}
