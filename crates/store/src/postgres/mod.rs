//! The PostgreSQL backend: the same tables and rules as the SQLite one
//! (see `sqlite`), for deployments that keep their data in a database
//! server, and later for several mailsight processes sharing it.
//!
//! [`PostgresStore`] holds a pool of connections (`deadpool-postgres`;
//! connections are opened when first needed, and each keeps its prepared
//! statements). Every write is one transaction, and a method returns `Ok`
//! only after its COMMIT. Files, one per table group as in `sqlite`:
//! [`schema`] (the migrations, applied at open), [`configuration_sets`],
//! [`identities`], [`events`] (messages, records, events, the schedule),
//! [`rollups`], [`search`], [`outbox`], [`sns`], [`items`], [`exports`],
//! [`monitoring`], and [`db`], the query helpers. Record bodies use the
//! shared codec (`crate::codec`), the rollups the shared counting
//! (`crate::tally`), the search index the shared terms (`crate::search`).
//!
//! Where work is claimed (outbox deliveries, scheduled records falling due)
//! the rows are taken with `FOR UPDATE SKIP LOCKED`, so several processes
//! on one database do not take the same row twice. After a commit that made
//! work (records to deliver, events scheduled) the store sends `NOTIFY
//! mailsight_work` ([`announce`]); each store listens on a connection of its
//! own ([`listen`]) and wakes its process's workers ([`Store::work_signal`]),
//! so work one process stores is taken up by any other at once rather than
//! at its next poll.

mod configuration_sets;
mod db;
mod events;
mod exports;
mod identities;
mod items;
mod monitoring;
mod outbox;
mod rollups;
mod schema;
mod search;
mod secrets;
mod sns;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use mailsight_model::EventType;
use tokio_postgres::NoTls;

use crate::codec;
use crate::error::StoreError;
use crate::items::{Item, ItemKind, ItemPut, MachineActivity, PutMode};
use crate::metrics::{MetricQuery, Point, RebuildReport};
use crate::target::Target;
use crate::traits::Store;
use crate::types::*;

/// How many connections one process keeps open at most.
const MAX_CONNECTIONS: usize = 16;

/// How long opening a connection may take unless the URL says otherwise.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The channel of the work notifications.
const WORK_CHANNEL: &str = "mailsight_work";

/// A [`Store`] on one PostgreSQL database.
pub struct PostgresStore {
    pool: Pool,
    /// Notified when any process commits work ([`listen`]).
    work: std::sync::Arc<tokio::sync::Notify>,
    /// Notified after this process commits work ([`announce`]).
    announce: std::sync::Arc<tokio::sync::Notify>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Lets the announcer see the store is gone.
        self.announce.notify_one();
    }
}

