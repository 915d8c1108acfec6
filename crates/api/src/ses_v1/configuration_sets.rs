//! SES v1's configuration set actions, on the sets SES v2 manages:
//! `CreateConfigurationSet`, `DescribeConfigurationSet`,
//! `ListConfigurationSets`, `DeleteConfigurationSet`, the tracking
//! options (`Create/Update/DeleteConfigurationSetTrackingOptions`),
//! `UpdateConfigurationSetReputationMetricsEnabled`,
//! `UpdateConfigurationSetSendingEnabled` and
//! `PutConfigurationSetDeliveryOptions`.
//!
//! A set's options are stored as SES v2's members (`TrackingOptions`,
//! `SendingOptions`, `ReputationOptions`, `DeliveryOptions`), so what v1
//! sets is what v2's `GetConfigurationSet` reports and what the sending
//! path obeys (a set with sending off refuses mail from either API).

use axum::http::StatusCode;
use mailsight_engine::tenants;
use mailsight_model::now_ms;
use mailsight_store::{ConfigurationSet, StoreError};
use serde_json::{Map, Value, json};

use super::errors::{set_missing, store_error};
use super::event_destinations::destination_xml;
use super::paging::{next_token, page};
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::Xml;
use crate::ses_v2::validate::resource_name;

fn code(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, StatusCode::BAD_REQUEST, message)
}

pub async fn create_configuration_set(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("ConfigurationSet.Name")?;
    resource_name("configuration set", name)
        .map_err(|e| code("InvalidConfigurationSet", e.message))?;
    let set = ConfigurationSet {
        name: name.to_owned(),
        options: json!({}),
        created_at: now_ms(),
    };
    match c.store().create_configuration_set(c.account(), set).await {
        Err(StoreError::AlreadyExists(_)) => Err(code(
            "ConfigurationSetAlreadyExists",
            format!("Configuration set <{name}> already exists."),
        )),
        other => other.map_err(store_error).map(|()| Some(String::new())),
    }
}

/// The set `ConfigurationSetName` names, or `ConfigurationSetDoesNotExist`.
pub(super) async fn load(c: &SesCall<'_>) -> Result<ConfigurationSet, ApiError> {
    let name = c.params.required("ConfigurationSetName")?;
    c.store()
        .get_configuration_set(c.account(), name)
        .await
        .map_err(store_error)?
        .ok_or_else(|| set_missing(name))
}

fn options(set: &ConfigurationSet) -> Map<String, Value> {
    set.options.as_object().cloned().unwrap_or_default()
}

/// Changes the stored options of the named set with `change`.
async fn modify(
    c: &SesCall<'_>,
    change: impl FnOnce(&mut Map<String, Value>) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let set = load(c).await?;
    let mut opts = options(&set);
    change(&mut opts)?;
    c.store()
        .update_configuration_set(c.account(), &set.name, Value::Object(opts))
        .await
        .map_err(store_error)
}

/// One member of a stored option (`ReputationOptions.SendingEnabled`).
fn member<'a>(opts: &'a Map<String, Value>, option: &str, field: &str) -> Option<&'a Value> {
    opts.get(option).and_then(|o| o.get(field))
}

