//! CreateConfigurationSet, GetConfigurationSet, ListConfigurationSets,
//! UpdateConfigurationSet, the Put…Options calls and DeleteConfigurationSet.
//!
//! Each option member is checked against its shape, then kept as the JSON
//! the client sent, so everything set comes back from Get unchanged.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Call;
use super::Operation;
use super::paging::ListRequest;
use super::validate::resource_name;
use crate::auth::Caller;
use crate::body::{json, list_answer};
use crate::error::ApiError;
use crate::state::AppState;
use mailsight_model::now_ms;
use mailsight_store::ConfigurationSet;

/// The member a `PutConfigurationSet…Options` operation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOption {
    Tracking,
    Delivery,
    Reputation,
    Sending,
    Suppression,
    Vdm,
    Archiving,
}

impl SetOption {
    /// The option the operation writes.
    fn of(op: Operation) -> Result<Self, ApiError> {
        use Operation as O;
        Ok(match op {
            O::PutConfigurationSetTrackingOptions => SetOption::Tracking,
            O::PutConfigurationSetDeliveryOptions => SetOption::Delivery,
            O::PutConfigurationSetReputationOptions => SetOption::Reputation,
            O::PutConfigurationSetSendingOptions => SetOption::Sending,
            O::PutConfigurationSetSuppressionOptions => SetOption::Suppression,
            O::PutConfigurationSetVdmOptions => SetOption::Vdm,
            O::PutConfigurationSetArchivingOptions => SetOption::Archiving,
            other => {
                return Err(ApiError::internal(format!(
                    "{} is not a Put…Options operation",
                    other.name()
                )));
            }
        })
    }

    /// The configuration set member the option call writes.
    fn member(self) -> &'static str {
        match self {
            SetOption::Tracking => "TrackingOptions",
            SetOption::Delivery => "DeliveryOptions",
            SetOption::Reputation => "ReputationOptions",
            SetOption::Sending => "SendingOptions",
            SetOption::Suppression => "SuppressionOptions",
            SetOption::Vdm => "VdmOptions",
            SetOption::Archiving => "ArchivingOptions",
        }
    }
}

