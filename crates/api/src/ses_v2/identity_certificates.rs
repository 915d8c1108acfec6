//! S/MIME certificates of an identity's senders
//! (`Associate/DisassociateEmailIdentityCertificate`,
//! `ListEmailIdentityCertificates`): stored per identity and sender
//! address and `ACTIVE` at once. mailsight signs and encrypts nothing with
//! them (it has no certificate store to read the ARN from), so no expiry is
//! given. Kept as items keyed `identity\nfrom-address`.

use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use crate::body::{json, list_answer};
use crate::error::ApiError;
use mailsight_engine::identities;

fn key(identity: &str, from: &str) -> String {
    format!("{identity}\n{}", from.to_ascii_lowercase())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    email_identity: Option<String>,
    from_address: Option<String>,
    certificate_arn: Option<String>,
    next_token: Option<String>,
    page_size: Option<i64>,
}

/// The identity named (it must exist) and the sender address (the identity
/// itself when it is an address and none is given).
async fn target(c: &Call<'_>, req: &Request) -> Result<(String, String), ApiError> {
    let given = req
        .email_identity
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EmailIdentity."))?;
    let identity = identities::find(c.store(), c.account(), given)
        .await
        .map_err(|e| ApiError::not_found(e.to_string()))?;
    let from = match &req.from_address {
        Some(f) => f.clone(),
        None => identity.name.clone(),
    };
    Ok((identity.name, from))
}

pub async fn associate(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: Request = json(c.body)?;
    let (identity, from) = target(c, &req).await?;
    let arn = req
        .certificate_arn
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: CertificateArn."))?;
    if !arn.starts_with("arn:") {
        return Err(ApiError::bad_request(format!("{arn} is not an ARN.")));
    }
    let body = json!({ "FromAddress": from, "Status": "ACTIVE", "CertificateArn": arn });
    match c
        .store()
        .put_item(
            c.account(),
            ItemKind::IdentityCertificate,
            &key(&identity, &from),
            body,
            PutMode::Create,
            now_ms(),
        )
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "{from} already has a certificate."
        ))),
        other => Ok(other.map(|()| json!({}))?),
    }
}

pub async fn disassociate(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: Request = json(c.body)?;
    let (identity, from) = target(c, &req).await?;
    if c.store()
        .delete_item(
            c.account(),
            ItemKind::IdentityCertificate,
            &key(&identity, &from),
        )
        .await?
    {
        Ok(json!({}))
    } else {
        Err(ApiError::not_found(format!("{from} has no certificate.")))
    }
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: Request = json(c.body)?;
    let (identity, _) = target(c, &req).await?;
    let page = super::paging::PageRequest::new(req.page_size, req.next_token.as_deref(), 100, 100)?;
    let found = c
        .store()
        .list_items(
            c.account(),
            ItemKind::IdentityCertificate,
            &format!("{identity}\n"),
            page.after.as_deref(),
            page.limit,
        )
        .await?;
    let items = found.items.into_iter().map(|i| i.body).collect();
    Ok(list_answer("Certificates", items, found.next_after))
}
