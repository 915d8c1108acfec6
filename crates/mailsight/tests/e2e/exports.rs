//! Export jobs through the real SDK: a message insights export holds
//! exactly the rows worked out here from what the test sent, and survives
//! a restart mid-job; filters, JSON, metrics exports, listing, cancelling
//! and the download link behave as SES documents them.

use std::time::{Duration, Instant};

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::primitives::DateTime;
use aws_sdk_sesv2::types::{
    DataFormat, DeliveryEventType, ExportDataSource, ExportDestination, ExportMetric,
    ExportSourceType, JobStatus, MessageInsightsDataSource, MessageInsightsFilters,
    MetricAggregation, MetricDimensionName, MetricNamespace, MetricsDataSource,
};
use mailsight_model::now_ms;

use crate::common::*;

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";
const COMPLAINT: &str = "complaint@simulator.amazonses.com";

/// Sends one message per entry, waits for each lifecycle to finish, and
/// returns the rows an export of them must hold:
/// `(message_id, destination, last delivery event)`, sorted.
async fn send_all(c: &Client, sends: &[(&[&str], usize)]) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for (i, (recipients, events)) in sends.iter().enumerate() {
        let id = c
            .send_email()
            .from_email_address("sender@example.com")
            .destination(to(recipients))
            .content(simple(&format!("Export {i}")))
            .send()
            .await
            .unwrap()
            .message_id
            .unwrap();
        insights_with_events(c, &id, *events).await;
        for r in *recipients {
            let last = match *r {
                SUCCESS => "DELIVERY",
                BOUNCE => "PERMANENT_BOUNCE",
                COMPLAINT => "COMPLAINT",
                other => panic!("no expectation for {other}"),
            };
            rows.push((id.clone(), (*r).to_owned(), last.to_owned()));
        }
    }
    rows.sort();
    rows
}

fn insights_source(
    filters: Option<(MessageInsightsFilters, MessageInsightsFilters)>,
) -> ExportDataSource {
    let now = now_ms() / 1000;
    let mut s = MessageInsightsDataSource::builder()
        .start_date(DateTime::from_secs(now - 3600))
        .end_date(DateTime::from_secs(now + 3600));
    if let Some((include, exclude)) = filters {
        s = s.include(include).exclude(exclude);
    }
    ExportDataSource::builder()
        .message_insights_data_source(s.build().unwrap())
        .build()
}

async fn create(c: &Client, source: ExportDataSource, format: DataFormat) -> String {
    c.create_export_job()
        .export_data_source(source)
        .export_destination(
            ExportDestination::builder()
                .data_format(format)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .job_id
        .unwrap()
}

/// Waits until the job reaches `status`; returns the job.
async fn until(
    c: &Client,
    job: &str,
    status: JobStatus,
) -> aws_sdk_sesv2::operation::get_export_job::GetExportJobOutput {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = c.get_export_job().job_id(job).send().await.unwrap();
        if out.job_status() == Some(&status) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "the job never became {status:?}: {out:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The file at the job's `S3Url`.
async fn download(out: &aws_sdk_sesv2::operation::get_export_job::GetExportJobOutput) -> String {
    let url = out
        .export_destination()
        .and_then(|d| d.s3_url())
        .expect("a completed job has an S3Url");
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    resp.text().await.unwrap()
}

/// `(message_id, destination, last_delivery_event)` of each CSV row.
fn csv_rows(text: &str) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "message_id",
            "sent_at",
            "from_email_address",
            "subject",
            "tenant_name",
            "destination",
            "isp",
            "last_delivery_event",
            "last_engagement_event"
        ]
    );
    let mut rows: Vec<(String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[2], "sender@example.com");
            assert!(r[3].starts_with("Export "), "{r:?}");
            (r[0].to_owned(), r[5].to_owned(), r[7].to_owned())
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_message_insights_export_holds_what_was_sent_and_survives_a_restart() {
    // A slow pace, so the job is still running when the server stops.
    let mut t = start_with(|c| c.exports.rows_per_second = 2).await;
    let c = t.client();
    verify_domain(&c).await;
    let expected = send_all(
        &c,
        &[
            (&[SUCCESS], 2),
            (&[SUCCESS], 2),
            (&[BOUNCE], 2),
            (&[COMPLAINT], 3),
            (&[SUCCESS, BOUNCE], 2),
        ],
    )
    .await;
    let job = create(&c, insights_source(None), DataFormat::Csv).await;
    let running = until(&c, &job, JobStatus::Processing).await;
    assert!(
        running.export_destination().unwrap().s3_url().is_none(),
        "no link before the file is complete"
    );

    t.config.exports.rows_per_second = 0;
    let t = t.restart().await;
    let c = t.client();
    let done = until(&c, &job, JobStatus::Completed).await;
    assert_eq!(
        done.export_source_type(),
        Some(&ExportSourceType::MessageInsights)
    );
    let stats = done.statistics().unwrap();
    assert_eq!(stats.exported_records_count(), Some(expected.len() as i32));
    assert_eq!(stats.processed_records_count(), Some(expected.len() as i32));
    assert!(done.completed_timestamp().is_some());
    assert_eq!(csv_rows(&download(&done).await), expected);

    // A forged or altered link is refused in S3's shape.
    let url = done
        .export_destination()
        .unwrap()
        .s3_url()
        .unwrap()
        .to_owned();
    let forged = format!("{}x", url);
    let resp = reqwest::get(&forged).await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>")
    );
}

