//! SES v1's paging: `MaxItems` and `NextToken` in, `NextToken` out. The
//! token is the one SES v2 hands out for the same list (the last key,
//! encoded), so a page can be continued through either API.

use super::errors::invalid_parameter;
use crate::body::encode_token;
use crate::error::ApiError;
use crate::query::{Params, Xml};
use crate::ses_v2::paging::PageRequest;

/// The page asked for: `MaxItems` (1 to `max`, absent: `default`) after
/// `NextToken`. A bad size or token is `InvalidParameterValue`.
pub fn page(p: &Params, default: usize, max: usize) -> Result<PageRequest, ApiError> {
    page_sized_by(p, "MaxItems", default, max)
}

/// [`page`] for the actions whose page size is another member
/// (`MaxResults`).
pub fn page_sized_by(
    p: &Params,
    size_member: &str,
    default: usize,
    max: usize,
) -> Result<PageRequest, ApiError> {
    let size = p.number(size_member)?;
    PageRequest::new(size, p.get("NextToken"), default, max)
        .map_err(|e| invalid_parameter(e.message))
}

/// `<NextToken>` when more items follow `next`.
pub fn next_token(x: &mut Xml, next: Option<&str>) {
    if let Some(after) = next {
        x.text("NextToken", &encode_token(after));
    }
}
