//! The bytes of request bodies held in memory across all connections at
//! once (`max_buffered_bytes`).
//!
//! Each request's own limit (`max_body_bytes`) bounds one body; this
//! bounds their sum, so many connections each sending a body of the
//! largest size cannot take the limit times the connections. A body
//! reserves its declared `Content-Length` before its first byte is read,
//! and more as it arrives when it declared none (chunked) or sends more;
//! the reservation is held until the answer is built. A body that cannot
//! have its bytes within [`WAIT`] is refused with 503 `Throttling`, which
//! SDKs retry with backoff, rather than queued without end.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// How long a body may wait for its bytes before it is refused.
pub const WAIT: Duration = Duration::from_secs(2);

/// The default of `max_buffered_bytes` (256 MiB).
pub const DEFAULT_TOTAL: usize = 256 * 1024 * 1024;

/// The bytes all bodies in memory may hold together.
#[derive(Debug)]
pub struct ByteBudget {
    permits: Arc<Semaphore>,
    total: usize,
}

/// Bytes taken from the budget, given back when dropped.
#[derive(Debug, Default)]
pub struct Reserved(Option<OwnedSemaphorePermit>);

impl Reserved {
    fn add(&mut self, more: OwnedSemaphorePermit) {
        match &mut self.0 {
            Some(held) => held.merge(more),
            None => self.0 = Some(more),
        }
    }

    /// How many bytes are held.
    pub fn bytes(&self) -> usize {
        self.0.as_ref().map_or(0, OwnedSemaphorePermit::num_permits)
    }
}

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Over the request's own limit (413).
    TooLarge,
    /// The budget had no room in time (503).
    Busy,
    /// The connection failed while the body was read.
    Broken,
}

impl ReadError {
    /// The error in the caller's protocol: `too_large` gives the
    /// protocol's code for a body over its limit, `throttling` its code
    /// for "retry later".
    pub fn into_api(self, too_large: ApiError, throttling: &'static str) -> ApiError {
        match self {
            ReadError::TooLarge => too_large,
            ReadError::Busy => busy(throttling),
            ReadError::Broken => ApiError::bad_request("The request body could not be read."),
        }
    }
}

/// 503 with the protocol's throttling code: the server holds as many
/// request bytes as it may.
pub fn busy(throttling: &'static str) -> ApiError {
    ApiError::new(
        throttling,
        StatusCode::SERVICE_UNAVAILABLE,
        "The server is receiving as many request bytes as it may hold; retry later.",
    )
}

impl ByteBudget {
    /// A budget of `total` bytes (at most 4 GiB: a semaphore takes at most
    /// `u32::MAX` permits at once).
    pub fn new(total: usize) -> Self {
        let total = total.clamp(1, u32::MAX as usize);
        ByteBudget {
            permits: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// The bytes of the whole budget.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The bytes not taken right now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Takes `bytes` from the budget, waiting at most [`WAIT`].
    pub async fn reserve(&self, bytes: usize) -> Result<Reserved, ReadError> {
        let mut held = Reserved::default();
        self.take(&mut held, bytes).await?;
        Ok(held)
    }

    async fn take(&self, held: &mut Reserved, bytes: usize) -> Result<(), ReadError> {
        if bytes == 0 {
            return Ok(());
        }
        if held.bytes() + bytes > self.total {
            return Err(ReadError::Busy);
        }
        let n = u32::try_from(bytes).map_err(|_| ReadError::Busy)?;
        let permit = tokio::time::timeout(WAIT, self.permits.clone().acquire_many_owned(n))
            .await
            .map_err(|_| ReadError::Busy)?
            .map_err(|_| ReadError::Busy)?;
        held.add(permit);
        Ok(())
    }

    /// Reads `body` whole, up to `limit` bytes, with its bytes reserved;
    /// a declared `Content-Length` over the limit is refused before any
    /// byte is read.
    pub async fn read(
        &self,
        headers: &HeaderMap,
        body: Body,
        limit: usize,
    ) -> Result<(Bytes, Reserved), ReadError> {
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ReadError::TooLarge);
        }
        let declared = declared.map_or(0, |n| n as usize);
        let mut held = self.reserve(declared).await?;
        let mut body = http_body_util::Limited::new(body, limit);
        let mut out = Vec::with_capacity(declared);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    ReadError::TooLarge
                } else {
                    ReadError::Broken
                }
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let needed = (out.len() + data.len()).saturating_sub(held.bytes());
            self.take(&mut held, needed).await?;
            out.extend_from_slice(&data);
        }
        Ok((Bytes::from(out), held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(n: usize) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_LENGTH, n.into());
        h
    }

    #[tokio::test]
    async fn a_body_holds_its_bytes_until_dropped() {
        let budget = ByteBudget::new(100);
        let (bytes, held) = budget
            .read(&length(60), Body::from(vec![1u8; 60]), 80)
            .await
            .unwrap();
        assert_eq!(bytes.len(), 60);
        assert_eq!(budget.available(), 40);
        drop(held);
        assert_eq!(budget.available(), 100);
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_before_reading() {
        let budget = ByteBudget::new(100);
        let err = budget
            .read(&length(81), Body::from(vec![1u8; 81]), 80)
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::TooLarge);
        // Undeclared (chunked) bodies are cut at the limit as they come.
        let err = budget
            .read(&HeaderMap::new(), Body::from(vec![0u8; 100]), 80)
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::TooLarge);
        assert_eq!(budget.available(), 100, "nothing stays reserved");
    }

    #[tokio::test]
    async fn a_full_budget_refuses_after_the_wait() {
        let budget = ByteBudget::new(100);
        let held = budget.reserve(70).await.unwrap();
        let err = budget
            .read(&length(40), Body::from(vec![1u8; 40]), 80)
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::Busy);
        // Undeclared bodies reserve as they arrive, and are refused too.
        let err = budget
            .read(&HeaderMap::new(), Body::from(vec![0u8; 40]), 80)
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::Busy);
        drop(held);
        assert!(
            budget
                .read(&length(40), Body::from(vec![1u8; 40]), 80)
                .await
                .is_ok()
        );
        assert_eq!(budget.reserve(101).await.unwrap_err(), ReadError::Busy);
    }
}
