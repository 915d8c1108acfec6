//! Multi-region endpoints (`Create/Get/Delete/ListMultiRegionEndpoint(s)`):
//! stored and `READY` at once (mailsight is one server: the routes name
//! the regions, mail goes nowhere else). The first route is mailsight's own
//! region (`[sending] region`), the others those `Details.RoutesDetails`
//! names, as SES routes between its primary and secondary region.

use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::PageRequest;
use super::tag_set::{self, Tag};
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Route {
    region: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    #[serde(default)]
    routes_details: Vec<Route>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    endpoint_name: Option<String>,
    details: Option<Details>,
    tags: Option<Vec<Tag>>,
}

fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn missing(name: &str) -> ApiError {
    ApiError::not_found(format!("Multi-region endpoint {name} does not exist."))
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: CreateRequest = json(c.body)?;
    let name = req
        .endpoint_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EndpointName."))?;
    if !mailsight_model::is_resource_name(&name) {
        return Err(ApiError::bad_request(format!(
            "Invalid endpoint name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )));
    }
    let details = req
        .details
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Details."))?;
    let own = &c.state.engine.sending().region;
    let mut routes = vec![own.clone()];
    for r in details.routes_details {
        let region = r
            .region
            .ok_or_else(|| ApiError::bad_request("Each RoutesDetails entry needs a Region."))?;
        if !valid_region(&region) || routes.contains(&region) {
            return Err(ApiError::bad_request(format!(
                "Region {region} is not a region, or is named twice."
            )));
        }
        routes.push(region);
    }
    if routes.len() != 2 {
        return Err(ApiError::bad_request(
            "Details.RoutesDetails names exactly one region besides this one.",
        ));
    }
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    let now = now_ms();
    let id = format!("mre-{}", uuid::Uuid::new_v4().simple());
    let body = json!({
        "EndpointName": name,
        "EndpointId": id,
        "Routes": routes.iter().map(|r| json!({"Region": r})).collect::<Vec<_>>(),
        "Status": "READY",
        "CreatedTimestamp": epoch_seconds(now),
        "LastUpdatedTimestamp": epoch_seconds(now),
        "Tags": tags,
    });
    match c
        .store()
        .put_item(
            c.account(),
            ItemKind::MultiRegionEndpoint,
            &name,
            body,
            PutMode::Create,
            now,
        )
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "Multi-region endpoint {name} already exists."
        ))),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(json!({ "Status": "READY", "EndpointId": id })),
    }
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("EndpointName")?;
    let mut body = c
        .store()
        .get_item(c.account(), ItemKind::MultiRegionEndpoint, name)
        .await?
        .ok_or_else(|| missing(name))?
        .body;
    if let Some(o) = body.as_object_mut() {
        o.remove("Tags");
    }
    Ok(body)
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 1000)?;
    let found = c
        .store()
        .list_items(
            c.account(),
            ItemKind::MultiRegionEndpoint,
            "",
            page.after.as_deref(),
            page.limit,
        )
        .await?;
    let items = found
        .items
        .iter()
        .map(|i| {
            let b = &i.body;
            let regions: Vec<Value> = b["Routes"]
                .as_array()
                .map(|rs| rs.iter().map(|r| r["Region"].clone()).collect())
                .unwrap_or_default();
            json!({
                "EndpointName": b["EndpointName"],
                "EndpointId": b["EndpointId"],
                "Status": b["Status"],
                "Regions": regions,
                "CreatedTimestamp": b["CreatedTimestamp"],
                "LastUpdatedTimestamp": b["LastUpdatedTimestamp"],
            })
        })
        .collect();
    Ok(list_answer("MultiRegionEndpoints", items, found.next_after))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("EndpointName")?;
    if c.store()
        .delete_item(c.account(), ItemKind::MultiRegionEndpoint, name)
        .await?
    {
        Ok(json!({ "Status": "DELETING" }))
    } else {
        Err(missing(name))
    }
}
