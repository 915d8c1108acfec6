//! Verifying a signed SNS notification (SignatureVersion 1 and 2), as
//! `/ingest/sns` does for every message. `cargo bench -p mailsight-sns`.

use mailsight_sns::{Envelope, SignatureVersion, Signer, notification, verify};

fn main() {
    divan::main();
}

fn signed(version: SignatureVersion) -> (Envelope, mailsight_sns::PublicKey) {
    let signer = Signer::generate(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bench.pem",
        "sns.amazonaws.com",
    )
    .unwrap();
    let mut e = notification(
        "arn:aws:sns:us-east-1:123456789012:ses-events",
        r#"{"eventType":"Delivery","mail":{"messageId":"m"},"delivery":{}}"#,
        Some("Amazon SES Email Event Notification"),
        time::OffsetDateTime::now_utc(),
    );
    signer.sign(&mut e, version).unwrap();
    (e, signer.public_key().unwrap())
}

#[divan::bench(args = [SignatureVersion::V1, SignatureVersion::V2])]
fn parse_and_verify(b: divan::Bencher, version: SignatureVersion) {
    let (e, key) = signed(version);
    let body = e.to_json();
    b.bench(|| {
        let e = Envelope::parse(body.as_bytes()).unwrap();
        verify(&e, &key).unwrap();
    });
}
