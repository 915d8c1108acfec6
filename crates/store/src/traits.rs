//! The storage trait every backend implements.

use async_trait::async_trait;
use mailsight_model::EventType;

use crate::error::StoreError;
use crate::exports::{ExportCursor, ExportFilter, ExportJob, ExportStatus};
use crate::items::{Item, ItemKind, ItemPut, MachineActivity, PutMode};
use crate::metrics::{MetricQuery, Point, RebuildReport};
use crate::target::Target;
use crate::types::*;

/// Everything mailsight keeps. All calls are scoped by account, and every
/// write is committed when it returns `Ok`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // --- configuration sets ---

    /// Fails with `AlreadyExists` if the name is taken in this account.
    async fn create_configuration_set(
        &self,
        account: &str,
        set: ConfigurationSet,
    ) -> Result<(), StoreError>;
    async fn get_configuration_set(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<ConfigurationSet>, StoreError>;
    /// Replaces the options of an existing set (`NotFound` otherwise).
    async fn update_configuration_set(
        &self,
        account: &str,
        name: &str,
        options: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// Names in order, after `after`, containing `contains` if given.
    async fn list_configuration_sets(
        &self,
        account: &str,
        contains: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<String>, StoreError>;
    /// Deletes the set and its event destinations (`NotFound` if absent).
    async fn delete_configuration_set(&self, account: &str, name: &str) -> Result<(), StoreError>;

    // --- event destinations ---

    /// `NotFound` if the set is missing, `AlreadyExists` if the name is taken.
    async fn create_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError>;
    /// All destinations of a set, by name; `NotFound` if the set is missing.
    async fn list_event_destinations(
        &self,
        account: &str,
        set: &str,
    ) -> Result<Vec<EventDestination>, StoreError>;
    /// `NotFound` if the set or the destination is missing.
    async fn update_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError>;
    async fn delete_event_destination(
        &self,
        account: &str,
        set: &str,
        name: &str,
    ) -> Result<(), StoreError>;

    // --- identities ---

    async fn create_identity(&self, account: &str, identity: Identity) -> Result<(), StoreError>;
    async fn get_identity(&self, account: &str, name: &str)
    -> Result<Option<Identity>, StoreError>;
    /// Identities in name order after `after`.
    async fn list_identities(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, StoreError>;
    async fn delete_identity(&self, account: &str, name: &str) -> Result<(), StoreError>;
    /// Replaces an identity's tags (SES v2 `TagResource`); `NotFound` if
    /// the identity is missing.
    async fn set_identity_tags(
        &self,
        account: &str,
        name: &str,
        tags: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// Sets (or clears) the identity's default configuration set;
    /// `NotFound` if the identity is missing.
    async fn set_identity_configuration_set(
        &self,
        account: &str,
        name: &str,
        configuration_set: Option<String>,
    ) -> Result<(), StoreError>;
    /// Replaces an identity's attributes (its notification settings);
    /// `NotFound` if the identity is missing. The router reads them for
    /// every bounce, complaint and delivery stored afterwards.
    async fn set_identity_attributes(
        &self,
        account: &str,
        name: &str,
        attributes: IdentityAttributes,
    ) -> Result<(), StoreError>;

    // --- messages and events ---

    /// Stores a new message, the records visible at once (the SEND) and the
    /// records to release later, in one transaction.
    async fn insert_message(
        &self,
        message: Message,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError>;
    /// [`Store::put_message_content`] and [`Store::insert_message`] in one
    /// transaction: what a send stores. Nothing is stored when the message
    /// is refused (its id taken), and a send waits for one commit, not two.
    async fn insert_sent_message(
        &self,
        message: Message,
        contents: Vec<(String, Vec<u8>)>,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError>;
    /// Stores ingested records, each with the message it belongs to, in one
    /// transaction. A message is created by the first record that names it
    /// and enriched by later ones (subject, tags, set, recipients), so the
    /// order records arrive in does not matter. Returns how many records
    /// were new (the rest were duplicates).
    async fn ingest(&self, batch: Vec<(Message, NewRecord)>) -> Result<usize, StoreError>;
    /// Stores records, skipping those whose dedupe key is already stored.
    /// Returns how many were new.
    async fn append_records(&self, records: Vec<NewRecord>) -> Result<usize, StoreError>;
    /// Moves every scheduled record due at or before `now` into the event
    /// log, at most `limit` of them, atomically. Returns the records released.
    async fn release_due(&self, now: Millis, limit: usize) -> Result<Vec<NewRecord>, StoreError>;
    /// When the next scheduled record falls due, if any.
    async fn next_due(&self) -> Result<Option<Millis>, StoreError>;
    /// Notified when another process sharing this store commits work
    /// (records to deliver, records scheduled), so that this process's
    /// workers take it up at once rather than at their next poll. `None`
    /// where no other process can write (SQLite: the process's own wake-ups
    /// cover it).
    fn work_signal(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }
    /// A message of this account with its events (by recipient, then time).
    async fn message_events(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Option<MessageEvents>, StoreError>;
    /// Stored record bodies of a message, oldest first (for forwarders, tests).
    async fn message_records(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<(EventType, String)>, StoreError>;
    /// Messages the account sent at or after `since` (for `SendQuota`).
    async fn count_messages_since(&self, account: &str, since: Millis) -> Result<u64, StoreError>;
    /// The account's messages matching `query`, newest first (`sent_at`,
    /// then the store's own order), starting after `cursor`, at most `limit`
    /// (1 to [`MAX_PAGE`](crate::search::MAX_PAGE)). Answered from an index:
    /// a page reads at most [`SCAN_BUDGET`](crate::search::SCAN_BUDGET)
    /// candidates, so it may hold fewer than `limit` and still have a next.
    async fn search_messages(
        &self,
        account: &str,
        query: &crate::search::SearchQuery,
        cursor: Option<crate::search::SearchCursor>,
        limit: usize,
    ) -> Result<crate::search::SearchPage, StoreError>;

    // --- metrics: rollups kept with the events ---

    /// Each query's counts per bucket of `bucket` milliseconds (a whole
    /// number of hours, aligned to UTC midnight), sparse, oldest first; one
    /// series per query, in order. The queries are answered in one read,
    /// because every caller asks several at once (ten metrics of a
    /// `BatchGetMetricData`, the dashboard's charts) and a read's fixed cost
    /// (a connection, a thread switch) outweighs a small query's.
    async fn metric_series(
        &self,
        account: &str,
        queries: Vec<MetricQuery>,
        bucket: Millis,
    ) -> Result<Vec<Vec<Point>>, StoreError>;
    /// The query's totals per value of `dimension` (other filters ignored),
    /// largest first, at most `limit`.
    async fn metric_breakdown(
        &self,
        account: &str,
        query: MetricQuery,
        dimension: mailsight_model::Dimension,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError>;
    /// Account totals of `metric` per 15 minutes in `[start, end)`, sparse.
    async fn metric_quarters(
        &self,
        account: &str,
        metric: mailsight_model::Metric,
        start: Millis,
        end: Millis,
    ) -> Result<Vec<Point>, StoreError>;
    /// Forgets the rollups and counts every stored event again.
    async fn rebuild_rollups(&self) -> Result<RebuildReport, StoreError>;

    // --- the outbox ---

    /// Replaces the forwarders the router knows (they come from the config).
    async fn set_forwarders(&self, forwarders: Vec<ForwarderRoute>) -> Result<(), StoreError>;
    /// Targets with pending deliveries due at `now`.
    async fn due_targets(&self, now: Millis, limit: usize) -> Result<Vec<Target>, StoreError>;
    /// Takes up to `limit` due deliveries of `target`, oldest first, and
    /// leases them until `lease_until`: if mailsight stops before settling
    /// them they fall due again then (at-least-once).
    async fn claim_deliveries(
        &self,
        target: &Target,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Records an attempt's result.
    async fn settle_delivery(
        &self,
        id: i64,
        at: Millis,
        result: AttemptResult,
    ) -> Result<(), StoreError>;
    /// Deliveries matching `filter`, newest first, with ids below `before`.
    async fn list_deliveries(
        &self,
        filter: DeliveryFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// The attempts of one delivery, oldest first.
    async fn delivery_attempts(&self, id: i64) -> Result<Vec<Attempt>, StoreError>;
    /// Forgets delivered deliveries (and their attempts) settled before
    /// `before`; dead and pending ones are kept. Returns how many.
    async fn prune_delivered(&self, before: Millis) -> Result<usize, StoreError>;
    /// Makes dead deliveries (of `target`, or all) pending again, due now.
    /// Returns how many.
    async fn replay_dead(&self, target: Option<&Target>, now: Millis) -> Result<usize, StoreError>;
    /// Makes the dead deliveries of `account` (of `target`, or all of its
    /// targets) pending again, due now; other accounts' are left alone.
    /// Returns how many.
    async fn replay_dead_of(
        &self,
        account: &str,
        target: Option<&Target>,
        now: Millis,
    ) -> Result<usize, StoreError>;
    /// How many deliveries of `account` each target holds, by status, in
    /// target order after `after`, at most `limit` targets.
    async fn delivery_counts(
        &self,
        account: &str,
        after: Option<&Target>,
        limit: usize,
    ) -> Result<Vec<TargetCounts>, StoreError>;

    // --- SNS topics ---

    /// Creates the topic, or returns the one already stored under its ARN
    /// unchanged (`CreateTopic` is idempotent).
    async fn create_sns_topic(
        &self,
        topic: crate::sns::SnsTopic,
    ) -> Result<crate::sns::SnsTopic, StoreError>;
    async fn get_sns_topic(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsTopic>, StoreError>;
    /// Topics of the account in ARN order, after `after`.
    async fn list_sns_topics(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsTopic>, StoreError>;
    /// Deletes the topic and its subscriptions (`NotFound` if absent).
    async fn delete_sns_topic(&self, account: &str, arn: &str) -> Result<(), StoreError>;
    /// The per-install secret `name` (the SNS signing key, the tracking
    /// secret): stores `candidate` if the store holds none yet and returns
    /// the value kept, so every process on one database signs alike. Safe
    /// when several processes ask at once: one candidate wins for all.
    async fn adopt_secret(
        &self,
        name: &str,
        candidate: Vec<u8>,
        now: Millis,
    ) -> Result<Vec<u8>, StoreError>;
    /// Replaces the topic's attributes (`SetTopicAttributes`; `NotFound` if
    /// absent).
    async fn set_sns_topic_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// Creates the subscription, or returns the one that already ties the
    /// same protocol and endpoint to the topic, unchanged. `NotFound` if
    /// the topic is missing.
    async fn create_sns_subscription(
        &self,
        subscription: crate::sns::SnsSubscription,
    ) -> Result<crate::sns::SnsSubscription, StoreError>;
    async fn get_sns_subscription(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsSubscription>, StoreError>;
    /// Confirms the subscription of `topic_arn` whose token is `token` and
    /// returns it (`NotFound` if no subscription has that token). Confirming
    /// twice is allowed.
    async fn confirm_sns_subscription(
        &self,
        account: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<crate::sns::SnsSubscription, StoreError>;
    /// Replaces the subscription's attributes (`NotFound` if absent).
    async fn set_sns_subscription_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// `NotFound` if absent.
    async fn delete_sns_subscription(&self, account: &str, arn: &str) -> Result<(), StoreError>;
    /// Subscriptions of the account (of one topic if given) in ARN order,
    /// after `after`.
    async fn list_sns_subscriptions(
        &self,
        account: &str,
        topic_arn: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsSubscription>, StoreError>;

    // --- items: templates, contacts, suppression, settings ---

    /// Stores `body` under (`kind`, `key`) as `mode` allows, at `now`.
    async fn put_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
        body: serde_json::Value,
        mode: PutMode,
        now: Millis,
    ) -> Result<(), StoreError>;
    /// Several puts in one transaction: all are stored or, if one fails
    /// (its mode refuses it), none. Callers with many items (the
    /// suppression list learning from a batch of bounces) pay one commit,
    /// not one per item.
    async fn put_items(&self, puts: Vec<ItemPut>) -> Result<(), StoreError>;
    async fn get_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<Option<Item>, StoreError>;
    /// Items of `kind` whose key starts with `prefix`, in key order, after
    /// `after`.
    async fn list_items(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Item>, StoreError>;
    /// Returns whether the item existed.
    async fn delete_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<bool, StoreError>;
    /// Deletes every item of `kind` whose key starts with `prefix`; returns
    /// how many.
    async fn delete_items_with_prefix(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
    ) -> Result<usize, StoreError>;

    // --- what was sent ---

    /// Keeps the final MIME of a message: `(recipient, mime)` pairs, where
    /// the recipient `""` is the copy every recipient got unless one has its
    /// own (an unsubscribe link differs per recipient).
    async fn put_message_content(
        &self,
        account: &str,
        message_id: &str,
        contents: Vec<(String, Vec<u8>)>,
    ) -> Result<(), StoreError>;
    /// The MIME `recipient` got (their own copy, else the shared one).
    async fn message_content(
        &self,
        account: &str,
        message_id: &str,
        recipient: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Opens and clicks of a message marked as machine activity.
    async fn machine_activity(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<MachineActivity>, StoreError>;

    // --- monitoring ---

    /// A cheap read that fails when the store cannot answer (for `/health`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// The bytes the store takes on disk (for `/metrics`).
    async fn size_bytes(&self) -> Result<u64, StoreError>;
    /// Every target that has deliveries, in target order, at most `limit`,
    /// with its pending count and oldest pending delivery (for `/metrics`).
    /// Answered from the index by target, not by reading every delivery.
    async fn outbox_depth(&self, limit: usize) -> Result<Vec<TargetDepth>, StoreError>;

    // --- export jobs ---

    /// Stores a new job; `AlreadyExists` if its id is taken in the account.
    async fn create_export_job(&self, job: ExportJob) -> Result<(), StoreError>;
    async fn get_export_job(
        &self,
        account: &str,
        job_id: &str,
    ) -> Result<Option<ExportJob>, StoreError>;
    /// The account's jobs matching `filter`, newest first, created before
    /// `before` (the previous page's last job), at most `limit`.
    async fn list_export_jobs(
        &self,
        account: &str,
        filter: &ExportFilter,
        before: Option<&ExportCursor>,
        limit: usize,
    ) -> Result<Vec<ExportJob>, StoreError>;
    /// Writes the job's state (status, times, statistics, error, file) if
    /// its stored status is one of `expect`; returns whether it did. The
    /// specification and creation time never change.
    async fn update_export_job(
        &self,
        job: &ExportJob,
        expect: &[ExportStatus],
    ) -> Result<bool, StoreError>;
    /// Every account's jobs still `CREATED` or `PROCESSING`, oldest first,
    /// at most `limit`: the exporter's queue.
    async fn unfinished_export_jobs(&self, limit: usize) -> Result<Vec<ExportJob>, StoreError>;
    /// Takes the job to run it until `until`: it becomes `PROCESSING` if it
    /// was `CREATED`, or was `PROCESSING` under a lease that ran out by
    /// `now` (its runner stopped or died). Returns whether the caller holds
    /// it, so that processes sharing a store run a job once at a time.
    async fn lease_export_job(
        &self,
        account: &str,
        job_id: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool, StoreError>;
    /// Extends the lease of a job still `PROCESSING`; whether it is.
    async fn renew_export_lease(
        &self,
        account: &str,
        job_id: &str,
        until: Millis,
    ) -> Result<bool, StoreError>;
}
