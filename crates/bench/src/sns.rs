//! `mailsight-bench sns`: SES records as signed SNS notifications (signed
//! before the clock starts), posted to mailsight's `/ingest/sns`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::generator::Generator;
use crate::load::{client, drive};

#[derive(clap::Args)]
pub struct SnsArgs {
    /// Base URL of mailsight.
    #[arg(long)]
    url: String,
    /// Where mailsight's `ingest.sns.trusted_certs_dir` points.
    #[arg(long)]
    certs_dir: PathBuf,
    #[arg(long, default_value = "arn:aws:sns:us-east-1:123456789012:ses-bench")]
    topic: String,
    /// How many distinct notifications (each signed before the clock starts).
    #[arg(long, default_value_t = 20_000)]
    count: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
}

pub async fn sns(args: SnsArgs) -> anyhow::Result<()> {
    use mailsight_sns::{SignatureVersion, Signer, notification};
    const CERT: &str = "SimpleNotificationService-bench.pem";
    let signer = Signer::generate(
        &format!("https://sns.us-east-1.amazonaws.com/{CERT}"),
        "sns.amazonaws.com",
    )?;
    std::fs::create_dir_all(&args.certs_dir)?;
    std::fs::write(args.certs_dir.join(CERT), signer.cert_pem())?;
    let mut g = Generator::new(&args.fixtures, 4242, 0)?;
    let mut records = Vec::with_capacity(args.count + 5);
    while records.len() < args.count {
        g.message(&mut records);
    }
    records.truncate(args.count);
    // Signing (RSA) is the slow part: both cores, before the clock starts.
    let signer = Arc::new(signer);
    let now = time::OffsetDateTime::now_utc();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = records.len().div_ceil(threads);
    let bodies: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                let (signer, topic) = (signer.clone(), args.topic.clone());
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let text = std::str::from_utf8(r).expect("generated UTF-8");
                            let mut e = notification(
                                &topic,
                                text,
                                Some("Amazon SES Email Event Notification"),
                                now,
                            );
                            let v = if i % 2 == 0 {
                                SignatureVersion::V1
                            } else {
                                SignatureVersion::V2
                            };
                            signer.sign(&mut e, v).expect("signing");
                            e.to_json()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("signing thread"))
            .collect()
    });
    let bodies = Arc::new(bodies);
    let client = client(args.concurrency)?;
    let url = format!("{}/ingest/sns", args.url.trim_end_matches('/'));
    let topic = args.topic.clone();
    let n = bodies.len() as u64;
    let out = drive(args.concurrency, None, Some(n), move |i| {
        client
            .post(&url)
            .header("x-amz-sns-message-type", "Notification")
            .header("x-amz-sns-topic-arn", &topic)
            .header("content-type", "text/plain; charset=UTF-8")
            .body(bodies[i as usize].clone())
    })
    .await;
    println!("{out}");
    Ok(())
}
