//! Configuration sets through the SDK: every option member stored and
//! returned, paging, filter, updates and the error paths.

use aws_sdk_sesv2::types::{
    DeliveryOptions, HttpsPolicy, ReputationOptions, SendingOptions, SuppressionListReason,
    SuppressionOptions, Tag, TlsPolicy, TrackingOptions,
};

use crate::common::*;

#[tokio::test]
async fn options_round_trip_and_update() {
    let t = start().await;
    let c = t.client();
    c.create_configuration_set()
        .configuration_set_name("full")
        .tracking_options(
            TrackingOptions::builder()
                .custom_redirect_domain("track.example.com")
                .https_policy(HttpsPolicy::Require)
                .build()
                .unwrap(),
        )
        .delivery_options(
            DeliveryOptions::builder()
                .tls_policy(TlsPolicy::Require)
                .sending_pool_name("pool-1")
                .max_delivery_seconds(600)
                .build(),
        )
        .reputation_options(
            ReputationOptions::builder()
                .reputation_metrics_enabled(true)
                .build(),
        )
        .sending_options(SendingOptions::builder().sending_enabled(true).build())
        .suppression_options(
            SuppressionOptions::builder()
                .suppressed_reasons(SuppressionListReason::Bounce)
                .build(),
        )
        .tags(Tag::builder().key("team").value("mail").build().unwrap())
        .send()
        .await
        .unwrap();

    let got = c
        .get_configuration_set()
        .configuration_set_name("full")
        .send()
        .await
        .unwrap();
    assert_eq!(got.configuration_set_name(), Some("full"));
    let tracking = got.tracking_options().unwrap();
    assert_eq!(tracking.custom_redirect_domain(), "track.example.com");
    assert_eq!(tracking.https_policy(), Some(&HttpsPolicy::Require));
    let delivery = got.delivery_options().unwrap();
    assert_eq!(delivery.tls_policy(), Some(&TlsPolicy::Require));
    assert_eq!(delivery.sending_pool_name(), Some("pool-1"));
    assert_eq!(delivery.max_delivery_seconds(), Some(600));
    assert!(
        got.reputation_options()
            .unwrap()
            .reputation_metrics_enabled()
    );
    assert!(got.sending_options().unwrap().sending_enabled());
    assert_eq!(
        got.suppression_options().unwrap().suppressed_reasons(),
        [SuppressionListReason::Bounce]
    );
    assert_eq!(got.tags()[0].key(), "team");

    // A set created bare reports SES's defaults.
    c.create_configuration_set()
        .configuration_set_name("bare")
        .send()
        .await
        .unwrap();
    let bare = c
        .get_configuration_set()
        .configuration_set_name("bare")
        .send()
        .await
        .unwrap();
    assert_eq!(
        bare.delivery_options().unwrap().tls_policy(),
        Some(&TlsPolicy::Optional)
    );
    assert!(bare.sending_options().unwrap().sending_enabled());
    assert!(bare.tracking_options().is_none());

    // Put…Options replace one member and leave the others alone.
    c.put_configuration_set_tracking_options()
        .configuration_set_name("full")
        .custom_redirect_domain("other.example.com")
        .send()
        .await
        .unwrap();
    c.put_configuration_set_sending_options()
        .configuration_set_name("full")
        .sending_enabled(false)
        .send()
        .await
        .unwrap();
    c.put_configuration_set_reputation_options()
        .configuration_set_name("full")
        .reputation_metrics_enabled(false)
        .send()
        .await
        .unwrap();
    let got = c
        .get_configuration_set()
        .configuration_set_name("full")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.tracking_options().unwrap().custom_redirect_domain(),
        "other.example.com"
    );
    assert!(!got.sending_options().unwrap().sending_enabled());
    assert!(
        !got.reputation_options()
            .unwrap()
            .reputation_metrics_enabled()
    );
    assert_eq!(
        got.delivery_options().unwrap().sending_pool_name(),
        Some("pool-1")
    );

    c.delete_configuration_set()
        .configuration_set_name("full")
        .send()
        .await
        .unwrap();
    let err = c
        .get_configuration_set()
        .configuration_set_name("full")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
}

#[tokio::test]
async fn listing_pages_through_every_set() {
    let t = start().await;
    let c = t.client();
    for i in 0..5 {
        c.create_configuration_set()
            .configuration_set_name(format!("set-{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_configuration_sets()
            .page_size(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.configuration_sets().len() <= 2);
        seen.extend(page.configuration_sets().iter().cloned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["set-0", "set-1", "set-2", "set-3", "set-4"]);
}

#[tokio::test]
async fn error_paths() {
    let t = start().await;
    let c = t.client();
    c.create_configuration_set()
        .configuration_set_name("dup")
        .send()
        .await
        .unwrap();
    let err = c
        .create_configuration_set()
        .configuration_set_name("dup")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    let err = c
        .create_configuration_set()
        .configuration_set_name("bad name!")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    let err = c
        .create_configuration_set()
        .configuration_set_name("slow")
        .delivery_options(DeliveryOptions::builder().max_delivery_seconds(5).build())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    let err = c
        .get_configuration_set()
        .configuration_set_name("nope")
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_not_found_exception());
    assert_eq!(
        err.meta().message(),
        Some("Configuration set <nope> does not exist.")
    );

    let err = c
        .delete_configuration_set()
        .configuration_set_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .put_configuration_set_sending_options()
        .configuration_set_name("nope")
        .sending_enabled(true)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
}

#[tokio::test]
async fn a_paused_set_refuses_to_send() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("paused")
        .sending_options(SendingOptions::builder().sending_enabled(false).build())
        .send()
        .await
        .unwrap();
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["success@simulator.amazonses.com"]))
        .content(simple("x"))
        .configuration_set_name("paused")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_sending_paused_exception());
}
