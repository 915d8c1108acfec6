//! SNS topics and subscriptions, as `sqlite::sns` keeps them. Every query
//! names the account as well as the ARN, so one account can never read or
//! change another's topics even when handed a foreign ARN.

use tokio_postgres::Row;

use super::db::{Db, col, execute, query, query_one, query_opt};
use crate::error::StoreError;
use crate::sns::{SnsSubscription, SnsTopic, SubscriptionStatus};
use crate::types::{Page, paginate};

const TOPIC_COLUMNS: &str = "account_id, arn, name, attributes, created_at";
const SUBSCRIPTION_COLUMNS: &str =
    "arn, topic_arn, account_id, protocol, endpoint, status, token, attributes, created_at";

fn to_topic(r: &Row) -> Result<SnsTopic, StoreError> {
    Ok(SnsTopic {
        account_id: col(r, 0)?,
        arn: col(r, 1)?,
        name: col(r, 2)?,
        attributes: serde_json::from_str(col::<&str>(r, 3)?)?,
        created_at: col(r, 4)?,
    })
}

fn to_subscription(r: &Row) -> Result<SnsSubscription, StoreError> {
    let status: &str = col(r, 5)?;
    let status = SubscriptionStatus::parse(status)
        .ok_or_else(|| StoreError::Backend(format!("unknown subscription status {status:?}")))?;
    Ok(SnsSubscription {
        arn: col(r, 0)?,
        topic_arn: col(r, 1)?,
        account_id: col(r, 2)?,
        protocol: col(r, 3)?,
        endpoint: col(r, 4)?,
        status,
        token: col(r, 6)?,
        attributes: serde_json::from_str(col::<&str>(r, 7)?)?,
        created_at: col(r, 8)?,
    })
}

pub(crate) async fn create_topic(c: &impl Db, topic: &SnsTopic) -> Result<SnsTopic, StoreError> {
    execute(
        c,
        "INSERT INTO sns_topics (account_id, arn, name, attributes, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arn) DO NOTHING",
        &[
            &topic.account_id,
            &topic.arn,
            &topic.name,
            &topic.attributes.to_string(),
            &topic.created_at,
        ],
    )
    .await?;
    get_topic(c, &topic.account_id, &topic.arn)
        .await?
        .ok_or_else(|| {
            // The ARN names its account, so this means another account's ARN.
            StoreError::AlreadyExists(format!("Topic {}", topic.arn))
        })
}

pub(crate) async fn get_topic(
    c: &impl Db,
    acct: &str,
    arn: &str,
) -> Result<Option<SnsTopic>, StoreError> {
    query_opt(
        c,
        &format!("SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE account_id = $1 AND arn = $2"),
        &[&acct, &arn],
    )
    .await?
    .map(|r| to_topic(&r))
    .transpose()
}

pub(crate) async fn list_topics(
    c: &impl Db,
    acct: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<SnsTopic>, StoreError> {
    let rows = query(
        c,
        &format!(
            "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE account_id = $1 AND arn > $2
             ORDER BY arn LIMIT $3"
        ),
        &[&acct, &after.unwrap_or(""), &(limit as i64 + 1)],
    )
    .await?;
    let topics = rows.iter().map(to_topic).collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(topics, limit, |t| t.arn.clone()))
}

pub(crate) async fn set_topic_attributes(
    c: &impl Db,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    set_attributes(c, Attributed::Topic, acct, arn, attributes).await
}

pub(crate) async fn delete_topic(c: &impl Db, acct: &str, arn: &str) -> Result<(), StoreError> {
    execute(
        c,
        "DELETE FROM sns_subscriptions WHERE account_id = $1 AND topic_arn = $2",
        &[&acct, &arn],
    )
    .await?;
    let n = execute(
        c,
        "DELETE FROM sns_topics WHERE account_id = $1 AND arn = $2",
        &[&acct, &arn],
    )
    .await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Topic {arn}")))
    } else {
        Ok(())
    }
}

