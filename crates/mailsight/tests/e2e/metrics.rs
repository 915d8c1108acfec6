//! `/metrics` as an operator's scrape target, read back with a real
//! parser in both formats, and who may read it; `/health`.

use std::time::{Duration, Instant, SystemTime};

use mailsight_api::AccessKey;
use mailsight_engine::outbox::{Format, ForwarderConfig};
use prometheus_parse::{Scrape, Value as Sampled};
use serde_json::{Value, json};

use crate::common::*;
use crate::receiver::Receiver;

const FIREHOSE_KEY: &str = "metrics-firehose-key";
const OPENMETRICS: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

/// The value of the one sample named `metric` with these labels (and
/// maybe others); for a histogram, its `+Inf` bucket.
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<f64> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Sampled::Counter(v) | Sampled::Gauge(v) | Sampled::Untyped(v) => *v,
            Sampled::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map(|b| b.count)
                .unwrap_or(f64::NAN),
            Sampled::Summary(_) => f64::NAN,
        })
        .collect();
    assert!(
        found.len() <= 1,
        "{metric}{labels:?} is ambiguous: {found:?}"
    );
    found.first().copied()
}

/// The OpenMetrics rules the lenient parser does not check: one block per
/// family, sample names the family's type allows, counters' families
/// without `_total`, and the closing `# EOF`.
fn check_openmetrics(text: &str) {
    assert!(text.ends_with("\n# EOF\n"), "no closing # EOF");
    let mut families: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line == "# EOF" {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                !families.iter().any(|(n, _)| n == name),
                "family {name} declared twice"
            );
            if kind == "counter" {
                assert!(!name.ends_with("_total"), "counter family {name}");
            }
            families.push((name.to_owned(), kind.to_owned()));
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name = line.split(['{', ' ']).next().unwrap();
        let (family, kind) = families.last().expect("a sample before any TYPE");
        let suffixes: &[&str] = match kind.as_str() {
            "counter" => &["_total", "_created"],
            "gauge" => &[""],
            "histogram" => &["_bucket", "_sum", "_count", "_created"],
            "info" => &["_info"],
            other => panic!("unexpected type {other}"),
        };
        assert!(
            suffixes.iter().any(|s| name == format!("{family}{s}")),
            "sample {name} outside its family {family} ({kind})"
        );
    }
}

fn record(kind: &str, id: &str) -> String {
    let mail = json!({
        "timestamp": "2024-05-01T10:00:00.000Z", "messageId": id,
        "source": "sender@example.com", "destination": ["x@example.com"],
    });
    match kind {
        "Delivery" => json!({"eventType": "Delivery", "mail": mail, "delivery": {
            "timestamp": "2024-05-01T10:00:01.000Z", "recipients": ["x@example.com"],
            "processingTimeMillis": 1000, "smtpResponse": "250 ok"}}),
        _ => json!({"eventType": "Open", "mail": mail, "open": {
            "timestamp": "2024-05-01T10:05:00.000Z", "ipAddress": "192.0.2.1",
            "userAgent": "Mozilla/5.0"}}),
    }
    .to_string()
        + "\n"
}

