//! Event destinations through the SDK: many per set, names unique per set,
//! one kind each, MatchingEventTypes checked.

use aws_sdk_sesv2::types::{
    CloudWatchDestination, CloudWatchDimensionConfiguration, DimensionValueSource,
    EventBridgeDestination, EventDestinationDefinition, EventType, KinesisFirehoseDestination,
    SnsDestination,
};

use crate::common::*;

fn sns(types: &[EventType]) -> EventDestinationDefinition {
    EventDestinationDefinition::builder()
        .enabled(true)
        .set_matching_event_types(Some(types.to_vec()))
        .sns_destination(
            SnsDestination::builder()
                .topic_arn("arn:aws:sns:us-east-1:000000000000:events")
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn several_destinations_per_set() {
    let t = start().await;
    let c = t.client();
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    c.create_configuration_set()
        .configuration_set_name("other")
        .send()
        .await
        .unwrap();

    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("to-sns")
        .event_destination(sns(&[EventType::Send, EventType::Bounce]))
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("to-bus")
        .event_destination(
            EventDestinationDefinition::builder()
                .matching_event_types(EventType::RenderingFailure)
                .event_bridge_destination(
                    EventBridgeDestination::builder()
                        .event_bus_arn("arn:aws:events:us-east-1:000000000000:event-bus/default")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("to-cw")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Open)
                .cloud_watch_destination(
                    CloudWatchDestination::builder()
                        .dimension_configurations(
                            CloudWatchDimensionConfiguration::builder()
                                .dimension_name("campaign")
                                .dimension_value_source(DimensionValueSource::MessageTag)
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
    // The same name in another set is fine.
    c.create_configuration_set_event_destination()
        .configuration_set_name("other")
        .event_destination_name("to-sns")
        .event_destination(sns(&[EventType::Delivery]))
        .send()
        .await
        .unwrap();

    let got = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = got.event_destinations().iter().map(|d| d.name()).collect();
    assert_eq!(names, ["to-bus", "to-cw", "to-sns"]);
    let bus = &got.event_destinations()[0];
    assert!(!bus.enabled(), "Enabled defaults to false");
    assert_eq!(bus.matching_event_types(), [EventType::RenderingFailure]);
    assert!(bus.event_bridge_destination().is_some());
    let cw = &got.event_destinations()[1];
    assert_eq!(
        cw.cloud_watch_destination()
            .unwrap()
            .dimension_configurations()[0]
            .dimension_name(),
        "campaign"
    );
    let to_sns = &got.event_destinations()[2];
    assert!(to_sns.enabled());
    assert_eq!(
        to_sns.matching_event_types(),
        [EventType::Send, EventType::Bounce]
    );
    assert_eq!(
        to_sns.sns_destination().unwrap().topic_arn(),
        "arn:aws:sns:us-east-1:000000000000:events"
    );

    // Update replaces the definition, and may change the kind.
    c.update_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("to-sns")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(false)
                .matching_event_types(EventType::Click)
                .kinesis_firehose_destination(
                    KinesisFirehoseDestination::builder()
                        .iam_role_arn("arn:aws:iam::000000000000:role/firehose")
                        .delivery_stream_arn(
                            "arn:aws:firehose:us-east-1:000000000000:deliverystream/s",
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    let updated = got
        .event_destinations()
        .iter()
        .find(|d| d.name() == "to-sns")
        .unwrap();
    assert!(!updated.enabled());
    assert_eq!(updated.matching_event_types(), [EventType::Click]);
    assert!(updated.sns_destination().is_none());
    assert!(updated.kinesis_firehose_destination().is_some());

    c.delete_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("to-bus")
        .send()
        .await
        .unwrap();
    let got = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    assert_eq!(got.event_destinations().len(), 2);
    let other = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("other")
        .send()
        .await
        .unwrap();
    assert_eq!(other.event_destinations().len(), 1);
}

#[tokio::test]
async fn destination_errors() {
    let t = start().await;
    let c = t.client();
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    let create = |name: &str, def: EventDestinationDefinition| {
        c.create_configuration_set_event_destination()
            .configuration_set_name("cs")
            .event_destination_name(name)
            .event_destination(def)
            .send()
    };
    create("d", sns(&[EventType::Send])).await.unwrap();
    let err = create("d", sns(&[EventType::Send])).await.unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    // No destination kind, two kinds, no event types.
    let none = EventDestinationDefinition::builder()
        .matching_event_types(EventType::Send)
        .build();
    assert!(
        create("e", none)
            .await
            .unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );
    let two = EventDestinationDefinition::builder()
        .matching_event_types(EventType::Send)
        .sns_destination(
            SnsDestination::builder()
                .topic_arn("arn:aws:sns:us-east-1:0:t")
                .build()
                .unwrap(),
        )
        .event_bridge_destination(
            EventBridgeDestination::builder()
                .event_bus_arn("arn:aws:events:us-east-1:0:event-bus/default")
                .build()
                .unwrap(),
        )
        .build();
    assert!(
        create("e", two)
            .await
            .unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );
    assert!(
        create("e", sns(&[]))
            .await
            .unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );
    let unknown_type = sns(&[EventType::from("EXPLODE")]);
    assert!(
        create("e", unknown_type)
            .await
            .unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );

    // Missing set, missing destination.
    let err = c
        .create_configuration_set_event_destination()
        .configuration_set_name("nope")
        .event_destination_name("d")
        .event_destination(sns(&[EventType::Send]))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .update_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("missing")
        .event_destination(sns(&[EventType::Send]))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .delete_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("missing")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // At most ten per set.
    for i in 1..10 {
        create(&format!("d{i}"), sns(&[EventType::Send]))
            .await
            .unwrap();
    }
    let err = create("eleventh", sns(&[EventType::Send]))
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_limit_exceeded_exception());
}
