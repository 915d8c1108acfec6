//! SigV4 signing for the load tools: a small client-side signer (path
//! already encoded, a query string already canonical) and the access key
//! it signs with. The
//! server's verifier is `mailsight-sigv4`; this one is checked against AWS's
//! reference vector.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Signs a request with SigV4. `path` is encoded already and may end in
/// `?query`, which must be canonical (parameters sorted, values encoded).
/// Returns the `Authorization` and `X-Amz-Date` header values.
pub fn sign(
    key: &Key,
    service: &str,
    method: &str,
    host: &str,
    path: &str,
    body: &[u8],
    now: time::OffsetDateTime,
) -> (String, String) {
    let date = format!("{:04}{:02}{:02}", now.year(), now.month() as u8, now.day());
    let amz_date = format!(
        "{date}T{:02}{:02}{:02}Z",
        now.hour(),
        now.minute(),
        now.second()
    );
    let payload = hex::encode(Sha256::digest(body));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let canonical = format!(
        "{method}\n{path}\n{query}\nhost:{host}\nx-amz-date:{amz_date}\n\nhost;x-amz-date\n{payload}"
    );
    let scope = format!("{date}/{}/{service}/aws4_request", key.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k = hmac(format!("AWS4{}", key.secret).as_bytes(), date.as_bytes());
    let k = hmac(&k, key.region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    let k = hmac(&k, b"aws4_request");
    let signature = hex::encode(hmac(&k, to_sign.as_bytes()));
    (
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}",
            key.id
        ),
        amz_date,
    )
}

#[derive(clap::Args, Clone)]
pub struct Key {
    #[arg(long, default_value = "AKIABENCHMARK")]
    id: String,
    #[arg(long, default_value = "bench-secret")]
    secret: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

impl Key {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_reference_vector() {
        // AWS's get-vanilla test: GET / on example.amazonaws.com.
        let key = Key {
            id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        };
        let now = time::macros::datetime!(2015-08-30 12:36:00 UTC);
        let (auth, date) = sign(
            &key,
            "service",
            "GET",
            "example.amazonaws.com",
            "/",
            b"",
            now,
        );
        assert_eq!(date, "20150830T123600Z");
        assert!(auth.ends_with(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ));
    }
}
