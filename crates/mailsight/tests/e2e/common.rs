//! Starting servers and building clients for the end-to-end tests.

use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sesv2::operation::get_message_insights::GetMessageInsightsOutput;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use mailsight::{Config, Running};
use mailsight_store::conformance::postgres_db::TestDatabase;
use tempfile::TempDir;

/// A running server with its own data directory (and, when the suite runs
/// on PostgreSQL, its own database).
pub struct TestServer {
    pub server: Running,
    pub dir: TempDir,
    pub config: Config,
    pub db: Option<TestDatabase>,
}

/// Whether the suite runs on PostgreSQL: `MAILSIGHT_E2E_STORE=postgres`
/// gives every server a database of its own on the server
/// `MAILSIGHT_TEST_POSTGRES` names (dropped at the test's end); unset, each
/// keeps SQLite in its data directory.
fn on_postgres() -> bool {
    std::env::var("MAILSIGHT_E2E_STORE").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// Fast simulated timings, so lifecycles finish in well under a second.
pub fn test_config(dir: &TempDir) -> Config {
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    config.simulator.timing.delivery_ms = 20;
    config.simulator.timing.complaint_ms = 20;
    config.simulator.timing.delay_ms = 10;
    config.simulator.timing.delay_resolves_ms = 40;
    config
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    let db = if on_postgres() {
        let db = TestDatabase::create().await;
        config.store.url = Some(db.url.clone());
        Some(db)
    } else {
        None
    };
    tweak(&mut config);
    let server = Running::start(config.clone()).await.unwrap();
    TestServer {
        server,
        dir,
        config,
        db,
    }
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

impl TestServer {
    /// The arguments that point a CLI command (`import`, `deliveries`,
    /// `messages`, ...) at this server's data: its data directory, and its
    /// database when the suite runs on PostgreSQL.
    pub fn store_args(&self) -> Vec<std::ffi::OsString> {
        let mut args = vec!["--data-dir".into(), self.dir.path().as_os_str().to_owned()];
        if let Some(url) = &self.config.store.url {
            args.push("--database".into());
            args.push(url.into());
        }
        args
    }

    pub fn client(&self) -> Client {
        client_for(&self.server.url(), "AKIDEXAMPLE", "secret")
    }

    /// Stops the server and starts it again on the same data directory.
    pub async fn restart(self) -> TestServer {
        let TestServer {
            server,
            dir,
            config,
            db,
        } = self;
        server.stop().await.unwrap();
        let server = Running::start(config.clone()).await.unwrap();
        TestServer {
            server,
            dir,
            config,
            db,
        }
    }
}

pub fn client_for(url: &str, key: &str, secret: &str) -> Client {
    let conf = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .build();
    Client::from_conf(conf)
}

/// A simple text message.
pub fn simple(subject: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data(subject).build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data("Hello").build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build()
}

/// Simple content with an HTML body (and a short text one).
pub fn simple_html(subject: &str, html: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data(subject).build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data("Hello").build().unwrap())
                        .html(Content::builder().data(html).build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build()
}

pub fn to(addresses: &[&str]) -> Destination {
    Destination::builder()
        .set_to_addresses(Some(addresses.iter().map(|a| a.to_string()).collect()))
        .build()
}

/// Creates the identity `example.com`, so its addresses may send.
pub async fn verify_domain(client: &Client) {
    client
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
}

/// Sends a simple message from `sender@example.com`.
pub async fn send_to(client: &Client, recipients: &[&str]) -> String {
    client
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(recipients))
        .content(simple("Hi"))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap()
}

/// Event types per destination, as insights show them.
pub fn types_by_recipient(out: &GetMessageInsightsOutput) -> Vec<(String, Vec<String>)> {
    out.insights()
        .iter()
        .map(|i| {
            (
                i.destination().unwrap_or_default().to_owned(),
                i.events()
                    .iter()
                    .map(|e| e.r#type().unwrap().as_str().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Polls insights until `done` holds (or fails after a few seconds).
pub async fn insights_until(
    client: &Client,
    id: &str,
    done: impl Fn(&GetMessageInsightsOutput) -> bool,
) -> GetMessageInsightsOutput {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = client
            .get_message_insights()
            .message_id(id)
            .send()
            .await
            .unwrap();
        if done(&out) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "insights never reached the expected state: {out:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every recipient has `n` events.
pub async fn insights_with_events(client: &Client, id: &str, n: usize) -> GetMessageInsightsOutput {
    insights_until(client, id, |o| {
        o.insights().iter().all(|i| i.events().len() >= n)
    })
    .await
}

/// Sends a raw HTTP request signed with the official SigV4 signer, for SES.
pub async fn signed(
    url: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    secret: &str,
    time: SystemTime,
) -> reqwest::Response {
    let request = Signing {
        service: "ses",
        content_type: "application/json",
        secret,
        time,
    };
    signed_as(url, method, path_and_query, body, request).await
}

/// How [`signed_as`] signs.
pub struct Signing<'a> {
    pub service: &'a str,
    pub content_type: &'a str,
    pub secret: &'a str,
    pub time: SystemTime,
}

/// Sends a raw HTTP request signed for any service and content type.
pub async fn signed_as(
    url: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signing: Signing<'_>,
) -> reqwest::Response {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let Signing {
        service,
        content_type,
        secret,
        time,
    } = signing;
    let full = format!("{url}{path_and_query}");
    let host = url.trim_start_matches("http://").to_owned();
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let signable = SignableRequest::new(
        method,
        &full,
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut request = http::Request::builder().method(method).uri(&full);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let mut request = request.body(body.to_vec()).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    let client = reqwest::Client::new();
    let mut out = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        request.uri().to_string(),
    );
    for (k, v) in request.headers() {
        if k != "host" {
            out = out.header(k.as_str(), v.to_str().unwrap());
        }
    }
    out.body(request.into_body()).send().await.unwrap()
}

/// One query-protocol request (SNS, SES v1): `Version` and `params`
/// form-encoded, POSTed to `/` and signed for `service` with the official
/// signer; returns the status and the XML body.
pub async fn query_as(
    url: &str,
    service: &str,
    version: &str,
    params: &[(&str, &str)],
) -> (u16, String) {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("Version", version);
    for (k, v) in params {
        form.append_pair(k, v);
    }
    let body = form.finish().into_bytes();
    let signing = Signing {
        service,
        content_type: "application/x-www-form-urlencoded; charset=utf-8",
        secret: "secret",
        time: SystemTime::now(),
    };
    let resp = signed_as(url, "POST", "/", &body, signing).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The text of the first `<name>` element of an XML answer (entities
/// decoded).
pub fn xml_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The text of every `<name>` element, in order.
pub fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(v) = xml_text(rest, name) {
        out.push(v);
        let at = rest.find(&format!("</{name}>")).unwrap() + name.len() + 3;
        rest = &rest[at..];
    }
    out
}

/// Checks the AWS error shape of a raw response and returns its JSON body.
pub async fn expect_error(resp: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    assert_eq!(
        resp.headers()
            .get("x-amzn-ErrorType")
            .unwrap()
            .to_str()
            .unwrap(),
        code
    );
    assert!(
        resp.headers().get("x-amzn-RequestId").is_some(),
        "request id header"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["__type"], code);
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message: {body}"
    );
    body
}

/// Sends a simple message from `sender@example.com`, with a configuration set or none.
pub async fn send_with_set(
    c: &aws_sdk_sesv2::Client,
    to_address: &str,
    set: Option<&str>,
) -> String {
    c.send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[to_address]))
        .content(simple("Routed"))
        .set_configuration_set_name(set.map(str::to_owned))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap()
}

/// Quick retries, so tests of failing receivers finish fast.
pub fn fast_retries(c: &mut Config) {
    c.delivery.initial_backoff_ms = 50;
    c.delivery.max_backoff_ms = 200;
    c.delivery.timeout_ms = 2_000;
}

/// The scrape token test servers with keys may set (`metrics.scrape_token`).
pub const SCRAPE_TOKEN: &str = "scrape-test-token";

/// GETs a monitoring endpoint (`/metrics`, `/_mailsight/ingest`) with the
/// scrape token, which servers without keys ignore.
pub async fn scrape(t: &TestServer, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(format!("{}{path}", t.server.url()))
        .bearer_auth(SCRAPE_TOKEN);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

/// Two access keys, `AKIDEXAMPLE`/`secret` for account 111122223333 and
/// `AKIDOTHER`/`other-secret` for 444455556666.
pub fn with_two_accounts(c: &mut mailsight::Config) {
    c.auth.keys = vec![
        mailsight_api::AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            account_id: "111122223333".into(),
        },
        mailsight_api::AccessKey {
            access_key_id: "AKIDOTHER".into(),
            secret_access_key: "other-secret".into(),
            account_id: "444455556666".into(),
        },
    ];
}

/// A simulator rule: mail to addresses matching `pattern` bounces hard, as
/// to a user the receiving server does not know (Permanent, General, 5.1.1).
pub fn hard_bounce(pattern: &str) -> mailsight_engine::Rule {
    mailsight_engine::Rule {
        pattern: pattern.into(),
        outcome: mailsight_engine::RuleOutcome::Bounce {
            bounce_type: "Permanent".into(),
            bounce_sub_type: "General".into(),
            status: "5.1.1".into(),
            diagnostic_code: "smtp; 550 5.1.1 user unknown".into(),
        },
    }
}
