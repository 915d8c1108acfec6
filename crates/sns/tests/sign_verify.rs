//! Sign then verify: round trips, tampering, versions, keys.

mod common;

use common::*;
use mailsight_sns::{
    Envelope, MessageType, PublicKey, SignatureVersion, Signer, SnsError, notification,
    subscription_confirmation, unsubscribe_confirmation, verify,
};
use time::macros::datetime;

const VERSIONS: [SignatureVersion; 2] = [SignatureVersion::V1, SignatureVersion::V2];

fn key() -> PublicKey {
    PublicKey::from_pem(signer().cert_pem().as_bytes()).unwrap()
}

fn samples() -> Vec<Envelope> {
    let t = datetime!(2024-05-06 07:08:09.123 UTC);
    let mut with_unsub = notification(TOPIC, "{\"eventType\":\"Bounce\"}", None, t);
    with_unsub.unsubscribe_url = Some("https://example.invalid/unsub".into());
    vec![
        notification(
            TOPIC,
            "line one\nline two \u{e9}",
            Some("Amazon SES Email Event Notification"),
            t,
        ),
        with_unsub,
        subscription_confirmation(
            TOPIC,
            "tok123",
            "https://example.invalid/?Action=ConfirmSubscription",
            t,
        ),
        unsubscribe_confirmation(
            TOPIC,
            "tok456",
            "https://example.invalid/?Action=ConfirmSubscription",
            t,
        ),
    ]
}

fn signed(mut e: Envelope, v: SignatureVersion) -> Envelope {
    signer().sign(&mut e, v).unwrap();
    e
}

#[test]
fn round_trip_all_types_and_versions() {
    for v in VERSIONS {
        for e in samples() {
            let e = signed(e, v);
            assert_eq!(e.signature_version, v.as_str());
            assert_eq!(e.signing_cert_url, CERT_URL);
            verify(&e, &key()).unwrap_or_else(|err| panic!("{v:?} {:?}: {err}", e.message_type));
            // And through the JSON wire form.
            let back = Envelope::parse(e.to_json().as_bytes()).unwrap();
            assert_eq!(back, e);
            verify(&back, &key()).unwrap();
        }
    }
}

#[test]
fn versions_differ() {
    let e = samples().remove(0);
    let a = signed(e.clone(), SignatureVersion::V1);
    let b = signed(e, SignatureVersion::V2);
    assert_ne!(a.signature, b.signature);
    // A V1 signature labelled "2" does not verify, and vice versa.
    let mut a2 = a.clone();
    a2.signature_version = "2".into();
    assert!(matches!(
        verify(&a2, &key()),
        Err(SnsError::SignatureMismatch)
    ));
    let mut b1 = b.clone();
    b1.signature_version = "1".into();
    assert!(matches!(
        verify(&b1, &key()),
        Err(SnsError::SignatureMismatch)
    ));
}

type Tamper = fn(&mut Envelope);

#[test]
fn any_signed_field_change_breaks_it() {
    let tampers: [(&str, Tamper); 8] = [
        ("Message", |e| e.message.push('x')),
        ("Subject", |e| {
            e.subject = Some(format!("{}x", e.subject.clone().unwrap_or_default()))
        }),
        ("Timestamp", |e| {
            e.timestamp = "2024-05-06T07:08:09.124Z".into()
        }),
        ("TopicArn", |e| e.topic_arn.push('x')),
        ("MessageId", |e| {
            e.message_id = "00000000-0000-4000-8000-000000000000".into()
        }),
        ("Type", |e| {
            e.message_type = match e.message_type {
                MessageType::Notification => MessageType::SubscriptionConfirmation,
                MessageType::SubscriptionConfirmation => MessageType::UnsubscribeConfirmation,
                MessageType::UnsubscribeConfirmation => MessageType::SubscriptionConfirmation,
            }
        }),
        ("Token", |e| {
            e.token = Some(format!("{}x", e.token.clone().unwrap_or_default()))
        }),
        ("SubscribeURL", |e| {
            e.subscribe_url = Some("https://evil.example/".into())
        }),
    ];
    for v in VERSIONS {
        for e in samples() {
            let e = signed(e, v);
            for (name, tamper) in &tampers {
                let mut t = e.clone();
                tamper(&mut t);
                assert!(
                    matches!(verify(&t, &key()), Err(SnsError::SignatureMismatch)),
                    "{v:?} {:?}: changing {name} must break the signature",
                    e.message_type
                );
            }
        }
    }
}

#[test]
fn removing_subject_breaks_it() {
    let mut e = signed(samples().remove(0), SignatureVersion::V2);
    e.subject = None;
    assert!(matches!(
        verify(&e, &key()),
        Err(SnsError::SignatureMismatch)
    ));
}

#[test]
fn unsigned_fields_may_change() {
    let mut e = signed(samples().remove(1), SignatureVersion::V2);
    e.unsubscribe_url = Some("https://elsewhere.invalid/".into());
    e.message_attributes = Some(serde_json::json!({"a": 1}));
    e.extra.insert("X".into(), serde_json::json!(true));
    verify(&e, &key()).unwrap();
}

