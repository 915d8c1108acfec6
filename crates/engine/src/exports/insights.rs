//! `MESSAGE_INSIGHTS` exports: one row per recipient of each message sent
//! in the range, newest first, with the message's sender, subject and
//! tenant, the recipient's ISP, and its last delivery and engagement
//! events as SES orders them (`SEND < BOUNCE < DELIVERY < COMPLAINT`,
//! `OPEN < CLICK`), filtered by `Include` and `Exclude`.
//!
//! Messages come from the search index by send time, a page at a time (a
//! single `Destination`, `FromEmailAddress` or `Isp` to include narrows the
//! index lookup); each recipient's events are shaped as `GetMessageInsights`
//! shapes them, so an export and the API never disagree.

use mailsight_model::EventType;
use mailsight_model::insights::{EmailInsights, MessageInsights};
use mailsight_model::metric::TENANT_TAG;
use mailsight_store::{MessageQuery, SearchCursor, SearchQuery, Store, StoreError};
use serde_json::Value;

use super::Page;
use super::spec::{InsightsFilters, InsightsPlan};

/// Messages read per page.
const PAGE_MESSAGES: usize = 100;

/// The columns of a message insights export.
pub const COLUMNS: [&str; 9] = [
    "message_id",
    "sent_at",
    "from_email_address",
    "subject",
    "tenant_name",
    "destination",
    "isp",
    "last_delivery_event",
    "last_engagement_event",
];

/// One recipient's row before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub message_id: String,
    pub sent_at: i64,
    pub from: String,
    pub subject: Option<String>,
    pub tenant: Option<String>,
    pub destination: String,
    pub isp: String,
    pub last_delivery: Option<&'static str>,
    pub last_engagement: Option<&'static str>,
}

impl Row {
    fn values(&self) -> Vec<Value> {
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::from);
        let name = |s: Option<&'static str>| s.map_or(Value::Null, Value::from);
        vec![
            self.message_id.clone().into(),
            super::iso(self.sent_at).into(),
            self.from.clone().into(),
            opt(&self.subject),
            opt(&self.tenant),
            self.destination.clone().into(),
            self.isp.clone().into(),
            name(self.last_delivery),
            name(self.last_engagement),
        ]
    }
}

/// The rank and name of a delivery event, as `LastDeliveryEvent` orders
/// them.
fn delivery_rank(e: &mailsight_model::insights::InsightsEvent) -> Option<(u8, &'static str)> {
    Some(match e.event_type {
        EventType::Send => (0, "SEND"),
        EventType::Bounce => {
            let kind = e
                .details
                .as_ref()
                .and_then(|d| d.bounce.as_ref())
                .and_then(|b| b.bounce_type.as_deref());
            (
                1,
                match kind {
                    Some("PERMANENT") => "PERMANENT_BOUNCE",
                    Some("TRANSIENT") => "TRANSIENT_BOUNCE",
                    _ => "UNDETERMINED_BOUNCE",
                },
            )
        }
        EventType::Delivery => (2, "DELIVERY"),
        EventType::Complaint => (3, "COMPLAINT"),
        _ => return None,
    })
}

fn engagement_rank(e: &mailsight_model::insights::InsightsEvent) -> Option<(u8, &'static str)> {
    match e.event_type {
        EventType::Open => Some((0, "OPEN")),
        EventType::Click => Some((1, "CLICK")),
        _ => None,
    }
}

/// The highest-ranked event (the later one among equals).
fn last(
    r: &EmailInsights,
    rank: fn(&mailsight_model::insights::InsightsEvent) -> Option<(u8, &'static str)>,
) -> Option<&'static str> {
    r.events
        .iter()
        .filter_map(rank)
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, name)| name)
}