#[tokio::test]
async fn filters_json_listing_and_cancelling() {
    let t = start_with(|c| c.exports.rows_per_second = 1).await;
    let c = t.client();
    verify_domain(&c).await;
    let expected = send_all(
        &c,
        &[
            (&[SUCCESS], 2),
            (&[BOUNCE], 2),
            (&[COMPLAINT], 3),
            (&[SUCCESS], 2),
        ],
    )
    .await;

    // Include deliveries and complaints, exclude complaints: deliveries.
    let include = MessageInsightsFilters::builder()
        .last_delivery_event(DeliveryEventType::Delivery)
        .last_delivery_event(DeliveryEventType::Complaint)
        .build();
    let exclude = MessageInsightsFilters::builder()
        .last_delivery_event(DeliveryEventType::Complaint)
        .build();
    // The slow one, cancelled while it runs.
    let slow = create(&c, insights_source(None), DataFormat::Csv).await;
    until(&c, &slow, JobStatus::Processing).await;
    c.cancel_export_job().job_id(&slow).send().await.unwrap();
    let cancelled = until(&c, &slow, JobStatus::Cancelled).await;
    assert!(cancelled.export_destination().unwrap().s3_url().is_none());
    let again = c
        .cancel_export_job()
        .job_id(&slow)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        again.into_service_error().meta().code(),
        Some("BadRequestException")
    );

    let filtered = create(
        &c,
        insights_source(Some((include, exclude))),
        DataFormat::Json,
    )
    .await;
    let done = until(&c, &filtered, JobStatus::Completed).await;
    let text = download(&done).await;
    let mut got: Vec<(String, String, String)> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["message_id"].as_str().unwrap().to_owned(),
                v["destination"].as_str().unwrap().to_owned(),
                v["last_delivery_event"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<_> = expected
        .into_iter()
        .filter(|(_, _, last)| last == "DELIVERY")
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        done.statistics().unwrap().processed_records_count(),
        Some(4),
        "every recipient was read, two were exported"
    );

    // Newest first, one per page, filtered by status.
    let first = c.list_export_jobs().page_size(1).send().await.unwrap();
    let ids: Vec<&str> = first
        .export_jobs()
        .iter()
        .filter_map(|j| j.job_id())
        .collect();
    assert_eq!(ids, [filtered.as_str()]);
    let second = c
        .list_export_jobs()
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = second
        .export_jobs()
        .iter()
        .filter_map(|j| j.job_id())
        .collect();
    assert_eq!(ids, [slow.as_str()]);
    assert!(second.next_token().is_none());
    let only_cancelled = c
        .list_export_jobs()
        .job_status(JobStatus::Cancelled)
        .send()
        .await
        .unwrap();
    assert_eq!(only_cancelled.export_jobs().len(), 1);

    // What SES refuses.
    let bad = c
        .create_export_job()
        .export_data_source(
            ExportDataSource::builder()
                .message_insights_data_source(
                    MessageInsightsDataSource::builder()
                        .start_date(DateTime::from_secs(200))
                        .end_date(DateTime::from_secs(100))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .export_destination(
            ExportDestination::builder()
                .data_format(DataFormat::Csv)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        bad.into_service_error().meta().code(),
        Some("BadRequestException")
    );
    let missing = c
        .get_export_job()
        .job_id("no-such-job")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}

#[tokio::test]
async fn a_metrics_export_counts_what_was_sent_per_isp_and_day() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    send_all(
        &c,
        &[
            (&[SUCCESS], 2),
            (&[SUCCESS], 2),
            (&[SUCCESS], 2),
            (&[BOUNCE], 2),
            (&[COMPLAINT], 3),
        ],
    )
    .await;
    let today = now_ms() / 1000 / 86_400 * 86_400;
    let metric = |name, aggregation| {
        ExportMetric::builder()
            .name(name)
            .aggregation(aggregation)
            .build()
    };
    let source = MetricsDataSource::builder()
        .dimensions(MetricDimensionName::Isp, vec!["*".to_owned()])
        .namespace(MetricNamespace::Vdm)
        .metrics(metric(
            aws_sdk_sesv2::types::Metric::Send,
            MetricAggregation::Volume,
        ))
        .metrics(metric(
            aws_sdk_sesv2::types::Metric::Delivery,
            MetricAggregation::Volume,
        ))
        .metrics(metric(
            aws_sdk_sesv2::types::Metric::PermanentBounce,
            MetricAggregation::Rate,
        ))
        .start_date(DateTime::from_secs(today))
        .end_date(DateTime::from_secs(today + 86_400))
        .build()
        .unwrap();
    let job = create(
        &c,
        ExportDataSource::builder()
            .metrics_data_source(source)
            .build(),
        DataFormat::Csv,
    )
    .await;
    let done = until(&c, &job, JobStatus::Completed).await;
    assert_eq!(
        done.export_source_type(),
        Some(&ExportSourceType::MetricsData)
    );
    let day = mailsight_engine::exports::metrics::day(today * 1000);
    assert_eq!(
        download(&done).await,
        format!(
            "date,isp,send_volume,delivery_volume,permanent_bounce_rate\n\
             {day},Amazon SES Mailbox Simulator,5,4,0.2\n"
        ),
        "3 successes and a complaint delivered, 1 bounce in 5 sends"
    );
    assert_eq!(done.statistics().unwrap().exported_records_count(), Some(1));
}
