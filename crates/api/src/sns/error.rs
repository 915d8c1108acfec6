//! Errors of the SNS query API, with SNS's codes and HTTP statuses (as in
//! botocore's `sns` model: `NotFound` 404, `InvalidParameter` 400,
//! `AuthorizationError` 403, `InternalError` 500).

use axum::http::StatusCode;
use mailsight_store::StoreError;

use crate::error::ApiError;

/// An SNS error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SnsApiError {
    pub code: &'static str,
    pub status: StatusCode,
    pub message: String,
}

impl SnsApiError {
    pub fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        SnsApiError {
            code,
            status,
            message: message.into(),
        }
    }

    /// `InvalidParameter` (400).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameter", StatusCode::BAD_REQUEST, message)
    }

    /// `NotFound` (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("NotFound", StatusCode::NOT_FOUND, message)
    }

    /// `AuthorizationError` (403).
    pub fn authorization(message: impl Into<String>) -> Self {
        Self::new("AuthorizationError", StatusCode::FORBIDDEN, message)
    }

    /// `InternalError` (500).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalError", StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// `Sender` for client errors, `Receiver` for server errors.
    pub fn fault(&self) -> &'static str {
        if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }
}

impl From<StoreError> for SnsApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => SnsApiError::not_found(format!("{what} does not exist")),
            StoreError::AlreadyExists(what) => {
                SnsApiError::authorization(format!("{what} belongs to another account"))
            }
            other => SnsApiError::internal(other.to_string()),
        }
    }
}

/// SigV4 failures keep their AWS code and status.
impl From<ApiError> for SnsApiError {
    fn from(e: ApiError) -> Self {
        SnsApiError::new(e.code, e.status, e.message)
    }
}
