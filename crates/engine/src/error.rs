//! Why a send was refused, in terms the API maps to SES errors.

use mailsight_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The request is malformed (`BadRequestException`).
    #[error("{0}")]
    BadRequest(String),
    /// SES refused the message (`MessageRejected`), e.g. an unverified sender.
    #[error("{0}")]
    MessageRejected(String),
    /// Sending is paused for the configuration set (`SendingPausedException`).
    #[error("{0}")]
    SendingPaused(String),
    /// Sending is off for the whole account (SES v2's
    /// `SendingPausedException`, SES v1's `AccountSendingPausedException`).
    #[error(
        "The message can't be sent because the account's ability to send email is currently paused."
    )]
    AccountSendingPaused,
    /// A named configuration set does not exist (`NotFoundException`).
    #[error("Configuration set <{0}> does not exist.")]
    ConfigurationSetNotFound(String),
    /// A named template does not exist (`NotFoundException`; in a bulk
    /// send, the entry status `TEMPLATE_NOT_FOUND`).
    #[error("Template {0} does not exist.")]
    TemplateNotFound(String),
    /// Something the request names does not exist (`NotFoundException`).
    #[error("{0}")]
    NotFound(String),
    /// mailsight failed to build its own records: a bug, not the caller's.
    #[error("internal error: {0}")]
    Internal(String),
    /// Storage failed; nothing was sent (`InternalServiceErrorException`).
    #[error(transparent)]
    Store(#[from] StoreError),
}
