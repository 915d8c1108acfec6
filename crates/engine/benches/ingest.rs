//! Parsing and normalising SES records, the per-record work of every
//! ingest path and of `mailsight import`. `cargo bench -p mailsight-engine`.
//! Reads the AWS example records from `../shared/fixtures/ses-docs-examples`
//! (beside the checkout), or uses one built-in record.

use std::path::Path;

fn main() {
    divan::main();
}

const BUILT_IN: &str = r#"{"eventType":"Delivery","mail":{"timestamp":"2026-01-01T00:00:00.000Z","source":"sender@example.com","sendingAccountId":"123456789012","messageId":"0100abc-000000","destination":["recipient@example.com"],"headersTruncated":false,"headers":[{"name":"From","value":"sender@example.com"},{"name":"To","value":"recipient@example.com"},{"name":"Subject","value":"Hello"}],"commonHeaders":{"from":["sender@example.com"],"to":["recipient@example.com"],"messageId":"0100abc-000000","subject":"Hello"},"tags":{"ses:operation":["SendEmail"],"ses:configuration-set":["ConfigSet"]}},"delivery":{"timestamp":"2026-01-01T00:00:01.000Z","processingTimeMillis":546,"recipients":["recipient@example.com"],"smtpResponse":"250 ok","reportingMTA":"a8-70.smtp-out.amazonses.com","remoteMtaIp":"127.0.2.0"}}"#;

fn records() -> Vec<Vec<u8>> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/ses-docs-examples");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| std::fs::read(e.path()).ok())
                .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .map(|v| serde_json::to_vec(&v).unwrap())
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty() {
        out.push(BUILT_IN.as_bytes().to_vec());
    }
    out
}

/// The model's parser alone (what `mailsight import --parse-only` measures).
#[divan::bench]
fn parse(b: divan::Bencher) {
    let records = records();
    b.counter(divan::counter::ItemsCount::new(records.len()))
        .bench(|| {
            for r in &records {
                divan::black_box(mailsight_model::EventRecord::parse(r).unwrap());
            }
        });
}

/// Parse, message and per-recipient rows: what the ingestor does per record.
#[divan::bench]
fn prepare(b: divan::Bencher) {
    let records = records();
    b.counter(divan::counter::ItemsCount::new(records.len()))
        .bench(|| {
            for r in &records {
                divan::black_box(mailsight_engine::ingest::prepare("000000000000", r).unwrap());
            }
        });
}
