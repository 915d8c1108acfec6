//! The SigningCertURL policy (§3.5).

use mailsight_sns::{CertUrlPolicy, RefusalReason, SnsError, is_sns_host};
use proptest::prelude::*;

fn reason(p: &CertUrlPolicy, url: &str) -> Option<RefusalReason> {
    match p.check(url) {
        Ok(()) => None,
        Err(SnsError::CertUrlRefused { reason, .. }) => Some(reason),
        Err(e) => panic!("{url}: unexpected {e:?}"),
    }
}

#[test]
fn accepts_sns_regional_hosts() {
    let p = CertUrlPolicy::aws();
    for url in [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem",
    ] {
        assert_eq!(reason(&p, url), None, "{url}");
    }
}

#[test]
fn refuses_everything_else() {
    let p = CertUrlPolicy::aws();
    use RefusalReason::*;
    let cases = [
        ("", Unparsable),
        ("sns.us-east-1.amazonaws.com/x.pem", Unparsable),
        ("/SimpleNotificationService-abc.pem", Unparsable),
        (
            "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            Scheme,
        ),
        (
            "ftp://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            Scheme,
        ),
        ("file:///etc/SimpleNotificationService-abc.pem", Unparsable),
        (
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt",
            NotPem,
        ),
        ("https://sns.us-east-1.amazonaws.com/", NotPem),
        ("https://sns.us-east-1.amazonaws.com/.pem", NotPem),
        ("https://sns.us-east-1.amazonaws.com/x.pem/", NotPem),
        (
            "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        ("https://evil.com/sns.us-east-1.amazonaws.com.pem", Host),
        (
            "https://s3.amazonaws.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        (
            "https://sns.amazonaws.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        (
            "https://sns.ab.amazonaws.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        (
            "https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        (
            "https://bucket.s3.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            Host,
        ),
        ("https://sns.us-east-1.evil.amazonaws.com/x.pem", Host),
        ("https://xsns.us-east-1.amazonaws.com/x.pem", Host),
        ("https://sns.us_east_1.amazonaws.com/x.pem", Host),
        ("https://sns.us-east-1.amazonaws.com./x.pem", Host),
        ("https://sns.us-east-1.amazonaws.cn/x.pem", Host),
        (
            "https://sns.us-east-1.amazonaws.com@evil.com/x.pem",
            UserInfo,
        ),
        (
            "https://evil.com@sns.us-east-1.amazonaws.com/x.pem",
            UserInfo,
        ),
        (
            "https://user:pw@sns.us-east-1.amazonaws.com/x.pem",
            UserInfo,
        ),
        ("https://sns.us-east-1.amazonaws.com:8443/x.pem", Host),
        ("https://sns.us-east-1.amazonaws.com:80/x.pem", Host),
        (
            "https://evil.com/x?u=https://sns.us-east-1.amazonaws.com/x.pem",
            QueryOrFragment,
        ),
        (
            "https://evil.com/x.pem?u=https://sns.us-east-1.amazonaws.com/x.pem",
            QueryOrFragment,
        ),
        (
            "https://sns.us-east-1.amazonaws.com/x.pem?x=1",
            QueryOrFragment,
        ),
        (
            "https://sns.us-east-1.amazonaws.com/x.pem?.pem",
            QueryOrFragment,
        ),
        (
            "https://sns.us-east-1.amazonaws.com/x.pem#frag",
            QueryOrFragment,
        ),
        (
            "https://evil.com#@sns.us-east-1.amazonaws.com/x.pem",
            QueryOrFragment,
        ),
        ("https://evil.com\\@sns.us-east-1.amazonaws.com/x.pem", Host),
        ("https://127.0.0.1/x.pem", Host),
    ];
    for (url, want) in cases {
        assert_eq!(reason(&p, url), Some(want), "{url}");
    }
}

#[test]
fn extra_hosts() {
    let p = CertUrlPolicy::aws()
        .allow_host("certs.mailsight.test")
        .allow_host("127.0.0.1:8443")
        .allow_http_host("localhost:8080");
    for url in [
        "https://certs.mailsight.test/a.pem",
        "https://127.0.0.1:8443/a.pem",
        "http://localhost:8080/a.pem",
        "https://localhost:8080/a.pem",
        "https://sns.us-east-1.amazonaws.com/a.pem",
    ] {
        assert_eq!(reason(&p, url), None, "{url}");
    }
    use RefusalReason::*;
    for (url, want) in [
        ("http://certs.mailsight.test/a.pem", Scheme),
        ("https://certs.mailsight.test:444/a.pem", Host),
        ("https://127.0.0.1/a.pem", Host),
        ("https://127.0.0.1:8444/a.pem", Host),
        ("http://localhost/a.pem", Scheme),
        ("http://localhost:8080/a.txt", NotPem),
        ("https://x.certs.mailsight.test/a.pem", Host),
        ("http://sns.us-east-1.amazonaws.com/a.pem", Scheme),
    ] {
        assert_eq!(reason(&p, url), Some(want), "{url}");
    }
    let only = CertUrlPolicy::none().allow_host("certs.mailsight.test");
    assert_eq!(
        reason(&only, "https://sns.us-east-1.amazonaws.com/a.pem"),
        Some(RefusalReason::Host)
    );
}

#[test]
fn host_matcher() {
    assert!(is_sns_host("sns.us-east-1.amazonaws.com"));
    assert!(is_sns_host("sns.abc.amazonaws.com"));
    assert!(is_sns_host("sns.cn-northwest-1.amazonaws.com.cn"));
    for h in [
        "",
        "sns.",
        "sns.ab.amazonaws.com",
        "sns..amazonaws.com",
        "sns.a.b.amazonaws.com",
        "sns.us-east-1.amazonaws.com.cn.evil",
        "sns.us-east-1.amazonaws.comx",
        "sns.us-east-1.amazonaws.com.c",
        "sns.us east.amazonaws.com",
        "sns.üs-east.amazonaws.com",
        "sns.amazonaws.com.cn",
        "amazonaws.com",
    ] {
        assert!(!is_sns_host(h), "{h}");
    }
}

proptest! {
    #[test]
    fn never_panics(s in ".*") {
        let _ = CertUrlPolicy::aws().allow_host("a:1").allow_http_host("b").check(&s);
        let _ = is_sns_host(&s);
    }

    #[test]
    fn never_panics_on_url_like(s in "(https?|ftp)://[a-zA-Z0-9.:@/?#%\\[\\]\\\\-]{0,60}") {
        let _ = CertUrlPolicy::aws().allow_http_host("localhost:1").check(&s);
    }

    #[test]
    fn accepted_aws_urls_have_sns_hosts(s in "https://[a-z0-9.@:-]{0,40}/[a-z.]{0,10}") {
        if CertUrlPolicy::aws().check(&s).is_ok() {
            let host = url::Url::parse(&s).unwrap().host_str().unwrap().to_owned();
            prop_assert!(is_sns_host(&host));
        }
    }
}

#[test]
fn subscribe_urls_are_visited_only_on_trusted_https_hosts() {
    let aws = CertUrlPolicy::aws();
    let ok = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=x";
    assert!(aws.trusts_https_url(ok));
    assert!(!aws.trusts_https_url("http://sns.us-east-1.amazonaws.com/?x"));
    assert!(!aws.trusts_https_url("https://sns.us-east-1.amazonaws.com:8443/?x"));
    assert!(!aws.trusts_https_url("https://evil.example/?x"));
    assert!(!aws.trusts_https_url("https://sns.us-east-1.amazonaws.com@evil.example/"));
    assert!(!aws.trusts_https_url("https://user@sns.us-east-1.amazonaws.com/"));
    assert!(!aws.trusts_https_url("https://169.254.169.254/latest"));
    assert!(!aws.trusts_https_url("not a url"));
    // Allowed hosts are written as the certificate policy takes them:
    // exactly, with the port when the URL has one.
    let local = CertUrlPolicy::aws()
        .allow_host("sns.internal.test")
        .allow_host("127.0.0.1:8443");
    assert!(local.trusts_https_url("https://sns.internal.test/x"));
    assert!(local.trusts_https_url("https://127.0.0.1:8443/?Action=ConfirmSubscription"));
    assert!(!local.trusts_https_url("https://127.0.0.1:9443/?Action=ConfirmSubscription"));
    assert!(!local.trusts_https_url("https://127.0.0.1/?Action=ConfirmSubscription"));
    assert!(!local.trusts_https_url("http://127.0.0.1:8443/?Action=ConfirmSubscription"));
}
