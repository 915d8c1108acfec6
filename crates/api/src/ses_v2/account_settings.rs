//! The account's production-access details, shared-pool delivery mode and
//! pricing plan (`PutAccountDetails`, `PutAccountDeliveryAttributes`,
//! `PutAccountPricingAttributes`), kept as account settings and shown by
//! `GetAccount`; and the two VDM advisers mailsight answers from what it
//! knows: `ListRecommendations` (none: mailsight checks no DNS) and
//! `GetEmailAddressInsights` (the address's syntax and role, and the
//! mailbox simulator's outcome for its addresses).

use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use std::collections::BTreeMap;

use super::paging::{ListRequest, PageRequest};
use crate::body::{json, list_answer};
use crate::error::ApiError;

const DETAILS: &str = "details";
const DELIVERY: &str = "delivery";
const PRICING: &str = "pricing";

async fn put(c: &Call<'_>, key: &str, body: Value) -> Result<Value, ApiError> {
    c.store()
        .put_item(
            c.account(),
            ItemKind::AccountSetting,
            key,
            body,
            PutMode::Upsert,
            now_ms(),
        )
        .await?;
    Ok(json!({}))
}

fn one_of(member: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{member} must be one of {}, not {value}.",
            allowed.join(", ")
        )))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetailsRequest {
    mail_type: Option<String>,
    #[serde(rename = "WebsiteURL")]
    website_url: Option<String>,
    contact_language: Option<String>,
    use_case_description: Option<String>,
    additional_contact_email_addresses: Option<Vec<String>>,
    #[serde(default)]
    production_access_enabled: bool,
}

/// `PutAccountDetails`: stored as sent; the review is granted at once (the
/// account already has production access in mailsight).
pub async fn put_details(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: DetailsRequest = json(c.body)?;
    let mail_type = req
        .mail_type
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: MailType."))?;
    one_of("MailType", &mail_type, &["MARKETING", "TRANSACTIONAL"])?;
    let website = req
        .website_url
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: WebsiteURL."))?;
    if url::Url::parse(&website).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
        return Err(ApiError::bad_request(
            "WebsiteURL must be an http or https URL.",
        ));
    }
    if let Some(lang) = &req.contact_language {
        one_of("ContactLanguage", lang, &["EN", "JA"])?;
    }
    let contacts = req.additional_contact_email_addresses.unwrap_or_default();
    if contacts.len() > 4 {
        return Err(ApiError::bad_request(
            "AdditionalContactEmailAddresses takes at most 4 addresses.",
        ));
    }
    let mut details = json!({
        "MailType": mail_type,
        "WebsiteURL": website,
        "ContactLanguage": req.contact_language.unwrap_or_else(|| "EN".into()),
        "AdditionalContactEmailAddresses": contacts,
        "ReviewDetails": {"Status": "GRANTED", "CaseId": format!("mailsight-{}", c.account())},
    });
    if let Some(u) = req.use_case_description {
        details["UseCaseDescription"] = json!(u);
    }
    let _ = req.production_access_enabled;
    put(c, DETAILS, details).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeliveryRequest {
    shared_pool_delivery_mode: Option<String>,
}

pub async fn put_delivery(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: DeliveryRequest = json(c.body)?;
    let mode = req.shared_pool_delivery_mode.ok_or_else(|| {
        ApiError::bad_request("Missing required parameter: SharedPoolDeliveryMode.")
    })?;
    one_of(
        "SharedPoolDeliveryMode",
        &mode,
        &["GLOBAL", "REGIONAL", "ACCOUNT"],
    )?;
    put(c, DELIVERY, json!({ "SharedPoolDeliveryMode": mode })).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PricingRequest {
    plan: Option<String>,
}

/// `PutAccountPricingAttributes`: the plan takes effect at once in
/// mailsight (SES moves it at the next billing period), so `CurrentPlan`
/// and `NextPlan` agree.
pub async fn put_pricing(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: PricingRequest = json(c.body)?;
    let plan = req
        .plan
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Plan."))?;
    one_of("Plan", &plan, &["NONE", "ESSENTIALS", "PRO", "ENTERPRISE"])?;
    put(c, PRICING, json!({ "CurrentPlan": plan, "NextPlan": plan })).await
}

/// What `GetAccount` adds from these settings: `Details`,
/// `DeliveryAttributes` and `PricingAttributes`, each when set.
pub async fn shown(store: &dyn Store, account: &str, out: &mut Value) -> Result<(), ApiError> {
    for (key, member) in [
        (DETAILS, "Details"),
        (DELIVERY, "DeliveryAttributes"),
        (PRICING, "PricingAttributes"),
    ] {
        if let Some(item) = store
            .get_item(account, ItemKind::AccountSetting, key)
            .await?
        {
            out[member] = item.body;
        }
    }
    Ok(())
}

/// `ListRecommendations`: VDM recommends from the DNS records and
/// reputation of identities, which mailsight does not check; the list is
/// empty, and the filters and paging are validated as SES does.
pub async fn list_recommendations(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ListRequest<BTreeMap<String, String>> = ListRequest::read(c)?;
    let _page: PageRequest = req.page(100, 100)?;
    for key in req.filter.iter().flat_map(|f| f.keys()) {
        one_of("Filter", key, &["TYPE", "IMPACT", "STATUS", "RESOURCE_ARN"])?;
    }
    Ok(list_answer("Recommendations", Vec::new(), None))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InsightsRequest {
    email_address: Option<String>,
}

/// Local parts that name a role rather than a person.
const ROLES: &[&str] = &[
    "abuse",
    "admin",
    "billing",
    "contact",
    "help",
    "info",
    "marketing",
    "no-reply",
    "noreply",
    "postmaster",
    "sales",
    "security",
    "support",
    "webmaster",
];

/// `GetEmailAddressInsights`: deterministic, from the address alone.
/// Syntax and role are checked; DNS is taken as valid for any domain with
/// a dot; the mailbox exists unless the address is the mailbox
/// simulator's bounce or suppression-list address; nothing is disposable or
/// random. The overall verdict is `HIGH` when every check passes, else
/// `LOW`.
pub async fn email_address_insights(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: InsightsRequest = json(c.body)?;
    let address = req
        .email_address
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EmailAddress."))?;
    let (local, domain) = address.rsplit_once('@').unwrap_or(("", ""));
    let syntax = !local.is_empty()
        && mailsight_engine::identities::is_valid_domain(&domain.to_ascii_lowercase())
        && !address
            .chars()
            .any(|ch| ch.is_whitespace() || ch.is_control());
    let dns = syntax && domain.contains('.');
    let base = local
        .split('+')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let simulator = domain.eq_ignore_ascii_case("simulator.amazonses.com");
    let mailbox = dns && !(simulator && matches!(base.as_str(), "bounce" | "suppressionlist"));
    let role = ROLES.contains(&base.as_str());
    let verdict = |ok: bool| json!({ "ConfidenceVerdict": if ok { "HIGH" } else { "LOW" } });
    Ok(json!({
        "MailboxValidation": {
            "IsValid": verdict(syntax && dns && mailbox),
            "Evaluations": {
                "HasValidSyntax": verdict(syntax),
                "HasValidDnsRecords": verdict(dns),
                "MailboxExists": verdict(mailbox),
                "IsRoleAddress": verdict(role),
                "IsDisposable": verdict(false),
                "IsRandomInput": verdict(false),
            },
        }
    }))
}