/// The rows of one message, one per recipient.
pub fn rows_of(insights: &MessageInsights, sent_at: i64) -> Vec<Row> {
    let tenant = insights
        .email_tags
        .iter()
        .find(|t| t.name == TENANT_TAG)
        .map(|t| t.value.clone());
    insights
        .insights
        .iter()
        .map(|r| Row {
            message_id: insights.message_id.clone(),
            sent_at,
            from: insights.from_email_address.clone().unwrap_or_default(),
            subject: insights.subject.clone(),
            tenant: tenant.clone(),
            destination: r.destination.clone(),
            isp: r.isp.clone(),
            last_delivery: last(r, delivery_rank),
            last_engagement: last(r, engagement_rank),
        })
        .collect()
}

/// The bare address of `Name <a@b>`, lower case.
fn bare(address: &str) -> String {
    let a = match (address.rfind('<'), address.rfind('>')) {
        (Some(l), Some(r)) if l < r => &address[l + 1..r],
        _ => address,
    };
    a.trim().to_ascii_lowercase()
}

/// Whether a row matches one filter member: its value is one of the listed
/// ones (addresses, ISPs and event names in any case; subjects and tenants
/// exactly). `None`: the member lists nothing.
fn member_matches(f: &InsightsFilters, row: &Row) -> [Option<bool>; 7] {
    let any = |values: &[String], test: &dyn Fn(&str) -> bool| {
        (!values.is_empty()).then(|| values.iter().any(|v| test(v)))
    };
    [
        any(&f.from_email_address, &|v| bare(v) == bare(&row.from)),
        any(&f.destination, &|v| bare(v) == bare(&row.destination)),
        any(&f.subject, &|v| Some(v) == row.subject.as_deref()),
        any(&f.isp, &|v| v.eq_ignore_ascii_case(&row.isp)),
        any(&f.tenant_name, &|v| Some(v) == row.tenant.as_deref()),
        any(&f.last_delivery_event, &|v| Some(v) == row.last_delivery),
        any(&f.last_engagement_event, &|v| {
            Some(v) == row.last_engagement
        }),
    ]
}

/// `Include`: every member given must match. `Exclude`: a row matching any
/// member given is left out.
pub fn keeps(plan: &InsightsPlan, row: &Row) -> bool {
    let included = member_matches(&plan.include, row)
        .into_iter()
        .all(|m| m != Some(false));
    let excluded = member_matches(&plan.exclude, row)
        .into_iter()
        .any(|m| m == Some(true));
    included && !excluded
}

/// A message insights export in progress.
pub struct InsightsRun {
    plan: InsightsPlan,
    ses_exact: bool,
    query: Option<SearchQuery>,
    cursor: Option<SearchCursor>,
    exported: u64,
    done: bool,
}

impl InsightsRun {
    pub fn new(plan: InsightsPlan, ses_exact: bool) -> InsightsRun {
        InsightsRun {
            plan,
            ses_exact,
            query: None,
            cursor: None,
            exported: 0,
            done: false,
        }
    }

    /// The index lookup: the time range, narrowed by a single value of a
    /// member the index knows.
    fn search(&self) -> Result<SearchQuery, StoreError> {
        let one = |values: &[String]| (values.len() == 1).then(|| values[0].clone());
        let q = MessageQuery {
            recipient: one(&self.plan.include.destination).map(|v| bare(&v)),
            sender: one(&self.plan.include.from_email_address).map(|v| bare(&v)),
            isp: one(&self.plan.include.isp),
            start: Some(self.plan.start),
            end: Some(self.plan.end.saturating_add(1)),
            ..MessageQuery::default()
        };
        q.compile()
            .map_err(|e| StoreError::Backend(format!("export query: {e}")))
    }

