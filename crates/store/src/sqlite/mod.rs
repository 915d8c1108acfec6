//! The embedded SQLite backend.
//!
//! One database file, `mailsight.db`, in the data directory. See [`pool`] for
//! how writes are group-committed, [`schema`] for the migrations,
//! [`configuration_sets`] / [`identities`] / [`events`] for the queries, and
//! [`codec`] for how record bodies are kept (the shared `mail` once per
//! message, zstd-compressed), [`search`] for the message search index, and
//! [`monitoring`] for the reads `/health` and `/metrics` make, and
//! [`exports`] for the export jobs' queue.

mod codec;
mod configuration_sets;
mod events;
mod exports;
mod identities;
mod items;
mod monitoring;
mod outbox;
mod pool;
mod rollups;
mod schema;
mod search;
mod secrets;
mod sns;

use std::path::Path;

use async_trait::async_trait;
use mailsight_model::EventType;

use crate::error::StoreError;
use crate::items::{Item, ItemKind, ItemPut, MachineActivity, PutMode};
use crate::metrics::{MetricQuery, Point, RebuildReport};
use crate::target::Target;
use crate::traits::Store;
use crate::types::*;
use pool::Pool;
pub use pool::{Durability, default_readers};

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "mailsight.db";

/// How a store is opened.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    pub durability: Durability,
    /// Read connections at most (each with its own page cache).
    pub readers: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            durability: Durability::Full,
            readers: pool::default_readers(),
        }
    }
}

/// A [`Store`] on one SQLite database file.
pub struct SqliteStore {
    pool: Pool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and migrates
    /// it, durable, with the default number of readers.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(data_dir, OpenOptions::default())
    }

    /// [`SqliteStore::open`] with the durability and reader count chosen.
    pub fn open_with(data_dir: &Path, options: OpenOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Backend(format!(
                "cannot create data directory {}: {e}",
                data_dir.display()
            ))
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let mut writer = pool::open_connection(&path, options.durability)?;
        schema::migrate(&mut writer)?;
        Ok(SqliteStore {
            pool: Pool::start(&path, writer, options.durability, options.readers)?,
        })
    }
}