/// Whether `url` names a PostgreSQL database (`postgres://` or
/// `postgresql://`), as `--database` takes it.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` without its user and password, for logs and the startup summary.
pub fn redacted(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}{}", &url[..start], &url[start + at + 1..]),
        None => url.to_owned(),
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`)
    /// and migrates it. Fails if the server cannot be reached.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?;
        // Without one, a server that drops packets would hang every request
        // waiting for a connection; the URL's `connect_timeout` wins.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let listen_config = config.clone();
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(MAX_CONNECTIONS)
            .build()
            .map_err(|e| StoreError::Backend(format!("cannot make the connection pool: {e}")))?;
        let work = std::sync::Arc::new(tokio::sync::Notify::new());
        let announcer = std::sync::Arc::new(tokio::sync::Notify::new());
        let store = PostgresStore {
            pool: pool.clone(),
            work: work.clone(),
            announce: announcer.clone(),
        };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        drop(client);
        tokio::spawn(listen(listen_config, std::sync::Arc::downgrade(&work)));
        tokio::spawn(announce(pool, std::sync::Arc::downgrade(&announcer)));
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Backend(format!("cannot reach PostgreSQL: {e}")))
    }
}

/// Keeps a connection that listens on [`WORK_CHANNEL`] and wakes every
/// task waiting on `work` at each notification, reconnecting after a
/// failure, until the store (the last holder of `work`) is gone.
async fn listen(config: tokio_postgres::Config, work: std::sync::Weak<tokio::sync::Notify>) {
    use std::task::Poll;
    use tokio_postgres::AsyncMessage;
    let mut check = tokio::time::interval(std::time::Duration::from_secs(2));
    while work.strong_count() > 0 {
        let (client, mut connection) = match config.connect(NoTls).await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(error = %e, "cannot listen for work; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        // The connection delivers the notifications; it is driven here,
        // beside the LISTEN that starts them.
        let messages = std::future::poll_fn(|cx| {
            loop {
                match connection.poll_message(cx) {
                    Poll::Ready(Some(Ok(AsyncMessage::Notification(_)))) => match work.upgrade() {
                        Some(w) => w.notify_waiters(),
                        None => return Poll::Ready(()),
                    },
                    Poll::Ready(Some(Ok(_))) => {}
                    Poll::Ready(Some(Err(_)) | None) => return Poll::Ready(()),
                    Poll::Pending => return Poll::Pending,
                }
            }
        });
        let listening = async {
            if let Err(e) = client
                .batch_execute(&format!("LISTEN {WORK_CHANNEL}"))
                .await
            {
                tracing::debug!(error = %e, "LISTEN failed");
                return;
            }
            while work.strong_count() > 0 {
                check.tick().await;
            }
        };
        // Ends when the connection does, or when the store is gone.
        tokio::select! {
            () = messages => {}
            () = listening => return,
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Sends `NOTIFY` on [`WORK_CHANNEL`] after commits that made work, at
/// most one at a time (commits meanwhile share the next), on a pooled
/// connection of its own, until the store is gone.
///
/// Not inside the writing transaction: PostgreSQL serialises the commits
/// of transactions that notify (one lock on the notification queue, held
/// through the commit's flush), which would put every SendEmail in line
/// behind the one before; measured, that cut SendEmail to a ninth.
async fn announce(pool: Pool, wanted: std::sync::Weak<tokio::sync::Notify>) {
    loop {
        let Some(w) = wanted.upgrade() else { return };
        // Wakes for the store's last reference too: `Drop` notifies.
        w.notified().await;
        drop(w);
        if wanted.strong_count() == 0 {
            return;
        }
        match pool.get().await {
            Ok(client) => {
                if let Err(e) = client
                    .batch_execute(&format!("NOTIFY {WORK_CHANNEL}"))
                    .await
                {
                    tracing::debug!(error = %e, "NOTIFY failed");
                }
            }
            Err(e) => tracing::debug!(error = %e, "no connection to NOTIFY on"),
        }
    }
}

/// Runs `$body` (a future) in a transaction on a pooled connection, and
/// returns its result once committed; an error rolls the transaction back.
macro_rules! write {
    ($self:ident, $tx:ident => $body:expr) => {{
        let mut client = $self.client().await?;
        let $tx = client.transaction().await?;
        let out = $body.await?;
        $tx.commit().await?;
        Ok(out)
    }};
}

/// Runs `$body` (a future) on a pooled connection, outside a transaction.
macro_rules! read {
    ($self:ident, $c:ident => $body:expr) => {{
        let client = $self.client().await?;
        let $c = &client;
        $body.await
    }};
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_configuration_set(
        &self,
        account: &str,
        set: ConfigurationSet,
    ) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::create_set(&tx, account, &set))
    }

    async fn get_configuration_set(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<ConfigurationSet>, StoreError> {
        read!(self, c => configuration_sets::get_set(c, account, name))
    }

    async fn update_configuration_set(
        &self,
        account: &str,
        name: &str,
        options: serde_json::Value,
    ) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::update_set(&tx, account, name, &options))
    }

    async fn list_configuration_sets(
        &self,
        account: &str,
        contains: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<String>, StoreError> {
        read!(self, c => configuration_sets::list_sets(c, account, contains, after, limit))
    }

    async fn delete_configuration_set(&self, account: &str, name: &str) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::delete_set(&tx, account, name))
    }

    async fn create_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::create_destination(&tx, account, set, &destination))
    }

    async fn list_event_destinations(
        &self,
        account: &str,
        set: &str,
    ) -> Result<Vec<EventDestination>, StoreError> {
        read!(self, c => configuration_sets::list_destinations(c, account, set))
    }

    async fn update_event_destination(
        &self,
        account: &str,
        set: &str,
        destination: EventDestination,
    ) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::update_destination(&tx, account, set, &destination))
    }

    async fn delete_event_destination(
        &self,
        account: &str,
        set: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        write!(self, tx => configuration_sets::delete_destination(&tx, account, set, name))
    }

    async fn create_identity(&self, account: &str, identity: Identity) -> Result<(), StoreError> {
        write!(self, tx => identities::create_identity(&tx, account, &identity))
    }

    async fn get_identity(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<Identity>, StoreError> {
        read!(self, c => identities::get_identity(c, account, name))
    }

    async fn list_identities(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Identity>, StoreError> {
        read!(self, c => identities::list_identities(c, account, after, limit))
    }

    async fn delete_identity(&self, account: &str, name: &str) -> Result<(), StoreError> {
        write!(self, tx => identities::delete_identity(&tx, account, name))
    }

    async fn set_identity_tags(
        &self,
        account: &str,
        name: &str,
        tags: serde_json::Value,
    ) -> Result<(), StoreError> {
        write!(self, tx => identities::set_tags(&tx, account, name, &tags))
    }

    async fn set_identity_configuration_set(
        &self,
        account: &str,
        name: &str,
        configuration_set: Option<String>,
    ) -> Result<(), StoreError> {
        write!(self, tx => identities::set_configuration_set(&tx, account, name, configuration_set.as_deref()))
    }

    async fn set_identity_attributes(
        &self,
        account: &str,
        name: &str,
        attributes: IdentityAttributes,
    ) -> Result<(), StoreError> {
        write!(self, tx => identities::set_attributes(&tx, account, name, &attributes))
    }

    async fn insert_message(
        &self,
        message: Message,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError> {
        let encoded = codec::encode_all(&now)?;
        let stored: Result<(), StoreError> =
            write!(self, tx => events::insert_message(&tx, &message, &now, &encoded, &later));
        stored?;
        self.announce.notify_one();
        Ok(())
    }

    async fn insert_sent_message(
        &self,
        message: Message,
        contents: Vec<(String, Vec<u8>)>,
        now: Vec<NewRecord>,
        later: Vec<ScheduledRecord>,
    ) -> Result<(), StoreError> {
        let encoded = codec::encode_all(&now)?;
        let (account, id) = (&message.account_id, &message.message_id);
        let stored: Result<(), StoreError> = write!(self, tx => async {
            items::put_content(&tx, account, id, &contents).await?;
            events::insert_message(&tx, &message, &now, &encoded, &later).await
        });
        stored?;
        self.announce.notify_one();
        Ok(())
    }

    async fn ingest(&self, batch: Vec<(Message, NewRecord)>) -> Result<usize, StoreError> {
        let encoded = codec::encode_batch(&batch)?;
        let fresh: Result<usize, StoreError> =
            write!(self, tx => events::ingest(&tx, &batch, &encoded));
        let fresh = fresh?;
        if fresh > 0 {
            self.announce.notify_one();
        }
        Ok(fresh)
    }

    async fn append_records(&self, records: Vec<NewRecord>) -> Result<usize, StoreError> {
        let encoded = codec::encode_all(&records)?;
        let fresh: Result<usize, StoreError> = write!(self, tx => async {
            let fresh = events::append(&tx, &records, &encoded).await?;
            items::mark_machine(&tx, &records).await?;
            Ok::<_, StoreError>(fresh)
        });
        let fresh = fresh?;
        if fresh > 0 {
            self.announce.notify_one();
        }
        Ok(fresh)
    }

    async fn release_due(&self, now: Millis, limit: usize) -> Result<Vec<NewRecord>, StoreError> {
        let released: Result<Vec<NewRecord>, StoreError> =
            write!(self, tx => events::release_due(&tx, now, limit));
        let released = released?;
        if !released.is_empty() {
            self.announce.notify_one();
        }
        Ok(released)
    }

    fn work_signal(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        Some(self.work.clone())
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        read!(self, c => events::next_due(c))
    }

    async fn message_events(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Option<MessageEvents>, StoreError> {
        read!(self, c => events::message_events(c, account, message_id))
    }

    async fn message_records(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<(EventType, String)>, StoreError> {
        read!(self, c => events::message_records(c, account, message_id))
    }

    async fn count_messages_since(&self, account: &str, since: Millis) -> Result<u64, StoreError> {
        read!(self, c => events::count_messages_since(c, account, since))
    }

    async fn metric_series(
        &self,
        account: &str,
        queries: Vec<MetricQuery>,
        bucket: Millis,
    ) -> Result<Vec<Vec<Point>>, StoreError> {
        read!(self, c => async {
            let mut out = Vec::with_capacity(queries.len());
            for q in &queries {
                out.push(rollups::series(c, account, q, bucket).await?);
            }
            Ok::<_, StoreError>(out)
        })
    }

    async fn metric_breakdown(
        &self,
        account: &str,
        query: MetricQuery,
        dimension: mailsight_model::Dimension,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        read!(self, c => rollups::breakdown(c, account, &query, dimension, limit))
    }

    async fn metric_quarters(
        &self,
        account: &str,
        metric: mailsight_model::Metric,
        start: Millis,
        end: Millis,
    ) -> Result<Vec<Point>, StoreError> {
        read!(self, c => rollups::quarters(c, account, metric, start, end))
    }

    async fn rebuild_rollups(&self) -> Result<RebuildReport, StoreError> {
        write!(self, tx => rollups::rebuild(&tx))
    }

    async fn search_messages(
        &self,
        account: &str,
        query: &crate::search::SearchQuery,
        cursor: Option<crate::search::SearchCursor>,
        limit: usize,
    ) -> Result<crate::search::SearchPage, StoreError> {
        read!(self, c => search::search(c, account, query, cursor, limit))
    }

    async fn set_forwarders(&self, forwarders: Vec<ForwarderRoute>) -> Result<(), StoreError> {
        write!(self, tx => outbox::set_forwarders(&tx, &forwarders))
    }

    async fn due_targets(&self, now: Millis, limit: usize) -> Result<Vec<Target>, StoreError> {
        read!(self, c => outbox::due_targets(c, now, limit))
    }

    async fn claim_deliveries(
        &self,
        target: &Target,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let t = target.to_string();
        write!(self, tx => outbox::claim(&tx, &t, now, lease_until, limit))
    }

    async fn settle_delivery(
        &self,
        id: i64,
        at: Millis,
        result: AttemptResult,
    ) -> Result<(), StoreError> {
        write!(self, tx => outbox::settle(&tx, id, at, &result))
    }

    async fn list_deliveries(
        &self,
        filter: DeliveryFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        read!(self, c => outbox::list(c, &filter, before, limit))
    }

    async fn delivery_attempts(&self, id: i64) -> Result<Vec<Attempt>, StoreError> {
        read!(self, c => outbox::attempts(c, id))
    }

    async fn prune_delivered(&self, before: Millis) -> Result<usize, StoreError> {
        write!(self, tx => outbox::prune_delivered(&tx, before))
    }

    async fn replay_dead(&self, target: Option<&Target>, now: Millis) -> Result<usize, StoreError> {
        let t = target.map(Target::to_string);
        write!(self, tx => outbox::replay_dead(&tx, t.as_deref(), now))
    }

    async fn replay_dead_of(
        &self,
        account: &str,
        target: Option<&Target>,
        now: Millis,
    ) -> Result<usize, StoreError> {
        let t = target.map(Target::to_string);
        write!(self, tx => outbox::replay_dead_of(&tx, account, t.as_deref(), now))
    }

    async fn delivery_counts(
        &self,
        account: &str,
        after: Option<&Target>,
        limit: usize,
    ) -> Result<Vec<TargetCounts>, StoreError> {
        let t = after.map(Target::to_string);
        read!(self, c => outbox::counts(c, account, t.as_deref(), limit))
    }

    async fn create_sns_topic(
        &self,
        topic: crate::sns::SnsTopic,
    ) -> Result<crate::sns::SnsTopic, StoreError> {
        write!(self, tx => sns::create_topic(&tx, &topic))
    }

    async fn get_sns_topic(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsTopic>, StoreError> {
        read!(self, c => sns::get_topic(c, account, arn))
    }

    async fn list_sns_topics(
        &self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsTopic>, StoreError> {
        read!(self, c => sns::list_topics(c, account, after, limit))
    }

    async fn delete_sns_topic(&self, account: &str, arn: &str) -> Result<(), StoreError> {
        write!(self, tx => sns::delete_topic(&tx, account, arn))
    }

    async fn adopt_secret(
        &self,
        name: &str,
        candidate: Vec<u8>,
        now: Millis,
    ) -> Result<Vec<u8>, StoreError> {
        write!(self, tx => secrets::adopt(&tx, name, &candidate, now))
    }

    async fn set_sns_topic_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError> {
        write!(self, tx => sns::set_topic_attributes(&tx, account, arn, &attributes))
    }

    async fn create_sns_subscription(
        &self,
        subscription: crate::sns::SnsSubscription,
    ) -> Result<crate::sns::SnsSubscription, StoreError> {
        write!(self, tx => sns::create_subscription(&tx, &subscription))
    }

    async fn get_sns_subscription(
        &self,
        account: &str,
        arn: &str,
    ) -> Result<Option<crate::sns::SnsSubscription>, StoreError> {
        read!(self, c => sns::get_subscription(c, account, arn))
    }

    async fn confirm_sns_subscription(
        &self,
        account: &str,
        topic_arn: &str,
        token: &str,
    ) -> Result<crate::sns::SnsSubscription, StoreError> {
        write!(self, tx => sns::confirm_subscription(&tx, account, topic_arn, token))
    }

    async fn set_sns_subscription_attributes(
        &self,
        account: &str,
        arn: &str,
        attributes: serde_json::Value,
    ) -> Result<(), StoreError> {
        write!(self, tx => sns::set_subscription_attributes(&tx, account, arn, &attributes))
    }

    async fn delete_sns_subscription(&self, account: &str, arn: &str) -> Result<(), StoreError> {
        write!(self, tx => sns::delete_subscription(&tx, account, arn))
    }

    async fn list_sns_subscriptions(
        &self,
        account: &str,
        topic_arn: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<crate::sns::SnsSubscription>, StoreError> {
        read!(self, c => sns::list_subscriptions(c, account, topic_arn, after, limit))
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
        write!(self, tx => items::put(&tx, account, kind, key, &body, mode, now))
    }

    async fn put_items(&self, mut puts: Vec<ItemPut>) -> Result<(), StoreError> {
        if puts.is_empty() {
            return Ok(());
        }
        // One key order for every transaction, so that two batches touching
        // the same items (the suppression list learning from two ingests at
        // once) wait for each other rather than deadlock. The sort is
        // stable: of two puts of one key, the later still wins.
        puts.sort_by(|a, b| {
            (&a.account_id, a.kind.as_str(), &a.key).cmp(&(&b.account_id, b.kind.as_str(), &b.key))
        });
        write!(self, tx => async {
            for p in &puts {
                items::put(&tx, &p.account_id, p.kind, &p.key, &p.body, p.mode, p.now).await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    async fn get_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<Option<Item>, StoreError> {
        read!(self, c => items::get(c, account, kind, key))
    }

    async fn list_items(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Item>, StoreError> {
        read!(self, c => items::list(c, account, kind, prefix, after, limit))
    }

    async fn delete_item(
        &self,
        account: &str,
        kind: ItemKind,
        key: &str,
    ) -> Result<bool, StoreError> {
        write!(self, tx => items::delete(&tx, account, kind, key))
    }

    async fn delete_items_with_prefix(
        &self,
        account: &str,
        kind: ItemKind,
        prefix: &str,
    ) -> Result<usize, StoreError> {
        write!(self, tx => items::delete_prefix(&tx, account, kind, prefix))
    }

    async fn put_message_content(
        &self,
        account: &str,
        message_id: &str,
        contents: Vec<(String, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        write!(self, tx => items::put_content(&tx, account, message_id, &contents))
    }

    async fn message_content(
        &self,
        account: &str,
        message_id: &str,
        recipient: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        read!(self, c => items::content(c, account, message_id, recipient))
    }

    async fn machine_activity(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Vec<MachineActivity>, StoreError> {
        read!(self, c => items::machine_activity(c, account, message_id))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        read!(self, c => monitoring::ping(c))
    }

    async fn size_bytes(&self) -> Result<u64, StoreError> {
        read!(self, c => monitoring::size_bytes(c))
    }

    async fn outbox_depth(&self, limit: usize) -> Result<Vec<TargetDepth>, StoreError> {
        read!(self, c => monitoring::outbox_depth(c, limit))
    }

    async fn create_export_job(&self, job: crate::ExportJob) -> Result<(), StoreError> {
        write!(self, tx => exports::create(&tx, &job))
    }

    async fn get_export_job(
        &self,
        account: &str,
        job_id: &str,
    ) -> Result<Option<crate::ExportJob>, StoreError> {
        read!(self, c => exports::get(c, account, job_id))
    }

    async fn list_export_jobs(
        &self,
        account: &str,
        filter: &crate::ExportFilter,
        before: Option<&crate::ExportCursor>,
        limit: usize,
    ) -> Result<Vec<crate::ExportJob>, StoreError> {
        read!(self, c => exports::list(c, account, filter, before, limit))
    }

    async fn update_export_job(
        &self,
        job: &crate::ExportJob,
        expect: &[crate::ExportStatus],
    ) -> Result<bool, StoreError> {
        write!(self, tx => exports::update(&tx, job, expect))
    }

    async fn unfinished_export_jobs(
        &self,
        limit: usize,
    ) -> Result<Vec<crate::ExportJob>, StoreError> {
        read!(self, c => exports::unfinished(c, limit))
    }

    async fn lease_export_job(
        &self,
        account: &str,
        job_id: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool, StoreError> {
        write!(self, tx => exports::lease(&tx, account, job_id, now, until))
    }

    async fn renew_export_lease(
        &self,
        account: &str,
        job_id: &str,
        until: Millis,
    ) -> Result<bool, StoreError> {
        write!(self, tx => exports::renew(&tx, account, job_id, until))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacted_drops_user_and_password() {
        assert_eq!(
            super::redacted("postgres://u:secret@db.example:5432/mail"),
            "postgres://db.example:5432/mail"
        );
        assert_eq!(super::redacted("postgres://db/mail"), "postgres://db/mail");
    }
}