async fn metrics_text(t: &TestServer, accept: Option<&str>) -> (String, String) {
    let resp = scrape(t, "/metrics", accept).await;
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    (content_type, resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_outbox_and_ingest_in_both_formats() {
    let refusing = Receiver::start().await;
    refusing.answer(503);
    let url = refusing.url.clone();
    let t = start_with(move |c| {
        c.ingest.firehose.access_keys = vec![FIREHOSE_KEY.into()];
        c.forwarders = vec![ForwarderConfig {
            name: "refuser".into(),
            url: Some(url),
            nats: None,
            format: Format::Ses,
            event_types: vec![mailsight_model::EventType::Send],
            configuration_sets: vec![],
            secret: None,
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    send_to(&c, &["a@example.com"]).await;
    send_to(&c, &["b@example.com"]).await;

    // Two records, then the same two again (a Firehose retry).
    let records = vec![record("Delivery", "ing-1"), record("Open", "ing-1")];
    for _ in 0..2 {
        let resp = crate::ingest::post_firehose(&t, &records, FIREHOSE_KEY, false).await;
        assert_eq!(resp.status(), 200);
    }
    let resp = crate::ingest::post_firehose(&t, &records, "wrong", false).await;
    assert_eq!(resp.status(), 401);

    // The refusing forwarder has been tried at least once.
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let (_, text) = metrics_text(&t, None).await;
        let s = parse(&text);
        if value(
            &s,
            "mailsight_outbox_attempts_total",
            &[("outcome", "retry")],
        ) >= Some(1.0)
        {
            break text;
        }
        assert!(Instant::now() < deadline, "no retry counted:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let s = parse(&text);
    let send = [
        ("protocol", "SES v2"),
        ("operation", "SendEmail"),
        ("status", "200"),
    ];
    assert_eq!(value(&s, "mailsight_requests_total", &send), Some(2.0));
    assert_eq!(
        value(
            &s,
            "mailsight_requests_total",
            &[("operation", "CreateEmailIdentity"), ("status", "200")]
        ),
        Some(1.0)
    );
    let send_latency = [("protocol", "SES v2"), ("operation", "SendEmail")];
    assert_eq!(
        value(&s, "mailsight_request_duration_seconds", &send_latency),
        Some(2.0),
        "two observations in the +Inf bucket"
    );
    assert_eq!(
        value(
            &s,
            "mailsight_request_duration_seconds_count",
            &send_latency
        ),
        Some(2.0)
    );
    let firehose = [
        ("protocol", "ingest"),
        ("operation", "firehose"),
        ("status", "200"),
    ];
    assert_eq!(value(&s, "mailsight_requests_total", &firehose), Some(2.0));
    assert_eq!(
        value(
            &s,
            "mailsight_requests_total",
            &[("operation", "firehose"), ("status", "401")]
        ),
        Some(1.0)
    );

    let refuser = [("target", "forwarder:refuser")];
    assert_eq!(
        value(&s, "mailsight_outbox_pending", &refuser),
        Some(2.0),
        "both sends wait for the refusing forwarder"
    );
    let age = value(&s, "mailsight_outbox_oldest_pending_age_seconds", &refuser).unwrap();
    assert!((0.0..60.0).contains(&age), "{age}");
    assert_eq!(
        value(
            &s,
            "mailsight_outbox_attempts_total",
            &[("outcome", "delivered")]
        ),
        Some(0.0)
    );

    let ingest = |outcome| [("endpoint", "firehose"), ("outcome", outcome)];
    assert_eq!(
        value(&s, "mailsight_ingest_records_total", &ingest("stored")),
        Some(2.0)
    );
    assert_eq!(
        value(&s, "mailsight_ingest_records_total", &ingest("duplicate")),
        Some(2.0)
    );
    assert_eq!(
        value(&s, "mailsight_ingest_records_total", &ingest("rejected")),
        Some(0.0)
    );
    assert_eq!(
        value(
            &s,
            "mailsight_ingest_refused_requests_total",
            &[("endpoint", "firehose")]
        ),
        Some(1.0)
    );

    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        value(&s, "mailsight_build_info", &[("version", version)]),
        Some(1.0)
    );
    assert!(value(&s, "mailsight_database_size_bytes", &[]).unwrap() > 0.0);
    let lag = value(&s, "mailsight_scheduler_lag_seconds", &[]).unwrap();
    assert!((0.0..60.0).contains(&lag), "{lag}");
    let started = value(&s, "process_start_time_seconds", &[]).unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(started <= now && started > now - 600.0, "{started}");
    assert!(text.contains("# TYPE mailsight_requests_total counter\n"));

    // OpenMetrics: the same numbers, its own names and rules.
    let (content_type, om) = metrics_text(&t, Some(OPENMETRICS)).await;
    assert!(
        content_type.starts_with("application/openmetrics-text; version=1.0.0"),
        "{content_type}"
    );
    check_openmetrics(&om);
    assert!(om.contains("# TYPE mailsight_requests counter\n"));
    assert!(om.contains("# TYPE mailsight_build info\n"));
    let o = parse(&om);
    assert!(value(&o, "mailsight_requests_total", &send) >= Some(2.0));
    assert_eq!(value(&o, "mailsight_outbox_pending", &refuser), Some(2.0));
    assert_eq!(
        value(&o, "mailsight_ingest_records_total", &ingest("duplicate")),
        Some(2.0)
    );
    assert_eq!(
        value(&o, "mailsight_build_info", &[("version", version)]),
        Some(1.0)
    );
    // Scrapes are counted by nobody: /metrics is not an AWS operation.
    assert_eq!(
        value(&o, "mailsight_requests_total", &[("operation", "unknown")]),
        None
    );
}

#[tokio::test]
async fn cloudwatch_counters_end_in_total_and_survive_a_restart() {
    use aws_sdk_sesv2::types::{
        CloudWatchDestination, CloudWatchDimensionConfiguration, DimensionValueSource,
        EventDestinationDefinition, EventType,
    };
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("cw")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Send)
                .cloud_watch_destination(
                    CloudWatchDestination::builder()
                        .dimension_configurations(
                            CloudWatchDimensionConfiguration::builder()
                                .dimension_name("X-Team")
                                .dimension_value_source(DimensionValueSource::EmailHeader)
                                .default_dimension_value("none")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    send_with_set(&c, "a@example.com", Some("cs")).await;
    let labels = [("X_Team", "none"), ("ses_destination", "cs/cw")];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = metrics_text(&t, None).await;
        if value(&parse(&text), "aws_ses_Send_total", &labels) == Some(1.0) {
            assert!(
                text.contains("# TYPE aws_ses_Send_total counter\n"),
                "{text}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "never counted:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, om) = metrics_text(&t, Some(OPENMETRICS)).await;
    check_openmetrics(&om);
    assert!(om.contains("# TYPE aws_ses_Send counter\n"), "{om}");
    assert_eq!(value(&parse(&om), "aws_ses_Send_total", &labels), Some(1.0));

    // A restart goes on from the count, not from zero.
    let t = t.restart().await;
    let (_, text) = metrics_text(&t, None).await;
    assert_eq!(
        value(&parse(&text), "aws_ses_Send_total", &labels),
        Some(1.0),
        "{text}"
    );
    send_with_set(&t.client(), "b@example.com", Some("cs")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = metrics_text(&t, None).await;
        if value(&parse(&text), "aws_ses_Send_total", &labels) == Some(2.0) {
            break;
        }
        assert!(Instant::now() < deadline, "never counted on:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// SES's auto-tags are dimension names, as SES's guide uses them: a
/// destination on `ses:from-domain` is accepted, returned as given, and
/// counts each event under the sender's domain (the label's `:` made `_`,
/// which Prometheus requires).
#[tokio::test]
async fn an_auto_tag_is_a_cloudwatch_dimension() {
    use aws_sdk_sesv2::types::{
        CloudWatchDestination, CloudWatchDimensionConfiguration, DimensionValueSource,
        EventDestinationDefinition, EventType,
    };
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("by-domain")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Send)
                .cloud_watch_destination(
                    CloudWatchDestination::builder()
                        .dimension_configurations(
                            CloudWatchDimensionConfiguration::builder()
                                .dimension_name("ses:from-domain")
                                .dimension_value_source(DimensionValueSource::MessageTag)
                                .default_dimension_value("unknown")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .expect("SES accepts an auto-tag as a dimension name");
    let got = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    let dims = got.event_destinations()[0]
        .cloud_watch_destination()
        .unwrap()
        .dimension_configurations();
    assert_eq!(dims[0].dimension_name(), "ses:from-domain");

    send_with_set(&c, "a@example.net", Some("cs")).await;
    let labels = [
        ("ses_from_domain", "example.com"),
        ("ses_destination", "cs/by-domain"),
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = metrics_text(&t, None).await;
        if value(&parse(&text), "aws_ses_Send_total", &labels) == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "never counted:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn expect_refused(resp: reqwest::Response) {
    assert_eq!(resp.status(), 403);
    assert!(resp.headers().get("x-amzn-ErrorType").is_some());
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn with_keys_monitoring_needs_a_signature_or_the_scrape_token() {
    let t = start_with(|c| {
        c.auth.keys = vec![AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            account_id: "111122223333".into(),
        }];
        c.metrics.scrape_token = Some(SCRAPE_TOKEN.into());
    })
    .await;
    let url = t.server.url();
    let http = reqwest::Client::new();
    for path in ["/metrics", "/_mailsight/ingest"] {
        let resp = http.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(
            resp.headers()["x-amzn-ErrorType"],
            "AccessDeniedException",
            "{path}"
        );
        expect_refused(resp).await;
        let wrong = http
            .get(format!("{url}{path}"))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap();
        expect_refused(wrong).await;
        let resp = scrape(&t, path, None).await;
        assert_eq!(resp.status(), 200, "{path} with the scrape token");
        let resp = signed(&url, "GET", path, b"", "secret", SystemTime::now()).await;
        assert_eq!(resp.status(), 200, "{path} signed");
        let resp = signed(&url, "GET", path, b"", "wrong-secret", SystemTime::now()).await;
        expect_refused(resp).await;
    }
    let text = scrape(&t, "/metrics", None).await.text().await.unwrap();
    assert!(value(&parse(&text), "mailsight_build_info", &[]).is_some());

    // Load balancers probe /health without credentials.
    let resp = http.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn with_keys_and_no_token_a_bearer_is_refused() {
    let t = start_with(|c| {
        c.auth.keys = vec![AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            account_id: "111122223333".into(),
        }];
    })
    .await;
    expect_refused(scrape(&t, "/metrics", None).await).await;
    let resp = signed(
        &t.server.url(),
        "GET",
        "/metrics",
        b"",
        "secret",
        SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn without_keys_metrics_and_health_are_open() {
    let t = start().await;
    let url = t.server.url();
    let resp = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let resp = reqwest::get(format!("{url}/health")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "ok");
}