// --- option shapes, for validation only ---

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum HttpsPolicy {
    Require,
    RequireOpenOnly,
    Optional,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct TrackingOptions {
    custom_redirect_domain: Option<String>,
    https_policy: Option<HttpsPolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum TlsPolicy {
    Require,
    Optional,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct DeliveryOptions {
    tls_policy: Option<TlsPolicy>,
    sending_pool_name: Option<String>,
    max_delivery_seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct ReputationOptions {
    reputation_metrics_enabled: Option<bool>,
    last_fresh_start: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct SendingOptions {
    sending_enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum SuppressionReason {
    Bounce,
    Complaint,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct SuppressionOptions {
    suppressed_reasons: Option<Vec<SuppressionReason>>,
    suppression_scope: Option<String>,
    validation_options: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Toggle {
    Enabled,
    Disabled,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct DashboardOptions {
    engagement_metrics: Option<Toggle>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct GuardianOptions {
    optimized_shared_delivery: Option<Toggle>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct VdmOptions {
    dashboard_options: Option<DashboardOptions>,
    guardian_options: Option<GuardianOptions>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct ArchivingOptions {
    archive_arn: Option<String>,
}

/// The option members a configuration set stores, and how each is checked.
const MEMBERS: &[&str] = &[
    "TrackingOptions",
    "DeliveryOptions",
    "ReputationOptions",
    "SendingOptions",
    "Tags",
    "SuppressionOptions",
    "VdmOptions",
    "ArchivingOptions",
    "MessageSecurityOptions",
];

fn check_member(member: &str, value: &Value) -> Result<(), ApiError> {
    fn shape<T: serde::de::DeserializeOwned>(member: &str, v: &Value) -> Result<(), ApiError> {
        serde_json::from_value::<T>(v.clone())
            .map(|_| ())
            .map_err(|e| ApiError::bad_request(format!("Invalid {member}: {e}")))
    }
    match member {
        "TrackingOptions" => shape::<TrackingOptions>(member, value),
        "DeliveryOptions" => {
            shape::<DeliveryOptions>(member, value)?;
            match value.get("MaxDeliverySeconds").and_then(Value::as_i64) {
                Some(s) if !(300..=50_400).contains(&s) => Err(ApiError::bad_request(format!(
                    "MaxDeliverySeconds must be between 300 and 50400; it was {s}."
                ))),
                _ => Ok(()),
            }
        }
        "ReputationOptions" => shape::<ReputationOptions>(member, value),
        "SendingOptions" => shape::<SendingOptions>(member, value),
        "Tags" => {
            let tags: Vec<super::tag_set::Tag> = serde_json::from_value(value.clone())
                .map_err(|e| ApiError::bad_request(format!("Invalid {member}: {e}")))?;
            super::tag_set::check(&tags)
        }
        "SuppressionOptions" => shape::<SuppressionOptions>(member, value),
        "VdmOptions" => shape::<VdmOptions>(member, value),
        "ArchivingOptions" => shape::<ArchivingOptions>(member, value),
        "MessageSecurityOptions" => shape::<Map<String, Value>>(member, value),
        _ => Ok(()),
    }
}

/// Keeps the known option members of a request body, each checked.
fn options_from(body: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let mut options = Map::new();
    for member in MEMBERS {
        if let Some(v) = body.get(*member).filter(|v| !v.is_null()) {
            check_member(member, v)?;
            options.insert((*member).to_owned(), v.clone());
        }
    }
    Ok(options)
}

fn name_from(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("ConfigurationSetName") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::bad_request(
            "ConfigurationSetName must be a string.",
        )),
        None => Err(ApiError::bad_request(
            "Missing required parameter: ConfigurationSetName.",
        )),
    }
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, body) = (c.state, c.caller, c.body);
    let body: Map<String, Value> = json(body)?;
    let name = name_from(&body)?;
    resource_name("configuration set", &name)?;
    let options = options_from(&body)?;
    let set = ConfigurationSet {
        name,
        options: Value::Object(options),
        created_at: now_ms(),
    };
    state
        .store()
        .create_configuration_set(&caller.account_id, set)
        .await?;
    Ok(json!({}))
}

fn set_missing(name: &str) -> ApiError {
    ApiError::not_found(format!("Configuration set <{name}> does not exist."))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name) = (c.state, c.caller, c.label("ConfigurationSetName")?);
    let set = state
        .store()
        .get_configuration_set(&caller.account_id, name)
        .await?
        .ok_or_else(|| set_missing(name))?;
    // SES reports these defaults for members never set.
    let mut out = json!({
        "ConfigurationSetName": set.name,
        "DeliveryOptions": {"TlsPolicy": "OPTIONAL"},
        "ReputationOptions": {"ReputationMetricsEnabled": false},
        "SendingOptions": {"SendingEnabled": true},
        "Tags": [],
    });
    if let (Some(out), Value::Object(options)) = (out.as_object_mut(), set.options) {
        out.extend(options);
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
struct ListFilter {
    #[serde(rename = "CONFIGURATION_SET_NAME_CONTAINS")]
    name_contains: Option<String>,
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req = ListRequest::<ListFilter>::read(c)?;
    let page = req.page(100, 1000)?;
    let contains = req.filter.and_then(|f| f.name_contains);
    let found = c
        .store()
        .list_configuration_sets(
            c.account(),
            contains.as_deref(),
            page.after.as_deref(),
            page.limit,
        )
        .await?;
    let names = found.items.into_iter().map(Value::String).collect();
    Ok(list_answer("ConfigurationSets", names, found.next_after))
}

async fn load_options(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<Map<String, Value>, ApiError> {
    let set = state
        .store()
        .get_configuration_set(&caller.account_id, name)
        .await?
        .ok_or_else(|| set_missing(name))?;
    Ok(match set.options {
        Value::Object(m) => m,
        _ => Map::new(),
    })
}

/// `POST /update-configuration-sets`: members present replace, others stay.
pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, body) = (c.state, c.caller, c.body);
    let body: Map<String, Value> = json(body)?;
    let name = name_from(&body)?;
    let changes = options_from(&body)?;
    let mut options = load_options(state, caller, &name).await?;
    options.extend(changes);
    state
        .store()
        .update_configuration_set(&caller.account_id, &name, Value::Object(options))
        .await?;
    Ok(json!({}))
}

/// `PUT /configuration-sets/{name}/<option>`: replaces one member.
pub async fn put_option(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name, option, body) = (
        c.state,
        c.caller,
        c.label("ConfigurationSetName")?,
        SetOption::of(c.op)?,
        c.body,
    );
    let body: Map<String, Value> = json(body)?;
    let member = option.member();
    let mut options = load_options(state, caller, name).await?;
    let value = match option {
        // The VDM call wraps its member; the others send its fields directly.
        SetOption::Vdm => body
            .get("VdmOptions")
            .cloned()
            .unwrap_or(Value::Object(Map::new())),
        SetOption::Reputation => {
            // Only the flag is set here; LastFreshStart is kept.
            let mut merged = options
                .get(member)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged.extend(body);
            Value::Object(merged)
        }
        _ => Value::Object(body),
    };
    check_member(member, &value)?;
    options.insert(member.to_owned(), value);
    state
        .store()
        .update_configuration_set(&caller.account_id, name, Value::Object(options))
        .await?;
    Ok(json!({}))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name) = (c.state, c.caller, c.label("ConfigurationSetName")?);
    state
        .store()
        .delete_configuration_set(&caller.account_id, name)
        .await?;
    let set = mailsight_engine::tenants::resource("configuration-set", name);
    mailsight_engine::tenants::forget(c.store(), c.account(), &set).await?;
    Ok(json!({}))
}
