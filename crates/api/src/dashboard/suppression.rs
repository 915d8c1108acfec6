//! `/dashboard/suppression`: the account's suppression list, found by
//! address prefix a page at a time, and a button to take an address off
//! (through `engine::suppression`, as `DeleteSuppressedDestination` does).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;

use super::access::viewer;
use super::components::{self, link, notice, pager, segment, time};
use super::layout::{Chrome, page as shell};
use super::{DashError, field, posted_form, redirect, respond};
use crate::body::query_param;
use crate::state::AppState;
use mailsight_engine::suppression;

/// Addresses per page.
pub const PAGE_SIZE: usize = 50;

const PATH: &str = "/dashboard/suppression";

/// `GET /dashboard/suppression[?prefix=…&after=…]`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    respond(render(&state, &headers, uri.query()).await)
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let prefix = query_param(query, "prefix").unwrap_or_default();
    let prefix = prefix.trim();
    if prefix.len() > 320 {
        return Err(DashError::bad_request("The prefix is too long."));
    }
    let after = query_param(query, "after");
    let found = suppression::list(
        state.store().as_ref(),
        &v.account,
        prefix,
        after.as_deref(),
        PAGE_SIZE,
    )
    .await?;
    let account = v.account_param().map(|(_, a)| a);
    let next = found.next_after.as_deref().map(|after| {
        link(
            PATH,
            &[
                ("prefix", Some(prefix).filter(|p| !p.is_empty())),
                ("after", Some(after)),
                ("account", account),
            ],
        )
    });
    let outcome = query_param(query, "removed")
        .map(|a| notice(true, &format!("Removed {a} from the suppression list.")))
        .or_else(|| {
            query_param(query, "absent")
                .map(|a| notice(false, &format!("{a} was not on the suppression list.")))
        });
    let content = html! {
        @if let Some(n) = outcome { (n) }
        form.search method="get" action=(PATH) {
            label for="prefix" { "Address starts with" }
            input #prefix type="search" name="prefix" value=(prefix) size="40";
            @if let Some(a) = account { input type="hidden" name="account" value=(a); }
            button type="submit" { "Search" }
        }
        @if found.items.is_empty() {
            p.muted {
                @if prefix.is_empty() { "The suppression list is empty." }
                @else { "No suppressed address starts with " code { (prefix) } "." }
            }
        } @else {
            table.suppressed {
                thead { tr { th { "Address" } th { "Reason" } th { "Last updated" } th { "Message" } th {} } }
                tbody {
                    @for item in &found.items {
                        @let address = item.body.get("EmailAddress").and_then(Value::as_str).unwrap_or(&item.key);
                        @let message = item.body.pointer("/Attributes/MessageId").and_then(Value::as_str);
                        tr data-address=(item.key) {
                            td.address { (address) }
                            td { (components::badge(item.body.get("Reason").and_then(Value::as_str).unwrap_or("BOUNCE"))) }
                            td { (time(item.updated_at)) }
                            td {
                                @if let Some(id) = message {
                                    a href=(v.href(&format!("/dashboard/messages/{}", segment(id)))) { code { (id) } }
                                } @else { span.muted { "—" } }
                            }
                            td {
                                form.inline method="post" action="/dashboard/suppression/remove" {
                                    input type="hidden" name="address" value=(item.key);
                                    input type="hidden" name="prefix" value=(prefix);
                                    @if let Some(a) = account { input type="hidden" name="account" value=(a); }
                                    button.danger type="submit" aria-label={ "Remove " (address) } { "Remove" }
                                }
                            }
                        }
                    }
                }
            }
        }
        (pager(next))
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Suppression list",
            active: PATH,
            refresh: None,
        },
        content,
    ))
}

/// `POST /dashboard/suppression/remove` (form: `address`, `prefix`,
/// `account`): takes the address off, then back to the list.
pub async fn remove(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    redirect(remove_inner(&state, &headers, body).await)
}

async fn remove_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<String, DashError> {
    let (v, fields) = posted_form(state, headers, body).await?;
    let address = field(&fields, "address")
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.len() <= 320)
        .ok_or_else(|| DashError::bad_request("Give the address to remove."))?;
    let removed = suppression::remove(state.store().as_ref(), &v.account, address).await?;
    tracing::info!(account = %v.account, address, removed, "dashboard: suppression removal");
    let prefix = field(&fields, "prefix").filter(|p| !p.is_empty());
    Ok(link(
        PATH,
        &[
            ("prefix", prefix),
            (if removed { "removed" } else { "absent" }, Some(address)),
            ("account", v.account_param().map(|(_, a)| a)),
        ],
    ))
}
