//! The Deliverability dashboard's calls: stored where SES stores, and the
//! documented deterministic answers where SES measures real mailboxes.

use aws_sdk_sesv2::primitives::DateTime;
use aws_sdk_sesv2::types::{
    Body, Content, DeliverabilityDashboardAccountStatus, DeliverabilityTestStatus,
    DomainDeliverabilityTrackingOption, EmailContent, Message,
};

use crate::common::*;

#[tokio::test]
async fn dashboard_tests_statistics_and_blacklists() {
    let t = start().await;
    let c = t.client();
    let off = c
        .get_deliverability_dashboard_options()
        .send()
        .await
        .unwrap();
    assert!(!off.dashboard_enabled());
    assert_eq!(
        off.account_status(),
        Some(&DeliverabilityDashboardAccountStatus::Disabled)
    );
    let unverified = c
        .put_deliverability_dashboard_option()
        .dashboard_enabled(true)
        .subscribed_domains(
            DomainDeliverabilityTrackingOption::builder()
                .domain("example.com")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        unverified.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    verify_domain(&c).await;
    c.put_deliverability_dashboard_option()
        .dashboard_enabled(true)
        .subscribed_domains(
            DomainDeliverabilityTrackingOption::builder()
                .domain("example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let on = c
        .get_deliverability_dashboard_options()
        .send()
        .await
        .unwrap();
    assert!(on.dashboard_enabled());
    assert_eq!(
        on.active_subscribed_domains()[0].domain(),
        Some("example.com")
    );

    let content = EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data("Placement").build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data("hi").build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build();
    let created = c
        .create_deliverability_test_report()
        .report_name("launch")
        .from_email_address("sender@example.com")
        .content(content)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.deliverability_test_status(),
        &DeliverabilityTestStatus::Completed
    );
    let report = c
        .get_deliverability_test_report()
        .report_id(created.report_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        report.deliverability_test_report().unwrap().subject(),
        Some("Placement")
    );
    assert_eq!(
        report.overall_placement().unwrap().inbox_percentage(),
        Some(100.0)
    );
    let listed = c.list_deliverability_test_reports().send().await.unwrap();
    assert_eq!(listed.deliverability_test_reports().len(), 1);
    let missing = c
        .get_deliverability_test_report()
        .report_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing.into_service_error().meta().code(),
        Some("NotFoundException")
    );

    let now = DateTime::from_secs(1_767_225_600);
    let stats = c
        .get_domain_statistics_report()
        .domain("example.com")
        .start_date(now)
        .end_date(now)
        .send()
        .await
        .unwrap();
    assert!(stats.daily_volumes().is_empty());
    let campaigns = c
        .list_domain_deliverability_campaigns()
        .subscribed_domain("example.com")
        .start_date(now)
        .end_date(now)
        .send()
        .await
        .unwrap();
    assert!(campaigns.domain_deliverability_campaigns().is_empty());
    let blacklists = c
        .get_blacklist_reports()
        .blacklist_item_names("198.51.100.1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        blacklists
            .blacklist_report()
            .get("198.51.100.1")
            .map(Vec::len),
        Some(0)
    );
}
