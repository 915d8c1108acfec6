//! `/dashboard/reputation`: bounce and complaint rates against the
//! thresholds at which AWS reviews (5 %, 0.1 %) and pauses (10 %, 0.5 %) an
//! account, for the account and per identity, configuration set and ISP,
//! with no judgement below a minimum volume (`?min=N` sends, 200 by
//! default). Daily rates are charted with the review threshold drawn.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use mailsight_engine::analytics::reputation::{self, MIN_VOLUME, Rates};
use mailsight_model::{Dimension, Metric, now_ms};
use mailsight_store::{DAY_MS, MetricQuery};
use maud::{Markup, html};

use super::access::viewer;
use super::charts::{Chart, Series, time_series};
use super::layout::{Chrome, page as shell, raw};
use super::range::{form, selection};
use super::{DashError, respond};
use crate::body::query_param;
use crate::state::AppState;

pub const PATH: &str = "/dashboard/reputation";
/// Rows per table.
const ROWS: usize = 50;

/// `GET /dashboard/reputation[?range=…&min=N]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()).await)
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "—".to_owned())
}

fn table(title: &str, rows: &[Rates], min: u64) -> Markup {
    html! {
        h2 { (title) }
        @if rows.is_empty() {
            p.muted { "Nothing sent in this range." }
        } @else {
            table.reputation data-dimension=(title) {
                thead { tr {
                    th { "Value" } th.num { "Sends" } th.num { "Deliveries" } th.num { "Hard bounces" }
                    th.num { "Bounce rate" } th.num { "Complaints" } th.num { "Complaint rate" } th { "Standing" }
                } }
                tbody {
                    @for r in rows {
                        @let standing = r.standing(min);
                        tr data-value=(r.value) {
                            td { (r.value) }
                            td.num { (r.sends) } td.num { (r.deliveries) } td.num { (r.bounces) }
                            td.num { (rate(r.bounce_rate())) } td.num { (r.complaints) }
                            td.num { (rate(r.complaint_rate())) }
                            td { span class=(format!("badge standing-{standing:?}")) { (standing.label()) } }
                        }
                    }
                }
            }
        }
    }
}

async fn daily_rates(
    state: &AppState,
    account: &str,
    start: i64,
    end: i64,
) -> Result<(Vec<(i64, f64)>, Vec<(i64, f64)>), DashError> {
    let queries = [
        Metric::Send,
        Metric::PermanentBounce,
        Metric::Delivery,
        Metric::Complaint,
    ]
    .into_iter()
    .map(|metric| MetricQuery {
        metric,
        filters: Vec::new(),
        start,
        end,
        tracked_only: false,
    })
    .collect();
    let counts: Vec<std::collections::BTreeMap<i64, u64>> = state
        .store()
        .metric_series(account, queries, DAY_MS)
        .await?
        .into_iter()
        .map(|points| points.into_iter().map(|p| (p.at, p.count)).collect())
        .collect();
    let ratio = |num: &std::collections::BTreeMap<i64, u64>,
                 den: &std::collections::BTreeMap<i64, u64>| {
        den.iter()
            .filter(|(_, d)| **d > 0)
            .map(|(day, d)| (*day, *num.get(day).unwrap_or(&0) as f64 / *d as f64))
            .collect::<Vec<_>>()
    };
    Ok((ratio(&counts[1], &counts[0]), ratio(&counts[3], &counts[2])))
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let s = selection(query, now_ms(), "30d")?;
    let min = match query_param(query, "min") {
        Some(m) => m
            .parse::<u64>()
            .map_err(|_| DashError::bad_request("min must be a number of sends."))?,
        None => MIN_VOLUME,
    };
    let store = state.store().as_ref();
    let account = reputation::account(store, &v.account, s.start, s.end).await?;
    let mut tables = Vec::new();
    for (title, d) in [
        ("Identities", Dimension::EmailIdentity),
        ("Configuration sets", Dimension::ConfigurationSet),
        ("ISPs", Dimension::Isp),
    ] {
        tables.push((
            title,
            reputation::by(store, &v.account, d, s.start, s.end, ROWS).await?,
        ));
    }
    let (bounces, complaints) = daily_rates(
        state,
        &v.account,
        s.start.div_euclid(DAY_MS) * DAY_MS,
        s.end,
    )
    .await?;
    let bounce_chart = Chart::lines(
        "Bounce rate per day",
        vec![Series {
            label: "hard bounces / sends".into(),
            points: bounces,
        }],
    )
    .percent()
    .with_threshold(reputation::BOUNCE_REVIEW, "review 5%");
    let complaint_chart = Chart::lines(
        "Complaint rate per day",
        vec![Series {
            label: "complaints / deliveries".into(),
            points: complaints,
        }],
    )
    .percent()
    .with_threshold(reputation::COMPLAINT_REVIEW, "review 0.1%");
    let standing = account.standing(min);
    let content = html! {
        (form(PATH, &v, &s, false))
        div.cards {
            div.card data-metric="STANDING" {
                p.muted { "Account standing" }
                p.big { span class=(format!("badge standing-{standing:?}")) { (standing.label()) } }
                p.muted { "judged from " (min) " sends up" }
            }
            div.card data-metric="BOUNCE_RATE" {
                p.muted { "Bounce rate" } p.big { (rate(account.bounce_rate())) }
                p.muted { "review 5%, pause 10%" }
            }
            div.card data-metric="COMPLAINT_RATE" {
                p.muted { "Complaint rate" } p.big { (rate(account.complaint_rate())) }
                p.muted { "review 0.1%, pause 0.5%" }
            }
            div.card data-metric="SEND" { p.muted { "Sends" } p.big { (account.sends) } }
        }
        (raw(time_series(&bounce_chart)))
        (raw(time_series(&complaint_chart)))
        @for (title, rows) in &tables { (table(title, rows, min)) }
        p.muted {
            "Bounce rate: hard bounces per send. Complaint rate: complaints per delivery. "
            "Identities are listed as addresses and as domains."
        }
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Reputation",
            active: PATH,
            refresh: None,
        },
        content,
    ))
}
