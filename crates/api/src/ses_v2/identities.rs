//! Email identities: create, get, list (both routes), delete, and their
//! feedback forwarding (`PutEmailIdentityFeedbackAttributes`, the flag SES
//! v1's `SetIdentityFeedbackForwardingEnabled` sets). Identities are
//! verified at once: mailsight sends no verification mail and checks no
//! DNS, so a test can send right after creating one.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::{ListRequest, filtered_page};
use super::tag_set::{self, Tag};
use crate::body::{json, list_answer};
use crate::error::ApiError;
use mailsight_engine::identities;
use mailsight_engine::identities::AttributeError;
use mailsight_engine::notifications::{self, ForwardingRule};
use mailsight_model::now_ms;
use mailsight_store::{Identity, IdentityType};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    email_identity: Option<String>,
    tags: Option<Vec<Tag>>,
    configuration_set_name: Option<String>,
    #[allow(dead_code)]
    dkim_signing_attributes: Option<Value>,
}

fn kind_of(identity: &str) -> Result<IdentityType, ApiError> {
    identities::identity_type(identity).map_err(ApiError::bad_request)
}

/// DKIM attributes as SES reports them for a verified identity.
fn dkim(identity: &Identity) -> Value {
    let signing = identities::dkim_signing(identity);
    match identity.identity_type {
        IdentityType::Domain => {
            // Stable per identity, shaped like SES's CNAME tokens.
            let tokens = identities::dkim_tokens(&identity.name);
            json!({
                "SigningEnabled": signing,
                "Status": "SUCCESS",
                "Tokens": tokens,
                "SigningAttributesOrigin": "AWS_SES",
                "NextSigningKeyLength": "RSA_2048_BIT",
                "CurrentSigningKeyLength": "RSA_2048_BIT",
                "LastKeyGenerationTimestamp": identity.created_at as f64 / 1000.0,
            })
        }
        IdentityType::EmailAddress => {
            json!({"SigningEnabled": signing, "Status": "NOT_STARTED", "Tokens": []})
        }
    }
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, body) = (c.state, c.caller, c.body);
    let req: CreateRequest = json(body)?;
    let name = req
        .email_identity
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EmailIdentity."))?;
    let identity_type = kind_of(&name)?;
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    if let Some(set) = &req.configuration_set_name
        && state
            .store()
            .get_configuration_set(&caller.account_id, set)
            .await?
            .is_none()
    {
        return Err(ApiError::not_found(format!(
            "Configuration set <{set}> does not exist."
        )));
    }
    let identity = Identity {
        name: name.to_ascii_lowercase(),
        identity_type,
        tags: json!(tags),
        configuration_set: req.configuration_set_name,
        created_at: now_ms(),
        attributes: Default::default(),
    };
    let answer = json!({
        "IdentityType": identity_type.as_str(),
        "VerifiedForSendingStatus": true,
        "DkimAttributes": dkim(&identity),
    });
    state
        .store()
        .create_identity(&caller.account_id, identity)
        .await?;
    Ok(answer)
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name) = (c.state, c.caller, c.label("EmailIdentity")?);
    let identity = state
        .store()
        .get_identity(&caller.account_id, &name.to_ascii_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Email identity <{name}> does not exist.")))?;
    // Set through SES v1's SetIdentityMailFromDomain.
    let mail_from = match identities::mail_from(c.store(), c.account(), &identity.name).await? {
        Some(m) => json!({
            "MailFromDomain": m.domain,
            "MailFromDomainStatus": "SUCCESS",
            "BehaviorOnMxFailure": m.behavior_on_mx_failure,
        }),
        None => json!({"BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}),
    };
    let mut out = json!({
        "IdentityType": identity.identity_type.as_str(),
        "FeedbackForwardingStatus": identity.attributes.forwarding_enabled,
        "VerifiedForSendingStatus": true,
        "VerificationStatus": "SUCCESS",
        "DkimAttributes": dkim(&identity),
        "MailFromAttributes": mail_from,
        "Policies": identity.attributes.policies,
        "Tags": identity.tags,
    });
    if let Some(set) = identity.configuration_set {
        out["ConfigurationSetName"] = json!(set);
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
struct ListFilter {
    #[serde(rename = "IDENTITY_NAME_CONTAINS")]
    name_contains: Option<String>,
    #[serde(rename = "IDENTITY_TYPE")]
    identity_type: Option<String>,
    #[serde(rename = "VERIFICATION_STATUS")]
    verification_status: Option<String>,
}

impl ListFilter {
    fn keeps(&self, i: &Identity) -> bool {
        self.name_contains.as_ref().is_none_or(|c| i.name.contains(&c.to_ascii_lowercase()))
            && self.identity_type.as_ref().is_none_or(|t| t == i.identity_type.as_str())
            // Every identity is verified at once.
            && self.verification_status.as_ref().is_none_or(|s| s == "SUCCESS")
    }
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req = ListRequest::<ListFilter>::read(c)?;
    let page = req.page(100, 1000)?;
    let filter = req.filter.unwrap_or_default();
    let (kept, next) = filtered_page(
        page,
        |after, limit| async move {
            c.store()
                .list_identities(c.account(), after.as_deref(), limit)
                .await
        },
        |i| filter.keeps(i),
        |i: &Identity| i.name.clone(),
    )
    .await?;
    let items: Vec<Value> = kept
        .iter()
        .map(|i| {
            json!({
                "IdentityType": i.identity_type.as_str(),
                "IdentityName": i.name,
                "SendingEnabled": true,
                "VerificationStatus": "SUCCESS",
            })
        })
        .collect();
    Ok(list_answer("EmailIdentities", items, next))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("EmailIdentity")?;
    if identities::delete(c.store(), c.account(), name).await? {
        Ok(json!({}))
    } else {
        Err(ApiError::not_found(format!(
            "Email identity <{name}> does not exist."
        )))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FeedbackRequest {
    /// SDKs leave out a `false` boolean: absent is off.
    #[serde(default)]
    email_forwarding_enabled: bool,
}

pub async fn put_feedback(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("EmailIdentity")?;
    let req: FeedbackRequest = json(c.body)?;
    notifications::set_forwarding(
        c.store(),
        c.account(),
        name,
        req.email_forwarding_enabled,
        ForwardingRule::Any,
    )
    .await
    .map_err(|e| attribute_error(name, e))?;
    Ok(json!({}))
}

/// A refused change of identity `name`'s attributes in SES v2's terms.
pub(super) fn attribute_error(name: &str, e: AttributeError) -> ApiError {
    match e {
        AttributeError::NoIdentity(_) => {
            ApiError::not_found(format!("Email identity <{name}> does not exist."))
        }
        e @ AttributeError::NoPolicy(_) => ApiError::not_found(e.to_string()),
        e @ AttributeError::PolicyExists(_) => ApiError::already_exists(e.to_string()),
        AttributeError::TooManyPolicies(m) => ApiError::limit_exceeded(m),
        AttributeError::Invalid(m) | AttributeError::InvalidPolicy(m) => ApiError::bad_request(m),
        AttributeError::Store(s) => s.into(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DkimRequest {
    /// SDKs leave out a `false` boolean: absent is off.
    #[serde(default)]
    signing_enabled: bool,
}

pub async fn put_dkim(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("EmailIdentity")?;
    let req: DkimRequest = json(c.body)?;
    identities::set_dkim_signing(c.store(), c.account(), name, req.signing_enabled)
        .await
        .map_err(|e| attribute_error(name, e))?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationSetRequest {
    configuration_set_name: Option<String>,
}

/// `PutEmailIdentityConfigurationSetAttributes`: the set a send from the
/// identity uses when it names none (absent: no default).
pub async fn put_configuration_set(c: &Call<'_>) -> Result<Value, ApiError> {
    let given = c.label("EmailIdentity")?;
    let req: ConfigurationSetRequest = json(c.body)?;
    let identity = identities::find(c.store(), c.account(), given)
        .await
        .map_err(|e| attribute_error(given, e))?;
    if let Some(set) = &req.configuration_set_name
        && c.store()
            .get_configuration_set(c.account(), set)
            .await?
            .is_none()
    {
        return Err(ApiError::not_found(format!(
            "Configuration set <{set}> does not exist."
        )));
    }
    c.store()
        .set_identity_configuration_set(c.account(), &identity.name, req.configuration_set_name)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MailFromRequest {
    mail_from_domain: Option<String>,
    behavior_on_mx_failure: Option<String>,
}

/// `PutEmailIdentityMailFromAttributes`, on the storage SES v1's
/// `SetIdentityMailFromDomain` uses (no domain: back to SES's own).
pub async fn put_mail_from(c: &Call<'_>) -> Result<Value, ApiError> {
    let given = c.label("EmailIdentity")?;
    let req: MailFromRequest = json(c.body)?;
    let identity = identities::find(c.store(), c.account(), given)
        .await
        .map_err(|e| attribute_error(given, e))?;
    let behavior = req
        .behavior_on_mx_failure
        .unwrap_or_else(|| "USE_DEFAULT_VALUE".into());
    if !matches!(behavior.as_str(), "USE_DEFAULT_VALUE" | "REJECT_MESSAGE") {
        return Err(ApiError::bad_request(format!(
            "BehaviorOnMxFailure must be USE_DEFAULT_VALUE or REJECT_MESSAGE, not {behavior}."
        )));
    }
    let mail_from = match req.mail_from_domain.filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(identities::MailFrom {
            domain: identities::check_mail_from(&identity, &d).map_err(ApiError::bad_request)?,
            behavior_on_mx_failure: behavior,
        }),
    };
    identities::set_mail_from(c.store(), c.account(), &identity.name, mail_from, now_ms()).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DkimSigningRequest {
    signing_attributes_origin: Option<String>,
}

/// `PutEmailIdentityDkimSigningAttributes`: mailsight signs nothing, so
/// the origin changes nothing but the answer: the identity's tokens and a
/// verified status (mailsight verifies at once), as SES answers once DNS
/// is in place. `EXTERNAL` (your own key) has no tokens.
pub async fn put_dkim_signing(c: &Call<'_>) -> Result<Value, ApiError> {
    let given = c.label("EmailIdentity")?;
    let req: DkimSigningRequest = json(c.body)?;
    let origin = req.signing_attributes_origin.ok_or_else(|| {
        ApiError::bad_request("Missing required parameter: SigningAttributesOrigin.")
    })?;
    let known = origin == "AWS_SES" || origin == "EXTERNAL" || origin.starts_with("AWS_SES_");
    if !known {
        return Err(ApiError::bad_request(format!(
            "SigningAttributesOrigin {origin} is not one SES knows."
        )));
    }
    let identity = identities::find(c.store(), c.account(), given)
        .await
        .map_err(|e| attribute_error(given, e))?;
    let tokens = match (origin.as_str(), identity.identity_type) {
        ("EXTERNAL", _) | (_, mailsight_store::IdentityType::EmailAddress) => Vec::new(),
        _ => identities::dkim_tokens(&identity.name),
    };
    Ok(json!({ "DkimStatus": "SUCCESS", "DkimTokens": tokens }))
}