/// Sets `field` of `option`, keeping its other fields.
fn set_member(opts: &mut Map<String, Value>, option: &str, field: &str, value: Value) {
    let entry = opts
        .entry(option.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Some(o) = entry.as_object_mut() {
        o.insert(field.to_owned(), value);
    }
}

/// Only the attributes named in `ConfigurationSetAttributeNames` are
/// answered, besides the name; SES v2's spellings become v1's.
pub async fn describe_configuration_set(c: &SesCall<'_>) -> Answer {
    let set = load(c).await?;
    let wanted = c.params.list("ConfigurationSetAttributeNames");
    for w in &wanted {
        if !matches!(
            *w,
            "eventDestinations" | "trackingOptions" | "deliveryOptions" | "reputationOptions"
        ) {
            return Err(c.params.malformed(
                "ConfigurationSetAttributeNames",
                w,
                "Member must satisfy enum value set: [eventDestinations, trackingOptions, deliveryOptions, reputationOptions]",
            ));
        }
    }
    let destinations = if wanted.contains(&"eventDestinations") {
        Some(
            c.store()
                .list_event_destinations(c.account(), &set.name)
                .await
                .map_err(store_error)?,
        )
    } else {
        None
    };
    let opts = options(&set);
    let mut x = Xml::new();
    x.elem("ConfigurationSet", |x| {
        x.text("Name", &set.name);
    });
    if let Some(list) = &destinations {
        x.list("EventDestinations", list, destination_xml);
    }
    if wanted.contains(&"trackingOptions")
        && let Some(domain) =
            member(&opts, "TrackingOptions", "CustomRedirectDomain").and_then(Value::as_str)
    {
        x.elem("TrackingOptions", |x| {
            x.text("CustomRedirectDomain", domain);
        });
    }
    if wanted.contains(&"deliveryOptions") {
        let tls = match member(&opts, "DeliveryOptions", "TlsPolicy").and_then(Value::as_str) {
            Some("REQUIRE") => "Require",
            _ => "Optional",
        };
        x.elem("DeliveryOptions", |x| {
            x.text("TlsPolicy", tls);
        });
    }
    if wanted.contains(&"reputationOptions") {
        let flag = |option, field, default| {
            member(&opts, option, field)
                .and_then(Value::as_bool)
                .unwrap_or(default)
        };
        // A SendingOptions member without SendingEnabled means off, as the
        // sending path reads it.
        let sending = match opts.get("SendingOptions") {
            Some(_) => flag("SendingOptions", "SendingEnabled", false),
            None => true,
        };
        let metrics = flag("ReputationOptions", "ReputationMetricsEnabled", false);
        let fresh = member(&opts, "ReputationOptions", "LastFreshStart").and_then(Value::as_f64);
        x.elem("ReputationOptions", |x| {
            x.text("SendingEnabled", &sending.to_string())
                .text("ReputationMetricsEnabled", &metrics.to_string());
            if let Some(secs) = fresh {
                x.text(
                    "LastFreshStart",
                    &crate::query::xml::timestamp((secs * 1000.0) as i64),
                );
            }
        });
    }
    Ok(Some(x.finish()))
}

pub async fn list_configuration_sets(c: &SesCall<'_>) -> Answer {
    let want = page(c.params, 1000, 1000)?;
    let found = c
        .store()
        .list_configuration_sets(c.account(), None, want.after.as_deref(), want.limit)
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    x.list("ConfigurationSets", &found.items, |x, name| {
        x.text("Name", name);
    });
    next_token(&mut x, found.next_after.as_deref());
    Ok(Some(x.finish()))
}

pub async fn delete_configuration_set(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("ConfigurationSetName")?;
    match c.store().delete_configuration_set(c.account(), name).await {
        Err(StoreError::NotFound(_)) => Err(set_missing(name)),
        Err(e) => Err(store_error(e)),
        Ok(()) => {
            let set = tenants::resource("configuration-set", name);
            tenants::forget(c.store(), c.account(), &set)
                .await
                .map_err(store_error)?;
            Ok(Some(String::new()))
        }
    }
}

/// `TrackingOptions.CustomRedirectDomain`, which v1 may leave out.
fn tracking_domain(c: &SesCall<'_>) -> Option<Value> {
    c.params
        .get("TrackingOptions.CustomRedirectDomain")
        .filter(|d| !d.is_empty())
        .map(|d| json!(d))
}

fn tracking_exists(opts: &Map<String, Value>) -> bool {
    opts.get("TrackingOptions").is_some_and(|t| !t.is_null())
}

pub async fn create_configuration_set_tracking_options(c: &SesCall<'_>) -> Answer {
    let domain = tracking_domain(c);
    modify(c, |opts| {
        if tracking_exists(opts) {
            return Err(code(
                "TrackingOptionsAlreadyExistsException",
                "The configuration set already has tracking options.",
            ));
        }
        let mut t = Map::new();
        if let Some(d) = domain {
            t.insert("CustomRedirectDomain".into(), d);
        }
        opts.insert("TrackingOptions".into(), Value::Object(t));
        Ok(())
    })
    .await?;
    Ok(Some(String::new()))
}

pub async fn update_configuration_set_tracking_options(c: &SesCall<'_>) -> Answer {
    let domain = tracking_domain(c);
    modify(c, |opts| {
        if !tracking_exists(opts) {
            return Err(code(
                "TrackingOptionsDoesNotExistException",
                "The configuration set has no tracking options.",
            ));
        }
        match domain {
            Some(d) => set_member(opts, "TrackingOptions", "CustomRedirectDomain", d),
            None => {
                if let Some(t) = opts
                    .get_mut("TrackingOptions")
                    .and_then(Value::as_object_mut)
                {
                    t.remove("CustomRedirectDomain");
                }
            }
        }
        Ok(())
    })
    .await?;
    Ok(Some(String::new()))
}

pub async fn delete_configuration_set_tracking_options(c: &SesCall<'_>) -> Answer {
    modify(c, |opts| {
        if !tracking_exists(opts) {
            return Err(code(
                "TrackingOptionsDoesNotExistException",
                "The configuration set has no tracking options.",
            ));
        }
        opts.remove("TrackingOptions");
        Ok(())
    })
    .await?;
    Ok(Some(String::new()))
}

pub async fn update_configuration_set_reputation_metrics_enabled(c: &SesCall<'_>) -> Answer {
    let enabled = c.params.required_flag("Enabled")?;
    modify(c, |opts| {
        set_member(
            opts,
            "ReputationOptions",
            "ReputationMetricsEnabled",
            json!(enabled),
        );
        Ok(())
    })
    .await?;
    Ok(None)
}

pub async fn update_configuration_set_sending_enabled(c: &SesCall<'_>) -> Answer {
    let enabled = c.params.required_flag("Enabled")?;
    modify(c, |opts| {
        set_member(opts, "SendingOptions", "SendingEnabled", json!(enabled));
        Ok(())
    })
    .await?;
    Ok(None)
}

pub async fn put_configuration_set_delivery_options(c: &SesCall<'_>) -> Answer {
    let tls = match c.params.get("DeliveryOptions.TlsPolicy") {
        None | Some("") => None,
        Some("Require") => Some("REQUIRE"),
        Some("Optional") => Some("OPTIONAL"),
        Some(other) => {
            return Err(code(
                "InvalidDeliveryOptions",
                format!("Invalid TlsPolicy <{other}>: use Require or Optional."),
            ));
        }
    };
    modify(c, |opts| {
        match tls {
            Some(t) => set_member(opts, "DeliveryOptions", "TlsPolicy", json!(t)),
            None => {
                opts.remove("DeliveryOptions");
            }
        }
        Ok(())
    })
    .await?;
    Ok(Some(String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_member_keeps_the_other_fields() {
        let mut opts = Map::new();
        opts.insert(
            "ReputationOptions".into(),
            json!({"LastFreshStart": 1.0, "ReputationMetricsEnabled": false}),
        );
        set_member(
            &mut opts,
            "ReputationOptions",
            "ReputationMetricsEnabled",
            json!(true),
        );
        set_member(&mut opts, "SendingOptions", "SendingEnabled", json!(false));
        assert_eq!(
            Value::Object(opts),
            json!({
                "ReputationOptions": {"LastFreshStart": 1.0, "ReputationMetricsEnabled": true},
                "SendingOptions": {"SendingEnabled": false},
            })
        );
    }
}
