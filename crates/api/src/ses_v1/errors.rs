//! SES v1's error codes (botocore's `ses` model: every modelled error is a
//! 400 `Sender` fault), as [`ApiError`]s. `ValidationError` for a missing
//! or malformed parameter is the query protocol's
//! ([`crate::query::params::validation`]).

use axum::http::StatusCode;
use mailsight_engine::SendError;
use mailsight_engine::identities::AttributeError;
use mailsight_engine::templates::TemplateError;
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

/// `InvalidParameterValue` (400), the query protocol's code for a value
/// SES cannot use.
pub fn invalid_parameter(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameterValue", StatusCode::BAD_REQUEST, message)
}

/// `TemplateDoesNotExist` (400).
pub fn template_missing(name: &str) -> ApiError {
    ApiError::new(
        "TemplateDoesNotExist",
        StatusCode::BAD_REQUEST,
        SendError::TemplateNotFound(name.to_owned()).to_string(),
    )
}

/// `ConfigurationSetDoesNotExist` (400).
pub fn set_missing(name: &str) -> ApiError {
    ApiError::new(
        "ConfigurationSetDoesNotExist",
        StatusCode::BAD_REQUEST,
        SendError::ConfigurationSetNotFound(name.to_owned()).to_string(),
    )
}

/// A refused send in SES v1's terms: the engine's reasons are SES v2's,
/// and each has its v1 code (botocore's `ses` model).
pub fn send_error(e: SendError) -> ApiError {
    let code = |code: &'static str, e: &SendError| {
        ApiError::new(code, StatusCode::BAD_REQUEST, e.to_string())
    };
    match e {
        SendError::BadRequest(m) | SendError::NotFound(m) => invalid_parameter(m),
        SendError::MessageRejected(m) => {
            ApiError::new("MessageRejected", StatusCode::BAD_REQUEST, m)
        }
        e @ SendError::SendingPaused(_) => code("ConfigurationSetSendingPausedException", &e),
        e @ SendError::AccountSendingPaused => code("AccountSendingPausedException", &e),
        SendError::ConfigurationSetNotFound(name) => set_missing(&name),
        SendError::TemplateNotFound(name) => template_missing(&name),
        SendError::Internal(m) => {
            tracing::error!(error = %m, "internal error while sending");
            internal("mailsight failed to build the message's events.")
        }
        SendError::Store(s) => store_error(s),
    }
}

/// A refused template call in SES v1's terms.
pub fn template_error(e: TemplateError) -> ApiError {
    match e {
        TemplateError::Invalid(m) => ApiError::new("InvalidTemplate", StatusCode::BAD_REQUEST, m),
        e @ TemplateError::Exists(_) => {
            ApiError::new("AlreadyExists", StatusCode::BAD_REQUEST, e.to_string())
        }
        TemplateError::Missing(name) => template_missing(&name),
        TemplateError::Store(s) => store_error(s),
    }
}

/// A refused change of an identity's notification settings or policies in
/// SES v1's terms: `InvalidPolicy` for a policy (or one too many), else
/// `InvalidParameterValue`.
pub fn attribute_error(e: AttributeError) -> ApiError {
    match e {
        e @ (AttributeError::InvalidPolicy(_) | AttributeError::TooManyPolicies(_)) => {
            ApiError::new("InvalidPolicy", StatusCode::BAD_REQUEST, e.to_string())
        }
        AttributeError::Store(s) => store_error(s),
        e => invalid_parameter(e.to_string()),
    }
}
