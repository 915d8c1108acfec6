//! The Deliverability dashboard: its subscription
//! (`Get/PutDeliverabilityDashboardOption(s)`), predictive inbox placement
//! tests (`Create/Get/ListDeliverabilityTestReport(s)`), domain
//! statistics, campaigns and blacklist reports.
//!
//! These describe mail in real mailboxes, which mailsight's simulated
//! delivery has none of, so every answer is deterministic and documented
//! (docs/API.md): a test report is complete at once with every seed in the
//! inbox; statistics count nothing; there are no campaigns; no IP or
//! domain is on a blacklist. The subscription and the reports are stored.

use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::PageRequest;
use super::suppression::parse_time;
use super::tag_set::{self, Tag};
use crate::body::{epoch_seconds, json, list_answer, query_param, query_params};
use crate::error::ApiError;

const DASHBOARD: &str = "deliverability-dashboard";

async fn dashboard(c: &Call<'_>) -> Result<Value, ApiError> {
    Ok(c.store()
        .get_item(c.account(), ItemKind::AccountSetting, DASHBOARD)
        .await?
        .map(|i| i.body)
        .unwrap_or_else(|| json!({ "DashboardEnabled": false, "SubscribedDomains": [] })))
}

pub async fn get_options(c: &Call<'_>) -> Result<Value, ApiError> {
    let d = dashboard(c).await?;
    let enabled = d["DashboardEnabled"].as_bool().unwrap_or(false);
    Ok(json!({
        "DashboardEnabled": enabled,
        "AccountStatus": if enabled { "ACTIVE" } else { "DISABLED" },
        "ActiveSubscribedDomains": d["SubscribedDomains"],
        "PendingExpirationSubscribedDomains": [],
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackedDomain {
    domain: Option<String>,
    #[serde(default)]
    inbox_placement_tracking_option: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OptionsRequest {
    dashboard_enabled: Option<bool>,
    #[serde(default)]
    subscribed_domains: Vec<TrackedDomain>,
}

pub async fn put_option(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: OptionsRequest = json(c.body)?;
    let enabled = req
        .dashboard_enabled
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: DashboardEnabled."))?;
    let now = now_ms();
    let mut domains = Vec::new();
    for d in req.subscribed_domains {
        let domain = d
            .domain
            .ok_or_else(|| ApiError::bad_request("Each SubscribedDomains entry needs a Domain."))?;
        if c.store()
            .get_identity(c.account(), &domain.to_ascii_lowercase())
            .await?
            .is_none()
        {
            return Err(ApiError::not_found(format!(
                "Domain {domain} is not a verified identity."
            )));
        }
        domains.push(json!({
            "Domain": domain,
            "SubscriptionStartDate": epoch_seconds(now),
            "InboxPlacementTrackingOption": d.inbox_placement_tracking_option
                .unwrap_or_else(|| json!({ "Global": true, "TrackedIsps": [] })),
        }));
    }
    let body = json!({ "DashboardEnabled": enabled, "SubscribedDomains": if enabled { domains } else { Vec::new() } });
    c.store()
        .put_item(
            c.account(),
            ItemKind::AccountSetting,
            DASHBOARD,
            body,
            PutMode::Upsert,
            now,
        )
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TestRequest {
    report_name: Option<String>,
    from_email_address: Option<String>,
    content: Option<Value>,
    tags: Option<Vec<Tag>>,
}

/// A predictive inbox placement test: stored, complete at once.
pub async fn create_test_report(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: TestRequest = json(c.body)?;
    let from = req
        .from_email_address
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: FromEmailAddress."))?;
    let content = req
        .content
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Content."))?;
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    let subject = content
        .pointer("/Simple/Subject/Data")
        .cloned()
        .unwrap_or(Value::Null);
    let now = now_ms();
    let id = format!("{:016x}{}", now, uuid::Uuid::new_v4().simple());
    let report = json!({
        "ReportId": id,
        "ReportName": req.report_name,
        "Subject": subject,
        "FromEmailAddress": from,
        "CreateDate": epoch_seconds(now),
        "DeliverabilityTestStatus": "COMPLETED",
        "Tags": tags,
    });
    c.store()
        .put_item(
            c.account(),
            ItemKind::DeliverabilityTestReport,
            &id,
            report,
            PutMode::Create,
            now,
        )
        .await?;
    Ok(json!({ "ReportId": id, "DeliverabilityTestStatus": "COMPLETED" }))
}

fn summary(report: &Value) -> Value {
    let mut s = report.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("Tags");
    }
    s
}

pub async fn get_test_report(c: &Call<'_>) -> Result<Value, ApiError> {
    let id = c.label("ReportId")?;
    let report = c
        .store()
        .get_item(c.account(), ItemKind::DeliverabilityTestReport, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Report {id} does not exist.")))?
        .body;
    Ok(json!({
        "DeliverabilityTestReport": summary(&report),
        "OverallPlacement": {
            "InboxPercentage": 100.0,
            "SpamPercentage": 0.0,
            "MissingPercentage": 0.0,
            "SpfPercentage": 100.0,
            "DkimPercentage": 100.0,
        },
        "IspPlacements": [],
        "Tags": report["Tags"],
    }))
}

pub async fn list_test_reports(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 1000)?;
    let found = c
        .store()
        .list_items(
            c.account(),
            ItemKind::DeliverabilityTestReport,
            "",
            page.after.as_deref(),
            page.limit,
        )
        .await?;
    let items = found.items.iter().map(|i| summary(&i.body)).collect();
    Ok(list_answer(
        "DeliverabilityTestReports",
        items,
        found.next_after,
    ))
}

fn dates(c: &Call<'_>) -> Result<(i64, i64), ApiError> {
    let get = |name: &str| {
        let v = query_param(c.query, name)
            .ok_or_else(|| ApiError::bad_request(format!("Missing required parameter: {name}.")))?;
        parse_time(name, &v)
    };
    let (start, end) = (get("StartDate")?, get("EndDate")?);
    if end < start {
        return Err(ApiError::bad_request("EndDate is before StartDate."));
    }
    Ok((start, end))
}

/// A domain's inbox and spam volumes: none (no real mailbox saw the mail).
pub async fn domain_statistics(c: &Call<'_>) -> Result<Value, ApiError> {
    let _ = c.label("Domain")?;
    dates(c)?;
    Ok(json!({
        "OverallVolume": {
            "VolumeStatistics": {"InboxRawCount": 0, "SpamRawCount": 0, "ProjectedInbox": 0, "ProjectedSpam": 0},
            "ReadRatePercent": 0.0,
            "DomainIspPlacements": [],
        },
        "DailyVolumes": [],
    }))
}

pub async fn list_campaigns(c: &Call<'_>) -> Result<Value, ApiError> {
    let _ = c.label("SubscribedDomain")?;
    dates(c)?;
    PageRequest::from_query(c.query, 100, 1000)?;
    Ok(list_answer(
        "DomainDeliverabilityCampaigns",
        Vec::new(),
        None,
    ))
}

pub async fn get_campaign(c: &Call<'_>) -> Result<Value, ApiError> {
    let id = c.label("CampaignId")?;
    Err(ApiError::not_found(format!(
        "Campaign {id} does not exist."
    )))
}

/// Every name asked about, on no blacklist.
pub async fn blacklist_reports(c: &Call<'_>) -> Result<Value, ApiError> {
    let names = query_params(c.query, "BlacklistItemNames");
    if names.is_empty() {
        return Err(ApiError::bad_request(
            "Missing required parameter: BlacklistItemNames.",
        ));
    }
    let report: serde_json::Map<String, Value> =
        names.into_iter().map(|n| (n, json!([]))).collect();
    Ok(json!({ "BlacklistReport": report }))
}
