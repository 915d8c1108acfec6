//! The page shell every dashboard page shares: head, navigation, the
//! account it shows, and the stylesheet and script written into the
//! binary (`include_str!`), served from the dashboard's own paths.

use axum::http::header;
use axum::response::IntoResponse;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::access::Viewer;

/// Where the stylesheet is served.
pub const CSS_PATH: &str = "/dashboard/assets/dashboard.css";
/// Where the script is served.
pub const JS_PATH: &str = "/dashboard/assets/dashboard.js";

const CSS: &str = include_str!("assets/dashboard.css");
const JS: &str = include_str!("assets/dashboard.js");

/// One entry of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavEntry {
    pub path: &'static str,
    pub label: &'static str,
}

/// The navigation, in order: only pages that exist.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        path: "/dashboard",
        label: "Overview",
    },
    NavEntry {
        path: "/dashboard/reputation",
        label: "Reputation",
    },
    NavEntry {
        path: "/dashboard/search",
        label: "Search",
    },
    NavEntry {
        path: "/dashboard/outbox",
        label: "Outbox",
    },
    NavEntry {
        path: "/dashboard/suppression",
        label: "Suppression list",
    },
    NavEntry {
        path: "/dashboard/ingest",
        label: "Ingest",
    },
];

/// What the shell needs besides the page's content.
pub struct Chrome<'a> {
    pub viewer: &'a Viewer,
    pub title: &'a str,
    /// The path of the navigation entry to mark as current.
    pub active: &'a str,
    /// Reload the page every this many seconds (`?refresh=N`).
    pub refresh: Option<u32>,
}

/// A whole page: `content` inside the shell.
pub fn page(chrome: &Chrome<'_>, content: Markup) -> Markup {
    let viewer = chrome.viewer;
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(seconds) = chrome.refresh {
                    meta http-equiv="refresh" content=(seconds);
                }
                title { (chrome.title) " · mailsight" }
                link rel="stylesheet" href=(CSS_PATH);
                script src=(JS_PATH) defer {}
            }
            body {
                header.top {
                    a.brand href=(viewer.href("/dashboard")) { "mailsight" }
                    nav aria-label="Pages" {
                        @for entry in NAV {
                            a href=(viewer.href(entry.path))
                                aria-current=[(entry.path == chrome.active).then_some("page")] {
                                (entry.label)
                            }
                        }
                    }
                    div.account {
                        @if viewer.authenticated {
                            "Account " code { (viewer.account) }
                        } @else {
                            form method="get" action=(chrome.active) {
                                label for="account" { "Account" }
                                input #account name="account" value=(viewer.account)
                                    size="12" maxlength="12" pattern="[0-9]{12}";
                                button type="submit" { "Show" }
                            }
                        }
                    }
                }
                main {
                    h1 { (chrome.title) }
                    (content)
                }
            }
        }
    }
}

/// A page outside the shell (errors): no navigation, no account.
pub fn bare(title: &str, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · mailsight" }
                link rel="stylesheet" href=(CSS_PATH);
            }
            body {
                header.top { a.brand href="/dashboard" { "mailsight" } }
                main {
                    h1 { (title) }
                    p.notice.error { (message) }
                }
            }
        }
    }
}

/// `GET` the stylesheet.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        CSS,
    )
}

/// `GET` the script.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        JS,
    )
}

/// Markup that is already HTML (an SVG chart).
pub fn raw(s: String) -> Markup {
    PreEscaped(s)
}
