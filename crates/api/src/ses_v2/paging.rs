//! The list and create patterns the SES v2 handlers share: reading a page
//! request (query string or body), one page of items shaped for the
//! answer, a page of items that pass a filter applied here, and creating
//! an item whose key may be taken.

use std::future::Future;

use axum::http::Method;
use mailsight_store::{Item, ItemKind, Page, PutMode, StoreError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Call;
use crate::body::{decode_token, json, list_answer, page_size, query_page_size, query_param};
use crate::error::ApiError;

/// At most `limit` items after the cursor `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<String>,
}

impl PageRequest {
    /// From `PageSize` (1 to `max`, absent: `default`) and `NextToken`.
    pub fn new(
        size: Option<i64>,
        token: Option<&str>,
        default: usize,
        max: usize,
    ) -> Result<Self, ApiError> {
        Ok(PageRequest {
            limit: page_size(size, default, max)?,
            after: decode_token(token)?,
        })
    }

    /// From `PageSize` and `NextToken` in the query string.
    pub fn from_query(query: Option<&str>, default: usize, max: usize) -> Result<Self, ApiError> {
        Self::new(
            query_page_size(query)?,
            query_param(query, "NextToken").as_deref(),
            default,
            max,
        )
    }
}

/// A list request older SDKs send as a `GET` with the query string, and
/// the newest as a `POST` with a body that may hold a filter
/// (`ListConfigurationSets`, `ListEmailIdentities`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(bound = "F: DeserializeOwned")]
pub struct ListRequest<F> {
    pub filter: Option<F>,
    pub next_token: Option<String>,
    pub page_size: Option<i64>,
}

impl<F: DeserializeOwned> ListRequest<F> {
    pub fn read(c: &Call<'_>) -> Result<Self, ApiError> {
        if *c.method == Method::POST {
            json(c.body)
        } else {
            Ok(ListRequest {
                filter: None,
                next_token: query_param(c.query, "NextToken"),
                page_size: query_page_size(c.query)?,
            })
        }
    }

    /// The page it asks for.
    pub fn page(&self, default: usize, max: usize) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.page_size, self.next_token.as_deref(), default, max)
    }
}

/// One page of the caller's items of `kind` (keys under `prefix`), each
/// shaped by `shape`, answered as `{member: [...], NextToken}`.
pub async fn item_page(
    c: &Call<'_>,
    kind: ItemKind,
    prefix: &str,
    page: PageRequest,
    member: &str,
    shape: impl Fn(&Item) -> Value,
) -> Result<Value, ApiError> {
    let found = c
        .store()
        .list_items(c.account(), kind, prefix, page.after.as_deref(), page.limit)
        .await?;
    let items = found.items.iter().map(shape).collect();
    Ok(list_answer(member, items, found.next_after))
}

/// How many stored items one filtered page reads at most. A selective
/// filter over a long list (a suppression list of a million addresses,
/// say) would otherwise read all of it in one request; past this, the page
/// ends early with a token that resumes where the reading stopped, as SES
/// itself may answer fewer items than asked with a `NextToken`.
const SCAN_BUDGET: usize = 5_000;

/// Items read from the store per call while filtering.
const SCAN_CHUNK: usize = 200;

/// A page of the items `fetch` reads that pass `keep`. The filter is
/// applied here, not in the store, so store pages are read until this one
/// is full or [`SCAN_BUDGET`] items were read; the cursor is then the last
/// kept item's `key`, or the last read one's.
pub async fn filtered_page<T, Fut>(
    page: PageRequest,
    fetch: impl FnMut(Option<String>, usize) -> Fut,
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    filtered_page_within(page, SCAN_BUDGET, fetch, keep, key).await
}

async fn filtered_page_within<T, Fut>(
    page: PageRequest,
    budget: usize,
    mut fetch: impl FnMut(Option<String>, usize) -> Fut,
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    let PageRequest { limit, mut after } = page;
    let chunk = limit.max(SCAN_CHUNK);
    let mut kept: Vec<T> = Vec::new();
    let mut read = 0;
    loop {
        let found = fetch(after.take(), chunk).await?;
        read += found.items.len();
        for item in found.items {
            if keep(&item) {
                kept.push(item);
                if kept.len() == limit {
                    let next = kept.last().map(&key);
                    return Ok((kept, next));
                }
            }
        }
        // Every item of the store's page was read: its cursor resumes
        // after the last of them.
        match found.next_after {
            Some(n) if read >= budget => return Ok((kept, Some(n))),
            Some(n) => after = Some(n),
            None => return Ok((kept, None)),
        }
    }
}

