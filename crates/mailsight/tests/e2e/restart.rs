//! Everything survives a restart on the same data directory, including
//! events that were still scheduled when the server stopped.

use aws_sdk_sesv2::types::{EventDestinationDefinition, EventType, SnsDestination};

use crate::common::*;

#[tokio::test]
async fn state_and_pending_events_survive_a_restart() {
    // A slow lifecycle, so the server stops before the delivery is due.
    let t = start_with(|c| c.simulator.timing.delivery_ms = 1_500).await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("kept")
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("kept")
        .event_destination_name("d")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Delivery)
                .sns_destination(
                    SnsDestination::builder()
                        .topic_arn("arn:aws:sns:us-east-1:0:t")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["success@simulator.amazonses.com"]))
        .content(simple("Before restart"))
        .configuration_set_name("kept")
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let before = c
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        types_by_recipient(&before)[0].1,
        ["SEND"],
        "the delivery is not due yet"
    );

    let t = t.restart().await;
    let c = t.client();
    assert!(
        c.get_configuration_set()
            .configuration_set_name("kept")
            .send()
            .await
            .is_ok()
    );
    let dests = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("kept")
        .send()
        .await
        .unwrap();
    assert_eq!(dests.event_destinations().len(), 1);
    assert!(
        c.get_email_identity()
            .email_identity("example.com")
            .send()
            .await
            .is_ok()
    );
    // The scheduled delivery is released by the new process.
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(types_by_recipient(&out)[0].1, ["SEND", "DELIVERY"]);
    assert_eq!(out.subject(), Some("Before restart"));

    // And once more: nothing is lost or duplicated.
    let t = t.restart().await;
    let out = t
        .client()
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(types_by_recipient(&out)[0].1, ["SEND", "DELIVERY"]);
}
