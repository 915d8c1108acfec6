//! The one error type of every protocol: an AWS error code, an HTTP status
//! and a message. Each protocol renders it in its own shape (SES v2: the
//! `x-amzn-ErrorType` header and `__type` / `message` / `Message` in a JSON
//! body; the query protocols: an XML `<ErrorResponse>`). The `From`
//! conversions give the SES APIs' codes; SNS maps store errors its own way
//! (`sns::errors::store_error`).

use axum::http::StatusCode;
use mailsight_engine::SendError;
use mailsight_store::StoreError;

/// An error answer in the AWS shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: &'static str,
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new("BadRequestException", StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("NotFoundException", StatusCode::NOT_FOUND, message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new("AlreadyExistsException", StatusCode::BAD_REQUEST, message)
    }

    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new("LimitExceededException", StatusCode::BAD_REQUEST, message)
    }

    pub fn message_rejected(message: impl Into<String>) -> Self {
        Self::new("MessageRejected", StatusCode::BAD_REQUEST, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            "InternalServiceErrorException",
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
        )
    }

    /// `Sender` for client errors, `Receiver` for server errors (the query
    /// protocol's `<Type>`).
    pub fn fault(&self) -> &'static str {
        if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// The JSON body of the error (the REST-JSON protocols' shape).
    pub fn body(&self) -> String {
        serde_json::json!({
            "__type": self.code,
            "message": self.message,
            "Message": self.message,
        })
        .to_string()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyExists(what) => {
                ApiError::already_exists(format!("{what} already exists."))
            }
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} does not exist.")),
            StoreError::Backend(_) | StoreError::Closed => {
                tracing::error!(error = %e, "storage failure");
                ApiError::internal("The request could not be committed; try again.")
            }
        }
    }
}

impl From<mailsight_engine::exports::ExportError> for ApiError {
    fn from(e: mailsight_engine::exports::ExportError) -> Self {
        use mailsight_engine::exports::ExportError;
        match e {
            ExportError::Invalid(m) => ApiError::bad_request(m),
            ExportError::NotFound(m) => ApiError::not_found(m),
            ExportError::Limit(m) => ApiError::limit_exceeded(m),
            ExportError::Store(s) => s.into(),
        }
    }
}

impl From<mailsight_engine::templates::TemplateError> for ApiError {
    fn from(e: mailsight_engine::templates::TemplateError) -> Self {
        use mailsight_engine::templates::TemplateError;
        match e {
            TemplateError::Invalid(m) => ApiError::bad_request(m),
            e @ TemplateError::Exists(_) => ApiError::already_exists(e.to_string()),
            e @ TemplateError::Missing(_) => ApiError::not_found(e.to_string()),
            TemplateError::Store(s) => s.into(),
        }
    }
}

impl From<SendError> for ApiError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::BadRequest(m) => ApiError::bad_request(m),
            SendError::NotFound(m) => ApiError::not_found(m),
            SendError::MessageRejected(m) => ApiError::message_rejected(m),
            SendError::SendingPaused(m) => {
                ApiError::new("SendingPausedException", StatusCode::BAD_REQUEST, m)
            }
            e @ SendError::AccountSendingPaused => ApiError::new(
                "SendingPausedException",
                StatusCode::BAD_REQUEST,
                e.to_string(),
            ),
            e @ (SendError::ConfigurationSetNotFound(_) | SendError::TemplateNotFound(_)) => {
                ApiError::not_found(e.to_string())
            }
            SendError::Internal(m) => {
                tracing::error!(error = %m, "internal error while sending");
                ApiError::internal("mailsight failed to build the message's events.")
            }
            SendError::Store(s) => s.into(),
        }
    }
}
