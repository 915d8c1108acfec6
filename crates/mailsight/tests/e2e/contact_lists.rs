//! Contact lists, their topics and contacts through the SDK, with the
//! ListContacts filters and the NotFound paths.

use aws_sdk_sesv2::types::{
    ListContactsFilter, SubscriptionStatus, Topic, TopicFilter, TopicPreference,
};

use crate::common::*;

fn topic(name: &str, default: SubscriptionStatus) -> Topic {
    Topic::builder()
        .topic_name(name)
        .display_name(format!("The {name}"))
        .description("about it")
        .default_subscription_status(default)
        .build()
        .unwrap()
}

fn pref(name: &str, status: SubscriptionStatus) -> TopicPreference {
    TopicPreference::builder()
        .topic_name(name)
        .subscription_status(status)
        .build()
        .unwrap()
}

#[tokio::test]
async fn contact_lists_lifecycle() {
    let t = start().await;
    let c = t.client();
    c.create_contact_list()
        .contact_list_name("news")
        .description("Weekly news")
        .topics(topic("sports", SubscriptionStatus::OptIn))
        .topics(topic("deals", SubscriptionStatus::OptOut))
        .send()
        .await
        .unwrap();
    c.create_contact_list()
        .contact_list_name("alerts")
        .send()
        .await
        .unwrap();
    let err = c
        .create_contact_list()
        .contact_list_name("news")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    let got = c
        .get_contact_list()
        .contact_list_name("news")
        .send()
        .await
        .unwrap();
    assert_eq!(got.contact_list_name(), Some("news"));
    assert_eq!(got.description(), Some("Weekly news"));
    assert_eq!(got.topics().len(), 2);
    assert_eq!(
        got.topics()[1].default_subscription_status(),
        &SubscriptionStatus::OptOut
    );
    assert!(got.created_timestamp().is_some());
    assert!(got.last_updated_timestamp().is_some());

    let first = c.list_contact_lists().page_size(1).send().await.unwrap();
    assert_eq!(first.contact_lists().len(), 1);
    assert_eq!(first.contact_lists()[0].contact_list_name(), Some("alerts"));
    let second = c
        .list_contact_lists()
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.contact_lists()[0].contact_list_name(), Some("news"));
    assert!(second.next_token().is_none());

    // Update replaces the topics and the description.
    c.update_contact_list()
        .contact_list_name("news")
        .topics(topic("sports", SubscriptionStatus::OptOut))
        .send()
        .await
        .unwrap();
    let got = c
        .get_contact_list()
        .contact_list_name("news")
        .send()
        .await
        .unwrap();
    assert_eq!(got.topics().len(), 1);
    assert_eq!(got.description(), None);

    c.delete_contact_list()
        .contact_list_name("alerts")
        .send()
        .await
        .unwrap();
    for err in [
        c.get_contact_list()
            .contact_list_name("alerts")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_found_exception(),
        c.delete_contact_list()
            .contact_list_name("alerts")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_found_exception(),
        c.update_contact_list()
            .contact_list_name("alerts")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_not_found_exception(),
    ] {
        assert!(err);
    }
}

