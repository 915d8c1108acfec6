//! The account actions of SES v1, each answering the inner XML of its
//! `<{Action}Result>` from the same engine calls SES v2 uses: the send
//! quota and `GetSendStatistics` from the rollups
//! (`engine::analytics::sending`), the sending switch from
//! `engine::account` (SES v2's `PutAccountSendingAttributes`).

use mailsight_engine::account::{sending_enabled, set_sending_enabled};
use mailsight_engine::analytics::sending;
use mailsight_model::now_ms;

use super::errors::store_error;
use super::{Answer, SesCall};
use crate::query::{Xml, xml};

pub async fn get_send_quota(c: &SesCall<'_>) -> Answer {
    let q = sending::quota(c.store(), c.account(), now_ms())
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    x.double("Max24HourSend", q.max_24_hour_send)
        .double("MaxSendRate", q.max_send_rate)
        .double("SentLast24Hours", q.sent_last_24_hours);
    Ok(Some(x.finish()))
}

pub async fn get_send_statistics(c: &SesCall<'_>) -> Answer {
    let points = sending::send_statistics(c.store(), c.account(), now_ms())
        .await
        .map_err(store_error)?;
    Ok(Some(statistics_xml(&points)))
}

/// `SendDataPoints`, one `member` per quarter.
fn statistics_xml(points: &[sending::SendDataPoint]) -> String {
    let mut x = Xml::new();
    x.list("SendDataPoints", points, |x, p| {
        x.text("Timestamp", &xml::timestamp(p.at))
            .text("DeliveryAttempts", &p.delivery_attempts.to_string())
            .text("Bounces", &p.bounces.to_string())
            .text("Complaints", &p.complaints.to_string())
            .text("Rejects", &p.rejects.to_string());
    });
    x.finish()
}

pub async fn get_account_sending_enabled(c: &SesCall<'_>) -> Answer {
    let enabled = sending_enabled(c.store(), c.account())
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    x.text("Enabled", if enabled { "true" } else { "false" });
    Ok(Some(x.finish()))
}

/// `Enabled` is optional in the model; absent is `false`, as SES reads it.
pub async fn update_account_sending_enabled(c: &SesCall<'_>) -> Answer {
    let enabled = c.params.flag("Enabled")?;
    set_sending_enabled(c.store(), c.account(), enabled, now_ms())
        .await
        .map_err(store_error)?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sending::SendDataPoint;

    #[test]
    fn statistics_are_members_with_iso_timestamps() {
        let points = [SendDataPoint {
            at: 1_767_608_100_000,
            delivery_attempts: 5,
            bounces: 2,
            complaints: 1,
            rejects: 1,
        }];
        assert_eq!(
            statistics_xml(&points),
            "<SendDataPoints><member><Timestamp>2026-01-05T10:15:00Z</Timestamp>\
             <DeliveryAttempts>5</DeliveryAttempts><Bounces>2</Bounces><Complaints>1</Complaints>\
             <Rejects>1</Rejects></member></SendDataPoints>"
        );
        assert_eq!(statistics_xml(&[]), "<SendDataPoints></SendDataPoints>");
    }
}
