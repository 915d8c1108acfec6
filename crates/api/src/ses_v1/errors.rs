//! SES v1's error codes (botocore's `ses` model: every modelled error is a
//! 400 `Sender` fault), as [`ApiError`]s. `ValidationError` for a missing
//! or malformed parameter is the query protocol's
//! ([`crate::query::params::validation`]).

use axum::http::StatusCode;
use mailsight_store::StoreError;

use super::Action;
use crate::error::ApiError;

/// `InvalidAction` (400) for an action mailsight does not implement (yet).
pub fn not_implemented(action: &str) -> ApiError {
    let answered: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    ApiError::new(
        "InvalidAction",
        StatusCode::BAD_REQUEST,
        format!(
            "mailsight does not implement the SES v1 action {action} yet (SES v1 answers {}; \
             the SES v2 API has the rest).",
            answered.join(", ")
        ),
    )
}

/// `InvalidAction` (400) for the inbound actions: mailsight receives no
/// mail.
pub fn inbound(action: &str) -> ApiError {
    ApiError::new(
        "InvalidAction",
        StatusCode::BAD_REQUEST,
        format!(
            "{action}: inbound mail and receipt rules are not supported by mailsight, \
             which sends (simulated) mail and records its events but receives none."
        ),
    )
}

/// `InternalFailure` (500), the query protocol's server fault.
pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new(
        "InternalFailure",
        StatusCode::INTERNAL_SERVER_ERROR,
        message,
    )
}

/// A store failure in SES v1's terms.
pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::AlreadyExists(what) => ApiError::new(
            "AlreadyExists",
            StatusCode::BAD_REQUEST,
            format!("{what} already exists."),
        ),
        other => {
            tracing::error!(error = %other, "storage failure");
            internal("The request could not be committed; try again.")
        }
    }
}