/// Owned copies of borrowed arguments, for closures sent to other threads.
fn own(s: &str) -> String {
    s.to_owned()
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_configuration_set(
        &self,
        account: &str,
        set: ConfigurationSet,
    ) -> Result<(), StoreError> {
        let a = own(account);
        self.pool
            .write(move |c| configuration_sets::create_set(c, &a, &set))
            .await
    }

    async fn get_configuration_set(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<ConfigurationSet>, StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .read_now(move |c| configuration_sets::get_set(c, &a, &n))
            .await
    }

    async fn update_configuration_set(
        &self,
        account: &str,
        name: &str,
        options: serde_json::Value,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| configuration_sets::update_set(c, &a, &n, &options))
            .await
    }

    async fn list_configuration_sets(
        &self,
        account: &str,
        contains: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<String>, StoreError> {
        let (a, f, s) = (own(account), contains.map(own), after.map(own));
        self.pool
            .read(move |c| configuration_sets::list_sets(c, &a, f.as_deref(), s.as_deref(), limit))
            .await
    }

    async fn delete_configuration_set(&self, account: &str, name: &str) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| configuration_sets::delete_set(c, &a, &n))
            .await
    }

    async fn create_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError> {
        let (a, s) = (own(account), own(set));
        self.pool
            .write(move |c| configuration_sets::create_destination(c, &a, &s, &destination))
            .await
    }

    async fn list_event_destinations(
        &self,
        account: &str,
        set: &str,
    ) -> Result<Vec<EventDestination>, StoreError> {
        let (a, s) = (own(account), own(set));
        self.pool
            .read_now(move |c| configuration_sets::list_destinations(c, &a, &s))
            .await
    }

    async fn update_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError> {
        let (a, s) = (own(account), own(set));
        self.pool
            .write(move |c| configuration_sets::update_destination(c, &a, &s, &destination))
            .await
    }

    async fn delete_event_destination(
        &self,
        account: &str,
        set: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        let (a, s, n) = (own(account), own(set), own(name));
        self.pool
            .write(move |c| configuration_sets::delete_destination(c, &a, &s, &n))
            .await
    }

    async fn create_identity(&self, account: &str, identity: Identity) -> Result<(), StoreError> {
        let a = own(account);
        self.pool
            .write(move |c| identities::create_identity(c, &a, &identity))
            .await
    }

    async fn get_identity(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<Identity>, StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .read_now(move |c| identities::get_identity(c, &a, &n))
            .await
    }

    async fn list_identities(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, StoreError> {
        let (a, s) = (own(account), after.map(own));
        self.pool
            .read(move |c| identities::list_identities(c, &a, s.as_deref(), limit))
            .await
    }

    async fn delete_identity(&self, account: &str, name: &str) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| identities::delete_identity(c, &a, &n))
            .await
    }

    async fn set_identity_tags(
        &self,
        account: &str,
        name: &str,
        tags: serde_json::Value,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| identities::set_tags(c, &a, &n, &tags))
            .await
    }

    async fn set_identity_configuration_set(
        &self,
        account: &str,
        name: &str,
        configuration_set: Option<String>,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| {
                identities::set_configuration_set(c, &a, &n, configuration_set.as_deref())
            })
            .await
    }

    async fn set_identity_attributes(
        &self,
        account: &str,
        name: &str,
        attributes: IdentityAttributes,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(name));
        self.pool
            .write(move |c| identities::set_attributes(c, &a, &n, &attributes))
            .await
    }

    async fn insert_message(
        &self,
        message: Message,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError> {
        let encoded = events::encode_all(&now)?;
        self.pool
            .write(move |c| events::insert_message(c, &message, &now, &encoded, &later))
            .await
    }

    async fn insert_sent_message(
        &self,
        message: Message,
        contents: Vec<(String, Vec<u8>)>,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError> {
        let encoded = events::encode_all(&now)?;
        self.pool
            .write(move |c| {
                let (account, id) = (&message.account_id, &message.message_id);
                items::put_content(c, account, id, &contents)?;
                events::insert_message(c, &message, &now, &encoded, &later)
            })
            .await
    }

    async fn ingest(&self, batch: Vec<(Message, NewRecord)>) -> Result<usize, StoreError> {
        // Bodies are split and compressed here, off the writer thread.
        let encoded = events::encode_batch(&batch)?;
        // The batch comes back to be freed here, not on the writer thread.
        let (fresh, _batch) = self
            .pool
            .write(move |c| Ok((events::ingest(c, &batch, &encoded)?, (batch, encoded))))
            .await?;
        Ok(fresh)
    }

    async fn append_records(&self, records: Vec<NewRecord>) -> Result<usize, StoreError> {
        let encoded = events::encode_all(&records)?;
        self.pool
            .write(move |c| {
                let fresh = events::append(c, &records, &encoded)?;
                items::mark_machine(c, &records)?;
                Ok(fresh)
            })
            .await
    }

    async fn release_due(&self, now: Millis, limit: usize) -> Result<Vec<NewRecord>, StoreError> {
        // Reading, decoding and compressing happen here, off the writer
        // thread, which then only deletes and inserts: releasing inside the
        // writer took a tenth of its time under a SendEmail load.
        let (due, stored) = self
            .pool
            .read(move |c| {
                let due = events::due(c, now, limit)?;
                let stored = events::mail_hashes(c, due.iter().map(|(_, r)| r))?;
                Ok((due, stored))
            })
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let encoded = due
            .iter()
            .zip(stored)
            .map(|((_, r), h)| crate::codec::encode_for(r, h))
            .collect::<Result<Vec<_>, _>>()?;
        self.pool
            .write(move |c| events::release(c, due, encoded))
            .await
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.pool.read(events::next_due).await
    }

    async fn message_events(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Option<MessageEvents>, StoreError> {
        let (a, m) = (own(account), own(message_id));
        self.pool
            .read_now(move |c| events::message_events(c, &a, &m))
            .await
    }

    async fn message_records(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<(EventType, String)>, StoreError> {
        let (a, m) = (own(account), own(message_id));
        self.pool
            .read(move |c| events::message_records(c, &a, &m))
            .await
    }

    async fn count_messages_since(&self, account: &str, since: Millis) -> Result<u64, StoreError> {
        let a = own(account);
        self.pool
            .read(move |c| events::count_messages_since(c, &a, since))
            .await
    }

    async fn metric_series(
        &self,
        account: &str,
        queries: Vec<MetricQuery>,
        bucket: Millis,
    ) -> Result<Vec<Vec<Point>>, StoreError> {
        let a = own(account);
        self.pool
            .read(move |c| {
                queries
                    .iter()
                    .map(|q| rollups::series(c, &a, q, bucket))
                    .collect()
            })
            .await
    }

    async fn metric_breakdown(
        &self,
        account: &str,
        query: MetricQuery,
        dimension: mailsight_model::Dimension,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let a = own(account);
        self.pool
            .read(move |c| rollups::breakdown(c, &a, &query, dimension, limit))
            .await
    }

    async fn metric_quarters(
        &self,
        account: &str,
        metric: mailsight_model::Metric,
        start: Millis,
        end: Millis,
    ) -> Result<Vec<Point>, StoreError> {
        self.pool
            .read_now(|c| rollups::quarters(c, account, metric, start, end))
            .await
    }

    async fn rebuild_rollups(&self) -> Result<RebuildReport, StoreError> {
        self.pool.write(rollups::rebuild).await
    }

    async fn search_messages(
        &self,
        account: &str,
        query: &crate::search::SearchQuery,
        cursor: Option<crate::search::SearchCursor>,
        limit: usize,
    ) -> Result<crate::search::SearchPage, StoreError> {
        let (a, q) = (own(account), query.clone());
        self.pool
            .read(move |c| search::search(c, &a, &q, cursor, limit))
            .await
    }

    async fn set_forwarders(&self, forwarders: Vec<ForwarderRoute>) -> Result<(), StoreError> {
        self.pool
            .write(move |c| outbox::set_forwarders(c, &forwarders))
            .await
    }

    async fn due_targets(&self, now: Millis, limit: usize) -> Result<Vec<Target>, StoreError> {
        self.pool
            .read(move |c| outbox::due_targets(c, now, limit))
            .await
    }

    async fn claim_deliveries(
        &self,
        target: &Target,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let t = target.to_string();
        self.pool
            .write(move |c| outbox::claim(c, &t, now, lease_until, limit))
            .await
    }

    async fn settle_delivery(
        &self,
        id: i64,
        at: Millis,
        result: AttemptResult,
    ) -> Result<(), StoreError> {
        self.pool
            .write(move |c| outbox::settle(c, id, at, &result))
            .await
    }

    async fn list_deliveries(
        &self,
        filter: DeliveryFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.pool
            .read(move |c| outbox::list(c, &filter, before, limit))
            .await
    }

    async fn delivery_attempts(&self, id: i64) -> Result<Vec<Attempt>, StoreError> {
        self.pool.read(move |c| outbox::attempts(c, id)).await
    }

    async fn prune_delivered(&self, before: Millis) -> Result<usize, StoreError> {
        self.pool
            .write(move |c| outbox::prune_delivered(c, before))
            .await
    }

    async fn replay_dead(&self, target: Option<&Target>, now: Millis) -> Result<usize, StoreError> {
        let t = target.map(Target::to_string);
        self.pool
            .write(move |c| outbox::replay_dead(c, t.as_deref(), now))
            .await
    }

    async fn replay_dead_of(
        &self,
        account: &str,
        target: Option<&Target>,
        now: Millis,
    ) -> Result<usize, StoreError> {
        let (a, t) = (own(account), target.map(Target::to_string));
        self.pool
            .write(move |c| outbox::replay_dead_of(c, &a, t.as_deref(), now))
            .await
    }

    async fn delivery_counts(
        &self,
        account: &str,
        after: Option<&Target>,
        limit: usize,
    ) -> Result<Vec<TargetCounts>, StoreError> {
        let (a, t) = (own(account), after.map(Target::to_string));
        self.pool
            .read(move |c| outbox::counts(c, &a, t.as_deref(), limit))
            .await
    }

    async fn create_sns_topic(
        &self,
        topic: crate::sns::SnsTopic,
    ) -> Result<crate::sns::SnsTopic, StoreError> {
        self.pool.write(move |c| sns::create_topic(c, &topic)).await
    }

    async fn get_sns_topic(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsTopic>, StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool.read(move |c| sns::get_topic(c, &a, &n)).await
    }

    async fn list_sns_topics(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsTopic>, StoreError> {
        let (a, s) = (own(account), after.map(own));
        self.pool
            .read(move |c| sns::list_topics(c, &a, s.as_deref(), limit))
            .await
    }

    async fn delete_sns_topic(&self, account: &str, arn: &str) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool.write(move |c| sns::delete_topic(c, &a, &n)).await
    }

    async fn adopt_secret(
        &self,
        name: &str,
        candidate: Vec<u8>,
        now: Millis,
    ) -> Result<Vec<u8>, StoreError> {
        let n = own(name);
        self.pool
            .write(move |c| secrets::adopt(c, &n, &candidate, now))
            .await
    }

    async fn set_sns_topic_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool
            .write(move |c| sns::set_topic_attributes(c, &a, &n, &attributes))
            .await
    }

    async fn create_sns_subscription(
        &self,
        subscription: crate::sns::SnsSubscription,
    ) -> Result<crate::sns::SnsSubscription, StoreError> {
        self.pool
            .write(move |c| sns::create_subscription(c, &subscription))
            .await
    }

    async fn get_sns_subscription(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsSubscription>, StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool
            .read(move |c| sns::get_subscription(c, &a, &n))
            .await
    }

    async fn confirm_sns_subscription(
        &self,
        account: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<crate::sns::SnsSubscription, StoreError> {
        let (a, t, k) = (own(account), own(topic_arn), own(token));
        self.pool
            .write(move |c| sns::confirm_subscription(c, &a, &t, &k))
            .await
    }

    async fn set_sns_subscription_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool
            .write(move |c| sns::set_subscription_attributes(c, &a, &n, &attributes))
            .await
    }

    async fn delete_sns_subscription(&self, account: &str, arn: &str) -> Result<(), StoreError> {
        let (a, n) = (own(account), own(arn));
        self.pool
            .write(move |c| sns::delete_subscription(c, &a, &n))
            .await
    }

    async fn list_sns_subscriptions(
        &self,
        account: &str,
        topic_arn: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsSubscription>, StoreError> {
        let (a, t, s) = (own(account), topic_arn.map(own), after.map(own));
        self.pool
            .read(move |c| sns::list_subscriptions(c, &a, t.as_deref(), s.as_deref(), limit))
            .await
    }

    async fn put_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
        body: serde_json::Value,
        mode: PutMode,
        now: Millis,
    ) -> Result<(), StoreError> {
        let (a, k) = (own(account), own(key));
        self.pool
            .write(move |c| items::put(c, &a, kind, &k, &body, mode, now))
            .await
    }

    async fn put_items(&self, puts: Vec<ItemPut>) -> Result<(), StoreError> {
        if puts.is_empty() {
            return Ok(());
        }
        self.pool
            .write(move |c| {
                puts.iter().try_for_each(|p| {
                    items::put(c, &p.account_id, p.kind, &p.key, &p.body, p.mode, p.now)
                })
            })
            .await
    }

    async fn get_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<Option<Item>, StoreError> {
        // A point lookup: cheaper on this thread than a hop to the pool.
        self.pool
            .read_now(|c| items::get(c, account, kind, key))
            .await
    }

    async fn list_items(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Item>, StoreError> {
        let (a, p, s) = (own(account), own(prefix), after.map(own));
        self.pool
            .read(move |c| items::list(c, &a, kind, &p, s.as_deref(), limit))
            .await
    }

    async fn delete_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<bool, StoreError> {
        let (a, k) = (own(account), own(key));
        self.pool
            .write(move |c| items::delete(c, &a, kind, &k))
            .await
    }

    async fn delete_items_with_prefix(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
    ) -> Result<usize, StoreError> {
        let (a, p) = (own(account), own(prefix));
        self.pool
            .write(move |c| items::delete_prefix(c, &a, kind, &p))
            .await
    }

    async fn put_message_content(
        &self,
        account: &str,
        message_id: &str,
        contents: Vec<(String, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        let (a, m) = (own(account), own(message_id));
        self.pool
            .write(move |c| items::put_content(c, &a, &m, &contents))
            .await
    }

    async fn message_content(
        &self,
        account: &str,
        message_id: &str,
        recipient: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let (a, m, r) = (own(account), own(message_id), recipient.map(own));
        self.pool
            .read(move |c| items::content(c, &a, &m, r.as_deref()))
            .await
    }

    async fn machine_activity(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<MachineActivity>, StoreError> {
        let (a, m) = (own(account), own(message_id));
        self.pool
            .read(move |c| items::machine_activity(c, &a, &m))
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.pool.read(monitoring::ping).await
    }

    async fn size_bytes(&self) -> Result<u64, StoreError> {
        self.pool.read(monitoring::size_bytes).await
    }

    async fn outbox_depth(&self, limit: usize) -> Result<Vec<TargetDepth>, StoreError> {
        self.pool
            .read(move |c| monitoring::outbox_depth(c, limit))
            .await
    }

    async fn create_export_job(&self, job: crate::ExportJob) -> Result<(), StoreError> {
        self.pool.write(move |c| exports::create(c, &job)).await
    }

    async fn get_export_job(
        &self,
        account: &str,
        job_id: &str,
    ) -> Result<Option<crate::ExportJob>, StoreError> {
        self.pool
            .read_now(|c| exports::get(c, account, job_id))
            .await
    }

    async fn list_export_jobs(
        &self,
        account: &str,
        filter: &crate::ExportFilter,
        before: Option<&crate::ExportCursor>,
        limit: usize,
    ) -> Result<Vec<crate::ExportJob>, StoreError> {
        self.pool
            .read_now(|c| exports::list(c, account, filter, before, limit))
            .await
    }

    async fn update_export_job(
        &self,
        job: &crate::ExportJob,
        expect: &[crate::ExportStatus],
    ) -> Result<bool, StoreError> {
        let (job, expect) = (job.clone(), expect.to_vec());
        self.pool
            .write(move |c| exports::update(c, &job, &expect))
            .await
    }

    async fn unfinished_export_jobs(
        &self,
        limit: usize,
    ) -> Result<Vec<crate::ExportJob>, StoreError> {
        self.pool.read(move |c| exports::unfinished(c, limit)).await
    }

    async fn lease_export_job(
        &self,
        account: &str,
        job_id: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool, StoreError> {
        let (account, job_id) = (account.to_owned(), job_id.to_owned());
        self.pool
            .write(move |c| exports::lease(c, &account, &job_id, now, until))
            .await
    }

    async fn renew_export_lease(
        &self,
        account: &str,
        job_id: &str,
        until: Millis,
    ) -> Result<bool, StoreError> {
        let (account, job_id) = (account.to_owned(), job_id.to_owned());
        self.pool
            .write(move |c| exports::renew(c, &account, &job_id, until))
            .await
    }
}
