//! The error type and its mapping onto the AWS wire errors (code + HTTP status)
//! that a REST-JSON service such as SES v2 answers with.

/// Why a request's SigV4 authentication was rejected.
///
/// `Display` yields the message that belongs in the error body; [`aws_code`]
/// and [`status`] give the error code (`__type` / `x-amzn-ErrorType`) and the
/// HTTP status code.
///
/// [`aws_code`]: SigV4Error::aws_code
/// [`status`]: SigV4Error::status
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor presigned query parameters.
    #[error("Missing Authentication Token")]
    MissingAuthentication,

    /// The authentication information is present but malformed or incomplete
    /// (the message says which part).
    #[error("{0}")]
    Incomplete(String),

    /// The access key id is not known. Never produced by this crate: the
    /// caller looks the key up and returns this when it finds nothing.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,

    /// The recomputed signature differs from the one in the request.
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. \
         Consult the service documentation for details."
    )]
    SignatureMismatch,

    /// The request was signed too long ago, or its presigned URL expired.
    #[error("{0}")]
    Expired(String),

    /// The request was signed too far in the future.
    #[error("{0}")]
    NotYetCurrent(String),

    /// Any other reason the signature cannot be accepted (scope date,
    /// unsigned `host`, wrong region/service, body hash mismatch, ...).
    #[error("{0}")]
    Invalid(String),
}

impl SigV4Error {
    /// The AWS error code clients see (`__type` in the JSON body and the
    /// `x-amzn-ErrorType` header).
    pub fn aws_code(&self) -> &'static str {
        match self {
            SigV4Error::MissingAuthentication => "MissingAuthenticationTokenException",
            SigV4Error::Incomplete(_) => "IncompleteSignatureException",
            SigV4Error::UnknownAccessKey => "UnrecognizedClientException",
            SigV4Error::SignatureMismatch
            | SigV4Error::Expired(_)
            | SigV4Error::NotYetCurrent(_)
            | SigV4Error::Invalid(_) => "InvalidSignatureException",
        }
    }

    /// The HTTP status code that goes with [`aws_code`](Self::aws_code).
    pub fn status(&self) -> u16 {
        match self {
            SigV4Error::Incomplete(_) => 400,
            _ => 403,
        }
    }

    pub(crate) fn incomplete(msg: impl Into<String>) -> Self {
        SigV4Error::Incomplete(msg.into())
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        SigV4Error::Invalid(msg.into())
    }
}
