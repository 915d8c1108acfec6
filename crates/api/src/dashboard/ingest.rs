//! `/dashboard/ingest`: whether real SES events are arriving. Per
//! endpoint: whether it is turned on, how many records it stored, skipped
//! as duplicates and rejected, how many requests it refused, and when
//! records last arrived. The counts are the server's since it started
//! (`state::IngestStats`), for every account.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{Markup, html};

use super::access::viewer;
use super::components::{self, time};
use super::layout::{Chrome, page as shell};
use super::{DashError, respond};
use crate::state::AppState;
use crate::state::stats::SourceStats;
use std::sync::atomic::Ordering;

const PATH: &str = "/dashboard/ingest";

/// `GET /dashboard/ingest[?refresh=N]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()))
}

fn render(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let config = &state.ingest.config;
    let stats = &state.ingest.stats;
    let sources: [(&str, &str, bool, &SourceStats); 3] = [
        (
            "Firehose",
            "/ingest/firehose",
            !config.firehose.access_keys.is_empty(),
            &stats.firehose,
        ),
        (
            "EventBridge",
            "/ingest/eventbridge",
            !config.eventbridge.values.is_empty(),
            &stats.eventbridge,
        ),
        (
            "SNS",
            "/ingest/sns",
            !config.sns.topics.is_empty() || !config.sns.raw_topics.is_empty(),
            &stats.sns,
        ),
    ];
    let refresh = components::refresh(query);
    let content = html! {
        (components::refresh_toggle(&v.href(PATH), refresh))
        table.ingest {
            thead { tr {
                th { "Endpoint" } th { "Path" } th { "Configured" }
                th.num { "Stored" } th.num { "Duplicates" } th.num { "Rejected" }
                th.num { "Refused requests" } th { "Last received" }
            } }
            tbody {
                @for (name, path, on, s) in sources {
                    tr data-source=(name) {
                        td { (name) }
                        td { code { (path) } }
                        td { @if on { "yes" } @else { span.muted { "no" } } }
                        td.num.stored { (s.stored.load(Ordering::Relaxed)) }
                        td.num.duplicates { (s.duplicates.load(Ordering::Relaxed)) }
                        td.num.rejected { (s.rejected.load(Ordering::Relaxed)) }
                        td.num.refused { (s.refused_requests.load(Ordering::Relaxed)) }
                        td.last { @match s.last_received() { Some(at) => (time(at)), None => span.muted { "never" } } }
                    }
                }
            }
        }
        p.muted {
            "Counts since the server started, for every account; records without a sending account go to "
            code { (config.default_account) } ". See " code { "docs/INGEST.md" } " to turn an endpoint on."
        }
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Ingest",
            active: PATH,
            refresh,
        },
        content,
    ))
}
