//! `/dashboard`: what there is to see, and a box to open a message by id.
//! (The overview page takes this place once it exists.)

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::html;

use super::access::viewer;
use super::layout::{Chrome, NAV, page as shell};
use super::respond;
use crate::state::AppState;

/// What each page of [`NAV`] shows, for the index.
fn about(path: &str) -> &'static str {
    match path {
        "/dashboard/outbox" => {
            "Deliveries to event destinations and forwarders per target; dead letters, replay."
        }
        "/dashboard/suppression" => "The account's suppression list: find and remove addresses.",
        "/dashboard/ingest" => "What each ingest endpoint stored, skipped and refused.",
        _ => "",
    }
}

/// `GET /dashboard`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(viewer(&state, &headers, uri.query()).map(|v| {
        let content = html! {
            form.search method="get" action="/dashboard/messages" {
                label for="id" { "Open a message by id" }
                input #id type="search" name="id" size="60" required;
                @if let Some((k, a)) = v.account_param() { input type="hidden" name=(k) value=(a); }
                button type="submit" { "Open" }
            }
            div.cards {
                @for entry in NAV {
                    div.card {
                        p { a href=(v.href(entry.path)) { (entry.label) } }
                        p.muted { (about(entry.path)) }
                    }
                }
            }
        };
        shell(
            &Chrome {
                viewer: &v,
                title: "Dashboard",
                active: "/dashboard",
                refresh: None,
            },
            content,
        )
    }))
}
