//! CertificateStore: trusted directory, policy before fetch, fetching, cache.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use mailsight_sns::{CertUrlPolicy, CertificateStore, RefusalReason, SignatureVersion, SnsError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const FILE: &str = "SimpleNotificationService-0123456789abcdef.pem";

fn trusted_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE), signer().cert_pem()).unwrap();
    dir
}

fn signed_notification() -> mailsight_sns::Envelope {
    let mut e = parse(NOTIFICATION_WITH_SUBJECT);
    signer().sign(&mut e, SignatureVersion::V2).unwrap();
    e
}

#[tokio::test]
async fn trusted_dir_by_file_name_cached_never_fetched() {
    let dir = trusted_dir();
    let store = CertificateStore::new(CertUrlPolicy::aws(), Some(dir.path().into()), true);
    let e = signed_notification();
    store.verify(&e).await.unwrap();
    // Cached: the file can go away.
    std::fs::remove_file(dir.path().join(FILE)).unwrap();
    store.verify(&e).await.unwrap();
    let k1 = store.public_key(CERT_URL).await.unwrap();
    let k2 = store.public_key(CERT_URL).await.unwrap();
    assert!(Arc::ptr_eq(&k1, &k2));
    assert_eq!(store.fetch_count(), 0);

    let mut tampered = e.clone();
    tampered.message.push('!');
    assert!(matches!(
        store.verify(&tampered).await,
        Err(SnsError::SignatureMismatch)
    ));
    assert_eq!(store.fetch_count(), 0);
}

#[tokio::test]
async fn refused_url_never_reaches_lookup_or_fetch() {
    let dir = trusted_dir();
    let store = CertificateStore::new(CertUrlPolicy::aws(), Some(dir.path().into()), true);
    for url in [
        format!("http://sns.us-west-2.amazonaws.com/{FILE}"),
        format!("https://sns.us-west-2.amazonaws.com.evil.com/{FILE}"),
        format!("https://evil.com/{FILE}"),
        format!("https://sns.us-west-2.amazonaws.com@127.0.0.1/{FILE}"),
        "https://sns.us-west-2.amazonaws.com/cert.txt".to_string(),
    ] {
        let mut e = signed_notification();
        e.signing_cert_url = url.clone();
        let err = store.verify(&e).await.unwrap_err();
        assert!(
            matches!(err, SnsError::CertUrlRefused { .. }),
            "{url}: {err}"
        );
    }
    assert_eq!(store.fetch_count(), 0);
}

#[tokio::test]
async fn no_file_and_no_fetch_is_unavailable() {
    let dir = trusted_dir();
    let store = CertificateStore::new(CertUrlPolicy::aws(), Some(dir.path().into()), false);
    let err = store
        .public_key("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-missing.pem")
        .await
        .unwrap_err();
    assert!(matches!(err, SnsError::CertUnavailable(_)), "{err}");
    let none = CertificateStore::new(CertUrlPolicy::aws(), None, false);
    assert!(matches!(
        none.public_key(CERT_URL).await,
        Err(SnsError::CertUnavailable(_))
    ));
    assert_eq!(store.fetch_count() + none.fetch_count(), 0);
}

#[tokio::test]
async fn trusted_dir_cannot_be_escaped() {
    let outer = tempfile::tempdir().unwrap();
    let inner = outer.path().join("trusted");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(outer.path().join("secret.pem"), signer().cert_pem()).unwrap();
    let store = CertificateStore::new(CertUrlPolicy::aws(), Some(inner), false);
    for url in [
        "https://sns.us-east-1.amazonaws.com/../secret.pem",
        "https://sns.us-east-1.amazonaws.com/%2e%2e%2fsecret.pem",
        "https://sns.us-east-1.amazonaws.com/..%2fsecret.pem",
        "https://sns.us-east-1.amazonaws.com/..%5csecret.pem",
    ] {
        assert!(store.public_key(url).await.is_err(), "{url}");
    }
}

