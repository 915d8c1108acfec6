//! SNS topics and subscriptions (schema version 3).
//!
//! Every query names the account as well as the ARN, so one account can
//! never read or change another's topics even when handed a foreign ARN.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::StoreError;
use crate::sns::{SnsSubscription, SnsTopic, SubscriptionStatus};
use crate::types::Page;

const TOPIC_COLUMNS: &str = "account_id, arn, name, attributes, created_at";
const SUBSCRIPTION_COLUMNS: &str =
    "arn, topic_arn, account_id, protocol, endpoint, status, token, attributes, created_at";

fn topic_row(r: &Row<'_>) -> rusqlite::Result<(String, String, String, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_topic(
    (account_id, arn, name, attributes, created_at): (String, String, String, String, i64),
) -> Result<SnsTopic, StoreError> {
    Ok(SnsTopic {
        account_id,
        arn,
        name,
        attributes: serde_json::from_str(&attributes)?,
        created_at,
    })
}

type SubscriptionRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

fn subscription_row(r: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn to_subscription(row: SubscriptionRow) -> Result<SnsSubscription, StoreError> {
    let (arn, topic_arn, account_id, protocol, endpoint, status, token, attributes, created_at) =
        row;
    let status = SubscriptionStatus::parse(&status)
        .ok_or_else(|| StoreError::Backend(format!("unknown subscription status {status:?}")))?;
    Ok(SnsSubscription {
        arn,
        topic_arn,
        account_id,
        protocol,
        endpoint,
        status,
        token,
        attributes: serde_json::from_str(&attributes)?,
        created_at,
    })
}

pub(crate) fn create_topic(c: &Connection, topic: &SnsTopic) -> Result<SnsTopic, StoreError> {
    c.execute(
        "INSERT INTO sns_topics (account_id, arn, name, attributes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (arn) DO NOTHING",
        params![
            topic.account_id,
            topic.arn,
            topic.name,
            topic.attributes.to_string(),
            topic.created_at
        ],
    )?;
    get_topic(c, &topic.account_id, &topic.arn)?.ok_or_else(|| {
        // The ARN names its account, so this means another account's ARN.
        StoreError::AlreadyExists(format!("Topic {}", topic.arn))
    })
}

pub(crate) fn get_topic(
    c: &Connection,
    acct: &str,
    arn: &str,
) -> Result<Option<SnsTopic>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE account_id = ?1 AND arn = ?2"
    ))?
    .query_row(params![acct, arn], topic_row)
    .optional()?
    .map(to_topic)
    .transpose()
}

pub(crate) fn list_topics(
    c: &Connection,
    acct: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<SnsTopic>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {TOPIC_COLUMNS} FROM sns_topics WHERE account_id = ?1 AND arn > ?2
         ORDER BY arn LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![acct, after.unwrap_or(""), limit as i64 + 1],
            topic_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let topics = rows
        .into_iter()
        .map(to_topic)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(super::configuration_sets::paginate(topics, limit, |t| {
        t.arn.clone()
    }))
}

pub(crate) fn set_topic_attributes(
    c: &Connection,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    set_attributes(c, Attributed::Topic, acct, arn, attributes)
}

pub(crate) fn delete_topic(c: &Connection, acct: &str, arn: &str) -> Result<(), StoreError> {
    // Explicit, so the subscriptions go even if foreign keys were off.
    c.execute(
        "DELETE FROM sns_subscriptions WHERE account_id = ?1 AND topic_arn = ?2",
        params![acct, arn],
    )?;
    let n = c.execute(
        "DELETE FROM sns_topics WHERE account_id = ?1 AND arn = ?2",
        params![acct, arn],
    )?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Topic {arn}")))
    } else {
        Ok(())
    }
}

