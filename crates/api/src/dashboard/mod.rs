//! The web dashboard under `/dashboard`: server-rendered HTML pages a
//! person opens in a browser to see what was sent, served by the binary
//! itself with no file, font or script from elsewhere.
//!
//! Pages are [maud](https://maud.lambda.xyz/) templates: plain Rust
//! functions checked by the compiler, escaping every interpolated value,
//! so components are functions and a hostile subject or address is text,
//! never markup. Every page works without JavaScript; the one small script
//! only shows times in the browser's time zone.
//!
//! - [`access`]: who is looking (HTTP Basic with an access key, or the
//!   `account` parameter on an open server) and the same-origin check of
//!   form posts.
//! - [`layout`]: the page shell, navigation, stylesheet and script.
//! - [`components`]: tables, times, pagers, notices shared by pages.
//! - [`charts`]: SVG charts as pure functions of series.
//! - [`range`]: the time range and filters the overview and reputation
//!   pages share.
//! - One file per page: [`overview`], [`reputation`], [`search`], [`message`], [`suppression`],
//!   [`outbox`], [`ingest`]. A page is a handler and a `route` line in
//!   [`routes`], and an entry in [`layout::NAV`].

pub mod access;
pub mod charts;
pub mod components;
pub mod ingest;
pub mod layout;
pub mod message;
pub mod outbox;
pub mod overview;
pub mod range;
pub mod reputation;
pub mod search;
pub mod suppression;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::Markup;

use crate::state::AppState;
use access::Viewer;

/// The dashboard's routes, merged into the API's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(overview::page))
        .route("/dashboard/", get(overview::page))
        .route("/dashboard/reputation", get(reputation::page))
        .route("/dashboard/search", get(search::page))
        .route(layout::CSS_PATH, get(layout::stylesheet))
        .route(layout::JS_PATH, get(layout::script))
        .route("/dashboard/messages", get(message::lookup))
        .route("/dashboard/messages/{id}", get(message::page))
        .route("/dashboard/suppression", get(suppression::page))
        .route("/dashboard/suppression/remove", post(suppression::remove))
        .route("/dashboard/outbox", get(outbox::page))
        .route("/dashboard/outbox/replay", post(outbox::replay))
        .route("/dashboard/ingest", get(ingest::page))
}

/// Why a page could not be shown, as the page says it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DashError {
    pub status: StatusCode,
    pub message: String,
}

impl DashError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        DashError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        DashError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        DashError::new(StatusCode::NOT_FOUND, message)
    }

    /// Credentials are missing or wrong: the browser asks for them.
    pub fn unauthorized() -> Self {
        DashError::new(
            StatusCode::UNAUTHORIZED,
            "Sign in with an access key id as the user name and its secret as the password.",
        )
    }

    /// A form post another site made the browser send.
    pub fn cross_origin() -> Self {
        DashError::new(
            StatusCode::FORBIDDEN,
            "This request did not come from a mailsight page and was refused.",
        )
    }
}

impl From<mailsight_store::StoreError> for DashError {
    fn from(e: mailsight_store::StoreError) -> Self {
        tracing::error!(error = %e, "dashboard: store error");
        DashError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The store could not answer; see the server's log.",
        )
    }
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error").to_owned();
        let body = layout::bare(&title, &self.message);
        let mut response = html(self.status, body);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"mailsight\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// The policy every page is served with: nothing loads from elsewhere,
/// scripts and styles only from the dashboard's own files (inline styles
/// are allowed for the sandboxed preview of a sent HTML message), images
/// only as `data:` (so a previewed message cannot fetch its open pixel),
/// forms post only here, and no other site may frame a page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// An HTML answer with the dashboard's headers.
pub fn html(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// A page's answer: the page, or the error page.
pub fn respond(result: Result<Markup, DashError>) -> Response {
    match result {
        Ok(markup) => html(StatusCode::OK, markup),
        Err(e) => e.into_response(),
    }
}

/// A `303 See Other` to `to` (after a form post).
pub fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/dashboard"));
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location)],
        String::new(),
    )
        .into_response()
}

/// Where a form post goes next: `see_other` to the page it names, or the
/// error page.
pub fn redirect(result: Result<String, DashError>) -> Response {
    match result {
        Ok(to) => see_other(&to),
        Err(e) => e.into_response(),
    }
}

/// What every state-changing form post checks first: that it comes from
/// this origin, then its fields, then who posts it.
pub async fn posted_form(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<(Viewer, Vec<(String, String)>), DashError> {
    access::same_origin(headers)?;
    let fields = form_fields(body).await?;
    let viewer = form_viewer(state, headers, &fields)?;
    Ok((viewer, fields))
}

/// Largest form body accepted.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The fields of a url-encoded form body, read up to [`MAX_FORM_BYTES`].
pub async fn form_fields(body: axum::body::Body) -> Result<Vec<(String, String)>, DashError> {
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| DashError::bad_request("The form is too large."))?;
    Ok(url::form_urlencoded::parse(&bytes).into_owned().collect())
}

/// The value of form field `name`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The viewer of a form post: the account comes from the form's
/// `account` field on an open server (as a page's does from the query).
pub fn form_viewer(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    fields: &[(String, String)],
) -> Result<Viewer, DashError> {
    let query = field(fields, "account").map(|a| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("account", a)
            .finish()
    });
    access::viewer(state, headers, query.as_deref())
}