#[tokio::test]
async fn a_garbage_trusted_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE), "not a certificate").unwrap();
    let store = CertificateStore::new(CertUrlPolicy::aws(), Some(dir.path().into()), false);
    assert!(matches!(
        store.public_key(CERT_URL).await,
        Err(SnsError::InvalidCertificate(_))
    ));
}

/// A tiny HTTP/1.1 server on 127.0.0.1 answering every request with `response`;
/// stops after `max` connections. Returns its port and a request counter.
async fn serve(response: String, max: usize) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        for _ in 0..max {
            let Ok(Ok((mut sock, _))) =
                tokio::time::timeout(Duration::from_secs(20), listener.accept()).await
            else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (port, hits)
}

fn ok_response(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-x509-ca-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn fetches_once_over_allowed_http_host() {
    let (port, hits) = serve(ok_response(signer().cert_pem()), 10).await;
    let authority = format!("127.0.0.1:{port}");
    let url = format!("http://{authority}/certs/{FILE}");
    let store = Arc::new(CertificateStore::new(
        CertUrlPolicy::aws().allow_http_host(&authority),
        None,
        true,
    ));
    let mut e = signed_notification();
    e.signing_cert_url = url.clone();
    // Concurrent look-ups of the same uncached URL fetch it once.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, e) = (store.clone(), e.clone());
            tokio::spawn(async move { store.verify(&e).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    store.verify(&e).await.unwrap();
    assert_eq!(store.fetch_count(), 1);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn ttl_and_capacity_bound_the_cache() {
    let (port, _hits) = serve(ok_response(signer().cert_pem()), 10).await;
    let authority = format!("127.0.0.1:{port}");
    let store = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    )
    .with_capacity(1);
    let a = format!("http://{authority}/a.pem");
    let b = format!("http://{authority}/b.pem");
    store.public_key(&a).await.unwrap();
    store.public_key(&a).await.unwrap();
    assert_eq!(store.fetch_count(), 1);
    store.public_key(&b).await.unwrap(); // evicts a
    store.public_key(&a).await.unwrap();
    assert_eq!(store.fetch_count(), 3);

    let short = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    )
    .with_ttl(Duration::from_millis(1));
    short.public_key(&a).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    short.public_key(&a).await.unwrap();
    assert_eq!(short.fetch_count(), 2);
}

#[tokio::test]
async fn fetch_failures() {
    // A redirect is not followed (it could leave the allowed hosts).
    let redirect = "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x.pem\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let (port, _) = serve(redirect.to_string(), 1).await;
    let authority = format!("127.0.0.1:{port}");
    let store = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    );
    let err = store
        .public_key(&format!("http://{authority}/a.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, SnsError::CertFetch(_)), "{err}");

    let (port, _) = serve(ok_response("garbage"), 1).await;
    let authority = format!("127.0.0.1:{port}");
    let store = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    );
    let err = store
        .public_key(&format!("http://{authority}/a.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, SnsError::InvalidCertificate(_)), "{err}");

    let big = "A".repeat(100 * 1024);
    let (port, _) = serve(ok_response(&big), 1).await;
    let authority = format!("127.0.0.1:{port}");
    let store = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    );
    let err = store
        .public_key(&format!("http://{authority}/a.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, SnsError::CertFetch(_)), "{err}");

    // Nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let authority = format!("127.0.0.1:{port}");
    let store = CertificateStore::new(
        CertUrlPolicy::none().allow_http_host(&authority),
        None,
        true,
    );
    let err = store
        .public_key(&format!("http://{authority}/a.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, SnsError::CertFetch(_)), "{err}");
    assert_eq!(store.fetch_count(), 1);
}

#[test]
fn refusal_reason_is_reported() {
    let err = CertUrlPolicy::aws()
        .check("http://sns.us-east-1.amazonaws.com/x.pem")
        .unwrap_err();
    assert!(matches!(
        err,
        SnsError::CertUrlRefused {
            reason: RefusalReason::Scheme,
            ..
        }
    ));
    assert!(err.to_string().contains("https"));
}