    /// The rows of the next page of messages; `None` when done.
    pub async fn next_page(
        &mut self,
        store: &dyn Store,
        account: &str,
    ) -> Result<Option<Page>, StoreError> {
        if self.done {
            return Ok(None);
        }
        if self.query.is_none() {
            self.query = Some(self.search()?);
        }
        let query = self.query.as_ref().expect("set above");
        let page = store
            .search_messages(account, query, self.cursor, PAGE_MESSAGES)
            .await?;
        self.cursor = page.next;
        let mut out = Page::default();
        let mut full = false;
        for summary in page.messages {
            let Some(found) = store.message_events(account, &summary.message_id).await? else {
                continue;
            };
            let shaped = crate::insights::shape(found, self.ses_exact);
            for row in rows_of(&shaped, summary.sent_at) {
                if self.exported >= u64::from(self.plan.max_results) {
                    full = true;
                    break;
                }
                out.processed += 1;
                if keeps(&self.plan, &row) {
                    self.exported += 1;
                    out.rows.push(row.values());
                }
            }
            if full {
                break;
            }
        }
        self.done = full || page.next.is_none();
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_model::insights::{BounceDetails, EventDetails, InsightsEvent};

    fn event(t: EventType, bounce: Option<&str>) -> InsightsEvent {
        InsightsEvent {
            timestamp: 0.0,
            event_type: t,
            details: bounce.map(|b| EventDetails {
                bounce: Some(BounceDetails {
                    bounce_type: Some(b.into()),
                    ..BounceDetails::default()
                }),
                ..EventDetails::default()
            }),
        }
    }

    fn row(delivery: Option<&'static str>, engagement: Option<&'static str>) -> Row {
        Row {
            message_id: "m".into(),
            sent_at: 0,
            from: "Shop <News@Shop.test>".into(),
            subject: Some("Hello".into()),
            tenant: None,
            destination: "jane@example.com".into(),
            isp: "Gmail".into(),
            last_delivery: delivery,
            last_engagement: engagement,
        }
    }

    fn plan(include: InsightsFilters, exclude: InsightsFilters) -> InsightsPlan {
        InsightsPlan {
            start: 0,
            end: 1,
            include,
            exclude,
            max_results: 10,
        }
    }

    #[test]
    fn the_last_events_follow_ses_order_not_time() {
        let r = EmailInsights {
            destination: "a@x.test".into(),
            isp: "Other".into(),
            events: vec![
                event(EventType::Send, None),
                event(EventType::Complaint, None),
                event(EventType::Delivery, None),
                event(EventType::Click, None),
                event(EventType::Open, None),
            ],
        };
        assert_eq!(last(&r, delivery_rank), Some("COMPLAINT"));
        assert_eq!(last(&r, engagement_rank), Some("CLICK"));
        let bounced = EmailInsights {
            events: vec![
                event(EventType::Send, None),
                event(EventType::Bounce, Some("PERMANENT")),
            ],
            ..r.clone()
        };
        assert_eq!(last(&bounced, delivery_rank), Some("PERMANENT_BOUNCE"));
        assert_eq!(last(&bounced, engagement_rank), None);
    }

    #[test]
    fn include_needs_every_member_and_exclude_any() {
        let r = row(Some("DELIVERY"), Some("OPEN"));
        let none = InsightsFilters::default();
        assert!(keeps(&plan(none.clone(), none.clone()), &r));
        let inc = InsightsFilters {
            from_email_address: vec!["news@shop.test".into()],
            isp: vec!["gmail".into()],
            ..InsightsFilters::default()
        };
        assert!(keeps(&plan(inc.clone(), none.clone()), &r));
        let wrong = InsightsFilters {
            last_delivery_event: vec!["COMPLAINT".into()],
            ..inc.clone()
        };
        assert!(!keeps(&plan(wrong, none.clone()), &r));
        let exc = InsightsFilters {
            last_engagement_event: vec!["OPEN".into()],
            subject: vec!["Other".into()],
            ..InsightsFilters::default()
        };
        assert!(!keeps(&plan(none.clone(), exc), &r));
        let exc = InsightsFilters {
            subject: vec!["Other".into()],
            ..InsightsFilters::default()
        };
        assert!(keeps(&plan(none, exc), &r));
    }
}
