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

/// A page of the items `fetch` reads that pass `keep`. The filter is
/// applied here, not in the store, so store pages are read until this one
/// is full; the cursor is then the last kept item's `key`.
pub async fn filtered_page<T, Fut>(
    page: PageRequest,
    mut fetch: impl FnMut(Option<String>, usize) -> Fut,
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    let PageRequest { limit, mut after } = page;
    let mut kept: Vec<T> = Vec::new();
    loop {
        let found = fetch(after.take(), limit).await?;
        for item in found.items {
            if keep(&item) {
                kept.push(item);
                if kept.len() == limit {
                    let next = kept.last().map(&key);
                    return Ok((kept, next));
                }
            }
        }
        match found.next_after {
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

    #[test]
    fn page_requests_check_size_and_token() {
        let p = PageRequest::from_query(Some("PageSize=5&NextToken=Y3MtOQ"), 100, 1000).unwrap();
        assert_eq!((p.limit, p.after.as_deref()), (5, Some("cs-9")));
        assert_eq!(PageRequest::from_query(None, 100, 1000).unwrap().limit, 100);
        assert!(PageRequest::from_query(Some("PageSize=0"), 100, 1000).is_err());
        assert!(PageRequest::new(None, Some("!!"), 100, 1000).is_err());
    }
}
