//! SNS's error codes and statuses (as in botocore's `sns` model:
//! `NotFound` 404, `InvalidParameter` 400, `AuthorizationError` 403,
//! `InternalError` 500), as [`ApiError`]s. `InvalidParameter` is the query
//! protocol's own ([`crate::query::params::invalid`]).

use axum::http::StatusCode;
use mailsight_store::StoreError;

use crate::error::ApiError;

/// `NotFound` (404).
pub fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new("NotFound", StatusCode::NOT_FOUND, message)
}

/// `AuthorizationError` (403).
pub fn authorization(message: impl Into<String>) -> ApiError {
    ApiError::new("AuthorizationError", StatusCode::FORBIDDEN, message)
}

/// `InternalError` (500).
pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new("InternalError", StatusCode::INTERNAL_SERVER_ERROR, message)
}

/// A store failure in SNS's terms (the SES APIs map it their own way, with
/// `From<StoreError>`): a name taken by another account is not the
/// caller's to see.
pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(what) => not_found(format!("{what} does not exist")),
        StoreError::AlreadyExists(what) => {
            authorization(format!("{what} belongs to another account"))
        }
        other => internal(other.to_string()),
    }
}