pub(crate) async fn create_subscription(
    c: &impl Db,
    s: &SnsSubscription,
) -> Result<SnsSubscription, StoreError> {
    // FOR SHARE: the topic cannot be deleted under the new subscription.
    let topic = query_opt(
        c,
        "SELECT 1 FROM sns_topics WHERE account_id = $1 AND arn = $2 FOR SHARE",
        &[&s.account_id, &s.topic_arn],
    )
    .await?;
    if topic.is_none() {
        return Err(StoreError::NotFound(format!("Topic {}", s.topic_arn)));
    }
    execute(
        c,
        "INSERT INTO sns_subscriptions
             (arn, topic_arn, account_id, protocol, endpoint, status, token, attributes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (topic_arn, protocol, endpoint) DO NOTHING",
        &[
            &s.arn,
            &s.topic_arn,
            &s.account_id,
            &s.protocol,
            &s.endpoint,
            &s.status.as_str(),
            &s.token,
            &s.attributes.to_string(),
            &s.created_at,
        ],
    )
    .await?;
    let row = query_one(
        c,
        &format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
             WHERE topic_arn = $1 AND protocol = $2 AND endpoint = $3"
        ),
        &[&s.topic_arn, &s.protocol, &s.endpoint],
    )
    .await?;
    to_subscription(&row)
}

pub(crate) async fn get_subscription(
    c: &impl Db,
    acct: &str,
    arn: &str,
) -> Result<Option<SnsSubscription>, StoreError> {
    query_opt(
        c,
        &format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions WHERE account_id = $1 AND arn = $2"
        ),
        &[&acct, &arn],
    )
    .await?
    .map(|r| to_subscription(&r))
    .transpose()
}

pub(crate) async fn confirm_subscription(
    c: &impl Db,
    acct: &str,
    topic_arn: &str,
    token: &str,
) -> Result<SnsSubscription, StoreError> {
    let row = query_opt(
        c,
        &format!(
            "UPDATE sns_subscriptions SET status = 'confirmed'
             WHERE account_id = $1 AND topic_arn = $2 AND token = $3
             RETURNING {SUBSCRIPTION_COLUMNS}"
        ),
        &[&acct, &topic_arn, &token],
    )
    .await?;
    match row {
        Some(r) => to_subscription(&r),
        None => Err(StoreError::NotFound("Subscription with this token".into())),
    }
}

pub(crate) async fn set_subscription_attributes(
    c: &impl Db,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    set_attributes(c, Attributed::Subscription, acct, arn, attributes).await
}

pub(crate) async fn delete_subscription(
    c: &impl Db,
    acct: &str,
    arn: &str,
) -> Result<(), StoreError> {
    let n = execute(
        c,
        "DELETE FROM sns_subscriptions WHERE account_id = $1 AND arn = $2",
        &[&acct, &arn],
    )
    .await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Subscription {arn}")))
    } else {
        Ok(())
    }
}

pub(crate) async fn list_subscriptions(
    c: &impl Db,
    acct: &str,
    topic_arn: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<SnsSubscription>, StoreError> {
    let rows = query(
        c,
        &format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
             WHERE account_id = $1 AND ($2::text IS NULL OR topic_arn = $2) AND arn > $3
             ORDER BY arn LIMIT $4"
        ),
        &[&acct, &topic_arn, &after.unwrap_or(""), &(limit as i64 + 1)],
    )
    .await?;
    let subs = rows
        .iter()
        .map(to_subscription)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(subs, limit, |s| s.arn.clone()))
}

/// Whose attributes [`set_attributes`] replaces.
#[derive(Clone, Copy)]
enum Attributed {
    Topic,
    Subscription,
}

/// Replaces a topic's or a subscription's attributes (`NotFound` if absent).
async fn set_attributes(
    c: &impl Db,
    owner: Attributed,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    let (sql, what) = match owner {
        Attributed::Topic => (
            "UPDATE sns_topics SET attributes = $3 WHERE account_id = $1 AND arn = $2",
            "Topic",
        ),
        Attributed::Subscription => (
            "UPDATE sns_subscriptions SET attributes = $3 WHERE account_id = $1 AND arn = $2",
            "Subscription",
        ),
    };
    let n = execute(c, sql, &[&acct, &arn, &attributes.to_string()]).await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("{what} {arn}")))
    } else {
        Ok(())
    }
}
