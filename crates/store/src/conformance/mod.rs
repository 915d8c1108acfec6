//! The conformance suite: behaviour every [`Store`] backend must show.
//!
//! A backend's test calls [`run`] with a function that opens its store; the
//! function is called again mid-way to check that committed data survives a
//! reopen. Each check works in its own account, so they share one store.
//! Failures panic, as assertions in tests do.
//!
//! Compiled only with the `conformance` feature of `mailsight-store`, so it
//! stays out of the server; the crate's own tests turn it on (a
//! dev-dependency on itself with the feature). One file per section of the
//! [`Store`] trait:
//!
//! - `configuration_sets`: configuration sets and event destinations.
//! - `identities`: identities, their attributes, and the routing of their
//!   notifications.
//! - `messages`: messages and events (send, append, ingest, bodies).
//! - `schedule`: later records released when due.
//! - `outbox`: routing, claims, retries, dead letters, replays.
//! - `sns`: SNS topics and subscriptions.
//! - `items`: templates, contacts, suppression, settings.
//! - `content`: message content and machine-activity marks.
//! - `metrics`: rollups counted with the events, and rebuilt.
//! - `search`: message search (filters, paging, enrichment).
//! - `exports`: export jobs (state, pages, the exporter's queue).
//! - `monitoring`: the health probe, size on disk, outbox depth.
//!
//! `postgres_db` makes a PostgreSQL database of its own for a test (the
//! PostgreSQL backend's tests, here and in the server's end-to-end tests).
//!
//! This file holds the runner and the checks that span sections (account
//! isolation, durability across a reopen).

mod configuration_sets;
mod content;
mod exports;
mod identities;
mod items;
mod messages;
mod metrics;
mod monitoring;
mod outbox;
pub mod postgres_db;
mod schedule;
mod search;
mod secrets;
mod sns;

use mailsight_model::EventType;

use crate::traits::Store;
use crate::types::*;
use configuration_sets::{
    configuration_sets, destination, event_destinations, listing_pages_and_filters, set,
};
use content::content_and_machine_marks;
use exports::{export_jobs_are_leased, export_jobs_queue_and_state};
use identities::{identities, identity_notifications_are_routed};
use items::{items_by_kind_and_key, put_items_is_all_or_nothing};
use messages::{
    duplicates_are_stored_once, ingest_creates_then_enriches_messages, message,
    messages_and_events, record, record_bodies_come_back_unchanged, records_before_their_message,
};
use metrics::{rollups_count_what_is_stored, rollups_survive_a_rebuild_among_sends};
use monitoring::monitoring_reads;
use outbox::outbox_routes_and_tracks_deliveries;
use schedule::schedule_releases_in_due_order;
use search::{
    search_by_each_filter, search_combines_filters,
    search_ignores_duplicates_and_learns_from_enrichment, search_pages_without_duplicates_or_gaps,
};
use sns::sns_topics_and_subscriptions;

/// Runs every check against stores produced by `open`.
pub async fn run<S: Store, F: Fn() -> S>(open: F) {
    let store = open();
    // First, while no destination or forwarder exists: an identity's
    // topics must route on their own.
    identity_notifications_are_routed(&store).await;
    configuration_sets(&store).await;
    listing_pages_and_filters(&store).await;
    event_destinations(&store).await;
    identities(&store).await;
    messages_and_events(&store).await;
    duplicates_are_stored_once(&store).await;
    schedule_releases_in_due_order(&store).await;
    accounts_are_isolated(&store).await;
    ingest_creates_then_enriches_messages(&store).await;
    outbox_routes_and_tracks_deliveries(&store).await;
    sns_topics_and_subscriptions(&store).await;
    items_by_kind_and_key(&store).await;
    content_and_machine_marks(&store).await;
    put_items_is_all_or_nothing(&store).await;
    record_bodies_come_back_unchanged(&store).await;
    records_before_their_message(&store).await;
    rollups_count_what_is_stored(&store).await;
    rollups_survive_a_rebuild_among_sends(&store).await;
    search_by_each_filter(&store).await;
    search_combines_filters(&store).await;
    search_pages_without_duplicates_or_gaps(&store).await;
    search_ignores_duplicates_and_learns_from_enrichment(&store).await;
    monitoring_reads(&store).await;
    export_jobs_queue_and_state(&store).await;
    export_jobs_are_leased(&store).await;
    secrets::secrets_are_adopted_once(&store).await;
    write_for_durability(&store).await;
    drop(store);
    let reopened = open();
    check_durability(&reopened).await;
    secrets::secrets_survive(&reopened).await;
}

async fn accounts_are_isolated(s: &impl Store) {
    s.create_configuration_set("acct-iso-1", set("shared-name"))
        .await
        .unwrap();
    assert_eq!(
        s.get_configuration_set("acct-iso-2", "shared-name")
            .await
            .unwrap(),
        None
    );
    s.create_configuration_set("acct-iso-2", set("shared-name"))
        .await
        .unwrap();
    s.insert_message(
        message("acct-iso-1", "iso-m", &["r@x.test"]),
        vec![],
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(s.message_events("acct-iso-2", "iso-m").await.unwrap(), None);
    assert!(
        s.message_records("acct-iso-2", "iso-m")
            .await
            .unwrap()
            .is_empty()
    );
    let p = s
        .list_configuration_sets("acct-iso-2", None, None, 10)
        .await
        .unwrap();
    assert_eq!(p.items, ["shared-name"]);
}

async fn write_for_durability(s: &impl Store) {
    let a = "acct-durable";
    s.create_configuration_set(a, set("kept")).await.unwrap();
    s.create_event_destination(a, "kept", destination("d", &[EventType::Open]))
        .await
        .unwrap();
    let later = vec![ScheduledRecord {
        due: i64::MAX - 1,
        record: record(a, "kept-m", EventType::Delivery, 9_000, &["r@x.test"]),
    }];
    let send = record(a, "kept-m", EventType::Send, 1_000, &["r@x.test"]);
    s.insert_message(message(a, "kept-m", &["r@x.test"]), vec![send], later)
        .await
        .unwrap();
}

async fn check_durability(s: &impl Store) {
    let a = "acct-durable";
    assert!(s.get_configuration_set(a, "kept").await.unwrap().is_some());
    assert_eq!(s.list_event_destinations(a, "kept").await.unwrap().len(), 1);
    assert_eq!(
        s.message_events(a, "kept-m")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
    assert_eq!(s.next_due().await.unwrap(), Some(i64::MAX - 1));
}
