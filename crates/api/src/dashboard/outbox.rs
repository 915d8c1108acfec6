//! `/dashboard/outbox`: what the outbox holds per target (event
//! destinations and forwarders), its dead letters with their last error,
//! and a button per target that replays them (`Store::replay_dead_of`,
//! only the viewer's account's).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use mailsight_store::{DeliveryFilter, DeliveryStatus, Target};
use maud::{Markup, html};

use super::access::viewer;
use super::charts::{Chart, Series, time_series};
use super::components::{self, badge, link, notice, pager, segment, time};
use super::layout::{Chrome, page as shell, raw};
use super::{DashError, field, posted_form, redirect, respond};
use crate::body::query_param;
use crate::state::AppState;

/// Targets per page.
pub const TARGETS_PER_PAGE: usize = 100;
/// Dead letters per page.
pub const DEAD_PER_PAGE: usize = 50;

const PATH: &str = "/dashboard/outbox";
const HOUR: i64 = 3_600_000;

/// `GET /dashboard/outbox[?after=<target>&before=<id>&refresh=N]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()).await)
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let store = state.store();
    let after: Option<Target> = match query_param(query, "after") {
        Some(t) => Some(
            t.parse()
                .map_err(|_| DashError::bad_request(format!("{t} names no target.")))?,
        ),
        None => None,
    };
    let before = match query_param(query, "before") {
        Some(b) => Some(
            b.parse::<i64>()
                .map_err(|_| DashError::bad_request("before must be a delivery id."))?,
        ),
        None => None,
    };
    let targets = store
        .delivery_counts(&v.account, after.as_ref(), TARGETS_PER_PAGE)
        .await?;
    let dead = store
        .list_deliveries(
            DeliveryFilter {
                account_id: Some(v.account.clone()),
                status: Some(DeliveryStatus::Dead),
                ..Default::default()
            },
            before,
            DEAD_PER_PAGE,
        )
        .await?;
    let account = v.account_param().map(|(_, a)| a);
    let next_targets = (targets.len() == TARGETS_PER_PAGE)
        .then(|| targets.last())
        .flatten()
        .map(|t| {
            let t = t.target.to_string();
            link(PATH, &[("after", Some(&t)), ("account", account)])
        });
    let next_dead = (dead.len() == DEAD_PER_PAGE)
        .then(|| dead.last())
        .flatten()
        .map(|d| {
            let id = d.id.to_string();
            link(PATH, &[("before", Some(&id)), ("account", account)])
        });
    let outcome = query_param(query, "replayed").map(|n| {
        let target = query_param(query, "target").unwrap_or_default();
        notice(true, &format!("Replayed {n} dead deliveries of {target}."))
    });
    let refresh = components::refresh(query);
    let content = html! {
        @if let Some(n) = outcome { (n) }
        (components::refresh_toggle(&v.href(PATH), refresh))
        h2 { "Deliveries per target" }
        @if targets.is_empty() {
            p.muted { "Nothing was routed to an event destination or forwarder yet." }
        } @else {
            table.targets {
                thead { tr {
                    th { "Target" } th.num { "Pending" } th.num { "Delivered" } th.num { "Dead" } th {}
                } }
                tbody {
                    @for t in &targets {
                        @let name = t.target.to_string();
                        tr data-target=(name) {
                            td { code { (name) } }
                            td.num.pending { (t.pending) }
                            td.num.delivered { (t.delivered) }
                            td.num.dead { (t.dead) }
                            td {
                                @if t.dead > 0 {
                                    form.inline method="post" action="/dashboard/outbox/replay" {
                                        input type="hidden" name="target" value=(name);
                                        @if let Some(a) = account { input type="hidden" name="account" value=(a); }
                                        button type="submit" aria-label={ "Replay " (name) } { "Replay " (t.dead) " dead" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(next_targets))
        }
        h2 { "Dead letters" }
        @if dead.is_empty() {
            p.muted { "No dead letters." }
        } @else {
            (raw(time_series(&Chart::bars("Dead letters listed below, by hour created", vec![by_hour(&dead)]))))
            table.dead {
                thead { tr {
                    th.num { "Id" } th { "Target" } th { "Event" } th { "Message" }
                    th.num { "Attempts" } th { "Last error" } th { "Created" }
                } }
                tbody {
                    @for d in &dead {
                        tr data-delivery=(d.id) {
                            td.num { (d.id) }
                            td { code { (d.target) } }
                            td { (badge(d.event_type.api_name())) }
                            td { a href=(v.href(&format!("/dashboard/messages/{}", segment(&d.message_id)))) { code { (d.message_id) } } }
                            td.num { (d.attempts) }
                            td.error { (d.last_error.as_deref().unwrap_or("")) }
                            td { (time(d.created_at)) }
                        }
                    }
                }
            }
            (pager(next_dead))
        }
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Outbox",
            active: PATH,
            refresh,
        },
        content,
    ))
}

/// Dead letters counted by the hour they were created.
fn by_hour(dead: &[mailsight_store::Delivery]) -> Series {
    let mut hours: BTreeMap<i64, f64> = BTreeMap::new();
    for d in dead {
        *hours
            .entry(d.created_at - d.created_at.rem_euclid(HOUR))
            .or_default() += 1.0;
    }
    Series {
        label: "dead letters".into(),
        points: hours.into_iter().collect(),
    }
}

/// `POST /dashboard/outbox/replay` (form: `target`, `account`): makes the
/// target's dead deliveries pending again, then back to the outbox.
pub async fn replay(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    redirect(replay_inner(&state, &headers, body).await)
}

async fn replay_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<String, DashError> {
    let (v, fields) = posted_form(state, headers, body).await?;
    let text = field(&fields, "target")
        .ok_or_else(|| DashError::bad_request("Give the target to replay."))?;
    let target: Target = text
        .parse()
        .map_err(|_| DashError::bad_request(format!("{text} names no target.")))?;
    let replayed = state
        .store()
        .replay_dead_of(&v.account, Some(&target), mailsight_model::now_ms())
        .await?;
    tracing::info!(account = %v.account, %target, replayed, "dashboard: replayed dead deliveries");
    let n = replayed.to_string();
    Ok(link(
        PATH,
        &[
            ("replayed", Some(&n)),
            ("target", Some(text)),
            ("account", v.account_param().map(|(_, a)| a)),
        ],
    ))
}
