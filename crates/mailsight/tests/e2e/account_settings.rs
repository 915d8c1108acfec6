//! The account's details, pricing plan and shared-pool delivery mode as
//! GetAccount shows them, and the deterministic VDM advisers.

use aws_sdk_sesv2::types::{ContactLanguage, MailType, PricingPlan, ReviewStatus};

use crate::common::*;

#[tokio::test]
async fn details_pricing_delivery_and_advisers() {
    let t = start().await;
    let c = t.client();
    let before = c.get_account().send().await.unwrap();
    assert!(before.details().is_none() && before.pricing_attributes().is_none());
    c.put_account_details()
        .mail_type(MailType::Transactional)
        .website_url("https://example.com")
        .contact_language(ContactLanguage::En)
        .use_case_description("receipts")
        .send()
        .await
        .unwrap();
    let bad = c
        .put_account_details()
        .mail_type(MailType::Marketing)
        .website_url("not a url")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        bad.into_service_error().meta().code(),
        Some("BadRequestException")
    );
    c.put_account_pricing_attributes()
        .plan(PricingPlan::Pro)
        .send()
        .await
        .unwrap();
    let account = c.get_account().send().await.unwrap();
    let details = account.details().unwrap();
    assert_eq!(details.mail_type(), Some(&MailType::Transactional));
    assert_eq!(details.website_url(), Some("https://example.com"));
    assert_eq!(
        details.review_details().and_then(|r| r.status()),
        Some(&ReviewStatus::Granted)
    );
    assert_eq!(
        account.pricing_attributes().and_then(|p| p.current_plan()),
        Some(&PricingPlan::Pro)
    );

    // PutAccountDeliveryAttributes is newer than the SDK: signed by hand.
    let body = br#"{"SharedPoolDeliveryMode": "REGIONAL"}"#;
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/account/delivery",
        body,
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let bad = br#"{"SharedPoolDeliveryMode": "EVERYWHERE"}"#;
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/account/delivery",
        bad,
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
    let resp = signed(
        &t.server.url(),
        "GET",
        "/v2/email/account",
        b"",
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    let raw: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        raw["DeliveryAttributes"]["SharedPoolDeliveryMode"],
        "REGIONAL"
    );

    let recs = c.list_recommendations().send().await.unwrap();
    assert!(recs.recommendations().is_empty());
    let insight = |address: &str| {
        let c = c.clone();
        let address = address.to_owned();
        async move {
            let out = c
                .get_email_address_insights()
                .email_address(address)
                .send()
                .await
                .unwrap();
            let v = out.mailbox_validation().unwrap();
            (
                v.is_valid()
                    .unwrap()
                    .confidence_verdict()
                    .unwrap()
                    .as_str()
                    .to_owned(),
                v.evaluations()
                    .unwrap()
                    .is_role_address()
                    .unwrap()
                    .confidence_verdict()
                    .unwrap()
                    .as_str()
                    .to_owned(),
            )
        }
    };
    assert_eq!(
        insight("reader@example.com").await,
        ("HIGH".into(), "LOW".into())
    );
    assert_eq!(
        insight("support@example.com").await,
        ("HIGH".into(), "HIGH".into())
    );
    assert_eq!(insight("bounce@simulator.amazonses.com").await.0, "LOW");
    assert_eq!(insight("not-an-address").await.0, "LOW");
}
