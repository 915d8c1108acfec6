//! The SES v2 API (REST-JSON): [`operations`] declares every operation
//! once; one file per resource holds their handlers.
//!
//! - [`route`]: a request's method and path → [`Operation`] and labels;
//! - [`SesV2`]: the protocol behind [`crate::front`]: JSON answers, errors
//!   with `x-amzn-ErrorType` and a JSON `message`;
//! - handlers: [`send`], [`configuration_sets`], [`event_destinations`],
//!   [`identities`], [`identity_policies`], [`account`], [`insights`], [`metrics`],
//!   [`export_jobs`], [`import_jobs`], [`templates`], [`tenants`],
//!   [`reputation`], [`contact_lists`], [`contacts`], [`suppression`],
//!   [`tags`] and the others [`operations`] lists; [`validate`]
//!   holds the name rules they share, [`paging`] the list and create
//!   patterns, [`resource_arn`] and [`tag_set`] the ARNs and tag rules.
//!
//! A handler takes the [`Call`] (state, caller, labels, query, body) and
//! returns JSON (`Value`) or text it serialised itself (`String`, for the
//! hot `GetMessageInsights`), both an [`Answer`].

pub mod account;
pub mod account_settings;
pub mod configuration_sets;
pub mod contact_lists;
pub mod contacts;
pub mod custom_verification;
pub mod dedicated_ips;
pub mod deliverability;
pub mod event_destinations;
pub mod export_jobs;
pub mod identities;
pub mod identity_certificates;
pub mod identity_policies;
pub mod import_jobs;
pub mod insights;
pub mod metrics;
pub mod multi_region;
pub mod operations;
pub mod paging;
pub mod reputation;
pub mod resource_arn;
pub mod route;
pub mod send;
pub mod suppression;
pub mod tag_set;
pub mod tags;
pub mod templates;
pub mod tenants;
pub mod validate;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub use operations::Operation;
pub use route::{Labels, route};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::front::{Incoming, Protocol};
use crate::state::AppState;

/// The SigV4 signing name of SES (v1 and v2).
pub const SIGNING_NAME: &str = "ses";

/// What a handler answers: JSON, or JSON text it wrote itself.
#[derive(Debug)]
pub enum Answer {
    Json(Value),
    Text(String),
}

impl From<Value> for Answer {
    fn from(v: Value) -> Self {
        Answer::Json(v)
    }
}

impl From<String> for Answer {
    fn from(s: String) -> Self {
        Answer::Text(s)
    }
}

/// One authenticated call of an operation: what every handler gets.
pub struct Call<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub op: Operation,
    pub method: &'a Method,
    pub labels: &'a Labels,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    /// The client's address, as SES reports it in `mail.sourceIp`.
    pub source_ip: String,
    /// The `Host` the client reached (for links back to mailsight).
    pub host: Option<&'a str>,
}

impl Call<'_> {
    /// A path label of the operation's route, decoded.
    pub fn label(&self, name: &str) -> Result<&str, ApiError> {
        self.labels.get(name)
    }

    /// The caller's account.
    pub fn account(&self) -> &str {
        &self.caller.account_id
    }

    pub fn store(&self) -> &dyn mailsight_store::Store {
        self.state.store().as_ref()
    }
}

/// SES v2 behind the front.
pub struct SesV2;

impl Protocol for SesV2 {
    const NAME: &'static str = "SES v2";
    const SIGNING_NAME: &'static str = SIGNING_NAME;
    const THROTTLING_CODE: &'static str = "TooManyRequestsException";
    type Operation = (Operation, Labels);
    type Answer = Answer;

    fn route(request: &Incoming) -> Result<Self::Operation, ApiError> {
        route(&request.parts.method, request.parts.uri.path())
    }

    fn operation_name((op, _): &Self::Operation) -> &'static str {
        op.name()
    }

    async fn call(
        state: &AppState,
        caller: Option<&Caller>,
        (op, labels): &Self::Operation,
        request: &Incoming,
    ) -> Result<Answer, ApiError> {
        let caller = caller.ok_or_else(|| ApiError::internal("SES v2 calls are signed"))?;
        let call = Call {
            state,
            caller,
            op: *op,
            method: &request.parts.method,
            labels,
            query: request.parts.uri.query(),
            body: &request.body,
            source_ip: request.peer.ip().to_string(),
            host: request
                .parts
                .headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok()),
        };
        op.call(&call).await
    }

    fn render(_op: &Self::Operation, answer: Answer, _request_id: &str) -> Response {
        let body = match answer {
            Answer::Json(v) => v.to_string(),
            Answer::Text(s) => s,
        };
        json_response(StatusCode::OK, body)
    }

    fn render_error(e: &ApiError, _request_id: &str) -> Response {
        let mut r = json_response(e.status, e.body());
        if let Ok(v) = HeaderValue::from_str(e.code) {
            r.headers_mut().insert("x-amzn-ErrorType", v);
        }
        r
    }

    fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            "RequestEntityTooLargeException",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {limit} bytes."),
        )
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
