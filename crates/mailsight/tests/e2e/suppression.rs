//! The account-level suppression list through the SDK: put, get, list with
//! reason and date filters and paging, delete, and the account's
//! suppression attributes as GetAccount shows them.

use std::time::{Duration, SystemTime};

use aws_sdk_sesv2::primitives::DateTime;
use aws_sdk_sesv2::types::SuppressionListReason as Reason;

use crate::common::*;

async fn put(c: &aws_sdk_sesv2::Client, email: &str, reason: Reason) {
    c.put_suppressed_destination()
        .email_address(email)
        .reason(reason)
        .send()
        .await
        .unwrap();
}

async fn listed(
    c: &aws_sdk_sesv2::Client,
    reasons: &[Reason],
    start: Option<DateTime>,
    end: Option<DateTime>,
) -> Vec<String> {
    let out = c
        .list_suppressed_destinations()
        .set_reasons((!reasons.is_empty()).then(|| reasons.to_vec()))
        .set_start_date(start)
        .set_end_date(end)
        .send()
        .await
        .unwrap();
    out.suppressed_destination_summaries()
        .iter()
        .map(|s| s.email_address().to_owned())
        .collect()
}

#[tokio::test]
async fn suppression_list_lifecycle() {
    let t = start().await;
    let c = t.client();
    put(&c, "a@example.com", Reason::Bounce).await;
    put(&c, "B@example.com", Reason::Complaint).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let middle = DateTime::from(SystemTime::now());
    tokio::time::sleep(Duration::from_millis(50)).await;
    put(&c, "c@example.com", Reason::Bounce).await;

    let got = c
        .get_suppressed_destination()
        .email_address("b@example.com")
        .send()
        .await
        .unwrap();
    let d = got.suppressed_destination().unwrap();
    assert_eq!(d.email_address(), "B@example.com");
    assert_eq!(d.reason(), &Reason::Complaint);
    assert!(d.last_update_time().secs() > 1_600_000_000);

    assert_eq!(
        listed(&c, &[], None, None).await,
        ["a@example.com", "B@example.com", "c@example.com"]
    );
    assert_eq!(
        listed(&c, &[Reason::Bounce], None, None).await,
        ["a@example.com", "c@example.com"]
    );
    assert_eq!(
        listed(&c, &[Reason::Bounce, Reason::Complaint], None, None).await,
        ["a@example.com", "B@example.com", "c@example.com"]
    );
    assert_eq!(listed(&c, &[], Some(middle), None).await, ["c@example.com"]);
    assert_eq!(
        listed(&c, &[], None, Some(middle)).await,
        ["a@example.com", "B@example.com"]
    );

    // Paging while filtering: one bounce per page.
    let first = c
        .list_suppressed_destinations()
        .reasons(Reason::Bounce)
        .page_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.suppressed_destination_summaries()[0].email_address(),
        "a@example.com"
    );
    let second = c
        .list_suppressed_destinations()
        .reasons(Reason::Bounce)
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.suppressed_destination_summaries()[0].email_address(),
        "c@example.com"
    );

    // Putting again updates the reason.
    put(&c, "a@example.com", Reason::Complaint).await;
    assert_eq!(
        listed(&c, &[Reason::Complaint], None, None).await,
        ["a@example.com", "B@example.com"]
    );

    c.delete_suppressed_destination()
        .email_address("a@example.com")
        .send()
        .await
        .unwrap();
    for err in [
        c.get_suppressed_destination()
            .email_address("a@example.com")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_found_exception(),
        c.delete_suppressed_destination()
            .email_address("a@example.com")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_found_exception(),
    ] {
        assert!(err);
    }
    let err = c
        .put_suppressed_destination()
        .email_address("not an address")
        .reason(Reason::Bounce)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    // A bad reason in the query string.
    let resp = signed(
        &t.server.url(),
        "GET",
        "/v2/email/suppression/addresses?Reason=LOST",
        b"",
        "secret",
        SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
}

#[tokio::test]
async fn account_suppression_attributes() {
    let t = start().await;
    let c = t.client();
    let reasons = |a: &aws_sdk_sesv2::operation::get_account::GetAccountOutput| {
        a.suppression_attributes()
            .unwrap()
            .suppressed_reasons()
            .to_vec()
    };
    let account = c.get_account().send().await.unwrap();
    assert_eq!(reasons(&account), [Reason::Bounce, Reason::Complaint]);

    c.put_account_suppression_attributes()
        .suppressed_reasons(Reason::Complaint)
        .send()
        .await
        .unwrap();
    let account = c.get_account().send().await.unwrap();
    assert_eq!(reasons(&account), [Reason::Complaint]);

    c.put_account_suppression_attributes().send().await.unwrap();
    let account = c.get_account().send().await.unwrap();
    assert!(reasons(&account).is_empty());
}

#[tokio::test]
async fn account_validation_attributes_are_kept_and_checked() {
    use aws_sdk_sesv2::types::{
        FeatureStatus, SuppressionConditionThreshold, SuppressionConfidenceThreshold,
        SuppressionConfidenceVerdictThreshold, SuppressionValidationAttributes,
    };
    let t = start().await;
    let c = t.client();
    let validation = SuppressionValidationAttributes::builder()
        .condition_threshold(
            SuppressionConditionThreshold::builder()
                .condition_threshold_enabled(FeatureStatus::Enabled)
                .overall_confidence_threshold(
                    SuppressionConfidenceThreshold::builder()
                        .confidence_verdict_threshold(SuppressionConfidenceVerdictThreshold::High)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build();
    c.put_account_suppression_attributes()
        .suppressed_reasons(Reason::Bounce)
        .validation_attributes(validation.clone())
        .send()
        .await
        .unwrap();
    let account = c.get_account().send().await.unwrap();
    let attrs = account.suppression_attributes().unwrap();
    assert_eq!(attrs.suppressed_reasons(), [Reason::Bounce]);
    assert_eq!(attrs.validation_attributes(), Some(&validation));

    // A wrong shape is refused rather than stored (it once answered 200).
    let body = br#"{"SuppressedReasons": [], "ValidationAttributes": "yes"}"#;
    let resp = signed(
        &t.server.url(),
        "PUT",
        "/v2/email/account/suppression",
        body,
        "secret",
        SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
    let again = c.get_account().send().await.unwrap();
    assert_eq!(
        again
            .suppression_attributes()
            .unwrap()
            .validation_attributes(),
        Some(&validation),
        "the refused call changed nothing"
    );
}