#[tokio::test]
async fn contacts_and_filters() {
    let t = start().await;
    let c = t.client();
    c.create_contact_list()
        .contact_list_name("news")
        .topics(topic("sports", SubscriptionStatus::OptIn))
        .topics(topic("deals", SubscriptionStatus::OptOut))
        .send()
        .await
        .unwrap();

    // ann: in on deals; bob: out of sports; cy: no preferences; dee: out of all.
    c.create_contact()
        .contact_list_name("news")
        .email_address("Ann@Example.com")
        .topic_preferences(pref("deals", SubscriptionStatus::OptIn))
        .attributes_data(r#"{"first":"Ann"}"#)
        .send()
        .await
        .unwrap();
    c.create_contact()
        .contact_list_name("news")
        .email_address("bob@example.com")
        .topic_preferences(pref("sports", SubscriptionStatus::OptOut))
        .send()
        .await
        .unwrap();
    c.create_contact()
        .contact_list_name("news")
        .email_address("cy@example.com")
        .send()
        .await
        .unwrap();
    c.create_contact()
        .contact_list_name("news")
        .email_address("dee@example.com")
        .unsubscribe_all(true)
        .send()
        .await
        .unwrap();

    // Addresses are matched without regard to case.
    let err = c
        .create_contact()
        .contact_list_name("news")
        .email_address("ann@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    let ann = c
        .get_contact()
        .contact_list_name("news")
        .email_address("ann@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(ann.email_address(), Some("Ann@Example.com"));
    assert_eq!(ann.contact_list_name(), Some("news"));
    assert_eq!(ann.topic_preferences().len(), 1);
    assert_eq!(ann.topic_default_preferences().len(), 2);
    assert_eq!(ann.attributes_data(), Some(r#"{"first":"Ann"}"#));
    assert!(!ann.unsubscribe_all());

    let list = |filter: Option<ListContactsFilter>| {
        let c = c.clone();
        async move {
            let out = c
                .list_contacts()
                .contact_list_name("news")
                .set_filter(filter)
                .send()
                .await
                .unwrap();
            out.contacts()
                .iter()
                .map(|c| c.email_address().unwrap().to_ascii_lowercase())
                .collect::<Vec<_>>()
        }
    };
    let topic_filter = |status: SubscriptionStatus, topic: &str, use_default: bool| {
        ListContactsFilter::builder()
            .filtered_status(status)
            .topic_filter(
                TopicFilter::builder()
                    .topic_name(topic)
                    .use_default_if_preference_unavailable(use_default)
                    .build(),
            )
            .build()
    };
    assert_eq!(
        list(None).await,
        [
            "ann@example.com",
            "bob@example.com",
            "cy@example.com",
            "dee@example.com"
        ]
    );
    // Explicit preferences only.
    assert_eq!(
        list(Some(topic_filter(
            SubscriptionStatus::OptIn,
            "deals",
            false
        )))
        .await,
        ["ann@example.com"]
    );
    // With the topic default (sports defaults to OPT_IN).
    assert_eq!(
        list(Some(topic_filter(
            SubscriptionStatus::OptIn,
            "sports",
            true
        )))
        .await,
        ["ann@example.com", "cy@example.com"]
    );
    assert_eq!(
        list(Some(topic_filter(
            SubscriptionStatus::OptOut,
            "sports",
            true
        )))
        .await,
        ["bob@example.com", "dee@example.com"]
    );
    // Without a topic, the status is UnsubscribeAll.
    assert_eq!(
        list(Some(
            ListContactsFilter::builder()
                .filtered_status(SubscriptionStatus::OptOut)
                .build()
        ))
        .await,
        ["dee@example.com"]
    );

    // Paging through a filtered listing.
    let first = c
        .list_contacts()
        .contact_list_name("news")
        .filter(topic_filter(SubscriptionStatus::OptIn, "sports", true))
        .page_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.contacts().len(), 1);
    let second = c
        .list_contacts()
        .contact_list_name("news")
        .filter(topic_filter(SubscriptionStatus::OptIn, "sports", true))
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.contacts()[0].email_address(), Some("cy@example.com"));

    // Update replaces preferences.
    c.update_contact()
        .contact_list_name("news")
        .email_address("cy@example.com")
        .topic_preferences(pref("sports", SubscriptionStatus::OptOut))
        .send()
        .await
        .unwrap();
    let cy = c
        .get_contact()
        .contact_list_name("news")
        .email_address("cy@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cy.topic_preferences()[0].subscription_status(),
        &SubscriptionStatus::OptOut
    );

    // Unknown topics are refused.
    let err = c
        .create_contact()
        .contact_list_name("news")
        .email_address("eve@example.com")
        .topic_preferences(pref("weather", SubscriptionStatus::OptIn))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    // NotFound: a contact in a missing list, a missing contact.
    let err = c
        .create_contact()
        .contact_list_name("nolist")
        .email_address("eve@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .get_contact()
        .contact_list_name("news")
        .email_address("eve@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .list_contacts()
        .contact_list_name("nolist")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    c.delete_contact()
        .contact_list_name("news")
        .email_address("bob@example.com")
        .send()
        .await
        .unwrap();
    let err = c
        .delete_contact()
        .contact_list_name("news")
        .email_address("bob@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // Deleting the list deletes its contacts.
    c.delete_contact_list()
        .contact_list_name("news")
        .send()
        .await
        .unwrap();
    c.create_contact_list()
        .contact_list_name("news")
        .send()
        .await
        .unwrap();
    assert!(list(None).await.is_empty());
}