pub(crate) fn create_subscription(
    c: &Connection,
    s: &SnsSubscription,
) -> Result<SnsSubscription, StoreError> {
    if get_topic(c, &s.account_id, &s.topic_arn)?.is_none() {
        return Err(StoreError::NotFound(format!("Topic {}", s.topic_arn)));
    }
    c.execute(
        "INSERT INTO sns_subscriptions
             (arn, topic_arn, account_id, protocol, endpoint, status, token, attributes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (topic_arn, protocol, endpoint) DO NOTHING",
        params![
            s.arn,
            s.topic_arn,
            s.account_id,
            s.protocol,
            s.endpoint,
            s.status.as_str(),
            s.token,
            s.attributes.to_string(),
            s.created_at
        ],
    )?;
    c.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
             WHERE topic_arn = ?1 AND protocol = ?2 AND endpoint = ?3"
    ))?
    .query_row(
        params![s.topic_arn, s.protocol, s.endpoint],
        subscription_row,
    )
    .map_err(StoreError::from)
    .and_then(to_subscription)
}

pub(crate) fn get_subscription(
    c: &Connection,
    acct: &str,
    arn: &str,
) -> Result<Option<SnsSubscription>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions WHERE account_id = ?1 AND arn = ?2"
    ))?
    .query_row(params![acct, arn], subscription_row)
    .optional()?
    .map(to_subscription)
    .transpose()
}

pub(crate) fn confirm_subscription(
    c: &Connection,
    acct: &str,
    topic_arn: &str,
    token: &str,
) -> Result<SnsSubscription, StoreError> {
    let arn: Option<String> = c
        .prepare_cached(
            "SELECT arn FROM sns_subscriptions
             WHERE account_id = ?1 AND topic_arn = ?2 AND token = ?3",
        )?
        .query_row(params![acct, topic_arn, token], |r| r.get(0))
        .optional()?;
    let Some(arn) = arn else {
        return Err(StoreError::NotFound("Subscription with this token".into()));
    };
    c.execute(
        "UPDATE sns_subscriptions SET status = 'confirmed' WHERE arn = ?1",
        params![arn],
    )?;
    get_subscription(c, acct, &arn)?
        .ok_or_else(|| StoreError::NotFound(format!("Subscription {arn}")))
}

pub(crate) fn set_subscription_attributes(
    c: &Connection,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    set_attributes(c, Attributed::Subscription, acct, arn, attributes)
}

pub(crate) fn delete_subscription(c: &Connection, acct: &str, arn: &str) -> Result<(), StoreError> {
    let n = c.execute(
        "DELETE FROM sns_subscriptions WHERE account_id = ?1 AND arn = ?2",
        params![acct, arn],
    )?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Subscription {arn}")))
    } else {
        Ok(())
    }
}

pub(crate) fn list_subscriptions(
    c: &Connection,
    acct: &str,
    topic_arn: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<SnsSubscription>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM sns_subscriptions
         WHERE account_id = ?1 AND (?2 IS NULL OR topic_arn = ?2) AND arn > ?3
         ORDER BY arn LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            params![acct, topic_arn, after.unwrap_or(""), limit as i64 + 1],
            subscription_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let subs = rows
        .into_iter()
        .map(to_subscription)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(super::configuration_sets::paginate(subs, limit, |s| {
        s.arn.clone()
    }))
}

/// Whose attributes [`set_attributes`] replaces.
#[derive(Clone, Copy)]
enum Attributed {
    Topic,
    Subscription,
}

/// Replaces a topic's or a subscription's attributes (`NotFound` if absent).
fn set_attributes(
    c: &Connection,
    owner: Attributed,
    acct: &str,
    arn: &str,
    attributes: &serde_json::Value,
) -> Result<(), StoreError> {
    let (sql, what) = match owner {
        Attributed::Topic => (
            "UPDATE sns_topics SET attributes = ?3 WHERE account_id = ?1 AND arn = ?2",
            "Topic",
        ),
        Attributed::Subscription => (
            "UPDATE sns_subscriptions SET attributes = ?3 WHERE account_id = ?1 AND arn = ?2",
            "Subscription",
        ),
    };
    let n = c.execute(sql, params![acct, arn, attributes.to_string()])?;
    if n == 0 {
        Err(StoreError::NotFound(format!("{what} {arn}")))
    } else {
        Ok(())
    }
}
