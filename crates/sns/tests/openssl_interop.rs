//! Interop with the `openssl` command line: envelopes signed by OpenSSL verify
//! here, and envelopes signed here verify with `openssl dgst -verify`.
//!
//! These tests need `openssl` on PATH and fail loudly without it.

mod common;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use mailsight_sns::{Envelope, PublicKey, SignatureVersion, SnsError, verify};

fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    let which = Command::new("sh")
        .args(["-c", "command -v openssl"])
        .output();
    assert!(
        matches!(&which, Ok(o) if o.status.success()),
        "the `openssl` command is required by the interop tests but was not found on PATH; \
         install it (e.g. `apt-get install openssl`)"
    );
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A key and self-signed certificate made by OpenSSL in `dir`.
fn openssl_key_and_cert(dir: &Path) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sns.us-east-1.amazonaws.com",
        ],
        dir,
    );
}

#[test]
fn envelopes_signed_by_openssl_verify() {
    let dir = tempfile::tempdir().unwrap();
    openssl_key_and_cert(dir.path());
    let cert = std::fs::read(dir.path().join("cert.pem")).unwrap();
    let key = PublicKey::from_pem(&cert).unwrap();
    for body in [
        NOTIFICATION_WITH_SUBJECT,
        NOTIFICATION_NO_SUBJECT,
        SUBSCRIPTION_CONFIRMATION,
    ] {
        for (version, digest) in [("1", "-sha1"), ("2", "-sha256")] {
            let mut e = parse(body);
            std::fs::write(dir.path().join("tosign.txt"), e.string_to_sign()).unwrap();
            let sig = openssl(
                &["dgst", digest, "-sign", "key.pem", "tosign.txt"],
                dir.path(),
            );
            e.signature_version = version.into();
            e.signature = STANDARD.encode(&sig);
            // Through the wire form, as SNS would deliver it.
            let e = Envelope::parse(e.to_json().as_bytes()).unwrap();
            verify(&e, &key).unwrap_or_else(|err| panic!("v{version}: {err}"));
            // And it is bound to the content.
            let mut t = e.clone();
            t.message.push(' ');
            assert!(matches!(verify(&t, &key), Err(SnsError::SignatureMismatch)));
        }
    }
}

#[test]
fn openssl_verifies_envelopes_signed_here() {
    let dir = tempfile::tempdir().unwrap();
    let signer = signer();
    std::fs::write(dir.path().join("cert.pem"), signer.cert_pem()).unwrap();
    let pubkey = openssl(
        &["x509", "-in", "cert.pem", "-pubkey", "-noout"],
        dir.path(),
    );
    std::fs::write(dir.path().join("pub.pem"), pubkey).unwrap();
    for body in [NOTIFICATION_WITH_SUBJECT, SUBSCRIPTION_CONFIRMATION] {
        for (version, digest) in [
            (SignatureVersion::V1, "-sha1"),
            (SignatureVersion::V2, "-sha256"),
        ] {
            let mut e = parse(body);
            signer.sign(&mut e, version).unwrap();
            std::fs::write(dir.path().join("tosign.txt"), e.string_to_sign()).unwrap();
            std::fs::write(
                dir.path().join("sig.bin"),
                STANDARD.decode(&e.signature).unwrap(),
            )
            .unwrap();
            let out = openssl(
                &[
                    "dgst",
                    digest,
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "sig.bin",
                    "tosign.txt",
                ],
                dir.path(),
            );
            assert_eq!(String::from_utf8_lossy(&out).trim(), "Verified OK");
            // OpenSSL refuses it once the content changes.
            std::fs::write(dir.path().join("tosign.txt"), e.string_to_sign() + "x").unwrap();
            let refused = Command::new("openssl")
                .args([
                    "dgst",
                    digest,
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "sig.bin",
                    "tosign.txt",
                ])
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(!refused.status.success());
        }
    }
}

#[test]
fn signer_loads_openssl_key_and_cert() {
    let dir = tempfile::tempdir().unwrap();
    openssl_key_and_cert(dir.path());
    openssl(
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER", "-out", "key.der",
        ],
        dir.path(),
    );
    let der = std::fs::read(dir.path().join("key.der")).unwrap();
    let cert = std::fs::read_to_string(dir.path().join("cert.pem")).unwrap();
    let s = mailsight_sns::Signer::from_pkcs8_and_cert(&der, &cert, CERT_URL).unwrap();
    let key = PublicKey::from_pem(cert.as_bytes()).unwrap();
    for v in [SignatureVersion::V1, SignatureVersion::V2] {
        let mut e = parse(NOTIFICATION_NO_SUBJECT);
        s.sign(&mut e, v).unwrap();
        verify(&e, &key).unwrap();
        // Same bytes as OpenSSL's own signature (PKCS#1 v1.5 is deterministic).
        std::fs::write(dir.path().join("tosign.txt"), e.string_to_sign()).unwrap();
        let digest = if v == SignatureVersion::V1 {
            "-sha1"
        } else {
            "-sha256"
        };
        let sig = openssl(
            &["dgst", digest, "-sign", "key.pem", "tosign.txt"],
            dir.path(),
        );
        assert_eq!(STANDARD.encode(sig), e.signature);
    }
}