#[test]
fn flipped_signature_byte_breaks_it() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    for v in VERSIONS {
        let e = signed(samples().remove(0), v);
        let raw = STANDARD.decode(&e.signature).unwrap();
        for i in [0, raw.len() / 2, raw.len() - 1] {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let mut t = e.clone();
            t.signature = STANDARD.encode(&bad);
            assert!(matches!(
                verify(&t, &key()),
                Err(SnsError::SignatureMismatch)
            ));
        }
        let mut short = e.clone();
        short.signature = STANDARD.encode(&raw[..raw.len() - 1]);
        assert!(matches!(
            verify(&short, &key()),
            Err(SnsError::SignatureMismatch)
        ));
    }
}

#[test]
fn bad_base64_is_its_own_error() {
    let mut e = signed(samples().remove(0), SignatureVersion::V1);
    e.signature = "not base64!!".into();
    assert!(matches!(
        verify(&e, &key()),
        Err(SnsError::InvalidSignatureEncoding)
    ));
}

#[test]
fn other_signature_versions_refused() {
    let e = signed(samples().remove(0), SignatureVersion::V2);
    for bad in ["3", "0", "", " 2", "2 ", "v2", "02", "SHA256"] {
        let mut t = e.clone();
        t.signature_version = bad.into();
        match verify(&t, &key()) {
            Err(SnsError::UnsupportedSignatureVersion(v)) => assert_eq!(v, bad),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

#[test]
fn different_key_refuses() {
    let other = PublicKey::from_pem(other_signer().cert_pem().as_bytes()).unwrap();
    for v in VERSIONS {
        let e = signed(samples().remove(0), v);
        assert!(matches!(
            verify(&e, &other),
            Err(SnsError::SignatureMismatch)
        ));
    }
}

#[test]
fn signer_persists_and_reloads() {
    let s = signer();
    let again = Signer::from_pkcs8_and_cert(s.pkcs8_der(), s.cert_pem(), "https://x.invalid/c.pem")
        .unwrap();
    assert_eq!(again.cert_url(), "https://x.invalid/c.pem");
    let mut e = samples().remove(0);
    again.sign(&mut e, SignatureVersion::V1).unwrap();
    verify(&e, &key()).unwrap();
    // RSA PKCS#1 v1.5 is deterministic: same key, same signature.
    let mut e2 = e.clone();
    s.sign(&mut e2, SignatureVersion::V1).unwrap();
    assert_eq!(e.signature, e2.signature);
    // A certificate for another key is refused.
    let err = Signer::from_pkcs8_and_cert(s.pkcs8_der(), other_signer().cert_pem(), CERT_URL)
        .unwrap_err();
    assert!(matches!(err, SnsError::InvalidSigningKey(_)), "{err}");
    assert!(matches!(
        Signer::from_pkcs8_and_cert(b"junk", s.cert_pem(), CERT_URL),
        Err(SnsError::InvalidSigningKey(_))
    ));
    assert_eq!(s.public_key().unwrap().pkcs1_der(), key().pkcs1_der());
    assert_eq!(key().modulus_bits(), 2048);
}

#[test]
fn built_envelopes_look_like_sns() {
    let t = datetime!(2012-05-02 00:54:06.655123 UTC);
    let e = notification(TOPIC, "m", None, t);
    assert_eq!(e.timestamp, "2012-05-02T00:54:06.655Z");
    assert_eq!(e.message_type, MessageType::Notification);
    assert!(uuid::Uuid::parse_str(&e.message_id).is_ok());
    assert_ne!(e.message_id, notification(TOPIC, "m", None, t).message_id);
    let offset = datetime!(2012-05-02 02:54:06 +02:00);
    assert_eq!(
        notification(TOPIC, "m", None, offset).timestamp,
        "2012-05-02T00:54:06.000Z"
    );
    let c = subscription_confirmation(TOPIC, "tok", "https://sub", t);
    assert_eq!(c.token.as_deref(), Some("tok"));
    assert_eq!(c.subscribe_url.as_deref(), Some("https://sub"));
    assert!(c.message.contains(TOPIC));
}

#[test]
fn certificate_parsing_errors() {
    assert!(matches!(
        PublicKey::from_pem(b"junk"),
        Err(SnsError::InvalidCertificate(_))
    ));
    assert!(matches!(
        PublicKey::from_pem(b""),
        Err(SnsError::InvalidCertificate(_))
    ));
    assert!(matches!(
        PublicKey::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]),
        Err(SnsError::InvalidCertificate(_))
    ));
    // An EC certificate is not RSA.
    let ec = rcgen::generate_simple_self_signed(vec!["x".to_string()]).unwrap();
    assert!(matches!(
        PublicKey::from_pem(ec.cert.pem().as_bytes()),
        Err(SnsError::NotRsaKey(_))
    ));
    assert!(matches!(
        PublicKey::from_der(ec.cert.der()),
        Err(SnsError::NotRsaKey(_))
    ));
}