/// Stores a new item of the caller's; `taken` is the error when one
/// already has its key. Answers the empty object SES gives.
pub async fn create_item(
    c: &Call<'_>,
    kind: ItemKind,
    key: &str,
    doc: Value,
    taken: impl FnOnce() -> ApiError,
) -> Result<Value, ApiError> {
    put_item(c, kind, key, doc, PutMode::Create, taken).await
}

/// Replaces an item of the caller's; `missing` is the error when there is
/// none under its key. Answers the empty object SES gives.
pub async fn replace_item(
    c: &Call<'_>,
    kind: ItemKind,
    key: &str,
    doc: Value,
    missing: impl FnOnce() -> ApiError,
) -> Result<Value, ApiError> {
    put_item(c, kind, key, doc, PutMode::Replace, missing).await
}

/// `conflict` answers the store's refusal for `mode`: the key taken for a
/// create, absent for a replace.
async fn put_item(
    c: &Call<'_>,
    kind: ItemKind,
    key: &str,
    doc: Value,
    mode: PutMode,
    conflict: impl FnOnce() -> ApiError,
) -> Result<Value, ApiError> {
    let put = c
        .store()
        .put_item(c.account(), kind, key, doc, mode, mailsight_model::now_ms())
        .await;
    match (mode, put) {
        (PutMode::Create, Err(StoreError::AlreadyExists(_)))
        | (PutMode::Replace, Err(StoreError::NotFound(_))) => Err(conflict()),
        (_, other) => other.map(|_| json!({})).map_err(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[u32], next: Option<&str>) -> Result<Page<u32>, StoreError> {
        Ok(Page {
            items: items.to_vec(),
            next_after: next.map(str::to_owned),
        })
    }

    #[tokio::test]
    async fn filtered_pages_read_on_until_full_and_resume_after_the_last_kept() {
        // The store holds 1..=9 in pages of the requested size; keep odds.
        let all: Vec<u32> = (1..=9).collect();
        let fetch = |after: Option<String>, limit: usize| {
            let start = after.map_or(0, |a| a.parse::<usize>().unwrap());
            let chunk: Vec<u32> = all.iter().copied().skip(start).take(limit).collect();
            let next = (start + limit < all.len()).then(|| (start + limit).to_string());
            async move { page(&chunk, next.as_deref()) }
        };
        let odd = |n: &u32| n % 2 == 1;
        // The cursor is an index here: the kept item's value is its index + 1.
        let key = |n: &u32| n.to_string();
        let first = PageRequest {
            limit: 3,
            after: None,
        };
        let (kept, next) = filtered_page(first, fetch, odd, key).await.unwrap();
        assert_eq!(kept, vec![1, 3, 5]);
        assert_eq!(next.as_deref(), Some("5"));
        let rest = PageRequest {
            limit: 3,
            after: next,
        };
        let (kept, next) = filtered_page(rest, fetch, odd, key).await.unwrap();
        assert_eq!(kept, vec![7, 9]);
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn a_filtered_page_reads_a_bounded_number_of_items_and_resumes_there() {
        // 10,000 items, one of them kept: no request reads them all.
        let all: Vec<u32> = (1..=10_000).collect();
        let reads = std::cell::Cell::new(0usize);
        let fetch = |after: Option<String>, limit: usize| {
            let start = after.map_or(0, |a| a.parse::<usize>().unwrap());
            let chunk: Vec<u32> = all.iter().copied().skip(start).take(limit).collect();
            reads.set(reads.get() + chunk.len());
            let next = (start + limit < all.len()).then(|| (start + limit).to_string());
            async move { page(&chunk, next.as_deref()) }
        };
        let wanted = |n: &u32| *n == 9_000;
        let key = |n: &u32| n.to_string();
        let mut after = None;
        let mut found = Vec::new();
        let mut requests = 0;
        loop {
            reads.set(0);
            let request = PageRequest { limit: 10, after };
            let (kept, next) = filtered_page_within(request, 1_000, fetch, wanted, key)
                .await
                .unwrap();
            assert!(reads.get() <= 1_000, "one request read {}", reads.get());
            requests += 1;
            found.extend(kept);
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(found, vec![9_000]);
        assert_eq!(requests, 10);
    }

    #[test]
    fn page_requests_check_size_and_token() {
        let p = PageRequest::from_query(Some("PageSize=5&NextToken=Y3MtOQ"), 100, 1000).unwrap();
        assert_eq!((p.limit, p.after.as_deref()), (5, Some("cs-9")));
        assert_eq!(PageRequest::from_query(None, 100, 1000).unwrap().limit, 100);
        assert!(PageRequest::from_query(Some("PageSize=0"), 100, 1000).is_err());
        assert!(PageRequest::new(None, Some("!!"), 100, 1000).is_err());
    }
}
