//! `/dashboard/search`: find messages by recipient, sender, subject words,
//! event, tag, configuration set, ISP and time, newest first, paged, from
//! the store's search index (the same search as `GET /_mailsight/messages`,
//! whose parameters it takes), each result linking to its message page.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use mailsight_model::{EventType, now_ms};
use maud::{Markup, html};

use super::access::viewer;
use super::components::{badge, link, segment, time};
use super::layout::{Chrome, page as shell};
use super::{DashError, respond};
use crate::search::Search;
use crate::state::AppState;

pub const PATH: &str = "/dashboard/search";

/// The form's fields: (parameter, label, placeholder).
const FIELDS: [(&str, &str, &str); 8] = [
    ("recipient", "Recipient", "jane@example.com"),
    ("sender", "Sender", "news@example.com"),
    ("subject", "Subject words", "order shipped"),
    ("event", "Event", "BOUNCE"),
    ("tag", "Tag", "campaign=spring"),
    ("configuration_set", "Configuration set", ""),
    ("isp", "ISP", "Gmail"),
    ("start", "Since", "7d, 2026-11-30, …"),
];

/// `GET /dashboard/search[?recipient=…&…&next=…]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()).await)
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    // The search's own parameters, blank form fields left out.
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .filter(|(k, val)| {
                !val.trim().is_empty() && (FIELDS.iter().any(|(f, _, _)| f == k) || k == "next")
            })
            .take(64)
            .collect();
    let given = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let asked = params.iter().any(|(k, _)| k != "next");
    let results = if asked {
        let search = Search::from_params(&params, now_ms())
            .map_err(|e| DashError::bad_request(e.message))?;
        let compiled = search
            .query
            .compile()
            .map_err(|e| DashError::bad_request(e.to_string()))?;
        Some(
            state
                .store()
                .search_messages(&v.account, &compiled, search.cursor, search.limit)
                .await?,
        )
    } else {
        None
    };
    let next_link = results.as_ref().and_then(|p| p.next).map(|next| {
        let next = next.to_string();
        let mut pairs: Vec<(&str, Option<&str>)> = params
            .iter()
            .filter(|(k, _)| k != "next")
            .map(|(k, val)| (k.as_str(), Some(val.as_str())))
            .collect();
        pairs.push(("next", Some(next.as_str())));
        pairs.extend(v.account_param().map(|(k, a)| (k, Some(a))));
        link(PATH, &pairs)
    });
    let content = html! {
        form.search method="get" action=(PATH) {
            @for (name, label, placeholder) in FIELDS {
                label for=(name) { (label) }
                input id=(name) type="text" name=(name) value=(given(name)) placeholder=(placeholder) size="16";
            }
            @if let Some((k, a)) = v.account_param() { input type="hidden" name=(k) value=(a); }
            button type="submit" { "Search" }
        }
        @match &results {
            None => p.muted { "Give at least one filter. Events: "
                (EventType::ALL.iter().map(|e| e.api_name()).collect::<Vec<_>>().join(", ")) "." },
            Some(page) if page.messages.is_empty() && page.next.is_none() => p.muted { "No message matches." },
            Some(page) => {
                table.results {
                    thead { tr { th { "Sent" } th { "Message" } th { "From" } th { "Subject" } th { "Recipients" } } }
                    tbody {
                        @for m in &page.messages {
                            tr data-message=(m.message_id) {
                                td { (time(m.sent_at)) }
                                td.mono { a href=(v.href(&format!("/dashboard/messages/{}", segment(&m.message_id)))) { (m.message_id) } }
                                td { (m.from_address) }
                                td { (m.subject.as_deref().unwrap_or("")) }
                                td {
                                    @for r in &m.recipients {
                                        div.recipient-line {
                                            (r.address) " "
                                            @if let Some(e) = r.latest_event { (badge(e.api_name())) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(href) = &next_link {
                    p.pager { a.next href=(href) { "Older messages →" } }
                }
            }
        }
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Search",
            active: PATH,
            refresh: None,
        },
        content,
    ))
}
