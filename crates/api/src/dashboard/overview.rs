//! `/dashboard` (the overview): sends, deliveries, bounces, complaints,
//! opens and clicks over a range, as totals and charts, filtered by
//! identity, configuration set, ISP and tenant. Every number comes from
//! the rollups (`Store::metric_series`), so the page costs the same at any
//! data size.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use mailsight_engine::analytics::reputation::{BOUNCE_REVIEW, COMPLAINT_REVIEW};
use mailsight_model::{Metric, now_ms};
use mailsight_store::MetricQuery;
use maud::{Markup, html};

use super::access::viewer;
use super::charts::{Chart, Series, time_series};
use super::layout::{Chrome, page as shell, raw};
use super::range::{Selection, form, selection};
use super::{DashError, respond};
use crate::state::AppState;

pub const PATH: &str = "/dashboard";

/// The metrics the page shows, with their labels.
const SHOWN: [(Metric, &str); 8] = [
    (Metric::Send, "Sends"),
    (Metric::Delivery, "Deliveries"),
    (Metric::PermanentBounce, "Hard bounces"),
    (Metric::TransientBounce, "Soft bounces"),
    (Metric::Complaint, "Complaints"),
    (Metric::Open, "Opens"),
    (Metric::Click, "Clicks"),
    (Metric::Reject, "Rejects"),
];

/// `GET /dashboard[?range=…&identity=…&configuration_set=…&isp=…&tenant=…]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()).await)
}

/// Each shown metric's points over the selection.
async fn series(
    state: &AppState,
    account: &str,
    s: &Selection,
) -> Result<Vec<(Metric, &'static str, Vec<(i64, f64)>)>, DashError> {
    let queries = SHOWN
        .iter()
        .map(|(metric, _)| MetricQuery {
            metric: *metric,
            filters: s.filters.clone(),
            start: s.start,
            end: s.end,
            tracked_only: false,
        })
        .collect();
    let series = state
        .store()
        .metric_series(account, queries, s.bucket)
        .await?;
    Ok(SHOWN
        .into_iter()
        .zip(series)
        .map(|((metric, label), points)| (metric, label, dense(&points, s)))
        .collect())
}

/// Every bucket of the range, zero where the store has none (it answers
/// sparsely), so a chart spans the range asked for and its lines fall to
/// zero where nothing happened.
fn dense(points: &[mailsight_store::Point], s: &Selection) -> Vec<(i64, f64)> {
    let mut sparse = points.iter().peekable();
    let mut out = Vec::new();
    let mut at = s.start.div_euclid(s.bucket) * s.bucket;
    while at < s.end {
        let mut n = 0;
        while let Some(p) = sparse.next_if(|p| p.at < at + s.bucket) {
            n += p.count;
        }
        out.push((at, n as f64));
        at += s.bucket;
    }
    out
}

fn total(points: &[(i64, f64)]) -> u64 {
    points.iter().map(|(_, v)| *v as u64).sum()
}

fn percent(n: u64, of: u64) -> String {
    if of == 0 {
        "—".to_owned()
    } else {
        format!("{:.2}%", n as f64 * 100.0 / of as f64)
    }
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let s = selection(query, now_ms(), "7d")?;
    let all = series(state, &v.account, &s).await?;
    let count = |m: Metric| {
        all.iter()
            .find(|(x, _, _)| *x == m)
            .map(|(_, _, p)| total(p))
            .unwrap_or(0)
    };
    let pick = |ms: &[Metric]| -> Vec<Series> {
        all.iter()
            .filter(|(m, _, _)| ms.contains(m))
            .map(|(_, label, points)| Series {
                label: (*label).to_owned(),
                points: points.clone(),
            })
            .collect()
    };
    let volume = Chart::lines(
        "Sending",
        pick(&[
            Metric::Send,
            Metric::Delivery,
            Metric::PermanentBounce,
            Metric::TransientBounce,
            Metric::Complaint,
        ]),
    );
    let engagement = Chart::lines("Engagement", pick(&[Metric::Open, Metric::Click]));
    let (sends, deliveries) = (count(Metric::Send), count(Metric::Delivery));
    let content = html! {
        (form(PATH, &v, &s, true))
        div.cards.totals {
            @for (metric, label) in SHOWN {
                div.card data-metric=(metric.name()) {
                    p.muted { (label) }
                    p.big { (count(metric)) }
                }
            }
            div.card data-metric="BOUNCE_RATE" {
                p.muted { "Bounce rate (hard / sends)" }
                p.big { (percent(count(Metric::PermanentBounce), sends)) }
                p.muted { "review at " (format!("{:.0}%", BOUNCE_REVIEW * 100.0)) }
            }
            div.card data-metric="COMPLAINT_RATE" {
                p.muted { "Complaint rate (complaints / deliveries)" }
                p.big { (percent(count(Metric::Complaint), deliveries)) }
                p.muted { "review at " (format!("{:.1}%", COMPLAINT_REVIEW * 100.0)) }
            }
        }
        (raw(time_series(&volume)))
        (raw(time_series(&engagement)))
        form.search method="get" action="/dashboard/messages" {
            label for="id" { "Open a message by id" }
            input #id type="search" name="id" size="60" required;
            @if let Some((k, a)) = v.account_param() { input type="hidden" name=(k) value=(a); }
            button type="submit" { "Open" }
        }
        p.muted {
            "Counts per recipient, simulated and ingested events alike, each stored event once. "
            "Hourly up to 7 days, daily beyond (UTC)."
        }
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Overview",
            active: PATH,
            refresh: super::components::refresh(query),
        },
        content,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_store::{HOUR_MS, Point};

    #[test]
    fn series_span_the_range_with_zeros() {
        let s = selection(Some("range=24h"), 10 * 24 * HOUR_MS + 30, "7d").unwrap();
        let at = s.end - 2 * HOUR_MS;
        let points = dense(&[Point { at, count: 3 }], &s);
        assert_eq!(points.len(), 24);
        assert_eq!(points.first().map(|p| p.0), Some(s.start));
        assert_eq!(points.iter().map(|p| p.1).sum::<f64>(), 3.0);
        assert_eq!(points[22], (at, 3.0));
    }
}
